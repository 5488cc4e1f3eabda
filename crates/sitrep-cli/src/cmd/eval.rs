//! `sitrep eval ...`: score sitrep against development sets. Each set has
//! its own module.

use std::process::ExitCode;

use super::{eval_case, eval_clean, eval_fakes, eval_fusion, eval_geo, eval_time, Global};

#[derive(clap::Subcommand, Debug)]
pub enum EvalCommand {
    /// ACLED sub-event type F1 on CASE 2021 Task 2 snippets.
    Case(eval_case::Args),
    /// Primary-event fields against the FA-KES crowd labels.
    Fakes(eval_fakes::Args),
    /// Pairwise precision and recall of event fusion on FA-KES silver clusters.
    Fusion(eval_fusion::Args),
    /// Line-level precision and recall of cleaning against labelled documents.
    Clean(eval_clean::Args),
    /// TIMEX3 extraction F1 and value accuracy on MEANTIME.
    Time(eval_time::Args),
    /// Geotagging and geocoding accuracy on GeoWebNews.
    Geo(eval_geo::Args),
}

pub fn run(g: &Global, c: EvalCommand) -> anyhow::Result<ExitCode> {
    match c {
        EvalCommand::Case(a) => eval_case::run(g, a),
        EvalCommand::Clean(a) => eval_clean::run(g, a),
        EvalCommand::Fakes(a) => eval_fakes::run(g, a),
        EvalCommand::Fusion(a) => eval_fusion::run(g, a),
        EvalCommand::Time(a) => eval_time::run(g, a),
        EvalCommand::Geo(a) => eval_geo::run(g, a),
    }
}

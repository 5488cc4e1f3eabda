//! One module per subcommand.

use std::process::ExitCode;

use crate::{Cli, Command};

pub mod annotate;
pub mod bench;
pub mod bench_fuse;
pub mod bench_store;
pub mod brief;
pub mod control;
pub mod docs;
pub mod eval;
pub mod eval_case;
pub mod eval_clean;
pub mod eval_fakes;
pub mod eval_fusion;
pub mod eval_geo;
pub mod eval_time;
pub mod event;
pub mod events;
pub mod explain;
pub mod export;
pub mod extract;
pub mod follow;
pub mod fuse;
pub mod geoparse;
pub mod ingest;
pub mod input;
pub mod pipeline;
pub mod queue;
pub mod serve;
pub mod show;
pub mod timeline;
pub mod watch;

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let global = Global {
        db: cli.db,
        quiet: cli.quiet,
    };
    match cli.command {
        Command::Ingest(a) => ingest::run(&global, a),
        Command::Docs(a) => docs::run(&global, a),
        Command::Show(a) => show::run(&global, a),
        Command::Annotate(a) => annotate::run(&global, a),
        Command::Geoparse(a) => geoparse::run(&global, a),
        Command::Extract(a) => extract::run(&global, a),
        Command::Eval(c) => eval::run(&global, c),
        Command::Bench(c) => bench::run(&global, c),
        Command::Fuse(a) => fuse::run(&global, a),
        Command::Events(a) => events::run(&global, a),
        Command::Event(a) => event::run(&global, a),
        Command::Timeline(a) => timeline::run(&global, a),
        Command::Control(a) => control::run(&global, a),
        Command::Explain(a) => explain::run(&global, a),
        Command::Export(a) => export::run(&global, a),
        Command::Serve(a) => serve::run(&global, a),
        Command::Brief(a) => brief::run(&global, a),
        Command::Publish(a) => queue::publish(&global, a),
        Command::Worker(a) => queue::worker(&global, a),
        Command::FuseConsumer(a) => queue::fuse_consumer(&global, a),
        Command::Watch(a) => watch::run(&global, a),
    }
}

/// Options every subcommand sees.
pub struct Global {
    pub db: std::path::PathBuf,
    pub quiet: bool,
}

impl Global {
    /// The database for messages: the file, or the PostgreSQL URL without
    /// its password.
    pub fn db_name(&self) -> String {
        sitrep_store::redact(&self.db.to_string_lossy())
    }
}

/// Open the database for reading; a missing file is an error that says what
/// to do rather than an empty database created by accident.
pub fn open_existing(db: &std::path::Path) -> anyhow::Result<sitrep_store::Store> {
    let location = db.to_string_lossy();
    if sitrep_store::is_postgres_url(&location) {
        return sitrep_store::Store::open(db).map_err(|e| {
            anyhow::Error::from(e).context(format!(
                "opening database {}",
                sitrep_store::redact(&location)
            ))
        });
    }
    if !db.exists() {
        anyhow::bail!(
            "no database at {}: run `sitrep ingest PATH` first, or pass --db FILE",
            db.display()
        );
    }
    sitrep_store::Store::open(db)
        .map_err(anyhow::Error::from)
        .map_err(|e| e.context(format!("opening database {}", db.display())))
}

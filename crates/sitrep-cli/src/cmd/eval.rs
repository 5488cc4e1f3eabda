use std::process::ExitCode;

use super::Global;

#[derive(clap::Subcommand, Debug)]
pub enum EvalCommand {}

pub fn run(_g: &Global, c: EvalCommand) -> anyhow::Result<ExitCode> {
    match c {}
}

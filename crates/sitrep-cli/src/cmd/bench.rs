use std::process::ExitCode;

use super::Global;

#[derive(clap::Subcommand, Debug)]
pub enum BenchCommand {}

pub fn run(_g: &Global, c: BenchCommand) -> anyhow::Result<ExitCode> {
    match c {}
}

use std::process::ExitCode;

use super::Global;

#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_g: &Global, _a: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not built yet")
}

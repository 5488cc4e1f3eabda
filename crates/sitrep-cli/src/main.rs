//! `sitrep`: an automated conflict monitor.
//!
//! Each subcommand lives in its own module under `cmd/`; this file only
//! parses arguments and dispatches.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;

/// sitrep reads raw conflict news reports (text, HTML, JSON Lines, gzip) and
/// keeps a sourced record of what they say, in an embedded SQLite database.
///
/// A typical session:
///
///   sitrep ingest examples/reports                   # read, clean and store a folder
///   sitrep docs                                      # list what was stored
///   sitrep show 001_qasr-nadim-shelling              # the clean text
///   sitrep show 001_qasr-nadim-shelling --removed    # what was dropped, and why
///
/// The database is ./sitrep.db unless --db PATH (or SITREP_DB) says otherwise;
/// --db postgres://USER@HOST:PORT/DB uses a PostgreSQL database instead.
/// Every listing takes --json for machine-readable output; every subcommand's
/// --help has examples. Errors name the file (and line) and say what to do;
/// exit status 2 means the command itself failed.
#[derive(Parser, Debug)]
#[command(name = "sitrep", version, about, long_about, max_term_width = 100)]
pub struct Cli {
    /// SQLite database file (created with its schema on first use), or a
    /// PostgreSQL URL such as postgres://sitrep@localhost:5432/sitrep (same
    /// schema; see docs/store.md).
    #[arg(long, global = true, default_value = "sitrep.db", env = "SITREP_DB")]
    pub db: PathBuf,

    /// Hide progress bars (they are hidden anyway when stderr is not a terminal).
    #[arg(long, global = true)]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Read, clean and store reports from files, folders or stdin.
    Ingest(cmd::ingest::Args),
    /// List stored documents.
    Docs(cmd::docs::Args),
    /// Print a stored document's clean text.
    Show(cmd::show::Args),
    /// Print sentences, numbers, dates, attribution and modality as JSON Lines.
    Annotate(cmd::annotate::Args),
    /// Print the places named in reports, resolved against GeoNames.
    Geoparse(cmd::geoparse::Args),
    /// Print the conflict events each report describes, as JSON Lines (no database).
    Extract(cmd::extract::Args),
    /// Score sitrep against a development set.
    #[command(subcommand)]
    Eval(cmd::eval::EvalCommand),
    /// Measure throughput on a corpus.
    #[command(subcommand)]
    Bench(cmd::bench::BenchCommand),
    /// Fuse stored events into one record per real-world event.
    Fuse(cmd::fuse::Args),
    /// List fused events (filter by place, radius, box, dates, type, actor).
    Events(cmd::events::Args),
    /// Print one fused event with every claim and its evidence.
    Event(cmd::event::Args),
    /// The dated fused events of a place.
    Timeline(cmd::timeline::Args),
    /// Who held a place from when to when.
    Control(cmd::control::Args),
    /// Why a fused event's reports were merged (or kept apart).
    Explain(cmd::explain::Args),
    /// Export events as ACLED CSV, GeoJSON or JSON Lines.
    Export(cmd::export::Args),
    /// Serve the JSON API and the web map over HTTP.
    Serve(cmd::serve::Args),
    /// Write a cited situation report (briefing) for a place or region.
    Brief(cmd::brief::Args),
    /// Put reports onto the NATS JetStream reports stream.
    Publish(cmd::queue::PublishArgs),
    /// Pull reports from NATS, extract their events and publish the results.
    Worker(cmd::queue::WorkerArgs),
    /// Store and fuse the workers' results from NATS into the database.
    FuseConsumer(cmd::queue::ConsumerArgs),
    /// Ingest new files as they appear in a folder.
    Watch(cmd::watch::Args),
}

fn main() -> ExitCode {
    restore_sigpipe();
    let cli = Cli::parse();
    match cmd::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// Die quietly when the reader of our output goes away (`sitrep docs | head`),
/// as Unix tools do, instead of panicking on a broken pipe. Rust ignores
/// SIGPIPE by default; this restores the default action.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called once at start-up, before any thread exists; SIG_DFL is
    // a valid disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

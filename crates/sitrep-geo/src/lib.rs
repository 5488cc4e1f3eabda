//! Who and where: actor knowledge base and GeoNames geoparser.
//!
//! * [`gazetteer`]: the compact GeoNames index (built by
//!   `scripts/build-gazetteer.sh`, shipped as `data/gazetteer.bin.lz4`).
//! * [`fold`]: the name folds both the index and the text go through.
//! * [`actors`]: the actor knowledge base (`data/actors.toml`) and matcher.
//! * [`parse`]: toponym detection, disambiguation and relative locations.

pub mod actors;
mod boundary;
pub mod fold;
mod fxhash;
pub mod gazetteer;
pub mod parse;

pub use actors::{ActorKb, KbError};
pub use gazetteer::Gazetteer;
pub use parse::{GeoParser, GeoparseOptions};

/// Errors from loading the gazetteer or the knowledge base.
#[derive(Debug, thiserror::Error)]
pub enum GeoError {
    #[error("{0}: {1}")]
    Io(String, #[source] std::io::Error),
    #[error("gazetteer index: {0}")]
    Index(String),
    #[error("data: {0}")]
    Data(String),
    #[error(transparent)]
    Kb(#[from] KbError),
}

/// Default location of the shipped data directory (`data/` at the
/// repository root), as seen from this crate.
pub fn default_data_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data"))
}

//! sitrep's interfaces over the store: export formats ([`formats`]: ACLED
//! CSV, GeoJSON, JSON Lines) and the HTTP API with the web map.
//!
//! This crate reads data only through `sitrep-store` and depends on no
//! stage crate: work that needs the pipeline (ingest, fusion-derived
//! views) is passed in by the caller.

pub mod countries;
pub mod formats;

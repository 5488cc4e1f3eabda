//! sitrep's interfaces over the store: export formats ([`formats`]: ACLED
//! CSV, GeoJSON, JSON Lines), the HTTP API ([`http`]) and the web map
//! ([`assets`]).
//!
//! This crate reads data only through `sitrep-store` and depends on no
//! stage crate: work that needs the pipeline (ingest, control timelines,
//! briefings) is passed in by the caller as [`http::Hooks`].

pub mod assets;
pub mod countries;
pub mod formats;
pub mod http;
pub mod limits;

pub use http::{BriefingQuery, Config, HookError, Hooks, RenderedBriefing, Running, ServerError};

/// The OpenAPI 3 description of the HTTP API (served at `/openapi.json`).
pub const OPENAPI_JSON: &str = include_str!("openapi.json");

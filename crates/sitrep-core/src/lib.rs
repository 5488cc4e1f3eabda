//! Domain types shared by every sitrep stage.
//!
//! This crate is deliberately small: plain data plus the few helpers that
//! every stage needs to agree on (byte spans, code point conversion, the
//! publication-date record, diagnostics). Stage crates depend on it and on
//! nothing else of sitrep's.

pub mod annotation;
pub mod date;
pub mod diagnostic;
pub mod document;
pub mod event;
pub mod fused;
pub mod place;
pub mod span;

pub use date::{DateOrigin, DatePrecision, PublishedDate};
pub use diagnostic::{Diagnostic, Severity};
pub use document::{
    Document, DocumentMeta, Language, OffsetMap, RemovalReason, Segment, SegmentKind, SourceFormat,
};
pub use span::{CharIndex, Span};

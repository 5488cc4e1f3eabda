//! Event extraction: reports in, ACLED-taxonomy events out.
//!
//! [`classify::SubtypeClassifier`] is a fast cue-based classifier that
//! decides which ACLED sub-event type (if any) a sentence or passage
//! reports. [`extract::Extractor`] runs it on every sentence of a document
//! and attaches actors, places, dates, figures, modality, attribution and
//! evidence from the annotation and geo stages' output, which it receives
//! as plain `sitrep-core` data (stage crates never depend on each other).

pub mod classify;
pub mod extract;
mod lexicon;

pub use classify::{Classification, NonEvent, SubtypeClassifier, Target};
pub use extract::{Extraction, Extractor};

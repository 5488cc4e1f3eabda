//! Event extraction: reports in, ACLED-taxonomy events out.
//!
//! The first layer is [`classify::SubtypeClassifier`], a fast cue-based
//! classifier that decides which ACLED sub-event type (if any) a passage
//! reports. It runs on every sentence; later layers attach actors, places,
//! dates and figures from the annotation and geo stages.

pub mod classify;
mod lexicon;

pub use classify::{Classification, NonEvent, SubtypeClassifier, Target};

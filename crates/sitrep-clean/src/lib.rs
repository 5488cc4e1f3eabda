//! Cleaning: HTML main content, boilerplate, repeated blocks, datelines,
//! language, near-duplicate signatures.

use sitrep_core::{Document, Segment, SegmentKind, Span};

/// Classifies a document's text into kept and removed segments. Build once,
/// use for every document.
#[derive(Debug, Default)]
pub struct Cleaner {}

impl Cleaner {
    pub fn new() -> Self {
        Cleaner {}
    }

    /// Fill `doc.segments` (and, for documents without a supplied date, try
    /// the dateline). Never panics; problems become diagnostics.
    pub fn clean(&self, doc: &mut Document) {
        doc.segments.clear();
        let mut pos = 0;
        for line in doc.text.split_inclusive('\n') {
            let trimmed = line.trim_end();
            let lead = trimmed.len() - trimmed.trim_start().len();
            if !trimmed.trim().is_empty() {
                doc.segments.push(Segment {
                    span: Span::new(pos + lead, pos + trimmed.len()),
                    kind: SegmentKind::Body,
                });
            }
            pos += line.len();
        }
    }
}

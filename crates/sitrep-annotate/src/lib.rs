//! Annotation: sentences, quantities, time expressions, attribution and
//! modality, each with its span.
//!
//! ```
//! use sitrep_annotate::Annotator;
//! let a = Annotator::new();
//! let text = "At least 48 fighters died on Friday, the Observatory said.";
//! let day = chrono::NaiveDate::from_ymd_opt(2018, 6, 12);
//! let ann = a.annotate_text(text, &[(0, text.len())], day, None);
//! assert_eq!(ann.timexes[0].value.as_deref(), Some("2018-06-08"));
//! assert_eq!(ann.quantities[0].value.low, Some(48.0));
//! ```
//!
//! Every span is a byte span into the text given; nothing here panics on
//! any input.

use chrono::NaiveDate;
use sitrep_core::annotation::{Annotations, Timex};
use sitrep_core::{DatePrecision, Document, Span};

mod attribution;
pub mod calendar;
pub mod eval;
mod modality;
pub mod number;
mod quantity;
mod sentence;
pub mod timex;
mod token;

pub use quantity::parse_quantity_str;
pub use timex::parse_date_str;

/// Errors of the annotation stage (only evaluation helpers can fail).
#[derive(Debug, thiserror::Error)]
pub enum AnnotateError {
    #[error("{0}")]
    Eval(String),
}

/// The annotator. Build once with [`Annotator::new`], use for every
/// document (it is `Sync`).
#[derive(Debug, Default, Clone)]
pub struct Annotator {}

impl Annotator {
    pub fn new() -> Self {
        Annotator {}
    }

    /// Annotate the kept segments of a cleaned document, resolving
    /// relative times against its publication date (when known to the day).
    pub fn annotate(&self, doc: &Document) -> Annotations {
        let ranges: Vec<(usize, usize)> = if doc.segments.is_empty() {
            vec![(0, doc.text.len())]
        } else {
            doc.kept_spans().map(|s| (s.start, s.end)).collect()
        };
        let dct = match doc.published.precision {
            DatePrecision::Day | DatePrecision::Minute => doc.published.date,
            _ => None,
        };
        let outlet = doc.outlet.as_deref().or(doc.meta.outlet.as_deref());
        self.annotate_text(&doc.text, &ranges, dct, outlet)
    }

    /// Annotate the byte ranges `ranges` of `text`. `published` anchors
    /// relative times; `outlet` is recorded as the reporter of attributions.
    pub fn annotate_text(
        &self,
        text: &str,
        ranges: &[(usize, usize)],
        published: Option<NaiveDate>,
        outlet: Option<&str>,
    ) -> Annotations {
        let ranges = sanitize(text, ranges);
        let sentences = sentence::split(text, &ranges);
        let toks = token::Tokens::new(text, &ranges);
        let (sent_tok, sent_start, sent_end) = sentence_tokens(&toks, &sentences);
        let mut diagnostics = Vec::new();
        let timexes = tag_timexes(&toks, published, &sent_start, &sent_end, &mut diagnostics);
        let blocked: Vec<Span> = timexes.iter().map(|t| t.span).collect();
        let quantities = quantity::find(&toks, &blocked, &sent_end);
        // token index -> index after the timex starting there
        let mut tx_end = vec![usize::MAX; toks.len()];
        for tx in &timexes {
            let s = toks.index_at(tx.span.start);
            let e = toks.index_at(tx.span.end);
            if let Some(slot) = tx_end.get_mut(s) {
                *slot = e;
            }
        }
        let timex_end = |i: usize| tx_end.get(i).copied().filter(|&e| e != usize::MAX);
        let attributions = attribution::find(&toks, &sent_tok, &timex_end, outlet);
        let modalities = modality::find(&toks, &sent_tok);
        Annotations {
            sentences,
            quantities,
            timexes,
            attributions,
            modalities,
            diagnostics,
        }
    }

    /// Only the time expressions of `text` (used by the MEANTIME evaluation).
    pub fn timexes(&self, text: &str, published: Option<NaiveDate>) -> Vec<Timex> {
        let ranges = [(0, text.len())];
        let sentences = sentence::split(text, &ranges);
        let toks = token::Tokens::new(text, &ranges);
        let (_, sent_start, sent_end) = sentence_tokens(&toks, &sentences);
        tag_timexes(&toks, published, &sent_start, &sent_end, &mut Vec::new())
    }
}

fn tag_timexes(
    toks: &token::Tokens,
    dct: Option<NaiveDate>,
    sent_start: &[usize],
    sent_end: &[usize],
    diagnostics: &mut Vec<sitrep_core::Diagnostic>,
) -> Vec<Timex> {
    let ctx = timex::Ctx {
        t: toks,
        dct,
        sent_start,
        sent_end,
    };
    timex::tag(&ctx, diagnostics)
}

/// Byte ranges of the non-empty lines of `text` (trailing space trimmed):
/// a stand-in for cleaning when annotating raw text.
pub fn line_ranges(text: &str) -> Vec<(usize, usize)> {
    let mut ranges = Vec::new();
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim_end();
        if !t.trim().is_empty() {
            ranges.push((pos, pos + t.len()));
        }
        pos += line.len();
    }
    ranges
}

/// Clamp ranges to the text and to character boundaries, in order.
fn sanitize(text: &str, ranges: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for &(s, e) in ranges {
        let mut s = s.min(text.len());
        let mut e = e.min(text.len());
        while s > 0 && !text.is_char_boundary(s) {
            s -= 1;
        }
        while e < text.len() && !text.is_char_boundary(e) {
            e += 1;
        }
        if let Some(&(_, pe)) = out.last() {
            s = s.max(pe);
        }
        if s < e {
            out.push((s, e));
        }
    }
    out
}

/// Token ranges of sentences, and for each token its sentence's range.
type SentTokens = (Vec<(usize, usize)>, Vec<usize>, Vec<usize>);

fn sentence_tokens(t: &token::Tokens, sents: &[sitrep_core::annotation::Sentence]) -> SentTokens {
    let mut ranges = Vec::with_capacity(sents.len());
    let mut start = vec![0; t.len()];
    let mut end = vec![t.len(); t.len()];
    for s in sents {
        let a = t.index_at(s.span.start);
        let b = t.index_at(s.span.end);
        ranges.push((a, b));
        for i in a..b.min(t.len()) {
            start[i] = a;
            end[i] = b;
        }
    }
    (ranges, start, end)
}

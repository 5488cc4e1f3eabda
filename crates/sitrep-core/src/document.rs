//! Documents as they move through intake and cleaning.

use serde::{Deserialize, Serialize};

use crate::{Diagnostic, PublishedDate, Span};

/// The format a document arrived in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceFormat {
    Text,
    Html,
}

impl SourceFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceFormat::Text => "text",
            SourceFormat::Html => "html",
        }
    }
}

/// Does this look like HTML? Checks the first 2 KiB for `<html`,
/// `<!doctype html`, `<head`, `<body` or at least five tags.
pub fn looks_like_html(head: &[u8]) -> bool {
    let head = &head[..head.len().min(2048)];
    let lower: Vec<u8> = head.iter().map(|b| b.to_ascii_lowercase()).collect();
    let has = |needle: &[u8]| lower.windows(needle.len()).any(|w| w == needle);
    if has(b"<!doctype html") || has(b"<html") || has(b"<head") || has(b"<body") {
        return true;
    }
    let mut tags = 0;
    for w in lower.windows(2) {
        if w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/') {
            tags += 1;
        }
    }
    tags >= 5
}

/// Metadata supplied with a document: a JSON Lines record, a sidecar
/// `meta.jsonl` line, or command-line flags. Every field is optional; fields
/// sitrep does not know are kept verbatim in `extra`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DocumentMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outlet: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The publication date as given (unparsed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(default, flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Detected language of a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Language {
    /// ISO 639-3 code (`eng`, `ara`, ...) or `und` when undetermined.
    pub code: String,
    pub confidence: f64,
}

impl Language {
    pub fn is_english(&self) -> bool {
        self.code == "eng"
    }
}

/// Maps byte offsets in a document's `text` back to byte offsets in its
/// `source` (the bytes as they arrived, decoded).
///
/// For plain text the two are the same and the map is empty. For HTML the
/// text is the visible text of the page and each anchor `(text, source)`
/// starts a run that was copied verbatim; decoded entities and collapsed
/// markup start new anchors.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffsetMap {
    pub anchors: Vec<(usize, usize)>,
}

impl OffsetMap {
    pub fn identity() -> Self {
        OffsetMap::default()
    }

    pub fn is_identity(&self) -> bool {
        self.anchors.is_empty()
    }

    /// Source byte offset of text byte offset `text_off`.
    pub fn to_source(&self, text_off: usize) -> usize {
        if self.anchors.is_empty() {
            return text_off;
        }
        let i = self.anchors.partition_point(|&(t, _)| t <= text_off);
        if i == 0 {
            return self.anchors[0].1;
        }
        let (t, s) = self.anchors[i - 1];
        s + (text_off - t)
    }

    pub fn span_to_source(&self, span: Span) -> Span {
        let start = self.to_source(span.start);
        let end = if span.is_empty() {
            start
        } else {
            self.to_source(span.end - 1) + 1
        };
        Span::new(start, end.max(start))
    }
}

/// Why cleaning dropped a stretch of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RemovalReason {
    /// Comment policies, comment forms and everything after a comments header.
    Comments,
    /// Share, font-size and print widgets.
    Widget,
    /// Tag lists.
    Tags,
    /// Site navigation, section labels, "back to top".
    Navigation,
    /// Related-article lists and dated headline lists.
    RelatedLinks,
    /// Copyright, "all rights reserved", "maintained by" footers.
    Footer,
    /// A bare outlet name or byline line.
    Byline,
    /// Image captions and credits.
    Caption,
    /// A block already seen earlier in the same document.
    Repeated,
    /// Markup that carries no reader-visible text (scripts, styles).
    Markup,
}

impl RemovalReason {
    pub fn as_str(self) -> &'static str {
        match self {
            RemovalReason::Comments => "comments",
            RemovalReason::Widget => "widget",
            RemovalReason::Tags => "tags",
            RemovalReason::Navigation => "navigation",
            RemovalReason::RelatedLinks => "related-links",
            RemovalReason::Footer => "footer",
            RemovalReason::Byline => "byline",
            RemovalReason::Caption => "caption",
            RemovalReason::Repeated => "repeated",
            RemovalReason::Markup => "markup",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        use RemovalReason::*;
        [
            Comments,
            Widget,
            Tags,
            Navigation,
            RelatedLinks,
            Footer,
            Byline,
            Caption,
            Repeated,
            Markup,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// What a segment of the text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "reason")]
pub enum SegmentKind {
    /// The headline.
    Title,
    /// A dateline or date line that carries the publication date.
    Dateline,
    /// Report text.
    Body,
    /// Dropped by cleaning, with the reason.
    Removed(RemovalReason),
}

impl SegmentKind {
    pub fn is_kept(self) -> bool {
        !matches!(self, SegmentKind::Removed(_))
    }
}

/// A stretch of a document's text with its classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    pub span: Span,
    #[serde(flatten)]
    pub kind: SegmentKind,
}

/// A document after intake (and, once `segments` is filled, after cleaning).
///
/// Architecture invariant: `text` is fixed at intake and never rewritten
/// afterwards. For plain text it is `source` itself (`text_map` is the
/// identity); for HTML (`format == Html`) intake keeps the page in `source`
/// and puts its reader-visible text in `text` (block boundaries as newlines,
/// entities decoded), with `text_map` anchors leading back to `source`.
/// Cleaning only classifies spans of `text`, so every later offset is an
/// offset into `text`, and `text_map` leads from there to `source`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Document {
    /// Stable key: the record's `id`, else the file name without extension.
    pub key: String,
    /// Where it was read from: a path, `path:LINE` for JSON Lines, or `-`.
    pub origin: String,
    pub format: SourceFormat,
    /// The original content, decoded as UTF-8 (lossily where it was invalid).
    pub source: String,
    /// The reader-visible text: `source` itself for plain text, the page's
    /// text for HTML.
    pub text: String,
    pub text_map: OffsetMap,
    pub meta: DocumentMeta,
    pub published: PublishedDate,
    pub outlet: Option<String>,
    pub language: Option<Language>,
    /// Classified spans of `text`, in order and non-overlapping.
    pub segments: Vec<Segment>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Document {
    /// A document straight from intake: its text is its source, nothing
    /// is classified yet.
    pub fn from_text(key: String, origin: String, source: String, meta: DocumentMeta) -> Self {
        Document {
            key,
            origin,
            format: SourceFormat::Text,
            text: source.clone(),
            source,
            text_map: OffsetMap::identity(),
            meta,
            published: PublishedDate::unknown(),
            outlet: None,
            language: None,
            segments: Vec::new(),
            diagnostics: Vec::new(),
        }
    }

    /// A document whose reader-visible `text` differs from its `source`
    /// (HTML), with the map from one to the other.
    #[allow(clippy::too_many_arguments)]
    pub fn from_parts(
        key: String,
        origin: String,
        format: SourceFormat,
        source: String,
        text: String,
        text_map: OffsetMap,
        meta: DocumentMeta,
    ) -> Self {
        Document {
            key,
            origin,
            format,
            source,
            text,
            text_map,
            meta,
            published: PublishedDate::unknown(),
            outlet: None,
            language: None,
            segments: Vec::new(),
            diagnostics: Vec::new(),
        }
    }

    /// Spans of `text` that cleaning kept, in order.
    pub fn kept_spans(&self) -> impl Iterator<Item = Span> + '_ {
        self.segments
            .iter()
            .filter(|s| s.kind.is_kept())
            .map(|s| s.span)
    }

    /// The kept text, one segment per line. For display only: offsets into
    /// this string are not document offsets.
    pub fn clean_text(&self) -> String {
        let mut out = String::new();
        for span in self.kept_spans() {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(span.slice(&self.text));
        }
        out
    }

    /// Number of words in the kept text.
    pub fn word_count(&self) -> usize {
        self.kept_spans()
            .map(|s| s.slice(&self.text).split_whitespace().count())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_map_identity_and_anchors() {
        let m = OffsetMap::identity();
        assert_eq!(m.to_source(7), 7);
        // text "a&b" from source "<p>a&amp;b</p>"
        let m = OffsetMap {
            anchors: vec![(0, 3), (1, 4), (2, 9)],
        };
        assert_eq!(m.to_source(0), 3);
        assert_eq!(m.to_source(1), 4);
        assert_eq!(m.to_source(2), 9);
        assert_eq!(m.span_to_source(Span::new(0, 3)), Span::new(3, 10));
    }

    #[test]
    fn removal_reason_round_trip() {
        for r in [RemovalReason::Comments, RemovalReason::RelatedLinks] {
            assert_eq!(RemovalReason::parse(r.as_str()), Some(r));
        }
    }
}

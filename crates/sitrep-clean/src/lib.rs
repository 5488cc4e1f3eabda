//! Cleaning: HTML main content, boilerplate, repeated blocks, datelines,
//! language, near-duplicate signatures.
//!
//! ```
//! use sitrep_core::{Document, DocumentMeta};
//! let cleaner = sitrep_clean::Cleaner::new(); // build once, share (it is Sync)
//! let mut doc = Document::from_text("k".into(), "-".into(),
//!     "Storm hits coast\n\n09-11-2017\nHeavy rain flooded the coastal districts on Monday, officials said.\nComments\nNice one\n".into(),
//!     DocumentMeta::default());
//! cleaner.clean(&mut doc);
//! assert_eq!(doc.clean_text(), "Storm hits coast\n09-11-2017\nHeavy rain flooded the coastal districts on Monday, officials said.");
//! assert_eq!(doc.published.display(), "2017-11-09");
//! let sig = sitrep_clean::signature(&doc);
//! assert_eq!(sig.bands().len(), sitrep_clean::dedup::BANDS);
//! ```
//!
//! The rules are described in `docs/cleaning.md`. In short: every non-blank
//! line (for HTML: every block of the visible text) becomes one [`Segment`]
//! (a line that starts with a dateline becomes two); the text is never
//! rewritten.

pub mod dateline;
pub mod dedup;
pub mod eval;
pub mod html;

use std::collections::HashSet;

use regex::Regex;
use sitrep_core::{
    date::weekday_from_name, DateOrigin, DatePrecision, Diagnostic, Document, Language,
    PublishedDate, RemovalReason, Segment, SegmentKind, SourceFormat, Span,
};

pub use dedup::{signature, Signature, DUPLICATE_THRESHOLD};

use html::hint;

/// Classifies a document's text into kept and removed segments. Build once
/// (it compiles its patterns), use for every document; it is `Send + Sync`.
#[derive(Debug)]
pub struct Cleaner {
    dates: dateline::DatelineParser,
    comment_headers: HashSet<&'static str>,
    widgets: HashSet<&'static str>,
    navigation: HashSet<&'static str>,
    related_headers: HashSet<&'static str>,
    comment_count: Regex,
    comment_cut_prefix: Vec<&'static str>,
    social_only: Regex,
    tags: Regex,
    related_prefix: Regex,
    dated_list: Regex,
    byline: Regex,
    caption: Regex,
}

impl Default for Cleaner {
    fn default() -> Self {
        Self::new()
    }
}

fn re(p: &str) -> Regex {
    Regex::new(p).unwrap_or_else(|e| panic!("built-in pattern {p}: {e}"))
}

/// Lowercase alphanumeric words joined by single spaces.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else {
                out.extend(c.to_lowercase());
            }
        } else {
            space = true;
        }
    }
    out
}

fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in s.as_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Does the line end like a sentence (`.`, `!`, `?`, `…`, possibly followed
/// by closing quotes or brackets)?
fn ends_sentence(s: &str) -> bool {
    let t = s.trim_end_matches(['"', '\'', '”', '’', ')', ']', '»', ' ']);
    t.ends_with(['.', '!', '?', '…'])
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    None,
    CommentCut,
    RelatedCut,
    RelatedHeader,
}

#[derive(Debug, Clone, Copy)]
struct Line {
    span: Span,
    words: usize,
    hints: u32,
    link_bytes: usize,
}

impl Line {
    fn body_like(&self, text: &str) -> bool {
        let s = self.span.slice(text);
        if self.hints & hint::NEGATIVE != 0 || self.link_bytes * 2 > self.span.len() {
            return false;
        }
        self.words >= 20 || (self.words >= 6 && ends_sentence(s))
    }
    fn heading_like(&self, text: &str) -> bool {
        (1..=30).contains(&self.words) && !ends_sentence(self.span.slice(text))
    }
}

fn count_words(s: &str) -> usize {
    s.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

impl Cleaner {
    pub fn new() -> Self {
        let set = |v: &[&'static str]| v.iter().copied().collect::<HashSet<_>>();
        Cleaner {
            dates: dateline::DatelineParser::new(),
            comment_headers: set(&[
                "comments",
                "comment",
                "leave a reply",
                "leave a comment",
                "post a comment",
                "add a comment",
                "add comment",
                "write a comment",
                "post comment",
                "submit comment",
                "join the discussion",
                "join the conversation",
                "comments are closed",
                "reader comments",
                "show comments",
                "view comments",
                "load comments",
                "have your say",
                "leave your comment",
                "your comment",
                "comment policy",
                "comments policy",
                "required",
                "cancel reply",
            ]),
            comment_cut_prefix: vec![
                "your email address will not be published",
                "you must be logged in to post a comment",
                "this site uses akismet",
                "notify me of follow up comments",
                "save my name email and website",
            ],
            comment_count: re(r"^(?:\d+ comments?|comments? \d+)$"),
            widgets: set(&[
                "a a",
                "a a a",
                "font size",
                "text size",
                "share",
                "share this",
                "share this article",
                "share this story",
                "share this post",
                "share on facebook",
                "share on twitter",
                "tweet",
                "print",
                "email",
                "print this article",
                "advertisement",
                "advertisements",
                "sponsored",
                "sponsored content",
                "listen to this article",
                "subscribe",
                "sign up",
                "accept",
                "accept all",
                "accept cookies",
                "reject all",
                "i agree",
                "got it",
                "ok",
                "manage preferences",
                "cookie settings",
                "copy link",
                "follow us",
                "shares",
                "views",
            ]),
            social_only: re(
                r"^(?:(?:facebook|twitter|whatsapp|telegram|linkedin|pinterest|reddit|email|e mail|print|share|tweet|copy|link|messenger|google|vk|x|mail|sms)\s*)+$",
            ),
            navigation: set(&[
                "back to top",
                "back to top button",
                "skip to content",
                "skip to main content",
                "home",
                "menu",
                "search",
                "close",
                "open menu",
                "main menu",
                "next article",
                "previous article",
                "next post",
                "previous post",
                "next",
                "previous",
                "load more",
                "more",
                "sections",
                "latest news",
                "breaking news",
                "top stories",
                "go to top",
                "scroll to top",
                "loading",
                "login",
                "log in",
                "register",
                "sign in",
            ]),
            related_headers: set(&[
                "related articles",
                "related posts",
                "related",
                "related news",
                "related stories",
                "related content",
                "related coverage",
                "you may also like",
                "you might also like",
                "recommended",
                "recommended for you",
                "most read",
                "most popular",
                "more stories",
                "more news",
                "read more",
                "see also",
                "also read",
                "read also",
                "trending",
                "trending now",
                "popular",
                "latest",
                "editor s picks",
                "don t miss",
                "what to read next",
                "further reading",
                "more on this story",
            ]),
            tags: re(
                r"(?i)^(?:tags?|topics?|keywords|filed under|related topics|categories|category)\s*[:：]",
            ),
            related_prefix: re(
                r"(?i)^(?:read more|also read|read also|related|see also|more|watch|recommended)\s*[:：»>|-]\s*\S",
            ),
            dated_list: re(r"GMT\s+\d{1,2}:\d{2}\s+\d{4}\s+[A-Za-z]+\s*,\s*\d{1,2}\s+[A-Za-z]+"),
            byline: re(
                r"^(?:\(?\s*(?i:reporting|writing|editing|additional reporting|compiled|edited|written)\s+by\b|By\s+\p{Lu}[\w.'’-]*(?:\s+(?:\p{Lu}[\w.'’-]*|and|&|de|al|el|bin)){0,5}\s*$)",
            ),
            caption: re(
                r"(?i)^\(?\s*(?:photo|image|picture|file photo|photograph|video)(?:\s+credit)?\s*[:/|]",
            ),
        }
    }

    /// Boilerplate rules that look at one line alone.
    fn line_rule(&self, s: &str, norm: &str, words: usize) -> Option<(RemovalReason, Marker)> {
        use RemovalReason::*;
        if self.comment_headers.contains(norm) || self.comment_count.is_match(norm) {
            return Some((Comments, Marker::CommentCut));
        }
        if self.comment_cut_prefix.iter().any(|p| norm.starts_with(p)) {
            return Some((Comments, Marker::CommentCut));
        }
        if self.dated_list.is_match(s) {
            return Some((RelatedLinks, Marker::RelatedCut));
        }
        if words <= 40
            && (s.contains('©')
                || norm.contains("all rights reserved")
                || norm.starts_with("copyright")
                || norm.contains("maintained and developed by")
                || norm.starts_with("powered by")
                || norm.starts_with("designed and developed by")
                || (norm.contains("privacy policy") && norm.contains("terms")))
        {
            return Some((Footer, Marker::None));
        }
        if self.related_headers.contains(norm) {
            return Some((RelatedLinks, Marker::RelatedHeader));
        }
        if self.navigation.contains(norm) {
            return Some((Navigation, Marker::None));
        }
        if self.widgets.contains(norm) || (words <= 12 && self.social_only.is_match(norm)) {
            return Some((Widget, Marker::None));
        }
        if words <= 80
            && norm.contains("cookie")
            && (norm.contains("we use")
                || norm.contains("this site uses")
                || norm.contains("this website uses")
                || norm.contains("accept")
                || norm.contains("consent")
                || norm.contains("by continuing"))
        {
            return Some((Widget, Marker::None));
        }
        if words <= 30
            && (norm.starts_with("sign up for our")
                || norm.starts_with("subscribe to our")
                || norm.starts_with("follow us on")
                || norm.starts_with("click to share"))
        {
            return Some((Widget, Marker::None));
        }
        if words <= 60 && self.tags.is_match(s) {
            return Some((Tags, Marker::None));
        }
        if words <= 30 && self.related_prefix.is_match(s) {
            return Some((RelatedLinks, Marker::None));
        }
        if words <= 12 && self.byline.is_match(s) {
            return Some((Byline, Marker::None));
        }
        if words <= 40 && self.caption.is_match(s) {
            return Some((Caption, Marker::None));
        }
        None
    }

    /// Fill `doc.segments`, and for documents without a supplied date try
    /// the dateline; detect the language. For HTML documents whose `text`
    /// was not extracted at intake (`text == source`), extract it first.
    /// Calling it twice gives the same result. Never panics; problems become
    /// diagnostics.
    pub fn clean(&self, doc: &mut Document) {
        doc.segments.clear();
        doc.diagnostics
            .retain(|d| !d.code.starts_with("clean.") && !d.code.starts_with("date.dateline"));
        if matches!(
            doc.published.origin,
            DateOrigin::Dateline | DateOrigin::Crawl
        ) {
            doc.published = PublishedDate::unknown();
        }
        let lines = self.lines(doc);
        let kinds = self.classify(doc, &lines);
        self.emit(doc, &lines, &kinds);
        doc.language = Some(detect_language(doc));
    }

    fn lines(&self, doc: &mut Document) -> Vec<Line> {
        if doc.format == SourceFormat::Html {
            let x = html::extract(&doc.source);
            if x.text != doc.text {
                if doc.text == doc.source {
                    prepare_html(doc, x);
                    return self.lines(doc);
                }
                doc.diagnostics.push(Diagnostic::warning(
                    "clean.html-text-mismatch",
                    "the HTML document's text is not the page's extracted text; cleaned as plain text (re-ingest the file)",
                ));
            } else {
                return x
                    .blocks
                    .iter()
                    .map(|b| Line {
                        span: b.span,
                        words: count_words(b.span.slice(&doc.text)),
                        hints: b.hints,
                        link_bytes: b.link_bytes,
                    })
                    .collect();
            }
        }
        let text = &doc.text;
        let mut out = Vec::new();
        let mut pos = 0;
        for line in text.split('\n') {
            let t = line.trim();
            if !t.is_empty() {
                let lead = line.len() - line.trim_start().len();
                let start = pos + lead;
                out.push(Line {
                    span: Span::new(start, start + t.len()),
                    words: count_words(t),
                    hints: 0,
                    link_bytes: 0,
                });
            }
            pos += line.len() + 1;
        }
        out
    }

    fn classify(&self, doc: &mut Document, lines: &[Line]) -> Vec<SegmentKind> {
        use RemovalReason::*;
        let text = doc.text.as_str();
        let n = lines.len();
        let mut kinds: Vec<Option<SegmentKind>> = vec![None; n];
        let mut markers = vec![Marker::None; n];
        let norms: Vec<String> = lines
            .iter()
            .map(|l| normalize(l.span.slice(text)))
            .collect();

        // 1. Markup hints (HTML only).
        let article_words: usize = lines
            .iter()
            .filter(|l| l.hints & hint::ARTICLE != 0 && l.hints & hint::NEGATIVE == 0)
            .map(|l| l.words)
            .sum();
        // A page without <h1> may carry its headline just before the
        // article container: keep that line in play.
        let mut headline_outside = None;
        if article_words >= 50 && !lines.iter().any(|l| l.hints & hint::H1 != 0) {
            if let Some(fa) = lines.iter().position(|l| l.hints & hint::ARTICLE != 0) {
                headline_outside = (0..fa).rev().find(|&k| {
                    let l = &lines[k];
                    self.dates.parse(l.span.slice(text)).is_none()
                });
                headline_outside = headline_outside.filter(|&k| {
                    let l = &lines[k];
                    l.heading_like(text)
                        && l.words >= 3
                        && l.link_bytes == 0
                        && l.hints & hint::NEGATIVE == 0
                });
            }
        }
        for (i, l) in lines.iter().enumerate() {
            let h = l.hints;
            let reason = if h & hint::COMMENT != 0 {
                Some(Comments)
            } else if h & (hint::SHARE | hint::COOKIE | hint::AD | hint::FORM) != 0 {
                Some(Widget)
            } else if h & hint::TAGS != 0 {
                Some(Tags)
            } else if h & (hint::RELATED | hint::ASIDE) != 0 {
                Some(RelatedLinks)
            } else if h & hint::FOOTER != 0 {
                Some(Footer)
            } else if h & hint::NAV != 0 && h & hint::H1 == 0 {
                Some(Navigation)
            } else if h & hint::CAPTION != 0 {
                Some(Caption)
            } else if l.link_bytes * 2 > l.span.len() && l.words < 40 {
                Some(if h & hint::LIST != 0 {
                    RelatedLinks
                } else {
                    Navigation
                })
            } else if article_words >= 50
                && headline_outside != Some(i)
                && h & (hint::ARTICLE | hint::H1 | hint::TIME) == 0
                && self.dates.parse(l.span.slice(text)).is_none()
            {
                Some(Navigation)
            } else {
                None
            };
            if let Some(r) = reason {
                kinds[i] = Some(SegmentKind::Removed(r));
            }
        }

        // 2. One-line rules.
        for (i, l) in lines.iter().enumerate() {
            let s = l.span.slice(text);
            if let Some((r, m)) = self.line_rule(s, &norms[i], l.words) {
                markers[i] = m;
                if kinds[i].is_none() {
                    kinds[i] = Some(SegmentKind::Removed(r));
                }
            }
        }

        // 3. Zones: header (before the first body paragraph), body, tail.
        let body_like: Vec<bool> = lines
            .iter()
            .zip(&kinds)
            .map(|(l, k)| k.is_none() && l.body_like(text))
            .collect();
        let first_body = body_like.iter().position(|&b| b);
        let Some(first_body) = first_body else {
            // No paragraph at all: keep whatever no rule removed.
            return kinds
                .into_iter()
                .enumerate()
                .map(|(i, k)| {
                    k.unwrap_or_else(|| {
                        if i == 0 && lines[0].heading_like(text) && n > 1 {
                            SegmentKind::Title
                        } else {
                            SegmentKind::Body
                        }
                    })
                })
                .collect();
        };
        // Comment sections and dated headline lists end the report.
        let mut end = n;
        for i in first_body + 1..n {
            match markers[i] {
                Marker::CommentCut => {
                    for k in &mut kinds[i..] {
                        if !matches!(k, Some(SegmentKind::Removed(Footer))) {
                            *k = Some(SegmentKind::Removed(Comments));
                        }
                    }
                    end = i;
                    break;
                }
                Marker::RelatedCut => {
                    for k in &mut kinds[i..] {
                        if !matches!(k, Some(SegmentKind::Removed(Footer | Comments))) {
                            *k = Some(SegmentKind::Removed(RelatedLinks));
                        }
                    }
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        let last_body = (first_body..end)
            .rev()
            .find(|&i| body_like[i])
            .unwrap_or(first_body);

        // Header zone.
        let meta_title = doc.meta.title.as_deref().map(normalize);
        let outlet_norm: Vec<String> = [doc.outlet.as_deref(), doc.meta.outlet.as_deref()]
            .into_iter()
            .flatten()
            .map(normalize)
            .filter(|s| !s.is_empty())
            .collect();
        let mut have_title = false;
        let mut first_line = true;
        for i in 0..first_body {
            if kinds[i].is_some() {
                first_line = false;
                continue;
            }
            let l = &lines[i];
            let s = l.span.slice(text);
            let near_top = i < 12 && l.span.start < 3000;
            if near_top {
                if let Some(m) = self.dates.parse(s) {
                    if m.whole_line {
                        kinds[i] = Some(SegmentKind::Dateline);
                        self.note_dateline(
                            &mut doc.published,
                            &mut doc.diagnostics,
                            text,
                            l.span,
                            &m,
                        );
                        first_line = false;
                        continue;
                    }
                }
            }
            let is_meta_title = meta_title
                .as_deref()
                .is_some_and(|t| !t.is_empty() && t == norms[i]);
            if !have_title
                && (is_meta_title
                    || l.hints & hint::H1 != 0
                    || (l.heading_like(text) && l.words >= 3))
            {
                kinds[i] = Some(SegmentKind::Title);
                have_title = true;
            } else if outlet_norm.iter().any(|o| *o == norms[i]) {
                kinds[i] = Some(SegmentKind::Removed(Byline));
            } else if l.words <= 4 && !ends_sentence(s) {
                kinds[i] = Some(SegmentKind::Removed(Navigation));
            } else if l.words < 6 && ends_sentence(s) && !first_line {
                kinds[i] = Some(SegmentKind::Removed(Caption));
            } else {
                kinds[i] = Some(SegmentKind::Body);
            }
            first_line = false;
        }

        // Body and tail.
        let mut in_related = false;
        for i in first_body..n {
            if markers[i] == Marker::RelatedHeader {
                in_related = true;
            }
            if body_like[i] {
                in_related = false;
            }
            if kinds[i].is_some() {
                continue;
            }
            let l = &lines[i];
            let s = l.span.slice(text);
            kinds[i] = Some(if in_related && l.heading_like(text) {
                SegmentKind::Removed(RelatedLinks)
            } else if i <= last_body || (l.words >= 3 && ends_sentence(s)) {
                SegmentKind::Body
            } else if l.heading_like(text) && l.words >= 3 {
                SegmentKind::Removed(RelatedLinks)
            } else {
                SegmentKind::Removed(Navigation)
            });
        }

        // 4. Repeated blocks: the second copy of a paragraph goes.
        let mut seen: HashSet<u64> = HashSet::new();
        let mut kinds: Vec<SegmentKind> = kinds
            .into_iter()
            .map(|k| k.unwrap_or(SegmentKind::Body))
            .collect();
        for i in 0..n {
            if !matches!(kinds[i], SegmentKind::Body | SegmentKind::Title) {
                continue;
            }
            if lines[i].words < 5 && kinds[i] == SegmentKind::Body {
                continue;
            }
            if !seen.insert(fnv(&norms[i])) && kinds[i] == SegmentKind::Body {
                kinds[i] = SegmentKind::Removed(Repeated);
            }
        }
        kinds
    }

    fn note_dateline(
        &self,
        published: &mut PublishedDate,
        diagnostics: &mut Vec<Diagnostic>,
        text: &str,
        span: Span,
        m: &dateline::DateMatch,
    ) {
        if published.is_known() || published.origin == DateOrigin::Dateline {
            return;
        }
        let dspan = Span::new(span.start, span.start + m.len.min(span.len()));
        let dtext = dspan.slice(text).trim().to_string();
        *published = PublishedDate {
            date: Some(m.date),
            precision: m.precision,
            origin: DateOrigin::Dateline,
            ambiguous: m.ambiguous,
            text: Some(dtext.clone()),
            span: Some(dspan),
        };
        if m.ambiguous {
            diagnostics.push(
                Diagnostic::warning(
                    "date.dateline-ambiguous",
                    format!(
                        "dateline `{dtext}` could be day-month or month-day; read day first as {}; give --published to settle it",
                        m.date
                    ),
                )
                .with_span(dspan),
            );
        }
    }

    fn emit(&self, doc: &mut Document, lines: &[Line], kinds: &[SegmentKind]) {
        let mut segs = Vec::with_capacity(lines.len() + 1);
        for (i, (l, &k)) in lines.iter().zip(kinds).enumerate() {
            // A dateline at the very start of the text ("Wed 05 Apr 2017
            // Damascus, ...") becomes its own segment.
            if i == 0 && k == SegmentKind::Body {
                let s = l.span.slice(&doc.text);
                if let Some(m) = self.dates.parse(s) {
                    let first_word = s
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .trim_end_matches(',');
                    // A full date (day, month and year) opening the text is a
                    // dateline too ("September 12 2013 Obama says ...").
                    let strong = weekday_from_name(first_word).is_some()
                        || m.precision == DatePrecision::Minute
                        || m.precision == DatePrecision::Day
                        || s.as_bytes().first().is_some_and(u8::is_ascii_digit);
                    if !m.whole_line
                        && strong
                        && m.precision != DatePrecision::Month
                        && s.is_char_boundary(m.len)
                    {
                        let rest = s.get(m.len..).unwrap_or("");
                        let skip = rest.len()
                            - rest
                                .trim_start_matches(|c: char| {
                                    c.is_whitespace()
                                        || matches!(c, '-' | '–' | '—' | '|' | ',' | ':')
                                })
                                .len();
                        let body_start = l.span.start + m.len + skip;
                        if body_start < l.span.end {
                            let dspan = Span::new(l.span.start, l.span.start + m.len);
                            self.note_dateline(
                                &mut doc.published,
                                &mut doc.diagnostics,
                                &doc.text,
                                dspan,
                                &m,
                            );
                            segs.push(Segment {
                                span: dspan,
                                kind: SegmentKind::Dateline,
                            });
                            segs.push(Segment {
                                span: Span::new(body_start, l.span.end),
                                kind: k,
                            });
                            continue;
                        }
                    }
                }
            }
            segs.push(Segment {
                span: l.span,
                kind: k,
            });
        }
        doc.segments = segs;
        if !doc.published.is_known() && doc.published.origin != DateOrigin::Dateline {
            // Scraped headers often run title, outlet and date together.
            if let Some(first) = doc.segments.iter().find(|s| s.kind.is_kept()) {
                let head = first.span.slice(&doc.text);
                if let Some((at, m)) = self.dates.find_in_header(head) {
                    let span = Span::new(first.span.start + at, first.span.start + at + m.len);
                    self.note_dateline(
                        &mut doc.published,
                        &mut doc.diagnostics,
                        &doc.text,
                        span,
                        &m,
                    );
                }
            }
        }
        if !doc.published.is_known() {
            crawl_date(doc);
        }
        if !doc.published.is_known() {
            doc.diagnostics.push(Diagnostic::info(
                "clean.date-unknown",
                "no publication date in metadata or dateline; it stays unknown (give --published or a meta.jsonl sidecar)",
            ));
        }
    }
}

/// The last resort: when the page was fetched (`meta.extra.crawled`, set
/// from a WARC record's `WARC-Date` or a record's `crawled` field), at day
/// precision and with origin `crawl`. Publication is on or before that day.
fn crawl_date(doc: &mut Document) {
    let Some(c) = doc.meta.extra.get("crawled").and_then(|v| v.as_str()) else {
        return;
    };
    match PublishedDate::parse_supplied(c, DateOrigin::Crawl) {
        Some(mut d) => {
            if d.precision == DatePrecision::Minute {
                d.precision = DatePrecision::Day;
            }
            doc.published = d;
            doc.diagnostics.push(Diagnostic::info(
                "clean.date-crawl",
                format!("no publication date in metadata, markup or dateline; using the crawl date `{c}` (the page was published on or before it)"),
            ));
        }
        None => doc.diagnostics.push(Diagnostic::warning(
            "clean.crawl-date",
            format!("crawl date `{c}` is not an ISO date or timestamp; ignored"),
        )),
    }
}

/// Install the extracted text of an HTML page into `doc` (intake calls
/// this; see [`html_document`]): `format = Html`, `text`/`text_map` from the
/// page, `meta.title` from `og:title`/`<h1>`/`<title>` and the publication
/// date from `<meta>`/`<time>` when metadata gave none.
pub fn prepare_html(doc: &mut Document, x: html::HtmlText) {
    doc.format = SourceFormat::Html;
    if doc.meta.title.is_none() {
        doc.meta.title = x.best_title().map(str::to_string);
    }
    if !doc.published.is_known() {
        if let Some(p) = x.best_published() {
            match PublishedDate::parse_supplied(p, DateOrigin::Markup) {
                Some(d) => doc.published = d,
                None => doc.diagnostics.push(Diagnostic::warning(
                    "read.markup-date",
                    format!("page states publication time `{p}` in a form sitrep does not read; ignored"),
                )),
            }
        }
    }
    doc.text = x.text;
    doc.text_map = x.map;
}

/// Build a `Document` from an HTML page: source kept in `source`, visible
/// text in `text` (see [`prepare_html`]).
pub fn html_document(
    key: String,
    origin: String,
    source: String,
    meta: sitrep_core::DocumentMeta,
) -> Document {
    let x = html::extract(&source);
    let mut doc = Document::from_parts(
        key,
        origin,
        SourceFormat::Html,
        source,
        String::new(),
        Default::default(),
        meta,
    );
    prepare_html(&mut doc, x);
    doc
}

/// Cheap check for plain English before asking whatlang (which costs
/// ~0.6 M instructions, about 100 µs, per call): at least 20 words, no
/// letters outside ASCII, at least one word in twenty an English function
/// word that is not also a word of another Latin-script language ("the",
/// "and", "which"; not "of", "was", "is", "at", "to", "for", which Dutch,
/// German, Danish, Tagalog or Polish use too), and at most half as many
/// function words of those other languages ("de", "la", "und", "het",
/// "que", "ang"...). Ordinary news English passes (267 of the 268 FA-KES
/// articles; a quarter of all words was asked before, which only 60
/// passed), so whatlang runs on other text only. Such a document gets
/// `eng` with confidence 1.0.
fn english_fast_path(sample: &str) -> Option<Language> {
    const ENGLISH: [&str; 24] = [
        "the", "and", "that", "with", "said", "were", "which", "from", "been", "who", "after",
        "have", "has", "its", "are", "this", "they", "their", "would", "will", "than", "into",
        "could", "there",
    ];
    const OTHER: [&str; 58] = [
        "de", "la", "le", "les", "des", "et", "est", "une", "du", "en", "los", "las", "y", "que",
        "por", "con", "para", "del", "der", "die", "das", "und", "ist", "nicht", "mit", "den",
        "von", "zu", "il", "di", "che", "per", "non", "het", "een", "van", "op", "och", "att",
        "og", "er", "ikke", "na", "za", "se", "je", "dan", "yang", "ang", "ng", "sa", "da", "do",
        "dos", "em", "um", "uma", "ne",
    ];
    if !sample.is_ascii() && sample.chars().any(|c| !c.is_ascii() && c.is_alphabetic()) {
        return None;
    }
    let mut words = 0usize;
    let mut english = 0usize;
    let mut other = 0usize;
    let mut low = [0u8; 6];
    for w in sample.split(|c: char| !c.is_ascii_alphabetic()) {
        if w.is_empty() {
            continue;
        }
        words += 1;
        if w.len() > low.len() {
            continue;
        }
        let low = &mut low[..w.len()];
        low.copy_from_slice(w.as_bytes());
        low.make_ascii_lowercase();
        let low = std::str::from_utf8(low).unwrap_or("");
        if ENGLISH.contains(&low) {
            english += 1;
        } else if OTHER.contains(&low) {
            other += 1;
        }
    }
    (words >= 20 && english * 20 >= words && other * 2 <= english).then(|| Language {
        code: "eng".into(),
        confidence: 1.0,
    })
}

/// Bytes of kept text the language detector looks at. whatlang's cost is
/// linear in its input; 600 bytes of running text are plenty for a
/// confident guess and keep detection around 20 µs per document.
const LANG_SAMPLE: usize = 600;

/// Detect the language of the kept text (first ~600 bytes of body, title
/// last) with `whatlang`. Fewer than 5 words or 20 letters gives `und` with
/// confidence 0.
pub fn detect_language(doc: &Document) -> Language {
    let mut sample = String::with_capacity(LANG_SAMPLE + 8);
    let body = doc
        .segments
        .iter()
        .filter(|s| s.kind == SegmentKind::Body)
        .chain(doc.segments.iter().filter(|s| s.kind == SegmentKind::Title));
    for seg in body {
        let t = seg.span.slice(&doc.text);
        let room = LANG_SAMPLE.saturating_sub(sample.len());
        if room == 0 {
            break;
        }
        let mut cut = t.len().min(room);
        while !t.is_char_boundary(cut) {
            cut -= 1;
        }
        sample.push_str(&t[..cut]);
        sample.push('\n');
    }
    if let Some(l) = english_fast_path(&sample) {
        return l;
    }
    let letters = sample.chars().filter(|c| c.is_alphabetic()).count();
    if letters < 20 || sample.split_whitespace().count() < 5 {
        return Language {
            code: "und".into(),
            confidence: 0.0,
        };
    }
    match whatlang::detect(&sample) {
        Some(info) => Language {
            code: info.lang().code().to_string(),
            confidence: (info.confidence() * 1000.0).round() / 1000.0,
        },
        None => Language {
            code: "und".into(),
            confidence: 0.0,
        },
    }
}

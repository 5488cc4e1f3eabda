//! A small, forgiving, non-recursive HTML tokenizer that turns a page into
//! its reader-visible text.
//!
//! [`extract`] walks the markup once, left to right, with an explicit element
//! stack (no recursion), so 100,000 nested levels, unclosed tags, stray `<`,
//! unterminated comments or attributes and huge pages all finish in linear
//! time. It produces:
//!
//! * `text`: the visible text, one block (paragraph, heading, list item,
//!   table cell, `<br>` line) per line, whitespace collapsed, entities
//!   decoded; `<script>`, `<style>`, `<head>`, `<template>`, `<svg>` and
//!   elements marked `hidden` contribute nothing;
//! * `map`: [`OffsetMap`] anchors from text bytes back to source bytes;
//! * `blocks`: one [`Block`] per text line with the hints the main-content
//!   classifier needs (enclosing `nav`/`footer`/`aside`/`form`, class and id
//!   words such as `comment`, `share`, `related`, `tags`, `cookie`, link
//!   density, heading level);
//! * page metadata: `<title>`, `og:title`, the first `<h1>`, and the
//!   publication time from `<meta property="article:published_time">` (and
//!   similar) or the first `<time datetime>`.

use sitrep_core::{OffsetMap, Span};

/// Hint bits attached to a block: where in the page it sits.
pub mod hint {
    pub const NAV: u32 = 1;
    pub const FOOTER: u32 = 1 << 1;
    pub const ASIDE: u32 = 1 << 2;
    pub const COMMENT: u32 = 1 << 3;
    pub const SHARE: u32 = 1 << 4;
    pub const RELATED: u32 = 1 << 5;
    pub const TAGS: u32 = 1 << 6;
    pub const HEADER: u32 = 1 << 7;
    pub const FORM: u32 = 1 << 8;
    pub const CAPTION: u32 = 1 << 9;
    pub const COOKIE: u32 = 1 << 10;
    pub const AD: u32 = 1 << 11;
    pub const BYLINE: u32 = 1 << 12;
    pub const ARTICLE: u32 = 1 << 13;
    pub const HEADING: u32 = 1 << 14;
    pub const H1: u32 = 1 << 15;
    pub const LIST: u32 = 1 << 16;
    pub const TIME: u32 = 1 << 17;
    /// Any hint that marks a block as page furniture rather than report.
    pub const NEGATIVE: u32 =
        NAV | FOOTER | ASIDE | COMMENT | SHARE | RELATED | TAGS | FORM | CAPTION | COOKIE | AD;
}

/// One line of the extracted text with what the markup says about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    /// The line in `text` (without its newline).
    pub span: Span,
    /// Union of [`hint`] bits of the elements its text came from.
    pub hints: u32,
    /// Bytes of the line that were inside `<a href>`.
    pub link_bytes: usize,
}

/// The result of [`extract`].
#[derive(Debug, Clone, Default)]
pub struct HtmlText {
    pub text: String,
    pub map: OffsetMap,
    pub blocks: Vec<Block>,
    /// `<title>` text.
    pub title: Option<String>,
    /// `<meta property="og:title">`.
    pub og_title: Option<String>,
    /// Text of the first `<h1>`.
    pub h1: Option<String>,
    /// Publication time from a `<meta>` tag (verbatim attribute value).
    pub meta_published: Option<String>,
    /// `datetime` attribute of the first `<time>` element.
    pub time_datetime: Option<String>,
}

impl HtmlText {
    /// The best title the page offers: `og:title`, else the first `<h1>`,
    /// else `<title>`.
    pub fn best_title(&self) -> Option<&str> {
        self.og_title
            .as_deref()
            .or(self.h1.as_deref())
            .or(self.title.as_deref())
            .filter(|t| !t.trim().is_empty())
    }

    /// The publication time the markup states, meta tags first.
    pub fn best_published(&self) -> Option<&str> {
        self.meta_published
            .as_deref()
            .or(self.time_datetime.as_deref())
    }
}

pub use sitrep_core::document::looks_like_html;

const MAX_DEPTH: usize = 200_000;
/// How far down the stack an end tag looks for its start tag.
const END_TAG_SEARCH: usize = 64;

#[derive(Clone, Copy)]
struct Frame {
    name: [u8; 12],
    flags: u32,
    invisible: bool,
    link: bool,
}

struct Builder<'a> {
    src: &'a str,
    out: HtmlText,
    line_start: usize,
    line_hints: u32,
    line_links: usize,
    pending_space: Option<usize>,
    expected_src: usize,
    h1_start: Option<usize>,
}

impl<'a> Builder<'a> {
    fn anchor(&mut self, src_off: usize) {
        if src_off != self.expected_src || self.out.map.anchors.is_empty() {
            self.out.map.anchors.push((self.out.text.len(), src_off));
        }
    }

    /// Append visible text copied verbatim from `src[start..end]` (no
    /// whitespace inside).
    fn push_word(&mut self, start: usize, s: &str, flags: u32, link: bool) {
        if let Some(sp) = self.pending_space.take() {
            if self.out.text.len() > self.line_start {
                self.anchor(sp);
                self.out.text.push(' ');
                self.expected_src = sp + 1;
                if link {
                    self.line_links += 1;
                }
            }
        }
        self.anchor(start);
        self.out.text.push_str(s);
        self.expected_src = start + s.len();
        self.line_hints |= flags;
        if link {
            self.line_links += s.len();
        }
    }

    fn space(&mut self, at: usize) {
        if self.pending_space.is_none() {
            self.pending_space = Some(at);
        }
    }

    fn newline(&mut self, at: usize) {
        self.pending_space = None;
        if self.out.text.len() > self.line_start {
            let span = Span::new(self.line_start, self.out.text.len());
            self.out.blocks.push(Block {
                span,
                hints: self.line_hints,
                link_bytes: self.line_links,
            });
            self.anchor(at);
            self.out.text.push('\n');
            self.expected_src = at + 1;
            self.line_start = self.out.text.len();
        }
        self.line_hints = 0;
        self.line_links = 0;
    }
}

fn name_key(name: &[u8]) -> [u8; 12] {
    let mut k = [0u8; 12];
    for (d, s) in k.iter_mut().zip(name.iter()) {
        *d = s.to_ascii_lowercase();
    }
    k
}

fn is_void(n: &[u8]) -> bool {
    matches!(
        n,
        b"area"
            | b"base"
            | b"br"
            | b"col"
            | b"embed"
            | b"hr"
            | b"img"
            | b"input"
            | b"link"
            | b"meta"
            | b"param"
            | b"source"
            | b"track"
            | b"wbr"
            | b"keygen"
    )
}

fn is_block(n: &[u8]) -> bool {
    matches!(
        n,
        b"address"
            | b"article"
            | b"aside"
            | b"blockquote"
            | b"br"
            | b"dd"
            | b"details"
            | b"div"
            | b"dl"
            | b"dt"
            | b"fieldset"
            | b"figcaption"
            | b"figure"
            | b"footer"
            | b"form"
            | b"h1"
            | b"h2"
            | b"h3"
            | b"h4"
            | b"h5"
            | b"h6"
            | b"header"
            | b"hr"
            | b"li"
            | b"main"
            | b"nav"
            | b"ol"
            | b"p"
            | b"pre"
            | b"section"
            | b"table"
            | b"tbody"
            | b"thead"
            | b"tfoot"
            | b"tr"
            | b"td"
            | b"th"
            | b"ul"
            | b"option"
            | b"button"
            | b"select"
            | b"label"
            | b"summary"
            | b"body"
            | b"html"
            | b"caption"
            | b"center"
    )
}

/// Elements whose content is raw text up to the matching end tag.
fn is_raw(n: &[u8]) -> bool {
    matches!(
        n,
        b"script"
            | b"style"
            | b"title"
            | b"textarea"
            | b"noscript"
            | b"xmp"
            | b"iframe"
            | b"noembed"
            | b"noframes"
    )
}

fn is_invisible(n: &[u8]) -> bool {
    matches!(
        n,
        b"head" | b"template" | b"svg" | b"math" | b"object" | b"canvas" | b"select" | b"datalist"
    )
}

fn tag_flags(n: &[u8]) -> u32 {
    use hint::*;
    match n {
        b"nav" | b"menu" => NAV,
        b"footer" => FOOTER,
        b"aside" => ASIDE,
        b"header" => HEADER,
        b"form" | b"button" | b"input" | b"label" | b"textarea" => FORM,
        b"figcaption" => CAPTION,
        b"article" | b"main" => ARTICLE,
        b"h1" => HEADING | H1,
        b"h2" | b"h3" | b"h4" | b"h5" | b"h6" => HEADING,
        b"li" => LIST,
        b"time" => TIME,
        _ => 0,
    }
}

/// Hints from `class`, `id`, `role` and `itemprop` words.
fn attr_flags(v: &str) -> u32 {
    use hint::*;
    let mut f = 0;
    let lower = v.to_ascii_lowercase();
    for tok in lower.split(|c: char| !c.is_ascii_alphanumeric()) {
        if tok.is_empty() {
            continue;
        }
        f |= match tok {
            "nav" | "navbar" | "navigation" | "menu" | "breadcrumb" | "breadcrumbs" | "topbar"
            | "masthead" | "pagination" | "skip" => NAV,
            "footer" | "copyright" | "colophon" => FOOTER,
            "sidebar" | "aside" | "widget" | "widgets" | "rail" => ASIDE,
            "comment" | "comments" | "disqus" | "respond" | "reply" | "replies" => COMMENT,
            "share" | "sharing" | "social" | "sharebar" | "print" | "fontsize" => SHARE,
            "related" | "recommended" | "recommendations" | "more" | "popular" | "trending"
            | "latest" | "outbrain" | "taboola" => RELATED,
            "tags" | "tag" | "keywords" | "topics" | "taglist" => TAGS,
            "cookie" | "cookies" | "consent" | "gdpr" | "banner" | "newsletter" | "subscribe"
            | "signup" | "paywall" | "modal" | "popup" => COOKIE,
            "ad" | "ads" | "advert" | "advertisement" | "sponsored" | "promo" | "dfp" => AD,
            "caption" | "credit" | "credits" => CAPTION,
            "byline" | "author" => BYLINE,
            "article" | "story" | "entry" | "content" | "main" | "articlebody" | "post" => ARTICLE,
            "header" => HEADER,
            _ => {
                if tok.contains("comment") {
                    COMMENT
                } else if tok.contains("share") || tok.contains("social") {
                    SHARE
                } else if tok.contains("related") {
                    RELATED
                } else if tok.contains("cookie") {
                    COOKIE
                } else if tok.contains("footer") {
                    FOOTER
                } else if tok.contains("sidebar") {
                    ASIDE
                } else {
                    0
                }
            }
        };
    }
    // A container named for both the article and its furniture (e.g.
    // `article-comments`) is furniture.
    if f & NEGATIVE != 0 {
        f &= !ARTICLE;
    }
    f
}

/// Decode one entity starting at `s[0] == '&'`. Returns the decoded char
/// and the entity's length in bytes.
fn decode_entity(s: &[u8]) -> Option<(char, usize)> {
    if s.len() < 3 {
        return None;
    }
    if s[1] == b'#' {
        let (hex, start) = if matches!(s.get(2), Some(b'x') | Some(b'X')) {
            (true, 3)
        } else {
            (false, 2)
        };
        let mut i = start;
        let mut v: u32 = 0;
        while i < s.len() && i < start + 8 {
            let c = s[i];
            let d = if hex {
                (c as char).to_digit(16)
            } else {
                (c as char).to_digit(10)
            };
            match d {
                Some(d) => {
                    v = v
                        .saturating_mul(if hex { 16 } else { 10 })
                        .saturating_add(d)
                }
                None => break,
            }
            i += 1;
        }
        if i == start {
            return None;
        }
        if s.get(i) == Some(&b';') {
            i += 1;
        }
        let c = match v {
            0 => '\u{FFFD}',
            // Windows-1252 smart quotes as pages often (mis)use them.
            0x91 => '\u{2018}',
            0x92 => '\u{2019}',
            0x93 => '\u{201C}',
            0x94 => '\u{201D}',
            0x96 => '\u{2013}',
            0x97 => '\u{2014}',
            v => char::from_u32(v).unwrap_or('\u{FFFD}'),
        };
        return Some((c, i));
    }
    let mut i = 1;
    while i < s.len() && i < 12 && s[i].is_ascii_alphanumeric() {
        i += 1;
    }
    let name = &s[1..i];
    let semi = s.get(i) == Some(&b';');
    let c = match name {
        b"amp" => '&',
        b"lt" => '<',
        b"gt" => '>',
        b"quot" => '"',
        b"nbsp" => '\u{a0}',
        _ if !semi => return None,
        b"apos" => '\'',
        b"mdash" => '\u{2014}',
        b"ndash" => '\u{2013}',
        b"hellip" => '\u{2026}',
        b"rsquo" => '\u{2019}',
        b"lsquo" => '\u{2018}',
        b"ldquo" => '\u{201C}',
        b"rdquo" => '\u{201D}',
        b"laquo" => '\u{AB}',
        b"raquo" => '\u{BB}',
        b"copy" => '\u{A9}',
        b"reg" => '\u{AE}',
        b"trade" => '\u{2122}',
        b"deg" => '\u{B0}',
        b"middot" => '\u{B7}',
        b"bull" => '\u{2022}',
        b"eacute" => '\u{E9}',
        b"egrave" => '\u{E8}',
        b"aacute" => '\u{E1}',
        b"agrave" => '\u{E0}',
        b"ccedil" => '\u{E7}',
        b"uuml" => '\u{FC}',
        b"ouml" => '\u{F6}',
        b"auml" => '\u{E4}',
        b"iacute" => '\u{ED}',
        b"oacute" => '\u{F3}',
        b"uacute" => '\u{FA}',
        b"ntilde" => '\u{F1}',
        b"euro" => '\u{20AC}',
        b"pound" => '\u{A3}',
        b"zwnj" => '\u{200C}',
        b"zwj" => '\u{200D}',
        b"shy" => '\u{AD}',
        _ => return None,
    };
    Some((c, i + usize::from(semi)))
}

/// Decode entities in an attribute value or raw title text and collapse
/// whitespace.
pub fn decode_text(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let mut run = 0;
    while i < b.len() {
        if b[i] == b'&' {
            if let Some((c, n)) = decode_entity(&b[i..]) {
                out.push_str(s.get(run..i).unwrap_or(""));
                out.push(c);
                i += n;
                run = i;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(s.get(run..).unwrap_or(""));
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn find_ci(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let first = needle.first()?;
    let mut i = from;
    while i < hay.len() {
        let p = memchr::memchr(*first, hay.get(i..)?)? + i;
        if hay
            .get(p..p + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
        {
            return Some(p);
        }
        i = p + 1;
    }
    None
}

struct Attrs<'a> {
    class_id: u32,
    hidden: bool,
    href: bool,
    property: Option<&'a str>,
    content: Option<&'a str>,
    datetime: Option<&'a str>,
}

/// Parse a start tag's attributes from `b[i..]`; returns the attributes and
/// the index just past `>` (or the end of input).
fn parse_attrs<'a>(src: &'a str, mut i: usize) -> (Attrs<'a>, usize, bool) {
    let b = src.as_bytes();
    let mut a = Attrs {
        class_id: 0,
        hidden: false,
        href: false,
        property: None,
        content: None,
        datetime: None,
    };
    let mut self_closing = false;
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            self_closing = b[i] == b'/';
            i += 1;
        }
        if i >= b.len() {
            return (a, b.len(), self_closing);
        }
        if b[i] == b'>' {
            return (a, i + 1, self_closing);
        }
        self_closing = false;
        let ns = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let name = &b[ns..i];
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value: Option<&str> = None;
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                let vs = i + 1;
                let ve = memchr::memchr(q, &b[vs..]).map_or(b.len(), |p| vs + p);
                value = src.get(vs..ve);
                i = (ve + 1).min(b.len());
            } else {
                let vs = i;
                while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                    i += 1;
                }
                value = src.get(vs..i);
            }
        }
        let v = value.unwrap_or("");
        if name.eq_ignore_ascii_case(b"class")
            || name.eq_ignore_ascii_case(b"id")
            || name.eq_ignore_ascii_case(b"role")
            || name.eq_ignore_ascii_case(b"itemprop")
        {
            a.class_id |= attr_flags(v);
            if name.eq_ignore_ascii_case(b"itemprop") && v.eq_ignore_ascii_case("datePublished") {
                a.property = Some("article:published_time");
            }
        } else if name.eq_ignore_ascii_case(b"hidden") {
            a.hidden = true;
        } else if name.eq_ignore_ascii_case(b"aria-hidden") {
            a.hidden |= v.eq_ignore_ascii_case("true");
        } else if name.eq_ignore_ascii_case(b"style") {
            let l = v.to_ascii_lowercase().replace(' ', "");
            a.hidden |= l.contains("display:none") || l.contains("visibility:hidden");
        } else if name.eq_ignore_ascii_case(b"href") {
            a.href = true;
        } else if name.eq_ignore_ascii_case(b"property") || name.eq_ignore_ascii_case(b"name") {
            if a.property.is_none() {
                a.property = Some(v);
            }
        } else if name.eq_ignore_ascii_case(b"content") {
            a.content = Some(v);
        } else if name.eq_ignore_ascii_case(b"datetime") {
            a.datetime = Some(v);
        }
    }
}

fn is_published_property(p: &str) -> bool {
    let p = p.to_ascii_lowercase();
    matches!(
        p.as_str(),
        "article:published_time"
            | "article:published"
            | "og:published_time"
            | "pubdate"
            | "publishdate"
            | "publish-date"
            | "publish_date"
            | "date"
            | "dc.date"
            | "dc.date.issued"
            | "dcterms.created"
            | "dcterms.date"
            | "article.published"
            | "sailthru.date"
            | "parsely-pub-date"
            | "datepublished"
    )
}

/// Extract the visible text of an HTML page. Never panics, linear time.
pub fn extract(src: &str) -> HtmlText {
    let b = src.as_bytes();
    let mut bld = Builder {
        src,
        out: HtmlText {
            text: String::with_capacity(src.len() / 3),
            ..HtmlText::default()
        },
        line_start: 0,
        line_hints: 0,
        line_links: 0,
        pending_space: None,
        expected_src: 0,
        h1_start: None,
    };
    let mut stack: Vec<Frame> = Vec::new();
    let mut overflow = 0usize;
    let top = |stack: &Vec<Frame>| -> (u32, bool, bool) {
        stack
            .last()
            .map_or((0, false, false), |f| (f.flags, f.invisible, f.link))
    };
    let mut i = 0;
    let mut text_start = 0;
    while i <= b.len() {
        let at_end = i == b.len();
        let is_lt = !at_end && b[i] == b'<';
        if !at_end && !is_lt {
            i = memchr::memchr(b'<', &b[i..]).map_or(b.len(), |p| i + p);
            continue;
        }
        // Flush text b[text_start..i].
        if text_start < i {
            let (flags, invisible, link) = top(&stack);
            if !invisible {
                emit_text(&mut bld, text_start, i, flags, link);
            }
        }
        if at_end {
            break;
        }
        // b[i] == '<'
        let next = b.get(i + 1).copied().unwrap_or(0);
        if next == b'!' {
            if b.get(i..i + 4) == Some(b"<!--") {
                let end = find_ci(b, i + 4, b"-->").map_or(b.len(), |p| p + 3);
                i = end;
            } else if b
                .get(i..i + 9)
                .is_some_and(|w| w.eq_ignore_ascii_case(b"<![cdata["))
            {
                let end = find_ci(b, i + 9, b"]]>").map_or(b.len(), |p| p + 3);
                i = end;
            } else {
                i = memchr::memchr(b'>', &b[i..]).map_or(b.len(), |p| i + p + 1);
            }
            text_start = i;
            continue;
        }
        if next == b'?' {
            i = memchr::memchr(b'>', &b[i..]).map_or(b.len(), |p| i + p + 1);
            text_start = i;
            continue;
        }
        let is_end = next == b'/';
        let ns = if is_end { i + 2 } else { i + 1 };
        if !b.get(ns).is_some_and(|c| c.is_ascii_alphabetic()) {
            // A literal '<' (or `</>` / `</ 3`): keep it as text.
            if is_end && b.get(ns) == Some(&b'>') {
                i = ns + 1;
                text_start = i;
            } else {
                // Let the scan continue past '<'; it becomes part of the text run.
                text_start = i;
                i += 1;
                // Make sure the '<' is not re-examined as a tag start.
                while i < b.len() && b[i] != b'<' {
                    i += 1;
                }
            }
            continue;
        }
        let mut ne = ns;
        while ne < b.len() && !b[ne].is_ascii_whitespace() && !matches!(b[ne], b'>' | b'/') {
            ne += 1;
        }
        let raw_name = &b[ns..ne];
        let key = name_key(raw_name);
        let lname: Vec<u8> = raw_name
            .iter()
            .take(16)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        let lname = lname.as_slice();
        if is_end {
            i = memchr::memchr(b'>', &b[ne..]).map_or(b.len(), |p| ne + p + 1);
            text_start = i;
            if overflow > 0 {
                overflow -= 1;
                continue;
            }
            let lim = stack.len().saturating_sub(END_TAG_SEARCH);
            if let Some(pos) = (lim..stack.len()).rev().find(|&k| stack[k].name == key) {
                stack.truncate(pos);
            }
            if lname == b"h1" {
                if let Some(s) = bld.h1_start.take() {
                    if bld.out.h1.is_none() {
                        let t = bld.out.text.get(s..).unwrap_or("").trim();
                        if !t.is_empty() {
                            bld.out.h1 = Some(t.to_string());
                        }
                    }
                }
            }
            if is_block(lname) {
                bld.newline(i.saturating_sub(1));
            }
            continue;
        }
        // Start tag.
        let (attrs, after, self_closing) = parse_attrs(src, ne);
        i = after;
        text_start = i;
        let (pflags, pinvisible, plink) = top(&stack);
        if lname == b"meta" {
            if let (Some(p), Some(c)) = (attrs.property, attrs.content) {
                if p.eq_ignore_ascii_case("og:title") && bld.out.og_title.is_none() {
                    let t = decode_text(c);
                    if !t.is_empty() {
                        bld.out.og_title = Some(t);
                    }
                } else if is_published_property(p) && bld.out.meta_published.is_none() {
                    let t = decode_text(c);
                    if !t.is_empty() {
                        bld.out.meta_published = Some(t);
                    }
                }
            }
        }
        if lname == b"time" && bld.out.time_datetime.is_none() {
            if let Some(d) = attrs.datetime {
                let t = decode_text(d);
                if !t.is_empty() {
                    bld.out.time_datetime = Some(t);
                }
            }
        }
        if let (Some(p), Some(d)) = (attrs.property, attrs.datetime.or(attrs.content)) {
            if p == "article:published_time" && bld.out.meta_published.is_none() {
                bld.out.meta_published = Some(decode_text(d));
            }
        }
        if is_block(lname) {
            bld.newline(i.saturating_sub(1));
        }
        if is_raw(lname) && !self_closing {
            let mut close = Vec::with_capacity(lname.len() + 2);
            close.extend_from_slice(b"</");
            close.extend_from_slice(lname);
            let end = find_ci(b, i, &close).unwrap_or(b.len());
            if lname == b"title" && bld.out.title.is_none() {
                let t = decode_text(src.get(i..end).unwrap_or(""));
                if !t.is_empty() {
                    bld.out.title = Some(t);
                }
            }
            i = memchr::memchr(b'>', &b[end..]).map_or(b.len(), |p| end + p + 1);
            text_start = i;
            continue;
        }
        if is_void(lname) || self_closing {
            continue;
        }
        if stack.len() >= MAX_DEPTH {
            overflow += 1;
            continue;
        }
        let cls = if matches!(lname, b"html" | b"body") {
            0
        } else {
            attrs.class_id
        };
        let mut flags = pflags | tag_flags(lname) | cls;
        // An element nested in an article's furniture stays furniture; an
        // article container does not clear hints inherited from outside.
        if pflags & hint::NEGATIVE != 0 {
            flags &= !hint::ARTICLE;
        }
        if lname == b"h1" && bld.h1_start.is_none() && bld.out.h1.is_none() {
            bld.h1_start = Some(bld.out.text.len());
        }
        stack.push(Frame {
            name: key,
            flags,
            invisible: pinvisible || attrs.hidden || is_invisible(lname),
            link: plink || (lname == b"a" && attrs.href),
        });
    }
    bld.newline(b.len().saturating_sub(1));
    bld.out
}

fn emit_text(bld: &mut Builder<'_>, start: usize, end: usize, flags: u32, link: bool) {
    let src = bld.src;
    let b = src.as_bytes();
    let mut i = start;
    let mut word_start = start;
    let flush = |bld: &mut Builder<'_>, ws: usize, we: usize| {
        if ws < we {
            if let Some(w) = src.get(ws..we) {
                bld.push_word(ws, w, flags, link);
            }
        }
    };
    while i < end {
        let c = b[i];
        if c.is_ascii_whitespace() {
            flush(bld, word_start, i);
            bld.space(i);
            i += 1;
            word_start = i;
        } else if c == b'&' {
            match decode_entity(&b[i..end]) {
                Some((ch, n)) => {
                    flush(bld, word_start, i);
                    if ch == '\u{a0}' || ch.is_whitespace() {
                        bld.space(i);
                    } else {
                        let mut buf = [0u8; 4];
                        let s: &str = ch.encode_utf8(&mut buf);
                        // Map the decoded char to the entity start.
                        if let Some(sp) = bld.pending_space.take() {
                            if bld.out.text.len() > bld.line_start {
                                bld.anchor(sp);
                                bld.out.text.push(' ');
                                bld.expected_src = sp + 1;
                            }
                        }
                        bld.anchor(i);
                        bld.out.text.push_str(s);
                        // Force a new anchor for whatever follows.
                        bld.expected_src = usize::MAX;
                        bld.line_hints |= flags;
                        if link {
                            bld.line_links += s.len();
                        }
                    }
                    i += n;
                    word_start = i;
                }
                None => i += 1,
            }
        } else if c == 0xC2 && b.get(i + 1) == Some(&0xA0) {
            // A literal no-break space.
            flush(bld, word_start, i);
            bld.space(i);
            i += 2;
            word_start = i;
        } else {
            i += 1;
        }
    }
    flush(bld, word_start, end);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_blocks_and_entities() {
        let h = "<html><head><title>T &amp; U</title></head><body><p>Hello&nbsp;<b>big</b>  world</p><p>a&amp;b &#8211; c</p></body></html>";
        let x = extract(h);
        assert_eq!(x.text, "Hello big world\na&b \u{2013} c\n");
        assert_eq!(x.title.as_deref(), Some("T & U"));
        assert_eq!(x.blocks.len(), 2);
        // Every text byte maps into the source, and verbatim runs map back
        // to the same characters.
        for (t, _) in x.text.char_indices() {
            assert!(x.map.to_source(t) < h.len());
        }
        let w = x.text.find("world").unwrap();
        let s = x.map.to_source(w);
        assert_eq!(&h[s..s + 5], "world");
        let c = x.text.find(" c").unwrap() + 1;
        assert_eq!(&h[x.map.to_source(c)..x.map.to_source(c) + 1], "c");
    }

    #[test]
    fn hints_and_links() {
        let h = r#"<nav><a href="/">Home</a></nav><article><p>Body text here.</p></article><div class="post-comments"><p>Leave a reply</p></div>"#;
        let x = extract(h);
        assert_eq!(x.blocks.len(), 3);
        assert!(x.blocks[0].hints & hint::NAV != 0);
        assert_eq!(x.blocks[0].link_bytes, 4);
        assert!(x.blocks[1].hints & hint::ARTICLE != 0);
        assert!(x.blocks[2].hints & hint::COMMENT != 0);
    }

    #[test]
    fn scripts_comments_and_broken_markup() {
        let h =
            "<p>a<script>if (a<b) {}</script>b<!-- x -->c</p><p>1 < 2 and </ 3<style>p{}</style>";
        let x = extract(h);
        assert_eq!(x.text, "abc\n1 < 2 and </ 3\n");
        let x = extract("<p>unterminated <!-- comment");
        assert_eq!(x.text, "unterminated\n");
        let x = extract("<div class=\"a>never closed");
        assert_eq!(x.text, "");
    }

    #[test]
    fn deep_nesting() {
        let mut h = String::new();
        for _ in 0..100_000 {
            h.push_str("<div>");
        }
        h.push_str("deep");
        for _ in 0..100_000 {
            h.push_str("</div>");
        }
        let x = extract(&h);
        assert_eq!(x.text, "deep\n");
    }

    #[test]
    fn metadata() {
        let h = r#"<head><meta property="og:title" content="OG &amp; T"><meta property="article:published_time" content="2017-11-08T10:00:00Z"></head><h1>Head</h1><time datetime="2017-11-09">x</time>"#;
        let x = extract(h);
        assert_eq!(x.og_title.as_deref(), Some("OG & T"));
        assert_eq!(x.h1.as_deref(), Some("Head"));
        assert_eq!(x.meta_published.as_deref(), Some("2017-11-08T10:00:00Z"));
        assert_eq!(x.time_datetime.as_deref(), Some("2017-11-09"));
    }

    #[test]
    fn sniffing() {
        assert!(looks_like_html(b"<!DOCTYPE html><p>x"));
        assert!(!looks_like_html(b"Plain text with a < sign"));
    }
}

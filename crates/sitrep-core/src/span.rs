//! Byte spans into a document's text and their code point equivalents.

use serde::{Deserialize, Serialize};

/// A half-open byte range `[start, end)` into a document's `text`.
///
/// Architecture invariant: every span stored or emitted by sitrep points into
/// the text it was produced from and falls on UTF-8 character boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        debug_assert!(start <= end);
        Span { start, end }
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    /// The text under the span, or `""` when the span is out of range or not
    /// on character boundaries (never panics).
    pub fn slice<'a>(&self, text: &'a str) -> &'a str {
        text.get(self.start..self.end).unwrap_or("")
    }

    pub fn contains(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    pub fn overlaps(&self, other: Span) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// Shift both ends by `delta` bytes.
    pub fn offset(&self, delta: usize) -> Span {
        Span::new(self.start + delta, self.end + delta)
    }
}

/// Converts byte offsets to Unicode code point offsets for one text.
///
/// Built once per text (O(n)); each lookup is a binary search over the
/// positions of multi-byte characters, so ASCII-only texts cost nothing.
#[derive(Debug, Clone)]
pub struct CharIndex {
    /// Byte offsets of every non-ASCII character, with the code point offset
    /// of the character that starts there.
    wide: Vec<(usize, usize)>,
    /// Extra bytes contributed by each non-ASCII character up to and
    /// including entry `i`.
    extra: Vec<usize>,
    len: usize,
}

impl CharIndex {
    pub fn new(text: &str) -> Self {
        let mut wide = Vec::new();
        let mut extra = Vec::new();
        let mut acc = 0usize;
        if !text.is_ascii() {
            for (cp, (b, ch)) in text.char_indices().enumerate() {
                let w = ch.len_utf8();
                if w > 1 {
                    acc += w - 1;
                    wide.push((b, cp));
                    extra.push(acc);
                }
            }
        }
        CharIndex {
            wide,
            extra,
            len: text.len(),
        }
    }

    /// Code point offset of byte offset `byte` (clamped to the text length).
    /// A byte inside a multi-byte character maps to that character's start.
    pub fn char_offset(&self, byte: usize) -> usize {
        let byte = byte.min(self.len);
        // Number of wide characters that start strictly before `byte`.
        let i = self.wide.partition_point(|&(b, _)| b < byte);
        if i == 0 {
            return byte;
        }
        let (b, cp) = self.wide[i - 1];
        let before = if i >= 2 { self.extra[i - 2] } else { 0 };
        let width = self.extra[i - 1] - before + 1;
        if byte < b + width {
            cp
        } else {
            byte - self.extra[i - 1]
        }
    }

    /// Byte offset of code point offset `cp` (clamped to the text length).
    pub fn byte_offset(&self, cp: usize) -> usize {
        // Wide characters at code point positions strictly before `cp`.
        let i = self.wide.partition_point(|&(_, c)| c < cp);
        let extra = if i == 0 { 0 } else { self.extra[i - 1] };
        (cp + extra).min(self.len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ascii_is_identity() {
        let ci = CharIndex::new("hello world");
        assert_eq!(ci.char_offset(5), 5);
        assert_eq!(ci.byte_offset(5), 5);
    }

    #[test]
    fn multibyte() {
        let t = "a–b’c";
        let ci = CharIndex::new(t);
        assert_eq!(ci.char_offset(1), 1);
        assert_eq!(ci.char_offset(4), 2); // after the en dash
        assert_eq!(ci.char_offset(2), 1); // inside the dash
        assert_eq!(ci.byte_offset(2), 4);
        assert_eq!(ci.byte_offset(4), 8);
        assert_eq!(ci.char_offset(t.len()), 5);
    }

    proptest! {
        #[test]
        fn round_trip(s in "\\PC{0,40}") {
            let ci = CharIndex::new(&s);
            for (cp, (b, _)) in s.char_indices().enumerate() {
                prop_assert_eq!(ci.char_offset(b), cp);
                prop_assert_eq!(ci.byte_offset(cp), b);
            }
            prop_assert_eq!(ci.char_offset(s.len()), s.chars().count());
            prop_assert_eq!(ci.byte_offset(s.chars().count()), s.len());
        }
    }
}

//! Regular expressions with Unicode word boundaries that stay on the fast
//! engine.
//!
//! The `regex` crate's lazy DFA cannot evaluate a Unicode `\b` next to a
//! non-ASCII byte, so on any such text (a curly quote, a dash, an accented
//! name) it gives up and the whole search reruns on the PikeVM, about a
//! hundred times slower per byte. [`BoundaryRegex`] keeps the pattern as
//! written and a twin whose `\b` is ASCII-only (`(?-u:\b)`, compiled on
//! first use). The twin is used only on text whose non-ASCII characters are
//! all ones that are word characters in neither sense (punctuation, spaces,
//! symbols): there both boundaries are at the same places, so the matches
//! are the same.

use std::sync::OnceLock;

use regex::Regex;

/// A pattern with Unicode `\b`, and its ASCII-`\b` twin for text where the
/// two agree.
#[derive(Debug)]
pub(crate) struct BoundaryRegex {
    full: Regex,
    ascii: OnceLock<Regex>,
}

impl BoundaryRegex {
    pub(crate) fn new(pattern: &str) -> Result<Self, regex::Error> {
        Ok(BoundaryRegex {
            full: Regex::new(pattern)?,
            ascii: OnceLock::new(),
        })
    }

    /// The regex to run on `hay`: same matches as the pattern as written.
    pub(crate) fn for_text(&self, hay: &str) -> &Regex {
        if hay.is_ascii() || !no_word_char_outside_ascii(hay) {
            return &self.full;
        }
        self.ascii.get_or_init(|| {
            let p = self.full.as_str().replace(r"\b", r"(?-u:\b)");
            Regex::new(&p).unwrap_or_else(|_| self.full.clone())
        })
    }
}

/// Whether every non-ASCII character of `s` is one that Unicode does not
/// count as a word character (`\w`: letters, marks, decimal digits,
/// connector punctuation, joiners): Latin-1 punctuation and symbols,
/// general punctuation, currency, arrows, box drawing and shapes, the
/// ideographic space, the byte-order mark and the replacement character. Anything else (letters,
/// other scripts, digits of other scripts) answers false.
fn no_word_char_outside_ascii(s: &str) -> bool {
    s.chars().all(|c| {
        let u = c as u32;
        u < 0x80
            || (0xA0..=0xBF).contains(&u) && !matches!(u, 0xAA | 0xB2 | 0xB3 | 0xB5 | 0xB9..=0xBE)
            || u == 0xD7
            || u == 0xF7
            || (0x2000..=0x206F).contains(&u)
                && !matches!(u, 0x200C | 0x200D | 0x203F | 0x2040 | 0x2054)
            || (0x20A0..=0x20CF).contains(&u)
            || (0x2190..=0x21FF).contains(&u)
            || (0x2500..=0x25FF).contains(&u)
            || u == 0x3000
            || u == 0xFEFF
            || u == 0xFFFD
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twin_gives_the_same_matches() {
        let r = BoundaryRegex::new(r"\b[A-Z]\w+\s+(?:forces|troops)\b").unwrap();
        for hay in [
            "Syrian forces entered; “Iraqi troops” followed — officials said…",
            "the Türkiye forces and Ωmega troops, Élan forces",
            "naïve forces and x\u{200D}Iraqi troops",
            "Iraqi\u{FFFD}forces and \u{FFFD}Syrian troops",
            "plain ascii: Iraqi forces",
        ] {
            let want: Vec<_> = r.full.find_iter(hay).map(|m| m.range()).collect();
            let got: Vec<_> = r.for_text(hay).find_iter(hay).map(|m| m.range()).collect();
            assert_eq!(got, want, "{hay}");
        }
    }

    #[test]
    fn twin_only_where_boundaries_agree() {
        let r = BoundaryRegex::new(r"\bIraqi\b").unwrap();
        // Curly quotes and dashes only: the ASCII twin.
        let t = r.for_text("“Iraqi” — said");
        assert!(t.as_str().contains("(?-u:\\b)"));
        // A letter outside ASCII next to the word: the pattern as written,
        // which (unlike the twin) sees no boundary between "é" and "I".
        let hay = "éIraqi";
        assert!(!r.for_text(hay).as_str().contains("(?-u:"));
        assert!(!r.for_text(hay).is_match(hay));
        assert!(Regex::new(r"(?-u:\b)Iraqi(?-u:\b)").unwrap().is_match(hay));
    }
}

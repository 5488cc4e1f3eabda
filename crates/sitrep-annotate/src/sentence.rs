//! Rule-based sentence segmentation over kept segments.
//!
//! A sentence ends at `.`, `!`, `?` or `…` (plus closing quotes and
//! brackets) when the next word starts a sentence, at a blank line, and at
//! the end of a segment. It does not end after titles (`Gen.`, `Lt. Col.`),
//! initials (`J. Smith`), dotted acronyms (`U.S.`) unless a typical sentence
//! opener follows, or decimals. A full stop glued to a capitalised word
//! (`bastion.Meanwhile`) does end a sentence.

use sitrep_core::annotation::Sentence;
use sitrep_core::Span;

/// Titles and other abbreviations after which a full stop never ends a
/// sentence.
const TITLES: &[&str] = &[
    "mr", "mrs", "ms", "dr", "gen", "lt", "col", "sgt", "capt", "maj", "brig", "adm", "rep", "sen",
    "gov", "pres", "st", "jr", "sr", "prof", "no", "nos", "vs", "rev", "hon", "mt", "ft", "cpl",
    "pvt", "cmdr", "cdr", "lieut", "supt", "insp", "gens", "messrs", "jan", "feb", "mar", "apr",
    "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx", "est", "dept", "univ",
    "fig", "al", "op", "vol", "art", "para", "sq", "maj-gen", "brig-gen", "lt-col", "e.g", "i.e",
    "cf",
];

/// Words that usually open a sentence: after `U.S.` or `Inc.` they make the
/// full stop a sentence end.
const OPENERS: &[&str] = &[
    "The",
    "He",
    "She",
    "It",
    "They",
    "We",
    "I",
    "But",
    "In",
    "On",
    "A",
    "An",
    "This",
    "That",
    "These",
    "Those",
    "Meanwhile",
    "However",
    "Its",
    "His",
    "Her",
    "Their",
    "There",
    "At",
    "After",
    "According",
    "Earlier",
    "Later",
    "Last",
    "On",
    "Some",
    "Also",
    "And",
    "Since",
    "When",
    "While",
];

fn is_closer(c: char) -> bool {
    matches!(c, '"' | '\'' | '”' | '’' | ')' | ']' | '»')
}

fn is_opener(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '“' | '‘' | '(' | '[' | '«' | '-' | '–' | '—' | '•'
    )
}

/// The word (letters, dots and hyphens) that ends right before byte `at`.
fn word_before(text: &str, at: usize) -> &str {
    let head = text.get(..at).unwrap_or("");
    let start = head
        .char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '.' || c == '-'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    head.get(start..).unwrap_or("")
}

fn next_word(text: &str, at: usize) -> &str {
    let tail = text.get(at..).unwrap_or("");
    let end = tail
        .char_indices()
        .find(|&(_, c)| !c.is_alphanumeric())
        .map_or(tail.len(), |(i, _)| i);
    tail.get(..end).unwrap_or("")
}

/// Decide whether a full stop at `dot` (followed, after closers and spaces,
/// by the word at `next`) ends a sentence.
fn full_stop_ends(text: &str, dot: usize, next: usize, glued: bool) -> bool {
    let w = word_before(text, dot);
    let last = w.rsplit('.').next().unwrap_or(w);
    let nw = next_word(text, next);
    let next_first = nw.chars().next();
    if glued {
        // bastion.Meanwhile: lower-case word of 2+ letters, then a capital.
        return last.len() >= 2
            && last.chars().all(|c| c.is_lowercase())
            && next_first.is_some_and(|c| c.is_uppercase())
            && nw.chars().skip(1).any(|c| c.is_lowercase());
    }
    if last.is_empty() {
        return true;
    }
    let low = last.to_ascii_lowercase();
    if TITLES.contains(&low.as_str()) && !w.contains('.') {
        // "Gen." "Lt." but "in Feb." at the end of a sentence is rare enough.
        return false;
    }
    let single_letter = last.chars().count() == 1 && last.chars().all(|c| c.is_alphabetic());
    if single_letter || w.contains('.') {
        // initials and dotted acronyms: split only before a typical opener
        return OPENERS.contains(&nw);
    }
    true
}

/// Split the kept ranges of `text` into sentences.
pub fn split(text: &str, ranges: &[(usize, usize)]) -> Vec<Sentence> {
    let mut out = Vec::new();
    for &(rs, re) in ranges {
        let Some(seg) = text.get(rs..re) else {
            continue;
        };
        split_segment(text, seg, rs, &mut out);
    }
    out
}

fn push_trimmed(text: &str, s: usize, e: usize, out: &mut Vec<Sentence>) {
    let Some(piece) = text.get(s..e) else {
        return;
    };
    let lead = piece.len() - piece.trim_start().len();
    let trail = piece.len() - piece.trim_end().len();
    let (a, b) = (s + lead, e - trail);
    if a < b {
        out.push(Sentence {
            span: Span::new(a, b),
        });
    }
}

fn split_segment(text: &str, seg: &str, base: usize, out: &mut Vec<Sentence>) {
    let mut start = base;
    let mut iter = seg.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let abs = base + i;
        match c {
            '\n' => {
                // blank line = paragraph break
                let rest = seg.get(i + 1..).unwrap_or("");
                let nl = rest
                    .chars()
                    .take_while(|c| c.is_whitespace())
                    .any(|c| c == '\n');
                if nl {
                    push_trimmed(text, start, abs, out);
                    start = abs + 1;
                }
            }
            '.' | '!' | '?' | '…' => {
                // extend over repeated terminators and closers
                let mut j = i + c.len_utf8();
                while let Some(&(k, d)) = iter.peek() {
                    if matches!(d, '.' | '!' | '?' | '…') || is_closer(d) {
                        j = k + d.len_utf8();
                        iter.next();
                    } else {
                        break;
                    }
                }
                let rest = seg.get(j..).unwrap_or("");
                let ws = rest.len() - rest.trim_start().len();
                if rest.trim_start().is_empty() {
                    continue; // segment end closes it anyway
                }
                let next_at = j + ws;
                let next_c = seg.get(next_at..).and_then(|s| s.chars().next());
                let Some(nc) = next_c else {
                    continue;
                };
                let glued = ws == 0;
                let starts = nc.is_uppercase() || nc.is_ascii_digit() || is_opener(nc);
                if !starts {
                    continue;
                }
                // decimals and glued digits: 3.5
                if glued && !nc.is_uppercase() {
                    continue;
                }
                let ends = if c == '.' {
                    // a closing quote right after the stop: sentence ends
                    let closed = j > i + 1;
                    if glued && closed {
                        nc.is_uppercase()
                    } else {
                        full_stop_ends(text, abs, base + next_at, glued) || (closed && !glued)
                    }
                } else {
                    true
                };
                if ends {
                    push_trimmed(text, start, base + j, out);
                    start = base + j;
                }
            }
            _ => {}
        }
    }
    push_trimmed(text, start, base + seg.len(), out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sents(t: &str) -> Vec<&str> {
        split(t, &[(0, t.len())])
            .iter()
            .map(|s| s.span.slice(t))
            .collect()
    }

    #[test]
    fn abbreviations_and_glued_stops() {
        assert_eq!(
            sents("Lt. Col. J. Smith met U.S. envoys. The talks failed.Next day, 3.5 km away."),
            vec![
                "Lt. Col. J. Smith met U.S. envoys.",
                "The talks failed.",
                "Next day, 3.5 km away."
            ]
        );
        assert_eq!(
            sents("He left the U.S. The war went on."),
            vec!["He left the U.S.", "The war went on."]
        );
    }

    #[test]
    fn quotes_and_datelines() {
        let t = "TOWN, Country (AFP) – Troops entered. \"We won,\" he said. \"It is over.\" Gen. Ali spoke.";
        assert_eq!(
            sents(t),
            vec![
                "TOWN, Country (AFP) – Troops entered.",
                "\"We won,\" he said.",
                "\"It is over.\"",
                "Gen. Ali spoke."
            ]
        );
    }
}

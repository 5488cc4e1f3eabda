//! A small tokenizer: words, numbers and punctuation with byte spans.
//!
//! Tokens never allocate: each one is a byte range into the text, and the
//! lower-cased form is read from an ASCII-lower-cased copy of the text made
//! once per document (ASCII lower-casing keeps byte offsets).

/// What a token is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Letters (possibly with digits or inner apostrophes: `1990s`, `21st`, `didn't`).
    Word,
    /// Digits, with `,` or `.` between digits (`2,500`, `3.5`).
    Num,
    /// Anything else, one character per token.
    Punct,
}

#[derive(Debug, Clone, Copy)]
pub struct Tok {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    /// Whitespace (or the start of the text) right before the token.
    pub space_before: bool,
}

/// Tokens of one text plus its lower-cased copy.
pub struct Tokens<'a> {
    pub text: &'a str,
    pub lower: String,
    pub toks: Vec<Tok>,
}

fn is_apos(c: char) -> bool {
    c == '\'' || c == '’'
}

impl<'a> Tokens<'a> {
    /// Tokenize `text` within the byte ranges `ranges` (kept segments).
    pub fn new(text: &'a str, ranges: &[(usize, usize)]) -> Self {
        let lower = text.to_ascii_lowercase();
        let mut toks = Vec::with_capacity(text.len() / 5);
        for &(rs, re) in ranges {
            let Some(seg) = text.get(rs..re) else {
                continue;
            };
            tokenize_into(seg, rs, &mut toks);
        }
        Tokens { text, lower, toks }
    }

    pub fn len(&self) -> usize {
        self.toks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.toks.is_empty()
    }

    /// Original text of token `i` (empty when out of range).
    pub fn text(&self, i: usize) -> &str {
        match self.toks.get(i) {
            Some(t) => self.text.get(t.start..t.end).unwrap_or(""),
            None => "",
        }
    }

    /// Lower-cased text of token `i` (empty when out of range).
    pub fn low(&self, i: usize) -> &str {
        match self.toks.get(i) {
            Some(t) => self.lower.get(t.start..t.end).unwrap_or(""),
            None => "",
        }
    }

    pub fn kind(&self, i: usize) -> Option<Kind> {
        self.toks.get(i).map(|t| t.kind)
    }

    pub fn is(&self, i: usize, w: &str) -> bool {
        self.low(i) == w
    }

    pub fn is_any(&self, i: usize, ws: &[&str]) -> bool {
        let l = self.low(i);
        !l.is_empty() && ws.contains(&l)
    }

    pub fn start(&self, i: usize) -> usize {
        self.toks.get(i).map_or(self.text.len(), |t| t.start)
    }

    pub fn end(&self, i: usize) -> usize {
        self.toks.get(i).map_or(self.text.len(), |t| t.end)
    }

    /// True when token `i` directly follows token `i-1` with no space.
    pub fn glued(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| !t.space_before)
    }

    pub fn is_capitalized(&self, i: usize) -> bool {
        self.text(i)
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase())
    }

    /// Index of the first token starting at or after byte `at`.
    pub fn index_at(&self, at: usize) -> usize {
        self.toks.partition_point(|t| t.start < at)
    }
}

fn tokenize_into(seg: &str, base: usize, out: &mut Vec<Tok>) {
    let b = seg.as_bytes();
    let mut i = 0;
    let mut space = true;
    while i < b.len() {
        let Some(c) = seg.get(i..).and_then(|s| s.chars().next()) else {
            break;
        };
        let w = c.len_utf8();
        if c.is_whitespace() {
            space = true;
            i += w;
            continue;
        }
        let start = i;
        let kind;
        if c.is_ascii_digit() {
            // digits with inner separators, then maybe letters (1990s, 21st)
            let mut j = i;
            while j < b.len() {
                let x = b[j];
                let sep = (x == b',' || x == b'.')
                    && j + 1 < b.len()
                    && b[j + 1].is_ascii_digit()
                    && j > start;
                if !(x.is_ascii_digit() || sep) {
                    break;
                }
                j += 1;
            }
            if j < b.len() && b[j].is_ascii_alphabetic() {
                while j < b.len() && b[j].is_ascii_alphanumeric() {
                    j += 1;
                }
                kind = Kind::Word;
            } else {
                kind = Kind::Num;
            }
            i = j;
        } else if c.is_alphabetic() {
            let mut j = i;
            while let Some(d) = seg.get(j..).and_then(|s| s.chars().next()) {
                if d.is_alphanumeric() {
                    j += d.len_utf8();
                } else if is_apos(d) {
                    // inner apostrophe followed by a letter: didn't, o'clock
                    let next = seg.get(j + d.len_utf8()..).and_then(|s| s.chars().next());
                    match next {
                        Some(n) if n.is_alphabetic() => {
                            // keep possessive 's separate
                            let rest = seg.get(j + d.len_utf8()..).unwrap_or("");
                            let after_s = rest.get(1..).and_then(|s| s.chars().next());
                            if (n == 's' || n == 'S')
                                && !after_s.is_some_and(|a| a.is_alphanumeric())
                            {
                                break;
                            }
                            j += d.len_utf8();
                        }
                        _ => break,
                    }
                } else {
                    break;
                }
            }
            i = j;
            kind = Kind::Word;
        } else {
            i += w;
            kind = Kind::Punct;
        }
        out.push(Tok {
            start: base + start,
            end: base + i,
            kind,
            space_before: space,
        });
        space = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basics() {
        let t = "At least 2,500 didn't go; Syria’s 1990s forty-eight.";
        let tk = Tokens::new(t, &[(0, t.len())]);
        let words: Vec<&str> = (0..tk.len()).map(|i| tk.text(i)).collect();
        assert_eq!(
            words,
            vec![
                "At", "least", "2,500", "didn't", "go", ";", "Syria", "’", "s", "1990s", "forty",
                "-", "eight", "."
            ]
        );
        assert!(tk.glued(11));
    }
}

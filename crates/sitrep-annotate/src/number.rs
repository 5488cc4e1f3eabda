//! Cardinal numbers written with digits or words.

use crate::token::{Kind, Tokens};

/// Value of a units or tens word ("one" .. "ninety").
pub fn small_word(w: &str) -> Option<f64> {
    let v = match w {
        "zero" => 0,
        "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "thirteen" => 13,
        "fourteen" => 14,
        "fifteen" => 15,
        "sixteen" => 16,
        "seventeen" => 17,
        "eighteen" => 18,
        "nineteen" => 19,
        "twenty" => 20,
        "thirty" => 30,
        "forty" => 40,
        "fifty" => 50,
        "sixty" => 60,
        "seventy" => 70,
        "eighty" => 80,
        "ninety" => 90,
        _ => return None,
    };
    Some(v as f64)
}

/// Value of a scale word.
pub fn scale_word(w: &str) -> Option<f64> {
    Some(match w {
        "hundred" => 100.0,
        "thousand" => 1e3,
        "million" | "mln" | "m" => 1e6,
        "billion" | "bn" => 1e9,
        _ => return None,
    })
}

/// Parse digits with thousands separators (`2,500`, `120,000`) or a decimal
/// point (`3.5`). `1,5` style decimal commas are not numbers here.
pub fn parse_digits(s: &str) -> Option<f64> {
    if s.is_empty() || s.len() > 24 {
        return None;
    }
    let commas = s.matches(',').count();
    let dots = s.matches('.').count();
    if commas > 0 {
        // every group after the first must have exactly 3 digits
        let mut parts = s.split('.');
        let int = parts.next()?;
        let frac = parts.next();
        if parts.next().is_some() {
            return None;
        }
        let mut groups = int.split(',');
        let first = groups.next()?;
        if first.is_empty() || first.len() > 3 {
            return None;
        }
        for g in groups {
            if g.len() != 3 {
                return None;
            }
        }
        let cleaned: String = int.chars().filter(|c| *c != ',').collect();
        let mut v: f64 = cleaned.parse().ok()?;
        if let Some(f) = frac {
            let fv: f64 = format!("0.{f}").parse().ok()?;
            v += fv;
        }
        return Some(v);
    }
    if dots > 1 {
        return None;
    }
    if !s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    s.parse().ok()
}

/// A number found in the token stream.
#[derive(Debug, Clone, Copy)]
pub struct Found {
    pub value: f64,
    /// One past the last token of the number.
    pub end: usize,
    /// Written with digits (as opposed to words).
    pub digits: bool,
}

/// Parse a cardinal starting at token `i`: `2,500`, `252 thousand`,
/// `1.5 million`, `forty-eight`, `two hundred and fifty`, `a dozen`,
/// `a hundred`. Bare `a`/`an` are not numbers (callers decide that).
pub fn parse_at(t: &Tokens, i: usize) -> Option<Found> {
    match t.kind(i)? {
        Kind::Num => {
            let mut v = parse_digits(t.text(i))?;
            let mut end = i + 1;
            if let Some(s) = scale_word(t.low(end)).filter(|s| *s >= 1e3 || t.low(end) == "hundred")
            {
                if t.low(end) != "m" || t.glued(end) {
                    v *= s;
                    end += 1;
                }
            }
            Some(Found {
                value: v,
                end,
                digits: true,
            })
        }
        Kind::Word => parse_words(t, i),
        Kind::Punct => None,
    }
}

fn parse_words(t: &Tokens, i: usize) -> Option<Found> {
    let mut j = i;
    let mut total = 0.0;
    let mut current = 0.0;
    let mut any = false;
    // "a dozen", "a hundred", "a thousand"
    if t.is_any(j, &["a", "an", "one"]) {
        match t.low(j + 1) {
            "dozen" => {
                return Some(Found {
                    value: 12.0,
                    end: j + 2,
                    digits: false,
                })
            }
            "hundred" | "thousand" | "million" | "billion" => {
                current = 1.0;
                any = true;
                j += 1;
            }
            _ => {}
        }
    }
    loop {
        let w = t.low(j);
        if let Some(v) = small_word(w) {
            if any && current % 100.0 != 0.0 && current >= 1.0 && v >= 1.0 {
                // "twenty five"? accept only tens + units
                if current % 10.0 == 0.0 && current < 100.0 && v < 10.0 {
                    current += v;
                    j += 1;
                    continue;
                }
                break;
            }
            current += v;
            any = true;
            j += 1;
            // forty-eight
            if t.is(j, "-") && t.glued(j) && t.glued(j + 1) {
                if let Some(u) = small_word(t.low(j + 1)).filter(|u| *u < 10.0 && v >= 20.0) {
                    current += u;
                    j += 2;
                }
            }
            continue;
        }
        if any {
            if let Some(s) = scale_word(w) {
                if w == "m" || w == "bn" || w == "mln" {
                    break;
                }
                if s == 100.0 {
                    current = current.max(1.0) * 100.0;
                } else {
                    total += current.max(1.0) * s;
                    current = 0.0;
                }
                j += 1;
                continue;
            }
            if w == "dozen" {
                current *= 12.0;
                j += 1;
                continue;
            }
            // "two hundred and fifty"
            if w == "and" && small_word(t.low(j + 1)).is_some() && current >= 100.0 {
                j += 1;
                continue;
            }
        }
        break;
    }
    if !any {
        return None;
    }
    Some(Found {
        value: total + current,
        end: j,
        digits: false,
    })
}

/// Parse a whole string as a number (digits or words). For fuzzing and
/// tests; never panics.
pub fn parse_str(s: &str) -> Option<f64> {
    let t = Tokens::new(s, &[(0, s.len())]);
    let f = parse_at(&t, 0)?;
    (f.end == t.len()).then_some(f.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(parse_str("2,500"), Some(2500.0));
        assert_eq!(parse_str("3.5"), Some(3.5));
        assert_eq!(parse_str("252 thousand"), Some(252_000.0));
        assert_eq!(parse_str("1.5 million"), Some(1_500_000.0));
        assert_eq!(parse_str("forty-eight"), Some(48.0));
        assert_eq!(parse_str("two hundred and fifty"), Some(250.0));
        assert_eq!(parse_str("a dozen"), Some(12.0));
        assert_eq!(parse_str("a hundred"), Some(100.0));
        assert_eq!(parse_str("twenty five"), Some(25.0));
        assert_eq!(parse_str("12,34"), None);
        assert_eq!(parse_str("three thousand"), Some(3000.0));
    }
}

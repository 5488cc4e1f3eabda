//! Name folding: the keys under which gazetteer names are indexed and text
//! is looked up. Both sides go through the same functions, so a spelling
//! matches whenever its fold equals the fold of a gazetteer name.
//!
//! * [`light`]: transliterate to ASCII, lower-case, drop apostrophes, every
//!   other run of non-alphanumerics becomes one space ("Ālbū Kamāl" →
//!   "albu kamal", "Deir ez-Zor" → "deir ez zor").
//! * [`heavy`]: on top of that, drop Arabic articles (al-, el-, ez-, ...)
//!   before another word, "Albu" → "Abu", assimilated articles ("Ezzor" →
//!   "zor"), a final "h" after a vowel, then join the words and fold
//!   ou/oo/o → u, q → k, e → i and doubled letters ("al-Boukamal" and
//!   "Al Bukamal" → "bukamal"; "Deir Ezzor" and "Deir ez-Zor" → "dirzur").

/// Arabic (and Romance) article tokens dropped before another word.
const ARTICLES: &[&str] = &[
    "al", "el", "ad", "ar", "as", "an", "at", "az", "ash", "ath", "ed", "er", "es", "et", "ez",
    "il", "ul", "ud", "ur", "us",
];

/// Light fold: ASCII, lower case, single spaces between alphanumeric runs.
pub fn light(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for ch in s.chars() {
        // ASCII (nearly all of it): the same steps as below, without the
        // transliteration table.
        if ch.is_ascii() {
            if ch.is_ascii_alphanumeric() {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.push(ch.to_ascii_lowercase());
            } else if ch != '\'' && ch != '`' {
                pending_space = true;
            }
            continue;
        }
        if ch == '’' || ch == '‘' || ch == 'ʿ' || ch == 'ʾ' {
            continue;
        }
        let mut buf = [0u8; 4];
        let t: &str = if ch.is_ascii() {
            ch.encode_utf8(&mut buf)
        } else {
            deunicode::deunicode_char(ch).unwrap_or(" ")
        };
        for b in t.chars() {
            if b.is_ascii_alphanumeric() {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.push(b.to_ascii_lowercase());
            } else if b != '\'' {
                pending_space = true;
            }
        }
    }
    out
}

/// Heavy fold of an already light-folded string.
pub fn heavy_from_light(l: &str) -> String {
    let toks: Vec<&str> = l.split(' ').filter(|t| !t.is_empty()).collect();
    let n = toks.len();
    let mut joined = String::with_capacity(l.len());
    for (i, tok) in toks.iter().enumerate() {
        let last = i + 1 == n;
        if !last && ARTICLES.contains(tok) {
            continue;
        }
        let mut t: &str = tok;
        let owned;
        if let Some(rest) = t.strip_prefix("albu") {
            owned = format!("abu{rest}");
            t = &owned;
        }
        // Assimilated article glued to a later word: "Ezzor", "Arraqqa".
        let b = t.as_bytes();
        let t = if i > 0
            && b.len() >= 5
            && (b[0] == b'a' || b[0] == b'e')
            && b[1] == b[2]
            && matches!(b[1], b'd' | b'n' | b'r' | b's' | b't' | b'z')
        {
            &t[2..]
        } else {
            t
        };
        let b = t.as_bytes();
        let t = if b.len() > 3
            && b[b.len() - 1] == b'h'
            && matches!(b[b.len() - 2], b'a' | b'e' | b'i' | b'o' | b'u')
        {
            &t[..t.len() - 1]
        } else {
            t
        };
        joined.push_str(t);
    }
    let b = joined.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        let mapped = match (c, next) {
            (b'o', Some(b'u')) | (b'o', Some(b'o')) => {
                i += 1;
                b'u'
            }
            (b'o', _) => b'u',
            (b'q', _) => b'k',
            (b'e', _) => b'i',
            (b'y', _) if i > 0 => b'i',
            _ => c,
        };
        if out.last() != Some(&mapped) {
            out.push(mapped);
        }
        i += 1;
    }
    String::from_utf8(out).unwrap_or_default()
}

/// Heavy fold of raw text.
pub fn heavy(s: &str) -> String {
    heavy_from_light(&light(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn light_folds() {
        assert_eq!(light("Ālbū Kamāl"), "albu kamal");
        assert_eq!(light("Deir ez-Zor"), "deir ez zor");
        assert_eq!(light("Dar'ā"), "dara");
        assert_eq!(light("  São  Paulo! "), "sao paulo");
        assert_eq!(
            light("`Ayn al-'Arab, O'Neil--St. 5"),
            "ayn al arab oneil st 5"
        );
        assert_eq!(light("‘Afrīn’ – Ḥamāh"), "afrin hamah");
    }

    #[test]
    fn town_spellings_share_a_key() {
        let k = heavy("Abu Kamal");
        for s in ["Albu Kamal", "Albukamal", "Ālbū Kamāl", "Abū Kamāl"] {
            assert_eq!(heavy(s), k, "{s}");
        }
        let k = heavy("Al-Bukamal");
        for s in ["al-Boukamal", "Al Bukamal", "Al-Boukamal"] {
            assert_eq!(heavy(s), k, "{s}");
        }
        assert_eq!(heavy("Deir Ezzor"), heavy("Deir ez-Zor"));
        assert_eq!(heavy("Deir Al Zour"), heavy("Deir ez-Zor"));
        assert_eq!(heavy("Raqqa"), heavy("Ar Raqqah"));
        assert_eq!(heavy("Al Qaim"), heavy("Al Qā’im"));
        assert_eq!(heavy("al-Sabkha"), heavy("As Sabkhah"));
    }
}

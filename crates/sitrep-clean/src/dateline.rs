//! Publication dates written in the text: `09-11-2017`, `Wed 05 Apr 2017`,
//! `November 08, 2017 8:01 AM`, `2017-11-09`, `5 April 2017`,
//! `Published: 12 June 2018 10:50 GMT`, `November 2017`.
//!
//! [`DatelineParser::parse`] reads a date at the *start* of a string and
//! says whether it fills the whole line. The cleaner only asks it about
//! dateline positions (lines near the top, and the very start of the text),
//! never about body sentences.

use chrono::NaiveDate;
use regex::Regex;
use sitrep_core::{date::month_from_name, DatePrecision};

/// A date read from the start of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateMatch {
    pub date: NaiveDate,
    pub precision: DatePrecision,
    /// Another day/month reading was possible (`09-11-2017`).
    pub ambiguous: bool,
    /// Byte length of the matched date text (from the line start).
    pub len: usize,
    /// The date is all the line says (apart from a `Published:` prefix,
    /// time, time zone and punctuation).
    pub whole_line: bool,
}

/// Compiled dateline patterns; build once.
#[derive(Debug, Clone)]
pub struct DatelineParser {
    re: Regex,
    rest_ok: Regex,
}

const MONTH: &str = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?";
const WEEKDAY: &str =
    r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|sday|nesday|rsday|urday)?\.?,?\s+";

impl Default for DatelineParser {
    fn default() -> Self {
        Self::new()
    }
}

impl DatelineParser {
    pub fn new() -> Self {
        let time = r"(?:,?\s*(?:at\s+|[-|]\s*)?(?P<hh>\d{1,2})[:.](?P<mi>\d{2})(?::\d{2})?\s*(?P<ap>[ap]\.?m\.?)?)?";
        let pat = format!(
            r"(?ix)^(?:(?:published|posted|updated|last\s+updated|date\s+of\s+publication|date|first\s+published)(?:\s+on|\s+at)?\s*:?\s*)?
            (?:{WEEKDAY})?
            (?:
              (?P<iy>\d{{4}})-(?P<im>\d{{2}})-(?P<id>\d{{2}})(?:[T\s](?P<ih>\d{{2}}):(?P<imi>\d{{2}})(?::\d{{2}}(?:\.\d+)?)?(?:Z|[+-]\d{{2}}:?\d{{2}})?)?
            | (?P<na>\d{{1,2}})[-/.](?P<nb>\d{{1,2}})[-/.](?P<ny>\d{{4}})
            | (?P<dd>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<dm>{MONTH}),?\s+(?P<dy>\d{{4}})
            | (?P<mm>{MONTH})\s+(?P<md>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<my>\d{{4}})
            | (?P<om>{MONTH})\s+(?P<oy>\d{{4}})\b
            )
            {time}"
        );
        let re = Regex::new(&pat).unwrap_or_else(|e| panic!("dateline regex: {e}"));
        let rest_ok = Regex::new(
            r"(?i)^[\s,|\-–—:()]*(?:(?:gmt|utc|[a-z]{2,4}t|[+-]\d{2}:?\d{2})[\s,|\-–—:()]*)?$",
        )
        .unwrap_or_else(|e| panic!("dateline rest regex: {e}"));
        DatelineParser { re, rest_ok }
    }

    /// Read a date at the start of `line` (leading whitespace allowed).
    pub fn parse(&self, line: &str) -> Option<DateMatch> {
        let lead = line.len() - line.trim_start().len();
        let s = line.get(lead..)?;
        let c = self.re.captures(s)?;
        let m0 = c.get(0)?;
        let num = |n: &str| c.name(n).and_then(|m| m.as_str().parse::<u32>().ok());
        let mut ambiguous = false;
        let (y, mo, d, precision) = if let Some(y) = num("iy") {
            let p = if c.name("ih").is_some() {
                DatePrecision::Minute
            } else {
                DatePrecision::Day
            };
            (y, num("im")?, num("id")?, p)
        } else if let Some(y) = num("ny") {
            let (a, b) = (num("na")?, num("nb")?);
            // Day first unless that is impossible.
            if a > 12 && b <= 12 {
                (y, b, a, DatePrecision::Day)
            } else if b > 12 && a <= 12 {
                (y, a, b, DatePrecision::Day)
            } else {
                ambiguous = a != b;
                (y, b, a, DatePrecision::Day)
            }
        } else if let Some(y) = num("dy") {
            (
                y,
                month_from_name(c.name("dm")?.as_str())?,
                num("dd")?,
                DatePrecision::Day,
            )
        } else if let Some(y) = num("my") {
            (
                y,
                month_from_name(c.name("mm")?.as_str())?,
                num("md")?,
                DatePrecision::Day,
            )
        } else if let Some(y) = num("oy") {
            (
                y,
                month_from_name(c.name("om")?.as_str())?,
                1,
                DatePrecision::Month,
            )
        } else {
            return None;
        };
        if !(1900..=2100).contains(&y) {
            return None;
        }
        let date = NaiveDate::from_ymd_opt(y as i32, mo, d)?;
        let mut precision = precision;
        if let (Some(h), Some(mi)) = (num("hh"), num("mi")) {
            let pm = c.name("ap").is_some();
            if mi > 59 || (pm && h > 12) || h > 23 {
                return None;
            }
            if precision == DatePrecision::Day {
                precision = DatePrecision::Minute;
            }
        }
        let len = lead + m0.end();
        let rest = s.get(m0.end()..).unwrap_or("");
        Some(DateMatch {
            date,
            precision,
            ambiguous,
            len,
            whole_line: self.rest_ok.is_match(rest),
        })
    }
}

impl DatelineParser {
    /// Find a dateline inside a scraped header line, where title, outlet and
    /// date were run together ("Rebels shell the town Monitor AFP Friday 22
    /// Jul 2016 ..."). Only a weekday followed by a full date counts, within
    /// the first `HEADER_BYTES` bytes. Returns the byte offset of the match
    /// in `head` and the match (its `len` counted from that offset).
    pub fn find_in_header(&self, head: &str) -> Option<(usize, DateMatch)> {
        let limit = head.len().min(HEADER_BYTES);
        let bytes = head.as_bytes();
        let mut i = 0;
        while i < limit {
            let at_word = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
            if at_word && bytes[i].is_ascii_alphabetic() {
                let word: String = head[i..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphabetic())
                    .collect();
                if sitrep_core::date::weekday_from_name(&word).is_some() {
                    if let Some(m) = head.get(i..).and_then(|rest| self.parse(rest)) {
                        if matches!(m.precision, DatePrecision::Day | DatePrecision::Minute) {
                            return Some((i, m));
                        }
                    }
                }
                // A date glued to its year ("Last updated at Apr 232017").
                if word.eq_ignore_ascii_case("updated") {
                    if let Some(m) = glued(head.get(i..).unwrap_or("")) {
                        return Some((i, m));
                    }
                }
                i += word.len().max(1);
            } else {
                i += 1;
            }
        }
        None
    }
}

/// How far into a document a run-together header dateline may stand.
const HEADER_BYTES: usize = 300;

/// `updated at Apr 232017`: month, two-digit day and year run together.
fn glued(s: &str) -> Option<DateMatch> {
    let mut words = s.split_whitespace();
    let _updated = words.next()?;
    let mut w = words.next()?;
    if w.eq_ignore_ascii_case("at") || w.eq_ignore_ascii_case("on") {
        w = words.next()?;
    }
    let month = month_from_name(w)?;
    let digits = words.next()?;
    if digits.len() != 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let day: u32 = digits.get(..2)?.parse().ok()?;
    let year: i32 = digits.get(2..)?.parse().ok()?;
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let end = s.find(digits)? + digits.len();
    Some(DateMatch {
        date,
        precision: DatePrecision::Day,
        ambiguous: false,
        len: end,
        whole_line: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Option<DateMatch> {
        DatelineParser::new().parse(s)
    }

    #[test]
    fn forms() {
        let m = p("09-11-2017").unwrap();
        assert_eq!(m.date, NaiveDate::from_ymd_opt(2017, 11, 9).unwrap());
        assert!(m.ambiguous && m.whole_line);
        let m = p("Wed 05 Apr 2017 Damascus, the army said").unwrap();
        assert_eq!(m.date, NaiveDate::from_ymd_opt(2017, 4, 5).unwrap());
        assert!(!m.whole_line);
        assert_eq!(m.len, "Wed 05 Apr 2017".len());
        let m = p("November 08, 2017 8:01 AM").unwrap();
        assert_eq!(m.precision, DatePrecision::Minute);
        assert!(m.whole_line);
        let m = p("2017-11-09T08:01:00Z").unwrap();
        assert_eq!(m.precision, DatePrecision::Minute);
        let m = p("5 April 2017").unwrap();
        assert_eq!(m.date, NaiveDate::from_ymd_opt(2017, 4, 5).unwrap());
        let m = p("Published: 12 June 2018 10:50 GMT").unwrap();
        assert!(m.whole_line);
        let m = p("November 2017").unwrap();
        assert_eq!(m.precision, DatePrecision::Month);
        let m = p("25/12/2017").unwrap();
        assert!(!m.ambiguous);
        assert_eq!(m.date, NaiveDate::from_ymd_opt(2017, 12, 25).unwrap());
    }

    #[test]
    fn header_datelines() {
        let d = DatelineParser::new();
        let h = "Rebels shell the old town Monitor AFP Friday 22 Jul 2016 Rebel fire hit";
        let (at, m) = d.find_in_header(h).unwrap();
        assert_eq!(m.date, NaiveDate::from_ymd_opt(2016, 7, 22).unwrap());
        assert_eq!(&h[at..at + m.len], "Friday 22 Jul 2016");
        let h = "Last updated at Apr 232017 An attack on a camp";
        let (at, m) = d.find_in_header(h).unwrap();
        assert_eq!(m.date, NaiveDate::from_ymd_opt(2017, 4, 23).unwrap());
        assert_eq!(&h[at..at + m.len], "updated at Apr 232017");
        // A weekday without a full date is no dateline, nor is one far down.
        assert!(d
            .find_in_header("Troops left on Friday, officials said")
            .is_none());
        let far = format!("{} Friday 22 Jul 2016", "word ".repeat(80));
        assert!(d.find_in_header(&far).is_none());
    }

    #[test]
    fn rejects() {
        assert!(p("31-02-2017").is_none());
        assert!(p("The army said on 5 April 2017").is_none());
        assert!(p("GMT 10:50 2017 Thursday ,26 October").is_none());
        assert!(p("2017").is_none());
        assert!(p("May 2017 was hot").is_some_and(|m| !m.whole_line));
    }
}

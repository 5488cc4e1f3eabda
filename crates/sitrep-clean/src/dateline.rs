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
            r"(?ix)^(?:(?:published|posted|updated|last\s+updated|date|first\s+published)(?:\s+on)?\s*:?\s*)?
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
    fn rejects() {
        assert!(p("31-02-2017").is_none());
        assert!(p("The army said on 5 April 2017").is_none());
        assert!(p("GMT 10:50 2017 Thursday ,26 October").is_none());
        assert!(p("2017").is_none());
        assert!(p("May 2017 was hot").is_some_and(|m| !m.whole_line));
    }
}

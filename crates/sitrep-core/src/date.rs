//! The publication date of a document, with where it came from and how far
//! it can be trusted.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Span;

/// How precise a date is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DatePrecision {
    Minute,
    Day,
    Month,
    Year,
    Unknown,
}

impl DatePrecision {
    pub fn as_str(self) -> &'static str {
        match self {
            DatePrecision::Minute => "minute",
            DatePrecision::Day => "day",
            DatePrecision::Month => "month",
            DatePrecision::Year => "year",
            DatePrecision::Unknown => "unknown",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "minute" => DatePrecision::Minute,
            "day" => DatePrecision::Day,
            "month" => DatePrecision::Month,
            "year" => DatePrecision::Year,
            "unknown" => DatePrecision::Unknown,
            _ => return None,
        })
    }
}

/// Where a publication date came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DateOrigin {
    /// A `--published` flag on the command line.
    Flag,
    /// A sidecar `meta.jsonl` next to the file.
    Sidecar,
    /// The `published` field of a JSON Lines record.
    Record,
    /// A dateline found in the text itself.
    Dateline,
    /// HTML markup of the page: `<meta property="article:published_time">`,
    /// `<time datetime>` and the like.
    Markup,
    /// When the page was fetched (a WARC record's `WARC-Date`, a record's
    /// `crawled` field): an upper bound, used only when nothing above gives
    /// a date, and at day precision.
    Crawl,
    /// Nothing said when the document was published.
    Unknown,
}

impl DateOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            DateOrigin::Flag => "flag",
            DateOrigin::Sidecar => "sidecar",
            DateOrigin::Record => "record",
            DateOrigin::Dateline => "dateline",
            DateOrigin::Markup => "markup",
            DateOrigin::Crawl => "crawl",
            DateOrigin::Unknown => "unknown",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "flag" => DateOrigin::Flag,
            "sidecar" => DateOrigin::Sidecar,
            "record" => DateOrigin::Record,
            "dateline" => DateOrigin::Dateline,
            "markup" => DateOrigin::Markup,
            "crawl" => DateOrigin::Crawl,
            "unknown" => DateOrigin::Unknown,
            _ => return None,
        })
    }
}

/// A document's publication date.
///
/// Architecture invariant: sitrep never invents a date. When nothing states
/// one, `date` is `None`, `precision` is `Unknown` and `origin` is `Unknown`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedDate {
    /// The day (first day of the month or year for coarser precisions).
    pub date: Option<NaiveDate>,
    pub precision: DatePrecision,
    pub origin: DateOrigin,
    /// True when the source allowed another reading, such as `09-11-2017`
    /// (9 November or 11 September); `date` holds the preferred reading.
    #[serde(default)]
    pub ambiguous: bool,
    /// The text the date was read from, verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Where in the document text a dateline was found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

impl PublishedDate {
    pub fn unknown() -> Self {
        PublishedDate {
            date: None,
            precision: DatePrecision::Unknown,
            origin: DateOrigin::Unknown,
            ambiguous: false,
            text: None,
            span: None,
        }
    }

    /// Parse a machine-written date as metadata supplies it: `2017`,
    /// `2017-11`, `2017-11-09`, `2017/11/09`, `2017-11-09T08:01`,
    /// `2017-11-09T08:01:00Z`, `2017-11-09 08:01:00+03:00`. The calendar day
    /// is taken as written (no time-zone conversion). Returns `None` for
    /// anything else, including impossible dates; never guesses.
    pub fn parse_supplied(s: &str, origin: DateOrigin) -> Option<PublishedDate> {
        let t = s.trim();
        let b = t.as_bytes();
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = b.get(r)?;
            if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
                return None;
            }
            std::str::from_utf8(part).ok()?.parse().ok()
        };
        let year = num(0..4)? as i32;
        let (date, precision) = match b.len() {
            4 => (NaiveDate::from_ymd_opt(year, 1, 1)?, DatePrecision::Year),
            7 if matches!(b[4], b'-' | b'/') => (
                NaiveDate::from_ymd_opt(year, num(5..7)?, 1)?,
                DatePrecision::Month,
            ),
            n if n >= 10 && matches!(b[4], b'-' | b'/') && b[7] == b[4] => {
                let d = NaiveDate::from_ymd_opt(year, num(5..7)?, num(8..10)?)?;
                if n == 10 {
                    (d, DatePrecision::Day)
                } else {
                    // A time must follow: `T` or a space, then HH:MM.
                    if !matches!(b[10], b'T' | b't' | b' ') {
                        return None;
                    }
                    let h = num(11..13)?;
                    let m = num(14..16)?;
                    if b.get(13) != Some(&b':') || h > 23 || m > 59 {
                        return None;
                    }
                    (d, DatePrecision::Minute)
                }
            }
            _ => return None,
        };
        Some(PublishedDate {
            date: Some(date),
            precision,
            origin,
            ambiguous: false,
            text: Some(t.to_string()),
            span: None,
        })
    }

    pub fn is_known(&self) -> bool {
        self.date.is_some()
    }

    /// `2017-11-09`, `2017-11`, `2017` or `unknown`, as the precision allows.
    pub fn display(&self) -> String {
        match (self.date, self.precision) {
            (None, _) | (_, DatePrecision::Unknown) => "unknown".into(),
            (Some(d), DatePrecision::Year) => d.format("%Y").to_string(),
            (Some(d), DatePrecision::Month) => d.format("%Y-%m").to_string(),
            (Some(d), _) => d.format("%Y-%m-%d").to_string(),
        }
    }
}

impl Default for PublishedDate {
    fn default() -> Self {
        Self::unknown()
    }
}

/// English month names and their usual abbreviations, 1-based.
pub fn month_from_name(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_ascii_lowercase();
    let m = match w.as_str() {
        "january" | "jan" => 1,
        "february" | "feb" => 2,
        "march" | "mar" => 3,
        "april" | "apr" => 4,
        "may" => 5,
        "june" | "jun" => 6,
        "july" | "jul" => 7,
        "august" | "aug" => 8,
        "september" | "sep" | "sept" => 9,
        "october" | "oct" => 10,
        "november" | "nov" => 11,
        "december" | "dec" => 12,
        _ => return None,
    };
    Some(m)
}

/// English weekday names and abbreviations, Monday = 0.
pub fn weekday_from_name(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_ascii_lowercase();
    let d = match w.as_str() {
        "monday" | "mon" => 0,
        "tuesday" | "tue" | "tues" => 1,
        "wednesday" | "wed" => 2,
        "thursday" | "thu" | "thur" | "thurs" => 3,
        "friday" | "fri" => 4,
        "saturday" | "sat" => 5,
        "sunday" | "sun" => 6,
        _ => return None,
    };
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_respects_precision() {
        let mut d = PublishedDate::unknown();
        assert_eq!(d.display(), "unknown");
        d.date = NaiveDate::from_ymd_opt(2017, 11, 9);
        d.precision = DatePrecision::Month;
        assert_eq!(d.display(), "2017-11");
        d.precision = DatePrecision::Day;
        assert_eq!(d.display(), "2017-11-09");
    }

    #[test]
    fn parse_supplied_precisions() {
        let p = |s| PublishedDate::parse_supplied(s, DateOrigin::Sidecar);
        assert_eq!(p("2018-06-12").unwrap().precision, DatePrecision::Day);
        assert_eq!(p("2018-06").unwrap().precision, DatePrecision::Month);
        assert_eq!(p("2018").unwrap().precision, DatePrecision::Year);
        let m = p("2017-11-08T20:01:00+03:00").unwrap();
        assert_eq!(m.precision, DatePrecision::Minute);
        assert_eq!(m.display(), "2017-11-08");
        assert!(p("2017-02-30").is_none());
        assert!(p("yesterday").is_none());
        assert!(p("2017-11-08X").is_none());
        assert!(p("").is_none());
        assert!(p("2017-1é-08").is_none());
    }

    #[test]
    fn names() {
        assert_eq!(month_from_name("Sept."), Some(9));
        assert_eq!(month_from_name("Nov"), Some(11));
        assert_eq!(month_from_name("Novembre"), None);
        assert_eq!(weekday_from_name("Wed"), Some(2));
    }
}

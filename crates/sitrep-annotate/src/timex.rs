//! Time expressions: TimeML TIMEX3 type, value and the days they cover.
//!
//! A left-to-right scan over tokens; at each token every matcher is tried
//! and the longest match wins. Relative expressions are resolved against the
//! publication date; without one they keep their type, get no value and a
//! diagnostic.

use chrono::{Datelike, NaiveDate};
use sitrep_core::annotation::{TimeInterval, TimePrecision, Timex, TimexType};
use sitrep_core::date::{month_from_name, weekday_from_name};
use sitrep_core::{Diagnostic, Span};

use crate::calendar::{add_days, point_of, sub_units, Point, Unit};
use crate::number;
use crate::token::{Kind, Tokens};

/// What a matcher found.
#[derive(Debug, Clone)]
enum Val {
    Point(Point),
    /// A TimeML value string with an optional interval (durations, refs).
    Str(String, Option<TimeInterval>),
    /// Relative, but there is no anchor.
    Unresolved,
}

#[derive(Debug, Clone)]
struct Hit {
    end: usize,
    kind: TimexType,
    val: Val,
    modifier: Option<&'static str>,
    relative: bool,
}

impl Hit {
    fn new(end: usize, kind: TimexType, val: Val, relative: bool) -> Self {
        Hit {
            end,
            kind,
            val,
            modifier: None,
            relative,
        }
    }
}

pub struct Ctx<'t, 'a> {
    pub t: &'t Tokens<'a>,
    pub dct: Option<NaiveDate>,
    /// Token index where each token's sentence starts.
    pub sent_start: &'t [usize],
    pub sent_end: &'t [usize],
}

fn month_word(t: &Tokens, i: usize) -> Option<u32> {
    month_word_after(t, i, false)
}

/// A month name at `i`; `after_day` relaxes the checks for abbreviations
/// and "May" when a day number precedes ("8 Nov", "5 May").
fn month_word_after(t: &Tokens, i: usize, after_day: bool) -> Option<u32> {
    let w = t.text(i);
    if after_day {
        return if t.is_capitalized(i) && w.len() >= 3 {
            month_from_name(w)
        } else {
            None
        };
    }
    if !t.is_capitalized(i) || w.len() < 3 {
        return None;
    }
    let m = month_from_name(w)?;
    // abbreviations must be followed by a dot or a number
    let full = w.len() >= 5 || matches!(t.low(i), "june" | "july" | "may");
    if !(full || t.is(i + 1, ".") || t.kind(i + 1) == Some(Kind::Num)) {
        return None;
    }
    // "May" is a month only next to a number or after a time preposition
    if t.low(i) == "may"
        && t.kind(i + 1) != Some(Kind::Num)
        && !(i > 0
            && t.is_any(
                i - 1,
                &[
                    "in", "since", "of", "early", "late", "mid", "until", "by", "last", "next",
                    "this", "-",
                ],
            ))
    {
        return None;
    }
    Some(m)
}

fn weekday_word(t: &Tokens, i: usize) -> Option<u32> {
    if !t.is_capitalized(i) {
        return None;
    }
    let w = t.low(i);
    let full = w.ends_with("day");
    let d = weekday_from_name(w)?;
    if !(full || t.is(i + 1, ",") || t.kind(i + 1) == Some(Kind::Num) || t.is(i + 1, ".")) {
        return None;
    }
    Some(d)
}

fn day_number(t: &Tokens, i: usize) -> Option<u32> {
    let w = t.low(i);
    let digits: &str = match t.kind(i)? {
        Kind::Num => w,
        Kind::Word => {
            let d = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
            let suf = w.get(d.len()..).unwrap_or("");
            if !matches!(suf, "st" | "nd" | "rd" | "th") {
                return None;
            }
            d
        }
        Kind::Punct => return None,
    };
    if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let d: u32 = digits.parse().ok()?;
    (1..=31).contains(&d).then_some(d)
}

fn year_number(t: &Tokens, i: usize) -> Option<i32> {
    if t.kind(i)? != Kind::Num {
        return None;
    }
    let w = t.text(i);
    if w.len() != 4 || !w.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let y: i32 = w.parse().ok()?;
    (1000..=2199).contains(&y).then_some(y)
}

fn part_of_day(w: &str) -> Option<&'static str> {
    Some(match w {
        "morning" => "MO",
        "afternoon" => "AF",
        "evening" => "EV",
        "night" | "overnight" => "NI",
        _ => return None,
    })
}

const FUTURE_WORDS: &[&str] = &[
    "will",
    "would",
    "shall",
    "'ll",
    "upcoming",
    "scheduled",
    "expected",
    "plans",
    "planned",
    "planning",
    "due",
    "next",
    "coming",
    "intends",
    "aims",
];
const PAST_WORDS: &[&str] = &[
    "said",
    "was",
    "were",
    "had",
    "did",
    "took",
    "began",
    "launched",
    "last",
    "ago",
    "told",
    "reported",
    "announced",
    "killed",
    "died",
];

impl<'t, 'a> Ctx<'t, 'a> {
    /// Whether the clause around token `i` talks about the future.
    fn future(&self, i: usize) -> bool {
        let t = self.t;
        let s = self.sent_start.get(i).copied().unwrap_or(0);
        let e = self.sent_end.get(i).copied().unwrap_or(t.len());
        let mut j = i;
        let mut steps = 0;
        while j > s && steps < 10 {
            j -= 1;
            steps += 1;
            let w = t.low(j);
            if FUTURE_WORDS.contains(&w) {
                return true;
            }
            if PAST_WORDS.contains(&w) || (w.len() > 4 && w.ends_with("ed")) {
                return false;
            }
        }
        let mut j = i + 1;
        while j < e && j < i + 6 {
            let w = t.low(j);
            if FUTURE_WORDS.contains(&w) {
                return true;
            }
            if PAST_WORDS.contains(&w) || (w.len() > 4 && w.ends_with("ed")) {
                return false;
            }
            j += 1;
        }
        false
    }

    fn rel(&self, end: usize, kind: TimexType, f: impl FnOnce(NaiveDate) -> Option<Point>) -> Hit {
        match self.dct {
            Some(d) => match f(d) {
                Some(p) => Hit::new(end, kind, Val::Point(p), true),
                None => Hit::new(end, kind, Val::Unresolved, true),
            },
            None => Hit::new(end, kind, Val::Unresolved, true),
        }
    }

    fn rel_str(&self, end: usize, kind: TimexType, v: &str) -> Hit {
        Hit::new(end, kind, Val::Str(v.to_string(), None), true)
    }

    /// Resolve a month (and maybe day) without a year.
    fn month_day_year(&self, i: usize, m: u32, d: Option<u32>) -> Option<Point> {
        let dct = self.dct?;
        let fut = self.future(i);
        let mk = |y: i32| -> Option<Point> {
            match d {
                Some(d) => NaiveDate::from_ymd_opt(y, m, d).map(Point::Day),
                None => Some(Point::Month(y, m)),
            }
        };
        let this = mk(dct.year())?;
        let start = this.interval()?.start;
        let this_end = this.interval()?.end;
        if fut {
            if this_end < dct {
                mk(dct.year() + 1)
            } else {
                Some(this)
            }
        } else if start > add_days(dct, 60)? {
            // well after the anchor: last year's (a near date in the
            // coming weeks is more likely this year's, said ahead of time)
            mk(dct.year() - 1)
        } else {
            Some(this)
        }
    }

    fn weekday(
        &self,
        i: usize,
        wd: u32,
        shift_weeks: i64,
        explicit: Option<&str>,
    ) -> Option<NaiveDate> {
        let dct = self.dct?;
        let cur = dct.weekday().num_days_from_monday() as i64;
        let wd = wd as i64;
        match explicit {
            Some("last") | Some("past") | Some("previous") => {
                let back = (cur - wd).rem_euclid(7);
                let back = if back == 0 { 7 } else { back };
                add_days(dct, -back)
            }
            Some("next") | Some("coming") => {
                let fwd = (wd - cur).rem_euclid(7);
                let fwd = if fwd == 0 { 7 } else { fwd };
                add_days(dct, fwd + 7 * shift_weeks)
            }
            Some("this") => add_days(dct, wd - cur),
            _ => {
                if self.future(i) {
                    let fwd = (wd - cur).rem_euclid(7);
                    let fwd = if fwd == 0 { 7 } else { fwd };
                    add_days(dct, fwd)
                } else {
                    add_days(dct, -((cur - wd).rem_euclid(7)))
                }
            }
        }
    }

    // ------------------------------------------------------------------
    // matchers

    /// Absolute dates and month/weekday based dates.
    fn date(&self, i: usize) -> Option<Hit> {
        let t = self.t;
        // Weekday, then optionally a comma and a full date
        if let Some(wd) = weekday_word(t, i) {
            let mut j = i + 1;
            if t.is(j, ".") {
                j += 1;
            }
            if t.is(j, ",") {
                j += 1;
            }
            if let Some(h) = self.abs_date(j) {
                return Some(h);
            }
            // weekday + part of day
            let (pod, end) = match part_of_day(t.low(i + 1)) {
                Some(p) => (Some(p), i + 2),
                None => (None, i + 1),
            };
            let kind = if pod.is_some() {
                TimexType::Time
            } else {
                TimexType::Date
            };
            return Some(self.rel(end, kind, |_| {
                let d = self.weekday(i, wd, 0, None)?;
                Some(match pod {
                    Some(p) => Point::PartOfDay(d, p),
                    None => Point::Day(d),
                })
            }));
        }
        self.abs_date(i)
    }

    fn abs_date(&self, i: usize) -> Option<Hit> {
        let t = self.t;
        // ISO 2017-11-08 and 09-11-2017 / 11/09/2017
        if t.kind(i) == Some(Kind::Num)
            && t.is_any(i + 1, &["-", "/", "."])
            && t.glued(i + 1)
            && t.glued(i + 2)
            && t.kind(i + 2) == Some(Kind::Num)
            && t.low(i + 3) == t.low(i + 1)
            && t.glued(i + 3)
            && t.glued(i + 4)
            && t.kind(i + 4) == Some(Kind::Num)
        {
            let (a, b, c) = (t.text(i), t.text(i + 2), t.text(i + 4));
            let pa: Option<u32> = a.parse().ok();
            let pb: Option<u32> = b.parse().ok();
            let pc: Option<i32> = c.parse().ok();
            if let (Some(x), Some(y), Some(z)) = (pa, pb, pc) {
                if a.len() == 4 {
                    let d = NaiveDate::from_ymd_opt(x as i32, y, z as u32)?;
                    return Some(Hit::new(
                        i + 5,
                        TimexType::Date,
                        Val::Point(Point::Day(d)),
                        false,
                    ));
                }
                let year = match c.len() {
                    4 => z,
                    2 => {
                        if z < 50 {
                            2000 + z
                        } else {
                            1900 + z
                        }
                    }
                    _ => return None,
                };
                let dm = NaiveDate::from_ymd_opt(year, y, x); // day first
                let md = NaiveDate::from_ymd_opt(year, x, y); // month first
                let d = match (dm, md) {
                    (Some(a), Some(b)) if a != b => {
                        // prefer the reading closest to the anchor, else day first
                        match self.dct {
                            Some(dct) => {
                                if (a - dct).num_days().abs() <= (b - dct).num_days().abs() {
                                    a
                                } else {
                                    b
                                }
                            }
                            None => a,
                        }
                    }
                    (Some(a), _) => a,
                    (None, Some(b)) => b,
                    (None, None) => return None,
                };
                return Some(Hit::new(
                    i + 5,
                    TimexType::Date,
                    Val::Point(Point::Day(d)),
                    false,
                ));
            }
        }
        // Month [day][,] [year]
        if let Some(m) = month_word(t, i) {
            let mut j = i + 1;
            if t.is(j, ".") && t.text(i).len() <= 4 && t.low(i) != "june" && t.low(i) != "july" {
                j += 1;
            }
            if let Some(d) = day_number(t, j) {
                let mut k = j + 1;
                if t.is(k, ",") {
                    k += 1;
                }
                return self.day_month_year(i, j + 1, k, m, d);
            }
            let mut k = j;
            if t.is(k, ",") || t.is(k, "of") {
                k += 1;
            }
            if let Some(y) = year_number(t, k) {
                return Some(Hit::new(
                    k + 1,
                    TimexType::Date,
                    Val::Point(Point::Month(y, m)),
                    false,
                ));
            }
            return Some(self.rel(j, TimexType::Date, |_| self.month_day_year(i, m, None)));
        }
        // [the] Day[th] [of] Month [year]
        let (s, the) = if t.is(i, "the") {
            (i + 1, true)
        } else {
            (i, false)
        };
        if let Some(d) = day_number(t, s) {
            let mut j = s + 1;
            if t.is(j, "of") {
                j += 1;
            }
            if let Some(m) = month_word_after(t, j, true) {
                let mut k = j + 1;
                if t.is(k, ".") && t.text(j).len() <= 4 && year_number(t, k + 1).is_some() {
                    k += 1;
                }
                if t.is(k, ",") && year_number(t, k + 1).is_some() {
                    k += 1;
                }
                return self.day_month_year(i, j + 1, k, m, d);
            }
        }
        // decades: 1990s, the 1990s
        let w = t.low(s);
        if w.len() == 5 && w.ends_with("0s") && w.bytes().take(4).all(|b| b.is_ascii_digit()) {
            let y: i32 = w.get(..4)?.parse().ok()?;
            return Some(Hit::new(
                s + 1,
                TimexType::Date,
                Val::Point(Point::Decade(y)),
                false,
            ));
        }
        if the {
            return None;
        }
        // a bare year
        if let Some(y) = year_number(t, i) {
            if !self.year_is_count(i) {
                return Some(Hit::new(
                    i + 1,
                    TimexType::Date,
                    Val::Point(Point::Year(y)),
                    false,
                ));
            }
        }
        None
    }

    /// A day and month, with the year at token `k` if there is one there,
    /// else resolved against the anchor (the match then ends at `end`).
    fn day_month_year(&self, i: usize, end: usize, k: usize, m: u32, d: u32) -> Option<Hit> {
        if let Some(y) = year_number(self.t, k) {
            let p = NaiveDate::from_ymd_opt(y, m, d).map(Point::Day)?;
            return Some(Hit::new(k + 1, TimexType::Date, Val::Point(p), false));
        }
        Some(self.rel(end, TimexType::Date, |_| self.month_day_year(i, m, Some(d))))
    }

    /// A 4-digit number that is a count rather than a year.
    fn year_is_count(&self, i: usize) -> bool {
        let t = self.t;
        if i > 0
            && (t.is_any(i - 1, &["$", "£", "€", "#", "no", "number", "resolution"])
                || t.glued(i) && t.kind(i - 1) == Some(Kind::Word))
        {
            return true;
        }
        let next = t.low(i + 1);
        matches!(next, "%" | "percent" | "per")
            || crate::quantity::is_count_noun(next)
            || (t.is(i + 1, "-") && t.glued(i + 1))
    }

    /// Clock times: 10:50, 3 p.m., 18:00 UTC, noon.
    fn time(&self, i: usize) -> Option<Hit> {
        let t = self.t;
        let (h, m, mut j) = if t.kind(i) == Some(Kind::Num)
            && t.is(i + 1, ":")
            && t.glued(i + 1)
            && t.glued(i + 2)
            && t.kind(i + 2) == Some(Kind::Num)
        {
            let h: u32 = t.text(i).parse().ok()?;
            let m: u32 = t.text(i + 2).parse().ok()?;
            if h > 24 || m > 59 || t.text(i + 2).len() != 2 {
                return None;
            }
            (h, m, i + 3)
        } else if t.kind(i) == Some(Kind::Num) && t.text(i).len() <= 2 {
            // 3 pm / 3 p.m.
            let h: u32 = t.text(i).parse().ok()?;
            if h == 0 || h > 12 {
                return None;
            }
            (h, 0, i + 1)
        } else if t.is_any(i, &["noon", "midday", "midnight"]) {
            let h = if t.is(i, "midnight") { 0 } else { 12 };
            return Some(self.rel(i + 1, TimexType::Time, |d| {
                Some(Point::Time(d, h, 0, false))
            }));
        } else {
            return None;
        };
        let mut h = h;
        let mut ampm = false;
        let a = t.low(j);
        if matches!(a, "am" | "pm") {
            ampm = true;
            if a == "pm" && h < 12 {
                h += 12;
            }
            j += 1;
        } else if matches!(a, "a" | "p") && t.is(j + 1, ".") && t.is(j + 2, "m") {
            ampm = true;
            if a == "p" && h < 12 {
                h += 12;
            }
            j += 3;
            if t.is(j, ".") {
                j += 1;
            }
        }
        if j == i + 1 && !ampm {
            return None;
        }
        let mut z = false;
        if t.is_any(j, &["utc", "gmt"]) {
            z = true;
            j += 1;
        } else if t.is(j, "local") && t.is(j + 1, "time") {
            j += 2;
        }
        // a following day: today, Monday, on Monday, November 9
        let mut k = j;
        if t.is(k, "on") {
            k += 1;
        }
        let day: Option<(usize, Option<Point>, bool)> = if t.is(k, "today") {
            Some((k + 1, self.dct.map(Point::Day), true))
        } else if let Some(hit) = self.date(k) {
            match hit.val {
                Val::Point(Point::Day(d)) => Some((hit.end, Some(Point::Day(d)), hit.relative)),
                _ => None,
            }
        } else {
            None
        };
        let (end, base, relative) = match day {
            Some((e, Some(Point::Day(d)), r)) => (e, Some(d), r),
            _ => (j, self.dct, true),
        };
        Some(match base {
            Some(d) => Hit::new(
                end,
                TimexType::Time,
                Val::Point(Point::Time(d, h, m, z)),
                relative,
            ),
            None => Hit::new(end, TimexType::Time, Val::Unresolved, true),
        })
    }

    /// today, yesterday, tonight, now, this morning, recently, ...
    fn deictic(&self, i: usize) -> Option<Hit> {
        let t = self.t;
        let w = t.low(i);
        if t.is_capitalized(i)
            && i > 0
            && t.is_capitalized(i - 1)
            && t.kind(i - 1) == Some(Kind::Word)
            && self.sent_start.get(i).is_some_and(|&s| s < i)
        {
            return None; // "Arabs Today", "USA Today"
        }
        let day_shift = match w {
            "today" => Some(0),
            "yesterday" => Some(-1),
            "tomorrow" => Some(1),
            "tonight" => {
                return Some(self.rel(i + 1, TimexType::Time, |d| Some(Point::PartOfDay(d, "NI"))))
            }
            _ => None,
        };
        if let Some(sh) = day_shift {
            if let Some(p) = part_of_day(t.low(i + 1)) {
                return Some(self.rel(i + 2, TimexType::Time, |d| {
                    Some(Point::PartOfDay(add_days(d, sh)?, p))
                }));
            }
            return Some(self.rel(i + 1, TimexType::Date, |d| {
                Some(Point::Day(add_days(d, sh)?))
            }));
        }
        if (w == "earlier" || w == "later") && t.is(i + 1, "today") {
            return Some(self.rel(i + 2, TimexType::Date, |d| Some(Point::Day(d))));
        }
        if w == "this" || w == "last" {
            if let Some(p) = part_of_day(t.low(i + 1)) {
                let sh = if w == "last" { -1 } else { 0 };
                let p = if w == "last" && p == "NI" { "NI" } else { p };
                return Some(self.rel(i + 2, TimexType::Time, |d| {
                    Some(Point::PartOfDay(
                        add_days(d, if p == "NI" { sh } else { 0 })?,
                        p,
                    ))
                }));
            }
        }
        let refv = match w {
            "now" | "currently" | "nowadays" | "presently" | "current" | "ongoing" => {
                Some("PRESENT_REF")
            }
            "recently" | "previously" | "formerly" | "recent" => Some("PAST_REF"),
            "soon" => Some("FUTURE_REF"),
            _ => None,
        };
        if let Some(v) = refv {
            if w == "now" && (t.is(i.wrapping_sub(1), "from") || t.is(i + 1, "that")) {
                return None;
            }
            if w == "recent" {
                // recent weeks/days/months/years
                if let Some(u) =
                    Unit::from_word(t.low(i + 1)).filter(|_| t.low(i + 1).ends_with('s'))
                {
                    let mut h = self.rel_str(i + 2, TimexType::Date, "PAST_REF");
                    if let (Some(d), Val::Str(_, iv)) = (self.dct, &mut h.val) {
                        *iv = sub_units(d, u, 3.0).map(|s| TimeInterval {
                            start: s,
                            end: d,
                            precision: unit_precision(u),
                        });
                    }
                    return Some(h);
                }
            }
            return Some(self.rel_str(i + 1, TimexType::Date, v));
        }
        if w == "more" && t.is(i + 1, "recently") {
            return Some(self.rel_str(i + 2, TimexType::Date, "PAST_REF"));
        }
        if (w == "at" && t.is(i + 1, "present"))
            || (w == "the" && t.is(i + 1, "present") && !t.is(i + 2, "-"))
        {
            return Some(self.rel_str(i + 2, TimexType::Date, "PRESENT_REF"));
        }
        if w == "the" && t.is_any(i + 1, &["past", "future"]) {
            let nx = t.low(i + 2);
            if nx.is_empty()
                || t.kind(i + 2) == Some(Kind::Punct)
                || matches!(nx, "and" | "or" | "as" | "is" | "was" | "the" | "that")
            {
                let v = if t.is(i + 1, "past") {
                    "PAST_REF"
                } else {
                    "FUTURE_REF"
                };
                return Some(self.rel_str(i + 2, TimexType::Date, v));
            }
        }
        if w == "the" && t.is_any(i + 1, &["near", "long", "short"]) && t.is(i + 2, "term") {
            return Some(self.rel_str(i + 3, TimexType::Date, "FUTURE_REF"));
        }
        None
    }

    /// this/last/next/past/coming + unit, month, weekday or season.
    fn relative(&self, i: usize) -> Option<Hit> {
        let t = self.t;
        let w = t.low(i);
        let (dir, mut j): (i64, usize) = match w {
            "this" | "current" => (0, i + 1),
            "last" | "past" | "previous" => (-1, i + 1),
            "next" | "coming" | "following" => (1, i + 1),
            "the"
                if t.is_any(
                    i + 1,
                    &[
                        "last",
                        "past",
                        "previous",
                        "next",
                        "coming",
                        "following",
                        "current",
                    ],
                ) =>
            {
                let d = match t.low(i + 1) {
                    "current" => 0,
                    "next" | "coming" | "following" => 1,
                    _ => -1,
                };
                (d, i + 2)
            }
            _ => return None,
        };
        let has_the = w == "the";
        // "the past nine days", "the last 48 hours", "the last few days": durations
        if dir != 0 {
            if let Some((n, u, e)) = self.count_unit(j) {
                let val = u.duration(n);
                let iv = self.dct.and_then(|d| {
                    let s = if dir < 0 {
                        sub_units(d, u, n.unwrap_or(3.0))?
                    } else {
                        d
                    };
                    let e = if dir < 0 { d } else { add_days(d, 7)? };
                    Some(TimeInterval {
                        start: s,
                        end: e,
                        precision: unit_precision(u),
                    })
                });
                if dir > 0 {
                    return Some(Hit::new(e, TimexType::Duration, Val::Str(val, None), false));
                }
                return Some(Hit::new(
                    e,
                    TimexType::Duration,
                    Val::Str(val, iv),
                    self.dct.is_some(),
                ));
            }
        }
        let nw = t.low(j);
        if let Some(u) = Unit::from_word(nw) {
            if nw.ends_with('s') || matches!(u, Unit::Second | Unit::Minute | Unit::Hour) {
                return None;
            }
            if has_the && u == Unit::Day {
                return None;
            }
            j += 1;
            // "the last week of March" is left to the parts
            return Some(self.rel(j, TimexType::Date, |d| point_of(u, d)?.shift(dir)));
        }
        if let Some(m) = month_word(t, j) {
            return Some(self.rel(j + 1, TimexType::Date, |d| {
                let y = d.year();
                let y = match dir {
                    -1 => {
                        if m < d.month() {
                            y
                        } else {
                            y - 1
                        }
                    }
                    1 => {
                        if m > d.month() {
                            y
                        } else {
                            y + 1
                        }
                    }
                    _ => y,
                };
                Some(Point::Month(y, m))
            }));
        }
        if let Some(wd) = weekday_word(t, j) {
            let ex = match dir {
                -1 => "last",
                1 => "next",
                _ => "this",
            };
            let (pod, end) = match part_of_day(t.low(j + 1)) {
                Some(p) => (Some(p), j + 2),
                None => (None, j + 1),
            };
            return Some(self.rel(end, TimexType::Date, |_| {
                let d = self.weekday(i, wd, 0, Some(ex))?;
                Some(match pod {
                    Some(p) => Point::PartOfDay(d, p),
                    None => Point::Day(d),
                })
            }));
        }
        if let Some(s) = season(nw) {
            return Some(self.rel(j + 1, TimexType::Date, |d| {
                Some(Point::Season(d.year() + dir as i32, s))
            }));
        }
        None
    }

    /// A count and a unit: "three years", "72 hours", "a few days",
    /// "several weeks", "two and a half years", "72-hour". Returns the
    /// number (None when vague), the unit and the end token.
    fn count_unit(&self, i: usize) -> Option<(Option<f64>, Unit, usize)> {
        let t = self.t;
        let w = t.low(i);
        let (n, mut j): (Option<f64>, usize) = match w {
            "a" | "an" | "one" if Unit::from_word(t.low(i + 1)).is_some() => (Some(1.0), i + 1),
            "few" | "several" | "many" | "some" | "numerous" => (None, i + 1),
            "a" if t.is(i + 1, "few") || t.is(i + 1, "couple") => {
                if t.is(i + 1, "couple") && t.is(i + 2, "of") {
                    (Some(2.0), i + 3)
                } else {
                    (None, i + 2)
                }
            }
            _ => {
                let f = number::parse_at(t, i)?;
                if f.digits && t.text(i).contains(',') {
                    return None;
                }
                let mut v = f.value;
                let mut j = f.end;
                if t.is(j, "and") && t.is(j + 1, "a") && t.is(j + 2, "half") {
                    v += 0.5;
                    j += 3;
                }
                (Some(v), j)
            }
        };
        // 72-hour
        let hyphen = t.is(j, "-") && t.glued(j) && t.glued(j + 1);
        if hyphen {
            j += 1;
        }
        let uw = t.low(j);
        let u = Unit::from_word(uw)?;
        if u == Unit::Weekend {
            return None;
        }
        // "one day" in "one day later" fine; "a year and a half"
        let mut n = n;
        let mut end = j + 1;
        if t.is(end, "and") && t.is(end + 1, "a") && t.is(end + 2, "half") {
            n = n.map(|v| v + 0.5);
            end += 3;
        }
        if hyphen && t.is(end, "-") && t.is(end + 1, "old") {
            return None; // ages: 12-year-old
        }
        if t.is(end, "old") {
            return None; // 12 years old
        }
        if hyphen && t.is(end, "long") {
            end += 1;
        }
        Some((n, u, end))
    }

    /// Durations and "N units ago".
    fn duration(&self, i: usize) -> Option<Hit> {
        let t = self.t;
        // qualifiers that TimeML keeps in the span
        let (q, s) = match t.low(i) {
            "nearly" | "almost" => (Some("LESS_THAN"), i + 1),
            "about" | "around" | "approximately" | "roughly" => (Some("APPROX"), i + 1),
            "over" => (Some("MORE_THAN"), i + 1),
            "more" | "less" if t.is(i + 1, "than") => (
                Some(if t.is(i, "more") {
                    "MORE_THAN"
                } else {
                    "LESS_THAN"
                }),
                i + 2,
            ),
            _ => (None, i),
        };
        let (n, u, end) = self.count_unit(s)?;
        // "three days ago" / "a week ago"
        if t.is(end, "ago")
            || t.is(end, "earlier") && self.dct.is_some() && t.is_any(end + 1, &[".", ","])
        {
            let nn = n.unwrap_or(3.0);
            let unresolved_vague = n.is_none();
            let mut h = self.rel(end + 1, TimexType::Date, |d| {
                let back = sub_units(d, u, nn)?;
                point_of(u, back)
            });
            if unresolved_vague {
                h.val = Val::Str("PAST_REF".into(), None);
            }
            h.modifier = q;
            return Some(h);
        }
        // bare "day"/"year" without a number is not a duration
        if n.is_none() && !t.low(end - 1).ends_with('s') && !t.is(end - 1, "long") {
            return None;
        }
        let mut h = Hit::new(
            end,
            TimexType::Duration,
            Val::Str(u.duration(n), None),
            false,
        );
        h.modifier = q;
        Some(h)
    }

    /// Modified dates: early/mid/late X, the end/beginning/start of X,
    /// earlier/later this X.
    fn modified(&self, i: usize) -> Option<Hit> {
        let t = self.t;
        let (m, j) = match t.low(i) {
            "early" | "earlier" => ("START", i + 1),
            "mid" => ("MID", if t.is(i + 1, "-") { i + 2 } else { i + 1 }),
            "late" | "later" => ("END", i + 1),
            "the" | "end" | "beginning" | "start" | "middle" => {
                let k = if t.is(i, "the") { i + 1 } else { i };
                let m = match t.low(k) {
                    "end" => "END",
                    "beginning" | "start" => "START",
                    "middle" => "MID",
                    _ => return None,
                };
                if !t.is(k + 1, "of") {
                    return None;
                }
                (m, k + 2)
            }
            _ => return None,
        };
        let j = if t.is(j, "on") || t.is(j, "in") {
            j + 1
        } else {
            j
        };
        let inner = self
            .date(j)
            .or_else(|| self.relative(j))
            .or_else(|| self.the_year(j))?;
        if inner.kind != TimexType::Date {
            return None;
        }
        let mut h = inner;
        h.modifier = Some(m);
        if let Val::Point(p) = h.val {
            // narrow the interval to the part
            if let Some(iv) = p.interval() {
                h.val = Val::Str(p.value(), Some(part_interval(iv, m)));
            }
        }
        Some(h)
    }

    /// "the year", "the month", "the week" (with "of"/"previous" forms
    /// left out) and quarters.
    fn the_year(&self, i: usize) -> Option<Hit> {
        let t = self.t;
        if !t.is(i, "the") {
            return None;
        }
        // quarters: the first quarter [of 2009 | of this year | of last year]
        let q = match t.low(i + 1) {
            "first" => Some(1),
            "second" => Some(2),
            "third" => Some(3),
            "fourth" | "final" | "last" => Some(4),
            _ => None,
        };
        if let Some(q) = q {
            if t.is(i + 2, "quarter") {
                let mut j = i + 3;
                if t.is(j, "of") {
                    if let Some(y) = year_number(t, j + 1) {
                        return Some(Hit::new(
                            j + 2,
                            TimexType::Date,
                            Val::Point(Point::Quarter(y, q)),
                            false,
                        ));
                    }
                    if let Some(r) = self.relative(j + 1) {
                        if let Val::Point(Point::Year(y)) = r.val {
                            return Some(Hit::new(
                                r.end,
                                TimexType::Date,
                                Val::Point(Point::Quarter(y, q)),
                                true,
                            ));
                        }
                        if matches!(r.val, Val::Unresolved) {
                            return Some(Hit::new(r.end, TimexType::Date, Val::Unresolved, true));
                        }
                    }
                    j = i + 3;
                }
                let fut = self.future(i);
                return Some(self.rel(j, TimexType::Date, |d| {
                    let cur = (d.month() - 1) / 3 + 1;
                    let y = if !fut && q > cur {
                        d.year() - 1
                    } else {
                        d.year()
                    };
                    Some(Point::Quarter(y, q))
                }));
            }
        }
        if t.is(i + 1, "year")
            && !t.is_any(i + 2, &["-", "before", "after", "earlier", "later"])
            && self.dct.is_some()
        {
            return None;
        }
        None
    }

    /// Sets: every day, each year, daily, weekly, annual.
    fn set(&self, i: usize) -> Option<Hit> {
        let t = self.t;
        let w = t.low(i);
        let v = match w {
            "daily" => "P1D",
            "weekly" => "P1W",
            "monthly" => "P1M",
            "annually" | "yearly" | "annual" => "P1Y",
            "hourly" => "PT1H",
            "every" | "each" => {
                if let Some(u) = Unit::from_word(t.low(i + 1)) {
                    if t.low(i + 1).ends_with('s') {
                        return None;
                    }
                    return Some(Hit::new(
                        i + 2,
                        TimexType::Set,
                        Val::Str(u.duration(Some(1.0)), None),
                        false,
                    ));
                }
                if let Some(wd) = weekday_word(t, i + 1) {
                    let v = format!("XXXX-WXX-{}", wd + 1);
                    return Some(Hit::new(i + 2, TimexType::Set, Val::Str(v, None), false));
                }
                return None;
            }
            _ => return None,
        };
        // "daily" as a noun ("the daily said") is rare enough
        Some(Hit::new(
            i + 1,
            TimexType::Set,
            Val::Str(v.into(), None),
            false,
        ))
    }

    /// Seasons with a year: "summer 2012", "the spring of 2009".
    fn season_year(&self, i: usize) -> Option<Hit> {
        let t = self.t;
        let s = season(t.low(i))?;
        let mut j = i + 1;
        if t.is(j, "of") {
            j += 1;
        }
        let y = year_number(t, j)?;
        Some(Hit::new(
            j + 1,
            TimexType::Date,
            Val::Point(Point::Season(y, s)),
            false,
        ))
    }

    fn try_all(&self, i: usize) -> Option<Hit> {
        if !may_start(self.t, i) {
            return None;
        }
        let mut best: Option<Hit> = None;
        let cands = [
            self.modified(i),
            self.time(i),
            self.date(i),
            self.deictic(i),
            self.relative(i),
            self.duration(i),
            self.the_year(i),
            self.set(i),
            self.season_year(i),
        ];
        for h in cands.into_iter().flatten() {
            if h.end <= i {
                continue;
            }
            if best.as_ref().is_none_or(|b| h.end > b.end) {
                best = Some(h);
            }
        }
        best
    }
}

/// Whether a time expression can start at token `i`: numbers, capitalised
/// words and a closed list of lower-case openers. Keeps the matchers off
/// most tokens.
fn may_start(t: &Tokens, i: usize) -> bool {
    match t.kind(i) {
        Some(Kind::Num) => return true,
        Some(Kind::Word) => {}
        _ => return false,
    }
    let w = t.low(i);
    if t.is_capitalized(i) || w.as_bytes().first().is_some_and(|b| b.is_ascii_digit()) {
        return true;
    }
    number::small_word(w).is_some()
        || matches!(
            w,
            "today"
                | "yesterday"
                | "tomorrow"
                | "tonight"
                | "now"
                | "currently"
                | "nowadays"
                | "presently"
                | "current"
                | "ongoing"
                | "recently"
                | "previously"
                | "formerly"
                | "recent"
                | "soon"
                | "more"
                | "at"
                | "the"
                | "this"
                | "last"
                | "past"
                | "previous"
                | "next"
                | "coming"
                | "following"
                | "early"
                | "earlier"
                | "mid"
                | "late"
                | "later"
                | "end"
                | "beginning"
                | "start"
                | "middle"
                | "a"
                | "an"
                | "few"
                | "several"
                | "many"
                | "some"
                | "numerous"
                | "nearly"
                | "almost"
                | "about"
                | "around"
                | "approximately"
                | "roughly"
                | "over"
                | "less"
                | "every"
                | "each"
                | "daily"
                | "weekly"
                | "monthly"
                | "annually"
                | "yearly"
                | "annual"
                | "hourly"
                | "noon"
                | "midday"
                | "midnight"
                | "spring"
                | "summer"
                | "autumn"
                | "fall"
                | "winter"
        )
}

fn season(w: &str) -> Option<&'static str> {
    Some(match w {
        "spring" => "SP",
        "summer" => "SU",
        "autumn" | "fall" => "FA",
        "winter" => "WI",
        _ => return None,
    })
}

fn unit_precision(u: Unit) -> TimePrecision {
    match u {
        Unit::Second | Unit::Minute => TimePrecision::Minute,
        Unit::Hour => TimePrecision::Hour,
        Unit::Day => TimePrecision::Day,
        Unit::Week | Unit::Weekend => TimePrecision::Week,
        Unit::Month => TimePrecision::Month,
        Unit::Quarter => TimePrecision::Quarter,
        Unit::Year => TimePrecision::Year,
        Unit::Decade => TimePrecision::Decade,
        Unit::Century => TimePrecision::Century,
    }
}

/// The first, middle or last third of an interval.
fn part_interval(iv: TimeInterval, m: &str) -> TimeInterval {
    let days = (iv.end - iv.start).num_days().max(0);
    let third = days / 3;
    let (s, e) = match m {
        "START" => (iv.start, add_days(iv.start, third).unwrap_or(iv.end)),
        "END" => (add_days(iv.end, -third).unwrap_or(iv.start), iv.end),
        _ => (
            add_days(iv.start, third).unwrap_or(iv.start),
            add_days(iv.end, -third).unwrap_or(iv.end),
        ),
    };
    let precision = match iv.precision {
        TimePrecision::Month => TimePrecision::PartOfMonth,
        p => p,
    };
    TimeInterval {
        start: s,
        end: e,
        precision,
    }
}

/// Find the time expressions in `t`.
pub fn tag(ctx: &Ctx, diags: &mut Vec<Diagnostic>) -> Vec<Timex> {
    let t = ctx.t;
    let mut out = Vec::new();
    let mut i = 0;
    while i < t.len() {
        // cheap filter: timexes start with a word or a number
        if t.kind(i) == Some(Kind::Punct) {
            i += 1;
            continue;
        }
        // a timex never crosses a sentence end
        let Some(mut h) = ctx.try_all(i) else {
            i += 1;
            continue;
        };
        let send = ctx.sent_end.get(i).copied().unwrap_or(t.len());
        if h.end > send {
            h.end = send;
        }
        // trim trailing punctuation
        let mut end = h.end;
        while end > i + 1 && t.kind(end - 1) == Some(Kind::Punct) && !t.is(end - 1, ".") {
            end -= 1;
        }
        if end > i + 1
            && t.is(end - 1, ".")
            && !(t.kind(end - 2) == Some(Kind::Word) && t.text(end - 2).len() <= 4)
        {
            end -= 1;
        }
        let span = Span::new(t.start(i), t.end(end - 1));
        let (value, interval) = match &h.val {
            Val::Point(p) => (Some(p.value()), p.interval()),
            Val::Str(v, iv) => (Some(v.clone()), *iv),
            Val::Unresolved => (None, None),
        };
        if value.is_none() {
            diags.push(
                Diagnostic::warning(
                    "timex.unanchored",
                    format!(
                        "relative time expression {:?} not resolved: no publication date",
                        span.slice(t.text)
                    ),
                )
                .with_span(span),
            );
        }
        out.push(Timex {
            span,
            kind: h.kind,
            value,
            modifier: h.modifier.map(str::to_string),
            relative: h.relative,
            interval,
        });
        i = h.end.max(i + 1);
    }
    out
}

/// Parse a whole string as a date with an optional anchor; for fuzzing and
/// tests. Returns the TimeML value of the first expression found.
pub fn parse_date_str(s: &str, dct: Option<NaiveDate>) -> Option<String> {
    let t = Tokens::new(s, &[(0, s.len())]);
    let n = t.len();
    let ss = vec![0; n];
    let se = vec![n; n];
    let ctx = Ctx {
        t: &t,
        dct,
        sent_start: &ss,
        sent_end: &se,
    };
    let mut d = Vec::new();
    tag(&ctx, &mut d).into_iter().next().and_then(|x| x.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Option<String> {
        parse_date_str(s, NaiveDate::from_ymd_opt(2017, 11, 10))
    }

    const CASES: &[(&str, &str)] = &[
        ("November 8, 2017", "2017-11-08"),
        ("8 November 2017", "2017-11-08"),
        ("8 Nov", "2017-11-08"),
        ("2017-11-08", "2017-11-08"),
        ("09-11-2017", "2017-11-09"),
        ("November 2017", "2017-11"),
        ("in 2014", "2014"),
        ("the 1990s", "199"),
        ("Thursday night", "2017-11-09TNI"),
        ("last week", "2017-W44"),
        ("this month", "2017-11"),
        ("last year", "2016"),
        ("two days ago", "2017-11-08"),
        ("72 hours", "PT72H"),
        ("three years", "P3Y"),
        ("several weeks", "PXW"),
        ("in the last 48 hours", "PT48H"),
        ("every day", "P1D"),
        ("weekly", "P1W"),
        ("yesterday", "2017-11-09"),
        ("early this month", "2017-11"),
        ("18:00 UTC", "2017-11-10T18:00Z"),
        ("the third quarter of 2009", "2009-Q3"),
    ];

    #[test]
    fn formats() {
        let mut bad = Vec::new();
        for (s, want) in CASES {
            let got = v(s);
            if got.as_deref() != Some(*want) {
                bad.push(format!("{s:?}: got {got:?}, want {want}"));
            }
        }
        assert!(bad.is_empty(), "{}", bad.join("\n"));
        assert_eq!(parse_date_str("on Friday", None), None);
    }
}

//! Calendar points (day, week, month, ...) with their TimeML value and the
//! days they cover.

use chrono::{Datelike, Days, Months, NaiveDate};
use sitrep_core::annotation::{TimeInterval, TimePrecision};

/// A calendar unit of time, as used in durations and relative expressions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Quarter,
    Year,
    Decade,
    Century,
    Weekend,
}

impl Unit {
    pub fn from_word(w: &str) -> Option<Unit> {
        Some(match w {
            "second" | "seconds" | "sec" | "secs" => Unit::Second,
            "minute" | "minutes" | "min" | "mins" => Unit::Minute,
            "hour" | "hours" | "hrs" | "hr" => Unit::Hour,
            "day" | "days" => Unit::Day,
            "week" | "weeks" => Unit::Week,
            "month" | "months" => Unit::Month,
            "quarter" | "quarters" => Unit::Quarter,
            "year" | "years" => Unit::Year,
            "decade" | "decades" => Unit::Decade,
            "century" | "centuries" => Unit::Century,
            "weekend" | "weekends" => Unit::Weekend,
            _ => return None,
        })
    }

    /// TimeML duration: `P3D`, `PT72H`, `P10Y` (decades in years).
    pub fn duration(self, n: Option<f64>) -> String {
        let (t, letter, mult) = match self {
            Unit::Second => ("T", "S", 1.0),
            Unit::Minute => ("T", "M", 1.0),
            Unit::Hour => ("T", "H", 1.0),
            Unit::Day => ("", "D", 1.0),
            Unit::Week | Unit::Weekend => ("", "W", 1.0),
            Unit::Month => ("", "M", 1.0),
            Unit::Quarter => ("", "Q", 1.0),
            Unit::Year => ("", "Y", 1.0),
            Unit::Decade => ("", "Y", 10.0),
            Unit::Century => ("", "Y", 100.0),
        };
        match n {
            Some(v) => {
                let v = v * mult;
                if v.fract() == 0.0 {
                    format!("P{t}{}{letter}", v as i64)
                } else {
                    format!("P{t}{v}{letter}")
                }
            }
            None => {
                if self == Unit::Decade {
                    "PXDE".to_string()
                } else if self == Unit::Century {
                    "PXCE".to_string()
                } else {
                    format!("P{t}X{letter}")
                }
            }
        }
    }
}

/// A resolved calendar point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Point {
    Day(NaiveDate),
    /// Day plus `MO`, `AF`, `EV` or `NI`.
    PartOfDay(NaiveDate, &'static str),
    /// A day and a clock time; `z` for UTC/GMT.
    Time(NaiveDate, u32, u32, bool),
    /// The ISO week containing the day.
    Week(NaiveDate),
    Weekend(NaiveDate),
    Month(i32, u32),
    Season(i32, &'static str),
    Quarter(i32, u32),
    Year(i32),
    Decade(i32),
    Century(i32),
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

pub fn last_day_of_month(y: i32, m: u32) -> Option<NaiveDate> {
    let first = ymd(y, m, 1)?;
    first.checked_add_months(Months::new(1))?.pred_opt()
}

impl Point {
    pub fn value(&self) -> String {
        match *self {
            Point::Day(d) => d.format("%Y-%m-%d").to_string(),
            Point::PartOfDay(d, p) => format!("{}T{p}", d.format("%Y-%m-%d")),
            Point::Time(d, h, m, z) => {
                format!(
                    "{}T{h:02}:{m:02}{}",
                    d.format("%Y-%m-%d"),
                    if z { "Z" } else { "" }
                )
            }
            Point::Week(d) => {
                let w = d.iso_week();
                format!("{:04}-W{:02}", w.year(), w.week())
            }
            Point::Weekend(d) => {
                let w = d.iso_week();
                format!("{:04}-W{:02}-WE", w.year(), w.week())
            }
            Point::Month(y, m) => format!("{y:04}-{m:02}"),
            Point::Season(y, s) => format!("{y:04}-{s}"),
            Point::Quarter(y, q) => format!("{y:04}-Q{q}"),
            Point::Year(y) => format!("{y:04}"),
            Point::Decade(y) => format!("{:03}", y.div_euclid(10)),
            Point::Century(y) => format!("{:02}", y.div_euclid(100)),
        }
    }

    pub fn interval(&self) -> Option<TimeInterval> {
        let (start, end, precision) = match *self {
            Point::Day(d) => (d, d, TimePrecision::Day),
            Point::PartOfDay(d, _) => (d, d, TimePrecision::PartOfDay),
            Point::Time(d, ..) => (d, d, TimePrecision::Minute),
            Point::Week(d) => {
                let mon =
                    d.checked_sub_days(Days::new(d.weekday().num_days_from_monday() as u64))?;
                (
                    mon,
                    mon.checked_add_days(Days::new(6))?,
                    TimePrecision::Week,
                )
            }
            Point::Weekend(d) => {
                let mon =
                    d.checked_sub_days(Days::new(d.weekday().num_days_from_monday() as u64))?;
                (
                    mon.checked_add_days(Days::new(5))?,
                    mon.checked_add_days(Days::new(6))?,
                    TimePrecision::Week,
                )
            }
            Point::Month(y, m) => (
                ymd(y, m, 1)?,
                last_day_of_month(y, m)?,
                TimePrecision::Month,
            ),
            Point::Season(y, s) => {
                let (a, b, ya, yb) = match s {
                    "SP" => (3, 5, y, y),
                    "SU" => (6, 8, y, y),
                    "FA" => (9, 11, y, y),
                    _ => (12, 2, y, y + 1),
                };
                (
                    ymd(ya, a, 1)?,
                    last_day_of_month(yb, b)?,
                    TimePrecision::Season,
                )
            }
            Point::Quarter(y, q) => {
                let a = (q.clamp(1, 4) - 1) * 3 + 1;
                (
                    ymd(y, a, 1)?,
                    last_day_of_month(y, a + 2)?,
                    TimePrecision::Quarter,
                )
            }
            Point::Year(y) => (ymd(y, 1, 1)?, ymd(y, 12, 31)?, TimePrecision::Year),
            Point::Decade(y) => {
                let a = y.div_euclid(10) * 10;
                (ymd(a, 1, 1)?, ymd(a + 9, 12, 31)?, TimePrecision::Decade)
            }
            Point::Century(y) => {
                let a = y.div_euclid(100) * 100;
                (ymd(a, 1, 1)?, ymd(a + 99, 12, 31)?, TimePrecision::Century)
            }
        };
        Some(TimeInterval {
            start,
            end,
            precision,
        })
    }

    /// The same kind of point shifted by `n` of its own units.
    pub fn shift(&self, n: i64) -> Option<Point> {
        Some(match *self {
            Point::Day(d) => Point::Day(add_days(d, n)?),
            Point::PartOfDay(d, p) => Point::PartOfDay(add_days(d, n)?, p),
            Point::Time(d, h, m, z) => Point::Time(add_days(d, n)?, h, m, z),
            Point::Week(d) => Point::Week(add_days(d, n * 7)?),
            Point::Weekend(d) => Point::Weekend(add_days(d, n * 7)?),
            Point::Month(y, m) => {
                let idx = y as i64 * 12 + (m as i64 - 1) + n;
                Point::Month(idx.div_euclid(12) as i32, (idx.rem_euclid(12) + 1) as u32)
            }
            Point::Season(y, s) => Point::Season(y + n as i32, s),
            Point::Quarter(y, q) => {
                let idx = y as i64 * 4 + (q as i64 - 1) + n;
                Point::Quarter(idx.div_euclid(4) as i32, (idx.rem_euclid(4) + 1) as u32)
            }
            Point::Year(y) => Point::Year(y.checked_add(n as i32)?),
            Point::Decade(y) => Point::Decade(y.checked_add(n as i32 * 10)?),
            Point::Century(y) => Point::Century(y.checked_add(n as i32 * 100)?),
        })
    }
}

pub fn add_days(d: NaiveDate, n: i64) -> Option<NaiveDate> {
    if n >= 0 {
        d.checked_add_days(Days::new(n as u64))
    } else {
        d.checked_sub_days(Days::new(n.unsigned_abs()))
    }
}

/// The point of `unit` that contains day `d`.
pub fn point_of(unit: Unit, d: NaiveDate) -> Option<Point> {
    Some(match unit {
        Unit::Second | Unit::Minute | Unit::Hour | Unit::Day => Point::Day(d),
        Unit::Week => Point::Week(d),
        Unit::Weekend => Point::Weekend(d),
        Unit::Month => Point::Month(d.year(), d.month()),
        Unit::Quarter => Point::Quarter(d.year(), (d.month() - 1) / 3 + 1),
        Unit::Year => Point::Year(d.year()),
        Unit::Decade => Point::Decade(d.year()),
        Unit::Century => Point::Century(d.year()),
    })
}

/// `d` minus `n` units (fractions of days round down to whole days).
pub fn sub_units(d: NaiveDate, unit: Unit, n: f64) -> Option<NaiveDate> {
    let n = if n.is_finite() {
        n.clamp(0.0, 100_000.0)
    } else {
        0.0
    };
    let days = |k: f64| add_days(d, -(k.ceil() as i64));
    match unit {
        Unit::Second => days(n / 86_400.0),
        Unit::Minute => days(n / 1440.0),
        Unit::Hour => days(n / 24.0),
        Unit::Day => days(n),
        Unit::Week | Unit::Weekend => days(n * 7.0),
        Unit::Month => d.checked_sub_months(Months::new(n.ceil() as u32)),
        Unit::Quarter => d.checked_sub_months(Months::new((n * 3.0).ceil() as u32)),
        Unit::Year => d.checked_sub_months(Months::new((n * 12.0).ceil() as u32)),
        Unit::Decade => d.checked_sub_months(Months::new((n * 120.0).ceil() as u32)),
        Unit::Century => d.checked_sub_months(Months::new((n * 1200.0).ceil() as u32)),
    }
}

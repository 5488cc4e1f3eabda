//! Golden tests on the five seed reports, read at run time from
//! `../shared/seeds` (skipped with a message when absent).

use chrono::NaiveDate;
use sitrep_annotate::Annotator;
use sitrep_core::annotation::{
    Annotations, CountedGroup, ModalityKind, Outcome, Qualifier, QuantityUnit, TimePrecision,
    TimexType,
};

const SEEDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/seeds");

struct Seed {
    text: String,
    ann: Annotations,
}

fn load(prefix: &str, date: Option<&str>) -> Option<Seed> {
    let dir = std::path::Path::new(SEEDS);
    let Ok(rd) = std::fs::read_dir(dir) else {
        eprintln!("skipping: seeds not found at {SEEDS}");
        return None;
    };
    let path = rd.filter_map(|e| e.ok()).map(|e| e.path()).find(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(prefix) && n.ends_with(".txt"))
    })?;
    let text = std::fs::read_to_string(path).ok()?;
    let dct = date.and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let ann = Annotator::new().annotate_text(
        &text,
        &sitrep_annotate::line_ranges(&text),
        dct,
        Some("Outlet"),
    );
    Some(Seed { text, ann })
}

impl Seed {
    fn timex(&self, text: &str) -> &sitrep_core::annotation::Timex {
        self.ann
            .timexes
            .iter()
            .find(|t| t.span.slice(&self.text) == text)
            .unwrap_or_else(|| panic!("no timex {text:?}"))
    }
    fn qty(&self, text: &str) -> &sitrep_core::annotation::Quantity {
        self.ann
            .quantities
            .iter()
            .find(|q| q.span.slice(&self.text) == text)
            .unwrap_or_else(|| panic!("no quantity {text:?}"))
    }
    fn src(&self, s: Option<sitrep_core::Span>) -> &str {
        s.map_or("", |s| s.slice(&self.text))
    }
}

#[test]
fn seed_000_june_2018() {
    let Some(s) = load("000_", Some("2018-06-12")) else {
        return;
    };
    assert_eq!(s.timex("Friday").value.as_deref(), Some("2018-06-08"));
    assert_eq!(s.timex("Monday").value.as_deref(), Some("2018-06-11"));
    let h = s.timex("72 hours");
    assert_eq!(
        (h.kind, h.value.as_deref()),
        (TimexType::Duration, Some("PT72H"))
    );
    let q = s.qty("At least 48");
    assert_eq!(q.qualifier, Qualifier::AtLeast);
    assert_eq!((q.value.low, q.value.high), (Some(48.0), None));
    assert_eq!(q.outcome, Some(Outcome::Killed));
    assert_eq!(q.group, Some(CountedGroup::Forces));
    let q = s.qty("32");
    assert_eq!(
        (q.outcome, q.group),
        (Some(Outcome::Killed), Some(CountedGroup::Fighters))
    );
    // 72 hours is not a count
    assert!(s
        .ann
        .quantities
        .iter()
        .all(|q| q.span.slice(&s.text) != "72"));
    let a = s
        .ann
        .attributions
        .iter()
        .find(|a| s.src(a.source) == "the Observatory")
        .expect("the Observatory");
    assert_eq!(
        a.resolved.as_deref(),
        Some("Syrian Observatory for Human Rights")
    );
    assert_eq!(a.reported_by.as_deref(), Some("Outlet"));
    assert!(s
        .ann
        .attributions
        .iter()
        .any(|a| s.src(a.source) == "the Syrian Observatory for Human Rights"));
}

#[test]
fn seed_000_without_date_does_not_guess() {
    let Some(s) = load("000_", None) else {
        return;
    };
    let f = s.timex("Friday");
    assert_eq!(f.value, None);
    assert!(f.relative);
    assert!(s
        .ann
        .diagnostics
        .iter()
        .any(|d| d.code == "timex.unanchored"));
    // absolute and durations still resolve
    assert_eq!(s.timex("72 hours").value.as_deref(), Some("PT72H"));
}

#[test]
fn seed_001_early_this_month() {
    let Some(s) = load("001_", Some("2017-11-19")) else {
        return;
    };
    let e = s.timex("early this month");
    assert_eq!(e.value.as_deref(), Some("2017-11"));
    assert_eq!(e.modifier.as_deref(), Some("START"));
    let iv = e.interval.expect("interval");
    assert_eq!(iv.start, NaiveDate::from_ymd_opt(2017, 11, 1).unwrap());
    assert_eq!(iv.precision, TimePrecision::PartOfMonth);
    assert_eq!(s.timex("Sunday").value.as_deref(), Some("2017-11-19"));
    assert_eq!(s.timex("few days").value.as_deref(), Some("PXD"));
    assert_eq!(s.timex("three years").value.as_deref(), Some("P3Y"));
    let l = s.timex("the last few days");
    assert_eq!(l.kind, TimexType::Duration);
    assert_eq!(
        l.interval.map(|i| i.end),
        NaiveDate::from_ymd_opt(2017, 11, 19)
    );
    let q = s.qty("at least 31");
    assert_eq!(
        (q.value.low, q.outcome),
        (Some(31.0), Some(Outcome::Killed))
    );
    assert_eq!(q.group, Some(CountedGroup::Forces));
    let q = s.qty("more than 50");
    assert_eq!((q.value.low, q.value.high), (Some(51.0), None));
    assert_eq!(
        (q.group, q.outcome),
        (Some(CountedGroup::Fighters), Some(Outcome::Killed))
    );
    let a = s
        .ann
        .attributions
        .iter()
        .find(|a| a.verb == "tell")
        .expect("told");
    assert_eq!((s.src(a.source), s.src(a.channel)), ("a source", "AFP"));
    let sohr = s
        .ann
        .attributions
        .iter()
        .find(|a| s.src(a.source) == "the SOHR")
        .expect("the SOHR");
    assert_eq!(
        sohr.resolved.as_deref(),
        Some("Syrian Observatory for Human Rights")
    );
}

#[test]
fn seed_002_range_and_numeric_date() {
    let Some(s) = load("002_", Some("2017-11-09")) else {
        return;
    };
    let q = s.qty("Between 2,500 and 3,500");
    assert_eq!(q.qualifier, Qualifier::Between);
    assert_eq!((q.value.low, q.value.high), (Some(2500.0), Some(3500.0)));
    assert_eq!(q.group, Some(CountedGroup::Fighters));
    let p = s.qty("more than 96 percent");
    assert_eq!(p.unit, QuantityUnit::Percent);
    assert_eq!(p.group, Some(CountedGroup::Territory));
    assert_eq!(s.timex("09-11-2017").value.as_deref(), Some("2017-11-09"));
    assert_eq!(s.timex("Thursday").value.as_deref(), Some("2017-11-09"));
    assert!(s
        .ann
        .attributions
        .iter()
        .any(|a| a.verb == "according-to" && s.src(a.source) == "the coalition"));
    // "Gen." does not end a sentence
    assert!(s
        .ann
        .sentences
        .iter()
        .all(|x| !x.span.slice(&s.text).ends_with("Gen.")));
}

#[test]
fn seed_003_denial_and_modality() {
    let Some(s) = load("003_", Some("2017-11-08")) else {
        return;
    };
    let m = |kind: ModalityKind, trig: &str| {
        s.ann
            .modalities
            .iter()
            .any(|m| m.kind == kind && m.trigger.slice(&s.text) == trig)
    };
    assert!(m(ModalityKind::Denial, "denied"));
    assert!(s
        .ann
        .modalities
        .iter()
        .any(|x| x.kind == ModalityKind::Hypothetical
            && x.scope.slice(&s.text).starts_with("would pave the way")));
    assert!(s.ann.modalities.iter().any(
        |x| x.kind == ModalityKind::Future && x.scope.slice(&s.text).starts_with("would enter")
    ));
    let a = s
        .ann
        .attributions
        .iter()
        .find(|a| s.src(a.channel) == "AFP")
        .expect("source told AFP");
    assert!(s.src(a.source).starts_with("A source from"));
    assert_eq!(s.timex("Wednesday").value.as_deref(), Some("2017-11-08"));
    assert_eq!(s.timex("Friday").value.as_deref(), Some("2017-11-03"));
    assert_eq!(s.timex("last week").value.as_deref(), Some("2017-W44"));
    assert_eq!(s.timex("several weeks").value.as_deref(), Some("PXW"));
    let q = s.qty("an estimated 120,000");
    assert_eq!(
        (q.outcome, q.value.best),
        (Some(Outcome::Displaced), Some(120000.0))
    );
    let q = s.qty("Tens of thousands");
    assert_eq!(q.value.low, Some(10000.0));
    // the dateline stays with its sentence
    assert!(s.ann.sentences.iter().any(|x| {
        let t = x.span.slice(&s.text);
        t.starts_with("BEIRUT") && t.contains("Syrian troops")
    }));
}

#[test]
fn seed_004_thursday_night() {
    let Some(s) = load("004_", Some("2017-11-10")) else {
        return;
    };
    let t = s.timex("Thursday night");
    assert_eq!(
        (t.kind, t.value.as_deref()),
        (TimexType::Time, Some("2017-11-09TNI"))
    );
    assert_eq!(s.timex("Friday").value.as_deref(), Some("2017-11-10"));
    let q = s.qty("more than 40 percent");
    assert_eq!(
        (q.unit, q.outcome),
        (QuantityUnit::Percent, Some(Outcome::Territory))
    );
    let q = s.qty("nearly half");
    assert_eq!((q.value.best, q.value.high), (Some(50.0), Some(50.0)));
    let q = s.qty("Nearly 252 thousand");
    assert_eq!(q.value.best, Some(252_000.0));
    assert_eq!(q.outcome, Some(Outcome::Displaced));
    let civ = s.qty("104");
    assert_eq!(
        (civ.group, civ.outcome),
        (Some(CountedGroup::Civilians), Some(Outcome::Killed))
    );
    let ch = s.qty("29");
    assert_eq!(
        (ch.group, ch.outcome),
        (Some(CountedGroup::Children), Some(Outcome::Killed))
    );
    assert!(ch.part_of.is_some());
    let dz = s.qty("dozens");
    assert_eq!(
        (dz.value.low, dz.outcome),
        (Some(12.0), Some(Outcome::Casualties))
    );
    let a = s
        .ann
        .attributions
        .iter()
        .find(|a| s.src(a.channel) == "Agence France Presse")
        .expect("told AFP");
    assert!(s.src(a.source).starts_with("Rami Abdel Rahman"));
    // "bastion.Meanwhile" splits
    assert!(s
        .ann
        .sentences
        .iter()
        .any(|x| x.span.slice(&s.text).starts_with("Meanwhile, the US-led")));
    // the outlet name "Arabs Today" is not a date
    assert!(s
        .ann
        .timexes
        .iter()
        .all(|t| t.span.slice(&s.text) != "Today"));
}

//! Snapshot tests on fictional fixture reports (tests/fixtures/*.txt),
//! rendered as one compact line per mention.

use chrono::NaiveDate;
use sitrep_annotate::{line_ranges, Annotator};
use sitrep_core::annotation::Annotations;
use sitrep_core::Span;

fn fixture(name: &str) -> String {
    let p = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/");
    std::fs::read_to_string(format!("{p}{name}")).unwrap_or_default()
}

fn n(v: Option<f64>) -> String {
    v.map_or("-".into(), |x| format!("{x}"))
}

/// One line per mention: kind, text and normalised value.
fn render(text: &str, a: &Annotations) -> Vec<String> {
    let s = |sp: Span| sp.slice(text).to_string();
    let mut out = Vec::new();
    for x in &a.sentences {
        let t = s(x.span);
        let head: String = t.chars().take(30).collect();
        out.push(format!(
            "sentence {}..{} {head:?}",
            x.span.start, x.span.end
        ));
    }
    for x in &a.timexes {
        let iv = x.interval.map_or(String::new(), |i| {
            format!(" [{}..{} {:?}]", i.start, i.end, i.precision)
        });
        out.push(format!(
            "timex {:?} {} {}{}{}",
            s(x.span),
            x.kind.as_str(),
            x.value.as_deref().unwrap_or("null"),
            x.modifier
                .as_deref()
                .map_or(String::new(), |m| format!(" mod={m}")),
            iv
        ));
    }
    for x in &a.quantities {
        out.push(format!(
            "quantity {:?} {:?} {:?} low={} best={} high={} counted={:?} group={:?} outcome={:?}{}",
            s(x.span),
            x.qualifier,
            x.unit,
            n(x.value.low),
            n(x.value.best),
            n(x.value.high),
            x.counted.map(s),
            x.group,
            x.outcome,
            x.part_of.map_or(String::new(), |p| format!(" part_of={p}"))
        ));
    }
    for x in &a.attributions {
        let st: String = s(x.statement).chars().take(40).collect();
        out.push(format!(
            "attribution {} {:?} source={:?} channel={:?} resolved={:?} statement={st:?}",
            x.verb,
            s(x.trigger),
            x.source.map(s),
            x.channel.map(s),
            x.resolved
        ));
    }
    for x in &a.modalities {
        let sc: String = s(x.scope).chars().take(40).collect();
        out.push(format!(
            "modality {:?} {:?} scope={sc:?}",
            x.kind,
            s(x.trigger)
        ));
    }
    for d in &a.diagnostics {
        out.push(format!("diagnostic {} {:?}", d.code, d.span.map(s)));
    }
    out
}

fn run(name: &str, date: Option<&str>) -> Vec<String> {
    let text = fixture(name);
    let dct = date.and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let a = Annotator::new().annotate_text(&text, &line_ranges(&text), dct, Some("Fixture News"));
    render(&text, &a)
}

#[test]
fn north_valley() {
    insta::assert_yaml_snapshot!(run("north_valley.txt", Some("2017-11-10")));
}

#[test]
fn north_valley_without_date() {
    let lines: Vec<String> = run("north_valley.txt", None)
        .into_iter()
        .filter(|l| l.starts_with("timex") || l.starts_with("diagnostic"))
        .collect();
    insta::assert_yaml_snapshot!(lines);
}

#[test]
fn harbor_city() {
    insta::assert_yaml_snapshot!(run("harbor_city.txt", Some("2019-03-14")));
}

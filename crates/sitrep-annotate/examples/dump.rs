//! Print the mentions of text files compactly: `dump FILE [YYYY-MM-DD]`.

use sitrep_annotate::Annotator;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: dump FILE [YYYY-MM-DD]");
        return;
    };
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let dct = args
        .get(2)
        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let ranges = sitrep_annotate::line_ranges(&text);
    let a = Annotator::new().annotate_text(&text, &ranges, dct, Some("Outlet"));
    let s = |sp: sitrep_core::Span| sp.slice(&text).to_string();
    if args.get(3).is_some_and(|a| a == "-s") {
        for x in &a.sentences {
            println!("SENT {:?}", s(x.span));
        }
    }
    for x in &a.timexes {
        println!(
            "TIMEX {:?} {} {:?} mod={:?} iv={:?}",
            s(x.span),
            x.kind.as_str(),
            x.value,
            x.modifier,
            x.interval.map(|i| (i.start, i.end, i.precision))
        );
    }
    for x in &a.quantities {
        println!(
            "QTY {:?} {:?} {:?} {:?} counted={:?} {:?} {:?} part_of={:?}",
            s(x.span),
            x.value,
            x.qualifier,
            x.unit,
            x.counted.map(s),
            x.group,
            x.outcome,
            x.part_of
        );
    }
    for x in &a.attributions {
        println!(
            "ATT {} {:?} src={:?} ch={:?} res={:?} stmt={:?}",
            x.verb,
            s(x.trigger),
            x.source.map(s),
            x.channel.map(s),
            x.resolved,
            s(x.statement).chars().take(60).collect::<String>()
        );
    }
    for x in &a.modalities {
        println!(
            "MOD {:?} {:?} scope={:?}",
            x.kind,
            s(x.trigger),
            s(x.scope).chars().take(60).collect::<String>()
        );
    }
}

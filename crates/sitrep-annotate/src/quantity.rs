//! Quantities: counts and percentages with their range, what they count and
//! what happened to it.
//!
//! Range policy (see docs/formats.md, "Annotations"):
//! exact N → N..N; at least N → low N, best N; more than / over N → low N+1,
//! best N+1 (N for percentages); nearly / almost N → best N, high N; less
//! than N → best N-1, high N-1; up to N → best N, high N; about N → best N;
//! between X and Y → low X, best X, high Y; vague plurals → low = best =
//! ACLED's figure, high open.

use sitrep_core::annotation::{
    CountedGroup, NumberRange, Outcome, Qualifier, Quantity, QuantityUnit,
};
use sitrep_core::Span;

use crate::number;
use crate::token::{Kind, Tokens};

/// Nouns that make a preceding 4-digit number a count, not a year.
pub fn is_count_noun(w: &str) -> bool {
    group_of(w).is_some()
}

fn group_of(w: &str) -> Option<CountedGroup> {
    use CountedGroup::*;
    Some(match w {
        "people" | "persons" | "person" | "individuals" | "residents" | "inhabitants"
        | "victims" | "men" | "man" | "bodies" | "families" | "detainees" | "prisoners"
        | "hostages" | "protesters" | "demonstrators" | "workers" | "journalists" | "dead"
        | "casualties" | "deaths" | "others" | "citizens" | "migrants" | "students"
        | "patients" | "doctors" | "members" | "member" | "staff" => People,
        "civilians" | "civilian" | "non-combatants" => Civilians,
        "children" | "child" | "kids" | "minors" | "boys" | "girls" | "infants" | "babies" => {
            Children
        }
        "women" | "woman" => Women,
        "fighters" | "fighter" | "militants" | "militant" | "rebels" | "rebel" | "insurgents"
        | "jihadists" | "jihadis" | "gunmen" | "combatants" | "militiamen" | "terrorists"
        | "extremists" | "mercenaries" | "recruits" | "opposition" => Fighters,
        "soldiers" | "soldier" | "troops" | "forces" | "servicemen" | "policemen" | "officers"
        | "police" | "personnel" | "guards" | "marines" | "commanders" | "regime" => Forces,
        "refugees" | "displaced" | "idps" | "evacuees" => Refugees,
        "villages" | "village" | "towns" | "town" | "hamlets" | "neighborhoods"
        | "neighbourhoods" | "districts" | "cities" | "settlements" | "localities" => Villages,
        "buildings" | "houses" | "homes" | "schools" | "hospitals" | "mosques" | "shops" => {
            Buildings
        }
        "vehicles" | "vehicle" | "tanks" | "cars" | "trucks" | "aircraft" | "drones" | "planes"
        | "helicopters" => Vehicles,
        _ => return None,
    })
}

fn outcome_of(w: &str) -> Option<Outcome> {
    use Outcome::*;
    Some(match w {
        "killed" | "died" | "dead" | "deaths" | "killing" | "kill" | "kills" | "slain"
        | "executed" | "massacred" | "perished" | "lost" | "lives" | "die" | "bodies"
        | "fatalities" => Killed,
        "wounded" | "injured" | "injuring" | "wounding" | "hurt" | "injuries" => Injured,
        "casualties" => Casualties,
        "displaced" | "fled" | "flee" | "fleeing" | "displacing" | "uprooted" | "evacuated"
        | "refugees" => Displaced,
        "arrested" | "detained" | "captured" | "imprisoned" | "jailed" | "arrests" => Detained,
        "kidnapped" | "abducted" | "hostage" | "hostages" => Kidnapped,
        "missing" => Missing,
        "retook" | "retaken" | "recaptured" | "controls" | "controlling" | "control" | "seized"
        | "took" | "taken" | "captures" | "recapture" | "held" | "holds" => Territory,
        _ => return None,
    })
}

const CLAUSE_BREAK: &[&str] = &[";", "while", "whereas", "but", "although", "meanwhile", "("];
const MEASURE: &[&str] = &[
    "km",
    "kilometers",
    "kilometres",
    "kilometer",
    "kilometre",
    "miles",
    "mile",
    "meters",
    "metres",
    "meter",
    "metre",
    "kg",
    "kilograms",
    "tons",
    "tonnes",
    "dollars",
    "usd",
    "euros",
    "pounds",
    "barrels",
    "liters",
    "litres",
    "hectares",
    "acres",
    "degrees",
    "square",
    "cm",
    "mm",
    "feet",
    "foot",
    "inches",
    "sq",
    "mph",
    "b.c.",
    "bc",
    "ad",
    "pm",
    "am",
    "gmt",
    "utc",
    "times",
    "points",
    "billion",
    "years",
    "year",
    "months",
    "month",
    "weeks",
    "week",
    "days",
    "day",
    "hours",
    "hour",
    "minutes",
    "minute",
    "seconds",
    "am",
    "o'clock",
    "st",
    "nd",
    "rd",
    "th",
    "mm",
    "calibre",
    "caliber",
    "lira",
    "pounds",
    "rials",
    "dinars",
];
const VAGUE: &[(&str, f64)] = &[
    ("dozens", 12.0),
    ("scores", 20.0),
    ("hundreds", 100.0),
    ("thousands", 1000.0),
    ("millions", 1e6),
];

fn prev(i: usize) -> usize {
    i.wrapping_sub(1)
}

/// Read a qualifier that ends right before token `i`; returns it and the
/// token where it starts.
fn qualifier_before(t: &Tokens, i: usize) -> (Qualifier, usize) {
    let p1 = t.low(prev(i));
    let p2 = t.low(i.wrapping_sub(2));
    let p3 = t.low(i.wrapping_sub(3));
    match (p3, p2, p1) {
        (_, "at", "least") | (_, "no", "fewer") if !p1.is_empty() => {
            if p1 == "fewer" && t.is(i, "than") {
                return (Qualifier::AtLeast, i - 2);
            }
            (Qualifier::AtLeast, i - 2)
        }
        ("no", "less", "than") | ("no", "fewer", "than") | ("not", "less", "than") => {
            (Qualifier::AtLeast, i - 3)
        }
        ("a", "minimum", "of") => (Qualifier::AtLeast, i - 3),
        (_, "more", "than") | (_, "upwards", "of") | (_, "in", "excess") => {
            (Qualifier::MoreThan, i - 2)
        }
        (_, "less", "than") | (_, "fewer", "than") => (Qualifier::LessThan, i - 2),
        (_, "up", "to") | (_, "at", "most") | (_, "as", "many") => (Qualifier::UpTo, i - 2),
        (_, "close", "to") => (Qualifier::Nearly, i - 2),
        (_, "an", "estimated") => (Qualifier::About, i - 2),
        (_, "just", "under") => (Qualifier::Nearly, i - 2),
        (_, _, "over") => (Qualifier::MoreThan, i - 1),
        (_, _, "nearly") | (_, _, "almost") => (Qualifier::Nearly, i - 1),
        (_, _, "under") => (Qualifier::LessThan, i - 1),
        (_, _, "about")
        | (_, _, "around")
        | (_, _, "approximately")
        | (_, _, "roughly")
        | (_, _, "some")
        | (_, _, "estimated")
        | (_, _, "approx") => (Qualifier::About, i - 1),
        _ => (Qualifier::Exact, i),
    }
}

/// One candidate quantity before classification.
struct Raw {
    start: usize,
    end: usize,
    q: Qualifier,
    range: NumberRange,
    unit: QuantityUnit,
}

fn apply(q: Qualifier, v: f64, percent: bool) -> NumberRange {
    let step = if percent || v.fract() != 0.0 {
        0.0
    } else {
        1.0
    };
    match q {
        Qualifier::Exact => NumberRange::exact(v),
        Qualifier::AtLeast => NumberRange {
            low: Some(v),
            best: Some(v),
            high: None,
        },
        Qualifier::MoreThan => NumberRange {
            low: Some(v + step),
            best: Some(v + step),
            high: None,
        },
        Qualifier::Nearly | Qualifier::UpTo => NumberRange {
            low: None,
            best: Some(v),
            high: Some(v),
        },
        Qualifier::LessThan => NumberRange {
            low: None,
            best: Some((v - step).max(0.0)),
            high: Some((v - step).max(0.0)),
        },
        Qualifier::About => NumberRange {
            low: None,
            best: Some(v),
            high: None,
        },
        Qualifier::Between | Qualifier::Vague => NumberRange {
            low: Some(v),
            best: Some(v),
            high: None,
        },
    }
}

/// Fractions written as words: "half", "a third", "two-thirds".
fn fraction_at(t: &Tokens, i: usize) -> Option<(f64, usize)> {
    let w = t.low(i);
    let (v, end) = match w {
        "half" => (50.0, i + 1),
        "a" | "one" => match t.low(i + 1) {
            "third" => (100.0 / 3.0, i + 2),
            "quarter" => (25.0, i + 2),
            "fifth" => (20.0, i + 2),
            "half" => (50.0, i + 2),
            _ => return None,
        },
        "two" | "three" | "four" => {
            let k = if t.is(i + 1, "-") { i + 2 } else { i + 1 };
            let n = number::small_word(w)?;
            match t.low(k) {
                "thirds" => (n * 100.0 / 3.0, k + 1),
                "quarters" => (n * 25.0, k + 1),
                "fifths" => (n * 20.0, k + 1),
                _ => return None,
            }
        }
        _ => return None,
    };
    // a fraction must be "of" something
    t.is(end, "of").then_some(((v * 10.0).round() / 10.0, end))
}

/// Find quantities in the tokens, skipping token ranges covered by
/// `blocked` (time expressions), in byte offsets.
pub fn find(t: &Tokens, blocked: &[Span], sent_end: &[usize]) -> Vec<Quantity> {
    let mut out: Vec<Quantity> = Vec::new();
    let mut bi = 0;
    let mut i = 0;
    while i < t.len() {
        let st = t.start(i);
        while bi < blocked.len() && blocked[bi].end <= st {
            bi += 1;
        }
        if blocked.get(bi).is_some_and(|b| b.start <= st && st < b.end) {
            i += 1;
            continue;
        }
        let Some(raw) = candidate(t, i) else {
            i += 1;
            continue;
        };
        // the number itself must not run into a time expression
        if blocked
            .get(bi)
            .is_some_and(|b| b.start < t.end(prev(raw.end)) && t.start(raw.start) < b.end)
            && raw.start >= i
        {
            i += 1;
            continue;
        }
        let send = sent_end.get(i).copied().unwrap_or(t.len());
        let word_small = t.kind(raw.start.max(i)) == Some(Kind::Word)
            && raw.q != Qualifier::Vague
            && raw.unit == QuantityUnit::Count
            && raw.range.best.is_some_and(|v| v < 10.0);
        let q = classify(t, raw, send, &out);
        i = t.index_at(q.span.end).max(i + 1);
        if word_small && q.group.is_none() && q.outcome.is_none() {
            continue;
        }
        out.push(q);
    }
    // parts share their whole's outcome when they have none of their own
    for i in 0..out.len() {
        if out[i].outcome.is_none() {
            if let Some(p) = out[i]
                .part_of
                .and_then(|p| out.get(p))
                .and_then(|p| p.outcome)
            {
                out[i].outcome = Some(p);
            }
        }
    }
    out
}

fn candidate(t: &Tokens, i: usize) -> Option<Raw> {
    let w = t.low(i);
    // vague plurals: dozens, hundreds, tens of thousands
    if w == "tens"
        || w == "hundreds" && t.is(i + 1, "of") && t.is_any(i + 2, &["thousands", "millions"])
    {
        if t.is(i + 1, "of") {
            let big = match t.low(i + 2) {
                "thousands" => 1e3,
                "millions" => 1e6,
                _ => return None,
            };
            let base = if w == "tens" { 10.0 } else { 100.0 };
            return Some(Raw {
                start: i,
                end: i + 3,
                q: Qualifier::Vague,
                range: apply(Qualifier::Vague, base * big, false),
                unit: QuantityUnit::Count,
            });
        }
        return None;
    }
    if let Some(&(_, v)) = VAGUE.iter().find(|(k, _)| *k == w) {
        // "dozens of", "hundreds of", "thousands fled", "Tens of thousands"
        let (pq, ps) = qualifier_before(t, i);
        let _ = pq;
        return Some(Raw {
            start: ps.min(i),
            end: i + 1,
            q: Qualifier::Vague,
            range: apply(Qualifier::Vague, v, false),
            unit: QuantityUnit::Count,
        });
    }
    if w == "several" || (w == "a" && t.is(i + 1, "few")) {
        let e = if w == "several" { i + 1 } else { i + 2 };
        // only when a counted noun follows
        group_of(t.low(e))?;
        let v = if w == "several" { 3.0 } else { 2.0 };
        return Some(Raw {
            start: i,
            end: e,
            q: Qualifier::Vague,
            range: apply(Qualifier::Vague, v, false),
            unit: QuantityUnit::Count,
        });
    }
    if let Some((v, end)) = fraction_at(t, i) {
        let (q, s) = qualifier_before(t, i);
        return Some(Raw {
            start: s,
            end,
            q,
            range: apply(q, v, true),
            unit: QuantityUnit::Percent,
        });
    }
    // numbers
    let is_num = t.kind(i) == Some(Kind::Num)
        || number::small_word(w).is_some()
        || (matches!(w, "a" | "an") && t.is_any(i + 1, &["dozen", "hundred", "thousand"]));
    if !is_num {
        return None;
    }
    if t.kind(i) == Some(Kind::Word)
        && matches!(w, "one" | "zero")
        && !t.is_any(i + 1, &["hundred", "thousand", "million"])
    {
        return None;
    }
    let f = number::parse_at(t, i)?;
    let mut end = f.end;
    // glued to a word (ISIS-K, 7th) or part of an id (Resolution 2254, No. 5)
    if f.digits {
        if t.glued(i) && t.kind(prev(i)).is_some_and(|k| k != Kind::Punct) {
            return None;
        }
        if t.glued(i) && t.is_any(prev(i), &["$", "£", "€", "#", "-", "/", ":", "."]) {
            return None;
        }
        if t.is(end, ":")
            || t.is(end, "/") && t.glued(end)
            || t.is(end, "-") && t.glued(end) && !t.is(end + 1, "percent")
        {
            return None;
        }
        if t.is_capitalized(prev(i))
            && t.kind(prev(i)) == Some(Kind::Word)
            && !is_qualifier_word(t.low(prev(i)))
            && i >= 1
            && !t.is_any(
                prev(i),
                &[
                    "some", "about", "over", "nearly", "almost", "around", "at", "than",
                ],
            )
        {
            // "Youm 7", "Resolution 2254": an id after a capitalised name
            if group_of(t.low(end)).is_none()
                && !t.is_any(end, &["%", "percent", "per"])
                && !t.is_any(end, &["of"])
            {
                return None;
            }
        }
    }
    // ages: aged 12, 12-year-old, 51 years old
    if t.is(prev(i), "aged") || t.is(prev(i), "age") {
        return None;
    }
    // ordinal words never reach here; ranges "X to Y", "X-Y", "between X and Y"
    let (mut q, mut s) = qualifier_before(t, i);
    let mut range = None;
    if t.is(prev(i), "between") && t.is(end, "and") {
        if let Some(g) = number::parse_at(t, end + 1) {
            q = Qualifier::Between;
            s = prev(i);
            range = Some((f.value, g.value));
            end = g.end;
        }
    } else if (t.is(end, "to") || (t.is_any(end, &["-", "–"]) && f.digits)) && !t.is(end + 1, "the")
    {
        if let Some(g) = number::parse_at(t, end + 1).filter(|g| g.value > f.value) {
            q = Qualifier::Between;
            range = Some((f.value, g.value));
            end = g.end;
        }
    }
    if t.is_capitalized(end) && sitrep_core::date::month_from_name(t.text(end)).is_some() {
        return None; // "between 10 and 12 March": days of a month
    }
    let mut unit = QuantityUnit::Count;
    if t.is(end, "%") || t.is(end, "percent") || t.is(end, "pc") {
        unit = QuantityUnit::Percent;
        end += 1;
    } else if t.is(end, "per") && t.is(end + 1, "cent") {
        unit = QuantityUnit::Percent;
        end += 2;
    }
    let nw = t.low(end);
    if unit == QuantityUnit::Count {
        if MEASURE.contains(&nw) || nw.starts_with("kilomet") {
            return None;
        }
        if t.is(end, "-") && t.glued(end) {
            // 12-year-old, 72-hour, 3-0
            return None;
        }
    }
    let percent = unit == QuantityUnit::Percent;
    let range = match range {
        Some((a, b)) => NumberRange {
            low: Some(a),
            best: Some(a),
            high: Some(b),
        },
        None => apply(q, f.value, percent),
    };
    Some(Raw {
        start: s.min(i),
        end,
        q,
        range,
        unit,
    })
}

fn is_qualifier_word(w: &str) -> bool {
    matches!(
        w,
        "nearly"
            | "almost"
            | "about"
            | "around"
            | "over"
            | "some"
            | "approximately"
            | "roughly"
            | "least"
            | "than"
            | "between"
    )
}

fn classify(t: &Tokens, raw: Raw, send: usize, prior: &[Quantity]) -> Quantity {
    let span = Span::new(t.start(raw.start), t.end(prev(raw.end)));
    let mut counted = None;
    let mut group = None;
    // counted noun: within 6 tokens, skipping "of the", adjectives
    let mut j = raw.end;
    if raw.unit == QuantityUnit::Percent {
        if t.is(j, "of") {
            let mut k = j + 1;
            while k < send && k < j + 6 {
                let w = t.low(k);
                if matches!(
                    w,
                    "territory"
                        | "territories"
                        | "land"
                        | "area"
                        | "areas"
                        | "town"
                        | "city"
                        | "province"
                        | "country"
                        | "region"
                        | "governorate"
                        | "village"
                        | "district"
                        | "neighborhoods"
                        | "neighbourhoods"
                        | "neighborhood"
                        | "neighbourhood"
                        | "port"
                        | "airport"
                        | "base"
                        | "camp"
                        | "countryside"
                        | "valley"
                        | "quarter"
                ) {
                    counted = Some(Span::new(t.start(j + 1), t.end(k)));
                    group = Some(CountedGroup::Territory);
                    break;
                }
                if t.kind(k) == Some(Kind::Punct) {
                    break;
                }
                k += 1;
            }
            // "nearly half of Albu Kamal"
            let mut k = j + 1;
            if t.is(k, "the") {
                k += 1;
            }
            if counted.is_none() && t.is_capitalized(k) {
                let mut e = k;
                while e + 1 < send
                    && (t.is_capitalized(e + 1) || t.is(e + 1, "-") && t.glued(e + 1))
                {
                    e += 1;
                }
                counted = Some(Span::new(t.start(j + 1), t.end(e)));
                group = Some(CountedGroup::Territory);
            }
        }
    } else {
        let mut k = j;
        if t.is(k, "of") {
            k += 1;
        }
        let first = k;
        while k < send && k < first + 7 {
            let w = t.low(k);
            if let Some(g) = group_of(w) {
                let mut g = g;
                let mut end = k;
                // members of the regime forces
                if matches!(w, "members" | "member" | "regime") {
                    let mut m = k + 1;
                    while m < send && m < k + 6 {
                        if let Some(g2) =
                            group_of(t.low(m)).filter(|g2| *g2 != CountedGroup::People)
                        {
                            g = g2;
                            end = m;
                            if !matches!(t.low(m), "regime") {
                                break;
                            }
                        }
                        if t.kind(m) == Some(Kind::Punct) {
                            break;
                        }
                        m += 1;
                    }
                }
                counted = Some(Span::new(t.start(first), t.end(end)));
                group = Some(g);
                j = end + 1;
                break;
            }
            if t.kind(k) == Some(Kind::Punct)
                || t.kind(k) == Some(Kind::Num)
                || matches!(
                    w,
                    "were"
                        | "was"
                        | "have"
                        | "had"
                        | "are"
                        | "in"
                        | "from"
                        | "on"
                        | "at"
                        | "by"
                        | "and"
                        | "or"
                )
            {
                break;
            }
            k += 1;
        }
    }
    // outcome: forward in the clause, then backward
    let mut outcome = None;
    let mut trig = None;
    let mut k = j;
    let mut listing = false;
    while k < send && k < j + 18 {
        let w = t.low(k);
        if matches!(w, "including" | "among") {
            listing = true;
        }
        if let Some(o) = outcome_of(w) {
            if o != Outcome::Territory || raw.unit == QuantityUnit::Percent {
                outcome = Some(o);
                trig = Some(k);
                break;
            }
        }
        if w == "," && listing {
            listing = false;
            k += 1;
            continue;
        }
        let comma_and = w == "," && t.is_any(k + 1, &["and", "which", "who"]);
        let num = t.kind(k) == Some(Kind::Num) && !listing;
        if CLAUSE_BREAK.contains(&w) || comma_and || num {
            break;
        }
        k += 1;
    }
    if outcome.is_none() {
        let mut k = raw.start;
        let mut steps = 0;
        while k > 0 && steps < 6 {
            k -= 1;
            steps += 1;
            if k < send.saturating_sub(400) {
                break;
            }
            let w = t.low(k);
            if t.is(k, ".") || t.is(k, ";") {
                break;
            }
            if let Some(o) = outcome_of(w) {
                if o != Outcome::Territory || raw.unit == QuantityUnit::Percent {
                    outcome = Some(o);
                    trig = Some(k);
                }
                break;
            }
        }
    }
    // the counted noun itself says what happened: "39 casualties", "20 dead"
    if outcome.is_none() {
        if let Some(c) = counted {
            let head = c
                .slice(t.text)
                .rsplit(' ')
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            outcome = match head.as_str() {
                "casualties" => Some(Outcome::Casualties),
                "dead" | "deaths" | "bodies" | "fatalities" => Some(Outcome::Killed),
                "refugees" | "displaced" => Some(Outcome::Displaced),
                "hostages" | "detainees" | "prisoners" => Some(Outcome::Detained),
                _ => None,
            };
        }
    }
    // things are not killed or wounded ("lost a dozen vehicles")
    if matches!(
        group,
        Some(CountedGroup::Vehicles | CountedGroup::Buildings | CountedGroup::Villages)
    ) && matches!(
        outcome,
        Some(Outcome::Killed | Outcome::Injured | Outcome::Casualties)
    ) {
        outcome = None;
        trig = None;
    }
    // "killed or wounded"
    if let (Some(Outcome::Killed), Some(k)) = (outcome, trig) {
        if t.is(k + 1, "or") && outcome_of(t.low(k + 2)) == Some(Outcome::Injured) {
            outcome = Some(Outcome::Casualties);
        }
    }
    if outcome == Some(Outcome::Territory) && group.is_none() && raw.unit == QuantityUnit::Count {
        outcome = None;
        trig = None;
    }
    if raw.unit == QuantityUnit::Percent
        && group == Some(CountedGroup::Territory)
        && outcome.is_none()
    {
        outcome = Some(Outcome::Territory);
    }
    // part of an earlier quantity: "104 civilians, including 29 children"
    let mut part_of = None;
    let s = raw.start;
    let listed = t.is_any(prev(s), &["including", "among"])
        || (t.is(prev(s), "them") && t.is(s.wrapping_sub(2), "among"));
    let chained = t.is_any(prev(s), &["and", ","])
        && prior
            .last()
            .is_some_and(|p| p.part_of.is_some() && t.index_at(p.span.end) + 4 >= s);
    if listed || chained {
        if let Some((idx, p)) = prior.iter().enumerate().next_back() {
            let idx = if chained {
                p.part_of.unwrap_or(idx)
            } else {
                idx
            };
            if t.index_at(p.span.end) + 8 >= s {
                part_of = Some(idx);
                if outcome.is_none() {
                    outcome = p.outcome;
                    trig = None;
                }
            }
        }
    }
    Quantity {
        span,
        value: raw.range,
        qualifier: raw.q,
        unit: raw.unit,
        counted,
        group,
        outcome,
        outcome_trigger: trig.map(|k| Span::new(t.start(k), t.end(k))),
        part_of,
    }
}

/// Parse a whole string as a quantity; for fuzzing and tests.
pub fn parse_quantity_str(s: &str) -> Option<Quantity> {
    let t = Tokens::new(s, &[(0, s.len())]);
    let se = vec![t.len(); t.len()];
    find(&t, &[], &se).into_iter().next()
}

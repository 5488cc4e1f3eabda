//! Export formats over [`EventView`]s: ACLED-style CSV, GeoJSON and JSON
//! Lines. The mapping to ACLED's columns is documented in `docs/api.md`
//! ("ACLED CSV").

use std::io::Write;

use serde::Serialize;
use sitrep_core::event::EventActor;
use sitrep_store::EventView;

use crate::countries;

/// ACLED's column names, in ACLED's order.
pub const ACLED_COLUMNS: &[&str] = &[
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
];

/// One row of the ACLED export.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AcledRow {
    pub event_id_cnty: String,
    pub event_date: String,
    pub year: String,
    pub time_precision: u8,
    pub disorder_type: String,
    pub event_type: String,
    pub sub_event_type: String,
    pub actor1: String,
    pub assoc_actor_1: String,
    pub inter1: u8,
    pub actor2: String,
    pub assoc_actor_2: String,
    pub inter2: u8,
    pub interaction: u8,
    pub civilian_targeting: String,
    pub iso: String,
    pub region: String,
    pub country: String,
    pub admin1: String,
    pub admin2: String,
    pub admin3: String,
    pub location: String,
    pub latitude: String,
    pub longitude: String,
    pub geo_precision: u8,
    pub source: String,
    pub source_scale: String,
    pub notes: String,
    pub fatalities: u64,
    pub tags: String,
    pub timestamp: i64,
}

/// ACLED's inter code of an actor kind (`0` for no actor).
pub fn inter_code(actor: Option<&EventActor>) -> u8 {
    let Some(a) = actor else { return 0 };
    match a.kind.as_deref() {
        Some("state-forces") => 1,
        Some("rebel-group") => 2,
        Some("political-militia") => 3,
        Some("identity-militia") => 4,
        Some("rioters") => 5,
        Some("protesters") => 6,
        Some("civilians") => 7,
        // External forces, and anything the knowledge base does not type.
        _ => 8,
    }
}

/// The two inter codes as one two-digit number, smaller first; a lone
/// actor `n` gives `n0` (ACLED's convention: `10` is state forces alone).
pub fn interaction(a: u8, b: u8) -> u8 {
    match (a.min(b), a.max(b)) {
        (0, hi) => hi * 10,
        (lo, hi) => lo * 10 + hi,
    }
}

/// ACLED's time precision from sitrep's date precision and interval:
/// a day (or part of one) is 1; a week or part of a month (or the
/// publication date standing in for an undated event) is 2; a month or
/// anything coarser, or no date, is 3.
pub fn time_precision(precision: &str, start: Option<&str>, end: Option<&str>) -> u8 {
    match precision {
        "day" | "part-of-day" | "time" | "night" => 1,
        "week" | "weekend" | "part-of-month" | "days" | "report" => 2,
        "month" | "part-of-year" | "quarter" | "season" | "year" | "decade" | "unknown" => 3,
        _ => match (start.and_then(day), end.and_then(day)) {
            (Some(s), Some(e)) => match (e - s).num_days() {
                0 => 1,
                1..=10 => 2,
                _ => 3,
            },
            _ => 3,
        },
    }
}

/// ACLED's geo precision: an exact place 1, near a place 2, a region or a
/// country 3.
pub fn geo_precision(precision: &str) -> u8 {
    match precision {
        "exact" => 1,
        "near" => 2,
        _ => 3,
    }
}

/// ACLED's disorder type of an event type (empty for sitrep's own
/// `Displacement`).
pub fn disorder_type(event_type: &str, sub_event_type: &str) -> &'static str {
    match (event_type, sub_event_type) {
        (_, "Excessive force against protesters") => "Political violence; Demonstrations",
        (_, "Violent demonstration") => "Demonstrations",
        ("Battles" | "Explosions/Remote violence" | "Violence against civilians" | "Riots", _) => {
            "Political violence"
        }
        ("Protests", _) => "Demonstrations",
        ("Strategic developments", _) => "Strategic developments",
        _ => "",
    }
}

fn day(s: &str) -> Option<chrono::NaiveDate> {
    s.parse().ok()
}

/// The day an event is coded on: the day itself, or the middle of its
/// interval.
pub fn event_day(start: Option<&str>, end: Option<&str>) -> Option<chrono::NaiveDate> {
    let s = start.and_then(day)?;
    match end.and_then(day) {
        Some(e) if e > s => Some(s + chrono::Duration::days((e - s).num_days() / 2)),
        _ => Some(s),
    }
}

fn actor_label(a: &EventActor) -> String {
    a.name.clone()
}

/// One sentence saying what happened, where and when, from the event's
/// fields.
pub fn summary(e: &EventView) -> String {
    let when = match event_day(e.date.start.as_deref(), e.date.end.as_deref()) {
        Some(d) => format!("On or around {}", d.format("%-d %B %Y")),
        None => "On an unknown date".to_string(),
    };
    let who = e
        .actor1
        .as_ref()
        .map(|a| a.name.clone())
        .unwrap_or_else(|| "unidentified actors".into());
    let against = e
        .actor2
        .as_ref()
        .map(|a| format!(" involving {}", a.name))
        .unwrap_or_default();
    let place = e
        .location
        .as_ref()
        .map(|l| {
            let mut p = format!(" in {}", l.name);
            if let Some(a) = &l.admin1 {
                p.push_str(&format!(" ({a})"));
            }
            p
        })
        .unwrap_or_default();
    let deaths = match e.fatalities.as_ref().and_then(|f| f.best) {
        Some(n) if n >= 1.0 => format!("; {} fatalities reported", n.round() as u64),
        _ => String::new(),
    };
    let modality = match e.modality.as_str() {
        "asserted" => "",
        "claimed" => " (reportedly)",
        other => {
            return format!(
                "{when}, {who}: {} {other}{place}{against}{deaths}.",
                e.sub_event_type.to_lowercase()
            )
        }
    };
    format!(
        "{when}, {who}: {}{modality}{place}{against}{deaths}.",
        e.sub_event_type.to_lowercase()
    )
}

fn join(v: impl IntoIterator<Item = String>) -> String {
    let mut out: Vec<String> = Vec::new();
    for s in v {
        let s = s.trim().to_string();
        if !s.is_empty() && !out.contains(&s) {
            out.push(s);
        }
    }
    out.join("; ")
}

/// The ACLED row of an event; `timestamp` is the export time (Unix
/// seconds).
pub fn acled_row(e: &EventView, timestamp: i64) -> AcledRow {
    let loc = e.location.as_ref();
    let country = loc
        .and_then(|l| l.country_code.as_deref())
        .and_then(countries::by_alpha2);
    let iso3 = country.map(|c| c.1).unwrap_or("XXX");
    let date = event_day(e.date.start.as_deref(), e.date.end.as_deref());
    let inter1 = inter_code(e.actor1.as_ref());
    let inter2 = inter_code(e.actor2.as_ref());
    // Associated actors go with the side whose kind they share (side 1 by
    // default).
    let (mut assoc1, mut assoc2) = (Vec::new(), Vec::new());
    for a in &e.associated_actors {
        if e.actor2.is_some() && inter_code(Some(a)) == inter2 && inter2 != inter1 {
            assoc2.push(actor_label(a));
        } else {
            assoc1.push(actor_label(a));
        }
    }
    let civilian_targeting = if e.event_type == "Violence against civilians"
        || e.actor2.as_ref().and_then(|a| a.kind.as_deref()) == Some("civilians")
    {
        "Civilian targeting"
    } else {
        ""
    };
    let evidence = e
        .evidence
        .iter()
        .map(|x| x.text.as_str())
        .find(|t| !t.is_empty())
        .map(|t| format!(" Evidence: \"{}\"", t.replace(['\n', '\r'], " ")))
        .unwrap_or_default();
    let mut tags = Vec::new();
    if e.modality != "asserted" {
        tags.push(format!("modality={}", e.modality));
    }
    for f in &e.flags {
        if let Some(k) = f.get("kind").and_then(|k| k.as_str()) {
            tags.push(format!("flag={k}"));
        }
    }
    if e.fused {
        tags.push(format!("reports={}", e.reports.len()));
    }
    AcledRow {
        event_id_cnty: format!("{iso3}{}", e.id),
        event_date: date.map(|d| d.to_string()).unwrap_or_default(),
        year: date
            .map(|d| chrono::Datelike::year(&d).to_string())
            .unwrap_or_default(),
        time_precision: time_precision(
            &e.date.precision,
            e.date.start.as_deref(),
            e.date.end.as_deref(),
        ),
        disorder_type: disorder_type(&e.event_type, &e.sub_event_type).to_string(),
        event_type: e.event_type.clone(),
        sub_event_type: e.sub_event_type.clone(),
        actor1: e.actor1.as_ref().map(actor_label).unwrap_or_default(),
        assoc_actor_1: join(assoc1),
        inter1,
        actor2: e.actor2.as_ref().map(actor_label).unwrap_or_default(),
        assoc_actor_2: join(assoc2),
        inter2,
        interaction: interaction(inter1, inter2),
        civilian_targeting: civilian_targeting.to_string(),
        iso: country.map(|c| c.2.to_string()).unwrap_or_default(),
        region: country.map(|c| c.4.to_string()).unwrap_or_default(),
        country: country
            .map(|c| c.3.to_string())
            .or_else(|| loc.and_then(|l| l.country_code.clone()))
            .unwrap_or_default(),
        admin1: loc.and_then(|l| l.admin1.clone()).unwrap_or_default(),
        admin2: loc.and_then(|l| l.admin2.clone()).unwrap_or_default(),
        admin3: String::new(),
        location: loc.map(|l| l.name.clone()).unwrap_or_default(),
        latitude: loc
            .and_then(|l| l.lat)
            .map(|v| format!("{v:.4}"))
            .unwrap_or_default(),
        longitude: loc
            .and_then(|l| l.lon)
            .map(|v| format!("{v:.4}"))
            .unwrap_or_default(),
        geo_precision: loc.map(|l| geo_precision(&l.precision)).unwrap_or(3),
        source: join(e.outlets.iter().cloned().chain(e.sources.iter().cloned())),
        source_scale: String::new(),
        notes: format!("{}{evidence}", summary(e)),
        fatalities: e
            .fatalities
            .as_ref()
            .and_then(|f| f.best)
            .filter(|n| n.is_finite() && *n > 0.0)
            .map(|n| n.round() as u64)
            .unwrap_or(0),
        tags: tags.join("; "),
        timestamp,
    }
}

/// Write events as ACLED CSV (a header row, then one row per event).
pub fn write_acled_csv<W: Write>(events: &[EventView], timestamp: i64, w: W) -> csv::Result<()> {
    let mut wr = csv::Writer::from_writer(w);
    if events.is_empty() {
        wr.write_record(ACLED_COLUMNS)?;
    }
    for e in events {
        wr.serialize(acled_row(e, timestamp))?;
    }
    wr.flush()?;
    Ok(())
}

/// A GeoJSON Feature for an event: a Point at its place (a `null`
/// geometry when it has no coordinates) and its main fields as properties.
pub fn feature(e: &EventView) -> serde_json::Value {
    let loc = e.location.as_ref();
    let geometry = match (loc.and_then(|l| l.lon), loc.and_then(|l| l.lat)) {
        (Some(lon), Some(lat)) if lon.is_finite() && lat.is_finite() => {
            serde_json::json!({"type": "Point", "coordinates": [lon, lat]})
        }
        _ => serde_json::Value::Null,
    };
    serde_json::json!({
        "type": "Feature",
        "id": e.id,
        "geometry": geometry,
        "properties": {
            "id": e.id,
            "fused": e.fused,
            "event_type": e.event_type,
            "sub_event_type": e.sub_event_type,
            "date_start": e.date.start,
            "date_end": e.date.end,
            "date_precision": e.date.precision,
            "location": loc.map(|l| l.name.clone()),
            "geonames_id": loc.and_then(|l| l.geonames_id),
            "admin1": loc.and_then(|l| l.admin1.clone()),
            "country_code": loc.and_then(|l| l.country_code.clone()),
            "geo_precision": loc.map(|l| l.precision.clone()),
            "actor1": e.actor1.as_ref().map(|a| a.name.clone()),
            "actor2": e.actor2.as_ref().map(|a| a.name.clone()),
            "fatalities": e.fatalities.as_ref().and_then(|f| f.best),
            "modality": e.modality,
            "sources": e.sources,
            "n_sources": e.sources.len(),
            "n_reports": e.reports.len(),
            "confidence": e.confidence,
            "summary": summary(e),
            "evidence": e.evidence.iter().map(|x| x.text.clone()).filter(|t| !t.is_empty()).collect::<Vec<_>>(),
        }
    })
}

/// A GeoJSON FeatureCollection of events.
pub fn feature_collection(events: &[EventView]) -> serde_json::Value {
    serde_json::json!({
        "type": "FeatureCollection",
        "features": events.iter().map(feature).collect::<Vec<_>>(),
    })
}

/// Write events as JSON Lines: one full [`EventView`] per line.
pub fn write_jsonl<W: Write>(events: &[EventView], mut w: W) -> std::io::Result<()> {
    for e in events {
        serde_json::to_writer(&mut w, e)?;
        w.write_all(b"\n")?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interaction_codes() {
        assert_eq!(interaction(1, 2), 12);
        assert_eq!(interaction(2, 1), 12);
        assert_eq!(interaction(1, 0), 10);
        assert_eq!(interaction(0, 7), 70);
        assert_eq!(interaction(3, 3), 33);
    }

    #[test]
    fn precisions() {
        assert_eq!(
            time_precision("day", Some("2017-11-08"), Some("2017-11-08")),
            1
        );
        assert_eq!(time_precision("week", None, None), 2);
        assert_eq!(time_precision("month", None, None), 3);
        assert_eq!(
            time_precision("other", Some("2017-11-01"), Some("2017-11-05")),
            2
        );
        assert_eq!(geo_precision("exact"), 1);
        assert_eq!(geo_precision("near"), 2);
        assert_eq!(geo_precision("country"), 3);
        assert_eq!(
            event_day(Some("2017-11-01"), Some("2017-11-10")).map(|d| d.to_string()),
            Some("2017-11-05".into())
        );
    }

    #[test]
    fn countries_sorted() {
        assert!(countries::COUNTRIES.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(countries::by_alpha2("sy").map(|c| c.2), Some(760));
    }
}

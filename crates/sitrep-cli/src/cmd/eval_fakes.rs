//! `sitrep eval fakes`: the primary event of each FA-KES article against
//! its crowd labels (date, governorate, actor group, cause, deaths).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chrono::NaiveDate;
use rayon::prelude::*;
use sitrep_core::event::{Event, Range, SubEventType as S};
use sitrep_core::{Document, DocumentMeta};

use super::pipeline::Pipeline;
use super::Global;

/// Score the primary event of each article of the FA-KES CSV (columns
/// `unit_id`, `article_title`, `article_content`, `date` (M/D/YY, the event
/// day), `location` (governorate), `actor`, `cause_of_death`, `nb_civilians`,
/// `nb_children`, `nb_women`, `nb_noncivilians`). The dateline at the start
/// of each article is its publication date, found by the cleaning stage as
/// for any report without metadata.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The FA-KES CSV file.
    #[arg(long, default_value = "../shared/eval/fakes/dev.csv")]
    pub csv: PathBuf,
    /// Gazetteer and actor knowledge base folder (default: the shipped data/).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Print each article's labels and predictions.
    #[arg(long)]
    pub rows: bool,
    /// Print the figures as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Default)]
struct Labels {
    date: Option<NaiveDate>,
    governorate: String,
    actor: String,
    cause: String,
    civilians: u32,
    children: u32,
    women: u32,
    noncivilians: u32,
}

#[derive(Debug, Clone, Default)]
struct Prediction {
    date_start: Option<NaiveDate>,
    date_end: Option<NaiveDate>,
    governorate: String,
    actor: String,
    cause: String,
    civilians: u32,
    children: u32,
    women: u32,
    noncivilians: u32,
    /// The primary event's sub-type and means, for `--rows`.
    sub_event_type: Option<S>,
    means: Option<String>,
    /// The publication day found in the article (its dateline), if any.
    published: Option<NaiveDate>,
    /// The event day was read from a time expression of day precision
    /// ("on Tuesday", "Wednesday night") that is not the publication day.
    text_day: bool,
}

pub fn run(_g: &Global, a: Args) -> anyhow::Result<ExitCode> {
    let (mut rdr, headers) =
        super::input::open_csv(&a.csv, "pass the FA-KES dev set with --csv PATH")?;
    let col = |name: &str| super::input::column(&headers, &a.csv, name);
    let (c_id, c_title, c_text) = (
        col("unit_id")?,
        col("article_title")?,
        col("article_content")?,
    );
    let (c_date, c_loc, c_actor, c_cause) = (
        col("date")?,
        col("location")?,
        col("actor")?,
        col("cause_of_death")?,
    );
    let (c_civ, c_ch, c_wo, c_non) = (
        col("nb_civilians")?,
        col("nb_children")?,
        col("nb_women")?,
        col("nb_noncivilians")?,
    );
    let mut rows = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.with_context(|| format!("{}: record {}", a.csv.display(), i + 2))?;
        let get = |c: usize| rec.get(c).unwrap_or("").to_string();
        let num = |c: usize| get(c).trim().parse::<f64>().map_or(0, |v| v as u32);
        let labels = Labels {
            date: NaiveDate::parse_from_str(get(c_date).trim(), "%m/%d/%y").ok(),
            governorate: get(c_loc).trim().to_lowercase(),
            actor: get(c_actor).trim().to_lowercase(),
            cause: get(c_cause).trim().to_lowercase(),
            civilians: num(c_civ),
            children: num(c_ch),
            women: num(c_wo),
            noncivilians: num(c_non),
        };
        let meta = DocumentMeta {
            id: Some(get(c_id)),
            title: Some(get(c_title)),
            ..DocumentMeta::default()
        };
        let doc = Document::from_text(
            get(c_id),
            format!("{}:{}", a.csv.display(), i + 2),
            get(c_text),
            meta,
        );
        rows.push((doc, labels));
    }
    let pipeline = Pipeline::load(a.data.as_deref())?;
    let cleaner = sitrep_clean::Cleaner::new();
    let results: Vec<(String, Labels, Prediction)> = rows
        .into_par_iter()
        .map(|(mut doc, labels)| {
            cleaner.clean(&mut doc);
            let analysis = pipeline.analyse(&doc);
            let primary = analysis.extraction.events.iter().find(|e| e.primary);
            let published = matches!(
                doc.published.precision,
                sitrep_core::DatePrecision::Day | sitrep_core::DatePrecision::Minute
            )
            .then_some(doc.published.date)
            .flatten();
            (doc.key.clone(), labels, predict(primary, published))
        })
        .collect();
    let mut table = Scores::default();
    for (key, l, p) in &results {
        if a.rows {
            println!("{key}\n  gold {l:?}\n  pred {p:?}");
            if let Some(t) = p.sub_event_type {
                let means = p.means.as_deref().unwrap_or("-");
                println!("  primary event: {}, means {means}", t.as_str());
            }
        }
        table.add(l, p);
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&table.json())?);
    } else {
        table.print();
    }
    Ok(ExitCode::SUCCESS)
}

fn day(s: &Option<String>) -> Option<NaiveDate> {
    s.as_deref()
        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
}

fn best(r: &Option<Range>) -> u32 {
    r.as_ref()
        .and_then(|r| r.best.or(r.low))
        .map_or(0, |v| v.max(0.0).round() as u32)
}

fn predict(e: Option<&Event>, published: Option<NaiveDate>) -> Prediction {
    let Some(e) = e else {
        return Prediction {
            governorate: "none".into(),
            actor: "unknown".into(),
            cause: "unknown".into(),
            published,
            ..Prediction::default()
        };
    };
    let date_start = day(&e.date.start);
    let noncivilians: u32 = e
        .fatalities
        .by_actor
        .iter()
        .map(|a| best(&Some(a.range.clone())))
        .sum();
    // FA-KES counts dead "people" who are not said to be fighters as
    // civilians; so does this mapping.
    let civilians = match &e.fatalities.civilians {
        Some(_) => best(&e.fatalities.civilians),
        None => best(&e.fatalities.total).saturating_sub(noncivilians),
    };
    Prediction {
        date_start,
        date_end: day(&e.date.end),
        governorate: e
            .location
            .as_ref()
            .and_then(|l| l.admin1.as_deref())
            .map_or_else(|| "none".into(), governorate),
        actor: actor_group(e),
        cause: cause(e),
        civilians,
        children: best(&e.fatalities.children),
        women: best(&e.fatalities.women),
        noncivilians,
        sub_event_type: Some(e.sub_event_type),
        means: e.means.clone(),
        published,
        text_day: matches!(e.date.precision.as_str(), "day" | "part-of-day")
            && e.date.text.is_some()
            && date_start.is_some()
            && date_start != published,
    }
}

/// A GeoNames admin1 name as one of FA-KES's governorate labels.
fn governorate(admin1: &str) -> String {
    let f: String = sitrep_geo::fold::light(admin1)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    const MAP: &[(&str, &str)] = &[
        ("aleppo", "aleppo"),
        ("halab", "aleppo"),
        ("dimashq", "damascus"),
        ("damascus", "damascus"),
        ("idl", "idlib"),
        ("deir", "deir ezzor"),
        ("dayr", "deir ezzor"),
        ("raqq", "raqqa"),
        ("hasak", "hasakeh"),
        ("hasek", "hasakeh"),
        ("homs", "homs"),
        ("hims", "homs"),
        ("hama", "hama"),
        ("daraa", "daraa"),
        ("dara", "daraa"),
        ("lata", "lattakia"),
        ("latt", "lattakia"),
        ("ladh", "lattakia"),
        ("lath", "lattakia"),
        ("qune", "quneitra"),
        ("quna", "quneitra"),
        ("tart", "tartous"),
        ("suwayda", "sweida"),
        ("sweida", "sweida"),
    ];
    MAP.iter()
        .find(|(k, _)| f.contains(k))
        .map_or_else(|| format!("other:{admin1}"), |(_, v)| v.to_string())
}

/// The event's first actor as one of FA-KES's seven actor groups.
fn actor_group(e: &Event) -> String {
    match &e.actor1 {
        Some(a) => actor_group_of(a),
        None => "unknown".into(),
    }
}

/// One actor as one of FA-KES's seven actor groups.
fn actor_group_of(a: &sitrep_core::event::EventActor) -> String {
    let key = format!(
        "{} {}",
        a.id.as_deref().unwrap_or(""),
        a.name.to_lowercase()
    )
    .to_lowercase();
    let has = |w: &[&str]| w.iter().any(|x| key.contains(x));
    // The knowledge-base id first: names mention other actors ("Global
    // Coalition Against Daesh" is not Daesh).
    if let Some(group) = a.id.as_deref().and_then(actor_group_by_id) {
        return group.into();
    }
    let label = if has(&["isis", "islamic state", "isil", "daesh"]) {
        "the organization of the islamic state in iraq and the levant - isis"
    } else if has(&["nusra", "hts", "tahrir al-sham", "fateh al-sham"]) {
        "al-nusra front"
    } else if has(&["sdf", "ypg", "self-admin", "syrian democratic", "asayish"]) {
        "self administration forces"
    } else if has(&[
        "coalition",
        "usa",
        "united states",
        "u.s.",
        "france",
        "uk-",
        "british",
    ]) {
        "international coalition forces"
    } else if has(&[
        "opposition",
        "rebel",
        "fsa",
        "free syrian",
        "jaish",
        "ahrar",
        "faylaq",
        "sna",
    ]) {
        "armed opposition groups"
    } else if a.kind.as_deref() == Some("state-forces")
        && matches!(a.country.as_deref(), Some("SY") | Some("RU"))
        || has(&["syria", "russia", "hezbollah", "regime"])
    {
        "syrian government or russian troops"
    } else {
        "unknown"
    };
    label.into()
}

/// FA-KES's actor group of a knowledge-base actor id, when the id says.
fn actor_group_by_id(id: &str) -> Option<&'static str> {
    const ISIS: &str = "the organization of the islamic state in iraq and the levant - isis";
    const GOV: &str = "syrian government or russian troops";
    let g = match id {
        _ if id.starts_with("isis") => ISIS,
        "sy-nusra" | "sy-jfs" | "sy-hts" => "al-nusra front",
        "sy-sdf" | "sy-ypg" | "sy-ypj" | "sy-asayish" | "sy-deir-mc" | "sy-manbij-mc" => {
            "self administration forces"
        }
        "us-coalition" | "us-military" | "gb-military" | "fr-military" | "nato" => {
            "international coalition forces"
        }
        "sy-fsa" | "sy-sna" | "sy-ahrar" | "sy-jaish-islam" | "sy-faylaq" | "sy-nlf"
        | "sy-zenki" | "sy-jaish-izza" | "sy-maghawir" | "sy-southern-front" => {
            "armed opposition groups"
        }
        "sy-military"
        | "sy-tiger"
        | "sy-4th-division"
        | "sy-republican-guard"
        | "sy-afi"
        | "sy-police"
        | "sy-progov"
        | "sy-ndf"
        | "sy-liwa-quds"
        | "hezbollah"
        | "fatemiyoun"
        | "zainabiyoun" => GOV,
        _ if id.starts_with("ru-") || id.starts_with("ir-") => GOV,
        _ => return None,
    };
    Some(g)
}

/// The event's sub-type and means as one of FA-KES's causes of death.
fn cause(e: &Event) -> String {
    let means = e.means.as_deref().unwrap_or("");
    let c = match e.sub_event_type {
        S::AirDroneStrike | S::ShellingArtilleryMissile => "shelling",
        S::RemoteExplosive | S::SuicideBomb | S::Grenade => "explosion",
        S::ChemicalWeapon => "chemical and toxic gases",
        _ if means == "execution" => "execution",
        _ if matches!(means, "gunfire" | "sniper fire") => "shooting",
        // A battle or an attack whose weapon the text does not name: the
        // cause of death is not stated (FA-KES's "unknown").
        _ => "unknown",
    };
    c.into()
}

#[derive(Default)]
struct Scores {
    n: usize,
    date_exact: usize,
    date_within: usize,
    /// Articles whose labelled day is their publication day.
    label_is_published: usize,
    /// Of those, articles whose primary event is dated by the text to
    /// another day ("killed on Tuesday" in a Wednesday article).
    published_label_text_day: usize,
    /// Articles with a publication day whose label is another day.
    label_other_day: usize,
    /// Of those, articles where the predicted day is the label.
    label_other_day_right: usize,
    fields: BTreeMap<&'static str, usize>,
    confusion: BTreeMap<(&'static str, String, String), usize>,
}

impl Scores {
    fn add(&mut self, l: &Labels, p: &Prediction) {
        self.n += 1;
        if l.date.is_some() && l.date == p.date_start {
            self.date_exact += 1;
        }
        if let (Some(d), Some(pub_day)) = (l.date, p.published) {
            if d == pub_day {
                self.label_is_published += 1;
                if p.text_day && p.date_start != Some(d) {
                    self.published_label_text_day += 1;
                }
            } else {
                self.label_other_day += 1;
                if p.date_start == Some(d) {
                    self.label_other_day_right += 1;
                }
            }
        }
        if let (Some(d), Some(s), Some(e)) = (l.date, p.date_start, p.date_end) {
            if s <= d && d <= e {
                self.date_within += 1;
            }
        }
        let mut field = |name: &'static str, ok: bool| {
            if ok {
                *self.fields.entry(name).or_insert(0) += 1;
            } else {
                self.fields.entry(name).or_insert(0);
            }
        };
        field("governorate", l.governorate == p.governorate);
        field("actor", l.actor == p.actor);
        field("cause", l.cause == p.cause);
        field("civilians", l.civilians == p.civilians);
        field("children", l.children == p.children);
        field("women", l.women == p.women);
        field("noncivilians", l.noncivilians == p.noncivilians);
        for (name, g, q) in [
            ("governorate", &l.governorate, &p.governorate),
            ("actor", &l.actor, &p.actor),
            ("cause", &l.cause, &p.cause),
        ] {
            *self
                .confusion
                .entry((name, g.clone(), q.clone()))
                .or_insert(0) += 1;
        }
    }

    fn share(&self, k: usize) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            k as f64 / self.n as f64
        }
    }

    fn json(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        m.insert("articles".into(), self.n.into());
        m.insert("date_exact".into(), self.share(self.date_exact).into());
        m.insert("date_within".into(), self.share(self.date_within).into());
        m.insert(
            "label_is_published_day".into(),
            self.share(self.label_is_published).into(),
        );
        m.insert(
            "label_is_published_day_text_says_other_day".into(),
            self.published_label_text_day.into(),
        );
        m.insert("label_other_day".into(), self.label_other_day.into());
        m.insert(
            "label_other_day_predicted".into(),
            self.label_other_day_right.into(),
        );
        for (k, v) in &self.fields {
            m.insert((*k).into(), self.share(*v).into());
        }
        serde_json::Value::Object(m)
    }

    fn print(&self) {
        println!(
            "FA-KES: {} articles, share correct per field (primary event)\n",
            self.n
        );
        println!("{:<28} {:>6}", "field", "share");
        println!(
            "{:<28} {:>6.3}",
            "date (exact day)",
            self.share(self.date_exact)
        );
        println!(
            "{:<28} {:>6.3}",
            "date (inside interval)",
            self.share(self.date_within)
        );
        for (k, v) in &self.fields {
            println!("{k:<28} {:>6.3}", self.share(*v));
        }
        println!(
            "\ndate labels: {} of {} articles are labelled with their publication day \
             (dateline); in {} of those the primary event is dated by the text to \
             another day (\"on Tuesday\" in a Wednesday article). {} articles are \
             labelled with another day than their dateline; the prediction is that \
             day in {}.",
            self.label_is_published,
            self.n,
            self.published_label_text_day,
            self.label_other_day,
            self.label_other_day_right
        );
        for name in ["governorate", "actor", "cause"] {
            println!("\n{name}: confusions (gold -> predicted, count)");
            let mut off: Vec<_> = self
                .confusion
                .iter()
                .filter(|((f, g, p), _)| *f == name && g != p)
                .collect();
            off.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            for ((_, g, p), n) in off.iter().take(15) {
                println!("{n:>4}  {g} -> {p}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sitrep_core::event::EventActor;

    fn group(id: Option<&str>, name: &str, kind: Option<&str>) -> String {
        actor_group_of(&EventActor {
            id: id.map(str::to_string),
            name: name.into(),
            kind: kind.map(str::to_string),
            country: None,
            text: name.into(),
        })
    }

    /// Regression: "Global Coalition Against Daesh" was mapped to Daesh
    /// because its name was searched before its id.
    #[test]
    fn the_coalition_against_daesh_is_not_daesh() {
        assert_eq!(
            group(
                Some("us-coalition"),
                "Global Coalition Against Daesh (Operation Inherent Resolve)",
                Some("external-forces")
            ),
            "international coalition forces"
        );
        assert_eq!(
            group(Some("isis"), "Islamic State", Some("rebel-group")),
            "the organization of the islamic state in iraq and the levant - isis"
        );
        // Without an id, the name still decides.
        assert_eq!(
            group(None, "Free Syrian Army brigade", None),
            "armed opposition groups"
        );
    }
}

//! `sitrep eval geo`: geotagging and geocoding accuracy on GeoWebNews, and
//! geoparsing speed on FA-KES. See docs/accuracy.md, "Places".

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use sitrep_core::{CharIndex, Span};
use sitrep_geo::parse::distance_km;
use sitrep_geo::GeoparseOptions;

use super::Global;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// GeoWebNews XML.
    #[arg(long, default_value = "../shared/eval/geowebnews/GWN.xml")]
    pub gwn: PathBuf,
    /// FA-KES CSV: time geoparsing on column article_content and check the
    /// most-mentioned Syrian governorate against column `location`.
    #[arg(long)]
    pub fakes: Option<PathBuf>,
    /// Directory with gazetteer.bin.lz4 and actors.toml.
    #[arg(long, env = "SITREP_DATA")]
    pub data: Option<PathBuf>,
    /// Print every error with its context.
    #[arg(long)]
    pub verbose: bool,
    /// Write the results as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

/// Toponym types scored as places.
const SCORED: &[&str] = &["Literal", "Mixed", "Literal_Modifier"];

struct GoldTop {
    start: usize,
    end: usize,
    name: String,
    kind: String,
    geonames: Option<u32>,
    coord: Option<(f64, f64)>,
}

struct Article {
    text: String,
    toponyms: Vec<GoldTop>,
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

fn between<'a>(s: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let i = s.find(open)? + open.len();
    let j = s[i..].find(close)? + i;
    Some(&s[i..j])
}

fn parse_gwn(xml: &str) -> Vec<Article> {
    let mut out = Vec::new();
    for chunk in xml.split("<article ").skip(1) {
        let text = between(chunk, "<text>", "</text>")
            .map(unescape)
            .unwrap_or_default();
        let mut toponyms = Vec::new();
        for t in chunk.split("<toponym>").skip(1) {
            let get =
                |tag: &str| between(t, &format!("<{tag}>"), &format!("</{tag}>")).map(unescape);
            let (Some(s), Some(e)) = (
                get("start").and_then(|v| v.trim().parse().ok()),
                get("end").and_then(|v| v.trim().parse().ok()),
            ) else {
                continue;
            };
            let lat = get("latitude").and_then(|v| v.trim().parse::<f64>().ok());
            let lon = get("longitude").and_then(|v| v.trim().parse::<f64>().ok());
            toponyms.push(GoldTop {
                start: s,
                end: e,
                name: get("extractedName").unwrap_or_default(),
                kind: get("type").unwrap_or_default(),
                geonames: get("geonamesID").and_then(|v| v.trim().parse().ok()),
                coord: lat.zip(lon),
            });
        }
        out.push(Article { text, toponyms });
    }
    out
}

/// FA-KES governorate labels and the GeoNames admin1 ids they stand for
/// ("damascus" covers the city governorate and Rif Dimashq).
const FAKES_GOVERNORATES: &[(&str, &[u32])] = &[
    ("aleppo", &[170062]),
    ("damascus", &[167541, 170652]),
    ("idlib", &[169387]),
    ("deir ezzor", &[170792]),
    ("raqqa", &[172957]),
    ("homs", &[169575]),
    ("hasakeh", &[173813]),
    ("hama", &[170015]),
    ("daraa", &[170903]),
    ("lattakia", &[173578]),
    ("quneitra", &[173336]),
    ("tartous", &[163342]),
];

/// Minimal RFC 4180 reader: records of fields, quotes doubled inside quotes.
fn parse_csv(s: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
        } else {
            match c {
                '"' => quoted = true,
                ',' => row.push(std::mem::take(&mut field)),
                '\n' => {
                    row.push(std::mem::take(&mut field));
                    rows.push(std::mem::take(&mut row));
                }
                '\r' => {}
                _ => field.push(c),
            }
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

pub fn run(g: &Global, a: Args) -> anyhow::Result<ExitCode> {
    let parser = super::geoparse::load_parser(a.data.as_ref(), g.quiet)?;
    let xml =
        std::fs::read_to_string(&a.gwn).with_context(|| format!("reading {}", a.gwn.display()))?;
    let articles = parse_gwn(&xml);
    let opts = GeoparseOptions {
        actors: false,
        min_score: 0.0,
    };
    let (mut gold_n, mut pred_n, mut pred_other) = (0usize, 0usize, 0usize);
    let (mut tp_strict, mut tp_overlap, mut gold_strict, mut gold_overlap) =
        (0usize, 0usize, 0usize, 0usize);
    let (mut with_coord, mut within161, mut err_sum, mut err_n) = (0usize, 0usize, 0f64, 0usize);
    let (mut id_n, mut id_ok) = (0usize, 0usize);
    let mut errors: BTreeMap<&'static str, usize> = BTreeMap::new();
    let t0 = Instant::now();
    let mut offset_mismatch = 0usize;
    for art in &articles {
        let ci = CharIndex::new(&art.text);
        let res = parser.parse_text(&art.text, &[Span::new(0, art.text.len())], &opts);
        let preds: Vec<(usize, usize, &sitrep_core::place::Toponym)> = res
            .toponyms
            .iter()
            .filter(|t| t.place.is_some())
            .map(|t| (ci.char_offset(t.span.start), ci.char_offset(t.span.end), t))
            .collect();
        let gold: Vec<&GoldTop> = art
            .toponyms
            .iter()
            .filter(|t| SCORED.contains(&t.kind.as_str()))
            .collect();
        for t in &art.toponyms {
            let b = Span::new(ci.byte_offset(t.start), ci.byte_offset(t.end));
            if b.slice(&art.text) != t.name {
                offset_mismatch += 1;
            }
        }
        gold_n += gold.len();
        pred_n += preds.len();
        // Precision side.
        for (s, e, t) in &preds {
            let strict = gold.iter().any(|g| g.start == *s && g.end == *e);
            let over = gold.iter().any(|g| g.start < *e && *s < g.end);
            if strict {
                tp_strict += 1;
            }
            if over {
                tp_overlap += 1;
            } else if art.toponyms.iter().any(|g| g.start < *e && *s < g.end) {
                pred_other += 1;
                *errors
                    .entry("fp: annotated but not a literal place (metonymy, demonym, ...)")
                    .or_default() += 1;
            } else {
                *errors.entry("fp: not annotated as a toponym").or_default() += 1;
                if a.verbose {
                    eprintln!(
                        "FP  {:?} -> {:?}",
                        t.text,
                        t.place.as_ref().map(|p| (&p.name, &p.country_code))
                    );
                }
            }
        }
        // Recall and geocoding side.
        for gt in &gold {
            if preds.iter().any(|(s, e, _)| *s == gt.start && *e == gt.end) {
                gold_strict += 1;
            }
            let hit = preds
                .iter()
                .filter(|(s, e, _)| gt.start < *e && *s < gt.end)
                .max_by_key(|(s, e, _)| (*e).min(gt.end).saturating_sub((*s).max(gt.start)));
            let Some((_, _, t)) = hit else {
                *errors.entry("fn: missed").or_default() += 1;
                if a.verbose {
                    eprintln!("MISS {:?} ({})", gt.name, gt.kind);
                }
                continue;
            };
            gold_overlap += 1;
            let Some(p) = &t.place else { continue };
            if let Some(gid) = gt.geonames {
                id_n += 1;
                if gid == p.geonames_id {
                    id_ok += 1;
                } else if a.verbose {
                    eprintln!(
                        "ID  {:?} -> {} {} {} {} (gold id {gid})",
                        gt.name, p.geonames_id, p.name, p.feature_code, p.country_code
                    );
                }
            }
            if let Some(c) = gt.coord {
                let d = distance_km(c, (p.lat, p.lon));
                err_sum += d;
                err_n += 1;
                if d <= 161.0 {
                    within161 += 1;
                } else {
                    let k = if d > 2000.0 {
                        "geo: wrong place > 2000 km"
                    } else {
                        "geo: wrong place 161-2000 km"
                    };
                    *errors.entry(k).or_default() += 1;
                    if a.verbose {
                        eprintln!(
                            "FAR {:?} -> {} {} ({:.0} km, gold id {:?})",
                            gt.name, p.name, p.country_code, d, gt.geonames
                        );
                    }
                }
            }
        }
        with_coord += gold.iter().filter(|g| g.coord.is_some()).count();
    }
    let secs = t0.elapsed().as_secs_f64();
    let pct = |a: usize, b: usize| {
        if b == 0 {
            0.0
        } else {
            100.0 * a as f64 / b as f64
        }
    };
    let f1 = |p: f64, r: f64| {
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    };
    let p_strict = pct(tp_strict, pred_n);
    let p_overlap = pct(tp_overlap, pred_n);
    let p_lenient = pct(tp_overlap, pred_n - pred_other);
    let r_strict = pct(gold_strict, gold_n);
    let r_overlap = pct(gold_overlap, gold_n);
    println!(
        "GeoWebNews: {} articles, {} gold toponyms ({}), {} predicted",
        articles.len(),
        gold_n,
        SCORED.join(", "),
        pred_n
    );
    if offset_mismatch > 0 {
        println!("warning: {offset_mismatch} gold toponyms whose offsets do not match their text");
    }
    println!();
    println!("| geotagging | precision | recall | F1 |");
    println!("|---|---|---|---|");
    println!(
        "| strict span | {p_strict:.1}% | {r_strict:.1}% | {:.1}% |",
        f1(p_strict, r_strict)
    );
    println!(
        "| overlapping span | {p_overlap:.1}% | {r_overlap:.1}% | {:.1}% |",
        f1(p_overlap, r_overlap)
    );
    println!("| overlapping, other annotated toponym types not counted as errors | {p_lenient:.1}% | {r_overlap:.1}% | {:.1}% |", f1(p_lenient, r_overlap));
    println!();
    println!("| geocoding | value |");
    println!("|---|---|");
    println!(
        "| gold toponyms found and within 161 km (of {with_coord} with coordinates) | {:.1}% |",
        pct(within161, with_coord)
    );
    println!(
        "| found toponyms within 161 km (of {err_n}) | {:.1}% |",
        pct(within161, err_n)
    );
    println!(
        "| mean error of found toponyms | {:.0} km |",
        if err_n == 0 {
            0.0
        } else {
            err_sum / err_n as f64
        }
    );
    println!(
        "| exact GeoNames id (of {id_n} found with a gold id) | {:.1}% |",
        pct(id_ok, id_n)
    );
    println!();
    println!("| error class | count |");
    println!("|---|---|");
    for (k, v) in &errors {
        println!("| {k} | {v} |");
    }
    println!();
    println!(
        "time: {:.2} s for {} articles ({:.0} articles/s)",
        secs,
        articles.len(),
        articles.len() as f64 / secs.max(1e-9)
    );
    let mut fakes_json = None;
    if let Some(path) = &a.fakes {
        let csv =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let rows = parse_csv(&csv);
        let col = rows
            .first()
            .and_then(|h| h.iter().position(|c| c == "article_content"))
            .context("no article_content column")?;
        let loc_col = rows
            .first()
            .and_then(|h| h.iter().position(|c| c == "location"));
        let texts: Vec<&str> = rows
            .iter()
            .skip(1)
            .filter_map(|r| r.get(col))
            .map(String::as_str)
            .collect();
        let labels: Vec<Option<&str>> = rows
            .iter()
            .skip(1)
            .filter(|r| r.get(col).is_some())
            .map(|r| loc_col.and_then(|c| r.get(c)).map(|s| s.trim()))
            .collect();
        let bytes: usize = texts.iter().map(|t| t.len()).sum();
        let full = GeoparseOptions::default();
        let t = Instant::now();
        let mut n_top = 0usize;
        let mut n_act = 0usize;
        let mut results = Vec::with_capacity(texts.len());
        for text in &texts {
            let r = parser.parse_text(text, &[Span::new(0, text.len())], &full);
            n_top += r.toponyms.len();
            n_act += r.actors.len();
            results.push(r);
        }
        let s = t.elapsed().as_secs_f64();
        // Governorate check: the most-mentioned Syrian admin1 of each article.
        let (mut gov_n, mut gov_ok, mut gov_none, mut n_sy, mut n_foreign) =
            (0usize, 0usize, 0usize, 0usize, 0usize);
        let mut foreign: BTreeMap<String, usize> = BTreeMap::new();
        for (r, label) in results.iter().zip(&labels) {
            let mut counts: BTreeMap<u32, usize> = BTreeMap::new();
            for t in &r.toponyms {
                let Some(p) = &t.place else { continue };
                if p.country_code != "SY" {
                    if p.feature_class != sitrep_core::place::FeatureClass::Country {
                        n_foreign += 1;
                        *foreign
                            .entry(format!("{} {} ({})", p.name, p.country_code, t.text))
                            .or_default() += 1;
                    }
                    continue;
                }
                n_sy += 1;
                if let Some(a1) = parser.gazetteer.admin1_id_of(p.geonames_id) {
                    *counts.entry(a1).or_default() += 1;
                }
            }
            let Some(expected) = label.and_then(|l| {
                FAKES_GOVERNORATES
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(l))
                    .map(|(_, ids)| *ids)
            }) else {
                continue;
            };
            gov_n += 1;
            // Most mentions; ties go to the smaller id (deterministic).
            let best = counts
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(id, _)| *id);
            match best {
                None => gov_none += 1,
                Some(id) if expected.contains(&id) => gov_ok += 1,
                Some(_) => {}
            }
        }
        println!(
            "FA-KES: {} documents ({:.1} MB) in {:.2} s: {:.0} documents/s, {:.1} MB/s; {} toponyms, {} actor mentions",
            texts.len(),
            bytes as f64 / 1e6,
            s,
            texts.len() as f64 / s.max(1e-9),
            bytes as f64 / 1e6 / s.max(1e-9),
            n_top,
            n_act
        );
        println!(
            "FA-KES governorate: most-mentioned Syrian admin1 = label in {gov_ok} of {gov_n} articles ({:.1}%); {gov_none} without a Syrian place",
            pct(gov_ok, gov_n)
        );
        println!(
            "FA-KES places outside Syria (not countries): {n_foreign} of {} resolved toponyms",
            n_sy + n_foreign
        );
        if a.verbose {
            let mut v: Vec<_> = foreign.into_iter().collect();
            v.sort_by_key(|x| std::cmp::Reverse(x.1));
            for (k, n) in v.iter().take(40) {
                eprintln!("FOREIGN {n} {k}");
            }
        }
        fakes_json = Some(serde_json::json!({
            "documents": texts.len(), "docs_per_s": texts.len() as f64 / s.max(1e-9),
            "governorate_match": pct(gov_ok, gov_n), "governorate_articles": gov_n,
            "foreign_places": n_foreign, "syrian_places": n_sy,
        }));
    }
    if let Some(path) = &a.json {
        let v = serde_json::json!({
            "articles": articles.len(), "gold": gold_n, "predicted": pred_n,
            "precision_strict": p_strict, "recall_strict": r_strict,
            "precision_overlap": p_overlap, "recall_overlap": r_overlap,
            "precision_lenient": p_lenient,
            "within_161km_of_gold": pct(within161, with_coord),
            "within_161km_of_found": pct(within161, err_n),
            "mean_error_km": if err_n == 0 { 0.0 } else { err_sum / err_n as f64 },
            "exact_id": pct(id_ok, id_n),
            "errors": errors,
            "fakes": fakes_json,
        });
        std::fs::write(path, serde_json::to_string_pretty(&v)?)?;
    }
    Ok(ExitCode::SUCCESS)
}

//! `sitrep brief` through the binary: the Abu Kamal November 2017 briefing
//! on the seed reports (read from ../shared/seeds at run time; skipped with
//! a note when absent) states the figures with their sources and the
//! control timeline, cites every sentence and quotes only sentences that
//! occur verbatim in a stored report; a period without events and an
//! unknown place.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

fn brief(db: &Path, args: &[&str]) -> Value {
    let mut a = vec!["brief"];
    a.extend_from_slice(args);
    a.extend_from_slice(&["--format", "json"]);
    serde_json::from_str(&common::ok(db, &a)).expect("brief --format json prints one object")
}

fn sentences(b: &Value) -> Vec<&Value> {
    b["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["items"].as_array().unwrap())
        .flat_map(|i| i["sentences"].as_array().unwrap())
        .collect()
}

fn section<'a>(b: &'a Value, id: &str) -> Vec<&'a Value> {
    b["sections"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["id"] == id)
        .flat_map(|s| s["items"].as_array().unwrap())
        .flat_map(|i| i["sentences"].as_array().unwrap())
        .collect()
}

fn notes_of<'a>(b: &'a Value, s: &Value) -> Vec<&'a Value> {
    s["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| &b["notes"][n.as_u64().unwrap() as usize - 1])
        .collect()
}

#[test]
fn abu_kamal_november_2017_on_the_seeds() {
    let Some(dir) = common::seeds() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("t.db");
    common::ingest(&db, &[&dir]);
    let nov = ["--from", "2017-11-01", "--to", "2017-11-30"];
    let b = brief(&db, &[&["al-Boukamal"][..], &nov].concat());
    // Any spelling the geoparser resolves, and the GeoNames id, give the
    // same briefing.
    for q in ["Albukamal", "Abu Kamal", "174448"] {
        let mut other = brief(&db, &[&[q][..], &nov].concat());
        other["scope"]["query"] = b["scope"]["query"].clone();
        assert_eq!(other, b, "{q}");
    }
    assert_eq!(b["scope"]["geonames_ids"][0], 174448);
    assert!(
        b["counts"]["events"].as_u64().unwrap() >= 4,
        "{:#}",
        b["counts"]
    );

    // Every sentence cites; every quote is verbatim in its stored report.
    let mut texts: BTreeMap<String, String> = BTreeMap::new();
    let all = sentences(&b);
    assert!(all.len() > 20);
    for s in &all {
        assert!(!s["notes"].as_array().unwrap().is_empty(), "uncited: {s}");
        for n in notes_of(&b, s) {
            assert!(n["outlet"].is_string() && n["chain"].is_string(), "{n}");
            assert!(n["published"].is_string(), "the seeds have dates: {n}");
        }
        if s["kind"] == "quote" {
            let q = &s["quote"];
            let doc = q["doc"].as_str().unwrap().to_string();
            let text = texts.entry(doc.clone()).or_insert_with(|| {
                let v: Value =
                    serde_json::from_str(&common::ok(&db, &["show", &doc, "--json"])).unwrap();
                v["document"]["text"].as_str().unwrap().to_string()
            });
            let text_s = s["text"].as_str().unwrap();
            assert!(text.contains(text_s), "not verbatim in {doc}: {text_s}");
            let (a, z) = (
                q["byte_start"].as_u64().unwrap() as usize,
                q["byte_end"].as_u64().unwrap() as usize,
            );
            assert_eq!(&text[a..z], text_s);
        }
    }

    // The figures of every fused event in the period, each with the source
    // that gives it (what fusion holds: see `sitrep timeline`).
    let events: Vec<Value> = common::ok(
        &db,
        &[&["timeline", "Abu Kamal"][..], &nov, &["--json"]].concat(),
    )
    .lines()
    .map(|l| serde_json::from_str(l).unwrap())
    .collect();
    let key_events = section(&b, "events");
    let mut figures = 0;
    for e in &events {
        let mut figs: Vec<&Value> = Vec::new();
        for f in ["fatalities", "civilians", "injured", "displaced"] {
            if e[f].is_object() {
                figs.push(&e[f]);
            }
        }
        for pair in e["fatalities_by_actor"].as_array().unwrap() {
            figs.push(&pair[1]);
        }
        for f in figs {
            for s in f["by_source"].as_array().unwrap() {
                let who = s["source"].as_str().unwrap().trim_start_matches("outlet:");
                let said = format!("{who} (\"{}\")", s["text"].as_str().unwrap());
                assert!(
                    key_events
                        .iter()
                        .any(|x| x["text"].as_str().unwrap().contains(&said)),
                    "no sentence gives {said} for {}",
                    e["id"]
                );
                figures += 1;
            }
        }
    }
    assert!(figures >= 3, "{figures}");
    // The government-side and Islamic State dead of 19 November, by who
    // claims them.
    let dead = |actor: &str, figure: &str| {
        let s = key_events
            .iter()
            .find(|s| {
                let t = s["text"].as_str().unwrap();
                t.starts_with(&format!("{actor} dead:")) && t.contains(figure)
            })
            .unwrap_or_else(|| panic!("no {actor} dead with {figure}"));
        let notes = notes_of(&b, s);
        assert!(
            notes.iter().any(|n| n["outlet"] == "Syria News"),
            "{notes:?}"
        );
        // Its evidence sentence is quoted, with the same footnote.
        let next = key_events.iter().any(|x| {
            x["kind"] == "quote"
                && x["text"]
                    .as_str()
                    .unwrap()
                    .contains(figure.trim_matches('"'))
                && notes_of(&b, x).iter().any(|n| n["outlet"] == "Syria News")
        });
        (s["text"].as_str().unwrap().to_string(), next)
    };
    let (gov, quoted) = dead("Military Forces of Syria", "\"at least 31\"");
    assert!(gov.contains("low 31") && quoted, "{gov}");
    let (isis, quoted) = dead("Islamic State", "\"more than 50\"");
    assert!(
        isis.contains("low 51") && isis.contains("high not bounded") && quoted,
        "{isis}"
    );
    // 120,000 displaced, from the UN (when extraction yields it).
    if events.iter().any(|e| e["displaced"]["best"] == 120000.0) {
        let d = key_events
            .iter()
            .find(|s| s["text"].as_str().unwrap().starts_with("Displaced:"))
            .expect("the displacement figure");
        assert!(
            d["text"].as_str().unwrap().contains("UN (\"120,000\")"),
            "{d}"
        );
        let summary = section(&b, "summary");
        assert!(summary.iter().any(|s| s["text"]
            .as_str()
            .unwrap()
            .contains("120,000 people displaced")));
    }

    // The control timeline of November: entered on the 8th, taken on the
    // 9th, partly retaken by Islamic State that night, retaken on the 19th.
    let control: Vec<String> = section(&b, "control")
        .iter()
        .filter(|s| s["kind"] == "generated")
        .map(|s| s["text"].as_str().unwrap().to_string())
        .collect();
    let has = |start: &str, holder: &str, extent: &str| {
        assert!(
            control
                .iter()
                .any(|t| t.starts_with(start) && t.contains(holder) && t.contains(extent)),
            "no {start} / {holder} / {extent} in {control:#?}"
        )
    };
    has(
        "From 8 November 2017",
        "Military Forces of Syria (government)",
        "contested",
    );
    has(
        "On 9 November 2017",
        "Military Forces of Syria (government)",
        "full control",
    );
    has(
        "From the night of 9 November 2017",
        "Islamic State",
        "part of the place",
    );
    has(
        "From 19 November 2017",
        "Military Forces of Syria (government)",
        "full control",
    );
    // The summary says how control ended in the period.
    assert!(section(&b, "summary")[0]["text"]
        .as_str()
        .unwrap()
        .contains("on 19 November 2017, left Military Forces of Syria"));

    // Markdown and HTML carry the same footnotes.
    let md = common::ok(&db, &[&["brief", "Albukamal"][..], &nov].concat());
    let n = b["notes"].as_array().unwrap().len();
    assert!(md.contains(&format!("[^{n}]: ")) && !md.contains(&format!("[^{}]: ", n + 1)));
    let out = tmp.path().join("b.html");
    common::ok(
        &db,
        &[
            &[
                "brief",
                "Albukamal",
                "--format",
                "html",
                "-o",
                out.to_str().unwrap(),
            ][..],
            &nov,
        ]
        .concat(),
    );
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains(&format!("id=\"note-{n}\"")), "{html}");
}

#[test]
fn no_events_and_unknown_places() {
    let Some(dir) = common::seeds() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("t.db");
    common::ingest(&db, &[&dir]);
    let b = brief(
        &db,
        &["Albukamal", "--from", "2019-01-01", "--to", "2019-01-31"],
    );
    assert_eq!(b["counts"]["events"], 0);
    assert!(
        b["notice"].as_str().unwrap().starts_with("No events:"),
        "{b:#}"
    );
    for s in sentences(&b) {
        assert!(!s["notes"].as_array().unwrap().is_empty(), "{s}");
    }
    let o = common::sitrep(&db, &["brief", "Qqqzzyville"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("'Qqqzzyville'") && err.contains("searched"),
        "{err}"
    );
    let o = common::sitrep(&db, &["brief", "Albukamal", "--from", "2017-11-31"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("--from"));
    // A region: the governorate holds Abu Kamal's events and others.
    let r = brief(
        &db,
        &[
            "Deir ez-Zor Governorate",
            "--from",
            "2017-11-01",
            "--to",
            "2017-11-30",
        ],
    );
    assert_eq!(r["scope"]["kind"], "region");
    let abu = brief(
        &db,
        &["Albukamal", "--from", "2017-11-01", "--to", "2017-11-30"],
    );
    let n = |v: &Value| v["counts"]["events"].as_u64().unwrap();
    assert!(n(&r) > n(&abu), "{} vs {}", n(&r), n(&abu));
    // A country: every event located in it.
    let c = brief(
        &db,
        &["Syria", "--from", "2017-11-01", "--to", "2017-11-30"],
    );
    assert_eq!(c["scope"]["kind"], "country");
    assert!(n(&c) >= n(&r), "{} vs {}", n(&c), n(&r));
}

/// `GET path` on a running server: status and body (one request per
/// connection, `Connection: close`, no chunked encoding expected for these
/// small bodies beyond what we undo here).
fn http_get(addr: &str, path: &str) -> (u16, String, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = raw.split_once("\r\n\r\n").expect("headers");
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let body = if head.to_lowercase().contains("transfer-encoding: chunked") {
        let mut out = String::new();
        let mut rest = body;
        while let Some((len, tail)) = rest.split_once("\r\n") {
            let n = usize::from_str_radix(len.trim(), 16).unwrap_or(0);
            if n == 0 {
                break;
            }
            out.push_str(&tail[..n]);
            rest = &tail[n + 2..];
        }
        out
    } else {
        body.to_string()
    };
    (status, head.to_string(), body)
}

#[test]
fn serve_answers_briefings() {
    let Some(dir) = common::seeds() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("t.db");
    common::ingest(&db, &[&dir]);
    let mut child = std::process::Command::new(common::bin())
        .arg("--db")
        .arg(&db)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start sitrep serve");
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    let q = "/api/briefing?place=al-Boukamal&from=2017-11-01&to=2017-11-30";
    let (status, _, body) = http_get(&addr, q);
    let cli = brief(
        &db,
        &["al-Boukamal", "--from", "2017-11-01", "--to", "2017-11-30"],
    );
    let api: Value = serde_json::from_str(&body).unwrap();
    let (md_status, md_head, md) = http_get(&addr, &format!("{q}&format=md"));
    let (html_status, _, html) = http_get(&addr, &format!("{q}&format=html"));
    let (missing, _, missing_body) = http_get(&addr, "/api/briefing?place=Qqqzzyville");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(status, 200, "{body}");
    // The API serves the same briefing as the command line.
    assert_eq!(api, cli);
    assert_eq!(md_status, 200);
    assert!(
        md_head.to_lowercase().contains("text/markdown"),
        "{md_head}"
    );
    assert!(
        md.starts_with("# Situation report: ") && md.contains("[^1]: "),
        "{md}"
    );
    assert_eq!(html_status, 200);
    assert!(html.contains("<sup class=\"fn\"><a href=\"#note-1\">[1]</a></sup>"));
    assert_eq!(missing, 404, "{missing_body}");
    assert!(missing_body.contains("Qqqzzyville"), "{missing_body}");
}

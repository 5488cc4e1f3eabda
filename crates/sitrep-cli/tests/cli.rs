//! End-to-end tests of `sitrep ingest`, `docs` and `show` on the seed
//! reports (read from ../shared at run time) and on files made here.

mod common;

use std::fs;

use common::*;

#[test]
fn seeds_with_sidecar_get_outlets_and_dates() {
    let Some(seeds) = seeds() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("s.db");
    let s = ingest(&db, &[&seeds]);
    assert_eq!(s["totals"]["errors"], 0, "{s:#}");
    let docs = docs(&db);
    let meta = fs::read_to_string(seeds.join("meta.jsonl")).unwrap();
    let mut n = 0;
    for line in meta.lines().filter(|l| !l.trim().is_empty()) {
        let m: serde_json::Value = serde_json::from_str(line).unwrap();
        let key = m["file"].as_str().unwrap().trim_end_matches(".txt");
        let d = doc(&docs, key);
        assert_eq!(d["outlet"], m["outlet"], "{key}");
        assert_eq!(d["url"], m["url"], "{key}");
        assert_eq!(d["published"]["date"], m["published"], "{key}");
        assert_eq!(d["published"]["precision"], "day", "{key}");
        assert_eq!(d["published"]["origin"], "sidecar", "{key}");
        assert_eq!(d["language"]["code"], "eng", "{key}");
        n += 1;
    }
    assert_eq!(n, 5);
    let seed_docs = docs
        .iter()
        .filter(|d| d["key"].as_str().unwrap().starts_with("00"))
        .count();
    assert_eq!(seed_docs, 5);

    // `show` on each seed: kept text, removed segments, JSON record.
    for f in seed_files(&seeds) {
        let key = key_of(&f);
        let text = ok(&db, &["show", &key]);
        assert!(text.split_whitespace().count() > 100, "{key}: {text}");
        let source = fs::read_to_string(&f).unwrap();
        for line in text.lines() {
            assert!(
                source.contains(line),
                "{key}: kept line not in source: {line}"
            );
        }
        ok(&db, &["show", &key, "--removed"]);
        let rec: serde_json::Value =
            serde_json::from_str(&ok(&db, &["show", &key, "--json"])).unwrap();
        assert_eq!(rec["key"], key);
        let segs = rec["document"]["segments"].as_array().unwrap();
        assert!(!segs.is_empty());
        for s in segs {
            let (a, b) = (
                s["span"]["start"].as_u64().unwrap(),
                s["span"]["end"].as_u64().unwrap(),
            );
            assert!(a <= b && b as usize <= source.len(), "{key}: {s}");
        }
    }
    // The human table names every seed and its date with precision and origin.
    let table = ok(&db, &["docs"]);
    assert!(table.contains("2017-11-09 day sidecar"), "{table}");
}

#[test]
fn seeds_without_sidecar_date_only_what_the_text_says() {
    let Some(seeds) = seeds() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("txt");
    fs::create_dir(&dir).unwrap();
    for f in seed_files(&seeds) {
        fs::copy(&f, dir.join(f.file_name().unwrap())).unwrap();
    }
    let db = tmp.path().join("s.db");
    let s = ingest(&db, &[&dir]);
    assert_eq!(s["totals"]["new"], 5, "{s:#}");
    let docs = docs(&db);
    for f in seed_files(&seeds) {
        let key = key_of(&f);
        let p = &doc(&docs, &key)["published"];
        if key.starts_with("002") {
            assert_eq!(p["date"], "2017-11-09", "{key}: {p}");
            assert_eq!(p["precision"], "day");
            assert_eq!(p["origin"], "dateline");
        } else {
            assert_eq!(p["date"], serde_json::Value::Null, "{key}: {p}");
            assert_eq!(p["precision"], "unknown", "{key}");
            assert_eq!(p["origin"], "unknown", "{key}");
        }
    }
    let table = ok(&db, &["docs"]);
    assert!(table.contains("2017-11-09 day dateline"), "{table}");
    assert!(table.contains("unknown"), "{table}");
}

#[test]
fn reingest_adds_nothing_and_changed_content_is_a_new_version() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("e.db");
    let ex = examples();
    let first = ingest(&db, &[&ex]);
    let n = first["totals"]["new"].as_u64().unwrap();
    assert!(n >= 7, "{first:#}");
    let again = ingest(&db, &[&ex]);
    assert_eq!(again["totals"]["new"], 0, "{again:#}");
    assert_eq!(again["totals"]["new_versions"], 0);
    assert_eq!(again["totals"]["unchanged"], n);
    assert_eq!(docs(&db).len() as u64, n);

    let dir = tmp.path().join("v");
    fs::create_dir(&dir).unwrap();
    let f = dir.join("report.txt");
    fs::write(
        &f,
        "Clashes were reported near the northern bridge on Sunday, residents said.\n",
    )
    .unwrap();
    assert_eq!(ingest(&db, &[&f])["totals"]["new"], 1);
    fs::write(&f, "Clashes were reported near the northern bridge on Sunday, residents said.\nFour people were wounded, a hospital official said.\n").unwrap();
    let s = ingest(&db, &[&f]);
    assert_eq!(s["totals"]["new_versions"], 1, "{s:#}");
    let rec: serde_json::Value =
        serde_json::from_str(&ok(&db, &["show", "report", "--json"])).unwrap();
    assert_eq!(rec["version"], 2);
    assert_eq!(rec["versions"].as_array().unwrap().len(), 2);
    assert!(ok(&db, &["show", "report"]).contains("Four people were wounded"));
    assert_eq!(docs(&db).len() as u64, n + 1);
}

#[test]
fn syndicated_copies_are_marked_not_dropped() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("d.db");
    let s = ingest(&db, &[&examples()]);
    assert_eq!(s["totals"]["near_duplicates"], 1, "{s:#}");
    let docs = docs(&db);
    assert_eq!(
        doc(&docs, "002_qasr-nadim-wire-copy")["duplicate_of"],
        "001_qasr-nadim-shelling"
    );
    assert_eq!(
        doc(&docs, "001_qasr-nadim-shelling")["duplicate_of"],
        serde_json::Value::Null
    );
    let canon = ok(&db, &["docs", "--no-duplicates"]);
    assert!(!canon.contains("002_qasr-nadim-wire-copy"), "{canon}");

    // A seed report republished with other site furniture.
    let Some(seeds) = seeds() else { return };
    let orig = seed_files(&seeds)
        .into_iter()
        .find(|p| key_of(p).starts_with("003"))
        .unwrap();
    let body = fs::read_to_string(&orig).unwrap();
    let dir = tmp.path().join("syndicated");
    fs::create_dir(&dir).unwrap();
    fs::copy(&orig, dir.join(orig.file_name().unwrap())).unwrap();
    fs::write(
        dir.join("zz_republished.txt"),
        format!("Home | News | World\nRepublished from our partners\n\n{body}\nShare this article\nAll rights reserved.\n"),
    )
    .unwrap();
    let s = ingest(&db, &[&dir]);
    assert_eq!(s["totals"]["near_duplicates"], 1, "{s:#}");
    let docs = common::docs(&db);
    assert_eq!(doc(&docs, "zz_republished")["duplicate_of"], key_of(&orig));
}

#[test]
fn bad_files_are_reported_and_the_batch_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("mixed");
    fs::create_dir(&dir).unwrap();
    fs::write(
        dir.join("a_good.txt"),
        "Two rockets hit the outskirts of the town on Friday, police said.\n",
    )
    .unwrap();
    fs::write(dir.join("b_empty.txt"), "").unwrap();
    let binary: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 256) as u8).collect();
    fs::write(dir.join("c_binary.txt"), &binary).unwrap();
    fs::write(
        dir.join("d_records.jsonl"),
        "{\"id\":\"rec-1\",\"text\":\"A convoy was ambushed on the eastern road, officials said.\"}\n{not json\n",
    )
    .unwrap();
    let db = tmp.path().join("b.db");
    let o = sitrep(&db, &["ingest", "--json", dir.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let errors = s["errors"].as_array().unwrap();
    let origins: Vec<&str> = errors
        .iter()
        .map(|e| e["origin"].as_str().unwrap())
        .collect();
    assert!(origins.iter().any(|o| o.ends_with("b_empty.txt")), "{s:#}");
    assert!(origins.iter().any(|o| o.ends_with("c_binary.txt")), "{s:#}");
    assert!(
        origins.iter().any(|o| o.ends_with("d_records.jsonl:2")),
        "{s:#}"
    );
    for e in errors {
        let m = e["message"].as_str().unwrap();
        assert!(!m.is_empty() && !m.contains('\n'), "one-line reason: {m:?}");
    }
    assert_eq!(
        s["totals"]["errors"].as_u64().unwrap() as usize,
        errors.len()
    );
    let keys: Vec<String> = docs(&db)
        .iter()
        .map(|d| d["key"].as_str().unwrap().to_string())
        .collect();
    assert!(keys.contains(&"a_good".to_string()), "{keys:?}");
    assert!(keys.contains(&"rec-1".to_string()), "{keys:?}");

    // The human summary lists each failed file with its reason.
    let o = sitrep(&db, &["ingest", dir.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("b_empty.txt") && out.contains("c_binary.txt"),
        "{out}"
    );

    // Nothing readable at all: exit status 1.
    let only_bad = tmp.path().join("bad");
    fs::create_dir(&only_bad).unwrap();
    fs::write(only_bad.join("empty.txt"), "").unwrap();
    let o = sitrep(&db, &["ingest", only_bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn unknown_ids_and_missing_databases_say_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("none.db");
    let o = sitrep(&db, &["docs"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("sitrep ingest"));
    assert!(!db.exists(), "docs must not create a database");

    ingest(&db, &[&examples()]);
    let o = sitrep(&db, &["show", "qasr"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("sitrep docs"), "{err}");
    assert!(
        err.contains("001_qasr-nadim-shelling"),
        "did-you-mean: {err}"
    );
}

#[test]
fn stdin_with_flags() {
    use std::io::Write;
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("i.db");
    let mut child = std::process::Command::new(bin())
        .args(["--db", db.to_str().unwrap(), "ingest", "-", "--json"])
        .args([
            "--outlet",
            "Example Post",
            "--published",
            "2020-05-04",
            "--url",
            "https://example.org/x",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            b"Protesters gathered outside the governor's office on Monday, witnesses said.\n",
        )
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    let docs = docs(&db);
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["outlet"], "Example Post");
    assert_eq!(docs[0]["url"], "https://example.org/x");
    assert_eq!(docs[0]["published"]["date"], "2020-05-04");
    assert_eq!(docs[0]["published"]["origin"], "flag");
}

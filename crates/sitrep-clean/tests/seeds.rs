//! Acceptance tests on the five seed reports, read at run time from
//! `../shared/seeds` (never copied into the repository). Skipped with a
//! message when the directory is absent.

use std::path::{Path, PathBuf};

use sitrep_clean::{eval, Cleaner};
use sitrep_core::{DateOrigin, Document, DocumentMeta, PublishedDate, RemovalReason, SegmentKind};

fn seeds_dir() -> Option<PathBuf> {
    let d = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/seeds"
    ));
    if d.is_dir() {
        Some(d.to_path_buf())
    } else {
        eprintln!("skipping: seed directory {} not found", d.display());
        None
    }
}

fn labels() -> Vec<eval::LineLabel> {
    let p = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../eval/labels/clean/seeds.tsv"
    );
    eval::parse_labels(&std::fs::read_to_string(p).expect("seed labels")).expect("valid labels")
}

/// Load the seeds as plain-text documents, optionally with `meta.jsonl`.
fn load(dir: &Path, with_meta: bool) -> Vec<Document> {
    let mut metas = std::collections::HashMap::new();
    if with_meta {
        let m = std::fs::read_to_string(dir.join("meta.jsonl")).expect("meta.jsonl");
        for line in m.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).expect("json");
            let file = v["file"].as_str().expect("file").to_string();
            let meta = DocumentMeta {
                url: v["url"].as_str().map(String::from),
                outlet: v["outlet"].as_str().map(String::from),
                published: v["published"].as_str().map(String::from),
                ..DocumentMeta::default()
            };
            metas.insert(file, meta);
        }
    }
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .expect("read seeds")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".txt"))
        .collect();
    names.sort();
    let cleaner = Cleaner::new();
    names
        .iter()
        .map(|n| {
            let src = std::fs::read_to_string(dir.join(n)).expect("seed text");
            let meta = metas.get(n).cloned().unwrap_or_default();
            let mut doc = Document::from_text(
                n.trim_end_matches(".txt").to_string(),
                format!("seeds/{n}"),
                src,
                meta,
            );
            if let Some(p) = doc.meta.published.as_deref() {
                doc.published =
                    PublishedDate::parse_supplied(p, DateOrigin::Sidecar).expect("seed date");
            }
            doc.outlet = doc.meta.outlet.clone();
            cleaner.clean(&mut doc);
            if std::env::var_os("SITREP_DUMP").is_some() {
                eprintln!("=== {} published={}", doc.key, doc.published.display());
                for s in &doc.segments {
                    eprintln!("{:?}\t{}", s.kind, s.span.slice(&doc.text));
                }
            }
            doc
        })
        .collect()
}

#[test]
fn every_report_line_kept_exactly_once_and_boilerplate_gone() {
    let Some(dir) = seeds_dir() else { return };
    for with_meta in [true, false] {
        let docs = load(&dir, with_meta);
        assert_eq!(docs.len(), 5);
        let labels = labels();
        for doc in &docs {
            let name = format!("{}.txt", doc.key);
            let lines: Vec<&str> = doc.source.lines().collect();
            let kept = doc.clean_text();
            let kept_lines: Vec<&str> = kept.lines().collect();
            for l in labels.iter().filter(|l| l.file == name) {
                let line = lines[l.line - 1].trim();
                let n = kept_lines.iter().filter(|k| **k == line).count();
                match l.label {
                    eval::Label::Content => assert_eq!(
                        n, 1,
                        "{name}:{} should be kept exactly once (meta: {with_meta})",
                        l.line
                    ),
                    eval::Label::Boilerplate => {
                        // A boilerplate line may only survive as the one
                        // copy of a repeated report paragraph.
                        let is_content_elsewhere = labels.iter().any(|o| {
                            o.file == name
                                && o.label == eval::Label::Content
                                && lines[o.line - 1].trim() == line
                        });
                        assert!(
                            n == 0 || (is_content_elsewhere && n == 1),
                            "{name}:{} is boilerplate but was kept (meta: {with_meta})",
                            l.line
                        )
                    }
                }
            }
        }
        let report = eval::score(&labels, &docs);
        eprintln!("seeds (meta: {with_meta}):\n{report}");
        assert_eq!(report.f1(), 1.0);
    }
}

#[test]
fn repeated_block_in_000_kept_once() {
    let Some(dir) = seeds_dir() else { return };
    let docs = load(&dir, true);
    let d = &docs[0];
    let repeated = d
        .segments
        .iter()
        .filter(|s| s.kind == SegmentKind::Removed(RemovalReason::Repeated))
        .count();
    assert_eq!(repeated, 5);
}

#[test]
fn datelines_without_meta() {
    let Some(dir) = seeds_dir() else { return };
    let docs = load(&dir, false);
    for d in &docs {
        if d.key.starts_with("002_") {
            assert_eq!(d.published.display(), "2017-11-09");
            assert!(d.published.ambiguous);
            assert_eq!(d.published.origin, DateOrigin::Dateline);
            assert_eq!(d.published.text.as_deref(), Some("09-11-2017"));
            let span = d.published.span.expect("span");
            assert_eq!(span.slice(&d.text), "09-11-2017");
            assert!(d
                .diagnostics
                .iter()
                .any(|x| x.code == "date.dateline-ambiguous"));
            assert!(d
                .segments
                .iter()
                .any(|s| s.kind == SegmentKind::Dateline && s.span == span));
        } else {
            assert!(!d.published.is_known(), "{} got {:?}", d.key, d.published);
            assert!(d.diagnostics.iter().any(|x| x.code == "clean.date-unknown"));
        }
    }
}

#[test]
fn metadata_dates_win_and_language_is_english() {
    let Some(dir) = seeds_dir() else { return };
    let docs = load(&dir, true);
    let dates: Vec<String> = docs.iter().map(|d| d.published.display()).collect();
    assert_eq!(
        dates,
        [
            "2018-06-12",
            "2017-11-19",
            "2017-11-09",
            "2017-11-08",
            "2017-11-10"
        ]
    );
    for d in &docs {
        assert_eq!(d.published.origin, DateOrigin::Sidecar);
        assert_eq!(d.language.as_ref().map(|l| l.code.as_str()), Some("eng"));
    }
}

#[test]
fn seeds_are_different_stories_but_copies_match() {
    let Some(dir) = seeds_dir() else { return };
    let docs = load(&dir, true);
    let sigs: Vec<_> = docs.iter().map(sitrep_clean::signature).collect();
    for i in 0..sigs.len() {
        for j in i + 1..sigs.len() {
            assert!(
                sigs[i].similarity(&sigs[j]) < sitrep_clean::DUPLICATE_THRESHOLD,
                "{i} vs {j}: {}",
                sigs[i].similarity(&sigs[j])
            );
        }
    }
    // The same report with other site furniture is a near duplicate.
    let mut copy = Document::from_text(
        "copy".into(),
        "copy.txt".into(),
        format!(
            "Home\nWorld\n{}\nShare this article\nAll rights reserved 2017 ©\n",
            docs[3].clean_text()
        ),
        DocumentMeta::default(),
    );
    Cleaner::new().clean(&mut copy);
    let s = sitrep_clean::signature(&copy);
    assert!(s.similarity(&sigs[3]) > 0.9, "{}", s.similarity(&sigs[3]));
}

//! Cleaning on the fictional fixture documents in `tests/fixtures/clean`:
//! snapshots of the segments, line-level scores against
//! `eval/labels/clean/fixtures.tsv`, dates and near-duplicates.

use std::path::Path;

use sitrep_clean::{eval, html_document, Cleaner};
use sitrep_core::{DateOrigin, DatePrecision, Document, DocumentMeta, SegmentKind};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/clean");

fn load(name: &str) -> Document {
    let path = Path::new(DIR).join(name);
    let src = std::fs::read_to_string(&path).expect("fixture");
    let key = name.split('.').next().unwrap_or(name).to_string();
    let origin = format!("tests/fixtures/clean/{name}");
    let mut doc = if name.ends_with(".html") {
        html_document(key, origin, src, DocumentMeta::default())
    } else {
        Document::from_text(key, origin, src, DocumentMeta::default())
    };
    Cleaner::new().clean(&mut doc);
    doc
}

fn names() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(DIR)
        .expect("fixture dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".txt") || n.ends_with(".html"))
        .collect();
    v.sort();
    v
}

/// `KIND<TAB>text` per segment, for review.
fn render(doc: &Document) -> String {
    let mut out = String::new();
    for s in &doc.segments {
        let kind = match s.kind {
            SegmentKind::Removed(r) => format!("-{}", r.as_str()),
            SegmentKind::Title => "TITLE".into(),
            SegmentKind::Dateline => "DATELINE".into(),
            SegmentKind::Body => "BODY".into(),
        };
        out.push_str(&format!("{kind:<16} {}\n", s.span.slice(&doc.text)));
    }
    out.push_str(&format!(
        "published: {} ({}{})\n",
        doc.published.display(),
        doc.published.origin.as_str(),
        if doc.published.ambiguous {
            ", ambiguous"
        } else {
            ""
        }
    ));
    if let Some(t) = &doc.meta.title {
        out.push_str(&format!("title: {t}\n"));
    }
    out
}

#[test]
fn snapshots() {
    for name in names() {
        let doc = load(&name);
        insta::assert_snapshot!(name.clone(), render(&doc));
    }
}

#[test]
fn line_scores() {
    let labels = eval::parse_labels(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../eval/labels/clean/fixtures.tsv"
        ))
        .expect("labels"),
    )
    .expect("valid labels");
    let docs: Vec<Document> = names().iter().map(|n| load(n)).collect();
    let r = eval::score(&labels, &docs);
    eprintln!("fixtures:\n{r}");
    assert!(r.missing.is_empty());
    assert!(r.precision() >= 0.95, "precision {}", r.precision());
    assert!(r.recall() >= 0.97, "recall {}", r.recall());
}

#[test]
fn dates() {
    let d = load("t01_wire_comments.txt");
    assert_eq!(d.published.display(), "2017-11-08");
    assert_eq!(d.published.precision, DatePrecision::Minute);
    let d = load("t02_fakes_style.txt");
    assert_eq!(d.published.display(), "2017-04-05");
    assert_eq!(d.segments[0].kind, SegmentKind::Dateline);
    assert_eq!(d.segments[0].span.slice(&d.text), "Wed 05 Apr 2017");
    assert_eq!(
        load("t10_iso_dateline.txt").published.display(),
        "2019-03-14"
    );
    let d = load("t14_numeric_us_date.txt");
    assert_eq!(d.published.display(), "2018-03-25");
    assert!(!d.published.ambiguous);
    assert!(!load("t15_body_date_not_dateline.txt").published.is_known());
    assert!(!load("t05_copyright_footer.txt").published.is_known());
    let d = load("h01_article.html");
    assert_eq!(d.published.display(), "2018-02-19");
    assert_eq!(d.published.origin, DateOrigin::Markup);
    assert_eq!(
        d.meta.title.as_deref(),
        Some("Shelling hits hospital in Sarat")
    );
    let d = load("h10_live_blog.html");
    assert_eq!(d.published.display(), "2021-05-02");
    assert_eq!(d.published.origin, DateOrigin::Dateline);
}

#[test]
fn syndicated_copies_are_near_duplicates() {
    let a = sitrep_clean::signature(&load("t11_syndicated_a.txt"));
    let b = sitrep_clean::signature(&load("t12_syndicated_b.txt"));
    let h = sitrep_clean::signature(&load("h07_syndicated.html"));
    let other = sitrep_clean::signature(&load("t08_cookie_banner.txt"));
    assert!(a.similarity(&b) >= 0.8, "{}", a.similarity(&b));
    assert!(a.similarity(&h) >= 0.8, "{}", a.similarity(&h));
    assert!(a.is_near_duplicate(&b));
    assert!(a.similarity(&other) < 0.1);
    assert!(a.bands().iter().zip(b.bands()).any(|(x, y)| *x == y));
}

#[test]
fn text_map_leads_back_to_source() {
    for name in names().iter().filter(|n| n.ends_with(".html")) {
        let d = load(name);
        for s in d.kept_spans() {
            let src = d.text_map.span_to_source(s);
            assert!(src.end <= d.source.len(), "{name}");
            // The first word of each kept block is in the source verbatim
            // at the mapped offset (unless it starts with an entity).
            let w = s.slice(&d.text).split_whitespace().next().unwrap_or("");
            let at = d.source.get(src.start..).unwrap_or("");
            if !at.starts_with('&') {
                let plain: String = w
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect();
                assert!(
                    at.starts_with(&plain),
                    "{name}: {w:?} vs {:?}",
                    &at[..at.len().min(20)]
                );
            }
        }
    }
}

/// Regression: intake no longer extracts HTML text (stage crates never
/// depend on each other); cleaning must do it from the raw page.
#[test]
fn html_pages_are_extracted_when_cleaned() {
    use sitrep_core::{DateOrigin, DatePrecision, Document, DocumentMeta, SourceFormat};
    let page = "<html><head><title>Page title</title><meta property=\"article:published_time\" \
                content=\"2017-11-08T08:01:00Z\"></head><body><p>Hello from the page, where troops \
                entered the town.</p></body></html>";
    let mut doc = Document::from_text(
        "p".into(),
        "p.html".into(),
        page.into(),
        DocumentMeta::default(),
    );
    doc.format = SourceFormat::Html;
    sitrep_clean::Cleaner::new().clean(&mut doc);
    assert_eq!(
        doc.text,
        "Hello from the page, where troops entered the town.\n"
    );
    assert_eq!(doc.source, page);
    assert_eq!(doc.meta.title.as_deref(), Some("Page title"));
    assert_eq!(doc.published.origin, DateOrigin::Markup);
    assert_eq!(doc.published.precision, DatePrecision::Minute);
    let kept: Vec<&str> = doc.kept_spans().map(|s| s.slice(&doc.text)).collect();
    assert_eq!(
        kept,
        ["Hello from the page, where troops entered the town."]
    );
    // Offsets lead back into the page.
    let span = doc
        .text_map
        .span_to_source(doc.kept_spans().next().unwrap());
    assert!(span.slice(&doc.source).starts_with("Hello from the page"));
}

/// Regression: a full month-name date opening the text ("September 12 2013
/// Officials said ...", as in FA-KES) was not taken as the dateline.
#[test]
fn month_name_dateline_opening_the_text() {
    use sitrep_core::{DateOrigin, Document, DocumentMeta};
    let mut doc = Document::from_text(
        "d".into(),
        "d.txt".into(),
        "September 12 2013 Officials in the north said on Thursday that the road was open.\n"
            .into(),
        DocumentMeta::default(),
    );
    sitrep_clean::Cleaner::new().clean(&mut doc);
    assert_eq!(doc.published.display(), "2013-09-12");
    assert_eq!(doc.published.origin, DateOrigin::Dateline);
    // A month and year alone is not enough.
    let mut doc = Document::from_text(
        "e".into(),
        "e.txt".into(),
        "May 2013 was the month the road reopened, officials said.\n".into(),
        DocumentMeta::default(),
    );
    sitrep_clean::Cleaner::new().clean(&mut doc);
    assert!(!doc.published.is_known());
}

//! The crawl date (`meta.extra.crawled`, from WARC-Date) is the last resort
//! for the publication date: markup and datelines win over it.

use sitrep_core::{DateOrigin, DatePrecision, Document, DocumentMeta, SourceFormat};

fn doc(text: &str, html: bool) -> Document {
    let mut meta = DocumentMeta::default();
    meta.extra
        .insert("crawled".into(), "2026-03-04T05:06:07Z".into());
    let mut d = Document::from_text("k".into(), "t.warc@0".into(), text.into(), meta);
    if html {
        d.format = SourceFormat::Html;
    }
    d
}

#[test]
fn crawl_date_only_when_nothing_better() {
    let c = sitrep_clean::Cleaner::new();
    let mut d = doc(
        "Harbour reopens\n\nThe harbour of Kestrel reopened to fishing boats, the port authority said.\n",
        false,
    );
    c.clean(&mut d);
    assert_eq!(d.published.origin, DateOrigin::Crawl);
    assert_eq!(d.published.precision, DatePrecision::Day);
    assert_eq!(d.published.display(), "2026-03-04");
    assert!(d.diagnostics.iter().any(|x| x.code == "clean.date-crawl"));
    // Cleaning again gives the same date and diagnostics.
    let before = (d.published.clone(), d.diagnostics.len());
    c.clean(&mut d);
    assert_eq!((d.published.clone(), d.diagnostics.len()), before);

    let mut d = doc(
        "Sun 01 Mar 2026 Kestrel, the harbour of Kestrel reopened to fishing boats, the port authority said.\n",
        false,
    );
    c.clean(&mut d);
    assert_eq!(d.published.origin, DateOrigin::Dateline);
    assert_eq!(d.published.display(), "2026-03-01");

    let mut d = doc(
        "<html><head><meta property=\"article:published_time\" content=\"2026-02-27T09:00:00Z\"></head><body><p>The harbour of Kestrel reopened to fishing boats, the port authority said.</p></body></html>",
        true,
    );
    c.clean(&mut d);
    assert_eq!(d.published.origin, DateOrigin::Markup);
    assert_eq!(d.published.display(), "2026-02-27");
}

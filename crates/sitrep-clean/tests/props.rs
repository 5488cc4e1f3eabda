//! Property tests: cleaning and HTML extraction never panic and keep their
//! offset invariants on arbitrary input; plus regression tests.

use proptest::prelude::*;
use sitrep_clean::{dateline::DatelineParser, html, html_document, Cleaner};
use sitrep_core::{Document, DocumentMeta, SegmentKind};

fn check_segments(doc: &Document) {
    let mut last_end = 0;
    for s in &doc.segments {
        assert!(s.span.start <= s.span.end);
        assert!(
            s.span.start >= last_end,
            "segments overlap or are out of order"
        );
        assert!(s.span.end <= doc.text.len());
        assert!(doc.text.is_char_boundary(s.span.start));
        assert!(doc.text.is_char_boundary(s.span.end));
        assert!(!s.span.slice(&doc.text).trim().is_empty());
        last_end = s.span.end;
    }
    // Every non-blank line is covered by some segment.
    let mut pos = 0;
    for line in doc.text.split('\n') {
        if !line.trim().is_empty() {
            let (a, b) = (pos, pos + line.len());
            assert!(
                doc.segments
                    .iter()
                    .any(|s| s.span.start < b && s.span.end > a),
                "line {line:?} not covered"
            );
        }
        pos += line.len() + 1;
    }
    for s in &doc.segments {
        let src = doc.text_map.span_to_source(s.span);
        assert!(src.end <= doc.source.len().max(1));
    }
    if let Some(sp) = doc.published.span {
        assert!(doc.text.get(sp.start..sp.end).is_some());
    }
}

fn clean_text(s: String) -> Document {
    let mut d = Document::from_text("k".into(), "-".into(), s, DocumentMeta::default());
    Cleaner::new().clean(&mut d);
    d
}

fn tag_soup() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("<p>".to_string()),
        Just("</p>".to_string()),
        Just("<div class=\"comments\">".to_string()),
        Just("</div>".to_string()),
        Just("<a href=x>".to_string()),
        Just("</a>".to_string()),
        Just("<br>".to_string()),
        Just("<script>".to_string()),
        Just("</script>".to_string()),
        Just("<!--".to_string()),
        Just("-->".to_string()),
        Just("&amp;".to_string()),
        Just("&#x1F600;".to_string()),
        Just("&#99999999;".to_string()),
        Just("&nbsp;".to_string()),
        Just("<".to_string()),
        Just(">".to_string()),
        Just("\"".to_string()),
        Just("<h1>".to_string()),
        Just("<title>".to_string()),
        Just("Comments\n".to_string()),
        Just("09-11-2017\n".to_string()),
        "[a-zA-Zé’ .,\n]{0,30}",
    ];
    proptest::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn clean_never_panics_on_strings(s in "\\PC{0,400}") {
        check_segments(&clean_text(s));
    }

    #[test]
    fn clean_never_panics_on_lines(lines in proptest::collection::vec("[A-Za-z0-9 ,.:©+\\-]{0,80}", 0..30)) {
        check_segments(&clean_text(lines.join("\n")));
    }

    #[test]
    fn clean_never_panics_on_bytes(b in proptest::collection::vec(any::<u8>(), 0..400)) {
        check_segments(&clean_text(String::from_utf8_lossy(&b).into_owned()));
    }

    #[test]
    fn html_extract_maps_into_source(h in tag_soup()) {
        let x = html::extract(&h);
        let mut prev = (0usize, 0usize);
        for &(t, s) in &x.map.anchors {
            prop_assert!(t >= prev.0);
            prop_assert!(t <= x.text.len());
            prop_assert!(s < h.len().max(1));
            prev = (t, s);
        }
        for (t, _) in x.text.char_indices() {
            prop_assert!(x.map.to_source(t) < h.len().max(1));
        }
        for b in &x.blocks {
            prop_assert!(x.text.get(b.span.start..b.span.end).is_some());
        }
        let mut d = html_document("k".into(), "-".into(), h, DocumentMeta::default());
        Cleaner::new().clean(&mut d);
        check_segments(&d);
    }

    #[test]
    fn html_extract_on_arbitrary_strings(h in "\\PC{0,300}") {
        let mut d = html_document("k".into(), "-".into(), h, DocumentMeta::default());
        Cleaner::new().clean(&mut d);
        check_segments(&d);
    }

    #[test]
    fn dateline_parser_never_panics(s in "\\PC{0,60}") {
        let _ = DatelineParser::new().parse(&s);
    }

    #[test]
    fn signature_never_panics(s in "\\PC{0,200}") {
        let d = clean_text(s);
        let sig = sitrep_clean::signature(&d);
        prop_assert!(sig.similarity(&sig) == 0.0 || sig.similarity(&sig) == 1.0);
    }
}

#[test]
fn deep_nesting_100k_cleans() {
    let mut h = String::with_capacity(1_300_000);
    for _ in 0..100_000 {
        h.push_str("<div><span>");
    }
    h.push_str(
        "<p>Troops entered the town on Wednesday, officials said, after weeks of fighting.</p>",
    );
    let mut d = html_document("deep".into(), "-".into(), h, DocumentMeta::default());
    Cleaner::new().clean(&mut d);
    assert_eq!(d.segments.len(), 1);
    assert!(d.segments[0].kind.is_kept());
    // Unclosed, mismatched and stray end tags at depth too.
    let mut h = String::new();
    for i in 0..100_000 {
        h.push_str(if i % 3 == 0 { "</b>" } else { "<i>" });
    }
    let _ = html::extract(&h);
}

#[test]
fn huge_page_is_linear() {
    let para =
        "<p>Fighting continued in the north of the province on Monday, residents said.</p>\n";
    let h = para.repeat(40_000); // ~3 MB
    let t = std::time::Instant::now();
    let mut d = html_document("big".into(), "-".into(), h, DocumentMeta::default());
    Cleaner::new().clean(&mut d);
    assert!(t.elapsed().as_secs() < 20);
    // All copies but the first are repeats.
    assert_eq!(d.segments.iter().filter(|s| s.kind.is_kept()).count(), 1);
}

/// Regression: a 12-word headline without a full stop was taken for the
/// first body paragraph, which pushed the header lines below it into the
/// body (dateline, outlet name).
#[test]
fn regression_long_headline_is_title() {
    let d = clean_text(
        "Coalition says the fight in the valley is not affected by crowded skies\n\n09-11-2017\nValley Post\nThe coalition said on Thursday that its operations in the valley would continue despite the presence of other forces.\n".into(),
    );
    let kinds: Vec<SegmentKind> = d.segments.iter().map(|s| s.kind).collect();
    assert_eq!(kinds[0], SegmentKind::Title);
    assert_eq!(kinds[1], SegmentKind::Dateline);
    assert!(!kinds[2].is_kept());
    assert_eq!(d.published.display(), "2017-11-09");
}

/// Regression: on a page whose headline is a plain `<div>` outside the
/// article container, the headline was dropped as navigation.
#[test]
fn regression_headline_outside_article_container() {
    let h = r#"<div class="menu"><a href="/">Home</a></div><div class="headline">Army repels attack on northern base</div><div class="story-body"><p>The army said on Tuesday it had repelled an attack on its base near the town, killing several attackers and losing two soldiers.</p><p>The brigade denied losing any fighters in the fighting, which lasted several hours, according to its statement.</p></div>"#;
    let mut d = html_document("k".into(), "-".into(), h.into(), DocumentMeta::default());
    Cleaner::new().clean(&mut d);
    let title = d.segments.iter().find(|s| s.kind == SegmentKind::Title);
    assert_eq!(
        title.map(|s| s.span.slice(&d.text)),
        Some("Army repels attack on northern base")
    );
}

/// Sentences that merely mention comments or requirements stay.
#[test]
fn comment_words_inside_sentences_stay() {
    let d = clean_text("The ministry declined to comment on the report on Friday, a spokesman said.\nA permit is required for all convoys entering the area, officials said.\nComments\nGreat article\n".into());
    assert_eq!(
        d.clean_text(),
        "The ministry declined to comment on the report on Friday, a spokesman said.\nA permit is required for all convoys entering the area, officials said."
    );
}

#[test]
fn cleaning_twice_is_stable() {
    let mut d = clean_text("Title line here\n09-11-2017\nTroops entered the town on Wednesday, officials said, after weeks of fighting.\n".into());
    let first = (d.segments.clone(), d.published.clone(), d.diagnostics.len());
    Cleaner::new().clean(&mut d);
    assert_eq!(
        first,
        (d.segments.clone(), d.published.clone(), d.diagnostics.len())
    );
}

#[test]
fn language_short_is_und() {
    let d = clean_text("Hi".into());
    assert_eq!(d.language.as_ref().map(|l| l.code.as_str()), Some("und"));
    let d = clean_text("Les forces gouvernementales sont entrées dans la ville mercredi, selon les médias officiels, après des semaines de combats.".into());
    assert_eq!(d.language.as_ref().map(|l| l.code.as_str()), Some("fra"));
}

/// The English fast path takes ordinary news English (confidence 1.0) and
/// leaves Latin-script text in other languages to whatlang, including
/// languages that share short words with English ("is", "was", "at", "to").
#[test]
fn language_fast_path_takes_english_only() {
    let english = "Government forces said on Tuesday that they had taken the hill above the river town after two days of fighting, and that their convoy would move on to the next village, which rebels have held since the spring.";
    let d = clean_text(english.into());
    let l = d.language.clone().unwrap();
    assert_eq!((l.code.as_str(), l.confidence), ("eng", 1.0));
    let others = [
        ("nld", "De regering heeft op dinsdag gezegd dat het leger de heuvel boven het dorp aan de rivier had ingenomen, na twee dagen van zware gevechten, en dat het konvooi was vertrokken naar de volgende stad."),
        ("deu", "Die Regierung hat am Dienstag mitgeteilt, dass die Armee den Hügel über dem Dorf am Fluss nach zwei Tagen schwerer Kämpfe eingenommen habe und dass der Konvoi in die nächste Stadt weiterfahren werde."),
        ("spa", "El gobierno dijo el martes que el ejército había tomado la colina sobre el pueblo del río después de dos días de combates intensos, y que el convoy seguiría hacia la siguiente ciudad de la región."),
        ("tgl", "Sinabi ng pamahalaan noong Martes na nakuha ng hukbo ang burol sa itaas ng bayan sa tabi ng ilog matapos ang dalawang araw ng labanan at ang kanilang kombiy ay pupunta sa susunod na nayon."),
        ("ita", "Il governo ha detto martedì che l'esercito aveva preso la collina sopra il villaggio sul fiume dopo due giorni di combattimenti, e che il convoglio sarebbe partito per la città vicina nella stessa regione."),
    ];
    for (code, text) in others {
        let d = clean_text(text.into());
        let l = d.language.clone().unwrap();
        assert_eq!(l.code, code, "{text}");
    }
}

//! Acceptance on the seed reports, read at run time from ../shared/seeds
//! (never copied into the repository).

use std::path::PathBuf;
use std::sync::OnceLock;

use sitrep_core::place::{FeatureClass, PlacesAndActors};
use sitrep_core::Span;
use sitrep_geo::{GeoParser, GeoparseOptions};

const SEEDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/seeds");

fn parser() -> &'static GeoParser {
    static P: OnceLock<GeoParser> = OnceLock::new();
    P.get_or_init(|| GeoParser::load(&sitrep_geo::default_data_dir()).expect("shipped data loads"))
}

fn seeds() -> Option<Vec<(String, String)>> {
    let dir = PathBuf::from(SEEDS);
    let Ok(rd) = std::fs::read_dir(&dir) else {
        eprintln!("skipping: no seed reports at {}", dir.display());
        return None;
    };
    let mut v: Vec<(String, String)> = rd
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "txt"))
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read_to_string(e.path()).expect("seed readable"),
            )
        })
        .collect();
    v.sort();
    Some(v)
}

fn parse(text: &str) -> PlacesAndActors {
    parser().parse_text(
        text,
        &[Span::new(0, text.len())],
        &GeoparseOptions::default(),
    )
}

fn occurrences<'a>(text: &'a str, needle: &'a str) -> impl Iterator<Item = Span> + 'a {
    text.match_indices(needle).filter_map(move |(i, _)| {
        let e = i + needle.len();
        let before = text[..i]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric);
        let after = text[e..].chars().next().is_some_and(char::is_alphanumeric);
        (!before && !after).then(|| Span::new(i, e))
    })
}

#[test]
fn every_spelling_of_the_town_resolves_to_abu_kamal() {
    let Some(seeds) = seeds() else { return };
    let spellings = [
        "al-Boukamal",
        "Al-Boukamal",
        "Albukamal",
        "Al Bukamal",
        "Albu Kamal",
        "Abu Kamal",
    ];
    let mut seen = 0;
    for (name, text) in &seeds {
        let r = parse(text);
        for sp in spellings {
            for occ in occurrences(text, sp) {
                let t = r
                    .toponyms
                    .iter()
                    .find(|t| t.span.overlaps(occ))
                    .unwrap_or_else(|| panic!("{name}: {sp} at {} not found", occ.start));
                let p = t.place.as_ref().expect("resolved");
                assert_eq!(p.geonames_id, 174448, "{name}: {sp} -> {p:?}");
                seen += 1;
            }
        }
    }
    assert!(seen >= 20, "only {seen} town mentions checked");
}

#[test]
fn other_places_resolve_in_the_right_country_or_not_at_all() {
    let Some(seeds) = seeds() else { return };
    // name, allowed GeoNames ids (empty: any place in the country), country
    let expect: &[(&str, &[u32], &str)] = &[
        ("Baghuz", &[], "SY"),
        ("Al Qaim", &[92138], "IQ"),
        ("Deir ez-Zor", &[170794, 170792], "SY"),
        ("Deir Ezzor", &[170794, 170792], "SY"),
        ("Deir Al Zour", &[170794, 170792], "SY"),
        ("Raqqa", &[172955, 172957], "SY"),
        ("al-Basira", &[], "SY"),
        ("al-Sabkha", &[], "SY"),
        ("Damascus", &[170654], "SY"),
        ("Iraq", &[99237], "IQ"),
        ("Syria", &[163843], "SY"),
    ];
    for (name, text) in &seeds {
        let r = parse(text);
        for (place, ids, cc) in expect {
            for occ in occurrences(text, place) {
                let Some(t) = r.toponyms.iter().find(|t| t.span.overlaps(occ)) else {
                    continue; // unresolved is acceptable
                };
                let Some(p) = &t.place else { continue };
                assert_eq!(&p.country_code, cc, "{name}: {place} -> {p:?}");
                if !ids.is_empty() {
                    assert!(ids.contains(&p.geonames_id), "{name}: {place} -> {p:?}");
                }
            }
        }
        // Provinces are the governorate, not the city.
        for phrase in [
            "province of Deir Ezzor",
            "Deir Ezzor Province",
            "Deir ez-Zor province",
        ] {
            for occ in occurrences(text, phrase) {
                let t = r
                    .toponyms
                    .iter()
                    .find(|t| t.span.overlaps(occ))
                    .unwrap_or_else(|| panic!("{name}: {phrase} not found"));
                let p = t.place.as_ref().expect("resolved");
                assert_eq!(p.geonames_id, 170792, "{name}: {phrase} -> {p:?}");
                assert_eq!(p.feature_class, FeatureClass::Admin1);
            }
        }
    }
}

#[test]
fn people_are_not_places() {
    let Some(seeds) = seeds() else { return };
    for (name, text) in &seeds {
        let r = parse(text);
        for person in [
            "Rami Abdel Rahman",
            "Abdel Rahman",
            "Abu Bakr al-Baghdadi",
            "Baghdadi",
            "Bashar al-Assad",
            "Ali Mayoub",
        ] {
            for occ in occurrences(text, person) {
                assert!(
                    !r.toponyms.iter().any(|t| t.span.overlaps(occ)),
                    "{name}: {person} taken as a place"
                );
            }
        }
    }
}

#[test]
fn every_seed_actor_mention_resolves() {
    let Some(seeds) = seeds() else { return };
    let expect: &[(&str, &str)] = &[
        ("regime forces", "sy-military"),
        ("Syrian regime forces", "sy-military"),
        ("allied Iranians", "ir-military"),
        ("Lebanese Hezbollah", "hezbollah"),
        ("Hezbollah", "hezbollah"),
        ("al-Nujaba", "iq-nujaba"),
        ("Hashd al-Shaabi", "iq-pmf"),
        ("Popular Mobilisation units", "iq-pmf"),
        ("Kataib Hezbollah", "iq-kh"),
        ("Daesh", "isis"),
        ("IS", "isis"),
        ("ISIS", "isis"),
        ("Islamic State", "isis"),
        ("Syrian Democratic Forces Militia", "sy-sdf"),
        ("Syrian Democratic Forces", "sy-sdf"),
        ("SDF", "sy-sdf"),
        ("the coalition", "us-coalition"),
        ("US-led coalition", "us-coalition"),
        ("international coalition", "us-coalition"),
        ("Iranian Revolutionary Guards", "ir-irgc"),
        ("Syrian army", "sy-military"),
        ("Syrian Army", "sy-military"),
        ("Syrian Arab Army", "sy-military"),
        ("Syrian troops", "sy-military"),
        ("Syrian forces", "sy-military"),
        ("al-Assad forces", "sy-military"),
        ("forces loyal to Assad", "sy-military"),
        ("Iraqi forces", "iq-military"),
        ("Russian air strikes", "ru-military"),
        ("Russian forces", "ru-military"),
        ("allied militias", "sy-progov"),
        ("Syrian Observatory for Human Rights", "sohr"),
        ("SOHR", "sohr"),
        ("Syrian Network for Human Rights", "snhr"),
        ("SANA", "sana"),
        ("AFP", "afp"),
        ("Agence France Presse", "afp"),
        ("Reuters", "reuters"),
        ("Enab Baladi", "enab"),
    ];
    let mut checked = 0;
    for (name, text) in &seeds {
        let r = parse(text);
        assert!(
            r.country_context.first().is_some_and(|c| c == "SY"),
            "{name}: {:?}",
            r.country_context
        );
        for (phrase, id) in expect {
            for occ in occurrences(text, phrase) {
                let m = r
                    .actors
                    .iter()
                    .find(|m| m.span.overlaps(occ))
                    .unwrap_or_else(|| panic!("{name}: {phrase:?} at {} not found", occ.start));
                if m.span != occ && expect.iter().any(|(p, _)| *p == m.text) {
                    continue; // part of a longer name checked on its own
                }
                assert_eq!(
                    m.actor_id.as_deref(),
                    Some(*id),
                    "{name}: {phrase:?} -> {m:?}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 80, "only {checked} actor mentions checked");
}

#[test]
fn demonyms_are_country_mentions_not_places() {
    let Some(seeds) = seeds() else { return };
    for (name, text) in &seeds {
        let r = parse(text);
        for occ in occurrences(text, "Syrian") {
            assert!(!r.toponyms.iter().any(|t| t.span.overlaps(occ)), "{name}");
        }
        assert!(r.demonyms.iter().any(|d| d.country_code == "SY"), "{name}");
    }
}

#[test]
fn relative_locations_keep_their_anchor() {
    let Some(seeds) = seeds() else { return };
    use sitrep_core::place::GeoPrecision;
    for (name, text) in &seeds {
        let r = parse(text);
        for phrase in ["10 kilometers from al-Boukamal", "vicinity of Albukamal"] {
            for occ in occurrences(text, phrase) {
                let t = r
                    .toponyms
                    .iter()
                    .find(|t| t.span.overlaps(occ))
                    .unwrap_or_else(|| panic!("{name}: {phrase}"));
                assert_eq!(t.place.as_ref().map(|p| p.geonames_id), Some(174448));
                assert_eq!(t.precision, GeoPrecision::Near, "{name}: {phrase}");
                assert!(t.relative.is_some());
            }
        }
        for occ in occurrences(text, "eastern countryside of Deir Ezzor") {
            let t = r
                .toponyms
                .iter()
                .find(|t| t.span.overlaps(occ))
                .expect("found");
            assert_eq!(t.precision, GeoPrecision::Region, "{name}");
            assert_eq!(
                t.relative.as_ref().and_then(|x| x.direction.as_deref()),
                Some("e")
            );
        }
    }
}

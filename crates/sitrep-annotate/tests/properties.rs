//! Property tests: no panics on arbitrary input; every span falls on char
//! boundaries inside the text; code point offsets agree with byte offsets.

use chrono::NaiveDate;
use proptest::prelude::*;
use sitrep_annotate::{line_ranges, number, parse_date_str, parse_quantity_str, Annotator};
use sitrep_core::annotation::Annotations;
use sitrep_core::{CharIndex, Span};

fn spans(a: &Annotations) -> Vec<Span> {
    let mut v = Vec::new();
    v.extend(a.sentences.iter().map(|s| s.span));
    for q in &a.quantities {
        v.push(q.span);
        v.extend(q.counted);
        v.extend(q.outcome_trigger);
    }
    v.extend(a.timexes.iter().map(|t| t.span));
    for x in &a.attributions {
        v.extend([x.trigger, x.statement]);
        v.extend(x.source);
        v.extend(x.channel);
    }
    for m in &a.modalities {
        v.extend([m.trigger, m.scope]);
    }
    v
}

fn check(text: &str, a: &Annotations) -> Result<(), TestCaseError> {
    let ci = CharIndex::new(text);
    for s in spans(a) {
        prop_assert!(s.start <= s.end && s.end <= text.len(), "{s:?}");
        prop_assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
        let sub = text.get(s.start..s.end);
        prop_assert_eq!(sub, Some(s.slice(text)));
        let (cs, ce) = (ci.char_offset(s.start), ci.char_offset(s.end));
        prop_assert_eq!(ce - cs, s.slice(text).chars().count());
        prop_assert_eq!(ci.byte_offset(cs), s.start);
    }
    Ok(())
}

const WORDS: &[&str] = &[
    "at",
    "least",
    "48",
    "2,500",
    "forty-eight",
    "killed",
    "on",
    "Friday",
    "said",
    "told",
    "AFP",
    "the",
    "Observatory",
    "U.S.",
    "Gen.",
    "\"",
    "“",
    "’s",
    "—",
    "–",
    ",",
    ".",
    "\n",
    "between",
    "and",
    "percent",
    "%",
    "nearly",
    "half",
    "of",
    "dozens",
    "last",
    "week",
    "Thursday",
    "night",
    "2017-11-08",
    "09-11-2017",
    "November",
    "8",
    "ago",
    "days",
    "denied",
    "would",
    "not",
    "according",
    "to",
    "é",
    "日本",
    "🙂",
    "12:30",
    "p.m.",
    "the",
    "1990s",
    "early",
    "this",
    "month",
    "including",
    "children",
    "a",
    "dozen",
    "tens",
    "thousands",
];

fn sentence_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(WORDS), 0..60).prop_map(|w| {
        let mut s = String::new();
        for (i, x) in w.iter().enumerate() {
            if i % 3 != 0 {
                s.push(' ');
            }
            s.push_str(x);
        }
        s
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_strings(s in "\\PC{0,200}") {
        let a = Annotator::new();
        let ann = a.annotate_text(&s, &[(0, s.len())], NaiveDate::from_ymd_opt(2017, 11, 10), None);
        check(&s, &ann)?;
        let _ = parse_date_str(&s, None);
        let _ = parse_quantity_str(&s);
        let _ = number::parse_str(&s);
    }

    #[test]
    fn news_like_text(s in sentence_strategy(), anchored in any::<bool>()) {
        let a = Annotator::new();
        let dct = if anchored { NaiveDate::from_ymd_opt(2018, 6, 12) } else { None };
        let ann = a.annotate_text(&s, &line_ranges(&s), dct, Some("X"));
        check(&s, &ann)?;
        if !anchored {
            for t in &ann.timexes {
                if t.relative {
                    prop_assert!(t.value.is_none() || t.kind != sitrep_core::annotation::TimexType::Date
                        || t.value.as_deref().is_some_and(|v| v.ends_with("_REF")));
                }
            }
        }
    }

    #[test]
    fn odd_ranges(s in "\\PC{0,80}", a in 0usize..100, b in 0usize..100) {
        // ranges off char boundaries or out of order never panic
        let ann = Annotator::new().annotate_text(&s, &[(a, b), (b, a), (0, s.len())], None, None);
        check(&s, &ann)?;
    }
}

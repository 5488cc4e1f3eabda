//! Attribution: reporting verbs linking a statement to its source.

use sitrep_core::annotation::Attribution;
use sitrep_core::Span;

use crate::token::{Kind, Tokens};

/// Reporting verb forms and their lemma.
fn lemma(w: &str) -> Option<&'static str> {
    Some(match w {
        "said" | "says" | "say" | "saying" => "say",
        "told" | "tells" | "tell" | "telling" => "tell",
        "reported" | "reports" | "reporting" => "report",
        "noted" | "notes" | "noting" => "note",
        "added" | "adds" | "adding" => "add",
        "confirmed" | "confirms" | "confirming" => "confirm",
        "revealed" | "reveals" | "revealing" => "reveal",
        "explained" | "explains" | "explaining" => "explain",
        "affirmed" | "affirms" | "affirming" => "affirm",
        "stated" | "states" | "stating" => "state",
        "announced" | "announces" | "announcing" => "announce",
        "claimed" | "claims" | "claiming" => "claim",
        "warned" | "warns" | "warning" => "warn",
        "informed" | "informs" => "inform",
        "cited" | "citing" | "cites" => "cite",
        "quoted" | "quoting" | "quotes" => "quote",
        "documented" | "documents" => "document",
        "estimated" | "estimates" => "estimate",
        "acknowledged" | "acknowledges" => "acknowledge",
        "insisted" | "insists" => "insist",
        "denied" | "denies" => "deny",
        "according" => "according-to",
        _ => return None,
    })
}

fn is_participle(w: &str) -> bool {
    w.ends_with("ing")
}

fn is_quote(s: &str) -> bool {
    matches!(s, "\"" | "“" | "”" | "'" | "‘" | "’" | "«" | "»")
}

fn prev(i: usize) -> usize {
    i.wrapping_sub(1)
}

/// A noun phrase of capitalised words (with "the", "of", "for", "al")
/// starting at `i`: a channel such as "AFP" or "Agence France Presse".
fn proper_np(t: &Tokens, i: usize, end: usize) -> Option<usize> {
    let mut j = i;
    if t.is(j, "the") {
        j += 1;
    }
    let mut last = None;
    while j < end {
        let cap = t.is_capitalized(j) && t.kind(j) == Some(Kind::Word);
        let joiner = t.is_any(j, &["of", "for", "al", "-", "&"]) && last.is_some();
        if cap {
            last = Some(j + 1);
        } else if !joiner {
            break;
        }
        j += 1;
    }
    if last.is_none() && t.is_any(i, &["reporters", "journalists", "media"]) {
        return Some(i + 1);
    }
    last
}

/// Skip a time adverbial after a verb: "on Friday", "Friday", "early on
/// November", "on Tuesday", "earlier", "in a statement".
fn skip_adverbials(
    t: &Tokens,
    mut j: usize,
    end: usize,
    timex_end: &dyn Fn(usize) -> Option<usize>,
) -> usize {
    for _ in 0..4 {
        if j >= end {
            break;
        }
        if t.is(j, ",") {
            if is_participle(t.low(j + 1)) && lemma(t.low(j + 1)).is_some() {
                break;
            }
            j += 1;
            continue;
        }
        if t.is_any(
            j,
            &[
                "on",
                "early",
                "late",
                "earlier",
                "later",
                "also",
                "previously",
                "recently",
            ],
        ) {
            if let Some(e) = timex_end(j + 1) {
                j = e;
                continue;
            }
            if t.is_any(j, &["earlier", "later", "also", "previously", "recently"]) {
                j += 1;
                continue;
            }
        }
        if let Some(e) = timex_end(j) {
            j = e;
            continue;
        }
        if t.is(j, "in")
            && t.is_any(j + 1, &["a", "an", "its", "their", "his", "her"])
            && t.is_any(
                j + 2,
                &[
                    "statement",
                    "interview",
                    "report",
                    "video",
                    "communique",
                    "televised",
                ],
            )
        {
            let mut k = j + 3;
            while k < end && k < j + 5 && t.kind(k) == Some(Kind::Word) && !t.is(k, "that") {
                k += 1;
            }
            j = k;
            continue;
        }
        break;
    }
    j
}

/// Attribution within sentences given as token ranges.
pub fn find(
    t: &Tokens,
    sents: &[(usize, usize)],
    timex_end: &dyn Fn(usize) -> Option<usize>,
    outlet: Option<&str>,
) -> Vec<Attribution> {
    let mut out: Vec<Attribution> = Vec::new();
    for &(ss, se) in sents {
        let first_in_sentence = out.len();
        let mut k = ss;
        while k < se {
            let w = t.low(k);
            let Some(lem) = lemma(w) else {
                k += 1;
                continue;
            };
            // passives and hedges: "is said to", "was reported present"
            if t.is_any(
                prev(k),
                &[
                    "is", "are", "was", "were", "be", "been", "being", "has", "have", "had",
                ],
            ) && lem != "according-to"
                && !(t.is_any(prev(k), &["has", "have", "had"]) && k > ss + 1)
            {
                k += 1;
                continue;
            }
            if matches!(w, "say" | "tell" | "report" | "confirm" | "deny" | "claim")
                && (t.is_any(
                    prev(k),
                    &[
                        "not", "did", "does", "do", "to", "would", "could", "will", "can", "may",
                        "might", "should", "must",
                    ],
                ) || t.low(prev(k)).ends_with("n't"))
            {
                k += 1;
                continue;
            }
            if lem == "according-to" && !t.is(k + 1, "to") {
                k += 1;
                continue;
            }
            // nouns: "reports", "claims", "quotes", "documents", "estimates", "warning"
            if matches!(
                w,
                "reports"
                    | "claims"
                    | "quotes"
                    | "documents"
                    | "estimates"
                    | "warning"
                    | "states"
                    | "notes"
                    | "say"
                    | "tell"
                    | "reporting"
            ) && (t.is_any(
                prev(k),
                &[
                    "the",
                    "a",
                    "an",
                    "these",
                    "those",
                    "media",
                    "news",
                    "of",
                    "to",
                    "unconfirmed",
                    "such",
                    "dismissed",
                    "rejected",
                    "denied",
                    "amid",
                    "despite",
                    "following",
                    "after",
                    "confirmed",
                    "press",
                    "by",
                ],
            ) || k == ss)
            {
                k += 1;
                continue;
            }
            if lem == "deny"
                || lem == "claim"
                || lem == "estimate"
                || lem == "document"
                || lem == "acknowledge"
            {
                // only with a clear subject-verb-that pattern
                if !t.is(k + 1, "that") {
                    k += 1;
                    continue;
                }
            }
            if lem == "according-to" {
                let src_s = k + 2;
                let mut src_e = src_s;
                while src_e < se
                    && !t.is_any(src_e, &[",", ".", ";", ":"])
                    && !is_quote(t.low(src_e))
                {
                    src_e += 1;
                }
                if src_e == src_s {
                    k += 2;
                    continue;
                }
                let (st_s, st_e) = if k == ss || (k == ss + 1 && is_quote(t.low(ss))) {
                    (src_e + 1, se)
                } else {
                    (ss, k)
                };
                out.push(Attribution {
                    trigger: Span::new(t.start(k), t.end(k + 1)),
                    verb: lem.to_string(),
                    statement: trim_span(t, st_s, st_e),
                    source: Some(Span::new(t.start(src_s), t.end(src_e - 1))),
                    channel: None,
                    resolved: None,
                    reported_by: outlet.map(str::to_string),
                });
                k = src_e;
                continue;
            }
            // channel after tell/inform
            let mut after = k + 1;
            let mut channel = None;
            if matches!(lem, "tell" | "inform") {
                if let Some(e) = proper_np(t, after, se) {
                    channel = Some(Span::new(t.start(after), t.end(e - 1)));
                    after = e;
                } else if lem == "tell" {
                    k += 1;
                    continue;
                }
            }
            let mut quoted_src = None;
            if lem == "quote" || lem == "cite" {
                // "SANA quoted a military source as saying"
                let mut e = after;
                while e < se && !t.is_any(e, &["as", ",", ".", "that"]) && e < after + 10 {
                    e += 1;
                }
                if e > after {
                    quoted_src = Some((after, e));
                    after = e;
                    if t.is(after, "as") && t.is(after + 1, "saying") {
                        after += 2;
                    }
                }
            }
            after = skip_adverbials(t, after, se, timex_end);
            // subject before the verb
            let participle = is_participle(w) && lem != "according-to";
            let ends_here = after >= se
                || t.is_any(after, &[".", "!", "?"])
                || (t.is(after, ",") && lemma(t.low(after + 1)).is_some());
            let mut src = None;
            let mut inverted = false;
            if !participle
                && matches!(lem, "say" | "add" | "report" | "tell" | "note" | "explain")
                && !ends_here
                && k > ss
                && (t.is(prev(k), ",") || is_quote(t.low(prev(k))))
                && (t.is_any(after, &["the", "a", "an"]) || t.is_capitalized(after))
            {
                // inverted: '"...," said the Observatory.'
                let mut e = after;
                while e < se && !t.is_any(e, &[",", ".", ";"]) {
                    e += 1;
                }
                if e > after && e - after <= 12 {
                    src = Some((after, e));
                    inverted = true;
                }
            }
            if !(inverted || participle && t.is(prev(k), ",")) {
                src = subject_before(t, ss, k, timex_end);
            }
            // "..., a source told AFP as ...": the statement is before
            let after_comma_subject = src.is_some_and(|(s, _)| s >= ss + 8 && t.is(prev(s), ","));
            let forward_marker = t.is_any(after, &["that", ":"]) || is_quote(t.low(after));
            let backward = ends_here || (after_comma_subject && !forward_marker);
            let (st_s, st_e) = if inverted || backward {
                let e = src.map_or(k, |(s, _)| s);
                (ss, e)
            } else {
                let mut s = after;
                if t.is(s, "that") || t.is(s, ":") {
                    s += 1;
                }
                (s, se)
            };
            let source_span = match (quoted_src, src) {
                (Some((a, b)), _) => Some(Span::new(t.start(a), t.end(b - 1))),
                (None, Some((a, b))) => Some(Span::new(t.start(a), t.end(b - 1))),
                (None, None) if participle => {
                    out[first_in_sentence..].last().and_then(|a| a.source)
                }
                _ => None,
            };
            let channel = if quoted_src.is_some() {
                src.map(|(a, b)| Span::new(t.start(a), t.end(b - 1)))
            } else {
                channel
            };
            if st_e <= st_s && source_span.is_none() {
                k += 1;
                continue;
            }
            out.push(Attribution {
                trigger: Span::new(t.start(k), t.end(k)),
                verb: lem.to_string(),
                statement: trim_span(t, st_s, st_e),
                source: source_span,
                channel,
                resolved: None,
                reported_by: outlet.map(str::to_string),
            });
            k += 1;
        }
    }
    resolve_anaphora(t.text, &mut out);
    out
}

/// The subject right before a reporting verb at `k`, as a token range.
fn subject_before(
    t: &Tokens,
    ss: usize,
    k: usize,
    timex_end: &dyn Fn(usize) -> Option<usize>,
) -> Option<(usize, usize)> {
    let mut e = k;
    // appositive: "A monitor, the Observatory, reported"
    let appositive = t.is(prev(e), ",");
    if appositive {
        e -= 1;
    }
    let mut s = e;
    let mut commas = 0;
    while s > ss {
        let w = t.low(s - 1);
        // possessive ’s is not a quote; "Gen." is not a sentence end
        let possessive = is_quote(w) && t.glued(s - 1) && t.is(s, "s") && t.glued(s);
        let abbrev = w == "."
            && t.glued(s - 1)
            && t.text(s.wrapping_sub(2)).len() <= 4
            && t.is_capitalized(s.wrapping_sub(2));
        if (is_quote(w) && !possessive)
            || (w == "." && !abbrev)
            || matches!(w, ";" | ":" | "that" | "–" | "—")
        {
            break;
        }
        if w == "," {
            if appositive && commas == 0 && !is_quote(t.low(s.wrapping_sub(2))) {
                commas += 1;
                s -= 1;
                continue;
            }
            break;
        }
        if e - s >= 14 {
            break;
        }
        s -= 1;
    }
    // drop leading conjunctions and a leading clause connective
    loop {
        if s < e
            && t.is_any(
                s,
                &[
                    "and",
                    "but",
                    "while",
                    "as",
                    "also",
                    ",",
                    "although",
                    "though",
                    "when",
                    "after",
                    "because",
                    "since",
                    "meanwhile",
                    "whereas",
                ],
            )
        {
            s += 1;
            continue;
        }
        if let Some(x) = timex_end(s).filter(|&x| x < e) {
            s = x;
            continue;
        }
        break;
    }
    if s >= e {
        return None;
    }
    // a subject contains a word
    if !(s..e).any(|i| t.kind(i) == Some(Kind::Word)) {
        return None;
    }
    if e - s > 14 {
        return None;
    }
    Some((s, e))
}

fn trim_span(t: &Tokens, mut s: usize, mut e: usize) -> Span {
    while s < e && t.is_any(s, &[",", "that", ":"]) {
        s += 1;
    }
    while e > s && t.is_any(e - 1, &[",", ".", ";", ":", "–", "—"]) {
        e -= 1;
    }
    if e <= s {
        return Span::new(t.start(s), t.start(s));
    }
    Span::new(t.start(s), t.end(e - 1))
}

/// Give anaphoric sources ("the Observatory", "the SOHR", "the source") the
/// fuller name of an earlier source.
fn resolve_anaphora(text: &str, atts: &mut [Attribution]) {
    for i in 0..atts.len() {
        let Some(src) = atts[i].source else { continue };
        let s = src.slice(text);
        let words: Vec<&str> = s.split_whitespace().collect();
        let Some(head) = words.last() else { continue };
        let definite = words.len() <= 3
            && matches!(
                words.first().map(|w| w.to_ascii_lowercase()).as_deref(),
                Some("the")
            );
        let acronym = head.len() >= 3 && head.chars().all(|c| c.is_ascii_uppercase());
        if !(definite || acronym) {
            continue;
        }
        let head_low = head.to_ascii_lowercase();
        // an earlier source naming the head word as written ("Monitor")
        // wins over one that only shares it in lower case ("monitor")
        let exact = (0..i).rev().find(|&j| {
            atts[j].source.is_some_and(|ps| {
                let p = ps.slice(text);
                p.split_whitespace().count() > words.len()
                    && p.split_whitespace().any(|w| w == *head)
            })
        });
        let order: Vec<usize> = exact.into_iter().chain((0..i).rev()).collect();
        for j in order {
            let Some(ps) = atts[j].source else { continue };
            let p = ps.slice(text);
            let pw: Vec<&str> = p.split_whitespace().collect();
            if pw.len() <= words.len() {
                continue;
            }
            let initials: String = pw
                .iter()
                .filter(|w| {
                    w.chars().next().is_some_and(|c| c.is_uppercase())
                        && !w.eq_ignore_ascii_case("the")
                })
                .filter_map(|w| w.chars().next())
                .collect();
            let matches_head = pw.iter().any(|w| w.to_ascii_lowercase() == head_low);
            if matches_head || (acronym && initials == *head) {
                let piece = p
                    .split(", ")
                    .find(|x| x.to_ascii_lowercase().contains(&head_low) || acronym)
                    .unwrap_or(p);
                let p = piece;
                let r = p
                    .strip_prefix("the ")
                    .or_else(|| p.strip_prefix("The "))
                    .unwrap_or(p);
                atts[i].resolved = Some(r.to_string());
                break;
            }
        }
    }
}

//! Modality: denial, negation, hedging, future and hypothetical markers with
//! the clause they govern.

use sitrep_core::annotation::{Modality, ModalityKind};
use sitrep_core::Span;

use crate::token::{Kind, Tokens};

/// Verbs after "would" that describe a consequence (hypothetical) rather
/// than a reported future.
const CONSEQUENCE: &[&str] = &[
    "pave",
    "allow",
    "enable",
    "mean",
    "lead",
    "cap",
    "cause",
    "result",
    "open",
    "help",
    "give",
    "make",
    "put",
    "end",
    "deal",
    "undermine",
    "strengthen",
    "weaken",
    "boost",
    "bring",
];
const REPORTING: &[&str] = &[
    "said",
    "told",
    "announced",
    "stated",
    "vowed",
    "promised",
    "pledged",
    "declared",
    "added",
    "warned",
    "insisted",
    "confirmed",
];
const CLAUSE_END: &[&str] = &[
    "although", "though", "but", "while", "whereas", "which", "who", "after", "before", "as",
];

fn prev(i: usize) -> usize {
    i.wrapping_sub(1)
}

fn classify(t: &Tokens, k: usize, ss: usize) -> Option<(ModalityKind, usize)> {
    use ModalityKind::*;
    let w = t.low(k);
    Some(match w {
        "denied" | "denies" | "deny" | "denying" | "denial" | "refuted" | "rebuffed" => {
            (Denial, k + 1)
        }
        "dismissed" | "rejected" | "dismisses" | "rejects" | "dismissing" | "rejecting" => {
            let near = (k + 1..k + 4).any(|j| {
                t.is_any(
                    j,
                    &[
                        "reports",
                        "report",
                        "claims",
                        "claim",
                        "allegations",
                        "accusations",
                        "rumors",
                        "rumours",
                    ],
                )
            });
            if !near {
                return None;
            }
            (Denial, k + 1)
        }
        "not" | "never" | "neither" | "nor" => {
            if w == "not" && t.is(k + 1, "only") {
                return None;
            }
            (Negation, k + 1)
        }
        "no" => {
            if t.kind(k + 1) != Some(Kind::Word) || t.is_any(k + 1, &["longer", "doubt"]) {
                return None;
            }
            (Negation, k + 1)
        }
        _ if w.ends_with("n't") || w.ends_with("n’t") => (Negation, k + 1),
        "reportedly" | "allegedly" | "purportedly" | "apparently" | "alleged" | "unconfirmed"
        | "unverified" | "rumored" | "rumoured" | "possibly" | "presumably" | "supposedly" => {
            (Hedge, k + 1)
        }
        "claimed" | "claims" | "claiming" | "claim" => {
            if t.is_any(prev(k), &["responsibility"]) || t.is(k + 1, "responsibility") {
                return None;
            }
            (Hedge, k + 1)
        }
        "said" | "believed" | "thought" | "reported" | "understood"
            if t.is(k + 1, "to") && t.is_any(prev(k), &["is", "are", "was", "were", "been"]) =>
        {
            (Hedge, k + 2)
        }
        "will" | "shall" | "'ll" => {
            if t.is_capitalized(k) && k != ss {
                return None; // the noun "Will"
            }
            (Future, k + 1)
        }
        "expected" | "set" | "plans" | "planning" | "intends" | "vowed" | "pledged" | "going"
        | "aims"
            if t.is(k + 1, "to") =>
        {
            if w == "set" && !t.is_any(prev(k), &["is", "are", "was", "were"]) {
                return None;
            }
            if w == "going" && !t.is_any(prev(k), &["is", "are", "was", "were", "'re", "'s", "am"])
            {
                return None;
            }
            if w == "expected" && !t.is_any(prev(k), &["is", "are", "was", "were", "be"]) {
                return None;
            }
            (Future, k + 2)
        }
        "would" => {
            let verb = t.low(k + 1);
            let reported = (ss..k).any(|j| t.is_any(j, REPORTING));
            if reported && !CONSEQUENCE.contains(&verb) {
                (Future, k + 1)
            } else {
                (Hypothetical, k + 1)
            }
        }
        "could" | "might" | "should" | "if" | "unless" => (Hypothetical, k + 1),
        "may" if !t.is_capitalized(k) => (Hypothetical, k + 1),
        _ => return None,
    })
}

pub fn find(t: &Tokens, sents: &[(usize, usize)]) -> Vec<Modality> {
    let mut out = Vec::new();
    for &(ss, se) in sents {
        let mut k = ss;
        while k < se {
            let Some((kind, tend)) = classify(t, k, ss) else {
                k += 1;
                continue;
            };
            // "did not", "had not": the auxiliary joins the trigger
            let mut ts = k;
            if kind == ModalityKind::Negation
                && t.is(k, "not")
                && t.is_any(
                    prev(k),
                    &[
                        "did", "does", "do", "has", "have", "had", "is", "are", "was", "were",
                        "could", "would", "will", "can",
                    ],
                )
                && k > ss
            {
                ts = k - 1;
            }
            // scope: to the clause end
            let mut e = tend;
            while e < se {
                if t.is(e, ";") || t.is(e, "!") || t.is(e, "?") {
                    break;
                }
                if t.is(e, ",") && t.is_any(e + 1, CLAUSE_END) {
                    break;
                }
                if matches!(kind, ModalityKind::Future | ModalityKind::Hypothetical) && t.is(e, ",")
                {
                    break;
                }
                e += 1;
            }
            while e > tend && t.is_any(e - 1, &[".", ",", "\"", "”", "’"]) {
                e -= 1;
            }
            let scope_end = if e > tend {
                t.end(e - 1)
            } else {
                t.end(tend - 1)
            };
            out.push(Modality {
                kind,
                trigger: Span::new(t.start(ts), t.end(tend - 1)),
                scope: Span::new(t.start(ts), scope_end),
            });
            k = tend;
        }
    }
    out
}

//! Scoring time expressions against gold TIMEX3 annotations (TempEval-3
//! style): strict (exact span) and relaxed (overlap) precision, recall and
//! F1, plus type and value accuracy over relaxed matches.

use serde::Serialize;
use sitrep_core::annotation::Timex;
use sitrep_core::Span;

/// A gold time expression.
#[derive(Debug, Clone)]
pub struct GoldTimex {
    pub span: Span,
    pub kind: String,
    pub value: String,
}

/// One disagreement, for error analysis.
#[derive(Debug, Clone, Serialize)]
pub struct TimexError {
    /// `missed`, `spurious`, `type`, `value`.
    pub class: &'static str,
    pub text: String,
    pub gold: Option<String>,
    pub predicted: Option<String>,
}

/// Counts accumulated over documents.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TimexScore {
    pub gold: usize,
    pub predicted: usize,
    pub strict_matches: usize,
    pub relaxed_matches: usize,
    pub type_correct: usize,
    pub value_correct: usize,
    pub date_matches: usize,
    pub date_value_correct: usize,
    #[serde(skip)]
    pub errors: Vec<TimexError>,
}

fn prf(m: usize, p: usize, g: usize) -> (f64, f64, f64) {
    let pr = if p == 0 { 0.0 } else { m as f64 / p as f64 };
    let rc = if g == 0 { 0.0 } else { m as f64 / g as f64 };
    let f = if pr + rc == 0.0 {
        0.0
    } else {
        2.0 * pr * rc / (pr + rc)
    };
    (pr, rc, f)
}

impl TimexScore {
    /// Score one document.
    pub fn add(&mut self, text: &str, gold: &[GoldTimex], pred: &[Timex]) {
        self.gold += gold.len();
        self.predicted += pred.len();
        let mut used = vec![false; pred.len()];
        for g in gold {
            // best overlapping prediction: exact first, then largest overlap
            let mut best: Option<(usize, usize)> = None;
            for (j, p) in pred.iter().enumerate() {
                if used[j] || !p.span.overlaps(g.span) {
                    continue;
                }
                let ov = p.span.end.min(g.span.end) - p.span.start.max(g.span.start);
                let score = if p.span == g.span { usize::MAX } else { ov };
                if best.is_none_or(|(_, s)| score > s) {
                    best = Some((j, score));
                }
            }
            let Some((j, _)) = best else {
                self.errors.push(TimexError {
                    class: "missed",
                    text: g.span.slice(text).to_string(),
                    gold: Some(format!("{} {}", g.kind, g.value)),
                    predicted: None,
                });
                continue;
            };
            used[j] = true;
            let p = &pred[j];
            self.relaxed_matches += 1;
            if p.span == g.span {
                self.strict_matches += 1;
            }
            let pv = p.value.clone().unwrap_or_default();
            if p.kind.as_str() == g.kind {
                self.type_correct += 1;
            } else {
                self.errors.push(TimexError {
                    class: "type",
                    text: g.span.slice(text).to_string(),
                    gold: Some(format!("{} {}", g.kind, g.value)),
                    predicted: Some(format!("{} {}", p.kind.as_str(), pv)),
                });
            }
            let vok = pv == g.value;
            if vok {
                self.value_correct += 1;
            } else if p.kind.as_str() == g.kind {
                self.errors.push(TimexError {
                    class: "value",
                    text: g.span.slice(text).to_string(),
                    gold: Some(format!("{} {}", g.kind, g.value)),
                    predicted: Some(format!("{} {}", p.kind.as_str(), pv)),
                });
            }
            if g.kind == "DATE" {
                self.date_matches += 1;
                if vok {
                    self.date_value_correct += 1;
                }
            }
        }
        for (j, p) in pred.iter().enumerate() {
            if !used[j] {
                self.errors.push(TimexError {
                    class: "spurious",
                    text: p.span.slice(text).to_string(),
                    gold: None,
                    predicted: Some(format!(
                        "{} {}",
                        p.kind.as_str(),
                        p.value.clone().unwrap_or_default()
                    )),
                });
            }
        }
    }

    /// Strict precision, recall, F1.
    pub fn strict(&self) -> (f64, f64, f64) {
        prf(self.strict_matches, self.predicted, self.gold)
    }

    /// Relaxed (overlap) precision, recall, F1.
    pub fn relaxed(&self) -> (f64, f64, f64) {
        prf(self.relaxed_matches, self.predicted, self.gold)
    }

    /// Type accuracy over relaxed matches.
    pub fn type_accuracy(&self) -> f64 {
        ratio(self.type_correct, self.relaxed_matches)
    }

    /// Value accuracy over relaxed matches.
    pub fn value_accuracy(&self) -> f64 {
        ratio(self.value_correct, self.relaxed_matches)
    }

    /// Value accuracy over relaxed matches of gold DATE expressions.
    pub fn date_value_accuracy(&self) -> f64 {
        ratio(self.date_value_correct, self.date_matches)
    }

    /// TempEval-3 value F1: matches with the right value over gold and
    /// predicted counts.
    pub fn value_f1(&self) -> f64 {
        prf(self.value_correct, self.predicted, self.gold).2
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

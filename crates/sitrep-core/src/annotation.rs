//! Mentions produced by the annotation stage (sentences, quantities, time
//! expressions, attribution, modality). Filled in by `sitrep-annotate`.
//!
//! Plain serde data, so later stages (event extraction) can consume the
//! mentions without depending on the annotator. Every span is a byte
//! [`Span`] into the document's `text`; command-line output adds code point
//! offsets with [`crate::CharIndex`].

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{Diagnostic, Span};

/// Everything the annotator found in one document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Annotations {
    pub sentences: Vec<Sentence>,
    pub quantities: Vec<Quantity>,
    pub timexes: Vec<Timex>,
    pub attributions: Vec<Attribution>,
    pub modalities: Vec<Modality>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diagnostics: Vec<Diagnostic>,
}

impl Annotations {
    /// Index of the sentence that contains byte offset `at`, if any.
    pub fn sentence_at(&self, at: usize) -> Option<usize> {
        let i = self.sentences.partition_point(|s| s.span.end <= at);
        match self.sentences.get(i) {
            Some(s) if s.span.start <= at => Some(i),
            _ => None,
        }
    }
}

/// One sentence of kept text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sentence {
    pub span: Span,
}

// ---------------------------------------------------------------------------
// Quantities

/// A numeric range. `low`/`high` of `None` mean "unbounded on that side".
/// Integral values serialise as JSON integers.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct NumberRange {
    #[serde(with = "num_opt")]
    pub low: Option<f64>,
    #[serde(with = "num_opt")]
    pub best: Option<f64>,
    #[serde(with = "num_opt")]
    pub high: Option<f64>,
}

impl NumberRange {
    pub fn exact(v: f64) -> Self {
        NumberRange {
            low: Some(v),
            best: Some(v),
            high: Some(v),
        }
    }
}

mod num_opt {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            None => s.serialize_none(),
            Some(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => s.serialize_i64(*x as i64),
            Some(x) => s.serialize_f64(*x),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        Option::<f64>::deserialize(d)
    }
}

/// How a number was hedged in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Qualifier {
    /// The number as written.
    Exact,
    /// "at least", "no fewer than", "a minimum of".
    AtLeast,
    /// "more than", "over", "upwards of".
    MoreThan,
    /// "nearly", "almost", "close to", "just under".
    Nearly,
    /// "less than", "fewer than", "under".
    LessThan,
    /// "up to", "at most", "as many as".
    UpTo,
    /// "about", "around", "some", "approximately", "an estimated", "roughly".
    About,
    /// "between X and Y", "X to Y", "X-Y".
    Between,
    /// "dozens", "hundreds", "scores", "several": a vague count.
    Vague,
}

/// What kind of number it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QuantityUnit {
    /// A count of people or things.
    Count,
    /// A percentage (fractions such as "half" are given as percentages).
    Percent,
}

/// What happened to the counted group, when the sentence says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Killed,
    Injured,
    /// Killed or injured, undistinguished ("casualties", "killed or wounded").
    Casualties,
    Displaced,
    Detained,
    Kidnapped,
    Missing,
    /// Share of territory or a place taken or held.
    Territory,
}

/// Who or what is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CountedGroup {
    People,
    Civilians,
    Children,
    Women,
    Fighters,
    /// Soldiers, troops, regime/security forces, policemen.
    Forces,
    Refugees,
    Villages,
    Buildings,
    Vehicles,
    Territory,
    Other,
}

/// A number in the text, with its range and what it counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quantity {
    /// The whole expression, qualifier included ("at least 48").
    pub span: Span,
    pub value: NumberRange,
    pub qualifier: Qualifier,
    pub unit: QuantityUnit,
    /// The counted noun ("civilians", "members of the regime forces").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counted: Option<Span>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<CountedGroup>,
    /// What the sentence says happened to them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// The word that says so ("killed", "died", "displaced").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome_trigger: Option<Span>,
    /// Index of another quantity this one is a part of ("104 civilians,
    /// including 29 children": the children's `part_of` is the civilians').
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part_of: Option<usize>,
}

// ---------------------------------------------------------------------------
// Time expressions

/// TimeML TIMEX3 type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum TimexType {
    Date,
    Time,
    Duration,
    Set,
}

impl TimexType {
    pub fn as_str(self) -> &'static str {
        match self {
            TimexType::Date => "DATE",
            TimexType::Time => "TIME",
            TimexType::Duration => "DURATION",
            TimexType::Set => "SET",
        }
    }
}

/// How precise a resolved interval is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimePrecision {
    Minute,
    Hour,
    /// Morning, afternoon, evening, night.
    PartOfDay,
    Day,
    Week,
    Month,
    /// Early/mid/late part of a month or year.
    PartOfMonth,
    Season,
    Quarter,
    Year,
    Decade,
    Century,
}

/// The calendar days a time expression covers (both ends inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeInterval {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub precision: TimePrecision,
}

/// A time expression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timex {
    pub span: Span,
    #[serde(rename = "type")]
    pub kind: TimexType,
    /// TimeML value: `2017-11-09`, `2017-11-09TNI`, `2017-W45`, `2017-11`,
    /// `P3D`, `PT72H`, `PRESENT_REF`, `PAST_REF`, ... `None` when the
    /// expression is relative and the document has no publication date.
    pub value: Option<String>,
    /// TimeML `mod`: `START`, `MID`, `END`, `APPROX`, `LESS_THAN`, ...
    #[serde(default, rename = "mod", skip_serializing_if = "Option::is_none")]
    pub modifier: Option<String>,
    /// Whether the value depends on the publication date.
    pub relative: bool,
    /// For DATE/TIME (and anchored durations such as "the last 48 hours"):
    /// the days covered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<TimeInterval>,
}

// ---------------------------------------------------------------------------
// Attribution

/// A reported statement and who it is attributed to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attribution {
    /// The reporting verb or phrase ("said", "told", "according to").
    pub trigger: Span,
    /// Its lemma ("say", "tell", "report", "according-to", ...).
    pub verb: String,
    /// The reported statement (clause or sentence).
    pub statement: Span,
    /// The source as written ("a source", "the Observatory").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Span>,
    /// Who the source told ("AFP" in "a source told AFP").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Span>,
    /// A fuller name for an anaphoric source ("the Observatory" → "Syrian
    /// Observatory for Human Rights"), when an earlier mention gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved: Option<String>,
    /// The document's outlet, which reports the source's statement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reported_by: Option<String>,
}

// ---------------------------------------------------------------------------
// Modality

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModalityKind {
    /// "denied", "dismissed reports", "rejected claims".
    Denial,
    /// "did not", "no", "never".
    Negation,
    /// "reportedly", "claimed", "unconfirmed", "allegedly", "is said to".
    Hedge,
    /// "will", "is expected to", "plans to".
    Future,
    /// "would", "could", "may", "might", "if".
    Hypothetical,
}

/// A modal marker and the clause it governs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Modality {
    pub kind: ModalityKind,
    pub trigger: Span,
    /// The clause in its scope (up to the end of the clause or sentence).
    pub scope: Span,
}

//! Line-level evaluation of cleaning against hand labels.
//!
//! Label files (`eval/labels/clean/*.tsv`) are tab-separated, one labelled
//! line per row: `file<TAB>line<TAB>label`, where `file` is the document's
//! file name (`000_547f9418df9b4a91.txt`), `line` is a 1-based line number
//! of the file *as on disk* (for HTML: the source line holding the text),
//! and `label` is `content` (a reader reads it: title, dateline, report
//! text) or `boilerplate`. Blank lines, lines starting with `#` and a
//! `file<TAB>line<TAB>label` header are ignored; unlabelled lines are not scored.
//!
//! A labelled line counts as *kept* when any kept segment of the cleaned
//! document maps (through `text_map`) onto that source line.
//!
//! ```
//! use sitrep_clean::eval::{parse_labels, score};
//! let labels = parse_labels("a.txt\t1\tcontent\na.txt\t2\tboilerplate\n").unwrap();
//! let mut doc = sitrep_core::Document::from_text("a".into(), "dir/a.txt".into(),
//!     "Troops entered the town on Wednesday, state media said, after weeks of fighting.\nShare this\n".into(),
//!     Default::default());
//! sitrep_clean::Cleaner::new().clean(&mut doc);
//! let r = score(&labels, &[doc]);
//! assert_eq!((r.tp, r.fp, r.fn_, r.tn), (1, 0, 0, 1));
//! assert_eq!(r.f1(), 1.0);
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use sitrep_core::Document;

/// What a labelled line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    Content,
    Boilerplate,
}

/// One labelled line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineLabel {
    pub file: String,
    pub line: usize,
    pub label: Label,
}

/// A malformed label row.
#[derive(Debug, thiserror::Error)]
#[error("label line {row}: {message}")]
pub struct LabelError {
    pub row: usize,
    pub message: String,
}

/// Parse a label file (see the module docs for the format).
pub fn parse_labels(s: &str) -> Result<Vec<LineLabel>, LabelError> {
    let mut out = Vec::new();
    for (i, row) in s.lines().enumerate() {
        let row_no = i + 1;
        let r = row.trim_end_matches('\r');
        if r.trim().is_empty() || r.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = r.split('\t').collect();
        if cols.len() < 3 {
            return Err(LabelError {
                row: row_no,
                message: "expected `file<TAB>line<TAB>content|boilerplate`".into(),
            });
        }
        if cols[0] == "file" && cols[1] == "line" {
            continue;
        }
        let line: usize = cols[1].trim().parse().map_err(|_| LabelError {
            row: row_no,
            message: format!("line number `{}` is not a positive integer", cols[1]),
        })?;
        if line == 0 {
            return Err(LabelError {
                row: row_no,
                message: "line numbers start at 1".into(),
            });
        }
        let label = match cols[2].trim() {
            "content" => Label::Content,
            "boilerplate" => Label::Boilerplate,
            other => {
                return Err(LabelError {
                    row: row_no,
                    message: format!("label `{other}` is neither `content` nor `boilerplate`"),
                })
            }
        };
        out.push(LineLabel {
            file: cols[0].trim().to_string(),
            line,
            label,
        });
    }
    Ok(out)
}

/// A labelled line the cleaner got wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Miss {
    pub file: String,
    pub line: usize,
    pub expected: Label,
}

/// Scores for one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileScore {
    pub file: String,
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
    pub tn: usize,
}

/// Precision, recall and F1 of kept lines ("content" is the positive class).
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
    pub tn: usize,
    pub files: Vec<FileScore>,
    /// Labelled files no document was given for.
    pub missing: Vec<String>,
    pub misses: Vec<Miss>,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

impl Report {
    /// Of the lines kept, how many are content.
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    /// Of the content lines, how many were kept.
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    /// Fraction of labelled lines classified correctly.
    pub fn accuracy(&self) -> f64 {
        ratio(self.tp + self.tn, self.tp + self.tn + self.fp + self.fn_)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<40} {:>5} {:>5} {:>5} {:>5}",
            "file", "tp", "fp", "fn", "tn"
        )?;
        for s in &self.files {
            writeln!(
                f,
                "{:<40} {:>5} {:>5} {:>5} {:>5}",
                s.file, s.tp, s.fp, s.fn_, s.tn
            )?;
        }
        for m in &self.missing {
            writeln!(f, "{m:<40} (no document given)")?;
        }
        for m in &self.misses {
            let what = match m.expected {
                Label::Content => "content dropped",
                Label::Boilerplate => "boilerplate kept",
            };
            writeln!(f, "  miss {}:{}: {what}", m.file, m.line)?;
        }
        write!(
            f,
            "lines {}  precision {:.3}  recall {:.3}  F1 {:.3}  accuracy {:.3}",
            self.tp + self.fp + self.fn_ + self.tn,
            self.precision(),
            self.recall(),
            self.f1(),
            self.accuracy()
        )
    }
}

/// The file name a document came from: the last path component of its
/// origin (without a `:LINE` suffix for JSON Lines records).
fn file_name(doc: &Document) -> &str {
    let o = doc.origin.as_str();
    o.rsplit(['/', '\\']).next().unwrap_or(o)
}

/// 1-based source line numbers that kept segments of `doc` touch.
pub fn kept_source_lines(doc: &Document) -> Vec<bool> {
    let src = doc.source.as_bytes();
    let mut starts = vec![0usize];
    starts.extend(memchr::memchr_iter(b'\n', src).map(|p| p + 1));
    let line_of = |off: usize| starts.partition_point(|&s| s <= off); // 1-based
    let mut kept = vec![false; starts.len() + 1];
    for span in doc.kept_spans() {
        if span.is_empty() {
            continue;
        }
        let s = doc.text_map.span_to_source(span);
        let (a, b) = (line_of(s.start), line_of(s.end.saturating_sub(1)));
        for k in kept.iter_mut().take(b.max(a) + 1).skip(a) {
            *k = true;
        }
    }
    kept
}

/// Score cleaned documents against labels. Documents are matched to label
/// rows by file name (see [`parse_labels`]); documents without labels are
/// ignored.
pub fn score(labels: &[LineLabel], docs: &[Document]) -> Report {
    let mut by_file: BTreeMap<&str, Vec<&LineLabel>> = BTreeMap::new();
    for l in labels {
        by_file.entry(l.file.as_str()).or_default().push(l);
    }
    let docs_by_name: HashMap<&str, &Document> = docs.iter().map(|d| (file_name(d), d)).collect();
    let mut r = Report::default();
    for (file, ls) in by_file {
        let Some(doc) = docs_by_name.get(file) else {
            r.missing.push(file.to_string());
            continue;
        };
        let kept = kept_source_lines(doc);
        let mut fs = FileScore {
            file: file.to_string(),
            ..FileScore::default()
        };
        for l in ls {
            let k = kept.get(l.line).copied().unwrap_or(false);
            match (l.label, k) {
                (Label::Content, true) => fs.tp += 1,
                (Label::Content, false) => fs.fn_ += 1,
                (Label::Boilerplate, true) => fs.fp += 1,
                (Label::Boilerplate, false) => fs.tn += 1,
            }
            if (l.label == Label::Content) != k {
                r.misses.push(Miss {
                    file: file.to_string(),
                    line: l.line,
                    expected: l.label,
                });
            }
        }
        r.tp += fs.tp;
        r.fp += fs.fp;
        r.fn_ += fs.fn_;
        r.tn += fs.tn;
        r.files.push(fs);
    }
    r
}

//! The stateless document pipeline shared by `extract`, `eval fakes` and
//! the benchmarks (annotate, geoparse and extract one cleaned document)
//! lives in `sitrep-pipeline`, shared with the Python package. Here: the
//! `--meta FILE` handling shared by commands that take files.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context;
use serde_json::Value;
use sitrep_core::{DateOrigin, Document, PublishedDate};

pub use sitrep_pipeline::Pipeline;

/// A `meta.jsonl`-style file given with `--meta`: one JSON object per line
/// with `file` and any of `published`, `outlet`, `url`, `title`.
#[derive(Default)]
pub struct MetaFile {
    by_file: HashMap<String, HashMap<String, String>>,
}

impl MetaFile {
    pub fn read(p: &Path) -> anyhow::Result<Self> {
        let s = std::fs::read_to_string(p)
            .with_context(|| format!("cannot read the metadata file {}", p.display()))?;
        let mut by_file = HashMap::new();
        for (n, line) in s.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let v: Value = serde_json::from_str(line).with_context(|| {
                format!(
                    "{}:{}: not a JSON object; each line must look like \
                     {{\"file\":\"a.txt\",\"published\":\"2017-11-09\"}}",
                    p.display(),
                    n + 1
                )
            })?;
            let Some(obj) = v.as_object() else { continue };
            let fields: HashMap<String, String> = obj
                .iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect();
            if let Some(file) = fields.get("file").cloned() {
                by_file.insert(file, fields);
            }
        }
        Ok(MetaFile { by_file })
    }

    /// Apply the entry for the document's file name. A `--published` flag
    /// (`flag_published`) keeps precedence over the file's date.
    pub fn apply(&self, doc: &mut Document, flag_published: bool) {
        let name = Path::new(&doc.origin)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("");
        let Some(m) = self.by_file.get(name) else {
            return;
        };
        if let Some(o) = m.get("outlet") {
            doc.meta.outlet = Some(o.clone());
            doc.outlet = Some(o.clone());
        }
        if let Some(u) = m.get("url") {
            doc.meta.url = Some(u.clone());
        }
        if let Some(t) = m.get("title") {
            doc.meta.title = Some(t.clone());
        }
        if let (Some(p), false) = (m.get("published"), flag_published) {
            if let Some(d) = PublishedDate::parse_supplied(p, DateOrigin::Sidecar) {
                doc.meta.published = Some(p.clone());
                doc.published = d;
            }
        }
    }
}

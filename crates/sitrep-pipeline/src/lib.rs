//! The stateless document pipeline, composed once for every front end: the
//! `sitrep` CLI (`extract`, `ingest`, `eval`, `bench`, `serve`) and the
//! Python package (`crates/sitrep-py`).
//!
//! [`Pipeline`] loads the stages after cleaning once (gazetteer, actor
//! knowledge base, matchers) and runs annotate → geo → extract on a cleaned
//! document. [`document_json`] is the `sitrep extract` output object
//! (`docs/formats.md`, "Events"), [`reports`] turns a document's events into
//! the fusion stage's input. This crate composes stage crates; stage crates
//! never depend on it or on each other.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use sitrep_annotate::Annotator;
use sitrep_core::annotation::Annotations;
use sitrep_core::event::Event;
use sitrep_core::Document;
use sitrep_extract::{Extraction, Extractor};
use sitrep_fuse::Report;
use sitrep_geo::{GeoParser, GeoparseOptions};

/// The data folder could not be loaded.
#[derive(Debug, thiserror::Error)]
#[error(
    "cannot load the gazetteer and actor knowledge base from {}; \
     run scripts/build-gazetteer.sh or pass --data DIR",
    dir.display()
)]
pub struct LoadError {
    pub dir: PathBuf,
    #[source]
    pub source: sitrep_geo::GeoError,
}

/// Every stage after cleaning, loaded once.
pub struct Pipeline {
    pub annotator: Annotator,
    pub geo: GeoParser,
    pub geo_options: GeoparseOptions,
    pub extractor: Extractor,
}

/// What the pipeline found in one document.
pub struct Analysis {
    pub annotations: Annotations,
    pub extraction: Extraction,
}

impl Pipeline {
    /// Load the gazetteer and actor knowledge base from `data_dir` (the
    /// repository's `data/` by default).
    pub fn load(data_dir: Option<&Path>) -> Result<Self, LoadError> {
        let dir = data_dir
            .map(Path::to_path_buf)
            .unwrap_or_else(sitrep_geo::default_data_dir);
        let geo = GeoParser::load(&dir).map_err(|source| LoadError { dir, source })?;
        Ok(Pipeline {
            annotator: Annotator::new(),
            geo,
            geo_options: GeoparseOptions {
                actors: true,
                ..GeoparseOptions::default()
            },
            extractor: Extractor::new(),
        })
    }

    pub fn analyse(&self, doc: &Document) -> Analysis {
        let annotations = self.annotator.annotate(doc);
        let places = self.geo.parse(doc, &self.geo_options);
        let extraction = self.extractor.extract(doc, &annotations, &places);
        Analysis {
            annotations,
            extraction,
        }
    }
}

/// The extraction contract's JSON object for one cleaned document (one
/// line of `sitrep extract`).
pub fn document_json(pipeline: &Pipeline, doc: &Document) -> Value {
    document_json_of(doc, &pipeline.analyse(doc))
}

/// [`document_json`] for an analysis already made.
pub fn document_json_of(doc: &Document, analysis: &Analysis) -> Value {
    let diagnostics: Vec<&sitrep_core::Diagnostic> = doc
        .diagnostics
        .iter()
        .chain(analysis.annotations.diagnostics.iter())
        .chain(analysis.extraction.diagnostics.iter())
        .collect();
    json!({
        "doc": {
            "id": doc.key,
            "outlet": doc.outlet,
            "published": {
                "date": doc.published.date.map(|d| d.to_string()),
                "precision": doc.published.precision.as_str(),
                "origin": doc.published.origin.as_str(),
            },
        },
        "events": analysis.extraction.events,
        "diagnostics": diagnostics,
    })
}

/// The fusion stage's input for the events of one document: each event with
/// the document's key, outlet, publication date and the text of its
/// evidence sentences. Near-duplicate links (`duplicate_of`) are left empty:
/// they need the other documents (the store sets them at ingest).
pub fn reports(doc: &Document, events: Vec<Event>) -> Vec<Report> {
    let published = doc.published.date.map(|d| d.to_string());
    events
        .into_iter()
        .map(|e| Report {
            doc: doc.key.clone(),
            outlet: doc.outlet.clone(),
            published: published.clone(),
            duplicate_of: None,
            canonical_outlet: None,
            evidence_text: evidence_text(&doc.text, &e),
            event: e,
        })
        .collect()
}

/// The text of an event's evidence sentences, in order, from the text of
/// its document (`Document::text`).
pub fn evidence_text(text: &str, e: &Event) -> Vec<String> {
    e.evidence
        .iter()
        .map(|v| text.get(v.byte_start..v.byte_end).unwrap_or("").to_string())
        .collect()
}

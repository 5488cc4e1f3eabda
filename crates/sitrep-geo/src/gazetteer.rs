//! The compact GeoNames index: fixed-size records, a string pool and two
//! sorted key tables (light and heavy folds, see [`crate::fold`]) with
//! posting lists. Loading reads the file and checks the header; lookups are
//! binary searches over the mapped bytes, so nothing is parsed up front.
//!
//! Layout (little endian):
//! ```text
//! magic "SRGZ0002"
//! u32 n_records, u32 strings_len, u32 codes_len
//! records: n_records x 28 bytes
//!   u32 geonameid, f32 lat, f32 lon, u32 population, u32 name (string
//!   offset), u32 admin1 (record index or u32::MAX), [u8;2] country code,
//!   u8 class, u8 feature code index
//! strings: u16 length + UTF-8 bytes, concatenated
//! codes: feature codes joined by '\n'
//! key table x2 (light, heavy):
//!   u32 n_keys, u32 keys_len, u32 n_postings
//!   (n_keys+1) x u32 key offsets, (n_keys+1) x u32 posting offsets,
//!   key bytes, n_postings x u32 record indices
//! ```

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use sitrep_core::place::{FeatureClass, PlaceRef};

use crate::fold;
use crate::fxhash::{FxMap, FxSet};
use crate::GeoError;

const MAGIC: &[u8; 8] = b"SRGZ0002";
/// Prefix of an LZ4-compressed index (then the LZ4 block with its size).
pub const LZ4_MAGIC: &[u8; 8] = b"SRGZLZ4\n";
const REC: usize = 28;
const NONE: u32 = u32::MAX;

/// One gazetteer record, decoded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Record {
    pub index: u32,
    pub geonames_id: u32,
    pub lat: f32,
    pub lon: f32,
    pub population: u32,
    pub admin1: Option<u32>,
    pub country: [u8; 2],
    pub class: FeatureClass,
    code: u8,
    name: u32,
}

impl Record {
    pub fn country_code(&self) -> &str {
        std::str::from_utf8(&self.country).unwrap_or("")
    }
}

fn class_to_u8(c: FeatureClass) -> u8 {
    match c {
        FeatureClass::Country => 0,
        FeatureClass::Admin1 => 1,
        FeatureClass::Admin2 => 2,
        FeatureClass::City => 3,
    }
}

fn class_from_u8(b: u8) -> FeatureClass {
    match b {
        0 => FeatureClass::Country,
        1 => FeatureClass::Admin1,
        2 => FeatureClass::Admin2,
        _ => FeatureClass::City,
    }
}

#[derive(Debug, Clone, Copy)]
struct KeyTable {
    n: usize,
    key_offs: usize,
    post_offs: usize,
    keys: usize,
    postings: usize,
}

/// Symbols of folded keys for [`PrefixIndex`]: end of key, space, digits,
/// lower-case letters, in byte order.
const PREFIX_SYMBOLS: usize = 38;

/// Symbol + 1 of each byte (0: no folded key has that byte).
const PREFIX_SYMBOL: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b' ' as usize] = 2;
    let mut c = 0;
    while c < 10 {
        t[b'0' as usize + c] = 3 + c as u8;
        c += 1;
    }
    let mut c = 0;
    while c < 26 {
        t[b'a' as usize + c] = 13 + c as u8;
        c += 1;
    }
    t
};

fn prefix_symbol(b: Option<&u8>) -> Option<usize> {
    match b {
        None => Some(0),
        Some(&c) => (PREFIX_SYMBOL[c as usize] as usize).checked_sub(1),
    }
}

/// Bucket of a key by its first three bytes (`None`: a byte no folded key
/// has). Monotone in byte order, so the keys of a bucket are contiguous in
/// a sorted table.
fn prefix_bucket(key: &[u8]) -> Option<usize> {
    let a = prefix_symbol(key.first())?;
    let b = prefix_symbol(key.get(1))?;
    let c = prefix_symbol(key.get(2))?;
    Some((a * PREFIX_SYMBOLS + b) * PREFIX_SYMBOLS + c)
}

/// Where each three-byte prefix starts in a sorted key table, so a lookup
/// binary-searches a few keys instead of all ~400k, and a key with a
/// prefix no name has misses at once. Built at load in one pass over the
/// keys; `None` when the table holds a key outside the folded alphabet or
/// out of order (then lookups search the whole table, as before).
struct PrefixIndex {
    starts: Vec<u32>,
}

impl PrefixIndex {
    fn build(bytes: &[u8], t: &KeyTable) -> Option<Self> {
        let n_buckets = PREFIX_SYMBOLS * PREFIX_SYMBOLS * PREFIX_SYMBOLS;
        let mut starts = vec![0u32; n_buckets + 1];
        let offs = bytes.get(t.key_offs..t.key_offs + (t.n + 1) * 4)?;
        let keys = bytes.get(t.keys..)?;
        let mut next = 0usize;
        let mut prev = u32::from_le_bytes(offs.get(..4)?.try_into().ok()?) as usize;
        for (i, o) in offs.chunks_exact(4).skip(1).enumerate() {
            let end = u32::from_le_bytes(o.try_into().ok()?) as usize;
            let key = keys.get(prev..end)?;
            prev = end;
            let b = prefix_bucket(&key[..key.len().min(3)])?;
            if b + 1 < next {
                return None;
            }
            if next <= b {
                starts[next..=b].fill(i as u32);
                next = b + 1;
            }
        }
        starts[next..].fill(t.n as u32);
        Some(PrefixIndex { starts })
    }

    /// The range of key indices that may hold `key` (empty: it is absent).
    fn range(&self, key: &[u8]) -> std::ops::Range<usize> {
        match prefix_bucket(key) {
            Some(b) => self.starts[b] as usize..self.starts[b + 1] as usize,
            None => 0..0,
        }
    }
}

fn key_at<'a>(b: &'a [u8], t: &KeyTable, i: usize) -> &'a [u8] {
    let s = rd_u32(b, t.key_offs + i * 4) as usize;
    let e = rd_u32(b, t.key_offs + (i + 1) * 4) as usize;
    b.get(t.keys + s..t.keys + e).unwrap_or(&[])
}

/// A loaded gazetteer.
pub struct Gazetteer {
    bytes: Vec<u8>,
    n_records: usize,
    records: usize,
    strings: usize,
    codes: Vec<String>,
    light: KeyTable,
    heavy: KeyTable,
    light_index: Option<PrefixIndex>,
    heavy_index: Option<PrefixIndex>,
    /// Curated aliases (data/place-aliases.toml), by heavy key.
    aliases: FxMap<String, Vec<u32>>,
    /// Country records by country code.
    countries: HashMap<[u8; 2], u32>,
    /// Lower-case English words that are also place names
    /// (data/place-common-words.txt).
    common_words: FxSet<String>,
}

fn rd_u32(b: &[u8], off: usize) -> u32 {
    b.get(off..off + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
        .unwrap_or(0)
}

/// Curated alias file format.
#[derive(Debug, serde::Deserialize)]
struct AliasFile {
    #[serde(default)]
    alias: Vec<AliasEntry>,
}

#[derive(Debug, serde::Deserialize)]
struct AliasEntry {
    name: String,
    geonames_ids: Vec<u32>,
}

/// The curated aliases shipped with sitrep.
pub const DEFAULT_ALIASES: &str = include_str!("../../../data/place-aliases.toml");

/// English words that are also place names, written by
/// scripts/build-gazetteer.sh.
pub const DEFAULT_COMMON_WORDS: &str = include_str!("../../../data/place-common-words.txt");

impl Gazetteer {
    /// Load an index file, with the shipped curated aliases.
    pub fn open(path: &Path) -> Result<Self, GeoError> {
        let raw = std::fs::read(path).map_err(|e| GeoError::Io(path.display().to_string(), e))?;
        let bytes = if raw.starts_with(LZ4_MAGIC) {
            lz4_flex::block::decompress_size_prepended(&raw[LZ4_MAGIC.len()..])
                .map_err(|e| GeoError::Index(format!("{}: {e}", path.display())))?
        } else {
            raw
        };
        let mut g = Self::from_bytes(bytes)?;
        g.add_aliases(DEFAULT_ALIASES)?;
        g.set_common_words(DEFAULT_COMMON_WORDS);
        Ok(g)
    }

    /// Parse an index held in memory.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, GeoError> {
        let bad = |m: &str| GeoError::Index(m.to_string());
        if bytes.len() < 20 || &bytes[..8] != MAGIC {
            return Err(bad("not a sitrep gazetteer (bad magic)"));
        }
        let n_records = rd_u32(&bytes, 8) as usize;
        let strings_len = rd_u32(&bytes, 12) as usize;
        let codes_len = rd_u32(&bytes, 16) as usize;
        let records = 20;
        let strings = records + n_records * REC;
        let codes_at = strings + strings_len;
        let mut pos = codes_at + codes_len;
        if pos > bytes.len() {
            return Err(bad("truncated"));
        }
        let codes = std::str::from_utf8(&bytes[codes_at..pos])
            .map_err(|_| bad("feature codes not UTF-8"))?
            .split('\n')
            .map(str::to_string)
            .collect();
        let mut tables = [None, None];
        for t in tables.iter_mut() {
            if pos + 12 > bytes.len() {
                return Err(bad("truncated key table"));
            }
            let n = rd_u32(&bytes, pos) as usize;
            let keys_len = rd_u32(&bytes, pos + 4) as usize;
            let n_post = rd_u32(&bytes, pos + 8) as usize;
            let key_offs = pos + 12;
            let post_offs = key_offs + (n + 1) * 4;
            let keys = post_offs + (n + 1) * 4;
            let postings = keys + keys_len;
            pos = postings + n_post * 4;
            if pos > bytes.len() {
                return Err(bad("truncated key table"));
            }
            *t = Some(KeyTable {
                n,
                key_offs,
                post_offs,
                keys,
                postings,
            });
        }
        let [Some(light), Some(heavy)] = tables else {
            return Err(bad("missing key tables"));
        };
        let light_index = PrefixIndex::build(&bytes, &light);
        let heavy_index = PrefixIndex::build(&bytes, &heavy);
        let mut g = Gazetteer {
            light_index,
            heavy_index,
            bytes,
            n_records,
            records,
            strings,
            codes,
            light,
            heavy,
            aliases: FxMap::default(),
            countries: HashMap::new(),
            common_words: FxSet::default(),
        };
        // Countries come first in the file; stop at the first non-country.
        for i in 0..g.n_records as u32 {
            match g.record(i) {
                Some(r) if r.class == FeatureClass::Country => {
                    g.countries.insert(r.country, i);
                }
                _ => break,
            }
        }
        Ok(g)
    }

    /// Add curated aliases from TOML text (`[[alias]] name, geonames_ids`).
    pub fn add_aliases(&mut self, toml_text: &str) -> Result<(), GeoError> {
        let f: AliasFile =
            toml::from_str(toml_text).map_err(|e| GeoError::Data(format!("place aliases: {e}")))?;
        for a in f.alias {
            let key = fold::heavy(&a.name);
            for id in a.geonames_ids {
                let Some(idx) = self.index_of_id(id) else {
                    return Err(GeoError::Data(format!(
                        "place alias {:?}: GeoNames id {id} not in the gazetteer",
                        a.name
                    )));
                };
                let v = self.aliases.entry(key.clone()).or_default();
                if !v.contains(&idx) {
                    v.push(idx);
                }
            }
        }
        Ok(())
    }

    /// Replace the common-word list (one light-folded word a line, `#`
    /// comments).
    pub fn set_common_words(&mut self, text: &str) {
        self.common_words = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect();
    }

    /// Whether a light-folded single word is a common English word.
    pub fn is_common_word(&self, light_key: &str) -> bool {
        self.common_words.contains(light_key)
    }

    pub fn len(&self) -> usize {
        self.n_records
    }

    pub fn is_empty(&self) -> bool {
        self.n_records == 0
    }

    /// Size of the index in bytes.
    pub fn byte_len(&self) -> usize {
        self.bytes.len()
    }

    pub fn record(&self, i: u32) -> Option<Record> {
        let i = i as usize;
        if i >= self.n_records {
            return None;
        }
        let o = self.records + i * REC;
        let b = &self.bytes;
        let admin1 = rd_u32(b, o + 20);
        Some(Record {
            index: i as u32,
            geonames_id: rd_u32(b, o),
            lat: f32::from_bits(rd_u32(b, o + 4)),
            lon: f32::from_bits(rd_u32(b, o + 8)),
            population: rd_u32(b, o + 12),
            name: rd_u32(b, o + 16),
            admin1: (admin1 != NONE).then_some(admin1),
            country: [b[o + 24], b[o + 25]],
            class: class_from_u8(b[o + 26]),
            code: b[o + 27],
        })
    }

    /// Record index of a GeoNames id. Records are sorted by (class, id), so
    /// this is a binary search within each class.
    pub fn index_of_id(&self, id: u32) -> Option<u32> {
        let class_at = |i: usize| self.bytes[self.records + i * REC + 26];
        let id_at = |i: usize| rd_u32(&self.bytes, self.records + i * REC);
        let n = self.n_records;
        for c in 0u8..4 {
            // partition_point by hand over record indices
            let (mut lo, mut hi) = (0usize, n);
            while lo < hi {
                let m = (lo + hi) / 2;
                if class_at(m) < c {
                    lo = m + 1
                } else {
                    hi = m
                }
            }
            let start = lo;
            let (mut lo2, mut hi2) = (start, n);
            while lo2 < hi2 {
                let m = (lo2 + hi2) / 2;
                if class_at(m) <= c {
                    lo2 = m + 1
                } else {
                    hi2 = m
                }
            }
            let end = lo2;
            let (mut a, mut b) = (start, end);
            while a < b {
                let m = (a + b) / 2;
                match id_at(m).cmp(&id) {
                    std::cmp::Ordering::Less => a = m + 1,
                    std::cmp::Ordering::Greater => b = m,
                    std::cmp::Ordering::Equal => return Some(m as u32),
                }
            }
        }
        None
    }

    /// GeoNames id of the first-level region a place is in (the region
    /// itself for a first-level region).
    pub fn admin1_id_of(&self, geonames_id: u32) -> Option<u32> {
        let r = self.record(self.index_of_id(geonames_id)?)?;
        match r.class {
            FeatureClass::Admin1 => Some(r.geonames_id),
            FeatureClass::Country => None,
            _ => r.admin1.and_then(|i| self.record(i)).map(|a| a.geonames_id),
        }
    }

    pub fn name(&self, r: &Record) -> &str {
        let o = self.strings + r.name as usize;
        let Some(l) = self.bytes.get(o..o + 2) else {
            return "";
        };
        let len = u16::from_le_bytes([l[0], l[1]]) as usize;
        self.bytes
            .get(o + 2..o + 2 + len)
            .and_then(|s| std::str::from_utf8(s).ok())
            .unwrap_or("")
    }

    pub fn feature_code(&self, r: &Record) -> &str {
        self.codes
            .get(r.code as usize)
            .map(String::as_str)
            .unwrap_or("")
    }

    pub fn country(&self, cc: &str) -> Option<Record> {
        let b = cc.as_bytes();
        if b.len() != 2 {
            return None;
        }
        self.countries
            .get(&[b[0], b[1]])
            .and_then(|&i| self.record(i))
    }

    /// The output form of a record.
    pub fn place_ref(&self, r: &Record) -> PlaceRef {
        let admin1 = match r.class {
            FeatureClass::Country => String::new(),
            FeatureClass::Admin1 => self.name(r).to_string(),
            _ => r
                .admin1
                .and_then(|i| self.record(i))
                .map(|a| self.name(&a).to_string())
                .unwrap_or_default(),
        };
        PlaceRef {
            geonames_id: r.geonames_id,
            name: self.name(r).to_string(),
            lat: (r.lat as f64 * 1e5).round() / 1e5,
            lon: (r.lon as f64 * 1e5).round() / 1e5,
            country_code: r.country_code().to_string(),
            admin1,
            feature_class: r.class,
            feature_code: self.feature_code(r).to_string(),
            population: r.population as u64,
        }
    }

    fn table_lookup(&self, t: &KeyTable, index: Option<&PrefixIndex>, key: &str) -> Vec<u32> {
        let b = &self.bytes;
        let kb = key.as_bytes();
        let (mut lo, mut hi) = match index {
            Some(ix) => {
                let r = ix.range(kb);
                (r.start, r.end)
            }
            None => (0usize, t.n),
        };
        while lo < hi {
            let mid = (lo + hi) / 2;
            match key_at(b, t, mid).cmp(kb) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    let s = rd_u32(b, t.post_offs + mid * 4) as usize;
                    let e = rd_u32(b, t.post_offs + (mid + 1) * 4) as usize;
                    return (s..e).map(|j| rd_u32(b, t.postings + j * 4)).collect();
                }
            }
        }
        Vec::new()
    }

    /// Records whose light-folded name equals `light_key`.
    pub fn lookup_light(&self, light_key: &str) -> Vec<u32> {
        self.table_lookup(&self.light, self.light_index.as_ref(), light_key)
    }

    /// Records whose heavy-folded name (or a curated alias) equals `heavy_key`.
    pub fn lookup_heavy(&self, heavy_key: &str) -> Vec<u32> {
        let mut v = self.table_lookup(&self.heavy, self.heavy_index.as_ref(), heavy_key);
        if let Some(extra) = self.aliases.get(heavy_key) {
            for &i in extra {
                if !v.contains(&i) {
                    v.push(i);
                }
            }
        }
        v
    }

    /// Every light-folded name key of the index, in key order (for
    /// benchmarks that need the gazetteer's vocabulary, e.g. a bare
    /// Aho-Corasick scan as a speed floor).
    pub fn light_keys(&self) -> impl Iterator<Item = &str> + '_ {
        let t = self.light;
        let b = &self.bytes;
        (0..t.n).filter_map(move |i| std::str::from_utf8(key_at(b, &t, i)).ok())
    }

    /// Whether `heavy_key` is a curated alias.
    pub fn is_alias(&self, heavy_key: &str) -> bool {
        self.aliases.contains_key(heavy_key)
    }
}

/// Build an index from the TSV written by scripts/build-gazetteer.py.
pub fn build_from_tsv(tsv: &str) -> Result<Vec<u8>, GeoError> {
    struct Row<'a> {
        id: u32,
        class: FeatureClass,
        code: &'a str,
        cc: [u8; 2],
        admin1_key: &'a str,
        lat: f32,
        lon: f32,
        pop: u32,
        name: &'a str,
        names: Vec<&'a str>,
    }
    let mut rows = Vec::new();
    for (ln, line) in tsv.lines().enumerate() {
        let c: Vec<&str> = line.split('\t').collect();
        if c.len() < 11 {
            return Err(GeoError::Data(format!(
                "line {}: expected 11 columns",
                ln + 1
            )));
        }
        let num = |s: &str| -> Result<f64, GeoError> {
            s.parse::<f64>()
                .map_err(|_| GeoError::Data(format!("line {}: bad number {s:?}", ln + 1)))
        };
        // Continents are stored as country-level records (code CONT).
        let class = if c[1] == "continent" {
            Some(FeatureClass::Country)
        } else {
            FeatureClass::parse(c[1])
        }
        .ok_or_else(|| GeoError::Data(format!("line {}: bad class", ln + 1)))?;
        let ccb = c[3].as_bytes();
        rows.push(Row {
            id: num(c[0])? as u32,
            class,
            code: c[2],
            cc: if ccb.len() == 2 {
                [ccb[0], ccb[1]]
            } else {
                *b"  "
            },
            admin1_key: c[4],
            lat: num(c[6])? as f32,
            lon: num(c[7])? as f32,
            pop: num(c[8])?.min(u32::MAX as f64) as u32,
            name: c[9],
            names: c[10].split('|').filter(|s| !s.is_empty()).collect(),
        });
    }
    rows.sort_by_key(|r| (class_to_u8(r.class), r.id));
    let mut admin1_index: HashMap<&str, u32> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        if r.class == FeatureClass::Admin1 {
            admin1_index.insert(r.admin1_key, i as u32);
        }
    }
    let mut codes: Vec<&str> = Vec::new();
    let mut strings: Vec<u8> = Vec::new();
    let mut recs: Vec<u8> = Vec::with_capacity(rows.len() * REC);
    let mut light: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    let mut heavy: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        let code = match codes.iter().position(|c| *c == r.code) {
            Some(p) => p,
            None => {
                codes.push(r.code);
                codes.len() - 1
            }
        };
        let name_off = strings.len() as u32;
        let nb = r.name.as_bytes();
        let nb = &nb[..nb.len().min(u16::MAX as usize)];
        strings.extend_from_slice(&(nb.len() as u16).to_le_bytes());
        strings.extend_from_slice(nb);
        let admin1 = if r.admin1_key.is_empty() {
            NONE
        } else {
            admin1_index.get(r.admin1_key).copied().unwrap_or(NONE)
        };
        recs.extend_from_slice(&r.id.to_le_bytes());
        recs.extend_from_slice(&r.lat.to_bits().to_le_bytes());
        recs.extend_from_slice(&r.lon.to_bits().to_le_bytes());
        recs.extend_from_slice(&r.pop.to_le_bytes());
        recs.extend_from_slice(&name_off.to_le_bytes());
        recs.extend_from_slice(&admin1.to_le_bytes());
        recs.extend_from_slice(&r.cc);
        recs.push(class_to_u8(r.class));
        recs.push(code.min(255) as u8);
        for n in &r.names {
            let l = fold::light(n);
            if l.is_empty() {
                continue;
            }
            let h = fold::heavy_from_light(&l);
            for (map, k) in [(&mut light, l), (&mut heavy, h)] {
                if k.is_empty() {
                    continue;
                }
                let v = map.entry(k).or_default();
                if v.last() != Some(&(i as u32)) {
                    v.push(i as u32);
                }
            }
        }
    }
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(rows.len() as u32).to_le_bytes());
    out.extend_from_slice(&(strings.len() as u32).to_le_bytes());
    let codes_joined = codes.join("\n");
    out.extend_from_slice(&(codes_joined.len() as u32).to_le_bytes());
    out.extend_from_slice(&recs);
    out.extend_from_slice(&strings);
    out.extend_from_slice(codes_joined.as_bytes());
    for map in [&light, &heavy] {
        let mut key_offs = vec![0u32];
        let mut post_offs = vec![0u32];
        let mut keys = Vec::new();
        let mut posts: Vec<u32> = Vec::new();
        for (k, v) in map.iter() {
            let mut v = v.clone();
            v.dedup();
            keys.extend_from_slice(k.as_bytes());
            posts.extend_from_slice(&v);
            key_offs.push(keys.len() as u32);
            post_offs.push(posts.len() as u32);
        }
        out.extend_from_slice(&(map.len() as u32).to_le_bytes());
        out.extend_from_slice(&(keys.len() as u32).to_le_bytes());
        out.extend_from_slice(&(posts.len() as u32).to_le_bytes());
        for o in key_offs {
            out.extend_from_slice(&o.to_le_bytes());
        }
        for o in post_offs {
            out.extend_from_slice(&o.to_le_bytes());
        }
        out.extend_from_slice(&keys);
        for p in posts {
            out.extend_from_slice(&p.to_le_bytes());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TSV: &str = "163843\tcountry\tPCLI\tSY\t\t\t34.8\t37.9\t8000000\tSyria\tSyria|Syrian Arab Republic\n\
170792\tadmin1\tADM1\tSY\tSY.07\t\t35.0\t40.4\t400000\tDayr az Zawr\tDayr az Zawr|Deir ez-Zor\n\
174448\tcity\tPPLA2\tSY\tSY.07\t\t34.45226\t40.91854\t57572\tĀlbū Kamāl\tĀlbū Kamāl|Abu Kamal|Al-Bukamal\n";

    #[test]
    fn build_and_lookup() {
        let bytes = build_from_tsv(TSV).unwrap();
        let g = Gazetteer::from_bytes(bytes).unwrap();
        assert_eq!(g.len(), 3);
        let hits = g.lookup_heavy(&fold::heavy("Albukamal"));
        assert_eq!(hits.len(), 1);
        let r = g.record(hits[0]).unwrap();
        assert_eq!(r.geonames_id, 174448);
        let p = g.place_ref(&r);
        assert_eq!(p.admin1, "Dayr az Zawr");
        assert_eq!(p.country_code, "SY");
        assert_eq!(p.feature_code, "PPLA2");
        assert_eq!(g.country("SY").unwrap().geonames_id, 163843);
        assert!(g.lookup_light("syria").len() == 1);
        assert!(g.lookup_light("nowhere").is_empty());
    }

    /// The prefix index finds exactly what a search of the whole table
    /// finds, for keys that are there and keys that are not.
    #[test]
    fn prefix_index_agrees_with_full_search() {
        let g = Gazetteer::open(&crate::default_data_dir().join("gazetteer.bin.lz4")).unwrap();
        for (t, ix) in [(&g.light, &g.light_index), (&g.heavy, &g.heavy_index)] {
            let ix = ix.as_ref().expect("shipped tables are indexable");
            for i in (0..t.n).step_by(7) {
                let k = std::str::from_utf8(key_at(&g.bytes, t, i))
                    .unwrap()
                    .to_string();
                let hit = g.table_lookup(t, Some(ix), &k);
                assert!(!hit.is_empty(), "{k}");
                assert_eq!(hit, g.table_lookup(t, None, &k), "{k}");
                for miss in [
                    format!("{k}q"),
                    k[..k.len() - 1].to_string(),
                    format!("{k}é"),
                ] {
                    assert_eq!(
                        g.table_lookup(t, Some(ix), &miss),
                        g.table_lookup(t, None, &miss),
                        "{miss}"
                    );
                }
            }
        }
        // A table out of order is not indexed (lookups then search it all).
        let mut bytes = build_from_tsv(TSV).unwrap();
        let t = Gazetteer::from_bytes(bytes.clone()).unwrap().light;
        let first = t.keys;
        bytes[first] = b'z';
        assert!(PrefixIndex::build(&bytes, &t).is_none());
    }

    #[test]
    fn rejects_garbage() {
        assert!(Gazetteer::from_bytes(b"nope".to_vec()).is_err());
        let mut b = build_from_tsv(TSV).unwrap();
        b.truncate(b.len() - 3);
        assert!(Gazetteer::from_bytes(b).is_err());
    }
}

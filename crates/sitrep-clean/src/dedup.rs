//! Near-duplicate signatures: MinHash over word 3-shingles of the kept
//! text, with LSH band keys.
//!
//! * [`signature`] computes a [`Signature`] of a cleaned document (only the
//!   kept segments count, so two syndicated copies of one wire story with
//!   different site furniture look alike).
//! * [`Signature::bands`] gives [`BANDS`] band keys; two documents that share
//!   any band key are *candidates*. With 32 bands of 4 rows, a pair with
//!   Jaccard similarity 0.5 becomes a candidate with probability ≈ 0.87, a
//!   pair at 0.8 with probability > 0.999, a pair at 0.2 with ≈ 0.05.
//! * [`Signature::similarity`] estimates the Jaccard similarity of the
//!   shingle sets (±0.09 at one standard deviation for 128 hashes).
//!   Treat candidates with `similarity >= DUPLICATE_THRESHOLD` (0.5) as
//!   copies of the same story.
//!
//! Normalisation: words are runs of alphanumeric characters, lowercased;
//! punctuation, case and whitespace differences do not matter.

use serde::{Deserialize, Serialize};
use sitrep_core::Document;

/// Number of MinHash values in a signature.
pub const NUM_HASHES: usize = 128;
/// Number of LSH bands ([`NUM_HASHES`] / [`ROWS`]).
pub const BANDS: usize = 32;
/// Rows (hash values) per band.
pub const ROWS: usize = NUM_HASHES / BANDS;
/// Estimated Jaccard similarity above which two documents are copies of
/// one story.
pub const DUPLICATE_THRESHOLD: f64 = 0.5;

/// A MinHash signature. Empty texts have an empty signature, which is
/// similar to nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    /// `NUM_HASHES` minimum values, or nothing for an empty text.
    pub mins: Vec<u64>,
}

#[inline]
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Per-hash (xor, odd multiplier) pairs derived from fixed seeds.
fn params() -> &'static [(u64, u64); NUM_HASHES] {
    static P: std::sync::OnceLock<[(u64, u64); NUM_HASHES]> = std::sync::OnceLock::new();
    P.get_or_init(|| {
        let mut p = [(0u64, 1u64); NUM_HASHES];
        for (i, slot) in p.iter_mut().enumerate() {
            let a = mix64(0x9e37_79b9_7f4a_7c15 ^ (i as u64 * 2 + 1));
            let b = mix64(0x51_7cc1_b727_220a ^ (i as u64 * 2 + 2));
            *slot = (a, b | 1);
        }
        p
    })
}

fn word_hash(w: &str) -> u64 {
    // FNV-1a over lowercased characters.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    if w.is_ascii() {
        // Same bytes as below: ASCII lower-cases to one ASCII byte.
        for b in w.bytes() {
            h ^= u64::from(b.to_ascii_lowercase());
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        return h;
    }
    for c in w.chars() {
        for l in c.to_lowercase() {
            let mut buf = [0u8; 4];
            for &byte in l.encode_utf8(&mut buf).as_bytes() {
                h ^= u64::from(byte);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
    }
    h
}

impl Signature {
    /// Signature of arbitrary text (all of it).
    pub fn of_text<'a>(parts: impl IntoIterator<Item = &'a str>) -> Signature {
        let mut words: Vec<u64> = Vec::new();
        for part in parts {
            for w in part.split(|c: char| !c.is_alphanumeric()) {
                if !w.is_empty() {
                    words.push(word_hash(w));
                }
            }
        }
        if words.is_empty() {
            return Signature { mins: Vec::new() };
        }
        let shingles: Vec<u64> = if words.len() < 3 {
            words.iter().map(|&w| mix64(w)).collect()
        } else {
            words
                .windows(3)
                .map(|w| mix64(w[0] ^ w[1].rotate_left(21) ^ w[2].rotate_left(42)))
                .collect()
        };
        let p = params();
        let mut mins = vec![u64::MAX; NUM_HASHES];
        for &s in &shingles {
            for (m, &(x, a)) in mins.iter_mut().zip(p.iter()) {
                let v = (s ^ x).wrapping_mul(a);
                if v < *m {
                    *m = v;
                }
            }
        }
        Signature { mins }
    }

    pub fn is_empty(&self) -> bool {
        self.mins.len() != NUM_HASHES
    }

    /// LSH band keys: [`BANDS`] keys, each a hash of the band number and its
    /// [`ROWS`] values. Empty for an empty signature.
    pub fn bands(&self) -> Vec<u64> {
        if self.is_empty() {
            return Vec::new();
        }
        self.mins
            .chunks(ROWS)
            .enumerate()
            .map(|(i, rows)| {
                let mut h = mix64(i as u64 + 1);
                for &r in rows {
                    h = mix64(h ^ r);
                }
                h
            })
            .collect()
    }

    /// Estimated Jaccard similarity of the two shingle sets, in `[0, 1]`.
    /// 0 when either signature is empty.
    pub fn similarity(&self, other: &Signature) -> f64 {
        if self.is_empty() || other.is_empty() {
            return 0.0;
        }
        let same = self
            .mins
            .iter()
            .zip(&other.mins)
            .filter(|(a, b)| a == b)
            .count();
        same as f64 / NUM_HASHES as f64
    }

    /// `similarity >= DUPLICATE_THRESHOLD`.
    pub fn is_near_duplicate(&self, other: &Signature) -> bool {
        self.similarity(other) >= DUPLICATE_THRESHOLD
    }
}

/// Signature of a cleaned document's kept text (title, dateline and body
/// segments). Before cleaning (no segments), the whole text is used.
pub fn signature(doc: &Document) -> Signature {
    if doc.segments.is_empty() {
        return Signature::of_text([doc.text.as_str()]);
    }
    Signature::of_text(doc.kept_spans().map(|s| s.slice(&doc.text)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "Government troops and allied fighters pushed into the river town on Wednesday, state television said, closing in on the insurgents' final urban bastion in the region. The push follows a run of setbacks for the group in the east.";
    const B: &str = "Heavy rain flooded the coastal districts on Monday, officials said, forcing hundreds of families to leave their homes as rivers burst their banks and roads were closed across the region.";

    #[test]
    fn copies_score_high_and_others_low() {
        let a = Signature::of_text([A]);
        let a2 = Signature::of_text(["BREAKING:", &A.to_uppercase(), "Share this"]);
        let b = Signature::of_text([B]);
        assert!(a.similarity(&a2) > 0.7, "{}", a.similarity(&a2));
        assert!(a.similarity(&b) < 0.1);
        assert_eq!(a.bands().len(), BANDS);
        assert!(a.bands().iter().zip(a2.bands()).any(|(x, y)| *x == y));
        let e = Signature::of_text([""]);
        assert!(e.is_empty() && e.bands().is_empty());
        assert_eq!(e.similarity(&e), 0.0);
    }

    /// Words hash as FNV-1a of their lower-cased UTF-8 bytes, on the ASCII
    /// path and the general one alike (stored band keys depend on it).
    #[test]
    fn word_hash_is_fnv1a_of_the_lower_case() {
        assert_eq!(word_hash("Aleppo"), 0x6186_774a_dc65_8428);
        assert_eq!(word_hash("ALEPPO"), word_hash("aleppo"));
        assert_eq!(word_hash("O1"), 0x08b0_1707_b555_f4fd);
        assert_eq!(word_hash("ĀLBŪ"), 0xcf06_508d_701e_e508);
        assert_eq!(word_hash("Ālbū"), 0xcf06_508d_701e_e508);
    }
}

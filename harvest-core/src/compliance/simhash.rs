//! SimHash over word shingles: pages that differ only in boilerplate get fingerprints a
//! few bits apart.

/// Fingerprints closer than this many bits are near-duplicates.
pub const NEAR_DUPLICATE_BITS: u32 = 3;

/// The 64-bit SimHash of `text` (lower-cased words, 3-word shingles, FNV-1a hashes; stable
/// across runs and versions so it can be stored).
///
/// ```
/// use harvest_core::compliance::{hamming, simhash};
/// let a = simhash("the quick brown fox jumps over the lazy dog near the river bank today");
/// let b = simhash("The quick brown fox jumps over the lazy dog near the river bank today!");
/// assert_eq!(hamming(a, b), 0);
/// ```
pub fn simhash(text: &str) -> u64 {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    if words.is_empty() {
        return 0;
    }
    let mut weights = [0i64; 64];
    let size = 3.min(words.len());
    for shingle in words.windows(size) {
        let h = fnv1a(shingle);
        for (bit, w) in weights.iter_mut().enumerate() {
            if h >> bit & 1 == 1 {
                *w += 1;
            } else {
                *w -= 1;
            }
        }
    }
    weights.iter().enumerate().fold(
        0u64,
        |acc, (bit, w)| if *w > 0 { acc | 1 << bit } else { acc },
    )
}

/// Number of differing bits between two fingerprints.
pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// Whether two fingerprints are within [`NEAR_DUPLICATE_BITS`].
pub fn is_near_duplicate(a: u64, b: u64) -> bool {
    hamming(a, b) <= NEAR_DUPLICATE_BITS
}

fn fnv1a(words: &[String]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for w in words {
        for b in w.bytes().chain(std::iter::once(b' ')) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boilerplate_changes_stay_near_and_different_articles_are_far() {
        let article = "Harvest turns web pages into AI ready output. It respects robots.txt and opt-out signals, extracts the main content as markdown, and reports cost and attribution for every page it processes. ".repeat(8);
        let a = simhash(&format!("{article} Copyright 2024 Example Inc."));
        let b = simhash(&format!(
            "{article} Copyright 2025 Example Inc. All rights reserved."
        ));
        let other = simhash(&"A recipe for bread: mix flour, water, salt and yeast, knead for ten minutes, let it rise for two hours and bake at high heat until golden. ".repeat(8));
        assert!(is_near_duplicate(a, b), "{}", hamming(a, b));
        assert!(hamming(a, other) > 10, "{}", hamming(a, other));
    }
}

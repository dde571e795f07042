//! The one hash table of the crate: 64-bit number → position. Every duplicate check and lookup
//! by id (customer-file users, relationship answers, listed files) keys it by the id as a
//! number, so the wasm links a single `HashMap` instantiation and no SipHash.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A hasher for keys that are already well-spread 64-bit numbers (ids and phone numbers): one
/// multiply instead of SipHash. The keys are the caller's own ids or Kakao's answer about
/// them, so there is no adversary to defend against by a keyed hash.
#[derive(Default)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 =
                (self.0.rotate_left(5) ^ u64::from(*b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(29);
    }
}

/// Id (as a number) → position (first seen, or index into a list).
pub type IdMap = HashMap<u64, usize, BuildHasherDefault<IdHasher>>;

/// An empty [`IdMap`] with room for `n` keys.
pub fn with_capacity(n: usize) -> IdMap {
    IdMap::with_capacity_and_hasher(n, BuildHasherDefault::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_first_position_of_each_key() {
        let mut m = with_capacity(2);
        assert_eq!(m.insert(7, 0), None);
        assert_eq!(m.insert(u64::MAX, 1), None);
        assert_eq!(m.insert(7, 2), Some(0));
        assert_eq!(m.get(&7), Some(&2));
        assert_eq!(m.len(), 2);
    }
}

//! The original masscan's scan order (`--permutation blackrock`): its BlackRock cipher, a
//! Black-Rogaway Feistel network over `[0, a*b)` with `a ~ sqrt(range)`, modular rounds and a
//! byte-substitution round function, cycle-walked into `[0, range)`. Reproduced bit for bit
//! (masscan 1.3.2, `rand-blackrock.c`) so that a fleet can mix the original and us on one scan
//! with the same `--seed` and `--shards`, and a paused.conf written by the original resumes
//! where it stopped. About four times slower than [`crate::plan::permutation`] (14 rounds of eight
//! table look-ups and a modulo; bench/offline.sh), which stays the default.

use strength_reduce::StrengthReducedU64;

/// The original's default number of rounds (`--blackrock-rounds`).
pub const DEFAULT_ROUNDS: u32 = 14;

/// The original's substitution box: 256 bytes, fixed; the round function looks eight bytes of
/// the (keyed) right half up in it.
const SBOX: [u8; 256] = [
    0x91, 0x58, 0xb3, 0x31, 0x6c, 0x33, 0xda, 0x88, 0x57, 0xdd, 0x8c, 0xf2, 0x29, 0x5a, 0x08, 0x9f,
    0x49, 0x34, 0xce, 0x99, 0x9e, 0xbf, 0x0f, 0x81, 0xd4, 0x2f, 0x92, 0x3f, 0x95, 0xf5, 0x23, 0x00,
    0x0d, 0x3e, 0xa8, 0x90, 0x98, 0xdd, 0x20, 0x00, 0x03, 0x69, 0x0a, 0xca, 0xba, 0x12, 0x08, 0x41,
    0x6e, 0xb9, 0x86, 0xe4, 0x50, 0xf0, 0x84, 0xe2, 0xb3, 0xb3, 0xc8, 0xb5, 0xb2, 0x2d, 0x18, 0x70,
    0x0a, 0xd7, 0x92, 0x90, 0x9e, 0x1e, 0x0c, 0x1f, 0x08, 0xe8, 0x06, 0xfd, 0x85, 0x2f, 0xaa, 0x5d,
    0xcf, 0xf9, 0xe3, 0x55, 0xb9, 0xfe, 0xa6, 0x7f, 0x44, 0x3b, 0x4a, 0x4f, 0xc9, 0x2f, 0xd2, 0xd3,
    0x8e, 0xdc, 0xae, 0xba, 0x4f, 0x02, 0xb4, 0x76, 0xba, 0x64, 0x2d, 0x07, 0x9e, 0x08, 0xec, 0xbd,
    0x52, 0x29, 0x07, 0xbb, 0x9f, 0xb5, 0x58, 0x6f, 0x07, 0x55, 0xb0, 0x34, 0x74, 0x9f, 0x05, 0xb2,
    0xdf, 0xa9, 0xc6, 0x2a, 0xa3, 0x5d, 0xff, 0x10, 0x40, 0xb3, 0xb7, 0xb4, 0x63, 0x6e, 0xf4, 0x3e,
    0xee, 0xf6, 0x49, 0x52, 0xe3, 0x11, 0xb3, 0xf1, 0xfb, 0x60, 0x48, 0xa1, 0xa4, 0x19, 0x7a, 0x2e,
    0x90, 0x28, 0x90, 0x8d, 0x5e, 0x8c, 0x8c, 0xc4, 0xf2, 0x4a, 0xf6, 0xb2, 0x19, 0x83, 0xea, 0xed,
    0x6d, 0xba, 0xfe, 0xd8, 0xb6, 0xa3, 0x5a, 0xb4, 0x48, 0xfa, 0xbe, 0x5c, 0x69, 0xac, 0x3c, 0x8f,
    0x63, 0xaf, 0xa4, 0x42, 0x25, 0x50, 0xab, 0x65, 0x80, 0x65, 0xb9, 0xfb, 0xc7, 0xf2, 0x2d, 0x5c,
    0xe3, 0x4c, 0xa4, 0xa6, 0x8e, 0x07, 0x9c, 0xeb, 0x41, 0x93, 0x65, 0x44, 0x4a, 0x86, 0xc1, 0xf6,
    0x2c, 0x97, 0xfd, 0xf4, 0x6c, 0xdc, 0xe1, 0xe0, 0x28, 0xd9, 0x89, 0x7b, 0x09, 0xe2, 0xa0, 0x38,
    0x74, 0x4a, 0xa6, 0x5e, 0xd2, 0xe2, 0x4d, 0xf3, 0xf4, 0xc6, 0xbc, 0xa2, 0x51, 0x58, 0xe8, 0xae,
];

/// A BlackRock permutation of `[0, range)`.
#[derive(Clone, Debug)]
pub struct BlackRock {
    range: u64,
    a: u64,
    /// `a` and `b` as divisors strength-reduced to multiplies (the cipher's rounds divide by
    /// them; bench/offline.sh measured 5.9 -> 6.3 Mpps per core against hardware division).
    a_div: StrengthReducedU64,
    b_div: StrengthReducedU64,
    seed: u64,
    rounds: u32,
}

impl BlackRock {
    /// The original's construction: `a` and `b` around `sqrt(range)` with `a*b > range` (fixed
    /// small values below 9). `rounds` is clamped to 1..=63, where the round key's rotation is
    /// defined.
    pub fn new(range: u64, seed: u64, rounds: u32) -> Self {
        let (a, mut b) = match range {
            0 | 1 => (1, 1),
            2 => (1, 2),
            3 => (2, 2),
            4..=6 => (2, 3),
            7 | 8 => (3, 3),
            _ => {
                let root = (range as f64).sqrt();
                ((root - 2.0) as u64, (root + 3.0) as u64)
            }
        };
        while a * b <= range {
            b += 1;
        }
        Self {
            range,
            a,
            a_div: StrengthReducedU64::new(a),
            b_div: StrengthReducedU64::new(b),
            seed,
            rounds: rounds.clamp(1, 63),
        }
    }

    pub fn range(&self) -> u64 {
        self.range
    }

    /// The round function of round `r` on the right half.
    #[inline(always)]
    fn round_value(&self, r: u32, right: u64) -> u64 {
        let seed = self.seed;
        let keyed = right ^ (seed << r) ^ (seed >> (64 - r));
        let mix = seed ^ u64::from(r);
        let byte = |n: u32| u64::from(SBOX[(((keyed >> (n * 8)) ^ mix) & 0xff) as usize]);
        let r0 = byte(0) | byte(1) << 8;
        let r1 = (byte(2) << 16 | byte(3) << 24) & 0xffff_ffff;
        let r2 = byte(4) | byte(5) << 8;
        let r3 = (byte(6) << 16 | byte(7) << 24) & 0xffff_ffff;
        r0 ^ r1 ^ (r2 << 23) ^ (r3 << 33)
    }

    /// One pass of the cipher over `[0, a*b)`.
    #[inline(always)]
    fn encrypt(&self, m: u64) -> u64 {
        let a = self.a;
        let right0 = m / self.a_div;
        let mut left = m - right0 * a;
        let mut right = right0;
        for r in 1..=self.rounds {
            let modulus = if r & 1 == 1 { self.a_div } else { self.b_div };
            let next = left.wrapping_add(self.round_value(r, right)) % modulus;
            left = right;
            right = next;
        }
        if self.rounds & 1 == 1 {
            a.wrapping_mul(left).wrapping_add(right)
        } else {
            a.wrapping_mul(right).wrapping_add(left)
        }
    }

    /// The element at position `m`. Like the original, any `m` gives a value below `range`
    /// (positions past the end cycle-walk onto some value), so callers keep `m < range` for a
    /// permutation.
    #[inline]
    pub fn shuffle(&self, m: u64) -> u64 {
        if self.range == 0 {
            return 0;
        }
        let mut c = self.encrypt(m);
        while c >= self.range {
            c = self.encrypt(c);
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_a_permutation_for_small_and_odd_ranges() {
        for range in (0..300).chain([1000, 4097, 65_537]) {
            for rounds in [4, 14] {
                let br = BlackRock::new(range, 0x1234_5678_9abc_def0 ^ range, rounds);
                let mut seen = vec![false; range as usize];
                for i in 0..range {
                    let x = br.shuffle(i) as usize;
                    assert!(!seen[x], "range {range} rounds {rounds}: {x} twice");
                    seen[x] = true;
                }
            }
        }
    }

    #[test]
    fn matches_the_originals_order() {
        // `masscan -sL 10.0.0.0/29 --seed 5` (Debian's masscan 1.3.2): the order of the last
        // octets.
        let br = BlackRock::new(8, 5, DEFAULT_ROUNDS);
        let got: Vec<u64> = (0..8).map(|i| br.shuffle(i)).collect();
        assert_eq!(got, [3, 0, 5, 4, 6, 1, 7, 2]);
    }
}

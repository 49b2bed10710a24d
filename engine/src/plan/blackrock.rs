//! The original masscan's scan order (`--permutation blackrock`): its BlackRock cipher, a
//! Black-Rogaway Feistel network over `[0, a*b)` with `a ~ sqrt(range)`, modular rounds and a
//! byte-substitution round function, cycle-walked into `[0, range)`. Reproduced bit for bit
//! (masscan 1.3.2, `rand-blackrock.c`) so that a fleet can mix the original and us on one scan
//! with the same `--seed` and `--shards`, and a paused.conf written by the original resumes
//! where it stopped.
//!
//! Two ways to compute it, bit-identical (a property test holds them to each other): the plain
//! one, [`BlackRock::shuffle_plain`], written as the cipher is defined, and the fast one the scan
//! uses, [`BlackRock::shuffle`] / [`BlackRock::shuffle_lanes`]. The fast one (1) folds each
//! round's key into one XOR and looks the S-box up in tables that already hold each byte at its
//! place in the round value, (2) skips the look-ups of the right half's bytes that are always
//! zero (the halves are below `max(a, b)`, about `sqrt(range)`: three bytes of eight for a /0 x
//! one port) by adding their constant contribution, computed once per round, and (3) runs
//! several indices side by side so their dependent chains of look-ups and reductions overlap.

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

/// Where byte `n` of the round function's eight S-box outputs lands in the round value:
/// `r0 = s0 | s1 << 8`, `r1 = s2 << 16 | s3 << 24`, `r2 = s4 | s5 << 8` (shifted by 23) and
/// `r3 = s6 << 16 | s7 << 24` (shifted by 33), all XORed (the ORs join disjoint bits).
const PLACE: [u32; 8] = [0, 8, 16, 24, 23, 31, 49, 57];

/// `PLACED[n][x]` = `SBOX[x] << PLACE[n]`.
static PLACED: [[u64; 256]; 8] = {
    let mut t = [[0u64; 256]; 8];
    let mut n = 0;
    while n < 8 {
        let mut x = 0;
        while x < 256 {
            t[n][x] = (SBOX[x] as u64) << PLACE[n];
            x += 1;
        }
        n += 1;
    }
    t
};

/// Indices computed side by side by [`BlackRock::shuffle_lanes`].
pub const LANES: usize = 8;

/// A BlackRock permutation of `[0, range)`.
#[derive(Clone, Debug)]
pub struct BlackRock {
    range: u64,
    a: u64,
    /// `a * b`: the cipher's domain.
    domain: u64,
    /// Round `r`'s key (index `r - 1`), XORed into the right half before the look-ups: the
    /// seed rotated by `r` with the low byte of `seed ^ r` in every byte.
    keys: [u64; 63],
    /// Round `r`'s constant part: the look-ups of the bytes the right half never sets.
    fixed: [u64; 63],
    /// Bytes of the right half that can be non-zero (1 to 8).
    live_bytes: u32,
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
        let rounds = rounds.clamp(1, 63);
        let top = a.max(b) - 1;
        let live_bytes = (64 - top.leading_zeros()).div_ceil(8).max(1);
        let mut keys = [0u64; 63];
        let mut fixed = [0u64; 63];
        for r in 1..=rounds {
            let mix = (seed ^ u64::from(r)) & 0xff;
            let key = (seed << r) ^ (seed >> (64 - r)) ^ mix.wrapping_mul(0x0101_0101_0101_0101);
            keys[r as usize - 1] = key;
            fixed[r as usize - 1] = (live_bytes..8)
                .map(|n| PLACED[n as usize][((key >> (8 * n)) & 0xff) as usize])
                .fold(0, |acc, v| acc ^ v);
        }
        Self {
            range,
            a,
            domain: a * b,
            keys,
            fixed,
            live_bytes,
            a_div: StrengthReducedU64::new(a),
            b_div: StrengthReducedU64::new(b),
            seed,
            rounds,
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

    /// One pass of the cipher over `[0, a*b)`, as defined.
    fn encrypt_plain(&self, m: u64) -> u64 {
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

    /// The element at position `m`, computed as the cipher is defined (the reference for the
    /// fast path). Like the original, any `m` gives a value below `range` (positions past the
    /// end cycle-walk onto some value), so callers keep `m < range` for a permutation.
    pub fn shuffle_plain(&self, m: u64) -> u64 {
        if self.range == 0 {
            return 0;
        }
        let mut c = self.encrypt_plain(m);
        while c >= self.range {
            c = self.encrypt_plain(c);
        }
        c
    }

    /// The element at position `m`: [`Self::shuffle_plain`]'s value, computed faster.
    #[inline]
    pub fn shuffle(&self, m: u64) -> u64 {
        let mut one = [m];
        self.shuffle_lanes(&mut one);
        one[0]
    }

    /// Each position in `ms` replaced by its element, the lanes computed side by side.
    #[inline]
    pub fn shuffle_lanes<const L: usize>(&self, ms: &mut [u64; L]) {
        if self.range == 0 {
            *ms = [0; L];
            return;
        }
        if ms.iter().any(|&m| m >= self.domain) {
            // Outside the cipher's domain the right half can have any byte set: the plain way.
            for m in ms.iter_mut() {
                *m = self.shuffle_plain(*m);
            }
            return;
        }
        self.encrypt_fast(ms);
        for m in ms.iter_mut() {
            // Cycle-walk the few that landed in `[range, a*b)`, one at a time.
            while *m >= self.range {
                let mut one = [*m];
                self.encrypt_fast(&mut one);
                *m = one[0];
            }
        }
    }

    /// One pass of the cipher over positions below `a*b`, looking up only the live bytes.
    #[inline(always)]
    fn encrypt_fast<const L: usize>(&self, ms: &mut [u64; L]) {
        match self.live_bytes {
            1 => self.encrypt_lanes::<1, L>(ms),
            2 => self.encrypt_lanes::<2, L>(ms),
            3 => self.encrypt_lanes::<3, L>(ms),
            4 => self.encrypt_lanes::<4, L>(ms),
            _ => self.encrypt_lanes::<8, L>(ms),
        }
    }

    /// One pass of the cipher over `L` positions below `a*b`, looking up `NB` bytes of the
    /// right half per round (the rest are zero: their part is `fixed`). With `NB == 8` every
    /// byte is looked up, so the constant part is zero.
    #[inline(always)]
    fn encrypt_lanes<const NB: usize, const L: usize>(&self, ms: &mut [u64; L]) {
        let a = self.a;
        let mut left = [0u64; L];
        let mut right = [0u64; L];
        for i in 0..L {
            right[i] = ms[i] / self.a_div;
            left[i] = ms[i] - right[i] * a;
        }
        let rounds = self.rounds as usize;
        for r in 0..rounds {
            // Round r + 1: odd rounds reduce modulo a, even ones modulo b.
            let modulus = if r & 1 == 0 { self.a_div } else { self.b_div };
            let key = self.keys[r];
            let fixed = if NB == 8 { 0 } else { self.fixed[r] };
            for i in 0..L {
                let x = right[i] ^ key;
                let mut v = fixed;
                for (n, table) in PLACED.iter().enumerate().take(NB) {
                    v ^= table[((x >> (8 * n)) & 0xff) as usize];
                }
                let next = left[i].wrapping_add(v) % modulus;
                left[i] = right[i];
                right[i] = next;
            }
        }
        for i in 0..L {
            ms[i] = if rounds & 1 == 1 {
                a.wrapping_mul(left[i]).wrapping_add(right[i])
            } else {
                a.wrapping_mul(right[i]).wrapping_add(left[i])
            };
        }
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
                    assert_eq!(br.shuffle_plain(i), x as u64);
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

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        /// The fast path gives the plain path's value, lane by lane, for any range (up to the
        /// plan's 2^63), seed, round count and position; and one pass of its cipher is the
        /// plain one anywhere in the cipher's domain (past the end included).
        #[test]
        fn fast_path_is_the_plain_path(
            range_bits in 0u32..64,
            range_low in proptest::prelude::any::<u64>(),
            seed in proptest::prelude::any::<u64>(),
            rounds in 0u32..70,
            start in proptest::prelude::any::<u64>(),
        ) {
            let range = if range_bits == 0 { range_low % 300 } else { range_low >> (64 - range_bits) };
            let br = BlackRock::new(range, seed, rounds);
            let mut lanes: [u64; LANES] =
                std::array::from_fn(|i| start.wrapping_add(i as u64 * 977) % range.max(1));
            let want = lanes.map(|m| br.shuffle_plain(m));
            br.shuffle_lanes(&mut lanes);
            proptest::prop_assert_eq!(lanes, want);
            proptest::prop_assert_eq!(br.shuffle(start % range.max(1)), want[0]);
            let mut pass: [u64; LANES] =
                std::array::from_fn(|i| start.wrapping_add(i as u64 * 977) % br.domain);
            let want = pass.map(|m| br.encrypt_plain(m));
            br.encrypt_fast(&mut pass);
            proptest::prop_assert_eq!(pass, want);
        }
    }
}

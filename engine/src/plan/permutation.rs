//! A keyed, random-access bijection on `[0, N)`: the scan order. `perm.shuffle(i)` depends on `i`
//! and the seed alone, so threads, shards and resume points are plain index arithmetic and a seed
//! gives the same order on every machine.
//!
//! Construction: an unbalanced Feistel network over the smallest power-of-two domain `2^k >= N`
//! (halves of `k/2` and `k - k/2` bits, a multiply-xorshift round function keyed per round), with
//! cycle walking for outputs `>= N`. As `2^k < 2N`, a shuffle costs fewer than two encryptions on
//! average, with no division anywhere.

/// Number of Feistel rounds. Four rounds of a pseudo-random function give a strong pseudo-random
/// permutation (Luby-Rackoff); the scan order needs no more.
const ROUNDS: usize = 4;

#[derive(Clone, Debug)]
pub struct Permutation {
    range: u64,
    bits_left: u32,
    bits_right: u32,
    keys: [u64; ROUNDS],
}

/// SplitMix64 step: derives round keys (and other per-scan keys) from the seed.
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[inline(always)]
fn round_fn(x: u64, key: u64) -> u64 {
    let mut h = (x ^ key).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    h ^= h >> 29;
    h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h ^ (h >> 32)
}

#[inline(always)]
fn mask(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

impl Permutation {
    /// A permutation of `[0, range)` keyed by `seed`. `range` may be anything from 0 to `u64::MAX`.
    pub fn new(range: u64, seed: u64) -> Self {
        // k = bits needed to hold range - 1, at least 2 so both halves are non-empty.
        let k = (64 - range.saturating_sub(1).leading_zeros()).max(2);
        let bits_left = k / 2;
        let bits_right = k - bits_left;
        let mut st = seed ^ 0x6d61_7373_6361_6e21; // "masscan!"
        let keys = std::array::from_fn(|_| splitmix64(&mut st));
        Self {
            range,
            bits_left,
            bits_right,
            keys,
        }
    }

    pub fn range(&self) -> u64 {
        self.range
    }

    /// One pass of the Feistel network over the `2^k` domain.
    #[inline(always)]
    fn encrypt(&self, x: u64) -> u64 {
        let (mut wl, mut wr) = (self.bits_left, self.bits_right);
        let mut left = x >> wr;
        let mut right = x & mask(wr);
        for key in self.keys {
            let new_right = (left ^ round_fn(right, key)) & mask(wl);
            left = right;
            right = new_right;
            std::mem::swap(&mut wl, &mut wr);
        }
        (left << wr) | right
    }

    /// Each index in `xs` (all below `range`) replaced by its element: the first pass of
    /// every lane side by side, then the rare cycle walks one at a time.
    #[inline]
    pub fn shuffle_lanes<const L: usize>(&self, xs: &mut [u64; L]) {
        let (wl, wr) = (self.bits_left, self.bits_right);
        let mut left = xs.map(|x| x >> wr);
        let mut right = xs.map(|x| x & mask(wr));
        let mut widths = (wl, wr);
        for key in self.keys {
            for i in 0..L {
                let new_right = (left[i] ^ round_fn(right[i], key)) & mask(widths.0);
                left[i] = right[i];
                right[i] = new_right;
            }
            widths = (widths.1, widths.0);
        }
        for i in 0..L {
            let mut y = (left[i] << widths.1) | right[i];
            while y >= self.range {
                y = self.encrypt(y);
            }
            xs[i] = y;
        }
    }

    /// The `index`-th element of the scan order. Requires `index < range`.
    #[inline]
    pub fn shuffle(&self, index: u64) -> u64 {
        debug_assert!(index < self.range);
        let mut y = self.encrypt(index);
        while y >= self.range {
            y = self.encrypt(y);
        }
        y
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn assert_bijection(range: u64, seed: u64) {
        let p = Permutation::new(range, seed);
        let mut seen = vec![false; range as usize];
        for i in 0..range {
            let y = p.shuffle(i);
            assert!(y < range, "range {range} seed {seed}: {i} -> {y}");
            assert!(
                !seen[y as usize],
                "range {range} seed {seed}: {y} hit twice"
            );
            seen[y as usize] = true;
        }
    }

    #[test]
    fn small_ranges_are_bijections() {
        for range in 1..=1100 {
            assert_bijection(range, range * 7919);
        }
    }

    #[test]
    fn powers_of_two_and_neighbours() {
        for k in 2..=21 {
            for r in [(1u64 << k) - 1, 1 << k, (1 << k) + 1] {
                assert_bijection(r, 42 + k as u64);
            }
        }
    }

    #[test]
    fn seed_changes_order_and_same_seed_repeats() {
        let a = Permutation::new(1_000_000, 1);
        let b = Permutation::new(1_000_000, 1);
        let c = Permutation::new(1_000_000, 2);
        let va: Vec<u64> = (0..1000).map(|i| a.shuffle(i)).collect();
        let vb: Vec<u64> = (0..1000).map(|i| b.shuffle(i)).collect();
        let vc: Vec<u64> = (0..1000).map(|i| c.shuffle(i)).collect();
        assert_eq!(va, vb);
        assert_ne!(va, vc);
        // Not the identity and not a plain offset: neighbours land far apart.
        let close = va.windows(2).filter(|w| w[0].abs_diff(w[1]) < 1000).count();
        assert!(close < 20, "{close} adjacent indices landed close together");
    }

    #[test]
    fn huge_ranges_stay_in_range() {
        for range in [u64::MAX, u64::MAX / 3, (1 << 63) + 5, 1 << 40] {
            let p = Permutation::new(range, 9);
            for i in (0..1000u64).map(|i| i.wrapping_mul(0x9E37_79B9) % range) {
                assert!(p.shuffle(i) < range);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn lanes_are_shuffle_one_by_one(range in 1u64..(1 << 63), seed in any::<u64>(), start in any::<u64>()) {
            let p = Permutation::new(range, seed);
            let mut xs: [u64; 8] = std::array::from_fn(|i| start.wrapping_add(i as u64 * 7919) % range);
            let want = xs.map(|x| p.shuffle(x));
            p.shuffle_lanes(&mut xs);
            prop_assert_eq!(xs, want);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn random_ranges_are_bijections(range in 1u64..300_000, seed in any::<u64>()) {
            assert_bijection(range, seed);
        }
    }
}

//! Sorted, merged lists of inclusive integer ranges: the storage behind IPv4 targets (`u32`),
//! IPv6 targets (`u128`) and the port space (`u32`). Building merges overlaps and subtracts
//! excludes; a built list answers "the n-th member" by binary search on prefix counts.

use std::fmt::Debug;
use std::sync::Arc;

/// An integer type a [`RangeList`] can hold.
pub trait RangeInt: Copy + Ord + Debug + Send + Sync + 'static {
    /// The largest value of the type.
    const MAX: Self;
    /// Widens to `u128` (lossless for every implementor).
    fn to_u128(self) -> u128;
    /// Narrows from `u128`; the caller guarantees the value fits.
    fn from_u128(v: u128) -> Self;
}

impl RangeInt for u32 {
    const MAX: Self = u32::MAX;
    #[inline]
    fn to_u128(self) -> u128 {
        self as u128
    }
    #[inline]
    fn from_u128(v: u128) -> Self {
        v as u32
    }
}

impl RangeInt for u128 {
    const MAX: Self = u128::MAX;
    #[inline]
    fn to_u128(self) -> u128 {
        self
    }
    #[inline]
    fn from_u128(v: u128) -> Self {
        v
    }
}

/// One inclusive range `first..=last`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span<T> {
    pub first: T,
    pub last: T,
}

/// A set of integers stored as sorted, disjoint, non-adjacent inclusive ranges. Immutable once
/// built and shared by its clones (the configuration, each interface's copy of it and the plan
/// hold one list of 100,000 ranges, not four).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RangeList<T> {
    spans: Arc<[Span<T>]>,
    /// `prefix[k]` is the number of members in `spans[..k]`; only valid when `len128() <= u64::MAX`.
    prefix: Arc<[u64]>,
    /// Radix index over member numbers: `buckets[b]` is the span holding member `b << shift`, so
    /// a pick searches one bucket's few spans instead of all of them (many-range -iL scans).
    buckets: Arc<[u32]>,
    shift: u32,
}

impl<T: RangeInt> Default for RangeList<T> {
    fn default() -> Self {
        Self {
            spans: Arc::new([]),
            prefix: Arc::new([]),
            buckets: Arc::new([]),
            shift: 0,
        }
    }
}

/// Collects ranges in any order; [`RangeListBuilder::build`] sorts and merges them.
#[derive(Clone, Debug)]
pub struct RangeListBuilder<T> {
    spans: Vec<Span<T>>,
}

impl<T: RangeInt> Default for RangeListBuilder<T> {
    fn default() -> Self {
        Self { spans: Vec::new() }
    }
}

impl<T: RangeInt> RangeListBuilder<T> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `first..=last`; the caller guarantees `first <= last`.
    pub fn add(&mut self, first: T, last: T) {
        debug_assert!(first <= last);
        self.spans.push(Span { first, last });
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Sorts and merges overlapping and adjacent ranges.
    pub fn build(mut self) -> RangeList<T> {
        self.spans.sort_unstable_by_key(|s| (s.first, s.last));
        let mut merged: Vec<Span<T>> = Vec::with_capacity(self.spans.len());
        for s in self.spans {
            if let Some(top) = merged.last_mut() {
                // Adjacent (top.last + 1 == s.first) or overlapping: extend.
                if top.last == T::MAX || s.first.to_u128() <= top.last.to_u128() + 1 {
                    if s.last > top.last {
                        top.last = s.last;
                    }
                    continue;
                }
            }
            merged.push(s);
        }
        RangeList::from_sorted(merged)
    }
}

impl<T: RangeInt> RangeList<T> {
    fn from_sorted(spans: Vec<Span<T>>) -> Self {
        let mut prefix = Vec::with_capacity(spans.len() + 1);
        let mut total: u128 = 0;
        for s in &spans {
            prefix.push(total.min(u64::MAX as u128) as u64);
            total = total.saturating_add(span_len(s));
        }
        prefix.push(total.min(u64::MAX as u128) as u64);
        let (buckets, shift) = Self::index(&spans, &prefix, total);
        Self {
            spans: spans.into(),
            prefix: prefix.into(),
            buckets: buckets.into(),
            shift,
        }
    }

    /// About two buckets per span, each `2^shift` members wide.
    fn index(spans: &[Span<T>], prefix: &[u64], total: u128) -> (Vec<u32>, u32) {
        if spans.len() < 8 || total > u64::MAX as u128 || spans.len() > u32::MAX as usize {
            return (Vec::new(), 0);
        }
        let total = total as u64;
        let want = (spans.len() as u64 * 2).next_power_of_two();
        let shift = (64 - (total / want).max(1).leading_zeros()).saturating_sub(1);
        let n = (total >> shift) + 1;
        let mut buckets = Vec::with_capacity(n as usize);
        let mut k = 0usize;
        for b in 0..n {
            let first = b << shift;
            while k + 1 < spans.len() && prefix[k + 1] <= first {
                k += 1;
            }
            buckets.push(k as u32);
        }
        (buckets, shift)
    }

    /// The ranges, sorted and disjoint.
    pub fn spans(&self) -> &[Span<T>] {
        &self.spans
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Number of members, saturating at `u128::MAX` (the full IPv6 space has 2^128).
    pub fn len128(&self) -> u128 {
        self.spans
            .iter()
            .fold(0u128, |acc, s| acc.saturating_add(span_len(s)))
    }

    /// Number of members when it fits in a `u64`.
    pub fn len_u64(&self) -> Option<u64> {
        u64::try_from(self.len128()).ok().filter(|&n| n < u64::MAX)
    }

    /// Whether `v` is a member.
    pub fn contains(&self, v: T) -> bool {
        let k = self.spans.partition_point(|s| s.last < v);
        k < self.spans.len() && self.spans[k].first <= v
    }

    /// The `index`-th member in ascending order. Requires `index < len_u64()`.
    #[inline]
    pub fn pick(&self, index: u64) -> T {
        // Fast path: one range (the common case for CIDR targets and single port ranges).
        if self.spans.len() == 1 {
            return T::from_u128(self.spans[0].first.to_u128() + index as u128);
        }
        // prefix is non-decreasing; find the last k with prefix[k] <= index, searching only the
        // spans of index's bucket when there is an index.
        let (lo, hi) = if self.buckets.is_empty() {
            (0, self.spans.len())
        } else {
            let b = (index >> self.shift) as usize;
            let lo = self.buckets[b] as usize;
            let hi = self
                .buckets
                .get(b + 1)
                .map_or(self.spans.len(), |&h| h as usize + 1);
            (lo, hi)
        };
        let k = lo + self.prefix[lo..hi].partition_point(|&p| p <= index) - 1;
        T::from_u128(self.spans[k].first.to_u128() + (index - self.prefix[k]) as u128)
    }

    /// The members of `self` that are not in `other`.
    pub fn subtract(&self, other: &RangeList<T>) -> RangeList<T> {
        if other.is_empty() {
            // Nothing to take away: the same list, shared (a million ranges are not copied).
            return self.clone();
        }
        let mut out = Vec::with_capacity(self.spans.len());
        let mut j = 0;
        for s in self.spans.iter() {
            let mut cur_first = s.first.to_u128();
            let last = s.last.to_u128();
            // Skip excludes entirely below this span.
            while j < other.spans.len() && other.spans[j].last.to_u128() < cur_first {
                j += 1;
            }
            let mut jj = j;
            let mut alive = true;
            while jj < other.spans.len() && other.spans[jj].first.to_u128() <= last {
                let ex = other.spans[jj];
                let (ef, el) = (ex.first.to_u128(), ex.last.to_u128());
                if ef > cur_first {
                    out.push(Span {
                        first: T::from_u128(cur_first),
                        last: T::from_u128(ef - 1),
                    });
                }
                if el >= last {
                    alive = false;
                    break;
                }
                cur_first = cur_first.max(el + 1);
                jj += 1;
            }
            if alive && cur_first <= last {
                out.push(Span {
                    first: T::from_u128(cur_first),
                    last: s.last,
                });
            }
        }
        RangeList::from_sorted(out)
    }
}

#[inline]
fn span_len<T: RangeInt>(s: &Span<T>) -> u128 {
    (s.last.to_u128() - s.first.to_u128()).saturating_add(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn list(v: &[(u32, u32)]) -> RangeList<u32> {
        let mut b = RangeListBuilder::new();
        for &(a, z) in v {
            b.add(a, z);
        }
        b.build()
    }

    #[test]
    fn merges_overlaps_and_neighbours() {
        let l = list(&[(10, 20), (5, 12), (21, 21), (30, 40), (41, 41), (100, 100)]);
        assert_eq!(
            l.spans(),
            &[
                Span { first: 5, last: 21 },
                Span {
                    first: 30,
                    last: 41
                },
                Span {
                    first: 100,
                    last: 100
                }
            ]
        );
        assert_eq!(l.len_u64(), Some(17 + 12 + 1));
    }

    #[test]
    fn full_u32_space() {
        let l = list(&[(0, u32::MAX), (7, 9)]);
        assert_eq!(l.len128(), 1u128 << 32);
        assert_eq!(l.pick(0), 0);
        assert_eq!(l.pick(u32::MAX as u64), u32::MAX);
    }

    #[test]
    fn full_u128_space_saturates() {
        let mut b = RangeListBuilder::<u128>::new();
        b.add(0, u128::MAX);
        let l = b.build();
        assert_eq!(l.len128(), u128::MAX);
        assert_eq!(l.len_u64(), None);
    }

    #[test]
    fn subtract_cases() {
        let a = list(&[(0, 100), (200, 300)]);
        let b = list(&[(0, 0), (50, 60), (100, 210), (300, 400)]);
        assert_eq!(
            a.subtract(&b).spans(),
            &[
                Span { first: 1, last: 49 },
                Span {
                    first: 61,
                    last: 99
                },
                Span {
                    first: 211,
                    last: 299
                }
            ]
        );
        let everything = list(&[(0, u32::MAX)]);
        assert!(a.subtract(&everything).is_empty());
    }

    #[test]
    fn indexed_pick_matches_linear_order() {
        // Many uneven ranges: the radix index must give exactly the members in order.
        let mut b = RangeListBuilder::new();
        let mut x = 7u32;
        let mut start = 0u32;
        for _ in 0..5000 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let len = 1 + (x >> 16) % 300;
            b.add(start, start + len - 1);
            start += len + 1 + (x >> 8) % 50;
        }
        let l = b.build();
        assert!(!l.buckets.is_empty());
        let mut expect = Vec::new();
        for s in l.spans() {
            expect.extend(s.first..=s.last);
        }
        let got: Vec<u32> = (0..l.len_u64().unwrap()).map(|i| l.pick(i)).collect();
        assert_eq!(got, expect);
    }

    proptest! {
        #[test]
        fn matches_a_set_model(
            adds in proptest::collection::vec((0u32..500, 0u32..40), 0..20),
            subs in proptest::collection::vec((0u32..500, 0u32..40), 0..20),
        ) {
            let a = list(&adds.iter().map(|&(s, l)| (s, s + l)).collect::<Vec<_>>());
            let b = list(&subs.iter().map(|&(s, l)| (s, s + l)).collect::<Vec<_>>());
            let mut model: BTreeSet<u32> = adds.iter().flat_map(|&(s, l)| s..=s + l).collect();
            for &(s, l) in &subs {
                for v in s..=s + l {
                    model.remove(&v);
                }
            }
            let d = a.subtract(&b);
            prop_assert_eq!(d.len_u64().unwrap() as usize, model.len());
            let picked: Vec<u32> = (0..model.len() as u64).map(|i| d.pick(i)).collect();
            prop_assert_eq!(picked, model.iter().copied().collect::<Vec<_>>());
            for v in 0..560 {
                prop_assert_eq!(d.contains(v), model.contains(&v));
            }
        }
    }
}

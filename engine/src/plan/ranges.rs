//! Sorted, merged lists of inclusive integer ranges: the storage behind IPv4 targets (`u32`),
//! IPv6 targets (`u128`) and the port space (`u32`). Building sorts, merges overlaps and
//! subtracts excludes in the one vector the ranges were collected in (no second copy); a built
//! list answers "the n-th member" from member counts and a radix table over member numbers. Up
//! to [`FULL_INDEX_MAX`] ranges it keeps a count per range (the fastest pick); a longer list
//! keeps one count every [`BLOCK`] ranges, so it costs about 10 bytes per IPv4 range in all.

use std::fmt::Debug;
use std::sync::Arc;

/// Ranges per sampled member count in a long list: a pick searches the samples, then walks at
/// most this many ranges. 8 keeps the index near 1 byte per range and the walk within one or two
/// cache lines.
pub const BLOCK: usize = 1 << BLOCK_SHIFT;
const BLOCK_SHIFT: u32 = 3;

/// The longest list that keeps a member count per range (a pick then walks nothing): port
/// lists, target lists up to 131,072 ranges, whose index (8 bytes per range and a radix table
/// of 8 to 32) is then at most about 5 MiB. Past it the walk over a block is the cheaper cost:
/// 100,000 ranges picked 25% slower sampled in the criterion bench, 1,000,000 faster.
pub const FULL_INDEX_MAX: usize = 1 << 17;

/// An integer type a [`RangeList`] can hold.
pub trait RangeInt: Copy + Ord + Debug + Send + Sync + 'static {
    /// The largest value of the type.
    const MAX: Self;
    /// Widens to `u128` (lossless for every implementor).
    fn to_u128(self) -> u128;
    /// Narrows from `u128`; the caller guarantees the value fits.
    fn from_u128(v: u128) -> Self;
    /// Members in `first..=last`, saturating at `u64::MAX`.
    fn count_u64(first: Self, last: Self) -> u64;
    /// `self + off`; the caller guarantees no overflow.
    fn plus(self, off: u64) -> Self;
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
    #[inline]
    fn count_u64(first: Self, last: Self) -> u64 {
        (last - first) as u64 + 1
    }
    #[inline]
    fn plus(self, off: u64) -> Self {
        self.wrapping_add(off as u32)
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
    #[inline]
    fn count_u64(first: Self, last: Self) -> u64 {
        (last - first).saturating_add(1).min(u64::MAX as u128) as u64
    }
    #[inline]
    fn plus(self, off: u64) -> Self {
        self.wrapping_add(off as u128)
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
/// hold one list of a million ranges, not four).
#[derive(Clone, Debug)]
pub struct RangeList<T> {
    /// The first member when the list is one range: a pick then reads nothing behind the `Arc`
    /// (CIDR targets, one port range).
    single: Option<T>,
    inner: Arc<Indexed<T>>,
}

/// The ranges and the index a pick walks.
#[derive(Debug)]
struct Indexed<T> {
    spans: Vec<Span<T>>,
    /// `samples[j]` is the number of members in `spans[..j << block_shift]`, saturating (valid
    /// for a pick only when the total fits a `u64`, which a pick requires).
    samples: Vec<u64>,
    /// 0 (a count per range) up to [`FULL_INDEX_MAX`] ranges, else [`BLOCK_SHIFT`].
    block_shift: u32,
    /// Radix table over member numbers: `buckets[b]` is the block holding member `b << shift`,
    /// so a pick searches the samples of one bucket's few blocks instead of all of them.
    buckets: Vec<u32>,
    shift: u32,
    /// Members in all, saturating at `u128::MAX`.
    total: u128,
}

impl<T: RangeInt> PartialEq for RangeList<T> {
    fn eq(&self, other: &Self) -> bool {
        self.inner.spans == other.inner.spans
    }
}

impl<T: RangeInt> Eq for RangeList<T> {}

impl<T: RangeInt> Default for RangeList<T> {
    fn default() -> Self {
        Self::from_sorted(Vec::new())
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
        if self.spans.len() == self.spans.capacity() {
            // Grow by a quarter, not double: a list of millions of ranges read from a file
            // then holds at most 25% slack at its peak (a large block grows in place).
            let more = (self.spans.capacity() / 4).max(1024);
            self.spans.reserve_exact(more);
        }
        self.spans.push(Span { first, last });
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Sorts and merges overlapping and adjacent ranges, in place.
    pub fn build(self) -> RangeList<T> {
        let mut spans = self.spans;
        sort_and_merge(&mut spans);
        RangeList::from_sorted(spans)
    }

    /// As [`Self::build`], then takes away the members of `excludes`, still in the one vector
    /// (a million targets minus their excludes are never held twice).
    pub fn build_excluding(self, excludes: &RangeList<T>) -> RangeList<T> {
        let mut spans = self.spans;
        sort_and_merge(&mut spans);
        subtract_in_place(&mut spans, excludes.spans());
        RangeList::from_sorted(spans)
    }
}

/// Sorts `spans` and merges overlapping and adjacent ones, in place; frees the slack.
fn sort_and_merge<T: RangeInt>(spans: &mut Vec<Span<T>>) {
    spans.sort_unstable_by_key(|s| (s.first, s.last));
    let mut w = 0usize;
    for r in 0..spans.len() {
        let s = spans[r];
        if w > 0 {
            let top = &mut spans[w - 1];
            // Adjacent (top.last + 1 == s.first) or overlapping: extend.
            if top.last == T::MAX || s.first.to_u128() <= top.last.to_u128() + 1 {
                if s.last > top.last {
                    top.last = s.last;
                }
                continue;
            }
        }
        spans[w] = s;
        w += 1;
    }
    spans.truncate(w);
    spans.shrink_to_fit();
}

/// Takes the members of `ex` (sorted, disjoint) out of `spans` (sorted, disjoint), in place.
/// An exclude inside a range splits it, so the result can run ahead of the ranges read: a
/// first pass counts by how much at most, the ranges move up by that many places, and the
/// result, written from the front, never overtakes the range being read.
fn subtract_in_place<T: RangeInt>(spans: &mut Vec<Span<T>>, ex: &[Span<T>]) {
    if ex.is_empty() || spans.is_empty() {
        return;
    }
    let n = spans.len();
    let (mut gap, mut pieces, mut j) = (0usize, 0usize, 0usize);
    for (i, s) in spans.iter().enumerate() {
        cut(*s, ex, &mut j, |_| pieces += 1);
        gap = gap.max(pieces.saturating_sub(i + 1));
    }
    if gap > 0 {
        spans.resize(
            n + gap,
            Span {
                first: T::MAX,
                last: T::MAX,
            },
        );
        spans.copy_within(0..n, gap);
    }
    let (mut w, mut j) = (0usize, 0usize);
    for r in gap..n + gap {
        let s = spans[r];
        cut(s, ex, &mut j, |piece| {
            spans[w] = piece;
            w += 1;
        });
    }
    spans.truncate(w);
    spans.shrink_to_fit();
}

/// Emits what is left of `s` once the excludes `ex[*j..]` are taken out, in order; moves `*j`
/// past the excludes entirely below `s` (the next range starts above it).
#[inline]
fn cut<T: RangeInt>(s: Span<T>, ex: &[Span<T>], j: &mut usize, mut emit: impl FnMut(Span<T>)) {
    let mut cur_first = s.first.to_u128();
    let last = s.last.to_u128();
    while *j < ex.len() && ex[*j].last.to_u128() < cur_first {
        *j += 1;
    }
    let mut jj = *j;
    while jj < ex.len() && ex[jj].first.to_u128() <= last {
        let (ef, el) = (ex[jj].first.to_u128(), ex[jj].last.to_u128());
        if ef > cur_first {
            emit(Span {
                first: T::from_u128(cur_first),
                last: T::from_u128(ef - 1),
            });
        }
        if el >= last {
            return;
        }
        cur_first = cur_first.max(el + 1);
        jj += 1;
    }
    emit(Span {
        first: T::from_u128(cur_first),
        last: s.last,
    });
}

impl<T: RangeInt> RangeList<T> {
    fn from_sorted(spans: Vec<Span<T>>) -> Self {
        Self::with_index(spans, FULL_INDEX_MAX)
    }

    /// Indexes `spans` with a count per range when there are at most `full_max`, else sampled.
    fn with_index(spans: Vec<Span<T>>, full_max: usize) -> Self {
        let block_shift = if spans.len() <= full_max {
            0
        } else {
            BLOCK_SHIFT
        };
        let mask = (1usize << block_shift) - 1;
        let mut samples = Vec::with_capacity((spans.len() >> block_shift) + 1);
        let mut total: u128 = 0;
        for (k, s) in spans.iter().enumerate() {
            if k & mask == 0 {
                samples.push(total.min(u64::MAX as u128) as u64);
            }
            total = total.saturating_add(span_len(s));
        }
        // Two buckets per range in a short list (as many as the walk-free pick wants), one per
        // block of a long one (its index stays near 2 bytes per range at most).
        let per_block = if block_shift == 0 { 2 } else { 1 };
        let (buckets, shift) = index(&samples, total, per_block);
        let single = (spans.len() == 1).then(|| spans[0].first);
        Self {
            single,
            inner: Arc::new(Indexed {
                spans,
                samples,
                block_shift,
                buckets,
                shift,
                total,
            }),
        }
    }

    /// The ranges, sorted and disjoint.
    pub fn spans(&self) -> &[Span<T>] {
        &self.inner.spans
    }

    pub fn is_empty(&self) -> bool {
        self.inner.spans.is_empty()
    }

    /// Number of members, saturating at `u128::MAX` (the full IPv6 space has 2^128).
    pub fn len128(&self) -> u128 {
        self.inner.total
    }

    /// Number of members when it fits in a `u64`.
    pub fn len_u64(&self) -> Option<u64> {
        u64::try_from(self.len128()).ok().filter(|&n| n < u64::MAX)
    }

    /// Bytes the list holds on the heap: the ranges, the counts and the radix table.
    pub fn heap_bytes(&self) -> usize {
        let i = &self.inner;
        i.spans.capacity() * std::mem::size_of::<Span<T>>()
            + i.samples.capacity() * 8
            + i.buckets.capacity() * 4
    }

    /// Whether `v` is a member.
    pub fn contains(&self, v: T) -> bool {
        let spans = self.spans();
        let k = spans.partition_point(|s| s.last < v);
        k < spans.len() && spans[k].first <= v
    }

    /// The `index`-th member in ascending order. Requires `index < len_u64()`.
    #[inline]
    pub fn pick(&self, index: u64) -> T {
        // Fast path: one range (the common case for CIDR targets and single port ranges).
        if let Some(first) = self.single {
            return first.plus(index);
        }
        self.inner.pick(index)
    }

    /// The members of `self` that are not in `other`.
    pub fn subtract(&self, other: &RangeList<T>) -> RangeList<T> {
        if other.is_empty() {
            // Nothing to take away: the same list, shared (a million ranges are not copied).
            return self.clone();
        }
        let mut spans = self.spans().to_vec();
        subtract_in_place(&mut spans, other.spans());
        RangeList::from_sorted(spans)
    }
}

/// The radix table over member numbers: `per_block` to four times as many buckets as blocks,
/// each `2^shift` members wide; none for a short list (its samples are searched whole).
fn index(samples: &[u64], total: u128, per_block: u64) -> (Vec<u32>, u32) {
    let blocks = samples.len();
    if blocks < 8 || total > u64::MAX as u128 || blocks > u32::MAX as usize {
        return (Vec::new(), 0);
    }
    let total = total as u64;
    let want = (blocks as u64 * per_block).next_power_of_two();
    let shift = (64 - (total / want).max(1).leading_zeros()).saturating_sub(1);
    let n = (total >> shift) + 1;
    let mut buckets = Vec::with_capacity(n as usize);
    let mut k = 0usize;
    for b in 0..n {
        let first = b << shift;
        while k + 1 < blocks && samples[k + 1] <= first {
            k += 1;
        }
        buckets.push(k as u32);
    }
    (buckets, shift)
}

impl<T: RangeInt> Indexed<T> {
    /// The `index`-th member: the block from the samples (of `index`'s bucket when there is a
    /// radix table), then in a long list a walk over at most [`BLOCK`] ranges.
    #[inline]
    fn pick(&self, index: u64) -> T {
        let blocks = self.samples.len();
        if blocks == 0 {
            return T::MAX;
        }
        let (lo, hi) = if self.buckets.is_empty() {
            (0, blocks)
        } else {
            let b = ((index >> self.shift) as usize).min(self.buckets.len() - 1);
            let lo = self.buckets[b] as usize;
            let hi = self
                .buckets
                .get(b + 1)
                .map_or(blocks, |&h| (h as usize + 1).min(blocks));
            (lo, hi)
        };
        // samples[lo] <= index: the last block in lo..hi whose count is not past it.
        let k = lo + self.samples[lo..hi].partition_point(|&p| p <= index).max(1) - 1;
        let mut seen = self.samples[k];
        if self.block_shift == 0 {
            return self.spans[k].first.plus(index.wrapping_sub(seen));
        }
        let start = k << self.block_shift;
        let end = (start + BLOCK).min(self.spans.len());
        for s in &self.spans[start..end] {
            let len = T::count_u64(s.first, s.last);
            let off = index.wrapping_sub(seen);
            if off < len {
                return s.first.plus(off);
            }
            seen = seen.saturating_add(len);
        }
        // Only for an index past the end (a caller's bug): the last member, not a panic.
        self.spans.last().map_or(T::MAX, |s| s.last)
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
        // Many uneven ranges, more than keep a count each: the sampled index and the radix
        // table must give exactly the members in order, as the full index does.
        let mut b = RangeListBuilder::new();
        let mut x = 7u32;
        let mut start = 0u32;
        for _ in 0..FULL_INDEX_MAX + 3000 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let len = 1 + (x >> 16) % 20;
            b.add(start, start + len - 1);
            start += len + 1 + (x >> 8) % 50;
        }
        let l = b.build();
        assert!(!l.inner.buckets.is_empty());
        assert_eq!(l.inner.block_shift, BLOCK_SHIFT);
        let mut expect = Vec::new();
        for s in l.spans() {
            expect.extend(s.first..=s.last);
        }
        let full = RangeList::with_index(l.spans().to_vec(), usize::MAX);
        assert_eq!(full.inner.block_shift, 0);
        for l in [l, full] {
            let got: Vec<u32> = (0..l.len_u64().unwrap()).map(|i| l.pick(i)).collect();
            assert_eq!(got, expect);
        }
    }

    #[test]
    fn many_excludes_inside_one_range_split_it_in_place() {
        // More pieces than ranges read: the in-place subtraction must make room first.
        let a = list(&[(0, 100), (200, 210)]);
        let ex = list(&[(10, 10), (20, 20), (30, 30), (40, 40), (205, 205)]);
        let want = [
            (0, 9),
            (11, 19),
            (21, 29),
            (31, 39),
            (41, 100),
            (200, 204),
            (206, 210),
        ];
        let want: Vec<Span<u32>> = want
            .iter()
            .map(|&(first, last)| Span { first, last })
            .collect();
        assert_eq!(a.subtract(&ex).spans(), &want[..]);
        let mut b = RangeListBuilder::new();
        b.add(200, 210);
        b.add(0, 100);
        assert_eq!(b.build_excluding(&ex).spans(), &want[..]);
    }

    #[test]
    fn u128_pick_over_many_ranges() {
        let mut b = RangeListBuilder::<u128>::new();
        let base = 0x2001_0db8u128 << 96;
        for k in 0..300u128 {
            b.add(base + k * 1000, base + k * 1000 + k % 7);
        }
        let l = b.build();
        let want: Vec<u128> = l.spans().iter().flat_map(|s| s.first..=s.last).collect();
        for full_max in [FULL_INDEX_MAX, 0] {
            let l = RangeList::with_index(l.spans().to_vec(), full_max);
            let got: Vec<u128> = (0..l.len_u64().unwrap()).map(|i| l.pick(i)).collect();
            assert_eq!(got, want);
        }
    }

    #[test]
    fn long_list_costs_about_ten_bytes_per_range() {
        // Past FULL_INDEX_MAX an IPv4 range costs 8 bytes, plus 1 for the counts and at most 2
        // for the radix table: hold it under 11, with and without excludes (built in place).
        let n = 300_000u32;
        let (mut b, mut ex) = (RangeListBuilder::new(), RangeListBuilder::new());
        for k in (0..n).rev() {
            b.add(k * 32, k * 32 + 15 + k % 7);
            if k % 100 == 0 {
                ex.add(k * 32 + 5, k * 32 + 5);
            }
        }
        let ex = ex.build();
        for l in [b.clone().build(), b.build_excluding(&ex)] {
            assert!(l.spans().len() >= n as usize);
            let per_range = l.heap_bytes() as f64 / l.spans().len() as f64;
            assert!(per_range < 11.0, "{per_range:.2} bytes per range");
        }
    }

    /// The plain reference: walk the ranges from the start, counting members.
    fn walk(spans: &[Span<u32>], mut index: u64) -> u32 {
        for s in spans {
            let len = (s.last - s.first) as u64 + 1;
            if index < len {
                return s.first + index as u32;
            }
            index -= len;
        }
        unreachable!("index past the end")
    }

    proptest! {
        #[test]
        fn pick_matches_a_plain_walk(
            ranges in proptest::collection::vec((0u32..u32::MAX / 2, 0u32..5000), 1..600),
            excludes in proptest::collection::vec((0u32..u32::MAX / 2, 0u32..50_000), 0..40),
            probes in proptest::collection::vec(any::<u64>(), 64),
        ) {
            let mut b = RangeListBuilder::new();
            for &(s, l) in &ranges {
                b.add(s, s + l);
            }
            let ex = list(&excludes.iter().map(|&(s, l)| (s, s + l)).collect::<Vec<_>>());
            let l = b.clone().build().subtract(&ex);
            prop_assert_eq!(&b.build_excluding(&ex), &l);
            let total = l.len_u64().unwrap();
            prop_assume!(total > 0);
            // Every range's ends and neighbours, and random members.
            let mut at = 0u64;
            let mut idx: Vec<u64> = probes.iter().map(|p| p % total).collect();
            for s in l.spans() {
                let len = (s.last - s.first) as u64 + 1;
                idx.extend([at, at + len - 1, (at + len).min(total - 1)]);
                at += len;
            }
            // The same ranges with the sampled index a long list gets.
            let sampled = RangeList::with_index(l.spans().to_vec(), 0);
            prop_assert_eq!(sampled.inner.block_shift, BLOCK_SHIFT);
            for i in idx {
                let want = walk(l.spans(), i);
                prop_assert_eq!(l.pick(i), want, "index {}", i);
                prop_assert_eq!(sampled.pick(i), want, "sampled, index {}", i);
            }
        }

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

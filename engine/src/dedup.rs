//! The results already reported, so each (address, protocol, port, open/closed) is reported
//! once: a bounded, set-associative table of keyed 64-bit fingerprints (8 per bucket: one
//! cache line, newest first). Each fingerprint has two candidate buckets and goes into the
//! emptier one ("two choices"), which keeps bucket loads even: at two results per bucket on
//! average, about one bucket in a thousand would fill with one choice, and each overflow lets a
//! repeat through (measured: 637 of 524,288 repeats reported again), while with two a bucket
//! practically never fills. When both are full the older bucket's oldest entry goes, so a
//! repeat that comes back after more distinct results than the table holds is reported again
//! (as in the original); memory stays fixed. The fingerprint is SipHash under the scan's key, so a hostile network can
//! neither predict collisions (which would hide a result) nor aim evictions at one bucket.

use crate::cookie::CookieKey;
use std::net::IpAddr;

pub struct Dedup {
    buckets: Vec<[u64; 8]>,
    mask: usize,
    key: CookieKey,
}

/// Fewest and most buckets (each 64 bytes: 2 MiB to 16 MiB, 262,144 to 2,097,152 results).
const MIN_BUCKETS: usize = 1 << 15;
const MAX_BUCKETS: usize = 1 << 18;
/// An empty slot; fingerprints are even, so none is taken for it.
const EMPTY: u64 = u64::MAX;

/// Buckets for a scan at `rate` packets per second with `retries`: a retry of a target comes
/// up to `retries` seconds of probes after its first try (and a SYN-ACK is retransmitted a few
/// seconds later), so the table holds about two such spans of results even if every probe were
/// answered, at 8 per bucket, within [2^15, 2^18] buckets.
pub fn buckets_for(rate: f64, retries: u32) -> usize {
    let span = rate.max(1.0) * f64::from(retries.max(1)) * 2.0;
    ((span / 8.0) as usize)
        .clamp(MIN_BUCKETS, MAX_BUCKETS)
        .next_power_of_two()
}

impl Dedup {
    pub fn new(buckets: usize, key: CookieKey) -> Self {
        let n = buckets.max(1).next_power_of_two();
        // Filled with a non-zero marker, so every page is written now: a zeroed allocation would
        // fault its pages in one by one during the scan, on the receive path.
        Self {
            buckets: vec![[EMPTY; 8]; n],
            mask: n - 1,
            key,
        }
    }

    /// The result's fingerprint and its two candidate buckets.
    fn place(&self, ip: IpAddr, port: u32, open: bool) -> (u64, usize, usize) {
        let ip = match ip {
            IpAddr::V4(v4) => u128::from(v4.to_ipv6_mapped()),
            IpAddr::V6(v6) => u128::from(v6),
        };
        let h = self
            .key
            .v6(ip, u128::from(open), (port >> 16) as u16, port as u16);
        // Even, so never EMPTY; the two buckets come from other bits than each other.
        (
            h & !1,
            (h >> 40) as usize & self.mask,
            (h >> 12) as usize & self.mask,
        )
    }

    /// Whether the result is there (as [`Self::insert`] would find it).
    pub fn contains(&self, ip: IpAddr, port: u32, open: bool) -> bool {
        let (f, i, j) = self.place(ip, port, open);
        self.buckets[i].contains(&f) || self.buckets[j].contains(&f)
    }

    /// Inserts the result; false when it was already there. `port` is protocol << 16 | port.
    pub fn insert(&mut self, ip: IpAddr, port: u32, open: bool) -> bool {
        let (f, i, j) = self.place(ip, port, open);
        if self.buckets[i].contains(&f) || self.buckets[j].contains(&f) {
            return false;
        }
        // Entries fill a bucket from the front (newest first), so its load is where the
        // first empty slot is.
        let load = |b: &[u64; 8]| b.iter().position(|&x| x == EMPTY).unwrap_or(8);
        let k = if load(&self.buckets[j]) < load(&self.buckets[i]) {
            j
        } else {
            i
        };
        let b = &mut self.buckets[k];
        b.rotate_right(1);
        b[0] = f;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn each_result_once_and_protocols_and_states_apart() {
        let mut d = Dedup::new(16, CookieKey::from_seed(1));
        let ip = IpAddr::V4(Ipv4Addr::new(198, 18, 1, 1));
        assert!(d.insert(ip, 53, true));
        assert!(!d.insert(ip, 53, true));
        assert!(d.insert(ip, 17 << 16 | 53, true), "53/udp is not 53/tcp");
        assert!(d.insert(ip, 53, false), "closed is not open");
        assert!(d.insert(IpAddr::V6("::ffff:198.18.1.2".parse().unwrap()), 53, true));
    }

    #[test]
    fn dedup_forgets_only_on_overflow() {
        let mut d = Dedup::new(1, CookieKey::from_seed(3));
        let ip = |i: u8| IpAddr::V4(Ipv4Addr::new(10, 0, 0, i));
        for i in 0..8 {
            assert!(d.insert(ip(i), 80, true));
        }
        for i in 0..8 {
            assert!(!d.insert(ip(i), 80, true));
        }
        assert!(d.insert(ip(0), 80, false), "closed is a different result");
        assert!(d.insert(ip(9), 80, true));
        assert!(d.insert(ip(1), 80, true), "the oldest went");
    }

    #[test]
    fn a_table_sized_for_the_scan_holds_every_result_of_a_retry_span() {
        // 300 kpps with --retries 2, every probe answered: the 600,000 results between a first
        // try and its last retry all stay in the table.
        let n = buckets_for(300_000.0, 2);
        assert_eq!(n, 1 << 18);
        let mut d = Dedup::new(n, CookieKey::from_seed(2));
        let ip = |i: u32| IpAddr::V4(Ipv4Addr::from(0xc612_0000 + i));
        let span = 600_000u32;
        for i in 0..span {
            assert!(d.insert(ip(i / 16), i % 16, true));
        }
        let repeats = (0..span)
            .filter(|&i| d.insert(ip(i / 16), i % 16, true))
            .count();
        // With two choices no bucket overflows at this load (one choice let 0.1% through).
        assert!(
            repeats < span as usize / 100_000,
            "{repeats} repeats slipped through"
        );
        assert_eq!(buckets_for(10.0, 0), 1 << 15);
        assert_eq!(buckets_for(1e9, 5), 1 << 18);
    }
}

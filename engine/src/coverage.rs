//! The scan's own estimate of what it missed: with `--retries`, each TCP SYN carries its
//! attempt in the cookie (see [`crate::probe::tcp_syn`]), so every open port has a capture
//! history: which of its probes were answered. [`Captures`] keeps those histories per receive
//! core in a bounded table and tallies them ([`CaptureCounters`]: ports seen, answers per
//! attempt); [`estimate`] turns the tallies of every core into a capture-recapture estimate of
//! the open ports there are and of the scan's coverage, with a confidence interval.

use crate::cookie::CookieKey;
pub use crate::counters::CaptureCounters;
pub use estimate::{estimate, Estimate, NoEstimate};
use std::net::IpAddr;

mod estimate;

/// Attempts told apart: a history is a byte of bits (the fingerprint keeps the rest of its
/// entry). Replies to later attempts of a scan with more retries are left out of the tally.
pub const MAX_OCCASIONS: u16 = 8;

/// One receive core's capture histories: a set-associative table of keyed fingerprints of
/// (address, protocol and port), 8 per bucket, each with its history in its low byte. When a
/// bucket overflows its oldest entry goes (counted in `evicted`): a later answer of that port
/// would be counted as a new one, so the table holds about two retry spans of open ports.
pub struct Captures {
    buckets: Vec<[u64; 8]>,
    mask: usize,
    key: CookieKey,
    occasions: u16,
    counters: CaptureCounters,
}

/// Fingerprints are hashed under a label, so they are not the de-duplication table's.
const LABEL: u128 = 0x6361_7074_7572_6573; // "captures"
const HISTORY: u64 = 0xff;

impl Captures {
    /// A table of `buckets` buckets (rounded up to a power of two) for a scan sending
    /// `attempts` probes to each target.
    pub fn new(buckets: usize, key: CookieKey, attempts: u16) -> Self {
        let n = buckets.max(1).next_power_of_two();
        Self {
            buckets: vec![[0; 8]; n],
            mask: n - 1,
            key,
            occasions: attempts.min(MAX_OCCASIONS),
            counters: CaptureCounters::default(),
        }
    }

    /// Attempts tallied (the scan's, at most [`MAX_OCCASIONS`]).
    pub fn occasions(&self) -> u16 {
        self.occasions
    }

    /// An answer from open port `port` (protocol << 16 | port) of `ip` to probe `attempt`.
    pub fn record(&mut self, ip: IpAddr, port: u32, attempt: u16) {
        if attempt >= self.occasions {
            return;
        }
        let ip = match ip {
            IpAddr::V4(v4) => u128::from(v4.to_ipv6_mapped()),
            IpAddr::V6(v6) => u128::from(v6),
        };
        let h = self.key.v6(ip, LABEL, (port >> 16) as u16, port as u16);
        // Never 0 (an empty slot): a fingerprint with no bits above the history gets one.
        let fp = (h & !HISTORY).max(HISTORY + 1);
        let bit = 1u64 << attempt;
        let bucket = &mut self.buckets[(h >> 40) as usize & self.mask];
        if let Some(e) = bucket.iter_mut().find(|e| **e & !HISTORY == fp) {
            if *e & bit != 0 {
                self.counters.repeats += 1;
                return;
            }
            *e |= bit;
        } else {
            self.counters.evicted += u64::from(bucket[7] != 0);
            bucket.rotate_right(1);
            bucket[0] = fp | bit;
            self.counters.ports += 1;
        }
        self.counters.add_answer(attempt);
    }

    pub fn counters(&self) -> &CaptureCounters {
        &self.counters
    }
}

impl CaptureCounters {
    /// Answers to attempt `k` (0 the first probe), for `k` below [`MAX_OCCASIONS`].
    pub fn answers(&self) -> [u64; MAX_OCCASIONS as usize] {
        [
            self.attempt_1,
            self.attempt_2,
            self.attempt_3,
            self.attempt_4,
            self.attempt_5,
            self.attempt_6,
            self.attempt_7,
            self.attempt_8,
        ]
    }

    /// The sum of every core's tallies (a port's replies all reach one core: they hash alike).
    pub fn sum<'a>(all: impl IntoIterator<Item = &'a CaptureCounters>) -> CaptureCounters {
        let mut s = CaptureCounters::default();
        for c in all {
            s.ports += c.ports;
            s.repeats += c.repeats;
            s.evicted += c.evicted;
            for (k, n) in c.answers().into_iter().enumerate() {
                *s.answer_mut(k as u16) += n;
            }
        }
        s
    }

    fn add_answer(&mut self, k: u16) {
        *self.answer_mut(k) += 1;
    }

    fn answer_mut(&mut self, k: u16) -> &mut u64 {
        match k {
            0 => &mut self.attempt_1,
            1 => &mut self.attempt_2,
            2 => &mut self.attempt_3,
            3 => &mut self.attempt_4,
            4 => &mut self.attempt_5,
            5 => &mut self.attempt_6,
            6 => &mut self.attempt_7,
            _ => &mut self.attempt_8,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn ip(n: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(198, 18, 1, n))
    }

    #[test]
    fn a_history_per_port_each_answer_once() {
        let mut c = Captures::new(16, CookieKey::from_seed(1), 3);
        c.record(ip(1), 80, 0);
        c.record(ip(1), 80, 0); // the same probe answered twice
        c.record(ip(1), 80, 2);
        c.record(ip(1), 443, 1);
        c.record(ip(2), 80, 1);
        c.record(ip(2), 80, 3); // past the scan's attempts
        let s = c.counters();
        assert_eq!((s.ports, s.repeats, s.evicted), (3, 1, 0));
        assert_eq!(s.answers(), [1, 2, 1, 0, 0, 0, 0, 0]);
        let twice = CaptureCounters::sum([s, s]);
        assert_eq!((twice.ports, twice.answers()[1]), (6, 4));
    }

    #[test]
    fn a_full_bucket_lets_its_oldest_go_and_says_so() {
        let mut c = Captures::new(1, CookieKey::from_seed(2), 2);
        for n in 0..9 {
            c.record(ip(n), 80, 0);
        }
        assert_eq!((c.counters().ports, c.counters().evicted), (9, 1));
        c.record(ip(0), 80, 1); // forgotten: counted as a new port
        assert_eq!(c.counters().ports, 10);
        c.record(ip(8), 80, 1); // remembered
        assert_eq!(c.counters().ports, 10);
        assert_eq!(c.occasions(), 2);
        assert_eq!(Captures::new(1, CookieKey::from_seed(2), 40).occasions(), 8);
    }
}

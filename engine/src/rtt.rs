//! Reply round-trip times without per-probe state: a SYN that carries a timestamp option with
//! its send time (milliseconds) gets it back in the SYN-ACK's echo, and the receive core
//! records `now - echo` here. One histogram per receive core (an HDR histogram: constant
//! memory, 3 significant digits), locked only by its own core and by a metrics scrape.

use hdrhistogram::Histogram;
use std::sync::Mutex;

/// Longest round trip recorded (a larger one is a stale or forged echo).
pub const MAX_RTT_MS: u64 = 60_000;

/// One receive core's round-trip times, in milliseconds.
#[derive(Debug)]
pub struct RttHistogram(Mutex<Histogram<u64>>);

impl Default for RttHistogram {
    fn default() -> Self {
        Self(Mutex::new(
            Histogram::new_with_bounds(1, MAX_RTT_MS + 1, 3).expect("valid histogram bounds"),
        ))
    }
}

impl RttHistogram {
    /// Records the round trip of a reply that echoes `echo`, received at `now_ms` (the same
    /// clock, truncated to 32 bits as the option carries it). False when it is out of range.
    pub fn record_echo(&self, now_ms: u64, echo: u32) -> bool {
        let rtt = u64::from((now_ms as u32).wrapping_sub(echo));
        if rtt > MAX_RTT_MS {
            return false;
        }
        let mut h = self.0.lock().unwrap_or_else(|e| e.into_inner());
        h.saturating_record(rtt);
        true
    }

    /// How many samples are at or below each bound (ms), then the count and the sum (ms).
    pub fn cumulative(&self, bounds_ms: &[u64]) -> (Vec<u64>, u64, u64) {
        let h = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let below = bounds_ms
            .iter()
            .map(|&b| {
                h.iter_recorded()
                    .filter(|v| v.value_iterated_to() <= b)
                    .map(|v| v.count_at_value())
                    .sum()
            })
            .collect();
        let sum = h
            .iter_recorded()
            .map(|v| v.value_iterated_to() * v.count_at_value())
            .sum();
        (below, h.len(), sum)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoes_become_round_trips_in_cumulative_buckets() {
        let h = RttHistogram::default();
        assert!(h.record_echo(1_000, 1_000)); // 0 ms
        assert!(h.record_echo(1_005, 1_000)); // 5 ms
        assert!(h.record_echo(1_300, 1_000)); // 300 ms
        assert!(h.record_echo(u64::from(u32::MAX) + 11, u32::MAX - 9)); // across the wrap: 20 ms
        assert!(!h.record_echo(1_000, 2_000), "an echo from the future");
        let (below, count, sum) = h.cumulative(&[1, 10, 100, 1000]);
        assert_eq!(below, vec![1, 2, 3, 4]);
        assert_eq!(count, 4);
        assert_eq!(sum, 325);
    }
}

//! The rate limiter of one transmit thread. Packets are scheduled on an absolute timeline
//! (packet `k` is due at `start + k / rate`), so the long-run rate is exact from 0.1 pps to tens
//! of millions, the first batch is a single packet (no start-up burst), and after a stall the
//! thread catches up by at most 10 ms of traffic instead of bursting. Time comes from the
//! [`Clock`] the caller passes; waiting is the clock's `pause`.

use crate::clock::Clock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// At or above this total rate the scan is not throttled at all (no clock reads).
pub const UNTHROTTLED_RATE: f64 = 100_000_000.0;

/// The longest single pause, so that a raised stop flag is seen within it.
const MAX_PAUSE: Duration = Duration::from_millis(100);

#[derive(Debug)]
pub struct Throttle {
    rate: f64,
    /// When packet 0 was due, on the clock's monotonic timeline (set by the first batch).
    start_ns: Option<f64>,
    sent: u64,
    max_batch: u64,
    max_backlog: u64,
    unlimited: bool,
    waits: u64,
}

impl Throttle {
    /// `rate` is this thread's share in packets per second; `max_batch` caps one batch.
    pub fn new(rate: f64, unlimited: bool, max_batch: usize) -> Self {
        Self {
            rate,
            start_ns: None,
            sent: 0,
            max_batch: max_batch.max(1) as u64,
            max_backlog: ((rate * 0.01) as u64).max(1),
            unlimited,
            waits: 0,
        }
    }

    /// Times a batch had to wait for the schedule (once per wait, however long).
    pub fn waits(&self) -> u64 {
        self.waits
    }

    /// Waits (through `clock`) until at least one packet is due and returns how many may go now
    /// (at least 1, at most `max_batch`), or 0 if `stop` was raised while waiting.
    pub fn next_batch(&mut self, clock: &impl Clock, stop: &AtomicBool) -> u64 {
        if self.unlimited {
            return self.max_batch;
        }
        let now = clock.monotonic_ns() as f64;
        let start = *self.start_ns.get_or_insert(now);
        let mut elapsed = (now - start) / 1e9;
        let mut waited = false;
        loop {
            // Packet k (0-based) is due at k / rate: packets due by now = floor(elapsed*rate)+1.
            let due = (elapsed * self.rate) as u64 + 1;
            if due > self.sent {
                let mut n = due - self.sent;
                if n > self.max_backlog {
                    // We fell behind (descheduled, or the driver pushed back): forget the debt
                    // beyond 10 ms of traffic rather than burst it out.
                    let forgive = (n - self.max_backlog) as f64 / self.rate;
                    self.start_ns = Some(start + forgive * 1e9);
                    n = self.max_backlog;
                }
                return n.min(self.max_batch);
            }
            if !waited {
                waited = true;
                self.waits += 1;
            }
            if stop.load(Ordering::Relaxed) {
                return 0;
            }
            let wait = self.sent as f64 / self.rate - elapsed;
            clock.pause(Duration::from_secs_f64(wait.max(0.0)).min(MAX_PAUSE));
            elapsed = (clock.monotonic_ns() as f64 - start) / 1e9;
        }
    }

    /// Records that `n` packets went out.
    #[inline]
    pub fn sent(&mut self, n: u64) {
        self.sent += n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    /// A clock that moves only when paused.
    struct Manual(Cell<u64>);

    impl Clock for Manual {
        fn monotonic_ns(&self) -> u64 {
            self.0.get()
        }
        fn unix_secs(&self) -> u32 {
            0
        }
        fn pause(&self, d: Duration) {
            self.0.set(self.0.get() + d.as_nanos().max(1) as u64);
        }
    }

    #[test]
    fn first_batch_is_one_packet() {
        let stop = AtomicBool::new(false);
        let mut t = Throttle::new(1_000_000.0, false, 64);
        assert_eq!(t.next_batch(&Manual(Cell::new(5)), &stop), 1);
    }

    #[test]
    fn unlimited_gives_full_batches() {
        let stop = AtomicBool::new(false);
        let mut t = Throttle::new(f64::INFINITY, true, 64);
        assert_eq!(t.next_batch(&Manual(Cell::new(0)), &stop), 64);
    }

    #[test]
    fn stop_interrupts_a_wait() {
        let stop = AtomicBool::new(true);
        let clock = Manual(Cell::new(0));
        let mut t = Throttle::new(0.1, false, 64);
        assert_eq!(t.next_batch(&clock, &stop), 1);
        t.sent(1);
        assert_eq!(t.next_batch(&clock, &stop), 0);
        assert!(
            clock.0.get() < 1_000_000_000,
            "gave up without waiting 10 s"
        );
    }

    #[test]
    fn the_schedule_is_exact_on_a_manual_clock() {
        // 1,000 pps for 10 simulated seconds: exactly 10,001 packets due (packet 0 at t=0).
        let stop = AtomicBool::new(false);
        let clock = Manual(Cell::new(1_000));
        let mut t = Throttle::new(1_000.0, false, 64);
        let mut sent = 0;
        while clock.0.get() - 1_000 <= 10_000_000_000 {
            let n = t.next_batch(&clock, &stop);
            assert!((1..=10).contains(&n), "at most 10 ms of backlog: {n}");
            if clock.0.get() - 1_000 > 10_000_000_000 {
                break;
            }
            t.sent(n);
            sent += n;
        }
        assert_eq!(sent, 10_001);
    }

    #[test]
    fn a_stall_is_forgiven_beyond_ten_milliseconds() {
        let stop = AtomicBool::new(false);
        let clock = Manual(Cell::new(0));
        let mut t = Throttle::new(10_000.0, false, 1000);
        assert_eq!(t.next_batch(&clock, &stop), 1);
        t.sent(1);
        clock.0.set(5_000_000_000); // five seconds descheduled
        assert_eq!(
            t.next_batch(&clock, &stop),
            100,
            "10 ms of traffic, not 50,000"
        );
    }

    // Rate accuracy on the real clock is measured by `bench/throttle.sh`, not by a unit test.
}

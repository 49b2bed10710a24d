//! The rate limiter of one transmit thread. Packets are scheduled on an absolute timeline
//! (packet `k` is due at `start + k / rate`), so the long-run rate is exact from 0.1 pps to tens
//! of millions, the first batch is a single packet (no start-up burst), and after a stall the
//! thread catches up by at most 10 ms of traffic instead of bursting.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// At or above this total rate the scan is not throttled at all (no clock reads).
pub const UNTHROTTLED_RATE: f64 = 100_000_000.0;

#[derive(Debug)]
pub struct Throttle {
    rate: f64,
    start: Instant,
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
            start: Instant::now(),
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

    /// Blocks until at least one packet is due and returns how many may go now (at least 1,
    /// at most `max_batch`), or 0 if `stop` was raised while waiting.
    pub fn next_batch(&mut self, stop: &AtomicBool) -> u64 {
        if self.unlimited {
            return self.max_batch;
        }
        let mut waited = false;
        loop {
            let elapsed = self.start.elapsed().as_secs_f64();
            // Packet k (0-based) is due at k / rate: packets due by now = floor(elapsed*rate)+1.
            let due = (elapsed * self.rate) as u64 + 1;
            if due > self.sent {
                let mut n = due - self.sent;
                if n > self.max_backlog {
                    // We fell behind (descheduled, or the driver pushed back): forget the debt
                    // beyond 10 ms of traffic rather than burst it out.
                    let forgive = (n - self.max_backlog) as f64 / self.rate;
                    self.start += Duration::from_secs_f64(forgive);
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
            if wait > 0.002 {
                // Sleep most of the way (at most 100 ms at a time, to notice `stop`).
                std::thread::sleep(Duration::from_secs_f64((wait - 0.001).min(0.1)));
            } else if wait > 0.000_1 {
                std::thread::yield_now();
            } else {
                std::hint::spin_loop();
            }
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

    #[test]
    fn first_batch_is_one_packet() {
        let stop = AtomicBool::new(false);
        let mut t = Throttle::new(1_000_000.0, false, 64);
        assert_eq!(t.next_batch(&stop), 1);
    }

    #[test]
    fn unlimited_gives_full_batches() {
        let stop = AtomicBool::new(false);
        let mut t = Throttle::new(f64::INFINITY, true, 64);
        assert_eq!(t.next_batch(&stop), 64);
    }

    #[test]
    fn stop_interrupts_a_wait() {
        let stop = AtomicBool::new(true);
        let mut t = Throttle::new(0.1, false, 64);
        t.next_batch(&stop);
        t.sent(1);
        let begun = Instant::now();
        assert_eq!(t.next_batch(&stop), 0);
        assert!(begun.elapsed() < Duration::from_secs(1));
    }

    // Rate accuracy over 10 s is measured by `bench/throttle.sh`, not by a timed unit test.
}

//! The rate limiter of one transmit thread. Packets are scheduled on an absolute timeline
//! (packet `k` is due at `start + k / rate`), so the long-run rate is exact from 0.1 pps to tens
//! of millions, the first batch is a single packet (no start-up burst), and after a stall the
//! thread catches up by at most 10 ms of traffic instead of bursting. Time comes from the
//! [`Clock`] the caller passes; waiting is the clock's `pause`.
//!
//! With `--backoff` the throttle also keeps under a shared [`RateCap`] (its share of it), read
//! once per batch: when the cap changes, the timeline starts again from the packets sent so far
//! at the new rate; a cap of zero waits (in pauses short enough to see the stop flag) until it
//! rises. An unthrottled scan reads no clock until a cap is set.

use crate::backoff::RateCap;
use crate::clock::Clock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// At or above this total rate the scan is not throttled at all (no clock reads).
pub const UNTHROTTLED_RATE: f64 = 100_000_000.0;

/// The longest single pause, so that a raised stop flag is seen within it.
const MAX_PAUSE: Duration = Duration::from_millis(100);

#[derive(Debug)]
pub struct Throttle {
    /// This thread's share of `--rate`.
    rate: f64,
    /// The rate the timeline runs at now: `rate`, or less under a cap.
    pace: f64,
    /// When packet `base` was due, on the clock's monotonic timeline (set by the first batch).
    start_ns: Option<f64>,
    /// Packets sent before the timeline's start (it starts again when the cap changes).
    base: u64,
    sent: u64,
    max_batch: u64,
    max_backlog: u64,
    unlimited: bool,
    waits: u64,
    /// `--backoff`: the shared cap, this thread's share of it, the cap's bits last read.
    cap: Option<(Arc<RateCap>, f64, u64)>,
}

impl Throttle {
    /// `rate` is this thread's share in packets per second; `max_batch` caps one batch.
    pub fn new(rate: f64, unlimited: bool, max_batch: usize) -> Self {
        Self {
            rate,
            pace: rate,
            start_ns: None,
            base: 0,
            sent: 0,
            max_batch: max_batch.max(1) as u64,
            max_backlog: backlog(rate),
            unlimited,
            waits: 0,
            cap: None,
        }
    }

    /// Keeps under `share` (this thread's part, 0..=1) of the shared `cap` too.
    pub fn capped(mut self, cap: Arc<RateCap>, share: f64) -> Self {
        let bits = f64::INFINITY.to_bits();
        self.cap = Some((cap, share, bits));
        self
    }

    /// Times a batch had to wait for the schedule (once per wait, however long).
    pub fn waits(&self) -> u64 {
        self.waits
    }

    /// Re-reads the cap; on a change, the timeline starts again at the new pace from what was
    /// sent. Returns whether the thread is paced at all now.
    #[inline]
    fn follow_cap(&mut self, clock: &impl Clock) -> bool {
        let Some((cap, share, seen)) = &mut self.cap else {
            return !self.unlimited;
        };
        let bits = cap.bits();
        if bits != *seen {
            *seen = bits;
            let limit = f64::from_bits(bits) * *share;
            self.pace = if self.unlimited {
                limit
            } else {
                limit.min(self.rate)
            };
            self.max_backlog = backlog(self.pace);
            self.base = self.sent;
            self.start_ns = self.pace.is_finite().then(|| clock.monotonic_ns() as f64);
        }
        self.pace.is_finite()
    }

    /// Waits (through `clock`) until at least one packet is due and returns how many may go now
    /// (at least 1, at most `max_batch`), or 0 if `stop` was raised while waiting.
    pub fn next_batch(&mut self, clock: &impl Clock, stop: &AtomicBool) -> u64 {
        if !self.follow_cap(clock) {
            return self.max_batch;
        }
        let mut now = clock.monotonic_ns() as f64;
        let mut waited = false;
        loop {
            let start = *self.start_ns.get_or_insert(now);
            let elapsed = (now - start) / 1e9;
            if self.pace > 0.0 {
                // Packet k (0-based from `base`) is due at k / pace: due by now =
                // floor(elapsed * pace) + 1.
                let due = self.base + (elapsed * self.pace) as u64 + 1;
                if due > self.sent {
                    let mut n = due - self.sent;
                    if n > self.max_backlog {
                        // We fell behind (descheduled, or the driver pushed back): forget the
                        // debt beyond 10 ms of traffic rather than burst it out.
                        let forgive = (n - self.max_backlog) as f64 / self.pace;
                        self.start_ns = Some(start + forgive * 1e9);
                        n = self.max_backlog;
                    }
                    return n.min(self.max_batch);
                }
            }
            if !waited {
                waited = true;
                self.waits += 1;
            }
            if stop.load(Ordering::Relaxed) {
                return 0;
            }
            let wait = if self.pace > 0.0 {
                (self.sent - self.base) as f64 / self.pace - elapsed
            } else {
                f64::INFINITY // stopped by the cap: look again after the longest pause
            };
            clock.pause(Duration::from_secs_f64(wait.clamp(0.0, 1.0)).min(MAX_PAUSE));
            if !self.follow_cap(clock) {
                return self.max_batch; // the cap was lifted from an unthrottled scan
            }
            now = clock.monotonic_ns() as f64;
        }
    }

    /// Records that `n` packets went out.
    #[inline]
    pub fn sent(&mut self, n: u64) {
        self.sent += n;
    }
}

/// 10 ms of traffic at `pace` (at least one packet).
fn backlog(pace: f64) -> u64 {
    if pace.is_finite() {
        ((pace * 0.01) as u64).max(1)
    } else {
        1
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

    #[test]
    fn a_cap_slows_the_schedule_and_lifting_it_restores_the_rate() {
        let stop = AtomicBool::new(false);
        let clock = Manual(Cell::new(0));
        let cap = Arc::new(RateCap::default());
        // Two threads' worth of cap: this one gets half.
        let mut t = Throttle::new(1_000.0, false, 1000).capped(cap.clone(), 0.5);
        let sent_by = |t: &mut Throttle, until_ns: u64| {
            let mut n = 0;
            while clock.0.get() < until_ns {
                let b = t.next_batch(&clock, &stop);
                t.sent(b);
                n += b;
            }
            n
        };
        let a = sent_by(&mut t, 1_000_000_000);
        assert!((999..=1001).contains(&a), "uncapped: {a}");
        cap.set(400.0); // 200 pps for this thread
        let b = sent_by(&mut t, 2_000_000_000);
        assert!((199..=202).contains(&b), "capped: {b}");
        cap.set(1e9); // above --rate: --rate binds
        let c = sent_by(&mut t, 3_000_000_000);
        assert!((999..=1002).contains(&c), "--rate binds again: {c}");
    }

    #[test]
    fn a_zero_cap_stops_an_unthrottled_thread_until_it_rises() {
        let stop = AtomicBool::new(false);
        let clock = Manual(Cell::new(0));
        let cap = Arc::new(RateCap::default());
        let mut t = Throttle::new(f64::INFINITY, true, 64).capped(cap.clone(), 1.0);
        assert_eq!(
            t.next_batch(&clock, &stop),
            64,
            "no cap: full batches, no clock"
        );
        t.sent(64);
        cap.set(0.0);
        stop.store(true, Ordering::Relaxed);
        assert_eq!(
            t.next_batch(&clock, &stop),
            0,
            "stopped by the cap, then by the flag"
        );
        stop.store(false, Ordering::Relaxed);
        cap.set(f64::INFINITY);
        assert_eq!(t.next_batch(&clock, &stop), 64, "lifted");
    }

    // Rate accuracy on the real clock is measured by `bench/throttle.sh`, not by a unit test.
}

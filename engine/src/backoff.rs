//! `--backoff`: the scan slows down when it is the cause of its own losses. An AIMD loop on
//! counters the scan already keeps: when the receive side drops replies (kernel drops, fill ring
//! empty) or a transmit ring is full, the rate cap is cut by
//! half (multiplicative decrease, down to stopping if the losses go on); while no loss is seen
//! it climbs back (additive increase) until `--rate` binds again. `--rate` stays the upper
//! bound: the cap only ever lowers it.
//!
//! [`Backoff`] is the controller, a pure function of counter totals and time (no clock, no
//! threads): the supervising thread calls [`Backoff::tick`] every few tens of milliseconds and
//! stores the cap it returns in a [`RateCap`], which every transmit thread's throttle reads once
//! per batch. [`BackoffCounters`] says how often it backed off and how far.

use crate::counters::BackoffCounters;
use crate::stats::{RxCounters, TxSnapshot};
use std::sync::atomic::{AtomicU64, Ordering};

/// A cut multiplies the cap by this.
pub const DECREASE: f64 = 0.5;
/// After a cut, losses are not acted on again for this long: the receive side publishes its
/// queue's drop counters every 250 ms, so losses from before the cut show up to then.
pub const HOLD_MS: u64 = 300;
/// Each second without a loss (after [`HOLD_MS`] of quiet), the cap climbs by this share of the
/// rate at the last cut (from half of it back to it in 2 s).
pub const INCREASE_PER_SEC: f64 = 0.25;
/// ... and by at least this share of the rate before the episode's first cut, so a scan that
/// backed off to a stop comes back within 100 s.
const INCREASE_OF_PEAK: f64 = 0.01;
/// ... and by at least this many packets per second, each second.
const MIN_INCREASE: f64 = 100.0;
/// A cap below this share of the rate before the episode's first cut (ten halvings) stops
/// sending until a quiet [`HOLD_MS`] has passed.
const STOP_BELOW: f64 = 1.0 / 1024.0;
/// Unthrottled scans: the cap is lifted once it climbs past this multiple of the rate before
/// the episode's first cut (above what the sender reached, it no longer binds).
const LIFT_ABOVE_PEAK: f64 = 2.0;
/// The send rate is measured over windows of at least this long.
const RATE_WINDOW_MS: u64 = 100;

/// The total send rate every transmit thread keeps under, in packets per second (infinite: no
/// cap), written by the supervising thread and read by each throttle once per batch.
#[derive(Debug)]
pub struct RateCap(AtomicU64);

impl Default for RateCap {
    fn default() -> Self {
        Self(AtomicU64::new(f64::INFINITY.to_bits()))
    }
}

impl RateCap {
    /// The cap's bits, cheap to compare with the last ones seen.
    #[inline]
    pub fn bits(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    pub fn get(&self) -> f64 {
        f64::from_bits(self.bits())
    }

    pub fn set(&self, pps: f64) {
        self.0.store(pps.to_bits(), Ordering::Relaxed);
    }
}

/// A batch cut short by a full transmit ring is a loss only when more than one in this many
/// batches of a tick were: a full ring now and then is the driver's normal push-back (an AF_XDP
/// ring shared with the answers fills at a few thousand packets per second too), and cutting on
/// each one backed a lab scan off from 180 to 3 kpps with no reply lost.
pub const RING_FULL_SHARE: u64 = 8;

/// The counters the controller reads, totals so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Losses {
    /// Replies the receive side lost: every receive core's kernel drops and fill-ring-empty
    /// events.
    pub dropped: u64,
    /// Every transmit core's batches cut short by a full ring, and batches in all.
    pub ring_full: u64,
    pub batches: u64,
}

/// Losses of the scan's own making so far (see [`Losses`]). Answers dropped (RSTs and banner
/// segments the answer ring had no room for) are left out: in a banner scan they come from the
/// banner stack's retransmissions to hosts already found, which go on whatever the send rate
/// (a reflector scan that counted them backed off to a stop for 8 minutes), and TCP's
/// retransmissions cover them.
pub fn own_losses(tx: &[TxSnapshot], rx: &[RxCounters]) -> Losses {
    Losses {
        dropped: (rx.iter().map(|r| &r.receive))
            .map(|r| r.kernel_drops + r.fill_empty)
            .sum(),
        ring_full: tx.iter().map(|c| c.counters.ring_full).sum(),
        batches: tx.iter().map(|c| c.counters.batches).sum(),
    }
}

/// The AIMD controller. Feed it the time and the totals of probes sent and of
/// [`own_losses`]; it returns the cap to publish.
#[derive(Debug)]
pub struct Backoff {
    /// `--rate` (infinite when unthrottled).
    ceiling: f64,
    /// The cap now (infinite: none).
    cap: f64,
    /// The send rate before the episode's first cut.
    peak: f64,
    /// Additive increase, packets per second each second.
    slope: f64,
    /// The previous tick: time, losses.
    last: Option<(u64, Losses)>,
    /// Start of the send-rate window: time, probes sent; and the last window's rate.
    window: Option<(u64, u64)>,
    measured: f64,
    last_cut_ms: Option<u64>,
    last_loss_ms: Option<u64>,
    stats: BackoffCounters,
}

impl Backoff {
    /// A controller under `rate` (the `--rate`; at or above `unthrottled`, none).
    pub fn new(rate: f64, unthrottled: f64) -> Self {
        Self {
            ceiling: if rate >= unthrottled {
                f64::INFINITY
            } else {
                rate
            },
            cap: f64::INFINITY,
            peak: 0.0,
            slope: MIN_INCREASE,
            last: None,
            window: None,
            measured: 0.0,
            last_cut_ms: None,
            last_loss_ms: None,
            stats: BackoffCounters::default(),
        }
    }

    /// What it did so far.
    pub fn counters(&self) -> BackoffCounters {
        self.stats
    }

    /// One step at `now_ms` with the totals so far; returns the cap (packets per second, all
    /// threads together; infinite: no cap).
    pub fn tick(&mut self, now_ms: u64, sent: u64, losses: Losses) -> f64 {
        self.measure(now_ms, sent);
        let Some((then, before)) = self.last.replace((now_ms, losses)) else {
            return self.cap;
        };
        let dt_ms = now_ms.saturating_sub(then);
        if self.cap.is_finite() {
            self.stats.below_ms += dt_ms;
        }
        let full = losses.ring_full.saturating_sub(before.ring_full);
        let batches = losses.batches.saturating_sub(before.batches);
        if losses.dropped > before.dropped || (full > 0 && full * RING_FULL_SHARE > batches) {
            self.last_loss_ms = Some(now_ms);
            let held = self.last_cut_ms.is_some_and(|t| now_ms < t + HOLD_MS);
            if !held {
                self.cut(now_ms);
            }
        } else if self.cap.is_finite() && self.last_loss_ms.is_none_or(|t| now_ms >= t + HOLD_MS) {
            self.cap += self.slope * dt_ms as f64 / 1000.0;
            if self.cap >= self.ceiling || self.cap >= self.peak * LIFT_ABOVE_PEAK {
                self.cap = f64::INFINITY;
            }
        }
        if self.cap.is_finite() {
            self.stats.cap_pps = self.cap as u64;
        } else {
            self.stats.cap_pps = 0;
        }
        self.cap
    }

    /// The send rate over the last window of at least [`RATE_WINDOW_MS`].
    fn measure(&mut self, now_ms: u64, sent: u64) {
        match self.window {
            Some((t, n)) if now_ms >= t + RATE_WINDOW_MS => {
                self.measured = sent.saturating_sub(n) as f64 * 1000.0 / (now_ms - t) as f64;
                self.window = Some((now_ms, sent));
            }
            Some(_) => {}
            None => self.window = Some((now_ms, sent)),
        }
    }

    /// Multiplicative decrease from what is being sent (or the cap, if lower).
    fn cut(&mut self, now_ms: u64) {
        let sending = if self.measured > 0.0 {
            self.measured.min(self.cap).min(self.ceiling)
        } else {
            self.cap.min(self.ceiling)
        };
        if !sending.is_finite() {
            return; // nothing measured yet and no bound to cut from
        }
        if !self.cap.is_finite() {
            self.peak = sending;
        }
        self.last_cut_ms = Some(now_ms);
        self.stats.backoffs += 1;
        self.cap = sending * DECREASE;
        if self.cap < self.peak * STOP_BELOW {
            self.cap = 0.0;
            self.stats.stops += 1;
        }
        let lowest = self.cap as u64;
        if self.stats.backoffs == 1 || lowest < self.stats.lowest_pps {
            self.stats.lowest_pps = lowest;
        }
        self.slope = (sending * INCREASE_PER_SEC)
            .max(self.peak * INCREASE_OF_PEAK)
            .max(MIN_INCREASE);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ticks every 20 ms from `from` to `to` ms, sending at `pps`, losses as `loss(t)` says
    /// (a running total); returns the caps seen.
    fn run(
        b: &mut Backoff,
        (from, to): (u64, u64),
        pps: f64,
        loss: impl Fn(u64) -> u64,
    ) -> Vec<f64> {
        (from..=to)
            .step_by(20)
            .map(|t| b.tick(t, (t as f64 * pps / 1000.0) as u64, dropped(loss(t))))
            .collect()
    }

    fn dropped(n: u64) -> Losses {
        Losses {
            dropped: n,
            ..Losses::default()
        }
    }

    #[test]
    fn no_loss_never_caps() {
        let mut b = Backoff::new(100_000.0, 1e8);
        let caps = run(&mut b, (0, 60_000), 100_000.0, |_| 0);
        assert!(caps.iter().all(|c| c.is_infinite()));
        assert_eq!(b.counters(), BackoffCounters::default());
    }

    #[test]
    fn a_loss_halves_the_sending_rate_once_per_hold() {
        let mut b = Backoff::new(1e9, 1e8); // unthrottled: cut from what is measured
        run(&mut b, (0, 1000), 300_000.0, |_| 0);
        // Losses on every tick for 250 ms: one cut at the first, none within the hold.
        let caps = run(&mut b, (1020, 1260), 300_000.0, |t| t - 1000);
        assert!((caps[0] - 150_000.0).abs() < 1_000.0, "{}", caps[0]);
        assert!(caps.iter().all(|&c| c == caps[0]), "{caps:?}");
        assert_eq!(b.counters().backoffs, 1);
        // More losses after the hold: a second cut, from the cap (lower than what was sent).
        let caps = run(&mut b, (1340, 1340), 300_000.0, |_| 10_000);
        assert!((caps[0] - 75_000.0).abs() < 1_000.0, "{}", caps[0]);
        assert_eq!(b.counters().backoffs, 2);
        assert!((b.counters().lowest_pps as f64 - 75_000.0).abs() < 1_000.0);
    }

    #[test]
    fn it_climbs_back_to_the_rate_and_lets_go() {
        let mut b = Backoff::new(100_000.0, 1e8);
        run(&mut b, (0, 500), 100_000.0, |_| 0);
        let cut = run(&mut b, (520, 520), 100_000.0, |_| 1)[0];
        assert_eq!(cut, 50_000.0);
        // Held for 300 ms, then +25,000 pps each second: back at 100,000 after 2 s more.
        let caps = run(&mut b, (540, 2_840), 50_000.0, |_| 1);
        assert!(
            caps.windows(2).all(|w| w[1] >= w[0]),
            "never down without loss"
        );
        assert!(caps[..10].iter().all(|&c| c == 50_000.0), "held: {caps:?}");
        assert!(caps.last().unwrap().is_infinite(), "--rate binds again");
        // The climb starts at the first tick 300 ms after the loss (820 ms): 720 ms by 1,520.
        let at_1s = caps[(1_520 - 540) / 20];
        assert!((at_1s - 50_000.0 - 25_000.0 * 0.72).abs() < 1.0, "{at_1s}");
        let c = b.counters();
        assert_eq!((c.backoffs, c.lowest_pps, c.stops), (1, 50_000, 0));
        assert!((2_000..=2_400).contains(&c.below_ms), "{}", c.below_ms);
    }

    #[test]
    fn losses_that_go_on_stop_the_scan_and_it_restarts_when_they_end() {
        let mut b = Backoff::new(200_000.0, 1e8);
        run(&mut b, (0, 200), 200_000.0, |_| 0);
        // Losses every tick for 10 s, whatever is sent: eleven cuts reach a stop.
        let caps = run(&mut b, (220, 10_000), 200_000.0, |t| t);
        assert_eq!(*caps.last().unwrap(), 0.0);
        let c = b.counters();
        assert!(
            c.stops >= 1 && c.lowest_pps == 0 && c.backoffs >= 11,
            "{c:?}"
        );
        // Quiet again: after the hold it climbs from zero (at least 1% of the peak a second).
        let caps = run(&mut b, (10_020, 12_000), 0.0, |_| 10_000);
        assert_eq!(caps[0], 0.0);
        assert!(*caps.last().unwrap() >= 0.01 * 200_000.0, "{caps:?}");
    }

    #[test]
    fn the_cap_never_exceeds_the_rate_and_counters_going_back_are_no_loss() {
        let mut b = Backoff::new(50_000.0, 1e8);
        // Sending above --rate (a burst) is cut from --rate, not from what was measured.
        run(&mut b, (0, 200), 80_000.0, |_| 0);
        assert_eq!(run(&mut b, (220, 220), 80_000.0, |_| 5)[0], 25_000.0);
        // A total lower than the last one (a counter read anew) is no loss: no second cut.
        assert!(run(&mut b, (600, 600), 80_000.0, |_| 2)[0] >= 25_000.0);
        assert_eq!(b.counters().backoffs, 1);
    }

    #[test]
    fn a_loss_before_anything_was_measured_on_an_unthrottled_scan_is_no_cut() {
        let mut b = Backoff::new(1e9, 1e8);
        b.tick(0, 0, dropped(0));
        assert!(b.tick(20, 0, dropped(3)).is_infinite());
        assert_eq!(b.counters().backoffs, 0);
    }

    #[test]
    fn a_full_ring_is_a_loss_only_when_many_batches_of_a_tick_were() {
        let mut b = Backoff::new(100_000.0, 1e8);
        let at = |ring_full, batches| Losses {
            dropped: 0,
            ring_full,
            batches,
        };
        b.tick(0, 0, at(0, 0));
        b.tick(100, 10_000, at(0, 160));
        // One batch in 160 of the next tick cut short: the driver's push-back, no cut.
        assert!(b.tick(120, 12_000, at(1, 192)).is_infinite());
        // Ten of 32: a cut.
        assert_eq!(b.tick(140, 14_000, at(11, 224)), 50_000.0);
    }

    #[test]
    fn the_rate_cap_starts_uncapped() {
        let cap = RateCap::default();
        assert!(cap.get().is_infinite());
        cap.set(12.5);
        assert_eq!(cap.get(), 12.5);
    }
}

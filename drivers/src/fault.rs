//! A fault-injecting middleware queue, after smoltcp's FaultInjector: it wraps any backend's
//! receive or transmit queue and, at given rates, drops, duplicates, reorders, truncates and
//! corrupts frames, from a seeded generator so that a failing run replays. For tests of what a
//! hostile or lossy network does to a scan: retries recover drops, duplicates are reported
//! once, damaged frames are counted and never panic, banners survive loss and reordering.
//!
//! Receive side: every fault. Transmit side: drop, truncate and corrupt (a dropped frame's
//! buffer is filled again with the next one, so nothing is sent for it).

use masscan_engine::driver::{DriverError, QueueStats, RxQueue, TxQueue};
use std::time::Duration;

/// Rates of each fault, each from 0 (never) to 1 (every frame).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Faults {
    pub drop: f64,
    pub duplicate: f64,
    /// A frame held back and delivered after the next one (receive side).
    pub reorder: f64,
    /// Cut to a random shorter length.
    pub truncate: f64,
    /// One random bit flipped.
    pub corrupt: f64,
}

/// How many frames each fault touched.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FaultCounts {
    pub frames: u64,
    pub dropped: u64,
    pub duplicated: u64,
    pub reordered: u64,
    pub truncated: u64,
    pub corrupted: u64,
}

/// A queue with faults injected.
pub struct FaultInjector<Q> {
    pub inner: Q,
    faults: Faults,
    rng: fastrand::Rng,
    counts: FaultCounts,
    /// A received frame held back (reordering).
    held: Option<Vec<u8>>,
    scratch: Vec<u8>,
}

impl<Q> FaultInjector<Q> {
    pub fn new(inner: Q, faults: Faults, seed: u64) -> Self {
        Self {
            inner,
            faults,
            rng: fastrand::Rng::with_seed(seed),
            counts: FaultCounts::default(),
            held: None,
            scratch: Vec::new(),
        }
    }

    pub fn counts(&self) -> FaultCounts {
        self.counts
    }
}

/// Whether a fault of rate `p` happens now.
fn roll(rng: &mut fastrand::Rng, p: f64) -> bool {
    p > 0.0 && rng.f64() < p
}

/// Truncates and corrupts `f` in place as the rates say; returns its new length.
fn damage(
    rng: &mut fastrand::Rng,
    faults: &Faults,
    counts: &mut FaultCounts,
    f: &mut [u8],
) -> usize {
    let mut len = f.len();
    if len > 0 && roll(rng, faults.truncate) {
        len = rng.usize(0..len);
        counts.truncated += 1;
    }
    if len > 0 && roll(rng, faults.corrupt) {
        let i = rng.usize(0..len);
        f[i] ^= 1 << rng.u8(0..8);
        counts.corrupted += 1;
    }
    len
}

impl<Q: RxQueue> RxQueue for FaultInjector<Q> {
    fn receive<F: FnMut(&[u8])>(
        &mut self,
        max: usize,
        mut on_frame: F,
    ) -> Result<usize, DriverError> {
        let Self {
            inner,
            faults,
            rng,
            counts,
            held,
            scratch,
        } = self;
        inner.receive(max, |frame| {
            counts.frames += 1;
            if roll(rng, faults.drop) {
                counts.dropped += 1;
                return;
            }
            scratch.clear();
            scratch.extend_from_slice(frame);
            let len = damage(rng, faults, counts, scratch);
            let f = &scratch[..len];
            if held.is_none() && roll(rng, faults.reorder) {
                counts.reordered += 1;
                *held = Some(f.to_vec());
                return;
            }
            on_frame(f);
            if roll(rng, faults.duplicate) {
                counts.duplicated += 1;
                on_frame(f);
            }
            if let Some(h) = held.take() {
                on_frame(&h);
            }
        })
    }

    fn wait(&mut self, timeout: Duration) {
        self.inner.wait(timeout)
    }

    fn stats(&self) -> QueueStats {
        self.inner.stats()
    }
}

impl<Q: TxQueue> TxQueue for FaultInjector<Q> {
    fn transmit<F: FnMut(&mut [u8]) -> usize>(
        &mut self,
        max: usize,
        mut fill: F,
    ) -> Result<usize, DriverError> {
        let Self {
            inner,
            faults,
            rng,
            counts,
            ..
        } = self;
        inner.transmit(max, |buf| loop {
            let n = fill(buf);
            if n == 0 {
                return 0;
            }
            counts.frames += 1;
            if roll(rng, faults.drop) {
                counts.dropped += 1;
                continue; // the next frame takes this buffer
            }
            let len = damage(rng, faults, counts, &mut buf[..n]);
            if len > 0 {
                return len;
            }
        })
    }

    fn flush(&mut self) -> Result<(), DriverError> {
        self.inner.flush()
    }

    fn poll_replies(&mut self) -> Result<(), DriverError> {
        self.inner.poll_replies()
    }

    fn stats(&self) -> QueueStats {
        self.inner.stats()
    }
}

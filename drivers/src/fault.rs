//! A fault-injecting middleware queue, after smoltcp's FaultInjector: it wraps any backend's
//! receive or transmit queue and, at given rates, drops, duplicates, reorders, truncates and
//! corrupts frames, from a seeded generator so that a failing run replays. For tests of what a
//! hostile or lossy network does to a scan (`--inject-faults`): retries recover drops,
//! duplicates are reported once, damaged frames never panic, banners survive loss and
//! reordering. Switched off, it passes each batch straight through.
//!
//! Receive side: every fault. Transmit side: drop, truncate and corrupt (a dropped frame's
//! buffer is filled again with the next one, so nothing is sent for it).

use masscan_engine::driver::{DriverError, QueueStats, RxQueue, TxQueue};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
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
    /// Seed of the generators (each queue adds its own number), so a run replays.
    pub seed: u64,
}

impl FromStr for Faults {
    type Err = String;

    /// `drop=0.05,duplicate=0.01,reorder=0.1,truncate=0,corrupt=0.01,seed=7`: any of the
    /// names, each once at most; a rate is a fraction from 0 to 1 or a percentage (`5%`).
    fn from_str(spec: &str) -> Result<Self, String> {
        let mut f = Faults::default();
        let mut seen = Vec::new();
        for item in spec.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let (name, value) = item
                .split_once('=')
                .ok_or_else(|| format!("'{item}' is not NAME=RATE"))?;
            let name = name.trim().to_ascii_lowercase();
            if seen.contains(&name) {
                return Err(format!("'{name}' is given twice"));
            }
            let value = value.trim();
            if name == "seed" {
                f.seed = value
                    .parse()
                    .map_err(|_| format!("seed '{value}' is not a number"))?;
                seen.push(name);
                continue;
            }
            let rate = parse_rate(value).ok_or_else(|| {
                format!("{name} rate '{value}' is not a fraction from 0 to 1 or a percentage")
            })?;
            *match name.as_str() {
                "drop" => &mut f.drop,
                "duplicate" | "dup" => &mut f.duplicate,
                "reorder" => &mut f.reorder,
                "truncate" => &mut f.truncate,
                "corrupt" => &mut f.corrupt,
                _ => {
                    return Err(format!(
                        "unknown fault '{name}' (drop, duplicate, reorder, truncate, corrupt, seed)"
                    ))
                }
            } = rate;
            seen.push(name);
        }
        if seen.is_empty() {
            return Err("no fault given (e.g. drop=0.05,reorder=0.1)".into());
        }
        Ok(f)
    }
}

fn parse_rate(v: &str) -> Option<f64> {
    let r = match v.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().ok()? / 100.0,
        None => v.parse::<f64>().ok()?,
    };
    (0.0..=1.0).contains(&r).then_some(r)
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

impl FaultCounts {
    fn add(&mut self, o: &FaultCounts) {
        self.frames += o.frames;
        self.dropped += o.dropped;
        self.duplicated += o.duplicated;
        self.reordered += o.reordered;
        self.truncated += o.truncated;
        self.corrupted += o.corrupted;
    }
}

impl std::fmt::Display for FaultCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} frames, {} dropped, {} duplicated, {} reordered, {} truncated, {} corrupted",
            self.frames,
            self.dropped,
            self.duplicated,
            self.reordered,
            self.truncated,
            self.corrupted
        )
    }
}

/// The counts of every queue of one direction, added up as each queue is dropped.
#[derive(Debug, Default)]
pub struct FaultTally(Mutex<FaultCounts>);

impl FaultTally {
    pub fn total(&self) -> FaultCounts {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A queue with faults injected (or, with no faults, the queue itself).
pub struct FaultInjector<Q> {
    pub inner: Q,
    faults: Option<Faults>,
    rng: fastrand::Rng,
    counts: FaultCounts,
    tally: Option<Arc<FaultTally>>,
    /// A received frame held back (reordering).
    held: Option<Vec<u8>>,
    scratch: Vec<u8>,
}

impl<Q> FaultInjector<Q> {
    /// Faults at these rates; the generator starts from `faults.seed + stream`.
    pub fn new(inner: Q, faults: Faults, stream: u64) -> Self {
        Self::maybe(inner, Some(faults), stream, None)
    }

    /// Faults when `faults` is given, else a pass-through; counts go to `tally` when dropped.
    pub fn maybe(
        inner: Q,
        faults: Option<Faults>,
        stream: u64,
        tally: Option<Arc<FaultTally>>,
    ) -> Self {
        let seed = faults.map_or(0, |f| f.seed).wrapping_add(stream);
        Self {
            inner,
            faults,
            rng: fastrand::Rng::with_seed(seed),
            counts: FaultCounts::default(),
            tally,
            held: None,
            scratch: Vec::new(),
        }
    }

    pub fn counts(&self) -> FaultCounts {
        self.counts
    }
}

impl<Q> Drop for FaultInjector<Q> {
    fn drop(&mut self) {
        if let Some(t) = &self.tally {
            t.0.lock()
                .unwrap_or_else(|e| e.into_inner())
                .add(&self.counts);
        }
    }
}

/// Bytes of an Ethernet header: a sent frame is never cut shorter.
const ETHERNET_HEADER: usize = 14;

/// Whether a fault of rate `p` happens now.
fn roll(rng: &mut fastrand::Rng, p: f64) -> bool {
    p > 0.0 && rng.f64() < p
}

/// Truncates and corrupts `f` in place as the rates say, never shorter than `min_len`; returns
/// its new length.
fn damage(
    rng: &mut fastrand::Rng,
    faults: &Faults,
    counts: &mut FaultCounts,
    (f, min_len): (&mut [u8], usize),
) -> usize {
    let mut len = f.len();
    if len > min_len && roll(rng, faults.truncate) {
        len = rng.usize(min_len..len);
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
            ..
        } = self;
        let Some(faults) = faults.as_ref() else {
            return inner.receive(max, on_frame);
        };
        inner.receive(max, |frame| {
            counts.frames += 1;
            if roll(rng, faults.drop) {
                counts.dropped += 1;
                return;
            }
            scratch.clear();
            scratch.extend_from_slice(frame);
            let len = damage(rng, faults, counts, (scratch, 0));
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
        let Some(faults) = faults.as_ref() else {
            return inner.transmit(max, fill);
        };
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
            // A frame on a wire has its link header at least (a backend refuses shorter ones).
            let len = damage(rng, faults, counts, (&mut buf[..n], ETHERNET_HEADER));
            if len > 0 {
                return len;
            }
        })
    }

    fn queue_one<F: FnOnce(&mut [u8]) -> usize>(&mut self, fill: F) -> Result<bool, DriverError> {
        match self.faults {
            None => self.inner.queue_one(fill),
            Some(_) => masscan_engine::driver::queue_one_by_transmit(self, fill),
        }
    }

    fn kick(&mut self) -> Result<(), DriverError> {
        self.inner.kick()
    }

    fn flush(&mut self) -> Result<(), DriverError> {
        self.inner.flush()
    }

    fn poll_answers(&mut self) -> Result<(), DriverError> {
        self.inner.poll_answers()
    }

    fn stats(&self) -> QueueStats {
        self.inner.stats()
    }
}

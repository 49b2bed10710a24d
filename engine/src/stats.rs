//! Per-core counters. Each transmit thread owns one cache-padded block and is its only writer
//! (plain relaxed stores once per batch); the status line, `--stats-json`, pause and the final
//! summary read them from other threads.

use crossbeam_utils::CachePadded;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct TxCounters {
    /// Probes handed to the driver.
    pub sent: AtomicU64,
    /// Batches asked of the driver.
    pub batches: AtomicU64,
    /// Times the throttle made the thread wait.
    pub throttle_waits: AtomicU64,
    /// Times the driver's ring took fewer frames than offered.
    pub ring_full: AtomicU64,
    /// The thread's next scan index: every index of its slice below this one has been sent.
    pub next_index: AtomicU64,
    /// Set when the thread has sent its whole slice (or stopped).
    pub done: AtomicBool,
}

/// One transmit core's counters, on a cache line of their own.
pub type CoreCounters = CachePadded<TxCounters>;

/// A plain copy of a core's counters at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TxSnapshot {
    pub sent: u64,
    pub batches: u64,
    pub throttle_waits: u64,
    pub ring_full: u64,
    pub next_index: u64,
    pub done: bool,
}

impl TxCounters {
    pub fn snapshot(&self) -> TxSnapshot {
        TxSnapshot {
            sent: self.sent.load(Ordering::Relaxed),
            batches: self.batches.load(Ordering::Relaxed),
            throttle_waits: self.throttle_waits.load(Ordering::Relaxed),
            ring_full: self.ring_full.load(Ordering::Relaxed),
            next_index: self.next_index.load(Ordering::Acquire),
            done: self.done.load(Ordering::Acquire),
        }
    }
}

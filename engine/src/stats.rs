//! Per-core counters. Each transmit thread owns one cache-padded block and is its only writer
//! (plain relaxed stores once per batch); the status line, `--stats-json`, pause and the final
//! summary read them from other threads. Receive cores publish theirs the same way.

use crate::classify::RxCounters;
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
    /// System calls (or doorbells) made to push frames out, as the driver counts them.
    pub kicks: AtomicU64,
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
    pub kicks: u64,
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
            kicks: self.kicks.load(Ordering::Relaxed),
            next_index: self.next_index.load(Ordering::Acquire),
            done: self.done.load(Ordering::Acquire),
        }
    }
}

/// One receive core's counters, published by its thread after every batch.
#[derive(Debug, Default)]
pub struct RxCells {
    frames: AtomicU64,
    open: AtomicU64,
    closed: AtomicU64,
    not_ours: AtomicU64,
    malformed: AtomicU64,
    bad_cookie: AtomicU64,
    duplicates: AtomicU64,
    rst_sent: AtomicU64,
    arp_answered: AtomicU64,
    icmp_errors: AtomicU64,
    ip_mismatch: AtomicU64,
    kernel_drops: AtomicU64,
    fill_empty: AtomicU64,
    replies_dropped: AtomicU64,
    tcp_opened: AtomicU64,
    tcp_active: AtomicU64,
    tcp_peak: AtomicU64,
    tcp_refused: AtomicU64,
    tcp_timeouts: AtomicU64,
    tcp_retransmits: AtomicU64,
    banners: AtomicU64,
}

/// One receive core's counters, on a cache line of their own.
pub type RxCoreCounters = CachePadded<RxCells>;

impl RxCells {
    pub fn publish(&self, c: &RxCounters) {
        let r = Ordering::Relaxed;
        self.frames.store(c.frames, r);
        self.open.store(c.open, r);
        self.closed.store(c.closed, r);
        self.not_ours.store(c.not_ours, r);
        self.malformed.store(c.malformed, r);
        self.bad_cookie.store(c.bad_cookie, r);
        self.duplicates.store(c.duplicates, r);
        self.rst_sent.store(c.rst_sent, r);
        self.arp_answered.store(c.arp_answered, r);
        self.icmp_errors.store(c.icmp_errors, r);
        self.ip_mismatch.store(c.ip_mismatch, r);
        self.kernel_drops.store(c.kernel_drops, r);
        self.fill_empty.store(c.fill_empty, r);
        self.replies_dropped.store(c.replies_dropped, r);
        self.tcp_opened.store(c.tcp_opened, r);
        self.tcp_active.store(c.tcp_active, r);
        self.tcp_peak.store(c.tcp_peak, r);
        self.tcp_refused.store(c.tcp_refused, r);
        self.tcp_timeouts.store(c.tcp_timeouts, r);
        self.tcp_retransmits.store(c.tcp_retransmits, r);
        self.banners.store(c.banners, r);
    }

    pub fn load(&self) -> RxCounters {
        let r = Ordering::Relaxed;
        RxCounters {
            frames: self.frames.load(r),
            open: self.open.load(r),
            closed: self.closed.load(r),
            not_ours: self.not_ours.load(r),
            malformed: self.malformed.load(r),
            bad_cookie: self.bad_cookie.load(r),
            duplicates: self.duplicates.load(r),
            rst_sent: self.rst_sent.load(r),
            arp_answered: self.arp_answered.load(r),
            icmp_errors: self.icmp_errors.load(r),
            ip_mismatch: self.ip_mismatch.load(r),
            kernel_drops: self.kernel_drops.load(r),
            fill_empty: self.fill_empty.load(r),
            replies_dropped: self.replies_dropped.load(r),
            tcp_opened: self.tcp_opened.load(r),
            tcp_active: self.tcp_active.load(r),
            tcp_peak: self.tcp_peak.load(r),
            tcp_refused: self.tcp_refused.load(r),
            tcp_timeouts: self.tcp_timeouts.load(r),
            tcp_retransmits: self.tcp_retransmits.load(r),
            banners: self.banners.load(r),
        }
    }
}

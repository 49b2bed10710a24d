//! Per-core counters as other threads read them. Each transmit thread owns one cache-padded
//! block and is its only writer (plain relaxed stores once per batch); the status line,
//! `--stats-json`, pause and the final summary read them from other threads. Receive cores
//! publish theirs the same way. What each counter is lives in [`crate::counters`].

use crate::counters::{
    CaptureCells, CaptureCounters, ClassifierCells, ClassifierCounters, Counter, ReceiveLoopCells,
    ReceiveLoopCounters, TcpCells, TcpCounters, TransmitCells, TransmitCounters,
};
use crossbeam_utils::CachePadded;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// One transmit core's shared block: its counters and its progress.
#[derive(Debug, Default)]
pub struct TxCounters {
    cells: TransmitCells,
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
    pub counters: TransmitCounters,
    pub next_index: u64,
    pub done: bool,
}

impl TxCounters {
    /// Stores the thread's counters (relaxed, once per batch).
    #[inline]
    pub fn publish(&self, c: &TransmitCounters) {
        self.cells.publish(c);
    }

    pub fn snapshot(&self) -> TxSnapshot {
        TxSnapshot {
            counters: self.cells.load(),
            next_index: self.next_index.load(Ordering::Acquire),
            done: self.done.load(Ordering::Acquire),
        }
    }
}

/// One receive core's counters, published by its thread after every batch.
#[derive(Debug, Default)]
pub struct RxCells {
    classifier: ClassifierCells,
    receive: ReceiveLoopCells,
    tcp: TcpCells,
    capture: CaptureCells,
}

/// One receive core's counters, on a cache line of their own.
pub type RxCoreCounters = CachePadded<RxCells>;

/// A plain copy of a receive core's counters: its classifier's, its loop's, its banner stack's,
/// its capture histories'.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RxCounters {
    pub classifier: ClassifierCounters,
    pub receive: ReceiveLoopCounters,
    pub tcp: TcpCounters,
    pub capture: CaptureCounters,
}

impl RxCounters {
    /// Every counter of the core with its value: the classifier's, the loop's, the banner
    /// stack's, the capture histories', each with the `--stats-json` object it goes in
    /// (`None`: the core's own).
    pub fn iter(&self) -> impl Iterator<Item = (Option<&'static str>, &'static Counter, u64)> {
        let own = self.classifier.iter().chain(self.receive.iter());
        own.map(|(c, v)| (None, c, v))
            .chain(self.tcp.iter().map(|(c, v)| (Some("tcp"), c, v)))
            .chain(self.capture.iter().map(|(c, v)| (Some("capture"), c, v)))
    }

    /// Every counter of a receive core, in [`Self::iter`]'s order.
    pub fn declared() -> impl Iterator<Item = &'static Counter> {
        Self::default().iter().map(|(_, c, _)| c)
    }
}

impl RxCells {
    /// Stores the core's counters (relaxed, once per batch).
    #[inline]
    pub fn publish(&self, c: &ClassifierCounters, r: &ReceiveLoopCounters, t: &TcpCounters) {
        self.classifier.publish(c);
        self.receive.publish(r);
        self.tcp.publish(t);
    }

    /// Stores the core's capture tallies (relaxed, once per batch, when the scan keeps them).
    #[inline]
    pub fn publish_capture(&self, c: &CaptureCounters) {
        self.capture.publish(c);
    }

    pub fn load(&self) -> RxCounters {
        RxCounters {
            classifier: self.classifier.load(),
            receive: self.receive.load(),
            tcp: self.tcp.load(),
            capture: self.capture.load(),
        }
    }
}

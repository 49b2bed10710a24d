//! The per-core receive loop, beside [`crate::transmit`]: frames in from one driver queue, each
//! handed to this core's [`Classifier`] (cookie check, de-duplication, banner stack), results out
//! to a sink, and every frame sent back (RSTs, ARP answers, banner segments) written in place
//! into a transmit frame of this core's answer queue, pushed once per batch. Time comes in
//! through a [`Clock`]; the loop reads no clock of its own, so tests drive it frame by frame.

use crate::classify::{Classifier, MAX_ANSWER};
use crate::clock::Clock;
use crate::counters::ReceiveLoopCounters;
use crate::driver::{DriverError, RxQueue, TxQueue};
use crate::output::Record;
use crate::stats::RxCoreCounters;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Frames taken from the receive queue per batch.
pub const RX_BATCH: usize = 256;
/// How long an idle core blocks in [`RxQueue::wait`] before looking at its timers again.
pub const IDLE_WAIT: Duration = Duration::from_millis(10);
/// The queue's own statistics cost a system call: read them this often.
const QUEUE_STATS_EVERY_MS: u64 = 250;

/// One receive core's loop; owns nothing but its own counters.
pub struct ReceiveLoop<'a, C: Clock> {
    clock: &'a C,
    cells: &'a RxCoreCounters,
    /// Raised when the scan stops receiving: the loop drains what is waiting and returns.
    stop: &'a AtomicBool,
    counters: ReceiveLoopCounters,
}

impl<'a, C: Clock> ReceiveLoop<'a, C> {
    /// A loop reading time from `clock`, publishing its core's counters to `cells`, until
    /// `stop` is raised.
    pub fn new(clock: &'a C, cells: &'a RxCoreCounters, stop: &'a AtomicBool) -> Self {
        Self {
            clock,
            cells,
            stop,
            counters: ReceiveLoopCounters::default(),
        }
    }

    /// The loop's own counters (the classifier's are [`Classifier::counters`]).
    pub fn counters(&self) -> &ReceiveLoopCounters {
        &self.counters
    }

    /// Runs until `stop` is raised and the queue is empty, then ends every banner connection.
    /// Every result goes to `sink` as it is found.
    pub fn run<R: RxQueue, T: TxQueue>(
        &mut self,
        rx: &mut R,
        answers: &mut T,
        classifier: &mut Classifier,
        sink: &mut impl FnMut(Record),
    ) -> Result<(), DriverError> {
        let mut last_stats = self.clock.monotonic_ms();
        loop {
            let stopping = self.stop.load(Ordering::Relaxed);
            let n = self.step(rx, answers, classifier, sink)?;
            let now = self.clock.monotonic_ms();
            if now.saturating_sub(last_stats) >= QUEUE_STATS_EVERY_MS {
                self.queue_stats(rx);
                last_stats = now;
            }
            self.publish(classifier);
            if n == 0 {
                if stopping {
                    break;
                }
                rx.wait(IDLE_WAIT);
            }
        }
        // The scan is over: every banner connection reports what it has and is reset.
        classifier.close_connections();
        send_stack_output(answers, classifier, sink, &mut self.counters)?;
        answers.flush()?;
        self.queue_stats(rx);
        self.publish(classifier);
        Ok(())
    }

    /// The core's counters, for other threads to read.
    #[inline]
    fn publish(&self, classifier: &Classifier) {
        let (c, t) = (classifier.counters(), classifier.tcp_counters());
        self.cells.publish(c, &self.counters, t);
        if let Some(k) = classifier.capture_counters() {
            self.cells.publish_capture(k);
        }
    }

    fn queue_stats<R: RxQueue>(&mut self, rx: &R) {
        let q = rx.stats();
        self.counters.kernel_drops = q.rx_dropped;
        self.counters.fill_empty = q.rx_fill_empty;
    }

    /// One turn: the banner stack's timers, then one batch of frames, then the batch's answers
    /// pushed out. Returns the number of frames received.
    pub fn step<R: RxQueue, T: TxQueue>(
        &mut self,
        rx: &mut R,
        answers: &mut T,
        classifier: &mut Classifier,
        sink: &mut impl FnMut(Record),
    ) -> Result<usize, DriverError> {
        let now = self.clock.unix_secs();
        // The banner stack's timers run from the clock, whether or not frames arrive; round
        // trips are measured against it.
        classifier.tick(self.clock.monotonic_ms(), now);
        let counters = &mut self.counters;
        if classifier.grabs_banners() {
            send_stack_output(answers, classifier, sink, counters)?;
        }
        let mut failed = None;
        let n = rx.receive(RX_BATCH, |frame| {
            if let Err(e) = handle_frame(frame, now, answers, classifier, sink, counters) {
                failed.get_or_insert(e);
            }
        })?;
        if let Some(e) = failed {
            return Err(e);
        }
        send_stack_output(answers, classifier, sink, counters)?;
        answers.kick()?;
        Ok(n)
    }
}

/// One received frame: its answer, if any, written straight into a transmit frame of the answer
/// queue. When the answer ring has no free frame the frame is still handled (its result counts)
/// and the answer dropped: the target sends its SYN-ACK again, and that one is answered.
#[inline]
fn handle_frame<T: TxQueue>(
    frame: &[u8],
    now: u32,
    answers: &mut T,
    classifier: &mut Classifier,
    sink: &mut impl FnMut(Record),
    counters: &mut ReceiveLoopCounters,
) -> Result<(), DriverError> {
    let (mut record, mut banner, mut raw) = (None, None, None);
    let lent = answers.queue_one(|buf| {
        let o = classifier.handle(frame, now, buf);
        (record, banner, raw) = (o.record, o.banner, o.raw_banner);
        o.answer_len
    })?;
    if !lent {
        let mut scratch = [0u8; MAX_ANSWER];
        let o = classifier.handle(frame, now, &mut scratch);
        (record, banner, raw) = (o.record, o.banner, o.raw_banner);
        if o.answer_len > 0 {
            counters.answers_dropped += 1;
        }
    }
    for r in [record, banner, raw].into_iter().flatten() {
        sink(r);
    }
    Ok(())
}

/// Writes the banner stack's segments into the answer queue's frames and hands its banners to
/// the sink. Segments the ring has no room for are dropped (and counted): TCP's retransmission,
/// ours or the server's, covers them.
fn send_stack_output<T: TxQueue>(
    answers: &mut T,
    classifier: &mut Classifier,
    sink: &mut impl FnMut(Record),
    counters: &mut ReceiveLoopCounters,
) -> Result<(), DriverError> {
    loop {
        let mut wrote = false;
        let lent = answers.queue_one(|buf| {
            let n = classifier.poll_transmit(buf).unwrap_or(0);
            wrote = n > 0;
            n
        })?;
        if !lent {
            counters.answers_dropped += classifier.discard_transmit() as u64;
            break;
        }
        if !wrote {
            break;
        }
    }
    while let Some(r) = classifier.poll_record() {
        sink(r);
    }
    Ok(())
}

#[cfg(test)]
mod tests;

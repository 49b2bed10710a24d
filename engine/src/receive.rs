//! The per-core receive loop, beside [`crate::transmit`]: frames in from one driver queue, each
//! handed to this core's [`Receiver`] (cookie check, de-duplication, banner stack), results out
//! to a sink, and every frame sent back (RSTs, ARP answers, banner segments) written in place
//! into a transmit frame of this core's reply queue, pushed once per batch. Time comes in
//! through a [`Clock`]; the loop reads no clock of its own, so tests drive it frame by frame.

use crate::clock::Clock;
use crate::counters::ReceiveLoopCounters;
use crate::driver::{DriverError, RxQueue, TxQueue};
use crate::output::Record;
use crate::reply::{Receiver, MAX_REPLY};
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

    /// The loop's own counters (the classifier's are [`Receiver::counters`]).
    pub fn counters(&self) -> &ReceiveLoopCounters {
        &self.counters
    }

    /// Runs until `stop` is raised and the queue is empty, then ends every banner connection.
    /// Every result goes to `sink` as it is found.
    pub fn run<R: RxQueue, T: TxQueue>(
        &mut self,
        rx: &mut R,
        reply: &mut T,
        receiver: &mut Receiver,
        sink: &mut impl FnMut(Record),
    ) -> Result<(), DriverError> {
        let mut last_stats = self.clock.monotonic_ms();
        loop {
            let stopping = self.stop.load(Ordering::Relaxed);
            let n = self.step(rx, reply, receiver, sink)?;
            let now = self.clock.monotonic_ms();
            if now.saturating_sub(last_stats) >= QUEUE_STATS_EVERY_MS {
                self.queue_stats(rx);
                last_stats = now;
            }
            self.publish(receiver);
            if n == 0 {
                if stopping {
                    break;
                }
                rx.wait(IDLE_WAIT);
            }
        }
        // The scan is over: every banner connection reports what it has and is reset.
        receiver.close_connections();
        send_stack_output(reply, receiver, sink, &mut self.counters)?;
        reply.flush()?;
        self.queue_stats(rx);
        self.publish(receiver);
        Ok(())
    }

    /// The core's counters, for other threads to read.
    #[inline]
    fn publish(&self, receiver: &Receiver) {
        let (c, t) = (receiver.counters(), receiver.tcp_counters());
        self.cells.publish(c, &self.counters, t);
    }

    fn queue_stats<R: RxQueue>(&mut self, rx: &R) {
        let q = rx.stats();
        self.counters.kernel_drops = q.rx_dropped;
        self.counters.fill_empty = q.rx_fill_empty;
    }

    /// One turn: the banner stack's timers, then one batch of frames, then the batch's replies
    /// pushed out. Returns the number of frames received.
    pub fn step<R: RxQueue, T: TxQueue>(
        &mut self,
        rx: &mut R,
        reply: &mut T,
        receiver: &mut Receiver,
        sink: &mut impl FnMut(Record),
    ) -> Result<usize, DriverError> {
        let now = self.clock.unix_secs();
        // The banner stack's timers run from the clock, whether or not frames arrive; round
        // trips are measured against it.
        receiver.tick(self.clock.monotonic_ms(), now);
        let counters = &mut self.counters;
        if receiver.grabs_banners() {
            send_stack_output(reply, receiver, sink, counters)?;
        }
        let mut failed = None;
        let n = rx.receive(RX_BATCH, |frame| {
            if let Err(e) = handle_frame(frame, now, reply, receiver, sink, counters) {
                failed.get_or_insert(e);
            }
        })?;
        if let Some(e) = failed {
            return Err(e);
        }
        send_stack_output(reply, receiver, sink, counters)?;
        reply.kick()?;
        Ok(n)
    }
}

/// One received frame: its reply, if any, written straight into a transmit frame of the reply
/// queue. When the reply ring has no free frame the frame is still handled (its result counts)
/// and the reply dropped: the target sends its SYN-ACK again, and that one is answered.
#[inline]
fn handle_frame<T: TxQueue>(
    frame: &[u8],
    now: u32,
    reply: &mut T,
    receiver: &mut Receiver,
    sink: &mut impl FnMut(Record),
    counters: &mut ReceiveLoopCounters,
) -> Result<(), DriverError> {
    let (mut record, mut banner) = (None, None);
    let lent = reply.queue_one(|buf| {
        let o = receiver.handle(frame, now, buf);
        (record, banner) = (o.record, o.banner);
        o.reply_len
    })?;
    if !lent {
        let mut scratch = [0u8; MAX_REPLY];
        let o = receiver.handle(frame, now, &mut scratch);
        (record, banner) = (o.record, o.banner);
        if o.reply_len > 0 {
            counters.replies_dropped += 1;
        }
    }
    for r in [record, banner].into_iter().flatten() {
        sink(r);
    }
    Ok(())
}

/// Writes the banner stack's segments into the reply queue's frames and hands its banners to
/// the sink. Segments the ring has no room for are dropped (and counted): TCP's retransmission,
/// ours or the server's, covers them.
fn send_stack_output<T: TxQueue>(
    reply: &mut T,
    receiver: &mut Receiver,
    sink: &mut impl FnMut(Record),
    counters: &mut ReceiveLoopCounters,
) -> Result<(), DriverError> {
    loop {
        let mut wrote = false;
        let lent = reply.queue_one(|buf| {
            let n = receiver.poll_transmit(buf).unwrap_or(0);
            wrote = n > 0;
            n
        })?;
        if !lent {
            counters.replies_dropped += receiver.discard_transmit() as u64;
            break;
        }
        if !wrote {
            break;
        }
    }
    while let Some(r) = receiver.poll_record() {
        sink(r);
    }
    Ok(())
}

#[cfg(test)]
mod tests;

//! The per-core transmit loop: walk this core's slice of the scan, pick each target, fill a SYN
//! template in place in a driver frame, hand batches to the driver at the throttle's pace, and
//! publish counters once per batch.

use crate::arp::Neighbours;
use crate::clock::Clock;
use crate::cookie::CookieKey;
use crate::driver::{DriverError, TxQueue};
use crate::plan::{Plan, Slice, TargetIp};
use crate::ports::Proto;
use crate::source::Source;
use crate::stats::TxCounters;
use crate::template::SynTemplate;
use crate::throttle::Throttle;
use std::sync::atomic::{AtomicBool, Ordering};

/// Everything a transmit loop reads, shared by all cores.
pub struct ProbeBuilder<'a> {
    pub plan: &'a Plan,
    pub source: Source,
    pub key: CookieKey,
    pub syn_v4: &'a SynTemplate,
    pub syn_v6: &'a SynTemplate,
    /// Targets on the local subnet that answered ARP: their probes go to their own MAC.
    pub neighbours: Option<&'a Neighbours>,
}

impl ProbeBuilder<'_> {
    /// Writes the probe for scan index `j` into `frame`. Returns the frame length, or `None`
    /// for an empty slot of the retry schedule.
    #[inline(always)]
    pub fn build(&self, j: u64, frame: &mut [u8]) -> Option<usize> {
        let t = self.plan.probe(j)?;
        let (proto, port) = Proto::split(t.port);
        debug_assert_eq!(proto, Proto::Tcp, "the CLI refuses non-TCP probes for now");
        let src = self.source.choose(t.number);
        let pm = src.port();
        Some(match t.ip {
            TargetIp::V4(ip) => {
                let me = src.v4();
                let c = self.key.v4(ip, me, port, pm);
                let len = self.syn_v4.fill_v4(frame, me, ip, pm, port, c);
                if let Some(mac) = self.neighbours.and_then(|n| n.lookup(ip)) {
                    frame[..6].copy_from_slice(mac);
                }
                len
            }
            TargetIp::V6(ip) => {
                let me = src.v6();
                let c = self.key.v6(ip, me, port, pm);
                self.syn_v6.fill_v6(frame, me, ip, pm, port, c)
            }
        })
    }
}

/// Runs one core's transmit loop to the end of its slice or until `stop` is raised; the
/// throttle waits on `clock`.
pub fn run<Q: TxQueue>(
    queue: &mut Q,
    probes: &ProbeBuilder<'_>,
    mut slice: Slice,
    (throttle, clock): (&mut Throttle, &impl Clock),
    counters: &TxCounters,
    stop: &AtomicBool,
) -> Result<(), DriverError> {
    let (mut sent, mut batches, mut ring_full) = (0u64, 0u64, 0u64);
    counters.next_index.store(slice.next, Ordering::Release);
    while slice.next < slice.end && !stop.load(Ordering::Relaxed) {
        let want = throttle.next_batch(clock, stop);
        if want == 0 {
            break;
        }
        let n = queue.transmit(want as usize, |frame| loop {
            let Some(j) = slice.next() else { return 0 };
            if let Some(len) = probes.build(j, frame) {
                return len;
            }
        })? as u64;
        if n < want && slice.next < slice.end {
            ring_full += 1;
        }
        throttle.sent(n);
        sent += n;
        batches += 1;
        counters.sent.store(sent, Ordering::Relaxed);
        counters.batches.store(batches, Ordering::Relaxed);
        counters.ring_full.store(ring_full, Ordering::Relaxed);
        counters
            .throttle_waits
            .store(throttle.waits(), Ordering::Relaxed);
        counters
            .kicks
            .store(queue.stats().tx_kicks, Ordering::Relaxed);
        counters
            .next_index
            .store(slice.next.min(slice.end), Ordering::Release);
    }
    queue.flush()?;
    counters
        .throttle_waits
        .store(throttle.waits(), Ordering::Relaxed);
    counters
        .kicks
        .store(queue.stats().tx_kicks, Ordering::Relaxed);
    counters.done.store(true, Ordering::Release);
    Ok(())
}

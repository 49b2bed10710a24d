//! The per-core transmit loop: walk this core's slice of the scan, pick each target, have its
//! probe kind fill the probe in place in a driver frame, hand batches to the driver at the
//! throttle's pace, and publish counters once per batch.

use crate::arp::Neighbours;
use crate::clock::Clock;
use crate::cookie::CookieKey;
use crate::driver::{DriverError, TxQueue};
use crate::plan::source::Source;
use crate::plan::{Plan, Slice, Target, TargetIp, LANES};
use crate::probe::Probes;
use crate::stats::TxCounters;
use crate::throttle::Throttle;
use std::sync::atomic::{AtomicBool, Ordering};

/// Everything a transmit loop reads, shared by all cores.
pub struct ProbeBuilder<'a> {
    pub plan: &'a Plan,
    pub source: Source,
    pub key: CookieKey,
    /// The probe kinds, which write each probe (see [`crate::probe`]).
    pub probes: &'a Probes,
    /// Targets on the local subnet that answered ARP: their probes go to their own MAC.
    pub neighbours: Option<&'a Neighbours>,
}

impl ProbeBuilder<'_> {
    /// Writes the probe for scan index `j` into `frame`. Returns the frame length, or `None`
    /// for an empty slot of the retry schedule (or a kind this build does not send).
    #[inline(always)]
    pub fn build(&self, j: u64, frame: &mut [u8]) -> Option<usize> {
        self.build_variant(j, (0, 0), frame).map(|(len, _)| len)
    }

    /// Writes probe `variant` of scan index `j` (a UDP port with several payloads has one
    /// probe per payload), sent at `stamp` ms; returns the frame length and how many variants
    /// the target has.
    #[inline(always)]
    pub fn build_variant(
        &self,
        j: u64,
        variant: (u16, u32),
        frame: &mut [u8],
    ) -> Option<(usize, u16)> {
        self.build_target(&self.plan.probe(j)?, variant, frame)
    }

    /// Writes probe `variant` of target `t`, sent at `stamp` ms; returns the frame length and
    /// how many variants the target has.
    #[inline(always)]
    pub fn build_target(
        &self,
        t: &Target,
        (variant, stamp): (u16, u32),
        frame: &mut [u8],
    ) -> Option<(usize, u16)> {
        let src = self.source.choose(t.number);
        let len = self
            .probes
            .fill_variant(frame, t, (variant, stamp), &src, &self.key)?;
        if let Some(n) = self.neighbours {
            let mac = match t.ip {
                TargetIp::V4(ip) => n.lookup(ip),
                TargetIp::V6(ip) => n.lookup_v6(ip),
            };
            if let Some(mac) = mac {
                frame[..6].copy_from_slice(mac);
            }
        }
        Some((len, self.probes.variants(t)))
    }
}

/// The next [`LANES`] scan indices' targets, computed side by side ([`Plan::probe_lanes`]),
/// handed out one at a time. The slice itself advances one index per target handed out, so
/// its position (published for `paused.conf`) never runs ahead of what was sent.
struct Lookahead {
    js: [u64; LANES],
    targets: [Option<Target>; LANES],
    at: usize,
    len: usize,
}

impl Lookahead {
    fn new() -> Self {
        Self {
            js: [0; LANES],
            targets: [None; LANES],
            at: 0,
            len: 0,
        }
    }

    /// The slice's next scan index's target (`Some(None)` for an empty slot), by reference:
    /// targets are not moved around (copies of them cost more than a probe's checksums).
    #[inline(always)]
    fn next(&mut self, slice: &mut Slice, plan: &Plan) -> Option<&Option<Target>> {
        if self.at == self.len {
            let mut ahead = *slice;
            self.len = 0;
            for j in ahead.by_ref().take(LANES) {
                self.js[self.len] = j;
                self.len += 1;
            }
            if self.len == 0 {
                return None;
            }
            let first = self.js[0];
            self.js[self.len..].fill(first);
            plan.probe_lanes(&self.js, &mut self.targets);
            self.at = 0;
        }
        let j = slice.next()?;
        debug_assert_eq!(j, self.js[self.at]);
        self.at += 1;
        Some(&self.targets[self.at - 1])
    }
}

/// Runs one core's transmit loop to the end of its slice or until `stop` is raised; the
/// throttle waits on `clock`. The caller marks the core done (it may run the slice again).
pub fn run<Q: TxQueue>(
    queue: &mut Q,
    probes: &ProbeBuilder<'_>,
    mut slice: Slice,
    (throttle, clock): (&mut Throttle, &impl Clock),
    counters: &TxCounters,
    stop: &AtomicBool,
) -> Result<(), DriverError> {
    // Counting on from what was published: `--infinite` runs the slice again and again.
    let mut c = counters.snapshot().counters;
    // A target with several probes still to send: (target, next variant, variants).
    let mut pending: Option<(Target, u16, u16)> = None;
    let mut ahead = Lookahead::new();
    // Unthrottled scans read no clock at all unless the SYNs carry their send time.
    let stamps = probes.probes.stamps();
    counters.next_index.store(slice.next, Ordering::Release);
    while (slice.next < slice.end || pending.is_some()) && !stop.load(Ordering::Relaxed) {
        let want = throttle.next_batch(clock, stop);
        if want == 0 {
            break;
        }
        // The batch's send time, for SYNs that carry a timestamp option (wraps after 49 days).
        let stamp = if stamps {
            clock.monotonic_ms() as u32
        } else {
            0
        };
        let n = queue.transmit(want as usize, |frame| loop {
            if let Some((t, v, count)) = pending {
                pending = (v + 1 < count).then_some((t, v + 1, count));
                if let Some((len, _)) = probes.build_target(&t, (v, stamp), frame) {
                    return len;
                }
                continue;
            }
            let Some(t) = ahead.next(&mut slice, probes.plan) else {
                return 0;
            };
            let Some(t) = t else { continue };
            if let Some((len, count)) = probes.build_target(t, (0, stamp), frame) {
                c.canaries += u64::from(t.canary);
                if count > 1 {
                    pending = Some((*t, 1, count));
                }
                return len;
            }
        })? as u64;
        if n < want && slice.next < slice.end {
            c.ring_full += 1;
        }
        throttle.sent(n);
        c.sent += n;
        c.batches += 1;
        c.throttle_waits = throttle.waits();
        c.kicks = queue.stats().tx_kicks;
        counters.publish(&c);
        counters
            .next_index
            .store(slice.next.min(slice.end), Ordering::Release);
    }
    queue.flush()?;
    c.throttle_waits = throttle.waits();
    c.kicks = queue.stats().tx_kicks;
    counters.publish(&c);
    Ok(())
}

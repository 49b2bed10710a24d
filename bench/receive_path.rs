//! The receive path on one core, no network: SYN-ACKs carrying our cookies replayed from an
//! offline receive queue through the engine's receive loop, each answered with a RST written
//! in place into a frame of an offline answer queue. Compared in the same run with the shape the
//! loop had before (each answer built in a 128-byte buffer, copied into a list, then copied into
//! the driver's frame). A counting allocator checks that no answer frame allocates.
//!   receive-path FRAMES

#![forbid(unsafe_code)]

use masscan_drivers::offline::OfflineRx;
use masscan_drivers::{Offline, SystemClock};
use masscan_engine::classify::{Classifier, ClassifierConfig, MAX_ANSWER};
use masscan_engine::cookie::CookieKey;
use masscan_engine::driver::{Driver, RxQueue, TxQueue};
use masscan_engine::frame::Link;
use masscan_engine::output::Record;
use masscan_engine::receive::{ReceiveLoop, RX_BATCH};
use masscan_engine::stats::RxCoreCounters;
use masscan_test_support::packets::{syn_ack, v4_source, SCANNER_MAC};
use stats_alloc::{StatsAlloc, INSTRUMENTED_SYSTEM};
use std::alloc::System;
use std::net::Ipv4Addr;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

/// Counts every allocation, to show the loop makes none per answer.
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn allocations() -> u64 {
    let s = GLOBAL.stats();
    (s.allocations + s.reallocations) as u64
}

const ME: u32 = 0xc612_0002; // 198.18.0.2
const PORT_ME: u16 = 40000;
const DISTINCT: u32 = 65_536;

fn classifier(key: CookieKey) -> Classifier {
    Classifier::new(ClassifierConfig {
        link: Link::new(SCANNER_MAC),
        dedup_buckets: 1 << 16,
        ..ClassifierConfig::new(key, v4_source(Ipv4Addr::from(ME), PORT_ME, 1))
    })
}

/// SYN-ACKs from 198.19.0.0/16 port 80, each acknowledging its cookie.
fn syn_acks(key: CookieKey) -> Vec<Vec<u8>> {
    (0..DISTINCT)
        .map(|i| {
            let them = 0xc613_0000 | i;
            let ack = (key.v4(them, ME, 80, PORT_ME) as u32).wrapping_add(1);
            syn_ack(them.into(), 80, ME.into(), PORT_ME, ack)
        })
        .collect()
}

/// The engine's receive loop, one batch at a time until the queue is empty.
fn in_place(frames: &[Vec<u8>], count: u64, key: CookieKey) -> (f64, u64, u64) {
    let mut rx = OfflineRx::replay(frames.to_vec(), count);
    let mut answers_q = Offline::new(1).open_answer_queue(0).unwrap();
    let mut r = classifier(key);
    let (cells, clock, stop) = (
        RxCoreCounters::default(),
        SystemClock::new(),
        AtomicBool::new(true),
    );
    let mut l = ReceiveLoop::new(&clock, &cells, &stop);
    let mut records = 0u64;
    let mut sink = |_: Record| records += 1;
    // Warm up: the first pass reports every port (a record each); the rest are repeats.
    while rx.remaining() > count - u64::from(DISTINCT) {
        l.step(&mut rx, &mut answers_q, &mut r, &mut sink).unwrap();
    }
    let allocs = allocations();
    let t = Instant::now();
    while l.step(&mut rx, &mut answers_q, &mut r, &mut sink).unwrap() > 0 {}
    let secs = t.elapsed().as_secs_f64();
    let allocs = allocations() - allocs;
    (secs, answers_q.stats().tx_frames, allocs)
}

/// The loop's shape before: an answer built in a stack buffer, copied into a list, then copied
/// into a driver frame by `transmit(1, ..)`.
fn copying(frames: &[Vec<u8>], count: u64, key: CookieKey) -> (f64, u64, u64) {
    let mut rx = OfflineRx::replay(frames.to_vec(), count);
    let mut answers_q = Offline::new(1).open_answer_queue(0).unwrap();
    let mut r = classifier(key);
    let mut buf = [0u8; MAX_ANSWER];
    let mut answers: Vec<([u8; MAX_ANSWER], usize)> = Vec::new();
    let mut records = 0u64;
    let mut turn = |rx: &mut OfflineRx, answers_q: &mut _| {
        let n = rx
            .receive(RX_BATCH, |frame| {
                let o = r.handle(frame, 0, &mut buf);
                if o.record.is_some() {
                    records += 1;
                }
                if o.answer_len > 0 {
                    answers.push((buf, o.answer_len));
                }
            })
            .unwrap();
        for (frame, len) in answers.drain(..) {
            TxQueue::transmit(answers_q, 1, |b: &mut [u8]| {
                b[..len].copy_from_slice(&frame[..len]);
                len
            })
            .unwrap();
        }
        n
    };
    while rx.remaining() > count - u64::from(DISTINCT) {
        turn(&mut rx, &mut answers_q);
    }
    let allocs = allocations();
    let t = Instant::now();
    while turn(&mut rx, &mut answers_q) > 0 {}
    let secs = t.elapsed().as_secs_f64();
    let allocs = allocations() - allocs;
    (secs, answers_q.stats().tx_frames, allocs)
}

fn main() {
    let count: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000_000)
        .max(2 * u64::from(DISTINCT));
    let key = CookieKey::from_seed(5);
    let frames = syn_acks(key);
    let measured = count - u64::from(DISTINCT);
    // Alternate the two, twice each, so both see the same machine; the better round counts.
    let mut best = [f64::MAX; 2];
    let mut allocs_in_place = 0;
    for _ in 0..2 {
        let (s, sent, a) = in_place(&frames, count, key);
        assert_eq!(sent, count, "a RST for every SYN-ACK");
        best[0] = best[0].min(s);
        allocs_in_place = allocs_in_place.max(a);
        let (s, sent, _) = copying(&frames, count, key);
        assert_eq!(sent, count);
        best[1] = best[1].min(s);
    }
    let rate = |s: f64| measured as f64 / s;
    println!(
        "receive path, one core: {:.2} M answers/s in place, {:.2} M/s copying as before ({:.2}x); \
         {} allocations in {} answer frames written in place",
        rate(best[0]) / 1e6,
        rate(best[1]) / 1e6,
        best[1] / best[0],
        allocs_in_place,
        measured
    );
    if allocs_in_place > 0 {
        eprintln!("receive-path: the in-place loop allocated while answering SYN-ACKs");
        std::process::exit(1);
    }
}

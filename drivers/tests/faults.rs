//! The scan loops through the fault injector, without a network: SYNs filled by the transmit
//! loop, the SYN-ACKs a listener would send, and the receive loop taking them through a queue
//! that drops, duplicates, reorders, truncates and corrupts frames. Nothing panics, every
//! surviving reply is reported exactly once, damaged frames are counted, and dropped probes are
//! recovered by --retries.

use masscan_drivers::fault::{FaultInjector, Faults};
use masscan_drivers::offline::OfflineRx;
use masscan_drivers::{Offline, SystemClock};
use masscan_engine::classify::{Classifier, ClassifierConfig};
use masscan_engine::cookie::CookieKey;
use masscan_engine::driver::{Driver, TxQueue};
use masscan_engine::frame::Link;
use masscan_engine::output::{Record, StatusRecord};
use masscan_engine::plan::ports::PortSetBuilder;
use masscan_engine::plan::source::Source;
use masscan_engine::plan::targets::TargetSetBuilder;
use masscan_engine::plan::{Plan, Shard};
use masscan_engine::probe::Probes;
use masscan_engine::receive::ReceiveLoop;
use masscan_engine::stats::{RxCoreCounters, TxCounters};
use masscan_engine::template::TemplateParams;
use masscan_engine::throttle::Throttle;
use masscan_engine::transmit::{run, ProbeBuilder};
use masscan_test_support::packets::{syn_ack_for, v4_source, ROUTER_MAC, SCANNER_MAC};
use std::collections::HashSet;
use std::net::Ipv4Addr;
use std::sync::atomic::AtomicBool;

struct Scan {
    plan: Plan,
    source: Source,
    key: CookieKey,
    kinds: Probes,
}

fn scan(retries: u32) -> Scan {
    let mut t = TargetSetBuilder::new();
    t.add_targets("198.18.8.0/22").unwrap();
    let mut p = PortSetBuilder::new();
    p.add_spec("80").unwrap();
    let params = TemplateParams {
        link: Link::new(SCANNER_MAC),
        dst_mac: ROUTER_MAC,
        ..TemplateParams::default()
    };
    Scan {
        plan: Plan::new(t.build().unwrap(), p.build(), 5, retries, 1 << 20).unwrap(),
        source: v4_source(Ipv4Addr::new(198, 18, 0, 2), 40000, 4),
        key: CookieKey::from_seed(5),
        kinds: Probes::new(&params, &params).unwrap(),
    }
}

/// The probes the transmit loop sends through `faults` (the frames that reach the wire).
fn transmit(s: &Scan, faults: Faults) -> Vec<Vec<u8>> {
    let probes = ProbeBuilder {
        plan: &s.plan,
        source: s.source,
        key: s.key,
        probes: &s.kinds,
        neighbours: None,
    };
    let total = s.plan.total() as usize;
    let (tx, _) = Offline::new(1).with_capture(total).open_queue(0).unwrap();
    let mut tx = FaultInjector::new(tx, faults, 11);
    let mut throttle = Throttle::new(f64::INFINITY, true, 64);
    let slice = s.plan.slice(0, u64::MAX, Shard::default(), 0, 1);
    let stop = AtomicBool::new(false);
    let clock = SystemClock::new();
    let counters = TxCounters::default();
    run(
        &mut tx,
        &probes,
        slice,
        (&mut throttle, &clock),
        &counters,
        &stop,
    )
    .unwrap();
    let sent = counters.snapshot().counters.sent;
    assert_eq!(tx.counts().frames, sent + tx.counts().dropped);
    assert_eq!(tx.inner.stats().tx_frames, sent);
    tx.inner.captured().to_vec()
}

/// What the receive loop reports of `frames` arriving through `faults`.
fn receive(s: &Scan, frames: Vec<Vec<u8>>, faults: Faults) -> (Vec<Record>, RxCoreCounters) {
    let n = frames.len() as u64;
    let mut rx = FaultInjector::new(OfflineRx::replay(frames, n), faults, 7);
    let mut answers = Offline::new(1).open_answer_queue(0).unwrap();
    let mut classifier = Classifier::new(ClassifierConfig {
        link: Link::new(SCANNER_MAC),
        report_closed: true,
        dedup_buckets: 1 << 12,
        ..ClassifierConfig::new(s.key, s.source)
    });
    let cells = RxCoreCounters::default();
    let (clock, stop) = (SystemClock::new(), AtomicBool::new(true));
    let mut lp = ReceiveLoop::new(&clock, &cells, &stop);
    let mut records = Vec::new();
    lp.run(&mut rx, &mut answers, &mut classifier, &mut |r| {
        records.push(r)
    })
    .unwrap();
    (records, cells)
}

fn hosts(records: &[Record]) -> HashSet<std::net::IpAddr> {
    records
        .iter()
        .map(|r| match r {
            Record::Status(StatusRecord { ip, port: 80, .. }) => *ip,
            other => panic!("unexpected {other:?}"),
        })
        .collect()
}

#[test]
fn a_hostile_receive_queue_never_breaks_the_receive_path() {
    let s = scan(0);
    let replies: Vec<Vec<u8>> = transmit(&s, Faults::default())
        .iter()
        .map(|f| syn_ack_for(f))
        .collect();
    let faults = Faults {
        drop: 0.1,
        duplicate: 0.3,
        reorder: 0.2,
        truncate: 0.1,
        corrupt: 0.2,
        seed: 0,
    };
    let (records, cells) = receive(&s, replies.clone(), faults);
    let c = cells.load().classifier;
    let found = hosts(&records);
    assert_eq!(found.len(), records.len(), "every host reported once");
    // Many replies survive; those lost were dropped or damaged, and every frame is accounted for.
    assert!(found.len() > 1024 / 2, "{} of 1024", found.len());
    assert!(
        c.duplicates > 0 && c.malformed + c.bad_cookie + c.not_ours > 0,
        "{c:?}"
    );
    assert_eq!(
        c.frames,
        c.open + c.duplicates + c.malformed + c.bad_cookie + c.not_ours,
        "{c:?}"
    );
    // Without faults every host is found.
    let (clean, _) = receive(&s, replies, Faults::default());
    assert_eq!(hosts(&clean).len(), 1024);
}

#[test]
fn retries_recover_probes_dropped_on_the_way_out() {
    let lossy = Faults {
        drop: 0.3,
        ..Faults::default()
    };
    let once = scan(0);
    let sent: Vec<Vec<u8>> = transmit(&once, lossy)
        .iter()
        .map(|f| syn_ack_for(f))
        .collect();
    let (records, _) = receive(&once, sent, Faults::default());
    let without = hosts(&records).len();
    assert!(
        without < 1024 * 8 / 10,
        "30% of probes dropped, {without} found"
    );
    // Three retries: a host is missed only if all four of its probes are dropped (0.3^4 < 1%).
    let retried = scan(3);
    let sent: Vec<Vec<u8>> = transmit(&retried, lossy)
        .iter()
        .map(|f| syn_ack_for(f))
        .collect();
    let (records, _) = receive(&retried, sent, Faults::default());
    let with = hosts(&records).len();
    assert!(with >= 1024 - 25, "with --retries 3: {with} of 1024");
}

#[test]
fn a_fault_spec_reads_rates_and_percentages_and_refuses_the_rest() {
    let f: Faults = "drop=0.05, duplicate=1%,reorder=0.1,seed=9"
        .parse()
        .unwrap();
    assert_eq!(
        f,
        Faults {
            drop: 0.05,
            duplicate: 0.01,
            reorder: 0.1,
            truncate: 0.0,
            corrupt: 0.0,
            seed: 9,
        }
    );
    for (bad, why) in [
        ("", "no fault given"),
        ("drop", "not NAME=RATE"),
        ("drop=2", "not a fraction"),
        ("drop=-0.1", "not a fraction"),
        ("drop=NaN", "not a fraction"),
        ("lose=0.1", "unknown fault 'lose'"),
        ("drop=0.1,drop=0.2", "given twice"),
        ("seed=x", "not a number"),
    ] {
        let e = bad.parse::<Faults>().unwrap_err();
        assert!(e.contains(why), "{bad:?}: {e}");
    }
}

#[test]
fn switched_off_the_injector_passes_every_frame_and_tallies_what_it_touched() {
    use masscan_drivers::fault::FaultTally;
    use masscan_engine::driver::RxQueue;
    use std::sync::Arc;
    let s = scan(0);
    let replies: Vec<Vec<u8>> = transmit(&s, Faults::default())
        .iter()
        .map(|f| syn_ack_for(f))
        .collect();
    let n = replies.len() as u64;
    let mut off = FaultInjector::maybe(OfflineRx::replay(replies.clone(), n), None, 0, None);
    let mut got = 0;
    while off.receive(64, |_| got += 1).unwrap() > 0 {}
    assert_eq!(got, n as usize);
    let tally = Arc::new(FaultTally::default());
    let lossy = Faults {
        drop: 0.5,
        ..Faults::default()
    };
    {
        let mut on = FaultInjector::maybe(
            OfflineRx::replay(replies, n),
            Some(lossy),
            1,
            Some(tally.clone()),
        );
        while on.receive(64, |_| {}).unwrap() > 0 {}
    }
    let t = tally.total();
    assert_eq!(t.frames, n);
    assert!(t.dropped > 0 && t.dropped < t.frames, "{t}");
}

#[test]
fn a_sent_frame_is_never_cut_shorter_than_its_link_header() {
    // AF_PACKET refuses a frame shorter than an Ethernet header (EINVAL), which ended a scan
    // with --inject-faults truncate=...: cut frames keep their 14 bytes at least.
    let s = scan(0);
    let every = Faults {
        truncate: 1.0,
        ..Faults::default()
    };
    let sent = transmit(&s, every);
    assert_eq!(sent.len(), 1024);
    assert!(sent.iter().all(|f| f.len() >= 14 && f.len() < 60));
}

//! The whole scan loop without a network: the transmit loop fills SYNs into offline frames, each
//! is turned into the SYN-ACK a listening target would send, and the receive loop takes those
//! from an offline receive queue: every target is reported open once, and every RST is written
//! straight into a frame of the offline answer queue.

use etherparse::{SlicedPacket, TransportSlice};
use masscan_drivers::offline::OfflineRx;
use masscan_drivers::{Offline, SystemClock};
use masscan_engine::classify::{Classifier, ClassifierConfig};
use masscan_engine::cookie::CookieKey;
use masscan_engine::driver::{Driver, TxQueue};
use masscan_engine::frame::Link;
use masscan_engine::output::StatusRecord;
use masscan_engine::output::{Record, Status};
use masscan_engine::plan::ports::PortSetBuilder;
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

#[test]
fn every_syn_ack_is_reported_once_and_answered_in_place() {
    let mut t = TargetSetBuilder::new();
    t.add_targets("198.18.4.0/24").unwrap();
    let mut p = PortSetBuilder::new();
    p.add_spec("22,80").unwrap();
    let plan = Plan::new(t.build().unwrap(), p.build(), 99, 0, 1).unwrap();
    let source = v4_source(Ipv4Addr::new(198, 18, 0, 2), 40000, 4);
    let key = CookieKey::from_seed(99);
    let params = TemplateParams {
        link: Link::new(SCANNER_MAC),
        dst_mac: ROUTER_MAC,
        ..TemplateParams::default()
    };
    let kinds = Probes::new(&params, &params).unwrap();
    let probes = ProbeBuilder {
        plan: &plan,
        source,
        key,
        probes: &kinds,
        neighbours: None,
    };
    let total = plan.total() as usize;
    let mut drv = Offline::new(1).with_capture(total);
    let (mut tx, _) = drv.open_queue(0).unwrap();
    let mut throttle = Throttle::new(f64::INFINITY, true, 64);
    let stop = AtomicBool::new(false);
    let slice = plan.slice(0, u64::MAX, Shard::default(), 0, 1);
    run(
        &mut tx,
        &probes,
        slice,
        (&mut throttle, &SystemClock::new()),
        &TxCounters::default(),
        &stop,
    )
    .unwrap();
    let replies: Vec<Vec<u8>> = tx.captured().iter().map(|f| syn_ack_for(f)).collect();
    assert_eq!(replies.len(), total);

    // Every reply twice: the second round is all duplicates (answered, not reported).
    let mut rx = OfflineRx::replay(replies, 2 * total as u64);
    let mut answers = Offline::new(1)
        .with_capture(2 * total)
        .open_answer_queue(0)
        .unwrap();
    let mut classifier = Classifier::new(ClassifierConfig {
        link: Link::new(SCANNER_MAC),
        dedup_buckets: 1 << 12,
        ..ClassifierConfig::new(key, source)
    });
    let cells = RxCoreCounters::default();
    let clock = SystemClock::new();
    let done = AtomicBool::new(true);
    let mut receive = ReceiveLoop::new(&clock, &cells, &done);
    let mut open = HashSet::new();
    let mut sink = |r: Record| match r {
        Record::Status(StatusRecord {
            status: Status::Open,
            ip,
            port,
            ..
        }) => assert!(open.insert((ip, port)), "{ip}:{port} reported twice"),
        other => panic!("{other:?}"),
    };
    receive
        .run(&mut rx, &mut answers, &mut classifier, &mut sink)
        .unwrap();
    assert_eq!(rx.remaining(), 0);
    assert_eq!(open.len(), total);
    let (c, l) = (cells.load().classifier, cells.load().receive);
    assert_eq!(
        (c.frames, c.open, c.duplicates),
        (2 * total as u64, total as u64, total as u64)
    );
    assert_eq!((c.rst_sent, l.answers_dropped), (2 * total as u64, 0));
    assert_eq!(answers.stats().tx_frames, 2 * total as u64);
    for f in answers.captured() {
        let pkt = SlicedPacket::from_ethernet(f).unwrap();
        let Some(TransportSlice::Tcp(rst)) = pkt.transport else {
            panic!("not TCP")
        };
        assert!(rst.rst());
        assert_eq!(&f[..6], &ROUTER_MAC);
    }
}

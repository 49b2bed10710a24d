//! The transmit loop driven through the offline backend: every probe of the scan is built once,
//! is a valid SYN to a target of the scan, and carries the cookie the receive side will check.

use etherparse::{NetSlice, SlicedPacket, TransportSlice};
use masscan_drivers::{Offline, SystemClock};
use masscan_engine::cookie::CookieKey;
use masscan_engine::driver::{Driver, TxQueue};
use masscan_engine::plan::ports::PortSetBuilder;
use masscan_engine::plan::source::{IpRange, PortRange, Source};
use masscan_engine::plan::targets::TargetSetBuilder;
use masscan_engine::plan::{Plan, Shard};
use masscan_engine::probe::Probes;
use masscan_engine::stats::TxCounters;
use masscan_engine::template::TemplateParams;
use masscan_engine::throttle::Throttle;
use masscan_engine::transmit::{run, ProbeBuilder};
use std::collections::HashSet;
use std::sync::atomic::AtomicBool;

#[test]
fn every_probe_is_a_valid_syn_with_its_cookie() {
    let mut t = TargetSetBuilder::new();
    t.add_targets("198.18.4.0/24").unwrap();
    let mut p = PortSetBuilder::new();
    p.add_spec("22,80,443").unwrap();
    let plan = Plan::new(t.build().unwrap(), p.build(), 1234, 0, 1).unwrap();
    let src_ip = IpRange::parse("198.18.0.2").unwrap();
    let source = Source::new(Some(src_ip), None, PortRange::parse("40000-40003").unwrap());
    let key = CookieKey::from_seed(1234);
    let params = TemplateParams::default();
    let kinds = Probes::new(&params, &params).unwrap();
    let probes = ProbeBuilder {
        plan: &plan,
        source,
        key,
        probes: &kinds,
        neighbours: None,
    };

    let total = plan.total() as usize;
    let mut drv = Offline::new(2).with_capture(total);
    let stop = AtomicBool::new(false);
    let mut frames = Vec::new();
    for q in 0..2 {
        let (mut tx, _rx) = drv.open_queue(q).unwrap();
        let counters = TxCounters::default();
        let mut throttle = Throttle::new(f64::INFINITY, true, 64);
        let slice = plan.slice(0, u64::MAX, Shard::default(), q as u64, 2);
        run(
            &mut tx,
            &probes,
            slice,
            (&mut throttle, &SystemClock::new()),
            &counters,
            &stop,
        )
        .unwrap();
        let snap = counters.snapshot();
        // `run` leaves marking the core done to its caller, which may run the slice again
        // (`--infinite`).
        assert!(!snap.done);
        assert_eq!(snap.counters.sent as usize, tx.captured().len());
        assert_eq!(tx.stats().tx_frames, snap.counters.sent);
        frames.extend(tx.captured().to_vec());
    }
    assert_eq!(frames.len(), total);

    let mut seen = HashSet::new();
    for f in &frames {
        let pkt = SlicedPacket::from_ethernet(f).unwrap();
        let Some(NetSlice::Ipv4(ip)) = pkt.net else {
            panic!("not IPv4")
        };
        let ih = ip.header().to_header();
        assert_eq!(ih.header_checksum, ih.calc_header_checksum());
        let Some(TransportSlice::Tcp(tcp)) = pkt.transport else {
            panic!("not TCP")
        };
        let th = tcp.to_header();
        assert_eq!(th.checksum, th.calc_checksum_ipv4(&ih, &[]).unwrap());
        let them = u32::from_be_bytes(ih.destination);
        let me = u32::from_be_bytes(ih.source);
        assert_eq!(me, 0xc612_0002);
        assert!((40000..=40003).contains(&th.source_port));
        let cookie = key.v4(them, me, th.destination_port, th.source_port);
        assert_eq!(
            th.sequence_number, cookie as u32,
            "the receive side checks ack - 1 == cookie"
        );
        assert!(seen.insert((them, th.destination_port)), "probe sent twice");
    }
    assert_eq!(seen.len(), 256 * 3);
}

#[test]
fn stop_flag_ends_the_loop_and_records_progress() {
    let mut t = TargetSetBuilder::new();
    t.add_targets("10.0.0.0/8").unwrap();
    let mut p = PortSetBuilder::new();
    p.add_spec("80").unwrap();
    let plan = Plan::new(t.build().unwrap(), p.build(), 1, 0, 1).unwrap();
    let params = TemplateParams::default();
    let kinds = Probes::new(&params, &params).unwrap();
    let source = Source::new(None, None, PortRange::parse("40000").unwrap());
    let probes = ProbeBuilder {
        plan: &plan,
        source,
        key: CookieKey::from_seed(1),
        probes: &kinds,
        neighbours: None,
    };
    let (mut tx, _) = Offline::new(1).open_queue(0).unwrap();
    let stop = AtomicBool::new(true);
    let counters = TxCounters::default();
    let mut throttle = Throttle::new(f64::INFINITY, true, 64);
    run(
        &mut tx,
        &probes,
        plan.slice(0, u64::MAX, Shard::default(), 0, 1),
        (&mut throttle, &SystemClock::new()),
        &counters,
        &stop,
    )
    .unwrap();
    assert_eq!(counters.snapshot().counters.sent, 0);
    assert_eq!(counters.snapshot().next_index, 0);
}

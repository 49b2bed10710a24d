use super::*;
use crate::arp::{self, ArpRepr};
use crate::frame::Link;
use crate::testing::{tcp_segment, v4_source, PEER_TTL, ROUTER_MAC, SCANNER_MAC};
use std::net::Ipv4Addr;

fn classifier() -> Classifier {
    let src = v4_source([198, 18, 0, 2], 40000, 16);
    Classifier::new(ClassifierConfig {
        link: Link::new(SCANNER_MAC),
        answer_arp: true,
        report_closed: true,
        ..ClassifierConfig::new(CookieKey::from_seed(7), src)
    })
}

fn reply(them: [u8; 4], port_them: u16, port_me: u16, ack: u32, syn: bool, rst: bool) -> Vec<u8> {
    let flags = match (syn, rst) {
        (true, true) => "SR",
        (true, false) => "S",
        (false, true) => "R",
        (false, false) => "",
    };
    let me = ([198, 18, 0, 2], port_me);
    tcp_segment((them, port_them), me, (12345, ack), flags, &[])
}

fn cookie(them: [u8; 4], port_them: u16, port_me: u16) -> u32 {
    CookieKey::from_seed(7).v4(
        u32::from_be_bytes(them),
        u32::from(Ipv4Addr::new(198, 18, 0, 2)),
        port_them,
        port_me,
    ) as u32
}

#[test]
fn syn_ack_with_cookie_is_open_once_and_answered_with_rst() {
    let mut r = classifier();
    let c = cookie([198, 18, 1, 1], 80, 40003);
    let f = reply([198, 18, 1, 1], 80, 40003, c.wrapping_add(1), true, false);
    let mut out = [0u8; MAX_ANSWER];
    let o = r.handle(&f, 1, &mut out);
    match o.record {
        Some(Record::Status(StatusRecord {
            status: Status::Open,
            port: 80,
            ttl: PEER_TTL,
            reason: 0x12,
            ..
        })) => {}
        other => panic!("{other:?}"),
    }
    // The RST goes back to the sender's MAC with seq = cookie + 1.
    let rst = SlicedPacket::from_ethernet(&out[..o.answer_len]).unwrap();
    let Some(TransportSlice::Tcp(t)) = rst.transport else {
        panic!()
    };
    assert!(t.rst());
    assert_eq!(t.sequence_number(), c.wrapping_add(1));
    assert_eq!((t.source_port(), t.destination_port()), (40003, 80));
    assert_eq!(&out[0..6], &ROUTER_MAC);
    // A repeat is not reported again, but still answered.
    let o2 = r.handle(&f, 2, &mut out);
    assert_eq!(o2.record, None);
    assert!(o2.answer_len > 0);
    assert_eq!(r.counters().duplicates, 1);
}

#[test]
fn rst_is_closed_and_wrong_cookie_is_dropped() {
    let mut r = classifier();
    let c = cookie([198, 18, 1, 5], 22, 40000);
    let mut out = [0u8; MAX_ANSWER];
    let o = r.handle(
        &reply([198, 18, 1, 5], 22, 40000, c.wrapping_add(1), false, true),
        1,
        &mut out,
    );
    assert!(matches!(
        o.record,
        Some(Record::Status(StatusRecord {
            status: Status::Closed,
            ..
        }))
    ));
    assert_eq!(o.answer_len, 0);
    let o = r.handle(
        &reply([198, 18, 1, 5], 23, 40000, c.wrapping_add(1), true, false),
        1,
        &mut out,
    );
    assert_eq!(o, FrameOutcome::default());
    assert_eq!(r.counters().bad_cookie, 1);
    // Not our port.
    let o = r.handle(
        &reply([198, 18, 1, 5], 22, 39999, c.wrapping_add(1), true, false),
        1,
        &mut out,
    );
    assert_eq!(o, FrameOutcome::default());
    assert_eq!(r.counters().not_ours, 1);
}

#[test]
fn answers_arp_for_our_address_only() {
    let mut r = classifier();
    let mut out = [0u8; MAX_ANSWER];
    for (target, answered) in [([198, 18, 0, 2], true), ([198, 18, 0, 3], false)] {
        let req = ArpRepr {
            op: arp::OP_REQUEST,
            sender_mac: ROUTER_MAC,
            sender_ip: Ipv4Addr::new(198, 18, 0, 1),
            target_mac: [0; 6],
            target_ip: Ipv4Addr::from(target),
        };
        let mut f = [0u8; 60];
        req.emit([0xff; 6], None, &mut f);
        let o = r.handle(&f, 1, &mut out);
        assert_eq!(o.answer_len > 0, answered);
        if answered {
            let a = ArpRepr::parse(&out[..o.answer_len]).unwrap();
            assert_eq!(a.op, arp::OP_REPLY);
            assert_eq!(a.sender_mac, SCANNER_MAC);
            assert_eq!(a.target_ip, Ipv4Addr::new(198, 18, 0, 1));
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
    #[test]
    fn any_bytes_are_safe(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
        let mut r = classifier();
        let mut out = [0u8; MAX_ANSWER];
        let o = r.handle(&bytes, 0, &mut out);
        proptest::prop_assert!(o.answer_len <= MAX_ANSWER);
    }

    #[test]
    fn damaged_replies_are_safe(cut in 0usize..80, flip in 0usize..80, bit in 0u8..8) {
        let mut r = classifier();
        let c = cookie([198, 18, 1, 1], 80, 40003);
        let mut f = reply([198, 18, 1, 1], 80, 40003, c.wrapping_add(1), true, false);
        if flip < f.len() { f[flip] ^= 1 << bit; }
        f.truncate(cut.min(f.len()));
        let mut out = [0u8; MAX_ANSWER];
        let _ = r.handle(&f, 0, &mut out);
    }
}

/// With two probes per target, a SYN-ACK to either is open (reported once), each goes into the
/// port's capture history, its RST goes on from its own ack, and an ack past the last probe is
/// no reply of ours.
#[test]
fn each_probes_answer_is_captured_and_answered_from_its_own_ack() {
    let src = v4_source([198, 18, 0, 2], 40000, 16);
    let mut r = Classifier::new(ClassifierConfig {
        attempts: 2,
        capture_buckets: Some(16),
        ..ClassifierConfig::new(CookieKey::from_seed(7), src)
    });
    let c = cookie([198, 18, 1, 1], 443, 40001);
    let mut out = [0u8; MAX_ANSWER];
    let second = reply([198, 18, 1, 1], 443, 40001, c.wrapping_add(2), true, false);
    let o = r.handle(&second, 1, &mut out);
    assert!(
        o.record.is_some(),
        "the second probe's answer reports the port"
    );
    let rst = SlicedPacket::from_ethernet(&out[..o.answer_len]).unwrap();
    let Some(TransportSlice::Tcp(t)) = rst.transport else {
        panic!()
    };
    assert_eq!(t.sequence_number(), c.wrapping_add(2));
    let first = reply([198, 18, 1, 1], 443, 40001, c.wrapping_add(1), true, false);
    assert_eq!(r.handle(&first, 2, &mut out).record, None);
    let past = reply([198, 18, 1, 1], 443, 40001, c.wrapping_add(3), true, false);
    assert_eq!(r.handle(&past, 3, &mut out).record, None);
    assert_eq!(r.counters().bad_cookie, 1);
    let k = r.capture_counters().unwrap();
    assert_eq!((k.ports, k.attempt_1, k.attempt_2), (1, 1, 1));
    // A closed port has no history; a scan of one probe keeps none.
    let c2 = cookie([198, 18, 1, 2], 22, 40001).wrapping_add(1);
    let closed = reply([198, 18, 1, 2], 22, 40001, c2, false, true);
    r.handle(&closed, 4, &mut out);
    assert_eq!(r.capture_counters().unwrap().ports, 1);
    assert!(classifier().capture_counters().is_none());
}

#[test]
fn canary_syn_ack_marks_the_host_once_and_is_no_open_port() {
    let key = CookieKey::from_seed(7);
    let scanned = {
        let mut b = crate::plan::ports::PortSetBuilder::new();
        b.add_spec("80").unwrap();
        b.build()
    };
    let canaries = Arc::new(crate::canary::Canaries::new(key, 2, &scanned).unwrap());
    let mut r = Classifier::new(ClassifierConfig {
        link: Link::new(SCANNER_MAC),
        canaries: Some(canaries.clone()),
        ..ClassifierConfig::new(key, v4_source([198, 18, 0, 2], 40000, 16))
    });
    let host = [198, 18, 128, 9];
    let ip = u128::from(Ipv4Addr::from(host).to_ipv6_mapped());
    let (c0, c1) = (canaries.port(ip, 0), canaries.port(ip, 1));
    let mut out = [0u8; MAX_ANSWER];
    let syn_ack = |port: u16| {
        reply(
            host,
            port,
            40005,
            cookie(host, port, 40005) + 1,
            true,
            false,
        )
    };
    // The real port first: open, as without canaries (a stream cannot take it back).
    let o = r.handle(&syn_ack(80), 1, &mut out);
    assert!(matches!(
        o.record,
        Some(Record::Status(StatusRecord {
            status: Status::Open,
            ..
        }))
    ));
    // A canary: the mark record, a RST back, no open port.
    let o = r.handle(&syn_ack(c0), 2, &mut out);
    match &o.record {
        Some(Record::Banner(b)) => {
            assert_eq!(
                (b.app_proto, b.port, b.ip_proto),
                (crate::canary::APP_PROTO, c0, 6)
            );
            assert!(String::from_utf8_lossy(&b.banner).contains("canary port"));
        }
        other => panic!("{other:?}"),
    }
    assert!(o.answer_len > 0, "answered with a RST");
    // The host's other canary and a repeat: counted, answered, no second mark.
    for port in [c1, c0] {
        let o = r.handle(&syn_ack(port), 3, &mut out);
        assert_eq!(o.record, None);
        assert!(o.answer_len > 0);
    }
    let n = r.counters();
    assert_eq!((n.open, n.canary_answers, n.canary_marks), (1, 3, 1));
    // A high port that is not one of this host's canaries is an open port as usual.
    let other = (49152..=u16::MAX).find(|&p| p != c0 && p != c1).unwrap();
    let o = r.handle(&syn_ack(other), 4, &mut out);
    assert!(matches!(
        o.record,
        Some(Record::Status(StatusRecord {
            status: Status::Open,
            ..
        }))
    ));
    // A wrong cookie on a canary port is no mark.
    let bad = reply([198, 18, 128, 10], c0, 40005, 5, true, false);
    assert_eq!(r.handle(&bad, 5, &mut out).record, None);
}

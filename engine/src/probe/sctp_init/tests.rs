use super::*;
use crate::classify::{Classifier, ClassifierConfig};
use crate::frame::Link;
use crate::output::Record;
use crate::plan::ports::Proto;
use crate::plan::source::Source;
use crate::plan::Target;
use crate::probe::Probes;
use crate::testing::dual_source;
use etherparse::{NetSlice, PacketBuilder, SlicedPacket};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

fn source() -> Source {
    dual_source("40000-40003")
}

fn init(ip: TargetIp, vlan: Option<u16>, key: &CookieKey) -> Vec<u8> {
    let params = TemplateParams {
        link: Link {
            vlan,
            ..Link::default()
        },
        ..TemplateParams::default()
    };
    let probes = Probes::new(&params, &params).unwrap();
    let t = Target {
        ip,
        port: Proto::Sctp.base() + 9,
        number: 2,
        attempt: 0,
        canary: false,
    };
    let mut frame = [0u8; 256];
    let n = probes
        .fill(&mut frame, &t, &source().choose(2), key)
        .unwrap();
    frame[..n].to_vec()
}

/// (the SCTP packet, their address, ours) of a frame.
fn sctp_of(frame: &[u8]) -> (Vec<u8>, IpAddr, IpAddr) {
    let p = SlicedPacket::from_ethernet(frame).unwrap();
    match p.net.unwrap() {
        NetSlice::Ipv4(ip) => {
            let h = ip.header();
            assert_eq!(
                h.to_header().header_checksum,
                h.to_header().calc_header_checksum()
            );
            assert_eq!(ip.payload().ip_number.0, IPPROTO_SCTP);
            (
                ip.payload().payload.to_vec(),
                IpAddr::V4(h.source_addr()),
                IpAddr::V4(h.destination_addr()),
            )
        }
        NetSlice::Ipv6(ip) => (
            ip.payload().payload.to_vec(),
            IpAddr::V6(ip.header().source_addr()),
            IpAddr::V6(ip.header().destination_addr()),
        ),
    }
}

fn crc_ok(sctp: &[u8]) -> bool {
    let mut z = sctp.to_vec();
    z[8..12].fill(0);
    crc32c::crc32c(&z).to_le_bytes() == sctp[8..12]
}

/// The target's answer to `init_frame`: INIT ACK (with its own tag) or ABORT.
fn answer(init_frame: &[u8], chunk: u8) -> Vec<u8> {
    let (sctp, me, them) = sctp_of(init_frame);
    let mut r = vec![0u8; 12];
    r[0..2].copy_from_slice(&sctp[2..4]);
    r[2..4].copy_from_slice(&sctp[0..2]);
    r[4..8].copy_from_slice(&sctp[16..20]); // our initiate tag
    if chunk == INIT_ACK {
        r.extend_from_slice(&[INIT_ACK, 0, 0, 20, 0xab, 0xcd, 0xef, 0x01]);
        r.extend_from_slice(&[0; 12]);
    } else {
        r.extend_from_slice(&[ABORT, 0, 0, 4]);
    }
    let crc = crc32c::crc32c(&r);
    r[8..12].copy_from_slice(&crc.to_le_bytes());
    let eth = PacketBuilder::ethernet2([2; 6], [4; 6]);
    let mut v = Vec::new();
    match (them, me) {
        (IpAddr::V4(t), IpAddr::V4(m)) => eth
            .ipv4(t.octets(), m.octets(), 64)
            .write(&mut v, IpNumber(IPPROTO_SCTP), &r)
            .unwrap(),
        (IpAddr::V6(t), IpAddr::V6(m)) => eth
            .ipv6(t.octets(), m.octets(), 64)
            .write(&mut v, IpNumber(IPPROTO_SCTP), &r)
            .unwrap(),
        _ => unreachable!(),
    }
    v
}

fn receiver(key: CookieKey) -> Classifier {
    Classifier::new(ClassifierConfig {
        link: Link::new([4; 6]),
        report_closed: true,
        dedup_buckets: 16,
        ..ClassifierConfig::new(key, source())
    })
}

#[test]
fn inits_are_valid_and_carry_the_cookie_as_their_tag() {
    let key = CookieKey::from_seed(4);
    let v4 = TargetIp::V4(u32::from(Ipv4Addr::new(198, 18, 1, 20)));
    let v6 = TargetIp::V6(u128::from("2001:2:0:1::20".parse::<Ipv6Addr>().unwrap()));
    for ip in [v4, v6] {
        for vlan in [None, Some(7)] {
            let f = init(ip, vlan, &key);
            let (sctp, me, them) = sctp_of(&f);
            assert_eq!(sctp.len(), 32);
            assert!(crc_ok(&sctp), "CRC32c");
            assert_eq!((sctp[12], &sctp[4..8]), (INIT, &[0u8; 4][..]));
            let port_me = u16::from_be_bytes([sctp[0], sctp[1]]);
            let want = initiate_tag(tcp_syn::cookie(&key, them, me, 9, port_me));
            assert_eq!(sctp[16..20], want.to_be_bytes());
        }
    }
}

#[test]
fn init_ack_is_open_and_aborted_abort_is_closed() {
    let key = CookieKey::from_seed(4);
    let ip = TargetIp::V4(u32::from(Ipv4Addr::new(198, 18, 1, 20)));
    let f = init(ip, None, &key);
    let mut rx = receiver(key);
    let mut buf = [0u8; 256];
    let o = rx.handle(&answer(&f, INIT_ACK), 1, &mut buf);
    let Some(Record::Status(s)) = o.record else {
        panic!("no result")
    };
    assert_eq!((s.ip_proto, s.port, s.status), (132, 9, Status::Open));
    // The ABORT goes back with the peer's tag and a valid checksum.
    let (abort, from, to) = sctp_of(&buf[..o.answer_len]);
    assert_eq!((from.to_string(), to), ("198.18.0.2".to_string(), s.ip));
    assert_eq!(
        (abort[12], &abort[4..8]),
        (ABORT, &[0xab, 0xcd, 0xef, 0x01][..])
    );
    assert!(crc_ok(&abort));
    // A repeated INIT ACK is aborted again but reported once.
    let again = rx.handle(&answer(&f, INIT_ACK), 2, &mut buf);
    assert!(again.record.is_none() && again.answer_len > 0);

    let f = init(
        TargetIp::V4(u32::from(Ipv4Addr::new(198, 18, 1, 21))),
        None,
        &key,
    );
    let o = rx.handle(&answer(&f, ABORT), 3, &mut buf);
    let Some(Record::Status(s)) = o.record else {
        panic!("no closed result")
    };
    assert_eq!((s.status, o.answer_len), (Status::Closed, 0));
    let mut other = receiver(CookieKey::from_seed(5));
    assert!(other
        .handle(&answer(&f, ABORT), 3, &mut buf)
        .record
        .is_none());
    assert_eq!(other.counters().bad_cookie, 1);
    // Truncated SCTP is not ours and does not panic.
    let a = answer(&f, INIT_ACK);
    for n in 14..a.len() {
        let _ = receiver(key).handle(&a[..n], 0, &mut buf);
    }
}

//! Raw IP probes: the set of protocols, filled frames (parsed by etherparse, checksums
//! checked), and each reply that counts: a packet in the protocol, an echo reply, ICMP errors.

use super::*;
use crate::frame::Link;
use crate::plan::ports::PortSetBuilder;
use crate::plan::Target;
use crate::probe::{classify_frame_raw, Probes};
use crate::testing::dual_source;
use etherparse::icmpv4::DestUnreachableHeader;
use etherparse::icmpv6::{ParameterProblemCode, ParameterProblemHeader};
use etherparse::{NetSlice, PacketBuilder, SlicedPacket};
use std::net::{Ipv4Addr, Ipv6Addr};

const THEM4: [u8; 4] = [198, 18, 1, 7];
const ME4: [u8; 4] = [198, 18, 0, 2];
const THEM6: &str = "2001:2:0:1::7";
const ME6: &str = "2001:2::2";

fn protos(spec: &str) -> RawProtos {
    let mut b = PortSetBuilder::new();
    b.add_spec(spec).unwrap();
    RawProtos::from_ports(&b.build())
}

fn v4() -> TargetIp {
    TargetIp::V4(u32::from_be_bytes(THEM4))
}

fn v6() -> TargetIp {
    TargetIp::V6(u128::from(THEM6.parse::<Ipv6Addr>().unwrap()))
}

/// The probe of `proto` to `ip`, written over a frame full of 0xaa.
fn probe(ip: TargetIp, proto: u8, vlan: Option<u16>, key: &CookieKey) -> Vec<u8> {
    let params = TemplateParams {
        link: Link {
            vlan,
            ..Link::default()
        },
        ..TemplateParams::default()
    };
    let probes = Probes::new(&params, &params).unwrap();
    let src = dual_source("40000");
    let t = Target {
        ip,
        port: Proto::Other.base() + u32::from(proto),
        number: 5,
        attempt: 0,
        canary: false,
    };
    let mut frame = [0xaau8; 128];
    let n = probes.fill(&mut frame, &t, &src.choose(5), key).unwrap();
    frame[..n].to_vec()
}

fn verdict<'a>(frame: &'a [u8], key: &CookieKey, raw: &RawProtos) -> Verdict<'a> {
    classify_frame_raw(frame, key, &dual_source("40000"), raw)
}

fn result(v: Verdict<'_>) -> (u8, u16, Status) {
    match v {
        Verdict::Reply(r) => (r.ip_proto, r.port_them, r.status),
        other => panic!("not a reply: {other:?}"),
    }
}

/// A packet of `proto` from the target to us with `payload`.
fn packet_from_target(v6: bool, proto: u8, payload: &[u8]) -> Vec<u8> {
    let eth = PacketBuilder::ethernet2([2; 6], [4; 6]);
    let mut v = Vec::new();
    if v6 {
        let (t, m) = (
            THEM6.parse::<Ipv6Addr>().unwrap(),
            ME6.parse::<Ipv6Addr>().unwrap(),
        );
        eth.ipv6(t.octets(), m.octets(), 64)
            .write(&mut v, IpNumber(proto), payload)
            .unwrap();
    } else {
        eth.ipv4(THEM4, ME4, 64)
            .write(&mut v, IpNumber(proto), payload)
            .unwrap();
    }
    v
}

/// The ICMPv4 unreachable the target sends about `probe` (an untagged frame).
fn unreachable_v4(probe: &[u8], h: DestUnreachableHeader) -> Vec<u8> {
    let ip_len = u16::from_be_bytes([probe[16], probe[17]]) as usize;
    let mut v = Vec::new();
    PacketBuilder::ethernet2([2; 6], [4; 6])
        .ipv4(THEM4, ME4, 64)
        .icmpv4(Icmpv4Type::DestinationUnreachable(h))
        .write(&mut v, &probe[14..14 + ip_len])
        .unwrap();
    v
}

#[test]
fn the_set_holds_exactly_the_o_ports() {
    let set = protos("80,U:53,O:1,4-6,O:47,O:255,I:0");
    let inside: Vec<u8> = (0..=255u8).filter(|p| set.contains(*p)).collect();
    assert_eq!(inside, vec![1, 4, 5, 6, 47, 255]);
    assert!(protos("80,U:53").is_empty());
    let w = set.words32();
    assert_eq!(w[0], 1 << 1 | 1 << 4 | 1 << 5 | 1 << 6);
    assert_eq!(w[1], 1 << (47 - 32));
    assert_eq!(w[7], 1 << 31);
    assert_eq!(w[2..7], [0; 5]);
}

#[test]
fn probes_are_valid_packets_of_their_protocol() {
    let key = CookieKey::from_seed(31);
    for vlan in [None, Some(9)] {
        for (ip, proto, len) in [(v4(), 1, 8), (v4(), 47, 4), (v4(), 4, 0), (v4(), 132, 0)] {
            let f = probe(ip, proto, vlan, &key);
            assert_eq!(f.len(), 60.max(f.len()));
            let p = SlicedPacket::from_ethernet(&f).unwrap();
            let Some(NetSlice::Ipv4(ip)) = &p.net else {
                panic!("not IPv4")
            };
            let h = ip.header().to_header();
            assert_eq!(h.header_checksum, h.calc_header_checksum(), "proto {proto}");
            assert_eq!(h.protocol.0, proto);
            assert_eq!(h.source, ME4);
            assert_eq!(h.destination, THEM4);
            assert_eq!(ip.payload().payload.len(), len, "proto {proto}");
            let id = ip_id(
                &key,
                u32::from_be_bytes(THEM4),
                u32::from_be_bytes(ME4),
                proto,
            );
            assert_eq!(h.identification, id);
            let end = 14 + vlan.map_or(0, |_| 4) + 20 + len;
            assert!(f[end..].iter().all(|b| *b == 0), "padding is zero");
            if proto == 1 {
                let Some(TransportSlice::Icmpv4(icmp)) = &p.transport else {
                    panic!("not ICMP")
                };
                assert!(matches!(icmp.icmp_type(), Icmpv4Type::EchoRequest(_)));
                assert_eq!(
                    icmp.checksum(),
                    icmp.icmp_type().calc_checksum(icmp.payload())
                );
            }
            if proto == 47 {
                assert_eq!(ip.payload().payload, [0; 4], "the original's GRE payload");
            }
        }
        for (proto, len) in [(58, 8), (47, 4), (1, 0), (4, 0)] {
            let f = probe(v6(), proto, vlan, &key);
            let off = 14 + vlan.map_or(0, |_| 4);
            let h = etherparse::Ipv6HeaderSlice::from_slice(&f[off..]).unwrap();
            assert_eq!(h.next_header().0, proto);
            assert_eq!(h.payload_length() as usize, len);
            assert!(
                f[off + 40 + len..].iter().all(|b| *b == 0),
                "padding is zero"
            );
            if proto == 58 {
                let p = SlicedPacket::from_ethernet(&f).unwrap();
                let Some(NetSlice::Ipv6(ip)) = &p.net else {
                    panic!("not IPv6")
                };
                let Some(TransportSlice::Icmpv6(icmp)) = &p.transport else {
                    panic!("not ICMPv6")
                };
                let want = icmp
                    .icmp_type()
                    .calc_checksum(
                        ip.header().source(),
                        ip.header().destination(),
                        icmp.payload(),
                    )
                    .unwrap();
                assert_eq!(icmp.checksum(), want);
            }
        }
    }
}

#[test]
fn any_packet_of_a_probed_protocol_is_open() {
    let key = CookieKey::from_seed(32);
    let set = protos("O:47,4");
    for v6 in [false, true] {
        let gre = packet_from_target(v6, 47, &[0, 0, 8, 0]);
        assert_eq!(result(verdict(&gre, &key, &set)), (47, 47, Status::Open));
        // Not probed: not ours.
        assert_eq!(verdict(&gre, &key, &protos("O:4")), Verdict::NotOurs);
        assert_eq!(verdict(&gre, &key, &RawProtos::default()), Verdict::NotOurs);
        let ipip = packet_from_target(v6, 4, &[]);
        assert_eq!(result(verdict(&ipip, &key, &set)), (4, 4, Status::Open));
    }
    // SCTP that is no reply to an SCTP probe counts for a probe of protocol 132.
    let sctp = packet_from_target(false, 132, &[0; 12]);
    assert_eq!(
        verdict(&sctp, &key, &RawProtos::default()),
        Verdict::NotOurs
    );
    assert_eq!(
        result(verdict(&sctp, &key, &protos("O:132"))),
        (132, 132, Status::Open)
    );
}

#[test]
fn an_echo_reply_to_the_icmp_probe_is_open() {
    let key = CookieKey::from_seed(33);
    for (ip, proto) in [(v4(), 1u8), (v6(), 58)] {
        let f = probe(ip, proto, None, &key);
        let p = SlicedPacket::from_ethernet(&f).unwrap();
        let (id, seq) = match p.transport.unwrap() {
            TransportSlice::Icmpv4(i) => match i.icmp_type() {
                Icmpv4Type::EchoRequest(e) => (e.id, e.seq),
                other => panic!("{other:?}"),
            },
            TransportSlice::Icmpv6(i) => match i.icmp_type() {
                Icmpv6Type::EchoRequest(e) => (e.id, e.seq),
                other => panic!("{other:?}"),
            },
            _ => panic!("not ICMP"),
        };
        let eth = PacketBuilder::ethernet2([2; 6], [4; 6]);
        let mut reply = Vec::new();
        if proto == 1 {
            eth.ipv4(THEM4, ME4, 64)
                .icmpv4_echo_reply(id, seq)
                .write(&mut reply, &[])
                .unwrap();
        } else {
            let (t, m) = (
                THEM6.parse::<Ipv6Addr>().unwrap(),
                ME6.parse::<Ipv6Addr>().unwrap(),
            );
            eth.ipv6(t.octets(), m.octets(), 64)
                .icmpv6_echo_reply(id, seq)
                .write(&mut reply, &[])
                .unwrap();
        }
        let set = protos(&format!("O:{proto}"));
        let got = result(verdict(&reply, &key, &set));
        assert_eq!(got, (proto, u16::from(proto), Status::Open));
        // Without the raw probe, it is the ping kind's bad cookie; with another key, too.
        assert_eq!(
            verdict(&reply, &key, &RawProtos::default()),
            Verdict::BadCookie
        );
        let other = CookieKey::from_seed(34);
        assert_eq!(verdict(&reply, &other, &set), Verdict::BadCookie);
    }
}

#[test]
fn icmp_errors_about_a_probe_say_closed_or_open() {
    let key = CookieKey::from_seed(35);
    let set = protos("O:47,132");
    for proto in [47u8, 132] {
        let f = probe(v4(), proto, None, &key);
        let closed = unreachable_v4(&f, DestUnreachableHeader::Protocol);
        assert_eq!(
            result(verdict(&closed, &key, &set)),
            (proto, u16::from(proto), Status::Closed)
        );
        let open = unreachable_v4(&f, DestUnreachableHeader::Port);
        assert_eq!(
            result(verdict(&open, &key, &set)),
            (proto, u16::from(proto), Status::Open)
        );
        let host = unreachable_v4(&f, DestUnreachableHeader::Host);
        assert_eq!(verdict(&host, &key, &set), Verdict::IcmpError);
        // Another scan's key: the quoted identification is not ours.
        let other = CookieKey::from_seed(36);
        assert_eq!(verdict(&closed, &other, &set), Verdict::BadCookie);
        // A scan that does not probe the protocol does not read it.
        assert_ne!(
            verdict(&closed, &key, &protos("O:4")),
            result_verdict_closed(proto)
        );
    }
    // IPv6: "unrecognized next header" is protocol unreachable.
    let f = probe(v6(), 47, None, &key);
    let (t, m) = (
        THEM6.parse::<Ipv6Addr>().unwrap(),
        ME6.parse::<Ipv6Addr>().unwrap(),
    );
    let mut e = Vec::new();
    PacketBuilder::ethernet2([2; 6], [4; 6])
        .ipv6(t.octets(), m.octets(), 64)
        .icmpv6(Icmpv6Type::ParameterProblem(ParameterProblemHeader {
            code: ParameterProblemCode::UnrecognizedNextHeader,
            pointer: 6,
        }))
        .write(&mut e, &f[14..])
        .unwrap();
    assert_eq!(result(verdict(&e, &key, &set)), (47, 47, Status::Closed));
    assert_eq!(verdict(&e, &key, &RawProtos::default()), Verdict::NotOurs);
}

fn result_verdict_closed(proto: u8) -> Verdict<'static> {
    reply(IpAddr::V4(Ipv4Addr::from(THEM4)), proto, Status::Closed)
}

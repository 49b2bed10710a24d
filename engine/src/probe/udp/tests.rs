use super::*;
use crate::classify::{Classifier, ClassifierConfig};
use crate::cookie::CookieKey;
use crate::frame::Link;
use crate::output::Record;
use crate::plan::ports::Proto;
use crate::plan::source::Source;
use crate::plan::Target;
use crate::probe::{classify_frame, Probes};
use crate::testing::dual_source;
use etherparse::icmpv4::DestUnreachableHeader;
use etherparse::icmpv6::DestUnreachableCode;
use etherparse::PacketBuilder;
use etherparse::{Icmpv4Type, Icmpv6Type, NetSlice, SlicedPacket, TransportSlice};
use std::net::{Ipv4Addr, Ipv6Addr};

fn source() -> Source {
    dual_source("40000-40255")
}

fn v4() -> TargetIp {
    TargetIp::V4(u32::from(Ipv4Addr::new(198, 18, 1, 7)))
}

fn v6() -> TargetIp {
    TargetIp::V6(u128::from("2001:2:0:1::7".parse::<Ipv6Addr>().unwrap()))
}

fn probe(ip: TargetIp, port: u16, vlan: Option<u16>, key: &CookieKey) -> Vec<u8> {
    let params = TemplateParams {
        link: Link {
            vlan,
            ..Link::default()
        },
        ..TemplateParams::default()
    };
    let probes = Probes::new(&params, &params).unwrap();
    let src = source();
    let t = Target {
        ip,
        port: Proto::Udp.base() + u32::from(port),
        number: 5,
        attempt: 0,
        canary: false,
    };
    let mut frame = [0xaau8; 2048];
    let n = probes.fill(&mut frame, &t, &src.choose(5), key).unwrap();
    frame[..n].to_vec()
}

/// A datagram from the probed port back to the probe's source port, carrying `payload`.
fn answer(probe: &[u8], payload: &[u8]) -> Vec<u8> {
    let p = SlicedPacket::from_ethernet(probe).unwrap();
    let Some(TransportSlice::Udp(u)) = p.transport else {
        panic!("not UDP")
    };
    let eth = PacketBuilder::ethernet2([2; 6], [4; 6]);
    let mut v = Vec::new();
    match p.net.unwrap() {
        NetSlice::Ipv4(ip) => eth
            .ipv4(ip.header().destination(), ip.header().source(), 64)
            .udp(u.destination_port(), u.source_port())
            .write(&mut v, payload)
            .unwrap(),
        NetSlice::Ipv6(ip) => eth
            .ipv6(ip.header().destination(), ip.header().source(), 64)
            .udp(u.destination_port(), u.source_port())
            .write(&mut v, payload)
            .unwrap(),
    }
    v
}

/// The ICMP destination unreachable (port, or host when `host`) a target sends about `probe`.
fn unreachable(probe: &[u8], host: bool) -> Vec<u8> {
    let p = SlicedPacket::from_ethernet(probe).unwrap();
    let ip_start = if p.vlan.is_some() { 18 } else { 14 };
    let quoted = &probe[ip_start..];
    let eth = PacketBuilder::ethernet2([2; 6], [4; 6]);
    let mut v = Vec::new();
    match p.net.unwrap() {
        NetSlice::Ipv4(ip) => {
            let h = if host {
                DestUnreachableHeader::Host
            } else {
                DestUnreachableHeader::Port
            };
            let ip_len = ip.header().total_len() as usize;
            eth.ipv4(ip.header().destination(), ip.header().source(), 64)
                .icmpv4(Icmpv4Type::DestinationUnreachable(h))
                .write(&mut v, &quoted[..ip_len])
                .unwrap()
        }
        NetSlice::Ipv6(ip) => {
            let code = if host {
                DestUnreachableCode::Address
            } else {
                DestUnreachableCode::Port
            };
            let len = 40 + ip.header().payload_length() as usize;
            eth.ipv6(ip.header().destination(), ip.header().source(), 64)
                .icmpv6(Icmpv6Type::DestinationUnreachable(code))
                .write(&mut v, &quoted[..len])
                .unwrap()
        }
    }
    v
}

fn udp_payload(frame: &[u8]) -> Vec<u8> {
    match SlicedPacket::from_ethernet(frame).unwrap().transport {
        Some(TransportSlice::Udp(u)) => u.payload().to_vec(),
        _ => panic!("not UDP"),
    }
}

#[test]
fn probes_have_valid_checksums_and_the_payload_of_their_port() {
    let key = CookieKey::from_seed(3);
    let builtin = crate::udp::payloads::builtin();
    for ip in [v4(), v6()] {
        for vlan in [None, Some(12)] {
            for port in [53u16, 123, 161, 500, 5683, 11211, 1900, 9999, 7] {
                let frame = probe(ip, port, vlan, &key);
                let p = SlicedPacket::from_ethernet(&frame).unwrap();
                let Some(TransportSlice::Udp(u)) = &p.transport else {
                    panic!("not UDP")
                };
                let hdr = u.to_header();
                let want = match p.net.as_ref().unwrap() {
                    NetSlice::Ipv4(h) => {
                        let hh = h.header().to_header();
                        assert_eq!(hh.header_checksum, hh.calc_header_checksum(), "{port}");
                        hdr.calc_checksum_ipv4(&hh, u.payload()).unwrap()
                    }
                    NetSlice::Ipv6(h) => hdr
                        .calc_checksum_ipv6(&h.header().to_header(), u.payload())
                        .unwrap(),
                };
                assert_eq!(
                    u.checksum(),
                    want,
                    "UDP checksum, port {port} vlan {vlan:?}"
                );
                assert_eq!(u.destination_port(), port);
                assert!(source().owns_port(u.source_port()));
                match builtin.iter().find(|b| b.port == port) {
                    Some(b) => {
                        assert_eq!(u.payload().len(), b.bytes.len(), "{port}");
                        let mut expect = b.bytes.clone();
                        if let Some(c) = b.cookie {
                            let (at, len) = c.span();
                            expect[at..at + len].copy_from_slice(&u.payload()[at..at + len]);
                        }
                        assert_eq!(u.payload(), expect.as_slice(), "{port}");
                    }
                    None => assert!(u.payload().is_empty()),
                }
            }
        }
    }
}

#[test]
fn replies_bring_the_cookie_back_in_port_and_payload() {
    let key = CookieKey::from_seed(3);
    let src = source();
    for ip in [v4(), v6()] {
        // A port without an id field: only the source port carries the cookie.
        let frame = probe(ip, 9999, None, &key);
        match classify_frame(&answer(&frame, b"hi"), &key, &src) {
            Verdict::Reply(r) => {
                assert_eq!(
                    (r.ip_proto, r.port_them, r.status),
                    (17, 9999, Status::Open)
                );
                assert!(!r.ip_mismatch);
            }
            other => panic!("{other:?}"),
        }
        let other = CookieKey::from_seed(4);
        assert_eq!(
            classify_frame(&answer(&frame, b"hi"), &other, &src),
            Verdict::BadCookie
        );

        // DNS: the reply echoes our transaction id.
        let frame = probe(ip, 53, None, &key);
        let id = u16::from_be_bytes(udp_payload(&frame)[..2].try_into().unwrap());
        let good = dns_reply(id);
        let reply = answer(&frame, &good);
        let Verdict::Reply(r) = classify_frame(&reply, &key, &src) else {
            panic!("DNS reply not recognised")
        };
        assert!(!r.ip_mismatch);
        // The wrong id, from a host we did not probe there: a DNS answer all the same, marked.
        let bad = dns_reply(id ^ 0x5555);
        let reply = answer(&frame, &bad);
        let Verdict::Reply(r) = classify_frame(&reply, &other, &src) else {
            panic!("mismatched DNS reply dropped")
        };
        assert!(r.ip_mismatch);
        // Garbage with the wrong id is not ours.
        let junk = [(id ^ 1).to_be_bytes().as_slice(), b"junk"].concat();
        assert_eq!(
            classify_frame(&answer(&frame, &junk), &other, &src),
            Verdict::BadCookie
        );
    }
}

fn dns_reply(id: u16) -> Vec<u8> {
    let mut p = simple_dns::Packet::new_reply(id);
    let txt = simple_dns::rdata::TXT::new()
        .with_string("9.18-lab")
        .unwrap();
    p.answers.push(simple_dns::ResourceRecord::new(
        simple_dns::Name::new_unchecked("version.bind"),
        simple_dns::CLASS::CH,
        0,
        simple_dns::rdata::RData::TXT(txt),
    ));
    p.build_bytes_vec().unwrap()
}

#[test]
fn port_unreachable_is_closed_and_host_unreachable_counted() {
    let key = CookieKey::from_seed(9);
    let src = source();
    for ip in [v4(), v6()] {
        for vlan in [None, Some(3)] {
            let frame = probe(ip, 161, vlan, &key);
            match classify_frame(&unreachable(&frame, false), &key, &src) {
                Verdict::Reply(r) => {
                    assert_eq!(
                        (r.ip_proto, r.port_them, r.status),
                        (17, 161, Status::Closed)
                    );
                }
                other => panic!("{other:?}"),
            }
            assert_eq!(
                classify_frame(&unreachable(&frame, true), &key, &src),
                Verdict::IcmpError
            );
            let other = CookieKey::from_seed(10);
            assert_eq!(
                classify_frame(&unreachable(&frame, false), &other, &src),
                Verdict::BadCookie
            );
        }
    }
}

#[test]
fn the_receiver_reports_the_port_and_its_banner_once() {
    let key = CookieKey::from_seed(5);
    let mut rx = Classifier::new(ClassifierConfig {
        link: Link::new([4; 6]),
        report_closed: true,
        ..ClassifierConfig::new(key, source())
    });
    let frame = probe(v4(), 53, None, &key);
    let id = u16::from_be_bytes(udp_payload(&frame)[..2].try_into().unwrap());
    let reply = answer(&frame, &dns_reply(id));
    let mut buf = [0u8; 256];
    let o = rx.handle(&reply, 1000, &mut buf);
    assert_eq!(o.answer_len, 0, "a UDP reply is not answered");
    let Some(Record::Status(s)) = o.record else {
        panic!("no status")
    };
    assert_eq!((s.ip_proto, s.port), (17, 53));
    let Some(Record::Banner(b)) = o.banner else {
        panic!("no banner")
    };
    assert_eq!((b.app_proto, b.banner.as_slice()), (6, &b"9.18-lab"[..]));
    let again = rx.handle(&reply, 1001, &mut buf);
    assert_eq!((again.record, again.banner), (None, None));
    assert_eq!(rx.counters().duplicates, 1);
    // The same port over TCP is a different result.
    let closed = unreachable(&probe(v4(), 54, None, &key), false);
    let o = rx.handle(&closed, 1002, &mut buf);
    let Some(Record::Status(s)) = o.record else {
        panic!("no closed status")
    };
    assert_eq!((s.port, s.status), (54, Status::Closed));
    let host = unreachable(&probe(v4(), 55, None, &key), true);
    assert_eq!(rx.handle(&host, 1003, &mut buf).record, None);
    assert_eq!(rx.counters().icmp_errors, 1);
}

#[test]
fn rawudp_reports_the_raw_reply_beside_its_parsed_banner() {
    let key = CookieKey::from_seed(5);
    for raw_udp in [false, true] {
        let mut rx = Classifier::new(ClassifierConfig {
            link: Link::new([4; 6]),
            raw_udp,
            ..ClassifierConfig::new(key, source())
        });
        let frame = probe(v4(), 53, None, &key);
        let id = u16::from_be_bytes(udp_payload(&frame)[..2].try_into().unwrap());
        let payload = dns_reply(id);
        let mut buf = [0u8; 256];
        let o = rx.handle(&answer(&frame, &payload), 1000, &mut buf);
        assert!(matches!(o.banner, Some(Record::Banner(ref b)) if b.app_proto == 6));
        match o.raw_banner {
            Some(Record::Banner(b)) => {
                assert!(raw_udp);
                assert_eq!((b.app_proto, b.port), (0, 53));
                assert_eq!(b.banner, payload);
            }
            None => assert!(!raw_udp),
            other => panic!("{other:?}"),
        }
    }
}

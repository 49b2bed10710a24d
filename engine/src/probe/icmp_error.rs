//! ICMP errors about our probes: a destination unreachable message quotes the start of the
//! datagram it is about, so the quoted headers carry the cookie back. Port unreachable
//! quoting one of our UDP probes (ICMPv4 type 3 code 3, ICMPv6 type 1 code 4) reports that
//! port closed; any other unreachable quoting a UDP probe, or one quoting a TCP SYN or an SCTP
//! INIT (a host without SCTP answers protocol unreachable), is counted ([`Verdict::IcmpError`]).
//! An error that quotes none of those is read against the raw IP probes ([`raw_ip::quoted`]),
//! where an ICMPv6 parameter problem "unrecognized next header" counts as protocol unreachable.
//! The quoted packet is read with etherparse's lax slicer, which accepts the truncated datagram
//! an ICMP error carries.

use super::raw_ip::{self, Quoted, RawProtos, Unreachable};
use super::{sctp_init, tcp_syn, udp, Answer, ProbeReply, ReplyAddrs, Verdict};
use crate::cookie::CookieKey;
use crate::output::Status;
use crate::plan::source::Source;
use etherparse::icmpv4::DestUnreachableHeader;
use etherparse::icmpv6::{DestUnreachableCode, ParameterProblemCode};
use etherparse::{Icmpv4Type, Icmpv6Type, LaxNetSlice, LaxSlicedPacket, TransportSlice};
use std::net::IpAddr;

pub fn classify(
    transport: &TransportSlice<'_>,
    a: &ReplyAddrs,
    key: &CookieKey,
    source: &Source,
    raw: &RawProtos,
) -> Verdict<'static> {
    let (why, quoted) = match transport {
        TransportSlice::Icmpv4(i) => match i.icmp_type() {
            Icmpv4Type::DestinationUnreachable(h) => (
                match h {
                    DestUnreachableHeader::Port => Unreachable::Port,
                    DestUnreachableHeader::Protocol => Unreachable::Protocol,
                    _ => Unreachable::Other,
                },
                i.payload(),
            ),
            _ => return Verdict::NotOurs,
        },
        TransportSlice::Icmpv6(i) => match i.icmp_type() {
            Icmpv6Type::DestinationUnreachable(code) => (
                if code == DestUnreachableCode::Port {
                    Unreachable::Port
                } else {
                    Unreachable::Other
                },
                i.payload(),
            ),
            Icmpv6Type::ParameterProblem(h)
                if h.code == ParameterProblemCode::UnrecognizedNextHeader =>
            {
                (Unreachable::Protocol, i.payload())
            }
            _ => return Verdict::NotOurs,
        },
        _ => return Verdict::NotOurs,
    };
    let port_unreachable = why == Unreachable::Port;
    let Ok(q) = LaxSlicedPacket::from_ip(quoted) else {
        return Verdict::NotOurs;
    };
    let (me, them) = match &q.net {
        Some(LaxNetSlice::Ipv4(ip)) => (
            IpAddr::V4(ip.header().source_addr()),
            IpAddr::V4(ip.header().destination_addr()),
        ),
        Some(LaxNetSlice::Ipv6(ip)) => (
            IpAddr::V6(ip.header().source_addr()),
            IpAddr::V6(ip.header().destination_addr()),
        ),
        None => return Verdict::NotOurs,
    };
    if me != a.me {
        return Verdict::NotOurs; // quotes a datagram that was not from the address it came to
    }
    let v = quoted_kind(&q, port_unreachable, key, source, (them, me));
    if raw.is_empty() || !matches!(v, Verdict::NotOurs | Verdict::BadCookie) {
        return v;
    }
    let (proto, id) = match &q.net {
        Some(LaxNetSlice::Ipv4(ip)) => {
            (ip.payload().ip_number.0, Some(ip.header().identification()))
        }
        Some(LaxNetSlice::Ipv6(ip)) => (ip.payload().ip_number.0, None),
        None => return v,
    };
    match raw_ip::quoted(
        &Quoted {
            them,
            me,
            proto,
            id,
        },
        why,
        key,
        raw,
    ) {
        Verdict::NotOurs => v,
        raw => raw,
    }
}

/// An error quoting a UDP, TCP or SCTP probe.
fn quoted_kind(
    q: &LaxSlicedPacket<'_>,
    port_unreachable: bool,
    key: &CookieKey,
    source: &Source,
    (them, me): (IpAddr, IpAddr),
) -> Verdict<'static> {
    match &q.transport {
        Some(TransportSlice::Udp(u)) => {
            let port_them = u.destination_port();
            let c = udp::cookie(key, them, me, port_them);
            if u.source_port() != source.port_of(c) {
                return Verdict::BadCookie;
            }
            if !port_unreachable {
                return Verdict::IcmpError;
            }
            Verdict::Reply(ProbeReply {
                them,
                ip_proto: 17,
                port_them,
                port_me: u.source_port(),
                status: Status::Closed,
                reason: 0,
                answer: Answer::Nothing,
                ip_mismatch: false,
                attempt: 0,
            })
        }
        Some(TransportSlice::Tcp(t)) => {
            let (port_them, port_me) = (t.destination_port(), t.source_port());
            let c = tcp_syn::cookie(key, them, me, port_them, port_me) as u32;
            if t.sequence_number() == c {
                Verdict::IcmpError
            } else {
                Verdict::BadCookie
            }
        }
        _ => quoted_sctp(q, key, them, me),
    }
}

/// An error quoting one of our SCTP INITs (checked by its initiate tag when quoted).
fn quoted_sctp(
    q: &LaxSlicedPacket<'_>,
    key: &CookieKey,
    them: IpAddr,
    me: IpAddr,
) -> Verdict<'static> {
    let payload = match &q.net {
        Some(LaxNetSlice::Ipv4(ip)) => ip.payload(),
        Some(LaxNetSlice::Ipv6(ip)) => ip.payload(),
        None => return Verdict::NotOurs,
    };
    if payload.ip_number.0 != sctp_init::IPPROTO_SCTP {
        return Verdict::NotOurs;
    }
    let p = payload.payload;
    let (Some(ports), Some(tag)) = (p.get(..4), p.get(16..20)) else {
        return Verdict::NotOurs;
    };
    let (port_me, port_them) = (
        u16::from_be_bytes([ports[0], ports[1]]),
        u16::from_be_bytes([ports[2], ports[3]]),
    );
    let c = sctp_init::initiate_tag(tcp_syn::cookie(key, them, me, port_them, port_me));
    if u32::from_be_bytes([tag[0], tag[1], tag[2], tag[3]]) == c {
        Verdict::IcmpError
    } else {
        Verdict::BadCookie
    }
}

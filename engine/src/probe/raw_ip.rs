//! Raw IP protocol probes (`-pO:N`, `--oproto N`; `-sO` is accepted as the original accepts it
//! and changes nothing): one IPv4 or IPv6 packet per target whose protocol (next header) is the
//! port-space value `N`, and what reply counts as an answer.
//!
//! Payloads: the original's table has one, for GRE (47): four zero bytes (a GRE header with no
//! flags and protocol type 0). Ours adds an echo request for ICMP (1 over IPv4, 58 over IPv6),
//! so that protocol gets an answer; every other protocol is sent with no payload (a TCP, UDP or
//! SCTP stack drops such a packet silently, so those protocols report only when the host lacks
//! them). The original sends no frame of its own for these targets and reports nothing about
//! them (its receive hook for other protocols is empty); the answers here are nmap's `-sO`
//! reading of the replies:
//!
//! - any packet of protocol `N` to our address (`N` not read by another kind, or refused by
//!   it): `open`, protocol `N`, port `N`;
//! - an echo reply carrying this kind's cookie (ICMP): `open`;
//! - destination unreachable, protocol (ICMPv4 code 2; for IPv6 the parameter problem
//!   "unrecognized next header") quoting our probe: `closed`; port unreachable (what Linux
//!   answers to a GRE packet no tunnel takes): `open`, the protocol's own layer answered;
//!   any other unreachable is counted.
//!
//! Matching without state: over IPv4 the IP identification carries 16 bits of the cookie of
//! (their address, our address, `N`) and an ICMP error quotes it back; the echo request carries
//! 32 bits in its identifier and sequence number. A reply in protocol `N` itself (GRE, ...) has
//! no field that echoes anything of ours, so it is matched by our address and its protocol only:
//! anyone can forge one, and unsolicited traffic of that protocol to us (a tunnel's keepalives)
//! during the scan counts as an answer from its sender. IPv6 has no identification field, so
//! its ICMPv6 errors are matched by our address and the quoted next header only.

use super::{Answer, ProbeReply, ReplyAddrs, Verdict};
use crate::cookie::CookieKey;
use crate::frame::{fold, halves128, sum_words, MIN_FRAME};
use crate::output::Status;
use crate::plan::ports::{PortSet, Proto};
use crate::plan::source::SourceChoice;
use crate::plan::TargetIp;
use crate::template::{ip_step, TemplateError, TemplateParams};
use etherparse::{Icmpv4Type, Icmpv6Type, IpNumber, TransportSlice};
use std::net::IpAddr;

/// GRE, the one protocol the original has a payload for.
pub const IPPROTO_GRE: u8 = 47;
const IPPROTO_ICMP: u8 = 1;
const IPPROTO_ICMPV6: u8 = 58;
/// Ethernet + 802.1Q + IPv6 header, the longest head a template has.
const MAX_HEAD: usize = 14 + 4 + 40;
/// The longest payload (an echo request's header).
const MAX_PAYLOAD: usize = 8;

/// The IP protocols a scan probes (its `O:` ports), a 256-bit set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RawProtos([u64; 4]);

impl RawProtos {
    /// The `O:` values of `ports`.
    pub fn from_ports(ports: &PortSet) -> Self {
        let mut set = Self::default();
        for (proto, first, last) in ports.ranges() {
            if proto == Proto::Other {
                for p in first..=last.min(255) {
                    set.insert(p as u8);
                }
            }
        }
        set
    }

    pub fn insert(&mut self, p: u8) {
        self.0[usize::from(p >> 6)] |= 1 << (p & 63);
    }

    #[inline]
    pub fn contains(&self, p: u8) -> bool {
        self.0[usize::from(p >> 6)] & (1 << (p & 63)) != 0
    }

    pub fn is_empty(&self) -> bool {
        self.0 == [0; 4]
    }

    /// The set as eight 32-bit words, protocol `p` at bit `p % 32` of word `p / 32` (the XDP
    /// program's layout).
    pub fn words32(&self) -> [u32; 8] {
        let mut w = [0u32; 8];
        for (i, x) in w.iter_mut().enumerate() {
            *x = (self.0[i / 2] >> (32 * (i % 2))) as u32;
        }
        w
    }
}

/// Ethernet and IP header of one family with the per-probe fields at zero.
#[derive(Clone, Debug)]
pub struct RawTemplate {
    head: [u8; MAX_HEAD],
    head_len: usize,
    ip_off: usize,
}

/// The raw IP templates of a scan, one per address family.
#[derive(Clone, Debug)]
pub struct RawIp {
    pub v4: RawTemplate,
    pub v6: RawTemplate,
}

impl RawIp {
    pub fn new(v4: &TemplateParams, v6: &TemplateParams) -> Result<Self, TemplateError> {
        Ok(Self {
            v4: RawTemplate::new(v4, false)?,
            v6: RawTemplate::new(v6, true)?,
        })
    }

    /// Writes the probe of protocol `proto` to `ip` from `src` into `frame` (at least 66
    /// bytes); returns its length.
    pub fn fill(
        &self,
        frame: &mut [u8],
        ip: TargetIp,
        proto: u8,
        src: &SourceChoice<'_>,
        key: &CookieKey,
    ) -> usize {
        match ip {
            TargetIp::V4(them) => {
                let me = src.v4();
                let c = cookie_v4(key, them, me, proto);
                self.v4.fill_v4(frame, (me, them), proto, c)
            }
            TargetIp::V6(them) => {
                let me = src.v6();
                let c = key.v6(them, me, u16::from(proto), 0);
                self.v6.fill_v6(frame, (me, them), proto, c as u32)
            }
        }
    }
}

/// The cookie of a raw IP probe over IPv4: its low 32 bits go into an echo request, bits
/// 32-47 into the IP identification.
fn cookie_v4(key: &CookieKey, them: u32, me: u32, proto: u8) -> u64 {
    key.v4(them, me, u16::from(proto), 0)
}

/// The IP identification of the probe of `proto` from `me` to `them`.
fn ip_id(key: &CookieKey, them: u32, me: u32, proto: u8) -> u16 {
    (cookie_v4(key, them, me, proto) >> 32) as u16
}

/// The payload sent in protocol `proto` (over IPv6 when `v6`) with `cookie`, and its length;
/// an ICMPv6 echo's checksum is left for the caller (it covers the pseudo-header).
fn payload(proto: u8, v6: bool, cookie: u32) -> ([u8; MAX_PAYLOAD], usize) {
    let mut p = [0u8; MAX_PAYLOAD];
    match (proto, v6) {
        (IPPROTO_ICMP, false) | (IPPROTO_ICMPV6, true) => {
            p[0] = if v6 { 128 } else { 8 }; // echo request, code 0
            p[4..8].copy_from_slice(&cookie.to_be_bytes());
            if !v6 {
                let ck = !fold(sum_words(&p));
                p[2..4].copy_from_slice(&ck.to_be_bytes());
            }
            (p, 8)
        }
        (IPPROTO_GRE, _) => (p, 4), // the original's: no flags, version 0, protocol type 0
        _ => (p, 0),
    }
}

impl RawTemplate {
    fn new(params: &TemplateParams, v6: bool) -> Result<Self, TemplateError> {
        let mut raw = Vec::with_capacity(MAX_HEAD);
        ip_step(params, v6)?
            .write(&mut raw, IpNumber(59), &[]) // "no next header"; set per probe
            .expect("writing to a Vec cannot fail");
        let ip_off = params.link.ip_offset();
        let mut head = [0u8; MAX_HEAD];
        head[..raw.len()].copy_from_slice(&raw);
        if !v6 {
            head[ip_off + 6..ip_off + 8].fill(0); // no DF, as the other probes
        }
        Ok(Self {
            head,
            head_len: raw.len(),
            ip_off,
        })
    }

    /// Copies the head, the payload and the padding to the Ethernet minimum; the length.
    fn write(&self, frame: &mut [u8], body: &[u8]) -> usize {
        let end = self.head_len + body.len();
        let len = end.max(MIN_FRAME);
        let f = &mut frame[..len];
        f[..self.head_len].copy_from_slice(&self.head[..self.head_len]);
        f[self.head_len..end].copy_from_slice(body);
        f[end..].fill(0);
        len
    }

    fn fill_v4(&self, frame: &mut [u8], (me, them): (u32, u32), proto: u8, c: u64) -> usize {
        let (body, n) = payload(proto, false, c as u32);
        let len = self.write(frame, &body[..n]);
        let i = self.ip_off;
        let h = &mut frame[i..i + 20];
        h[2..4].copy_from_slice(&(20 + n as u16).to_be_bytes());
        h[4..6].copy_from_slice(&((c >> 32) as u16).to_be_bytes());
        h[9] = proto;
        h[10..12].fill(0);
        h[12..16].copy_from_slice(&me.to_be_bytes());
        h[16..20].copy_from_slice(&them.to_be_bytes());
        let ck = !fold(sum_words(h));
        h[10..12].copy_from_slice(&ck.to_be_bytes());
        len
    }

    fn fill_v6(&self, frame: &mut [u8], (me, them): (u128, u128), proto: u8, c: u32) -> usize {
        let (mut body, n) = payload(proto, true, c);
        if proto == IPPROTO_ICMPV6 {
            let pseudo = halves128(me) + halves128(them) + n as u64 + u64::from(IPPROTO_ICMPV6);
            let ck = !fold(pseudo + sum_words(&body[..n]));
            body[2..4].copy_from_slice(&ck.to_be_bytes());
        }
        let len = self.write(frame, &body[..n]);
        let i = self.ip_off;
        let h = &mut frame[i..i + 40];
        h[4..6].copy_from_slice(&(n as u16).to_be_bytes());
        h[6] = proto;
        h[8..24].copy_from_slice(&me.to_be_bytes());
        h[24..40].copy_from_slice(&them.to_be_bytes());
        len
    }
}

/// The result of protocol `proto` from `them` with `status`.
fn reply(them: IpAddr, proto: u8, status: Status) -> Verdict<'static> {
    Verdict::Reply(ProbeReply {
        them,
        ip_proto: proto,
        port_them: u16::from(proto),
        port_me: 0,
        status,
        reason: 0,
        answer: Answer::Nothing,
        ip_mismatch: false,
        attempt: 0,
    })
}

/// A packet of IP protocol `proto` to our address (one no other kind took): `open` when the
/// scan probes that protocol. Matched by address and protocol only (nothing in it is ours).
pub fn classify(proto: u8, a: &ReplyAddrs, protos: &RawProtos) -> Verdict<'static> {
    if protos.contains(proto) {
        reply(a.them, proto, Status::Open)
    } else {
        Verdict::NotOurs
    }
}

/// An echo reply to this kind's ICMP probe (the cookie of their address, ours and the protocol
/// in identifier and sequence number): `open`, protocol 1 (58 over IPv6).
pub fn echo_reply(
    transport: &TransportSlice<'_>,
    a: &ReplyAddrs,
    key: &CookieKey,
    protos: &RawProtos,
) -> Verdict<'static> {
    let (proto, id, seq) = match transport {
        TransportSlice::Icmpv4(icmp) => match icmp.icmp_type() {
            Icmpv4Type::EchoReply(e) => (IPPROTO_ICMP, e.id, e.seq),
            _ => return Verdict::NotOurs,
        },
        TransportSlice::Icmpv6(icmp) => match icmp.icmp_type() {
            Icmpv6Type::EchoReply(e) => (IPPROTO_ICMPV6, e.id, e.seq),
            _ => return Verdict::NotOurs,
        },
        _ => return Verdict::NotOurs,
    };
    if !protos.contains(proto) {
        return Verdict::NotOurs;
    }
    let expect = match (a.them, a.me) {
        (IpAddr::V4(t), IpAddr::V4(m)) => cookie_v4(key, t.into(), m.into(), proto) as u32,
        (IpAddr::V6(t), IpAddr::V6(m)) => key.v6(t.into(), m.into(), u16::from(proto), 0) as u32,
        _ => return Verdict::NotOurs,
    };
    if (u32::from(id) << 16 | u32::from(seq)) != expect {
        return Verdict::BadCookie;
    }
    reply(a.them, proto, Status::Open)
}

/// What an ICMP error said about a datagram it quotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unreachable {
    /// Protocol unreachable (ICMPv6: parameter problem, unrecognized next header).
    Protocol,
    /// Port unreachable.
    Port,
    /// Any other unreachable code.
    Other,
}

/// The quoted IP header of an ICMP error about one of this kind's probes: protocol `proto`
/// from `me` to `them`, with identification `id` (`None` over IPv6, which has none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quoted {
    pub them: IpAddr,
    pub me: IpAddr,
    pub proto: u8,
    pub id: Option<u16>,
}

/// An ICMP error quoting one of our raw IP probes: protocol unreachable is `closed`, port
/// unreachable `open`, anything else counted; `NotOurs` when the scan does not probe the
/// quoted protocol, `BadCookie` when the quoted identification is not ours.
pub fn quoted(
    q: &Quoted,
    why: Unreachable,
    key: &CookieKey,
    protos: &RawProtos,
) -> Verdict<'static> {
    if !protos.contains(q.proto) {
        return Verdict::NotOurs;
    }
    if let (IpAddr::V4(t), IpAddr::V4(m), Some(id)) = (q.them, q.me, q.id) {
        if id != ip_id(key, t.into(), m.into(), q.proto) {
            return Verdict::BadCookie;
        }
    }
    match why {
        Unreachable::Protocol => reply(q.them, q.proto, Status::Closed),
        Unreachable::Port => reply(q.them, q.proto, Status::Open),
        Unreachable::Other => Verdict::IcmpError,
    }
}

#[cfg(test)]
#[path = "raw_ip/tests.rs"]
mod tests;

//! ICMP echo probes (`--ping`, `-pI:0`): an echo request per target whose identifier and
//! sequence number carry the cookie of the two addresses, so an echo reply is checked without
//! state, and reported as `open port 0/icmp` (as the original does). ICMPv4 for IPv4 targets,
//! ICMPv6 for IPv6 ones. Like the SYN templates, each frame is built once with etherparse and
//! filled per target with a copy and a few stores, the checksums updated incrementally.

use super::{Answer, ProbeReply, ReplyAddrs, Verdict};
use crate::cookie::CookieKey;
use crate::frame::{fold, halves128, halves32, sum_words, MIN_FRAME};
use crate::output::Status;
use crate::plan::source::SourceChoice;
use crate::plan::TargetIp;
use crate::template::{ip_step, TemplateError, TemplateParams};
use etherparse::{Icmpv4Type, Icmpv6Type, TransportSlice};
use std::net::IpAddr;

/// Longest echo request frame (Ethernet + VLAN + IPv6 + ICMPv6 echo).
const MAX_LEN: usize = 14 + 4 + 40 + 8;
const IPPROTO_ICMPV6: u64 = 58;

/// An echo request frame with the per-probe fields left at zero.
#[derive(Clone, Debug)]
pub struct EchoTemplate {
    bytes: [u8; MIN_FRAME + 8],
    frame_len: usize,
    ip_off: usize,
    icmp_off: usize,
    /// IPv4 header checksum partial sum, without addresses.
    ip_sum: u64,
    /// ICMP checksum partial sum (for ICMPv6 with the pseudo-header's length and protocol).
    icmp_sum: u64,
}

/// The echo request templates of a scan, one per address family.
#[derive(Clone, Debug)]
pub struct IcmpEcho {
    pub v4: EchoTemplate,
    pub v6: EchoTemplate,
}

impl IcmpEcho {
    pub fn new(v4: &TemplateParams, v6: &TemplateParams) -> Result<Self, TemplateError> {
        Ok(Self {
            v4: EchoTemplate::new(v4, false)?,
            v6: EchoTemplate::new(v6, true)?,
        })
    }

    /// Writes the echo request to `ip` from `src` into `frame`; returns its length.
    #[inline]
    pub fn fill(
        &self,
        frame: &mut [u8],
        ip: TargetIp,
        src: &SourceChoice<'_>,
        key: &CookieKey,
    ) -> usize {
        match ip {
            TargetIp::V4(them) => {
                let me = src.v4();
                self.v4
                    .fill_v4(frame, me, them, key.v4(them, me, 0, 0) as u32)
            }
            TargetIp::V6(them) => {
                let me = src.v6();
                self.v6
                    .fill_v6(frame, me, them, key.v6(them, me, 0, 0) as u32)
            }
        }
    }
}

impl EchoTemplate {
    fn new(params: &TemplateParams, v6: bool) -> Result<Self, TemplateError> {
        let mut raw = Vec::with_capacity(MAX_LEN);
        let ip = ip_step(params, v6)?;
        let written = if v6 {
            ip.icmpv6_echo_request(0, 0).write(&mut raw, &[])
        } else {
            ip.icmpv4_echo_request(0, 0).write(&mut raw, &[])
        };
        written.expect("writing to a Vec cannot fail");
        let ip_off = params.link.ip_offset();
        let icmp_off = ip_off + if v6 { 40 } else { 20 };
        let mut bytes = [0u8; MIN_FRAME + 8];
        bytes[..raw.len()].copy_from_slice(&raw);
        let icmp_len = raw.len() - icmp_off;
        if !v6 {
            bytes[ip_off + 6..ip_off + 8].fill(0); // no DF, as the SYN probes
            bytes[ip_off + 10..ip_off + 12].fill(0);
        }
        bytes[icmp_off + 2..icmp_off + 4].fill(0);
        let ip_sum = if v6 {
            0
        } else {
            sum_words(&bytes[ip_off..ip_off + 20])
        };
        let mut icmp_sum = sum_words(&bytes[icmp_off..icmp_off + icmp_len]);
        if v6 {
            icmp_sum += icmp_len as u64 + IPPROTO_ICMPV6;
        }
        Ok(Self {
            bytes,
            frame_len: raw.len().max(MIN_FRAME),
            ip_off,
            icmp_off,
            ip_sum,
            icmp_sum,
        })
    }

    #[inline]
    fn fill_v4(&self, frame: &mut [u8], me: u32, them: u32, cookie: u32) -> usize {
        let len = self.frame_len;
        let f = &mut frame[..len];
        f.copy_from_slice(&self.bytes[..len]);
        let (i, c) = (self.ip_off, self.icmp_off);
        let ip_ck = !fold(self.ip_sum + halves32(me) + halves32(them));
        let icmp_ck = !fold(self.icmp_sum + halves32(cookie));
        f[i + 10..i + 12].copy_from_slice(&ip_ck.to_be_bytes());
        f[i + 12..i + 16].copy_from_slice(&me.to_be_bytes());
        f[i + 16..i + 20].copy_from_slice(&them.to_be_bytes());
        f[c + 2..c + 4].copy_from_slice(&icmp_ck.to_be_bytes());
        f[c + 4..c + 8].copy_from_slice(&cookie.to_be_bytes());
        len
    }

    #[inline]
    fn fill_v6(&self, frame: &mut [u8], me: u128, them: u128, cookie: u32) -> usize {
        let len = self.frame_len;
        let f = &mut frame[..len];
        f.copy_from_slice(&self.bytes[..len]);
        let (i, c) = (self.ip_off, self.icmp_off);
        let icmp_ck = !fold(self.icmp_sum + halves128(me) + halves128(them) + halves32(cookie));
        f[i + 8..i + 24].copy_from_slice(&me.to_be_bytes());
        f[i + 24..i + 40].copy_from_slice(&them.to_be_bytes());
        f[c + 2..c + 4].copy_from_slice(&icmp_ck.to_be_bytes());
        f[c + 4..c + 8].copy_from_slice(&cookie.to_be_bytes());
        len
    }
}

/// An echo reply carrying our cookie (identifier and sequence number) is the host answering:
/// `open`, port 0, protocol 1 (ICMP; also for ICMPv6, as the original reports pings).
pub fn classify(
    transport: &TransportSlice<'_>,
    a: &ReplyAddrs,
    key: &CookieKey,
) -> Verdict<'static> {
    let (id, seq) = match transport {
        TransportSlice::Icmpv4(icmp) => match icmp.icmp_type() {
            Icmpv4Type::EchoReply(e) => (e.id, e.seq),
            _ => return Verdict::NotOurs,
        },
        TransportSlice::Icmpv6(icmp) => match icmp.icmp_type() {
            Icmpv6Type::EchoReply(e) => (e.id, e.seq),
            _ => return Verdict::NotOurs,
        },
        _ => return Verdict::NotOurs,
    };
    let expect = match (a.them, a.me) {
        (IpAddr::V4(t), IpAddr::V4(m)) => key.v4(u32::from(t), u32::from(m), 0, 0) as u32,
        (IpAddr::V6(t), IpAddr::V6(m)) => key.v6(u128::from(t), u128::from(m), 0, 0) as u32,
        _ => return Verdict::NotOurs,
    };
    if (u32::from(id) << 16 | u32::from(seq)) != expect {
        return Verdict::BadCookie;
    }
    Verdict::Reply(ProbeReply {
        them: a.them,
        ip_proto: 1,
        port_them: 0,
        port_me: 0,
        status: Status::Open,
        reason: 0,
        answer: Answer::Nothing,
        ip_mismatch: false,
        attempt: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::Link;
    use crate::plan::ports::Proto;
    use crate::plan::Target;
    use crate::probe::Probes;
    use crate::testing::dual_source;
    use etherparse::{NetSlice, PacketBuilder, SlicedPacket};
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn probe(ip: TargetIp, vlan: Option<u16>, key: &CookieKey) -> Vec<u8> {
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
            port: Proto::Icmp.base(),
            number: 3,
            attempt: 0,
            canary: false,
        };
        let mut frame = [0xaau8; 128];
        let n = probes.fill(&mut frame, &t, &src.choose(3), key).unwrap();
        frame[..n].to_vec()
    }

    /// The echo reply a host sends to `request` (same id, sequence and payload).
    fn reply_to(request: &[u8]) -> Vec<u8> {
        let p = SlicedPacket::from_ethernet(request).unwrap();
        let mut v = Vec::new();
        let eth = PacketBuilder::ethernet2([2; 6], [4; 6]);
        match (p.net.unwrap(), p.transport.unwrap()) {
            (NetSlice::Ipv4(ip), TransportSlice::Icmpv4(icmp)) => {
                let Icmpv4Type::EchoRequest(e) = icmp.icmp_type() else {
                    panic!("not an echo request")
                };
                eth.ipv4(ip.header().destination(), ip.header().source(), 64)
                    .icmpv4_echo_reply(e.id, e.seq)
                    .write(&mut v, icmp.payload())
                    .unwrap();
            }
            (NetSlice::Ipv6(ip), TransportSlice::Icmpv6(icmp)) => {
                let Icmpv6Type::EchoRequest(e) = icmp.icmp_type() else {
                    panic!("not an echo request")
                };
                eth.ipv6(ip.header().destination(), ip.header().source(), 64)
                    .icmpv6_echo_reply(e.id, e.seq)
                    .write(&mut v, icmp.payload())
                    .unwrap();
            }
            _ => panic!("not ICMP"),
        }
        v
    }

    fn classify_frame<'a>(frame: &'a [u8], key: &CookieKey) -> Verdict<'a> {
        let src = dual_source("40000");
        crate::probe::classify_frame(frame, key, &src)
    }

    #[test]
    fn echo_requests_are_valid_and_their_replies_recognised() {
        let key = CookieKey::from_seed(21);
        let v4 = TargetIp::V4(u32::from(Ipv4Addr::new(198, 18, 1, 7)));
        let v6 = TargetIp::V6(u128::from("2001:2:0:1::7".parse::<Ipv6Addr>().unwrap()));
        for (ip, vlan) in [(v4, None), (v4, Some(9)), (v6, None), (v6, Some(9))] {
            let frame = probe(ip, vlan, &key);
            assert!(frame.len() >= 60);
            let p = SlicedPacket::from_ethernet(&frame).unwrap();
            match (p.net.as_ref().unwrap(), p.transport.as_ref().unwrap()) {
                (NetSlice::Ipv4(h), TransportSlice::Icmpv4(icmp)) => {
                    let hh = h.header().to_header();
                    assert_eq!(hh.header_checksum, hh.calc_header_checksum());
                    let want = icmp.icmp_type().calc_checksum(icmp.payload());
                    assert_eq!(icmp.checksum(), want, "ICMPv4 checksum");
                }
                (NetSlice::Ipv6(h), TransportSlice::Icmpv6(icmp)) => {
                    let want = icmp
                        .icmp_type()
                        .calc_checksum(
                            h.header().source(),
                            h.header().destination(),
                            icmp.payload(),
                        )
                        .unwrap();
                    assert_eq!(icmp.checksum(), want, "ICMPv6 checksum");
                }
                other => panic!("{other:?}"),
            }
            match classify_frame(&reply_to(&frame), &key) {
                Verdict::Reply(r) => {
                    assert_eq!((r.ip_proto, r.port_them, r.status), (1, 0, Status::Open));
                }
                other => panic!("{other:?}"),
            }
            let other_key = CookieKey::from_seed(22);
            assert_eq!(
                classify_frame(&reply_to(&frame), &other_key),
                Verdict::BadCookie
            );
            // The request itself, looped back, is not a reply.
            assert_eq!(classify_frame(&frame, &key), Verdict::NotOurs);
        }
    }
}

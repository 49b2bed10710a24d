//! TCP SYN probes: a SYN per target whose sequence number is the SipHash cookie of the four
//! addresses and ports (so replies need no state), a SYN-ACK acknowledging cookie + 1 meaning
//! open and a RST meaning closed; a SYN-ACK is answered with a RST so the target frees its
//! half-open connection (unless banner grabbing takes the connection).

use super::{Answer, ProbeReply, ReplyAddrs, SynAck, Verdict};
use crate::cookie::CookieKey;
use crate::frame::{Flow, FrameHeader};
use crate::output::Status;
use crate::plan::source::SourceChoice;
use crate::plan::TargetIp;
use crate::tcp::{write_tcp_frame, ACK, FIN, RST, SYN, WINDOW};
use crate::template::{TemplateError, TemplateParams};
use etherparse::{TcpOptionElement, TcpSlice};
use std::net::IpAddr;
pub use template::SynTemplate;

mod template;

/// The SYN templates of a scan, one per address family.
#[derive(Clone, Debug)]
pub struct TcpSyn {
    pub v4: SynTemplate,
    pub v6: SynTemplate,
    /// `--coverage`: the attempt rides in the cookie ([`TemplateParams::attempts`]).
    attempts: bool,
}

impl TcpSyn {
    pub fn new(v4: &TemplateParams, v6: &TemplateParams) -> Result<Self, TemplateError> {
        Ok(Self {
            v4: SynTemplate::new(v4, false)?,
            v6: SynTemplate::new(v6, true)?,
            attempts: v4.attempts || v6.attempts,
        })
    }

    /// Writes probe `attempt` of the SYN to `ip`:`port` from `src` into `frame` (sequence
    /// number: the cookie, plus the attempt with `--coverage`), with send time `stamp` (in milliseconds) in its
    /// timestamp option if it has one; returns its length.
    #[inline(always)]
    pub fn fill(
        &self,
        frame: &mut [u8],
        (ip, port, attempt): (TargetIp, u16, u16),
        src: &SourceChoice<'_>,
        key: &CookieKey,
        stamp: u32,
    ) -> usize {
        let pm = src.port();
        let attempt = if self.attempts { attempt } else { 0 };
        match ip {
            TargetIp::V4(them) => {
                let me = src.v4();
                let c = with_attempt(key.v4(them, me, port, pm), attempt);
                let n = self.v4.fill_v4(frame, me, them, pm, port, c);
                if self.v4.has_timestamp() {
                    self.v4.stamp(frame, stamp);
                }
                n
            }
            TargetIp::V6(them) => {
                let me = src.v6();
                let c = with_attempt(key.v6(them, me, port, pm), attempt);
                let n = self.v6.fill_v6(frame, me, them, pm, port, c);
                if self.v6.has_timestamp() {
                    self.v6.stamp(frame, stamp);
                }
                n
            }
        }
    }
}

/// The cookie of probe `attempt`: its low 32 bits (the sequence number) plus the attempt, the
/// high ones (the IP ID) as they are.
#[inline(always)]
fn with_attempt(cookie: u64, attempt: u16) -> u64 {
    cookie & !0xffff_ffff | u64::from((cookie as u32).wrapping_add(u32::from(attempt)))
}

/// Our cookie for the flow (their address and port, ours).
pub fn cookie(key: &CookieKey, them: IpAddr, me: IpAddr, port_them: u16, port_me: u16) -> u64 {
    match (them, me) {
        (IpAddr::V4(t), IpAddr::V4(m)) => key.v4(u32::from(t), u32::from(m), port_them, port_me),
        (IpAddr::V6(t), IpAddr::V6(m)) => key.v6(u128::from(t), u128::from(m), port_them, port_me),
        // One IP header has one family; a mixed pair matches no cookie.
        _ => !0,
    }
}

/// A SYN-ACK is open and a RST closed, when it acknowledges our cookie + 1 + the attempt of
/// one of the target's `attempts` probes; anything else TCP is not a reply to a SYN.
#[inline]
pub fn classify(
    tcp: &TcpSlice<'_>,
    a: &ReplyAddrs,
    key: &CookieKey,
    attempts: u16,
) -> Verdict<'static> {
    let flags = tcp.slice().get(13).copied().unwrap_or(0);
    let status = if flags & (SYN | ACK | RST) == SYN | ACK {
        Status::Open
    } else if flags & RST != 0 {
        Status::Closed
    } else {
        return Verdict::NotOurs;
    };
    let (port_them, port_me) = (tcp.source_port(), tcp.destination_port());
    let expect = (cookie(key, a.them, a.me, port_them, port_me) as u32).wrapping_add(1);
    let attempt = tcp.acknowledgment_number().wrapping_sub(expect);
    if attempt >= u32::from(attempts.max(1)) {
        return Verdict::BadCookie;
    }
    let syn_ack = (status == Status::Open).then(|| SynAck {
        seq: tcp.sequence_number(),
        ack: tcp.acknowledgment_number(),
        flags,
        mss: tcp.options_iterator().find_map(|o| match o {
            Ok(TcpOptionElement::MaximumSegmentSize(m)) => Some(m),
            _ => None,
        }),
        wscale: tcp.options_iterator().find_map(|o| match o {
            Ok(TcpOptionElement::WindowScale(s)) => Some(s),
            _ => None,
        }),
        tsecr: tcp.options_iterator().find_map(|o| match o {
            Ok(TcpOptionElement::Timestamp(_, echo)) => Some(echo),
            _ => None,
        }),
    });
    Verdict::Reply(ProbeReply {
        them: a.them,
        ip_proto: 6,
        port_them,
        port_me,
        status,
        reason: flags & (FIN | SYN | RST | ACK | 0x08 | 0x20),
        answer: syn_ack.map_or(Answer::Nothing, Answer::Connect),
        ip_mismatch: false,
        attempt: attempt as u16,
    })
}

/// The RST that answers a SYN-ACK of `flow` that acknowledged `ack` (our cookie + 1 + its
/// probe's attempt): sequence number `ack`, as the target expects next. Written in place into
/// `out`; its length (0 when it does not fit).
pub fn write_rst(header: &FrameHeader, flow: &Flow, ack: u32, out: &mut [u8]) -> usize {
    write_tcp_frame(header, flow, (ack, 0, WINDOW), RST, &[], out).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::Link;
    use crate::plan::source::Source;
    use crate::plan::Target;
    use crate::probe::Probes;
    use crate::testing::dual_source;
    use etherparse::{PacketBuilder, SlicedPacket, TransportSlice};
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn source() -> Source {
        dual_source("40000-40003")
    }

    /// The reply a target sends to `syn`, with `flags` ("SA" or "R") and ack = its seq + 1.
    fn answer(syn: &[u8], flags: &str, ack_delta: u32) -> Vec<u8> {
        let p = SlicedPacket::from_ethernet(syn).unwrap();
        let Some(TransportSlice::Tcp(t)) = p.transport else {
            panic!("not TCP")
        };
        let ack = t.sequence_number().wrapping_add(ack_delta);
        let eth = PacketBuilder::ethernet2([2; 6], [4; 6]);
        let ip = match p.net.unwrap() {
            etherparse::NetSlice::Ipv4(ip) => {
                eth.ipv4(ip.header().destination(), ip.header().source(), 50)
            }
            etherparse::NetSlice::Ipv6(ip) => {
                eth.ipv6(ip.header().destination(), ip.header().source(), 50)
            }
        };
        let mut b = ip
            .tcp(t.destination_port(), t.source_port(), 7, 1000)
            .ack(ack);
        if flags.contains('S') {
            b = b
                .syn()
                .options(&[TcpOptionElement::MaximumSegmentSize(1400)])
                .unwrap();
        }
        if flags.contains('R') {
            b = b.rst();
        }
        let mut v = Vec::new();
        b.write(&mut v, &[]).unwrap();
        v
    }

    fn verdict<'a>(frame: &'a [u8], key: &CookieKey) -> Verdict<'a> {
        crate::probe::classify_frame(frame, key, &source())
    }

    #[test]
    fn every_probe_is_recognised_by_its_reply_and_nothing_else_is() {
        let key = CookieKey::from_seed(11);
        let params = TemplateParams::default();
        let probes = Probes::new(&params, &params).unwrap();
        let src = source();
        let targets = [
            TargetIp::V4(u32::from(Ipv4Addr::new(198, 18, 1, 1))),
            TargetIp::V6(u128::from("2001:2:0:1::1".parse::<Ipv6Addr>().unwrap())),
        ];
        for (n, ip) in targets.into_iter().enumerate() {
            let t = Target {
                ip,
                port: 443,
                number: n as u64 * 7,
                attempt: 0,
                canary: false,
            };
            let mut frame = [0u8; 128];
            let len = probes
                .fill(&mut frame, &t, &src.choose(t.number), &key)
                .unwrap();
            let syn = &frame[..len];
            match verdict(&answer(syn, "SA", 1), &key) {
                Verdict::Reply(r) => {
                    assert_eq!((r.ip_proto, r.port_them, r.status), (6, 443, Status::Open));
                    assert_eq!(r.reason, 0x12);
                    let Answer::Connect(sa) = r.answer else {
                        panic!("{:?}", r.answer)
                    };
                    assert_eq!((sa.seq, sa.mss), (7, Some(1400)));
                }
                other => panic!("{other:?}"),
            }
            match verdict(&answer(syn, "R", 1), &key) {
                Verdict::Reply(r) => {
                    assert_eq!(r.status, Status::Closed);
                    assert_eq!(r.answer, Answer::Nothing);
                }
                other => panic!("{other:?}"),
            }
            assert_eq!(verdict(&answer(syn, "SA", 2), &key), Verdict::BadCookie);
            assert_eq!(
                verdict(&answer(syn, "", 1), &key),
                Verdict::NotOurs,
                "a bare ACK"
            );
            let other_key = CookieKey::from_seed(12);
            assert_eq!(
                verdict(&answer(syn, "SA", 1), &other_key),
                Verdict::BadCookie
            );
        }
    }

    /// Probe k of a target carries cookie + k; a reply acknowledging it says k, and one past
    /// the scan's last attempt is no reply of ours. Its RST goes on from the reply's ack.
    #[test]
    fn each_attempt_rides_in_the_cookie_and_comes_back() {
        let key = CookieKey::from_seed(5);
        let params = TemplateParams {
            attempts: true,
            ..TemplateParams::default()
        };
        let probes = Probes::new(&params, &params).unwrap();
        let src = source();
        let ip = TargetIp::V4(u32::from(Ipv4Addr::new(198, 18, 1, 9)));
        let attempts = 3;
        let classify = |frame: &[u8]| {
            let p = SlicedPacket::from_ethernet(frame).unwrap();
            let Some(TransportSlice::Tcp(t)) = p.transport else {
                panic!("not TCP")
            };
            let a = ReplyAddrs {
                them: IpAddr::V4(Ipv4Addr::new(198, 18, 1, 9)),
                me: IpAddr::V4(Ipv4Addr::from(src.choose(4).v4())),
                ttl: 64,
                them_mac: [0; 6],
            };
            classify(&t, &a, &key, attempts)
        };
        // Probe `attempt` of the target, as `probes` write it.
        let syn = |probes: &Probes, attempt: u16| {
            let t = Target {
                ip,
                port: 22,
                number: 4,
                attempt,
                canary: false,
            };
            let mut frame = [0u8; 128];
            let len = probes.fill(&mut frame, &t, &src.choose(4), &key).unwrap();
            frame[..len].to_vec()
        };
        let mut seqs = Vec::new();
        for attempt in 0..attempts {
            let frame = syn(&probes, attempt);
            let len = frame.len();
            let p = SlicedPacket::from_ethernet(&frame[..len]).unwrap();
            let Some(TransportSlice::Tcp(syn)) = p.transport else {
                panic!("not TCP")
            };
            seqs.push(syn.sequence_number());
            assert!(checksum_holds(&frame[..len]), "attempt {attempt}: checksum");
            match classify(&answer(&frame[..len], "SA", 1)) {
                Verdict::Reply(r) => assert_eq!(r.attempt, attempt),
                other => panic!("{other:?}"),
            }
            let past = answer(&frame[..len], "SA", 1 + u32::from(attempts - attempt));
            assert_eq!(classify(&past), Verdict::BadCookie, "attempt {attempt}");
        }
        assert_eq!(seqs[1], seqs[0].wrapping_add(1));
        assert_eq!(seqs[2], seqs[0].wrapping_add(2));
        // Without --coverage every retry is the same SYN, as the original sends it: a server
        // still holding the first one half-open takes the next as its retransmission (a SYN
        // one past it would make a Linux server reset the half-open connection instead).
        let plain = Probes::new(&TemplateParams::default(), &TemplateParams::default()).unwrap();
        let frames: Vec<Vec<u8>> = (0..attempts).map(|a| syn(&plain, a)).collect();
        assert!(frames.windows(2).all(|w| w[0] == w[1]));
    }

    fn checksum_holds(frame: &[u8]) -> bool {
        let p = SlicedPacket::from_ethernet(frame).unwrap();
        let (Some(etherparse::NetSlice::Ipv4(ip)), Some(TransportSlice::Tcp(t))) =
            (p.net, p.transport)
        else {
            return false;
        };
        let h = ip.header().to_header();
        t.to_header()
            .calc_checksum_ipv4(&h, t.payload())
            .is_ok_and(|c| c == t.checksum())
    }

    #[test]
    fn the_rst_answer_carries_cookie_plus_one() {
        let key = CookieKey::from_seed(3);
        let flow = Flow {
            them: IpAddr::V4(Ipv4Addr::new(198, 18, 1, 1)),
            me: IpAddr::V4(Ipv4Addr::new(198, 18, 0, 2)),
            port_them: 80,
            port_me: 40001,
        };
        let header = FrameHeader {
            link: Link::new([4; 6]),
            dst_mac: [2; 6],
        };
        let mut out = [0u8; 128];
        let c = cookie(&key, flow.them, flow.me, 80, 40001) as u32;
        let n = write_rst(&header, &flow, c.wrapping_add(1), &mut out);
        let p = SlicedPacket::from_ethernet(&out[..n]).unwrap();
        let Some(TransportSlice::Tcp(t)) = p.transport else {
            panic!("not TCP")
        };
        assert!(t.rst());
        assert_eq!(t.sequence_number(), c.wrapping_add(1));
        assert_eq!(write_rst(&header, &flow, c, &mut out[..20]), 0);
    }
}

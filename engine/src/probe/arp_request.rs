//! ARP sweeps (`--arp`) and ARP on our behalf. A sweep sends an ARP request per IPv4 target
//! and an ICMPv6 Neighbor Solicitation per IPv6 one, from our address and MAC; the answer (an
//! ARP reply, a Neighbor Advertisement) is [`Verdict::HostUp`] with its sender's MAC
//! ([`classify`] for frames without an IP header, [`advertised`] for ICMPv6): neither protocol
//! has room for a cookie, so only answers addressed to us during a sweep count. An ARP request
//! for our (spoofed) IPv4 source address is [`Verdict::Answer`] when the scan answers ARP
//! (`--adapter-ip` not the kernel's), written by [`write_reply`]. The frames are small and a
//! sweep stays on one subnet, so they are built per probe.

use super::{HostUp, LinkAnswer, ReplyAddrs, Scan, Verdict};
use crate::arp::{self, ArpRepr};
use crate::frame::Link;
use crate::ndp;
use crate::plan::source::SourceChoice;
use crate::plan::TargetIp;
use crate::template::TemplateParams;
use etherparse::{NetSlice, TransportSlice};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

const BROADCAST: [u8; 6] = [0xff; 6];

#[derive(Clone, Debug)]
pub struct ArpRequest {
    link: Link,
}

impl ArpRequest {
    pub fn new(params: &TemplateParams) -> Self {
        Self { link: params.link }
    }

    /// Writes the request for `ip` from `src` into `frame`; returns its length.
    pub fn fill(&self, frame: &mut [u8], ip: TargetIp, src: &SourceChoice<'_>) -> usize {
        match ip {
            TargetIp::V4(them) => {
                let me = Ipv4Addr::from(src.v4());
                ArpRepr::request(self.link.mac, me, Ipv4Addr::from(them)).emit(
                    BROADCAST,
                    self.link.vlan,
                    frame,
                )
            }
            TargetIp::V6(them) => ndp::solicitation(
                self.link.mac,
                Ipv6Addr::from(src.v6()),
                Ipv6Addr::from(them),
                self.link.vlan,
                frame,
            ),
        }
    }
}

/// What a frame without an IP header means: an ARP reply to our address during a sweep reports
/// its sender up; an ARP request for our address is answered when the scan answers ARP;
/// anything else is not ours.
#[inline]
pub fn classify<'a>(frame: &[u8], scan: &Scan<'_>) -> Verdict<'a> {
    let Some(a) = ArpRepr::parse(frame) else {
        return Verdict::NotOurs;
    };
    if !scan.source.owns_v4(u32::from(a.target_ip)) {
        return Verdict::NotOurs;
    }
    match a.op {
        arp::OP_REPLY if scan.arp_scan => Verdict::HostUp(HostUp {
            ip: IpAddr::V4(a.sender_ip),
            mac: a.sender_mac,
        }),
        arp::OP_REQUEST if scan.answer_arp => Verdict::Answer(LinkAnswer::Arp(a)),
        _ => Verdict::NotOurs,
    }
}

/// A Neighbor Advertisement to our address (`addrs`, already checked) during a sweep: the host
/// it is for, with its MAC (the target link-layer option, else the frame's source).
#[inline]
pub fn advertised(
    net: &NetSlice<'_>,
    transport: &TransportSlice<'_>,
    addrs: &ReplyAddrs,
    scan: &Scan<'_>,
) -> Option<HostUp> {
    if !scan.arp_scan {
        return None;
    }
    let (ip, mac) = ndp::advertisement_in(net, transport, addrs.them_mac)?;
    Some(HostUp {
        ip: IpAddr::V6(ip),
        mac,
    })
}

/// Writes the ARP reply to `request` (for our address) from our `link` (MAC, VLAN) into `out`,
/// to the requester's MAC; its length (padded to 60 bytes).
#[inline]
pub fn write_reply(request: &ArpRepr, link: &Link, out: &mut [u8]) -> usize {
    request
        .answer(link.mac)
        .emit(request.sender_mac, link.vlan, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::{Classifier, ClassifierConfig};
    use crate::cookie::CookieKey;
    use crate::output::{Record, Status};
    use crate::plan::ports::Proto;
    use crate::plan::source::Source;
    use crate::plan::Target;
    use crate::probe::Probes;
    use crate::testing::dual_source;

    const MY_MAC: [u8; 6] = [2, 0, 0, 0, 0, 2];
    const HOST_MAC: [u8; 6] = [2, 0, 0, 0, 0, 9];

    fn source() -> Source {
        dual_source("40000")
    }

    fn receiver(arp_scan: bool) -> Classifier {
        Classifier::new(ClassifierConfig {
            link: Link::new(MY_MAC),
            dedup_buckets: 16,
            arp_scan,
            ..ClassifierConfig::new(CookieKey::from_seed(1), source())
        })
    }

    fn request(ip: TargetIp) -> Vec<u8> {
        let params = TemplateParams {
            link: Link::new(MY_MAC),
            ..TemplateParams::default()
        };
        let probes = Probes::new(&params, &params).unwrap();
        let src = source();
        let t = Target {
            ip,
            port: Proto::Arp.base(),
            number: 1,
            attempt: 0,
            canary: false,
        };
        let mut frame = [0u8; 128];
        let n = probes
            .fill(&mut frame, &t, &src.choose(1), &CookieKey::from_seed(1))
            .unwrap();
        frame[..n].to_vec()
    }

    #[test]
    fn an_arp_reply_to_our_request_reports_the_host_up_with_its_mac() {
        let req = request(TargetIp::V4(u32::from(Ipv4Addr::new(198, 18, 0, 9))));
        assert_eq!(&req[..6], &[0xff; 6], "a broadcast");
        let parsed = ArpRepr::parse(&req).unwrap();
        assert_eq!(parsed.sender_ip, Ipv4Addr::new(198, 18, 0, 2));
        let mut answer = [0u8; 64];
        let n = parsed.answer(HOST_MAC).emit(MY_MAC, None, &mut answer);
        let mut buf = [0u8; 128];
        let mut rx = receiver(true);
        let Some(Record::Status(s)) = rx.handle(&answer[..n], 5, &mut buf).record else {
            panic!("no result")
        };
        assert_eq!(
            (s.ip.to_string(), s.status, s.mac),
            ("198.18.0.9".to_string(), Status::Arp, Some(HOST_MAC))
        );
        assert_eq!(rx.handle(&answer[..n], 6, &mut buf).record, None, "once");
        // Outside an ARP scan an ARP reply is no result.
        assert_eq!(
            receiver(false).handle(&answer[..n], 5, &mut buf).record,
            None
        );
    }

    #[test]
    fn ipv6_targets_get_a_neighbor_solicitation() {
        let them: Ipv6Addr = "2001:2::9".parse().unwrap();
        let req = request(TargetIp::V6(u128::from(them)));
        let (_, group_mac) = ndp::solicited_node(them);
        assert_eq!(&req[..6], &group_mac);
    }

    const MY_V4: Ipv4Addr = Ipv4Addr::new(198, 18, 0, 2);
    const HOST_V4: Ipv4Addr = Ipv4Addr::new(198, 18, 0, 9);

    /// A classifier of a scan from [`source`] with our MAC and VLAN 7 on the link.
    fn classifier(arp_scan: bool, answer_arp: bool) -> Classifier {
        Classifier::new(ClassifierConfig {
            link: Link {
                vlan: Some(7),
                ..Link::new(MY_MAC)
            },
            dedup_buckets: 16,
            arp_scan,
            answer_arp,
            ..ClassifierConfig::new(CookieKey::from_seed(1), source())
        })
    }

    /// An ARP packet `op` from the host to `target`, in an Ethernet frame.
    fn arp_frame(op: u16, target: Ipv4Addr) -> Vec<u8> {
        let mut f = [0u8; 60];
        let n = ArpRepr {
            op,
            sender_mac: HOST_MAC,
            sender_ip: HOST_V4,
            target_mac: [0; 6],
            target_ip: target,
        }
        .emit(MY_MAC, None, &mut f);
        f[..n].to_vec()
    }

    #[test]
    fn frames_without_ip_get_the_arp_kinds_verdict() {
        let (key, src) = (CookieKey::from_seed(1), source());
        let ids = crate::probe::udp::UdpIds::builtin();
        let raw = crate::probe::raw_ip::RawProtos::default();
        let on = Scan {
            key: &key,
            source: &src,
            udp_ids: &ids,
            arp_scan: true,
            answer_arp: true,
            raw_protos: &raw,
            attempts: 1,
        };
        let off = Scan {
            arp_scan: false,
            answer_arp: false,
            ..on
        };
        let reply = arp_frame(arp::OP_REPLY, MY_V4);
        let up = Verdict::HostUp(HostUp {
            ip: IpAddr::V4(HOST_V4),
            mac: HOST_MAC,
        });
        assert_eq!(Probes::classify_link(&reply, &on), up);
        assert_eq!(Probes::classify_link(&reply, &off), Verdict::NotOurs);
        let elsewhere = arp_frame(arp::OP_REPLY, Ipv4Addr::new(198, 18, 0, 3));
        assert_eq!(Probes::classify_link(&elsewhere, &on), Verdict::NotOurs);
        let request = arp_frame(arp::OP_REQUEST, MY_V4);
        let Verdict::Answer(LinkAnswer::Arp(a)) = Probes::classify_link(&request, &on) else {
            panic!("not answered")
        };
        assert_eq!(a, ArpRepr::parse(&request).unwrap());
        assert_eq!(Probes::classify_link(&request, &off), Verdict::NotOurs);
        assert_eq!(Probes::classify_link(&[0u8; 60], &on), Verdict::NotOurs);
    }

    #[test]
    fn a_sweeps_arp_reply_is_a_host_up_once_with_its_mac() {
        let reply = arp_frame(arp::OP_REPLY, MY_V4);
        let mut buf = [0u8; 128];
        let mut rx = classifier(true, false);
        let o = rx.handle(&reply, 5, &mut buf);
        assert_eq!(o.answer_len, 0);
        assert_eq!(
            o.record,
            Some(Record::Status(crate::output::StatusRecord {
                time: 5,
                ip: IpAddr::V4(HOST_V4),
                ip_proto: 0,
                port: 0,
                status: Status::Arp,
                reason: 0,
                ttl: 0,
                mac: Some(HOST_MAC),
            }))
        );
        assert_eq!((rx.counters().open, rx.counters().duplicates), (1, 0));
        assert_eq!(rx.handle(&reply, 6, &mut buf).record, None, "once");
        assert_eq!((rx.counters().open, rx.counters().duplicates), (1, 1));
        // Without a sweep it is not ours, answered or not.
        for answer_arp in [false, true] {
            let mut rx = classifier(false, answer_arp);
            let o = rx.handle(&reply, 5, &mut buf);
            assert_eq!((o.record, o.answer_len), (None, 0));
            assert_eq!((rx.counters().open, rx.counters().not_ours), (0, 1));
        }
    }

    #[test]
    fn an_arp_request_for_our_address_is_answered_only_with_answer_arp() {
        let request = arp_frame(arp::OP_REQUEST, MY_V4);
        let mut want = [0u8; 128];
        let n = ArpRepr::parse(&request)
            .unwrap()
            .answer(MY_MAC)
            .emit(HOST_MAC, Some(7), &mut want);
        for arp_scan in [false, true] {
            let mut buf = [0u8; 128];
            let mut rx = classifier(arp_scan, true);
            let o = rx.handle(&request, 5, &mut buf);
            assert_eq!(o.record, None);
            assert_eq!(&buf[..o.answer_len], &want[..n], "our MAC, our VLAN");
            assert_eq!((rx.counters().arp_answered, rx.counters().not_ours), (1, 0));
            let elsewhere = arp_frame(arp::OP_REQUEST, Ipv4Addr::new(198, 18, 0, 3));
            assert_eq!(rx.handle(&elsewhere, 5, &mut buf).answer_len, 0);
            let mut rx = classifier(arp_scan, false);
            let o = rx.handle(&request, 5, &mut buf);
            assert_eq!((o.record, o.answer_len), (None, 0));
            assert_eq!((rx.counters().arp_answered, rx.counters().not_ours), (0, 1));
        }
    }

    /// A Neighbor Advertisement for `target` from the host to our IPv6 address, with the target
    /// link-layer option carrying `mac` when given.
    fn advertisement(target: Ipv6Addr, mac: Option<[u8; 6]>) -> Vec<u8> {
        let mut body = target.octets().to_vec();
        if let Some(m) = mac {
            body.extend_from_slice(&[2, 1]);
            body.extend_from_slice(&m);
        }
        let me: Ipv6Addr = "2001:2::2".parse().unwrap();
        let mut v = Vec::new();
        etherparse::PacketBuilder::ethernet2(HOST_MAC, MY_MAC)
            .ipv6(target.octets(), me.octets(), 255)
            .icmpv6_raw(136, 0, [0x60, 0, 0, 0])
            .write(&mut v, &body)
            .unwrap();
        v
    }

    #[test]
    fn a_sweeps_neighbor_advertisement_is_a_host_up_once_with_its_mac() {
        let host: Ipv6Addr = "2001:2::9".parse().unwrap();
        let mut buf = [0u8; 128];
        let mut rx = classifier(true, true);
        let with = advertisement(host, Some([1, 2, 3, 4, 5, 6]));
        let Some(Record::Status(s)) = rx.handle(&with, 5, &mut buf).record else {
            panic!("no result")
        };
        assert_eq!(
            (s.ip, s.ip_proto, s.port, s.status, s.ttl, s.mac),
            (
                IpAddr::V6(host),
                0,
                0,
                Status::Arp,
                0,
                Some([1, 2, 3, 4, 5, 6])
            )
        );
        assert_eq!(rx.handle(&with, 6, &mut buf).record, None, "once");
        assert_eq!((rx.counters().open, rx.counters().duplicates), (1, 1));
        // Without the option the MAC is the frame's source.
        let other: Ipv6Addr = "2001:2::a".parse().unwrap();
        let Some(Record::Status(s)) = rx.handle(&advertisement(other, None), 7, &mut buf).record
        else {
            panic!("no result")
        };
        assert_eq!((s.ip, s.mac), (IpAddr::V6(other), Some(HOST_MAC)));
        // Without a sweep it is not ours.
        let mut rx = classifier(false, true);
        assert_eq!(rx.handle(&with, 5, &mut buf).record, None);
        assert_eq!((rx.counters().open, rx.counters().not_ours), (0, 1));
    }
}

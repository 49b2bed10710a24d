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
}

//! ARP sweeps (`--arp`): an ARP request per IPv4 target and an ICMPv6 Neighbor Solicitation per
//! IPv6 one, from our address and MAC; the answer (an ARP reply, a Neighbor Advertisement)
//! reports the host `up` with its MAC ([`crate::classify`] reads it: neither protocol has room for
//! a cookie, so only answers addressed to us during an ARP scan count). The frames are small
//! and a sweep stays on one subnet, so they are built per probe.

use crate::arp::ArpRepr;
use crate::frame::Link;
use crate::ndp;
use crate::plan::source::SourceChoice;
use crate::plan::TargetIp;
use crate::template::TemplateParams;
use std::net::{Ipv4Addr, Ipv6Addr};

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

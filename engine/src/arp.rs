//! ARP for IPv4 over Ethernet: a view over received frames, request and answer frames, and the
//! [`Neighbours`] table the transmit loop consults (targets on the local subnet that answered,
//! so probes to them go to their own MAC, not to the router). The loops that ask on the wire
//! and wait are I/O: `masscan_drivers::resolve`. The scanner also
//! answers requests for a spoofed `--adapter-ip`, see [`crate::probe::arp_request`].
//! etherparse 0.16 has no ARP, and the packet is 28 fixed bytes, so this is a plain view.

use std::collections::HashMap;
use std::net::{Ipv4Addr, Ipv6Addr};

pub const ETHERTYPE_ARP: u16 = 0x0806;
pub const ETHERTYPE_VLAN: u16 = 0x8100;
pub const OP_REQUEST: u16 = 1;
pub const OP_REPLY: u16 = 2;

/// An ARP packet for IPv4 over Ethernet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArpRepr {
    pub op: u16,
    pub sender_mac: [u8; 6],
    pub sender_ip: Ipv4Addr,
    pub target_mac: [u8; 6],
    pub target_ip: Ipv4Addr,
}

fn mac_at(b: &[u8], at: usize) -> [u8; 6] {
    let mut m = [0u8; 6];
    m.copy_from_slice(&b[at..at + 6]);
    m
}

fn ip_at(b: &[u8], at: usize) -> Ipv4Addr {
    Ipv4Addr::new(b[at], b[at + 1], b[at + 2], b[at + 3])
}

impl ArpRepr {
    /// Parses an Ethernet frame (optionally with one 802.1Q tag) holding an IPv4 ARP packet.
    pub fn parse(frame: &[u8]) -> Option<Self> {
        if frame.len() < 14 {
            return None;
        }
        let mut at = 12;
        let mut ethertype = u16::from_be_bytes([frame[at], frame[at + 1]]);
        if ethertype == ETHERTYPE_VLAN {
            at += 4;
            if frame.len() < at + 2 {
                return None;
            }
            ethertype = u16::from_be_bytes([frame[at], frame[at + 1]]);
        }
        if ethertype != ETHERTYPE_ARP {
            return None;
        }
        let p = frame.get(at + 2..at + 2 + 28)?;
        // Ethernet (1), IPv4 (0x0800), address lengths 6 and 4.
        if p[0..6] != [0, 1, 8, 0, 6, 4] {
            return None;
        }
        Some(Self {
            op: u16::from_be_bytes([p[6], p[7]]),
            sender_mac: mac_at(p, 8),
            sender_ip: ip_at(p, 14),
            target_mac: mac_at(p, 18),
            target_ip: ip_at(p, 24),
        })
    }

    /// Writes the frame (Ethernet header to `dst`, optional VLAN tag, padded to 60 bytes) into
    /// `out` and returns its length.
    pub fn emit(&self, dst: [u8; 6], vlan: Option<u16>, out: &mut [u8]) -> usize {
        let mut at = 0;
        out[0..6].copy_from_slice(&dst);
        out[6..12].copy_from_slice(&self.sender_mac);
        at += 12;
        if let Some(id) = vlan {
            out[at..at + 2].copy_from_slice(&ETHERTYPE_VLAN.to_be_bytes());
            out[at + 2..at + 4].copy_from_slice(&(id & 0x0fff).to_be_bytes());
            at += 4;
        }
        out[at..at + 2].copy_from_slice(&ETHERTYPE_ARP.to_be_bytes());
        at += 2;
        out[at..at + 6].copy_from_slice(&[0, 1, 8, 0, 6, 4]);
        out[at + 6..at + 8].copy_from_slice(&self.op.to_be_bytes());
        out[at + 8..at + 14].copy_from_slice(&self.sender_mac);
        out[at + 14..at + 18].copy_from_slice(&self.sender_ip.octets());
        out[at + 18..at + 24].copy_from_slice(&self.target_mac);
        out[at + 24..at + 28].copy_from_slice(&self.target_ip.octets());
        at += 28;
        let len = at.max(60);
        out[at..len].fill(0);
        len
    }

    /// A request from us asking who has `ip`.
    pub fn request(my_mac: [u8; 6], my_ip: Ipv4Addr, ip: Ipv4Addr) -> Self {
        Self {
            op: OP_REQUEST,
            sender_mac: my_mac,
            sender_ip: my_ip,
            target_mac: [0; 6],
            target_ip: ip,
        }
    }

    /// The reply to this request, from `my_mac`.
    pub fn answer(&self, my_mac: [u8; 6]) -> Self {
        Self {
            op: OP_REPLY,
            sender_mac: my_mac,
            sender_ip: self.target_ip,
            target_mac: self.sender_mac,
            target_ip: self.sender_ip,
        }
    }
}

/// Hosts on the local subnet (IPv4, found by ARP) and on the local prefix (IPv6, found by
/// neighbour solicitation) and their MACs: a probe to one of them goes to its own MAC instead of
/// the router's. One range check per probe; a map lookup only for local targets.
#[derive(Clone, Debug, Default)]
pub struct Neighbours {
    first: u32,
    count: u64,
    macs: HashMap<u32, [u8; 6]>,
    /// The IPv6 prefix (its first address and the mask of its network bits).
    prefix_v6: u128,
    mask_v6: u128,
    macs_v6: HashMap<u128, [u8; 6]>,
}

impl Neighbours {
    /// The subnet `first .. first+count` and the MACs found in it.
    pub fn new(first: u32, count: u64, macs: &HashMap<Ipv4Addr, [u8; 6]>) -> Self {
        Self {
            first,
            count,
            macs: macs.iter().map(|(ip, m)| (u32::from(*ip), *m)).collect(),
            ..Self::default()
        }
    }

    /// Adds the IPv6 prefix `first/len` and the MACs found in it.
    pub fn with_v6(mut self, first: Ipv6Addr, len: u8, macs: &HashMap<Ipv6Addr, [u8; 6]>) -> Self {
        self.mask_v6 = u128::MAX
            .checked_shl(128 - u32::from(len.min(128)))
            .unwrap_or(0);
        self.prefix_v6 = u128::from(first) & self.mask_v6;
        self.macs_v6 = macs.iter().map(|(ip, m)| (u128::from(*ip), *m)).collect();
        self
    }

    /// The MAC of a local target, if it answered ARP.
    #[inline(always)]
    pub fn lookup(&self, ip: u32) -> Option<&[u8; 6]> {
        if (ip.wrapping_sub(self.first) as u64) < self.count {
            self.macs.get(&ip)
        } else {
            None
        }
    }

    /// The MAC of a local IPv6 target, if it answered neighbour solicitation.
    #[inline(always)]
    pub fn lookup_v6(&self, ip: u128) -> Option<&[u8; 6]> {
        if !self.macs_v6.is_empty() && ip & self.mask_v6 == self.prefix_v6 {
            self.macs_v6.get(&ip)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_answer() {
        let req = ArpRepr {
            op: OP_REQUEST,
            sender_mac: [2, 0, 0, 0, 0, 1],
            sender_ip: Ipv4Addr::new(198, 18, 0, 1),
            target_mac: [0; 6],
            target_ip: Ipv4Addr::new(198, 18, 0, 100),
        };
        for vlan in [None, Some(7)] {
            let mut buf = [0u8; 128];
            let n = req.emit([0xff; 6], vlan, &mut buf);
            assert_eq!(n, 60);
            assert_eq!(ArpRepr::parse(&buf[..n]), Some(req));
        }
        let a = req.answer([2, 0, 0, 0, 0, 9]);
        assert_eq!(a.op, OP_REPLY);
        assert_eq!(a.sender_ip, req.target_ip);
        assert_eq!(a.target_mac, req.sender_mac);
    }

    #[test]
    fn short_or_foreign_frames_are_not_arp() {
        let mut buf = [0u8; 60];
        let n = ArpRepr {
            op: OP_REPLY,
            sender_mac: [1; 6],
            sender_ip: Ipv4Addr::new(1, 2, 3, 4),
            target_mac: [2; 6],
            target_ip: Ipv4Addr::new(5, 6, 7, 8),
        }
        .emit([3; 6], None, &mut buf);
        for cut in 0..42 {
            assert_eq!(ArpRepr::parse(&buf[..cut]), None, "cut at {cut}");
        }
        assert!(ArpRepr::parse(&buf[..n]).is_some());
        buf[17] = 8; // hardware address length 8
        assert_eq!(ArpRepr::parse(&buf[..n]), None);
    }

    #[test]
    fn neighbours_answer_only_inside_their_subnet_and_prefix() {
        let v4 = HashMap::from([(Ipv4Addr::new(198, 18, 0, 3), [2, 0, 0, 0, 0, 3])]);
        let v6 = HashMap::from([("2001:2::3".parse().unwrap(), [2, 0, 0, 0, 0, 6])]);
        let n =
            Neighbours::new(0xc612_0000, 256, &v4).with_v6("2001:2::".parse().unwrap(), 64, &v6);
        assert_eq!(n.lookup(0xc612_0003), Some(&[2, 0, 0, 0, 0, 3]));
        assert_eq!(n.lookup(0xc612_0004), None);
        let ip6 = |s: &str| u128::from(s.parse::<std::net::Ipv6Addr>().unwrap());
        assert_eq!(n.lookup_v6(ip6("2001:2::3")), Some(&[2, 0, 0, 0, 0, 6]));
        assert_eq!(n.lookup_v6(ip6("2001:2::4")), None);
        assert_eq!(n.lookup_v6(ip6("2001:2:0:1::3")), None);
        let v4_only = Neighbours::new(0xc612_0000, 256, &v4);
        assert_eq!(v4_only.lookup_v6(ip6("2001:2::3")), None);
    }
}

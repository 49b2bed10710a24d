//! IPv6 neighbour discovery (RFC 4861). For the router's MAC: a Neighbor Solicitation built with
//! etherparse (hop limit 255, to the solicited-node multicast group, with our link-layer address),
//! and the view over a Neighbor Advertisement. For a spoofed IPv6 source address, which the
//! kernel does not answer for: the reader of a received Neighbor Solicitation
//! ([`solicitation_in`], RFC 4861 7.1.1's checks) and the Neighbor Advertisement that answers it
//! ([`write_advertisement`], 7.2.4). The resolver that asks on the wire and waits is I/O:
//! `masscan_drivers::resolve`.

use etherparse::{Icmpv6Slice, NetSlice, PacketBuilder, SlicedPacket, TransportSlice};
use std::net::Ipv6Addr;

const NEIGHBOR_SOLICITATION: u8 = 135;
const NEIGHBOR_ADVERTISEMENT: u8 = 136;
const OPT_SOURCE_LL: u8 = 1;
const OPT_TARGET_LL: u8 = 2;
/// Neighbor Advertisement flags (the first byte after the checksum): solicited, override.
const FLAG_SOLICITED: u8 = 0x40;
const FLAG_OVERRIDE: u8 = 0x20;
/// The all-nodes group (ff02::1) and its Ethernet group address.
const ALL_NODES: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
const ALL_NODES_MAC: [u8; 6] = [0x33, 0x33, 0, 0, 0, 1];

/// The solicited-node multicast address of `ip` and its Ethernet group address.
pub fn solicited_node(ip: Ipv6Addr) -> (Ipv6Addr, [u8; 6]) {
    let o = ip.octets();
    let group = Ipv6Addr::new(
        0xff02,
        0,
        0,
        0,
        0,
        1,
        0xff00 | u16::from(o[13]),
        u16::from_be_bytes([o[14], o[15]]),
    );
    (group, [0x33, 0x33, 0xff, o[13], o[14], o[15]])
}

/// Writes a Neighbor Solicitation for `target` into `out`; returns its length (0 if `out` is
/// too small).
pub fn solicitation(
    my_mac: [u8; 6],
    my_ip: Ipv6Addr,
    target: Ipv6Addr,
    vlan: Option<u16>,
    out: &mut [u8],
) -> usize {
    let (group, group_mac) = solicited_node(target);
    let mut payload = [0u8; 24];
    payload[..16].copy_from_slice(&target.octets());
    payload[16] = OPT_SOURCE_LL;
    payload[17] = 1; // length in units of 8 bytes
    payload[18..24].copy_from_slice(&my_mac);
    let eth = PacketBuilder::ethernet2(my_mac, group_mac);
    let mut cursor = std::io::Cursor::new(&mut out[..]);
    let r = match vlan {
        None => eth
            .ipv6(my_ip.octets(), group.octets(), 255)
            .icmpv6_raw(NEIGHBOR_SOLICITATION, 0, [0; 4])
            .write(&mut cursor, &payload),
        Some(v) => eth
            .single_vlan(v.try_into().unwrap_or_default())
            .ipv6(my_ip.octets(), group.octets(), 255)
            .icmpv6_raw(NEIGHBOR_SOLICITATION, 0, [0; 4])
            .write(&mut cursor, &payload),
    };
    match r {
        Ok(()) => cursor.position() as usize,
        Err(_) => 0,
    }
}

/// A Neighbor Advertisement: (the address it is for, its MAC). The MAC is the target link-layer
/// option when present, else the frame's Ethernet source.
pub fn advertisement(frame: &[u8]) -> Option<(Ipv6Addr, [u8; 6])> {
    let p = SlicedPacket::from_ethernet(frame).ok()?;
    let (net, transport) = (p.net.as_ref()?, p.transport.as_ref()?);
    advertisement_in(net, transport, frame.get(6..12)?.try_into().ok()?)
}

/// The same for a frame already sliced, from the Ethernet source `src_mac`: `None` unless it is
/// an IPv6 packet from the link (hop limit 255) carrying a Neighbor Advertisement.
pub fn advertisement_in(
    net: &NetSlice<'_>,
    transport: &TransportSlice<'_>,
    src_mac: [u8; 6],
) -> Option<(Ipv6Addr, [u8; 6])> {
    let NetSlice::Ipv6(ip) = net else {
        return None;
    };
    if ip.header().hop_limit() != 255 {
        return None; // RFC 4861 7.1.2: not from the link
    }
    let TransportSlice::Icmpv6(icmp) = transport else {
        return None;
    };
    parse_advert_body(icmp, src_mac)
}

fn parse_advert_body(icmp: &Icmpv6Slice<'_>, src_mac: [u8; 6]) -> Option<(Ipv6Addr, [u8; 6])> {
    if icmp.type_u8() != NEIGHBOR_ADVERTISEMENT || icmp.code_u8() != 0 {
        return None;
    }
    let body = icmp.payload();
    let target: [u8; 16] = body.get(..16)?.try_into().ok()?;
    let mut opts = &body[16..];
    let mut mac = None;
    while opts.len() >= 8 {
        let (kind, len) = (opts[0], usize::from(opts[1]) * 8);
        if len == 0 || len > opts.len() {
            break;
        }
        if kind == OPT_TARGET_LL {
            mac = Some([opts[2], opts[3], opts[4], opts[5], opts[6], opts[7]]);
        }
        opts = &opts[len..];
    }
    Some((Ipv6Addr::from(target), mac.unwrap_or(src_mac)))
}

/// A Neighbor Solicitation that passed RFC 4861 7.1.1's checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Solicitation {
    /// Its IPv6 source: the asker, or `::` (duplicate address detection).
    pub source: Ipv6Addr,
    /// The address it asks about.
    pub target: Ipv6Addr,
    /// Where the answer's frame goes: the source link-layer address option, else the
    /// solicitation's Ethernet source.
    pub reply_mac: [u8; 6],
}

/// What a received packet is to the Neighbor Solicitation reader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SolicitationCheck {
    /// Not an ICMPv6 Neighbor Solicitation.
    NotOne,
    /// One that fails a check of RFC 4861 7.1.1 (hop limit, code, checksum, length, target,
    /// options): silently discarded.
    Malformed,
    Valid(Solicitation),
}

/// Reads a Neighbor Solicitation from a frame already sliced, from the Ethernet source
/// `src_mac`.
pub fn solicitation_in(
    net: &NetSlice<'_>,
    transport: Option<&TransportSlice<'_>>,
    src_mac: [u8; 6],
) -> SolicitationCheck {
    let (NetSlice::Ipv6(ip), Some(TransportSlice::Icmpv6(icmp))) = (net, transport) else {
        return SolicitationCheck::NotOne;
    };
    if icmp.type_u8() != NEIGHBOR_SOLICITATION {
        return SolicitationCheck::NotOne;
    }
    let h = ip.header();
    if h.hop_limit() != 255
        || icmp.code_u8() != 0
        || !icmp.is_checksum_valid(h.source(), h.destination())
    {
        return SolicitationCheck::Malformed;
    }
    match read_solicitation(icmp.payload(), h.source_addr(), h.destination_addr()) {
        Some((target, source_ll)) => SolicitationCheck::Valid(Solicitation {
            source: h.source_addr(),
            target,
            reply_mac: source_ll.unwrap_or(src_mac),
        }),
        None => SolicitationCheck::Malformed,
    }
}

/// The target and source link-layer address option of a solicitation's body (after the
/// reserved word), or `None` when it breaks a rule: shorter than a target, a multicast target
/// (or `::`, which no host owns), an option of length 0 or past the end, or from `::` with the
/// option or not to a solicited-node group.
fn read_solicitation(
    body: &[u8],
    source: Ipv6Addr,
    destination: Ipv6Addr,
) -> Option<(Ipv6Addr, Option<[u8; 6]>)> {
    let target = Ipv6Addr::from(<[u8; 16]>::try_from(body.get(..16)?).ok()?);
    if target.is_multicast() || target.is_unspecified() {
        return None;
    }
    let mut opts = &body[16..];
    let mut source_ll = None;
    while !opts.is_empty() {
        let len = usize::from(*opts.get(1)?) * 8;
        if len == 0 || len > opts.len() {
            return None;
        }
        if opts[0] == OPT_SOURCE_LL {
            source_ll = Some(opts[2..8].try_into().ok()?);
        }
        opts = &opts[len..];
    }
    if source.is_unspecified() {
        let solicited = destination.segments()[..6] == [0xff02, 0, 0, 0, 0, 1]
            && destination.octets()[12] == 0xff;
        if !solicited || source_ll.is_some() {
            return None;
        }
    }
    Some((target, source_ll))
}

/// Writes the Neighbor Advertisement that answers `ns` (for one of our addresses) from `my_mac`
/// into `out`: from the target address, hop limit 255, override set, our MAC in a target
/// link-layer address option; to the asker with solicited set, or to all nodes (ff02::1) with
/// it clear when the asker is `::`. Returns its length (0 if `out` is too small).
pub fn write_advertisement(
    ns: &Solicitation,
    my_mac: [u8; 6],
    vlan: Option<u16>,
    out: &mut [u8],
) -> usize {
    let (dst, dst_mac, flags) = if ns.source.is_unspecified() {
        (ALL_NODES, ALL_NODES_MAC, FLAG_OVERRIDE)
    } else {
        (ns.source, ns.reply_mac, FLAG_SOLICITED | FLAG_OVERRIDE)
    };
    let mut payload = [0u8; 24];
    payload[..16].copy_from_slice(&ns.target.octets());
    payload[16] = OPT_TARGET_LL;
    payload[17] = 1; // length in units of 8 bytes
    payload[18..24].copy_from_slice(&my_mac);
    let eth = PacketBuilder::ethernet2(my_mac, dst_mac);
    let mut cursor = std::io::Cursor::new(&mut out[..]);
    let rest = [flags, 0, 0, 0];
    let r = match vlan {
        None => eth
            .ipv6(ns.target.octets(), dst.octets(), 255)
            .icmpv6_raw(NEIGHBOR_ADVERTISEMENT, 0, rest)
            .write(&mut cursor, &payload),
        Some(v) => eth
            .single_vlan(v.try_into().unwrap_or_default())
            .ipv6(ns.target.octets(), dst.octets(), 255)
            .icmpv6_raw(NEIGHBOR_ADVERTISEMENT, 0, rest)
            .write(&mut cursor, &payload),
    };
    match r {
        Ok(()) => cursor.position() as usize,
        Err(_) => 0,
    }
}

#[cfg(test)]
mod answer_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solicitation_is_well_formed() {
        let me: Ipv6Addr = "2001:2::2".parse().unwrap();
        let router: Ipv6Addr = "2001:2::1".parse().unwrap();
        let mut buf = [0u8; 128];
        let n = solicitation([2, 0, 0, 0, 0, 2], me, router, None, &mut buf);
        assert_eq!(n, 14 + 40 + 8 + 24);
        assert_eq!(&buf[..6], &[0x33, 0x33, 0xff, 0, 0, 1]);
        let p = SlicedPacket::from_ethernet(&buf[..n]).unwrap();
        let Some(NetSlice::Ipv6(ip)) = &p.net else {
            panic!()
        };
        assert_eq!(ip.header().hop_limit(), 255);
        assert_eq!(
            ip.header().destination_addr(),
            "ff02::1:ff00:1".parse::<Ipv6Addr>().unwrap()
        );
        let Some(TransportSlice::Icmpv6(icmp)) = &p.transport else {
            panic!()
        };
        assert_eq!(icmp.type_u8(), NEIGHBOR_SOLICITATION);
        // etherparse computed the checksum over the pseudo header.
        assert!(icmp.is_checksum_valid(ip.header().source(), ip.header().destination()));
    }

    fn advert(opts: &[u8], hop: u8) -> Vec<u8> {
        let mut payload = "2001:2::1".parse::<Ipv6Addr>().unwrap().octets().to_vec();
        payload.extend_from_slice(opts);
        let mut v = Vec::new();
        PacketBuilder::ethernet2([9; 6], [2; 6])
            .ipv6(
                [0x20, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
                [0xfe; 16],
                hop,
            )
            .icmpv6_raw(NEIGHBOR_ADVERTISEMENT, 0, [0x60, 0, 0, 0])
            .write(&mut v, &payload)
            .unwrap();
        v
    }

    #[test]
    fn advertisements_parse_with_or_without_the_option() {
        let want = "2001:2::1".parse::<Ipv6Addr>().unwrap();
        let with = advert(&[OPT_TARGET_LL, 1, 1, 2, 3, 4, 5, 6], 255);
        assert_eq!(advertisement(&with), Some((want, [1, 2, 3, 4, 5, 6])));
        let without = advert(&[], 255);
        assert_eq!(advertisement(&without), Some((want, [9; 6])));
        assert_eq!(advertisement(&advert(&[], 64)), None, "off-link hop limit");
        // A zero-length option ends the walk instead of looping.
        let zero = advert(&[OPT_TARGET_LL, 0, 1, 2, 3, 4, 5, 6], 255);
        assert_eq!(advertisement(&zero), Some((want, [9; 6])));
        for cut in 0..with.len() {
            let _ = advertisement(&with[..cut]);
        }
    }
}

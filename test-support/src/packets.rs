//! Frames and scan pieces the engine's integration tests, benchmarks and fuzz targets build the
//! same way: the scanner's and the router's MACs, a source of one IPv4 address and a few ports,
//! and the SYN-ACK a listening target sends back (for a given cookie, or for a captured SYN).
//! The engine's own unit tests cannot depend on this crate (it depends on the engine); they keep
//! their copy in `masscan_engine::testing`.

use etherparse::{NetSlice, PacketBuilder, SlicedPacket, TransportSlice};
use masscan_engine::plan::source::{IpRange, PortRange, Source};
use std::net::Ipv4Addr;

/// The scanner's MAC in these frames.
pub const SCANNER_MAC: [u8; 6] = [2, 0, 0, 0, 0, 2];
/// The router's (the next hop's) MAC.
pub const ROUTER_MAC: [u8; 6] = [2, 0, 0, 0, 0, 1];

/// A scan source of one IPv4 address `ip` and the `ports` source ports from `first_port`.
pub fn v4_source(ip: Ipv4Addr, first_port: u16, ports: u32) -> Source {
    Source::new(
        Some(IpRange::V4 {
            first: u32::from(ip),
            count: 1,
        }),
        None,
        PortRange {
            first: first_port,
            count: ports,
        },
    )
}

/// The SYN-ACK (sequence 777, TTL 60) that `them`:`port_them` sends the scanner at
/// `me`:`port_me` through the router, acknowledging `ack`.
pub fn syn_ack(them: Ipv4Addr, port_them: u16, me: Ipv4Addr, port_me: u16, ack: u32) -> Vec<u8> {
    let mut v = Vec::new();
    PacketBuilder::ethernet2(ROUTER_MAC, SCANNER_MAC)
        .ipv4(them.octets(), me.octets(), 60)
        .tcp(port_them, port_me, 777, 64240)
        .syn()
        .ack(ack)
        .write(&mut v, &[])
        .expect("writing to a Vec cannot fail");
    v
}

/// The SYN-ACK a listening target answers the captured IPv4 SYN `syn` with (acknowledging its
/// sequence number + 1, the cookie the scanner expects back).
pub fn syn_ack_for(syn: &[u8]) -> Vec<u8> {
    let pkt = SlicedPacket::from_ethernet(syn).expect("a frame");
    let (Some(NetSlice::Ipv4(ip)), Some(TransportSlice::Tcp(tcp))) = (pkt.net, pkt.transport)
    else {
        panic!("not TCP/IPv4")
    };
    let h = ip.header();
    syn_ack(
        h.destination_addr(),
        tcp.destination_port(),
        h.source_addr(),
        tcp.source_port(),
        tcp.sequence_number().wrapping_add(1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_syn_ack_for_a_syn_swaps_addresses_and_ports_and_acknowledges_its_sequence() {
        let mut syn = Vec::new();
        PacketBuilder::ethernet2(SCANNER_MAC, ROUTER_MAC)
            .ipv4([198, 18, 0, 2], [198, 18, 4, 9], 255)
            .tcp(40001, 443, 0xffff_ffff, 1025)
            .syn()
            .write(&mut syn, &[])
            .unwrap();
        let sa = syn_ack_for(&syn);
        let p = SlicedPacket::from_ethernet(&sa).unwrap();
        assert_eq!(&sa[..6], &SCANNER_MAC);
        assert_eq!(&sa[6..12], &ROUTER_MAC);
        let Some(NetSlice::Ipv4(ip)) = p.net else {
            panic!("not IPv4")
        };
        assert_eq!(ip.header().source(), [198, 18, 4, 9]);
        assert_eq!(ip.header().destination(), [198, 18, 0, 2]);
        let Some(TransportSlice::Tcp(t)) = p.transport else {
            panic!("not TCP")
        };
        assert!(t.syn() && t.ack() && !t.rst());
        assert_eq!((t.source_port(), t.destination_port()), (443, 40001));
        assert_eq!(t.acknowledgment_number(), 0, "sequence + 1 wraps");
    }

    #[test]
    fn a_one_address_source_owns_exactly_its_address_and_ports() {
        let s = v4_source(Ipv4Addr::new(198, 18, 0, 2), 40000, 4);
        assert!(s.owns_v4(u32::from(Ipv4Addr::new(198, 18, 0, 2))));
        assert!(!s.owns_v4(u32::from(Ipv4Addr::new(198, 18, 0, 3))));
        assert!((40000..40004).all(|p| s.owns_port(p)));
        assert!(!s.owns_port(40004) && !s.owns_port(39999));
    }
}

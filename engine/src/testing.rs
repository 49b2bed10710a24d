//! Fixtures of the engine's own unit tests (compiled only for them): a source of one IPv4
//! address and a few ports, the probe kinds' dual-stack source, and the TCP segment a target
//! sends the scanner. The integration
//! tests, benchmarks and fuzz targets take theirs from `masscan-test-support`'s `packets`,
//! which the engine cannot depend on (that crate depends on the engine).

use crate::plan::source::{IpRange, PortRange, Source};
use etherparse::PacketBuilder;

/// The scanner's MAC in these frames.
pub const SCANNER_MAC: [u8; 6] = [2, 0, 0, 0, 0, 2];
/// The router's (the peer's next hop's) MAC.
pub const ROUTER_MAC: [u8; 6] = [2, 0, 0, 0, 0, 1];
/// The TTL of the segments [`tcp_segment`] builds.
pub const PEER_TTL: u8 = 61;

/// A scan source of one IPv4 address `ip` and the `ports` source ports from `first_port`.
pub fn v4_source(ip: [u8; 4], first_port: u16, ports: u32) -> Source {
    Source::new(
        Some(IpRange::V4 {
            first: u32::from_be_bytes(ip),
            count: 1,
        }),
        None,
        PortRange {
            first: first_port,
            count: ports,
        },
    )
}

/// The source the probe kinds' tests scan from: 198.18.0.2 and 2001:2::2, source ports
/// `ports` (e.g. "40000-40003").
pub fn dual_source(ports: &str) -> Source {
    Source::new(
        Some(IpRange::parse("198.18.0.2").expect("an address")),
        Some(IpRange::parse("2001:2::2").expect("an address")),
        PortRange::parse(ports).expect("a port range"),
    )
}

/// The TCP segment `from` (address, port) sends the scanner at `to` through the router, with
/// `flags` (any of "SRFP"; ACK always set) and `payload`.
pub fn tcp_segment(
    from: ([u8; 4], u16),
    to: ([u8; 4], u16),
    (seq, ack): (u32, u32),
    flags: &str,
    payload: &[u8],
) -> Vec<u8> {
    let mut b = PacketBuilder::ethernet2(ROUTER_MAC, SCANNER_MAC)
        .ipv4(from.0, to.0, PEER_TTL)
        .tcp(from.1, to.1, seq, 64240)
        .ack(ack);
    for f in flags.chars() {
        b = match f {
            'S' => b.syn(),
            'R' => b.rst(),
            'F' => b.fin(),
            'P' => b.psh(),
            _ => b,
        };
    }
    let mut v = Vec::new();
    b.write(&mut v, payload)
        .expect("writing to a Vec cannot fail");
    v
}

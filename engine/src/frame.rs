//! What every frame the scanner writes or reads shares, whatever its probe kind: the facts of
//! our side of the link ([`Link`]: our MAC, VLAN tag, TTL), a connection's four-tuple
//! ([`Flow`]), the header facts of an answer to one peer ([`FrameHeader`]) and the Ethernet and
//! IP builder step for it, the Ethernet minimum ([`MIN_FRAME`]), and the ones'-complement
//! checksum arithmetic (one [`fold`], word sums narrow and wide) that the probe templates, the
//! answers and the receive path's checksum check all use.

use etherparse::{IpHeaders, PacketBuilder, PacketBuilderStep};
use std::net::IpAddr;

/// Shortest Ethernet frame without FCS; shorter frames are zero-padded to it.
pub const MIN_FRAME: usize = 60;

/// Our side of the link: what every frame we send on one interface carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Link {
    /// Our source MAC.
    pub mac: [u8; 6],
    /// 802.1Q VLAN id (`--adapter-vlan`).
    pub vlan: Option<u16>,
    /// IPv4 TTL / IPv6 hop limit (`--ttl`, default 255 as masscan).
    pub ttl: u8,
}

impl Default for Link {
    fn default() -> Self {
        Self {
            mac: [0; 6],
            vlan: None,
            ttl: 255,
        }
    }
}

impl Link {
    /// Our link with MAC `mac`: no VLAN tag, TTL 255.
    pub fn new(mac: [u8; 6]) -> Self {
        Self {
            mac,
            ..Self::default()
        }
    }

    /// Where the IP header starts in our frames (after the 802.1Q tag, if any).
    #[inline(always)]
    pub fn ip_offset(&self) -> usize {
        if self.vlan.is_some() {
            18
        } else {
            14
        }
    }
}

/// The four-tuple of a connection (or of a probe and its reply).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Flow {
    pub them: IpAddr,
    pub me: IpAddr,
    pub port_them: u16,
    pub port_me: u16,
}

/// The link-layer and IP facts of a frame we send to one peer: our link, and the peer's MAC.
#[derive(Clone, Copy, Debug)]
pub struct FrameHeader {
    pub link: Link,
    pub dst_mac: [u8; 6],
}

/// The Ethernet (802.1Q-tagged when the link has a VLAN) and IP step of a frame from us
/// (`flow.me`) to the peer (`flow.them`); `None` when the addresses' families differ.
pub fn ip_builder(h: &FrameHeader, flow: &Flow) -> Option<PacketBuilderStep<IpHeaders>> {
    let Link { mac, vlan, ttl } = h.link;
    let eth = || PacketBuilder::ethernet2(mac, h.dst_mac);
    let tagged = |v: u16| eth().single_vlan(v.try_into().unwrap_or_default());
    Some(match (flow.me, flow.them, vlan) {
        (IpAddr::V4(m), IpAddr::V4(t), None) => eth().ipv4(m.octets(), t.octets(), ttl),
        (IpAddr::V4(m), IpAddr::V4(t), Some(v)) => tagged(v).ipv4(m.octets(), t.octets(), ttl),
        (IpAddr::V6(m), IpAddr::V6(t), None) => eth().ipv6(m.octets(), t.octets(), ttl),
        (IpAddr::V6(m), IpAddr::V6(t), Some(v)) => tagged(v).ipv6(m.octets(), t.octets(), ttl),
        _ => return None,
    })
}

/// Folds a ones'-complement sum to 16 bits (any `u64` sum: four steps always suffice).
#[inline(always)]
pub fn fold(mut s: u64) -> u16 {
    s = (s & 0xffff_ffff) + (s >> 32);
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
    s as u16
}

/// Ones'-complement sum of big-endian 16-bit words (an odd last byte is padded with zero).
pub fn sum_words(b: &[u8]) -> u64 {
    b.chunks(2)
        .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]) as u64)
        .sum()
}

/// The same sum as [`sum_words`], eight bytes at a time: 2^16 = 1 modulo 2^16 - 1, so the
/// halves of a 32-bit word add up to the same sum. Every received TCP segment is summed, so
/// this is on the receive path.
#[inline]
pub fn sum_words_wide(b: &[u8]) -> u64 {
    let mut chunks = b.chunks_exact(8);
    let mut s = 0u64;
    for c in &mut chunks {
        let w = u64::from_be_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        s += (w >> 32) + (w & 0xffff_ffff);
    }
    s + sum_words(chunks.remainder())
}

/// The two 16-bit halves of `v`, summed.
#[inline(always)]
pub fn halves32(v: u32) -> u64 {
    (v >> 16) as u64 + (v & 0xffff) as u64
}

/// The eight 16-bit words of `v`, summed.
#[inline(always)]
pub fn halves128(v: u128) -> u64 {
    let mut s = 0u64;
    let mut x = v;
    for _ in 0..8 {
        s += (x & 0xffff) as u64;
        x >>= 16;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain loop the four-step fold replaces.
    fn fold_loop(mut s: u64) -> u16 {
        while s >> 16 != 0 {
            s = (s & 0xffff) + (s >> 16);
        }
        s as u16
    }

    #[test]
    fn the_wide_sum_is_the_word_sum() {
        let bytes: Vec<u8> = (0..1501u32).map(|i| (i * 37 % 251) as u8).collect();
        for n in 0..bytes.len() {
            assert_eq!(
                fold(sum_words_wide(&bytes[..n])),
                fold(sum_words(&bytes[..n])),
                "{n}"
            );
        }
    }

    #[test]
    fn the_fold_is_the_carry_loop_for_any_sum() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for s in [0, 0xffff, 0x1_0000, 0xffff_ffff, u64::MAX, u64::MAX - 1] {
            assert_eq!(fold(s), fold_loop(s), "{s:#x}");
        }
        for _ in 0..10_000 {
            x = x.rotate_left(13).wrapping_mul(0x2545_f491_4f6c_dd1d);
            assert_eq!(fold(x), fold_loop(x), "{x:#x}");
            assert_eq!(fold(x >> 20), fold_loop(x >> 20), "{x:#x}");
        }
    }

    #[test]
    fn halves_are_word_sums() {
        let v = 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210u128;
        assert_eq!(halves128(v), sum_words(&v.to_be_bytes()));
        assert_eq!(
            halves32(0xdead_beef),
            sum_words(&0xdead_beefu32.to_be_bytes())
        );
    }

    #[test]
    fn the_ip_header_starts_after_the_tag() {
        let mut l = Link::default();
        assert_eq!(l.ip_offset(), 14);
        l.vlan = Some(0);
        assert_eq!(l.ip_offset(), 18);
    }
}

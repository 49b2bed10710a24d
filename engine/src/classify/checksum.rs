//! Whether a received TCP segment's checksum holds, so that a frame damaged on the way (a bit
//! flipped in its flags, numbers or banner bytes) is dropped instead of read as a reply. Two
//! forms pass: a complete checksum, and the one a sender with checksum offload leaves in the
//! field before its NIC fills it in (the pseudo-header's sum, which is what frames from a local
//! stack over veth and loopback-like links carry: their payload is not covered).

use crate::frame::{fold, sum_words, sum_words_wide};
use std::net::IpAddr;

/// `segment` is the TCP header and payload, as the IP header bounds them, from `them` to `me`.
pub fn tcp_checksum_holds(them: IpAddr, me: IpAddr, segment: &[u8]) -> bool {
    let Some(field) = segment.get(16..18) else {
        return false;
    };
    let len = segment.len() as u64;
    let pseudo = match (them, me) {
        (IpAddr::V4(s), IpAddr::V4(d)) => sum_words(&s.octets()) + sum_words(&d.octets()),
        (IpAddr::V6(s), IpAddr::V6(d)) => sum_words(&s.octets()) + sum_words(&d.octets()),
        _ => return false,
    } + 6
        + (len >> 16)
        + (len & 0xffff);
    if fold(pseudo + sum_words_wide(segment)) == 0xffff {
        return true;
    }
    u16::from_be_bytes([field[0], field[1]]) == fold(pseudo)
}

#[cfg(test)]
mod tests {
    use super::*;
    use etherparse::PacketBuilder;

    fn segment(v6: bool, payload: &[u8]) -> (IpAddr, IpAddr, Vec<u8>) {
        let mut f = Vec::new();
        let b = PacketBuilder::ethernet2([2; 6], [4; 6]);
        let (them, me): (IpAddr, IpAddr) = if v6 {
            let (s, d) = (
                [0x20, 1, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1],
                [0x20; 16],
            );
            b.ipv6(s, d, 64)
                .tcp(80, 61440, 7, 1024)
                .ack(9)
                .write(&mut f, payload)
                .unwrap();
            (s.into(), d.into())
        } else {
            b.ipv4([198, 18, 1, 1], [198, 18, 0, 2], 64)
                .tcp(80, 61440, 7, 1024)
                .syn()
                .ack(9)
                .write(&mut f, payload)
                .unwrap();
            ([198, 18, 1, 1].into(), [198, 18, 0, 2].into())
        };
        let ip_len = if v6 { 40 } else { 20 };
        (them, me, f[14 + ip_len..].to_vec())
    }

    #[test]
    fn complete_and_offloaded_checksums_pass_and_any_flipped_bit_fails() {
        for v6 in [false, true] {
            let (them, me, seg) = segment(v6, b"SSH-2.0-x\r\n");
            assert!(tcp_checksum_holds(them, me, &seg));
            for bit in 0..seg.len() * 8 {
                let mut bad = seg.clone();
                bad[bit / 8] ^= 1 << (bit % 8);
                assert!(!tcp_checksum_holds(them, me, &bad), "v6 {v6} bit {bit}");
            }
            // Offloaded: the field holds the pseudo-header's sum; the payload is not covered.
            let len = seg.len() as u64;
            let pseudo = match (them, me) {
                (IpAddr::V4(s), IpAddr::V4(d)) => sum_words(&s.octets()) + sum_words(&d.octets()),
                (IpAddr::V6(s), IpAddr::V6(d)) => sum_words(&s.octets()) + sum_words(&d.octets()),
                _ => unreachable!(),
            } + 6
                + (len >> 16)
                + (len & 0xffff);
            let mut partial = seg.clone();
            partial[16..18].copy_from_slice(&fold(pseudo).to_be_bytes());
            assert!(tcp_checksum_holds(them, me, &partial));
            // Another address, or a family mix, fails either form.
            let other: IpAddr = [198, 18, 0, 3].into();
            assert!(!tcp_checksum_holds(them, other, &seg));
            assert!(!tcp_checksum_holds(them, other, &partial));
            assert!(!tcp_checksum_holds(them, me, &seg[..17]));
        }
    }
}

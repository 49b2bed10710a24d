//! SYN cookies: a SipHash-2-4 of (their address, our address, their port, our port) keyed per
//! scan. The probe carries the low 32 bits as its sequence number; a reply is ours when
//! `ack - 1 == cookie`. The IPv4 path is a hand-inlined SipHash for the fixed 12-byte message (it
//! is on the per-probe hot path; `bench/` compares it with the siphasher crate, which it must
//! match bit for bit).

use crate::plan::permutation::splitmix64;
use siphasher::sip::SipHasher24;
use std::hash::Hasher;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CookieKey {
    k0: u64,
    k1: u64,
}

macro_rules! sipround {
    ($v0:ident, $v1:ident, $v2:ident, $v3:ident) => {
        $v0 = $v0.wrapping_add($v1);
        $v1 = $v1.rotate_left(13);
        $v1 ^= $v0;
        $v0 = $v0.rotate_left(32);
        $v2 = $v2.wrapping_add($v3);
        $v3 = $v3.rotate_left(16);
        $v3 ^= $v2;
        $v0 = $v0.wrapping_add($v3);
        $v3 = $v3.rotate_left(21);
        $v3 ^= $v0;
        $v2 = $v2.wrapping_add($v1);
        $v1 = $v1.rotate_left(17);
        $v1 ^= $v2;
        $v2 = $v2.rotate_left(32);
    };
}

impl CookieKey {
    /// The scan's cookie key, derived from the seed (a resumed scan with the same seed recognises
    /// replies to probes sent before the pause).
    pub fn from_seed(seed: u64) -> Self {
        let mut st = seed ^ 0x636f_6f6b_6965_2121; // "cookie!!"
        Self {
            k0: splitmix64(&mut st),
            k1: splitmix64(&mut st),
        }
    }

    pub fn from_keys(k0: u64, k1: u64) -> Self {
        Self { k0, k1 }
    }

    /// Keys for the scan's own hash tables (the banner stack's connections), derived from this
    /// key but not equal to it: the same seed hashes (and so walks) them the same way.
    pub fn table_keys(&self) -> (u64, u64) {
        const LABEL: u64 = 0x7461_626c_6573_2121; // "tables!!"
        let (mut a, mut b) = (self.k0 ^ LABEL, self.k1 ^ LABEL);
        (splitmix64(&mut a), splitmix64(&mut b))
    }

    /// The 12-byte message hashed for IPv4: their ip, our ip, their port, our port, big-endian.
    pub fn message_v4(ip_them: u32, ip_me: u32, port_them: u16, port_me: u16) -> [u8; 12] {
        let mut m = [0u8; 12];
        m[0..4].copy_from_slice(&ip_them.to_be_bytes());
        m[4..8].copy_from_slice(&ip_me.to_be_bytes());
        m[8..10].copy_from_slice(&port_them.to_be_bytes());
        m[10..12].copy_from_slice(&port_me.to_be_bytes());
        m
    }

    /// SipHash-2-4 of [`Self::message_v4`], inlined for the fixed length.
    #[inline(always)]
    pub fn v4(&self, ip_them: u32, ip_me: u32, port_them: u16, port_me: u16) -> u64 {
        let m = Self::message_v4(ip_them, ip_me, port_them, port_me);
        let m0 = u64::from_le_bytes([m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7]]);
        let m1 = u32::from_le_bytes([m[8], m[9], m[10], m[11]]) as u64 | (12u64 << 56);
        let mut v0 = self.k0 ^ 0x736f_6d65_7073_6575;
        let mut v1 = self.k1 ^ 0x646f_7261_6e64_6f6d;
        let mut v2 = self.k0 ^ 0x6c79_6765_6e65_7261;
        let mut v3 = self.k1 ^ 0x7465_6462_7974_6573;
        for m in [m0, m1] {
            v3 ^= m;
            sipround!(v0, v1, v2, v3);
            sipround!(v0, v1, v2, v3);
            v0 ^= m;
        }
        v2 ^= 0xff;
        sipround!(v0, v1, v2, v3);
        sipround!(v0, v1, v2, v3);
        sipround!(v0, v1, v2, v3);
        sipround!(v0, v1, v2, v3);
        v0 ^ v1 ^ v2 ^ v3
    }

    /// SipHash-2-4 of the IPv6 message (their ip, our ip, their port, our port).
    pub fn v6(&self, ip_them: u128, ip_me: u128, port_them: u16, port_me: u16) -> u64 {
        let mut h = SipHasher24::new_with_keys(self.k0, self.k1);
        h.write(&ip_them.to_be_bytes());
        h.write(&ip_me.to_be_bytes());
        h.write(&port_them.to_be_bytes());
        h.write(&port_me.to_be_bytes());
        h.finish()
    }

    /// The reference computation through the siphasher crate (tests and benchmarks).
    pub fn v4_reference(&self, ip_them: u32, ip_me: u32, port_them: u16, port_me: u16) -> u64 {
        let mut h = SipHasher24::new_with_keys(self.k0, self.k1);
        h.write(&Self::message_v4(ip_them, ip_me, port_them, port_me));
        h.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn matches_the_reference_vectors() {
        // The SipHash paper's test key 00..0f and the 12-byte message 00..0b; the siphasher crate
        // is itself checked against the paper's vectors.
        let k = CookieKey::from_keys(0x0706_0504_0302_0100, 0x0f0e_0d0c_0b0a_0908);
        let m = CookieKey::message_v4(0x0001_0203, 0x0405_0607, 0x0809, 0x0a0b);
        assert_eq!(m, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
        let got = k.v4(0x0001_0203, 0x0405_0607, 0x0809, 0x0a0b);
        assert_eq!(
            got,
            k.v4_reference(0x0001_0203, 0x0405_0607, 0x0809, 0x0a0b)
        );
    }

    #[test]
    fn depends_on_every_field_and_the_key() {
        let k = CookieKey::from_seed(1);
        let base = k.v4(0x0a00_0001, 0xc612_0001, 80, 40000);
        assert_ne!(base, k.v4(0x0a00_0002, 0xc612_0001, 80, 40000));
        assert_ne!(base, k.v4(0x0a00_0001, 0xc612_0002, 80, 40000));
        assert_ne!(base, k.v4(0x0a00_0001, 0xc612_0001, 81, 40000));
        assert_ne!(base, k.v4(0x0a00_0001, 0xc612_0001, 80, 40001));
        assert_ne!(
            base,
            CookieKey::from_seed(2).v4(0x0a00_0001, 0xc612_0001, 80, 40000)
        );
    }

    proptest! {
        #[test]
        fn inlined_equals_siphasher(k0: u64, k1: u64, a: u32, b: u32, p: u16, q: u16) {
            let k = CookieKey::from_keys(k0, k1);
            prop_assert_eq!(k.v4(a, b, p, q), k.v4_reference(a, b, p, q));
        }
    }
}

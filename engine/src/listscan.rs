//! `-sL` output: one target per line in scan order, written by hand into a byte buffer (16.7
//! million lines for a /8 must take well under three seconds). The address alone when one port
//! is scanned, `ip:port` when several (`ip:U:53` for non-TCP), `[ipv6]:port` for IPv6.

use crate::plan::ports::{original_number, Proto};
use crate::plan::{Target, TargetIp};
use std::net::Ipv6Addr;

#[inline]
fn push_u8_dec(out: &mut Vec<u8>, v: u8) {
    if v >= 100 {
        out.push(b'0' + v / 100);
        out.push(b'0' + (v / 10) % 10);
    } else if v >= 10 {
        out.push(b'0' + v / 10);
    }
    out.push(b'0' + v % 10);
}

#[inline]
fn push_u16_dec(out: &mut Vec<u8>, v: u16) {
    let mut buf = [0u8; 5];
    let mut i = buf.len();
    let mut v = v;
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// Appends a dotted-quad IPv4 address.
#[inline]
pub fn push_ipv4(out: &mut Vec<u8>, ip: u32) {
    let b = ip.to_be_bytes();
    push_u8_dec(out, b[0]);
    out.push(b'.');
    push_u8_dec(out, b[1]);
    out.push(b'.');
    push_u8_dec(out, b[2]);
    out.push(b'.');
    push_u8_dec(out, b[3]);
}

/// Appends one `-sL` line for `t`; with `original_numbers`, ports are written as the original
/// masscan writes them (its internal number: `65589` for U:53).
#[inline]
pub fn push_line(out: &mut Vec<u8>, t: &Target, with_port: bool, original_numbers: bool) {
    match t.ip {
        TargetIp::V4(ip) => push_ipv4(out, ip),
        TargetIp::V6(ip) => {
            use std::io::Write;
            if with_port {
                let _ = write!(out, "[{}]", Ipv6Addr::from(ip));
            } else {
                let _ = write!(out, "{}", Ipv6Addr::from(ip));
            }
        }
    }
    if with_port && original_numbers {
        use std::io::Write;
        let _ = write!(out, ":{}", original_number(t.port));
    } else if with_port {
        out.push(b':');
        let (proto, port) = Proto::split(t.port);
        match proto {
            Proto::Tcp => {}
            Proto::Udp => out.extend_from_slice(b"U:"),
            Proto::Sctp => out.extend_from_slice(b"S:"),
            Proto::Icmp => out.extend_from_slice(b"I:"),
            Proto::Arp => out.extend_from_slice(b"A:"),
            Proto::Other => out.extend_from_slice(b"O:"),
        }
        push_u16_dec(out, port);
    }
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn line(t: Target, with_port: bool) -> String {
        let mut v = Vec::new();
        push_line(&mut v, &t, with_port, false);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn forms() {
        let t = Target {
            ip: TargetIp::V4(0x0a00_0001),
            port: 80,
            number: 0,
            attempt: 0,
            canary: false,
        };
        assert_eq!(line(t, false), "10.0.0.1\n");
        assert_eq!(line(t, true), "10.0.0.1:80\n");
        let u = Target {
            ip: TargetIp::V4(0xffff_ffff),
            port: (1 << 16) + 53,
            number: 0,
            attempt: 0,
            canary: false,
        };
        assert_eq!(line(u, true), "255.255.255.255:U:53\n");
        let mut v = Vec::new();
        push_line(&mut v, &u, true, true);
        assert_eq!(v, b"255.255.255.255:65589\n");
        let v6 = Target {
            ip: TargetIp::V6(1),
            port: 65535,
            number: 0,
            attempt: 0,
            canary: false,
        };
        assert_eq!(line(v6, true), "[::1]:65535\n");
        assert_eq!(line(v6, false), "::1\n");
    }

    proptest! {
        #[test]
        fn ipv4_matches_std(ip: u32, port: u16) {
            let t = Target { ip: TargetIp::V4(ip), port: port as u32, number: 0, attempt: 0, canary: false };
            prop_assert_eq!(line(t, true), format!("{}:{}\n", std::net::Ipv4Addr::from(ip), port));
        }
    }
}

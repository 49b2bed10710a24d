//! NTP replies to our mode 3 client request (RFC 5905): a server (mode 4) reports its version,
//! stratum and reference id (`NTPv4 stratum 2 refid 192.0.2.1`); a kiss-o'-death packet
//! (stratum 0) its code (`NTPv4 stratum 0 kiss RATE`). The origin timestamp brings back our
//! cookie ([`super::payloads`]).
//!
//! A mode 7 (private) reply, the answer to `--vuln ntp-monlist`'s MON_GETLIST_1 request, reads as
//! the original reads it: version 2 with the response bit, the implementation (`UNIV`,
//! `XNTPD-OLD`, `XNTPD`), for XNTPD the request's name, and for MON_GETLIST_1 the server's error
//! or the size of the list the datagram holds: `XNTPD MON_GETLIST_1 response-size=432-bytes
//! more=true` (an ntpd that gives its monlist to anyone, the amplifier of CVE-2013-5211). The
//! original joins the last part to the request's name without a space (`MON_GETLIST_1Response
//! was ...`); we put one.

use std::fmt::Write as _;
use std::net::Ipv4Addr;

pub fn banner(msg: &[u8]) -> Option<Vec<u8>> {
    if msg.first().is_some_and(|b| b & 7 == 7) {
        return private(msg);
    }
    if msg.len() < 48 {
        return None;
    }
    let version = (msg[0] >> 3) & 7;
    let mode = msg[0] & 7;
    if !(1..=4).contains(&version) || !matches!(mode, 4 | 5) {
        return None;
    }
    let stratum = msg[1];
    let refid: [u8; 4] = msg[12..16].try_into().ok()?;
    let mut s = format!("NTPv{version} stratum {stratum}");
    match stratum {
        0 => {
            let _ = write!(s, " kiss {}", printable(&refid));
        }
        1 => {
            let _ = write!(s, " refid {}", printable(&refid));
        }
        _ => {
            let _ = write!(s, " refid {}", Ipv4Addr::from(refid));
        }
    }
    Some(s.into_bytes())
}

/// A mode 7 reply (see the module's documentation); `None` for a request or another version.
fn private(msg: &[u8]) -> Option<Vec<u8>> {
    let &[first, _, implementation, request, ..] = msg else {
        return None;
    };
    if first >> 7 != 1 || (first >> 3) & 7 != 2 {
        return None;
    }
    let mut s = match implementation {
        0 => return Some(b"UNIV".to_vec()),
        2 => return Some(b"XNTPD-OLD".to_vec()),
        3 => String::from("XNTPD"),
        _ => return None,
    };
    // The request code's low 7 bits (its top bit is unused in replies).
    let request = request & 0x7f;
    if let Some(name) = request_name(request) {
        s.push(' ');
        s.push_str(name);
    }
    if request == MON_GETLIST_1 {
        monlist(first, msg, &mut s);
    }
    Some(s.into_bytes())
}

const MON_GETLIST_1: u8 = 42;

/// The header past the first 4 bytes: error and item count, then item size; the items follow.
fn monlist(first: u8, msg: &[u8], s: &mut String) {
    let Some(&[a, b, c, d]) = msg.get(4..8) else {
        return;
    };
    let error = a >> 4;
    let items = usize::from(a & 0xf) << 8 | usize::from(b);
    let size = usize::from(c & 0xf) << 8 | usize::from(d);
    if error != 0 {
        let why = match error {
            1 => "Incompatible Implementation Number",
            2 => "Unimplemented Request Code",
            3 => "Format Error",
            4 => "No Data Available",
            7 => "Authentication Failure",
            _ => "Bogus Error Code",
        };
        let _ = write!(s, " Response was NTP Error Code {error} - \"{why}\"");
        return;
    }
    let bytes = items * size;
    if 8 + bytes > msg.len() || bytes > 500 {
        s.push_str(" response-too-big");
        return;
    }
    let more = (first >> 6) & 1 == 1;
    let _ = write!(s, " response-size={bytes}-bytes more={more}");
}

/// The names of the mode 7 request codes (ntpdc's), as the original lists them.
fn request_name(code: u8) -> Option<&'static str> {
    Some(match code {
        0 => "PEER_LIST",
        1 => "PEER_LIST_SUM",
        2 => "PEER_INFO",
        3 => "PEER_STATS",
        4 => "SYS_INFO",
        5 => "SYS_STATS",
        6 => "IO_STATS",
        7 => "MEM_STATS",
        8 => "LOOP_INFO",
        9 => "TIMER_STATS",
        10 => "CONFIG",
        11 => "UNCONFIG",
        12 => "SET_SYS_FLAG",
        13 => "CLR_SYS_FLAG",
        16 => "GET_RESTRICT",
        17 => "RESADDFLAGS",
        18 => "RESSUBFLAGS",
        19 => "UNRESTRICT",
        20 => "MON_GETLIST",
        21 => "RESET_STATS",
        22 => "RESET_PEER",
        23 => "REREAD_KEYS",
        26 => "TRUSTKEY",
        27 => "UNTRUSTKEY",
        28 => "AUTHINFO",
        29 => "TRAPS",
        30 => "ADD_TRAP",
        31 => "CLR_TRAP",
        32 => "REQUEST_KEY",
        33 => "CONTROL_KEY",
        34 => "GET_CTLSTATS",
        36 => "GET_CLOCKINFO",
        37 => "SET_CLKFUDGE",
        38 => "GET_KERNEL",
        39 => "GET_CLKBUGINFO",
        42 => "MON_GETLIST_1",
        43 => "HOSTNAME_ASSOCID",
        _ => return None,
    })
}

/// A stratum-1 source or kiss code: ASCII up to the first NUL.
fn printable(b: &[u8]) -> String {
    b.iter()
        .take_while(|&&c| c != 0)
        .map(|&c| {
            if c.is_ascii_graphic() {
                char::from(c)
            } else {
                '?'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn server_reply(stratum: u8, refid: [u8; 4]) -> Vec<u8> {
        let mut r = vec![0u8; 48];
        r[0] = 0x24; // version 4, mode 4
        r[1] = stratum;
        r[12..16].copy_from_slice(&refid);
        r
    }

    #[test]
    fn server_replies() {
        assert_eq!(
            banner(&server_reply(2, [198, 18, 0, 1])).unwrap(),
            b"NTPv4 stratum 2 refid 198.18.0.1"
        );
        assert_eq!(
            banner(&server_reply(1, *b"GPS\0")).unwrap(),
            b"NTPv4 stratum 1 refid GPS"
        );
        assert_eq!(
            banner(&server_reply(0, *b"RATE")).unwrap(),
            b"NTPv4 stratum 0 kiss RATE"
        );
        let mut client = server_reply(2, [0; 4]);
        client[0] = 0x23;
        assert_eq!(banner(&client), None);
        assert_eq!(banner(&client[..47]), None);
    }

    /// One datagram of an ntpd's monlist: `items` entries of 72 bytes, the more bit when
    /// another datagram follows.
    pub(crate) fn monlist_reply(items: u8, more: bool, error: u8) -> Vec<u8> {
        let mut r = vec![if more { 0xd7 } else { 0x97 }, 0, 3, 42];
        r.extend_from_slice(&[error << 4, items, 0, 72]);
        r.extend(std::iter::repeat_n(0x5a, usize::from(items) * 72));
        r
    }

    #[test]
    fn monlist_replies_read_as_the_original_reads_them() {
        let text = |r: &[u8]| banner(r).map(|b| String::from_utf8(b).unwrap());
        assert_eq!(
            text(&monlist_reply(6, true, 0)).unwrap(),
            "XNTPD MON_GETLIST_1 response-size=432-bytes more=true"
        );
        assert_eq!(
            text(&monlist_reply(2, false, 0)).unwrap(),
            "XNTPD MON_GETLIST_1 response-size=144-bytes more=false"
        );
        assert_eq!(
            text(&monlist_reply(0, false, 4)).unwrap(),
            "XNTPD MON_GETLIST_1 Response was NTP Error Code 4 - \"No Data Available\""
        );
        assert_eq!(
            text(&monlist_reply(0, false, 9)).unwrap(),
            "XNTPD MON_GETLIST_1 Response was NTP Error Code 9 - \"Bogus Error Code\""
        );
        // More items than the datagram holds, or more than one datagram can.
        let full = monlist_reply(6, false, 0);
        assert_eq!(
            text(&full[..full.len() - 1]).unwrap(),
            "XNTPD MON_GETLIST_1 response-too-big"
        );
        let mut big = monlist_reply(7, false, 0);
        big.extend_from_slice(&[0; 72]);
        assert_eq!(text(&big).unwrap(), "XNTPD MON_GETLIST_1 response-too-big");
        // Cut at every byte: the header's parts as they come, never a panic.
        for cut in 0..full.len() {
            let t = text(&full[..cut]);
            match cut {
                0..=3 => assert_eq!(t, None, "cut {cut}"),
                4..=7 => assert_eq!(t.unwrap(), "XNTPD MON_GETLIST_1", "cut {cut}"),
                _ => assert_eq!(
                    t.unwrap(),
                    "XNTPD MON_GETLIST_1 response-too-big",
                    "cut {cut}"
                ),
            }
        }
        // Other implementations and requests; our own request (no response bit) and other
        // versions are not replies.
        let mut r = monlist_reply(0, false, 0);
        r[2] = 0;
        assert_eq!(text(&r).unwrap(), "UNIV");
        r[2] = 2;
        assert_eq!(text(&r).unwrap(), "XNTPD-OLD");
        r[2] = 3;
        r[3] = 4;
        assert_eq!(text(&r).unwrap(), "XNTPD SYS_INFO");
        r[3] = 100;
        assert_eq!(text(&r).unwrap(), "XNTPD");
        r[2] = 9;
        assert_eq!(text(&r), None);
        assert_eq!(text(&crate::udp::payloads::ntp_monlist()), None);
        let mut v3 = monlist_reply(1, false, 0);
        v3[0] = 0x9f;
        assert_eq!(text(&v3), None);
    }

    /// Any mode 7 datagram, whatever its header and length: never a panic, a short line, and
    /// a line exactly when it is a version 2 reply of a known implementation.
    #[test]
    fn any_mode_7_bytes_read_safely() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for first in (0u8..=255).filter(|b| b & 7 == 7) {
            for implementation in 0u8..=4 {
                for _ in 0..64 {
                    let len = (next() % 600) as usize;
                    let mut msg: Vec<u8> = (0..len).map(|_| next() as u8).collect();
                    if let Some(m) = msg.get_mut(..4) {
                        m[0] = first;
                        m[2] = implementation;
                        // The monlist request half the time, so its header is read too.
                        if next() & 1 == 0 {
                            m[3] = MON_GETLIST_1;
                        }
                    }
                    for cut in [len, len.min(4), len.min(8), len.min(9)] {
                        let out = banner(&msg[..cut]);
                        let reply = cut >= 4
                            && first >> 7 == 1
                            && (first >> 3) & 7 == 2
                            && [0, 2, 3].contains(&implementation);
                        assert_eq!(out.is_some(), reply, "{:02x?}", &msg[..cut.min(8)]);
                        assert!(
                            out.is_none_or(|o| o.len() <= 96),
                            "{:02x?}",
                            &msg[..cut.min(8)]
                        );
                    }
                }
            }
        }
    }
}

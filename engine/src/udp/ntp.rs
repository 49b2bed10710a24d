//! NTP replies to our mode 3 client request (RFC 5905): a server (mode 4) reports its version,
//! stratum and reference id (`NTPv4 stratum 2 refid 192.0.2.1`); a kiss-o'-death packet
//! (stratum 0) its code (`NTPv4 stratum 0 kiss RATE`). The origin timestamp brings back our
//! cookie ([`super::payloads`]).

use std::fmt::Write as _;
use std::net::Ipv4Addr;

pub fn banner(msg: &[u8]) -> Option<Vec<u8>> {
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
}

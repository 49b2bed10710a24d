//! Scan results and their file formats: the [`Record`] every writer takes, masscan's binary
//! `-oB` format (reader and writer, [`binary`]), and the text formats written byte for byte as
//! the original writes them ([`text`]: list, NDJSON, JSON, host-only). XML, grepable and
//! unicornscan are not written yet.

pub mod binary;
pub mod text;

use std::net::IpAddr;

/// What a status record says about a port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    Open,
    Closed,
    /// A host answered ARP.
    Arp,
}

/// One result, as stored in `-oB` files and written by every format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    Status {
        time: u32,
        ip: IpAddr,
        /// IP protocol number (6 TCP, 17 UDP, 132 SCTP, 1 ICMP); 0 for ARP.
        ip_proto: u8,
        port: u16,
        status: Status,
        /// TCP flags of the reply (0x12 SYN-ACK, 0x14 RST-ACK).
        reason: u8,
        ttl: u8,
    },
    Banner {
        time: u32,
        ip: IpAddr,
        ip_proto: u8,
        port: u16,
        /// masscan's `app_proto` number (see [`app_name`]).
        app_proto: u16,
        ttl: u8,
        banner: Vec<u8>,
    },
}

impl Record {
    pub fn ip(&self) -> IpAddr {
        match self {
            Record::Status { ip, .. } | Record::Banner { ip, .. } => *ip,
        }
    }
}

/// masscan's name of an `app_proto` number (fixed numbers, COMPAT.md).
pub fn app_name(app: u16) -> &'static str {
    const NAMES: [&str; 37] = [
        "none",
        "heur",
        "ssh",
        "ssh",
        "http",
        "ftp",
        "dns-ver",
        "snmp",
        "nbtstat",
        "ssl",
        "smb",
        "smtp",
        "pop",
        "imap",
        "zeroaccess",
        "X509",
        "X509CA",
        "title",
        "html",
        "ntp",
        "vuln",
        "heartbleed",
        "ticketbleed",
        "vnc",
        "safe",
        "memcached",
        "scripting",
        "versioning",
        "coap",
        "telnet",
        "rdp",
        "http.server",
        "minecraft",
        "vnc",
        "vnc-info",
        "isakmp",
        "error",
    ];
    NAMES.get(app as usize).copied().unwrap_or("unknown")
}

/// Name of an IP protocol in output lines.
pub fn proto_name(ip_proto: u8, status: Option<Status>) -> &'static str {
    match (ip_proto, status) {
        (_, Some(Status::Arp)) => "arp",
        (1, _) => "icmp",
        (6, _) => "tcp",
        (17, _) => "udp",
        (132, _) => "sctp",
        _ => "err",
    }
}

/// masscan's reason string for TCP flags: `syn-ack`, `rst-ack`, `none`.
pub fn reason_string(flags: u8) -> String {
    const NAMES: [&str; 8] = ["fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr"];
    let parts: Vec<&str> = (0..8)
        .filter(|b| flags & (1 << b) != 0)
        .map(|b| NAMES[b])
        .collect();
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join("-")
    }
}

/// Whether masscan writes a banner byte as itself (else as an escape): printable ASCII but
/// none of `< > & \ " '`.
#[inline]
pub fn is_plain(c: u8) -> bool {
    (0x20..0x7f).contains(&c) && !b"<>&\\\"'".contains(&c)
}

/// Appends a banner with masscan's escaping: `\xNN` (list, console) or `\u00NN` (JSON).
pub fn push_escaped(out: &mut Vec<u8>, banner: &[u8], json: bool) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for &c in banner {
        if is_plain(c) {
            out.push(c);
        } else {
            out.extend_from_slice(if json { b"\\u00" } else { b"\\x" });
            out.push(HEX[(c >> 4) as usize]);
            out.push(HEX[(c & 15) as usize]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_escapes() {
        assert_eq!(app_name(31), "http.server");
        assert_eq!(app_name(3), "ssh");
        assert_eq!(app_name(999), "unknown");
        assert_eq!(reason_string(0x12), "syn-ack");
        assert_eq!(reason_string(0x14), "rst-ack");
        assert_eq!(reason_string(0), "none");
        let mut v = Vec::new();
        push_escaped(&mut v, b"a\n\"<\xff", false);
        assert_eq!(v, b"a\\x0a\\x22\\x3c\\xff");
        v.clear();
        push_escaped(&mut v, b"a\n", true);
        assert_eq!(v, b"a\\u000a");
    }
}

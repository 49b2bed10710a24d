//! The port space: masscan's `-p` grammar (`80`, `20-25`, `-`, `U:53`, `S:`, `I:`, `O:`, `A:`)
//! parsed into one range list over a flat `u32` space where each protocol owns a 65,536 block.

use crate::plan::ranges::{RangeList, RangeListBuilder};
use std::fmt::Write as _;

/// The protocol a port-space value belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Proto {
    Tcp,
    Udp,
    Sctp,
    /// ICMP echo (`I:0`, `--ping`).
    Icmp,
    /// ARP request (`--arp`).
    Arp,
    /// A raw IP protocol number (`O:`).
    Other,
}

impl Proto {
    /// First value of this protocol's block in the port space.
    pub const fn base(self) -> u32 {
        match self {
            Proto::Tcp => 0,
            Proto::Udp => 1 << 16,
            Proto::Sctp => 2 << 16,
            Proto::Icmp => 3 << 16,
            Proto::Arp => 4 << 16,
            Proto::Other => 5 << 16,
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Proto::Tcp => "",
            Proto::Udp => "U:",
            Proto::Sctp => "S:",
            Proto::Icmp => "I:",
            Proto::Arp => "A:",
            Proto::Other => "O:",
        }
    }

    /// Name used in console and output lines (`80/tcp`).
    pub fn name(self) -> &'static str {
        match self {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
            Proto::Sctp => "sctp",
            Proto::Icmp => "icmp",
            Proto::Arp => "arp",
            Proto::Other => "oproto",
        }
    }

    fn max_port(self) -> u32 {
        match self {
            Proto::Icmp | Proto::Arp => 0,
            Proto::Other => 255,
            _ => 65535,
        }
    }

    /// Splits a port-space value into protocol and port.
    #[inline]
    pub fn split(value: u32) -> (Proto, u16) {
        let p = match value >> 16 {
            0 => Proto::Tcp,
            1 => Proto::Udp,
            2 => Proto::Sctp,
            3 => Proto::Icmp,
            4 => Proto::Arp,
            _ => Proto::Other,
        };
        (p, value as u16)
    }
}

/// A port-space value as the original masscan numbers it internally (and prints in `-sL`):
/// TCP, UDP and SCTP blocks as ours, ICMP echo at 196608, ARP at 196610, and IP protocols
/// from 196864.
pub fn original_number(value: u32) -> u32 {
    const ICMP: u32 = 3 << 16;
    match Proto::split(value) {
        (Proto::Arp, _) => ICMP + 2,
        (Proto::Other, p) => ICMP + 256 + u32::from(p),
        (Proto::Icmp, p) => ICMP + u32::from(p),
        _ => value,
    }
}

/// The ICMP echo entry of the port space (`--ping`, `I:0`).
pub const PING: u32 = Proto::Icmp.base();
/// The ARP entry of the port space (`--arp`).
pub const ARP: u32 = Proto::Arp.base();

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("bad port list '{spec}': {why}")]
pub struct PortError {
    pub spec: String,
    pub why: String,
}

/// Accumulates `-p` arguments (which may repeat) and flags such as `--ping`.
#[derive(Default, Clone, Debug)]
pub struct PortSetBuilder {
    ranges: RangeListBuilder<u32>,
}

impl PortSetBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one port-space value or range directly (e.g. [`PING`]).
    pub fn add_value(&mut self, first: u32, last: u32) {
        self.ranges.add(first, last);
    }

    /// Parses masscan's port grammar: comma-separated items, each `N`, `N-M`, `N-`, `-N` or `-`,
    /// optionally preceded by a protocol prefix that applies to the items after it.
    pub fn add_spec(&mut self, spec: &str) -> Result<(), PortError> {
        let err = |why: String| PortError {
            spec: spec.to_string(),
            why,
        };
        let mut proto = Proto::Tcp;
        if spec.trim().is_empty() {
            return Err(err("empty".into()));
        }
        let mut added = false;
        for raw in spec.split(',') {
            let mut item = raw.trim();
            if item.is_empty() {
                continue; // `80,,443` and a trailing comma, as target lists allow
            }
            let b = item.as_bytes();
            if b.len() >= 2 && b[1] == b':' && b[0].is_ascii_alphabetic() {
                proto = match b[0].to_ascii_uppercase() {
                    b'T' => Proto::Tcp,
                    b'U' => Proto::Udp,
                    b'S' => Proto::Sctp,
                    b'I' => Proto::Icmp,
                    b'A' => Proto::Arp,
                    b'O' => Proto::Other,
                    c => {
                        return Err(err(format!(
                            "unknown protocol prefix '{}:' (use T:, U:, S:, I:, O: or A:)",
                            c as char
                        )))
                    }
                };
                item = item[2..].trim();
            }
            let max = proto.max_port();
            let num = |s: &str| -> Result<u32, PortError> {
                let v: u64 = s
                    .trim()
                    .parse()
                    .map_err(|_| err(format!("'{s}' is not a port number")))?;
                if v > max as u64 {
                    return Err(err(format!(
                        "port {v} is out of range (max {max}{})",
                        if proto == Proto::Tcp {
                            ""
                        } else {
                            " for this protocol"
                        }
                    )));
                }
                Ok(v as u32)
            };
            let (first, last) = match item.split_once('-') {
                None => {
                    let v = num(item)?;
                    (v, v)
                }
                Some((a, z)) => {
                    // nmap style: "-" alone is 1-65535, "N-" runs to the end, "-N" starts at 1.
                    let first = if a.trim().is_empty() {
                        1.min(max)
                    } else {
                        num(a)?
                    };
                    let last = if z.trim().is_empty() { max } else { num(z)? };
                    if first > last {
                        return Err(err(format!("range {first}-{last} is backwards")));
                    }
                    (first, last)
                }
            };
            self.ranges.add(proto.base() + first, proto.base() + last);
            added = true;
        }
        if !added {
            return Err(err("no port in it".into()));
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    pub fn build(self) -> PortSet {
        PortSet {
            list: self.ranges.build(),
        }
    }
}

/// The ports to scan, merged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortSet {
    pub list: RangeList<u32>,
}

impl PortSet {
    pub fn count(&self) -> u64 {
        self.list.len_u64().unwrap_or(u64::MAX)
    }

    /// The ranges per protocol, in order: `(proto, first, last)`. A span of the flat space that
    /// crosses a protocol block boundary (TCP 65535 merged with UDP 0) comes out split.
    pub fn ranges(&self) -> impl Iterator<Item = (Proto, u16, u16)> + '_ {
        self.list.spans().iter().flat_map(|s| {
            let mut next = Some(s.first);
            std::iter::from_fn(move || {
                let first = next?;
                let block_end = (first | 0xFFFF).min(s.last);
                next = (block_end != s.last).then(|| block_end + 1);
                let (proto, p1) = Proto::split(first);
                Some((proto, p1, Proto::split(block_end).1))
            })
        })
    }

    /// Whether the scan sends ARP requests (`--arp`).
    /// These ports minus `other`'s (`--exclude-ports`).
    pub fn without(&self, other: &PortSet) -> PortSet {
        PortSet {
            list: self.list.subtract(&other.list),
        }
    }

    pub fn contains_arp(&self) -> bool {
        self.ranges().any(|(p, _, _)| p == Proto::Arp)
    }

    /// masscan's config form: `80,443,U:53,S:38412,I:0`.
    pub fn to_spec(&self) -> String {
        let mut out = String::new();
        for (proto, p1, p2) in self.ranges() {
            if !out.is_empty() {
                out.push(',');
            }
            out.push_str(proto.prefix());
            if p1 == p2 {
                let _ = write!(out, "{p1}");
            } else {
                let _ = write!(out, "{p1}-{p2}");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<PortSet, PortError> {
        let mut b = PortSetBuilder::new();
        b.add_spec(s)?;
        Ok(b.build())
    }

    #[test]
    fn grammar() {
        assert_eq!(parse("80").unwrap().count(), 1);
        assert_eq!(parse("20-25").unwrap().count(), 6);
        assert_eq!(parse("80,20-25").unwrap().to_spec(), "20-25,80");
        assert_eq!(parse("-").unwrap().to_spec(), "1-65535");
        assert_eq!(parse("0-").unwrap().count(), 65536);
        assert_eq!(parse("U:53,161").unwrap().to_spec(), "U:53,U:161");
        assert_eq!(
            parse("80,443,U:53,S:38412,I:0").unwrap().to_spec(),
            "80,443,U:53,S:38412,I:0"
        );
        assert_eq!(parse("T:22,u:53").unwrap().to_spec(), "22,U:53");
        // TCP 65535 and UDP 0 are adjacent in the flat space: printing splits them again.
        assert_eq!(parse("65535,U:0").unwrap().to_spec(), "65535,U:0");
    }

    #[test]
    fn errors() {
        assert_eq!(
            parse("70000").unwrap_err().to_string(),
            "bad port list '70000': port 70000 is out of range (max 65535)"
        );
        assert_eq!(
            parse("80-20").unwrap_err().to_string(),
            "bad port list '80-20': range 80-20 is backwards"
        );
        for s in [
            "",
            ",",
            "http",
            "X:80",
            "I:5",
            "1-2-3",
            "99999999999999999999",
        ] {
            assert!(parse(s).is_err(), "{s:?}");
        }
    }

    #[test]
    fn empty_items_are_skipped_as_in_target_lists() {
        assert_eq!(parse("80,,81,").unwrap(), parse("80,81").unwrap());
    }

    #[test]
    fn round_trip() {
        for s in ["1-65535", "U:1-100,S:5,I:0,A:0", "O:6,17"] {
            let a = parse(s).unwrap();
            assert_eq!(parse(&a.to_spec()).unwrap(), a);
        }
    }
}

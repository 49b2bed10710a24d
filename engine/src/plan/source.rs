//! The scanner's own addresses and ports: `--adapter-ip` and `--adapter-port`, each one value or
//! a range. masscan asks for power-of-two ranges; any size works here (so the original's own
//! `paused.conf`, which saves a 17-port range, resumes). Each target number is mixed by one
//! multiply and scaled into the ranges (no division), so the ports and addresses are used evenly
//! and retries of one target reuse the same source (and so the same cookie).

use std::net::{Ipv4Addr, Ipv6Addr};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SourceError {
    #[error("bad --adapter-port '{0}': use a port (40000) or a range (40000-40015)")]
    BadPort(String),
    #[error("bad --adapter-ip '{0}': use an address, a range (198.18.0.100-198.18.0.103) or a CIDR block of at most 2^32 addresses")]
    BadIp(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortRange {
    pub first: u16,
    pub count: u32,
}

impl PortRange {
    pub fn parse(s: &str) -> Result<Self, SourceError> {
        let bad = || SourceError::BadPort(s.to_string());
        let (a, b) = s.split_once('-').unwrap_or((s, s));
        let first: u16 = a.trim().parse().map_err(|_| bad())?;
        let last: u16 = b.trim().parse().map_err(|_| bad())?;
        if last < first {
            return Err(bad());
        }
        let count = last as u32 - first as u32 + 1;
        Ok(Self { first, count })
    }

    /// Random 16-port range in 61440-65535 (the default when `--adapter-port` is not given):
    /// above Linux's ephemeral ports (32768-60999), so the host's own connections never use a
    /// scan's port, and with AF_XDP their replies are never steered away from the kernel.
    pub fn random_default(entropy: u64) -> Self {
        let slot = (entropy % ((65536 - 61440) / 16)) as u16;
        Self {
            first: 61440 + slot * 16,
            count: 16,
        }
    }

    pub fn last(&self) -> u16 {
        (self.first as u32 + self.count - 1) as u16
    }
}

impl std::fmt::Display for PortRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.count == 1 {
            write!(f, "{}", self.first)
        } else {
            write!(f, "{}-{}", self.first, self.last())
        }
    }
}

/// `--adapter-ip`: addresses of either family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IpRange {
    V4 { first: u32, count: u64 },
    V6 { first: u128, count: u128 },
}

impl IpRange {
    pub fn parse(s: &str) -> Result<Self, SourceError> {
        use crate::plan::targets::{parse_range, AddrRange};
        let bad = || SourceError::BadIp(s.to_string());
        match parse_range(s).map_err(|_| bad())? {
            AddrRange::V4(a, b) => Ok(IpRange::V4 {
                first: a,
                count: (b - a) as u64 + 1,
            }),
            AddrRange::V6(a, b) => {
                let count = (b - a)
                    .checked_add(1)
                    .filter(|&c| c <= 1 << 32)
                    .ok_or_else(bad)?;
                Ok(IpRange::V6 { first: a, count })
            }
        }
    }
}

impl std::fmt::Display for IpRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            IpRange::V4 { first, count: 1 } => write!(f, "{}", Ipv4Addr::from(first)),
            IpRange::V4 { first, count } => {
                write!(
                    f,
                    "{}-{}",
                    Ipv4Addr::from(first),
                    Ipv4Addr::from(first + (count - 1) as u32)
                )
            }
            IpRange::V6 { first, count: 1 } => write!(f, "{}", Ipv6Addr::from(first)),
            IpRange::V6 { first, count } => {
                write!(
                    f,
                    "{}-{}",
                    Ipv6Addr::from(first),
                    Ipv6Addr::from(first + (count - 1))
                )
            }
        }
    }
}

/// Source selection for the transmit loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Source {
    v4_first: u32,
    v4_count: u64,
    v6_first: u128,
    v6_count: u64,
    port_first: u16,
    port_count: u64,
}

/// One target's source: the port from the high half of the mixed number, the address from the
/// low half.
#[derive(Clone, Copy, Debug)]
pub struct SourceChoice<'a> {
    source: &'a Source,
    h: u64,
}

impl SourceChoice<'_> {
    #[inline(always)]
    pub fn port(&self) -> u16 {
        let s = self.source;
        s.port_first
            .wrapping_add((((self.h >> 32) * s.port_count) >> 32) as u16)
    }

    /// The source port a cookie picks (UDP probes carry their cookie in it).
    #[inline(always)]
    pub fn port_for(&self, cookie: u64) -> u16 {
        self.source.port_of(cookie)
    }

    #[inline(always)]
    pub fn v4(&self) -> u32 {
        let s = self.source;
        s.v4_first
            .wrapping_add((((self.h & 0xffff_ffff) * s.v4_count) >> 32) as u32)
    }

    #[inline(always)]
    pub fn v6(&self) -> u128 {
        let s = self.source;
        s.v6_first
            .wrapping_add((((self.h & 0xffff_ffff) * s.v6_count) >> 32) as u128)
    }
}

/// Spreads a target number over 64 bits (one multiply), so its halves scale evenly into ranges.
#[inline(always)]
fn mix(number: u64) -> u64 {
    (number ^ (number >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

impl Source {
    /// `v4`/`v6` are the source ranges of each family (the zero address where one is unused).
    pub fn new(v4: Option<IpRange>, v6: Option<IpRange>, ports: PortRange) -> Self {
        // A family without a source range owns no address (not even `0.0.0.0` or `::`); a
        // count of 0 still chooses `first` (0), which no probe of that family is sent from.
        let (v4_first, v4_count) = match v4 {
            Some(IpRange::V4 { first, count }) => (first, count),
            _ => (0, 0),
        };
        let (v6_first, v6_count) = match v6 {
            Some(IpRange::V6 { first, count }) => (first, count as u64),
            _ => (0, 0),
        };
        Self {
            v4_first,
            v4_count,
            v6_first,
            v6_count,
            port_first: ports.first,
            port_count: ports.count as u64,
        }
    }

    /// The source of the target numbered `number`: mixed once, then scaled into each range.
    #[inline(always)]
    pub fn choose(&self, number: u64) -> SourceChoice<'_> {
        SourceChoice {
            source: self,
            h: mix(number),
        }
    }

    /// The port of our range that a cookie picks: its high half scaled into the range.
    #[inline(always)]
    pub fn port_of(&self, cookie: u64) -> u16 {
        self.port_first
            .wrapping_add((((cookie >> 32) * self.port_count) >> 32) as u16)
    }

    /// Whether a reply's destination port is one of ours.
    #[inline]
    pub fn owns_port(&self, port: u16) -> bool {
        (port.wrapping_sub(self.port_first) as u64) < self.port_count
    }

    /// Whether a reply's destination IPv4 address is one of ours.
    #[inline]
    pub fn owns_v4(&self, ip: u32) -> bool {
        (ip.wrapping_sub(self.v4_first) as u64) < self.v4_count
    }

    /// Whether a reply's destination IPv6 address is one of ours.
    #[inline]
    pub fn owns_v6(&self, ip: u128) -> bool {
        ip.wrapping_sub(self.v6_first) < u128::from(self.v6_count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports() {
        assert_eq!(
            PortRange::parse("40000"),
            Ok(PortRange {
                first: 40000,
                count: 1
            })
        );
        assert_eq!(PortRange::parse("40000-40015").unwrap().count, 16);
        assert_eq!(PortRange::parse("56925-56941").unwrap().count, 17);
        assert!(PortRange::parse("70000").is_err());
        assert!(PortRange::parse("5-1").is_err());
        let d = PortRange::random_default(u64::MAX);
        assert!(d.first >= 61440 && u32::from(d.first) + 16 <= 65536 && d.count == 16);
        let d = PortRange::random_default(0);
        assert!(d.first == 61440 && d.count == 16);
    }

    #[test]
    fn every_source_port_and_ip_is_used() {
        let s = Source::new(
            Some(IpRange::parse("198.18.0.100-198.18.0.103").unwrap()),
            None,
            PortRange::parse("40000-40007").unwrap(),
        );
        let mut seen = std::collections::HashMap::new();
        for n in 0..32_000u64 {
            let c = s.choose(n);
            *seen.entry((c.v4(), c.port())).or_insert(0) += 1;
        }
        assert_eq!(seen.len(), 32);
        // Used evenly: each of the 32 pairs within 10% of 1000.
        assert!(seen.values().all(|&c| (900..1100).contains(&c)), "{seen:?}");
        assert!(s.owns_port(40007) && !s.owns_port(40008) && !s.owns_port(39999));
        let odd = Source::new(None, None, PortRange::parse("56925-56941").unwrap());
        let ports: std::collections::HashSet<u16> =
            (0..1000).map(|n| odd.choose(n).port()).collect();
        assert_eq!(ports.len(), 17);
        assert!(ports.iter().all(|p| (56925..=56941).contains(p)));
        assert_eq!(
            IpRange::parse("198.18.0.0/30").unwrap().to_string(),
            "198.18.0.0-198.18.0.3"
        );
    }

    #[test]
    fn a_family_without_a_source_range_owns_no_address() {
        let v4_only = Source::new(
            Some(IpRange::parse("198.18.0.100").unwrap()),
            None,
            PortRange::parse("40000").unwrap(),
        );
        assert!(v4_only.owns_v4(0xc612_0064) && !v4_only.owns_v4(0));
        assert!(!v4_only.owns_v6(0) && !v4_only.owns_v6(1));
        let v6_only = Source::new(
            None,
            Some(IpRange::parse("2001:2::99").unwrap()),
            PortRange::parse("40000").unwrap(),
        );
        assert!(!v6_only.owns_v4(0) && !v6_only.owns_v6(0));
        assert!(v6_only.owns_v6(0x2001_0002_0000_0000_0000_0000_0000_0099));
        // Choosing still works for every target number (the address is never sent from).
        assert_eq!(v6_only.choose(7).v4(), 0);
        assert_eq!(v4_only.choose(7).v6(), 0);
    }
}

//! Canary ports (`--canaries N`): each target host gets `N` extra TCP SYN probes to high ports
//! the scan does not probe, chosen statelessly from the scan's key, so a host that answers
//! SYN-ACK on every port (a SYN proxy, a tarpit, some firewalls) is recognised and marked instead
//! of filling the results with false open ports. This module owns the choice of the ports (the
//! transmit side picks them per probe, the receive side recomputes them per SYN-ACK: no state
//! per host on either side), the mark record's representation, and the set of marked hosts
//! the output side keeps ([`Marks`]).
//!
//! Port `k` of a host is a keyed SipHash of (address, `k`, try) mapped into
//! [`FIRST`]`..=65535`; a port the scan probes (over TCP) or an earlier canary of the same host
//! is skipped by hashing again, and after [`TRIES`] tries the next free port upwards is taken,
//! so the choice always ends and never lands on a scanned port.

use crate::cookie::CookieKey;
use crate::dedup::Dedup;
use crate::output::{BannerRecord, Record};
use crate::plan::ports::{PortSet, Proto};
use crate::plan::TargetIp;
use std::net::IpAddr;

/// Lowest canary port (the IANA dynamic range, 49152-65535: rarely a real service's).
pub const FIRST: u16 = 49152;
/// Most canary ports per host (`--canaries`).
pub const MAX: u8 = 8;
/// Hash tries before the walk upwards to the next free port.
const TRIES: u32 = 16;
/// Ports in the canary range.
const SPAN: u32 = 65536 - FIRST as u32;
/// The hash's label (its `ip_me` half), so canary ports share no value with the cookies.
const LABEL: u128 = 0x6361_6e61_7279_2121 << 64; // "canary!!"

/// The `app_proto` number of a mark record (its name, `canary`, is in the output table).
pub const APP_PROTO: u16 = 63;

/// What a marked host's other results become (`--canary-results`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Results {
    /// Reported as usual, beside the host's mark record (the default).
    #[default]
    Keep,
    /// Results of the host that arrive after its mark are not written.
    Drop,
}

impl Results {
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "keep" => Some(Results::Keep),
            "drop" => Some(Results::Drop),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Results::Keep => "keep",
            Results::Drop => "drop",
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CanaryError {
    #[error("bad --canaries {0}: use 0 (off) to {MAX} canary ports per host")]
    Count(u32),
    #[error(
        "--canaries needs {need} TCP ports in 49152-65535 that the scan does not probe; it \
         probes all but {free}"
    )]
    NoRoom { need: u8, free: u32 },
}

/// The scan's canary ports: how many per host, under which key, avoiding which ports.
#[derive(Clone, Debug)]
pub struct Canaries {
    key: CookieKey,
    count: u8,
    /// The scan's TCP ports within the canary range, sorted and disjoint (often none).
    scanned: Vec<(u16, u16)>,
}

impl Canaries {
    /// `count` canary ports per host under the scan's `key`, never one of `ports`' TCP ports.
    pub fn new(key: CookieKey, count: u8, ports: &PortSet) -> Result<Self, CanaryError> {
        if count > MAX {
            return Err(CanaryError::Count(u32::from(count)));
        }
        let scanned: Vec<(u16, u16)> = ports
            .ranges()
            .filter(|&(p, _, last)| p == Proto::Tcp && last >= FIRST)
            .map(|(_, first, last)| (first.max(FIRST), last))
            .collect();
        let taken: u32 = scanned.iter().map(|&(a, b)| u32::from(b - a) + 1).sum();
        let free = SPAN - taken;
        if free < u32::from(count) {
            return Err(CanaryError::NoRoom { need: count, free });
        }
        Ok(Self {
            key,
            count,
            scanned,
        })
    }

    /// Canary ports per host.
    pub fn count(&self) -> u8 {
        self.count
    }

    fn is_scanned(&self, port: u16) -> bool {
        let k = self.scanned.partition_point(|&(_, last)| last < port);
        k < self.scanned.len() && self.scanned[k].0 <= port
    }

    /// Canary port `k` (`k < count`) of the host `ip` (an IPv4 address as its mapped IPv6 form).
    pub fn port(&self, ip: u128, k: u8) -> u16 {
        let mut earlier = [0u16; MAX as usize];
        for i in 0..usize::from(k) {
            earlier[i] = self.pick(ip, i as u8, &earlier[..i]);
        }
        self.pick(ip, k, &earlier[..usize::from(k)])
    }

    /// Port `k`, given the host's ports before it.
    fn pick(&self, ip: u128, k: u8, earlier: &[u16]) -> u16 {
        let free = |p: u16| !self.is_scanned(p) && !earlier.contains(&p);
        let mut p = FIRST;
        for t in 0..TRIES {
            let h = self.key.v6(ip, LABEL | u128::from(t), u16::from(k), 0);
            p = FIRST + ((h % u64::from(SPAN)) as u16);
            if free(p) {
                return p;
            }
        }
        // Rare (the scan probes most of the range): the next free port upwards, wrapping.
        // One exists: `new` checked there are at least `count` free ports.
        for _ in 0..SPAN {
            p = if p == u16::MAX { FIRST } else { p + 1 };
            if free(p) {
                return p;
            }
        }
        p
    }

    /// Whether `port` is one of the host `ip`'s canary ports (a SYN-ACK from it marks the host).
    pub fn is_canary(&self, ip: IpAddr, port: u16) -> bool {
        if port < FIRST || self.count == 0 {
            return false;
        }
        let ip = mapped(ip);
        let mut earlier = [0u16; MAX as usize];
        for k in 0..self.count {
            let p = self.pick(ip, k, &earlier[..usize::from(k)]);
            if p == port {
                return true;
            }
            earlier[usize::from(k)] = p;
        }
        false
    }

    /// The TCP port-space value of canary `k` of target address `ip` (the transmit side's).
    #[inline]
    pub fn target_port(&self, ip: TargetIp, k: u8) -> u32 {
        let ip = match ip {
            TargetIp::V4(v4) => u128::from(std::net::Ipv4Addr::from(v4).to_ipv6_mapped()),
            TargetIp::V6(v6) => v6,
        };
        Proto::Tcp.base() | u32::from(self.port(ip, k))
    }
}

fn mapped(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(v4.to_ipv6_mapped()),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

/// The record that marks a host: a banner of the canary port that answered, service
/// `canary`, saying what was seen. A reader of the original's formats sees one more banner
/// (the original names a service number it does not know `(63)`, as [`crate::output::app_name`] does past its table).
pub fn mark_record(ip: IpAddr, port: u16, ttl: u8, time: u32) -> Record {
    Record::Banner(BannerRecord {
        time,
        ip,
        ip_proto: 6,
        port,
        app_proto: APP_PROTO,
        ttl,
        banner: format!("SYN-ACK from unprobed canary port {port}: this host answers ports that are not open (tarpit or SYN proxy); its open ports are doubtful").into_bytes(),
    })
}

/// Whether `r` is a mark record.
pub fn is_mark(r: &Record) -> bool {
    matches!(r, Record::Banner(b) if b.app_proto == APP_PROTO)
}

/// The marked hosts, for the one place every result passes (the output thread, `--readscan`):
/// a host's first mark record goes through, later ones (another receive core's, another canary
/// port's) are swallowed, and with [`Results::Drop`] so are the host's other results that come
/// after its mark. A bounded table ([`Dedup`]): past about two million marked hosts the oldest
/// may be forgotten and marked again.
pub struct Marks {
    seen: Dedup,
    results: Results,
    marked: u64,
}

/// The table's buckets (8 hosts each, 64 bytes: 2 MiB).
const MARK_BUCKETS: usize = 1 << 15;
/// The port-space label of a mark in a de-duplication table (no protocol has it).
pub(crate) const MARK_SLOT: u32 = 0xFF << 16;

impl Marks {
    pub fn new(key: CookieKey, results: Results) -> Self {
        Self {
            seen: Dedup::new(MARK_BUCKETS, key),
            results,
            marked: 0,
        }
    }

    /// Whether `r` is written: false for a repeated mark, and (dropping) for a marked host's
    /// other results.
    pub fn pass(&mut self, r: &Record) -> bool {
        if is_mark(r) {
            let fresh = self.seen.insert(r.ip(), MARK_SLOT, true);
            self.marked += u64::from(fresh);
            return fresh;
        }
        self.results == Results::Keep || !self.contains(r.ip())
    }

    fn contains(&self, ip: IpAddr) -> bool {
        self.seen.contains(ip, MARK_SLOT, true)
    }

    /// Hosts marked so far.
    pub fn marked(&self) -> u64 {
        self.marked
    }
}

#[cfg(test)]
mod tests;

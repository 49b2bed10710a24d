//! ARP for IPv4 over Ethernet: a view over received frames, request and reply frames, the
//! resolver that asks for a MAC through the scanner's own link (the router's before a scan), the
//! sweep that resolves targets on the local subnet (so probes to them go to their own MAC, not
//! to the router), and the [`Neighbours`] table the transmit loop consults. The scanner also
//! answers requests for a spoofed `--adapter-ip`, see [`crate::reply`].
//! etherparse 0.16 has no ARP, and the packet is 28 fixed bytes, so this is a plain view.

use crate::driver::{DriverError, RxQueue, TxQueue};
use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

pub const ETHERTYPE_ARP: u16 = 0x0806;
pub const ETHERTYPE_VLAN: u16 = 0x8100;
pub const OP_REQUEST: u16 = 1;
pub const OP_REPLY: u16 = 2;

/// An ARP packet for IPv4 over Ethernet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArpRepr {
    pub op: u16,
    pub sender_mac: [u8; 6],
    pub sender_ip: Ipv4Addr,
    pub target_mac: [u8; 6],
    pub target_ip: Ipv4Addr,
}

fn mac_at(b: &[u8], at: usize) -> [u8; 6] {
    let mut m = [0u8; 6];
    m.copy_from_slice(&b[at..at + 6]);
    m
}

fn ip_at(b: &[u8], at: usize) -> Ipv4Addr {
    Ipv4Addr::new(b[at], b[at + 1], b[at + 2], b[at + 3])
}

impl ArpRepr {
    /// Parses an Ethernet frame (optionally with one 802.1Q tag) holding an IPv4 ARP packet.
    pub fn parse(frame: &[u8]) -> Option<Self> {
        if frame.len() < 14 {
            return None;
        }
        let mut at = 12;
        let mut ethertype = u16::from_be_bytes([frame[at], frame[at + 1]]);
        if ethertype == ETHERTYPE_VLAN {
            at += 4;
            if frame.len() < at + 2 {
                return None;
            }
            ethertype = u16::from_be_bytes([frame[at], frame[at + 1]]);
        }
        if ethertype != ETHERTYPE_ARP {
            return None;
        }
        let p = frame.get(at + 2..at + 2 + 28)?;
        // Ethernet (1), IPv4 (0x0800), address lengths 6 and 4.
        if p[0..6] != [0, 1, 8, 0, 6, 4] {
            return None;
        }
        Some(Self {
            op: u16::from_be_bytes([p[6], p[7]]),
            sender_mac: mac_at(p, 8),
            sender_ip: ip_at(p, 14),
            target_mac: mac_at(p, 18),
            target_ip: ip_at(p, 24),
        })
    }

    /// Writes the frame (Ethernet header to `dst`, optional VLAN tag, padded to 60 bytes) into
    /// `out` and returns its length.
    pub fn emit(&self, dst: [u8; 6], vlan: Option<u16>, out: &mut [u8]) -> usize {
        let mut at = 0;
        out[0..6].copy_from_slice(&dst);
        out[6..12].copy_from_slice(&self.sender_mac);
        at += 12;
        if let Some(id) = vlan {
            out[at..at + 2].copy_from_slice(&ETHERTYPE_VLAN.to_be_bytes());
            out[at + 2..at + 4].copy_from_slice(&(id & 0x0fff).to_be_bytes());
            at += 4;
        }
        out[at..at + 2].copy_from_slice(&ETHERTYPE_ARP.to_be_bytes());
        at += 2;
        out[at..at + 6].copy_from_slice(&[0, 1, 8, 0, 6, 4]);
        out[at + 6..at + 8].copy_from_slice(&self.op.to_be_bytes());
        out[at + 8..at + 14].copy_from_slice(&self.sender_mac);
        out[at + 14..at + 18].copy_from_slice(&self.sender_ip.octets());
        out[at + 18..at + 24].copy_from_slice(&self.target_mac);
        out[at + 24..at + 28].copy_from_slice(&self.target_ip.octets());
        at += 28;
        let len = at.max(60);
        out[at..len].fill(0);
        len
    }

    /// A request from us asking who has `ip`.
    pub fn request(my_mac: [u8; 6], my_ip: Ipv4Addr, ip: Ipv4Addr) -> Self {
        Self {
            op: OP_REQUEST,
            sender_mac: my_mac,
            sender_ip: my_ip,
            target_mac: [0; 6],
            target_ip: ip,
        }
    }

    /// The reply to this request, from `my_mac`.
    pub fn answer(&self, my_mac: [u8; 6]) -> Self {
        Self {
            op: OP_REPLY,
            sender_mac: my_mac,
            sender_ip: self.target_ip,
            target_mac: self.sender_mac,
            target_ip: self.sender_ip,
        }
    }
}

/// Why resolving failed.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("{ip} did not answer ARP ({tries} requests over {secs:.1} s)")]
    Timeout { ip: Ipv4Addr, tries: u32, secs: f64 },
    #[error("{0}")]
    Driver(#[from] DriverError),
}

/// What to ask and how patiently.
#[derive(Clone, Copy, Debug)]
pub struct ArpQuery {
    pub my_mac: [u8; 6],
    pub my_ip: Ipv4Addr,
    /// The address whose MAC we want.
    pub ip: Ipv4Addr,
    pub vlan: Option<u16>,
    pub tries: u32,
    /// How long to wait for a reply after the first request; each later wait is twice the one
    /// before, up to a second (a lost first request costs little, a dead router still times out).
    pub each: Duration,
}

/// Asks who has `q.ip` through a queue pair, `q.tries` times. Other frames that arrive
/// meanwhile are ignored.
pub fn resolve<T: TxQueue, R: RxQueue>(
    tx: &mut T,
    rx: &mut R,
    q: &ArpQuery,
) -> Result<[u8; 6], ResolveError> {
    let ArpQuery {
        my_mac,
        my_ip,
        ip,
        vlan,
        tries,
        each,
    } = *q;
    let request = ArpRepr::request(my_mac, my_ip, ip);
    let start = Instant::now();
    let answer = ask(
        tx,
        rx,
        (tries, each),
        |buf| request.emit([0xff; 6], vlan, buf),
        |frame| {
            ArpRepr::parse(frame)
                .filter(|a| a.op == OP_REPLY && a.sender_ip == ip)
                .map(|a| a.sender_mac)
        },
    )?;
    answer.ok_or_else(|| ResolveError::Timeout {
        ip,
        tries,
        secs: start.elapsed().as_secs_f64(),
    })
}

/// Sends a request built by `send` up to `tries` times, waiting `each` after the first and twice
/// as long after each later one (up to a second), until a received frame gives `answer`. Shared
/// by ARP and IPv6 neighbour discovery. `Ok(None)`: no answer.
pub fn ask<T: TxQueue, R: RxQueue>(
    tx: &mut T,
    rx: &mut R,
    (tries, each): (u32, Duration),
    mut send: impl FnMut(&mut [u8]) -> usize,
    mut answer: impl FnMut(&[u8]) -> Option<[u8; 6]>,
) -> Result<Option<[u8; 6]>, DriverError> {
    let mut wait = each;
    for _ in 0..tries {
        tx.transmit(1, &mut send)?;
        tx.flush()?;
        let deadline = Instant::now() + wait;
        wait = (wait * 2).min(Duration::from_secs(1)).max(wait);
        while Instant::now() < deadline {
            let mut found = None;
            let n = rx.receive(64, |frame| {
                if found.is_none() {
                    found = answer(frame);
                }
            })?;
            if found.is_some() {
                return Ok(found);
            }
            if n == 0 {
                rx.wait(Duration::from_millis(10));
            }
        }
    }
    Ok(None)
}

/// How a sweep asks.
#[derive(Clone, Copy, Debug)]
pub struct SweepPlan {
    pub my_mac: [u8; 6],
    pub my_ip: Ipv4Addr,
    pub vlan: Option<u16>,
    /// Rounds of requests (each asks only those still silent).
    pub passes: u32,
    /// Requests per second, at most.
    pub rate: f64,
    /// How long to listen for late replies after each round.
    pub linger: Duration,
}

/// Asks for the MAC of every address in `ips` as `plan` says. Returns who answered.
pub fn sweep<T: TxQueue, R: RxQueue>(
    tx: &mut T,
    rx: &mut R,
    ips: &[Ipv4Addr],
    plan: &SweepPlan,
) -> Result<HashMap<Ipv4Addr, [u8; 6]>, DriverError> {
    let SweepPlan {
        my_mac,
        my_ip,
        vlan,
        passes,
        rate,
        linger,
    } = *plan;
    let wanted: std::collections::HashSet<Ipv4Addr> = ips.iter().copied().collect();
    let mut found = HashMap::new();
    let collect = |rx: &mut R, found: &mut HashMap<Ipv4Addr, [u8; 6]>| {
        rx.receive(256, |frame| {
            if let Some(a) = ArpRepr::parse(frame) {
                if a.op == OP_REPLY && wanted.contains(&a.sender_ip) {
                    found.insert(a.sender_ip, a.sender_mac);
                }
            }
        })
    };
    let gap = Duration::from_secs_f64(1.0 / rate.max(1.0));
    for _ in 0..passes {
        let start = Instant::now();
        let mut sent = 0u32;
        for &ip in ips {
            if found.contains_key(&ip) {
                continue;
            }
            let request = ArpRepr::request(my_mac, my_ip, ip);
            tx.transmit(1, |buf| request.emit([0xff; 6], vlan, buf))?;
            sent += 1;
            let due = start + gap * sent;
            while Instant::now() < due {
                if collect(rx, &mut found)? == 0 {
                    std::thread::sleep(due.saturating_duration_since(Instant::now()).min(gap));
                }
            }
        }
        tx.flush()?;
        let deadline = Instant::now() + linger;
        while Instant::now() < deadline && found.len() < wanted.len() {
            if collect(rx, &mut found)? == 0 {
                rx.wait(Duration::from_millis(10));
            }
        }
    }
    Ok(found)
}

/// Hosts on the local subnet and their MACs: a probe to one of them goes to its own MAC instead
/// of the router's. One range check per probe; a map lookup only for local targets.
#[derive(Clone, Debug, Default)]
pub struct Neighbours {
    first: u32,
    count: u64,
    macs: HashMap<u32, [u8; 6]>,
}

impl Neighbours {
    /// The subnet `first .. first+count` and the MACs found in it.
    pub fn new(first: u32, count: u64, macs: &HashMap<Ipv4Addr, [u8; 6]>) -> Self {
        Self {
            first,
            count,
            macs: macs.iter().map(|(ip, m)| (u32::from(*ip), *m)).collect(),
        }
    }

    /// The MAC of a local target, if it answered ARP.
    #[inline(always)]
    pub fn lookup(&self, ip: u32) -> Option<&[u8; 6]> {
        if (ip.wrapping_sub(self.first) as u64) < self.count {
            self.macs.get(&ip)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_answer() {
        let req = ArpRepr {
            op: OP_REQUEST,
            sender_mac: [2, 0, 0, 0, 0, 1],
            sender_ip: Ipv4Addr::new(198, 18, 0, 1),
            target_mac: [0; 6],
            target_ip: Ipv4Addr::new(198, 18, 0, 100),
        };
        for vlan in [None, Some(7)] {
            let mut buf = [0u8; 128];
            let n = req.emit([0xff; 6], vlan, &mut buf);
            assert_eq!(n, 60);
            assert_eq!(ArpRepr::parse(&buf[..n]), Some(req));
        }
        let a = req.answer([2, 0, 0, 0, 0, 9]);
        assert_eq!(a.op, OP_REPLY);
        assert_eq!(a.sender_ip, req.target_ip);
        assert_eq!(a.target_mac, req.sender_mac);
    }

    #[test]
    fn short_or_foreign_frames_are_not_arp() {
        let mut buf = [0u8; 60];
        let n = ArpRepr {
            op: OP_REPLY,
            sender_mac: [1; 6],
            sender_ip: Ipv4Addr::new(1, 2, 3, 4),
            target_mac: [2; 6],
            target_ip: Ipv4Addr::new(5, 6, 7, 8),
        }
        .emit([3; 6], None, &mut buf);
        for cut in 0..42 {
            assert_eq!(ArpRepr::parse(&buf[..cut]), None, "cut at {cut}");
        }
        assert!(ArpRepr::parse(&buf[..n]).is_some());
        buf[17] = 8; // hardware address length 8
        assert_eq!(ArpRepr::parse(&buf[..n]), None);
    }
}

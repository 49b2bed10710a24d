//! Resolving link-layer addresses before a scan, through a driver's queue pair and on the real
//! clock: the router's MAC by ARP ([`resolve_arp`]) or IPv6 neighbour solicitation
//! ([`resolve_ndp`]), and the targets on the interface's own subnet by an ARP sweep
//! ([`sweep`]) or, for IPv6, a neighbour solicitation sweep ([`sweep_ndp`]). The frames themselves are built and parsed by the engine's `arp` and `ndp`.

use masscan_engine::arp::{ArpRepr, OP_REPLY};
use masscan_engine::driver::{DriverError, RxQueue, TxQueue};
use masscan_engine::ndp::{advertisement, solicitation};
use std::collections::HashMap;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::time::{Duration, Instant};

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
pub fn resolve_arp<T: TxQueue, R: RxQueue>(
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
    pub vlan: Option<u16>,
    /// Rounds of requests (each asks only those still silent).
    pub passes: u32,
    /// Requests per second, at most.
    pub rate: f64,
    /// How long to listen for late replies after each round.
    pub linger: Duration,
}

/// Asks by ARP, from `my_ip`, for the MAC of every address in `ips` as `plan` says. Returns who
/// answered.
pub fn sweep<T: TxQueue, R: RxQueue>(
    tx: &mut T,
    rx: &mut R,
    my_ip: Ipv4Addr,
    ips: &[Ipv4Addr],
    plan: &SweepPlan,
) -> Result<HashMap<Ipv4Addr, [u8; 6]>, DriverError> {
    let (my_mac, vlan) = (plan.my_mac, plan.vlan);
    sweep_with(
        tx,
        rx,
        ips,
        plan,
        |ip, buf| ArpRepr::request(my_mac, my_ip, ip).emit([0xff; 6], vlan, buf),
        |frame| {
            ArpRepr::parse(frame)
                .filter(|a| a.op == OP_REPLY)
                .map(|a| (a.sender_ip, a.sender_mac))
        },
    )
}

/// Asks by IPv6 neighbour solicitation, from `my_ip`, for the MAC of every address in `ips` as
/// `plan` says. Returns who answered.
pub fn sweep_ndp<T: TxQueue, R: RxQueue>(
    tx: &mut T,
    rx: &mut R,
    my_ip: Ipv6Addr,
    ips: &[Ipv6Addr],
    plan: &SweepPlan,
) -> Result<HashMap<Ipv6Addr, [u8; 6]>, DriverError> {
    let (my_mac, vlan) = (plan.my_mac, plan.vlan);
    sweep_with(
        tx,
        rx,
        ips,
        plan,
        |ip, buf| solicitation(my_mac, my_ip, ip, vlan, buf),
        advertisement,
    )
}

/// The sweep itself, for either family: `request` writes the request for one address, `reply`
/// reads (address, MAC) from an answer.
fn sweep_with<A, T, R>(
    tx: &mut T,
    rx: &mut R,
    ips: &[A],
    plan: &SweepPlan,
    request: impl Fn(A, &mut [u8]) -> usize,
    reply: impl Fn(&[u8]) -> Option<(A, [u8; 6])>,
) -> Result<HashMap<A, [u8; 6]>, DriverError>
where
    A: Copy + Eq + std::hash::Hash,
    T: TxQueue,
    R: RxQueue,
{
    let wanted: std::collections::HashSet<A> = ips.iter().copied().collect();
    let mut found = HashMap::new();
    let collect = |rx: &mut R, found: &mut HashMap<A, [u8; 6]>| {
        rx.receive(256, |frame| {
            if let Some((ip, mac)) = reply(frame) {
                if wanted.contains(&ip) {
                    found.insert(ip, mac);
                }
            }
        })
    };
    let gap = Duration::from_secs_f64(1.0 / plan.rate.max(1.0));
    for _ in 0..plan.passes {
        let start = Instant::now();
        let mut sent = 0u32;
        for &ip in ips {
            if found.contains_key(&ip) {
                continue;
            }
            tx.transmit(1, |buf| request(ip, buf))?;
            sent += 1;
            let due = start + gap * sent;
            while Instant::now() < due {
                if collect(rx, &mut found)? == 0 {
                    std::thread::sleep(due.saturating_duration_since(Instant::now()).min(gap));
                }
            }
        }
        tx.flush()?;
        let deadline = Instant::now() + plan.linger;
        while Instant::now() < deadline && found.len() < wanted.len() {
            if collect(rx, &mut found)? == 0 {
                rx.wait(Duration::from_millis(10));
            }
        }
    }
    Ok(found)
}

/// Why resolving failed.
#[derive(Debug, thiserror::Error)]
pub enum NdpError {
    #[error("{ip} did not answer neighbour solicitation ({tries} requests over {secs:.1} s)")]
    Timeout { ip: Ipv6Addr, tries: u32, secs: f64 },
    #[error("{0}")]
    Driver(#[from] DriverError),
}

/// Asks for the MAC of `ip` (the IPv6 router) through a queue pair, `tries` times, waiting
/// `each` after the first solicitation and twice as long after each later one (up to a second).
pub fn resolve_ndp<T: TxQueue, R: RxQueue>(
    tx: &mut T,
    rx: &mut R,
    me: ([u8; 6], Ipv6Addr),
    ip: Ipv6Addr,
    vlan: Option<u16>,
    (tries, each): (u32, Duration),
) -> Result<[u8; 6], NdpError> {
    let start = Instant::now();
    let answer = ask(
        tx,
        rx,
        (tries, each),
        |buf| solicitation(me.0, me.1, ip, vlan, buf),
        |frame| {
            advertisement(frame)
                .filter(|(t, _)| *t == ip)
                .map(|(_, mac)| mac)
        },
    )?;
    answer.ok_or_else(|| NdpError::Timeout {
        ip,
        tries,
        secs: start.elapsed().as_secs_f64(),
    })
}

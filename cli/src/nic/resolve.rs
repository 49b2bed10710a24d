//! An interface made ready before a live scan: the router's MAC (ARP or neighbour solicitation
//! through the scan's own interface), the targets on the interface's own subnet resolved by an ARP sweep,
//! and what the XDP steering program is told to steer.

use crate::args::UserError;
use crate::console::errln;
use crate::nic::discover::{self, FoundNic, Router};
use masscan_drivers::{resolve, AfPacket};
use masscan_ebpf::{Counters as XdpCounters, SteerConfig};
use masscan_engine::arp::Neighbours;
use masscan_engine::config::{Mac, ScanConfig};
use masscan_engine::driver::Driver;
use masscan_engine::plan::source::IpRange;
use masscan_engine::plan::Plan;
use masscan_engine::probe::raw_ip::RawProtos;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

/// Reads the XDP program's mode and per-CPU counters (AF_XDP scans).
pub type XdpReader = dyn Fn() -> Option<(&'static str, Vec<XdpCounters>)> + Sync;

/// Finds the adapter, then the router and the neighbours through a packet socket, before the
/// scan's own backend opens: once the XDP program is attached, ARP replies go to the scan's
/// sockets.
pub fn discover(c: &ScanConfig, plan: &Plan, verbose: u8) -> Result<ResolvedNic, UserError> {
    let adapter = discover::discover(c)?;
    let mut probe = AfPacket::new(&adapter.ifname, 1)?;
    resolve_link(&mut probe, adapter, c, plan, verbose)
}

/// The router's MAC (each family) and the neighbours, resolved through `driver`'s own queues:
/// a packet socket on the interface, or the scan's backend itself where the kernel has no
/// interface (DPDK).
pub fn resolve_link<D: Driver>(
    driver: &mut D,
    adapter: FoundNic,
    c: &ScanConfig,
    plan: &Plan,
    verbose: u8,
) -> Result<ResolvedNic, UserError> {
    let given = |v6| c.nic.router_mac_for(v6).map(|m| m.0).unwrap_or([0; 6]);
    Ok(ResolvedNic {
        router_v4: resolve_router(driver, &adapter, false, verbose)?.unwrap_or(given(false)),
        router_v6: resolve_router(driver, &adapter, true, verbose)?.unwrap_or(given(true)),
        neighbours: resolve_neighbours(driver, &adapter, plan, verbose)?,
        adapter,
    })
}

/// A found interface with what was resolved through it (its routers' MACs, its subnet's
/// neighbours): the link-layer facts a live scan starts from.
pub struct ResolvedNic {
    pub adapter: FoundNic,
    pub router_v4: [u8; 6],
    pub router_v6: [u8; 6],
    pub neighbours: Option<Neighbours>,
}

/// What the XDP program steers: the scan's source addresses and ports.
pub fn steer_config(link: &ResolvedNic, c: &ScanConfig) -> SteerConfig {
    let a = &link.adapter;
    let ports = c.source_ports();
    let mut s = SteerConfig {
        port_first: ports.first,
        port_count: ports.count.min(u32::from(u16::MAX)) as u16,
        steer_arp: u32::from(a.spoofed)
            | u32::from(c.ports.contains_arp()) << 1
            | u32::from(a.spoofed_v6) << 2,
        raw_protos: RawProtos::from_ports(&c.ports).words32(),
        ..SteerConfig::default()
    };
    if let Some(IpRange::V4 { first, count }) = a.src_v4 {
        s.v4_first = first;
        s.v4_count = count.min(u64::from(u32::MAX)) as u32;
    }
    if let Some(IpRange::V6 { first, count }) = a.src_v6 {
        s.v6_first = first.to_be_bytes();
        s.v6_count = count.min(u128::from(u32::MAX)) as u32;
    }
    s
}

/// Asks the router's MAC (of one family) through the scan's own link: ARP for IPv4, neighbour
/// solicitation for IPv6. `None` when the scan has no targets of that family.
pub fn resolve_router<D: Driver>(
    driver: &mut D,
    a: &FoundNic,
    v6: bool,
    verbose: u8,
) -> Result<Option<[u8; 6]>, UserError> {
    let (router, src) = if v6 {
        (&a.router_v6, a.src_v6)
    } else {
        (&a.router_v4, a.src_v4)
    };
    let ip = match (router, src) {
        (None, _) | (_, None) => return Ok(None),
        (Some(Router::Mac(m)), _) => return Ok(Some(*m)),
        (Some(Router::Resolve(ip)), Some(_)) => *ip,
    };
    let (mut tx, mut rx) = driver.open_queue(0)?;
    let each = Duration::from_millis(ARP_WAIT_MS);
    let found = match (ip, src) {
        (IpAddr::V4(ip), Some(IpRange::V4 { first, .. })) => {
            let query = resolve::ArpQuery {
                my_mac: a.src_mac,
                my_ip: Ipv4Addr::from(first),
                ip,
                vlan: a.vlan,
                tries: ARP_TRIES,
                each,
            };
            resolve::resolve_arp(&mut tx, &mut rx, &query).map_err(|e| e.to_string())
        }
        (IpAddr::V6(ip), Some(IpRange::V6 { first, .. })) => resolve::resolve_ndp(
            &mut tx,
            &mut rx,
            (a.src_mac, Ipv6Addr::from(first)),
            ip,
            a.vlan,
            (ARP_TRIES, each),
        )
        .map_err(|e| e.to_string()),
        _ => {
            return Err(UserError(format!(
                "router {ip}: not of the source's family"
            )))
        }
    };
    let mac = found.map_err(|e| {
        UserError(format!(
            "router {ip} on {}: {e}; check --router-ip, or give --router-mac",
            a.ifname
        ))
    })?;
    if verbose > 0 {
        errln!("[router] {ip} is at {}", Mac(mac));
    }
    Ok(Some(mac))
}

/// Targets on the local subnet (or IPv6 prefix) are resolved one by one when there are at most
/// this many.
const LOCAL_ARP_LIMIT: usize = 4096;

/// Resolves the targets on the interface's own subnet and IPv6 prefix (they are not behind the
/// router), by ARP and by neighbour solicitation, so that their probes go to their own MAC.
pub fn resolve_neighbours<D: Driver>(
    driver: &mut D,
    a: &FoundNic,
    plan: &Plan,
    verbose: u8,
) -> Result<Option<Neighbours>, UserError> {
    let v4 = local_v4(a, plan);
    let v6 = local_v6(a, plan);
    if v4.is_none() && v6.is_none() {
        return Ok(None);
    }
    let (mut tx, mut rx) = driver.open_queue(0)?;
    let sweep = resolve::SweepPlan {
        my_mac: a.src_mac,
        vlan: a.vlan,
        passes: 2,
        rate: 2000.0,
        linger: Duration::from_millis(500),
    };
    let mut neighbours = Neighbours::default();
    if let Some((me, local, (first, count))) = v4 {
        let found = resolve::sweep(&mut tx, &mut rx, me, &local, &sweep)?;
        if verbose > 0 {
            errln!(
                "[neighbours] {} of {} targets on the local subnet answered ARP: probes go to their own MAC",
                found.len(),
                local.len()
            );
        }
        neighbours = Neighbours::new(first, count, &found);
    }
    if let Some((me, local, (prefix, len))) = v6 {
        let found = resolve::sweep_ndp(&mut tx, &mut rx, me, &local, &sweep)?;
        if verbose > 0 {
            errln!(
                "[neighbours] {} of {} IPv6 targets on the local prefix answered neighbour solicitation: probes go to their own MAC",
                found.len(),
                local.len()
            );
        }
        neighbours = neighbours.with_v6(prefix, len, &found);
    }
    Ok(Some(neighbours))
}

/// The scan's IPv4 targets on the interface's own subnet, other than the scan's own addresses:
/// (our address, the targets, the subnet), or `None` if there are none or too many.
type LocalV4 = (Ipv4Addr, Vec<Ipv4Addr>, (u32, u64));

fn local_v4(a: &FoundNic, plan: &Plan) -> Option<LocalV4> {
    let (first, count) = a.subnet?;
    let last = (u64::from(first) + count - 1) as u32;
    let Some(IpRange::V4 {
        first: me,
        count: mine,
    }) = a.src_v4
    else {
        return None;
    };
    let mut local = Vec::new();
    for s in plan.targets().v4.spans() {
        let (lo, hi) = (s.first.max(first), s.last.min(last));
        for ip in (lo..=hi).filter(|ip| (ip.wrapping_sub(me) as u64) >= mine) {
            local.push(Ipv4Addr::from(ip));
            if local.len() > LOCAL_ARP_LIMIT {
                too_many(a, "subnet");
                return None;
            }
        }
    }
    (!local.is_empty()).then(|| (Ipv4Addr::from(me), local, (first, count)))
}

/// The same for IPv6: the targets in the interface's own prefix, found by neighbour
/// solicitation (the original sends them to the router, which may never forward them).
type LocalV6 = (Ipv6Addr, Vec<Ipv6Addr>, (Ipv6Addr, u8));

fn local_v6(a: &FoundNic, plan: &Plan) -> Option<LocalV6> {
    let (addr, len) = a.subnet_v6?;
    let mask = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
    let (first, last) = (u128::from(addr) & mask, u128::from(addr) | !mask);
    let Some(IpRange::V6 {
        first: me,
        count: mine,
    }) = a.src_v6
    else {
        return None;
    };
    let mut local = Vec::new();
    for s in plan.targets().v6.spans() {
        let (lo, hi) = (s.first.max(first), s.last.min(last));
        if lo > hi {
            continue;
        }
        if hi - lo >= LOCAL_ARP_LIMIT as u128 {
            too_many(a, "IPv6 prefix");
            return None;
        }
        for ip in (lo..=hi).filter(|ip| ip.wrapping_sub(me) >= mine) {
            local.push(Ipv6Addr::from(ip));
            if local.len() > LOCAL_ARP_LIMIT {
                too_many(a, "IPv6 prefix");
                return None;
            }
        }
    }
    (!local.is_empty()).then(|| (Ipv6Addr::from(me), local, (addr, len)))
}

fn too_many(a: &FoundNic, what: &str) {
    errln!(
        "masscan: more than {LOCAL_ARP_LIMIT} targets are on {}'s own {what}: they are sent \
         to the router, not resolved one by one",
        a.ifname
    );
}

/// Router resolution: 8 requests, waiting 125 ms after the first, then 250, 500 ms and 1 s after
/// each of the rest (about 6 s in all before giving up).
const ARP_TRIES: u32 = 8;
const ARP_WAIT_MS: u64 = 125;

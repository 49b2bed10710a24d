//! Which interface a live scan uses and with what addresses: `-e`, or the interface of the
//! default route; `--adapter-ip` or the interface's address; `--adapter-mac` or its MAC; the
//! router from `--router-mac`, or `--router-ip`/the default gateway resolved by ARP through our
//! own link. Also `--iflist`.

use crate::args::UserError;
use crate::console::outln;
use masscan_drivers::netif::{Interfaces, Link};
use masscan_engine::config::{Mac, ScanConfig};
use masscan_engine::plan::source::IpRange;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The interface and addresses a scan sends from. Each family is set up only when the scan has
/// targets of that family.
#[derive(Clone, Debug)]
pub struct FoundNic {
    pub ifname: String,
    pub src_v4: Option<IpRange>,
    pub src_v6: Option<IpRange>,
    pub src_mac: [u8; 6],
    /// Known router MAC (`--router-mac`), else the IP to resolve (ARP, or NDP for IPv6).
    pub router_v4: Option<Router>,
    pub router_v6: Option<Router>,
    /// The IPv4 source address is not one of the interface's own: the scan answers ARP for it.
    pub spoofed: bool,
    /// The same for the IPv6 source address: the scan answers Neighbor Solicitations for it.
    pub spoofed_v6: bool,
    pub vlan: Option<u16>,
    /// The interface's IPv4 subnet (first address, size): targets in it are reached directly.
    pub subnet: Option<(u32, u64)>,
    /// The interface's global IPv6 prefix (an address in it, prefix length): the same for IPv6.
    pub subnet_v6: Option<(Ipv6Addr, u8)>,
}

impl FoundNic {
    /// The source address the kernel owns (and answers for, resetting connections it did not
    /// open): the IPv4 one unless spoofed, else the IPv6 one unless spoofed.
    pub fn kernel_source(&self) -> Option<IpRange> {
        let v4 = self.src_v4.filter(|_| !self.spoofed);
        v4.or(self.src_v6.filter(|_| !self.spoofed_v6))
    }
}

#[derive(Clone, Debug)]
pub enum Router {
    Mac([u8; 6]),
    Resolve(IpAddr),
}

fn load() -> Result<Interfaces, UserError> {
    Interfaces::load().map_err(|e| UserError(format!("cannot read the interfaces (netlink): {e}")))
}

fn names(ifs: &Interfaces) -> String {
    ifs.links
        .iter()
        .filter(|l| !l.loopback)
        .map(|l| l.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The interface to scan from: `-e`, else the default route's (of the family the targets
/// need); it must be up and not a loopback.
fn choose_link<'a>(
    c: &ScanConfig,
    ifs: &'a Interfaces,
    need_v4: bool,
    need_v6: bool,
) -> Result<&'a Link, UserError> {
    let default = ifs
        .default_route(!need_v4 && need_v6)
        .or_else(|| ifs.default_route(need_v4 && !need_v6));
    let link = match &c.nic.adapter {
        Some(name) => ifs.link(name).ok_or_else(|| {
            let known = names(ifs);
            UserError(if known.is_empty() {
                format!("no interface named '{name}': this network namespace has no interfaces")
            } else {
                format!("no interface named '{name}' (interfaces: {known}; see --iflist)")
            })
        })?,
        None => {
            let r = default.ok_or_else(|| {
                UserError(
                    "no default route: pass the interface with -e IFNAME and the router with \
                     --router-mac MAC (or --router-ip IP)"
                        .into(),
                )
            })?;
            ifs.link_by_index(r.oif.unwrap_or(0)).ok_or_else(|| {
                UserError("the default route's interface is gone; pass -e IFNAME".into())
            })?
        }
    };
    if link.loopback {
        return Err(UserError(format!(
            "'{}' is a loopback interface; scan from an Ethernet interface (see --iflist)",
            link.name
        )));
    }
    if !link.up {
        return Err(UserError(format!(
            "interface '{}' is down; bring it up (ip link set {} up) or pick another with -e",
            link.name, link.name
        )));
    }
    Ok(link)
}

/// Where probes of one family go: `--router-mac`, else `--router-ip` (IPv4), else the default
/// route's gateway on this interface, resolved before the scan.
fn router(c: &ScanConfig, ifs: &Interfaces, link: &Link, v6: bool) -> Result<Router, UserError> {
    if let Some(Mac(m)) = c.nic.router_mac_for(v6) {
        return Ok(Router::Mac(m));
    }
    if let (Some(ip), false) = (c.nic.router_ip, v6) {
        return Ok(Router::Resolve(IpAddr::V4(ip)));
    }
    let gw = ifs
        .default_route(v6)
        .filter(|r| r.oif == Some(link.index))
        .and_then(|r| r.gateway);
    match gw {
        Some(ip) => Ok(Router::Resolve(ip)),
        None => Err(UserError(format!(
            "no {} default gateway on '{}': pass --router-mac MAC{}",
            if v6 { "IPv6" } else { "IPv4" },
            link.name,
            if v6 { "" } else { " (or --router-ip IP)" }
        ))),
    }
}

/// Works out the adapter for a live scan.
pub fn discover(c: &ScanConfig) -> Result<FoundNic, UserError> {
    let need_v4 = c.targets.v4.len128() > 0;
    let need_v6 = c.targets.v6.len128() > 0;
    let ifs = load()?;
    let link = choose_link(c, &ifs, need_v4, need_v6)?;
    let own = |ip: IpAddr| {
        ifs.addrs
            .iter()
            .any(|a| a.index == link.index && a.ip == ip)
    };
    let (given_v4, given_v6) = match c.nic.adapter_ip {
        Some(r @ IpRange::V4 { .. }) => (Some(r), None),
        Some(r @ IpRange::V6 { .. }) => (None, Some(r)),
        None => (None, None),
    };
    let own_v4 = ifs.address(link.index, false);
    let mut spoofed = false;
    let src_v4 = match (need_v4, given_v4) {
        (false, _) => None,
        (true, Some(r @ IpRange::V4 { first, count })) => {
            spoofed = !(own(IpAddr::V4(Ipv4Addr::from(first))) && count == 1);
            Some(r)
        }
        (true, _) => match own_v4.map(|a| a.ip) {
            Some(IpAddr::V4(v4)) => Some(IpRange::V4 {
                first: u32::from(v4),
                count: 1,
            }),
            _ => {
                return Err(UserError(format!(
                    "interface '{}' has no IPv4 address; give one with --adapter-ip",
                    link.name
                )))
            }
        },
    };
    let mut spoofed_v6 = false;
    let src_v6 = match (need_v6, given_v6) {
        (false, _) => None,
        (true, Some(r @ IpRange::V6 { first, count })) => {
            spoofed_v6 = !(own(IpAddr::V6(Ipv6Addr::from(first))) && count == 1);
            Some(r)
        }
        (true, Some(r)) => Some(r),
        (true, None) => match ifs.address(link.index, true).map(|a| a.ip) {
            Some(IpAddr::V6(v6)) if (v6.segments()[0] & 0xffc0) != 0xfe80 => Some(IpRange::V6 {
                first: u128::from(v6),
                count: 1,
            }),
            _ => {
                return Err(UserError(format!(
                    "interface '{}' has no global IPv6 address; give one with --adapter-ip",
                    link.name
                )))
            }
        },
    };
    let src_mac = match (c.nic.adapter_mac, link.mac) {
        (Some(Mac(m)), _) => m,
        (None, Some(m)) if m != [0; 6] => m,
        _ => {
            return Err(UserError(format!(
                "interface '{}' has no MAC address; give one with --adapter-mac",
                link.name
            )))
        }
    };
    let router_v4 = need_v4.then(|| router(c, &ifs, link, false)).transpose()?;
    let router_v6 = need_v6.then(|| router(c, &ifs, link, true)).transpose()?;
    let subnet = own_v4.and_then(|a| match a.ip {
        IpAddr::V4(v4) if a.prefix < 32 => {
            let bits = 32 - u32::from(a.prefix);
            let first = u32::from(v4) & !((1u64 << bits) - 1) as u32;
            Some((first, 1u64 << bits))
        }
        _ => None,
    });
    let subnet_v6 = ifs.address(link.index, true).and_then(|a| match a.ip {
        IpAddr::V6(v6) if a.prefix < 128 && (v6.segments()[0] & 0xffc0) != 0xfe80 => {
            Some((v6, a.prefix))
        }
        _ => None,
    });
    Ok(FoundNic {
        ifname: link.name.clone(),
        src_v4,
        src_v6,
        src_mac,
        router_v4,
        router_v6,
        spoofed,
        spoofed_v6,
        vlan: c.nic.adapter_vlan,
        subnet: subnet.filter(|_| need_v4),
        subnet_v6: subnet_v6.filter(|_| need_v6),
    })
}

/// The adapter of a DPDK port, which no kernel interface describes: the source address from
/// `--adapter-ip` (required), the MAC from `--adapter-mac` or the port, the router from
/// `--router-mac` or `--router-ip` (resolved by ARP through the port). The scan answers ARP
/// for its address itself.
#[cfg_attr(not(dpdk_backend), allow(dead_code))]
pub fn for_port(c: &ScanConfig, port: &str, port_mac: [u8; 6]) -> Result<FoundNic, UserError> {
    let need_v4 = c.targets.v4.len128() > 0;
    let need_v6 = c.targets.v6.len128() > 0;
    let missing = |what: &str| {
        UserError(format!(
            "--driver dpdk: port {port} has no kernel interface to take {what} from"
        ))
    };
    let (src_v4, src_v6) = match c.nic.adapter_ip {
        Some(r @ IpRange::V4 { .. }) => (Some(r), None),
        Some(r @ IpRange::V6 { .. }) => (None, Some(r)),
        None => (None, None),
    };
    if need_v4 && src_v4.is_none() || need_v6 && src_v6.is_none() {
        return Err(missing("a source address: give one with --adapter-ip"));
    }
    if need_v4 && need_v6 {
        return Err(missing(
            "addresses of both families: scan IPv4 and IPv6 targets separately",
        ));
    }
    let router = |v6: bool| match (c.nic.router_mac_for(v6), c.nic.router_ip) {
        (Some(Mac(m)), _) => Ok(Router::Mac(m)),
        (None, Some(ip)) if !v6 => Ok(Router::Resolve(IpAddr::V4(ip))),
        _ => Err(missing(if v6 {
            "a router: give --router-mac MAC"
        } else {
            "a router: give --router-ip IP (or --router-mac MAC)"
        })),
    };
    Ok(FoundNic {
        ifname: port.to_string(),
        src_v4: src_v4.filter(|_| need_v4),
        src_v6: src_v6.filter(|_| need_v6),
        src_mac: c.nic.adapter_mac.map(|m| m.0).unwrap_or(port_mac),
        router_v4: need_v4.then(|| router(false)).transpose()?,
        router_v6: need_v6.then(|| router(true)).transpose()?,
        spoofed: true,
        spoofed_v6: true,
        vlan: c.nic.adapter_vlan,
        subnet: None,
        subnet_v6: None,
    })
}

/// `--iflist`: the interfaces, their addresses, and the default route.
pub fn iflist() -> Result<(), UserError> {
    let ifs = load()?;
    let default = ifs.default_route(false);
    for l in &ifs.links {
        let mac = l
            .mac
            .filter(|m| *m != [0; 6])
            .map(|m| Mac(m).to_string())
            .unwrap_or_default();
        let mut line = format!(
            "{}: {} mtu {} {} {mac}",
            l.index,
            l.name,
            l.mtu,
            if l.up { "up" } else { "down" }
        );
        for a in ifs.addrs.iter().filter(|a| a.index == l.index) {
            line.push_str(&format!(" {}/{}", a.ip, a.prefix));
        }
        if default.and_then(|r| r.oif) == Some(l.index) {
            match default.and_then(|r| r.gateway) {
                Some(gw) => line.push_str(&format!(" (default route via {gw})")),
                None => line.push_str(" (default route)"),
            }
        }
        outln!("{}", line.trim_end());
    }
    Ok(())
}

//! Which interface a live scan uses and with what addresses: `-e`, or the interface of the
//! default route; `--adapter-ip` or the interface's address; `--adapter-mac` or its MAC; the
//! router from `--router-mac`, or `--router-ip`/the default gateway resolved by ARP through our
//! own link. Also `--iflist`.

use crate::args::UserError;
use masscan_drivers::netif::Interfaces;
use masscan_engine::config::{Mac, ScanConfig};
use masscan_engine::source::IpRange;
use std::net::{IpAddr, Ipv4Addr};

/// The interface and addresses a scan sends from.
#[derive(Clone, Debug)]
pub struct Adapter {
    pub ifname: String,
    pub src_v4: IpRange,
    pub src_mac: [u8; 6],
    /// Known router MAC (`--router-mac`), else the IP to resolve by ARP.
    pub router: Router,
    /// The source address is not one of the interface's own: the scan answers ARP for it.
    pub spoofed: bool,
    pub vlan: Option<u16>,
    /// The interface's IPv4 subnet (first address, size): targets in it are reached directly.
    pub subnet: Option<(u32, u64)>,
}

#[derive(Clone, Debug)]
pub enum Router {
    Mac([u8; 6]),
    Resolve(Ipv4Addr),
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

/// Works out the adapter for a live IPv4 scan.
pub fn discover(c: &ScanConfig) -> Result<Adapter, UserError> {
    if c.targets.v6.len128() > 0 {
        return Err(UserError(
            "live IPv6 scanning is not implemented yet in masscan-rs (router discovery by NDP \
             is missing); scan IPv4 targets, or use --offline"
                .into(),
        ));
    }
    let ifs = load()?;
    let default = ifs.default_route(false);
    let link = match &c.adapter {
        Some(name) => ifs.link(name).ok_or_else(|| {
            UserError(format!(
                "no interface named '{name}' (interfaces: {}; see --iflist)",
                names(&ifs)
            ))
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
    let own_v4 = ifs.address(link.index, false);
    let (src_v4, spoofed) = match c.adapter_ip {
        Some(r @ IpRange::V4 { first, count }) => {
            let own = ifs
                .addrs
                .iter()
                .any(|a| a.index == link.index && a.ip == IpAddr::V4(Ipv4Addr::from(first)));
            (r, !(own && count == 1))
        }
        Some(IpRange::V6 { .. }) => {
            return Err(UserError(
                "--adapter-ip is IPv6, but live IPv6 scanning is not implemented yet".into(),
            ))
        }
        None => match own_v4 {
            Some(a) => {
                let IpAddr::V4(v4) = a.ip else { unreachable!() };
                (
                    IpRange::V4 {
                        first: u32::from(v4),
                        count: 1,
                    },
                    false,
                )
            }
            None => {
                return Err(UserError(format!(
                    "interface '{}' has no IPv4 address; give one with --adapter-ip",
                    link.name
                )))
            }
        },
    };
    let src_mac = match (c.adapter_mac, link.mac) {
        (Some(Mac(m)), _) => m,
        (None, Some(m)) => m,
        (None, None) => {
            return Err(UserError(format!(
                "interface '{}' has no MAC address; give one with --adapter-mac",
                link.name
            )))
        }
    };
    let router = if let Some(Mac(m)) = c.router_mac {
        Router::Mac(m)
    } else if let Some(ip) = c.router_ip {
        Router::Resolve(ip)
    } else {
        let gw = default
            .filter(|r| r.oif == Some(link.index))
            .and_then(|r| r.gateway);
        match gw {
            Some(IpAddr::V4(ip)) => Router::Resolve(ip),
            _ => {
                return Err(UserError(format!(
                    "no default gateway on '{}': pass --router-mac MAC (or --router-ip IP)",
                    link.name
                )))
            }
        }
    };
    let subnet = own_v4.and_then(|a| match a.ip {
        IpAddr::V4(v4) if a.prefix < 32 => {
            let bits = 32 - u32::from(a.prefix);
            let first = u32::from(v4) & !((1u64 << bits) - 1) as u32;
            Some((first, 1u64 << bits))
        }
        _ => None,
    });
    Ok(Adapter {
        subnet,
        ifname: link.name.clone(),
        src_v4,
        src_mac,
        router,
        spoofed,
        vlan: c.adapter_vlan,
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
        println!("{}", line.trim_end());
    }
    Ok(())
}

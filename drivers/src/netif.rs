//! Interface discovery over netlink (rtnetlink dumps of links, addresses and routes): which
//! interface the default route leaves by, its addresses and MAC, and the gateway. The router's MAC
//! is not taken from the kernel's neighbour table; the scanner asks for it itself by ARP through
//! its own link (see `masscan_engine::arp`).

use netlink_packet_core::{
    NetlinkHeader, NetlinkMessage, NetlinkPayload, NLM_F_DUMP, NLM_F_REQUEST,
};
use netlink_packet_route::address::{AddressAttribute, AddressMessage};
use netlink_packet_route::link::{LinkAttribute, LinkFlags, LinkMessage};
use netlink_packet_route::route::{RouteAddress, RouteAttribute, RouteMessage};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};
use netlink_sys::{protocols::NETLINK_ROUTE, Socket, SocketAddr};
use std::net::IpAddr;

/// One network interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub index: u32,
    pub name: String,
    pub mac: Option<[u8; 6]>,
    pub mtu: u32,
    pub up: bool,
    pub loopback: bool,
}

/// One address on an interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Addr {
    pub index: u32,
    pub ip: IpAddr,
    pub prefix: u8,
}

/// One route of the main table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    pub dst: Option<IpAddr>,
    pub prefix: u8,
    pub gateway: Option<IpAddr>,
    pub oif: Option<u32>,
    pub v6: bool,
}

/// Everything discovery needs, read once.
#[derive(Clone, Debug, Default)]
pub struct Interfaces {
    pub links: Vec<Link>,
    pub addrs: Vec<Addr>,
    pub routes: Vec<Route>,
}

fn dump(req: RouteNetlinkMessage) -> std::io::Result<Vec<RouteNetlinkMessage>> {
    let mut socket = Socket::new(NETLINK_ROUTE)?;
    socket.bind_auto()?;
    socket.connect(&SocketAddr::new(0, 0))?;
    let mut packet = NetlinkMessage::new(NetlinkHeader::default(), NetlinkPayload::from(req));
    packet.header.flags = NLM_F_DUMP | NLM_F_REQUEST;
    packet.header.sequence_number = 1;
    packet.finalize();
    let mut buf = vec![0; packet.header.length as usize];
    packet.serialize(&mut buf[..]);
    socket.send(&buf[..], 0)?;

    let mut out = Vec::new();
    let mut rx = vec![0u8; 1 << 16];
    loop {
        let size = socket.recv(&mut &mut rx[..], 0)?;
        let mut offset = 0;
        while offset < size {
            let msg: NetlinkMessage<RouteNetlinkMessage> =
                NetlinkMessage::deserialize(&rx[offset..size]).map_err(|e| {
                    std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string())
                })?;
            let len = msg.header.length as usize;
            match msg.payload {
                NetlinkPayload::Done(_) => return Ok(out),
                NetlinkPayload::Error(e) => {
                    return Err(std::io::Error::other(format!("netlink: {e:?}")));
                }
                NetlinkPayload::InnerMessage(m) => out.push(m),
                _ => {}
            }
            if len == 0 {
                break;
            }
            offset += len;
        }
    }
}

fn route_ip(a: &RouteAddress) -> Option<IpAddr> {
    match a {
        RouteAddress::Inet(v4) => Some(IpAddr::V4(*v4)),
        RouteAddress::Inet6(v6) => Some(IpAddr::V6(*v6)),
        _ => None,
    }
}

impl Interfaces {
    /// Reads links, addresses and routes from the kernel.
    pub fn load() -> std::io::Result<Self> {
        let mut me = Self::default();
        for m in dump(RouteNetlinkMessage::GetLink(LinkMessage::default()))? {
            let RouteNetlinkMessage::NewLink(l) = m else {
                continue;
            };
            let mut link = Link {
                index: l.header.index,
                name: String::new(),
                mac: None,
                mtu: 0,
                up: l.header.flags.contains(LinkFlags::Up),
                loopback: l.header.flags.contains(LinkFlags::Loopback),
            };
            for a in l.attributes {
                match a {
                    LinkAttribute::IfName(n) => link.name = n,
                    LinkAttribute::Address(m) if m.len() == 6 => {
                        link.mac = Some([m[0], m[1], m[2], m[3], m[4], m[5]])
                    }
                    LinkAttribute::Mtu(m) => link.mtu = m,
                    _ => {}
                }
            }
            me.links.push(link);
        }
        for m in dump(RouteNetlinkMessage::GetAddress(AddressMessage::default()))? {
            let RouteNetlinkMessage::NewAddress(a) = m else {
                continue;
            };
            let mut local = None;
            let mut address = None;
            for attr in a.attributes {
                match attr {
                    AddressAttribute::Local(ip) => local = Some(ip),
                    AddressAttribute::Address(ip) => address = Some(ip),
                    _ => {}
                }
            }
            if let Some(ip) = local.or(address) {
                me.addrs.push(Addr {
                    index: a.header.index,
                    ip,
                    prefix: a.header.prefix_len,
                });
            }
        }
        for family in [AddressFamily::Inet, AddressFamily::Inet6] {
            let mut req = RouteMessage::default();
            req.header.address_family = family;
            for m in dump(RouteNetlinkMessage::GetRoute(req))? {
                let RouteNetlinkMessage::NewRoute(r) = m else {
                    continue;
                };
                // The main table only (254); local and broadcast routes live elsewhere.
                let mut table = u32::from(r.header.table);
                let mut route = Route {
                    dst: None,
                    prefix: r.header.destination_prefix_length,
                    gateway: None,
                    oif: None,
                    v6: r.header.address_family == AddressFamily::Inet6,
                };
                for attr in &r.attributes {
                    match attr {
                        RouteAttribute::Destination(a) => route.dst = route_ip(a),
                        RouteAttribute::Gateway(a) => route.gateway = route_ip(a),
                        RouteAttribute::Oif(i) => route.oif = Some(*i),
                        RouteAttribute::Table(t) => table = *t,
                        _ => {}
                    }
                }
                if table == 254 {
                    me.routes.push(route);
                }
            }
        }
        Ok(me)
    }

    pub fn link(&self, name: &str) -> Option<&Link> {
        self.links.iter().find(|l| l.name == name)
    }

    pub fn link_by_index(&self, index: u32) -> Option<&Link> {
        self.links.iter().find(|l| l.index == index)
    }

    /// The IPv4 default route (the one with the shortest prefix, 0).
    pub fn default_route(&self, v6: bool) -> Option<&Route> {
        self.routes
            .iter()
            .filter(|r| r.v6 == v6 && r.prefix == 0 && r.oif.is_some())
            .min_by_key(|r| r.gateway.is_none())
    }

    /// The first address of a family on an interface (IPv6: global scope preferred over fe80::/10).
    pub fn address(&self, index: u32, v6: bool) -> Option<&Addr> {
        let mut it: Vec<&Addr> = self
            .addrs
            .iter()
            .filter(|a| a.index == index && a.ip.is_ipv6() == v6)
            .collect();
        it.sort_by_key(|a| match a.ip {
            IpAddr::V6(x) => (x.segments()[0] & 0xffc0) == 0xfe80,
            IpAddr::V4(_) => false,
        });
        it.first().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_loopback() {
        // Every network namespace has `lo`; reading it needs no privilege.
        let ifs = Interfaces::load().expect("netlink dump");
        let lo = ifs
            .links
            .iter()
            .find(|l| l.loopback)
            .expect("a loopback link");
        assert_eq!(lo.name, "lo");
    }
}

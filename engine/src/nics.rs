//! The second and later interfaces of a scan (the original's `adapter[1]`, `adapter-ip[1]`,
//! `router-mac[1]`, ...): each one's settings, the whole configuration as seen by one of them,
//! and their `name[i] = value` lines in `--echo` and `paused.conf`.

use crate::config::{Mac, ScanConfig};
use crate::plan::source::{IpRange, PortRange};
use std::fmt::Write as _;
use std::net::Ipv4Addr;

/// The most interfaces one scan sends through (as the original).
pub const MAX_NICS: usize = 8;

/// One interface's own settings: interface 0's are [`ScanConfig::nic`], the others' are
/// [`ScanConfig::more_nics`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Nic {
    pub adapter: Option<String>,
    pub adapter_ip: Option<IpRange>,
    pub adapter_port: Option<PortRange>,
    pub adapter_mac: Option<Mac>,
    pub adapter_vlan: Option<u16>,
    /// `--router-mac`: the router of both families.
    pub router_mac: Option<Mac>,
    /// `--router-mac-ipv4` (`--router-ipv4`): the IPv4 router, before `router_mac`.
    pub router_mac_v4: Option<Mac>,
    /// `--router-mac-ipv6` (`--router-ipv6`): the IPv6 router, before `router_mac`.
    pub router_mac_v6: Option<Mac>,
    pub router_ip: Option<Ipv4Addr>,
}

impl Nic {
    /// The router MAC given for one family: its own option, else `--router-mac`.
    pub fn router_mac_for(&self, v6: bool) -> Option<Mac> {
        let own = if v6 {
            self.router_mac_v6
        } else {
            self.router_mac_v4
        };
        own.or(self.router_mac)
    }

    /// Its lines of a config file: `name = value` for interface 0, `name[i] = value` after.
    pub fn write_conf(&self, index: usize, out: &mut String) {
        let i = match index {
            0 => String::new(),
            i => format!("[{i}]"),
        };
        let mut line = |name: &str, value: Option<String>| {
            if let Some(v) = value {
                let _ = writeln!(out, "{name}{i} = {v}");
            }
        };
        line("adapter", self.adapter.clone());
        line("adapter-ip", self.adapter_ip.map(|v| v.to_string()));
        line("adapter-mac", self.adapter_mac.map(|v| v.to_string()));
        line("adapter-vlan", self.adapter_vlan.map(|v| v.to_string()));
        line("router-mac", self.router_mac.map(|v| v.to_string()));
        line("router-mac-ipv4", self.router_mac_v4.map(|v| v.to_string()));
        line("router-mac-ipv6", self.router_mac_v6.map(|v| v.to_string()));
        line("router-ip", self.router_ip.map(|v| v.to_string()));
        line("adapter-port", self.adapter_port.map(|v| v.to_string()));
    }

    /// Sets one of its options by our long name; `false` when the name is not per-interface.
    pub fn set(&mut self, long: &str, value: NicValue) -> bool {
        match (long, value) {
            ("adapter", NicValue::Name(v)) => self.adapter = Some(v),
            ("adapter-ip", NicValue::Range(v)) => self.adapter_ip = Some(v),
            ("adapter-port", NicValue::Ports(v)) => self.adapter_port = Some(v),
            ("adapter-mac", NicValue::Mac(v)) => self.adapter_mac = Some(v),
            ("adapter-vlan", NicValue::Vlan(v)) => self.adapter_vlan = Some(v),
            ("router-mac", NicValue::Mac(v)) => self.router_mac = Some(v),
            ("router-mac-ipv4", NicValue::Mac(v)) => self.router_mac_v4 = Some(v),
            ("router-mac-ipv6", NicValue::Mac(v)) => self.router_mac_v6 = Some(v),
            ("router-ip", NicValue::Ipv4(v)) => self.router_ip = Some(v),
            _ => return false,
        }
        true
    }
}

/// A parsed value of a per-interface option.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NicValue {
    Name(String),
    Range(IpRange),
    Ports(PortRange),
    Mac(Mac),
    Vlan(u16),
    Ipv4(Ipv4Addr),
}

/// Our long names of the options that take an interface index.
pub const PER_NIC: &[&str] = &[
    "adapter",
    "adapter-ip",
    "adapter-port",
    "adapter-mac",
    "adapter-vlan",
    "router-mac",
    "router-mac-ipv4",
    "router-mac-ipv6",
    "router-ip",
];

impl ScanConfig {
    /// How many interfaces the scan sends through.
    pub fn nic_count(&self) -> usize {
        1 + self.more_nics.len()
    }

    /// The configuration as interface `index` sees it: its own adapter and router settings as
    /// interface 0's (interface 0: the configuration itself), no other interface.
    pub fn for_nic(&self, index: usize) -> ScanConfig {
        let mut c = self.clone();
        c.more_nics.clear();
        if let Some(n) = index.checked_sub(1).and_then(|i| self.more_nics.get(i)) {
            c.nic = n.clone();
        }
        c
    }

    /// Interface `index`'s own settings, to change.
    pub fn nic_mut(&mut self, index: usize) -> Option<&mut Nic> {
        match index.checked_sub(1) {
            None => Some(&mut self.nic),
            Some(i) => self.more_nics.get_mut(i),
        }
    }

    /// The scan's source ports (of interface 0): `--adapter-port`, else a range chosen from
    /// the seed, as every interface and every run of the same seed chooses it.
    pub fn source_ports(&self) -> PortRange {
        self.nic
            .adapter_port
            .unwrap_or_else(|| PortRange::random_default(self.seed.rotate_left(7)))
    }

    /// Every interface's lines of a config file, interface 0's first.
    pub fn write_nics_conf(&self, out: &mut String) {
        self.nic.write_conf(0, out);
        for (i, n) in self.more_nics.iter().enumerate() {
            n.write_conf(i + 1, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_interface_sees_its_own_settings() {
        let targets = crate::plan::targets::TargetSetBuilder::new().build_lenient();
        let mut c = ScanConfig::new(
            targets,
            crate::plan::ports::PortSetBuilder::new().build(),
            1,
        );
        c.nic.adapter = Some("eth0".into());
        c.nic.router_ip = Some(Ipv4Addr::new(198, 18, 0, 1));
        let mut n = Nic::default();
        assert!(n.set("adapter", NicValue::Name("eth1".into())));
        assert!(n.set("router-ip", NicValue::Ipv4(Ipv4Addr::new(198, 18, 2, 1))));
        assert!(!n.set("rate", NicValue::Vlan(1)));
        c.more_nics.push(n);
        assert_eq!(c.nic_count(), 2);
        assert_eq!(c.for_nic(0).nic.adapter.as_deref(), Some("eth0"));
        assert_eq!(c.for_nic(0).nic_count(), 1);
        let one = c.for_nic(1);
        assert_eq!(one.nic.adapter.as_deref(), Some("eth1"));
        assert_eq!(one.nic.router_ip, Some(Ipv4Addr::new(198, 18, 2, 1)));
        assert_eq!(one.nic.adapter_ip, None);
        let mut text = String::new();
        c.more_nics[0].write_conf(1, &mut text);
        assert_eq!(text, "adapter[1] = eth1\nrouter-ip[1] = 198.18.2.1\n");
    }
}

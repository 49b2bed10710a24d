//! The interfaces a scan sends through: interface 0's adapter, source and router options and
//! the others' `OPTION[I]` (as `--nic I:OPTION=VALUE`); the builder of the engine's `Nic`s.

use crate::values;
use masscan_engine::config::{Mac, ScanConfig};
use masscan_engine::nics::Nic;
use masscan_engine::plan::source::{IpRange, PortRange};
use std::net::Ipv4Addr;

#[derive(clap::Args, Debug)]
#[command(next_help_heading = "Interfaces")]
pub struct NicOptions {
    /// Network interface to scan from.
    #[arg(
        short = 'e',
        long = "adapter",
        alias = "interface",
        value_name = "IFNAME"
    )]
    pub adapter: Option<String>,
    /// Source address: one address or a power-of-two range.
    #[arg(
        short = 'S',
        long = "adapter-ip",
        alias = "source-ip",
        value_name = "IP",
        value_parser = values::adapter_ip
    )]
    pub adapter_ip: Option<IpRange>,
    /// Source port: one port or a power-of-two range (default: 16 random ports).
    #[arg(
        short = 'g',
        long = "adapter-port",
        alias = "source-port",
        value_name = "PORT",
        value_parser = values::adapter_port
    )]
    pub adapter_port: Option<PortRange>,
    /// Source MAC address.
    #[arg(long = "adapter-mac", alias = "source-mac", value_name = "MAC", value_parser = values::mac)]
    pub adapter_mac: Option<Mac>,
    /// 802.1Q VLAN id of probes.
    #[arg(long = "adapter-vlan", value_name = "ID", value_parser = values::vlan)]
    pub adapter_vlan: Option<u16>,
    /// MAC address of the router probes are sent to (both families).
    #[arg(long = "router-mac", value_name = "MAC", value_parser = values::mac)]
    pub router_mac: Option<Mac>,
    /// MAC address of the router IPv4 probes are sent to (before --router-mac).
    #[arg(long = "router-mac-ipv4", value_name = "MAC", value_parser = values::mac)]
    pub router_mac_ipv4: Option<Mac>,
    /// MAC address of the router IPv6 probes are sent to (before --router-mac).
    #[arg(long = "router-mac-ipv6", value_name = "MAC", value_parser = values::mac)]
    pub router_mac_ipv6: Option<Mac>,
    /// IPv4 address of the router, when it is not the default route's gateway.
    #[arg(long = "router-ip", value_name = "IP", value_parser = values::router_ip)]
    pub router_ip: Option<Ipv4Addr>,
    /// Interface I's own setting (adapter, adapter-ip, adapter-port, adapter-mac,
    /// adapter-vlan, router-mac, router-mac-ipv4, router-mac-ipv6, router-ip), as OPTION[I] VALUE spells it: one scan sends
    /// through several interfaces, interleaving the targets (e.g. --adapter[1] eth1
    /// --adapter-ip[1] 10.0.1.2, or --nic 1:adapter=eth1).
    #[arg(long = "nic", value_name = "I:OPTION=VALUE", value_parser = values::nic)]
    pub nic: Vec<values::NicSetting>,
}

impl NicOptions {
    /// Each interface's source and router: interface 0's plain options, the others'
    /// `OPTION[I]`.
    pub fn build(&self, c: &mut ScanConfig) {
        c.nic.adapter = self.adapter.clone();
        c.nic.adapter_ip = self.adapter_ip;
        c.nic.adapter_port = self.adapter_port;
        c.nic.adapter_mac = self.adapter_mac;
        c.nic.adapter_vlan = self.adapter_vlan;
        c.nic.router_mac = self.router_mac;
        c.nic.router_mac_v4 = self.router_mac_ipv4;
        c.nic.router_mac_v6 = self.router_mac_ipv6;
        c.nic.router_ip = self.router_ip;
        for n in &self.nic {
            if c.more_nics.len() < n.index {
                c.more_nics.resize(n.index, Nic::default());
            }
            c.more_nics[n.index - 1].set(&n.long, n.value.clone());
        }
    }
}

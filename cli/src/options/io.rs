//! Frame I/O: the backend (`--driver`, `--offline`, `--pfring`, `--dpdk-args`), the TTL and
//! the pcap files; the builder of the engine's `Io`.

use crate::values;
use masscan_engine::config::{defaults, Backend, Io};

#[derive(clap::Args, Debug)]
#[command(next_help_heading = "Frame I/O")]
pub struct IoOptions {
    #[arg(
        long = "ttl",
        help = format!("IPv4 TTL / IPv6 hop limit of probes (default {})", defaults::TTL),
        value_name = "N",
        value_parser = values::ttl
    )]
    pub ttl: Option<u8>,
    /// Send nothing: run the full per-probe path into the offline backend (benchmarks).
    #[arg(long = "offline", alias = "dry-run")]
    pub offline: bool,
    /// Frame I/O backend: afxdp (the default where it works), afpacket, dpdk (a build with the
    /// dpdk feature) or offline.
    #[arg(long = "driver", value_name = "NAME", value_parser = values::driver)]
    pub driver: Option<Backend>,
    /// With --driver dpdk: the arguments for DPDK's environment (EAL), e.g. "--no-huge -m 256
    /// --vdev=net_af_packet0,iface=eth1"; -e then names the DPDK port (name or index).
    #[arg(long = "dpdk-args", value_name = "ARGS", allow_hyphen_values = true)]
    pub dpdk_args: Option<String>,
    /// Use PF_RING (libpfring.so, loaded at run time): the same as --driver pfring. An
    /// interface named zc:IF or dnaN also means PF_RING, as in the original.
    #[arg(long = "pfring")]
    pub pfring: bool,
    /// Write received packets to FILE (pcap, readable by tcpdump and Wireshark).
    #[arg(long = "pcap", value_name = "FILE")]
    pub pcap: Option<String>,
    /// Write every frame sent (probes and the scan's own replies) to FILE, byte for byte as the
    /// backend got it (pcap; beyond the original).
    #[arg(long = "pcap-sent", value_name = "FILE")]
    pub pcap_sent: Option<String>,
}

impl IoOptions {
    /// The backend (`--pfring`, or a PF_RING interface name as `adapter`, without --driver:
    /// PF_RING), the TTL, and the pcap files.
    pub fn build(&self, adapter: Option<&str>) -> Io {
        let pfring_name = adapter.is_some_and(masscan_drivers::pfring::is_pfring_name);
        let pfring = (self.pfring || pfring_name).then_some(Backend::PfRing);
        Io {
            offline: self.offline,
            driver: self.driver.or(pfring),
            dpdk_args: self.dpdk_args.clone(),
            ttl: self.ttl.unwrap_or(defaults::TTL),
            pcap: self.pcap.clone(),
            pcap_sent: self.pcap_sent.clone(),
        }
    }
}

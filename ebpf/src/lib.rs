//! The XDP steering program and its loader. The program (`bpf/steer.c`) redirects to the
//! receiving queue's AF_XDP socket exactly the frames a scan owns (TCP/UDP/SCTP to our source
//! addresses and ports, ICMP errors quoting our probes, echo replies, and ARP and Neighbor
//! Solicitations for our spoofed addresses)
//! and passes everything else to the kernel. [`Steering::attach`] loads it with aya, fills its
//! settings map, and attaches it through a BPF link (driver mode, else generic SKB mode): the link
//! belongs to this process, so the program goes away when the process dies, however it dies.
//! Netlink attachment (which would outlive a crash) is refused.

use aya::maps::{Array, MapData, PerCpuArray, XskMap};
use aya::programs::links::FdLink;
use aya::programs::{Xdp, XdpMode};
use aya::Ebpf;
use std::mem::{offset_of, size_of};
use std::os::fd::AsRawFd;

/// The compiled program, when clang was there at build time.
#[cfg(masscan_xdp)]
const PROGRAM: Option<&[u8]> = Some(include_bytes!(concat!(env!("OUT_DIR"), "/steer.o")));
#[cfg(not(masscan_xdp))]
const PROGRAM: Option<&[u8]> = None;

/// Whether this build carries the XDP program.
pub fn built_with_xdp() -> bool {
    PROGRAM.is_some()
}

/// What the program steers: our source addresses and ports (the `struct steer_config` of
/// `bpf/steer.c`, same layout: 68 bytes, no padding).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SteerConfig {
    /// First IPv4 source address (host order) and how many; 0 for none.
    pub v4_first: u32,
    pub v4_count: u32,
    /// First IPv6 source address (network order) and how many (the last 32 bits vary); 0: none.
    pub v6_first: [u8; 16],
    pub v6_count: u32,
    /// First source port and how many.
    pub port_first: u16,
    pub port_count: u16,
    /// Bit 0: steer ARP for our IPv4 addresses (only for addresses that are not the kernel's
    /// own); bit 1: an ARP scan runs, steer ARP replies and Neighbor Advertisements to us;
    /// bit 2: steer Neighbor Solicitations for our IPv6 addresses (only for addresses that are
    /// not the kernel's own), whatever their destination.
    pub steer_arp: u32,
    /// The IP protocols a raw IP scan probes (`O:`): protocol `p` is bit `p % 32` of word
    /// `p / 32`. Packets of these protocols to our addresses, and ICMP errors quoting such a
    /// packet from us, are steered.
    pub raw_protos: [u32; 8],
}

// The layout of `struct steer_config` in bpf/steer.c, checked at compile time: the same size and
// every field at the same offset, so a change on one side only does not build.
const _: () = assert!(
    size_of::<SteerConfig>() == 68
        && offset_of!(SteerConfig, v4_first) == 0
        && offset_of!(SteerConfig, v4_count) == 4
        && offset_of!(SteerConfig, v6_first) == 8
        && offset_of!(SteerConfig, v6_count) == 24
        && offset_of!(SteerConfig, port_first) == 28
        && offset_of!(SteerConfig, port_count) == 30
        && offset_of!(SteerConfig, steer_arp) == 32
        && offset_of!(SteerConfig, raw_protos) == 36,
    "SteerConfig must have the layout of struct steer_config in bpf/steer.c"
);

// SAFETY: `SteerConfig` is `repr(C)` plain data with no padding (4+4+16+4+2+2+4+32 = 68 bytes,
// checked above) and every bit pattern is valid, as aya's `Pod` requires.
unsafe impl aya::Pod for SteerConfig {}

/// The program's per-CPU counters, summed over CPUs.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Frames the program looked at.
    pub seen: u64,
    /// Frames it classified as the scan's (steered if a socket is on that queue, else passed).
    pub ours: u64,
    /// Frames redirected to an AF_XDP socket.
    pub steered: u64,
    /// Frames left to the kernel (not ours, or ours with no socket on that queue).
    pub passed: u64,
}

// The layout of `struct counters` in bpf/steer.c (four __u64), checked at compile time.
const _: () = assert!(
    size_of::<Counters>() == 32
        && offset_of!(Counters, seen) == 0
        && offset_of!(Counters, ours) == 8
        && offset_of!(Counters, steered) == 16
        && offset_of!(Counters, passed) == 24,
    "Counters must have the layout of struct counters in bpf/steer.c"
);

// SAFETY: `Counters` is `repr(C)` plain data (four u64, no padding: checked above); every bit
// pattern is valid.
unsafe impl aya::Pod for Counters {}

#[derive(Debug, thiserror::Error)]
pub enum SteerError {
    #[error("this masscan was built without XDP support (clang was missing at build time; scripts/setup.sh installs it)")]
    NotBuilt,
    #[error("loading the XDP program: {0} (needs root, or CAP_BPF and CAP_NET_ADMIN)")]
    Load(String),
    #[error("attaching the XDP program to {ifname}: {why}")]
    Attach { ifname: String, why: String },
    #[error("XDP program map '{0}': {1}")]
    Map(&'static str, String),
}

/// The attached program; dropping it detaches it (and so does the death of the process).
pub struct Steering {
    // Field order matters: the link goes before the program and maps it refers to.
    _link: FdLink,
    xsks: XskMap<MapData>,
    stats: PerCpuArray<MapData, Counters>,
    mode: XdpMode,
    _bpf: Ebpf,
}

impl Steering {
    /// Loads the program, sets `config`, and attaches it to `ifname` in driver mode, else in
    /// generic (SKB) mode.
    pub fn attach(ifname: &str, config: &SteerConfig) -> Result<Self, SteerError> {
        let bytes = PROGRAM.ok_or(SteerError::NotBuilt)?;
        let mut bpf = Ebpf::load(bytes).map_err(|e| SteerError::Load(e.to_string()))?;
        {
            let map = bpf
                .map_mut("config")
                .ok_or_else(|| SteerError::Map("config", "missing".into()))?;
            let mut cfg: Array<&mut MapData, SteerConfig> =
                Array::try_from(map).map_err(|e| SteerError::Map("config", e.to_string()))?;
            cfg.set(0, config, 0)
                .map_err(|e| SteerError::Map("config", e.to_string()))?;
        }
        let xsks = XskMap::try_from(
            bpf.take_map("xsks")
                .ok_or_else(|| SteerError::Map("xsks", "missing".into()))?,
        )
        .map_err(|e| SteerError::Map("xsks", e.to_string()))?;
        let stats = PerCpuArray::try_from(
            bpf.take_map("stats")
                .ok_or_else(|| SteerError::Map("stats", "missing".into()))?,
        )
        .map_err(|e| SteerError::Map("stats", e.to_string()))?;
        let attach_err = |why: String| SteerError::Attach {
            ifname: ifname.to_string(),
            why,
        };
        let prog: &mut Xdp = bpf
            .program_mut("masscan_steer")
            .ok_or_else(|| SteerError::Load("program masscan_steer missing".into()))?
            .try_into()
            .map_err(|e: aya::programs::ProgramError| SteerError::Load(e.to_string()))?;
        prog.load().map_err(|e| SteerError::Load(e.to_string()))?;
        let mut last = String::new();
        for mode in [XdpMode::Driver, XdpMode::Skb] {
            match prog.attach(ifname, mode) {
                Ok(id) => {
                    let link = prog.take_link(id).map_err(|e| attach_err(e.to_string()))?;
                    // Only a BPF link dies with the process; a netlink attachment would not.
                    let link = FdLink::try_from(link).map_err(|_| {
                        attach_err(
                            "the kernel attached it through netlink, not a BPF link, so it would \
                             outlive a crash; refusing (needs Linux 5.9 or later)"
                                .into(),
                        )
                    })?;
                    return Ok(Self {
                        _link: link,
                        xsks,
                        stats,
                        mode,
                        _bpf: bpf,
                    });
                }
                Err(e) => last = format!("{e}"),
            }
        }
        Err(attach_err(last))
    }

    /// `"driver"` or `"skb"`: where the program runs.
    pub fn mode(&self) -> &'static str {
        match self.mode {
            XdpMode::Driver => "driver",
            XdpMode::Skb => "skb",
            _ => "other",
        }
    }

    /// Steers the frames of receive queue `queue` to the AF_XDP socket `fd`.
    pub fn register_socket(&mut self, queue: u32, fd: impl AsRawFd) -> Result<(), SteerError> {
        self.xsks
            .set(queue, fd, 0)
            .map_err(|e| SteerError::Map("xsks", e.to_string()))
    }

    /// The counters of each CPU (the CPU that ran the program for a frame: with a NIC's queues
    /// bound to CPUs, the counters of a queue).
    pub fn counters_per_cpu(&self) -> Result<Vec<Counters>, SteerError> {
        let per_cpu = self
            .stats
            .get(&0, 0)
            .map_err(|e| SteerError::Map("stats", e.to_string()))?;
        Ok(per_cpu.iter().copied().collect())
    }

    /// The counters, summed over CPUs.
    pub fn counters(&self) -> Result<Counters, SteerError> {
        let per_cpu = self.counters_per_cpu()?;
        Ok(per_cpu.iter().fold(Counters::default(), |a, c| Counters {
            seen: a.seen + c.seen,
            ours: a.ours + c.ours,
            steered: a.steered + c.steered,
            passed: a.passed + c.passed,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_program_is_built_here() {
        // scripts/setup.sh installs clang; CI builds with it.
        assert!(built_with_xdp(), "build.rs did not compile bpf/steer.c");
    }
}

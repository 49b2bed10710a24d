//! The effective scan configuration ([`ScanConfig`], its settings grouped by concern in
//! [`groups`]), masscan's `name = value` file format (reading lines with their numbers), and
//! `--echo` / `paused.conf` output in that format ([`echo`]). Reading back what
//! [`ScanConfig::write_conf`] wrote yields the same configuration (a round trip is identical).
//! Defaults are named in [`defaults`]; value grammars shared with the command line in [`specs`].

pub mod defaults;
pub mod echo;
pub mod groups;
mod specs;

pub use groups::{Banners, Io, Pace, Probe, Report, Threads, UdpPayloads};
pub use specs::{cpu_list, fmt_rate, parse_cpu_list, parse_duration_spec, parse_size_spec};

use crate::plan::ports::PortSet;
use crate::plan::targets::TargetSet;

/// One `name = value` line of a config file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfLine {
    pub line: usize,
    pub name: String,
    pub value: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{path}:{line}: {why}")]
pub struct ConfError {
    pub path: String,
    pub line: usize,
    pub why: String,
}

/// Splits a config file into `name = value` lines; blank lines and `#` comments are skipped.
/// A line `name` without `=` is a boolean option set to true (as masscan reads `banners`).
pub fn parse_conf(text: &str, path: &str) -> Result<Vec<ConfLine>, ConfError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, value) = match line.split_once('=') {
            Some((n, v)) => (n.trim(), v.trim()),
            None => (line, "true"),
        };
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.[]".contains(&b))
        {
            return Err(ConfError {
                path: path.to_string(),
                line: i + 1,
                why: format!("expected 'name = value', found '{line}'"),
            });
        }
        out.push(ConfLine {
            line: i + 1,
            name: name.to_string(),
            value: value.to_string(),
        });
    }
    Ok(out)
}

/// `--driver`: the frame I/O backend a scan sends and receives through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// `offline`: nothing is sent (the full per-probe path, for benchmarks).
    Offline,
    /// `afpacket`: Linux packet sockets.
    AfPacket,
    /// `afxdp`: AF_XDP sockets with a steering program (the default where it works).
    AfXdp,
    /// `dpdk`: DPDK (a build with the DPDK backend).
    Dpdk,
    /// `pfring`: PF_RING (libpfring.so, loaded at run time).
    PfRing,
}

impl Backend {
    /// Every backend, in the order the command line lists them.
    pub const ALL: [Backend; 5] = [
        Backend::Offline,
        Backend::AfPacket,
        Backend::AfXdp,
        Backend::Dpdk,
        Backend::PfRing,
    ];

    /// The `--driver` spelling, as `--echo` writes it.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Offline => "offline",
            Backend::AfPacket => "afpacket",
            Backend::AfXdp => "afxdp",
            Backend::Dpdk => "dpdk",
            Backend::PfRing => "pfring",
        }
    }

    /// From a `--driver` spelling, in any case.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|b| b.name().eq_ignore_ascii_case(name))
    }
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// `--wait`: seconds to keep receiving after the last probe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    Secs(u64),
    Forever,
}

impl Default for Wait {
    fn default() -> Self {
        Wait::Secs(defaults::WAIT_SECS)
    }
}

impl std::fmt::Display for Wait {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Wait::Secs(s) => write!(f, "{s}"),
            Wait::Forever => write!(f, "forever"),
        }
    }
}

/// A MAC address, printed masscan's way (`d6-3f-e7-ae-2a-c7`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Mac(pub [u8; 6]);

impl std::str::FromStr for Mac {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let parts: Vec<&str> = s.split(['-', ':']).collect();
        let bad = || format!("bad MAC address '{s}': use six hex bytes, e.g. 00-11-22-33-44-55");
        if parts.len() != 6 {
            return Err(bad());
        }
        let mut m = [0u8; 6];
        for (b, p) in m.iter_mut().zip(parts) {
            if p.is_empty() || p.len() > 2 {
                return Err(bad());
            }
            *b = u8::from_str_radix(p, 16).map_err(|_| bad())?;
        }
        Ok(Mac(m))
    }
}

impl std::fmt::Display for Mac {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let m = self.0;
        write!(
            f,
            "{:02x}-{:02x}-{:02x}-{:02x}-{:02x}-{:02x}",
            m[0], m[1], m[2], m[3], m[4], m[5]
        )
    }
}

/// Everything that defines a scan: what is scanned and with which seed, then one group of
/// settings per concern.
#[derive(Clone, Debug)]
pub struct ScanConfig {
    pub targets: TargetSet,
    pub ports: PortSet,
    pub seed: u64,
    /// Order and pace: permutation, rate, shard, retries, resume point, wait.
    pub pace: Pace,
    /// Transmit and receive thread counts and CPUs.
    pub threads: Threads,
    /// The frame I/O backend, TTL, and pcap files of frames received and sent.
    pub io: Io,
    /// Interface 0's settings: `--adapter`, `--adapter-ip`, `--adapter-port`, `--adapter-mac`,
    /// `--adapter-vlan`, `--router-mac`, `--router-ip`.
    pub nic: crate::nics::Nic,
    /// The second and later interfaces (`adapter[1]`...), in order.
    pub more_nics: Vec<crate::nics::Nic>,
    /// What is reported and where: show/noshow, outputs, their rotation.
    pub report: Report,
    /// Banner grabbing: on or off, captures, timeouts, hellos, limits.
    pub banner: Banners,
    /// UDP payload files and the payloads read from them.
    pub udp: UdpPayloads,
    /// The SYN's shape and the RSTs answering SYN-ACKs.
    pub probe: Probe,
}

impl ScanConfig {
    pub fn new(targets: TargetSet, ports: PortSet, seed: u64) -> Self {
        Self {
            targets,
            ports,
            seed,
            pace: Pace::default(),
            threads: Threads::default(),
            io: Io::default(),
            nic: crate::nics::Nic::default(),
            more_nics: Vec::new(),
            report: Report::default(),
            banner: Banners::default(),
            udp: UdpPayloads::default(),
            probe: Probe::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexer() {
        let text = "# c\n\nrate = 1000      \nrange=10.0.0.0/8\nbanners\n";
        let l = parse_conf(text, "x.conf").unwrap();
        assert_eq!(l.len(), 3);
        assert_eq!(
            (l[0].line, l[0].name.as_str(), l[0].value.as_str()),
            (3, "rate", "1000")
        );
        assert_eq!(l[2].value, "true");
        let e = parse_conf("rate = 5\nthis is junk\n", "y.conf").unwrap_err();
        assert_eq!(
            e.to_string(),
            "y.conf:2: expected 'name = value', found 'this is junk'"
        );
    }

    #[test]
    fn macs() {
        let m: Mac = "d6-3f-e7-ae-2a-c7".parse().unwrap();
        assert_eq!(m.to_string(), "d6-3f-e7-ae-2a-c7");
        assert_eq!("D6:3F:E7:AE:2A:C7".parse::<Mac>().unwrap(), m);
        assert!("d6-3f-e7-ae-2a".parse::<Mac>().is_err());
        assert!("d6-3f-e7-ae-2a-zz".parse::<Mac>().is_err());
    }
}

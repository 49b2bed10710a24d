//! What to scan: target addresses, excludes and ports (`-p`, `--top-ports`, `--ping`, `--arp`),
//! and their builders, the engine's `TargetSet` and `PortSet`. Targets written `IP:PORT` make a
//! pair scan, whose ports are its pairs' (so `-p` and its kin are refused with them).

use super::run::Mode;
use crate::args::UserError;
use crate::values;
use masscan_engine::config::defaults;
use masscan_engine::plan::ports::Proto;
use masscan_engine::plan::ports::{PortSet, PortSetBuilder, ARP, PING};
use masscan_engine::plan::targets::{TargetError, TargetSet, TargetSetBuilder};
use masscan_engine::plan::top_ports::{TOP_TCP_PORTS, TOP_UDP_PORTS};
use std::io::BufReader;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
#[command(next_help_heading = "Targets and ports")]
pub struct TargetOptions {
    /// Targets: addresses, ranges (a-b), CIDR blocks, comma lists; IPv4 or IPv6.
    #[arg(value_name = "TARGET")]
    pub targets: Vec<String>,
    /// More targets (same syntax as TARGET).
    #[arg(
        long = "range",
        visible_alias = "ranges",
        alias = "ip",
        alias = "ipv4",
        alias = "ipv6",
        value_name = "RANGES"
    )]
    pub range: Vec<String>,
    /// Read targets from a file (one or more per line, # comments), nmap's -iL; lines of
    /// IP:PORT, [IPv6]:PORT or IP:U:PORT pairs scan exactly those pairs.
    #[arg(long = "includefile", alias = "include-file", value_name = "FILE")]
    pub includefile: Vec<PathBuf>,
    /// Never scan these addresses (wins over every target).
    #[arg(long = "exclude", visible_alias = "excludes", value_name = "RANGES")]
    pub exclude: Vec<String>,
    /// Read excludes from a file.
    #[arg(long = "excludefile", alias = "exclude-file", value_name = "FILE")]
    pub excludefile: Vec<PathBuf>,
    /// Ports: 80, 20-25, -, U:53, S:38412, I:0 (comma lists; the prefix carries forward).
    #[arg(short = 'p', long = "ports", alias = "port", value_name = "PORTS")]
    pub ports: Vec<String>,
    /// Never scan these ports (same grammar as -p).
    #[arg(long = "exclude-ports", value_name = "PORTS")]
    pub exclude_ports: Vec<String>,
    #[arg(
        long = "top-ports",
        alias = "top-port",
        help = format!(
            "Also scan the first N ports of the original's list of common TCP ports (-p adds to \
             them; after -sU its UDP list, after -sS -sU both). On the command line N may be \
             left out: {}",
            defaults::TOP_PORTS
        ),
        value_name = "N", value_parser = values::top_ports)]
    pub top_ports: Option<u32>,
    /// The scan types nmap's -sS, -sU, -sZ asked for (`tcp`, `udp`, `sctp`), for --top-ports.
    #[arg(long = "scan-type", hide = true, value_name = "KIND")]
    pub scan_type: Vec<String>,
    /// Also send ICMP echo requests (adds I:0).
    #[arg(long = "ping")]
    pub ping: bool,
    /// ARP scan of the local subnet (adds A:0).
    #[arg(long = "arp")]
    pub arp: bool,
}

impl TargetOptions {
    /// The targets and the ports: for a pair scan, the pairs' ports (`-p`, `--top-ports`,
    /// `--ping`, `--arp` and `--exclude-ports` refused: each pair names its port).
    pub fn targets_and_ports(&self, mode: Mode) -> Result<(TargetSet, PortSet), UserError> {
        let targets = self.target_set(mode)?;
        let Some(pairs) = &targets.pairs else {
            return Ok((targets, self.port_set()?));
        };
        if self.port_set()?.count() > 0 || !self.exclude_ports.is_empty() {
            return Err(UserError(
                "-p, --top-ports, --ping, --arp and --exclude-ports do not apply to IP:PORT \
                 targets: each pair names its own port (U:N for UDP, S:N for SCTP)"
                    .into(),
            ));
        }
        let ports = pairs.ports();
        Ok((targets, ports))
    }

    /// Targets minus excludes; only a scan or a list needs any, and a scan of more than a
    /// billion addresses needs an exclude (as the original; `-sL` lists any size).
    pub fn target_set(&self, mode: Mode) -> Result<TargetSet, UserError> {
        let mut tb = TargetSetBuilder::new();
        for t in self.targets.iter().chain(self.range.iter()) {
            tb.add_targets(t)?;
        }
        for f in &self.includefile {
            tb.add_file(f, open_list(f, "include file")?, false)?;
        }
        for e in &self.exclude {
            tb.add_excludes(e)?;
        }
        for f in &self.excludefile {
            tb.add_file(f, open_list(f, "exclude file")?, true)?;
        }
        Ok(match mode {
            Mode::Echo
            | Mode::Nmap
            | Mode::Regress
            | Mode::ReadScan
            | Mode::IfList
            | Mode::Benchmark
            | Mode::DebugIf => tb.build_lenient(),
            Mode::Scan => tb.build()?,
            Mode::ListScan | Mode::ReadRange | Mode::EchoCidr => tb.build_listing()?,
        })
    }

    /// The ports and other probe kinds, minus `--exclude-ports`.
    pub fn port_set(&self) -> Result<PortSet, UserError> {
        let mut pb = PortSetBuilder::new();
        for p in &self.ports {
            pb.add_spec(p)?;
        }
        // As the original: TCP's list unless only other kinds were asked for, UDP's after -sU.
        let kind = |k: &str| self.scan_type.iter().any(|t| t == k);
        let others = kind("udp") || kind("sctp") || self.ping || self.arp;
        let top = self.top_ports.unwrap_or(0) as usize;
        if kind("tcp") || !others {
            for &p in TOP_TCP_PORTS.iter().take(top) {
                pb.add_value(p.into(), p.into());
            }
        }
        if kind("udp") {
            for &p in TOP_UDP_PORTS.iter().take(top) {
                let v = Proto::Udp.base() + u32::from(p);
                pb.add_value(v, v);
            }
        }
        if self.ping {
            pb.add_value(PING, PING);
        }
        if self.arp {
            pb.add_value(ARP, ARP);
        }
        let ports = pb.build();
        if self.exclude_ports.is_empty() {
            return Ok(ports);
        }
        let mut excluded = PortSetBuilder::new();
        for p in &self.exclude_ports {
            excluded.add_spec(p)?;
        }
        Ok(ports.without(&excluded.build()))
    }
}

/// Opens an `-iL` or `--excludefile` file for the engine, which reads no files itself (it
/// reads the lines as they come: a file of millions of pairs is never held whole).
fn open_list(path: &Path, what: &'static str) -> Result<BufReader<std::fs::File>, TargetError> {
    std::fs::File::open(path)
        .map(|f| BufReader::with_capacity(1 << 16, f))
        .map_err(|e| TargetError::File {
            what,
            path: path.display().to_string(),
            why: e.to_string(),
        })
}

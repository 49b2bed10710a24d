//! `--readscan FILE...`: reads masscan binary files (ours or the original's) and writes their
//! records, merged in order, in the chosen output format (or as console lines). A damaged file
//! gives the records before the damage and one error line; the exit code is then 1.

use crate::args::UserError;
use crate::console::errln;
use crate::outputs::{now, Headers, Output};
use masscan_engine::canary;
use masscan_engine::output::binary::BinaryReader;
use masscan_engine::output::{OutputSpec, Record, Status};
use masscan_engine::plan::ports::{PortSet, Proto, ARP};
use masscan_engine::plan::targets::TargetSet;
use std::collections::HashSet;
use std::net::IpAddr;
use std::path::PathBuf;

/// Which records `--readscan` writes, as the original filters them: addresses in `--range`
/// (when any is given), ports in `-p` (when any), with `--banner-types` only banners of those
/// types, and status records as `--show`/`--noshow`/`--open-only` say (closed ones only with
/// `--show closed`, as in a scan).
#[derive(Default)]
pub struct Filter {
    pub targets: Option<TargetSet>,
    pub ports: Option<PortSet>,
    pub banner_types: Vec<u16>,
    /// Open ports are written (not `--noshow open`).
    pub show_open: bool,
    /// Closed ports are written (`--show closed`, not `--open-only`).
    pub show_closed: bool,
    /// `--canary-results drop`: a host marked anywhere in the files has only its mark written
    /// (the files are read twice: first for the marks).
    pub drop_marked: bool,
}

impl Filter {
    /// Whether `r` is written, given the hosts the files mark (`marked`, for `drop_marked`).
    fn keeps_given(&self, r: &Record, marked: &HashSet<IpAddr>) -> bool {
        (canary::is_mark(r) || !marked.contains(&r.ip())) && self.keeps(r)
    }

    fn keeps(&self, r: &Record) -> bool {
        let (ip, value) = match r {
            Record::Status(s) => {
                let shown = match s.status {
                    Status::Open => self.show_open,
                    Status::Closed => self.show_closed,
                    Status::Arp => true,
                };
                if !shown || !self.banner_types.is_empty() {
                    return false;
                }
                let value = match (s.status, s.ip_proto) {
                    (Status::Arp, _) => ARP,
                    (_, p) => port_value(p, s.port),
                };
                (s.ip, value)
            }
            Record::Banner(b) => {
                if !self.banner_types.is_empty() && !self.banner_types.contains(&b.app_proto) {
                    return false;
                }
                (b.ip, port_value(b.ip_proto, b.port))
            }
        };
        let in_targets = self.targets.as_ref().is_none_or(|t| match ip {
            IpAddr::V4(v4) => t.v4.contains(u32::from(v4)),
            IpAddr::V6(v6) => t.v6.contains(u128::from(v6)),
        });
        in_targets && self.ports.as_ref().is_none_or(|p| p.list.contains(value))
    }
}

/// A record's port in the port space (`-p` values): its protocol's block plus the port.
fn port_value(ip_proto: u8, port: u16) -> u32 {
    let proto = match ip_proto {
        17 => Proto::Udp,
        132 => Proto::Sctp,
        1 | 58 => Proto::Icmp,
        _ => Proto::Tcp,
    };
    proto.base() + u32::from(port)
}

/// Every host the readable records of `files` mark (`--canaries`); errors are reported by the
/// pass that writes.
fn marked_hosts(files: &[PathBuf]) -> HashSet<IpAddr> {
    let mut marked = HashSet::new();
    for p in files {
        let Ok(f) = std::fs::File::open(p) else {
            continue;
        };
        let Ok(mut reader) = BinaryReader::new(std::io::BufReader::new(f)) else {
            continue;
        };
        while let Ok(Some(r)) = reader.next_record() {
            if canary::is_mark(&r) {
                marked.insert(r.ip());
            }
        }
    }
    marked
}

/// The start time in the first readable file's header (XML `start`, grepable `initiated`).
fn first_start_time(files: &[PathBuf]) -> Option<u64> {
    files.iter().find_map(|p| {
        let f = std::fs::File::open(p).ok()?;
        BinaryReader::new(std::io::BufReader::new(f))
            .ok()?
            .start_time
    })
}

pub fn run(
    files: &[PathBuf],
    outputs: &[OutputSpec],
    append: bool,
    filter: &Filter,
    stylesheet: Option<String>,
) -> Result<i32, UserError> {
    let headers = Headers {
        stylesheet,
        ..Headers::default()
    };
    let start = first_start_time(files).unwrap_or_else(now);
    // Fail on an unwritable output before reading anything. Every output given is written,
    // as in a scan (the original keeps only the last).
    let mut outs = Vec::with_capacity(outputs.len().max(1));
    for spec in outputs {
        outs.push(
            Output::open(spec, append, start, true, &headers).map_err(|e| {
                UserError(e.0.replace(
                    "cannot write --output-format",
                    "--readscan cannot write --output-format",
                ))
            })?,
        );
    }
    if outs.is_empty() {
        outs.push(Output::console());
    }
    let marked = if filter.drop_marked {
        marked_hosts(files)
    } else {
        HashSet::new()
    };
    let mut failed = false;
    for path in files {
        let shown = path.display();
        let file = match std::fs::File::open(path) {
            Ok(f) => std::io::BufReader::new(f),
            Err(e) => {
                errln!("masscan: cannot read '{shown}': {e}");
                failed = true;
                continue;
            }
        };
        let mut reader = match BinaryReader::new(file) {
            Ok(r) => r,
            Err(e) => {
                errln!("masscan: {shown}: {e}");
                failed = true;
                continue;
            }
        };
        for out in &mut outs {
            out.binary_header(reader.start_time.unwrap_or(0));
        }
        loop {
            match reader.next_record() {
                Ok(Some(r)) if filter.keeps_given(&r, &marked) => {
                    for out in &mut outs {
                        out.record(&r)?;
                    }
                }
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(e) => {
                    errln!("masscan: {shown}: {e}");
                    failed = true;
                    break;
                }
            }
        }
    }
    let finish = now();
    for out in outs {
        out.close(finish)?;
    }
    Ok(if failed { 1 } else { 0 })
}

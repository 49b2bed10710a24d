//! From parsed arguments to what to do: the mode (scan, list, echo, nmap help, self checks), the
//! engine's [`ScanConfig`] assembled from each option group's builder (`crate::options`), and
//! the options that only shape the run (status line, stats).

use crate::args::{Parsed, UserError};
use crate::console::errln;
use crate::names::{resolve, Resolved};
use masscan_engine::config::{parse_conf, ScanConfig};

pub use crate::options::run::Mode;

pub struct Run {
    pub mode: Mode,
    pub config: ScanConfig,
    pub nostatus: bool,
    /// `--status-ndjson`: the status line as JSON lines.
    pub status_ndjson: bool,
    pub stats_json: Option<String>,
    pub verbose: u8,
    /// `--packet-trace`.
    pub packet_trace: bool,
    /// `--inject-faults`.
    pub faults: Option<masscan_drivers::fault::Faults>,
    /// `--metadata FILE`.
    pub metadata: Option<String>,
    /// `--metrics ADDR:PORT`.
    pub metrics: Option<String>,
    /// The file a `--resume` came from (paused.conf is rewritten on the next pause).
    pub resumed_from: Option<std::path::PathBuf>,
    /// `--readscan` files.
    pub readscan: Vec<std::path::PathBuf>,
    /// `--echo-all`: echo the defaults too.
    pub echo_all: bool,
    /// `--banner-types`, as app_proto numbers (a `--readscan` filter).
    pub banner_types: Vec<u16>,
    /// `--user`: the user a live scan runs as once set up.
    pub user: Option<String>,
    /// `--seccomp`: system calls confined once set up.
    pub seccomp: bool,
}

fn random_u64() -> u64 {
    let mut b = [0u8; 8];
    if getrandom::getrandom(&mut b).is_err() {
        // No entropy source: fall back to the clock (the seed is printed by --echo anyway).
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        return t.as_nanos() as u64 ^ std::process::id() as u64;
    }
    u64::from_le_bytes(b)
}

/// The `rate` a `--resume` file was written with (its last `rate` line), if any: the rate its
/// scan's order was offset by.
fn resumed_rate(path: &std::path::Path) -> Result<Option<f64>, UserError> {
    let text = std::fs::read(path)
        .map_err(|e| UserError(format!("cannot read '{}': {e}", path.display())))?;
    let lines = parse_conf(&String::from_utf8_lossy(&text), &path.display().to_string())?;
    Ok(lines
        .iter()
        .rev()
        .find(|l| matches!(resolve(&l.name), Some(Resolved::Long { long, .. }) if long == "rate"))
        .and_then(|l| l.value.parse::<f64>().ok())
        .filter(|r| r.is_finite() && *r > 0.0))
}

pub fn build(parsed: Parsed) -> Result<Run, UserError> {
    let Parsed { args, resumed_from } = parsed;
    let mode = args.modes.mode();
    let (targets, ports) = args.targets.targets_and_ports(mode)?;
    let mut c = ScanConfig::new(targets, ports, args.pace.seed.unwrap_or_else(random_u64));
    // Each group of settings from its options (in this order: the first error is reported).
    c.pace = args.pace.build()?;
    if let Some(path) = &resumed_from {
        c.pace.resumed_rate = resumed_rate(path)?;
    }
    if c.pace.shard.of > 1 && args.pace.seed.is_none() {
        // As the original warns: each shard would draw its own seed, so its own order.
        errln!(
            "masscan: warning: --shards {}/{} without --seed: every shard must be given the same \
             --seed N, or they scan overlapping parts",
            c.pace.shard.one,
            c.pace.shard.of
        );
    }
    c.threads = args.threads.build()?;
    c.io = args.io.build(args.nics.adapter.as_deref());
    args.nics.build(&mut c);
    c.report = args.report.build(resumed_from.is_some())?;
    c.banner = args.banners.build()?;
    if c.banner.ntp_monlist {
        c.ports = crate::options::banners::monlist_ports(&c.ports);
    }
    c.udp = args.udp.build()?;
    c.probe = args.probe.build()?;
    let banner_types = args.modes.banner_types()?;
    if !banner_types.is_empty() && mode != Mode::ReadScan {
        errln!("masscan: --banner-types filters --readscan only (as in the original); ignored");
    }
    let run = args.run;
    Ok(Run {
        mode,
        config: c,
        nostatus: run.nostatus,
        status_ndjson: run.status_ndjson,
        stats_json: run.stats_json,
        verbose: run.verbose,
        packet_trace: run.packet_trace,
        faults: run.inject_faults,
        metadata: run.metadata,
        metrics: run.metrics,
        resumed_from,
        readscan: args.modes.readscan,
        banner_types,
        echo_all: args.modes.echo_all,
        user: run.user,
        seccomp: run.seccomp,
    })
}

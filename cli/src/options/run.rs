//! What to do and how the run shows itself: the modes (`--echo`, `-sL`, `--readscan`,
//! `--nmap`, ...), config files and `--resume`, and the options that only shape the run
//! (status line, stats, metrics, metadata, packet trace, faults, user, seccomp, verbosity),
//! which the engine's `ScanConfig` does not hold.

use crate::args::UserError;
use clap::ArgAction;
use std::path::PathBuf;

/// What the command line asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Scan,
    ListScan,
    Echo,
    Nmap,
    Regress,
    ReadScan,
    IfList,
    ReadRange,
    EchoCidr,
    Benchmark,
    DebugIf,
}

#[derive(clap::Args, Debug)]
#[command(next_help_heading = "Modes and files")]
pub struct ModeOptions {
    /// List the network interfaces (and which one a scan would use) and exit.
    #[arg(long = "iflist")]
    pub iflist: bool,
    /// Print the target ranges (after excludes), one per line, CIDR where exact, and exit.
    #[arg(long = "readrange")]
    pub readrange: bool,
    /// Like --echo, with every setting left at its default written with that default.
    #[arg(long = "echo-all")]
    pub echo_all: bool,
    /// Print the targets (after excludes) as the fewest CIDR blocks, one per line, and exit.
    #[arg(long = "echo-cidr")]
    pub echo_cidr: bool,
    /// Print the version and exit (-V).
    #[arg(short = 'V', long = "version")]
    pub version: bool,
    /// Print the manual page, masscan(8), in roff (`masscan --man-page | man -l -`) and exit.
    #[arg(long = "man-page")]
    pub man_page: bool,
    /// Print a completion script for SHELL (bash, zsh, fish, elvish, powershell) and exit.
    #[arg(long = "completions", value_name = "SHELL")]
    pub completions: Option<clap_complete::Shell>,
    /// List the targets in scan order instead of scanning (-sL).
    #[arg(long = "list-scan", alias = "listscan")]
    pub list_scan: bool,
    /// Read options from a config file (name = value lines); may repeat.
    #[arg(short = 'c', long = "conf", alias = "config", value_name = "FILE")]
    pub conf: Vec<PathBuf>,
    /// Continue a paused scan from its paused.conf.
    #[arg(long = "resume", value_name = "FILE")]
    pub resume: Option<PathBuf>,
    /// Read masscan binary files (-oB) and write their records in the output format, or as
    /// console lines; several files merge.
    #[arg(long = "readscan", num_args = 1.., value_name = "FILE")]
    pub readscan: Vec<PathBuf>,
    /// With --readscan: write only banners of these types (http, ssh, ssl, x509, title, ...;
    /// may repeat), no port results, as the original does.
    #[arg(long = "banner-types", aliases = ["banner-type", "banner-apps", "banner-app"], value_name = "TYPE")]
    pub banner_types: Vec<String>,
    /// Print the effective configuration in config-file form and exit.
    #[arg(long = "echo")]
    pub echo: bool,
    /// Show the nmap-compatible options.
    #[arg(long = "nmap")]
    pub nmap: bool,
    /// Run the built-in self checks and exit.
    #[arg(long = "regress", alias = "selftest")]
    pub regress: bool,
    /// Time the scan orders and the SYN cookie on this CPU and exit.
    #[arg(long = "benchmark")]
    pub benchmark: bool,
    /// `--debug if`: show the interface, addresses and routers a scan would use, and exit.
    #[arg(long = "debug", value_name = "if", value_parser = crate::values::debug)]
    pub debug: Option<String>,
}

impl ModeOptions {
    /// The mode; the first of these given wins.
    pub fn mode(&self) -> Mode {
        if self.regress {
            Mode::Regress
        } else if self.benchmark {
            Mode::Benchmark
        } else if self.debug.is_some() {
            Mode::DebugIf
        } else if !self.readscan.is_empty() {
            Mode::ReadScan
        } else if self.iflist {
            Mode::IfList
        } else if self.nmap {
            Mode::Nmap
        } else if self.echo || self.echo_all {
            Mode::Echo
        } else if self.readrange {
            Mode::ReadRange
        } else if self.echo_cidr {
            Mode::EchoCidr
        } else if self.list_scan {
            Mode::ListScan
        } else {
            Mode::Scan
        }
    }

    /// `--banner-types http,ssh`: the app_proto numbers named, or which name is unknown.
    pub fn banner_types(&self) -> Result<Vec<u16>, UserError> {
        let mut v = Vec::new();
        for name in self.banner_types.iter().flat_map(|n| n.split(',')) {
            let nums = masscan_engine::output::app_numbers(name);
            if nums.is_empty() {
                return Err(UserError(format!(
                    "unknown --banner-types '{name}' (e.g. http, ssh, ssl, x509, title, ftp, smtp)"
                )));
            }
            v.extend(nums);
        }
        Ok(v)
    }
}

#[derive(clap::Args, Debug)]
#[command(next_help_heading = "While it runs")]
pub struct RunOptions {
    /// Print a summary line for every packet sent and received (stdout); use a low --rate.
    #[arg(long = "packet-trace", alias = "trace-packet")]
    pub packet_trace: bool,
    /// For testing what a lossy or hostile network does to a scan: drop, duplicate, reorder,
    /// truncate and corrupt frames at these rates, both ways (e.g.
    /// `drop=0.05,reorder=0.1,duplicate=0.01,corrupt=0.001,seed=7`); the end says what it did.
    #[arg(long = "inject-faults", value_name = "SPEC")]
    pub inject_faults: Option<masscan_drivers::fault::Faults>,
    /// Write one JSON document about this run to FILE: the scan's fingerprint (equal on every
    /// shard of a scan), shard, indices covered, probes planned and sent, found, times, and how
    /// it ended (running, completed, paused at an index, failed).
    #[arg(long = "metadata", value_name = "FILE")]
    pub metadata: Option<String>,
    /// Serve the scan's counters in Prometheus text format at http://ADDR:PORT/metrics while
    /// it runs: per-core rates, found, banners, XDP counters, and a histogram of reply round
    /// trips (SYNs then carry a timestamp option with their send time, which replies echo).
    #[arg(long = "metrics", value_name = "ADDR:PORT")]
    pub metrics: Option<String>,
    /// No status line on stderr.
    #[arg(long = "nostatus", alias = "no-status")]
    pub nostatus: bool,
    /// The status as one JSON object per line on stderr (the original's `--status-ndjson`):
    /// `{"state":"running","rate":{...},"progress":{...}}`.
    #[arg(long = "status-ndjson", alias = "ndjson-status")]
    pub status_ndjson: bool,
    /// Write one JSON object of per-core counters per second to FILE (- for stdout).
    #[arg(long = "stats-json", value_name = "FILE|-")]
    pub stats_json: Option<String>,
    /// Once set up, run the scan as this user (and its group): output, checkpoint and rotation
    /// directories must be writable by it. Every capability is dropped either way.
    #[arg(long = "user", value_name = "NAME")]
    pub user: Option<String>,
    /// Once set up, confine every thread to the system calls a running scan makes (any other
    /// call fails); with --driver afxdp, afpacket or --offline, on x86_64.
    #[arg(long = "seccomp")]
    pub seccomp: bool,
    /// More messages on stderr.
    #[arg(short = 'v', long = "verbose", action = ArgAction::Count)]
    pub verbose: u8,
}

//! The command line: masscan's spellings (`-p80`, `-pU:53`, `-oX f`, `-iL f`, `-sS`, `-Pn`,
//! `-rate 100`, config files given with `-c` or read from `/etc/masscan/masscan.conf`) are
//! normalized into plain long options, which clap then parses. Config files go through the same
//! clap definition, one line at a time, so every long option works in a file and a bad line is
//! reported with its file and line number.

use crate::conf_file::conf_file_args;
use crate::spellings::{long_names, normalize};
use crate::values::{self, CpuList};
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{ArgAction, Parser};
use masscan_engine::config::{defaults, Backend, Mac, Wait};
use masscan_engine::plan::source::{IpRange, PortRange};
use masscan_engine::plan::Shard;
use std::net::Ipv4Addr;
use std::path::PathBuf;

/// The default config file, read first when it exists (as masscan does).
pub const DEFAULT_CONF: &str = "/etc/masscan/masscan.conf";

#[derive(Parser, Debug)]
#[command(
    name = "masscan",
    about = "masscan-rs: an Internet-scale port scanner, compatible with masscan's options and files",
    args_override_self = true,
    disable_help_subcommand = true,
    after_help = "Examples:\n  masscan 10.0.0.0/8 -p80 -sL | head\n  masscan 0.0.0.0/0 --exclude 255.255.255.255 -p80 --offline --rate 100000000\n  masscan -c scan.conf --echo"
)]
pub struct Args {
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
    /// Read targets from a file (one or more per line, # comments), nmap's -iL.
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
        help = format!(
            "Also scan the N most common TCP ports (nmap's frequency order; -p adds to them). On \
             the command line N may be left out: {}",
            defaults::TOP_PORTS
        ),
        value_name = "N", value_parser = clap::value_parser!(u32).range(1..=65536))]
    pub top_ports: Option<u32>,
    /// Also send ICMP echo requests (adds I:0).
    #[arg(long = "ping")]
    pub ping: bool,
    /// ARP scan of the local subnet (adds A:0).
    #[arg(long = "arp")]
    pub arp: bool,
    /// UDP payloads in nmap's nmap-payloads format, sent besides the built-in ones (every
    /// payload of a port is its own probe).
    #[arg(long = "nmap-payloads", alias = "nmap-payload", value_name = "FILE")]
    pub nmap_payloads: Option<PathBuf>,
    /// UDP payloads taken from the packets of a pcap file, by destination port.
    #[arg(long = "pcap-payloads", alias = "pcap-payload", value_name = "FILE")]
    pub pcap_payloads: Option<PathBuf>,
    /// Seed of the scan order and cookies: a number, or `time`.
    #[arg(long = "seed", value_name = "N|time", value_parser = values::seed)]
    pub seed: Option<u64>,
    /// Scan order: `feistel` (ours, the default, faster) or `blackrock` (the original
    /// masscan's, to split a scan with its instances or resume its paused.conf).
    #[arg(long = "permutation", value_name = "feistel|blackrock", value_parser = ["feistel", "blackrock"])]
    pub permutation: Option<String>,
    #[arg(
        long = "blackrock-rounds",
        help = format!(
            "Rounds of the BlackRock order (the original's `--blackrock-rounds`, default {})",
            defaults::BLACKROCK_ROUNDS
        ),
        value_name = "N", value_parser = clap::value_parser!(u32).range(1..=63))]
    pub blackrock_rounds: Option<u32>,
    /// Scan only shard x of y (machines splitting one scan).
    #[arg(long = "shards", alias = "shard", value_name = "x/y", value_parser = values::shard)]
    pub shards: Option<Shard>,
    /// Start at this scan index (as written in paused.conf).
    #[arg(long = "resume-index", value_name = "N")]
    pub resume_index: Option<u64>,
    /// Scan only this many indices from the resume index.
    #[arg(long = "resume-count", value_name = "N")]
    pub resume_count: Option<u64>,
    /// Extra probes per target, about a second apart.
    #[arg(long = "retries", alias = "max-retries", value_name = "N", value_parser = values::retries)]
    pub retries: Option<u32>,
    #[arg(
        long = "rate",
        help = format!("Packets per second, all threads together (default {})", defaults::RATE),
        alias = "max-rate",
        allow_negative_numbers = true,
        value_name = "PPS",
        value_parser = values::rate
    )]
    pub rate: Option<f64>,
    /// Transmit threads, each pinned to a core (default: every core but one, at least one).
    #[arg(long = "tx-threads", value_name = "N", value_parser = values::tx_threads)]
    pub tx_threads: Option<usize>,
    /// Receive threads, each pinned to a core (default: as many as transmit threads; AF_XDP:
    /// one per interface queue). With AF_PACKET they share the replies by flow hash.
    #[arg(long = "rx-threads", value_name = "N", value_parser = values::rx_threads)]
    pub rx_threads: Option<usize>,
    /// CPUs for the transmit threads, in order (`1,3` or `2-5`): one thread per CPU listed.
    #[arg(long = "tx-cores", value_name = "LIST", value_parser = values::tx_cores)]
    pub tx_cores: Option<CpuList>,
    /// CPUs for the receive threads, in order (`0,2`): one thread per CPU listed.
    #[arg(long = "rx-cores", value_name = "LIST", value_parser = values::rx_cores)]
    pub rx_cores: Option<CpuList>,
    #[arg(
        long = "ttl",
        help = format!("IPv4 TTL / IPv6 hop limit of probes (default {})", defaults::TTL),
        value_name = "N"
    )]
    pub ttl: Option<u8>,
    #[arg(
        long = "wait",
        help = format!(
            "Seconds to wait for replies after the last probe, or `forever` (default {})",
            defaults::WAIT_SECS
        ),
        value_name = "SECS|forever", value_parser = values::wait)]
    pub wait: Option<Wait>,
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
    /// MAC address of the router probes are sent to.
    #[arg(
        long = "router-mac",
        alias = "router-mac-ipv4",
        alias = "router-mac-ipv6",
        value_name = "MAC",
        value_parser = values::mac
    )]
    pub router_mac: Option<Mac>,
    /// IPv4 address of the router, when it is not the default route's gateway.
    #[arg(long = "router-ip", value_name = "IP", value_parser = values::router_ip)]
    pub router_ip: Option<Ipv4Addr>,
    /// Interface I's own setting (adapter, adapter-ip, adapter-port, adapter-mac,
    /// adapter-vlan, router-mac, router-ip), as OPTION[I] VALUE spells it: one scan sends
    /// through several interfaces, interleaving the targets (e.g. --adapter[1] eth1
    /// --adapter-ip[1] 10.0.1.2, or --nic 1:adapter=eth1).
    #[arg(long = "nic", value_name = "I:OPTION=VALUE", value_parser = values::nic)]
    pub nic: Vec<values::NicSetting>,
    /// Report only open ports.
    #[arg(long = "open-only", alias = "open")]
    pub open_only: bool,
    /// Also report these results: `closed` (RST replies); `open` is on by default.
    #[arg(long = "show", value_name = "open|closed")]
    pub show: Vec<String>,
    /// Do not report these results: `open` or `closed`.
    #[arg(long = "noshow", value_name = "open|closed")]
    pub noshow: Vec<String>,
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
    /// Write received packets to FILE (pcap, readable by tcpdump and Wireshark).
    #[arg(long = "pcap", value_name = "FILE")]
    pub pcap: Option<String>,
    /// Write every frame sent (probes and the scan's own replies) to FILE, byte for byte as the
    /// backend got it (pcap; beyond the original).
    #[arg(long = "pcap-sent", value_name = "FILE")]
    pub pcap_sent: Option<String>,
    /// List the network interfaces (and which one a scan would use) and exit.
    #[arg(long = "iflist")]
    pub iflist: bool,
    /// Output format (-oX xml, -oJ json, -oD ndjson, -oG grepable, -oL list, -oB binary, -oU
    /// unicornscan, -oH hostonly), or nmapxml (Nmap XML valid against its DTD). May repeat,
    /// pairing with --output-filename in order.
    #[arg(long = "output-format", value_name = "FORMAT", value_parser = values::output_format)]
    pub output_format: Vec<String>,
    #[arg(
        long = "redis",
        help = format!(
            "Also write results to this redis server, IP[:port] (default port {}), as the \
             original's `-oR`/`--redis` does",
            defaults::REDIS_PORT
        ),
        value_name = "IP[:PORT]", value_parser = crate::redis_out::parse_target)]
    pub redis: Option<std::net::SocketAddr>,
    /// Password for --redis (sent with AUTH).
    #[arg(long = "redis-pwd", value_name = "PASSWORD")]
    pub redis_pwd: Option<String>,
    /// XML output names this XSL stylesheet (`<?xml-stylesheet?>`), so a browser renders it.
    #[arg(long = "stylesheet", value_name = "URL")]
    pub stylesheet: Option<String>,
    /// The stylesheet is Nmap's (https://nmap.org/svn/docs/nmap.xsl), as the original's.
    #[arg(long = "webxml")]
    pub webxml: bool,
    /// No stylesheet (the default; overrides one from a config file).
    #[arg(long = "no-stylesheet")]
    pub no_stylesheet: bool,
    /// Output file (with --output-format).
    #[arg(long = "output-filename", alias = "output-file", value_name = "FILE")]
    pub output_filename: Vec<String>,
    /// Add to existing output files instead of replacing them (set by --resume).
    #[arg(long = "append-output", alias = "append")]
    pub append_output: bool,
    /// Rotate output files: seconds, or `10min`, `hourly`, `6hours`, `daily` (aligned on even
    /// boundaries of that length).
    #[arg(long = "rotate", alias = "output-rotate", value_name = "TIME", value_parser = values::rotate)]
    pub rotate: Option<u64>,
    /// Shift the rotation boundaries by this much (e.g. `30min` with `hourly`).
    #[arg(long = "rotate-offset", value_name = "TIME", value_parser = values::rotate_offset)]
    pub rotate_offset: Option<u64>,
    /// Also rotate when a file reaches this size (bytes, or with K, M, G).
    #[arg(long = "rotate-size", alias = "rotate-filesize", value_name = "SIZE", value_parser = values::rotate_size)]
    pub rotate_size: Option<u64>,
    /// Directory rotated files are moved to (default: the current directory).
    #[arg(long = "rotate-dir", alias = "output-rotate-dir", value_name = "DIR")]
    pub rotate_dir: Option<String>,
    /// Print results on the console even when writing an output file.
    #[arg(long = "interactive")]
    pub interactive: bool,
    /// Banner data to capture (cert, html, heartbleed, ticketbleed, servername).
    #[arg(long = "capture", value_name = "WHAT", value_parser = values::capture)]
    pub capture: Vec<String>,
    /// Banner data not to capture.
    #[arg(long = "nocapture", value_name = "WHAT", value_parser = values::nocapture)]
    pub nocapture: Vec<String>,
    /// Grab banners: complete the handshake of each open port in our own TCP stack, send a
    /// hello where the server does not speak first, and report what comes back.
    #[arg(long = "banners", alias = "banner")]
    pub banners: bool,
    /// No banners (overrides --banners, e.g. one from a config file).
    #[arg(long = "nobanners")]
    pub nobanners: bool,
    #[arg(
        long = "hello-timeout",
        help = format!(
            "Seconds a server may stay silent before we send our probe, and after its last \
             bytes before the connection is closed (default {})",
            defaults::HELLO_TIMEOUT_SECS
        ),
        value_name = "SECS", value_parser = values::hello_timeout)]
    pub hello_timeout: Option<u64>,
    #[arg(
        long = "connection-timeout",
        help = format!(
            "Seconds a banner connection may last at most (default {})",
            defaults::CONNECTION_TIMEOUT_SECS
        ),
        alias = "tcp-timeout",
        value_name = "SECS",
        value_parser = values::connection_timeout
    )]
    pub connection_timeout: Option<u64>,
    /// The hello for one port, base64: `--hello-string[80] R0VUIC8gSFRUUC8xLjANCg0K`.
    #[arg(long = "hello-string", value_name = "PORT:BASE64")]
    pub hello_string: Vec<String>,
    /// The hello for one port, from a file: `--hello-file[80] get.txt`.
    #[arg(long = "hello-file", value_name = "PORT:FILE")]
    pub hello_file: Vec<String>,
    /// User-Agent of the HTTP hello.
    #[arg(long = "http-user-agent", value_name = "STRING")]
    pub http_user_agent: Option<String>,
    #[arg(
        long = "banner-bytes",
        help = format!(
            "Bytes kept from one banner connection (default {}); the connection ends there",
            defaults::BANNER_BYTES
        ),
        value_name = "N", value_parser = values::banner_bytes)]
    pub banner_bytes: Option<usize>,
    #[arg(
        long = "max-connections",
        help = format!(
            "Banner connections held at once per receive core (default: from the rate and the \
             connection timeout, {} to {})",
            thousands(defaults::MAX_CONNECTIONS_MIN),
            thousands(defaults::MAX_CONNECTIONS_MAX)
        ),
        value_name = "N", value_parser = values::max_connections)]
    pub max_connections: Option<usize>,
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

/// `1048576` as help texts write it: `1,048,576`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// A user error: printed as one line, exit code 1.
#[derive(Debug)]
pub struct UserError(pub String);

impl<T: std::fmt::Display> From<T> for UserError {
    fn from(e: T) -> Self {
        UserError(e.to_string())
    }
}

/// What the command line asks for, with where `--resume` came from.
pub struct Parsed {
    pub args: Args,
    /// Set when `--resume FILE` was given.
    pub resumed_from: Option<PathBuf>,
}

/// The long option clap would suggest for an unknown `name` (without dashes), if any.
pub fn suggest(name: &str) -> Option<String> {
    let e = Args::try_parse_from(["masscan", &format!("--{name}")]).err()?;
    match e.get(ContextKind::SuggestedArg) {
        Some(ContextValue::String(s)) => Some(s.trim_start_matches('-').to_string()),
        _ => None,
    }
}

/// A clap error as one line. A bad value gives the value parser's own message, which names
/// the option (see `values`).
pub fn one_line(e: &clap::Error) -> String {
    match e.kind() {
        ErrorKind::UnknownArgument => {
            let arg = match e.get(ContextKind::InvalidArg) {
                Some(ContextValue::String(s)) => s.clone(),
                _ => String::from("?"),
            };
            match e.get(ContextKind::SuggestedArg) {
                Some(ContextValue::String(t)) => {
                    format!("unknown option '{arg}' (did you mean '{t}'?)")
                }
                _ => format!("unknown option '{arg}' (see masscan --help)"),
            }
        }
        ErrorKind::ValueValidation => match std::error::Error::source(e) {
            Some(why) => why.to_string(),
            None => first_line(e),
        },
        _ => first_line(e),
    }
}

fn first_line(e: &clap::Error) -> String {
    let text = e.to_string();
    text.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("bad arguments")
        .trim_start_matches("error: ")
        .to_string()
}

/// Parses the whole command line (without the program name).
pub fn parse(argv: &[String]) -> Result<Parsed, UserError> {
    let longs = long_names();
    let mut full = Vec::new();
    // MASSCAN_DEFAULT_CONF names another default file (empty: none), for tests and packagers.
    let default_conf = std::env::var_os("MASSCAN_DEFAULT_CONF")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_CONF));
    // The original reads its default file for scans, not for --readscan.
    let readscan = argv.iter().any(|a| {
        a.strip_prefix("--").is_some_and(|b| {
            crate::names::fold(b.split(['=', ':']).next().unwrap_or("")) == "readscan"
        })
    });
    if !readscan && !default_conf.as_os_str().is_empty() && default_conf.exists() {
        full.extend(conf_file_args(&default_conf, 0)?);
    }
    let (cmdline, resumed_from) = normalize(argv, &longs, 0)?;
    full.extend(cmdline);
    let mut with_prog = vec!["masscan".to_string()];
    with_prog.extend(full);
    match Args::try_parse_from(&with_prog) {
        Ok(args) => Ok(Parsed { args, resumed_from }),
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            let _ = e.print();
            std::process::exit(0);
        }
        Err(e) => Err(UserError(one_line(&e))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(4096), "4,096");
        assert_eq!(thousands(1 << 20), "1,048,576");
        assert_eq!(thousands(100), "100");
        assert_eq!(thousands(100_000), "100,000");
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("rat").as_deref(), Some("rate"));
        assert_eq!(suggest("exclud").as_deref(), Some("exclude"));
        assert_eq!(suggest("zzzzzzzzzz"), None);
    }

    #[test]
    fn a_bad_value_is_its_parsers_message_on_the_command_line_and_in_files() {
        let e = Args::try_parse_from(["masscan", "--rate", "fast"]).unwrap_err();
        assert!(
            one_line(&e).starts_with("bad --rate 'fast': "),
            "{}",
            one_line(&e)
        );
        let e = Args::try_parse_from(["masscan", "--adapter-vlan", "5000"]).unwrap_err();
        assert_eq!(one_line(&e), "bad --adapter-vlan 5000: VLAN ids are 0-4095");
        let a =
            Args::try_parse_from(["masscan", "--tx-cores", "0-1", "--wait", "forever"]).unwrap();
        assert_eq!(a.tx_cores, Some(CpuList(vec![0, 1])));
        assert_eq!(a.wait, Some(Wait::Forever));
    }

    #[test]
    fn unknown_option_is_one_line_with_a_suggestion() {
        let e = Args::try_parse_from(["masscan", "--rat", "5"]).unwrap_err();
        assert_eq!(
            one_line(&e),
            "unknown option '--rat' (did you mean '--rate'?)"
        );
    }
}

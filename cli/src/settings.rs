//! From parsed arguments to what to do: the mode (scan, list, echo, nmap help, self checks), the
//! engine's [`ScanConfig`], and the options that only shape the run (status line, stats).

use crate::args::{Args, Parsed, UserError};
use crate::values::CpuList;
use masscan_engine::config::{cpu_list, ScanConfig};
use masscan_engine::nics::Nic;
use masscan_engine::plan::blackrock;
use masscan_engine::plan::ports::{PortSet, PortSetBuilder, ARP, PING};
use masscan_engine::plan::targets::{TargetError, TargetSet, TargetSetBuilder};
use masscan_engine::plan::top_ports::TOP_TCP_PORTS;
use masscan_engine::plan::ScanOrder;
use std::path::Path;

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
}

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

pub fn build(parsed: Parsed) -> Result<Run, UserError> {
    let Parsed { args, resumed_from } = parsed;
    let mode = mode(&args);
    let mut c = ScanConfig::new(
        target_set(&args, mode)?,
        port_set(&args)?,
        args.seed.unwrap_or_else(random_u64),
    );
    scan_options(&mut c, &args)?;
    link_options(&mut c, &args);
    // A resumed scan adds to the files it was writing (as masscan's --resume does).
    c.append_output = args.append_output || resumed_from.is_some();
    report_options(&mut c, &args)?;
    banner_options(&mut c, &args)?;
    udp_payload_files(&mut c, &args)?;
    let banner_types = banner_types(&args.banner_types)?;
    if !banner_types.is_empty() && mode != Mode::ReadScan {
        eprintln!("masscan: --banner-types filters --readscan only (as in the original); ignored");
    }
    Ok(Run {
        mode,
        config: c,
        nostatus: args.nostatus,
        status_ndjson: args.status_ndjson,
        stats_json: args.stats_json,
        verbose: args.verbose,
        packet_trace: args.packet_trace,
        faults: args.inject_faults,
        metadata: args.metadata,
        metrics: args.metrics,
        resumed_from,
        readscan: args.readscan,
        banner_types,
        echo_all: args.echo_all,
        user: args.user,
        seccomp: args.seccomp,
    })
}

/// `--banner-types http,ssh`: the app_proto numbers named, or which name is unknown.
fn banner_types(names: &[String]) -> Result<Vec<u16>, UserError> {
    let mut v = Vec::new();
    for name in names.iter().flat_map(|n| n.split(',')) {
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

fn mode(a: &Args) -> Mode {
    if a.regress {
        Mode::Regress
    } else if !a.readscan.is_empty() {
        Mode::ReadScan
    } else if a.iflist {
        Mode::IfList
    } else if a.nmap {
        Mode::Nmap
    } else if a.echo || a.echo_all {
        Mode::Echo
    } else if a.readrange {
        Mode::ReadRange
    } else if a.echo_cidr {
        Mode::EchoCidr
    } else if a.list_scan {
        Mode::ListScan
    } else {
        Mode::Scan
    }
}

/// Targets minus excludes; only a scan or a list needs any (and refuses a whole-Internet range
/// without an exclude).
fn target_set(a: &Args, mode: Mode) -> Result<TargetSet, UserError> {
    let mut tb = TargetSetBuilder::new();
    for t in a.targets.iter().chain(a.range.iter()) {
        tb.add_targets(t)?;
    }
    for f in &a.includefile {
        tb.add_file_text(f, &read_list(f, "include file")?, false)?;
    }
    for e in &a.exclude {
        tb.add_excludes(e)?;
    }
    for f in &a.excludefile {
        tb.add_file_text(f, &read_list(f, "exclude file")?, true)?;
    }
    Ok(match mode {
        Mode::Echo | Mode::Nmap | Mode::Regress | Mode::ReadScan | Mode::IfList => {
            tb.build_lenient()
        }
        Mode::Scan | Mode::ListScan | Mode::ReadRange | Mode::EchoCidr => tb.build()?,
    })
}

fn port_set(a: &Args) -> Result<PortSet, UserError> {
    let mut pb = PortSetBuilder::new();
    for p in &a.ports {
        pb.add_spec(p)?;
    }
    let top = a.top_ports.unwrap_or(0) as usize;
    for &p in TOP_TCP_PORTS.iter().take(top) {
        pb.add_value(p.into(), p.into());
    }
    if a.ping {
        pb.add_value(PING, PING);
    }
    if a.arp {
        pb.add_value(ARP, ARP);
    }
    let ports = pb.build();
    if a.exclude_ports.is_empty() {
        return Ok(ports);
    }
    let mut excluded = PortSetBuilder::new();
    for p in &a.exclude_ports {
        excluded.add_spec(p)?;
    }
    Ok(ports.without(&excluded.build()))
}

/// Rate, order, slices, retries and threads.
fn scan_options(c: &mut ScanConfig, a: &Args) -> Result<(), UserError> {
    if let Some(r) = a.rate {
        c.rate = r;
    }
    if let Some(s) = a.shards {
        c.shard = s;
    }
    let rounds = a.blackrock_rounds;
    // --blackrock-rounds alone means the BlackRock order, the only one it applies to.
    c.order = match (a.permutation.as_deref(), rounds) {
        (Some("blackrock"), _) | (None, Some(_)) => ScanOrder::BlackRock {
            rounds: rounds.unwrap_or(blackrock::DEFAULT_ROUNDS),
        },
        (_, Some(_)) => {
            return Err(UserError(
                "--blackrock-rounds applies to --permutation blackrock, not feistel".into(),
            ))
        }
        _ => ScanOrder::Feistel,
    };
    c.retries = a.retries.unwrap_or(0);
    c.resume_index = a.resume_index.unwrap_or(0);
    c.resume_count = a.resume_count;
    c.tx_threads = a.tx_threads;
    c.rx_threads = a.rx_threads;
    for (name, list, threads, cores) in [
        ("tx", &a.tx_cores, &mut c.tx_threads, &mut c.tx_cores),
        ("rx", &a.rx_cores, &mut c.rx_threads, &mut c.rx_cores),
    ] {
        let Some(CpuList(cpus)) = list else { continue };
        if threads.is_some_and(|t| t != cpus.len()) {
            return Err(UserError(format!(
                "--{name}-threads {} and --{name}-cores {} ({} CPUs) disagree: give one of them",
                threads.unwrap_or(0),
                cpu_list(cpus),
                cpus.len()
            )));
        }
        *threads = Some(cpus.len());
        *cores = Some(cpus.clone());
    }
    if let Some(w) = a.wait {
        c.wait = w;
    }
    c.offline = a.offline;
    c.driver = a.driver.clone();
    let pfring_name = a
        .adapter
        .as_deref()
        .is_some_and(masscan_drivers::pfring::is_pfring_name);
    if (a.pfring || pfring_name) && c.driver.is_none() {
        c.driver = Some("pfring".into());
    }
    c.dpdk_args = a.dpdk_args.clone();
    Ok(())
}

/// The interface, source and router.
fn link_options(c: &mut ScanConfig, a: &Args) {
    if let Some(t) = a.ttl {
        c.ttl = t;
    }
    c.nic.adapter = a.adapter.clone();
    c.nic.adapter_ip = a.adapter_ip;
    c.nic.adapter_port = a.adapter_port;
    c.nic.adapter_mac = a.adapter_mac;
    c.nic.adapter_vlan = a.adapter_vlan;
    c.nic.router_mac = a.router_mac;
    c.nic.router_ip = a.router_ip;
    for n in &a.nic {
        if c.more_nics.len() < n.index {
            c.more_nics.resize(n.index, Nic::default());
        }
        c.more_nics[n.index - 1].set(&n.long, n.value.clone());
    }
    c.pcap = a.pcap.clone();
    c.pcap_sent = a.pcap_sent.clone();
}

/// What is reported, and where: --show/--noshow, outputs and their rotation.
fn report_options(c: &mut ScanConfig, a: &Args) -> Result<(), UserError> {
    c.open_only = a.open_only;
    for (on, list) in [(true, &a.show), (false, &a.noshow)] {
        for what in list.iter().flat_map(|s| s.split(',')) {
            match (on, what.trim().to_ascii_lowercase().as_str()) {
                (true, "closed") => c.show_closed = true,
                (true, "open") => c.noshow_open = false,
                (false, "closed") => c.show_closed = false,
                (false, "open") => c.noshow_open = true,
                (_, w) => {
                    return Err(UserError(format!(
                        "unknown --{}show '{w}' (choose open or closed)",
                        if on { "" } else { "no" }
                    )))
                }
            }
        }
    }
    c.rotate = a.rotate;
    c.rotate_offset = a.rotate_offset;
    c.rotate_size = a.rotate_size;
    c.rotate_dir = a.rotate_dir.clone();
    c.interactive = a.interactive;
    c.stylesheet = match (a.no_stylesheet, a.webxml, &a.stylesheet) {
        (true, ..) => None,
        (_, true, _) => Some("http://nmap.org/svn/docs/nmap.xsl".into()),
        (_, _, s) => s.clone().filter(|s| !s.is_empty()),
    };
    // Formats and file names pair up in order (`-oX a.xml -oJ b.json` writes both); a lone
    // --output-format applies to the last file name, a file name alone is XML.
    // Redis is a server, not a file: `-oR`/`--output-format redis` need --redis IP[:port].
    // `none` writes nothing at all (not even console lines); `interactive` is the console.
    let named = |f: &str| a.output_format.iter().any(|g| g == f);
    if named("interactive") {
        c.interactive = true;
    }
    if named("none") {
        c.outputs.push(("none".into(), String::new()));
    }
    let formats: Vec<String> = a
        .output_format
        .iter()
        .filter(|f| !matches!(f.as_str(), "redis" | "none" | "interactive"))
        .cloned()
        .collect();
    let wants_redis = named("redis");
    match (a.redis, wants_redis) {
        (Some(addr), _) => {
            let target = match &a.redis_pwd {
                Some(pwd) => format!("{pwd}@{addr}"),
                None => addr.to_string(),
            };
            c.outputs.push(("redis".into(), target));
        }
        (None, true) => {
            return Err(UserError(
                "redis output needs the server: --redis IP[:PORT] (e.g. -oR 127.0.0.1)".into(),
            ))
        }
        (None, false) => {}
    }
    let (formats, names) = (&formats, &a.output_filename);
    if formats.len() == names.len() {
        for (f, n) in formats.iter().zip(names) {
            c.outputs.push((f.clone(), n.clone()));
        }
    } else {
        match (formats.last(), names.last()) {
            (Some(f), Some(n)) => c.outputs.push((f.clone(), n.clone())),
            (None, Some(n)) => c.outputs.push(("xml".into(), n.clone())),
            (Some(f), None) => {
                return Err(UserError(format!(
                    "--output-format {f} needs --output-filename FILE (or use -o{})",
                    &f[..1].to_uppercase()
                )))
            }
            (None, None) => {}
        }
    }
    for (i, (_, n)) in c.outputs.iter().enumerate() {
        if n != "-" && c.outputs[..i].iter().any(|(_, m)| m == n) {
            return Err(UserError(format!("output file '{n}' is given twice")));
        }
    }
    if c.open_only && c.show_closed {
        return Err(UserError(
            "--open-only and --show closed contradict each other: give one of them".into(),
        ));
    }
    let rotating = c.rotate.is_some() || c.rotate_size.is_some();
    if rotating && !c.outputs.iter().any(|(_, n)| n != "-") {
        return Err(UserError(
            "--rotate and --rotate-size rotate an output file: add one (e.g. -oJ scan.json)".into(),
        ));
    }
    Ok(())
}

/// Banner grabbing: captures, timeouts, hellos, limits.
fn banner_options(c: &mut ScanConfig, a: &Args) -> Result<(), UserError> {
    for (on, list) in [(true, &a.capture), (false, &a.nocapture)] {
        for what in list {
            if !c.captures.contains(&(on, what.clone())) {
                c.captures.push((on, what.clone()));
            }
        }
    }
    c.banners = a.banners && !a.nobanners;
    c.hello_timeout = a.hello_timeout;
    c.connection_timeout = a.connection_timeout;
    for (kind, list) in [
        ("hello-string", &a.hello_string),
        ("hello-file", &a.hello_file),
    ] {
        for v in list {
            let (port, value) = hello_port(kind, v)?;
            let bytes = if kind == "hello-string" {
                use base64::Engine;
                base64::engine::general_purpose::STANDARD
                    .decode(value.trim())
                    .map_err(|e| {
                        UserError(format!("bad --hello-string[{port}]: not base64 ({e})"))
                    })?
            } else {
                std::fs::read(value).map_err(|e| {
                    UserError(format!("cannot read --hello-file[{port}] '{value}': {e}"))
                })?
            };
            if bytes.is_empty() || bytes.len() > 16_384 {
                return Err(UserError(format!(
                    "bad --{kind}[{port}]: the hello must be 1 to 16384 bytes"
                )));
            }
            c.hellos.retain(|(p, _)| *p != port);
            c.hellos.push((port, bytes));
        }
    }
    c.http_user_agent = a.http_user_agent.clone();
    c.banner_bytes = a.banner_bytes;
    c.max_connections = a.max_connections;
    Ok(())
}

/// `80:VALUE` of `--hello-string[80] VALUE` (as normalized): the port and the value.
fn hello_port<'a>(kind: &str, v: &'a str) -> Result<(u16, &'a str), UserError> {
    let (port, value) = v
        .split_once(':')
        .ok_or_else(|| UserError(format!("--{kind} needs a port: --{kind}[80] VALUE")))?;
    let port = port
        .trim()
        .parse::<u16>()
        .map_err(|_| UserError(format!("bad --{kind}[{port}]: the port must be 0 to 65535")))?;
    Ok((port, value))
}

/// `--nmap-payloads` and `--pcap-payloads`: read and parsed before anything is sent.
fn udp_payload_files(c: &mut ScanConfig, a: &Args) -> Result<(), UserError> {
    use masscan_engine::udp::payload_files::{nmap_payloads, pcap_payloads};
    let read = |p: &Path, what: &str| {
        std::fs::read(p)
            .map_err(|e| UserError(format!("cannot read --{what} {}: {e}", p.display())))
    };
    if let Some(p) = &a.nmap_payloads {
        let text = String::from_utf8_lossy(&read(p, "nmap-payloads")?).into_owned();
        let name = p.display().to_string();
        c.udp_payloads
            .extend(nmap_payloads(&text, &name).map_err(|e| UserError(e.0))?);
        c.nmap_payloads = Some(name);
    }
    if let Some(p) = &a.pcap_payloads {
        let name = p.display().to_string();
        let bytes = read(p, "pcap-payloads")?;
        c.udp_payloads
            .extend(pcap_payloads(&bytes, &name).map_err(|e| UserError(e.0))?);
        c.pcap_payloads = Some(name);
    }
    Ok(())
}

/// Reads an `-iL` or `--excludefile` file for the engine, which reads no files itself.
fn read_list(path: &Path, what: &'static str) -> Result<Vec<u8>, TargetError> {
    std::fs::read(path).map_err(|e| TargetError::File {
        what,
        path: path.display().to_string(),
        why: e.to_string(),
    })
}

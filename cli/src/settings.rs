//! From parsed arguments to what to do: the mode (scan, list, echo, nmap help, self checks), the
//! engine's [`ScanConfig`], and the options that only shape the run (status line, stats).

use crate::args::{Args, Parsed, UserError};
use crate::values::CpuList;
use masscan_engine::config::{
    cpu_list, defaults, Backend, Banners, Io, Pace, Report, ScanConfig, Threads, UdpPayloads,
};
use masscan_engine::nics::Nic;
use masscan_engine::output::{FileFormat, OutputSpec};
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
    // Each group of settings from its options (in this order: the first error is reported).
    c.pace = pace(&args)?;
    c.threads = threads(&args)?;
    c.io = io(&args);
    nics(&mut c, &args);
    c.report = report(&args, resumed_from.is_some())?;
    c.banner = banners(&args)?;
    c.udp = udp_payloads(&args)?;
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

/// Order and pace: rate, order, slice, retries, resume point, wait.
fn pace(a: &Args) -> Result<Pace, UserError> {
    let mut p = Pace::default();
    if let Some(r) = a.rate {
        p.rate = r;
    }
    if let Some(s) = a.shards {
        p.shard = s;
    }
    let rounds = a.blackrock_rounds;
    // --blackrock-rounds alone means the BlackRock order, the only one it applies to.
    p.order = match (a.permutation.as_deref(), rounds) {
        (Some("blackrock"), _) | (None, Some(_)) => ScanOrder::BlackRock {
            rounds: rounds.unwrap_or(defaults::BLACKROCK_ROUNDS),
        },
        (_, Some(_)) => {
            return Err(UserError(
                "--blackrock-rounds applies to --permutation blackrock, not feistel".into(),
            ))
        }
        _ => ScanOrder::Feistel,
    };
    p.retries = a.retries.unwrap_or(defaults::RETRIES);
    p.resume_index = a.resume_index.unwrap_or(0);
    p.resume_count = a.resume_count;
    if let Some(w) = a.wait {
        p.wait = w;
    }
    Ok(p)
}

/// Thread counts, or the CPUs that set them (both given: they must agree).
fn threads(a: &Args) -> Result<Threads, UserError> {
    let mut t = Threads {
        tx_threads: a.tx_threads,
        rx_threads: a.rx_threads,
        ..Threads::default()
    };
    for (name, list, threads, cores) in [
        ("tx", &a.tx_cores, &mut t.tx_threads, &mut t.tx_cores),
        ("rx", &a.rx_cores, &mut t.rx_threads, &mut t.rx_cores),
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
    Ok(t)
}

/// The backend (`--pfring`, or a PF_RING interface name, without --driver: PF_RING), the
/// TTL, and the pcap files.
fn io(a: &Args) -> Io {
    let pfring_name = a
        .adapter
        .as_deref()
        .is_some_and(masscan_drivers::pfring::is_pfring_name);
    let pfring = (a.pfring || pfring_name).then_some(Backend::PfRing);
    Io {
        offline: a.offline,
        driver: a.driver.or(pfring),
        dpdk_args: a.dpdk_args.clone(),
        ttl: a.ttl.unwrap_or(defaults::TTL),
        pcap: a.pcap.clone(),
        pcap_sent: a.pcap_sent.clone(),
    }
}

/// Each interface's source and router: interface 0's plain options, the others' `OPTION[I]`.
fn nics(c: &mut ScanConfig, a: &Args) {
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
}

/// What is reported, and where: --show/--noshow, outputs and their rotation.
fn report(a: &Args, resumed: bool) -> Result<Report, UserError> {
    let mut r = Report {
        open_only: a.open_only,
        // A resumed scan adds to the files it was writing (as masscan's --resume does).
        append_output: a.append_output || resumed,
        ..Report::default()
    };
    for (on, list) in [(true, &a.show), (false, &a.noshow)] {
        for what in list.iter().flat_map(|s| s.split(',')) {
            match (on, what.trim().to_ascii_lowercase().as_str()) {
                (true, "closed") => r.show_closed = true,
                (true, "open") => r.noshow_open = false,
                (false, "closed") => r.show_closed = false,
                (false, "open") => r.noshow_open = true,
                (_, w) => {
                    return Err(UserError(format!(
                        "unknown --{}show '{w}' (choose open or closed)",
                        if on { "" } else { "no" }
                    )))
                }
            }
        }
    }
    r.rotate = a.rotate;
    r.rotate_offset = a.rotate_offset;
    r.rotate_size = a.rotate_size;
    r.rotate_dir = a.rotate_dir.clone();
    r.interactive = a.interactive;
    r.stylesheet = match (a.no_stylesheet, a.webxml, &a.stylesheet) {
        (true, ..) => None,
        (_, true, _) => Some("http://nmap.org/svn/docs/nmap.xsl".into()),
        (_, _, s) => s.clone().filter(|s| !s.is_empty()),
    };
    if a.output_format.iter().any(|f| f == "interactive") {
        r.interactive = true;
    }
    r.outputs = outputs(a)?;
    for (i, n) in r
        .outputs
        .iter()
        .enumerate()
        .filter_map(|(i, o)| Some((i, o.file()?)))
    {
        if n != "-" && r.outputs[..i].iter().any(|o| o.file() == Some(n)) {
            return Err(UserError(format!("output file '{n}' is given twice")));
        }
    }
    if r.open_only && r.show_closed {
        return Err(UserError(
            "--open-only and --show closed contradict each other: give one of them".into(),
        ));
    }
    let rotating = r.rotate.is_some() || r.rotate_size.is_some();
    if rotating && !r.outputs.iter().any(|o| o.file() != Some("-")) {
        return Err(UserError(
            "--rotate and --rotate-size rotate an output file: add one (e.g. -oJ scan.json)".into(),
        ));
    }
    Ok(r)
}

/// The outputs, in order given.
fn outputs(a: &Args) -> Result<Vec<OutputSpec>, UserError> {
    let mut outputs = Vec::new();
    // Formats and file names pair up in order (`-oX a.xml -oJ b.json` writes both); a lone
    // --output-format applies to the last file name, a file name alone is XML.
    // Redis is a server, not a file: `-oR`/`--output-format redis` need --redis IP[:port].
    // `none` writes nothing at all (not even console lines); `interactive` is the console.
    let named = |f: &str| a.output_format.iter().any(|g| g == f);
    if named("none") {
        outputs.push(OutputSpec::Nothing);
    }
    let formats: Vec<String> = a
        .output_format
        .iter()
        .filter(|f| !matches!(f.as_str(), "redis" | "none" | "interactive"))
        .cloned()
        .collect();
    let wants_redis = named("redis");
    match (a.redis, wants_redis) {
        (Some(server), _) => outputs.push(OutputSpec::Redis {
            server,
            password: a.redis_pwd.clone(),
        }),
        (None, true) => {
            return Err(UserError(
                "redis output needs the server: --redis IP[:PORT] (e.g. -oR 127.0.0.1)".into(),
            ))
        }
        (None, false) => {}
    }
    let (formats, names) = (&formats, &a.output_filename);
    let file = |format: &str, file: &String| match FileFormat::from_name(format) {
        Some(format) => Ok(OutputSpec::File {
            format,
            file: file.clone(),
        }),
        None => Err(UserError(format!("cannot write --output-format {format}"))),
    };
    if formats.len() == names.len() {
        for (f, n) in formats.iter().zip(names) {
            outputs.push(file(f, n)?);
        }
    } else {
        match (formats.last(), names.last()) {
            (Some(f), Some(n)) => outputs.push(file(f, n)?),
            (None, Some(n)) => outputs.push(file("xml", n)?),
            (Some(f), None) => {
                return Err(UserError(format!(
                    "--output-format {f} needs --output-filename FILE (or use -o{})",
                    &f[..1].to_uppercase()
                )))
            }
            (None, None) => {}
        }
    }
    Ok(outputs)
}

/// Banner grabbing: captures, timeouts, hellos, limits.
fn banners(a: &Args) -> Result<Banners, UserError> {
    let mut b = Banners::default();
    for (on, list) in [(true, &a.capture), (false, &a.nocapture)] {
        for what in list {
            if !b.captures.contains(&(on, what.clone())) {
                b.captures.push((on, what.clone()));
            }
        }
    }
    b.enabled = a.banners && !a.nobanners;
    b.hello_timeout = a.hello_timeout;
    b.connection_timeout = a.connection_timeout;
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
            b.hellos.retain(|(p, _)| *p != port);
            b.hellos.push((port, bytes));
        }
    }
    b.http_user_agent = a.http_user_agent.clone();
    b.banner_bytes = a.banner_bytes;
    b.max_connections = a.max_connections;
    Ok(b)
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
fn udp_payloads(a: &Args) -> Result<UdpPayloads, UserError> {
    let mut u = UdpPayloads::default();
    use masscan_engine::udp::payload_files::{nmap_payloads, pcap_payloads};
    let read = |p: &Path, what: &str| {
        std::fs::read(p)
            .map_err(|e| UserError(format!("cannot read --{what} {}: {e}", p.display())))
    };
    if let Some(p) = &a.nmap_payloads {
        let text = String::from_utf8_lossy(&read(p, "nmap-payloads")?).into_owned();
        let name = p.display().to_string();
        u.payloads
            .extend(nmap_payloads(&text, &name).map_err(|e| UserError(e.0))?);
        u.nmap_payloads = Some(name);
    }
    if let Some(p) = &a.pcap_payloads {
        let name = p.display().to_string();
        let bytes = read(p, "pcap-payloads")?;
        u.payloads
            .extend(pcap_payloads(&bytes, &name).map_err(|e| UserError(e.0))?);
        u.pcap_payloads = Some(name);
    }
    Ok(u)
}

/// Reads an `-iL` or `--excludefile` file for the engine, which reads no files itself.
fn read_list(path: &Path, what: &'static str) -> Result<Vec<u8>, TargetError> {
    std::fs::read(path).map_err(|e| TargetError::File {
        what,
        path: path.display().to_string(),
        why: e.to_string(),
    })
}

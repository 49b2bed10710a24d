//! From parsed arguments to what to do: the mode (scan, list, echo, nmap help, self checks), the
//! engine's [`ScanConfig`], and the options that only shape the run (status line, stats).

use crate::args::{Args, Parsed, UserError};
use crate::values::CpuList;
use masscan_engine::config::{cpu_list, ScanConfig};
use masscan_engine::ports::{PortSetBuilder, ARP, PING};
use masscan_engine::targets::{TargetError, TargetSetBuilder};
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
}

pub struct Run {
    pub mode: Mode,
    pub config: ScanConfig,
    pub nostatus: bool,
    pub stats_json: Option<String>,
    pub verbose: u8,
    /// `--packet-trace`.
    pub packet_trace: bool,
    /// The file a `--resume` came from (paused.conf is rewritten on the next pause).
    pub resumed_from: Option<std::path::PathBuf>,
    /// `--readscan` files.
    pub readscan: Vec<std::path::PathBuf>,
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
    let Args {
        targets,
        range,
        includefile,
        exclude,
        excludefile,
        ports,
        ping,
        arp,
        seed,
        shards,
        resume_index,
        resume_count,
        retries,
        rate,
        tx_threads,
        rx_threads,
        tx_cores,
        rx_cores,
        ttl,
        wait,
        offline,
        driver,
        adapter,
        adapter_ip,
        adapter_port,
        adapter_mac,
        adapter_vlan,
        router_mac,
        router_ip,
        open_only,
        show,
        noshow,
        packet_trace,
        pcap,
        iflist,
        output_format,
        output_filename,
        append_output,
        rotate,
        rotate_offset,
        rotate_size,
        rotate_dir,
        interactive,
        capture,
        nocapture,
        banners,
        hello_timeout,
        connection_timeout,
        hello_string,
        hello_file,
        http_user_agent,
        banner_bytes,
        max_connections,
        list_scan,
        conf: _,
        resume: _,
        readscan,
        echo,
        nmap,
        regress,
        nostatus,
        stats_json,
        verbose,
    } = args;

    let mode = if regress {
        Mode::Regress
    } else if !readscan.is_empty() {
        Mode::ReadScan
    } else if iflist {
        Mode::IfList
    } else if nmap {
        Mode::Nmap
    } else if echo {
        Mode::Echo
    } else if list_scan {
        Mode::ListScan
    } else {
        Mode::Scan
    };

    let mut tb = TargetSetBuilder::new();
    for t in targets.iter().chain(range.iter()) {
        tb.add_targets(t)?;
    }
    for f in &includefile {
        tb.add_file_text(f, &read_list(f, "include file")?, false)?;
    }
    for e in &exclude {
        tb.add_excludes(e)?;
    }
    for f in &excludefile {
        tb.add_file_text(f, &read_list(f, "exclude file")?, true)?;
    }
    let target_set = match mode {
        Mode::Echo | Mode::Nmap | Mode::Regress | Mode::ReadScan | Mode::IfList => {
            tb.build_lenient()
        }
        Mode::Scan | Mode::ListScan => tb.build()?,
    };

    let mut pb = PortSetBuilder::new();
    for p in &ports {
        pb.add_spec(p)?;
    }
    if ping {
        pb.add_value(PING, PING);
    }
    if arp {
        pb.add_value(ARP, ARP);
    }

    let mut c = ScanConfig::new(target_set, pb.build(), seed.unwrap_or_else(random_u64));
    if let Some(r) = rate {
        c.rate = r;
    }
    if let Some(s) = shards {
        c.shard = s;
    }
    c.retries = retries.unwrap_or(0);
    c.resume_index = resume_index.unwrap_or(0);
    c.resume_count = resume_count;
    c.tx_threads = tx_threads;
    c.rx_threads = rx_threads;
    for (name, list, threads, cores) in [
        ("tx", tx_cores, &mut c.tx_threads, &mut c.tx_cores),
        ("rx", rx_cores, &mut c.rx_threads, &mut c.rx_cores),
    ] {
        let Some(CpuList(cpus)) = list else { continue };
        if threads.is_some_and(|t| t != cpus.len()) {
            return Err(UserError(format!(
                "--{name}-threads {} and --{name}-cores {} ({} CPUs) disagree: give one of them",
                threads.unwrap_or(0),
                cpu_list(&cpus),
                cpus.len()
            )));
        }
        *threads = Some(cpus.len());
        *cores = Some(cpus);
    }
    if let Some(t) = ttl {
        c.ttl = t;
    }
    if let Some(w) = wait {
        c.wait = w;
    }
    c.offline = offline;
    c.driver = driver;
    c.adapter = adapter;
    c.adapter_ip = adapter_ip;
    c.adapter_port = adapter_port;
    c.adapter_mac = adapter_mac;
    c.adapter_vlan = adapter_vlan;
    c.router_mac = router_mac;
    c.router_ip = router_ip;
    c.open_only = open_only;
    for (on, list) in [(true, &show), (false, &noshow)] {
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
    c.pcap = pcap;
    // A resumed scan adds to the files it was writing (as masscan's --resume does).
    c.append_output = append_output || resumed_from.is_some();
    c.rotate = rotate;
    c.rotate_offset = rotate_offset;
    c.rotate_size = rotate_size;
    c.rotate_dir = rotate_dir;
    c.interactive = interactive;

    // Formats and file names pair up in order (`-oX a.xml -oJ b.json` writes both); a lone
    // --output-format applies to the last file name, a file name alone is XML.
    if output_format.len() == output_filename.len() {
        for (f, n) in output_format.iter().zip(&output_filename) {
            c.outputs.push((f.clone(), n.clone()));
        }
    } else {
        match (output_format.last(), output_filename.last()) {
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
    for (on, list) in [(true, &capture), (false, &nocapture)] {
        for what in list {
            if !c.captures.contains(&(on, what.clone())) {
                c.captures.push((on, what.clone()));
            }
        }
    }

    c.banners = banners;
    c.hello_timeout = hello_timeout;
    c.connection_timeout = connection_timeout;
    for (kind, list) in [("hello-string", &hello_string), ("hello-file", &hello_file)] {
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
    c.http_user_agent = http_user_agent;
    c.banner_bytes = banner_bytes;
    c.max_connections = max_connections;

    Ok(Run {
        mode,
        config: c,
        nostatus,
        stats_json,
        verbose,
        packet_trace,
        resumed_from,
        readscan,
    })
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

/// Reads an `-iL` or `--excludefile` file for the engine, which reads no files itself.
fn read_list(path: &Path, what: &'static str) -> Result<Vec<u8>, TargetError> {
    std::fs::read(path).map_err(|e| TargetError::File {
        what,
        path: path.display().to_string(),
        why: e.to_string(),
    })
}

//! The effective scan configuration, masscan's `name = value` file format (reading lines with
//! their numbers), and `--echo` / `paused.conf` output in that format. Reading back what
//! [`ScanConfig::write_conf`] wrote yields the same configuration (a round trip is identical).

use crate::plan::ports::PortSet;
use crate::plan::targets::TargetSet;
use crate::plan::{ScanOrder, Shard};
use std::fmt::Write as _;

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

/// `--wait`: seconds to keep receiving after the last probe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    Secs(u64),
    Forever,
}

impl Default for Wait {
    fn default() -> Self {
        Wait::Secs(10)
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

/// Everything that defines a scan.
#[derive(Clone, Debug)]
pub struct ScanConfig {
    pub targets: TargetSet,
    pub ports: PortSet,
    pub seed: u64,
    /// The scan order (`--permutation`, `--blackrock-rounds`).
    pub order: ScanOrder,
    /// Packets per second, all transmit threads together.
    pub rate: f64,
    pub shard: Shard,
    pub retries: u32,
    pub resume_index: u64,
    pub resume_count: Option<u64>,
    pub tx_threads: Option<usize>,
    pub rx_threads: Option<usize>,
    /// `--tx-cores`: transmit thread k runs on CPU `tx_cores[k]` (sets the thread count).
    pub tx_cores: Option<Vec<usize>>,
    /// `--rx-cores`: receive thread k runs on CPU `rx_cores[k]` (sets the thread count).
    pub rx_cores: Option<Vec<usize>>,
    pub ttl: u8,
    pub wait: Wait,
    pub offline: bool,
    pub driver: Option<String>,
    /// `--dpdk-args`: the EAL arguments of the DPDK backend, as one string.
    pub dpdk_args: Option<String>,
    /// Interface 0's settings: `--adapter`, `--adapter-ip`, `--adapter-port`, `--adapter-mac`,
    /// `--adapter-vlan`, `--router-mac`, `--router-ip`.
    pub nic: crate::nics::Nic,
    /// The second and later interfaces (`adapter[1]`...), in order.
    pub more_nics: Vec<crate::nics::Nic>,
    pub open_only: bool,
    /// `--show closed`: report RST replies too.
    pub show_closed: bool,
    /// `--noshow open`: do not report open ports.
    pub noshow_open: bool,
    /// `--pcap FILE`: received packets are written there.
    pub pcap: Option<String>,
    /// `--pcap-sent FILE`: frames sent are written there.
    pub pcap_sent: Option<String>,
    /// `(format, filename)` of `-oX`-style output.
    pub outputs: Vec<(String, String)>,
    /// `--append-output`: continue existing output files.
    pub append_output: bool,
    /// `--stylesheet` (or `--webxml`'s Nmap XSL): named by XML output.
    pub stylesheet: Option<String>,
    /// `--rotate`: seconds between rotations of output files.
    pub rotate: Option<u64>,
    /// `--rotate-offset`: seconds the rotation boundaries are shifted by.
    pub rotate_offset: Option<u64>,
    /// `--rotate-size`: bytes after which a file is rotated.
    pub rotate_size: Option<u64>,
    /// `--rotate-dir`: where rotated files go.
    pub rotate_dir: Option<String>,
    /// `--interactive`: console lines even when writing files.
    pub interactive: bool,
    /// `capture = X` (true) and `nocapture = X` (false) settings for banners, in order given.
    pub captures: Vec<(bool, String)>,
    /// `--banners`: complete handshakes and grab banners.
    pub banners: bool,
    /// `--hello-timeout` seconds (default 2).
    pub hello_timeout: Option<u64>,
    /// `--connection-timeout` seconds (default 30).
    pub connection_timeout: Option<u64>,
    /// Hellos per port (`--hello-string[PORT]`, and `--hello-file[PORT]` read in).
    pub hellos: Vec<(u16, Vec<u8>)>,
    /// `--nmap-payloads FILE` and `--pcap-payloads FILE` (saved in paused.conf), and the UDP
    /// payloads read from them (sent besides the built-in ones).
    pub nmap_payloads: Option<String>,
    pub pcap_payloads: Option<String>,
    pub udp_payloads: Vec<crate::udp::Payload>,
    pub http_user_agent: Option<String>,
    pub banner_bytes: Option<usize>,
    pub max_connections: Option<usize>,
}

impl ScanConfig {
    pub const DEFAULT_RATE: f64 = 100.0;
    pub const DEFAULT_TTL: u8 = 255;

    pub fn new(targets: TargetSet, ports: PortSet, seed: u64) -> Self {
        Self {
            targets,
            ports,
            seed,
            order: ScanOrder::default(),
            rate: Self::DEFAULT_RATE,
            shard: Shard::default(),
            retries: 0,
            resume_index: 0,
            resume_count: None,
            tx_threads: None,
            rx_threads: None,
            tx_cores: None,
            rx_cores: None,
            ttl: Self::DEFAULT_TTL,
            wait: Wait::default(),
            offline: false,
            driver: None,
            dpdk_args: None,
            nic: crate::nics::Nic::default(),
            more_nics: Vec::new(),
            open_only: false,
            show_closed: false,
            noshow_open: false,
            pcap: None,
            pcap_sent: None,
            outputs: Vec::new(),
            append_output: false,
            stylesheet: None,
            rotate: None,
            rotate_offset: None,
            rotate_size: None,
            rotate_dir: None,
            interactive: false,
            captures: Vec::new(),
            banners: false,
            hello_timeout: None,
            connection_timeout: None,
            hellos: Vec::new(),
            nmap_payloads: None,
            pcap_payloads: None,
            udp_payloads: Vec::new(),
            http_user_agent: None,
            banner_bytes: None,
            max_connections: None,
        }
    }

    /// The `--echo` text: non-default settings, then the target selection block.
    pub fn write_conf(&self, out: &mut String) {
        self.write_conf_with(out, false);
    }

    /// `--echo-all`: the `--echo` text, plus every setting left at its default, written with
    /// that default (before the target selection).
    pub fn write_conf_all(&self, out: &mut String) {
        self.write_conf_with(out, true);
    }

    /// The settings `--echo` leaves out because they are at their defaults, with those values.
    fn write_defaults(&self, out: &mut String) {
        out.push_str("# defaults\n");
        if self.resume_index == 0 {
            out.push_str("resume-index = 0\n");
        }
        if self.retries == 0 {
            out.push_str("retries = 0\n");
        }
        if self.ttl == Self::DEFAULT_TTL {
            let _ = writeln!(out, "ttl = {}", Self::DEFAULT_TTL);
        }
        if self.wait == Wait::default() {
            let _ = writeln!(out, "wait = {}", Wait::default());
        }
        for (on, line) in [
            (self.open_only, "open-only = false"),
            (self.offline, "offline = false"),
            (self.banners, "banners = false"),
            (self.append_output, "append-output = false"),
            (self.interactive, "interactive = false"),
        ] {
            if !on {
                out.push_str(line);
                out.push('\n');
            }
        }
        for (set, line) in [
            (self.hello_timeout.is_some(), "hello-timeout = 2"),
            (self.connection_timeout.is_some(), "connection-timeout = 30"),
            (self.banner_bytes.is_some(), "banner-bytes = 4096"),
        ] {
            if !set {
                out.push_str(line);
                out.push('\n');
            }
        }
        out.push('\n');
    }

    fn write_conf_with(&self, out: &mut String, all: bool) {
        if self.resume_index != 0 {
            let _ = writeln!(
                out,
                "\n# resume information\nresume-index = {}",
                self.resume_index
            );
        }
        let _ = writeln!(out, "seed = {}", self.seed);
        let _ = writeln!(out, "rate = {:<10}", fmt_rate(self.rate));
        let _ = writeln!(out, "shard = {}", self.shard);
        // Always named: a paused.conf without it was written by the original (BlackRock).
        match self.order {
            ScanOrder::Feistel => out.push_str("permutation = feistel\n"),
            ScanOrder::BlackRock { rounds } => {
                out.push_str("permutation = blackrock\n");
                if rounds != crate::plan::blackrock::DEFAULT_ROUNDS {
                    let _ = writeln!(out, "blackrock-rounds = {rounds}");
                }
            }
        }
        if self.retries != 0 {
            let _ = writeln!(out, "retries = {}", self.retries);
        }
        if let Some(c) = self.resume_count {
            let _ = writeln!(out, "resume-count = {c}");
        }
        // A core list says both the thread count and the CPUs; else the count alone.
        for (kind, cores, threads) in [
            ("tx", &self.tx_cores, self.tx_threads),
            ("rx", &self.rx_cores, self.rx_threads),
        ] {
            if let Some(cores) = cores {
                let _ = writeln!(out, "{kind}-cores = {}", cpu_list(cores));
            } else if let Some(t) = threads {
                let _ = writeln!(out, "{kind}-threads = {t}");
            }
        }
        if self.ttl != Self::DEFAULT_TTL {
            let _ = writeln!(out, "ttl = {}", self.ttl);
        }
        if self.wait != Wait::default() {
            let _ = writeln!(out, "wait = {}", self.wait);
        }
        if self.open_only {
            let _ = writeln!(out, "open-only = true");
        }
        if self.show_closed {
            let _ = writeln!(out, "show = closed");
        }
        if self.noshow_open {
            let _ = writeln!(out, "noshow = open");
        }
        if let Some(p) = &self.pcap {
            let _ = writeln!(out, "pcap = {p}");
        }
        if let Some(p) = &self.pcap_sent {
            let _ = writeln!(out, "pcap-sent = {p}");
        }
        if self.offline {
            let _ = writeln!(out, "offline = true");
        }
        if let Some(d) = &self.driver {
            let _ = writeln!(out, "driver = {d}");
        }
        if let Some(a) = &self.dpdk_args {
            let _ = writeln!(out, "dpdk-args = {a}");
        }
        for (on, what) in &self.captures {
            let _ = writeln!(
                out,
                "{} = {what}",
                if *on { "capture" } else { "nocapture" }
            );
        }
        if self.banners {
            let _ = writeln!(out, "banners = true");
        }
        if let Some(t) = self.hello_timeout {
            let _ = writeln!(out, "hello-timeout = {t}");
        }
        if let Some(t) = self.connection_timeout {
            let _ = writeln!(out, "connection-timeout = {t}");
        }
        for (port, hello) in &self.hellos {
            use base64::Engine;
            let b64 = base64::engine::general_purpose::STANDARD.encode(hello);
            let _ = writeln!(out, "hello-string[{port}] = {b64}");
        }
        if let Some(f) = &self.nmap_payloads {
            let _ = writeln!(out, "nmap-payloads = {f}");
        }
        if let Some(f) = &self.pcap_payloads {
            let _ = writeln!(out, "pcap-payloads = {f}");
        }
        if let Some(ua) = &self.http_user_agent {
            let _ = writeln!(out, "http-user-agent = {ua}");
        }
        if let Some(n) = self.banner_bytes {
            let _ = writeln!(out, "banner-bytes = {n}");
        }
        if let Some(n) = self.max_connections {
            let _ = writeln!(out, "max-connections = {n}");
        }
        out.push('\n');
        for (format, file) in &self.outputs {
            if format == "none" {
                out.push_str("output-format = none\n");
                continue;
            }
            if format == "redis" {
                // The server, with `PASSWORD@` first when --redis-pwd was given.
                let (pwd, server) = file.rsplit_once('@').unwrap_or(("", file));
                let _ = writeln!(out, "redis = {server}");
                if !pwd.is_empty() {
                    let _ = writeln!(out, "redis-pwd = {pwd}");
                }
                continue;
            }
            let _ = writeln!(out, "output-format = {format}");
            let _ = writeln!(out, "output-filename = {file}");
        }
        if self.append_output {
            let _ = writeln!(out, "append-output = true");
        }
        if let Some(xsl) = &self.stylesheet {
            let _ = writeln!(out, "stylesheet = {xsl}");
        }
        if let Some(r) = self.rotate {
            let _ = writeln!(out, "rotate = {r}");
        }
        if let Some(r) = self.rotate_offset {
            let _ = writeln!(out, "rotate-offset = {r}");
        }
        if let Some(r) = self.rotate_size {
            let _ = writeln!(out, "rotate-size = {r}");
        }
        if let Some(d) = &self.rotate_dir {
            let _ = writeln!(out, "rotate-dir = {d}");
        }
        if self.interactive {
            let _ = writeln!(out, "interactive = true");
        }
        self.write_nics_conf(out);
        if all {
            self.write_defaults(out);
        }
        out.push_str("# TARGET SELECTION (IP, PORTS, EXCLUDES)\n");
        let _ = writeln!(out, "ports = {}", self.ports.to_spec());
        self.targets.write_conf(out);
    }

    /// The `paused.conf` text: the `--echo` text of this configuration resumed at
    /// `resume_index` (which the echo puts first, as the original does).
    pub fn write_paused(&self, resume_index: u64, out: &mut String) {
        let resumed = Self {
            resume_index,
            ..self.clone()
        };
        if resume_index == 0 {
            // Paused before anything was sent: still say where to resume.
            out.push_str("\n# resume information\nresume-index = 0\n");
        }
        resumed.write_conf(out);
    }
}

/// A time span as `--rotate` takes it: seconds (`3600`), a number with a unit (`10min`,
/// `6hours`, `90s`, `2days`), or `minutely`, `hourly`, `daily`, `weekly`.
pub fn parse_duration_spec(s: &str) -> Result<u64, String> {
    let t = s.trim().to_ascii_lowercase();
    let named = match t.as_str() {
        "minutely" => Some(60),
        "hourly" => Some(3600),
        "daily" => Some(86400),
        "weekly" => Some(7 * 86400),
        _ => None,
    };
    if let Some(n) = named {
        return Ok(n);
    }
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(digits);
    let n: u64 = num.parse().map_err(|_| {
        "give seconds, or a number with a unit (10min, 6hours), or hourly/daily".to_string()
    })?;
    let mult = match unit.trim() {
        "" | "s" | "sec" | "secs" | "second" | "seconds" => 1,
        "m" | "min" | "mins" | "minute" | "minutes" => 60,
        "h" | "hour" | "hours" => 3600,
        "d" | "day" | "days" => 86400,
        "w" | "week" | "weeks" => 7 * 86400,
        u => return Err(format!("unknown unit '{u}' (use s, min, hours, days)")),
    };
    n.checked_mul(mult)
        .filter(|v| *v > 0)
        .ok_or_else(|| "must be more than zero and less than centuries".into())
}

/// A size as `--rotate-size` takes it: bytes, or with `K`, `M`, `G` (powers of 1024).
pub fn parse_size_spec(s: &str) -> Result<u64, String> {
    let t = s.trim().to_ascii_lowercase();
    let t = t.trim_end_matches('b');
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(digits);
    let n: u64 = num
        .parse()
        .map_err(|_| "give bytes, or a number with K, M or G".to_string())?;
    let mult: u64 = match unit {
        "" => 1,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        u => return Err(format!("unknown unit '{u}' (use K, M or G)")),
    };
    n.checked_mul(mult)
        .filter(|v| *v > 0)
        .ok_or_else(|| "must be more than zero".into())
}

/// A CPU list as `--tx-cores`/`--rx-cores` take it, in thread order: `2`, `0,2`, `1-3`,
/// `4-5,0`. A CPU may appear once; at most 256 threads, CPU numbers below 4,096.
pub fn parse_cpu_list(s: &str) -> Result<Vec<usize>, String> {
    const MAX_CPU: usize = 4095;
    let mut cpus = Vec::new();
    for part in s.split(',').map(str::trim) {
        let number = |t: &str| -> Result<usize, String> {
            t.trim()
                .parse::<usize>()
                .ok()
                .filter(|&n| n <= MAX_CPU)
                .ok_or_else(|| format!("'{t}' is not a CPU number (0 to {MAX_CPU})"))
        };
        let (first, last) = match part.split_once('-') {
            Some((a, b)) => (number(a)?, number(b)?),
            None => {
                let n = number(part)?;
                (n, n)
            }
        };
        if first > last {
            return Err(format!("'{part}' runs backwards"));
        }
        for cpu in first..=last {
            if cpus.contains(&cpu) {
                return Err(format!("CPU {cpu} is listed twice"));
            }
            cpus.push(cpu);
            if cpus.len() > 256 {
                return Err("at most 256 CPUs (one thread each)".into());
            }
        }
    }
    Ok(cpus)
}

/// Writes a CPU list back in the shortest form `parse_cpu_list` reads (`0-3,6`).
pub fn cpu_list(cpus: &[usize]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < cpus.len() {
        let mut j = i;
        while j + 1 < cpus.len() && cpus[j + 1] == cpus[j] + 1 {
            j += 1;
        }
        parts.push(if i == j {
            cpus[i].to_string()
        } else {
            format!("{}-{}", cpus[i], cpus[j])
        });
        i = j + 1;
    }
    parts.join(",")
}

/// Rates print as integers when whole (`1000`), else with the digits needed (`0.5`).
pub fn fmt_rate(rate: f64) -> String {
    if rate.fract() == 0.0 && rate < 1e15 {
        format!("{}", rate as u64)
    } else {
        format!("{rate}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_lists() {
        assert_eq!(parse_cpu_list("2").unwrap(), [2]);
        assert_eq!(parse_cpu_list("0, 2").unwrap(), [0, 2]);
        assert_eq!(parse_cpu_list("4-6,1").unwrap(), [4, 5, 6, 1]);
        for bad in [
            "", "a", "1,,2", "3-1", "1,1", "0-2,2", "-1", "4096", "0-300",
        ] {
            assert!(parse_cpu_list(bad).is_err(), "{bad}");
        }
        for list in ["0", "0-3", "4-6,1", "1,3,5", "7,0-1"] {
            assert_eq!(cpu_list(&parse_cpu_list(list).unwrap()), list);
        }
    }

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

    #[test]
    fn rate_formats() {
        assert_eq!(format!("{:<10}|", fmt_rate(1000.0)), "1000      |");
        assert_eq!(fmt_rate(0.1), "0.1");
    }

    #[test]
    fn rotation_specs() {
        assert_eq!(parse_duration_spec("3600"), Ok(3600));
        assert_eq!(parse_duration_spec("hourly"), Ok(3600));
        assert_eq!(parse_duration_spec("6hours"), Ok(6 * 3600));
        assert_eq!(parse_duration_spec("10min"), Ok(600));
        assert_eq!(parse_duration_spec("Daily"), Ok(86400));
        assert!(parse_duration_spec("0").is_err());
        assert!(parse_duration_spec("10 parsecs").is_err());
        assert!(parse_duration_spec("").is_err());
        assert_eq!(parse_size_spec("1000"), Ok(1000));
        assert_eq!(parse_size_spec("10M"), Ok(10 << 20));
        assert_eq!(parse_size_spec("2gb"), Ok(2 << 30));
        assert!(parse_size_spec("lots").is_err());
    }
}

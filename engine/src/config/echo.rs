//! `--echo`, `--echo-all` and `paused.conf`: a [`ScanConfig`] written as `name = value`
//! lines in the original's order (settings, outputs, interfaces, then the target selection),
//! each setting only when it differs from its default (`--echo-all` adds the defaults).
//!
//! [`ECHO`] is that order, one entry per setting: a one-line setting is declared once with its
//! config-file name, the value `--echo` writes (none at the default) and the default
//! `--echo-all` writes; settings of several lines have a writer of their own.

use super::{cpu_list, defaults, fmt_rate, ScanConfig, Wait};
use crate::plan::ScanOrder;
use std::fmt::Display;
use std::fmt::Write as _;

/// One entry of the echo.
pub enum Echo {
    /// `name = value`, written when `value` gives one (the setting is not at its default).
    Setting {
        /// The config-file name, which is also the long option.
        name: &'static str,
        /// Written before the line (the resume point's comment).
        before: &'static str,
        value: fn(&ScanConfig) -> Option<String>,
        /// What `--echo-all` writes when `value` gives none (none: nothing).
        default: Option<fn() -> String>,
    },
    /// Lines of their own: a setting of several lines, a blank line, the interfaces.
    Lines(fn(&ScanConfig, &mut String)),
}

/// A one-line setting without a comment before it.
const fn setting(
    name: &'static str,
    value: fn(&ScanConfig) -> Option<String>,
    default: Option<fn() -> String>,
) -> Echo {
    Echo::Setting {
        name,
        before: "",
        value,
        default,
    }
}

fn given<T: Display>(v: &Option<T>) -> Option<String> {
    v.as_ref().map(T::to_string)
}

fn unless<T: PartialEq + Display>(v: T, default: T) -> Option<String> {
    (v != default).then(|| v.to_string())
}

fn flag(on: bool) -> Option<String> {
    on.then(|| "true".to_string())
}

fn off() -> String {
    "false".into()
}

/// Every line `--echo` may write, in its order (after the order come the `# defaults`, when
/// asked for, and the target selection).
pub static ECHO: &[Echo] = &[
    Echo::Setting {
        name: "resume-index",
        before: "\n# resume information\n",
        value: |c| unless(c.pace.resume_index, 0),
        default: Some(|| "0".into()),
    },
    setting("seed", |c| Some(c.seed.to_string()), None),
    setting(
        "rate",
        |c| Some(format!("{:<10}", fmt_rate(c.pace.order_rate()))),
        None,
    ),
    setting("shard", |c| Some(c.pace.shard.to_string()), None),
    Echo::Lines(write_permutation),
    setting(
        "retries",
        |c| unless(c.pace.retries, defaults::RETRIES),
        Some(|| defaults::RETRIES.to_string()),
    ),
    setting("noreset", |c| flag(c.probe.noreset), Some(off)),
    setting("resume-count", |c| given(&c.pace.resume_count), None),
    setting("infinite", |c| flag(c.pace.infinite), None),
    setting("backoff", |c| flag(c.pace.backoff), None),
    setting("coverage", |c| flag(c.pace.coverage), None),
    setting("canaries", |c| unless(c.pace.canaries, 0), None),
    setting(
        "canary-results",
        |c| {
            let r = c.pace.canary_results;
            (r != crate::canary::Results::Keep).then(|| r.name().to_string())
        },
        None,
    ),
    Echo::Lines(write_threads),
    setting(
        "ttl",
        |c| unless(c.io.ttl, defaults::TTL),
        Some(|| defaults::TTL.to_string()),
    ),
    setting(
        "wait",
        |c| unless(c.pace.wait, Wait::default()),
        Some(|| Wait::default().to_string()),
    ),
    setting("open-only", |c| flag(c.report.open_only), Some(off)),
    setting(
        "show",
        |c| c.report.show_closed.then(|| "closed".into()),
        None,
    ),
    setting(
        "noshow",
        |c| c.report.noshow_open.then(|| "open".into()),
        None,
    ),
    setting("pcap", |c| given(&c.io.pcap), None),
    setting("pcap-sent", |c| given(&c.io.pcap_sent), None),
    setting("offline", |c| flag(c.io.offline), Some(off)),
    setting("driver", |c| given(&c.io.driver), None),
    setting("dpdk-args", |c| given(&c.io.dpdk_args), None),
    Echo::Lines(write_captures),
    setting("banners", |c| flag(c.banner.enabled), Some(off)),
    setting("heartbleed", |c| flag(c.banner.heartbleed), None),
    setting("ticketbleed", |c| flag(c.banner.ticketbleed), None),
    Echo::Lines(write_vulns),
    setting("rawudp", |c| flag(c.banner.raw_udp), None),
    setting("identify", |c| flag(c.banner.identify), None),
    setting("identify-tries", |c| given(&c.banner.identify_tries), None),
    setting(
        "hello-timeout",
        |c| given(&c.banner.hello_timeout),
        Some(|| defaults::HELLO_TIMEOUT_SECS.to_string()),
    ),
    setting(
        "connection-timeout",
        |c| given(&c.banner.connection_timeout),
        Some(|| defaults::CONNECTION_TIMEOUT_SECS.to_string()),
    ),
    Echo::Lines(write_hellos),
    setting("nmap-payloads", |c| given(&c.udp.nmap_payloads), None),
    setting("pcap-payloads", |c| given(&c.udp.pcap_payloads), None),
    setting(
        "http-user-agent",
        |c| given(&c.banner.http_user_agent),
        None,
    ),
    Echo::Lines(write_hello_kinds),
    setting("http-method", |c| given(&c.banner.http.method), None),
    setting("http-url", |c| given(&c.banner.http.url), None),
    setting("http-version", |c| given(&c.banner.http.version), None),
    setting("http-host", |c| given(&c.banner.http.host), None),
    Echo::Lines(write_http_lists),
    setting(
        "http-payload",
        |c| {
            c.banner
                .http
                .payload
                .as_ref()
                .map(|p| String::from_utf8_lossy(p).into_owned())
        },
        None,
    ),
    setting(
        "banner-bytes",
        |c| given(&c.banner.banner_bytes),
        Some(|| defaults::BANNER_BYTES.to_string()),
    ),
    setting(
        "max-connections",
        |c| given(&c.banner.max_connections),
        None,
    ),
    setting(
        "min-packet",
        |c| unless(c.probe.syn.min_frame, crate::frame::MIN_FRAME),
        Some(|| crate::frame::MIN_FRAME.to_string()),
    ),
    setting("data-length", |c| unless(c.probe.syn.data_length, 0), None),
    setting("badsum", |c| flag(c.probe.syn.badsum), None),
    Echo::Lines(|_, out| out.push('\n')),
    Echo::Lines(write_outputs),
    setting("append-output", |c| flag(c.report.append_output), Some(off)),
    setting("stylesheet", |c| given(&c.report.stylesheet), None),
    setting("rotate", |c| given(&c.report.rotate), None),
    setting("rotate-offset", |c| given(&c.report.rotate_offset), None),
    setting("rotate-size", |c| given(&c.report.rotate_size), None),
    setting("rotate-dir", |c| given(&c.report.rotate_dir), None),
    setting("interactive", |c| flag(c.report.interactive), Some(off)),
    Echo::Lines(write_syn_options),
    Echo::Lines(|c, out| c.write_nics_conf(out)),
];

/// The order of `--echo-all`'s `# defaults` block (the original's): every setting of [`ECHO`]
/// with a default, by name.
pub const DEFAULTS_ORDER: &[&str] = &[
    "resume-index",
    "retries",
    "ttl",
    "wait",
    "open-only",
    "noreset",
    "offline",
    "banners",
    "append-output",
    "interactive",
    "hello-timeout",
    "connection-timeout",
    "banner-bytes",
    "min-packet",
];

/// `tcp-mss`, `tcp-sackok`, `tcp-wscale`, `tcp-tsecho` as the original writes them: a SYN
/// option that differs from its default (MSS 1460 and nothing else), `enable` for the
/// option's default value, `disable` for a default option removed.
fn write_syn_options(c: &ScanConfig, out: &mut String) {
    let s = &c.probe.syn;
    let mut line = |name: &str, v: Option<String>| {
        if let Some(v) = v {
            let _ = writeln!(out, "{name} = {v}");
        }
    };
    line(
        "tcp-mss",
        match s.mss {
            Some(defaults::TCP_MSS) => None,
            Some(m) => Some(m.to_string()),
            None => Some("disable".into()),
        },
    );
    let num = |v: u32, dflt: u32| {
        if v == dflt {
            "enable".into()
        } else {
            v.to_string()
        }
    };
    line(
        "tcp-wscale",
        s.wscale
            .map(|w| num(u32::from(w), u32::from(defaults::TCP_WSCALE))),
    );
    line("tcp-tsecho", s.tsval.map(|t| num(t, defaults::TCP_TSECHO)));
    line("tcp-sackok", s.sack_ok.then(|| "enable".into()));
}

/// The order as the original reads it: BlackRock (the default in both) needs no line but
/// its rounds when not the default; Feistel is ours (a file with it does not load in the
/// original: docs/compat-outputs.md lists such settings).
fn write_permutation(c: &ScanConfig, out: &mut String) {
    match c.pace.order {
        ScanOrder::Feistel => out.push_str("permutation = feistel\n"),
        ScanOrder::BlackRock { rounds } => {
            if rounds != defaults::BLACKROCK_ROUNDS {
                let _ = writeln!(out, "blackrock-rounds = {rounds}");
            }
        }
    }
}

/// A core list says both the thread count and the CPUs; else the count alone.
fn write_threads(c: &ScanConfig, out: &mut String) {
    let t = &c.threads;
    for (kind, cores, threads) in [
        ("tx", &t.tx_cores, t.tx_threads),
        ("rx", &t.rx_cores, t.rx_threads),
    ] {
        if let Some(cores) = cores {
            let _ = writeln!(out, "{kind}-cores = {}", cpu_list(cores));
        } else if let Some(t) = threads {
            let _ = writeln!(out, "{kind}-threads = {t}");
        }
    }
}

fn write_captures(c: &ScanConfig, out: &mut String) {
    for (on, what) in &c.banner.captures {
        let name = if *on { "capture" } else { "nocapture" };
        let _ = writeln!(out, "{name} = {what}");
    }
}

/// The `--vuln` checks without an option of their own, as `vuln = NAME` lines (which the
/// original reads too).
fn write_vulns(c: &ScanConfig, out: &mut String) {
    if c.banner.poodle {
        out.push_str("vuln = poodle\n");
    }
    if c.banner.ntp_monlist {
        out.push_str("vuln = ntp-monlist\n");
    }
}

fn write_hellos(c: &ScanConfig, out: &mut String) {
    for (port, hello) in &c.banner.hellos {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD.encode(hello);
        let _ = writeln!(out, "hello-string[{port}] = {b64}");
    }
}

fn write_outputs(c: &ScanConfig, out: &mut String) {
    use crate::output::OutputSpec;
    for o in &c.report.outputs {
        match o {
            OutputSpec::Nothing => out.push_str("output-format = none\n"),
            OutputSpec::Redis { server, password } => {
                let _ = writeln!(out, "redis = {server}");
                if let Some(pwd) = password.as_ref().filter(|p| !p.is_empty()) {
                    let _ = writeln!(out, "redis-pwd = {pwd}");
                }
            }
            OutputSpec::File { format, file } => {
                let _ = writeln!(out, "output-format = {}", format.name());
                let _ = writeln!(out, "output-filename = {file}");
            }
        }
    }
}

impl ScanConfig {
    /// The `--echo` text: non-default settings, then the target selection block.
    pub fn write_conf(&self, out: &mut String) {
        self.write_conf_with(out, false);
    }

    /// `--echo-all`: the `--echo` text, plus every setting left at its default, written with
    /// that default (before the target selection).
    pub fn write_conf_all(&self, out: &mut String) {
        self.write_conf_with(out, true);
    }

    fn write_conf_with(&self, out: &mut String, all: bool) {
        for e in ECHO {
            match e {
                Echo::Setting {
                    name,
                    before,
                    value,
                    ..
                } => {
                    if let Some(v) = value(self) {
                        let _ = writeln!(out, "{before}{name} = {v}");
                    }
                }
                Echo::Lines(write) => write(self, out),
            }
        }
        if all {
            self.write_defaults(out);
        }
        out.push_str("# TARGET SELECTION (IP, PORTS, EXCLUDES)\n");
        // A pair scan's ports are its pairs' (the `range = IP:PORT` lines).
        if self.targets.pairs.is_none() {
            let _ = writeln!(out, "ports = {}", self.ports.to_spec());
        }
        self.targets.write_conf(out);
    }

    /// The settings `--echo` leaves out because they are at their defaults, with those values.
    fn write_defaults(&self, out: &mut String) {
        out.push_str("# defaults\n");
        for wanted in DEFAULTS_ORDER {
            for e in ECHO {
                if let Echo::Setting {
                    name,
                    value,
                    default: Some(default),
                    ..
                } = e
                {
                    if name == wanted && value(self).is_none() {
                        let _ = writeln!(out, "{name} = {}", default());
                    }
                }
            }
        }
        out.push('\n');
    }

    /// The `paused.conf` text: the `--echo` text of this configuration resumed at
    /// `resume_index` (which the echo puts first, as the original does).
    pub fn write_paused(&self, resume_index: u64, out: &mut String) {
        let mut resumed = self.clone();
        resumed.pace.resume_index = resume_index;
        if resume_index == 0 {
            // Paused before anything was sent: still say where to resume.
            out.push_str("\n# resume information\nresume-index = 0\n");
        }
        resumed.write_conf(out);
    }
}

/// `hello = ssl` (one line per kind given).
fn write_hello_kinds(c: &ScanConfig, out: &mut String) {
    for h in &c.banner.hello {
        let _ = writeln!(out, "hello = {h}");
    }
}

/// `http-header = NAME:VALUE` and `http-cookie = VALUE`, one line each.
fn write_http_lists(c: &ScanConfig, out: &mut String) {
    for (name, value) in &c.banner.http.headers {
        let _ = writeln!(out, "http-header = {name}:{value}");
    }
    for v in &c.banner.http.cookies {
        let _ = writeln!(out, "http-cookie = {v}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_with_a_default_has_its_place_in_the_defaults_block() {
        let mut with_default: Vec<&str> = ECHO
            .iter()
            .filter_map(|e| match e {
                Echo::Setting {
                    name,
                    default: Some(_),
                    ..
                } => Some(*name),
                _ => None,
            })
            .collect();
        let mut order = DEFAULTS_ORDER.to_vec();
        with_default.sort_unstable();
        order.sort_unstable();
        assert_eq!(with_default, order);
    }

    #[test]
    fn echo_all_writes_each_default_once_and_a_set_value_instead() {
        let targets = crate::plan::targets::TargetSetBuilder::new().build_lenient();
        let ports = crate::plan::ports::PortSetBuilder::new().build();
        let mut c = ScanConfig::new(targets, ports, 1);
        let mut text = String::new();
        c.write_conf_all(&mut text);
        let defaults = text.split("# defaults\n").nth(1).unwrap();
        let defaults = defaults.split("\n\n").next().unwrap();
        assert_eq!(defaults.lines().count(), DEFAULTS_ORDER.len());
        assert!(defaults.contains(&format!("ttl = {}\n", defaults::TTL)));
        c.io.ttl = 64;
        c.banner.enabled = true;
        let mut text = String::new();
        c.write_conf_all(&mut text);
        assert!(text.contains("ttl = 64\n") && text.contains("banners = true\n"));
        assert!(!text.contains("ttl = 255") && !text.contains("banners = false"));
    }
}

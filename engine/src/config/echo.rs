//! `--echo`, `--echo-all` and `paused.conf`: a [`ScanConfig`] written as `name = value`
//! lines in the original's order (settings, outputs, interfaces, then the target selection),
//! each setting only when it differs from its default (`--echo-all` adds the defaults).

use super::{cpu_list, defaults, fmt_rate, ScanConfig, Wait};
use crate::plan::ScanOrder;
use std::fmt::Write as _;

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

    /// The settings `--echo` leaves out because they are at their defaults, with those values.
    fn write_defaults(&self, out: &mut String) {
        out.push_str("# defaults\n");
        if self.pace.resume_index == 0 {
            out.push_str("resume-index = 0\n");
        }
        if self.pace.retries == defaults::RETRIES {
            let _ = writeln!(out, "retries = {}", defaults::RETRIES);
        }
        if self.io.ttl == Self::DEFAULT_TTL {
            let _ = writeln!(out, "ttl = {}", Self::DEFAULT_TTL);
        }
        if self.pace.wait == Wait::default() {
            let _ = writeln!(out, "wait = {}", Wait::default());
        }
        for (on, line) in [
            (self.report.open_only, "open-only = false"),
            (self.io.offline, "offline = false"),
            (self.banner.enabled, "banners = false"),
            (self.report.append_output, "append-output = false"),
            (self.report.interactive, "interactive = false"),
        ] {
            if !on {
                out.push_str(line);
                out.push('\n');
            }
        }
        for (set, name, default) in [
            (
                self.banner.hello_timeout.is_some(),
                "hello-timeout",
                defaults::HELLO_TIMEOUT_SECS,
            ),
            (
                self.banner.connection_timeout.is_some(),
                "connection-timeout",
                defaults::CONNECTION_TIMEOUT_SECS,
            ),
            (
                self.banner.banner_bytes.is_some(),
                "banner-bytes",
                defaults::BANNER_BYTES as u64,
            ),
        ] {
            if !set {
                let _ = writeln!(out, "{name} = {default}");
            }
        }
        out.push('\n');
    }

    fn write_conf_with(&self, out: &mut String, all: bool) {
        self.write_order(out);
        self.write_probing(out);
        self.write_banners(out);
        out.push('\n');
        self.write_outputs(out);
        self.write_nics_conf(out);
        if all {
            self.write_defaults(out);
        }
        out.push_str("# TARGET SELECTION (IP, PORTS, EXCLUDES)\n");
        let _ = writeln!(out, "ports = {}", self.ports.to_spec());
        self.targets.write_conf(out);
    }

    /// The resume point, seed, pace, order, slice, retries and threads.
    fn write_order(&self, out: &mut String) {
        if self.pace.resume_index != 0 {
            let _ = writeln!(
                out,
                "\n# resume information\nresume-index = {}",
                self.pace.resume_index
            );
        }
        let _ = writeln!(out, "seed = {}", self.seed);
        let _ = writeln!(out, "rate = {:<10}", fmt_rate(self.pace.rate));
        let _ = writeln!(out, "shard = {}", self.pace.shard);
        // Always named: a paused.conf without it was written by the original (BlackRock).
        match self.pace.order {
            ScanOrder::Feistel => out.push_str("permutation = feistel\n"),
            ScanOrder::BlackRock { rounds } => {
                out.push_str("permutation = blackrock\n");
                if rounds != defaults::BLACKROCK_ROUNDS {
                    let _ = writeln!(out, "blackrock-rounds = {rounds}");
                }
            }
        }
        if self.pace.retries != defaults::RETRIES {
            let _ = writeln!(out, "retries = {}", self.pace.retries);
        }
        if let Some(c) = self.pace.resume_count {
            let _ = writeln!(out, "resume-count = {c}");
        }
        // A core list says both the thread count and the CPUs; else the count alone.
        for (kind, cores, threads) in [
            ("tx", &self.threads.tx_cores, self.threads.tx_threads),
            ("rx", &self.threads.rx_cores, self.threads.rx_threads),
        ] {
            if let Some(cores) = cores {
                let _ = writeln!(out, "{kind}-cores = {}", cpu_list(cores));
            } else if let Some(t) = threads {
                let _ = writeln!(out, "{kind}-threads = {t}");
            }
        }
    }

    /// TTL, wait, which results, pcap files and the backend.
    fn write_probing(&self, out: &mut String) {
        if self.io.ttl != Self::DEFAULT_TTL {
            let _ = writeln!(out, "ttl = {}", self.io.ttl);
        }
        if self.pace.wait != Wait::default() {
            let _ = writeln!(out, "wait = {}", self.pace.wait);
        }
        if self.report.open_only {
            let _ = writeln!(out, "open-only = true");
        }
        if self.report.show_closed {
            let _ = writeln!(out, "show = closed");
        }
        if self.report.noshow_open {
            let _ = writeln!(out, "noshow = open");
        }
        if let Some(p) = &self.io.pcap {
            let _ = writeln!(out, "pcap = {p}");
        }
        if let Some(p) = &self.io.pcap_sent {
            let _ = writeln!(out, "pcap-sent = {p}");
        }
        if self.io.offline {
            let _ = writeln!(out, "offline = true");
        }
        if let Some(d) = &self.io.driver {
            let _ = writeln!(out, "driver = {d}");
        }
        if let Some(a) = &self.io.dpdk_args {
            let _ = writeln!(out, "dpdk-args = {a}");
        }
    }

    /// Banner grabbing and UDP payload files.
    fn write_banners(&self, out: &mut String) {
        for (on, what) in &self.banner.captures {
            let _ = writeln!(
                out,
                "{} = {what}",
                if *on { "capture" } else { "nocapture" }
            );
        }
        if self.banner.enabled {
            let _ = writeln!(out, "banners = true");
        }
        if let Some(t) = self.banner.hello_timeout {
            let _ = writeln!(out, "hello-timeout = {t}");
        }
        if let Some(t) = self.banner.connection_timeout {
            let _ = writeln!(out, "connection-timeout = {t}");
        }
        for (port, hello) in &self.banner.hellos {
            use base64::Engine;
            let b64 = base64::engine::general_purpose::STANDARD.encode(hello);
            let _ = writeln!(out, "hello-string[{port}] = {b64}");
        }
        if let Some(f) = &self.udp.nmap_payloads {
            let _ = writeln!(out, "nmap-payloads = {f}");
        }
        if let Some(f) = &self.udp.pcap_payloads {
            let _ = writeln!(out, "pcap-payloads = {f}");
        }
        if let Some(ua) = &self.banner.http_user_agent {
            let _ = writeln!(out, "http-user-agent = {ua}");
        }
        if let Some(n) = self.banner.banner_bytes {
            let _ = writeln!(out, "banner-bytes = {n}");
        }
        if let Some(n) = self.banner.max_connections {
            let _ = writeln!(out, "max-connections = {n}");
        }
    }

    /// The outputs and their rotation.
    fn write_outputs(&self, out: &mut String) {
        for o in &self.report.outputs {
            use crate::output::OutputSpec;
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
        if self.report.append_output {
            let _ = writeln!(out, "append-output = true");
        }
        if let Some(xsl) = &self.report.stylesheet {
            let _ = writeln!(out, "stylesheet = {xsl}");
        }
        if let Some(r) = self.report.rotate {
            let _ = writeln!(out, "rotate = {r}");
        }
        if let Some(r) = self.report.rotate_offset {
            let _ = writeln!(out, "rotate-offset = {r}");
        }
        if let Some(r) = self.report.rotate_size {
            let _ = writeln!(out, "rotate-size = {r}");
        }
        if let Some(d) = &self.report.rotate_dir {
            let _ = writeln!(out, "rotate-dir = {d}");
        }
        if self.report.interactive {
            let _ = writeln!(out, "interactive = true");
        }
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

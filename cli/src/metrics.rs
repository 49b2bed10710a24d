//! `--metrics ADDR:PORT`: the scan's counters in Prometheus text format, served over HTTP at
//! `/metrics` while the scan runs (tiny_http, one thread that only reads the counters the loops
//! publish): per transmit core probes, batches, throttle waits and full rings; per receive core
//! frames, open, closed, duplicates, drops, banner connections and banners; the XDP program's
//! per-CPU counters; the rate asked for; the reply round-trip-time histogram (from the
//! SYNs' timestamp option, see `masscan_engine::rtt`); and the coverage estimate (`--retries`).

use crate::args::UserError;
use crate::coverage::{self, Captures};
use crate::nic::resolve::XdpReader;
use masscan_engine::counters::{Counter, TransmitCounters};
use masscan_engine::rtt::RttHistogram;
use masscan_engine::stats::{CoreCounters, RxCoreCounters, RxCounters};
use std::fmt::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Bucket bounds of the round-trip histogram, in milliseconds.
const RTT_BOUNDS_MS: [u64; 14] = [
    1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 60_000,
];

/// What a scrape reads.
pub struct Sources<'a> {
    pub tx: &'a [CoreCounters],
    pub rx: &'a [RxCoreCounters],
    pub rtt: &'a [Arc<RttHistogram>],
    pub xdp: Option<&'a XdpReader>,
    pub rate: f64,
    /// `--backoff`'s counters, when it runs.
    pub backoff: Option<&'a masscan_engine::counters::BackoffCells>,
    pub driver: &'a str,
    /// What the run says of its coverage (the estimate's gauges).
    pub captures: Captures,
}

/// Listens on `addr` (fails here, before the scan, with one line).
pub fn bind(addr: &str) -> Result<tiny_http::Server, UserError> {
    tiny_http::Server::http(addr)
        .map_err(|e| UserError(format!("--metrics {addr}: cannot listen there: {e}")))
}

/// Answers requests until `stop` is raised: `/metrics` with the text, anything else 404.
pub fn serve(server: &tiny_http::Server, src: &Sources<'_>, stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        let Ok(Some(req)) = server.recv_timeout(Duration::from_millis(100)) else {
            continue;
        };
        let resp = if req.url() == "/metrics" || req.url().starts_with("/metrics?") {
            let header = tiny_http::Header::from_bytes(
                &b"Content-Type"[..],
                &b"text/plain; version=0.0.4; charset=utf-8"[..],
            )
            .expect("a valid header");
            tiny_http::Response::from_string(render(src)).with_header(header)
        } else {
            tiny_http::Response::from_string("see /metrics\n").with_status_code(404)
        };
        let _ = req.respond(resp);
    }
}

/// One metric family: its help, type and samples (label value, number).
fn family(out: &mut String, name: &str, kind: &str, help: &str, samples: &[(String, f64)]) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
    for (labels, v) in samples {
        let _ = writeln!(out, "{name}{labels} {v}");
    }
}

/// A family of the XDP program's per-CPU samples (its counters are the program's own struct,
/// not declared with the scan's).
struct Family<T> {
    name: &'static str,
    help: &'static str,
    get: fn(&T) -> u64,
}

const fn counter<T>(name: &'static str, help: &'static str, get: fn(&T) -> u64) -> Family<T> {
    Family { name, help, get }
}

#[rustfmt::skip]
const XDP: [Family<masscan_ebpf::Counters>; 3] = [
    counter("masscan_xdp_seen_total", "Frames the XDP program looked at, per CPU.", |c| c.seen),
    counter("masscan_xdp_steered_total", "Frames it steered to the scan's AF_XDP sockets.", |c| c.steered),
    counter("masscan_xdp_passed_total", "Frames it left to the kernel.", |c| c.passed),
];

/// Writes each family of `families` over `items`, labelled `label="index"` (and `extra`).
fn families<T>(out: &mut String, families: &[Family<T>], items: &[T], label: &str, extra: &str) {
    for f in families {
        let samples: Vec<(String, f64)> = items
            .iter()
            .enumerate()
            .map(|(k, t)| (format!("{{{label}=\"{k}\"{extra}}}"), (f.get)(t) as f64))
            .collect();
        family(out, f.name, "counter", f.help, &samples);
    }
}

/// Writes the family of each declared counter that has one (`declared`, in order) over each
/// core's values (`cores`, one row each, in the same order), labelled `core="index"`.
fn core_families<'a>(
    out: &mut String,
    declared: impl Iterator<Item = &'a Counter>,
    cores: &[Vec<u64>],
) {
    for (j, c) in declared.enumerate() {
        let Some(m) = c.metric else { continue };
        let samples: Vec<(String, f64)> = cores
            .iter()
            .enumerate()
            .map(|(k, row)| (format!("{{core=\"{k}\"}}"), row[j] as f64))
            .collect();
        family(out, m.name, m.kind, m.help, &samples);
    }
}

/// The whole exposition text.
pub fn render(src: &Sources<'_>) -> String {
    let mut out = String::new();
    let tx: Vec<Vec<u64>> = (src.tx.iter())
        .map(|c| c.snapshot().counters.iter().map(|(_, v)| v).collect())
        .collect();
    let rx: Vec<Vec<u64>> = (src.rx.iter())
        .map(|c| c.load().iter().map(|(_, _, v)| v).collect())
        .collect();
    let version = env!("CARGO_PKG_VERSION");
    let info = [(
        format!("{{driver=\"{}\",version=\"{version}\"}}", src.driver),
        1.0,
    )];
    family(
        &mut out,
        "masscan_info",
        "gauge",
        "The scanner and its backend.",
        &info,
    );
    let rate = [(String::new(), src.rate)];
    family(
        &mut out,
        "masscan_rate_target_pps",
        "gauge",
        "Packets per second asked for (--rate).",
        &rate,
    );
    if let Some(b) = src.backoff {
        for (c, v) in b.load().iter() {
            if let Some(m) = c.metric {
                family(
                    &mut out,
                    m.name,
                    m.kind,
                    m.help,
                    &[(String::new(), v as f64)],
                );
            }
        }
    }
    core_families(&mut out, TransmitCounters::COUNTERS.iter(), &tx);
    core_families(&mut out, RxCounters::declared(), &rx);
    if let Some((mode, cpus)) = src.xdp.and_then(|f| f()) {
        families(&mut out, &XDP, &cpus, "cpu", &format!(",mode=\"{mode}\""));
    }
    rtt_histogram(&mut out, src.rtt);
    let loaded: Vec<RxCounters> = src.rx.iter().map(|c| c.load()).collect();
    if let Some(c) = coverage::of(src.captures, &loaded) {
        for (name, help, value) in coverage::gauges(&c) {
            family(&mut out, name, "gauge", help, &[(String::new(), value)]);
        }
    }
    out
}

/// Every receive core's round trips together, as Prometheus cumulative buckets in seconds.
fn rtt_histogram(out: &mut String, cores: &[Arc<RttHistogram>]) {
    let name = "masscan_reply_rtt_seconds";
    let _ = writeln!(
        out,
        "# HELP {name} Round trip from a SYN to its SYN-ACK, from the echoed timestamp option.\n# TYPE {name} histogram"
    );
    let (mut below, mut count, mut sum_ms) = (vec![0u64; RTT_BOUNDS_MS.len()], 0, 0);
    for h in cores {
        let (b, n, s) = h.cumulative(&RTT_BOUNDS_MS);
        below.iter_mut().zip(b).for_each(|(a, x)| *a += x);
        count += n;
        sum_ms += s;
    }
    for (bound, n) in RTT_BOUNDS_MS.iter().zip(&below) {
        let _ = writeln!(
            out,
            "{name}_bucket{{le=\"{}\"}} {n}",
            *bound as f64 / 1000.0
        );
    }
    let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
    let _ = writeln!(out, "{name}_sum {}", sum_ms as f64 / 1000.0);
    let _ = writeln!(out, "{name}_count {count}");
}

#[cfg(test)]
mod tests;

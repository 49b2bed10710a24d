//! `--metrics ADDR:PORT`: the scan's counters in Prometheus text format, served over HTTP at
//! `/metrics` while the scan runs (tiny_http, one thread that only reads the counters the loops
//! publish): per transmit core probes, batches, throttle waits and full rings; per receive core
//! frames, open, closed, duplicates, drops, banner connections and banners; the XDP program's
//! per-CPU counters; the rate asked for; and the reply round-trip-time histogram (from the
//! SYNs' timestamp option, see `masscan_engine::rtt`).

use crate::args::UserError;
use crate::link::XdpReader;
use masscan_engine::classify::RxCounters;
use masscan_engine::rtt::RttHistogram;
use masscan_engine::stats::{CoreCounters, RxCoreCounters, TxSnapshot};
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
    pub driver: &'a str,
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

/// A family of per-core (or per-CPU) samples read from counters of type `T`.
struct Family<T> {
    name: &'static str,
    kind: &'static str,
    help: &'static str,
    get: fn(&T) -> u64,
}

const fn counter<T>(name: &'static str, help: &'static str, get: fn(&T) -> u64) -> Family<T> {
    Family {
        name,
        kind: "counter",
        help,
        get,
    }
}

#[rustfmt::skip]
const TX: [Family<TxSnapshot>; 4] = [
    counter("masscan_tx_probes_total", "Probes sent, per transmit core.", |s| s.sent),
    counter("masscan_tx_batches_total", "Batches handed to the driver, per transmit core.", |s| s.batches),
    counter("masscan_tx_throttle_waits_total", "Times the throttle made a core wait.", |s| s.throttle_waits),
    counter("masscan_tx_ring_full_total", "Batches cut short by a full transmit ring.", |s| s.ring_full),
];

#[rustfmt::skip]
const RX: [Family<RxCounters>; 10] = [
    counter("masscan_rx_frames_total", "Frames received, per receive core.", |c| c.frames),
    counter("masscan_found_open_total", "Open ports found (first reply of each).", |c| c.open),
    counter("masscan_found_closed_total", "Closed ports found.", |c| c.closed),
    counter("masscan_rx_duplicates_total", "Repeated replies, reported once.", |c| c.duplicates),
    counter("masscan_rx_bad_cookie_total", "Replies whose cookie did not match.", |c| c.bad_cookie),
    counter("masscan_rx_malformed_total", "Frames too damaged to read (or with a bad TCP checksum).", |c| c.malformed),
    counter("masscan_rx_kernel_drops_total", "Frames the kernel dropped before the scan saw them.", |c| c.kernel_drops),
    counter("masscan_banner_connections_total", "Banner connections opened.", |c| c.tcp_opened),
    Family { name: "masscan_banner_connections_active", kind: "gauge", help: "Banner connections open now.", get: |c| c.tcp_active },
    counter("masscan_banners_total", "Banners reported.", |c| c.banners),
];

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
        family(out, f.name, f.kind, f.help, &samples);
    }
}

/// The whole exposition text.
pub fn render(src: &Sources<'_>) -> String {
    let mut out = String::new();
    let tx: Vec<TxSnapshot> = src.tx.iter().map(|c| c.snapshot()).collect();
    let rx: Vec<RxCounters> = src.rx.iter().map(|c| c.load()).collect();
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
    families(&mut out, &TX, &tx, "core", "");
    families(&mut out, &RX, &rx, "core", "");
    if let Some((mode, cpus)) = src.xdp.and_then(|f| f()) {
        families(&mut out, &XDP, &cpus, "cpu", &format!(",mode=\"{mode}\""));
    }
    rtt_histogram(&mut out, src.rtt);
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

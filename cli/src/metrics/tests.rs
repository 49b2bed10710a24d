//! The whole `--metrics` text rendered from fixed counters and compared with the text the code
//! wrote before the counters were declared in one place: every metric name, HELP and TYPE line,
//! label and order must stay the same.

use super::*;
use crate::status::tests::{rx_cores, tx_core, xdp_cpus};

fn tx_cells() -> Vec<CoreCounters> {
    (0..2)
        .map(|k| {
            let s = tx_core(k);
            let c = CoreCounters::default();
            c.publish(&s.counters);
            c.next_index.store(s.next_index, Ordering::Relaxed);
            c.done.store(s.done, Ordering::Relaxed);
            c
        })
        .collect()
}

fn rx_cells() -> Vec<RxCoreCounters> {
    rx_cores()
        .iter()
        .map(|c| {
            let cells = RxCoreCounters::default();
            cells.publish(&c.classifier, &c.receive, &c.tcp);
            cells
        })
        .collect()
}

fn render_fixed() -> String {
    let (tx, rx) = (tx_cells(), rx_cells());
    let rtt: Vec<Arc<RttHistogram>> = (0..2).map(|_| Arc::default()).collect();
    for (ms, core) in [(0, 0), (3, 0), (30, 1), (700, 1), (70_000, 0)] {
        rtt[core].record_echo(10_000 + ms, 10_000);
    }
    let xdp = || Some(("native", xdp_cpus()));
    let src = Sources {
        tx: &tx,
        rx: &rx,
        rtt: &rtt,
        xdp: Some(&xdp),
        rate: 1500.5,
        backoff: None,
        driver: "afxdp",
        captures: crate::coverage::Captures::Off,
    };
    render(&src)
}

#[test]
fn metric_text_is_unchanged() {
    let text = render_fixed();
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(text, EXPECTED.replace("VERSION", version));
}

/// A scan with no receive core (offline) still declares every receive family, with no samples
/// (as the old binary's offline `--metrics` did).
#[test]
fn receive_families_are_declared_without_receive_cores() {
    let tx = tx_cells();
    let src = Sources {
        tx: &tx,
        rx: &[],
        rtt: &[],
        xdp: None,
        rate: 10.0,
        backoff: None,
        driver: "offline",
        captures: crate::coverage::Captures::Off,
    };
    let text = render(&src);
    let rx = section(&text, "# HELP masscan_reply_rtt");
    let mut declared = section(EXPECTED, "# HELP masscan_xdp");
    declared.retain(|l| l.starts_with('#'));
    assert_eq!(declared.len(), 2 * 12, "twelve receive families");
    assert_eq!(rx, declared);
}

/// The lines of `text` from the first receive family up to the line that starts with `end`.
fn section<'a>(text: &'a str, end: &str) -> Vec<&'a str> {
    text.lines()
        .skip_while(|l| !l.starts_with("# HELP masscan_rx_frames_total"))
        .take_while(|l| !l.starts_with(end))
        .collect()
}

const EXPECTED: &str = r#"# HELP masscan_info The scanner and its backend.
# TYPE masscan_info gauge
masscan_info{driver="afxdp",version="VERSION"} 1
# HELP masscan_rate_target_pps Packets per second asked for (--rate).
# TYPE masscan_rate_target_pps gauge
masscan_rate_target_pps 1500.5
# HELP masscan_tx_probes_total Probes sent, per transmit core.
# TYPE masscan_tx_probes_total counter
masscan_tx_probes_total{core="0"} 1001
masscan_tx_probes_total{core="1"} 2001
# HELP masscan_tx_batches_total Batches handed to the driver, per transmit core.
# TYPE masscan_tx_batches_total counter
masscan_tx_batches_total{core="0"} 1002
masscan_tx_batches_total{core="1"} 2002
# HELP masscan_tx_throttle_waits_total Times the throttle made a core wait.
# TYPE masscan_tx_throttle_waits_total counter
masscan_tx_throttle_waits_total{core="0"} 1003
masscan_tx_throttle_waits_total{core="1"} 2003
# HELP masscan_tx_ring_full_total Batches cut short by a full transmit ring.
# TYPE masscan_tx_ring_full_total counter
masscan_tx_ring_full_total{core="0"} 1004
masscan_tx_ring_full_total{core="1"} 2004
# HELP masscan_tx_canary_probes_total Canary probes sent (--canaries), per transmit core.
# TYPE masscan_tx_canary_probes_total counter
masscan_tx_canary_probes_total{core="0"} 1007
masscan_tx_canary_probes_total{core="1"} 2007
# HELP masscan_rx_frames_total Frames received, per receive core.
# TYPE masscan_rx_frames_total counter
masscan_rx_frames_total{core="0"} 101
masscan_rx_frames_total{core="1"} 201
masscan_rx_frames_total{core="2"} 301
# HELP masscan_found_open_total Open ports found (first reply of each).
# TYPE masscan_found_open_total counter
masscan_found_open_total{core="0"} 106
masscan_found_open_total{core="1"} 206
masscan_found_open_total{core="2"} 0
# HELP masscan_found_closed_total Closed ports found.
# TYPE masscan_found_closed_total counter
masscan_found_closed_total{core="0"} 107
masscan_found_closed_total{core="1"} 0
masscan_found_closed_total{core="2"} 307
# HELP masscan_rx_duplicates_total Repeated replies, reported once.
# TYPE masscan_rx_duplicates_total counter
masscan_rx_duplicates_total{core="0"} 105
masscan_rx_duplicates_total{core="1"} 0
masscan_rx_duplicates_total{core="2"} 0
# HELP masscan_rx_bad_cookie_total Replies whose cookie did not match.
# TYPE masscan_rx_bad_cookie_total counter
masscan_rx_bad_cookie_total{core="0"} 104
masscan_rx_bad_cookie_total{core="1"} 0
masscan_rx_bad_cookie_total{core="2"} 0
# HELP masscan_rx_malformed_total Frames too damaged to read (or with a bad TCP checksum).
# TYPE masscan_rx_malformed_total counter
masscan_rx_malformed_total{core="0"} 103
masscan_rx_malformed_total{core="1"} 0
masscan_rx_malformed_total{core="2"} 0
# HELP masscan_rx_canary_answers_total SYN-ACKs from canary ports (--canaries).
# TYPE masscan_rx_canary_answers_total counter
masscan_rx_canary_answers_total{core="0"} 126
masscan_rx_canary_answers_total{core="1"} 0
masscan_rx_canary_answers_total{core="2"} 0
# HELP masscan_rx_canary_marked_hosts_total Hosts marked by a canary SYN-ACK, per receive core.
# TYPE masscan_rx_canary_marked_hosts_total counter
masscan_rx_canary_marked_hosts_total{core="0"} 127
masscan_rx_canary_marked_hosts_total{core="1"} 0
masscan_rx_canary_marked_hosts_total{core="2"} 0
# HELP masscan_rx_kernel_drops_total Frames the kernel dropped before the scan saw them.
# TYPE masscan_rx_kernel_drops_total counter
masscan_rx_kernel_drops_total{core="0"} 112
masscan_rx_kernel_drops_total{core="1"} 212
masscan_rx_kernel_drops_total{core="2"} 0
# HELP masscan_banner_connections_total Banner connections opened.
# TYPE masscan_banner_connections_total counter
masscan_banner_connections_total{core="0"} 115
masscan_banner_connections_total{core="1"} 0
masscan_banner_connections_total{core="2"} 0
# HELP masscan_banner_connections_active Banner connections open now.
# TYPE masscan_banner_connections_active gauge
masscan_banner_connections_active{core="0"} 116
masscan_banner_connections_active{core="1"} 0
masscan_banner_connections_active{core="2"} 0
# HELP masscan_banners_total Banners reported.
# TYPE masscan_banners_total counter
masscan_banners_total{core="0"} 121
masscan_banners_total{core="1"} 0
masscan_banners_total{core="2"} 0
# HELP masscan_xdp_seen_total Frames the XDP program looked at, per CPU.
# TYPE masscan_xdp_seen_total counter
masscan_xdp_seen_total{cpu="0",mode="native"} 11
masscan_xdp_seen_total{cpu="1",mode="native"} 21
# HELP masscan_xdp_steered_total Frames it steered to the scan's AF_XDP sockets.
# TYPE masscan_xdp_steered_total counter
masscan_xdp_steered_total{cpu="0",mode="native"} 13
masscan_xdp_steered_total{cpu="1",mode="native"} 23
# HELP masscan_xdp_passed_total Frames it left to the kernel.
# TYPE masscan_xdp_passed_total counter
masscan_xdp_passed_total{cpu="0",mode="native"} 14
masscan_xdp_passed_total{cpu="1",mode="native"} 24
# HELP masscan_reply_rtt_seconds Round trip from a SYN to its SYN-ACK, from the echoed timestamp option.
# TYPE masscan_reply_rtt_seconds histogram
masscan_reply_rtt_seconds_bucket{le="0.001"} 1
masscan_reply_rtt_seconds_bucket{le="0.002"} 1
masscan_reply_rtt_seconds_bucket{le="0.005"} 2
masscan_reply_rtt_seconds_bucket{le="0.01"} 2
masscan_reply_rtt_seconds_bucket{le="0.02"} 2
masscan_reply_rtt_seconds_bucket{le="0.05"} 3
masscan_reply_rtt_seconds_bucket{le="0.1"} 3
masscan_reply_rtt_seconds_bucket{le="0.2"} 3
masscan_reply_rtt_seconds_bucket{le="0.5"} 3
masscan_reply_rtt_seconds_bucket{le="1"} 4
masscan_reply_rtt_seconds_bucket{le="2"} 4
masscan_reply_rtt_seconds_bucket{le="5"} 4
masscan_reply_rtt_seconds_bucket{le="10"} 4
masscan_reply_rtt_seconds_bucket{le="60"} 4
masscan_reply_rtt_seconds_bucket{le="+Inf"} 4
masscan_reply_rtt_seconds_sum 0.733
masscan_reply_rtt_seconds_count 4
"#;

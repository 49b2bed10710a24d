//! `--metrics` in the lab: while a scan runs, `/metrics` answers with Prometheus text that
//! Prometheus's own parser (prometheus_client, from PyPI, in the lab's client venv) reads, with
//! per-core counters, the XDP program's counters and a round-trip histogram fed by the SYN-ACKs'
//! echoed timestamps; the port closes with the scan. Ignored unless asked for (it needs root):
//! `./scripts/test.sh` runs it.

use crate::common::*;
use masscan_test_support::*;
use std::time::Duration;
/// Scrapes `url` from inside the scanner namespace and parses it with prometheus_client;
/// prints `family type samples` lines, then `rtt COUNT INF SUM`, then `probes N`.
const SCRAPE: &str = r#"
import sys, urllib.request
from prometheus_client.parser import text_string_to_metric_families
text = urllib.request.urlopen(sys.argv[1], timeout=5).read().decode()
fams = {f.name: f for f in text_string_to_metric_families(text)}
for f in fams.values():
    print(f.name, f.type, len(f.samples))
h = {s.name + s.labels.get("le", ""): s.value for s in fams["masscan_reply_rtt_seconds"].samples}
print("rtt", h["masscan_reply_rtt_seconds_count"], h["masscan_reply_rtt_seconds_bucket+Inf"], h["masscan_reply_rtt_seconds_sum"])
print("probes", sum(s.value for s in fams["masscan_tx_probes"].samples))
"#;

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn metrics_answer_with_prometheus_text_and_the_rtt_histogram_while_scanning() {
    let lab = Lab::up(MASSCAN);
    let mut child = slow_scan(&lab, &["--metrics", "127.0.0.1:9464", "-oL", "m.txt"]);
    wait_until_sending(&lab, &mut child);
    std::thread::sleep(Duration::from_millis(1500));
    let scrape = || {
        venv_python(&lab, SCRAPE)
            .arg("http://127.0.0.1:9464/metrics")
            .output()
            .unwrap()
    };
    let o = scrape();
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for (family, kind) in [
        ("masscan_tx_probes", "counter"),
        ("masscan_found_open", "counter"),
        ("masscan_rx_frames", "counter"),
        ("masscan_banners", "counter"),
        ("masscan_banner_connections_active", "gauge"),
        ("masscan_xdp_steered", "counter"),
        ("masscan_rate_target_pps", "gauge"),
        ("masscan_reply_rtt_seconds", "histogram"),
    ] {
        assert!(
            text.lines()
                .any(|l| l.starts_with(&format!("{family} {kind} "))),
            "no {family} {kind}: {text}"
        );
    }
    let field = |key: &str, k: usize| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{key} ")))
            .and_then(|rest| rest.split(' ').nth(k))
            .unwrap_or_else(|| panic!("no {key}: {text}"))
            .parse()
            .unwrap()
    };
    let (count, inf, sum) = (field("rtt", 0), field("rtt", 1), field("rtt", 2));
    assert!(count > 100.0, "{text}");
    assert_eq!(count, inf);
    assert!(
        sum >= 0.0 && sum / count < 0.05,
        "lab round trips are short: {text}"
    );
    assert!(field("probes", 0) > 1000.0, "{text}");
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(list_file(&lab.path("m.txt")).len(), 16384);
    // The server ends with the scan.
    assert!(
        !scrape().status.success(),
        "/metrics still answers after the scan"
    );
}

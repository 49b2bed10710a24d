//! Scans under a hostile network and hostile signals, in the lab: banners through a link that
//! drops, duplicates and reorders frames both ways (`--inject-faults` around the live backend),
//! damaged frames counted without harm, and every backend leaving nothing behind after SIGINT,
//! SIGTERM or SIGKILL. Each test brings up its own lab (unique names, taken down even on
//! failure); they are ignored unless asked for, because they need root: `./scripts/test.sh`
//! runs them.

use crate::common::*;
use masscan_test_support::*;
use std::collections::BTreeMap;
use std::time::Duration;

/// The `[faults] DIRECTION: ...` line's count of `what` (e.g. "dropped").
fn fault_count(err: &str, direction: &str, what: &str) -> u64 {
    let line = err
        .lines()
        .find(|l| l.starts_with(&format!("[faults] {direction}: ")))
        .unwrap_or_else(|| panic!("no [faults] {direction} line: {err}"));
    line.split(", ")
        .find_map(|part| {
            let (n, name) = part.rsplit_once(' ')?;
            let n = n.rsplit(' ').next()?;
            (name == what).then(|| n.parse().unwrap())
        })
        .unwrap_or_else(|| panic!("no '{what}' in {line:?}"))
}

/// How many times each (ip, port) is reported open in a closed JSON output file.
fn open_ports_in_json(path: &std::path::Path) -> BTreeMap<(String, u64), usize> {
    let text = std::fs::read_to_string(path).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{}: invalid JSON: {e}", path.display()));
    let mut seen = BTreeMap::new();
    for r in v.as_array().unwrap() {
        for p in r["ports"].as_array().unwrap() {
            if p["status"] == "open" {
                let key = (
                    r["ip"].as_str().unwrap().to_string(),
                    p["port"].as_u64().unwrap(),
                );
                *seen.entry(key).or_default() += 1;
            }
        }
    }
    seen
}

/// Every banner server through AF_XDP with 5% of frames dropped, 5% duplicated and 10%
/// reordered in each direction (and 1% truncated): the probes' retries, the servers'
/// retransmissions and ours get every banner through, each open port is reported once, and
/// the outputs are valid.
#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn banners_come_through_loss_duplicates_and_reordering_both_ways() {
    let lab = Lab::up(MASSCAN);
    let faults = "drop=0.05,duplicate=0.05,reorder=0.1,truncate=0.01,seed=17";
    let o = lab.run(&[
        "198.18.1.1-198.18.1.11",
        "-p",
        BANNER_PORTS,
        "--banners",
        "--rate",
        "1000",
        "--retries",
        "3",
        // Room for a STARTTLS exchange to lose several segments each way: our retransmission
        // timeout doubles from 1 s (with 15 s one run of four missed IMAP's TLS banner).
        "--wait",
        "25",
        "--nostatus",
        "--interactive",
        "--inject-faults",
        faults,
        "-oJ",
        "faults.json",
        "-oX",
        "faults.xml",
    ]);
    ok(&o);
    let err = stderr(&o);
    assert!(err.contains("[afxdp]"), "{err}");
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    check_banners(&out, &banner_ports());
    // The faults happened, in both directions.
    for what in ["dropped", "duplicated", "reordered"] {
        assert!(fault_count(&err, "received", what) > 0, "{what}: {err}");
    }
    assert!(fault_count(&err, "sent", "dropped") > 0, "{err}");
    // Each open port once, though retries and duplicates brought many SYN-ACKs for it.
    let open = open_ports_in_json(&lab.path("faults.json"));
    assert!(open.len() >= 12, "{open:?}");
    assert!(open.values().all(|&n| n == 1), "reported twice: {open:?}");
    assert!(python_parses_xml(&lab.path("faults.xml")));
}

/// Frames truncated and with a bit flipped, 5% of them each way, through AF_PACKET: nothing
/// panics, the damage is counted, the open ports are still found (with retries) and the
/// outputs are valid.
#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn damaged_frames_are_counted_and_outputs_stay_valid() {
    let lab = Lab::up(MASSCAN);
    let o = scan_services(
        &lab,
        &[
            "--driver",
            "afpacket",
            "--retries",
            "4",
            "--nostatus",
            "--inject-faults",
            "truncate=5%,corrupt=5%,seed=3",
            "-oJ",
            "damaged.json",
            "-oL",
            "damaged.txt",
        ],
    );
    ok(&o);
    let err = stderr(&o);
    for dir in ["received", "sent"] {
        for what in ["truncated", "corrupted"] {
            assert!(fault_count(&err, dir, what) > 0, "{dir} {what}: {err}");
        }
    }
    let found = list_file(&lab.path("damaged.txt"));
    // Every open port, once: a damaged probe or reply is made up for by a retry.
    assert!(services_open().is_subset(&found), "{found:?}\n{err}");
    let open = open_ports_in_json(&lab.path("damaged.json"));
    assert!(open.values().all(|&n| n == 1), "reported twice: {open:?}");
    assert_eq!(open.len(), found.len());
}

/// A scan stopped by SIGINT or SIGTERM on either backend writes paused.conf and closes its
/// outputs validly; killed by SIGKILL it still leaves no XDP program on the link and no
/// process behind. After every stop the link is as it was: no program attached.
#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn every_backend_leaves_nothing_behind_after_sigint_sigterm_or_sigkill() {
    let lab = Lab::up(MASSCAN);
    for driver in ["afxdp", "afpacket"] {
        for sig in ["INT", "TERM", "KILL"] {
            let json = format!("{driver}-{sig}.json");
            let _ = std::fs::remove_file(lab.path("paused.conf"));
            let mut child = slow_scan(&lab, &["--driver", driver, "-oJ", &json]);
            wait_until_sending(&lab, &mut child);
            std::thread::sleep(Duration::from_millis(500));
            assert_eq!(
                xdp_attached(&lab),
                driver == "afxdp",
                "{driver} while scanning"
            );
            send_signal(child.id(), sig);
            let out = child.wait_with_output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            std::thread::sleep(Duration::from_millis(200));
            assert!(!xdp_attached(&lab), "{driver} {sig}: a program is left");
            if sig == "KILL" {
                continue;
            }
            assert!(out.status.success(), "{driver} {sig}: {err}");
            let paused = std::fs::read_to_string(lab.path("paused.conf"))
                .unwrap_or_else(|_| panic!("{driver} {sig}: no paused.conf: {err}"));
            assert!(paused.contains("resume-index = "), "{paused}");
            check_output(&lab, "json", &lab.path(&json));
        }
    }
}

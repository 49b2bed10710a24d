//! Banner grabbing in the lab: every server's banner through AF_XDP and through AF_PACKET with a spoofed source, hostile servers cut off, and a quiet link still ending on time.
//! Each test brings up its own lab (unique names, taken down even on failure); they are
//! ignored unless asked for, because they need root: `./scripts/test.sh` runs them.

use crate::common::*;
use masscan_test_support::*;
use std::collections::BTreeSet;
use std::process::Command;
use std::time::{Duration, Instant};

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn banners_from_every_lab_server_through_af_xdp_from_our_own_address() {
    let lab = Lab::up(MASSCAN);
    let out = scan_every_banner_server(
        &lab,
        "afxdp",
        &["--interactive", "-oB", "banners.bin", "-oJ", "banners.json"],
    );
    // The files hold the same banners: the binary file read back gives the console's lines,
    // and the JSON file is one valid array with a banner entry per banner line.
    let back = lab.run(&["--readscan", "banners.bin"]);
    ok(&back);
    let banner_lines = |t: &str| -> BTreeSet<String> {
        t.lines()
            .filter(|l| l.starts_with("Banner on"))
            .map(|l| l.trim_end().to_string())
            .collect()
    };
    assert_eq!(
        banner_lines(&String::from_utf8_lossy(&back.stdout)),
        banner_lines(&out)
    );
    let json = Command::new("python3")
        .args([
            "-c",
            "import json,sys; d=json.load(open(sys.argv[1])); \
             print(sum(1 for r in d for p in r['ports'] if 'service' in p))",
            lab.path("banners.json").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        json.status.success(),
        "{}",
        String::from_utf8_lossy(&json.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&json.stdout).trim(),
        banner_lines(&out).len().to_string()
    );
}

/// A server that sends without end is cut off at the byte cap, one that trickles a byte a
/// second at the connection timeout; the scan ends on time and reports both.
#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn hostile_servers_are_cut_off_and_the_scan_goes_on() {
    let lab = Lab::up(MASSCAN);
    let t0 = Instant::now();
    let o = lab.run(&[
        "198.18.1.12,198.18.1.2",
        "-p9000,9001,22",
        "--banners",
        "--banner-bytes",
        "2000",
        "--connection-timeout",
        "4",
        "--rate",
        "100",
        "--wait",
        "6",
        "--nostatus",
    ]);
    let took = t0.elapsed();
    ok(&o);
    let out = String::from_utf8_lossy(&o.stdout);
    let last_word_len = |l: &str| l.trim_end().rsplit(' ').next().unwrap_or("").len();
    let flood = out
        .lines()
        .find(|l| l.starts_with("Banner on port 9000/tcp on 198.18.1.12: [unknown] xxx"))
        .unwrap_or_else(|| panic!("no flood banner: {out}"));
    let kept = last_word_len(flood);
    assert!(
        (1000..=2000).contains(&kept),
        "kept {kept} bytes of the flood"
    );
    let trickle = out
        .lines()
        .find(|l| l.starts_with("Banner on port 9001/tcp on 198.18.1.12: [unknown] t"))
        .unwrap_or_else(|| panic!("no trickle banner: {out}"));
    let kept = last_word_len(trickle);
    assert!(
        (2..=6).contains(&kept),
        "trickle kept {kept} bytes: {trickle}"
    );
    check_banners(&out, &[22]);
    assert!(stderr(&o).contains(" 1 timed out"), "{}", stderr(&o));
    assert!(
        took < Duration::from_secs(10),
        "took {took:?} with --wait 6"
    );
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn banners_through_af_packet_with_a_spoofed_source_address() {
    let lab = Lab::up(MASSCAN);
    let router = lab.router_mac();
    scan_every_banner_server(
        &lab,
        "afpacket",
        &[
            "--driver",
            "afpacket",
            "--adapter-ip",
            "198.18.0.77",
            "--router-mac",
            &router,
        ],
    );
}

/// Nothing but our own connections on the link: the client-first banners still come (the
/// stack's timers run from the clock) and the scan ends when --wait says.
#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn on_a_quiet_link_http_tls_and_memcached_banners_arrive_and_the_scan_ends_on_time() {
    let lab = Lab::up(MASSCAN);
    let t0 = Instant::now();
    let o = lab.run(&[
        "198.18.1.1,198.18.1.4",
        "-p80,443,11211",
        "--banners",
        "--rate",
        "100",
        "--wait",
        "3",
        "--nostatus",
    ]);
    let took = t0.elapsed();
    ok(&o);
    check_banners(&String::from_utf8_lossy(&o.stdout), &[80, 443, 11211]);
    assert!(took < Duration::from_secs(6), "took {took:?} with --wait 3");
}

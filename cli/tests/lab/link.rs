//! The scan interface's own counters of lost frames in the summary and `--stats-json`: frames
//! the kernel drops on the scanner's link are counted there, where none of the scan's own
//! counters can see them. Ignored unless asked for (root): `./scripts/test.sh` runs it.

use crate::common::*;
use masscan_test_support::*;
use std::process::Command;

/// The value after `name ` in the summary's `link IF:` line.
fn link_counter(line: &str, name: &str) -> u64 {
    let at = line.find(&format!("{name} ")).expect(name) + name.len() + 1;
    line[at..]
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|d| d.parse().ok())
        .expect(name)
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn the_summary_counts_frames_the_scan_interface_dropped() {
    let lab = Lab::up(MASSCAN);
    let mut child = slow_scan(
        &lab,
        &[
            "--driver",
            "afxdp",
            "-oL",
            "l.txt",
            "--stats-json",
            "s.json",
        ],
    );
    wait_until_sending(&lab, &mut child);
    // 50 frames of an EtherType no protocol takes (0x88b5, for local experiments) from the
    // far end of the link to the scanner's MAC: the XDP program passes them to the kernel,
    // which drops each one and counts it in the interface's rx_dropped.
    let mac = mac_of(&lab.scan_ns, &lab.scan_if).replace(':', "");
    assert_eq!(mac.len(), 12, "the scanner's MAC");
    let inject = format!(
        "import socket\n\
         s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)\n\
         s.bind(('{target}', 0))\n\
         me = open('/sys/class/net/{target}/address').read().strip().replace(':', '')\n\
         f = bytes.fromhex('{mac}') + bytes.fromhex(me) + b'\\x88\\xb5' + bytes(46)\n\
         for _ in range(50): s.send(f)\n",
        target = lab.target_if
    );
    let sent = Command::new("ip")
        .args(["netns", "exec", &lab.target_ns, "python3", "-c", &inject])
        .output()
        .unwrap();
    assert!(
        sent.status.success(),
        "{}",
        String::from_utf8_lossy(&sent.stderr)
    );
    let o = child.wait_with_output().unwrap();
    ok(&o);
    let err = stderr(&o);
    let line = err
        .lines()
        .find(|l| l.starts_with(&format!("link {}: ", lab.scan_if)))
        .unwrap_or_else(|| panic!("no link line: {err}"));
    let dropped = link_counter(line, "rx_dropped");
    // The 50, and at most a few frames of the link's own the kernel also had no use for.
    assert!((50..=60).contains(&dropped), "{line}");
    assert!(line.contains(" frames dropped receiving ("), "{line}");
    // The last --stats-json object says the same.
    let stats = std::fs::read_to_string(lab.path("s.json")).unwrap();
    let last: serde_json::Value = serde_json::from_str(stats.lines().last().unwrap()).unwrap();
    assert_eq!(last["link"][0]["interface"], lab.scan_if.as_str(), "{last}");
    assert_eq!(last["link"][0]["rx_dropped"], dropped, "{last}");
    // Offline there is no link, and no line.
    let o = lab.run(&["198.18.1.1", "-p80", "--offline", "--nostatus"]);
    ok(&o);
    assert!(!stderr(&o).contains("\nlink "), "{}", stderr(&o));
}

//! `--canaries`: bench/'s XDP reflector answers every SYN to 198.18.128.0/17 as a tarpit or SYN
//! proxy would, so every host of that block must be marked (one `canary` record per host in
//! every output format, and back out of `-oB` through `--readscan`), while the lab's real
//! servers (198.18.1.1-4, which reset the canary ports) must not be, and their open ports must
//! be reported as without canaries. The probe cost is exactly hosts x N (x tries).

use crate::common::*;
use masscan_test_support::*;
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

const REAL: [&str; 4] = ["198.18.1.1", "198.18.1.2", "198.18.1.3", "198.18.1.4"];
/// The real servers' open ports among the scanned ones.
const REAL_OPEN: [(&str, u16); 4] = [
    ("198.18.1.1", 80),
    ("198.18.1.2", 22),
    ("198.18.1.3", 21),
    ("198.18.1.4", 11211),
];
const TARGETS: &str = "198.18.128.0/24,198.18.1.1-198.18.1.4";
const PORTS: &str = "21,22,80,11211";

/// `-oL` lines: (open ports by host, marked hosts with the canary port each mark names).
fn read_list(text: &str) -> (BTreeMap<String, BTreeSet<u16>>, BTreeMap<String, Vec<u16>>) {
    let mut open: BTreeMap<String, BTreeSet<u16>> = BTreeMap::new();
    let mut marks: BTreeMap<String, Vec<u16>> = BTreeMap::new();
    for l in text.lines() {
        let f: Vec<&str> = l.split(' ').collect();
        match f.as_slice() {
            ["open", "tcp", port, ip, ..] => {
                open.entry(ip.to_string())
                    .or_default()
                    .insert(port.parse().unwrap());
            }
            ["banner", "tcp", port, ip, _, "canary", ..] => marks
                .entry(ip.to_string())
                .or_default()
                .push(port.parse().unwrap()),
            _ => {}
        }
    }
    (open, marks)
}

fn scan(lab: &Lab, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        TARGETS,
        "-p",
        PORTS,
        "--canaries",
        "2",
        "--seed",
        "17",
        "--rate",
        "20000",
        "--wait",
        "2",
        "--nostatus",
    ];
    args.extend_from_slice(extra);
    let o = lab.run(&args);
    ok(&o);
    o
}

/// Marks in a text format: occurrences of `needle` (the format's way of naming the service).
fn count(lab: &Lab, file: &str, needle: &str) -> usize {
    std::fs::read_to_string(lab.path(file))
        .unwrap()
        .matches(needle)
        .count()
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn the_reflector_is_marked_and_real_servers_are_not() {
    let lab = Lab::up(MASSCAN);
    attach_reflector(&lab);
    let o = scan(
        &lab,
        &[
            "-oL",
            "s.list",
            "-oX",
            "s.xml",
            "-oJ",
            "s.json",
            "-oD",
            "s.ndjson",
            "-oG",
            "s.grep",
            "-oB",
            "s.bin",
            "--stats-json",
            "s.stats",
        ],
    );
    let err = stderr(&o);
    // The cost: 260 hosts x 2 canaries, beside 260 x 4 ports.
    has(&err, "[4 ports/host + 2 canary ports]");
    let stats = std::fs::read_to_string(lab.path("s.stats")).unwrap();
    let last: serde_json::Value = serde_json::from_str(stats.lines().last().unwrap()).unwrap();
    let sum = |side: &str, key: &str| -> u64 {
        (last[side].as_array().unwrap().iter())
            .map(|c| c[key].as_u64().unwrap())
            .sum()
    };
    assert_eq!(sum("tx", "canaries"), 260 * 2, "{err}");
    assert_eq!(sum("tx", "sent"), 260 * 6, "{err}");
    // Every reflector host answers both canaries; each receive core marks a host once.
    assert_eq!(sum("rx", "canary_answers"), 256 * 2, "{err}");
    let marks_counted = sum("rx", "canary_marks");
    assert!((256..=512).contains(&marks_counted), "{err}");
    has(&err, "hosts marked");
    // The whole scan's count, once per host whichever core marked it.
    has(
        &err,
        "\ncanaries: 256 hosts marked (a canary port answered)",
    );
    assert_eq!(last["canary_hosts"], 256, "{last}");

    let (open, marks) = read_list(&std::fs::read_to_string(lab.path("s.list")).unwrap());
    assert_eq!(marks.len(), 256, "every reflector host marked");
    for (ip, ports) in &marks {
        assert!(ip.starts_with("198.18.128."), "{ip} marked");
        assert_eq!(ports.len(), 1, "{ip} marked once: {ports:?}");
        assert!(ports[0] >= 49152, "{ip}: {ports:?}");
        // Its canary ports are never reported open; its 4 scanned ports are (kept).
        assert_eq!(open[ip], BTreeSet::from([21, 22, 80, 11211]), "{ip}");
    }
    for (ip, port) in REAL_OPEN {
        assert!(!marks.contains_key(ip), "{ip} marked");
        assert_eq!(open[ip], BTreeSet::from([port]), "{ip}");
    }
    assert_eq!(open.len(), 260);

    // One mark per host in every other format.
    assert_eq!(count(&lab, "s.xml", "<service name=\"canary\""), 256);
    assert_eq!(count(&lab, "s.grep", "Service: canary\t"), 256);
    assert_eq!(count(&lab, "s.ndjson", "\"service_name\":\"canary\""), 256);
    let py = Command::new("python3")
        .args([
            "-c",
            "import json,sys; d=json.load(open(sys.argv[1])); \
             print(sum(1 for r in d for p in r['ports'] \
             if p.get('service',{}).get('name')=='canary'))",
            lab.path("s.json").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        py.status.success(),
        "{}",
        String::from_utf8_lossy(&py.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&py.stdout).trim(), "256");

    // -oB round trip: the same marks; with drop, a marked host keeps only its mark.
    let back = lab.run(&["--readscan", "s.bin", "-oL", "back.list"]);
    ok(&back);
    let (back_open, back_marks) =
        read_list(&std::fs::read_to_string(lab.path("back.list")).unwrap());
    assert_eq!((back_open, back_marks), (open, marks.clone()));
    let dropped = lab.run(&[
        "--readscan",
        "s.bin",
        "--canary-results",
        "drop",
        "-oL",
        "drop.list",
    ]);
    ok(&dropped);
    let (d_open, d_marks) = read_list(&std::fs::read_to_string(lab.path("drop.list")).unwrap());
    assert_eq!(d_marks, marks);
    assert_eq!(
        d_open.keys().cloned().collect::<Vec<_>>(),
        REAL.map(String::from).to_vec(),
        "only the real servers' open ports are left"
    );
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn drop_leaves_out_what_comes_after_the_mark_and_zero_canaries_change_nothing() {
    let lab = Lab::up(MASSCAN);
    attach_reflector(&lab);
    scan(&lab, &["--canary-results", "drop", "-oL", "d.list"]);
    let (open, marks) = read_list(&std::fs::read_to_string(lab.path("d.list")).unwrap());
    assert_eq!(marks.len(), 256);
    for (ip, port) in REAL_OPEN {
        assert_eq!(open[ip], BTreeSet::from([port]), "{ip}");
    }
    // A streamed file cannot take back a port written before its host's mark: what is left of
    // the reflector's 1,024 open ports is what came first.
    let left: usize = (open.iter())
        .filter(|(ip, _)| ip.starts_with("198.18.128."))
        .map(|(_, p)| p.len())
        .sum();
    eprintln!("drop: {left} of 1024 reflector open ports were written before their host's mark");
    assert!(left < 1024, "drop dropped nothing");

    // --canaries 0 is the scan as it always was: no mark, no canary probe.
    let o = lab.run(&[
        TARGETS,
        "-p",
        PORTS,
        "--canaries",
        "0",
        "--rate",
        "20000",
        "--wait",
        "2",
        "--nostatus",
        "-oL",
        "z.list",
    ]);
    ok(&o);
    let err = stderr(&o);
    assert!(!err.contains("canar"), "{err}");
    let (open, marks) = read_list(&std::fs::read_to_string(lab.path("z.list")).unwrap());
    assert!(marks.is_empty());
    assert_eq!(open.len(), 260);
}

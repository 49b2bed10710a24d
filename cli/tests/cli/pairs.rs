//! Pair scans (`-iL` of `IP:PORT` lines): `-sL` lists exactly the pairs, once each across shards
//! and resume slices; an offline scan's frames go to exactly the pairs; bad lines and refused
//! combinations are one line with the file and line number; `--echo` round trips.

use super::compat::pcap_frames;
use super::list_scan::list;
use super::*;
use std::collections::BTreeSet;

/// A pairs file: IPv4 TCP, UDP and SCTP pairs, IPv6 pairs, comments, blank lines and
/// duplicates. Returns the file and the distinct pairs as `-sL` writes them.
fn pairs_file(dir: &Path) -> (std::path::PathBuf, BTreeSet<String>) {
    let mut text = String::from("# address and port pairs\n\n");
    let mut want = BTreeSet::new();
    for i in 0..500u32 {
        let port = match i % 4 {
            0 => format!("U:{}", 53 + i % 3),
            1 => format!("S:{}", 9 + i % 2),
            _ => format!("{}", 80 + i % 5),
        };
        let p = format!("10.{}.{}.{}:{port}", i % 3, i >> 8, i & 0xff);
        text.push_str(&format!("{p}  # pair {i}\n"));
        if i % 7 == 0 {
            text.push_str(&format!("{p}\n")); // a duplicate, folded
        }
        want.insert(p);
    }
    for i in 0..40u32 {
        let p = format!("[2001:db8::{:x}]:{}", i + 1, 443 + i % 2);
        text.push_str(&format!("{p},{p}\n"));
        want.insert(p);
    }
    let path = dir.join("pairs.txt");
    std::fs::write(&path, text).unwrap();
    (path, want)
}

#[test]
fn list_scan_lists_each_pair_once_across_shards_and_resume_slices() {
    let dir = tempfile::tempdir().unwrap();
    let (file, want) = pairs_file(dir.path());
    let f = file.to_str().unwrap();
    let whole = list(&["-iL", f, "-sL", "--seed", "3"]);
    assert_eq!(whole.len(), want.len(), "each pair once, duplicates folded");
    assert_eq!(whole.iter().cloned().collect::<BTreeSet<_>>(), want);
    // A keyed random order: another seed gives another order of the same pairs.
    let other = list(&["-iL", f, "-sL", "--seed", "4"]);
    assert_ne!(other, whole);
    assert_eq!(other.iter().cloned().collect::<BTreeSet<_>>(), want);
    for order in ["blackrock", "feistel"] {
        let mut union = Vec::new();
        for shard in ["1/3", "2/3", "3/3"] {
            let mut cut = |from: &str, count: Option<&str>| {
                let mut a = vec!["-iL", f, "-sL", "--seed", "3", "--shards", shard];
                a.extend(["--permutation", order, "--resume-index", from]);
                if let Some(c) = count {
                    a.extend(["--resume-count", c]);
                }
                union.extend(list(&a));
            };
            // Each shard in two pieces, cut at a resume point.
            cut("0", Some("61"));
            cut("61", None);
        }
        assert_eq!(union.len(), want.len(), "{order}");
        assert_eq!(union.into_iter().collect::<BTreeSet<_>>(), want, "{order}");
    }
}

/// (IP protocol, destination address, destination port) of each probe frame.
fn destinations(frames: &[Vec<u8>]) -> Vec<String> {
    frames
        .iter()
        .map(|f| match [f[12], f[13]] {
            [0x08, 0x00] => {
                let ihl = usize::from(f[14] & 0x0f) * 4;
                let dst = std::net::Ipv4Addr::new(f[30], f[31], f[32], f[33]);
                let port = u16::from_be_bytes([f[14 + ihl + 2], f[14 + ihl + 3]]);
                format!("{} {dst}:{port}", f[23])
            }
            [0x86, 0xdd] => {
                let dst: [u8; 16] = f[38..54].try_into().unwrap();
                let port = u16::from_be_bytes([f[56], f[57]]);
                format!("{} [{}]:{port}", f[20], std::net::Ipv6Addr::from(dst))
            }
            t => panic!("ethertype {t:?}"),
        })
        .collect()
}

#[test]
fn offline_frames_go_to_exactly_the_pairs() {
    let dir = tempfile::tempdir().unwrap();
    let list = "10.0.0.1:80\n10.0.0.1:443\n10.0.0.2:U:53\n10.0.0.3:S:9\n\
                [2001:db8::5]:22\n[2001:db8::5]:U:161\n10.0.0.1:80\n";
    std::fs::write(dir.path().join("p.txt"), list).unwrap();
    let o = masscan_in(
        dir.path(),
        &[
            "--offline",
            "-iL",
            "p.txt",
            "--adapter-ip",
            "10.0.0.9",
            "--router-mac",
            "02:00:00:00:00:01",
            "--router-mac-ipv6",
            "02:00:00:00:00:06",
            "--pcap-sent",
            "sent.pcap",
            "--retries",
            "1",
            "--wait",
            "0",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let mut got = destinations(&pcap_frames(&dir.path().join("sent.pcap")));
    got.sort();
    let mut want: Vec<String> = [
        "6 10.0.0.1:80",
        "6 10.0.0.1:443",
        "17 10.0.0.2:53",
        "132 10.0.0.3:9",
        "6 [2001:db8::5]:22",
        "17 [2001:db8::5]:161",
    ]
    .iter()
    .flat_map(|d| [d.to_string(), d.to_string()]) // --retries 1: two probes each
    .collect();
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn bad_pair_lines_and_refused_combinations_are_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, "10.0.0.1:80\n# fine\n10.0.0.2:U:53\n10.0.0.3:70000\n").unwrap();
    let b = bad.to_str().unwrap();
    assert_one_line_error(
        &["-iL", b, "-sL"],
        &format!("{b}:4: bad target '10.0.0.3:70000': '70000' is not a port number"),
    );
    std::fs::write(&bad, "10.0.0.1:80\n10.0.0.0/24:80\n").unwrap();
    assert_one_line_error(&["-iL", b, "-sL"], ":2: bad target '10.0.0.0/24:80'");
    std::fs::write(&bad, "[2001:db8::1]:80\n[2001:db8::2]\n").unwrap();
    assert_one_line_error(&["-iL", b, "--offline"], ":2: bad target '[2001:db8::2]'");
    assert_one_line_error(
        &["--range", "10.0.0.1:80", "-p", "443", "-sL"],
        "-p, --top-ports, --ping, --arp and --exclude-ports do not apply to IP:PORT targets",
    );
    assert_one_line_error(
        &["10.0.0.1:80", "--top-ports", "10", "--offline"],
        "do not apply to IP:PORT targets",
    );
    assert_one_line_error(
        &["10.0.0.1:80", "10.0.0.0/24", "-sL"],
        "targets with ports (IP:PORT) cannot be mixed with plain targets (10.0.0.0/24)",
    );
    assert_one_line_error(
        &["10.0.0.0/24", "-p80", "--exclude", "10.0.0.2:80", "-sL"],
        "exclude '10.0.0.2:80' names one port of one address, which only a scan of IP:PORT \
         pairs can leave out",
    );
}

#[test]
fn excludes_remove_pairs_by_address_and_echo_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.txt"),
        "10.0.0.1:80\n10.0.0.2:80\n10.0.0.2:U:53\n[2001:db8::1]:S:7\n",
    )
    .unwrap();
    let args = ["-iL", "p.txt", "--exclude", "10.0.0.1", "--seed", "5"];
    let o = masscan_in(dir.path(), &[&args[..], &["--echo"]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let conf = stdout(&o);
    assert!(
        conf.ends_with(
            "range = 10.0.0.2:80\nrange = 10.0.0.2:U:53\nrange = [2001:db8::1]:S:7\n\
             exclude = 10.0.0.1\n"
        ),
        "{conf}"
    );
    assert!(!conf.contains("ports ="), "a pair scan has no -p: {conf}");
    std::fs::write(dir.path().join("c.conf"), &conf).unwrap();
    let listed = |a: &[&str]| {
        let o = masscan_in(dir.path(), a);
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o)
    };
    let direct = listed(&[&args[..], &["-sL"]].concat());
    assert_eq!(direct.lines().count(), 3);
    assert_eq!(listed(&["-c", "c.conf", "-sL"]), direct);

    // Pairs excluded as pairs, on the command line and from a file: exactly those go, and the
    // echo lists what is left (no exclude line is needed to scan the same pairs again).
    std::fs::write(dir.path().join("ex.txt"), "# pairs\n[2001:db8::1]:S:7\n").unwrap();
    let args = [
        "-iL",
        "p.txt",
        "--exclude",
        "10.0.0.2:U:53",
        "--excludefile",
        "ex.txt",
    ];
    let o = masscan_in(dir.path(), &[&args[..], &["--echo"]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let conf = stdout(&o);
    assert!(
        conf.ends_with("range = 10.0.0.1:80\nrange = 10.0.0.2:80\n"),
        "{conf}"
    );
    let direct = listed(&[&args[..], &["-sL"]].concat());
    assert_eq!(direct.lines().count(), 2, "{direct}");
    assert!(
        !direct.contains("10.0.0.2:U:53") && !direct.contains("2001"),
        "{direct}"
    );
}

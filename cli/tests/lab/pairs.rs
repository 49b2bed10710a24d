//! Pair scans in the lab (`-iL` of `IP:PORT` lines): the scan finds exactly the open pairs of
//! the list (TCP over IPv4 and IPv6, UDP) and nothing of the ports the list does not pair with
//! an address, and a pair scan paused with ctrl-c resumes to the same result.
//! Each test brings up its own lab (unique names, taken down even on failure); they need root:
//! `./scripts/test.sh` runs them.

use crate::common::*;
use masscan_test_support::*;
use std::collections::BTreeSet;
use std::time::Duration;

/// (state, protocol, port, address) of each `-oL` port line (UDP replies' banner lines left out).
fn pairs_found(path: &std::path::Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.ends_with("# end\n"), "not closed: {text}");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("banner "))
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            assert_eq!(f.len(), 5, "bad list line {l:?}");
            format!("{} {} {} {}", f[0], f[1], f[2], f[3])
        })
        .collect()
}

/// The lab's pair list and the open pairs in it. Open: the service hosts' ports, 8080 on
/// `blocks` addresses of 198.19.0.0/16, OpenSSH on IPv6, unbound over UDP. Listed but closed:
/// the same hosts' other ports, 8081 on 1,000 addresses. Ports open on a listed address but
/// not paired with it (8080 on the service hosts) must not be found.
fn lab_pairs(lab: &Lab, blocks: u32) -> BTreeSet<String> {
    let mut text = String::from("# the lab's open and closed pairs\n");
    let mut open = BTreeSet::new();
    // The service hosts' open ports, but 8080 (open on every address), left unpaired.
    for (_, port, ip) in services_open().into_iter().filter(|(_, p, _)| *p != 8080) {
        text.push_str(&format!("{ip}:{port}\n"));
        open.insert(format!("open tcp {port} {ip}"));
    }
    for closed in ["198.18.1.1:22", "198.18.1.2:80", "198.18.1.3:443"] {
        text.push_str(&format!("{closed}\n"));
    }
    for i in 0..blocks {
        let ip = format!("198.19.{}.{}", i >> 8, i & 0xff);
        text.push_str(&format!("{ip}:8080\n"));
        open.insert(format!("open tcp 8080 {ip}"));
    }
    for i in 0..1000u32 {
        text.push_str(&format!("198.19.{}.{}:8081\n", 100 + (i >> 8), i & 0xff));
    }
    text.push_str("[2001:2:0:1::2]:22\n[2001:2:0:1::1]:23\n198.18.1.13:U:53\n");
    open.insert("open tcp 22 2001:2:0:1::2".to_string());
    open.insert("open udp 53 198.18.1.13".to_string());
    std::fs::write(lab.path("pairs.txt"), text).unwrap();
    open
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn a_pair_scan_finds_exactly_the_open_pairs_on_both_backends() {
    let lab = Lab::up(MASSCAN);
    let open = lab_pairs(&lab, 2000);
    for driver in ["afxdp", "afpacket"] {
        let o = lab.run(&[
            "-iL",
            "pairs.txt",
            "--driver",
            driver,
            "--rate",
            "20000",
            "--wait",
            "2",
            "--nostatus",
            "-oL",
            "found.txt",
        ]);
        ok(&o);
        assert_eq!(pairs_found(&lab.path("found.txt")), open, "{driver}");
        let text = std::fs::read_to_string(lab.path("found.txt")).unwrap();
        assert!(text.contains(" dns-ver masscan-rs lab unbound"), "{text}");
    }
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn a_paused_pair_scan_resumes_to_every_open_pair() {
    let lab = Lab::up(MASSCAN);
    let open = lab_pairs(&lab, 8000);
    let mut child = lab
        .masscan()
        .args(["-iL", "pairs.txt", "--rate", "3000", "--wait", "1"])
        .args(["--nostatus", "-oL", "found.txt"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    wait_until_sending(&lab, &mut child);
    std::thread::sleep(Duration::from_millis(1000));
    send_signal(child.id(), "INT");
    let o = child.wait_with_output().unwrap();
    ok(&o);
    assert!(stderr(&o).contains("saving resume file to: paused.conf"));
    let first = pairs_found(&lab.path("found.txt"));
    assert!(
        !first.is_empty() && first.len() < open.len(),
        "{}",
        first.len()
    );
    let o = lab.run(&["--resume", "paused.conf", "--rate", "50000", "--nostatus"]);
    ok(&o);
    let second = pairs_found(&lab.path("found.txt"));
    let all: BTreeSet<String> = first.union(&second).cloned().collect();
    assert_eq!(all, open, "paused then resumed");
}

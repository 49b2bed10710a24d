//! Floods in the lab: the XDP reflector of `bench/` answers every SYN to an unowned /17 with a
//! SYN-ACK at the sender's rate, and `--retries 2` makes two of every three replies duplicates;
//! ICMP port unreachable floods back from a UDP scan of the 65,536-address block. The scanner's
//! resident memory stays under a fixed bound (the de-duplication table and the rings are
//! fixed-size), the scan ends on time, and every reply is either reported or counted (by the
//! scanner, or by the kernel where the lab's veth lost it). Needs root, clang and the lab:
//! `./scripts/test.sh` runs it.

use crate::common::*;
use masscan_test_support::*;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// The bound on the scanner's peak resident memory during a flood (AF_XDP's UMEM is 24 MiB,
/// the de-duplication table 16 MiB at this rate; measured peak 63 MiB, see
/// docs/architecture.md).
const PEAK_RSS_LIMIT_KIB: u64 = 160 * 1024;

/// Runs `args` in the lab, sampling the process's peak resident set (VmHWM) until it exits.
fn run_sampling_memory(lab: &Lab, args: &[&str]) -> (std::process::Output, u64, Duration) {
    let start = Instant::now();
    let child = lab
        .masscan()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = format!("/proc/{}/status", child.id());
    let sampler = std::thread::spawn(move || {
        let mut peak = 0u64;
        while let Ok(s) = std::fs::read_to_string(&status) {
            if s.contains("State:\tZ") {
                break;
            }
            if let Some(kib) = s
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok())
            {
                peak = peak.max(kib);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        peak
    });
    let out = child.wait_with_output().unwrap();
    (out, sampler.join().unwrap(), start.elapsed())
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn floods_of_valid_replies_and_duplicates_stay_bounded_and_nothing_is_lost_uncounted() {
    let lab = Lab::up(MASSCAN);
    attach_reflector(&lab);

    // 32,768 addresses x 16 ports, each probed 3 times: 1,572,864 SYN-ACKs, 1,048,576 of
    // them duplicates; plus a UDP scan of the 65,536-address block, each answered by ICMP.
    let unique = 32_768u64 * 16;
    let (o, peak_kib, took) = run_sampling_memory(
        &lab,
        &[
            "198.18.128.0/17",
            "-p1-16",
            "--retries",
            "2",
            "--rate",
            "300000",
            "--driver",
            "afxdp",
            "--wait",
            "1",
            "--nostatus",
            "-oB",
            "flood.bin",
        ],
    );
    ok(&o);
    let err = stderr(&o);
    let open = rx_counter(&err, 0, "open");
    let drops = rx_counter(&err, 0, "kernel drops");
    let dups = rx_counter(&err, 0, "duplicates");
    // Every distinct reply is reported, or the drop that lost it is counted.
    assert!(
        open + drops >= unique,
        "{open} open + {drops} drops < {unique}: {err}"
    );
    assert!(dups > 0, "no duplicate came back: {err}");
    // The de-duplication table is sized for the rate and retries, two candidate buckets per
    // result: repeats are reported once (one candidate bucket let 0.1% through).
    assert!(
        open <= unique + unique / 10_000,
        "{open} reported for {unique} open ports: {err}"
    );
    let back = lab.run(&["--readscan", "flood.bin", "-oL", "flood.txt"]);
    ok(&back);
    let listed = std::fs::read_to_string(lab.path("flood.txt"))
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("open "))
        .count() as u64;
    assert_eq!(listed, open, "every open port reported is in the file");
    // 1.57M probes at 300 kpps is about 5.2 s, then --wait 1.
    assert!(
        took < Duration::from_secs(30),
        "the flood slowed the scan: {took:?}"
    );
    assert!(
        peak_kib < PEAK_RSS_LIMIT_KIB,
        "peak resident memory {peak_kib} KiB over {PEAK_RSS_LIMIT_KIB} KiB"
    );
    eprintln!("flood: {open} open, {dups} duplicates, {drops} kernel drops, peak RSS {peak_kib} KiB, {took:?}");

    let link_before = lab.link_drops();
    let unreach_before = target_icmp(&lab, "OutDestUnreachs");
    let (o, peak_udp, took) = run_sampling_memory(
        &lab,
        &[
            "198.19.0.0/16",
            "-pU:9",
            "--rate",
            "200000",
            "--wait",
            "1",
            "--nostatus",
            "--show",
            "closed",
            "-oL",
            "udp-flood.txt",
        ],
    );
    ok(&o);
    let err = stderr(&o);
    let closed = rx_counter(&err, 0, "closed");
    let drops = rx_counter(&err, 0, "kernel drops");
    // The ICMP replies come from the target's kernel through a veth whose XDP ring holds 256
    // frames: on a loaded machine a few hundred can overflow it, which the scanner's AF_XDP
    // counters cannot see, but the kernel counts. Every unreachable the target sent (its own
    // count) is reported, counted by the scanner, or counted lost by the link.
    let link = lab.link_drops() - link_before;
    let sent_back = target_icmp(&lab, "OutDestUnreachs") - unreach_before;
    assert!(
        closed + drops + link >= sent_back,
        "{sent_back} unreachables sent, {closed} closed + {drops} drops + {link} dropped by the link: {err}"
    );
    assert!(
        sent_back + link >= 65_536,
        "{sent_back} unreachables sent for 65,536 probes, {link} dropped by the link"
    );
    assert!(
        peak_udp < PEAK_RSS_LIMIT_KIB,
        "UDP flood peak {peak_udp} KiB"
    );
    assert!(took < Duration::from_secs(30), "{took:?}");
    eprintln!("udp flood: {sent_back} unreachables sent, {closed} closed from ICMP, {drops} kernel drops, {link} link drops, peak RSS {peak_udp} KiB, {took:?}");
}

/// The target namespace's ICMP counter `name` (from its `/proc/net/snmp`).
fn target_icmp(lab: &Lab, name: &str) -> u64 {
    let o = std::process::Command::new("ip")
        .args(["netns", "exec", &lab.target_ns, "cat", "/proc/net/snmp"])
        .output()
        .unwrap();
    let snmp = String::from_utf8_lossy(&o.stdout);
    let mut rows = snmp.lines().filter(|l| l.starts_with("Icmp: "));
    let (names, values) = (rows.next().unwrap(), rows.next().unwrap());
    let at = names.split_whitespace().position(|n| n == name).unwrap();
    values.split_whitespace().nth(at).unwrap().parse().unwrap()
}

//! The original's options that change the wire (issue 26), checked on the wire: the SYN's TCP
//! options (`--tcp-mss`, `--tcp-wscale`, `--tcp-tsecho`, `--tcp-sackok`) as tcpdump decodes
//! them, with the port still found and a banner still grabbed through a scaled window;
//! `--data-length` and `--min-packet`; `--badsum` (the target's kernel drops every probe); and
//! `--noreset` (no RST answers the SYN-ACKs).

use crate::common::*;
use masscan_test_support::*;
use std::path::Path;
use std::process::Command;

/// tcpdump's verbose decoding of a pcap file, one line per packet.
fn decode(path: &Path) -> String {
    let o = Command::new("tcpdump")
        .args(["-nvv", "-r"])
        .arg(path)
        .output()
        .expect("tcpdump (scripts/setup.sh installs it)");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The decoded SYNs to 198.18.1.1.80 (a frame's header line and the TCP line after it).
fn syns(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut v = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if l.contains("> 198.18.1.1.80:") && l.contains("Flags [S]") {
            v.push(format!(
                "{} {}",
                lines.get(i.wrapping_sub(1)).unwrap_or(&""),
                l
            ));
        }
    }
    v
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn syn_options_reach_the_wire_and_the_banner_stack_honours_the_window_scale() {
    let lab = Lab::up(MASSCAN);
    let o = lab.run(&[
        "198.18.1.1",
        "-p80",
        "--tcp-mss",
        "1200",
        "--tcp-wscale",
        "7",
        "--tcp-tsecho",
        "99",
        "--tcp-sackok",
        "--banners",
        "--rate",
        "100",
        "--wait",
        "3",
        "--nostatus",
        "--pcap-sent",
        "sent.pcap",
        "--pcap",
        "recv.pcap",
    ]);
    ok(&o);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("Discovered open port 80/tcp on 198.18.1.1"),
        "the cookie still matches: {out}"
    );
    assert!(
        out.contains("Banner on port 80/tcp on 198.18.1.1: [http]"),
        "{out}"
    );
    let sent = decode(&lab.path("sent.pcap"));
    let syn = syns(&sent);
    assert_eq!(syn.len(), 1, "{sent}");
    assert!(
        syn[0].contains("options [mss 1200,sackOK,nop,wscale 7,nop,nop,TS val 99 ecr 0"),
        "{}",
        syn[0]
    );
    // The server scaled too (its SYN-ACK has a window scale and echoes our TSval)...
    let recv = decode(&lab.path("recv.pcap"));
    let syn_ack = recv
        .lines()
        .find(|l| l.contains("198.18.1.1.80 >") && l.contains("Flags [S.]"))
        .unwrap_or_else(|| panic!("no SYN-ACK: {recv}"));
    assert!(syn_ack.contains("wscale"), "{syn_ack}");
    assert!(syn_ack.contains("ecr 99"), "{syn_ack}");
    // ... so every segment of ours after the SYN advertises 16384 >> 7 = 128.
    let ours: Vec<&str> = sent
        .lines()
        .filter(|l| l.contains("> 198.18.1.1.80:") && !l.contains("Flags [S]"))
        .filter(|l| !l.contains("Flags [R"))
        .collect();
    assert!(!ours.is_empty(), "{sent}");
    for l in ours {
        assert!(l.contains("win 128,") || l.contains("win 128 "), "{l}");
    }
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn data_length_min_packet_badsum_and_noreset_change_the_wire_as_asked() {
    let lab = Lab::up(MASSCAN);
    let scan = |extra: &[&str], name: &str| {
        let mut args = vec![
            "198.18.1.1",
            "-p80",
            "--rate",
            "100",
            "--wait",
            "1",
            "--nostatus",
            "--pcap-sent",
            name,
        ];
        args.extend_from_slice(extra);
        let o = lab.run(&args);
        ok(&o);
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        (out, decode(&lab.path(name)))
    };
    // Padding and data: the SYN carries 20 bytes of data in a 120-byte frame; still answered.
    let (out, sent) = scan(&["--data-length", "20", "--min-packet", "120"], "pad.pcap");
    assert!(out.contains("Discovered open port 80/tcp"), "{out}");
    let syn = syns(&sent);
    assert_eq!(syn.len(), 1, "{sent}");
    assert!(syn[0].contains(", length 20"), "{}", syn[0]);
    let o = Command::new("tcpdump")
        .args(["-nr"])
        .arg(lab.path("pad.pcap"))
        .args(["-e", "tcp[tcpflags] == tcp-syn"])
        .output()
        .unwrap();
    let frames = String::from_utf8_lossy(&o.stdout);
    assert!(frames.contains("length 120:"), "{frames}");
    // Bad checksums: tcpdump says so, and the target's kernel drops the SYN (nothing found).
    let (out, sent) = scan(&["--badsum"], "bad.pcap");
    let syn = syns(&sent);
    assert_eq!(syn.len(), 1, "{sent}");
    assert!(syn[0].contains("(incorrect ->"), "{}", syn[0]);
    assert!(!out.contains("Discovered"), "a bad SYN was answered: {out}");
    // --noreset: the SYN-ACKs found are not answered with our RST.
    let args = |extra: &'static str| {
        let mut v = vec![
            "198.18.1.1-198.18.1.5",
            "-p",
            SERVICE_PORTS,
            "--rate",
            "1000",
            "--wait",
            "1",
            "--nostatus",
            "--driver",
            "afxdp",
        ];
        if !extra.is_empty() {
            v.push(extra);
        }
        v
    };
    let (ours, _) = rsts_seen_by_target(&lab, &args(""));
    assert!(
        ours >= services_open().len(),
        "our RSTs without --noreset: {ours}"
    );
    let (ours, _) = rsts_seen_by_target(&lab, &args("--noreset"));
    assert_eq!(ours, 0, "RSTs sent with --noreset");
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn rawudp_reports_the_raw_reply_beside_the_parsed_one() {
    let lab = Lab::up(MASSCAN);
    let banners = |extra: &str| {
        let mut args = vec![
            "198.18.1.13",
            "-pU:53",
            "--rate",
            "100",
            "--wait",
            "2",
            "--nostatus",
        ];
        if !extra.is_empty() {
            args.push(extra);
        }
        let o = lab.run(&args);
        ok(&o);
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        let lines: Vec<String> = out
            .lines()
            .filter(|l| l.starts_with("Banner on port 53/udp on 198.18.1.13"))
            .map(str::to_string)
            .collect();
        (lines, out)
    };
    let (plain, out) = banners("");
    assert_eq!(plain.len(), 1, "{out}");
    let (raw, out) = banners("--rawudp");
    assert_eq!(raw.len(), 2, "{out}");
    assert!(raw.contains(&plain[0]), "{out}");
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn debug_if_shows_the_interface_a_scan_would_use() {
    let lab = Lab::up(MASSCAN);
    let o = lab.run(&["--debug", "if"]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        out.contains(&format!("[+] if = {}\n", lab.scan_if)),
        "{out}"
    );
    assert!(out.contains("[+] source-ipv4 = 198.18.0.2\n"), "{out}");
    assert!(out.contains("[+] router-ipv4 = 198.18.0.1 "), "{out}");
    assert!(out.contains("[+] source-mac = "), "{out}");
}

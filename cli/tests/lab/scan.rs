//! Live scans in the lab: every open port found run after run, AF_PACKET's fanout, the 65,536-address block, a spoofed source address, IPv6 with the router found by neighbour discovery, hosts on the scanner's own subnet and IPv6 prefix, --packet-trace, and faults given as one clear line.
//! Each test brings up its own lab (unique names, taken down even on failure); they are
//! ignored unless asked for, because they need root: `./scripts/test.sh` runs them.

use crate::common::*;
use masscan_test_support::*;
use std::collections::BTreeSet;
use std::process::Output;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn finds_exactly_the_open_ports_run_after_run() {
    let lab = Lab::up(MASSCAN);
    let expect = services_open();
    for seed in ["1", "2", "3"] {
        let o = scan_services(&lab, &["--seed", seed, "-oL", "services.txt"]);
        ok(&o);
        assert_eq!(list_file(&lab.path("services.txt")), expect, "seed {seed}");
    }
    // Console lines, as the original prints them, and --show closed adds every RST.
    let o = lab.run(&[
        "198.18.1.1-198.18.1.5",
        "-p",
        SERVICE_PORTS,
        "--rate",
        "2000",
        "--wait",
        "1",
        "--show",
        "closed",
    ]);
    ok(&o);
    let out = String::from_utf8_lossy(&o.stdout);
    let lines: BTreeSet<String> = out.lines().map(|l| l.trim_end().to_string()).collect();
    assert!(
        lines.contains("Discovered open port 80/tcp on 198.18.1.1"),
        "{out}"
    );
    assert!(
        lines.contains("Discovered closed port 443/tcp on 198.18.1.2"),
        "{out}"
    );
    assert_eq!(out.lines().count(), 5 * 7, "{out}");
    assert!(
        out.lines().all(|l| l.len() == 79),
        "console lines are padded to 79 columns"
    );
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn af_packet_spreads_replies_over_several_receive_threads() {
    let lab = Lab::up(MASSCAN);
    let o = lab.run(&[
        "198.19.0.0/20",
        "-p80,8080",
        "--driver",
        "afpacket",
        "--tx-threads",
        "1",
        "--rx-threads",
        "2",
        "--rate",
        "20000",
        "--wait",
        "1",
        "--nostatus",
        "-oL",
        "rx2.txt",
    ]);
    ok(&o);
    assert_eq!(list_file(&lab.path("rx2.txt")).len(), 4096);
    let err = stderr(&o);
    for k in 0..2 {
        let line = rx_core_counts(&err, k);
        let open = rx_counter(&err, k, "open");
        assert!(open > 0, "rx-core {k} found nothing: {line}");
        // A few frames of the target's ARP and IPv6 housekeeping are not ours; our own RSTs
        // (one per open port) must not come back through the fanout group.
        let not_ours = rx_counter(&err, k, "not ours");
        assert!(
            not_ours < 100,
            "outgoing frames leaked into the fanout: {line}"
        );
    }
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn scans_the_65536_address_block_at_100kpps_and_finds_every_open_port() {
    let lab = Lab::up(MASSCAN);
    let o = lab.run(&[
        "198.19.0.0/16",
        "-p22,80,8080",
        "--rate",
        "150000",
        "--wait",
        "2",
        "--nostatus",
        "-oL",
        "block.txt",
    ]);
    ok(&o);
    let found = list_file(&lab.path("block.txt"));
    assert_eq!(found.len(), 65536, "every address has 8080 open");
    assert!(found.iter().all(|(s, p, _)| s == "open" && *p == 8080));
    // The transmit core's own rate (the summary line of tx-core 0).
    let err = stderr(&o);
    let pps: f64 = err
        .lines()
        .find(|l| l.starts_with("tx-core 0"))
        .and_then(|l| l.split(" = ").nth(1))
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no tx-core line: {err}"));
    eprintln!("block scan: {pps} pps");
    assert!(pps >= 100_000.0, "only {pps} pps: {err}");
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn spoofed_source_address_gets_replies_through_our_arp_answers() {
    let lab = Lab::up(MASSCAN);
    // The target side has never heard of 198.18.0.77: only our ARP answer brings replies back.
    let _ = Command::new("ip")
        .args(["-n", &lab.target_ns, "neigh", "flush", "all"])
        .status();
    let o = lab.run(&[
        "198.18.1.1-198.18.1.5",
        "-p",
        SERVICE_PORTS,
        "--adapter-ip",
        "198.18.0.77",
        "--router-mac",
        &lab.router_mac(),
        "--rate",
        "2000",
        "--wait",
        "1",
        "-oL",
        "spoofed.txt",
        "--pcap",
        "replies.pcap",
    ]);
    ok(&o);
    assert_eq!(list_file(&lab.path("spoofed.txt")), services_open());
    let err = stderr(&o);
    assert!(!err.contains(" 0 arp answered"), "{err}");
    // The pcap file holds the replies, readable by tcpdump.
    let dump = Command::new("tcpdump")
        .args(["-nr", lab.path("replies.pcap").to_str().unwrap()])
        .output()
        .expect("tcpdump (scripts/setup.sh installs it)");
    let text = String::from_utf8_lossy(&dump.stdout);
    assert!(
        dump.status.success(),
        "{}",
        String::from_utf8_lossy(&dump.stderr)
    );
    assert!(text.contains("198.18.1.1.80 > 198.18.0.77."), "{text}");
    assert!(text.contains("ARP, Request who-has 198.18.0.77"), "{text}");
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn scans_ipv6_with_the_router_found_by_neighbour_discovery() {
    let lab = Lab::up(MASSCAN);
    let o = lab.run(&[
        "2001:2:0:1::1-2001:2:0:1::5",
        "-p22,80,443,8080",
        "--rate",
        "2000",
        "--wait",
        "1",
        "-v",
        "-oL",
        "v6.txt",
    ]);
    ok(&o);
    assert!(
        stderr(&o).contains("[router] 2001:2::1 is at "),
        "{}",
        stderr(&o)
    );
    let mut want: BTreeSet<_> = (1..=5)
        .map(|h| ("open".to_string(), 8080u16, format!("2001:2:0:1::{h}")))
        .collect();
    want.insert(("open".into(), 80, "2001:2:0:1::1".into()));
    want.insert(("open".into(), 22, "2001:2:0:1::2".into()));
    assert_eq!(list_file(&lab.path("v6.txt")), want);
    // Both families in one scan: the IPv6 block and the IPv4 block, every open port found.
    let o = lab.run(&[
        "2001:2:1::/112",
        "198.19.0.0/16",
        "-p8080",
        "--rate",
        "100000",
        "--wait",
        "2",
        "--nostatus",
        "-oL",
        "both.txt",
    ]);
    ok(&o);
    let found = list_file(&lab.path("both.txt"));
    assert_eq!(found.len(), 2 * 65536);
    assert_eq!(
        found.iter().filter(|(_, _, ip)| ip.contains(':')).count(),
        65536
    );
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn reaches_hosts_on_its_own_subnet_by_their_own_mac() {
    let lab = Lab::up(MASSCAN);
    // 198.18.0.3 sits on the scanner's segment behind the target namespace's bridge; the router
    // (198.18.0.1) does not forward, so a probe sent to the router's MAC never reaches it. The
    // SCTP host 198.18.0.4 is on the segment too (its 8080 is closed).
    let o = lab.run(&[
        "198.18.0.0/24",
        "-p8080",
        "--rate",
        "1000",
        "--wait",
        "1",
        "-v",
        "-oL",
        "local.txt",
    ]);
    ok(&o);
    let found = list_file(&lab.path("local.txt"));
    let want: BTreeSet<_> = ["198.18.0.1", "198.18.0.3"]
        .iter()
        .map(|ip| ("open".to_string(), 8080u16, ip.to_string()))
        .collect();
    assert_eq!(found, want, "{}", stderr(&o));
    assert!(stderr(&o).contains("[neighbours] 3 of 255 targets on the local subnet"));
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn reaches_ipv6_hosts_on_its_own_prefix_by_their_own_mac() {
    let lab = Lab::up(MASSCAN);
    // 2001:2::3 sits on the scanner's segment; the router (2001:2::1) does not forward, so a
    // probe sent to the router's MAC never reaches it: it is found only if neighbour
    // solicitation gave its own MAC (the original sends it to the router and misses it). The
    // SCTP host 2001:2::4 is on the segment too (its 8080 is closed): 3 neighbours answer.
    for driver in ["afxdp", "afpacket"] {
        let o = lab.run(&[
            "2001:2::/120",
            "-p8080",
            "--driver",
            driver,
            "--rate",
            "1000",
            "--wait",
            "1",
            "-v",
            "-oL",
            "local6.txt",
        ]);
        ok(&o);
        let found = list_file(&lab.path("local6.txt"));
        let want: BTreeSet<_> = ["2001:2::1", "2001:2::3"]
            .iter()
            .map(|ip| ("open".to_string(), 8080u16, ip.to_string()))
            .collect();
        assert_eq!(found, want, "{driver}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(
                "[neighbours] 3 of 255 IPv6 targets on the local prefix answered neighbour solicitation"
            ),
            "{driver}: {}",
            stderr(&o)
        );
    }
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn packet_trace_prints_every_packet() {
    let lab = Lab::up(MASSCAN);
    let o = lab.run(&[
        "198.18.1.1",
        "-p80,81",
        "--rate",
        "100",
        "--wait",
        "1",
        "--packet-trace",
        "--nostatus",
    ]);
    ok(&o);
    // On stdout, in the original's form, beside the console lines.
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let sent = out.lines().filter(|l| l.starts_with("SENT (")).count();
    // (ARP traffic of the target's kernel may be received too: count the replies to our SYNs.)
    let rcvd = out
        .lines()
        .filter(|l| l.starts_with("RCVD (") && l.contains(" TCP  [198.18.1.1]:"))
        .count();
    // Two SYNs and the RST answering the SYN-ACK; the SYN-ACK and the RST-ACK back.
    assert_eq!((sent, rcvd), (3, 2), "{out}");
    assert!(out.contains("> [198.18.1.1]:80       SYN\n"), "{out}");
    assert!(
        out.contains(" TCP  [198.18.1.1]:80       > [198.18.0.2]:"),
        "{out}"
    );
    assert!(
        out.contains(" SYN-ACK\n") && out.contains(" RST-ACK\n"),
        "{out}"
    );
    assert!(
        out.contains("Discovered open port 80/tcp on 198.18.1.1"),
        "{out}"
    );
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn faults_give_one_clear_line() {
    let lab = Lab::up(MASSCAN);
    let one_line = |o: &Output, want: &str| {
        let err = stderr(o);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(want), "{err:?} lacks {want:?}");
    };
    // An unknown interface lists the ones that exist.
    let o = lab.run(&["198.18.1.1", "-p80", "-e", "eth9"]);
    one_line(&o, "no interface named 'eth9' (interfaces: ms");
    // A router that never answers ARP.
    let t = Instant::now();
    let o = lab.run(&["198.18.1.1", "-p80", "--router-ip", "198.18.0.99"]);
    one_line(&o, "router 198.18.0.99 on ms");
    assert!(stderr(&o).contains("did not answer ARP"));
    assert!(t.elapsed() < Duration::from_secs(15));
    // No default route (the target namespace has none).
    let o = Command::new("ip")
        .args(["netns", "exec", &lab.target_ns, MASSCAN])
        .args(["198.18.0.2", "-p80"])
        .env("MASSCAN_DEFAULT_CONF", "")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    one_line(&o, "no default route: pass the interface with -e");
    // Missing privileges name the capability.
    let o = Command::new("ip")
        .args([
            "netns",
            "exec",
            &lab.scan_ns,
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
        ])
        .args(["--clear-groups", "--inh-caps=-all", MASSCAN])
        .args(["198.18.1.1", "-p80"])
        .env("MASSCAN_DEFAULT_CONF", "")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    one_line(&o, "CAP_NET_RAW");
}

/// `(status, proto, ip)` of every line of a `-oL` file of a ping sweep.
fn pinged(lab: &Lab, file: &str) -> BTreeSet<(String, String, String)> {
    let text = std::fs::read_to_string(lab.path(file)).unwrap();
    assert!(text.ends_with("# end\n"), "not closed: {text}");
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            assert_eq!((f.len(), f[2]), (5, "0"), "bad line {l:?}");
            (f[0].to_string(), f[1].to_string(), f[3].to_string())
        })
        .collect()
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn ping_sweeps_find_every_host_over_ipv4_and_ipv6_on_both_backends() {
    let lab = Lab::up(MASSCAN);
    for driver in ["afxdp", "afpacket"] {
        let file = format!("ping-{driver}.txt");
        let o = lab.run(&[
            "198.19.0.0/22",
            "2001:2:1::/120",
            "198.18.7.0/24", // nobody there: no reply, no result
            "--ping",
            "--driver",
            driver,
            "--rate",
            "20000",
            "--wait",
            "1",
            "--nostatus",
            "-oL",
            &file,
        ]);
        ok(&o);
        let found = pinged(&lab, &file);
        let v6_base = u128::from("2001:2:1::".parse::<std::net::Ipv6Addr>().unwrap());
        let want: BTreeSet<_> = (0..1024u32)
            .map(|i| std::net::Ipv4Addr::from(0xc613_0000 + i).to_string())
            .chain((0..256u128).map(|i| std::net::Ipv6Addr::from(v6_base + i).to_string()))
            .map(|ip| ("open".to_string(), "icmp".to_string(), ip))
            .collect();
        assert_eq!(found, want, "{driver}");
        let err = stderr(&o);
        assert!(err.contains("0 bad cookie"), "{err}");
    }
    // The console form is the original's.
    let o = lab.run(&["198.19.0.5", "--ping", "--wait", "1", "--nostatus"]);
    ok(&o);
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim_end(),
        "Discovered open port 0/icmp on 198.19.0.5"
    );
}

/// Calls `seen` every 50 ms while `child` runs, until it returns true (then true) or the
/// child exits (then false). The child is left to be waited for.
fn while_running(child: &mut std::process::Child, mut seen: impl FnMut() -> bool) -> bool {
    while child.try_wait().unwrap().is_none() {
        if seen() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// A capability set of a process, from /proc (`CapEff`, `CapPrm`).
fn cap_set(pid: u32, name: &str) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}:\t")))
        .unwrap_or_else(|| panic!("no {name} in {status}"))
        .to_string()
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn a_running_scan_holds_no_capability_and_still_finishes() {
    let lab = Lab::up(MASSCAN);
    for driver in ["afxdp", "afpacket"] {
        let file = format!("caps-{driver}.txt");
        // 16,384 probes at 4,000 pps: about 4 s.
        let mut child = slow_scan(&lab, &["--driver", driver, "-oL", &file]);
        let pid = child.id();
        // Read while the scan runs: the set-up (root) is over once the capabilities are gone,
        // which must happen while the scan still has seconds to go.
        let (mut eff, mut prm) = (String::new(), String::new());
        let dropped = while_running(&mut child, || {
            (eff, prm) = (cap_set(pid, "CapEff"), cap_set(pid, "CapPrm"));
            eff == "0000000000000000"
        });
        let o = child.wait_with_output().unwrap();
        assert!(dropped, "{driver}: the scan ended with capabilities {eff}");
        ok(&o);
        assert_eq!(
            prm, "0000000000000000",
            "{driver}: permitted capabilities while scanning"
        );
        // Checkpoints and outputs went on working: every address found, the file closed.
        assert_eq!(list_file(&lab.path(&file)).len(), 16384, "{driver}");
    }
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn with_user_the_scan_runs_as_that_user_and_checkpoints_still_work() {
    let lab = Lab::up(MASSCAN);
    // The directory must be the user's: outputs, checkpoints and rotation live there.
    let o = Command::new("chown")
        .args(["65534:65534", lab.dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success());
    let mut child = slow_scan(&lab, &["--user", "nobody", "-oL", "user.txt"]);
    let pid = child.id();
    // The first checkpoint comes about 3 s into the scan (two seconds behind the transmit
    // threads); the scan lasts about 5 s. Watch for it while the scan runs rather than guess
    // how long the set-up takes on a loaded machine.
    let mut status = String::new();
    let checkpoint = while_running(&mut child, || {
        status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        lab.path("paused.conf").exists()
    });
    let o = child.wait_with_output().unwrap();
    ok(&o);
    assert!(
        status.contains("\nUid:\t65534\t65534\t65534\t65534\n"),
        "{status}"
    );
    assert!(status.contains("\nCapEff:\t0000000000000000\n"), "{status}");
    assert!(!stderr(&o).contains("checkpoint:"), "{}", stderr(&o));
    assert!(
        checkpoint,
        "no checkpoint was seen while the scan ran: {}",
        stderr(&o)
    );
    assert_eq!(list_file(&lab.path("user.txt")).len(), 16384);
}

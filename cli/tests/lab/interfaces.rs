//! Several interfaces in one scan (the original's `adapter[1]`...), in a lab with two links
//! from the scanner to the targets: AF_XDP and AF_PACKET each send through both links (each
//! interface's own address and router), find every open port with its banner, and find what a
//! scan through one link finds; so do DPDK (two net_af_packet ports of one EAL) and PF_RING
//! (through its stand-in library). Ignored unless asked for (root): `./scripts/test.sh` runs them.

use crate::common::*;
use masscan_test_support::*;
use std::collections::BTreeSet;

/// A banner scan of every lab server through both links (with `extra` choosing the driver and
/// the sources); checks that each link carried a fair part of the probes. Returns the open
/// ports found.
fn scan_through_both(lab: &Lab, driver: &str, extra: &[&str]) -> BTreeSet<String> {
    let if2 = lab.scan_if2.clone().unwrap();
    let mut args = vec![
        "--adapter",
        &lab.scan_if,
        "--adapter[1]",
        &if2,
        "--router-ip[1]",
        "198.18.2.1",
    ];
    args.extend_from_slice(extra);
    scan_ports_through_both(lab, driver, &args, &[])
}

/// [`scan_through_both`] with the interfaces named in `args`, and `env` for masscan.
fn scan_ports_through_both(
    lab: &Lab,
    driver: &str,
    args: &[&str],
    env: &[(&str, &std::path::Path)],
) -> BTreeSet<String> {
    let if2 = lab.scan_if2.clone().unwrap();
    let before = (lab.tx_packets(&lab.scan_if), lab.tx_packets(&if2));
    let (out, _) = scan_every_banner_server_with(lab, driver, args, env);
    let sent = (
        lab.tx_packets(&lab.scan_if) - before.0,
        lab.tx_packets(&if2) - before.1,
    );
    // 11 hosts x the banner ports, split between the two interfaces' transmit threads.
    let probes = (11 * banner_ports().len()) as u64;
    assert!(
        sent.0 >= probes / 3 && sent.1 >= probes / 3,
        "{driver}: frames sent per link {sent:?} for {probes} probes"
    );
    open_port_lines(&out)
}

/// The open ports an AF_XDP banner scan through the first link alone finds.
fn found_through_one_link(lab: &Lab) -> BTreeSet<String> {
    let one = open_port_lines(&scan_every_banner_server(
        lab,
        "afxdp",
        &["--driver", "afxdp"],
    ));
    assert!(one.len() >= 11, "{one:?}");
    one
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn af_xdp_through_two_interfaces_finds_every_open_port_with_banners() {
    let lab = Lab::with_two_links(MASSCAN);
    let one = found_through_one_link(&lab);
    let two = scan_through_both(&lab, "afxdp", &["--driver", "afxdp"]);
    assert_eq!(two, one);
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn af_packet_through_two_interfaces_from_spoofed_sources_finds_every_open_port() {
    let lab = Lab::with_two_links(MASSCAN);
    // Addresses the kernel does not own (so it never resets the banner connections): the scan
    // answers ARP for each on its own link.
    let two = scan_through_both(
        &lab,
        "afpacket",
        &[
            "--driver",
            "afpacket",
            "--adapter-ip",
            "198.18.0.60",
            "--adapter-ip[1]",
            "198.18.2.60",
        ],
    );
    assert_eq!(two, found_through_one_link(&lab));
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn two_interfaces_errors_are_one_line() {
    let lab = Lab::with_two_links(MASSCAN);
    let if2 = lab.scan_if2.clone().unwrap();
    for (args, says) in [
        (
            vec!["--adapter-ip[1]", "198.18.2.9"],
            "give adapter[1] = IFNAME",
        ),
        (
            vec!["--adapter", &lab.scan_if, "--adapter[1]", &lab.scan_if],
            "both",
        ),
        (
            vec!["--adapter[1]", "nosuchif0"],
            "no interface named 'nosuchif0'",
        ),
        (
            vec!["--adapter[1]", &if2],
            "adapter[1]: no IPv4 default gateway on '",
        ),
        (
            vec!["--adapter[1]", &if2],
            "pass --router-mac[1] MAC (or --router-ip[1] IP)",
        ),
        (
            vec![
                "--adapter[1]",
                &if2,
                "--router-ip[1]",
                "198.18.2.1",
                "--driver",
                "afpacket",
                "--rx-threads",
                "2",
                "--tx-threads",
                "1",
            ],
            "--rx-threads 1",
        ),
    ] {
        let mut all = vec!["198.18.1.1", "-p80", "--wait", "0", "--nostatus"];
        all.extend_from_slice(&args);
        let o = lab.run(&all);
        let err = stderr(&o);
        assert!(!o.status.success(), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
    }
}

#[test]
#[cfg_attr(dpdk_backend, ignore = "lab: needs root; ./scripts/test.sh runs it")]
#[cfg_attr(
    not(dpdk_backend),
    ignore = "built without the DPDK backend (no DPDK at build time)"
)]
fn dpdk_through_two_ports_finds_every_open_port_with_banners() {
    let lab = Lab::with_two_links(MASSCAN);
    let if2 = lab.scan_if2.clone().unwrap();
    // Two net_af_packet ports of one EAL, one on each link, from addresses the kernel does not
    // own (a DPDK port has no kernel stack: the scan answers ARP for them).
    let eal = format!(
        "--no-huge -m 512 --no-pci --vdev=net_af_packet0,iface={} --vdev=net_af_packet1,iface={if2}",
        lab.scan_if
    );
    let args = [
        "--driver",
        "dpdk",
        "--dpdk-args",
        &eal,
        "--adapter-ip",
        "198.18.0.50",
        "--router-ip",
        "198.18.0.1",
        "--adapter-ip[1]",
        "198.18.2.50",
        "--router-ip[1]",
        "198.18.2.1",
    ];
    // scan_through_both names the kernel interfaces; DPDK names its ports.
    let mut named: Vec<&str> = vec!["-e", "net_af_packet0", "--adapter[1]", "net_af_packet1"];
    named.extend_from_slice(&args);
    let two = scan_ports_through_both(&lab, "dpdk", &named, &[]);
    assert_eq!(two, found_through_one_link(&lab));
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn pfring_standin_through_two_interfaces_finds_every_open_port() {
    let lab = Lab::with_two_links(MASSCAN);
    let if2 = lab.scan_if2.clone().unwrap();
    let lib = build_pfring_standin(&lab.path("standin"), None);
    let (zc0, zc1) = (format!("zc:{}", lab.scan_if), format!("zc:{if2}"));
    let args = [
        "-e",
        &zc0,
        "--adapter[1]",
        &zc1,
        "--router-ip[1]",
        "198.18.2.1",
        "--adapter-ip",
        "198.18.0.50",
        "--adapter-ip[1]",
        "198.18.2.50",
    ];
    let two = scan_ports_through_both(&lab, "pfring", &args, &[("LD_LIBRARY_PATH", &lib)]);
    assert_eq!(two, found_through_one_link(&lab));
}

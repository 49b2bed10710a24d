//! UDP and ARP in the lab: every UDP server (unbound, snmpd, chronyd, memcached) found open with its
//! parsed banner over IPv4 and IPv6, every other probed port reported closed from the ICMP
//! port unreachable its host sends, on both backends; a mixed TCP, UDP and ping scan; ARP and
//! NDP sweeps finding every host of the subnet with its MAC; the same results read back from
//! `-oB`. Each test brings up its own lab (unique names, taken down even
//! on failure); they need root, so `./scripts/test.sh` runs them.

use crate::common::*;
use masscan_test_support::*;
use std::collections::BTreeSet;

const HOSTS: [&str; 8] = [
    "198.18.1.4",
    "198.18.1.5",
    "198.18.1.13",
    "198.18.1.14",
    "198.18.1.15",
    "2001:2:0:1::6",
    "2001:2:0:1::7",
    "2001:2:0:1::8",
];
const PORTS: [u16; 4] = [53, 123, 161, 11211];

/// (host, port, the start of its banner line's text) of every UDP service of the lab.
fn services() -> Vec<(&'static str, u16, &'static str)> {
    let dns = "[dns-ver] masscan-rs lab unbound";
    let snmp = "[snmp] sysDescr:masscan-rs lab snmpd\\x0asysName:snmp.lab.masscan-rs.test";
    let ntp = "[ntp] NTPv4 stratum 8 refid ";
    vec![
        ("198.18.1.4", 11211, "[memcached] uptime="),
        ("198.18.1.13", 53, dns),
        ("198.18.1.14", 161, snmp),
        ("198.18.1.15", 123, ntp),
        ("2001:2:0:1::6", 53, dns),
        ("2001:2:0:1::7", 161, snmp),
        ("2001:2:0:1::8", 123, ntp),
    ]
}

fn lines(text: &str, prefix: &str) -> BTreeSet<String> {
    text.lines()
        .filter(|l| l.starts_with(prefix))
        .map(|l| l.trim_end().to_string())
        .collect()
}

fn check_udp_results(stdout: &str, what: &str) {
    let want_open: BTreeSet<(String, u16)> = services()
        .iter()
        .map(|(h, p, _)| (h.to_string(), *p))
        .collect();
    let mut open = BTreeSet::new();
    let mut closed = BTreeSet::new();
    for l in lines(stdout, "Discovered") {
        let f: Vec<&str> = l.split(' ').collect();
        let (port, proto) = f[3].split_once('/').unwrap();
        assert_eq!(proto, "udp", "{what}: {l}");
        let key = (f[5].to_string(), port.parse::<u16>().unwrap());
        match f[1] {
            "open" => assert!(open.insert(key), "{what}: reported twice: {l}"),
            "closed" => assert!(closed.insert(key), "{what}: reported twice: {l}"),
            _ => panic!("{what}: {l}"),
        }
    }
    assert_eq!(open, want_open, "{what}: open ports\n{stdout}");
    let all: BTreeSet<(String, u16)> = HOSTS
        .iter()
        .flat_map(|h| PORTS.iter().map(move |p| (h.to_string(), *p)))
        .collect();
    let want_closed: BTreeSet<_> = all.difference(&want_open).cloned().collect();
    assert_eq!(
        closed, want_closed,
        "{what}: closed ports (ICMP port unreachable)"
    );
    let banners = lines(stdout, "Banner on");
    for (h, p, text) in services() {
        let head = format!("Banner on port {p}/udp on {h}: {text}");
        assert!(
            banners.iter().any(|b| b.starts_with(&head)),
            "{what}: no banner {head:?} in\n{stdout}"
        );
    }
    assert_eq!(
        banners.len(),
        services().len(),
        "{what}: one banner each\n{stdout}"
    );
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn udp_services_open_with_banners_and_closed_from_icmp_on_both_backends() {
    let lab = Lab::up(MASSCAN);
    let ports = PORTS.map(|p| format!("U:{p}")).join(",");
    for driver in ["afxdp", "afpacket"] {
        let bin = format!("udp-{driver}.bin");
        let mut args = HOSTS.to_vec();
        args.extend([
            "-p",
            &ports,
            "--show",
            "closed",
            "--driver",
            driver,
            "--rate",
            "2000",
            "--wait",
            "2",
            "--nostatus",
            "--interactive",
            "-oB",
            &bin,
        ]);
        let o = lab.run(&args);
        ok(&o);
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        check_udp_results(&out, driver);
        assert!(
            rx_core_counts(&stderr(&o), 0).contains(" 0 bad cookie"),
            "{}",
            stderr(&o)
        );
        // The binary file gives the same lines back (closed ones when asked for, as the
        // original's --readscan).
        let back = lab.run(&["--readscan", &bin, "--show", "closed"]);
        ok(&back);
        let back_out = String::from_utf8_lossy(&back.stdout).into_owned();
        assert_eq!(
            lines(&back_out, "Banner on"),
            lines(&out, "Banner on"),
            "{driver}"
        );
        assert_eq!(
            lines(&back_out, "Discovered"),
            lines(&out, "Discovered"),
            "{driver}"
        );
    }
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn one_scan_mixes_tcp_udp_and_ping_over_both_families() {
    let lab = Lab::up(MASSCAN);
    let o = lab.run(&[
        "198.18.1.1",
        "198.18.1.13",
        "198.18.0.4",
        "2001:2:0:1::1",
        "2001:2:0:1::6",
        "-p80,U:53,S:9",
        "--ping",
        "--rate",
        "2000",
        "--wait",
        "2",
        "--nostatus",
        "-oL",
        "mixed.txt",
        "-oB",
        "mixed.bin",
    ]);
    ok(&o);
    let text = std::fs::read_to_string(lab.path("mixed.txt")).unwrap();
    assert!(text.ends_with("# end\n"), "{text}");
    let found: BTreeSet<(String, String, String)> = text
        .lines()
        .filter(|l| l.starts_with("open "))
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            (f[1].to_string(), f[2].to_string(), f[3].to_string())
        })
        .collect();
    let mut want = BTreeSet::new();
    for (proto, port, ip) in [
        ("tcp", "80", "198.18.1.1"),
        ("tcp", "80", "2001:2:0:1::1"),
        ("udp", "53", "198.18.1.13"),
        ("udp", "53", "2001:2:0:1::6"),
        ("sctp", "9", "198.18.0.4"),
    ] {
        want.insert((proto.to_string(), port.to_string(), ip.to_string()));
    }
    for ip in [
        "198.18.1.1",
        "198.18.1.13",
        "198.18.0.4",
        "2001:2:0:1::1",
        "2001:2:0:1::6",
    ] {
        want.insert(("icmp".to_string(), "0".to_string(), ip.to_string()));
    }
    assert_eq!(found, want, "{text}");
    let banners: Vec<&str> = text.lines().filter(|l| l.starts_with("banner ")).collect();
    assert_eq!(
        banners.len(),
        2,
        "a version.bind banner per DNS server: {text}"
    );
    let back = lab.run(&["--readscan", "mixed.bin", "-oL", "back.txt"]);
    ok(&back);
    let back_text = std::fs::read_to_string(lab.path("back.txt")).unwrap();
    let body = |t: &str| -> BTreeSet<String> {
        t.lines()
            .filter(|l| !l.starts_with('#'))
            .map(String::from)
            .collect()
    };
    assert_eq!(body(&back_text), body(&text));
}

/// The MAC of the one link (besides `lo`) of namespace `ns`.
fn link_mac(ns: &str) -> String {
    let o = std::process::Command::new("ip")
        .args(["-n", ns, "-br", "link"])
        .output()
        .unwrap();
    let dev = String::from_utf8_lossy(&o.stdout)
        .lines()
        .find(|l| !l.starts_with("lo"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .split('@')
        .next()
        .unwrap()
        .to_string();
    mac_of(ns, &dev)
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn arp_sweeps_find_every_host_of_the_subnet_with_its_mac_on_both_backends() {
    let lab = Lab::up(MASSCAN);
    let router = mac_of(&lab.target_ns, "br0");
    let neighbour = link_mac(&lab.target_ns.replace("-tgt", "-nbr"));
    let sctp_host = link_mac(&lab.target_ns.replace("-tgt", "-sctp"));
    let want: BTreeSet<String> = [
        format!("Discovered up port 0/arp on 198.18.0.1 ({router})"),
        format!("Discovered up port 0/arp on 198.18.0.3 ({neighbour})"),
        format!("Discovered up port 0/arp on 198.18.0.4 ({sctp_host})"),
        format!("Discovered up port 0/arp on 2001:2::1 ({router})"),
        format!("Discovered up port 0/arp on 2001:2::3 ({neighbour})"),
        format!("Discovered up port 0/arp on 2001:2::4 ({sctp_host})"),
    ]
    .into();
    for driver in ["afxdp", "afpacket"] {
        let bin = format!("arp-{driver}.bin");
        let o = lab.run(&[
            "198.18.0.0/24",
            "2001:2::/120",
            "--arp",
            "--driver",
            driver,
            "--rate",
            "5000",
            "--wait",
            "1",
            "--nostatus",
            "--interactive",
            "-oB",
            &bin,
        ]);
        ok(&o);
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        assert_eq!(lines(&out, "Discovered"), want, "{driver}: {}", stderr(&o));
        // -oB keeps the original's ARP records (types 8 and 12, no room for the MAC), and
        // --readscan reads them back, which the original cannot.
        let back = lab.run(&["--readscan", &bin]);
        ok(&back);
        let strip = |s: &String| s.split(" (").next().unwrap().to_string();
        assert_eq!(
            lines(&String::from_utf8_lossy(&back.stdout), "Discovered"),
            want.iter().map(strip).collect::<BTreeSet<_>>(),
            "{driver}"
        );
    }
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn sctp_finds_the_usrsctp_port_and_aborts_its_association_on_both_backends() {
    let lab = Lab::up(MASSCAN);
    let log = format!("/run/masscan-lab/{}/sctp.log", lab.name);
    // usrsctp logs every packet it reads: our ABORT is the only 36-byte one (12-byte header,
    // 4-byte chunk, 20-byte IP header).
    let aborts_seen = || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .matches("recv_function_raw: Received 36 bytes")
            .count()
    };
    for driver in ["afxdp", "afpacket"] {
        let before = aborts_seen();
        let o = lab.run(&[
            "198.18.0.4",
            "198.18.0.3",
            "198.18.1.5",
            "-pS:9,S:10",
            "--driver",
            driver,
            "--rate",
            "1000",
            "--wait",
            "2",
            "--nostatus",
            "--show",
            "closed",
        ]);
        ok(&o);
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        assert_eq!(
            lines(&out, "Discovered"),
            BTreeSet::from(["Discovered open port 9/sctp on 198.18.0.4".to_string()]),
            "{driver}: {}",
            stderr(&o)
        );
        let err = stderr(&o);
        assert!(
            rx_core_counts(&err, 0).contains(" 1 rst sent"),
            "{driver}: {err}"
        );
        // Hosts without SCTP (198.18.0.3, 198.18.1.5) answer protocol unreachable quoting our
        // INITs: counted, not reported.
        assert!(
            err.contains("rx-core 0 icmp: 4 errors about our probes"),
            "{driver}: {err}"
        );
        assert_eq!(
            aborts_seen(),
            before + 1,
            "{driver}: the ABORT reached usrsctp"
        );
    }
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn nmaps_own_payload_file_finds_the_dns_server_beside_the_built_in_query() {
    let file = "/usr/share/nmap/nmap-payloads"; // Debian's nmap (scripts/setup.sh installs it)
    let lab = Lab::up(MASSCAN);
    let o = lab.run(&[
        "198.18.1.13",
        "198.18.1.14",
        "-pU:53,U:161",
        "--nmap-payloads",
        file,
        "--rate",
        "1000",
        "--wait",
        "2",
        "--nostatus",
    ]);
    ok(&o);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(
        lines(&out, "Discovered"),
        BTreeSet::from([
            "Discovered open port 161/udp on 198.18.1.14".to_string(),
            "Discovered open port 53/udp on 198.18.1.13".to_string(),
        ]),
        "{}",
        stderr(&o)
    );
    let err = stderr(&o);
    // Every payload's answer is ours (several per port: duplicates, not bad cookies).
    assert!(rx_core_counts(&err, 0).contains(" 0 bad cookie"), "{err}");
    assert!(!out.contains("IP-MISMATCH"), "{out}");
}

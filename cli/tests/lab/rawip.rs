//! Raw IP protocol scans (`-pO:N`, `--oproto`, `-sO`) in the lab, on both backends: ICMP echo
//! answers protocol 1 (58 over IPv6), the lab's responder answers protocol 253 in kind
//! (scripts/lab-servers/rawip.sh), the kernel answers protocol unreachable (ICMPv6:
//! unrecognized next header) for what it lacks, and TCP and UDP drop the headerless probes.
//! The results as -oL and -oJ write them, and read back from -oB by our `--readscan` and by the
//! original's (Debian's 1.3.2, when scripts/setup.sh unpacked it), which also scans the same
//! targets to show what it does with `O:` ports (nothing: it sends and reports none).

use crate::common::*;
use masscan_test_support::*;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

const V4: &str = "198.18.1.5";
const V6: &str = "2001:2:0:1::7";
const PROTOS: &str = "O:1,4,6,17,47,58,132,253";
const REFERENCE: &str = "/var/lib/masscan-lab/reference/usr/bin/masscan";

/// Whether the target namespace's kernel speaks `proto` over IPv6 (`v6`) or IPv4: a tunnel
/// of that kind can be made, or (SCTP) a socket opened. Without it, the kernel answers
/// protocol unreachable; with it, what it answers depends on the module.
fn kernel_speaks(lab: &Lab, proto: u8, v6: bool) -> bool {
    let ns = ["netns", "exec", lab.target_ns.as_str()];
    if proto == 132 {
        let family = if v6 { "AF_INET6" } else { "AF_INET" };
        let py = format!("import socket; socket.socket(socket.{family}, socket.SOCK_STREAM, 132)");
        return Command::new("ip")
            .args(ns)
            .args(["python3", "-c", &py])
            .output()
            .is_ok_and(|o| o.status.success());
    }
    let kind = match (proto, v6) {
        (4, false) => "ipip",
        (4, true) => "ip6tnl",
        (47, false) => "gre",
        (47, true) => "ip6gre",
        _ => return false,
    };
    let (local, remote) = if v6 {
        ("2001:2:0:1::7", "2001:2::77")
    } else {
        ("198.18.1.5", "198.18.0.77")
    };
    let made = Command::new("ip")
        .args(ns)
        .args(["ip", "link", "add", "msrprobe0", "type", kind])
        .args(["local", local, "remote", remote])
        .output()
        .is_ok_and(|o| o.status.success());
    if made {
        let _ = Command::new("ip")
            .args(ns)
            .args(["ip", "link", "del", "msrprobe0"])
            .output();
    }
    made
}

/// (status, protocol, address) the scan must report: what the lab answers, and for protocols
/// whose module the kernel may have, protocol unreachable only when it lacks it.
/// (status, port, address) of reported results.
type Records = BTreeSet<(String, u16, String)>;

fn expected(lab: &Lab) -> (Records, Vec<(u16, String)>) {
    let mut want = BTreeSet::new();
    let mut unsure = Vec::new();
    for (ip, v6) in [(V4, false), (V6, true)] {
        let echo = if v6 { 58 } else { 1 };
        for p in [echo, 253] {
            want.insert(("open".to_string(), p, ip.to_string()));
        }
        // The other family's ICMP is a protocol this family lacks.
        want.insert((
            "closed".to_string(),
            if v6 { 1 } else { 58 },
            ip.to_string(),
        ));
        for p in [4u8, 47, 132] {
            if kernel_speaks(lab, p, v6) {
                unsure.push((u16::from(p), ip.to_string()));
            } else {
                want.insert(("closed".to_string(), u16::from(p), ip.to_string()));
            }
        }
    }
    (want, unsure)
}

/// (status, port, address) of a -oL file's records, checking each line's shape: the
/// protocol name is the original's for the number (`icmp` for 1, `err` for the rest here).
fn list_records(path: &Path) -> Records {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(
        text.starts_with("#masscan\n") && text.ends_with("# end\n"),
        "{text}"
    );
    let mut set = BTreeSet::new();
    for l in text.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = l.split(' ').collect();
        assert_eq!(f.len(), 5, "{l}");
        let port: u16 = f[2].parse().unwrap();
        let name = match port {
            1 => "icmp",
            6 => "tcp",
            17 => "udp",
            132 => "sctp",
            _ => "err",
        };
        assert_eq!(f[1], name, "{l}");
        // 1.3.2 compresses the first run of zero groups of an IPv6 address, not the longest
        // (`2001:2::1:0:0:0:7`): compare addresses, not their spelling.
        let ip: std::net::IpAddr = f[3].parse().expect("an address");
        assert!(
            set.insert((f[0].to_string(), port, ip.to_string())),
            "twice: {l}"
        );
    }
    set
}

fn without(found: &Records, unsure: &[(u16, String)]) -> Records {
    found
        .iter()
        .filter(|(_, p, ip)| !unsure.contains(&(*p, ip.clone())))
        .cloned()
        .collect()
}

/// The -oJ file's (status, port, address), each record's proto named as in -oL.
fn json_records(path: &Path) -> Records {
    let text = std::fs::read_to_string(path).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let mut set = BTreeSet::new();
    for r in v.as_array().unwrap() {
        let port = &r["ports"][0];
        let p = port["port"].as_u64().unwrap() as u16;
        assert_eq!(
            port["proto"],
            if p == 1 {
                "icmp"
            } else if p == 132 {
                "sctp"
            } else {
                "err"
            }
        );
        set.insert((
            port["status"].as_str().unwrap().to_string(),
            p,
            r["ip"].as_str().unwrap().to_string(),
        ));
    }
    set
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn raw_ip_protocols_open_closed_and_silent_on_both_backends_and_read_back() {
    let lab = Lab::up(MASSCAN);
    let (want, unsure) = expected(&lab);
    for driver in ["afxdp", "afpacket"] {
        let (list, json, bin) = (
            format!("{driver}.txt"),
            format!("{driver}.json"),
            format!("{driver}.bin"),
        );
        // -sO changes nothing (as in the original); --oproto adds protocols like -pO:.
        let o = lab.run(&[
            V4,
            V6,
            "-sO",
            "-p",
            PROTOS,
            "--oproto",
            "253",
            "--show",
            "closed",
            "--driver",
            driver,
            "--rate",
            "1000",
            "--wait",
            "2",
            "--nostatus",
            "-oL",
            &list,
            "-oJ",
            &json,
            "-oB",
            &bin,
        ]);
        ok(&o);
        assert_eq!(
            rx_counter(&stderr(&o), 0, "bad cookie"),
            0,
            "{}",
            stderr(&o)
        );
        let found = list_records(&lab.path(&list));
        assert_eq!(without(&found, &unsure), want, "{driver}: {}", stderr(&o));
        for p in [6, 17] {
            assert!(
                found.iter().all(|(_, q, _)| *q != p),
                "{driver}: {p} answered"
            );
        }
        assert_eq!(json_records(&lab.path(&json)), found, "{driver}: -oJ");
        // Closed records come back only when asked for, as from the original.
        let back = lab.run(&["--readscan", &bin, "--show", "closed", "-oL", "back.txt"]);
        ok(&back);
        assert_eq!(
            list_records(&lab.path("back.txt")),
            found,
            "{driver}: -oB read back"
        );
        if Path::new(REFERENCE).exists() {
            // The original reads our -oB into the same records.
            let o = reference(
                &lab,
                &[
                    "--readscan",
                    &bin,
                    "--show",
                    "closed",
                    "-oL",
                    "ref-back.txt",
                ],
            );
            assert!(o.status.success(), "{}", stderr(&o));
            assert_eq!(list_records(&lab.path("ref-back.txt")), found, "{driver}");
        }
    }
    if Path::new(REFERENCE).exists() {
        // The original scanning the same lab sends nothing for O: ports and reports nothing.
        let o = reference(
            &lab,
            &[
                V4, "-p", PROTOS, "--rate", "1000", "--wait", "2", "-oL", "ref.txt",
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let text = std::fs::read_to_string(lab.path("ref.txt")).unwrap_or_default();
        assert!(
            text.lines().all(|l| l.starts_with('#')),
            "the original reported raw IP results: {text}"
        );
    }
}

/// Debian's masscan 1.3.2 with `args`, in the scanner namespace and the lab's directory.
fn reference(lab: &Lab, args: &[&str]) -> std::process::Output {
    Command::new("ip")
        .args(["netns", "exec", &lab.scan_ns, REFERENCE])
        .args(args)
        .current_dir(lab.dir.path())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run the reference masscan")
}

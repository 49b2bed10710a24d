//! Output files of live scans in the lab: every format valid after SIGINT, rotation losing nothing, --interactive, and every format of a banner scan read by a real consumer.
//! Each test brings up its own lab (unique names, taken down even on failure); they are
//! ignored unless asked for, because they need root: `./scripts/test.sh` runs them.

use crate::common::*;
use masscan_test_support::*;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn a_scan_interrupted_by_sigint_leaves_every_output_file_valid() {
    let lab = Lab::up(MASSCAN);
    for (flag, format) in FORMATS {
        let name = format!("interrupted.{format}");
        let mut child = slow_scan(&lab, &[flag, &name]);
        wait_until_sending(&lab, &mut child);
        std::thread::sleep(Duration::from_millis(1500));
        send_signal(child.id(), "INT");
        let o = child.wait_with_output().unwrap();
        ok(&o);
        let n = check_output(&lab, format, &lab.path(&name));
        assert!(n > 0 && n < 16384, "{format}: {n} results: {}", stderr(&o));
        std::fs::remove_file(lab.path("paused.conf")).unwrap();
    }
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn rotation_closes_each_file_validly_and_loses_nothing() {
    let lab = Lab::up(MASSCAN);
    std::fs::create_dir(lab.path("rotated")).unwrap();
    let o = slow_scan(
        &lab,
        &["-oJ", "r.json", "--rotate", "1", "--rotate-dir", "rotated"],
    )
    .wait_with_output()
    .unwrap();
    ok(&o);
    let mut files: Vec<PathBuf> = std::fs::read_dir(lab.path("rotated"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(files.len() >= 3, "{files:?}");
    for f in &files {
        let name = f.file_name().unwrap().to_str().unwrap();
        assert!(
            name.len() == "YYMMDD-HHMMSS-r.json".len() && name.ends_with("-r.json"),
            "{name}"
        );
    }
    files.push(lab.path("r.json"));
    let mut ips = BTreeSet::new();
    let mut total = 0;
    for f in &files {
        let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        for r in v.as_array().unwrap() {
            ips.insert(r["ip"].as_str().unwrap().to_string());
            total += 1;
        }
    }
    assert_eq!(
        (ips.len(), total),
        (16384, 16384),
        "none lost, none doubled"
    );
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn interactive_prints_results_while_writing_a_file() {
    let lab = Lab::up(MASSCAN);
    let o = lab.run(&[
        "198.18.1.1",
        "-p80,8080",
        "--rate",
        "100",
        "--wait",
        "1",
        "-oL",
        "i.txt",
        "--interactive",
    ]);
    ok(&o);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(out.lines().count(), 2, "{out}");
    assert_eq!(list_file(&lab.path("i.txt")).len(), 2);
    let o = lab.run(&[
        "198.18.1.1",
        "-p80,8080",
        "--rate",
        "100",
        "--wait",
        "1",
        "-oL",
        "j.txt",
    ]);
    ok(&o);
    assert!(
        o.stdout.is_empty(),
        "no console lines without --interactive"
    );
}

/// One banner scan writes every format at once; each file is read by a real consumer: the
/// Nmap-XML variant by xmllint against Nmap's DTD, -oX by an XML parser, JSON and NDJSON by
/// Python's json, grepable and list by their line grammar, -oB by our --readscan.
#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn every_format_of_a_banner_scan_is_read_by_a_real_consumer() {
    let lab = Lab::up(MASSCAN);
    let o = lab.run(&[
        "198.18.1.1-198.18.1.4",
        "-p21,22,80,443,11211",
        "--banners",
        "--rate",
        "1000",
        "--wait",
        "3",
        "--nostatus",
        "-oX",
        "s.xml",
        "--output-format",
        "nmapxml",
        "--output-filename",
        "s.nmap.xml",
        "-oJ",
        "s.json",
        "-oD",
        "s.ndjson",
        "-oG",
        "s.grep",
        "-oL",
        "s.list",
        "-oU",
        "s.unicorn",
        "-oH",
        "s.hosts",
        "-oB",
        "s.bin",
    ]);
    ok(&o);
    let path = |n: &str| lab.path(n).to_str().unwrap().to_string();
    let dtd = Command::new("xmllint")
        .args([
            "--noout",
            "--dtdvalid",
            "/usr/share/nmap/nmap.dtd",
            &path("s.nmap.xml"),
        ])
        .output()
        .expect("xmllint (scripts/setup.sh installs libxml2-utils and nmap)");
    assert!(
        dtd.status.success(),
        "{}",
        String::from_utf8_lossy(&dtd.stderr)
    );
    let py = |code: &str, file: &str| -> String {
        let o = Command::new("python3")
            .args(["-c", code, &path(file)])
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).trim().to_string()
    };
    // (open ports, banners) in each format must agree.
    let xml = py(
        "import sys, xml.etree.ElementTree as E; r=E.parse(sys.argv[1]).getroot(); \
         print(len(r.findall('host/ports/port/state[@reason=\"syn-ack\"]')), \
         len(r.findall('host/ports/port/service')))",
        "s.xml",
    );
    let nmap = py(
        "import sys, xml.etree.ElementTree as E; r=E.parse(sys.argv[1]).getroot(); \
         print(len(r.findall('host/ports/port/state[@reason=\"syn-ack\"]')), \
         len(r.findall('host/ports/port/script')))",
        "s.nmap.xml",
    );
    let json = py(
        "import json, sys; d=json.load(open(sys.argv[1])); \
         print(sum(1 for r in d for p in r['ports'] if p.get('status')=='open'), \
         sum(1 for r in d for p in r['ports'] if 'service' in p))",
        "s.json",
    );
    let ndjson = py(
        "import json, sys; d=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]; \
         print(sum(1 for r in d if r['rec_type']=='status' and r['data']['status']=='open'), \
         sum(1 for r in d if r['rec_type']=='banner'))",
        "s.ndjson",
    );
    let expect = format!("5 {}", xml.split(' ').nth(1).unwrap());
    assert_eq!(xml, expect);
    assert!(
        xml.ends_with(|c: char| c.is_ascii_digit()) && !xml.ends_with(" 0"),
        "{xml}"
    );
    assert_eq!(nmap, expect);
    assert_eq!(json, expect);
    assert_eq!(ndjson, expect);
    let banners: usize = expect.split(' ').nth(1).unwrap().parse().unwrap();
    // Grepable: `Timestamp: T\tHost: IP ()\tPorts: PORT/open/tcp//SERVICE//` and
    // `Host: IP ()\tPort: PORT\tService: NAME\tBanner: TEXT` lines between # lines.
    let grep = std::fs::read_to_string(lab.path("s.grep")).unwrap();
    assert!(grep.starts_with("# Masscan ") && grep.contains("\n# Masscan done at "));
    let (mut g_open, mut g_banner) = (0, 0);
    for l in grep.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = l.split('\t').collect();
        if f[0].starts_with("Timestamp: ") {
            assert!(
                f[1].starts_with("Host: 198.18.1.") && f[1].ends_with(" ()"),
                "{l:?}"
            );
            let p: Vec<&str> = f[2].trim_start_matches("Ports: ").split('/').collect();
            p[0].parse::<u16>().unwrap();
            assert_eq!((p[1], p[2]), ("open", "tcp"), "{l:?}");
            g_open += 1;
        } else {
            assert!(f[0].starts_with("Host: 198.18.1."), "{l:?}");
            f[1].trim_start_matches("Port: ").parse::<u16>().unwrap();
            assert!(
                f[2].starts_with("Service: ") && f[3].starts_with("Banner: "),
                "{l:?}"
            );
            g_banner += 1;
        }
    }
    assert_eq!((g_open, g_banner), (5, banners));
    // List: status lines `open tcp PORT IP TIME` and banner lines `banner tcp PORT IP TIME
    // NAME TEXT`.
    let list = std::fs::read_to_string(lab.path("s.list")).unwrap();
    assert!(list.starts_with("#masscan\n") && list.ends_with("# end\n"));
    let (mut opens, mut banner_lines) = (0, 0);
    for l in list.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = l.splitn(7, ' ').collect();
        assert_eq!(f[1], "tcp", "{l:?}");
        f[2].parse::<u16>().unwrap();
        f[3].parse::<std::net::Ipv4Addr>().unwrap();
        f[4].parse::<u64>().unwrap();
        match f[0] {
            "open" => opens += 1,
            "banner" => {
                assert_eq!(f.len(), 7, "{l:?}");
                banner_lines += 1;
            }
            other => panic!("bad list line {other:?}"),
        }
    }
    assert_eq!((opens, banner_lines), (5, banners));
    // The binary file reads back into the same list.
    let back = lab.run(&["--readscan", "s.bin", "-oL", "back.list"]);
    ok(&back);
    let body = |t: &str| -> BTreeSet<String> {
        t.lines()
            .filter(|l| !l.starts_with('#'))
            .map(str::to_string)
            .collect()
    };
    let again = std::fs::read_to_string(lab.path("back.list")).unwrap();
    assert_eq!(body(&again), body(&list));
    let hosts = std::fs::read_to_string(lab.path("s.hosts")).unwrap();
    assert!(hosts
        .lines()
        .all(|l| l.parse::<std::net::Ipv4Addr>().is_ok()));
    let unicorn = std::fs::read_to_string(lab.path("s.unicorn")).unwrap();
    assert_eq!(
        unicorn
            .lines()
            .filter(|l| l.starts_with("TCP open"))
            .count(),
        5
    );
}

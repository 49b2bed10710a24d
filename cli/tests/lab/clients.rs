//! Client libraries masscan's users drive it with, from PyPI (scripts/setup.sh installs them
//! into /var/lib/masscan-lab/pyclients): python-masscan finds the binary by `masscan -V` and
//! reads `-oJ -`, python-libnmap reads `-oX`; each must find every open port of a lab scan.
//! And Debian's redis-server, on the scanner namespace's loopback, fed by `-oR`.
//! Ignored unless asked for (root and the lab): `./scripts/test.sh` runs it.

use crate::common::*;
use masscan_test_support::*;
use std::collections::BTreeSet;
use std::process::Command;
/// Runs `script` with the clients' Python in the scanner namespace, `masscan` on PATH being
/// this build; returns its stdout.
fn python(lab: &Lab, script: &str) -> String {
    let bin = lab.path("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let link = bin.join("masscan");
    if !link.exists() {
        std::os::unix::fs::symlink(MASSCAN, &link).unwrap();
    }
    let o = venv_python(lab, script)
        .env(
            "PATH",
            format!("{}:/usr/sbin:/usr/bin:/sbin:/bin", bin.display()),
        )
        .env("MASSCAN_DEFAULT_CONF", "")
        .current_dir(lab.dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "python: {}", stderr(&o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// `open PORT IP` lines as the set `services_open` returns.
fn open_set(out: &str) -> BTreeSet<(String, u16, String)> {
    out.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() == 3 && f[0] == "open")
                .then(|| ("open".into(), f[1].parse().unwrap(), f[2].into()))
        })
        .collect()
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn python_masscan_and_python_libnmap_find_every_open_port() {
    assert!(
        std::path::Path::new(VENV_PYTHON).exists(),
        "{VENV_PYTHON} is missing: run ./scripts/setup.sh"
    );
    let lab = Lab::up(MASSCAN);
    // python-masscan: `masscan -V` must match its version regex; then `masscan -oJ - ...`.
    let out = python(
        &lab,
        &format!(
            r#"
import masscan
m = masscan.PortScanner()
print("version", m._masscan_version_number, m._masscan_subversion_number, m._masscan_revised_number)
r = m.scan("198.18.1.0-198.18.1.5", ports="{SERVICE_PORTS}", arguments="--rate 2000 --wait 1")
for ip, ports in r["scan"].items():
    for p in ports:
        if p["status"] == "open" and p["proto"] == "tcp":
            print("open", p["port"], ip)
"#
        ),
    );
    assert!(out.starts_with("version 1 3 2\n"), "{out}");
    assert_eq!(open_set(&out), services_open(), "python-masscan: {out}");

    // python-libnmap reading our -oX.
    let o = scan_services(&lab, &["-oX", "scan.xml"]);
    ok(&o);
    let out = python(
        &lab,
        r#"
from libnmap.parser import NmapParser
report = NmapParser.parse_fromfile("scan.xml")
for host in report.hosts:
    for s in host.services:
        if s.state == "open" and s.protocol == "tcp":
            print("open", s.port, host.address)
"#,
    );
    assert_eq!(open_set(&out), services_open(), "python-libnmap: {out}");
}

/// `redis-cli` in the scanner namespace; its output lines.
fn redis_cli(lab: &Lab, args: &[&str]) -> Vec<String> {
    let o = Command::new("ip")
        .args(["netns", "exec", &lab.scan_ns, "redis-cli", "-p", "6379"])
        .args(["-a", "pw", "--no-auth-warning"])
        .args(args)
        .output()
        .unwrap();
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn redis_output_reaches_a_real_redis_server() {
    let lab = Lab::up(MASSCAN);
    // Debian's redis-server on the scanner namespace's own loopback, with a password.
    let mut server = Command::new("ip")
        .args(["netns", "exec", &lab.scan_ns, "redis-server"])
        .args([
            "--bind",
            "127.0.0.1",
            "--port",
            "6379",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .args(["--requirepass", "pw", "--dir"])
        .arg(lab.dir.path())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("redis-server (scripts/setup.sh installs it)");
    let up = (0..100).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(50));
        redis_cli(&lab, &["PING"]) == ["PONG"]
    });
    let result = std::panic::catch_unwind(|| {
        assert!(up, "redis-server did not start");
        let o = scan_services(&lab, &["-oR", "127.0.0.1", "--redis-pwd", "pw"]);
        ok(&o);
        let mut found = BTreeSet::new();
        for ip in redis_cli(&lab, &["SMEMBERS", "host"]) {
            for port in redis_cli(&lab, &["SMEMBERS", &ip]) {
                let (n, proto) = port.split_once('/').unwrap();
                assert_eq!(proto, "tcp");
                found.insert(("open".to_string(), n.parse::<u16>().unwrap(), ip.clone()));
                // TIME:STATUS:REASON:TTL, open (1) by a SYN-ACK (0x12 = 18).
                let v = redis_cli(&lab, &["SMEMBERS", &format!("{ip}:{port}")]);
                let f: Vec<&str> = v[0].split(':').collect();
                assert_eq!((f.len(), f[1], f[2]), (4, "1", "18"), "{v:?}");
            }
        }
        assert_eq!(found, services_open());
        // A wrong password is one clear line before anything is sent.
        let o = lab.run(&[
            "198.18.1.1",
            "-p80",
            "-oR",
            "127.0.0.1",
            "--redis-pwd",
            "no",
        ]);
        assert_eq!(o.status.code(), Some(1));
        assert!(
            stderr(&o).starts_with("masscan: redis 127.0.0.1:6379: "),
            "{}",
            stderr(&o)
        );
    });
    let _ = server.kill();
    let _ = server.wait();
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}

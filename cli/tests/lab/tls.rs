//! TLS in the lab: the certificate chain of a server that speaks only TLS 1.0 with RSA key
//! exchange (through the plaintext hello) and of one that speaks only TLS 1.3 (through a second
//! connection with rustls), each on 443 and on 8531, with the original's records, and on 9999
//! with `--identify`. Ignored
//! unless asked for, because it needs root: `./scripts/test.sh` runs it.

use crate::common::*;
use masscan_test_support::*;

/// The console line of `kind` for ip:port, or a panic showing the output.
fn line<'a>(out: &'a str, ip: &str, port: u16, kind: &str, starts: &str) -> &'a str {
    let prefix = format!("Banner on port {port}/tcp on {ip}: [{kind}] {starts}");
    out.lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no {prefix:?} line in:\n{out}"))
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn legacy_and_tls13_only_servers_both_give_their_certificate_chain() {
    let lab = Lab::up(MASSCAN);
    let o = lab.run(&[
        "198.18.1.16-198.18.1.17",
        "-p443,8531",
        "--banners",
        "--rate",
        "100",
        "--wait",
        "5",
    ]);
    ok(&o);
    let out = String::from_utf8_lossy(&o.stdout);
    let names = ", tls.lab.masscan-rs.test, tls.lab.masscan-rs.test, legacy.lab.masscan-rs.test";
    for port in [443, 8531] {
        // TLS 1.0 with TLS_RSA_WITH_AES_128_CBC_SHA (0x2f), which rustls cannot speak.
        let ssl = line(&out, "198.18.1.16", port, "ssl", "TLS/1.0 cipher:0x2f");
        assert!(ssl.trim_end().ends_with(names), "{ssl}");
        line(&out, "198.18.1.16", port, "X509", "MII");
        line(&out, "198.18.1.16", port, "X509CA", "MII");
        // The TLS 1.3-only server: the refusal of the plaintext hello (as the original reports
        // it), then the second connection's handshake through rustls.
        line(&out, "198.18.1.17", port, "ssl", "ALERT(0x0246)");
        let ssl = line(&out, "198.18.1.17", port, "ssl", "TLS/1.3 cipher:0x130");
        assert!(ssl.trim_end().ends_with(names), "{ssl}");
        line(&out, "198.18.1.17", port, "X509", "MII");
        line(&out, "198.18.1.17", port, "X509CA", "MII");
    }
    // One open line per port: the second connection is not a second discovery.
    assert_eq!(
        out.lines()
            .filter(|l| l.starts_with("Discovered open port"))
            .count(),
        4,
        "{out}"
    );
    let err = stderr(&o);
    assert!(err.contains(" 2 second connections"), "{err}");
}

/// `--identify`: the same servers on 9999, a port no one gives TLS (no hello at connect),
/// stay silent, get the HTTP hello after `--hello-timeout`, close without a word, and are
/// named by a second connection with the TLS hello: the TLS 1.0 server gives its chain there,
/// the TLS 1.3-only one after a third (rustls). Without `--identify` nothing is said of them,
/// and no second connection is made.
#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn identify_names_tls_servers_on_a_port_no_one_gives_tls() {
    let lab = Lab::up(MASSCAN);
    let scan = |extra: &[&str]| {
        let mut args = vec![
            "198.18.1.16-198.18.1.17",
            "-p9999",
            "--banners",
            "--hello-timeout",
            "1",
            "--rate",
            "100",
            "--wait",
            "6",
        ];
        args.extend_from_slice(extra);
        let o = lab.run(&args);
        ok(&o);
        (String::from_utf8_lossy(&o.stdout).into_owned(), stderr(&o))
    };
    let (out, err) = scan(&["--identify"]);
    line(&out, "198.18.1.16", 9999, "ssl", "TLS/1.0 cipher:0x2f");
    line(&out, "198.18.1.16", 9999, "X509", "MII");
    line(&out, "198.18.1.17", 9999, "ssl", "TLS/1.3 cipher:0x130");
    line(&out, "198.18.1.17", 9999, "X509", "MII");
    // 2 TLS tries, and the TLS 1.3-only server's rustls connection.
    assert!(err.contains(" 3 second connections"), "{err}");
    let (out, err) = scan(&[]);
    assert!(!out.contains("[ssl]") && !out.contains("[X509]"), "{out}");
    assert!(err.contains(" 0 second connections"), "{err}");
    assert_eq!(
        out.lines()
            .filter(|l| l.starts_with("Discovered open port 9999/tcp"))
            .count(),
        2,
        "{out}"
    );
}

/// `--heartbleed` against stand-ins (test-support/heartbleed-standin.py, written from the
/// flaw's published description; no vulnerable server is packaged): the flawed one answers the
/// heartbeat request with the claimed length of "memory", the fixed one drops it. Every port
/// gets the TLS hello, certificates are not captured, the leak is with --capture heartbleed.
#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn heartbleed_finds_the_flawed_stand_in_and_not_the_fixed_one() {
    use std::process::{Command, Stdio};
    let lab = Lab::up(MASSCAN);
    let der = lab.path("standin.der");
    let key = lab.path("standin.key");
    let made = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
        ])
        .arg("/CN=heartbleed.lab.masscan-rs.test")
        .arg("-keyout")
        .arg(&key)
        .args(["-outform", "DER", "-out"])
        .arg(&der)
        .output()
        .unwrap();
    ok(&made);
    let script = repo().join("test-support/heartbleed-standin.py");
    let mut servers = Vec::new();
    for (ip, mode) in [("198.18.1.16", "--vulnerable"), ("198.18.1.17", "--fixed")] {
        let child = Command::new("ip")
            .args(["netns", "exec", &lab.target_ns, "python3"])
            .arg(&script)
            .args([ip, "7443"])
            .arg(&der)
            .arg(mode)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        servers.push(child);
    }
    // Listening before the scan (the lab takes them down with the namespace).
    for _ in 0..50 {
        let ss = Command::new("ip")
            .args([
                "netns",
                "exec",
                &lab.target_ns,
                "ss",
                "-Hltn",
                "sport = :7443",
            ])
            .output()
            .unwrap();
        if String::from_utf8_lossy(&ss.stdout).lines().count() == 2 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let o = lab.run(&[
        "198.18.1.16-198.18.1.17",
        "-p7443",
        "--heartbleed",
        "--capture",
        "heartbleed",
        "--rate",
        "100",
        "--wait",
        "5",
    ]);
    for mut s in servers {
        let _ = s.kill();
        let _ = s.wait();
    }
    ok(&o);
    let out = String::from_utf8_lossy(&o.stdout);
    line(&out, "198.18.1.16", 7443, "vuln", "SSL[HEARTBLEED]");
    let leak = line(&out, "198.18.1.16", 7443, "heartbleed", "");
    let b64 = leak.rsplit(' ').next().unwrap().trim();
    use base64::Engine;
    let leaked = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    assert_eq!(leaked.len(), 0x4000, "the claimed length");
    assert!(leaked.starts_with(b"stand-in server memory"), "{leak}");
    line(
        &out,
        "198.18.1.16",
        7443,
        "ssl",
        "TLS/1.1 cipher:0x2f, heartbleed.lab",
    );
    line(
        &out,
        "198.18.1.17",
        7443,
        "ssl",
        "TLS/1.1 cipher:0x2f, heartbleed.lab",
    );
    assert!(!out.contains("198.18.1.17: [vuln]"), "{out}");
    assert!(
        !out.contains("[X509]"),
        "--heartbleed captures no certificate: {out}"
    );
}

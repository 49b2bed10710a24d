//! The vulnerability checks in the lab: `--ticketbleed`, `--vuln poodle` and `--vuln
//! ntp-monlist`, each against a server with the flaw and one without. No server with these
//! flaws is packaged here (Debian's OpenSSL has no SSLv3, there is no F5 stack, Debian's NTP
//! servers refuse monlist), so the servers are STAND-INS written from the flaws' published
//! descriptions (test-support/vulns-standins.py), not the real servers. They listen on
//! addresses of their own, 198.18.1.50-54, which the test adds to the lab's target namespace
//! (lab.sh gives them to nothing else; the namespace and its processes go with the lab).

use crate::common::*;
use masscan_test_support::*;
use std::process::{Child, Command, Stdio};

/// Where each stand-in listens (TCP 4433 for the TLS ones, UDP 123 for NTP).
const TICKETBLEED: &str = "198.18.1.50";
const TICKETBLEED_FIXED: &str = "198.18.1.51";
const SSLV3: &str = "198.18.1.52";
const FALLBACK_SCSV: &str = "198.18.1.53";
const MONLIST: &str = "198.18.1.54";

/// The stand-ins' process, killed on drop (also when the test panics).
struct StandIns(Child);

impl Drop for StandIns {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Output of `cmd ARGS` in the lab's target namespace.
fn in_target(lab: &Lab, args: &[&str]) -> String {
    let o = Command::new("ip")
        .args(["netns", "exec", &lab.target_ns])
        .args(args)
        .output()
        .unwrap();
    ok(&o);
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Adds the stand-ins' addresses, makes their certificate and starts them; returns once all
/// five listen.
fn start_standins(lab: &Lab) -> StandIns {
    for ip in [
        TICKETBLEED,
        TICKETBLEED_FIXED,
        SSLV3,
        FALLBACK_SCSV,
        MONLIST,
    ] {
        in_target(
            lab,
            &["ip", "addr", "add", &format!("{ip}/32"), "dev", "lo"],
        );
    }
    let der = lab.path("vulns.der");
    let key = lab.path("vulns.key");
    let made = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args(["-subj", "/CN=vulns.lab.masscan-rs.test", "-keyout"])
        .arg(&key)
        .args(["-outform", "DER", "-out"])
        .arg(&der)
        .output()
        .unwrap();
    ok(&made);
    let child = Command::new("ip")
        .args(["netns", "exec", &lab.target_ns, "python3"])
        .arg(repo().join("test-support/vulns-standins.py"))
        .arg(&der)
        .arg(format!("ticketbleed@{TICKETBLEED}:4433"))
        .arg(format!("ticketbleed-fixed@{TICKETBLEED_FIXED}:4433"))
        .arg(format!("sslv3@{SSLV3}:4433"))
        .arg(format!("fallback-scsv@{FALLBACK_SCSV}:4433"))
        .arg(format!("ntp-monlist@{MONLIST}:123"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let servers = StandIns(child);
    for i in 0.. {
        let tcp = in_target(lab, &["ss", "-Hltn", "sport = :4433"]);
        let udp = in_target(lab, &["ss", "-Hlun", "sport = :123"]);
        if tcp.lines().count() == 4 && udp.contains(&format!("{MONLIST}:123")) {
            break;
        }
        assert!(i < 100, "the stand-ins did not start:\n{tcp}{udp}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    servers
}

/// The `Banner on` lines of a scan with `args` (slowly, and waiting for the last replies).
fn banners(lab: &Lab, args: &[&str]) -> String {
    banner_lines(
        lab,
        &[args, &["--rate", "100", "--wait", "4", "--nostatus"]].concat(),
    )
}

/// The banner line of `kind` on ip:port/proto that starts with `starts`, or a panic.
fn line<'a>(out: &'a str, ip: &str, port: &str, kind: &str, starts: &str) -> &'a str {
    let prefix = format!("Banner on port {port} on {ip}: [{kind}] {starts}");
    out.lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no {prefix:?} line in:\n{out}"))
}

fn none_of(out: &str, ip: &str, kind: &str) {
    let what = format!(" on {ip}: [{kind}]");
    assert!(!out.contains(&what), "unexpected{what} in:\n{out}");
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn ticketbleed_poodle_and_monlist_find_the_flawed_stand_ins_only() {
    let lab = Lab::up(MASSCAN);
    let _servers = start_standins(&lab);
    let tls = format!("{TICKETBLEED},{TICKETBLEED_FIXED}");

    // --ticketbleed: the flawed stand-in echoes our 16-byte session id and 16 bytes of its
    // "memory" (the bytes past ours are the ticketbleed record, in base64); the fixed one
    // echoes ours as sent. Certificates are not captured.
    let out = banners(
        &lab,
        &[&tls, "-p4433", "--ticketbleed", "--capture", "ticketbleed"],
    );
    line(&out, TICKETBLEED, "4433/tcp", "vuln", "SSL[ticketbleed]");
    let leak = line(&out, TICKETBLEED, "4433/tcp", "ticketbleed", "");
    use base64::Engine;
    let b64 = leak.rsplit(' ').next().unwrap().trim();
    let leaked = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    assert_eq!(leaked, b"stand-in F5 memo", "{leak}");
    for ip in [TICKETBLEED, TICKETBLEED_FIXED] {
        line(&out, ip, "4433/tcp", "ssl", "TLS/1.2 cipher:0x");
    }
    none_of(&out, TICKETBLEED_FIXED, "vuln");
    none_of(&out, TICKETBLEED_FIXED, "ticketbleed");
    assert!(!out.contains("[X509]"), "no certificates: {out}");
    // --vuln ticketbleed is the same check (the leak not captured unless asked for).
    let out = banners(&lab, &[&tls, "-p4433", "--vuln", "ticketbleed"]);
    line(&out, TICKETBLEED, "4433/tcp", "vuln", "SSL[ticketbleed]");
    none_of(&out, TICKETBLEED, "ticketbleed");
    none_of(&out, TICKETBLEED_FIXED, "vuln");

    // --vuln poodle: the SSLv3-only stand-in accepts our SSLv3 hello; the one that speaks up
    // to TLS 1.2 refuses it for the TLS_FALLBACK_SCSV it carries (inappropriate_fallback),
    // which is the original's safe record. The ticketbleed stand-ins (TLS 1.2 only, which
    // answer an SSLv3 hello with a TLS 1.2 ServerHello) are not called POODLE.
    let out = banners(
        &lab,
        &[
            &format!("{SSLV3},{FALLBACK_SCSV},{TICKETBLEED}"),
            "-p4433",
            "--vuln",
            "poodle",
        ],
    );
    let ssl = line(&out, SSLV3, "4433/tcp", "ssl", "SSLv3 cipher:0xa");
    assert!(ssl.ends_with(", vulns.lab.masscan-rs.test"), "{ssl}");
    line(&out, SSLV3, "4433/tcp", "vuln", "SSL[v3] POODLE");
    none_of(&out, SSLV3, "safe");
    line(
        &out,
        FALLBACK_SCSV,
        "4433/tcp",
        "safe",
        "poodle[TLS_FALLBACK_SCSV]",
    );
    none_of(&out, FALLBACK_SCSV, "vuln");
    none_of(&out, TICKETBLEED, "vuln");
    assert!(!out.contains("[X509]"), "no certificates: {out}");
    // sslv3 is poodle's other name.
    let out = banners(&lab, &[SSLV3, "-p4433", "--vuln", "sslv3"]);
    line(&out, SSLV3, "4433/tcp", "vuln", "SSL[v3] POODLE");

    // --vuln ntp-monlist: U:123 without -p. The stand-in gives its 8 recent clients in two
    // datagrams (6 and 2 entries of 72 bytes); the lab's chronyd (198.18.1.15) does not speak
    // mode 7 and gives nothing; no TCP banner is grabbed.
    let o = lab.run(&[
        &format!("{MONLIST},198.18.1.15"),
        "--vuln",
        "ntp-monlist",
        "--rate",
        "100",
        "--wait",
        "3",
        "--nostatus",
    ]);
    ok(&o);
    let out = String::from_utf8_lossy(&o.stdout);
    line(
        &out,
        MONLIST,
        "123/udp",
        "ntp",
        "XNTPD MON_GETLIST_1 response-size=432-bytes more=true",
    );
    assert!(
        out.contains(&format!("Discovered open port 123/udp on {MONLIST}")),
        "{out}"
    );
    none_of(&out, "198.18.1.15", "ntp");
    assert!(!out.contains("/tcp"), "{out}");
}

//! Live scans in the lab (`scripts/lab.sh`): network namespaces joined by veth, addressed from
//! 198.18.0.0/15, with real servers. Every scan runs inside the lab's scanner namespace; each test
//! brings up its own lab under a unique name and takes it down even when it fails. Needs root
//! (network namespaces, AF_PACKET); without it these tests say so and do nothing.

mod common;

use common::is_root;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The lab tests measure rates: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A lab, taken down on drop (also when the test panics).
struct Lab {
    name: String,
    scan_ns: String,
    target_ns: String,
    target_if: String,
    dir: tempfile::TempDir,
    /// Held while the lab exists (dropped last): the lab tests measure rates, one at a time.
    _serial: std::sync::MutexGuard<'static, ()>,
}

impl Lab {
    fn up() -> Option<Lab> {
        Self::with_queues(1)
    }

    /// A lab whose scanner link has `queues` transmit and receive queues.
    fn with_queues(queues: usize) -> Option<Lab> {
        let serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        if !is_root() {
            eprintln!("lab tests skipped: they need root (network namespaces, AF_PACKET)");
            return None;
        }
        let o = Command::new(repo().join("scripts/lab.sh"))
            .arg("up")
            .env("LAB_QUEUES", queues.to_string())
            .stdin(Stdio::null())
            .output()
            .expect("run scripts/lab.sh");
        assert!(
            o.status.success(),
            "lab.sh up failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let text = String::from_utf8_lossy(&o.stdout).into_owned();
        let get = |k: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("{k}=")))
                .unwrap_or_else(|| panic!("lab.sh up printed no {k}: {text}"))
                .trim_matches('"')
                .to_string()
        };
        Some(Lab {
            name: get("LAB"),
            scan_ns: get("LAB_SCAN_NS"),
            target_ns: get("LAB_TARGET_NS"),
            target_if: get("LAB_TARGET_IF"),
            dir: tempfile::tempdir().unwrap(),
            _serial: serial,
        })
    }

    /// `masscan ARGS` in the scanner namespace, in this lab's directory.
    fn masscan(&self) -> Command {
        let mut c = Command::new("ip");
        c.args([
            "netns",
            "exec",
            &self.scan_ns,
            env!("CARGO_BIN_EXE_masscan"),
        ])
        .current_dir(self.dir.path())
        .env("MASSCAN_DEFAULT_CONF", "")
        .stdin(Stdio::null());
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.masscan().args(args).output().expect("run masscan")
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn router_mac(&self) -> String {
        let o = Command::new("ip")
            .args([
                "-n",
                &self.target_ns,
                "-br",
                "link",
                "show",
                &self.target_if,
            ])
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout)
            .split_whitespace()
            .nth(2)
            .unwrap()
            .to_string()
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let _ = Command::new(repo().join("scripts/lab.sh"))
            .args(["down", &self.name])
            .stdin(Stdio::null())
            .output();
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok(o: &Output) {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
    assert!(!stderr(o).contains("panicked"), "{}", stderr(o));
}

/// (status, port, ip) of every line of a `-oL` file.
/// The counters of receive core k's summary line (`rx-core K (cpu N): <counters>`).
fn rx_core_counts(err: &str, k: usize) -> &str {
    let head = format!("rx-core {k} (");
    err.lines()
        .find(|l| l.starts_with(&head) && !l.contains("banners:"))
        .and_then(|l| l.split_once("): "))
        .map(|(_, counts)| counts)
        .unwrap_or_else(|| panic!("no rx-core {k} line: {err}"))
}

fn list_file(path: &Path) -> BTreeSet<(String, u16, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.starts_with("#masscan\n"), "{text}");
    assert!(text.ends_with("# end\n"), "not closed: {text}");
    let mut set = BTreeSet::new();
    for l in text.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = l.split(' ').collect();
        assert_eq!(f.len(), 5, "bad list line {l:?}");
        assert_eq!(f[1], "tcp");
        f[4].parse::<u32>().expect("timestamp");
        set.insert((f[0].to_string(), f[2].parse().unwrap(), f[3].to_string()));
    }
    set
}

const SERVICE_PORTS: &str = "21,22,25,80,443,8080,11211";

/// What the lab's service hosts 198.18.1.1-5 have open on SERVICE_PORTS (8080 is open on
/// every address of the target namespace).
fn services_open() -> BTreeSet<(String, u16, String)> {
    let mut s = BTreeSet::new();
    for (ip, port) in [
        ("198.18.1.1", 80),
        ("198.18.1.1", 443),
        ("198.18.1.2", 22),
        ("198.18.1.3", 21),
        ("198.18.1.4", 11211),
    ] {
        s.insert(("open".to_string(), port, ip.to_string()));
    }
    for h in 1..=5 {
        s.insert(("open".to_string(), 8080, format!("198.18.1.{h}")));
    }
    s
}

#[test]
fn finds_exactly_the_open_ports_run_after_run() {
    let Some(lab) = Lab::up() else { return };
    let expect = services_open();
    for seed in ["1", "2", "3"] {
        let o = lab.run(&[
            "198.18.1.0-198.18.1.5",
            "-p",
            SERVICE_PORTS,
            "--rate",
            "2000",
            "--wait",
            "1",
            "--seed",
            seed,
            "-oL",
            "services.txt",
        ]);
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
fn af_packet_spreads_replies_over_several_receive_threads() {
    let Some(lab) = Lab::up() else { return };
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
        let open: u64 = line
            .split(", ")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(open > 0, "rx-core {k} found nothing: {line}");
        // A few frames of the target's ARP and IPv6 housekeeping are not ours; our own RSTs
        // (one per open port) must not come back through the fanout group.
        let not_ours: u64 = line
            .split(", ")
            .find(|f| f.ends_with(" not ours"))
            .and_then(|f| f.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap();
        assert!(
            not_ours < 100,
            "outgoing frames leaked into the fanout: {line}"
        );
    }
}

#[test]
fn scans_the_65536_address_block_at_100kpps_and_finds_every_open_port() {
    let Some(lab) = Lab::up() else { return };
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

fn union(sets: &[BTreeSet<(String, u16, String)>]) -> BTreeSet<(String, u16, String)> {
    sets.iter().flatten().cloned().collect()
}

#[test]
fn sigint_pause_and_resume_find_the_same_ports() {
    let Some(lab) = Lab::up() else { return };
    // 16,384 probes at 4,000 pps: about 4 s; interrupted after 1.5 s.
    let child = lab
        .masscan()
        .args([
            "198.19.0.0/18",
            "-p8080",
            "--rate",
            "4000",
            "--wait",
            "1",
            "--nostatus",
            "-oL",
            "paused.txt",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    send_signal(child.id(), "INT");
    let o = child.wait_with_output().unwrap();
    ok(&o);
    assert!(stderr(&o).contains("saving resume file to: paused.conf"));
    let first = list_file(&lab.path("paused.txt"));
    assert!(!first.is_empty() && first.len() < 16384, "{}", first.len());
    let o = lab.run(&["--resume", "paused.conf", "--rate", "50000", "--nostatus"]);
    ok(&o);
    // The resumed scan appended to the same file, which is still one valid list.
    let all = list_file(&lab.path("paused.txt"));
    assert_eq!(all.len(), 16384, "after resume");
    assert!(
        !lab.path("paused.conf").exists(),
        "a finished scan leaves no paused.conf"
    );
}

#[test]
fn sigkill_and_resume_from_the_checkpoint_find_the_same_ports() {
    let Some(lab) = Lab::up() else { return };
    // 32,768 probes at 4,000 pps: about 8 s; killed after 6 s (checkpoints every 2 s).
    let mut child = lab
        .masscan()
        .args([
            "198.19.0.0/17",
            "-p8080",
            "--rate",
            "4000",
            "--wait",
            "1",
            "--nostatus",
            "-oB",
            "killed.bin",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(6));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let conf = std::fs::read_to_string(lab.path("paused.conf")).expect("a checkpoint");
    assert!(conf.contains("resume-index = "), "{conf}");
    let o = lab.run(&["--resume", "paused.conf", "--rate", "50000", "--nostatus"]);
    ok(&o);
    // The binary file, killed without its trailer, was continued and closed.
    let o = lab.run(&["--readscan", "killed.bin", "-oL", "killed.txt"]);
    ok(&o);
    let found = list_file(&lab.path("killed.txt"));
    let mut expect = BTreeSet::new();
    for i in 0..32768u32 {
        let ip = std::net::Ipv4Addr::from(u32::from(std::net::Ipv4Addr::new(198, 19, 0, 0)) + i);
        expect.insert(("open".to_string(), 8080u16, ip.to_string()));
    }
    assert_eq!(union(&[found]), expect);
}

#[test]
fn spoofed_source_address_gets_replies_through_our_arp_answers() {
    let Some(lab) = Lab::up() else { return };
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
fn scans_ipv6_with_the_router_found_by_neighbour_discovery() {
    let Some(lab) = Lab::up() else { return };
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
fn reaches_hosts_on_its_own_subnet_by_their_own_mac() {
    let Some(lab) = Lab::up() else { return };
    // 198.18.0.3 sits on the scanner's segment behind the target namespace's bridge; the router
    // (198.18.0.1) does not forward, so a probe sent to the router's MAC never reaches it.
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
    assert!(stderr(&o).contains("[neighbours] 2 of 255 targets on the local subnet"));
}

#[test]
fn packet_trace_prints_every_packet() {
    let Some(lab) = Lab::up() else { return };
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
    let err = stderr(&o);
    let sent = err.lines().filter(|l| l.starts_with("SENT")).count();
    // (ARP traffic of the target's kernel may be received too: count the replies to our SYNs.)
    let rcvd = err
        .lines()
        .filter(|l| l.starts_with("RCVD") && l.contains(" 198.18.1.1:"))
        .count();
    // Two SYNs and the RST answering the SYN-ACK; the SYN-ACK and the RST-ACK back.
    assert_eq!((sent, rcvd), (3, 2), "{err}");
    assert!(err.contains("> 198.18.1.1:80 SYN seq="), "{err}");
    assert!(err.contains("198.18.1.1:80 > 198.18.0.2:"), "{err}");
}

#[test]
fn faults_give_one_clear_line() {
    let Some(lab) = Lab::up() else { return };
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
        .args([
            "netns",
            "exec",
            &lab.target_ns,
            env!("CARGO_BIN_EXE_masscan"),
        ])
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
        .args([
            "--clear-groups",
            "--inh-caps=-all",
            env!("CARGO_BIN_EXE_masscan"),
        ])
        .args(["198.18.1.1", "-p80"])
        .env("MASSCAN_DEFAULT_CONF", "")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    one_line(&o, "CAP_NET_RAW");
}

/// Starts a scan of 16,384 addresses at 4,000 pps (about 4 s) with extra arguments.
fn slow_scan(lab: &Lab, extra: &[&str]) -> std::process::Child {
    lab.masscan()
        .args([
            "198.19.0.0/18",
            "-p8080",
            "--rate",
            "4000",
            "--wait",
            "1",
            "--nostatus",
        ])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn python_parses_xml(path: &Path) -> bool {
    Command::new("python3")
        .args([
            "-c",
            "import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])",
            path.to_str().unwrap(),
        ])
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// Checks a closed output file of `format` with a real consumer or its line grammar; returns
/// the number of results in it.
fn check_output(lab: &Lab, format: &str, path: &Path) -> usize {
    let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
    match format {
        "json" => {
            let v: serde_json::Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{}: invalid JSON: {e}", path.display()));
            v.as_array().unwrap().len()
        }
        "ndjson" => text
            .lines()
            .inspect(|l| {
                serde_json::from_str::<serde_json::Value>(l).expect("an NDJSON line");
            })
            .count(),
        "xml" => {
            assert!(
                python_parses_xml(path),
                "{} is not well-formed XML",
                path.display()
            );
            text.matches("<host ").count()
        }
        "list" => list_file(path).len(),
        "grepable" => {
            assert!(text.starts_with("# Masscan "), "{text}");
            assert!(text
                .lines()
                .last()
                .unwrap()
                .starts_with("# Masscan done at "));
            text.lines()
                .filter(|l| !l.starts_with('#'))
                .inspect(|l| {
                    assert!(
                        l.starts_with("Timestamp: ")
                            && l.contains("\tHost: ")
                            && l.contains("\tPorts: 8080/open/tcp/"),
                        "grepable line {l:?}"
                    )
                })
                .count()
        }
        "unicornscan" => {
            assert!(text.ends_with("# end\n"), "{text}");
            text.lines().filter(|l| !l.starts_with('#')).count()
        }
        "hostonly" => text
            .lines()
            .inspect(|l| {
                l.parse::<std::net::IpAddr>().expect("an address per line");
            })
            .count(),
        "binary" => {
            let o = lab.run(&["--readscan", path.to_str().unwrap()]);
            ok(&o);
            String::from_utf8_lossy(&o.stdout).lines().count()
        }
        f => panic!("format {f}"),
    }
}

const FORMATS: [(&str, &str); 8] = [
    ("-oX", "xml"),
    ("-oJ", "json"),
    ("-oD", "ndjson"),
    ("-oG", "grepable"),
    ("-oL", "list"),
    ("-oB", "binary"),
    ("-oU", "unicornscan"),
    ("-oH", "hostonly"),
];

#[test]
fn a_scan_interrupted_by_sigint_leaves_every_output_file_valid() {
    let Some(lab) = Lab::up() else { return };
    for (flag, format) in FORMATS {
        let name = format!("interrupted.{format}");
        let child = slow_scan(&lab, &[flag, &name]);
        std::thread::sleep(Duration::from_millis(2000));
        send_signal(child.id(), "INT");
        let o = child.wait_with_output().unwrap();
        ok(&o);
        let n = check_output(&lab, format, &lab.path(&name));
        assert!(n > 0 && n < 16384, "{format}: {n} results: {}", stderr(&o));
        std::fs::remove_file(lab.path("paused.conf")).unwrap();
    }
}

#[test]
fn rotation_closes_each_file_validly_and_loses_nothing() {
    let Some(lab) = Lab::up() else { return };
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
fn interactive_prints_results_while_writing_a_file() {
    let Some(lab) = Lab::up() else { return };
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

/// RSTs from the scanner's address seen on the target side during `scan`, split by TTL: the
/// scanner's own (TTL 255, answering each SYN-ACK) and its kernel's (TTL 64: it saw a SYN-ACK
/// for a connection it never opened).
fn rsts_seen_by_target(lab: &Lab, scan: &[&str]) -> (usize, usize) {
    let dump = Command::new("ip")
        .args([
            "netns",
            "exec",
            &lab.target_ns,
            "tcpdump",
            "-l",
            "-n",
            "-v",
            "-i",
            "br0",
        ])
        .args(["src 198.18.0.2 and tcp[tcpflags] & tcp-rst != 0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("tcpdump (scripts/setup.sh installs it)");
    std::thread::sleep(Duration::from_millis(1000));
    let o = lab.run(scan);
    ok(&o);
    std::thread::sleep(Duration::from_millis(500));
    send_signal(dump.id(), "INT");
    let out = dump.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let ours = text.matches("ttl 255").count();
    let kernel = text.matches("ttl 64").count();
    (ours, kernel)
}

#[test]
fn with_af_xdp_the_kernel_never_answers_our_replies() {
    let Some(lab) = Lab::up() else { return };
    let scan = |driver: &'static str, file: &'static str| {
        vec![
            "198.18.1.1-198.18.1.5",
            "-p",
            SERVICE_PORTS,
            "--rate",
            "1000",
            "--wait",
            "1",
            "--driver",
            driver,
            "-oL",
            file,
        ]
    };
    let (ours, kernel) = rsts_seen_by_target(&lab, &scan("afxdp", "xdp.txt"));
    assert_eq!(list_file(&lab.path("xdp.txt")), services_open());
    assert_eq!(kernel, 0, "AF_XDP: the kernel sent RSTs");
    assert!(ours >= services_open().len(), "our own RSTs: {ours}");
    // The same scan through AF_PACKET: the kernel sees the SYN-ACKs and answers them.
    let (_, kernel) = rsts_seen_by_target(&lab, &scan("afpacket", "pkt.txt"));
    assert_eq!(list_file(&lab.path("pkt.txt")), services_open());
    assert!(
        kernel >= services_open().len(),
        "AF_PACKET: {kernel} kernel RSTs"
    );
}

fn xdp_attached(lab: &Lab) -> bool {
    let o = Command::new("ip")
        .args(["-n", &lab.scan_ns, "link", "show"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&o.stdout).contains("prog/xdp")
}

#[test]
fn during_an_af_xdp_scan_other_traffic_works_and_a_kill_leaves_no_program() {
    let Some(lab) = Lab::up() else { return };
    let mut child = slow_scan(&lab, &["--driver", "afxdp", "-oL", "x.txt"]);
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        xdp_attached(&lab),
        "the steering program is attached while scanning"
    );
    // The host's own TCP traffic from the same address goes on meanwhile.
    for _ in 0..3 {
        let http = Command::new("ip")
            .args(["netns", "exec", &lab.scan_ns, "python3", "-c"])
            .arg(
                "import socket; s=socket.create_connection(('198.18.1.1',80),3); \
                 s.sendall(b'GET / HTTP/1.0\\r\\n\\r\\n'); print(s.recv(100).decode().split()[1])",
            )
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&http.stdout).trim(),
            "200",
            "{}",
            String::from_utf8_lossy(&http.stderr)
        );
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        !xdp_attached(&lab),
        "an XDP program outlived the killed scan"
    );
    // A scan that ends normally leaves none either.
    let o = lab.run(&["198.18.1.1", "-p80", "--driver", "afxdp", "--wait", "0"]);
    ok(&o);
    assert!(!xdp_attached(&lab));
    assert!(stderr(&o).contains("steered to AF_XDP"), "{}", stderr(&o));
}

/// Sends a signal by name with kill(1).
fn send_signal(pid: u32, sig: &str) {
    let s = Command::new("kill")
        .args([&format!("-{sig}"), &pid.to_string()])
        .status()
        .unwrap();
    assert!(s.success());
}

/// Every banner server of the lab, and what its banner must contain.
const BANNER_PORTS: &str = "21,22,23,25,80,110,143,443,445,3389,5900,11211";

fn banner_expectations() -> Vec<(&'static str, u16, &'static str, Vec<&'static str>)> {
    vec![
        ("198.18.1.1", 80, "http.server", vec!["nginx/1."]),
        ("198.18.1.1", 80, "title", vec!["masscan-rs lab"]),
        (
            "198.18.1.1",
            80,
            "http",
            vec!["HTTP/1.1 200 OK", "Server: nginx"],
        ),
        (
            "198.18.1.1",
            443,
            "ssl",
            vec![
                "TLS/1.",
                " cipher:0x",
                "subject: O=masscan-rs lab, CN=lab.masscan-rs.test",
                "SAN: lab.masscan-rs.test www.lab.masscan-rs.test 198.18.1.1",
                "issuer: O=masscan-rs lab, CN=lab.masscan-rs.test",
            ],
        ),
        ("198.18.1.1", 443, "X509", vec!["MII"]),
        ("198.18.1.2", 22, "ssh", vec!["SSH-2.0-OpenSSH_"]),
        (
            "198.18.1.3",
            21,
            "ftp",
            vec!["220 masscan-rs lab FTP server"],
        ),
        (
            "198.18.1.4",
            11211,
            "memcached",
            vec!["uptime=", "version=1."],
        ),
        (
            "198.18.1.6",
            25,
            "smtp",
            vec!["220 ", "250-STARTTLS", "220 Ready to start TLS"],
        ),
        (
            "198.18.1.7",
            110,
            "pop",
            vec!["+OK masscan-rs lab mail ready.", "STLS"],
        ),
        (
            "198.18.1.7",
            143,
            "imap",
            vec![
                "* OK [CAPABILITY IMAP4rev1",
                "STARTTLS",
                "masscan-rs lab mail ready.",
            ],
        ),
        // After STARTTLS/STLS the mail servers' certificate (the lab's one).
        (
            "198.18.1.6",
            25,
            "ssl",
            vec!["TLS/1.", "CN=lab.masscan-rs.test"],
        ),
        (
            "198.18.1.7",
            110,
            "ssl",
            vec!["TLS/1.", "CN=lab.masscan-rs.test"],
        ),
        (
            "198.18.1.7",
            143,
            "ssl",
            vec!["TLS/1.", "CN=lab.masscan-rs.test"],
        ),
        ("198.18.1.8", 23, "telnet", vec!["login:", "options: "]),
        (
            "198.18.1.9",
            445,
            "smb",
            vec!["SMB 3.", "signing ", "computer LABSMB"],
        ),
        (
            "198.18.1.10",
            3389,
            "rdp",
            vec!["X.224 connection confirmed, selected protocol: TLS"],
        ),
        ("198.18.1.11", 5900, "vnc", vec!["RFB 003.00"]),
        ("198.18.1.11", 5900, "vnc-info", vec!["security: None(1)"]),
    ]
}

/// Checks the console's banner lines against [`banner_expectations`] (only those whose port
/// is in `ports`).
fn check_banners(stdout: &str, ports: &[u16]) {
    for (ip, port, kind, needles) in banner_expectations() {
        if !ports.contains(&port) {
            continue;
        }
        let prefix = format!("Banner on port {port}/tcp on {ip}: [{kind}] ");
        let line = stdout
            .lines()
            .find(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| panic!("no {prefix:?} line in:\n{stdout}"));
        for n in needles {
            assert!(line.contains(n), "{line:?} lacks {n:?}");
        }
    }
}

/// A scan of every banner server with `extra` options; checks its console's banner lines and
/// that the stated driver ran. Returns the scan's stdout.
fn scan_every_banner_server(lab: &Lab, driver: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "198.18.1.1-198.18.1.11",
        "-p",
        BANNER_PORTS,
        "--banners",
        "--rate",
        "2000",
        "--wait",
        "4",
        "--nostatus",
    ];
    args.extend_from_slice(extra);
    let o = lab.run(&args);
    ok(&o);
    let err = stderr(&o);
    assert!(err.contains(&format!("[{driver}]")), "{err}");
    assert!(err.contains(" 0 refused"), "{err}");
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let ports: Vec<u16> = BANNER_PORTS
        .split(',')
        .map(|p| p.parse().unwrap())
        .collect();
    check_banners(&out, &ports);
    out
}

#[test]
fn banners_from_every_lab_server_through_af_xdp_from_our_own_address() {
    let Some(lab) = Lab::up() else { return };
    let out = scan_every_banner_server(
        &lab,
        "afxdp",
        &["--interactive", "-oB", "banners.bin", "-oJ", "banners.json"],
    );
    // The files hold the same banners: the binary file read back gives the console's lines,
    // and the JSON file is one valid array with a banner entry per banner line.
    let back = lab.run(&["--readscan", "banners.bin"]);
    ok(&back);
    let banner_lines = |t: &str| -> BTreeSet<String> {
        t.lines()
            .filter(|l| l.starts_with("Banner on"))
            .map(|l| l.trim_end().to_string())
            .collect()
    };
    assert_eq!(
        banner_lines(&String::from_utf8_lossy(&back.stdout)),
        banner_lines(&out)
    );
    let json = Command::new("python3")
        .args([
            "-c",
            "import json,sys; d=json.load(open(sys.argv[1])); \
             print(sum(1 for r in d for p in r['ports'] if 'service' in p))",
            lab.path("banners.json").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        json.status.success(),
        "{}",
        String::from_utf8_lossy(&json.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&json.stdout).trim(),
        banner_lines(&out).len().to_string()
    );
}

/// A server that sends without end is cut off at the byte cap, one that trickles a byte a
/// second at the connection timeout; the scan ends on time and reports both.
#[test]
fn hostile_servers_are_cut_off_and_the_scan_goes_on() {
    let Some(lab) = Lab::up() else { return };
    let t0 = Instant::now();
    let o = lab.run(&[
        "198.18.1.12,198.18.1.2",
        "-p9000,9001,22",
        "--banners",
        "--banner-bytes",
        "2000",
        "--connection-timeout",
        "4",
        "--rate",
        "100",
        "--wait",
        "6",
        "--nostatus",
    ]);
    let took = t0.elapsed();
    ok(&o);
    let out = String::from_utf8_lossy(&o.stdout);
    let last_word_len = |l: &str| l.trim_end().rsplit(' ').next().unwrap_or("").len();
    let flood = out
        .lines()
        .find(|l| l.starts_with("Banner on port 9000/tcp on 198.18.1.12: [heur] xxx"))
        .unwrap_or_else(|| panic!("no flood banner: {out}"));
    let kept = last_word_len(flood);
    assert!(
        (1000..=2000).contains(&kept),
        "kept {kept} bytes of the flood"
    );
    let trickle = out
        .lines()
        .find(|l| l.starts_with("Banner on port 9001/tcp on 198.18.1.12: [heur] t"))
        .unwrap_or_else(|| panic!("no trickle banner: {out}"));
    let kept = last_word_len(trickle);
    assert!(
        (2..=6).contains(&kept),
        "trickle kept {kept} bytes: {trickle}"
    );
    check_banners(&out, &[22]);
    assert!(stderr(&o).contains(" 1 timed out"), "{}", stderr(&o));
    assert!(
        took < Duration::from_secs(10),
        "took {took:?} with --wait 6"
    );
}

#[test]
fn banners_through_af_packet_with_a_spoofed_source_address() {
    let Some(lab) = Lab::up() else { return };
    let router = lab.router_mac();
    scan_every_banner_server(
        &lab,
        "afpacket",
        &[
            "--driver",
            "afpacket",
            "--adapter-ip",
            "198.18.0.77",
            "--router-mac",
            &router,
        ],
    );
}

/// Nothing but our own connections on the link: the client-first banners still come (the
/// stack's timers run from the clock) and the scan ends when --wait says.
#[test]
fn on_a_quiet_link_http_tls_and_memcached_banners_arrive_and_the_scan_ends_on_time() {
    let Some(lab) = Lab::up() else { return };
    let t0 = Instant::now();
    let o = lab.run(&[
        "198.18.1.1,198.18.1.4",
        "-p80,443,11211",
        "--banners",
        "--rate",
        "100",
        "--wait",
        "3",
        "--nostatus",
    ]);
    let took = t0.elapsed();
    ok(&o);
    check_banners(&String::from_utf8_lossy(&o.stdout), &[80, 443, 11211]);
    assert!(took < Duration::from_secs(6), "took {took:?} with --wait 3");
}

/// One banner scan writes every format at once; each file is read by a real consumer: the
/// Nmap-XML variant by xmllint against Nmap's DTD, -oX by an XML parser, JSON and NDJSON by
/// Python's json, grepable and list by their line grammar, -oB by our --readscan.
#[test]
fn every_format_of_a_banner_scan_is_read_by_a_real_consumer() {
    let Some(lab) = Lab::up() else { return };
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

/// AF_XDP on a link with two queues: a socket, a transmit and a receive thread per queue; both
/// receive queues get replies and every open port is found.
#[test]
fn af_xdp_uses_every_queue_of_a_multi_queue_link() {
    let Some(lab) = Lab::with_queues(2) else {
        return;
    };
    // Two threads each way, pinned by core lists where the machine has two CPUs.
    let two_cpus = std::thread::available_parallelism().is_ok_and(|n| n.get() >= 2);
    let threads: &[&str] = if two_cpus {
        &["--tx-cores", "1,0", "--rx-cores", "0,1"]
    } else {
        &["--tx-threads", "2", "--rx-threads", "2"]
    };
    let mut args = vec!["198.19.0.0/20", "-p8080", "--rate", "20000"];
    args.extend_from_slice(threads);
    args.extend_from_slice(&["--wait", "2", "-v", "-oL", "queues.txt"]);
    let o = lab.run(&args);
    ok(&o);
    let err = stderr(&o);
    if two_cpus {
        for line in [
            "tx-core 0 (cpu 1)",
            "tx-core 1 (cpu 0)",
            "rx-core 0 (cpu 0)",
            "rx-core 1 (cpu 1)",
        ] {
            assert!(err.contains(line), "no '{line}': {err}");
        }
    }
    assert!(err.contains("[driver] afxdp (2 queue(s)"), "{err}");
    let found = list_file(&lab.path("queues.txt"));
    assert_eq!(found.len(), 4096, "{err}");
    for k in 0..2 {
        let frames: u64 = rx_core_counts(&err, k)
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(frames > 100, "queue {k} received {frames} frames: {err}");
        assert!(
            err.contains(&format!("tx-core {k} ")),
            "no tx-core {k}: {err}"
        );
    }
    // With more threads than queues AF_XDP says what to do.
    let o = lab.run(&["198.19.0.1", "-p80", "--tx-threads", "3"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("has 2 queue(s)"), "{}", stderr(&o));
}

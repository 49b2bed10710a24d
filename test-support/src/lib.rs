//! Test support shared by the integration tests of `cli` and `ebpf` (dev-only): the root
//! check, and the lab (`scripts/lab.sh`): a guard that brings up network namespaces joined by
//! veth, addressed from 198.18.0.0/15, with real servers, runs `masscan` inside the scanner
//! namespace, and takes everything down on drop (also when a test panics); plus the lab's
//! expected services and the checks the lab tests share.

#![forbid(unsafe_code)]

pub mod binfile;
pub mod packets;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;
use std::time::Duration;

/// Whether the tests run as root (network namespaces, AF_PACKET and BPF need it).
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

/// Why a lab test is ignored unless asked for.
pub const LAB_IGNORED: &str = "lab: needs root; ./scripts/test.sh runs it";

/// The lab tests measure rates: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A lab, taken down on drop (also when the test panics).
pub struct Lab {
    pub name: String,
    pub scan_ns: String,
    /// The scanner's end of its link (in `scan_ns`).
    pub scan_if: String,
    pub target_ns: String,
    pub target_if: String,
    /// The scanner's end of the second link (198.18.2.2, router 198.18.2.1), in labs made
    /// with [`Lab::with_two_links`].
    pub scan_if2: Option<String>,
    pub dir: tempfile::TempDir,
    /// The `masscan` binary under test.
    pub bin: PathBuf,
    /// Held while the lab exists (dropped last): the lab tests measure rates, one at a time.
    _serial: std::sync::MutexGuard<'static, ()>,
}

impl Lab {
    /// A lab with one queue per link; `bin` is the `masscan` binary under test. Panics
    /// without root: lab tests are `#[ignore]`d, and run only when asked to (as root).
    pub fn up(bin: &str) -> Lab {
        Self::with_queues(bin, 1)
    }

    /// A lab whose scanner link has `queues` transmit and receive queues.
    pub fn with_queues(bin: &str, queues: usize) -> Lab {
        Self::make(bin, queues, 1, false)
    }

    /// A lab with a second link from the scanner to the targets (`LAB_LINKS=2`).
    pub fn with_two_links(bin: &str) -> Lab {
        Self::make(bin, 1, 2, false)
    }

    /// A lab with the depth servers too (`LAB_DEPTH=1`: mosquitto, PostgreSQL, MariaDB and the
    /// AMQP and Modbus stand-ins on 198.18.1.40-45), which the other tests do without.
    pub fn with_depth_servers(bin: &str) -> Lab {
        Self::make(bin, 1, 1, true)
    }

    /// A lab with the BACnet/IP and DNP3 stand-ins too (`LAB_BACNET=1`, 198.18.1.65-67) and
    /// nginx's redirect of `/moved` on 198.18.1.1.
    pub fn with_bacnet_servers(bin: &str) -> Lab {
        Self::make_with(bin, 1, 1, false, (true, false))
    }

    /// A lab with the industrial stand-ins too (`LAB_INDUSTRIAL=1`: EtherNet/IP, Niagara Fox
    /// and S7comm on 198.18.1.60-62).
    pub fn with_industrial_servers(bin: &str) -> Lab {
        Self::make_with(bin, 1, 1, false, (false, true))
    }

    fn make(bin: &str, queues: usize, links: usize, depth: bool) -> Lab {
        Self::make_with(bin, queues, links, depth, (false, false))
    }

    /// `bacnet`, `industrial`: which of those stand-ins start too.
    fn make_with(
        bin: &str,
        queues: usize,
        links: usize,
        depth: bool,
        (bacnet, industrial): (bool, bool),
    ) -> Lab {
        let serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        assert!(
            is_root(),
            "lab tests need root (network namespaces, AF_PACKET, BPF): run ./scripts/test.sh as root"
        );
        let o = Command::new(repo().join("scripts/lab.sh"))
            .arg("up")
            .env("LAB_QUEUES", queues.to_string())
            .env("LAB_LINKS", links.to_string())
            .env("LAB_DEPTH", if depth { "1" } else { "0" })
            .env("LAB_BACNET", if bacnet { "1" } else { "0" })
            .env("LAB_INDUSTRIAL", if industrial { "1" } else { "0" })
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
        Lab {
            name: get("LAB"),
            scan_ns: get("LAB_SCAN_NS"),
            scan_if: get("LAB_IF"),
            target_ns: get("LAB_TARGET_NS"),
            target_if: get("LAB_TARGET_IF"),
            scan_if2: (links > 1).then(|| get("LAB_IF2")),
            dir: tempfile::tempdir().unwrap(),
            bin: PathBuf::from(bin),
            _serial: serial,
        }
    }

    /// `masscan ARGS` in the scanner namespace, in this lab's directory.
    pub fn masscan(&self) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.scan_ns])
            .arg(&self.bin)
            .current_dir(self.dir.path())
            .env("MASSCAN_DEFAULT_CONF", "")
            .stdin(Stdio::null());
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.masscan().args(args).output().expect("run masscan")
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn router_mac(&self) -> String {
        mac_of(&self.target_ns, &self.target_if)
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

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn ok(o: &Output) {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
    assert!(!stderr(o).contains("panicked"), "{}", stderr(o));
}

/// (status, port, ip) of every line of a `-oL` file.
/// The counters of receive core k's summary line (`rx-core K (cpu N): <counters>`).
pub fn rx_core_counts(err: &str, k: usize) -> &str {
    let head = format!("rx-core {k} (");
    err.lines()
        .find(|l| l.starts_with(&head) && !l.contains("banners:"))
        .and_then(|l| l.split_once("): "))
        .map(|(_, counts)| counts)
        .unwrap_or_else(|| panic!("no rx-core {k} line: {err}"))
}

pub fn list_file(path: &Path) -> BTreeSet<(String, u16, String)> {
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

pub const SERVICE_PORTS: &str = "21,22,25,80,443,8080,11211";

/// What the lab's service hosts 198.18.1.1-5 have open on SERVICE_PORTS (8080 is open on
/// every address of the target namespace).
pub fn services_open() -> BTreeSet<(String, u16, String)> {
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

pub fn union(sets: &[BTreeSet<(String, u16, String)>]) -> BTreeSet<(String, u16, String)> {
    sets.iter().flatten().cloned().collect()
}

/// Scans the lab's service hosts (198.18.1.0-198.18.1.5) on SERVICE_PORTS at 2,000 pps, with
/// extra arguments (outputs), and waits for it.
pub fn scan_services(lab: &Lab, extra: &[&str]) -> Output {
    let mut args = vec![
        "198.18.1.0-198.18.1.5",
        "-p",
        SERVICE_PORTS,
        "--rate",
        "2000",
        "--wait",
        "1",
    ];
    args.extend_from_slice(extra);
    lab.run(&args)
}

/// Starts a scan of 16,384 addresses at 4,000 pps (about 4 s) with extra arguments.
pub fn slow_scan(lab: &Lab, extra: &[&str]) -> std::process::Child {
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

pub fn python_parses_xml(path: &Path) -> bool {
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
pub fn check_output(lab: &Lab, format: &str, path: &Path) -> usize {
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

pub const FORMATS: [(&str, &str); 8] = [
    ("-oX", "xml"),
    ("-oJ", "json"),
    ("-oD", "ndjson"),
    ("-oG", "grepable"),
    ("-oL", "list"),
    ("-oB", "binary"),
    ("-oU", "unicornscan"),
    ("-oH", "hostonly"),
];

/// RSTs from the scanner's address seen on the target side during `scan`, split by TTL: the
/// scanner's own (TTL 255, answering each SYN-ACK) and its kernel's (TTL 64: it saw a SYN-ACK
/// for a connection it never opened).
pub fn rsts_seen_by_target(lab: &Lab, scan: &[&str]) -> (usize, usize) {
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

pub fn xdp_attached(lab: &Lab) -> bool {
    let o = Command::new("ip")
        .args(["-n", &lab.scan_ns, "link", "show"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&o.stdout).contains("prog/xdp")
}

impl Lab {
    /// Frames sent so far by `ifname` in the scanner's namespace.
    pub fn tx_packets(&self, ifname: &str) -> u64 {
        let path = format!("/sys/class/net/{ifname}/statistics/tx_packets");
        let o = Command::new("ip")
            .args(["netns", "exec", &self.scan_ns, "cat", &path])
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).trim().parse().unwrap()
    }

    /// Frames the lab's link lost where the scanner cannot see it, counted by the kernel so
    /// far: drops at both ends of the veth (its XDP ring full, counted on the sending side)
    /// and in the per-CPU input backlogs (`/proc/net/softnet_stat`, machine-wide). A test
    /// takes the difference over a scan.
    pub fn link_drops(&self) -> u64 {
        let mut total = 0;
        for (ns, dev) in [
            (&self.scan_ns, &self.scan_if),
            (&self.target_ns, &self.target_if),
        ] {
            for stat in ["rx_dropped", "tx_dropped"] {
                let path = format!("/sys/class/net/{dev}/statistics/{stat}");
                let o = Command::new("ip")
                    .args(["netns", "exec", ns, "cat", &path])
                    .output()
                    .unwrap();
                total += String::from_utf8_lossy(&o.stdout)
                    .trim()
                    .parse::<u64>()
                    .unwrap_or(0);
            }
        }
        let softnet = std::fs::read_to_string("/proc/net/softnet_stat").unwrap_or_default();
        total
            + softnet
                .lines()
                .filter_map(|l| l.split_whitespace().nth(1))
                .filter_map(|d| u64::from_str_radix(d, 16).ok())
                .sum::<u64>()
    }
}

/// Returns once the scan `child` (just started) has sent a few hundred frames on the lab's
/// scanner link, so that a test times its signal from the scan's start and not from a guess
/// at how long the set-up takes on a loaded machine. Panics if the scan ends first or has not
/// started after 30 s.
pub fn wait_until_sending(lab: &Lab, child: &mut std::process::Child) {
    let before = lab.tx_packets(&lab.scan_if);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while lab.tx_packets(&lab.scan_if) < before + 200 {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the scan ended ({status}) before it was seen sending");
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the scan sent nothing in 30 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Sends a signal by name with kill(1).
pub fn send_signal(pid: u32, sig: &str) {
    let s = Command::new("kill")
        .args([&format!("-{sig}"), &pid.to_string()])
        .status()
        .unwrap();
    assert!(s.success());
}

/// Every banner server of the lab, and what its banner must contain.
pub const BANNER_PORTS: &str = "21,22,23,25,80,110,143,443,445,3389,5900,11211";

pub fn banner_expectations() -> Vec<(&'static str, u16, &'static str, Vec<&'static str>)> {
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
                "TLS/1.2 cipher:0xc0",
                ", lab.masscan-rs.test, lab.masscan-rs.test, www.lab.masscan-rs.test",
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
            vec!["TLS/1.", ", lab.masscan-rs.test, lab.masscan-rs.test"],
        ),
        (
            "198.18.1.7",
            110,
            "ssl",
            vec!["TLS/1.", ", lab.masscan-rs.test, lab.masscan-rs.test"],
        ),
        (
            "198.18.1.7",
            143,
            "ssl",
            vec!["TLS/1.", ", lab.masscan-rs.test, lab.masscan-rs.test"],
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

/// The console's "Discovered open port ..." lines of a scan, without the prefix.
pub fn open_port_lines(stdout: &str) -> BTreeSet<String> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("Discovered open port "))
        .map(|l| l.trim_end().to_string())
        .collect()
}

/// Checks the console's banner lines against [`banner_expectations`] (only those whose port
/// is in `ports`).
pub fn check_banners(stdout: &str, ports: &[u16]) {
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
pub fn scan_every_banner_server(lab: &Lab, driver: &str, extra: &[&str]) -> String {
    scan_every_banner_server_with(lab, driver, extra, &[]).0
}

/// [`scan_every_banner_server`] with `env` set for masscan (e.g. `LD_LIBRARY_PATH`); returns
/// the scan's stdout and stderr.
pub fn scan_every_banner_server_with(
    lab: &Lab,
    driver: &str,
    extra: &[&str],
    env: &[(&str, &Path)],
) -> (String, String) {
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
    let mut cmd = lab.masscan();
    cmd.args(&args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = cmd.output().expect("run masscan");
    ok(&o);
    let err = stderr(&o);
    assert!(err.contains(&format!("[{driver}]")), "{err}");
    assert!(err.contains(" 0 refused"), "{err}");
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    check_banners(&out, &banner_ports());
    (out, err)
}

/// [`BANNER_PORTS`] as numbers.
pub fn banner_ports() -> Vec<u16> {
    BANNER_PORTS
        .split(',')
        .map(|p| p.parse().unwrap())
        .collect()
}

/// Builds the PF_RING stand-in (`test-support/pfring-standin.c`: libpfring.so's functions over
/// an AF_PACKET socket) as DIR/libpfring.so; with `define`, as a library that does not say it
/// is a stand-in. Returns DIR, for `LD_LIBRARY_PATH`.
pub fn build_pfring_standin(dir: &Path, define: Option<&str>) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let mut cc = Command::new("cc");
    cc.args(["-shared", "-fPIC", "-O2", "-Wall", "-o"])
        .arg(dir.join("libpfring.so"))
        .arg(repo().join("test-support/pfring-standin.c"));
    if let Some(d) = define {
        cc.arg(format!("-D{d}"));
    }
    let o = cc.output().expect("cc (build-essential)");
    assert!(o.status.success(), "{}", stderr(&o));
    dir.to_path_buf()
}

/// The MAC of interface `dev` in namespace `ns`, as `ip -br link` prints it.
pub fn mac_of(ns: &str, dev: &str) -> String {
    let o = Command::new("ip")
        .args(["-n", ns, "-br", "link", "show", dev])
        .output()
        .expect("run ip link");
    String::from_utf8_lossy(&o.stdout)
        .split_whitespace()
        .nth(2)
        .unwrap_or_default()
        .to_string()
}

//! The steering program on a real interface: the lab's scanner veth (scripts/lab.sh). Attaches
//! through a BPF link, classifies the scan's frames and only those, leaves other traffic working,
//! and disappears from the interface when its process is killed with SIGKILL. Needs root.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use masscan_test_support::is_root;

struct Lab(String);

impl Drop for Lab {
    fn drop(&mut self) {
        let _ = Command::new(lab_sh()).args(["down", &self.0]).output();
    }
}

fn lab_sh() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/lab.sh")
}

fn xdp_prog_on(ns: &str, ifname: &str) -> bool {
    let o = Command::new("ip")
        .args(["-n", ns, "link", "show", ifname])
        .output()
        .unwrap();
    String::from_utf8_lossy(&o.stdout).contains("prog/xdp")
}

/// (seen, ours, steered, passed) from a counters line.
fn parse(line: &str) -> Option<[u64; 4]> {
    let f: Vec<&str> = line.split_whitespace().collect();
    if f.len() != 8 || f[0] != "seen" {
        return None;
    }
    Some([f[1], f[3], f[5], f[7]].map(|v| v.parse().unwrap()))
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn steers_only_our_frames_and_goes_away_with_its_process() {
    assert!(
        is_root(),
        "needs root (network namespaces, BPF): run ./scripts/test.sh as root"
    );
    assert!(masscan_ebpf::built_with_xdp());
    let o = Command::new(lab_sh())
        .arg("up")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    let get = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{k}=")))
            .unwrap()
            .to_string()
    };
    let lab = Lab(get("LAB"));
    let (scan, tgt, ifname) = (get("LAB_SCAN_NS"), get("LAB_TARGET_NS"), get("LAB_IF"));

    // Source ports 61000-61015: outside the kernel's ephemeral range, so the HTTP connection
    // below is not the scan's.
    let mut child = Command::new("ip")
        .args([
            "netns",
            "exec",
            &scan,
            env!("CARGO_BIN_EXE_masscan-xdp-steer"),
        ])
        .args([&ifname, "198.18.0.2", "61000", "16", "30"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel::<String>();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap_or_default()).is_err() {
                break;
            }
        }
    });
    let first = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("attached line");
    assert!(
        first.starts_with(&format!("attached to {ifname} in ")),
        "{first}"
    );
    assert!(xdp_prog_on(&scan, &ifname));

    // Other traffic keeps working: an HTTP request from the scanner to the lab's nginx.
    let http = Command::new("ip")
        .args(["netns", "exec", &scan, "python3", "-c"])
        .arg(
            "import socket; s=socket.create_connection(('198.18.1.1',80),3); \
             s.sendall(b'GET / HTTP/1.0\\r\\n\\r\\n'); print(s.recv(100).decode().split()[1])",
        )
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&http.stdout).trim(), "200");

    let latest = |rx: &mpsc::Receiver<String>| {
        std::thread::sleep(Duration::from_millis(600));
        let mut last = None;
        while let Ok(l) = rx.try_recv() {
            if let Some(c) = parse(&l) {
                last = Some(c);
            }
        }
        last.expect("a counters line")
    };
    let before = latest(&rx);
    // Two datagrams to our ports, two to others.
    let udp = Command::new("ip")
        .args(["netns", "exec", &tgt, "python3", "-c"])
        .arg(
            "import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n\
             for p in (61001, 61015, 22, 61016): s.sendto(b'x', ('198.18.0.2', p))",
        )
        .status()
        .unwrap();
    assert!(udp.success());
    let after = latest(&rx);
    let d: Vec<u64> = (0..4).map(|i| after[i] - before[i]).collect();
    assert!(d[0] >= 4, "seen {d:?}");
    assert_eq!(
        d[1], 2,
        "ours: exactly the two datagrams to 61001 and 61015 ({d:?})"
    );
    assert_eq!(
        d[2], 0,
        "no AF_XDP socket registered: nothing steered ({d:?})"
    );
    assert_eq!(d[3], d[0], "everything passed to the kernel ({d:?})");

    // SIGKILL: the BPF link dies with the process, and the program with it.
    child.kill().unwrap();
    child.wait().unwrap();
    let mut err = String::new();
    let _ = child.stderr.take().unwrap().read_to_string(&mut err);
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        !xdp_prog_on(&scan, &ifname),
        "XDP program left behind; stderr: {err}"
    );
    let _ = std::io::stderr().flush();
    drop(lab);
}

//! What the lab tests share beyond test-support: the binary under test, the lab clients'
//! Python, reading the per-core summary lines of a scan's stderr, a scan's banner lines (and a
//! check that they hold a line), and bench/'s XDP reflector attached at the target's end of the
//! lab's link.

use masscan_test_support::{ok, rx_core_counts, Lab};
use std::process::Command;

/// The `masscan` binary under test.
pub const MASSCAN: &str = env!("CARGO_BIN_EXE_masscan");

/// The Python of the client libraries' venv (scripts/setup.sh installs it).
pub const VENV_PYTHON: &str = "/var/lib/masscan-lab/pyclients/bin/python";

/// `python -c script` with the clients' venv, in the lab's scanner namespace.
pub fn venv_python(lab: &Lab, script: &str) -> Command {
    let mut c = Command::new("ip");
    c.args(["netns", "exec", &lab.scan_ns, VENV_PYTHON, "-c", script]);
    c
}

/// A counter of the `rx-core K` summary line (`N name`).
pub fn rx_counter(err: &str, k: usize, name: &str) -> u64 {
    let counts = rx_core_counts(err, k);
    counts
        .split(", ")
        .find_map(|c| c.strip_suffix(name).map(|n| n.trim().parse().unwrap()))
        .unwrap_or_else(|| panic!("no {name:?} in {counts}"))
}

/// The `Banner on` lines of a scan with `args` (each trimmed, one per line); the scan must
/// succeed.
pub fn banner_lines(lab: &Lab, args: &[&str]) -> String {
    let o = lab.run(args);
    ok(&o);
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter(|l| l.starts_with("Banner on"))
        .map(|l| l.trim_end().to_string() + "\n")
        .collect()
}

/// The banner lines of a banner scan of `targets` on `ports` (200 pps, 3 s wait) with `extra`
/// options.
pub fn banner_scan(lab: &Lab, targets: &str, ports: &str, extra: &[&str]) -> String {
    let mut args = vec![
        targets,
        "-p",
        ports,
        "--banners",
        "--rate",
        "200",
        "--wait",
        "3",
        "--nostatus",
    ];
    args.extend_from_slice(extra);
    banner_lines(lab, &args)
}

/// Fails, showing `out`, unless it holds `want`.
pub fn has(out: &str, want: &str) {
    assert!(out.contains(want), "missing {want:?} in\n{out}");
}

/// Builds bench/reflector.c and attaches it (driver mode) to the target's end of the lab's
/// veth: every SYN to 198.18.128.0/17 is answered with a SYN-ACK (ack = seq + 1), as a host
/// with every port open would. Needs clang.
pub fn attach_reflector(lab: &Lab) {
    let obj = lab.path("reflector.o");
    let cc = Command::new("clang")
        .args(["-O2", "-g", "-Wall", "-target", "bpf"])
        .args(["-I/usr/include/x86_64-linux-gnu", "-c"])
        .arg(masscan_test_support::repo().join("bench/reflector.c"))
        .arg("-o")
        .arg(&obj)
        .status()
        .unwrap();
    assert!(cc.success(), "clang could not build bench/reflector.c");
    let peer = format!("ms{}t", lab.name.trim_start_matches("msr-"));
    let attach = Command::new("ip")
        .args([
            "-n",
            &lab.target_ns,
            "link",
            "set",
            "dev",
            &peer,
            "xdpdrv",
            "obj",
        ])
        .arg(&obj)
        .args(["sec", "xdp"])
        .status()
        .unwrap();
    assert!(attach.success(), "could not attach the reflector to {peer}");
}

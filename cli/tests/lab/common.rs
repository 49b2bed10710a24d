//! What the lab tests share beyond test-support: the binary under test, the lab clients'
//! Python, reading the per-core summary lines of a scan's stderr, and a scan's banner lines.

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

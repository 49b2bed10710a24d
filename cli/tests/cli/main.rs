//! The `masscan` binary end to end, without a network: bad input, -sL coverage with shards and
//! resume slices, --echo round trips, config files, offline scans, pause and resume.

use std::path::Path;

use std::process::{Command, Output, Stdio};

mod args;
mod blackrock;
mod compat;
mod list_scan;
mod manual;
mod metadata;
mod offline;
mod outputs;
mod pairs;
mod readscan;
mod spellings;

/// The binary, run where it cannot reach any network: as root, in a fresh network namespace
/// with nothing but a loopback (`unshare -n`), so a test that wrongly starts a live scan fails
/// on "no default route" instead of transmitting. Without root, AF_PACKET is refused anyway.
fn masscan_cmd() -> Command {
    let bin = env!("CARGO_BIN_EXE_masscan");
    let root = masscan_test_support::is_root();
    if root && Path::new("/usr/bin/unshare").exists() {
        let mut c = Command::new("/usr/bin/unshare");
        c.args(["-n", "--", bin]);
        c
    } else {
        Command::new(bin)
    }
}

#[test]
#[ignore = "needs root (unshare -n); ./scripts/test.sh runs it"]
fn an_unknown_interface_in_a_namespace_without_interfaces_says_so() {
    assert!(masscan_test_support::is_root(), "needs root: unshare -n");
    assert_one_line_error(
        &["198.18.0.1", "-p80", "-e", "nosuch0"],
        "no interface named 'nosuch0': this network namespace has no interfaces",
    );
}

#[test]
fn a_live_scan_here_finds_no_network() {
    // The guard above: outside the lab a live scan has no route, and says what to pass.
    let o = masscan(&["198.18.0.1", "-p80"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no default route") || stderr(&o).contains("CAP_NET_RAW"),
        "{}",
        stderr(&o)
    );
}

fn masscan(args: &[&str]) -> Output {
    masscan_in(Path::new("."), args)
}

/// Starts an offline scan of 65,536 probes at 4,000 pps (about 16 s; seed 7, one thread) in
/// `dir`, with `extra` options and stderr piped: for tests that stop it part way.
fn slow_offline_scan(dir: &Path, extra: &[&str]) -> std::process::Child {
    masscan_cmd()
        .args([
            "198.18.0.0/16",
            "-p80",
            "--offline",
            "--rate",
            "4000",
            "--tx-threads",
            "1",
        ])
        .args(["--seed", "7", "--nostatus"])
        .args(extra)
        .current_dir(dir)
        .env("MASSCAN_DEFAULT_CONF", "")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Sends SIGINT to `child` (a scan pauses) and waits for it; the scan must exit with 0.
fn interrupt(child: std::process::Child) -> Output {
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap()
        .success());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    out
}

fn masscan_in(dir: &Path, args: &[&str]) -> Output {
    masscan_cmd()
        .args(args)
        .current_dir(dir)
        .env("MASSCAN_DEFAULT_CONF", "")
        .stdin(Stdio::null())
        .output()
        .expect("run masscan")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// One clear line on stderr, exit code 1, no panic.
fn assert_one_line_error(args: &[&str], must_contain: &str) {
    let o = masscan(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{args:?}: not one line: {err}");
    assert!(err.starts_with("masscan: "), "{args:?}: {err}");
    assert!(
        err.contains(must_contain),
        "{args:?}: {err:?} lacks {must_contain:?}"
    );
    assert!(!err.contains("panicked"), "{args:?}: {err}");
}

#[test]
fn regress_nmap_help_version() {
    let o = masscan(&["--regress"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("regression test: success!"));
    let o = masscan(&["--nmap"]);
    assert!(o.status.success() && stdout(&o).contains("-iL <file>"));
    let o = masscan(&["--help"]);
    assert!(o.status.success() && stdout(&o).contains("--rate"));
    // Client libraries find the binary by the original's version line.
    for flag in ["--version", "-V"] {
        let o = masscan(&[flag]);
        assert!(o.status.success());
        let out = stdout(&o);
        assert!(
            out.lines()
                .any(|l| l
                    == "Masscan version 1.3.2 ( https://github.com/robertdavidgraham/masscan )"),
            "{out}"
        );
        assert!(out.contains("masscan-rs "), "{out}");
    }
}

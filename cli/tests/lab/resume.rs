//! Pause and resume in the lab: a scan stopped by SIGINT, or killed by SIGKILL and resumed from its checkpoint, finds the same ports as an uninterrupted one.
//! Each test brings up its own lab (unique names, taken down even on failure); they are
//! ignored unless asked for, because they need root: `./scripts/test.sh` runs them.

use crate::common::*;
use masscan_test_support::*;
use std::collections::BTreeSet;
use std::process::Stdio;
use std::time::Duration;

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn sigint_pause_and_resume_find_the_same_ports() {
    let lab = Lab::up(MASSCAN);
    // 16,384 probes at 4,000 pps: about 4 s; interrupted about 1.5 s in.
    let mut child = slow_scan(&lab, &["-oL", "paused.txt"]);
    wait_until_sending(&lab, &mut child);
    std::thread::sleep(Duration::from_millis(1400));
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
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn sigkill_and_resume_from_the_checkpoint_find_the_same_ports() {
    let lab = Lab::up(MASSCAN);
    // 32,768 probes at 4,000 pps: about 8 s; killed about 6 s in (checkpoints every 2 s).
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
    wait_until_sending(&lab, &mut child);
    std::thread::sleep(Duration::from_millis(5900));
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

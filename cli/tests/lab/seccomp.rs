//! `--seccomp` in the lab: a confined scan (its status says `Seccomp: 2` while it runs) still
//! grabs every banner and writes every output format over AF_XDP, and over AF_PACKET it pauses
//! on ctrl-c and resumes, confined again, to every open port. Each test brings up its own lab
//! (unique names, taken down even on failure); they need root: `./scripts/test.sh` runs them.

use crate::common::*;
use masscan_test_support::*;
use std::time::Duration;

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn a_confined_af_xdp_scan_grabs_every_banner_and_writes_every_format() {
    let lab = Lab::up(MASSCAN);
    let files = [("json", "c.json"), ("xml", "c.xml"), ("binary", "c.bin")];
    let (_, err) = scan_every_banner_server_with(
        &lab,
        "afxdp",
        &[
            "--seccomp",
            "-v",
            "--interactive",
            "-oJ",
            "c.json",
            "-oX",
            "c.xml",
            "-oB",
            "c.bin",
            "--pcap",
            "c.pcap",
        ],
        &[],
    );
    assert!(
        err.contains("[privilege] system calls confined (--seccomp)"),
        "{err}"
    );
    for (format, file) in files {
        assert!(check_output(&lab, format, &lab.path(file)) > 0, "{format}");
    }
    assert!(std::fs::metadata(lab.path("c.pcap")).unwrap().len() > 24);
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn a_confined_af_packet_scan_pauses_and_resumes_to_every_open_port() {
    let lab = Lab::up(MASSCAN);
    let mut child = slow_scan(&lab, &["--driver", "afpacket", "--seccomp", "-oL", "c.txt"]);
    wait_until_sending(&lab, &mut child);
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap();
    assert!(status.contains("\nSeccomp:\t2\n"), "{status}");
    assert!(status.contains("\nCapEff:\t0000000000000000\n"), "{status}");
    std::thread::sleep(Duration::from_millis(1400));
    send_signal(child.id(), "INT");
    let o = child.wait_with_output().unwrap();
    ok(&o);
    assert!(stderr(&o).contains("saving resume file to: paused.conf"));
    let first = list_file(&lab.path("c.txt")).len();
    assert!(first > 0 && first < 16384, "{first}");
    let o = lab.run(&[
        "--resume",
        "paused.conf",
        "--seccomp",
        "--rate",
        "50000",
        "--nostatus",
    ]);
    ok(&o);
    assert_eq!(list_file(&lab.path("c.txt")).len(), 16384, "after resume");
}

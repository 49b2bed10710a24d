//! AF_XDP in the lab: the kernel never answers the scan's replies, other traffic keeps working and a killed scan leaves no program, and every queue of a multi-queue link is used.
//! Each test brings up its own lab (unique names, taken down even on failure); they are
//! ignored unless asked for, because they need root: `./scripts/test.sh` runs them.

use crate::common::*;
use masscan_test_support::*;
use std::process::Command;
use std::time::Duration;

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn with_af_xdp_the_kernel_never_answers_our_replies() {
    let lab = Lab::up(MASSCAN);
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

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn during_an_af_xdp_scan_other_traffic_works_and_a_kill_leaves_no_program() {
    let lab = Lab::up(MASSCAN);
    let mut child = slow_scan(&lab, &["--driver", "afxdp", "-oL", "x.txt"]);
    wait_until_sending(&lab, &mut child);
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

/// AF_XDP on a link with two queues: a socket, a transmit and a receive thread per queue; both
/// receive queues get replies and every open port is found.
#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn af_xdp_uses_every_queue_of_a_multi_queue_link() {
    let lab = Lab::with_queues(MASSCAN, 2);
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

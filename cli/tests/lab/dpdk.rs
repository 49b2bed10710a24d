//! The DPDK backend in the lab, with DPDK's own poll-mode drivers and no DPDK NIC (EAL with
//! --no-huge): through net_af_packet on the scanner's veth a scan finds exactly the open ports
//! and banners an AF_XDP scan finds; through net_pcap it sends byte for byte the frames the
//! offline backend builds for the same seed; its errors are one line; it leaves no DPDK runtime
//! files, even when killed. Ignored unless asked for (root), and in a build without the DPDK
//! backend: `./scripts/test.sh` runs them.

use crate::common::*;
use masscan_test_support::*;
use std::path::Path;

/// `--driver dpdk` through net_af_packet on the lab's scanner link, from an address the kernel
/// does not own (so it never resets the banner connections; the scan answers ARP for it).
fn dpdk_args(lab: &Lab) -> Vec<String> {
    [
        "--driver",
        "dpdk",
        "--dpdk-args",
        &format!(
            "--no-huge -m 256 --no-pci --vdev=net_af_packet0,iface={}",
            lab.scan_if
        ),
        "-e",
        "net_af_packet0",
        "--adapter-ip",
        "198.18.0.50",
        "--router-ip",
        "198.18.0.1",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Files DPDK left in its runtime directories (sockets, locks, config).
fn dpdk_runtime_files() -> Vec<String> {
    let mut left = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from("/var/run/dpdk")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                dirs.push(e.path());
            } else {
                left.push(e.path().display().to_string());
            }
        }
    }
    left
}

#[test]
#[cfg_attr(dpdk_backend, ignore = "lab: needs root; ./scripts/test.sh runs it")]
#[cfg_attr(
    not(dpdk_backend),
    ignore = "built without the DPDK backend (no DPDK at build time)"
)]
fn dpdk_through_net_af_packet_finds_what_af_xdp_finds_with_banners() {
    let lab = Lab::up(MASSCAN);
    let dpdk = dpdk_args(&lab);
    let had_runtime_dir = Path::new("/var/run/dpdk").exists();
    let extra: Vec<&str> = dpdk.iter().map(String::as_str).collect();
    let found = open_port_lines(&scan_every_banner_server(&lab, "dpdk", &extra));
    let want = open_port_lines(&scan_every_banner_server(
        &lab,
        "afxdp",
        &["--driver", "afxdp"],
    ));
    assert!(want.len() >= 11, "{want:?}");
    assert_eq!(found, want);
    assert!(
        !promiscuous(&lab),
        "the port left its interface promiscuous"
    );
    assert!(
        dpdk_runtime_files().is_empty(),
        "{:?}",
        dpdk_runtime_files()
    );
    if !had_runtime_dir {
        assert!(
            !Path::new("/var/run/dpdk").exists(),
            "the EAL's empty directory is left"
        );
    }

    // Killed mid-scan: still no file left behind (no hugepage files, sockets or locks; only
    // the EAL's empty directory, which a killed process cannot remove).
    let mut child = lab
        .masscan()
        .args(["198.19.0.0/16", "-p8080", "--rate", "5000", "--nostatus"])
        .args(&dpdk)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    wait_until_sending(&lab, &mut child);
    std::thread::sleep(std::time::Duration::from_secs(1));
    send_signal(child.id(), "KILL");
    let _ = child.wait();
    assert!(
        dpdk_runtime_files().is_empty(),
        "{:?}",
        dpdk_runtime_files()
    );
}

/// Whether the lab's scanner interface is in promiscuous mode.
fn promiscuous(lab: &Lab) -> bool {
    let o = std::process::Command::new("ip")
        .args(["-n", &lab.scan_ns, "link", "show", &lab.scan_if])
        .output()
        .unwrap();
    String::from_utf8_lossy(&o.stdout).contains("PROMISC")
}

/// DPDK's AF_XDP poll-mode driver loads its own XDP program on the interface and removes it
/// when the port closes, which needs privileges: the scan keeps them (and says so) and leaves
/// nothing behind; `--user` is refused in one line. A port asked to receive for another MAC
/// goes promiscuous, and is turned back when it closes.
#[test]
#[cfg_attr(dpdk_backend, ignore = "lab: needs root; ./scripts/test.sh runs it")]
#[cfg_attr(
    not(dpdk_backend),
    ignore = "built without the DPDK backend (no DPDK at build time)"
)]
fn dpdk_through_net_af_xdp_finds_every_open_port_and_leaves_no_program() {
    let lab = Lab::up(MASSCAN);
    let eal = format!(
        "--no-huge -m 256 --no-pci --vdev=net_af_xdp0,iface={}",
        lab.scan_if
    );
    let args = [
        "--driver",
        "dpdk",
        "--dpdk-args",
        &eal,
        "-e",
        "net_af_xdp0",
        "--adapter-ip",
        "198.18.0.50",
        "--router-ip",
        "198.18.0.1",
    ];
    let o = scan_services(&lab, &args);
    ok(&o);
    let err = stderr(&o);
    assert!(
        err.contains("capabilities are kept for the whole scan: DPDK's net_af_xdp removes"),
        "{err}"
    );
    let found = open_port_lines(&String::from_utf8_lossy(&o.stdout));
    assert_eq!(found.len(), services_open().len(), "{found:?}\n{err}");
    assert!(!xdp_attached(&lab), "net_af_xdp left its XDP program");
    assert!(!promiscuous(&lab));
    let mut user = args.to_vec();
    user.extend(["--user", "nobody"]);
    let o = scan_services(&lab, &user);
    let err = stderr(&o);
    assert!(!o.status.success(), "{err}");
    assert!(
        err.contains("masscan: --user cannot be used here: DPDK's net_af_xdp"),
        "{err}"
    );
    assert!(!xdp_attached(&lab), "net_af_xdp left its XDP program");
    // Another MAC than the port's: promiscuous for the scan, turned off when it ends.
    let mut other_mac = args.to_vec();
    other_mac.extend(["--adapter-mac", "02:00:00:00:00:50"]);
    let o = scan_services(&lab, &other_mac);
    ok(&o);
    assert!(!promiscuous(&lab), "{}", stderr(&o));
}

/// The frames of a pcap file, without their timestamps.
fn pcap_frames(path: &Path) -> Vec<Vec<u8>> {
    let data = std::fs::read(path).unwrap();
    assert!(data.len() >= 24, "{}: no pcap header", path.display());
    let mut frames = Vec::new();
    let mut at = 24;
    while at + 16 <= data.len() {
        let len = u32::from_le_bytes(data[at + 8..at + 12].try_into().unwrap()) as usize;
        frames.push(data[at + 16..at + 16 + len].to_vec());
        at += 16 + len;
    }
    assert_eq!(at, data.len(), "{}: truncated", path.display());
    frames
}

#[test]
#[cfg_attr(dpdk_backend, ignore = "lab: needs root; ./scripts/test.sh runs it")]
#[cfg_attr(
    not(dpdk_backend),
    ignore = "built without the DPDK backend (no DPDK at build time)"
)]
fn dpdk_through_net_pcap_sends_the_offline_backends_frames() {
    // In the lab's namespace although net_pcap writes only a file: DPDK never sees a real link.
    let lab = Lab::up(MASSCAN);
    let empty = lab.path("empty.pcap");
    let mut header = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0];
    header.extend([0u8; 8]);
    header.extend(65535u32.to_le_bytes());
    header.extend(1u32.to_le_bytes());
    std::fs::write(&empty, header).unwrap();
    let common = [
        "198.18.1.0/24",
        "198.19.0.0/22",
        "-p80,443,U:53,U:161",
        "--seed",
        "5",
        "--adapter-ip",
        "198.18.0.50",
        "--adapter-mac",
        "02:00:00:00:00:50",
        "--router-mac",
        "02:00:00:00:00:01",
        "--rate",
        "100000",
        "--wait",
        "0",
        "--nostatus",
    ];
    ok(&lab.run(&[&common[..], &["--offline", "--pcap-sent", "offline.pcap"]].concat()));
    let vdev = format!(
        "--no-huge -m 256 --no-pci --vdev=net_pcap0,rx_pcap={},tx_pcap={}",
        empty.display(),
        lab.path("dpdk.pcap").display()
    );
    let o = lab.run(
        &[
            &common[..],
            &["--driver", "dpdk", "--dpdk-args", &vdev, "-e", "net_pcap0"],
        ]
        .concat(),
    );
    ok(&o);
    assert!(stderr(&o).contains("[dpdk]"), "{}", stderr(&o));
    let (ours, theirs) = (
        pcap_frames(&lab.path("dpdk.pcap")),
        pcap_frames(&lab.path("offline.pcap")),
    );
    assert_eq!(theirs.len(), (256 + 1024) * 4);
    assert!(
        ours == theirs,
        "DPDK sent other frames than the offline backend built"
    );
}

#[test]
#[cfg_attr(dpdk_backend, ignore = "lab: needs root; ./scripts/test.sh runs it")]
#[cfg_attr(
    not(dpdk_backend),
    ignore = "built without the DPDK backend (no DPDK at build time)"
)]
fn dpdk_errors_are_one_line() {
    let lab = Lab::up(MASSCAN);
    let good = dpdk_args(&lab);
    let with = |changes: &[(&str, &str)], more: &[&str]| -> Vec<String> {
        let mut a = good.clone();
        for (k, v) in changes {
            let i = a.iter().position(|x| x == k).unwrap();
            a[i + 1] = v.to_string();
        }
        a.extend(more.iter().map(|s| s.to_string()));
        a
    };
    let no_ip: Vec<String> = {
        let mut a = good.clone();
        let i = a.iter().position(|x| x == "--adapter-ip").unwrap();
        a.drain(i..i + 2);
        a
    };
    for (args, says) in [
        (
            with(
                &[(
                    "--dpdk-args",
                    "--no-huge -m 256 --no-pci --vdev=net_nosuch0",
                )],
                &[],
            ),
            "cannot start DPDK",
        ),
        (with(&[("-e", "net_nosuch9")], &[]), "no port 'net_nosuch9'"),
        (with(&[], &["--tx-threads", "2"]), "has 1 queue pair(s)"),
        (no_ip, "--adapter-ip"),
    ] {
        let mut all: Vec<&str> = vec!["198.18.1.1", "-p80", "--wait", "0"];
        all.extend(args.iter().map(String::as_str));
        let o = lab.run(&all);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{err}");
        let ours: Vec<&str> = err.lines().filter(|l| l.starts_with("masscan:")).collect();
        assert_eq!(ours.len(), 1, "{err}");
        assert!(ours[0].contains(says), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
#[cfg_attr(dpdk_backend, ignore = "lab: needs root; ./scripts/test.sh runs it")]
#[cfg_attr(
    not(dpdk_backend),
    ignore = "built without the DPDK backend (no DPDK at build time)"
)]
fn dpdk_with_two_queue_pairs_pauses_and_resumes_to_every_open_port() {
    let lab = Lab::with_queues(MASSCAN, 2);
    let mut dpdk = dpdk_args(&lab);
    let i = dpdk.iter().position(|a| a == "--dpdk-args").unwrap() + 1;
    dpdk[i] = format!("{},qpairs=2", dpdk[i]).replace("-m 256", "-m 512");
    // 16,384 probes at 2,000 pps over two queue pairs: about 8 s; interrupted 1.4 s after
    // sending is seen, which leaves 6 s for a test thread that a loaded machine holds back (at
    // 4,000 pps one whole run once sent everything before the signal came).
    let mut extra = vec!["--tx-threads", "2", "-oL", "paused.txt", "--rate", "2000"];
    extra.extend(dpdk.iter().map(String::as_str));
    let mut child = slow_scan(&lab, &extra);
    wait_until_sending(&lab, &mut child);
    let sending = std::time::Instant::now();
    std::thread::sleep(std::time::Duration::from_millis(1400));
    send_signal(child.id(), "INT");
    let signalled = sending.elapsed();
    let o = child.wait_with_output().unwrap();
    ok(&o);
    let err = stderr(&o);
    assert!(
        err.contains("saving resume file to: paused.conf"),
        "signal sent {signalled:?} after sending was seen, {:?} before the scan ended: {err}",
        sending.elapsed() - signalled
    );
    assert!(err.contains("rx-core 1 ("), "two receive cores: {err}");
    let first = list_file(&lab.path("paused.txt"));
    assert!(!first.is_empty() && first.len() < 16384, "{}", first.len());
    let conf = std::fs::read_to_string(lab.path("paused.conf")).unwrap();
    assert!(
        conf.contains("driver = dpdk") && conf.contains("qpairs=2"),
        "{conf}"
    );
    let o = lab.run(&["--resume", "paused.conf", "--rate", "50000", "--nostatus"]);
    ok(&o);
    assert!(stderr(&o).contains("[dpdk]"), "{}", stderr(&o));
    assert_eq!(
        list_file(&lab.path("paused.txt")).len(),
        16384,
        "after resume"
    );
}

//! Offline scans: every probe and exactly the retries sent, core lists, valid empty outputs and early failures on bad paths, and SIGINT pausing into paused.conf with --resume finishing the scan.

use super::list_scan::list;
use super::*;

fn final_stats(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap();
    let last = text.lines().last().expect("stats-json has lines");
    let v: serde_json::Value = serde_json::from_str(last).unwrap();
    assert_eq!(v["final"], true);
    v
}

#[test]
fn offline_ping_and_udp_send_a_probe_per_target_beside_the_syns() {
    let dir = tempfile::tempdir().unwrap();
    let stats = dir.path().join("s.json");
    let o = masscan(&[
        "198.18.0.0/24",
        "2001:2::/120",
        "-p80,U:53",
        "--ping",
        "--offline",
        "--rate",
        "100000000",
        "--stats-json",
        stats.to_str().unwrap(),
        "--nostatus",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        final_stats(&stats)["sent"],
        512 * 3,
        "a SYN, a DNS query and a ping per host"
    );
}

#[test]
fn offline_raw_ip_sends_a_probe_per_protocol_and_target() {
    let dir = tempfile::tempdir().unwrap();
    let stats = dir.path().join("s.json");
    // -sO is accepted and changes nothing; -pO: and --oproto name the protocols.
    let args = [
        "198.18.0.0/24",
        "2001:2::/120",
        "-sO",
        "-pO:1,47",
        "--oproto",
        "4",
        "--offline",
        "--rate",
        "100000000",
        "--nostatus",
    ];
    let mut with_stats = args.to_vec();
    with_stats.extend(["--stats-json", stats.to_str().unwrap()]);
    let o = masscan(&with_stats);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        final_stats(&stats)["sent"],
        512 * 3,
        "three protocols per host"
    );
    let mut echo = args.to_vec();
    echo.push("--echo");
    let o = masscan(&echo);
    assert!(
        stdout(&o).contains("ports = O:1,O:4,O:47\n"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn offline_scan_sends_every_probe_and_retries_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let stats = dir.path().join("s.json");
    let st = stats.to_str().unwrap();
    for (retries, threads) in [("0", "1"), ("2", "2"), ("1", "3")] {
        let o = masscan(&[
            "198.18.0.0/20",
            "-p80,443",
            "--offline",
            "--rate",
            "100000000",
            "--retries",
            retries,
            "--tx-threads",
            threads,
            "--stats-json",
            st,
            "--nostatus",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let v = final_stats(&stats);
        let want = 4096 * 2 * (retries.parse::<u64>().unwrap() + 1);
        assert_eq!(v["sent"], want, "retries {retries}");
        assert_eq!(
            v["tx"].as_array().unwrap().len(),
            threads.parse::<usize>().unwrap()
        );
        let err = stderr(&o);
        assert!(err.contains("Scanning 4096 hosts [2 ports/host]"), "{err}");
        assert!(
            err.contains("total: ") && err.contains("tx-core 0"),
            "{err}"
        );
    }
    // Shards split the probes with nothing lost.
    let mut sum = 0;
    for s in ["1/3", "2/3", "3/3"] {
        let o = masscan(&[
            "198.18.0.0/20",
            "-p80",
            "--offline",
            "--rate",
            "1e9",
            "--shards",
            s,
            "--stats-json",
            st,
            "--nostatus",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        sum += final_stats(&stats)["sent"].as_u64().unwrap();
    }
    assert_eq!(sum, 4096);
}

#[test]
fn core_lists_pin_each_thread_and_bad_lists_are_refused() {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let list = if cpus > 1 { "1,0" } else { "0" };
    let o = masscan(&[
        "198.18.0.0/24",
        "-p80",
        "--offline",
        "--rate",
        "1e9",
        "--tx-cores",
        list,
        "--nostatus",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    for (k, cpu) in list.split(',').enumerate() {
        assert!(err.contains(&format!("tx-core {k} (cpu {cpu}): ")), "{err}");
    }
    assert!(!err.contains(&format!("tx-core {cpus} ")), "{err}");
    // --echo keeps the list, not a count.
    let echo = stdout(&masscan(&[
        "198.18.0.1",
        "-p80",
        "--tx-cores",
        "0-1,3",
        "--rx-cores",
        "2",
        "--echo",
    ]));
    assert!(echo.contains("tx-cores = 0-1,3\n"), "{echo}");
    assert!(echo.contains("rx-cores = 2\n"), "{echo}");
    assert!(!echo.contains("threads"), "{echo}");
    let base = ["198.18.0.1", "-p80", "--offline"];
    for (extra, message) in [
        (&["--tx-cores", "4095"][..], "may not run on CPU 4095"),
        (&["--rx-cores", "0,4000"], "may not run on CPU 4000"),
        (
            &["--tx-cores", "3-1"],
            "bad --tx-cores 3-1: '3-1' runs backwards",
        ),
        (&["--tx-cores", "0,0"], "CPU 0 is listed twice"),
        (&["--rx-cores", "x"], "'x' is not a CPU number"),
        (
            &["--tx-threads", "2", "--tx-cores", "0"],
            "--tx-threads 2 and --tx-cores 0 (1 CPUs) disagree",
        ),
    ] {
        let args: Vec<&str> = base.iter().chain(extra).copied().collect();
        assert_one_line_error(&args, message);
    }
}

#[test]
fn offline_scan_writes_valid_empty_outputs_and_fails_early_on_bad_paths() {
    let dir = tempfile::tempdir().unwrap();
    for (flag, name, opening, closing) in [
        ("-oX", "f.xml", "<?xml", "</nmaprun>\r\n"),
        ("-oJ", "f.json", "[", "]\n"),
        ("-oL", "f.txt", "#masscan", "# end\n"),
        ("-oG", "f.gnmap", "# Masscan", "\n"),
    ] {
        let o = masscan_in(
            dir.path(),
            &[
                "198.18.0.0/24",
                "-p80",
                "--offline",
                "--nostatus",
                flag,
                name,
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{flag}: {}", stderr(&o));
        let text = std::fs::read_to_string(dir.path().join(name)).unwrap();
        assert!(
            text.starts_with(opening) && text.ends_with(closing),
            "{flag}: {text}"
        );
    }
    let o = masscan_in(
        dir.path(),
        &["198.18.0.0/24", "-p80", "--offline", "-oB", "f.bin"],
    );
    assert_eq!(o.status.code(), Some(0));
    let o = masscan_in(dir.path(), &["--readscan", "f.bin"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_one_line_error(
        &[
            "198.18.0.1",
            "-p80",
            "--offline",
            "-oX",
            "/nonexistent/dir/f.xml",
        ],
        "cannot create output file '/nonexistent/dir/f.xml'",
    );
}

#[cfg(unix)]
#[test]
fn sigint_pauses_into_paused_conf_and_resume_finishes_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    let stats = dir.path().join("s.json");
    // 65,536 probes at 4,000 pps: about 16 s, interrupted after about 1.5 s.
    let child = slow_offline_scan(dir.path(), &["--stats-json", stats.to_str().unwrap()]);
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let out = interrupt(child);
    assert!(
        stderr(&out).contains("saving resume file to: paused.conf"),
        "{}",
        stderr(&out)
    );
    let first = final_stats(&stats)["sent"].as_u64().unwrap();
    assert!(first > 0 && first < 65536, "sent {first}");
    let paused = std::fs::read_to_string(dir.path().join("paused.conf")).unwrap();
    assert!(
        paused.starts_with("\n# resume information\nresume-index = "),
        "{paused}"
    );
    let index: u64 = paused
        .lines()
        .nth(2)
        .unwrap()
        .trim_start_matches("resume-index = ")
        .parse()
        .unwrap();
    // One thread, no retries: every index below the resume point was sent, none above it.
    assert_eq!(index, first);
    assert!(paused.contains("seed = 7\n") && paused.contains("range = 198.18.0.0/16\n"));
    assert!(
        paused.contains("adapter-port = "),
        "the default source ports are saved: {paused}"
    );

    let o = masscan_in(
        dir.path(),
        &[
            "--resume",
            "paused.conf",
            "--rate",
            "1e9",
            "--nostatus",
            "--stats-json",
            stats.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains(&format!("resuming scan from paused.conf at index {index}")));
    assert_eq!(final_stats(&stats)["sent"].as_u64().unwrap(), 65536 - first);
    // The resumed part is exactly the -sL list from the resume index on.
    let rest = list(&[
        "198.18.0.0/16",
        "-p80",
        "--seed",
        "7",
        "-sL",
        "--resume-index",
        &index.to_string(),
    ]);
    assert_eq!(rest.len() as u64, 65536 - first);
}

#[test]
fn payload_files_add_a_probe_per_payload_and_bad_files_fail_before_sending() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("payloads");
    std::fs::write(
        &good,
        "# two for 53, one for a port without a built-in one\nudp 53 \"\\x01\\x02\"\n\
         udp 53,9999\n  \"x\"\n  \"y\"\n",
    )
    .unwrap();
    let stats = dir.path().join("s.json");
    let o = masscan(&[
        "198.18.0.0/24",
        "-pU:53,U:9999,U:1",
        "--nmap-payloads",
        good.to_str().unwrap(),
        "--offline",
        "--rate",
        "100000000",
        "--stats-json",
        stats.to_str().unwrap(),
        "--nostatus",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Per host: 53 built-in + 2, 9999 one ("xy": adjacent strings join), port 1 the empty
    // datagram.
    assert_eq!(final_stats(&stats)["sent"], 256 * (3 + 1 + 1));

    let bad = dir.path().join("bad");
    std::fs::write(&bad, "udp 7 \"ok\"\n\nudp 7 \"\\q\"\n").unwrap();
    let bad = bad.to_str().unwrap();
    assert_one_line_error(
        &["198.18.0.1", "-pU:7", "--offline", "--nmap-payloads", bad],
        &format!("{bad}:3: bad escape in string"),
    );
    assert_one_line_error(
        &["198.18.0.1", "-pU:7", "--offline", "--pcap-payloads", bad],
        &format!("{bad}: not a pcap file"),
    );
    assert_one_line_error(
        &[
            "198.18.0.1",
            "-pU:7",
            "--offline",
            "--pcap-payloads",
            "/nonexistent/p.pcap",
        ],
        "cannot read --pcap-payloads /nonexistent/p.pcap",
    );
}

#[test]
fn status_ndjson_prints_the_originals_json_status_lines() {
    let o = masscan(&[
        "10.0.0.0/21",
        "-p80",
        "--offline",
        "--rate",
        "2000",
        "--wait",
        "0",
        "--status-ndjson",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    let objects: Vec<serde_json::Value> = err
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    assert!(objects.len() >= 2, "{err}");
    for v in &objects {
        assert_eq!(v["state"], "running", "{v}");
        assert!(v["rate"]["kpps"].is_number() && v["progress"]["eta"]["seconds"].is_number());
        assert_eq!(v["progress"]["syn"]["total"], 2048, "{v}");
    }
    let last = objects.last().unwrap();
    assert_eq!(last["progress"]["percent"], 100.0, "{last}");
    assert_eq!(last["progress"]["syn"]["remaining"], 0, "{last}");
}

/// Several interfaces (`adapter[1]`...): each has its own transmit thread and its own source,
/// and together they send every probe once, interleaved as the original splits them.
#[test]
fn several_interfaces_share_the_probes_each_from_its_own_source() {
    let o = masscan(&[
        "10.0.0.0/28",
        "-p80",
        "--offline",
        "--packet-trace",
        "--wait",
        "0",
        "--adapter-ip",
        "10.1.1.1",
        "--adapter[1]",
        "nic1",
        "--adapter-ip[1]",
        "10.2.2.2",
        "--router-mac[1]",
        "02:00:00:00:00:09",
    ]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    let trace = stdout(&o);
    let sent: Vec<&str> = trace.lines().filter(|l| l.starts_with("SENT ")).collect();
    assert_eq!(sent.len(), 16, "{err}");
    let from = |src: &str| sent.iter().filter(|l| l.contains(src)).count();
    assert_eq!((from("[10.1.1.1]"), from("[10.2.2.2]")), (8, 8), "{err}");
    let targets: std::collections::BTreeSet<&str> = sent
        .iter()
        .filter_map(|l| l.split("> [").nth(1)?.split(']').next())
        .collect();
    assert_eq!(targets.len(), 16, "{err}");
    assert!(err.contains("over 2 transmit thread(s)"), "{err}");
}

//! The original's options and safety checks that issue 26 asked for: a closed console pipe
//! ends the scan cleanly, huge unexcluded ranges are refused, accepted no-op options, the
//! per-family router MACs, `--output-append VALUE`, `--top-ports`' lists.

use super::*;

/// `masscan ARGS 2>&1 | head -1` in bash, in `dir` (a pause writes paused.conf there); returns
/// masscan's exit status (from PIPESTATUS) and what head printed.
fn piped_to_head(dir: &Path, args: &[&str]) -> (String, String) {
    let bin = env!("CARGO_BIN_EXE_masscan");
    let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
    let script = format!(
        "'{bin}' {} 2>&1 | head -1; echo \"status=${{PIPESTATUS[0]}}\"",
        quoted.join(" ")
    );
    let mut c = if masscan_test_support::is_root() && Path::new("/usr/bin/unshare").exists() {
        let mut c = Command::new("/usr/bin/unshare");
        c.args(["-n", "--", "bash", "-c", &script]);
        c
    } else {
        let mut c = Command::new("bash");
        c.args(["-c", &script]);
        c
    };
    let o = c.current_dir(dir).output().unwrap();
    let text = String::from_utf8_lossy(&o.stdout).to_string();
    let status = text
        .lines()
        .find_map(|l| l.strip_prefix("status="))
        .unwrap_or("")
        .to_string();
    (status, text)
}

#[test]
fn a_closed_console_pipe_ends_the_scan_cleanly_with_valid_files() {
    let dir = tempfile::tempdir().unwrap();
    let xml = dir.path().join("o.xml");
    let json = dir.path().join("o.json");
    let (status, text) = piped_to_head(
        dir.path(),
        &[
            "--offline",
            "10.0.0.0/12",
            "-p80",
            "--wait",
            "0",
            "--rate",
            "100000",
            "-oX",
            xml.to_str().unwrap(),
            "-oJ",
            json.to_str().unwrap(),
        ],
    );
    assert_eq!(status, "0", "masscan died: {text}");
    assert!(text.starts_with("Starting masscan"), "{text}");
    let x = std::fs::read_to_string(&xml).unwrap();
    assert!(x.trim_end().ends_with("</nmaprun>"), "{x}");
    let j = std::fs::read_to_string(&json).unwrap();
    assert!(j.trim_end().ends_with(']'), "{j}");
}

#[test]
fn a_closed_console_pipe_with_console_lines_on_stdout_is_clean_too() {
    let dir = tempfile::tempdir().unwrap();
    let (status, text) = piped_to_head(
        dir.path(),
        &["--offline", "10.0.0.1", "-p80", "--wait", "0"],
    );
    assert_eq!(status, "0", "masscan died: {text}");
}

#[test]
fn more_than_a_billion_addresses_need_an_exclude_but_list_scans_do_not() {
    assert_one_line_error(
        &["0.0.0.0/1", "-p80", "--offline"],
        "range too big, need confirmation",
    );
    // -sL of 2^31 addresses: read its first line, then close the pipe (it stops cleanly).
    let mut child = masscan_cmd()
        .args(["0.0.0.0/1", "-p80", "-sL", "--seed", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    std::io::BufRead::read_line(&mut out, &mut first).unwrap();
    drop(out);
    let o = child.wait_with_output().unwrap();
    assert!(
        first.trim().parse::<std::net::Ipv4Addr>().is_ok(),
        "{first}"
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // One exclude, even of nothing in the range, is the confirmation (checked by --echo,
    // which goes through the same target set as a scan would).
    let o = masscan(&[
        "0.0.0.0/1",
        "-p80",
        "--exclude",
        "255.255.255.255",
        "--echo",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn shards_without_a_seed_warn() {
    let o = masscan(&["10.0.0.0/24", "-p80", "--shards", "1/2", "-sL"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("without --seed"), "{}", stderr(&o));
    let o = masscan(&[
        "10.0.0.0/24",
        "-p80",
        "--shards",
        "1/2",
        "--seed",
        "5",
        "-sL",
    ]);
    assert!(!stderr(&o).contains("without --seed"), "{}", stderr(&o));
}

/// The frames of a classic pcap file (microsecond or nanosecond, little-endian), in order.
pub(crate) fn pcap_frames(path: &Path) -> Vec<Vec<u8>> {
    let b = std::fs::read(path).unwrap();
    let mut frames = Vec::new();
    let mut off = 24;
    while let Some(h) = b.get(off..off + 16) {
        let len = u32::from_le_bytes([h[8], h[9], h[10], h[11]]) as usize;
        frames.push(b[off + 16..off + 16 + len].to_vec());
        off += 16 + len;
    }
    frames
}

#[test]
fn router_macs_are_kept_apart_per_family() {
    let o = masscan(&[
        "10.0.0.1",
        "-p80",
        "--router-ipv4",
        "02:00:00:00:00:04",
        "--router-mac-ipv6",
        "02:00:00:00:00:06",
        "--echo",
    ]);
    let text = stdout(&o);
    assert!(
        text.contains("router-mac-ipv4 = 02-00-00-00-00-04\n"),
        "{text}"
    );
    assert!(
        text.contains("router-mac-ipv6 = 02-00-00-00-00-06\n"),
        "{text}"
    );
    let dir = tempfile::tempdir().unwrap();
    let pcap = dir.path().join("sent.pcap");
    let o = masscan_in(
        dir.path(),
        &[
            "--offline",
            "10.0.0.1",
            "2001:db8::1",
            "-p80",
            "--adapter-ip",
            "10.0.0.9",
            "--router-mac",
            "02:00:00:00:00:01",
            "--router-mac-ipv6",
            "02:00:00:00:00:06",
            "--pcap-sent",
            pcap.to_str().unwrap(),
            "--wait",
            "0",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let frames = pcap_frames(&pcap);
    assert_eq!(frames.len(), 2);
    for f in frames {
        let want: &[u8] = match [f[12], f[13]] {
            [0x08, 0x00] => &[2, 0, 0, 0, 0, 1],
            [0x86, 0xdd] => &[2, 0, 0, 0, 0, 6],
            t => panic!("ethertype {t:?}"),
        };
        assert_eq!(&f[..6], want);
    }
}

#[test]
fn the_originals_option_values_and_their_errors() {
    for (args, want) in [
        (&["--tcp-wscale", "20"][..], "bad --tcp-wscale 20"),
        (&["--tcp-mss=x"][..], "bad --tcp-mss x"),
        (&["--data-length", "2000"][..], "bad --data-length 2000"),
        (&["--min-packet", "10"][..], "bad --min-packet 10"),
        (
            &["--output-append", "10.0.0.2"][..],
            "bad --output-append 10.0.0.2",
        ),
        (&["--json-status"][..], "use --status-ndjson"),
    ] {
        let mut all = vec!["10.0.0.1", "-p80", "--echo"];
        all.extend_from_slice(args);
        assert_one_line_error(&all, want);
    }
    // Values left out take the original's defaults; a target after them stays a target.
    let o = masscan(&[
        "10.0.0.1",
        "-p80",
        "--tcp-mss",
        "--tcp-wscale",
        "--tcp-tsecho",
        "disable",
        "--tcp-sackok",
        "10.0.0.9",
        "--echo",
    ]);
    let text = stdout(&o);
    for line in [
        "tcp-wscale = enable\n",
        "tcp-sackok = enable\n",
        "range = 10.0.0.9\n",
    ] {
        assert!(text.contains(line), "{line}: {text}");
    }
    assert!(!text.contains("tcp-mss"), "1460 is the default: {text}");
    assert!(
        !text.contains("tcp-tsecho"),
        "no timestamp is the default: {text}"
    );
    // What --echo writes loads back to the same settings.
    let dir = tempfile::tempdir().unwrap();
    let o = masscan(&[
        "10.0.0.1",
        "-p80",
        "--tcp-mss",
        "disable",
        "--tcp-wscale",
        "5",
        "--tcp-tsecho",
        "7",
        "--data-length",
        "9",
        "--min-packet",
        "90",
        "--badsum",
        "--noreset",
        "--echo",
    ]);
    let first = stdout(&o);
    let conf = dir.path().join("e.conf");
    std::fs::write(&conf, &first).unwrap();
    let again = stdout(&masscan(&["-c", conf.to_str().unwrap(), "--echo"]));
    assert_eq!(first, again);
    for line in [
        "tcp-mss = disable\n",
        "tcp-wscale = 5\n",
        "tcp-tsecho = 7\n",
        "data-length = 9\n",
        "min-packet = 90\n",
        "badsum = true\n",
        "noreset = true\n",
    ] {
        assert!(first.contains(line), "{line}: {first}");
    }
    // --output-append takes a value as in the original; accepted no-ops say so.
    assert!(stdout(&masscan(&[
        "10.0.0.1",
        "-p80",
        "--output-append",
        "true",
        "--echo"
    ]))
    .contains("append-output = true"));
    let o = masscan(&["10.0.0.1", "-p80", "--sendq", "--datadir", "/x", "--echo"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("no effect on Linux"), "{}", stderr(&o));
}

#[test]
fn top_ports_take_the_originals_lists_tcp_and_after_su_udp() {
    let ports = |args: &[&str]| {
        let mut all = vec!["10.0.0.1", "--echo"];
        all.extend_from_slice(args);
        let text = stdout(&masscan(&all));
        text.lines()
            .find_map(|l| l.strip_prefix("ports = ").map(str::to_string))
            .unwrap_or_default()
    };
    assert_eq!(ports(&["--top-ports", "5"]), "21,80,443,990,8080");
    assert_eq!(ports(&["--top-port", "3"]), "80,443,8080");
    assert_eq!(ports(&["-sU", "--top-ports", "3"]), "U:135,U:161,U:500");
    assert_eq!(
        ports(&["-sS", "-sU", "--top-ports", "2"]),
        "80,443,U:135,U:161"
    );
}

#[test]
fn benchmark_times_the_orders_and_the_cookie() {
    let o = masscan(&["--benchmark"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.starts_with("=== benchmarking (64-bits) ===\n"),
        "{text}"
    );
    for what in [
        "permutation (feistel): ",
        "blackrock (14 rounds): ",
        "syn cookie",
    ] {
        let line = text
            .lines()
            .find(|l| l.starts_with(what))
            .unwrap_or_else(|| panic!("{text}"));
        let rate: f64 = line
            .rsplit(": ")
            .next()
            .unwrap()
            .trim_end_matches(" M/s")
            .parse()
            .unwrap();
        assert!(rate > 0.0, "{line}");
    }
    assert_one_line_error(&["--debug", "foo"], "only --debug if");
}

#[test]
fn infinite_scans_again_until_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let stats = dir.path().join("s.json");
    let child = masscan_cmd()
        .current_dir(dir.path())
        .args([
            "--offline",
            "10.0.0.1-10.0.0.4",
            "-p80",
            "--rate",
            "200",
            "--infinite",
            "--wait",
            "0",
            "--nostatus",
            "--stats-json",
            stats.to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let o = interrupt(child);
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    let text = std::fs::read_to_string(&stats).unwrap();
    let last: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    let sent = last.to_string();
    // 4 probes a pass at 200 pps: many passes in 2.5 s (one pass without --infinite).
    let n: u64 = last["sent"]
        .as_u64()
        .or_else(|| last["tx"]["sent"].as_u64())
        .unwrap_or_else(|| panic!("{sent}"));
    assert!(n >= 100, "{n} probes sent: {sent}");
}

#[test]
fn a_closed_stats_json_pipe_ends_the_scan_cleanly_too() {
    let dir = tempfile::tempdir().unwrap();
    let xml = dir.path().join("o.xml");
    let t = std::time::Instant::now();
    // 1,048,576 probes at 100,000 pps would take 10 s; the closed pipe stops it at once.
    let (status, text) = piped_to_head(
        dir.path(),
        &[
            "--offline",
            "10.0.0.0/12",
            "-p80",
            "--wait",
            "0",
            "--rate",
            "100000",
            "--nostatus",
            "--stats-json",
            "-",
            "-oX",
            xml.to_str().unwrap(),
        ],
    );
    assert_eq!(status, "0", "masscan died: {text}");
    assert!(t.elapsed().as_secs() < 8, "not stopped: {:?}", t.elapsed());
    let x = std::fs::read_to_string(&xml).unwrap();
    assert!(x.trim_end().ends_with("</nmaprun>"), "{x}");
}

//! The `masscan` binary end to end, without a network: bad input, -sL coverage with shards and
//! resume slices, --echo round trips, config files, offline scans, pause and resume.

use std::path::Path;
use std::process::{Command, Output, Stdio};

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
fn hello_options_in_every_spelling() {
    let dir = tempfile::tempdir().unwrap();
    let hello = dir.path().join("hello.bin");
    std::fs::write(&hello, b"\x00\x01hi").unwrap();
    let conf = dir.path().join("h.conf");
    std::fs::write(&conf, "hello-string[21] = QVVUSA0K\n").unwrap();
    let o = masscan(&[
        "10.0.0.1",
        "-p80",
        "-c",
        conf.to_str().unwrap(),
        &format!("--hello-file[443]={}", hello.display()),
        "-hello-string[25]",
        "RUhMTw0K",
        "--echo",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    for want in [
        "hello-string[21] = QVVUSA0K\n",
        "hello-string[443] = AAFoaQ==\n",
        "hello-string[25] = RUhMTw0K\n",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
}

#[test]
fn bad_input_is_one_line_and_exit_1() {
    assert_one_line_error(
        &["10.0.0.1", "-p80", "--hello-string[80]", "not base64!"],
        "bad --hello-string[80]: not base64",
    );
    assert_one_line_error(
        &["10.0.0.1", "-p80", "--hello-string[99999]", "QQ=="],
        "bad --hello-string[99999]: the port must be 0 to 65535",
    );
    assert_one_line_error(
        &["10.0.0.1", "-p80", "--hello-file[80]", "/nonexistent/x"],
        "cannot read --hello-file[80] '/nonexistent/x'",
    );
    assert_one_line_error(
        &["10.0.0.1", "-p80", "--connection-timeout", "0"],
        "bad --connection-timeout '0'",
    );
    assert_one_line_error(&["10.0.0.1", "-p", "70000"], "port 70000 is out of range");
    assert_one_line_error(&["10.0.0.1", "-p", "80-20"], "backwards");
    assert_one_line_error(&["300.1.1.1", "-p80"], "bad target '300.1.1.1'");
    assert_one_line_error(
        &["10.0.0.9-10.0.0.1", "-p80"],
        "first address is after the last",
    );
    assert_one_line_error(
        &["10.0.0.1", "-p80", "--shards", "3/2"],
        "bad --shards '3/2'",
    );
    assert_one_line_error(&["10.0.0.1", "-p80", "--rate", "-5"], "bad --rate '-5'");
    assert_one_line_error(&["10.0.0.1", "-p80", "--rate", "fast"], "bad --rate 'fast'");
    assert_one_line_error(
        &["10.0.0.1", "-p80", "--rat", "5"],
        "did you mean '--rate'?",
    );
    assert_one_line_error(
        &["10.0.0.1", "-p80", "--excldue", "1.2.3.4"],
        "did you mean '--exclude'?",
    );
    assert_one_line_error(
        &["10.0.0.1", "-p80", "--zzzzzzzzzzzz"],
        "unknown option '--zzzzzzzzzzzz' (see masscan --help)",
    );
    assert_one_line_error(
        &["-iL", "/nonexistent/targets.txt", "-p80"],
        "cannot read include file",
    );
    assert_one_line_error(
        &["--excludefile", "/nonexistent/x", "10.0.0.1", "-p80"],
        "cannot read exclude file",
    );
    assert_one_line_error(&["0.0.0.0/0", "-p80", "-sL"], "--exclude 255.255.255.255");
    assert_one_line_error(&["::/0", "-p80", "-sL"], "--exclude 255.255.255.255");
    assert_one_line_error(&["2001:db8::/48", "-p0-65535", "-sL"], "scan too large");
    assert_one_line_error(&["10.0.0.1", "-sL"], "no ports to scan");
    assert_one_line_error(
        &["10.0.0.1", "-p80", "--resume-index", "5", "-sL"],
        "past the end",
    );
    assert_one_line_error(&["10.0.0.1", "-p80", "-g", "70000"], "bad --adapter-port");
    assert_one_line_error(&["10.0.0.1", "-p80", "--adapter-vlan", "5000"], "VLAN");
    assert_one_line_error(
        &["10.0.0.1", "-p80", "--router-mac", "zz"],
        "bad MAC address",
    );
    assert_one_line_error(&["10.0.0.1", "-p80", "--seed", "abc"], "bad --seed");
    assert_one_line_error(
        &["10.0.0.1", "-p80", "-oQ", "x"],
        "unknown output option '-oQ'",
    );
    assert_one_line_error(&["10.0.0.1", "-p80", "-c"], "needs a value");
    assert_one_line_error(&[], "no arguments");
}

#[test]
fn config_file_errors_name_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.conf");
    std::fs::write(&f, "# a comment\nrate = 100\nrat = 5\n").unwrap();
    let fs = f.to_str().unwrap();
    assert_one_line_error(
        &["-c", fs, "--echo"],
        "bad.conf:3: unknown option 'rat' (did you mean 'rate'?)",
    );
    std::fs::write(&f, "ports = 80\nports = 99999\n").unwrap();
    let o = masscan(&["-c", fs, "10.0.0.1", "-sL"]);
    assert!(
        stderr(&o).contains("port 99999 is out of range"),
        "{}",
        stderr(&o)
    );
    std::fs::write(&f, "range = 10.0.0.0/8\nthis line is junk\n").unwrap();
    assert_one_line_error(&["-c", fs, "--echo"], "bad.conf:2: expected 'name = value'");
    std::fs::write(&f, "offline = maybe\n").unwrap();
    assert_one_line_error(
        &["-c", fs, "--echo"],
        "bad.conf:1: offline: 'maybe' is not a boolean",
    );
    std::fs::write(&f, "seed = 5\n").unwrap();
    assert_one_line_error(&["-c", fs, "--rate", "x", "--echo"], "bad --rate 'x'");
    // Regression: a huge level once built that many arguments and ran out of memory.
    std::fs::write(&f, "verbose = 100000000000000\n").unwrap();
    assert_one_line_error(
        &["-c", fs, "--echo"],
        "bad.conf:1: verbose: expected a level from 0 to 255",
    );
    std::fs::write(&f, "verbose = 2\n").unwrap();
    let o = masscan(&["-c", fs, "10.0.0.1", "-p80", "-sL"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

fn list(args: &[&str]) -> Vec<String> {
    let o = masscan(args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    stdout(&o).lines().map(str::to_string).collect()
}

fn parse_v4(lines: &[String]) -> Vec<u32> {
    lines
        .iter()
        .map(|l| u32::from(l.parse::<std::net::Ipv4Addr>().expect(l)))
        .collect()
}

#[test]
fn list_scan_of_a_slash_8_has_every_address_once_and_shards_and_resume_split_it() {
    let whole = parse_v4(&list(&["10.0.0.0/8", "-p80", "-sL", "--seed", "42"]));
    assert_eq!(whole.len(), 1 << 24);
    let mut sorted = whole.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), 1 << 24, "addresses repeat");
    assert_eq!(sorted[0], 0x0a00_0000);
    assert_eq!(*sorted.last().unwrap(), 0x0aff_ffff);

    // Shards 1/3..3/3: the same set, no repeats.
    let mut union = Vec::new();
    for s in ["1/3", "2/3", "3/3"] {
        union.extend(parse_v4(&list(&[
            "10.0.0.0/8",
            "-p80",
            "-sL",
            "--seed",
            "42",
            "--shards",
            s,
        ])));
    }
    assert_eq!(union.len(), 1 << 24);
    union.sort_unstable();
    assert_eq!(union, sorted);

    // --resume-index/--resume-count chunks join to the same list, in order.
    let mut joined = Vec::new();
    for (i, c) in [
        (0u64, Some(5_000_000u64)),
        (5_000_000, Some(6_000_000)),
        (11_000_000, None),
    ] {
        let (is, cs) = (i.to_string(), c.map(|c| c.to_string()));
        let mut a = vec![
            "10.0.0.0/8",
            "-p80",
            "-sL",
            "--seed",
            "42",
            "--resume-index",
            &is,
        ];
        if let Some(cs) = &cs {
            a.extend(["--resume-count", cs]);
        }
        joined.extend(parse_v4(&list(&a)));
    }
    assert_eq!(joined, whole);
}

#[test]
fn list_scan_forms_and_seed() {
    let a = list(&["198.18.0.0/30", "-p", "80,443", "-sL", "--seed", "1"]);
    assert_eq!(a.len(), 8);
    assert!(
        a.iter().all(|l| l.ends_with(":80") || l.ends_with(":443")),
        "{a:?}"
    );
    let b = list(&["198.18.0.0/30", "-p", "80,443", "-sL", "--seed", "1"]);
    let c = list(&["198.18.0.0/30", "-p", "80,443", "-sL", "--seed", "2"]);
    assert_eq!(a, b);
    assert_ne!(a, c);
    let v6 = list(&["2001:db8::/126", "-p", "80,U:53", "-sL"]);
    assert_eq!(v6.len(), 8);
    assert!(v6.iter().any(|l| l == "[2001:db8::3]:U:53"), "{v6:?}");
    // Excludes win over targets, from a file too; overlapping targets are merged.
    let dir = tempfile::tempdir().unwrap();
    let ex = dir.path().join("ex.txt");
    std::fs::write(&ex, "# excluded\n198.18.0.1\n198.18.0.2 198.18.0.3\n").unwrap();
    let d = list(&[
        "198.18.0.0/29",
        "198.18.0.0/30",
        "-p80",
        "--excludefile",
        ex.to_str().unwrap(),
        "-sL",
    ]);
    let mut d = d;
    d.sort();
    assert_eq!(
        d,
        [
            "198.18.0.0",
            "198.18.0.4",
            "198.18.0.5",
            "198.18.0.6",
            "198.18.0.7"
        ]
    );
}

#[test]
fn include_file_of_a_million_lines_loads_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("targets.txt");
    let mut text = String::with_capacity(16 << 20);
    for i in 0..1_000_000u32 {
        let ip = std::net::Ipv4Addr::from(0x0a00_0000 + i * 3);
        text.push_str(&ip.to_string());
        text.push('\n');
    }
    std::fs::write(&f, text).unwrap();
    let t = std::time::Instant::now();
    let o = masscan(&["-iL", f.to_str().unwrap(), "-p80", "--echo"]);
    let took = t.elapsed();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o)
            .lines()
            .filter(|l| l.starts_with("range = "))
            .count(),
        1_000_000
    );
    // Generous bound for a shared CI machine; about 0.3 s here.
    assert!(took.as_secs_f64() < 5.0, "took {took:?}");
}

#[test]
fn echo_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let a = masscan(&[
        "10.0.0.0/8",
        "192.168.1.1-192.168.1.7",
        "2001:db8::/120",
        "--exclude",
        "10.5.0.0/16",
        "-p",
        "80,443,U:53,S:38412",
        "--ping",
        "--seed",
        "5655659582768193987",
        "--rate",
        "1000",
        "--retries",
        "2",
        "--ttl",
        "64",
        "-e",
        "eth9",
        "-S",
        "198.18.0.200",
        "-g",
        "40000-40015",
        "--router-mac",
        "d6-3f-e7-ae-2a-c7",
        "--adapter-vlan",
        "7",
        "--open",
        "-oX",
        "out.xml",
        "--nocapture",
        "servername",
        "--wait",
        "3",
        "--shards",
        "2/4",
        "--banners",
        "--hello-string[8000]",
        "UElORw0K",
        "--hello-timeout",
        "3",
        "--connection-timeout",
        "20",
        "--http-user-agent",
        "probe/2",
        "--capture",
        "html",
        "--echo",
    ]);
    assert!(a.status.success(), "{}", stderr(&a));
    let text = stdout(&a);
    for want in [
        "seed = 5655659582768193987\n",
        "rate = 1000      \n",
        "shard = 2/4\n",
        "retries = 2\n",
        "# TARGET SELECTION (IP, PORTS, EXCLUDES)\nports = 80,443,U:53,S:38412,I:0\n",
        "range = 10.0.0.0-10.4.255.255\nrange = 10.6.0.0-10.255.255.255\nrange = 192.168.1.1-192.168.1.7\n",
        "exclude = 10.5.0.0-10.5.255.255\n",
        "output-format = xml\noutput-filename = out.xml\n",
        "router-mac = d6-3f-e7-ae-2a-c7\n",
        "banners = true\nhello-timeout = 3\nconnection-timeout = 20\nhello-string[8000] = UElORw0K\nhttp-user-agent = probe/2\n",
        "capture = html\n",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
    let f = dir.path().join("a.conf");
    std::fs::write(&f, &text).unwrap();
    let b = masscan(&["-c", f.to_str().unwrap(), "--echo"]);
    assert!(b.status.success(), "{}", stderr(&b));
    assert_eq!(stdout(&b), text, "--echo > a; -c a --echo differs");
    // Command-line options after -c override the file.
    let c = masscan(&["-c", f.to_str().unwrap(), "--rate", "7", "--echo"]);
    assert!(stdout(&c).contains("rate = 7         \n"));
}

#[test]
fn the_originals_config_files_load() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/masscan");
    if !fixtures.exists() {
        eprintln!("skipping: {} not present", fixtures.display());
        return;
    }
    let echo = fixtures.join("echo.conf");
    let o = masscan(&["-c", echo.to_str().unwrap(), "--echo"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("seed = 5655659582768193987\nrate = 1000      \nshard = 1/1\n"),
        "{text}"
    );
    assert!(text.contains("ports = 80,443,U:53,S:38412,I:0\nrange = 10.0.0.0-10.4.255.255\nrange = 10.6.0.0-10.255.255.255\nrange = 192.168.1.1-192.168.1.7\n"), "{text}");
    let paused = fixtures.join("paused.conf");
    let o = masscan(&["-c", paused.to_str().unwrap(), "--echo"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("adapter-port = 56925-56941\n"), "{text}");
    assert!(
        text.contains("output-format = list\noutput-filename = samples/pause/part1.list\n"),
        "{text}"
    );
    let o = masscan(&["-c", paused.to_str().unwrap(), "-sL"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // resume-index 1361 of 128 hosts x 1000 ports.
    assert_eq!(stdout(&o).lines().count(), 128 * 1000 - 1361);
}

#[test]
fn default_conf_is_read_and_overridden() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("masscan.conf");
    std::fs::write(&f, "rate = 321\nports = 22\n").unwrap();
    let o = masscan_cmd()
        .args(["10.0.0.1", "--rate", "9", "--echo"])
        .env("MASSCAN_DEFAULT_CONF", &f)
        .output()
        .unwrap();
    let text = stdout(&o);
    assert!(
        text.contains("rate = 9 ") && text.contains("ports = 22\n"),
        "{text}"
    );
}

fn final_stats(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap();
    let last = text.lines().last().expect("stats-json has lines");
    let v: serde_json::Value = serde_json::from_str(last).unwrap();
    assert_eq!(v["final"], true);
    v
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

// Nothing here may transmit: every scan is --offline, or refused before it opens an interface.
// Live scans run only in the lab (tests/lab.rs).
#[test]
fn refuses_what_is_not_built_yet() {
    assert_one_line_error(
        &["198.18.0.1", "-p80", "--driver", "dpdk"],
        "--driver dpdk is not implemented yet",
    );
    assert_one_line_error(
        &["198.18.0.1", "-pU:53", "--offline"],
        "UDP probes are not implemented yet",
    );
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
    let child = masscan_cmd()
        .args([
            "198.18.0.0/16",
            "-p80",
            "--offline",
            "--rate",
            "4000",
            "--tx-threads",
            "1",
            "--seed",
            "7",
            "--nostatus",
            "--stats-json",
        ])
        .arg(&stats)
        .current_dir(dir.path())
        .env("MASSCAN_DEFAULT_CONF", "")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap()
        .success());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
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
    assert!(
        paused.contains("seed = 7\n") && paused.contains("range = 198.18.0.0-198.18.255.255\n")
    );
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
fn regress_nmap_help_version() {
    let o = masscan(&["--regress"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("regression test: success!"));
    let o = masscan(&["--nmap"]);
    assert!(o.status.success() && stdout(&o).contains("-iL <file>"));
    let o = masscan(&["--help"]);
    assert!(o.status.success() && stdout(&o).contains("--rate"));
    let o = masscan(&["--version"]);
    assert!(o.status.success() && stdout(&o).starts_with("masscan "));
}

fn fixtures() -> Option<std::path::PathBuf> {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/masscan");
    d.exists().then_some(d)
}

/// Drops the lines that carry the converting run's own clock (XML start/finish, grepable
/// header/footer); every other byte must match the original.
fn without_times(text: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(text);
    text.split_inclusive('\n')
        .filter(|l| {
            !(l.starts_with("<nmaprun ")
                || l.starts_with("<finished ")
                || l.starts_with("# Masscan "))
        })
        .collect::<String>()
        .into_bytes()
}

#[test]
fn readscan_converts_the_originals_files_like_the_original() {
    let Some(f) = fixtures() else { return };
    let dir = tempfile::tempdir().unwrap();
    for scan in ["nobanners", "banners"] {
        let bin = f.join(format!("scan-{scan}.bin"));
        for (fmt, ext) in [
            ("list", "list"),
            ("json", "json"),
            ("ndjson", "ndjson"),
            ("hostonly", "hostonly"),
            ("xml", "xml"),
            ("grepable", "grep"),
            ("unicornscan", "unicorn"),
        ] {
            let out = dir.path().join(format!("{scan}.{ext}"));
            let o = masscan(&[
                "--readscan",
                bin.to_str().unwrap(),
                "--output-format",
                fmt,
                "--output-filename",
                out.to_str().unwrap(),
            ]);
            assert!(o.status.success(), "{}", stderr(&o));
            let want =
                without_times(&std::fs::read(f.join(format!("readscan-{scan}.{ext}"))).unwrap());
            assert!(
                without_times(&std::fs::read(&out).unwrap()) == want,
                "{scan}.{ext} differs from the original's conversion"
            );
        }
    }
}

#[test]
fn readscan_merges_and_binary_round_trips() {
    let Some(f) = fixtures() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (f.join("scan-nobanners.bin"), f.join("scan-banners.bin"));
    let merged = dir.path().join("merged.bin");
    let o = masscan(&[
        "--readscan",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "-oB",
        merged.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Our -oB, read back, lists the same records as the two originals one after the other.
    let ours = stdout(&masscan(&[
        "--readscan",
        merged.to_str().unwrap(),
        "-oD",
        "-",
    ]));
    let mut want = std::fs::read_to_string(f.join("readscan-nobanners.ndjson")).unwrap();
    want.push_str(&std::fs::read_to_string(f.join("readscan-banners.ndjson")).unwrap());
    assert_eq!(ours, want);
}

#[test]
fn readscan_of_damaged_or_foreign_files_keeps_what_it_can() {
    let Some(f) = fixtures() else { return };
    let dir = tempfile::tempdir().unwrap();
    let whole = std::fs::read(f.join("scan-banners.bin")).unwrap();
    let cut = dir.path().join("cut.bin");
    std::fs::write(&cut, &whole[..whole.len() / 2]).unwrap();
    let o = masscan(&["--readscan", cut.to_str().unwrap(), "-oJ", "-"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("truncated"), "{err}");
    // The records before the damage, in a JSON document that still parses.
    let v: serde_json::Value =
        serde_json::from_str(&stdout(&o)).expect("valid JSON after truncation");
    assert!(v.as_array().unwrap().len() > 10);
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "just some text, not a scan\n").unwrap();
    let foreign = masscan(&["--readscan", text.to_str().unwrap(), "-oL", "-"]);
    assert_eq!(foreign.status.code(), Some(1));
    assert!(stderr(&foreign).contains("not a masscan binary file"));
    assert_eq!(stdout(&foreign), "#masscan\n# end\n");
    assert_one_line_error(
        &[
            "--readscan",
            cut.to_str().unwrap(),
            "-oL",
            "/nonexistent/dir/x",
        ],
        "cannot create output file",
    );
}

#[test]
fn readscan_append_output_keeps_documents_valid() {
    let Some(f) = fixtures() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (f.join("scan-nobanners.bin"), f.join("scan-banners.bin"));
    for (opt, ext) in [
        ("-oJ", "json"),
        ("-oX", "xml"),
        ("-oL", "list"),
        ("-oB", "bin"),
        ("-oG", "grep"),
    ] {
        let out = dir.path().join(format!("out.{ext}"));
        let o = out.to_str().unwrap();
        for (i, input) in [&a, &b].iter().enumerate() {
            let mut args = vec!["--readscan", input.to_str().unwrap(), opt, o];
            if i == 1 {
                args.push("--append-output");
            }
            let r = masscan(&args);
            assert!(r.status.success(), "{opt}: {}", stderr(&r));
        }
        let text = std::fs::read(&out).unwrap();
        let s = String::from_utf8_lossy(&text);
        match ext {
            "json" => {
                let v: serde_json::Value =
                    serde_json::from_slice(&text).expect("appended JSON parses");
                assert_eq!(v.as_array().unwrap().len(), 45 + 108);
            }
            "xml" => {
                assert_eq!(s.matches("<nmaprun ").count(), 1);
                assert!(s.ends_with("</nmaprun>\r\n"));
                assert_eq!(s.matches("<host ").count(), 45 + 108);
                assert!(
                    s.contains("<hosts up=\"90\" down=\"0\" total=\"90\" />"),
                    "{}",
                    &s[s.len() - 200..]
                );
            }
            "list" => {
                assert!(s.starts_with("#masscan\n") && s.ends_with("# end\n"));
                assert_eq!(s.lines().count(), 2 + 45 + 108);
            }
            "bin" => {
                let l = stdout(&masscan(&["--readscan", o, "-oL", "-"]));
                assert_eq!(l.lines().count(), 2 + 45 + 108);
            }
            _ => assert_eq!(s.matches("# Masscan done at").count(), 1),
        }
    }
    // A file that is not one of ours (or the original's) is refused, not damaged further.
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"ip\": \"1.2.3.4\"}\n").unwrap();
    assert_one_line_error(
        &[
            "--readscan",
            a.to_str().unwrap(),
            "-oJ",
            bad.to_str().unwrap(),
            "--append-output",
        ],
        "cannot append to",
    );
    assert_eq!(
        std::fs::read_to_string(&bad).unwrap(),
        "{\"ip\": \"1.2.3.4\"}\n"
    );
    // One whose scan was killed (no closing, a record cut short) continues after its last
    // complete record into a valid document.
    let killed = dir.path().join("killed.json");
    std::fs::write(&killed, "[\n{\"ip\": \"1.2.3.4\"}\n,\n{\"ip\": \"1.2").unwrap();
    let o = masscan(&[
        "--readscan",
        a.to_str().unwrap(),
        "-oJ",
        killed.to_str().unwrap(),
        "--append-output",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&killed).unwrap()).expect("valid JSON");
    assert_eq!(v.as_array().unwrap().len(), 1 + 45);
}

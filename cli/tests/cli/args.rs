//! Options and config files: every spelling of the hello options, bad input as one line and exit 1, config-file errors with file:line, --echo round trips, the original's config files, the default config file, and what is refused because it is not built yet.

use super::*;

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
fn hello_kind_and_http_options_echo_and_reload() {
    let dir = tempfile::tempdir().unwrap();
    let hello = dir.path().join("hello.txt");
    std::fs::write(&hello, b"PING\r\n").unwrap();
    let conf = dir.path().join("h.conf");
    std::fs::write(
        &conf,
        format!(
            "hello-filename[6380] = {}\nhello = http\nhttp-field = X-Conf: 1\n",
            hello.display()
        ),
    )
    .unwrap();
    let o = masscan(&[
        "10.0.0.1",
        "-p80",
        "-c",
        conf.to_str().unwrap(),
        "--hello",
        "smbv1",
        &format!("--hello-filename[6381]={}", hello.display()),
        "--http-method",
        "POST",
        "--http-uri",
        "/x?y=1",
        "--http-version",
        "HTTP/1.1",
        "--http-host",
        "h.test",
        "--http-header",
        "X-A: 1",
        "--http-header",
        "x-a:2",
        "--http-cookie",
        "c=1",
        "--http-payload",
        "a=b",
        "--http-header[X-Old]",
        "yes",
        "--echo",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    for want in [
        "hello-string[6380] = UElORw0K\n",
        "hello-string[6381] = UElORw0K\n",
        "hello = http\nhello = smbv1\nhttp-method = POST\nhttp-url = /x?y=1\n\
         http-version = HTTP/1.1\nhttp-host = h.test\nhttp-header = X-Conf:1\n\
         http-header = x-a:2\nhttp-header = X-Old:yes\nhttp-cookie = c=1\nhttp-payload = a=b\n",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
    // paused.conf keeps them: reading the echo back gives the same echo.
    let f = dir.path().join("again.conf");
    std::fs::write(&f, &text).unwrap();
    let b = masscan(&["-c", f.to_str().unwrap(), "--echo"]);
    assert!(b.status.success(), "{}", stderr(&b));
    assert_eq!(stdout(&b), text);
}

#[test]
fn bad_hello_and_http_options_are_one_line() {
    assert_one_line_error(
        &["10.0.0.1", "-p80", "--hello", "gopher"],
        "invalid value 'gopher' for '--hello <KIND>'",
    );
    assert_one_line_error(
        &["10.0.0.1", "-p80", "--http-header", "novalue"],
        "bad --http-header 'novalue': needs a name and a value",
    );
    assert_one_line_error(
        &["10.0.0.1", "-p80", "--http-method", "GET /"],
        "bad --http-method 'GET /': one word",
    );
    assert_one_line_error(
        &["10.0.0.1", "-p80", "--http-cookie", "a\r\nX: y"],
        "bad --http-cookie: a header value cannot hold a line break",
    );
    assert_one_line_error(
        &["10.0.0.1", "-p80", "--hello-filename[70000]", "/dev/null"],
        "bad --hello-file[70000]: the port must be 0 to 65535",
    );
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
    // A scan refuses these without an exclude; -sL lists any size (tests/cli/compat.rs).
    assert_one_line_error(
        &["0.0.0.0/0", "-p80", "--offline"],
        "--exclude 255.255.255.255",
    );
    assert_one_line_error(&["::/0", "-p80", "--offline"], "--exclude ff00::/8");
    assert_one_line_error(&["2001:db8::/48", "-p0-65535", "-sL"], "scan too large");
    assert_one_line_error(&["10.0.0.1", "--offline"], "no ports to scan");
    // -sL without ports lists the addresses, as the original does.
    assert_eq!(stdout(&masscan(&["10.0.0.0/30", "-sL"])).lines().count(), 4);
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
    assert_one_line_error(
        &[
            "198.18.0.1",
            "-p80",
            "--offline",
            "--user",
            "no-such-user-here",
        ],
        "--user no-such-user-here: no such user",
    );
    for driver in ["dpdk", "pfring"] {
        assert_one_line_error(
            &["198.18.0.1", "-p80", "--driver", driver, "--seccomp"],
            "--seccomp works with --driver afxdp, --driver afpacket and --offline only",
        );
    }
    assert_one_line_error(&[], "no arguments");
}

#[test]
fn every_value_error_names_its_option() {
    // Issue 26: clap's own number parsers said only `300 is not in 0..=255`.
    for (args, want) in [
        (
            &["--ttl", "300"][..],
            "masscan: bad --ttl 300: use 0 to 255",
        ),
        (
            &["--top-ports", "0"][..],
            "masscan: bad --top-ports 0: use 1 to 65536",
        ),
        (
            &["--blackrock-rounds", "0"][..],
            "masscan: bad --blackrock-rounds 0: use 1 to 63",
        ),
        (
            &["--ttl", "abc"][..],
            "masscan: bad --ttl abc: use 0 to 255",
        ),
        (
            &["--resume-index", "x"][..],
            "masscan: bad --resume-index x: use 0 to 18446744073709551615",
        ),
    ] {
        let mut all = vec!["10.0.0.1", "-p80", "-sL"];
        all.extend_from_slice(args);
        assert_one_line_error(&all, want);
        assert!(stderr(&masscan(&all)).starts_with(want));
    }
    // In a config file: file:line, then the option.
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.conf");
    std::fs::write(&f, "rate = 100\nttl = 300\n").unwrap();
    let fs = f.to_str().unwrap();
    assert_one_line_error(
        &["-c", fs, "10.0.0.1", "-p80", "-sL"],
        "bad.conf:2: bad --ttl 300: use 0 to 255",
    );
    // In a --resume file, a bad number says which setting, and a negative one is a value.
    let p = dir.path().join("paused.conf");
    for (line, want) in [
        (
            "resume-index = abc",
            "paused.conf:2: bad --resume-index abc: use 0 to 18446744073709551615",
        ),
        (
            "resume-count = -1",
            "paused.conf:2: bad --resume-count -1: use 0 to 18446744073709551615",
        ),
        (
            "blackrock-rounds = 0",
            "paused.conf:2: bad --blackrock-rounds 0: use 1 to 63",
        ),
    ] {
        std::fs::write(
            &p,
            format!("seed = 1\n{line}\nrange = 10.0.0.1\nports = 80\n"),
        )
        .unwrap();
        assert_one_line_error(&["--resume", p.to_str().unwrap(), "-sL"], want);
    }
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
    // Typed values: a bad value in a file is caught at its line.
    std::fs::write(&f, "ports = 80\nrate = fast\n").unwrap();
    assert_one_line_error(&["-c", fs, "--echo"], "bad.conf:2: bad --rate 'fast'");
    std::fs::write(&f, "adapter-vlan = 9999\n").unwrap();
    assert_one_line_error(&["-c", fs, "--echo"], "bad.conf:1: bad --adapter-vlan 9999");
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
        "exclude = 10.5.0.0/16\n",
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

// Nothing here may transmit: every scan is --offline, or refused before it opens an interface.
// Live scans run only in the lab (tests/lab.rs).
#[test]
fn refuses_what_is_not_built_yet() {
    // DPDK with no port: refused before anything opens.
    assert_one_line_error(
        &[
            "198.18.0.1",
            "-p80",
            "--driver",
            "dpdk",
            "--dpdk-args",
            "--no-huge -m 64 --no-pci",
        ],
        "DPDK found no ports",
    );
}

/// `--heartbleed` and `--vuln heartbleed` turn banners on and certificates off, as the
/// original's do; `--capture heartbleed` after them keeps the leak; a name the original does
/// not have is refused in one line.
#[test]
fn heartbleed_options_and_an_unknown_check() {
    for spelling in [&["--heartbleed"][..], &["--vuln", "heartbleed"]] {
        let o = masscan(
            &[
                &["10.0.0.1", "-p80"],
                spelling,
                &["--capture", "heartbleed", "--echo"],
            ]
            .concat(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let text = stdout(&o);
        for want in [
            "heartbleed = true\n",
            "banners = true\n",
            "nocapture = cert\n",
            "capture = heartbleed\n",
        ] {
            assert!(
                text.contains(want),
                "{spelling:?}: missing {want:?} in\n{text}"
            );
        }
    }
    assert_one_line_error(
        &["10.0.0.1", "-p80", "--vuln", "nosuch"],
        "unknown --vuln 'nosuch' (choose from heartbleed, ticketbleed, poodle, sslv3, ntp-monlist)",
    );
}

/// `--ticketbleed` and `--vuln ticketbleed`, `--vuln poodle` and `--vuln sslv3` turn banners
/// on and certificates off as the original's do (the ticketbleed capture too, unless asked for
/// after); `--vuln ntp-monlist` makes every port UDP, U:123 when none is given. Each is saved
/// by --echo in a form that loads back.
#[test]
fn ticketbleed_poodle_and_monlist_options() {
    for (args, wants) in [
        (
            &["-p80", "--ticketbleed", "--capture", "ticketbleed"][..],
            &[
                "ticketbleed = true\n",
                "banners = true\n",
                "nocapture = cert\n",
                "capture = ticketbleed\n",
                "ports = 80\n",
            ][..],
        ),
        (
            &["-p80", "--vuln", "ticketbleed"],
            &["ticketbleed = true\n", "nocapture = ticketbleed\n"],
        ),
        (
            &["-p443", "--vuln", "poodle"],
            &["vuln = poodle\n", "banners = true\n", "nocapture = cert\n"],
        ),
        (&["-p443", "--vuln", "sslv3"], &["vuln = poodle\n"]),
        (
            &["--vuln", "ntp-monlist"],
            &["vuln = ntp-monlist\n", "ports = U:123\n"],
        ),
        (
            &[
                "-p123,U:1123",
                "--vuln",
                "ntp-monlist",
                "--vuln",
                "heartbleed",
            ],
            &[
                "vuln = ntp-monlist\n",
                "heartbleed = true\n",
                "ports = U:123,U:1123\n",
            ],
        ),
    ] {
        let o = masscan(&[&["10.0.0.1"], args, &["--echo"]].concat());
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        let text = stdout(&o);
        for want in wants {
            assert!(text.contains(want), "{args:?}: missing {want:?} in\n{text}");
        }
        // The monlist check is UDP alone: it turns no TCP banner grabbing on by itself.
        if args.contains(&"ntp-monlist") && !args.contains(&"heartbleed") {
            assert!(!text.contains("banners = true"), "{text}");
        }
        // The saved configuration loads back to the same one.
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("saved.conf");
        std::fs::write(&conf, &text).unwrap();
        let again = masscan(&["-c", conf.to_str().unwrap(), "--echo"]);
        assert!(again.status.success(), "{}", stderr(&again));
        assert_eq!(stdout(&again), text, "{args:?}");
    }
}

/// `--identify-tries`: written by `--echo` next to `identify` and read back; outside 0-5 (or
/// not a number) it is one line of error.
#[test]
fn identify_tries_is_echoed_read_back_and_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let a = masscan(&[
        "10.0.0.1",
        "-p80",
        "--identify",
        "--identify-tries",
        "1",
        "--echo",
    ]);
    assert!(a.status.success(), "{}", stderr(&a));
    let text = stdout(&a);
    assert!(
        text.contains("identify = true\nidentify-tries = 1\n"),
        "{text}"
    );
    let f = dir.path().join("i.conf");
    std::fs::write(&f, &text).unwrap();
    let b = masscan(&["-c", f.to_str().unwrap(), "--echo"]);
    assert!(b.status.success(), "{}", stderr(&b));
    assert_eq!(stdout(&b), text);
    // Not given: no line (the default, the whole series).
    let c = masscan(&["10.0.0.1", "-p80", "--identify", "--echo"]);
    assert!(!stdout(&c).contains("identify-tries"), "{}", stdout(&c));
    let top = masscan(&[
        "10.0.0.1",
        "-p80",
        "--identify",
        "--identify-tries",
        "5",
        "--echo",
    ]);
    assert!(top.status.success(), "{}", stderr(&top));
    assert!(
        stdout(&top).contains("identify-tries = 5\n"),
        "{}",
        stdout(&top)
    );
    for bad in ["6", "-1", "two"] {
        assert_one_line_error(
            &["10.0.0.1", "-p80", "--identify", "--identify-tries", bad],
            "identify-tries",
        );
    }
}

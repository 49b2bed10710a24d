//! The original's option spellings: names that ignore case and `-`/`_`/`.`, its aliases,
//! `name[0]`, `--name:value`, nmap's single-dash options, `--top-ports`, `--exclude-ports`,
//! `--readrange`, and `--readscan` without the default config file.

use super::*;

#[test]
fn config_names_are_read_as_the_original_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    let ex = dir.path().join("ex");
    std::fs::write(&ex, "10.0.0.5\n").unwrap();
    let conf = dir.path().join("c.conf");
    std::fs::write(
        &conf,
        format!(
            "Rate = 5\nexclude_file = {}\nSource.IP = 198.18.0.9\nadapter-port[0] = 40000\n\
             udp_ports = 53,161\nNoBanners = true\nrandomize-hosts = true\n",
            ex.display()
        ),
    )
    .unwrap();
    let o = masscan(&["-c", conf.to_str().unwrap(), "10.0.0.0/29", "--echo"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    for want in [
        "rate = 5 ",
        "adapter-ip = 198.18.0.9\n",
        "adapter-port = 40000\n",
        "ports = U:53,U:161\n",
        "range = 10.0.0.0-10.0.0.4\nrange = 10.0.0.6/31\n",
    ] {
        assert!(text.contains(want), "{want:?} missing in\n{text}");
    }
    // A name the original refuses too, and one nobody knows: file and line, one line.
    std::fs::write(&conf, "rate = 5\nhost-timeout = 5\n").unwrap();
    assert_one_line_error(
        &["-c", conf.to_str().unwrap(), "10.0.0.1", "-p80", "-sL"],
        "c.conf:2: nmap(--host-timeout)",
    );
    std::fs::write(&conf, "adapter[8] = eth8\n").unwrap();
    assert_one_line_error(
        &["-c", conf.to_str().unwrap(), "10.0.0.1", "-p80", "-sL"],
        "c.conf:1: adapter[8]: the interface index must be 0 to 7",
    );
    std::fs::write(&conf, "rate[1] = 5\n").unwrap();
    assert_one_line_error(
        &["-c", conf.to_str().unwrap(), "10.0.0.1", "-p80", "-sL"],
        "c.conf:1: rate[1]: only the interface options",
    );
    std::fs::write(&conf, "adapter-ip[1] = 10.0.0.300\n").unwrap();
    assert_one_line_error(
        &["-c", conf.to_str().unwrap(), "10.0.0.1", "-p80", "-sL"],
        "adapter-ip[1] 10.0.0.300: ",
    );
}

/// The original's several interfaces: `name[i]` for each interface's own settings, in config
/// files and on the command line, written back by `--echo` (and so by `paused.conf`) and read
/// back to the same settings.
#[test]
fn several_interfaces_are_read_written_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("nics.conf");
    std::fs::write(
        &conf,
        "adapter = eth0\nadapter[1] = eth1\nSource.IP[1] = 10.1.0.2\nrouter-mac[1] = \
         02:00:00:00:00:01\nrouter-ip[2] = 10.2.0.1\nadapter[2] = eth2\nadapter-vlan[2] = 7\n",
    )
    .unwrap();
    let o = masscan(&[
        "-c",
        conf.to_str().unwrap(),
        "10.0.0.0/29",
        "-p80",
        "--adapter-port[1]",
        "40000",
        "--nic=2:adapter-mac=02:00:00:00:00:22",
        "--echo",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let want = "adapter = eth0\nadapter[1] = eth1\nadapter-ip[1] = 10.1.0.2\n\
                router-mac[1] = 02-00-00-00-00-01\nadapter-port[1] = 40000\n\
                adapter[2] = eth2\nadapter-mac[2] = 02-00-00-00-00-22\nadapter-vlan[2] = 7\n\
                router-ip[2] = 10.2.0.1\n";
    assert!(text.contains(want), "{want}\nnot in\n{text}");
    let f = dir.path().join("echo.conf");
    std::fs::write(&f, &text).unwrap();
    assert_eq!(
        stdout(&masscan(&["-c", f.to_str().unwrap(), "--echo"])),
        text
    );
    assert_one_line_error(
        &["10.0.0.1", "-p80", "--nic", "1:rate=5", "-sL"],
        "rate is not an interface option",
    );
}

#[test]
fn command_line_names_and_values_as_the_original_writes_them() {
    let o = masscan(&[
        "10.0.0.0/29",
        "--SRC-IP:198.18.0.2",
        "--dst_port=80",
        "--Banners=false",
        "--echo",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("adapter-ip = 198.18.0.2\n"), "{text}");
    assert!(text.contains("ports = 80\n"), "{text}");
    assert!(!text.contains("banners"), "{text}");
    // -sU: the -p values after it are UDP; --exclude-ports takes some away.
    let o = masscan(&[
        "10.0.0.1",
        "-p80",
        "-sU",
        "-p",
        "53,161",
        "--exclude-ports",
        "U:161",
        "--echo",
    ]);
    assert!(stdout(&o).contains("ports = 80,U:53\n"), "{}", stdout(&o));
    // --top-ports without a number is 20 (the original's); its list's first ports first.
    let o = masscan(&["--top-ports", "10.0.0.1", "-sL"]);
    assert_eq!(stdout(&o).lines().count(), 20, "{}", stderr(&o));
    let o = masscan(&["10.0.0.1", "--top-ports", "3", "--echo"]);
    assert!(
        stdout(&o).contains("ports = 80,443,8080\n"),
        "{}",
        stdout(&o)
    );
    // -sT: a warning, then a SYN scan.
    let o = masscan(&["10.0.0.1", "-p80", "-sT", "-sL"]);
    assert!(o.status.success());
    assert!(stderr(&o).contains("doing a SYN scan"), "{}", stderr(&o));
    // --Version and -V print the original's version line first.
    for v in ["-V", "--Version"] {
        let o = masscan(&[v]);
        assert!(stdout(&o).starts_with("\nMasscan version 1.3.2 ( "), "{v}");
    }
}

#[test]
fn nmap_options_the_original_explains_are_one_line_each() {
    for (args, want) in [
        (&["-sV"][..], "nmap(-sV): no version detection"),
        (&["-A"], "nmap(-A)"),
        (&["-O"], "nmap(-O): masscan does no OS detection"),
        (&["-T4"], "nmap(-T4): timing templates"),
        (&["-sA"], "nmap(-sA): only SYN scans"),
        (&["-oN", "x"], "nmap(-oN)"),
        (&["-F"], "--top-ports 100"),
        (&["--min-rate", "5"], "nmap(--min-rate)"),
        (&["--max_hostgroup", "5"], "nmap(--max-hostgroup)"),
    ] {
        let mut all = vec!["10.0.0.1", "-p80"];
        all.extend_from_slice(args);
        all.push("-sL");
        assert_one_line_error(&all, want);
    }
}

#[test]
fn readrange_prints_the_ranges_and_readscan_skips_the_default_config() {
    let o = masscan(&[
        "--readrange",
        "10.0.0.0/8",
        "2001:db8::/64",
        "--exclude",
        "10.1.0.0/16",
    ]);
    assert_eq!(
        stdout(&o),
        "10.0.0.0/16\n10.2.0.0-10.255.255.255\n2001:db8::/64\n"
    );
    let o = masscan(&["--echo-cidr", "10.0.0.1-10.0.0.6", "2001:db8::/127"]);
    assert_eq!(
        stdout(&o),
        "10.0.0.1/32\n10.0.0.2/31\n10.0.0.4/31\n10.0.0.6/32\n2001:db8::/127\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("masscan.conf");
    std::fs::write(&conf, "this is not a config file\n").unwrap();
    let bin = dir.path().join("empty.bin");
    let o = masscan_cmd()
        .args([
            "10.0.0.1",
            "-p80",
            "--offline",
            "-oB",
            bin.to_str().unwrap(),
        ])
        .args(["--nostatus", "--wait", "0"])
        .env("MASSCAN_DEFAULT_CONF", "")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let o = masscan_cmd()
        .args(["--readscan", bin.to_str().unwrap()])
        .env("MASSCAN_DEFAULT_CONF", &conf)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    // A scan does read it (and says what is wrong with it).
    let o = masscan_cmd()
        .args(["10.0.0.1", "-p80", "-sL"])
        .env("MASSCAN_DEFAULT_CONF", &conf)
        .output()
        .unwrap();
    assert!(!o.status.success());
}

#[test]
fn bad_input_a_new_user_tries_is_one_clear_line() {
    for (args, want) in [
        (
            &["10.0.0.1", "-p80", "--wait", "-1", "-sL"][..],
            "bad --wait '-1'",
        ),
        (&["10.0.0.1", "-p80", "--seed", "-1", "-sL"], "--seed"),
        (
            &["10.0.0.1-2001:db8::1", "-p80", "-sL"],
            "both IPv4 or both IPv6",
        ),
        (&["::/0", "-p80", "--offline"], "--exclude ff00::/8"),
        (&["::/0", "-p80", "-sL"], "exceeds 2^63 probes"),
        (
            &["10.0.0.1", "-p80", "--shards", "1/4294967296", "-sL"],
            "y <= 4294967295",
        ),
        (&["10.0.0.1", "-p80", "-oX"], "-oX needs a file name"),
        (
            &[
                "10.0.0.1",
                "-p80",
                "--offline",
                "--metrics",
                "no-such-host:x",
            ],
            "--metrics no-such-host:x: cannot listen there",
        ),
        (
            &["10.0.0.1", "-p80", "--inject-faults", "drop=2"],
            "drop rate '2' is not a fraction",
        ),
        (
            &[
                "10.0.0.1",
                "-p80",
                "--offline",
                "--open-only",
                "--show",
                "closed",
            ],
            "contradict",
        ),
        (
            &["10.0.0.1", "-p80", "--offline", "--rotate", "60"],
            "rotate an output file",
        ),
        (
            &[
                "10.0.0.1",
                "-p80",
                "--offline",
                "--pcap",
                "/nonexistent/dir/x.pcap",
            ],
            "/nonexistent/dir/x.pcap",
        ),
        (
            &["10.0.0.1", "-p80", "--driver", "foo"],
            "afxdp, afpacket, dpdk, pfring or offline",
        ),
        (&["10.0.0.1", "-p", ",", "-sL"], "no port in it"),
    ] {
        assert_one_line_error(args, want);
    }
    // Negative-looking values that are valid: `-p -1` is port 1 (nmap's `-N`).
    assert_eq!(
        stdout(&masscan(&["10.0.0.1", "-p", "-1", "--echo"]))
            .lines()
            .filter(|l| *l == "ports = 1")
            .count(),
        1
    );
    // Empty list items are skipped in ports as in targets.
    let o = masscan(&["10.0.0.1,,10.0.0.2", "-p80,,81,", "-sL"]);
    assert_eq!(stdout(&o).lines().count(), 4, "{}", stderr(&o));
    // A byte order mark before the first name.
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("bom.conf");
    std::fs::write(&conf, "\u{feff}rate = 5\n").unwrap();
    let o = masscan(&["-c", conf.to_str().unwrap(), "10.0.0.1", "-p80", "--echo"]);
    assert!(stdout(&o).contains("rate = 5 "), "{}", stderr(&o));
    // One host, one probe: singular.
    let o = masscan(&["10.0.0.1", "-p80", "--offline", "--wait", "0"]);
    let err = stderr(&o);
    assert!(err.contains("Scanning 1 host [1 port/host]"), "{err}");
    assert!(err.contains("total: 1 probe in"), "{err}");
    assert!(err.contains("100.00% done"), "{err}");
}

#[test]
fn echo_all_writes_the_defaults_too_and_reads_back() {
    let o = masscan(&["10.0.0.1", "-p80", "--echo-all"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    for want in [
        "retries = 0\n",
        "ttl = 255\n",
        "wait = 10\n",
        "banners = false\n",
        "hello-timeout = 2\n",
    ] {
        assert!(text.contains(want), "{want:?} missing in\n{text}");
    }
    // Not in --echo; and a file written by --echo-all reads back to the same settings.
    let plain = stdout(&masscan(&["10.0.0.1", "-p80", "--seed", "3", "--echo"]));
    assert!(!plain.contains("ttl = 255"));
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("all.conf");
    std::fs::write(
        &f,
        stdout(&masscan(&["10.0.0.1", "-p80", "--seed", "3", "--echo-all"])),
    )
    .unwrap();
    let again = stdout(&masscan(&["-c", f.to_str().unwrap(), "--echo"]));
    let strip = |t: &str| {
        t.replace("hello-timeout = 2\n", "")
            .replace("connection-timeout = 30\n", "")
            .replace("banner-bytes = 4096\n", "")
    };
    assert_eq!(strip(&again), strip(&plain));
}

//! `--readscan`: the original's `.bin` files converted like the original does, merging and binary round trips, damaged or foreign files, and --append-output.

use super::*;

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

use masscan_engine::output::Record;

/// An open TCP port found at a fixed time.
fn open_port(ip: &str, port: u16) -> Record {
    use masscan_engine::output::{Status, StatusRecord};
    Record::Status(StatusRecord {
        time: 1_700_000_000,
        ip: ip.parse().unwrap(),
        ip_proto: 6,
        port,
        status: Status::Open,
        reason: 0x12,
        ttl: 64,
        mac: None,
    })
}

/// A TCP banner of kind `app_proto` found at a fixed time.
fn tcp_banner(ip: &str, port: u16, app_proto: u16, text: &[u8]) -> Record {
    Record::Banner(masscan_engine::output::BannerRecord {
        time: 1_700_000_000,
        ip: ip.parse().unwrap(),
        ip_proto: 6,
        port,
        app_proto,
        ttl: 64,
        banner: text.to_vec(),
    })
}

/// `records` as an `-oB` file `name` in `dir`, written with the engine's writer.
fn write_bin(dir: &Path, name: &str, records: &[Record]) -> std::path::PathBuf {
    use masscan_engine::output::binary;
    let mut v = binary::header(1_700_000_000);
    for r in records {
        binary::push_record(&mut v, r);
    }
    v.extend(binary::trailer());
    let f = dir.join(name);
    std::fs::write(&f, v).unwrap();
    f
}

/// Two open ports, an SSH banner and an HTTP title.
fn small_bin(dir: &Path) -> std::path::PathBuf {
    let records = [
        open_port("10.0.0.1", 80),
        open_port("10.0.0.2", 22),
        tcp_banner("10.0.0.2", 22, 3, b"SSH-2.0-x"),
        tcp_banner("10.0.0.1", 80, 17, b"hello"),
    ];
    write_bin(dir, "small.bin", &records)
}

#[test]
fn readscan_filters_by_range_ports_and_banner_types_as_the_original() {
    let dir = tempfile::tempdir().unwrap();
    let f = small_bin(dir.path());
    let f = f.to_str().unwrap();
    let lines = |extra: &[&str]| {
        let mut args = vec!["--readscan", f];
        args.extend_from_slice(extra);
        let o = masscan(&args);
        assert!(o.status.success(), "{extra:?}: {}", stderr(&o));
        stdout(&o)
            .lines()
            .map(|l| l.trim_end().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(lines(&[]).len(), 4);
    assert_eq!(
        lines(&["--range", "10.0.0.2"]),
        [
            "Discovered open port 22/tcp on 10.0.0.2",
            "Banner on port 22/tcp on 10.0.0.2: [ssh] SSH-2.0-x"
        ]
    );
    assert_eq!(lines(&["-p", "80"]).len(), 2);
    assert_eq!(lines(&["-p", "U:80"]).len(), 0, "UDP 80 is not TCP 80");
    // Banner types: those banners only, no port lines.
    assert_eq!(
        lines(&["--banner-types", "title"]),
        ["Banner on port 80/tcp on 10.0.0.1: [title] hello"]
    );
    assert_eq!(lines(&["--banner-types", "ssh,title"]).len(), 2);
    assert_one_line_error(
        &["--readscan", f, "--banner-types", "nosuch"],
        "unknown --banner-types 'nosuch'",
    );
}

#[test]
fn certs_output_writes_each_certificate_banner_as_pem() {
    let dir = tempfile::tempdir().unwrap();
    // A certificate banner as the TLS parser reports it (base64 of the DER), then a title.
    let b64 = "MIIBszCCAVmgAwIBAgIUQ".repeat(5);
    let records = [
        tcp_banner("10.0.0.1", 443, 15, b64.as_bytes()),
        tcp_banner("10.0.0.1", 443, 17, b"title"),
    ];
    let bin = write_bin(dir.path(), "certs.bin", &records);
    let pem = dir.path().join("certs.pem");
    let o = masscan(&[
        "--readscan",
        bin.to_str().unwrap(),
        "--output-format",
        "certs",
        "--output-filename",
        pem.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&pem).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.first(), Some(&"-----BEGIN CERTIFICATE-----"));
    assert_eq!(lines.last(), Some(&"-----END CERTIFICATE-----"));
    assert_eq!(lines[1..lines.len() - 1].concat(), b64);
    assert!(lines[1..lines.len() - 1].iter().all(|l| l.len() <= 64));
}

#[test]
fn output_format_none_writes_nothing_and_interactive_is_the_console() {
    let none = [
        "10.0.0.1",
        "-p80",
        "--offline",
        "--wait",
        "0",
        "--output-format",
        "none",
    ];
    let o = masscan(&[&none[..], &["--echo"]].concat());
    assert!(
        stdout(&o).contains("output-format = none\n"),
        "{}",
        stdout(&o)
    );
    let o = masscan(&none);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    let o = masscan(&[
        "10.0.0.1",
        "-p80",
        "--output-format",
        "interactive",
        "--echo",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn xml_names_a_stylesheet_with_stylesheet_or_webxml() {
    let dir = tempfile::tempdir().unwrap();
    let f = small_bin(dir.path());
    let xml = dir.path().join("s.xml");
    for (extra, want) in [
        (&["--webxml"][..], Some("http://nmap.org/svn/docs/nmap.xsl")),
        (&["--stylesheet", "my.xsl"], Some("my.xsl")),
        (&["--stylesheet", "my.xsl", "--no-stylesheet"], None),
        (&[], None),
    ] {
        let mut args = vec![
            "--readscan",
            f.to_str().unwrap(),
            "-oX",
            xml.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let o = masscan(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        let text = std::fs::read_to_string(&xml).unwrap();
        let line = text.lines().nth(2).unwrap();
        match want {
            Some(url) => assert_eq!(
                line,
                format!("<?xml-stylesheet href=\"{url}\" type=\"text/xsl\"?>")
            ),
            None => assert!(line.starts_with("<nmaprun "), "{line}"),
        }
    }
    let o = masscan(&["10.0.0.1", "-p80", "--webxml", "--echo"]);
    assert!(stdout(&o).contains("stylesheet = http://nmap.org/svn/docs/nmap.xsl\n"));
}

#[test]
fn readscan_writes_every_output_it_is_given() {
    let Some(f) = fixtures() else { return };
    let dir = tempfile::tempdir().unwrap();
    let bin = f.join("scan-banners.bin");
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let (x, l, j) = (path("all.xml"), path("all.list"), path("all.json"));
    let o = masscan(&[
        "--readscan",
        bin.to_str().unwrap(),
        "-oX",
        &x,
        "-oL",
        &l,
        "-oJ",
        &j,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    for (flag, name, together) in [
        ("-oX", "one.xml", &x),
        ("-oL", "one.list", &l),
        ("-oJ", "one.json", &j),
    ] {
        let alone = path(name);
        let o = masscan(&["--readscan", bin.to_str().unwrap(), flag, &alone]);
        assert!(o.status.success(), "{}", stderr(&o));
        let together = without_times(&std::fs::read(together).unwrap());
        assert!(!together.is_empty());
        assert!(
            together == without_times(&std::fs::read(&alone).unwrap()),
            "{flag} written beside others differs from {flag} alone"
        );
    }
}

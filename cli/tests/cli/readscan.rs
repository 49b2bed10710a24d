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

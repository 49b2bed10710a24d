//! Every output format against the original's own: files the original wrote (Debian's masscan
//! 1.3.2 scanning the lab: TCP open and closed, banners, UDP open and closed, ICMP, ARP; made by
//! scripts/outputs_fixtures.sh into cli/tests/fixtures/outputs/) converted by our `--readscan`
//! and compared byte for byte with the original's conversions. The few differences kept on
//! purpose (docs/compat-outputs.md) are undone one by one (test-support's `binfile`), nothing
//! else.

use super::*;
use masscan_test_support::binfile::{comparable, first_difference, renumber_from_132};
use std::path::PathBuf;

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/outputs")
}

/// The 1.3.2 fixtures renumbered into `dir`: the paths of scan-mixed.bin and
/// scan-closed.bin.
fn renumbered(dir: &Path) -> [String; 2] {
    ["scan-mixed", "scan-closed"].map(|n| {
        let p = dir.join(format!("{n}.bin"));
        let raw = std::fs::read(fixtures().join(format!("{n}.bin"))).unwrap();
        std::fs::write(&p, renumber_from_132(&raw)).unwrap();
        p.to_str().unwrap().to_string()
    })
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn readscan_writes_every_format_as_the_original_does() {
    let tmp = tempfile::tempdir().unwrap();
    let [mixed, closed] = renumbered(tmp.path());
    let before = unix_now();
    for (variant, extra) in [("default", &[][..]), ("closed", &["--show", "closed"][..])] {
        for (letter, ext) in [
            ("L", "list"),
            ("J", "json"),
            ("D", "ndjson"),
            ("X", "xml"),
            ("G", "grep"),
            ("U", "unicorn"),
            ("H", "hostonly"),
            ("B", "bin"),
            ("", "console"),
        ] {
            let out = tmp.path().join(format!("{variant}.{ext}"));
            let mut args = vec!["--readscan", &mixed, &closed];
            args.extend_from_slice(extra);
            let flag = format!("-o{letter}");
            if !letter.is_empty() {
                args.extend([flag.as_str(), out.to_str().unwrap()]);
            }
            let o = masscan(&args);
            assert!(o.status.success(), "{variant}.{ext}: {}", stderr(&o));
            let ours = if letter.is_empty() {
                o.stdout.clone()
            } else {
                std::fs::read(&out).unwrap()
            };
            let theirs = std::fs::read(fixtures().join(format!("{variant}.{ext}"))).unwrap();
            if ext == "bin" {
                // Records byte for byte (the original's in its own 1.3.2 numbering); the header's
                // start time is the first file's (1.3.2 takes its first record's instead).
                let theirs = renumber_from_132(&theirs);
                assert!(
                    ours.len() > 99 && ours[99..] == theirs[99..],
                    "{variant}.bin"
                );
                assert_eq!(ours[..99], std::fs::read(&mixed).unwrap()[..99]);
                continue;
            }
            let (a, b) = (comparable(&ours, false), comparable(&theirs, true));
            assert!(
                a == b,
                "{variant}.{ext} differs from the original's: {}",
                first_difference(&a, &b)
            );
            if ext == "xml" {
                xml_times_are_the_conversions(&ours, before);
            }
        }
    }
}

/// XML's `start` is when the file was opened and `elapsed` counts from it, as the original's
/// (for `--readscan`, the conversion, not the scan).
fn xml_times_are_the_conversions(xml: &[u8], before: u64) {
    let xml = String::from_utf8_lossy(xml);
    let attr = |name: &str| -> u64 {
        let at = xml.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        xml[at..].split('"').next().unwrap().parse().unwrap()
    };
    let (start, elapsed) = (attr("start"), attr("elapsed"));
    let after = unix_now();
    assert!(before <= start && start <= after, "start={start}");
    assert!(elapsed <= after - before, "elapsed={elapsed}");
}

#[test]
fn readscan_honours_noshow_open_and_open_only() {
    let tmp = tempfile::tempdir().unwrap();
    let [mixed, closed] = renumbered(tmp.path());
    let list = |extra: &[&str]| {
        let mut args = vec!["--readscan", &mixed, &closed, "-oL", "-"];
        args.extend_from_slice(extra);
        let o = masscan(&args);
        assert!(o.status.success(), "{extra:?}: {}", stderr(&o));
        stdout(&o)
    };
    let read = |n: &str| std::fs::read_to_string(fixtures().join(n)).unwrap();
    // `--open-only` is the default; `--noshow open` drops the open ports, not the banners.
    assert_eq!(list(&["--open-only"]), read("default.list"));
    let closed_only: String = read("closed.list")
        .split_inclusive('\n')
        .filter(|l| !l.starts_with("open "))
        .collect();
    assert_eq!(list(&["--noshow", "open", "--show", "closed"]), closed_only);
    assert!(closed_only.contains("\nclosed tcp ") && closed_only.contains("\nbanner "));
}

/// One ARP record of our `-oB` format (type 8, as the original writes it; the original itself
/// cannot read it back, so the ARP fixtures are the original's live outputs).
fn arp_record(ip: [u8; 4], time: u32) -> Vec<u8> {
    let mut r = vec![8, 13];
    r.extend_from_slice(&time.to_be_bytes());
    r.extend_from_slice(&ip);
    r.extend_from_slice(&[0, 0, 0, 0, 0]);
    r
}

/// The hosts and times of an ARP fixture, in its order: each line naming a 198.18.0.x host,
/// with the first ten-digit number on it (unicornscan lines have none: 0).
fn arp_hosts(text: &str) -> Vec<([u8; 4], u32)> {
    text.lines()
        .filter_map(|l| {
            let at = l.find("198.18.0.")?;
            let last: String = l[at + 9..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            let time = l
                .split(|c: char| !c.is_ascii_digit())
                .find(|w| w.len() == 10)
                .map_or(0, |w| w.parse().unwrap());
            Some(([198, 18, 0, last.parse().ok()?], time))
        })
        .collect()
}

#[test]
fn arp_results_are_written_as_the_original_writes_them() {
    let tmp = tempfile::tempdir().unwrap();
    for (letter, ext) in [
        ("L", "list"),
        ("J", "json"),
        ("D", "ndjson"),
        ("X", "xml"),
        ("G", "grep"),
        ("U", "unicorn"),
    ] {
        let theirs = std::fs::read(fixtures().join(format!("arp.{ext}"))).unwrap();
        let hosts = arp_hosts(&String::from_utf8_lossy(&theirs));
        assert_eq!(hosts.len(), 3, "arp.{ext}");
        let mut bin = b"masscan/1.1\ns:1796622000\n".to_vec();
        bin.resize(99, 0);
        for (ip, time) in hosts {
            bin.extend(arp_record(ip, time));
        }
        let path = tmp.path().join(format!("arp-{ext}.bin"));
        std::fs::write(&path, &bin).unwrap();
        let out = tmp.path().join(format!("arp.{ext}"));
        let o = masscan(&[
            "--readscan",
            path.to_str().unwrap(),
            &format!("-o{letter}"),
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "arp.{ext}: {}", stderr(&o));
        let (a, b) = (
            comparable(&std::fs::read(&out).unwrap(), false),
            comparable(&theirs, true),
        );
        assert!(a == b, "arp.{ext}: {}", first_difference(&a, &b));
    }
}

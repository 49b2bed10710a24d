//! The original's BlackRock order, our default: `-sL` byte-identical to the original masscan's
//! (fixtures made by scripts/blackrock_fixtures.sh from Debian's masscan 1.3.2), the original's
//! paused.conf resuming in its order, and our files loading in it (no `permutation` line).

use super::*;
use sha2::{Digest, Sha256};
use std::path::PathBuf;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Line count and SHA-256 of `text`, as the fixture script writes them.
fn count_and_hash(text: &str) -> String {
    format!(
        "{} {:x}",
        text.lines().count(),
        Sha256::digest(text.as_bytes())
    )
}

#[test]
fn list_scan_in_blackrock_order_is_the_originals() {
    let dir = fixtures().join("blackrock");
    let cases = std::fs::read_to_string(dir.join("cases.txt")).unwrap();
    let cases: Vec<&str> = cases
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    assert_eq!(cases.len(), 12);
    for (n, case) in cases.iter().enumerate() {
        let mut args = vec!["-sL", "--permutation", "blackrock"];
        args.extend(case.split_whitespace());
        let o = masscan(&args);
        assert!(o.status.success(), "{case}: {}", stderr(&o));
        let got = stdout(&o);
        let name = format!("case{}", n + 1);
        if let Ok(want) = std::fs::read_to_string(dir.join(format!("{name}.txt"))) {
            if got != want {
                let first = got.lines().zip(want.lines()).position(|(a, b)| a != b);
                panic!(
                    "{name} ({case}): differs from the original (first difference at line \
                     {first:?}; {} lines, want {})",
                    got.lines().count(),
                    want.lines().count()
                );
            }
        } else {
            let want = std::fs::read_to_string(dir.join(format!("{name}.sha256"))).unwrap();
            assert_eq!(count_and_hash(&got), want.trim(), "{name} ({case})");
        }
        // The default order is this one; Feistel another one (the same targets).
        let default = masscan(&args[3..].iter().copied().chain(["-sL"]).collect::<Vec<_>>());
        assert_eq!(
            stdout(&default),
            got,
            "{case}: the default order is the original's"
        );
        // (Shards, resume slices and retries cover other subsets in each order; the rounds
        // are BlackRock's alone.)
        let other_subset = ["--retries", "--shards", "--resume", "--blackrock-rounds"];
        if !other_subset.iter().any(|o| case.contains(o)) {
            let ours = masscan(
                &args[3..]
                    .iter()
                    .copied()
                    .chain(["-sL", "--permutation", "feistel"])
                    .collect::<Vec<_>>(),
            );
            assert!(ours.status.success(), "{case}: {}", stderr(&ours));
            let mut a: Vec<&str> = got.lines().collect();
            let ours = stdout(&ours);
            let mut b: Vec<&str> = ours.lines().collect();
            assert!(a != b, "{case}: the Feistel order is another one");
            assert_eq!(a.len(), b.len(), "{case}");
            // The BlackRock listing writes ports as the original numbers them (65589 for
            // U:53); Feistel's writes U:53, so compare sets where only TCP ports appear.
            if !case.contains(':') && !case.contains("--ping") {
                a.sort_unstable();
                b.sort_unstable();
                assert_eq!(a, b, "{case}: both orders list the same targets");
            }
        }
    }
}

#[test]
fn the_originals_paused_conf_resumes_in_blackrock_order() {
    let paused = fixtures().join("original/paused.conf");
    // No `permutation` line: written by the original, so its order, which is ours by
    // default: our --echo names no order either.
    let o = masscan(&["--resume", paused.to_str().unwrap(), "--echo"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stdout(&o).contains("permutation"), "{}", stdout(&o));
    let o = masscan(&["-c", paused.to_str().unwrap(), "-sL"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let want = std::fs::read_to_string(fixtures().join("blackrock/paused.sha256")).unwrap();
    assert_eq!(count_and_hash(&stdout(&o)), want.trim());
    // The command line still chooses.
    let o = masscan(&[
        "-c",
        paused.to_str().unwrap(),
        "--permutation",
        "feistel",
        "-sL",
    ]);
    assert_ne!(count_and_hash(&stdout(&o)), want.trim());
    // Our own files name the Feistel order when it was chosen, so they resume in it.
    let dir = tempfile::tempdir().unwrap();
    let ours = dir.path().join("ours.conf");
    let echo = masscan(&[
        "198.18.0.0/25",
        "-p1-1000",
        "--resume-index",
        "1361",
        "--permutation",
        "feistel",
        "--echo",
    ]);
    std::fs::write(&ours, stdout(&echo)).unwrap();
    let text = stdout(&echo);
    assert!(text.contains("permutation = feistel\n"), "{text}");
    let o = masscan(&["-c", ours.to_str().unwrap(), "--echo"]);
    assert!(stdout(&o).contains("permutation = feistel\n"));
}

#[test]
fn blackrock_rounds_imply_the_blackrock_order() {
    let o = masscan(&["10.0.0.0/24", "-p80", "--blackrock-rounds", "4", "--echo"]);
    let text = stdout(&o);
    assert!(text.contains("blackrock-rounds = 4\n"), "{text}");
    assert!(!text.contains("permutation"), "{text}");
    assert_one_line_error(
        &[
            "10.0.0.0/24",
            "-p80",
            "--permutation",
            "feistel",
            "--blackrock-rounds",
            "4",
            "-sL",
        ],
        "--blackrock-rounds applies to --permutation blackrock",
    );
}

/// The destination addresses of the IPv4 frames an offline scan wrote with `--pcap-sent`.
fn sent_v4(pcap: &Path) -> Vec<[u8; 4]> {
    super::compat::pcap_frames(pcap)
        .iter()
        .map(|f| f[30..34].try_into().unwrap())
        .collect()
}

#[test]
fn a_resume_at_another_rate_keeps_the_paused_scans_order() {
    // The original offsets its BlackRock order by the rate: resumed with another --rate, it
    // would walk another order from the resume index and miss targets. Ours keeps the rate
    // of the resume file for the order (and writes it back), and paces at the new one.
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let scan = ["198.18.0.0/22", "-p80", "--seed", "9", "--wait", "0"];
    let mut args = scan.to_vec();
    let full = at("full.pcap");
    args.extend(["--offline", "--rate", "4000000", "--pcap-sent", &full]);
    let o = masscan(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let full = sent_v4(Path::new(&full));
    assert_eq!(full.len(), 1024);
    let mut echo = scan.to_vec();
    echo.extend(["--rate", "4000000", "--resume-index", "300", "--echo"]);
    let paused = at("paused.conf");
    std::fs::write(&paused, stdout(&masscan(&echo))).unwrap();
    let tail = at("tail.pcap");
    let o = masscan(&[
        "--resume",
        &paused,
        "--rate",
        "9000000",
        "--offline",
        "--pcap-sent",
        &tail,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(sent_v4(Path::new(&tail)), full[300..]);
    // Its own paused file keeps the order's rate.
    let o = masscan(&["--resume", &paused, "--rate", "9000000", "--echo"]);
    assert!(stdout(&o).contains("rate = 4000000"), "{}", stdout(&o));
}

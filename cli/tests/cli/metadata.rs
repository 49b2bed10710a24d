//! `--metadata FILE`: the shards of one scan share a fingerprint and together account for every
//! probe of the whole scan; a paused run says where it stopped and its resumed run picks up
//! there; an unwritable path is one line before anything is sent.

use super::{interrupt, masscan_in, slow_offline_scan, stderr};
use serde_json::Value;
use std::path::Path;

fn doc(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}: {text}", path.display()))
}

#[test]
fn shards_share_a_fingerprint_and_add_up_to_the_whole_scan() {
    let dir = tempfile::tempdir().unwrap();
    let scan = [
        "198.18.0.0/20",
        "10.1.0.0/24",
        "--exclude",
        "198.18.3.0/24",
        "-p80,443,U:53",
        "--retries",
        "1",
        "--offline",
        "--rate",
        "10000000",
        "--seed",
        "11",
        "--nostatus",
    ];
    let run = |extra: &[&str], file: &str| -> Value {
        let mut args = scan.to_vec();
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--metadata", file]);
        let o = masscan_in(dir.path(), &args);
        assert!(o.status.success(), "{}", stderr(&o));
        doc(&dir.path().join(file))
    };
    let whole = run(&[], "whole.json");
    assert_eq!(whole["exit"], "completed");
    assert_eq!(whole["scan"]["addresses"], 4096 - 256 + 256);
    assert_eq!(whole["scan"]["ports"], "80,443,U:53");
    assert_eq!(whole["scan"]["targets"], 4096 * 3);
    let total = whole["probes"]["sent"].as_u64().unwrap();
    assert_eq!(total, 4096 * 3 * 2, "every target twice (--retries 1)");
    assert_eq!(whole["probes"]["indices_left"], 0);
    let mut sent = 0;
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let d = run(&["--shards", &shard], &format!("shard{k}.json"));
        assert_eq!(d["scan"]["fingerprint"], whole["scan"]["fingerprint"]);
        assert_eq!(d["shard"]["index"], k);
        assert_eq!(d["shard"]["count"], 3);
        assert_eq!(d["exit"], "completed");
        assert_eq!(d["probes"]["indices_left"], 0);
        sent += d["probes"]["sent"].as_u64().unwrap();
    }
    assert_eq!(sent, total);
    // Another seed is another scan.
    let other = run(&["--seed", "12"], "other.json");
    assert_ne!(other["scan"]["fingerprint"], whole["scan"]["fingerprint"]);
}

#[test]
fn a_paused_run_says_where_it_stopped_and_the_resumed_run_finishes_there() {
    let dir = tempfile::tempdir().unwrap();
    // 65,536 probes at 4,000 pps: about 16 s, interrupted after about 1.5 s.
    let child = slow_offline_scan(dir.path(), &["--metadata", "first.json"]);
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let running = doc(&dir.path().join("first.json"));
    assert_eq!(running["exit"], "running");
    interrupt(child);
    let first = doc(&dir.path().join("first.json"));
    assert_eq!(first["exit"], "paused");
    let at = first["resume_index"].as_u64().unwrap();
    let paused = std::fs::read_to_string(dir.path().join("paused.conf")).unwrap();
    assert!(
        paused.contains(&format!("resume-index = {at}\n")),
        "{at}: {paused}"
    );
    let sent = first["probes"]["sent"].as_u64().unwrap();
    assert!(at <= sent && sent < 65536, "{first}");
    let o = masscan_in(
        dir.path(),
        &[
            "--resume",
            "paused.conf",
            "--rate",
            "10000000",
            "--metadata",
            "second.json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let second = doc(&dir.path().join("second.json"));
    assert_eq!(second["exit"], "completed");
    assert_eq!(second["run"]["first_index"], at);
    assert_eq!(second["scan"]["fingerprint"], first["scan"]["fingerprint"]);
    assert_eq!(at + second["probes"]["sent"].as_u64().unwrap(), 65536);
}

#[test]
fn an_unwritable_metadata_or_stats_json_path_is_one_line_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("d")).unwrap();
    for (option, path, message) in [
        (
            "--metadata",
            "no/such/dir/m.json",
            "No such file or directory",
        ),
        ("--metadata", "d", "is a directory"),
        (
            "--stats-json",
            "no/such/dir/s.json",
            "No such file or directory",
        ),
        ("--stats-json", "d", "Is a directory"),
    ] {
        let o = masscan_in(
            dir.path(),
            &[
                "10.0.0.0/24",
                "-p80",
                "--offline",
                "--rate",
                "1000",
                "--wait",
                "0",
                "-oL",
                "l.txt",
                option,
                path,
            ],
        );
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{option}: {err}");
        assert_eq!(
            err.lines().count(),
            1,
            "{option} {path}: not one line: {err}"
        );
        let verb = if option == "--metadata" {
            "write"
        } else {
            "create"
        };
        let line = format!("masscan: cannot {verb} {option} file '{path}': {message}");
        assert!(err.starts_with(&line), "{err:?} lacks {line:?}");
        assert!(o.stdout.is_empty(), "{option}: {}", super::stdout(&o));
        assert!(
            !dir.path().join("l.txt").exists(),
            "{option} {path}: the list file was created before failing"
        );
        assert!(!dir.path().join("d.tmp").exists());
    }
}

#[test]
fn the_early_checks_leave_stats_json_on_stdout_and_the_metadata_document_as_they_were() {
    let dir = tempfile::tempdir().unwrap();
    let o = masscan_in(
        dir.path(),
        &[
            "10.0.0.0/24",
            "-p80",
            "--offline",
            "--rate",
            "100000",
            "--wait",
            "0",
            "--nostatus",
            "--stats-json",
            "-",
            "--metadata",
            "m.json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = super::stdout(&o);
    let last: Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(last["final"], true);
    assert_eq!(last["sent"], 256);
    let m = doc(&dir.path().join("m.json"));
    assert_eq!(m["exit"], "completed");
    assert_eq!(m["probes"]["sent"], 256);
    assert!(!dir.path().join("m.json.tmp").exists());
}

//! The coverage estimate against a known truth: bench/'s XDP reflector answers every SYN to
//! 198.18.128.0/17, so a scan of 16,384 of its addresses x 2 ports has exactly 32,768 open
//! ports. `--inject-faults drop=P` loses a share of the probes and of the replies (each frame
//! on its own), and the scan must estimate the open ports it did not find: the estimate near the
//! truth, its 95% interval around it in (nearly) every run, in the summary, `--stats-json` and
//! `--metadata`. Without `--coverage` nothing is said. (`bench/coverage.sh` runs many more rounds and
//! says how often the interval held.)

use crate::common::*;
use masscan_test_support::*;

const TRUE_OPEN: f64 = 32_768.0;

/// One scan with `retries` and `drop`: the final `--stats-json` object's `coverage`, and the
/// summary's coverage line.
fn scan(lab: &Lab, retries: &str, drop: &str, seed: &str) -> (serde_json::Value, String) {
    let faults = format!("drop={drop},seed={seed}");
    let o = lab.run(&[
        "198.18.128.0/18",
        "-p80,443",
        "--coverage",
        "--retries",
        retries,
        "--rate",
        "100000",
        "--driver",
        "afxdp",
        "--wait",
        "1",
        "--seed",
        seed,
        "--inject-faults",
        &faults,
        "--nostatus",
        "--stats-json",
        "stats.json",
        "--metadata",
        "meta.json",
        "-oL",
        "found.txt",
    ]);
    ok(&o);
    let err = stderr(&o);
    let line = err
        .lines()
        .find(|l| l.starts_with("coverage: "))
        .unwrap_or_else(|| panic!("no coverage line: {err}"))
        .to_string();
    let stats = std::fs::read_to_string(lab.path("stats.json")).unwrap();
    let last: serde_json::Value = serde_json::from_str(stats.lines().last().unwrap()).unwrap();
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(lab.path("meta.json")).unwrap()).unwrap();
    assert_eq!(
        meta["coverage"], last["coverage"],
        "--metadata says what --stats-json says"
    );
    let found = std::fs::read_to_string(lab.path("found.txt"))
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("open "))
        .count() as u64;
    assert_eq!(last["coverage"]["found"], found, "{line}");
    (last["coverage"].clone(), line)
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn the_estimate_finds_what_dropped_probes_missed() {
    let lab = Lab::up(MASSCAN);
    attach_reflector(&lab);
    let mut held = 0;
    let cases = [("1", "0.2", "11"), ("1", "0.4", "12"), ("2", "0.3", "13")];
    for (retries, drop, seed) in cases {
        let (c, line) = scan(&lab, retries, drop, seed);
        eprintln!("retries {retries}, drop {drop}: {line}");
        assert_eq!(c["estimated"], true, "{line}");
        let (open, low, high) = (
            c["open"].as_f64().unwrap(),
            c["open_low"].as_f64().unwrap(),
            c["open_high"].as_f64().unwrap(),
        );
        let found = c["found"].as_f64().unwrap();
        // Lost both ways, each of the R + 1 probes is caught with (1 - drop)^2: the scan
        // misses a share of the ports the estimate must make up.
        assert!(found < TRUE_OPEN * 0.99, "the faults lost nothing: {line}");
        assert!(
            (open / TRUE_OPEN - 1.0).abs() < 0.03,
            "estimate {open} of {TRUE_OPEN}: {line}"
        );
        assert!(low <= open && open <= high && found <= low, "{line}");
        held += u32::from(low <= TRUE_OPEN && TRUE_OPEN <= high);
        let probes = u64::from(retries.parse::<u32>().unwrap() + 1);
        assert_eq!(c["probes_per_target"], probes, "{line}");
    }
    assert!(
        held >= 2,
        "the 95% interval held the truth in {held} of 3 runs"
    );

    // Without --coverage: no line, no object (the outputs are as they always were).
    let o = lab.run(&[
        "198.18.128.0/24",
        "-p80",
        "--rate",
        "10000",
        "--driver",
        "afxdp",
        "--wait",
        "1",
        "--nostatus",
        "--stats-json",
        "plain.json",
    ]);
    ok(&o);
    assert!(!stderr(&o).contains("coverage"), "{}", stderr(&o));
    let stats = std::fs::read_to_string(lab.path("plain.json")).unwrap();
    assert!(
        !stats.contains("coverage") && !stats.contains("capture"),
        "{stats}"
    );
}

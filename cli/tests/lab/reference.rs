//! Our outputs against the original's, live: the reference (Debian's masscan 1.3.2, unpacked by
//! scripts/setup.sh; run only inside the lab's scanner namespace, even for `--readscan`)
//! converts the same `-oB` files as ours into every format, byte for byte the same but for
//! docs/compat-outputs.md's differences. The files: a scan of ours in the lab (TCP open and
//! closed, banners, UDP open and closed, SCTP, ICMP echo; IPv4 and IPv6), and the stored fixtures the
//! non-root tests compare with (so those stay what the reference really writes).

use crate::common::*;
use masscan_test_support::binfile::{
    app_to_132, comparable, first_difference, renumber_from_132, rewrite_apps,
};
use masscan_test_support::*;
use std::path::Path;
use std::process::Output;

const REFERENCE: &str = "/var/lib/masscan-lab/reference/usr/bin/masscan";

const FORMATS: [(&str, &str); 8] = [
    ("-oL", "list"),
    ("-oJ", "json"),
    ("-oD", "ndjson"),
    ("-oX", "xml"),
    ("-oG", "grep"),
    ("-oU", "unicorn"),
    ("-oH", "hostonly"),
    ("", "console"),
];

/// `masscan --readscan FILES... EXTRA -oF OUT` by the reference in the lab's scanner namespace
/// (or by ours), the output's bytes (stdout for the console).
fn convert(
    lab: &Lab,
    reference: bool,
    files: &[&Path],
    extra: &[&str],
    fmt: (&str, &str),
) -> Vec<u8> {
    let out = lab.path(&format!(
        "{}.{}",
        if reference { "ref" } else { "ours" },
        fmt.1
    ));
    let mut c = if reference {
        let mut c = std::process::Command::new("ip");
        c.args(["netns", "exec", &lab.scan_ns, REFERENCE]);
        c
    } else {
        lab.masscan()
    };
    c.arg("--readscan").args(files).args(extra);
    if !fmt.0.is_empty() {
        c.arg(fmt.0).arg(&out);
    }
    let o: Output = c.output().unwrap();
    assert!(o.status.success(), "{fmt:?} {reference}: {}", stderr(&o));
    if fmt.0.is_empty() {
        o.stdout
    } else {
        std::fs::read(&out).unwrap()
    }
}

/// Every format of `ours` (current numbering) by us and of `theirs` (the same records in 1.3.2's
/// numbering) by the reference, without and with `--show closed`.
fn same_in_every_format(lab: &Lab, ours: &[&Path], theirs: &[&Path]) {
    for extra in [&[][..], &["--show", "closed"][..]] {
        for fmt in FORMATS {
            let a = comparable(&convert(lab, false, ours, extra, fmt), false);
            let b = comparable(&convert(lab, true, theirs, extra, fmt), true);
            assert!(a == b, "{extra:?} {}: {}", fmt.1, first_difference(&a, &b));
        }
    }
}

#[test]
#[ignore = "lab: needs root and the reference (scripts/setup.sh); ./scripts/test.sh runs it"]
fn the_reference_converts_our_scan_files_as_we_do() {
    assert!(
        Path::new(REFERENCE).exists(),
        "no {REFERENCE}: run scripts/setup.sh"
    );
    let lab = Lab::up(MASSCAN);
    let o = lab.run(&[
        "198.18.1.1-198.18.1.5",
        "198.18.1.13",
        "198.18.1.14",
        "198.18.0.4",
        "2001:2:0:1::1-2001:2:0:1::2",
        "2001:2:0:1::6",
        "-p21,22,80,11211,U:53,U:161,U:7,S:9,S:10",
        "--ping",
        "--banners",
        "--show",
        "closed",
        "--rate",
        "1000",
        "--wait",
        "3",
        "--nostatus",
        "-oB",
        "scan.bin",
    ]);
    ok(&o);
    let bin = std::fs::read(lab.path("scan.bin")).unwrap();
    // Banners the reference has no number for (X509CA, ours from 37 on) are left out of both.
    let ours = rewrite_apps(&bin, |n| app_to_132(n).map(|_| n));
    let theirs = rewrite_apps(&bin, app_to_132);
    std::fs::write(lab.path("ours.bin"), &ours).unwrap();
    std::fs::write(lab.path("theirs.bin"), theirs).unwrap();
    let list = String::from_utf8_lossy(&convert(
        &lab,
        false,
        &[&lab.path("ours.bin")],
        &["--show", "closed"],
        ("-oL", "list"),
    ))
    .into_owned();
    for kind in [
        "open tcp ",
        "closed tcp ",
        "banner tcp ",
        "open udp ",
        "closed udp ",
        "open sctp 9 ",
        "open icmp ",
        "open tcp 80 2001:2:0:1::1 ",
        "open udp 53 2001:2:0:1::6 ",
    ] {
        assert!(
            list.contains(&format!("\n{kind}")),
            "no {kind:?} in\n{list}"
        );
    }
    same_in_every_format(&lab, &[&lab.path("ours.bin")], &[&lab.path("theirs.bin")]);
}

#[test]
#[ignore = "lab: needs root and the reference (scripts/setup.sh); ./scripts/test.sh runs it"]
fn the_reference_converts_the_stored_fixtures_as_they_are_stored() {
    assert!(
        Path::new(REFERENCE).exists(),
        "no {REFERENCE}: run scripts/setup.sh"
    );
    let lab = Lab::up(MASSCAN);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/outputs");
    let raw = [dir.join("scan-mixed.bin"), dir.join("scan-closed.bin")];
    for (variant, extra) in [("default", &[][..]), ("closed", &["--show", "closed"][..])] {
        for fmt in FORMATS {
            let stored = std::fs::read(dir.join(format!("{variant}.{}", fmt.1))).unwrap();
            let files = [raw[0].as_path(), raw[1].as_path()];
            // (Less the lines carrying the conversion's clock.)
            let now = comparable(&convert(&lab, true, &files, extra, fmt), false);
            assert!(
                now == comparable(&stored, false),
                "{variant}.{}: the reference no longer writes the stored fixture",
                fmt.1
            );
        }
    }
    // And ours, of the same files in the current numbering, as the reference.
    let renumbered: Vec<_> = ["scan-mixed", "scan-closed"]
        .iter()
        .map(|n| {
            let p = lab.path(&format!("{n}.bin"));
            let raw = std::fs::read(dir.join(format!("{n}.bin"))).unwrap();
            std::fs::write(&p, renumber_from_132(&raw)).unwrap();
            p
        })
        .collect();
    same_in_every_format(&lab, &[&renumbered[0], &renumbered[1]], &[&raw[0], &raw[1]]);
}

/// The reference's command in the lab's scanner namespace (never outside a lab namespace).
fn reference(lab: &Lab, args: &[&str]) -> Output {
    std::process::Command::new("ip")
        .args(["netns", "exec", &lab.scan_ns, REFERENCE])
        .args(args)
        .env("MASSCAN_DEFAULT_CONF", "")
        .output()
        .unwrap()
}

/// What we write (`--echo`, and a paused.conf) loads in the original with the same targets,
/// ports, seed and shard; and with the same `--seed` and `--shards`, an instance of the
/// original and one of ours split a scan exactly (the default order is the original's).
#[test]
#[ignore = "lab: needs root and the reference (scripts/setup.sh); ./scripts/test.sh runs it"]
fn our_files_load_in_the_original_and_our_shards_split_a_scan_with_it() {
    assert!(
        Path::new(REFERENCE).exists(),
        "no {REFERENCE}: run scripts/setup.sh"
    );
    let lab = Lab::up(MASSCAN);
    let key_lines = |t: &str| -> Vec<String> {
        let mut v: Vec<String> = t
            .lines()
            .filter(|l| {
                [
                    "seed",
                    "shard",
                    "ports",
                    "range",
                    "retries",
                    "banners",
                    "resume-index",
                ]
                .iter()
                .any(|k| l.starts_with(&format!("{k} =")))
            })
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        v.sort();
        v
    };
    for case in [
        &[
            "198.18.0.0/24",
            "-p80,443,U:53",
            "--rate",
            "1000",
            "--seed",
            "7",
        ][..],
        &[
            "198.18.0.0/24,198.18.3.7",
            "-p80",
            "--seed",
            "9",
            "--banners",
            "--retries",
            "2",
            "--shards",
            "1/2",
            "-oJ",
            "x.json",
            "--source-port",
            "40000-40063",
            "--ttl",
            "50",
            "--exclude",
            "198.18.0.9",
            // As a paused.conf carries it.
            "--resume-index",
            "100",
        ][..],
    ] {
        let ours = lab.run(&[case, &["--echo"]].concat());
        ok(&ours);
        let file = lab.path("ours.conf");
        std::fs::write(&file, &ours.stdout).unwrap();
        let theirs = reference(&lab, &["-c", file.to_str().unwrap(), "--echo"]);
        assert!(
            theirs.status.success(),
            "{case:?}: the original refuses our --echo:\n{}{}",
            String::from_utf8_lossy(&ours.stdout),
            stderr(&theirs)
        );
        let ours_text = String::from_utf8_lossy(&ours.stdout).to_string();
        let theirs_text = String::from_utf8_lossy(&theirs.stdout).to_string();
        assert_eq!(key_lines(&theirs_text), key_lines(&ours_text), "{case:?}");
    }
    // Shard 1/2 by the original and 2/2 by us cover a /24 x 2 ports exactly once.
    let list = |out: Output| -> Vec<String> {
        assert!(out.status.success(), "{}", stderr(&out));
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect()
    };
    let scan = ["198.18.0.0/24", "-p80,443", "--seed", "5", "-sL"];
    let theirs = list(reference(&lab, &[&scan[..], &["--shards", "1/2"]].concat()));
    let ours = list(lab.run(&[&scan[..], &["--shards", "2/2"]].concat()));
    let mut all: Vec<String> = theirs.iter().chain(&ours).cloned().collect();
    assert_eq!(all.len(), 512, "{} + {}", theirs.len(), ours.len());
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 512, "every target once");
}

//! `-sL`: every address of a /8 once, split by shards and resume slices; its line forms and seeds; a million-line include file.

use super::*;

pub fn list(args: &[&str]) -> Vec<String> {
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
    let v6 = list(&[
        "2001:db8::/126",
        "-p",
        "80,U:53",
        "-sL",
        "--permutation",
        "feistel",
    ]);
    assert_eq!(v6.len(), 8);
    assert!(v6.iter().any(|l| l == "[2001:db8::3]:U:53"), "{v6:?}");
    // In the default order, the original's order, -sL writes ports as the original does (its
    // port-space number: 65589 for U:53).
    let v6 = list(&["2001:db8::/126", "-p", "80,U:53", "-sL"]);
    assert_eq!(v6.len(), 8);
    assert!(v6.iter().any(|l| l == "[2001:db8::3]:65589"), "{v6:?}");
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

//! The plan's index space: every target once, shards, threads and resume chunks that
//! partition it, the retry schedules of both orders, canary slots, and the refusals.

use super::*;
use crate::plan::ports::PortSetBuilder;
use crate::plan::targets::TargetSetBuilder;
use proptest::prelude::*;
use std::collections::HashMap;

fn plan(targets: &str, ports: &str, seed: u64, retries: u32, window: u64) -> Plan {
    let mut t = TargetSetBuilder::new();
    t.add_targets(targets).unwrap();
    let mut p = PortSetBuilder::new();
    p.add_spec(ports).unwrap();
    Plan::new(t.build().unwrap(), p.build(), seed, retries, window).unwrap()
}

fn base_of(p: &Plan, j: u64) -> Option<u64> {
    match p.order {
        Order::Feistel { window, epoch, .. } => p.feistel_base(j, window, epoch).map(|(b, _)| b),
        Order::BlackRock { .. } => unreachable!("a Feistel plan"),
    }
}

fn all_targets(p: &Plan, it: impl Iterator<Item = u64>) -> Vec<(TargetIp, u32)> {
    it.filter_map(|j| p.probe(j))
        .map(|t| (t.ip, t.port))
        .collect()
}

#[test]
fn covers_every_target_once() {
    let p = plan(
        "10.0.0.0/28,10.0.1.0/30,2001:db8::/126",
        "80,443,U:53",
        5,
        0,
        1,
    );
    assert_eq!(p.base_count(), (16 + 4 + 4) * 3);
    let mut seen = all_targets(&p, 0..p.total());
    seen.sort_by_key(|t| format!("{t:?}"));
    let before = seen.len();
    seen.dedup();
    assert_eq!(before, seen.len());
    assert_eq!(seen.len() as u64, p.base_count());
}

#[test]
fn shards_and_threads_partition_the_space() {
    let p = plan("10.0.0.0/22", "1-7", 11, 0, 1);
    let mut all: Vec<_> = Vec::new();
    for one in 1..=3 {
        for t in 0..2 {
            all.extend(p.slice(0, u64::MAX, Shard { one, of: 3 }, t, 2));
        }
    }
    all.sort_unstable();
    assert_eq!(all, (0..p.total()).collect::<Vec<_>>());
}

#[test]
fn resume_chunks_join() {
    let p = plan("10.0.0.0/24", "80", 3, 0, 1);
    let whole: Vec<_> = p.slice(0, u64::MAX, Shard::default(), 0, 1).collect();
    let mut joined: Vec<_> = p.slice(0, 100, Shard::default(), 0, 1).collect();
    joined.extend(p.slice(100, 200, Shard::default(), 0, 1));
    joined.extend(p.slice(200, u64::MAX, Shard::default(), 0, 1));
    assert_eq!(whole, joined);
}

#[test]
fn retries_send_each_target_exactly_n_plus_one_times_spaced_out() {
    let p = plan("10.0.0.0/24", "80,81", 1, 2, 50);
    let mut positions: HashMap<(TargetIp, u32), Vec<u64>> = HashMap::new();
    for j in 0..p.total() {
        if let Some(t) = p.probe(j) {
            positions.entry((t.ip, t.port)).or_default().push(j);
        }
    }
    assert_eq!(positions.len() as u64, p.base_count());
    for pos in positions.values() {
        assert_eq!(pos.len(), 3);
        for w in pos.windows(2) {
            // Consecutive tries are at least one window apart.
            assert!(w[1] - w[0] >= 50, "{pos:?}");
        }
    }
}

fn blackrock_plan(targets: &str, ports: &str, retries: u32, rate: u64, listing: bool) -> Plan {
    let mut t = TargetSetBuilder::new();
    t.add_targets(targets).unwrap();
    let mut p = PortSetBuilder::new();
    p.add_spec(ports).unwrap();
    let spec = OrderSpec {
        order: ScanOrder::BlackRock { rounds: 14 },
        rate,
        listing,
        canaries: 0,
    };
    Plan::ordered(t.build().unwrap(), p.build(), 5, retries, 1, spec).unwrap()
}

#[test]
fn blackrock_scan_is_the_originals_rotated_order_ipv6_first() {
    let p = blackrock_plan("10.0.0.0/30,2001:db8::/126", "80,U:53", 0, 3, false);
    let br = BlackRock::new(16, 5, 14);
    let got = all_targets(&p, p.slice(0, u64::MAX, Shard::default(), 0, 1));
    assert_eq!(got.len(), 16);
    for (i, (ip, port)) in got.iter().enumerate() {
        // The original: x = blackrock((i + rate) mod N), IPv6 below 8, then IPv4.
        let x = br.shuffle((i as u64 + 3) % 16);
        let (is_v6, y) = if x < 8 { (true, x) } else { (false, x - 8) };
        assert_eq!(matches!(ip, TargetIp::V6(_)), is_v6, "{i}");
        assert_eq!(*port, if y / 4 == 0 { 80 } else { (1 << 16) + 53 }, "{i}");
    }
    let mut sorted = got.clone();
    sorted.sort_by_key(|t| format!("{t:?}"));
    sorted.dedup();
    assert_eq!(sorted.len(), 16, "each target once");
}

#[test]
fn blackrock_retries_send_the_originals_groups_and_shards_split_by_index() {
    // R = 2: index i sends (i + 3r) mod N, (i + 2r), (i + r), over N indices.
    let p = blackrock_plan("10.0.0.0/28", "80", 2, 4, false);
    assert_eq!(p.total(), 16);
    let br = BlackRock::new(16, 5, 14);
    let s = p.slice(0, u64::MAX, Shard::default(), 0, 1);
    assert_eq!(s.remaining(), 16 * 3);
    let got: Vec<u64> = s.filter_map(|j| p.probe(j)).map(|t| t.number).collect();
    // Every target exactly R + 1 times.
    let mut count = [0; 16];
    got.iter().for_each(|&x| count[x as usize] += 1);
    assert_eq!(count, [3; 16]);
    for (n, x) in got.iter().enumerate() {
        let (i, k) = (n as u64 / 3, 3 - n as u64 % 3);
        assert_eq!(*x, br.shuffle((i + 4 * k) % 16));
    }
    // Shards and threads take whole indices (all of an index's probes).
    let mut all = Vec::new();
    for one in 1..=3 {
        for t in 0..2 {
            all.extend(p.slice(0, u64::MAX, Shard { one, of: 3 }, t, 2));
        }
    }
    all.sort_unstable();
    assert_eq!(all, (0..p.total() * 3).collect::<Vec<_>>());
    // A resume point is an index: slices from it join.
    let mut joined: Vec<u64> = p.slice(0, 10, Shard::default(), 0, 1).collect();
    joined.extend(p.slice(10, u64::MAX, Shard::default(), 0, 1));
    assert_eq!(joined, (0..p.total() * 3).collect::<Vec<_>>());
}

#[test]
fn canaries_are_extra_port_slots_of_every_host() {
    for order in [ScanOrder::Feistel, ScanOrder::BlackRock { rounds: 14 }] {
        let mut t = TargetSetBuilder::new();
        t.add_targets("10.0.0.0/26,2001:db8::/126").unwrap();
        let mut p = PortSetBuilder::new();
        p.add_spec("80,443,U:53,50000-50010").unwrap();
        let ports = p.build();
        let spec = OrderSpec {
            order,
            rate: 7,
            listing: false,
            canaries: 3,
        };
        let plan = Plan::ordered(t.build().unwrap(), ports.clone(), 9, 1, 5, spec).unwrap();
        assert_eq!(plan.port_count(), 14);
        assert_eq!(plan.slot_count(), 17);
        assert_eq!(plan.base_count(), 68 * 17);
        let c = plan.canaries().unwrap().clone();
        let mut per_host: HashMap<TargetIp, Vec<u32>> = HashMap::new();
        let mut probes = 0;
        for j in plan.slice(0, u64::MAX, Shard::default(), 0, 1) {
            let Some(t) = plan.probe(j) else { continue };
            probes += 1;
            assert_eq!(t.canary, !ports.list.contains(t.port), "{t:?}");
            if t.canary {
                assert!(t.port >= 49152 && t.port <= 65535, "{t:?}");
                let ip = match t.ip {
                    TargetIp::V4(v) => std::net::IpAddr::V4(v.into()),
                    TargetIp::V6(v) => std::net::IpAddr::V6(v.into()),
                };
                assert!(c.is_canary(ip, t.port as u16));
                per_host.entry(t.ip).or_default().push(t.port);
            }
        }
        // Every try of every slot: (ports + canaries) x hosts x (retries + 1).
        assert_eq!(probes, 68 * 17 * 2);
        assert_eq!(per_host.len(), 68);
        for ports in per_host.values_mut() {
            ports.sort_unstable();
            ports.dedup();
            assert_eq!(ports.len(), 3, "three distinct canaries per host");
        }
    }
}

#[test]
fn canaries_with_pairs_are_refused() {
    let mut t = TargetSetBuilder::new();
    t.add_targets("10.0.0.1:80").unwrap();
    let spec = OrderSpec {
        canaries: 1,
        ..OrderSpec::default()
    };
    let e = Plan::ordered(
        t.build().unwrap(),
        PortSetBuilder::new().build(),
        1,
        0,
        1,
        spec,
    )
    .unwrap_err();
    assert_eq!(e, PlanError::CanaryPairs);
}

#[test]
fn too_large_is_refused_clearly() {
    // (build_listing: without an exclude, build() refuses these sizes before the plan.)
    let mut t = TargetSetBuilder::new();
    t.add_targets("2001:db8::/64").unwrap();
    let mut ports = PortSetBuilder::new();
    ports.add_spec("0-65535").unwrap();
    let e = Plan::new(t.build_listing().unwrap(), ports.build(), 0, 0, 1).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("scan too large: 18446744073709551616 addresses"),
        "{e}"
    );
    let mut t = TargetSetBuilder::new();
    t.add_targets("::/1").unwrap();
    let mut ports = PortSetBuilder::new();
    ports.add_spec("80").unwrap();
    assert!(Plan::new(t.build_listing().unwrap(), ports.build(), 0, 0, 1).is_err());
}

#[test]
fn shard_parsing() {
    assert_eq!(Shard::parse("2/3"), Ok(Shard { one: 2, of: 3 }));
    for bad in ["3/2", "0/1", "1/0", "x", "1/", "/2", "1-2"] {
        assert!(Shard::parse(bad).is_err(), "{bad}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn retries_schedule_is_exact(n in 1u64..400, r in 0u32..4, w in 1u64..64) {
        let p = plan(&format!("10.0.0.0-{}", std::net::Ipv4Addr::from(0x0a00_0000 + n as u32 - 1)), "80", 7, r, w);
        let mut count = vec![0u32; n as usize];
        for j in 0..p.total() {
            if let Some(b) = base_of(&p, j) {
                count[b as usize] += 1;
            }
        }
        prop_assert!(count.iter().all(|&c| c == r + 1));
    }

    /// In both orders a target's R + 1 probes are its attempts 0..=R, each once.
    #[test]
    fn each_probe_of_a_target_is_a_different_attempt(
        n in 1u32..300, r in 0u32..4, rate in 1u64..500, blackrock: bool,
    ) {
        let last = std::net::Ipv4Addr::from(0x0a00_0000 + n - 1);
        let p = if blackrock {
            blackrock_plan(&format!("10.0.0.0-{last}"), "80,443", r, rate, false)
        } else {
            plan(&format!("10.0.0.0-{last}"), "80,443", 7, r, rate)
        };
        let mut seen: HashMap<u64, Vec<u16>> = HashMap::new();
        for j in p.slice(0, u64::MAX, Shard::default(), 0, 1) {
            if let Some(t) = p.probe(j) {
                seen.entry(t.number).or_default().push(t.attempt);
            }
        }
        prop_assert_eq!(seen.len() as u64, p.base_count());
        for attempts in seen.values_mut() {
            attempts.sort_unstable();
            prop_assert_eq!(&attempts[..], &(0..=r as u16).collect::<Vec<_>>()[..]);
        }
    }
}

//! The canary port choice (never a scanned port, deterministic per key, spread over the range)
//! and the marks' once-per-host and drop rules.

use super::*;
use crate::plan::ports::PortSetBuilder;
use std::collections::{HashMap, HashSet};
use std::net::Ipv4Addr;

fn ports(spec: &str) -> PortSet {
    let mut b = PortSetBuilder::new();
    b.add_spec(spec).unwrap();
    b.build()
}

fn v4(i: u32) -> u128 {
    u128::from(Ipv4Addr::from(0x0a00_0000 + i).to_ipv6_mapped())
}

#[test]
fn never_a_scanned_port_and_distinct_per_host() {
    // The scan probes most of the range: the walk past the hash tries is exercised too.
    let scanned = ports("80,443,49152-65500,U:65510");
    let c = Canaries::new(CookieKey::from_seed(1), 4, &scanned).unwrap();
    for i in 0..2000 {
        let got: Vec<u16> = (0..4).map(|k| c.port(v4(i), k)).collect();
        for &p in &got {
            assert!(p >= FIRST, "{p}");
            assert!(!scanned.list.contains(u32::from(p)), "{p} is scanned");
        }
        let set: HashSet<_> = got.iter().collect();
        assert_eq!(set.len(), 4, "{got:?}");
    }
}

#[test]
fn deterministic_per_key_and_different_across_keys() {
    let p = ports("80");
    let a = Canaries::new(CookieKey::from_seed(7), 2, &p).unwrap();
    let b = Canaries::new(CookieKey::from_seed(7), 2, &p).unwrap();
    let other = Canaries::new(CookieKey::from_seed(8), 2, &p).unwrap();
    let mut differ = 0;
    for i in 0..500 {
        assert_eq!(a.port(v4(i), 0), b.port(v4(i), 0));
        assert_eq!(a.port(v4(i), 1), b.port(v4(i), 1));
        differ += usize::from(a.port(v4(i), 0) != other.port(v4(i), 0));
    }
    assert!(differ > 490, "{differ} of 500 differ across keys");
}

#[test]
fn spread_over_the_range() {
    let c = Canaries::new(CookieKey::from_seed(3), 1, &ports("80")).unwrap();
    // 64,000 hosts into 16 bins of 1,024 ports: each near 4,000 (chi-square, 15 degrees of
    // freedom, far below 50 unless the choice is skewed).
    let mut bins: HashMap<u16, u32> = HashMap::new();
    for i in 0..64_000 {
        *bins.entry((c.port(v4(i), 0) - FIRST) / 1024).or_default() += 1;
    }
    assert_eq!(bins.len(), 16);
    let chi: f64 = bins
        .values()
        .map(|&n| (f64::from(n) - 4000.0).powi(2) / 4000.0)
        .sum();
    assert!(chi < 50.0, "chi-square {chi}: {bins:?}");
}

#[test]
fn is_canary_agrees_with_the_transmit_side() {
    let scanned = ports("22,80,60000-60100");
    let c = Canaries::new(CookieKey::from_seed(11), 3, &scanned).unwrap();
    for i in 0..300 {
        let ip = IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + i));
        let t = TargetIp::V4(0x0a00_0000 + i);
        let mine: Vec<u16> = (0..3).map(|k| c.target_port(t, k) as u16).collect();
        for p in &mine {
            assert!(c.is_canary(ip, *p));
        }
        // Every other port of the range is not one of this host's canaries.
        let others = (FIRST..=u16::MAX).filter(|p| c.is_canary(ip, *p)).count();
        assert_eq!(others, 3);
        assert!(!c.is_canary(ip, 80));
    }
    let v6 = "2001:db8::5".parse::<std::net::Ipv6Addr>().unwrap();
    let p = c.target_port(TargetIp::V6(u128::from(v6)), 2) as u16;
    assert!(c.is_canary(IpAddr::V6(v6), p));
}

#[test]
fn bad_counts_and_no_room_are_refused() {
    let p = ports("80");
    assert_eq!(
        Canaries::new(CookieKey::from_seed(1), MAX + 1, &p).unwrap_err(),
        CanaryError::Count(u32::from(MAX) + 1)
    );
    let full = ports("49152-65533");
    assert_eq!(
        Canaries::new(CookieKey::from_seed(1), 3, &full).unwrap_err(),
        CanaryError::NoRoom { need: 3, free: 2 }
    );
    // Two free ports are enough for two canaries, and they are those two.
    let c = Canaries::new(CookieKey::from_seed(1), 2, &full).unwrap();
    let mut got = [c.port(v4(1), 0), c.port(v4(1), 1)];
    got.sort_unstable();
    assert_eq!(got, [65534, 65535]);
    // UDP ports do not take canary room.
    assert!(Canaries::new(CookieKey::from_seed(1), 4, &ports("U:49152-65535")).is_ok());
}

fn open(ip: [u8; 4], port: u16) -> Record {
    Record::Status(crate::output::StatusRecord {
        time: 1,
        ip: IpAddr::V4(ip.into()),
        ip_proto: 6,
        port,
        status: crate::output::Status::Open,
        reason: 0x12,
        ttl: 64,
        mac: None,
    })
}

#[test]
fn marks_pass_once_per_host_and_drop_only_after_the_mark() {
    let key = CookieKey::from_seed(5);
    let host = IpAddr::V4([10, 0, 0, 1].into());
    let mark = mark_record(host, 50000, 64, 1);
    assert!(is_mark(&mark) && !is_mark(&open([10, 0, 0, 1], 80)));
    let mut keep = Marks::new(key, Results::Keep);
    assert!(keep.pass(&open([10, 0, 0, 1], 80)));
    assert!(keep.pass(&mark));
    assert!(
        !keep.pass(&mark_record(host, 50001, 64, 2)),
        "one mark per host"
    );
    assert!(keep.pass(&open([10, 0, 0, 1], 81)), "kept");
    assert_eq!(keep.marked(), 1);
    let mut drop = Marks::new(key, Results::Drop);
    assert!(
        drop.pass(&open([10, 0, 0, 1], 80)),
        "before the mark: cannot be retracted"
    );
    assert!(drop.pass(&mark));
    assert!(
        !drop.pass(&open([10, 0, 0, 1], 81)),
        "after the mark: dropped"
    );
    assert!(drop.pass(&open([10, 0, 0, 2], 81)), "another host");
    assert_eq!(Results::from_name("drop"), Some(Results::Drop));
    assert_eq!(Results::from_name("keep").map(Results::name), Some("keep"));
    assert_eq!(Results::from_name("x"), None);
}

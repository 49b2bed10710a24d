//! Criterion micro-benchmarks of each step of the per-probe path: the permutation, the target
//! pick, the cookie (the inlined SipHash against the siphasher crate), the template fill, and
//! the whole probe into an offline driver frame.

#![forbid(unsafe_code)]

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use masscan_drivers::Offline;
use masscan_engine::cookie::CookieKey;
use masscan_engine::driver::{Driver, TxQueue};
use masscan_engine::plan::permutation::Permutation;
use masscan_engine::plan::ports::PortSetBuilder;
use masscan_engine::plan::source::{PortRange, Source};
use masscan_engine::plan::targets::TargetSetBuilder;
use masscan_engine::plan::{Plan, TargetIp};
use masscan_engine::probe::tcp_syn::SynTemplate;
use masscan_engine::probe::Probes;
use masscan_engine::template::TemplateParams;
use masscan_engine::transmit::ProbeBuilder;

const N: u64 = 4096;

fn plan(targets: &[&str], ports: &str) -> Plan {
    let mut t = TargetSetBuilder::new();
    for s in targets {
        t.add_targets(s).unwrap();
    }
    t.add_excludes("255.255.255.255").unwrap();
    let mut p = PortSetBuilder::new();
    p.add_spec(ports).unwrap();
    Plan::new(t.build().unwrap(), p.build(), 1, 0, 1).unwrap()
}

fn permutation(c: &mut Criterion) {
    let mut g = c.benchmark_group("permutation");
    g.throughput(Throughput::Elements(N));
    for (name, range) in [
        ("2^32-1", (1u64 << 32) - 1),
        ("2^24", 1 << 24),
        ("10^12", 1_000_000_000_000),
    ] {
        let p = Permutation::new(range, 7);
        g.bench_function(name, |b| {
            let mut i = 0u64;
            b.iter(|| {
                let mut acc = 0u64;
                for _ in 0..N {
                    acc ^= p.shuffle(i);
                    i = (i + 1) % range;
                }
                black_box(acc)
            })
        });
    }
    g.finish();
}

fn pick(c: &mut Criterion) {
    let mut g = c.benchmark_group("pick");
    g.throughput(Throughput::Elements(N));
    let many: Vec<String> = (0..10_000)
        .map(|i| format!("10.{}.{}.0/26", i / 256, i % 256))
        .collect();
    let many_refs: Vec<&str> = many.iter().map(String::as_str).collect();
    for (name, p) in [
        ("one range, one port", plan(&["0.0.0.0/0"], "80")),
        ("one range, 3 ports", plan(&["0.0.0.0/0"], "22,80,443")),
        ("10k ranges, 1 port", plan(&many_refs, "80")),
    ] {
        let total = p.total();
        g.bench_function(name, |b| {
            let mut i = 0u64;
            b.iter(|| {
                let mut acc = 0u32;
                for _ in 0..N {
                    acc ^= p.pick(i).port;
                    i = (i + 1) % total;
                }
                black_box(acc)
            })
        });
    }
    g.finish();
}

/// The whole pick (permutation, then address) over many ranges, each address folded into the
/// result so the range lookup cannot be left out: 10,000, 100,000 and 1,000,000 `/28` ranges,
/// one port.
/// The permutation scatters the indices over the list, as in a scan.
fn pick_scattered(c: &mut Criterion) {
    let mut g = c.benchmark_group("pick scattered");
    g.throughput(Throughput::Elements(N));
    for ranges in [10_000u32, 100_000, 1_000_000] {
        let specs: Vec<String> = (0..ranges)
            .map(|i| {
                let a = (1u32 << 24) + i * 32;
                format!("{}/28", std::net::Ipv4Addr::from(a))
            })
            .collect();
        let refs: Vec<&str> = specs.iter().map(String::as_str).collect();
        let p = plan(&refs, "80");
        let total = p.total();
        g.bench_function(format!("{ranges} ranges, 1 port"), |b| {
            let mut i = 0u64;
            b.iter(|| {
                let mut acc = 0u32;
                for _ in 0..N {
                    acc ^= match p.pick(i).ip {
                        TargetIp::V4(a) => a,
                        TargetIp::V6(a) => a as u32,
                    };
                    i = (i + 1) % total;
                }
                black_box(acc)
            })
        });
    }
    g.finish();
}

fn cookie(c: &mut Criterion) {
    let mut g = c.benchmark_group("cookie");
    g.throughput(Throughput::Elements(N));
    let k = CookieKey::from_seed(3);
    g.bench_function("inlined siphash-2-4", |b| {
        b.iter(|| {
            let mut acc = 0u64;
            for i in 0..N as u32 {
                acc ^= k.v4(black_box(0x0a00_0000 + i), 0xc612_0001, 80, 40000);
            }
            black_box(acc)
        })
    });
    g.bench_function("siphasher crate", |b| {
        b.iter(|| {
            let mut acc = 0u64;
            for i in 0..N as u32 {
                acc ^= k.v4_reference(black_box(0x0a00_0000 + i), 0xc612_0001, 80, 40000);
            }
            black_box(acc)
        })
    });
    g.finish();
}

fn template_fill(c: &mut Criterion) {
    let mut g = c.benchmark_group("template");
    g.throughput(Throughput::Elements(N));
    let t = SynTemplate::new(&TemplateParams::default(), false).unwrap();
    let mut frames = vec![0u8; 2048 * 64];
    g.bench_function("fill_v4", |b| {
        b.iter(|| {
            for i in 0..N as u32 {
                let at = (i as usize % 64) * 2048;
                black_box(t.fill_v4(
                    &mut frames[at..at + 2048],
                    0xc612_0001,
                    0x0a00_0000 + i,
                    40000,
                    80,
                    i as u64,
                ));
            }
        })
    });
    g.finish();
}

fn whole_probe(c: &mut Criterion) {
    let mut g = c.benchmark_group("probe");
    g.throughput(Throughput::Elements(N));
    let p = plan(&["0.0.0.0/0"], "80");
    let params = TemplateParams::default();
    let kinds = Probes::new(&params, &params).unwrap();
    let probes = ProbeBuilder {
        plan: &p,
        source: Source::new(None, None, PortRange::parse("40000-40015").unwrap()),
        key: CookieKey::from_seed(1),
        probes: &kinds,
        neighbours: None,
    };
    let (mut tx, _rx) = Offline::new(1).open_queue(0).unwrap();
    g.bench_function("offline driver, batches of 64", |b| {
        let mut j = 0u64;
        b.iter(|| {
            let mut left = N as usize;
            while left > 0 {
                left -= tx
                    .transmit(left.min(64), |frame| {
                        j += 1;
                        probes.build(j, frame).unwrap_or(0)
                    })
                    .unwrap();
            }
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    permutation,
    pick,
    pick_scattered,
    cookie,
    template_fill,
    whole_probe
);
criterion_main!(benches);

//! Every seed of `corpus/TARGET/` and every input that ever crashed a harness (`crashes/TARGET/`,
//! kept as regression tests) through its harness: a plain `cargo test`, no AFL needed. A few
//! thousand derived inputs per seed (cut, flipped bytes) widen the net a little on every run.

use std::path::Path;

type Harness = fn(&[u8]);

const TARGETS: [(&str, Harness); 8] = [
    ("banner", masscan_fuzz::banner),
    ("tcp", masscan_fuzz::tcp),
    ("receive", masscan_fuzz::receive),
    ("binary", masscan_fuzz::binary),
    ("config", masscan_fuzz::config),
    ("specs", masscan_fuzz::specs),
    ("udp", masscan_fuzz::udp),
    ("payload_files", masscan_fuzz::payload_files),
];

fn inputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<(String, Vec<u8>)> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .map(|e| {
            (
                e.path().display().to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn every_seed_and_every_past_crash_runs_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (target, run) in TARGETS {
        let seeds = inputs(&root.join("corpus").join(target));
        assert!(!seeds.is_empty(), "no seeds for {target}");
        for (name, data) in seeds
            .iter()
            .chain(&inputs(&root.join("crashes").join(target)))
        {
            eprintln!("{target}: {name}");
            run(data);
        }
    }
}

#[test]
fn cut_and_flipped_seeds_run_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (target, run) in TARGETS {
        for (_, data) in inputs(&root.join("corpus").join(target)) {
            // Every prefix of short seeds, a sample of prefixes of long ones.
            let step = (data.len() / 64).max(1);
            for cut in (0..data.len()).step_by(step) {
                run(&data[..cut]);
            }
            // One bit flipped at a time, spread over the seed.
            for (i, b) in (0..data.len()).step_by(step).zip((0..8).cycle()) {
                let mut d = data.clone();
                d[i] ^= 1 << b;
                run(&d);
            }
        }
    }
}

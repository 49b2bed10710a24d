//! `--benchmark`: the original's quick self-timing of its hot functions, for ours: the two scan
//! orders (the keyed Feistel permutation and the original's BlackRock) and the SYN cookie, each
//! timed over a million calls on this CPU. Whole-scan figures come from `bench/offline.sh`.

use crate::console::outln;
use masscan_engine::cookie::CookieKey;
use masscan_engine::plan::blackrock::BlackRock;
use masscan_engine::plan::permutation::Permutation;
use std::hint::black_box;
use std::time::Instant;

const CALLS: u64 = 1_000_000;

/// Millions of calls of `f` per second, over [`CALLS`] calls.
fn rate(mut f: impl FnMut(u64) -> u64) -> f64 {
    let t = Instant::now();
    let mut acc = 0u64;
    for i in 0..CALLS {
        acc ^= f(black_box(i));
    }
    black_box(acc);
    CALLS as f64 / t.elapsed().as_secs_f64().max(1e-9) / 1e6
}

pub fn run(rounds: u32) -> i32 {
    outln!("=== benchmarking ({}-bits) ===", usize::BITS);
    let range = 1u64 << 40;
    let feistel = Permutation::new(range, 1);
    outln!(
        "permutation (feistel): {:.1} M/s",
        rate(|i| feistel.shuffle(i))
    );
    let br = BlackRock::new(range, 1, rounds);
    outln!(
        "blackrock ({rounds} rounds): {:.1} M/s",
        rate(|i| br.shuffle(i))
    );
    let key = CookieKey::from_seed(1);
    outln!(
        "syn cookie (siphash-2-4): {:.1} M/s",
        rate(|i| key.v4(i as u32, 0xc612_0002, 80, 40000))
    );
    0
}

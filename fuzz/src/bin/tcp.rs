//! AFL entry point for the `tcp` harness (see `masscan_fuzz::tcp`); built by scripts/fuzz.sh.

#![forbid(unsafe_code)]

fn main() {
    afl::fuzz!(|data: &[u8]| {
        masscan_fuzz::tcp(data);
    });
}

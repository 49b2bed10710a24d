//! AFL entry point for the `banner` harness (see `masscan_fuzz::banner`); built by scripts/fuzz.sh.

#![forbid(unsafe_code)]

fn main() {
    afl::fuzz!(|data: &[u8]| {
        masscan_fuzz::banner(data);
    });
}

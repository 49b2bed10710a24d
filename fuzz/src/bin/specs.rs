//! AFL entry point for the `specs` harness (see `masscan_fuzz::specs`); built by scripts/fuzz.sh.

#![forbid(unsafe_code)]

fn main() {
    afl::fuzz!(|data: &[u8]| {
        masscan_fuzz::specs(data);
    });
}

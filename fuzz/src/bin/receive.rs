//! AFL entry point for the `receive` harness (see `masscan_fuzz::receive`); built by scripts/fuzz.sh.

#![forbid(unsafe_code)]

fn main() {
    afl::fuzz!(|data: &[u8]| {
        masscan_fuzz::receive(data);
    });
}

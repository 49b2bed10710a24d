//! AFL entry point for the `config` harness (see `masscan_fuzz::config`); built by scripts/fuzz.sh.

#![forbid(unsafe_code)]

fn main() {
    afl::fuzz!(|data: &[u8]| {
        masscan_fuzz::config(data);
    });
}

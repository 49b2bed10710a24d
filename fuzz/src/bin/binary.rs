//! AFL entry point for the `binary` harness (see `masscan_fuzz::binary`); built by scripts/fuzz.sh.

#![forbid(unsafe_code)]

fn main() {
    afl::fuzz!(|data: &[u8]| {
        masscan_fuzz::binary(data);
    });
}

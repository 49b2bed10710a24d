//! AFL entry point for the `payload_files` harness (see `masscan_fuzz::payload_files`); built by
//! scripts/fuzz.sh.

#![forbid(unsafe_code)]

fn main() {
    afl::fuzz!(|data: &[u8]| {
        masscan_fuzz::payload_files(data);
    });
}

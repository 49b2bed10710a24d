//! AFL entry point for the `udp` harness (see `masscan_fuzz::udp`); built by scripts/fuzz.sh.

#![forbid(unsafe_code)]

fn main() {
    afl::fuzz!(|data: &[u8]| {
        masscan_fuzz::udp(data);
    });
}

//! Benchmarks of masscan-rs live in `benches/` (criterion micro-benchmarks of the per-probe
//! path) and in the shell scripts beside this file (whole scans). This crate has no code.

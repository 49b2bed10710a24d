//! Compiles bpf/steer.c with clang (`-O2 -g -target bpf`) into OUT_DIR/steer.o. Without clang
//! the crate still builds: the loader then reports that XDP support was not built in.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=bpf/steer.c");
    println!("cargo:rustc-check-cfg=cfg(masscan_xdp)");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("steer.o");
    let clang = std::env::var("CLANG").unwrap_or_else(|_| "clang".into());
    let status = Command::new(&clang)
        .args([
            "-O2",
            "-g",
            "-target",
            "bpf",
            "-Wall",
            "-I/usr/include/x86_64-linux-gnu",
            "-c",
            "bpf/steer.c",
            "-o",
        ])
        .arg(&out)
        .status();
    match status {
        Ok(s) if s.success() => println!("cargo:rustc-cfg=masscan_xdp"),
        Ok(s) => println!(
            "cargo:warning=clang failed ({s}) compiling the XDP program: building without XDP support"
        ),
        Err(e) => println!(
            "cargo:warning=clang not found ({e}): building without XDP support (scripts/setup.sh installs clang and libbpf-dev)"
        ),
    }
}

//! The DPDK backend, when it can be built: with the `dpdk` feature (on by default) and DPDK
//! 22.11+ found by pkg-config (Debian: libdpdk-dev), compiles dpdk/shim.c (DPDK's inline burst
//! and mbuf functions behind plain C functions), links DPDK and sets `cfg(dpdk_backend)`.
//! Without the library the build goes on without the backend and says why; dependents read
//! the outcome as DEP_MASSCAN_DPDK_BACKEND (`yes` or the reason).
fn main() {
    println!("cargo::rustc-check-cfg=cfg(dpdk_backend)");
    println!("cargo:rerun-if-changed=dpdk/shim.c");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    match backend() {
        Ok(version) => {
            println!("cargo:rustc-cfg=dpdk_backend");
            println!("cargo:rustc-env=MASSCAN_DPDK_VERSION={version}");
            println!("cargo:backend=yes");
        }
        Err(why) => {
            if std::env::var_os("CARGO_FEATURE_DPDK").is_some() {
                println!("cargo:warning=building without the DPDK backend: {why}");
            }
            println!("cargo:backend={why}");
        }
    }
}

#[cfg(not(feature = "dpdk"))]
fn backend() -> Result<String, String> {
    Err("built without the dpdk feature".into())
}

#[cfg(feature = "dpdk")]
fn backend() -> Result<String, String> {
    let dpdk = pkg_config::Config::new()
        .atleast_version("22.11")
        .probe("libdpdk")
        .map_err(|_| {
            "DPDK 22.11+ was not found by pkg-config (Debian: apt-get install libdpdk-dev; \
             ./scripts/setup.sh installs it)"
                .to_string()
        })?;
    // DPDK's cflags include `-include rte_config.h` and a -march, which the pkg-config crate
    // does not keep: take them from pkg-config itself.
    let cflags = std::process::Command::new("pkg-config")
        .args(["--cflags", "libdpdk"])
        .output()
        .map_err(|e| format!("pkg-config: {e}"))?;
    let cflags = String::from_utf8_lossy(&cflags.stdout).into_owned();
    let mut build = cc::Build::new();
    build.file("dpdk/shim.c").warnings(true);
    let mut words = cflags.split_whitespace();
    while let Some(w) = words.next() {
        if w == "-include" {
            if let Some(file) = words.next() {
                build.flag("-include").flag(file);
            }
        } else {
            build.flag(w);
        }
    }
    build.compile("masscan_dpdk_shim");
    Ok(dpdk.version)
}

//! Sets `cfg(dpdk_backend)` when masscan-drivers built its DPDK backend (see its build.rs),
//! so `--driver dpdk` and the DPDK lab tests exist exactly when the backend does.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(dpdk_backend)");
    println!("cargo:rerun-if-env-changed=DEP_MASSCAN_DPDK_BACKEND");
    let backend = std::env::var("DEP_MASSCAN_DPDK_BACKEND").unwrap_or_default();
    if backend == "yes" {
        println!("cargo:rustc-cfg=dpdk_backend");
    } else {
        println!("cargo:rustc-env=MASSCAN_DPDK_MISSING={backend}");
    }
}

//! The kernel-bypass backends other than AF_XDP. `--driver dpdk`: DPDK's environment and port opened from `--dpdk-args` and `-e` (a port name
//! or index, default 0), the adapter made from the options and the port (no kernel interface
//! tells it), the router resolved through the port's own queues, then the scan run like any
//! other; a build without the backend (no DPDK found at build time) says so. `--driver pfring`
//! (or `--pfring`, or `-e zc:IF`): libpfring.so loaded at run time on a kernel interface, which
//! tells the addresses and the router as for AF_PACKET.

use crate::args::UserError;
use crate::settings::Run;
use masscan_engine::plan::Plan;

#[cfg(dpdk_backend)]
pub fn scan(run: &Run, plan: &Plan, threads: usize) -> Result<i32, UserError> {
    use crate::{adapter, link};
    let c = &run.config;
    one_thread_pair_per_queue(c, "dpdk", threads)?;
    let eal: Vec<String> = c
        .dpdk_args
        .as_deref()
        .unwrap_or("")
        .split_whitespace()
        .map(String::from)
        .collect();
    let port = c.adapter.as_deref().unwrap_or("0");
    let mut driver = masscan_drivers::Dpdk::new(&eal, port, threads)?;
    let adapter = adapter::for_port(c, driver.name(), driver.mac())?;
    if run.verbose > 0 {
        eprintln!(
            "[dpdk] port {} ({}), {threads} queue pair(s)",
            driver.name(),
            masscan_engine::config::Mac(driver.mac())
        );
    }
    let link = link::resolve_link(
        &mut link::EveryQueue(&mut driver),
        adapter,
        c,
        plan,
        run.verbose,
    )?;
    scan_queue_pairs(run, plan, driver, link, threads)
}

#[cfg(not(dpdk_backend))]
pub fn scan(_run: &Run, _plan: &Plan, _threads: usize) -> Result<i32, UserError> {
    Err(UserError(format!(
        "--driver dpdk: this masscan was built without DPDK ({}); install DPDK 22.11+ (Debian: \
         libdpdk-dev) and build again, or use --driver afxdp or afpacket",
        env!("MASSCAN_DPDK_MISSING")
    )))
}

/// What `masscan -V` says about DPDK.
pub fn built_in() -> String {
    #[cfg(dpdk_backend)]
    return format!("dpdk (DPDK {})", masscan_drivers::dpdk::VERSION);
    #[cfg(not(dpdk_backend))]
    return format!("(no dpdk: {})", env!("MASSCAN_DPDK_MISSING"));
}

/// `--driver pfring`: the kernel interface behind the PF_RING device gives the addresses and
/// the router (resolved through a packet socket, as for AF_PACKET), then one ring per queue.
pub fn pfring(run: &Run, plan: &Plan, threads: usize) -> Result<i32, UserError> {
    use crate::link;
    use masscan_drivers::pfring::{kernel_name, PfRing};
    let c = &run.config;
    one_thread_pair_per_queue(c, "pfring", threads)?;
    let device = c.adapter.clone().unwrap_or_default();
    let mut kernel = c.clone();
    if !device.is_empty() {
        kernel.adapter = Some(kernel_name(&device).to_string());
    }
    let mut link = link::discover(&kernel, plan, run.verbose)?;
    let device = if device.is_empty() {
        link.adapter.ifname.clone()
    } else {
        device
    };
    let driver = PfRing::new(&device, threads)?;
    eprintln!("[pfring] {} on {device}", driver.describe());
    if c.banners && !link.adapter.spoofed {
        crate::scan::warn_kernel_resets(c, &link.adapter);
    }
    link.adapter.ifname = device;
    scan_queue_pairs(run, plan, driver, link, threads)
}

/// DPDK and PF_RING pair each transmit queue with its receive queue: a different
/// `--rx-threads` cannot be honoured.
fn one_thread_pair_per_queue(
    c: &masscan_engine::config::ScanConfig,
    driver: &str,
    threads: usize,
) -> Result<(), UserError> {
    if c.rx_threads.is_some_and(|r| r != threads) {
        return Err(UserError(format!(
            "--driver {driver} gives each queue one transmit and one receive thread: use \
             --tx-threads {threads} --rx-threads {threads}"
        )));
    }
    Ok(())
}

/// The outputs opened and the scan run with one transmit and one receive thread per queue.
fn scan_queue_pairs<D: masscan_engine::driver::Driver>(
    run: &Run,
    plan: &Plan,
    driver: D,
    link: crate::link::Link,
    threads: usize,
) -> Result<i32, UserError> {
    let outputs = crate::output_thread::open_outputs(&run.config, crate::outputs::now())?;
    crate::run::run_scan_with(
        run,
        plan,
        driver,
        Some(link),
        outputs,
        (threads, threads),
        None,
    )
}

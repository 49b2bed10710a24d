//! The kernel-bypass backends other than AF_XDP. `--driver dpdk`: DPDK's environment and port opened from `--dpdk-args` and `-e` (a port name
//! or index, default 0), the adapter made from the options and the port (no kernel interface
//! tells it), the router resolved through the port's own queues, then the scan run like any
//! other; a build without the backend (no DPDK found at build time) says so. `--driver pfring`
//! (or `--pfring`, or `-e zc:IF`): libpfring.so loaded at run time on a kernel interface, which
//! tells the addresses and the router as for AF_PACKET.

use crate::args::UserError;
use crate::console::errln;
use crate::settings::Run;
use masscan_engine::plan::Plan;

#[cfg(dpdk_backend)]
pub fn scan(run: &Run, plan: &Plan, threads: usize) -> Result<i32, UserError> {
    use crate::nic::{discover, resolve};
    use crate::scan::indexed_error;
    let c = &run.config;
    one_thread_pair_per_queue(c, "dpdk", threads)?;
    let eal: Vec<String> =
        c.io.dpdk_args
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .map(String::from)
            .collect();
    let (mut drivers, mut links) = (Vec::new(), Vec::new());
    // Each interface (adapter[i]) is a port of the one EAL, with its own queues and link.
    for i in 0..c.nic_count() {
        let nc = c.for_nic(i);
        let port = match (i, nc.nic.adapter.as_deref()) {
            (_, Some(p)) => p,
            (0, None) => "0",
            (_, None) => {
                return Err(UserError(format!(
                    "interface {i} has settings but no DPDK port: give adapter[{i}] = PORT"
                )))
            }
        };
        let mut driver = masscan_drivers::Dpdk::new(&eal, port, threads)?;
        let adapter = discover::for_port(&nc, driver.name(), driver.mac())
            .map_err(|e| indexed_error(e, i))?;
        driver.receive_for(adapter.src_mac)?;
        if run.verbose > 0 {
            errln!(
                "[dpdk] port {} ({}), {threads} queue pair(s)",
                driver.name(),
                masscan_engine::config::Mac(driver.mac())
            );
        }
        let mut queues = masscan_drivers::EveryQueue(&mut driver);
        let link = resolve::resolve_link(&mut queues, adapter, &nc, plan, run.verbose)
            .map_err(|e| indexed_error(e, i))?;
        drivers.push(driver);
        links.push(link);
    }
    let driver = masscan_drivers::Several::new(drivers, threads);
    scan_queue_pairs(run, plan, driver, links, threads)
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

/// `--driver pfring`: the kernel interface behind each PF_RING device gives the addresses and
/// the router (resolved through a packet socket, as for AF_PACKET), then one ring per queue.
pub fn pfring(run: &Run, plan: &Plan, threads: usize) -> Result<i32, UserError> {
    use crate::nic::resolve;
    use crate::scan::indexed_error;
    use masscan_drivers::pfring::{kernel_name, PfRing};
    let c = &run.config;
    one_thread_pair_per_queue(c, "pfring", threads)?;
    let (mut drivers, mut links) = (Vec::new(), Vec::new());
    for i in 0..c.nic_count() {
        let nc = c.for_nic(i);
        if i > 0 && nc.nic.adapter.is_none() {
            return Err(UserError(format!(
                "interface {i} has settings but no name: give adapter[{i}] = IFNAME"
            )));
        }
        let device = nc.nic.adapter.clone().unwrap_or_default();
        let mut kernel = nc.clone();
        if !device.is_empty() {
            kernel.nic.adapter = Some(kernel_name(&device).to_string());
        }
        let mut link =
            resolve::discover(&kernel, plan, run.verbose).map_err(|e| indexed_error(e, i))?;
        let device = if device.is_empty() {
            link.adapter.ifname.clone()
        } else {
            device
        };
        let driver = PfRing::new(&device, threads)?;
        errln!("[pfring] {} on {device}", driver.describe());
        if c.banner.enabled && link.adapter.kernel_source().is_some() {
            crate::scan::warn_kernel_resets(&nc, &link.adapter);
        }
        link.adapter.ifname = device;
        drivers.push(driver);
        links.push(link);
    }
    let driver = masscan_drivers::Several::new(drivers, threads);
    scan_queue_pairs(run, plan, driver, links, threads)
}

/// DPDK and PF_RING pair each transmit queue with its receive queue: a different
/// `--rx-threads` cannot be honoured.
fn one_thread_pair_per_queue(
    c: &masscan_engine::config::ScanConfig,
    driver: &str,
    threads: usize,
) -> Result<(), UserError> {
    if c.threads.rx_threads.is_some_and(|r| r != threads) {
        return Err(UserError(format!(
            "--driver {driver} gives each queue one transmit and one receive thread: use \
             --tx-threads {threads} --rx-threads {threads}"
        )));
    }
    Ok(())
}

/// The outputs opened and the scan run with one transmit and one receive thread per queue of
/// each interface.
fn scan_queue_pairs<D: masscan_engine::driver::Driver>(
    run: &Run,
    plan: &Plan,
    driver: D,
    links: Vec<crate::nic::resolve::ResolvedNic>,
    threads: usize,
) -> Result<i32, UserError> {
    let outputs = crate::output_thread::open_files(run, crate::outputs::now())?;
    let all = threads * links.len();
    crate::run::run_scan_with(run, plan, driver, links, outputs, (all, all), None)
}

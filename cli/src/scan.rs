//! Starting a scan: the plan built and checked, the backend chosen (AF_XDP where it works, else
//! AF_PACKET, or offline), the link set up ([`crate::nic::resolve`]), the outputs opened, and the run
//! handed to [`crate::run`]. Also `-sL`, which prints the scan order instead of sending it.

use crate::args::UserError;
use crate::console::errln;
use crate::nic::discover::FoundNic;
use crate::nic::resolve::{self, steer_config, ResolvedNic};
use crate::output_thread::open_files;
use crate::outputs;
use crate::run::{run_scan_with, scan_end};
use crate::settings::Run;
use crate::threads::{default_tx_threads, pinning};
use masscan_drivers::privilege::lookup_user;
use masscan_drivers::{AfPacket, AfXdp, Offline, Several};
use masscan_engine::config::{Backend, ScanConfig};
use masscan_engine::driver::Driver;
use masscan_engine::listscan::push_line;
use masscan_engine::plan::ports::PortSetBuilder;
use masscan_engine::plan::{OrderSpec, Plan, PlanError, ScanOrder};
use std::io::Write;

fn retry_window(c: &ScanConfig) -> u64 {
    // About one second of probes per pass, so retries of a target are ~1 s apart.
    ((c.pace.rate / (c.pace.retries as f64 + 1.0)).min(u64::MAX as f64 / 2.0) as u64).max(1)
}

fn build_plan(c: &ScanConfig, listing: bool) -> Result<Plan, UserError> {
    // -sL lists each target once, but in the BlackRock order as the original does: its
    // listing runs on past the end by retries x rate.
    let blackrock = matches!(c.pace.order, ScanOrder::BlackRock { .. });
    let retries = if listing && !blackrock {
        0
    } else {
        c.pace.retries
    };
    let spec = OrderSpec {
        order: c.pace.order,
        rate: c.pace.order_rate() as u64,
        listing,
        canaries: c.pace.canaries,
    };
    let plan = Plan::ordered(
        c.targets.clone(),
        c.ports.clone(),
        c.seed,
        retries,
        retry_window(c),
        spec,
    )?;
    if c.pace.resume_index > plan.total() {
        return Err(PlanError::ResumePastEnd {
            index: c.pace.resume_index,
            total: plan.total(),
        }
        .into());
    }
    Ok(plan)
}

/// `-sL`: every target of this shard and resume slice, in scan order, one per line.
pub fn list_scan(c: &ScanConfig) -> Result<(), UserError> {
    // Without ports, the original lists the addresses in the order of a scan of port 80.
    let with_80;
    let c = if c.ports.count() == 0 {
        let mut pb = PortSetBuilder::new();
        pb.add_value(80, 80);
        with_80 = ScanConfig {
            ports: pb.build(),
            ..c.clone()
        };
        &with_80
    } else {
        c
    };
    let plan = build_plan(c, true)?;
    // A pair scan lists its pairs as a pairs file writes them (the original has no pairs).
    let with_port = plan.slot_count() > 1 || plan.is_pairs();
    let original = matches!(c.pace.order, ScanOrder::BlackRock { .. }) && !plan.is_pairs();
    let slice = plan.slice(c.pace.resume_index, scan_end(c), c.pace.shard, 0, 1);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut buf = Vec::with_capacity(1 << 20);
    for j in slice {
        if let Some(t) = plan.probe(j) {
            push_line(&mut buf, &t, with_port, original);
        }
        if buf.len() >= (1 << 20) - 64 {
            if out.write_all(&buf).is_err() {
                return Ok(()); // reader went away (| head): not an error
            }
            buf.clear();
        }
    }
    let _ = out.write_all(&buf).and_then(|_| out.flush());
    Ok(())
}

pub fn scan(run: &Run) -> Result<i32, UserError> {
    let c = &run.config;
    let plan = build_plan(c, false)?;
    pinning(c, 256, 256)?; // a CPU list this process cannot use fails before anything opens
    if let Some(user) = &run.user {
        lookup_user(user).map_err(UserError)?; // an unknown user fails before anything opens
    }
    if run.seccomp && matches!(c.io.driver, Some(Backend::Dpdk | Backend::PfRing)) {
        return Err(UserError(
            "--seccomp works with --driver afxdp, --driver afpacket and --offline only (the \
             system calls of DPDK's and PF_RING's libraries were not measured)"
                .into(),
        ));
    }
    let threads = c.threads.tx_threads.unwrap_or_else(default_tx_threads);
    let afxdp = match (c.io.offline, c.io.driver) {
        (true, _) | (_, Some(Backend::Offline)) => {
            let outputs = open_files(run, outputs::now())?;
            // As live: each interface (adapter[i], its own source) has its own transmit threads.
            let threads = threads * c.nic_count();
            let driver = Offline::new(threads);
            return run_scan_with(run, &plan, driver, Vec::new(), outputs, (threads, 0), None);
        }
        (_, Some(Backend::Dpdk)) => return crate::bypass::scan(run, &plan, threads),
        (_, Some(Backend::PfRing)) => return crate::bypass::pfring(run, &plan, threads),
        (_, Some(Backend::AfXdp)) => true,
        (_, None | Some(Backend::AfPacket)) => false,
    };
    let links = resolve_nics(c, &plan, run.verbose)?;
    let outputs = open_files(run, outputs::now())?;
    let xdp = if afxdp || c.io.driver.is_none() {
        match open_afxdp(c, &links) {
            Ok(d) => Some(d),
            Err(e) if afxdp => return Err(e),
            Err(e) => {
                errln!(
                    "masscan: AF_XDP is not available ({}); using AF_PACKET",
                    e.0
                );
                None
            }
        }
    } else {
        None
    };
    if let Some(driver) = xdp {
        return scan_afxdp(run, &plan, driver, links, outputs);
    }
    let rx = c.threads.rx_threads.unwrap_or(threads);
    if links.len() > 1 && rx != threads {
        return Err(UserError(format!(
            "with several interfaces each one has as many receive threads as transmit threads: \
             use --rx-threads {threads} (or leave it out)"
        )));
    }
    if c.banner.enabled {
        for l in links.iter().filter(|l| l.adapter.kernel_source().is_some()) {
            warn_kernel_resets(c, &l.adapter);
        }
    }
    let drivers = (links.iter())
        .map(|l| AfPacket::new(&l.adapter.ifname, threads.max(rx)))
        .collect::<Result<Vec<_>, _>>()?;
    let nics = links.len();
    let driver = Several::new(drivers, threads.max(rx));
    run_scan_with(
        run,
        &plan,
        driver,
        links,
        outputs,
        (threads * nics, rx * nics),
        None,
    )
}

/// Each interface's link (interface 0, then `adapter[1]`...), each found and resolved on its
/// own: its addresses, its router, its neighbours.
fn resolve_nics(c: &ScanConfig, plan: &Plan, verbose: u8) -> Result<Vec<ResolvedNic>, UserError> {
    let mut links: Vec<ResolvedNic> = Vec::new();
    for i in 0..c.nic_count() {
        let nc = c.for_nic(i);
        if i > 0 && nc.nic.adapter.is_none() {
            return Err(UserError(format!(
                "interface {i} has settings but no name: give adapter[{i}] = IFNAME \
                 (--adapter[{i}] IFNAME)"
            )));
        }
        let link = resolve::discover(&nc, plan, verbose).map_err(|e| indexed_error(e, i))?;
        if let Some(j) = (links.iter()).position(|l| l.adapter.ifname == link.adapter.ifname) {
            return Err(UserError(format!(
                "interfaces {j} and {i} are both {}: give each adapter[i] its own interface",
                link.adapter.ifname
            )));
        }
        links.push(link);
    }
    Ok(links)
}

/// An error of interface `i` > 0 names its own options (`--router-ip[1]`, not `--router-ip`).
pub(crate) fn indexed_error(e: UserError, i: usize) -> UserError {
    if i == 0 {
        return e;
    }
    let mut text = format!("adapter[{i}]: {}", e.0);
    for name in masscan_engine::nics::PER_NIC.iter().rev() {
        text = text.replace(&format!("--{name} "), &format!("--{name}[{i}] "));
    }
    UserError(text)
}

/// An AF_XDP socket set, and the steering program, on every interface; all with the same
/// number of queues (one transmit and one receive thread each).
fn open_afxdp(c: &ScanConfig, links: &[ResolvedNic]) -> Result<Several<AfXdp>, UserError> {
    let mut drivers: Vec<AfXdp> = Vec::new();
    for (i, l) in links.iter().enumerate() {
        let steer = steer_config(l, &c.for_nic(i));
        drivers.push(AfXdp::new(&l.adapter.ifname, &steer)?);
    }
    let queues = drivers[0].capabilities().queues;
    for (l, d) in links.iter().zip(&drivers) {
        let q = d.capabilities().queues;
        if q != queues {
            return Err(UserError(format!(
                "{} has {q} queue(s) and {} has {queues}: AF_XDP over several interfaces needs \
                 the same queue count on each (ethtool -L)",
                l.adapter.ifname, links[0].adapter.ifname
            )));
        }
    }
    Ok(Several::new(drivers, queues))
}

/// The scan over AF_XDP: one transmit and one receive thread per queue of each interface, the
/// steering programs' counters summed for the status and the summary.
fn scan_afxdp(
    run: &Run,
    plan: &Plan,
    driver: Several<AfXdp>,
    links: Vec<ResolvedNic>,
    outputs: crate::output_thread::Opened,
) -> Result<i32, UserError> {
    let c = &run.config;
    let queues = driver.capabilities().queues;
    let per = queues / links.len();
    if c.threads.tx_threads.is_some_and(|t| t != per)
        || c.threads.rx_threads.is_some_and(|t| t != per)
    {
        return Err(UserError(format!(
            "{} has {per} queue(s) and AF_XDP needs one transmit and one receive thread per \
             queue: use --tx-threads {per} --rx-threads {per} (or that many --tx-cores and \
             --rx-cores), change the queue count (ethtool -L), or use --driver afpacket",
            links[0].adapter.ifname
        )));
    }
    let steerings: Vec<_> = driver.drivers().iter().map(|d| d.steering()).collect();
    if run.verbose > 0 {
        for (l, d) in links.iter().zip(driver.drivers()) {
            errln!(
                "[xdp] steering program attached to {} in {} mode",
                l.adapter.ifname,
                d.xdp_mode()
            );
        }
    }
    let xdp_counters = move || {
        let mut mode = "";
        let mut sum: Vec<masscan_ebpf::Counters> = Vec::new();
        for s in &steerings {
            let s = s.lock().ok()?;
            mode = s.mode();
            let per_cpu = s.counters_per_cpu().ok()?;
            sum.resize(sum.len().max(per_cpu.len()), Default::default());
            for (t, c) in sum.iter_mut().zip(per_cpu) {
                t.seen += c.seen;
                t.ours += c.ours;
                t.steered += c.steered;
                t.passed += c.passed;
            }
        }
        Some((mode, sum))
    };
    run_scan_with(
        run,
        plan,
        driver,
        links,
        outputs,
        (queues, queues),
        Some(&xdp_counters),
    )
}

/// With AF_PACKET from the kernel's own address, the kernel sees the replies too and resets
/// every banner connection it does not know.
pub(crate) fn warn_kernel_resets(c: &ScanConfig, a: &FoundNic) {
    errln!(
        "masscan: warning: with AF_PACKET the kernel owns {} and will reset every banner \
         connection; use AF_XDP (the default where it works), an unused --adapter-ip, or a \
         firewall rule dropping TCP to source ports {}",
        a.kernel_source().map(|r| r.to_string()).unwrap_or_default(),
        c.source_ports()
    );
}

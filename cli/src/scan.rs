//! Starting a scan: the plan built and checked, the backend chosen (AF_XDP where it works, else
//! AF_PACKET, or offline), the link set up ([`crate::link`]), the outputs opened, and the run
//! handed to [`crate::run`]. Also `-sL`, which prints the scan order instead of sending it.

use crate::adapter::Adapter;
use crate::args::UserError;
use crate::link::{self, steer_config};
use crate::output_thread::open_outputs;
use crate::outputs;
use crate::run::{run_scan_with, scan_end};
use crate::settings::Run;
use crate::threads::{default_tx_threads, pinning};
use masscan_drivers::privilege::lookup_user;
use masscan_drivers::{AfPacket, AfXdp, Offline};
use masscan_engine::config::ScanConfig;
use masscan_engine::driver::Driver;
use masscan_engine::listscan::push_line;
use masscan_engine::plan::{OrderSpec, Plan, PlanError, ScanOrder};
use masscan_engine::ports::{PortSetBuilder, Proto};
use masscan_engine::source::PortRange;
use std::io::Write;

fn retry_window(c: &ScanConfig) -> u64 {
    // About one second of probes per pass, so retries of a target are ~1 s apart.
    ((c.rate / (c.retries as f64 + 1.0)).min(u64::MAX as f64 / 2.0) as u64).max(1)
}

fn build_plan(c: &ScanConfig, listing: bool) -> Result<Plan, UserError> {
    // -sL lists each target once, but in the BlackRock order as the original does: its
    // listing runs on past the end by retries x rate.
    let blackrock = matches!(c.order, ScanOrder::BlackRock { .. });
    let retries = if listing && !blackrock { 0 } else { c.retries };
    let spec = OrderSpec {
        order: c.order,
        rate: c.rate as u64,
        listing,
    };
    let plan = Plan::ordered(
        c.targets.clone(),
        c.ports.clone(),
        c.seed,
        retries,
        retry_window(c),
        spec,
    )?;
    if c.resume_index > plan.total() {
        return Err(PlanError::ResumePastEnd {
            index: c.resume_index,
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
    let with_port = plan.port_count() > 1;
    let original = matches!(c.order, ScanOrder::BlackRock { .. });
    let slice = plan.slice(c.resume_index, scan_end(c), c.shard, 0, 1);
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

/// Refuses what this build cannot do yet, before anything starts.
fn check_supported(c: &ScanConfig) -> Result<(), UserError> {
    for s in c.ports.list.spans() {
        for v in [s.first, s.last] {
            let (proto, _) = Proto::split(v);
            if proto == Proto::Other {
                return Err(UserError(format!(
                    "{} probes are not implemented yet in masscan-rs (TCP SYN, UDP, SCTP, ICMP \
                     echo and ARP are); -sL lists them",
                    proto.name().to_uppercase()
                )));
            }
        }
    }
    Ok(())
}

pub fn scan(run: &Run) -> Result<i32, UserError> {
    let c = &run.config;
    let plan = build_plan(c, false)?;
    check_supported(c)?;
    pinning(c, 256, 256)?; // a CPU list this process cannot use fails before anything opens
    if let Some(user) = &run.user {
        lookup_user(user).map_err(UserError)?; // an unknown user fails before anything opens
    }
    let threads = c.tx_threads.unwrap_or_else(default_tx_threads);
    let offline = c.offline || c.driver.as_deref() == Some("offline");
    if offline {
        let outputs = open_outputs(c, outputs::now())?;
        let driver = Offline::new(threads);
        return run_scan_with(run, &plan, driver, None, outputs, (threads, 0), None);
    }
    let afxdp = match c.driver.as_deref() {
        None | Some("afpacket") => false,
        Some("afxdp") => true,
        Some("dpdk") => return crate::bypass::scan(run, &plan, threads),
        Some("pfring") => return crate::bypass::pfring(run, &plan, threads),
        Some(d) => {
            return Err(UserError(format!(
                "--driver {d} is not implemented yet in masscan-rs; use --driver afxdp \
                 (the default where it works), --driver afpacket, or --offline"
            )))
        }
    };
    let link = link::discover(c, &plan, run.verbose)?;
    let outputs = open_outputs(c, outputs::now())?;
    let xdp = if afxdp || c.driver.is_none() {
        let steer = steer_config(&link, c);
        match AfXdp::new(&link.adapter.ifname, &steer) {
            Ok(d) => Some(d),
            Err(e) if afxdp => return Err(e.into()),
            Err(e) => {
                eprintln!("masscan: AF_XDP is not available ({e}); using AF_PACKET");
                None
            }
        }
    } else {
        None
    };
    if let Some(driver) = xdp {
        let queues = driver.capabilities().queues;
        if c.tx_threads.is_some_and(|t| t != queues) || c.rx_threads.is_some_and(|t| t != queues) {
            return Err(UserError(format!(
                "{} has {queues} queue(s) and AF_XDP needs one transmit and one receive thread per \
                 queue: use --tx-threads {queues} --rx-threads {queues} (or that many --tx-cores and \
                 --rx-cores), change the queue count \
                 (ethtool -L), or use --driver afpacket",
                link.adapter.ifname
            )));
        }
        if run.verbose > 0 {
            eprintln!(
                "[xdp] steering program attached to {} in {} mode",
                link.adapter.ifname,
                driver.xdp_mode()
            );
        }
        let steering = driver.steering();
        let xdp_counters = move || {
            steering
                .lock()
                .ok()
                .and_then(|s| s.counters_per_cpu().ok().map(|c| (s.mode(), c)))
        };
        return run_scan_with(
            run,
            &plan,
            driver,
            Some(link),
            outputs,
            (queues, queues),
            Some(&xdp_counters),
        );
    }
    let rx = c.rx_threads.unwrap_or(threads);
    if c.banners && !link.adapter.spoofed {
        warn_kernel_resets(c, &link.adapter);
    }
    let driver = AfPacket::new(&link.adapter.ifname, threads.max(rx))?;
    run_scan_with(run, &plan, driver, Some(link), outputs, (threads, rx), None)
}

/// With AF_PACKET from the kernel's own address, the kernel sees the replies too and resets
/// every banner connection it does not know.
pub(crate) fn warn_kernel_resets(c: &ScanConfig, a: &Adapter) {
    eprintln!(
        "masscan: warning: with AF_PACKET the kernel owns {} and will reset every banner \
         connection; use AF_XDP (the default where it works), an unused --adapter-ip, or a \
         firewall rule dropping TCP to source ports {}",
        a.src_v4
            .or(a.src_v6)
            .map(|r| r.to_string())
            .unwrap_or_default(),
        c.adapter_port
            .unwrap_or_else(|| PortRange::random_default(c.seed.rotate_left(7)))
    );
}

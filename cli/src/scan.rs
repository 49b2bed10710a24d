//! Running a scan: the adapter and router found, one pinned transmit thread and one receive
//! thread per queue of the chosen backend, an output thread writing results as they arrive, the
//! status line, `--stats-json` and checkpoints from the main thread, SIGINT/SIGTERM pausing into
//! `paused.conf` and then waiting for late replies (a second signal ends the wait), and the final
//! per-core summary. Also `-sL`, which prints the scan order instead of sending it.

use crate::adapter::{self, Adapter, Router};
use crate::args::UserError;
use crate::outputs::{self, Output, Rotation};
use crate::settings::Run;
use crate::status::{self, Progress, StatsJson};
use core_affinity::CoreId;
use masscan_drivers::middleware::{PcapRx, SharedPcap, Traced};
use masscan_drivers::{AfPacket, AfXdp, Offline};
use masscan_ebpf::{Counters as XdpCounters, SteerConfig};
use masscan_engine::arp::{self, Neighbours};
use masscan_engine::banner::BannerConfig;
use masscan_engine::config::{cpu_list, Mac, ScanConfig, Wait};
use masscan_engine::cookie::CookieKey;
use masscan_engine::driver::{Driver, QueueStats, RxQueue, TxQueue};
use masscan_engine::listscan::push_line;
use masscan_engine::ndp;
use masscan_engine::output::{Record, ScannedPorts};
use masscan_engine::plan::{Plan, PlanError, Slice};
use masscan_engine::ports::Proto;
use masscan_engine::reply::{Receiver, ReceiverConfig, MAX_REPLY};
use masscan_engine::source::{IpRange, PortRange, Source};
use masscan_engine::stats::{CoreCounters, RxCoreCounters};
use masscan_engine::tcp::TcpConfig;
use masscan_engine::template::{SynTemplate, TemplateParams};
use masscan_engine::throttle::{Throttle, UNTHROTTLED_RATE};
use masscan_engine::transmit::{self, ProbeBuilder};
use signal_hook::iterator::Signals;
use std::collections::VecDeque;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

/// Frames asked of the driver per batch.
pub const TX_BATCH: usize = 64;

fn scan_end(c: &ScanConfig) -> u64 {
    c.resume_count
        .map(|n| c.resume_index.saturating_add(n))
        .unwrap_or(u64::MAX)
}

fn retry_window(c: &ScanConfig) -> u64 {
    // About one second of probes per pass, so retries of a target are ~1 s apart.
    ((c.rate / (c.retries as f64 + 1.0)).min(u64::MAX as f64 / 2.0) as u64).max(1)
}

fn build_plan(c: &ScanConfig, with_retries: bool) -> Result<Plan, UserError> {
    let retries = if with_retries { c.retries } else { 0 };
    let plan = Plan::new(
        c.targets.clone(),
        c.ports.clone(),
        c.seed,
        retries,
        retry_window(c),
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
    let plan = build_plan(c, false)?;
    let with_port = plan.port_count() > 1;
    let slice = plan.slice(c.resume_index, scan_end(c), c.shard, 0, 1);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut buf = Vec::with_capacity(1 << 20);
    for j in slice {
        push_line(&mut buf, &plan.pick(j), with_port);
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
            if proto != Proto::Tcp {
                return Err(UserError(format!(
                    "{} probes are not implemented yet in masscan-rs (TCP SYN only for now); \
                     -sL lists them",
                    proto.name().to_uppercase()
                )));
            }
        }
    }
    Ok(())
}

/// Banner grabbing's settings, from the command line.
fn tcp_config(c: &ScanConfig, my_mac: [u8; 6], rx_threads: usize) -> TcpConfig {
    let timeout = c.connection_timeout.unwrap_or(30);
    // Enough for every probe of `timeout` seconds to open a connection, within bounds.
    let by_rate = (c.rate / rx_threads as f64 * timeout as f64).min(1e9) as usize;
    let mut banners = BannerConfig::default();
    for (on, what) in &c.captures {
        match what.as_str() {
            "cert" => banners.capture_cert = *on,
            "html" => banners.capture_html = *on,
            _ => {}
        }
    }
    if let Some(ua) = &c.http_user_agent {
        banners.user_agent = ua.clone();
    }
    if let Some(n) = c.banner_bytes {
        banners.max_bytes = n;
    }
    banners.hellos = c.hellos.iter().cloned().collect();
    TcpConfig {
        my_mac,
        vlan: c.adapter_vlan,
        ttl: c.ttl,
        hello_wait_ms: c.hello_timeout.unwrap_or(2) * 1000,
        timeout_ms: timeout * 1000,
        max_connections: c
            .max_connections
            .unwrap_or_else(|| by_rate.clamp(4096, 1 << 20)),
        banners: Arc::new(banners),
    }
}

fn default_tx_threads() -> usize {
    let n = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    n.saturating_sub(1).max(1)
}

/// The CPU each transmit and receive thread is pinned to: the `--tx-cores`/`--rx-cores` lists
/// when given (each CPU checked against the ones this process may run on), else transmit
/// thread k on the (k+1)-th allowed CPU and receive thread k on the k-th, wrapping around; on a
/// single-CPU machine nothing is pinned.
#[allow(clippy::type_complexity)]
fn pinning(
    c: &ScanConfig,
    tx_threads: usize,
    rx_threads: usize,
) -> Result<(Vec<Option<CoreId>>, Vec<Option<CoreId>>), UserError> {
    let allowed = core_affinity::get_core_ids().unwrap_or_default();
    let pick = |name: &str,
                list: &Option<Vec<usize>>,
                n: usize,
                shift: usize|
     -> Result<Vec<Option<CoreId>>, UserError> {
        match list {
            Some(cpus) => cpus
                .iter()
                .take(n)
                .map(|&id| {
                    if allowed.iter().any(|a| a.id == id) {
                        Ok(Some(CoreId { id }))
                    } else {
                        let ids: Vec<usize> = allowed.iter().map(|a| a.id).collect();
                        Err(UserError(format!(
                            "--{name}-cores: this process may not run on CPU {id}; it may use {}",
                            cpu_list(&ids)
                        )))
                    }
                })
                .collect(),
            None => Ok((0..n)
                .map(|k| (allowed.len() > 1).then(|| allowed[(k + shift) % allowed.len()]))
                .collect()),
        }
    };
    Ok((
        pick("tx", &c.tx_cores, tx_threads, 1)?,
        pick("rx", &c.rx_cores, rx_threads, 0)?,
    ))
}

/// Pins the calling thread to its CPU, if it has one.
fn pin(kind: &str, k: usize, cpu: Option<CoreId>) -> Result<(), UserError> {
    match cpu {
        Some(id) if !core_affinity::set_for_current(id) => Err(UserError(format!(
            "could not pin {kind} thread {k} to CPU {}",
            id.id
        ))),
        _ => Ok(()),
    }
}

/// Per-thread results.
struct TxResult {
    elapsed: Duration,
    queue: QueueStats,
    cpu: Option<usize>,
}

/// Opens every output before the scan starts, so an unwritable path fails first. Console lines
/// go to stdout when no file output is given, or with `--interactive`.
fn open_outputs(c: &ScanConfig, start: u64) -> Result<Vec<Output>, UserError> {
    let rotation = (c.rotate.is_some() || c.rotate_size.is_some()).then(|| Rotation {
        every: c.rotate,
        offset: c.rotate_offset.unwrap_or(0),
        size: c.rotate_size,
        dir: c.rotate_dir.as_deref().unwrap_or(".").into(),
    });
    let mut v = Vec::new();
    let ports = ScannedPorts::new(&c.ports);
    for (format, file) in &c.outputs {
        let mut o = Output::open(format, file, c.append_output, start, false, &ports)?;
        if let Some(r) = &rotation {
            o = o.with_rotation(r.clone(), start)?;
        }
        v.push(o);
    }
    if v.is_empty() || c.interactive {
        v.push(Output::console());
    }
    Ok(v)
}

pub fn scan(run: &Run) -> Result<i32, UserError> {
    let c = &run.config;
    let plan = build_plan(c, true)?;
    check_supported(c)?;
    pinning(c, 256, 256)?; // a CPU list this process cannot use fails before anything opens
    let threads = c.tx_threads.unwrap_or_else(default_tx_threads);
    let offline = c.offline || c.driver.as_deref() == Some("offline");
    if offline {
        let outputs = open_outputs(c, outputs::now())?;
        return run_scan(
            run,
            &plan,
            Offline::new(threads),
            None,
            outputs,
            (threads, 0),
        );
    }
    let afxdp = match c.driver.as_deref() {
        None | Some("afpacket") => false,
        Some("afxdp") => true,
        Some(d) => {
            return Err(UserError(format!(
                "--driver {d} is not implemented yet in masscan-rs; use --driver afxdp \
                 (the default where it works), --driver afpacket, or --offline"
            )))
        }
    };
    let adapter = adapter::discover(c)?;
    // The router and the neighbours are found through a packet socket before the scan's own
    // backend opens: once the XDP program is attached, ARP replies go to the scan's sockets.
    let link = {
        let mut probe = AfPacket::new(&adapter.ifname, 1)?;
        let given = c.router_mac.map(|m| m.0).unwrap_or([0; 6]);
        Link {
            router_v4: resolve_router(&mut probe, &adapter, false, run.verbose)?.unwrap_or(given),
            router_v6: resolve_router(&mut probe, &adapter, true, run.verbose)?.unwrap_or(given),
            neighbours: resolve_neighbours(&mut probe, &adapter, &plan, run.verbose)?,
            adapter,
        }
    };
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
        // The kernel sees the replies too, and resets connections it does not know.
        eprintln!(
            "masscan: warning: with AF_PACKET the kernel owns {} and will reset every banner \
             connection; use AF_XDP (the default where it works), an unused --adapter-ip, or a \
             firewall rule dropping TCP to source ports {}",
            link.adapter
                .src_v4
                .or(link.adapter.src_v6)
                .map(|r| r.to_string())
                .unwrap_or_default(),
            c.adapter_port
                .unwrap_or_else(|| PortRange::random_default(c.seed.rotate_left(7)))
        );
    }
    let driver = AfPacket::new(&link.adapter.ifname, threads.max(rx))?;
    run_scan(run, &plan, driver, Some(link), outputs, (threads, rx))
}

/// Reads the XDP program's mode and per-CPU counters (AF_XDP scans).
type XdpReader = dyn Fn() -> Option<(&'static str, Vec<XdpCounters>)>;

/// The link-layer facts a live scan starts from.
struct Link {
    adapter: Adapter,
    router_v4: [u8; 6],
    router_v6: [u8; 6],
    neighbours: Option<Neighbours>,
}

/// What the XDP program steers: the scan's source addresses and ports.
fn steer_config(link: &Link, c: &ScanConfig) -> SteerConfig {
    let a = &link.adapter;
    let ports = c
        .adapter_port
        .unwrap_or_else(|| PortRange::random_default(c.seed.rotate_left(7)));
    let mut s = SteerConfig {
        port_first: ports.first,
        port_count: ports.count.min(u32::from(u16::MAX)) as u16,
        steer_arp: u32::from(a.spoofed),
        ..SteerConfig::default()
    };
    if let Some(IpRange::V4 { first, count }) = a.src_v4 {
        s.v4_first = first;
        s.v4_count = count.min(u64::from(u32::MAX)) as u32;
    }
    if let Some(IpRange::V6 { first, count }) = a.src_v6 {
        s.v6_first = first.to_be_bytes();
        s.v6_count = count.min(u128::from(u32::MAX)) as u32;
    }
    s
}

/// Asks the router's MAC (of one family) through the scan's own link: ARP for IPv4, neighbour
/// solicitation for IPv6. `None` when the scan has no targets of that family.
fn resolve_router<D: Driver>(
    driver: &mut D,
    a: &Adapter,
    v6: bool,
    verbose: u8,
) -> Result<Option<[u8; 6]>, UserError> {
    let (router, src) = if v6 {
        (&a.router_v6, a.src_v6)
    } else {
        (&a.router_v4, a.src_v4)
    };
    let ip = match (router, src) {
        (None, _) | (_, None) => return Ok(None),
        (Some(Router::Mac(m)), _) => return Ok(Some(*m)),
        (Some(Router::Resolve(ip)), Some(_)) => *ip,
    };
    let (mut tx, mut rx) = driver.open_queue(0)?;
    let each = Duration::from_millis(ARP_WAIT_MS);
    let found = match (ip, src) {
        (IpAddr::V4(ip), Some(IpRange::V4 { first, .. })) => {
            let query = arp::ArpQuery {
                my_mac: a.src_mac,
                my_ip: Ipv4Addr::from(first),
                ip,
                vlan: a.vlan,
                tries: ARP_TRIES,
                each,
            };
            arp::resolve(&mut tx, &mut rx, &query).map_err(|e| e.to_string())
        }
        (IpAddr::V6(ip), Some(IpRange::V6 { first, .. })) => ndp::resolve(
            &mut tx,
            &mut rx,
            (a.src_mac, Ipv6Addr::from(first)),
            ip,
            a.vlan,
            (ARP_TRIES, each),
        )
        .map_err(|e| e.to_string()),
        _ => {
            return Err(UserError(format!(
                "router {ip}: not of the source's family"
            )))
        }
    };
    let mac = found.map_err(|e| {
        UserError(format!(
            "router {ip} on {}: {e}; check --router-ip, or give --router-mac",
            a.ifname
        ))
    })?;
    if verbose > 0 {
        eprintln!("[router] {ip} is at {}", Mac(mac));
    }
    Ok(Some(mac))
}

/// Targets on the local subnet are resolved by ARP when there are at most this many.
const LOCAL_ARP_LIMIT: usize = 4096;

/// Resolves the targets on the interface's own subnet (they are not behind the router), so
/// that their probes go to their own MAC.
fn resolve_neighbours<D: Driver>(
    driver: &mut D,
    a: &Adapter,
    plan: &Plan,
    verbose: u8,
) -> Result<Option<Neighbours>, UserError> {
    let Some((first, count)) = a.subnet else {
        return Ok(None);
    };
    let last = (u64::from(first) + count - 1) as u32;
    let Some(IpRange::V4 {
        first: me,
        count: mine,
    }) = a.src_v4
    else {
        return Ok(None);
    };
    let mut local = Vec::new();
    'spans: for s in plan.targets().v4.spans() {
        let (lo, hi) = (s.first.max(first), s.last.min(last));
        if lo > hi {
            continue;
        }
        for ip in lo..=hi {
            if (ip.wrapping_sub(me) as u64) < mine {
                continue; // ourselves
            }
            local.push(std::net::Ipv4Addr::from(ip));
            if local.len() > LOCAL_ARP_LIMIT {
                break 'spans;
            }
        }
    }
    if local.is_empty() {
        return Ok(None);
    }
    if local.len() > LOCAL_ARP_LIMIT {
        eprintln!(
            "masscan: more than {LOCAL_ARP_LIMIT} targets are on {}'s own subnet: they are sent \
             to the router, not resolved one by one",
            a.ifname
        );
        return Ok(None);
    }
    let (mut tx, mut rx) = driver.open_queue(0)?;
    let plan = arp::SweepPlan {
        my_mac: a.src_mac,
        my_ip: std::net::Ipv4Addr::from(me),
        vlan: a.vlan,
        passes: 2,
        rate: 2000.0,
        linger: Duration::from_millis(500),
    };
    let found = arp::sweep(&mut tx, &mut rx, &local, &plan)?;
    if verbose > 0 {
        eprintln!(
            "[neighbours] {} of {} targets on the local subnet answered ARP: probes go to their own MAC",
            found.len(),
            local.len()
        );
    }
    Ok(Some(Neighbours::new(first, count, &found)))
}

/// Router resolution: 8 requests, waiting 125 ms after the first, then 250, 500 ms and 1 s after
/// each of the rest (about 6 s in all before giving up).
const ARP_TRIES: u32 = 8;
const ARP_WAIT_MS: u64 = 125;
/// Seconds between checkpoints (paused.conf written while the scan runs).
const CHECKPOINT_EVERY: Duration = Duration::from_secs(2);
/// A checkpoint resumes this far behind the transmit threads, so that probes whose replies may
/// still be in flight or unflushed (outputs flush every second) are sent again after a crash.
const CHECKPOINT_LAG: Duration = Duration::from_secs(2);
const PAUSED_CONF: &str = "paused.conf";

fn run_scan<D: Driver>(
    run: &Run,
    plan: &Plan,
    driver: D,
    link: Option<Link>,
    outputs: Vec<Output>,
    threads: (usize, usize),
) -> Result<i32, UserError> {
    run_scan_with(run, plan, driver, link, outputs, threads, None)
}

fn run_scan_with<D: Driver>(
    run: &Run,
    plan: &Plan,
    mut driver: D,
    link: Option<Link>,
    outputs: Vec<Output>,
    (threads, rx_threads): (usize, usize),
    xdp: Option<&XdpReader>,
) -> Result<i32, UserError> {
    let adapter = link.as_ref().map(|l| &l.adapter);
    // What a resume needs beyond the command line: the interface and source address in use
    // (the cookies depend on them).
    let mut saved = run.config.clone();
    if let Some(a) = &adapter {
        saved.adapter = Some(a.ifname.clone());
        // One --adapter-ip is saved: the one given, or the discovered IPv4 (else IPv6) source.
        saved.adapter_ip = run.config.adapter_ip.or(a.src_v4).or(a.src_v6);
    }
    let c = &saved;
    let end = scan_end(c).min(plan.total());
    let unlimited = c.rate >= UNTHROTTLED_RATE;
    let per_thread_rate = c.rate / threads as f64;
    let caps = driver.capabilities();
    let live = caps.transmits;

    let given_router = c.router_mac.map(|m| m.0).unwrap_or([0; 6]);
    let (src_mac, router_v4, router_v6) = match &link {
        Some(l) => (l.adapter.src_mac, l.router_v4, l.router_v6),
        None => (
            c.adapter_mac.map(|m| m.0).unwrap_or([0; 6]),
            given_router,
            given_router,
        ),
    };
    let params = |dst_mac| TemplateParams {
        src_mac,
        dst_mac,
        vlan: c.adapter_vlan,
        ttl: c.ttl,
        ..TemplateParams::default()
    };
    let neighbours = link.as_ref().and_then(|l| l.neighbours.as_ref());
    let syn_v4 = SynTemplate::new(&params(router_v4), false)?;
    let syn_v6 = SynTemplate::new(&params(router_v6), true)?;
    let (src_v4, src_v6) = match &adapter {
        Some(a) => (a.src_v4, a.src_v6),
        None => match c.adapter_ip {
            Some(r @ IpRange::V4 { .. }) => (Some(r), None),
            Some(r @ IpRange::V6 { .. }) => (None, Some(r)),
            None => (None, None),
        },
    };
    let ports = c
        .adapter_port
        .unwrap_or_else(|| PortRange::random_default(c.seed.rotate_left(7)));
    let source = Source::new(src_v4, src_v6, ports);
    let key = CookieKey::from_seed(c.seed);
    let probes = ProbeBuilder {
        plan,
        source,
        key,
        syn_v4: &syn_v4,
        syn_v6: &syn_v6,
        neighbours,
    };
    let receiver_config = ReceiverConfig {
        key,
        source,
        my_mac: src_mac,
        vlan: c.adapter_vlan,
        answer_arp: adapter.is_some_and(|a| a.spoofed),
        send_rst: true,
        report_open: !c.noshow_open,
        report_closed: c.show_closed && !c.open_only,
        dedup_buckets: 1 << 16,
        banners: (c.banners && live).then(|| tcp_config(c, src_mac, rx_threads.max(1))),
    };
    let pcap = match (&c.pcap, live) {
        (Some(path), true) => Some(SharedPcap::create(path).map_err(UserError)?),
        _ => None,
    };

    // Signals: the first stops transmitting (pause), the second ends the wait for replies.
    let signals_seen = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut signals = Signals::new([signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM])?;
    let signal_handle = signals.handle();
    {
        let (seen, stop) = (Arc::clone(&signals_seen), Arc::clone(&stop));
        std::thread::spawn(move || {
            for _ in signals.forever() {
                stop.store(true, Ordering::SeqCst);
                seen.fetch_add(1, Ordering::SeqCst);
            }
        });
    }

    let slices: Vec<Slice> = (0..threads as u64)
        .map(|k| plan.slice(c.resume_index, end, c.shard, k, threads as u64))
        .collect();
    let counters: Vec<CoreCounters> = (0..threads).map(|_| CoreCounters::default()).collect();
    let rx_threads = if live { rx_threads } else { 0 };
    let rx_counters: Vec<RxCoreCounters> =
        (0..rx_threads).map(|_| RxCoreCounters::default()).collect();
    // Each thread's progress starts at its first index, before the thread runs: a pause that
    // comes before a thread starts must not resume from 0 (or past the scan's end).
    for (k, s) in counters.iter().zip(&slices) {
        k.next_index.store(s.next.min(s.end), Ordering::Release);
    }
    let (tx_cpus, rx_cpus) = pinning(c, threads, rx_threads)?;

    status::banner(plan);
    if let Some(from) = &run.resumed_from {
        eprintln!(
            "resuming scan from {} at index {}",
            from.display(),
            c.resume_index
        );
    }
    if run.verbose > 0 {
        eprintln!(
            "[driver] {} ({} queue(s), zero-copy {}, transmits {}), {} transmit thread(s), rate {} {}",
            caps.name,
            caps.queues,
            caps.zero_copy,
            caps.transmits,
            threads,
            c.rate,
            if unlimited { "(unthrottled)" } else { "pps" }
        );
        if let Some(a) = &adapter {
            let srcs: Vec<String> = [a.src_v4, a.src_v6]
                .iter()
                .flatten()
                .map(|r| r.to_string())
                .collect();
            eprintln!(
                "[adapter] {} {} {}{}",
                a.ifname,
                srcs.join(" "),
                Mac(a.src_mac),
                if a.spoofed {
                    " (spoofed: answering ARP for it)"
                } else {
                    ""
                }
            );
        }
    }
    let mut stats_json = match &run.stats_json {
        Some(target) => Some(StatsJson::open(target)?),
        None => None,
    };

    let started = Instant::now();
    let rx_stop = AtomicBool::new(false);
    let (record_tx, record_rx) = mpsc::channel::<Record>();
    let mut progress = Progress::new(&slices);
    progress.sample(&counters, &rx_counters); // baseline, so the first status line has a rate
    let mut checkpoints = Checkpoints::new(run, live);
    let mut interrupted_at: Option<u64> = None;

    // Every queue opens once, here; its halves go to its transmit and receive threads.
    let mut tx_queues = Vec::new();
    let mut rx_queues = Vec::new();
    for k in 0..threads.max(rx_threads) {
        let (tx, rx) = driver.open_queue(k)?;
        if k < threads {
            tx_queues.push(tx);
        }
        if k < rx_threads {
            rx_queues.push((rx, driver.open_reply_queue(k)?));
        }
    }
    let tx_release = AtomicBool::new(false);
    let (results, rx_results, output_result) = std::thread::scope(|s| {
        // Receive threads first, so no reply to an early probe is missed.
        let mut rx_handles = Vec::new();
        for (k, queues) in rx_queues.into_iter().enumerate() {
            let (cells, rx_stop, record_tx) = (&rx_counters[k], &rx_stop, record_tx.clone());
            let mut receiver = Receiver::new(receiver_config.clone());
            let pcap = pcap.clone();
            let cpu = rx_cpus[k];
            let trace = run.packet_trace;
            rx_handles.push(s.spawn(move || -> Result<(), UserError> {
                let (rx, reply) = queues;
                pin("receive", k, cpu)?;
                let mut rx = PcapRx::new(Traced::new(rx, trace, started), pcap);
                let mut reply = Traced::new(reply, trace, started);
                receive_loop(
                    &mut rx,
                    &mut reply,
                    &mut receiver,
                    cells,
                    rx_stop,
                    &record_tx,
                )
            }));
        }
        drop(record_tx);
        // The output thread: console lines and files, flushed at least once a second.
        let pcap_for_output = pcap.clone();
        let output = s.spawn(move || write_outputs(outputs, record_rx, pcap_for_output));

        let mut handles = Vec::new();
        for ((k, slice), tx) in slices.iter().copied().enumerate().zip(tx_queues) {
            let (probes, counters, stop) = (&probes, &counters[k], &*stop);
            let cpu = tx_cpus[k];
            let trace = run.packet_trace;
            let tx_release = &tx_release;
            handles.push(s.spawn(move || -> Result<TxResult, UserError> {
                let mut tx = Traced::new(tx, trace, started);
                pin("transmit", k, cpu)?;
                let mut throttle = Throttle::new(per_thread_rate, unlimited, TX_BATCH);
                let t0 = Instant::now();
                let r = transmit::run(&mut tx, probes, slice, &mut throttle, counters, stop);
                counters.done.store(true, Ordering::Release);
                let elapsed = t0.elapsed();
                r?;
                // Until the receive side stops, send what it hands over (AF_XDP's RSTs).
                while !tx_release.load(Ordering::Acquire) {
                    tx.poll_replies()?;
                    std::thread::sleep(Duration::from_micros(500));
                }
                tx.poll_replies()?;
                tx.flush()?;
                Ok(TxResult {
                    elapsed,
                    queue: tx.stats(),
                    cpu: cpu.map(|c| c.id),
                })
            }));
        }
        // One status line and --stats-json object (`waiting`: seconds left after the last probe).
        let mut report = |waiting: Option<u64>| {
            let snap = progress.sample(&counters, &rx_counters);
            if !run.nostatus {
                status::status_line(&snap, waiting);
            }
            if let Some(j) = stats_json.as_mut() {
                j.write(&snap, started.elapsed(), false, xdp.and_then(|f| f()));
            }
        };
        // The main thread reports once a second until every transmit thread is done...
        let mut next_report = Instant::now() + Duration::from_secs(1);
        loop {
            if counters.iter().all(|k| k.snapshot().done) {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
            if Instant::now() >= next_report {
                next_report += Duration::from_secs(1);
                report(None);
                checkpoints.tick(c, ports, min_next(&counters, c));
            }
        }
        // ...then, on a pause, saves where to resume before waiting for late replies...
        if stop.load(Ordering::SeqCst) && !slice_finished(&slices, &counters) {
            let resume = min_next(&counters, c);
            interrupted_at = Some(resume);
            if let Err(e) = write_paused(c, ports, resume, PAUSED_CONF) {
                eprintln!("masscan: {}", e.0);
            } else {
                eprintln!("saving resume file to: {PAUSED_CONF}");
            }
        }
        // ...and keeps receiving for --wait seconds (a second signal ends the wait at once).
        if live {
            let wait_start = Instant::now();
            let limit = match c.wait {
                Wait::Secs(n) => Some(Duration::from_secs(n)),
                Wait::Forever => None,
            };
            let seen_before = signals_seen.load(Ordering::SeqCst);
            loop {
                let waited = wait_start.elapsed();
                if limit.is_some_and(|l| waited >= l) {
                    break;
                }
                let seen = signals_seen.load(Ordering::SeqCst);
                if seen >= 2 || (seen > seen_before && interrupted_at.is_none()) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
                if Instant::now() >= next_report {
                    next_report += Duration::from_secs(1);
                    let left = limit.map(|l| l.saturating_sub(waited).as_secs());
                    report(Some(left.unwrap_or(0)));
                }
            }
        }
        rx_stop.store(true, Ordering::SeqCst);
        let rx_results: Vec<Result<(), UserError>> = rx_handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(UserError("a receive thread failed".into())))
            })
            .collect();
        tx_release.store(true, Ordering::Release);
        let results: Vec<Result<TxResult, UserError>> = handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(UserError("a transmit thread failed".into())))
            })
            .collect();
        let output_result = output
            .join()
            .unwrap_or_else(|_| Err(UserError("the output thread failed".into())));
        (results, rx_results, output_result)
    });
    signal_handle.close();
    let elapsed = started.elapsed();
    if !run.nostatus {
        eprintln!();
    }
    let snap = progress.sample(&counters, &rx_counters);
    if let Some(j) = stats_json.as_mut() {
        j.write(&snap, elapsed, true, xdp.and_then(|f| f()));
    }
    let mut per_core = Vec::new();
    let mut first_error = None;
    for r in results {
        match r {
            Ok(t) => per_core.push(t),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    for r in rx_results {
        if let Err(e) = r {
            first_error.get_or_insert(e);
        }
    }
    if let Err(e) = output_result {
        first_error.get_or_insert(e);
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    let cpus: Vec<Option<usize>> = per_core.iter().map(|r| r.cpu).collect();
    let secs: Vec<f64> = per_core.iter().map(|r| r.elapsed.as_secs_f64()).collect();
    let rx_cpus: Vec<Option<usize>> = rx_cpus.iter().map(|c| c.map(|c| c.id)).collect();
    status::summary(&snap, (&cpus, &rx_cpus), &secs, elapsed, caps.name);
    if let Some((mode, per_cpu)) = xdp.and_then(|f| f()) {
        let x = per_cpu
            .iter()
            .fold(XdpCounters::default(), |a, c| XdpCounters {
                seen: a.seen + c.seen,
                ours: a.ours + c.ours,
                steered: a.steered + c.steered,
                passed: a.passed + c.passed,
            });
        eprintln!(
            "xdp ({mode} mode): {} frames seen, {} the scan's, {} steered to AF_XDP, {} passed to the kernel",
            x.seen, x.ours, x.steered, x.passed
        );
        for (cpu, c) in per_cpu.iter().enumerate().filter(|(_, c)| c.seen > 0) {
            eprintln!(
                "xdp cpu {cpu}: {} seen, {} the scan's, {} steered, {} passed",
                c.seen, c.ours, c.steered, c.passed
            );
        }
    }
    for (k, r) in per_core.iter().enumerate() {
        debug_assert_eq!(r.queue.tx_frames, snap.cores[k].sent);
    }
    if interrupted_at.is_none() {
        checkpoints.finish();
    }
    Ok(0)
}

/// Where every transmit thread is (the smallest next index), never before the run's start.
fn min_next(counters: &[CoreCounters], c: &ScanConfig) -> u64 {
    counters
        .iter()
        .map(|k| k.snapshot().next_index)
        .min()
        .unwrap_or(c.resume_index)
        .max(c.resume_index)
}

/// Writes a resume file atomically (a temporary file renamed over the old one).
fn write_paused(
    c: &ScanConfig,
    ports: PortRange,
    resume: u64,
    path: &str,
) -> Result<(), UserError> {
    let mut paused = c.clone();
    // Save the source ports in use, even the default: late replies carry them.
    paused.adapter_port = Some(ports);
    if let Some(n) = c.resume_count {
        paused.resume_count = Some((c.resume_index + n).saturating_sub(resume));
    }
    let mut text = String::new();
    paused.write_paused(resume, &mut text);
    let tmp = format!("{path}.tmp");
    std::fs::write(&tmp, text)
        .and_then(|_| std::fs::rename(&tmp, path))
        .map_err(|e| UserError(format!("cannot write {path}: {e}")))
}

/// Checkpoints while a live scan runs: every few seconds `paused.conf` is rewritten with a
/// resume index a few seconds behind the transmit threads, so a killed scan (SIGKILL, power
/// loss) can `--resume` and lose nothing. Removed when the scan ends normally.
struct Checkpoints {
    on: bool,
    samples: VecDeque<(Instant, u64)>,
    last_write: Instant,
    wrote: bool,
    /// The resume file this run came from: overwriting it is expected.
    resumed_from: Option<std::path::PathBuf>,
}

impl Checkpoints {
    fn new(run: &Run, live: bool) -> Self {
        Self {
            on: live,
            samples: VecDeque::new(),
            last_write: Instant::now(),
            wrote: false,
            resumed_from: run.resumed_from.clone(),
        }
    }

    fn tick(&mut self, c: &ScanConfig, ports: PortRange, next: u64) {
        if !self.on {
            return;
        }
        let now = Instant::now();
        self.samples.push_back((now, next));
        // The newest sample at least CHECKPOINT_LAG old.
        while self.samples.len() > 1 && now.duration_since(self.samples[1].0) >= CHECKPOINT_LAG {
            self.samples.pop_front();
        }
        if now.duration_since(self.last_write) < CHECKPOINT_EVERY {
            return;
        }
        let Some(&(t, resume)) = self.samples.front() else {
            return;
        };
        if now.duration_since(t) < CHECKPOINT_LAG {
            return;
        }
        self.last_write = now;
        if !self.wrote {
            let ours = self
                .resumed_from
                .as_ref()
                .is_some_and(|p| p.as_path() == std::path::Path::new(PAUSED_CONF));
            if !ours && std::path::Path::new(PAUSED_CONF).exists() {
                let old = format!("{PAUSED_CONF}.old");
                if std::fs::rename(PAUSED_CONF, &old).is_ok() {
                    eprintln!("\nmasscan: an earlier {PAUSED_CONF} was kept as {old}");
                }
            }
        }
        match write_paused(c, ports, resume, PAUSED_CONF) {
            Ok(()) => self.wrote = true,
            Err(e) => {
                eprintln!("\nmasscan: checkpoint: {}", e.0);
                self.on = false;
            }
        }
    }

    /// The scan finished: its checkpoint (or the paused.conf it resumed from) is no longer
    /// needed.
    fn finish(&mut self) {
        let resumed_here = self
            .resumed_from
            .as_ref()
            .is_some_and(|p| p.as_path() == std::path::Path::new(PAUSED_CONF));
        if self.wrote || resumed_here {
            let _ = std::fs::remove_file(PAUSED_CONF);
        }
    }
}

/// One receive core: frames in, results to the output thread, RSTs and ARP answers out
/// through this core's own reply queue.
fn receive_loop<R: RxQueue, T: TxQueue>(
    rx: &mut R,
    reply: &mut T,
    receiver: &mut Receiver,
    cells: &RxCoreCounters,
    stop: &AtomicBool,
    records: &mpsc::Sender<Record>,
) -> Result<(), UserError> {
    let mut buf = [0u8; MAX_REPLY];
    let mut replies: Vec<([u8; MAX_REPLY], usize)> = Vec::new();
    let mut last_queue_stats = Instant::now();
    let clock = Instant::now();
    let queue_stats = |rx: &R, receiver: &mut Receiver| {
        let q = rx.stats();
        receiver.counters.kernel_drops = q.rx_dropped;
        receiver.counters.fill_empty = q.rx_fill_empty;
    };
    loop {
        let stopping = stop.load(Ordering::Relaxed);
        let now = outputs::now() as u32;
        // The banner stack's timers run from the clock, whether or not frames arrive.
        receiver.tick(clock.elapsed().as_millis() as u64, now);
        send_stack_output(receiver, reply, records)?;
        let n = rx.receive(256, |frame| {
            let o = receiver.handle(frame, now, &mut buf);
            if let Some(r) = o.record {
                let _ = records.send(r);
            }
            if o.reply_len > 0 {
                replies.push((buf, o.reply_len));
            }
        })?;
        for (frame, len) in replies.drain(..) {
            // A full reply ring drops the RST; the target retransmits its SYN-ACK and we answer
            // that one.
            reply.transmit(1, |b| {
                b[..len].copy_from_slice(&frame[..len]);
                len
            })?;
        }
        send_stack_output(receiver, reply, records)?;
        if last_queue_stats.elapsed() >= Duration::from_millis(250) {
            // The queue's own statistics cost a system call: a few times a second.
            queue_stats(rx, receiver);
            last_queue_stats = Instant::now();
        }
        cells.publish(&receiver.counters);
        if n == 0 {
            if stopping {
                break;
            }
            rx.wait(Duration::from_millis(10));
        }
    }
    // The scan is over: every banner connection reports what it has and is reset.
    receiver.close_connections();
    send_stack_output(receiver, reply, records)?;
    reply.flush()?;
    queue_stats(rx, receiver);
    cells.publish(&receiver.counters);
    Ok(())
}

/// Sends the banner stack's frames (ACKs, hellos, RSTs) and hands its banners to the output
/// thread. A frame the reply ring cannot take now is dropped: TCP's retransmission (ours or
/// the server's) covers it.
fn send_stack_output<T: TxQueue>(
    receiver: &mut Receiver,
    reply: &mut T,
    records: &mpsc::Sender<Record>,
) -> Result<(), UserError> {
    let Some(st) = receiver.stack_mut() else {
        return Ok(());
    };
    for frame in st.frames.drain(..) {
        reply.transmit(1, |b| {
            if frame.len() > b.len() {
                return 0;
            }
            b[..frame.len()].copy_from_slice(&frame);
            frame.len()
        })?;
    }
    for r in st.records.drain(..) {
        let _ = records.send(r);
    }
    Ok(())
}

/// The output thread: writes each result to every output as it arrives and flushes at least
/// once a second; closes every output validly when the receive threads are done.
fn write_outputs(
    mut outputs: Vec<Output>,
    records: mpsc::Receiver<Record>,
    pcap: Option<SharedPcap>,
) -> Result<(), UserError> {
    let mut last_flush = Instant::now();
    let mut dirty = false;
    loop {
        match records.recv_timeout(Duration::from_millis(200)) {
            Ok(r) => {
                for o in outputs.iter_mut() {
                    o.record(&r)?;
                }
                dirty = true;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        let now = outputs::now();
        for o in outputs.iter_mut() {
            o.maybe_rotate(now)?;
        }
        if last_flush.elapsed() >= Duration::from_millis(500) {
            if dirty {
                for o in outputs.iter_mut() {
                    o.flush()?;
                }
                dirty = false;
            }
            if let Some(p) = &pcap {
                let _ = p.flush();
            }
            last_flush = Instant::now();
        }
    }
    let finish = outputs::now();
    for o in outputs {
        o.close(finish)?;
    }
    if let Some(p) = &pcap {
        p.flush()
            .map_err(|e| UserError(format!("cannot write the pcap file: {e}")))?;
    }
    Ok(())
}

fn slice_finished(slices: &[Slice], counters: &[CoreCounters]) -> bool {
    slices
        .iter()
        .zip(counters)
        .all(|(s, k)| k.snapshot().next_index >= s.end)
}

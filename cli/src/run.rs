//! One scan on a chosen backend: the templates and the receive side's settings made from the
//! config and the link, every queue opened, one pinned receive thread and one pinned transmit
//! thread per queue (each running the engine's loop), the output thread, and the main thread
//! supervising: the status line and `--stats-json` once a second, checkpoints, a pause on
//! SIGINT/SIGTERM into `paused.conf`, the wait for late replies (a second signal ends it), and
//! the final per-core summary. No per-packet code lives here.

use crate::args::UserError;
use crate::checkpoint::Checkpoints;
use crate::console::errln;
use crate::coverage::Captures;
use crate::link_drops::LinkBaseline;
use crate::metadata::{self, Exit};
use crate::metrics;
use crate::nic::frames::{classifier_config, nic_of, saved_config, NicFrames};
use crate::nic::resolve::{ResolvedNic, XdpReader};
use crate::output_thread::{write_outputs, Opened};
use crate::outputs::Output;
use crate::settings::Run;
use crate::status::{self, Progress, StatsJson};
use crate::supervise::{supervise, BackoffLoop, SignalWatch};
use crate::threads::{pin, pinning};
use core_affinity::CoreId;
use masscan_drivers::fault::{FaultInjector, FaultTally};
use masscan_drivers::middleware::{PcapRx, PcapTx, SharedPcap, Traced};
use masscan_drivers::privilege::{drop_all_capabilities, switch_user};
use masscan_drivers::SystemClock;
use masscan_engine::canary::Marks;
use masscan_engine::classify::{Classifier, ClassifierConfig};
use masscan_engine::config::{Mac, ScanConfig};
use masscan_engine::cookie::CookieKey;
use masscan_engine::driver::{Capabilities, Driver, QueueStats, RxQueue, TxQueue};
use masscan_engine::output::Record;
use masscan_engine::plan::source::PortRange;
use masscan_engine::plan::{Plan, Slice};
use masscan_engine::probe::Probes;
use masscan_engine::receive::ReceiveLoop;
use masscan_engine::rtt::RttHistogram;
use masscan_engine::stats::{CoreCounters, RxCoreCounters};
use masscan_engine::throttle::{Throttle, UNTHROTTLED_RATE};
use masscan_engine::transmit::{self, ProbeBuilder};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::{Scope, ScopedJoinHandle};
use std::time::{Duration, Instant};

/// Frames asked of the driver per batch.
pub const TX_BATCH: usize = 64;

/// The last index of the scan this run covers (before the plan's own end).
pub fn scan_end(c: &ScanConfig) -> u64 {
    c.pace
        .resume_count
        .map(|n| c.pace.resume_index.saturating_add(n))
        .unwrap_or(u64::MAX)
}

/// Per-thread results.
struct TxResult {
    elapsed: Duration,
    queue: QueueStats,
    cpu: Option<usize>,
}

/// The lines printed before the scan starts (`-v` adds the driver and adapter).
fn print_start(
    run: &Run,
    c: &ScanConfig,
    plan: &Plan,
    caps: &Capabilities,
    threads: usize,
    links: &[ResolvedNic],
) {
    status::banner(plan);
    if let Some(from) = &run.resumed_from {
        errln!(
            "resuming scan from {} at index {}",
            from.display(),
            c.pace.resume_index
        );
    }
    if run.verbose == 0 {
        return;
    }
    let rate = if c.pace.rate >= UNTHROTTLED_RATE {
        "(unthrottled)"
    } else {
        "pps"
    };
    errln!(
        "[driver] {} ({} queue(s), zero-copy {}, transmits {}), {} transmit thread(s), rate {} {rate}",
        caps.name, caps.queues, caps.zero_copy, caps.transmits, threads, c.pace.rate,
    );
    for a in links.iter().map(|l| &l.adapter) {
        let srcs: Vec<String> = [a.src_v4, a.src_v6]
            .iter()
            .flatten()
            .map(|r| r.to_string())
            .collect();
        let spoofed = match (
            a.spoofed && a.src_v4.is_some(),
            a.spoofed_v6 && a.src_v6.is_some(),
        ) {
            (true, true) => " (spoofed: answering ARP and neighbour solicitations for it)",
            (true, false) => " (spoofed: answering ARP for it)",
            (false, true) => " (spoofed: answering neighbour solicitations for it)",
            (false, false) => "",
        };
        errln!(
            "[adapter] {} {} {}{spoofed}",
            a.ifname,
            srcs.join(" "),
            Mac(a.src_mac)
        );
    }
}

/// What the threads of one run share, borrowed for the run's scope.
pub struct Shared<'a> {
    pub run: &'a Run,
    pub c: &'a ScanConfig,
    /// Each interface's probes and receive settings (one of each offline).
    probes: Vec<ProbeBuilder<'a>>,
    classifiers: Vec<ClassifierConfig>,
    pcap: Option<SharedPcap>,
    /// `--pcap-sent`: every frame the transmit and answer queues send.
    pcap_sent: Option<SharedPcap>,
    pub slices: Vec<Slice>,
    pub counters: Vec<CoreCounters>,
    pub rx_counters: Vec<RxCoreCounters>,
    /// `--backoff`: the rate controller and the cap it sets.
    pub backoff: Option<BackoffLoop>,
    /// Each scan interface's own lost-frame counters when the scan started.
    link: Vec<LinkBaseline>,
    tx_cpus: Vec<Option<CoreId>>,
    rx_cpus: Vec<Option<CoreId>>,
    started: Instant,
    /// Raised by the first signal: the transmit threads stop.
    pub stop: &'a AtomicBool,
    /// Raised when the wait for replies is over: the receive threads stop.
    rx_stop: AtomicBool,
    /// Raised after the receive threads are done: the transmit threads stop sending their
    /// answers (AF_XDP's answer frames go out through them).
    tx_release: AtomicBool,
    /// `--inject-faults`: what the injectors did to received and to sent frames.
    faults_rx: Arc<FaultTally>,
    faults_tx: Arc<FaultTally>,
    /// Each receive core's round-trip times (`--metrics`; none without it).
    rtt: Vec<Arc<RttHistogram>>,
    /// One clock for every loop: the SYNs' send times and the replies' arrival share an origin.
    clock: SystemClock,
}

impl Shared<'_> {
    /// A receive queue with the scan's faults injected (if any), stream `k`.
    fn faulty<Q>(&self, q: Q, tally: &Arc<FaultTally>, stream: u64) -> FaultInjector<Q> {
        let tally = self.run.faults.map(|_| tally.clone());
        FaultInjector::maybe(q, self.run.faults, stream, tally)
    }
}

/// Runs one scan through `driver`, whose queues belong to `links`' interfaces in order (none:
/// offline), each interface's threads consecutive.
pub fn run_scan_with<D: Driver>(
    run: &Run,
    plan: &Plan,
    mut driver: D,
    links: Vec<ResolvedNic>,
    opened: Opened,
    (threads, rx_threads): (usize, usize),
    xdp: Option<&XdpReader>,
) -> Result<i32, UserError> {
    let Opened {
        outputs,
        mut stats_json,
    } = opened;
    let saved = saved_config(run, &links);
    let c = &saved;
    let caps = driver.capabilities();
    let live = caps.transmits;
    let rx_threads = if live { rx_threads } else { 0 };
    let nics: Vec<ScanConfig> = (0..c.nic_count()).map(|i| c.for_nic(i)).collect();
    let wires: Vec<NicFrames> = nics
        .iter()
        .enumerate()
        .map(|(i, nc)| NicFrames {
            timestamps: run.metrics.is_some(),
            ..NicFrames::new(nc, links.get(i))
        })
        .collect();
    let metrics_server = run.metrics.as_deref().map(metrics::bind).transpose()?;
    let kinds = wires
        .iter()
        .zip(&nics)
        .map(|(w, nc)| w.probes(nc))
        .collect::<Result<Vec<Probes>, UserError>>()?;
    let key = CookieKey::from_seed(c.seed);
    let (slices, counters) = slices_and_counters(c, plan, threads);
    let (tx_cpus, rx_cpus) = pinning(c, threads, rx_threads)?;
    let signals = SignalWatch::install()?;
    let (probes, classifiers) =
        per_interface(plan, key, (&wires, &kinds, &links, &nics), live, rx_threads);
    let shared = Shared {
        run,
        c,
        probes,
        classifiers,
        // Created offline too (empty: nothing is received), so a bad path fails the same way.
        pcap: pcap_file(c.io.pcap.as_deref())?,
        pcap_sent: pcap_file(c.io.pcap_sent.as_deref())?,
        slices,
        counters,
        rx_counters: (0..rx_threads).map(|_| RxCoreCounters::default()).collect(),
        backoff: (c.pace.backoff).then(|| BackoffLoop::new(c.pace.rate, UNTHROTTLED_RATE)),
        link: (links.iter())
            .filter_map(|l| LinkBaseline::start(&l.adapter.ifname))
            .collect(),
        tx_cpus,
        rx_cpus,
        started: Instant::now(),
        stop: &signals.stop,
        rx_stop: AtomicBool::new(false),
        tx_release: AtomicBool::new(false),
        faults_rx: Arc::default(),
        faults_tx: Arc::default(),
        rtt: match run.metrics {
            Some(_) => (0..rx_threads).map(|_| Arc::default()).collect(),
            None => Vec::new(),
        },
        clock: SystemClock::new(),
    };
    print_start(run, c, plan, &caps, threads, &links);
    let mut progress = Progress::new(&shared.slices).with_captures(Captures::of(c));
    // Baseline for the first rate.
    let first = sample(&mut progress, &shared);
    let recorder = metadata::Recorder::new(run.metadata.as_deref(), c, plan, caps.name);
    recorder.record(&first, &Exit::Running)?;
    let mut checkpoints = Checkpoints::new(run, live);

    let opened = open_and_drop_privileges(&mut driver, run, (threads, rx_threads), live);
    let (tx_queues, rx_queues) = match opened {
        Ok(q) => q,
        Err(e) => {
            recorder.record(&first, &Exit::Failed(&e.0))?;
            return Err(e);
        }
    };
    let mut monitor = Monitor {
        metrics: metrics_server.map(|s| (s, caps.name)),
        progress: &mut progress,
        stats_json: stats_json.as_mut(),
        xdp,
        checkpoints: &mut checkpoints,
    };
    let (interrupted_at, results) = run_threads(
        &shared,
        &signals,
        (tx_queues, rx_queues),
        outputs,
        (live, wires[0].ports),
        &mut monitor,
    );
    signals.handle.close();
    let elapsed = shared.started.elapsed();
    if !run.nostatus {
        errln!();
    }
    let mut snap = sample(&mut progress, &shared);
    // --canaries: the hosts marked in the whole scan, counted once by the output thread.
    snap.canary_hosts = results.2.as_ref().ok().copied().flatten();
    if let Some(j) = stats_json.as_mut() {
        j.write(&snap, elapsed, true, xdp.and_then(|f| f()));
    }
    let outcome = outcome_of(results);
    recorder.record(
        &snap,
        &match (&outcome, interrupted_at) {
            (Err(e), _) => Exit::Failed(&e.0),
            (Ok(_), Some(i)) => Exit::Paused(i),
            (Ok(_), None) => Exit::Completed,
        },
    )?;
    print_end(&shared, &snap, &outcome?, elapsed, (caps.name, xdp));
    if interrupted_at.is_none() {
        checkpoints.finish();
    }
    Ok(0)
}

/// The scan's counters now, with `--backoff`'s and the interfaces' own losses.
fn sample(progress: &mut Progress, shared: &Shared<'_>) -> status::Snapshot {
    progress
        .sample(&shared.counters, &shared.rx_counters)
        .with_backoff(backoff_of(shared))
        .with_link(&shared.link)
}

/// `--backoff`'s counters, when it runs.
fn backoff_of<'a>(shared: &'a Shared<'_>) -> Option<&'a masscan_engine::counters::BackoffCells> {
    shared.backoff.as_ref().map(|b| &b.cells)
}

/// Each interface's probe builder (over its templates) and receive settings.
fn per_interface<'a>(
    plan: &'a Plan,
    key: CookieKey,
    (wires, kinds, links, nics): (&[NicFrames], &'a [Probes], &'a [ResolvedNic], &[ScanConfig]),
    live: bool,
    rx_threads: usize,
) -> (Vec<ProbeBuilder<'a>>, Vec<ClassifierConfig>) {
    let probes = (wires.iter().zip(kinds).enumerate())
        .map(|(i, (w, k))| ProbeBuilder {
            plan,
            source: w.source,
            key,
            probes: k,
            neighbours: links.get(i).and_then(|l| l.neighbours.as_ref()),
        })
        .collect();
    let classifiers = (wires.iter().zip(nics).enumerate())
        .map(|(i, (w, nc))| {
            let adapter = links.get(i).map(|l| &l.adapter);
            ClassifierConfig {
                // The plan's own, so both sides pick the same canary ports.
                canaries: plan.canaries().cloned(),
                ..classifier_config(nc, w, key, adapter, live, rx_threads)
            }
        })
        .collect();
    (probes, classifiers)
}

/// What the supervising thread keeps up to date while the scan runs.
struct Monitor<'a, 'x> {
    /// `--metrics`: the listening server, answered from its own thread while the scan runs.
    metrics: Option<(tiny_http::Server, &'static str)>,
    progress: &'a mut Progress,
    stats_json: Option<&'a mut StatsJson>,
    xdp: Option<&'x XdpReader>,
    checkpoints: &'a mut Checkpoints,
}

/// What the threads returned: each transmit thread's, each receive thread's, the output's
/// (with `--canaries`, the hosts it marked).
type ThreadResults = (
    Vec<Result<TxResult, UserError>>,
    Vec<Result<(), UserError>>,
    Result<Option<u64>, UserError>,
);

/// Runs the receive, output and transmit threads, supervising them from this one until the
/// scan ends or pauses; returns where a pause happened and what the threads returned.
#[allow(clippy::type_complexity)]
fn run_threads<R: RxQueue, T: TxQueue, U: TxQueue>(
    shared: &Shared<'_>,
    signals: &SignalWatch,
    (tx_queues, rx_queues): (Vec<U>, Vec<(R, T)>),
    outputs: Vec<Output>,
    (live, ports): (bool, PortRange),
    m: &mut Monitor<'_, '_>,
) -> (Option<u64>, ThreadResults) {
    let run = shared.run;
    let (record_tx, record_rx) = mpsc::channel::<Record>();
    let metrics_done = AtomicBool::new(false);
    std::thread::scope(|s| {
        // Receive threads first, so no reply to an early probe is missed.
        let rx_handles = spawn_receivers(s, shared, rx_queues, &record_tx);
        drop(record_tx);
        let pcap = shared.pcap.clone();
        // --canaries: one mark per host across the receive cores, and --canary-results.
        let marks = (shared.c.pace.canaries > 0).then(|| {
            Marks::new(
                CookieKey::from_seed(shared.c.seed),
                shared.c.pace.canary_results,
            )
        });
        let output = s.spawn(move || write_outputs(outputs, record_rx, (pcap, marks)));
        let tx_handles = spawn_transmitters(s, shared, tx_queues);
        let xdp = m.xdp;
        if let Some((server, driver)) = &m.metrics {
            let (done, sources) = (
                &metrics_done,
                metrics::Sources {
                    tx: &shared.counters,
                    rx: &shared.rx_counters,
                    rtt: &shared.rtt,
                    xdp,
                    rate: shared.c.pace.rate,
                    backoff: backoff_of(shared),
                    driver,
                    captures: Captures::of(shared.c),
                },
            );
            s.spawn(move || metrics::serve(server, &sources, done));
        }
        let (progress, stats_json) = (&mut *m.progress, &mut m.stats_json);
        let mut report = |waiting: Option<u64>| {
            let snap = sample(progress, shared);
            if !run.nostatus {
                status::status_line(&snap, waiting, run.status_ndjson);
            }
            if let Some(j) = stats_json.as_mut() {
                j.write(
                    &snap,
                    shared.started.elapsed(),
                    false,
                    xdp.and_then(|f| f()),
                );
            }
        };
        let interrupted_at = supervise(shared, signals, live, ports, m.checkpoints, &mut report);
        shared.rx_stop.store(true, Ordering::SeqCst);
        let rx = join_all(rx_handles, "a receive thread failed");
        shared.tx_release.store(true, Ordering::Release);
        let tx = join_all(tx_handles, "a transmit thread failed");
        if let Some(p) = &shared.pcap_sent {
            if let Err(e) = p.flush() {
                errln!("masscan: cannot write the --pcap-sent file: {e}");
            }
        }
        let out = output
            .join()
            .unwrap_or_else(|_| Err(UserError("the output thread failed".into())));
        metrics_done.store(true, Ordering::Relaxed);
        (interrupted_at, (tx, rx, out))
    })
}

/// A pcap file for `--pcap` or `--pcap-sent`, when asked for.
fn pcap_file(path: Option<&str>) -> Result<Option<SharedPcap>, UserError> {
    path.map(|p| SharedPcap::create(p).map_err(UserError))
        .transpose()
}

/// The transmit threads' results, or the first failure of any thread.
fn outcome_of((tx, rx, out): ThreadResults) -> Result<Vec<TxResult>, UserError> {
    let per_core: Vec<TxResult> = tx.into_iter().collect::<Result<_, _>>()?;
    rx.into_iter().collect::<Result<Vec<()>, _>>()?;
    out?;
    Ok(per_core)
}

/// The per-core summary, what `--inject-faults` did, and the XDP program's counters.
fn print_end(
    shared: &Shared<'_>,
    snap: &status::Snapshot,
    per_core: &[TxResult],
    elapsed: Duration,
    (driver, xdp): (&str, Option<&XdpReader>),
) {
    let faults = shared.run.faults.is_some();
    print_summary(snap, per_core, &shared.rx_cpus, elapsed, (driver, !faults));
    if faults {
        errln!("[faults] received: {}", shared.faults_rx.total());
        errln!("[faults] sent: {}", shared.faults_tx.total());
    }
    if let Some((mode, per_cpu)) = xdp.and_then(|f| f()) {
        status::xdp_summary(mode, &per_cpu);
    }
}

/// Each transmit thread's slice of the scan, and its counters, whose progress starts at the
/// slice's first index before the thread runs: a pause that comes before a thread starts must
/// not resume from 0 (or past the scan's end).
fn slices_and_counters(
    c: &ScanConfig,
    plan: &Plan,
    threads: usize,
) -> (Vec<Slice>, Vec<CoreCounters>) {
    let end = scan_end(c).min(plan.total());
    let slices: Vec<Slice> = (0..threads as u64)
        .map(|k| plan.slice(c.pace.resume_index, end, c.pace.shard, k, threads as u64))
        .collect();
    let counters: Vec<CoreCounters> = (0..threads).map(|_| CoreCounters::default()).collect();
    for (k, s) in counters.iter().zip(&slices) {
        k.next_index.store(s.next.min(s.end), Ordering::Release);
    }
    (slices, counters)
}

/// Every queue opened, then (live) the privileges dropped: nothing more needs them.
#[allow(clippy::type_complexity)]
fn open_and_drop_privileges<D: Driver>(
    driver: &mut D,
    run: &Run,
    (threads, rx_threads): (usize, usize),
    live: bool,
) -> Result<(Vec<D::Tx>, Vec<(D::Rx, D::Tx)>), UserError> {
    let keep = driver.needs_privileges_to_close();
    let queues = open_queues(driver, threads, rx_threads)?;
    if live {
        drop_privileges(run, keep.as_deref())?;
    }
    if run.seccomp {
        masscan_drivers::seccomp::confine().map_err(UserError)?;
        if run.verbose > 0 {
            errln!("[privilege] system calls confined (--seccomp)");
        }
    }
    Ok(queues)
}

/// Every queue opens once, here; its halves go to its transmit and receive threads.
#[allow(clippy::type_complexity)]
fn open_queues<D: Driver>(
    driver: &mut D,
    threads: usize,
    rx_threads: usize,
) -> Result<(Vec<D::Tx>, Vec<(D::Rx, D::Tx)>), UserError> {
    let mut tx_queues = Vec::new();
    let mut rx_queues = Vec::new();
    for k in 0..threads.max(rx_threads) {
        let (tx, rx) = driver.open_queue(k)?;
        if k < threads {
            tx_queues.push(tx);
        }
        if k < rx_threads {
            rx_queues.push((rx, driver.open_answer_queue(k)?));
        }
    }
    Ok((tx_queues, rx_queues))
}

/// The per-core summary at the end of a run.
fn print_summary(
    snap: &status::Snapshot,
    per_core: &[TxResult],
    rx_cpus: &[Option<CoreId>],
    elapsed: Duration,
    (driver, exact): (&str, bool),
) {
    let cpus: Vec<Option<usize>> = per_core.iter().map(|r| r.cpu).collect();
    let secs: Vec<f64> = per_core.iter().map(|r| r.elapsed.as_secs_f64()).collect();
    let rx_cpus: Vec<Option<usize>> = rx_cpus.iter().map(|c| c.map(|c| c.id)).collect();
    status::summary(snap, (&cpus, &rx_cpus), &secs, elapsed, driver);
    for (k, r) in per_core.iter().enumerate() {
        // Fewer with --inject-faults: a dropped frame is filled but never reaches the queue.
        debug_assert!(r.queue.tx_frames <= snap.cores[k].counters.sent);
        debug_assert!(!exact || r.queue.tx_frames == snap.cores[k].counters.sent);
    }
}

/// Every socket, map and file is open: nothing more needs a capability (nor root, with
/// `--user`).
fn drop_privileges(run: &Run, keep: Option<&str>) -> Result<(), UserError> {
    if let Some(why) = keep {
        // The backend undoes what it did to the interface only with them (nothing is left
        // behind), so the scan keeps them; --user cannot.
        if run.user.is_some() {
            return Err(UserError(format!(
                "--user cannot be used here: {why}, which needs the privileges --user gives up \
                 (use another DPDK driver, or --driver afxdp)"
            )));
        }
        errln!("masscan: capabilities are kept for the whole scan: {why}");
        return Ok(());
    }
    if let Some(user) = &run.user {
        switch_user(user).map_err(UserError)?;
    }
    drop_all_capabilities().map_err(UserError)?;
    if run.verbose > 0 {
        errln!("[privilege] every capability dropped");
    }
    Ok(())
}

fn join_all<T>(
    handles: Vec<ScopedJoinHandle<'_, Result<T, UserError>>>,
    what: &str,
) -> Vec<Result<T, UserError>> {
    handles
        .into_iter()
        .map(|h| h.join().unwrap_or_else(|_| Err(UserError(what.into()))))
        .collect()
}

/// One thread per receive queue, pinned, running the engine's receive loop; results go to the
/// output thread through `records`.
fn spawn_receivers<'scope, R, T>(
    s: &'scope Scope<'scope, '_>,
    shared: &'scope Shared<'_>,
    queues: Vec<(R, T)>,
    records: &mpsc::Sender<Record>,
) -> Vec<ScopedJoinHandle<'scope, Result<(), UserError>>>
where
    R: RxQueue + 'scope,
    T: TxQueue + 'scope,
{
    let (trace, started) = (shared.run.packet_trace, shared.started);
    queues
        .into_iter()
        .enumerate()
        .map(|(k, (rx, answers))| {
            let records = records.clone();
            let nic = nic_of(k, shared.rx_counters.len(), shared.classifiers.len());
            let mut classifier = Classifier::new(shared.classifiers[nic].clone());
            if let Some(h) = shared.rtt.get(k) {
                classifier.measure_rtt(h.clone());
            }
            let pcap = shared.pcap.clone();
            let pcap_sent = shared.pcap_sent.clone();
            s.spawn(move || -> Result<(), UserError> {
                pin("receive", k, shared.rx_cpus[k])?;
                // Faults next to the wire: the trace and the pcap file show what the engine got.
                let rx = shared.faulty(rx, &shared.faults_rx, 1000 + k as u64);
                let mut rx = PcapRx::new(Traced::new(rx, trace, started), pcap);
                let answers = PcapTx::new(Traced::new(answers, trace, started), pcap_sent);
                let mut answers = shared.faulty(answers, &shared.faults_tx, 2000 + k as u64);
                let clock = shared.clock;
                let mut receive = ReceiveLoop::new(&clock, &shared.rx_counters[k], &shared.rx_stop);
                let mut sink = |r: Record| {
                    let _ = records.send(r);
                };
                receive.run(&mut rx, &mut answers, &mut classifier, &mut sink)?;
                Ok(())
            })
        })
        .collect()
}

/// One thread per transmit queue, pinned, running the engine's transmit loop over its slice at
/// its share of the rate; then, until the receive side is done, sending what it hands over.
fn spawn_transmitters<'scope, T: TxQueue + 'scope>(
    s: &'scope Scope<'scope, '_>,
    shared: &'scope Shared<'_>,
    queues: Vec<T>,
) -> Vec<ScopedJoinHandle<'scope, Result<TxResult, UserError>>> {
    let c = shared.c;
    let unlimited = c.pace.rate >= UNTHROTTLED_RATE;
    let threads = queues.len().max(1);
    let per_thread_rate = c.pace.rate / threads as f64;
    let (trace, started) = (shared.run.packet_trace, shared.started);
    queues
        .into_iter()
        .enumerate()
        .map(|(k, tx)| {
            let cpu = shared.tx_cpus[k];
            s.spawn(move || -> Result<TxResult, UserError> {
                let tx = PcapTx::new(Traced::new(tx, trace, started), shared.pcap_sent.clone());
                let mut tx = shared.faulty(tx, &shared.faults_tx, k as u64);
                pin("transmit", k, cpu)?;
                let mut throttle = Throttle::new(per_thread_rate, unlimited, TX_BATCH);
                if let Some(b) = &shared.backoff {
                    throttle = throttle.capped(b.cap.clone(), 1.0 / threads as f64);
                }
                let clock = shared.clock;
                let counters = &shared.counters[k];
                let t0 = Instant::now();
                let nic = nic_of(k, shared.counters.len(), shared.probes.len());
                // --infinite: the slice again from its start, until the scan is stopped.
                let r = loop {
                    let r = transmit::run(
                        &mut tx,
                        &shared.probes[nic],
                        shared.slices[k],
                        (&mut throttle, &clock),
                        counters,
                        shared.stop,
                    );
                    let empty = shared.slices[k].next >= shared.slices[k].end;
                    if r.is_err()
                        || !c.pace.infinite
                        || empty
                        || shared.stop.load(Ordering::Relaxed)
                    {
                        break r;
                    }
                };
                counters.done.store(true, Ordering::Release);
                let elapsed = t0.elapsed();
                r?;
                // Until the receive side stops, send what it hands over (AF_XDP's replies).
                while !shared.tx_release.load(Ordering::Acquire) {
                    tx.poll_answers()?;
                    std::thread::sleep(Duration::from_micros(500));
                }
                tx.poll_answers()?;
                tx.flush()?;
                Ok(TxResult {
                    elapsed,
                    queue: tx.stats(),
                    cpu: cpu.map(|c| c.id),
                })
            })
        })
        .collect()
}

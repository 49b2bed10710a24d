//! Running a scan: one pinned transmit thread per core over the chosen backend, the status line
//! and `--stats-json` from the main thread, SIGINT/SIGTERM pausing into `paused.conf`, and the
//! final per-core summary. Also `-sL`, which prints the scan order instead of sending it.

use crate::args::UserError;
use crate::settings::Run;
use crate::status::{self, Progress, StatsJson};
use masscan_drivers::Offline;
use masscan_engine::config::ScanConfig;
use masscan_engine::cookie::CookieKey;
use masscan_engine::driver::{Driver, QueueStats, TxQueue};
use masscan_engine::listscan::push_line;
use masscan_engine::plan::{Plan, PlanError, Slice};
use masscan_engine::ports::Proto;
use masscan_engine::source::{IpRange, PortRange, Source};
use masscan_engine::stats::CoreCounters;
use masscan_engine::template::{SynTemplate, TemplateParams};
use masscan_engine::throttle::{Throttle, UNTHROTTLED_RATE};
use masscan_engine::transmit::{self, ProbeBuilder};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
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
    if let Some((format, _)) = c.outputs.first() {
        return Err(UserError(format!(
            "output files (--output-format {format}) are not implemented yet in masscan-rs; \
             the scan would lose its results, so it does not start"
        )));
    }
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
    let offline = c.offline || c.driver.as_deref() == Some("offline");
    if !offline {
        return Err(UserError(
            "live scanning is not implemented yet in masscan-rs (the AF_PACKET and AF_XDP \
             backends are next); add --offline to run the scan without sending"
                .into(),
        ));
    }
    Ok(())
}

fn default_tx_threads() -> usize {
    let n = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    n.saturating_sub(1).max(1)
}

/// Per-thread results.
struct TxResult {
    elapsed: Duration,
    queue: QueueStats,
    cpu: Option<usize>,
}

pub fn scan(run: &Run) -> Result<i32, UserError> {
    let c = &run.config;
    let plan = build_plan(c, true)?;
    check_supported(c)?;
    let threads = c.tx_threads.unwrap_or_else(default_tx_threads);
    let end = scan_end(c).min(plan.total());
    let unlimited = c.rate >= UNTHROTTLED_RATE;
    let per_thread_rate = c.rate / threads as f64;

    let params = TemplateParams {
        src_mac: c.adapter_mac.map(|m| m.0).unwrap_or([0; 6]),
        dst_mac: c.router_mac.map(|m| m.0).unwrap_or([0; 6]),
        vlan: c.adapter_vlan,
        ttl: c.ttl,
        ..TemplateParams::default()
    };
    let syn_v4 = SynTemplate::new(&params, false)?;
    let syn_v6 = SynTemplate::new(&params, true)?;
    let (src_v4, src_v6) = match c.adapter_ip {
        Some(r @ IpRange::V4 { .. }) => (Some(r), None),
        Some(r @ IpRange::V6 { .. }) => (None, Some(r)),
        None => (None, None),
    };
    let ports = c
        .adapter_port
        .unwrap_or_else(|| PortRange::random_default(c.seed.rotate_left(7)));
    let probes = ProbeBuilder {
        plan: &plan,
        source: Source::new(src_v4, src_v6, ports),
        key: CookieKey::from_seed(c.seed),
        syn_v4: &syn_v4,
        syn_v6: &syn_v6,
    };

    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        // A second signal exits at once; the first asks the threads to stop.
        signal_hook::flag::register_conditional_shutdown(sig, 1, Arc::clone(&stop))?;
        signal_hook::flag::register(sig, Arc::clone(&stop))?;
    }

    let mut driver = Offline::new(threads);
    let caps = driver.capabilities();
    let slices: Vec<Slice> = (0..threads as u64)
        .map(|k| plan.slice(c.resume_index, end, c.shard, k, threads as u64))
        .collect();
    let counters: Vec<CoreCounters> = (0..threads).map(|_| CoreCounters::default()).collect();
    // Each thread's progress starts at its first index, before the thread runs: a pause that
    // comes before a thread starts must not resume from 0 (or past the scan's end).
    for (k, s) in counters.iter().zip(&slices) {
        k.next_index.store(s.next.min(s.end), Ordering::Release);
    }
    let core_ids = core_affinity::get_core_ids().unwrap_or_default();

    status::banner(&plan);
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
    }
    let mut stats_json = match &run.stats_json {
        Some(target) => Some(StatsJson::open(target)?),
        None => None,
    };

    let started = Instant::now();
    let mut progress = Progress::new(&slices);
    progress.sample(&counters); // baseline, so the first status line has a rate
    let results: Vec<Result<TxResult, UserError>> = std::thread::scope(|s| {
        let mut handles = Vec::new();
        for (k, slice) in slices.iter().copied().enumerate() {
            let queue = driver.open_queue(k);
            let (probes, counters, stop) = (&probes, &counters[k], &*stop);
            let cpu = (core_ids.len() > 1).then(|| core_ids[(k + 1) % core_ids.len()]);
            handles.push(s.spawn(move || -> Result<TxResult, UserError> {
                let (mut tx, _rx) = queue?;
                if let Some(id) = cpu {
                    core_affinity::set_for_current(id);
                }
                let mut throttle = Throttle::new(per_thread_rate, unlimited, TX_BATCH);
                let t0 = Instant::now();
                transmit::run(&mut tx, probes, slice, &mut throttle, counters, stop)?;
                Ok(TxResult {
                    elapsed: t0.elapsed(),
                    queue: tx.stats(),
                    cpu: cpu.map(|c| c.id),
                })
            }));
        }
        // The main thread reports once a second until every transmit thread is done.
        let mut next_report = Instant::now() + Duration::from_secs(1);
        loop {
            let all_done = counters.iter().all(|k| k.snapshot().done);
            if all_done {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
            if Instant::now() >= next_report {
                next_report += Duration::from_secs(1);
                let snap = progress.sample(&counters);
                if !run.nostatus {
                    status::status_line(&snap);
                }
                if let Some(j) = stats_json.as_mut() {
                    j.write(&snap, started.elapsed(), false);
                }
            }
        }
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(UserError("a transmit thread failed".into())))
            })
            .collect()
    });
    let elapsed = started.elapsed();
    if !run.nostatus {
        eprintln!();
    }
    let mut per_core = Vec::new();
    for r in results {
        per_core.push(r?);
    }
    let snap = progress.sample(&counters);
    if let Some(j) = stats_json.as_mut() {
        j.write(&snap, elapsed, true);
    }

    let interrupted = stop.load(Ordering::Relaxed) && !slice_finished(&slices, &counters);
    let cpus: Vec<Option<usize>> = per_core.iter().map(|r| r.cpu).collect();
    let secs: Vec<f64> = per_core.iter().map(|r| r.elapsed.as_secs_f64()).collect();
    status::summary(&snap, &cpus, &secs, elapsed, caps.name);
    for (k, r) in per_core.iter().enumerate() {
        debug_assert_eq!(r.queue.tx_frames, snap.cores[k].sent);
    }

    if interrupted {
        let resume = counters
            .iter()
            .map(|k| k.snapshot().next_index)
            .min()
            .unwrap_or(c.resume_index)
            .max(c.resume_index);
        let mut paused = c.clone();
        // Save the source ports in use, even the default: late replies carry them.
        paused.adapter_port = Some(ports);
        if let Some(n) = c.resume_count {
            paused.resume_count = Some((c.resume_index + n).saturating_sub(resume));
        }
        let mut text = String::new();
        paused.write_paused(resume, &mut text);
        std::fs::write("paused.conf", text)
            .map_err(|e| UserError(format!("cannot write paused.conf: {e}")))?;
        eprintln!("saving resume file to: paused.conf");
    }
    Ok(0)
}

fn slice_finished(slices: &[Slice], counters: &[CoreCounters]) -> bool {
    slices
        .iter()
        .zip(counters)
        .all(|(s, k)| k.snapshot().next_index >= s.end)
}

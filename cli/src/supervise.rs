//! The main thread while a scan runs: SIGINT and SIGTERM watched (the first pauses, the second
//! ends the wait for replies), a status line and `--stats-json` object once a second,
//! checkpoints, `paused.conf` on a pause, and the wait for late replies.

use crate::args::UserError;
use crate::checkpoint::{min_next, slice_finished, write_paused, Checkpoints, PAUSED_CONF};
use crate::console::errln;
use crate::run::Shared;
use masscan_engine::backoff::{own_losses, Backoff, RateCap};
use masscan_engine::config::Wait;
use masscan_engine::counters::BackoffCells;
use masscan_engine::plan::source::PortRange;
use signal_hook::iterator::{Handle, Signals};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// SIGINT and SIGTERM: the first stops transmitting (a pause), the second ends the wait for
/// replies.
pub struct SignalWatch {
    seen: Arc<AtomicUsize>,
    pub stop: Arc<AtomicBool>,
    pub handle: Handle,
}

impl SignalWatch {
    pub fn install() -> Result<Self, UserError> {
        let seen = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let mut signals =
            Signals::new([signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM])?;
        let handle = signals.handle();
        let (s, t) = (Arc::clone(&seen), Arc::clone(&stop));
        std::thread::spawn(move || {
            for _ in signals.forever() {
                t.store(true, Ordering::SeqCst);
                s.fetch_add(1, Ordering::SeqCst);
            }
        });
        Ok(Self { seen, stop, handle })
    }

    fn seen(&self) -> usize {
        self.seen.load(Ordering::SeqCst)
    }
}

/// `--backoff`: the controller, run by this thread while the transmit threads run, the cap it
/// sets for their throttles, and its counters for the status, `--stats-json` and `--metrics`.
pub struct BackoffLoop {
    pub cap: Arc<RateCap>,
    pub cells: BackoffCells,
    control: Mutex<Backoff>,
    started: Instant,
}

impl BackoffLoop {
    /// A loop under `rate` (`--rate`; at or above `unthrottled`, none).
    pub fn new(rate: f64, unthrottled: f64) -> Self {
        Self {
            cap: Arc::default(),
            cells: BackoffCells::default(),
            control: Mutex::new(Backoff::new(rate, unthrottled)),
            started: Instant::now(),
        }
    }

    /// One step of the controller on the counters now; the cap and counters published.
    fn tick(&self, shared: &Shared<'_>) {
        let tx: Vec<_> = shared.counters.iter().map(|k| k.snapshot()).collect();
        let rx: Vec<_> = shared.rx_counters.iter().map(|r| r.load()).collect();
        let sent = tx.iter().map(|c| c.counters.sent).sum();
        let now = self.started.elapsed().as_millis() as u64;
        let Ok(mut control) = self.control.lock() else {
            return;
        };
        let cap = control.tick(now, sent, own_losses(&tx, &rx));
        if cap.to_bits() != self.cap.bits() {
            self.cap.set(cap);
        }
        self.cells.publish(&control.counters());
    }
}

/// The main thread while the scan runs: a report once a second and checkpoints until every
/// transmit thread is done; on a pause, `paused.conf`; then, on a live scan, the wait for late
/// replies (`--wait`; a second signal, or the first one after a finished scan, ends it).
/// Returns the index a pause saved.
pub fn supervise(
    shared: &Shared<'_>,
    signals: &SignalWatch,
    live: bool,
    ports: PortRange,
    checkpoints: &mut Checkpoints,
    report: &mut dyn FnMut(Option<u64>),
) -> Option<u64> {
    let (c, counters) = (shared.c, &shared.counters);
    let mut next_report = Instant::now() + Duration::from_secs(1);
    while !counters.iter().all(|k| k.snapshot().done) {
        std::thread::sleep(Duration::from_millis(20));
        if let Some(b) = &shared.backoff {
            b.tick(shared);
        }
        if crate::console::closed() {
            // The reader of stdout or stderr went away: stop as on SIGINT.
            shared.stop.store(true, Ordering::SeqCst);
        }
        if Instant::now() >= next_report {
            next_report += Duration::from_secs(1);
            report(None);
            checkpoints.tick(c, ports, min_next(counters, c));
        }
    }
    report(None); // the state at the end of transmitting (100% when the scan finished)
    let mut interrupted_at = None;
    if shared.stop.load(Ordering::SeqCst) && !slice_finished(&shared.slices, counters) {
        let resume = min_next(counters, c);
        interrupted_at = Some(resume);
        match write_paused(c, ports, resume, PAUSED_CONF) {
            Err(e) => errln!("masscan: {}", e.0),
            Ok(()) => errln!("saving resume file to: {PAUSED_CONF}"),
        }
    }
    if !live {
        return interrupted_at;
    }
    let wait_start = Instant::now();
    let limit = match c.pace.wait {
        Wait::Secs(n) => Some(Duration::from_secs(n)),
        Wait::Forever => None,
    };
    let seen_before = signals.seen();
    loop {
        let waited = wait_start.elapsed();
        if limit.is_some_and(|l| waited >= l) {
            break;
        }
        let seen = signals.seen();
        if seen >= 2 || (seen > seen_before && interrupted_at.is_none()) || crate::console::closed()
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
        if Instant::now() >= next_report {
            next_report += Duration::from_secs(1);
            let left = limit.map(|l| l.saturating_sub(waited).as_secs());
            report(Some(left.unwrap_or(0)));
        }
    }
    interrupted_at
}

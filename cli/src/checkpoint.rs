//! Where a scan can resume from: `paused.conf` written on a pause and, while a live scan runs,
//! every few seconds as a checkpoint (removed when the scan ends normally).

use crate::args::UserError;
use crate::console::errln;
use crate::settings::Run;
use masscan_engine::config::ScanConfig;
use masscan_engine::plan::source::PortRange;
use masscan_engine::plan::Slice;
use masscan_engine::stats::CoreCounters;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Seconds between checkpoints (paused.conf written while the scan runs).
const CHECKPOINT_EVERY: Duration = Duration::from_secs(2);
/// A checkpoint resumes this far behind the transmit threads, so that probes whose replies may
/// still be in flight or unflushed (outputs flush every second) are sent again after a crash.
const CHECKPOINT_LAG: Duration = Duration::from_secs(2);
pub const PAUSED_CONF: &str = "paused.conf";

/// Where every transmit thread is (the smallest next index), never before the run's start.
pub fn min_next(counters: &[CoreCounters], c: &ScanConfig) -> u64 {
    counters
        .iter()
        .map(|k| k.snapshot().next_index)
        .min()
        .unwrap_or(c.pace.resume_index)
        .max(c.pace.resume_index)
}

/// Writes a resume file atomically (a temporary file renamed over the old one).
pub fn write_paused(
    c: &ScanConfig,
    ports: PortRange,
    resume: u64,
    path: &str,
) -> Result<(), UserError> {
    let mut paused = c.clone();
    // Save the source ports in use, even the default: late replies carry them.
    paused.nic.adapter_port = Some(ports);
    if let Some(n) = c.pace.resume_count {
        paused.pace.resume_count = Some((c.pace.resume_index + n).saturating_sub(resume));
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
pub struct Checkpoints {
    on: bool,
    samples: VecDeque<(Instant, u64)>,
    last_write: Instant,
    wrote: bool,
    /// The resume file this run came from: overwriting it is expected.
    resumed_from: Option<std::path::PathBuf>,
}

impl Checkpoints {
    pub fn new(run: &Run, live: bool) -> Self {
        Self {
            on: live,
            samples: VecDeque::new(),
            last_write: Instant::now(),
            wrote: false,
            resumed_from: run.resumed_from.clone(),
        }
    }

    pub fn tick(&mut self, c: &ScanConfig, ports: PortRange, next: u64) {
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
                    errln!("\nmasscan: an earlier {PAUSED_CONF} was kept as {old}");
                }
            }
        }
        match write_paused(c, ports, resume, PAUSED_CONF) {
            Ok(()) => self.wrote = true,
            Err(e) => {
                errln!("\nmasscan: checkpoint: {}", e.0);
                self.on = false;
            }
        }
    }

    /// The scan finished: its checkpoint (or the paused.conf it resumed from) is no longer
    /// needed.
    pub fn finish(&mut self) {
        let resumed_here = self
            .resumed_from
            .as_ref()
            .is_some_and(|p| p.as_path() == std::path::Path::new(PAUSED_CONF));
        if self.wrote || resumed_here {
            let _ = std::fs::remove_file(PAUSED_CONF);
        }
    }
}

pub fn slice_finished(slices: &[Slice], counters: &[CoreCounters]) -> bool {
    slices
        .iter()
        .zip(counters)
        .all(|(s, k)| k.snapshot().next_index >= s.end)
}

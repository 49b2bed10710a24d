//! What the user sees on stderr while a scan runs: masscan's start banner, the status line
//! rewritten about once a second, `--stats-json` objects with each core's counters, and the
//! final summary with packets per second per core.

use crate::args::UserError;
use crate::console::{err, errln};
use crate::coverage::{self, Captures, Coverage};
use crate::link_drops::{LinkBaseline, LinkLosses};
use masscan_ebpf::Counters as XdpCounters;
use masscan_engine::counters::{
    join_labels, summary_lines, BackoffCells, BackoffCounters, Counter,
};
use masscan_engine::output::timestr;
use masscan_engine::plan::{Plan, Slice};
use masscan_engine::stats::{CoreCounters, RxCoreCounters, RxCounters, TxSnapshot};
use std::fmt::Write as _;
use std::io::Write;
use std::time::{Duration, Instant, SystemTime};

/// `YYYY-MM-DD HH:MM:SS` in UTC (the engine's one formatter of UTC times).
pub fn gmt_now() -> String {
    timestr(crate::outputs::now())
}

pub fn banner(plan: &Plan) {
    errln!(
        "Starting masscan {} (masscan-rs) at {} GMT",
        env!("CARGO_PKG_VERSION"),
        gmt_now()
    );
    errln!("Initiating SYN Stealth Scan");
    let canaries = match plan.canaries() {
        Some(c) => format!(" + {}", plural(u64::from(c.count()), "canary port")),
        None => String::new(),
    };
    errln!(
        "Scanning {} [{}/host{canaries}]",
        plural(plan.host_count(), "host"),
        plural(plan.port_count(), "port"),
    );
}

/// `1 host`, `2 hosts`.
fn plural(n: u64, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// Turns counter samples into progress and rates.
pub struct Progress {
    slices: Vec<Slice>,
    /// What the run says of its coverage.
    captures: Captures,
    initial: u64,
    last: Option<(Instant, Vec<u64>)>,
    started: Instant,
}

/// One sample of the whole scan.
pub struct Snapshot {
    pub cores: Vec<TxSnapshot>,
    /// Packets per second of each core since the previous sample.
    pub core_pps: Vec<f64>,
    pub sent: u64,
    pub pps: f64,
    /// Fraction of this run's scan indices done, 0..=1.
    pub done: f64,
    pub remaining: Option<Duration>,
    /// Probes this run sends in all, and how many are left.
    pub total: u64,
    pub left: u64,
    /// Each receive core's counters (empty for backends that receive nothing).
    pub rx: Vec<RxCounters>,
    /// The coverage estimate from them (`None`: the run says nothing of it).
    pub coverage: Option<Coverage>,
    /// `--backoff`: what the rate controller did.
    pub backoff: Option<BackoffCounters>,
    /// Each scan interface's own counters of lost frames since the start (none offline).
    pub link: Vec<LinkLosses>,
    /// `--canaries`: the hosts marked in the whole scan (known at its end).
    pub canary_hosts: Option<u64>,
}

impl Snapshot {
    fn with_coverage(self, captures: Captures) -> Self {
        Self {
            coverage: coverage::of(captures, &self.rx),
            ..self
        }
    }

    /// Open ports found so far (what `found=` shows).
    pub fn found(&self) -> u64 {
        self.rx.iter().map(|r| r.classifier.open).sum()
    }

    /// With `--backoff`'s counters (when it runs).
    pub fn with_backoff(self, cells: Option<&BackoffCells>) -> Self {
        Self {
            backoff: cells.map(BackoffCells::load),
            ..self
        }
    }

    /// With the interfaces' own lost frames since `baselines` were taken.
    pub fn with_link(self, baselines: &[LinkBaseline]) -> Self {
        Self {
            link: baselines.iter().filter_map(LinkBaseline::since).collect(),
            ..self
        }
    }
}

impl Progress {
    pub fn new(slices: &[Slice]) -> Self {
        Self {
            slices: slices.to_vec(),
            captures: Captures::Off,
            initial: slices.iter().map(Slice::remaining).sum(),
            last: None,
            started: Instant::now(),
        }
    }

    /// Progress that estimates the scan's coverage as `captures` says.
    pub fn with_captures(self, captures: Captures) -> Self {
        Self { captures, ..self }
    }

    pub fn sample(&mut self, counters: &[CoreCounters], rx: &[RxCoreCounters]) -> Snapshot {
        let now = Instant::now();
        let cores: Vec<TxSnapshot> = counters.iter().map(|k| k.snapshot()).collect();
        let left: u64 = cores
            .iter()
            .zip(&self.slices)
            .map(|(c, s)| {
                Slice {
                    next: c.next_index.max(s.next),
                    ..*s
                }
                .remaining()
            })
            .sum();
        let done = if self.initial == 0 {
            1.0
        } else {
            1.0 - left as f64 / self.initial as f64
        };
        let sent_now: Vec<u64> = cores.iter().map(|c| c.counters.sent).collect();
        let core_pps: Vec<f64> = match &self.last {
            Some((t, prev)) => {
                let dt = now.duration_since(*t).as_secs_f64().max(1e-9);
                sent_now
                    .iter()
                    .zip(prev)
                    .map(|(a, b)| (a - b) as f64 / dt)
                    .collect()
            }
            None => vec![0.0; cores.len()],
        };
        self.last = Some((now, sent_now));
        let pps: f64 = core_pps.iter().sum();
        // Probes left at the scan's average rate so far (the last second's rate jumps, and is
        // zero in a stall); unknown before anything is done.
        let elapsed = now.duration_since(self.started).as_secs_f64();
        let average = (self.initial - left.min(self.initial)) as f64 / elapsed.max(1e-9);
        let remaining = (average > 0.0 && elapsed > 0.0)
            .then(|| Duration::from_secs_f64((left as f64 / average).min(1e12)));
        Snapshot {
            sent: cores.iter().map(|c| c.counters.sent).sum(),
            cores,
            core_pps,
            pps,
            done,
            remaining,
            total: self.initial,
            left,
            coverage: None,
            rx: rx.iter().map(|r| r.load()).collect(),
            backoff: None,
            link: Vec::new(),
            canary_hosts: None,
        }
        .with_coverage(self.captures)
    }
}

/// `rate:  0.99-kpps, 42.00% done,   0:01:02 remaining, found=45`, rewritten with `\r`; after
/// the last probe, `waiting 9-secs` in place of the time remaining.
pub fn status_line(s: &Snapshot, waiting: Option<u64>, ndjson: bool) {
    let line = if ndjson {
        ndjson_status(s, waiting)
    } else {
        text_status(s, waiting)
    };
    let mut err = std::io::stderr().lock();
    if err
        .write_all(line.as_bytes())
        .and_then(|_| err.flush())
        .is_err()
    {
        crate::console::mark_closed();
    }
}

/// The original's `--status-ndjson` object for this sample, with its newline.
fn ndjson_status(s: &Snapshot, waiting: Option<u64>) -> String {
    let rate = serde_json::json!({
        "kpps": (s.pps / 10.0).round() / 100.0,
        "pps": (s.pps * 100.0).round() / 100.0,
    });
    let syn = serde_json::json!({
        "sent": s.sent,
        "total": s.total,
        "remaining": s.left,
    });
    let percent = (s.done * 10000.0).round() / 100.0;
    let v = match waiting {
        Some(w) => serde_json::json!({
            "state": "waiting",
            "rate": rate,
            "progress": {"percent": percent, "seconds": w, "found": s.found(), "syn": syn},
        }),
        None => {
            let r = s.remaining.map(|d| d.as_secs()).unwrap_or(0);
            let eta =
                serde_json::json!({"hours": r / 3600, "mins": (r / 60) % 60, "seconds": r % 60});
            serde_json::json!({
                "state": "running",
                "rate": rate,
                "progress": {"percent": percent, "eta": eta, "syn": syn, "found": s.found()},
            })
        }
    };
    format!("{v}\n")
}

fn text_status(s: &Snapshot, waiting: Option<u64>) -> String {
    match waiting {
        Some(w) => format!(
            "rate:{:6.2}-kpps, {:5.2}% done, waiting {w}-secs, found={}       \r",
            s.pps / 1000.0,
            s.done * 100.0,
            s.found()
        ),
        None => format!(
            "rate:{:6.2}-kpps, {:5.2}% done,{} remaining, found={}       \r",
            s.pps / 1000.0,
            s.done * 100.0,
            eta(s.remaining),
            s.found()
        ),
    }
}

/// The time left in a fixed 10-character column: `   0:01:02`, `   -:--:--` while unknown,
/// beyond 9999 hours `  >1 year `.
fn eta(remaining: Option<Duration>) -> String {
    match remaining.map(|d| d.as_secs()) {
        None => "   -:--:--".to_string(),
        Some(r) if r / 3600 > 9999 => "  >1 year ".to_string(),
        Some(r) => format!("{:4}:{:02}:{:02}", r / 3600, (r / 60) % 60, r % 60),
    }
}

/// `--stats-json`: one JSON object per line, per second, plus a final one.
pub struct StatsJson {
    out: Box<dyn Write + Send>,
    /// Written to stdout (`-`).
    stdout: bool,
}

impl StatsJson {
    pub fn open(target: &str) -> Result<Self, UserError> {
        let out: Box<dyn Write + Send> = if target == "-" {
            Box::new(std::io::stdout())
        } else {
            Box::new(std::fs::File::create(target).map_err(|e| {
                UserError(format!("cannot create --stats-json file '{target}': {e}"))
            })?)
        };
        Ok(Self {
            out,
            stdout: target == "-",
        })
    }

    pub fn write(
        &mut self,
        s: &Snapshot,
        elapsed: Duration,
        last: bool,
        xdp: Option<(&str, Vec<masscan_ebpf::Counters>)>,
    ) {
        let cores: Vec<serde_json::Value> = s
            .cores
            .iter()
            .enumerate()
            .map(|(k, c)| {
                let mut o = json_counters(c.counters.iter().map(|(d, v)| (None, d, v)));
                o.insert("core".into(), k.into());
                o.insert("pps".into(), s.core_pps[k].round().into());
                serde_json::Value::Object(o)
            })
            .collect();
        let mut v = serde_json::json!({
            "time": SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0),
            "elapsed": (elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
            "final": last,
            "sent": s.sent,
            "pps": s.pps.round(),
            "done": (s.done * 10000.0).round() / 10000.0,
            "tx": cores,
            "found": s.found(),
            "xdp": xdp.map(|(mode, per_cpu)| serde_json::json!({
                "mode": mode,
                "seen": per_cpu.iter().map(|x| x.seen).sum::<u64>(),
                "ours": per_cpu.iter().map(|x| x.ours).sum::<u64>(),
                "steered": per_cpu.iter().map(|x| x.steered).sum::<u64>(),
                "passed": per_cpu.iter().map(|x| x.passed).sum::<u64>(),
                "cpus": per_cpu.iter().enumerate().map(|(cpu, x)| serde_json::json!({
                    "cpu": cpu, "seen": x.seen, "ours": x.ours, "steered": x.steered, "passed": x.passed,
                })).collect::<Vec<_>>(),
            })),
            "rx": s.rx.iter().enumerate().map(|(k, r)| {
                // The capture tallies only in scans that keep them (the objects stay as they
                // were for the others).
                let kept = s.coverage.is_some();
                let mut o = json_counters(r.iter().filter(|(g, _, _)| kept || *g != Some("capture")));
                o.insert("core".into(), k.into());
                serde_json::Value::Object(o)
            }).collect::<Vec<_>>(),
        });
        if let (Some(c), Some(o)) = (&s.coverage, v.as_object_mut()) {
            o.insert("coverage".into(), coverage::json(c));
        }
        if !s.link.is_empty() {
            v["link"] = s.link.iter().map(LinkLosses::json).collect();
        }
        if let Some(n) = s.canary_hosts {
            v["canary_hosts"] = n.into();
        }
        // `--backoff`: what the rate controller did.
        if let Some(b) = &s.backoff {
            let o = json_counters(b.iter().map(|(d, v)| (None, d, v)));
            v["backoff"] = serde_json::Value::Object(o);
        }
        let r = writeln!(self.out, "{v}").and_then(|_| self.out.flush());
        if r.is_err() && self.stdout {
            crate::console::mark_closed(); // `--stats-json -` whose reader went away
        }
    }
}

/// A core's counters as a `--stats-json` object: each listed counter under its name, those of
/// a named group in an object of that name.
fn json_counters<'a>(
    counters: impl Iterator<Item = (Option<&'a str>, &'a Counter, u64)>,
) -> serde_json::Map<String, serde_json::Value> {
    let mut o = serde_json::Map::new();
    for (group, c, v) in counters.filter(|(_, c, _)| c.json) {
        let into = match group {
            None => &mut o,
            Some(g) => (o.entry(g))
                .or_insert_with(|| serde_json::Value::Object(Default::default()))
                .as_object_mut()
                .expect("a group's entry is an object"),
        };
        into.insert(c.name.into(), v.into());
    }
    o
}

/// The closing lines: each core's probes and rate over its own running time, then the total.
pub fn summary(
    s: &Snapshot,
    cpus: (&[Option<usize>], &[Option<usize>]),
    secs: &[f64],
    elapsed: Duration,
    driver: &str,
) {
    err!("{}", summary_text(s, cpus, secs, elapsed, driver));
}

/// The closing lines [`summary`] prints, each ending in a newline.
fn summary_text(
    s: &Snapshot,
    (cpus, rx_cpus): (&[Option<usize>], &[Option<usize>]),
    secs: &[f64],
    elapsed: Duration,
    driver: &str,
) -> String {
    let mut out = String::new();
    let pinned = |cpus: &[Option<usize>], k: usize| {
        cpus.get(k)
            .copied()
            .flatten()
            .map(|c| format!("cpu {c}"))
            .unwrap_or_else(|| "unpinned".into())
    };
    for (k, c) in s.cores.iter().enumerate() {
        let t = secs.get(k).copied().unwrap_or(0.0).max(1e-9);
        let cpu = pinned(cpus, k);
        let (sent, probes) = (c.counters.sent, plural(c.counters.sent, "probe"));
        for (line, items) in summary_lines(c.counters.iter()) {
            let _ = match line {
                "" => writeln!(
                    out,
                    "tx-core {k} ({cpu}): {probes} in {t:.3} s = {:.0} pps, {items}",
                    sent as f64 / t
                ),
                _ => writeln!(out, "tx-core {k} {line}: {items}"),
            };
        }
    }
    for (k, r) in s.rx.iter().enumerate() {
        let cpu = pinned(rx_cpus, k);
        for (line, items) in summary_lines(r.iter().map(|(_, d, v)| (d, v))) {
            let _ = match line {
                "" => writeln!(out, "rx-core {k} ({cpu}): {items}"),
                _ => writeln!(out, "rx-core {k} {line}: {items}"),
            };
        }
    }
    for l in &s.link {
        let _ = writeln!(out, "{}", l.summary_line());
    }
    if let Some(b) = &s.backoff {
        // Without a cut, the rest says nothing.
        let shown = if b.backoffs == 0 { 1 } else { usize::MAX };
        let items = b
            .iter()
            .filter_map(|(d, v)| d.label.as_ref().map(|l| (l, v)));
        let _ = writeln!(out, "backoff: {}", join_labels(items.take(shown)));
    }
    // The rate over the time the transmit threads ran, not the --wait after them.
    let sending = secs.iter().copied().fold(0.0, f64::max);
    let t = if sending > 0.0 {
        sending
    } else {
        elapsed.as_secs_f64()
    }
    .max(1e-9);
    let _ = writeln!(
        out,
        "total: {} in {:.3} s = {:.0} pps over {} transmit thread(s) [{driver}]",
        plural(s.sent, "probe"),
        t,
        s.sent as f64 / t,
        s.cores.len()
    );
    if let Some(c) = &s.coverage {
        let _ = writeln!(out, "{}", coverage::summary_line(c));
    }
    if let Some(n) = s.canary_hosts {
        let _ = writeln!(
            out,
            "canaries: {} marked (a canary port answered), each once in the outputs",
            plural(n, "host")
        );
    }
    out
}

/// The XDP program's counters at the end of an AF_XDP scan: the total, then each CPU that saw
/// frames.
pub fn xdp_summary(mode: &str, per_cpu: &[XdpCounters]) {
    let x = per_cpu
        .iter()
        .fold(XdpCounters::default(), |a, c| XdpCounters {
            seen: a.seen + c.seen,
            ours: a.ours + c.ours,
            steered: a.steered + c.steered,
            passed: a.passed + c.passed,
        });
    errln!(
        "xdp ({mode} mode): {} frames seen, {} the scan's, {} steered to AF_XDP, {} passed to the kernel",
        x.seen, x.ours, x.steered, x.passed
    );
    for (cpu, c) in per_cpu.iter().enumerate().filter(|(_, c)| c.seen > 0) {
        errln!(
            "xdp cpu {cpu}: {} seen, {} the scan's, {} steered, {} passed",
            c.seen,
            c.ours,
            c.steered,
            c.passed
        );
    }
}

#[cfg(test)]
pub(crate) mod tests;

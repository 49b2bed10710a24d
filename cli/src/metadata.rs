//! `--metadata FILE`: one JSON document per scan run, written when the run ends (however it
//! ends), saying what was scanned and how far it got: the scan's fingerprint (its targets,
//! ports, seed, order, retries and canaries: equal on every shard of one scan), the shard, the index
//! range this run covered, probes sent and indices left, what was found, start and end times, and
//! the exit (completed, paused with the index to resume from, or failed with why). The
//! documents of a scan's shards, taken together, show whether the merged results are complete.

use crate::args::UserError;
use crate::status::Snapshot;
use masscan_engine::config::ScanConfig;
use masscan_engine::output::{timestr, OutputSpec};
use masscan_engine::plan::{Plan, ScanOrder};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// How a run ended.
pub enum Exit<'a> {
    /// Written as the run starts (a run that dies outright leaves this).
    Running,
    Completed,
    /// Stopped by a signal; resumes at this index.
    Paused(u64),
    Failed(&'a str),
}

/// The run's facts known before it starts.
pub struct RunFacts<'a> {
    pub c: &'a ScanConfig,
    pub plan: &'a Plan,
    pub driver: &'a str,
    /// Unix seconds.
    pub start: u64,
    /// The last index this run covers, before the plan's end.
    pub end_index: u64,
}

/// What makes two runs parts of one scan: the targets (after excludes), ports, seed, order and
/// retries. Not the shard, rate, outputs or resume point.
pub fn fingerprint(c: &ScanConfig) -> String {
    let mut h = Sha256::new();
    h.update(c.targets.range_lines().as_bytes());
    h.update(b"\nports ");
    h.update(c.ports.to_spec().as_bytes());
    h.update(
        format!(
            "\nseed {}\norder {}\nretries {}\n",
            c.seed,
            order(c),
            c.pace.retries
        )
        .as_bytes(),
    );
    // Canary slots change the index space (written only when there are some, so a scan
    // without them keeps its fingerprint).
    if c.pace.canaries > 0 {
        h.update(format!("canaries {}\n", c.pace.canaries).as_bytes());
    }
    let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

fn order(c: &ScanConfig) -> String {
    match c.pace.order {
        ScanOrder::Feistel => "feistel".into(),
        ScanOrder::BlackRock { rounds } => format!("blackrock/{rounds}"),
    }
}

/// One output as the document lists it: its format and file. A redis output's "file" is its
/// server; its password (`--redis-pwd`) is never written here, since this document is meant to
/// be copied and compared between the shards of a scan.
fn output_json(o: &OutputSpec) -> Value {
    let file = match o {
        OutputSpec::File { file, .. } => file.clone(),
        OutputSpec::Redis { server, .. } => server.to_string(),
        OutputSpec::Nothing => String::new(),
    };
    json!({"format": o.format_name(), "file": file})
}

fn time(unix: u64) -> Value {
    json!({ "unix": unix, "utc": format!("{}Z", timestr(unix).replacen(' ', "T", 1)) })
}

/// The document, as JSON.
pub fn document(f: &RunFacts<'_>, snap: &Snapshot, end: u64, exit: &Exit<'_>) -> Value {
    let c = f.c;
    let sum = |get: fn(&masscan_engine::stats::RxCounters) -> u64| -> u64 {
        snap.rx.iter().map(get).sum()
    };
    let (exit_name, resume_index, error) = match exit {
        Exit::Running => ("running", None, None),
        Exit::Completed => ("completed", None, None),
        Exit::Paused(i) => ("paused", Some(*i), None),
        Exit::Failed(why) => ("failed", None, Some(*why)),
    };
    json!({
        "scanner": format!("masscan-rs {}", env!("CARGO_PKG_VERSION")),
        "scan": {
            "fingerprint": fingerprint(c),
            "seed": c.seed,
            "permutation": order(c),
            "retries": c.pace.retries,
            "addresses": f.plan.host_count(),
            "ports": c.ports.to_spec(),
            "port_count": f.plan.port_count(),
            "targets": f.plan.base_count(),
            "indices": f.plan.total(),
        },
        "shard": { "index": c.pace.shard.one, "count": c.pace.shard.of },
        "run": {
            "first_index": c.pace.resume_index,
            "end_index": f.end_index.min(f.plan.total()),
            "indices": snap.total,
            "driver": f.driver,
            "rate": c.pace.rate,
        },
        "probes": { "sent": snap.sent, "indices_left": snap.left },
        "found": {
            "open": sum(|r| r.classifier.open),
            "closed": sum(|r| r.classifier.closed),
            "banners": sum(|r| r.tcp.banners),
            "duplicates": sum(|r| r.classifier.duplicates),
            "kernel_drops": sum(|r| r.receive.kernel_drops),
        },
        "start": time(f.start),
        "end": time(end),
        "exit": exit_name,
        "resume_index": resume_index,
        "error": error,
        "outputs": c.report.outputs.iter().map(output_json).collect::<Vec<_>>(),
        "coverage": snap.coverage.as_ref().map(crate::coverage::json),
    })
}

/// The run's `--metadata` file, if it has one: rewritten as the run starts and ends.
pub struct Recorder<'a> {
    pub path: Option<&'a str>,
    pub facts: RunFacts<'a>,
}

impl<'a> Recorder<'a> {
    /// For a run of `plan` with `c` on `driver`, starting now.
    pub fn new(path: Option<&'a str>, c: &'a ScanConfig, plan: &'a Plan, driver: &'a str) -> Self {
        let facts = RunFacts {
            c,
            plan,
            driver,
            start: crate::outputs::now(),
            end_index: crate::run::scan_end(c),
        };
        Self { path, facts }
    }

    /// Writes the document for `snap` and `exit` (a no-op without `--metadata`).
    pub fn record(&self, snap: &Snapshot, exit: &Exit<'_>) -> Result<(), UserError> {
        let Some(path) = self.path else {
            return Ok(());
        };
        let end = match exit {
            Exit::Running => self.facts.start,
            _ => crate::outputs::now(),
        };
        write(path, &document(&self.facts, snap, end, exit))
    }
}

/// Writes the document to `path` atomically (a temporary file renamed over it).
pub fn write(path: &str, doc: &Value) -> Result<(), UserError> {
    let tmp = temporary(path);
    let text = serde_json::to_string_pretty(doc).unwrap_or_default() + "\n";
    std::fs::write(&tmp, text)
        .and_then(|_| std::fs::rename(&tmp, path))
        .map_err(|e| cannot_write(path, &e))
}

/// Fails, as writing would, when the document could not be written to `path`: its temporary
/// file is created and removed again (`path` itself is not touched), and `path` must not be a
/// directory. Done before the scan starts.
pub fn check_writable(path: &str) -> Result<(), UserError> {
    if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        let e = std::io::Error::from(std::io::ErrorKind::IsADirectory);
        return Err(cannot_write(path, &e));
    }
    let tmp = temporary(path);
    std::fs::File::create(&tmp)
        .and_then(|_| std::fs::remove_file(&tmp))
        .map_err(|e| cannot_write(path, &e))
}

fn temporary(path: &str) -> String {
    format!("{path}.tmp")
}

fn cannot_write(path: &str, e: &std::io::Error) -> UserError {
    UserError(format!("cannot write --metadata file '{path}': {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_redis_output_is_listed_by_its_server_without_its_password() {
        let o = OutputSpec::Redis {
            server: "198.18.0.9:6379".parse().unwrap(),
            password: Some("hunter2".into()),
        };
        let v = output_json(&o);
        assert_eq!(v, json!({"format": "redis", "file": "198.18.0.9:6379"}));
        assert!(!v.to_string().contains("hunter2"));
    }
}

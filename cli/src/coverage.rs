//! The coverage estimate as a run shows it (see `masscan_engine::coverage`): whether the scan
//! keeps capture histories, the estimate from every receive core's tallies, and its forms: a
//! summary line, a `--stats-json` / `--metadata` object and `--metrics` gauges.

use masscan_engine::config::ScanConfig;
use masscan_engine::coverage::{estimate, CaptureCounters, Estimate, NoEstimate};
use masscan_engine::stats::RxCounters;
use serde_json::{json, Value};

/// What a run can say of its coverage.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Captures {
    /// No `--coverage`: nothing is said (the output is as it always was).
    #[default]
    Off,
    /// `--coverage` with one probe per target: nothing to compare.
    OneProbe,
    /// Retries with `--banners`: a banner connection answers the later probes of its port, so
    /// they say nothing of which probe got through.
    Banners,
    /// Histories kept over this many probes per target.
    Kept(u16),
}

impl Captures {
    pub fn of(c: &ScanConfig) -> Self {
        if !c.pace.coverage {
            Captures::Off
        } else if c.pace.retries == 0 {
            Captures::OneProbe
        } else if c.banner.enabled {
            Captures::Banners
        } else {
            let attempts = c.pace.retries.saturating_add(1);
            Captures::Kept(u16::try_from(attempts).unwrap_or(u16::MAX))
        }
    }
}

/// The estimate now, from each receive core's counters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Coverage {
    Estimated(Estimate),
    Not(&'static str),
}

/// The run's coverage from its receive cores' counters; `None` when it says nothing.
pub fn of(captures: Captures, rx: &[RxCounters]) -> Option<Coverage> {
    match captures {
        Captures::Off => None,
        Captures::OneProbe => Some(Coverage::Not(
            "one probe per target (--retries 1 or more estimates it)",
        )),
        Captures::Banners => Some(Coverage::Not(
            "with --banners a connection answers the later probes",
        )),
        Captures::Kept(attempts) => {
            let t = CaptureCounters::sum(rx.iter().map(|r| &r.capture));
            Some(match estimate(attempts, t.ports, &t.answers()) {
                Ok(e) => Coverage::Estimated(e),
                Err(NoEstimate::OneProbe) => Coverage::Not("one probe per target"),
                Err(NoEstimate::NothingFound) => Coverage::Not("no open TCP port found"),
                Err(NoEstimate::NoRecapture) => Coverage::Not("no open port answered two probes"),
            })
        }
    }
}

/// A rounded count with thousands separated ([`crate::options::thousands`]).
fn grouped(n: f64) -> String {
    crate::options::thousands(n.max(0.0).round() as usize)
}

/// The summary's line: `coverage: 9,120 open TCP ports found of 9,600 estimated (95% CI
/// 9,540-9,671): 95.0% (94.3%-95.6%), over 2 probes per target (Chapman)`.
pub fn summary_line(c: &Coverage) -> String {
    match c {
        Coverage::Not(why) => format!("coverage: not estimated: {why}"),
        Coverage::Estimated(e) => {
            let (share, lo, hi) = e.coverage();
            format!(
                "coverage: {} open TCP ports found of {} estimated (95% CI {}-{}): {:.1}% \
                 ({:.1}%-{:.1}%), over {} probes per target ({})",
                grouped(e.found as f64),
                grouped(e.open),
                grouped(e.low),
                grouped(e.high),
                share * 100.0,
                lo * 100.0,
                hi * 100.0,
                e.occasions,
                e.method
            )
        }
    }
}

/// The `coverage` object of `--stats-json` and `--metadata`.
pub fn json(c: &Coverage) -> Value {
    match c {
        Coverage::Not(why) => json!({ "estimated": false, "why": why }),
        Coverage::Estimated(e) => {
            let (share, lo, hi) = e.coverage();
            let r = |x: f64| (x * 10.0).round() / 10.0;
            let r4 = |x: f64| (x * 10_000.0).round() / 10_000.0;
            json!({
                "estimated": true,
                "method": e.method,
                "probes_per_target": e.occasions,
                "found": e.found,
                "open": r(e.open),
                "open_low": r(e.low),
                "open_high": r(e.high),
                "coverage": r4(share),
                "coverage_low": r4(lo),
                "coverage_high": r4(hi),
            })
        }
    }
}

/// `--metrics` gauges of the estimate (none until there is one): the open ports estimated
/// with their interval's bounds, and the share found.
pub fn gauges(c: &Coverage) -> Vec<(&'static str, &'static str, f64)> {
    let Coverage::Estimated(e) = c else {
        return Vec::new();
    };
    vec![
        (
            "masscan_open_ports_estimated",
            "Open TCP ports there are, estimated from which probes were answered (--retries).",
            e.open,
        ),
        (
            "masscan_open_ports_estimated_low",
            "Lower bound of the estimate's 95% confidence interval.",
            e.low,
        ),
        (
            "masscan_open_ports_estimated_high",
            "Upper bound of the estimate's 95% confidence interval.",
            e.high,
        ),
        (
            "masscan_coverage_ratio",
            "Share of the estimated open TCP ports the scan found.",
            e.coverage().0,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rx(ports: u64, answers: [u64; 2]) -> RxCounters {
        let mut r = RxCounters::default();
        r.capture.ports = ports;
        r.capture.attempt_1 = answers[0];
        r.capture.attempt_2 = answers[1];
        r
    }

    #[test]
    fn every_core_counts_and_each_form_says_the_same() {
        // Two cores: 80 found, 60 and 50 answers: Chapman's 99.3 (see the engine's tests).
        let cores = [rx(50, [40, 30]), rx(30, [20, 20])];
        let c = of(Captures::Kept(2), &cores).unwrap();
        let line = summary_line(&c);
        assert!(
            line.starts_with("coverage: 80 open TCP ports found of 99 estimated (95% CI "),
            "{line}"
        );
        assert!(
            line.ends_with("over 2 probes per target (Chapman)"),
            "{line}"
        );
        let j = json(&c);
        assert_eq!(j["found"], 80);
        assert_eq!(j["open"], 99.4);
        let g = gauges(&c);
        assert_eq!(g.len(), 4);
        assert!((g[3].2 - 80.0 / 99.354_838_709_677_42).abs() < 1e-9);
    }

    #[test]
    fn nothing_said_without_retries_and_why_when_it_cannot() {
        assert_eq!(of(Captures::Off, &[]), None);
        let b = of(Captures::Banners, &[]).unwrap();
        assert!(summary_line(&b).starts_with("coverage: not estimated: with --banners"));
        let none = of(Captures::Kept(2), &[rx(10, [10, 0])]).unwrap();
        assert_eq!(json(&none)["estimated"], false);
        assert!(gauges(&none).is_empty());
        assert_eq!(grouped(1_234_567.4), "1,234,567");
        assert_eq!(grouped(999.0), "999");
    }
}

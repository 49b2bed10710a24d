//! Order and pace: the seed, the scan order, the shard, the rate, retries, the resume point and
//! the wait at the end; the builder of the engine's `Pace`.

use crate::args::UserError;
use crate::values;
use masscan_engine::canary::Results;
use masscan_engine::config::{defaults, Pace, Wait};
use masscan_engine::plan::{ScanOrder, Shard};

#[derive(clap::Args, Debug)]
#[command(next_help_heading = "Order and pace")]
pub struct PaceOptions {
    /// Seed of the scan order and cookies: a number, or `time`.
    #[arg(long = "seed", value_name = "N|time", value_parser = values::seed)]
    pub seed: Option<u64>,
    /// Scan order: `blackrock` (the original masscan's, the default: a scan splits and resumes
    /// with its instances) or `feistel` (ours, faster; the original cannot load it).
    #[arg(long = "permutation", value_name = "feistel|blackrock", value_parser = ["feistel", "blackrock"])]
    pub permutation: Option<String>,
    #[arg(
        long = "blackrock-rounds",
        help = format!(
            "Rounds of the BlackRock order (the original's `--blackrock-rounds`, default {})",
            defaults::BLACKROCK_ROUNDS
        ),
        value_name = "N", value_parser = values::blackrock_rounds)]
    pub blackrock_rounds: Option<u32>,
    /// Scan only shard x of y (machines splitting one scan).
    #[arg(long = "shards", alias = "shard", value_name = "x/y", value_parser = values::shard)]
    pub shards: Option<Shard>,
    /// Start at this scan index (as written in paused.conf).
    #[arg(long = "resume-index", value_name = "N", value_parser = values::resume_index)]
    pub resume_index: Option<u64>,
    /// Scan only this many indices from the resume index.
    #[arg(long = "resume-count", value_name = "N", value_parser = values::resume_count)]
    pub resume_count: Option<u64>,
    /// Scan again from the start each time the scan ends, until stopped (ctrl-c); every pass
    /// walks the same order.
    #[arg(long = "infinite")]
    pub infinite: bool,
    /// Extra probes per target, about a second apart.
    #[arg(long = "retries", alias = "max-retries", value_name = "N", value_parser = values::retries)]
    pub retries: Option<u32>,
    #[arg(
        long = "rate",
        help = format!("Packets per second, all threads together (default {})", defaults::RATE),
        alias = "max-rate",
        allow_negative_numbers = true,
        value_name = "PPS",
        value_parser = values::rate
    )]
    pub rate: Option<f64>,
    /// Beyond the original: slow down when the scan itself loses replies (its receive side
    /// drops them, or its rings are full): the rate is halved, down to a stop if the losses go
    /// on, and climbs back toward --rate while none are seen. The summary says how often and
    /// how far.
    #[arg(long = "backoff")]
    pub backoff: bool,
    /// Beyond the original: with --retries, each SYN carries which retry it is, and the end of
    /// the scan estimates the open TCP ports it missed (capture-recapture, with a 95% interval)
    /// in the summary, --stats-json, --metadata and --metrics. Retries are then not the same
    /// SYN: a server still holding a half-open connection from the first may reset it.
    #[arg(long = "coverage")]
    pub coverage: bool,
    /// Beyond the original: N extra TCP SYNs per host (0 to 8; default 0, off) to high ports
    /// (49152-65535) the scan does not probe, chosen from the seed. A host that answers one
    /// (a tarpit, a SYN proxy) is marked with one `canary` record in every output instead of
    /// reporting the canary port open. Costs hosts x N probes (x tries).
    #[arg(long = "canaries", value_name = "N", value_parser = values::canaries)]
    pub canaries: Option<u8>,
    /// With --canaries: `keep` (default) writes a marked host's results as usual beside its
    /// mark; `drop` leaves out its results that arrive after the mark (those before it are
    /// already written; --readscan with drop filters a whole -oB file).
    #[arg(long = "canary-results", value_name = "keep|drop", value_parser = values::canary_results)]
    pub canary_results: Option<Results>,
    #[arg(
        long = "wait",
        help = format!(
            "Seconds to wait for replies after the last probe, or `forever` (default {})",
            defaults::WAIT_SECS
        ),
        value_name = "SECS|forever", value_parser = values::wait)]
    pub wait: Option<Wait>,
}

impl PaceOptions {
    /// Order and pace: rate, order, slice, retries, resume point, wait.
    pub fn build(&self) -> Result<Pace, UserError> {
        let mut p = Pace::default();
        if let Some(r) = self.rate {
            p.rate = r;
        }
        if let Some(s) = self.shards {
            p.shard = s;
        }
        let rounds = self.blackrock_rounds;
        p.order = match (self.permutation.as_deref(), rounds) {
            (Some("feistel"), None) => ScanOrder::Feistel,
            (Some("feistel"), Some(_)) => {
                return Err(UserError(
                    "--blackrock-rounds applies to --permutation blackrock, not feistel".into(),
                ))
            }
            _ => ScanOrder::BlackRock {
                rounds: rounds.unwrap_or(defaults::BLACKROCK_ROUNDS),
            },
        };
        p.retries = self.retries.unwrap_or(defaults::RETRIES);
        p.resume_index = self.resume_index.unwrap_or(0);
        p.resume_count = self.resume_count;
        p.infinite = self.infinite;
        p.backoff = self.backoff;
        p.coverage = self.coverage;
        p.canaries = self.canaries.unwrap_or(0);
        p.canary_results = self.canary_results.unwrap_or_default();
        if let Some(w) = self.wait {
            p.wait = w;
        }
        Ok(p)
    }
}

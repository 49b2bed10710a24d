//! Threads: how many transmit and receive threads, or the CPUs they run on; the builder of
//! the engine's `Threads`.

use crate::args::UserError;
use crate::values::{self, CpuList};
use masscan_engine::config::{cpu_list, Threads};

#[derive(clap::Args, Debug)]
#[command(next_help_heading = "Threads")]
pub struct ThreadOptions {
    /// Transmit threads, each pinned to a core (default: every core but one, at least one).
    #[arg(long = "tx-threads", value_name = "N", value_parser = values::tx_threads)]
    pub tx_threads: Option<usize>,
    /// Receive threads, each pinned to a core (default: as many as transmit threads; AF_XDP:
    /// one per interface queue). With AF_PACKET they share the replies by flow hash.
    #[arg(long = "rx-threads", value_name = "N", value_parser = values::rx_threads)]
    pub rx_threads: Option<usize>,
    /// CPUs for the transmit threads, in order (`1,3` or `2-5`): one thread per CPU listed.
    #[arg(long = "tx-cores", value_name = "LIST", value_parser = values::tx_cores)]
    pub tx_cores: Option<CpuList>,
    /// CPUs for the receive threads, in order (`0,2`): one thread per CPU listed.
    #[arg(long = "rx-cores", value_name = "LIST", value_parser = values::rx_cores)]
    pub rx_cores: Option<CpuList>,
}

impl ThreadOptions {
    /// Thread counts, or the CPUs that set them (both given: they must agree).
    pub fn build(&self) -> Result<Threads, UserError> {
        let mut t = Threads {
            tx_threads: self.tx_threads,
            rx_threads: self.rx_threads,
            ..Threads::default()
        };
        for (name, list, threads, cores) in [
            ("tx", &self.tx_cores, &mut t.tx_threads, &mut t.tx_cores),
            ("rx", &self.rx_cores, &mut t.rx_threads, &mut t.rx_cores),
        ] {
            let Some(CpuList(cpus)) = list else { continue };
            if threads.is_some_and(|t| t != cpus.len()) {
                return Err(UserError(format!(
                    "--{name}-threads {} and --{name}-cores {} ({} CPUs) disagree: give one of them",
                    threads.unwrap_or(0),
                    cpu_list(cpus),
                    cpus.len()
                )));
            }
            *threads = Some(cpus.len());
            *cores = Some(cpus.clone());
        }
        Ok(t)
    }
}

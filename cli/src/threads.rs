//! Thread placement: how many transmit threads by default, and the CPU each transmit and
//! receive thread is pinned to (`--tx-cores`, `--rx-cores`, or the default spread).

use crate::args::UserError;
use core_affinity::CoreId;
use masscan_engine::config::{cpu_list, ScanConfig};

pub fn default_tx_threads() -> usize {
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
pub fn pinning(
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
        pick("tx", &c.threads.tx_cores, tx_threads, 1)?,
        pick("rx", &c.threads.rx_cores, rx_threads, 0)?,
    ))
}

/// Pins the calling thread to its CPU, if it has one.
pub fn pin(kind: &str, k: usize, cpu: Option<CoreId>) -> Result<(), UserError> {
    match cpu {
        Some(id) if !core_affinity::set_for_current(id) => Err(UserError(format!(
            "could not pin {kind} thread {k} to CPU {}",
            id.id
        ))),
        _ => Ok(()),
    }
}

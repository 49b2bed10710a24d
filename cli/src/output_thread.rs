//! The output thread: every output opened before the scan starts, each result written to all
//! of them as it arrives, flushed at least once a second, rotated on time or size, and closed
//! validly when the receive threads are done.

use crate::args::UserError;
use crate::outputs::Headers;
use crate::outputs::{self, Output, Rotation};
use crate::settings::Run;
use crate::status::StatsJson;
use masscan_drivers::middleware::SharedPcap;
use masscan_engine::canary::Marks;
use masscan_engine::config::ScanConfig;
use masscan_engine::output::{OutputSpec, Record, ScannedPorts};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Every file the scan writes as it runs, opened before it starts.
pub struct Opened {
    pub outputs: Vec<Output>,
    /// `--stats-json`, if given.
    pub stats_json: Option<StatsJson>,
}

/// `--metadata`'s directory checked, `--stats-json` opened, then every output: an unwritable
/// path fails before anything is sent, and (for these two) before any output file is created.
pub fn open_files(run: &Run, start: u64) -> Result<Opened, UserError> {
    if let Some(path) = run.metadata.as_deref() {
        crate::metadata::check_writable(path)?;
    }
    let stats_json = run.stats_json.as_deref().map(StatsJson::open).transpose()?;
    Ok(Opened {
        outputs: open_outputs(&run.config, start)?,
        stats_json,
    })
}

/// Opens every output before the scan starts, so an unwritable path fails first. Console lines
/// go to stdout when no file output is given, or with `--interactive`.
pub fn open_outputs(c: &ScanConfig, start: u64) -> Result<Vec<Output>, UserError> {
    let rotation =
        (c.report.rotate.is_some() || c.report.rotate_size.is_some()).then(|| Rotation {
            every: c.report.rotate,
            offset: c.report.rotate_offset.unwrap_or(0),
            size: c.report.rotate_size,
            dir: c.report.rotate_dir.as_deref().unwrap_or(".").into(),
        });
    let mut v = Vec::new();
    let headers = Headers {
        ports: ScannedPorts::new(&c.ports),
        stylesheet: c.report.stylesheet.clone(),
    };
    for spec in &c.report.outputs {
        if *spec == OutputSpec::Nothing {
            continue; // counts as an output: no console lines either
        }
        let mut o = Output::open(spec, c.report.append_output, start, false, &headers)?;
        let redis = matches!(spec, OutputSpec::Redis { .. });
        if let Some(r) = rotation.as_ref().filter(|_| !redis) {
            o = o.with_rotation(r.clone(), start)?;
        }
        v.push(o);
    }
    if c.report.outputs.is_empty() || c.report.interactive {
        v.push(Output::console());
    }
    Ok(v)
}

/// The output thread: writes each result to every output as it arrives and flushes at least
/// once a second; closes every output validly when the receive threads are done. With
/// `--canaries`, `marks` passes one mark record per host (whichever receive core found it)
/// and, with `--canary-results drop`, holds back a marked host's later results; it returns
/// how many hosts it marked.
pub fn write_outputs(
    mut outputs: Vec<Output>,
    records: mpsc::Receiver<Record>,
    (pcap, mut marks): (Option<SharedPcap>, Option<Marks>),
) -> Result<Option<u64>, UserError> {
    let mut last_flush = Instant::now();
    let mut dirty = false;
    loop {
        match records.recv_timeout(Duration::from_millis(200)) {
            Ok(r) if marks.as_mut().is_none_or(|m| m.pass(&r)) => {
                each(&mut outputs, |o| o.record(&r))?;
                dirty = true;
            }
            Ok(_) => {}
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        let now = outputs::now();
        each(&mut outputs, |o| o.maybe_rotate(now))?;
        if last_flush.elapsed() >= Duration::from_millis(500) {
            if dirty {
                each(&mut outputs, Output::flush)?;
                dirty = false;
            }
            if let Some(p) = &pcap {
                let _ = p.flush();
            }
            last_flush = Instant::now();
        }
    }
    let finish = outputs::now();
    for o in outputs {
        let stdout = o.is_stdout();
        match o.close(finish) {
            Err(_) if stdout => crate::console::mark_closed(),
            r => r?,
        }
    }
    if let Some(p) = &pcap {
        p.flush()
            .map_err(|e| UserError(format!("cannot write the pcap file: {e}")))?;
    }
    Ok(marks.map(|m| m.marked()))
}

/// Runs `f` on every output. An output on stdout whose reader went away (`| head`) is dropped
/// and the scan told to stop ([`crate::console::closed`]), so that the files are still written
/// and closed validly; any other failure is the scan's error.
fn each(
    outputs: &mut Vec<Output>,
    mut f: impl FnMut(&mut Output) -> Result<(), UserError>,
) -> Result<(), UserError> {
    let mut i = 0;
    while i < outputs.len() {
        match f(&mut outputs[i]) {
            Err(_) if outputs[i].is_stdout() => {
                crate::console::mark_closed();
                outputs.remove(i);
            }
            Err(e) => return Err(e),
            Ok(()) => i += 1,
        }
    }
    Ok(())
}

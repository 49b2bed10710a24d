//! `--readscan FILE...`: reads masscan binary files (ours or the original's) and writes their
//! records, merged in order, in the chosen output format (or as console lines). A damaged file
//! gives the records before the damage and one error line; the exit code is then 1.

use crate::args::UserError;
use crate::outputs::{now, Output};
use masscan_engine::output::binary::BinaryReader;
use std::path::PathBuf;

/// The start time in the first readable file's header (XML `start`, grepable `initiated`).
fn first_start_time(files: &[PathBuf]) -> Option<u64> {
    files.iter().find_map(|p| {
        let f = std::fs::File::open(p).ok()?;
        BinaryReader::new(std::io::BufReader::new(f))
            .ok()?
            .start_time
    })
}

pub fn run(
    files: &[PathBuf],
    outputs: &[(String, String)],
    append: bool,
) -> Result<i32, UserError> {
    let start = first_start_time(files).unwrap_or_else(now);
    // Fail on an unwritable output before reading anything.
    let mut out = match outputs.first() {
        None => Output::console(),
        Some((format, file)) => {
            Output::open(format, file, append, start, true, &Default::default()).map_err(|e| {
                UserError(e.0.replace(
                    "cannot write --output-format",
                    "--readscan cannot write --output-format",
                ))
            })?
        }
    };
    let mut failed = false;
    for path in files {
        let shown = path.display();
        let file = match std::fs::File::open(path) {
            Ok(f) => std::io::BufReader::new(f),
            Err(e) => {
                eprintln!("masscan: cannot read '{shown}': {e}");
                failed = true;
                continue;
            }
        };
        let mut reader = match BinaryReader::new(file) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("masscan: {shown}: {e}");
                failed = true;
                continue;
            }
        };
        out.binary_header(reader.start_time.unwrap_or(0));
        loop {
            match reader.next_record() {
                Ok(Some(r)) => out.record(&r)?,
                Ok(None) => break,
                Err(e) => {
                    eprintln!("masscan: {shown}: {e}");
                    failed = true;
                    break;
                }
            }
        }
    }
    out.close(now())?;
    Ok(if failed { 1 } else { 0 })
}

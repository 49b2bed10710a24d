//! `--readscan FILE...`: reads masscan binary files (ours or the original's) and writes their
//! records, merged in order, in the chosen output format (or as console lines). A damaged file
//! gives the records before the damage and one error line; the exit code is then 1.

use crate::args::UserError;
use masscan_engine::output::binary::{self, BinaryReader};
use masscan_engine::output::text::{console_line, TextFormat, TextWriter};
use masscan_engine::output::ServiceNames;
use std::io::Write;
use std::path::PathBuf;

enum Sink {
    Console,
    Text(TextWriter),
    Binary,
}

/// Opens the output; with `append`, continues an existing complete file (its closing is cut
/// and written again at the end). Returns whether the file starts fresh (needs its opening).
fn open_output(
    name: &str,
    append: bool,
    sink: &mut Sink,
) -> Result<(Box<dyn Write>, bool), UserError> {
    use masscan_engine::output::text::append_point;
    if name == "-" {
        return Ok((Box::new(std::io::stdout()), true));
    }
    let cannot =
        |e: &dyn std::fmt::Display| UserError(format!("cannot create output file '{name}': {e}"));
    let existing = if append {
        std::fs::read(name).ok()
    } else {
        None
    };
    let Some(existing) = existing else {
        return Ok((
            Box::new(std::fs::File::create(name).map_err(|e| cannot(&e))?),
            true,
        ));
    };
    let refuse = |why: String| UserError(format!("cannot append to '{name}': {why}"));
    let (keep, fresh) = match sink {
        Sink::Console => (existing.len(), true),
        Sink::Binary => match binary::append_point(&existing).map_err(refuse)? {
            None => (0, true),
            Some(keep) => (keep, false),
        },
        Sink::Text(w) => {
            let at = append_point(w.format(), &existing).map_err(refuse)?;
            if !at.fresh {
                w.continue_after(&at);
            }
            (at.keep, at.fresh)
        }
    };
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(name)
        .map_err(|e| cannot(&e))?;
    f.set_len(keep as u64).map_err(|e| cannot(&e))?;
    let mut f = f;
    use std::io::Seek;
    f.seek(std::io::SeekFrom::End(0)).map_err(|e| cannot(&e))?;
    Ok((Box::new(f), fresh))
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

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
    // Port names as the original gets them: from /etc/services (Debian's netbase).
    let services = std::fs::read_to_string("/etc/services")
        .map(|t| ServiceNames::parse(&t))
        .unwrap_or_default();
    let start = first_start_time(files).unwrap_or_else(now);
    let (mut sink, target) = match outputs.first() {
        None => (Sink::Console, "-".to_string()),
        Some((format, file)) => {
            let sink = match format.as_str() {
                "binary" => Sink::Binary,
                f => {
                    let format = TextFormat::from_name(f).ok_or_else(|| {
                        UserError(format!("--readscan cannot write --output-format {f}"))
                    })?;
                    Sink::Text(
                        TextWriter::new(format)
                            .with_services(services)
                            .with_start(start),
                    )
                }
            };
            (sink, file.clone())
        }
    };
    // Fail on an unwritable output before reading anything.
    let (mut out, fresh) = open_output(&target, append, &mut sink)?;
    let mut buf = Vec::with_capacity(1 << 16);
    let mut failed = false;
    let mut header_written = !fresh;
    if let (Sink::Text(w), true) = (&mut sink, fresh) {
        w.begin(&mut buf);
    }
    let write_err = |e: std::io::Error| UserError(format!("cannot write '{target}': {e}"));
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
        if let (Sink::Binary, false) = (&sink, header_written) {
            buf.extend_from_slice(&binary::header(reader.start_time.unwrap_or(0)));
            header_written = true;
        }
        loop {
            match reader.next_record() {
                Ok(Some(r)) => match &mut sink {
                    Sink::Console => console_line(&mut buf, &r),
                    Sink::Text(w) => w.record(&mut buf, &r),
                    Sink::Binary => binary::push_record(&mut buf, &r),
                },
                Ok(None) => break,
                Err(e) => {
                    eprintln!("masscan: {shown}: {e}");
                    failed = true;
                    break;
                }
            }
            if buf.len() >= 1 << 16 {
                out.write_all(&buf).map_err(write_err)?;
                buf.clear();
            }
        }
    }
    match &mut sink {
        Sink::Text(w) => {
            w.set_finish(now());
            w.end(&mut buf)
        }
        Sink::Binary => {
            if !header_written {
                buf.extend_from_slice(&binary::header(0));
            }
            buf.extend_from_slice(&binary::trailer());
        }
        Sink::Console => {}
    }
    out.write_all(&buf)
        .and_then(|_| out.flush())
        .map_err(write_err)?;
    Ok(if failed { 1 } else { 0 })
}

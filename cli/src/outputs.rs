//! Output sinks shared by scans and `--readscan`: the console lines, every text format and the
//! binary format, each opened before anything runs (an unwritable path fails first), fed one
//! record at a time, flushed on demand (a scan flushes at least once a second), and closed
//! validly (JSON's `]`, XML's `</nmaprun>`, the binary trailer). With `--append-output` an
//! existing complete file is continued: its closing is cut and written again at the end.

use crate::args::UserError;
use masscan_engine::output::binary;
use masscan_engine::output::text::{append_point, console_line, TextFormat, TextWriter};
use masscan_engine::output::{Record, ServiceNames};
use std::io::{Seek, Write};

enum Kind {
    Console,
    Text(TextWriter),
    Binary,
}

/// One output: a format and where it goes.
pub struct Output {
    kind: Kind,
    out: Box<dyn Write + Send>,
    buf: Vec<u8>,
    name: String,
    /// Binary files get their header with the first record's start time (readscan) or at once.
    binary_header_pending: bool,
}

/// Port names as the original gets them: from /etc/services (Debian's netbase).
pub fn services() -> ServiceNames {
    std::fs::read_to_string("/etc/services")
        .map(|t| ServiceNames::parse(&t))
        .unwrap_or_default()
}

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl Output {
    /// Console lines on stdout.
    pub fn console() -> Self {
        Self {
            kind: Kind::Console,
            out: Box::new(std::io::stdout()),
            buf: Vec::with_capacity(1 << 16),
            name: "-".into(),
            binary_header_pending: false,
        }
    }

    /// `format` (as `--output-format` names it) to file `name` (`-` for stdout), starting at
    /// Unix time `start`. `binary_header_later`: the binary header is written by
    /// [`Output::binary_header`] instead of now.
    pub fn open(
        format: &str,
        name: &str,
        append: bool,
        start: u64,
        binary_header_later: bool,
    ) -> Result<Self, UserError> {
        let mut kind = match format {
            "binary" => Kind::Binary,
            f => {
                let format = TextFormat::from_name(f)
                    .ok_or_else(|| UserError(format!("cannot write --output-format {f}")))?;
                Kind::Text(
                    TextWriter::new(format)
                        .with_services(services())
                        .with_start(start),
                )
            }
        };
        let (out, fresh) = open_file(name, append, &mut kind)?;
        let mut me = Self {
            kind,
            out,
            buf: Vec::with_capacity(1 << 16),
            name: name.to_string(),
            binary_header_pending: false,
        };
        if fresh {
            match &mut me.kind {
                Kind::Text(w) => w.begin(&mut me.buf),
                Kind::Binary if binary_header_later => me.binary_header_pending = true,
                Kind::Binary => me.buf.extend_from_slice(&binary::header(start)),
                Kind::Console => {}
            }
        }
        Ok(me)
    }

    /// Writes a pending binary header with this start time (no-op otherwise).
    pub fn binary_header(&mut self, start: u64) {
        if self.binary_header_pending {
            self.buf.extend_from_slice(&binary::header(start));
            self.binary_header_pending = false;
        }
    }

    pub fn record(&mut self, r: &Record) -> Result<(), UserError> {
        self.binary_header(0);
        match &mut self.kind {
            Kind::Console => console_line(&mut self.buf, r),
            Kind::Text(w) => w.record(&mut self.buf, r),
            Kind::Binary => binary::push_record(&mut self.buf, r),
        }
        if self.buf.len() >= 1 << 16 {
            self.write_buf()?;
        }
        Ok(())
    }

    fn write_buf(&mut self) -> Result<(), UserError> {
        let r = self.out.write_all(&self.buf);
        self.buf.clear();
        r.map_err(|e| UserError(format!("cannot write '{}': {e}", self.name)))
    }

    /// Everything so far reaches the file.
    pub fn flush(&mut self) -> Result<(), UserError> {
        self.write_buf()?;
        self.out
            .flush()
            .map_err(|e| UserError(format!("cannot write '{}': {e}", self.name)))
    }

    /// Writes the closing (at Unix time `finish`) and flushes.
    pub fn close(mut self, finish: u64) -> Result<(), UserError> {
        self.binary_header(0);
        match &mut self.kind {
            Kind::Text(w) => {
                w.set_finish(finish);
                w.end(&mut self.buf)
            }
            Kind::Binary => self.buf.extend_from_slice(&binary::trailer()),
            Kind::Console => {}
        }
        self.flush()
    }
}

/// Opens the file; with `append`, continues an existing complete file. Returns whether the file
/// starts fresh (needs its opening).
fn open_file(
    name: &str,
    append: bool,
    kind: &mut Kind,
) -> Result<(Box<dyn Write + Send>, bool), UserError> {
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
    let (keep, fresh) = match kind {
        Kind::Console => (existing.len(), true),
        Kind::Binary => match binary::append_point(&existing).map_err(refuse)? {
            None => (0, true),
            Some(keep) => (keep, false),
        },
        Kind::Text(w) => {
            let at = append_point(w.format(), &existing).map_err(refuse)?;
            if !at.fresh {
                w.continue_after(&at);
            }
            (at.keep, at.fresh)
        }
    };
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .open(name)
        .map_err(|e| cannot(&e))?;
    f.set_len(keep as u64).map_err(|e| cannot(&e))?;
    f.seek(std::io::SeekFrom::End(0)).map_err(|e| cannot(&e))?;
    Ok((Box::new(f), fresh))
}

//! Output sinks shared by scans and `--readscan`: the console lines, every text format and the
//! binary format, each opened before anything runs (an unwritable path fails first), fed one
//! record at a time, flushed on demand (a scan flushes at least once a second), and closed
//! validly (JSON's `]`, XML's `</nmaprun>`, the binary trailer). With `--append-output` an
//! existing complete file is continued: its closing is cut and written again at the end. With
//! `--rotate`/`--rotate-size` a file is closed validly between two records, moved to
//! `--rotate-dir` under a name carrying its start time, and a new one begun.

use crate::args::UserError;
use crate::redis_out::RedisSink;
use masscan_engine::output::binary;
use masscan_engine::output::text::{append_point, console_line, TextWriter};
use masscan_engine::output::{utc, FileFormat, OutputSpec, Record, ScannedPorts, ServiceNames};
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};

/// What file headers say beyond the records: the scan's ports (grepable, Nmap XML) and the XSL
/// stylesheet an XML file names (`--stylesheet`, `--webxml`).
#[derive(Clone, Debug, Default)]
pub struct Headers {
    pub ports: ScannedPorts,
    pub stylesheet: Option<String>,
}

/// When and where output files rotate.
#[derive(Clone, Debug)]
pub struct Rotation {
    /// Seconds between rotations, on boundaries aligned to multiples of it (plus `offset`).
    pub every: Option<u64>,
    pub offset: u64,
    /// Rotate when a file reaches this many bytes.
    pub size: Option<u64>,
    pub dir: PathBuf,
}

struct RotationState {
    rule: Rotation,
    /// Unix time of the next boundary.
    next_due: Option<u64>,
    /// Unix time the current file was begun (its name when rotated).
    opened_at: u64,
}

fn next_boundary(now: u64, every: u64, offset: u64) -> u64 {
    let offset = offset % every;
    let since = now.saturating_sub(offset);
    (since / every + 1) * every + offset
}

enum Kind {
    Console,
    Text(Box<TextWriter>),
    Binary,
    Redis(Box<RedisSink>),
}

/// One output: a format and where it goes.
pub struct Output {
    kind: Kind,
    out: Box<dyn Write + Send>,
    buf: Vec<u8>,
    name: String,
    /// Binary files get their header with the first record's start time (readscan) or at once.
    binary_header_pending: bool,
    /// The file's format, to begin a new file after a rotation (none for console and redis).
    format: Option<FileFormat>,
    /// Bytes in the file so far (for `--rotate-size`).
    written: u64,
    rotation: Option<RotationState>,
    /// The scan's ports and stylesheet, for the headers (again after a rotation).
    headers: Headers,
}

/// Port and protocol names as the original gets them: from /etc/services and /etc/protocols
/// (Debian's netbase).
pub fn services() -> ServiceNames {
    let read = |p| std::fs::read_to_string(p).unwrap_or_default();
    ServiceNames::parse(&read("/etc/services")).with_protocols(&read("/etc/protocols"))
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
            format: None,
            written: 0,
            rotation: None,
            headers: Headers::default(),
        }
    }

    /// Whether this output writes to stdout (console lines, or a format to `-`).
    pub fn is_stdout(&self) -> bool {
        self.name == "-" || matches!(self.kind, Kind::Console)
    }

    /// Rotates this file as `rule` says (not stdout: there is nothing to move).
    pub fn with_rotation(mut self, rule: Rotation, now: u64) -> Result<Self, UserError> {
        if self.is_stdout() {
            return Ok(self);
        }
        if !rule.dir.is_dir() {
            return Err(UserError(format!(
                "--rotate-dir '{}' is not a directory",
                rule.dir.display()
            )));
        }
        self.rotation = Some(RotationState {
            next_due: rule.every.map(|e| next_boundary(now, e, rule.offset)),
            rule,
            opened_at: now,
        });
        Ok(self)
    }

    /// Rotates the file when its time has come or it has grown past the size limit. Called
    /// between records, so no record is split, lost or written twice.
    pub fn maybe_rotate(&mut self, now: u64) -> Result<(), UserError> {
        // Only files rotate (console and redis have no format of their own).
        let (Some(r), Some(format)) = (&self.rotation, self.format) else {
            return Ok(());
        };
        let by_time = r.next_due.is_some_and(|due| now >= due);
        let by_size = r
            .rule
            .size
            .is_some_and(|limit| self.written + self.buf.len() as u64 >= limit);
        if !by_time && !by_size {
            return Ok(());
        }
        let (opened_at, dir, every, offset) =
            (r.opened_at, r.rule.dir.clone(), r.rule.every, r.rule.offset);
        // Close this file validly, move it, begin a new one.
        self.binary_header(opened_at);
        self.close_file(now)?;
        move_rotated(Path::new(&self.name), &dir, opened_at)?;
        let spec = OutputSpec::File {
            format,
            file: self.name.clone(),
        };
        let fresh = Output::open(&spec, false, now, false, &self.headers)?;
        let rotation = self.rotation.take().map(|mut st| {
            st.opened_at = now;
            st.next_due = every.map(|e| next_boundary(now, e, offset));
            st
        });
        *self = fresh;
        self.rotation = rotation;
        Ok(())
    }

    /// `spec`: a format to a file (`-` for stdout), or redis; starting at Unix time `start`. `binary_header_later`: the binary header is written by
    /// [`Output::binary_header`] instead of now. `ports`: the scan's ports, for the headers that
    /// list them (empty for --readscan, whose files do not say).
    pub fn open(
        spec: &OutputSpec,
        append: bool,
        start: u64,
        binary_header_later: bool,
        headers: &Headers,
    ) -> Result<Self, UserError> {
        let (format, name) = match spec {
            OutputSpec::File { format, file } => (*format, file.as_str()),
            OutputSpec::Redis { server, password } => {
                let target = server.to_string();
                let sink = RedisSink::connect(&target, password.as_deref())?;
                return Ok(Self::redis(sink, &target, headers));
            }
            OutputSpec::Nothing => {
                return Err(UserError("cannot write --output-format none".into()));
            }
        };
        let mut kind = match format {
            FileFormat::Binary => Kind::Binary,
            FileFormat::Text(format) => Kind::Text(Box::new(
                TextWriter::new(format)
                    .with_services(services())
                    .with_ports(headers.ports.clone())
                    .with_stylesheet(headers.stylesheet.clone())
                    .with_start(start)
                    .with_opened(now()),
            )),
        };
        let (out, fresh, written) = open_file(name, append, &mut kind)?;
        let mut me = Self {
            kind,
            out,
            buf: Vec::with_capacity(1 << 16),
            name: name.to_string(),
            binary_header_pending: false,
            format: Some(format),
            written,
            rotation: None,
            headers: headers.clone(),
        };
        if fresh {
            match &mut me.kind {
                Kind::Text(w) => w.begin(&mut me.buf),
                Kind::Binary if binary_header_later => me.binary_header_pending = true,
                Kind::Binary => me.buf.extend_from_slice(&binary::header(start)),
                Kind::Console | Kind::Redis(_) => {}
            }
        }
        Ok(me)
    }

    fn redis(sink: RedisSink, target: &str, headers: &Headers) -> Self {
        Self {
            kind: Kind::Redis(Box::new(sink)),
            out: Box::new(std::io::sink()),
            buf: Vec::new(),
            name: target.to_string(),
            binary_header_pending: false,
            format: None,
            written: 0,
            rotation: None,
            headers: headers.clone(),
        }
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
            Kind::Redis(sink) => sink.record(r)?,
        }
        if self.buf.len() >= 1 << 16 {
            self.write_buf()?;
        }
        Ok(())
    }

    fn write_buf(&mut self) -> Result<(), UserError> {
        self.written += self.buf.len() as u64;
        let r = self.out.write_all(&self.buf);
        self.buf.clear();
        r.map_err(|e| UserError(format!("cannot write '{}': {e}", self.name)))
    }

    /// Everything so far reaches the file.
    pub fn flush(&mut self) -> Result<(), UserError> {
        if let Kind::Redis(sink) = &mut self.kind {
            sink.flush()?;
        }
        self.write_buf()?;
        self.out
            .flush()
            .map_err(|e| UserError(format!("cannot write '{}': {e}", self.name)))
    }

    /// Writes the closing (at Unix time `finish`) and flushes.
    pub fn close(mut self, finish: u64) -> Result<(), UserError> {
        self.close_file(finish)
    }

    fn close_file(&mut self, finish: u64) -> Result<(), UserError> {
        self.binary_header(0);
        match &mut self.kind {
            Kind::Text(w) => {
                w.set_finish(finish);
                w.end(&mut self.buf)
            }
            Kind::Binary => self.buf.extend_from_slice(&binary::trailer()),
            Kind::Redis(sink) => sink.close()?,
            Kind::Console => {}
        }
        self.flush()
    }
}

/// Moves a closed output file into `dir` as `YYMMDD-HHMMSS-NAME` (its start time, UTC), with
/// `.1`, `.2`, ... if that name is taken: a rename (atomic), or on another file system a copy to
/// a hidden temporary name in `dir` renamed into place, then the original removed.
fn move_rotated(path: &Path, dir: &Path, opened_at: u64) -> Result<PathBuf, UserError> {
    let (y, mo, d, h, mi, s, _) = utc(opened_at);
    let base = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "masscan.out".into());
    let stem = format!(
        "{:02}{mo:02}{d:02}-{h:02}{mi:02}{s:02}-{base}",
        y.rem_euclid(100)
    );
    let mut dest = dir.join(&stem);
    let mut n = 1;
    while dest.exists() {
        dest = dir.join(format!("{stem}.{n}"));
        n += 1;
    }
    let fail = |e: std::io::Error| {
        UserError(format!(
            "cannot rotate '{}' to '{}': {e}",
            path.display(),
            dest.display()
        ))
    };
    match std::fs::rename(path, &dest) {
        Ok(()) => Ok(dest),
        Err(e) if e.raw_os_error() == Some(18) => {
            // EXDEV: another file system.
            let tmp = dir.join(format!(".{stem}.tmp"));
            std::fs::copy(path, &tmp).map_err(fail)?;
            std::fs::rename(&tmp, &dest).map_err(fail)?;
            std::fs::remove_file(path).map_err(fail)?;
            Ok(dest)
        }
        Err(e) => Err(fail(e)),
    }
}

/// Opens the file; with `append`, continues an existing complete file. Returns whether the file
/// starts fresh (needs its opening), and the bytes already in it.
fn open_file(
    name: &str,
    append: bool,
    kind: &mut Kind,
) -> Result<(Box<dyn Write + Send>, bool, u64), UserError> {
    if name == "-" {
        return Ok((Box::new(std::io::stdout()), true, 0));
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
            0,
        ));
    };
    let refuse = |why: String| UserError(format!("cannot append to '{name}': {why}"));
    let (keep, fresh) = match kind {
        Kind::Console | Kind::Redis(_) => (existing.len(), true),
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
    Ok((Box::new(f), fresh, keep as u64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use masscan_engine::output::StatusRecord;

    #[test]
    fn boundaries_are_aligned() {
        assert_eq!(next_boundary(3599, 3600, 0), 3600);
        assert_eq!(next_boundary(3600, 3600, 0), 7200);
        // hourly at half past
        assert_eq!(next_boundary(3600, 3600, 1800), 5400);
        assert_eq!(next_boundary(5400, 3600, 1800), 9000);
        assert_eq!(next_boundary(10, 60, 0), 60);
    }

    #[test]
    fn rotation_closes_validly_and_moves_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let rotated = dir.path().join("old");
        std::fs::create_dir(&rotated).unwrap();
        let path = dir.path().join("scan.json");
        let name = path.to_str().unwrap();
        let rule = Rotation {
            every: None,
            offset: 0,
            size: Some(1),
            dir: rotated.clone(),
        };
        let spec = OutputSpec::File {
            format: FileFormat::from_name("json").unwrap(),
            file: name.to_string(),
        };
        let mut o = Output::open(&spec, false, 1_000_000_000, false, &Headers::default())
            .unwrap()
            .with_rotation(rule, 1_000_000_000)
            .unwrap();
        let r = Record::Status(StatusRecord {
            mac: None,
            time: 1,
            ip: "198.18.0.1".parse().unwrap(),
            ip_proto: 6,
            port: 80,
            status: masscan_engine::output::Status::Open,
            reason: 0x12,
            ttl: 64,
        });
        o.record(&r).unwrap();
        o.maybe_rotate(1_000_000_005).unwrap();
        o.record(&r).unwrap();
        o.close(1_000_000_009).unwrap();
        let moved: Vec<_> = std::fs::read_dir(&rotated).unwrap().collect();
        assert_eq!(moved.len(), 1);
        let moved = moved[0].as_ref().unwrap().path();
        assert_eq!(
            moved.file_name().unwrap().to_str().unwrap(),
            "010909-014640-scan.json"
        );
        for p in [moved, path] {
            let v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            assert_eq!(v.as_array().unwrap().len(), 1, "{}", p.display());
        }
    }
}

//! `--append-output` for the text formats: where an existing file is continued. A complete
//! file (as this writer or the original closes it) is continued before its closing lines; a
//! file whose scan was killed before closing it is continued after its last complete record;
//! anything else is refused, so appending never turns a valid document into an invalid one.

use super::text::TextFormat;

/// Where `--append-output` continues an existing file: keep its first `keep` bytes (its closing
/// lines are written again when the new writer ends).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AppendPoint {
    pub keep: usize,
    /// The file already holds records (JSON then puts a comma before the next one).
    pub records: u64,
    /// Status records already in the file (Nmap XML's `hosts up` counts them too).
    pub statuses: u64,
    /// Open and closed TCP ports already in an XML file (its `hosts up` and `down`).
    pub tcp_open: u64,
    pub tcp_closed: u64,
    /// The file was empty: write the opening as for a new file.
    pub fresh: bool,
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn count(hay: &[u8], needle: &[u8]) -> u64 {
    hay.windows(needle.len()).filter(|w| *w == needle).count() as u64
}

/// After the last complete line (`\n`) of `b`.
fn after_last_line(b: &[u8]) -> usize {
    b.iter().rposition(|&c| c == b'\n').map_or(0, |i| i + 1)
}

/// Where to continue a file whose writer was killed before closing it (SIGKILL, power loss):
/// after its last complete record, when it opens as a file of `format` does.
fn recover_point(format: TextFormat, existing: &[u8]) -> Option<usize> {
    let opens = |p: &[u8]| existing.starts_with(p);
    match format {
        TextFormat::List | TextFormat::Unicornscan => {
            opens(b"#masscan\n").then(|| after_last_line(existing))
        }
        TextFormat::Grepable => opens(b"# Masscan ").then(|| after_last_line(existing)),
        TextFormat::Json => opens(b"[\n").then(|| rfind(existing, b"}\n").map_or(2, |i| i + 2)),
        TextFormat::Xml | TextFormat::NmapXml => {
            if !opens(b"<?xml") {
                return None;
            }
            let header_end = if format == TextFormat::NmapXml {
                &b"<debugging"[..]
            } else {
                &b"<scaninfo"[..]
            };
            rfind(existing, b"</host>\r\n").map(|i| i + 9).or_else(|| {
                rfind(existing, header_end).map(|i| i + after_last_line(&existing[i..]))
            })
        }
        TextFormat::Ndjson | TextFormat::HostOnly | TextFormat::Certs => {
            Some(after_last_line(existing))
        }
    }
}

/// Finds where to continue `existing`, a complete file of `format` (as this writer or the
/// original closes it), or one whose scan was killed before closing it (continued after its
/// last complete record). Anything else is refused, so appending never turns a valid document
/// into an invalid one.
pub fn append_point(format: TextFormat, existing: &[u8]) -> Result<AppendPoint, String> {
    let fresh = AppendPoint {
        keep: 0,
        records: 0,
        statuses: 0,
        tcp_open: 0,
        tcp_closed: 0,
        fresh: true,
    };
    if existing.is_empty() {
        return Ok(fresh);
    }
    let incomplete = || format!("it does not end like a complete {format:?} file");
    let complete = match format {
        TextFormat::Ndjson | TextFormat::HostOnly | TextFormat::Certs => {
            Ok(after_last_line(existing))
        }
        TextFormat::List | TextFormat::Unicornscan => existing
            .strip_suffix(b"# end\n")
            .map(<[u8]>::len)
            .ok_or_else(incomplete),
        TextFormat::Json => match existing.iter().rposition(|c| !c.is_ascii_whitespace()) {
            Some(end) if existing[end] == b']' => Ok(end),
            _ => Err(incomplete()),
        },
        TextFormat::Xml | TextFormat::NmapXml => {
            if existing.trim_ascii_end().ends_with(b"</nmaprun>") {
                rfind(existing, b"<runstats>").ok_or_else(incomplete)
            } else {
                Err(incomplete())
            }
        }
        TextFormat::Grepable => rfind(existing, b"# Masscan done at ").ok_or_else(incomplete),
    };
    let keep = match complete {
        Ok(k) => k,
        Err(e) => recover_point(format, existing).ok_or(e)?,
    };
    let body = &existing[..keep];
    let records = match format {
        TextFormat::Json => count(body, b"\"ip\":"),
        _ => count(body, b"\n"),
    };
    let statuses = count(body, b"\"/></port></ports></host>");
    // The original's XML status lines: `<port protocol="tcp" ...><state state="open" ...`.
    let tcp = |state: &[u8]| {
        body.split(|&c| c == b'\n')
            .filter(|l| {
                rfind(l, b"<port protocol=\"tcp\"").is_some()
                    && rfind(l, state).is_some()
                    && rfind(l, b"<service").is_none()
            })
            .count() as u64
    };
    Ok(AppendPoint {
        keep,
        records,
        statuses,
        tcp_open: tcp(b"<state state=\"open\""),
        tcp_closed: tcp(b"<state state=\"closed\""),
        fresh: false,
    })
}

//! The text formats, byte for byte as the original writes them: list (`-oL`), NDJSON (`-oD`),
//! JSON (`-oJ`, an array that always ends with `]`) and host-only (`-oH`). Each writer has a
//! beginning, one call per record, and an end, so a file closed early is still valid.

use super::{app_name, proto_name, push_escaped, reason_string, Record, Status};
use std::io::Write as _;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextFormat {
    List,
    Ndjson,
    Json,
    HostOnly,
}

impl TextFormat {
    /// From an `--output-format` name; `None` for formats not written by this module.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "list" => TextFormat::List,
            "ndjson" => TextFormat::Ndjson,
            "json" => TextFormat::Json,
            "hostonly" => TextFormat::HostOnly,
            _ => return None,
        })
    }
}

/// A text writer's state between records.
pub struct TextWriter {
    format: TextFormat,
    records: u64,
}

fn status_word(s: Status) -> &'static str {
    match s {
        Status::Open | Status::Arp => "open",
        Status::Closed => "closed",
    }
}

impl TextWriter {
    pub fn new(format: TextFormat) -> Self {
        Self { format, records: 0 }
    }

    /// What opens the file.
    pub fn begin(&mut self, out: &mut Vec<u8>) {
        match self.format {
            TextFormat::List => out.extend_from_slice(b"#masscan\n"),
            TextFormat::Json => out.extend_from_slice(b"[\n"),
            TextFormat::Ndjson | TextFormat::HostOnly => {}
        }
    }

    /// What closes the file (a valid document even after an interrupted scan).
    pub fn end(&mut self, out: &mut Vec<u8>) {
        match self.format {
            TextFormat::List => out.extend_from_slice(b"# end\n"),
            TextFormat::Json => out.extend_from_slice(b"]\n"),
            TextFormat::Ndjson | TextFormat::HostOnly => {}
        }
    }

    pub fn record(&mut self, out: &mut Vec<u8>, r: &Record) {
        let first = self.records == 0;
        self.records += 1;
        match (self.format, r) {
            (TextFormat::HostOnly, r) => {
                let _ = writeln!(out, "{}", r.ip());
            }
            (
                TextFormat::List,
                Record::Status {
                    time,
                    ip,
                    ip_proto,
                    port,
                    status,
                    ..
                },
            ) => {
                let p = proto_name(*ip_proto, Some(*status));
                let _ = writeln!(out, "{} {p} {port} {ip} {time}", status_word(*status));
            }
            (
                TextFormat::List,
                Record::Banner {
                    time,
                    ip,
                    ip_proto,
                    port,
                    app_proto,
                    banner,
                    ..
                },
            ) => {
                let p = proto_name(*ip_proto, None);
                let _ = write!(
                    out,
                    "banner {p} {port} {ip} {time} {} ",
                    app_name(*app_proto)
                );
                push_escaped(out, banner, false);
                out.push(b'\n');
            }
            (
                TextFormat::Ndjson,
                Record::Status {
                    time,
                    ip,
                    ip_proto,
                    port,
                    status,
                    reason,
                    ttl,
                },
            ) => {
                let _ = writeln!(
                    out,
                    "{{\"ip\":\"{ip}\",\"timestamp\":\"{time}\",\"port\":{port},\"proto\":\"{}\",\"rec_type\":\"status\",\"data\":{{\"status\":\"{}\",\"reason\":\"{}\",\"ttl\":{ttl}}}}}",
                    proto_name(*ip_proto, Some(*status)),
                    status_word(*status),
                    reason_string(*reason)
                );
            }
            (
                TextFormat::Ndjson,
                Record::Banner {
                    time,
                    ip,
                    ip_proto,
                    port,
                    app_proto,
                    banner,
                    ..
                },
            ) => {
                let _ = write!(
                    out,
                    "{{\"ip\":\"{ip}\",\"timestamp\":\"{time}\",\"port\":{port},\"proto\":\"{}\",\"rec_type\":\"banner\",\"data\":{{\"service_name\":\"{}\",\"banner\":\"",
                    proto_name(*ip_proto, None),
                    app_name(*app_proto)
                );
                push_escaped(out, banner, true);
                out.extend_from_slice(b"\"}}\n");
            }
            (TextFormat::Json, r) => {
                if !first {
                    out.extend_from_slice(b",\n");
                }
                match r {
                    Record::Status {
                        time,
                        ip,
                        ip_proto,
                        port,
                        status,
                        reason,
                        ttl,
                    } => {
                        let _ = writeln!(
                            out,
                            "{{   \"ip\": \"{ip}\",   \"timestamp\": \"{time}\", \"ports\": [ {{\"port\": {port}, \"proto\": \"{}\", \"status\": \"{}\", \"reason\": \"{}\", \"ttl\": {ttl}}} ] }}",
                            proto_name(*ip_proto, Some(*status)),
                            status_word(*status),
                            reason_string(*reason)
                        );
                    }
                    Record::Banner {
                        time,
                        ip,
                        ip_proto,
                        port,
                        app_proto,
                        banner,
                        ..
                    } => {
                        let _ = write!(
                            out,
                            "{{   \"ip\": \"{ip}\",   \"timestamp\": \"{time}\", \"ports\": [ {{\"port\": {port}, \"proto\": \"{}\", \"service\": {{\"name\": \"{}\", \"banner\": \"",
                            proto_name(*ip_proto, None),
                            app_name(*app_proto)
                        );
                        push_escaped(out, banner, true);
                        out.extend_from_slice(b"\"} } ] }\n");
                    }
                }
            }
        }
    }
}

/// Writes records in a format from beginning to end.
pub fn render(format: TextFormat, records: &[Record]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut w = TextWriter::new(format);
    w.begin(&mut out);
    for r in records {
        w.record(&mut out, r);
    }
    w.end(&mut out);
    out
}

/// A console line (stdout when no output file is given), as COMPAT.md shows:
/// `Discovered open port 80/tcp on 198.18.0.10` and
/// `Banner on port 80/tcp on 198.18.0.10: [title] masscan anchor lab`, each padded with spaces
/// to 79 columns (so it overwrites the status line).
pub fn console_line(out: &mut Vec<u8>, r: &Record) {
    match r {
        Record::Status {
            ip,
            ip_proto,
            port,
            status,
            ..
        } => {
            let line = match status {
                Status::Arp => format!("Discovered up port 0/arp on {ip}"),
                s => format!(
                    "Discovered {} port {port}/{} on {ip}",
                    status_word(*s),
                    proto_name(*ip_proto, Some(*s))
                ),
            };
            let _ = writeln!(out, "{line:<79}");
        }
        Record::Banner {
            ip,
            ip_proto,
            port,
            app_proto,
            banner,
            ..
        } => {
            let start = out.len();
            let _ = write!(
                out,
                "Banner on port {port}/{} on {ip}: [{}] ",
                proto_name(*ip_proto, None),
                app_name(*app_proto)
            );
            push_escaped(out, banner, false);
            let width = out.len() - start;
            out.resize(out.len() + 79usize.saturating_sub(width), b' ');
            out.push(b'\n');
        }
    }
}

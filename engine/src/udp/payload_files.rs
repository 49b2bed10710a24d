//! UDP payloads from files, sans-IO (the caller reads the file): `--nmap-payloads` (Nmap's
//! `nmap-payloads` format: `udp PORTS "string" ...`, strings in C escapes, possibly over several
//! lines, `#` comments, an optional `source PORT` that is read and ignored) and `--pcap-payloads`
//! (the UDP payload of every packet of a pcap file, by destination port; read with pcap-file and
//! etherparse). Payloads from files carry no cookie field: their replies are checked by the
//! source port alone.

use super::Payload;
use etherparse::{SlicedPacket, TransportSlice};
use pcap_file::pcap::PcapReader;
use pcap_file::DataLink;

/// Longest payload sent (a frame stays within a standard 1,500-byte MTU).
pub const MAX_PAYLOAD: usize = 1400;

/// A payload file that cannot be used, with where and why (`file:line: what is wrong`).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct PayloadFileError(pub String);

/// Every payload of an nmap-payloads file, one [`Payload`] per (port, payload).
pub fn nmap_payloads(text: &str, name: &str) -> Result<Vec<Payload>, PayloadFileError> {
    let mut out = Vec::new();
    let mut lex = Lexer {
        rest: text,
        line: 1,
        name,
    };
    let mut current: Option<Entry> = None;
    while let Some(tok) = lex.next_token()? {
        match tok {
            Token::Word(w) if w.eq_ignore_ascii_case("udp") => {
                finish(current.take(), &mut out, &lex)?;
                let line = lex.line;
                let Some(Token::Word(ports)) = lex.next_token()? else {
                    return Err(lex.error("expected a port list after 'udp'"));
                };
                let ports = port_list(ports).map_err(|why| lex.error(&why))?;
                current = Some(Entry {
                    ports,
                    bytes: Vec::new(),
                    line,
                });
            }
            Token::Word(w) if w.eq_ignore_ascii_case("source") => match lex.next_token()? {
                Some(Token::Word(p)) if p.parse::<u16>().is_ok() => {}
                _ => return Err(lex.error("expected a port number after 'source'")),
            },
            Token::Word(w) => {
                return Err(lex.error(&format!("unexpected '{w}' (expected 'udp' or a string)")))
            }
            Token::Str(bytes) => match current.as_mut() {
                Some(e) => e.bytes.extend_from_slice(&bytes),
                None => return Err(lex.error("a string before any 'udp PORTS' line")),
            },
        }
    }
    finish(current.take(), &mut out, &lex)?;
    Ok(out)
}

/// One `udp PORTS "..."` entry being read: its ports, bytes so far, and its line.
struct Entry {
    ports: Vec<(u16, u16)>,
    bytes: Vec<u8>,
    line: usize,
}

/// A finished entry: one payload per port of its list.
fn finish(
    e: Option<Entry>,
    out: &mut Vec<Payload>,
    lex: &Lexer<'_>,
) -> Result<(), PayloadFileError> {
    let Some(e) = e else { return Ok(()) };
    if e.bytes.len() > MAX_PAYLOAD {
        let what = format!(
            "payload of {} bytes, more than {MAX_PAYLOAD}",
            e.bytes.len()
        );
        return Err(lex.error_at(e.line, &what));
    }
    for (first, last) in e.ports {
        for port in first..=last {
            out.push(Payload {
                port,
                bytes: e.bytes.clone(),
                cookie: None,
            });
        }
    }
    Ok(())
}

/// `53,69,32768-65535`.
fn port_list(s: &str) -> Result<Vec<(u16, u16)>, String> {
    s.split(',')
        .map(|part| {
            let (a, b) = part.split_once('-').unwrap_or((part, part));
            let p = |x: &str| {
                x.trim()
                    .parse::<u16>()
                    .map_err(|_| format!("bad port '{x}' in '{s}'"))
            };
            let (a, b) = (p(a)?, p(b)?);
            if a > b {
                return Err(format!("bad port range '{part}'"));
            }
            Ok((a, b))
        })
        .collect()
}

enum Token<'a> {
    Word(&'a str),
    Str(Vec<u8>),
}

struct Lexer<'a> {
    rest: &'a str,
    line: usize,
    name: &'a str,
}

impl<'a> Lexer<'a> {
    fn error(&self, what: &str) -> PayloadFileError {
        self.error_at(self.line, what)
    }

    fn error_at(&self, line: usize, what: &str) -> PayloadFileError {
        PayloadFileError(format!("{}:{line}: {what}", self.name))
    }

    fn next_token(&mut self) -> Result<Option<Token<'a>>, PayloadFileError> {
        loop {
            let Some(c) = self.rest.chars().next() else {
                return Ok(None);
            };
            if c == '\n' {
                self.line += 1;
                self.rest = &self.rest[1..];
            } else if c.is_whitespace() {
                self.rest = &self.rest[c.len_utf8()..];
            } else if c == '#' {
                let end = self.rest.find('\n').unwrap_or(self.rest.len());
                self.rest = &self.rest[end..];
            } else if c == '"' {
                return self.string().map(|s| Some(Token::Str(s)));
            } else {
                let end = self
                    .rest
                    .find(|c: char| c.is_whitespace() || c == '"' || c == '#')
                    .unwrap_or(self.rest.len());
                let (w, rest) = self.rest.split_at(end);
                self.rest = rest;
                return Ok(Some(Token::Word(w)));
            }
        }
    }

    /// A C-escaped string; `rest` starts at its opening quote.
    fn string(&mut self) -> Result<Vec<u8>, PayloadFileError> {
        let b = self.rest.as_bytes();
        let mut out = Vec::new();
        let mut i = 1;
        loop {
            match b.get(i) {
                None | Some(b'\n') => return Err(self.error("string not closed on its line")),
                Some(b'"') => break,
                Some(b'\\') => {
                    let (byte, used) =
                        escape(&b[i + 1..]).ok_or_else(|| self.error("bad escape in string"))?;
                    out.push(byte);
                    i += 1 + used;
                }
                Some(&c) => {
                    out.push(c);
                    i += 1;
                }
            }
        }
        self.rest = &self.rest[i + 1..];
        Ok(out)
    }
}

/// One escape after its backslash: the byte and how many bytes it took.
fn escape(b: &[u8]) -> Option<(u8, usize)> {
    let c = *b.first()?;
    Some(match c {
        b'x' => {
            let h = std::str::from_utf8(b.get(1..3)?).ok()?;
            (u8::from_str_radix(h, 16).ok()?, 3)
        }
        b'0'..=b'7' => {
            let n = b
                .iter()
                .take(3)
                .take_while(|d| (b'0'..=b'7').contains(d))
                .count();
            let v = u16::from_str_radix(std::str::from_utf8(&b[..n]).ok()?, 8).ok()?;
            (u8::try_from(v).ok()?, n)
        }
        b'n' => (b'\n', 1),
        b'r' => (b'\r', 1),
        b't' => (b'\t', 1),
        b'a' => (7, 1),
        b'b' => (8, 1),
        b'f' => (12, 1),
        b'v' => (11, 1),
        b'\\' | b'"' | b'\'' | b'?' => (c, 1),
        _ => return None,
    })
}

/// The UDP payload of every packet of a pcap file (Ethernet or raw IP), by destination port.
pub fn pcap_payloads(bytes: &[u8], name: &str) -> Result<Vec<Payload>, PayloadFileError> {
    let err = |what: String| PayloadFileError(format!("{name}: {what}"));
    let mut reader = PcapReader::new(bytes).map_err(|e| err(format!("not a pcap file ({e})")))?;
    let link = reader.header().datalink;
    let mut out = Vec::new();
    let mut n = 0usize;
    while let Some(pkt) = reader.next_packet() {
        n += 1;
        let pkt = pkt.map_err(|e| err(format!("packet {n}: {e}")))?;
        let sliced = match link {
            DataLink::ETHERNET => SlicedPacket::from_ethernet(&pkt.data),
            DataLink::RAW | DataLink::IPV4 | DataLink::IPV6 => SlicedPacket::from_ip(&pkt.data),
            other => {
                return Err(err(format!(
                    "link type {other:?} (Ethernet or raw IP only)"
                )))
            }
        };
        let Ok(SlicedPacket {
            transport: Some(TransportSlice::Udp(u)),
            ..
        }) = sliced
        else {
            continue; // not UDP: skipped, as the original does
        };
        if u.payload().len() > MAX_PAYLOAD {
            return Err(err(format!(
                "packet {n}: UDP payload of {} bytes, more than {MAX_PAYLOAD}",
                u.payload().len()
            )));
        }
        out.push(Payload {
            port: u.destination_port(),
            bytes: u.payload().to_vec(),
            cookie: None,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests;

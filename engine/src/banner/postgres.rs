//! PostgreSQL (5432): an SSLRequest first. A server that answers `S` offers TLS: our plaintext
//! ClientHello follows and its certificate is reported beside `TLS offered (S)`. One that
//! answers `N` gets a StartupMessage asking for protocol 255.255, as ZGrab2's `postgres` module
//! does on a connection of its own: the ErrorResponse names the protocol versions the server
//! supports, and its fields (severity, SQLSTATE code, message, source file, line and routine)
//! reveal the release range. An ErrorResponse to the SSLRequest itself (servers before 7.1) is
//! reported the same way.

use std::net::IpAddr;

use super::hello::be32;
use super::parser::Parser;
use super::tls_legacy::{Checks, Legacy};
use super::{app, BannerConfig, Found};

/// SSLRequest: length 8, the code 1234.5679.
pub const SSL_REQUEST: [u8; 8] = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];
/// A StartupMessage for protocol 255.255 with no parameters: refused with the versions the
/// server speaks.
pub const STARTUP_255: [u8; 9] = [0, 0, 0, 9, 0, 0xff, 0, 0xff, 0];

/// Whether a reply's first bytes answer an SSLRequest: `S` or `N` alone (the server then waits
/// for us), or an ErrorResponse (servers before 7.1), whose length's high bytes are zero.
pub fn answers_ssl_request(reply: &[u8]) -> bool {
    matches!(reply, [b'S'] | [b'N'] | [b'E', 0, 0, ..])
}

/// Largest ErrorResponse read.
const MAX_MESSAGE: usize = 2048;

pub(crate) fn start(_ip: IpAddr, _cfg: &BannerConfig, out: &mut Vec<u8>) -> Box<dyn Parser> {
    out.extend_from_slice(&SSL_REQUEST);
    Box::<Postgres>::default()
}

#[derive(Default)]
pub struct Postgres {
    /// The answer to the SSLRequest (`S`, `N`, or the first byte of something else).
    answer: Option<u8>,
    /// The message after `N` (or the bytes that were not an answer).
    buf: Vec<u8>,
    tls: Option<Box<Legacy>>,
}

impl Parser for Postgres {
    fn data(&mut self, mut d: &[u8], _cfg: &BannerConfig, out: &mut Vec<u8>) -> bool {
        if let Some(tls) = &mut self.tls {
            return tls.data(d, out);
        }
        if self.answer.is_none() {
            let Some((&a, rest)) = d.split_first() else {
                return false;
            };
            // `S` comes alone: the server waits for our ClientHello (`SSH-2.0` is not it).
            let a = if a == b'S' && !rest.is_empty() { 0 } else { a };
            self.answer = Some(a);
            match a {
                b'S' => {
                    self.tls = Some(Box::new(Legacy::start(None, Checks::default(), out)));
                    return false;
                }
                b'N' => {
                    out.extend_from_slice(&STARTUP_255);
                    d = rest;
                }
                // An ErrorResponse (or not PostgreSQL): kept whole, its first byte too.
                _ => {}
            }
        }
        self.buf.extend_from_slice(d);
        match self.answer {
            Some(b'N' | b'E') => message(&self.buf).is_some() || self.buf.len() >= MAX_MESSAGE,
            _ => true,
        }
    }

    fn in_tls(&self) -> bool {
        self.tls.is_some()
    }

    fn finish(self: Box<Self>, cfg: &BannerConfig, found: &mut Vec<Found>) {
        let text = match self.answer {
            None => return,
            Some(b'S') => "TLS offered (S)".to_string(),
            Some(b'N') => {
                let mut t = "TLS not offered (N)".to_string();
                if !self.buf.is_empty() {
                    t.push_str(", ");
                    t.push_str(&reply(&self.buf));
                }
                t
            }
            Some(b'E') => format!("no SSLRequest, {}", reply(&self.buf)),
            Some(_) => {
                super::hello::unrecognised(&self.buf, found);
                return;
            }
        };
        found.push(Found::new(app::POSTGRES, text));
        if let Some(tls) = self.tls {
            tls.finish(cfg, found);
        }
    }
}

/// The first message, type and body, once all of it is in.
fn message(b: &[u8]) -> Option<(u8, &[u8])> {
    let len = be32(b, 1)? as usize;
    Some((*b.first()?, b.get(5..1 + len.max(4))?))
}

/// The server's reply to our StartupMessage: the error's fields, the protocol range.
fn reply(b: &[u8]) -> String {
    match message(b) {
        Some((b'E', body)) => error(body),
        Some((kind, _)) => format!("message '{}'", char::from(kind).escape_default()),
        None if b.first() == Some(&b'E') => format!("incomplete error ({} bytes)", b.len()),
        None => format!("not a message ({} bytes)", b.len()),
    }
}

/// An ErrorResponse's fields: `protocol 3.0 to 3.0, FATAL 0A000: message (file:line routine)`.
fn error(body: &[u8]) -> String {
    let field = |code: u8| -> Option<String> {
        body.split(|&c| c == 0)
            .find(|f| f.first() == Some(&code))
            .map(|f| super::hello::printable(&f[1..]))
    };
    let severity = field(b'V').or_else(|| field(b'S'));
    let (code, msg) = (field(b'C'), field(b'M'));
    let (file, line, routine) = (field(b'F'), field(b'L'), field(b'R'));
    let mut t = String::new();
    if let Some(r) = msg.as_deref().and_then(protocol_range) {
        t.push_str(&format!("protocol {r}, "));
    }
    t.push_str("error");
    for part in [severity, code].into_iter().flatten() {
        t.push(' ');
        t.push_str(&part);
    }
    if let Some(m) = msg {
        t.push_str(": ");
        t.push_str(&m);
    }
    let at = match (file, line) {
        (Some(f), Some(l)) => Some(format!("{f}:{l}")),
        (f, l) => f.or(l),
    };
    let place: Vec<String> = [at, routine].into_iter().flatten().collect();
    if !place.is_empty() {
        t.push_str(&format!(" ({})", place.join(" ")));
    }
    t
}

/// `3.0 to 3.0` from `... server supports 3.0 to 3.0` (the message of servers since 9.3; older
/// ones say `server supports 1.0 to 3.0`, the same words).
fn protocol_range(msg: &str) -> Option<&str> {
    let at = msg.find("supports ")? + "supports ".len();
    let r = msg[at..].trim_end_matches(['.', ' ']);
    let ok =
        r.split(" to ").count() == 2 && r.chars().all(|c| c.is_ascii_digit() || " .to".contains(c));
    ok.then_some(r)
}

#[cfg(test)]
#[path = "postgres_tests.rs"]
mod tests;

//! AMQP 0-9-1 (5672): the protocol header `AMQP 0 0 9 1`, as ZGrab2's `amqp091` module sends;
//! the broker answers with Connection.Start, whose server-properties table names the product,
//! version, platform and cluster, beside the protocol version, SASL mechanisms and locales. A
//! broker that does not speak 0-9-1 answers with the protocol header it does speak (AMQP 1.0,
//! 0-10 ...), which is reported. AMQP over TLS (5671) gets the TLS hello.

use std::net::IpAddr;

use super::hello::{be16, be32, printable, starts_as, Protocol, Reply};
use super::parser::Parser;
use super::{app, BannerConfig, Found};

/// The protocol header of AMQP 0-9-1.
pub const HEADER: &[u8] = b"AMQP\x00\x00\x09\x01";
/// The server properties reported, in this order.
const PROPERTIES: [&str; 5] = [
    "product",
    "version",
    "platform",
    "cluster_name",
    "copyright",
];
/// Field-table entries read at most.
const MAX_ENTRIES: usize = 64;

pub(crate) fn start(_ip: IpAddr, _cfg: &BannerConfig, out: &mut Vec<u8>) -> Box<dyn Parser> {
    out.extend_from_slice(HEADER);
    parser()
}

/// The parser of a broker's replies, for a connection whose hello was sent elsewhere.
pub(crate) fn parser() -> Box<dyn Parser> {
    Reply::boxed(Protocol {
        is_protocol,
        complete,
        report,
    })
}

/// A broker's protocol header (`AMQP`, a protocol id up to 3, then its version): what it
/// answers a hello it does not speak before it closes (0-9-1 section 4.2.2; 1.0 alike).
pub fn is_header(b: &[u8]) -> bool {
    b.len() >= 8 && b.starts_with(b"AMQP") && b[4] <= 3
}

/// A method frame on channel 0, or a protocol header.
fn is_protocol(b: &[u8]) -> bool {
    starts_as(b, b"\x01\x00\x00") || starts_as(b, b"AMQP")
}

fn complete(b: &[u8]) -> bool {
    if b.starts_with(b"AMQP") {
        return b.len() >= 8;
    }
    be32(b, 3).is_some_and(|size| b.len() as u64 >= 8 + u64::from(size))
}

fn report(b: &[u8], _cfg: &BannerConfig, found: &mut Vec<Found>) {
    let text = if let Some(h) = b.strip_prefix(b"AMQP") {
        match h {
            [id, major, minor, revision, ..] => {
                format!(
                    "protocol header refused, server speaks AMQP {id}-{major}-{minor}-{revision}"
                )
            }
            _ => format!("incomplete protocol header ({} bytes)", b.len()),
        }
    } else {
        // The frame's payload: what of it came, without the frame end.
        let size = be32(b, 3).map_or(0, |s| s as usize);
        let payload = b.get(7..b.len().min(7 + size)).unwrap_or_default();
        let cut = b.len() < 8 + size;
        match (be16(payload, 0), be16(payload, 2)) {
            (Some(10), Some(10)) => start_method(payload, cut),
            (Some(class), Some(method)) => format!("method {class}.{method}"),
            _ => format!("incomplete frame ({} bytes)", b.len()),
        }
    };
    found.push(Found::new(app::AMQP, text));
}

/// Connection.Start: `AMQP 0-9, product RabbitMQ, version 3.10.8, platform Erlang/OTP 25.2.3,
/// mechanisms PLAIN AMQPLAIN, locales en_US`; a cut frame says so.
fn start_method(p: &[u8], cut: bool) -> String {
    let Some(&[major, minor]) = p.get(4..6) else {
        return "Connection.Start, cut".to_string();
    };
    let mut t = format!("AMQP {major}-{minor}");
    let table_len = be32(p, 6).map(|n| n as usize);
    let table = table_len.and_then(|n| p.get(10..10 + n));
    let props = table.map(entries).unwrap_or_default();
    for name in PROPERTIES {
        if let Some((_, v)) = props.iter().find(|(k, _)| k == name) {
            t.push_str(&format!(", {name} {v}"));
        }
    }
    let rest = table_len.and_then(|n| p.get(10 + n..));
    let mechanisms = rest.and_then(|r| longstr(r, 0));
    let locales = match (rest, &mechanisms) {
        (Some(r), Some((_, next))) => longstr(r, *next),
        _ => None,
    };
    match (mechanisms, locales) {
        (Some((m, _)), Some((l, _))) => t.push_str(&format!(", mechanisms {m}, locales {l}")),
        (Some((m, _)), None) => t.push_str(&format!(", mechanisms {m}, cut")),
        _ => t.push_str(", cut"),
    }
    if cut && !t.ends_with(", cut") {
        t.push_str(", cut");
    }
    t
}

/// A long string at `at`: its text and where the next field starts.
fn longstr(b: &[u8], at: usize) -> Option<(String, usize)> {
    let n = be32(b, at)? as usize;
    let end = at.checked_add(4)?.checked_add(n)?;
    Some((printable(b.get(at + 4..end)?), end))
}

/// The string-valued entries of a field table (name, value), up to the first it cannot read.
fn entries(b: &[u8]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < b.len() && out.len() < MAX_ENTRIES {
        let Some(n) = b.get(at).map(|&n| usize::from(n)) else {
            break;
        };
        let Some(name) = b.get(at + 1..at + 1 + n) else {
            break;
        };
        let v = at + 1 + n;
        let Some(&kind) = b.get(v) else { break };
        if kind == b'S' {
            let Some((s, next)) = longstr(b, v + 1) else {
                break;
            };
            out.push((printable(name), s));
            at = next;
            continue;
        }
        match skip(b, v + 1, kind) {
            Some(next) => at = next,
            None => break,
        }
    }
    out
}

/// Where a value of `kind` starting at `at` ends (AMQP 0-9-1's field types as brokers send
/// them), or `None` for a type it does not know or a value past the end.
fn skip(b: &[u8], at: usize, kind: u8) -> Option<usize> {
    let fixed = match kind {
        b'V' => 0,
        b't' | b'b' | b'B' => 1,
        b's' | b'u' => 2,
        b'I' | b'i' | b'f' => 4,
        b'D' => 5,
        b'l' | b'L' | b'd' | b'T' => 8,
        b'S' | b'A' | b'F' | b'x' => 4 + be32(b, at)? as usize,
        _ => return None,
    };
    let end = at.checked_add(fixed)?;
    (end <= b.len()).then_some(end)
}

#[cfg(test)]
#[path = "amqp_tests.rs"]
pub(crate) mod tests;

//! MQTT (1883): a CONNECT of MQTT 3.1.1 (protocol level 4, clean session, no user name or
//! password, our client identifier), as ZGrab2's `mqtt` module sends; reports what the broker's
//! CONNACK says about access: return code 0 is an open broker (anyone may connect without
//! credentials), 4 and 5 (MQTT 5: 0x86, 0x87, 0x8c) mean authentication is required, the rest
//! are refusals for other reasons. An MQTT 5 CONNACK's properties (reason string, maximum QoS,
//! maximum packet size, ...) and an MQTT 5 DISCONNECT's reason code are reported too. MQTT over
//! TLS (8883) gets the TLS hello, as every TLS port does.

use std::net::IpAddr;

use super::hello::{be16, be32, printable, Protocol, Reply};
use super::parser::Parser;
use super::{app, BannerConfig, Found};

/// CONNECT: fixed header (type 1, remaining length 22), "MQTT", level 4, flags: clean session
/// only (no will, no user name, no password), keep-alive 60 s, client identifier "masscan-rs".
pub const CONNECT: &[u8] = b"\x10\x16\x00\x04MQTT\x04\x02\x00\x3c\x00\x0amasscan-rs";
/// The protocol level we speak (MQTT 3.1.1).
#[cfg(test)]
const LEVEL: u8 = 4;
/// Properties listed from one CONNACK at most.
const MAX_PROPERTIES: usize = 16;

pub(crate) fn start(_ip: IpAddr, _cfg: &BannerConfig, out: &mut Vec<u8>) -> Box<dyn Parser> {
    out.extend_from_slice(CONNECT);
    parser()
}

/// The parser of a broker's answer to [`CONNECT`] (sent by `start`, or by `--identify`'s try).
pub(crate) fn parser() -> Box<dyn Parser> {
    Reply::boxed(Protocol {
        is_protocol,
        complete,
        report,
    })
}

/// A CONNACK (type 2) or DISCONNECT (type 14) with its flags 0.
fn is_protocol(b: &[u8]) -> bool {
    matches!(b.first(), Some(0x20 | 0xe0))
}

/// A variable byte integer (at most 4 bytes) at `at`: its value and the bytes it took.
fn varint(b: &[u8], at: usize) -> Option<(usize, usize)> {
    let mut v = 0usize;
    for i in 0..4 {
        let c = *b.get(at + i)?;
        v |= usize::from(c & 0x7f) << (7 * i);
        if c & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

/// The remaining length and where the packet's variable header starts.
fn remaining(b: &[u8]) -> Option<(usize, usize)> {
    varint(b, 1).map(|(len, n)| (len, 1 + n))
}

fn complete(b: &[u8]) -> bool {
    match remaining(b) {
        Some((len, at)) => b.len() >= at + len,
        // Four continuation bytes: not a length, nothing more to wait for.
        None => b.len() >= 5,
    }
}

fn report(b: &[u8], _cfg: &BannerConfig, found: &mut Vec<Found>) {
    let text = match (b[0], remaining(b)) {
        (0x20, Some((len, at))) => match b.get(at..at + 2) {
            Some(&[flags, code]) if len >= 2 => {
                let body = &b[at..b.len().min(at + len)];
                connack(flags, code, len, body)
            }
            _ => format!("incomplete CONNACK ({} bytes)", b.len()),
        },
        (0xe0, Some((len, at))) => match if len == 0 {
            Some(0)
        } else {
            b.get(at).copied()
        } {
            Some(c) if b.len() < at + len => format!("DISCONNECT {} ({c}), cut", reason(c)),
            Some(c) => format!("DISCONNECT {} ({c})", reason(c)),
            None => format!("incomplete DISCONNECT ({} bytes)", b.len()),
        },
        _ => format!("incomplete packet ({} bytes)", b.len()),
    };
    found.push(Found::new(app::MQTT, text));
}

/// `CONNACK accepted (0): open, no authentication; session present no`, then an MQTT 5
/// CONNACK's properties. `len` is the remaining length the header claims, `body` what came of
/// it (flags and code first).
fn connack(flags: u8, code: u8, len: usize, body: &[u8]) -> String {
    let present = if flags & 1 != 0 { "yes" } else { "no" };
    let mut t = format!(
        "CONNACK {} ({code}): {}; session present {present}",
        reason(code),
        access(code)
    );
    if len > 2 {
        t.push_str("; MQTT 5");
        t.push_str(&properties(&body[2..]));
    }
    t
}

/// What a CONNACK's code says about who may use the broker.
fn access(code: u8) -> &'static str {
    match code {
        0 => "open, no authentication",
        4 | 5 | 0x86 | 0x87 | 0x8c => "authentication required",
        1 | 0x84 => "refused, protocol level 4 (3.1.1) not spoken",
        0x8a => "refused, banned",
        _ => "refused",
    }
}

/// MQTT 3.1.1's return codes and MQTT 5's reason codes a broker answers a CONNECT with.
fn reason(code: u8) -> &'static str {
    match code {
        0 => "accepted",
        1 => "unacceptable protocol version",
        2 => "identifier rejected",
        3 => "server unavailable",
        4 => "bad user name or password",
        5 => "not authorized",
        0x80 => "unspecified error",
        0x81 => "malformed packet",
        0x82 => "protocol error",
        0x83 => "implementation specific error",
        0x84 => "unsupported protocol version",
        0x85 => "client identifier not valid",
        0x86 => "bad user name or password",
        0x87 => "not authorized",
        0x88 => "server unavailable",
        0x89 => "server busy",
        0x8a => "banned",
        0x8b => "server shutting down",
        0x8c => "bad authentication method",
        0x8d => "keep alive timeout",
        0x8e => "session taken over",
        0x95 => "packet too large",
        0x97 => "quota exceeded",
        0x9c => "use another server",
        0x9d => "server moved",
        0x9f => "connection rate exceeded",
        _ => "unknown",
    }
}

/// An MQTT 5 property list (its length first) as `, name value` items, bounded; a cut list
/// says where it ended.
fn properties(b: &[u8]) -> String {
    let Some((len, n)) = varint(b, 0) else {
        return " (properties cut)".to_string();
    };
    let end = (n + len).min(b.len());
    let (mut at, mut t, mut count) = (n, String::new(), 0);
    while at < end && count < MAX_PROPERTIES {
        match property(&b[..end], at) {
            Some((item, next)) => {
                t.push_str(", ");
                t.push_str(&item);
                at = next;
                count += 1;
            }
            None => {
                t.push_str(&format!(", property 0x{:02x} cut or unknown", b[at]));
                return t;
            }
        }
    }
    if n + len > b.len() {
        t.push_str(" (properties cut)");
    }
    t
}

/// The property at `at`: its text and where the next one starts.
fn property(b: &[u8], at: usize) -> Option<(String, usize)> {
    let id = *b.get(at)?;
    let v = at + 1;
    let string = |at: usize| -> Option<(String, usize)> {
        let n = usize::from(be16(b, at)?);
        Some((printable(b.get(at + 2..at + 2 + n)?), at + 2 + n))
    };
    let byte = |name: &str| Some((format!("{name} {}", b.get(v)?), v + 1));
    let two = |name: &str| Some((format!("{name} {}", be16(b, v)?), v + 2));
    let four = |name: &str| Some((format!("{name} {}", be32(b, v)?), v + 4));
    let text = |name: &str| string(v).map(|(s, next)| (format!("{name} \"{s}\""), next));
    match id {
        0x11 => four("session expiry"),
        0x12 => text("assigned client identifier"),
        0x13 => two("server keep alive"),
        0x15 => text("authentication method"),
        0x16 => {
            let n = usize::from(be16(b, v)?);
            b.get(v + 2..v + 2 + n)?;
            Some((format!("authentication data ({n} bytes)"), v + 2 + n))
        }
        0x1a => text("response information"),
        0x1c => text("server reference"),
        0x1f => text("reason string"),
        0x21 => two("receive maximum"),
        0x22 => two("topic alias maximum"),
        0x24 => byte("maximum QoS"),
        0x25 => byte("retain available"),
        0x26 => {
            let (k, next) = string(v)?;
            let (val, next) = string(next)?;
            Some((format!("user property \"{k}\"=\"{val}\""), next))
        }
        0x27 => four("maximum packet size"),
        0x28 => byte("wildcard subscriptions"),
        0x29 => byte("subscription identifiers"),
        0x2a => byte("shared subscriptions"),
        _ => None,
    }
}

#[cfg(test)]
#[path = "mqtt_tests.rs"]
mod tests;

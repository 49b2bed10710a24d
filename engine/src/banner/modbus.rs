//! Modbus/TCP (502): a Read Device Identification request (function 0x2B, MEI type 0x0E, basic
//! objects from object 0, unit 0), as ZGrab2's `modbus` module sends; reports the device's
//! identification objects (vendor name, product code, revision, and the regular ones when a
//! device sends them: vendor URL, product name, model name, user application name), its
//! conformity level, or the exception a device that does not implement the function answers
//! with (itself proof that Modbus is spoken there).

use std::net::IpAddr;

use super::hello::{be16, opens_with, printable, Protocol, Reply};
use super::parser::Parser;
use super::{app, BannerConfig, Found};

/// MBAP header (transaction 1, protocol 0, length 5, unit 0), then the PDU: function 0x2B,
/// MEI type 0x0E, read device ID code 1 (basic), object id 0.
pub const REQUEST: &[u8] = b"\x00\x01\x00\x00\x00\x05\x00\x2b\x0e\x01\x00";
/// The largest Modbus/TCP frame: 7 bytes of MBAP and a 253-byte PDU.
const MAX_FRAME: usize = 260;

pub(crate) fn start(_ip: IpAddr, _cfg: &BannerConfig, out: &mut Vec<u8>) -> Box<dyn Parser> {
    out.extend_from_slice(REQUEST);
    Reply::boxed(Protocol {
        is_protocol,
        complete,
        report,
    })
}

/// Our transaction id and protocol 0, as far as the bytes go.
fn is_protocol(b: &[u8]) -> bool {
    opens_with(b, &REQUEST[..4])
}

fn complete(b: &[u8]) -> bool {
    match be16(b, 4) {
        Some(len) => b.len() >= 6 + usize::from(len) || b.len() >= MAX_FRAME,
        None => false,
    }
}

fn report(b: &[u8], _cfg: &BannerConfig, found: &mut Vec<Found>) {
    let (Some(len), Some(&unit)) = (be16(b, 4), b.get(6)) else {
        found.push(Found::new(
            app::MODBUS,
            format!("incomplete header ({} bytes)", b.len()),
        ));
        return;
    };
    // The PDU: what came of it, after the unit id.
    let pdu = &b[7..b.len().min(6 + usize::from(len).max(1))];
    let text = match pdu {
        [0x2b, 0x0e, rest @ ..] => device_id(unit, rest),
        [0xab, code, ..] => format!("unit {unit}, exception {code:#04x} {}", exception(*code)),
        [f @ (0x2b | 0xab)] => format!("unit {unit}, function {f:#04x}, cut"),
        [f, ..] => format!("unit {unit}, function {f:#04x}"),
        [] => format!("unit {unit}, incomplete response ({} bytes)", b.len()),
    };
    found.push(Found::new(app::MODBUS, text));
}

/// The Read Device Identification response after its MEI type: code, conformity level, more
/// follows, next object id, object count, then the objects.
fn device_id(unit: u8, r: &[u8]) -> String {
    let mut t = format!("unit {unit}");
    let Some(&[_code, conformity, more, _next, count]) = r.get(..5) else {
        t.push_str(", device identification cut");
        return t;
    };
    let mut at = 5;
    for _ in 0..count {
        let (Some(&id), Some(&n)) = (r.get(at), r.get(at + 1)) else {
            t.push_str(", cut");
            return t;
        };
        let Some(value) = r.get(at + 2..at + 2 + usize::from(n)) else {
            t.push_str(", cut");
            return t;
        };
        t.push_str(&format!(", {} {}", object(id), printable(value)));
        at += 2 + usize::from(n);
    }
    t.push_str(&format!(
        ", conformity {conformity:#04x} ({})",
        level(conformity)
    ));
    if more == 0xff {
        t.push_str(", more objects");
    }
    t
}

/// The names of the identification objects.
fn object(id: u8) -> String {
    match id {
        0 => "vendor".to_string(),
        1 => "product code".to_string(),
        2 => "revision".to_string(),
        3 => "vendor URL".to_string(),
        4 => "product name".to_string(),
        5 => "model name".to_string(),
        6 => "user application".to_string(),
        _ => format!("object {id:#04x}"),
    }
}

/// What a conformity level says the device offers.
fn level(c: u8) -> &'static str {
    match c & 0x7f {
        1 => "basic",
        2 => "regular",
        3 => "extended",
        _ => "unknown",
    }
}

/// The exception codes a device answers an unknown request with.
fn exception(code: u8) -> &'static str {
    match code {
        1 => "illegal function",
        2 => "illegal data address",
        3 => "illegal data value",
        4 => "server device failure",
        5 => "acknowledge",
        6 => "server device busy",
        0x0a => "gateway path unavailable",
        0x0b => "gateway target device failed to respond",
        _ => "unknown",
    }
}

#[cfg(test)]
#[path = "modbus_tests.rs"]
mod tests;

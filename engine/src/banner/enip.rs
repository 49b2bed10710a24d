//! EtherNet/IP (44818): the encapsulation layer's ListIdentity request (command 0x0063, no
//! session), which every EtherNet/IP device answers before any session is registered, as Nmap's
//! `enip-info` and LZR send. Reports the CIP Identity item of the reply (ODVA's EtherNet/IP
//! specification, vol. 2, ch. 2-4): vendor id (named for the common vendors), device type,
//! product code, revision, status word, serial number, product name, state, and the socket
//! address the device says it has (often a private address behind NAT); or the encapsulation
//! status of a device that refused the command.

use std::net::{IpAddr, Ipv4Addr};

use super::hello::{be16, be32, le16, le32, opens_with, printable, Protocol, Reply};
use super::parser::Parser;
use super::{app, BannerConfig, Found};

/// The encapsulation header, 24 bytes, little-endian: command 0x0063 (ListIdentity), length 0,
/// session handle 0, status 0, an 8-byte sender context of ours (echoed back), options 0.
pub const REQUEST: &[u8] = b"\x63\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\
masscan\x00\x00\x00\x00\x00";
const HEADER: usize = 24;
/// The item type of a CIP Identity item.
const CIP_IDENTITY: u16 = 0x000c;
/// Largest reply read: a device has one identity item of at most ~70 bytes.
const MAX_REPLY: usize = 600;

pub(crate) fn start(_ip: IpAddr, _cfg: &BannerConfig, out: &mut Vec<u8>) -> Box<dyn Parser> {
    out.extend_from_slice(REQUEST);
    Reply::boxed(Protocol {
        is_protocol,
        complete,
        report,
    })
}

/// The reply's command is ours (0x0063), as far as the bytes go.
fn is_protocol(b: &[u8]) -> bool {
    opens_with(b, &REQUEST[..2])
}

fn complete(b: &[u8]) -> bool {
    match le16(b, 2) {
        Some(len) => b.len() >= HEADER + usize::from(len) || b.len() >= MAX_REPLY,
        None => false,
    }
}

fn report(b: &[u8], _cfg: &BannerConfig, found: &mut Vec<Found>) {
    let text = match (le16(b, 2), le32(b, 8)) {
        (Some(_), Some(status)) if status != 0 => {
            format!(
                "ListIdentity refused, status {status:#x} ({})",
                status_name(status)
            )
        }
        (Some(len), Some(_)) if b.len() >= HEADER => {
            let data = &b[HEADER..b.len().min(HEADER + usize::from(len))];
            items(data)
        }
        _ => format!("incomplete header ({} bytes)", b.len()),
    };
    found.push(Found::new(app::ENIP, text));
}

/// The reply's items: the first CIP Identity item in full, the others by type.
fn items(d: &[u8]) -> String {
    let Some(count) = le16(d, 0) else {
        return "no items".to_string();
    };
    let mut at = 2;
    let mut others = Vec::new();
    for _ in 0..count {
        let (Some(kind), Some(len)) = (le16(d, at), le16(d, at + 2)) else {
            return "item cut".to_string();
        };
        let body = &d[(at + 4).min(d.len())..d.len().min(at + 4 + usize::from(len))];
        if kind == CIP_IDENTITY {
            return identity(body);
        }
        others.push(format!("item {kind:#06x}"));
        at += 4 + usize::from(len);
    }
    match others.is_empty() {
        true => "no identity item".to_string(),
        false => format!("no identity item ({})", others.join(", ")),
    }
}

/// A CIP Identity item: protocol version, socket address (big-endian, as `sockaddr_in`), then
/// the Identity object's attributes, little-endian.
fn identity(b: &[u8]) -> String {
    let (Some(family), Some(port), Some(addr)) = (be16(b, 2), be16(b, 4), be32(b, 6)) else {
        return "identity cut".to_string();
    };
    let (Some(vendor), Some(kind), Some(code)) = (le16(b, 18), le16(b, 20), le16(b, 22)) else {
        return "identity cut".to_string();
    };
    let (Some(&[major, minor]), Some(status), Some(serial)) =
        (b.get(24..26), le16(b, 26), le32(b, 28))
    else {
        return "identity cut".to_string();
    };
    let mut t = format!(
        "vendor {vendor} ({}), device type {kind} ({}), product code {code}, revision \
         {major}.{minor}, status {status:#06x}, serial {serial:#010x}",
        vendor_name(vendor),
        device_type(kind),
    );
    let name_len = b.get(32).map(|&n| usize::from(n));
    match name_len.and_then(|n| b.get(33..33 + n)) {
        Some(name) => {
            t.push_str(&format!(", product name {}", printable(name)));
            match b.get(33 + name_len.unwrap_or(0)) {
                Some(state) => t.push_str(&format!(", state {state:#04x}")),
                None => t.push_str(", state cut"),
            }
        }
        None => t.push_str(", product name cut"),
    }
    if family == 2 {
        t.push_str(&format!(", address {}:{port}", Ipv4Addr::from(addr)));
    } else {
        t.push_str(&format!(", address family {family}"));
    }
    t
}

/// Vendor names of the CIP vendor ids most often met (ODVA's registry, as Wireshark's and
/// Nmap's tables give it).
fn vendor_name(id: u16) -> &'static str {
    match id {
        1 => "Rockwell Automation/Allen-Bradley",
        5 => "Rockwell Automation/Reliance Electric",
        26 => "Festo",
        40 => "WAGO",
        47 => "Omron",
        50 => "Real Time Automation",
        57 => "Pepperl+Fuchs",
        82 => "Mitsubishi Electric Automation",
        90 => "HMS Industrial Networks",
        108 => "Beckhoff Automation",
        145 => "Siemens Energy & Automation",
        161 => "Mitsubishi Electric",
        243 => "Schneider Automation",
        283 => "Hilscher",
        309 => "ProSoft Technology",
        326 => "GE Fanuc Automation",
        _ => "unknown vendor",
    }
}

/// CIP device profiles (ODVA's device type numbers).
fn device_type(t: u16) -> &'static str {
    match t {
        0 => "generic device (deprecated)",
        2 => "AC drive",
        3 => "motor overload",
        6 => "photoelectric sensor",
        7 => "general purpose discrete I/O",
        12 => "communications adapter",
        14 => "programmable logic controller",
        16 => "position controller",
        19 => "DC drive",
        22 => "motor starter",
        24 => "human-machine interface",
        27 => "pneumatic valve",
        34 => "encoder",
        35 => "safety discrete I/O",
        37 => "CIP motion drive",
        43 => "generic device (keyable)",
        44 => "managed switch",
        _ => "unknown type",
    }
}

/// Encapsulation status codes.
fn status_name(s: u32) -> &'static str {
    match s {
        1 => "invalid or unsupported command",
        2 => "insufficient memory",
        3 => "incorrect data",
        0x64 => "invalid session handle",
        0x65 => "invalid length",
        0x69 => "unsupported protocol version",
        _ => "unknown",
    }
}

#[cfg(test)]
#[path = "enip_tests.rs"]
mod tests;

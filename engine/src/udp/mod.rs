//! UDP, sans-IO: the payloads a scan sends ([`payloads`]) and what the replies say. A reply is
//! parsed by the protocol of the port it came from (DNS, SNMP, NTP, NetBIOS, memcached,
//! ISAKMP, CoAP, SSDP, BACnet); anything else is reported as its raw bytes. Every parser takes
//! arbitrary bytes, allocates at most a bounded banner and never panics.

pub mod bacnet;
pub mod coap;
pub mod dns;
pub mod dtls;
pub mod isakmp;
pub mod netbios;
pub mod ntp;
pub mod payload_files;
pub mod payloads;
pub mod snmp;

use crate::banner::{app, memcached, Found};

pub use payloads::{CookieField, Payload};

/// Most bytes of a reply kept as a raw banner.
pub const RAW_MAX: usize = 512;

/// The banner of a reply from UDP port `port`: parsed when the port's protocol is known and
/// the reply reads as one, otherwise its raw bytes (`app_proto` 0, as the original); `None`
/// for an empty reply. `ip_mismatch` marks a reply that did not bring back our cookie
/// (another address answered), as the original marks it.
pub fn banner(port: u16, reply: &[u8], ip_mismatch: bool) -> Option<Found> {
    let mut found = parse(port, reply).or_else(|| {
        (!reply.is_empty()).then(|| Found::new(0, &reply[..reply.len().min(RAW_MAX)]))
    })?;
    if ip_mismatch {
        found.text.extend_from_slice(b" IP-MISMATCH");
    }
    Some(found)
}

/// The parsed banner of a reply from `port`, `None` when the port has no parser or the reply
/// does not read as its protocol.
pub fn parse(port: u16, reply: &[u8]) -> Option<Found> {
    let (app, text) = match port {
        53 => (app::DNS_VERSION, dns::banner(reply)?),
        123 => (app::NTP, ntp::banner(reply)?),
        137 => (app::NBTSTAT, netbios::banner(reply)?),
        161 => (app::SNMP, snmp::banner(reply)?),
        500 | 4500 => (app::ISAKMP, isakmp::banner(reply)?),
        1900 => (app::SSDP, ssdp(reply)?),
        5683 => (app::COAP, coap::banner(reply)?),
        11211 => (app::MEMCACHED, memcached_udp(reply)?),
        47808 => (app::BACNET, bacnet::banner(reply)?),
        _ => return None,
    };
    Some(Found::new(app, text))
}

/// memcached over UDP: an 8-byte frame header, then the `stats` answer.
fn memcached_udp(reply: &[u8]) -> Option<Vec<u8>> {
    let body = reply.get(8..)?;
    if !body.starts_with(b"STAT ") {
        return None;
    }
    Some(memcached::stats_text(&body[..body.len().min(4096)]))
}

/// An SSDP answer (HTTP over UDP): its SERVER, LOCATION and ST headers.
fn ssdp(reply: &[u8]) -> Option<Vec<u8>> {
    if !reply.starts_with(b"HTTP/1.") {
        return None;
    }
    let mut out = Vec::new();
    for line in reply.split(|&c| c == b'\n').skip(1).take(64) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|&c| c == b':') else {
            continue;
        };
        let name = &line[..colon];
        if ["server", "location", "st"]
            .iter()
            .any(|n| name.eq_ignore_ascii_case(n.as_bytes()))
        {
            if !out.is_empty() {
                out.push(b' ');
            }
            out.extend(name.iter().map(u8::to_ascii_uppercase));
            out.push(b':');
            out.extend_from_slice(line[colon + 1..].trim_ascii());
        }
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests;

//! DNP3 over TCP (20000): the data link layer's Request Link Status (function 9), sent as
//! ZGrab2's `dnp3` module sends it, from master address 0 to each of the destination addresses
//! 0-99 (an outstation answers only the frames sent to its own address); reports whether the
//! reply is DNP3 (start bytes 0x05 0x64) and its first frame's link function, source and
//! destination addresses, direction and flags, with the CRC of its header and of each user
//! data block checked (a bad CRC is named with the value sent and the one computed), the
//! application function of user data, and how many frames followed. Frame layout and CRC
//! (CRC-16/DNP) from IEEE 1815-2012 clause 9.2.

use std::net::IpAddr;
use std::sync::LazyLock;

use super::hello::{le16, opens_with, Protocol, Reply};
use super::parser::Parser;
use super::{app, BannerConfig, Found};

/// The link header: start (2), length, control, destination (2), source (2), CRC (2).
const HEADER: usize = 10;
/// User data bytes in a block before its CRC.
const BLOCK: usize = 16;
/// Destinations asked (0..DESTINATIONS), as ZGrab2 asks.
const DESTINATIONS: u16 = 100;
/// Our (master) address.
const MASTER: u16 = 0;
/// Control byte of the request: DIR (from the master), PRM (primary), function 9.
const REQUEST_LINK_STATUS: u8 = 0xc0 | 9;

static CRC: crc::Crc<u16> = crc::Crc::<u16>::new(&crc::CRC_16_DNP);

/// Request Link Status frames to every destination asked, one after the other.
pub static REQUEST: LazyLock<Vec<u8>> = LazyLock::new(|| {
    (0..DESTINATIONS)
        .flat_map(|dst| header(5, REQUEST_LINK_STATUS, dst, MASTER))
        .collect()
});

/// A link header with its CRC: `len` counts control, addresses and user data.
fn header(len: u8, control: u8, dst: u16, src: u16) -> [u8; HEADER] {
    let mut h = [0u8; HEADER];
    h[..4].copy_from_slice(&[0x05, 0x64, len, control]);
    h[4..6].copy_from_slice(&dst.to_le_bytes());
    h[6..8].copy_from_slice(&src.to_le_bytes());
    let crc = CRC.checksum(&h[..8]);
    h[8..].copy_from_slice(&crc.to_le_bytes());
    h
}

pub(crate) fn start(_ip: IpAddr, _cfg: &BannerConfig, out: &mut Vec<u8>) -> Box<dyn Parser> {
    out.extend_from_slice(&REQUEST);
    Reply::boxed(Protocol {
        is_protocol,
        complete,
        report,
    })
}

/// The start bytes, as far as the bytes go.
fn is_protocol(b: &[u8]) -> bool {
    opens_with(b, &[0x05, 0x64])
}

/// One whole frame is in.
fn complete(b: &[u8]) -> bool {
    b.get(2).is_some_and(|&len| b.len() >= frame_len(len))
}

/// A frame's bytes on the wire for its length field: the header, then the user data
/// (`len` - 5 bytes) in blocks of 16 each followed by its CRC.
fn frame_len(len: u8) -> usize {
    let data = usize::from(len.saturating_sub(5));
    HEADER + data + 2 * data.div_ceil(BLOCK)
}

fn report(b: &[u8], _cfg: &BannerConfig, found: &mut Vec<Found>) {
    let mut t = frame(b);
    // Whole frames after the first (an outstation that answers several addresses).
    let mut more = 0;
    let mut at = b.get(2).map_or(b.len(), |&len| frame_len(len));
    while let Some(rest) = b
        .get(at..)
        .filter(|r| r.len() >= HEADER && r[..2] == [0x05, 0x64])
    {
        more += 1;
        at += frame_len(rest[2]);
    }
    if more > 0 {
        t.push_str(&format!(", {more} more frames"));
    }
    found.push(Found::new(app::DNP3, t));
}

/// The first frame of `b` (which starts with the start bytes): its header's fields and CRC,
/// then its user data's.
fn frame(b: &[u8]) -> String {
    let Some(h) = b.get(..HEADER) else {
        return format!("incomplete header ({} bytes)", b.len());
    };
    let (len, control) = (h[2], h[3]);
    let (dst, src) = (le16(h, 4).unwrap_or(0), le16(h, 6).unwrap_or(0));
    let prm = control & 0x40 != 0;
    let function = control & 0x0f;
    let mut t = format!(
        "function {} ({function}), source {src}, destination {dst}, from {}",
        function_name(prm, function),
        if control & 0x80 != 0 {
            "master"
        } else {
            "outstation"
        },
    );
    if prm {
        t.push_str(&format!(
            ", FCB {} FCV {}",
            control >> 5 & 1,
            control >> 4 & 1
        ));
    } else {
        t.push_str(&format!(", DFC {}", control >> 4 & 1));
    }
    check(&h[..8], &h[8..], "header", &mut t);
    if len < 5 {
        t.push_str(&format!(", bad length {len}"));
        return t;
    }
    user_data(&b[HEADER..], usize::from(len - 5), &mut t);
    t
}

/// Names a CRC that does not match its bytes.
fn check(bytes: &[u8], sent: &[u8], what: &str, t: &mut String) {
    let computed = CRC.checksum(bytes);
    let sent = u16::from_le_bytes([sent[0], sent[1]]);
    if sent != computed {
        t.push_str(&format!(
            ", bad {what} CRC {sent:#06x} (computed {computed:#06x})"
        ));
    }
}

/// `n` bytes of user data in CRC'd blocks after the header: their length, each block's CRC,
/// and the application function (after the transport and application control bytes).
fn user_data(b: &[u8], n: usize, t: &mut String) {
    if n == 0 {
        return;
    }
    t.push_str(&format!(", user data {n} bytes"));
    let mut data = Vec::with_capacity(n);
    let (mut at, mut block) = (0, 1);
    while data.len() < n {
        let take = (n - data.len()).min(BLOCK);
        let (Some(d), Some(c)) = (b.get(at..at + take), b.get(at + take..at + take + 2)) else {
            t.push_str(&format!(" (cut after {} bytes)", data.len()));
            return;
        };
        check(d, c, &format!("data block {block}"), t);
        data.extend_from_slice(d);
        at += take + 2;
        block += 1;
    }
    if let Some(&f) = data.get(2) {
        t.push_str(&format!(
            ", application function {f:#04x} {}",
            application_function(f)
        ));
    }
}

/// The link function codes (primary frames from the initiating station, secondary ones
/// answering).
fn function_name(prm: bool, f: u8) -> &'static str {
    match (prm, f) {
        (true, 0) => "RESET_LINK_STATES",
        (true, 1) => "RESET_USER_PROCESS",
        (true, 2) => "TEST_LINK_STATES",
        (true, 3) => "CONFIRMED_USER_DATA",
        (true, 4) => "UNCONFIRMED_USER_DATA",
        (true, 9) => "REQUEST_LINK_STATUS",
        (false, 0) => "ACK",
        (false, 1) => "NACK",
        (false, 11) => "LINK_STATUS",
        (false, 14) => "NOT_FUNCTIONING",
        (false, 15) => "NOT_SUPPORTED",
        _ => "unknown",
    }
}

/// The application functions an outstation sends unasked or in answer.
fn application_function(f: u8) -> &'static str {
    match f {
        0x00 => "CONFIRM",
        0x01 => "READ",
        0x81 => "RESPONSE",
        0x82 => "UNSOLICITED_RESPONSE",
        0x83 => "AUTHENTICATE_RESP",
        _ => "unknown",
    }
}

#[cfg(test)]
#[path = "dnp3_tests.rs"]
mod tests;

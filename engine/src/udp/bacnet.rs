//! BACnet/IP (UDP 47808, ASHRAE 135 Annex J): the request a scan sends and what the reply
//! says. The request is one confirmed ReadPropertyMultiple of the device object by its
//! wildcard instance (4194303, which every device takes as its own) for the properties
//! ZGrab2's `bacnet` module reads one ReadProperty at a time: object identifier (the instance
//! number), vendor identifier, vendor name, firmware revision, application software version,
//! object name, model name, description and location. One datagram, because a target's
//! further UDP replies on the same port are duplicates to the receive side (one result per
//! address, protocol and port), so one request per property would report only the first.
//!
//! The reply is read through its BVLC header (Original-Unicast/Broadcast-NPDU, Forwarded-NPDU,
//! BVLC-Result), its NPDU (a routed reply's source network and address, a network-layer
//! message) and its APDU: a ComplexACK of ReadPropertyMultiple or ReadProperty gives each
//! property as `name value` under ZGrab2's field names (`instance_number 389001, vendor_id 260,
//! vendor_name ...`), a property the device does not have its error (`location error
//! property/unknown-property`); an Error, Reject or Abort PDU is named with its class and code
//! or reason; an I-Am its instance and vendor. The invoke id carries one byte of the cookie
//! ([`invoke_id`]). Arbitrary bytes are read without panicking; the text is bounded.

use std::fmt::Write as _;

/// Offset of the invoke id in [`request`] (BVLC 4 bytes, NPDU 2, then the APDU's type and
/// size bytes).
pub const INVOKE_ID_AT: usize = 8;

/// The wildcard device object: type 8 (device), instance 4194303.
const DEVICE_WILDCARD: [u8; 4] = [0x02, 0x3f, 0xff, 0xff];

/// The properties asked for, in ZGrab2's order, with its field names.
const PROPERTIES: [(u32, &str); 9] = [
    (75, "instance_number"),
    (120, "vendor_id"),
    (121, "vendor_name"),
    (44, "firmware_revision"),
    (12, "application_software_revision"),
    (77, "object_name"),
    (70, "model_name"),
    (28, "description"),
    (58, "location"),
];

/// Most text a reply gives.
const MAX_TEXT: usize = 2048;
/// Most properties (or values in one property) read from one reply.
const MAX_ITEMS: usize = 64;

/// BVLC (Original-Unicast-NPDU), NPDU (version 1, expecting a reply), then a confirmed
/// request APDU (not segmented, segmented reply not accepted, up to 1476 bytes accepted,
/// invoke id 0: set per probe) of ReadPropertyMultiple (service 14): the device wildcard
/// (context tag 0), the list of property references (opening tag 1, each property id as
/// context tag 0, closing tag 1).
pub fn request() -> Vec<u8> {
    let mut apdu = vec![0x00, 0x05, 0x00, 14, 0x0c];
    apdu.extend_from_slice(&DEVICE_WILDCARD);
    apdu.push(0x1e);
    for (id, _) in PROPERTIES {
        apdu.extend_from_slice(&[0x09, id as u8]);
    }
    apdu.push(0x1f);
    let len = (4 + 2 + apdu.len()) as u16;
    let mut p = vec![0x81, 0x0a];
    p.extend_from_slice(&len.to_be_bytes());
    p.extend_from_slice(&[0x01, 0x04]);
    p.extend_from_slice(&apdu);
    debug_assert_eq!(p[INVOKE_ID_AT - 2..INVOKE_ID_AT], [0x00, 0x05]);
    p
}

/// The invoke id of a reply's APDU (an acknowledgement, error, reject or abort: the PDU types
/// that answer a confirmed request), where our cookie comes back.
pub fn invoke_id(reply: &[u8]) -> Option<u64> {
    let (_, npdu) = bvlc(reply).ok()?;
    let (_, apdu) = npdu_header(npdu)?;
    let apdu = apdu.ok()?;
    match apdu.first()? >> 4 {
        2 | 3 | 5 | 6 | 7 => apdu.get(1).map(|&id| u64::from(id)),
        _ => None,
    }
}

/// The banner of a reply, `None` when it is no BACnet/IP.
pub fn banner(reply: &[u8]) -> Option<Vec<u8>> {
    let mut t = String::new();
    match bvlc(reply) {
        Err(text) => t.push_str(&text?),
        Ok((forwarded, npdu)) => {
            if let Some(from) = forwarded {
                let _ = write!(t, "forwarded from {from}, ");
            }
            match npdu_header(npdu) {
                None => t.push_str("NPDU cut"),
                Some((route, apdu)) => {
                    match apdu {
                        Ok(apdu) => self::apdu(apdu, &mut t),
                        Err(network) => t.push_str(&network),
                    }
                    t.push_str(&route);
                }
            }
        }
    }
    let mut end = t.len().min(MAX_TEXT);
    while !t.is_char_boundary(end) {
        end -= 1;
    }
    t.truncate(end);
    Some(t.into_bytes())
}

/// The NPDU of a BVLC message carrying one (and for a Forwarded-NPDU the original source), or
/// the text of one that carries none (`Err(None)`: no BVLC at all).
fn bvlc(b: &[u8]) -> Result<(Option<String>, &[u8]), Option<String>> {
    let &[0x81, function, ..] = b else {
        return Err(None);
    };
    if function > 0x0c {
        return Err(None);
    }
    let Some(len) = b
        .get(2..4)
        .map(|l| usize::from(u16::from_be_bytes([l[0], l[1]])))
    else {
        return Err(Some(format!("BVLC {} cut", bvlc_name(function))));
    };
    // The datagram's bytes, as far as the length field says.
    let body = &b[4..b.len().min(len.max(4))];
    match function {
        0x09..=0x0b => Ok((None, body)),
        0x04 => match body.get(..6) {
            Some(a) => {
                let port = u16::from_be_bytes([a[4], a[5]]);
                let from = format!("{}.{}.{}.{}:{port}", a[0], a[1], a[2], a[3]);
                Ok((Some(from), &body[6..]))
            }
            None => Err(Some("BVLC Forwarded-NPDU cut".into())),
        },
        0x00 => Err(Some(match body.get(..2) {
            Some(r) => {
                let code = u16::from_be_bytes([r[0], r[1]]);
                format!("BVLC-Result {code:#06x} {}", result_name(code))
            }
            None => "BVLC-Result cut".into(),
        })),
        f => Err(Some(format!("BVLC {}", bvlc_name(f)))),
    }
}

/// The NPDU header (clause 6.2): version 1, control, then the destination (network, length,
/// address), the source (likewise), the hop count when a destination is there. Returns the
/// route text (`, from network 5 address 0a0b`) and the APDU, or the text of a network-layer
/// message; `None` when the header is cut or not version 1.
#[allow(clippy::type_complexity)]
fn npdu_header(b: &[u8]) -> Option<(String, Result<&[u8], String>)> {
    let &[1, control, ..] = b else {
        return None;
    };
    let mut at = 2;
    let mut address = |b: &[u8]| -> Option<(u16, Vec<u8>)> {
        let net = u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?);
        let len = usize::from(*b.get(at + 2)?);
        let addr = b.get(at + 3..at + 3 + len)?.to_vec();
        at += 3 + len;
        Some((net, addr))
    };
    let dest = if control & 0x20 != 0 {
        Some(address(b)?)
    } else {
        None
    };
    let source = if control & 0x08 != 0 {
        Some(address(b)?)
    } else {
        None
    };
    if dest.is_some() {
        b.get(at)?;
        at += 1; // hop count
    }
    let mut route = String::new();
    if let Some((net, addr)) = source {
        let _ = write!(route, ", from network {net} address {}", hex(&addr));
    }
    if control & 0x80 != 0 {
        let Some(&kind) = b.get(at) else {
            return Some((route, Err("network message cut".into())));
        };
        let name = network_message(kind);
        return Some((route, Err(format!("network message {kind:#04x} {name}"))));
    }
    Some((route, Ok(&b[at..])))
}

/// The APDU (clause 20.1): its type in the first byte's high nibble.
fn apdu(a: &[u8], t: &mut String) {
    let Some(&first) = a.first() else {
        t.push_str("APDU missing");
        return;
    };
    let (id, service) = (a.get(1), a.get(2));
    match (first >> 4, id, service) {
        (3, Some(_), _) => complex_ack(first, a, t),
        (2, Some(_), Some(&s)) => {
            let _ = write!(t, "SimpleACK {}", confirmed_service(s));
        }
        (5, Some(_), Some(&s)) => {
            let _ = write!(t, "Error {}: ", confirmed_service(s));
            error(&a[3..], t);
        }
        (6, Some(_), Some(&r)) => {
            let _ = write!(t, "Reject {} ({r})", reject_reason(r));
        }
        (7, Some(_), Some(&r)) => {
            let by = if first & 1 != 0 { "server" } else { "client" };
            let _ = write!(t, "Abort by {by}: {} ({r})", abort_reason(r));
        }
        (1, _, _) => unconfirmed(a, t),
        (0, _, _) => t.push_str("confirmed request"),
        (4, _, _) => t.push_str("SegmentACK"),
        (2 | 3 | 5 | 6 | 7, _, _) => {
            let _ = write!(t, "{} cut", pdu_name(first >> 4));
        }
        (k, _, _) => {
            let _ = write!(t, "APDU type {k}");
        }
    }
}

fn pdu_name(k: u8) -> &'static str {
    match k {
        2 => "SimpleACK",
        3 => "ComplexACK",
        5 => "Error",
        6 => "Reject",
        _ => "Abort",
    }
}

/// A ComplexACK: invoke id, (sequence number and window when segmented), the service, then its
/// result.
fn complex_ack(first: u8, a: &[u8], t: &mut String) {
    let segmented = first & 0x08 != 0;
    let at = if segmented { 4 } else { 2 };
    let Some(&service) = a.get(at) else {
        t.push_str("ComplexACK cut");
        return;
    };
    let body = &a[at + 1..];
    if segmented {
        t.push_str("segment of ");
    }
    match service {
        14 => read_property_multiple(body, t),
        12 => read_property(body, t),
        s => {
            let _ = write!(t, "ComplexACK {}", confirmed_service(s));
        }
    }
}

/// A ReadPropertyMultiple-ACK: read access results, each an object identifier (context 0)
/// and a list of results (opening 1 .. closing 1): property id (context 2), array index
/// (context 3, optional), then the value (opening 4 .. closing 4) or the error (opening 5 ..
/// closing 5).
fn read_property_multiple(b: &[u8], t: &mut String) {
    if b.is_empty() {
        t.push_str("ReadPropertyMultiple-ACK");
        return cut(t);
    }
    let mut r = Reader { b, at: 0 };
    let mut items = 0;
    let mut sep = "";
    while r.at < b.len() && items < MAX_ITEMS {
        let Some(object) = r.context_value(0) else {
            return cut(t);
        };
        // Another object than the device asked about is named (a device answers for itself,
        // by the wildcard or by its own instance).
        if object_id(object).is_some_and(|(kind, _)| kind != 8) {
            let _ = write!(t, "{sep}object {}", object_text(object));
            sep = ", ";
        }
        if !r.opening(1) {
            return cut(t);
        }
        while !r.closing(1) {
            items += 1;
            if items > MAX_ITEMS {
                return;
            }
            let Some(pid) = r.context_value(2).and_then(unsigned) else {
                return cut(t);
            };
            let index = r.peek_context(3).then(|| r.context_value(3)).flatten();
            t.push_str(sep);
            sep = ", ";
            property_name(pid, t);
            if let Some(i) = index.and_then(unsigned) {
                let _ = write!(t, "[{i}]");
            }
            if r.opening(4) {
                if !values(&mut r, 4, pid, t) {
                    return cut(t);
                }
            } else if r.opening(5) {
                t.push_str(" error ");
                let Some(end) = r.skip_to_closing(5) else {
                    return cut(t);
                };
                error(end, t);
            } else {
                return cut(t);
            }
        }
    }
    if items == 0 {
        t.push_str("ReadPropertyMultiple-ACK with no results");
    }
}

/// A ReadProperty-ACK: object identifier (context 0), property id (context 1), array index
/// (context 2, optional), the value (opening 3 .. closing 3).
fn read_property(b: &[u8], t: &mut String) {
    let mut r = Reader { b, at: 0 };
    let (Some(_), Some(pid)) = (r.context_value(0), r.context_value(1).and_then(unsigned)) else {
        t.push_str("ReadProperty-ACK");
        return cut(t);
    };
    if r.peek_context(2) {
        let _ = r.context_value(2);
    }
    property_name(pid, t);
    if !r.opening(3) || !values(&mut r, 3, pid, t) {
        cut(t);
    }
}

fn cut(t: &mut String) {
    t.push_str(", cut");
}

/// The values of a property up to the closing tag `close`: each application-tagged value
/// written after the property's name; constructed (context-tagged) values are named, not
/// decoded. False when the closing tag never comes.
fn values(r: &mut Reader, close: u8, pid: u64, t: &mut String) -> bool {
    let mut n = 0;
    loop {
        if r.closing(close) {
            if n == 0 {
                t.push_str(" (empty)");
            }
            return true;
        }
        let Some(tag) = r.tag() else {
            return false;
        };
        n += 1;
        if n > MAX_ITEMS {
            return false;
        }
        t.push(' ');
        match tag {
            Tag::Open(k) => {
                if r.skip_to_closing(k).is_none() {
                    return false;
                }
                t.push_str("(constructed)");
            }
            Tag::Close(_) => return false,
            Tag::Context(..) => t.push_str("(context)"),
            Tag::App(kind, lvt, data) => value(kind, lvt, data, pid, t),
        }
    }
}

/// One application-tagged value (clause 20.2): null, boolean, unsigned, signed, real,
/// double, octet string, character string, bit string, enumerated, date, time, object id.
fn value(kind: u8, lvt: u32, d: &[u8], pid: u64, t: &mut String) {
    let _ = match kind {
        0 => write!(t, "null"),
        1 => write!(t, "{}", lvt != 0),
        2 | 9 => match unsigned(d) {
            Some(v) => write!(t, "{v}"),
            None => write!(t, "0x{}", hex(d)),
        },
        3 => match unsigned(d) {
            Some(v) if !d.is_empty() => {
                let shift = 64 - 8 * d.len() as u32;
                write!(t, "{}", ((v << shift) as i64) >> shift)
            }
            _ => write!(t, "0x{}", hex(d)),
        },
        4 if d.len() == 4 => write!(t, "{:?}", f32::from_be_bytes([d[0], d[1], d[2], d[3]])),
        5 if d.len() == 8 => {
            let mut x = [0u8; 8];
            x.copy_from_slice(d);
            write!(t, "{:?}", f64::from_be_bytes(x))
        }
        7 => {
            character_string(d, t);
            Ok(())
        }
        10 if d.len() == 4 => date(d, t),
        11 if d.len() == 4 => write!(t, "{:02}:{:02}:{:02}.{:02}", d[0], d[1], d[2], d[3]),
        12 if pid == 75 && object_id(d).is_some_and(|(k, _)| k == 8) => {
            write!(t, "{}", object_id(d).map_or(0, |(_, i)| i))
        }
        12 => write!(t, "{}", object_text(d)),
        6 | 8 => write!(t, "0x{}", hex(d)),
        k => write!(t, "(tag {k})"),
    };
}

fn date(d: &[u8], t: &mut String) -> std::fmt::Result {
    let part = |v: u8, t: &mut String| match v {
        255 => t.push('*'),
        v => {
            let _ = write!(t, "{v:02}");
        }
    };
    match d[0] {
        255 => t.push('*'),
        y => write!(t, "{}", 1900 + u32::from(y))?,
    }
    t.push('-');
    part(d[1], t);
    t.push('-');
    part(d[2], t);
    Ok(())
}

/// A CharacterString: its character set (clause 20.2.9) then the characters. UTF-8 (0),
/// UCS-4 (3), UCS-2 (4) and ISO 8859-1 (5) are decoded; DBCS and JIS X 0208 are shown in hex.
fn character_string(d: &[u8], t: &mut String) {
    let Some((&set, s)) = d.split_first() else {
        t.push_str("(no character set)");
        return;
    };
    let start = t.len();
    match set {
        0 => t.push_str(&String::from_utf8_lossy(s)),
        3 => t.extend(
            s.chunks_exact(4)
                .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
                .map(|c| char::from_u32(c).unwrap_or('\u{fffd}')),
        ),
        4 => t.extend(
            char::decode_utf16(s.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])))
                .map(|c| c.unwrap_or('\u{fffd}')),
        ),
        5 => t.extend(s.iter().map(|&c| char::from(c))),
        _ => {
            let _ = write!(t, "(character set {set}) 0x{}", hex(s));
        }
    }
    // Trailing NULs and white space go, as for every banner's text.
    let kept = t[start..]
        .trim_end_matches(|c: char| c == '\0' || c.is_whitespace())
        .len();
    t.truncate(start + kept);
    if t.len() == start {
        t.push_str("\"\"");
    }
}

/// An Error's class and code, each an application-tagged enumerated (after an opening tag 0
/// where the service's error type wraps them).
fn error(b: &[u8], t: &mut String) {
    let mut r = Reader { b, at: 0 };
    let _ = r.opening(0);
    let mut enumerated = || match r.tag() {
        Some(Tag::App(9, _, d)) => unsigned(d),
        _ => None,
    };
    match (enumerated(), enumerated()) {
        (Some(class), Some(code)) => {
            let _ = write!(t, "{}/{}", error_class(class), error_code(code));
        }
        _ => t.push_str("(undecoded)"),
    }
}

/// An unconfirmed request; an I-Am (service 0) gives the device's instance, largest APDU,
/// segmentation and vendor.
fn unconfirmed(a: &[u8], t: &mut String) {
    match a.get(1) {
        Some(0) => {
            t.push_str("I-Am");
            let mut r = Reader { b: &a[2..], at: 0 };
            let mut fields = [None; 4];
            for f in &mut fields {
                *f = match r.tag() {
                    Some(Tag::App(12, _, d)) => object_id(d).map(|(_, i)| u64::from(i)),
                    Some(Tag::App(2 | 9, _, d)) => unsigned(d),
                    _ => break,
                };
            }
            let names = ["instance_number", "max_apdu", "segmentation", "vendor_id"];
            for (name, v) in names.iter().zip(fields) {
                match v {
                    Some(v) => {
                        let _ = write!(t, ", {name} {v}");
                    }
                    None => return cut(t),
                }
            }
        }
        Some(s) => {
            let _ = write!(t, "unconfirmed request service {s}");
        }
        None => t.push_str("unconfirmed request cut"),
    }
}

/// Object type and instance of an object identifier's 4 bytes (10 bits and 22 bits).
fn object_id(d: &[u8]) -> Option<(u16, u32)> {
    let v = u32::from_be_bytes(d.try_into().ok()?);
    Some(((v >> 22) as u16, v & 0x3f_ffff))
}

fn object_text(d: &[u8]) -> String {
    match object_id(d) {
        Some((8, i)) => format!("device {i}"),
        Some((k, i)) => format!("type {k} instance {i}"),
        None => format!("0x{}", hex(d)),
    }
}

/// The names of the properties asked for (ZGrab2's field names), a number otherwise.
fn property_name(pid: u64, t: &mut String) {
    match PROPERTIES.iter().find(|(id, _)| u64::from(*id) == pid) {
        Some((_, name)) => t.push_str(name),
        None => {
            let _ = write!(t, "property {pid}");
        }
    }
}

/// An unsigned integer of 1 to 8 bytes.
fn unsigned(d: &[u8]) -> Option<u64> {
    (!d.is_empty() && d.len() <= 8).then(|| d.iter().fold(0u64, |v, &x| v << 8 | u64::from(x)))
}

fn hex(d: &[u8]) -> String {
    d.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// One tag (clause 20.2.1): application (kind, length/value, data), context (number, data),
/// opening or closing (number).
#[derive(Debug)]
enum Tag<'a> {
    App(u8, u32, &'a [u8]),
    Context(u8, &'a [u8]),
    Open(u8),
    Close(u8),
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    /// The next tag, `None` when it is cut or malformed (the reader then stays put).
    fn tag(&mut self) -> Option<Tag<'a>> {
        let (tag, at) = self.parse()?;
        self.at = at;
        Some(tag)
    }

    fn parse(&self) -> Option<(Tag<'a>, usize)> {
        let b = self.b;
        let mut at = self.at;
        let first = *b.get(at)?;
        at += 1;
        let mut number = first >> 4;
        if number == 15 {
            number = *b.get(at)?;
            at += 1;
        }
        let context = first & 0x08 != 0;
        let lvt = first & 7;
        match (context, lvt) {
            (true, 6) => return Some((Tag::Open(number), at)),
            (true, 7) => return Some((Tag::Close(number), at)),
            (false, _) if number == 1 => return Some((Tag::App(1, u32::from(lvt), &[]), at)),
            (false, 6 | 7) => return None,
            _ => {}
        }
        let len = match lvt {
            5 => {
                let n = *b.get(at)?;
                at += 1;
                match n {
                    254 => {
                        let l = u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?);
                        at += 2;
                        u32::from(l)
                    }
                    255 => {
                        let l = u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?);
                        at += 4;
                        l
                    }
                    n => u32::from(n),
                }
            }
            n => u32::from(n),
        };
        let end = at.checked_add(usize::try_from(len).ok()?)?;
        let data = b.get(at..end)?;
        let tag = if context {
            Tag::Context(number, data)
        } else {
            Tag::App(number, len, data)
        };
        Some((tag, end))
    }

    /// The data of context tag `n` when it is next.
    fn context_value(&mut self, n: u8) -> Option<&'a [u8]> {
        match self.parse()? {
            (Tag::Context(k, d), at) if k == n => {
                self.at = at;
                Some(d)
            }
            _ => None,
        }
    }

    fn peek_context(&self, n: u8) -> bool {
        matches!(self.parse(), Some((Tag::Context(k, _), _)) if k == n)
    }

    /// Takes opening tag `n` when it is next.
    fn opening(&mut self, n: u8) -> bool {
        self.take(|t| matches!(t, Tag::Open(k) if *k == n))
    }

    /// Takes closing tag `n` when it is next.
    fn closing(&mut self, n: u8) -> bool {
        self.take(|t| matches!(t, Tag::Close(k) if *k == n))
    }

    fn take(&mut self, want: impl Fn(&Tag) -> bool) -> bool {
        match self.parse() {
            Some((t, at)) if want(&t) => {
                self.at = at;
                true
            }
            _ => false,
        }
    }

    /// Past the closing tag `n` that matches an opening one just taken (nested pairs
    /// skipped); the bytes inside.
    fn skip_to_closing(&mut self, n: u8) -> Option<&'a [u8]> {
        let start = self.at;
        let mut depth = 0usize;
        loop {
            let before = self.at;
            match self.tag()? {
                Tag::Open(_) => depth += 1,
                Tag::Close(k) if depth == 0 => {
                    return (k == n).then(|| &self.b[start..before]);
                }
                Tag::Close(_) => depth -= 1,
                _ => {}
            }
        }
    }
}

#[path = "bacnet_names.rs"]
mod names;
use names::*;

#[cfg(test)]
#[path = "bacnet_tests.rs"]
mod tests;

//! The replies to the original's protocol hellos (its `proto-banner1.c` hello table): X11,
//! Java RMI, Kerberos, MongoDB, DICOM, LDAP, SIP, RTSP and ONC RPC, one file each. Each file
//! builds its hello and turns the reply into a banner; what they share is here: [`Reply`], the
//! parser of a protocol that sends one hello and reads one reply, and the header reader of the
//! text protocols (SIP, RTSP).

pub(crate) mod ber;
pub(crate) mod dicom;
pub(crate) mod javarmi;
pub(crate) mod kerberos;
pub(crate) mod ldap;
pub(crate) mod mongodb;
pub(crate) mod rpc;
pub(crate) mod rtsp;
pub(crate) mod sip;
pub(crate) mod x11;

#[cfg(test)]
mod tests;

use super::parser::Parser;
use super::{app, BannerConfig, Found};

/// A protocol that sends one hello and reads one reply: the bytes until `complete` says the
/// reply is whole (or the connection ends), then `report` turns them into banners. Bytes that
/// `is_protocol` says are not this protocol's (a server of another kind on the port) are kept
/// as they come until the connection ends and reported unlabelled ([`unrecognised`]).
pub(crate) struct Reply {
    buf: Vec<u8>,
    proto: Protocol,
}

/// What a [`Reply`] protocol provides.
pub(crate) struct Protocol {
    pub is_protocol: fn(&[u8]) -> bool,
    pub complete: fn(&[u8]) -> bool,
    pub report: fn(&[u8], &BannerConfig, &mut Vec<Found>),
}

impl Reply {
    pub(crate) fn boxed(proto: Protocol) -> Box<dyn Parser> {
        Box::new(Reply {
            buf: Vec::new(),
            proto,
        })
    }
}

impl Parser for Reply {
    fn data(&mut self, d: &[u8], _cfg: &BannerConfig, _out: &mut Vec<u8>) -> bool {
        self.buf.extend_from_slice(d);
        (self.proto.is_protocol)(&self.buf) && (self.proto.complete)(&self.buf)
    }

    fn finish(self: Box<Self>, cfg: &BannerConfig, found: &mut Vec<Found>) {
        if !(self.proto.is_protocol)(&self.buf) {
            unrecognised(&self.buf, found);
        } else if !self.buf.is_empty() {
            (self.proto.report)(&self.buf, cfg, found);
        }
    }
}

/// A reply that is not the protocol the hello spoke: what the server said, unlabelled, as
/// for a port without a hello.
pub(crate) fn unrecognised(buf: &[u8], found: &mut Vec<Found>) {
    if !buf.is_empty() {
        found.push(Found::new(app::HEUR, buf));
    }
}

/// Whether `b` starts as `prefix` does, as far as either goes (a reply of a text protocol
/// whose first bytes are in).
pub(crate) fn starts_as(b: &[u8], prefix: &[u8]) -> bool {
    let n = b.len().min(prefix.len());
    b[..n].eq_ignore_ascii_case(&prefix[..n])
}

/// Whether a binary reply has begun and matches `magic` as far as either goes (byte for byte:
/// the first bytes of a binary protocol's reply).
pub(crate) fn opens_with(b: &[u8], magic: &[u8]) -> bool {
    let n = b.len().min(magic.len());
    !b.is_empty() && b[..n] == magic[..n]
}

/// Big-endian and little-endian reads that give `None` past the end.
pub(crate) fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}
pub(crate) fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}
pub(crate) fn le16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}
pub(crate) fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Text of untrusted bytes for a banner: invalid UTF-8 replaced, trailing NULs and white
/// space dropped (the output formats escape what is not printable, as for every banner).
pub(crate) fn printable(b: &[u8]) -> String {
    String::from_utf8_lossy(b)
        .trim_end_matches(|c: char| c == '\0' || c.is_whitespace())
        .to_string()
}

/// The header of a text reply (SIP, RTSP, HTTP): everything before the blank line, once the
/// blank line is in.
pub(crate) fn header_block(buf: &[u8]) -> Option<&[u8]> {
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 2);
    let end = end.or_else(|| buf.windows(2).position(|w| w == b"\n\n").map(|p| p + 1))?;
    Some(&buf[..end])
}

/// A text reply's status line and the values of the headers named (first occurrence each, any
/// case), as `status; Name: value; ...`.
pub(crate) fn status_and_headers(header: &[u8], names: &[&str]) -> String {
    let mut lines = header
        .split(|&c| c == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let mut text = printable(lines.next().unwrap_or_default());
    let lines: Vec<&[u8]> = lines.collect();
    for name in names {
        let value = lines.iter().find_map(|l| {
            let colon = l.iter().position(|&c| c == b':')?;
            let (n, v) = l.split_at(colon);
            n.trim_ascii()
                .eq_ignore_ascii_case(name.as_bytes())
                .then(|| v[1..].trim_ascii())
        });
        if let Some(v) = value {
            text.push_str(&format!("; {name}: {}", printable(v)));
        }
    }
    text
}

/// The bytes up to the first line end, or all of them.
pub(crate) fn status_line(b: &[u8]) -> &[u8] {
    let end = b.iter().position(|&c| c == b'\r' || c == b'\n');
    &b[..end.unwrap_or(b.len())]
}

//! AFP over DSI (548): DSIGetStatus; reports the FPGetSrvrInfo block: server name (its UTF-8
//! name when it gives one), machine type, AFP versions, authentication methods (UAMs) and the
//! server flags.

use std::net::IpAddr;

use super::parser::Parser;
use super::{app, BannerConfig, Found};

/// DSI header: request, DSIGetStatus (3), request id 1, no data.
pub const HELLO: [u8; 16] = [0, 3, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

pub(crate) fn start(_ip: IpAddr, _cfg: &BannerConfig, out: &mut Vec<u8>) -> Box<dyn Parser> {
    out.extend_from_slice(&HELLO);
    Box::<Afp>::default()
}

#[derive(Default)]
pub struct Afp {
    buf: Vec<u8>,
}

impl Afp {
    /// The reply's data, once all of it is in.
    fn data_block(&self) -> Option<&[u8]> {
        let len = u32::from_be_bytes(self.buf.get(8..12)?.try_into().ok()?) as usize;
        self.buf.get(16..16usize.checked_add(len)?)
    }
}

impl Parser for Afp {
    fn data(&mut self, d: &[u8], _cfg: &BannerConfig, _out: &mut Vec<u8>) -> bool {
        self.buf.extend_from_slice(d);
        self.data_block().is_some() || self.buf.get(..2).is_some_and(|h| h != [1, 3])
    }

    fn finish(self: Box<Self>, _cfg: &BannerConfig, found: &mut Vec<Found>) {
        if self.buf.is_empty() {
            return;
        }
        let text = match (self.buf.get(..2), self.data_block()) {
            (Some([1, 3]), Some(b)) => describe(b),
            (Some([1, 3]), None) | (None, _) => {
                format!("incomplete DSIGetStatus reply ({} bytes)", self.buf.len())
            }
            _ => "not a DSI reply".into(),
        };
        found.push(Found::new(app::AFP, text));
    }
}

fn u16be(b: &[u8], at: usize) -> Option<usize> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?) as usize)
}

/// A Pascal string (length byte first) at `at`.
fn pstr(b: &[u8], at: usize) -> Option<String> {
    let n = *b.get(at)? as usize;
    Some(String::from_utf8_lossy(b.get(at + 1..at + 1 + n)?).into_owned())
}

/// A count byte at `at`, then that many Pascal strings.
fn pstr_list(b: &[u8], at: usize) -> Option<Vec<String>> {
    let count = *b.get(at)?;
    let mut at = at + 1;
    let mut list = Vec::new();
    for _ in 0..count {
        let s = pstr(b, at)?;
        at += 1 + s.len();
        list.push(s);
    }
    Some(list)
}

fn describe(b: &[u8]) -> String {
    let Some(name) = pstr(b, 10) else {
        return format!("FPGetSrvrInfo too short ({} bytes)", b.len());
    };
    let flags = u16be(b, 8).unwrap_or(0);
    // The UTF-8 name's offset is the fourth after the (even-aligned) server name.
    let after = (11 + b.get(10).copied().unwrap_or(0) as usize + 1) & !1;
    let utf8 = (flags & 0x100 != 0)
        .then(|| {
            let at = u16be(b, after + 6).filter(|&a| a != 0)?;
            let n = u16be(b, at)?;
            Some(String::from_utf8_lossy(b.get(at + 2..at + 2 + n)?).into_owned())
        })
        .flatten();
    let mut parts = vec![format!("server:{}", utf8.unwrap_or(name))];
    if let Some(m) = u16be(b, 0).and_then(|at| pstr(b, at)) {
        parts.push(format!("machine:{m}"));
    }
    if let Some(v) = u16be(b, 2).and_then(|at| pstr_list(b, at)) {
        parts.push(format!("afp:{}", v.join(",")));
    }
    if let Some(u) = u16be(b, 4).and_then(|at| pstr_list(b, at)) {
        parts.push(format!("uams:{}", u.join(",")));
    }
    parts.push(format!("flags:0x{flags:04x}"));
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A netatalk-shaped DSIGetStatus reply.
    pub fn reply() -> Vec<u8> {
        let mut d = vec![0u8; 10];
        d.push(4);
        d.extend_from_slice(b"lab1");
        d.push(0); // pad to even
        let fixed = d.len();
        d.extend_from_slice(&[0; 8]); // signature, addresses, directory names, UTF-8 name
        let machine = d.len();
        d.push(7);
        d.extend_from_slice(b"Netatlk");
        let versions = d.len();
        d.push(2);
        d.push(6);
        d.extend_from_slice(b"AFP3.4");
        d.push(6);
        d.extend_from_slice(b"AFP3.3");
        let uams = d.len();
        d.push(2);
        d.push(4);
        d.extend_from_slice(b"DHX2");
        d.push(15);
        d.extend_from_slice(b"No User Authent");
        let utf8 = d.len();
        d.extend_from_slice(&7u16.to_be_bytes());
        d.extend_from_slice(b"lab-afp");
        for (at, v) in [(0, machine), (2, versions), (4, uams), (fixed + 6, utf8)] {
            d[at..at + 2].copy_from_slice(&(v as u16).to_be_bytes());
        }
        d[8..10].copy_from_slice(&0x8f79u16.to_be_bytes());
        let mut r = vec![1, 3, 0, 1, 0, 0, 0, 0];
        r.extend_from_slice(&(d.len() as u32).to_be_bytes());
        r.extend_from_slice(&[0; 4]);
        r.extend_from_slice(&d);
        r
    }

    fn run(chunks: &[&[u8]]) -> Vec<Found> {
        let (sent, found) =
            crate::banner::parser::drive(start, "198.18.1.35".parse().unwrap(), chunks);
        assert!(sent.starts_with(&HELLO));
        found
    }

    #[test]
    fn server_info_and_every_truncation() {
        let r = reply();
        let f = run(&[&r[..20], &r[20..]]);
        assert_eq!(
            f,
            [Found::new(
                app::AFP,
                "server:lab-afp machine:Netatlk afp:AFP3.4,AFP3.3 uams:DHX2,No User Authent \
                 flags:0x8f79"
            )]
        );
        for cut in 1..r.len() {
            let f = run(&[&r[..cut]]);
            assert!(f[0].text.starts_with(b"incomplete DSIGetStatus"), "{cut}");
        }
        // Offsets that point nowhere: the fields that can be read.
        let mut bad = r.clone();
        bad[16..22].copy_from_slice(&[0xff; 6]);
        let f = run(&[&bad]);
        assert_eq!(f[0].text, b"server:lab-afp flags:0x8f79");
        let f = run(&[b"\x01\x03\x00\x01\x00\x00\x00\x00\x00\x00\x00\x02\x00\x00\x00\x00ab"]);
        assert_eq!(f[0].text, b"FPGetSrvrInfo too short (2 bytes)");
        let f = run(&[b"HTTP/1.1 400"]);
        assert_eq!(f[0].text, b"not a DSI reply");
    }
}

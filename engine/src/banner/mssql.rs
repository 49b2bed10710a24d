//! MS-SQL (1433): a TDS PRELOGIN (MS-TDS 2.2.6.5) without encryption; reports the server's
//! version from the PRELOGIN reply (with the release it names, e.g. SQL Server 2019) and its
//! encryption setting.

use std::net::IpAddr;

use super::parser::Parser;
use super::{app, BannerConfig, Found};

/// PRELOGIN tokens: (type, data).
const OPTIONS: [(u8, &[u8]); 4] = [
    (0, &[0, 0, 0, 0, 0, 0]), // VERSION: none (we are no client library)
    (1, &[0]),                // ENCRYPTION: off (the server answers with its own setting)
    (2, &[0]),                // INSTOPT: the default instance
    (3, &[0, 0, 0, 0]),       // THREADID
];

pub(crate) fn start(_ip: IpAddr, _cfg: &BannerConfig, out: &mut Vec<u8>) -> Box<dyn Parser> {
    hello(out);
    Box::<MsSql>::default()
}

fn hello(out: &mut Vec<u8>) {
    let mut payload = Vec::new();
    let mut at = OPTIONS.len() * 5 + 1;
    for (kind, data) in OPTIONS {
        payload.push(kind);
        payload.extend_from_slice(&(at as u16).to_be_bytes());
        payload.extend_from_slice(&(data.len() as u16).to_be_bytes());
        at += data.len();
    }
    payload.push(0xff);
    for (_, data) in OPTIONS {
        payload.extend_from_slice(data);
    }
    // Header: PRELOGIN, end of message, length, SPID 0, packet 1, window 0.
    out.extend_from_slice(&[0x12, 0x01]);
    out.extend_from_slice(&((payload.len() + 8) as u16).to_be_bytes());
    out.extend_from_slice(&[0, 0, 1, 0]);
    out.extend_from_slice(&payload);
}

#[derive(Default)]
pub struct MsSql {
    buf: Vec<u8>,
}

impl MsSql {
    /// The first packet, once all of it is in.
    fn packet(&self) -> Option<&[u8]> {
        let len = u16::from_be_bytes(self.buf.get(2..4)?.try_into().ok()?) as usize;
        self.buf.get(..len.max(8))
    }
}

impl Parser for MsSql {
    fn data(&mut self, d: &[u8], _cfg: &BannerConfig, _out: &mut Vec<u8>) -> bool {
        self.buf.extend_from_slice(d);
        self.packet().is_some() || self.buf.first().is_some_and(|&t| t != 4)
    }

    fn finish(self: Box<Self>, _cfg: &BannerConfig, found: &mut Vec<Found>) {
        let text = match (self.buf.first(), self.packet()) {
            (None, _) => return,
            (Some(4), Some(p)) => describe(p.get(8..).unwrap_or(&[])),
            (Some(4), None) => format!("incomplete PRELOGIN reply ({} bytes)", self.buf.len()),
            (Some(t), _) => format!("not a TDS reply (type 0x{t:02x})"),
        };
        found.push(Found::new(app::MS_SQL, text));
    }
}

/// The PRELOGIN reply's options.
fn describe(p: &[u8]) -> String {
    let mut version = None;
    let mut encryption = None;
    let mut i = 0;
    while let Some(&kind) = p.get(i) {
        if kind == 0xff {
            break;
        }
        let Some(h) = p.get(i + 1..i + 5) else { break };
        let at = u16::from_be_bytes([h[0], h[1]]) as usize;
        let len = u16::from_be_bytes([h[2], h[3]]) as usize;
        let data = p.get(at..at + len);
        match (kind, data) {
            (0, Some(v)) if v.len() >= 4 => {
                version = Some((v[0], v[1], u16::from_be_bytes([v[2], v[3]])));
            }
            (1, Some(&[e, ..])) => encryption = Some(e),
            _ => {}
        }
        i += 5;
    }
    let mut text = match version {
        Some((major, minor, build)) => {
            let mut t = format!("version {major}.{minor}.{build}");
            if let Some(r) = release(major, minor) {
                t.push_str(&format!(" (SQL Server {r})"));
            }
            t
        }
        None => "PRELOGIN reply without a version".into(),
    };
    if let Some(e) = encryption {
        let name = match e {
            0 => "off".to_string(),
            1 => "on".into(),
            2 => "not supported".into(),
            3 => "required".into(),
            n => format!("0x{n:02x}"),
        };
        text.push_str(&format!(", encryption {name}"));
    }
    text
}

/// The product release a major.minor version is.
fn release(major: u8, minor: u8) -> Option<&'static str> {
    Some(match (major, minor) {
        (8, _) => "2000",
        (9, _) => "2005",
        (10, 50) => "2008 R2",
        (10, _) => "2008",
        (11, _) => "2012",
        (12, _) => "2014",
        (13, _) => "2016",
        (14, _) => "2017",
        (15, _) => "2019",
        (16, _) => "2022",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PRELOGIN reply of SQL Server 2019 (15.0.2000), encryption off.
    pub const REPLY: &[u8] = b"\x04\x01\x00\x25\x00\x00\x01\x00\
\x00\x00\x15\x00\x06\x01\x00\x1b\x00\x01\x02\x00\x1c\x00\x01\x03\x00\x1d\x00\x00\xff\
\x0f\x00\x07\xd0\x00\x00\x00\x00";

    fn run(chunks: &[&[u8]]) -> (Vec<u8>, Vec<Found>) {
        crate::banner::parser::drive(start, "198.18.1.34".parse().unwrap(), chunks)
    }

    #[test]
    fn hello_is_a_prelogin() {
        let (sent, _) = run(&[]);
        assert_eq!(&sent[..2], [0x12, 0x01]);
        assert_eq!(u16::from_be_bytes([sent[2], sent[3]]) as usize, sent.len());
        assert_eq!(sent[8 + 20], 0xff);
    }

    #[test]
    fn version_encryption_and_every_truncation() {
        assert_eq!(REPLY.len(), 0x25);
        let (_, f) = run(&[&REPLY[..9], &REPLY[9..]]);
        assert_eq!(
            f,
            [Found::new(
                app::MS_SQL,
                "version 15.0.2000 (SQL Server 2019), encryption off"
            )]
        );
        for cut in 1..REPLY.len() {
            let (_, f) = run(&[&REPLY[..cut]]);
            assert!(f[0].text.starts_with(b"incomplete PRELOGIN"), "{cut}");
        }
        let mut bad = REPLY.to_vec();
        bad[10] = 0xff; // VERSION's offset past the end
        let (_, f) = run(&[&bad]);
        assert_eq!(
            f[0].text,
            b"PRELOGIN reply without a version, encryption off"
        );
        let (_, f) = run(&[b"SSH-2.0-x\r\n"]);
        assert_eq!(f[0].text, b"not a TDS reply (type 0x53)");
    }
}

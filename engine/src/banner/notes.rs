//! Lotus Notes / Domino RPC (1352, and the original's other ports for it: 130, 427, 1972,
//! 7171, 8728, 22001): the Notes RPC opening request; reports the server's name (`CN=.../O=...`)
//! from the reply, or that a Notes RPC reply came without one.

use std::net::IpAddr;

use super::parser::Parser;
use super::{app, http::find, BannerConfig, Found};

/// The opening request scanners send (the original's and nmap's NotesRPC probe).
pub const HELLO: &[u8] = b"\x3a\x00\x00\x00\x2f\x00\x00\x00\x02\x00\x00\x40\x02\x0f\x00\x01\
\x00\x3d\x05\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x2f\x00\x00\x00\x00\x00\x00\x00\
\x00\x00\x40\x1f\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00";

pub(crate) fn start(_ip: IpAddr, _cfg: &BannerConfig, out: &mut Vec<u8>) -> Box<dyn Parser> {
    out.extend_from_slice(HELLO);
    Box::<Notes>::default()
}

#[derive(Default)]
pub struct Notes {
    buf: Vec<u8>,
}

/// Whether these are the first bytes of a Notes RPC reply (`..\0\0\0..\0\0\0\x03\0\0@\x02\x0f`).
fn is_notes(b: &[u8]) -> bool {
    b.get(2..4) == Some(&[0, 0][..]) && b.get(8..14) == Some(&b"\x03\0\0\x40\x02\x0f"[..])
}

/// The distinguished name after `CN=`: letters, digits, `-._ =/`.
fn server_name(b: &[u8]) -> Option<(&[u8], bool)> {
    let at = find(b, b"CN=")?;
    let rest = &b[at..];
    let end = rest
        .iter()
        .position(|&c| !(c.is_ascii_alphanumeric() || b"-._ =/".contains(&c)));
    Some(match end {
        Some(e) => (&rest[..e], true),
        None => (rest, false),
    })
}

impl Parser for Notes {
    fn data(&mut self, d: &[u8], _cfg: &BannerConfig, _out: &mut Vec<u8>) -> bool {
        self.buf.extend_from_slice(d);
        let whole = self.buf.get(..4).is_some_and(|l| {
            self.buf.len() >= u32::from_le_bytes([l[0], l[1], l[2], l[3]]) as usize
        });
        whole || server_name(&self.buf).is_some_and(|(_, ended)| ended)
    }

    fn finish(self: Box<Self>, _cfg: &BannerConfig, found: &mut Vec<Found>) {
        if self.buf.is_empty() {
            return;
        }
        let text = match server_name(&self.buf) {
            Some((name, _)) => format!("Lotus Domino: {}", String::from_utf8_lossy(name)),
            None if is_notes(&self.buf) => {
                format!(
                    "Notes RPC reply without a server name ({} bytes)",
                    self.buf.len()
                )
            }
            None => format!("not a Notes RPC reply ({} bytes)", self.buf.len()),
        };
        found.push(Found::new(app::NOTES_RPC, text));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shaped as nmap's lotusnotes match lines describe a Domino reply.
    pub fn reply() -> Vec<u8> {
        let mut r = b"\x00\x00\x00\x00\x2f\x00\x00\x00\x03\x00\x00\x40\x02\x0f\x00\x05\x00\x39\x05"
            .to_vec();
        r.extend_from_slice(&[0; 9]);
        r.extend_from_slice(
            b"\x03\x00\x00\x00\x00\x02\x00\x2f\x00\x12\x00\x00\x00\x00\x00\x00\x00",
        );
        r.extend_from_slice(b"CN=mail01/O=Example\x00\x00");
        let n = r.len() as u32;
        r[..4].copy_from_slice(&n.to_le_bytes());
        r
    }

    fn run(chunks: &[&[u8]]) -> Vec<Found> {
        let (sent, found) =
            crate::banner::parser::drive(start, "198.18.1.36".parse().unwrap(), chunks);
        assert!(sent.starts_with(HELLO));
        found
    }

    #[test]
    fn server_name_and_every_truncation() {
        assert_eq!(HELLO.len(), 60);
        let r = reply();
        let f = run(&[&r[..10], &r[10..]]);
        assert_eq!(
            f,
            [Found::new(
                app::NOTES_RPC,
                "Lotus Domino: CN=mail01/O=Example"
            )]
        );
        let cn = find(&r, b"CN=").unwrap();
        for cut in 1..r.len() {
            let f = run(&[&r[..cut]]);
            assert_eq!(f.len(), 1);
            if cut < cn + 3 {
                assert!(!f[0].text.starts_with(b"Lotus Domino"), "{cut}");
            }
        }
        let f = run(&[&r[..20]]);
        assert_eq!(
            f[0].text,
            b"Notes RPC reply without a server name (20 bytes)"
        );
        let f = run(&[b"SSH-2.0-x"]);
        assert_eq!(f[0].text, b"not a Notes RPC reply (9 bytes)");
    }
}

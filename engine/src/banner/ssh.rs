//! SSH: the server's identification line (`SSH-2.0-OpenSSH_9.2p1 ...`), which it sends first.

use super::{app, first_line, Found};

#[derive(Default)]
pub struct Ssh {
    buf: Vec<u8>,
}

impl Ssh {
    pub fn data(&mut self, d: &[u8]) -> bool {
        self.buf.extend_from_slice(d);
        self.line().is_some()
    }

    /// The identification line (RFC 4253 allows other lines before it).
    fn line(&self) -> Option<&[u8]> {
        let mut rest = &self.buf[..];
        while let Some(l) = first_line(rest) {
            if l.starts_with(b"SSH-") {
                return Some(l);
            }
            rest = &rest[rest
                .iter()
                .position(|&c| c == b'\n')
                .map_or(rest.len(), |i| i + 1)..];
        }
        None
    }

    pub fn finish(self, found: &mut Vec<Found>) {
        let text = match self.line() {
            Some(l) => l.to_vec(),
            None => self.buf,
        };
        if !text.is_empty() {
            found.push(Found::new(app::SSH2, text));
        }
    }
}

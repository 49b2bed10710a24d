//! Redis (6379): `INFO` as a RESP array; reports `redis_version`, `redis_mode` and `os` from
//! the reply's bulk string, or the error line when the server wants a password (`-NOAUTH`) or
//! refuses strangers (`-DENIED`, protected mode), marked "auth required".

use std::net::IpAddr;

use super::parser::Parser;
use super::{app, first_line, BannerConfig, Found};

pub const HELLO: &[u8] = b"*1\r\n$4\r\ninfo\r\n";

/// The fields of `INFO` reported, in this order.
const FIELDS: [&[u8]; 3] = [b"redis_version", b"redis_mode", b"os"];

pub(crate) fn start(_ip: IpAddr, _cfg: &BannerConfig, out: &mut Vec<u8>) -> Box<dyn Parser> {
    out.extend_from_slice(HELLO);
    Box::<Redis>::default()
}

/// Whether these first bytes are a redis error line (`-ERR unknown command`, `-NOAUTH`,
/// `-DENIED`, `-WRONGPASS`), as a redis server answers a hello of another protocol.
pub fn is_error(d: &[u8]) -> bool {
    [&b"-ERR "[..], b"-NOAUTH ", b"-DENIED ", b"-WRONGPASS "]
        .iter()
        .any(|p| d.starts_with(p))
}

#[derive(Default)]
pub struct Redis {
    buf: Vec<u8>,
}

impl Redis {
    /// The bulk string's bytes once all are in (or as many as came, with `false`).
    fn bulk(&self) -> Option<(&[u8], bool)> {
        let line = first_line(&self.buf)?;
        let len: usize = std::str::from_utf8(line.strip_prefix(b"$")?)
            .ok()?
            .parse()
            .ok()?;
        let start = self.buf.iter().position(|&c| c == b'\n')? + 1;
        let rest = self.buf.get(start..).unwrap_or(&[]);
        Some(match rest.get(..len) {
            Some(b) => (b, true),
            None => (rest, false),
        })
    }
}

impl Parser for Redis {
    fn data(&mut self, d: &[u8], _cfg: &BannerConfig, _out: &mut Vec<u8>) -> bool {
        self.buf.extend_from_slice(d);
        match self.buf.first() {
            Some(b'-' | b'+' | b':') => first_line(&self.buf).is_some(),
            Some(b'$') => self.bulk().is_some_and(|(_, whole)| whole),
            Some(_) => true,
            None => false,
        }
    }

    fn finish(self: Box<Self>, _cfg: &BannerConfig, found: &mut Vec<Found>) {
        let text = match self.buf.first() {
            None => return,
            Some(b'-') => {
                let line = first_line(&self.buf).unwrap_or(&self.buf);
                let auth = line.starts_with(b"-NOAUTH") || line.starts_with(b"-DENIED");
                let mut t = line.to_vec();
                if auth {
                    t.extend_from_slice(b" (auth required)");
                }
                t
            }
            Some(b'$') => match self.bulk() {
                Some((info, _)) => fields(info),
                None => self.buf.clone(),
            },
            Some(_) => self.buf.clone(),
        };
        found.push(Found::new(app::REDIS, text));
    }
}

/// `redis_version:7.0.15 redis_mode:standalone os:Linux ...` from `INFO`'s lines.
fn fields(info: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for want in FIELDS {
        let line = info.split(|&c| c == b'\n').find_map(|l| {
            let l = l.strip_suffix(b"\r").unwrap_or(l);
            l.strip_prefix(want)?.strip_prefix(b":")
        });
        if let Some(v) = line {
            if !out.is_empty() {
                out.push(b' ');
            }
            out.extend_from_slice(want);
            out.push(b':');
            out.extend_from_slice(v);
        }
    }
    if out.is_empty() {
        out = b"INFO without redis_version".to_vec();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    pub const INFO: &[u8] =
        b"$126\r\n# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:00000000\r\n\
redis_mode:standalone\r\nos:Linux 6.1.0-13-amd64 x86_64\r\narch_bits:64\r\n\r\n";

    fn run(chunks: &[&[u8]]) -> Vec<Found> {
        let (sent, found) =
            crate::banner::parser::drive(start, "198.18.1.30".parse().unwrap(), chunks);
        assert!(sent.starts_with(HELLO));
        found
    }

    #[test]
    fn info_gives_version_mode_and_os() {
        let bulk_len = INFO.len() - 6 - 2;
        assert_eq!(&INFO[..6], format!("${bulk_len}\r\n").as_bytes());
        let f = run(&[&INFO[..30], &INFO[30..]]);
        assert_eq!(
            f,
            [Found::new(
                app::REDIS,
                "redis_version:7.0.15 redis_mode:standalone os:Linux 6.1.0-13-amd64 x86_64"
            )]
        );
        for cut in 1..INFO.len() {
            let f = run(&[&INFO[..cut]]);
            assert_eq!(f.len(), 1, "{cut}");
        }
    }

    #[test]
    fn auth_and_protected_mode_are_named() {
        let f = run(&[b"-NOAUTH Authentication required.\r\n"]);
        assert_eq!(
            f[0].text,
            b"-NOAUTH Authentication required. (auth required)"
        );
        let f = run(&[b"-DENIED Redis is running in protected mode\r\n"]);
        assert!(f[0].text.ends_with(b"(auth required)"));
        let f = run(&[b"-ERR unknown command\r\n"]);
        assert_eq!(f[0].text, b"-ERR unknown command");
        let f = run(&[b"HTTP/1.0 400"]);
        assert_eq!(f[0].text, b"HTTP/1.0 400");
        assert!(run(&[]).is_empty());
    }
}

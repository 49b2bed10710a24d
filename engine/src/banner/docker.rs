//! Docker's API (2375) and etcd (2379/2380, where the original sends the same request):
//! `GET /version`; reports Docker's `Version`, `ApiVersion`, `Os`, `Arch`, `KernelVersion`
//! (etcd's `etcdserver` and `etcdcluster`), or the HTTP status line when the body is not that.
//! The request names the target in `Host` (the original's has no header, which HTTP/1.1
//! servers such as Go's refuse with 400).

use std::net::IpAddr;

use super::parser::Parser;
use super::{app, first_line, http::find, BannerConfig, Found};

/// The JSON fields reported, in this order.
const FIELDS: [&str; 7] = [
    "Version",
    "ApiVersion",
    "Os",
    "Arch",
    "KernelVersion",
    "etcdserver",
    "etcdcluster",
];

pub(crate) fn start(ip: IpAddr, _cfg: &BannerConfig, out: &mut Vec<u8>) -> Box<dyn Parser> {
    let host = match ip {
        IpAddr::V4(a) => a.to_string(),
        IpAddr::V6(a) => format!("[{a}]"),
    };
    out.extend_from_slice(
        format!("GET /version HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
    );
    Box::<Docker>::default()
}

#[derive(Default)]
pub struct Docker {
    buf: Vec<u8>,
}

impl Docker {
    /// The body's JSON object, once it parses.
    fn json(&self) -> Option<serde_json::Map<String, serde_json::Value>> {
        let at = find(&self.buf, b"\r\n\r\n")? + 4;
        let body = self.buf.get(at..)?;
        // A chunked body: the object is between its first `{` and last `}`.
        let open = body.iter().position(|&c| c == b'{')?;
        let close = body.iter().rposition(|&c| c == b'}')?;
        match serde_json::from_slice(body.get(open..=close)?) {
            Ok(serde_json::Value::Object(m)) => Some(m),
            _ => None,
        }
    }
}

impl Parser for Docker {
    fn data(&mut self, d: &[u8], _cfg: &BannerConfig, _out: &mut Vec<u8>) -> bool {
        self.buf.extend_from_slice(d);
        self.json().is_some()
    }

    fn finish(self: Box<Self>, _cfg: &BannerConfig, found: &mut Vec<Found>) {
        if self.buf.is_empty() {
            return;
        }
        let mut text = String::new();
        if let Some(m) = self.json() {
            for name in FIELDS {
                let v = match m.get(name) {
                    Some(serde_json::Value::String(s)) => s.clone(),
                    Some(v @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_))) => {
                        v.to_string()
                    }
                    _ => continue,
                };
                if !text.is_empty() {
                    text.push(' ');
                }
                text.push_str(&format!("{name}:{v}"));
            }
        }
        if text.is_empty() {
            let line = first_line(&self.buf).unwrap_or(&self.buf);
            text = String::from_utf8_lossy(line).into_owned();
        }
        found.push(Found::new(app::DOCKER, text));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub const REPLY: &[u8] =
        b"HTTP/1.1 200 OK\r\nApi-Version: 1.43\r\nContent-Type: application/json\r\n\
Docker-Experimental: false\r\nOstype: linux\r\nServer: Docker/24.0.5 (linux)\r\n\
Date: Mon, 07 Dec 2026 06:00:00 GMT\r\nContent-Length: 200\r\n\r\n\
{\"Platform\":{\"Name\":\"Docker Engine - Community\"},\"Version\":\"24.0.5\",\
\"ApiVersion\":\"1.43\",\"MinAPIVersion\":\"1.12\",\"Os\":\"linux\",\"Arch\":\"amd64\",\
\"KernelVersion\":\"6.1.0-13-amd64\",\"BuildTime\":\"2023-07-21T20:35:40.000000000+00:00\"}\n";

    fn run(chunks: &[&[u8]]) -> (Vec<u8>, Vec<Found>) {
        crate::banner::parser::drive(start, "198.18.1.32".parse().unwrap(), chunks)
    }

    #[test]
    fn version_fields_and_every_truncation() {
        let (sent, f) = run(&[&REPLY[..50], &REPLY[50..]]);
        assert_eq!(
            sent,
            b"GET /version HTTP/1.1\r\nHost: 198.18.1.32\r\nConnection: close\r\n\r\n"
        );
        assert_eq!(
            f,
            [Found::new(
                app::DOCKER,
                "Version:24.0.5 ApiVersion:1.43 Os:linux Arch:amd64 KernelVersion:6.1.0-13-amd64"
            )]
        );
        let close = REPLY.iter().rposition(|&c| c == b'}').unwrap();
        for cut in 1..=close {
            let (_, f) = run(&[&REPLY[..cut]]);
            assert_eq!(f.len(), 1, "{cut}");
            assert!(!f[0].text.starts_with(b"Version"), "{cut}");
        }
    }

    #[test]
    fn etcd_and_other_servers() {
        let etcd = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n\
{\"etcdserver\":\"3.5.9\",\"etcdcluster\":\"3.5.0\"}";
        let (_, f) = run(&[etcd]);
        assert_eq!(f[0].text, b"etcdserver:3.5.9 etcdcluster:3.5.0");
        let (_, f) = run(&[b"HTTP/1.1 404 Not Found\r\n\r\n{\"message\":\"page not found\"}"]);
        assert_eq!(f[0].text, b"HTTP/1.1 404 Not Found");
        let (_, f) = run(&[b"HTTP/1.1 400 Bad Request\r\n\r\n{]"]);
        assert_eq!(f[0].text, b"HTTP/1.1 400 Bad Request");
    }
}

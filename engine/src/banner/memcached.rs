//! memcached: `stats`; reports `uptime=N time=N version=V ` as masscan does.

use std::net::IpAddr;

use super::parser::Parser;
use super::{app, http::find, BannerConfig, Found};

pub const HELLO: &[u8] = b"stats\r\n";

pub(crate) fn start(_ip: IpAddr, _cfg: &BannerConfig, out: &mut Vec<u8>) -> Box<dyn Parser> {
    out.extend_from_slice(HELLO);
    Box::<Memcached>::default()
}

#[derive(Default)]
pub struct Memcached {
    buf: Vec<u8>,
}

impl Parser for Memcached {
    fn data(&mut self, d: &[u8], _cfg: &BannerConfig, _out: &mut Vec<u8>) -> bool {
        self.buf.extend_from_slice(d);
        find(&self.buf, b"END\r\n").is_some() || self.buf.starts_with(b"ERROR")
    }

    fn finish(self: Box<Self>, _cfg: &BannerConfig, found: &mut Vec<Found>) {
        let text = stats_text(&self.buf);
        if !text.is_empty() {
            found.push(Found::new(app::MEMCACHED, text));
        }
    }
}

/// `uptime=N time=N version=V ` from a `stats` answer (TCP or UDP), or the answer itself when
/// it has none of them.
pub(crate) fn stats_text(buf: &[u8]) -> Vec<u8> {
    let mut text = Vec::new();
    for line in buf.split(|&c| c == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut words = line.split(|&c| c == b' ');
        if words.next() != Some(b"STAT") {
            continue;
        }
        let (Some(name), Some(value)) = (words.next(), words.next()) else {
            continue;
        };
        if matches!(name, b"uptime" | b"time" | b"version") {
            text.extend_from_slice(name);
            text.push(b'=');
            text.extend_from_slice(value);
            text.push(b' ');
        }
    }
    if text.is_empty() {
        text = buf.to_vec();
    }
    text
}

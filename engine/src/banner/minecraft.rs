//! Minecraft Java Edition (25565): a handshake asking for the status state, then a status
//! request; reports the status JSON's version name and protocol, players online/max and the
//! description (its text parts joined, `§` formatting codes removed).

use std::net::IpAddr;

use super::parser::Parser;
use super::{app, BannerConfig, Found};
use serde_json::Value;

/// Protocol version -1: "pinging to learn the version", by convention.
const ANY_VERSION: i32 = -1;

pub(crate) fn start(ip: IpAddr, _cfg: &BannerConfig, out: &mut Vec<u8>) -> Box<dyn Parser> {
    hello(&ip.to_string(), 25565, out);
    Box::<Minecraft>::default()
}

fn varint(mut v: u32, out: &mut Vec<u8>) {
    loop {
        if v < 0x80 {
            out.push(v as u8);
            return;
        }
        out.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
}

/// A varint at `at`: its value and the offset after it.
fn read_varint(b: &[u8], mut at: usize) -> Option<(u32, usize)> {
    let mut v = 0u32;
    for shift in (0..35).step_by(7) {
        let c = *b.get(at)?;
        at += 1;
        v |= u32::from(c & 0x7f) << shift;
        if c & 0x80 == 0 {
            return Some((v, at));
        }
    }
    None
}

fn hello(host: &str, port: u16, out: &mut Vec<u8>) {
    let mut p = vec![0x00]; // packet id: handshake
    varint(ANY_VERSION as u32, &mut p);
    varint(host.len() as u32, &mut p);
    p.extend_from_slice(host.as_bytes());
    p.extend_from_slice(&port.to_be_bytes());
    p.push(1); // next state: status
    varint(p.len() as u32, out);
    out.extend_from_slice(&p);
    out.extend_from_slice(&[1, 0x00]); // status request
}

#[derive(Default)]
pub struct Minecraft {
    buf: Vec<u8>,
}

impl Minecraft {
    /// The status response's JSON text, once the whole packet is in.
    fn json(&self) -> Option<&[u8]> {
        let (len, at) = read_varint(&self.buf, 0)?;
        let packet = self.buf.get(at..at.checked_add(len as usize)?)?;
        let (id, at) = read_varint(packet, 0)?;
        if id != 0 {
            return None;
        }
        let (n, at) = read_varint(packet, at)?;
        packet.get(at..at.checked_add(n as usize)?)
    }

    fn is_whole(&self) -> bool {
        read_varint(&self.buf, 0)
            .is_some_and(|(len, at)| self.buf.len() >= at.saturating_add(len as usize))
    }
}

impl Parser for Minecraft {
    fn data(&mut self, d: &[u8], _cfg: &BannerConfig, _out: &mut Vec<u8>) -> bool {
        self.buf.extend_from_slice(d);
        self.is_whole() || self.buf.len() >= 5 && read_varint(&self.buf, 0).is_none()
    }

    fn finish(self: Box<Self>, _cfg: &BannerConfig, found: &mut Vec<Found>) {
        if self.buf.is_empty() {
            return;
        }
        let text = match self.json() {
            Some(j) => match serde_json::from_slice::<Value>(j) {
                Ok(v) => describe(&v),
                Err(_) => String::from_utf8_lossy(j).into_owned(),
            },
            None if self.is_whole() => format!("not a status response ({} bytes)", self.buf.len()),
            None => format!("incomplete status response ({} bytes)", self.buf.len()),
        };
        found.push(Found::new(app::MINECRAFT, text));
    }
}

fn describe(v: &Value) -> String {
    let mut parts = Vec::new();
    if let Some(name) = v.pointer("/version/name").and_then(Value::as_str) {
        parts.push(format!("version:{name}"));
    }
    if let Some(p) = v.pointer("/version/protocol").and_then(Value::as_i64) {
        parts.push(format!("protocol:{p}"));
    }
    let n = |p: &str| v.pointer(p).and_then(Value::as_i64);
    if let (Some(on), Some(max)) = (n("/players/online"), n("/players/max")) {
        parts.push(format!("players:{on}/{max}"));
    }
    if let Some(d) = v.get("description") {
        let mut t = String::new();
        text_of(d, &mut t, 0);
        let t = strip_codes(&t);
        let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
        if !t.is_empty() {
            parts.push(format!("description:{t}"));
        }
    }
    if parts.is_empty() {
        return v.to_string();
    }
    parts.join(" ")
}

/// The text of a chat component: a string, or `text` then its `extra` parts.
fn text_of(v: &Value, out: &mut String, depth: usize) {
    if depth > 16 {
        return;
    }
    match v {
        Value::String(s) => out.push_str(s),
        Value::Object(m) => {
            if let Some(Value::String(s)) = m.get("text") {
                out.push_str(s);
            }
            if let Some(Value::Array(a)) = m.get("extra") {
                for e in a {
                    text_of(e, out, depth + 1);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|e| text_of(e, out, depth + 1)),
        _ => {}
    }
}

fn strip_codes(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '§' {
            it.next();
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A status response as a vanilla 1.20.4 server sends it.
    pub fn reply(json: &str) -> Vec<u8> {
        let mut p = vec![0];
        varint(json.len() as u32, &mut p);
        p.extend_from_slice(json.as_bytes());
        let mut out = Vec::new();
        varint(p.len() as u32, &mut out);
        out.extend_from_slice(&p);
        out
    }

    pub const STATUS: &str = r#"{"version":{"name":"1.20.4","protocol":765},"enforcesSecureChat":true,"description":{"text":"§aA §lMinecraft","extra":[{"text":" Server"}]},"players":{"max":20,"online":3}}"#;

    fn run(chunks: &[&[u8]]) -> (Vec<u8>, Vec<Found>) {
        crate::banner::parser::drive(start, "198.18.1.33".parse().unwrap(), chunks)
    }

    #[test]
    fn hello_is_handshake_then_status_request() {
        let (sent, _) = run(&[]);
        let mut want = vec![21, 0, 0xff, 0xff, 0xff, 0xff, 0x0f, 11];
        want.extend_from_slice(b"198.18.1.33");
        want.extend_from_slice(&[0x63, 0xdd, 1, 1, 0]);
        assert_eq!(sent, want);
    }

    #[test]
    fn status_and_every_truncation() {
        let r = reply(STATUS);
        let (_, f) = run(&[&r[..9], &r[9..]]);
        assert_eq!(
            f,
            [Found::new(
                app::MINECRAFT,
                "version:1.20.4 protocol:765 players:3/20 description:A Minecraft Server"
            )]
        );
        for cut in 1..r.len() {
            let (_, f) = run(&[&r[..cut]]);
            assert!(
                f[0].text.starts_with(b"incomplete status response"),
                "{cut}"
            );
        }
        let (_, f) = run(&[&reply(r#"{"description":"old §4server"}"#)]);
        assert_eq!(f[0].text, b"description:old server");
        let (_, f) = run(&[b"\x03\x01ab"]);
        assert_eq!(f[0].text, b"not a status response (4 bytes)");
        let (_, f) = run(&[b"\xff\xff\xff\xff\xff\xff"]);
        assert_eq!(f[0].text, b"incomplete status response (6 bytes)");
    }
}

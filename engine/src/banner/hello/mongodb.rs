//! MongoDB (ports 27017, 9001, 49153): the original's legacy OP_QUERY `serverStatus` on
//! `test.$cmd`; reports from the reply (OP_REPLY, or OP_MSG from newer servers) the version,
//! host and process, or the error (code, name, message). When the server refuses (it needs
//! authentication, or no longer takes OP_QUERY) it is asked `buildInfo` in an OP_MSG, which
//! needs no authentication, for its version.

use std::net::IpAddr;

use super::{le32, printable, unrecognised};
use crate::banner::parser::Parser;
use crate::banner::{app, BannerConfig, Found};

const OP_REPLY: u32 = 1;
const OP_QUERY: u32 = 2004;
const OP_MSG: u32 = 2013;

pub(crate) fn start(_ip: IpAddr, _cfg: &BannerConfig, out: &mut Vec<u8>) -> Box<dyn Parser> {
    let mut body = Vec::new();
    body.extend_from_slice(&0u32.to_le_bytes()); // flags
    body.extend_from_slice(b"test.$cmd\0");
    body.extend_from_slice(&0u32.to_le_bytes()); // numberToSkip
    body.extend_from_slice(&(-1i32).to_le_bytes()); // numberToReturn
    body.extend_from_slice(&document(&[("serverStatus", Value::Double(1.0))]));
    message(out, 1, OP_QUERY, &body);
    Box::<MongoDb>::default()
}

/// A BSON value of the kinds the hellos write.
enum Value<'a> {
    Double(f64),
    Int(i32),
    Str(&'a str),
}

/// A BSON document of these fields.
fn document(fields: &[(&str, Value)]) -> Vec<u8> {
    let mut d = vec![0; 4];
    for (name, v) in fields {
        let (kind, bytes) = match v {
            Value::Double(f) => (1, f.to_le_bytes().to_vec()),
            Value::Int(i) => (0x10, i.to_le_bytes().to_vec()),
            Value::Str(s) => {
                let mut b = ((s.len() + 1) as u32).to_le_bytes().to_vec();
                b.extend_from_slice(s.as_bytes());
                b.push(0);
                (2, b)
            }
        };
        d.push(kind);
        d.extend_from_slice(name.as_bytes());
        d.push(0);
        d.extend_from_slice(&bytes);
    }
    d.push(0);
    let n = d.len() as u32;
    d[..4].copy_from_slice(&n.to_le_bytes());
    d
}

/// A wire message: the 16-byte header (length, request id, response to, opcode), then `body`.
fn message(out: &mut Vec<u8>, id: u32, opcode: u32, body: &[u8]) {
    out.extend_from_slice(&((16 + body.len()) as u32).to_le_bytes());
    out.extend_from_slice(&id.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&opcode.to_le_bytes());
    out.extend_from_slice(body);
}

#[derive(Default)]
pub struct MongoDb {
    buf: Vec<u8>,
    /// The first reply's text, once `buildInfo` has been asked.
    first: Option<String>,
}

impl Parser for MongoDb {
    fn data(&mut self, d: &[u8], _cfg: &BannerConfig, out: &mut Vec<u8>) -> bool {
        self.buf.extend_from_slice(d);
        if !is_protocol(&self.buf) {
            return false; // kept as it comes, reported unlabelled
        }
        let Some(len) = le32(&self.buf, 0).map(|n| n as usize) else {
            return false;
        };
        if self.buf.len() < len {
            return false;
        }
        let reply = Reply::parse(self.buf.get(..len).unwrap_or(&[]));
        if self.first.is_some() || reply.version.is_some() || reply.errmsg.is_none() {
            return true;
        }
        self.first = Some(reply.text());
        self.buf.drain(..len);
        let mut body = 0u32.to_le_bytes().to_vec(); // flagBits
        body.push(0); // section kind 0: the command
        body.extend_from_slice(&document(&[
            ("buildInfo", Value::Int(1)),
            ("$db", Value::Str("admin")),
        ]));
        message(out, 2, OP_MSG, &body);
        // Done already if its answer came in the same read.
        le32(&self.buf, 0).is_some_and(|n| self.buf.len() >= n as usize)
    }

    fn finish(self: Box<Self>, _cfg: &BannerConfig, found: &mut Vec<Found>) {
        if self.first.is_none() && !is_protocol(&self.buf) {
            return unrecognised(&self.buf, found);
        }
        let len = le32(&self.buf, 0).map_or(0, |n| n as usize);
        let second = if self.buf.is_empty() {
            None
        } else if !is_protocol(&self.buf) {
            Some("not a MongoDB reply".to_string())
        } else if self.buf.len() < 16 {
            Some(format!(
                "MongoDB: reply cut short ({} bytes)",
                self.buf.len()
            ))
        } else {
            // A reply past the byte cap (serverStatus's often is) still tells its first fields.
            let text = Reply::parse(&self.buf[..len.min(self.buf.len())]).text();
            Some(if self.buf.len() < len {
                format!("{text} (cut short)")
            } else {
                text
            })
        };
        let text = match (self.first, second) {
            (Some(first), Some(s)) => format!("{first}; buildInfo: {s}"),
            (Some(first), None) => first,
            (None, Some(s)) => s,
            (None, None) => return,
        };
        found.push(Found::new(app::MONGODB, text));
    }
}

/// A message header as a server's reply has it: a length from 16 bytes to 48 MiB, then (past
/// the ids) OP_REPLY or OP_MSG.
fn is_protocol(b: &[u8]) -> bool {
    le32(b, 0).is_none_or(|n| (16..=48 << 20).contains(&n))
        && le32(b, 12).is_none_or(|op| op == OP_REPLY || op == OP_MSG)
}

/// What a reply's first document tells.
#[derive(Default)]
struct Reply {
    kind: &'static str,
    version: Option<String>,
    host: Option<String>,
    process: Option<String>,
    errmsg: Option<String>,
    code: Option<String>,
    code_name: Option<String>,
}

impl Reply {
    fn parse(m: &[u8]) -> Reply {
        let doc = match le32(m, 12) {
            Some(OP_REPLY) => m.get(36..),
            Some(OP_MSG) if m.get(20) == Some(&0) => m.get(21..),
            Some(_) => None,
            None => None,
        };
        let mut r = Reply {
            kind: match le32(m, 12) {
                Some(OP_REPLY) => "OP_REPLY",
                Some(OP_MSG) => "OP_MSG",
                _ => "",
            },
            ..Reply::default()
        };
        for (name, value) in fields(doc.unwrap_or(&[])) {
            let slot = match name {
                b"version" => &mut r.version,
                b"host" => &mut r.host,
                b"process" => &mut r.process,
                b"errmsg" => &mut r.errmsg,
                b"code" => &mut r.code,
                b"codeName" => &mut r.code_name,
                _ => continue,
            };
            *slot = Some(value);
        }
        r
    }

    fn text(&self) -> String {
        if self.kind.is_empty() {
            return "MongoDB: not an OP_REPLY or OP_MSG".into();
        }
        let mut t = format!("MongoDB {}", self.kind);
        let parts = [
            ("version", &self.version),
            ("host", &self.host),
            ("process", &self.process),
            ("error", &self.code),
            ("codeName", &self.code_name),
            ("errmsg", &self.errmsg),
        ];
        for (name, v) in parts {
            if let Some(v) = v {
                t.push_str(&format!(", {name} {v}"));
            }
        }
        t
    }
}

/// The top-level fields of a BSON document whose values print as text (strings, numbers,
/// booleans); the walk stops at the first malformed element.
fn fields(doc: &[u8]) -> Vec<(&[u8], String)> {
    let mut out = Vec::new();
    let end = le32(doc, 0).map_or(0, |n| (n as usize).min(doc.len()));
    let mut at = 4;
    while at < end {
        let kind = doc[at];
        let Some(nul) = doc
            .get(at + 1..end)
            .and_then(|r| r.iter().position(|&c| c == 0))
        else {
            break;
        };
        let name = &doc[at + 1..at + 1 + nul];
        let v = at + 2 + nul;
        let fixed = |n: usize| doc.get(v..v + n);
        let (size, text) = match kind {
            0x01 => (8, fixed(8).map(fmt_double)),
            0x02 => {
                let n = le32(doc, v).map_or(usize::MAX, |n| n as usize);
                let s = doc.get(v + 4..(v + 4).saturating_add(n));
                (4usize.saturating_add(n), s.map(printable))
            }
            0x03 | 0x04 => (le32(doc, v).map_or(usize::MAX, |n| n as usize), None),
            0x05 => (
                le32(doc, v)
                    .map_or(usize::MAX, |n| n as usize)
                    .saturating_add(5),
                None,
            ),
            0x07 => (12, None),
            0x08 => (1, fixed(1).map(|b| (b[0] != 0).to_string())),
            0x09 | 0x11 => (8, None),
            0x0a => (0, None),
            0x10 => (4, le32(doc, v).map(|n| (n as i32).to_string())),
            0x12 => (
                8,
                fixed(8).map(|b| i64::from_le_bytes(b.try_into().unwrap_or_default()).to_string()),
            ),
            _ => break,
        };
        let Some(next) = v.checked_add(size).filter(|&n| n <= end) else {
            break;
        };
        if let Some(t) = text {
            out.push((name, t));
        }
        at = next;
    }
    out
}

fn fmt_double(b: &[u8]) -> String {
    let f = f64::from_le_bytes(b.try_into().unwrap_or_default());
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

#[cfg(test)]
#[path = "mongodb_tests.rs"]
pub(crate) mod tests;

//! ONC RPC (ports 111, 2049): the original's probe, a NULL call to the portmapper (program
//! 100000) with a version no server has, whose answer tells the versions served (the reply's
//! accept state: PROG_MISMATCH low-high, PROG_UNAVAIL, ...). When the portmapper is there, a
//! DUMP (version 2) follows and the registered programs are reported with it.

use std::collections::BTreeMap;
use std::net::IpAddr;

use super::{be32, unrecognised};
use crate::banner::parser::Parser;
use crate::banner::{app, BannerConfig, Found};

const PORTMAPPER: u32 = 100_000;
/// The version the first call asks for: none has it, so the answer names the versions served.
const NO_SUCH_VERSION: u32 = 104_316;
const XID_PROBE: u32 = 0x72fe_1d13;
const XID_DUMP: u32 = 0x72fe_1d14;
const DUMP: u32 = 4;
/// The most bytes one reply may gather (fragments together); the session's cap binds first.
const MAX_RECORD: usize = 1 << 16;

pub(crate) fn start(_ip: IpAddr, _cfg: &BannerConfig, out: &mut Vec<u8>) -> Box<dyn Parser> {
    call(out, XID_PROBE, NO_SUCH_VERSION, 0);
    Box::<Rpc>::default()
}

/// A call record: record mark, xid, CALL, RPC version 2, program, version, procedure, and
/// AUTH_NONE credentials and verifier.
fn call(out: &mut Vec<u8>, xid: u32, version: u32, procedure: u32) {
    let words = [xid, 0, 2, PORTMAPPER, version, procedure, 0, 0, 0, 0];
    out.extend_from_slice(&(0x8000_0000 | (4 * words.len()) as u32).to_be_bytes());
    for w in words {
        out.extend_from_slice(&w.to_be_bytes());
    }
}

#[derive(Default)]
pub struct Rpc {
    buf: Vec<u8>,
    /// The first reply's text, once the DUMP has been sent.
    probe: Option<String>,
}

impl Rpc {
    /// Whether the bytes so far begin a reply to our call: its xid after the record mark.
    fn is_protocol(&self) -> bool {
        let xid = if self.probe.is_some() {
            XID_DUMP
        } else {
            XID_PROBE
        };
        be32(&self.buf, 4).is_none_or(|x| x == xid)
    }
}

/// A whole record (its fragments joined), and the bytes it took.
fn record(b: &[u8]) -> Option<(Vec<u8>, usize)> {
    let mut at = 0;
    let mut rec = Vec::new();
    loop {
        let mark = be32(b, at)?;
        let len = (mark & 0x7fff_ffff) as usize;
        rec.extend_from_slice(b.get(at + 4..at + 4 + len)?);
        at += 4 + len;
        if mark & 0x8000_0000 != 0 || rec.len() > MAX_RECORD {
            return Some((rec, at));
        }
    }
}

impl Parser for Rpc {
    fn data(&mut self, d: &[u8], _cfg: &BannerConfig, out: &mut Vec<u8>) -> bool {
        self.buf.extend_from_slice(d);
        if !self.is_protocol() {
            return false; // kept as it comes, reported unlabelled
        }
        let Some((rec, used)) = record(&self.buf) else {
            return false;
        };
        if self.probe.is_some() {
            return true;
        }
        let (text, dump) = probe_reply(&rec);
        if !dump {
            return true;
        }
        self.probe = Some(text);
        self.buf.drain(..used);
        call(out, XID_DUMP, 2, DUMP);
        // Done already if its answer came in the same read.
        record(&self.buf).is_some()
    }

    fn finish(self: Box<Self>, _cfg: &BannerConfig, found: &mut Vec<Found>) {
        if self.probe.is_none() && !self.is_protocol() {
            return unrecognised(&self.buf, found);
        }
        let rec = record(&self.buf)
            .map(|r| r.0)
            .filter(|_| self.is_protocol());
        let text = match (self.probe, rec) {
            (Some(p), Some(r)) => format!("{p}; {}", dump_reply(&r)),
            (Some(p), None) => format!("{p}; DUMP reply cut short"),
            (None, Some(r)) => probe_reply(&r).0,
            (None, None) if self.buf.is_empty() => return,
            (None, None) => format!("RPC: reply cut short ({} bytes)", self.buf.len()),
        };
        found.push(Found::new(app::RPC, text));
    }
}

/// The accepted reply's state and what follows it (after xid, REPLY, MSG_ACCEPTED, verifier),
/// or the text of a reply that is not accepted.
fn accepted(r: &[u8]) -> Result<(u32, &[u8]), String> {
    if be32(r, 4) != Some(1) {
        return Err("RPC: not an RPC reply".into());
    }
    match be32(r, 8) {
        Some(0) => {}
        Some(1) => {
            return Err(match be32(r, 12) {
                Some(0) => format!(
                    "RPC denied: RPC_MISMATCH {}-{}",
                    be32(r, 16).unwrap_or(0),
                    be32(r, 20).unwrap_or(0)
                ),
                Some(1) => format!("RPC denied: AUTH_ERROR {}", be32(r, 16).unwrap_or(0)),
                _ => "RPC denied".into(),
            })
        }
        _ => return Err("RPC: reply cut short".into()),
    }
    let cut = || "RPC: reply cut short".to_string();
    // The verifier's body, padded to 4 bytes, then the state; a length past the end is a cut.
    let verf_len = be32(r, 16).ok_or_else(cut)? as usize;
    let at = verf_len
        .checked_next_multiple_of(4)
        .and_then(|n| n.checked_add(20))
        .ok_or_else(cut)?;
    let state = be32(r, at).ok_or_else(cut)?;
    Ok((state, r.get(at + 4..).unwrap_or(&[])))
}

/// The probe's answer as text, and whether a DUMP should follow.
fn probe_reply(r: &[u8]) -> (String, bool) {
    match accepted(r) {
        Err(e) => (e, false),
        Ok((2, rest)) => {
            let (low, high) = (be32(rest, 0).unwrap_or(0), be32(rest, 4).unwrap_or(0));
            let text = format!("RPC portmapper, PROG_MISMATCH: versions {low}-{high}");
            (text, low <= 2 && high >= 2)
        }
        Ok((0, _)) => ("RPC portmapper, SUCCESS".into(), true),
        Ok((state, _)) => (format!("RPC, portmapper {}", accept_name(state)), false),
    }
}

fn accept_name(state: u32) -> String {
    match state {
        1 => "PROG_UNAVAIL".into(),
        3 => "PROC_UNAVAIL".into(),
        4 => "GARBAGE_ARGS".into(),
        5 => "SYSTEM_ERR".into(),
        n => format!("accept state {n}"),
    }
}

/// The DUMP's list, one `program(name) vVERSIONS proto/port` per program and port.
fn dump_reply(r: &[u8]) -> String {
    let rest = match accepted(r) {
        Ok((0, rest)) => rest,
        Ok((state, _)) => return format!("DUMP {}", accept_name(state)),
        Err(e) => return format!("DUMP: {e}"),
    };
    let mut programs: BTreeMap<(u32, &str, u32), Vec<u32>> = BTreeMap::new();
    let mut at = 0;
    while be32(rest, at) == Some(1) {
        let (Some(prog), Some(vers), Some(prot), Some(port)) = (
            be32(rest, at + 4),
            be32(rest, at + 8),
            be32(rest, at + 12),
            be32(rest, at + 16),
        ) else {
            break;
        };
        let proto = match prot {
            6 => "tcp",
            17 => "udp",
            _ => "other",
        };
        programs.entry((prog, proto, port)).or_default().push(vers);
        at += 20;
    }
    let list: Vec<String> = programs
        .into_iter()
        .map(|((prog, proto, port), vers)| {
            let vers: Vec<String> = vers.iter().map(u32::to_string).collect();
            format!("{prog}({}) v{} {proto}/{port}", name(prog), vers.join(","))
        })
        .collect();
    format!("programs: {}", list.join(", "))
}

fn name(prog: u32) -> &'static str {
    match prog {
        100_000 => "portmapper",
        100_001 => "rstatd",
        100_002 => "rusersd",
        100_003 => "nfs",
        100_004 => "ypserv",
        100_005 => "mountd",
        100_007 => "ypbind",
        100_011 => "rquotad",
        100_021 => "nlockmgr",
        100_024 => "status",
        100_227 => "nfs_acl",
        _ => "?",
    }
}

#[cfg(test)]
#[path = "rpc_tests.rs"]
pub(crate) mod tests;

//! Siemens S7comm (102, ISO-on-TCP), after ZGrab2's `siemens` module: four exchanges on one
//! connection, each a TPKT frame (RFC 1006) around an ISO 8073 COTP unit. A COTP connection
//! request to TSAP 0x0102 (from 0x0100; when it is refused, or the connection ends without a
//! reply, a second connection asks for 0x0200, as ZGrab2 and Nmap's `s7-info` reconnect: a
//! class 0 disconnect releases the connection), S7 Setup Communication, then two SZL reads
//! (userdata, CPU functions): 0x0011, module identification (the order number, hardware and
//! firmware versions), and 0x001C, component identification (system name, module name, plant
//! id, copyright, serial number, module type, memory card serial, OEM id, location). Sans-IO:
//! each whole reply sends the next request.

use std::net::IpAddr;

use super::hello::{be16, printable};
use super::parser::Parser;
use super::{app, BannerConfig, Found};

/// The called TSAPs tried, in order (rack 0 slot 2 as a PG, then the S7-200/LOGO! one); our
/// calling TSAP is 0x0100.
pub const TSAPS: [u16; 2] = [0x0102, 0x0200];
/// The two system status lists read.
pub const SZL_MODULE: u16 = 0x0011;
pub const SZL_COMPONENT: u16 = 0x001c;
/// Largest TPKT frame taken: our Setup Communication asks for 480-byte PDUs.
const MAX_FRAME: usize = 1024;

/// TPKT (version 3, length) and COTP CR (length 17, class 0, TPDU size 1024, calling TSAP
/// 0x0100, called `tsap`).
pub fn connect_request(tsap: u16, out: &mut Vec<u8>) {
    out.extend_from_slice(&[3, 0, 0, 22, 17, 0xe0, 0, 0, 0, 1, 0]);
    out.extend_from_slice(&[0xc0, 1, 0x0a, 0xc1, 2, 0x01, 0x00, 0xc2, 2]);
    out.extend_from_slice(&tsap.to_be_bytes());
}

/// S7 job Setup Communication: 1 parallel job each way, PDU length 480.
pub const SETUP: [u8; 25] = [
    3, 0, 0, 25, 2, 0xf0, 0x80, // TPKT, COTP DT (last unit)
    0x32, 1, 0, 0, 0, 1, 0, 8, 0, 0, // S7 header: job, reference 1, 8 bytes of parameters
    0xf0, 0, 0, 1, 0, 1, 0x01, 0xe0,
];

/// S7 userdata: CPU functions, read SZL `id` (index 1).
pub fn szl_request(id: u16, reference: u16, out: &mut Vec<u8>) {
    out.extend_from_slice(&[3, 0, 0, 33, 2, 0xf0, 0x80, 0x32, 7, 0, 0]);
    out.extend_from_slice(&reference.to_be_bytes());
    out.extend_from_slice(&[0, 8, 0, 8]);
    out.extend_from_slice(&[0, 1, 0x12, 4, 0x11, 0x44, 1, 0]);
    out.extend_from_slice(&[0xff, 9, 0, 4]);
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(&1u16.to_be_bytes());
}

pub(crate) fn start(_ip: IpAddr, _cfg: &BannerConfig, out: &mut Vec<u8>) -> Box<dyn Parser> {
    connect_request(TSAPS[0], out);
    Box::<S7>::default()
}

/// The second connection ([`Parser::wants_second`]): the request to the second TSAP.
pub(crate) fn start_second(_ip: IpAddr, _cfg: &BannerConfig, out: &mut Vec<u8>) -> Box<dyn Parser> {
    connect_request(TSAPS[1], out);
    Box::new(S7 {
        tsap: 1,
        ..S7::default()
    })
}

/// What the next reply answers.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
enum Stage {
    #[default]
    Connect,
    Setup,
    Module,
    Component,
    Done,
}

#[derive(Default)]
pub struct S7 {
    buf: Vec<u8>,
    stage: Stage,
    /// Which of [`TSAPS`] the connection request went to.
    tsap: usize,
    /// Whether any reply was TPKT (the port speaks ISO-on-TCP).
    tpkt: bool,
    /// What was learnt, in order: `COTP connected to TSAP 0x0102`, `S7comm PDU 240`, the SZL
    /// fields.
    parts: Vec<String>,
    /// Why the conversation stopped early.
    error: Option<String>,
    /// The first TSAP was refused.
    refused: bool,
}

impl Parser for S7 {
    fn data(&mut self, d: &[u8], _cfg: &BannerConfig, out: &mut Vec<u8>) -> bool {
        self.buf.extend_from_slice(d);
        if !self.tpkt && self.buf.first().is_some_and(|&b| b != 3) {
            // Not ISO-on-TCP: kept as it comes, reported unlabelled at the end.
            return false;
        }
        while self.stage != Stage::Done {
            match frame(&self.buf) {
                Frame::Whole(n) => {
                    self.tpkt = true;
                    let f: Vec<u8> = self.buf.drain(..n).collect();
                    self.step(&f[4..], out);
                }
                Frame::Partial => break,
                Frame::Bad(why) => {
                    self.error = Some(why);
                    self.stage = Stage::Done;
                }
            }
        }
        self.stage == Stage::Done
    }

    fn wants_second(&self) -> bool {
        let silent = self.stage == Stage::Connect && self.buf.is_empty() && !self.tpkt;
        self.tsap == 0 && (self.refused || silent)
    }

    fn finish(self: Box<Self>, _cfg: &BannerConfig, found: &mut Vec<Found>) {
        if !self.tpkt && self.buf.first() != Some(&3) {
            super::hello::unrecognised(&self.buf, found);
            return;
        }
        let mut parts = self.parts;
        if let Some(e) = self.error {
            parts.push(e);
        } else if self.stage != Stage::Done {
            parts.push(format!("cut before the {} reply", self.stage.what()));
        }
        found.push(Found::new(app::S7, parts.join(", ")));
    }
}

impl Stage {
    fn what(self) -> &'static str {
        match self {
            Stage::Connect => "COTP",
            Stage::Setup => "setup",
            Stage::Module => "SZL 0x0011",
            Stage::Component | Stage::Done => "SZL 0x001c",
        }
    }
}

enum Frame {
    Whole(usize),
    Partial,
    Bad(String),
}

/// The first TPKT frame of `b`: its length once all of it is in.
fn frame(b: &[u8]) -> Frame {
    match (b.first(), be16(b, 2)) {
        (None, _) => Frame::Partial,
        (Some(&v), _) if v != 3 => Frame::Bad(format!("not TPKT (first byte {v:#04x})")),
        (_, None) => Frame::Partial,
        (_, Some(n)) if !(7..=MAX_FRAME as u16).contains(&n) => {
            Frame::Bad(format!("TPKT length {n}"))
        }
        (_, Some(n)) if b.len() >= usize::from(n) => Frame::Whole(usize::from(n)),
        _ => Frame::Partial,
    }
}

impl S7 {
    /// One whole COTP unit (a TPKT frame's payload, at least 3 bytes).
    fn step(&mut self, cotp: &[u8], out: &mut Vec<u8>) {
        let (li, kind) = (usize::from(cotp[0]), cotp[1] & 0xf0);
        let result = match (self.stage, kind) {
            (Stage::Connect, 0xd0) => {
                self.parts
                    .push(format!("COTP connected to TSAP {:#06x}", TSAPS[self.tsap]));
                out.extend_from_slice(&SETUP);
                Ok(Stage::Setup)
            }
            (Stage::Connect, 0x80 | 0x70) => self.refused(cotp),
            (_, 0xf0) => match cotp.get(1 + li..) {
                Some(s7) => self.s7(s7, out),
                None => Err("COTP header cut".to_string()),
            },
            (_, k) => Err(format!("COTP type {k:#04x} during {}", self.stage.what())),
        };
        match result {
            Ok(next) => self.stage = next,
            Err(e) => {
                self.error = Some(e);
                self.stage = Stage::Done;
            }
        }
    }

    /// A disconnect request (or error) answering our connection request: the connection is
    /// over; after the first TSAP, a second connection tries the next ([`Parser::wants_second`]).
    fn refused(&mut self, cotp: &[u8]) -> Result<Stage, String> {
        let how = match cotp[1] & 0xf0 {
            0x80 => format!(
                "refused (DR reason {:#04x})",
                cotp.get(6).copied().unwrap_or(0)
            ),
            _ => "refused (ER)".to_string(),
        };
        self.refused = self.tsap == 0;
        Err(format!("COTP TSAP {:#06x} {how}", TSAPS[self.tsap]))
    }

    /// An S7 PDU answering our setup or an SZL read.
    fn s7(&mut self, s7: &[u8], out: &mut Vec<u8>) -> Result<Stage, String> {
        let Some(&[0x32, rosctr]) = s7.get(..2) else {
            return Err(format!("not S7comm ({} bytes)", s7.len()));
        };
        let (Some(plen), Some(dlen)) = (be16(s7, 6), be16(s7, 8)) else {
            return Err("S7 header cut".to_string());
        };
        // Acknowledgements carry an error class and code after the common 10 bytes.
        let head = match rosctr {
            2 | 3 => 12,
            _ => 10,
        };
        if head == 12 {
            match (s7.get(10), s7.get(11)) {
                (Some(0), Some(0)) => {}
                (Some(c), Some(e)) => {
                    return Err(format!("S7 error class {c:#04x} code {e:#04x}"));
                }
                _ => return Err("S7 header cut".to_string()),
            }
        }
        let params = s7.get(head..(head + usize::from(plen)).min(s7.len()));
        let params = params.unwrap_or_default();
        let data = s7.get(head + usize::from(plen)..).unwrap_or_default();
        let data = &data[..data.len().min(usize::from(dlen))];
        match (self.stage, rosctr) {
            (Stage::Setup, 3) if params.first() == Some(&0xf0) => {
                self.parts.push(match be16(params, 6) {
                    Some(pdu) => format!("S7comm PDU {pdu}"),
                    None => "S7comm".to_string(),
                });
                szl_request(SZL_MODULE, 2, out);
                Ok(Stage::Module)
            }
            (Stage::Module, 7) => {
                self.szl(SZL_MODULE, params, data);
                szl_request(SZL_COMPONENT, 3, out);
                Ok(Stage::Component)
            }
            (Stage::Component, 7) => {
                self.szl(SZL_COMPONENT, params, data);
                Ok(Stage::Done)
            }
            (stage, r) => Err(format!("S7 PDU type {r} during {}", stage.what())),
        }
    }

    /// An SZL read's answer: return code, then the list's header and records.
    fn szl(&mut self, id: u16, params: &[u8], data: &[u8]) {
        let error = be16(params, 10).filter(|&e| e != 0);
        match data.first() {
            Some(0xff) => {}
            Some(&code) => {
                let e = error
                    .map(|e| format!(", error {e:#06x}"))
                    .unwrap_or_default();
                self.parts
                    .push(format!("SZL {id:#06x} return code {code:#04x}{e}"));
                return;
            }
            None => {
                self.parts.push(format!("SZL {id:#06x} no data"));
                return;
            }
        }
        let (Some(len), Some(count)) = (be16(data, 8), be16(data, 10)) else {
            self.parts.push(format!("SZL {id:#06x} header cut"));
            return;
        };
        let len = usize::from(len).max(2);
        let records = &data[12.min(data.len())..];
        for i in 0..usize::from(count) {
            let Some(r) = records.get(i * len..(i + 1) * len) else {
                self.parts.push(format!("SZL {id:#06x} cut"));
                return;
            };
            if let Some(p) = match id {
                SZL_MODULE => module_record(r),
                _ => component_record(r),
            } {
                self.parts.push(p);
            }
        }
    }
}

/// A text field of an SZL record: up to the first NUL.
fn text(b: &[u8]) -> Option<String> {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    let t = printable(&b[..end]);
    let t = t.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// SZL 0x0011: index, MLFB (order number, 20 characters), module type id, two version words.
fn module_record(r: &[u8]) -> Option<String> {
    let index = be16(r, 0)?;
    let version = || {
        let (v1, v2) = (be16(r, 24)?, be16(r, 26)?);
        Some(format!("{}.{}.{}", v1 & 0xff, v2 >> 8, v2 & 0xff))
    };
    match index {
        1 => Some(format!("order number {}", text(r.get(2..22)?)?)),
        6 => Some(format!("hardware {}", version()?)),
        7 => Some(format!("firmware {}", version()?)),
        _ => None,
    }
}

/// SZL 0x001C: index, then a name of up to 32 characters (the binary records, 9, left out).
fn component_record(r: &[u8]) -> Option<String> {
    let name = match be16(r, 0)? {
        1 => "system",
        2 => "module",
        3 => "plant id",
        4 => "copyright",
        5 => "serial number",
        7 => "module type",
        8 => "memory card serial",
        0x0a => "OEM id",
        0x0b => "location",
        _ => return None,
    };
    let end = r.len().min(34);
    Some(format!("{name} {}", text(r.get(2..end)?)?))
}

#[cfg(test)]
#[path = "s7_tests.rs"]
mod tests;

//! RDP: an X.224 Connection Request with an RDP negotiation request (TLS, CredSSP); reports
//! the Connection Confirm: the security protocol the server selected, or why it refused.

use std::net::IpAddr;

use super::parser::Parser;
use super::{app, BannerConfig, Found};

const COOKIE: &[u8] = b"Cookie: mstshash=masscan\r\n";
/// PROTOCOL_SSL | PROTOCOL_HYBRID | PROTOCOL_HYBRID_EX.
const REQUESTED: u32 = 0x1 | 0x2 | 0x8;

pub(crate) fn start(_ip: IpAddr, _cfg: &BannerConfig, out: &mut Vec<u8>) -> Box<dyn Parser> {
    hello(out);
    Box::<Rdp>::default()
}

fn hello(out: &mut Vec<u8>) {
    let li = 6 + COOKIE.len() + 8;
    let total = 4 + 1 + li;
    out.extend_from_slice(&[3, 0]);
    out.extend_from_slice(&(total as u16).to_be_bytes());
    out.extend_from_slice(&[li as u8, 0xe0, 0, 0, 0, 0, 0]);
    out.extend_from_slice(COOKIE);
    out.extend_from_slice(&[1, 0, 8, 0]);
    out.extend_from_slice(&REQUESTED.to_le_bytes());
}

#[derive(Default)]
pub struct Rdp {
    buf: Vec<u8>,
}

impl Parser for Rdp {
    fn data(&mut self, d: &[u8], _cfg: &BannerConfig, _out: &mut Vec<u8>) -> bool {
        self.buf.extend_from_slice(d);
        self.pdu().is_some() || (self.buf.len() >= 4 && self.buf[0] != 3)
    }

    fn finish(self: Box<Self>, _cfg: &BannerConfig, found: &mut Vec<Found>) {
        let text = match self.pdu() {
            Some(p) => describe(p),
            None if self.buf.is_empty() => return,
            None => format!("not an X.224 reply ({} bytes)", self.buf.len()),
        };
        found.push(Found::new(app::RDP, text));
    }
}

impl Rdp {
    /// The whole first TPKT, once it is in.
    fn pdu(&self) -> Option<&[u8]> {
        if self.buf.first() != Some(&3) {
            return None;
        }
        let len = u16::from_be_bytes(self.buf.get(2..4)?.try_into().ok()?) as usize;
        self.buf.get(..len.max(4))
    }
}

fn describe(p: &[u8]) -> String {
    // TPKT (4), X.224 LI, code.
    let code = p.get(5).copied().unwrap_or(0) & 0xf0;
    if code != 0xd0 {
        return format!("X.224 code 0x{code:02x}, not a connection confirm");
    }
    let li = p.get(4).copied().unwrap_or(0) as usize;
    let neg = p.get(11..(5 + li).min(p.len())).unwrap_or(&[]);
    if neg.len() < 8 {
        return "X.224 connection confirmed, standard RDP security (no negotiation)".into();
    }
    let value = u32::from_le_bytes([neg[4], neg[5], neg[6], neg[7]]);
    match neg[0] {
        2 => format!(
            "X.224 connection confirmed, selected protocol: {}",
            protocol_name(value)
        ),
        3 => format!(
            "X.224 connection confirmed, negotiation failure: {}",
            failure_name(value)
        ),
        t => format!("X.224 connection confirmed, negotiation type {t}"),
    }
}

fn protocol_name(p: u32) -> String {
    match p {
        0 => "standard RDP security".into(),
        1 => "TLS".into(),
        2 => "CredSSP".into(),
        4 => "RDSTLS".into(),
        8 => "CredSSP with early user authorization".into(),
        n => format!("0x{n:x}"),
    }
}

fn failure_name(code: u32) -> String {
    match code {
        1 => "SSL required by server".into(),
        2 => "SSL not allowed by server".into(),
        3 => "SSL certificate not on server".into(),
        4 => "inconsistent flags".into(),
        5 => "hybrid required by server".into(),
        6 => "SSL with user auth required by server".into(),
        n => format!("code {n}"),
    }
}

//! SMB (port 445): an SMB2 NEGOTIATE (dialects 2.0.2 to 3.0.2), then a SESSION_SETUP carrying an
//! NTLMSSP NEGOTIATE; reports the dialect and signing policy from the first reply and the
//! domain, computer names and OS version from the server's NTLMSSP CHALLENGE, when it sends one.

use std::net::IpAddr;

use super::parser::Parser;
use super::{app, BannerConfig, Found};
use crate::output::timestr;

const DIALECTS: [u16; 4] = [0x0202, 0x0210, 0x0300, 0x0302];

/// SPNEGO NegTokenInit around an NTLMSSP NEGOTIATE message (unicode, NTLM, extended session
/// security, target info, version; no domain or workstation).
const SPNEGO_NTLM_NEGOTIATE: [u8; 74] = [
    0x60, 0x48, 0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02, 0xa0, 0x3e, 0x30, 0x3c, 0xa0, 0x0e,
    0x30, 0x0c, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a, 0xa2, 0x2a,
    0x04, 0x28, // NTLMSSP NEGOTIATE, 40 bytes:
    b'N', b'T', b'L', b'M', b'S', b'S', b'P', 0, 1, 0, 0, 0, 0x05, 0x82, 0x88, 0xe2, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6, 1, 0xb1, 0x1d, 0, 0, 0, 0x0f,
];

fn header(out: &mut Vec<u8>, command: u16, message_id: u64) {
    out.extend_from_slice(b"\xfeSMB");
    out.extend_from_slice(&64u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // credit charge
    out.extend_from_slice(&0u32.to_le_bytes()); // status
    out.extend_from_slice(&command.to_le_bytes());
    out.extend_from_slice(&31u16.to_le_bytes()); // credits requested
    out.extend_from_slice(&0u32.to_le_bytes()); // flags
    out.extend_from_slice(&0u32.to_le_bytes()); // next command
    out.extend_from_slice(&message_id.to_le_bytes());
    out.extend_from_slice(&0xfeffu32.to_le_bytes()); // process id
    out.extend_from_slice(&0u32.to_le_bytes()); // tree id
    out.extend_from_slice(&0u64.to_le_bytes()); // session id
    out.extend_from_slice(&[0; 16]); // signature
}

/// Wraps an SMB2 message in its NetBIOS session header.
fn framed(out: &mut Vec<u8>, msg: &[u8]) {
    let len = msg.len() as u32;
    out.extend_from_slice(&[0, (len >> 16) as u8, (len >> 8) as u8, len as u8]);
    out.extend_from_slice(msg);
}

pub(crate) fn start(_ip: IpAddr, _cfg: &BannerConfig, out: &mut Vec<u8>) -> Box<dyn Parser> {
    hello(out);
    Box::<Smb>::default()
}

fn hello(out: &mut Vec<u8>) {
    let mut m = Vec::with_capacity(112);
    header(&mut m, 0, 0);
    m.extend_from_slice(&36u16.to_le_bytes());
    m.extend_from_slice(&(DIALECTS.len() as u16).to_le_bytes());
    m.extend_from_slice(&1u16.to_le_bytes()); // signing enabled
    m.extend_from_slice(&0u16.to_le_bytes());
    m.extend_from_slice(&0u32.to_le_bytes()); // capabilities
    m.extend_from_slice(b"masscan-rs-guid!");
    m.extend_from_slice(&0u64.to_le_bytes());
    for d in DIALECTS {
        m.extend_from_slice(&d.to_le_bytes());
    }
    framed(out, &m);
}

fn session_setup(out: &mut Vec<u8>) {
    let mut m = Vec::with_capacity(170);
    header(&mut m, 1, 1);
    m.extend_from_slice(&25u16.to_le_bytes());
    m.push(0); // flags
    m.push(1); // signing enabled
    m.extend_from_slice(&0u32.to_le_bytes()); // capabilities
    m.extend_from_slice(&0u32.to_le_bytes()); // channel
    m.extend_from_slice(&(64u16 + 24).to_le_bytes());
    m.extend_from_slice(&(SPNEGO_NTLM_NEGOTIATE.len() as u16).to_le_bytes());
    m.extend_from_slice(&0u64.to_le_bytes());
    m.extend_from_slice(&SPNEGO_NTLM_NEGOTIATE);
    framed(out, &m);
}

#[derive(Default)]
pub struct Smb {
    buf: Vec<u8>,
    /// Where the next NetBIOS message starts in `buf`.
    at: usize,
    negotiate: Option<String>,
    ntlm: Option<String>,
    done: bool,
}

impl Parser for Smb {
    fn data(&mut self, d: &[u8], _cfg: &BannerConfig, out: &mut Vec<u8>) -> bool {
        self.buf.extend_from_slice(d);
        while !self.done {
            let Some(msg) = self.next_message() else {
                break;
            };
            if msg.len() < 64 || &msg[..4] != b"\xfeSMB" {
                self.done = true;
                if self.negotiate.is_none() {
                    self.negotiate = Some(if msg.starts_with(b"\xffSMB") {
                        "SMB1 only (no SMB2 reply)".into()
                    } else {
                        "not an SMB2 reply".into()
                    });
                }
                break;
            }
            let command = u16::from_le_bytes([msg[12], msg[13]]);
            match command {
                0 if self.negotiate.is_none() => {
                    self.negotiate = Some(negotiate(&msg));
                    session_setup(out);
                }
                1 => {
                    self.ntlm = ntlm_challenge(&msg[64..]);
                    self.done = true;
                }
                _ => {}
            }
        }
        self.done
    }

    fn finish(self: Box<Self>, _cfg: &BannerConfig, found: &mut Vec<Found>) {
        let mut text = match self.negotiate {
            Some(n) => n,
            None if self.buf.is_empty() => return,
            None => format!("incomplete SMB reply ({} bytes)", self.buf.len()),
        };
        if let Some(n) = self.ntlm {
            text.push_str(", ");
            text.push_str(&n);
        }
        found.push(Found::new(app::SMB, text));
    }
}

impl Smb {
    fn next_message(&mut self) -> Option<Vec<u8>> {
        let rest = self.buf.get(self.at..)?;
        if rest.len() < 4 {
            return None;
        }
        let len = (usize::from(rest[1]) << 16) | (usize::from(rest[2]) << 8) | usize::from(rest[3]);
        let msg = rest.get(4..4 + len)?.to_vec();
        self.at += 4 + len;
        Some(msg)
    }
}

fn u16le(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}
fn u32le(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}
fn u64le(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

fn negotiate(msg: &[u8]) -> String {
    let status = u32le(msg, 8).unwrap_or(0);
    if status != 0 {
        return format!("SMB2 negotiate refused (status 0x{status:08x})");
    }
    let body = &msg[64..];
    let (Some(mode), Some(dialect)) = (u16le(body, 2), u16le(body, 4)) else {
        return "SMB2 negotiate reply too short".into();
    };
    let signing = if mode & 2 != 0 {
        "required"
    } else if mode & 1 != 0 {
        "enabled"
    } else {
        "disabled"
    };
    let mut s = format!(
        "SMB {}.{}.{}, signing {signing}",
        dialect >> 8,
        (dialect >> 4) & 0xf,
        dialect & 0xf
    );
    if let Some(guid) = body.get(8..24) {
        let hex: String = guid.iter().map(|b| format!("{b:02x}")).collect();
        s.push_str(&format!(", guid {hex}"));
    }
    if let Some(t) = u64le(body, 40).filter(|&t| t > 116_444_736_000_000_000) {
        let unix = (t - 116_444_736_000_000_000) / 10_000_000;
        s.push_str(&format!(", time {} GMT", timestr(unix)));
    }
    s
}

/// Reads an NTLMSSP CHALLENGE found anywhere in a SESSION_SETUP reply's body.
fn ntlm_challenge(body: &[u8]) -> Option<String> {
    let at = body.windows(8).position(|w| w == b"NTLMSSP\0")?;
    let m = &body[at..];
    if u32le(m, 8)? != 2 {
        return None;
    }
    let field = |off: usize| -> Option<&[u8]> {
        let len = u16le(m, off)? as usize;
        let start = u32le(m, off + 4)? as usize;
        m.get(start..start.checked_add(len)?)
    };
    let flags = u32le(m, 20)?;
    let mut parts = Vec::new();
    if let Some(name) = field(12).filter(|n| !n.is_empty()) {
        parts.push(format!("target {}", utf16(name)));
    }
    if let Some(info) = field(40) {
        let mut i = 0;
        while let (Some(id), Some(len)) = (u16le(info, i), u16le(info, i + 2)) {
            let Some(v) = info.get(i + 4..i + 4 + len as usize) else {
                break;
            };
            let label = match id {
                0 => break,
                1 => "computer",
                2 => "domain",
                3 => "DNS computer",
                4 => "DNS domain",
                5 => "DNS forest",
                _ => {
                    i += 4 + len as usize;
                    continue;
                }
            };
            let value = utf16(v);
            if !value.is_empty() {
                parts.push(format!("{label} {value}"));
            }
            i += 4 + len as usize;
        }
    }
    // NTLMSSP_NEGOTIATE_VERSION: the server's OS version follows the fixed fields.
    if flags & 0x0200_0000 != 0 {
        if let Some(v) = m.get(48..56) {
            parts.push(format!(
                "os version {}.{} build {}",
                v[0],
                v[1],
                u16::from_le_bytes([v[2], v[3]])
            ));
        }
    }
    Some(parts.join(", "))
}

fn utf16(b: &[u8]) -> String {
    let units: Vec<u16> = b
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16_lossy(&units)
}

//! SMB (445, and 139 after a NetBIOS session request): an SMB1 NEGOTIATE offering NT LM 0.12
//! and SMB2 ([`super::smb1`]); an SMB2 server then gets an SMB2 NEGOTIATE (dialects 2.0.2 to
//! 3.0.2) and either kind a SESSION_SETUP carrying an NTLMSSP NEGOTIATE. Reports the dialect
//! and signing policy, the domain, computer names and OS version from the server's NTLMSSP
//! CHALLENGE, and an SMBv1 server's native OS and LAN manager.

use std::net::IpAddr;

use super::parser::Parser;
use super::smb1;
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

pub(crate) fn start(_ip: IpAddr, cfg: &BannerConfig, out: &mut Vec<u8>) -> Box<dyn Parser> {
    smb1::negotiate(cfg.smbv1_only, out);
    Box::new(Smb::new(Stage::Negotiate, cfg))
}

/// Port 139: a NetBIOS session request first, then the same as port 445.
pub(crate) fn start_netbios(_ip: IpAddr, cfg: &BannerConfig, out: &mut Vec<u8>) -> Box<dyn Parser> {
    smb1::session_request(out);
    Box::new(Smb::new(Stage::NetBios, cfg))
}

/// The SMB2 NEGOTIATE, sent when the server answered the SMB1 one with "any SMB2" (0x02ff).
fn smb2_negotiate(out: &mut Vec<u8>) {
    let mut m = Vec::with_capacity(112);
    header(&mut m, 0, 1);
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
    smb1::framed(out, &m);
}

fn session_setup(out: &mut Vec<u8>, message_id: u64) {
    let mut m = Vec::with_capacity(170);
    header(&mut m, 1, message_id);
    m.extend_from_slice(&25u16.to_le_bytes());
    m.push(0); // flags
    m.push(1); // signing enabled
    m.extend_from_slice(&0u32.to_le_bytes()); // capabilities
    m.extend_from_slice(&0u32.to_le_bytes()); // channel
    m.extend_from_slice(&(64u16 + 24).to_le_bytes());
    m.extend_from_slice(&(SPNEGO_NTLM_NEGOTIATE.len() as u16).to_le_bytes());
    m.extend_from_slice(&0u64.to_le_bytes());
    m.extend_from_slice(&SPNEGO_NTLM_NEGOTIATE);
    smb1::framed(out, &m);
}

/// Where the conversation is: what the next reply answers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    NetBios,
    Negotiate,
    Smb2Negotiate,
    Setup,
}

pub struct Smb {
    buf: Vec<u8>,
    /// Where the next NetBIOS message starts in `buf`.
    at: usize,
    stage: Stage,
    v1_only: bool,
    negotiate: Option<String>,
    ntlm: Option<String>,
    /// SMBv1's native OS and LAN manager strings.
    native: Vec<String>,
    done: bool,
}

impl Parser for Smb {
    fn data(&mut self, d: &[u8], _cfg: &BannerConfig, out: &mut Vec<u8>) -> bool {
        self.buf.extend_from_slice(d);
        while !self.done {
            let Some((kind, msg)) = self.next_message() else {
                break;
            };
            if self.stage == Stage::NetBios {
                match smb1::session_response(kind, &msg) {
                    Ok(()) => {
                        smb1::negotiate(self.v1_only, out);
                        self.stage = Stage::Negotiate;
                    }
                    Err(e) => self.end(e),
                }
            } else if kind == 0x85 {
                continue; // keep-alive
            } else if msg.len() >= 64 && msg.starts_with(b"\xfeSMB") {
                self.smb2(&msg, out);
            } else if msg.len() >= 33 && msg.starts_with(b"\xffSMB") {
                self.smb1(&msg, out);
            } else {
                self.end("not an SMB reply".into());
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
        if let Some(n) = self.ntlm.filter(|n| !n.is_empty()) {
            text.push_str(", ");
            text.push_str(&n);
        }
        for (label, v) in ["native os", "native lanman"].iter().zip(&self.native) {
            text.push_str(&format!(", {label} {v}"));
        }
        found.push(Found::new(app::SMB, text));
    }
}

impl Smb {
    fn new(stage: Stage, cfg: &BannerConfig) -> Self {
        Smb {
            buf: Vec::new(),
            at: 0,
            stage,
            v1_only: cfg.smbv1_only,
            negotiate: None,
            ntlm: None,
            native: Vec::new(),
            done: false,
        }
    }

    /// The reply ends the conversation; `why` is the banner unless one is known already.
    fn end(&mut self, why: String) {
        self.done = true;
        self.negotiate.get_or_insert(why);
    }

    fn smb2(&mut self, msg: &[u8], out: &mut Vec<u8>) {
        match u16le(msg, 12) {
            Some(0) if self.negotiate.is_none() => {
                if u16le(msg, 64 + 4) == Some(0x02ff) && self.stage == Stage::Negotiate {
                    smb2_negotiate(out);
                    self.stage = Stage::Smb2Negotiate;
                    return;
                }
                self.negotiate = Some(negotiate(msg));
                let id = if self.stage == Stage::Smb2Negotiate {
                    2
                } else {
                    1
                };
                session_setup(out, id);
                self.stage = Stage::Setup;
            }
            Some(1) => {
                self.ntlm = ntlm_challenge(msg.get(64..).unwrap_or(&[]));
                self.done = true;
            }
            _ => self.end("unexpected SMB2 reply".into()),
        }
    }

    fn smb1(&mut self, msg: &[u8], out: &mut Vec<u8>) {
        match msg.get(4) {
            Some(0x72) if self.negotiate.is_none() => {
                self.negotiate = Some(smb1::describe_negotiate(msg, self.v1_only));
                if smb1::extended_security(msg) {
                    smb1::session_setup(&SPNEGO_NTLM_NEGOTIATE, out);
                    self.stage = Stage::Setup;
                } else {
                    self.done = true;
                }
            }
            Some(0x73) => {
                let (blob, native) = smb1::session_setup_reply(msg);
                self.ntlm = blob.and_then(ntlm_challenge);
                self.native = native;
                self.done = true;
            }
            _ => self.end("unexpected SMBv1 reply".into()),
        }
    }

    /// The next NetBIOS session message: its type and body.
    fn next_message(&mut self) -> Option<(u8, Vec<u8>)> {
        let rest = self.buf.get(self.at..)?;
        if rest.len() < 4 {
            return None;
        }
        let len = (usize::from(rest[1]) << 16) | (usize::from(rest[2]) << 8) | usize::from(rest[3]);
        let msg = rest.get(4..4 + len)?.to_vec();
        let kind = rest[0];
        self.at += 4 + len;
        Some((kind, msg))
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

#[cfg(test)]
mod tests {
    use super::smb1::tests::{negotiate_reply, utf16};
    use super::*;

    fn framed(msg: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        smb1::framed(&mut v, msg);
        v
    }

    fn run(port139: bool, cfg: &BannerConfig, replies: &[Vec<u8>]) -> (Vec<Vec<u8>>, String) {
        let ip = "198.18.1.37".parse().unwrap();
        let mut out = Vec::new();
        let mut p = if port139 {
            start_netbios(ip, cfg, &mut out)
        } else {
            start(ip, cfg, &mut out)
        };
        let mut sent = vec![std::mem::take(&mut out)];
        for r in replies {
            if p.data(r, cfg, &mut out) {
                break;
            }
            sent.push(std::mem::take(&mut out));
        }
        let mut found = Vec::new();
        p.finish(cfg, &mut found);
        let text = found
            .first()
            .map(|f| String::from_utf8_lossy(&f.text).into_owned())
            .unwrap_or_default();
        (sent, text)
    }

    /// An SMB1 SESSION_SETUP_ANDX reply (more processing required) with an NTLMSSP
    /// CHALLENGE naming no one and Windows XP's native strings.
    fn setup_reply() -> Vec<u8> {
        let mut m = negotiate_reply(0, 0, 0, &[])[..32].to_vec();
        m[4] = 0x73;
        m[5..9].copy_from_slice(&0xc000_0016u32.to_le_bytes());
        let blob = b"\xa1\x20NTLMSSP\0\x02\0\0\0\0\0\0\0\0\0\0\0\x05\x02\x89\xa2".to_vec();
        m.push(4);
        m.extend_from_slice(&[0xff, 0, 0, 0, 0, 0]);
        m.extend_from_slice(&(blob.len() as u16).to_le_bytes());
        let mut bytes = blob;
        if (m.len() + 2 + bytes.len()) % 2 == 1 {
            bytes.push(0);
        }
        bytes.extend(utf16("Windows 5.1"));
        bytes.extend(utf16("Windows 2000 LAN Manager"));
        m.extend_from_slice(&(bytes.len() as u16).to_le_bytes());
        m.extend_from_slice(&bytes);
        m
    }

    #[test]
    fn port_139_asks_netbios_first_then_smb1_to_the_end() {
        let cfg = BannerConfig::default();
        let neg = negotiate_reply(3, 0x8000_f3fd, 0, &[0x22; 16]);
        let replies = [vec![0x82, 0, 0, 0], framed(&neg), framed(&setup_reply())];
        let (sent, text) = run(true, &cfg, &replies);
        assert_eq!(sent[0][0], 0x81, "a NetBIOS session request");
        assert_eq!(&sent[1][4..9], b"\xffSMB\x72");
        assert_eq!(&sent[2][4..9], b"\xffSMB\x73");
        assert!(
            text.starts_with("SMBv1 NT LM 0.12, signing disabled, user security"),
            "{text}"
        );
        assert!(
            text.ends_with("native os Windows 5.1, native lanman Windows 2000 LAN Manager"),
            "{text}"
        );
        // Every truncation of the conversation gives a one-line banner, no panic.
        let all: Vec<u8> = replies.concat();
        for cut in 1..all.len() {
            let (_, t) = run(true, &cfg, &[all[..cut].to_vec()]);
            assert!(!t.is_empty(), "{cut}");
        }
        let (_, text) = run(true, &cfg, &[vec![0x83, 0, 0, 1, 0x82]]);
        assert_eq!(text, "NetBIOS session refused (called name not present)");
    }

    #[test]
    fn smbv1_only_offers_nt_lm_alone_and_reads_names_without_extended_security() {
        let cfg = BannerConfig {
            smbv1_only: true,
            ..BannerConfig::default()
        };
        let mut names = vec![0; 8];
        names.extend(utf16("LAB"));
        names.extend(utf16("OLDBOX"));
        let neg = negotiate_reply(0x03, 0x0000_e3fd, 8, &names);
        let (sent, text) = run(false, &cfg, &[framed(&neg)]);
        assert!(sent[0].ends_with(b"\x02NT LM 0.12\0"));
        assert!(!sent[0].windows(3).any(|w| w == b"2.?"));
        assert!(text.ends_with(", domain LAB, server OLDBOX"), "{text}");
        let (_, text) = run(false, &cfg, &[b"\x00\x00\x00\x03abc".to_vec()]);
        assert_eq!(text, "not an SMB reply");
    }
}

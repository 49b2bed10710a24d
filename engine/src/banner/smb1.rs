//! SMBv1 for the SMB hello ([`super::smb`]): the NetBIOS session request port 139 needs first,
//! the SMB1 NEGOTIATE every SMB hello opens with (NT LM 0.12 plus the SMB2 dialects, so one
//! request finds SMB1-only and SMB2 servers alike; NT LM 0.12 alone with `--hello smbv1`), the
//! SMB1 SESSION_SETUP_ANDX carrying an NTLMSSP NEGOTIATE, and what their replies say.

use crate::output::timestr;

/// Dialects of the NEGOTIATE: SMBv1's, then SMB 2.0.2 and "any SMB2" (the server answers the
/// latter with an SMB2 NEGOTIATE reply naming dialect 0x02ff).
const DIALECTS: [&[u8]; 3] = [b"NT LM 0.12", b"SMB 2.002", b"SMB 2.???"];

/// CAP_UNICODE | CAP_NT_SMBS | CAP_STATUS32 | CAP_EXTENDED_SECURITY.
const CAPABILITIES: u32 = 0x0004 | 0x0010 | 0x0040 | 0x8000_0000;

/// An SMB1 header (32 bytes) for `command`.
fn header(out: &mut Vec<u8>, command: u8, mid: u16) {
    out.extend_from_slice(b"\xffSMB");
    out.push(command);
    out.extend_from_slice(&[0; 4]); // status
    out.push(0x18); // flags: case-insensitive, canonical paths
    out.extend_from_slice(&0xc801u16.to_le_bytes()); // unicode, NT status, ext. security, long names
    out.extend_from_slice(&[0; 12]); // PID high, security features, reserved
    out.extend_from_slice(&0xffffu16.to_le_bytes()); // TID
    out.extend_from_slice(&0xfeffu16.to_le_bytes()); // PID
    out.extend_from_slice(&0u16.to_le_bytes()); // UID
    out.extend_from_slice(&mid.to_le_bytes());
}

/// Wraps a message in its NetBIOS session header (type 0, 24-bit length).
pub(crate) fn framed(out: &mut Vec<u8>, msg: &[u8]) {
    let len = msg.len() as u32;
    out.extend_from_slice(&[0, (len >> 16) as u8, (len >> 8) as u8, len as u8]);
    out.extend_from_slice(msg);
}

/// The SMB1 NEGOTIATE, framed.
pub(crate) fn negotiate(v1_only: bool, out: &mut Vec<u8>) {
    let mut m = Vec::with_capacity(80);
    header(&mut m, 0x72, 0);
    m.push(0); // word count
    let dialects = if v1_only {
        &DIALECTS[..1]
    } else {
        &DIALECTS[..]
    };
    let bytes: usize = dialects.iter().map(|d| d.len() + 2).sum();
    m.extend_from_slice(&(bytes as u16).to_le_bytes());
    for d in dialects {
        m.push(2); // dialect string
        m.extend_from_slice(d);
        m.push(0);
    }
    framed(out, &m);
}

/// The SMB1 SESSION_SETUP_ANDX with a security blob (extended security), framed.
pub(crate) fn session_setup(blob: &[u8], out: &mut Vec<u8>) {
    let mut m = Vec::with_capacity(140);
    header(&mut m, 0x73, 1);
    m.push(12); // word count
    m.extend_from_slice(&[0xff, 0, 0, 0]); // no AndX command
    m.extend_from_slice(&0x1104u16.to_le_bytes()); // max buffer
    m.extend_from_slice(&2u16.to_le_bytes()); // max mpx
    m.extend_from_slice(&1u16.to_le_bytes()); // VC number
    m.extend_from_slice(&0u32.to_le_bytes()); // session key
    m.extend_from_slice(&(blob.len() as u16).to_le_bytes());
    m.extend_from_slice(&0u32.to_le_bytes());
    m.extend_from_slice(&CAPABILITIES.to_le_bytes());
    let pad = usize::from((m.len() + 2 + blob.len()) % 2 == 1);
    m.extend_from_slice(&((blob.len() + pad + 4) as u16).to_le_bytes());
    m.extend_from_slice(blob);
    m.extend_from_slice(&[0; 5][..pad + 4]); // pad, empty native OS and LAN manager
    framed(out, &m);
}

/// NetBIOS session request (RFC 1002 4.3.2) to `*SMBSERVER` from `MASSCAN`, as port 139 wants
/// before any SMB.
pub(crate) fn session_request(out: &mut Vec<u8>) {
    let mut m = Vec::with_capacity(68);
    for name in [&b"*SMBSERVER"[..], b"MASSCAN"] {
        m.push(32);
        let mut padded = [b' '; 16];
        padded[..name.len()].copy_from_slice(name);
        padded[15] = 0x20; // the file server / workstation suffix
        for c in padded {
            m.push(b'A' + (c >> 4));
            m.push(b'A' + (c & 0xf));
        }
        m.push(0);
    }
    out.extend_from_slice(&[0x81, 0, 0, m.len() as u8]);
    out.extend_from_slice(&m);
}

/// The NetBIOS session service's answer to the request: `Ok` for a positive response.
pub(crate) fn session_response(kind: u8, body: &[u8]) -> Result<(), String> {
    match kind {
        0x82 => Ok(()),
        0x83 => Err(format!(
            "NetBIOS session refused ({})",
            match body.first() {
                Some(0x80) => "not listening on called name".to_string(),
                Some(0x81) => "not listening for calling name".into(),
                Some(0x82) => "called name not present".into(),
                Some(0x83) => "insufficient resources".into(),
                Some(e) => format!("error 0x{e:02x}"),
                None => "no reason".into(),
            }
        )),
        0x84 => Err("NetBIOS session retarget".into()),
        k => Err(format!("not a NetBIOS session reply (type 0x{k:02x})")),
    }
}

fn u16le(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}
fn u32le(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Whether an SMB1 NEGOTIATE reply asks for extended security (then a SESSION_SETUP follows).
pub(crate) fn extended_security(msg: &[u8]) -> bool {
    msg.get(32) == Some(&17) && u32le(msg, 52).is_some_and(|c| c & 0x8000_0000 != 0)
}

/// An SMB1 NEGOTIATE reply, as text.
pub(crate) fn describe_negotiate(msg: &[u8], v1_only: bool) -> String {
    let status = u32le(msg, 5).unwrap_or(0);
    if status != 0 {
        return format!("SMBv1 negotiate refused (status 0x{status:08x})");
    }
    let index = u16le(msg, 33).unwrap_or(0xffff);
    let offered = if v1_only { 1 } else { DIALECTS.len() };
    let Some(dialect) = DIALECTS[..offered].get(index as usize) else {
        return "SMBv1: no dialect accepted".into();
    };
    let dialect = String::from_utf8_lossy(dialect);
    if msg.get(32) != Some(&17) {
        return format!("SMBv1 {dialect}, negotiate reply too short");
    }
    let (Some(&mode), Some(caps)) = (msg.get(35), u32le(msg, 52)) else {
        return format!("SMBv1 {dialect}, negotiate reply too short");
    };
    let signing = if mode & 8 != 0 {
        "required"
    } else if mode & 4 != 0 {
        "enabled"
    } else {
        "disabled"
    };
    let level = if mode & 1 != 0 { "user" } else { "share" };
    let mut s = format!("SMBv1 {dialect}, signing {signing}, {level} security");
    let time = u32le(msg, 56).zip(u32le(msg, 60));
    if let Some(t) = time
        .map(|(lo, hi)| u64::from(hi) << 32 | u64::from(lo))
        .filter(|&t| t > 116_444_736_000_000_000)
    {
        let unix = (t - 116_444_736_000_000_000) / 10_000_000;
        s.push_str(&format!(", time {} GMT", timestr(unix)));
    }
    let bytes = msg.get(69..).unwrap_or(&[]);
    if caps & 0x8000_0000 != 0 {
        if let Some(guid) = bytes.get(..16) {
            let hex: String = guid.iter().map(|b| format!("{b:02x}")).collect();
            s.push_str(&format!(", guid {hex}"));
        }
    } else {
        // Challenge, then the domain and server names (unicode, each ending in a NUL).
        let challenge = msg.get(66).copied().unwrap_or(0) as usize;
        let names = bytes.get(challenge..).unwrap_or(&[]);
        let mut parts = utf16z(names);
        for label in ["domain", "server"] {
            match parts.next() {
                Some(v) if !v.is_empty() => s.push_str(&format!(", {label} {v}")),
                _ => {}
            }
        }
    }
    s
}

/// NUL-terminated UTF-16LE strings, one after another.
fn utf16z(b: &[u8]) -> impl Iterator<Item = String> + '_ {
    let units: Vec<u16> = b
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    let strings: Vec<String> = units
        .split(|&u| u == 0)
        .map(String::from_utf16_lossy)
        .collect();
    strings.into_iter()
}

/// An SMB1 SESSION_SETUP_ANDX reply: its security blob, and its native OS and LAN manager.
pub(crate) fn session_setup_reply(msg: &[u8]) -> (Option<&[u8]>, Vec<String>) {
    if msg.get(32) != Some(&4) {
        return (None, Vec::new());
    }
    let Some(blob_len) = u16le(msg, 33 + 6).map(usize::from) else {
        return (None, Vec::new());
    };
    let start = 33 + 8 + 2;
    let blob = msg.get(start..start + blob_len);
    let mut at = start + blob_len;
    at += at % 2; // unicode strings start on an even offset
    let strings = msg
        .get(at..)
        .map(|b| utf16z(b).take(2).filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    (blob, strings)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An SMB1 NEGOTIATE reply: NT LM 0.12, `caps`, then `bytes`.
    pub fn negotiate_reply(mode: u8, caps: u32, challenge: u8, bytes: &[u8]) -> Vec<u8> {
        let mut m = Vec::new();
        header(&mut m, 0x72, 0);
        m.push(17);
        m.extend_from_slice(&0u16.to_le_bytes()); // dialect 0
        m.push(mode);
        m.extend_from_slice(&[50, 0, 1, 0]);
        m.extend_from_slice(&16644u32.to_le_bytes());
        m.extend_from_slice(&65536u32.to_le_bytes());
        m.extend_from_slice(&0u32.to_le_bytes());
        m.extend_from_slice(&caps.to_le_bytes());
        m.extend_from_slice(&133_000_000_000_000_000u64.to_le_bytes());
        m.extend_from_slice(&0u16.to_le_bytes());
        m.push(challenge);
        m.extend_from_slice(&(bytes.len() as u16).to_le_bytes());
        m.extend_from_slice(bytes);
        m
    }

    pub fn utf16(s: &str) -> Vec<u8> {
        s.encode_utf16()
            .chain([0])
            .flat_map(|c| c.to_le_bytes())
            .collect()
    }

    #[test]
    fn hellos_are_well_formed() {
        let mut out = Vec::new();
        negotiate(false, &mut out);
        assert_eq!(&out[4..9], b"\xffSMB\x72");
        assert_eq!(
            out.len() - 4,
            u32::from_be_bytes([0, out[1], out[2], out[3]]) as usize
        );
        assert!(out.ends_with(b"\x02SMB 2.???\0"));
        out.clear();
        negotiate(true, &mut out);
        assert!(out.ends_with(b"\x02NT LM 0.12\0"));
        out.clear();
        session_request(&mut out);
        assert_eq!(out.len(), 4 + 68);
        assert_eq!(&out[4..9], b"\x20CKFD");
        out.clear();
        session_setup(b"blob", &mut out);
        assert_eq!(&out[4..9], b"\xffSMB\x73");
        assert_eq!(
            out.len() - 4,
            u32::from_be_bytes([0, out[1], out[2], out[3]]) as usize
        );
    }

    #[test]
    fn negotiate_replies_with_and_without_extended_security() {
        let mut names = vec![0xaa; 8];
        names.extend(utf16("WORKGROUP"));
        names.extend(utf16("LAB-SMB1"));
        let r = negotiate_reply(3, 0x0000_f3fd, 8, &names);
        assert!(!extended_security(&r));
        assert_eq!(
            describe_negotiate(&r, false),
            "SMBv1 NT LM 0.12, signing disabled, user security, time 2022-06-18 04:26:40 GMT, \
             domain WORKGROUP, server LAB-SMB1"
        );
        let r = negotiate_reply(0x0f, 0x8000_f3fd, 0, &[0x11; 16]);
        assert!(extended_security(&r));
        assert!(describe_negotiate(&r, true)
            .starts_with("SMBv1 NT LM 0.12, signing required, user security, time "));
        assert!(describe_negotiate(&r, true).ends_with(", guid 11111111111111111111111111111111"));
        for cut in 0..r.len() {
            let _ = describe_negotiate(&r[..cut], false);
            let _ = session_setup_reply(&r[..cut]);
        }
        let mut refused = r.clone();
        refused[33..35].copy_from_slice(&[0xff, 0xff]);
        assert_eq!(
            describe_negotiate(&refused, false),
            "SMBv1: no dialect accepted"
        );
    }

    #[test]
    fn netbios_answers() {
        assert_eq!(session_response(0x82, &[]), Ok(()));
        assert_eq!(
            session_response(0x83, &[0x80]),
            Err("NetBIOS session refused (not listening on called name)".into())
        );
        assert!(session_response(0x00, &[]).is_err());
    }
}

//! ISAKMP / IKEv1 (RFC 2408, RFC 2409): our main-mode offer, whose initiator cookie is our
//! cookie, and the reply's banner: the exchange, the responder's cookie and the payloads it
//! sent (with notify types and vendor ids), e.g.
//! `IKEv1 main-mode rcookie=... SA VID=4a131c81070358455c5728f20e95452f`.

use std::fmt::Write as _;

/// Transforms offered, each (encryption, key bits, hash, auth, group) as RFC 2409 numbers.
const TRANSFORMS: [(u16, u16, u16, u16, u16); 6] = [
    (7, 256, 4, 1, 14), // AES-CBC-256, SHA2-256, pre-shared key, MODP 2048
    (7, 128, 2, 1, 14), // AES-CBC-128, SHA1
    (7, 128, 2, 1, 2),  // AES-CBC-128, SHA1, MODP 1024
    (5, 0, 2, 1, 2),    // 3DES-CBC, SHA1
    (5, 0, 1, 1, 2),    // 3DES-CBC, MD5
    (1, 0, 1, 1, 1),    // DES-CBC, MD5, MODP 768
];

/// Main-mode first message: header, one SA with one ISAKMP proposal of [`TRANSFORMS`].
pub fn main_mode_offer() -> Vec<u8> {
    let mut transforms = Vec::new();
    for (i, &(enc, bits, hash, auth, group)) in TRANSFORMS.iter().enumerate() {
        let mut attrs = Vec::new();
        let mut tv = |t: u16, v: u16| {
            attrs.extend_from_slice(&(0x8000 | t).to_be_bytes());
            attrs.extend_from_slice(&v.to_be_bytes());
        };
        tv(1, enc);
        if bits > 0 {
            tv(14, bits);
        }
        tv(2, hash);
        tv(3, auth);
        tv(4, group);
        tv(11, 1); // life type: seconds
        tv(12, 3600);
        let last = i + 1 == TRANSFORMS.len();
        let len = 8 + attrs.len() as u16;
        transforms.push(if last { 0 } else { 3 });
        transforms.push(0);
        transforms.extend_from_slice(&len.to_be_bytes());
        transforms.extend_from_slice(&[i as u8 + 1, 1, 0, 0]); // number, KEY_IKE
        transforms.extend_from_slice(&attrs);
    }
    let proposal_len = 8 + transforms.len() as u16;
    let mut proposal = vec![0, 0];
    proposal.extend_from_slice(&proposal_len.to_be_bytes());
    proposal.extend_from_slice(&[1, 1, 0, TRANSFORMS.len() as u8]);
    proposal.extend_from_slice(&transforms);
    let sa_len = 12 + proposal.len() as u16;
    let mut sa = vec![0, 0];
    sa.extend_from_slice(&sa_len.to_be_bytes());
    sa.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 1]); // DOI IPsec, identity only
    sa.extend_from_slice(&proposal);
    let total = 28 + sa.len() as u32;
    let mut m = vec![0u8; 16]; // initiator cookie (set per probe), responder cookie 0
    m.extend_from_slice(&[1, 0x10, 2, 0, 0, 0, 0, 0]); // SA next, v1.0, main mode
    m.extend_from_slice(&total.to_be_bytes());
    m.extend_from_slice(&sa);
    m
}

/// The banner of an ISAKMP reply; `None` when it is not one.
pub fn banner(msg: &[u8]) -> Option<Vec<u8>> {
    let hdr = msg.get(..28)?;
    let version = hdr[17];
    let exchange = hdr[18];
    let mut s = match version >> 4 {
        1 => String::from("IKEv1"),
        2 => String::from("IKEv2"),
        _ => return None,
    };
    let name = match exchange {
        2 => "main-mode",
        4 => "aggressive",
        5 => "informational",
        34 => "IKE_SA_INIT",
        _ => "exchange",
    };
    let _ = write!(s, " {name} rcookie=");
    for b in &hdr[8..16] {
        let _ = write!(s, "{b:02x}");
    }
    let mut next = hdr[16];
    let mut at = 28;
    let mut seen = 0;
    while next != 0 && seen < 32 {
        let p = msg.get(at..at + 4)?;
        let len = usize::from(u16::from_be_bytes([p[2], p[3]]));
        let body = msg.get(at + 4..at + len.max(4))?;
        payload_text(next, body, &mut s);
        next = p[0];
        at += len.max(4);
        seen += 1;
    }
    Some(s.into_bytes())
}

fn payload_text(kind: u8, body: &[u8], s: &mut String) {
    match kind {
        1 | 33 => s.push_str(" SA"),
        4 | 34 => s.push_str(" KE"),
        10 | 40 => s.push_str(" NONCE"),
        11 | 41 => {
            // Notify: DOI (4), protocol, SPI size, type (IKEv1 layout).
            let t = body.get(6..8).map(|b| u16::from_be_bytes([b[0], b[1]]));
            match t {
                Some(14) => s.push_str(" NOTIFY=NO-PROPOSAL-CHOSEN"),
                Some(t) => {
                    let _ = write!(s, " NOTIFY={t}");
                }
                None => s.push_str(" NOTIFY"),
            }
        }
        13 | 43 => {
            s.push_str(" VID=");
            for b in body.iter().take(32) {
                let _ = write!(s, "{b:02x}");
            }
        }
        other => {
            let _ = write!(s, " payload{other}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offer_is_self_consistent() {
        let m = main_mode_offer();
        assert_eq!(
            u32::from_be_bytes(m[24..28].try_into().unwrap()) as usize,
            m.len()
        );
        let sa_len = u16::from_be_bytes([m[30], m[31]]) as usize;
        assert_eq!(28 + sa_len, m.len());
        // Read as a reply it walks its own payload chain.
        assert!(String::from_utf8(banner(&m).unwrap())
            .unwrap()
            .ends_with(" SA"));
    }

    #[test]
    fn a_reply_with_a_vendor_id_and_a_notify() {
        let mut r = vec![0u8; 8];
        r.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8, 13, 0x10, 2, 0, 0, 0, 0, 0]);
        let vid = [0xaau8; 16];
        let body = [&[11u8, 0, 0, 20][..], &vid].concat();
        let notify = [&[0u8, 0, 0, 12, 0, 0, 0, 1, 1, 0, 0, 14][..]].concat();
        let total = 28 + body.len() + notify.len();
        r.extend_from_slice(&(total as u32).to_be_bytes());
        r.extend_from_slice(&body);
        r.extend_from_slice(&notify);
        let b = String::from_utf8(banner(&r).unwrap()).unwrap();
        assert_eq!(
            b,
            format!(
                "IKEv1 main-mode rcookie=0102030405060708 VID={} NOTIFY=NO-PROPOSAL-CHOSEN",
                "aa".repeat(16)
            )
        );
        for n in 0..r.len() {
            let _ = banner(&r[..n]);
        }
    }
}

//! Kerberos (port 88): an AS-REQ for `krbtgt/NM@NM` with no pre-authentication, over TCP (a
//! 4-byte length first), the request the original sends; reports the KDC's KRB-ERROR (its
//! code and name, the server's time, its text, and its realm when it names another than the
//! one asked for) or that it answered with an AS-REP.

use std::net::IpAddr;

use super::ber::{self, child, integer, tlv};
use super::{be32, printable, Protocol, Reply};
use crate::banner::parser::Parser;
use crate::banner::{app, BannerConfig, Found};

const REALM: &[u8] = b"NM";
/// The nonce of our request (a fixed one: there is one request per connection).
const NONCE: u32 = 0x1f1e_b9d9;
/// aes256-cts, aes128-cts, des3-cbc-sha1, rc4-hmac, des-cbc-crc, des-cbc-md5, des-cbc-md4.
const ETYPES: [u32; 7] = [18, 17, 16, 23, 1, 3, 2];

pub(crate) fn start(_ip: IpAddr, _cfg: &BannerConfig, out: &mut Vec<u8>) -> Box<dyn Parser> {
    let req = as_req();
    out.extend_from_slice(&(req.len() as u32).to_be_bytes());
    out.extend_from_slice(&req);
    Reply::boxed(Protocol {
        is_protocol,
        complete,
        report,
    })
}

/// A length under 1 MiB, then a KRB-ERROR or an AS-REP.
fn is_protocol(b: &[u8]) -> bool {
    b.get(..4).is_none_or(|n| n[0] == 0 && n[1] < 0x10)
        && b.get(4).is_none_or(|&t| t == 0x7e || t == 0x6b)
}

/// A context-specific constructed `[n]` around `v`.
fn ctx(n: u8, v: &[u8]) -> Vec<u8> {
    tlv(0xa0 | n, v)
}

fn as_req() -> Vec<u8> {
    let string = |s: &[u8]| tlv(0x1b, s);
    // forwardable, proxiable, renewable-ok, as BIT STRING with no unused bits.
    let options = tlv(0x03, &[0, 0x50, 0x80, 0, 0x10]);
    let sname = tlv(
        0x30,
        &[
            ctx(0, &integer(0)),
            ctx(1, &tlv(0x30, &[string(b"krbtgt"), string(REALM)].concat())),
        ]
        .concat(),
    );
    let etypes: Vec<u8> = ETYPES.iter().flat_map(|&e| integer(e)).collect();
    let body = tlv(
        0x30,
        &[
            ctx(0, &options),
            ctx(2, &string(REALM)),
            ctx(3, &sname),
            ctx(5, &tlv(0x18, b"19700101000000Z")),
            ctx(7, &integer(NONCE)),
            ctx(8, &tlv(0x30, &etypes)),
        ]
        .concat(),
    );
    let req = tlv(
        0x30,
        &[ctx(1, &integer(5)), ctx(2, &integer(10)), ctx(4, &body)].concat(),
    );
    tlv(0x6a, &req)
}

fn complete(b: &[u8]) -> bool {
    be32(b, 0).is_some_and(|n| b.len() - 4 >= n as usize)
}

fn report(b: &[u8], _cfg: &BannerConfig, found: &mut Vec<Found>) {
    found.push(Found::new(app::KERBEROS, describe(b)));
}

fn describe(b: &[u8]) -> String {
    let msg = b.get(4..).unwrap_or(&[]);
    let Some((outer, _)) = ber::read(msg) else {
        return format!(
            "Kerberos: reply cut short or not Kerberos ({} bytes)",
            b.len()
        );
    };
    let fields = ber::read(outer.value).map_or(&[][..], |(seq, _)| seq.value);
    match outer.tag {
        0x7e => krb_error(fields),
        0x6b => {
            let realm = child(fields, 0xa3).and_then(string).unwrap_or_default();
            format!("Kerberos AS-REP (no pre-authentication needed), realm {realm}")
        }
        t => format!("Kerberos: unexpected message (tag 0x{t:02x})"),
    }
}

fn krb_error(f: &[u8]) -> String {
    let code = child(f, 0xa6)
        .and_then(|v| ber::read(v))
        .and_then(|(t, _)| ber::int(t.value));
    let mut text = match code {
        Some(c) => format!("Kerberos KRB-ERROR {c} ({})", error_name(c)),
        None => "Kerberos KRB-ERROR".into(),
    };
    // MIT's KDC answers in the realm asked for: a realm is news only when it is another.
    let realm = child(f, 0xa9).and_then(string);
    if let Some(realm) = realm.filter(|r| r.as_bytes() != REALM) {
        text.push_str(&format!(", realm {realm}"));
    }
    if let Some(t) = child(f, 0xa4).and_then(string) {
        text.push_str(&format!(", server time {}", time(&t)));
    }
    if let Some(e) = child(f, 0xab).and_then(string) {
        text.push_str(&format!(", text: {e}"));
    }
    text
}

/// The string inside an explicitly tagged string value.
fn string(v: &[u8]) -> Option<String> {
    ber::read(v).map(|(t, _)| printable(t.value))
}

/// `YYYYMMDDHHMMSSZ` as `YYYY-MM-DDTHH:MM:SSZ` (anything else as it came).
fn time(t: &str) -> String {
    if t.len() == 15 && t.is_ascii() && t.ends_with('Z') {
        let p = |a: usize, b: usize| &t[a..b];
        format!(
            "{}-{}-{}T{}:{}:{}Z",
            p(0, 4),
            p(4, 6),
            p(6, 8),
            p(8, 10),
            p(10, 12),
            p(12, 14)
        )
    } else {
        t.to_string()
    }
}

fn error_name(code: i64) -> &'static str {
    match code {
        0 => "NONE",
        1 => "NAME_EXP",
        3 => "BAD_PVNO",
        6 => "C_PRINCIPAL_UNKNOWN",
        7 => "S_PRINCIPAL_UNKNOWN",
        11 => "NEVER_VALID",
        12 => "POLICY",
        13 => "BADOPTION",
        14 => "ETYPE_NOSUPP",
        18 => "CLIENT_REVOKED",
        24 => "PREAUTH_FAILED",
        25 => "PREAUTH_REQUIRED",
        37 => "SKEW",
        41 => "MODIFIED",
        52 => "RESPONSE_TOO_BIG",
        60 => "GENERIC",
        68 => "WRONG_REALM",
        _ => "other",
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A KRB-ERROR as MIT's KDC sends it over TCP.
    pub(crate) fn error(code: u32) -> Vec<u8> {
        error_in(code, b"LAB.TEST")
    }

    fn error_in(code: u32, realm: &[u8]) -> Vec<u8> {
        let s = |v: &[u8]| tlv(0x1b, v);
        let fields = [
            ctx(0, &integer(5)),
            ctx(1, &integer(30)),
            ctx(4, &tlv(0x18, b"20261207054000Z")),
            ctx(5, &integer(12345)),
            ctx(6, &integer(code)),
            ctx(9, &s(realm)),
            ctx(10, &tlv(0x30, &ctx(1, &tlv(0x30, &s(b"krbtgt"))))),
            ctx(11, &s(b"CLIENT_NOT_FOUND")),
        ]
        .concat();
        let msg = tlv(0x7e, &tlv(0x30, &fields));
        [(msg.len() as u32).to_be_bytes().to_vec(), msg].concat()
    }

    #[test]
    fn hello_is_the_as_req_the_original_sends() {
        let mut out = Vec::new();
        start(
            crate::banner::hello::tests::IP,
            &BannerConfig::default(),
            &mut out,
        );
        // The original's 113 bytes less the three long-form lengths it uses where DER has short ones.
        assert_eq!(&out[..4], &[0, 0, 0, 0x6e]);
        assert_eq!(out.len(), 4 + 0x6e);
        let (req, rest) = ber::read(&out[4..]).unwrap();
        assert_eq!((req.tag, rest.len()), (0x6a, 0));
        assert!(out.windows(8).any(|w| w == b"\x1b\x06krbtgt"));
    }

    #[test]
    fn krb_error_and_as_rep() {
        assert_eq!(
            describe(&error(6)),
            "Kerberos KRB-ERROR 6 (C_PRINCIPAL_UNKNOWN), realm LAB.TEST, server time \
             2026-12-07T05:40:00Z, text: CLIENT_NOT_FOUND"
        );
        let rep = tlv(0x6b, &tlv(0x30, &ctx(3, &tlv(0x1b, b"LAB.TEST"))));
        let rep = [(rep.len() as u32).to_be_bytes().to_vec(), rep].concat();
        assert_eq!(
            describe(&rep),
            "Kerberos AS-REP (no pre-authentication needed), realm LAB.TEST"
        );
    }

    #[test]
    fn the_realm_asked_for_is_not_news() {
        let d = describe(&error_in(6, REALM));
        assert!(!d.contains("realm"), "{d}");
        assert!(d.contains("server time 2026-12-07T05:40:00Z"), "{d}");
    }

    #[test]
    fn every_cut_is_incomplete_and_reported() {
        let e = error(68);
        assert!(complete(&e));
        for n in 0..e.len() {
            assert!(!complete(&e[..n]));
            assert!(describe(&e[..n]).starts_with("Kerberos"));
        }
    }
}

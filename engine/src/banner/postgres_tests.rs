//! PostgreSQL's answers to the SSLRequest and to a StartupMessage for protocol 255.255, as
//! PostgreSQL 15 sends them, whole and cut anywhere.

use super::*;
use crate::banner::parser::drive;
use std::net::{IpAddr, Ipv4Addr};

const IP: IpAddr = IpAddr::V4(Ipv4Addr::new(198, 18, 1, 46));

/// An ErrorResponse with these (field, value) pairs.
pub(crate) fn error_response(fields: &[(u8, &str)]) -> Vec<u8> {
    let mut body = Vec::new();
    for (f, v) in fields {
        body.push(*f);
        body.extend_from_slice(v.as_bytes());
        body.push(0);
    }
    body.push(0);
    let mut m = vec![b'E'];
    m.extend_from_slice(&((body.len() + 4) as u32).to_be_bytes());
    m.extend_from_slice(&body);
    m
}

/// PostgreSQL 15's refusal of protocol 255.255.
pub(crate) fn refusal() -> Vec<u8> {
    error_response(&[
        (b'S', "FATAL"),
        (b'V', "FATAL"),
        (b'C', "0A000"),
        (
            b'M',
            "unsupported frontend protocol 255.255: server supports 3.0 to 3.0",
        ),
        (b'F', "postmaster.c"),
        (b'L', "2136"),
        (b'R', "ProcessStartupPacket"),
    ])
}

const REFUSAL_TEXT: &str = "TLS not offered (N), protocol 3.0 to 3.0, error FATAL 0A000: \
unsupported frontend protocol 255.255: server supports 3.0 to 3.0 \
(postmaster.c:2136 ProcessStartupPacket)";

#[test]
fn no_tls_then_the_protocol_refusal() {
    let r = refusal();
    let (sent, f) = drive(start, IP, &[b"N", &r[..10], &r[10..]]);
    assert_eq!(sent, [&SSL_REQUEST[..], &STARTUP_255[..]].concat());
    assert_eq!(f, [Found::new(app::POSTGRES, REFUSAL_TEXT)]);
    // `N` and the error in one segment.
    let (_, f) = drive(start, IP, &[&[&b"N"[..], &r].concat()]);
    assert_eq!(f[0].text, REFUSAL_TEXT.as_bytes());
    for cut in 1..r.len() {
        let (_, f) = drive(start, IP, &[b"N", &r[..cut]]);
        assert_eq!(
            f[0].text,
            format!("TLS not offered (N), incomplete error ({cut} bytes)").as_bytes()
        );
    }
    let (_, f) = drive(start, IP, &[b"N"]);
    assert_eq!(f[0].text, b"TLS not offered (N)");
}

#[test]
fn tls_offered_goes_on_to_the_handshake() {
    let (sent, f) = drive(start, IP, &[b"S", b"\x15\x03\x03\x00\x02\x02\x28"]);
    assert_eq!(&sent[..8], SSL_REQUEST);
    assert_eq!(&sent[8..10], [0x16, 0x03], "our ClientHello");
    assert_eq!(f[0], Found::new(app::POSTGRES, "TLS offered (S)"));
    assert_eq!(f[1], Found::new(app::SSL, "ALERT(0x0228)"));
}

#[test]
fn an_old_server_and_other_errors() {
    // A server before 7.1 does not know the SSLRequest.
    let e = error_response(&[
        (b'S', "FATAL"),
        (
            b'M',
            "unsupported frontend protocol 1234.5679: server supports 1.0 to 2.0",
        ),
    ]);
    let (sent, f) = drive(start, IP, &[&e]);
    assert_eq!(sent, SSL_REQUEST);
    assert_eq!(
        f[0].text,
        b"no SSLRequest, protocol 1.0 to 2.0, error FATAL: \
unsupported frontend protocol 1234.5679: server supports 1.0 to 2.0"
    );
    let (_, f) = drive(start, IP, &[b"N", b"R\0\0\0\x08\0\0\0\0"]);
    assert_eq!(f[0].text, b"TLS not offered (N), message 'R'");
    let (_, f) = drive(start, IP, &[b"SSH-2.0-x\r\n"]);
    assert_eq!(f, [Found::new(app::HEUR, "SSH-2.0-x\r\n")]);
    assert!(drive(start, IP, &[]).1.is_empty());
}

#[test]
fn through_the_session_on_5432() {
    let cfg = BannerConfig::default();
    let mut sent = Vec::new();
    let mut s = crate::banner::Session::start(IP, 5432, &cfg, &mut sent);
    assert_eq!(sent, SSL_REQUEST);
    s.data(IP, b"N", &cfg, &mut sent);
    s.data(IP, &refusal(), &cfg, &mut sent);
    assert!(s.is_done());
    let mut f = Vec::new();
    s.finish(&cfg, &mut f);
    assert_eq!(f, [Found::new(app::POSTGRES, REFUSAL_TEXT)]);
}

proptest::proptest! {
    #[test]
    fn arbitrary_bytes(
        first in proptest::sample::select(vec![&b"N"[..], b"S", b"E", b"NE\0\0\0", b"x"]),
        tail in proptest::collection::vec(proptest::collection::vec(proptest::num::u8::ANY, 0..300), 0..8),
    ) {
        let mut chunks: Vec<&[u8]> = vec![first];
        chunks.extend(tail.iter().map(Vec::as_slice));
        let (_, f) = drive(start, IP, &chunks);
        proptest::prop_assert!(!f.is_empty());
    }
}

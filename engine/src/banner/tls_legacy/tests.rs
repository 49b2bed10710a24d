//! The plaintext TLS path against real servers (rustls speaking TLS 1.2, or only TLS 1.3) and
//! hand-built flights of older servers (SSLv3, TLS 1.0), cut at every byte.

use super::*;
use crate::banner::{app, BannerConfig, Found};
use base64::Engine;
use std::sync::Arc;

/// A CA and a leaf it signed for `lab.masscan.test` (and `www.`): (leaf DER, CA DER, key).
fn chain() -> (Vec<u8>, Vec<u8>, rcgen::KeyPair) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, "Lab Root CA");
    let ca = ca.self_signed(&ca_key).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let mut leaf = rcgen::CertificateParams::new(vec![
        "lab.masscan.test".into(),
        "www.lab.masscan.test".into(),
    ])
    .unwrap();
    leaf.distinguished_name
        .push(rcgen::DnType::CommonName, "lab.masscan.test");
    let leaf = leaf.signed_by(&key, &ca, &ca_key).unwrap();
    (leaf.der().to_vec(), ca.der().to_vec(), key)
}

/// The server's answer to our ClientHello from a rustls server speaking only `version`.
fn rustls_flight(
    version: &'static rustls::SupportedProtocolVersion,
) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let (leaf, ca, key) = chain();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[version])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.clone().into(), ca.clone().into()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .unwrap();
    let mut server = rustls::ServerConnection::new(Arc::new(cfg)).unwrap();
    let mut hello = Vec::new();
    crate::banner::tls_hello::client_hello(
        Some("lab.masscan.test"),
        Default::default(),
        &mut hello,
    );
    server.read_tls(&mut &hello[..]).unwrap();
    // A TLS 1.3-only server refuses our hello: the error is its alert, still written out.
    let _ = server.process_new_packets();
    let mut flight = Vec::new();
    while server.wants_write() {
        server.write_tls(&mut flight).unwrap();
    }
    (flight, leaf, ca)
}

const HEARTBLEED: Checks = Checks {
    heartbleed: true,
    ticketbleed: false,
    poodle: false,
};
const TICKETBLEED: Checks = Checks {
    heartbleed: false,
    ticketbleed: true,
    poodle: false,
};
const POODLE: Checks = Checks {
    heartbleed: false,
    ticketbleed: false,
    poodle: true,
};

/// A configuration with every check and capture on (certificates off, as the checks set it).
fn vuln_cfg() -> BannerConfig {
    BannerConfig {
        heartbleed: true,
        capture_heartbleed: true,
        ticketbleed: true,
        capture_ticketbleed: true,
        poodle: true,
        capture_cert: false,
        ..BannerConfig::default()
    }
}

fn run(chunks: &[&[u8]]) -> (Legacy, bool) {
    let mut l = Legacy::default();
    let mut done = false;
    for c in chunks {
        done = l.data(c, &mut Vec::new());
    }
    (l, done)
}

fn report(l: Legacy) -> Vec<Found> {
    let mut found = Vec::new();
    l.finish(&BannerConfig::default(), &mut found);
    found
}

fn text(found: &[Found], app: u16) -> Vec<String> {
    found
        .iter()
        .filter(|f| f.app == app)
        .map(|f| String::from_utf8_lossy(&f.text).into_owned())
        .collect()
}

fn b64(d: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(d)
}

#[test]
fn a_tls12_server_gives_version_cipher_names_leaf_and_ca_in_any_segmentation() {
    let (flight, leaf, ca) = rustls_flight(&rustls::version::TLS12);
    for step in [flight.len(), 1, 3, 7, 100, 1000] {
        let chunks: Vec<&[u8]> = flight.chunks(step).collect();
        let (l, done) = run(&chunks);
        assert!(done, "step {step}");
        assert!(!l.refused());
        let found = report(l);
        let ssl = text(&found, app::SSL);
        assert_eq!(ssl.len(), 1);
        assert!(ssl[0].starts_with("TLS/1.2 cipher:0xc0"), "{ssl:?}");
        assert!(
            ssl[0].ends_with(", lab.masscan.test, lab.masscan.test, www.lab.masscan.test"),
            "{ssl:?}"
        );
        assert_eq!(text(&found, app::X509), vec![b64(&leaf)]);
        assert_eq!(text(&found, app::X509_CA), vec![b64(&ca)]);
    }
}

#[test]
fn a_tls13_only_server_refuses_and_asks_for_rustls() {
    let (flight, _, _) = rustls_flight(&rustls::version::TLS13);
    let (l, done) = run(&[&flight]);
    assert!(done);
    assert!(l.refused());
    assert_eq!(text(&report(l), app::SSL), vec!["ALERT(0x0246)"]);
}

fn record(kind: u8, version: u16, data: &[u8]) -> Vec<u8> {
    let mut r = vec![kind];
    r.extend_from_slice(&version.to_be_bytes());
    r.extend_from_slice(&(data.len() as u16).to_be_bytes());
    r.extend_from_slice(data);
    r
}

fn handshake(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut m = vec![kind];
    m.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    m.extend_from_slice(body);
    m
}

fn server_hello(version: u16, cipher: u16) -> Vec<u8> {
    let mut b = version.to_be_bytes().to_vec();
    b.extend_from_slice(&[0x5a; 32]);
    b.push(0);
    b.extend_from_slice(&cipher.to_be_bytes());
    b.push(0);
    handshake(2, &b)
}

fn certificate(chain: &[&[u8]]) -> Vec<u8> {
    let mut list = Vec::new();
    for c in chain {
        list.extend_from_slice(&(c.len() as u32).to_be_bytes()[1..]);
        list.extend_from_slice(c);
    }
    let mut b = (list.len() as u32).to_be_bytes()[1..].to_vec();
    b.extend_from_slice(&list);
    handshake(11, &b)
}

/// An old server's flight: ServerHello, a Certificate split across two records, ServerHelloDone.
fn old_flight(version: u16, cipher: u16, leaf: &[u8], ca: &[u8]) -> Vec<u8> {
    let mut hs = server_hello(version, cipher);
    hs.extend(certificate(&[leaf, ca]));
    hs.extend(handshake(14, &[]));
    let (a, b) = hs.split_at(hs.len() / 2);
    let mut f = record(22, version, a);
    f.extend(record(22, version, b));
    f
}

#[test]
fn an_sslv3_server_is_reported_as_the_original_does_with_its_vulnerability() {
    let (leaf, ca, _) = chain();
    let (l, done) = run(&[&old_flight(0x0300, 0x000a, &leaf, &ca)]);
    assert!(done);
    let found = report(l);
    assert_eq!(
        text(&found, app::SSL),
        vec!["SSLv3 cipher:0xa, lab.masscan.test, lab.masscan.test, www.lab.masscan.test"]
    );
    assert_eq!(text(&found, app::VULN), vec!["SSL[v3]"]);
    assert_eq!(text(&found, app::X509_CA), vec![b64(&ca)]);
}

#[test]
fn every_cut_of_a_tls10_flight_reports_what_had_arrived_without_panicking() {
    let (leaf, ca, _) = chain();
    let flight = old_flight(0x0301, 0x002f, &leaf, &ca);
    let hello_len = server_hello(0x0301, 0x002f).len();
    let hs_total = hello_len + 10 + leaf.len() + 3 + ca.len() + 4;
    let hs_leaf_end = hello_len + 10 + leaf.len();
    // The flight positions past the first record's header (and the second's, if before).
    let at = |hs: usize| 5 + hs + if hs_total / 2 < hs { 5 } else { 0 };
    for cut in 0..flight.len() {
        let (l, _) = run(&[&flight[..cut]]);
        let found = report(l);
        let ssl = text(&found, app::SSL);
        if cut >= at(hello_len) {
            assert!(
                ssl[0].starts_with("TLS/1.0 cipher:0x2f"),
                "cut {cut}: {ssl:?}"
            );
        } else {
            assert!(ssl.is_empty(), "cut {cut}: {ssl:?}");
        }
        let leaves = text(&found, app::X509);
        if cut >= at(hs_leaf_end) {
            assert_eq!(leaves, vec![b64(&leaf)], "cut {cut}");
        } else {
            assert!(leaves.is_empty(), "cut {cut}");
        }
        let cas = text(&found, app::X509_CA);
        assert_eq!(
            cas.len(),
            usize::from(cut >= at(hs_leaf_end + 3 + ca.len())),
            "cut {cut}"
        );
    }
}

#[test]
fn odd_replies_end_the_handshake_with_an_error() {
    // An unknown version: the original's numbers.
    let mut f = record(22, 0x0301, &server_hello(0x0305, 0x1301));
    let (l, done) = run(&[&f]);
    assert!(done);
    assert_eq!(
        text(&report(l), app::SSL),
        vec!["SSLver[3,5], error: unreadable ServerHello"]
    );
    // Not a record at all (checked by the session before this parser, but safe here too).
    let (l, done) = run(&[b"HTTP/1.1 400 Bad Request\r\n"]);
    assert!(done);
    assert_eq!(text(&report(l), app::SSL), vec!["error: not TLS"]);
    // Application data before any handshake.
    f = record(23, 0x0303, b"x");
    let (l, done) = run(&[&f]);
    assert!(done && !l.refused());
    // A fatal alert after a ServerHello is not a refusal.
    let mut f = record(22, 0x0303, &server_hello(0x0303, 0xc02f));
    f.extend(record(21, 0x0303, &[2, 40]));
    let (l, done) = run(&[&f]);
    assert!(done && !l.refused());
    assert_eq!(
        text(&report(l), app::SSL),
        vec!["TLS/1.2 cipher:0xc02f ALERT(0x0228)"]
    );
    // Handshake bytes past the bound.
    let mut l = Legacy::default();
    let big = record(22, 0x0303, &[0u8; 0xffff]);
    assert!(!l.data(&big[..40000], &mut Vec::new()) || l.error.is_some());
    assert!(l.data(&big[40000..], &mut Vec::new()) || l.data(&big, &mut Vec::new()));
    assert!(l.error.is_some());
}

/// A stand-in for a server with the Heartbleed flaw (CVE-2014-0160), built from its published
/// description (no vulnerable server is available here): its flight, then, to a heartbeat
/// request claiming 16 KiB, a response with that many bytes of "memory" and 16 of padding.
/// A fixed server stays silent (it drops the request).
#[test]
fn heartbleed_stand_in_is_reported_and_its_leak_captured_when_asked() {
    let (leaf, ca, _) = chain();
    let flight = old_flight(0x0302, 0xc014, &leaf, &ca);
    let memory: Vec<u8> = (0..0x4000u32).map(|i| (i % 251) as u8).collect();
    let mut response = vec![2, 0x40, 0x00];
    response.extend_from_slice(&memory);
    response.extend_from_slice(&[0u8; 16]);
    let response = record(24, 0x0302, &response);
    for capture in [false, true] {
        let cfg = BannerConfig {
            heartbleed: true,
            capture_heartbleed: capture,
            capture_cert: false,
            ..BannerConfig::default()
        };
        let mut hello = Vec::new();
        let mut l = Legacy::start(None, HEARTBLEED, &mut hello);
        let (_, ext) = {
            let (_, rec) = tls_parser::parse_tls_plaintext(&hello).unwrap();
            let tls_parser::TlsMessage::Handshake(tls_parser::TlsMessageHandshake::ClientHello(ch)) =
                &rec.msg[0]
            else {
                panic!()
            };
            tls_parser::parse_tls_extensions(ch.ext.unwrap()).unwrap()
        };
        assert!(ext.contains(&tls_parser::TlsExtension::Heartbeat(1)));
        let mut out = Vec::new();
        assert!(
            !l.data(&flight, &mut out),
            "waits for the heartbeat response"
        );
        assert_eq!(out, HEARTBEAT_REQUEST);
        out.clear();
        // The response comes in pieces, as a 16 KiB record does.
        let mut done = false;
        for piece in response.chunks(1400) {
            done = l.data(piece, &mut out);
        }
        assert!(done && out.is_empty());
        let mut found = Vec::new();
        l.finish(&cfg, &mut found);
        assert_eq!(text(&found, app::VULN), vec!["SSL[HEARTBLEED]"]);
        assert!(text(&found, app::SSL)[0].starts_with("TLS/1.1 cipher:0xc014, "));
        assert!(
            text(&found, app::X509).is_empty(),
            "--heartbleed: no certificates"
        );
        let leaked = text(&found, app::HEARTBLEED);
        if capture {
            assert_eq!(leaked, vec![b64(&memory)]);
        } else {
            assert!(leaked.is_empty());
        }
    }
    // A fixed server: nothing after the request; the session ends by its idle timer, with
    // the certificate names and no vulnerability.
    let mut l = Legacy::start(None, HEARTBLEED, &mut Vec::new());
    let mut out = Vec::new();
    assert!(!l.data(&flight, &mut out));
    assert_eq!(out, HEARTBEAT_REQUEST);
    let found = report(l);
    assert!(text(&found, app::VULN).is_empty());
    // A heartbeat record before our request, or an honest empty response, is no finding.
    let mut l = Legacy::start(None, HEARTBLEED, &mut Vec::new());
    let mut early = record(22, 0x0302, &server_hello(0x0302, 0x002f));
    early.extend(record(24, 0x0302, &[2, 0x40, 0, 1, 2, 3]));
    assert!(l.data(&early, &mut Vec::new()));
    let mut l = Legacy::start(None, HEARTBLEED, &mut Vec::new());
    l.data(&flight, &mut Vec::new());
    assert!(l.data(&record(24, 0x0302, &[2, 0, 0]), &mut Vec::new()));
    assert!(text(&report(l), app::VULN).is_empty());
}

proptest::proptest! {
    /// Arbitrary bytes after a real-shaped record header, cut anywhere, with every check: no
    /// panic.
    #[test]
    fn any_bytes_never_panic(
        chunks in proptest::collection::vec(proptest::collection::vec(proptest::num::u8::ANY, 0..200), 0..10),
        prefix in proptest::sample::select(vec![&b""[..], b"\x16\x03\x03\x00\x40\x02\x00\x00\x3c\x03\x03", b"\x16\x03\x01\x01\x00\x0b\x00\x00\xfc", b"\x15\x03\x03\x00\x02", b"\x16\x03\x03\x00\x4a\x02\x00\x00\x46\x03\x03", b"\x14\x03\x03\x00\x01"]),
        checks in proptest::sample::select(vec![Checks::default(), HEARTBLEED, TICKETBLEED, POODLE]),
    ) {
        let mut l = Legacy::start(None, checks, &mut Vec::new());
        l.data(prefix, &mut Vec::new());
        for c in &chunks {
            l.data(c, &mut Vec::new());
        }
        let _ = l.refused();
        let mut found = Vec::new();
        l.finish(&vuln_cfg(), &mut found);
    }
}

mod checks;

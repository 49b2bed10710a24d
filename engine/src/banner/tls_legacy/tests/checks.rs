//! The vulnerability checks of the plaintext path, sans-IO, bytes in and bytes out:
//! `--ticketbleed` against a stand-in of the flawed F5 answer (built from the flaw's published
//! description: a 32-byte echo of a shorter session id, the bytes past ours being memory) and
//! against fixed answers; `--vuln poodle` against SSLv3 flights, refusals and a real rustls
//! server. Every reply is cut at every byte.

use super::*;
use crate::banner::tls_hello::TICKETBLEED_SESSION_ID;
use crate::banner::Session;
use std::net::{IpAddr, Ipv4Addr};

const THEM: IpAddr = IpAddr::V4(Ipv4Addr::new(198, 18, 1, 40));

/// A ServerHello with session id `sid` (and extensions `ext` past SSLv3).
fn server_hello_with(version: u16, cipher: u16, sid: &[u8], ext: &[u8]) -> Vec<u8> {
    let mut b = version.to_be_bytes().to_vec();
    b.extend_from_slice(&[0x5a; 32]);
    b.push(sid.len() as u8);
    b.extend_from_slice(sid);
    b.extend_from_slice(&cipher.to_be_bytes());
    b.push(0);
    if version != 0x0300 {
        b.extend_from_slice(&(ext.len() as u16).to_be_bytes());
        b.extend_from_slice(ext);
    }
    handshake(2, &b)
}

/// What the stand-in flawed server "leaks": 16 bytes past our 16-byte session id.
const MEMORY: [u8; 16] = *b"F5 stack memory!";

/// An empty session_ticket extension (the server will issue a new ticket).
const TICKET_EXT: &[u8] = &[0, 0x23, 0, 0];

/// A resumed handshake: the ServerHello echoing `sid`, ChangeCipherSpec, then the encrypted
/// Finished.
fn resumed(sid: &[u8]) -> (Vec<u8>, usize) {
    let hello = record(
        22,
        0x0303,
        &server_hello_with(0x0303, 0xc02f, sid, TICKET_EXT),
    );
    let hello_end = hello.len();
    let mut f = hello;
    f.extend(record(20, 0x0303, &[1]));
    f.extend(record(22, 0x0303, &[0xa7; 40]));
    (f, hello_end)
}

/// A full handshake of a server that opened a new session: ServerHello with `sid`,
/// Certificate, ServerHelloDone.
fn full(sid: &[u8], leaf: &[u8], ca: &[u8]) -> Vec<u8> {
    let mut hs = server_hello_with(0x0303, 0xc02f, sid, TICKET_EXT);
    hs.extend(certificate(&[leaf, ca]));
    hs.extend(handshake(14, &[]));
    record(22, 0x0303, &hs)
}

/// The records a handshake with `checks` reports (every capture on, certificates off), whether
/// it ended by itself, and whether it asked for the rustls connection.
fn feed(checks: Checks, chunks: &[&[u8]]) -> (Vec<Found>, bool, bool) {
    let mut l = Legacy::start(None, checks, &mut Vec::new());
    let mut done = false;
    let mut out = Vec::new();
    for c in chunks {
        done = l.data(c, &mut out);
    }
    assert!(out.is_empty(), "nothing is sent after the hello");
    let refused = l.refused();
    let mut found = Vec::new();
    l.finish(&vuln_cfg(), &mut found);
    (found, done, refused)
}

fn hello_of(checks: Checks) -> Vec<u8> {
    let mut hello = Vec::new();
    Legacy::start(None, checks, &mut hello);
    hello
}

#[test]
fn the_ticketbleed_hello_carries_our_short_session_id_and_a_ticket() {
    let hello = hello_of(TICKETBLEED);
    let (_, rec) = tls_parser::parse_tls_plaintext(&hello).unwrap();
    let tls_parser::TlsMessage::Handshake(tls_parser::TlsMessageHandshake::ClientHello(ch)) =
        &rec.msg[0]
    else {
        panic!()
    };
    assert_eq!(ch.session_id, Some(&TICKETBLEED_SESSION_ID[..]));
    let (_, ext) = tls_parser::parse_tls_extensions(ch.ext.unwrap()).unwrap();
    assert!(ext
        .iter()
        .any(|e| matches!(e, tls_parser::TlsExtension::SessionTicket(t) if t.len() > 100)));
    // With --heartbleed too, one hello does both.
    let both = Checks {
        heartbleed: true,
        ..TICKETBLEED
    };
    let hello = hello_of(both);
    let (_, rec) = tls_parser::parse_tls_plaintext(&hello).unwrap();
    let tls_parser::TlsMessage::Handshake(tls_parser::TlsMessageHandshake::ClientHello(ch)) =
        &rec.msg[0]
    else {
        panic!()
    };
    let (_, ext) = tls_parser::parse_tls_extensions(ch.ext.unwrap()).unwrap();
    assert!(ext.contains(&tls_parser::TlsExtension::Heartbeat(1)));
    assert_eq!(ch.session_id, Some(&TICKETBLEED_SESSION_ID[..]));
}

/// A stand-in for the flawed F5 stack (CVE-2016-9244), from the flaw's published description:
/// it resumes the session and echoes a 32-byte session id, ours and 16 bytes of its memory.
#[test]
fn the_ticketbleed_stand_in_is_reported_with_its_memory_at_every_cut() {
    let sid = [&TICKETBLEED_SESSION_ID[..], &MEMORY].concat();
    let (flight, hello_end) = resumed(&sid);
    for cut in 0..=flight.len() {
        // The reply in two segments split at `cut`: always the whole answer.
        let (found, done, refused) = feed(TICKETBLEED, &[&flight[..cut], &flight[cut..]]);
        assert!(done && !refused, "cut {cut}");
        assert_eq!(
            text(&found, app::VULN),
            vec!["SSL[ticketbleed]"],
            "cut {cut}"
        );
        assert_eq!(
            text(&found, app::TICKETBLEED),
            vec![b64(&MEMORY)],
            "cut {cut}"
        );
        assert_eq!(
            text(&found, app::SSL),
            vec!["TLS/1.2 cipher:0xc02f"],
            "cut {cut}"
        );
        // The connection ended at `cut`: the finding is there once the ServerHello is whole;
        // the handshake is over at the ChangeCipherSpec.
        let (found, done, _) = feed(TICKETBLEED, &[&flight[..cut]]);
        let whole = usize::from(cut >= hello_end);
        assert_eq!(text(&found, app::VULN).len(), whole, "cut {cut}");
        assert_eq!(text(&found, app::TICKETBLEED).len(), whole, "cut {cut}");
        assert_eq!(done, cut >= hello_end + 6, "cut {cut}");
    }
    // Without --capture ticketbleed: the finding, not the memory.
    let mut l = Legacy::start(None, TICKETBLEED, &mut Vec::new());
    assert!(l.data(&flight, &mut Vec::new()));
    let mut found = Vec::new();
    let cfg = BannerConfig {
        ticketbleed: true,
        capture_cert: false,
        ..BannerConfig::default()
    };
    l.finish(&cfg, &mut found);
    assert_eq!(text(&found, app::VULN), vec!["SSL[ticketbleed]"]);
    assert!(text(&found, app::TICKETBLEED).is_empty());
    // The same reply to a scan without the check is no finding (our hello had no ticket).
    let (found, done, _) = feed(Checks::default(), &[&flight]);
    assert!(done);
    assert!(text(&found, app::VULN).is_empty());
}

/// Fixed servers: one that echoes our 16 bytes and no more; one that rejects the ticket and
/// opens a new session with a fresh 32-byte id of its own (the original reports that one as
/// vulnerable: any id past 16 bytes); one that opens it with no id (it issues a new ticket);
/// one that echoes less than ours.
#[test]
fn fixed_servers_and_fresh_sessions_are_no_finding_at_any_cut() {
    let (leaf, ca, _) = chain();
    let (echo, _) = resumed(&TICKETBLEED_SESSION_ID);
    let fresh = full(&[0x33; 32], &leaf, &ca);
    let none = full(&[], &leaf, &ca);
    let (short, _) = resumed(&TICKETBLEED_SESSION_ID[..8]);
    for (name, flight) in [
        ("echo", &echo),
        ("fresh", &fresh),
        ("none", &none),
        ("short", &short),
    ] {
        for cut in 0..=flight.len() {
            let (found, done, _) = feed(TICKETBLEED, &[&flight[..cut], &flight[cut..]]);
            assert!(done, "{name} cut {cut}");
            assert!(text(&found, app::VULN).is_empty(), "{name} cut {cut}");
            assert!(
                text(&found, app::TICKETBLEED).is_empty(),
                "{name} cut {cut}"
            );
            let ssl = text(&found, app::SSL);
            assert!(
                ssl[0].starts_with("TLS/1.2 cipher:0xc02f"),
                "{name}: {ssl:?}"
            );
            if name == "fresh" || name == "none" {
                assert!(
                    ssl[0].ends_with(", www.lab.masscan.test"),
                    "{name}: {ssl:?}"
                );
            }
            // The partial replies too.
            let (found, _, _) = feed(TICKETBLEED, &[&flight[..cut]]);
            assert!(text(&found, app::VULN).is_empty(), "{name} cut {cut}");
        }
    }
}

#[test]
fn the_poodle_hello_is_sslv3_only_whatever_else_is_asked() {
    for checks in [
        POODLE,
        Checks {
            heartbleed: true,
            ticketbleed: true,
            poodle: true,
        },
    ] {
        let hello = hello_of(checks);
        let mut plain = Vec::new();
        crate::banner::tls_hello::sslv3_hello(&mut plain);
        assert_eq!(hello, plain);
    }
    // An SSLv3 server's flight with --heartbleed asked too: no heartbeat request follows.
    let (leaf, ca, _) = chain();
    let all = Checks {
        heartbleed: true,
        ticketbleed: true,
        poodle: true,
    };
    let mut l = Legacy::start(None, all, &mut Vec::new());
    let mut out = Vec::new();
    assert!(l.data(&old_flight(0x0300, 0x000a, &leaf, &ca), &mut out));
    assert!(out.is_empty());
}

/// A server that accepts SSLv3: `SSL[v3] POODLE`, the names on the `ssl` line, no
/// certificates; cut at every byte.
#[test]
fn an_sslv3_server_is_poodle_at_every_cut() {
    let (leaf, ca, _) = chain();
    let flight = old_flight(0x0300, 0x000a, &leaf, &ca);
    let hello_end = 5 + server_hello(0x0300, 0x000a).len();
    let ssl = "SSLv3 cipher:0xa, lab.masscan.test, lab.masscan.test, www.lab.masscan.test";
    for cut in 0..=flight.len() {
        let (found, done, refused) = feed(POODLE, &[&flight[..cut], &flight[cut..]]);
        assert!(done && !refused, "cut {cut}");
        assert_eq!(text(&found, app::VULN), vec!["SSL[v3] POODLE"], "cut {cut}");
        assert_eq!(text(&found, app::SSL), vec![ssl], "cut {cut}");
        assert!(text(&found, app::SAFE).is_empty());
        assert!(text(&found, app::X509).is_empty(), "certificates off");
        let (found, _, _) = feed(POODLE, &[&flight[..cut]]);
        let whole = usize::from(cut >= hello_end);
        assert_eq!(text(&found, app::VULN).len(), whole, "cut {cut}");
    }
    // A newer ServerHello to the SSLv3 hello did not accept SSLv3: no POODLE (the original
    // says POODLE there too).
    let (found, _, _) = feed(POODLE, &[&old_flight(0x0301, 0x002f, &leaf, &ca)]);
    assert!(text(&found, app::VULN).is_empty());
    assert!(text(&found, app::SSL)[0].starts_with("TLS/1.0 cipher:0x2f, "));
}

/// Refusals of the SSLv3 hello, as the original writes them: inappropriate_fallback is
/// `poodle[TLS_FALLBACK_SCSV]`, handshake_failure `poodle[no-SSLv3]`, any other fatal alert
/// `poodle[no-SSLv3]` and its `ALERT` on the `ssl` line; a warning is only an `ALERT`. None asks
/// for the rustls connection (a refusal is the check's answer).
#[test]
fn poodle_refusals_are_safe_records_at_every_cut() {
    for (alert, safe, ssl) in [
        ([2, 86], Some("poodle[TLS_FALLBACK_SCSV]"), None),
        ([2, 40], Some("poodle[no-SSLv3]"), None),
        ([2, 70], Some("poodle[no-SSLv3]"), Some("ALERT(0x0246)")),
        ([1, 0], None, Some("ALERT(0x0100)")),
    ] {
        let flight = record(21, 0x0300, &alert);
        for cut in 0..=flight.len() {
            let (found, done, refused) = feed(POODLE, &[&flight[..cut]]);
            assert!(!refused, "{alert:?} cut {cut}");
            let whole = cut == flight.len();
            assert_eq!(done, whole);
            let want = |v: Option<&str>| v.filter(|_| whole).map(String::from);
            assert_eq!(text(&found, app::SAFE).pop(), want(safe), "{alert:?} {cut}");
            assert_eq!(text(&found, app::SSL).pop(), want(ssl), "{alert:?} {cut}");
            assert!(text(&found, app::VULN).is_empty());
        }
    }
    // Without the check, handshake_failure before any ServerHello is a refusal to retry.
    let (found, _, refused) = feed(Checks::default(), &[&record(21, 0x0303, &[2, 40])]);
    assert!(refused);
    assert!(text(&found, app::SAFE).is_empty());
}

/// A real server without SSLv3 (rustls speaking TLS 1.2) given the SSLv3 hello.
#[test]
fn a_rustls_server_refuses_the_sslv3_hello() {
    let (leaf, ca, key) = chain();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS12])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.into(), ca.into()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .unwrap();
    let mut server = rustls::ServerConnection::new(Arc::new(cfg)).unwrap();
    server.read_tls(&mut &hello_of(POODLE)[..]).unwrap();
    assert!(server.process_new_packets().is_err());
    let mut answer = Vec::new();
    while server.wants_write() {
        server.write_tls(&mut answer).unwrap();
    }
    let (found, done, refused) = feed(POODLE, &[&answer]);
    assert!(done && !refused);
    assert_eq!(text(&found, app::SAFE), vec!["poodle[no-SSLv3]"]);
    assert!(text(&found, app::VULN).is_empty());
}

/// Through a banner session: with a check on, a port of another protocol gets the check's
/// hello, and the finding comes out of the session.
#[test]
fn sessions_send_the_checks_hello_on_every_port() {
    let cfg = BannerConfig {
        ticketbleed: true,
        capture_ticketbleed: true,
        capture_cert: false,
        ..BannerConfig::default()
    };
    let mut out = Vec::new();
    let mut s = Session::start(THEM, 22, &cfg, &mut out);
    assert_eq!(out, hello_of(TICKETBLEED));
    let (flight, _) = resumed(&[&TICKETBLEED_SESSION_ID[..], &MEMORY].concat());
    s.data(THEM, &flight, &cfg, &mut Vec::new());
    assert!(s.is_done());
    let mut found = Vec::new();
    s.finish(&cfg, &mut found);
    assert_eq!(text(&found, app::VULN), vec!["SSL[ticketbleed]"]);
    assert_eq!(text(&found, app::TICKETBLEED), vec![b64(&MEMORY)]);

    let cfg = BannerConfig {
        poodle: true,
        capture_cert: false,
        ..BannerConfig::default()
    };
    let mut out = Vec::new();
    let mut s = Session::start(THEM, 80, &cfg, &mut out);
    assert_eq!(out, hello_of(POODLE));
    s.data(THEM, &record(21, 0x0300, &[2, 86]), &cfg, &mut Vec::new());
    assert!(s.is_done() && !s.wants_rustls());
    let mut found = Vec::new();
    s.finish(&cfg, &mut found);
    assert_eq!(text(&found, app::SAFE), vec!["poodle[TLS_FALLBACK_SCSV]"]);
}

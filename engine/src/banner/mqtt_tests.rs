//! MQTT CONNACKs as mosquitto 2.0 sends them to our 3.1.1 CONNECT (open and with
//! `allow_anonymous false`), an MQTT 5 CONNACK with properties, DISCONNECTs, every truncation,
//! and the session on 1883.

use super::*;
use crate::banner::parser::drive;

const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(198, 18, 1, 47));

fn run(chunks: &[&[u8]]) -> Vec<Found> {
    let (sent, found) = drive(start, IP, chunks);
    assert_eq!(sent, CONNECT);
    found
}

fn text(chunks: &[&[u8]]) -> String {
    let f = run(chunks);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].app, app::MQTT);
    String::from_utf8(f[0].text.clone()).unwrap()
}

/// An MQTT 5 CONNACK: accepted, properties receive maximum 20, maximum QoS 1, retain available
/// 0, maximum packet size 1048576, assigned client identifier "auto-1", topic alias maximum
/// 10, reason string "hello", shared subscriptions 0.
fn connack5() -> Vec<u8> {
    let mut props = vec![0x21, 0, 20, 0x24, 1, 0x25, 0, 0x27, 0, 0x10, 0, 0];
    props.extend_from_slice(b"\x12\x00\x06auto-1\x22\x00\x0a\x1f\x00\x05hello\x2a\x00");
    let mut body = vec![0, 0, props.len() as u8];
    body.extend_from_slice(&props);
    let mut p = vec![0x20, body.len() as u8];
    p.extend_from_slice(&body);
    p
}

const CONNACK5_TEXT: &str = "CONNACK accepted (0): open, no authentication; session present \
no; MQTT 5, receive maximum 20, maximum QoS 1, retain available 0, maximum packet size \
1048576, assigned client identifier \"auto-1\", topic alias maximum 10, reason string \
\"hello\", shared subscriptions 0";

#[test]
fn connect_is_well_formed() {
    assert_eq!(usize::from(CONNECT[1]), CONNECT.len() - 2);
    assert_eq!(&CONNECT[2..8], b"\x00\x04MQTT");
    assert_eq!(CONNECT[8], LEVEL);
    assert_eq!(
        CONNECT[9], 0x02,
        "clean session, no user name, no password, no will"
    );
    assert_eq!(usize::from(CONNECT[13]), CONNECT.len() - 14);
}

#[test]
fn open_and_closed_brokers() {
    assert_eq!(
        text(&[b"\x20\x02", b"\x00\x00"]),
        "CONNACK accepted (0): open, no authentication; session present no"
    );
    assert_eq!(
        text(&[b"\x20\x02\x00\x05"]),
        "CONNACK not authorized (5): authentication required; session present no"
    );
    assert_eq!(
        text(&[b"\x20\x02\x00\x04"]),
        "CONNACK bad user name or password (4): authentication required; session present no"
    );
    assert_eq!(
        text(&[b"\x20\x02\x01\x01"]),
        "CONNACK unacceptable protocol version (1): refused, protocol level 4 (3.1.1) not \
spoken; session present yes"
    );
    assert_eq!(
        text(&[b"\x20\x02\x00\x03"]),
        "CONNACK server unavailable (3): refused; session present no"
    );
}

#[test]
fn mqtt5_shapes() {
    let c = connack5();
    assert_eq!(text(&[&c]), CONNACK5_TEXT);
    assert_eq!(text(&[&c[..7], &c[7..]]), CONNACK5_TEXT);
    assert_eq!(
        text(&[b"\x20\x03\x00\x87\x00"]),
        "CONNACK not authorized (135): authentication required; session present no; MQTT 5"
    );
    assert_eq!(
        text(&[b"\x20\x0a\x00\x86\x07\x26\x00\x01k\x00\x01v"]),
        "CONNACK bad user name or password (134): authentication required; session present \
no; MQTT 5, user property \"k\"=\"v\""
    );
    assert_eq!(
        text(&[b"\x20\x06\x00\x00\x03\x16\x00\x00"]),
        "CONNACK accepted (0): open, no authentication; session present no; MQTT 5, \
authentication data (0 bytes)"
    );
    // An identifier no CONNACK carries stops the list.
    assert_eq!(
        text(&[b"\x20\x05\x00\x00\x02\x01\x00"]),
        "CONNACK accepted (0): open, no authentication; session present no; MQTT 5, property \
0x01 cut or unknown"
    );
    assert_eq!(text(&[b"\xe0\x02\x8a\x00"]), "DISCONNECT banned (138)");
    assert_eq!(text(&[b"\xe0\x00"]), "DISCONNECT accepted (0)");
}

#[test]
fn every_truncation() {
    for whole in [&b"\x20\x02\x00\x05"[..], &connack5(), b"\xe0\x02\x8a\x00"] {
        for cut in 1..whole.len() {
            let t = text(&[&whole[..cut]]);
            assert!(
                t.starts_with("incomplete") || t.contains("cut"),
                "{cut}: {t}"
            );
        }
    }
    // The property list claims more than the packet holds.
    let t = text(&[b"\x20\x04\x00\x00\x09\x24"]);
    assert!(t.ends_with("MQTT 5, property 0x24 cut or unknown"), "{t}");
    let t = text(&[b"\x20\x03\x00\x00\x09"]);
    assert!(t.ends_with("MQTT 5 (properties cut)"), "{t}");
}

#[test]
fn strangers_and_bad_lengths() {
    assert_eq!(
        text(&[b"\x20\xff\xff\xff\xff\x01"]),
        "incomplete packet (6 bytes)"
    );
    assert_eq!(text(&[b"\x20\x00"]), "incomplete CONNACK (2 bytes)");
    let f = run(&[b"HTTP/1.0 400 Bad Request\r\n"]);
    assert_eq!(f, [Found::new(app::HEUR, "HTTP/1.0 400 Bad Request\r\n")]);
    assert!(run(&[]).is_empty());
}

#[test]
fn through_the_session_on_1883() {
    let cfg = BannerConfig::default();
    let mut sent = Vec::new();
    let mut s = crate::banner::Session::start(IP, 1883, &cfg, &mut sent);
    assert_eq!(sent, CONNECT);
    s.data(IP, b"\x20\x02\x00\x00", &cfg, &mut sent);
    assert!(s.is_done());
    let mut f = Vec::new();
    s.finish(&cfg, &mut f);
    assert_eq!(
        f,
        [Found::new(
            app::MQTT,
            "CONNACK accepted (0): open, no authentication; session present no"
        )]
    );
}

proptest::proptest! {
    #[test]
    fn arbitrary_bytes(
        first in proptest::sample::select(vec![0x20u8, 0xe0, 0x30]),
        tail in proptest::collection::vec(proptest::collection::vec(proptest::num::u8::ANY, 0..40), 0..6),
    ) {
        let mut chunks: Vec<&[u8]> = vec![std::slice::from_ref(&first)];
        chunks.extend(tail.iter().map(Vec::as_slice));
        let f = run(&chunks);
        proptest::prop_assert_eq!(f.len(), 1);
    }
}

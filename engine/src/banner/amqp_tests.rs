//! Connection.Start as RabbitMQ 3.10 sends it (built field by field as AMQP 0-9-1 lays it
//! out), a refused protocol header, every truncation, and the session on 5672.

use super::*;
use crate::banner::parser::drive;

const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(198, 18, 1, 44));

fn shortstr(v: &mut Vec<u8>, s: &str) {
    v.push(s.len() as u8);
    v.extend_from_slice(s.as_bytes());
}

fn longstr(v: &mut Vec<u8>, s: &[u8]) {
    v.extend_from_slice(&(s.len() as u32).to_be_bytes());
    v.extend_from_slice(s);
}

fn table(entries: &[(&str, u8, Vec<u8>)]) -> Vec<u8> {
    let mut t = Vec::new();
    for (name, kind, value) in entries {
        shortstr(&mut t, name);
        t.push(*kind);
        t.extend_from_slice(value);
    }
    let mut v = Vec::new();
    longstr(&mut v, &t);
    v
}

fn s(text: &str) -> Vec<u8> {
    let mut v = Vec::new();
    longstr(&mut v, text.as_bytes());
    v
}

/// RabbitMQ 3.10.8's Connection.Start (the capabilities table nested, as it sends it).
pub(crate) fn connection_start() -> Vec<u8> {
    let caps = table(&[
        ("publisher_confirms", b't', vec![1]),
        ("consumer_priorities", b't', vec![1]),
        ("authentication_failure_close", b't', vec![1]),
    ]);
    let props = table(&[
        ("capabilities", b'F', caps[..].to_vec()),
        ("cluster_name", b'S', s("rabbit@lab")),
        (
            "copyright",
            b'S',
            s("Copyright (c) 2007-2022 VMware, Inc. or its affiliates."),
        ),
        ("information", b'S', s("Licensed under the MPL 2.0.")),
        ("platform", b'S', s("Erlang/OTP 25.2.3")),
        ("product", b'S', s("RabbitMQ")),
        ("version", b'S', s("3.10.8")),
    ]);
    let mut p = vec![0, 10, 0, 10, 0, 9];
    p.extend_from_slice(&props);
    longstr(&mut p, b"PLAIN AMQPLAIN");
    longstr(&mut p, b"en_US");
    let mut f = vec![1, 0, 0];
    f.extend_from_slice(&(p.len() as u32).to_be_bytes());
    f.extend_from_slice(&p);
    f.push(0xce);
    f
}

const START_TEXT: &str = "AMQP 0-9, product RabbitMQ, version 3.10.8, platform Erlang/OTP \
25.2.3, cluster_name rabbit@lab, copyright Copyright (c) 2007-2022 VMware, Inc. or its \
affiliates., mechanisms PLAIN AMQPLAIN, locales en_US";

fn text(chunks: &[&[u8]]) -> String {
    let (sent, f) = drive(start, IP, chunks);
    assert_eq!(sent, HEADER);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].app, app::AMQP);
    String::from_utf8(f[0].text.clone()).unwrap()
}

#[test]
fn connection_start_names_the_broker() {
    let c = connection_start();
    assert_eq!(text(&[&c]), START_TEXT);
    assert_eq!(text(&[&c[..3], &c[3..50], &c[50..]]), START_TEXT);
}

#[test]
fn a_refused_header_names_the_version_spoken() {
    assert_eq!(
        text(&[b"AMQP\x00\x01\x00\x00"]),
        "protocol header refused, server speaks AMQP 0-1-0-0"
    );
    assert_eq!(
        text(&[b"AMQP\x03\x01\x00\x00"]),
        "protocol header refused, server speaks AMQP 3-1-0-0"
    );
    assert_eq!(text(&[b"AMQP\x00"]), "incomplete protocol header (5 bytes)");
}

#[test]
fn every_truncation() {
    let c = connection_start();
    for cut in 1..c.len() {
        let t = text(&[&c[..cut]]);
        assert!(
            t.starts_with("incomplete") || t.ends_with(", cut") || t == "Connection.Start, cut",
            "{cut}: {t}"
        );
    }
}

#[test]
fn other_methods_types_and_strangers() {
    // Connection.Close (10.50) on channel 0.
    let f = b"\x01\x00\x00\x00\x00\x00\x04\x00\x0a\x00\x32\xce";
    assert_eq!(text(&[f]), "method 10.50");
    // Every field type is stepped over; an unknown one ends the table.
    let mut entries = Vec::new();
    for (kind, value) in [
        (b'V', vec![]),
        (b'b', vec![1]),
        (b'u', vec![0, 1]),
        (b'I', vec![0; 4]),
        (b'D', vec![0; 5]),
        (b'T', vec![0; 8]),
        (b'x', vec![0, 0, 0, 2, 9, 9]),
        (b'A', vec![0, 0, 0, 0]),
    ] {
        entries.push(("k", kind, value));
    }
    entries.push(("product", b'S', s("X")));
    entries.push(("odd", b'?', vec![]));
    entries.push(("version", b'S', s("1")));
    let mut p = vec![0, 10, 0, 10, 0, 9];
    p.extend_from_slice(&table(&entries));
    longstr(&mut p, b"PLAIN");
    longstr(&mut p, b"en_US");
    let mut frame = vec![1, 0, 0];
    frame.extend_from_slice(&(p.len() as u32).to_be_bytes());
    frame.extend_from_slice(&p);
    frame.push(0xce);
    assert_eq!(
        text(&[&frame]),
        "AMQP 0-9, product X, mechanisms PLAIN, locales en_US"
    );
    let (_, f) = drive(start, IP, &[b"HTTP/1.1 400 Bad Request\r\n"]);
    assert_eq!(f, [Found::new(app::HEUR, "HTTP/1.1 400 Bad Request\r\n")]);
    assert!(drive(start, IP, &[]).1.is_empty());
}

#[test]
fn through_the_session_on_5672() {
    let cfg = BannerConfig::default();
    let mut sent = Vec::new();
    let mut s = crate::banner::Session::start(IP, 5672, &cfg, &mut sent);
    assert_eq!(sent, HEADER);
    s.data(IP, &connection_start(), &cfg, &mut sent);
    assert!(s.is_done());
    let mut f = Vec::new();
    s.finish(&cfg, &mut f);
    assert_eq!(f, [Found::new(app::AMQP, START_TEXT)]);
}

proptest::proptest! {
    #[test]
    fn arbitrary_bytes(
        first in proptest::sample::select(vec![&b"\x01\x00\x00"[..], b"AMQP", b"\x01\x00\x00\x00\x00\x01\x00\x00\x0a\x00\x0a"]),
        tail in proptest::collection::vec(proptest::collection::vec(proptest::num::u8::ANY, 0..200), 0..6),
    ) {
        let mut chunks: Vec<&[u8]> = vec![first];
        chunks.extend(tail.iter().map(Vec::as_slice));
        let (_, f) = drive(start, IP, &chunks);
        proptest::prop_assert_eq!(f.len(), 1);
    }
}

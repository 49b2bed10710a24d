//! MySQL greetings and errors as MariaDB 10.11 and MySQL 8 send them, whole, cut and through
//! the session on any port.

use super::*;
use crate::banner::Session;
use std::net::{IpAddr, Ipv4Addr};

const IP: IpAddr = IpAddr::V4(Ipv4Addr::new(198, 18, 1, 45));

/// A protocol-10 greeting: `version`, connection id 31, capabilities `caps`, charset 45,
/// status AUTOCOMMIT, a 21-byte scramble and the `mysql_native_password` plugin.
pub(crate) fn greeting(version: &str, caps: u32) -> Vec<u8> {
    let mut p = vec![10];
    p.extend_from_slice(version.as_bytes());
    p.push(0);
    p.extend_from_slice(&31u32.to_le_bytes());
    p.extend_from_slice(b"3;)Wd\"n!");
    p.push(0);
    p.extend_from_slice(&(caps as u16).to_le_bytes());
    p.push(45);
    p.extend_from_slice(&2u16.to_le_bytes());
    p.extend_from_slice(&((caps >> 16) as u16).to_le_bytes());
    p.push(21);
    p.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0x1d, 0, 0, 0]);
    p.extend_from_slice(b"Z7a=q>n~b4Sk\0");
    p.extend_from_slice(b"mysql_native_password\0");
    packet(0, &p)
}

pub(crate) fn packet(seq: u8, p: &[u8]) -> Vec<u8> {
    let mut v = (p.len() as u32).to_le_bytes()[..3].to_vec();
    v.push(seq);
    v.extend_from_slice(p);
    v
}

/// MariaDB's capabilities without SSL (0x81fff7fe less bit 11) and with it.
const MARIADB: u32 = 0x81ff_f7fe;
const MARIADB_TLS: u32 = MARIADB | CLIENT_SSL;

/// MariaDB's refusal of a host without a grant (no SQL state before authentication).
pub(crate) fn host_refused() -> Vec<u8> {
    let mut p = vec![0xff];
    p.extend_from_slice(&1130u16.to_le_bytes());
    p.extend_from_slice(b"Host '198.18.0.2' is not allowed to connect to this MariaDB server");
    packet(0, &p)
}

fn session(port: u16, chunks: &[&[u8]]) -> (Vec<u8>, Vec<Found>) {
    let cfg = BannerConfig::default();
    let mut sent = Vec::new();
    let mut s = Session::start(IP, port, &cfg, &mut sent);
    for c in chunks {
        if s.is_done() {
            break;
        }
        s.data(IP, c, &cfg, &mut sent);
    }
    let mut found = Vec::new();
    s.finish(&cfg, &mut found);
    (sent, found)
}

#[test]
fn mariadb_greeting_without_tls() {
    let g = greeting("5.5.5-10.11.6-MariaDB-0+deb12u1", MARIADB);
    let (sent, f) = session(3306, &[&g[..20], &g[20..]]);
    assert!(sent.is_empty(), "no SSLRequest when TLS is not offered");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].app, app::MYSQL);
    let t = String::from_utf8(f[0].text.clone()).unwrap();
    assert!(
        t.starts_with(
            "protocol 10, version 5.5.5-10.11.6-MariaDB-0+deb12u1, connection id 31, \
             TLS not offered, charset 45 (utf8mb4_general_ci), auth plugin \
             mysql_native_password, capabilities 0x81fff7fe (FOUND_ROWS|LONG_FLAG|"
        ),
        "{t}"
    );
    assert!(t.contains("|PLUGIN_AUTH|") && !t.contains("|SSL|"), "{t}");
    assert!(t.ends_with("|bit31), status 0x0002 (AUTOCOMMIT)"), "{t}");
}

#[test]
fn tls_offered_gets_an_ssl_request_and_a_client_hello() {
    let g = greeting("8.0.36", MARIADB_TLS);
    let cfg = BannerConfig::default();
    let mut sent = Vec::new();
    let mut s = Session::start(IP, 3306, &cfg, &mut sent);
    s.data(IP, &g, &cfg, &mut sent);
    assert!(!s.is_done());
    assert_eq!(&sent[..4], [32, 0, 0, 1], "SSLRequest, sequence 1");
    let caps = u32::from_le_bytes(sent[4..8].try_into().unwrap());
    assert_eq!(caps & CLIENT_SSL, CLIENT_SSL);
    assert_eq!(sent[12], 45, "the server's character set");
    assert_eq!(
        &sent[36..38],
        [0x16, 0x03],
        "a TLS handshake record follows"
    );
    // A fatal alert ends the handshake; the greeting and the TLS result are both reported.
    s.data(IP, b"\x15\x03\x03\x00\x02\x02\x28", &cfg, &mut sent);
    assert!(s.is_done());
    let mut f = Vec::new();
    s.finish(&cfg, &mut f);
    let t = String::from_utf8_lossy(&f[0].text);
    assert!(
        t.contains("version 8.0.36") && t.contains("TLS offered"),
        "{t}"
    );
    assert!(t.contains("|SSL|"), "{t}");
    assert_eq!(f[1].app, app::SSL);
    assert_eq!(f[1].text, b"ALERT(0x0228)");
}

#[test]
fn host_not_allowed_is_an_error() {
    let (_, f) = session(3306, &[&host_refused()]);
    assert_eq!(
        f,
        [Found::new(
            app::MYSQL,
            "error 1130: Host '198.18.0.2' is not allowed to connect to this MariaDB server"
        )]
    );
    let mut p = vec![0xff];
    p.extend_from_slice(&1040u16.to_le_bytes());
    p.extend_from_slice(b"#08004Too many connections");
    let (_, f) = session(3306, &[&packet(0, &p)]);
    assert_eq!(f[0].text, b"error 1040 (08004): Too many connections");
}

#[test]
fn named_on_any_port_and_after_another_hello() {
    let g = greeting("8.0.36", MARIADB);
    for port in [3306, 8306, 7777, 80, 389] {
        let (_, f) = session(port, &[&g]);
        assert_eq!(f.len(), 1, "port {port}: {f:?}");
        assert_eq!(f[0].app, app::MYSQL, "port {port}");
    }
    let (_, f) = session(22, &[&host_refused()]);
    assert_eq!(f[0].app, app::MYSQL);
}

#[test]
fn every_truncation_ends_cleanly() {
    for whole in [greeting("5.7.44-log", MARIADB), host_refused()] {
        for cut in 1..whole.len() {
            let (_, f) = session(3306, &[&whole[..cut]]);
            if cut < 6 {
                // Too short to tell: kept as it came.
                assert_eq!(f[0].app, app::HEUR, "{cut}");
            } else {
                assert_eq!(f[0].app, app::MYSQL, "{cut}");
                assert!(f[0].text.starts_with(b"incomplete packet"), "{cut}");
            }
        }
    }
    // A packet whose fields are cut inside: what is there is reported.
    let p = packet(0, b"\x0a8.0.36\0\x01\0\0\0abc");
    let (_, f) = session(3306, &[&p]);
    assert_eq!(
        f[0].text,
        b"protocol 10, version 8.0.36, connection id 1, TLS not offered"
    );
    let p = packet(0, b"\x0a8.0.36 and no end");
    let (_, f) = session(3306, &[&p]);
    assert_eq!(f[0].text, b"short greeting (18 bytes)");
}

#[test]
fn other_first_bytes_are_not_mysql() {
    assert!(!is_greeting(b"\x4a\0\0\0\x0aX"));
    assert!(!is_greeting(b"\x4a\0\0\x01\x0a8"));
    assert!(!is_greeting(b"\x02\0\0\0\x0a8"));
    assert!(!is_greeting(b"\x10\0\0\0\xff\x6a\x04\x01"));
    assert!(is_greeting(b"\x10\0\0\0\xff\x6a\x04H"));
    let (_, f) = session(7777, &[b"\x4a\0\0\0\x0aX-not-a-version"]);
    assert_eq!(f[0].app, app::HEUR);
}

proptest::proptest! {
    /// Arbitrary bytes after a greeting's first bytes: no panic, one banner.
    #[test]
    fn arbitrary_bytes(
        head in proptest::sample::select(vec![&b"\x4a\0\0\0\x0a5"[..], b"\x10\0\0\0\xff\x6a\x04H", b"\x20\0\0\0\x0a8", b"\xff\x03\0\0\x0a1"]),
        tail in proptest::collection::vec(proptest::collection::vec(proptest::num::u8::ANY, 0..200), 0..8),
    ) {
        let mut chunks: Vec<&[u8]> = vec![head];
        chunks.extend(tail.iter().map(Vec::as_slice));
        let (_, f) = session(3306, &chunks);
        proptest::prop_assert!(!f.is_empty());
        proptest::prop_assert!(f[0].app == app::MYSQL || f[0].app == app::HEUR);
    }
}

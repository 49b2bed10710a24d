//! `--identify` through the stack: the first connection's HTTP hello after silence, then the
//! series of tries (TLS, redis, memcached, MQTT, PostgreSQL; AMQP after a broker's protocol
//! header), each a SYN on the same ports with the scan's cookie,
//! ended by a hello wait of silence, a reset or a reply that names the service, and bounded by
//! `--identify-tries`.

use super::*;
use crate::banner::app;

/// A stack whose banners run with `--identify`.
fn identify_stack(key: &CookieKey) -> Stack {
    tries_stack(key, crate::banner::identify::DEFAULT_TRIES)
}

/// A stack whose banners run with `--identify --identify-tries tries`.
fn tries_stack(key: &CookieKey, tries: u8) -> Stack {
    let mut cfg = keyed_stack(10, key).config().clone();
    let mut banners = BannerConfig::default();
    banners.identify = true;
    banners.identify_tries = tries;
    cfg.banners = Arc::new(banners);
    Stack::new(cfg, key)
}

/// The SYN of a try, due now: the connection before it was reset (by us, when `ours`).
fn assert_try_syn(st: &mut Stack, key: &CookieKey, f: Flow, ours: bool) -> u32 {
    let out = sent(st);
    let cookie = crate::probe::tcp_syn::cookie(key, f.them, f.me, f.port_them, f.port_me) as u32;
    let want: &[u8] = if ours { &[RST | ACK, SYN] } else { &[SYN] };
    let flags: Vec<u8> = out.iter().map(|s| s.0).collect();
    assert_eq!(flags, want, "{out:?}");
    assert_eq!(out.last().unwrap().1, cookie);
    assert!(st.awaits(&f));
    cookie
}

/// The server answers a try's SYN: the hello the stack sends on the new connection, and the
/// sequence number after it (what the server acknowledges).
fn open_try(st: &mut Stack, f: Flow, cookie: u32) -> (Vec<u8>, u32) {
    let syn_ack = Segment {
        ack: cookie.wrapping_add(1),
        ..syn_ack()
    };
    assert!(st.open(f, PEER_MAC, 64, &syn_ack, Some(1460)));
    let out = sent(st);
    assert_eq!(out.len(), 1, "{out:?}");
    let hello = out[0].3.clone();
    let next = cookie.wrapping_add(1).wrapping_add(hello.len() as u32);
    (hello, next)
}

/// The first connection opened and its HTTP hello sent at 7 s: our sequence number after it.
fn first_connection_hello(st: &mut Stack, f: Flow) -> u32 {
    st.poll(5_000, 1000);
    assert!(st.open(f, PEER_MAC, 64, &syn_ack(), Some(1460)));
    sent(st);
    st.poll(7_000, 1002);
    let http_len = sent(st)[0].3.len() as u32;
    OUR_ISN.wrapping_add(http_len)
}

/// A silent first connection up to its reset: HTTP hello at 7 s, acknowledged, nothing else.
fn silent_first_connection(st: &mut Stack, f: Flow) {
    let next = first_connection_hello(st, f);
    st.segment(f, &data(0, next, b""));
    st.poll(9_000, 1004);
}

/// The stack's next record, which must be a banner.
fn next_banner(st: &mut Stack) -> BannerRecord {
    let Some(Record::Banner(b)) = st.poll_record() else {
        panic!("no banner")
    };
    b
}

/// The whole series on a port that only MQTT's CONNECT makes speak: the TLS try ends after a
/// hello wait of silence, the redis and memcached tries are reset by the server (as mosquitto
/// does), and the MQTT try's CONNACK names the port `mqtt`, ending the series.
#[test]
fn the_series_goes_tls_redis_memcached_mqtt_and_stops_at_the_first_named_reply() {
    let key = CookieKey::from_seed(1);
    let f = flow(2208);
    let mut st = identify_stack(&key);
    silent_first_connection(&mut st, f);
    let cookie = assert_try_syn(&mut st, &key, f, true);
    let (hello, next) = open_try(&mut st, f, cookie);
    assert_eq!(hello, sent_plaintext_hello(), "the TLS try");
    st.segment(f, &data(0, next, b""));
    st.poll(10_990, 1005);
    assert!(
        sent(&mut st).is_empty(),
        "silent for less than a hello wait"
    );
    st.poll(11_000, 1006);
    let cookie = assert_try_syn(&mut st, &key, f, true);
    let (hello, next) = open_try(&mut st, f, cookie);
    assert_eq!(hello, b"*1\r\n$4\r\ninfo\r\n", "the redis try");
    let rst = Segment {
        flags: RST | ACK,
        ..data(0, next, b"")
    };
    st.segment(f, &rst);
    assert!(st.poll_record().is_none(), "a reset names nothing");
    let cookie = assert_try_syn(&mut st, &key, f, false);
    let (hello, next) = open_try(&mut st, f, cookie);
    assert_eq!(hello, b"stats\r\n", "the memcached try");
    st.segment(
        f,
        &Segment {
            flags: RST | ACK,
            ..data(0, next, b"")
        },
    );
    let cookie = assert_try_syn(&mut st, &key, f, false);
    let (hello, next) = open_try(&mut st, f, cookie);
    assert_eq!(
        &hello[..4],
        b"\x10\x16\x00\x04",
        "the MQTT try: {hello:02x?}"
    );
    st.segment(f, &data(0, next, b"\x20\x02\x00\x00"));
    let out = sent(&mut st);
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(out[0].0, RST | ACK, "named: reset, and no try after");
    assert!(!st.awaits(&f));
    assert_eq!(st.counters.reconnects, 4);
    let b = next_banner(&mut st);
    assert_eq!(b.app_proto, app::MQTT);
    assert!(b.banner.starts_with(b"CONNACK accepted (0)"), "{b:?}");
    st.poll(60_000, 1060);
    assert!(sent(&mut st).is_empty());
    assert_eq!(st.counters.reconnects, 4);
}

/// redis answers the third connection's `INFO`: named `redis` there, and nothing follows.
#[test]
fn a_redis_reply_to_the_redis_try_names_the_port_and_ends_the_series() {
    let key = CookieKey::from_seed(1);
    let f = flow(2206);
    let mut st = identify_stack(&key);
    silent_first_connection(&mut st, f);
    let cookie = assert_try_syn(&mut st, &key, f, true);
    let (_, next) = open_try(&mut st, f, cookie);
    st.segment(f, &data(0, next, b""));
    st.poll(11_000, 1006);
    let cookie = assert_try_syn(&mut st, &key, f, true);
    let (_, next) = open_try(&mut st, f, cookie);
    let info = b"$34\r\n# Server\r\nredis_version:7.0.15\r\n\r\n";
    st.segment(f, &data(0, next, info));
    let b = next_banner(&mut st);
    assert_eq!(
        (b.app_proto, &b.banner[..]),
        (app::REDIS, &b"redis_version:7.0.15"[..])
    );
    st.poll(60_000, 1060);
    let out = sent(&mut st);
    assert!(out.iter().all(|s| s.0 != SYN), "{out:?}");
    assert_eq!(st.counters.reconnects, 2);
}

/// `--identify-tries` bounds the series: with N, the Nth try's silence ends it; 0 leaves the
/// first connection alone (it ends after its second hello wait, no SYN).
#[test]
fn identify_tries_bounds_the_series() {
    let key = CookieKey::from_seed(1);
    for tries in 0..=crate::banner::identify::DEFAULT_TRIES {
        let f = flow(7777);
        let mut st = tries_stack(&key, tries);
        silent_first_connection(&mut st, f);
        let mut now = 9_000;
        for n in 0..tries {
            let cookie = assert_try_syn(&mut st, &key, f, true);
            let (_, next) = open_try(&mut st, f, cookie);
            st.segment(f, &data(0, next, b""));
            now += 2_000;
            st.poll(now, 1000 + n as u32);
        }
        let out = sent(&mut st);
        let flags: Vec<u8> = out.iter().map(|s| s.0).collect();
        assert_eq!(flags, [RST | ACK], "tries {tries}: {out:?}");
        st.poll(now + 60_000, 2000);
        assert!(sent(&mut st).is_empty(), "tries {tries}");
        assert!(!st.awaits(&f));
        assert_eq!(st.counters.reconnects, u64::from(tries), "tries {tries}");
    }
}

/// `--identify`: a port without a hello that stays silent gets the HTTP hello after the hello
/// wait; silent again for as long, it is reset and a second connection on the same ports (the
/// cookie as sequence number) sends the plaintext TLS hello. Without `--identify` the silent
/// connection waits for its timeout and nothing follows.
#[test]
fn identify_follows_a_silent_port_with_a_tls_hello_on_a_second_connection() {
    let key = CookieKey::from_seed(1);
    let f = flow(7777);
    let mut st = identify_stack(&key);
    st.poll(5_000, 1000);
    assert!(st.open(f, PEER_MAC, 64, &syn_ack(), Some(1460)));
    let out = sent(&mut st);
    assert!(
        out.iter().all(|s| s.3.is_empty()),
        "no hello on 7777 at connect: {out:?}"
    );
    st.poll(7_000, 1002);
    let out = sent(&mut st);
    assert_eq!(out.len(), 1);
    assert!(out[0].3.starts_with(b"GET / HTTP/1.0\r\n"), "{out:?}");
    let http_len = out[0].3.len() as u32;
    // The server acknowledges the request and says nothing.
    st.segment(f, &data(0, OUR_ISN.wrapping_add(http_len), b""));
    st.poll(8_500, 1003);
    assert!(sent(&mut st).is_empty(), "not before a second hello wait");
    st.poll(9_000, 1004);
    let out = sent(&mut st);
    assert_eq!(out.len(), 2, "{out:?}");
    assert_eq!(out[0].0, RST | ACK);
    let cookie = crate::probe::tcp_syn::cookie(&key, f.them, f.me, f.port_them, f.port_me);
    assert_eq!((out[1].0, out[1].1), (SYN, cookie as u32));
    assert!(st.awaits(&f));
    assert_eq!(st.counters.reconnects, 1);
    let syn_ack2 = Segment {
        ack: (cookie as u32).wrapping_add(1),
        ..syn_ack()
    };
    assert!(st.open(f, PEER_MAC, 64, &syn_ack2, Some(1460)));
    let out = sent(&mut st);
    assert_eq!(out[0].3, sent_plaintext_hello(), "the plaintext TLS hello");

    // Without --identify: the same silence ends with the connection's timeout, no try after.
    let mut plain = keyed_stack(10, &key);
    plain.poll(5_000, 1000);
    assert!(plain.open(f, PEER_MAC, 64, &syn_ack(), Some(1460)));
    sent(&mut plain);
    plain.poll(7_000, 1002);
    let http_len = sent(&mut plain)[0].3.len() as u32;
    plain.segment(f, &data(0, OUR_ISN.wrapping_add(http_len), b""));
    plain.poll(9_000, 1004);
    assert!(sent(&mut plain).is_empty());
    plain.poll(35_001, 1030);
    let out = sent(&mut plain);
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(out[0].0, RST | ACK);
    assert_eq!(plain.counters.reconnects, 0);
}

/// `--identify`: a TLS alert in answer to the HTTP hello (a TLS server on a port no one gives
/// it) also brings the TLS hello; an HTTP answer does not.
#[test]
fn identify_follows_a_tls_alert_but_not_an_http_reply() {
    let key = CookieKey::from_seed(1);
    for (reply, tries) in [
        (&b"\x15\x03\x01\x00\x02\x02\x32"[..], 1),
        (&b"HTTP/1.0 200 OK\r\nServer: x\r\n\r\n"[..], 0),
    ] {
        let f = flow(7777);
        let mut st = identify_stack(&key);
        st.poll(5_000, 1000);
        assert!(st.open(f, PEER_MAC, 64, &syn_ack(), Some(1460)));
        sent(&mut st);
        st.poll(7_000, 1002);
        let http_len = sent(&mut st)[0].3.len() as u32;
        st.segment(f, &data(0, OUR_ISN.wrapping_add(http_len), reply));
        let fin = Segment {
            flags: FIN | ACK,
            ..data(reply.len() as u32, OUR_ISN.wrapping_add(http_len), b"")
        };
        st.segment(f, &fin);
        st.poll(12_000, 1007);
        sent(&mut st);
        assert_eq!(st.counters.reconnects, tries, "{reply:02x?}");
        assert_eq!(st.awaits(&f), tries == 1);
    }
}

/// A try the server closes at once (a FIN, no bytes; the one before it ended so, and our RST
/// answered): the next try's SYN is due at once.
fn closed_try(st: &mut Stack, key: &CookieKey, f: Flow, want: &[u8]) -> u32 {
    let cookie = assert_try_syn(st, key, f, true);
    let (hello, next) = open_try(st, f, cookie);
    assert_eq!(hello, want);
    let fin = Segment {
        flags: FIN | ACK,
        ..data(0, next, b"")
    };
    st.segment(f, &fin);
    assert!(st.poll_record().is_none(), "a close names nothing");
    next
}

/// PostgreSQL closes at once on every hello but its own (as PostgreSQL 15 did in the lab):
/// the series reaches the SSLRequest without a hello wait after the first connection; its
/// `N` brings the StartupMessage on the same connection, and the ErrorResponse names the port.
#[test]
fn postgresql_closing_on_every_other_hello_is_named_by_the_last_try() {
    let key = CookieKey::from_seed(1);
    let f = flow(2211);
    let mut st = identify_stack(&key);
    silent_first_connection(&mut st, f);
    let cookie = assert_try_syn(&mut st, &key, f, true);
    let (hello, next) = open_try(&mut st, f, cookie);
    assert_eq!(hello, sent_plaintext_hello(), "the TLS try");
    let fin = Segment {
        flags: FIN | ACK,
        ..data(0, next, b"")
    };
    st.segment(f, &fin);
    for want in [&b"*1\r\n$4\r\ninfo\r\n"[..], b"stats\r\n"] {
        closed_try(&mut st, &key, f, want);
    }
    closed_try(
        &mut st,
        &key,
        f,
        b"\x10\x16\x00\x04MQTT\x04\x02\x00\x3c\x00\x0amasscan-rs",
    );
    let cookie = assert_try_syn(&mut st, &key, f, true);
    let (hello, next) = open_try(&mut st, f, cookie);
    assert_eq!(
        hello,
        [0, 0, 0, 8, 4, 0xd2, 0x16, 0x2f],
        "the PostgreSQL try"
    );
    st.segment(f, &data(0, next, b"N"));
    let out = sent(&mut st);
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(
        out[0].3,
        [0, 0, 0, 9, 0, 0xff, 0, 0xff, 0],
        "StartupMessage 255.255"
    );
    let next = next.wrapping_add(out[0].3.len() as u32);
    let error = b"E\x00\x00\x00\x2aSFATAL\x00C0A000\x00Munsupported frontend protocol\x00\x00";
    st.segment(f, &data(1, next, error));
    let b = next_banner(&mut st);
    assert_eq!(b.app_proto, app::POSTGRES);
    assert!(
        b.banner
            .starts_with(b"TLS not offered (N), error FATAL 0A000"),
        "{b:?}"
    );
    st.poll(60_000, 1060);
    assert!(sent(&mut st).iter().all(|s| s.0 != SYN));
    assert_eq!(st.counters.reconnects, 5);
}

/// An AMQP broker answers the first connection's HTTP hello with its protocol header and
/// closes: named `amqp` there, and the AMQP try follows (not the TLS one) for its
/// Connection.Start; nothing after it.
#[test]
fn an_amqp_header_brings_the_amqp_try_and_nothing_after() {
    let key = CookieKey::from_seed(1);
    let f = flow(2210);
    let mut st = identify_stack(&key);
    let next = first_connection_hello(&mut st, f);
    st.segment(f, &data(0, next, b"AMQP\x00\x00\x09\x01"));
    let b = next_banner(&mut st);
    assert_eq!(b.app_proto, app::AMQP);
    let cookie = assert_try_syn(&mut st, &key, f, true);
    let (hello, next) = open_try(&mut st, f, cookie);
    assert_eq!(hello, b"AMQP\x00\x00\x09\x01", "the AMQP try");
    let start = crate::banner::amqp_connection_start();
    st.segment(f, &data(0, next, &start));
    let b = next_banner(&mut st);
    assert_eq!(b.app_proto, app::AMQP);
    assert!(b.banner.starts_with(b"AMQP 0-9, product RabbitMQ"), "{b:?}");
    st.poll(60_000, 1060);
    assert!(sent(&mut st).iter().all(|s| s.0 != SYN));
    assert_eq!(st.counters.reconnects, 1);
}

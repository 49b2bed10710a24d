//! `--identify`'s decisions, sans-IO: which try follows which connection, what each try
//! sends, which parser names its reply, and where `--identify-tries` stops the series.

use super::*;
use crate::banner::{app, Found};
use std::net::Ipv4Addr;

const IP: IpAddr = IpAddr::V4(Ipv4Addr::new(198, 18, 1, 70));
const PORT: u16 = 2206;

fn identify(tries: u8) -> BannerConfig {
    BannerConfig {
        identify: true,
        identify_tries: tries,
        ..BannerConfig::default()
    }
}

/// A try's connection: its hello, then `reply` in one piece (none when empty).
fn try_with(step: Step, cfg: &BannerConfig, reply: &[u8]) -> (Vec<u8>, Session) {
    let mut out = Vec::new();
    let mut s = Session::start_try(step, IP, PORT, cfg, &mut out);
    let hello = out.clone();
    s.data(IP, reply, cfg, &mut out);
    (hello, s)
}

fn found(s: Session, cfg: &BannerConfig) -> Vec<Found> {
    let mut f = Vec::new();
    s.finish(cfg, &mut f);
    f
}

/// The first connection: silent, then the HTTP hello, then `reply`.
fn first(cfg: &BannerConfig, reply: &[u8]) -> Session {
    let mut out = Vec::new();
    let mut s = Session::start(IP, PORT, cfg, &mut out);
    assert!(out.is_empty(), "no hello at connect on {PORT}");
    assert!(s.quiet(IP, cfg, &mut out));
    s.data(IP, reply, cfg, &mut out);
    s
}

#[test]
fn a_silent_first_connection_asks_for_the_tls_try_only_with_identify() {
    let s = first(&identify(3), b"");
    assert_eq!(s.next_try(&identify(3)), Some(NextTry::Identify(Step::Tls)));
    assert_eq!(s.next_try(&identify(1)), Some(NextTry::Identify(Step::Tls)));
    assert_eq!(s.next_try(&identify(0)), None, "--identify-tries 0");
    assert_eq!(s.next_try(&BannerConfig::default()), None, "no --identify");
    assert_eq!(s.silent_waits(&identify(3)), Some(2));
    assert_eq!(s.silent_waits(&BannerConfig::default()), None);
    // An HTTP answer names the port: no try.
    let s = first(&identify(3), b"HTTP/1.0 400 Bad Request\r\n\r\n");
    assert_eq!(s.next_try(&identify(3)), None);
    // A TLS alert asks for the TLS hello.
    let s = first(&identify(3), b"\x15\x03\x01\x00\x02\x02\x32");
    assert_eq!(s.next_try(&identify(3)), Some(NextTry::Identify(Step::Tls)));
}

#[test]
fn each_try_sends_its_hello() {
    let cfg = identify(3);
    let (tls, _) = try_with(Step::Tls, &cfg, b"");
    let mut want = Vec::new();
    Session::start(IP, 443, &BannerConfig::default(), &mut want);
    assert_eq!(tls, want, "the plaintext TLS hello");
    assert_eq!(try_with(Step::Redis, &cfg, b"").0, redis::HELLO);
    assert_eq!(try_with(Step::Mqtt, &cfg, b"").0, mqtt::CONNECT);
    assert_eq!(try_with(Step::Memcached, &cfg, b"").0, b"stats\r\n");
    assert_eq!(
        try_with(Step::Postgres, &cfg, b"").0,
        [0, 0, 0, 8, 4, 0xd2, 0x16, 0x2f],
        "SSLRequest"
    );
    assert_eq!(try_with(Step::Amqp, &cfg, b"").0, b"AMQP\x00\x00\x09\x01");
    for step in SERIES.into_iter().chain([Step::Amqp]) {
        let (_, s) = try_with(step, &cfg, b"");
        assert_eq!(s.silent_waits(&cfg), Some(1), "{step:?}");
        assert!(!s.is_done());
    }
}

/// A try that named nothing (no bytes, or bytes no parser knows) asks for the next, up to the
/// bound; one that named the service asks for none.
#[test]
fn the_series_goes_on_while_nothing_is_named_and_stops_at_the_bound() {
    let junk: &[u8] = b"\x00\x01\x02 what";
    for (step, next) in [
        (Step::Tls, Some(Step::Redis)),
        (Step::Redis, Some(Step::Memcached)),
        (Step::Memcached, Some(Step::Mqtt)),
        (Step::Mqtt, Some(Step::Postgres)),
        (Step::Postgres, None),
    ] {
        for reply in [&b""[..], junk] {
            let (_, s) = try_with(step, &identify(5), reply);
            assert_eq!(
                s.next_try(&identify(5)),
                next.map(NextTry::Identify),
                "{step:?} {reply:02x?}"
            );
            // The bound: no try past --identify-tries.
            assert_eq!(s.next_try(&identify(step.number())), None, "{step:?}");
        }
    }
    assert_eq!(SERIES.map(Step::number), [1, 2, 3, 4, 5]);
    assert_eq!(DEFAULT_TRIES, 5);
    // memcached's answer to every foreign hello (as 1.6.18 gave the TLS, redis and MQTT ones)
    // names nothing: the series goes on.
    for step in [Step::Tls, Step::Redis, Step::Mqtt] {
        let (_, s) = try_with(step, &identify(5), b"ERROR\r\nERROR\r\n");
        assert!(s.next_try(&identify(5)).is_some(), "{step:?}");
    }
    // The AMQP try, outside the series, asks for nothing after it.
    for reply in [&b""[..], junk, b"AMQP\x00\x01\x00\x00"] {
        let (_, s) = try_with(Step::Amqp, &identify(5), reply);
        assert_eq!(s.next_try(&identify(5)), None, "{reply:02x?}");
    }
    assert_eq!(Step::Amqp.number(), 0);
}

#[test]
fn a_redis_reply_to_the_redis_try_is_named_redis() {
    let cfg = identify(3);
    for (reply, want) in [
        (
            &b"-NOAUTH Authentication required.\r\n"[..],
            "-NOAUTH Authentication required. (auth required)",
        ),
        (
            b"$34\r\n# Server\r\nredis_version:7.0.15\r\n\r\n",
            "redis_version:7.0.15",
        ),
        (b"-ERR unknown command\r\n", "-ERR unknown command"),
    ] {
        let (_, s) = try_with(Step::Redis, &cfg, reply);
        assert!(s.is_done(), "{reply:02x?}");
        assert_eq!(s.next_try(&cfg), None);
        assert_eq!(found(s, &cfg), [Found::new(app::REDIS, want)]);
    }
}

#[test]
fn an_mqtt_reply_to_the_mqtt_try_is_named_mqtt() {
    let cfg = identify(3);
    for (reply, want) in [
        (
            &b"\x20\x02\x00\x00"[..],
            "CONNACK accepted (0): open, no authentication; session present no",
        ),
        (
            b"\x20\x02\x00\x05",
            "CONNACK not authorized (5): authentication required; session present no",
        ),
    ] {
        let (_, s) = try_with(Step::Mqtt, &cfg, reply);
        assert!(s.is_done());
        assert_eq!(s.next_try(&cfg), None);
        assert_eq!(found(s, &cfg), [Found::new(app::MQTT, want)]);
    }
}

#[test]
fn a_memcached_reply_to_the_memcached_try_is_named_memcached() {
    let cfg = identify(5);
    let stats = b"STAT pid 7075\r\nSTAT uptime 28\r\nSTAT time 1765150000\r\n\
STAT version 1.6.18\r\nSTAT libevent 2.1.12-stable\r\nEND\r\n";
    let (_, s) = try_with(Step::Memcached, &cfg, stats);
    assert!(s.is_done());
    assert_eq!(s.next_try(&cfg), None);
    assert_eq!(
        found(s, &cfg),
        [Found::new(
            app::MEMCACHED,
            "uptime=28 time=1765150000 version=1.6.18 "
        )]
    );
    // Not memcached's answer: the series goes on.
    let (_, s) = try_with(Step::Memcached, &cfg, b"ERROR\r\n");
    assert_eq!(s.next_try(&cfg), Some(NextTry::Identify(Step::Mqtt)));
}

#[test]
fn a_postgresql_answer_to_the_ssl_request_is_named_postgresql() {
    let cfg = identify(5);
    // `N`: the StartupMessage for 255.255 follows on the same connection.
    let mut out = Vec::new();
    let mut s = Session::start_try(Step::Postgres, IP, PORT, &cfg, &mut out);
    out.clear();
    s.data(IP, b"N", &cfg, &mut out);
    assert_eq!(out, postgres::STARTUP_255);
    s.data(IP, PG_ERROR, &cfg, &mut out);
    assert!(s.is_done());
    assert_eq!(s.next_try(&cfg), None);
    let f = found(s, &cfg);
    assert_eq!(f[0].app, app::POSTGRES);
    assert!(
        f[0].text
            .starts_with(b"TLS not offered (N), protocol 3.0 to 3.0, error FATAL 0A000"),
        "{f:?}"
    );
    // `S`: the TLS hello follows.
    let mut out = Vec::new();
    let mut s = Session::start_try(Step::Postgres, IP, PORT, &cfg, &mut out);
    out.clear();
    s.data(IP, b"S", &cfg, &mut out);
    assert_eq!(out.first(), Some(&0x16), "a ClientHello");
    assert_eq!(
        found(s, &cfg)[0],
        Found::new(app::POSTGRES, "TLS offered (S)")
    );
    // Text starting with N, S or E is no answer to it: not PostgreSQL.
    for reply in [&b"No.\r\n"[..], b"Sorry\r\n", b"ERROR\r\n"] {
        let (_, s) = try_with(Step::Postgres, &cfg, reply);
        let f = found(s, &cfg);
        assert!(
            f.iter().all(|f| f.app != app::POSTGRES),
            "{reply:02x?} {f:?}"
        );
    }
}

/// PostgreSQL 15's ErrorResponse to a StartupMessage for protocol 255.255 (as the lab's gave).
const PG_ERROR: &[u8] = b"E\x00\x00\x00\x87SFATAL\x00VFATAL\x00C0A000\x00\
Munsupported frontend protocol 255.255: server supports 3.0 to 3.0\x00\
Fpostmaster.c\x00L2185\x00RProcessStartupPacket\x00\x00";

/// An AMQP broker's protocol header, whatever hello it answers (the HTTP one of a first
/// connection, a try's), names the port `amqp` and asks for the AMQP try; its Connection.Start
/// names product and version. A port's own AMQP hello answered so asks for nothing more.
#[test]
fn an_amqp_protocol_header_asks_for_the_amqp_try() {
    let cfg = identify(5);
    let header = b"AMQP\x00\x00\x09\x01";
    let s = first(&cfg, header);
    assert_eq!(s.next_try(&cfg), Some(NextTry::Identify(Step::Amqp)));
    assert_eq!(
        s.next_try(&identify(1)),
        Some(NextTry::Identify(Step::Amqp))
    );
    assert_eq!(s.next_try(&identify(0)), None);
    assert_eq!(s.next_try(&BannerConfig::default()), None);
    assert_eq!(found(s, &cfg)[0].app, app::AMQP);
    for step in SERIES {
        let (_, s) = try_with(step, &cfg, header);
        assert_eq!(
            s.next_try(&cfg),
            Some(NextTry::Identify(Step::Amqp)),
            "{step:?}"
        );
    }
    let (_, s) = try_with(Step::Amqp, &cfg, &amqp::tests::connection_start());
    assert_eq!(s.next_try(&cfg), None);
    let f = found(s, &cfg);
    assert_eq!(f[0].app, app::AMQP);
    assert!(
        f[0].text
            .starts_with(b"AMQP 0-9, product RabbitMQ, version 3.10.8"),
        "{f:?}"
    );
    // On AMQP's own port its hello was the header already: no try.
    let mut out = Vec::new();
    let mut s = Session::start(IP, 5672, &cfg, &mut out);
    assert_eq!(out, header);
    s.data(IP, b"AMQP\x00\x01\x00\x00", &cfg, &mut out);
    assert_eq!(s.next_try(&cfg), None);
    assert_eq!(found(s, &cfg)[0].app, app::AMQP);
}

/// The reply's parser decides the name, not the try: an HTTP server answering redis's hello
/// is `http`, a `-ERR` line answering MQTT's is `redis`, and an SSH greeting is `ssh` on any.
#[test]
fn whatever_parser_names_the_reply_decides_the_name() {
    let cfg = identify(3);
    let http = b"HTTP/1.1 400 Bad Request\r\nServer: x\r\n\r\n";
    let (_, s) = try_with(Step::Redis, &cfg, http);
    assert_eq!(s.next_try(&cfg), None);
    assert!(found(s, &cfg).iter().any(|f| f.app == app::HTTP));
    let (_, s) = try_with(Step::Mqtt, &cfg, b"-ERR unknown command '\x10\x16'\r\n");
    assert_eq!(found(s, &cfg)[0].app, app::REDIS);
    for step in SERIES {
        let (_, s) = try_with(step, &cfg, b"SSH-2.0-OpenSSH_9.2\r\n");
        assert_eq!(found(s, &cfg)[0].app, app::SSH2, "{step:?}");
    }
    // A CONNACK's first byte answering redis's hello is not redis: raw, and the series goes on.
    let (_, s) = try_with(Step::Redis, &cfg, b"\x20\x02\x00\x00");
    assert_eq!(s.next_try(&cfg), Some(NextTry::Identify(Step::Memcached)));
}

/// Every try's reply, real-shaped, cut at every byte and in every split: no panic, and the
/// name is the protocol's as soon as its first byte is in.
#[test]
fn replies_cut_anywhere_are_safe() {
    let cfg = identify(3);
    let redis_info = b"$34\r\n# Server\r\nredis_version:7.0.15\r\n\r\n";
    let mqtt5 = b"\x20\x09\x00\x00\x06\x22\x00\x0a\x21\x00\x14";
    let start = amqp::tests::connection_start();
    // (step, reply, name, bytes the first piece needs to name it).
    for (step, reply, app, least) in [
        (Step::Memcached, MEMCACHED_STATS, app::MEMCACHED, 5),
        (Step::Postgres, b"N", app::POSTGRES, 1),
        (Step::Postgres, b"S", app::POSTGRES, 1),
        (Step::Postgres, b"E\0\0\0\x08SF\0\0", app::POSTGRES, 3),
        (Step::Amqp, &start[..], app::AMQP, 1),
        (Step::Tls, b"AMQP\x00\x00\x09\x01", app::AMQP, 8),
    ] {
        for cut in 1..=reply.len() {
            for split in 0..cut {
                let mut out = Vec::new();
                let mut s = Session::start_try(step, IP, PORT, &cfg, &mut out);
                s.data(IP, &reply[..split], &cfg, &mut out);
                s.data(IP, &reply[split..cut], &cfg, &mut out);
                let _ = s.next_try(&cfg);
                let first = if split == 0 { cut } else { split };
                let f = found(s, &cfg);
                if first >= least {
                    assert_eq!(f[0].app, app, "{step:?} {cut} {split} {f:?}");
                }
            }
        }
    }
    for (step, reply, app) in [
        (Step::Redis, &redis_info[..], app::REDIS),
        (
            Step::Redis,
            b"-DENIED Redis is running in protected mode\r\n",
            app::REDIS,
        ),
        (Step::Mqtt, &mqtt5[..], app::MQTT),
        (Step::Mqtt, b"\xe0\x01\x8c", app::MQTT),
    ] {
        for cut in 1..=reply.len() {
            for split in 0..cut {
                let mut out = Vec::new();
                let mut s = Session::start_try(step, IP, PORT, &cfg, &mut out);
                s.data(IP, &reply[..split], &cfg, &mut out);
                s.data(IP, &reply[split..cut], &cfg, &mut out);
                let f = found(s, &cfg);
                assert_eq!(f.len(), 1, "{step:?} {cut} {split}");
                assert_eq!(f[0].app, app, "{step:?} {cut} {split}");
            }
        }
    }
}

/// memcached 1.6's `stats` answer, its first lines.
const MEMCACHED_STATS: &[u8] = b"STAT pid 7075\r\nSTAT uptime 28\r\nSTAT version 1.6.18\r\nEND\r\n";

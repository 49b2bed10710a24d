//! Fuzzing harnesses, one per parser of untrusted input. Each takes arbitrary bytes and must
//! return without panicking; the property each checks beyond that is asserted inside (a panic is
//! a finding). The same functions run three ways: under AFL (`src/bin/`, feature `afl`, driven by
//! `scripts/fuzz.sh`), and from `cargo test` over the seed corpora in `corpus/` and every input
//! that ever crashed a harness in `crashes/` (tests/replay.rs).
//!
//! The harnesses are deterministic: the same bytes take the same path (no clock, no randomness),
//! so AFL's stability stays high and a crash replays.

#![forbid(unsafe_code)]

use masscan_engine::banner::identify::{Step, SERIES};
use masscan_engine::banner::{BannerConfig, Found, Session};
use masscan_engine::classify::{Classifier, ClassifierConfig, MAX_ANSWER};
use masscan_engine::config::{
    parse_conf, parse_cpu_list, parse_duration_spec, parse_size_spec, Mac,
};
use masscan_engine::cookie::CookieKey;
use masscan_engine::frame::{fold, sum_words, Flow, Link};
use masscan_engine::output::binary::BinaryReader;
use masscan_engine::plan::ports::PortSetBuilder;
use masscan_engine::plan::source::{IpRange, PortRange};
use masscan_engine::plan::targets::{parse_range, TargetSetBuilder};
use masscan_engine::plan::Shard;
use masscan_engine::tcp::{Segment, Stack, TcpConfig, ACK, SYN};
use masscan_test_support::packets::SCANNER_MAC;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, OnceLock};

/// Ports a banner session may be on: each client-first protocol's, server-first ones, and an
/// unknown one (where the server's first bytes choose the parser).
const PORTS: [u16; 41] = [
    21, 22, 23, 25, 80, 110, 143, 443, 445, 3389, 5900, 11211, 8080, 7777, 8531, 993,
    // The original's hellos, part A: X11, Java RMI, Kerberos, MongoDB, DICOM, LDAP, SIP, RTSP, RPC.
    6000, 1099, 88, 27017, 104, 389, 5060, 554, 111,
    // Part B: DNS, SMB over NetBIOS, AFP, Notes RPC, MS-SQL, Docker, redis, Minecraft.
    53, 139, 548, 1352, 1433, 2375, 6379, 25565,
    // ZGrab2's depth: PostgreSQL, MQTT, AMQP, Modbus (MySQL speaks first: any port).
    5432, 1883, 5672,
    502, // DNP3 (20000); industrial: EtherNet/IP, Niagara Fox, Siemens S7comm.
    20000, 44818, 1911, 102,
];
/// Byte 0's pick (low 7 bits) of the rustls handshake; any other pick is a port of [`PORTS`]
/// or one of [`TRIES`].
const RUSTLS: usize = 0x7f;
/// Byte 0's picks (low 7 bits) of `--identify`'s tries on an unexpected port, from this one
/// on: [`TRY_PICKS`].
const TRIES: usize = 0x79;
/// The tries those picks make (TLS, redis and MQTT kept at 0x7c-0x7e, as the seeds have them).
const TRY_PICKS: [Step; 6] = [
    Step::Memcached,
    Step::Postgres,
    Step::Amqp,
    Step::Tls,
    Step::Redis,
    Step::Mqtt,
];
const THEM: IpAddr = IpAddr::V4(Ipv4Addr::new(198, 18, 1, 1));
const ME: Ipv4Addr = Ipv4Addr::new(198, 18, 0, 2);
/// Our IPv6 address in the receive harness, for which it answers Neighbor Solicitations.
const ME6: Ipv6Addr = Ipv6Addr::new(0x2001, 2, 0, 0, 0, 0, 0, 2);
const PORT_ME: u16 = 40000;
const MAX_BYTES: usize = 2048;

/// One banner configuration for every run (rustls' client config is costly to build).
fn banner_config() -> &'static BannerConfig {
    static CFG: OnceLock<BannerConfig> = OnceLock::new();
    CFG.get_or_init(|| {
        let mut c = BannerConfig::default();
        c.max_bytes = MAX_BYTES;
        c.capture_html = true;
        c.identify = true;
        c
    })
}

/// The configuration of `--heartbleed --capture heartbleed` (its bit in byte 0).
fn heartbleed_config() -> &'static BannerConfig {
    static CFG: OnceLock<BannerConfig> = OnceLock::new();
    CFG.get_or_init(|| {
        let mut c = banner_config().clone();
        c.heartbleed = true;
        c.capture_heartbleed = true;
        c.capture_cert = false;
        c
    })
}

/// A banner session: byte 0 picks the port ([`RUSTLS`]: the rustls handshake of a second
/// connection to a TLS 1.3-only server, on 443; [`TRIES`] on: a try of `--identify`'s series on
/// 7777) and with its top bit the `--heartbleed` configuration, byte 1 the chunk size; the rest
/// is the server's bytes in chunks, then the quiet-server probe, the next try asked for, and
/// the end. What is kept stays bounded.
pub fn banner(data: &[u8]) {
    let [p, chunk, rest @ ..] = data else { return };
    let cfg = match p & 0x80 {
        0 => banner_config(),
        _ => heartbleed_config(),
    };
    let pick = usize::from(p & 0x7f);
    let mut sent = Vec::new();
    let mut s = match pick {
        RUSTLS => Session::start_rustls(THEM, 443, cfg, &mut sent),
        TRIES.. => Session::start_try(TRY_PICKS[pick - TRIES], THEM, 7777, cfg, &mut sent),
        _ => Session::start(THEM, PORTS[pick % PORTS.len()], cfg, &mut sent),
    };
    for c in rest.chunks(usize::from(*chunk).max(1)) {
        if s.is_done() {
            break;
        }
        s.data(THEM, c, cfg, &mut sent);
    }
    let _ = s.quiet(THEM, cfg, &mut sent);
    assert!(s.received() <= rest.len());
    if let Some(masscan_engine::banner::NextTry::Identify(step)) = s.next_try(cfg) {
        // The series only goes forward, and never past its end; the AMQP try never follows
        // itself.
        assert!(
            step != Step::Tls || pick < TRIES,
            "{step:?} after try {pick}"
        );
        assert!(step.number() <= SERIES.len() as u8);
        let from = (TRIES..RUSTLS)
            .contains(&pick)
            .then(|| TRY_PICKS[pick - TRIES]);
        assert!(step != Step::Amqp || from != Some(Step::Amqp));
        if let (Some(from), true) = (from, step != Step::Amqp) {
            assert!(step.number() > from.number(), "{step:?} after {from:?}");
        }
    }
    let _ = s.silent_waits(cfg);
    let received = s.received();
    let mut found: Vec<Found> = Vec::new();
    s.finish(cfg, &mut found);
    let total: usize = found.iter().map(|f| f.text.len()).sum();
    // Banners are made of at most the kept bytes (plus labels and base64 of certificates; a
    // TLS connection may keep a whole certificate chain past MAX_BYTES).
    let kept = received.max(MAX_BYTES);
    assert!(total <= 4 * kept + 1024, "banners of {total} bytes");
}

fn tcp_config() -> TcpConfig {
    TcpConfig {
        link: Link {
            ttl: 64,
            ..Link::new(SCANNER_MAC)
        },
        hello_wait_ms: 2000,
        timeout_ms: 30_000,
        max_connections: 4,
        banners: Arc::new(banner_config().clone()),
        wscale: None,
    }
}

/// Reads `n` bytes off the front of `data`.
fn take<'a>(data: &mut &'a [u8], n: usize) -> &'a [u8] {
    let n = n.min(data.len());
    let (head, tail) = data.split_at(n);
    *data = tail;
    head
}

fn byte(data: &mut &[u8]) -> u8 {
    take(data, 1).first().copied().unwrap_or(0)
}

fn u32_of(data: &mut &[u8]) -> u32 {
    let b = take(data, 4);
    let mut w = [0u8; 4];
    w[..b.len()].copy_from_slice(b);
    u32::from_be_bytes(w)
}

/// The TCP stack: a sequence of operations read from the bytes (open a connection, a segment
/// with arbitrary flags, numbers and payload, the clock jumping), every frame it queues written
/// out; the table never exceeds its cap and ends empty.
pub fn tcp(mut data: &[u8]) {
    let mut st = Stack::new(tcp_config(), &CookieKey::from_seed(0));
    let mut now = 1u64;
    let mut frame = [0u8; 2048];
    st.poll(now, 1);
    while !data.is_empty() {
        let op = byte(&mut data);
        let port = PORTS[usize::from(op >> 4) % PORTS.len()];
        let flow = Flow {
            them: THEM,
            me: IpAddr::V4(ME),
            port_them: port,
            port_me: PORT_ME,
        };
        match op & 3 {
            0 => {
                let seg = Segment {
                    flags: SYN | ACK,
                    seq: u32_of(&mut data),
                    ack: u32_of(&mut data),
                    payload: &[],
                };
                st.open(
                    flow,
                    [2, 0, 0, 0, 0, 1],
                    64,
                    &seg,
                    Some(u16::from(byte(&mut data)) * 8),
                );
            }
            1 | 2 => {
                let flags = byte(&mut data);
                let (seq, ack) = (u32_of(&mut data), u32_of(&mut data));
                let len = usize::from(byte(&mut data));
                let payload = take(&mut data, len);
                st.segment(
                    flow,
                    &Segment {
                        flags,
                        seq,
                        ack,
                        payload,
                    },
                );
            }
            _ => {
                now += u64::from(byte(&mut data)) * 100;
                st.poll(now, (now / 1000) as u32);
            }
        }
        assert!(st.active() <= 4);
        while st.poll_transmit(&mut frame).is_some() {}
        while st.poll_record().is_some() {}
    }
    st.close_all();
    assert_eq!(st.active(), 0);
    while st.poll_transmit(&mut frame).is_some() {}
}

/// A raw IP scan of every protocol, so frames of any protocol and ICMP errors quoting any
/// packet reach the raw IP kind's readers.
fn every_ip_protocol() -> masscan_engine::probe::raw_ip::RawProtos {
    let mut set = masscan_engine::probe::raw_ip::RawProtos::default();
    for p in 0..=255u8 {
        set.insert(p);
    }
    set
}

/// The receive harness's source: [`ME`] and [`ME6`], port [`PORT_ME`].
fn dual_source() -> masscan_engine::plan::source::Source {
    masscan_engine::plan::source::Source::new(
        Some(IpRange::V4 {
            first: u32::from(ME),
            count: 1,
        }),
        Some(IpRange::V6 {
            first: u128::from(ME6),
            count: 1,
        }),
        PortRange {
            first: PORT_ME,
            count: 1,
        },
    )
}

/// The receive path with banners on: each frame is a length byte and that many bytes, the
/// first bytes of a valid reply (Ethernet + IPv4 + TCP to our address and port, with the SYN-ACK
/// acknowledging our cookie when the op says so) completed by the fuzzer's bytes, so that both
/// the parser and the states past the cookie check are reached.
pub fn receive(mut data: &[u8]) {
    let key = CookieKey::from_seed(1);
    let mut r = Classifier::new(ClassifierConfig {
        link: Link::new(SCANNER_MAC),
        answer_arp: true,
        answer_nd: true,
        report_closed: true,
        banners: Some(tcp_config()),
        raw_protos: every_ip_protocol(),
        // Three probes per target and the coverage estimate's capture histories kept.
        attempts: 3,
        capture_buckets: Some(64),
        ..ClassifierConfig::new(key, dual_source())
    });
    let mut reply = [0u8; 1600];
    debug_assert!(MAX_ANSWER <= reply.len());
    let mut frame = [0u8; 1600];
    let mut now = 0u64;
    while !data.is_empty() {
        let op = byte(&mut data);
        let len = usize::from(byte(&mut data)) * 4;
        let body = take(&mut data, len);
        let n = if op & 1 == 0 {
            frame[..body.len()].copy_from_slice(body);
            body.len()
        } else {
            reply_frame(&key, op, body, &mut frame)
        };
        let o = r.handle(&frame[..n], (now / 1000) as u32, &mut reply);
        assert!(o.answer_len <= reply.len());
        let answer = &reply[..o.answer_len];
        // A Neighbor Advertisement is only ever sent for our own IPv6 address.
        if answer.get(12..14) == Some(&[0x86, 0xdd]) && answer.get(54) == Some(&136) {
            assert_eq!(answer[22..38], ME6.octets());
        }
        now += u64::from(op >> 5) * 250;
        r.tick(now, (now / 1000) as u32);
        while r.poll_transmit(&mut reply).is_some() {}
        while r.poll_record().is_some() {}
    }
    r.close_connections();
    while r.poll_transmit(&mut reply).is_some() {}
}

/// A TCP reply to us from THEM: port from `op`, flags and the acknowledgement (our cookie + 1
/// when bit 1 of `op` is set) from it too, `body` as options-free payload.
fn reply_frame(key: &CookieKey, op: u8, body: &[u8], out: &mut [u8]) -> usize {
    let port = PORTS[usize::from(op >> 2) % PORTS.len()];
    let IpAddr::V4(them) = THEM else { return 0 };
    let cookie = key.v4(u32::from(them), u32::from(ME), port, PORT_ME) as u32;
    let (flags, seq_ack) = if op & 2 != 0 {
        (0x12u8, cookie.wrapping_add(1))
    } else {
        (0x18u8, cookie.wrapping_add(1).wrapping_add(u32::from(op)))
    };
    let payload = &body[..body.len().min(1400)];
    let total = 20 + 20 + payload.len();
    let f = &mut out[..14 + total];
    f[..14].copy_from_slice(&[2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00]);
    let ip = &mut f[14..34];
    ip.copy_from_slice(&[
        0x45, 0, 0, 0, 0, 0, 0, 0, 64, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ]);
    ip[2..4].copy_from_slice(&(total as u16).to_be_bytes());
    ip[12..16].copy_from_slice(&them.octets());
    ip[16..20].copy_from_slice(&ME.octets());
    let tcp = &mut f[34..54];
    tcp.fill(0);
    tcp[0..2].copy_from_slice(&port.to_be_bytes());
    tcp[2..4].copy_from_slice(&PORT_ME.to_be_bytes());
    tcp[4..8].copy_from_slice(&1000u32.to_be_bytes());
    tcp[8..12].copy_from_slice(&seq_ack.to_be_bytes());
    tcp[12] = 5 << 4;
    tcp[13] = flags;
    tcp[14..16].copy_from_slice(&8192u16.to_be_bytes());
    f[54..].copy_from_slice(payload);
    // A valid checksum, or the receive path drops the segment before the stack sees it.
    let sum = 6 + (total as u64 - 20) + sum_words(&f[26..34]) + sum_words(&f[34..]);
    f[50..52].copy_from_slice(&(!fold(sum)).to_be_bytes());
    14 + total
}

/// The `-oB` reader: every record until the end or the first damage, at most a bounded number.
pub fn binary(data: &[u8]) {
    let Ok(mut r) = BinaryReader::new(data) else {
        return;
    };
    for _ in 0..100_000 {
        match r.next_record() {
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => return,
        }
    }
}

/// Config files and paused.conf.
pub fn config(data: &[u8]) {
    let _ = parse_conf(&String::from_utf8_lossy(data), "fuzz.conf");
}

/// UDP ports whose replies have a parser, and one without.
const UDP_PORTS: [u16; 11] = [53, 123, 137, 161, 500, 1900, 5683, 11211, 7, 9999, 47808];

/// A UDP reply: byte 0 picks the port it came from, the rest is the datagram's payload, read
/// by that port's parser (and every payload's cookie field). The banner stays bounded.
pub fn udp(data: &[u8]) {
    let [p, rest @ ..] = data else { return };
    let port = UDP_PORTS[usize::from(*p) % UDP_PORTS.len()];
    if let Some(f) = masscan_engine::udp::banner(port, rest, p & 0x80 != 0) {
        assert!(
            f.text.len() <= 16 * rest.len() + 64,
            "banner grew: {}",
            f.text.len()
        );
    }
    for port in UDP_PORTS {
        if let Some(c) = masscan_engine::udp::payloads::builtin_cookie(port) {
            let _ = c.read_back(rest);
        }
    }
}

/// A UDP payload file: byte 0 even reads the rest as nmap-payloads text, odd as a pcap file.
/// Every payload that parses fits in a frame.
pub fn payload_files(data: &[u8]) {
    use masscan_engine::udp::payload_files::{nmap_payloads, pcap_payloads, MAX_PAYLOAD};
    let [kind, rest @ ..] = data else { return };
    let parsed = if kind & 1 == 0 {
        nmap_payloads(&String::from_utf8_lossy(rest), "fuzz")
    } else {
        pcap_payloads(rest, "fuzz")
    };
    if let Ok(p) = parsed {
        assert!(p.iter().all(|x| x.bytes.len() <= MAX_PAYLOAD));
    }
}

/// Target ranges, port lists (which must round-trip through their spec), shards, source
/// ranges, MACs, durations, sizes and CPU lists.
pub fn specs(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    let _ = parse_range(&s);
    let mut t = TargetSetBuilder::new();
    let _ = t.add_targets(&s);
    let _ = t.add_excludes(&s);
    let _ = t.build();
    let mut p = PortSetBuilder::new();
    if p.add_spec(&s).is_ok() {
        let ports = p.build();
        let mut again = PortSetBuilder::new();
        again
            .add_spec(&ports.to_spec())
            .expect("a port set's spec parses");
        assert_eq!(again.build(), ports, "the spec round-trips");
    }
    let _ = Shard::parse(&s);
    let _ = PortRange::parse(&s);
    let _ = IpRange::parse(&s);
    let _ = s.parse::<Mac>();
    let _ = parse_duration_spec(&s);
    let _ = parse_size_spec(&s);
    let _ = parse_cpu_list(&s);
}

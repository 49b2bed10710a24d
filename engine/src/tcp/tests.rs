use super::*;
use crate::cookie::CookieKey;
use crate::output::BannerRecord;
use etherparse::{SlicedPacket, TransportSlice};
use std::net::{IpAddr, Ipv4Addr};

const MY_MAC: [u8; 6] = [2, 0, 0, 0, 0, 2];
const PEER_MAC: [u8; 6] = [2, 0, 0, 0, 0, 1];
const SERVER_ISN: u32 = 1_000_000;
const OUR_ISN: u32 = 0xffff_fff0; // wraps during the test

fn stack(max: usize) -> Stack {
    keyed_stack(max, &CookieKey::from_seed(1))
}

fn keyed_stack(max: usize, key: &CookieKey) -> Stack {
    Stack::new(
        TcpConfig {
            link: Link::new(MY_MAC),
            hello_wait_ms: 2000,
            timeout_ms: 30_000,
            max_connections: max,
            banners: Arc::new(BannerConfig::default()),
            wscale: None,
        },
        key,
    )
}

fn flow(port: u16) -> Flow {
    Flow {
        them: IpAddr::V4(Ipv4Addr::new(198, 18, 1, 1)),
        me: IpAddr::V4(Ipv4Addr::new(198, 18, 0, 2)),
        port_them: port,
        port_me: 61440,
    }
}

/// (flags, seq, ack, payload) of each frame the stack queued, written out through
/// `poll_transmit` (which empties the queue).
fn sent(st: &mut Stack) -> Vec<(u8, u32, u32, Vec<u8>)> {
    let mut frames = Vec::new();
    let mut buf = [0u8; 1600];
    while let Some(n) = st.poll_transmit(&mut buf) {
        frames.push(buf[..n].to_vec());
    }
    assert_eq!(st.pending_transmit(), 0);
    frames
        .into_iter()
        .map(|f| {
            assert_eq!(&f[..6], &PEER_MAC);
            let p = SlicedPacket::from_ethernet(&f).unwrap();
            let Some(TransportSlice::Tcp(t)) = p.transport else {
                panic!("not TCP")
            };
            assert_eq!(t.source_port(), 61440);
            (
                t.slice()[13],
                t.sequence_number(),
                t.acknowledgment_number(),
                t.payload().to_vec(),
            )
        })
        .collect()
}

fn syn_ack() -> Segment<'static> {
    Segment {
        flags: SYN | ACK,
        seq: SERVER_ISN,
        ack: OUR_ISN,
        payload: &[],
    }
}

fn data(seq_off: u32, ack: u32, payload: &[u8]) -> Segment<'_> {
    Segment {
        flags: ACK | PSH,
        seq: SERVER_ISN.wrapping_add(1).wrapping_add(seq_off),
        ack,
        payload,
    }
}

#[test]
fn http_connection_from_syn_ack_to_banner_and_reset() {
    let mut st = stack(10);
    st.poll(5_000, 1000);
    assert!(st.open(flow(80), PEER_MAC, 64, &syn_ack(), Some(1460)));
    let out = sent(&mut st);
    assert_eq!(out.len(), 1, "the hello rides on the handshake's ACK");
    let (flags, seq, ack, hello) = &out[0];
    assert_eq!(*flags, ACK | PSH);
    assert_eq!((*seq, *ack), (OUR_ISN, SERVER_ISN + 1));
    assert!(hello.starts_with(b"GET / HTTP/1.0\r\n"));
    let our_next = OUR_ISN.wrapping_add(hello.len() as u32);

    // Out of order: a duplicate ACK, nothing kept.
    st.segment(flow(80), &data(10, our_next, b"later"));
    assert_eq!(sent(&mut st), vec![(ACK, our_next, SERVER_ISN + 1, vec![])]);
    // In order, in two pieces; the first is acknowledged.
    let head = b"HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\n\r\n";
    st.segment(flow(80), &data(0, our_next, head));
    let end = SERVER_ISN + 1 + head.len() as u32;
    assert_eq!(sent(&mut st), vec![(ACK, our_next, end, vec![])]);
    // A retransmission overlapping what we have: only the new part counts.
    let mut again = head[head.len() - 4..].to_vec();
    again.extend_from_slice(b"<title>lab</title>");
    st.segment(flow(80), &data(head.len() as u32 - 4, our_next, &again));
    // The title completes the banner: the connection ends with a RST.
    let out = sent(&mut st);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].0, RST | ACK);
    assert_eq!(out[0].1, our_next);
    assert_eq!(st.active(), 0);
    let names: Vec<(u16, Vec<u8>)> = st
        .records
        .iter()
        .map(|r| match r {
            Record::Banner(BannerRecord {
                app_proto,
                banner,
                time,
                port,
                ttl,
                ..
            }) => {
                assert_eq!((*time, *port, *ttl), (1000, 80, 64));
                (*app_proto, banner.clone())
            }
            _ => panic!("status record"),
        })
        .collect();
    assert!(names.contains(&(crate::banner::app::HTTP_SERVER, b"nginx/1.22.1".to_vec())));
    assert!(names.contains(&(crate::banner::app::TITLE, b"lab".to_vec())));
    assert_eq!(st.counters.banners, names.len() as u64);
}

#[test]
fn hello_is_retransmitted_until_acknowledged_then_given_up() {
    let mut st = stack(10);
    st.poll(1_000, 1);
    st.open(flow(80), PEER_MAC, 64, &syn_ack(), None);
    let first = sent(&mut st);
    st.poll(1_500, 1);
    assert!(sent(&mut st).is_empty());
    st.poll(2_020, 1);
    let again = sent(&mut st);
    assert_eq!(again, first, "same bytes, same sequence number");
    // Backoff: 2 s, then 4 s; then the connection is given up with a RST.
    st.poll(3_100, 1);
    assert!(sent(&mut st).is_empty());
    st.poll(4_100, 1);
    assert_eq!(sent(&mut st).len(), 1);
    st.poll(8_200, 1);
    assert_eq!(sent(&mut st).len(), 1);
    st.poll(16_300, 1);
    let out = sent(&mut st);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].0, RST | ACK);
    assert_eq!(st.active(), 0);
    assert_eq!(st.counters.retransmits, 3);
}

#[test]
fn a_quiet_server_gets_the_probe_on_time_without_any_packet_arriving() {
    let mut st = stack(10);
    st.poll(10_000, 1);
    st.open(flow(7777), PEER_MAC, 64, &syn_ack(), None);
    assert_eq!(
        sent(&mut st)[0].0,
        ACK,
        "a bare ACK: the server may speak first"
    );
    st.poll(11_990, 1);
    assert!(sent(&mut st).is_empty());
    st.poll(12_020, 1);
    let out = sent(&mut st);
    assert_eq!(out.len(), 1);
    assert!(out[0].3.starts_with(b"GET / "));
}

#[test]
fn server_first_banner_then_idle_close_and_server_fin() {
    let mut st = stack(10);
    st.poll(0, 1);
    st.open(flow(2222), PEER_MAC, 64, &syn_ack(), None);
    sent(&mut st);
    st.segment(flow(2222), &data(0, OUR_ISN, b"SSH-2.0-OpenSSH_9.2\r\n"));
    // SSH is complete after one line.
    assert_eq!(sent(&mut st).last().unwrap().0, RST | ACK);
    assert_eq!(st.records.len(), 1);

    // A telnet-like server that never shows a prompt: closed after the hello wait of silence.
    st.open(flow(23), PEER_MAC, 64, &syn_ack(), None);
    sent(&mut st);
    st.poll(500, 1);
    st.segment(flow(23), &data(0, OUR_ISN, b"\xff\xfd\x01welcome"));
    let out = sent(&mut st);
    assert_eq!(out[0].3, b"\xff\xfc\x01", "the option refused");
    st.segment(flow(23), &data(10, OUR_ISN.wrapping_add(3), b""));
    st.poll(2_400, 1);
    assert_eq!(st.active(), 1);
    st.poll(2_600, 1);
    assert_eq!(st.active(), 0);

    // FIN from the server ends the connection at once.
    st.open(flow(21), PEER_MAC, 64, &syn_ack(), None);
    sent(&mut st);
    let fin = Segment {
        flags: ACK | FIN,
        ..data(0, OUR_ISN, b"220 ")
    };
    st.segment(flow(21), &fin);
    let out = sent(&mut st);
    assert_eq!(out.last().unwrap().0, RST | ACK);
    assert_eq!(out.last().unwrap().2, SERVER_ISN + 1 + 4 + 1);
    assert_eq!(st.active(), 0);
}

/// Regression: any host could abort the scan by answering with a cut VNC greeting and a FIN
/// (the VNC parser sliced past its buffer). The connection now ends with a RST and a banner.
#[test]
fn a_cut_vnc_greeting_and_fin_end_the_connection_with_a_banner() {
    let mut st = stack(10);
    st.poll(0, 1);
    st.open(flow(7777), PEER_MAC, 64, &syn_ack(), None);
    sent(&mut st);
    let fin = Segment {
        flags: ACK | FIN | PSH,
        ..data(0, OUR_ISN, b"RFB 003.008")
    };
    st.segment(flow(7777), &fin);
    assert_eq!(sent(&mut st).last().unwrap().0, RST | ACK);
    assert_eq!(st.active(), 0);
    let vnc = st.records.iter().any(|r| {
        matches!(r, Record::Banner(BannerRecord { app_proto, banner, .. })
            if *app_proto == crate::banner::app::VNC && banner.as_slice() == b"RFB 003.008")
    });
    assert!(vnc, "{:?}", st.records);
}

#[test]
fn the_table_is_capped_and_close_all_reports_everything() {
    let mut st = stack(2);
    st.poll(0, 1);
    assert!(st.open(flow(1), PEER_MAC, 64, &syn_ack(), None));
    assert!(st.open(flow(2), PEER_MAC, 64, &syn_ack(), None));
    assert!(!st.open(flow(3), PEER_MAC, 64, &syn_ack(), None));
    assert_eq!(st.counters.refused, 1);
    st.segment(flow(1), &data(0, OUR_ISN, b"hello"));
    sent(&mut st);
    st.close_all();
    assert_eq!(st.active(), 0);
    assert_eq!(sent(&mut st).len(), 2, "a RST each");
    assert_eq!(st.records.len(), 1, "the one that said something");
    assert_eq!(st.counters.peak, 2);
}

#[test]
fn connection_timeout_bounds_a_trickling_server() {
    let mut st = stack(10);
    st.poll(0, 1);
    st.open(flow(2000), PEER_MAC, 64, &syn_ack(), None);
    sent(&mut st);
    // One byte a second, unrecognised protocol: never done, never idle long enough.
    for i in 0..40u32 {
        st.poll(u64::from(i) * 1000, 1);
        if st.active() == 0 {
            assert!(i >= 30, "closed at {i} s");
            assert_eq!(st.counters.timeouts, 1);
            return;
        }
        st.segment(flow(2000), &data(i, OUR_ISN, b"x"));
    }
    panic!("the connection outlived its timeout");
}

proptest::proptest! {
    /// Arbitrary segments on open connections: no panic, the table stays bounded.
    #[test]
    fn arbitrary_segments(
        segs in proptest::collection::vec(
            (0u16..4, proptest::num::u8::ANY, proptest::num::u32::ANY, proptest::num::u32::ANY,
             proptest::collection::vec(proptest::num::u8::ANY, 0..64), 0u64..5000),
            0..60),
    ) {
        let mut st = stack(3);
        let mut now = 0;
        for (port, flags, seq, ack, payload, dt) in segs {
            now += dt;
            st.poll(now, 1);
            let seg = Segment { flags, seq, ack, payload: &payload };
            if flags & SYN != 0 && !st.contains(&flow(port)) {
                st.open(flow(port), PEER_MAC, 64, &seg, Some(u16::from(flags)));
            } else {
                st.segment(flow(port), &seg);
            }
            proptest::prop_assert!(st.active() <= 3);
            st.discard_transmit();
        }
        st.close_all();
        proptest::prop_assert_eq!(st.active(), 0);
    }
}

#[test]
fn a_frame_written_in_place_matches_etherparse_and_is_padded() {
    for vlan in [None, Some(7)] {
        let h = FrameHeader {
            link: Link {
                vlan,
                ..Link::new(MY_MAC)
            },
            dst_mac: PEER_MAC,
        };
        let f = flow(80);
        for payload in [&b""[..], b"GET / HTTP/1.0\r\n\r\n"] {
            let mut want = Vec::new();
            segment_builder(&h, &f, (12345, 7, WINDOW), RST | ACK)
                .unwrap()
                .write(&mut want, payload)
                .unwrap();
            want.resize(want.len().max(60), 0);
            let mut buf = [0xaau8; 256];
            let n =
                write_tcp_frame(&h, &f, (12345, 7, WINDOW), RST | ACK, payload, &mut buf).unwrap();
            assert_eq!(&buf[..n], &want[..]);
            let short = &mut buf[..n - 1];
            assert!(
                write_tcp_frame(&h, &f, (12345, 7, WINDOW), RST | ACK, payload, short).is_none()
            );
        }
    }
}

#[test]
fn a_segment_too_large_for_the_buffer_is_dropped_and_the_next_sent() {
    let mut st = stack(10);
    st.poll(0, 1);
    st.open(flow(80), PEER_MAC, 64, &syn_ack(), Some(1460));
    st.open(flow(2222), PEER_MAC, 64, &syn_ack(), None);
    assert_eq!(st.pending_transmit(), 2, "an HTTP hello, then a bare ACK");
    let mut small = [0u8; 60];
    assert_eq!(
        st.poll_transmit(&mut small),
        Some(60),
        "the hello is skipped"
    );
    assert_eq!(st.poll_transmit(&mut small), None);
}

/// Found by `--inject-faults` in the lab: a poll early in a 16 ms tick looked at that tick's
/// slot and moved past it, so a deadline later in the same tick was not seen again until the
/// wheel came round (65 s): a dropped STARTTLS command was never retransmitted.
#[test]
fn a_deadline_later_in_the_tick_just_polled_still_fires() {
    let mut w = Wheel::new();
    let f = flow(143);
    w.schedule(f, 1_015, 1_000);
    let mut due = Vec::new();
    w.expire(1_010, &mut due); // the same 16 ms tick (63), before the deadline
    assert!(due.is_empty());
    w.expire(1_020, &mut due);
    assert_eq!(due, vec![(f, 1_015)]);
    // Through the stack: the hello's retransmission at 1 s, with polls at any phase of a tick.
    for phase in 0..TICK_MS {
        let mut st = stack(10);
        st.poll(1_000 + phase, 1);
        st.open(flow(80), PEER_MAC, 64, &syn_ack(), None);
        let first = sent(&mut st);
        let mut now = 1_000 + phase;
        let mut again = Vec::new();
        while again.is_empty() && now < 1_000 + phase + 1_100 {
            now += 7;
            st.poll(now, 1);
            again = sent(&mut st);
        }
        assert_eq!(again, first, "phase {phase}: retransmitted at {now}");
    }
}

/// The ports of the banners a stack keyed with `key` reports when the scan ends, after the same
/// 64 connections (each with a line from its server) were opened in the same order.
fn close_order(key: &CookieKey) -> Vec<u16> {
    let mut st = keyed_stack(100, key);
    st.poll(0, 1);
    for port in 7000..7064 {
        let f = Flow {
            them: IpAddr::V4(Ipv4Addr::new(198, 18, 1, (port % 200) as u8)),
            ..flow(port)
        };
        assert!(st.open(f, PEER_MAC, 64, &syn_ack(), None));
        st.segment(f, &data(0, OUR_ISN.wrapping_add(1), b"hello there\r\n"));
    }
    while st.poll_record().is_some() {}
    st.close_all();
    let mut ports = Vec::new();
    while let Some(r) = st.poll_record() {
        let Record::Banner(b) = r else {
            panic!("{r:?}")
        };
        ports.push(b.port);
    }
    ports
}

#[test]
fn the_same_key_closes_the_same_connections_in_the_same_order() {
    let a = close_order(&CookieKey::from_seed(42));
    assert_eq!(a.len(), 64, "one banner per connection");
    assert_eq!(a, close_order(&CookieKey::from_seed(42)));
    // The order is the table's, which the key decides (not the order of opening).
    let b = close_order(&CookieKey::from_seed(43));
    assert_ne!(a, b);
    let mut sorted = b.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (7000..7064).collect::<Vec<_>>());
}

/// A TLS server that refuses the plaintext hello with a protocol_version alert (TLS 1.3 only)
/// gets a RST, then a SYN on the same ports with the cookie as sequence number; its SYN-ACK
/// opens a rustls session (a TLS 1.3 hello goes out), once.
#[test]
fn a_refused_plaintext_tls_hello_is_followed_by_a_second_connection_through_rustls() {
    let key = CookieKey::from_seed(1);
    let mut st = keyed_stack(10, &key);
    st.poll(5_000, 1000);
    assert!(st.open(flow(443), PEER_MAC, 64, &syn_ack(), Some(1460)));
    let out = sent(&mut st);
    let hello = &out[0].3;
    assert_eq!(&hello[..3], b"\x16\x03\x01");
    let our_next = OUR_ISN.wrapping_add(hello.len() as u32);
    assert!(!st.awaits(&flow(443)));
    st.segment(
        flow(443),
        &data(0, our_next, b"\x15\x03\x03\x00\x02\x02\x46"),
    );
    let out = sent(&mut st);
    assert_eq!(out.len(), 2, "{out:?}");
    assert_eq!(out[0].0, RST | ACK);
    let f = flow(443);
    let cookie = crate::probe::tcp_syn::cookie(&key, f.them, f.me, f.port_them, f.port_me);
    assert_eq!(
        (out[1].0, out[1].1, out[1].3.len()),
        (SYN, cookie as u32, 0)
    );
    assert_eq!(st.counters.reconnects, 1);
    assert!(st.awaits(&f));

    let syn_ack2 = Segment {
        ack: (cookie as u32).wrapping_add(1),
        ..syn_ack()
    };
    assert!(st.open(f, PEER_MAC, 64, &syn_ack2, Some(1460)));
    assert!(!st.awaits(&f));
    let out = sent(&mut st);
    let hello = &out[0].3;
    // rustls offers TLS 1.3: a supported_versions extension (43) with 0x0304.
    assert!(hello.windows(2).any(|w| w == [0x03, 0x04]), "{hello:02x?}");
    assert_ne!(&hello[..], &sent_plaintext_hello()[..]);
    // A second refusal does not start a third connection.
    let next = (cookie as u32)
        .wrapping_add(1)
        .wrapping_add(hello.len() as u32);
    st.segment(f, &data(0, next, b"\x15\x03\x03\x00\x02\x02\x46"));
    let out = sent(&mut st);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].0, RST | ACK);
    assert_eq!(st.counters.reconnects, 1);
    assert!(!st.awaits(&f));
}

/// The second connection's SYN is sent again after 1, 2 and 4 s without a SYN-ACK, then given up.
#[test]
fn an_unanswered_second_connection_syn_is_resent_then_given_up() {
    let key = CookieKey::from_seed(1);
    let mut st = keyed_stack(10, &key);
    st.poll(5_000, 1000);
    let f = flow(443);
    assert!(st.open(f, PEER_MAC, 64, &syn_ack(), Some(1460)));
    let hello_len = sent(&mut st)[0].3.len() as u32;
    let next = OUR_ISN.wrapping_add(hello_len);
    st.segment(f, &data(0, next, b"\x15\x03\x03\x00\x02\x02\x28"));
    assert_eq!(sent(&mut st).len(), 2);
    let cookie = crate::probe::tcp_syn::cookie(&key, f.them, f.me, f.port_them, f.port_me) as u32;
    let mut resent = Vec::new();
    for t in (5_000..25_000).step_by(16) {
        st.poll(t, 1000);
        for (flags, seq, _, _) in sent(&mut st) {
            assert_eq!((flags, seq), (SYN, cookie));
            resent.push(t);
        }
    }
    assert_eq!(resent.len(), 3, "{resent:?}");
    assert!(resent[0] >= 6_000 && resent[0] < 6_300, "{resent:?}");
    assert!(
        resent[1] >= resent[0] + 2_000 && resent[1] < resent[0] + 2_300,
        "{resent:?}"
    );
    assert!(
        resent[2] >= resent[1] + 4_000 && resent[2] < resent[1] + 4_300,
        "{resent:?}"
    );
    assert!(!st.awaits(&f), "given up 8 s after the last");
    assert_eq!(st.counters.retransmits, 3);
}

fn sent_plaintext_hello() -> Vec<u8> {
    let mut v = Vec::new();
    crate::banner::Session::start(flow(443).them, 443, &BannerConfig::default(), &mut v);
    v
}

#[test]
fn the_window_is_scaled_only_when_both_sides_announced_a_window_scale() {
    let window_of = |ours: Option<u8>, peer_scales: bool| {
        let mut st = stack(10);
        let mut cfg = st.config().clone();
        cfg.wscale = ours;
        st = Stack::new(cfg, &CookieKey::from_seed(1));
        st.poll(5_000, 1000);
        assert!(st.open_scaled(flow(80), PEER_MAC, 64, &syn_ack(), None, peer_scales));
        let mut buf = [0u8; 1600];
        let n = st.poll_transmit(&mut buf).unwrap();
        let p = SlicedPacket::from_ethernet(&buf[..n]).unwrap();
        let Some(TransportSlice::Tcp(t)) = p.transport else {
            panic!("not TCP")
        };
        t.window_size()
    };
    assert_eq!(window_of(Some(3), true), WINDOW >> 3);
    assert_eq!(
        window_of(Some(3), false),
        WINDOW,
        "the server did not scale"
    );
    assert_eq!(window_of(None, true), WINDOW, "our SYN did not scale");
    assert_eq!(window_of(Some(14), true), 1, "never a zero window");
}

/// `--identify`'s series of connections through the stack.
mod identify;

//! How many banner connections one TCP stack shard holds, and what each costs: opens N
//! connections from synthetic SYN-ACKs (no network), measures the process's resident memory
//! before and after, and the time per connection opened. Run by `bench/tcp.sh`.

#![forbid(unsafe_code)]

use masscan_engine::banner::BannerConfig;
use masscan_engine::cookie::CookieKey;
use masscan_engine::frame::{Flow, Link};
use masscan_engine::tcp::{Segment, Stack, TcpConfig, ACK, PSH, SYN};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Instant;

fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

fn flow(i: u32, port: u16) -> Flow {
    Flow {
        them: IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + i)),
        me: IpAddr::V4(Ipv4Addr::new(198, 18, 0, 2)),
        port_them: port,
        port_me: 61440 + (i % 4096) as u16,
    }
}

/// A shard holding up to `n` connections, with the scan's default waits.
fn stack(n: u32, banners: BannerConfig) -> Stack {
    let cfg = TcpConfig {
        link: Link::new([2, 0, 0, 0, 0, 2]),
        hello_wait_ms: 2000,
        timeout_ms: 30_000,
        max_connections: n as usize,
        banners: Arc::new(banners),
        wscale: None,
    };
    Stack::new(cfg, &CookieKey::from_seed(1))
}

/// A TLS 1.3-only server's answer to the plaintext hello: a protocol_version alert.
const REFUSAL: &[u8] = b"\x15\x03\x03\x00\x02\x02\x46";

/// Opens `n` connections to `port`; with `reply`, each then receives it as server data. With
/// `rustls`, each connection is first refused (untimed) so that the timed opening is the
/// second connection, which shakes hands through rustls.
fn measure(n: u32, port: u16, reply: Option<&[u8]>, rustls: bool) -> (f64, f64, u64) {
    let mut st = stack(n, BannerConfig::default());
    st.poll(1, 1);
    let mut frame = [0u8; 2048];
    let syn_ack = Segment {
        flags: SYN | ACK,
        seq: 1000,
        ack: 5000,
        payload: &[],
    };
    if rustls {
        for i in 0..n {
            st.open(flow(i, port), [2, 0, 0, 0, 0, 1], 64, &syn_ack, Some(1460));
            let refusal = Segment {
                flags: ACK | PSH,
                seq: 1001,
                ack: 5000,
                payload: REFUSAL,
            };
            st.segment(flow(i, port), &refusal);
            while st.poll_transmit(&mut frame).is_some() {}
            while st.poll_record().is_some() {}
        }
    }
    let before = rss_bytes();
    let t0 = Instant::now();
    for i in 0..n {
        st.open(flow(i, port), [2, 0, 0, 0, 0, 1], 64, &syn_ack, Some(1460));
        if let Some(r) = reply {
            let seg = Segment {
                flags: ACK | PSH,
                seq: 1001,
                ack: 5000,
                payload: r,
            };
            st.segment(flow(i, port), &seg);
        }
        // Every segment written out, as the receive loop does into a transmit frame.
        while st.poll_transmit(&mut frame).is_some() {}
        while st.poll_record().is_some() {}
    }
    let secs = t0.elapsed().as_secs_f64();
    let after = rss_bytes();
    let held = st.active() as u64;
    let per_conn = after.saturating_sub(before) as f64 / held.max(1) as f64;
    let rate = f64::from(n) / secs.max(1e-9);
    drop(st);
    (per_conn, rate, held)
}

/// The cost of a silent open port from its SYN-ACK to the end of its last connection, with
/// `--identify` and `tries` (or without it: `None`): `n` ports (port 7000, nothing answers any
/// hello) are driven through every timer of the series; each reconnection's SYN is answered
/// by a SYN-ACK at once. Returns (connections opened, frames sent, bytes sent, seconds of
/// CPU in the stack).
fn measure_silent(n: u32, tries: Option<u8>) -> (u64, u64, u64, f64) {
    let mut banners = BannerConfig::default();
    banners.identify = tries.is_some();
    banners.identify_tries = tries.unwrap_or(0);
    let mut st = stack(n, banners);
    let syn_ack = Segment {
        flags: SYN | ACK,
        seq: 1000,
        ack: 5000,
        payload: &[],
    };
    let (mut opened, mut frames, mut bytes) = (0u64, 0u64, 0u64);
    // Sends every queued frame, acknowledges each hello at once as a silent server's kernel
    // does (so no retransmission is counted that a real server would not cause), and answers
    // each reconnection's SYN with a SYN-ACK.
    let mut drain = |st: &mut Stack, opened: &mut u64| loop {
        let mut frame = [0u8; 2048];
        let mut answers = Vec::new();
        while let Some(len) = st.poll_transmit(&mut frame) {
            frames += 1;
            bytes += len as u64;
            answers.extend(answer_for(&frame[..len]));
        }
        while st.poll_record().is_some() {}
        if answers.is_empty() {
            break;
        }
        for (f, answer) in answers {
            match answer {
                Some(ack) => {
                    let seg = Segment {
                        flags: ACK,
                        seq: 1001,
                        ack,
                        payload: &[],
                    };
                    st.segment(f, &seg);
                }
                None => {
                    st.open(f, [2, 0, 0, 0, 0, 1], 64, &syn_ack, Some(1460));
                    *opened += 1;
                }
            }
        }
    };
    let t0 = Instant::now();
    st.poll(1, 1);
    for i in 0..n {
        st.open(flow(i, 7000), [2, 0, 0, 0, 0, 1], 64, &syn_ack, Some(1460));
        opened += 1;
        drain(&mut st, &mut opened);
    }
    // Time runs in 100 ms steps until every connection of every port has ended.
    let mut now = 1;
    while st.active() > 0 && now < 600_000 {
        now += 100;
        st.poll(now, 1 + (now / 1000) as u32);
        drain(&mut st, &mut opened);
    }
    (opened, frames, bytes, t0.elapsed().as_secs_f64())
}

/// What a server sends back for a frame of ours: for data, an acknowledgement (`Some(ack)`);
/// for a SYN, a SYN-ACK (`None`); for anything else nothing.
fn answer_for(frame: &[u8]) -> Option<(Flow, Option<u32>)> {
    let p = etherparse::SlicedPacket::from_ethernet(frame).ok()?;
    let (Some(etherparse::NetSlice::Ipv4(ip)), Some(etherparse::TransportSlice::Tcp(tcp))) =
        (p.net, p.transport)
    else {
        return None;
    };
    let data = tcp.payload().len() as u32;
    let f = Flow {
        them: IpAddr::V4(ip.header().destination_addr()),
        me: IpAddr::V4(ip.header().source_addr()),
        port_them: tcp.destination_port(),
        port_me: tcp.source_port(),
    };
    if tcp.syn() && !tcp.ack() {
        Some((f, None))
    } else {
        (data > 0 && !tcp.rst()).then(|| (f, Some(tcp.sequence_number().wrapping_add(data))))
    }
}

/// `silent`: the cost per silent open port without `--identify` and with 1 and 5 tries, same
/// run, so the ratios compare.
fn silent_series(n: u32) {
    for (label, tries) in [
        ("without --identify", None),
        ("--identify --identify-tries 1", Some(1)),
        ("--identify (5 tries, the default)", Some(5)),
    ] {
        let (opened, frames, bytes, secs) = measure_silent(n, tries);
        let ports = f64::from(n);
        println!(
            "silent port, {label}: {:.1} connections, {:.1} frames, {:.0} bytes sent per port; \
             {:.3} M connections/s, {:.2} us per port on one core (the stack, and this bench parsing its frames)",
            opened as f64 / ports,
            frames as f64 / ports,
            bytes as f64 / ports,
            opened as f64 / secs.max(1e-9) / 1e6,
            secs * 1e6 / ports
        );
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u32 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let case = args.next().unwrap_or_else(|| "ssh".into());
    if case == "silent" {
        silent_series(n);
        return;
    }
    let greeting: &[u8] = b"220-a greeting from a server that speaks first\r\n";
    // One case per process, so that memory freed by one case cannot hide another's.
    let (name, port, reply): (&str, u16, Option<&[u8]>) = match case.as_str() {
        "tls-rustls" => (
            "TLS 1.3 ClientHello (rustls) sent after a refusal, waiting (port 443)",
            443,
            None,
        ),
        "ssh" => (
            "server speaks first, nothing received yet (port 22)",
            22,
            None,
        ),
        "http" => ("HTTP hello sent, waiting for the reply (port 80)", 80, None),
        "ftp" => (
            "FTP greeting received, AUTH TLS sent (port 21)",
            21,
            Some(greeting),
        ),
        "tls" => (
            "TLS plaintext ClientHello sent, waiting (port 443)",
            443,
            None,
        ),
        other => {
            eprintln!(
                "tcp-capacity: unknown case '{other}' (ssh, http, ftp, tls, tls-rustls, silent)"
            );
            std::process::exit(2);
        }
    };
    let (per_conn, rate, held) = measure(n, port, reply, case == "tls-rustls");
    println!(
        "{name}: {held} connections held, {per_conn:.0} bytes each, {:.3} M opened/s on one core",
        rate / 1e6
    );
}

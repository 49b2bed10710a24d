use super::*;
use crate::banner::{app, BannerConfig};
use crate::classify::ClassifierConfig;
use crate::cookie::CookieKey;
use crate::driver::QueueStats;
use crate::frame::Link;
use crate::output::Status;
use crate::output::{BannerRecord, StatusRecord};
use crate::stats::RxCoreCounters;
use crate::tcp::TcpConfig;
use crate::testing::{tcp_segment, v4_source, SCANNER_MAC};
use etherparse::{SlicedPacket, TransportSlice};
use std::cell::Cell;
use std::collections::VecDeque;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

const ME: [u8; 4] = [198, 18, 0, 2];
const PORT_ME: u16 = 40000;

struct ManualClock(Cell<u64>);

/// What a receive loop borrows: a manual clock (milliseconds), the counters, the stop flag.
struct Harness {
    clock: ManualClock,
    cells: RxCoreCounters,
    stop: AtomicBool,
}

impl Harness {
    fn new(now_ms: u64, stopped: bool) -> Self {
        Self {
            clock: ManualClock(Cell::new(now_ms)),
            cells: RxCoreCounters::default(),
            stop: AtomicBool::new(stopped),
        }
    }

    fn receive_loop(&self) -> ReceiveLoop<'_, ManualClock> {
        ReceiveLoop::new(&self.clock, &self.cells, &self.stop)
    }
}

impl Clock for ManualClock {
    fn monotonic_ns(&self) -> u64 {
        self.0.get() * 1_000_000
    }
    fn unix_secs(&self) -> u32 {
        1_700_000_000 + (self.0.get() / 1000) as u32
    }
    fn pause(&self, d: Duration) {
        self.0.set(self.0.get() + d.as_millis() as u64);
    }
}

/// Frames waiting to be received.
#[derive(Default)]
struct FeedRx(VecDeque<Vec<u8>>);

impl RxQueue for FeedRx {
    fn receive<F: FnMut(&[u8])>(&mut self, max: usize, mut f: F) -> Result<usize, DriverError> {
        let mut n = 0;
        while n < max {
            let Some(frame) = self.0.pop_front() else {
                break;
            };
            f(&frame);
            n += 1;
        }
        Ok(n)
    }
    fn wait(&mut self, _: Duration) {}
    fn stats(&self) -> QueueStats {
        QueueStats::default()
    }
}

/// A transmit queue of `room` frames, none ever completed; `queue_one` waits for `kick`, as
/// AF_PACKET's ring does. Frames written and pushed are kept.
struct SmallRing {
    room: usize,
    queued: Vec<Vec<u8>>,
    sent: Vec<Vec<u8>>,
    kicks: usize,
}

impl SmallRing {
    fn new(room: usize) -> Self {
        Self {
            room,
            queued: Vec::new(),
            sent: Vec::new(),
            kicks: 0,
        }
    }
}

impl TxQueue for SmallRing {
    fn transmit<F: FnMut(&mut [u8]) -> usize>(
        &mut self,
        max: usize,
        mut fill: F,
    ) -> Result<usize, DriverError> {
        let mut n = 0;
        while n < max && self.queued.len() + self.sent.len() < self.room {
            let mut buf = vec![0u8; 2048];
            let len = fill(&mut buf);
            if len == 0 {
                break;
            }
            buf.truncate(len);
            self.queued.push(buf);
            n += 1;
        }
        self.kick()?;
        Ok(n)
    }
    fn queue_one<F: FnOnce(&mut [u8]) -> usize>(&mut self, fill: F) -> Result<bool, DriverError> {
        if self.queued.len() + self.sent.len() >= self.room {
            return Ok(false);
        }
        let mut buf = vec![0u8; 2048];
        let len = fill(&mut buf);
        if len > 0 {
            buf.truncate(len);
            self.queued.push(buf);
        }
        Ok(true)
    }
    fn kick(&mut self) -> Result<(), DriverError> {
        if !self.queued.is_empty() {
            self.kicks += 1;
            self.sent.append(&mut self.queued);
        }
        Ok(())
    }
    fn flush(&mut self) -> Result<(), DriverError> {
        self.kick()
    }
    fn stats(&self) -> QueueStats {
        QueueStats::default()
    }
}

fn receiver(banners: bool) -> Classifier {
    let source = v4_source(ME, PORT_ME, 1);
    Classifier::new(ClassifierConfig {
        link: Link::new(SCANNER_MAC),
        report_closed: true,
        banners: banners.then(|| TcpConfig {
            link: Link {
                ttl: 64,
                ..Link::new(SCANNER_MAC)
            },
            hello_wait_ms: 2000,
            timeout_ms: 30_000,
            max_connections: 16,
            banners: Arc::new(BannerConfig::default()),
            wscale: None,
        }),
        ..ClassifierConfig::new(CookieKey::from_seed(7), source)
    })
}

fn cookie(them: [u8; 4], port: u16) -> u32 {
    CookieKey::from_seed(7).v4(
        u32::from_be_bytes(them),
        u32::from_be_bytes(ME),
        port,
        PORT_ME,
    ) as u32
}

/// A segment from `them`:`port` to our address and port.
fn segment(them: [u8; 4], port: u16, seq: u32, ack: u32, flags: &str, payload: &[u8]) -> Vec<u8> {
    tcp_segment((them, port), (ME, PORT_ME), (seq, ack), flags, payload)
}

fn tcp_of(frame: &[u8]) -> (u16, u8, Vec<u8>) {
    let p = SlicedPacket::from_ethernet(frame).unwrap();
    let Some(TransportSlice::Tcp(t)) = p.transport else {
        panic!("not TCP")
    };
    (t.destination_port(), t.slice()[13], t.payload().to_vec())
}

#[test]
fn replies_are_written_into_the_ring_and_pushed_once_per_batch() {
    let h = Harness::new(0, false);
    let mut l = h.receive_loop();
    let mut rx = FeedRx::default();
    for i in 1..=3u8 {
        let them = [198, 18, 1, i];
        rx.0.push_back(segment(
            them,
            80,
            1000,
            cookie(them, 80).wrapping_add(1),
            "S",
            b"",
        ));
    }
    // A wrong cookie (dropped), and a RST: closed, nothing sent back.
    rx.0.push_back(segment([198, 18, 1, 9], 80, 1, 1, "S", b""));
    let them = [198, 18, 1, 5];
    rx.0.push_back(segment(
        them,
        22,
        1,
        cookie(them, 22).wrapping_add(1),
        "R",
        b"",
    ));
    let mut ring = SmallRing::new(64);
    let mut r = receiver(false);
    let mut found = Vec::new();
    let n = l
        .step(&mut rx, &mut ring, &mut r, &mut |rec| found.push(rec))
        .unwrap();
    assert_eq!(n, 5);
    assert_eq!(ring.kicks, 1, "one push for the batch");
    assert_eq!(ring.sent.len(), 3, "a RST for each SYN-ACK");
    for f in &ring.sent {
        let (dport, flags, _) = tcp_of(f);
        assert_eq!((dport, flags & 0x04), (80, 0x04));
    }
    assert_eq!(found.len(), 4);
    assert!(found.iter().any(|r| matches!(
        r,
        Record::Status(StatusRecord {
            status: Status::Closed,
            port: 22,
            ..
        })
    )));
    assert_eq!((r.counters().bad_cookie, r.counters().rst_sent), (1, 3));
}

#[test]
fn a_full_answer_ring_still_reports_results_and_counts_the_dropped_answers() {
    let h = Harness::new(0, true);
    let mut l = h.receive_loop();
    let mut rx = FeedRx::default();
    for i in 1..=4u8 {
        let them = [198, 18, 2, i];
        rx.0.push_back(segment(
            them,
            443,
            7,
            cookie(them, 443).wrapping_add(1),
            "S",
            b"",
        ));
    }
    let mut ring = SmallRing::new(1);
    let mut r = receiver(false);
    let mut found = Vec::new();
    // Stop is already raised: the loop drains what is waiting, then returns.
    l.run(&mut rx, &mut ring, &mut r, &mut |rec| found.push(rec))
        .unwrap();
    assert_eq!(found.len(), 4, "every open port reported");
    assert_eq!(ring.sent.len(), 1);
    assert_eq!(l.counters().answers_dropped, 3);
    assert_eq!(h.cells.load().receive.answers_dropped, 3, "published");
    assert!(rx.0.is_empty());
}

#[test]
fn a_banner_connection_runs_through_the_loop_on_the_clock() {
    let h = Harness::new(5_000, false);
    let mut l = h.receive_loop();
    let them = [198, 18, 1, 2];
    let ours = cookie(them, 2222).wrapping_add(1);
    let mut rx = FeedRx::default();
    rx.0.push_back(segment(them, 2222, 9000, ours, "SA", b""));
    let mut ring = SmallRing::new(64);
    let mut r = receiver(true);
    let mut found = Vec::new();
    l.step(&mut rx, &mut ring, &mut r, &mut |rec| found.push(rec))
        .unwrap();
    // A server-first port: our ACK, no RST (the stack holds the connection).
    assert_eq!(ring.sent.len(), 1);
    assert_eq!(tcp_of(&ring.sent[0]).1, 0x10);
    assert_eq!(found.len(), 1, "the open port");
    // Nothing arrives for a while: the timers still run, and nothing is sent before the
    // hello wait (2 s) is over.
    h.clock.0.set(6_000);
    l.step(&mut rx, &mut ring, &mut r, &mut |rec| found.push(rec))
        .unwrap();
    assert_eq!(ring.sent.len(), 1);
    // The server's greeting completes the banner: the stack resets the connection.
    rx.0.push_back(segment(
        them,
        2222,
        9001,
        ours,
        "P",
        b"SSH-2.0-OpenSSH_9.2\r\n",
    ));
    l.step(&mut rx, &mut ring, &mut r, &mut |rec| found.push(rec))
        .unwrap();
    let (_, flags, _) = tcp_of(ring.sent.last().unwrap());
    assert_eq!(flags & 0x04, 0x04, "RST");
    let ssh = found.iter().any(|rec| {
        matches!(rec, Record::Banner(BannerRecord { app_proto, banner, ip, .. })
            if *app_proto == app::SSH2 && banner.starts_with(b"SSH-2.0")
                && *ip == IpAddr::V4(Ipv4Addr::from(them)))
    });
    assert!(ssh, "{found:?}");
    assert_eq!(r.tcp_counters().banners, 1);
}

#[test]
fn a_quiet_server_gets_the_http_hello_from_the_clock_alone() {
    let h = Harness::new(0, false);
    let mut l = h.receive_loop();
    let them = [198, 18, 1, 3];
    let mut rx = FeedRx::default();
    rx.0.push_back(segment(
        them,
        7777,
        1,
        cookie(them, 7777).wrapping_add(1),
        "SA",
        b"",
    ));
    let mut ring = SmallRing::new(64);
    let mut r = receiver(true);
    let mut sink = |_| {};
    l.step(&mut rx, &mut ring, &mut r, &mut sink).unwrap();
    assert_eq!(ring.sent.len(), 1);
    h.clock.0.set(2_100);
    l.step(&mut rx, &mut ring, &mut r, &mut sink).unwrap();
    let (_, _, payload) = tcp_of(ring.sent.last().unwrap());
    assert!(payload.starts_with(b"GET / HTTP/1.0"), "{payload:?}");
    // The end of the scan resets the open connection.
    h.stop.store(true, Ordering::Relaxed);
    l.run(&mut rx, &mut ring, &mut r, &mut sink).unwrap();
    assert_eq!(tcp_of(ring.sent.last().unwrap()).1 & 0x04, 0x04);
    assert_eq!(h.cells.load().tcp.active, 0);
}

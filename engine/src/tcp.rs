//! The user-mode TCP stack of banner grabbing, sans-IO: segments and the clock in, frames to
//! send and banner records out. One [`Stack`] per receive core (a shard: flows hash to cores,
//! so no locks). A connection (TCB) is created only for a SYN-ACK whose acknowledgement is our
//! cookie, up to a fixed cap; it acknowledges in-order data, feeds it to the banner
//! [`Session`], sends the session's hellos and commands (retransmitted until acknowledged) and
//! ends with a RST when the session is done, the server closes, the byte cap is reached or a
//! timer fires. A TLS server that refused the plaintext hello (a TLS 1.3-only server) gets a
//! second connection on the same ports, whose SYN-ACK opens a rustls session instead
//! ([`Session::start_rustls`]); with `--identify`, a silent port that gave the HTTP hello no
//! answer gets the series of tries of [`crate::banner::identify`] (TLS, redis, memcached,
//! MQTT, PostgreSQL; AMQP after a broker's header), one connection each
//! ([`Session::next_try`]). Timers sit on a wheel advanced by [`Stack::poll`] from the clock, not by packet
//! arrival, so a quiet link still gets its probes sent and its connections closed on time.
//!
//! Its surface is sans-IO, after quinn-proto: [`Stack::poll_transmit`] writes the next queued
//! segment straight into a frame buffer the caller lends (a driver's transmit frame), and
//! [`Stack::poll_record`] hands out the banners found. Queued segments are small descriptors
//! whose payloads sit in one reused byte arena, so sending costs no allocation per frame.

use crate::banner::{BannerConfig, Found, NextTry, Session};
use crate::cookie::CookieKey;
use crate::frame::{ip_builder, Flow, FrameHeader, Link, MIN_FRAME};
use crate::output::BannerRecord;
use crate::output::Record;
use etherparse::{PacketBuilderStep, TcpHeader};
use siphasher::sip::SipHasher13;
use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasher;
use std::sync::Arc;

pub const FIN: u8 = 0x01;
pub const SYN: u8 = 0x02;
pub const RST: u8 = 0x04;
pub const PSH: u8 = 0x08;
pub const ACK: u8 = 0x10;

/// Largest payload we put in one segment (fits a 1500-byte MTU with IPv6 and a VLAN tag).
const MAX_SEGMENT: usize = 1400;
/// Receive window we advertise (shifted right by our window scale when both sides scale).
pub const WINDOW: u16 = 16384;
/// Retransmissions of our data before the connection is given up.
const MAX_RETRIES: u8 = 3;
const RTO_MS: u64 = 1000;
/// Timer wheel: slot width and count (16 ms x 4096 = 65 s per turn; later deadlines go round).
const TICK_MS: u64 = 16;
const SLOTS: usize = 4096;

/// Settings of banner grabbing's TCP side.
#[derive(Clone, Debug)]
pub struct TcpConfig {
    /// Our MAC, VLAN tag and the TTL / hop limit of our segments.
    pub link: Link,
    /// How long a server may stay silent before we send our probe (`--hello-timeout`), and how
    /// long after its last bytes a connection is considered finished.
    pub hello_wait_ms: u64,
    /// The longest a connection lives (`--connection-timeout`).
    pub timeout_ms: u64,
    /// Connections held at once by this shard; SYN-ACKs beyond it get a RST and no banner.
    pub max_connections: usize,
    pub banners: Arc<BannerConfig>,
    /// The window scale our SYNs announce (`--tcp-wscale`): when a SYN-ACK scales too, the
    /// window we advertise is shifted by it, so the peer still sees [`WINDOW`] bytes.
    pub wscale: Option<u8>,
}

/// The parts of a received segment the stack uses.
#[derive(Clone, Copy, Debug)]
pub struct Segment<'a> {
    pub flags: u8,
    pub seq: u32,
    pub ack: u32,
    pub payload: &'a [u8],
}

/// Counters of one shard (declared with the scan's other counters).
pub use crate::counters::TcpCounters;

struct Tcb {
    peer_mac: [u8; 6],
    ttl: u8,
    snd_una: u32,
    snd_nxt: u32,
    rcv_nxt: u32,
    /// Our bytes from `snd_una` on, kept until acknowledged.
    unacked: Vec<u8>,
    mss: usize,
    /// Our window field: [`WINDOW`], scaled down when both sides announced a window scale.
    window: u16,
    retries: u8,
    created_ms: u64,
    /// When we last sent data (for the retransmission timer).
    sent_ms: u64,
    /// When the server last sent bytes.
    heard_ms: u64,
    /// The deadline this connection is filed under in the wheel.
    deadline: u64,
    session: Session,
}

/// The connection table's hasher: SipHash-1-3 (what std's default hasher runs) keyed from the
/// scan's cookie key instead of at random, so the same seed gives the same table order, and
/// [`Stack::close_all`] the same banners in the same order.
#[derive(Clone, Copy, Debug)]
struct TableHasher {
    k0: u64,
    k1: u64,
}

impl BuildHasher for TableHasher {
    type Hasher = SipHasher13;

    #[inline]
    fn build_hasher(&self) -> SipHasher13 {
        SipHasher13::new_with_keys(self.k0, self.k1)
    }
}

/// One shard of the stack.
pub struct Stack {
    cfg: TcpConfig,
    table: HashMap<Flow, Tcb, TableHasher>,
    wheel: Wheel,
    now_ms: u64,
    now_unix: u32,
    /// Segments to send, in order (see [`Stack::poll_transmit`]).
    out: VecDeque<Queued>,
    /// Payloads of the queued segments, back to back; emptied when the queue drains.
    out_bytes: Vec<u8>,
    /// Banner records found, until [`Stack::poll_record`] takes them.
    records: VecDeque<Record>,
    pub counters: TcpCounters,
    scratch: Vec<u8>,
    found: Vec<Found>,
    /// The scan's cookie key, for the SYN of a second connection.
    key: CookieKey,
    /// Second connections whose SYN went out, until their SYN-ACK comes or they are given up.
    reconnecting: HashMap<Flow, Reconnect, TableHasher>,
    /// When [`Stack::poll`] next looks for second connections' SYNs to send again.
    resend_ms: u64,
}

/// A second connection waiting for its SYN-ACK.
struct Reconnect {
    /// What the connection is for.
    then: NextTry,
    peer_mac: [u8; 6],
    sent_ms: u64,
    retries: u8,
}

impl Stack {
    /// A shard whose connection table hashes with keys from the scan's `key`.
    pub fn new(cfg: TcpConfig, key: &CookieKey) -> Self {
        let (k0, k1) = key.table_keys();
        Self {
            cfg,
            table: HashMap::with_hasher(TableHasher { k0, k1 }),
            wheel: Wheel::new(),
            now_ms: 0,
            now_unix: 0,
            out: VecDeque::new(),
            out_bytes: Vec::new(),
            records: VecDeque::new(),
            counters: TcpCounters::default(),
            scratch: Vec::new(),
            found: Vec::new(),
            key: *key,
            reconnecting: HashMap::with_hasher(TableHasher { k0: k1, k1: k0 }),
            resend_ms: 0,
        }
    }

    /// Whether a SYN-ACK on `flow` answers a second connection of ours (the receive path lets
    /// it through although its port has answered before).
    pub fn awaits(&self, flow: &Flow) -> bool {
        self.reconnecting.contains_key(flow)
    }

    /// Opens a second connection on the same ports (so the same receive queue sees its reply,
    /// and the same cookie recognises it): a SYN, after the RST that ended the first.
    fn reconnect(&mut self, flow: Flow, peer_mac: [u8; 6], then: NextTry) {
        if self.reconnecting.len() >= self.cfg.max_connections {
            return;
        }
        let r = Reconnect {
            then,
            peer_mac,
            sent_ms: self.now_ms,
            retries: 0,
        };
        self.reconnecting.insert(flow, r);
        self.send_syn(flow, peer_mac);
        self.counters.reconnects += 1;
    }

    /// A SYN of ours: the cookie as sequence number, as the scan's probes have.
    fn send_syn(&mut self, flow: Flow, peer_mac: [u8; 6]) {
        let (k, f) = (&self.key, &flow);
        let seq = crate::probe::tcp_syn::cookie(k, f.them, f.me, f.port_them, f.port_me) as u32;
        self.queue(flow, (peer_mac, WINDOW), seq, 0, SYN, &[]);
    }

    /// Sends again the SYNs of second connections unanswered for a retransmission timeout (1,
    /// 2, 4 s), and gives up those unanswered after the last.
    fn resend_syns(&mut self) {
        let now = self.now_ms;
        let mut again = Vec::new();
        self.reconnecting.retain(|flow, r| {
            if now < r.sent_ms + rto(r.retries) {
                return true;
            }
            if r.retries >= MAX_RETRIES {
                return false;
            }
            r.retries += 1;
            r.sent_ms = now;
            again.push((*flow, r.peer_mac));
            true
        });
        for (flow, mac) in again {
            self.counters.retransmits += 1;
            self.send_syn(flow, mac);
        }
    }

    pub fn config(&self) -> &TcpConfig {
        &self.cfg
    }

    /// Connections held now.
    pub fn active(&self) -> usize {
        self.table.len()
    }

    pub fn contains(&self, flow: &Flow) -> bool {
        self.table.contains_key(flow)
    }

    /// Writes the next queued segment into `buf` (a transmit frame) and returns its length;
    /// `None` when nothing waits. A segment larger than `buf` is dropped (TCP's retransmission
    /// covers it) and the next one tried.
    pub fn poll_transmit(&mut self, buf: &mut [u8]) -> Option<usize> {
        while let Some(q) = self.out.pop_front() {
            let payload = &self.out_bytes[q.at as usize..(q.at + q.len) as usize];
            let h = FrameHeader {
                link: self.cfg.link,
                dst_mac: q.dst_mac,
            };
            let n = write_tcp_frame(&h, &q.flow, (q.seq, q.ack, q.window), q.flags, payload, buf);
            if self.out.is_empty() {
                self.out_bytes.clear();
            }
            if n.is_some() {
                return n;
            }
        }
        None
    }

    /// Segments waiting for [`Stack::poll_transmit`].
    pub fn pending_transmit(&self) -> usize {
        self.out.len()
    }

    /// Drops every queued segment (the transmit ring has no room now; the peers retransmit,
    /// and so do we); returns how many.
    pub fn discard_transmit(&mut self) -> usize {
        let n = self.out.len();
        self.out.clear();
        self.out_bytes.clear();
        n
    }

    /// The next banner found, oldest first.
    pub fn poll_record(&mut self) -> Option<Record> {
        self.records.pop_front()
    }

    /// Advances the clock (monotonic milliseconds, and Unix seconds for records) and runs the
    /// timers that are due.
    pub fn poll(&mut self, now_ms: u64, now_unix: u32) {
        self.now_ms = self.now_ms.max(now_ms);
        self.now_unix = now_unix;
        let mut due = std::mem::take(&mut self.wheel.due);
        self.wheel.expire(self.now_ms, &mut due);
        for (flow, deadline) in due.drain(..) {
            let fire = self
                .table
                .get(&flow)
                .is_some_and(|t| t.deadline == deadline);
            if fire {
                self.timer(flow);
            }
        }
        self.wheel.due = due;
        if !self.reconnecting.is_empty() && self.now_ms >= self.resend_ms {
            self.resend_syns();
            self.resend_ms = self.now_ms + TICK_MS * 16;
        }
    }

    /// A SYN-ACK acknowledging our cookie: opens a connection (our ACK and maybe a hello go
    /// out). False when the table is full: the caller answers with a RST instead.
    pub fn open(
        &mut self,
        flow: Flow,
        peer_mac: [u8; 6],
        ttl: u8,
        seg: &Segment,
        mss: Option<u16>,
    ) -> bool {
        self.open_scaled(flow, peer_mac, ttl, seg, mss, false)
    }

    /// [`Stack::open`] for a SYN-ACK that did (`peer_scales`) or did not carry a window scale
    /// option: RFC 7323 scales our window only when both sides sent one.
    pub fn open_scaled(
        &mut self,
        flow: Flow,
        peer_mac: [u8; 6],
        ttl: u8,
        seg: &Segment,
        mss: Option<u16>,
        peer_scales: bool,
    ) -> bool {
        if self.table.contains_key(&flow) {
            return true;
        }
        if self.table.len() >= self.cfg.max_connections {
            self.counters.refused += 1;
            return false;
        }
        self.scratch.clear();
        let (ip, port, banners) = (flow.them, flow.port_them, &self.cfg.banners);
        let session = match self.reconnecting.remove(&flow).map(|r| r.then) {
            Some(NextTry::Rustls) => Session::start_rustls(ip, port, banners, &mut self.scratch),
            Some(NextTry::Identify(step)) => {
                Session::start_try(step, ip, port, banners, &mut self.scratch)
            }
            Some(NextTry::Second) => Session::start_second(ip, port, banners, &mut self.scratch),
            None => Session::start(ip, port, banners, &mut self.scratch),
        };
        let tcb = Tcb {
            peer_mac,
            ttl,
            snd_una: seg.ack,
            snd_nxt: seg.ack,
            rcv_nxt: seg.seq.wrapping_add(1),
            unacked: Vec::new(),
            mss: usize::from(mss.unwrap_or(536)).clamp(64, MAX_SEGMENT),
            window: match (self.cfg.wscale, peer_scales) {
                (Some(s), true) => (WINDOW >> s.min(14)).max(1),
                _ => WINDOW,
            },
            retries: 0,
            created_ms: self.now_ms,
            sent_ms: self.now_ms,
            heard_ms: self.now_ms,
            deadline: 0,
            session,
        };
        self.table.insert(flow, tcb);
        self.counters.opened += 1;
        self.counters.active = self.table.len() as u64;
        self.counters.peak = self.counters.peak.max(self.counters.active);
        let hello = std::mem::take(&mut self.scratch);
        if hello.is_empty() {
            self.emit(flow, ACK, &[]);
        } else {
            self.send(flow, &hello);
        }
        self.scratch = hello;
        self.rearm(flow);
        true
    }

    /// A segment of an open connection.
    pub fn segment(&mut self, flow: Flow, seg: &Segment) {
        let Some(tcb) = self.table.get_mut(&flow) else {
            return;
        };
        if seg.flags & RST != 0 {
            self.finish(flow, false);
            return;
        }
        if seg.flags & SYN != 0 {
            // The server did not get our ACK: acknowledge again, and resend our data.
            self.retransmit(flow);
            return;
        }
        if seg.flags & ACK != 0 {
            let acked = seg.ack.wrapping_sub(tcb.snd_una) as usize;
            let in_flight = tcb.snd_nxt.wrapping_sub(tcb.snd_una) as usize;
            if acked > 0 && acked <= in_flight {
                tcb.unacked.drain(..acked.min(tcb.unacked.len()));
                tcb.snd_una = seg.ack;
                tcb.retries = 0;
            }
        }
        let offset = seg.seq.wrapping_sub(tcb.rcv_nxt) as i32;
        let mut fin = seg.flags & FIN != 0;
        self.scratch.clear();
        if offset > 0 {
            // A gap: acknowledge what we have; the server sends the rest again.
            if !seg.payload.is_empty() || fin {
                self.emit(flow, ACK, &[]);
            }
            self.rearm(flow);
            return;
        }
        let skip = offset.unsigned_abs() as usize;
        if skip > seg.payload.len() || (skip == seg.payload.len() && !seg.payload.is_empty()) {
            // Old data only: acknowledge again.
            fin = false;
            if !seg.payload.is_empty() {
                self.emit(flow, ACK, &[]);
                return;
            }
        }
        let new = seg.payload.get(skip..).unwrap_or(&[]);
        if !new.is_empty() {
            tcb.rcv_nxt = tcb.rcv_nxt.wrapping_add(new.len() as u32);
            tcb.heard_ms = self.now_ms;
            tcb.session
                .data(flow.them, new, &self.cfg.banners, &mut self.scratch);
        }
        if fin {
            tcb.rcv_nxt = tcb.rcv_nxt.wrapping_add(1);
        }
        if fin || tcb.session.is_done() {
            self.finish(flow, true);
            return;
        }
        if !self.scratch.is_empty() {
            let data = std::mem::take(&mut self.scratch);
            self.send(flow, &data);
            self.scratch = data;
        } else if !new.is_empty() {
            self.emit(flow, ACK, &[]);
        }
        self.rearm(flow);
    }

    /// Ends every connection (the scan is over): their banners are reported and a RST sent.
    pub fn close_all(&mut self) {
        let flows: Vec<Flow> = self.table.keys().copied().collect();
        for f in flows {
            self.finish(f, true);
        }
    }

    fn timer(&mut self, flow: Flow) {
        let now = self.now_ms;
        let cfg = &self.cfg;
        let Some(tcb) = self.table.get_mut(&flow) else {
            return;
        };
        if now >= tcb.created_ms + cfg.timeout_ms {
            self.counters.timeouts += 1;
            self.finish(flow, true);
            return;
        }
        if !tcb.unacked.is_empty() && now >= tcb.sent_ms + rto(tcb.retries) {
            if tcb.retries >= MAX_RETRIES {
                self.counters.timeouts += 1;
                self.finish(flow, true);
                return;
            }
            tcb.retries += 1;
            self.counters.retransmits += 1;
            self.retransmit(flow);
            self.rearm(flow);
            return;
        }
        if tcb.session.received() == 0 {
            if now >= tcb.created_ms + cfg.hello_wait_ms {
                self.scratch.clear();
                let ip = flow.them;
                if tcb.session.quiet(ip, &cfg.banners, &mut self.scratch) {
                    let probe = std::mem::take(&mut self.scratch);
                    self.send(flow, &probe);
                    self.scratch = probe;
                } else if let Some(waits) = tcb.session.silent_waits(&cfg.banners) {
                    if tcb.unacked.is_empty() && now >= tcb.created_ms + waits * cfg.hello_wait_ms {
                        // `--identify`: this hello got nothing either; the next try is due.
                        self.finish(flow, true);
                        return;
                    }
                }
            }
        } else if now >= tcb.heard_ms + cfg.hello_wait_ms && tcb.unacked.is_empty() {
            // The server said its piece and has been quiet since.
            self.finish(flow, true);
            return;
        }
        self.rearm(flow);
    }

    /// Files the connection under its next deadline.
    fn rearm(&mut self, flow: Flow) {
        let cfg = &self.cfg;
        let Some(tcb) = self.table.get_mut(&flow) else {
            return;
        };
        let mut d = tcb.created_ms + cfg.timeout_ms;
        if !tcb.unacked.is_empty() {
            d = d.min(tcb.sent_ms + rto(tcb.retries));
        }
        if tcb.session.received() == 0 {
            let quiet = tcb.created_ms + cfg.hello_wait_ms;
            if quiet > self.now_ms {
                d = d.min(quiet);
            } else if let Some(waits) = tcb.session.silent_waits(&cfg.banners) {
                // Until our hello is acknowledged, the retransmission timer decides.
                let end = tcb.created_ms + waits * cfg.hello_wait_ms;
                if end > self.now_ms || tcb.unacked.is_empty() {
                    d = d.min(end);
                }
            }
        } else {
            d = d.min(tcb.heard_ms + cfg.hello_wait_ms);
        }
        let d = d.max(self.now_ms + 1);
        if tcb.deadline != d {
            tcb.deadline = d;
            self.wheel.schedule(flow, d, self.now_ms);
        }
    }

    /// Sends our data (acknowledging what we have), in segments of at most the peer's MSS.
    fn send(&mut self, flow: Flow, data: &[u8]) {
        let Some(tcb) = self.table.get_mut(&flow) else {
            return;
        };
        tcb.unacked.extend_from_slice(data);
        tcb.sent_ms = self.now_ms;
        let mss = tcb.mss;
        for chunk in data.chunks(mss) {
            self.emit(flow, ACK | PSH, chunk);
            if let Some(t) = self.table.get_mut(&flow) {
                t.snd_nxt = t.snd_nxt.wrapping_add(chunk.len() as u32);
            }
        }
    }

    /// Sends an ACK and every unacknowledged byte again, from `snd_una`.
    fn retransmit(&mut self, flow: Flow) {
        let Some(tcb) = self.table.get_mut(&flow) else {
            return;
        };
        tcb.sent_ms = self.now_ms;
        if tcb.unacked.is_empty() {
            self.emit(flow, ACK, &[]);
            return;
        }
        let data = std::mem::take(&mut tcb.unacked);
        let (una, mss) = (tcb.snd_una, tcb.mss);
        let mut seq = una;
        for chunk in data.chunks(mss) {
            self.emit_at(flow, seq, ACK | PSH, chunk);
            seq = seq.wrapping_add(chunk.len() as u32);
        }
        if let Some(t) = self.table.get_mut(&flow) {
            t.unacked = data;
        }
    }

    /// Removes the connection, reports its banners, and (when asked) resets it.
    fn finish(&mut self, flow: Flow, reset: bool) {
        let Some(tcb) = self.table.remove(&flow) else {
            return;
        };
        if reset {
            let (mac, seq, ack) = (tcb.peer_mac, tcb.snd_nxt, tcb.rcv_nxt);
            self.queue(flow, (mac, tcb.window), seq, ack, RST | ACK, &[]);
        }
        if let Some(then) = tcb.session.next_try(&self.cfg.banners) {
            self.reconnect(flow, tcb.peer_mac, then);
        }
        self.found.clear();
        tcb.session.finish(&self.cfg.banners, &mut self.found);
        for f in self.found.drain(..) {
            self.counters.banners += 1;
            self.records.push_back(Record::Banner(BannerRecord {
                time: self.now_unix,
                ip: flow.them,
                ip_proto: 6,
                port: flow.port_them,
                app_proto: f.app,
                ttl: tcb.ttl,
                banner: f.text,
            }));
        }
        self.counters.closed += 1;
        self.counters.active = self.table.len() as u64;
    }

    /// Queues one segment: its header fields, its payload copied into the arena.
    fn queue(&mut self, flow: Flow, to: ([u8; 6], u16), seq: u32, ack: u32, flags: u8, p: &[u8]) {
        let at = self.out_bytes.len() as u32;
        self.out_bytes.extend_from_slice(p);
        let (dst_mac, window) = to;
        self.out.push_back(Queued {
            flow,
            dst_mac,
            window,
            seq,
            ack,
            flags,
            at,
            len: p.len() as u32,
        });
        self.counters.segments_out += 1;
    }

    fn emit(&mut self, flow: Flow, flags: u8, payload: &[u8]) {
        let Some(seq) = self.table.get(&flow).map(|t| t.snd_nxt) else {
            return;
        };
        self.emit_at(flow, seq, flags, payload);
    }

    fn emit_at(&mut self, flow: Flow, seq: u32, flags: u8, payload: &[u8]) {
        let Some(tcb) = self.table.get(&flow) else {
            return;
        };
        let (to, ack) = ((tcb.peer_mac, tcb.window), tcb.rcv_nxt);
        self.queue(flow, to, seq, ack, flags, payload);
    }
}

/// A segment waiting to be written into a transmit frame.
struct Queued {
    flow: Flow,
    dst_mac: [u8; 6],
    window: u16,
    seq: u32,
    ack: u32,
    flags: u8,
    /// Its payload: `out_bytes[at..at + len]`.
    at: u32,
    len: u32,
}

fn rto(retries: u8) -> u64 {
    RTO_MS << retries.min(6)
}

/// The builder of an Ethernet frame carrying one TCP segment from us (`flow.me`) to the peer;
/// `None` when the addresses' families differ.
fn segment_builder(
    h: &FrameHeader,
    flow: &Flow,
    (seq, ack, window): (u32, u32, u16),
    flags: u8,
) -> Option<PacketBuilderStep<TcpHeader>> {
    let mut b = ip_builder(h, flow)?.tcp(flow.port_me, flow.port_them, seq, window);
    if flags & SYN != 0 {
        b = b.syn();
    }
    if flags & ACK != 0 {
        b = b.ack(ack);
    }
    if flags & RST != 0 {
        b = b.rst();
    }
    if flags & FIN != 0 {
        b = b.fin();
    }
    if flags & PSH != 0 {
        b = b.psh();
    }
    Some(b)
}

/// A frame of one TCP segment from us (`flow.me`) to the peer (see [`segment_builder`]),
/// written in place into `out` and padded with zeros to the Ethernet minimum: the receive
/// path's RSTs and the stack's segments, straight into a driver's transmit frame. Its length,
/// or `None` when it does not fit or the families differ.
pub fn write_tcp_frame(
    h: &FrameHeader,
    flow: &Flow,
    seq_ack_window: (u32, u32, u16),
    flags: u8,
    payload: &[u8],
    out: &mut [u8],
) -> Option<usize> {
    let b = segment_builder(h, flow, seq_ack_window, flags)?;
    let len = b.size(payload.len());
    let padded = len.max(MIN_FRAME);
    let frame = out.get_mut(..padded)?;
    b.write(&mut std::io::Cursor::new(&mut frame[..]), payload)
        .ok()?;
    frame[len..].fill(0);
    Some(padded)
}

/// A hashed timer wheel with lazy deletion: an entry whose connection has since been filed
/// under another deadline (or is gone) is skipped when its slot comes round.
struct Wheel {
    slots: Vec<Vec<(Flow, u64)>>,
    /// The next tick to look at (none before the first schedule or expiry).
    cursor: Option<u64>,
    /// Reused buffer of due entries.
    due: Vec<(Flow, u64)>,
}

impl Wheel {
    fn new() -> Self {
        Self {
            slots: vec![Vec::new(); SLOTS],
            cursor: None,
            due: Vec::new(),
        }
    }

    fn schedule(&mut self, flow: Flow, deadline: u64, now: u64) {
        let cursor = *self.cursor.get_or_insert(now / TICK_MS);
        let tick = (deadline / TICK_MS).max(cursor);
        self.slots[(tick % SLOTS as u64) as usize].push((flow, deadline));
    }

    /// Moves the entries due by `now` into `due`; later ones in the slots passed stay. The
    /// cursor stays on the current tick: an entry due later in it is looked at next time.
    fn expire(&mut self, now: u64, due: &mut Vec<(Flow, u64)>) {
        let now_tick = now / TICK_MS;
        let cursor = *self.cursor.get_or_insert(now_tick);
        if now_tick < cursor {
            return;
        }
        let span = (now_tick - cursor + 1).min(SLOTS as u64);
        for t in 0..span {
            let slot = &mut self.slots[((cursor + t) % SLOTS as u64) as usize];
            let mut i = 0;
            while i < slot.len() {
                if slot[i].1 <= now {
                    due.push(slot.swap_remove(i));
                } else {
                    i += 1;
                }
            }
        }
        self.cursor = Some(now_tick);
    }
}

#[cfg(test)]
mod tests;

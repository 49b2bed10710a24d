//! The reply classifier, sans-IO: a frame in, at most one result and at most one frame to send
//! back out (an answer). Keeps only IP packets to our addresses (and, for TCP and UDP, source
//! ports) and drops TCP segments whose checksum fails; what a frame means and how it is answered
//! is its probe kind's business ([`crate::probe`]: [`Probes::classify`] for IP packets,
//! [`Probes::classify_link`] for frames without an IP header, such as ARP). The classifier acts
//! on the [`Verdict`] with no per-kind code: a reply ([`ProbeReply`]) is reported once per
//! (address, protocol, port) and its [`Answer`] written ([`probe::write_answer`]; for TCP SYN a
//! SYN-ACK acknowledging our cookie is open and answered with a RST, a RST closed); a host that
//! answered a sweep ([`HostUp`]) is reported once per address; a question on the link
//! ([`LinkAnswer`]: an ARP request, or an ICMPv6 Neighbor Solicitation read here with
//! [`crate::ndp`], for a spoofed source address) is answered ([`probe::write_link_answer`]).
//! With `--banners` a SYN-ACK opens a connection in this core's [`Stack`] instead, and the
//! connection's later segments go there; the stack's segments and banner records wait in it
//! until the receive loop takes them ([`Classifier::poll_transmit`] writes one into a transmit
//! frame, [`Classifier::poll_record`]). Everything else is counted and dropped; any byte
//! sequence is safe to feed in.

use crate::canary::{self, Canaries};
use crate::cookie::CookieKey;
use crate::counters::{ClassifierCounters, TcpCounters};
use crate::coverage::{CaptureCounters, Captures};
use crate::dedup::Dedup;
use crate::frame::{Flow, FrameHeader, Link};
use crate::ndp::{self, SolicitationCheck};
use crate::output::StatusRecord;
use crate::output::{Record, Status};
use crate::plan::source::Source;
use crate::probe::raw_ip::RawProtos;
use crate::probe::udp::UdpIds;
use crate::probe::{
    self, Answer, HostUp, LinkAnswer, ProbeReply, Probes, ReplyAddrs, Scan, SynAck, Verdict,
};
use crate::rtt::RttHistogram;
use crate::tcp::{Segment, Stack, TcpConfig};
use etherparse::{NetSlice, SlicedPacket, TransportSlice};
use std::net::IpAddr;
use std::sync::Arc;

/// What the receive side needs to know about the scan.
#[derive(Clone, Debug)]
pub struct ClassifierConfig {
    pub key: CookieKey,
    /// Our source addresses and ports (the same as the transmit side's).
    pub source: Source,
    /// Our MAC and VLAN tag (answers go out with [`ANSWER_TTL`], not the link's TTL).
    pub link: Link,
    /// Answer ARP requests for our IPv4 source addresses (set when they are not the kernel's).
    pub answer_arp: bool,
    /// Answer Neighbor Solicitations for our IPv6 source addresses (set when they are not the
    /// kernel's).
    pub answer_nd: bool,
    /// Answer each SYN-ACK with a RST, so the target frees its half-open connection.
    pub send_rst: bool,
    /// Report closed ports (RST) too (`--show closed`).
    pub report_closed: bool,
    /// Report open ports (default; `--noshow open` clears it).
    pub report_open: bool,
    /// Buckets of the de-duplication table (rounded up to a power of two; 8 entries of 8 bytes
    /// each; see [`crate::dedup::buckets_for`]).
    pub dedup_buckets: usize,
    /// Banner grabbing (`--banners`): open ports get a connection in a user-mode TCP stack.
    pub banners: Option<TcpConfig>,
    /// An ARP sweep runs (`--arp`): ARP replies and Neighbor Advertisements to our addresses
    /// report their sender `up`.
    pub arp_scan: bool,
    /// Where the UDP payloads sent carry the cookie, per port.
    pub udp_ids: UdpIds,
    /// The IP protocols probed (`O:`); empty when the scan sends no raw IP probe.
    pub raw_protos: RawProtos,
    /// `--rawudp`: a UDP reply whose protocol was parsed is reported raw too.
    pub raw_udp: bool,
    /// Probes per target (`--retries + 1`): a TCP reply may answer any of them.
    pub attempts: u16,
    /// Keep the open TCP ports' capture histories (buckets of the table, as for
    /// `dedup_buckets`) for the coverage estimate; `None`: not kept.
    pub capture_buckets: Option<usize>,
    /// The scan's canary ports (`--canaries`): a SYN-ACK from one marks its host instead of
    /// reporting an open port.
    pub canaries: Option<Arc<Canaries>>,
}

impl ClassifierConfig {
    /// A scan with `key` from `source`: our link's MAC zero, open ports reported and their
    /// SYN-ACKs answered with a RST, closed ones not reported, no ARP or ND answers, sweep or
    /// banners, a 64-bucket de-duplication table, the built-in UDP payloads' cookie places. Change what
    /// differs with struct update syntax: `ClassifierConfig { link, ..ClassifierConfig::new(k, s) }`.
    pub fn new(key: CookieKey, source: Source) -> Self {
        Self {
            key,
            source,
            link: Link::default(),
            answer_arp: false,
            answer_nd: false,
            send_rst: true,
            report_closed: false,
            report_open: true,
            dedup_buckets: 64,
            banners: None,
            raw_udp: false,
            arp_scan: false,
            udp_ids: UdpIds::builtin(),
            raw_protos: RawProtos::default(),
            attempts: 1,
            capture_buckets: None,
            canaries: None,
        }
    }
}

/// The outcome of one frame.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FrameOutcome {
    /// A new result to report.
    pub record: Option<Record>,
    /// What a UDP reply said (reported with the port, as the original does, with or without
    /// `--banners`).
    pub banner: Option<Record>,
    /// The same reply's raw bytes beside its parsed banner (`--rawudp`).
    pub raw_banner: Option<Record>,
    /// Length of a frame written into the answer buffer to send back out (0: none).
    pub answer_len: usize,
}

/// One receive core's state.
pub struct Classifier {
    cfg: ClassifierConfig,
    dedup: Dedup,
    /// The open TCP ports' capture histories (`--retries` scans without banners).
    captures: Option<Captures>,
    stack: Option<Stack>,
    counters: ClassifierCounters,
    /// The banner stack's counters as of its last change.
    tcp: TcpCounters,
    /// Round-trip times of fresh SYN-ACKs that echo our timestamp (`--metrics`).
    rtt: Option<Arc<RttHistogram>>,
    /// The monotonic clock (ms) as of the last [`Classifier::tick`].
    now_ms: u64,
}

/// TTL / hop limit of the RSTs and ABORTs the classifier answers with, whatever `--ttl` says.
pub const ANSWER_TTL: u8 = 255;

/// Largest frame `handle` writes into the answer buffer.
pub const MAX_ANSWER: usize = 128;

impl Classifier {
    pub fn new(cfg: ClassifierConfig) -> Self {
        Self {
            dedup: Dedup::new(cfg.dedup_buckets, cfg.key),
            captures: (cfg.capture_buckets)
                .filter(|_| cfg.attempts > 1)
                .map(|b| Captures::new(b, cfg.key, cfg.attempts)),
            stack: cfg.banners.clone().map(|t| Stack::new(t, &cfg.key)),
            cfg,
            counters: ClassifierCounters::default(),
            tcp: TcpCounters::default(),
            rtt: None,
            now_ms: 0,
        }
    }

    /// Writes the banner stack's next segment (an ACK, a hello, a RST) into `buf`, a transmit
    /// frame; its length, or `None` when nothing waits.
    pub fn poll_transmit(&mut self, buf: &mut [u8]) -> Option<usize> {
        self.stack.as_mut()?.poll_transmit(buf)
    }

    /// Drops the stack's waiting segments (no room to send them now); returns how many.
    pub fn discard_transmit(&mut self) -> usize {
        self.stack.as_mut().map_or(0, Stack::discard_transmit)
    }

    /// The next banner record found by the stack.
    pub fn poll_record(&mut self) -> Option<Record> {
        self.stack.as_mut()?.poll_record()
    }

    /// Whether a banner stack runs here (its timers need [`Classifier::tick`]).
    pub fn grabs_banners(&self) -> bool {
        self.stack.is_some()
    }

    /// Records the round trip of every fresh SYN-ACK that echoes our timestamp into `h`.
    pub fn measure_rtt(&mut self, h: Arc<RttHistogram>) {
        self.rtt = Some(h);
    }

    /// Advances the clock (the banner stack's timers run here) and copies the stack's counters.
    pub fn tick(&mut self, now_ms: u64, now_unix: u32) {
        self.now_ms = now_ms;
        if let Some(st) = self.stack.as_mut() {
            st.poll(now_ms, now_unix);
            self.sync_tcp_counters();
        }
    }

    /// Ends every banner connection (the scan is over).
    pub fn close_connections(&mut self) {
        if let Some(st) = self.stack.as_mut() {
            st.close_all();
            self.sync_tcp_counters();
        }
    }

    fn sync_tcp_counters(&mut self) {
        if let Some(st) = &self.stack {
            self.tcp = st.counters;
        }
    }

    /// What this core has classified so far.
    pub fn counters(&self) -> &ClassifierCounters {
        &self.counters
    }

    /// The banner stack's counters (all zero without `--banners`).
    /// The capture histories' tallies (`None` when the scan keeps none).
    pub fn capture_counters(&self) -> Option<&CaptureCounters> {
        self.captures.as_ref().map(Captures::counters)
    }

    pub fn tcp_counters(&self) -> &TcpCounters {
        &self.tcp
    }

    /// Handles one received frame at `now` (Unix seconds). A frame to send back is written to
    /// `answer` (at least [`MAX_ANSWER`] bytes).
    pub fn handle(&mut self, frame: &[u8], now: u32, answer: &mut [u8]) -> FrameOutcome {
        self.counters.frames += 1;
        let mut out = FrameOutcome::default();
        let Ok(pkt) = SlicedPacket::from_ethernet(frame) else {
            self.counters.malformed += 1;
            return out;
        };
        let them_mac = pkt_src_mac(frame);
        let Some(net) = &pkt.net else {
            let verdict = Probes::classify_link(frame, &self.scan());
            // A frame without an IP header is no probe's reply: its verdict is never one.
            let _ = self.settle(verdict, now, answer, &mut out);
            return out;
        };
        let transport = pkt.transport.as_ref();
        if self.cfg.answer_nd
            && self.solicitation(net, transport, them_mac, (now, &mut *answer, &mut out))
        {
            return out;
        }
        let Some(addrs) = self.ours(net, them_mac) else {
            self.counters.not_ours += 1;
            return out;
        };
        let ReplyAddrs { them, me, ttl, .. } = addrs;
        // A TCP segment damaged on the way is dropped here: a flipped bit could turn an RST
        // into a SYN-ACK, or change a banner's bytes.
        if let Some(TransportSlice::Tcp(tcp)) = &pkt.transport {
            if !checksum::tcp_checksum_holds(them, me, tcp.slice()) {
                self.counters.malformed += 1;
                return out;
            }
        }
        let Some(verdict) = self.transport_verdict(net, pkt.transport.as_ref(), &addrs) else {
            return out;
        };
        let Some(r) = self.settle(verdict, now, answer, &mut out) else {
            return out;
        };
        let open = r.status == Status::Open;
        if open && r.ip_proto == 6 && self.is_canary(&r) {
            self.canary(&addrs, &r, (now, answer), &mut out);
            return out;
        }
        let fresh = self.dedup.insert(
            r.them,
            u32::from(r.ip_proto) << 16 | u32::from(r.port_them),
            open,
        );
        if let (Some(c), true, 6) = (self.captures.as_mut(), open, r.ip_proto) {
            c.record(r.them, 6 << 16 | u32::from(r.port_them), r.attempt);
        }
        match r.answer {
            Answer::Connect(syn_ack) => {
                if let (Some(h), Some(echo), true) = (&self.rtt, syn_ack.tsecr, fresh) {
                    h.record_echo(self.now_ms, echo);
                }
                self.answer_syn_ack(&addrs, &r, syn_ack, fresh, answer, &mut out);
            }
            // Every one, repeats too, is answered.
            Answer::Abort { .. } => self.send_answer(&addrs, &r, answer, &mut out),
            Answer::Nothing | Answer::Banner(_) => {}
        }
        if !fresh {
            self.counters.duplicates += 1;
            return out;
        }
        self.counters.ip_mismatch += u64::from(r.ip_mismatch);
        let report = if open {
            self.counters.open += 1;
            self.cfg.report_open
        } else {
            self.counters.closed += 1;
            self.cfg.report_closed
        };
        if report {
            out.record = Some(Record::Status(StatusRecord {
                mac: None,
                time: now,
                ip: r.them,
                ip_proto: r.ip_proto,
                port: r.port_them,
                status: r.status,
                reason: r.reason,
                ttl,
            }));
        }
        if open {
            out.banner = probe::banner_record(&r, now, ttl);
            let parsed = matches!(&out.banner, Some(Record::Banner(b)) if b.app_proto != 0);
            if parsed && self.cfg.raw_udp {
                out.raw_banner = probe::raw_banner_record(&r, now, ttl);
            }
        }
        out
    }

    /// Whether reply `r` comes from one of its host's canary ports.
    fn is_canary(&self, r: &ProbeReply<'_>) -> bool {
        (self.cfg.canaries.as_ref()).is_some_and(|c| c.is_canary(r.them, r.port_them))
    }

    /// A SYN-ACK from a canary port: answered with a RST (never a banner connection), counted,
    /// and the host's first one on this core makes its mark record.
    fn canary(
        &mut self,
        a: &ReplyAddrs,
        r: &ProbeReply<'_>,
        (now, answer): (u32, &mut [u8]),
        out: &mut FrameOutcome,
    ) {
        self.counters.canary_answers += 1;
        if self.cfg.send_rst {
            self.send_answer(a, r, answer, out);
        }
        if self.dedup.insert(r.them, canary::MARK_SLOT, true) {
            self.counters.canary_marks += 1;
            out.record = Some(canary::mark_record(r.them, r.port_them, a.ttl, now));
        }
    }

    /// What this core reads received frames against (its configuration, borrowed).
    fn scan(&self) -> Scan<'_> {
        Scan {
            key: &self.cfg.key,
            source: &self.cfg.source,
            udp_ids: &self.cfg.udp_ids,
            arp_scan: self.cfg.arp_scan,
            answer_arp: self.cfg.answer_arp,
            raw_protos: &self.cfg.raw_protos,
            attempts: self.cfg.attempts,
        }
    }

    /// Acts on a verdict that is no reply to a probe: counts it, reports a host that answered a
    /// sweep, writes the answer to a question on the link into `answer`. A reply is returned
    /// for the caller to report and answer.
    fn settle<'a>(
        &mut self,
        verdict: Verdict<'a>,
        now: u32,
        answer: &mut [u8],
        out: &mut FrameOutcome,
    ) -> Option<ProbeReply<'a>> {
        match verdict {
            Verdict::Reply(r) => return Some(r),
            Verdict::HostUp(h) => out.record = self.host_up(&h, now),
            Verdict::Answer(a) => {
                match a {
                    LinkAnswer::Arp(_) => self.counters.arp_answered += 1,
                    LinkAnswer::Nd(_) => self.counters.nd_answered += 1,
                }
                out.answer_len = probe::write_link_answer(&a, &self.cfg.link, answer);
            }
            Verdict::BadCookie => self.counters.bad_cookie += 1,
            Verdict::NotOurs => self.counters.not_ours += 1,
            Verdict::IcmpError => self.counters.icmp_errors += 1,
        }
        None
    }

    /// An ICMPv6 Neighbor Solicitation (to a solicited-node group, so read before the address
    /// check): one for our address is answered, a malformed one counted and dropped. `false`:
    /// the packet is not one.
    fn solicitation(
        &mut self,
        net: &NetSlice<'_>,
        transport: Option<&TransportSlice<'_>>,
        them_mac: [u8; 6],
        (now, answer, out): (u32, &mut [u8], &mut FrameOutcome),
    ) -> bool {
        let verdict = match ndp::solicitation_in(net, transport, them_mac) {
            SolicitationCheck::NotOne => return false,
            SolicitationCheck::Malformed => {
                self.counters.malformed += 1;
                return true;
            }
            SolicitationCheck::Valid(ns) if self.cfg.source.owns_v6(u128::from(ns.target)) => {
                Verdict::Answer(LinkAnswer::Nd(ns))
            }
            SolicitationCheck::Valid(_) => Verdict::NotOurs,
        };
        let _ = self.settle(verdict, now, answer, out);
        true
    }

    /// What an IP packet to our address means (its probe kind says, [`Probes::classify`]).
    /// `None` when it was handled here instead (a segment of a banner connection).
    fn transport_verdict<'a>(
        &mut self,
        net: &NetSlice<'a>,
        transport: Option<&TransportSlice<'a>>,
        a: &ReplyAddrs,
    ) -> Option<Verdict<'a>> {
        let Some(transport) = transport else {
            return Some(Probes::classify(net, None, a, &self.scan()));
        };
        // TCP and UDP replies come to one of our source ports; ICMP carries our cookie instead.
        let port_me = match transport {
            TransportSlice::Tcp(t) => Some(t.destination_port()),
            TransportSlice::Udp(u) => Some(u.destination_port()),
            _ => None,
        };
        if port_me.is_some_and(|p| !self.cfg.source.owns_port(p)) {
            return Some(Verdict::NotOurs);
        }
        // A segment of a connection the banner stack holds goes to it first.
        if let (Some(st), TransportSlice::Tcp(tcp)) = (self.stack.as_mut(), transport) {
            let flow = Flow {
                them: a.them,
                me: a.me,
                port_them: tcp.source_port(),
                port_me: tcp.destination_port(),
            };
            if st.contains(&flow) {
                let seg = Segment {
                    flags: tcp.slice().get(13).copied().unwrap_or(0),
                    seq: tcp.sequence_number(),
                    ack: tcp.acknowledgment_number(),
                    payload: tcp.payload(),
                };
                st.segment(flow, &seg);
                self.sync_tcp_counters();
                return None;
            }
        }
        Some(Probes::classify(net, Some(transport), a, &self.scan()))
    }

    /// A host that answered a sweep is `up`, reported once per address (no port) with its MAC.
    fn host_up(&mut self, h: &HostUp, now: u32) -> Option<Record> {
        if !self.dedup.insert(h.ip, 0, true) {
            self.counters.duplicates += 1;
            return None;
        }
        self.counters.open += 1;
        Some(probe::host_record(h, now))
    }

    /// The addresses of an IP packet sent to one of our source addresses, from `them_mac`.
    fn ours(&self, net: &NetSlice<'_>, them_mac: [u8; 6]) -> Option<ReplyAddrs> {
        match net {
            NetSlice::Ipv4(ip) => {
                let h = ip.header();
                self.cfg
                    .source
                    .owns_v4(u32::from_be_bytes(h.destination()))
                    .then(|| ReplyAddrs {
                        them: IpAddr::V4(h.source_addr()),
                        me: IpAddr::V4(h.destination_addr()),
                        ttl: h.ttl(),
                        them_mac,
                    })
            }
            NetSlice::Ipv6(ip) => {
                let h = ip.header();
                self.cfg
                    .source
                    .owns_v6(u128::from_be_bytes(h.destination()))
                    .then(|| ReplyAddrs {
                        them: IpAddr::V6(h.source_addr()),
                        me: IpAddr::V6(h.destination_addr()),
                        ttl: h.hop_limit(),
                        them_mac,
                    })
            }
        }
    }

    /// A SYN-ACK carrying our cookie: the banner stack takes a fresh one (it sends its own
    /// ACK); otherwise it is answered with a RST written into `answer`.
    fn answer_syn_ack(
        &mut self,
        a: &ReplyAddrs,
        r: &ProbeReply<'_>,
        syn_ack: SynAck,
        fresh: bool,
        answer: &mut [u8],
        out: &mut FrameOutcome,
    ) {
        let flow = reply_flow(a, r);
        let peer_mac = a.them_mac;
        // A port answers once, except to the banner stack's second connection (TLS 1.3).
        let fresh = fresh || self.stack.as_ref().is_some_and(|st| st.awaits(&flow));
        if let (true, Some(st)) = (fresh, self.stack.as_mut()) {
            let seg = Segment {
                flags: syn_ack.flags,
                seq: syn_ack.seq,
                ack: syn_ack.ack,
                payload: &[],
            };
            let scales = syn_ack.wscale.is_some();
            let taken = st.open_scaled(flow, peer_mac, a.ttl, &seg, syn_ack.mss, scales);
            self.sync_tcp_counters();
            if taken {
                return;
            }
        }
        if self.cfg.send_rst {
            self.send_answer(a, r, answer, out);
        }
    }

    /// Writes the frame that answers reply `r` (a RST, an ABORT: [`probe::write_answer`]) to
    /// its sender into `answer`, and counts it.
    fn send_answer(
        &mut self,
        a: &ReplyAddrs,
        r: &ProbeReply<'_>,
        answer: &mut [u8],
        out: &mut FrameOutcome,
    ) {
        let header = self.answer_header(a.them_mac);
        let flow = reply_flow(a, r);
        out.answer_len = probe::write_answer(r, &header, &flow, answer);
        self.counters.rst_sent += u64::from(out.answer_len > 0);
    }

    /// The header of an answer (a RST, an ABORT) to the peer at `dst_mac`.
    fn answer_header(&self, dst_mac: [u8; 6]) -> FrameHeader {
        FrameHeader {
            link: Link {
                ttl: ANSWER_TTL,
                ..self.cfg.link
            },
            dst_mac,
        }
    }
}

fn pkt_src_mac(frame: &[u8]) -> [u8; 6] {
    let mut m = [0u8; 6];
    m.copy_from_slice(&frame[6..12]);
    m
}

/// The four-tuple of reply `r` to our address in `a`.
fn reply_flow(a: &ReplyAddrs, r: &ProbeReply<'_>) -> Flow {
    Flow {
        them: a.them,
        me: a.me,
        port_them: r.port_them,
        port_me: r.port_me,
    }
}

mod checksum;

#[cfg(test)]
mod tests;

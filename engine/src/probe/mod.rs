//! Probe kinds. Each kind has one module that owns its templates, writes its probe for one
//! target in place ([`Probes::fill`], called by the transmit loop), tells what a received frame
//! addressed to us means and what to do about it (called by the classifier: [`Probes::classify`]
//! for IP packets, [`Probes::classify_link`] for frames without an IP header) and writes that
//! answer. A [`Verdict`] is a reply to a probe ([`ProbeReply`], carrying its [`Answer`], written
//! by [`write_answer`]: a RST, an ABORT), a host that answered a sweep ([`HostUp`], reported by
//! [`host_record`]), or a question on the link to answer ([`LinkAnswer`], written by
//! [`write_link_answer`]: an ARP reply or a Neighbor Advertisement for our spoofed address; the
//! classifier reads Neighbor Solicitations itself, with [`crate::ndp`], since they come to a
//! multicast group rather than to our address). What the classifier reads
//! replies against (key, addresses, ports, the sweep and ARP-answering switches) is one
//! [`Scan`]. The loops and the classifier only dispatch here, so a new kind (UDP with payloads,
//! ICMP echo, ARP, SCTP) is a module and an arm in each `match` below, and touches neither loop
//! nor [`crate::classify`].
//!
//! Built: TCP SYN ([`tcp_syn`]), UDP with payloads ([`udp`]), ICMP echo ([`icmp_echo`]), the
//! ICMP errors that quote our probes ([`icmp_error`]), ARP/NDP sweeps ([`arp_request`]) and SCTP
//! INIT ([`sctp_init`]; its replies are the IP payload, which etherparse does not slice) and
//! raw IP protocols (`O:`, [`raw_ip`]: any reply in the probed protocol, or an ICMP error about
//! the probe).

pub mod arp_request;
pub mod icmp_echo;
pub mod icmp_error;
pub mod raw_ip;
pub mod sctp_init;
pub mod tcp_syn;
pub mod udp;

use crate::arp::ArpRepr;
use crate::cookie::CookieKey;
use crate::frame::{Flow, FrameHeader, Link};
use crate::output::Status;
use crate::output::{BannerRecord, Record, StatusRecord};
use crate::plan::ports::Proto;
use crate::plan::source::{Source, SourceChoice};
use crate::plan::Target;
use crate::template::{TemplateError, TemplateParams};
use etherparse::{NetSlice, TransportSlice};
use std::net::IpAddr;

/// The addresses of a reply to one of our source addresses (already checked as ours).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplyAddrs {
    pub them: IpAddr,
    pub me: IpAddr,
    pub ttl: u8,
    /// The frame's Ethernet source (the sender, or the router that forwarded it).
    pub them_mac: [u8; 6],
}

/// What received frames are read against: this scan's cookie key, source addresses and ports,
/// UDP cookie places, and what it does on the link. Borrowed from the classifier's
/// configuration per frame.
#[derive(Clone, Copy, Debug)]
pub struct Scan<'s> {
    pub key: &'s CookieKey,
    pub source: &'s Source,
    pub udp_ids: &'s udp::UdpIds,
    /// An ARP sweep runs (`--arp`): ARP replies and Neighbor Advertisements to our addresses
    /// report their sender up ([`Verdict::HostUp`]).
    pub arp_scan: bool,
    /// Answer ARP requests for our IPv4 source addresses ([`Verdict::Answer`]).
    pub answer_arp: bool,
    /// The IP protocols probed (`O:`): replies in them, and ICMP errors about them, are read.
    pub raw_protos: &'s raw_ip::RawProtos,
    /// Probes per target (`--retries + 1`): a SYN-ACK or RST may acknowledge any of them.
    pub attempts: u16,
}

/// A reply to one of our probes, as its kind reads it; `'a` is the received frame's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProbeReply<'a> {
    /// The probed address: the reply's source, or the destination an ICMP error quotes.
    pub them: IpAddr,
    /// IP protocol of the result (6 TCP, 17 UDP, 1 ICMP; 132 SCTP to come).
    pub ip_proto: u8,
    pub port_them: u16,
    pub port_me: u16,
    pub status: Status,
    /// What the reply was (for TCP its flags), masscan's `reason`.
    pub reason: u8,
    /// What the scanner does about it beyond reporting the status.
    pub answer: Answer<'a>,
    /// A UDP reply that did not bring back our cookie but reads as its port's protocol: another
    /// address of the host answered (reported with the original's `IP-MISMATCH` mark).
    pub ip_mismatch: bool,
    /// Which of the target's probes it answers (a TCP SYN's attempt rides in its cookie; 0
    /// for the other kinds).
    pub attempt: u16,
}

/// What the scanner does about a reply, as its kind says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer<'a> {
    /// Nothing beyond reporting the status.
    Nothing,
    /// A SYN-ACK: the banner stack takes a fresh one (a connection opens); otherwise it is
    /// answered with a RST ([`write_answer`]) unless RSTs are off.
    Connect(SynAck),
    /// Every such reply, repeats too, is answered with an ABORT carrying the peer's tag (an
    /// SCTP INIT ACK: the peer keeps no half-open association).
    Abort { peer_tag: u32 },
    /// The reply's payload is its port's banner, reported with a fresh open port (UDP).
    Banner(&'a [u8]),
}

/// The numbers of a SYN-ACK.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SynAck {
    pub seq: u32,
    pub ack: u32,
    pub flags: u8,
    pub mss: Option<u16>,
    /// The window scale option's shift, when the SYN-ACK has one.
    pub wscale: Option<u8>,
    /// The timestamp option's echo of our SYN's send time (ms), when both sides sent one.
    pub tsecr: Option<u32>,
}

/// A host on our link that answered a sweep (an ARP reply, a Neighbor Advertisement): it is
/// `up`, reported once per address, with no port, with its MAC ([`host_record`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostUp {
    pub ip: IpAddr,
    pub mac: [u8; 6],
}

/// A frame on the link that is no reply to a probe but is answered all the same, with our MAC
/// and VLAN ([`write_link_answer`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkAnswer {
    /// An ARP request for our (spoofed) IPv4 source address: answered with an ARP reply.
    Arp(ArpRepr),
    /// A Neighbor Solicitation for our (spoofed) IPv6 source address: answered with a Neighbor
    /// Advertisement ([`crate::ndp::write_advertisement`]).
    Nd(crate::ndp::Solicitation),
}

/// What a probe kind made of a received frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict<'a> {
    /// A reply to one of our probes.
    Reply(ProbeReply<'a>),
    /// A host answered a sweep (no cookie: any answer addressed to us during a sweep counts).
    HostUp(HostUp),
    /// A question on the link to answer; no result.
    Answer(LinkAnswer),
    /// To our address and port, but it does not carry our cookie.
    BadCookie,
    /// Not a reply to a probe of this scan (another protocol, port or kind of segment).
    NotOurs,
    /// An ICMP error about one of our probes that reports no port status (unreachable quoting
    /// a TCP SYN, host or network unreachable quoting a UDP probe): counted.
    IcmpError,
}

/// Every probe kind of a scan, built once before the threads start and shared by them.
#[derive(Clone, Debug)]
pub struct Probes {
    pub tcp_syn: tcp_syn::TcpSyn,
    pub icmp_echo: icmp_echo::IcmpEcho,
    pub udp: udp::UdpProbe,
    pub arp: arp_request::ArpRequest,
    pub sctp: sctp_init::SctpInit,
    pub raw_ip: raw_ip::RawIp,
}

impl Probes {
    /// Templates from the link facts: `v4` and `v6` differ in their destination MAC (each
    /// family's router). UDP probes carry the built-in payloads.
    pub fn new(v4: &TemplateParams, v6: &TemplateParams) -> Result<Self, TemplateError> {
        Self::with_udp_payloads(v4, v6, &crate::udp::payloads::builtin())
    }

    /// The same with these UDP payloads (the built-in ones and those of payload files).
    pub fn with_udp_payloads(
        v4: &TemplateParams,
        v6: &TemplateParams,
        payloads: &[crate::udp::Payload],
    ) -> Result<Self, TemplateError> {
        Ok(Self {
            tcp_syn: tcp_syn::TcpSyn::new(v4, v6)?,
            icmp_echo: icmp_echo::IcmpEcho::new(v4, v6)?,
            udp: udp::UdpProbe::new(v4, v6, payloads)?,
            arp: arp_request::ArpRequest::new(v4),
            sctp: sctp_init::SctpInit::new(v4, v6)?,
            raw_ip: raw_ip::RawIp::new(v4, v6)?,
        })
    }

    /// Writes the (first) probe for `t` from `src` into `frame`; its length (`Option` for a
    /// kind that sends nothing; every kind sends today).
    #[inline(always)]
    pub fn fill(
        &self,
        frame: &mut [u8],
        t: &Target,
        src: &SourceChoice<'_>,
        key: &CookieKey,
    ) -> Option<usize> {
        self.fill_variant(frame, t, (0, 0), src, key)
    }

    /// Whether the TCP SYNs carry their send time (a timestamp option), so a fill needs one.
    pub fn stamps(&self) -> bool {
        self.tcp_syn.v4.has_timestamp()
    }

    /// How many probes target `t` gets (a UDP port with several payloads: one each).
    #[inline(always)]
    pub fn variants(&self, t: &Target) -> u16 {
        match Proto::split(t.port) {
            (Proto::Udp, port) => self.udp.variants(port),
            _ => 1,
        }
    }

    /// Writes probe `variant` (below [`Probes::variants`]) for `t` into `frame`, sent at
    /// `stamp` (milliseconds, for the SYN's timestamp option when it has one).
    #[inline(always)]
    pub fn fill_variant(
        &self,
        frame: &mut [u8],
        t: &Target,
        (variant, stamp): (u16, u32),
        src: &SourceChoice<'_>,
        key: &CookieKey,
    ) -> Option<usize> {
        let (proto, port) = Proto::split(t.port);
        match proto {
            Proto::Tcp => Some(
                self.tcp_syn
                    .fill(frame, (t.ip, port, t.attempt), src, key, stamp),
            ),
            Proto::Udp => Some(self.udp.fill(frame, (t.ip, port, variant), src, key)),
            Proto::Icmp => Some(self.icmp_echo.fill(frame, t.ip, src, key)),
            Proto::Arp => Some(self.arp.fill(frame, t.ip, src)),
            Proto::Sctp => Some(self.sctp.fill(frame, t.ip, port, src, key)),
            Proto::Other => Some(self.raw_ip.fill(frame, t.ip, port as u8, src, key)),
        }
    }

    /// What a reply to our address (and, for TCP, UDP and SCTP, one of our ports in `source`)
    /// means: its transport as etherparse sliced it, or else its IP payload (SCTP, and any
    /// protocol a raw IP probe asked about).
    #[inline]
    pub fn classify<'a>(
        net: &NetSlice<'a>,
        transport: Option<&TransportSlice<'a>>,
        addrs: &ReplyAddrs,
        scan: &Scan<'_>,
    ) -> Verdict<'a> {
        let (key, source) = (scan.key, scan.source);
        let Some(transport) = transport else {
            let Some(p) = net.ip_payload_ref() else {
                return Verdict::NotOurs;
            };
            let v = if p.ip_number.0 == sctp_init::IPPROTO_SCTP {
                sctp_init::classify(p.payload, addrs, key, source)
            } else {
                Verdict::NotOurs
            };
            return match v {
                Verdict::NotOurs | Verdict::BadCookie if !scan.raw_protos.is_empty() => {
                    match raw_ip::classify(p.ip_number.0, addrs, scan.raw_protos) {
                        Verdict::NotOurs => v,
                        raw => raw,
                    }
                }
                v => v,
            };
        };
        match transport {
            TransportSlice::Tcp(tcp) => tcp_syn::classify(tcp, addrs, key, scan.attempts),
            TransportSlice::Udp(u) => udp::classify(u, addrs, key, source, scan.udp_ids),
            TransportSlice::Icmpv4(_) | TransportSlice::Icmpv6(_) => {
                if let Some(up) = arp_request::advertised(net, transport, addrs, scan) {
                    return Verdict::HostUp(up);
                }
                let raw = scan.raw_protos;
                match icmp_echo::classify(transport, addrs, key) {
                    Verdict::NotOurs => icmp_error::classify(transport, addrs, key, source, raw),
                    Verdict::BadCookie if !raw.is_empty() => {
                        match raw_ip::echo_reply(transport, addrs, key, raw) {
                            Verdict::NotOurs => Verdict::BadCookie,
                            v => v,
                        }
                    }
                    v => v,
                }
            }
        }
    }

    /// What a frame without an IP header means (ARP: [`arp_request`]).
    #[inline]
    pub fn classify_link<'a>(frame: &'a [u8], scan: &Scan<'_>) -> Verdict<'a> {
        arp_request::classify(frame, scan)
    }
}

/// Writes the frame that answers `r` (its [`Answer`]: a RST for a SYN-ACK, an ABORT) to the
/// peer of `flow` with `header` into `out`; its length, 0 when the answer sends no frame or it
/// does not fit.
#[inline]
pub fn write_answer(
    r: &ProbeReply<'_>,
    header: &FrameHeader,
    flow: &Flow,
    out: &mut [u8],
) -> usize {
    match r.answer {
        Answer::Connect(sa) => tcp_syn::write_rst(header, flow, sa.ack, out),
        Answer::Abort { peer_tag } => sctp_init::write_abort(header, flow, peer_tag, out),
        Answer::Nothing | Answer::Banner(_) => 0,
    }
}

/// Writes the frame that answers a question on the link (`a`, from [`Verdict::Answer`]) from
/// our `link` (its MAC and VLAN) into `out`; its length.
#[inline]
pub fn write_link_answer(a: &LinkAnswer, link: &Link, out: &mut [u8]) -> usize {
    match a {
        LinkAnswer::Arp(request) => arp_request::write_reply(request, link, out),
        LinkAnswer::Nd(ns) => crate::ndp::write_advertisement(ns, link.mac, link.vlan, out),
    }
}

/// The record of a host that answered a sweep, at `now`: `up` (ARP) with its MAC, no port.
pub fn host_record(h: &HostUp, now: u32) -> Record {
    Record::Status(StatusRecord {
        time: now,
        ip: h.ip,
        ip_proto: 0,
        port: 0,
        status: Status::Arp,
        reason: 0,
        ttl: 0,
        mac: Some(h.mac),
    })
}

/// The banner record of `r` when its answer is [`Answer::Banner`] (a UDP reply): its
/// protocol's parse, or its raw bytes.
pub fn banner_record(r: &ProbeReply<'_>, now: u32, ttl: u8) -> Option<Record> {
    let Answer::Banner(payload) = r.answer else {
        return None;
    };
    let found = crate::udp::banner(r.port_them, payload, r.ip_mismatch)?;
    Some(udp_banner(r, now, ttl, found))
}

/// The raw bytes of `r`'s UDP reply as a banner (app 0), even where its protocol is parsed
/// (`--rawudp`, as the original reports both).
pub fn raw_banner_record(r: &ProbeReply<'_>, now: u32, ttl: u8) -> Option<Record> {
    let Answer::Banner(payload) = r.answer else {
        return None;
    };
    let raw = payload.get(..payload.len().min(crate::udp::RAW_MAX))?;
    let mut found = crate::banner::Found::new(0, raw);
    if r.ip_mismatch {
        found.text.extend_from_slice(b" IP-MISMATCH");
    }
    (!raw.is_empty()).then(|| udp_banner(r, now, ttl, found))
}

fn udp_banner(r: &ProbeReply<'_>, now: u32, ttl: u8, found: crate::banner::Found) -> Record {
    Record::Banner(BannerRecord {
        time: now,
        ip: r.them,
        ip_proto: r.ip_proto,
        port: r.port_them,
        app_proto: found.app,
        ttl,
        banner: found.text,
    })
}

/// Test help: the verdict on a whole received frame.
#[cfg(test)]
pub(crate) fn classify_frame<'a>(frame: &'a [u8], key: &CookieKey, source: &Source) -> Verdict<'a> {
    classify_frame_raw(frame, key, source, &raw_ip::RawProtos::default())
}

/// Test help: the same in a scan that probes the IP protocols `raw_protos`.
#[cfg(test)]
pub(crate) fn classify_frame_raw<'a>(
    frame: &'a [u8],
    key: &CookieKey,
    source: &Source,
    raw_protos: &raw_ip::RawProtos,
) -> Verdict<'a> {
    use etherparse::SlicedPacket;
    let p = SlicedPacket::from_ethernet(frame).unwrap();
    let net = p.net.unwrap();
    let them_mac = frame[6..12].try_into().unwrap();
    let (them, me, ttl) = match &net {
        NetSlice::Ipv4(ip) => (
            IpAddr::V4(ip.header().source_addr()),
            IpAddr::V4(ip.header().destination_addr()),
            ip.header().ttl(),
        ),
        NetSlice::Ipv6(ip) => (
            IpAddr::V6(ip.header().source_addr()),
            IpAddr::V6(ip.header().destination_addr()),
            ip.header().hop_limit(),
        ),
    };
    let ids = udp::UdpIds::builtin();
    let scan = Scan {
        key,
        source,
        udp_ids: &ids,
        arp_scan: false,
        answer_arp: false,
        raw_protos,
        attempts: 1,
    };
    let addrs = ReplyAddrs {
        them,
        me,
        ttl,
        them_mac,
    };
    Probes::classify(&net, p.transport.as_ref(), &addrs, &scan)
}

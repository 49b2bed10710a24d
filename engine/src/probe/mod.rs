//! Probe kinds. Each kind has one module that owns its templates, writes its probe for one
//! target in place ([`Probes::fill`], called by the transmit loop) and tells what a reply
//! addressed to us means ([`Probes::classify`], called by the receive path). The two loops
//! only dispatch here, so a new kind (UDP with payloads, ICMP echo, ARP, SCTP) is a module and
//! an arm in each `match` below, and touches neither loop.
//!
//! Built: TCP SYN ([`tcp_syn`]), UDP with payloads ([`udp`]), ICMP echo ([`icmp_echo`]), the
//! ICMP errors that quote our probes ([`icmp_error`]), ARP/NDP sweeps ([`arp_request`]) and SCTP
//! INIT ([`sctp_init`]; its replies come to [`crate::classify`] as IP payload, which etherparse
//! does not slice). Raw IP protocols (`O:`) are listed by `-sL` but not sent.

pub mod arp_request;
pub mod icmp_echo;
pub mod icmp_error;
pub mod sctp_init;
pub mod tcp_syn;
pub mod udp;

use crate::cookie::CookieKey;
use crate::output::Status;
use crate::plan::ports::Proto;
use crate::plan::source::{Source, SourceChoice};
use crate::plan::Target;
use crate::template::{TemplateError, TemplateParams};
use etherparse::TransportSlice;
use std::net::IpAddr;

/// The addresses of a reply to one of our source addresses (already checked as ours).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplyAddrs {
    pub them: IpAddr,
    pub me: IpAddr,
    pub ttl: u8,
}

/// A reply to one of our probes, as its kind reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProbeReply {
    /// The probed address: the reply's source, or the destination an ICMP error quotes.
    pub them: IpAddr,
    /// IP protocol of the result (6 TCP, 17 UDP, 1 ICMP; 132 SCTP to come).
    pub ip_proto: u8,
    pub port_them: u16,
    pub port_me: u16,
    pub status: Status,
    /// What the reply was (for TCP its flags), masscan's `reason`.
    pub reason: u8,
    /// A SYN-ACK: what the banner stack needs to take the connection, and the RST to answer.
    pub syn_ack: Option<SynAck>,
    /// A UDP reply that did not bring back our cookie but reads as its port's protocol: another
    /// address of the host answered (reported with the original's `IP-MISMATCH` mark).
    pub ip_mismatch: bool,
    /// An SCTP INIT ACK: the peer's initiate tag, for the ABORT that answers it.
    pub abort_tag: Option<u32>,
}

/// The numbers of a SYN-ACK.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SynAck {
    pub seq: u32,
    pub ack: u32,
    pub flags: u8,
    pub mss: Option<u16>,
    /// The timestamp option's echo of our SYN's send time (ms), when both sides sent one.
    pub tsecr: Option<u32>,
}

/// What a probe kind made of a reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// A reply to one of our probes.
    Reply(ProbeReply),
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
        })
    }

    /// Writes the (first) probe for `t` from `src` into `frame`; its length, or `None` for a
    /// kind this build does not send.
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
            Proto::Tcp => Some(self.tcp_syn.fill(frame, (t.ip, port), src, key, stamp)),
            Proto::Udp => Some(self.udp.fill(frame, (t.ip, port, variant), src, key)),
            Proto::Icmp => Some(self.icmp_echo.fill(frame, t.ip, src, key)),
            Proto::Arp => Some(self.arp.fill(frame, t.ip, src)),
            Proto::Sctp => Some(self.sctp.fill(frame, t.ip, port, src, key)),
            Proto::Other => None,
        }
    }

    /// What the transport part of a reply to our address (and, for TCP and UDP, one of our
    /// ports in `source`) means.
    #[inline]
    pub fn classify(
        transport: &TransportSlice<'_>,
        addrs: &ReplyAddrs,
        key: &CookieKey,
        (source, udp_ids): (&Source, &udp::UdpIds),
    ) -> Verdict {
        match transport {
            TransportSlice::Tcp(tcp) => tcp_syn::classify(tcp, addrs, key),
            TransportSlice::Udp(u) => udp::classify(u, addrs, key, source, udp_ids),
            TransportSlice::Icmpv4(_) | TransportSlice::Icmpv6(_) => {
                match icmp_echo::classify(transport, addrs, key) {
                    Verdict::NotOurs => icmp_error::classify(transport, addrs, key, source),
                    v => v,
                }
            }
        }
    }
}

/// Test help: the verdict on a whole received frame.
#[cfg(test)]
pub(crate) fn classify_frame(frame: &[u8], key: &CookieKey, source: &Source) -> Verdict {
    use etherparse::{NetSlice, SlicedPacket};
    let p = SlicedPacket::from_ethernet(frame).unwrap();
    let (them, me, ttl) = match p.net.unwrap() {
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
    Probes::classify(
        &p.transport.unwrap(),
        &ReplyAddrs { them, me, ttl },
        key,
        (source, &ids),
    )
}

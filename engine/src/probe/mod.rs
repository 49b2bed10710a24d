//! Probe kinds. Each kind has one module that owns its templates, writes its probe for one
//! target in place ([`Probes::fill`], called by the transmit loop) and tells what a reply
//! addressed to us means ([`Probes::classify`], called by the receive path). The two loops
//! only dispatch here, so a new kind (UDP with payloads, ICMP echo, ARP, SCTP) is a module and
//! an arm in each `match` below, and touches neither loop.
//!
//! Built: TCP SYN ([`tcp_syn`]) and ICMP echo ([`icmp_echo`]). UDP, SCTP and ARP are planned and
//! listed by `-sL`; the binary refuses to send them until their modules exist.

pub mod icmp_echo;
pub mod tcp_syn;

use crate::cookie::CookieKey;
use crate::output::Status;
use crate::plan::Target;
use crate::ports::Proto;
use crate::source::SourceChoice;
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
    /// IP protocol of the result (6 TCP, 1 ICMP; 17 UDP and 132 SCTP to come).
    pub ip_proto: u8,
    pub port_them: u16,
    pub port_me: u16,
    pub status: Status,
    /// What the reply was (for TCP its flags), masscan's `reason`.
    pub reason: u8,
    /// A SYN-ACK: what the banner stack needs to take the connection, and the RST to answer.
    pub syn_ack: Option<SynAck>,
}

/// The numbers of a SYN-ACK.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SynAck {
    pub seq: u32,
    pub ack: u32,
    pub flags: u8,
    pub mss: Option<u16>,
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
}

/// Every probe kind of a scan, built once before the threads start and shared by them.
#[derive(Clone, Debug)]
pub struct Probes {
    pub tcp_syn: tcp_syn::TcpSyn,
    pub icmp_echo: icmp_echo::IcmpEcho,
}

impl Probes {
    /// Templates from the link facts: `v4` and `v6` differ in their destination MAC (each
    /// family's router).
    pub fn new(v4: &TemplateParams, v6: &TemplateParams) -> Result<Self, TemplateError> {
        Ok(Self {
            tcp_syn: tcp_syn::TcpSyn::new(v4, v6)?,
            icmp_echo: icmp_echo::IcmpEcho::new(v4, v6)?,
        })
    }

    /// Writes the probe for `t` from `src` into `frame`; its length, or `None` for a kind this
    /// build does not send.
    #[inline(always)]
    pub fn fill(
        &self,
        frame: &mut [u8],
        t: &Target,
        src: &SourceChoice<'_>,
        key: &CookieKey,
    ) -> Option<usize> {
        let (proto, port) = Proto::split(t.port);
        match proto {
            Proto::Tcp => Some(self.tcp_syn.fill(frame, t.ip, port, src, key)),
            Proto::Icmp => Some(self.icmp_echo.fill(frame, t.ip, src, key)),
            Proto::Udp | Proto::Sctp | Proto::Arp | Proto::Other => None,
        }
    }

    /// What the transport part of a reply to our address and port means.
    #[inline]
    pub fn classify(
        transport: &TransportSlice<'_>,
        addrs: &ReplyAddrs,
        key: &CookieKey,
    ) -> Verdict {
        match transport {
            TransportSlice::Tcp(tcp) => tcp_syn::classify(tcp, addrs, key),
            TransportSlice::Icmpv4(_) | TransportSlice::Icmpv6(_) => {
                icmp_echo::classify(transport, addrs, key)
            }
            _ => Verdict::NotOurs,
        }
    }
}

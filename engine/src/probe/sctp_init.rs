//! SCTP probes (`-pS:N`, RFC 9260): an INIT chunk per target whose initiate tag (and initial
//! TSN) is the cookie of the four addresses and ports. An INIT ACK whose verification tag is
//! our initiate tag means open; an ABORT carrying it means closed. An INIT ACK is answered with
//! an ABORT (verification tag: the peer's initiate tag), so no association stays half-open. The
//! frame comes from a template built once with etherparse; per probe: addresses, ports, the two
//! tags, the IPv4 checksum (incremental) and the CRC32c of the 32-byte SCTP packet (crc32c,
//! hardware-accelerated where the CPU has it).

use super::{tcp_syn, Answer, ProbeReply, ReplyAddrs, Verdict};
use crate::cookie::CookieKey;
use crate::frame::{fold, halves32, ip_builder, sum_words, Flow, FrameHeader, MIN_FRAME};
use crate::output::Status;
use crate::plan::source::Source;
use crate::plan::source::SourceChoice;
use crate::plan::TargetIp;
use crate::template::{ip_step, TemplateError, TemplateParams};
use etherparse::IpNumber;

pub const IPPROTO_SCTP: u8 = 132;
const INIT: u8 = 1;
const INIT_ACK: u8 = 2;
const ABORT: u8 = 6;
/// Common header (12) + INIT chunk (20).
const SCTP_LEN: usize = 32;
const MAX_LEN: usize = 14 + 4 + 40 + SCTP_LEN;

/// An INIT frame with the per-probe fields at zero.
#[derive(Clone, Debug)]
pub struct InitTemplate {
    bytes: [u8; MAX_LEN],
    frame_len: usize,
    ip_off: usize,
    sctp_off: usize,
    ip_sum: u64,
}

/// The INIT templates of a scan, one per address family.
#[derive(Clone, Debug)]
pub struct SctpInit {
    v4: InitTemplate,
    v6: InitTemplate,
}

/// The tag our INIT to this flow carries (never 0, which RFC 9260 forbids).
#[inline]
pub fn initiate_tag(cookie: u64) -> u32 {
    (cookie as u32).max(1)
}

impl SctpInit {
    pub fn new(v4: &TemplateParams, v6: &TemplateParams) -> Result<Self, TemplateError> {
        Ok(Self {
            v4: InitTemplate::new(v4, false)?,
            v6: InitTemplate::new(v6, true)?,
        })
    }

    /// Writes the INIT to `ip`:`port` from `src` into `frame`; returns its length.
    #[inline]
    pub fn fill(
        &self,
        frame: &mut [u8],
        ip: TargetIp,
        port: u16,
        src: &SourceChoice<'_>,
        key: &CookieKey,
    ) -> usize {
        let pm = src.port();
        match ip {
            TargetIp::V4(them) => {
                let me = src.v4();
                let tag = initiate_tag(key.v4(them, me, port, pm));
                let t = &self.v4;
                let n = t.write(frame, pm, port, tag);
                let i = t.ip_off;
                let ck = !fold(t.ip_sum + halves32(me) + halves32(them));
                frame[i + 10..i + 12].copy_from_slice(&ck.to_be_bytes());
                frame[i + 12..i + 16].copy_from_slice(&me.to_be_bytes());
                frame[i + 16..i + 20].copy_from_slice(&them.to_be_bytes());
                n
            }
            TargetIp::V6(them) => {
                let me = src.v6();
                let tag = initiate_tag(key.v6(them, me, port, pm));
                let t = &self.v6;
                let n = t.write(frame, pm, port, tag);
                let i = t.ip_off;
                frame[i + 8..i + 24].copy_from_slice(&me.to_be_bytes());
                frame[i + 24..i + 40].copy_from_slice(&them.to_be_bytes());
                n
            }
        }
    }
}

impl InitTemplate {
    fn new(params: &TemplateParams, v6: bool) -> Result<Self, TemplateError> {
        let mut init = [0u8; SCTP_LEN];
        init[12] = INIT;
        init[14..16].copy_from_slice(&20u16.to_be_bytes());
        init[20..24].copy_from_slice(&65535u32.to_be_bytes()); // advertised receiver window
        init[24..26].copy_from_slice(&10u16.to_be_bytes()); // outbound streams
        init[26..28].copy_from_slice(&2048u16.to_be_bytes()); // inbound streams
        let mut raw = Vec::with_capacity(MAX_LEN);
        ip_step(params, v6)?
            .write(&mut raw, IpNumber(IPPROTO_SCTP), &init)
            .expect("writing to a Vec cannot fail");
        let ip_off = params.link.ip_offset();
        let sctp_off = ip_off + if v6 { 40 } else { 20 };
        let mut bytes = [0u8; MAX_LEN];
        bytes[..raw.len()].copy_from_slice(&raw);
        if !v6 {
            bytes[ip_off + 6..ip_off + 8].fill(0); // no DF, as the other probes
            bytes[ip_off + 10..ip_off + 12].fill(0);
        }
        let ip_sum = if v6 {
            0
        } else {
            sum_words(&bytes[ip_off..ip_off + 20])
        };
        Ok(Self {
            bytes,
            frame_len: raw.len().max(MIN_FRAME),
            ip_off,
            sctp_off,
            ip_sum,
        })
    }

    /// The frame with ports and tags and the SCTP checksum (which covers no IP field).
    #[inline]
    fn write(&self, frame: &mut [u8], pm: u16, port: u16, tag: u32) -> usize {
        let n = self.frame_len;
        frame[..n].copy_from_slice(&self.bytes[..n]);
        let s = self.sctp_off;
        frame[s..s + 2].copy_from_slice(&pm.to_be_bytes());
        frame[s + 2..s + 4].copy_from_slice(&port.to_be_bytes());
        frame[s + 16..s + 20].copy_from_slice(&tag.to_be_bytes()); // initiate tag
        frame[s + 28..s + 32].copy_from_slice(&tag.to_be_bytes()); // initial TSN
        let crc = crc32c::crc32c(&frame[s..s + SCTP_LEN]);
        frame[s + 8..s + 12].copy_from_slice(&crc.to_le_bytes());
        n
    }
}

/// What an SCTP packet to our address (`sctp`, the IP payload) means: to one of our ports in
/// `source`, INIT ACK with our tag is open (answered with an ABORT to the peer's tag), ABORT
/// with our tag closed.
pub fn classify(sctp: &[u8], a: &ReplyAddrs, key: &CookieKey, source: &Source) -> Verdict<'static> {
    if sctp.len() < 16 || !source.owns_port(u16::from_be_bytes([sctp[2], sctp[3]])) {
        return Verdict::NotOurs;
    }
    let port_them = u16::from_be_bytes([sctp[0], sctp[1]]);
    let port_me = u16::from_be_bytes([sctp[2], sctp[3]]);
    let vtag = u32::from_be_bytes([sctp[4], sctp[5], sctp[6], sctp[7]]);
    let (status, answer) = match sctp[12] {
        INIT_ACK => {
            let Some(t) = sctp.get(16..20) else {
                return Verdict::NotOurs;
            };
            let peer_tag = u32::from_be_bytes([t[0], t[1], t[2], t[3]]);
            (Status::Open, Answer::Abort { peer_tag })
        }
        // T bit clear: the tag is ours (RFC 9260 8.4: an out-of-the-blue INIT is aborted so).
        ABORT if sctp[13] & 1 == 0 => (Status::Closed, Answer::Nothing),
        _ => return Verdict::NotOurs,
    };
    let expect = initiate_tag(tcp_syn::cookie(key, a.them, a.me, port_them, port_me));
    if vtag != expect {
        return Verdict::BadCookie;
    }
    Verdict::Reply(ProbeReply {
        them: a.them,
        ip_proto: IPPROTO_SCTP,
        port_them,
        port_me,
        status,
        // The original reports SCTP with no reason (its outputs say `none`).
        reason: 0,
        answer,
        ip_mismatch: false,
        attempt: 0,
    })
}

/// The ABORT answering an INIT ACK of `flow`, tagged with the peer's initiate tag; written
/// into `out`, its length (0 when it does not fit or the families differ).
pub fn write_abort(h: &FrameHeader, flow: &Flow, peer_tag: u32, out: &mut [u8]) -> usize {
    let mut pkt = [0u8; 16];
    pkt[0..2].copy_from_slice(&flow.port_me.to_be_bytes());
    pkt[2..4].copy_from_slice(&flow.port_them.to_be_bytes());
    pkt[4..8].copy_from_slice(&peer_tag.to_be_bytes());
    pkt[12] = ABORT;
    pkt[14..16].copy_from_slice(&4u16.to_be_bytes());
    let crc = crc32c::crc32c(&pkt);
    pkt[8..12].copy_from_slice(&crc.to_le_bytes());
    let Some(ip) = ip_builder(h, flow) else {
        return 0;
    };
    let mut v = Vec::with_capacity(96);
    let r = ip.write(&mut v, IpNumber(IPPROTO_SCTP), &pkt);
    if r.is_err() {
        return 0;
    }
    let len = v.len().max(MIN_FRAME);
    let Some(frame) = out.get_mut(..len) else {
        return 0;
    };
    frame[..v.len()].copy_from_slice(&v);
    frame[v.len()..].fill(0);
    len
}

#[cfg(test)]
mod tests;

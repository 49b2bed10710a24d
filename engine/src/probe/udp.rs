//! UDP probes (`-pU:N`): a datagram per target carrying the payload of its port
//! ([`crate::udp::payloads`]; an empty one where none is known). The cookie of (their address
//! and port, our address) picks the source port from our range and, where the payload has a
//! field its protocol echoes (DNS id, SNMP request id, NTP timestamp, ...), fills that field too;
//! a reply is checked against both without state. Headers come from a template built once with
//! etherparse; the checksums are a precomputed sum of each payload plus a few words per probe.

use super::{Answer, ProbeReply, ReplyAddrs, Verdict};
use crate::cookie::CookieKey;
use crate::frame::{fold, halves128, halves32, sum_words, MIN_FRAME};
use crate::output::Status;
use crate::plan::source::{Source, SourceChoice};
use crate::plan::TargetIp;
use crate::template::{ip_step, TemplateError, TemplateParams};
use crate::udp::{self, CookieField, Payload};
use etherparse::UdpSlice;
use std::net::IpAddr;

/// Longest header (Ethernet + VLAN + IPv6 + UDP).
const MAX_HEADER: usize = 14 + 4 + 40 + 8;
const IPPROTO_UDP: u64 = 17;

/// The headers of a UDP probe with every per-probe field at zero.
#[derive(Clone, Debug)]
struct HeaderTemplate {
    bytes: [u8; MAX_HEADER],
    len: usize,
    ip_off: usize,
    udp_off: usize,
    v6: bool,
    /// IPv4 header checksum partial sum without length and addresses.
    ip_sum: u64,
}

/// A payload ready to send: its bytes with the cookie field zeroed and their checksum sum.
#[derive(Clone, Debug)]
struct Prepared {
    bytes: Vec<u8>,
    cookie: Option<CookieField>,
    sum: u64,
}

/// The UDP templates and payloads of a scan. A port may have several payloads (built-in and
/// from files): each is its own probe (a variant of the target), sent one after the other.
#[derive(Clone, Debug)]
pub struct UdpProbe {
    v4: HeaderTemplate,
    v6: HeaderTemplate,
    payloads: Vec<Prepared>,
    /// The payloads of port p are `payloads[first[p]..first[p + 1]]` (none: the empty datagram).
    first: Box<[u32]>,
}

impl UdpProbe {
    /// Templates for the link, with the given payloads (any number per port, in order; a
    /// repeat of a port's payload is sent once).
    pub fn new(
        v4: &TemplateParams,
        v6: &TemplateParams,
        payloads: &[Payload],
    ) -> Result<Self, TemplateError> {
        let mut sorted: Vec<&Payload> = payloads.iter().collect();
        sorted.sort_by_key(|p| p.port); // stable: a port's payloads keep their order
        sorted.dedup_by(|a, b| a.port == b.port && a.bytes == b.bytes);
        let mut first = vec![0u32; 65537].into_boxed_slice();
        let mut prepared = Vec::with_capacity(sorted.len());
        for p in sorted {
            let mut bytes = p.bytes.clone();
            if let Some(c) = p.cookie {
                let (at, len) = c.span();
                bytes[at..at + len].fill(0);
            }
            first[usize::from(p.port) + 1] += 1;
            prepared.push(Prepared {
                sum: sum_words(&bytes),
                bytes,
                cookie: p.cookie,
            });
        }
        for i in 1..first.len() {
            first[i] += first[i - 1];
        }
        Ok(Self {
            v4: HeaderTemplate::new(v4, false)?,
            v6: HeaderTemplate::new(v6, true)?,
            payloads: prepared,
            first,
        })
    }

    /// How many probes a target on `port` gets: one per payload (one empty datagram when the
    /// port has none).
    #[inline]
    pub fn variants(&self, port: u16) -> u16 {
        let p = usize::from(port);
        ((self.first[p + 1] - self.first[p]) as u16).max(1)
    }

    /// Longest frame [`UdpProbe::fill`] writes.
    pub fn max_frame(&self) -> usize {
        let longest = self.payloads.iter().map(|p| p.bytes.len()).max();
        (MAX_HEADER + longest.unwrap_or(0)).max(MIN_FRAME)
    }

    /// Writes datagram `variant` (its payload) to `ip`:`port` from `src` into `frame`;
    /// returns its length.
    #[inline]
    pub fn fill(
        &self,
        frame: &mut [u8],
        (ip, port, variant): (TargetIp, u16, u16),
        src: &SourceChoice<'_>,
        key: &CookieKey,
    ) -> usize {
        static EMPTY: Prepared = Prepared {
            bytes: Vec::new(),
            cookie: None,
            sum: 0,
        };
        let at = self.first[usize::from(port)] as usize + usize::from(variant);
        let p = if at < self.first[usize::from(port) + 1] as usize {
            &self.payloads[at]
        } else {
            &EMPTY
        };
        match ip {
            TargetIp::V4(them) => {
                let me = src.v4();
                let c = key.v4(them, me, port, 0);
                let pm = src.port_for(c);
                let (len, off) = self.v4.write(frame, p, pm, port, c);
                let sum = halves32(me) + halves32(them);
                self.v4.finish_v4(frame, me, them, sum, off);
                len
            }
            TargetIp::V6(them) => {
                let me = src.v6();
                let c = key.v6(them, me, port, 0);
                let pm = src.port_for(c);
                let (len, off) = self.v6.write(frame, p, pm, port, c);
                let sum = halves128(me) + halves128(them);
                self.v6.finish_v6(frame, me, them, sum, off);
                len
            }
        }
    }
}

impl HeaderTemplate {
    fn new(params: &TemplateParams, v6: bool) -> Result<Self, TemplateError> {
        let mut raw = Vec::with_capacity(MAX_HEADER);
        ip_step(params, v6)?
            .udp(0, 0)
            .write(&mut raw, &[])
            .expect("writing to a Vec cannot fail");
        let ip_off = params.link.ip_offset();
        let udp_off = ip_off + if v6 { 40 } else { 20 };
        let mut bytes = [0u8; MAX_HEADER];
        bytes[..raw.len()].copy_from_slice(&raw);
        if !v6 {
            bytes[ip_off + 2..ip_off + 4].fill(0); // total length
            bytes[ip_off + 6..ip_off + 8].fill(0); // no DF, as the SYN probes
            bytes[ip_off + 10..ip_off + 12].fill(0);
        } else {
            bytes[ip_off + 4..ip_off + 6].fill(0); // payload length
        }
        bytes[udp_off..udp_off + 8].fill(0);
        let ip_sum = if v6 {
            0
        } else {
            sum_words(&bytes[ip_off..ip_off + 20])
        };
        Ok(Self {
            bytes,
            len: raw.len(),
            ip_off,
            udp_off,
            v6,
            ip_sum,
        })
    }

    /// Headers, payload and cookie into `frame`; the UDP length, ports and the sum of
    /// everything the UDP checksum covers except the addresses are left in the checksum
    /// field's place for the family's finish. Returns (frame length, UDP length).
    #[inline]
    fn write(&self, frame: &mut [u8], p: &Prepared, pm: u16, port: u16, c: u64) -> (usize, usize) {
        let h = self.len;
        let n = p.bytes.len();
        let total = (h + n).max(MIN_FRAME);
        frame[..h].copy_from_slice(&self.bytes[..h]);
        frame[h..h + n].copy_from_slice(&p.bytes);
        frame[h + n..total].fill(0);
        let mut sum = p.sum;
        if let Some(cf) = p.cookie {
            cf.write(c, &mut frame[h..h + n]);
            let (at, len) = cf.span();
            sum += frame[h + at..h + at + len]
                .iter()
                .enumerate()
                .map(|(i, &b)| u64::from(b) << if (at + i) % 2 == 0 { 8 } else { 0 })
                .sum::<u64>();
        }
        let udp_len = 8 + n;
        let u = self.udp_off;
        frame[u..u + 2].copy_from_slice(&pm.to_be_bytes());
        frame[u + 2..u + 4].copy_from_slice(&port.to_be_bytes());
        frame[u + 4..u + 6].copy_from_slice(&(udp_len as u16).to_be_bytes());
        // Header words (ports, length) and the pseudo-header's length and protocol.
        sum += u64::from(pm) + u64::from(port) + 2 * udp_len as u64 + IPPROTO_UDP;
        // Parked in the checksum field until the addresses are added.
        frame[u + 6..u + 8].copy_from_slice(&fold(sum).to_be_bytes());
        (total, udp_len)
    }

    #[inline]
    fn finish_v4(&self, frame: &mut [u8], me: u32, them: u32, addr_sum: u64, udp_len: usize) {
        let (i, u) = (self.ip_off, self.udp_off);
        let ip_len = (20 + udp_len) as u16;
        frame[i + 2..i + 4].copy_from_slice(&ip_len.to_be_bytes());
        let ip_ck = !fold(self.ip_sum + u64::from(ip_len) + addr_sum);
        frame[i + 10..i + 12].copy_from_slice(&ip_ck.to_be_bytes());
        frame[i + 12..i + 16].copy_from_slice(&me.to_be_bytes());
        frame[i + 16..i + 20].copy_from_slice(&them.to_be_bytes());
        self.checksum(frame, u, addr_sum);
    }

    #[inline]
    fn finish_v6(&self, frame: &mut [u8], me: u128, them: u128, addr_sum: u64, udp_len: usize) {
        debug_assert!(self.v6);
        let i = self.ip_off;
        frame[i + 4..i + 6].copy_from_slice(&(udp_len as u16).to_be_bytes());
        frame[i + 8..i + 24].copy_from_slice(&me.to_be_bytes());
        frame[i + 24..i + 40].copy_from_slice(&them.to_be_bytes());
        self.checksum(frame, self.udp_off, addr_sum);
    }

    /// The UDP checksum from the parked partial sum and the addresses; 0 is sent as 0xffff.
    #[inline]
    fn checksum(&self, frame: &mut [u8], u: usize, addr_sum: u64) {
        let parked = u16::from_be_bytes([frame[u + 6], frame[u + 7]]);
        let ck = match !fold(u64::from(parked) + addr_sum) {
            0 => 0xffff,
            ck => ck,
        };
        frame[u + 6..u + 8].copy_from_slice(&ck.to_be_bytes());
    }
}

/// Our cookie of a UDP flow (their address and port, our address).
pub fn cookie(key: &CookieKey, them: IpAddr, me: IpAddr, port_them: u16) -> u64 {
    super::tcp_syn::cookie(key, them, me, port_them, 0)
}

/// A datagram from a probed port to the source port its cookie picks, bringing back the
/// cookie where its protocol echoes one, is the port answering: `open`. A reply that fails
/// those checks but reads as its port's protocol is reported open and marked: another address
/// of the host answered (the original's `IP-MISMATCH`). Anything else is not ours.
pub fn classify<'a>(
    u: &UdpSlice<'a>,
    a: &ReplyAddrs,
    key: &CookieKey,
    source: &Source,
    ids: &UdpIds,
) -> Verdict<'a> {
    let (port_them, port_me) = (u.source_port(), u.destination_port());
    let c = cookie(key, a.them, a.me, port_them);
    let fields = ids.fields(port_them);
    let port_ok = port_me == source.port_of(c);
    // A port with a payload that carries no cookie field is checked by the source port alone.
    let id_ok = fields.is_empty()
        || fields.iter().any(|f| match f {
            None => true,
            Some(f) => f.read_back(u.payload()) == Some(f.value(c)),
        });
    let has_field = fields.iter().any(Option::is_some);
    let ip_mismatch = if port_ok && id_ok {
        false
    } else if has_field && udp::parse(port_them, u.payload()).is_some() {
        true
    } else {
        return Verdict::BadCookie;
    };
    Verdict::Reply(ProbeReply {
        them: a.them,
        ip_proto: 17,
        port_them,
        port_me,
        status: Status::Open,
        reason: 0,
        answer: Answer::Banner(u.payload()),
        ip_mismatch,
        attempt: 0,
    })
}

/// The cookie fields of every port's payloads, for the receive side (cheap to clone).
#[derive(Clone, Debug)]
pub struct UdpIds {
    by_port: std::sync::Arc<std::collections::HashMap<u16, Vec<Option<CookieField>>>>,
}

impl UdpIds {
    pub fn new(payloads: &[Payload]) -> Self {
        let mut m: std::collections::HashMap<u16, Vec<Option<CookieField>>> = Default::default();
        for p in payloads {
            let v = m.entry(p.port).or_default();
            if !v.contains(&p.cookie) {
                v.push(p.cookie);
            }
        }
        Self {
            by_port: std::sync::Arc::new(m),
        }
    }

    /// The built-in payloads' fields.
    pub fn builtin() -> Self {
        Self::new(&udp::payloads::builtin())
    }

    /// The distinct cookie fields of `port`'s payloads (`None`: a payload without one); empty
    /// when the port has no payload.
    pub fn fields(&self, port: u16) -> &[Option<CookieField>] {
        self.by_port.get(&port).map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests;

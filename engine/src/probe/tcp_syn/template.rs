//! The SYN probe template: a whole Ethernet frame (optional 802.1Q tag, IPv4 or IPv6, TCP with
//! the options [`SynShape`] names, MSS alone by default) built once with etherparse, plus precomputed checksum partial sums, so that
//! each probe is a copy and a handful of stores: addresses, ports, cookie, IP ID and the two
//! checksums updated incrementally. The fill is the per-probe hot path.

use crate::frame::{fold, halves128, halves32, sum_words};
use crate::template::{ip_step, SynShape, TemplateError, TemplateParams, MAX_FRAME};
use etherparse::TcpOptionElement;

/// A TCP SYN frame with the per-probe fields left at zero.
#[derive(Clone, Debug)]
pub struct SynTemplate {
    bytes: Box<[u8]>,
    /// Bytes to hand to the driver (padded to `--min-packet`, 60 by default).
    frame_len: usize,
    ip_off: usize,
    tcp_off: usize,
    v6: bool,
    /// IPv4 header checksum partial sum, without addresses and ID.
    ip_sum: u64,
    /// TCP checksum partial sum (pseudo-header length and protocol, constant header words).
    tcp_sum: u64,
    /// Where the timestamp option's value goes (when `ts_mask` says the SYN has one).
    ts_off: usize,
    /// All ones when the SYN has a timestamp option, else zero.
    ts_mask: u32,
}

impl SynTemplate {
    /// Builds the IPv4 (`v6 == false`) or IPv6 template.
    pub fn new(params: &TemplateParams, v6: bool) -> Result<Self, TemplateError> {
        let shape = &params.syn;
        // `--metrics` stamps the send time into a zero TSval (see `stamp`).
        let tsval = match (params.timestamps, shape.tsval) {
            (true, _) => Some(0),
            (false, t) => t,
        };
        let opts = syn_options(shape, tsval);
        let payload = vec![0u8; usize::from(shape.data_length)];
        let mut raw = Vec::with_capacity(128 + payload.len());
        // Build with etherparse: headers are laid out and length fields set correctly once.
        ip_step(params, v6)?
            .tcp(0, 0, 0, params.window)
            .syn()
            .options(&opts)
            .expect("at most 24 bytes of options always fit")
            .write(&mut raw, &payload)
            .expect("writing to a Vec cannot fail");
        let frame_len = raw.len().max(shape.min_frame);
        if frame_len > MAX_FRAME {
            return Err(TemplateError::TooLong(frame_len));
        }
        let ip_off = params.link.ip_offset();
        let tcp_off = ip_off + if v6 { 40 } else { 20 };
        let ts_at = option_value_at(&raw[tcp_off..], 8);
        let mut bytes = vec![0u8; frame_len].into_boxed_slice();
        bytes[..raw.len()].copy_from_slice(&raw);
        let tcp_len = raw.len() - tcp_off;
        // Clear what the fill writes, so the partial sums hold only the constant words.
        if !v6 {
            bytes[ip_off + 4..ip_off + 6].fill(0); // identification
            bytes[ip_off + 6..ip_off + 8].fill(0); // flags/fragment: no DF, as masscan
            bytes[ip_off + 10..ip_off + 12].fill(0); // checksum
        }
        bytes[tcp_off + 16..tcp_off + 18].fill(0); // TCP checksum
        let ip_sum = if v6 {
            0
        } else {
            sum_words(&bytes[ip_off..ip_off + 20])
        };
        // `--badsum`: one more in the sum makes every checksum wrong (never the right value:
        // the folded sum moves by one, so its complement does too), at no cost per probe.
        let tcp_sum = sum_words(&bytes[tcp_off..tcp_off + tcp_len])
            + 6
            + tcp_len as u64
            + u64::from(shape.badsum);
        Ok(Self {
            bytes,
            frame_len,
            ip_off,
            tcp_off,
            v6,
            ip_sum,
            tcp_sum,
            ts_off: match (params.timestamps, ts_at) {
                (true, Some(at)) => tcp_off + at,
                _ => tcp_off + 16,
            },
            ts_mask: if params.timestamps { !0 } else { 0 },
        })
    }

    /// Writes `stamp` into the timestamp option of a SYN this template just filled into
    /// `frame`, and updates its TCP checksum for it (RFC 1624: the field was zero). Kept out of
    /// the fill itself: folded into it, it cost every SYN 9% of the transmit rate, timestamps
    /// or not (`bench/offline.sh`).
    #[inline(always)]
    pub fn stamp(&self, frame: &mut [u8], stamp: u32) {
        let (o, t) = (self.ts_off, self.tcp_off);
        frame[o..o + 4].copy_from_slice(&stamp.to_be_bytes());
        let old = u16::from_be_bytes([frame[t + 16], frame[t + 17]]);
        let ck = !fold(u64::from(!old) + halves32(stamp));
        frame[t + 16..t + 18].copy_from_slice(&ck.to_be_bytes());
    }

    /// Whether the SYN carries a timestamp option (see [`SynTemplate::stamp`]).
    pub fn has_timestamp(&self) -> bool {
        self.ts_mask != 0
    }

    /// Length of the frames this template writes.
    pub fn frame_len(&self) -> usize {
        self.frame_len
    }

    pub fn is_v6(&self) -> bool {
        self.v6
    }

    /// Writes an IPv4 SYN into `frame` and returns its length. `frame` must hold
    /// [`Self::frame_len`] bytes.
    #[inline(always)]
    pub fn fill_v4(
        &self,
        frame: &mut [u8],
        ip_me: u32,
        ip_them: u32,
        port_me: u16,
        port_them: u16,
        cookie: u64,
    ) -> usize {
        debug_assert!(!self.v6);
        let len = self.frame_len;
        let f = &mut frame[..len];
        f.copy_from_slice(&self.bytes[..len]);
        let seq = cookie as u32;
        let ip_id = (cookie >> 32) as u16;
        let (i, t) = (self.ip_off, self.tcp_off);
        let addr_sum = halves32(ip_me) + halves32(ip_them);
        let ip_ck = !fold(self.ip_sum + addr_sum + ip_id as u64);
        let tcp_ck =
            !fold(self.tcp_sum + addr_sum + port_me as u64 + port_them as u64 + halves32(seq));
        f[i + 4..i + 6].copy_from_slice(&ip_id.to_be_bytes());
        f[i + 10..i + 12].copy_from_slice(&ip_ck.to_be_bytes());
        f[i + 12..i + 16].copy_from_slice(&ip_me.to_be_bytes());
        f[i + 16..i + 20].copy_from_slice(&ip_them.to_be_bytes());
        f[t..t + 2].copy_from_slice(&port_me.to_be_bytes());
        f[t + 2..t + 4].copy_from_slice(&port_them.to_be_bytes());
        f[t + 4..t + 8].copy_from_slice(&seq.to_be_bytes());
        f[t + 16..t + 18].copy_from_slice(&tcp_ck.to_be_bytes());
        len
    }

    /// Writes an IPv6 SYN into `frame` and returns its length.
    #[inline(always)]
    pub fn fill_v6(
        &self,
        frame: &mut [u8],
        ip_me: u128,
        ip_them: u128,
        port_me: u16,
        port_them: u16,
        cookie: u64,
    ) -> usize {
        debug_assert!(self.v6);
        let len = self.frame_len;
        let f = &mut frame[..len];
        f.copy_from_slice(&self.bytes[..len]);
        let seq = cookie as u32;
        let (i, t) = (self.ip_off, self.tcp_off);
        let tcp_ck = !fold(
            self.tcp_sum
                + halves128(ip_me)
                + halves128(ip_them)
                + port_me as u64
                + port_them as u64
                + halves32(seq),
        );
        f[i + 8..i + 24].copy_from_slice(&ip_me.to_be_bytes());
        f[i + 24..i + 40].copy_from_slice(&ip_them.to_be_bytes());
        f[t..t + 2].copy_from_slice(&port_me.to_be_bytes());
        f[t + 2..t + 4].copy_from_slice(&port_them.to_be_bytes());
        f[t + 4..t + 8].copy_from_slice(&seq.to_be_bytes());
        f[t + 16..t + 18].copy_from_slice(&tcp_ck.to_be_bytes());
        len
    }
}

/// The SYN's options in the order the original adds them (MSS, SACK permitted, window scale,
/// timestamp), with NOPs so the window scale and the timestamp start where Linux puts them.
fn syn_options(shape: &SynShape, tsval: Option<u32>) -> Vec<TcpOptionElement> {
    let mut v = Vec::with_capacity(8);
    if let Some(m) = shape.mss {
        v.push(TcpOptionElement::MaximumSegmentSize(m));
    }
    if shape.sack_ok {
        v.push(TcpOptionElement::SelectiveAcknowledgementPermitted);
    }
    if let Some(w) = shape.wscale {
        v.extend([TcpOptionElement::Noop, TcpOptionElement::WindowScale(w)]);
    }
    if let Some(t) = tsval {
        v.extend([
            TcpOptionElement::Noop,
            TcpOptionElement::Noop,
            TcpOptionElement::Timestamp(t, 0),
        ]);
    }
    v
}

/// Where the value of option `kind` starts in a TCP header, if it has that option.
fn option_value_at(tcp: &[u8], kind: u8) -> Option<usize> {
    let end = usize::from(tcp.get(12)? >> 4) * 4;
    let mut at = 20;
    while at < end {
        match *tcp.get(at)? {
            0 => return None,
            1 => at += 1,
            k => {
                if k == kind {
                    return Some(at + 2);
                }
                at += usize::from(*tcp.get(at + 1)?).max(2);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::Link;
    use etherparse::{NetSlice, SlicedPacket, TransportSlice};
    use proptest::prelude::*;

    fn params(vlan: Option<u16>) -> TemplateParams {
        TemplateParams {
            link: Link {
                mac: [2, 0, 0, 0, 0, 1],
                vlan,
                ..Link::default()
            },
            dst_mac: [2, 0, 0, 0, 0, 2],
            ..TemplateParams::default()
        }
    }

    fn check_v4(vlan: Option<u16>, me: u32, them: u32, pm: u16, pt: u16, cookie: u64) {
        let t = SynTemplate::new(&params(vlan), false).unwrap();
        let mut frame = [0xAAu8; 128];
        let n = t.fill_v4(&mut frame, me, them, pm, pt, cookie);
        assert_eq!(n, if vlan.is_some() { 62 } else { 60 });
        let p = SlicedPacket::from_ethernet(&frame[..n]).unwrap();
        if let Some(id) = vlan {
            let Some(etherparse::VlanSlice::SingleVlan(v)) = &p.vlan else {
                panic!("no VLAN tag")
            };
            assert_eq!(v.vlan_identifier().value(), id);
        }
        let Some(NetSlice::Ipv4(ip)) = p.net else {
            panic!("not IPv4")
        };
        let h = ip.header().to_header();
        assert_eq!(h.source, me.to_be_bytes());
        assert_eq!(h.destination, them.to_be_bytes());
        assert_eq!(h.time_to_live, 255);
        assert_eq!(h.header_checksum, h.calc_header_checksum(), "IPv4 checksum");
        let Some(TransportSlice::Tcp(tcp)) = p.transport else {
            panic!("not TCP")
        };
        let th = tcp.to_header();
        assert!(th.syn && !th.ack && !th.rst);
        assert_eq!((th.source_port, th.destination_port), (pm, pt));
        assert_eq!(th.sequence_number, cookie as u32);
        assert_eq!(th.window_size, 1025);
        assert_eq!(
            th.options.elements_iter().next().unwrap().unwrap(),
            TcpOptionElement::MaximumSegmentSize(1460)
        );
        let want = th.calc_checksum_ipv4(&h, tcp.payload()).unwrap();
        assert_eq!(th.checksum, want, "TCP checksum");
    }

    #[test]
    fn ipv4_with_and_without_vlan() {
        check_v4(
            None,
            0xc612_0001,
            0x0a00_0001,
            40000,
            80,
            0x1234_5678_9abc_def0,
        );
        check_v4(Some(100), 0xffff_ffff, 0xffff_ffff, 65535, 65535, u64::MAX);
        check_v4(None, 0, 0, 0, 0, 0);
    }

    #[test]
    fn ipv6_checksums() {
        for vlan in [None, Some(7)] {
            let t = SynTemplate::new(&params(vlan), true).unwrap();
            let mut frame = [0u8; 128];
            let me = u128::from("2001:db8::1".parse::<std::net::Ipv6Addr>().unwrap());
            let them = u128::MAX - 5;
            let n = t.fill_v6(&mut frame, me, them, 61000, 443, 0xdead_beef);
            let p = SlicedPacket::from_ethernet(&frame[..n]).unwrap();
            let Some(NetSlice::Ipv6(ip)) = p.net else {
                panic!("not IPv6")
            };
            let h = ip.header().to_header();
            assert_eq!(h.destination, them.to_be_bytes());
            assert_eq!(h.hop_limit, 255);
            let Some(TransportSlice::Tcp(tcp)) = p.transport else {
                panic!("not TCP")
            };
            let th = tcp.to_header();
            assert_eq!(
                th.checksum,
                th.calc_checksum_ipv6(&h, tcp.payload()).unwrap()
            );
        }
    }

    #[test]
    fn bad_vlan() {
        assert_eq!(
            SynTemplate::new(&params(Some(5000)), false).unwrap_err(),
            TemplateError::BadVlan(5000)
        );
    }

    proptest! {
        #[test]
        fn any_fields_give_valid_checksums(me: u32, them: u32, pm: u16, pt: u16, c: u64, tag: bool) {
            check_v4(tag.then_some(42), me, them, pm, pt, c);
        }
    }

    #[test]
    fn the_timestamp_option_carries_the_send_time_and_keeps_checksums_valid() {
        for v6 in [false, true] {
            let p = TemplateParams {
                timestamps: true,
                ..params(None)
            };
            let t = SynTemplate::new(&p, v6).unwrap();
            let mut frame = [0u8; 128];
            let stamp = 0xfedc_ba98;
            let n = if v6 {
                t.fill_v6(&mut frame, 1 << 100, 7, 61000, 443, 0x1234_5678)
            } else {
                t.fill_v4(
                    &mut frame,
                    0xc612_0002,
                    0xc612_0101,
                    61000,
                    443,
                    0x1234_5678,
                )
            };
            t.stamp(&mut frame, stamp);
            let pkt = SlicedPacket::from_ethernet(&frame[..n]).unwrap();
            let Some(TransportSlice::Tcp(tcp)) = &pkt.transport else {
                panic!("not TCP")
            };
            let opts: Vec<_> = tcp.options_iterator().map(|o| o.unwrap()).collect();
            assert_eq!(
                opts,
                vec![
                    TcpOptionElement::MaximumSegmentSize(1460),
                    TcpOptionElement::Noop,
                    TcpOptionElement::Noop,
                    TcpOptionElement::Timestamp(stamp, 0),
                ]
            );
            let ck = match &pkt.net {
                Some(NetSlice::Ipv4(ip)) => tcp
                    .calc_checksum_ipv4(ip.header().source(), ip.header().destination())
                    .unwrap(),
                Some(NetSlice::Ipv6(ip)) => tcp
                    .calc_checksum_ipv6(ip.header().source(), ip.header().destination())
                    .unwrap(),
                _ => panic!("no IP"),
            };
            assert_eq!(ck, tcp.checksum(), "v6 {v6}");
        }
    }

    #[test]
    fn options_payload_padding_and_bad_checksums_as_asked() {
        let shape = SynShape {
            mss: Some(1200),
            sack_ok: true,
            wscale: Some(7),
            tsval: Some(0x0102_0304),
            data_length: 10,
            badsum: true,
            min_frame: 200,
        };
        for v6 in [false, true] {
            let p = TemplateParams {
                syn: shape,
                ..params(None)
            };
            let t = SynTemplate::new(&p, v6).unwrap();
            assert_eq!(t.frame_len(), 200);
            let mut frame = [0xAAu8; 256];
            let n = if v6 {
                t.fill_v6(&mut frame, 1 << 100, 7, 61000, 443, 0x1234_5678)
            } else {
                t.fill_v4(&mut frame, 0xc612_0002, 0xc612_0101, 61000, 443, 9)
            };
            assert_eq!(n, 200);
            assert!(frame[100..200].iter().all(|&b| b == 0), "zero padding");
            let pkt = SlicedPacket::from_ethernet(&frame[..n]).unwrap();
            let Some(TransportSlice::Tcp(tcp)) = &pkt.transport else {
                panic!("not TCP")
            };
            let opts: Vec<_> = tcp.options_iterator().map(|o| o.unwrap()).collect();
            assert_eq!(
                opts,
                vec![
                    TcpOptionElement::MaximumSegmentSize(1200),
                    TcpOptionElement::SelectiveAcknowledgementPermitted,
                    TcpOptionElement::Noop,
                    TcpOptionElement::WindowScale(7),
                    TcpOptionElement::Noop,
                    TcpOptionElement::Noop,
                    TcpOptionElement::Timestamp(0x0102_0304, 0),
                ]
            );
            assert_eq!(tcp.payload(), &[0u8; 10]);
            let ck = match &pkt.net {
                Some(NetSlice::Ipv4(ip)) => tcp
                    .calc_checksum_ipv4(ip.header().source(), ip.header().destination())
                    .unwrap(),
                Some(NetSlice::Ipv6(ip)) => tcp
                    .calc_checksum_ipv6(ip.header().source(), ip.header().destination())
                    .unwrap(),
                _ => panic!("no IP"),
            };
            assert_ne!(ck, tcp.checksum(), "--badsum: v6 {v6}");
        }
        // No MSS at all, and a probe too long for the MTU refused.
        let bare = TemplateParams {
            syn: SynShape {
                mss: None,
                ..SynShape::default()
            },
            ..params(None)
        };
        let t = SynTemplate::new(&bare, false).unwrap();
        let mut frame = [0u8; 64];
        t.fill_v4(&mut frame, 1, 2, 3, 4, 5);
        assert_eq!(frame[14 + 20 + 12] >> 4, 5, "a bare 20-byte TCP header");
        let long = TemplateParams {
            syn: SynShape {
                data_length: 1500,
                ..SynShape::default()
            },
            ..params(None)
        };
        assert!(matches!(
            SynTemplate::new(&long, false),
            Err(TemplateError::TooLong(_))
        ));
    }
}

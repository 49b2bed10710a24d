//! One-line summaries of frames: [`packet_trace_line`] in the original masscan's
//! `--packet-trace` form (`SENT (0.0012) TCP  [198.18.0.2]:40001 > [198.18.1.1]:80 SYN`), and
//! [`summary`], ours with sequence numbers, TTL and length (for logs and tests). Any bytes are
//! safe to summarise.

use crate::arp::{self, ArpRepr};
use etherparse::{NetSlice, SlicedPacket, TransportSlice};
use std::fmt::Write;
use std::net::IpAddr;

fn tcp_flag_names(flags: u8) -> String {
    let names = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"];
    let v: Vec<&str> = (0..8)
        .filter(|b| flags & (1 << b) != 0)
        .map(|b| names[b])
        .collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join("-")
    }
}

/// Summarises a frame: `198.18.0.2:40001 > 198.18.1.1:80 SYN seq=.. ack=.. ttl=255 len=60`.
pub fn summary(frame: &[u8]) -> String {
    if let Some(a) = ArpRepr::parse(frame) {
        return match a.op {
            arp::OP_REQUEST => format!("ARP who-has {} tell {}", a.target_ip, a.sender_ip),
            arp::OP_REPLY => format!(
                "ARP {} is-at {}",
                a.sender_ip,
                crate::config::Mac(a.sender_mac)
            ),
            op => format!("ARP op {op}"),
        };
    }
    let Ok(p) = SlicedPacket::from_ethernet(frame) else {
        return format!("unparsed frame, {} bytes", frame.len());
    };
    let (src, dst, ttl): (IpAddr, IpAddr, u8) = match &p.net {
        Some(NetSlice::Ipv4(ip)) => {
            let h = ip.header();
            (h.source_addr().into(), h.destination_addr().into(), h.ttl())
        }
        Some(NetSlice::Ipv6(ip)) => {
            let h = ip.header();
            (
                h.source_addr().into(),
                h.destination_addr().into(),
                h.hop_limit(),
            )
        }
        None => return format!("non-IP frame, {} bytes", frame.len()),
    };
    let mut s = String::new();
    match &p.transport {
        Some(TransportSlice::Tcp(t)) => {
            let _ = write!(
                s,
                "{} > {} {} seq={} ack={} win={}",
                sock(src, t.source_port()),
                sock(dst, t.destination_port()),
                tcp_flag_names(t.slice().get(13).copied().unwrap_or(0)),
                t.sequence_number(),
                t.acknowledgment_number(),
                t.window_size()
            );
        }
        Some(TransportSlice::Udp(u)) => {
            let _ = write!(
                s,
                "{} > {} UDP payload={}",
                sock(src, u.source_port()),
                sock(dst, u.destination_port()),
                u.payload().len()
            );
        }
        Some(TransportSlice::Icmpv4(i)) => {
            let _ = write!(
                s,
                "{src} > {dst} ICMP type={} code={}",
                i.type_u8(),
                i.code_u8()
            );
        }
        Some(TransportSlice::Icmpv6(i)) => {
            let _ = write!(
                s,
                "{src} > {dst} ICMPv6 type={} code={}",
                i.type_u8(),
                i.code_u8()
            );
        }
        None => match p.net.as_ref().and_then(|n| n.ip_payload_ref()) {
            Some(ip) if ip.ip_number.0 == 132 && ip.payload.len() >= 13 => {
                let b = ip.payload;
                let chunk = match b[12] {
                    1 => "INIT",
                    2 => "INIT-ACK",
                    6 => "ABORT",
                    _ => "chunk",
                };
                let _ = write!(
                    s,
                    "{} > {} SCTP {chunk} vtag={}",
                    sock(src, u16::from_be_bytes([b[0], b[1]])),
                    sock(dst, u16::from_be_bytes([b[2], b[3]])),
                    u32::from_be_bytes([b[4], b[5], b[6], b[7]])
                );
            }
            _ => {
                let _ = write!(s, "{src} > {dst} IP");
            }
        },
    }
    let _ = write!(s, " ttl={ttl} len={}", frame.len());
    s
}

/// The original's names of TCP flag combinations (`SYN-ACK`, `RST-ACK`, `ACK-PSH`, ...); other
/// combinations are the flag names run together, as it writes them.
fn original_tcp_flags(flags: u8) -> String {
    let named = match flags {
        0x00 => "NULL",
        0x01 => "FIN",
        0x11 => "FIN-ACK",
        0x19 => "FIN-ACK-PSH",
        0x02 => "SYN",
        0x12 => "SYN-ACK",
        0x04 => "RST",
        0x14 => "RST-ACK",
        0x15 => "RST-FIN-ACK",
        0x10 => "ACK",
        0x18 => "ACK-PSH",
        _ => "",
    };
    if !named.is_empty() {
        return named.to_string();
    }
    let names = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"];
    (0..8)
        .filter(|b| flags & (1 << b) != 0)
        .map(|b| names[b])
        .collect()
}

/// One `--packet-trace` line in the original's form, `dir` being `SENT` or `RCVD` and `secs`
/// the time since the scan started: `DIR (S.SSSS) KIND FROM > TO DETAIL`, addresses as
/// `[ip]:port` padded to 21 columns. `None` for a frame the original would not print
/// (unparsable, or IPv6 without a transport it knows). SCTP, which the original prints as an
/// unknown kind, is named here.
pub fn packet_trace_line(dir: &str, secs: f64, frame: &[u8]) -> Option<String> {
    let head = |kind: &str, from: String, to: String| {
        format!("{dir} ({secs:5.4}) {kind:<4} {from:<21} > {to:<21}")
    };
    let bracket = |ip: IpAddr, port: u16| match ip {
        IpAddr::V4(v4) => format!("[{v4}]:{port}"),
        IpAddr::V6(v6) => format!("[{v6}]:{port}"),
    };
    if let Some(a) = ArpRepr::parse(frame) {
        let what = match a.op {
            arp::OP_REQUEST => "request".to_string(),
            arp::OP_REPLY => "response".to_string(),
            op => format!("unknown({op})"),
        };
        let (from, to) = (format!("[{}]", a.sender_ip), format!("[{}]", a.target_ip));
        return Some(format!("{} {what}", head("ARP", from, to)));
    }
    let p = SlicedPacket::from_ethernet(frame).ok()?;
    let (src, dst): (IpAddr, IpAddr) = match &p.net {
        Some(NetSlice::Ipv4(ip)) => (
            ip.header().source_addr().into(),
            ip.header().destination_addr().into(),
        ),
        Some(NetSlice::Ipv6(ip)) => (
            ip.header().source_addr().into(),
            ip.header().destination_addr().into(),
        ),
        None => return None,
    };
    // The original shows an ICMP message's type and code where the ports go.
    let icmp = |t: u8, c: u8| {
        let line = head("ICMP", bracket(src, t.into()), bracket(dst, c.into()));
        format!("{line} ")
    };
    Some(match &p.transport {
        Some(TransportSlice::Tcp(t)) => {
            let flags = original_tcp_flags(t.slice().get(13).copied().unwrap_or(0));
            let line = head(
                "TCP",
                bracket(src, t.source_port()),
                bracket(dst, t.destination_port()),
            );
            match t.payload().len() {
                0 => format!("{line} {flags}"),
                n => format!("{line} {flags} {n}-bytes"),
            }
        }
        Some(TransportSlice::Udp(u)) => format!(
            "{} ",
            head(
                "UDP",
                bracket(src, u.source_port()),
                bracket(dst, u.destination_port())
            )
        ),
        Some(TransportSlice::Icmpv4(i)) => icmp(i.type_u8(), i.code_u8()),
        Some(TransportSlice::Icmpv6(i)) => icmp(i.type_u8(), i.code_u8()),
        None => match p.net.as_ref().and_then(|n| n.ip_payload_ref()) {
            Some(ip) if ip.ip_number.0 == 132 && ip.payload.len() >= 12 => {
                let b = ip.payload;
                let from = bracket(src, u16::from_be_bytes([b[0], b[1]]));
                let to = bracket(dst, u16::from_be_bytes([b[2], b[3]]));
                format!("{} ", head("SCTP", from, to))
            }
            _ if matches!(p.net, Some(NetSlice::Ipv6(_))) => return None,
            Some(ip) => format!(
                "{} [{}]",
                head("UNK", bracket(src, 0), bracket(dst, 0)),
                ip.ip_number.0
            ),
            None => return None,
        },
    })
}

fn sock(ip: IpAddr, port: u16) -> String {
    match ip {
        IpAddr::V4(v4) => format!("{v4}:{port}"),
        IpAddr::V6(v6) => format!("[{v6}]:{port}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use etherparse::PacketBuilder;

    #[test]
    fn packet_trace_lines_are_the_originals() {
        let mut v = Vec::new();
        PacketBuilder::ethernet2([1; 6], [2; 6])
            .ipv4([198, 18, 0, 2], [198, 18, 1, 1], 255)
            .tcp(40001, 80, 7, 1025)
            .syn()
            .write(&mut v, &[])
            .unwrap();
        assert_eq!(
            packet_trace_line("SENT", 0.00123, &v).unwrap(),
            "SENT (0.0012) TCP  [198.18.0.2]:40001    > [198.18.1.1]:80       SYN"
        );
        let mut v = Vec::new();
        PacketBuilder::ethernet2([1; 6], [2; 6])
            .ipv4([198, 18, 1, 1], [198, 18, 0, 2], 64)
            .tcp(80, 40001, 7, 1025)
            .ack(8)
            .psh()
            .write(&mut v, b"hello")
            .unwrap();
        assert_eq!(
            packet_trace_line("RCVD", 12.5, &v).unwrap(),
            "RCVD (12.5000) TCP  [198.18.1.1]:80       > [198.18.0.2]:40001    ACK-PSH 5-bytes"
        );
        let mut v = Vec::new();
        PacketBuilder::ethernet2([1; 6], [2; 6])
            .ipv4([198, 18, 0, 2], [198, 18, 1, 13], 255)
            .udp(40001, 53)
            .write(&mut v, b"x")
            .unwrap();
        assert!(packet_trace_line("SENT", 0.0, &v)
            .unwrap()
            .starts_with("SENT (0.0000) UDP  [198.18.0.2]:40001    > [198.18.1.13]:53"));
        assert_eq!(packet_trace_line("RCVD", 0.0, &[]), None);
    }

    #[test]
    fn summarises_tcp_and_garbage() {
        let mut v = Vec::new();
        PacketBuilder::ethernet2([1; 6], [2; 6])
            .ipv4([198, 18, 0, 2], [198, 18, 1, 1], 255)
            .tcp(40000, 80, 7, 1025)
            .syn()
            .write(&mut v, &[])
            .unwrap();
        assert_eq!(
            summary(&v),
            "198.18.0.2:40000 > 198.18.1.1:80 SYN seq=7 ack=0 win=1025 ttl=255 len=54"
        );
        assert!(summary(&v[..20]).starts_with("unparsed"));
        assert!(summary(&[]).starts_with("unparsed"));
    }
}

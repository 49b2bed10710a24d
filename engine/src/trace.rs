//! One-line summaries of frames for `--packet-trace`: addresses, ports, TCP flags and numbers,
//! or the ARP question and answer. Any bytes are safe to summarise.

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

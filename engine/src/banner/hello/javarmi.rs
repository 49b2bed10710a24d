//! Java RMI (ports 1098, 1099): the JRMP stream-protocol header; reports the server's
//! ProtocolAck and the host and port it saw us connect from, or that it refused the protocol.

use std::net::IpAddr;

use super::{be16, be32, printable, Protocol, Reply};
use crate::banner::parser::Parser;
use crate::banner::{app, BannerConfig, Found};

const PROTOCOL_ACK: u8 = 0x4e;
const PROTOCOL_NOT_SUPPORTED: u8 = 0x4f;

pub(crate) fn start(_ip: IpAddr, _cfg: &BannerConfig, out: &mut Vec<u8>) -> Box<dyn Parser> {
    // Magic "JRMI", version 2, StreamProtocol.
    out.extend_from_slice(b"JRMI");
    out.extend_from_slice(&2u16.to_be_bytes());
    out.push(0x4b);
    Reply::boxed(Protocol {
        is_protocol: |b| {
            matches!(
                b.first(),
                None | Some(&(PROTOCOL_ACK | PROTOCOL_NOT_SUPPORTED))
            )
        },
        complete,
        report,
    })
}

/// The ProtocolAck's endpoint: a modified-UTF-8 host (u16 length) and a u32 port.
fn endpoint(b: &[u8]) -> Option<(&[u8], u32)> {
    let n = usize::from(be16(b, 1)?);
    Some((b.get(3..3 + n)?, be32(b, 3 + n)?))
}

fn complete(b: &[u8]) -> bool {
    match b.first() {
        Some(&PROTOCOL_ACK) => endpoint(b).is_some(),
        Some(_) => true,
        None => false,
    }
}

fn report(b: &[u8], _cfg: &BannerConfig, found: &mut Vec<Found>) {
    found.push(Found::new(app::JAVA_RMI, describe(b)));
}

fn describe(b: &[u8]) -> String {
    match (b.first(), endpoint(b)) {
        (Some(&PROTOCOL_ACK), Some((host, port))) => {
            format!(
                "JavaRMI ProtocolAck, client seen as {}:{port}",
                printable(host)
            )
        }
        (Some(&PROTOCOL_ACK), None) => "JavaRMI ProtocolAck (cut short)".into(),
        (Some(&PROTOCOL_NOT_SUPPORTED), _) => "JavaRMI ProtocolNotSupported".into(),
        _ => format!(
            "JavaRMI: not a JRMP reply: {}",
            printable(&b[..b.len().min(64)])
        ),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn ack() -> Vec<u8> {
        let host = b"198.18.0.2";
        let mut r = vec![PROTOCOL_ACK];
        r.extend_from_slice(&(host.len() as u16).to_be_bytes());
        r.extend_from_slice(host);
        r.extend_from_slice(&40000u32.to_be_bytes());
        r
    }

    #[test]
    fn hello_is_the_stream_protocol_header() {
        let mut out = Vec::new();
        start(
            crate::banner::hello::tests::IP,
            &BannerConfig::default(),
            &mut out,
        );
        assert_eq!(out, b"JRMI\0\x02\x4b");
    }

    #[test]
    fn ack_refusal_and_every_cut() {
        assert_eq!(
            describe(&ack()),
            "JavaRMI ProtocolAck, client seen as 198.18.0.2:40000"
        );
        assert_eq!(describe(b"\x4f"), "JavaRMI ProtocolNotSupported");
        assert!(describe(b"HTTP/1.1 400").starts_with("JavaRMI: not a JRMP reply: HTTP/1.1"));
        let a = ack();
        for n in 1..a.len() {
            assert!(!complete(&a[..n]));
            assert_eq!(describe(&a[..n]), "JavaRMI ProtocolAck (cut short)");
        }
        assert!(complete(&a));
    }
}

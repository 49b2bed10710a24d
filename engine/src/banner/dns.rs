//! DNS over TCP (53, and the original's other ports for it: 135, 50000-50002): a CHAOS TXT
//! query for `version.bind`; reports the answer as the UDP path does (`dns-ver`: the TXT
//! string, or the response code as `5:REFUSED`).

use std::net::IpAddr;

use super::parser::Parser;
use super::{app, BannerConfig, Found};

/// The query (RFC 1035 4.2.2: a 16-bit length first): id 0x6d73, RD set, one question,
/// `version.bind` TXT CH.
pub const HELLO: &[u8] = b"\x00\x1e\x6d\x73\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\
\x07version\x04bind\x00\x00\x10\x00\x03";

pub(crate) fn start(_ip: IpAddr, _cfg: &BannerConfig, out: &mut Vec<u8>) -> Box<dyn Parser> {
    out.extend_from_slice(HELLO);
    Box::<Dns>::default()
}

#[derive(Default)]
pub struct Dns {
    buf: Vec<u8>,
}

impl Dns {
    /// The whole first message, once its length's worth is in.
    fn message(&self) -> Option<&[u8]> {
        let len = u16::from_be_bytes(self.buf.get(..2)?.try_into().ok()?) as usize;
        self.buf.get(2..2 + len)
    }
}

impl Parser for Dns {
    fn data(&mut self, d: &[u8], _cfg: &BannerConfig, _out: &mut Vec<u8>) -> bool {
        self.buf.extend_from_slice(d);
        self.message().is_some()
    }

    fn finish(self: Box<Self>, _cfg: &BannerConfig, found: &mut Vec<Found>) {
        if self.buf.is_empty() {
            return;
        }
        let text = match self.message() {
            Some(m) => match crate::udp::dns::banner(m) {
                Some(t) => t,
                None => format!("not a DNS reply ({} bytes)", m.len()).into_bytes(),
            },
            None => format!("incomplete DNS reply ({} bytes)", self.buf.len()).into_bytes(),
        };
        found.push(Found::new(app::DNS_VERSION, text));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(chunks: &[&[u8]]) -> Vec<Found> {
        let (sent, found) =
            crate::banner::parser::drive(start, "198.18.1.31".parse().unwrap(), chunks);
        assert!(sent.starts_with(HELLO));
        found
    }

    fn framed(msg: &[u8]) -> Vec<u8> {
        let mut v = (msg.len() as u16).to_be_bytes().to_vec();
        v.extend_from_slice(msg);
        v
    }

    #[test]
    fn hello_is_one_query_for_version_bind() {
        let p = simple_dns::Packet::parse(&HELLO[2..]).unwrap();
        assert_eq!(HELLO.len() - 2, 0x1e);
        assert_eq!(p.questions.len(), 1);
        assert_eq!(p.questions[0].qname.to_string(), "version.bind");
    }

    #[test]
    fn version_refused_and_every_truncation() {
        let reply = framed(&crate::udp::dns::tests::version_reply(
            0x6d73,
            "unbound 1.17.1",
        ));
        let f = run(&[&reply[..5], &reply[5..]]);
        assert_eq!(f, [Found::new(app::DNS_VERSION, "unbound 1.17.1")]);
        for cut in 1..reply.len() {
            let f = run(&[&reply[..cut]]);
            assert_eq!(f.len(), 1);
            assert!(f[0].text.starts_with(b"incomplete DNS reply"), "{cut}");
        }
        let mut refused = reply[2..14].to_vec();
        refused[3] = (refused[3] & 0xf0) | 5;
        refused[6..8].copy_from_slice(&[0, 0]);
        let f = run(&[&framed(&refused)]);
        assert_eq!(f, [Found::new(app::DNS_VERSION, "5:REFUSED")]);
        let f = run(&[b"\x00\x03abc"]);
        assert_eq!(
            f,
            [Found::new(app::DNS_VERSION, "not a DNS reply (3 bytes)")]
        );
    }
}

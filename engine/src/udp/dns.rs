//! DNS replies (read with simple-dns, which bounds name compression): the `version.bind` TXT
//! string (or any TXT, A and AAAA answers), or the error code as the original writes it
//! (`5:REFUSED`). The transaction id carries our cookie ([`super::payloads`]).

use simple_dns::rdata::RData;
use simple_dns::{Packet, PacketFlag, RCODE};
use std::net::{Ipv4Addr, Ipv6Addr};

/// The banner of a DNS response; `None` for anything that is not one.
pub fn banner(msg: &[u8]) -> Option<Vec<u8>> {
    let p = Packet::parse(msg).ok()?;
    if !p.has_flags(PacketFlag::RESPONSE) {
        return None;
    }
    let code = p.rcode();
    if code != RCODE::NoError {
        return Some(rcode_text(code).into_bytes());
    }
    let mut out = Vec::new();
    for rr in &p.answers {
        let before = out.len();
        match &rr.rdata {
            RData::TXT(txt) => {
                for (i, (k, v)) in txt.iter_raw().enumerate() {
                    if i > 0 {
                        out.push(b' ');
                    }
                    out.extend_from_slice(k);
                    if let Some(v) = v {
                        out.push(b'=');
                        out.extend_from_slice(v);
                    }
                }
            }
            RData::A(a) => out.extend_from_slice(Ipv4Addr::from(a.address).to_string().as_bytes()),
            RData::AAAA(a) => {
                out.extend_from_slice(Ipv6Addr::from(a.address).to_string().as_bytes())
            }
            _ => {}
        }
        if out.len() > before && before > 0 {
            out.insert(before, b' ');
        }
    }
    (!out.is_empty()).then_some(out)
}

/// `N:NAME` for a response code, as the original masscan reports DNS errors.
fn rcode_text(code: RCODE) -> String {
    let name = match code {
        RCODE::FormatError => "FORMERR",
        RCODE::ServerFailure => "SERVFAIL",
        RCODE::NameError => "NXDOMAIN",
        RCODE::NotImplemented => "NOTIMP",
        RCODE::Refused => "REFUSED",
        _ => "ERROR",
    };
    format!("{}:{name}", code as u16)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use simple_dns::rdata::TXT;
    use simple_dns::{Name, ResourceRecord, CLASS};

    pub(crate) fn version_reply(id: u16, version: &str) -> Vec<u8> {
        let mut p = Packet::new_reply(id);
        let txt = TXT::new().with_string(version).unwrap();
        p.answers.push(ResourceRecord::new(
            Name::new_unchecked("version.bind"),
            CLASS::CH,
            0,
            RData::TXT(txt),
        ));
        p.build_bytes_vec().unwrap()
    }

    #[test]
    fn version_bind_and_errors() {
        let r = version_reply(0x1234, "9.18.28-1~deb12u2-Debian");
        assert_eq!(banner(&r).unwrap(), b"9.18.28-1~deb12u2-Debian".to_vec());
        let mut refused = Packet::new_reply(7);
        *refused.rcode_mut() = RCODE::Refused;
        assert_eq!(
            banner(&refused.build_bytes_vec().unwrap()).unwrap(),
            b"5:REFUSED"
        );
        // A query is not a reply.
        let q = Packet::new_query(1).build_bytes_vec().unwrap();
        assert_eq!(banner(&q), None);
    }

    #[test]
    fn a_compression_loop_is_refused_not_followed() {
        // Header with one answer whose name points at itself.
        let mut m = vec![0, 1, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0];
        m.extend_from_slice(&[0xc0, 12, 0, 16, 0, 3, 0, 0, 0, 0, 0, 2, 1, b'x']);
        assert_eq!(banner(&m), None);
        for n in 0..m.len() {
            let _ = banner(&m[..n]);
        }
    }
}

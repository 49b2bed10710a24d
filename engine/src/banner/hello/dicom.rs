//! DICOM (ports 104, 2345, 2761, 2762, 4242, 11112): an A-ASSOCIATE-RQ from `ECHOSCU` to
//! `ANY-SCP` proposing the Verification service, as the original sends; reports the answer:
//! A-ASSOCIATE-AC (whether Verification was accepted, the server's implementation class UID
//! and version name), A-ASSOCIATE-RJ (result, source, reason) or A-ABORT.

use std::net::IpAddr;

use super::{be16, be32, printable, Protocol, Reply};
use crate::banner::parser::Parser;
use crate::banner::{app, BannerConfig, Found};

const APPLICATION_CONTEXT: &[u8] = b"1.2.840.10008.3.1.1.1";
const VERIFICATION: &[u8] = b"1.2.840.10008.1.1";
const IMPLICIT_VR_LITTLE_ENDIAN: &[u8] = b"1.2.840.10008.1.2";
/// The implementation the original's request names (DCMTK 3.6.2's echoscu).
const IMPLEMENTATION_UID: &[u8] = b"1.2.276.0.7230010.3.0.3.6.2";
const IMPLEMENTATION_NAME: &[u8] = b"OFFIS_DCMTK_362";

pub(crate) fn start(_ip: IpAddr, _cfg: &BannerConfig, out: &mut Vec<u8>) -> Box<dyn Parser> {
    out.extend_from_slice(&associate_rq());
    Reply::boxed(Protocol {
        is_protocol: |b| {
            b.first().is_none_or(|t| (1..=7).contains(t)) && b.get(1).is_none_or(|&r| r == 0)
        },
        complete,
        report,
    })
}

/// A variable item: type, reserved, 16-bit length, value.
fn item(kind: u8, value: &[u8]) -> Vec<u8> {
    let mut v = vec![kind, 0];
    v.extend_from_slice(&(value.len() as u16).to_be_bytes());
    v.extend_from_slice(value);
    v
}

fn associate_rq() -> Vec<u8> {
    let context = [
        &[1, 0, 0, 0][..], // presentation context id 1
        &item(0x30, VERIFICATION),
        &item(0x40, IMPLICIT_VR_LITTLE_ENDIAN),
    ]
    .concat();
    let user = [
        item(0x51, &16384u32.to_be_bytes()),
        item(0x52, IMPLEMENTATION_UID),
        item(0x55, IMPLEMENTATION_NAME),
    ]
    .concat();
    let mut body = vec![0, 1, 0, 0]; // protocol version 1, reserved
    body.extend_from_slice(b"ANY-SCP         ECHOSCU         ");
    body.extend_from_slice(&[0; 32]);
    body.extend_from_slice(&item(0x10, APPLICATION_CONTEXT));
    body.extend_from_slice(&item(0x20, &context));
    body.extend_from_slice(&item(0x50, &user));
    let mut pdu = vec![0x01, 0];
    pdu.extend_from_slice(&(body.len() as u32).to_be_bytes());
    pdu.extend_from_slice(&body);
    pdu
}

fn complete(b: &[u8]) -> bool {
    match (b.first(), be32(b, 2)) {
        (Some(1..=7), Some(n)) => b.len() - 6 >= n as usize,
        (Some(1..=7), None) => false,
        _ => !b.is_empty(),
    }
}

fn report(b: &[u8], _cfg: &BannerConfig, found: &mut Vec<Found>) {
    found.push(Found::new(app::DICOM, describe(b)));
}

fn describe(b: &[u8]) -> String {
    let len = be32(b, 2).map_or(0, |n| n as usize);
    let Some(body) = b.get(6..6usize.saturating_add(len)) else {
        return format!("DICOM: reply cut short ({} bytes)", b.len());
    };
    match b.first().copied().unwrap_or(0) {
        0x02 => accepted(body),
        0x03 => {
            let (result, source, reason) = (
                body.get(1).copied().unwrap_or(0),
                body.get(2).copied().unwrap_or(0),
                body.get(3).copied().unwrap_or(0),
            );
            format!(
                "DICOM A-ASSOCIATE-RJ: {}, {}",
                if result == 1 {
                    "permanent"
                } else {
                    "transient"
                },
                rejection(source, reason)
            )
        }
        0x07 => format!(
            "DICOM A-ABORT, source {}, reason {}",
            body.get(2).copied().unwrap_or(0),
            body.get(3).copied().unwrap_or(0)
        ),
        t => format!("DICOM PDU type {t}, not an association answer"),
    }
}

/// The items of a variable field: (type, value) until the first cut one.
fn items(mut b: &[u8]) -> impl Iterator<Item = (u8, &[u8])> {
    std::iter::from_fn(move || {
        let kind = *b.first()?;
        let n = usize::from(be16(b, 2)?);
        let value = b.get(4..4 + n)?;
        b = &b[4 + n..];
        Some((kind, value))
    })
}

fn accepted(body: &[u8]) -> String {
    let called = printable(body.get(4..20).unwrap_or(&[]));
    let mut text = format!("DICOM A-ASSOCIATE-AC, AE {called}");
    for (kind, value) in items(body.get(68..).unwrap_or(&[])) {
        match kind {
            0x21 => {
                let verdict = match value.get(2) {
                    Some(0) => "accepted",
                    Some(1) => "rejected by the user",
                    Some(2) => "rejected, no reason",
                    Some(3) => "abstract syntax not supported",
                    Some(4) => "transfer syntaxes not supported",
                    _ => "unknown result",
                };
                text.push_str(&format!(", verification {verdict}"));
            }
            0x50 => {
                for (sub, v) in items(value) {
                    match sub {
                        0x52 => text.push_str(&format!(", implementation {}", printable(v))),
                        0x55 => text.push_str(&format!(" ({})", printable(v))),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    text
}

fn rejection(source: u8, reason: u8) -> String {
    let why = match (source, reason) {
        (1, 1) => "no reason given",
        (1, 2) => "application context name not supported",
        (1, 3) => "calling AE title not recognized",
        (1, 7) => "called AE title not recognized",
        (2, 1) => "no reason given",
        (2, 2) => "protocol version not supported",
        (3, 1) => "temporary congestion",
        (3, 2) => "local limit exceeded",
        _ => "",
    };
    let who = match source {
        1 => "service user",
        2 => "service provider (ACSE)",
        3 => "service provider (presentation)",
        _ => "unknown source",
    };
    if why.is_empty() {
        format!("{who}, reason {reason}")
    } else {
        format!("{who}: {why}")
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An A-ASSOCIATE-AC as DCMTK's storescp sends it.
    pub(crate) fn ac() -> Vec<u8> {
        let ctx = [&[1, 0, 0, 0][..], &item(0x40, IMPLICIT_VR_LITTLE_ENDIAN)].concat();
        let user = [
            item(0x51, &16384u32.to_be_bytes()),
            item(0x52, b"1.2.276.0.7230010.3.0.3.6.7"),
            item(0x55, b"OFFIS_DCMTK_367"),
        ]
        .concat();
        let mut body = vec![0, 1, 0, 0];
        body.extend_from_slice(b"ANY-SCP         ECHOSCU         ");
        body.extend_from_slice(&[0; 32]);
        body.extend_from_slice(&item(0x10, APPLICATION_CONTEXT));
        body.extend_from_slice(&item(0x21, &ctx));
        body.extend_from_slice(&item(0x50, &user));
        let mut pdu = vec![0x02, 0];
        pdu.extend_from_slice(&(body.len() as u32).to_be_bytes());
        pdu.extend_from_slice(&body);
        pdu
    }

    #[test]
    fn hello_is_the_originals_associate_request() {
        let mut out = Vec::new();
        start(
            crate::banner::hello::tests::IP,
            &BannerConfig::default(),
            &mut out,
        );
        assert_eq!(&out[..6], &[1, 0, 0, 0, 0, 0xcd]);
        assert_eq!(out.len(), 6 + 0xcd);
        assert!(out.ends_with(b"OFFIS_DCMTK_362"));
    }

    #[test]
    fn accept_reject_abort() {
        assert_eq!(
            describe(&ac()),
            "DICOM A-ASSOCIATE-AC, AE ANY-SCP, verification accepted, implementation \
             1.2.276.0.7230010.3.0.3.6.7 (OFFIS_DCMTK_367)"
        );
        assert_eq!(
            describe(&[3, 0, 0, 0, 0, 4, 0, 1, 1, 7]),
            "DICOM A-ASSOCIATE-RJ: permanent, service user: called AE title not recognized"
        );
        assert_eq!(
            describe(&[7, 0, 0, 0, 0, 4, 0, 0, 2, 0]),
            "DICOM A-ABORT, source 2, reason 0"
        );
    }

    #[test]
    fn every_cut() {
        let a = ac();
        assert!(complete(&a));
        for n in 0..a.len() {
            assert!(!complete(&a[..n]));
            let _ = describe(&a[..n]);
        }
        assert!(complete(b"HTTP/1.1 400"));
    }
}

//! Read Device Identification responses shaped as a Schneider Electric PLC answers (basic
//! objects), exceptions, every truncation, and the session on 502.

use super::*;
use crate::banner::parser::{drive, drive_tail, through_session};

const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(198, 18, 1, 45));

/// A response of unit 0 with this PDU.
fn frame(pdu: &[u8]) -> Vec<u8> {
    let mut f = vec![0, 1, 0, 0];
    f.extend_from_slice(&((pdu.len() + 1) as u16).to_be_bytes());
    f.push(0);
    f.extend_from_slice(pdu);
    f
}

/// Read Device Identification: basic, conformity `conformity`, these objects.
fn device_id(conformity: u8, more: u8, objects: &[(u8, &str)]) -> Vec<u8> {
    let mut pdu = vec![0x2b, 0x0e, 0x01, conformity, more, 0, objects.len() as u8];
    for (id, v) in objects {
        pdu.push(*id);
        pdu.push(v.len() as u8);
        pdu.extend_from_slice(v.as_bytes());
    }
    frame(&pdu)
}

fn plc() -> Vec<u8> {
    device_id(
        0x81,
        0,
        &[(0, "Schneider Electric"), (1, "BMX P34 2020"), (2, "v2.7")],
    )
}

const PLC_TEXT: &str = "unit 0, vendor Schneider Electric, product code BMX P34 2020, \
revision v2.7, conformity 0x81 (basic)";

fn text(chunks: &[&[u8]]) -> String {
    let (sent, f) = drive(start, IP, chunks);
    assert_eq!(sent, REQUEST);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].app, app::MODBUS);
    String::from_utf8(f[0].text.clone()).unwrap()
}

#[test]
fn the_request_is_well_formed() {
    assert_eq!(usize::from(REQUEST[5]), REQUEST.len() - 6);
    assert_eq!(&REQUEST[7..], [0x2b, 0x0e, 0x01, 0x00]);
}

#[test]
fn device_identification() {
    let p = plc();
    assert_eq!(text(&[&p]), PLC_TEXT);
    assert_eq!(text(&[&p[..5], &p[5..20], &p[20..]]), PLC_TEXT);
    let regular = device_id(
        0x02,
        0xff,
        &[(3, "http://example.com"), (5, "M1"), (0x80, "x")],
    );
    assert_eq!(
        text(&[&regular]),
        "unit 0, vendor URL http://example.com, model name M1, object 0x80 x, conformity \
0x02 (regular), more objects"
    );
}

#[test]
fn exceptions_and_other_functions() {
    assert_eq!(
        text(&[&frame(&[0xab, 0x01])]),
        "unit 0, exception 0x01 illegal function"
    );
    assert_eq!(
        text(&[&frame(&[0xab, 0x0b])]),
        "unit 0, exception 0x0b gateway target device failed to respond"
    );
    assert_eq!(text(&[&frame(&[0x03, 0x00])]), "unit 0, function 0x03");
}

#[test]
fn every_truncation() {
    for whole in [plc(), frame(&[0xab, 0x01])] {
        for cut in 1..whole.len() {
            let t = text(&[&whole[..cut]]);
            assert!(
                t.starts_with("incomplete")
                    || t.ends_with("cut")
                    || t.ends_with("incomplete response (7 bytes)"),
                "{cut}: {t}"
            );
        }
    }
    // A length field larger than any frame: the first 260 bytes are reported.
    let mut big = frame(&[0x2b, 0x0e]);
    big[4..6].copy_from_slice(&[0xff, 0xff]);
    big.resize(400, b'A');
    let t = text(&[&big]);
    assert!(t.starts_with("unit 0"), "{t}");
}

#[test]
fn strangers() {
    let (_, f) = drive(start, IP, &[b"HTTP/1.1 400 Bad Request\r\n"]);
    assert_eq!(f, [Found::new(app::HEUR, "HTTP/1.1 400 Bad Request\r\n")]);
    assert!(drive(start, IP, &[]).1.is_empty());
}

#[test]
fn through_the_session_on_502() {
    let (hello, done, f) = through_session(IP, 502, &plc());
    assert_eq!(hello, REQUEST);
    assert!(done);
    assert_eq!(f, [Found::new(app::MODBUS, PLC_TEXT)]);
}

proptest::proptest! {
    #[test]
    fn arbitrary_bytes(
        first in proptest::sample::select(vec![&b"\x00\x01\x00\x00"[..], b"\x00\x01\x00\x00\x00\x20\x00\x2b\x0e", b"\x00"]),
        tail in proptest::collection::vec(proptest::collection::vec(proptest::num::u8::ANY, 0..100), 0..6),
    ) {
        let f = drive_tail(start, IP, first, &tail);
        proptest::prop_assert_eq!(f.len(), 1);
    }
}

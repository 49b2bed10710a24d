//! ListIdentity replies laid out as ODVA's EtherNet/IP specification (vol. 2, 2-4.2.3: the
//! encapsulation header, then an item count and a CIP Identity item, type 0x0C) gives them,
//! with the values a ControlLogix Ethernet module reports; refusals, every truncation, and the
//! session on 44818.

use super::*;
use crate::banner::parser::{drive, drive_tail, through_session};

const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(198, 18, 1, 60));

/// A reply: our header with `status`, then `data`.
fn reply(status: u32, data: &[u8]) -> Vec<u8> {
    let mut r = vec![0x63, 0];
    r.extend_from_slice(&(data.len() as u16).to_le_bytes());
    r.extend_from_slice(&0u32.to_le_bytes());
    r.extend_from_slice(&status.to_le_bytes());
    r.extend_from_slice(&REQUEST[12..20]);
    r.extend_from_slice(&0u32.to_le_bytes());
    r.extend_from_slice(data);
    r
}

/// One CIP Identity item (ODVA vol. 2, table 2-4.4).
fn identity_item(name: &str) -> Vec<u8> {
    let mut i = Vec::new();
    i.extend_from_slice(&1u16.to_le_bytes()); // encapsulation protocol version
    i.extend_from_slice(&2u16.to_be_bytes()); // sin_family AF_INET
    i.extend_from_slice(&44818u16.to_be_bytes());
    i.extend_from_slice(&[192, 168, 1, 10]);
    i.extend_from_slice(&[0; 8]);
    i.extend_from_slice(&1u16.to_le_bytes()); // vendor: Rockwell
    i.extend_from_slice(&12u16.to_le_bytes()); // communications adapter
    i.extend_from_slice(&166u16.to_le_bytes()); // product code
    i.extend_from_slice(&[5, 28]); // revision
    i.extend_from_slice(&0x0030u16.to_le_bytes());
    i.extend_from_slice(&0x00c0_ffeeu32.to_le_bytes());
    i.push(name.len() as u8);
    i.extend_from_slice(name.as_bytes());
    i.push(3); // state: operational
    let mut item = CIP_IDENTITY.to_le_bytes().to_vec();
    item.extend_from_slice(&(i.len() as u16).to_le_bytes());
    item.extend_from_slice(&i);
    item
}

fn module() -> Vec<u8> {
    let mut d = 1u16.to_le_bytes().to_vec();
    d.extend_from_slice(&identity_item("1756-EN2T/D"));
    reply(0, &d)
}

const MODULE_TEXT: &str = "vendor 1 (Rockwell Automation/Allen-Bradley), device type 12 \
(communications adapter), product code 166, revision 5.28, status 0x0030, serial 0x00c0ffee, \
product name 1756-EN2T/D, state 0x03, address 192.168.1.10:44818";

fn text(chunks: &[&[u8]]) -> String {
    let (sent, f) = drive(start, IP, chunks);
    assert_eq!(sent, REQUEST);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].app, app::ENIP);
    String::from_utf8(f[0].text.clone()).unwrap()
}

#[test]
fn the_request_is_a_list_identity() {
    assert_eq!(REQUEST.len(), HEADER);
    assert_eq!(le16(REQUEST, 0), Some(0x0063));
    assert_eq!(le16(REQUEST, 2), Some(0));
}

#[test]
fn identity() {
    let m = module();
    assert_eq!(text(&[&m]), MODULE_TEXT);
    assert_eq!(text(&[&m[..3], &m[3..30], &m[30..]]), MODULE_TEXT);
    // Another item first, an unknown vendor and device type.
    let mut d = 2u16.to_le_bytes().to_vec();
    d.extend_from_slice(&[0x86, 0, 2, 0, 1, 2]);
    let mut item = identity_item("x");
    item[4 + 18..4 + 20].copy_from_slice(&9999u16.to_le_bytes());
    item[4 + 20..4 + 22].copy_from_slice(&200u16.to_le_bytes());
    d.extend_from_slice(&item);
    let t = text(&[&reply(0, &d)]);
    assert!(
        t.starts_with("vendor 9999 (unknown vendor), device type 200 (unknown type)"),
        "{t}"
    );
}

#[test]
fn refusals_and_odd_replies() {
    assert_eq!(
        text(&[&reply(1, &[])]),
        "ListIdentity refused, status 0x1 (invalid or unsupported command)"
    );
    assert_eq!(text(&[&reply(0, &[])]), "no items");
    assert_eq!(text(&[&reply(0, &[0, 0])]), "no identity item");
    assert_eq!(
        text(&[&reply(0, &[1, 0, 0x00, 0x01, 0, 0])]),
        "no identity item (item 0x0100)"
    );
}

#[test]
fn every_truncation() {
    let m = module();
    for cut in 1..m.len() {
        let t = text(&[&m[..cut]]);
        assert!(
            t.starts_with("incomplete header")
                || t.ends_with("cut")
                || t.contains("cut,")
                || t == "no items",
            "{cut}: {t}"
        );
    }
    // A length field past any reply: the first 600 bytes are read and reported.
    let mut big = module();
    big[2..4].copy_from_slice(&[0xff, 0xff]);
    big.resize(900, b'A');
    assert_eq!(text(&[&big]), MODULE_TEXT);
}

#[test]
fn strangers() {
    let (_, f) = drive(start, IP, &[b"HTTP/1.1 400 Bad Request\r\n"]);
    assert_eq!(f, [Found::new(app::HEUR, "HTTP/1.1 400 Bad Request\r\n")]);
    assert!(drive(start, IP, &[]).1.is_empty());
}

#[test]
fn through_the_session_on_44818() {
    let (hello, done, f) = through_session(IP, 44818, &module());
    assert_eq!(hello, REQUEST);
    assert!(done);
    assert_eq!(f, [Found::new(app::ENIP, MODULE_TEXT)]);
}

proptest::proptest! {
    #[test]
    fn arbitrary_bytes(
        first in proptest::sample::select(vec![&b"\x63\x00"[..], b"\x63\x00\x40\x00", b"\x63"]),
        tail in proptest::collection::vec(proptest::collection::vec(proptest::num::u8::ANY, 0..100), 0..8),
    ) {
        let f = drive_tail(start, IP, first, &tail);
        proptest::prop_assert_eq!(f.len(), 1);
    }
}

//! Replies built from IEEE 1815-2012 clause 9.2 (the FT3 frame: start 0x0564, length,
//! control, destination and source low byte first, CRC-16/DNP after the header and after
//! each 16-byte block of user data): an outstation's LINK_STATUS, an unsolicited response,
//! bad CRCs, every truncation, and the session on 20000.

use super::*;
use crate::banner::parser::{drive, drive_tail, through_session};

/// The CRC of `b` as DNP3 sends it (low byte first).
fn crc(b: &[u8]) -> [u8; 2] {
    CRC.checksum(b).to_le_bytes()
}

const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(198, 18, 1, 66));

/// LINK_STATUS (secondary, function 11, DFC 0) from outstation `src` to master 0.
fn link_status(src: u16) -> Vec<u8> {
    header(5, 0x0b, 0, src).to_vec()
}

const STATUS_TEXT: &str =
    "function LINK_STATUS (11), source 10, destination 0, from outstation, DFC 0";

/// A primary UNCONFIRMED_USER_DATA frame carrying `data` in CRC'd blocks.
fn with_data(data: &[u8]) -> Vec<u8> {
    let mut f = header(5 + data.len() as u8, 0x44, 0, 10).to_vec();
    for block in data.chunks(16) {
        f.extend_from_slice(block);
        f.extend_from_slice(&crc(block));
    }
    f
}

/// Transport FIR|FIN seq 0, application control FIR|FIN|UNS seq 0, UNSOLICITED_RESPONSE,
/// IIN 0x9000 (device restart, all stations), then 13 bytes of objects.
fn unsolicited() -> Vec<u8> {
    let mut d = vec![0xc0, 0xd0, 0x82, 0x90, 0x00];
    d.extend_from_slice(&[
        0x3c, 0x02, 0x06, 0x3c, 0x03, 0x06, 0x3c, 0x04, 0x06, 0, 0, 0, 0,
    ]);
    with_data(&d)
}

fn text(chunks: &[&[u8]]) -> String {
    let (sent, f) = drive(start, IP, chunks);
    assert_eq!(sent, *REQUEST);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].app, app::DNP3);
    String::from_utf8(f[0].text.clone()).unwrap()
}

#[test]
fn the_crc_is_crc_16_dnp() {
    // The catalogue's check value of CRC-16/DNP.
    assert_eq!(CRC.checksum(b"123456789"), 0xea82);
    assert_eq!(crc(b"123456789"), [0x82, 0xea]);
}

#[test]
fn the_request_asks_destinations_0_to_99_for_their_link_status() {
    assert_eq!(REQUEST.len(), 100 * HEADER);
    for (dst, f) in REQUEST.chunks(HEADER).enumerate() {
        assert_eq!(&f[..4], [0x05, 0x64, 5, 0xc9]);
        assert_eq!(le16(f, 4), Some(dst as u16));
        assert_eq!(le16(f, 6), Some(0));
        assert_eq!(f[8..], crc(&f[..8]));
    }
}

#[test]
fn link_status_and_other_answers() {
    let s = link_status(10);
    assert_eq!(text(&[&s]), STATUS_TEXT);
    assert_eq!(text(&[&s[..3], &s[3..]]), STATUS_TEXT);
    // Several frames in one read: the first, and the count of the others.
    let two = [link_status(10), link_status(10), link_status(11)].concat();
    assert_eq!(text(&[&two]), format!("{STATUS_TEXT}, 2 more frames"));
    let nack = header(5, 0x01, 0, 1024);
    assert_eq!(
        text(&[&nack]),
        "function NACK (1), source 1024, destination 0, from outstation, DFC 0"
    );
    let busy = header(5, 0x1f, 0, 3);
    assert_eq!(
        text(&[&busy]),
        "function NOT_SUPPORTED (15), source 3, destination 0, from outstation, DFC 1"
    );
}

#[test]
fn user_data_and_its_application_function() {
    assert_eq!(
        text(&[&unsolicited()]),
        "function UNCONFIRMED_USER_DATA (4), source 10, destination 0, from outstation, FCB 0 \
FCV 0, user data 18 bytes, application function 0x82 UNSOLICITED_RESPONSE"
    );
}

#[test]
fn bad_crcs_are_named() {
    let mut s = link_status(10);
    s[8] ^= 0xff;
    let t = text(&[&s]);
    let good = u16::from_le_bytes(crc(&s[..8]));
    assert_eq!(
        t,
        format!(
            "{STATUS_TEXT}, bad header CRC {:#06x} (computed {good:#06x})",
            good ^ 0xff
        )
    );
    let mut u = unsolicited();
    let last = u.len() - 1;
    u[last] ^= 1;
    let t = text(&[&u]);
    assert!(t.contains(", bad data block 2 CRC 0x"), "{t}");
    assert!(!t.contains("header CRC"), "{t}");
}

#[test]
fn every_truncation() {
    for whole in [link_status(10), unsolicited()] {
        for cut in 1..whole.len() {
            let t = text(&[&whole[..cut]]);
            assert!(
                t.starts_with("incomplete header") || t.contains("(cut after "),
                "{cut}: {t}"
            );
        }
    }
    // A length field under 5 is no frame of the standard: named.
    let bad = header(2, 0x0b, 0, 10);
    assert!(text(&[&bad]).ends_with(", bad length 2"));
}

#[test]
fn strangers() {
    let (_, f) = drive(start, IP, &[b"HTTP/1.1 400 Bad Request\r\n"]);
    assert_eq!(f, [Found::new(app::HEUR, "HTTP/1.1 400 Bad Request\r\n")]);
    assert!(drive(start, IP, &[]).1.is_empty());
}

#[test]
fn through_the_session_on_20000() {
    let (hello, done, f) = through_session(IP, 20000, &link_status(10));
    assert_eq!(hello, *REQUEST);
    assert!(done);
    assert_eq!(f, [Found::new(app::DNP3, STATUS_TEXT)]);
}

proptest::proptest! {
    #[test]
    fn arbitrary_bytes(
        first in proptest::sample::select(vec![&b"\x05\x64"[..], b"\x05\x64\xff\x44\x00\x00\x0a\x00", b"\x05"]),
        tail in proptest::collection::vec(proptest::collection::vec(proptest::num::u8::ANY, 0..100), 0..6),
    ) {
        let f = drive_tail(start, IP, first, &tail);
        proptest::prop_assert_eq!(f.len(), 1);
    }
}

//! Replies built from ASHRAE 135 (BVLC: Annex J.2; NPDU: clause 6.2; APDU headers: clause 20.1;
//! tags and values: clause 20.2; ReadPropertyMultiple-ACK and ReadProperty-ACK: clauses 15.7
//! and 15.5 with their ASN.1 in clause 21): a device's answer to our request, a property it
//! lacks, a routed answer, Error, Reject and Abort PDUs, an I-Am, every truncation.

use super::*;

/// BVLC Original-Unicast-NPDU around `npdu`.
fn bvll(npdu: &[u8]) -> Vec<u8> {
    let mut m = vec![0x81, 0x0a];
    m.extend_from_slice(&((npdu.len() + 4) as u16).to_be_bytes());
    m.extend_from_slice(npdu);
    m
}

/// An NPDU without addresses (version 1, control 0) and `apdu`.
fn plain(apdu: &[u8]) -> Vec<u8> {
    bvll(&[&[0x01, 0x00][..], apdu].concat())
}

/// A CharacterString value (application tag 7, UTF-8).
fn string(s: &str) -> Vec<u8> {
    let n = s.len() + 1;
    let mut v = if n <= 4 {
        vec![0x70 | n as u8]
    } else {
        vec![0x75, n as u8]
    };
    v.push(0);
    v.extend_from_slice(s.as_bytes());
    v
}

/// A property's result in a ReadPropertyMultiple-ACK: its id (context 2), then the value
/// between opening and closing tags 4.
fn result(pid: u8, value: &[u8]) -> Vec<u8> {
    [&[0x29, pid, 0x4e][..], value, &[0x4f]].concat()
}

/// A property's error: opening tag 5, class and code (enumerated), closing tag 5.
fn failed(pid: u8, class: u8, code: u8) -> Vec<u8> {
    vec![0x29, pid, 0x5e, 0x91, class, 0x91, code, 0x5f]
}

/// The ReadPropertyMultiple-ACK of device 389001 (invoke id `id`) for our properties, its
/// location missing.
fn device_ack(id: u8) -> Vec<u8> {
    let mut a = vec![0x30, id, 14, 0x0c, 0x02, 0x05, 0xef, 0x89, 0x1e];
    a.extend(result(75, &[0xc4, 0x02, 0x05, 0xef, 0x89]));
    a.extend(result(120, &[0x22, 0x01, 0x04]));
    a.extend(result(121, &string("Lab Controls Inc.")));
    a.extend(result(44, &string("3.0.2")));
    a.extend(result(12, &string("1.4")));
    a.extend(result(77, &string("AHU-3 controller")));
    a.extend(result(70, &string("LC-100")));
    a.extend(result(28, &string("")));
    a.extend(failed(58, 2, 32));
    a.push(0x1f);
    plain(&a)
}

const DEVICE_TEXT: &str = "instance_number 389001, vendor_id 260, vendor_name Lab Controls \
Inc., firmware_revision 3.0.2, application_software_revision 1.4, object_name AHU-3 \
controller, model_name LC-100, description \"\", location error property/unknown-property";

fn text(reply: &[u8]) -> String {
    String::from_utf8(banner(reply).expect("reads as BACnet")).unwrap()
}

#[test]
fn the_request_is_a_read_property_multiple_of_the_device_wildcard() {
    let r = request();
    assert_eq!(&r[..4], [0x81, 0x0a, 0, r.len() as u8]);
    assert_eq!(&r[4..6], [0x01, 0x04]);
    assert_eq!(r[6..8], [0x00, 0x05]);
    assert_eq!(r[INVOKE_ID_AT + 1], 14);
    assert_eq!(&r[10..15], [0x0c, 0x02, 0x3f, 0xff, 0xff]);
    let ids: Vec<u8> = r[16..r.len() - 1].chunks(2).map(|p| p[1]).collect();
    assert_eq!(ids, [75, 120, 121, 44, 12, 77, 70, 28, 58]);
    assert_eq!(r[15], 0x1e);
    assert_eq!(r[r.len() - 1], 0x1f);
}

#[test]
fn a_device_answers_every_property() {
    let ack = device_ack(0x5a);
    assert_eq!(text(&ack), DEVICE_TEXT);
    assert_eq!(invoke_id(&ack), Some(0x5a));
    assert_eq!(invoke_id(&request()), None, "a request is no answer");
}

#[test]
fn values_of_every_kind() {
    let values = [
        (vec![0x00], "null"),
        (vec![0x11], "true"),
        (vec![0x21, 0x07], "7"),
        (vec![0x31, 0xff], "-1"),
        (vec![0x44, 0x41, 0x20, 0, 0], "10.0"),
        (vec![0x62, 0xab, 0xcd], "0xabcd"),
        (vec![0x91, 0x03], "3"),
        (vec![0xa4, 124, 1, 31, 255], "2024-01-31"),
        (vec![0xb4, 13, 5, 9, 0], "13:05:09.00"),
        (vec![0xc4, 0x00, 0x00, 0x00, 0x07], "type 0 instance 7"),
        (vec![0x75, 5, 4, 0, b'h', 0, b'i'], "hi"),
        (vec![0x73, 5, 0xe9, b'e'], "\u{e9}e"),
        (vec![0x0e, 0x21, 1, 0x0f], "(constructed)"),
        (vec![0x21, 1, 0x21, 2], "1 2"),
    ];
    for (v, want) in values {
        let a = [
            &[0x30, 1, 14, 0x0c, 0x02, 0x3f, 0xff, 0xff, 0x1e][..],
            &result(28, &v),
            &[0x1f],
        ]
        .concat();
        assert_eq!(text(&plain(&a)), format!("description {want}"), "{v:02x?}");
    }
}

#[test]
fn a_read_property_answer_and_a_routed_one() {
    // ReadProperty-ACK: object (context 0), property (context 1), value in tags 3.
    let a = [
        &[0x30, 9, 12, 0x0c, 0x02, 0x00, 0x00, 0x2a, 0x19, 121, 0x3e][..],
        &string("Acme"),
        &[0x3f],
    ]
    .concat();
    assert_eq!(text(&plain(&a)), "vendor_name Acme");
    // From a router: source network 5, MAC address 0x0a (clause 6.2.2).
    let routed = bvll(&[&[0x01, 0x08, 0x00, 0x05, 0x01, 0x0a][..], &a].concat());
    assert_eq!(text(&routed), "vendor_name Acme, from network 5 address 0a");
    assert_eq!(invoke_id(&routed), Some(9));
    // Forwarded by a BBMD (Annex J.2.5): the original source first.
    let mut fwd = vec![0x81, 0x04, 0, 0, 198, 18, 1, 65, 0xba, 0xc0, 0x01, 0x00];
    fwd.extend_from_slice(&a);
    let n = fwd.len() as u16;
    fwd[2..4].copy_from_slice(&n.to_be_bytes());
    assert_eq!(
        text(&fwd),
        "forwarded from 198.18.1.65:47808, vendor_name Acme"
    );
}

#[test]
fn errors_rejects_aborts_and_others_are_named() {
    let cases: [(&[u8], &str); 7] = [
        (
            &[0x50, 3, 14, 0x91, 1, 0x91, 31],
            "Error ReadPropertyMultiple: object/unknown-object",
        ),
        (
            &[0x50, 3, 12, 0x0e, 0x91, 5, 0x91, 29, 0x0f],
            "Error ReadProperty: services/service-request-denied",
        ),
        (&[0x60, 3, 9], "Reject unrecognized-service (9)"),
        (
            &[0x71, 3, 4],
            "Abort by server: segmentation-not-supported (4)",
        ),
        (&[0x20, 3, 15], "SimpleACK WriteProperty"),
        (
            &[
                0x10, 0x00, 0xc4, 0x02, 0x05, 0xef, 0x89, 0x22, 0x05, 0xc4, 0x91, 0x00, 0x21, 0x05,
            ],
            "I-Am, instance_number 389001, max_apdu 1476, segmentation 0, vendor_id 5",
        ),
        (&[0x10, 0x08], "unconfirmed request service 8"),
    ];
    for (apdu, want) in cases {
        assert_eq!(text(&plain(apdu)), want);
    }
    assert_eq!(invoke_id(&plain(&[0x60, 3, 9])), Some(3));
    assert_eq!(invoke_id(&plain(&[0x10, 0x08])), None);
    assert_eq!(
        text(&[0x81, 0x00, 0x00, 0x06, 0x00, 0x30]),
        "BVLC-Result 0x0030 register-foreign-device NAK"
    );
    assert_eq!(
        text(&bvll(&[0x01, 0x80, 0x03, 0x00, 0x05])),
        "network message 0x03 Reject-Message-To-Network"
    );
}

#[test]
fn strangers_are_not_bacnet() {
    assert_eq!(banner(b""), None);
    assert_eq!(banner(b"\x81"), None);
    assert_eq!(banner(b"\x81\x0d\x00\x04"), None);
    assert_eq!(banner(b"HTTP/1.1 200 OK\r\n"), None);
}

#[test]
fn every_truncation() {
    let whole = device_ack(1);
    for cut in 2..whole.len() {
        let t = text(&whole[..cut]);
        assert!(
            t.ends_with("cut") || t.contains("cut,") || t.ends_with("missing"),
            "{cut}: {t}"
        );
        assert!(t.len() < 400);
    }
    // Every cut of the other shapes reads without a panic.
    let routed = bvll(&[0x01, 0x28, 0, 1, 1, 9, 0, 2, 2, 1, 2, 255, 0x71, 3, 4]);
    for reply in [routed, plain(&[0x50, 3, 14, 0x91, 1, 0x91, 31])] {
        for cut in 0..reply.len() {
            let _ = banner(&reply[..cut]);
            let _ = invoke_id(&reply[..cut]);
        }
    }
}

proptest::proptest! {
    #[test]
    fn arbitrary_bytes_after_a_header(
        apdu in proptest::collection::vec(proptest::num::u8::ANY, 0..300),
    ) {
        let r = plain(&[&[0x30, 1, 14][..], &apdu].concat());
        let t = banner(&r).unwrap();
        proptest::prop_assert!(t.len() <= MAX_TEXT);
        proptest::prop_assert!(t.len() <= 16 * r.len() + 64);
        let _ = invoke_id(&r);
    }
}

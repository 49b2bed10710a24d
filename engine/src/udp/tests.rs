use super::*;
use proptest::prelude::*;

#[test]
fn memcached_and_ssdp_and_raw() {
    let mut m = vec![0x12, 0x34, 0, 0, 0, 1, 0, 0];
    m.extend_from_slice(b"STAT pid 7\r\nSTAT uptime 42\r\nSTAT version 1.6.18\r\nEND\r\n");
    let f = banner(11211, &m, false).unwrap();
    assert_eq!(
        (f.app, f.text.as_slice()),
        (app::MEMCACHED, &b"uptime=42 version=1.6.18 "[..])
    );

    let s = b"HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: upnp:rootdevice\r\nLocation: http://198.18.0.9:5000/desc.xml\r\nSERVER: Linux/6 UPnP/1.0 lab/1\r\n\r\n";
    let f = banner(1900, s, false).unwrap();
    assert_eq!(
        String::from_utf8(f.text).unwrap(),
        "ST:upnp:rootdevice LOCATION:http://198.18.0.9:5000/desc.xml SERVER:Linux/6 UPnP/1.0 lab/1"
    );

    // A port without a parser, or a reply its parser does not recognise: raw bytes.
    let f = banner(9999, b"hello\x00", false).unwrap();
    assert_eq!((f.app, f.text.as_slice()), (0, &b"hello\x00"[..]));
    let f = banner(53, b"not dns", true).unwrap();
    assert_eq!((f.app, f.text.as_slice()), (0, &b"not dns IP-MISMATCH"[..]));
    assert_eq!(banner(53, b"", false), None);
    assert_eq!(banner(7, &[7u8; 4000], false).unwrap().text.len(), RAW_MAX);
}

proptest! {
    #[test]
    fn any_reply_to_any_parsed_port_is_safe(
        port in prop::sample::select(vec![53u16, 123, 137, 161, 500, 1900, 5683, 11211, 47808, 7]),
        bytes in prop::collection::vec(any::<u8>(), 0..600),
    ) {
        if let Some(f) = banner(port, &bytes, false) {
            prop_assert!(f.text.len() <= 8192);
        }
        for p in payloads::builtin() {
            if let Some(c) = p.cookie {
                let _ = c.read_back(&bytes);
            }
        }
    }
}

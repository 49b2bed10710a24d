//! An S7-300 CPU's conversation, each reply laid out as the specifications give it: TPKT (RFC
//! 1006), COTP CC/DR/DT (ISO 8073 class 0), S7comm's acknowledgement of Setup Communication and
//! userdata SZL answers (the layouts Wireshark's `s7comm` dissector documents; SZL records as
//! Siemens' "System Software for S7-300/400 System and Standard Functions" manual, ch. 34,
//! gives SZL-ID W#16#0011 and W#16#001C). A refused first TSAP, errors, every truncation.

use super::*;

const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(198, 18, 1, 62));

fn tpkt(payload: &[u8]) -> Vec<u8> {
    let mut f = vec![3, 0];
    f.extend_from_slice(&((payload.len() + 4) as u16).to_be_bytes());
    f.extend_from_slice(payload);
    f
}

/// COTP CC: length 17, dst ref 1, src ref 0x0044, class 0, TPDU size, the two TSAPs.
fn cc() -> Vec<u8> {
    tpkt(&[
        17, 0xd0, 0, 1, 0, 0x44, 0, 0xc0, 1, 0x0a, 0xc1, 2, 1, 0, 0xc2, 2, 1, 2,
    ])
}

/// COTP DR: dst ref, src ref, reason 0x80 (normal, by the session entity).
fn dr() -> Vec<u8> {
    tpkt(&[6, 0x80, 0, 1, 0, 0x44, 0x80])
}

fn dt(s7: &[u8]) -> Vec<u8> {
    let mut p = vec![2, 0xf0, 0x80];
    p.extend_from_slice(s7);
    tpkt(&p)
}

/// Ack_Data to Setup Communication: no error, 1/1 jobs, PDU 240.
fn setup_ack() -> Vec<u8> {
    dt(&[
        0x32, 3, 0, 0, 0, 1, 0, 8, 0, 0, 0, 0, 0xf0, 0, 0, 1, 0, 1, 0, 240,
    ])
}

/// A userdata answer to a read of SZL `id`: `code` (0xff: success) and these records.
fn szl(id: u16, code: u8, records: &[Vec<u8>]) -> Vec<u8> {
    let mut data = vec![code, 9];
    let mut list = id.to_be_bytes().to_vec();
    list.extend_from_slice(&1u16.to_be_bytes());
    let len = records.first().map_or(0, Vec::len) as u16;
    list.extend_from_slice(&len.to_be_bytes());
    list.extend_from_slice(&(records.len() as u16).to_be_bytes());
    records.iter().for_each(|r| list.extend_from_slice(r));
    data.extend_from_slice(&(list.len() as u16).to_be_bytes());
    data.extend_from_slice(&list);
    let error: u16 = if code == 0xff { 0 } else { 0xd401 };
    let mut s7 = vec![0x32, 7, 0, 0, 0, 2, 0, 12];
    s7.extend_from_slice(&(data.len() as u16).to_be_bytes());
    s7.extend_from_slice(&[0, 1, 0x12, 8, 0x12, 0x84, 1, 1, 0, 0]);
    s7.extend_from_slice(&error.to_be_bytes());
    s7.extend_from_slice(&data);
    dt(&s7)
}

/// SZL 0x0011 record: index, 20-character MLFB, module type, version words.
fn module_record(index: u16, mlfb: &str, v1: u16, v2: u16) -> Vec<u8> {
    let mut r = index.to_be_bytes().to_vec();
    let mut m = mlfb.as_bytes().to_vec();
    m.resize(20, b' ');
    r.extend_from_slice(&m);
    r.extend_from_slice(&0xc000u16.to_be_bytes());
    r.extend_from_slice(&v1.to_be_bytes());
    r.extend_from_slice(&v2.to_be_bytes());
    r
}

/// SZL 0x001C record: index and 32 bytes of name, NUL-padded.
fn component_record(index: u16, name: &[u8]) -> Vec<u8> {
    let mut r = index.to_be_bytes().to_vec();
    let mut n = name.to_vec();
    n.resize(32, 0);
    r.extend_from_slice(&n);
    r
}

fn module_list() -> Vec<u8> {
    szl(
        SZL_MODULE,
        0xff,
        &[
            module_record(1, "6ES7 315-2EH14-0AB0", 0x2000, 0x0000),
            module_record(6, "6ES7 315-2EH14-0AB0", 0x0004, 0x0000),
            module_record(7, "", 0x5603, 0x0206),
        ],
    )
}

fn component_list() -> Vec<u8> {
    szl(
        SZL_COMPONENT,
        0xff,
        &[
            component_record(1, b"SIMATIC 300(Line 4)"),
            component_record(2, b"CPU 315-2 PN/DP"),
            component_record(3, b"Packaging"),
            component_record(4, b"Original Siemens Equipment"),
            component_record(5, b"S C-X4U421302009"),
            component_record(7, b"CPU 315-2 PN/DP"),
            component_record(8, b"MMC 267FF11F"),
            component_record(9, &[0, 0x2a, 0xf6, 0, 0, 1]),
        ],
    )
}

const CPU_TEXT: &str = "COTP connected to TSAP 0x0102, S7comm PDU 240, order number 6ES7 \
315-2EH14-0AB0, hardware 4.0.0, firmware 3.2.6, system SIMATIC 300(Line 4), module CPU 315-2 \
PN/DP, plant id Packaging, copyright Original Siemens Equipment, serial number \
S C-X4U421302009, module type CPU 315-2 PN/DP, memory card serial MMC 267FF11F";

/// The requests a conversation sends, in order, for these replies.
fn requests(tsaps: &[u16], szls: usize) -> Vec<u8> {
    let mut r = Vec::new();
    tsaps.iter().for_each(|&t| connect_request(t, &mut r));
    if szls > 0 {
        r.extend_from_slice(&SETUP);
        szl_request(SZL_MODULE, 2, &mut r);
    }
    if szls > 1 {
        szl_request(SZL_COMPONENT, 3, &mut r);
    }
    r
}

/// The conversation: each chunk the server sends; what we sent, the banners.
fn talk(chunks: &[&[u8]]) -> (Vec<u8>, Vec<Found>) {
    crate::banner::parser::drive(start, IP, chunks)
}

fn text(chunks: &[&[u8]]) -> String {
    let (_, f) = talk(chunks);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].app, app::S7);
    String::from_utf8(f[0].text.clone()).unwrap()
}

#[test]
fn the_requests_are_well_formed() {
    let mut cr = Vec::new();
    connect_request(0x0102, &mut cr);
    assert_eq!(usize::from(cr[3]), cr.len());
    assert_eq!(usize::from(cr[4]), cr.len() - 5);
    assert_eq!(usize::from(SETUP[3]), SETUP.len());
    assert_eq!(usize::from(SETUP[14]), SETUP.len() - 17);
    let mut r = Vec::new();
    szl_request(0x1c, 3, &mut r);
    assert_eq!(usize::from(r[3]), r.len());
    assert_eq!(&r[r.len() - 4..], [0, 0x1c, 0, 1]);
}

#[test]
fn a_cpu_identifies_itself() {
    let whole = [cc(), setup_ack(), module_list(), component_list()];
    let chunks: Vec<&[u8]> = whole.iter().map(Vec::as_slice).collect();
    let (sent, f) = talk(&chunks);
    assert_eq!(sent, requests(&[0x0102], 2));
    assert_eq!(f, [Found::new(app::S7, CPU_TEXT)]);
    // All at once, or a byte at a time: the same.
    let all = whole.concat();
    assert_eq!(text(&[&all]), CPU_TEXT);
    let bytes: Vec<&[u8]> = all.chunks(1).collect();
    assert_eq!(text(&bytes), CPU_TEXT);
}

#[test]
fn the_second_tsap_on_a_second_connection() {
    // Refused: the connection ends, asking for a second one to TSAP 0x0200.
    let cfg = BannerConfig::default();
    let mut sent = Vec::new();
    let mut first = crate::banner::Session::start(IP, 102, &cfg, &mut sent);
    first.data(IP, &dr(), &cfg, &mut sent);
    assert!(first.is_done());
    assert_eq!(sent, requests(&[0x0102], 0));
    assert_eq!(first.next_try(&cfg), Some(crate::banner::NextTry::Second));
    let mut f = Vec::new();
    first.finish(&cfg, &mut f);
    assert_eq!(
        f,
        [Found::new(
            app::S7,
            "COTP TSAP 0x0102 refused (DR reason 0x80)"
        )]
    );
    sent.clear();
    let mut second = crate::banner::Session::start_second(IP, 102, &cfg, &mut sent);
    assert_eq!(sent, requests(&[0x0200], 0));
    for reply in [cc(), setup_ack(), module_list(), component_list()] {
        second.data(IP, &reply, &cfg, &mut sent);
    }
    assert!(second.is_done());
    assert_eq!(second.next_try(&cfg), None);
    f.clear();
    second.finish(&cfg, &mut f);
    let want = CPU_TEXT.replace("TSAP 0x0102", "TSAP 0x0200");
    assert_eq!(f, [Found::new(app::S7, want)]);
    // The second refused too: no third connection.
    let mut third = crate::banner::Session::start_second(IP, 102, &cfg, &mut sent);
    third.data(IP, &dr(), &cfg, &mut sent);
    assert_eq!(third.next_try(&cfg), None);
    // A silent server gets the second TSAP too; one that answered, or spoke another protocol,
    // does not.
    let silent = crate::banner::Session::start(IP, 102, &cfg, &mut sent);
    assert_eq!(silent.next_try(&cfg), Some(crate::banner::NextTry::Second));
    for reply in [&cc()[..], b"SSH-2.0-x\r\n", b"\x03\x00"] {
        let mut s = crate::banner::Session::start(IP, 102, &cfg, &mut sent);
        s.data(IP, reply, &cfg, &mut sent);
        assert_eq!(s.next_try(&cfg), None);
    }
}

#[test]
fn errors_and_lists_refused() {
    let refused = szl(SZL_MODULE, 0x0a, &[]);
    let t = text(&[&cc(), &setup_ack(), &refused, &component_list()]);
    assert!(
        t.starts_with(
            "COTP connected to TSAP 0x0102, S7comm PDU 240, SZL 0x0011 return code 0x0a, error \
0xd401, system SIMATIC"
        ),
        "{t}"
    );
    let mut nak = setup_ack();
    nak[17..19].copy_from_slice(&[0x85, 0x00]);
    assert_eq!(
        text(&[&cc(), &nak]),
        "COTP connected to TSAP 0x0102, S7 error class 0x85 code 0x00"
    );
    assert_eq!(
        text(&[&cc(), &cc()]),
        "COTP connected to TSAP 0x0102, COTP type 0xd0 during setup"
    );
    assert_eq!(
        text(&[&cc(), &dt(b"\x72\x02\x00\x10")]),
        "COTP connected to TSAP 0x0102, not S7comm (4 bytes)"
    );
    assert_eq!(text(&[b"\x03\x00\x00\x02"]), "TPKT length 2");
    let mut huge = cc();
    huge[2..4].copy_from_slice(&[0xff, 0xff]);
    assert_eq!(text(&[&huge]), "TPKT length 65535");
}

#[test]
fn every_truncation() {
    let all = [cc(), setup_ack(), module_list(), component_list()].concat();
    for cut in 1..all.len() {
        let t = text(&[&all[..cut]]);
        assert!(
            t.ends_with(" reply") && t.contains("cut before the"),
            "{cut}: {t}"
        );
    }
    // Records cut inside a whole frame: the list's own lengths overrun the data.
    let mut short = module_list();
    short[39..41].copy_from_slice(&[0, 9]);
    let t = text(&[&cc(), &setup_ack(), &short, &component_list()]);
    assert!(t.contains("order number 6ES7 315-2EH14-0AB0, hardware 4.0.0, firmware 3.2.6, SZL 0x0011 cut, system"), "{t}");
}

#[test]
fn strangers() {
    let (sent, f) = talk(&[b"HTTP/1.1 400 Bad Request\r\n", b"Server: x\r\n"]);
    assert_eq!(sent, requests(&[0x0102], 0));
    assert_eq!(
        f,
        [Found::new(
            app::HEUR,
            "HTTP/1.1 400 Bad Request\r\nServer: x\r\n"
        )]
    );
    assert!(talk(&[]).1.is_empty());
}

#[test]
fn through_the_session_on_102() {
    let cfg = BannerConfig::default();
    let mut sent = Vec::new();
    let mut s = crate::banner::Session::start(IP, 102, &cfg, &mut sent);
    for reply in [cc(), setup_ack(), module_list(), component_list()] {
        assert!(!s.is_done());
        s.data(IP, &reply, &cfg, &mut sent);
    }
    assert!(s.is_done());
    assert_eq!(sent, requests(&[0x0102], 2));
    let mut f = Vec::new();
    s.finish(&cfg, &mut f);
    assert_eq!(f, [Found::new(app::S7, CPU_TEXT)]);
}

proptest::proptest! {
    #[test]
    fn arbitrary_bytes(
        first in proptest::sample::select(vec![cc(), [cc(), setup_ack()].concat(), [cc(), setup_ack(), module_list()].concat(), vec![3, 0]]),
        tail in proptest::collection::vec(proptest::collection::vec(proptest::num::u8::ANY, 0..100), 0..8),
    ) {
        let mut chunks: Vec<&[u8]> = vec![&first];
        chunks.extend(tail.iter().map(Vec::as_slice));
        let (_, f) = talk(&chunks);
        proptest::prop_assert_eq!(f.len(), 1);
    }
}

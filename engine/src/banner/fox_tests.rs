//! A station's `fox hello` answer shaped as a Niagara AX JACE's (the message layout: a
//! `fox a 0 -1 fox hello` line, `{`, `key=type:value` lines, `};;`, as Tridium's Fox
//! documentation in Nmap's `fox-info` and ZGrab2's `fox` module describe it), a sparse one,
//! every truncation, and the session on 1911.

use super::*;
use crate::banner::parser::{drive, drive_tail, through_session};

const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(198, 18, 1, 61));

const JACE: &[u8] = b"fox a 0 -1 fox hello\n{\nfox.version=s:1.0.1\nid=i:255178\n\
hostName=s:jace-01\nhostAddress=s:192.168.1.20\napp.name=s:Station\napp.version=s:3.8.311\n\
vm.name=s:Java HotSpot(TM) Embedded Client VM\nvm.version=s:25.141-b06\nos.name=s:QNX\n\
os.version=s:6.5.0\nstation.name=s:Plant_JACE\nlang=s:en\ntimeZone=s:America/Chicago;\
-21600000;3600000;02:00:00.000,wall,march,8,on or after,sunday,undefined\n\
hostId=s:Qnx-JVLN-0000-05A1-7B93\nvmUuid=s:7e0f3d4a-1c2b-4e5f-8a9b-0c1d2e3f4a5b\n\
brandId=s:vykon\nauthAgentTypeSpecs=s:fox:FoxUsernamePasswordAuthAgent\n};;\n";

const JACE_TEXT: &str = "fox version 1.0.1, id 255178, hostName jace-01, hostAddress \
192.168.1.20, app Station, app version 3.8.311, vm Java HotSpot(TM) Embedded Client VM, vm \
version 25.141-b06, os QNX, os version 6.5.0, station Plant_JACE, lang en, timeZone \
America/Chicago, hostId Qnx-JVLN-0000-05A1-7B93, vmUuid 7e0f3d4a-1c2b-4e5f-8a9b-0c1d2e3f4a5b, \
brandId vykon";

fn text(chunks: &[&[u8]]) -> String {
    let (sent, f) = drive(start, IP, chunks);
    assert_eq!(sent, REQUEST);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].app, app::FOX);
    String::from_utf8(f[0].text.clone()).unwrap()
}

#[test]
fn our_hello_is_one_fox_message() {
    assert!(REQUEST.starts_with(b"fox a 1 -1 fox hello\n{\n"));
    assert!(REQUEST.ends_with(b"\n};;\n"));
    assert!(REQUEST.split(|&c| c == b'\n').skip(2).all(|l| l.is_empty()
        || l == b"};;"
        || l.iter().position(|&c| c == b'=') < l.iter().position(|&c| c == b':')));
}

#[test]
fn a_station_hello() {
    assert_eq!(text(&[JACE]), JACE_TEXT);
    assert_eq!(
        text(&[&JACE[..10], &JACE[10..200], &JACE[200..]]),
        JACE_TEXT
    );
    // The fields a station leaves out are not reported; a line without a type is skipped.
    let sparse = b"fox a 0 -1 fox hello\r\n{\r\nfox.version=s:1.0\r\nhostName=bare\r\n\
app.name=s:Station\r\n};;\r\n";
    assert_eq!(text(&[sparse]), "fox version 1.0, app Station");
    assert_eq!(text(&[b"fox a 0 -1 fox hello\n{\n};;\n"]), "fox hello");
}

#[test]
fn every_truncation() {
    for cut in 1..JACE.len() {
        let t = text(&[&JACE[..cut]]);
        let end = JACE[..cut].windows(3).any(|w| w == b"};;");
        assert!(
            t.starts_with("incomplete hello") || t.ends_with(", cut") || end,
            "{cut}: {t}"
        );
    }
    // No end in sight: the first 4 KiB are read.
    let mut long = b"fox a 0 -1 fox hello\n{\nfox.version=s:1.0\nx=s:".to_vec();
    long.resize(6000, b'A');
    assert_eq!(text(&[&long]), "fox version 1.0, cut");
}

#[test]
fn strangers() {
    let (_, f) = drive(start, IP, &[b"HTTP/1.1 400 Bad Request\r\n"]);
    assert_eq!(f, [Found::new(app::HEUR, "HTTP/1.1 400 Bad Request\r\n")]);
    assert!(drive(start, IP, &[]).1.is_empty());
}

#[test]
fn through_the_session_on_1911() {
    let (hello, done, f) = through_session(IP, 1911, JACE);
    assert_eq!(hello, REQUEST);
    assert!(done);
    assert_eq!(f, [Found::new(app::FOX, JACE_TEXT)]);
}

proptest::proptest! {
    #[test]
    fn arbitrary_bytes(
        first in proptest::sample::select(vec![&b"fox a 0 -1 fox hello\n{\n"[..], b"fox a ", b"f"]),
        tail in proptest::collection::vec(proptest::collection::vec(proptest::num::u8::ANY, 0..100), 0..8),
    ) {
        let f = drive_tail(start, IP, first, &tail);
        proptest::prop_assert_eq!(f.len(), 1);
    }
}

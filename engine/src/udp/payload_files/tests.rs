use super::*;
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use std::time::Duration;

const SAMPLE: &str = r#"# a comment
udp 7 "\x0D\x0A\x0D\x0A"
udp 53,5353
  "\x77\x77\x01\x00\x00"   # the header
  "\x01\x00\x00\x00\x00\x00\x00\x07version\x04bind\x00\x00\x10\x00\x03"
udp 40000-40002 "a\tb\\\"\101"
  source 5678
"#;

#[test]
fn an_nmap_payloads_file_gives_a_payload_per_port() {
    let p = nmap_payloads(SAMPLE, "sample").unwrap();
    let ports: Vec<u16> = p.iter().map(|x| x.port).collect();
    assert_eq!(ports, [7, 53, 5353, 40000, 40001, 40002]);
    assert_eq!(p[0].bytes, b"\r\n\r\n");
    assert_eq!(p[1].bytes.len(), 5 + 25);
    assert!(p[1]
        .bytes
        .ends_with(b"\x07version\x04bind\x00\x00\x10\x00\x03"));
    assert_eq!(p[3].bytes, b"a\tb\\\"A");
    assert!(p.iter().all(|x| x.cookie.is_none()));
}

#[test]
fn malformed_files_name_the_line() {
    for (text, want) in [
        ("udp 7 \"abc\n", "f:1: string not closed on its line"),
        ("\n\nudp x \"a\"", "f:3: bad port 'x' in 'x'"),
        ("udp 9-7 \"a\"", "f:1: bad port range '9-7'"),
        ("\"a\"", "f:1: a string before any 'udp PORTS' line"),
        ("udp 7 \"\\q\"", "f:1: bad escape in string"),
        (
            "tcp 7 \"a\"",
            "f:1: unexpected 'tcp' (expected 'udp' or a string)",
        ),
        (
            "udp 7 \"a\" source x",
            "f:1: expected a port number after 'source'",
        ),
        ("udp", "f:1: expected a port list after 'udp'"),
    ] {
        assert_eq!(nmap_payloads(text, "f").unwrap_err().0, want, "{text:?}");
    }
    let big = format!("udp 7\n{}", "\"0123456789\"\n".repeat(150));
    assert!(nmap_payloads(&big, "f")
        .unwrap_err()
        .0
        .starts_with("f:1: payload of 1500 bytes"));
}

#[test]
fn any_text_parses_or_fails_cleanly() {
    let mut s = SAMPLE.as_bytes().to_vec();
    for i in 0..s.len() {
        let _ = nmap_payloads(&String::from_utf8_lossy(&s[..i]), "f");
        s[i] ^= 0x55;
        let _ = nmap_payloads(&String::from_utf8_lossy(&s), "f");
        s[i] ^= 0x55;
    }
}

fn pcap_with(frames: &[Vec<u8>]) -> Vec<u8> {
    let mut w = PcapWriter::with_header(
        Vec::new(),
        PcapHeader {
            datalink: DataLink::ETHERNET,
            ..PcapHeader::default()
        },
    )
    .unwrap();
    for f in frames {
        w.write_packet(&PcapPacket::new(Duration::ZERO, f.len() as u32, f))
            .unwrap();
    }
    w.into_writer()
}

#[test]
fn a_pcap_gives_the_udp_payload_of_each_packet() {
    let udp = |port: u16, payload: &[u8]| {
        let mut v = Vec::new();
        etherparse::PacketBuilder::ethernet2([1; 6], [2; 6])
            .ipv4([1, 2, 3, 4], [5, 6, 7, 8], 64)
            .udp(5555, port)
            .write(&mut v, payload)
            .unwrap();
        v
    };
    let mut tcp = Vec::new();
    etherparse::PacketBuilder::ethernet2([1; 6], [2; 6])
        .ipv4([1, 2, 3, 4], [5, 6, 7, 8], 64)
        .tcp(1, 80, 0, 0)
        .write(&mut tcp, b"x")
        .unwrap();
    let file = pcap_with(&[udp(53, b"dns"), tcp, udp(161, b"snmp")]);
    let p = pcap_payloads(&file, "p.pcap").unwrap();
    assert_eq!(
        p.iter()
            .map(|x| (x.port, x.bytes.clone()))
            .collect::<Vec<_>>(),
        [(53, b"dns".to_vec()), (161, b"snmp".to_vec())]
    );
    assert!(pcap_payloads(b"not a pcap at all", "x.txt")
        .unwrap_err()
        .0
        .starts_with("x.txt: not a pcap file"));
    let truncated = &file[..file.len() - 3];
    assert!(pcap_payloads(truncated, "t.pcap")
        .unwrap_err()
        .0
        .starts_with("t.pcap: packet 3"));
}

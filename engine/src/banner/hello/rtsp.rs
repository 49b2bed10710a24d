//! RTSP (ports 554, 8554): `OPTIONS * RTSP/1.0` with a `CSeq` (the original sends `OPTIONS /`
//! without one, which servers that follow RFC 2326 refuse); reports the status line and the
//! `Server` and `Public` (methods) headers.

use std::net::IpAddr;

use super::{header_block, printable, starts_as, status_and_headers, Protocol, Reply};
use crate::banner::parser::Parser;
use crate::banner::{app, BannerConfig, Found};

pub(crate) fn start(_ip: IpAddr, cfg: &BannerConfig, out: &mut Vec<u8>) -> Box<dyn Parser> {
    out.extend_from_slice(
        format!(
            "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: {}\r\n\r\n",
            cfg.user_agent
        )
        .as_bytes(),
    );
    Reply::boxed(Protocol {
        is_protocol: |b| starts_as(b, b"RTSP/"),
        complete: |b| header_block(b).is_some(),
        report,
    })
}

fn report(b: &[u8], _cfg: &BannerConfig, found: &mut Vec<Found>) {
    found.push(Found::new(app::RTSP, describe(b)));
}

fn describe(b: &[u8]) -> String {
    match header_block(b) {
        Some(h) if h.starts_with(b"RTSP/") => status_and_headers(h, &["Server", "Public"]),
        _ if b.starts_with(b"RTSP/") => {
            format!("{} (cut short)", printable(super::status_line(b)))
        }
        _ => format!(
            "RTSP: not an RTSP reply: {}",
            printable(&b[..b.len().min(64)])
        ),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const REPLY: &[u8] = b"RTSP/1.0 200 OK\r\nCSeq: 1\r\n\
        Public: OPTIONS, DESCRIBE, SETUP, TEARDOWN, PLAY, PAUSE\r\n\
        Server: GStreamer RTSP server\r\nDate: Mon, 07 Dec 2026 05:40:00 GMT\r\n\r\n";

    #[test]
    fn hello_has_a_cseq() {
        let mut out = Vec::new();
        start(
            crate::banner::hello::tests::IP,
            &BannerConfig::default(),
            &mut out,
        );
        assert!(out.starts_with(b"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n"));
    }

    #[test]
    fn status_server_public_and_every_cut() {
        assert_eq!(
            describe(REPLY),
            "RTSP/1.0 200 OK; Server: GStreamer RTSP server; \
             Public: OPTIONS, DESCRIBE, SETUP, TEARDOWN, PLAY, PAUSE"
        );
        for n in 0..REPLY.len() {
            let _ = describe(&REPLY[..n]);
        }
        assert_eq!(describe(&REPLY[..17]), "RTSP/1.0 200 OK (cut short)");
        assert!(describe(b"\x00\x01").starts_with("RTSP: not an RTSP reply"));
    }
}

//! SIP (ports 5060, 406, 8081, 31337): an `OPTIONS` request over TCP, as the original sends;
//! reports the status line and the `Server`, `User-Agent`, `Allow` and `Supported` headers.
//! The original sends this on 8081 too, where an HTTP server is more common: a reply that is
//! HTTP is reported as the HTTP hello's would be (`http`, `http.server`, `title`).

use std::net::IpAddr;

use super::{header_block, printable, starts_as, status_and_headers, Protocol, Reply};
use crate::banner::http::Http;
use crate::banner::parser::Parser;
use crate::banner::{app, BannerConfig, Found};

pub(crate) fn start(ip: IpAddr, _cfg: &BannerConfig, out: &mut Vec<u8>) -> Box<dyn Parser> {
    let host = match ip {
        IpAddr::V4(a) => a.to_string(),
        IpAddr::V6(a) => format!("[{a}]"),
    };
    out.extend_from_slice(
        format!(
            "OPTIONS sip:{host} SIP/2.0\r\n\
             Via: SIP/2.0/TCP nm;branch=z9hG4bK-masscan\r\n\
             From: <sip:nm@nm>;tag=root\r\n\
             To: <sip:{host}>\r\n\
             Call-ID: 50000@nm\r\n\
             CSeq: 42 OPTIONS\r\n\
             Max-Forwards: 70\r\n\
             Contact: <sip:nm@nm>\r\n\
             Accept: application/sdp\r\n\
             Content-Length: 0\r\n\r\n"
        )
        .as_bytes(),
    );
    Reply::boxed(Protocol {
        is_protocol: |b| starts_as(b, b"SIP/") || starts_as(b, b"HTTP/"),
        complete,
        report,
    })
}

fn is_http(b: &[u8]) -> bool {
    b.get(..5).is_some_and(|p| p.eq_ignore_ascii_case(b"HTTP/"))
}

fn complete(b: &[u8]) -> bool {
    if is_http(b) {
        // As the HTTP hello's parser: until its title (or the end).
        return header_block(b).is_some()
            && b.windows(7).any(|w| w.eq_ignore_ascii_case(b"</title"));
    }
    header_block(b).is_some()
}

fn report(b: &[u8], cfg: &BannerConfig, found: &mut Vec<Found>) {
    if is_http(b) {
        let mut h = Http::default();
        h.data(b, cfg);
        h.finish(cfg, found);
        return;
    }
    found.push(Found::new(app::SIP, describe(b)));
}

fn describe(b: &[u8]) -> String {
    match header_block(b) {
        Some(h) if h.starts_with(b"SIP/") => {
            status_and_headers(h, &["Server", "User-Agent", "Allow", "Supported"])
        }
        Some(_) | None if b.starts_with(b"SIP/") => {
            format!("{} (cut short)", printable(super::status_line(b)))
        }
        _ => format!("SIP: not a SIP reply: {}", printable(&b[..b.len().min(64)])),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const KAMAILIO: &[u8] = b"SIP/2.0 200 OK\r\n\
        Via: SIP/2.0/TCP nm;branch=z9hG4bK-masscan;received=198.18.0.2\r\n\
        From: <sip:nm@nm>;tag=root\r\nTo: <sip:198.18.1.1>;tag=abc\r\n\
        Call-ID: 50000@nm\r\nCSeq: 42 OPTIONS\r\n\
        Allow: INVITE, ACK, CANCEL, OPTIONS, BYE\r\n\
        Server: kamailio (5.6.3 (x86_64/linux))\r\nContent-Length: 0\r\n\r\n";

    #[test]
    fn hello_is_an_options_request() {
        let mut out = Vec::new();
        start(
            crate::banner::hello::tests::IP,
            &BannerConfig::default(),
            &mut out,
        );
        let s = String::from_utf8(out).unwrap();
        assert!(s.starts_with("OPTIONS sip:198.18.1.1 SIP/2.0\r\n"));
        assert!(s.contains("CSeq: 42 OPTIONS\r\n") && s.ends_with("\r\n\r\n"));
    }

    #[test]
    fn status_server_allow_and_every_cut() {
        assert_eq!(
            describe(KAMAILIO),
            "SIP/2.0 200 OK; Server: kamailio (5.6.3 (x86_64/linux)); \
             Allow: INVITE, ACK, CANCEL, OPTIONS, BYE"
        );
        assert!(complete(KAMAILIO));
        for n in 0..KAMAILIO.len() - 2 {
            assert!(!complete(&KAMAILIO[..n]));
            let _ = describe(&KAMAILIO[..n]);
        }
        assert_eq!(describe(&KAMAILIO[..20]), "SIP/2.0 200 OK (cut short)");
    }

    #[test]
    fn an_http_reply_is_reported_as_http() {
        let r = b"HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n\r\n<title>400</title>";
        assert!(complete(r));
        let mut found = Vec::new();
        report(r, &BannerConfig::default(), &mut found);
        assert_eq!(found[0].app, app::HTTP);
        assert!(found
            .iter()
            .any(|f| f.app == app::HTTP_SERVER && f.text == b"nginx"));
    }
}

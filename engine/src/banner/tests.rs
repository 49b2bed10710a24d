use super::*;
use std::net::Ipv4Addr;

const IP: IpAddr = IpAddr::V4(Ipv4Addr::new(198, 18, 1, 1));

/// Runs a session against a scripted server: `script` maps what the client sent so far (the
/// step number) to the server's next bytes. Returns what the client sent and the banners.
fn converse(port: u16, cfg: &BannerConfig, server: &[&[u8]]) -> (Vec<u8>, Vec<Found>) {
    let mut sent = Vec::new();
    let mut s = Session::start(IP, port, cfg, &mut sent);
    for chunk in server {
        if s.is_done() {
            break;
        }
        s.data(IP, chunk, cfg, &mut sent);
    }
    let mut found = Vec::new();
    s.finish(cfg, &mut found);
    (sent, found)
}

fn text(found: &[Found], app: u16) -> String {
    found
        .iter()
        .filter(|f| f.app == app)
        .map(|f| String::from_utf8_lossy(&f.text).into_owned())
        .collect::<Vec<_>>()
        .join("|")
}

#[test]
fn http_reports_header_server_and_title() {
    let cfg = BannerConfig::default();
    let (sent, found) = converse(
        80,
        &cfg,
        &[
            b"HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Type: text/html\r\n",
            b"\r\n<html><head><TITLE>\n  masscan   anchor lab </title></head>",
        ],
    );
    let sent = String::from_utf8(sent).unwrap();
    assert!(sent.starts_with("GET / HTTP/1.0\r\nHost: 198.18.1.1\r\nUser-Agent: masscan-rs/"));
    assert!(sent.ends_with("\r\n\r\n"));
    assert_eq!(text(&found, app::HTTP_SERVER), "nginx/1.22.1");
    assert_eq!(text(&found, app::TITLE), "masscan anchor lab");
    assert_eq!(
        text(&found, app::HTTP),
        "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Type: text/html"
    );
    assert_eq!(text(&found, app::HTML), "");
}

#[test]
fn html_is_captured_when_asked_and_user_agent_is_ours() {
    let cfg = BannerConfig {
        capture_html: true,
        user_agent: "probe/1".into(),
        ..BannerConfig::default()
    };
    let (sent, found) = converse(8080, &cfg, &[b"HTTP/1.0 404 Not Found\r\n\r\n<p>gone</p>"]);
    assert!(String::from_utf8(sent)
        .unwrap()
        .contains("User-Agent: probe/1\r\n"));
    assert_eq!(text(&found, app::HTML), "<p>gone</p>");
}

#[test]
fn ssh_reports_the_identification_line() {
    let cfg = BannerConfig::default();
    let (sent, found) = converse(
        22,
        &cfg,
        &[
            b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r",
            b"\n\x00\x00\x04\x3c",
        ],
    );
    assert!(sent.is_empty(), "SSH servers speak first");
    assert_eq!(
        text(&found, app::SSH2),
        "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3"
    );
}

#[test]
fn ftp_asks_for_tls_and_joins_lines_like_masscan() {
    let cfg = BannerConfig::default();
    let mut sent = Vec::new();
    let mut s = Session::start(IP, 21, &cfg, &mut sent);
    assert!(sent.is_empty());
    s.data(
        IP,
        b"220-Welcome\r\n220 masscan anchor lab FTP ready\r\n",
        &cfg,
        &mut sent,
    );
    assert_eq!(sent, b"AUTH TLS\r\n");
    assert!(!s.is_done());
    s.data(
        IP,
        b"530 Please login with USER and PASS.\r\n",
        &cfg,
        &mut sent,
    );
    assert!(s.is_done());
    let mut found = Vec::new();
    s.finish(&cfg, &mut found);
    assert_eq!(
        text(&found, app::FTP),
        "220-Welcome\n220 masscan anchor lab FTP ready\n530 Please login with USER and PASS."
    );
}

#[test]
fn smtp_sends_ehlo_then_starttls() {
    let cfg = BannerConfig::default();
    let mut sent = Vec::new();
    let mut s = Session::start(IP, 25, &cfg, &mut sent);
    s.data(IP, b"220 lab ESMTP Postfix\r\n", &cfg, &mut sent);
    assert_eq!(sent, b"EHLO masscan\r\n");
    s.data(
        IP,
        b"250-lab\r\n250-STARTTLS\r\n250 8BITMIME\r\n",
        &cfg,
        &mut sent,
    );
    assert_eq!(sent, b"EHLO masscan\r\nSTARTTLS\r\n");
    let before = sent.len();
    s.data(IP, b"220 2.0.0 Ready to start TLS\r\n", &cfg, &mut sent);
    // Accepted: a TLS ClientHello follows (a handshake record, TLS 1.x).
    assert!(!s.is_done());
    assert_eq!(&sent[before..before + 2], b"\x16\x03");
    let mut found = Vec::new();
    s.finish(&cfg, &mut found);
    assert_eq!(
        text(&found, app::SMTP),
        "220 lab ESMTP Postfix\n250-lab\n250-STARTTLS\n250 8BITMIME\n220 2.0.0 Ready to start TLS"
    );
    // Refused: the session ends with the lines alone.
    let (sent, found) = converse(
        25,
        &cfg,
        &[
            b"220 mx ESMTP\r\n",
            b"250 mx\r\n",
            b"454 4.7.0 TLS not available\r\n",
        ],
    );
    assert_eq!(sent, b"EHLO masscan\r\nSTARTTLS\r\n");
    assert!(text(&found, app::SSL).is_empty());
    assert!(text(&found, app::SMTP).ends_with("454 4.7.0 TLS not available"));
}

/// A redis server on a port no one gives it stays quiet, gets the HTTP request, and answers
/// with an error line: that names it.
#[test]
fn a_redis_error_to_the_http_hello_names_redis_on_any_port() {
    let cfg = BannerConfig::default();
    let mut sent = Vec::new();
    let mut s = Session::start(IP, 2206, &cfg, &mut sent);
    assert!(s.quiet(IP, &cfg, &mut sent));
    assert!(sent.starts_with(b"GET / HTTP/1.0\r\n"), "{sent:?}");
    let line = b"-ERR wrong number of arguments for 'get' command\r\n";
    s.data(IP, line, &cfg, &mut sent);
    assert!(s.is_done());
    let mut found = Vec::new();
    s.finish(&cfg, &mut found);
    assert_eq!(
        text(&found, app::REDIS),
        "-ERR wrong number of arguments for 'get' command"
    );
    // A POP3 server's error is no redis: it spoke first (+OK) and was named then.
    let (_, found) = converse(2110, &cfg, &[b"+OK ready\r\n", b"-ERR no\r\n"]);
    assert!(text(&found, app::REDIS).is_empty());
}

#[test]
fn smtp_on_an_odd_port_is_told_from_ftp_by_its_greeting() {
    let cfg = BannerConfig::default();
    let (sent, found) = converse(2600, &cfg, &[b"220 mx.example ESMTP ready\r\n"]);
    assert_eq!(sent, b"EHLO masscan\r\n");
    assert_eq!(text(&found, app::SMTP), "220 mx.example ESMTP ready");
}

#[test]
fn pop3_and_imap_capabilities() {
    let cfg = BannerConfig::default();
    let (sent, found) = converse(
        110,
        &cfg,
        &[
            b"+OK Dovecot ready.\r\n",
            b"+OK\r\nCAPA\r\nSTLS\r\n.\r\n",
            b"-ERR no\r\n",
        ],
    );
    assert_eq!(sent, b"CAPA\r\nSTLS\r\n");
    assert_eq!(
        text(&found, app::POP3),
        "+OK Dovecot ready.\n+OK\nCAPA\nSTLS\n.\n-ERR no"
    );
    let (sent, found) = converse(
        143,
        &cfg,
        &[
            b"* OK [CAPABILITY IMAP4rev1] Dovecot ready.\r\n",
            b"* CAPABILITY IMAP4rev1 STARTTLS\r\na001 OK done\r\n",
            b"a002 OK Begin TLS\r\n",
        ],
    );
    // Accepted: a TLS ClientHello follows the commands.
    assert!(sent.starts_with(b"a001 CAPABILITY\r\na002 STARTTLS\r\n\x16\x03"));
    assert!(text(&found, app::IMAP4).starts_with("* OK [CAPABILITY IMAP4rev1] Dovecot ready.\n"));
    assert!(text(&found, app::IMAP4).ends_with("a002 OK Begin TLS"));
}

#[test]
fn memcached_stats_in_masscans_form() {
    let cfg = BannerConfig::default();
    let (sent, found) = converse(
        11211,
        &cfg,
        &[
            b"STAT pid 7\r\nSTAT uptime 544\r\nSTAT time 1795396266\r\nSTAT version 1.6.18\r\n",
            b"STAT x 1\r\nEND\r\n",
        ],
    );
    assert_eq!(sent, b"stats\r\n");
    assert_eq!(
        text(&found, app::MEMCACHED),
        "uptime=544 time=1795396266 version=1.6.18 "
    );
}

#[test]
fn telnet_refuses_options_and_keeps_the_text() {
    let cfg = BannerConfig::default();
    let mut sent = Vec::new();
    let mut s = Session::start(IP, 23, &cfg, &mut sent);
    s.data(IP, b"\xff\xfd\x01\xff\xfd", &cfg, &mut sent);
    s.data(
        IP,
        b"\x1f\xff\xfb\x01\xff\xfa\x18\x01\xff\xf0\r\nlab login: ",
        &cfg,
        &mut sent,
    );
    assert_eq!(sent, b"\xff\xfc\x01\xff\xfc\x1f\xff\xfe\x01");
    assert!(s.is_done());
    let mut found = Vec::new();
    s.finish(&cfg, &mut found);
    assert_eq!(
        text(&found, app::TELNET),
        "lab login:\noptions: DO echo, DO window-size, WILL echo"
    );
}

#[test]
fn vnc_version_and_security_types() {
    let cfg = BannerConfig::default();
    let (sent, found) = converse(5900, &cfg, &[b"RFB 003.008\n", b"\x02\x02\x12"]);
    assert_eq!(sent, b"RFB 003.008\n");
    assert_eq!(text(&found, app::VNC), "RFB 003.008");
    assert_eq!(
        text(&found, app::VNC_INFO),
        "security: VNC Authentication(2), TLS(18)"
    );
}

/// Regression: a server that sends `RFB ` and fewer than 8 more bytes, then closes or goes
/// quiet, once made `finish` slice past the end of its buffer and abort the whole scan. Every
/// cut of the greeting, on the VNC port and on a port where `RFB ` is recognised from the bytes.
#[test]
fn vnc_greeting_cut_short_ends_cleanly() {
    let cfg = BannerConfig::default();
    let greeting = b"RFB 003.008\n";
    for port in [5900, 7777] {
        for cut in 4..greeting.len() {
            let (sent, found) = converse(port, &cfg, &[&greeting[..cut]]);
            assert!(sent.is_empty(), "port {port} cut {cut}: answered {sent:?}");
            assert_eq!(
                text(&found, app::VNC).as_bytes(),
                &greeting[..cut],
                "port {port} cut {cut}"
            );
            assert_eq!(text(&found, app::VNC_INFO), "", "port {port} cut {cut}");
        }
    }
    // The same cut greeting, then the quiet-server probe: still no panic.
    let mut sent = Vec::new();
    let mut s = Session::start(IP, 7777, &cfg, &mut sent);
    s.data(IP, b"RFB 003.008", &cfg, &mut sent);
    let _ = s.quiet(IP, &cfg, &mut sent);
    let mut found = Vec::new();
    s.finish(&cfg, &mut found);
    assert_eq!(text(&found, app::VNC), "RFB 003.008");
}

#[test]
fn rdp_negotiation() {
    let cfg = BannerConfig::default();
    let confirm = b"\x03\x00\x00\x13\x0e\xd0\x00\x00\x12\x34\x00\x02\x1f\x08\x00\x01\x00\x00\x00";
    let (sent, found) = converse(3389, &cfg, &[confirm]);
    assert_eq!(&sent[..2], b"\x03\x00");
    assert_eq!(u16::from_be_bytes([sent[2], sent[3]]) as usize, sent.len());
    assert_eq!(
        text(&found, app::RDP),
        "X.224 connection confirmed, selected protocol: TLS"
    );
}

#[test]
fn smb_negotiate_then_ntlm_challenge() {
    let cfg = BannerConfig::default();
    let mut sent = Vec::new();
    let mut s = Session::start(IP, 445, &cfg, &mut sent);
    assert_eq!(
        &sent[4..8],
        b"\xffSMB",
        "an SMB1 NEGOTIATE offering SMB2 too"
    );
    // The SMB2 answer to it: "any SMB2" (0x02ff), so an SMB2 NEGOTIATE follows.
    let mut wildcard = vec![0u8; 64 + 65];
    wildcard[..4].copy_from_slice(b"\xfeSMB");
    wildcard[68..70].copy_from_slice(&0x02ffu16.to_le_bytes());
    let mut framed = vec![0, 0, 0, wildcard.len() as u8];
    framed.extend_from_slice(&wildcard);
    sent.clear();
    s.data(IP, &framed, &cfg, &mut sent);
    assert_eq!(&sent[4..8], b"\xfeSMB");
    assert_eq!(sent[4 + 12], 0, "an SMB2 NEGOTIATE");
    assert_eq!(sent[4 + 24], 1, "message id 1");
    // A NEGOTIATE reply: SMB 3.0.2, signing enabled.
    let mut neg = vec![0u8; 64 + 65];
    neg[..4].copy_from_slice(b"\xfeSMB");
    neg[64] = 65;
    neg[66] = 1;
    neg[68..70].copy_from_slice(&0x0302u16.to_le_bytes());
    let mut framed = vec![0, 0, 0, neg.len() as u8];
    framed.extend_from_slice(&neg);
    sent.clear();
    s.data(IP, &framed, &cfg, &mut sent);
    assert_eq!(&sent[4..8], b"\xfeSMB");
    assert_eq!(sent[4 + 12], 1, "then a SESSION_SETUP");
    assert_eq!(sent[4 + 24], 2, "message id 2");
    // A SESSION_SETUP reply with an NTLMSSP CHALLENGE naming domain LAB and computer SRV.
    let mut ntlm = b"NTLMSSP\0\x02\0\0\0".to_vec();
    ntlm.extend_from_slice(&[0; 8]); // target name: none
    ntlm.extend_from_slice(&0x0280_0000u32.to_le_bytes()); // target info, version
    ntlm.extend_from_slice(&[0; 16]);
    let info: Vec<u8> = [(2u16, "LAB"), (1, "SRV")]
        .iter()
        .flat_map(|(id, v)| {
            let u: Vec<u8> = v.encode_utf16().flat_map(|c| c.to_le_bytes()).collect();
            let mut e = id.to_le_bytes().to_vec();
            e.extend_from_slice(&(u.len() as u16).to_le_bytes());
            e.extend_from_slice(&u);
            e
        })
        .chain([0, 0, 0, 0])
        .collect();
    ntlm.extend_from_slice(&(info.len() as u16).to_le_bytes());
    ntlm.extend_from_slice(&(info.len() as u16).to_le_bytes());
    ntlm.extend_from_slice(&56u32.to_le_bytes());
    ntlm.extend_from_slice(&[6, 1, 0, 0, 0, 0, 0, 15]);
    ntlm.extend_from_slice(&info);
    let mut setup = vec![0u8; 64 + 8];
    setup[..4].copy_from_slice(b"\xfeSMB");
    setup[12] = 1;
    setup.extend_from_slice(&ntlm);
    let mut framed = vec![0, 0, (setup.len() >> 8) as u8, setup.len() as u8];
    framed.extend_from_slice(&setup);
    s.data(IP, &framed, &cfg, &mut sent);
    assert!(s.is_done());
    let mut found = Vec::new();
    s.finish(&cfg, &mut found);
    let t = text(&found, app::SMB);
    assert!(t.starts_with("SMB 3.0.2, signing enabled"), "{t}");
    assert!(
        t.ends_with("domain LAB, computer SRV, os version 6.1 build 0"),
        "{t}"
    );
}

#[test]
fn a_quiet_server_gets_the_http_probe_and_a_hello_string_overrides() {
    let cfg = BannerConfig::default();
    let mut sent = Vec::new();
    let mut s = Session::start(IP, 7000, &cfg, &mut sent);
    assert!(sent.is_empty());
    assert!(s.quiet(IP, &cfg, &mut sent));
    assert!(sent.starts_with(b"GET / HTTP/1.0\r\n"));
    assert!(!s.quiet(IP, &cfg, &mut sent), "probed once");
    let mut cfg = BannerConfig::default();
    cfg.hellos.insert(7000, b"PING\r\n".to_vec());
    let (sent, found) = converse(7000, &cfg, &[b"PONG\r\n"]);
    assert_eq!(sent, b"PING\r\n");
    assert_eq!(text(&found, app::HEUR), "PONG\r\n");
}

#[test]
fn an_ssh_server_on_port_80_is_still_recognised() {
    let cfg = BannerConfig::default();
    let (_, found) = converse(80, &cfg, &[b"SSH-2.0-dropbear\r\n"]);
    assert_eq!(text(&found, app::SSH2), "SSH-2.0-dropbear");
    assert_eq!(text(&found, app::HTTP), "");
}

#[test]
fn byte_cap_ends_the_session() {
    let cfg = BannerConfig {
        max_bytes: 100,
        ..BannerConfig::default()
    };
    let mut sent = Vec::new();
    let mut s = Session::start(IP, 80, &cfg, &mut sent);
    s.data(IP, b"HTTP/1.1 200 OK\r\n", &cfg, &mut sent);
    for _ in 0..1000 {
        s.data(IP, &[b'x'; 1000], &cfg, &mut sent);
    }
    assert!(s.is_done());
    assert_eq!(s.received(), 100);
}

/// A self-signed certificate for `lab.masscan.test` (and `www.`), and a rustls server speaking
/// only `version` with it.
fn tls_server(
    version: &'static rustls::SupportedProtocolVersion,
) -> (
    rustls::ServerConnection,
    rustls::pki_types::CertificateDer<'static>,
) {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec![
        "lab.masscan.test".into(),
        "www.lab.masscan.test".into(),
    ])
    .unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "lab.masscan.test");
    let cert = params.self_signed(&key).unwrap();
    let der = cert.der().clone();
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let server_cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[version])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![der.clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .unwrap();
    let server = rustls::ServerConnection::new(std::sync::Arc::new(server_cfg)).unwrap();
    (server, der)
}

/// Runs the handshake between a session and the server: what the session sent goes in, the
/// server's flight comes back, until the session has the chain.
fn handshake(
    s: &mut Session,
    server: &mut rustls::ServerConnection,
    cfg: &BannerConfig,
    mut to_server: Vec<u8>,
) {
    for _ in 0..10 {
        if s.is_done() {
            break;
        }
        server.read_tls(&mut &to_server[..]).unwrap();
        to_server.clear();
        // A TLS 1.3-only server refuses the plaintext hello with an alert, still written out.
        let _ = server.process_new_packets();
        let mut to_client = Vec::new();
        while server.wants_write() {
            server.write_tls(&mut to_client).unwrap();
        }
        s.data(IP, &to_client, cfg, &mut to_server);
    }
    assert!(s.is_done());
}

/// The `ssl` line and the `X509` certificate a handshake with [`tls_server`] must report.
fn assert_tls_banners(found: &[Found], version: &str, der: &[u8]) {
    let ssl = text(found, app::SSL);
    assert!(ssl.starts_with(&format!("{version} cipher:0x")), "{ssl}");
    assert!(
        ssl.ends_with(", lab.masscan.test, lab.masscan.test, www.lab.masscan.test"),
        "{ssl}"
    );
    use base64::Engine;
    assert_eq!(
        text(found, app::X509),
        base64::engine::general_purpose::STANDARD.encode(der)
    );
}

/// A TLS 1.2 server gives its chain to the plaintext hello; a TLS 1.3-only one refuses it, and
/// the second connection (through rustls) gets the certificate.
#[test]
fn tls_reports_version_cipher_names_and_certificate_on_both_paths() {
    let cfg = BannerConfig::default();
    let (mut server, der) = tls_server(&rustls::version::TLS12);
    let mut to_server = Vec::new();
    let mut s = Session::start(IP, 443, &cfg, &mut to_server);
    handshake(&mut s, &mut server, &cfg, to_server);
    assert!(!s.wants_rustls());
    let mut found = Vec::new();
    s.finish(&cfg, &mut found);
    assert_tls_banners(&found, "TLS/1.2", &der);

    let (mut server, der) = tls_server(&rustls::version::TLS13);
    let mut to_server = Vec::new();
    let mut s = Session::start(IP, 8531, &cfg, &mut to_server);
    handshake(&mut s, &mut server, &cfg, to_server);
    assert!(s.wants_rustls());
    let mut found = Vec::new();
    s.finish(&cfg, &mut found);
    assert_eq!(text(&found, app::SSL), "ALERT(0x0246)");
    assert_eq!(text(&found, app::X509), "");

    let (mut server, _) = tls_server(&rustls::version::TLS13);
    let mut to_server = Vec::new();
    let mut s = Session::start_rustls(IP, 8531, &cfg, &mut to_server);
    handshake(&mut s, &mut server, &cfg, to_server);
    assert!(!s.wants_rustls());
    let mut found = Vec::new();
    s.finish(&cfg, &mut found);
    // The same certificate: rcgen made a new one for this server, so compare the names only.
    let ssl = text(&found, app::SSL);
    assert!(ssl.starts_with("TLS/1.3 cipher:0x13"), "{ssl}");
    assert!(!text(&found, app::X509).is_empty() && der.len() > 100);
}

/// After an accepted STARTTLS (SMTP), STLS (POP3), STARTTLS (IMAP4) or AUTH TLS (FTP) the
/// session shakes hands and reports the certificate beside the protocol's own lines.
#[test]
fn starttls_goes_on_to_the_certificate() {
    let cfg = BannerConfig::default();
    for (port, script, app, last) in [
        (
            25,
            &[
                &b"220 mx ESMTP\r\n"[..],
                b"250-mx\r\n250 STARTTLS\r\n",
                b"220 2.0.0 Ready\r\n",
            ][..],
            app::SMTP,
            "220 2.0.0 Ready",
        ),
        (
            110,
            &[
                &b"+OK POP3 ready\r\n"[..],
                b"+OK\r\nSTLS\r\n.\r\n",
                b"+OK Begin TLS\r\n",
            ],
            app::POP3,
            "+OK Begin TLS",
        ),
        (
            143,
            &[
                &b"* OK IMAP4rev1 ready\r\n"[..],
                b"* CAPABILITY IMAP4rev1 STARTTLS\r\na001 OK done\r\n",
                b"a002 OK Begin TLS now\r\n",
            ],
            app::IMAP4,
            "a002 OK Begin TLS now",
        ),
        (
            21,
            &[&b"220 FTP ready\r\n"[..], b"234 AUTH TLS OK.\r\n"],
            app::FTP,
            "234 AUTH TLS OK.",
        ),
    ] {
        let (mut server, der) = tls_server(&rustls::version::TLS12);
        let mut sent = Vec::new();
        let mut s = Session::start(IP, port, &cfg, &mut sent);
        for chunk in script {
            sent.clear();
            s.data(IP, chunk, &cfg, &mut sent);
        }
        assert!(!s.is_done(), "port {port}");
        handshake(&mut s, &mut server, &cfg, sent);
        let mut found = Vec::new();
        s.finish(&cfg, &mut found);
        assert!(text(&found, app).ends_with(last), "port {port}: {found:?}");
        assert_tls_banners(&found, "TLS/1.2", &der);
    }
}

proptest::proptest! {
    /// Arbitrary bytes, cut anywhere, on every kind of port: no panic, bounded keeping.
    #[test]
    fn any_bytes_on_any_parser(
        port in proptest::sample::select(vec![21u16, 22, 23, 25, 80, 110, 143, 443, 445, 3389, 5900, 11211, 7777]),
        chunks in proptest::collection::vec(proptest::collection::vec(proptest::num::u8::ANY, 0..300), 0..12),
        prefix in proptest::sample::select(vec![&b""[..], b"SSH-", b"220 ", b"+OK", b"* OK", b"RFB 003.008\n", b"\xff\xfd", b"HTTP/1.1 ", b"\x16\x03\x03", b"\x03\x00\x00\x13", b"\x00\x00\x00\x50\xfeSMB"]),
    ) {
        let cfg = BannerConfig { max_bytes: 1024, ..BannerConfig::default() };
        let mut sent = Vec::new();
        let mut s = Session::start(IP, port, &cfg, &mut sent);
        s.data(IP, prefix, &cfg, &mut sent);
        for c in &chunks {
            s.data(IP, c, &cfg, &mut sent);
        }
        let _ = s.quiet(IP, &cfg, &mut sent);
        let s_received = s.received();
        // TLS connections may take a whole certificate chain whatever the budget says.
        proptest::prop_assert!(s.received() <= 1024 || (s.received() <= TLS_BYTES && port == 443));
        let mut found = Vec::new();
        s.finish(&cfg, &mut found);
        let total: usize = found.iter().map(|f| f.text.len()).sum();
        // Banners are built from at most the kept bytes (plus short labels and base64).
        proptest::prop_assert!(total <= 4 * s_received.max(1024) + 512);
    }
}

#[test]
fn a_non_http_reply_to_the_http_hello_is_reported_unlabelled() {
    let cfg = BannerConfig::default();
    let (_, found) = converse(8080, &cfg, &[b"\x00\x01binary"]);
    assert_eq!(text(&found, app::HEUR), "\u{0}\u{1}binary");
    assert_eq!(text(&found, app::HTTP), "");
}

#[test]
fn hello_kinds_force_their_hello_on_every_port_but_a_hello_string_port() {
    let mut cfg = BannerConfig {
        forced: Some(Forced::Http),
        ..BannerConfig::default()
    };
    cfg.http.method = Some("HEAD".into());
    cfg.http.headers.push(("X-Lab".into(), "1".into()));
    cfg.hellos.insert(7000, b"PING\r\n".to_vec());
    let (sent, _) = converse(22, &cfg, &[]);
    assert!(sent.starts_with(b"HEAD / HTTP/1.0\r\nHost: 198.18.1.1\r\n"));
    assert!(String::from_utf8(sent)
        .unwrap()
        .contains("\r\nX-Lab: 1\r\n"));
    let (sent, _) = converse(7000, &cfg, &[]);
    assert_eq!(sent, b"PING\r\n");
    cfg.forced = Some(Forced::Ssl);
    let (sent, _) = converse(80, &cfg, &[]);
    assert_eq!(sent.first(), Some(&0x16), "a TLS ClientHello");
    // WSUS (8530) gets the HTTP hello by default.
    let (sent, _) = converse(8530, &BannerConfig::default(), &[]);
    assert!(sent.starts_with(b"GET / HTTP/1.0\r\n"));
}

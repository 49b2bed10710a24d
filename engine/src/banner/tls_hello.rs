//! The plaintext ClientHello of the legacy TLS path: a TLS 1.2 hello in a TLS 1.0 record that
//! offers every common suite from SSLv3 to TLS 1.2 (ECDHE, DHE and RSA key exchange; GCM,
//! ChaCha20, CBC, 3DES, RC4, Camellia, SEED) so that old servers and modern ones both answer
//! with their ServerHello and certificate chain. No TLS 1.3 is offered (no `supported_versions`,
//! no key share), so nothing is generated per connection: the hello is the same bytes every
//! time, plus the server name when one is known.
//!
//! The vulnerability checks change it as the original's do: `--heartbleed` adds the heartbeat
//! extension; `--ticketbleed` a 16-byte session id and a session ticket (the original's
//! shape: a ticket of about 200 bytes with a session id shorter than the 32 a flawed F5 stack
//! echoes); `--vuln poodle` sends an SSLv3-only hello of its own ([`sslv3_hello`]).

/// Cipher suites offered, most preferred first (the IANA numbers).
#[rustfmt::skip]
const SUITES: &[u16] = &[
    // ECDHE with AEAD
    0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8,
    // ECDHE with CBC
    0xc023, 0xc027, 0xc024, 0xc028, 0xc009, 0xc013, 0xc00a, 0xc014,
    // DHE
    0x009e, 0x009f, 0xccaa, 0x0067, 0x006b, 0x0033, 0x0039, 0x0032, 0x0038,
    // RSA key exchange
    0x009c, 0x009d, 0x003c, 0x003d, 0x002f, 0x0035,
    // Camellia, SEED
    0x0041, 0x0084, 0x0045, 0x0088, 0x0096,
    // 3DES
    0xc012, 0xc008, 0x0016, 0x0013, 0x000a,
    // RC4
    0xc011, 0xc007, 0x0005, 0x0004,
    // single DES and IDEA, still on some appliances
    0x0015, 0x0009, 0x0007,
    // TLS_EMPTY_RENEGOTIATION_INFO_SCSV
    0x00ff,
];

/// supported_groups: x25519, secp256r1, x448, secp521r1, secp384r1, ffdhe2048, ffdhe3072.
const GROUPS: &[u16] = &[0x001d, 0x0017, 0x001e, 0x0019, 0x0018, 0x0100, 0x0101];

/// signature_algorithms: ECDSA, RSA-PSS, EdDSA, PKCS#1 and the SHA-1 and SHA-224 ones old
/// servers sign with.
const SIG_ALGS: &[u16] = &[
    0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0809, 0x080a, 0x080b, 0x0804, 0x0805, 0x0806, 0x0401,
    0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0203, 0x0201, 0x0202,
];

/// The client random: fixed, as no key is ever derived from it.
const RANDOM: [u8; 32] = *b"masscan-rs legacy TLS hello 2026";

/// The session id of the `--ticketbleed` hello: 16 bytes, as the original's (a flawed server
/// echoes 32, the 16 past ours being its memory).
pub const TICKETBLEED_SESSION_ID: [u8; 16] = *b"masscan-rs TKBLD";

/// Length of the session ticket the `--ticketbleed` hello offers (the original's is 194 bytes).
const TICKET_LEN: usize = 192;

/// The ticket offered: opaque bytes of a ticket's size (no server issued it; a flawed server's
/// answer shows in its ServerHello's session id whatever it makes of the ticket).
fn ticket() -> [u8; TICKET_LEN] {
    let mut t = [0u8; TICKET_LEN];
    let mut x: u32 = 0x6d73_7273; // "msrs"
    for b in &mut t {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        *b = (x >> 16) as u8;
    }
    t
}

/// What a hello carries besides the common suites and extensions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Extras {
    /// The heartbeat extension (RFC 6520, peer allowed to send) that `--heartbleed` needs.
    pub heartbeat: bool,
    /// `--ticketbleed`: [`TICKETBLEED_SESSION_ID`] and a session ticket (RFC 5077).
    pub ticket: bool,
}

/// Appends a ClientHello record to `out`; `name` (a host name, not an address) goes in the
/// server_name extension; `extras` adds what the vulnerability checks need.
pub fn client_hello(name: Option<&str>, extras: Extras, out: &mut Vec<u8>) {
    let mut body = Vec::with_capacity(512);
    body.extend_from_slice(&[0x03, 0x03]);
    body.extend_from_slice(&RANDOM);
    if extras.ticket {
        body.push(TICKETBLEED_SESSION_ID.len() as u8);
        body.extend_from_slice(&TICKETBLEED_SESSION_ID);
    } else {
        body.push(0); // no session id
    }
    put_u16(&mut body, (SUITES.len() * 2) as u16);
    for s in SUITES {
        put_u16(&mut body, *s);
    }
    body.extend_from_slice(&[1, 0]); // compression: null only
    let mut ext = extensions(name);
    if extras.heartbeat {
        put_ext(&mut ext, 0x000f, &[1]);
    }
    if extras.ticket {
        put_ext(&mut ext, 0x0023, &ticket());
    }
    put_u16(&mut body, ext.len() as u16);
    body.extend_from_slice(&ext);
    record(0x0301, &body, out);
}

/// The suites of the SSLv3 hello: the original's (DHE and RSA with AES, RC4 and 3DES, and the
/// old Netscape FIPS 3DES suite), then TLS_FALLBACK_SCSV (RFC 7507), as it appends it.
const SSLV3_SUITES: &[u16] = &[
    0x0039, 0x0038, 0x0035, 0x0033, 0x0032, 0x0004, 0x0005, 0x002f, 0x0016, 0x0013, 0xfeff, 0x000a,
    0x5600,
];

/// Appends the `--vuln poodle` hello to `out`: SSLv3 (record and client version 3.0), no
/// extensions, the SSLv3 suites and TLS_FALLBACK_SCSV. A server that answers with an SSLv3
/// ServerHello speaks SSLv3; one that speaks something newer and honours the SCSV answers
/// with the inappropriate_fallback alert.
pub fn sslv3_hello(out: &mut Vec<u8>) {
    let mut body = Vec::with_capacity(80);
    body.extend_from_slice(&[0x03, 0x00]);
    body.extend_from_slice(&RANDOM);
    body.push(0); // no session id
    put_u16(&mut body, (SSLV3_SUITES.len() * 2) as u16);
    for s in SSLV3_SUITES {
        put_u16(&mut body, *s);
    }
    body.extend_from_slice(&[1, 0]); // compression: null only
    record(0x0300, &body, out);
}

/// The record holding one client_hello message of `body`.
fn record(version: u16, body: &[u8], out: &mut Vec<u8>) {
    out.push(0x16);
    put_u16(out, version);
    put_u16(out, (body.len() + 4) as u16);
    out.push(1); // client_hello
    out.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    out.extend_from_slice(body);
}

fn extensions(name: Option<&str>) -> Vec<u8> {
    let mut e = Vec::with_capacity(128);
    // server_name, only for a name a server can have (at most 255 bytes, not an address).
    if let Some(n) =
        name.filter(|n| !n.is_empty() && n.len() <= 255 && n.parse::<std::net::IpAddr>().is_err())
    {
        let n = n.as_bytes();
        put_ext(&mut e, 0x0000, &{
            let mut v = Vec::with_capacity(n.len() + 5);
            put_u16(&mut v, (n.len() + 3) as u16);
            v.push(0); // host_name
            put_u16(&mut v, n.len() as u16);
            v.extend_from_slice(n);
            v
        });
    }
    put_ext(&mut e, 0x000b, &[1, 0]); // ec_point_formats: uncompressed
    put_ext(&mut e, 0x000a, &list(GROUPS));
    put_ext(&mut e, 0x000d, &list(SIG_ALGS));
    put_ext(&mut e, 0x0017, &[]); // extended_master_secret
    e
}

/// A list of 16-bit values with its 16-bit length.
fn list(items: &[u16]) -> Vec<u8> {
    let mut v = Vec::with_capacity(items.len() * 2 + 2);
    put_u16(&mut v, (items.len() * 2) as u16);
    for i in items {
        put_u16(&mut v, *i);
    }
    v
}

fn put_ext(out: &mut Vec<u8>, kind: u16, data: &[u8]) {
    put_u16(out, kind);
    put_u16(out, data.len() as u16);
    out.extend_from_slice(data);
}

fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use tls_parser::{TlsExtension, TlsMessage, TlsMessageHandshake};

    /// The hello parses as one ClientHello record offering our suites and extensions.
    #[test]
    fn hello_is_a_well_formed_client_hello() {
        for name in [None, Some("www.example.com"), Some("198.18.1.1")] {
            let mut out = Vec::new();
            let extras = Extras {
                heartbeat: name.is_some(),
                ticket: false,
            };
            client_hello(name, extras, &mut out);
            let (rest, rec) = tls_parser::parse_tls_plaintext(&out).unwrap();
            assert!(rest.is_empty());
            assert_eq!(rec.hdr.version.0, 0x0301);
            let [TlsMessage::Handshake(TlsMessageHandshake::ClientHello(ch))] = &rec.msg[..] else {
                panic!("{:?}", rec.msg);
            };
            assert_eq!(ch.version.0, 0x0303);
            assert_eq!(ch.ciphers.len(), SUITES.len());
            assert!(ch.ciphers.iter().any(|c| c.0 == 0x002f));
            let (_, ext) = tls_parser::parse_tls_extensions(ch.ext.unwrap()).unwrap();
            let sni = ext.iter().find_map(|e| match e {
                TlsExtension::SNI(v) => Some(String::from_utf8_lossy(v[0].1).into_owned()),
                _ => None,
            });
            let want = name.filter(|n| n.starts_with("www")).map(String::from);
            assert_eq!(sni, want);
            assert!(ext
                .iter()
                .any(|e| matches!(e, TlsExtension::EllipticCurves(_))));
            assert!(ext
                .iter()
                .any(|e| matches!(e, TlsExtension::SignatureAlgorithms(_))));
            let heartbeat = ext.iter().any(|e| matches!(e, TlsExtension::Heartbeat(1)));
            assert_eq!(heartbeat, name.is_some());
            assert!(ch.session_id.is_none());
            assert!(!ext
                .iter()
                .any(|e| matches!(e, TlsExtension::SessionTicket(_))));
        }
    }

    /// `--ticketbleed`: a 16-byte session id and a session ticket, the rest as usual.
    #[test]
    fn ticketbleed_hello_has_a_short_session_id_and_a_ticket() {
        let mut out = Vec::new();
        let extras = Extras {
            heartbeat: false,
            ticket: true,
        };
        client_hello(None, extras, &mut out);
        let (rest, rec) = tls_parser::parse_tls_plaintext(&out).unwrap();
        assert!(rest.is_empty());
        let [TlsMessage::Handshake(TlsMessageHandshake::ClientHello(ch))] = &rec.msg[..] else {
            panic!("{:?}", rec.msg);
        };
        assert_eq!(ch.session_id, Some(&TICKETBLEED_SESSION_ID[..]));
        let (_, ext) = tls_parser::parse_tls_extensions(ch.ext.unwrap()).unwrap();
        let ticket = ext.iter().find_map(|e| match e {
            TlsExtension::SessionTicket(t) => Some(t.len()),
            _ => None,
        });
        assert_eq!(ticket, Some(TICKET_LEN));
        assert!(!ext.iter().any(|e| matches!(e, TlsExtension::Heartbeat(_))));
    }

    /// `--vuln poodle`: SSLv3 only, the SSLv3 suites with TLS_FALLBACK_SCSV last, no extensions.
    #[test]
    fn sslv3_hello_offers_sslv3_and_the_fallback_scsv() {
        let mut out = Vec::new();
        sslv3_hello(&mut out);
        let (rest, rec) = tls_parser::parse_tls_plaintext(&out).unwrap();
        assert!(rest.is_empty());
        assert_eq!(rec.hdr.version.0, 0x0300);
        let [TlsMessage::Handshake(TlsMessageHandshake::ClientHello(ch))] = &rec.msg[..] else {
            panic!("{:?}", rec.msg);
        };
        assert_eq!(ch.version.0, 0x0300);
        assert_eq!(ch.ciphers.last().map(|c| c.0), Some(0x5600));
        assert!(ch.ciphers.iter().any(|c| c.0 == 0x000a));
        assert!(ch.ext.is_none());
    }
}

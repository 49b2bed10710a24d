//! The plaintext ClientHello of the legacy TLS path: a TLS 1.2 hello in a TLS 1.0 record that
//! offers every common suite from SSLv3 to TLS 1.2 (ECDHE, DHE and RSA key exchange; GCM,
//! ChaCha20, CBC, 3DES, RC4, Camellia, SEED) so that old servers and modern ones both answer
//! with their ServerHello and certificate chain. No TLS 1.3 is offered (no `supported_versions`,
//! no key share), so nothing is generated per connection: the hello is the same bytes every
//! time, plus the server name when one is known.

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

/// Appends a ClientHello record to `out`; `name` (a host name, not an address) goes in the
/// server_name extension; with `heartbeat`, the heartbeat extension (RFC 6520, peer allowed to
/// send) that `--heartbleed` needs.
pub fn client_hello(name: Option<&str>, heartbeat: bool, out: &mut Vec<u8>) {
    let mut body = Vec::with_capacity(256);
    body.extend_from_slice(&[0x03, 0x03]);
    body.extend_from_slice(&RANDOM);
    body.push(0); // no session id
    put_u16(&mut body, (SUITES.len() * 2) as u16);
    for s in SUITES {
        put_u16(&mut body, *s);
    }
    body.extend_from_slice(&[1, 0]); // compression: null only
    let mut ext = extensions(name);
    if heartbeat {
        put_ext(&mut ext, 0x000f, &[1]);
    }
    put_u16(&mut body, ext.len() as u16);
    body.extend_from_slice(&ext);

    let hs_len = body.len() + 4;
    out.extend_from_slice(&[0x16, 0x03, 0x01]);
    put_u16(out, hs_len as u16);
    out.push(1); // client_hello
    out.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    out.extend_from_slice(&body);
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
            client_hello(name, name.is_some(), &mut out);
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
        }
    }
}

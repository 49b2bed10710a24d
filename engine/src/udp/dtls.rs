//! DTLS (RFC 6347): the ClientHello we send to UDP 443, which a DTLS server answers with a
//! HelloVerifyRequest or a ServerHello (reported as a raw banner).

/// A DTLS 1.2 ClientHello: ECDHE with AES-GCM, the usual curves and signature schemes.
pub fn client_hello() -> Vec<u8> {
    let mut body = vec![0xfe, 0xfd]; // DTLS 1.2
    body.extend((0u8..32).map(|i| i.wrapping_mul(37) ^ 0x5a)); // client random (fixed)
    body.extend_from_slice(&[0, 0]); // session id, cookie: empty
    let suites: [u16; 5] = [0xc02b, 0xc02f, 0xc02c, 0xc030, 0x00ff];
    body.extend_from_slice(&((suites.len() * 2) as u16).to_be_bytes());
    for s in suites {
        body.extend_from_slice(&s.to_be_bytes());
    }
    body.extend_from_slice(&[1, 0]); // compression: null
    let ext = [
        &[0x00, 0x0a, 0, 8, 0, 6, 0, 0x1d, 0, 0x17, 0, 0x18][..], // groups: x25519, P-256, P-384
        &[0x00, 0x0b, 0, 2, 1, 0],                                // point formats: uncompressed
        &[0x00, 0x0d, 0, 8, 0, 6, 4, 3, 8, 4, 4, 1],              // signature algorithms
        &[0x00, 0x17, 0, 0],                                      // extended master secret
    ]
    .concat();
    body.extend_from_slice(&(ext.len() as u16).to_be_bytes());
    body.extend_from_slice(&ext);
    let n = body.len() as u32;
    let mut hs = vec![1]; // ClientHello
    hs.extend_from_slice(&n.to_be_bytes()[1..]);
    hs.extend_from_slice(&[0, 0, 0, 0, 0]); // message seq 0, fragment offset 0
    hs.extend_from_slice(&n.to_be_bytes()[1..]);
    hs.extend_from_slice(&body);
    let mut rec = vec![0x16, 0xfe, 0xff, 0, 0, 0, 0, 0, 0, 0, 0]; // handshake, DTLS 1.0 record
    rec.extend_from_slice(&(hs.len() as u16).to_be_bytes());
    rec.extend_from_slice(&hs);
    rec
}

#[cfg(test)]
mod tests {
    #[test]
    fn lengths_agree() {
        let r = super::client_hello();
        assert_eq!(u16::from_be_bytes([r[11], r[12]]) as usize, r.len() - 13);
        let body = u32::from_be_bytes([0, r[14], r[15], r[16]]) as usize;
        assert_eq!(body, r.len() - 13 - 12);
    }
}

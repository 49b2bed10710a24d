//! TLS through rustls: a modern ClientHello (TLS 1.3 and 1.2), every certificate accepted; once
//! the server's chain is in, reports the version, cipher suite, the leaf's subject, SANs and
//! issuer (`ssl`), and with `--capture cert` (the default) each certificate in base64 (`X509`).

use super::{app, BannerConfig, Found};
use base64::Engine;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    ClientConfig, ClientConnection, DigitallySignedStruct, ProtocolVersion, SignatureScheme,
};
use std::net::IpAddr;
use std::sync::Arc;

/// Accepts any certificate: a scanner records what the server presents, it does not judge it.
#[derive(Debug)]
struct AcceptAny(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAny {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// The client configuration every TLS connection of a scan shares.
pub fn client_config() -> Arc<ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .expect("the ring provider supports TLS 1.2 and 1.3")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AcceptAny(provider)))
        .with_no_client_auth();
    // Every connection shakes hands in full: a resumed session would skip the certificate, and
    // a scan has no use for a ticket cache.
    config.resumption = rustls::client::Resumption::disabled();
    Arc::new(config)
}

pub struct Tls {
    conn: ClientConnection,
    error: Option<String>,
}

impl Tls {
    /// Starts a handshake; the ClientHello is appended to `out`.
    pub fn start(ip: IpAddr, cfg: &BannerConfig, out: &mut Vec<u8>) -> Option<Self> {
        let conn =
            ClientConnection::new(Arc::clone(&cfg.tls), ServerName::IpAddress(ip.into())).ok()?;
        let mut t = Tls { conn, error: None };
        t.write(out);
        Some(t)
    }

    fn write(&mut self, out: &mut Vec<u8>) {
        while self.conn.wants_write() {
            match self.conn.write_tls(out) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    }

    pub fn data(&mut self, d: &[u8], out: &mut Vec<u8>) -> bool {
        let mut rest = d;
        while !rest.is_empty() {
            match self.conn.read_tls(&mut rest) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => {
                    self.error = Some(e.to_string());
                    return true;
                }
            }
            if let Err(e) = self.conn.process_new_packets() {
                self.error = Some(e.to_string());
                return true;
            }
        }
        if self.conn.peer_certificates().is_some() {
            return true;
        }
        self.write(out);
        false
    }

    pub fn finish(self, cfg: &BannerConfig, found: &mut Vec<Found>) {
        let version = match self.conn.protocol_version() {
            Some(ProtocolVersion::TLSv1_3) => "TLS/1.3".to_string(),
            Some(ProtocolVersion::TLSv1_2) => "TLS/1.2".to_string(),
            Some(v) => format!("{v:?}"),
            None => String::new(),
        };
        let mut text = version;
        if let Some(s) = self.conn.negotiated_cipher_suite() {
            text.push_str(&format!(" cipher:0x{:04x}", u16::from(s.suite())));
        }
        let chain = self.conn.peer_certificates().unwrap_or(&[]);
        if let Some(leaf) = chain.first() {
            text.push_str(&describe(leaf));
        }
        if let Some(e) = &self.error {
            if !text.is_empty() {
                text.push_str(", ");
            }
            text.push_str("error: ");
            text.push_str(e);
        }
        if !text.is_empty() {
            found.push(Found::new(app::SSL, text.trim_start()));
        }
        if cfg.capture_cert {
            for c in chain {
                found.push(Found::new(
                    app::X509,
                    base64::engine::general_purpose::STANDARD.encode(c.as_ref()),
                ));
            }
        }
    }
}

/// `, subject: ..., SAN: a, b, issuer: ...` of a DER certificate.
fn describe(der: &[u8]) -> String {
    let Ok((_, cert)) = x509_parser::parse_x509_certificate(der) else {
        return ", certificate unreadable".into();
    };
    let mut s = format!(", subject: {}", cert.subject());
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        let names: Vec<String> = san
            .value
            .general_names
            .iter()
            .map(|n| match n {
                x509_parser::extensions::GeneralName::DNSName(d) => d.to_string(),
                x509_parser::extensions::GeneralName::IPAddress(b) => match b.len() {
                    4 => IpAddr::from(<[u8; 4]>::try_from(*b).unwrap_or_default()).to_string(),
                    16 => IpAddr::from(<[u8; 16]>::try_from(*b).unwrap_or_default()).to_string(),
                    _ => format!("{b:02x?}"),
                },
                other => other.to_string(),
            })
            .collect();
        if !names.is_empty() {
            s.push_str(&format!(", SAN: {}", names.join(" ")));
        }
    }
    s.push_str(&format!(", issuer: {}", cert.issuer()));
    s
}

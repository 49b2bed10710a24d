//! TLS through rustls: a modern ClientHello (TLS 1.3 and 1.2), every certificate accepted. It is
//! the second connection to a server that refused the plaintext hello of [`super::tls_legacy`]
//! (a TLS 1.3-only server, whose certificate only a real handshake decrypts); once the chain is
//! in, [`super::tls_report`] writes the same records as the plaintext path.

use super::{BannerConfig, Found};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, SignatureScheme};
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
        let version = self.conn.protocol_version().map(u16::from);
        let cipher = self
            .conn
            .negotiated_cipher_suite()
            .map(|s| u16::from(s.suite()));
        let chain: Vec<&[u8]> = self
            .conn
            .peer_certificates()
            .unwrap_or(&[])
            .iter()
            .map(|c| c.as_ref())
            .collect();
        let extra = match &self.error {
            Some(e) => format!(", error: {e}"),
            None => String::new(),
        };
        super::tls_report::report(version, cipher, &chain, &extra, &[], cfg, found);
    }
}

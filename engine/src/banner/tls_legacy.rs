//! The plaintext TLS path (SSLv3 to TLS 1.2), as the original masscan reads TLS: our own
//! ClientHello ([`super::tls_hello`]), then the server's records are parsed (with `tls-parser`)
//! until its ServerHello (version, cipher suite) and Certificate (the chain) are in; no key
//! exchange is ever done. Handshake messages are reassembled across records and TCP segments,
//! up to [`MAX_HANDSHAKE`] bytes. A server that refuses the hello with a fatal alert and no
//! ServerHello (a TLS 1.3-only server) is marked [`Legacy::refused`], so the TCP stack can try
//! again through rustls on a second connection.
//!
//! With `--heartbleed` the hello carries the heartbeat extension; once the server's flight ends
//! (ServerHelloDone) a heartbeat request goes out that claims 16 KiB of payload and carries
//! none. A server with the flaw (CVE-2014-0160) answers with a response holding that much of its
//! memory: reported as `SSL[HEARTBLEED]` (`vuln`), and with `--capture heartbleed` the leaked
//! bytes in base64 (`heartbleed`), as the original does.

use super::{tls_report, BannerConfig, Found};
use tls_parser::{TlsMessage, TlsMessageHandshake};

/// Most handshake bytes kept while waiting for a whole message (a certificate chain is rarely
/// past 16 KiB; a record is at most 16 KiB plus its header).
pub const MAX_HANDSHAKE: usize = 64 * 1024;

/// Record content types.
const ALERT: u8 = 21;
const HANDSHAKE: u8 = 22;
const HEARTBEAT: u8 = 24;
/// A heartbeat request (TLS 1.1 record) whose payload length says 16,384 bytes and that carries
/// none.
const HEARTBEAT_REQUEST: &[u8] = b"\x18\x03\x02\x00\x03\x01\x40\x00";
/// Handshake message types.
const SERVER_HELLO: u8 = 2;
const CERTIFICATE: u8 = 11;

#[derive(Default)]
pub struct Legacy {
    /// Bytes of a record not yet whole.
    records: Vec<u8>,
    /// Handshake bytes not yet a whole message.
    hs: Vec<u8>,
    version: Option<u16>,
    cipher: Option<u16>,
    chain: Vec<Vec<u8>>,
    alert: Option<(u8, u8)>,
    error: Option<&'static str>,
    done: bool,
    /// `--heartbleed`: the heartbeat request goes out after the server's flight.
    heartbleed: bool,
    heartbeat_sent: bool,
    /// The payload of the server's heartbeat response, when it held more than we sent.
    bleed: Option<Vec<u8>>,
    /// Bytes to send (the heartbeat request), taken by [`Legacy::data`].
    to_send: Vec<u8>,
}

impl Legacy {
    /// Starts the plaintext handshake: the ClientHello (with `name` as SNI) goes to `out`.
    pub fn start(name: Option<&str>, heartbleed: bool, out: &mut Vec<u8>) -> Self {
        super::tls_hello::client_hello(name, heartbleed, out);
        Self {
            heartbleed,
            ..Self::default()
        }
    }

    /// In-order bytes from the server; true once the chain (or a refusal, or garbage) is in.
    /// Bytes to send back (the `--heartbleed` request) are appended to `out`.
    pub fn data(&mut self, d: &[u8], out: &mut Vec<u8>) -> bool {
        let done = self.take(d);
        out.append(&mut self.to_send);
        done
    }

    fn take(&mut self, d: &[u8]) -> bool {
        if self.done {
            return true;
        }
        if self.records.len() + d.len() > MAX_HANDSHAKE + 5 {
            self.fail("handshake too long");
            return true;
        }
        self.records.extend_from_slice(d);
        let mut at = 0;
        while !self.done {
            let Some(rest) = self.records.get(at..).filter(|r| r.len() >= 5) else {
                break;
            };
            let hdr = match tls_parser::parse_tls_record_header(rest) {
                Ok((_, h)) if (20..=24).contains(&h.record_type.0) && h.version.0 >> 8 == 3 => h,
                _ => {
                    self.fail("not TLS");
                    break;
                }
            };
            let body = rest.get(5..).unwrap_or_default();
            let Some(data) = body.get(..usize::from(hdr.len)) else {
                break;
            };
            let data = data.to_vec();
            at += 5 + data.len();
            self.record(hdr.record_type.0, &data);
        }
        self.records.drain(..at.min(self.records.len()));
        self.done
    }

    fn fail(&mut self, why: &'static str) {
        self.error.get_or_insert(why);
        self.done = true;
    }

    fn record(&mut self, kind: u8, data: &[u8]) {
        match kind {
            HANDSHAKE => {
                if self.hs.len() + data.len() > MAX_HANDSHAKE {
                    return self.fail("handshake too long");
                }
                self.hs.extend_from_slice(data);
                self.messages();
            }
            HEARTBEAT if self.heartbeat_sent => self.heartbeat(data),
            ALERT => {
                match tls_parser::parse_tls_message_alert(data) {
                    Ok((_, TlsMessage::Alert(a))) => {
                        self.alert = Some((a.severity.0, a.code.0));
                    }
                    _ => self.error = Some("bad alert"),
                }
                self.done = true;
            }
            _ => self.fail("unexpected record"),
        }
    }

    /// Takes every whole handshake message from the front of `hs`.
    fn messages(&mut self) {
        while !self.done {
            let Some(&[kind, a, b, c]) = self.hs.get(..4) else {
                return;
            };
            let len = 4 + (usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c));
            if self.hs.len() < len {
                return;
            }
            let msg: Vec<u8> = self.hs.drain(..len).collect();
            self.message(kind, &msg);
        }
    }

    fn message(&mut self, kind: u8, msg: &[u8]) {
        match tls_parser::parse_tls_message_handshake(msg) {
            Ok((_, TlsMessage::Handshake(TlsMessageHandshake::ServerHello(h)))) => {
                self.version = Some(h.version.0);
                self.cipher = Some(h.cipher.0);
            }
            Ok((_, TlsMessage::Handshake(TlsMessageHandshake::Certificate(c)))) => {
                self.chain = c.cert_chain.iter().map(|c| c.data.to_vec()).collect();
                self.done = !self.heartbleed;
            }
            // The server's flight ends here (without a certificate, with anonymous suites).
            Ok((_, TlsMessage::Handshake(TlsMessageHandshake::ServerDone(_)))) => {
                if self.heartbleed && !self.heartbeat_sent {
                    self.to_send.extend_from_slice(HEARTBEAT_REQUEST);
                    self.heartbeat_sent = true;
                } else {
                    self.done = true;
                }
            }
            Ok(_) => {}
            Err(_) if kind == SERVER_HELLO => {
                // A version tls-parser does not know: the original reports it as numbers.
                if let Some(&[maj, min]) = msg.get(4..6) {
                    self.version = Some(u16::from(maj) << 8 | u16::from(min));
                }
                self.fail("unreadable ServerHello");
            }
            Err(_) if kind == CERTIFICATE => self.fail("unreadable Certificate"),
            Err(_) => {}
        }
    }

    /// A heartbeat record after our request: a response (type 2) that claims and holds at
    /// least 16 bytes of payload, when we sent none, is memory the server should not have sent.
    fn heartbeat(&mut self, data: &[u8]) {
        if let Some(&[2, a, b]) = data.get(..3) {
            let claimed = usize::from(a) << 8 | usize::from(b);
            let held = data.get(3..).unwrap_or_default();
            if claimed >= 16 && held.len() >= 16 {
                self.bleed = Some(held[..held.len().min(claimed)].to_vec());
            }
        }
        self.done = true;
    }

    /// The server refused our hello outright (a fatal alert before any ServerHello:
    /// protocol_version, handshake_failure or insufficient_security), as a server that speaks
    /// only TLS 1.3 does.
    pub fn refused(&self) -> bool {
        self.version.is_none() && matches!(self.alert, Some((2, 40 | 70 | 71)))
    }

    pub fn finish(mut self, cfg: &BannerConfig, found: &mut Vec<Found>) {
        if self.chain.is_empty() {
            // The connection ended inside the Certificate message: the whole certificates
            // that arrived are still reported (the handshake bytes of a cut record too).
            if let Some(&[HANDSHAKE, _, _, _, _]) = self.records.get(..5) {
                let cut = self.records.get(5..).unwrap_or_default();
                let room = MAX_HANDSHAKE.saturating_sub(self.hs.len());
                self.hs.extend_from_slice(&cut[..cut.len().min(room)]);
                let done = std::mem::replace(&mut self.done, false);
                self.messages();
                self.done |= done;
            }
            if self.hs.first() == Some(&CERTIFICATE) {
                self.chain = partial_chain(self.hs.get(4..).unwrap_or_default());
            }
        }
        let mut extra = String::new();
        if let Some((level, desc)) = self.alert {
            extra.push_str(&format!(" ALERT(0x{level:02x}{desc:02x})"));
        }
        if let Some(e) = self.error {
            extra.push_str(", error: ");
            extra.push_str(e);
        }
        let chain: Vec<&[u8]> = self.chain.iter().map(Vec::as_slice).collect();
        let vulns: &[&str] = match self.bleed {
            Some(_) => &["SSL[HEARTBLEED]"],
            None => &[],
        };
        tls_report::report(self.version, self.cipher, &chain, &extra, vulns, cfg, found);
        if let (Some(bleed), true) = (&self.bleed, cfg.capture_heartbleed) {
            use base64::Engine;
            let b64 = base64::engine::general_purpose::STANDARD.encode(bleed);
            found.push(Found::new(super::app::HEARTBLEED, b64));
        }
    }
}

/// The whole certificates at the front of a Certificate message's body that was cut short.
fn partial_chain(body: &[u8]) -> Vec<Vec<u8>> {
    let mut chain = Vec::new();
    let mut rest = body.get(3..).unwrap_or_default();
    while let Some(&[a, b, c]) = rest.get(..3) {
        let len = usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c);
        let Some(cert) = rest.get(3..3 + len) else {
            break;
        };
        chain.push(cert.to_vec());
        rest = &rest[3 + len..];
    }
    chain
}

#[cfg(test)]
mod tests;

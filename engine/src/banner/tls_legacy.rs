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
//!
//! With `--ticketbleed` the hello offers a session ticket with a 16-byte session id. A server
//! with the F5 flaw (CVE-2016-9244) echoes a 32-byte session id: ours, then 16 bytes of its
//! memory. Such a ServerHello is `SSL[ticketbleed]` (`vuln`, the original's text), and with
//! `--capture ticketbleed` the bytes past ours are `ticketbleed` in base64 (the original has
//! the capture's name and record kind but never writes it). The original reports any session
//! id longer than 16 bytes; we also ask that it start with ours, since a server that rejects
//! the ticket and opens a fresh session gives a fresh 32-byte id of its own.
//!
//! With `--vuln poodle` (or `sslv3`) the hello is SSLv3 only, with TLS_FALLBACK_SCSV: an SSLv3
//! ServerHello is `SSL[v3] POODLE` (`vuln`); a fatal alert is a `safe` record, as the
//! original writes them: `poodle[TLS_FALLBACK_SCSV]` for inappropriate_fallback (the server
//! speaks something newer and honours the SCSV), `poodle[no-SSLv3]` for any other (with the
//! `ALERT` on the `ssl` line unless it is handshake_failure). The original also calls a
//! ServerHello of a newer version to that hello `POODLE`; we do not (it did not accept SSLv3).

use super::tls_hello::{Extras, TICKETBLEED_SESSION_ID};
use super::{tls_report, BannerConfig, Found};
use tls_parser::{TlsMessage, TlsMessageHandshake};

/// Most handshake bytes kept while waiting for a whole message (a certificate chain is rarely
/// past 16 KiB; a record is at most 16 KiB plus its header).
pub const MAX_HANDSHAKE: usize = 64 * 1024;

/// Record content types.
const CHANGE_CIPHER_SPEC: u8 = 20;
const ALERT: u8 = 21;
const HANDSHAKE: u8 = 22;
const HEARTBEAT: u8 = 24;
/// A heartbeat request (TLS 1.1 record) whose payload length says 16,384 bytes and that carries
/// none.
const HEARTBEAT_REQUEST: &[u8] = b"\x18\x03\x02\x00\x03\x01\x40\x00";
/// Alert descriptions the POODLE check tells apart.
const HANDSHAKE_FAILURE: u8 = 40;
const INAPPROPRIATE_FALLBACK: u8 = 86;
/// Handshake message types.
const SERVER_HELLO: u8 = 2;
const CERTIFICATE: u8 = 11;

/// The vulnerability checks a connection's handshake does (`--heartbleed`, `--ticketbleed`,
/// `--vuln poodle`). The POODLE check has a hello of its own (SSLv3, no extensions), so with
/// it the other two are not done, as in the original, whose SSLv3 hello replaces theirs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Checks {
    pub heartbleed: bool,
    pub ticketbleed: bool,
    pub poodle: bool,
}

impl Checks {
    /// The checks a scan asked for.
    pub fn of(cfg: &BannerConfig) -> Self {
        Self {
            heartbleed: cfg.heartbleed,
            ticketbleed: cfg.ticketbleed,
            poodle: cfg.poodle,
        }
    }

    /// Whether any check is on (then every port gets the TLS hello, as in the original).
    pub fn any(self) -> bool {
        self.heartbleed || self.ticketbleed || self.poodle
    }

    /// The checks done together: POODLE's hello leaves room for no other.
    fn done_together(self) -> Self {
        if self.poodle {
            Self {
                poodle: true,
                ..Self::default()
            }
        } else {
            self
        }
    }
}

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
    /// The vulnerability checks of this handshake.
    checks: Checks,
    /// `--heartbleed`: the heartbeat request went out after the server's flight.
    heartbeat_sent: bool,
    /// The payload of the server's heartbeat response, when it held more than we sent.
    bleed: Option<Vec<u8>>,
    /// `--ticketbleed`: the bytes past ours of the session id the server echoed.
    ticket_leak: Option<Vec<u8>>,
    /// Bytes to send (the heartbeat request), taken by [`Legacy::data`].
    to_send: Vec<u8>,
}

impl Legacy {
    /// Starts the plaintext handshake: the ClientHello (with `name` as SNI, with what `checks`
    /// need) goes to `out`.
    pub fn start(name: Option<&str>, checks: Checks, out: &mut Vec<u8>) -> Self {
        let checks = checks.done_together();
        if checks.poodle {
            super::tls_hello::sslv3_hello(out);
        } else {
            let extras = Extras {
                heartbeat: checks.heartbleed,
                ticket: checks.ticketbleed,
            };
            super::tls_hello::client_hello(name, extras, out);
        }
        Self {
            checks,
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
            // The server resumed the session (the ticket we offered): what follows is
            // encrypted, the plaintext handshake is over.
            CHANGE_CIPHER_SPEC if self.version.is_some() => self.done = true,
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
                if self.checks.ticketbleed {
                    self.ticket_leak = ticketbleed(h.session_id.unwrap_or_default());
                }
            }
            Ok((_, TlsMessage::Handshake(TlsMessageHandshake::Certificate(c)))) => {
                self.chain = c.cert_chain.iter().map(|c| c.data.to_vec()).collect();
                self.done = !self.checks.heartbleed;
            }
            // The server's flight ends here (without a certificate, with anonymous suites).
            Ok((_, TlsMessage::Handshake(TlsMessageHandshake::ServerDone(_)))) => {
                if self.checks.heartbleed && !self.heartbeat_sent {
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
    /// Not with `--vuln poodle`: its refusal of SSLv3 is the answer.
    pub fn refused(&self) -> bool {
        !self.checks.poodle
            && self.version.is_none()
            && matches!(self.alert, Some((2, 40 | 70 | 71)))
    }

    /// `--vuln poodle`: the `safe` record of a fatal alert, and whether the alert still goes
    /// on the `ssl` line (as the original: not for inappropriate_fallback nor
    /// handshake_failure).
    fn poodle_safe(&self) -> Option<(&'static str, bool)> {
        match (self.checks.poodle, self.alert) {
            (true, Some((2, INAPPROPRIATE_FALLBACK))) => Some(("poodle[TLS_FALLBACK_SCSV]", false)),
            (true, Some((2, HANDSHAKE_FAILURE))) => Some(("poodle[no-SSLv3]", false)),
            (true, Some((2, _))) => Some(("poodle[no-SSLv3]", true)),
            _ => None,
        }
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
        let safe = self.poodle_safe();
        if let Some((level, desc)) = self.alert.filter(|_| safe.is_none_or(|(_, shown)| shown)) {
            extra.push_str(&format!(" ALERT(0x{level:02x}{desc:02x})"));
        }
        if let Some(e) = self.error {
            extra.push_str(", error: ");
            extra.push_str(e);
        }
        let chain: Vec<&[u8]> = self.chain.iter().map(Vec::as_slice).collect();
        let mut vulns: Vec<&str> = Vec::new();
        if self.checks.poodle && self.version == Some(0x0300) {
            vulns.push("POODLE");
        }
        if self.ticket_leak.is_some() {
            vulns.push("SSL[ticketbleed]");
        }
        if self.bleed.is_some() {
            vulns.push("SSL[HEARTBLEED]");
        }
        tls_report::report(
            self.version,
            self.cipher,
            &chain,
            &extra,
            &vulns,
            cfg,
            found,
        );
        if let Some((text, _)) = safe {
            found.push(Found::new(super::app::SAFE, text));
        }
        use base64::Engine;
        let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        if let (Some(leak), true) = (&self.ticket_leak, cfg.capture_ticketbleed) {
            found.push(Found::new(super::app::TICKETBLEED, b64(leak)));
        }
        if let (Some(bleed), true) = (&self.bleed, cfg.capture_heartbleed) {
            found.push(Found::new(super::app::HEARTBLEED, b64(bleed)));
        }
    }
}

/// `--ticketbleed`: the ServerHello's session id is ours and more (a flawed F5 stack echoes 32
/// bytes whatever the length we sent): the bytes past ours, which are the server's memory.
fn ticketbleed(session_id: &[u8]) -> Option<Vec<u8>> {
    session_id
        .strip_prefix(&TICKETBLEED_SESSION_ID[..])
        .filter(|leak| !leak.is_empty())
        .map(<[u8]>::to_vec)
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

//! The records of a TLS handshake, as the original masscan writes them, for both TLS paths
//! (plaintext and rustls): the `ssl` line (`TLS/1.2 cipher:0xc02f, CN, SAN names`), an SSLv3
//! server's `SSL[v3]` vulnerability note, and with `--capture cert` the leaf certificate as
//! `X509` and the rest of the chain as `X509CA`, each in base64.

use super::{app, BannerConfig, Found};
use base64::Engine;

/// The version as the original names it (`SSLv3`, `TLS/1.0` ... `TLS/1.3`, else
/// `SSLver[3,5]`).
pub fn version_name(v: u16) -> String {
    match v {
        0x0300 => "SSLv3".into(),
        0x0301..=0x0304 => format!("TLS/1.{}", v - 0x0301),
        _ => format!("SSLver[{},{}]", v >> 8, v & 0xff),
    }
}

/// Pushes the handshake's records: `extra` (an alert, an error) ends the `ssl` line; `vulns`
/// (`SSL[HEARTBLEED]`) join the `vuln` record.
pub fn report(
    version: Option<u16>,
    cipher: Option<u16>,
    chain: &[&[u8]],
    extra: &str,
    vulns: &[&str],
    cfg: &BannerConfig,
    found: &mut Vec<Found>,
) {
    let mut text = String::new();
    if let Some(v) = version {
        text.push_str(&version_name(v));
    }
    if let Some(c) = cipher {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&format!("cipher:0x{c:x}"));
    }
    if let Some(leaf) = chain.first() {
        text.push_str(&names(leaf));
    }
    text.push_str(extra);
    let text = text.trim_start_matches([',', ' ']).trim_end();
    if !text.is_empty() {
        found.push(Found::new(app::SSL, text));
    }
    let mut vuln: Vec<&str> = Vec::new();
    if version == Some(0x0300) {
        vuln.push("SSL[v3]");
    }
    vuln.extend_from_slice(vulns);
    if !vuln.is_empty() {
        found.push(Found::new(app::VULN, vuln.join(" ")));
    }
    if cfg.capture_cert {
        for (i, c) in chain.iter().enumerate() {
            let kind = if i == 0 { app::X509 } else { app::X509_CA };
            found.push(Found::new(
                kind,
                base64::engine::general_purpose::STANDARD.encode(c),
            ));
        }
    }
}

/// `, CN, name, name` of a certificate: its subject's common names, then the DNS names of its
/// subjectAltName, as the original lists them for the leaf.
pub fn names(der: &[u8]) -> String {
    let Ok((_, cert)) = x509_parser::parse_x509_certificate(der) else {
        return ", certificate unreadable".into();
    };
    let mut s = String::new();
    for cn in cert.subject().iter_common_name() {
        s.push_str(", ");
        s.push_str(&printable(cn.as_slice()));
    }
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for n in &san.value.general_names {
            if let x509_parser::extensions::GeneralName::DNSName(d) = n {
                s.push_str(", ");
                s.push_str(&printable(d.as_bytes()));
            }
        }
    }
    s
}

/// A name's bytes as text, with control characters shown as `\xNN`.
fn printable(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len());
    for c in String::from_utf8_lossy(b).chars() {
        if c.is_control() {
            s.push_str(&format!("\\x{:02x}", u32::from(c)));
        } else {
            s.push(c);
        }
    }
    s
}

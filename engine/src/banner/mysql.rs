//! MySQL and MariaDB (3306, and any port: the server speaks first): the initial handshake
//! packet (protocol 10) gives the protocol version, server version, connection id, capability
//! flags (decoded, among them whether TLS is offered), character set, status flags and auth
//! plugin; an error packet instead of a greeting (`Host ... is not allowed to connect`, `Too
//! many connections`) is reported as an error with its code, SQL state and message. A server
//! that offers TLS gets an SSLRequest and our plaintext ClientHello, and its certificate is
//! reported beside the greeting, as ZGrab2's `mysql` module does.

use super::parser::Parser;
use super::tls_legacy::{Checks, Legacy};
use super::{app, BannerConfig, Found};

/// The capability bits, lowest first (the names the MySQL documentation gives, without
/// `CLIENT_`).
const CAPABILITIES: [&str; 25] = [
    "LONG_PASSWORD",
    "FOUND_ROWS",
    "LONG_FLAG",
    "CONNECT_WITH_DB",
    "NO_SCHEMA",
    "COMPRESS",
    "ODBC",
    "LOCAL_FILES",
    "IGNORE_SPACE",
    "PROTOCOL_41",
    "INTERACTIVE",
    "SSL",
    "IGNORE_SIGPIPE",
    "TRANSACTIONS",
    "RESERVED",
    "SECURE_CONNECTION",
    "MULTI_STATEMENTS",
    "MULTI_RESULTS",
    "PS_MULTI_RESULTS",
    "PLUGIN_AUTH",
    "CONNECT_ATTRS",
    "PLUGIN_AUTH_LENENC_CLIENT_DATA",
    "CAN_HANDLE_EXPIRED_PASSWORDS",
    "SESSION_TRACK",
    "DEPRECATED_EOF",
];
const CLIENT_SSL: u32 = 1 << 11;
const CLIENT_PROTOCOL_41: u32 = 1 << 9;
const CLIENT_SECURE_CONNECTION: u32 = 1 << 15;
const CLIENT_PLUGIN_AUTH: u32 = 1 << 19;

/// The status bits of the greeting, lowest first.
const STATUS: [&str; 14] = [
    "IN_TRANS",
    "AUTOCOMMIT",
    "MORE_RESULTS_EXISTS",
    "QUERY_NO_GOOD_INDEX_USED",
    "QUERY_NO_INDEX_USED",
    "CURSOR_EXISTS",
    "LAST_ROW_SENT",
    "DB_DROPPED",
    "NO_BACKSLASH_ESCAPES",
    "METADATA_CHANGED",
    "QUERY_WAS_SLOW",
    "PS_OUT_PARAMS",
    "IN_TRANS_READONLY",
    "SESSION_STATE_CHANGED",
];

/// Largest first packet read (a greeting is under 128 bytes, an error under 600).
const MAX_PACKET: usize = 1024;

/// Whether the server's first bytes are a MySQL greeting (protocol 9 or 10, a version string
/// that starts with a digit) or an error packet with a printable message, in packet 0.
pub(crate) fn is_greeting(d: &[u8]) -> bool {
    let Some(&[l0, l1, l2, 0, kind, a, ..]) = d.get(..6) else {
        return false;
    };
    let len = u32::from_le_bytes([l0, l1, l2, 0]) as usize;
    match kind {
        9 | 10 => (10..MAX_PACKET).contains(&len) && a.is_ascii_digit(),
        // An error: code (2 bytes), then `#` and the SQL state, or the message.
        0xff => {
            (4..MAX_PACKET).contains(&len)
                && d.get(7)
                    .is_none_or(|&c| c == b'#' || c.is_ascii_alphanumeric())
        }
        _ => false,
    }
}

#[derive(Default)]
pub struct Mysql {
    buf: Vec<u8>,
    /// The TLS handshake after our SSLRequest, when the server offers TLS.
    tls: Option<Box<Legacy>>,
}

impl Mysql {
    /// The first packet's payload and sequence number, once all of it is in.
    fn packet(&self) -> Option<&[u8]> {
        let h = self.buf.get(..4)?;
        let len = u32::from_le_bytes([h[0], h[1], h[2], 0]) as usize;
        self.buf.get(4..4 + len)
    }
}

impl Parser for Mysql {
    fn data(&mut self, d: &[u8], _cfg: &BannerConfig, out: &mut Vec<u8>) -> bool {
        if let Some(tls) = &mut self.tls {
            return tls.data(d, out);
        }
        self.buf.extend_from_slice(d);
        if !is_greeting(&self.buf) && self.buf.len() >= 8 {
            return true;
        }
        let Some(p) = self.packet() else {
            return self.buf.len() >= MAX_PACKET;
        };
        match Greeting::parse(p) {
            Some(g) if g.capabilities & CLIENT_SSL != 0 => {
                ssl_request(&g, out);
                self.tls = Some(Box::new(Legacy::start(None, Checks::default(), out)));
                false
            }
            _ => true,
        }
    }

    fn in_tls(&self) -> bool {
        self.tls.is_some()
    }

    fn finish(self: Box<Self>, cfg: &BannerConfig, found: &mut Vec<Found>) {
        if self.buf.is_empty() {
            return;
        }
        let text = match (self.packet(), is_greeting(&self.buf)) {
            (_, false) => {
                super::hello::unrecognised(&self.buf, found);
                return;
            }
            (None, true) => format!("incomplete packet ({} bytes)", self.buf.len()),
            (Some(p), true) if p.first() == Some(&0xff) => error(p),
            (Some(p), true) => match Greeting::parse(p) {
                Some(g) => g.describe(),
                None => format!("short greeting ({} bytes)", p.len()),
            },
        };
        found.push(Found::new(app::MYSQL, text));
        if let Some(tls) = self.tls {
            tls.finish(cfg, found);
        }
    }
}

/// The SSLRequest packet (sequence 1): our capabilities (protocol 4.1, secure connection, SSL),
/// the largest packet we take, the server's character set, 23 zero bytes.
fn ssl_request(g: &Greeting, out: &mut Vec<u8>) {
    out.extend_from_slice(&[32, 0, 0, 1]);
    let caps = CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION | CLIENT_SSL;
    out.extend_from_slice(&caps.to_le_bytes());
    out.extend_from_slice(&(1u32 << 24).to_le_bytes());
    out.push(g.charset.unwrap_or(0x21));
    out.extend_from_slice(&[0; 23]);
}

/// An error packet: `error 1130: Host '...' is not allowed to connect to this MariaDB server`.
fn error(p: &[u8]) -> String {
    let code = p.get(1..3).map(|c| u16::from_le_bytes([c[0], c[1]]));
    let rest = p.get(3..).unwrap_or_default();
    let (state, msg) = match rest.strip_prefix(b"#") {
        Some(r) if r.len() >= 5 => (Some(&r[..5]), &r[5..]),
        _ => (None, rest),
    };
    let mut t = match code {
        Some(c) => format!("error {c}"),
        None => "error".to_string(),
    };
    if let Some(s) = state {
        t.push_str(&format!(" ({})", printable(s)));
    }
    t.push_str(": ");
    t.push_str(&printable(msg));
    t
}

fn printable(b: &[u8]) -> String {
    super::hello::printable(b)
}

/// The fields of an initial handshake packet (protocol 10; 9 has only version, id, scramble).
struct Greeting {
    protocol: u8,
    version: String,
    connection_id: Option<u32>,
    capabilities: u32,
    /// Whether the capability bits were there at all.
    has_capabilities: bool,
    charset: Option<u8>,
    status: Option<u16>,
    plugin: Option<String>,
}

impl Greeting {
    fn parse(p: &[u8]) -> Option<Self> {
        let (&protocol, rest) = p.split_first()?;
        let nul = rest.iter().position(|&c| c == 0)?;
        let version = printable(&rest[..nul]);
        let r = &rest[nul + 1..];
        let mut g = Greeting {
            protocol,
            version,
            connection_id: r
                .get(..4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            capabilities: 0,
            has_capabilities: false,
            charset: None,
            status: None,
            plugin: None,
        };
        // id (4), scramble part 1 (8), filler (1), capabilities low (2).
        if let Some(c) = r.get(13..15) {
            g.capabilities = u32::from(u16::from_le_bytes([c[0], c[1]]));
            g.has_capabilities = true;
        }
        g.charset = r.get(15).copied();
        g.status = r.get(16..18).map(|s| u16::from_le_bytes([s[0], s[1]]));
        if let Some(c) = r.get(18..20) {
            g.capabilities |= u32::from(u16::from_le_bytes([c[0], c[1]])) << 16;
        }
        // Scramble length (1), reserved (10), scramble part 2 (at least 13), plugin name.
        if g.capabilities & CLIENT_PLUGIN_AUTH != 0 {
            let scramble = usize::from(r.get(20).copied().unwrap_or(0));
            let part2 = scramble.saturating_sub(8).max(13);
            if let Some(name) = r.get(31 + part2..) {
                let end = name.iter().position(|&c| c == 0).unwrap_or(name.len());
                g.plugin = Some(printable(&name[..end])).filter(|n| !n.is_empty());
            }
        }
        Some(g)
    }

    fn describe(&self) -> String {
        let mut t = format!("protocol {}, version {}", self.protocol, self.version);
        if let Some(id) = self.connection_id {
            t.push_str(&format!(", connection id {id}"));
        }
        let tls = if self.capabilities & CLIENT_SSL != 0 {
            "offered"
        } else {
            "not offered"
        };
        t.push_str(&format!(", TLS {tls}"));
        if let Some(c) = self.charset {
            t.push_str(&format!(", charset {c}"));
            if let Some(name) = charset_name(c) {
                t.push_str(&format!(" ({name})"));
            }
        }
        if let Some(p) = &self.plugin {
            t.push_str(&format!(", auth plugin {p}"));
        }
        if self.has_capabilities {
            t.push_str(&format!(
                ", capabilities 0x{:08x} ({})",
                self.capabilities,
                flags(self.capabilities, &CAPABILITIES)
            ));
        }
        if let Some(s) = self.status {
            t.push_str(&format!(
                ", status 0x{s:04x} ({})",
                flags(s.into(), &STATUS)
            ));
        }
        t
    }
}

/// The names of the bits set, `|`-joined (a bit past the table as its number).
fn flags(bits: u32, names: &[&str]) -> String {
    (0..32)
        .filter(|b| bits & (1 << b) != 0)
        .map(|b| match names.get(b) {
            Some(n) => (*n).to_string(),
            None => format!("bit{b}"),
        })
        .collect::<Vec<_>>()
        .join("|")
}

/// The collations servers announce most (MySQL's and MariaDB's numbering).
fn charset_name(c: u8) -> Option<&'static str> {
    Some(match c {
        8 => "latin1_swedish_ci",
        28 => "gbk_chinese_ci",
        33 => "utf8mb3_general_ci",
        45 => "utf8mb4_general_ci",
        46 => "utf8mb4_bin",
        63 => "binary",
        224 => "utf8mb4_unicode_ci",
        255 => "utf8mb4_0900_ai_ci",
        _ => return None,
    })
}

#[cfg(test)]
#[path = "mysql_tests.rs"]
mod tests;

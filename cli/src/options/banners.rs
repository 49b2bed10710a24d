//! Banner grabbing: `--banners`, what to capture, timeouts, per-port hellos and limits; the
//! builder of the engine's `Banners`.

use super::thousands;
use crate::args::UserError;
use crate::values;
use masscan_engine::banner::http_request::{split_header, HttpRequest};
use masscan_engine::config::{defaults, Banners};
use masscan_engine::plan::ports::{PortSet, PortSetBuilder, Proto};

#[derive(clap::Args, Debug)]
#[command(next_help_heading = "Banners")]
pub struct BannerOptions {
    /// Banner data to capture (cert, html, heartbleed, ticketbleed; servername is accepted
    /// and changes nothing, as in the original, which reports http.server always).
    #[arg(long = "capture", value_name = "WHAT", value_parser = values::capture)]
    pub capture: Vec<String>,
    /// Banner data not to capture.
    #[arg(long = "nocapture", value_name = "WHAT", value_parser = values::nocapture)]
    pub nocapture: Vec<String>,
    /// Grab banners: complete the handshake of each open port in our own TCP stack, send a
    /// hello where the server does not speak first, and report what comes back.
    #[arg(long = "banners", alias = "banner")]
    pub banners: bool,
    /// Check every port for the Heartbleed flaw (CVE-2014-0160): the TLS hello goes to every
    /// port, then a heartbeat request claiming more than it carries; implies --banners and
    /// --nocapture cert (--capture heartbleed reports the leaked bytes).
    #[arg(long = "heartbleed")]
    pub heartbleed: bool,
    /// Check every port for the Ticketbleed flaw of F5 stacks (CVE-2016-9244): the TLS hello
    /// goes to every port with a session ticket and a 16-byte session id, and a server that
    /// echoes a longer one is reported; implies --banners and --nocapture cert
    /// (--capture ticketbleed reports the bytes past ours).
    #[arg(long = "ticketbleed")]
    pub ticketbleed: bool,
    /// A vulnerability check: heartbleed, ticketbleed (as their options), poodle or sslv3 (an
    /// SSLv3-only hello with TLS_FALLBACK_SCSV to every port; implies --banners and
    /// --nocapture cert), ntp-monlist (NTP's monlist request over UDP to every port of the
    /// scan, U:123 if none is given).
    #[arg(long = "vuln", value_name = "NAME", value_parser = values::vuln)]
    pub vuln: Vec<String>,
    /// Report each UDP reply's raw bytes too where its protocol is parsed (turns --banners on,
    /// as in the original).
    #[arg(long = "rawudp")]
    pub rawudp: bool,
    /// Beyond the original: a port that stays silent and then gives the HTTP hello no answer
    /// (or a TLS alert) gets further connections, one hello each until one is named: the TLS
    /// hello (a TLS server on a port no one assigns it gives its certificate), redis's INFO,
    /// memcached's stats, an MQTT CONNECT, PostgreSQL's SSLRequest; at most --identify-tries
    /// of them (one more for a TLS 1.3-only server). An AMQP broker's protocol header, in
    /// answer to any of them, brings one AMQP try instead. Implies --banners.
    #[arg(long = "identify")]
    pub identify: bool,
    /// How many further connections --identify may open per silent port, 0 to 5 (default 5:
    /// TLS, redis, memcached, MQTT, PostgreSQL; 1 is TLS alone).
    #[arg(long = "identify-tries", value_name = "N", value_parser = values::identify_tries)]
    pub identify_tries: Option<u8>,
    /// No banners (overrides --banners, e.g. one from a config file).
    #[arg(long = "nobanners")]
    pub nobanners: bool,
    #[arg(
        long = "hello-timeout",
        help = format!(
            "Seconds a server may stay silent before we send our probe, and after its last \
             bytes before the connection is closed (default {})",
            defaults::HELLO_TIMEOUT_SECS
        ),
        value_name = "SECS", value_parser = values::hello_timeout)]
    pub hello_timeout: Option<u64>,
    #[arg(
        long = "connection-timeout",
        help = format!(
            "Seconds a banner connection may last at most (default {})",
            defaults::CONNECTION_TIMEOUT_SECS
        ),
        alias = "tcp-timeout",
        value_name = "SECS",
        value_parser = values::connection_timeout
    )]
    pub connection_timeout: Option<u64>,
    /// The hello for one port, base64: `--hello-string[80] R0VUIC8gSFRUUC8xLjANCg0K`.
    #[arg(long = "hello-string", value_name = "PORT:BASE64")]
    pub hello_string: Vec<String>,
    /// The hello for one port, from a file: `--hello-file[80] get.txt`.
    #[arg(long = "hello-file", value_name = "PORT:FILE")]
    pub hello_file: Vec<String>,
    /// A hello on every port at connect (`ssl`, `http`), or SMB's hello as SMBv1 only
    /// (`smbv1`).
    #[arg(long = "hello", value_name = "KIND", value_parser = ["ssl", "smbv1", "http"])]
    pub hello: Vec<String>,
    /// User-Agent of the HTTP hello.
    #[arg(long = "http-user-agent", value_name = "STRING")]
    pub http_user_agent: Option<String>,
    /// Method of the HTTP hello (default GET).
    #[arg(long = "http-method", value_name = "METHOD")]
    pub http_method: Option<String>,
    /// URL of the HTTP hello (default /).
    #[arg(long = "http-url", alias = "http-uri", value_name = "URL")]
    pub http_url: Option<String>,
    /// Version of the HTTP hello (default HTTP/1.0).
    #[arg(long = "http-version", value_name = "VERSION")]
    pub http_version: Option<String>,
    /// Host header of the HTTP hello (default: the target's address).
    #[arg(long = "http-host", value_name = "HOST")]
    pub http_host: Option<String>,
    /// A header of the HTTP hello, replacing one of that name (several allowed).
    #[arg(long = "http-header", alias = "http-field", value_name = "NAME:VALUE")]
    pub http_header: Vec<String>,
    /// A Cookie line of the HTTP hello (several allowed).
    #[arg(long = "http-cookie", value_name = "VALUE")]
    pub http_cookie: Vec<String>,
    /// Body of the HTTP hello (with its Content-Length).
    #[arg(long = "http-payload", value_name = "STRING")]
    pub http_payload: Option<String>,
    #[arg(
        long = "banner-bytes",
        help = format!(
            "Bytes kept from one banner connection (default {}); the connection ends there",
            defaults::BANNER_BYTES
        ),
        value_name = "N", value_parser = values::banner_bytes)]
    pub banner_bytes: Option<usize>,
    #[arg(
        long = "max-connections",
        help = format!(
            "Banner connections held at once per receive core (default: from the rate and the \
             connection timeout, {} to {})",
            thousands(defaults::MAX_CONNECTIONS_MIN),
            thousands(defaults::MAX_CONNECTIONS_MAX)
        ),
        value_name = "N", value_parser = values::max_connections)]
    pub max_connections: Option<usize>,
}

impl BannerOptions {
    /// Banner grabbing: captures, timeouts, hellos, limits.
    pub fn build(&self) -> Result<Banners, UserError> {
        let vuln = |name: &str| self.vuln.iter().any(|v| v == name);
        let mut b = Banners {
            heartbleed: self.heartbleed || vuln("heartbleed"),
            ticketbleed: self.ticketbleed || vuln("ticketbleed"),
            poodle: vuln("poodle") || vuln("sslv3"),
            ntp_monlist: vuln("ntp-monlist"),
            ..Banners::default()
        };
        // As the original: no certificates, no leaked bytes, unless asked for after.
        for (check, leak) in [
            (b.heartbleed, Some("heartbleed")),
            (b.ticketbleed, Some("ticketbleed")),
            (b.poodle, None),
        ] {
            if !check {
                continue;
            }
            for what in std::iter::once("cert").chain(leak) {
                if !b.captures.contains(&(false, what.into())) {
                    b.captures.push((false, what.into()));
                }
            }
        }
        for (on, list) in [(true, &self.capture), (false, &self.nocapture)] {
            for what in list {
                if !b.captures.contains(&(on, what.clone())) {
                    b.captures.push((on, what.clone()));
                }
            }
        }
        let tls_check = b.heartbleed || b.ticketbleed || b.poodle;
        b.enabled = (self.banners || tls_check || self.rawudp || self.identify) && !self.nobanners;
        b.raw_udp = self.rawudp;
        b.identify = self.identify;
        b.identify_tries = self.identify_tries;
        b.hello_timeout = self.hello_timeout;
        b.connection_timeout = self.connection_timeout;
        for (kind, list) in [
            ("hello-string", &self.hello_string),
            ("hello-file", &self.hello_file),
        ] {
            for v in list {
                let (port, bytes) = hello(kind, v)?;
                b.hellos.retain(|(p, _)| *p != port);
                b.hellos.push((port, bytes));
            }
        }
        b.http_user_agent = self.http_user_agent.clone();
        for h in &self.hello {
            if !b.hello.contains(h) {
                b.hello.push(h.clone());
            }
        }
        b.http = self.http_request()?;
        b.banner_bytes = self.banner_bytes;
        b.max_connections = self.max_connections;
        Ok(b)
    }
}

impl BannerOptions {
    /// The HTTP hello's request from the `--http-*` options.
    fn http_request(&self) -> Result<HttpRequest, UserError> {
        let line = |name: &str, v: &Option<String>| -> Result<Option<String>, UserError> {
            match v {
                Some(v) if v.is_empty() || v.contains(|c: char| c.is_ascii_whitespace()) => Err(
                    UserError(format!("bad --{name} '{v}': one word, no spaces")),
                ),
                _ => Ok(v.clone()),
            }
        };
        let mut r = HttpRequest {
            method: line("http-method", &self.http_method)?,
            url: line("http-url", &self.http_url)?,
            version: line("http-version", &self.http_version)?,
            host: no_newline("http-host", &self.http_host)?,
            payload: self.http_payload.as_ref().map(|p| p.as_bytes().to_vec()),
            ..HttpRequest::default()
        };
        for h in &self.http_header {
            let (name, value) = split_header(h).ok_or_else(|| {
                UserError(format!(
                    "bad --http-header '{h}': needs a name and a value (--http-header Name:value)"
                ))
            })?;
            no_newline("http-header", &Some(value.clone()))?;
            r.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
            r.headers.push((name, value));
        }
        for c in &self.http_cookie {
            no_newline("http-cookie", &Some(c.clone()))?;
            r.cookies.push(c.clone());
        }
        Ok(r)
    }
}

/// A header value may not break the request's lines.
fn no_newline(name: &str, v: &Option<String>) -> Result<Option<String>, UserError> {
    match v {
        Some(v) if v.contains(['\r', '\n']) => Err(UserError(format!(
            "bad --{name}: a header value cannot hold a line break"
        ))),
        _ => Ok(v.clone()),
    }
}

/// One `--hello-string[80] BASE64` or `--hello-file[80] FILE` (as normalized, `80:VALUE`): the
/// port and the hello's bytes.
fn hello(kind: &str, v: &str) -> Result<(u16, Vec<u8>), UserError> {
    let (port, value) = hello_port(kind, v)?;
    let bytes = if kind == "hello-string" {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(value.trim())
            .map_err(|e| UserError(format!("bad --hello-string[{port}]: not base64 ({e})")))?
    } else {
        std::fs::read(value)
            .map_err(|e| UserError(format!("cannot read --hello-file[{port}] '{value}': {e}")))?
    };
    if bytes.is_empty() || bytes.len() > 16_384 {
        return Err(UserError(format!(
            "bad --{kind}[{port}]: the hello must be 1 to 16384 bytes"
        )));
    }
    Ok((port, bytes))
}

/// `80:VALUE` of `--hello-string[80] VALUE` (as normalized): the port and the value.
fn hello_port<'a>(kind: &str, v: &'a str) -> Result<(u16, &'a str), UserError> {
    let (port, value) = v
        .split_once(':')
        .ok_or_else(|| UserError(format!("--{kind} needs a port: --{kind}[80] VALUE")))?;
    let port = port
        .trim()
        .parse::<u16>()
        .map_err(|_| UserError(format!("bad --{kind}[{port}]: the port must be 0 to 65535")))?;
    Ok((port, value))
}

/// `--vuln ntp-monlist`'s ports, as the original makes them: every TCP, UDP and SCTP port of
/// the scan becomes a UDP port (the check's datagram goes to each), and with no port at all
/// the check's own, U:123. `--ping`, `--arp` and `O:` protocols stay as they are.
pub fn monlist_ports(ports: &PortSet) -> PortSet {
    let mut pb = PortSetBuilder::new();
    let mut any = false;
    for (proto, first, last) in ports.ranges() {
        let base = match proto {
            Proto::Tcp | Proto::Udp | Proto::Sctp => {
                any = true;
                Proto::Udp.base()
            }
            other => other.base(),
        };
        pb.add_value(base + u32::from(first), base + u32::from(last));
    }
    if !any {
        let ntp = Proto::Udp.base() + 123;
        pb.add_value(ntp, ntp);
    }
    pb.build()
}

/// `--vuln ntp-monlist`'s payloads: the monlist request for every UDP port of `ports` (and no
/// other payload, as the original sends the check's datagram only).
pub fn monlist_payloads(ports: &PortSet) -> Vec<masscan_engine::udp::Payload> {
    let request = masscan_engine::udp::payloads::ntp_monlist();
    ports
        .ranges()
        .filter(|(proto, _, _)| *proto == Proto::Udp)
        .flat_map(|(_, first, last)| first..=last)
        .map(|port| masscan_engine::udp::Payload {
            port,
            bytes: request.clone(),
            cookie: None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ports(spec: &str) -> PortSet {
        let mut pb = PortSetBuilder::new();
        if !spec.is_empty() {
            pb.add_spec(spec).unwrap();
        }
        pb.build()
    }

    #[test]
    fn monlist_sends_to_every_port_as_udp_and_to_123_by_default() {
        assert_eq!(monlist_ports(&ports("")).to_spec(), "U:123");
        assert_eq!(
            monlist_ports(&ports("123,U:1123,S:5,I:0")).to_spec(),
            "U:5,U:123,U:1123,I:0"
        );
        assert_eq!(monlist_ports(&ports("U:123")).to_spec(), "U:123");
        assert_eq!(monlist_ports(&ports("I:0")).to_spec(), "U:123,I:0");
        let p = monlist_payloads(&monlist_ports(&ports("123-125")));
        assert_eq!(
            p.iter().map(|p| p.port).collect::<Vec<_>>(),
            vec![123, 124, 125]
        );
        assert!(
            p.iter()
                .all(|p| p.bytes == masscan_engine::udp::payloads::ntp_monlist()
                    && p.cookie.is_none())
        );
    }
}

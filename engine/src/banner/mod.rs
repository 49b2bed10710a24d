//! Banner grabbing, sans-IO: one [`Session`] per TCP connection takes the bytes the server sent
//! and returns the bytes to send back (hellos, follow-up commands); when the connection ends it
//! yields the banners found, each with masscan's `app_proto` number. The protocol is chosen by
//! port when we speak first (HTTP, TLS, memcached, RDP, SMB, and the original's other hellos
//! in `hello/`: X11, Java RMI, Kerberos, MongoDB, DICOM, LDAP, SIP, RTSP, ONC RPC) and
//! recognised from the server's first bytes otherwise (SSH, FTP, SMTP, POP3, IMAP4, VNC,
//! Telnet, HTTP, MySQL). TLS starts with our plaintext hello ([`tls_legacy`]); a server that refuses
//! it (TLS 1.3 only) asks, through [`Session::wants_rustls`], for a second connection through
//! rustls ([`Session::start_rustls`]). With `--identify` a silent port gets a bounded series of
//! further connections (TLS, redis, memcached, MQTT, PostgreSQL; AMQP after a broker's protocol
//! header: [`identify`]). Every parser takes arbitrary bytes, keeps at most
//! [`BannerConfig::max_bytes`] of them (a TLS connection at least a certificate chain's
//! worth), and never panics.

mod afp;
mod amqp;
mod dnp3;
mod dns;
mod docker;
mod enip;
mod fox;
mod hello;
mod http;
pub mod http_request;
pub mod identify;
mod lines;
pub(crate) mod memcached;
mod minecraft;
mod modbus;
mod mqtt;
mod mssql;
mod mysql;
mod notes;
mod parser;
mod postgres;
mod rdp;
mod redis;
mod s7;
mod smb;
mod smb1;
mod ssh;
mod telnet;
mod tls;
mod tls_hello;
pub(crate) mod tls_legacy;
mod tls_report;
mod vnc;

#[cfg(test)]
pub(crate) use amqp::tests::connection_start as amqp_connection_start;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

/// masscan's `app_proto` numbers (the original's current table; docs/compat-outputs.md).
pub mod app {
    pub const HEUR: u16 = 1;
    pub const SSH2: u16 = 3;
    pub const HTTP: u16 = 4;
    pub const FTP: u16 = 5;
    pub const DNS_VERSION: u16 = 6;
    pub const SNMP: u16 = 7;
    pub const NBTSTAT: u16 = 8;
    pub const SSL: u16 = 9;
    pub const SMB: u16 = 10;
    pub const SMTP: u16 = 11;
    pub const POP3: u16 = 12;
    pub const IMAP4: u16 = 13;
    pub const X509: u16 = 15;
    pub const X509_CA: u16 = 16;
    pub const TITLE: u16 = 17;
    pub const HTML: u16 = 18;
    pub const NTP: u16 = 19;
    pub const VULN: u16 = 20;
    pub const HEARTBLEED: u16 = 21;
    pub const TICKETBLEED: u16 = 22;
    pub const SAFE: u16 = 24;
    pub const MEMCACHED: u16 = 25;
    pub const COAP: u16 = 28;
    pub const TELNET: u16 = 29;
    pub const RDP: u16 = 30;
    pub const HTTP_SERVER: u16 = 31;
    pub const MINECRAFT: u16 = 32;
    pub const VNC: u16 = 33;
    pub const VNC_INFO: u16 = 34;
    pub const ISAKMP: u16 = 35;
    pub const ERROR: u16 = 36;
    /// Ours, after the original's numbers: SSDP (UPnP discovery) answers.
    pub const SSDP: u16 = 37;
    // Ours: the replies to the original's hellos, which it reports unparsed.
    pub const X11: u16 = 38;
    pub const JAVA_RMI: u16 = 39;
    pub const KERBEROS: u16 = 40;
    pub const MONGODB: u16 = 41;
    pub const DICOM: u16 = 42;
    pub const LDAP: u16 = 43;
    pub const SIP: u16 = 44;
    pub const RTSP: u16 = 45;
    pub const RPC: u16 = 46;
    pub const DOCKER: u16 = 47;
    pub const REDIS: u16 = 48;
    pub const NOTES_RPC: u16 = 49;
    pub const MS_SQL: u16 = 50;
    pub const AFP: u16 = 51;
    // Ours: the databases and message brokers ZGrab2 surveys.
    pub const MYSQL: u16 = 52;
    pub const POSTGRES: u16 = 53;
    pub const MQTT: u16 = 54;
    pub const AMQP: u16 = 55;
    pub const MODBUS: u16 = 56;
    // Ours: the industrial protocols ZGrab2 (and Nmap) survey.
    pub const ENIP: u16 = 57;
    pub const FOX: u16 = 58;
    pub const S7: u16 = 59;
    pub const BACNET: u16 = 60;
    pub const DNP3: u16 = 61;
    /// Ours: an HTTP 3xx reply's `Location` header (the original matches it and drops it).
    pub const HTTP_LOCATION: u16 = 62;
}

/// One banner: what kind (`app_proto`) and its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub app: u16,
    pub text: Vec<u8>,
}

impl Found {
    pub fn new(app: u16, text: impl Into<Vec<u8>>) -> Self {
        Self {
            app,
            text: text.into(),
        }
    }
}

/// What banner grabbing is asked to do, shared by every connection of a scan.
#[derive(Clone)]
pub struct BannerConfig {
    /// `User-Agent` of the HTTP hello (`--http-user-agent`).
    pub user_agent: String,
    /// Report each certificate of a TLS chain as base64 (`--capture cert`, on by default).
    pub capture_cert: bool,
    /// Report the HTTP body (`--capture html`).
    pub capture_html: bool,
    /// Bytes kept from one connection; the connection ends when it is reached.
    pub max_bytes: usize,
    /// `--heartbleed`: every port gets the TLS hello with the heartbeat extension, and a
    /// heartbeat request claiming more bytes than it carries after the server's flight.
    pub heartbleed: bool,
    /// Report the bytes a Heartbleed-vulnerable server leaked (`--capture heartbleed`).
    pub capture_heartbleed: bool,
    /// `--ticketbleed`: every port gets the TLS hello with a session ticket and a short session
    /// id, whose echo tells the F5 flaw (tls_legacy).
    pub ticketbleed: bool,
    /// Report the memory a Ticketbleed-vulnerable server echoed (`--capture ticketbleed`).
    pub capture_ticketbleed: bool,
    /// `--vuln poodle`: every port gets an SSLv3-only hello with TLS_FALLBACK_SCSV.
    pub poodle: bool,
    /// `--hello-string[PORT]` / `--hello-file[PORT]`: the hello sent at once on that port.
    pub hellos: HashMap<u16, Vec<u8>>,
    /// The HTTP hello's request (`--http-method`, `--http-header`, ...).
    pub http: http_request::HttpRequest,
    /// `--hello http|ssl`: that hello at connect on every port (a `--hello-string` port aside).
    pub forced: Option<Forced>,
    /// `--hello smbv1`: the SMB hello offers SMBv1 (NT LM 0.12) only.
    pub smbv1_only: bool,
    /// `--identify`: a port that stayed silent and then gave the HTTP hello nothing, or a TLS
    /// record, gets the series of [`identify`]: a connection with the TLS hello, then redis's,
    /// then MQTT's, until one is named ([`Session::next_try`]).
    pub identify: bool,
    /// `--identify-tries`: at most this many connections of the series follow the first.
    pub identify_tries: u8,
    tls: Arc<rustls::ClientConfig>,
}

impl Default for BannerConfig {
    fn default() -> Self {
        Self {
            user_agent: DEFAULT_USER_AGENT.into(),
            capture_cert: true,
            capture_html: false,
            max_bytes: crate::config::defaults::BANNER_BYTES,
            heartbleed: false,
            capture_heartbleed: false,
            ticketbleed: false,
            capture_ticketbleed: false,
            poodle: false,
            identify: false,
            identify_tries: identify::DEFAULT_TRIES,
            hellos: HashMap::new(),
            http: http_request::HttpRequest::default(),
            forced: None,
            smbv1_only: false,
            tls: tls::client_config(),
        }
    }
}

impl std::fmt::Debug for BannerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BannerConfig")
            .field("user_agent", &self.user_agent)
            .field("capture_cert", &self.capture_cert)
            .field("capture_html", &self.capture_html)
            .field("max_bytes", &self.max_bytes)
            .field("heartbleed", &self.heartbleed)
            .field("capture_heartbleed", &self.capture_heartbleed)
            .field("ticketbleed", &self.ticketbleed)
            .field("capture_ticketbleed", &self.capture_ticketbleed)
            .field("poodle", &self.poodle)
            .field("hellos", &self.hellos.keys().collect::<Vec<_>>())
            .field("http", &self.http)
            .field("forced", &self.forced)
            .field("smbv1_only", &self.smbv1_only)
            .field("identify", &self.identify)
            .field("identify_tries", &self.identify_tries)
            .finish()
    }
}

/// The least a TLS connection may take, whatever `--banner-bytes` says: a certificate chain.
const TLS_BYTES: usize = 32 * 1024;

pub const DEFAULT_USER_AGENT: &str =
    "masscan-rs/0.1 (masscan/1.3 compatible; https://github.com/robertdavidgraham/masscan)";

/// `--hello http` or `--hello ssl`: the hello every port gets at connect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Forced {
    Http,
    Ssl,
}

/// The protocol a port's hello speaks, when we speak first.
#[derive(Clone, Copy)]
enum ClientFirst {
    Http,
    Tls,
    /// Any other protocol of the hello table ([`parser::hello_for`]).
    Other(parser::Start),
}

fn client_first(port: u16) -> Option<ClientFirst> {
    Some(match port {
        80 | 81 | 591 | 3000 | 5000 | 8000 | 8008 | 8080 | 8088 | 8530 | 8888 | 9000 => {
            ClientFirst::Http
        }
        // The original's TLS ports, then ours (DNS over TLS, WinRM, the usual alternates).
        443
        | 465
        | 636
        | 637
        | 990..=995
        | 2083
        | 2087
        | 2096
        | 2376
        | 3269
        | 5061
        | 8140
        | 8443
        | 8531
        | 9050
        | 11712
        | 49955
        | 322
        | 853
        | 4443
        | 5986
        | 9443
        // MQTT and AMQP over TLS.
        | 8883
        | 5671
        // Niagara Fox over TLS.
        | 4911 => ClientFirst::Tls,
        _ => return parser::hello_for(port).map(ClientFirst::Other),
    })
}

/// The parser a connection is in.
enum Kind {
    /// Nothing received yet and no protocol chosen: the server's first bytes decide.
    Detect,
    Http(http::Http),
    /// The plaintext TLS handshake (SSLv3 to TLS 1.2).
    TlsLegacy(Box<tls_legacy::Legacy>),
    /// A handshake through rustls (the second connection to a TLS 1.3-only server).
    Tls(Box<tls::Tls>),
    Ssh(ssh::Ssh),
    Lines(lines::Lines),
    /// A line protocol whose server accepted STARTTLS (or `AUTH TLS`, `STLS`): its lines, then
    /// the TLS handshake that followed.
    StartTls(Box<(lines::Lines, tls_legacy::Legacy)>),
    Telnet(telnet::Telnet),
    Vnc(vnc::Vnc),
    /// A protocol of the hello table.
    Other(Box<dyn parser::Parser>),
    /// A protocol we do not know: the bytes as they came.
    Raw(Vec<u8>),
}

/// One connection's banner state.
pub struct Session {
    kind: Kind,
    port: u16,
    /// Bytes received so far (all of them, kept or not).
    received: usize,
    /// Whether we have sent a hello (so a quiet server is not probed twice).
    said_hello: bool,
    /// The hello was the HTTP request sent after the server stayed quiet ([`Session::quiet`]).
    probed_quiet: bool,
    /// The first byte the server sent.
    first_byte: Option<u8>,
    /// The try of `--identify`'s series this connection is, if it is one.
    step: Option<identify::Step>,
    /// The reply to our HTTP, TLS or a try's hello (or to none) was an AMQP broker's protocol
    /// header: `--identify` follows it with the AMQP try ([`identify::Step::Amqp`]).
    amqp_refusal: bool,
    done: bool,
}

/// What a connection that ended asks for next, on the same ports: a second connection
/// ([`Session::next_try`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NextTry {
    /// A TLS server refused the plaintext hello (TLS 1.3 only): a handshake through rustls.
    Rustls,
    /// `--identify`: the port named nothing so far: the next try of the series
    /// ([`identify::Step`]).
    Identify(identify::Step),
    /// The port's protocol asks for a second hello of its own (S7comm's second TSAP, after a
    /// refusal or silence), as [`parser::second_for`] names it.
    Second,
}

impl Session {
    /// A connection to `port` with nothing received and no parser chosen yet.
    fn fresh(port: u16, said_hello: bool) -> Self {
        Session {
            kind: Kind::Detect,
            port,
            received: 0,
            said_hello,
            probed_quiet: false,
            first_byte: None,
            step: None,
            amqp_refusal: false,
            done: false,
        }
    }

    /// A new connection to `ip`:`port`; the hello to send at once, if this port has one, is
    /// appended to `out`.
    pub fn start(ip: IpAddr, port: u16, cfg: &BannerConfig, out: &mut Vec<u8>) -> Self {
        let mut s = Session::fresh(port, false);
        if let Some(h) = cfg.hellos.get(&port) {
            out.extend_from_slice(h);
            s.said_hello = true;
        } else if let Some(p) = match (tls_legacy::Checks::of(cfg).any(), cfg.forced) {
            // As the original: with a TLS check every port gets the TLS hello; `--hello
            // http|ssl` forces that hello on every port.
            (true, _) | (false, Some(Forced::Ssl)) => Some(ClientFirst::Tls),
            (false, Some(Forced::Http)) => Some(ClientFirst::Http),
            (false, None) => client_first(port),
        } {
            s.kind = s.hello(p, ip, cfg, out);
            s.said_hello = true;
        }
        s
    }

    fn hello(&self, p: ClientFirst, ip: IpAddr, cfg: &BannerConfig, out: &mut Vec<u8>) -> Kind {
        match p {
            ClientFirst::Http => {
                cfg.http.write(ip, &cfg.user_agent, out);
                Kind::Http(http::Http::default())
            }
            ClientFirst::Tls => Kind::TlsLegacy(Box::new(tls_legacy::Legacy::start(
                None,
                tls_legacy::Checks::of(cfg),
                out,
            ))),
            ClientFirst::Other(start) => Kind::Other(start(ip, cfg, out)),
        }
    }

    /// The server has been quiet since the connection opened: servers that speak first have
    /// spoken by now, so send the generic probe (an HTTP request) if nothing was sent yet.
    /// Returns false when there is nothing more to try (the connection can end).
    pub fn quiet(&mut self, ip: IpAddr, cfg: &BannerConfig, out: &mut Vec<u8>) -> bool {
        if self.said_hello || self.received > 0 || self.done {
            return false;
        }
        self.said_hello = true;
        self.probed_quiet = true;
        self.kind = self.hello(ClientFirst::Http, ip, cfg, out);
        true
    }

    /// Whether the parser has all it wants (the connection can end).
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Bytes received so far.
    pub fn received(&self) -> usize {
        self.received
    }

    /// In-order bytes from the server `ip`; replies are appended to `out`.
    pub fn data(&mut self, _ip: IpAddr, data: &[u8], cfg: &BannerConfig, out: &mut Vec<u8>) {
        if self.done || data.is_empty() {
            return;
        }
        let cap = self.cap(cfg);
        let room = cap.saturating_sub(self.received);
        let data = &data[..data.len().min(room)];
        self.first_byte = self.first_byte.or(data.first().copied());
        self.received += data.len();
        if matches!(self.kind, Kind::Detect) || self.mismatch(data) {
            let no_hello_parser =
                matches!(self.kind, Kind::Detect | Kind::Http(_) | Kind::TlsLegacy(_));
            self.kind = self.detect_reply(data);
            self.amqp_refusal = no_hello_parser && amqp::is_header(data);
        }
        let done = match &mut self.kind {
            Kind::Detect => false,
            Kind::Http(p) => p.data(data, cfg),
            Kind::TlsLegacy(p) => p.data(data, out),
            Kind::Tls(p) => p.data(data, out),
            Kind::Ssh(p) => p.data(data),
            Kind::Lines(p) => p.data(data, out),
            Kind::StartTls(p) => p.1.data(data, out),
            Kind::Telnet(p) => p.data(data, out),
            Kind::Vnc(p) => p.data(data, out),
            Kind::Other(p) => p.data(data, cfg, out),
            Kind::Raw(v) => {
                v.extend_from_slice(data);
                false
            }
        };
        // A line protocol that got its TLS command accepted goes on with the handshake.
        let done = done && !self.start_tls(out);
        self.done = done || self.received >= cap;
    }

    /// Bytes this connection may take: the scan's banner budget, but at least a TLS server's
    /// whole first flight (its certificate chain) on a TLS connection.
    fn cap(&self, cfg: &BannerConfig) -> usize {
        match self.kind {
            Kind::TlsLegacy(_) | Kind::Tls(_) | Kind::StartTls(_) => cfg.max_bytes.max(TLS_BYTES),
            Kind::Other(ref p) if p.in_tls() => cfg.max_bytes.max(TLS_BYTES),
            _ => cfg.max_bytes,
        }
    }

    /// A TLS server refused our plaintext hello as a TLS 1.3-only server does: its certificate
    /// can only come from a second connection that shakes hands through rustls
    /// ([`Session::start_rustls`]).
    pub fn wants_rustls(&self) -> bool {
        matches!(&self.kind, Kind::TlsLegacy(p) if p.refused())
    }

    /// The second connection a protocol asked for ([`NextTry::Second`]): its second hello,
    /// appended to `out`.
    pub fn start_second(ip: IpAddr, port: u16, cfg: &BannerConfig, out: &mut Vec<u8>) -> Self {
        let mut s = Session::fresh(port, true);
        if let Some(start) = parser::second_for(port) {
            s.kind = s.hello(ClientFirst::Other(start), ip, cfg, out);
        }
        s
    }

    /// The second connection to a server that refused the plaintext hello: a TLS 1.3 (or 1.2)
    /// handshake through rustls, its ClientHello appended to `out`.
    pub fn start_rustls(ip: IpAddr, port: u16, cfg: &BannerConfig, out: &mut Vec<u8>) -> Self {
        let kind = match tls::Tls::start(ip, cfg, out) {
            Some(t) => Kind::Tls(Box::new(t)),
            None => Kind::Detect,
        };
        Session {
            kind,
            ..Session::fresh(port, true)
        }
    }

    /// Starts TLS after an accepted STARTTLS; false when there is nothing to upgrade.
    fn start_tls(&mut self, out: &mut Vec<u8>) -> bool {
        if !matches!(&self.kind, Kind::Lines(p) if p.tls_accepted()) {
            return false;
        }
        let tls = tls_legacy::Legacy::start(None, tls_legacy::Checks::default(), out);
        if let Kind::Lines(lines) = std::mem::replace(&mut self.kind, Kind::Detect) {
            self.kind = Kind::StartTls(Box::new((lines, tls)));
        }
        true
    }

    /// A client-first parser whose first reply is plainly another protocol (an SSH server on
    /// port 80) hands over to detection.
    fn mismatch(&self, data: &[u8]) -> bool {
        if self.received != data.len() {
            return false;
        }
        match &self.kind {
            Kind::Http(_) => !data.starts_with(b"HTTP/") && known_server_first(data),
            Kind::Other(_) => known_server_first(data),
            // Not a TLS record (an HTTP or SSH server on a TLS port): the reply says what it is.
            Kind::TlsLegacy(_) => data.first().is_some_and(|b| !(0x14..=0x18).contains(b)),
            _ => false,
        }
    }

    /// The connection is over (closed by either side, timed out or full): the banners found.
    pub fn finish(self, cfg: &BannerConfig, found: &mut Vec<Found>) {
        match self.kind {
            Kind::Detect => {}
            Kind::Http(p) => p.finish(cfg, found),
            Kind::TlsLegacy(p) => p.finish(cfg, found),
            Kind::Tls(p) => p.finish(cfg, found),
            Kind::Ssh(p) => p.finish(found),
            Kind::Lines(p) => p.finish(found),
            Kind::StartTls(p) => {
                let (lines, tls) = *p;
                lines.finish(found);
                tls.finish(cfg, found);
            }
            Kind::Telnet(p) => p.finish(found),
            Kind::Vnc(p) => p.finish(found),
            Kind::Other(p) => p.finish(cfg, found),
            Kind::Raw(v) => {
                if !v.is_empty() {
                    found.push(Found::new(app::HEUR, v));
                }
            }
        }
    }
}

/// Whether these first bytes are a server-first protocol's greeting we recognise.
fn known_server_first(d: &[u8]) -> bool {
    !matches!(detect(d, 0), Kind::Raw(_) | Kind::Http(_))
}

/// Chooses the parser from the server's first bytes (and the port, for FTP against SMTP).
fn detect(d: &[u8], port: u16) -> Kind {
    let starts = |p: &[u8]| d.len() >= p.len() && d[..p.len()].eq_ignore_ascii_case(p);
    if starts(b"SSH-") {
        Kind::Ssh(ssh::Ssh::default())
    } else if starts(b"HTTP/") {
        Kind::Http(http::Http::default())
    } else if starts(b"RFB ") {
        Kind::Vnc(vnc::Vnc::default())
    } else if starts(b"+OK") {
        Kind::Lines(lines::Lines::pop3())
    } else if starts(b"* OK") || starts(b"* PREAUTH") {
        Kind::Lines(lines::Lines::imap4())
    } else if mysql::is_greeting(d) {
        // Before telnet: a greeting 255 bytes long starts with 0xff too.
        Kind::Other(Box::<mysql::Mysql>::default())
    } else if redis::is_error(d) {
        // A redis server's answer to a hello it does not speak (the HTTP request of a quiet
        // port): its error line names it on any port.
        Kind::Other(Box::<redis::Redis>::default())
    } else if amqp::is_header(d) {
        // A broker's protocol header: its refusal of a hello it does not speak, on any port.
        Kind::Other(amqp::parser())
    } else if d.first() == Some(&telnet::IAC) {
        Kind::Telnet(telnet::Telnet::default())
    } else if d.len() >= 4 && d[..3].iter().all(u8::is_ascii_digit) && matches!(d[3], b' ' | b'-') {
        if is_smtp(d, port) {
            Kind::Lines(lines::Lines::smtp())
        } else {
            Kind::Lines(lines::Lines::ftp())
        }
    } else if port == 23 {
        Kind::Telnet(telnet::Telnet::default())
    } else {
        Kind::Raw(Vec::new())
    }
}

fn is_smtp(greeting: &[u8], port: u16) -> bool {
    match port {
        25 | 465 | 587 | 2525 => true,
        21 | 990 | 2121 => false,
        _ => {
            let g = String::from_utf8_lossy(greeting).to_ascii_uppercase();
            (g.contains("SMTP") || g.contains("MAIL")) && !g.contains("FTP")
        }
    }
}

/// The bytes up to the first `\n` (without `\r\n`), if a whole line is there.
fn first_line(buf: &[u8]) -> Option<&[u8]> {
    let end = buf.iter().position(|&c| c == b'\n')?;
    let line = &buf[..end];
    Some(line.strip_suffix(b"\r").unwrap_or(line))
}

#[cfg(test)]
mod tests;

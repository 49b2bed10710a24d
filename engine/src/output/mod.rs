//! Scan results and their file formats: the [`Record`] every writer takes, masscan's binary
//! `-oB` format (reader and writer, [`binary`]), and the text formats written byte for byte as
//! the original writes them ([`text`]: list, NDJSON, JSON, host-only, XML, grepable,
//! unicornscan, and console lines), with the port-name table they use ([`ServiceNames`]);
//! and what a scan is told to write ([`OutputSpec`]: a format to a file, redis, or nothing).

mod append;
pub mod binary;
mod oui;
pub mod redis;
pub mod text;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

/// A format written to a file (or stdout): one of the text formats, or masscan's binary one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    Text(text::TextFormat),
    Binary,
}

impl FileFormat {
    /// From an `--output-format` name (`binary`, or a text format's).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "binary" => Some(FileFormat::Binary),
            _ => text::TextFormat::from_name(name).map(FileFormat::Text),
        }
    }

    /// The `--output-format` name, as `--echo` writes it.
    pub fn name(self) -> &'static str {
        use text::TextFormat as T;
        match self {
            FileFormat::Binary => "binary",
            FileFormat::Text(t) => match t {
                T::List => "list",
                T::Ndjson => "ndjson",
                T::Json => "json",
                T::HostOnly => "hostonly",
                T::Xml => "xml",
                T::NmapXml => "nmapxml",
                T::Grepable => "grepable",
                T::Unicornscan => "unicornscan",
                T::Certs => "certs",
            },
        }
    }
}

/// One output of a scan, in the order given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutputSpec {
    /// `-oX FILE` and the like: a format to a file (`-` for stdout).
    File { format: FileFormat, file: String },
    /// `--redis IP[:PORT]`, with `--redis-pwd` (sent with AUTH).
    Redis {
        server: SocketAddr,
        password: Option<String>,
    },
    /// `--output-format none`: nothing is written, not even console lines.
    Nothing,
}

impl OutputSpec {
    /// The `--output-format` name.
    pub fn format_name(&self) -> &'static str {
        match self {
            OutputSpec::File { format, .. } => format.name(),
            OutputSpec::Redis { .. } => "redis",
            OutputSpec::Nothing => "none",
        }
    }

    /// The file written, for a file output.
    pub fn file(&self) -> Option<&str> {
        match self {
            OutputSpec::File { file, .. } => Some(file),
            _ => None,
        }
    }
}

/// Port names for grepable and unicornscan output, from the text of `/etc/services` (the
/// original asks the C library, which reads the same file); `unknown` when a port has none.
/// Grepable names a record of another protocol (ICMP, SCTP, ARP) by its IP protocol number,
/// from `/etc/protocols`, as the original does ([`ServiceNames::with_protocols`]).
#[derive(Clone, Debug, Default)]
pub struct ServiceNames {
    names: HashMap<(u16, &'static str), String>,
    protocols: HashMap<u8, String>,
}

impl ServiceNames {
    /// Parses `name port/proto aliases... # comment` lines; the first name of a port wins.
    pub fn parse(text: &str) -> Self {
        let mut names = HashMap::new();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("");
            let mut it = line.split_whitespace();
            let (Some(name), Some(pp)) = (it.next(), it.next()) else {
                continue;
            };
            let Some((port, proto)) = pp.split_once('/') else {
                continue;
            };
            let Ok(port) = port.parse::<u16>() else {
                continue;
            };
            let proto = match proto {
                "tcp" => "tcp",
                "udp" => "udp",
                "sctp" => "sctp",
                _ => continue,
            };
            names
                .entry((port, proto))
                .or_insert_with(|| name.to_string());
        }
        Self {
            names,
            protocols: HashMap::new(),
        }
    }

    /// Adds IP protocol names from the text of `/etc/protocols` (`name number aliases...`);
    /// the first name of a number wins.
    pub fn with_protocols(mut self, text: &str) -> Self {
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("");
            let mut it = line.split_whitespace();
            let (Some(name), Some(Ok(number))) = (it.next(), it.next().map(str::parse::<u8>))
            else {
                continue;
            };
            self.protocols
                .entry(number)
                .or_insert_with(|| name.to_string());
        }
        self
    }

    /// The name of IP protocol `number` (`icmp`, `sctp`; `ip` for 0, which ARP records carry),
    /// `unknown` when it has none.
    pub fn protocol(&self, number: u8) -> &str {
        self.protocols
            .get(&number)
            .map(String::as_str)
            .unwrap_or("unknown")
    }

    pub fn name(&self, port: u16, proto: &str) -> &str {
        let proto = match proto {
            "tcp" => "tcp",
            "udp" => "udp",
            "sctp" => "sctp",
            _ => return "unknown",
        };
        self.names
            .get(&(port, proto))
            .map(String::as_str)
            .unwrap_or("unknown")
    }
}

/// The ports a scan probes, per protocol, as inclusive ranges: what grepable output's `Ports
/// scanned` line and Nmap XML's `scaninfo` list. Empty for `--readscan` (the file does not say).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScannedPorts {
    pub tcp: Vec<(u16, u16)>,
    pub udp: Vec<(u16, u16)>,
    pub sctp: Vec<(u16, u16)>,
    /// Raw IP protocol numbers (`O:`), grepable's `PROTOCOLS`.
    pub protocols: Vec<(u16, u16)>,
}

impl ScannedPorts {
    pub fn new(ports: &crate::plan::ports::PortSet) -> Self {
        use crate::plan::ports::Proto;
        let mut me = Self::default();
        for (proto, first, last) in ports.ranges() {
            match proto {
                Proto::Tcp => me.tcp.push((first, last)),
                Proto::Udp => me.udp.push((first, last)),
                Proto::Sctp => me.sctp.push((first, last)),
                Proto::Other => me.protocols.push((first, last)),
                _ => {}
            }
        }
        me
    }

    /// How many ports `ranges` holds.
    pub fn count(ranges: &[(u16, u16)]) -> u32 {
        ranges.iter().map(|&(a, b)| u32::from(b - a) + 1).sum()
    }
}

/// A Unix time as UTC calendar fields: (year, month 1-12, day, hour, minute, second, weekday
/// 0 = Sunday).
pub fn utc(secs: u64) -> (i64, u32, u32, u32, u32, u32, u32) {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil-from-days (proleptic Gregorian), valid for any u64 second count we will meet.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    let wday = ((days + 4).rem_euclid(7)) as u32;
    (
        y,
        m,
        d,
        (rem / 3600) as u32,
        (rem / 60 % 60) as u32,
        (rem % 60) as u32,
        wday,
    )
}

/// `Mon Nov 23 01:12:13 2026`, as C's `ctime` in UTC.
pub fn ctime(secs: u64) -> String {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (y, m, d, h, mi, s, w) = utc(secs);
    format!(
        "{} {} {d:>2} {h:02}:{mi:02}:{s:02} {y}",
        DAYS[w as usize],
        MONTHS[m as usize - 1]
    )
}

/// `2026-11-23 01:13:12` in UTC.
pub fn timestr(secs: u64) -> String {
    let (y, m, d, h, mi, s, _) = utc(secs);
    format!("{y}-{m:02}-{d:02} {h:02}:{mi:02}:{s:02}")
}

/// What a status record says about a port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    Open,
    Closed,
    /// A host answered ARP.
    Arp,
}

/// A port's status: open, closed, or a host answering ARP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusRecord {
    pub time: u32,
    pub ip: IpAddr,
    /// IP protocol number (6 TCP, 17 UDP, 132 SCTP, 1 ICMP); 0 for ARP.
    pub ip_proto: u8,
    pub port: u16,
    pub status: Status,
    /// TCP flags of the reply (0x12 SYN-ACK, 0x14 RST-ACK).
    pub reason: u8,
    pub ttl: u8,
    /// The host's MAC, for ARP (and NDP) results; not kept in `-oB` files (the original's
    /// ARP records have no room for it).
    pub mac: Option<[u8; 6]>,
}

/// What a service said: one banner of one port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BannerRecord {
    pub time: u32,
    pub ip: IpAddr,
    pub ip_proto: u8,
    pub port: u16,
    /// masscan's `app_proto` number (see [`app_name`]).
    pub app_proto: u16,
    pub ttl: u8,
    pub banner: Vec<u8>,
}

/// One result, as stored in `-oB` files and written by every format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    Status(StatusRecord),
    Banner(BannerRecord),
}

impl Record {
    pub fn ip(&self) -> IpAddr {
        match self {
            Record::Status(s) => s.ip,
            Record::Banner(b) => b.ip,
        }
    }

    /// When it was found (Unix seconds).
    pub fn time(&self) -> u32 {
        match self {
            Record::Status(s) => s.time,
            Record::Banner(b) => b.time,
        }
    }

    /// The TTL (hop limit) of the reply.
    pub fn ttl(&self) -> u8 {
        match self {
            Record::Status(s) => s.ttl,
            Record::Banner(b) => b.ttl,
        }
    }
}

/// The `app_proto` numbers' own names, by number (fixed numbers: 0-36 are the original's
/// `enum ApplicationProtocol`, 37 on are ours). `none` and `heur` are the names `--banner-types`
/// knows them by; outputs write both as `unknown`, as the original does ([`app_name`]).
const APP_NAMES: [&str; 64] = [
    "none",
    "heur",
    "ssh",
    "ssh",
    "http",
    "ftp",
    "dns-ver",
    "snmp",
    "nbtstat",
    "ssl",
    "smb",
    "smtp",
    "pop",
    "imap",
    "zeroaccess",
    "X509",
    "X509CA",
    "title",
    "html",
    "ntp",
    "vuln",
    "heartbleed",
    "ticketbleed",
    "vnc",
    "safe",
    "memcached",
    "scripting",
    "versioning",
    "coap",
    "telnet",
    "rdp",
    "http.server",
    "minecraft",
    "vnc",
    "vnc-info",
    "isakmp",
    "error",
    "ssdp",
    // Ours from here (the original reports these hellos' replies unparsed).
    "x11",
    "javarmi",
    "kerberos",
    "mongodb",
    "dicom",
    "ldap",
    "sip",
    "rtsp",
    "rpc",
    "docker",
    "redis",
    "notes-rpc",
    "ms-sql",
    "afp",
    "mysql",
    "postgres",
    "mqtt",
    "amqp",
    "modbus",
    "enip",
    "fox",
    "s7",
    "bacnet",
    "dnp3",
    "http.location",
    // A host marked by its canary ports (`crate::canary`), not a service.
    "canary",
];

/// The name every output writes for an `app_proto` number, as the original's
/// `masscan_app_to_string`: `unknown` for 0 and 1, `(N)` for a number past the table.
pub fn app_name(app: u16) -> std::borrow::Cow<'static, str> {
    match APP_NAMES.get(usize::from(app)) {
        Some(_) if app < 2 => "unknown".into(),
        Some(name) => (*name).into(),
        None => format!("({app})").into(),
    }
}

/// The `app_proto` numbers a `--banner-types` name means, as the original reads them: `ssh1`,
/// `ssh2` (and `ssh`), `x509`, `vnc-old`, and otherwise every number whose name it is (any
/// case; `heur` is 1).
pub fn app_numbers(name: &str) -> Vec<u16> {
    let name = name.trim().to_ascii_lowercase();
    match name.as_str() {
        "ssh1" => vec![2],
        "ssh2" | "ssh" => vec![3],
        "x509" => vec![15],
        "vnc-old" => vec![23],
        _ => (1..)
            .zip(APP_NAMES.iter().skip(1))
            .filter(|(_, n)| n.eq_ignore_ascii_case(&name))
            .map(|(n, _)| n)
            .collect(),
    }
}

/// Name of an IP protocol in output lines.
pub fn proto_name(ip_proto: u8, status: Option<Status>) -> &'static str {
    match (ip_proto, status) {
        (_, Some(Status::Arp)) => "arp",
        (1, _) => "icmp",
        (6, _) => "tcp",
        (17, _) => "udp",
        (132, _) => "sctp",
        _ => "err",
    }
}

/// masscan's reason string for TCP flags: `syn-ack`, `rst-ack`, `none`.
pub fn reason_string(flags: u8) -> String {
    const NAMES: [&str; 8] = ["fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr"];
    let parts: Vec<&str> = (0..8)
        .filter(|b| flags & (1 << b) != 0)
        .map(|b| NAMES[b])
        .collect();
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join("-")
    }
}

/// Whether masscan writes a banner byte as itself (else as an escape): printable ASCII but
/// none of `< > & \ " '`.
#[inline]
pub fn is_plain(c: u8) -> bool {
    (0x20..0x7f).contains(&c) && !b"<>&\\\"'".contains(&c)
}

/// Appends a banner with masscan's escaping: `\xNN` (list, console) or `\u00NN` (JSON).
pub fn push_escaped(out: &mut Vec<u8>, banner: &[u8], json: bool) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for &c in banner {
        if is_plain(c) {
            out.push(c);
        } else {
            out.extend_from_slice(if json { b"\\u00" } else { b"\\x" });
            out.push(HEX[(c >> 4) as usize]);
            out.push(HEX[(c & 15) as usize]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_format_names_round_trip() {
        for name in [
            "list",
            "ndjson",
            "json",
            "hostonly",
            "xml",
            "nmapxml",
            "grepable",
            "unicornscan",
            "certs",
            "binary",
        ] {
            let f = FileFormat::from_name(name).unwrap();
            assert_eq!(f.name(), name);
        }
        assert_eq!(FileFormat::from_name("cert").unwrap().name(), "certs");
        for other in ["redis", "none", "interactive", "XML"] {
            assert_eq!(FileFormat::from_name(other), None, "{other}");
        }
    }

    #[test]
    fn dates() {
        assert_eq!(ctime(1795396333), "Mon Nov 23 01:12:13 2026");
        assert_eq!(timestr(1795396392), "2026-11-23 01:13:12");
        assert_eq!(ctime(0), "Thu Jan  1 00:00:00 1970");
        assert_eq!(timestr(951_782_400), "2000-02-29 00:00:00");
    }

    #[test]
    fn services() {
        let s =
            ServiceNames::parse("ftp\t\t21/tcp\nssh 22/tcp # x\nfsp 21/udp\nftp-alias 21/tcp\n");
        assert_eq!(s.name(21, "tcp"), "ftp");
        assert_eq!(s.name(21, "udp"), "fsp");
        assert_eq!(s.name(11211, "tcp"), "unknown");
        let s =
            s.with_protocols("ip\t0\tIP\t\t# internet protocol\nicmp 1 ICMP\nsctp\t132\tSCTP\n");
        assert_eq!(s.protocol(0), "ip");
        assert_eq!(s.protocol(1), "icmp");
        assert_eq!(s.protocol(132), "sctp");
        assert_eq!(s.protocol(47), "unknown");
    }

    #[test]
    fn names_and_escapes() {
        assert_eq!(app_name(31), "http.server");
        assert_eq!(app_name(3), "ssh");
        assert_eq!(app_name(0), "unknown");
        assert_eq!(app_name(1), "unknown");
        assert_eq!(app_name(36), "error");
        assert_eq!(app_name(51), "afp");
        assert_eq!(app_name(52), "mysql");
        assert_eq!(app_name(53), "postgres");
        assert_eq!(app_name(54), "mqtt");
        assert_eq!(app_name(55), "amqp");
        assert_eq!(app_name(56), "modbus");
        assert_eq!(app_name(60), "bacnet");
        assert_eq!(app_name(61), "dnp3");
        assert_eq!(app_name(62), "http.location");
        assert_eq!(app_name(crate::canary::APP_PROTO), "canary");
        assert_eq!(app_name(57), "enip");
        assert_eq!(app_name(59), "s7");
        assert_eq!(app_name(999), "(999)");
        assert_eq!(app_numbers("heur"), [1]);
        assert_eq!(app_numbers("vnc"), [23, 33]);
        assert_eq!(app_numbers("vnc-old"), [23]);
        assert_eq!(app_numbers("X509CA"), [16]);
        assert!(app_numbers("none").is_empty() && app_numbers("unknown").is_empty());
        assert_eq!(reason_string(0x12), "syn-ack");
        assert_eq!(reason_string(0x14), "rst-ack");
        assert_eq!(reason_string(0), "none");
        let mut v = Vec::new();
        push_escaped(&mut v, b"a\n\"<\xff", false);
        assert_eq!(v, b"a\\x0a\\x22\\x3c\\xff");
        v.clear();
        push_escaped(&mut v, b"a\n", true);
        assert_eq!(v, b"a\\u000a");
    }
}

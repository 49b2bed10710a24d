//! The text formats, byte for byte as the original writes them: list (`-oL`), NDJSON (`-oD`),
//! JSON (`-oJ`, an array that always ends with `]`), host-only (`-oH`), XML (`-oX`, Nmap style,
//! ending with `</nmaprun>`), grepable (`-oG`) and unicornscan (`-oU`); plus one format the
//! original lacks, `nmapxml`: the same results as Nmap XML that validates against Nmap's DTD
//! (`scanner="nmap"`, a `status` per host, banners as `script` elements). Each writer has a
//! beginning, one call per record, and an end, so a file closed early is still valid. Only the
//! header and footer lines carry the writer's own times (scan start, now).

use super::{
    app_name, ctime, proto_name, push_escaped, reason_string, timestr, Record, ScannedPorts,
    ServiceNames, Status,
};
use super::{BannerRecord, StatusRecord};
use std::io::Write as _;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextFormat {
    List,
    Ndjson,
    Json,
    HostOnly,
    Xml,
    /// Nmap XML valid against Nmap's DTD (not in the original).
    NmapXml,
    Grepable,
    Unicornscan,
    /// `certs`: each TLS certificate banner (X509, X509CA) as a PEM block, nothing else.
    Certs,
}

impl TextFormat {
    /// From an `--output-format` name; `None` for formats not written by this module.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "list" => TextFormat::List,
            "ndjson" => TextFormat::Ndjson,
            "json" => TextFormat::Json,
            "hostonly" => TextFormat::HostOnly,
            "xml" => TextFormat::Xml,
            "nmapxml" => TextFormat::NmapXml,
            "grepable" => TextFormat::Grepable,
            "unicornscan" => TextFormat::Unicornscan,
            "certs" | "cert" => TextFormat::Certs,
            _ => return None,
        })
    }
}

/// A text writer's state between records.
pub struct TextWriter {
    format: TextFormat,
    records: u64,
    /// Status records written (Nmap XML's `hosts up`).
    statuses: u64,
    /// Open and closed TCP ports written: what the original's XML counts as `hosts up` and
    /// `down`.
    tcp_open: u64,
    tcp_closed: u64,
    services: ServiceNames,
    ports: ScannedPorts,
    start: u64,
    /// When the file was opened: XML's `start`, and what its `elapsed` counts from.
    opened: u64,
    finish: u64,
    /// `--stylesheet` (`--webxml`): the XSL the XML output names.
    stylesheet: Option<String>,
}

/// One record as an Nmap `host` element: a status line for the host, then the port (with its
/// state, and for a banner a `service` named by the banner's kind and a `script` holding it).
/// ARP and ICMP results have no port: the host is reported up.
fn nmap_xml_record(out: &mut Vec<u8>, r: &Record) {
    let (time, ip, ttl) = (r.time(), r.ip(), r.ttl());
    let reason = match r {
        Record::Status(StatusRecord {
            status: Status::Arp,
            ..
        }) => "arp-response".to_string(),
        Record::Status(StatusRecord { ip_proto: 1, .. }) => "echo-reply".to_string(),
        Record::Status(StatusRecord {
            status: Status::Closed,
            ..
        }) => "reset".to_string(),
        Record::Status(StatusRecord { reason, .. }) => reason_string(*reason),
        Record::Banner(_) => "syn-ack".to_string(),
    };
    let _ = write!(
        out,
        "<host starttime=\"{time}\" endtime=\"{time}\"><status state=\"up\" reason=\"{reason}\" reason_ttl=\"{ttl}\"/><address addr=\"{ip}\" addrtype=\"{}\"/>",
        addrtype(&ip)
    );
    match r {
        Record::Status(StatusRecord {
            ip_proto,
            port,
            status,
            reason,
            ..
        }) if *status != Status::Arp && matches!(ip_proto, 6 | 17 | 132) => {
            let _ = write!(
                out,
                "<ports><port protocol=\"{}\" portid=\"{port}\"><state state=\"{}\" reason=\"{}\" reason_ttl=\"{ttl}\"/></port></ports>",
                proto_name(*ip_proto, None),
                status_word(*status),
                reason_string(*reason)
            );
        }
        Record::Banner(BannerRecord {
            ip_proto,
            port,
            app_proto,
            banner,
            ..
        }) if matches!(ip_proto, 6 | 17 | 132) => {
            let name = app_name(*app_proto);
            let _ = write!(
                out,
                "<ports><port protocol=\"{}\" portid=\"{port}\"><state state=\"open\" reason=\"response\" reason_ttl=\"{ttl}\"/><service name=\"{name}\" method=\"probed\" conf=\"10\"/><script id=\"{name}\" output=\"",
                proto_name(*ip_proto, None),
            );
            push_escaped(out, banner, false);
            out.extend_from_slice(b"\"/></port></ports>");
        }
        _ => {}
    }
    out.extend_from_slice(b"</host>\r\n");
}

/// Grepable's `COUNT;RANGES`, each range as `first-last` as the original prints it (`80-80`).
fn grepable_port_list(ranges: &[(u16, u16)]) -> String {
    let list: Vec<String> = ranges.iter().map(|(a, b)| format!("{a}-{b}")).collect();
    format!("{};{}", ScannedPorts::count(ranges), list.join(","))
}

/// Nmap's `services` attribute: `22,80,8000-8100`.
fn nmap_port_list(ranges: &[(u16, u16)]) -> String {
    let list: Vec<String> = ranges
        .iter()
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect();
    list.join(",")
}

fn addrtype(ip: &std::net::IpAddr) -> &'static str {
    if ip.is_ipv4() {
        "ipv4"
    } else {
        "ipv6"
    }
}

/// The original's `status_string`: a host that answered ARP is `up`.
fn status_word(s: Status) -> &'static str {
    match s {
        Status::Open => "open",
        Status::Closed => "closed",
        Status::Arp => "up",
    }
}

impl TextWriter {
    pub fn new(format: TextFormat) -> Self {
        Self {
            format,
            records: 0,
            statuses: 0,
            tcp_open: 0,
            tcp_closed: 0,
            services: ServiceNames::default(),
            ports: ScannedPorts::default(),
            start: 0,
            opened: 0,
            finish: 0,
            stylesheet: None,
        }
    }

    pub fn format(&self) -> TextFormat {
        self.format
    }

    /// Port names for grepable and unicornscan output.
    pub fn with_services(mut self, services: ServiceNames) -> Self {
        self.services = services;
        self
    }

    /// The scan's ports (grepable `Ports scanned`, Nmap XML `scaninfo`).
    pub fn with_ports(mut self, ports: ScannedPorts) -> Self {
        self.ports = ports;
        self
    }

    /// The XSL stylesheet an XML file names (`--stylesheet URL`, `--webxml`).
    pub fn with_stylesheet(mut self, stylesheet: Option<String>) -> Self {
        self.stylesheet = stylesheet;
        self
    }

    /// The scan's start time (XML `start`, grepable `scan initiated`).
    pub fn with_start(mut self, start: u64) -> Self {
        self.start = start;
        self
    }

    /// When the file was opened (XML `start`, and its `elapsed` is counted from it, as the
    /// original's are: for `--readscan` that is the conversion, not the scan).
    pub fn with_opened(mut self, opened: u64) -> Self {
        self.opened = opened;
        self
    }

    /// The time written by [`Self::end`] (XML `finished`, grepable `done at`).
    pub fn set_finish(&mut self, finish: u64) {
        self.finish = finish;
    }

    /// What opens the file.
    pub fn begin(&mut self, out: &mut Vec<u8>) {
        match self.format {
            TextFormat::List | TextFormat::Unicornscan => out.extend_from_slice(b"#masscan\n"),
            TextFormat::Json => out.extend_from_slice(b"[\n"),
            TextFormat::Xml => {
                out.extend_from_slice(b"<?xml version=\"1.0\"?>\r\n<!-- masscan v1.0 scan -->\r\n");
                if let Some(xsl) = self.stylesheet.as_deref().filter(|x| !x.is_empty()) {
                    let _ = write!(
                        out,
                        "<?xml-stylesheet href=\"{xsl}\" type=\"text/xsl\"?>\r\n"
                    );
                }
                let _ = write!(
                    out,
                    "<nmaprun scanner=\"masscan\" start=\"{}\" version=\"1.0-BETA\"  xmloutputversion=\"1.03\">\r\n<scaninfo type=\"syn\" protocol=\"tcp\" />\r\n",
                    self.opened
                );
            }
            TextFormat::NmapXml => {
                let _ = write!(
                    out,
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<!DOCTYPE nmaprun>\r\n<!-- masscan-rs {} scan, Nmap XML -->\r\n<nmaprun scanner=\"nmap\" args=\"masscan\" start=\"{}\" startstr=\"{}\" version=\"masscan-rs {}\" xmloutputversion=\"1.05\">\r\n",
                    env!("CARGO_PKG_VERSION"),
                    self.start,
                    ctime(self.start),
                    env!("CARGO_PKG_VERSION"),
                );
                // One scaninfo per protocol scanned; Nmap's DTD wants at least one, so a scan
                // of no TCP/UDP/SCTP ports (or a --readscan) says TCP with no services.
                let p = &self.ports;
                let mut infos: Vec<_> = [
                    ("syn", "tcp", &p.tcp),
                    ("udp", "udp", &p.udp),
                    ("sctpinit", "sctp", &p.sctp),
                    ("ipproto", "ip", &p.protocols),
                ]
                .into_iter()
                .filter(|(_, _, ranges)| !ranges.is_empty())
                .collect();
                if infos.is_empty() {
                    infos.push(("syn", "tcp", &p.tcp));
                }
                for (kind, proto, ranges) in infos {
                    let _ = write!(
                        out,
                        "<scaninfo type=\"{kind}\" protocol=\"{proto}\" numservices=\"{}\" services=\"{}\"/>\r\n",
                        ScannedPorts::count(ranges),
                        nmap_port_list(ranges)
                    );
                }
                out.extend_from_slice(b"<verbose level=\"0\"/>\r\n<debugging level=\"0\"/>\r\n");
            }
            TextFormat::Grepable => {
                let _ = write!(
                    out,
                    "# Masscan {}-rs scan initiated {}\n# Ports scanned: TCP({}) UDP({}) SCTP({}) PROTOCOLS({})\n",
                    env!("CARGO_PKG_VERSION"),
                    ctime(self.start),
                    grepable_port_list(&self.ports.tcp),
                    grepable_port_list(&self.ports.udp),
                    grepable_port_list(&self.ports.sctp),
                    grepable_port_list(&self.ports.protocols),
                );
            }
            TextFormat::Ndjson | TextFormat::HostOnly | TextFormat::Certs => {}
        }
    }

    /// What closes the file (a valid document even after an interrupted scan).
    pub fn end(&mut self, out: &mut Vec<u8>) {
        match self.format {
            TextFormat::List | TextFormat::Unicornscan => out.extend_from_slice(b"# end\n"),
            TextFormat::Json => out.extend_from_slice(b"]\n"),
            TextFormat::Xml => {
                let _ = write!(
                    out,
                    "<runstats>\r\n<finished time=\"{}\" timestr=\"{}\" elapsed=\"{}\" />\r\n<hosts up=\"{}\" down=\"{}\" total=\"{}\" />\r\n</runstats>\r\n</nmaprun>\r\n",
                    self.finish,
                    timestr(self.finish),
                    self.finish.saturating_sub(self.opened),
                    self.tcp_open,
                    self.tcp_closed,
                    self.tcp_open + self.tcp_closed
                );
            }
            TextFormat::NmapXml => {
                let _ = write!(
                    out,
                    "<runstats>\r\n<finished time=\"{}\" timestr=\"{}\" elapsed=\"{}\" exit=\"success\"/>\r\n<hosts up=\"{}\" down=\"0\" total=\"{}\"/>\r\n</runstats>\r\n</nmaprun>\r\n",
                    self.finish,
                    ctime(self.finish),
                    self.finish.saturating_sub(self.start),
                    self.statuses,
                    self.statuses
                );
            }
            TextFormat::Grepable => {
                let _ = writeln!(out, "# Masscan done at {}", ctime(self.finish));
            }
            TextFormat::Ndjson | TextFormat::HostOnly | TextFormat::Certs => {}
        }
    }

    pub fn record(&mut self, out: &mut Vec<u8>, r: &Record) {
        let first = self.records == 0;
        self.records += 1;
        if let Record::Status(s) = r {
            self.statuses += 1;
            match (s.ip_proto, s.status) {
                (6, Status::Open) => self.tcp_open += 1,
                (6, Status::Closed) => self.tcp_closed += 1,
                _ => {}
            }
        }
        match (self.format, r) {
            (TextFormat::NmapXml, r) => nmap_xml_record(out, r),
            (TextFormat::Certs, r) => pem_record(out, r),
            (TextFormat::HostOnly, r) => {
                let _ = writeln!(out, "{}", r.ip());
            }
            (_, Record::Status(s)) => self.status_record(out, s, first),
            (_, Record::Banner(b)) => self.banner_record(out, b, first),
        }
    }

    /// A status record in this writer's format (not Nmap XML, not host-only).
    fn status_record(&self, out: &mut Vec<u8>, s: &StatusRecord, first: bool) {
        let StatusRecord {
            time,
            ip,
            ip_proto,
            port,
            status,
            reason,
            ttl,
            ..
        } = s;
        let proto = proto_name(*ip_proto, Some(*status));
        let state = status_word(*status);
        match self.format {
            TextFormat::Xml => {
                let _ = write!(
                    out,
                    "<host endtime=\"{time}\"><address addr=\"{ip}\" addrtype=\"{}\"/><ports><port protocol=\"{proto}\" portid=\"{port}\"><state state=\"{state}\" reason=\"{}\" reason_ttl=\"{ttl}\"/></port></ports></host>\r\n",
                    addrtype(ip),
                    reason_string(*reason)
                );
            }
            TextFormat::Grepable => {
                // Ports by their service name; other protocols by the protocol's name.
                let service = match ip_proto {
                    6 | 17 => self.services.name(*port, proto),
                    _ => self.services.protocol(*ip_proto),
                };
                let _ = writeln!(
                    out,
                    "Timestamp: {time}\tHost: {ip} ()\tPorts: {port}/{state}/{proto}//{service}//"
                );
            }
            // unicornscan's own line is for TCP; the rest as grepable's port field.
            TextFormat::Unicornscan if *ip_proto == 6 => {
                let _ = writeln!(
                    out,
                    "TCP {state}\t{:>16}[{port:>5}]\t\tfrom {ip}  ttl {ttl:<3}",
                    self.services.name(*port, proto)
                );
            }
            TextFormat::Unicornscan => {
                let _ = writeln!(out, "Host: {ip} ()\tPorts: {port}/{state}/{proto}////");
            }
            TextFormat::List => {
                let _ = writeln!(out, "{state} {proto} {port} {ip} {time}");
            }
            TextFormat::Ndjson => {
                let _ = writeln!(
                    out,
                    "{{\"ip\":\"{ip}\",\"timestamp\":\"{time}\",\"port\":{port},\"proto\":\"{proto}\",\"rec_type\":\"status\",\"data\":{{\"status\":\"{state}\",\"reason\":\"{}\",\"ttl\":{ttl}}}}}",
                    reason_string(*reason)
                );
            }
            TextFormat::Json => {
                if !first {
                    out.extend_from_slice(b",\n");
                }
                let _ = writeln!(
                    out,
                    "{{   \"ip\": \"{ip}\",   \"timestamp\": \"{time}\", \"ports\": [ {{\"port\": {port}, \"proto\": \"{proto}\", \"status\": \"{state}\", \"reason\": \"{}\", \"ttl\": {ttl}}} ] }}",
                    reason_string(*reason)
                );
            }
            TextFormat::NmapXml | TextFormat::HostOnly | TextFormat::Certs => {}
        }
    }

    /// A banner record in this writer's format (not Nmap XML, not host-only).
    fn banner_record(&self, out: &mut Vec<u8>, b: &BannerRecord, first: bool) {
        let BannerRecord {
            time,
            ip,
            ip_proto,
            port,
            app_proto,
            ttl,
            banner,
        } = b;
        let proto = proto_name(*ip_proto, None);
        let name = app_name(*app_proto);
        match self.format {
            TextFormat::Xml => {
                let _ = write!(
                    out,
                    "<host endtime=\"{time}\"><address addr=\"{ip}\" addrtype=\"{}\"/><ports><port protocol=\"{proto}\" portid=\"{port}\"><state state=\"open\" reason=\"response\" reason_ttl=\"{ttl}\" /><service name=\"{name}\" banner=\"",
                    addrtype(ip)
                );
                push_escaped(out, banner, false);
                out.extend_from_slice(b"\"></service></port></ports></host>\r\n");
            }
            TextFormat::Grepable => {
                let _ = write!(
                    out,
                    "Host: {ip} ()\tPort: {port}\tService: {name}\tBanner: "
                );
                push_escaped(out, banner, false);
                out.push(b'\n');
            }
            // unicornscan has no banner lines.
            TextFormat::Unicornscan => {}
            TextFormat::List => {
                let _ = write!(out, "banner {proto} {port} {ip} {time} {name} ");
                push_escaped(out, banner, false);
                out.push(b'\n');
            }
            TextFormat::Ndjson => {
                let _ = write!(
                    out,
                    "{{\"ip\":\"{ip}\",\"timestamp\":\"{time}\",\"port\":{port},\"proto\":\"{proto}\",\"rec_type\":\"banner\",\"data\":{{\"service_name\":\"{name}\",\"banner\":\""
                );
                push_escaped(out, banner, true);
                out.extend_from_slice(b"\"}}\n");
            }
            TextFormat::Json => {
                if !first {
                    out.extend_from_slice(b",\n");
                }
                let _ = write!(
                    out,
                    "{{   \"ip\": \"{ip}\",   \"timestamp\": \"{time}\", \"ports\": [ {{\"port\": {port}, \"proto\": \"{proto}\", \"service\": {{\"name\": \"{name}\", \"banner\": \""
                );
                push_escaped(out, banner, true);
                out.extend_from_slice(b"\"} } ] }\n");
            }
            TextFormat::NmapXml | TextFormat::HostOnly | TextFormat::Certs => {}
        }
    }
}

/// Writes records in a format from beginning to end.
pub fn render(w: TextWriter, records: &[Record]) -> Vec<u8> {
    let mut w = w;
    let mut out = Vec::new();
    w.begin(&mut out);
    for r in records {
        w.record(&mut out, r);
    }
    w.end(&mut out);
    out
}

/// A console line (stdout when no output file is given), as the original writes it:
/// `Discovered open port 80/tcp on 198.18.0.10` and
/// `Banner on port 80/tcp on 198.18.0.10: [title] masscan anchor lab`, each padded with spaces
/// to 79 columns (so it overwrites the status line).
pub fn console_line(out: &mut Vec<u8>, r: &Record) {
    match r {
        Record::Status(StatusRecord {
            ip,
            ip_proto,
            port,
            status,
            mac,
            ..
        }) => {
            let line = match (status, mac) {
                (Status::Arp, Some(m)) => format!(
                    "Discovered up port 0/arp on {ip} ({:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}) {}",
                    m[0],
                    m[1],
                    m[2],
                    m[3],
                    m[4],
                    m[5],
                    super::oui::vendor(m)
                ),
                (Status::Arp, None) => format!("Discovered up port 0/arp on {ip}"),
                (s, _) => format!(
                    "Discovered {} port {port}/{} on {ip}",
                    status_word(*s),
                    proto_name(*ip_proto, Some(*s))
                ),
            };
            let _ = writeln!(out, "{line:<79}");
        }
        Record::Banner(BannerRecord {
            ip,
            ip_proto,
            port,
            app_proto,
            banner,
            ..
        }) => {
            let start = out.len();
            let _ = write!(
                out,
                "Banner on port {port}/{} on {ip}: [{}] ",
                proto_name(*ip_proto, None),
                app_name(*app_proto)
            );
            push_escaped(out, banner, false);
            let width = out.len() - start;
            out.resize(out.len() + 79usize.saturating_sub(width), b' ');
            out.push(b'\n');
        }
    }
}

pub use super::append::{append_point, AppendPoint};

impl TextWriter {
    /// Continues after an existing file's records instead of writing an opening.
    pub fn continue_after(&mut self, at: &AppendPoint) {
        self.records = at.records;
        self.statuses = at.statuses;
        self.tcp_open = at.tcp_open;
        self.tcp_closed = at.tcp_closed;
    }
}

/// `certs`: an X509 or X509CA banner (a certificate in base64, as the TLS parser reports it)
/// as a PEM block with 64-character lines; other records write nothing.
fn pem_record(out: &mut Vec<u8>, r: &Record) {
    let Record::Banner(b) = r else { return };
    if !matches!(b.app_proto, 15 | 16) {
        return;
    }
    let body: Vec<u8> = b
        .banner
        .iter()
        .copied()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'='))
        .collect();
    if body.is_empty() {
        return;
    }
    out.extend_from_slice(b"-----BEGIN CERTIFICATE-----\n");
    for line in body.chunks(64) {
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    out.extend_from_slice(b"-----END CERTIFICATE-----\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Status;

    fn recs(n: u8) -> Vec<Record> {
        (0..n)
            .map(|i| {
                Record::Status(StatusRecord {
                    mac: None,
                    time: i as u32,
                    ip: std::net::IpAddr::from([198, 18, 0, i]),
                    ip_proto: 6,
                    port: 80,
                    status: Status::Open,
                    reason: 0x12,
                    ttl: 64,
                })
            })
            .collect()
    }

    /// SCTP, ICMP and ARP lines as the original's out-*.c write them (the lab compares SCTP with
    /// the original live; ICMP and ARP also have the original's own files as fixtures).
    #[test]
    fn other_protocols_as_the_original_names_them() {
        let services = ServiceNames::parse("discard 9/tcp\ndiscard 9/sctp\n")
            .with_protocols("ip 0 IP\nicmp 1 ICMP\nsctp 132 SCTP\n");
        let rec = |ip_proto, port, status| {
            Record::Status(StatusRecord {
                mac: None,
                time: 7,
                ip: std::net::IpAddr::from([198, 18, 0, 4]),
                ip_proto,
                port,
                status,
                reason: 0,
                ttl: 5,
            })
        };
        let recs = [
            rec(132, 9, Status::Open),
            rec(1, 0, Status::Open),
            rec(0, 0, Status::Arp),
            rec(6, 9, Status::Closed),
        ];
        let text = |f| {
            let mut w = TextWriter::new(f).with_services(services.clone());
            let mut out = Vec::new();
            for r in &recs {
                w.record(&mut out, r);
            }
            String::from_utf8(out).unwrap()
        };
        assert_eq!(
            text(TextFormat::Grepable),
            "Timestamp: 7\tHost: 198.18.0.4 ()\tPorts: 9/open/sctp//sctp//\n\
             Timestamp: 7\tHost: 198.18.0.4 ()\tPorts: 0/open/icmp//icmp//\n\
             Timestamp: 7\tHost: 198.18.0.4 ()\tPorts: 0/up/arp//ip//\n\
             Timestamp: 7\tHost: 198.18.0.4 ()\tPorts: 9/closed/tcp//discard//\n"
        );
        assert_eq!(
            text(TextFormat::Unicornscan),
            "Host: 198.18.0.4 ()\tPorts: 9/open/sctp////\n\
             Host: 198.18.0.4 ()\tPorts: 0/open/icmp////\n\
             Host: 198.18.0.4 ()\tPorts: 0/up/arp////\n\
             TCP closed\t         discard[    9]\t\tfrom 198.18.0.4  ttl 5  \n"
        );
        assert!(text(TextFormat::List).starts_with("open sctp 9 198.18.0.4 7\n"));
    }

    #[test]
    fn headers_list_the_scanned_ports() {
        let mut b = crate::plan::ports::PortSetBuilder::new();
        b.add_spec("443,80,1000-1010,U:53,U:161,S:38412,I:0,O:1,O:47-50")
            .unwrap();
        let ports = ScannedPorts::new(&b.build());
        assert_eq!(ports.tcp, [(80, 80), (443, 443), (1000, 1010)]);
        assert_eq!(ports.udp, [(53, 53), (161, 161)]);
        assert_eq!(ports.sctp, [(38412, 38412)]);
        let header = |format, ports: &ScannedPorts| {
            let mut w = TextWriter::new(format).with_ports(ports.clone());
            let mut out = Vec::new();
            w.begin(&mut out);
            String::from_utf8(out).unwrap()
        };
        assert!(header(TextFormat::Grepable, &ports).contains(
            "# Ports scanned: TCP(13;80-80,443-443,1000-1010) UDP(2;53-53,161-161) SCTP(1;38412-38412) PROTOCOLS(5;1-1,47-50)\n"
        ));
        let xml = header(TextFormat::NmapXml, &ports);
        for line in [
            "<scaninfo type=\"syn\" protocol=\"tcp\" numservices=\"13\" services=\"80,443,1000-1010\"/>",
            "<scaninfo type=\"udp\" protocol=\"udp\" numservices=\"2\" services=\"53,161\"/>",
            "<scaninfo type=\"sctpinit\" protocol=\"sctp\" numservices=\"1\" services=\"38412\"/>",
            "<scaninfo type=\"ipproto\" protocol=\"ip\" numservices=\"5\" services=\"1,47-50\"/>",
        ] {
            assert!(xml.contains(line), "{xml}");
        }
        // --readscan does not know the ports: the original's empty forms.
        let none = ScannedPorts::default();
        assert!(
            header(TextFormat::Grepable, &none).contains("TCP(0;) UDP(0;) SCTP(0;) PROTOCOLS(0;)")
        );
        assert!(header(TextFormat::NmapXml, &none)
            .contains("<scaninfo type=\"syn\" protocol=\"tcp\" numservices=\"0\" services=\"\"/>"));
        // The original's -oX names no ports at all.
        assert!(
            header(TextFormat::Xml, &ports).contains("<scaninfo type=\"syn\" protocol=\"tcp\" />")
        );
    }

    #[test]
    fn appending_gives_the_same_document_as_writing_once() {
        for format in [
            TextFormat::List,
            TextFormat::Ndjson,
            TextFormat::Json,
            TextFormat::HostOnly,
            TextFormat::Xml,
            TextFormat::NmapXml,
            TextFormat::Grepable,
            TextFormat::Unicornscan,
        ] {
            let all = recs(5);
            let once = render(TextWriter::new(format), &all);
            let mut file = render(TextWriter::new(format), &all[..2]);
            let at = append_point(format, &file).unwrap();
            file.truncate(at.keep);
            let mut w = TextWriter::new(format);
            w.continue_after(&at);
            for r in &all[2..] {
                w.record(&mut file, r);
            }
            w.end(&mut file);
            assert_eq!(
                String::from_utf8_lossy(&file),
                String::from_utf8_lossy(&once),
                "{format:?}"
            );
        }
    }

    #[test]
    fn foreign_files_are_refused_and_killed_ones_continue() {
        assert!(append_point(TextFormat::Json, b"{\"ip\": 1}\n").is_err());
        assert!(append_point(TextFormat::Xml, b"<nmaprun>\n<host/>").is_err());
        assert!(append_point(TextFormat::List, b"open tcp 80 1.2.3.4 5\n").is_err());
        assert!(append_point(TextFormat::Json, b"").unwrap().fresh);
        // A killed scan's files: continued after the last complete record.
        let list = b"#masscan\nopen tcp 80 1.2.3.4 5\nopen tcp 8";
        assert_eq!(append_point(TextFormat::List, list).unwrap().keep, 31);
        let json = b"[\n{\"ip\": 1}\n,\n{\"ip";
        let at = append_point(TextFormat::Json, json).unwrap();
        assert_eq!((at.keep, at.records, at.fresh), (12, 1, false));
        let xml = b"<?xml version=\"1.0\"?>\r\n<scaninfo type=\"syn\" />\r\n<host a=\"1\"></host>\r\n<host";
        assert_eq!(
            append_point(TextFormat::Xml, xml).unwrap().keep,
            xml.len() - 5
        );
    }

    #[test]
    fn killed_files_continue_into_valid_documents() {
        for format in [
            TextFormat::Json,
            TextFormat::Xml,
            TextFormat::NmapXml,
            TextFormat::List,
            TextFormat::Grepable,
        ] {
            let mut w = TextWriter::new(format);
            let mut file = Vec::new();
            w.begin(&mut file);
            for r in &recs(3) {
                w.record(&mut file, r);
            }
            // Killed in the middle of the third record.
            file.truncate(file.len() - 5);
            let at = append_point(format, &file).unwrap();
            file.truncate(at.keep);
            let mut w2 = TextWriter::new(format);
            w2.continue_after(&at);
            for r in &recs(5)[3..] {
                w2.record(&mut file, r);
            }
            w2.end(&mut file);
            let mut once = Vec::new();
            let mut w3 = TextWriter::new(format);
            w3.begin(&mut once);
            for (i, r) in recs(5).iter().enumerate() {
                if i != 2 {
                    w3.record(&mut once, r);
                }
            }
            w3.end(&mut once);
            assert_eq!(
                String::from_utf8_lossy(&file),
                String::from_utf8_lossy(&once),
                "{format:?}"
            );
        }
    }
}

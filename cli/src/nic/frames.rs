//! What the scan's frames carry, per interface: the addresses (source, MACs, the routers), the
//! probe templates built from them, the receive side's settings (which replies are ours, ARP
//! answered for a spoofed source, banner grabbing), and what `paused.conf` keeps of them.

use crate::args::UserError;
use crate::coverage::Captures;
use crate::nic::discover::FoundNic;
use crate::nic::resolve::ResolvedNic;
use crate::settings::Run;
use masscan_engine::banner::{BannerConfig, Forced};
use masscan_engine::classify::ClassifierConfig;
use masscan_engine::config::{defaults, ScanConfig};
use masscan_engine::cookie::CookieKey;
use masscan_engine::frame;
use masscan_engine::plan::source::{IpRange, PortRange, Source};
use masscan_engine::probe::raw_ip::RawProtos;
use masscan_engine::probe::Probes;
use masscan_engine::tcp::TcpConfig;
use masscan_engine::template::TemplateParams;
use std::sync::Arc;

/// Which of `nics` interfaces thread `k` of `count` serves: each interface's threads are
/// consecutive.
pub fn nic_of(k: usize, count: usize, nics: usize) -> usize {
    (k * nics / count.max(1)).min(nics.saturating_sub(1))
}

/// The addresses the scan's frames carry.
pub struct NicFrames {
    pub src_mac: [u8; 6],
    pub router_v4: [u8; 6],
    pub router_v6: [u8; 6],
    pub source: Source,
    pub ports: PortRange,
    /// SYNs carry a timestamp option (`--metrics`: round-trip times).
    pub timestamps: bool,
}

impl NicFrames {
    pub fn new(c: &ScanConfig, link: Option<&ResolvedNic>) -> Self {
        let given_router = |v6| c.nic.router_mac_for(v6).map(|m| m.0).unwrap_or([0; 6]);
        let (src_mac, router_v4, router_v6) = match link {
            Some(l) => (l.adapter.src_mac, l.router_v4, l.router_v6),
            None => (
                c.nic.adapter_mac.map(|m| m.0).unwrap_or([0; 6]),
                given_router(false),
                given_router(true),
            ),
        };
        let (src_v4, src_v6) = match link {
            Some(l) => (l.adapter.src_v4, l.adapter.src_v6),
            None => match c.nic.adapter_ip {
                Some(r @ IpRange::V4 { .. }) => (Some(r), None),
                Some(r @ IpRange::V6 { .. }) => (None, Some(r)),
                None => (None, None),
            },
        };
        let ports = c.source_ports();
        Self {
            src_mac,
            router_v4,
            router_v6,
            source: Source::new(src_v4, src_v6, ports),
            ports,
            timestamps: false,
        }
    }

    /// Every probe kind's templates, for IPv4 and IPv6 (each to its family's router).
    pub fn probes(&self, c: &ScanConfig) -> Result<Probes, UserError> {
        let params = |dst_mac| TemplateParams {
            link: frame::Link {
                mac: self.src_mac,
                vlan: c.nic.adapter_vlan,
                ttl: c.io.ttl,
            },
            dst_mac,
            timestamps: self.timestamps,
            attempts: c.pace.coverage,
            syn: c.probe.syn,
            ..TemplateParams::default()
        };
        Ok(Probes::with_udp_payloads(
            &params(self.router_v4),
            &params(self.router_v6),
            &udp_payloads(c),
        )?)
    }
}

/// What a resume needs beyond the command line: each interface and the source address in use
/// on it (the cookies depend on them).
pub fn saved_config(run: &Run, links: &[ResolvedNic]) -> ScanConfig {
    let mut saved = run.config.clone();
    for (i, l) in links.iter().enumerate() {
        let a = &l.adapter;
        if let Some(nic) = saved.nic_mut(i) {
            // One adapter-ip is saved: the one given, or the discovered IPv4 (else IPv6) source.
            nic.adapter_ip = nic.adapter_ip.or(a.src_v4).or(a.src_v6);
            nic.adapter = Some(a.ifname.clone());
        }
    }
    saved
}

/// Banner grabbing's settings, from the command line.
pub fn tcp_config(c: &ScanConfig, my_mac: [u8; 6], rx_threads: usize) -> TcpConfig {
    let timeout = c
        .banner
        .connection_timeout
        .unwrap_or(defaults::CONNECTION_TIMEOUT_SECS);
    // Enough for every probe of `timeout` seconds to open a connection, within bounds.
    let by_rate = (c.pace.rate / rx_threads as f64 * timeout as f64).min(1e9) as usize;
    let mut banners = BannerConfig::default();
    for (on, what) in &c.banner.captures {
        match what.as_str() {
            "cert" => banners.capture_cert = *on,
            "html" => banners.capture_html = *on,
            "heartbleed" => banners.capture_heartbleed = *on,
            "ticketbleed" => banners.capture_ticketbleed = *on,
            _ => {}
        }
    }
    if let Some(ua) = &c.banner.http_user_agent {
        banners.user_agent = ua.clone();
    }
    if let Some(n) = c.banner.banner_bytes {
        banners.max_bytes = n;
    }
    banners.hellos = c.banner.hellos.iter().cloned().collect();
    banners.heartbleed = c.banner.heartbleed;
    banners.ticketbleed = c.banner.ticketbleed;
    banners.poodle = c.banner.poodle;
    banners.identify = c.banner.identify;
    if let Some(n) = c.banner.identify_tries {
        banners.identify_tries = n;
    }
    banners.http = c.banner.http.clone();
    let kind = |k: &str| c.banner.hello.iter().any(|h| h == k);
    // The original applies smbv1, then http, then ssl: ssl wins over http.
    banners.forced = if kind("ssl") {
        Some(Forced::Ssl)
    } else if kind("http") {
        Some(Forced::Http)
    } else {
        None
    };
    banners.smbv1_only = kind("smbv1");
    TcpConfig {
        link: frame::Link {
            mac: my_mac,
            vlan: c.nic.adapter_vlan,
            ttl: c.io.ttl,
        },
        hello_wait_ms: c
            .banner
            .hello_timeout
            .unwrap_or(defaults::HELLO_TIMEOUT_SECS)
            * 1000,
        timeout_ms: timeout * 1000,
        max_connections: c.banner.max_connections.unwrap_or_else(|| {
            by_rate.clamp(defaults::MAX_CONNECTIONS_MIN, defaults::MAX_CONNECTIONS_MAX)
        }),
        banners: Arc::new(banners),
        wscale: c.probe.syn.wscale,
    }
}

/// Every UDP payload of the scan: the built-in ones, then those of payload files; with
/// `--vuln ntp-monlist` its request alone.
pub fn udp_payloads(c: &ScanConfig) -> Vec<masscan_engine::udp::Payload> {
    if c.banner.ntp_monlist {
        return crate::options::banners::monlist_payloads(&c.ports);
    }
    let mut all = masscan_engine::udp::payloads::builtin();
    all.extend(c.udp.payloads.iter().cloned());
    all
}

/// What every receive core is told about the scan.
pub fn classifier_config(
    c: &ScanConfig,
    wire: &NicFrames,
    key: CookieKey,
    adapter: Option<&FoundNic>,
    live: bool,
    rx_threads: usize,
) -> ClassifierConfig {
    ClassifierConfig {
        udp_ids: masscan_engine::probe::udp::UdpIds::new(&udp_payloads(c)),
        arp_scan: c.ports.contains_arp(),
        raw_protos: RawProtos::from_ports(&c.ports),
        key,
        source: wire.source,
        link: frame::Link {
            mac: wire.src_mac,
            vlan: c.nic.adapter_vlan,
            ttl: c.io.ttl,
        },
        answer_arp: adapter.is_some_and(|a| a.spoofed),
        answer_nd: adapter.is_some_and(|a| a.spoofed_v6),
        send_rst: !c.probe.noreset,
        raw_udp: c.banner.raw_udp,
        report_open: !c.report.noshow_open,
        report_closed: c.report.show_closed && !c.report.open_only,
        dedup_buckets: masscan_engine::dedup::buckets_for(c.pace.rate, c.pace.retries),
        banners: (c.banner.enabled && live).then(|| tcp_config(c, wire.src_mac, rx_threads.max(1))),
        // Replies may acknowledge any retry's SYN only when the SYNs differ (--coverage).
        attempts: if c.pace.coverage {
            u16::try_from(c.pace.retries.saturating_add(1)).unwrap_or(u16::MAX)
        } else {
            1
        },
        // The coverage estimate's capture histories (crate::coverage says when).
        capture_buckets: matches!(Captures::of(c), Captures::Kept(_))
            .then(|| masscan_engine::dedup::buckets_for(c.pace.rate, c.pace.retries)),
        // The plan's (run.rs sets it), so both sides pick the same canary ports.
        canaries: None,
    }
}

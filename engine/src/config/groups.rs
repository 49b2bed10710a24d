//! The settings of a [`super::ScanConfig`] grouped by concern, one struct each: the order and
//! pace of the scan ([`Pace`]), its threads ([`Threads`]), frame I/O ([`Io`]), what is reported
//! and where ([`Report`]), banner grabbing ([`Banners`]), UDP payload files
//! ([`UdpPayloads`]) and the shape of the SYN and the answers to SYN-ACKs ([`Probe`]). Each `Default` is the setting of a scan that names none of its options.

use super::{defaults, Backend, Wait};
use crate::output::OutputSpec;
use crate::plan::{ScanOrder, Shard};

/// Order and pace: which index comes when, how fast, which slice, how often, how long after.
#[derive(Clone, Debug, PartialEq)]
pub struct Pace {
    /// The scan order (`--permutation`, `--blackrock-rounds`).
    pub order: ScanOrder,
    /// Packets per second, all transmit threads together (`--rate`).
    pub rate: f64,
    /// A resumed scan's order rate: the `rate` of its `--resume` file. The original offsets
    /// its BlackRock order (and spaces retries) by the rate, so a resume that changes `--rate`
    /// would walk another order and miss targets; the order keeps this rate instead.
    pub resumed_rate: Option<f64>,
    /// `--shard x/y`.
    pub shard: Shard,
    /// `--retries`: extra probes per target.
    pub retries: u32,
    /// `--resume-index`: the first index scanned.
    pub resume_index: u64,
    /// `--resume-count`: how many indices from there.
    pub resume_count: Option<u64>,
    /// `--infinite`: the slice is sent again and again until the scan is stopped.
    pub infinite: bool,
    /// `--wait`: how long replies are received after the last probe.
    pub wait: Wait,
    /// `--backoff`: the rate is cut when the scan drops its own replies or fills its rings.
    pub backoff: bool,
    /// `--coverage`: each retry's SYN carries its attempt, and the scan estimates the open
    /// ports it missed (`crate::coverage`).
    pub coverage: bool,
    /// `--canaries`: extra TCP probes per host to high ports the scan does not probe
    /// (`crate::canary`); 0: none.
    pub canaries: u8,
    /// `--canary-results`: what a marked host's other results become.
    pub canary_results: crate::canary::Results,
}

impl Pace {
    /// The rate the BlackRock order is offset by: a resumed scan's own, else `--rate`.
    pub fn order_rate(&self) -> f64 {
        self.resumed_rate.unwrap_or(self.rate)
    }
}

impl Default for Pace {
    fn default() -> Self {
        Self {
            order: ScanOrder::default(),
            rate: defaults::RATE,
            resumed_rate: None,
            shard: Shard::default(),
            retries: defaults::RETRIES,
            resume_index: 0,
            resume_count: None,
            infinite: false,
            wait: Wait::default(),
            backoff: false,
            coverage: false,
            canaries: 0,
            canary_results: crate::canary::Results::Keep,
        }
    }
}

/// Transmit and receive threads: counts, or the CPUs they run on (which set the counts).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Threads {
    pub tx_threads: Option<usize>,
    pub rx_threads: Option<usize>,
    /// `--tx-cores`: transmit thread k runs on CPU `tx_cores[k]` (sets the thread count).
    pub tx_cores: Option<Vec<usize>>,
    /// `--rx-cores`: receive thread k runs on CPU `rx_cores[k]` (sets the thread count).
    pub rx_cores: Option<Vec<usize>>,
}

/// Frame I/O: the backend, the TTL of what is sent, and pcap copies of frames.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Io {
    /// `--offline`: nothing is sent.
    pub offline: bool,
    /// `--driver`: the backend asked for (none: AF_XDP where it works, else AF_PACKET).
    pub driver: Option<Backend>,
    /// `--dpdk-args`: the EAL arguments of the DPDK backend, as one string.
    pub dpdk_args: Option<String>,
    /// `--ttl`: IPv4 TTL / IPv6 hop limit of probes.
    pub ttl: u8,
    /// `--pcap FILE`: received packets are written there.
    pub pcap: Option<String>,
    /// `--pcap-sent FILE`: frames sent are written there.
    pub pcap_sent: Option<String>,
}

impl Default for Io {
    fn default() -> Self {
        Self {
            offline: false,
            driver: None,
            dpdk_args: None,
            ttl: defaults::TTL,
            pcap: None,
            pcap_sent: None,
        }
    }
}

/// What is reported, and where: which results, the outputs, their rotation, the console.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// `--open-only`.
    pub open_only: bool,
    /// `--show closed`: report RST replies too.
    pub show_closed: bool,
    /// `--noshow open`: do not report open ports.
    pub noshow_open: bool,
    /// `-oX`-style outputs, `--redis`, `--output-format none`, in order given.
    pub outputs: Vec<OutputSpec>,
    /// `--append-output`: continue existing output files.
    pub append_output: bool,
    /// `--stylesheet` (or `--webxml`'s Nmap XSL): named by XML output.
    pub stylesheet: Option<String>,
    /// `--rotate`: seconds between rotations of output files.
    pub rotate: Option<u64>,
    /// `--rotate-offset`: seconds the rotation boundaries are shifted by.
    pub rotate_offset: Option<u64>,
    /// `--rotate-size`: bytes after which a file is rotated.
    pub rotate_size: Option<u64>,
    /// `--rotate-dir`: where rotated files go.
    pub rotate_dir: Option<String>,
    /// `--interactive`: console lines even when writing files.
    pub interactive: bool,
}

/// Banner grabbing. The timeouts and byte limit are `None` when not given (`--echo` leaves
/// them out); [`defaults`] says what they then are.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Banners {
    /// `--banners`: complete handshakes and grab banners.
    pub enabled: bool,
    /// `--rawudp`: UDP replies reported raw too, beside their parsed banner.
    pub raw_udp: bool,
    /// `--identify`: a silent port that gave the HTTP hello nothing (or a TLS record) gets a
    /// series of further connections (TLS, redis, memcached, MQTT, PostgreSQL hellos:
    /// `banner::identify`).
    pub identify: bool,
    /// `--identify-tries`: at most this many connections of that series (`None`: all of them).
    pub identify_tries: Option<u8>,
    /// `capture = X` (true) and `nocapture = X` (false) settings, in order given.
    pub captures: Vec<(bool, String)>,
    /// `--hello-timeout` seconds.
    pub hello_timeout: Option<u64>,
    /// `--connection-timeout` seconds.
    pub connection_timeout: Option<u64>,
    /// Hellos per port (`--hello-string[PORT]`, and `--hello-file[PORT]` read in).
    pub hellos: Vec<(u16, Vec<u8>)>,
    /// `--http-user-agent`.
    pub http_user_agent: Option<String>,
    /// `--hello ssl|smbv1|http`, each at most once, in order given.
    pub hello: Vec<String>,
    /// `--http-method`, `--http-url`, `--http-version`, `--http-host`, `--http-header`,
    /// `--http-cookie`, `--http-payload`.
    pub http: crate::banner::http_request::HttpRequest,
    /// `--banner-bytes`.
    pub banner_bytes: Option<usize>,
    /// `--max-connections` per receive core.
    pub max_connections: Option<usize>,
    /// `--heartbleed` (or `--vuln heartbleed`): every port gets the TLS hello and the
    /// Heartbleed check.
    pub heartbleed: bool,
    /// `--ticketbleed` (or `--vuln ticketbleed`): every port gets the TLS hello with a session
    /// ticket and the Ticketbleed check.
    pub ticketbleed: bool,
    /// `--vuln poodle` (or `sslv3`): every port gets the SSLv3 hello.
    pub poodle: bool,
    /// `--vuln ntp-monlist`: every port of the scan is sent NTP's monlist request over UDP
    /// (U:123 when no port is given).
    pub ntp_monlist: bool,
}

/// `--nmap-payloads FILE` and `--pcap-payloads FILE` (saved in paused.conf), and the UDP
/// payloads read from them (sent besides the built-in ones).
#[derive(Clone, Debug, Default)]
pub struct UdpPayloads {
    pub nmap_payloads: Option<String>,
    pub pcap_payloads: Option<String>,
    pub payloads: Vec<crate::udp::Payload>,
}

/// The SYN's options, payload, checksum and padding (`--tcp-mss`, `--tcp-wscale`,
/// `--tcp-tsecho`, `--tcp-sackok`, `--data-length`, `--badsum`, `--min-packet`) and whether a
/// SYN-ACK the banner stack does not take is answered with a RST (`--noreset` turns it off).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Probe {
    pub syn: crate::template::SynShape,
    pub noreset: bool,
}

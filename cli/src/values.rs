//! Typed option values: clap value parsers for the options whose values have a grammar (rates,
//! seeds, shards, CPU lists, waits, source ranges, MACs, durations, sizes, bounded counts, and
//! the names chosen from a list). A bad value fails while the command line (or the config-file
//! line) is parsed, with a message that names the option and says what to give; every message
//! is the whole error line (see `args::one_line`).

use masscan_engine::config::{
    parse_cpu_list, parse_duration_spec, parse_size_spec, Backend, Mac, Wait,
};
use masscan_engine::nics::{NicValue, MAX_NICS, PER_NIC};
use masscan_engine::plan::source::{IpRange, PortRange};
use masscan_engine::plan::Shard;
use std::net::Ipv4Addr;

/// Output formats of `--output-format` (and the `-oX`-style shorthands).
pub const OUTPUT_FORMATS: &[&str] = &[
    "xml",
    "nmapxml",
    "json",
    "ndjson",
    "grepable",
    "list",
    "binary",
    "unicornscan",
    "hostonly",
    "redis",
    "certs",
    "none",
    "interactive",
];
/// What `--capture`/`--nocapture` name.
pub const CAPTURES: &[&str] = &["cert", "html", "heartbleed", "ticketbleed", "servername"];

/// A list of CPUs, in order (`--tx-cores 1,3`, `--rx-cores 0,2-3`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CpuList(pub Vec<usize>);

pub fn rate(s: &str) -> Result<f64, String> {
    let r: f64 = s.trim().parse().map_err(|_| {
        format!("bad --rate '{s}': give packets per second as a number (e.g. --rate 10000)")
    })?;
    if !r.is_finite() || r <= 0.0 {
        return Err(format!(
            "bad --rate '{s}': the rate must be a positive number of packets per second"
        ));
    }
    Ok(r)
}

/// A seed, or `time` (the clock's seconds, read when the option is parsed).
pub fn seed(s: &str) -> Result<u64, String> {
    if s.eq_ignore_ascii_case("time") {
        return Ok(std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0));
    }
    s.trim()
        .parse()
        .map_err(|_| format!("bad --seed '{s}': use a number (0 to 2^64-1) or 'time'"))
}

pub fn shard(s: &str) -> Result<Shard, String> {
    Shard::parse(s).map_err(|e| e.to_string())
}

fn cpus(name: &str, s: &str) -> Result<CpuList, String> {
    parse_cpu_list(s)
        .map(CpuList)
        .map_err(|e| format!("bad --{name}-cores {s}: {e}"))
}

pub fn tx_cores(s: &str) -> Result<CpuList, String> {
    cpus("tx", s)
}

pub fn rx_cores(s: &str) -> Result<CpuList, String> {
    cpus("rx", s)
}

fn threads(name: &str, s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(t) if (1..=256).contains(&t) => Ok(t),
        _ => Err(format!("bad --{name}-threads {s}: use 1 to 256")),
    }
}

pub fn tx_threads(s: &str) -> Result<usize, String> {
    threads("tx", s)
}

pub fn rx_threads(s: &str) -> Result<usize, String> {
    threads("rx", s)
}

pub fn retries(s: &str) -> Result<u32, String> {
    match s.trim().parse::<u32>() {
        Ok(n) if n <= 1000 => Ok(n),
        _ => Err(format!("bad --retries {s}: give 0 to 1000")),
    }
}

pub fn wait(s: &str) -> Result<Wait, String> {
    if s.eq_ignore_ascii_case("forever") {
        return Ok(Wait::Forever);
    }
    s.trim()
        .parse()
        .map(Wait::Secs)
        .map_err(|_| format!("bad --wait '{s}': give seconds (e.g. 10) or 'forever'"))
}

/// `--driver` backends, in any case (dpdk needs a build with the DPDK backend; pfring loads
/// libpfring.so).
pub fn driver(s: &str) -> Result<Backend, String> {
    Backend::from_name(s).ok_or_else(|| {
        format!("unknown --driver '{s}' (choose from afxdp, afpacket, dpdk, pfring or offline)")
    })
}

pub fn adapter_ip(s: &str) -> Result<IpRange, String> {
    IpRange::parse(s).map_err(|e| e.to_string())
}

pub fn adapter_port(s: &str) -> Result<PortRange, String> {
    PortRange::parse(s).map_err(|e| e.to_string())
}

pub fn mac(s: &str) -> Result<Mac, String> {
    s.parse::<Mac>()
}

pub fn vlan(s: &str) -> Result<u16, String> {
    match s.trim().parse::<u16>() {
        Ok(v) if v <= 4095 => Ok(v),
        _ => Err(format!("bad --adapter-vlan {s}: VLAN ids are 0-4095")),
    }
}

pub fn router_ip(s: &str) -> Result<Ipv4Addr, String> {
    s.trim()
        .parse()
        .map_err(|_| format!("bad --router-ip '{s}': give an IPv4 address"))
}

/// `--nic I:OPTION=VALUE` (what `OPTION[I] VALUE` becomes): interface I's own setting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NicSetting {
    pub index: usize,
    pub long: String,
    pub value: NicValue,
}

pub fn nic(s: &str) -> Result<NicSetting, String> {
    let usage = || format!("bad --nic '{s}': give INDEX:OPTION=VALUE, e.g. 1:adapter-ip=10.0.0.2");
    let (index, rest) = s.split_once(':').ok_or_else(usage)?;
    let (long, value) = rest.split_once('=').ok_or_else(usage)?;
    let index = match index.trim().parse::<usize>() {
        Ok(i) if (1..MAX_NICS).contains(&i) => i,
        _ => {
            return Err(format!(
                "bad --nic '{s}': the interface index must be 1 to {} (0 is the plain option)",
                MAX_NICS - 1
            ))
        }
    };
    let long = long.trim().to_ascii_lowercase();
    let value = value.trim();
    let parsed = match long.as_str() {
        "adapter" if !value.is_empty() => Ok(NicValue::Name(value.to_string())),
        "adapter" => Err("give an interface name".to_string()),
        "adapter-ip" => adapter_ip(value).map(NicValue::Range),
        "adapter-port" => adapter_port(value).map(NicValue::Ports),
        "adapter-mac" | "router-mac" | "router-mac-ipv4" | "router-mac-ipv6" => {
            mac(value).map(NicValue::Mac)
        }
        "adapter-vlan" => vlan(value).map(NicValue::Vlan),
        "router-ip" => router_ip(value).map(NicValue::Ipv4),
        _ => {
            return Err(format!(
                "bad --nic '{s}': {long} is not an interface option ({})",
                PER_NIC.join(", ")
            ))
        }
    };
    let value = parsed.map_err(|why| format!("{long}[{index}] {value}: {why}"))?;
    Ok(NicSetting { index, long, value })
}

fn time(name: &str, s: &str) -> Result<u64, String> {
    parse_duration_spec(s).map_err(|e| format!("bad --{name} '{s}': {e}"))
}

pub fn rotate(s: &str) -> Result<u64, String> {
    time("rotate", s)
}

pub fn rotate_offset(s: &str) -> Result<u64, String> {
    time("rotate-offset", s)
}

pub fn rotate_size(s: &str) -> Result<u64, String> {
    parse_size_spec(s).map_err(|e| format!("bad --rotate-size '{s}': {e}"))
}

/// A timeout of 1 second to 1 day.
fn timeout(name: &str, s: &str) -> Result<u64, String> {
    let n = time(name, s)?;
    if n == 0 || n > 86_400 {
        return Err(format!("bad --{name} '{s}': give 1 second to 1 day"));
    }
    Ok(n)
}

pub fn hello_timeout(s: &str) -> Result<u64, String> {
    timeout("hello-timeout", s)
}

pub fn connection_timeout(s: &str) -> Result<u64, String> {
    timeout("connection-timeout", s)
}

/// A number from `lo` to `hi`; the error names the option and the range.
fn bounded(name: &str, s: &str, lo: u64, hi: u64) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(n) if (lo..=hi).contains(&n) => Ok(n),
        _ => Err(format!("bad --{name} {s}: use {lo} to {hi}")),
    }
}

/// `--identify-tries`: 0 to the length of `--identify`'s series.
pub fn identify_tries(s: &str) -> Result<u8, String> {
    let most = masscan_engine::banner::identify::DEFAULT_TRIES;
    bounded("identify-tries", s, 0, u64::from(most)).map(|n| n as u8)
}

/// `--canaries`: canary ports per host.
pub fn canaries(s: &str) -> Result<u8, String> {
    bounded("canaries", s, 0, u64::from(masscan_engine::canary::MAX)).map(|n| n as u8)
}

/// `--canary-results`: `keep` or `drop`.
pub fn canary_results(s: &str) -> Result<masscan_engine::canary::Results, String> {
    masscan_engine::canary::Results::from_name(s.trim())
        .ok_or_else(|| format!("bad --canary-results {s}: use keep or drop"))
}

pub fn ttl(s: &str) -> Result<u8, String> {
    bounded("ttl", s, 0, 255).map(|n| n as u8)
}

pub fn blackrock_rounds(s: &str) -> Result<u32, String> {
    bounded("blackrock-rounds", s, 1, 63).map(|n| n as u32)
}

pub fn top_ports(s: &str) -> Result<u32, String> {
    bounded("top-ports", s, 1, 65536).map(|n| n as u32)
}

pub fn resume_index(s: &str) -> Result<u64, String> {
    bounded("resume-index", s, 0, u64::MAX)
}

pub fn resume_count(s: &str) -> Result<u64, String> {
    bounded("resume-count", s, 0, u64::MAX)
}

pub fn banner_bytes(s: &str) -> Result<usize, String> {
    bounded("banner-bytes", s, 16, 1 << 20).map(|n| n as usize)
}

pub fn max_connections(s: &str) -> Result<usize, String> {
    bounded("max-connections", s, 1, 1 << 24).map(|n| n as usize)
}

pub fn output_format(s: &str) -> Result<String, String> {
    let s = match s {
        "greppable" => "grepable", // the original's other spellings
        "cert" => "certs",
        s => s,
    };
    if OUTPUT_FORMATS.contains(&s) {
        Ok(s.to_string())
    } else {
        Err(format!(
            "unknown --output-format '{s}' (choose from {})",
            OUTPUT_FORMATS.join(", ")
        ))
    }
}

fn captured(name: &str, s: &str) -> Result<String, String> {
    if CAPTURES.contains(&s) {
        Ok(s.to_string())
    } else {
        Err(format!(
            "unknown {name} '{s}' (choose from {})",
            CAPTURES.join(", ")
        ))
    }
}

/// The checks `--vuln` names: the original's, spelled as it spells them.
pub const VULNS: &[&str] = &[
    "heartbleed",
    "ticketbleed",
    "poodle",
    "sslv3",
    "ntp-monlist",
];

/// `--vuln NAME`: one of [`VULNS`].
pub fn vuln(s: &str) -> Result<String, String> {
    if VULNS.contains(&s) {
        Ok(s.to_string())
    } else {
        Err(format!(
            "unknown --vuln '{s}' (choose from {})",
            VULNS.join(", ")
        ))
    }
}

pub fn capture(s: &str) -> Result<String, String> {
    captured("capture", s)
}

pub fn nocapture(s: &str) -> Result<String, String> {
    captured("nocapture", s)
}

/// A SYN option's setting: `Toggle(Some(v))` adds it with value `v`, `Toggle(None)` removes it
/// (`disable`). A newtype, since clap reads `Option<Option<T>>` as an optional value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Toggle<T>(pub Option<T>);

/// The original's boolean words (`enable`/`disable`, `true`/`false`, `yes`/`no`, `on`/`off`).
pub fn bool_word(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "enable" | "enabled" | "true" | "yes" | "on" => Some(true),
        "disable" | "disabled" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// `enable` (the option's `dflt`), `disable`, or a number up to `hi`.
fn toggle(name: &str, s: &str, dflt: u64, hi: u64) -> Result<Toggle<u64>, String> {
    match bool_word(s) {
        Some(true) => Ok(Toggle(Some(dflt))),
        Some(false) => Ok(Toggle(None)),
        None => match s.trim().parse::<u64>() {
            Ok(n) if n <= hi => Ok(Toggle(Some(n))),
            _ => Err(format!(
                "bad --{name} {s}: use enable, disable or a number up to {hi}"
            )),
        },
    }
}

pub fn tcp_mss(s: &str) -> Result<Toggle<u16>, String> {
    let t = toggle(
        "tcp-mss",
        s,
        masscan_engine::config::defaults::TCP_MSS.into(),
        65535,
    )?;
    Ok(Toggle(t.0.map(|n| n as u16)))
}

/// A shift beyond 14 is not a window scale (RFC 7323); the original takes up to 254.
pub fn tcp_wscale(s: &str) -> Result<Toggle<u8>, String> {
    let t = toggle(
        "tcp-wscale",
        s,
        masscan_engine::config::defaults::TCP_WSCALE.into(),
        14,
    )?;
    Ok(Toggle(t.0.map(|n| n as u8)))
}

/// Any 32-bit value (the original refuses 255 and above, a slip: the field has 32 bits).
pub fn tcp_tsecho(s: &str) -> Result<Toggle<u32>, String> {
    let t = toggle(
        "tcp-tsecho",
        s,
        masscan_engine::config::defaults::TCP_TSECHO.into(),
        u32::MAX.into(),
    )?;
    Ok(Toggle(t.0.map(|n| n as u32)))
}

/// `enable`/`disable` or a number (non-zero enables), as the original.
pub fn tcp_sackok(s: &str) -> Result<bool, String> {
    toggle("tcp-sackok", s, 1, u64::MAX).map(|t| t.0.is_some_and(|n| n != 0))
}

/// The SYN's payload: a SYN of 1400 bytes of data still fits a 1500-byte MTU with every
/// option, over IPv6, tagged.
pub fn data_length(s: &str) -> Result<u16, String> {
    bounded("data-length", s, 0, 1400).map(|n| n as u16)
}

pub fn min_packet(s: &str) -> Result<usize, String> {
    bounded("min-packet", s, 60, 1514).map(|n| n as usize)
}

/// `--debug`'s one kind here, `if` (the original ignores any other).
pub fn debug(s: &str) -> Result<String, String> {
    match s.trim() {
        "if" => Ok("if".into()),
        _ => Err(format!(
            "bad --debug {s}: only --debug if (the interface a scan would use) is known"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_their_errors() {
        assert_eq!(rate("1e6"), Ok(1e6));
        assert!(rate("-5").unwrap_err().starts_with("bad --rate '-5'"));
        assert_eq!(seed("42"), Ok(42));
        assert!(seed("time").unwrap() > 1_600_000_000);
        assert_eq!(tx_cores("0-2,5"), Ok(CpuList(vec![0, 1, 2, 5])));
        assert!(rx_cores("3-1")
            .unwrap_err()
            .starts_with("bad --rx-cores 3-1: "));
        assert_eq!(wait("forever"), Ok(Wait::Forever));
        assert_eq!(wait("7"), Ok(Wait::Secs(7)));
        assert_eq!(vlan("4095"), Ok(4095));
        assert!(vlan("4096").is_err());
        assert_eq!(driver("AFXDP"), Ok(Backend::AfXdp));
        assert_eq!(driver("pfring"), Ok(Backend::PfRing));
        assert!(driver("netmap").is_err());
        assert_eq!(rotate("hourly"), Ok(3600));
        assert_eq!(rotate_size("10M"), Ok(10 << 20));
        assert!(connection_timeout("0").is_err());
        assert_eq!(hello_timeout("3"), Ok(3));
        assert_eq!(retries("1000"), Ok(1000));
        assert!(retries("1001").is_err());
        assert!(tx_threads("0").is_err());
        assert_eq!(banner_bytes("16"), Ok(16));
        assert!(max_connections("0").is_err());
        assert!(output_format("yaml").is_err());
        assert!(capture("cert").is_ok() && nocapture("body").is_err());
        assert_eq!(ttl("255"), Ok(255));
        assert_eq!(ttl("300"), Err("bad --ttl 300: use 0 to 255".to_string()));
        assert_eq!(
            blackrock_rounds("0"),
            Err("bad --blackrock-rounds 0: use 1 to 63".to_string())
        );
        assert_eq!(top_ports("65536"), Ok(65536));
        assert!(top_ports("0").is_err());
        assert_eq!(resume_index("18446744073709551615"), Ok(u64::MAX));
        assert!(resume_count("-1").is_err());
    }
}

//! Option names as the original masscan reads them, on the command line and in config files:
//! case and the characters `-`, `_` and `.` do not count (`Rate`, `exclude_file`,
//! `--Source.IP`), `name[0]` is the first adapter's setting, and every name the original knows
//! either means the same option here ([`ALIASES`]), is accepted and ignored as the original
//! ignores it ([`IGNORED`]), or is refused with a line saying why ([`REFUSED`]).
//! `cli/tests/fixtures/original/option-names.txt` lists the original's names; a test resolves
//! each one.

use crate::args::Args;
use clap::CommandFactory;

/// A name compared as the original compares names: lower case, without `-`, `_` and `.`.
pub fn fold(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, '-' | '_' | '.'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// What an option name means here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// One of our long options; `prefix` goes before its value (`udp-ports = 53` is
    /// `--ports U:53`).
    Long { long: String, prefix: String },
    /// Accepted and ignored, as the original ignores it; `takes_value` says whether a value
    /// follows on the command line, `note` is printed on stderr.
    Ignored {
        takes_value: bool,
        note: Option<&'static str>,
    },
    /// Refused: the whole error line.
    Refused(String),
}

/// The original's names for our options: (its name, our long option, value prefix).
pub const ALIASES: &[(&str, &str, &str)] = &[
    ("arpscan", "arp", ""),
    ("nobanner", "nobanners", ""),
    ("retry", "retries", ""),
    ("max-retry", "retries", ""),
    ("notransmit", "offline", ""),
    ("nosend", "offline", ""),
    ("pcap-filename", "pcap", ""),
    ("hello-filename", "hello-file", ""),
    ("output-show", "show", ""),
    ("output-status", "show", ""),
    ("output-noshow", "noshow", ""),
    ("output-show-open", "open-only", ""),
    ("output-append", "append-output", ""),
    ("rotate-output", "rotate", ""),
    ("rotate-time", "rotate", ""),
    ("rotate-directory", "rotate-dir", ""),
    ("output-rotate-offset", "rotate-offset", ""),
    ("output-rotate-filesize", "rotate-size", ""),
    ("if", "adapter", ""),
    ("source-address", "adapter-ip", ""),
    ("spoof-ip", "adapter-ip", ""),
    ("spoof-address", "adapter-ip", ""),
    ("src-ip", "adapter-ip", ""),
    ("src-port", "adapter-port", ""),
    ("spoof-mac", "adapter-mac", ""),
    ("src-mac", "adapter-mac", ""),
    ("router", "router-mac", ""),
    ("dest-mac", "router-mac", ""),
    ("destination-mac", "router-mac", ""),
    ("dst-mac", "router-mac", ""),
    ("target-mac", "router-mac", ""),
    ("router-ipv4", "router-mac-ipv4", ""),
    ("router-ipv6", "router-mac-ipv6", ""),
    ("udp-ports", "ports", "U:"),
    ("udp-port", "ports", "U:"),
    ("tcp-ports", "ports", "T:"),
    ("tcp-port", "ports", "T:"),
    ("oprotos", "ports", "O:"),
    ("oproto", "ports", "O:"),
    ("dst-port", "ports", ""),
    ("dest-port", "ports", ""),
    ("destination-port", "ports", ""),
    ("target-port", "ports", ""),
    ("exclude-port", "exclude-ports", ""),
    ("dst-ip", "range", ""),
    ("dest-ip", "range", ""),
    ("destination-ip", "range", ""),
    ("target-ip", "range", ""),
    ("exclude-range", "exclude", ""),
    ("exclude-ranges", "exclude", ""),
    ("exclude-ip", "exclude", ""),
    ("exclude-ipv4", "exclude", ""),
    ("ping-sweep", "ping", ""),
    ("vlan", "adapter-vlan", ""),
    ("read-ranges", "readrange", ""),
];

/// Names the original accepts without effect here: (name, takes a value, note).
pub const IGNORED: &[(&str, bool, Option<&str>)] = &[
    ("randomize-hosts", false, None), // always random
    ("status", false, None),          // the status line is on unless --nostatus
    ("nointeractive", false, None),   // console lines go to stdout only without output files
    ("backtrace", false, None),       // Rust prints no backtraces to users
    ("nobacktrace", false, None),
    ("reason", false, None), // the reason (syn-ack, rst) is always written
    (
        "sendq",
        false,
        Some("masscan: --sendq is a Windows (WinPcap) send queue; no effect on Linux"),
    ),
    (
        "sendqueue",
        false,
        Some("masscan: --sendqueue is a Windows (WinPcap) send queue; no effect on Linux"),
    ),
    (
        "datadir",
        true,
        Some("masscan: --datadir has no effect (the original reads nothing from it either)"),
    ),
    (
        "debug-tcp",
        false,
        Some("masscan: --debug-tcp has no effect here; --packet-trace shows the banner connections' segments"),
    ),
    (
        "tcp-debug",
        false,
        Some("masscan: --tcp-debug has no effect here; --packet-trace shows the banner connections' segments"),
    ),
    (
        "release-memory",
        false,
        Some("nmap(--release-memory): masscan frees its memory on exit anyway"),
    ),
    (
        "send-eth",
        false,
        Some("nmap(--send-eth): masscan always sends whole Ethernet frames"),
    ),
];

/// Names the original knows that this build refuses: (name, the line saying why).
pub const REFUSED: &[(&str, &str)] = &[
    // nmap options the original explains away too.
    ("dns-servers", "nmap(--dns-servers): masscan never resolves names; give addresses"),
    ("system-dns", "nmap(--system-dns): masscan never resolves names; give addresses"),
    ("host-timeout", "nmap(--host-timeout): masscan is asynchronous and keeps no per-host timer (see --wait)"),
    ("min-hostgroup", "nmap(--min-hostgroup): masscan scans every host at once, in random order"),
    ("max-hostgroup", "nmap(--max-hostgroup): masscan scans every host at once, in random order"),
    ("min-parallelism", "nmap(--min-parallelism): masscan has no parallelism limit; --rate sets the pace"),
    ("max-parallelism", "nmap(--max-parallelism): masscan has no parallelism limit; --rate sets the pace"),
    ("min-rtt-timeout", "nmap(--min-rtt-timeout): masscan tracks no round-trip times (see --wait)"),
    ("max-rtt-timeout", "nmap(--max-rtt-timeout): masscan tracks no round-trip times (see --wait)"),
    ("initial-rtt-timeout", "nmap(--initial-rtt-timeout): masscan tracks no round-trip times (see --wait)"),
    ("min-rate", "nmap(--min-rate): masscan sends at --rate (--max-rate), never slower on purpose"),
    ("scan-delay", "nmap(--scan-delay): masscan paces every probe with --rate"),
    ("max-scan-delay", "nmap(--max-scan-delay): masscan paces every probe with --rate"),
    ("mtu", "nmap(--mtu): masscan does not fragment probes"),
    ("ip-options", "nmap(--ip-options): IP options are not supported"),
    ("log-errors", "nmap(--log-errors): not supported; errors go to stderr"),
    ("osscan-limit", "nmap(--osscan-limit): masscan does no OS detection"),
    ("osscan-guess", "nmap(--osscan-guess): masscan does no OS detection"),
    ("privileged", "nmap(--privileged): masscan opens raw sockets or AF_XDP itself and needs root (or CAP_NET_RAW and CAP_BPF)"),
    ("unprivileged", "nmap(--unprivileged): masscan needs raw sockets or AF_XDP; run it as root"),
    ("port-ratio", "nmap(--port-ratio): not supported; use --top-ports N"),
    ("scanflags", "nmap(--scanflags): masscan sends SYN probes only"),
    ("send-ip", "nmap(--send-ip): masscan sends whole Ethernet frames only"),
    ("traceroute", "nmap(--traceroute): not supported"),
    ("version-intensity", "nmap(--version-intensity): masscan has no version probes; --banners grabs what servers say"),
    ("version-light", "nmap(--version-light): masscan has no version probes; --banners grabs what servers say"),
    ("version-all", "nmap(--version-all): masscan has no version probes; --banners grabs what servers say"),
    ("version-trace", "nmap(--version-trace): masscan has no version probes; --packet-trace shows the packets"),
    ("json-status", "--json-status is not supported: use --status-ndjson (one JSON status object per line), as the original says"),
    ("status-json", "--status-json is not supported: use --status-ndjson (one JSON status object per line), as the original says"),
    // The original's features this build does not have (yet).
    ("banner1", "--banner1 (the original's banner-parser self-check) is not implemented in masscan-rs; the parsers are tested by cargo test and fuzzed"),
    ("bpf", "--bpf is not supported: the original accepts it and ignores it; here AF_XDP's replies are picked by the XDP program and every reply passes the cookie check"),
    ("nmap-service-probes", "--nmap-service-probes is not implemented in masscan-rs; --nmap-payloads is"),
    ("nmap-service-probe", "--nmap-service-probe is not implemented in masscan-rs; --nmap-payloads is"),
    ("script", "--script (Lua scripts) is not implemented in masscan-rs"),
    ("test", "--test is the original's developer option; not in masscan-rs"),
    ("notest", "--notest is the original's developer option; not in masscan-rs"),
];

/// Our long options and their aliases, folded, with the long name each means.
fn our_names() -> Vec<(String, String)> {
    let cmd = Args::command();
    let mut names = Vec::new();
    for a in cmd.get_arguments() {
        let Some(long) = a.get_long() else { continue };
        names.push((fold(long), long.to_string()));
        for al in a.get_all_aliases().unwrap_or_default() {
            names.push((fold(al), long.to_string()));
        }
    }
    names
}

/// Resolves an option name (without dashes; `name[0]` allowed) as the original would.
/// `None`: a name neither we nor the original know.
pub fn resolve(name: &str) -> Option<Resolved> {
    let (bare, index) = match name.split_once('[') {
        Some((bare, rest)) => (bare, rest.strip_suffix(']')),
        None => (name, None),
    };
    let f = fold(bare);
    if f.is_empty() {
        return None;
    }
    let long = our_names()
        .into_iter()
        .find(|(n, _)| *n == f)
        .map(|(_, long)| (long, ""))
        .or_else(|| {
            ALIASES
                .iter()
                .find(|(n, ..)| fold(n) == f)
                .map(|(_, long, prefix)| (long.to_string(), *prefix))
        });
    // `name[0]` is the plain option (for any name, as in the original).
    if let Some(index) = index.filter(|i| i.trim().parse::<usize>() != Ok(0)) {
        return Some(indexed(name, index, long));
    }
    if let Some((long, prefix)) = long {
        return Some(Resolved::Long {
            long,
            prefix: prefix.to_string(),
        });
    }
    if let Some((_, takes_value, note)) = IGNORED.iter().find(|(n, ..)| fold(n) == f) {
        return Some(Resolved::Ignored {
            takes_value: *takes_value,
            note: *note,
        });
    }
    REFUSED
        .iter()
        .find(|(n, _)| fold(n) == f)
        .map(|(_, why)| Resolved::Refused(why.to_string()))
}

/// `name[i]`, `i` > 0: interface `i`'s setting, given to the hidden `--nic I:NAME=VALUE`, which
/// the settings read into that interface's own settings.
fn indexed(name: &str, index: &str, long: Option<(String, &str)>) -> Resolved {
    let per_nic = long
        .as_ref()
        .filter(|(long, _)| masscan_engine::nics::PER_NIC.contains(&long.as_str()));
    let Some((long, _)) = per_nic else {
        return Resolved::Refused(format!(
            "{name}: only the interface options (adapter, adapter-ip, adapter-port, adapter-mac, \
             adapter-vlan, router-mac, router-mac-ipv4, router-mac-ipv6, router-ip) take an index"
        ));
    };
    match index.trim().parse::<usize>() {
        Ok(i) if i < masscan_engine::nics::MAX_NICS => Resolved::Long {
            long: "nic".into(),
            prefix: format!("{i}:{long}="),
        },
        _ => Resolved::Refused(format!(
            "{name}: the interface index must be 0 to {}",
            masscan_engine::nics::MAX_NICS - 1
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn long(name: &str) -> Option<String> {
        match resolve(name)? {
            Resolved::Long { long, .. } => Some(long),
            _ => None,
        }
    }

    #[test]
    fn case_and_punctuation_do_not_count() {
        assert_eq!(long("Rate").as_deref(), Some("rate"));
        assert_eq!(long("exclude_file").as_deref(), Some("excludefile"));
        assert_eq!(long("Source.IP").as_deref(), Some("adapter-ip"));
        assert_eq!(long("adapter-ip[0]").as_deref(), Some("adapter-ip"));
        assert_eq!(
            resolve("Source.IP[1]"),
            Some(Resolved::Long {
                long: "nic".into(),
                prefix: "1:adapter-ip=".into()
            })
        );
        assert_eq!(
            resolve("router-mac-ipv4[7]"),
            Some(Resolved::Long {
                long: "nic".into(),
                prefix: "7:router-mac-ipv4=".into()
            })
        );
        for bad in ["adapter-ip[8]", "adapter[x]", "rate[1]", "adapter-ip[-1]"] {
            assert!(matches!(resolve(bad), Some(Resolved::Refused(_))), "{bad}");
        }
        assert_eq!(resolve("nosuchoption"), None);
        assert_eq!(
            resolve("udp-ports"),
            Some(Resolved::Long {
                long: "ports".into(),
                prefix: "U:".into()
            })
        );
    }

    /// Every name the original accepts resolves here, to an option clap knows, to an ignored
    /// name, or to a one-line refusal.
    #[test]
    fn every_name_of_the_original_resolves() {
        let list = include_str!("../tests/fixtures/original/option-names.txt");
        let longs: Vec<String> = our_names().into_iter().map(|(_, l)| l).collect();
        let mut count = 0;
        for name in list
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            count += 1;
            match resolve(name) {
                Some(Resolved::Long { long, .. }) => {
                    assert!(
                        longs.contains(&long),
                        "{name} -> --{long}, which clap lacks"
                    )
                }
                Some(Resolved::Ignored { .. }) => {}
                Some(Resolved::Refused(why)) => {
                    assert!(!why.is_empty() && !why.contains('\n'), "{name}: {why:?}")
                }
                None => panic!("the original's option '{name}' is unknown here"),
            }
        }
        assert!(count > 200, "{count}");
        // The tables name nothing twice and shadow none of our options.
        let mut seen = std::collections::HashSet::new();
        let ours: Vec<String> = our_names().into_iter().map(|(f, _)| f).collect();
        let table = ALIASES
            .iter()
            .map(|a| a.0)
            .chain(IGNORED.iter().map(|i| i.0))
            .chain(REFUSED.iter().map(|r| r.0));
        for n in table {
            assert!(seen.insert(fold(n)), "{n} twice");
            assert!(
                !ours.contains(&fold(n)),
                "{n} is one of our options already"
            );
        }
    }

    #[test]
    fn every_setting_the_echo_writes_is_one_of_our_options() {
        use masscan_engine::config::echo::{Echo, ECHO};
        for e in ECHO {
            if let Echo::Setting { name, .. } = e {
                assert!(
                    matches!(resolve(name), Some(Resolved::Long { ref prefix, .. }) if prefix.is_empty()),
                    "--echo writes '{name}', which is not an option"
                );
            }
        }
    }
}

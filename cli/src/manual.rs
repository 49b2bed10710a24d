//! The manual page masscan(8) (`--man-page`) and shell completions (`--completions SHELL`),
//! made from the option definitions themselves, so that neither can fall out of step with
//! them, plus the page's own sections: configuration files, pause and resume, drivers and the
//! XDP steering, privileges, outputs, examples, exit status and files.

use crate::args::{Args, DEFAULT_CONF};
use clap::CommandFactory;
use roff::{bold, italic, roman, Inline, Roff};
use std::io::{self, Write};

const DESCRIPTION: &str = "\
masscan sends probes to every target address and port in a random order at the rate asked \
for, and reports the replies. It keeps no state per probe: each probe carries a cookie \
(a keyed hash of its addresses and ports) that a reply must echo, so a scan of the whole \
Internet needs no more memory than a scan of one network. TCP SYN probes are the default; \
UDP (with protocol payloads), SCTP INIT, ICMP echo and ARP probes are chosen by the port \
list. With --banners a user-mode TCP stack completes the handshake of each open port and \
reads what the service says (HTTP, TLS and its certificate, SSH, FTP, SMTP, POP3, IMAP4, \
memcached, SMB, Telnet, RDP, VNC and more). This is masscan-rs, a re-implementation of \
masscan 1.3.2 that takes its options, configuration and paused.conf files and writes its \
output formats, the binary one included.";

/// One section: a heading and paragraphs, each a list of (style, text) runs.
type Para = &'static [(char, &'static str)];

#[rustfmt::skip]
const SECTIONS: &[(&str, &[Para])] = &[
    (
        "TARGETS AND PORTS",
        &[
            &[('r', "Targets are IPv4 or IPv6 addresses, ranges such as "), ('b', "10.0.0.1-10.0.0.99"), ('r', ", CIDR blocks such as "), ('b', "2001:db8::/112"), ('r', ", or comma lists of them, given as arguments, with "), ('b', "--range"), ('r', " or read from a file with "), ('b', "-iL"), ('r', ". Excludes ("), ('b', "--exclude"), ('r', ", "), ('b', "--excludefile"), ('r', ") win over every target.")],
            &[('r', "Ports are numbers and ranges ("), ('b', "-p80,443,8000-8100"), ('r', "); a prefix chooses the probe and carries forward to the entries after it: "), ('b', "U:"), ('r', " UDP, "), ('b', "S:"), ('r', " SCTP, "), ('b', "I:"), ('r', " ICMP echo ("), ('b', "--ping"), ('r', "), "), ('b', "A:"), ('r', " ARP ("), ('b', "--arp"), ('r', ").")],
        ],
    ),
    (
        "CONFIGURATION FILES",
        &[
            &[('r', "A configuration file holds one "), ('i', "name"), ('b', " = "), ('i', "value"), ('r', " per line; "), ('b', "#"), ('r', " starts a comment. Every long option is a name, spelled as on the command line without its dashes; case and the characters - _ . do not count, so "), ('b', "max-rate"), ('r', ", "), ('b', "MaxRate"), ('r', " and "), ('b', "max_rate"), ('r', " are one name. "), ('b', DEFAULT_CONF), ('r', " is read first when it exists, then every "), ('b', "-c"), ('r', " file, then the command line; a later value replaces an earlier one. "), ('b', "--echo"), ('r', " prints the settings in this form, and reading that text back gives the same scan.")],
        ],
    ),
    (
        "PAUSE AND RESUME",
        &[
            &[('r', "The first ctrl-c (SIGINT) or SIGTERM stops sending, writes "), ('b', "paused.conf"), ('r', " in the current directory, waits for late replies ("), ('b', "--wait"), ('r', ") and closes every output file so that it stays valid; a second signal ends the wait at once. "), ('b', "masscan --resume paused.conf"), ('r', " finishes the scan, appending to the same outputs. A live scan also rewrites "), ('b', "paused.conf"), ('r', " every 2 seconds while it runs (and removes it when it ends), so that a scan killed outright, or a machine that dies, resumes from a few seconds back. The original masscan's paused.conf files resume too.")],
        ],
    ),
    (
        "DRIVERS AND STEERING",
        &[
            &[('b', "--driver afxdp"), ('r', " (the default where the kernel allows it) moves frames through AF_XDP sockets, one per queue of the interface, with a transmit and a receive thread pinned per core. A small XDP program on the interface steers only the replies to the scan's source ports into those sockets: the kernel never sees them, so it never answers them with resets, and banner grabbing works from the host's own address without firewall rules. The program is removed when the scan ends, however it ends.")],
            &[('b', "--driver afpacket"), ('r', " uses packet sockets instead (the fallback). The kernel then sees the replies too and resets connections it did not open: for "), ('b', "--banners"), ('r', ", scan from an address the host does not own ("), ('b', "--source-ip"), ('r', ", answered for by ARP here) or drop the scan's source ports in the firewall.")],
            &[('b', "--offline"), ('r', " builds every probe and sends nothing: a benchmark of the transmit path, safe anywhere. "), ('b', "--driver dpdk"), ('r', " (when built with DPDK; "), ('b', "masscan -V"), ('r', " says) runs on a DPDK port: "), ('b', "--dpdk-args"), ('r', " gives DPDK's EAL arguments (e.g. \"--no-huge -m 256 --vdev=net_af_packet0,iface=eth1\" or a NIC bound to vfio-pci), "), ('b', "-e"), ('r', " names the port (name or index), "), ('b', "--adapter-ip"), ('r', " is required and "), ('b', "--router-ip"), ('r', " or "), ('b', "--router-mac"), ('r', " too, since no kernel interface tells them; the scan answers ARP for its address itself. PF_RING is not built in this version.")],
        ],
    ),
    (
        "SEVERAL INTERFACES",
        &[
            &[('r', "As in the original, one scan can send through several interfaces: "), ('b', "adapter[1] = eth1"), ('r', ", "), ('b', "adapter-ip[1]"), ('r', ", "), ('b', "adapter-mac[1]"), ('r', ", "), ('b', "adapter-port[1]"), ('r', ", "), ('b', "adapter-vlan[1]"), ('r', ", "), ('b', "router-mac[1]"), ('r', " and "), ('b', "router-ip[1]"), ('r', " (up to index 7; on the command line "), ('b', "--adapter[1] eth1"), ('r', ") are that interface's own settings, and the plain names are interface 0's. Each interface gets its own transmit and receive threads (one per queue) and sends an interleaved share of every target and port; each is found and resolved on its own, so give "), ('b', "router-ip[i]"), ('r', " when it has no default route. Works with every driver (DPDK: each "), ('b', "adapter[i]"), ('r', " is a port of the one EAL).")],
        ],
    ),
    (
        "PRIVILEGES",
        &[
            &[('r', "A live scan needs root, or the capabilities CAP_NET_RAW, CAP_NET_ADMIN, CAP_BPF and CAP_SYS_ADMIN for the XDP program. Once its sockets, program and files are open it drops every capability; with "), ('b', "--user"), ('i', " NAME"), ('r', " it also becomes that user and group. With "), ('b', "--seccomp"), ('r', " every thread is then confined to the system calls a running scan makes (measured over AF_XDP, AF_PACKET and offline scans; DPDK and PF_RING refuse it): any other call, such as starting a program, opening a socket or loading BPF, fails with ENOSYS.")],
        ],
    ),
    (
        "OUTPUT",
        &[
            &[('r', "Results go to the console, or to a file in one of masscan's formats: "), ('b', "-oX"), ('r', " XML, "), ('b', "-oJ"), ('r', " JSON, "), ('b', "-oD"), ('r', " NDJSON, "), ('b', "-oG"), ('r', " grepable, "), ('b', "-oL"), ('r', " list, "), ('b', "-oU"), ('r', " unicornscan, "), ('b', "-oH"), ('r', " host list, "), ('b', "-oB"), ('r', " masscan's binary format (read back, merged and converted with "), ('b', "--readscan"), ('r', "), and "), ('b', "-oR"), ('r', " a redis server. Output is written as results arrive.")],
        ],
    ),
    (
        "EXAMPLES",
        &[
            &[('b', "masscan 10.0.0.0/8 -p80,443 --rate 100000 -oJ scan.json")],
            &[('r', "Scans two ports on a /8 at 100,000 packets per second into a JSON file.")],
            &[('b', "masscan 192.0.2.0/24 -p21,22,25,80,443 --banners --interactive")],
            &[('r', "Grabs banners from a /24 and prints them as they come.")],
            &[('b', "masscan 0.0.0.0/0 --exclude 255.255.255.255 -p80 --offline --rate 100000000")],
            &[('r', "Measures how fast this machine builds probes, sending nothing.")],
            &[('b', "masscan -c scan.conf --echo > all.conf")],
            &[('r', "Prints a configuration file's settings as a complete file.")],
            &[('b', "masscan --readscan a.bin b.bin -oX merged.xml")],
            &[('r', "Merges binary outputs (of shards, say) into one XML file.")],
        ],
    ),
    (
        "EXIT STATUS",
        &[&[('b', "0"), ('r', " when the scan ends or pauses; "), ('b', "1"), ('r', " on bad input (targets, ports, files, options: one line on stderr says what and where), when the interface cannot be set up, or when a --regress check fails.")]],
    ),
    (
        "FILES",
        &[&[('b', DEFAULT_CONF), ('r', ", read before any other configuration; "), ('b', "paused.conf"), ('r', ", written on pause in the current directory.")]],
    ),
    (
        "SEE ALSO",
        &[&[('b', "nmap"), ('r', "(1), "), ('b', "tcpdump"), ('r', "(8), "), ('b', "ip"), ('r', "(8), and the original masscan: https://github.com/robertdavidgraham/masscan")]],
    ),
];

fn inline(style: char, text: &str) -> Inline {
    match style {
        'b' => bold(text),
        'i' => italic(text),
        _ => roman(text),
    }
}

/// The option definitions as a clap command, with the page's long description.
fn command() -> clap::Command {
    Args::command().long_about(DESCRIPTION)
}

/// masscan(8) in roff.
pub fn write_man_page(out: &mut dyn Write) -> io::Result<()> {
    let man = clap_mangen::Man::new(command())
        .title("MASSCAN")
        .section("8")
        .source(format!("masscan-rs {}", env!("CARGO_PKG_VERSION")))
        .manual("System Manager's Manual");
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    let mut page = Roff::new();
    for (heading, paras) in SECTIONS {
        page.control("SH", [*heading]);
        for (k, para) in paras.iter().enumerate() {
            if k > 0 {
                page.control("PP", []);
            }
            page.text(para.iter().map(|(s, t)| inline(*s, t)).collect::<Vec<_>>());
        }
    }
    page.to_writer(out)
}

/// A completion script for `shell`.
pub fn write_completions(shell: clap_complete::Shell, out: &mut dyn Write) {
    clap_complete::generate(shell, &mut command(), "masscan", out);
}

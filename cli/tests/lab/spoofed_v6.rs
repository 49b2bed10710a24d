//! A spoofed IPv6 source on the lab's link (issue 28): the router asks for the address with a
//! Neighbor Solicitation, the scan answers it (through AF_XDP, where the steering program must
//! hand it the solicitation, and through AF_PACKET), and the replies reach the scan; the
//! solicitations received and the advertisements sent, read back from `--pcap` and
//! `--pcap-sent`, match the scan's `nd answered` counter. From the kernel's own address the
//! kernel answers and the scan does not.

use crate::common::{rx_counter, MASSCAN};
use masscan_test_support::{list_file, ok, stderr, Lab};
use std::collections::BTreeSet;
use std::process::Command;

/// The open ports of 2001:2:0:1::1-2 on 22, 80 and 8080.
fn open_v6() -> BTreeSet<(String, u16, String)> {
    [(80, 1), (8080, 1), (22, 2), (8080, 2)]
        .into_iter()
        .map(|(p, h)| ("open".to_string(), p, format!("2001:2:0:1::{h}")))
        .collect()
}

/// The router forgets every IPv6 neighbour, so it must ask again for the scan's address.
fn router_forgets(lab: &Lab) {
    let s = Command::new("ip")
        .args(["-n", &lab.target_ns, "-6", "neigh", "flush", "all"])
        .status()
        .expect("ip");
    assert!(s.success());
}

/// `tcpdump -nv` of a pcap file of the lab's directory.
fn dump(lab: &Lab, name: &str) -> String {
    let o = Command::new("tcpdump")
        .args(["-nvr", lab.path(name).to_str().unwrap()])
        .output()
        .expect("tcpdump (scripts/setup.sh installs it)");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A scan of the two service hosts from `extra` (a source, a driver), with its received and
/// sent frames kept, verbose (the driver and adapter lines); its stderr.
fn scan(lab: &Lab, out: &str, extra: &[&str]) -> String {
    router_forgets(lab);
    let router = lab.router_mac();
    let mut args = vec![
        "2001:2:0:1::1-2001:2:0:1::2",
        "-p22,80,8080",
        "--router-mac",
        &router,
        "--rate",
        "2000",
        "--wait",
        "1",
        "-oL",
        out,
        "--pcap",
        "rx.pcap",
        "--pcap-sent",
        "tx.pcap",
        "-v",
    ];
    args.extend_from_slice(extra);
    let o = lab.run(&args);
    ok(&o);
    assert_eq!(list_file(&lab.path(out)), open_v6(), "{}", stderr(&o));
    stderr(&o)
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn spoofed_ipv6_source_gets_replies_through_our_neighbour_advertisements() {
    let lab = Lab::up(MASSCAN);
    for driver in ["afxdp", "afpacket"] {
        let err = scan(
            &lab,
            "spoofed6.txt",
            &["--source-ip", "2001:2::99", "--driver", driver],
        );
        assert!(err.contains(&format!("[driver] {driver} ")), "{err}");
        assert!(
            err.contains("(spoofed: answering neighbour solicitations for it)"),
            "{err}"
        );
        let answered = rx_counter(&err, 0, "nd answered");
        assert!(answered >= 1, "{driver}: no solicitation answered: {err}");
        assert_eq!(rx_counter(&err, 0, "arp answered"), 0, "{err}");
        // Every solicitation for our address that reached the scan was answered, once.
        let rx = dump(&lab, "rx.pcap");
        // The askers (the router asks from its link-local address).
        let askers: Vec<&str> = rx
            .lines()
            .filter(|l| l.contains("neighbor solicitation") && l.contains("who has 2001:2::99"))
            .filter_map(|l| l.split(" > ").next()?.rsplit(' ').next())
            .collect();
        assert_eq!(askers.len() as u64, answered, "{driver}: {rx}");
        eprintln!("{driver}: {answered} solicitation(s) for 2001:2::99 answered, from {askers:?}");
        // Each answered from 2001:2::99 to its asker, solicited and override set, checksum good.
        let tx = dump(&lab, "tx.pcap");
        let said: Vec<&str> = tx
            .lines()
            .filter(|l| l.contains("neighbor advertisement"))
            .collect();
        assert_eq!(said.len(), askers.len(), "{driver}: {tx}");
        for (na, asker) in said.iter().zip(&askers) {
            let head =
                format!("2001:2::99 > {asker}: [icmp6 sum ok] ICMP6, neighbor advertisement");
            assert!(
                na.contains("(hlim 255,") && na.contains(&head),
                "{driver}: {na}"
            );
            assert!(
                na.contains("tgt is 2001:2::99, Flags [solicited, override]"),
                "{driver}: {na}"
            );
        }
        assert!(rx.contains("2001:2:0:1::1.80 > 2001:2::99."), "{rx}");
    }
    // From the kernel's own address the kernel answers the router, and the scan does not.
    let err = scan(&lab, "own6.txt", &[]);
    assert_eq!(rx_counter(&err, 0, "nd answered"), 0, "{err}");
    assert!(!err.contains("spoofed"), "{err}");
}

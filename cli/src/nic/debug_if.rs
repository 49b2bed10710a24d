//! `--debug if`: what a scan would find on its interface, printed as the original's interface
//! self-check lists it (`[+] if = ...`, source addresses, MAC, router), one family at a time;
//! nothing is sent (the routers are named, not resolved).

use super::discover::{discover, FoundNic, Router};
use crate::args::UserError;
use crate::console::outln;
use masscan_engine::config::{Mac, ScanConfig};
use masscan_engine::plan::targets::TargetSetBuilder;

/// The interface as an IPv4 scan and as an IPv6 scan would see it. 0: everything found.
pub fn run(c: &ScanConfig) -> Result<i32, UserError> {
    let mut failed = false;
    let mut shown_if = false;
    for (family, probe_target) in [("ipv4", "192.0.2.1"), ("ipv6", "2001:db8::1")] {
        let mut b = TargetSetBuilder::new();
        b.add_targets(probe_target)?;
        let mut one = c.clone();
        one.targets = b.build_listing()?;
        match discover(&one) {
            Ok(n) => {
                if !shown_if {
                    outln!("[+] if = {}", n.ifname);
                    outln!("[+] source-mac = {}", Mac(n.src_mac));
                    shown_if = true;
                }
                print_family(family, &n);
            }
            Err(e) => {
                failed = true;
                outln!("[-] {family}: {}", e.0);
            }
        }
    }
    Ok(i32::from(failed))
}

fn print_family(family: &str, n: &FoundNic) {
    let (src, router) = if family == "ipv4" {
        (n.src_v4, &n.router_v4)
    } else {
        (n.src_v6, &n.router_v6)
    };
    if let Some(s) = src {
        outln!("[+] source-{family} = {s}");
    }
    match router {
        Some(Router::Mac(m)) => outln!("[+] router-mac-{family} = {}", Mac(*m)),
        Some(Router::Resolve(ip)) => {
            outln!("[+] router-{family} = {ip} (its MAC is resolved when a scan starts)")
        }
        None => outln!("[-] router-{family} = not found"),
    }
}

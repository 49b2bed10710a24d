//! `masscan-xdp-steer IFNAME IPV4 PORT COUNT [SECONDS]`: attaches the steering program to an
//! interface for IPV4 and source ports PORT..PORT+COUNT, prints its mode, then its counters four
//! times a second, and exits after SECONDS (default 10). A diagnostic for the lab and for users: with no
//! AF_XDP socket registered, frames it would steer are passed to the kernel (and counted passed).

use masscan_ebpf::{SteerConfig, Steering};
use std::time::Duration;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 4 {
        eprintln!("usage: masscan-xdp-steer IFNAME IPV4 PORT COUNT [SECONDS]");
        std::process::exit(2);
    }
    let parse = |i: usize, what: &str| -> u64 {
        args[i].parse().unwrap_or_else(|_| {
            eprintln!("masscan-xdp-steer: bad {what} '{}'", args[i]);
            std::process::exit(2)
        })
    };
    let ip: std::net::Ipv4Addr = args[1].parse().unwrap_or_else(|_| {
        eprintln!("masscan-xdp-steer: bad IPv4 address '{}'", args[1]);
        std::process::exit(2)
    });
    let config = SteerConfig {
        v4_first: u32::from(ip),
        v4_count: 1,
        port_first: parse(2, "port") as u16,
        port_count: parse(3, "count") as u16,
        ..SteerConfig::default()
    };
    let secs = if args.len() > 4 {
        parse(4, "seconds")
    } else {
        10
    };
    let steering = match Steering::attach(&args[0], &config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("masscan-xdp-steer: {e}");
            std::process::exit(1);
        }
    };
    println!("attached to {} in {} mode", args[0], steering.mode());
    for _ in 0..secs * 4 {
        std::thread::sleep(Duration::from_millis(250));
        match steering.counters() {
            Ok(c) => println!(
                "seen {} ours {} steered {} passed {}",
                c.seen, c.ours, c.steered, c.passed
            ),
            Err(e) => eprintln!("masscan-xdp-steer: {e}"),
        }
    }
}

//! masscan-rs engine: the scan itself, without I/O. The scan [`plan`] (targets, ports, the
//! permuted order), SYN cookies and templates, the throttle, the two hot loops side by side
//! ([`transmit`] and [`receive`], over the [`driver`] trait that the `masscan-drivers` crate
//! implements), the reply [`classify`]er and user-mode TCP stack, banner parsers, output formats,
//! per-core counters, and the config format. It reads no clock (time comes in through
//! [`clock::Clock`]), opens no file and has no `unsafe`: everything here is tested without a
//! network.

#![forbid(unsafe_code)]

pub mod arp;
pub mod backoff;
pub mod banner;
pub mod canary;
pub mod classify;
pub mod clock;
pub mod config;
pub mod cookie;
pub mod counters;
pub mod coverage;
pub mod dedup;
pub mod driver;
pub mod frame;
pub mod listscan;
pub mod ndp;
pub mod nics;
pub mod output;
pub mod plan;
pub mod probe;
pub mod receive;
pub mod regress;
pub mod rtt;
pub mod stats;
pub mod tcp;
pub mod template;
#[cfg(test)]
mod testing;
pub mod throttle;
pub mod trace;
pub mod transmit;
pub mod udp;

//! masscan-rs engine: the scan itself, without I/O. Targets and ports, the permuted scan order,
//! SYN cookies and templates, the throttle, the transmit loop (over the [`driver`] trait that the
//! `masscan-drivers` crate implements), per-core counters, and the config format. Everything here
//! is tested without a network.

pub mod arp;
pub mod banner;
pub mod config;
pub mod cookie;
pub mod driver;
pub mod listscan;
pub mod ndp;
pub mod output;
pub mod permutation;
pub mod plan;
pub mod ports;
pub mod ranges;
pub mod regress;
pub mod reply;
pub mod source;
pub mod stats;
pub mod targets;
pub mod tcp;
pub mod template;
pub mod throttle;
pub mod trace;
pub mod transmit;

//! A network interface ("nic", as the engine's `Nic` settings say) as a live scan uses it, in
//! the order a scan needs it: which interface and addresses ([`discover`], `--iflist` too),
//! the router and neighbours resolved through it and what its steering program is told
//! ([`resolve`]), and what the frames sent through it carry ([`frames`]).

//!
//! One word, "nic", for an interface across the CLI: [`discover::FoundNic`] (the interface and
//! addresses found), [`resolve::ResolvedNic`] (with its router MACs and neighbours), and
//! [`frames::NicFrames`] (the addresses its frames carry). "adapter" stays where the original's
//! options say it (`--adapter-ip`, `adapter[1]`); a `masscan_drivers::netif::Link` is the
//! kernel's netlink link, and `masscan_engine::frame::Link` the link-layer facts (our MAC,
//! VLAN, TTL) every frame the scan writes carries.

pub mod debug_if;
pub mod discover;
pub mod frames;
pub mod resolve;

//! A network interface ("nic", as the engine's `Nic` settings say) as a live scan uses it, in
//! the order a scan needs it: which interface and addresses ([`discover`], `--iflist` too),
//! the router and neighbours resolved through it and what its steering program is told
//! ([`resolve`]), and what the frames sent through it carry ([`frames`]).

pub mod discover;
pub mod frames;
pub mod resolve;

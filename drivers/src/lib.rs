//! Frame I/O backends behind the engine's [`masscan_engine::driver`] trait. Today: `offline`
//! (fills real frame buffers and counts them, sends nothing). AF_PACKET, AF_XDP, DPDK and
//! PF_RING arrive with their own issues; see the README's feature table.

pub mod offline;

pub use offline::Offline;

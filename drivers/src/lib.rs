//! Frame I/O backends behind the engine's [`masscan_engine::driver`] trait: `afpacket` (Linux
//! packet sockets with mapped rings), `offline` (fills real frame buffers and counts them, sends
//! nothing), and interface discovery over netlink ([`netif`]). AF_XDP, DPDK and PF_RING arrive
//! with their own issues; see the README's feature table.

pub mod afpacket;
pub mod afxdp;
pub mod middleware;
pub mod netif;
pub mod offline;

pub use afpacket::AfPacket;
pub use afxdp::AfXdp;
pub use offline::Offline;

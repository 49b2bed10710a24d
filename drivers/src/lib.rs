//! Frame I/O backends behind the engine's [`masscan_engine::driver`] trait: `afxdp` (AF_XDP
//! sockets fed by the XDP steering program), `afpacket` (Linux packet sockets with mapped rings),
//! `offline` (fills real frame buffers and counts them, sends nothing; replays frames to the
//! receive side for tests); middleware queues (packet trace, pcap, fault injection); interface discovery over
//! netlink ([`netif`]); ARP and neighbour resolution on the wire ([`resolve`]); and the real clock the engine's loops are given ([`clock`]). DPDK and
//! PF_RING arrive with their own issue; see the README's feature table.

pub mod afpacket;
pub mod afxdp;
pub mod clock;
pub mod fault;
pub mod middleware;
pub mod netif;
pub mod offline;
pub mod privilege;
pub mod resolve;

pub use afpacket::AfPacket;
pub use afxdp::AfXdp;
pub use clock::SystemClock;
pub use offline::Offline;

//! Frame I/O backends behind the engine's [`masscan_engine::driver`] trait: `afxdp` (AF_XDP
//! sockets fed by the XDP steering program), `afpacket` (Linux packet sockets with mapped rings),
//! `dpdk` (DPDK's poll-mode drivers through a small C shim; built when DPDK is found at build
//! time), `pfring` (libpfring.so loaded at run time), `offline` (fills real frame buffers and
//! counts them, sends nothing; replays frames to the receive side for tests); drivers built
//! from others ([`several`]: several interfaces as one; [`every_queue`]: every receive queue
//! as one); middleware queues (packet trace, pcap of frames received and sent, fault
//! injection); interface discovery over netlink ([`netif`]); ARP and neighbour resolution on
//! the wire ([`resolve`]); dropping privileges ([`privilege`]); and the real clock the
//! engine's loops are given ([`clock`]).

pub mod afpacket;
pub mod afxdp;
pub mod clock;
#[cfg(dpdk_backend)]
pub mod dpdk;
pub mod every_queue;
pub mod fault;
pub mod middleware;
pub mod netif;
pub mod offline;
pub mod pfring;
pub mod privilege;
pub mod resolve;
pub mod seccomp;
pub mod several;

pub use afpacket::AfPacket;
pub use afxdp::AfXdp;
pub use clock::SystemClock;
#[cfg(dpdk_backend)]
pub use dpdk::Dpdk;
pub use every_queue::EveryQueue;
pub use offline::Offline;
pub use pfring::PfRing;
pub use several::Several;

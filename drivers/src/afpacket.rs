//! The `afpacket` backend: Linux packet sockets, portable to any interface and kernel.
//!
//! Transmit: a TPACKET_V2 TX ring per queue, mapped into our memory, so the engine fills frames
//! in place (no copy on our side); one `send()` kicks a whole batch, and PACKET_QDISC_BYPASS skips
//! the queueing discipline. The transmit socket has protocol 0, so it receives nothing.
//!
//! Receive: a TPACKET_V3 RX ring per queue (blocks of frames handed over whole, so one wake-up
//! serves many frames), our own transmitted frames ignored (PACKET_IGNORE_OUTGOING), and with
//! several queues the sockets join one fanout group hashed by flow, so every reply of a flow
//! reaches the same receive core.

use masscan_engine::driver::{Capabilities, Driver, DriverError, QueueStats, RxQueue, TxQueue};
use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::ptr::NonNull;
use std::time::Duration;

mod ring;
use ring::{
    RingMem, RxRing, TxRing, RX_BLOCKS, RX_BLOCK_SIZE, TX_DATA_OFFSET, TX_FRAMES, TX_FRAME_SIZE,
};

const RX_FRAME_SIZE: usize = 2048;
/// A block is handed to us at the latest this many ms after its first frame.
const RX_BLOCK_TIMEOUT_MS: u32 = 5;

const PACKET_IGNORE_OUTGOING: libc::c_int = 23;
const TPACKET_V2: u32 = 1;
const TPACKET_V3: u32 = 2;

/// Opens AF_PACKET queues on one interface.
#[derive(Debug)]
pub struct AfPacket {
    ifindex: i32,
    ifname: String,
    queues: usize,
    fanout_id: u16,
}

fn os_err(what: &str, ifname: &str) -> DriverError {
    let e = io::Error::last_os_error();
    let hint = match e.raw_os_error() {
        Some(libc::EPERM) | Some(libc::EACCES) => {
            " (AF_PACKET needs CAP_NET_RAW; run as root or grant it with setcap cap_net_raw,cap_net_admin+ep)"
        }
        Some(libc::ENODEV) | Some(libc::ENXIO) => " (the interface is gone or down)",
        _ => "",
    };
    DriverError::Other(format!("afpacket: {what} on {ifname}: {e}{hint}"))
}

/// The index of interface `name`, if it exists.
pub fn ifindex(name: &str) -> Option<u32> {
    let c = CString::new(name).ok()?;
    // SAFETY: `c` is a valid NUL-terminated string that lives across the call.
    let i = unsafe { libc::if_nametoindex(c.as_ptr()) };
    (i != 0).then_some(i)
}

impl AfPacket {
    /// `queues` queue pairs on interface `ifname`.
    pub fn new(ifname: &str, queues: usize) -> Result<Self, DriverError> {
        let index = ifindex(ifname).ok_or_else(|| {
            DriverError::Other(format!("afpacket: no interface named '{ifname}'"))
        })?;
        Ok(Self {
            ifindex: index as i32,
            ifname: ifname.to_string(),
            queues: queues.max(1),
            fanout_id: (std::process::id() & 0xffff) as u16,
        })
    }

    fn socket(&self, protocol: u16) -> Result<OwnedFd, DriverError> {
        // SAFETY: plain system call; the returned descriptor is checked before it is owned.
        let fd = unsafe {
            libc::socket(
                libc::AF_PACKET,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                i32::from(protocol.to_be()),
            )
        };
        if fd < 0 {
            return Err(os_err("socket(AF_PACKET)", &self.ifname));
        }
        // SAFETY: `fd` is a fresh descriptor that nothing else owns.
        Ok(unsafe { OwnedFd::from_raw_fd(fd) })
    }

    fn bind(&self, fd: &OwnedFd, protocol: u16) -> Result<(), DriverError> {
        // SAFETY: sockaddr_ll is plain data; all-zero is a valid value.
        let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
        sll.sll_family = libc::AF_PACKET as u16;
        sll.sll_protocol = protocol.to_be();
        sll.sll_ifindex = self.ifindex;
        // SAFETY: `sll` is a valid sockaddr_ll and the length passed is its size.
        let r = unsafe {
            libc::bind(
                fd.as_raw_fd(),
                &sll as *const libc::sockaddr_ll as *const libc::sockaddr,
                std::mem::size_of::<libc::sockaddr_ll>() as u32,
            )
        };
        if r != 0 {
            return Err(os_err("bind", &self.ifname));
        }
        Ok(())
    }

    /// A transmit queue alone (the receive side uses one for its own replies: RSTs, ARP).
    pub fn open_tx(&self) -> Result<AfPacketTx, DriverError> {
        let fd = self.socket(0)?;
        setsockopt(&fd, libc::PACKET_VERSION, TPACKET_V2, &self.ifname)?;
        setsockopt(&fd, libc::PACKET_QDISC_BYPASS, 1u32, &self.ifname)?;
        let req = libc::tpacket_req {
            tp_block_size: (TX_FRAME_SIZE * 16) as u32,
            tp_block_nr: (TX_FRAMES / 16) as u32,
            tp_frame_size: TX_FRAME_SIZE as u32,
            tp_frame_nr: TX_FRAMES as u32,
        };
        setsockopt(&fd, libc::PACKET_TX_RING, req, &self.ifname)?;
        let ring = Mmap::new(&fd, TX_FRAME_SIZE * TX_FRAMES, &self.ifname)?;
        self.bind(&fd, 0)?;
        Ok(AfPacketTx {
            fd,
            // SAFETY: the mapping lives as long as the queue, which holds it (`_map`); the
            // ring is the only user of it on our side.
            ring: TxRing::new(unsafe { ring.mem() }),
            _map: ring,
            pending: 0,
            stats: QueueStats::default(),
        })
    }

    /// A receive queue alone.
    pub fn open_rx(&self) -> Result<AfPacketRx, DriverError> {
        let fd = self.socket(libc::ETH_P_ALL as u16)?;
        setsockopt(&fd, libc::PACKET_VERSION, TPACKET_V3, &self.ifname)?;
        let req = libc::tpacket_req3 {
            tp_block_size: RX_BLOCK_SIZE as u32,
            tp_block_nr: RX_BLOCKS as u32,
            tp_frame_size: RX_FRAME_SIZE as u32,
            tp_frame_nr: (RX_BLOCK_SIZE / RX_FRAME_SIZE * RX_BLOCKS) as u32,
            tp_retire_blk_tov: RX_BLOCK_TIMEOUT_MS,
            tp_sizeof_priv: 0,
            tp_feature_req_word: 0,
        };
        setsockopt(&fd, libc::PACKET_RX_RING, req, &self.ifname)?;
        let ring = Mmap::new(&fd, RX_BLOCK_SIZE * RX_BLOCKS, &self.ifname)?;
        // Older kernels lack it; then our own frames are dropped by the reply filter instead.
        let _ = setsockopt(&fd, PACKET_IGNORE_OUTGOING, 1u32, &self.ifname);
        self.bind(&fd, libc::ETH_P_ALL as u16)?;
        if self.queues > 1 {
            let arg = u32::from(self.fanout_id) | (libc::PACKET_FANOUT_HASH << 16);
            setsockopt(&fd, libc::PACKET_FANOUT, arg, &self.ifname)?;
        }
        Ok(AfPacketRx {
            fd,
            // SAFETY: as for the transmit ring: the queue holds the mapping (`_map`).
            ring: RxRing::new(unsafe { ring.mem() }),
            _map: ring,
            stats: QueueStats::default(),
            drops: std::cell::Cell::new(0),
        })
    }
}

impl Driver for AfPacket {
    type Tx = AfPacketTx;
    type Rx = AfPacketRx;

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            name: "afpacket",
            queues: self.queues,
            zero_copy: false,
            mtu: TX_FRAME_SIZE - TX_DATA_OFFSET,
            tx_checksum_offload: false,
            transmits: true,
        }
    }

    fn open_queue(&mut self, index: usize) -> Result<(AfPacketTx, AfPacketRx), DriverError> {
        if index >= self.queues {
            return Err(DriverError::Other(format!(
                "afpacket: queue {index} does not exist ({} queues)",
                self.queues
            )));
        }
        Ok((self.open_tx()?, self.open_rx()?))
    }

    fn open_answer_queue(&mut self, _index: usize) -> Result<AfPacketTx, DriverError> {
        self.open_tx()
    }
}

fn setsockopt<T>(
    fd: &OwnedFd,
    opt: libc::c_int,
    value: T,
    ifname: &str,
) -> Result<(), DriverError> {
    // SAFETY: `value` is a plain-data option value that lives across the call; the length given
    // is its size.
    let r = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            libc::SOL_PACKET,
            opt,
            &value as *const T as *const libc::c_void,
            std::mem::size_of::<T>() as u32,
        )
    };
    if r != 0 {
        return Err(os_err(&format!("setsockopt({opt})"), ifname));
    }
    Ok(())
}

/// A ring's mapping, shared with the kernel; unmapped on drop.
struct Mmap {
    ptr: NonNull<u8>,
    len: usize,
}

// SAFETY: the mapping is owned by one queue, which is used by one thread at a time.
unsafe impl Send for Mmap {}

impl Mmap {
    fn new(fd: &OwnedFd, len: usize, ifname: &str) -> Result<Self, DriverError> {
        // SAFETY: maps the ring the kernel set up for `fd`; the result is checked.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_LOCKED,
                fd.as_raw_fd(),
                0,
            )
        };
        if p == libc::MAP_FAILED {
            // MAP_LOCKED fails under a low RLIMIT_MEMLOCK: map without it.
            // SAFETY: as above.
            let p = unsafe {
                libc::mmap(
                    std::ptr::null_mut(),
                    len,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_SHARED,
                    fd.as_raw_fd(),
                    0,
                )
            };
            if p == libc::MAP_FAILED {
                return Err(os_err("mmap of the packet ring", ifname));
            }
            return Ok(Self {
                ptr: NonNull::new(p as *mut u8).expect("mmap returned null"),
                len,
            });
        }
        Ok(Self {
            ptr: NonNull::new(p as *mut u8).expect("mmap returned null"),
            len,
        })
    }

    /// A view of the mapping for a ring walker.
    ///
    /// # Safety
    ///
    /// The view must not be used after this mapping is dropped, and only one view may be in
    /// use at a time.
    unsafe fn mem(&self) -> RingMem {
        // SAFETY: a page-aligned mapping of `len` bytes; the caller keeps it alive and unshared.
        unsafe { RingMem::new(self.ptr, self.len) }
    }
}

impl Drop for Mmap {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly the region mapped in `new`; nothing refers to it any more.
        unsafe {
            libc::munmap(self.ptr.as_ptr() as *mut libc::c_void, self.len);
        }
    }
}

/// Transmit side: a TPACKET_V2 TX ring.
pub struct AfPacketTx {
    fd: OwnedFd,
    ring: TxRing,
    _map: Mmap,
    /// Frames marked for sending since the last kick.
    pending: usize,
    stats: QueueStats,
}

impl AfPacketTx {
    /// One `send()` that asks the kernel to transmit the frames marked since the last one.
    fn send_pending(&mut self) -> Result<(), DriverError> {
        if self.pending == 0 {
            return Ok(());
        }
        self.pending = 0;
        self.stats.tx_kicks += 1;
        // SAFETY: a send with no data asks the kernel to transmit the ring's pending frames.
        let r = unsafe { libc::send(self.fd.as_raw_fd(), std::ptr::null(), 0, libc::MSG_DONTWAIT) };
        if r < 0 {
            let e = io::Error::last_os_error();
            match e.raw_os_error() {
                // The device queue is full: frames stay in the ring for the next kick.
                Some(libc::EAGAIN) | Some(libc::ENOBUFS) | Some(libc::EINTR) => {}
                _ => return Err(DriverError::Other(format!("afpacket: send: {e}"))),
            }
        }
        Ok(())
    }
}

impl AfPacketTx {
    /// Fills up to `max` free slots of the ring, each by `fill`, and marks them for sending;
    /// the frames go out at the next kick. Returns how many.
    #[inline]
    fn fill_slots<F: FnMut(&mut [u8]) -> usize>(&mut self, max: usize, fill: F) -> usize {
        let n = self.ring.fill_slots(max, fill, &mut self.stats);
        self.pending += n;
        n
    }
}

impl TxQueue for AfPacketTx {
    #[inline]
    fn transmit<F: FnMut(&mut [u8]) -> usize>(
        &mut self,
        max: usize,
        fill: F,
    ) -> Result<usize, DriverError> {
        let n = self.fill_slots(max, fill);
        self.send_pending()?;
        Ok(n)
    }

    /// Fills one slot and leaves the kick to [`TxQueue::kick`]: one `send()` per batch of
    /// replies instead of one per reply.
    #[inline]
    fn queue_one<F: FnOnce(&mut [u8]) -> usize>(&mut self, fill: F) -> Result<bool, DriverError> {
        let mut fill = Some(fill);
        let mut lent = false;
        self.fill_slots(1, |buf| {
            lent = true;
            fill.take().map_or(0, |f| f(buf))
        });
        Ok(lent)
    }

    fn kick(&mut self) -> Result<(), DriverError> {
        self.send_pending()
    }

    fn flush(&mut self) -> Result<(), DriverError> {
        // Kick until every slot is back with us (at most about a second).
        for _ in 0..1000 {
            if !self.ring.busy() {
                return Ok(());
            }
            self.pending = 1;
            self.send_pending()?;
            std::thread::sleep(Duration::from_millis(1));
        }
        Ok(())
    }

    fn stats(&self) -> QueueStats {
        self.stats
    }
}

/// Receive side: a TPACKET_V3 RX ring.
pub struct AfPacketRx {
    fd: OwnedFd,
    ring: RxRing,
    _map: Mmap,
    stats: QueueStats,
    /// Kernel drops read so far (the kernel resets its count on each read).
    drops: std::cell::Cell<u64>,
}

impl RxQueue for AfPacketRx {
    fn receive<F: FnMut(&[u8])>(&mut self, max: usize, on_frame: F) -> Result<usize, DriverError> {
        Ok(self.ring.receive(max, on_frame, &mut self.stats))
    }

    fn wait(&mut self, timeout: Duration) {
        if self.ring.ready() {
            return;
        }
        let mut pfd = libc::pollfd {
            fd: self.fd.as_raw_fd(),
            events: libc::POLLIN | libc::POLLERR,
            revents: 0,
        };
        let ms = timeout.as_millis().min(i32::MAX as u128) as i32;
        // SAFETY: one valid pollfd, count 1.
        unsafe {
            libc::poll(&mut pfd, 1, ms);
        }
    }

    fn stats(&self) -> QueueStats {
        // tpacket_stats_v3: tp_packets, tp_drops, tp_freeze_q_cnt; reading resets them.
        let mut st = [0u32; 3];
        let mut len = std::mem::size_of::<[u32; 3]>() as libc::socklen_t;
        // SAFETY: the kernel writes at most `len` bytes of struct tpacket_stats_v3 into `st`.
        let r = unsafe {
            libc::getsockopt(
                self.fd.as_raw_fd(),
                libc::SOL_PACKET,
                libc::PACKET_STATISTICS,
                st.as_mut_ptr() as *mut libc::c_void,
                &mut len,
            )
        };
        if r == 0 {
            self.drops.set(self.drops.get() + u64::from(st[1]));
        }
        QueueStats {
            rx_dropped: self.drops.get(),
            ..self.stats
        }
    }
}

//! The `afxdp` backend: AF_XDP sockets (xdpilone), one per interface queue, each with its own
//! UMEM, fed by the XDP steering program of `masscan-ebpf`, which redirects exactly the scan's
//! replies into them (the kernel never sees those, so it never answers them with RSTs).
//!
//! Per queue the UMEM is split in two: transmit frames (recycled through the completion ring by
//! the transmit thread) and receive frames (recycled through the fill ring by the receive
//! thread), so the two threads share no ring and take no lock. The receive thread's own frames
//! (RSTs, ARP answers, banner segments) cannot use a second socket (a queue has one UMEM and one
//! completion ring): a share of the transmit frames is lent to its answer queue, which writes each
//! answer in place into one of them and hands the frame's address to the transmit side through a
//! bounded lock-free queue; the transmit side puts those descriptors on its ring ahead of the next
//! batch of probes (and keeps doing so while the scan waits for late replies: see
//! [`TxQueue::poll_answers`]) and gives the frames back as they complete. No copy, no allocation.
//! Zero-copy where the driver allows, copy mode elsewhere (veth); need_wakeup honoured on both
//! rings.

use crate::afpacket::ifindex;
use masscan_ebpf::{SteerConfig, Steering};
use masscan_engine::driver::{
    queue_one_by_transmit, Capabilities, Driver, DriverError, QueueStats, RxQueue, TxQueue,
};
use std::ffi::CString;
use std::num::NonZeroU32;
use std::ptr::NonNull;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use xdpilone::xdp::XdpDesc;
use xdpilone::{
    CompletionQueue, FillQueue, IfInfo, RingRx, RingTx, Socket, SocketConfig, Umem, UmemConfig,
};

mod frames;
use frames::{
    gather, give_back, take_received, AnswerQueue, Area, Batch, ANSWER_FIRST, FRAMES, FRAME_SIZE,
    TX_FRAMES,
};

const RING: u32 = 4096;

/// Replies put on the ring in the same reservation as a batch of probes, at most.
const MAX_ANSWERS_WITH_PROBES: usize = 192;
const SOL_XDP: libc::c_int = 283;
const XDP_OPTIONS: libc::c_int = 8;
const XDP_OPTIONS_ZEROCOPY: u32 = 1;

fn err(what: &str, e: impl std::fmt::Debug) -> DriverError {
    DriverError::Other(format!("afxdp: {what}: {e:?}"))
}

/// One interface queue: its UMEM and socket, split into the two halves.
struct QueueParts {
    tx: AfXdpTx,
    rx: AfXdpRx,
    zero_copy: bool,
}

/// The AF_XDP backend on one interface: a socket on every queue, the steering program attached.
pub struct AfXdp {
    ifname: String,
    parts: Vec<Option<QueueParts>>,
    /// Per queue: the frames the receive thread hands over, and the queue's UMEM (kept here so
    /// the answer handle can hold it too without mapping memory of its own).
    answers: Vec<(Arc<AnswerQueue>, Arc<Area>)>,
    zero_copy: bool,
    steering: Arc<Mutex<Steering>>,
}

/// The number of receive queues of an interface (from sysfs).
pub fn rx_queue_count(ifname: &str) -> usize {
    std::fs::read_dir(format!("/sys/class/net/{ifname}/queues"))
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter(|e| e.file_name().to_string_lossy().starts_with("rx-"))
                .count()
        })
        .unwrap_or(1)
        .max(1)
}

impl AfXdp {
    /// Sockets on every receive queue of `ifname`, the steering program attached for `steer`.
    pub fn new(ifname: &str, steer: &SteerConfig) -> Result<Self, DriverError> {
        let index = ifindex(ifname)
            .ok_or_else(|| DriverError::Other(format!("afxdp: no interface named '{ifname}'")))?;
        let mut steering = Steering::attach(ifname, steer).map_err(|e| err("XDP", e))?;
        let queues = rx_queue_count(ifname);
        let mut parts = Vec::new();
        let mut answers = Vec::new();
        let mut zero_copy = true;
        for q in 0..queues {
            let answer_queue = Arc::new(AnswerQueue::new());
            let p = open_queue_parts(ifname, index, q as u32, Arc::clone(&answer_queue))?;
            steering
                .register_socket(q as u32, p.rx.fd)
                .map_err(|e| err("XSKMAP", e))?;
            zero_copy &= p.zero_copy;
            answers.push((answer_queue, Arc::clone(&p.tx.area)));
            parts.push(Some(p));
        }
        Ok(Self {
            ifname: ifname.to_string(),
            parts,
            answers,
            zero_copy,
            steering: Arc::new(Mutex::new(steering)),
        })
    }

    /// The steering program, for its counters.
    pub fn steering(&self) -> Arc<Mutex<Steering>> {
        Arc::clone(&self.steering)
    }

    /// `driver` or `skb`.
    pub fn xdp_mode(&self) -> &'static str {
        self.steering.lock().map(|s| s.mode()).unwrap_or("unknown")
    }
}

fn socket_options(fd: libc::c_int) -> u32 {
    let mut v: u32 = 0;
    let mut len = std::mem::size_of::<u32>() as libc::socklen_t;
    // SAFETY: reads a 4-byte struct xdp_options into `v`, whose size is passed.
    let r = unsafe {
        libc::getsockopt(
            fd,
            SOL_XDP,
            XDP_OPTIONS,
            &mut v as *mut u32 as *mut libc::c_void,
            &mut len,
        )
    };
    if r == 0 {
        v
    } else {
        0
    }
}

/// Copy mode sends at most 32 frames per wake-up unless the socket's budget is raised
/// (XDP_MAX_TX_SKB_BUDGET, Linux 6.17 and later): ask for a whole ring's worth; older kernels
/// refuse the option and keep 32.
fn raise_tx_budget(fd: libc::c_int) {
    const XDP_MAX_TX_SKB_BUDGET: libc::c_int = 9;
    let budget: u32 = RING;
    // SAFETY: passes a u32 and its size; an unknown option is refused with an error, not used.
    unsafe {
        libc::setsockopt(
            fd,
            SOL_XDP,
            XDP_MAX_TX_SKB_BUDGET,
            &budget as *const u32 as *const libc::c_void,
            std::mem::size_of::<u32>() as libc::socklen_t,
        );
    }
}

fn open_queue_parts(
    ifname: &str,
    index: u32,
    queue: u32,
    answers: Arc<AnswerQueue>,
) -> Result<QueueParts, DriverError> {
    let area = Arc::new(Area::new((FRAMES * FRAME_SIZE) as usize)?);
    let config = UmemConfig {
        fill_size: RING,
        complete_size: RING,
        frame_size: FRAME_SIZE,
        headroom: 0,
        flags: 0,
    };
    let slice = NonNull::slice_from_raw_parts(area.ptr, area.len);
    // SAFETY: `slice` is a page-aligned mapping of FRAMES * FRAME_SIZE bytes that outlives the
    // UMEM (both halves hold the Arc and drop their sockets before it).
    let umem = unsafe { Umem::new(config, slice) }.map_err(|e| err("UMEM", e))?;
    let name = CString::new(ifname).map_err(|e| err("interface name", e))?;
    let mut info = IfInfo::invalid();
    info.from_name(&name).map_err(|e| err("interface", e))?;
    info.set_queue(queue);
    debug_assert_eq!(info.ifindex(), index);
    let sock = Socket::with_shared(&info, &umem).map_err(|e| {
        err(
            "socket (AF_XDP needs CAP_NET_RAW and CAP_NET_ADMIN, and Linux 4.18 or later)",
            e,
        )
    })?;
    let device = umem
        .fq_cq(&sock)
        .map_err(|e| err("fill/completion rings", e))?;
    let user = umem
        .rx_tx(
            &sock,
            &SocketConfig {
                rx_size: NonZeroU32::new(RING),
                tx_size: NonZeroU32::new(RING),
                bind_flags: SocketConfig::XDP_BIND_NEED_WAKEUP,
            },
        )
        .map_err(|e| err("rx/tx rings", e))?;
    let rx_ring = user.map_rx().map_err(|e| err("rx ring", e))?;
    let tx_ring = user.map_tx().map_err(|e| err("tx ring", e))?;
    umem.bind(&user)
        .map_err(|e| err(&format!("bind to {ifname} queue {queue}"), e))?;
    let fd = rx_ring.as_raw_fd();
    raise_tx_budget(fd);
    let zero_copy = socket_options(fd) & XDP_OPTIONS_ZEROCOPY != 0;
    let (fill, completion) = device.into_parts();
    let owner = Arc::new(Owner {
        _umem: umem,
        _user: user,
        _sock: sock,
    });
    let mut rx = AfXdpRx {
        ring: rx_ring,
        fill,
        free: (TX_FRAMES..FRAMES)
            .map(|i| u64::from(i * FRAME_SIZE))
            .collect(),
        fd,
        area: Arc::clone(&area),
        _owner: Arc::clone(&owner),
        stats: QueueStats::default(),
    };
    rx.refill();
    let tx = AfXdpTx {
        ring: Some(tx_ring),
        completion: Some(completion),
        free: (0..ANSWER_FIRST)
            .map(|i| u64::from(i * FRAME_SIZE))
            .collect(),
        outstanding: 0,
        answers,
        answer_side: false,
        area,
        _owner: Some(owner),
        stats: QueueStats::default(),
    };
    Ok(QueueParts { tx, rx, zero_copy })
}

/// What keeps a queue's socket and UMEM registration alive until both halves are gone.
struct Owner {
    _umem: Umem,
    _user: xdpilone::User,
    _sock: Socket,
}

// SAFETY: the socket, UMEM and user handles are file descriptors and a pointer into the `Area`;
// after set-up nothing calls into them (only the rings are used, each by one thread).
unsafe impl Send for Owner {}
// SAFETY: as above: shared only to be dropped.
unsafe impl Sync for Owner {}

impl Driver for AfXdp {
    type Tx = AfXdpTx;
    type Rx = AfXdpRx;

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            name: "afxdp",
            queues: self.parts.len(),
            zero_copy: self.zero_copy,
            mtu: FRAME_SIZE as usize,
            tx_checksum_offload: false,
            transmits: true,
        }
    }

    fn open_queue(&mut self, index: usize) -> Result<(AfXdpTx, AfXdpRx), DriverError> {
        let count = self.parts.len();
        let ifname = &self.ifname;
        let p = self
            .parts
            .get_mut(index)
            .ok_or_else(|| {
                DriverError::Other(format!(
                    "afxdp: {ifname} has {count} queue(s); use --tx-threads {count} or fewer"
                ))
            })?
            .take()
            .ok_or_else(|| DriverError::Other(format!("afxdp: queue {index} is already open")))?;
        Ok((p.tx, p.rx))
    }

    fn open_answer_queue(&mut self, index: usize) -> Result<AfXdpTx, DriverError> {
        let (answers, area) = self
            .answers
            .get(index)
            .ok_or_else(|| DriverError::Other(format!("afxdp: no queue {index}")))?;
        Ok(AfXdpTx {
            ring: None,
            completion: None,
            free: Vec::new(),
            outstanding: 0,
            answers: Arc::clone(answers),
            answer_side: true,
            area: Arc::clone(area),
            _owner: None,
            stats: QueueStats::default(),
        })
    }
}

/// Transmit side of a queue (or, with `answer_side`, the receive thread's handle that queues
/// frames for it).
pub struct AfXdpTx {
    ring: Option<RingTx>,
    completion: Option<CompletionQueue>,
    /// Transmit frames not in flight.
    free: Vec<u64>,
    /// Frames handed to the kernel and not completed yet.
    outstanding: u32,
    answers: Arc<AnswerQueue>,
    answer_side: bool,
    area: Arc<Area>,
    _owner: Option<Arc<Owner>>,
    stats: QueueStats,
}

// SAFETY: the rings are used only by the thread that owns this half; the completion queue is
// this half's alone (the receive half has the fill queue).
unsafe impl Send for AfXdpTx {}

impl AfXdpTx {
    fn reap(&mut self) {
        let Some(cq) = self.completion.as_mut() else {
            return;
        };
        let mut r = cq.complete(self.outstanding);
        while let Some(addr) = r.read() {
            give_back(addr, &self.answers, &mut self.free);
            self.outstanding -= 1;
        }
        r.release();
    }

    /// Puts on the ring, in one reservation and one wake-up, up to `answers` of the frames the
    /// receive side wrote, then up to `max` probes, each filled by `fill`. Returns the probes.
    fn push<F: FnMut(&mut [u8]) -> usize>(&mut self, answers: usize, max: usize, fill: F) -> usize {
        let probes_max = max.min(self.free.len());
        // SAFETY: the transmit half's free list holds only transmit frames it owns: each goes
        // on it at set-up or when the kernel completes it (`reap`), and comes off to be sent.
        let mut batch = unsafe {
            Batch::new(
                &mut self.free,
                &self.area,
                &self.answers.ready,
                answers,
                probes_max,
                fill,
            )
        };
        let n = Self::put_on_ring(self.ring.as_mut(), answers + probes_max, || batch.next());
        let (bytes, probes) = (batch.bytes, batch.probes);
        self.stats.tx_bytes += bytes;
        self.finish_push(n);
        probes
    }

    /// Puts the answers the receive side wrote on the ring (their frames are already filled).
    fn send_answers(&mut self) {
        while !self.answers.ready.is_empty() {
            let ready = &self.answers.ready;
            let n = Self::put_on_ring(self.ring.as_mut(), 256, || ready.pop());
            if n == 0 {
                break;
            }
            self.finish_push(n);
        }
    }

    /// Reserves up to `want` (at most 256) ring slots and fills them with the descriptors `next`
    /// gives, until it gives none; returns how many went on the ring.
    fn put_on_ring(
        ring: Option<&mut RingTx>,
        want: usize,
        next: impl FnMut() -> Option<(u64, u32)>,
    ) -> usize {
        let Some(ring) = ring else { return 0 };
        if want == 0 {
            return 0;
        }
        let mut w = ring.transmit(want.min(256) as u32);
        let room = w.capacity() as usize;
        let mut descs = [XdpDesc {
            addr: 0,
            len: 0,
            options: 0,
        }; 256];
        let n = gather(room, next, &mut descs);
        let inserted = w.insert(descs[..n].iter().copied()) as usize;
        debug_assert_eq!(inserted, n, "reserved room was checked");
        w.commit();
        n
    }

    /// Counts `n` frames put on the ring and wakes the kernel for them. In copy mode it sends
    /// at most 32 frames per wake-up: kick until it has taken the whole batch (or stops making
    /// progress).
    fn finish_push(&mut self, n: usize) -> usize {
        self.outstanding += n as u32;
        let Some(ring) = self.ring.as_mut() else {
            return n;
        };
        let mut kicks = 0;
        while n > 0 && ring.needs_wakeup() && ring.pending() > 0 && kicks < 16 {
            ring.wake();
            kicks += 1;
        }
        self.stats.tx_kicks += kicks;
        n
    }

    /// The receive side's `queue_one`: a free answer frame written in place and handed over.
    fn queue_answer<F: FnOnce(&mut [u8]) -> usize>(&mut self, fill: F) -> bool {
        let Some(addr) = self.answers.free.pop() else {
            self.stats.tx_ring_full += 1;
            return false;
        };
        // SAFETY: `addr` came off the answer free list, which only this answer handle pops: the
        // transmit side gives an answer frame back there only once the kernel completed it, and
        // the slice dies with `fill`'s call.
        let len = fill(unsafe { self.area.frame(addr) });
        if len == 0 {
            let _ = self.answers.free.push(addr);
            return true;
        }
        // Cannot fail: every answer frame is in exactly one of the queues, each as large as all.
        let _ = self.answers.ready.push((addr, len as u32));
        self.stats.tx_frames += 1;
        self.stats.tx_bytes += len as u64;
        true
    }
}

impl TxQueue for AfXdpTx {
    #[inline]
    fn transmit<F: FnMut(&mut [u8]) -> usize>(
        &mut self,
        max: usize,
        mut fill: F,
    ) -> Result<usize, DriverError> {
        if self.answer_side {
            let mut n = 0;
            while n < max {
                let mut wrote = false;
                let lent = self.queue_answer(|buf| {
                    let len = fill(buf);
                    wrote = len > 0;
                    len
                });
                if !lent || !wrote {
                    break;
                }
                n += 1;
            }
            return Ok(n);
        }
        self.reap();
        // The receive side's answers ride in the first reservation, ahead of the probes; a
        // backlog larger than that reservation takes is sent on its own first, so the lent
        // frames never run out while the receive side keeps pace with the probes.
        let backlog = self.answers.ready.len();
        if backlog > MAX_ANSWERS_WITH_PROBES {
            self.send_answers();
        }
        let mut answers = self.answers.ready.len().min(MAX_ANSWERS_WITH_PROBES);
        let mut n = 0;
        while n < max {
            let k = self.push(answers, max - n, &mut fill);
            answers = 0;
            if k == 0 {
                if self.free.is_empty() {
                    self.stats.tx_ring_full += 1;
                }
                break;
            }
            n += k;
        }
        self.stats.tx_frames += n as u64;
        Ok(n)
    }

    #[inline]
    fn queue_one<F: FnOnce(&mut [u8]) -> usize>(&mut self, fill: F) -> Result<bool, DriverError> {
        if self.answer_side {
            return Ok(self.queue_answer(fill));
        }
        queue_one_by_transmit(self, fill)
    }

    fn flush(&mut self) -> Result<(), DriverError> {
        if self.answer_side {
            return Ok(());
        }
        let deadline = Instant::now() + Duration::from_secs(1);
        self.send_answers();
        while self.outstanding > 0 && Instant::now() < deadline {
            if let Some(ring) = self.ring.as_mut() {
                ring.wake();
            }
            self.reap();
            if self.outstanding > 0 {
                std::thread::sleep(Duration::from_micros(200));
            }
        }
        Ok(())
    }

    fn poll_answers(&mut self) -> Result<(), DriverError> {
        if !self.answer_side {
            self.reap();
            self.send_answers();
        }
        Ok(())
    }

    fn stats(&self) -> QueueStats {
        self.stats
    }
}

/// `struct xdp_statistics` (Linux 5.9+ layout; older kernels fill the first three fields).
#[repr(C)]
#[derive(Default)]
struct XdpStatistics {
    rx_dropped: u64,
    rx_invalid_descs: u64,
    tx_invalid_descs: u64,
    rx_ring_full: u64,
    rx_fill_ring_empty_descs: u64,
    tx_ring_empty_descs: u64,
}

const XDP_STATISTICS: libc::c_int = 7;

fn xdp_statistics(fd: libc::c_int) -> XdpStatistics {
    let mut s = XdpStatistics::default();
    let mut len = std::mem::size_of::<XdpStatistics>() as libc::socklen_t;
    // SAFETY: the kernel writes at most `len` bytes of struct xdp_statistics into `s`.
    let r = unsafe {
        libc::getsockopt(
            fd,
            SOL_XDP,
            XDP_STATISTICS,
            &mut s as *mut XdpStatistics as *mut libc::c_void,
            &mut len,
        )
    };
    if r == 0 {
        s
    } else {
        XdpStatistics::default()
    }
}

/// Receive side of a queue.
pub struct AfXdpRx {
    ring: RingRx,
    fill: FillQueue,
    /// Receive frames not on the fill ring.
    free: Vec<u64>,
    fd: libc::c_int,
    area: Arc<Area>,
    _owner: Arc<Owner>,
    stats: QueueStats,
}

// SAFETY: the rx and fill rings are used only by the thread that owns this half.
unsafe impl Send for AfXdpRx {}

impl AfXdpRx {
    fn refill(&mut self) {
        if self.free.is_empty() {
            return;
        }
        let mut w = self.fill.fill(self.free.len() as u32);
        let n = w.capacity() as usize;
        let start = self.free.len() - n;
        w.insert(self.free[start..].iter().copied());
        w.commit();
        drop(w);
        self.free.truncate(start);
        if self.fill.needs_wakeup() {
            self.fill.wake();
        }
    }
}

impl RxQueue for AfXdpRx {
    fn receive<F: FnMut(&[u8])>(
        &mut self,
        max: usize,
        mut on_frame: F,
    ) -> Result<usize, DriverError> {
        self.refill();
        let mut r = self.ring.receive(max as u32);
        let mut n = 0;
        while let Some(desc) = r.read() {
            // SAFETY: the kernel handed this receive frame over on the rx ring; it stays ours
            // until its address goes back on the fill ring (in `refill`), and the transmit half
            // never touches receive frames.
            unsafe {
                take_received(
                    &self.area,
                    desc.addr,
                    desc.len,
                    &mut self.free,
                    &mut on_frame,
                )
            };
            self.stats.rx_frames += 1;
            self.stats.rx_bytes += u64::from(desc.len);
            n += 1;
        }
        r.release();
        drop(r);
        self.refill();
        Ok(n)
    }

    fn wait(&mut self, timeout: Duration) {
        if self.ring.available() > 0 {
            return;
        }
        let mut pfd = libc::pollfd {
            fd: self.fd,
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = timeout.as_millis().min(i32::MAX as u128) as i32;
        // SAFETY: one valid pollfd, count 1.
        unsafe {
            libc::poll(&mut pfd, 1, ms);
        }
    }

    fn stats(&self) -> QueueStats {
        let k = xdp_statistics(self.fd);
        QueueStats {
            rx_dropped: k.rx_dropped + k.rx_ring_full,
            rx_fill_empty: k.rx_fill_ring_empty_descs,
            ..self.stats
        }
    }
}

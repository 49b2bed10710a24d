//! A DPDK queue pair: [`DpdkTx`] writes frames in place into mbufs from its pair's pool and
//! sends them with `rte_eth_tx_burst`; [`DpdkRx`] lends received mbufs' data to the receive
//! loop and frees them in bulk. A DPDK transmit queue must not be used by two threads, so the
//! receive loop's own frames (RSTs, ARP answers, banner segments) are written into mbufs on its
//! core and handed through a bounded queue to the transmit core, which sends them with its
//! next burst (and keeps doing so, through `poll_answers`, after its last probe).

use super::{ffi, Mbuf, Port};
use crossbeam_queue::ArrayQueue;
use masscan_engine::driver::{DriverError, QueueStats, RxQueue, TxQueue};
use std::ffi::c_void;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Most frames filled or received per burst.
const BURST: usize = 256;

pub struct DpdkTx {
    port: Arc<Port>,
    queue: u16,
    pool: *mut c_void,
    /// Filled frames the device has not taken yet (its ring was full): sent first next time.
    pending: Vec<*mut c_void>,
    fresh: Vec<*mut c_void>,
    answers: Arc<ArrayQueue<Mbuf>>,
    /// This queue belongs to a receive core: its frames go through `replies`.
    answer_side: bool,
    /// The using thread has an lcore id (see `alloc`).
    registered: bool,
    stats: QueueStats,
}

// SAFETY: the mbufs in `pending`/`fresh` are owned by this queue alone, the pool is
// thread-safe, and the queue is used by one thread at a time (it moves to its core once).
unsafe impl Send for DpdkTx {}

impl DpdkTx {
    pub(super) fn new(
        port: Arc<Port>,
        queue: u16,
        pool: *mut c_void,
        answers: Arc<ArrayQueue<Mbuf>>,
        answer_side: bool,
    ) -> DpdkTx {
        DpdkTx {
            port,
            queue,
            pool,
            pending: Vec::with_capacity(BURST * 2),
            fresh: Vec::with_capacity(BURST),
            answers,
            answer_side,
            registered: false,
            stats: QueueStats::default(),
        }
    }

    /// Takes `n` fresh mbufs from the pool into `fresh`; false when the pool has fewer.
    fn alloc(&mut self, n: usize) -> bool {
        if !self.registered {
            // On the thread that uses the queue: its pool operations get a per-thread cache.
            // SAFETY: a plain call into the shim after EAL set-up.
            unsafe { ffi::msr_thread_register() };
            self.registered = true;
        }
        self.fresh.clear();
        self.fresh.resize(n, std::ptr::null_mut());
        // SAFETY: fresh has room for n pointers, which the shim fills on success.
        let ok = unsafe { ffi::msr_mbuf_alloc(self.pool, self.fresh.as_mut_ptr(), n as u32) } == 0;
        if !ok {
            self.fresh.clear();
        }
        ok
    }

    /// Lends each fresh mbuf's data room to `fill`; returns the filled ones (in order) and
    /// frees the rest.
    fn fill_fresh<F: FnMut(&mut [u8]) -> usize>(&mut self, mut fill: F) -> usize {
        let mut filled = 0;
        for k in 0..self.fresh.len() {
            let m = self.fresh[k];
            let mut room = 0u16;
            // SAFETY: m is a fresh mbuf we own; the shim returns its data pointer and the
            // room after it, which stays valid while we own m.
            let buf = unsafe {
                let data = ffi::msr_mbuf_room(m, &mut room);
                std::slice::from_raw_parts_mut(data, usize::from(room))
            };
            let len = fill(buf).min(buf.len());
            if len == 0 {
                break;
            }
            // SAFETY: len fits the mbuf's room.
            unsafe { ffi::msr_mbuf_set_len(m, len as u16) };
            self.stats.tx_frames += 1;
            self.stats.tx_bytes += len as u64;
            filled += 1;
        }
        let unused = self.fresh.len() - filled;
        if unused > 0 {
            // SAFETY: these mbufs are ours and were never handed on.
            unsafe { ffi::msr_mbuf_free(self.fresh.as_mut_ptr().add(filled), unused as u32) };
        }
        self.fresh.truncate(filled);
        filled
    }

    /// Hands `pending` to the device as far as its ring takes them.
    fn push_pending(&mut self) {
        while !self.pending.is_empty() {
            let n = self.pending.len().min(usize::from(u16::MAX));
            // SAFETY: pending holds n mbufs we own; those the device takes are its own now.
            let sent = usize::from(unsafe {
                ffi::msr_tx_burst(
                    self.port.id,
                    self.queue,
                    self.pending.as_mut_ptr(),
                    n as u16,
                )
            });
            self.stats.tx_kicks += 1;
            self.pending.drain(..sent);
            if sent < n {
                self.stats.tx_ring_full += 1;
                return;
            }
        }
    }

    /// Moves the receive core's frames into `pending`, bounded so a flood of replies cannot
    /// grow it.
    fn take_answers(&mut self) {
        while self.pending.len() < BURST * 2 {
            match self.answers.pop() {
                Some(m) => self.pending.push(m.0),
                None => break,
            }
        }
    }

    fn transmit_answers<F: FnMut(&mut [u8]) -> usize>(&mut self, max: usize, fill: F) -> usize {
        let want = max
            .min(BURST)
            .min(self.answers.capacity() - self.answers.len());
        if want == 0 || !self.alloc(want) {
            self.stats.tx_ring_full += 1;
            return 0;
        }
        let filled = self.fill_fresh(fill);
        for m in self.fresh.drain(..) {
            if let Err(Mbuf(mut m)) = self.answers.push(Mbuf(m)) {
                // SAFETY: the frame did not fit the hand-off queue: still ours to free.
                unsafe { ffi::msr_mbuf_free(&mut m, 1) };
            }
        }
        filled
    }
}

impl TxQueue for DpdkTx {
    fn transmit<F: FnMut(&mut [u8]) -> usize>(
        &mut self,
        max: usize,
        fill: F,
    ) -> Result<usize, DriverError> {
        if self.answer_side {
            return Ok(self.transmit_answers(max, fill));
        }
        self.take_answers();
        self.push_pending();
        if !self.pending.is_empty() {
            return Ok(0); // the device's ring is full: the caller tries again
        }
        let want = max.min(BURST);
        if want == 0 {
            return Ok(0);
        }
        if !self.alloc(want) {
            self.stats.tx_ring_full += 1;
            return Ok(0);
        }
        let filled = self.fill_fresh(fill);
        self.pending.append(&mut self.fresh);
        self.push_pending();
        Ok(filled)
    }

    fn flush(&mut self) -> Result<(), DriverError> {
        if self.answer_side {
            return Ok(());
        }
        let deadline = Instant::now() + Duration::from_secs(1);
        loop {
            self.take_answers();
            self.push_pending();
            if (self.pending.is_empty() && self.answers.is_empty()) || Instant::now() > deadline {
                return Ok(());
            }
            std::thread::yield_now();
        }
    }

    fn poll_answers(&mut self) -> Result<(), DriverError> {
        if !self.answer_side {
            self.take_answers();
            self.push_pending();
        }
        Ok(())
    }

    fn stats(&self) -> QueueStats {
        self.stats
    }
}

impl Drop for DpdkTx {
    fn drop(&mut self) {
        if !self.answer_side {
            while let Some(m) = self.answers.pop() {
                self.pending.push(m.0);
            }
        }
        if !self.pending.is_empty() {
            // SAFETY: frames the device never took are still ours.
            unsafe { ffi::msr_mbuf_free(self.pending.as_mut_ptr(), self.pending.len() as u32) };
        }
    }
}

pub struct DpdkRx {
    port: Arc<Port>,
    queue: u16,
    burst: Vec<*mut c_void>,
    /// The using thread has an lcore id (see [`DpdkTx`]'s `alloc`).
    registered: bool,
    stats: QueueStats,
}

// SAFETY: the mbufs in `burst` live only within one receive call; the queue is used by one
// thread at a time.
unsafe impl Send for DpdkRx {}

impl DpdkRx {
    pub(super) fn new(port: Arc<Port>, queue: u16) -> DpdkRx {
        DpdkRx {
            port,
            queue,
            burst: vec![std::ptr::null_mut(); BURST],
            registered: false,
            stats: QueueStats::default(),
        }
    }
}

impl RxQueue for DpdkRx {
    fn receive<F: FnMut(&[u8])>(
        &mut self,
        max: usize,
        mut on_frame: F,
    ) -> Result<usize, DriverError> {
        if !self.registered {
            // The receive path refills the device's ring and frees mbufs: with a cache.
            // SAFETY: a plain call into the shim after EAL set-up.
            unsafe { ffi::msr_thread_register() };
            self.registered = true;
        }
        let want = max.min(BURST) as u16;
        // SAFETY: burst has room for `want` pointers; the device fills n of them with mbufs
        // that are ours until freed below.
        let n = usize::from(unsafe {
            ffi::msr_rx_burst(self.port.id, self.queue, self.burst.as_mut_ptr(), want)
        });
        for &m in &self.burst[..n] {
            let mut len = 0u16;
            // SAFETY: m is a received mbuf we own; its data stays valid until freed below.
            let frame = unsafe {
                let data = ffi::msr_mbuf_data(m, &mut len);
                std::slice::from_raw_parts(data, usize::from(len))
            };
            self.stats.rx_frames += 1;
            self.stats.rx_bytes += u64::from(len);
            on_frame(frame);
        }
        if n > 0 {
            // SAFETY: the n mbufs are ours and no frame slice outlives this call.
            unsafe { ffi::msr_mbuf_free(self.burst.as_mut_ptr(), n as u32) };
        }
        Ok(n)
    }

    /// DPDK polls: an idle receive core naps 50 us (or less, if asked) between polls instead
    /// of spinning, trading that much latency for a free core.
    fn wait(&mut self, timeout: Duration) {
        std::thread::sleep(timeout.min(Duration::from_micros(50)));
    }

    fn stats(&self) -> QueueStats {
        let mut s = self.stats;
        if self.queue == 0 {
            // The device's missed count is per port: reported once, by queue 0.
            let mut out = [0u64; 6];
            // SAFETY: out has the 6 counters the shim writes.
            if unsafe { ffi::msr_port_stats(self.port.id, out.as_mut_ptr()) } == 0 {
                s.rx_dropped = out[4];
            }
        }
        s
    }
}

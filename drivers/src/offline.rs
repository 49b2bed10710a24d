//! The `offline` backend: a ring of frame buffers (laid out like an AF_XDP UMEM: fixed-size
//! frames cycled in order) that the engine fills in place exactly as it would for a NIC; the
//! frames are then counted and dropped. Nothing is ever transmitted, so it is safe anywhere and
//! measures the full per-probe path. Optionally it keeps copies of frames for tests, and its
//! receive side can replay given frames (the receive loop's tests and benchmark).

use masscan_engine::driver::{Capabilities, Driver, DriverError, QueueStats, RxQueue, TxQueue};

/// Frame size, as an AF_XDP UMEM chunk.
pub const FRAME_SIZE: usize = 2048;
/// Frames in each queue's ring.
pub const RING_FRAMES: usize = 256;

/// The offline backend with a given number of queue pairs.
#[derive(Debug, Clone)]
pub struct Offline {
    queues: usize,
    capture: usize,
}

impl Offline {
    pub fn new(queues: usize) -> Self {
        Self {
            queues: queues.max(1),
            capture: 0,
        }
    }

    /// Keeps copies of the first `frames` frames of each queue (see [`OfflineTx::captured`]).
    pub fn with_capture(mut self, frames: usize) -> Self {
        self.capture = frames;
        self
    }
}

impl Driver for Offline {
    type Tx = OfflineTx;
    type Rx = OfflineRx;

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            name: "offline",
            queues: self.queues,
            zero_copy: true,
            mtu: FRAME_SIZE,
            tx_checksum_offload: false,
            transmits: false,
        }
    }

    fn open_answer_queue(&mut self, index: usize) -> Result<OfflineTx, DriverError> {
        Ok(self.open_queue(index)?.0)
    }

    fn open_queue(&mut self, index: usize) -> Result<(OfflineTx, OfflineRx), DriverError> {
        if index >= self.queues {
            return Err(DriverError::Other(format!(
                "offline: queue {index} does not exist ({} queues)",
                self.queues
            )));
        }
        Ok((
            OfflineTx {
                ring: vec![0u8; FRAME_SIZE * RING_FRAMES].into_boxed_slice(),
                head: 0,
                stats: QueueStats::default(),
                capture_left: self.capture,
                captured: Vec::new(),
            },
            OfflineRx::replay(Vec::new(), 0),
        ))
    }
}

/// Transmit side of an offline queue.
pub struct OfflineTx {
    ring: Box<[u8]>,
    head: usize,
    stats: QueueStats,
    capture_left: usize,
    captured: Vec<Vec<u8>>,
}

impl OfflineTx {
    /// Frames kept by [`Offline::with_capture`].
    pub fn captured(&self) -> &[Vec<u8>] {
        &self.captured
    }
}

impl TxQueue for OfflineTx {
    #[inline]
    fn transmit<F: FnMut(&mut [u8]) -> usize>(
        &mut self,
        max: usize,
        mut fill: F,
    ) -> Result<usize, DriverError> {
        let mut n = 0;
        let mut bytes = 0u64;
        while n < max {
            let at = self.head * FRAME_SIZE;
            let frame = &mut self.ring[at..at + FRAME_SIZE];
            let len = fill(frame);
            if len == 0 {
                break;
            }
            debug_assert!(len <= FRAME_SIZE);
            if self.capture_left > 0 {
                self.capture_left -= 1;
                self.captured.push(frame[..len].to_vec());
            }
            bytes += len as u64;
            n += 1;
            self.head = (self.head + 1) % RING_FRAMES;
        }
        self.stats.tx_frames += n as u64;
        self.stats.tx_bytes += bytes;
        self.stats.tx_kicks += 1;
        Ok(n)
    }

    fn flush(&mut self) -> Result<(), DriverError> {
        Ok(())
    }

    fn stats(&self) -> QueueStats {
        self.stats
    }
}

/// Receive side of an offline queue: nothing arrives, unless frames were given to replay
/// ([`OfflineRx::replay`]).
pub struct OfflineRx {
    stats: QueueStats,
    frames: Vec<Vec<u8>>,
    /// Frames still to lend, cycling through `frames`.
    left: u64,
    next: usize,
}

impl OfflineRx {
    /// A receive queue that lends `count` frames, cycling through `frames` in order (the same
    /// buffers each time, so replaying costs no allocation).
    pub fn replay(frames: Vec<Vec<u8>>, count: u64) -> Self {
        let left = if frames.is_empty() { 0 } else { count };
        Self {
            stats: QueueStats::default(),
            frames,
            left,
            next: 0,
        }
    }

    /// Frames not lent yet.
    pub fn remaining(&self) -> u64 {
        self.left
    }
}

impl RxQueue for OfflineRx {
    #[inline]
    fn receive<F: FnMut(&[u8])>(
        &mut self,
        max: usize,
        mut on_frame: F,
    ) -> Result<usize, DriverError> {
        let n = (max as u64).min(self.left) as usize;
        for _ in 0..n {
            let f = &self.frames[self.next];
            self.stats.rx_frames += 1;
            self.stats.rx_bytes += f.len() as u64;
            on_frame(f);
            self.next = (self.next + 1) % self.frames.len();
        }
        self.left -= n as u64;
        Ok(n)
    }

    fn wait(&mut self, timeout: std::time::Duration) {
        // Nothing will arrive that is not already here: an idle offline queue just waits.
        if self.left == 0 {
            std::thread::sleep(timeout);
        }
    }

    fn stats(&self) -> QueueStats {
        self.stats
    }
}

//! The driver trait: frame I/O in batches, after smoltcp's tokens. The engine asks a transmit
//! queue for up to N frame buffers and fills each in place; a receive queue lends a batch of
//! received frames to a closure. Each transmit/receive loop owns one queue, so nothing is shared
//! between cores on the hot path. Backends live in the `masscan-drivers` crate.

/// What a backend can do, reported once when it opens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Capabilities {
    /// Backend name as given to `--driver`.
    pub name: &'static str,
    /// Number of queue pairs the backend offers (one per transmit/receive core).
    pub queues: usize,
    /// Frames go to the NIC without a copy.
    pub zero_copy: bool,
    /// Largest frame, without FCS.
    pub mtu: usize,
    /// The NIC fills checksums itself.
    pub tx_checksum_offload: bool,
    /// Frames transmitted actually leave the machine (false for `offline`).
    pub transmits: bool,
}

/// Counters a queue keeps about itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueStats {
    pub tx_frames: u64,
    pub tx_bytes: u64,
    /// Times the transmit ring had fewer free slots than asked for.
    pub tx_ring_full: u64,
    /// System calls (or doorbells) made to push frames out.
    pub tx_kicks: u64,
    pub rx_frames: u64,
    pub rx_bytes: u64,
    /// Frames the kernel dropped for this queue (its receive ring was full).
    pub rx_dropped: u64,
    /// Times the kernel found no free frame to receive into (AF_XDP's fill ring empty).
    pub rx_fill_empty: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Other(String),
}

/// A transmit queue.
pub trait TxQueue: Send {
    /// Lends up to `max` frame buffers, one at a time, to `fill`, which writes a frame at the
    /// start of the buffer and returns its length, or 0 to stop the batch early (that buffer is
    /// not sent). Returns the number of frames queued. Fewer than `max` (even zero) means the
    /// ring is full for now; the caller tries again.
    fn transmit<F: FnMut(&mut [u8]) -> usize>(
        &mut self,
        max: usize,
        fill: F,
    ) -> Result<usize, DriverError>;

    /// Writes one frame in place into a free transmit buffer without pushing it to the device
    /// yet: the receive loop's answers, written as frames arrive and pushed once per batch by
    /// [`TxQueue::kick`]. Returns false, without calling `fill`, when no buffer is free now.
    /// A `fill` that returns 0 sends nothing (the buffer stays free).
    fn queue_one<F: FnOnce(&mut [u8]) -> usize>(&mut self, fill: F) -> Result<bool, DriverError> {
        queue_one_by_transmit(self, fill)
    }

    /// Pushes out the frames [`TxQueue::queue_one`] wrote (one system call or doorbell for a
    /// batch of answers). Backends whose `queue_one` sends at once have nothing to do.
    fn kick(&mut self) -> Result<(), DriverError> {
        Ok(())
    }

    /// Pushes queued frames out and waits for the ring to drain as far as the backend can tell.
    fn flush(&mut self) -> Result<(), DriverError>;

    /// Sends frames other queues handed to this one (the receive side's RSTs, with backends
    /// whose receive core cannot transmit on its own); the transmit thread keeps calling it after
    /// its last probe, until the scan stops receiving. Most backends have nothing to do.
    fn poll_answers(&mut self) -> Result<(), DriverError> {
        Ok(())
    }

    fn stats(&self) -> QueueStats;
}

/// [`TxQueue::queue_one`] through `transmit(1, ..)`, which sends at once: the default, and
/// what a backend that overrides it for one kind of queue uses for the others.
pub fn queue_one_by_transmit<Q: TxQueue + ?Sized, F: FnOnce(&mut [u8]) -> usize>(
    q: &mut Q,
    fill: F,
) -> Result<bool, DriverError> {
    let mut fill = Some(fill);
    let mut lent = false;
    q.transmit(1, |buf| {
        lent = true;
        fill.take().map_or(0, |f| f(buf))
    })?;
    Ok(lent)
}

/// A receive queue.
pub trait RxQueue: Send {
    /// Lends up to `max` received frames to `on_frame`; returns how many, 0 when none are waiting.
    fn receive<F: FnMut(&[u8])>(&mut self, max: usize, on_frame: F) -> Result<usize, DriverError>;

    /// Blocks until a frame may be waiting or `timeout` passes (the receive loop calls it when
    /// `receive` found nothing, so an idle core sleeps instead of spinning). Blocking is I/O:
    /// every backend says how it waits.
    fn wait(&mut self, timeout: std::time::Duration);

    fn stats(&self) -> QueueStats;
}

/// A frame I/O backend: a set of queue pairs.
pub trait Driver {
    type Tx: TxQueue;
    type Rx: RxQueue;

    fn capabilities(&self) -> Capabilities;

    /// Opens queue pair `index` (`index < capabilities().queues`).
    fn open_queue(&mut self, index: usize) -> Result<(Self::Tx, Self::Rx), DriverError>;

    /// A second transmit queue beside queue pair `index`, for the receive loop's own frames
    /// (RSTs, ARP answers, later TCP segments), so that the receive core never shares the
    /// transmit core's ring and no lock is needed.
    fn open_answer_queue(&mut self, index: usize) -> Result<Self::Tx, DriverError>;

    /// Why this backend needs the process's privileges until it closes (`None`: it does not,
    /// and the scan drops every capability once its queues are open). E.g. DPDK's
    /// net_af_xdp removes its XDP program from the interface when the port closes.
    fn needs_privileges_to_close(&self) -> Option<String> {
        None
    }
}

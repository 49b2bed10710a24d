//! Middleware queues that wrap any backend's queue, after smoltcp's tracer and pcap writer
//! devices: [`Traced`] prints a line per frame sent or received (`--packet-trace`, stdout), and
//! [`PcapRx`] writes received frames to a pcap file (`--pcap`), [`PcapTx`] sent ones
//! (`--pcap-sent`). They pass frames through
//! unchanged; when switched off they cost one branch per batch.

use masscan_engine::driver::{DriverError, QueueStats, RxQueue, TxQueue};
use masscan_engine::trace::packet_trace_line;
use pcap_file::pcap::{PcapPacket, PcapWriter};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Prints `SENT`/`RCVD` lines with seconds since the scan started, when `on`.
pub struct Traced<Q> {
    pub inner: Q,
    on: bool,
    start: Instant,
}

impl<Q> Traced<Q> {
    pub fn new(inner: Q, on: bool, start: Instant) -> Self {
        Self { inner, on, start }
    }

    /// The original's `--packet-trace` line, on stdout as it prints it.
    fn line(&self, dir: &str, frame: &[u8]) {
        if let Some(l) = packet_trace_line(dir, self.start.elapsed().as_secs_f64(), frame) {
            println!("{l}");
        }
    }
}

impl<Q: TxQueue> TxQueue for Traced<Q> {
    #[inline]
    fn transmit<F: FnMut(&mut [u8]) -> usize>(
        &mut self,
        max: usize,
        mut fill: F,
    ) -> Result<usize, DriverError> {
        if !self.on {
            return self.inner.transmit(max, fill);
        }
        let (on, start) = (self.on, self.start);
        let tracer = Traced::new((), on, start);
        self.inner.transmit(max, |buf| {
            let n = fill(buf);
            if n > 0 {
                tracer.line("SENT", &buf[..n]);
            }
            n
        })
    }

    #[inline]
    fn queue_one<F: FnOnce(&mut [u8]) -> usize>(&mut self, fill: F) -> Result<bool, DriverError> {
        if !self.on {
            return self.inner.queue_one(fill);
        }
        let tracer = Traced::new((), self.on, self.start);
        self.inner.queue_one(|buf| {
            let n = fill(buf);
            if n > 0 {
                tracer.line("SENT", &buf[..n]);
            }
            n
        })
    }

    fn kick(&mut self) -> Result<(), DriverError> {
        self.inner.kick()
    }

    fn flush(&mut self) -> Result<(), DriverError> {
        self.inner.flush()
    }

    fn poll_answers(&mut self) -> Result<(), DriverError> {
        self.inner.poll_answers()
    }

    fn stats(&self) -> QueueStats {
        self.inner.stats()
    }
}

impl<Q: RxQueue> RxQueue for Traced<Q> {
    #[inline]
    fn receive<F: FnMut(&[u8])>(
        &mut self,
        max: usize,
        mut on_frame: F,
    ) -> Result<usize, DriverError> {
        if !self.on {
            return self.inner.receive(max, on_frame);
        }
        let tracer = Traced::new((), self.on, self.start);
        self.inner.receive(max, |f| {
            tracer.line("RCVD", f);
            on_frame(f)
        })
    }

    fn wait(&mut self, timeout: Duration) {
        self.inner.wait(timeout)
    }

    fn stats(&self) -> QueueStats {
        self.inner.stats()
    }
}

/// The file under a pcap writer, shared so that it can be flushed from outside the writer.
#[derive(Clone)]
pub struct PcapFile(Arc<Mutex<BufWriter<File>>>);

impl Write for PcapFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("pcap file lock poisoned"))?
            .write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("pcap file lock poisoned"))?
            .flush()
    }
}

/// A pcap file shared by every receive queue.
#[derive(Clone)]
pub struct SharedPcap {
    writer: Arc<Mutex<PcapWriter<PcapFile>>>,
    file: PcapFile,
}

impl SharedPcap {
    /// Creates a pcap file for Ethernet frames.
    pub fn create(path: &str) -> Result<Self, String> {
        let f = File::create(path).map_err(|e| format!("cannot create pcap file '{path}': {e}"))?;
        let file = PcapFile(Arc::new(Mutex::new(BufWriter::new(f))));
        let w = PcapWriter::new(file.clone())
            .map_err(|e| format!("cannot write pcap file '{path}': {e}"))?;
        Ok(Self {
            writer: Arc::new(Mutex::new(w)),
            file,
        })
    }

    /// Pushes buffered packets to the file (about once a second, and at the end).
    pub fn flush(&self) -> std::io::Result<()> {
        self.file.clone().flush()
    }
}

/// Writes every received frame to a pcap file, when one is given.
pub struct PcapRx<Q> {
    pub inner: Q,
    file: Option<SharedPcap>,
    errors: u64,
}

impl<Q> PcapRx<Q> {
    pub fn new(inner: Q, file: Option<SharedPcap>) -> Self {
        Self {
            inner,
            file,
            errors: 0,
        }
    }

    /// Frames that could not be written.
    pub fn errors(&self) -> u64 {
        self.errors
    }
}

impl<Q: RxQueue> RxQueue for PcapRx<Q> {
    #[inline]
    fn receive<F: FnMut(&[u8])>(
        &mut self,
        max: usize,
        mut on_frame: F,
    ) -> Result<usize, DriverError> {
        let Some(file) = &self.file else {
            return self.inner.receive(max, on_frame);
        };
        // One lock per batch; frames are written straight from the ring, no copies.
        let Ok(mut w) = file.writer.lock() else {
            return self.inner.receive(max, on_frame);
        };
        let errors = &mut self.errors;
        let n = self.inner.receive(max, |f| {
            let ts = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default();
            if w.write_packet(&PcapPacket::new(ts, f.len() as u32, f))
                .is_err()
            {
                *errors += 1;
            }
            on_frame(f)
        })?;
        Ok(n)
    }

    fn wait(&mut self, timeout: Duration) {
        self.inner.wait(timeout)
    }

    fn stats(&self) -> QueueStats {
        self.inner.stats()
    }
}

/// Writes every frame sent to a pcap file, when one is given (`--pcap-sent`): what the engine
/// wrote into the backend's buffers, byte for byte.
pub struct PcapTx<Q> {
    pub inner: Q,
    file: Option<SharedPcap>,
}

impl<Q> PcapTx<Q> {
    pub fn new(inner: Q, file: Option<SharedPcap>) -> Self {
        Self { inner, file }
    }
}

/// Wraps `fill` so that each frame it writes is also written to `w`.
fn recording<'a, W: Write, F: FnMut(&mut [u8]) -> usize + 'a>(
    w: &'a mut PcapWriter<W>,
    mut fill: F,
) -> impl FnMut(&mut [u8]) -> usize + 'a {
    move |buf: &mut [u8]| {
        let n = fill(buf);
        if n > 0 {
            let ts = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default();
            let _ = w.write_packet(&PcapPacket::new(ts, n as u32, &buf[..n]));
        }
        n
    }
}

impl<Q: TxQueue> TxQueue for PcapTx<Q> {
    #[inline]
    fn transmit<F: FnMut(&mut [u8]) -> usize>(
        &mut self,
        max: usize,
        fill: F,
    ) -> Result<usize, DriverError> {
        let Some(file) = &self.file else {
            return self.inner.transmit(max, fill);
        };
        let Ok(mut w) = file.writer.lock() else {
            return self.inner.transmit(max, fill);
        };
        self.inner.transmit(max, recording(&mut w, fill))
    }

    #[inline]
    fn queue_one<F: FnOnce(&mut [u8]) -> usize>(&mut self, fill: F) -> Result<bool, DriverError> {
        let Some(file) = &self.file else {
            return self.inner.queue_one(fill);
        };
        let Ok(mut w) = file.writer.lock() else {
            return self.inner.queue_one(fill);
        };
        let mut fill = Some(fill);
        let mut record = recording(&mut w, |buf: &mut [u8]| fill.take().map_or(0, |f| f(buf)));
        self.inner.queue_one(|buf| record(buf))
    }

    fn kick(&mut self) -> Result<(), DriverError> {
        self.inner.kick()
    }

    fn flush(&mut self) -> Result<(), DriverError> {
        self.inner.flush()
    }

    fn poll_answers(&mut self) -> Result<(), DriverError> {
        self.inner.poll_answers()
    }

    fn stats(&self) -> QueueStats {
        self.inner.stats()
    }
}

//! The PF_RING backend (`--driver pfring`, `--pfring`, or an interface named `zc:IF`/`dnaN`), as
//! the original has it: `libpfring.so` is loaded at run time (nothing links against it, so a
//! build needs no PF_RING), its functions looked up by name, and the `pf_ring` kernel module
//! checked. Each queue is its own ring: a transmit ring per transmit core and per receive core
//! (for its replies), a receive ring per receive core; with several queues the rings are opened
//! on `DEVICE@k`. A library that exports `pfring_standin` is a stand-in for tests (see
//! test-support/pfring-standin.c): said so when used, and no kernel module is asked for.

use masscan_engine::driver::{Capabilities, Driver, DriverError, QueueStats, RxQueue, TxQueue};
use std::ffi::{c_char, c_int, c_uint, c_void, CStr, CString};
use std::sync::Arc;
use std::time::Duration;

const PF_RING_PROMISC: c_uint = 1 << 3;
const RX_ONLY: c_int = 1;
const TX_ONLY: c_int = 2;
const NO_TX_SLOT: c_int = -4;
const CAPLEN: c_uint = 2048;

/// PF_RING's packet header: what `pfring_recv` writes (its extended part is left generous,
/// as the original does, since its size changed between versions).
#[repr(C)]
struct PktHdr {
    tv_sec: i64,
    tv_usec: i64,
    caplen: c_uint,
    len: c_uint,
    extended: [u8; 512],
}

type OpenFn = unsafe extern "C" fn(*const c_char, c_uint, c_uint) -> *mut c_void;
type RingFn = unsafe extern "C" fn(*mut c_void) -> c_int;
type CloseFn = unsafe extern "C" fn(*mut c_void);
type SendFn = unsafe extern "C" fn(*mut c_void, *const u8, c_uint, u8) -> c_int;
type RecvFn = unsafe extern "C" fn(*mut c_void, *mut *mut u8, c_uint, *mut PktHdr, u8) -> c_int;
type PollFn = unsafe extern "C" fn(*mut c_void, c_uint) -> c_int;
type VersionFn = unsafe extern "C" fn(*mut c_void, *mut c_uint) -> c_int;
type DirectionFn = unsafe extern "C" fn(*mut c_void, c_int) -> c_int;
type NameFn = unsafe extern "C" fn(*mut c_void, *mut c_char) -> c_int;

/// The functions of the loaded library (kept loaded while any ring is open).
struct Api {
    open: OpenFn,
    close: CloseFn,
    enable_ring: RingFn,
    send: SendFn,
    recv: RecvFn,
    poll: PollFn,
    version: VersionFn,
    set_direction: DirectionFn,
    set_application_name: NameFn,
    _lib: libloading::Library,
}

fn missing(what: &str) -> DriverError {
    DriverError::Other(format!("pfring: {what}"))
}

impl Api {
    /// Loads libpfring.so from the loader's search path; returns what a stand-in says it is.
    fn load() -> Result<(Api, Option<String>), DriverError> {
        // SAFETY: loading a shared library runs its initialisers; libpfring.so is the library
        // the user installed for this purpose (the original loads it the same way).
        let lib = unsafe { libloading::Library::new("libpfring.so") }.map_err(|e| {
            missing(&format!(
                "cannot load libpfring.so ({e}): install PF_RING (ntop's packages, which also \
                 bring the pf_ring kernel module), or use --driver afxdp, afpacket or dpdk"
            ))
        })?;
        macro_rules! sym {
            ($name:literal, $ty:ty) => {{
                // SAFETY: the symbol is PF_RING's function of that name, whose C signature
                // is $ty; the pointer stays valid while `lib` is loaded (kept in Api).
                let s = unsafe { lib.get::<$ty>(concat!($name, "\0").as_bytes()) };
                let s = s.map_err(|_| {
                    missing(concat!(
                        "libpfring.so has no ",
                        $name,
                        ": not PF_RING, or too old"
                    ))
                })?;
                *s
            }};
        }
        let api_open = sym!("pfring_open", OpenFn);
        let close = sym!("pfring_close", CloseFn);
        let enable_ring = sym!("pfring_enable_ring", RingFn);
        let send = sym!("pfring_send", SendFn);
        let recv = sym!("pfring_recv", RecvFn);
        let poll = sym!("pfring_poll", PollFn);
        let version = sym!("pfring_version", VersionFn);
        let set_direction = sym!("pfring_set_direction", DirectionFn);
        let set_application_name = sym!("pfring_set_application_name", NameFn);
        // SAFETY: a stand-in exports pfring_standin as a NUL-terminated string constant.
        let standin = unsafe { lib.get::<*const c_char>(b"pfring_standin\0") }
            .ok()
            // SAFETY: the symbol is that constant (above), valid while `lib` is loaded.
            .map(|s| unsafe { CStr::from_ptr(*s) }.to_string_lossy().into_owned());
        Ok((
            Api {
                open: api_open,
                close,
                enable_ring,
                send,
                recv,
                poll,
                version,
                set_direction,
                set_application_name,
                _lib: lib,
            },
            standin,
        ))
    }
}

/// The original's test: `pf_ring` listed in /proc/modules.
fn module_loaded() -> bool {
    std::fs::read_to_string("/proc/modules")
        .map(|m| m.lines().any(|l| l.starts_with("pf_ring ")))
        .unwrap_or(false)
}

/// An interface name that means PF_RING to the original: `zc:IF` (ZC) or `dnaN` (DNA).
pub fn is_pfring_name(name: &str) -> bool {
    name.starts_with("zc:") || name.starts_with("dna")
}

/// The kernel's name for a PF_RING device (`zc:eth0@1` is eth0's queue 1).
pub fn kernel_name(device: &str) -> &str {
    let d = device.strip_prefix("zc:").unwrap_or(device);
    d.split('@').next().unwrap_or(d)
}

/// An open ring, closed when dropped.
struct Ring {
    api: Arc<Api>,
    ptr: *mut c_void,
}

// SAFETY: a ring is used by one thread at a time (each queue owns its own ring).
unsafe impl Send for Ring {}

impl Ring {
    fn open(api: &Arc<Api>, device: &str, direction: c_int) -> Result<Ring, DriverError> {
        let name = CString::new(device).map_err(|_| missing("device name holds a NUL"))?;
        // SAFETY: name is NUL-terminated and outlives the call.
        let ptr = unsafe { (api.open)(name.as_ptr(), CAPLEN, PF_RING_PROMISC) };
        if ptr.is_null() {
            return Err(missing(&format!(
                "cannot open {device}: {} (does the device exist? are you root?)",
                std::io::Error::last_os_error()
            )));
        }
        let ring = Ring {
            api: Arc::clone(api),
            ptr,
        };
        let app = CString::new("masscan").expect("no NUL");
        // SAFETY: ptr is an open ring; app outlives the call (PF_RING copies the name).
        unsafe { (api.set_application_name)(ptr, app.as_ptr() as *mut c_char) };
        // SAFETY: ptr is an open ring.
        if unsafe { (api.set_direction)(ptr, direction) } < 0 {
            return Err(missing(&format!(
                "{device}: cannot set the ring's direction"
            )));
        }
        // SAFETY: ptr is an open ring.
        if unsafe { (api.enable_ring)(ptr) } < 0 {
            return Err(missing(&format!("{device}: cannot enable the ring")));
        }
        Ok(ring)
    }
}

impl Drop for Ring {
    fn drop(&mut self) {
        // SAFETY: ptr is an open ring, closed once here.
        unsafe { (self.api.close)(self.ptr) };
    }
}

/// PF_RING on one device.
pub struct PfRing {
    api: Arc<Api>,
    device: String,
    queues: usize,
    standin: Option<String>,
    version: u32,
}

impl PfRing {
    pub fn new(device: &str, queues: usize) -> Result<PfRing, DriverError> {
        let (api, standin) = Api::load()?;
        if standin.is_none() && !module_loaded() {
            return Err(missing(
                "libpfring.so is there but the pf_ring kernel module is not loaded (modprobe \
                 pf_ring; it comes with PF_RING's packages)",
            ));
        }
        let api = Arc::new(api);
        let mut d = PfRing {
            api,
            device: device.to_string(),
            queues: queues.max(1),
            standin,
            version: 0,
        };
        // Open (and close) one ring now, so a bad device fails before the scan starts.
        let probe = Ring::open(&d.api, &d.ring_name(0), RX_ONLY)?;
        let mut v: c_uint = 0;
        // SAFETY: probe.ptr is an open ring; v is ours to write.
        unsafe { (d.api.version)(probe.ptr, &mut v) };
        d.version = v;
        Ok(d)
    }

    /// What the loaded library is: PF_RING's version, or what a stand-in says of itself.
    pub fn describe(&self) -> String {
        match &self.standin {
            Some(s) => format!("stand-in library, not PF_RING: {s}"),
            None => format!(
                "PF_RING {}.{}.{}",
                self.version >> 16,
                (self.version >> 8) & 0xff,
                self.version & 0xff
            ),
        }
    }

    fn ring_name(&self, k: usize) -> String {
        if self.queues > 1 && !self.device.contains('@') {
            format!("{}@{k}", self.device)
        } else {
            self.device.clone()
        }
    }
}

impl Driver for PfRing {
    type Tx = PfRingTx;
    type Rx = PfRingRx;

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            name: "pfring",
            queues: self.queues,
            zero_copy: false,
            mtu: CAPLEN as usize,
            tx_checksum_offload: false,
            transmits: true,
        }
    }

    fn open_queue(&mut self, index: usize) -> Result<(PfRingTx, PfRingRx), DriverError> {
        let name = self.ring_name(index);
        Ok((
            PfRingTx::new(Ring::open(&self.api, &name, TX_ONLY)?),
            PfRingRx {
                ring: Ring::open(&self.api, &name, RX_ONLY)?,
                stats: QueueStats::default(),
            },
        ))
    }

    fn open_answer_queue(&mut self, index: usize) -> Result<PfRingTx, DriverError> {
        Ok(PfRingTx::new(Ring::open(
            &self.api,
            &self.ring_name(index),
            TX_ONLY,
        )?))
    }
}

/// A transmit ring: each frame is written into a buffer and handed to `pfring_send`, which
/// copies it; the last of a batch flushes.
pub struct PfRingTx {
    ring: Ring,
    buf: Vec<u8>,
    /// A filled frame the ring had no slot for: sent first next time.
    pending: usize,
    stats: QueueStats,
}

impl PfRingTx {
    fn new(ring: Ring) -> PfRingTx {
        PfRingTx {
            ring,
            buf: vec![0; CAPLEN as usize],
            pending: 0,
            stats: QueueStats::default(),
        }
    }

    /// Sends `buf[..len]`; false when the ring has no free slot.
    fn send(&mut self, len: usize, flush: bool) -> Result<bool, DriverError> {
        // SAFETY: the ring is open; buf holds len initialised bytes, copied by the call.
        let r = unsafe {
            (self.ring.api.send)(
                self.ring.ptr,
                self.buf.as_ptr(),
                len as c_uint,
                u8::from(flush),
            )
        };
        if flush {
            self.stats.tx_kicks += 1;
        }
        match r {
            NO_TX_SLOT => {
                self.stats.tx_ring_full += 1;
                Ok(false)
            }
            r if r < 0 => Err(missing(&format!("pfring_send failed ({r})"))),
            _ => {
                self.stats.tx_frames += 1;
                self.stats.tx_bytes += len as u64;
                Ok(true)
            }
        }
    }
}

impl TxQueue for PfRingTx {
    fn transmit<F: FnMut(&mut [u8]) -> usize>(
        &mut self,
        max: usize,
        mut fill: F,
    ) -> Result<usize, DriverError> {
        if self.pending > 0 {
            if !self.send(self.pending, true)? {
                return Ok(0);
            }
            self.pending = 0;
        }
        for k in 0..max {
            let len = fill(&mut self.buf).min(self.buf.len());
            if len == 0 {
                return Ok(k);
            }
            if !self.send(len, k + 1 == max)? {
                self.pending = len; // queued: sent first next time
                return Ok(k + 1);
            }
        }
        Ok(max)
    }

    fn flush(&mut self) -> Result<(), DriverError> {
        for _ in 0..1000 {
            if self.pending == 0 || self.send(self.pending, true)? {
                self.pending = 0;
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        Ok(())
    }

    fn stats(&self) -> QueueStats {
        self.stats
    }
}

/// A receive ring: frames are lent straight from PF_RING's buffer (`pfring_recv` with a zero
/// buffer length).
pub struct PfRingRx {
    ring: Ring,
    stats: QueueStats,
}

impl RxQueue for PfRingRx {
    fn receive<F: FnMut(&[u8])>(
        &mut self,
        max: usize,
        mut on_frame: F,
    ) -> Result<usize, DriverError> {
        let mut hdr = PktHdr {
            tv_sec: 0,
            tv_usec: 0,
            caplen: 0,
            len: 0,
            extended: [0; 512],
        };
        for k in 0..max {
            let mut data: *mut u8 = std::ptr::null_mut();
            // SAFETY: the ring is open; with a zero buffer length PF_RING points `data` at
            // its own buffer, valid until the next call on this ring, and fills hdr.
            let r = unsafe { (self.ring.api.recv)(self.ring.ptr, &mut data, 0, &mut hdr, 0) };
            if r <= 0 || data.is_null() {
                return Ok(k);
            }
            let len = (hdr.caplen as usize).min(CAPLEN as usize);
            // SAFETY: PF_RING's buffer holds caplen bytes of the frame until the next call.
            let frame = unsafe { std::slice::from_raw_parts(data, len) };
            self.stats.rx_frames += 1;
            self.stats.rx_bytes += len as u64;
            on_frame(frame);
        }
        Ok(max)
    }

    fn wait(&mut self, timeout: Duration) {
        let ms = timeout.as_millis().clamp(1, 1000) as c_uint;
        // SAFETY: the ring is open.
        unsafe { (self.ring.api.poll)(self.ring.ptr, ms) };
    }

    fn stats(&self) -> QueueStats {
        self.stats
    }
}

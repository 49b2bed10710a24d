//! The DPDK backend (`--driver dpdk`, cargo feature `dpdk`): DPDK's environment (EAL) started
//! once per process with the user's `--dpdk-args`, one port (by device name or index) with one
//! receive and one transmit queue per queue pair, each pair with its own mbuf pool; frames are
//! written in place into mbufs and sent in bursts ([`queues`]). DPDK's inline functions are
//! reached through the small C shim in `drivers/dpdk/shim.c` ([`ffi`]).
//!
//! The EAL runs `--in-memory` (`--no-shconf` with `--no-huge`) with telemetry off unless the
//! user's arguments say otherwise, so a scan leaves no runtime files behind, however it ends
//! (the empty directory the EAL makes is removed at the end, unless the scan is killed).

mod ffi;
mod queues;

pub use queues::{DpdkRx, DpdkTx};

use crossbeam_queue::ArrayQueue;
use masscan_engine::driver::{Capabilities, Driver, DriverError};
use std::ffi::{c_void, CStr, CString};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

/// The DPDK this backend was built against.
pub const VERSION: &str = env!("MASSCAN_DPDK_VERSION");

/// Buffers in each queue pair's mbuf pool (2^n - 1, as DPDK's mempools like it): the receive
/// ring's descriptors, the transmit ring's, a burst in flight and the replies waiting.
const POOL_MBUFS: u32 = 16383;
const RX_DESC: u16 = 1024;
const TX_DESC: u16 = 1024;
/// Frames the receive loop may leave for the transmit loop to send (see [`queues::DpdkTx`]).
const REPLY_SLOTS: usize = 4096;

/// What DPDK said last, from the shim.
fn last_error() -> String {
    // SAFETY: msr_error returns a pointer to the shim's static, NUL-terminated buffer.
    unsafe { CStr::from_ptr(ffi::msr_error()) }
        .to_string_lossy()
        .into_owned()
}

fn err(what: &str) -> DriverError {
    DriverError::Other(format!("dpdk: {what}: {}", last_error()))
}

/// DPDK's runtime directory: the EAL makes it even when it writes nothing there.
const RUNTIME_DIR: &str = "/var/run/dpdk";

/// The EAL made [`RUNTIME_DIR`] for this process (it was not there before).
static MADE_RUNTIME_DIR: OnceLock<bool> = OnceLock::new();

/// Starts DPDK's environment once per process; later calls get the first call's outcome.
fn eal_init(user_args: &[String]) -> Result<(), DriverError> {
    static EAL: OnceLock<Result<(), String>> = OnceLock::new();
    EAL.get_or_init(|| {
        let _ = MADE_RUNTIME_DIR.set(!std::path::Path::new(RUNTIME_DIR).exists());
        let mut args = vec!["masscan".to_string()];
        let has = |flag: &str| user_args.iter().any(|a| a.starts_with(flag));
        if !has("--file-prefix")
            && !has("--proc-type")
            && !has("--in-memory")
            && !has("--no-shconf")
        {
            // No runtime files: --in-memory, or with --no-huge (which it excludes) --no-shconf.
            args.push(
                if has("--no-huge") {
                    "--no-shconf"
                } else {
                    "--in-memory"
                }
                .into(),
            );
        }
        if !has("--no-telemetry") && !has("--telemetry") {
            args.push("--no-telemetry".into());
        }
        if !has("--log-level") {
            args.push("--log-level=lib.*:error".into());
        }
        args.extend(user_args.iter().cloned());
        let owned: Vec<CString> = args
            .iter()
            .map(|a| {
                CString::new(a.as_str()).map_err(|_| format!("an argument holds a NUL: {a:?}"))
            })
            .collect::<Result<_, _>>()?;
        let mut argv: Vec<*mut std::ffi::c_char> =
            owned.iter().map(|a| a.as_ptr() as *mut _).collect();
        argv.push(std::ptr::null_mut());
        // SAFETY: argv holds argc valid NUL-terminated strings (kept alive by `owned` for the
        // whole call) and a final NULL, as rte_eal_init expects; it may reorder the pointers.
        let r = unsafe { ffi::msr_eal_init(owned.len() as i32, argv.as_mut_ptr()) };
        if r < 0 {
            let e = last_error();
            let hint = if has("--no-huge") {
                ""
            } else {
                " (no hugepages reserved? add --no-huge -m 256 to --dpdk-args)"
            };
            return Err(format!("dpdk: cannot start DPDK's environment: {e}{hint}"));
        }
        Ok(())
    })
    .clone()
    .map_err(DriverError::Other)
}

/// The names of DPDK's ports, for error messages.
fn port_names() -> Vec<String> {
    // SAFETY: a plain call into the shim after EAL set-up.
    let count = unsafe { ffi::msr_port_count() };
    (0..count)
        .filter_map(|k| {
            // SAFETY: as above; k is below the count the shim gave.
            let p = unsafe { ffi::msr_port_nth(k) };
            (p >= 0).then(|| port_name(p as u16))
        })
        .collect()
}

fn port_name(port: u16) -> String {
    let mut buf = [0u8; 128];
    // SAFETY: the shim writes at most buf.len() bytes, NUL-terminated, into buf.
    let r = unsafe { ffi::msr_port_name(port, buf.as_mut_ptr().cast(), buf.len()) };
    if r < 0 {
        return format!("port {port}");
    }
    CStr::from_bytes_until_nul(&buf)
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The port `-e` names: a device name (net_af_packet0, 0000:03:00.0) or an index (0, 1, ...).
fn find_port(name: &str) -> Result<u16, DriverError> {
    // SAFETY: a plain call into the shim after EAL set-up.
    let count = unsafe { ffi::msr_port_count() };
    if count == 0 {
        return Err(DriverError::Other(
            "dpdk: DPDK found no ports: give one in --dpdk-args (e.g. \
             --vdev=net_af_packet0,iface=eth1) or bind a NIC to vfio-pci"
                .into(),
        ));
    }
    if let Ok(k) = name.parse::<i32>() {
        // SAFETY: as above.
        let p = unsafe { ffi::msr_port_nth(k) };
        if p >= 0 {
            return Ok(p as u16);
        }
    } else if let Ok(c) = CString::new(name) {
        let mut port = 0u16;
        // SAFETY: c is NUL-terminated and port is ours to write.
        if unsafe { ffi::msr_port_by_name(c.as_ptr(), &mut port) } == 0 {
            return Ok(port);
        }
    }
    Err(DriverError::Other(format!(
        "dpdk: no port '{name}' (DPDK's ports: {}; -e takes a name or an index)",
        port_names().join(", ")
    )))
}

/// The port's resources, shared by its queues: stopped and freed when the last queue and the
/// driver are gone.
struct Port {
    id: u16,
    pools: Vec<Pool>,
    /// The scan turned promiscuous mode on: it is turned off when the port closes (a vdev
    /// over a kernel interface leaves the interface's flag set otherwise).
    promiscuous: AtomicBool,
}

/// A mempool: DPDK's pools may be used from several threads at once.
struct Pool(*mut c_void);
// SAFETY: a DPDK mempool is multi-producer, multi-consumer safe; the pointer is only passed
// back to DPDK.
unsafe impl Send for Pool {}
// SAFETY: as above.
unsafe impl Sync for Pool {}

impl Drop for Port {
    fn drop(&mut self) {
        if self.promiscuous.load(Ordering::Relaxed) {
            // SAFETY: a plain call into the shim on a started port.
            unsafe { ffi::msr_port_promiscuous_off(self.id) };
        }
        // SAFETY: no queue of this port is in use any more (each holds an Arc of Port); the
        // port is stopped before its pools go.
        unsafe { ffi::msr_port_stop(self.id) };
        for p in &self.pools {
            // SAFETY: the pool was made by msr_pool_create and nothing uses it now.
            unsafe { ffi::msr_pool_free(p.0) };
        }
        // The empty runtime directories the EAL made for us (remove_dir leaves a directory
        // that holds anything, e.g. another DPDK process's files).
        if MADE_RUNTIME_DIR.get() == Some(&true) {
            let _ = std::fs::remove_dir(format!("{RUNTIME_DIR}/rte"));
            let _ = std::fs::remove_dir(RUNTIME_DIR);
        }
    }
}

/// An mbuf owned by this process, moved between a receive core and a transmit core.
pub(crate) struct Mbuf(*mut c_void);
// SAFETY: an mbuf belongs to one owner at a time; whoever holds this value owns it.
unsafe impl Send for Mbuf {}

/// A DPDK port opened for a scan.
pub struct Dpdk {
    port: Arc<Port>,
    name: String,
    queues: usize,
    mac: [u8; 6],
    mtu: u16,
    answers: Vec<Arc<ArrayQueue<Mbuf>>>,
}

impl Dpdk {
    /// Starts the EAL with `eal_args`, then port `name` with `queues` queue pairs, and waits
    /// up to 5 s for its link.
    pub fn new(eal_args: &[String], name: &str, queues: usize) -> Result<Dpdk, DriverError> {
        eal_init(eal_args)?;
        let id = find_port(name)?;
        let (mut max_rx, mut max_tx, mut mac, mut mtu) = (0u16, 0u16, [0u8; 6], 0u16);
        // SAFETY: the out-pointers are ours; mac has the 6 bytes the shim writes.
        if unsafe { ffi::msr_port_info(id, &mut max_rx, &mut max_tx, mac.as_mut_ptr(), &mut mtu) }
            < 0
        {
            return Err(err(name));
        }
        let most = usize::from(max_rx.min(max_tx));
        if queues == 0 || queues > most {
            return Err(DriverError::Other(format!(
                "dpdk: port {name} has {most} queue pair(s): use at most --tx-threads {most} \
                 (net_af_packet: add qpairs=N to its --vdev)"
            )));
        }
        // SAFETY: a plain call into the shim.
        let socket = unsafe { ffi::msr_port_socket(id) };
        let mut pools = Vec::with_capacity(queues);
        for q in 0..queues {
            let pool_name = CString::new(format!("msr{id}q{q}")).expect("no NUL");
            // SAFETY: pool_name is NUL-terminated and lives across the call.
            let p = unsafe { ffi::msr_pool_create(pool_name.as_ptr(), POOL_MBUFS, socket) };
            if p.is_null() {
                for made in &pools {
                    // SAFETY: made by msr_pool_create above and unused.
                    unsafe { ffi::msr_pool_free(*made) };
                }
                return Err(err(
                    "mbuf pool (too little memory? raise -m in --dpdk-args)",
                ));
            }
            pools.push(p);
        }
        // SAFETY: pools holds `queues` valid mempools; the port is configured for that many.
        let r =
            unsafe { ffi::msr_port_start(id, queues as u16, pools.as_mut_ptr(), RX_DESC, TX_DESC) };
        let port = Arc::new(Port {
            id,
            pools: pools.into_iter().map(Pool).collect(),
            promiscuous: AtomicBool::new(false),
        });
        if r < 0 {
            return Err(err(&format!("port {name}")));
        }
        // SAFETY: a plain call into the shim on a started port.
        if unsafe { ffi::msr_link_wait(id, 5000) } != 1 {
            return Err(DriverError::Other(format!(
                "dpdk: port {name}'s link did not come up within 5 s"
            )));
        }
        Ok(Dpdk {
            port,
            name: port_name(id),
            queues,
            mac,
            mtu,
            answers: (0..queues)
                .map(|_| Arc::new(ArrayQueue::new(REPLY_SLOTS)))
                .collect(),
        })
    }

    /// Makes the port receive frames sent to `mac`: promiscuous mode when it is not the port's
    /// own (only then: on a vdev over a kernel interface, such as net_af_packet, it is the
    /// interface's flag, and turning it off again when the port closes needs privileges the
    /// scan has dropped by then).
    pub fn receive_for(&mut self, mac: [u8; 6]) -> Result<(), DriverError> {
        if mac == self.mac || self.port.promiscuous.load(Ordering::Relaxed) {
            return Ok(());
        }
        // SAFETY: a plain call into the shim on a started port.
        if unsafe { ffi::msr_port_promiscuous(self.port.id) } < 0 {
            return Err(err(&format!("port {}", self.name)));
        }
        self.port.promiscuous.store(true, Ordering::Relaxed);
        Ok(())
    }

    /// The port's MAC address, as DPDK reports it.
    pub fn mac(&self) -> [u8; 6] {
        self.mac
    }

    /// The port's device name (e.g. net_af_packet0).
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Driver for Dpdk {
    type Tx = DpdkTx;
    type Rx = DpdkRx;

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            name: "dpdk",
            queues: self.queues,
            zero_copy: true,
            mtu: usize::from(self.mtu) + 14,
            tx_checksum_offload: false,
            transmits: true,
        }
    }

    fn open_queue(&mut self, index: usize) -> Result<(DpdkTx, DpdkRx), DriverError> {
        let answers = self
            .answers
            .get(index)
            .ok_or_else(|| DriverError::Other(format!("dpdk: no queue {index}")))?;
        let pool = self.port.pools[index].0;
        Ok((
            DpdkTx::new(
                Arc::clone(&self.port),
                index as u16,
                pool,
                Arc::clone(answers),
                false,
            ),
            DpdkRx::new(Arc::clone(&self.port), index as u16),
        ))
    }

    fn needs_privileges_to_close(&self) -> Option<String> {
        // A vdev's name begins with its driver's (net_af_xdp0, net_af_packet1, ...).
        let kernel_vdev = ["net_af_xdp", "net_af_packet", "net_tap", "net_pcap"]
            .iter()
            .any(|d| self.name.starts_with(d));
        if self.name.starts_with("net_af_xdp") {
            Some(format!(
                "DPDK's net_af_xdp removes its XDP program from the interface when port {} closes",
                self.name
            ))
        } else if self.port.promiscuous.load(Ordering::Relaxed) && kernel_vdev {
            Some(format!(
                "port {} turns its interface's promiscuous mode off when it closes",
                self.name
            ))
        } else {
            None
        }
    }

    fn open_answer_queue(&mut self, index: usize) -> Result<DpdkTx, DriverError> {
        let answers = self
            .answers
            .get(index)
            .ok_or_else(|| DriverError::Other(format!("dpdk: no queue {index}")))?;
        let pool = self.port.pools[index].0;
        Ok(DpdkTx::new(
            Arc::clone(&self.port),
            index as u16,
            pool,
            Arc::clone(answers),
            true,
        ))
    }
}

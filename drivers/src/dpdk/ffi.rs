//! The C functions of `drivers/dpdk/shim.c` (DPDK's inline functions behind plain calls).
//! Pointers are opaque: `void *` for mempools and mbufs.

use std::ffi::{c_char, c_int, c_uint, c_void};

extern "C" {
    pub fn msr_error() -> *const c_char;
    pub fn msr_eal_init(argc: c_int, argv: *mut *mut c_char) -> c_int;
    pub fn msr_thread_register();
    pub fn msr_port_count() -> c_int;
    pub fn msr_port_by_name(name: *const c_char, port: *mut u16) -> c_int;
    pub fn msr_port_nth(k: c_int) -> c_int;
    pub fn msr_port_name(port: u16, buf: *mut c_char, len: usize) -> c_int;
    pub fn msr_port_info(
        port: u16,
        max_rxq: *mut u16,
        max_txq: *mut u16,
        mac: *mut u8,
        mtu: *mut u16,
    ) -> c_int;
    pub fn msr_pool_create(name: *const c_char, n: c_uint, socket: c_int) -> *mut c_void;
    pub fn msr_pool_free(pool: *mut c_void);
    pub fn msr_port_socket(port: u16) -> c_int;
    pub fn msr_port_start(
        port: u16,
        queues: u16,
        pools: *mut *mut c_void,
        rx_desc: u16,
        tx_desc: u16,
    ) -> c_int;
    pub fn msr_link_wait(port: u16, ms: c_uint) -> c_int;
    pub fn msr_port_stop(port: u16);
    pub fn msr_port_promiscuous(port: u16) -> c_int;
    pub fn msr_port_promiscuous_off(port: u16);
    pub fn msr_port_stats(port: u16, out: *mut u64) -> c_int;
    pub fn msr_rx_burst(port: u16, q: u16, mbufs: *mut *mut c_void, n: u16) -> u16;
    pub fn msr_tx_burst(port: u16, q: u16, mbufs: *mut *mut c_void, n: u16) -> u16;
    pub fn msr_mbuf_alloc(pool: *mut c_void, mbufs: *mut *mut c_void, n: c_uint) -> c_int;
    pub fn msr_mbuf_free(mbufs: *mut *mut c_void, n: c_uint);
    pub fn msr_mbuf_room(m: *mut c_void, room: *mut u16) -> *mut u8;
    pub fn msr_mbuf_set_len(m: *mut c_void, len: u16);
    pub fn msr_mbuf_data(m: *mut c_void, len: *mut u16) -> *const u8;
}

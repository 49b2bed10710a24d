/* A narrow C face of DPDK 22.11 for masscan-rs's DPDK backend (drivers/src/dpdk/): EAL set-up,
 * one port's queues and mempools, and the inline burst and mbuf functions, which Rust cannot
 * call directly. Every function returns plain integers and pointers; errors come back as
 * negative numbers or NULL with msr_error() saying why. Built only with the `dpdk` feature. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

static char last_error[256];

static int fail(const char *what, int err) {
    snprintf(last_error, sizeof last_error, "%s: %s", what, rte_strerror(err < 0 ? -err : err));
    return -1;
}

const char *msr_error(void) { return last_error; }

/* The last non-empty line of what `fd` holds, into last_error after `prefix`. */
static void last_line(int fd, const char *prefix) {
    char text[8192];
    ssize_t n = pread(fd, text, sizeof text - 1, 0);
    if (n <= 0)
        return;
    text[n] = 0;
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' '))
        text[--n] = 0;
    char *line = strrchr(text, '\n');
    line = line ? line + 1 : text;
    if (strncmp(line, "EAL: ", 5) == 0)
        line += 5;
    snprintf(last_error, sizeof last_error, "%.60s: %.180s", prefix, line);
}

/* rte_eal_init pins the calling thread to the main lcore; the scan pins its own threads, so
 * the caller's CPU set is given back afterwards. What the EAL prints while it starts (its
 * FATAL lines too) is kept out of the terminal: on failure its last line becomes the error. */
int msr_eal_init(int argc, char **argv) {
    cpu_set_t before;
    int saved = pthread_getaffinity_np(pthread_self(), sizeof before, &before) == 0;
    fflush(stderr);
    int console = dup(2);
    int log = memfd_create("masscan-eal-log", 0);
    if (console >= 0 && log >= 0)
        dup2(log, 2);
    int n = rte_eal_init(argc, argv);
    int err = rte_errno;
    fflush(stderr);
    if (console >= 0 && log >= 0)
        dup2(console, 2);
    if (console >= 0)
        close(console);
    if (n < 0) {
        fail("EAL", err);
        if (log >= 0)
            last_line(log, rte_strerror(err));
    }
    if (log >= 0)
        close(log);
    if (n < 0)
        return -1;
    if (saved)
        pthread_setaffinity_np(pthread_self(), sizeof before, &before);
    return 0;
}

void msr_eal_cleanup(void) { rte_eal_cleanup(); }

/* Gives the calling (non-EAL) thread an lcore id, so its mempool operations use a per-lcore
 * cache instead of the pool's shared ring; harmless if it already has one or none is free. */
void msr_thread_register(void) {
    if (rte_lcore_id() == LCORE_ID_ANY)
        rte_thread_register();
}

int msr_port_count(void) { return rte_eth_dev_count_avail(); }

/* The port named `name` (a device name such as net_af_packet0 or 0000:03:00.0). */
int msr_port_by_name(const char *name, uint16_t *port) {
    int r = rte_eth_dev_get_port_by_name(name, port);
    return r < 0 ? fail(name, r) : 0;
}

/* Port ids are sparse: the `k`th valid one, or -1. */
int msr_port_nth(int k) {
    uint16_t p;
    int i = 0;
    RTE_ETH_FOREACH_DEV(p) {
        if (i++ == k)
            return p;
    }
    return -1;
}

int msr_port_name(uint16_t port, char *buf, size_t len) {
    char name[RTE_ETH_NAME_MAX_LEN];
    int r = rte_eth_dev_get_name_by_port(port, name);
    if (r < 0)
        return fail("port name", r);
    snprintf(buf, len, "%s", name);
    return 0;
}

int msr_port_info(uint16_t port, uint16_t *max_rxq, uint16_t *max_txq, uint8_t mac[6],
                  uint16_t *mtu) {
    struct rte_eth_dev_info info;
    struct rte_ether_addr addr;
    int r = rte_eth_dev_info_get(port, &info);
    if (r < 0)
        return fail("device info", r);
    *max_rxq = info.max_rx_queues;
    *max_txq = info.max_tx_queues;
    r = rte_eth_macaddr_get(port, &addr);
    if (r < 0)
        return fail("MAC address", r);
    memcpy(mac, addr.addr_bytes, 6);
    if (rte_eth_dev_get_mtu(port, mtu) < 0)
        *mtu = 1500;
    return 0;
}

void *msr_pool_create(const char *name, unsigned n, int socket) {
    struct rte_mempool *p =
        rte_pktmbuf_pool_create(name, n, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, socket);
    if (p == NULL)
        fail(name, rte_errno);
    return p;
}

void msr_pool_free(void *pool) { rte_mempool_free(pool); }

int msr_port_socket(uint16_t port) {
    int s = rte_eth_dev_socket_id(port);
    return s < 0 ? (int)SOCKET_ID_ANY : s;
}

/* Configures `queues` receive and transmit queues (receive queue i takes its buffers from
 * pools[i]) and starts the port. */
int msr_port_start(uint16_t port, uint16_t queues, void **pools, uint16_t rx_desc,
                   uint16_t tx_desc) {
    struct rte_eth_conf conf;
    memset(&conf, 0, sizeof conf);
    int socket = msr_port_socket(port);
    int r = rte_eth_dev_configure(port, queues, queues, &conf);
    if (r < 0)
        return fail("configure", r);
    r = rte_eth_dev_adjust_nb_rx_tx_desc(port, &rx_desc, &tx_desc);
    if (r < 0)
        return fail("descriptor counts", r);
    for (uint16_t q = 0; q < queues; q++) {
        r = rte_eth_rx_queue_setup(port, q, rx_desc, socket, NULL, pools[q]);
        if (r < 0)
            return fail("receive queue", r);
        r = rte_eth_tx_queue_setup(port, q, tx_desc, socket, NULL);
        if (r < 0)
            return fail("transmit queue", r);
    }
    r = rte_eth_dev_start(port);
    if (r < 0)
        return fail("start", r);
    return 0;
}

/* Promiscuous mode on: frames to a MAC other than the port's are received too. */
int msr_port_promiscuous(uint16_t port) {
    int r = rte_eth_promiscuous_enable(port);
    return r < 0 ? fail("promiscuous mode", r) : 0;
}

void msr_port_promiscuous_off(uint16_t port) { rte_eth_promiscuous_disable(port); }

/* Waits up to `ms` milliseconds for the link; 1 when up. */
int msr_link_wait(uint16_t port, unsigned ms) {
    struct rte_eth_link link;
    for (unsigned waited = 0;; waited += 10) {
        memset(&link, 0, sizeof link);
        if (rte_eth_link_get_nowait(port, &link) == 0 && link.link_status == RTE_ETH_LINK_UP)
            return 1;
        if (waited >= ms)
            return 0;
        rte_delay_ms(10);
    }
}

void msr_port_stop(uint16_t port) {
    rte_eth_dev_stop(port);
    rte_eth_dev_close(port);
}

/* ipackets, opackets, ibytes, obytes, imissed, oerrors */
int msr_port_stats(uint16_t port, uint64_t out[6]) {
    struct rte_eth_stats s;
    int r = rte_eth_stats_get(port, &s);
    if (r < 0)
        return fail("stats", r);
    out[0] = s.ipackets;
    out[1] = s.opackets;
    out[2] = s.ibytes;
    out[3] = s.obytes;
    out[4] = s.imissed;
    out[5] = s.oerrors;
    return 0;
}

uint16_t msr_rx_burst(uint16_t port, uint16_t q, void **mbufs, uint16_t n) {
    return rte_eth_rx_burst(port, q, (struct rte_mbuf **)mbufs, n);
}

uint16_t msr_tx_burst(uint16_t port, uint16_t q, void **mbufs, uint16_t n) {
    return rte_eth_tx_burst(port, q, (struct rte_mbuf **)mbufs, n);
}

/* Fills `mbufs` with `n` fresh buffers; 0, or -1 when the pool has fewer free. */
int msr_mbuf_alloc(void *pool, void **mbufs, unsigned n) {
    return rte_pktmbuf_alloc_bulk(pool, (struct rte_mbuf **)mbufs, n) == 0 ? 0 : -1;
}

void msr_mbuf_free(void **mbufs, unsigned n) {
    rte_pktmbuf_free_bulk((struct rte_mbuf **)mbufs, n);
}

/* A fresh buffer's data area and its size. */
uint8_t *msr_mbuf_room(void *m, uint16_t *room) {
    struct rte_mbuf *b = m;
    *room = rte_pktmbuf_tailroom(b);
    return rte_pktmbuf_mtod(b, uint8_t *);
}

void msr_mbuf_set_len(void *m, uint16_t len) {
    struct rte_mbuf *b = m;
    b->data_len = len;
    b->pkt_len = len;
}

/* A received frame (first segment; the scan's frames are never chained). */
const uint8_t *msr_mbuf_data(void *m, uint16_t *len) {
    struct rte_mbuf *b = m;
    *len = rte_pktmbuf_data_len(b);
    return rte_pktmbuf_mtod(b, const uint8_t *);
}

/* A STAND-IN for PF_RING's libpfring.so, for masscan-rs's tests only: it exports the functions
 * masscan-rs's PF_RING backend looks up (pfring_open, pfring_send, pfring_recv, ...) and
 * implements them over an ordinary AF_PACKET socket, so that the binding and the backend's
 * loops can be tested in the lab where no PF_RING exists. It proves the binding, not PF_RING's
 * speed. It says what it is through pfring_standin, which real PF_RING does not export
 * (built with -DNOT_A_STANDIN it hides that, to test the kernel-module check). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#ifndef NOT_A_STANDIN
const char *pfring_standin = "masscan-rs test stand-in over an AF_PACKET socket";
#endif

struct pfring_pkthdr {
    struct timeval ts;
    unsigned caplen;
    unsigned len;
    unsigned char extended_hdr[512];
};

struct ring {
    int fd;
    int ifindex;
    unsigned char buf[65536];
};

static int bind_to(struct ring *r, unsigned short proto) {
    struct sockaddr_ll sll;
    memset(&sll, 0, sizeof sll);
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = proto;
    sll.sll_ifindex = r->ifindex;
    return bind(r->fd, (struct sockaddr *)&sll, sizeof sll);
}

/* "zc:eth0@1" and "eth0" both mean eth0 here. */
void *pfring_open(const char *device, unsigned caplen, unsigned flags) {
    char name[IF_NAMESIZE];
    const char *d = strncmp(device, "zc:", 3) == 0 ? device + 3 : device;
    size_t n = strcspn(d, "@");
    (void)caplen;
    (void)flags;
    if (n == 0 || n >= sizeof name) {
        errno = ENODEV;
        return NULL;
    }
    memcpy(name, d, n);
    name[n] = 0;
    struct ring *r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    r->ifindex = (int)if_nametoindex(name);
    r->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));
    if (r->ifindex == 0 || r->fd < 0 || bind_to(r, htons(ETH_P_ALL)) < 0) {
        int e = r->ifindex == 0 ? ENODEV : errno;
        if (r->fd >= 0)
            close(r->fd);
        free(r);
        errno = e;
        return NULL;
    }
    return r;
}

void pfring_close(void *ring) {
    struct ring *r = ring;
    close(r->fd);
    free(r);
}

int pfring_enable_ring(void *ring) { return ring ? 0 : -1; }

int pfring_set_application_name(void *ring, char *name) {
    (void)name;
    return ring ? 0 : -1;
}

int pfring_version(void *ring, unsigned *version) {
    (void)ring;
    *version = 0;
    return 0;
}

/* 1: receive only (the ring does not see what this host sends); 2: transmit only (the ring
 * receives nothing). */
int pfring_set_direction(void *ring, int direction) {
    struct ring *r = ring;
    int one = 1;
    if (direction == 2)
        return bind_to(r, 0);
    if (direction == 1)
        return setsockopt(r->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
    return 0;
}

int pfring_send(void *ring, const unsigned char *pkt, unsigned len, unsigned char flush) {
    struct ring *r = ring;
    (void)flush;
    ssize_t n = send(r->fd, pkt, len, 0);
    if (n < 0)
        return errno == EAGAIN || errno == ENOBUFS ? -4 : -1;
    return (int)n;
}

int pfring_poll(void *ring, unsigned ms) {
    struct ring *r = ring;
    struct pollfd p = {.fd = r->fd, .events = POLLIN};
    return poll(&p, 1, (int)ms);
}

int pfring_recv(void *ring, unsigned char **buffer, unsigned buffer_len,
                struct pfring_pkthdr *hdr, unsigned char wait_for_packet) {
    struct ring *r = ring;
    if (wait_for_packet)
        pfring_poll(ring, 1000);
    ssize_t n = recv(r->fd, r->buf, sizeof r->buf, 0);
    if (n < 0)
        return errno == EAGAIN ? 0 : -1;
    if (buffer_len == 0) {
        *buffer = r->buf;
    } else {
        if ((size_t)n > buffer_len)
            n = buffer_len;
        memcpy(*buffer, r->buf, (size_t)n);
    }
    gettimeofday(&hdr->ts, NULL);
    hdr->caplen = hdr->len = (unsigned)n;
    return 1;
}

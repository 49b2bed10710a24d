// SPDX-License-Identifier: GPL-2.0
//
// masscan-rs XDP steering program: redirects to the receiving queue's AF_XDP socket exactly the
// frames a scan owns, and passes everything else to the kernel.
//
// Steered (bpf_redirect_map on the XSKMAP entry of ctx->rx_queue_index):
//   - TCP, UDP, SCTP to one of the scan's source addresses and source ports;
//   - ICMP/ICMPv6 errors whose quoted packet came from one of our addresses and ports;
//   - ICMP/ICMPv6 echo replies to one of our addresses;
//   - during a raw IP scan (-pO:N), packets of a probed IP protocol to one of our addresses, and
//     ICMP errors (and ICMPv6 parameter problems) quoting such a packet from one of them;
//   - ARP whose target address is one of our IPv4 addresses, when those are not the kernel's own
//     (a spoofed --adapter-ip); otherwise the kernel keeps answering ARP for its address;
//   - ICMPv6 Neighbor Solicitations whose target is one of our IPv6 addresses, when those are
//     not the kernel's own (a spoofed IPv6 --adapter-ip), whatever their destination (the
//     target's solicited-node group, or the address itself); otherwise the kernel answers;
//   - during an ARP scan (--arp), ARP replies to our IPv4 addresses and ICMPv6 Neighbor
//     Advertisements to our IPv6 ones.
// Passed (XDP_PASS): everything else, so ssh and the rest of the host keep working.
// A queue with no socket in the map falls back to XDP_PASS (the redirect's default action).
// Per-CPU counters: seen, ours (classified as the scan's), steered, passed.

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

// Filled by the loader (masscan_ebpf::SteerConfig, same layout).
struct steer_config {
    __u32 v4_first;     // host byte order
    __u32 v4_count;     // 0: no IPv4 source
    __u8 v6_first[16];  // network byte order
    __u32 v6_count;     // addresses from v6_first (low 32 bits vary); 0: no IPv6 source
    __u16 port_first;   // host byte order
    __u16 port_count;
    __u32 steer_arp;    // bit 0: steer ARP for our IPv4 addresses (only when they are not the
                        // kernel's); bit 1: an ARP scan runs: steer ARP replies to our IPv4
                        // addresses and Neighbor Advertisements to our IPv6 ones; bit 2:
                        // steer Neighbor Solicitations for our IPv6 addresses (only when they
                        // are not the kernel's)
    __u32 raw_protos[8]; // IP protocols of a raw IP scan: protocol p is bit p % 32 of word p / 32
};

struct counters {
    __u64 seen;
    __u64 ours;
    __u64 steered;
    __u64 passed;
};

// The same layout the Rust side asserts at compile time (ebpf/src/lib.rs): a change on either
// side fails that side's build instead of misreading the map.
_Static_assert(sizeof(struct steer_config) == 68, "steer_config layout");
_Static_assert(__builtin_offsetof(struct steer_config, v4_count) == 4, "steer_config.v4_count");
_Static_assert(__builtin_offsetof(struct steer_config, v6_first) == 8, "steer_config.v6_first");
_Static_assert(__builtin_offsetof(struct steer_config, v6_count) == 24, "steer_config.v6_count");
_Static_assert(__builtin_offsetof(struct steer_config, port_first) == 28, "steer_config.port_first");
_Static_assert(__builtin_offsetof(struct steer_config, port_count) == 30, "steer_config.port_count");
_Static_assert(__builtin_offsetof(struct steer_config, steer_arp) == 32, "steer_config.steer_arp");
_Static_assert(__builtin_offsetof(struct steer_config, raw_protos) == 36, "steer_config.raw_protos");
_Static_assert(sizeof(struct counters) == 32, "counters layout");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct steer_config);
} config SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_XSKMAP);
    __uint(max_entries, 256);
    __type(key, __u32);
    __type(value, __u32);
} xsks SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct counters);
} stats SEC(".maps");

// ICMP headers, declared here: <linux/icmp.h> pulls in libc headers that do not build for BPF.
struct icmphdr {
    __u8 type;
    __u8 code;
    __sum16 checksum;
    __be32 rest;
};
#define ICMP_ECHOREPLY 0
#define ICMP_DEST_UNREACH 3
#define ICMP_TIME_EXCEEDED 11

struct icmp6hdr {
    __u8 icmp6_type;
    __u8 icmp6_code;
    __sum16 icmp6_cksum;
    __be32 rest;
};
#define ICMPV6_DEST_UNREACH 1
#define ICMPV6_TIME_EXCEED 3
#define ICMPV6_PARAMPROB 4
#define ICMPV6_ECHO_REPLY 129
#define NDISC_NEIGHBOUR_SOLICITATION 135

// A Neighbor Solicitation up to its target address (RFC 4861 4.3).
struct nd_solicit {
    struct icmp6hdr h;
    struct in6_addr target;
};

struct vlan_hdr {
    __be16 tci;
    __be16 proto;
};

struct arp_ipv4 {
    __be16 htype, ptype;
    __u8 hlen, plen;
    __be16 op;
    __u8 sha[6];
    __be32 spa;
    __u8 tha[6];
    __be32 tpa;
} __attribute__((packed));

static __always_inline int v4_ours(const struct steer_config *c, __be32 addr)
{
    return c->v4_count && (__u32)(bpf_ntohl(addr) - c->v4_first) < c->v4_count;
}

static __always_inline int v6_ours(const struct steer_config *c, const struct in6_addr *a)
{
    if (!c->v6_count)
        return 0;
    const __u32 *x = (const __u32 *)a->s6_addr;
    const __u32 *f = (const __u32 *)c->v6_first;
    if (x[0] != f[0] || x[1] != f[1] || x[2] != f[2])
        return 0;
    return (__u32)(bpf_ntohl(x[3]) - bpf_ntohl(f[3])) < c->v6_count;
}

static __always_inline int port_ours(const struct steer_config *c, __be16 port)
{
    return (__u16)(bpf_ntohs(port) - c->port_first) < c->port_count;
}

// The destination port of a TCP/UDP/SCTP header at p (all three keep it at offset 2).
static __always_inline int l4_ours(const struct steer_config *c, void *p, void *end)
{
    if (p + 4 > end)
        return 0;
    return port_ours(c, ((__be16 *)p)[1]);
}

// Whether a raw IP scan probes IP protocol `proto`.
static __always_inline int raw_proto(const struct steer_config *c, __u8 proto)
{
    return (c->raw_protos[(proto >> 5) & 7] >> (proto & 31)) & 1;
}

// A quoted probe (inside an ICMP error): its source address is ours and so is its source port,
// or it is a raw IP probe (a probed protocol from our address; it has no port).
static __always_inline int quoted_v4_ours(const struct steer_config *c, void *p, void *end)
{
    struct iphdr *ip = p;
    if ((void *)(ip + 1) <= end && raw_proto(c, ip->protocol) && v4_ours(c, ip->saddr))
        return 1;
    if ((void *)(ip + 1) > end || ip->ihl < 5)
        return 0;
    void *l4 = p + ip->ihl * 4;
    if (l4 + 2 > end)
        return 0;
    return v4_ours(c, ip->saddr) && port_ours(c, ((__be16 *)l4)[0]);
}

static __always_inline int quoted_v6_ours(const struct steer_config *c, void *p, void *end)
{
    struct ipv6hdr *ip = p;
    if ((void *)(ip + 1) <= end && raw_proto(c, ip->nexthdr) && v6_ours(c, &ip->saddr))
        return 1;
    if ((void *)(ip + 1) + 2 > end)
        return 0;
    return v6_ours(c, &ip->saddr) && port_ours(c, ((__be16 *)(ip + 1))[0]);
}

static __always_inline int owned(struct xdp_md *ctx, const struct steer_config *c)
{
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end)
        return 0;
    __be16 proto = eth->h_proto;
    void *p = eth + 1;
    if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD)) {
        struct vlan_hdr *v = p;
        if ((void *)(v + 1) > end)
            return 0;
        proto = v->proto;
        p = v + 1;
    }
    if (proto == bpf_htons(ETH_P_ARP)) {
        struct arp_ipv4 *a = p;
        if ((void *)(a + 1) > end)
            return 0;
        if (a->ptype != bpf_htons(ETH_P_IP) || !v4_ours(c, a->tpa))
            return 0;
        return (c->steer_arp & 1) || ((c->steer_arp & 2) && a->op == bpf_htons(2));
    }
    if (proto == bpf_htons(ETH_P_IP)) {
        struct iphdr *ip = p;
        if ((void *)(ip + 1) > end || ip->ihl < 5)
            return 0;
        if (!v4_ours(c, ip->daddr))
            return 0;
        void *l4 = p + ip->ihl * 4;
        switch (ip->protocol) {
        case IPPROTO_TCP:
        case IPPROTO_UDP:
        case IPPROTO_SCTP:
            return l4_ours(c, l4, end);
        case IPPROTO_ICMP: {
            struct icmphdr *icmp = l4;
            if ((void *)(icmp + 1) > end)
                return 0;
            if (icmp->type == ICMP_ECHOREPLY)
                return 1;
            if (icmp->type == ICMP_DEST_UNREACH || icmp->type == ICMP_TIME_EXCEEDED)
                return quoted_v4_ours(c, icmp + 1, end);
            return 0;
        }
        default:
            // A reply in a probed raw IP protocol (TCP and UDP are never steered this way:
            // the kernel keeps its own connections).
            return raw_proto(c, ip->protocol);
        }
    }
    if (proto == bpf_htons(ETH_P_IPV6)) {
        struct ipv6hdr *ip = p;
        if ((void *)(ip + 1) > end)
            return 0;
        // Matched on its target, before the destination check: it comes to a multicast group.
        if ((c->steer_arp & 4) && ip->nexthdr == IPPROTO_ICMPV6) {
            struct nd_solicit *ns = (void *)(ip + 1);
            if ((void *)(ns + 1) <= end && ns->h.icmp6_type == NDISC_NEIGHBOUR_SOLICITATION &&
                v6_ours(c, &ns->target))
                return 1;
        }
        if (!v6_ours(c, &ip->daddr))
            return 0;
        void *l4 = ip + 1;
        switch (ip->nexthdr) {
        case IPPROTO_TCP:
        case IPPROTO_UDP:
        case IPPROTO_SCTP:
            return l4_ours(c, l4, end);
        case IPPROTO_ICMPV6: {
            struct icmp6hdr *icmp = l4;
            if ((void *)(icmp + 1) > end)
                return 0;
            if (icmp->icmp6_type == ICMPV6_ECHO_REPLY)
                return 1;
            if (icmp->icmp6_type == ICMPV6_DEST_UNREACH || icmp->icmp6_type == ICMPV6_TIME_EXCEED)
                return quoted_v6_ours(c, icmp + 1, end);
            // Unrecognized next header: a raw IP probe's protocol unreachable.
            if (icmp->icmp6_type == ICMPV6_PARAMPROB && icmp->icmp6_code == 1)
                return quoted_v6_ours(c, icmp + 1, end);
            // An ARP scan's IPv6 answers; other neighbour discovery stays with the kernel.
            return (c->steer_arp & 2) && icmp->icmp6_type == 136;
        }
        default:
            return raw_proto(c, ip->nexthdr);
        }
    }
    return 0;
}

SEC("xdp")
int masscan_steer(struct xdp_md *ctx)
{
    __u32 zero = 0;
    struct counters *n = bpf_map_lookup_elem(&stats, &zero);
    const struct steer_config *c = bpf_map_lookup_elem(&config, &zero);
    if (!n || !c)
        return XDP_PASS;
    n->seen++;
    if (owned(ctx, c)) {
        n->ours++;
        int action = bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_PASS);
        if (action == XDP_REDIRECT) {
            n->steered++;
            return action;
        }
    }
    n->passed++;
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

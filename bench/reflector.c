// SPDX-License-Identifier: GPL-2.0
// The lab's fast responder for bench/live.sh: an XDP program attached (driver mode) to the
// target's end of the scanner's veth. Every TCP SYN to 198.18.128.0/17 (addresses nothing in
// the lab owns) is turned into the SYN-ACK a listening host would send: MACs, addresses and
// ports swapped, ack = seq + 1, and sent back with XDP_TX, so the scanner's receive path gets one
// reply per probe at a rate no TCP stack in a namespace can reach. Other TCP to that block (our
// RSTs) is dropped; everything else passes to the kernel untouched. Checksums are updated
// incrementally (RFC 1624): swapping addresses and ports leaves them unchanged, the sequence
// numbers and flags are folded in.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define BLOCK bpf_htonl(0xC6128000) /* 198.18.128.0 */
#define BLOCK_MASK bpf_htonl(0xFFFF8000) /* /17 */
#define SERVER_ISN bpf_htonl(0x5eed1234)

// One's-complement update of a checksum for a 32-bit field changing from `from` to `to`.
static __always_inline __u16 csum_replace4(__u16 check, __u32 from, __u32 to)
{
	__u32 sum = (__u16)~check;
	sum += (~from & 0xffff) + (~from >> 16);
	sum += (to & 0xffff) + (to >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

SEC("xdp")
int reflect(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || ip->ihl != 5 || ip->protocol != IPPROTO_TCP ||
	    (ip->daddr & BLOCK_MASK) != BLOCK)
		return XDP_PASS;
	struct tcphdr *tcp = (void *)(ip + 1);
	if ((void *)(tcp + 1) > end)
		return XDP_PASS;
	if (!tcp->syn || tcp->ack)
		return XDP_DROP;

	unsigned char mac[ETH_ALEN];
	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
	__u32 addr = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = addr;
	__u16 port = tcp->source;
	tcp->source = tcp->dest;
	tcp->dest = port;

	__u32 old_seq = tcp->seq, old_ack = tcp->ack_seq;
	__u32 new_ack = bpf_htonl(bpf_ntohl(old_seq) + 1);
	// The 32-bit word holding data offset and flags, before and after setting ACK.
	__u32 *flags_word = (__u32 *)((char *)tcp + 12);
	__u32 old_flags = *flags_word;
	tcp->ack = 1;
	__u32 new_flags = *flags_word;
	tcp->seq = SERVER_ISN;
	tcp->ack_seq = new_ack;
	__u16 check = tcp->check;
	check = csum_replace4(check, old_seq, SERVER_ISN);
	check = csum_replace4(check, old_ack, new_ack);
	check = csum_replace4(check, old_flags, new_flags);
	tcp->check = check;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";

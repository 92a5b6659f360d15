/**
 * @file nft.c
 * @brief Step 12 — nftables rules through libnftnl: a network's forwarding and NAT, and a
 *        container's published ports, each in a table of its own.
 *
 * Netfilter is the kernel's packet filter: at five *hooks* on a packet's way through the
 * IP stack (prerouting, input, forward, output, postrouting) it runs the *base chains*
 * attached there, in order of priority, each a list of rules; a rule is a program of
 * small expressions (load a field into a register, compare it, ...) ending in a verdict.
 * nftables is its current front end: `nft` compiles "iifname nook0 drop" into those
 * expressions and sends them over a netlink socket (NETLINK_NETFILTER) as one *batch*,
 * which the kernel applies as a transaction: all of it, or none. libnftnl builds the same
 * messages, so nook sends them itself, each rule spelled out as `nft` would compile it.
 *
 * Every chain lives in a table, and tables are independent: a packet goes through the
 * base chains of every table at a hook. nook never touches a table it did not make: each
 * network in use has `table inet nook-net-NAME` and each container with published ports
 * `table inet nook-ports-ID`, added whole and deleted whole (deleting a table deletes its
 * chains and rules), so that nothing needs remembering between the two.
 *
 * **A network's table** (the bridge B, the subnet S):
 *  - forward, filter: B to B is accepted (a container reaching another through a
 *    published port of the host comes back out of B); on an internal network everything
 *    else into or out of B is dropped; otherwise what goes *into* B is dropped unless it
 *    is a reply (conntrack: established, related) or was led there by a published port
 *    (ct status dnat). That one rule is the segmentation: another network's containers,
 *    and the outside, cannot open a connection to this one's.
 *  - postrouting, nat: what leaves S for elsewhere is *masqueraded* — its source becomes
 *    the host's address on the way out, and conntrack rewrites the replies back. And the
 *    hairpin: a connection from S that a published port led back into B is masqueraded
 *    too, to the bridge's address; otherwise the container would answer its neighbour
 *    directly, from an address the neighbour never called.
 *
 * **A container's ports table**: in prerouting (packets arriving) and output (the host's
 * own connections), a packet for a local address (`fib daddr type local`, or the IP the
 * port names) and the host port gets its destination rewritten (DNAT) to the container's
 * address and port. Conntrack remembers the rewrite, so only a connection's first packet
 * goes through the chain. The output chain leaves 127.0.0.0/8 alone: a connection to the
 * loopback address cannot be sent out of it.
 *
 * Further reading: nft(8), the nftables wiki (https://wiki.nftables.org: "Netfilter
 * hooks", "Performing Network Address Translation"), libnftnl's examples/.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "network.h"

/** Room for one batch: a network's rules, or a container's NOOK_MAX_PORTS ports, twice. */
#define BATCH_SIZE (256 * 1024)

/** A batch being built: the messages, and the sequence numbers of the first and last. */
struct batch {
	char *buf;
	struct mnl_nlmsg_batch *b;
	uint32_t seq;	/**< the next message's */
	uint32_t begin; /**< the batch-begin message's: an error there is the whole batch's */
	bool full;	/**< a message did not fit, or an allocation failed */
};

/** A rule being built, and whether every expression could be allocated. */
struct rule {
	struct nftnl_rule *r;
	bool failed;
};

/* ---- the batch ------------------------------------------------------------------------- */

static int
batch_start(struct batch *b, struct nook_error *err)
{
	b->buf = malloc(BATCH_SIZE);
	b->b = b->buf ? mnl_nlmsg_batch_start(b->buf, BATCH_SIZE) : NULL;
	if (!b->b) {
		free(b->buf);
		return nook_fail(err, ENOMEM, "nftables batch");
	}
	b->seq = 1;
	b->begin = b->seq;
	b->full = false;
	nftnl_batch_begin(mnl_nlmsg_batch_current(b->b), b->seq++);
	mnl_nlmsg_batch_next(b->b);
	return 0;
}

static void
batch_free(struct batch *b)
{
	mnl_nlmsg_batch_stop(b->b);
	free(b->buf);
}

/** Start a message of @p type for the inet family, asking for its acknowledgement. */
static struct nlmsghdr *
batch_put(struct batch *b, uint16_t type, uint16_t flags)
{
	return nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(b->b), type, NFPROTO_INET,
				     flags | NLM_F_ACK, b->seq++);
}

/** The message just built is complete: room for the next. */
static void
batch_next(struct batch *b)
{
	if (!mnl_nlmsg_batch_next(b->b))
		b->full = true;
}

/** `add table inet NAME` (@p type NFT_MSG_NEWTABLE) or `delete table` (NFT_MSG_DELTABLE). */
static void
batch_table(struct batch *b, uint16_t type, const char *name)
{
	struct nftnl_table *t = nftnl_table_alloc();

	if (!t) {
		b->full = true;
		return;
	}
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, name);
	nftnl_table_nlmsg_build_payload(
		batch_put(b, type, type == NFT_MSG_NEWTABLE ? NLM_F_CREATE : 0), t);
	nftnl_table_free(t);
	batch_next(b);
}

/** `add chain inet TABLE NAME { type TYPE hook HOOK priority PRIO; policy accept; }` */
static void
batch_chain(struct batch *b, const char *table, const char *name, const char *type, unsigned hook,
	    int prio)
{
	struct nftnl_chain *c = nftnl_chain_alloc();

	if (!c) {
		b->full = true;
		return;
	}
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, type);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, hook);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, prio);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	nftnl_chain_nlmsg_build_payload(batch_put(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE), c);
	nftnl_chain_free(c);
	batch_next(b);
}

/** Append rule @p ru (then freed) to chain @p chain of @p table. */
static void
batch_rule(struct batch *b, const char *table, const char *chain, struct rule *ru)
{
	if (ru->failed || !ru->r) {
		b->full = true;
	} else {
		nftnl_rule_set_u32(ru->r, NFTNL_RULE_FAMILY, NFPROTO_INET);
		nftnl_rule_set_str(ru->r, NFTNL_RULE_TABLE, table);
		nftnl_rule_set_str(ru->r, NFTNL_RULE_CHAIN, chain);
		nftnl_rule_nlmsg_build_payload(
			batch_put(b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND), ru->r);
		batch_next(b);
	}
	if (ru->r)
		nftnl_rule_free(ru->r);
	ru->r = NULL;
}

/** Read the acknowledgements up to the one of message @p last; the first error, or 0. */
static int
read_acks(struct mnl_socket *nl, uint32_t begin, uint32_t last)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int first = 0, n;

	for (;;) {
		n = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return errno;
		for (struct nlmsghdr *h = (void *)buf; mnl_nlmsg_ok(h, n);
		     h = mnl_nlmsg_next(h, &n)) {
			struct nlmsgerr *e = mnl_nlmsg_get_payload(h);

			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			if (e->error && !first)
				first = -e->error;
			if (h->nlmsg_seq == last || (e->error && h->nlmsg_seq == begin))
				return first;
		}
	}
}

/**
 * Close the batch and send it; the kernel applies it whole or not at all. ENOENT is
 * success when @p absent_ok (deleting what is not there).
 */
static int
batch_send(struct batch *b, const char *what, bool absent_ok, struct nook_error *err)
{
	struct timeval tv = {.tv_sec = 10};
	uint32_t last = b->seq - 1;
	struct mnl_socket *nl;
	int e;

	nftnl_batch_end(mnl_nlmsg_batch_current(b->b), b->seq++);
	if (b->full || !mnl_nlmsg_batch_next(b->b))
		return nook_fail(err, ENOBUFS, "nftables batch (%s)", what);
	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl)
		return nook_fail(err, errno, "mnl_socket_open(NETLINK_NETFILTER)");
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_sendto(nl, mnl_nlmsg_batch_head(b->b), mnl_nlmsg_batch_size(b->b)) < 0)
		e = errno;
	else
		e = read_acks(nl, b->begin, last);
	mnl_socket_close(nl);
	errno = e;
	/* --trace: absent_ok is a deletion's; an addition is the table, its chains, rules */
	nook_trace("12-network.md#nftables-hooks-chains-tables", e ? -1 : 0,
		   "nftables batch: %s table inet %s, %u message%s", absent_ok ? "delete" : "add",
		   what, (unsigned)(last - b->begin), last - b->begin == 1 ? "" : "s");
	if (e && !(absent_ok && e == ENOENT))
		return nook_fail(err, e, "nftables: %s", what);
	return 0;
}

/* ---- expressions: what `nft` compiles a rule into -------------------------------------- */

/** A new expression of kind @p name, appended to the rule; NULL if allocation failed. */
static struct nftnl_expr *
expr(struct rule *ru, const char *name)
{
	struct nftnl_expr *e = ru->failed ? NULL : nftnl_expr_alloc(name);

	if (!e)
		ru->failed = true;
	else
		nftnl_rule_add_expr(ru->r, e);
	return e;
}

static void
rule_start(struct rule *ru)
{
	ru->r = nftnl_rule_alloc();
	ru->failed = !ru->r;
}

/** `meta KEY`: load it into register 1. */
static void
meta(struct rule *ru, uint32_t key)
{
	struct nftnl_expr *e = expr(ru, "meta");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
}

/** Compare register 1 with @p len bytes of @p data: equal, or not (@p op). */
static void
cmp(struct rule *ru, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = expr(ru, "cmp");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
}

/** Register 1 &= @p mask (@p len bytes): a prefix of an address, some bits of a status. */
static void
bitwise(struct rule *ru, const void *mask, uint32_t len)
{
	struct nftnl_expr *e = expr(ru, "bitwise");
	static const char zero[16];

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, zero, len);
}

/** `iifname NAME` or `oifname NAME` (@p key), equal or not (@p op): all 16 bytes. */
static void
ifname(struct rule *ru, uint32_t key, uint32_t op, const char *name)
{
	char buf[IFNAMSIZ] = "";

	memcpy(buf, name, strnlen(name, sizeof(buf) - 1));
	meta(ru, key);
	cmp(ru, op, buf, sizeof(buf));
}

/** Load @p len bytes at @p offset of the packet's header @p base into register 1. */
static void
payload(struct rule *ru, uint32_t base, uint32_t offset, uint32_t len)
{
	struct nftnl_expr *e = expr(ru, "payload");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
}

/** `ip saddr|daddr NET/PREFIX` (@p offset 12 or 16 of the IPv4 header), equal or not. */
static void
ip_addr(struct rule *ru, uint32_t offset, uint32_t op, struct in_addr net, unsigned prefix)
{
	uint32_t mask = htonl(prefix ? ~0u << (32 - prefix) : 0);
	uint8_t v4 = NFPROTO_IPV4;

	meta(ru, NFT_META_NFPROTO); /* an inet table sees IPv6 too: this is IPv4 only */
	cmp(ru, NFT_CMP_EQ, &v4, 1);
	payload(ru, NFT_PAYLOAD_NETWORK_HEADER, offset, 4);
	if (prefix < 32)
		bitwise(ru, &mask, 4);
	net.s_addr &= mask;
	cmp(ru, op, &net, 4);
}

/** `ct KEY & BITS != 0`: conntrack's state or status has one of @p bits. */
static void
ct_has(struct rule *ru, uint32_t key, uint32_t bits)
{
	struct nftnl_expr *e = expr(ru, "ct");
	uint32_t zero = 0;

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	bitwise(ru, &bits, 4);
	cmp(ru, NFT_CMP_NEQ, &zero, 4);
}

/** The verdict: accept, or drop. */
static void
verdict(struct rule *ru, int v)
{
	struct nftnl_expr *e = expr(ru, "immediate");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)v);
}

/** `masquerade`: the source becomes the address of the device the packet leaves by. */
static void
masquerade(struct rule *ru)
{
	expr(ru, "masq");
}

/* ---- a network's table ----------------------------------------------------------------- */

/** "nook-net-NAME" */
static void
net_table(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "nook-net-%s", name);
}

/**
 * The forward chain of network @p n's table: B to B accepted; into B only replies and
 * published ports — nothing at all in or out of B if the network is internal.
 */
static int
forward_rules(struct batch *b, const char *table, const struct nook_network *n,
	      struct nook_error *err)
{
	/* EXERCISE 12: append to chain "forward" of table, with rule_start, ifname, ct_has, verdict and batch_rule: iifname B oifname B accept; if internal, iifname B drop; else oifname B with ct state established,related accept, then with ct status dnat accept; last, oifname B drop. Tests: no way in from another network or the outside, no way out of an internal one, replies and published ports arrive */
	struct rule ru;

	(void)err;
	rule_start(&ru); /* iifname B oifname B accept */
	ifname(&ru, NFT_META_IIFNAME, NFT_CMP_EQ, n->bridge);
	ifname(&ru, NFT_META_OIFNAME, NFT_CMP_EQ, n->bridge);
	verdict(&ru, NF_ACCEPT);
	batch_rule(b, table, "forward", &ru);
	if (n->internal) {
		rule_start(&ru); /* iifname B drop: no way out */
		ifname(&ru, NFT_META_IIFNAME, NFT_CMP_EQ, n->bridge);
		verdict(&ru, NF_DROP);
		batch_rule(b, table, "forward", &ru);
	} else {
		rule_start(&ru); /* oifname B ct state established,related accept */
		ifname(&ru, NFT_META_OIFNAME, NFT_CMP_EQ, n->bridge);
		ct_has(&ru, NFT_CT_STATE,
		       NF_CT_STATE_BIT(IP_CT_ESTABLISHED) | NF_CT_STATE_BIT(IP_CT_RELATED));
		verdict(&ru, NF_ACCEPT);
		batch_rule(b, table, "forward", &ru);
		rule_start(&ru); /* oifname B ct status dnat accept: a published port */
		ifname(&ru, NFT_META_OIFNAME, NFT_CMP_EQ, n->bridge);
		ct_has(&ru, NFT_CT_STATUS, IPS_DST_NAT);
		verdict(&ru, NF_ACCEPT);
		batch_rule(b, table, "forward", &ru);
	}
	rule_start(&ru); /* oifname B drop: nothing else comes in */
	ifname(&ru, NFT_META_OIFNAME, NFT_CMP_EQ, n->bridge);
	verdict(&ru, NF_DROP);
	batch_rule(b, table, "forward", &ru);
	return 0;
	/* END EXERCISE */
}

//! [nat_rules]
/** postrouting: masquerade what leaves S by another device, and the hairpin back into B. */
static void
nat_rules(struct batch *b, const char *table, const struct nook_network *n)
{
	struct rule ru;

	rule_start(&ru); /* ip saddr S oifname != B masquerade */
	ip_addr(&ru, 12, NFT_CMP_EQ, n->subnet, n->prefix);
	ifname(&ru, NFT_META_OIFNAME, NFT_CMP_NEQ, n->bridge);
	masquerade(&ru);
	batch_rule(b, table, "postrouting", &ru);
	rule_start(&ru); /* ip saddr S oifname B ct status dnat masquerade: the hairpin */
	ip_addr(&ru, 12, NFT_CMP_EQ, n->subnet, n->prefix);
	ifname(&ru, NFT_META_OIFNAME, NFT_CMP_EQ, n->bridge);
	ct_has(&ru, NFT_CT_STATUS, IPS_DST_NAT);
	masquerade(&ru);
	batch_rule(b, table, "postrouting", &ru);
}
//! [nat_rules]

/**
 * Make network @p n's table, replacing any of that name (one a killed runtime left): in
 * one batch, add it, delete it, add it again with its chains and rules — `nft -f`'s way
 * of starting afresh atomically.
 */
int
nft_network_add(const struct nook_network *n, struct nook_error *err)
{
	char table[64];
	struct batch b;
	int ret;

	net_table(table, sizeof(table), n->name);
	if (batch_start(&b, err) < 0)
		return -1;
	batch_table(&b, NFT_MSG_NEWTABLE, table);
	batch_table(&b, NFT_MSG_DELTABLE, table);
	batch_table(&b, NFT_MSG_NEWTABLE, table);
	batch_chain(&b, table, "forward", "filter", NF_INET_FORWARD, 0);
	if (forward_rules(&b, table, n, err) < 0) {
		batch_free(&b);
		return -1;
	}
	if (!n->internal) {
		batch_chain(&b, table, "postrouting", "nat", NF_INET_POST_ROUTING, 100);
		nat_rules(&b, table, n);
	}
	ret = batch_send(&b, table, false, err);
	batch_free(&b);
	return ret;
}

/** Delete table @p table; one that is not there is fine. */
static int
table_del(const char *table, struct nook_error *err)
{
	struct batch b;
	int ret;

	if (batch_start(&b, err) < 0)
		return -1;
	batch_table(&b, NFT_MSG_DELTABLE, table);
	ret = batch_send(&b, table, true, err);
	batch_free(&b);
	return ret;
}

/** Delete network @p name's table, and with it its chains and rules. */
int
nft_network_del(const char *name, struct nook_error *err)
{
	char table[64];

	net_table(table, sizeof(table), name);
	return table_del(table, err);
}

/* ---- a container's ports --------------------------------------------------------------- */

/** "nook-ports-ID" */
static void
ports_table(char *buf, size_t size, const char *id)
{
	snprintf(buf, size, "nook-ports-%s", id);
}

/** `dnat ip to ADDR:PORT`: the address in register 1, the port in register 2. */
static void
dnat(struct rule *ru, struct in_addr addr, uint16_t port)
{
	struct nftnl_expr *a = expr(ru, "immediate"), *p, *n;
	uint16_t nport = htons(port);

	if (a) {
		nftnl_expr_set_u32(a, NFTNL_EXPR_IMM_DREG, NFT_REG_1);
		nftnl_expr_set(a, NFTNL_EXPR_IMM_DATA, &addr, 4);
	}
	p = expr(ru, "immediate");
	if (p) {
		nftnl_expr_set_u32(p, NFTNL_EXPR_IMM_DREG, NFT_REG_2);
		nftnl_expr_set(p, NFTNL_EXPR_IMM_DATA, &nport, 2);
	}
	n = expr(ru, "nat");
	if (!n)
		return;
	nftnl_expr_set_u32(n, NFTNL_EXPR_NAT_TYPE, NFT_NAT_DNAT);
	nftnl_expr_set_u32(n, NFTNL_EXPR_NAT_FAMILY, NFPROTO_IPV4);
	nftnl_expr_set_u32(n, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG_1);
	nftnl_expr_set_u32(n, NFTNL_EXPR_NAT_REG_PROTO_MIN, NFT_REG_2);
}

/** `fib daddr type local`: the destination is one of this host's addresses. */
static void
daddr_local(struct rule *ru)
{
	struct nftnl_expr *e = expr(ru, "fib");
	uint32_t local = RTN_LOCAL;

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_FLAGS, NFTA_FIB_F_DADDR);
	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE);
	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_DREG, NFT_REG_1);
	cmp(ru, NFT_CMP_EQ, &local, 4);
}

/**
 * One port's rule in @p chain: [ip daddr != 127.0.0.0/8 (output)] (ip daddr IP | fib daddr
 * type local) meta l4proto P th dport HOST dnat ip to ADDR:PORT.
 */
static void
port_rule(struct batch *b, const char *table, const char *chain, const struct nook_port *p,
	  struct in_addr addr)
{
	struct in_addr loopback = {htonl(INADDR_LOOPBACK)};
	uint16_t dport = htons(p->host_port);
	struct rule ru;

	rule_start(&ru);
	if (strcmp(chain, "output") == 0)
		ip_addr(&ru, 16, NFT_CMP_NEQ, loopback, 8);
	if (p->host_ip.s_addr)
		ip_addr(&ru, 16, NFT_CMP_EQ, p->host_ip, 32);
	else
		daddr_local(&ru);
	meta(&ru, NFT_META_L4PROTO);
	cmp(&ru, NFT_CMP_EQ, &p->proto, 1);
	payload(&ru, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
	cmp(&ru, NFT_CMP_EQ, &dport, 2);
	dnat(&ru, addr, p->port);
	batch_rule(b, table, chain, &ru);
}

/**
 * Lead the @p n ports @p p to container @p id at @p addr: its own table, with a
 * prerouting chain (packets arriving) and an output chain (the host's own connections).
 */
int
nft_ports_add(const char *id, struct in_addr addr, const struct nook_port *p, int n,
	      struct nook_error *err)
{
	char table[96];
	struct batch b;
	int ret;

	ports_table(table, sizeof(table), id);
	if (batch_start(&b, err) < 0)
		return -1;
	batch_table(&b, NFT_MSG_NEWTABLE, table);
	batch_table(&b, NFT_MSG_DELTABLE, table);
	batch_table(&b, NFT_MSG_NEWTABLE, table);
	batch_chain(&b, table, "prerouting", "nat", NF_INET_PRE_ROUTING, -100);
	batch_chain(&b, table, "output", "nat", NF_INET_LOCAL_OUT, -100);
	for (int i = 0; i < n; i++) {
		port_rule(&b, table, "prerouting", &p[i], addr);
		port_rule(&b, table, "output", &p[i], addr);
	}
	ret = batch_send(&b, table, false, err);
	batch_free(&b);
	return ret;
}

/** Delete container @p id's ports table; one that is not there is fine. */
int
nft_ports_del(const char *id, struct nook_error *err)
{
	char table[96];

	ports_table(table, sizeof(table), id);
	return table_del(table, err);
}

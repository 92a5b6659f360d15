/**
 * @file netrate.c
 * @brief Step 04's --net-rate: the container's bandwidth, limited both ways by a token
 *        bucket (tc's TBF queueing discipline) on each end of its veth cable.
 *
 * Every network device sends through a *queueing discipline* (qdisc): the kernel hands a
 * packet to the device's qdisc, and the qdisc decides when the driver gets it. A veth's
 * default is `noqueue` — packets go straight across. The *token bucket filter* (TBF) is the
 * classic shaper: a bucket fills with tokens at RATE bytes per second, up to BURST bytes;
 * a packet leaves only when there are tokens for its length, and waits in a queue of at
 * most LIMIT bytes until there are — beyond that it is dropped. Over any stretch of time,
 * no more than RATE × time + BURST bytes leave the device. `tc qdisc add dev DEV root tbf
 * rate R burst B limit L` installs one, and, like `ip`, `tc` is a front end to rtnetlink:
 * one RTM_NEWQDISC message, a struct tcmsg naming the device and where the qdisc goes
 * (the root: every packet the device sends), a TCA_KIND "tbf" and TCA_OPTIONS with its
 * parameters. This file builds that message with libmnl, as rtnl.c does for links.
 *
 * A qdisc shapes what a device *sends* (its egress). What a device receives has already
 * crossed the wire: it can only be dropped (an ingress *policer*), not delayed — unless it
 * is redirected to a stand-in device (ifb) and shaped on that one's egress. A veth makes
 * this easy, because each direction of the cable is the egress of one of its ends:
 *
 *  - what the container *receives* leaves the host's end, nk…: a TBF there, added from the
 *    host in parent(), before the container is released;
 *  - what the container *sends* leaves its own end, eth0: a TBF there, added by the child
 *    in child(), with the netlink socket it opens inside to configure eth0 (the host's
 *    socket cannot see into the container's namespace).
 *
 * Why not an ingress policer on the host's end, out of the container's reach? A policer
 * drops what exceeds the rate instead of queueing it, and TCP takes each drop for
 * congestion and halves its window: a policed TCP flow settles well below the rate, and
 * how far below depends on the burst and the round-trip time. Two token buckets shape both
 * directions to the rate itself, and need no device of their own (ifb, as Kubernetes'
 * bandwidth plugin uses, is an extra device the runtime must create, name and sweep).
 * The price: the qdisc on eth0 is the container's own. A process inside with
 * CAP_NET_ADMIN over its network namespace can delete it (`tc qdisc del dev eth0 root`)
 * and send at full speed. Docker's default capability set (step 08) has no CAP_NET_ADMIN;
 * a container given it is trusted with its own network anyway. Both qdiscs disappear with
 * their devices, so there is nothing to clean up.
 *
 * The parameters: RATE from --net-rate, in tc's units; BURST 10 ms worth of RATE, but at
 * least 16 KiB — a bucket smaller than a packet would never let it through, and TCP's
 * segmentation offload hands the device packets of up to 64 KiB (TBF splits those that
 * exceed the bucket); LIMIT, the queue, 100 ms worth on top of the burst, so that a TCP
 * sender's window fits in the queue instead of being dropped at its edge.
 *
 * Further reading: tc(8), tc-tbf(8), the kernel's net/sched/sch_tbf.c.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <math.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nook.h"
#include "rtnl.h"

/** The slowest and fastest --net-rate, in bytes per second: 8kbit and 32gbit. */
#define NETRATE_MIN 1000ULL
#define NETRATE_MAX 4000000000ULL
/** The bucket: 10 ms of the rate, at least 16 KiB. The queue: 100 ms more. */
#define BURST_MIN (16U << 10)

/** tc's rate units (tc(8), "RATES"), matched regardless of case; a bare number is bit/s. */
static const struct {
	const char *name;
	double bits; /**< bits per second of one unit */
} units[] = {
	{"bit", 1.},
	{"kibit", 1024.},
	{"kbit", 1e3},
	{"mibit", 1048576.},
	{"mbit", 1e6},
	{"gibit", 1073741824.},
	{"gbit", 1e9},
	{"bps", 8.},
	{"kibps", 8192.},
	{"kbps", 8e3},
	{"mibps", 8388608.},
	{"mbps", 8e6},
	{"gibps", 8589934592.},
	{"gbps", 8e9},
	{"b", 8.},
	{"kib", 8192.},
	{"kb", 8e3},
	{"mib", 8388608.},
	{"mb", 8e6},
	{"gib", 8589934592.},
	{"gb", 8e9},
};

/**
 * Parse a rate in tc's units — "8mbit", "512kbit", "1.5gbit", "1mbps" (bytes) — or as
 * bytes with the "ps" left out ("1MB", "64KiB": per second). A bare number is bits per
 * second, as tc reads it.
 *
 * @return 0 with @p bytes (per second) set, or -1 when @p arg is not such a rate or lies
 *         outside 8kbit-32gbit.
 */
int
netrate_parse(const char *arg, unsigned long long *bytes)
{
	double n, bits = -1;
	char *end;

	if (!isdigit((unsigned char)arg[0]))
		return -1;
	errno = 0;
	n = strtod(arg, &end);
	/* decimal digits and a point only: strtod would also read "0x10" and "1e3" */
	if (errno != 0 || !isfinite(n) || strspn(arg, "0123456789.") != (size_t)(end - arg))
		return -1;
	if (!*end)
		bits = n;
	for (size_t i = 0; *end && i < sizeof(units) / sizeof(units[0]); i++)
		if (strcasecmp(end, units[i].name) == 0)
			bits = n * units[i].bits;
	if (bits < 0 || bits / 8 < NETRATE_MIN || bits / 8 > NETRATE_MAX)
		return -1;
	*bytes = (unsigned long long)(bits / 8 + 0.5);
	return 0;
}

//! [qdisc_add_tbf]
/**
 * `tc qdisc add dev NAME root handle 1: tbf rate RATE burst BURST limit LIMIT`: an
 * RTM_NEWQDISC at the root of device @p name. The rate goes in a struct tc_ratespec, the
 * burst in bytes as TCA_TBF_BURST (older kernels took it only in scheduler ticks), and the
 * link layer is said to be Ethernet, so the kernel needs no rate table of tc's making.
 */
int
qdisc_add_tbf(struct mnl_socket *nl, const char *name, unsigned long long rate,
	      struct nook_error *err)
{
	char buf[8192];
	struct nlmsghdr *nlh = rtnl_request(buf, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL);
	struct tcmsg *tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	uint32_t burst = rate / 100 > BURST_MIN ? (uint32_t)(rate / 100) : BURST_MIN;
	struct tc_tbf_qopt qopt = {
		.rate = {.rate = (uint32_t)rate, .linklayer = TC_LINKLAYER_ETHERNET},
		.limit = burst + (uint32_t)(rate / 10),
	};
	struct nlattr *opts;

	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = (int)if_nametoindex(name);
	tcm->tcm_handle = TC_H_MAKE(1U << 16, 0);
	tcm->tcm_parent = TC_H_ROOT;
	mnl_attr_put_strz(nlh, TCA_KIND, "tbf");
	opts = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put(nlh, TCA_TBF_PARMS, sizeof(qopt), &qopt);
	mnl_attr_put_u32(nlh, TCA_TBF_BURST, burst);
	mnl_attr_nest_end(nlh, opts);
	if (tcm->tcm_ifindex == 0 || rtnl_talk(nl, nlh) < 0)
		return nook_fail(err, errno, "RTM_NEWQDISC(dev \"%s\" root tbf rate %llubps)", name,
				 rate);
	return 0;
}
//! [qdisc_add_tbf]

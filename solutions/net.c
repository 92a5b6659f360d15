/**
 * @file net.c
 * @brief Step 04 — a network namespace: interfaces, addresses and routes of the container's
 *        own, and optionally a virtual cable (a veth pair) to the host.
 *
 * A network namespace is a complete, separate copy of the network stack: its own network
 * devices, IPv4 and IPv6 addresses, routing tables, neighbour (ARP) tables, firewall rules,
 * port numbers, /proc/sys/net settings and abstract UNIX sockets. A process in a new one
 * starts with a single device, the loopback `lo`, and even that is down: not even
 * 127.0.0.1 answers until it is brought up. Two containers can both listen on port 80,
 * because "port 80" only means something inside one namespace.
 *
 * A network device belongs to exactly one namespace at a time. That is how a container
 * gets a link to the world: a *veth pair* is two virtual Ethernet devices joined back to
 * back, like the two ends of a cable — a frame sent into one end comes out of the other.
 * Create the pair from the host with one end born in the container's namespace, as
 * `eth0`, and the other on the host: the cable runs through the namespace wall. (`ip link
 * add ... peer ... netns PID` does the same; a device can also be moved later, with
 * `ip link set DEV netns PID`, but a pair made in two steps exists for a moment wholly on
 * the host — and stays there if nook is killed in that moment.) Give both ends an address in one small subnet and each side can reach
 * the other; a default route in the container via the host's end (its *gateway*) sends all
 * other traffic to the host, where a bridge or NAT (not done here) could pass it on.
 *
 * Network configuration is not done with system calls but with rtnetlink messages;
 * rtnl.c builds them, one function per message, each reading like the `ip` command it
 * replaces. This file decides which messages to send, from which side, in which order.
 *
 * The order of events is dictated by who can see what:
 *
 *  1. The namespace is created by clone(2) (CLONE_NEWNET), so it exists only once the child
 *     does. The veth therefore has to be made afterwards, by the host, in parent() — while
 *     the child waits on launch.c's sync pipe and cannot yet exec the command.
 *  2. A netlink socket speaks to the namespace its creator was in when it was opened. The
 *     host's socket can create the pair with one end *out* (IFLA_NET_NS_PID: the
 *     container's PID names its namespace), but that end is then out of the host's sight. So the container's side — `lo` up, `eth0` up, its address,
 *     its default route — is configured by the child itself, in child(), with a socket it
 *     opens inside, after the host has released it.
 *  3. The host end gets the gateway address and goes up before the child is released, so
 *     the link is complete by the time the command starts.
 *
 * Cleaning up needs one message: deleting either end of a veth deletes the pair. And when a
 * network namespace dies — when the last process in it has exited — the kernel destroys
 * its devices, so a veth with one end inside vanishes from the host by itself, usually
 * before cleanup() runs (the namespace is torn down asynchronously, though, so it may still
 * be there). cleanup() therefore deletes the host end and takes "no such device" as
 * success. Since the container's end was born in its namespace, a nook killed at any
 * moment leaves no pair behind: the container dies with nook, its namespace with it, and
 * the pair with its end there. The host end is named `nk` and twelve hex digits of a hash
 * of the container's ID, unique as the ID is.
 *
 * Further reading: network_namespaces(7), veth(4), ip-link(8), LWN
 * "Namespaces in operation, part 7: Network namespaces" (https://lwn.net/Articles/580893/).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nook.h"
#include "rtnl.h"

/** The container's end of the cable, once moved in. */
#define CONTAINER_IF "eth0"

/* ---- the command line ------------------------------------------------------------------ */

/** Is @p a usable as a host's address: not 0.0.0.0/8, loopback, multicast or reserved? */
static int
is_unicast(struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	return (h >> 24) != 0 && (h >> 24) != 127 && (h >> 28) < 14;
}

/** Parse a dotted-quad IPv4 address (inet_pton: exactly four decimal numbers 0-255). */
static int
parse_addr(const char *opt, const char *arg, const char *text, struct in_addr *a,
	   struct nook_error *err)
{
	if (inet_pton(AF_INET, text, a) != 1)
		return nook_fail(err, 0, "invalid --%s \"%s\": \"%s\" is not an IPv4 address", opt,
				 arg, text);
	if (!is_unicast(*a))
		return nook_fail(err, 0, "invalid --%s \"%s\": not a unicast address", opt, arg);
	return 0;
}

/** The mask of a /@p prefix subnet, in network byte order. */
static uint32_t
netmask(unsigned prefix)
{
	return htonl(prefix ? ~0u << (32 - prefix) : 0);
}

/**
 * Refuse an address that is its subnet's network address (all host bits 0) or broadcast
 * address (all 1): neither may be given to a host.
 */
static int
check_host_part(const char *opt, const char *arg, struct in_addr a, unsigned prefix,
		struct nook_error *err)
{
	uint32_t host = a.s_addr & ~netmask(prefix);

	if (host == 0)
		return nook_fail(err, 0, "invalid --%s \"%s\": the subnet's network address", opt,
				 arg);
	if (host == ~netmask(prefix))
		return nook_fail(err, 0, "invalid --%s \"%s\": the subnet's broadcast address", opt,
				 arg);
	return 0;
}

/**
 * --ip ADDR/PREFIX. The prefix is 8 to 30: a /31 or /32 leaves no room for both the
 * container and its gateway, and a subnet wider than /8 would span more than one first
 * byte, mixing ordinary addresses with loopback (127/8) or reserved ones.
 */
static int
set_ip_option(struct nook_container *c, const char *arg, struct nook_error *err)
{
	const char *slash = strchr(arg, '/');
	char addr[INET_ADDRSTRLEN];
	char *end;
	unsigned long prefix;

	if (!slash)
		return nook_fail(err, 0, "invalid --ip \"%s\": expected ADDR/PREFIX", arg);
	if ((size_t)(slash - arg) >= sizeof(addr))
		return nook_fail(err, 0, "invalid --ip \"%s\": not an IPv4 address", arg);
	memcpy(addr, arg, (size_t)(slash - arg));
	addr[slash - arg] = '\0';
	if (parse_addr("ip", arg, addr, &c->net.addr, err) < 0)
		return -1;
	errno = 0;
	prefix = strtoul(slash + 1, &end, 10);
	/* "/024" is no prefix length: strtoul would read 24, `ip` refuses it */
	if (slash[1] < '1' || slash[1] > '9' || *end || errno || prefix < 8 || prefix > 30)
		return nook_fail(err, 0, "invalid --ip \"%s\": the prefix must be 8 to 30", arg);
	c->net.prefix = (unsigned)prefix;
	c->net.has_addr = true;
	return check_host_part("ip", arg, c->net.addr, c->net.prefix, err);
}

/** --gateway ADDR; whether it fits the subnet of --ip is checked in net_prepare(). */
static int
set_gateway_option(struct nook_container *c, const char *arg, struct nook_error *err)
{
	if (parse_addr("gateway", arg, arg, &c->net.gateway, err) < 0)
		return -1;
	c->net.has_gateway = true;
	return 0;
}

/** --net none|veth. */
static int
set_net_option(struct nook_container *c, const char *arg, struct nook_error *err)
{
	if (strcmp(arg, "none") == 0)
		c->net.veth = false;
	else if (strcmp(arg, "veth") == 0)
		c->net.veth = true;
	else
		return nook_fail(err, 0, "invalid --net \"%s\": expected none or veth", arg);
	return 0;
}

/** --net-rate RATE: in tc's units (netrate.c), e.g. 8mbit. */
static int
set_net_rate_option(struct nook_container *c, const char *arg, struct nook_error *err)
{
	if (netrate_parse(arg, &c->net.rate) < 0)
		return nook_fail(err, 0,
				 "invalid --net-rate \"%s\": not a rate from 8kbit to 32gbit such "
				 "as 8mbit, 512kbit or 1mbps",
				 arg);
	return 0;
}

/**
 * The options together: --ip, --gateway and --net-rate only with --net veth, which needs --ip. The
 * gateway defaults to the subnet's first host address (10.200.0.1 for 10.200.0.2/24), as
 * docker's bridge does; it must lie in the subnet and differ from the container's address.
 */
static int
net_prepare(struct nook_container *c, struct nook_error *err)
{
	char gw[INET_ADDRSTRLEN];

	if (!c->net.veth && (c->net.has_addr || c->net.has_gateway || c->net.rate))
		return nook_fail(err, 0, "--%s needs --net veth",
				 c->net.has_addr      ? "ip"
				 : c->net.has_gateway ? "gateway"
						      : "net-rate");
	if (!c->net.veth)
		return 0;
	if (!c->net.prefix)
		return nook_fail(err, 0, "--net veth needs --ip ADDR/PREFIX");
	if (!c->net.has_gateway)
		c->net.gateway.s_addr = (c->net.addr.s_addr & netmask(c->net.prefix)) | htonl(1);
	inet_ntop(AF_INET, &c->net.gateway, gw, sizeof(gw));
	if ((c->net.gateway.s_addr ^ c->net.addr.s_addr) & netmask(c->net.prefix))
		return nook_fail(err, 0, "invalid --gateway \"%s\": outside the subnet of --ip",
				 gw);
	if (c->net.gateway.s_addr == c->net.addr.s_addr && !c->net.has_gateway)
		return nook_fail(err, 0,
				 "--ip %s/%u is the default gateway (the subnet's first "
				 "address): name another with --gateway",
				 gw, c->net.prefix);
	if (c->net.gateway.s_addr == c->net.addr.s_addr)
		return nook_fail(err, 0, "invalid --gateway \"%s\": the container's own address",
				 gw);
	return check_host_part("gateway", gw, c->net.gateway, c->net.prefix, err);
}

/* ---- the stage ------------------------------------------------------------------------- */

//! [lay_cable]
/**
 * On the host, with a socket opened there: create the pair, the container's end born in
 * its namespace as eth0, and give the host's end the gateway address. The host end's name
 * is recorded only once it exists, so cleanup() never deletes a device nook did not make.
 */
static int
lay_cable(struct mnl_socket *nl, struct nook_container *c, struct nook_error *err)
{
	char host[IF_NAMESIZE];

	snprintf(host, sizeof(host), "nk%012llx", state_hash(c->id) & 0xffffffffffffULL);
	if (link_add_veth(nl, host, CONTAINER_IF, c->run.pid, err) < 0)
		return -1;
	memcpy(c->net.host_if, host, sizeof(host));
	if (if_nametoindex(host) == 0)
		return nook_fail(err, 0,
				 "RTM_NEWLINK(veth \"%s\") succeeded, but there is no %s on the "
				 "host: was the host end named as asked?",
				 host, host);
	/* --net-rate: what leaves the host's end is what the container receives */
	if (c->net.rate && qdisc_add_tbf(nl, host, c->net.rate, err) < 0)
		return -1;
	if (c->net.bridge[0]) /* step 12: a port of the network's bridge, which has the gateway */
		return link_set_master(nl, host, c->net.bridge, err);
	if (addr_add(nl, host, c->net.gateway, c->net.prefix, err) < 0)
		return -1;
	return link_up(nl, host, err);
}
//! [lay_cable]

/** parent(): with --net veth, lay the cable before the container is released. */
static int
net_parent(struct nook_container *c, struct nook_error *err)
{
	struct mnl_socket *nl;
	int ret;

	if (!c->net.veth)
		return 0;
	nl = rtnl_open(err);
	if (!nl)
		return -1;
	ret = lay_cable(nl, c, err);
	mnl_socket_close(nl);
	return ret;
}

//! [configure_inside]
/**
 * Inside the container, with a socket opened inside: loopback up, and with --net veth
 * eth0 up with its address and a default route via the host's end.
 */
static int
configure_inside(struct mnl_socket *nl, struct nook_container *c, struct nook_error *err)
{
	if (link_up(nl, "lo", err) < 0)
		return -1;
	if (!c->net.veth)
		return 0;
	if (link_up(nl, CONTAINER_IF, err) < 0)
		return -1;
	if (addr_add(nl, CONTAINER_IF, c->net.addr, c->net.prefix, err) < 0)
		return -1;
	/* --net-rate: what leaves eth0 is what the container sends (netrate.c) */
	if (c->net.rate && qdisc_add_tbf(nl, CONTAINER_IF, c->net.rate, err) < 0)
		return -1;
	return route_add_default(nl, CONTAINER_IF, c->net.gateway, err);
}
//! [configure_inside]

/** child(): configure the container's side of the network, from the inside. */
static int
net_child(struct nook_container *c, struct nook_error *err)
{
	struct mnl_socket *nl;
	int ret;

	if (c->net.host)
		return 0;
	nl = rtnl_open(err);
	if (!nl)
		return -1;
	ret = configure_inside(nl, c, err);
	mnl_socket_close(nl);
	return ret;
}

/**
 * cleanup(): delete the host end, and with it the pair. Often the kernel got there first,
 * having destroyed the container's namespace and its devices: ENODEV is success then.
 * Nothing to report to — the container has ended — so a failure is left as it is.
 */
static void
net_cleanup(struct nook_container *c)
{
	struct mnl_socket *nl;
	struct nook_error ignored;

	if (!c->net.host_if[0])
		return;
	nl = rtnl_open(&ignored);
	if (!nl)
		return;
	link_del(nl, c->net.host_if);
	mnl_socket_close(nl);
	c->net.host_if[0] = '\0';
}

static const struct nook_option net_options[] = {
	{"net", "MODE", "none (default: only lo) or veth (a cable to the host)", set_net_option},
	{"ip", "ADDR/PREFIX", "with --net veth or --network: eth0's address, e.g. 10.200.0.2/24",
	 set_ip_option},
	{"gateway", "ADDR", "the host end's address (default: the subnet's first)",
	 set_gateway_option},
	{"net-rate", "RATE", "with --net veth: bandwidth each way, e.g. 8mbit (tc's units)",
	 set_net_rate_option},
	{NULL, NULL, NULL, NULL},
};

/** A new network namespace, unless step 12's --network host shares the host's. */
static int
net_flags(const struct nook_container *c)
{
	return c->net.host ? 0 : CLONE_NEWNET;
}

//! [net_stage]
/** Step 04's stage: a new network namespace, lo up, and with --net veth a cable out. */
const struct nook_stage net_stage = {
	.name = "net",
	.flags = net_flags,
	.options = net_options,
	.prepare = net_prepare,
	.parent = net_parent,
	.child = net_child,
	.cleanup = net_cleanup,
};
//! [net_stage]

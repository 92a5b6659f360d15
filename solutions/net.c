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
 * A network device belongs to exactly one namespace at a time, and can be moved. That is
 * how a container gets a link to the world: a *veth pair* is two virtual Ethernet devices
 * joined back to back, like the two ends of a cable — a frame sent into one end comes out
 * of the other. Create the pair on the host, move one end into the container's namespace
 * (where nook renames it `eth0`) and keep the other on the host: the cable now runs through
 * the namespace wall. Give both ends an address in one small subnet and each side can reach
 * the other; a default route in the container via the host's end (its *gateway*) sends all
 * other traffic to the host, where a bridge or NAT (not done here) could pass it on.
 *
 * Network configuration is not done with system calls but with messages: *rtnetlink*, an
 * AF_NETLINK socket over which a program sends requests to the kernel ("create a link of
 * kind veth", "add address 10.0.0.2/24 to device 5") and reads back an acknowledgement,
 * an nlmsgerr carrying 0 or an errno. Each request is a struct nlmsghdr, a fixed header of
 * its family (struct ifinfomsg for links, ifaddrmsg for addresses, rtmsg for routes), then
 * type-length-value attributes, which may nest. `ip` from iproute2 is a front end to these
 * very messages; nook builds them itself with libmnl, a thin library that only takes care
 * of the byte layout, so that each message reads like the `ip` command it replaces.
 *
 * The order of events is dictated by who can see what:
 *
 *  1. The namespace is created by clone(2) (CLONE_NEWNET), so it exists only once the child
 *     does. The veth therefore has to be made afterwards, by the host, in parent() — while
 *     the child waits on launch.c's sync pipe and cannot yet exec the command.
 *  2. A netlink socket speaks to the namespace its creator was in when it was opened. The
 *     host's socket can create the pair and move one end *out* (RTM_NEWLINK with
 *     IFLA_NET_NS_PID, the container's PID naming its namespace), but once moved, that end
 *     is out of the host's sight. So the container's side — `lo` up, `eth0` up, its address,
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
 * success. The host end is named `nk<PID of nook>`: nook lives until its cleanup is done,
 * so in its PID namespace no other nook can pick the same name meanwhile.
 *
 * Further reading: network_namespaces(7), veth(4), rtnetlink(7), netlink(7), ip-link(8),
 * the libmnl documentation (https://netfilter.org/projects/libmnl/doxygen/html/), LWN
 * "Namespaces in operation, part 7: Network namespaces" (https://lwn.net/Articles/580893/).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nook.h"

/** Room for any request nook sends, and for the kernel's acknowledgement of it. */
#define RTNL_BUFSIZE 8192
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
	if (slash[1] < '0' || slash[1] > '9' || *end || errno || prefix < 8 || prefix > 30)
		return nook_fail(err, 0, "invalid --ip \"%s\": the prefix must be 8 to 30", arg);
	c->net.prefix = (unsigned)prefix;
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

/**
 * The options together: --ip and --gateway only with --net veth, which needs --ip. The
 * gateway defaults to the subnet's first host address (10.200.0.1 for 10.200.0.2/24), as
 * docker's bridge does; it must lie in the subnet and differ from the container's address.
 */
static int
net_prepare(struct nook_container *c, struct nook_error *err)
{
	char gw[INET_ADDRSTRLEN];

	if (!c->net.veth && (c->net.prefix || c->net.has_gateway))
		return nook_fail(err, 0, "--%s needs --net veth", c->net.prefix ? "ip" : "gateway");
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

/* ---- rtnetlink: one function per message ----------------------------------------------- */

/**
 * Open a routing netlink socket. It talks to the network namespace the caller is in now,
 * for as long as it stays open.
 */
static struct mnl_socket *
rtnl_open(struct nook_error *err)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);

	if (!nl) {
		nook_fail(err, errno, "mnl_socket_open(NETLINK_ROUTE)");
		return NULL;
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		nook_fail(err, errno, "mnl_socket_bind(NETLINK_ROUTE)");
		mnl_socket_close(nl);
		return NULL;
	}
	return nl;
}

//! [rtnl_request]
/**
 * Start a request of @p type in @p buf: the netlink header, asking for an acknowledgement
 * (NLM_F_ACK) so that success is reported as well as failure. @p flags adds NLM_F_CREATE,
 * NLM_F_EXCL (fail if it exists already) and the like.
 */
static struct nlmsghdr *
rtnl_request(char *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = 1; /* one request at a time: any number will do */
	return nlh;
}
//! [rtnl_request]

//! [rtnl_talk]
/**
 * Send the request @p nlh and read the kernel's answer: an NLMSG_ERROR message whose
 * error is 0 for success or a negated errno, which mnl_cb_run() turns into -1 and errno.
 */
static int
rtnl_talk(struct mnl_socket *nl, struct nlmsghdr *nlh)
{
	char buf[RTNL_BUFSIZE];
	ssize_t n;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n < 0)
		return -1;
	if (mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, mnl_socket_get_portid(nl), NULL, NULL) < 0)
		return -1;
	return 0;
}
//! [rtnl_talk]

/**
 * `ip link add NAME type veth peer name PEER`: RTM_NEWLINK for a link of kind "veth",
 * whose peer is described, in IFLA_INFO_DATA, by a nested ifinfomsg and its own attributes:
 *
 *     ifinfomsg
 *     IFLA_IFNAME      NAME
 *     IFLA_LINKINFO
 *         IFLA_INFO_KIND   "veth"
 *         IFLA_INFO_DATA
 *             VETH_INFO_PEER
 *                 ifinfomsg
 *                 IFLA_IFNAME  PEER
 */
static int
link_add_veth(struct mnl_socket *nl, const char *name, const char *peer, struct nook_error *err)
{
	/* EXERCISE 04: build and send (rtnl_request, rtnl_talk) an RTM_NEWLINK, NLM_F_CREATE|NLM_F_EXCL, creating veth name with peer peer, nested as shown above */
	char buf[RTNL_BUFSIZE];
	struct nlmsghdr *nlh = rtnl_request(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct nlattr *linkinfo, *data, *peerinfo;
	struct ifinfomsg *ifi;

	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peerinfo = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi)); /* zeroed: the peer's ifinfomsg */
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	mnl_attr_nest_end(nlh, peerinfo);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	if (rtnl_talk(nl, nlh) < 0)
		return nook_fail(err, errno, "RTM_NEWLINK(veth \"%s\" peer \"%s\")", name, peer);
	return 0;
	/* END EXERCISE */
}

//! [link_move]
/**
 * `ip link set dev INDEX netns PID name NEWNAME`: move device @p index into the network
 * namespace of process @p pid and rename it there, in one RTM_NEWLINK. The device is
 * named by its index, since IFLA_IFNAME here carries the new name — which is also why
 * index 0 is refused: the kernel would look the device up by that name instead, and move
 * the host's own eth0.
 */
static int
link_move(struct mnl_socket *nl, unsigned index, pid_t pid, const char *newname,
	  struct nook_error *err)
{
	char buf[RTNL_BUFSIZE];
	struct nlmsghdr *nlh = rtnl_request(buf, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	if (index == 0)
		return nook_fail(err, ENODEV, "RTM_NEWLINK(dev 0 netns %d)", (int)pid);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)index;
	mnl_attr_put_u32(nlh, IFLA_NET_NS_PID, (uint32_t)pid);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, newname);
	if (rtnl_talk(nl, nlh) < 0)
		return nook_fail(err, errno, "RTM_NEWLINK(dev %u netns %d name \"%s\")", index,
				 (int)pid, newname);
	return 0;
}
//! [link_move]

//! [link_up]
/**
 * `ip link set dev NAME up`: RTM_NEWLINK on an existing device, changing (ifi_change) only
 * the IFF_UP flag, to set (ifi_flags).
 */
static int
link_up(struct mnl_socket *nl, const char *name, struct nook_error *err)
{
	char buf[RTNL_BUFSIZE];
	struct nlmsghdr *nlh = rtnl_request(buf, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name); /* ifi_index 0: the name says which */
	if (rtnl_talk(nl, nlh) < 0)
		return nook_fail(err, errno, "RTM_NEWLINK(dev \"%s\" up)", name);
	return 0;
}
//! [link_up]

/**
 * `ip link del dev NAME`: RTM_DELLINK. Deleting either end of a veth deletes both.
 * "No such device" is reported as ENODEV, for the caller to judge.
 */
static int
link_del(struct mnl_socket *nl, const char *name)
{
	char buf[RTNL_BUFSIZE];
	struct nlmsghdr *nlh = rtnl_request(buf, RTM_DELLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return rtnl_talk(nl, nlh);
}

//! [addr_add]
/**
 * `ip addr add ADDR/PREFIX dev NAME`: RTM_NEWADDR. IFA_LOCAL is the address itself;
 * IFA_ADDRESS is the same on a broadcast link (they differ only on point-to-point ones).
 * The kernel adds the route to the subnet (ADDR/PREFIX dev NAME) along with it.
 */
static int
addr_add(struct mnl_socket *nl, const char *name, struct in_addr addr, unsigned prefix,
	 struct nook_error *err)
{
	char buf[RTNL_BUFSIZE], text[INET_ADDRSTRLEN];
	struct nlmsghdr *nlh = rtnl_request(buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));

	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = if_nametoindex(name);
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(addr), &addr);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(addr), &addr);
	if (ifa->ifa_index == 0 || rtnl_talk(nl, nlh) < 0)
		return nook_fail(err, errno, "RTM_NEWADDR(%s/%u dev \"%s\")",
				 inet_ntop(AF_INET, &addr, text, sizeof(text)), prefix, name);
	return 0;
}
//! [addr_add]

//! [route_add_default]
/**
 * `ip route add default via GATEWAY dev NAME`: RTM_NEWROUTE for destination 0.0.0.0/0
 * (rtm_dst_len 0) in the main table. The gateway must be reachable through a route that
 * already exists — the subnet route addr_add() brought with it.
 */
static int
route_add_default(struct mnl_socket *nl, const char *name, struct in_addr gateway,
		  struct nook_error *err)
{
	char buf[RTNL_BUFSIZE], text[INET_ADDRSTRLEN];
	struct nlmsghdr *nlh = rtnl_request(buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	unsigned index = if_nametoindex(name);

	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = 0;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT; /* as `ip route add` marks it: set by an administrator */
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_GATEWAY, sizeof(gateway), &gateway);
	mnl_attr_put_u32(nlh, RTA_OIF, index);
	if (index == 0 || rtnl_talk(nl, nlh) < 0)
		return nook_fail(err, errno, "RTM_NEWROUTE(default via %s dev \"%s\")",
				 inet_ntop(AF_INET, &gateway, text, sizeof(text)), name);
	return 0;
}
//! [route_add_default]

/* ---- the stage ------------------------------------------------------------------------- */

//! [lay_cable]
/**
 * On the host, with a socket opened there: create the pair, move the container's end into
 * its namespace as eth0, and give the host's end the gateway address. The host end's name
 * is recorded only once it exists, so cleanup() never deletes a device nook did not make.
 */
static int
lay_cable(struct mnl_socket *nl, struct nook_container *c, struct nook_error *err)
{
	char host[IF_NAMESIZE], peer[IF_NAMESIZE];

	snprintf(host, sizeof(host), "nk%d", (int)getpid());
	snprintf(peer, sizeof(peer), "nk%dc", (int)getpid());
	if (link_add_veth(nl, host, peer, err) < 0)
		return -1;
	memcpy(c->net.host_if, host, sizeof(host));
	if (link_move(nl, if_nametoindex(peer), c->run.pid, CONTAINER_IF, err) < 0)
		return -1;
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
	return route_add_default(nl, CONTAINER_IF, c->net.gateway, err);
}
//! [configure_inside]

/** child(): configure the container's side of the network, from the inside. */
static int
net_child(struct nook_container *c, struct nook_error *err)
{
	struct mnl_socket *nl = rtnl_open(err);
	int ret;

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
	{"ip", "ADDR/PREFIX", "with --net veth: eth0's IPv4 address, e.g. 10.200.0.2/24",
	 set_ip_option},
	{"gateway", "ADDR", "the host end's address (default: the subnet's first)",
	 set_gateway_option},
	{NULL, NULL, NULL, NULL},
};

//! [net_stage]
/** Step 04's stage: a new network namespace, lo up, and with --net veth a cable out. */
const struct nook_stage net_stage = {
	.name = "net",
	.clone_flags = CLONE_NEWNET,
	.options = net_options,
	.prepare = net_prepare,
	.parent = net_parent,
	.child = net_child,
	.cleanup = net_cleanup,
};
//! [net_stage]

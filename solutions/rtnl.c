/**
 * @file rtnl.c
 * @brief rtnetlink, one function per message: the network configuration steps 04 and the
 *        runtime send to the kernel (veth pairs, moving links, addresses, routes).
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
 * Every function here sends one request and waits for its acknowledgement, so an error
 * comes back as the errno of that very request, named in one line like any nook error.
 * Which namespace a message acts on is decided by where its socket was opened (rtnl_open):
 * the callers in net.c open one on the host and one inside the container.
 *
 * Further reading: rtnetlink(7), netlink(7), the libmnl documentation
 * (https://netfilter.org/projects/libmnl/doxygen/html/).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <stdbool.h>
#include <string.h>

#include "nook.h"
#include "rtnl.h"

/** Where lesson 04 explains these messages, for --trace. */
#define RTNL_LESSON "04-net.md#rtnetlink-configuring-the-network-with-messages"

/** Room for any request nook sends, and for the kernel's acknowledgement of it. */
#define RTNL_BUFSIZE 8192

/**
 * Open a routing netlink socket. It talks to the network namespace the caller is in now,
 * for as long as it stays open.
 */
struct mnl_socket *
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
struct nlmsghdr *
rtnl_request(char *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = 1; /* one request at a time: any number will do */
	return nlh;
}
//! [rtnl_request]

/**
 * For --trace: request @p nlh as `ip` would name it — its type and the device (links), the
 * kind of link it creates and the bridge it makes it a port of, the address (addresses) or
 * the gateway (routes) it carries — into @p buf. errno is kept.
 */
static const char *
rtnl_describe(const struct nlmsghdr *nlh, char *buf, size_t size)
{
	static const char *const types[] = {[RTM_NEWLINK] = "RTM_NEWLINK",
					    [RTM_DELLINK] = "RTM_DELLINK",
					    [RTM_NEWADDR] = "RTM_NEWADDR",
					    [RTM_NEWROUTE] = "RTM_NEWROUTE"};
	uint16_t t = nlh->nlmsg_type;
	const char *type = t <= RTM_NEWROUTE ? types[t] : NULL;
	size_t header = t == RTM_NEWADDR    ? sizeof(struct ifaddrmsg)
			: t == RTM_NEWROUTE ? sizeof(struct rtmsg)
					    : sizeof(struct ifinfomsg);
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	bool link = t == RTM_NEWLINK || t == RTM_DELLINK;
	const struct nlattr *a, *info;
	char what[INET_ADDRSTRLEN + 4] = "", kind[24] = "", master[IF_NAMESIZE + 12] = "";
	char bridge[IF_NAMESIZE];
	int saved = errno; /* the request's, for nook_trace() to show */

	if (!trace_on())
		return ""; /* no --trace: no if_indextoname() for a line nobody prints */
	mnl_attr_for_each(a, nlh, header)
	{
		if (link && mnl_attr_get_type(a) == IFLA_IFNAME)
			snprintf(what, sizeof(what), "\"%.15s\"", mnl_attr_get_str(a));
		if (link && mnl_attr_get_type(a) == IFLA_LINKINFO)
			mnl_attr_for_each_nested(info, a) /* "veth", "bridge": what it creates */
				if (mnl_attr_get_type(info) == IFLA_INFO_KIND) snprintf(
					kind, sizeof(kind), " %.20s", mnl_attr_get_str(info));
		if (link && mnl_attr_get_type(a) == IFLA_MASTER)
			snprintf(master, sizeof(master), " master \"%s\"",
				 if_indextoname(mnl_attr_get_u32(a), bridge) ? bridge : "?");
		if ((t == RTM_NEWADDR && mnl_attr_get_type(a) == IFA_LOCAL) ||
		    (t == RTM_NEWROUTE && mnl_attr_get_type(a) == RTA_GATEWAY))
			inet_ntop(AF_INET, mnl_attr_get_payload(a), what, sizeof(what));
	}
	snprintf(buf, size, "%s(%s%s%s%s%s)", type ? type : "rtnetlink",
		 t == RTM_NEWROUTE ? "default via " : "", what,
		 t == RTM_NEWLINK && (nlh->nlmsg_flags & NLM_F_CREATE) ? kind : "", master,
		 t == RTM_NEWLINK && (ifi->ifi_change & IFF_UP) ? " up" : "");
	errno = saved;
	return buf;
}

//! [rtnl_talk]
/**
 * Send the request @p nlh and read the kernel's answer: an NLMSG_ERROR message whose
 * error is 0 for success or a negated errno, which mnl_cb_run() turns into -1 and errno.
 */
int
rtnl_talk(struct mnl_socket *nl, struct nlmsghdr *nlh)
{
	char buf[RTNL_BUFSIZE];
	ssize_t n;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n < 0)
		return -1;
	n = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, mnl_socket_get_portid(nl), NULL, NULL);
	nook_trace(RTNL_LESSON, n < 0 ? -1 : 0, "%s", rtnl_describe(nlh, buf, 96)); /* --trace */
	return n < 0 ? -1 : 0;
}
//! [rtnl_talk]

/**
 * `ip link add NAME type veth peer name PEER netns PID`: create a veth pair, its end
 * @p name in the namespace of the socket @p nl, its other end @p peer born in the network
 * namespace of process @p pid — never, not even for a moment, on the host.
 */
int
link_add_veth(struct mnl_socket *nl, const char *name, const char *peer, pid_t pid,
	      struct nook_error *err)
{
	/* EXERCISE 04: create the veth pair in one rtnetlink request: end "name" here, its peer "peer" born in the network namespace of process pid; a device of either name already there is an error, named in one line. The tests look for eth0 inside and the host end outside, and ping across. */
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
	mnl_attr_put_u32(nlh, IFLA_NET_NS_PID, (uint32_t)pid);
	mnl_attr_nest_end(nlh, peerinfo);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	if (rtnl_talk(nl, nlh) < 0)
		return nook_fail(err, errno, "RTM_NEWLINK(veth \"%s\" peer \"%s\" netns %d)", name,
				 peer, (int)pid);
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
int
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
int
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
int
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
int
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
int
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

/**
 * `ip link add NAME type bridge`: RTM_NEWLINK of kind "bridge". A bridge is a switch in
 * the kernel: the devices enslaved to it (link_set_master) are its ports, and frames pass
 * between them by MAC address without the host's IP stack; the bridge device itself is
 * the host's own port on that switch, where the network's gateway address goes. EEXIST
 * is left to the caller to judge.
 */
int
link_add_bridge(struct mnl_socket *nl, const char *name, struct nook_error *err)
{
	char buf[RTNL_BUFSIZE];
	struct nlmsghdr *nlh = rtnl_request(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	struct nlattr *linkinfo;

	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(nlh, linkinfo);
	if (rtnl_talk(nl, nlh) < 0)
		return nook_fail(err, errno, "RTM_NEWLINK(bridge \"%s\")", name);
	return 0;
}

/**
 * `ip link set dev NAME master BRIDGE up`: make device @p name a port of @p bridge
 * (IFLA_MASTER, the bridge's index) and bring it up, in one RTM_NEWLINK.
 */
int
link_set_master(struct mnl_socket *nl, const char *name, const char *bridge, struct nook_error *err)
{
	char buf[RTNL_BUFSIZE];
	struct nlmsghdr *nlh = rtnl_request(buf, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	unsigned master = if_nametoindex(bridge);

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_MASTER, master);
	if (master == 0 || rtnl_talk(nl, nlh) < 0)
		return nook_fail(err, errno, "RTM_NEWLINK(dev \"%s\" master \"%s\" up)", name,
				 bridge);
	return 0;
}

/** One route of a dump, checked against the subnet route_overlap() looks for. */
struct overlap {
	uint32_t net, mask; /**< the subnet, network byte order */
	unsigned skip;	    /**< routes through this device do not count (0: none) */
	char found[64];	    /**< the first route that overlaps: "DST/LEN dev IFNAME" */
};

/** mnl_cb_run callback: does this route's destination overlap the subnet? */
static int
overlap_route(const struct nlmsghdr *nlh, void *data)
{
	struct overlap *o = data;
	struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct nlattr *a;
	uint32_t dst = 0, mask;
	unsigned oif = 0;
	char text[INET_ADDRSTRLEN], dev[IF_NAMESIZE] = "?";

	if (rtm->rtm_family != AF_INET || rtm->rtm_dst_len == 0 || o->found[0] ||
	    (rtm->rtm_table != RT_TABLE_MAIN && rtm->rtm_table != RT_TABLE_LOCAL) ||
	    rtm->rtm_type == RTN_BROADCAST)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*rtm))
	{
		if (mnl_attr_get_type(a) == RTA_DST && mnl_attr_get_payload_len(a) == 4)
			memcpy(&dst, mnl_attr_get_payload(a), 4);
		else if (mnl_attr_get_type(a) == RTA_OIF)
			oif = mnl_attr_get_u32(a);
	}
	if (o->skip && oif == o->skip)
		return MNL_CB_OK;
	mask = htonl(~0u << (32 - rtm->rtm_dst_len));
	mask &= o->mask; /* the wider of the two decides */
	if ((dst & mask) == (o->net & mask)) {
		if_indextoname(oif, dev);
		snprintf(o->found, sizeof(o->found), "%s/%u dev %s",
			 inet_ntop(AF_INET, &dst, text, sizeof(text)), rtm->rtm_dst_len, dev);
	}
	return MNL_CB_OK;
}

/**
 * `ip route show table all`, asking of each IPv4 route whether its destination overlaps
 * @p net/@p prefix (routes through device @p skip aside, e.g. the network's own bridge).
 * @p found gets the first that does ("192.168.1.0/24 dev eth0"), or "".
 */
int
route_overlap(struct mnl_socket *nl, struct in_addr net, unsigned prefix, const char *skip,
	      char *found, size_t size, struct nook_error *err)
{
	char buf[RTNL_BUFSIZE], answer[32768]; /* a dump's messages come many to a read */
	struct nlmsghdr *nlh = rtnl_request(buf, RTM_GETROUTE, NLM_F_DUMP);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	struct overlap o = {.net = net.s_addr, .mask = htonl(prefix ? ~0u << (32 - prefix) : 0)};
	unsigned portid = mnl_socket_get_portid(nl);
	ssize_t n;
	int ret = MNL_CB_OK;

	o.skip = skip ? if_nametoindex(skip) : 0;
	rtm->rtm_family = AF_INET;
	nlh->nlmsg_flags &= ~NLM_F_ACK;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return nook_fail(err, errno, "RTM_GETROUTE(dump)");
	while (ret > MNL_CB_STOP) {
		n = mnl_socket_recvfrom(nl, answer, sizeof(answer));
		if (n < 0)
			return nook_fail(err, errno, "RTM_GETROUTE(dump)");
		ret = mnl_cb_run(answer, (size_t)n, nlh->nlmsg_seq, portid, overlap_route, &o);
		if (ret < 0)
			return nook_fail(err, errno, "RTM_GETROUTE(dump)");
	}
	snprintf(found, size, "%s", o.found);
	return 0;
}

/**
 * @file network.c
 * @brief Step 12 — networks: what one is (a name, a subnet, internal or not), where it is
 *        written down, and bringing its bridge and rules up and down on the host.
 *
 * A network is a *bridge* on the host — a switch in the kernel — with the network's
 * gateway address, and the containers' veth host ends as its ports. Containers on one
 * bridge reach each other directly, frame by frame; anything else goes through the host's
 * IP stack, where nft.c's rules decide: out through NAT (masquerade), or not at all.
 *
 * The default network "nook" (bridge nook0, NETWORK_DEFAULT_SUBNET) is built in; others
 * are made by `nook network create NAME [--subnet CIDR] [--internal]` and written to
 * NETWORK_LIB/NAME.json. A definition is only a promise: nothing exists in the kernel for
 * a network until its first container starts (network_up(), under the network's lock in
 * ipam.c), and nothing is left once its last one ends (network_down()). So a container's
 * whole trace — bridge, addresses, rules — comes and goes with containers.
 *
 * A subnet must not overlap a route the host already has, or the host would send part of
 * that traffic to the wrong place: it is checked when a network is made and again when its
 * bridge comes up (the host's routes may have changed since), against the kernel's routes.
 *
 * Further reading: ip-link(8) (type bridge), the kernel's Documentation/networking/
 * bridge.rst, ip-sysctl.rst (ip_forward).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libmnl/libmnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "network.h"
#include "rtnl.h"

/** Where ip_forward is switched: one for every device of this network namespace. */
#define IP_FORWARD "/proc/sys/net/ipv4/ip_forward"
/** Lesson 12's section on routing through the host, for --trace. */
#define FORWARD_LESSON "12-network.md#a-bridge-a-switch-in-the-kernel"

/** A network's name: 1 to NOOK_NETNAME_MAX letters, digits, '_' or '-', a letter first. */
int
network_check_name(const char *name, struct nook_error *err)
{
	size_t len = strlen(name);

	if (len == 0 || len > NOOK_NETNAME_MAX)
		return nook_fail(err, 0, "invalid network name \"%s\": 1 to %d characters", name,
				 NOOK_NETNAME_MAX);
	if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
		    len ||
	    !((name[0] | 0x20) >= 'a' && (name[0] | 0x20) <= 'z'))
		return nook_fail(err, 0,
				 "invalid network name \"%s\": a letter, then letters, digits, "
				 "'_' and '-'",
				 name);
	if (strcmp(name, "none") == 0 || strcmp(name, "host") == 0)
		return nook_fail(err, 0, "invalid network name \"%s\": --network's own word", name);
	return 0;
}

/**
 * "A.B.C.D/N" into @p n: four decimal numbers (inet_pton), a prefix 8 to 28 written
 * without leading zeros, and the host bits zero (10.9.0.0/16, not 10.9.0.5/16).
 */
int
network_parse_subnet(const char *arg, struct nook_network *n, struct nook_error *err)
{
	const char *slash = strchr(arg, '/');
	char addr[INET_ADDRSTRLEN];
	char *end;
	unsigned long prefix;

	if (!slash || (size_t)(slash - arg) >= sizeof(addr))
		return nook_fail(err, 0, "invalid subnet \"%s\": expected A.B.C.D/PREFIX", arg);
	memcpy(addr, arg, (size_t)(slash - arg));
	addr[slash - arg] = '\0';
	if (inet_pton(AF_INET, addr, &n->subnet) != 1)
		return nook_fail(err, 0, "invalid subnet \"%s\": \"%s\" is not an IPv4 address",
				 arg, addr);
	prefix = strtoul(slash + 1, &end, 10);
	if (slash[1] < '1' || slash[1] > '9' || *end || prefix < 8 || prefix > 28)
		return nook_fail(err, 0, "invalid subnet \"%s\": the prefix must be 8 to 28", arg);
	n->prefix = (unsigned)prefix;
	if (n->subnet.s_addr & ~htonl(~0u << (32 - prefix)))
		return nook_fail(err, 0, "invalid subnet \"%s\": host bits set", arg);
	if ((ntohl(n->subnet.s_addr) >> 24) == 127 || (ntohl(n->subnet.s_addr) >> 28) >= 14 ||
	    (ntohl(n->subnet.s_addr) >> 24) == 0)
		return nook_fail(err, 0, "invalid subnet \"%s\": not a unicast range", arg);
	n->gateway.s_addr = htonl(ntohl(n->subnet.s_addr) + 1);
	return 0;
}

/** Fill in the bridge's name: nook0 for the default, "nook" and a hash for the others. */
static void
name_bridge(struct nook_network *n)
{
	if (strcmp(n->name, NETWORK_DEFAULT) == 0)
		snprintf(n->bridge, sizeof(n->bridge), NETWORK_DEFAULT_BRIDGE);
	else
		snprintf(n->bridge, sizeof(n->bridge), "nook%011llx",
			 state_hash(n->name) & 0xfffffffffffULL);
}

/** NETWORK_LIB/NAME.json */
static void
definition_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s.json", NETWORK_LIB, name);
}

/** Read network @p name's definition (the default's is built in). */
int
network_lookup(const char *name, struct nook_network *n, struct nook_error *err)
{
	char path[PATH_MAX_STATE];
	const char *subnet;
	json_error_t jerr;
	json_t *doc;
	int internal = 0, ret;

	if (network_check_name(name, err) < 0)
		return -1;
	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", name);
	name_bridge(n);
	if (strcmp(name, NETWORK_DEFAULT) == 0)
		return network_parse_subnet(NETWORK_DEFAULT_SUBNET, n, err);
	definition_path(path, sizeof(path), name);
	doc = json_load_file(path, 0, &jerr);
	if (!doc && access(path, F_OK) < 0)
		return nook_fail(err, 0, "no network \"%s\" (nook network create %s)", name, name);
	if (!doc || json_unpack(doc, "{s:s, s?b}", "subnet", &subnet, "internal", &internal) < 0) {
		json_decref(doc);
		return nook_fail(err, 0, "%s: not a network definition", path);
	}
	ret = network_parse_subnet(subnet, n, err);
	n->internal = internal;
	json_decref(doc);
	return ret;
}

/** Do two subnets overlap? */
static bool
overlaps(const struct nook_network *a, const struct nook_network *b)
{
	unsigned p = a->prefix < b->prefix ? a->prefix : b->prefix;
	uint32_t mask = htonl(~0u << (32 - p));

	return (a->subnet.s_addr & mask) == (b->subnet.s_addr & mask);
}

/** Does @p n overlap a known network's subnet, or a route of this host? Why, in @p err. */
static int
check_free(const struct nook_network *n, struct nook_error *err)
{
	char names[64][NOOK_NETNAME_MAX + 1], found[64] = "";
	struct nook_network other;
	struct mnl_socket *nl;
	int count = network_names(names, 64, err), ret;

	for (int i = 0; i < count; i++)
		if (strcmp(names[i], n->name) != 0 && network_lookup(names[i], &other, err) == 0 &&
		    overlaps(n, &other))
			return nook_fail(err, 0, "subnet %s/%u overlaps network \"%s\"",
					 inet_ntoa(n->subnet), n->prefix, other.name);
	nl = rtnl_open(err);
	if (!nl)
		return -1;
	ret = route_overlap(nl, n->subnet, n->prefix, n->bridge, found, sizeof(found), err);
	mnl_socket_close(nl);
	if (ret == 0 && found[0])
		return nook_fail(err, 0, "subnet %s/%u overlaps the host's route %s",
				 inet_ntoa(n->subnet), n->prefix, found);
	return ret;
}

/** The first 10.214.N.0/24 that overlaps no network and no route: a subnet not asked for. */
static int
choose_subnet(struct nook_network *n, struct nook_error *err)
{
	char cidr[32];

	for (int i = 0; i < 256; i++) {
		snprintf(cidr, sizeof(cidr), "10.214.%d.0/24", i);
		if (network_parse_subnet(cidr, n, err) == 0 && check_free(n, err) == 0)
			return 0;
	}
	return nook_fail(err, 0, "no free subnet in 10.214.0.0/16: give one with --subnet");
}

/** Write @p n's definition, refusing one of that name (O_EXCL). */
static int
write_definition(const struct nook_network *n, struct nook_error *err)
{
	char path[PATH_MAX_STATE], cidr[32];
	json_t *o;
	int fd, ret;

	snprintf(cidr, sizeof(cidr), "%s/%u", inet_ntoa(n->subnet), n->prefix);
	o = json_pack("{s:s, s:s, s:b}", "name", n->name, "subnet", cidr, "internal", n->internal);
	if (mkdir("/var/lib/nook", 0755) < 0 && errno != EEXIST)
		return nook_fail(err, errno, "mkdir(\"/var/lib/nook\")");
	if (mkdir(NETWORK_LIB, 0755) < 0 && errno != EEXIST)
		return nook_fail(err, errno, "mkdir(\"%s\")", NETWORK_LIB);
	definition_path(path, sizeof(path), n->name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		json_decref(o);
		return errno == EEXIST ? nook_fail(err, 0, "network \"%s\" exists", n->name)
				       : nook_fail(err, errno, "open(\"%s\")", path);
	}
	ret = o ? json_dumpfd(o, fd, JSON_INDENT(2)) : -1;
	json_decref(o);
	if (close(fd) < 0 || ret < 0) {
		unlink(path);
		return nook_fail(err, errno, "write(\"%s\")", path);
	}
	return 0;
}

/** `nook network create NAME [--subnet CIDR] [--internal]`: checked, then written. */
int
network_create(const char *name, const char *subnet, bool internal, struct nook_network *n,
	       struct nook_error *err)
{
	if (network_check_name(name, err) < 0)
		return -1;
	if (strcmp(name, NETWORK_DEFAULT) == 0)
		return nook_fail(err, 0, "network \"%s\" exists: it is the default", name);
	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", name);
	name_bridge(n);
	n->internal = internal;
	if (subnet) {
		if (network_parse_subnet(subnet, n, err) < 0 || check_free(n, err) < 0)
			return -1;
	} else if (choose_subnet(n, err) < 0) {
		return -1;
	}
	return write_definition(n, err);
}

/** `nook network rm NAME`: refused for the default and for a network in use. */
int
network_remove(const char *name, struct nook_error *err)
{
	char path[PATH_MAX_STATE];
	struct ipam_entry *e;
	struct nook_network n;
	struct ipam p;
	int count, held = 0;

	if (network_lookup(name, &n, err) < 0)
		return -1;
	if (strcmp(name, NETWORK_DEFAULT) == 0)
		return nook_fail(err, 0, "network \"%s\" is the default: it cannot be removed",
				 name);
	if (ipam_open(&p, name, err) < 0)
		return -1;
	e = ipam_list(&p, &count);
	for (int i = 0; i < count && !held; i++)
		if (!e[i].stale)
			held = nook_fail(err, 0, "network \"%s\" is in use by container \"%s\"",
					 name, e[i].id);
	free(e);
	definition_path(path, sizeof(path), name);
	if (!held && unlink(path) < 0)
		held = nook_fail(err, errno, "unlink(\"%s\")", path);
	if (!held) {
		unlinkat(p.dirfd, "lock", 0);
		snprintf(path, sizeof(path), "%s/%s", NETWORK_RUN, name);
		rmdir(path);
	}
	ipam_close(&p);
	return held ? -1 : 0;
}

/** The names of every network, the default first, up to @p max; their count. */
int
network_names(char names[][NOOK_NETNAME_MAX + 1], int max, struct nook_error *err)
{
	DIR *d = opendir(NETWORK_LIB);
	struct dirent *e;
	int n = 0;
	size_t len;

	(void)err;
	snprintf(names[n++], NOOK_NETNAME_MAX + 1, "%s", NETWORK_DEFAULT);
	while (d && (e = readdir(d)) && n < max) {
		len = strlen(e->d_name);
		if (len > 5 && len - 5 <= NOOK_NETNAME_MAX &&
		    strcmp(e->d_name + len - 5, ".json") == 0) {
			memcpy(names[n], e->d_name, len - 5);
			names[n++][len - 5] = '\0';
		}
	}
	if (d)
		closedir(d);
	return n;
}

/**
 * Turn on IPv4 forwarding in this network namespace, if it is off: without it the host
 * routes nothing between its devices, so no NAT and no published port. @p changed says
 * whether it was off (for the caller to say so, once).
 */
static int
enable_forwarding(bool *changed, struct nook_error *err)
{
	char now = '0';
	int fd = open(IP_FORWARD, O_RDWR | O_CLOEXEC);

	*changed = false;
	if (fd < 0)
		return nook_fail(err, errno, "open(\"%s\")", IP_FORWARD);
	if (read(fd, &now, 1) == 1 && now == '1') {
		nook_trace_note(FORWARD_LESSON, "read(\"%s\") = \"1\": forwarding is on",
				IP_FORWARD);
		return close(fd);
	}
	if (nook_trace(FORWARD_LESSON, pwrite(fd, "1", 1, 0), "write(\"%s\", \"1\")", IP_FORWARD) !=
	    1) {
		close(fd);
		return nook_fail(err, errno, "write(\"%s\", \"1\")", IP_FORWARD);
	}
	*changed = true;
	return close(fd);
}

/** The bridge, with the gateway address, up; what a killed runtime left may be reused. */
static int
bridge_up(struct mnl_socket *nl, const struct nook_network *n, struct nook_error *err)
{
	if (link_add_bridge(nl, n->bridge, err) < 0 && errno != EEXIST)
		return -1;
	if (addr_add(nl, n->bridge, n->gateway, n->prefix, err) < 0 && errno != EEXIST)
		return -1;
	return link_up(nl, n->bridge, err);
}

/**
 * The network's first container here is starting: its subnet checked against the host's
 * routes once more, its bridge and its rules made, forwarding on unless it is internal.
 * The caller holds its lock and calls network_down() if this fails halfway.
 */
int
network_up(const struct nook_network *n, bool *forwarding, struct nook_error *err)
{
	struct mnl_socket *nl;
	int ret;

	*forwarding = false;
	if (check_free(n, err) < 0)
		return -1;
	nl = rtnl_open(err);
	if (!nl)
		return -1;
	ret = bridge_up(nl, n, err);
	mnl_socket_close(nl);
	if (ret < 0 || nft_network_add(n, err) < 0)
		return -1;
	return n->internal ? 0 : enable_forwarding(forwarding, err);
}

/** Its last container here has ended: rules and bridge gone (ip_forward stays). */
void
network_down(const struct nook_network *n)
{
	struct nook_error ignored;
	struct mnl_socket *nl;

	nft_network_del(n->name, &ignored);
	nl = rtnl_open(&ignored);
	if (!nl)
		return;
	link_del(nl, n->bridge);
	mnl_socket_close(nl);
}

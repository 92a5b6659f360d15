/**
 * @file bridge.c
 * @brief Step 12's stage — a container joins a network: an address from the network's
 *        allocations, its veth's host end a port of the network's bridge, its published
 *        ports led to it, and /etc/hosts and /etc/resolv.conf that fit.
 *
 * Step 04 laid one cable and let the user pick both ends' addresses. Here the network
 * decides: `--network NAME` looks the network up (network.c), holds its lock (ipam.c) and
 * takes the next free address — or the one `--ip` names, refused when another container
 * holds it. The first container of a network in this host namespace brings the network up
 * (its bridge, its rules, forwarding); the last one to leave takes it down. Then step 04's
 * stage lays the cable as before, except that the host end joins the bridge instead of
 * carrying the gateway address itself: the bridge has it, for every container at once.
 *
 * So this stage runs *before* step 04's (it fills in c->net: address, prefix, gateway,
 * bridge), and its prepare() does all of its host-side work: none of it needs the
 * container's process. Its cleanup() runs after step 04's has deleted the cable, and
 * undoes in reverse: the ports table, the address, and with the last container the
 * network. A runtime killed with SIGKILL runs no cleanup; its container dies with it and
 * the veth with the container's namespace, and sweep() removes the rest by the ID the
 * allocations and the ports table are named after.
 *
 * `--network none` is step 04's default, lo alone; `--network host` makes no network
 * namespace at all, and the container shares the host's (step 04's stage asks flags()).
 *
 * Names: every container of a network finds the others in its /etc/hosts, written in its
 * state directory and bind-mounted in (with a root filesystem, step 07); each is rewritten
 * in place as containers come and go. /etc/resolv.conf is the host's, less any loopback
 * resolver (systemd-resolved's 127.0.0.53 is the host's own loopback, not the container's).
 *
 * Further reading: docker's "Bridge network driver", podman-network(1), resolv.conf(5),
 * hosts(5).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "network.h"

/* ---- the command line ------------------------------------------------------------------ */

/** --network NAME|none|host */
static int
set_network_option(struct nook_container *c, const char *arg, struct nook_error *err)
{
	c->net.host = strcmp(arg, "host") == 0;
	c->net.network = NULL;
	if (c->net.host || strcmp(arg, "none") == 0)
		return 0;
	if (network_check_name(arg, err) < 0)
		return -1;
	c->net.network = arg;
	return 0;
}

/** A port number, 1-65535, decimal, no leading zero. */
static int
parse_port(const char *s, size_t len, uint16_t *port)
{
	unsigned long v = 0;

	if (len == 0 || len > 5 || s[0] == '0')
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/** "[IP:]HOST:CONTAINER" (the protocol cut off) into @p p; -1 when it is not that. */
static int
parse_publish(const char *s, struct nook_port *p)
{
	const char *last = strrchr(s, ':'), *first = strchr(s, ':');
	char ip[INET_ADDRSTRLEN];

	if (!last)
		return -1;
	if (parse_port(last + 1, strlen(last + 1), &p->port) < 0)
		return -1;
	if (first == last)
		return parse_port(s, (size_t)(last - s), &p->host_port);
	if ((size_t)(first - s) >= sizeof(ip))
		return -1;
	memcpy(ip, s, (size_t)(first - s));
	ip[first - s] = '\0';
	if (inet_pton(AF_INET, ip, &p->host_ip) != 1)
		return -1;
	return parse_port(first + 1, (size_t)(last - first - 1), &p->host_port);
}

/** --publish [IP:]HOST:CONTAINER[/tcp|udp]: a host port led to the container's. */
static int
set_publish_option(struct nook_container *c, const char *arg, struct nook_error *err)
{
	struct nook_port p = {.proto = IPPROTO_TCP};
	char text[64];
	char *slash;

	if (c->net.nports == NOOK_MAX_PORTS)
		return nook_fail(err, 0, "too many --publish: at most %d", NOOK_MAX_PORTS);
	if (snprintf(text, sizeof(text), "%s", arg) >= (int)sizeof(text))
		return nook_fail(err, 0, "invalid --publish \"%s\": too long", arg);
	slash = strchr(text, '/');
	if (slash) {
		*slash++ = '\0';
		if (strcmp(slash, "udp") == 0)
			p.proto = IPPROTO_UDP;
		else if (strcmp(slash, "tcp") != 0)
			return nook_fail(err, 0, "invalid --publish \"%s\": tcp or udp after '/'",
					 arg);
	}
	if (parse_publish(text, &p) < 0)
		return nook_fail(
			err, 0,
			"invalid --publish \"%s\": expected [IP:]HOST:CONTAINER[/tcp|udp], "
			"ports 1-65535",
			arg);
	for (int i = 0; i < c->net.nports; i++)
		if (c->net.port[i].host_port == p.host_port && c->net.port[i].proto == p.proto)
			return nook_fail(err, 0, "invalid --publish \"%s\": host port %u twice",
					 arg, p.host_port);
	c->net.port[c->net.nports++] = p;
	return 0;
}

/* ---- /etc/hosts and /etc/resolv.conf ------------------------------------------------- */

/**
 * Write @p text into @p path in place: a bind mount holds on to the file, not its name, so
 * no rename. Written over the old text first and cut to length after, never truncated
 * first, so that a reader inside never finds it empty (the localhost lines lead both).
 */
static int
write_in_place(const char *path, const char *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pwrite(fd, text, len, 0);
	if (n == (ssize_t)len && ftruncate(fd, (off_t)len) < 0)
		n = -1;
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

/** Append container @p e's line, "ADDR ID [HOSTNAME]", to @p text. */
static size_t
host_line(char *text, size_t size, size_t len, const struct ipam_entry *e)
{
	if (len < size)
		len += (size_t)snprintf(text + len, size - len, "%s\t%s%s%s\n", inet_ntoa(e->addr),
					e->id, e->name[0] ? " " : "", e->name);
	return len < size ? len : size - 1;
}

/**
 * Rewrite the /etc/hosts of every container of the network in this host namespace: its
 * own line first (so that its hostname, which others may share, is itself), then the
 * others'.
 */
static void
update_hosts(struct ipam *p)
{
	int n;
	struct ipam_entry *e = ipam_list(p, &n);
	size_t size = 128 + (size_t)n * 160, len;
	char *text = malloc(size);

	for (int i = 0; text && i < n; i++) {
		if (strcmp(e[i].netns, p->netns) != 0 || !e[i].hosts[0] || e[i].stale)
			continue;
		len = (size_t)snprintf(text, size,
				       "127.0.0.1\tlocalhost\n::1\tlocalhost "
				       "ip6-localhost ip6-loopback\n");
		len = host_line(text, size, len, &e[i]);
		for (int j = 0; j < n; j++)
			if (j != i && strcmp(e[j].netns, p->netns) == 0 && e[j].id[0] &&
			    !e[j].stale)
				len = host_line(text, size, len, &e[j]);
		write_in_place(e[i].hosts, text, len);
	}
	free(text);
	free(e);
}

/** Is this resolv.conf line a nameserver on loopback, which a container cannot reach? */
static bool
loopback_nameserver(const char *line)
{
	char addr[64];

	if (sscanf(line, "nameserver %63s", addr) != 1)
		return false;
	return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0;
}

/** Append to @p out the lines of @p path; @p servers counts its nameservers kept. */
static size_t
copy_resolv(const char *path, char *out, size_t size, size_t len, int *servers)
{
	FILE *f = fopen(path, "re");
	char line[512];

	if (!f)
		return len;
	while (fgets(line, sizeof(line), f) && len < size) {
		if (loopback_nameserver(line))
			continue;
		*servers += strncmp(line, "nameserver", 10) == 0;
		len += (size_t)snprintf(out + len, size - len, "%s", line);
	}
	fclose(f);
	return len < size ? len : size - 1;
}

/**
 * The container's resolv.conf: the host's without loopback resolvers; if that leaves none,
 * systemd-resolved's list of the real ones; if none either, docker's fallback.
 */
static int
write_resolv(const char *path)
{
	char text[8192] = "";
	int servers = 0;
	size_t len = copy_resolv("/etc/resolv.conf", text, sizeof(text), 0, &servers);

	if (servers == 0)
		len = copy_resolv("/run/systemd/resolve/resolv.conf", text, sizeof(text), len,
				  &servers);
	if (servers == 0)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
	return write_in_place(path, text, len < sizeof(text) ? len : sizeof(text) - 1);
}

/** With a root filesystem: the files in the state directory, bind-mounted by step 07. */
static int
add_files(struct nook_container *c, struct ipam_entry *e, struct nook_error *err)
{
	static const char *const inside[] = {"/etc/hosts", "/etc/resolv.conf"};

	if (c->rootfs.nlayers == 0)
		return 0;
	if (c->rootfs.nvolumes + 2 > NOOK_MAX_VOLUMES)
		return nook_fail(err, 0, "too many --volume for /etc/hosts and resolv.conf");
	for (int i = 0; i < 2; i++) {
		struct nook_volume *v = &c->rootfs.volume[c->rootfs.nvolumes++];

		if (snprintf(v->host, sizeof(v->host), "%s/%s", c->run.state,
			     i ? "resolv.conf" : "hosts") >= (int)sizeof(v->host))
			return nook_fail(err, ENAMETOOLONG, "%s", c->run.state);
		snprintf(c->net.files[i], sizeof(c->net.files[i]), "%s", v->host);
		snprintf(v->inside, sizeof(v->inside), "%s", inside[i]);
		v->readonly = false;
		v->fd = -1;
	}
	snprintf(e->hosts, sizeof(e->hosts), "%s", c->net.files[0]);
	if (write_in_place(c->net.files[0], "", 0) < 0 || write_resolv(c->net.files[1]) < 0)
		return nook_fail(err, errno, "writing \"%s\"", c->net.files[0]);
	return 0;
}

/* ---- the stage ------------------------------------------------------------------------- */

/** The options that go with --network NAME, and those that do not. */
static int
check_options(struct nook_container *c, struct nook_error *err)
{
	if (c->net.host && (c->net.veth || c->net.has_addr || c->net.nports))
		return nook_fail(err, 0,
				 "--network host shares the host's network: no --net, "
				 "--ip or --publish");
	if (!c->net.network)
		return c->net.nports ? nook_fail(err, 0, "--publish needs --network NAME") : 0;
	if (c->net.veth)
		return nook_fail(err, 0, "--net veth and --network: give one");
	if (c->net.has_gateway)
		return nook_fail(err, 0, "--gateway with --network: the network's bridge is it");
	if (geteuid() != 0)
		return nook_fail(err, 0,
				 "--network %s needs root: a bridge, its addresses and NAT "
				 "rules are the host's (rootless: --network none)",
				 c->net.network);
	return 0;
}

/** --ip ADDR/PREFIX with --network: in its subnet, with its prefix. */
static int
check_ip(struct nook_container *c, struct nook_error *err)
{
	const struct nook_network *n = &c->net.nw;
	uint32_t mask = htonl(~0u << (32 - n->prefix));
	char ip[INET_ADDRSTRLEN], net[INET_ADDRSTRLEN];

	if (!c->net.has_addr)
		return 0;
	inet_ntop(AF_INET, &c->net.addr, ip, sizeof(ip));
	inet_ntop(AF_INET, &n->subnet, net, sizeof(net));
	if ((c->net.addr.s_addr & mask) != n->subnet.s_addr || c->net.prefix != n->prefix)
		return nook_fail(err, 0, "--ip %s/%u: not in network \"%s\" (%s/%u)", ip,
				 c->net.prefix, n->name, net, n->prefix);
	if (c->net.addr.s_addr == n->gateway.s_addr)
		return nook_fail(err, 0, "--ip %s: the gateway of network \"%s\"", ip, n->name);
	if ((c->net.addr.s_addr & ~mask) == ~mask)
		return nook_fail(err, 0, "--ip %s: the broadcast address of network \"%s\"", ip,
				 n->name);
	return 0;
}

/**
 * Give back the stale allocations (ipam.c) made from this namespace: a runtime killed and
 * swept by a program that did not know networks. Their ports tables go too, and the
 * network itself if that left nobody on it here. Returns how many there were.
 *
 * Another namespace's stale allocations stay. Their ports table lives there, out of our
 * reach; given back from here, the address would be handed out again while that table
 * still sent the host's port to it, and nothing would ever name the table again. They go
 * when a container of their own namespace prunes — or with /run, at the next boot, if
 * their namespace is gone.
 */
static int
prune(struct ipam *p, const struct nook_network *n)
{
	struct nook_error ignored;
	int count, here = 0;
	struct ipam_entry *e = ipam_list(p, &count);

	for (int i = 0; i < count; i++) {
		if (!e[i].stale || strcmp(e[i].netns, p->netns) != 0)
			continue;
		nft_ports_del(e[i].id, &ignored);
		here++;
		ports_forget(e[i].id);
		ipam_release(p, e[i].addr);
	}
	free(e);
	if (here && ipam_count_here(p) == 0)
		network_down(n);
	return here;
}

/** Call @p fn for every network that has allocations, with its lock held. */
static void
each_network(void (*fn)(struct ipam *p, const struct nook_network *n, const char *id),
	     const char *id)
{
	char names[64][NOOK_NETNAME_MAX + 1], dir[PATH_MAX_STATE];
	struct nook_error ignored;
	int count = network_names(names, 64, &ignored);
	struct nook_network n;
	struct ipam p;

	for (int i = 0; i < count; i++) {
		snprintf(dir, sizeof(dir), "%s/%.*s", NETWORK_RUN, NOOK_NETNAME_MAX, names[i]);
		if (access(dir, F_OK) < 0 || network_lookup(names[i], &n, &ignored) < 0 ||
		    ipam_open(&p, names[i], &ignored) < 0)
			continue;
		fn(&p, &n, id);
		ipam_close(&p);
	}
}

/** each_network()'s prune(). */
static void
prune_one(struct ipam *p, const struct nook_network *n, const char *id)
{
	(void)id;
	prune(p, n);
}

/**
 * Is this the network's first container here? None holds an address from this namespace
 * — or the bridge is missing, whatever the files say (deleted by hand, say).
 */
static bool
first_here(struct ipam *p, const struct nook_network *n)
{
	return ipam_count_here(p) == 0 || if_nametoindex(n->bridge) == 0;
}

/** With the network's lock held: an address, the network up if first, the ports, hosts. */
static int
join(struct nook_container *c, struct ipam *p, struct nook_error *err)
{
	struct ipam_entry e = {.addr = c->net.addr};
	bool first, changed;

	first = first_here(p, &c->net.nw);
	snprintf(e.id, sizeof(e.id), "%s", c->id);
	snprintf(e.state, sizeof(e.state), "%s", c->run.state);
	snprintf(e.name, sizeof(e.name), "%s", c->hostname ? c->hostname : "");
	if (add_files(c, &e, err) < 0 || ipam_claim(p, &c->net.nw, &e, err) < 0)
		return -1;
	c->net.allocated = true;
	c->net.addr = e.addr;
	if (first && network_up(&c->net.nw, &changed, err) < 0)
		return -1;
	if (first && changed)
		snprintf(c->warning, sizeof(c->warning),
			 "net.ipv4.ip_forward was 0: set to 1 for network \"%s\" (it stays 1)",
			 c->net.nw.name);
	if (c->net.nports &&
	    (ports_hold(c->id, c->run.state, c->net.port, c->net.nports, p->netns, err) < 0 ||
	     nft_ports_add(c->id, c->net.addr, c->net.port, c->net.nports, err) < 0))
		return -1;
	c->net.forwarded = c->net.nports > 0;
	update_hosts(p);
	return 0;
}

/**
 * prepare(): with --network NAME, join it and fill in step 04's fields, for its prepare()
 * to check and its parent() to lay the cable into the bridge.
 */
static int
bridge_prepare(struct nook_container *c, struct nook_error *err)
{
	struct ipam p;
	int ret;

	if (check_options(c, err) < 0)
		return -1;
	if (geteuid() == 0)
		each_network(prune_one, NULL); /* what state.c's sweep could not name */
	if (!c->net.network)
		return 0;
	if (network_lookup(c->net.network, &c->net.nw, err) < 0 || check_ip(c, err) < 0)
		return -1;
	if (c->net.nw.internal && c->net.nports)
		return nook_fail(err, 0, "--publish on network \"%s\": it is internal",
				 c->net.nw.name);
	if (ipam_open(&p, c->net.nw.name, err) < 0)
		return -1;
	ret = join(c, &p, err);
	ipam_close(&p);
	c->net.veth = true;
	c->net.prefix = c->net.nw.prefix;
	c->net.gateway = c->net.nw.gateway;
	c->net.has_gateway = true;
	snprintf(c->net.bridge, sizeof(c->net.bridge), "%s", c->net.nw.bridge);
	return ret;
}

/**
 * With network @p n's lock held, container @p id leaves it: its ports table (if @p ports),
 * holds and address go, the neighbours are told; the network goes down if it was the last.
 */
static void
leave_locked(struct ipam *p, const struct nook_network *n, const char *id, struct in_addr addr,
	     bool ports)
{
	struct nook_error ignored;

	if (ports)
		nft_ports_del(id, &ignored);
	ports_forget(id);
	ipam_release(p, addr);
	prune(p, n);
	if (ipam_count_here(p) == 0)
		network_down(n);
	else
		update_hosts(p);
}

/** Leave network @p n, taking its lock. */
static void
leave(const struct nook_network *n, const char *id, struct in_addr addr, bool ports)
{
	struct nook_error ignored;
	struct ipam p;

	if (ipam_open(&p, n->name, &ignored) < 0)
		return;
	leave_locked(&p, n, id, addr, ports);
	ipam_close(&p);
}

/** cleanup(): after step 04's cable is gone, leave the network. */
static void
bridge_cleanup(struct nook_container *c)
{
	if (!c->net.allocated)
		return;
	leave(&c->net.nw, c->id, c->net.addr, c->net.forwarded);
	c->net.allocated = false;
	c->net.forwarded = false;
}

/** each_network()'s sweep of container @p id: it leaves, if it was made from here. */
static void
sweep_one(struct ipam *p, const struct nook_network *n, const char *id)
{
	struct ipam_entry e;

	if (ipam_find(p, id, &e) && strcmp(e.netns, p->netns) == 0)
		leave_locked(p, n, id, e.addr, true);
}

/**
 * sweep(): container @p id's runtime was killed. Its allocation on each network says
 * where it was; from this host namespace it leaves, with its rules and, if it was the
 * last, the network. From another namespace nothing is touched (see prune()): its own
 * namespace's next container gives it back, rules and all.
 */
static int
bridge_sweep(const char *id, const char *state)
{
	(void)state;
	each_network(sweep_one, id);
	return 0;
}

static const struct nook_option bridge_options[] = {
	{"network", "NAME", "join network NAME (nook: the default one); none: lo only; host",
	 set_network_option},
	{"publish", "[IP:]H:P[/udp]", "with --network: the host's port H (on IP) led to port P",
	 set_publish_option},
	{NULL, NULL, NULL, NULL},
};

//! [bridge_stage]
/** Step 12's stage: a network to join, before step 04's stage lays the cable into it. */
const struct nook_stage bridge_stage = {
	.name = "bridge",
	.options = bridge_options,
	.prepare = bridge_prepare,
	.cleanup = bridge_cleanup,
	.sweep = bridge_sweep,
};
//! [bridge_stage]

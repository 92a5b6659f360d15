/**
 * @file ipam.c
 * @brief Step 12 — IP address management: which container holds which address of a
 *        network, kept on disk under a lock, so that no two ever get the same.
 *
 * Two containers given one address both configure it, and neither is told: each answers
 * ARP for it, and the host reaches whichever answered last. The kernel does not arbitrate
 * between namespaces, so the runtime must: every address handed out is a file,
 * NETWORK_RUN/NAME/ADDRESS, made with O_EXCL (the file system refuses a second), holding
 * the container's ID, the host's network namespace, its hostname, its /etc/hosts and its
 * state directory. A running container always has its state directory (state.c), so an
 * allocation whose state directory is gone is *stale*: its runtime was killed and its
 * state swept by a program that did not know about networks. The callers give such
 * addresses back (bridge.c), each from the namespace it was made in, rather than keep them
 * forever.
 * Everything that reads or changes a network's files — a container starting, ending, or
 * being swept after its runtime was killed — holds flock(2) on NETWORK_RUN/NAME/lock
 * throughout, so that "am I the first on this network?" (then the bridge and the rules
 * are made) and "was I the last?" (then they go) are asked and acted on atomically.
 *
 * The files live in /run, a tmpfs: after a reboot no container runs and no bridge exists,
 * and no allocation is left either. The namespace is written down because a bridge
 * belongs to one network namespace: a test standing in for "the host" in a namespace of
 * its own has its own bridge, and only its own containers count for it.
 *
 * Further reading: flock(2), open(2) (O_EXCL), RFC 1918 (private address ranges).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "network.h"

/** mkdir(@p path), and its parent first; what exists already is fine. */
static int
make_dirs(const char *path, struct nook_error *err)
{
	char parent[PATH_MAX_STATE];
	char *slash;

	snprintf(parent, sizeof(parent), "%s", path);
	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		if (access(parent, F_OK) < 0 && make_dirs(parent, err) < 0)
			return -1;
	}
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return nook_fail(err, errno, "mkdir(\"%s\")", path);
	return 0;
}

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71 /* Linux 5.14 */
#endif

/**
 * The caller's network namespace, as a name no other namespace will ever have: its
 * cookie, "c:N", a 64-bit number the kernel never gives twice (Linux 5.14). An older
 * kernel's "DEV:INODE" of /proc/self/ns/net names it only while it lives: a new namespace
 * may get a dead one's inode, and with it the dead one's leftovers.
 */
static int
netns_of_self(char *buf, size_t size, struct nook_error *err)
{
	uint64_t cookie;
	socklen_t len = sizeof(cookie);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct stat st;

	if (fd >= 0 && getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) == 0) {
		close(fd);
		snprintf(buf, size, "c:%llu", (unsigned long long)cookie);
		return 0;
	}
	if (fd >= 0)
		close(fd);
	if (stat("/proc/self/ns/net", &st) < 0)
		return nook_fail(err, errno, "stat(\"/proc/self/ns/net\")");
	snprintf(buf, size, "%lu:%lu", (unsigned long)st.st_dev, (unsigned long)st.st_ino);
	return 0;
}

/** Open network @p network's allocations and take their lock (waiting for it). */
int
ipam_open(struct ipam *p, const char *network, struct nook_error *err)
{
	char dir[PATH_MAX_STATE];

	snprintf(dir, sizeof(dir), "%s/%s", NETWORK_RUN, network);
	if (netns_of_self(p->netns, sizeof(p->netns), err) < 0 || make_dirs(dir, err) < 0)
		return -1;
	p->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (p->dirfd < 0)
		return nook_fail(err, errno, "open(\"%s\")", dir);
	p->lockfd = openat(p->dirfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (p->lockfd < 0 ||
	    nook_trace("12-network.md#addresses-ipam-under-a-lock", flock(p->lockfd, LOCK_EX),
		       "flock(\"%s/lock\", LOCK_EX)", dir) < 0) {
		nook_fail(err, errno, "lock \"%s/lock\"", dir);
		if (p->lockfd >= 0)
			close(p->lockfd);
		close(p->dirfd);
		return -1;
	}
	return 0;
}

/** Release the lock. */
void
ipam_close(struct ipam *p)
{
	close(p->lockfd);
	close(p->dirfd);
}

/** Read the allocation file @p name into @p e; false if it is not one. */
static bool
read_entry(int dirfd, const char *name, struct ipam_entry *e)
{
	char buf[1024];
	int fd;
	ssize_t n;

	memset(e, 0, sizeof(*e));
	if (inet_pton(AF_INET, name, &e->addr) != 1)
		return false;
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return true; /* made, not yet written: held by nobody known */
	buf[n] = '\0';
	sscanf(buf, "%64[^\n]\n%47[^\n]\n%64[^\n]\n%271[^\n]\n%255[^\n]", e->id, e->netns, e->name,
	       e->hosts, e->state);
	if (strcmp(e->name, "-") == 0)
		e->name[0] = '\0';
	if (strcmp(e->hosts, "-") == 0)
		e->hosts[0] = '\0';
	/* a running container keeps its state directory: without one, nobody holds this */
	e->stale = e->state[0] == '/' && access(e->state, F_OK) < 0 && errno == ENOENT;
	return true;
}

/**
 * Every allocation of the network, in an array the caller frees; their count in @p n.
 * NULL and 0 when there are none, or no memory for them.
 */
struct ipam_entry *
ipam_list(struct ipam *p, int *n)
{
	int fd = dup(p->dirfd), room = 0;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct ipam_entry *all = NULL, *more;
	struct dirent *de;

	*n = 0;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		if (*n == room) {
			room = room ? 2 * room : 16;
			more = realloc(all, (size_t)room * sizeof(*all));
			if (!more)
				break;
			all = more;
		}
		if (read_entry(p->dirfd, de->d_name, &all[*n]))
			(*n)++;
	}
	closedir(d);
	return all;
}

/** Is there an allocation for container @p id? Its entry in @p e. */
bool
ipam_find(struct ipam *p, const char *id, struct ipam_entry *e)
{
	int n;
	struct ipam_entry *all = ipam_list(p, &n);
	bool found = false;

	for (int i = 0; i < n && !found; i++)
		if (strcmp(all[i].id, id) == 0) {
			*e = all[i];
			found = true;
		}
	free(all);
	return found;
}

/** How many live (not stale) allocations were made from the caller's network namespace. */
int
ipam_count_here(struct ipam *p)
{
	int n, here = 0;
	struct ipam_entry *all = ipam_list(p, &n);

	for (int i = 0; i < n; i++)
		here += strcmp(all[i].netns, p->netns) == 0 && !all[i].stale;
	free(all);
	return here;
}

/** Make the file of address @p a, refusing if it exists; write @p e into it. */
static int
claim_one(struct ipam *p, struct in_addr a, const struct ipam_entry *e)
{
	char name[INET_ADDRSTRLEN], buf[1024];
	int fd, len;

	inet_ntop(AF_INET, &a, name, sizeof(name));
	fd = openat(p->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	len = snprintf(buf, sizeof(buf), "%s\n%s\n%s\n%s\n%s\n", e->id, p->netns,
		       e->name[0] ? e->name : "-", e->hosts[0] ? e->hosts : "-", e->state);
	if (write(fd, buf, (size_t)len) != len) {
		int saved = errno;

		close(fd);
		unlinkat(p->dirfd, name, 0);
		errno = saved;
		return -1;
	}
	return close(fd);
}

/**
 * Hold an address of network @p n for @p e->id: @p e->addr if it is set (refused if
 * another holds it), else the lowest free one after the gateway. The lock is held.
 */
int
ipam_claim(struct ipam *p, const struct nook_network *n, struct ipam_entry *e,
	   struct nook_error *err)
{
	uint32_t first = ntohl(n->subnet.s_addr) + 1, last = first + (~0u >> n->prefix) - 2;
	char text[INET_ADDRSTRLEN];
	struct ipam_entry holder;

	snprintf(e->netns, sizeof(e->netns), "%s", p->netns);
	if (e->addr.s_addr) {
		inet_ntop(AF_INET, &e->addr, text, sizeof(text));
		if (claim_one(p, e->addr, e) == 0)
			return 0;
		if (errno != EEXIST)
			return nook_fail(err, errno, "allocating %s on network \"%s\"", text,
					 n->name);
		read_entry(p->dirfd, text, &holder);
		return nook_fail(err, 0, "--ip %s: in use on network \"%s\" by container \"%s\"",
				 text, n->name, holder.id);
	}
	for (uint32_t h = first + 1; h <= last; h++) {
		e->addr.s_addr = htonl(h);
		if (claim_one(p, e->addr, e) == 0)
			return 0;
		if (errno != EEXIST)
			return nook_fail(err, errno, "allocating an address on network \"%s\"",
					 n->name);
	}
	e->addr.s_addr = 0;
	return nook_fail(err, 0, "network \"%s\" (%s/%u) has no free address left", n->name,
			 inet_ntop(AF_INET, &n->subnet, text, sizeof(text)), n->prefix);
}

/** Give address @p a back. */
int
ipam_release(struct ipam *p, struct in_addr a)
{
	char name[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a, name, sizeof(name));
	return unlinkat(p->dirfd, name, 0);
}

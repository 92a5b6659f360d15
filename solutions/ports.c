/**
 * @file ports.c
 * @brief Step 12 — which container publishes which port of the host: one at a time.
 *
 * Two DNAT rules for one port would not fail: the first table the kernel happens to run
 * wins, and the second container silently never gets a connection. So, like addresses
 * (ipam.c), a published port is held in a file made with O_EXCL under a lock:
 * NETWORK_RUN/.ports/PROTO-PORT\@NETNS, holding the container's ID and state directory.
 * The host's namespace is part of the name — a test's throwaway "host" has ports of its
 * own — and a holder whose state directory is gone was killed and swept by a program that
 * knew no networks: its hold is stale and is taken over.
 *
 * Further reading: docker run's "--publish" (a port already allocated is refused).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "network.h"

/** The hold of port @p p, for namespace @p netns: "tcp-8080\@c:4096". */
static void
hold_name(char *buf, size_t size, const struct nook_port *p, const char *netns)
{
	snprintf(buf, size, "%s-%u@%s", p->proto == IPPROTO_UDP ? "udp" : "tcp", p->host_port,
		 netns);
}

/** Read a hold's holder: its ID and state directory. False if there is none. */
static bool
read_hold(int dirfd, const char *name, char *id, char *state)
{
	char buf[512] = "";
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	id[0] = state[0] = '\0';
	if (n > 0) {
		buf[n] = '\0';
		sscanf(buf, "%64[^\n]\n%255[^\n]", id, state);
	}
	return true;
}

/** Make hold @p name for container @p id (state @p state), taking over a stale one. */
static int
hold_one(int dirfd, const char *name, const char *id, const char *state, char *holder)
{
	char other[NOOK_ID_MAX + 1], where[PATH_MAX_STATE], buf[512];
	int fd, len;

	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST && read_hold(dirfd, name, other, where) && where[0] == '/' &&
	    access(where, F_OK) < 0 && errno == ENOENT) {
		unlinkat(dirfd, name, 0); /* stale: its container is gone */
		fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	}
	if (fd < 0) {
		if (errno == EEXIST)
			snprintf(holder, NOOK_ID_MAX + 1, "%s", other);
		return -1;
	}
	len = snprintf(buf, sizeof(buf), "%s\n%s\n", id, state);
	if (write(fd, buf, (size_t)len) != len) {
		close(fd);
		unlinkat(dirfd, name, 0);
		return -1;
	}
	return close(fd);
}

/** Open NETWORK_RUN/.ports and take its lock: into @p dirfd, the lock's fd returned. */
static int
ports_open(int *dirfd, struct nook_error *err)
{
	int lock;

	if ((mkdir("/run/nook", 0711) < 0 && errno != EEXIST) ||
	    (mkdir(NETWORK_RUN, 0700) < 0 && errno != EEXIST) ||
	    (mkdir(NETWORK_RUN "/.ports", 0700) < 0 && errno != EEXIST))
		return nook_fail(err, errno, "mkdir(\"%s/.ports\")", NETWORK_RUN);
	*dirfd = open(NETWORK_RUN "/.ports", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*dirfd < 0)
		return nook_fail(err, errno, "open(\"%s/.ports\")", NETWORK_RUN);
	lock = openat(*dirfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock < 0 || flock(lock, LOCK_EX) < 0) {
		nook_fail(err, errno, "lock \"%s/.ports/lock\"", NETWORK_RUN);
		if (lock >= 0)
			close(lock);
		close(*dirfd);
		return -1;
	}
	return lock;
}

/** Give back the holds of container @p id among ports @p p (@p n of them). */
static void
release_some(int dirfd, const char *id, const struct nook_port *p, int n, const char *netns)
{
	char name[128], other[NOOK_ID_MAX + 1], state[PATH_MAX_STATE];

	for (int i = 0; i < n; i++) {
		hold_name(name, sizeof(name), &p[i], netns);
		if (read_hold(dirfd, name, other, state) && strcmp(other, id) == 0)
			unlinkat(dirfd, name, 0);
	}
}

/**
 * Hold the @p n ports @p p for container @p id (state directory @p state) in namespace
 * @p netns, all or none: one held by a live container refuses the run, naming it.
 */
int
ports_hold(const char *id, const char *state, const struct nook_port *p, int n, const char *netns,
	   struct nook_error *err)
{
	char name[128], holder[NOOK_ID_MAX + 1] = "";
	int dirfd, lock = ports_open(&dirfd, err), ret = 0;

	if (lock < 0)
		return -1;
	for (int i = 0; i < n && ret == 0; i++) {
		hold_name(name, sizeof(name), &p[i], netns);
		if (hold_one(dirfd, name, id, state, holder) == 0)
			continue;
		release_some(dirfd, id, p, i, netns);
		ret = holder[0] ? nook_fail(err, 0,
					    "--publish %u/%s: the host's port is published by "
					    "container \"%s\"",
					    p[i].host_port,
					    p[i].proto == IPPROTO_UDP ? "udp" : "tcp", holder)
				: nook_fail(err, errno, "holding port %u", p[i].host_port);
	}
	close(lock);
	close(dirfd);
	return ret;
}

/** Give back every hold of container @p id, whatever its ports and namespace. */
void
ports_forget(const char *id)
{
	char other[NOOK_ID_MAX + 1], state[PATH_MAX_STATE];
	struct nook_error ignored;
	struct dirent *e;
	int dirfd, lock;
	DIR *d;

	if (access(NETWORK_RUN "/.ports", F_OK) < 0)
		return;
	lock = ports_open(&dirfd, &ignored);
	if (lock < 0)
		return;
	d = fdopendir(dup(dirfd));
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' && strcmp(e->d_name, "lock") != 0 &&
		    read_hold(dirfd, e->d_name, other, state) && strcmp(other, id) == 0)
			unlinkat(dirfd, e->d_name, 0);
	if (d)
		closedir(d);
	close(lock);
	close(dirfd);
}

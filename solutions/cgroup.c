/**
 * @file cgroup.c
 * @brief Step 06 — control groups: what a container *gets* (memory, CPU, processes, I/O),
 *        where namespaces decided what it *sees*.
 *
 * A cgroup is a directory. The kernel exposes the tree of control groups as a filesystem:
 * mkdir(2) creates a group, rmdir(2) removes an empty one, and every setting is a small text
 * file inside — memory.max, pids.max, cpu.max — read with read(2) and set with one write(2)
 * each, which the kernel parses and may refuse (EINVAL, EBUSY) right there, at the write. A
 * process is moved into a group by writing its PID to the group's cgroup.procs, and its
 * children are born where it is. There is no system call for any of this: a container
 * runtime's cgroup code is file I/O, and so is this stage's.
 *
 * Two versions of the interface are in use, and a host runs one or a mix:
 *
 *  - cgroup v1 (Linux 2.6.24): one hierarchy per controller, each its own mount —
 *    /sys/fs/cgroup/memory, /sys/fs/cgroup/cpu, /sys/fs/cgroup/pids ... A process has one
 *    place in each, so a container needs a directory in each hierarchy, and is placed by a
 *    write to each cgroup.procs. Names differ per controller (memory.limit_in_bytes,
 *    cpu.cfs_quota_us, cpu.shares, blkio.weight).
 *  - cgroup v2 (Linux 4.5, the default of current distributions): a single hierarchy,
 *    mounted at /sys/fs/cgroup, where a process has exactly one place. A controller works in
 *    a group only if the parent enabled it for its children, by writing "+memory" to its own
 *    cgroup.subtree_control; and a group that hands controllers down may hold no processes
 *    itself (the "no internal processes" rule), so processes live in the leaves. A "hybrid"
 *    host (this project's CI) mounts v1 controllers *and* an empty v2 tree for systemd.
 *
 * Which one a host uses is found at run time: if the filesystem at /sys/fs/cgroup is
 * cgroup2, the unified hierarchy holds the controllers (cgroup_v2.c); otherwise it is a tmpfs
 * of v1 hierarchies (cgroup_v1.c). The drivers differ only where they put the directories and
 * what the files are called; the life cycle is this file's, and the same for both:
 *
 *  1. prepare(), before clone: create `nook/ID` (ID is the container's) and write the limits
 *     into it, and the device cgroup's rules (devices.c) — every container has those, limits
 *     or not — so the container never runs a moment unlimited. A cgroup2 directory (v2, or
 *     a hybrid host's unified tree) is also opened, and the launcher clones the child
 *     straight into it (clone3's CLONE_INTO_CGROUP). For every directory, prepare() opens
 *     the file through which a process joins it — `tasks` on v1, `cgroup.procs` on cgroup2.
 *  2. child(), first of all: the child joins each directory clone3 did not start it in, by
 *     writing "0" — "the writer" — into the file the host opened. It has not exec'd or
 *     forked yet, so everything it ever forks is born in the group. Why the child, and not
 *     the host writing the child's PID: moving a whole process takes a lock that makes the
 *     writer wait for an RCU grace period (~10 ms) when no other move came just before;
 *     a single-threaded process moving only itself, through v1's per-thread `tasks`, takes
 *     no such lock on current kernels (0.05 ms, measured on Linux 6.18). The host opens the
 *     files, as root, because by now the child may be an unprivileged user of its user
 *     namespace; the kernel checks the opener (or, before 5.16, that a writer moves itself).
 *  3. child(), then: unshare(CLONE_NEWCGROUP). A cgroup namespace makes the cgroup the
 *     process is in *at that moment* the root of what it sees in /proc/self/cgroup (and in a
 *     cgroupfs mounted inside): the container reads "/" and learns nothing of the host's
 *     tree. That is why it is unshared here, once the child is in its group, and not at
 *     clone, which on v1 happens before the move.
 *  4. exited(): a process that exceeds memory.max is killed by the kernel's OOM killer with
 *     SIGKILL, which looks like any other kill -9. The group's memory.events (v2) or
 *     memory.oom_control (v1) counts "oom_kill"; if it moved, nook says why it died.
 *  5. cleanup(): rmdir the directories. A cgroup with processes cannot be removed (EBUSY);
 *     once the container's init is gone its PID namespace is empty, but the kernel may take
 *     a moment to let go, so the removal is retried briefly, after killing any stragglers.
 *
 * Docker, podman, runc and Kubernetes' kubelet write exactly these files; `docker run
 * --memory 64m` is a memory.max of 67108864 in /sys/fs/cgroup/system.slice/docker-ID.scope.
 *
 * Further reading: cgroups(7), cgroup_namespaces(7), clone(2) (CLONE_INTO_CGROUP), the
 * kernel's Documentation/admin-guide/cgroup-v2.rst, LWN "Understanding the new control
 * groups API" (https://lwn.net/Articles/679786/).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "nook.h"

/** The smallest --memory nook accepts: less cannot even start a shell. */
#define MIN_MEMORY (4LL << 20)
/** The most PIDs a Linux system can have (PID_MAX_LIMIT on 64-bit). */
#define MAX_PIDS 4194304L
/** How long cleanup() waits for the kernel to release an emptied cgroup. */
#define RMDIR_TRIES   200
#define RMDIR_WAIT_US 10000

/**
 * Parse a size such as "65536", "512k", "64m" or "2g" (powers of 1024, either case).
 * @return 0 with @p bytes set, or -1 when @p arg is not such a size or does not fit.
 */
int
cgroup_parse_size(const char *arg, long long *bytes)
{
	long long n, unit = 1;
	char *end;

	if (!isdigit((unsigned char)arg[0]))
		return -1;
	errno = 0;
	n = strtoll(arg, &end, 10);
	if (errno != 0)
		return -1;
	switch (tolower((unsigned char)*end)) {
	case 'k':
		unit = 1LL << 10;
		break;
	case 'm':
		unit = 1LL << 20;
		break;
	case 'g':
		unit = 1LL << 30;
		break;
	}
	if (unit > 1)
		end++;
	if (*end != '\0' || n > LLONG_MAX / unit)
		return -1;
	*bytes = n * unit;
	return 0;
}

/** @p bytes the way a person writes it: "64M", "1G", "1536K", "1000". */
const char *
cgroup_format_size(long long bytes, char *buf, size_t size)
{
	static const char units[] = "GMK";

	for (int i = 0; i < 3; i++) {
		long long unit = 1LL << (10 * (3 - i));

		if (bytes != 0 && bytes % unit == 0) {
			snprintf(buf, size, "%lld%c", bytes / unit, units[i]);
			return buf;
		}
	}
	snprintf(buf, size, "%lld", bytes);
	return buf;
}

/** Parse a whole decimal number in [@p min, @p max]; -1 if @p arg is anything else. */
static int
parse_count(const char *arg, long min, long max, long *out)
{
	char *end;
	long n;

	if (!isdigit((unsigned char)arg[0]))
		return -1;
	errno = 0;
	n = strtol(arg, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

/*
 * Typed setters: the one place each limit is checked, called by the options below (which
 * parse a string first) and by the OCI config reader (which has numbers). @p what names
 * the source in the error: "--memory" or "linux.resources.memory.limit".
 */

/** A memory limit of @p bytes: at least MIN_MEMORY, or the container cannot even start. */
int
cgroup_set_memory(struct nook_container *c, long long bytes, const char *what,
		  struct nook_error *err)
{
	if (bytes < MIN_MEMORY)
		return nook_fail(err, 0, "invalid %s %lld: at least 4m (%lld bytes)", what, bytes,
				 MIN_MEMORY);
	c->cgroup.memory = bytes;
	return 0;
}

/** A CPU quota of @p quota microseconds in every @p period: at most the CPUs online. */
int
cgroup_set_cpu_quota(struct nook_container *c, long long quota, long long period, const char *what,
		     struct nook_error *err)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	double cpus = period > 0 ? (double)quota / (double)period : 0;

	if (period < 1000 || period > 1000000)
		return nook_fail(err, 0, "invalid %s: a period from 1000 to 1000000 us", what);
	if (cpus < 0.01 || cpus > (double)online)
		return nook_fail(err, 0, "invalid %s: between 0.01 and %ld CPUs (online)", what,
				 online);
	c->cgroup.cpu_quota = (long)(cpus * CGROUP_CPU_PERIOD + 0.5);
	return 0;
}

/** A CPU weight, 1-10000 (100 is the default share). */
int
cgroup_set_cpu_weight(struct nook_container *c, long long weight, const char *what,
		      struct nook_error *err)
{
	if (weight < 1 || weight > 10000)
		return nook_fail(err, 0, "invalid %s %lld: a number from 1 to 10000", what, weight);
	c->cgroup.cpu_weight = (unsigned)weight;
	return 0;
}

/** The most processes at once: at least 2, nook-init (step 02) and the command. */
int
cgroup_set_pids(struct nook_container *c, long long pids, const char *what, struct nook_error *err)
{
	if (pids < 2 || pids > MAX_PIDS)
		return nook_fail(err, 0, "invalid %s %lld: a number from 2 to %ld", what, pids,
				 MAX_PIDS);
	c->cgroup.pids = (long)pids;
	return 0;
}

static int
set_memory(struct nook_container *c, const char *arg, struct nook_error *err)
{
	long long bytes;

	if (cgroup_parse_size(arg, &bytes) < 0)
		return nook_fail(
			err, 0, "invalid --memory \"%s\": not a size such as 512k, 64m or 2g", arg);
	return cgroup_set_memory(c, bytes, "--memory", err);
}

static int
set_memory_swap(struct nook_container *c, const char *arg, struct nook_error *err)
{
	if (cgroup_parse_size(arg, &c->cgroup.memory_swap) < 0 || c->cgroup.memory_swap == 0)
		return nook_fail(err, 0,
				 "invalid --memory-swap \"%s\": not a size such as 512k, 64m or 2g",
				 arg);
	return 0;
}

/** --cpus 0.5: half a CPU, as 50 ms of CPU time in every 100 ms period. */
static int
set_cpus(struct nook_container *c, const char *arg, struct nook_error *err)
{
	char *end;
	double cpus;

	errno = 0;
	cpus = strtod(arg, &end);
	if (end == arg || *end != '\0' || errno != 0 || !isfinite(cpus) || cpus > 1e6)
		return nook_fail(err, 0, "invalid --cpus \"%s\": not a number such as 0.5 or 2",
				 arg);
	return cgroup_set_cpu_quota(c, (long long)(cpus * CGROUP_CPU_PERIOD + 0.5),
				    CGROUP_CPU_PERIOD, "--cpus", err);
}

static int
set_cpu_weight(struct nook_container *c, const char *arg, struct nook_error *err)
{
	long n;

	if (parse_count(arg, 1, 10000, &n) < 0)
		return nook_fail(err, 0, "invalid --cpu-weight \"%s\": a number from 1 to 10000",
				 arg);
	return cgroup_set_cpu_weight(c, n, "--cpu-weight", err);
}

static int
set_pids(struct nook_container *c, const char *arg, struct nook_error *err)
{
	long n;

	if (parse_count(arg, 0, MAX_PIDS, &n) < 0)
		return nook_fail(err, 0, "invalid --pids \"%s\": a number from 2 to %ld", arg,
				 MAX_PIDS);
	return cgroup_set_pids(c, n, "--pids", err);
}

static int
set_io_weight(struct nook_container *c, const char *arg, struct nook_error *err)
{
	long n;

	if (parse_count(arg, 1, 10000, &n) < 0)
		return nook_fail(err, 0, "invalid --io-weight \"%s\": a number from 1 to 10000",
				 arg);
	c->cgroup.io_weight = (unsigned)n;
	return 0;
}

/* --device-read-bps DEV:RATE and the other throttles: cgroup_io.c */
static int
set_device_read_bps(struct nook_container *c, const char *arg, struct nook_error *err)
{
	return cgroup_io_option(c, IO_READ_BPS, arg, err);
}

static int
set_device_write_bps(struct nook_container *c, const char *arg, struct nook_error *err)
{
	return cgroup_io_option(c, IO_WRITE_BPS, arg, err);
}

static int
set_device_read_iops(struct nook_container *c, const char *arg, struct nook_error *err)
{
	return cgroup_io_option(c, IO_READ_IOPS, arg, err);
}

static int
set_device_write_iops(struct nook_container *c, const char *arg, struct nook_error *err)
{
	return cgroup_io_option(c, IO_WRITE_IOPS, arg, err);
}

/** The controllers the configured limits need (CGROUP_* bits). */
unsigned
cgroup_needed(const struct nook_cgroup *cg)
{
	return (cg->memory ? CGROUP_MEMORY : 0) |
	       (cg->cpu_quota || cg->cpu_weight ? CGROUP_CPU : 0) | (cg->pids ? CGROUP_PIDS : 0) |
	       (cg->io_weight || cg->nio ? CGROUP_IO : 0) | (cg->cpus ? CGROUP_CPUSET : 0);
}

/** The CPUs the container may run on, a list such as "0-3,5" (the kernel checks which). */
int
cgroup_set_cpus(struct nook_container *c, const char *cpus, const char *what,
		struct nook_error *err)
{
	if (!cpus[0] || strspn(cpus, "0123456789,-") != strlen(cpus) || strlen(cpus) > 256)
		return nook_fail(err, 0, "invalid %s \"%.40s\": a list of CPUs such as 0-3,5", what,
				 cpus);
	c->cgroup.cpus = cpus;
	return 0;
}

/** The container's directory that holds @p controller, or NULL if it has none. */
const char *
cgroup_dir_of(const struct nook_container *c, unsigned controller)
{
	for (int i = 0; i < c->cgroup.ndirs; i++)
		if (c->cgroup.dirs[i].members & controller)
			return c->cgroup.dirs[i].path;
	return NULL;
}

/** Does the control file @p dir/@p file exist (controllers and kernels differ)? */
bool
cgroup_has(const char *dir, const char *file)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return access(path, F_OK) == 0;
}

/**
 * Write @p value into the control file @p dir/@p file: set a limit, enable a controller,
 * move a process. The error names the file and the value, since the kernel's answer
 * (EINVAL, EBUSY, ENOENT) only makes sense with both.
 */
int
cgroup_write(const char *dir, const char *file, const char *value, struct nook_error *err)
{
	/*
	 * A control file is not a regular file: each write(2) is one command that the kernel
	 * parses whole and accepts or refuses on the spot, so the value goes in one write, and
	 * a refusal is write's errno — open(2) succeeding proves nothing.
	 */
	/* EXERCISE 06: set the control file dir/file to value: the kernel must have accepted it when this returns 0, and a refusal is one line naming the file, the value and the kernel's reason. The tests read the limits back from the host, hit them from inside, and give values the kernel refuses. */
	char path[PATH_MAX];
	size_t len = strlen(value);
	ssize_t n;
	int fd, saved;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return nook_fail(err, errno, "open(\"%s\")", path);
	n = nook_trace("06-cgroups.md#a-cgroup-is-a-directory", write(fd, value, len),
		       "write(\"%s\", \"%s\")", path, value);
	saved = errno;
	close(fd);
	if (n != (ssize_t)len)
		return nook_fail(err, n < 0 ? saved : EIO, "write(\"%s\", \"%s\")", path, value);
	/* END EXERCISE */
	return 0;
}

/** cgroup_write() with the value formatted by printf(3). */
int
cgroup_writef(const char *dir, const char *file, struct nook_error *err, const char *fmt, ...)
{
	char value[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	return cgroup_write(dir, file, value, err);
}

/**
 * The number after "@p key " in the flat-keyed file @p dir/@p file (memory.events,
 * memory.oom_control, cpu.stat); -1 if there is no such file or key.
 */
long long
cgroup_read_key(const char *dir, const char *file, const char *key)
{
	char path[PATH_MAX], name[64];
	long long value, found = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (found < 0 && fscanf(f, "%63s %lld", name, &value) == 2)
		if (strcmp(name, key) == 0)
			found = value;
	fclose(f);
	return found;
}

/**
 * Create the container's directory @p path, holding @p members, and remember it for
 * cleanup(). An empty directory of that name, left by an earlier container of the same ID
 * whose groups were not removed, is removed first.
 */
int
cgroup_mkdir(struct nook_container *c, const char *path, unsigned members, struct nook_error *err)
{
	struct nook_cgroup_dir *d;

	if (c->cgroup.ndirs == NOOK_CGROUP_MAX_DIRS)
		return nook_fail(err, 0, "mkdir(\"%s\"): more than %d cgroup directories", path,
				 NOOK_CGROUP_MAX_DIRS);
	if (strlen(path) >= sizeof(c->cgroup.dirs[0].path))
		return nook_fail(err, ENAMETOOLONG, "mkdir(\"%s\")", path);
	/* EXERCISE 06: create the group: a new directory at path (an empty one already there is replaced, anything else is an error naming path), recorded in c->cgroup.dirs with its members so that cleanup() removes it. The tests look for the group on the host while the container runs and check it is gone after. */
	if (nook_trace("06-cgroups.md#a-cgroup-is-a-directory", mkdir(path, 0755), "mkdir(\"%s\")",
		       path) < 0 &&
	    (errno != EEXIST || rmdir(path) < 0 || mkdir(path, 0755) < 0))
		return nook_fail(err, errno, "mkdir(\"%s\")", path);
	d = &c->cgroup.dirs[c->cgroup.ndirs++];
	snprintf(d->path, sizeof(d->path), "%s", path);
	d->members = members;
	/* END EXERCISE */
	return 0;
}

/**
 * The directories above the container's, @p rel ("nook/ID", "machine/pod/c1") below the
 * hierarchy root @p root, made where missing; on v2 @p enable ("+memory +pids") is
 * written into each one's cgroup.subtree_control, so the controllers reach the leaf.
 * They are shared (by every nook container, or an engine's pod): never removed here.
 */
int
cgroup_make_parents(const char *root, const char *rel, const char *enable, struct nook_error *err)
{
	char dir[PATH_MAX];

	for (const char *s = strchr(rel, '/'); s; s = strchr(s + 1, '/')) {
		snprintf(dir, sizeof(dir), "%s/%.*s", root, (int)(s - rel), rel);
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return nook_fail(err, errno, "mkdir(\"%s\")", dir);
		if (enable && enable[0] &&
		    cgroup_write(dir, "cgroup.subtree_control", enable, err) < 0)
			return -1;
	}
	return 0;
}

static const struct cgroup_driver *detect(struct nook_error *err);

/**
 * `nook update`: write the limits set in @p c into the live container's @p n directories
 * @p dirs (as its state saved them), through the same driver as create; the device rules
 * stay as they are (rewriting them would deny every device for a moment on v1).
 */
int
cgroup_update(struct nook_container *c, const char (*dirs)[128], int n, struct nook_error *err)
{
	struct nook_cgroup *cg = &c->cgroup;

	if (n == 0)
		return nook_fail(err, 0, "the container has no cgroup of its own (rootless?)");
	if (!(cg->driver = detect(err)))
		return -1;
	for (int i = 0; i < n && i < NOOK_CGROUP_MAX_DIRS; i++) {
		snprintf(cg->dirs[i].path, sizeof(cg->dirs[i].path), "%s", dirs[i]);
		cg->dirs[i].members =
			cg->driver == &cgroup_v2_driver ? ~0u : cgroup_v1_members(dirs[i]);
	}
	cg->ndirs = n < NOOK_CGROUP_MAX_DIRS ? n : NOOK_CGROUP_MAX_DIRS;
	cg->keep_devices = true;
	cg->fd = -1;
	return cg->driver->limit(c, err);
}

/**
 * Open the cgroup2 directory @p leaf, the last one made, for clone3's CLONE_INTO_CGROUP:
 * the launcher starts the child inside it (c->run.cgroup_fd), and it never joins it.
 */
int
cgroup_open_for_clone(struct nook_container *c, const char *leaf, struct nook_error *err)
{
	c->cgroup.fd = open(leaf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->cgroup.fd < 0)
		return nook_fail(err, errno, "open(\"%s\")", leaf);
	c->cgroup.clone_dir = c->cgroup.ndirs - 1;
	c->run.cgroup_fd = c->cgroup.fd;
	return 0;
}

/** Close the join file @p j, if open. */
static void
close_join(struct nook_cgroup_join *j)
{
	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
}

/** Close every join file still open: the host after clone, the child once it joined. */
static void
close_joins(struct nook_cgroup *cg)
{
	for (int i = 0; i < cg->njoins; i++)
		close_join(&cg->joins[i]);
}

/**
 * Open, before clone, the file through which the child will join each of its directories:
 * `tasks` in a v1 hierarchy, `cgroup.procs` in cgroup2 (where `tasks` does not exist, and
 * a domain group takes only whole processes).
 */
static int
open_joins(struct nook_cgroup *cg, struct nook_error *err)
{
	char path[PATH_MAX];
	struct statfs fs;

	for (cg->njoins = 0; cg->njoins < cg->ndirs; cg->njoins++) {
		const char *dir = cg->dirs[cg->njoins].path;
		struct nook_cgroup_join *j = &cg->joins[cg->njoins];

		j->file = statfs(dir, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC ? "cgroup.procs"
										    : "tasks";
		snprintf(path, sizeof(path), "%s/%s", dir, j->file);
		j->fd = open(path, O_WRONLY | O_CLOEXEC);
		if (j->fd < 0)
			return nook_fail(err, errno, "open(\"%s\")", path);
	}
	return 0;
}

/** The join files the child must keep when it closes what it inherited: into @p fds. */
int
cgroup_child_fds(const struct nook_container *c, int *fds)
{
	int n = 0;

	for (int i = 0; i < c->cgroup.njoins; i++)
		if (c->cgroup.joins[i].fd >= 0)
			fds[n++] = c->cgroup.joins[i].fd;
	return n;
}

/** v2 if the filesystem at /sys/fs/cgroup is cgroup2; v1 (or hybrid) otherwise. */
static const struct cgroup_driver *
detect(struct nook_error *err)
{
	struct statfs fs;

	if (statfs(CGROUP_ROOT, &fs) < 0) {
		nook_fail(err, errno, "statfs(\"%s\")", CGROUP_ROOT);
		return NULL;
	}
	if (fs.f_type == CGROUP2_SUPER_MAGIC)
		return &cgroup_v2_driver;
	return &cgroup_v1_driver;
}

//! [cgroup_prepare]
/** Check the limits against each other, then create the cgroup and write them into it. */
static int
cgroup_prepare(struct nook_container *c, struct nook_error *err)
{
	struct nook_cgroup *cg = &c->cgroup;
	char rel[NOOK_ID_MAX + 8];

	if (cg->memory_swap && !cg->memory)
		return nook_fail(err, 0, "--memory-swap needs --memory");
	if (cg->memory_swap && cg->memory_swap < cg->memory)
		return nook_fail(err, 0, "--memory-swap (memory plus swap) is less than --memory");
	cg->fd = -1;
	/*
	 * Without root, a cgroup can only be made in a subtree delegated to the caller
	 * (systemd's Delegate=), which nook does not look for: a rootless container gets no
	 * cgroup of its own unless it asks for a limit, and then it is told why not.
	 */
	if (geteuid() != 0 && cgroup_needed(cg))
		return nook_fail(err, 0, "cgroup limits need root (no delegated cgroup support)");
	if (geteuid() != 0)
		return 0;
	cg->driver = detect(err);
	if (!cg->driver)
		return -1;
	snprintf(rel, sizeof(rel), "nook/%s", c->id);
	if (cg->driver->create(c, cg->path ? cg->path : rel, err) < 0 ||
	    cg->driver->limit(c, err) < 0)
		return -1;
	return open_joins(cg, err);
}
//! [cgroup_prepare]

/** On the host, after clone: the child holds its own copies of the join files. */
static int
cgroup_parent(struct nook_container *c, struct nook_error *err)
{
	(void)err;
	close_joins(&c->cgroup);
	return 0;
}

/**
 * In the child, before anything else of step 06: join every directory of the container
 * that clone3 did not start it in, by writing "0" — the writer itself — into the join file
 * the host opened for it. Nothing of the container has run yet, and nothing has forked.
 */
static int
cgroup_join(struct nook_container *c, struct nook_error *err)
{
	struct nook_cgroup *cg = &c->cgroup;

	if (c->run.cgroup_fd >= 0 && cg->clone_dir < cg->njoins)
		close_join(&cg->joins[cg->clone_dir]); /* clone3() already put it there */
	/* EXERCISE 06: put the child in every one of the container's directories: for each of the c->cgroup.njoins join files still open (joins[i].fd >= 0, for dirs[i]), write "0" once — "0" is the writer itself — and return -1 with a line naming DIR/FILE when the kernel refuses. The tests read /proc/PID/cgroup of the container's processes from the host. */
	for (int i = 0; i < cg->njoins; i++)
		if (cg->joins[i].fd >= 0 &&
		    nook_trace("06-cgroups.md#placing-the-process", write(cg->joins[i].fd, "0", 1),
			       "write(\"%s/%s\", \"0\")", cg->dirs[i].path, cg->joins[i].file) != 1)
			return nook_fail(err, errno, "write(\"%s/%s\", \"0\")", cg->dirs[i].path,
					 cg->joins[i].file);
	/* END EXERCISE */
	return 0;
}

//! [cgroup_child]
/** In the child: join its cgroup, then make that cgroup the root of what it sees. */
static int
cgroup_child(struct nook_container *c, struct nook_error *err)
{
	int joined = cgroup_join(c, err);

	close_joins(&c->cgroup); /* nothing of the host's cgroup tree stays open inside */
	if (joined < 0)
		return -1;
	if (c->cgroup.joined_ns)
		return 0;
	if (NOOK_TRACED("06-cgroups.md#the-cgroup-namespace", unshare(CLONE_NEWCGROUP)) < 0)
		return nook_fail(err, errno, "unshare(CLONE_NEWCGROUP)");
	return 0;
}
//! [cgroup_child]

//! [cgroup_exited]
/** A container killed by SIGKILL whose cgroup counted an OOM kill: say it ran out of memory. */
static int
cgroup_exited(struct nook_container *c, int status, struct nook_error *err)
{
	const char *dir = cgroup_dir_of(c, CGROUP_MEMORY);
	char limit[32];

	if (status != 128 + SIGKILL || !c->cgroup.memory || !dir)
		return 0;
	if (cgroup_read_key(dir, c->cgroup.driver->oom_file, "oom_kill") <= 0)
		return 0;
	cgroup_format_size(c->cgroup.memory, limit, sizeof(limit));
	return nook_fail_code(err, status, 0, "container killed: out of memory (limit %s)", limit);
}
//! [cgroup_exited]

/** SIGKILL whatever is still in @p dir: a cgroup with processes cannot be removed. */
static void
kill_remaining(const char *dir)
{
	char path[PATH_MAX];
	FILE *f;
	int pid;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fscanf(f, "%d", &pid) == 1)
		kill(pid, SIGKILL);
	fclose(f);
}

/**
 * rmdir @p dir, waiting (briefly) for the kernel to release a group just emptied; -1 if
 * it is still there. A killed process stays in its group until it is reaped, which for
 * the container of a killed runtime is up to whoever adopts it: the sweep may be early.
 */
int
cgroup_remove(const char *dir)
{
	for (int i = 0; i < RMDIR_TRIES; i++) {
		if (nook_trace("06-cgroups.md#a-cgroup-is-a-directory", rmdir(dir), "rmdir(\"%s\")",
			       dir) == 0 ||
		    errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return -1;
		kill_remaining(dir);
		usleep(RMDIR_WAIT_US);
	}
	return -1;
}

/**
 * The sweep (state.c): the runtime of container @p id was killed before its cleanup ran.
 * Its container died with it (PR_SET_PDEATHSIG), so its groups are empty or about to be:
 * remove nook/ID from the v2 tree and from every v1 hierarchy — whichever there are.
 * -1 when one is still busy: the state directory stays, and a later sweep tries again.
 */
int
cgroup_sweep(const char *id, const char *state)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(CGROUP_ROOT);
	int ret;

	(void)state;
	snprintf(path, sizeof(path), "%s/nook/%s", CGROUP_ROOT, id);
	ret = cgroup_remove(path);
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/nook/%s", CGROUP_ROOT, e->d_name, id);
		if (access(path, F_OK) == 0 && cgroup_remove(path) < 0)
			ret = -1;
	}
	if (d)
		closedir(d);
	return ret;
}

/** Remove the container's directories, last created first; nothing if none were. */
static void
cgroup_cleanup(struct nook_container *c)
{
	if (!c->cgroup.driver)
		return; /* prepare() never ran */
	if (c->cgroup.fd >= 0)
		close(c->cgroup.fd);
	c->cgroup.fd = -1;
	close_joins(&c->cgroup);
	while (c->cgroup.ndirs > 0)
		cgroup_remove(c->cgroup.dirs[--c->cgroup.ndirs].path);
}

static const struct nook_option cgroup_options[] = {
	{"memory", "SIZE", "memory limit, e.g. 64m (k, m, g: powers of 1024)", set_memory},
	{"memory-swap", "SIZE", "memory plus swap (default: --memory, i.e. no swap)",
	 set_memory_swap},
	{"cpus", "N", "CPU time, in CPUs: 0.5 is 50 ms in every 100 ms", set_cpus},
	{"cpu-weight", "N", "share of CPU under contention, 1-10000 (default 100)", set_cpu_weight},
	{"pids", "N", "most processes and threads at once", set_pids},
	{"io-weight", "N", "share of disk time under contention, 1-10000 (default 100)",
	 set_io_weight},
	{"device-read-bps", "DEV:RATE", "read at most RATE bytes a second from block device DEV",
	 set_device_read_bps},
	{"device-write-bps", "DEV:RATE", "write at most RATE (e.g. 1mb) a second to DEV",
	 set_device_write_bps},
	{"device-read-iops", "DEV:N", "at most N reads a second from block device DEV",
	 set_device_read_iops},
	{"device-write-iops", "DEV:N", "at most N writes a second to block device DEV",
	 set_device_write_iops},
	{NULL, NULL, NULL, NULL},
};

//! [cgroup_stage]
/** Step 06's stage: a cgroup with the container's limits, and a cgroup namespace. */
const struct nook_stage cgroup_stage = {
	.name = "cgroup",
	.options = cgroup_options,
	.prepare = cgroup_prepare,
	.parent = cgroup_parent,
	.child = cgroup_child,
	.exited = cgroup_exited,
	.cleanup = cgroup_cleanup,
	.sweep = cgroup_sweep,
};
//! [cgroup_stage]

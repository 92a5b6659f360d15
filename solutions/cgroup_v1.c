/**
 * @file cgroup_v1.c
 * @brief Step 06's cgroup v1 driver: one hierarchy per controller, under /sys/fs/cgroup.
 *
 * In v1 each controller is a filesystem of its own, usually mounted at
 * /sys/fs/cgroup/CONTROLLER (some distributions mount cpu and cpuacct together, as
 * /sys/fs/cgroup/cpu,cpuacct, with the two names as symlinks to it). A process has one place
 * in *each* hierarchy, so a container gets a directory nook/ID in each one the host mounts
 * (those nook writes no limits in too: devices, freezer, cpuset, systemd's), and is moved
 * into all of them. There is no subtree_control: a controller acts in every
 * group of its hierarchy, and processes may live in inner groups too.
 *
 * The files, each one write:
 *
 *  - memory.limit_in_bytes; memory.memsw.limit_in_bytes for memory plus swap (present with
 *    swap accounting), which must never be below the former, so it is written second.
 *    memory.oom_control reports "oom_kill N" (Linux 4.13) after the OOM killer struck.
 *  - cpu.cfs_quota_us and cpu.cfs_period_us: the same bandwidth control as v2's cpu.max.
 *    cpu.shares: the weight, 2-262144 with 1024 the default; v2's weight (default 100) is
 *    scaled onto it as systemd does, so that 100 is 1024. cpuacct.usage: CPU time used,
 *    in nanoseconds.
 *  - pids.max, as in v2.
 *  - devices.deny and devices.allow: the device cgroup's rules, one line a write
 *    (devices.c). cpuset.cpus and cpuset.mems: empty in a new group, copied from the parent.
 *  - blkio.weight (the CFQ scheduler, gone since Linux 5.0) or blkio.bfq.weight (BFQ):
 *    10-1000, default 500, so v2's weight is scaled by 5.
 *  - blkio.throttle.{read,write}_{bps,iops}_device: "MAJOR:MINOR N", one device and one
 *    limit a write (cgroup_io.c).
 *
 * There is no way to create a process inside a v1 group: the child is cloned where nook
 * is (and into the unified tree's group, which is cgroup2) and joins the v1 groups itself,
 * writing "0" to each `tasks` file, before it can fork (cgroup.c's cgroup_join()).
 *
 * Further reading: cgroups(7), the kernel's Documentation/admin-guide/cgroup-v1/.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "nook.h"

/**
 * The v1 hierarchies a host may mount, by mount name: those nook sets limits in, and the
 * rest, where the container gets a group of its own all the same — left in the host's root
 * group, it would share the root's settings and be frozen, or have its CPUs changed, with
 * the host. "unified" is a hybrid host's cgroup2 tree (systemd's), no controllers in it.
 */
static const struct {
	const char *name;
	unsigned bit;
} hierarchies[] = {
	{"memory", CGROUP_MEMORY},
	{"cpu", CGROUP_CPU},
	{"cpuacct", CGROUP_CPUACCT},
	{"pids", CGROUP_PIDS},
	{"blkio", CGROUP_IO},
	{"devices", CGROUP_DEVICES},
	{"freezer", CGROUP_FREEZER},
	{"cpuset", CGROUP_CPUSET},
	{"systemd", 0},
	{"net_cls", 0},
	{"net_prio", 0},
	{"perf_event", 0},
	{"hugetlb", 0},
	{"rdma", 0},
	{"misc", 0},
	{"unified", 0},
};

#define NHIERARCHIES (sizeof(hierarchies) / sizeof(hierarchies[0]))

/**
 * The controllers of a container's directory @p dir ("/sys/fs/cgroup/cpu,cpuacct/nook/ID"),
 * from its hierarchy's mount name: what `update` knows of a directory made by `create`.
 */
unsigned
cgroup_v1_members(const char *dir)
{
	const char *name = dir + strlen(CGROUP_ROOT "/");
	size_t len = strcspn(name, "/"), n;
	unsigned bits = 0;

	if (strncmp(dir, CGROUP_ROOT "/", strlen(CGROUP_ROOT "/")) != 0)
		return 0;
	for (const char *w = name; w < name + len; w += n + 1) {
		n = strcspn(w, ",/");
		for (size_t i = 0; i < NHIERARCHIES; i++)
			if (strlen(hierarchies[i].name) == n &&
			    strncmp(w, hierarchies[i].name, n) == 0)
				bits |= hierarchies[i].bit;
	}
	return bits;
}

/**
 * The real directory of hierarchy @p name into @p real; its filesystem type (v1's
 * CGROUP_SUPER_MAGIC, or CGROUP2_SUPER_MAGIC for a hybrid's unified tree), or -1 if it is
 * not mounted.
 */
static long
hierarchy_root(const char *name, char real[PATH_MAX])
{
	char path[PATH_MAX];
	struct statfs fs;

	snprintf(path, sizeof(path), "%s/%s", CGROUP_ROOT, name);
	if (!realpath(path, real) || statfs(real, &fs) < 0 ||
	    (fs.f_type != CGROUP_SUPER_MAGIC && fs.f_type != CGROUP2_SUPER_MAGIC))
		return -1;
	return (long)fs.f_type;
}

/** The container's directory already made in hierarchy @p leaf, or NULL. */
static struct nook_cgroup_dir *
find_dir(struct nook_container *c, const char *leaf)
{
	for (int i = 0; i < c->cgroup.ndirs; i++)
		if (strcmp(c->cgroup.dirs[i].path, leaf) == 0)
			return &c->cgroup.dirs[i];
	return NULL;
}

/** The first line of @p dir/@p file into @p buf, without its newline; "" if unreadable. */
static void
read_line(const char *dir, const char *file, char *buf, size_t size)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	buf[0] = '\0';
	f = fopen(path, "re");
	if (f && !fgets(buf, (int)size, f))
		buf[0] = '\0';
	if (f)
		fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

/**
 * A new cpuset group has no CPUs and no memory nodes, and a process cannot join it
 * (ENOSPC) until it has both: copy cpuset.cpus and cpuset.mems down from @p from to @p to
 * where @p to has none yet.
 */
static int
cpuset_inherit(const char *from, const char *to, struct nook_error *err)
{
	static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
	char value[512], mine[512];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		read_line(to, files[i], mine, sizeof(mine));
		read_line(from, files[i], value, sizeof(value));
		if (!mine[0] && value[0] && cgroup_write(to, files[i], value, err) < 0)
			return -1;
	}
	return 0;
}

/** Each directory from @p root down to @p leaf gets the cpus and mems of the one above. */
static int
cpuset_inherit_down(const char *root, const char *leaf, struct nook_error *err)
{
	char above[PATH_MAX], dir[PATH_MAX];
	size_t n = strlen(root);

	snprintf(above, sizeof(above), "%s", root);
	for (const char *s = strchr(leaf + n + 1, '/');; s = strchr(s + 1, '/')) {
		snprintf(dir, sizeof(dir), "%.*s", s ? (int)(s - leaf) : (int)strlen(leaf), leaf);
		if (cpuset_inherit(above, dir, err) < 0)
			return -1;
		if (!s)
			return 0;
		snprintf(above, sizeof(above), "%s", dir);
	}
}

/** @p rel (nook/ID) in hierarchy @p i, or one more member for a directory made already. */
static int
v1_create_in(struct nook_container *c, size_t i, const char *rel, struct nook_error *err)
{
	char root[PATH_MAX], leaf[PATH_MAX];
	struct nook_cgroup_dir *d;
	long type = hierarchy_root(hierarchies[i].name, root);

	if (type < 0) {
		/* no device cgroup would let the container open any device it can mknod */
		if ((cgroup_needed(&c->cgroup) | CGROUP_DEVICES) & hierarchies[i].bit)
			return nook_fail(err, 0, "cgroup v1: no %s hierarchy mounted at %s/%s",
					 hierarchies[i].name, CGROUP_ROOT, hierarchies[i].name);
		return 0; /* not mounted, and not needed: the container goes without */
	}
	if (snprintf(leaf, sizeof(leaf), "%s/%s", root, rel) >= (int)sizeof(leaf))
		return nook_fail(err, ENAMETOOLONG, "mkdir(\"%s/%s\")", root, rel);
	d = find_dir(c, leaf); /* co-mounted with an earlier one, such as cpu,cpuacct */
	if (d) {
		d->members |= hierarchies[i].bit;
		return 0;
	}
	if (cgroup_make_parents(root, rel, NULL, err) < 0 ||
	    cgroup_mkdir(c, leaf, hierarchies[i].bit, err) < 0)
		return -1;
	if (hierarchies[i].bit & CGROUP_CPUSET)
		return cpuset_inherit_down(root, leaf, err);
	if (type == CGROUP2_SUPER_MAGIC) /* a hybrid's unified tree: the child starts there */
		return cgroup_open_for_clone(c, leaf, err);
	return 0;
}

/** @p rel (nook/ID) in every hierarchy nook drives that this host mounts. */
//! [v1_create]
static int
v1_create(struct nook_container *c, const char *rel, struct nook_error *err)
{
	for (size_t i = 0; i < NHIERARCHIES; i++)
		if (v1_create_in(c, i, rel, err) < 0)
			return -1;
	if (c->cgroup.ndirs == 0)
		return nook_fail(err, 0, "no cgroup v1 hierarchy (memory, cpu, pids ...) under %s",
				 CGROUP_ROOT);
	return 0;
}
//! [v1_create]

/** memory.limit_in_bytes, then memory plus swap: no swap unless --memory-swap asks. */
static int
v1_memory(const char *dir, const struct nook_cgroup *cg, struct nook_error *err)
{
	long long total = cg->memory_swap ? cg->memory_swap : cg->memory;

	/* memory never above memory plus swap: raising both (`update`), the second goes first */
	if (cgroup_writef(dir, "memory.limit_in_bytes", err, "%lld", cg->memory) < 0 &&
	    (!cgroup_has(dir, "memory.memsw.limit_in_bytes") ||
	     cgroup_writef(dir, "memory.memsw.limit_in_bytes", err, "%lld", total) < 0 ||
	     cgroup_writef(dir, "memory.limit_in_bytes", err, "%lld", cg->memory) < 0))
		return -1;
	if (!cg->memory_swap && !cgroup_has(dir, "memory.memsw.limit_in_bytes"))
		return 0; /* no swap accounting on this kernel: fine, unless swap was asked */
	return cgroup_writef(dir, "memory.memsw.limit_in_bytes", err, "%lld", total);
}

/** CFS bandwidth: --cpus as a quota per period. */
static int
v1_cpu_quota(const char *dir, long quota, struct nook_error *err)
{
	if (cgroup_writef(dir, "cpu.cfs_period_us", err, "%ld", CGROUP_CPU_PERIOD) < 0)
		return -1;
	return cgroup_writef(dir, "cpu.cfs_quota_us", err, "%ld", quota);
}

/** --io-weight (default 100) as blkio's (10-1000, default 500), in the file there is. */
static int
v1_io_weight(const char *dir, unsigned weight, struct nook_error *err)
{
	unsigned w = weight * 5 < 10 ? 10 : weight * 5 > 1000 ? 1000 : weight * 5;

	if (cgroup_has(dir, "blkio.bfq.weight"))
		return cgroup_writef(dir, "blkio.bfq.weight", err, "%u", w);
	return cgroup_writef(dir, "blkio.weight", err, "%u", w);
}

/** The throttles: one "MAJOR:MINOR VALUE" line per device and limit, each in its file. */
static int
v1_io_limits(const char *dir, const struct nook_cgroup *cg, struct nook_error *err)
{
	if (!cgroup_has(dir, cgroup_io_names[IO_READ_BPS].v1file))
		return nook_fail(err, 0,
				 "cgroup v1: no %s in %s: this kernel cannot throttle I/O "
				 "(CONFIG_BLK_DEV_THROTTLING)",
				 cgroup_io_names[IO_READ_BPS].v1file, dir);
	for (int i = 0; i < cg->nio; i++)
		for (int k = 0; k < IO_NLIMITS; k++)
			if (cg->io[i].max[k] &&
			    cgroup_writef(dir, cgroup_io_names[k].v1file, err, "%u:%u %llu",
					  cg->io[i].major, cg->io[i].minor, cg->io[i].max[k]) < 0)
				return -1;
	return 0;
}

//! [v1_limit]
static int
v1_limit(struct nook_container *c, struct nook_error *err)
{
	const struct nook_cgroup *cg = &c->cgroup;
	const struct nook_device_rule *rules;
	int n;

	if (cg->memory && v1_memory(cgroup_dir_of(c, CGROUP_MEMORY), cg, err) < 0)
		return -1;
	if (cg->cpu_quota && v1_cpu_quota(cgroup_dir_of(c, CGROUP_CPU), cg->cpu_quota, err) < 0)
		return -1;
	if (cg->cpu_weight && cgroup_writef(cgroup_dir_of(c, CGROUP_CPU), "cpu.shares", err, "%u",
					    cg->cpu_weight * 1024 / 100 + 2) < 0)
		return -1;
	if (cg->pids &&
	    cgroup_writef(cgroup_dir_of(c, CGROUP_PIDS), "pids.max", err, "%ld", cg->pids) < 0)
		return -1;
	if (cg->io_weight && v1_io_weight(cgroup_dir_of(c, CGROUP_IO), cg->io_weight, err) < 0)
		return -1;
	if (cg->nio && v1_io_limits(cgroup_dir_of(c, CGROUP_IO), cg, err) < 0)
		return -1;
	if (cg->cpus &&
	    cgroup_write(cgroup_dir_of(c, CGROUP_CPUSET), "cpuset.cpus", cg->cpus, err) < 0)
		return -1;
	if (cg->keep_devices) /* `nook update`: the rules stay as they are */
		return 0;
	/* and always, limits or not: the devices it may open (devices.c) */
	rules = devices_rules(cg, &n);
	return devices_v1_apply(cgroup_dir_of(c, CGROUP_DEVICES), rules, n, err);
}
//! [v1_limit]

/** One hierarchy per controller. */
const struct cgroup_driver cgroup_v1_driver = {
	.name = "v1",
	.oom_file = "memory.oom_control",
	.create = v1_create,
	.limit = v1_limit,
};

/**
 * @file cgroup_v2.c
 * @brief Step 06's cgroup v2 driver: one unified hierarchy at /sys/fs/cgroup.
 *
 * In v2 every process has exactly one cgroup, and all controllers act on the same tree. A
 * controller is available in a group if its parent lists it in cgroup.controllers, and
 * *enabled* for the group's children by writing "+name" to the parent's
 * cgroup.subtree_control; its files (memory.max, pids.max ...) then appear in the children.
 * Because a group that distributes resources to children must not hold processes itself
 * (the "no internal processes" rule; the root is exempt), the container's processes live
 * in a leaf, /sys/fs/cgroup/nook/ID, and /sys/fs/cgroup/nook only hands controllers down.
 *
 * The files, each one write:
 *
 *  - memory.max: bytes; past it the group's memory is reclaimed, then the OOM killer picks
 *    a process *in the group*. memory.swap.max: swap on top of it (0: none).
 *    memory.events counts what happened: "max" (hit the limit), "oom_kill" (killed).
 *  - cpu.max: "QUOTA PERIOD" in microseconds — the group may run QUOTA per PERIOD, summed
 *    over all CPUs, and is throttled for the rest of the period (CFS bandwidth control).
 *    cpu.weight: 1-10000, a share under contention only. cpu.stat: usage_usec, always.
 *  - pids.max: processes and threads; fork(2) and clone(2) fail with EAGAIN beyond it.
 *  - io.weight: "default N", a share of disk time (with the iocost or BFQ I/O scheduler).
 *    io.max: "MAJOR:MINOR rbps=N wbps=N riops=N wiops=N", ceilings per device (cgroup_io.c).
 *  - cpuset.cpus: the CPUs the group's processes may run on.
 *  - no file for devices: a BPF_PROG_TYPE_CGROUP_DEVICE program attached to the leaf
 *    (devices.c) decides which device nodes the container may make and open.
 *
 * The leaf is opened before clone, so the launcher can create the child inside it with
 * clone3(CLONE_INTO_CGROUP): the child is never, even for a moment, outside its limits.
 *
 * Further reading: the kernel's Documentation/admin-guide/cgroup-v2.rst, clone(2).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nook.h"

/** The v2 controllers nook drives, by name. */
static const struct {
	const char *name;
	unsigned bit;
} controllers[] = {
	{"memory", CGROUP_MEMORY}, {"cpu", CGROUP_CPU},	      {"pids", CGROUP_PIDS},
	{"io", CGROUP_IO},	   {"cpuset", CGROUP_CPUSET},
};

#define NCONTROLLERS (sizeof(controllers) / sizeof(controllers[0]))

/** Is @p word one of the space-separated words of @p list? */
static bool
has_word(const char *list, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = strstr(list, word); p; p = strstr(p + 1, word))
		if ((p == list || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\n' || !p[len]))
			return true;
	return false;
}

/**
 * Which of nook's controllers the root offers (its cgroup.controllers), as "+memory +cpu"
 * in @p enable and as bits; fails naming one a limit needs but the host lacks.
 */
static int
available(unsigned needed, char *enable, size_t size, unsigned *bits, struct nook_error *err)
{
	char list[256] = "", path[] = CGROUP_ROOT "/cgroup.controllers";
	FILE *f = fopen(path, "re");

	if (!f)
		return nook_fail(err, errno, "open(\"%s\")", path);
	if (!fgets(list, sizeof(list), f))
		list[0] = '\0';
	fclose(f);
	*bits = 0;
	enable[0] = '\0';
	for (size_t i = 0; i < NCONTROLLERS; i++) {
		if (!has_word(list, controllers[i].name)) {
			if (needed & controllers[i].bit)
				return nook_fail(err, 0, "cgroup v2: no %s controller in %s",
						 controllers[i].name, path);
			continue;
		}
		*bits |= controllers[i].bit;
		snprintf(enable + strlen(enable), size - strlen(enable), "%s+%s",
			 enable[0] ? " " : "", controllers[i].name);
	}
	return 0;
}

/** Enable @p enable ("+memory +cpu") for the children of @p dir; nothing if empty. */
static int
enable_for_children(const char *dir, const char *enable, struct nook_error *err)
{
	if (!enable[0])
		return 0;
	return cgroup_write(dir, "cgroup.subtree_control", enable, err);
}

/**
 * /sys/fs/cgroup/@p rel (nook/ID), with nook's controllers enabled on the way down, and
 * opened for CLONE_INTO_CGROUP.
 */
//! [v2_create]
static int
v2_create(struct nook_container *c, const char *rel, struct nook_error *err)
{
	char enable[64], leaf[128];
	unsigned bits = 0;

	if (available(cgroup_needed(&c->cgroup), enable, sizeof(enable), &bits, err) < 0)
		return -1;
	if (snprintf(leaf, sizeof(leaf), "%s/%s", CGROUP_ROOT, rel) >= (int)sizeof(leaf))
		return nook_fail(err, ENAMETOOLONG, "mkdir(\"%s/%s\")", CGROUP_ROOT, rel);
	if (enable_for_children(CGROUP_ROOT, enable, err) < 0 ||
	    cgroup_make_parents(CGROUP_ROOT, rel, enable, err) < 0)
		return -1;
	if (cgroup_mkdir(c, leaf, bits | CGROUP_CPUACCT, err) < 0)
		return -1;
	return cgroup_open_for_clone(c, leaf, err);
}
//! [v2_create]

/** io.weight (iocost) if the kernel has it, else io.bfq.weight (BFQ, range 1-1000). */
static int
v2_io_weight(const char *dir, unsigned weight, struct nook_error *err)
{
	if (cgroup_has(dir, "io.weight") || !cgroup_has(dir, "io.bfq.weight"))
		return cgroup_writef(dir, "io.weight", err, "default %u", weight);
	return cgroup_writef(dir, "io.bfq.weight", err, "default %u",
			     1 + (weight - 1) * 999 / 9999);
}

/** memory.max, and the swap on top of it: none unless --memory-swap asks for some. */
static int
v2_memory(const char *dir, const struct nook_cgroup *cg, struct nook_error *err)
{
	long long total = cg->memory_swap ? cg->memory_swap : cg->memory;

	if (cgroup_writef(dir, "memory.max", err, "%lld", cg->memory) < 0)
		return -1;
	/* Without swap accounting there is no memory.swap.max: fine, unless swap was asked. */
	if (!cg->memory_swap && !cgroup_has(dir, "memory.swap.max"))
		return 0;
	return cgroup_writef(dir, "memory.swap.max", err, "%lld", total - cg->memory);
}

/** The throttles: one line per device in io.max, "8:0 wbps=1048576 riops=100". */
static int
v2_io_limits(const char *dir, const struct nook_cgroup *cg, struct nook_error *err)
{
	char line[160];

	if (!cgroup_has(dir, "io.max"))
		return nook_fail(err, 0,
				 "cgroup v2: no io.max in %s: this kernel cannot throttle I/O "
				 "(CONFIG_BLK_DEV_THROTTLING)",
				 dir);
	for (int i = 0; i < cg->nio; i++) {
		int len = snprintf(line, sizeof(line), "%u:%u", cg->io[i].major, cg->io[i].minor);

		for (int k = 0; k < IO_NLIMITS; k++)
			if (cg->io[i].max[k])
				len += snprintf(line + len, sizeof(line) - (size_t)len, " %s=%llu",
						cgroup_io_names[k].key, cg->io[i].max[k]);
		if (cgroup_write(dir, "io.max", line, err) < 0)
			return -1;
	}
	return 0;
}

//! [v2_limit]
static int
v2_limit(struct nook_container *c, struct nook_error *err)
{
	const struct nook_cgroup *cg = &c->cgroup;
	const char *dir = cg->dirs[0].path;
	const struct nook_device_rule *rules;
	int n;

	if (cg->memory && v2_memory(dir, cg, err) < 0)
		return -1;
	if (cg->cpu_quota &&
	    cgroup_writef(dir, "cpu.max", err, "%ld %ld", cg->cpu_quota, CGROUP_CPU_PERIOD) < 0)
		return -1;
	if (cg->cpu_weight && cgroup_writef(dir, "cpu.weight", err, "%u", cg->cpu_weight) < 0)
		return -1;
	if (cg->pids && cgroup_writef(dir, "pids.max", err, "%ld", cg->pids) < 0)
		return -1;
	if (cg->io_weight && v2_io_weight(dir, cg->io_weight, err) < 0)
		return -1;
	if ((cg->nio && v2_io_limits(dir, cg, err) < 0) ||
	    (cg->cpus && cgroup_write(dir, "cpuset.cpus", cg->cpus, err) < 0))
		return -1;
	if (cg->keep_devices) /* `nook update`: the rules stay as they are */
		return 0;
	/* and always, limits or not: the devices it may open, as a BPF program (devices.c) */
	rules = devices_rules(cg, &n);
	return devices_v2_apply(cg->fd, rules, n, err);
}
//! [v2_limit]

/** The unified hierarchy. */
const struct cgroup_driver cgroup_v2_driver = {
	.name = "v2",
	.oom_file = "memory.events",
	.create = v2_create,
	.limit = v2_limit,
};

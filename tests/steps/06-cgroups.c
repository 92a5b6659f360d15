/**
 * @file 06-cgroups.c
 * @brief Step 06's tests: limits that the kernel enforces — memory (OOM kill, reported),
 *        processes (a fork bomb stops), CPU time (read from the cgroup's own accounting),
 *        direct writes to a block device (throttled to a measured rate) —
 *        in a cgroup of the container's own that it sees as "/" and that is gone afterwards.
 *
 * They run on whichever cgroup version the host has; `make check-cgroup2` runs them again
 * under a kernel that has only cgroup v2. The container's cgroup is nook/<PID of nook> in
 * each hierarchy, which is how the tests find it from outside; the CPU test reads it from
 * /proc/PID/cgroup of the container's init instead, as `docker top` or systemd-cgls would.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define STEP "06-cgroups"

/** Is /sys/fs/cgroup the unified hierarchy (v2), rather than v1 hierarchies (or hybrid)? */
static bool
unified(void)
{
	struct statfs fs;

	return statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

/** Container @p id's cgroup directory for @p v1_hierarchy. */
static const char *
cgroup_dir(const char *id, const char *v1_hierarchy)
{
	static char path[256];

	if (unified())
		snprintf(path, sizeof(path), "/sys/fs/cgroup/nook/%s", id);
	else
		snprintf(path, sizeof(path), "/sys/fs/cgroup/%s/nook/%s", v1_hierarchy, id);
	return path;
}

static int
setup(void **state)
{
	struct statfs fs;

	(void)state;
	skip_unless_namespaces(CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWCGROUP);
	if (!unified() &&
	    (statfs("/sys/fs/cgroup/memory", &fs) < 0 || fs.f_type != CGROUP_SUPER_MAGIC)) {
		print_message("  SKIP: neither cgroup v2 nor a v1 memory hierarchy at "
			      "/sys/fs/cgroup\n");
		skip();
	}
	return 0;
}

/** Fail unless container @p nook's cgroup is gone from every hierarchy. */
static void
expect_cgroup_gone(const char *nook)
{
	const char *hierarchies[] = {"memory",	"cpu",	   "cpuacct", "pids",	 "blkio",
				     "devices", "freezer", "cpuset",  "systemd", "unified"};

	for (size_t i = 0; i < sizeof(hierarchies) / sizeof(hierarchies[0]); i++)
		if (file_exists(cgroup_dir(nook, hierarchies[i])))
			fail_msg("%s is still there after the container ended",
				 cgroup_dir(nook, hierarchies[i]));
}

static void
memory_hog_beyond_the_limit_is_oom_killed(void **state)
{
	char name[64];
	struct proc p;
	struct run r;

	(void)state;
	start_step(&p, &r, STEP, "--name", unique_name(name, "hog"), "--memory", "32m", "--",
		   probe_path(), "hog", "64m", NULL);
	finish(&p, RUN_TIMEOUT);
	expect_status(&r, 137);
	expect_run(&r, strcmp(r.err, STEP ": container killed: out of memory (limit 32M)\n") == 0,
		   "expected the one line '" STEP ": container killed: out of memory (limit "
		   "32M)' on stderr");
	expect_run(&r, !strstr(r.out, "hogged"), "the hog touched 64m under a 32m limit");
	expect_cgroup_gone(name);
}

static void
memory_hog_within_the_limit_finishes(void **state)
{
	struct run r;

	(void)state;
	run_step(&r, STEP, "--memory", "64m", "--", probe_path(), "hog", "16m", NULL);
	expect_status(&r, 0);
	expect_stdout(&r, "hogged 16m\n");
}

static void
only_the_oom_killer_is_called_out_of_memory(void **state)
{
	struct run r;

	(void)state;
	expect_exit_statuses(STEP);
	run_step(&r, STEP, "--memory", "64m", "--", "/bin/sh", "-c", "kill -KILL $$", NULL);
	expect_status(&r, 137);
	expect_run(&r, r.err[0] == '\0',
		   "a kill -9 under --memory is no OOM kill: expected "
		   "nothing on stderr");
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
fork_bomb_stops_at_the_pids_limit(void **state)
{
	struct proc p;
	struct run r, host;
	double took;
	long forked = -1;
	char *line;

	(void)state;
	/* init, sh, sleep and the probe take 4 of the 16; the probe gets the rest. */
	start_step(&p, &r, STEP, "--pids", "16", "--", "/bin/sh", "-c",
		   "sleep 30 & \"$0\" forks 1000; kill -0 $! && echo sleep still running",
		   probe_path(), NULL);
	if (!wait_for_output(&p, "then:", RUN_TIMEOUT)) {
		finish(&p, 1);
		expect_ran(&r);
		expect_run(&r, false, "the fork bomb never said how far it got");
	}
	took = now();
	run_argv(&host, 10, (char *[]){"/bin/sh", "-c", "echo host forks", NULL});
	took = now() - took;
	finish(&p, RUN_TIMEOUT);
	expect_status(&r, 0);
	line = strstr(r.out, "forked ");
	if (line)
		forked = strtol(line + 7, NULL, 10);
	expect_run(&r, forked > 0 && forked < 16 && strstr(r.out, "Resource temporarily"),
		   "expected the bomb to stop with EAGAIN before 16 processes");
	expect_run(&r, strstr(r.out, "sleep still running\n") != NULL,
		   "the container's other process (sleep) should have survived the bomb");
	if (host.status != 0 || strcmp(host.out, "host forks\n") != 0 || took > 5)
		fail_msg("the host could not start a process while the bomb ran (status %d, "
			 "%.1f s)",
			 host.status, took);
}

/** The container's init: nook @p nook's first child, or -1. */
static pid_t
container_init(pid_t nook)
{
	char path[64];
	int init = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)nook, (int)nook);
	f = fopen(path, "r");
	if (f && fscanf(f, "%d", &init) != 1)
		init = -1;
	if (f)
		fclose(f);
	return init;
}

/**
 * Into @p dir: the directory of process @p pid's cgroup in the hierarchy of @p controller
 * (v1), or in the unified one (v2), as /proc/PID/cgroup names it from the host. A v1 line
 * is "ID:CONTROLLERS:PATH", mounted at /sys/fs/cgroup/CONTROLLERS ("cpu", or "cpu,cpuacct"
 * where the two are mounted together); v2's is "0::PATH". False if there is none.
 */
static bool
cgroup_of(pid_t pid, const char *controller, char *dir, size_t size)
{
	char path[64], line[512], *names, *where;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	f = fopen(path, "r");
	while (f && !found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		names = strchr(line, ':');
		where = names ? strchr(names + 1, ':') : NULL;
		if (!where)
			continue;
		*where++ = '\0';
		names++;
		if (unified() && *names == '\0')
			found = snprintf(dir, size, "/sys/fs/cgroup%s", where) < (int)size;
		else if (!unified() && *names)
			for (char *n = strtok(names, ","); n && !found; n = strtok(NULL, ","))
				if (strcmp(n, controller) == 0)
					found = snprintf(dir, size, "/sys/fs/cgroup/%s%s", names,
							 where) < (int)size;
	}
	if (f)
		fclose(f);
	return found;
}

/**
 * What CFS bandwidth control counted for a group (cpu.stat) and the CPU time it used. A
 * period counts once the group has run in it; a throttled period is one in which the
 * group used its whole quota and then had to wait for the next period.
 */
struct cpu_account {
	long long periods;   /**< nr_periods */
	long long throttled; /**< nr_throttled */
	double throttled_s;  /**< throttled_usec (v2), throttled_time (v1, in ns) */
	double usage_s;	     /**< usage_usec in cpu.stat (v2), cpuacct.usage (v1, in ns) */
	double quota_s;	     /**< per period: cpu.max (v2), cpu.cfs_quota_us (v1); 0 if none */
};

/** Read "KEY VALUE" lines of @p dir/@p file into @p a; the keys it does not know are skipped. */
static void
read_cpu_stat(const char *dir, struct cpu_account *a)
{
	char path[600], key[64];
	long long value;
	FILE *f;

	snprintf(path, sizeof(path), "%s/cpu.stat", dir);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot read %s: %s", path, strerror(errno));
	while (fscanf(f, "%63s %lld", key, &value) == 2) {
		if (strcmp(key, "nr_periods") == 0)
			a->periods = value;
		else if (strcmp(key, "nr_throttled") == 0)
			a->throttled = value;
		else if (strcmp(key, "throttled_usec") == 0)
			a->throttled_s = value / 1e6;
		else if (strcmp(key, "throttled_time") == 0)
			a->throttled_s = value / 1e9;
		else if (strcmp(key, "usage_usec") == 0)
			a->usage_s = value / 1e6;
	}
	fclose(f);
}

/** The first number in @p dir/@p file, or @p otherwise ("max", no such file). */
static double
read_number(const char *dir, const char *file, double otherwise)
{
	char path[600];
	double value = otherwise;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (f && fscanf(f, "%lf", &value) != 1)
		value = otherwise;
	if (f)
		fclose(f);
	return value;
}

/** The CPU accounting of the cgroup that process @p pid is in, read from the host. */
static struct cpu_account
cpu_account_of(pid_t pid)
{
	struct cpu_account a = {0};
	char dir[512], acct[512];

	if (!cgroup_of(pid, "cpu", dir, sizeof(dir)))
		fail_msg("no cpu cgroup for the container's init (PID %d) in /proc/%d/cgroup",
			 (int)pid, (int)pid);
	read_cpu_stat(dir, &a);
	if (unified()) {
		a.quota_s = read_number(dir, "cpu.max", 0) / 1e6;
		return a;
	}
	a.quota_s = read_number(dir, "cpu.cfs_quota_us", 0) / 1e6;
	if (a.quota_s < 0)
		a.quota_s = 0; /* -1: no quota */
	if (!cgroup_of(pid, "cpuacct", acct, sizeof(acct)))
		fail_msg("no cpuacct cgroup for the container's init (PID %d)", (int)pid);
	a.usage_s = read_number(acct, "cpuacct.usage", -1e9) / 1e9;
	return a;
}

/**
 * Run a 2-second busy loop in a container started with @p cpus (or none), and read its
 * cgroup's accounting from the host after the loop, while the container still runs.
 */
static struct cpu_account
busy_loop_account(const char *cpus)
{
	const char *script = "timeout 2 sh -c 'while :; do :; done'; echo done; sleep 10";
	char name[64];
	struct cpu_account a;
	struct proc p;
	struct run r;

	unique_name(name, "busy");
	if (cpus)
		start_step(&p, &r, STEP, "--name", name, "--cpus", cpus, "--", "/bin/sh", "-c",
			   script, NULL);
	else
		start_step(&p, &r, STEP, "--name", name, "--", "/bin/sh", "-c", script, NULL);
	if (!wait_for_output(&p, "done", RUN_TIMEOUT)) {
		finish(&p, 1);
		expect_ran(&r);
		expect_run(&r, false, "the busy loop never ended");
	}
	a = cpu_account_of(container_init(p.pid));
	kill(p.pid, SIGTERM);
	finish(&p, RUN_TIMEOUT);
	expect_run(&r, r.status == 128 + SIGTERM, "SIGTERM should have ended the container");
	expect_cgroup_gone(name);
	print_message("  --cpus %s: quota %.0f ms, throttled in %lld of %lld periods for %.2f s, "
		      "%.2f CPU s used\n",
		      cpus ? cpus : "(none)", a.quota_s * 1e3, a.throttled, a.periods,
		      a.throttled_s, a.usage_s);
	return a;
}

/**
 * The --cpus of the throttling test: a fifth of a CPU, 20 ms per 100 ms period. A quota
 * is a ceiling, not a guarantee: a group is throttled only in periods where it could get
 * more. With both cores busy beside it (other loops, other people's tests), a group gets
 * a third of a CPU or less, so half a CPU would hardly ever be reached; a fifth still is.
 */
#define TEST_CPUS    "0.2"
#define TEST_QUOTA_S 0.020

/**
 * --cpus is proved from the kernel's own accounting, not from wall time, which a busy
 * machine stretches: the group's quota is the one asked for, it was throttled (in most
 * periods on a machine that lets it run), used about its quota in each throttled period
 * (it was throttled because it had used all of it), and no more in any.
 * Without --cpus there is no quota, and no throttling.
 */
static void
cpu_quota_throttles_a_busy_loop(void **state)
{
	struct cpu_account limited, unlimited;

	(void)state;
	limited = busy_loop_account(TEST_CPUS);
	unlimited = busy_loop_account(NULL);
	if (limited.quota_s < TEST_QUOTA_S - 0.0005 || limited.quota_s > TEST_QUOTA_S + 0.0005)
		fail_msg("--cpus " TEST_CPUS ": the group's quota is %.1f ms per period, expected "
			 "%.0f ms",
			 limited.quota_s * 1e3, TEST_QUOTA_S * 1e3);
	/* Starved by the rest of the machine (other people's tests on a shared host), the
	 * group gets less than its quota and is throttled in fewer periods; its usage shows
	 * it then: under the quota in every period. Throttled at least once it must be. */
	if (limited.periods < 10 || limited.throttled < 1 || limited.throttled_s <= 0)
		fail_msg("--cpus " TEST_CPUS ": a 2 s busy loop was throttled in %lld of %lld "
			 "periods (%.2f s): expected most of about 20",
			 limited.throttled, limited.periods, limited.throttled_s);
	if (limited.throttled * 2 <= limited.periods)
		print_message(
			"  note: throttled in only %lld of %lld periods: the machine gave the "
			"group %.1f ms a period, about its quota at most\n",
			limited.throttled, limited.periods,
			limited.usage_s / limited.periods * 1e3);
	/* a period may overrun by what runs between two scheduler ticks: up to a tick or two */
	if (limited.usage_s > limited.periods * (limited.quota_s + 0.010) ||
	    limited.usage_s < limited.throttled * (limited.quota_s - 0.005))
		fail_msg("--cpus " TEST_CPUS ": %.3f CPU s in %lld periods, %lld throttled: "
			 "expected about %.0f ms in each throttled period, and no more in any",
			 limited.usage_s, limited.periods, limited.throttled,
			 limited.quota_s * 1e3);
	if (unlimited.quota_s != 0 || unlimited.throttled != 0 || unlimited.throttled_s != 0)
		fail_msg("without --cpus: quota %.0f ms, throttled %lld times for %.2f s: expected "
			 "no quota and no throttling",
			 unlimited.quota_s * 1e3, unlimited.throttled, unlimited.throttled_s);
	if (unlimited.usage_s <= 0)
		fail_msg("without --cpus: the group counted no CPU time for a busy loop");
}

static void
container_sees_its_cgroup_as_root(void **state)
{
	char line[256], path[128], name[64];
	struct proc p;
	struct run r;
	FILE *f;
	pid_t init = -1;
	bool placed = false;

	(void)state;
	start_step(&p, &r, STEP, "--name", unique_name(name, "root"), "--pids", "100", "--",
		   "/bin/sh", "-c", "cat /proc/self/cgroup; echo ready; sleep 10", NULL);
	wait_for_output(&p, "ready", RUN_TIMEOUT);
	/* From the host, the container's init is in nook/<its ID>. */
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", p.pid, p.pid);
	f = fopen(path, "r");
	if (f && fscanf(f, "%d", &init) != 1)
		init = -1;
	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "/proc/%d/cgroup", init);
	f = fopen(path, "r");
	snprintf(path, sizeof(path), "/nook/%s\n", name);
	while (f && fgets(line, sizeof(line), f))
		placed |= strstr(line, path) != NULL;
	if (f)
		fclose(f);
	kill(p.pid, SIGTERM);
	finish(&p, RUN_TIMEOUT);
	expect_ran(&r);
	if (!placed)
		fail_msg("the host does not see the container's init (PID %d) in a cgroup ending "
			 "in /nook/%s",
			 init, name);
	for (char *l = r.out; *l && strncmp(l, "ready", 5) != 0; l = strchr(l, '\n') + 1) {
		char *nl = strchr(l, '\n');

		expect_run(&r, nl && nl > l && nl[-1] == '/' && nl[-2] == ':',
			   "every line of /proc/self/cgroup inside should end in ':/'");
	}
	expect_cgroup_gone(name);
}

static void
cgroup_is_removed_when_the_command_cannot_start(void **state)
{
	char name[64];
	struct run r;
	struct proc p;

	(void)state;
	start_step(&p, &r, STEP, "--name", unique_name(name, "fail"), "--pids", "10", "--",
		   "nosuchcmd", NULL);
	finish(&p, RUN_TIMEOUT);
	expect_status(&r, 127);
	expect_cgroup_gone(name);
}

/** A nook killed by SIGKILL cannot clean up; the next nook removes its empty group. */
static void
a_killed_nooks_cgroup_is_removed_by_the_next(void **state)
{
	char name[64];
	struct proc p;
	struct run r, next;
	bool left = false;

	(void)state;
	start_step(&p, &r, STEP, "--name", unique_name(name, "killed"), "--memory", "64m", "--",
		   "/bin/sh", "-c", "echo ready; sleep 30", NULL);
	if (!wait_for_output(&p, "ready", RUN_TIMEOUT)) {
		finish(&p, 1);
		expect_ran(&r);
		expect_run(&r, false, "the command never printed 'ready'");
	}
	kill(p.pid, SIGKILL);
	finish(&p, RUN_TIMEOUT);
	for (int i = 0; i < 40; i++) { /* the container dies with nook: wait till it has */
		char procs[300], cmd[340];

		snprintf(procs, sizeof(procs), "%s/cgroup.procs", cgroup_dir(name, "memory"));
		snprintf(cmd, sizeof(cmd), "[ -z \"$(cat '%s' 2>/dev/null)\" ]", procs);
		left = file_exists(procs);
		if (!left || system(cmd) == 0)
			break;
		usleep(50 * 1000);
	}
	if (!left)
		print_message("  note: nothing left by the killed nook to sweep\n");
	run_step(&next, STEP, "--memory", "64m", "--", "true", NULL);
	expect_status(&next, 0);
	for (int i = 0; i < 40 && file_exists(cgroup_dir(name, "memory")); i++)
		usleep(50 * 1000); /* an emptied group can be busy for a moment */
	expect_cgroup_gone(name);
}

/** The first PID nook @p nook started: the container's init. */
static pid_t
init_of(pid_t nook)
{
	char path[64];
	pid_t init = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)nook, (int)nook);
	f = fopen(path, "r");
	if (f && fscanf(f, "%d", &init) != 1)
		init = -1;
	if (f)
		fclose(f);
	return init;
}

/**
 * Without limits too, the container has a group of its own in every hierarchy: on v1 it
 * would otherwise share the host's root group in devices, freezer, cpuset and systemd's.
 */
/**
 * The descriptors of process @p pid that lead into the host's cgroup tree, appended to
 * @p wrong: the child joins its groups through files the host opened for it (cgroup.c's
 * join files), and must have closed every one before anything of the container runs.
 */
static void
cgroup_fds_of(pid_t pid, char *wrong, size_t size)
{
	char dir[64], path[384], link[256];
	struct dirent *d;
	DIR *fds;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	fds = opendir(dir);
	if (!fds)
		fail_msg("opendir(\"%s\"): %s", dir, strerror(errno));
	while ((d = readdir(fds))) {
		ssize_t n;

		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (strncmp(link, "/sys/fs/cgroup", strlen("/sys/fs/cgroup")) == 0)
			snprintf(wrong + strlen(wrong), size - strlen(wrong),
				 " fd %s of PID %d: %s", d->d_name, (int)pid, link);
	}
	closedir(fds);
}

static void
container_has_a_group_in_every_hierarchy(void **state)
{
	char line[256], path[64], want[96], wrong[512] = "", fds[1024] = "", name[64];
	struct proc p;
	struct run r;
	int lines = 0;
	FILE *f;

	(void)state;
	start_step(&p, &r, STEP, "--name", unique_name(name, "every"), "--", "/bin/sh", "-c",
		   "echo ready; sleep 10", NULL);
	wait_for_output(&p, "ready", RUN_TIMEOUT);
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)init_of(p.pid));
	snprintf(want, sizeof(want), "/nook/%s\n", name);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		size_t len = strlen(line), wlen = strlen(want);

		lines++;
		if (len < wlen || strcmp(line + len - wlen, want) != 0)
			snprintf(wrong + strlen(wrong), sizeof(wrong) - strlen(wrong), " %.*s",
				 (int)strcspn(line, "\n"), line);
	}
	if (f)
		fclose(f);
	cgroup_fds_of(init_of(p.pid), fds, sizeof(fds));
	kill(p.pid, SIGTERM);
	finish(&p, RUN_TIMEOUT);
	if (lines == 0)
		fail_msg("cannot read %s", path);
	if (wrong[0])
		fail_msg("the container's init is not in nook/%s in:%s", name, wrong);
	if (fds[0])
		fail_msg("the container holds the host's cgroup files open:%s", fds);
	expect_cgroup_gone(name);
}

/**
 * The device cgroup, root mode: the container's root has CAP_MKNOD and, in a tmpfs of its
 * own mounted without nodev, makes nodes for a block device (a scratch loop device) and
 * for the kernel log. They are made, but they do not open: EPERM, the device cgroup's
 * answer, before any driver is asked. The allowed devices still work.
 */
static void
devices_outside_the_allow_list_do_not_open(void **state)
{
	struct scratch_blockdev d;
	char dir[64], node[96], major[16], minor[16], script[1024];
	struct run host, r;

	(void)state;
	make_scratch_dir(dir, "devices", 0777);
	scratch_block_device(&d, dir);
	snprintf(node, sizeof(node), "%s/host-node", dir);
	snprintf(major, sizeof(major), "%u", d.major);
	snprintf(minor, sizeof(minor), "%u", d.minor);
	/* the same node opened from the host, outside any device cgroup of nook's */
	run_argv(&host, RUN_TIMEOUT,
		 (char *[]){(char *)probe_path(), "device", node, "b", major, minor, "r", NULL});
	snprintf(script, sizeof(script),
		 "mount -t tmpfs nook-devices '%s' && P='%s' && $P device %s/disk b %s %s r; "
		 "$P device %s/kmsg c 1 11 w; $P open /dev/kmsg w; $P open /dev/null rw; "
		 "$P open /dev/urandom r",
		 dir, probe_path(), dir, major, minor, dir);
	run_step(&r, STEP, "--", "/bin/sh", "-c", script, NULL);
	print_message("  b %s:%s (%s) from the host: %s", major, minor,
		      d.loop[0] ? d.loop : "no loop attached", host.out);
	release_block_device(&d);
	remove_scratch_dirs();
	if (strstr(host.out, "EPERM")) {
		print_message("  SKIP: the host itself may not open b %s:%s\n", major, minor);
		skip();
	}
	expect_stdout(&r, "mknod ok, open EPERM\nmknod ok, open EPERM\nEPERM\nok\nok\n");
}

/** With --userns (root mode), mknod is refused outright, and /dev/kmsg still does not open. */
static void
devices_in_a_user_namespace(void **state)
{
	char dir[64], script[512];
	struct run r;

	(void)state;
	make_scratch_dir(dir, "devices", 0777);
	snprintf(script, sizeof(script),
		 "P='%s'; $P device %s/kmsg c 1 11 w; $P open /dev/kmsg w; $P open /dev/null rw",
		 probe_path(), dir);
	run_step(&r, STEP, "--userns", "--", "/bin/sh", "-c", script, NULL);
	remove_scratch_dirs();
	expect_run(&r,
		   strncmp(r.out, "mknod EPERM\n", 12) == 0 && strstr(r.out, "\nok\n") &&
			   !strstr(r.out, "\nok\nok\n") && count_lines(r.out) == 3,
		   "expected mknod refused, /dev/kmsg not opened, /dev/null opened");
}

/*
 * A limit the kernel refuses. nook checks its options, but the kernel has the last word on
 * a control file, given at write(2) (open(2) succeeding proves nothing): nook must report
 * it in one line naming the file and the value, and run nothing. The options nook accepts
 * are all ones the kernel takes in a group of its own, so the test makes a group of its
 * own in which the kernel refuses, and shows it to nook, in a mount namespace of nook's own,
 * where nook looks for the hierarchy:
 *
 *  - cgroup v1: a cpu group allowed 1% of a CPU. v1 refuses a child's quota above its
 *    parent's (EINVAL), so --cpus 0.5 is refused at cpu.cfs_quota_us.
 *  - cgroup v2: a group that nook itself is in. A group with processes cannot hand a
 *    domain controller such as memory down (the "no internal processes" rule: EBUSY), so
 *    nook's "+memory" is refused at cgroup.subtree_control.
 */

/** The group made for the test, and the hierarchy it stands in for. */
static char fake_group[PATH_MAX], fake_at[PATH_MAX];

/** Write @p value to the control file @p path in one write(2); false if refused. */
static bool
write_control(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, value, strlen(value)) == (ssize_t)strlen(value);
	close(fd);
	return ok;
}

/** In nook's process, before exec: fake_group at fake_at (and, on v2, nook in it). */
static void
show_fake_hierarchy(void *arg)
{
	char procs[PATH_MAX + 16], pid[16];

	(void)arg;
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", fake_group);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if ((unified() && !write_control(procs, pid)) || unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount(fake_group, fake_at, NULL, MS_BIND, NULL) < 0) {
		fprintf(stderr, "test setup: %s at %s: %s\n", fake_group, fake_at, strerror(errno));
		_exit(99);
	}
}

/** rmdir @p path/nook/ *, @p path/nook and @p path; false if @p path is still there. */
static bool
remove_group_tree(const char *path)
{
	char nook[PATH_MAX + 8], child[2 * PATH_MAX];
	struct dirent *d;
	DIR *dir;

	snprintf(nook, sizeof(nook), "%s/nook", path);
	dir = opendir(nook);
	while (dir && (d = readdir(dir)))
		if (d->d_type == DT_DIR && d->d_name[0] != '.') {
			snprintf(child, sizeof(child), "%s/%s", nook, d->d_name);
			rmdir(child);
		}
	if (dir)
		closedir(dir);
	rmdir(nook);
	return rmdir(path) == 0 || errno == ENOENT;
}

/** Remove fake_group and what nook made in it; an emptied group can be busy for a moment. */
static int
remove_fake_group(void **state)
{
	(void)state;
	if (!fake_group[0])
		return 0;
	for (int i = 0; !remove_group_tree(fake_group); i++) {
		if (i == 50) {
			print_message("  warning: could not remove %s: %s\n", fake_group,
				      strerror(errno));
			break;
		}
		usleep(20 * 1000);
	}
	fake_group[0] = '\0';
	return 0;
}

static void
a_limit_the_kernel_refuses_is_one_line(void **state)
{
	char marker[] = "/tmp/nook-test-XXXXXX", period[PATH_MAX + 32], quota[PATH_MAX + 32] = "";
	const char *file, *value, *option, *arg;
	char name[64];
	struct proc p;
	struct run r;

	(void)state;
	unused_path(marker);
	fake_at[0] = '\0';
	if (unified()) {
		if (!write_control("/sys/fs/cgroup/cgroup.subtree_control", "+memory")) {
			print_message("  SKIP: no memory controller in /sys/fs/cgroup\n");
			skip();
		}
		snprintf(fake_at, sizeof(fake_at), "/sys/fs/cgroup");
		file = "cgroup.subtree_control", value = "+memory", option = "--memory",
		arg = "64m";
	} else {
		if (realpath("/sys/fs/cgroup/cpu", fake_at))
			snprintf(quota, sizeof(quota), "%s/cpu.cfs_quota_us", fake_at);
		if (!fake_at[0] || !file_exists(quota)) {
			print_message("  SKIP: no v1 cpu hierarchy with CFS bandwidth control\n");
			skip();
		}
		file = "cpu.cfs_quota_us", value = "50000", option = "--cpus", arg = "0.5";
	}
	snprintf(fake_group, sizeof(fake_group), "%s/nook-test-refuses-%d", fake_at, (int)getpid());
	if (mkdir(fake_group, 0755) < 0)
		fail_msg("mkdir %s: %s", fake_group, strerror(errno));
	snprintf(period, sizeof(period), "%s/cpu.cfs_period_us", fake_group);
	snprintf(quota, sizeof(quota), "%s/cpu.cfs_quota_us", fake_group);
	if (!unified() && (!write_control(period, "100000") || !write_control(quota, "1000")))
		fail_msg("cannot give %s a CPU quota: %s", fake_group, strerror(errno));
	start_argv_as(&p, &r, 0, 0, show_fake_hierarchy, NULL,
		      (char *[]){(char *)step_path(STEP), "--name", unique_name(name, "refused"),
				 (char *)option, (char *)arg, "--", "touch", marker, NULL});
	finish(&p, RUN_TIMEOUT);
	if (file_exists(marker)) {
		unlink(marker);
		fail_msg("%s %s: the kernel refused %s \"%s\" but the command ran anyway", option,
			 arg, file, value);
	}
	expect_run(&r,
		   r.status == 125 && count_lines(r.err) == 1 && strstr(r.err, file) &&
			   strstr(r.err, value),
		   "the kernel refuses %s \"%s\": expected one line naming the file and the value, "
		   "exit 125",
		   file, value);
	expect_cgroup_gone(name);
}

/** In the step program's child, before exec: the device, opened by the test, as fd 3. */
static void
device_as_fd_3(void *arg)
{
	int fd = *(int *)arg;

	/* dup2 onto itself would keep close-on-exec */
	if (fd == 3 ? fcntl(3, F_SETFD, 0) < 0 : dup2(fd, 3) < 0)
		_exit(126);
}

/**
 * --device-write-bps LOOP:1mb: direct writes from inside the container, to a scratch loop
 * device, go at 1 MiB a second (±20%) — 4 MiB take about 4 s where they take a few
 * milliseconds unthrottled. The container is given the device as descriptor 3 (the
 * device cgroup would refuse it to open the node itself), opened with O_DIRECT so that
 * each write is submitted to the device by the writer: the throttle charges the writer's
 * cgroup. The probe measures, from its first write to its last.
 */
static void
device_write_bps_throttles_direct_writes(void **state)
{
	struct scratch_blockdev d;
	char dir[64], limit[96], name[64];
	long long bytes = 0;
	double secs = 0, rate;
	struct proc p;
	struct run r;
	int fd;

	(void)state;
	make_scratch_dir(dir, "io", 0700);
	scratch_writable_block_device(&d, dir, 16);
	if (!d.loop[0]) {
		remove_scratch_dirs();
		print_message("  SKIP: no writable scratch loop device (losetup)\n");
		skip();
	}
	fd = open(d.loop, O_WRONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0)
		fail_msg("open(\"%s\", O_DIRECT): %s", d.loop, strerror(errno));
	snprintf(limit, sizeof(limit), "%s:1mb", d.loop);
	start_argv_as(&p, &r, 0, 0, device_as_fd_3, &fd,
		      (char *[]){(char *)step_path(STEP), "--name", unique_name(name, "io"),
				 "--preserve-fds", "1", "--device-write-bps", limit, "--",
				 (char *)probe_path(), "write-direct", "3", "4096", NULL});
	finish(&p, 60);
	close(fd);
	release_block_device(&d);
	remove_scratch_dirs();
	expect_status(&r, 0);
	expect_run(&r, sscanf(r.out, "wrote %lld bytes in %lf s", &bytes, &secs) == 2 && secs > 0,
		   "the probe should say how long its writes took");
	rate = (double)bytes / secs;
	print_message("  --device-write-bps %s: %lld bytes in %.2f s, %.0f bytes/s (limit %d)\n",
		      limit, bytes, secs, rate, 1 << 20);
	expect_run(&r, rate > 0.8 * (1 << 20) && rate < 1.2 * (1 << 20),
		   "direct writes should go at 1 MiB/s (1048576 bytes/s) +-20%%, not %.0f", rate);
	expect_cgroup_gone(name);
}

static void
invalid_limits_are_refused_before_anything_runs(void **state)
{
	const char *bad[][4] = {
		{"--memory", "0"},
		{"--memory", "64x"},
		{"--memory", "1k"},
		{"--memory", "-5m"},
		{"--memory-swap", "junk"},
		{"--cpus", "0"},
		{"--cpus", "abc"},
		{"--cpus", "100000"},
		{"--cpu-weight", "0"},
		{"--cpu-weight", "10001"},
		{"--pids", "0"},
		{"--pids", "1"}, /* nook-init and the command need two */
		{"--pids", "-1"},
		{"--pids", "12abc"},
		{"--io-weight", "0"},
		{"--io-weight", "x"},
		{"--memory-swap", "64m"},
		{"--memory", "64m", "--memory-swap", "32m"},
		{"--device-write-bps", "/dev/null:1mb"}, /* not a block device */
		{"--device-read-bps", "/nonexistent:1mb"},
		{"--device-write-iops", "/dev/null"},
	};
	char marker[] = "/tmp/nook-test-XXXXXX";
	struct run r;

	(void)state;
	unused_path(marker);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (bad[i][2])
			run_step(&r, STEP, bad[i][0], bad[i][1], bad[i][2], bad[i][3], "--",
				 "touch", marker, NULL);
		else
			run_step(&r, STEP, bad[i][0], bad[i][1], "--", "touch", marker, NULL);
		expect_run(&r,
			   r.status == 125 && count_lines(r.err) == 1 &&
				   strstr(r.err, bad[i][2] ? bad[i][2] : bad[i][0]),
			   "%s %s %s: expected one line naming the option, exit 125", bad[i][0],
			   bad[i][1], bad[i][2] ? bad[i][2] : "");
		if (file_exists(marker)) {
			unlink(marker);
			fail_msg("%s %s was refused but the command ran anyway", bad[i][0],
				 bad[i][1]);
		}
	}
}

/**
 * A group of the container's name that is not empty — some other process in it — is not
 * taken over: nook refuses in one line, and that process, a stranger, lives on (a cleanup
 * that killed "what is left" in it would kill it).
 */
static void
a_busy_group_of_the_same_name_is_left_alone(void **state)
{
	char name[64], path[300], parent[300], cmd[400];
	struct run r, put;
	pid_t stranger;

	(void)state;
	unique_name(name, "busy");
	snprintf(path, sizeof(path), "%s", cgroup_dir(name, "pids"));
	snprintf(parent, sizeof(parent), "%.*s", (int)(strrchr(path, '/') - path), path);
	mkdir(parent, 0755);
	if (mkdir(path, 0755) < 0)
		fail_msg("mkdir(\"%s\"): %s", path, strerror(errno));
	stranger = fork();
	if (stranger == 0) {
		execl("/bin/sleep", "sleep", "30", (char *)NULL);
		_exit(127);
	}
	snprintf(cmd, sizeof(cmd), "echo %d > %s/cgroup.procs", (int)stranger, path);
	run_shell(&put, cmd);
	if (put.status != 0) {
		kill(stranger, SIGKILL);
		fail_msg("could not put a stranger in %s: %s", path, put.err);
	}
	run_step(&r, STEP, "--name", name, "--pids", "10", "--", "true", NULL);
	bool alive = kill(stranger, 0) == 0;
	kill(stranger, SIGKILL);
	waitpid(stranger, NULL, 0);
	for (int i = 0; i < 50 && rmdir(path) < 0 && errno == EBUSY; i++)
		usleep(20 * 1000);
	expect_run(&r, r.status == 125 && count_lines(r.err) == 1 && strstr(r.err, path),
		   "a busy group of the container's name: expected one line naming %s, exit 125",
		   path);
	if (!alive)
		fail_msg("the process that was in %s before the container was killed", path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(memory_hog_beyond_the_limit_is_oom_killed, setup),
		cmocka_unit_test_setup(memory_hog_within_the_limit_finishes, setup),
		cmocka_unit_test_setup(only_the_oom_killer_is_called_out_of_memory, setup),
		cmocka_unit_test_setup(fork_bomb_stops_at_the_pids_limit, setup),
		cmocka_unit_test_setup(cpu_quota_throttles_a_busy_loop, setup),
		cmocka_unit_test_setup(a_busy_group_of_the_same_name_is_left_alone, setup),
		cmocka_unit_test_setup(container_sees_its_cgroup_as_root, setup),
		cmocka_unit_test_setup(cgroup_is_removed_when_the_command_cannot_start, setup),
		cmocka_unit_test_setup(a_killed_nooks_cgroup_is_removed_by_the_next, setup),
		cmocka_unit_test_setup(container_has_a_group_in_every_hierarchy, setup),
		cmocka_unit_test_setup(devices_outside_the_allow_list_do_not_open, setup),
		cmocka_unit_test_setup(devices_in_a_user_namespace, setup),
		cmocka_unit_test_setup(invalid_limits_are_refused_before_anything_runs, setup),
		cmocka_unit_test_setup(device_write_bps_throttles_direct_writes, setup),
		cmocka_unit_test_setup_teardown(a_limit_the_kernel_refuses_is_one_line, setup,
						remove_fake_group),
	};

	return cmocka_run_group_tests_name(STEP, tests, NULL, NULL);
}

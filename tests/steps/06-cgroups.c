/**
 * @file 06-cgroups.c
 * @brief Step 06's tests: limits that the kernel enforces — memory (OOM kill, reported),
 *        processes (a fork bomb stops), CPU time (read from the cgroup's own accounting) —
 *        in a cgroup of the container's own that it sees as "/" and that is gone afterwards.
 *
 * They run on whichever cgroup version the host has; `make check-cgroup2` runs them again
 * under a kernel that has only cgroup v2. The container's cgroup is nook/<PID of nook> in
 * each hierarchy, which is how the tests find it from outside.
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

/** The container's cgroup directory for @p v1_hierarchy, nook being process @p nook. */
static const char *
cgroup_dir(pid_t nook, const char *v1_hierarchy)
{
	static char path[256];

	if (unified())
		snprintf(path, sizeof(path), "/sys/fs/cgroup/nook/%d", (int)nook);
	else
		snprintf(path, sizeof(path), "/sys/fs/cgroup/%s/nook/%d", v1_hierarchy, (int)nook);
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

/** Fail unless nook @p nook's cgroup is gone from every hierarchy. */
static void
expect_cgroup_gone(pid_t nook)
{
	const char *hierarchies[] = {"memory", "cpu", "cpuacct", "pids", "blkio"};

	for (size_t i = 0; i < sizeof(hierarchies) / sizeof(hierarchies[0]); i++)
		if (file_exists(cgroup_dir(nook, hierarchies[i])))
			fail_msg("%s is still there after the container ended",
				 cgroup_dir(nook, hierarchies[i]));
}

static void
memory_hog_beyond_the_limit_is_oom_killed(void **state)
{
	struct proc p;
	struct run r;

	(void)state;
	start_step(&p, &r, STEP, "--memory", "32m", "--", probe_path(), "hog", "64m", NULL);
	finish(&p, RUN_TIMEOUT);
	expect_status(&r, 137);
	expect_run(&r, strcmp(r.err, STEP ": container killed: out of memory (limit 32M)\n") == 0,
		   "expected the one line '" STEP ": container killed: out of memory (limit "
		   "32M)' on stderr");
	expect_run(&r, !strstr(r.out, "hogged"), "the hog touched 64m under a 32m limit");
	expect_cgroup_gone(p.pid);
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

/** CPU seconds nook @p nook's container has used so far, from its cgroup's accounting. */
static double
cpu_seconds(pid_t nook)
{
	char path[300], name[64];
	long long value;
	double seconds = -1;
	FILE *f;

	if (unified())
		snprintf(path, sizeof(path), "%s/cpu.stat", cgroup_dir(nook, NULL));
	else
		snprintf(path, sizeof(path), "%s/cpuacct.usage", cgroup_dir(nook, "cpuacct"));
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot read %s: %s", path, strerror(errno));
	if (!unified() && fscanf(f, "%lld", &value) == 1)
		seconds = value / 1e9; /* nanoseconds */
	while (unified() && fscanf(f, "%63s %lld", name, &value) == 2)
		if (strcmp(name, "usage_usec") == 0)
			seconds = value / 1e6;
	fclose(f);
	return seconds;
}

/** CPU seconds a 2-second busy loop uses in a container started with @p cpus (or none). */
static double
busy_loop_cpu_seconds(const char *cpus)
{
	const char *script = "timeout 2 sh -c 'while :; do :; done'; echo done; sleep 10";
	struct proc p;
	struct run r;
	double used;

	if (cpus)
		start_step(&p, &r, STEP, "--cpus", cpus, "--", "/bin/sh", "-c", script, NULL);
	else
		start_step(&p, &r, STEP, "--", "/bin/sh", "-c", script, NULL);
	if (!wait_for_output(&p, "done", RUN_TIMEOUT)) {
		finish(&p, 1);
		expect_run(&r, false, "the busy loop never ended");
	}
	used = cpu_seconds(p.pid);
	kill(p.pid, SIGTERM);
	finish(&p, RUN_TIMEOUT);
	expect_run(&r, r.status == 128 + SIGTERM, "SIGTERM should have ended the container");
	expect_cgroup_gone(p.pid);
	return used;
}

static void
cpu_quota_halves_a_busy_loop(void **state)
{
	double limited, unlimited;

	(void)state;
	limited = busy_loop_cpu_seconds("0.5");
	unlimited = busy_loop_cpu_seconds(NULL);
	print_message("  2 s busy loop: %.2f CPU s under --cpus 0.5, %.2f without\n", limited,
		      unlimited);
	if (limited < 0.7 || limited > 1.3)
		fail_msg("under --cpus 0.5 a 2 s busy loop used %.2f CPU seconds, expected about 1",
			 limited);
	if (unlimited < 1.5)
		fail_msg(
			"without --cpus a 2 s busy loop used only %.2f CPU seconds, expected about "
			"2",
			unlimited);
}

static void
container_sees_its_cgroup_as_root(void **state)
{
	char line[256], path[64];
	struct proc p;
	struct run r;
	FILE *f;
	pid_t init = -1;
	bool placed = false;

	(void)state;
	start_step(&p, &r, STEP, "--pids", "100", "--", "/bin/sh", "-c",
		   "cat /proc/self/cgroup; echo ready; sleep 10", NULL);
	wait_for_output(&p, "ready", RUN_TIMEOUT);
	/* From the host, the container's init is in nook/<nook's PID>. */
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", p.pid, p.pid);
	f = fopen(path, "r");
	if (f && fscanf(f, "%d", &init) != 1)
		init = -1;
	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "/proc/%d/cgroup", init);
	f = fopen(path, "r");
	snprintf(path, sizeof(path), "/nook/%d\n", (int)p.pid);
	while (f && fgets(line, sizeof(line), f))
		placed |= strstr(line, path) != NULL;
	if (f)
		fclose(f);
	kill(p.pid, SIGTERM);
	finish(&p, RUN_TIMEOUT);
	if (!placed)
		fail_msg("the host does not see the container's init (PID %d) in a cgroup ending "
			 "in /nook/%d",
			 init, (int)p.pid);
	for (char *l = r.out; *l && strncmp(l, "ready", 5) != 0; l = strchr(l, '\n') + 1) {
		char *nl = strchr(l, '\n');

		expect_run(&r, nl && nl > l && nl[-1] == '/' && nl[-2] == ':',
			   "every line of /proc/self/cgroup inside should end in ':/'");
	}
	expect_cgroup_gone(p.pid);
}

static void
cgroup_is_removed_when_the_command_cannot_start(void **state)
{
	struct run r;
	struct proc p;

	(void)state;
	start_step(&p, &r, STEP, "--pids", "10", "--", "nosuchcmd", NULL);
	finish(&p, RUN_TIMEOUT);
	expect_status(&r, 127);
	expect_cgroup_gone(p.pid);
}

/** A nook killed by SIGKILL cannot clean up; the next nook removes its empty group. */
static void
a_killed_nooks_cgroup_is_removed_by_the_next(void **state)
{
	struct proc p;
	struct run r, next;
	bool left = false;

	(void)state;
	start_step(&p, &r, STEP, "--memory", "64m", "--", "/bin/sh", "-c", "echo ready; sleep 30",
		   NULL);
	if (!wait_for_output(&p, "ready", RUN_TIMEOUT)) {
		finish(&p, 1);
		expect_run(&r, false, "the command never printed 'ready'");
	}
	kill(p.pid, SIGKILL);
	finish(&p, RUN_TIMEOUT);
	for (int i = 0; i < 40; i++) { /* the container dies with nook: wait till it has */
		char procs[300], cmd[340];

		snprintf(procs, sizeof(procs), "%s/cgroup.procs", cgroup_dir(p.pid, "memory"));
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
	for (int i = 0; i < 40 && file_exists(cgroup_dir(p.pid, "memory")); i++)
		usleep(50 * 1000); /* an emptied group can be busy for a moment */
	expect_cgroup_gone(p.pid);
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
		      (char *[]){(char *)step_path(STEP), (char *)option, (char *)arg, "--",
				 "touch", marker, NULL});
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
	expect_cgroup_gone(p.pid);
}

static void
invalid_limits_are_refused_before_anything_runs(void **state)
{
	const char *bad[][4] = {
		{"--memory", "0"},	   {"--memory", "64x"},
		{"--memory", "1k"},	   {"--memory", "-5m"},
		{"--memory-swap", "junk"}, {"--cpus", "0"},
		{"--cpus", "abc"},	   {"--cpus", "100000"},
		{"--cpu-weight", "0"},	   {"--cpu-weight", "10001"},
		{"--pids", "0"},	   {"--pids", "1"}, /* nook-init and the command need two */
		{"--pids", "-1"},	   {"--pids", "12abc"},
		{"--io-weight", "0"},	   {"--io-weight", "x"},
		{"--memory-swap", "64m"},  {"--memory", "64m", "--memory-swap", "32m"},
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(memory_hog_beyond_the_limit_is_oom_killed, setup),
		cmocka_unit_test_setup(memory_hog_within_the_limit_finishes, setup),
		cmocka_unit_test_setup(only_the_oom_killer_is_called_out_of_memory, setup),
		cmocka_unit_test_setup(fork_bomb_stops_at_the_pids_limit, setup),
		cmocka_unit_test_setup(cpu_quota_halves_a_busy_loop, setup),
		cmocka_unit_test_setup(container_sees_its_cgroup_as_root, setup),
		cmocka_unit_test_setup(cgroup_is_removed_when_the_command_cannot_start, setup),
		cmocka_unit_test_setup(a_killed_nooks_cgroup_is_removed_by_the_next, setup),
		cmocka_unit_test_setup(invalid_limits_are_refused_before_anything_runs, setup),
		cmocka_unit_test_setup_teardown(a_limit_the_kernel_refuses_is_one_line, setup,
						remove_fake_group),
	};

	return cmocka_run_group_tests_name(STEP, tests, NULL, NULL);
}

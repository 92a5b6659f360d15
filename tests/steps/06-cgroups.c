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
#include <errno.h>
#include <linux/magic.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
static void
container_has_a_group_in_every_hierarchy(void **state)
{
	char line[256], path[64], want[32], wrong[512] = "";
	struct proc p;
	struct run r;
	int lines = 0;
	FILE *f;

	(void)state;
	start_step(&p, &r, STEP, "--", "/bin/sh", "-c", "echo ready; sleep 10", NULL);
	wait_for_output(&p, "ready", RUN_TIMEOUT);
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)init_of(p.pid));
	snprintf(want, sizeof(want), "/nook/%d\n", (int)p.pid);
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
	kill(p.pid, SIGTERM);
	finish(&p, RUN_TIMEOUT);
	if (lines == 0)
		fail_msg("cannot read %s", path);
	if (wrong[0])
		fail_msg("the container's init is not in nook/%d in:%s", (int)p.pid, wrong);
	expect_cgroup_gone(p.pid);
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
		cmocka_unit_test_setup(container_has_a_group_in_every_hierarchy, setup),
		cmocka_unit_test_setup(devices_outside_the_allow_list_do_not_open, setup),
		cmocka_unit_test_setup(devices_in_a_user_namespace, setup),
		cmocka_unit_test_setup(invalid_limits_are_refused_before_anything_runs, setup),
	};

	return cmocka_run_group_tests_name(STEP, tests, NULL, NULL);
}

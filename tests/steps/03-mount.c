/**
 * @file 03-mount.c
 * @brief Step 03's tests: a mount namespace cut loose from the host's, a /proc that shows
 *        only the container's processes, and --tmpfs mounts the host never sees.
 *
 * Mount propagation only shows on a host whose mounts are shared, as systemd makes them;
 * a machine whose mounts are private would pass these tests even without MS_PRIVATE. So
 * the test program first moves into a mount namespace of its own whose mounts are all
 * shared (after making them private, so that nothing it does reaches the real machine),
 * and plays the host there: the step programs it starts inherit that namespace.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define STEP "03-mount"

/** The test's scratch directory on disk, /tmp/nook-mount-XXXXXX, made by setup(). */
static char scratch[64];
/**
 * The host's /proc, opened before any container ran: a container whose /proc propagated
 * here would hide it, and /proc/self/mountinfo would then not be ours to read.
 */
static int host_proc = -1;

/** Move this test program into a mount namespace of its own, every mount shared. */
static bool
become_shared_host(void)
{
	static int done;

	if (done)
		return done > 0;
	done = -1;
	/* private first: made shared straight away, our mounts would be the real host's peers */
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_SHARED, NULL) < 0) {
		print_message("  SKIP: no mount namespace of our own, all shared: %s\n",
			      strerror(errno));
		return false;
	}
	host_proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (host_proc < 0) {
		print_message("  SKIP: open(\"/proc\"): %s\n", strerror(errno));
		return false;
	}
	done = 1;
	return true;
}

static int
setup(void **state)
{
	(void)state;
	skip_unless_namespaces(CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNS);
	if (!become_shared_host())
		skip();
	make_scratch_dir(scratch, "mount", 0700);
	return 0;
}

/** This namespace's mount table, read through the host's own /proc. */
static FILE *
open_mountinfo(void)
{
	int fd = openat(host_proc, "self/mountinfo", O_RDONLY | O_CLOEXEC);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "r");

	if (!f)
		fail_msg("cannot read the host's /proc/self/mountinfo: %s", strerror(errno));
	return f;
}

/** The mount point (5th field) of a mountinfo @p line, into @p point; false if none. */
static bool
mount_point(const char *line, char point[4096])
{
	return sscanf(line, "%*s %*s %*s %*s %4095s", point) == 1;
}

/** Is there a mount point at @p path, or (@p under) anywhere below it, on the host? */
static bool
mounted(const char *path, bool under)
{
	char line[4096], point[4096];
	size_t len = strlen(path);
	bool found = false;
	FILE *f = open_mountinfo();

	while (!found && fgets(line, sizeof(line), f)) {
		if (mount_point(line, point))
			found = strcmp(point, path) == 0 ||
				(under && strncmp(point, path, len) == 0 && point[len] == '/');
	}
	fclose(f);
	return found;
}

/** Every mount point on the host, one a line, into @p buf. */
static void
mount_points(char *buf, size_t cap)
{
	char line[4096], point[4096];
	size_t n = 0;
	FILE *f = open_mountinfo();

	buf[0] = '\0';
	while (fgets(line, sizeof(line), f))
		if (mount_point(line, point) && n < cap)
			n += (size_t)snprintf(buf + n, cap - n, "%s\n", point);
	fclose(f);
}

/** Is /proc still the host's, showing this very process as /proc/self? */
static bool
host_proc_intact(void)
{
	char link[32];
	ssize_t n = readlink("/proc/self", link, sizeof(link) - 1);

	if (n < 0)
		return false;
	link[n] = '\0';
	return atoi(link) == getpid();
}

/** Undo whatever a broken container left in our namespace, and remove the scratch dir. */
static int
teardown(void **state)
{
	(void)state;
	for (int i = 0; i < 4 && !host_proc_intact(); i++)
		umount2("/proc", MNT_DETACH); /* a container's /proc that propagated here */
	for (int i = 0; i < 4 && scratch[0] && mounted(scratch, true); i++) {
		FILE *f = open_mountinfo();
		char line[4096], point[4096];

		while (fgets(line, sizeof(line), f))
			if (mount_point(line, point) &&
			    strncmp(point, scratch, strlen(scratch)) == 0)
				umount2(point, MNT_DETACH);
		fclose(f);
	}
	remove_scratch_dirs();
	scratch[0] = '\0';
	return 0;
}

/** @p name inside the scratch directory, in a buffer of the caller's. */
static char *
in_scratch(char *buf, size_t cap, const char *name)
{
	snprintf(buf, cap, "%s/%s", scratch, name);
	return buf;
}

static void
ps_lists_only_the_container(void **state)
{
	struct run r;

	(void)state;
	run_step(&r, STEP, "--", "ps", "-e", "-o", "pid:1=,comm=", NULL);
	expect_status(&r, 0);
	/* PID 1 is nook's init, PID 2 the ps itself: no host process, such as this test */
	expect_run(&r, strcmp(r.out, "1 nook-init\n2 ps\n") == 0,
		   "ps inside should list only \"1 nook-init\" and \"2 ps\" (this test is PID %d "
		   "on the host)",
		   getpid());
}

static void
host_proc_is_untouched(void **state)
{
	struct run r;

	(void)state;
	run_step(&r, STEP, "--", "cat", "/proc/self/stat", NULL);
	expect_status(&r, 0);
	expect_run(&r, strncmp(r.out, "2 (cat)", 7) == 0,
		   "inside, /proc/self should be cat, PID 2 of the container");
	if (!host_proc_intact())
		fail_msg(
			"after the container, the host's /proc/self is not this test (PID %d): the "
			"container's /proc propagated to the host — is / made private first?",
			getpid());
}

static void
tmpfs_mounted_inside_is_absent_on_host(void **state)
{
	char dir[128], go[128], under[128], script[1024];
	bool during, hidden, leaked;
	struct proc p;
	struct run r;

	(void)state;
	in_scratch(dir, sizeof(dir), "tmp");
	in_scratch(go, sizeof(go), "go");
	mkdir(dir, 0755);
	close(open(in_scratch(under, sizeof(under), "tmp/underneath"), O_CREAT | O_WRONLY, 0644));
	/* inside: the tmpfs is a mount point, empty (hiding the host's file), and writable */
	snprintf(script, sizeof(script),
		 "grep -q ' %s ' /proc/self/mountinfo && echo mounted; ls -A %s; touch %s/inside; "
		 "echo ready; while [ ! -e %s ]; do sleep 0.05; done",
		 dir, dir, dir, go);
	start_step(&p, &r, STEP, "--tmpfs", dir, "--", "/bin/sh", "-c", script, NULL);
	wait_for_output(&p, "ready", RUN_TIMEOUT);
	during = mounted(dir, false);
	close(open(go, O_CREAT | O_WRONLY, 0644));
	finish(&p, RUN_TIMEOUT);
	expect_status(&r, 0);
	expect_stdout(&r, "mounted\nready\n");
	hidden = file_exists(in_scratch(under, sizeof(under), "tmp/inside"));
	leaked = mounted(dir, false);
	if (during)
		fail_msg("the tmpfs the container mounted on %s is in the host's mountinfo", dir);
	if (hidden)
		fail_msg("a file written inside the tmpfs is on the host's disk, in %s", dir);
	if (leaked)
		fail_msg("%s is still mounted on the host after the container ended", dir);
}

static void
host_mount_after_start_is_invisible_inside(void **state)
{
	char late[128], go[128], script[1024], line[160];
	struct proc p;
	struct run r;
	int rc;

	(void)state;
	in_scratch(late, sizeof(late), "late");
	in_scratch(go, sizeof(go), "go");
	mkdir(late, 0755);
	snprintf(script, sizeof(script),
		 "echo ready; while [ ! -e %s ]; do sleep 0.05; done; cat /proc/self/mountinfo",
		 go);
	start_step(&p, &r, STEP, "--", "/bin/sh", "-c", script, NULL);
	wait_for_output(&p, "ready", RUN_TIMEOUT);
	rc = mount("tmpfs", late, "tmpfs", 0, NULL); /* on the host, while the container runs */
	close(open(go, O_CREAT | O_WRONLY, 0644));
	finish(&p, RUN_TIMEOUT);
	if (rc < 0)
		fail_msg("mount(\"tmpfs\", \"%s\") on the host: %s", late, strerror(errno));
	umount2(late, MNT_DETACH);
	expect_status(&r, 0);
	expect_run(&r, strstr(r.out, " /proc ") != NULL, "expected the container's mountinfo");
	snprintf(line, sizeof(line), " %s ", late);
	expect_run(&r, strstr(r.out, line) == NULL,
		   "%s, mounted on the host after the container started, appears inside", late);
}

static void
nothing_stays_mounted_on_host(void **state)
{
	static char before[65536], after[65536];
	char a[128], b[128];
	struct run r;

	(void)state;
	mkdir(in_scratch(a, sizeof(a), "a"), 0755);
	mkdir(in_scratch(b, sizeof(b), "b"), 0755);
	mount_points(before, sizeof(before));
	run_step(&r, STEP, "--tmpfs", a, "--tmpfs", b, "--", "/bin/sh", "-c",
		 "grep -c ' /tmp/nook-mount-' /proc/self/mountinfo", NULL);
	mount_points(after, sizeof(after));
	expect_status(&r, 0);
	expect_stdout(&r, "2\n");
	if (strcmp(before, after) != 0)
		fail_msg("the host's mount points changed across the run:\nbefore:\n%safter:\n%s",
			 before, after);
}

/** Run 03-mount with --tmpfs @p bad and a command that creates a marker: refused, not run. */
static void
refused(const char *bad, const char *why)
{
	char marker[128];
	struct run r;

	in_scratch(marker, sizeof(marker), "ran");
	run_step(&r, STEP, "--tmpfs", bad, "--", "touch", marker, NULL);
	expect_run(&r, r.status == 125 && count_lines(r.err) == 1 && strstr(r.err, why),
		   "--tmpfs \"%s\": expected one line with \"%s\", exit 125", bad, why);
	if (file_exists(marker))
		fail_msg("--tmpfs \"%s\" was refused but the command ran anyway", bad);
}

static void
bad_tmpfs_paths_are_refused(void **state)
{
	(void)state;
	refused("tmp/relative", "invalid --tmpfs");
	refused("", "invalid --tmpfs");
	refused("/", "invalid --tmpfs");
	refused("/tmp/../etc", "invalid --tmpfs");
	refused("/tmp/a\nb", "invalid --tmpfs");
}

static void
missing_tmpfs_directory_is_one_line(void **state)
{
	char missing[128], want[256];

	(void)state;
	in_scratch(missing, sizeof(missing), "missing");
	snprintf(want, sizeof(want), "mount(\"tmpfs\", \"%s\"): No such file or directory",
		 missing);
	refused(missing, want);
	if (file_exists(missing))
		fail_msg("%s was created on the host's disk", missing);
}

/** The container's /proc lets nothing in it run or act as a device, or raise privileges. */
static void
proc_is_nosuid_nodev_noexec(void **state)
{
	struct run r;

	(void)state;
	run_step(&r, STEP, "--", "awk", "$5 == \"/proc\" { print $6 }", "/proc/self/mountinfo",
		 NULL);
	expect_status(&r, 0);
	expect_run(&r, strstr(r.out, "nosuid") && strstr(r.out, "nodev") && strstr(r.out, "noexec"),
		   "the container's /proc should be mounted nosuid, nodev and noexec");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(proc_is_nosuid_nodev_noexec, setup, teardown),
		cmocka_unit_test_setup_teardown(ps_lists_only_the_container, setup, teardown),
		cmocka_unit_test_setup_teardown(host_proc_is_untouched, setup, teardown),
		cmocka_unit_test_setup_teardown(tmpfs_mounted_inside_is_absent_on_host, setup,
						teardown),
		cmocka_unit_test_setup_teardown(host_mount_after_start_is_invisible_inside, setup,
						teardown),
		cmocka_unit_test_setup_teardown(nothing_stays_mounted_on_host, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_tmpfs_paths_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(missing_tmpfs_directory_is_one_line, setup,
						teardown),
	};

	return cmocka_run_group_tests_name(STEP, tests, NULL, NULL);
}

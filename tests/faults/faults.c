/**
 * @file faults.c
 * @brief Fault tests (issue 12): whatever breaks under nook — a full or read-only state
 *        directory, a full writable layer, few descriptors, no pids left, no cgroup
 *        filesystem, clone3(2) refused, a seccomp profile that denies what nook-init or
 *        the error report needs — nook says so in one line (exit 125), or passes the
 *        command's own status on, and leaves nothing: no state directory, no cgroup, no
 *        mount, no process.
 *
 * Faults of the filesystem are made in a private mount namespace (`unshare -m`), with a
 * small tmpfs over /run/nook or /sys/fs/cgroup there: the host's own stay untouched. Each
 * case is a small shell script run through the harness, with its deadline: $N is the full
 * container's program, $I the image, $ID a container ID unique to the case.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "harness.h"

#define STEP "09-seccomp"

static char scratch[64];

static int
setup(void **state)
{
	(void)state;
	skip_unless_root();
	skip_unless_namespaces(CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNS |
			       CLONE_NEWNET);
	make_scratch_dir(scratch, "faults", 0700);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	remove_scratch_dirs();
	return 0;
}

/** Run shell @p script with $N, $I, $ID (@p id) and $T (the scratch directory) set. */
static void
run_script(struct run *r, const char *id, const char *script)
{
	char *cmd;
	const char *image = getenv("NOOK_IMAGE");

	if (asprintf(&cmd, "N='%s'; I='%s'; ID='%s'; T='%s'; F='%s'; export N I ID T F; %s",
		     step_path(STEP), image && *image ? image : "build/images/busybox", id, scratch,
		     getenv("NOOK_FAILCLONE") ? getenv("NOOK_FAILCLONE") : "build/tests/failclone",
		     script) < 0)
		fail_msg("asprintf");
	run_argv(r, 60, (char *const[]){"/bin/sh", "-c", cmd, NULL});
	free(cmd);
}

/** How many processes' command lines mention @p id (ours, the test's, excepted). */
static int
processes_naming(const char *id)
{
	char path[300], buf[4096];
	struct dirent *e;
	DIR *d = opendir("/proc");
	int n = 0;

	while (d && (e = readdir(d))) {
		FILE *f;
		size_t len;

		if (atoi(e->d_name) <= 0 || atoi(e->d_name) == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
		if (!(f = fopen(path, "r")))
			continue;
		len = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		for (size_t i = 0; i < len; i++)
			buf[i] = buf[i] ? buf[i] : ' ';
		buf[len] = '\0';
		n += strstr(buf, id) != NULL;
	}
	if (d)
		closedir(d);
	return n;
}

/** Nothing of container @p id may be left on the host: state, cgroups, mounts, processes. */
static void
expect_nothing_left(const char *id)
{
	char path[512], line[4096];
	struct dirent *e;
	DIR *d = opendir("/sys/fs/cgroup");
	FILE *f;

	snprintf(path, sizeof(path), "/run/nook/%s", id);
	if (file_exists(path))
		fail_msg("%s is left", path);
	snprintf(path, sizeof(path), "/sys/fs/cgroup/nook/%s", id);
	if (file_exists(path))
		fail_msg("%s is left", path);
	while (d && (e = readdir(d))) {
		snprintf(path, sizeof(path), "/sys/fs/cgroup/%s/nook/%s", e->d_name, id);
		if (e->d_name[0] != '.' && file_exists(path))
			fail_msg("%s is left", path);
	}
	if (d)
		closedir(d);
	f = fopen("/proc/self/mountinfo", "r");
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, id))
			fail_msg("a mount is left: %s", line);
	if (f)
		fclose(f);
	if (processes_naming(id))
		fail_msg("%d process(es) naming %s are left", processes_naming(id), id);
}

/** nook's own failure: exit 125 and one line on stderr, shown. */
#define expect_one_line_error(r)                                                                   \
	do {                                                                                       \
		expect_run(r, (r)->status == 125 && count_lines((r)->err) == 1,                    \
			   "expected exit status 125 and one line on stderr");                     \
		print_message("  said: %s", (r)->err);                                             \
	} while (0)

/**
 * /run/nook on a tmpfs with no inode left, then one more freed at a time: whichever
 * creation fails (the making lock, the directory, its lock, upper/, work/, ...) gives
 * one line, or the run succeeds; never a directory left.
 */
static void
full_state_directory(void **state)
{
	char id[64];
	struct run r;

	(void)state;
	unique_name(id, "fault-full");
	run_script(&r, id,
		   "unshare -m sh -c '"
		   "mount -t tmpfs -o size=256k,nr_inodes=24 tmpfs /run/nook || exit 99; "
		   "i=0; while touch /run/nook/.f$i 2>/dev/null; do i=$((i+1)); done; "
		   "for k in 0 1 2 3 4 5 6 7 8 9 10; do "
		   "  [ $k = 0 ] || rm /run/nook/.f$((i-k)); "
		   "  e=$(\"$N\" --rootfs \"$I\" --memory 64m --name \"$ID-$k\" -- true 2>&1); "
		   "  rc=$?; n=$(printf \"%s\" \"$e\" | grep -c .); echo \"$k $rc $n\"; "
		   "  [ $rc = 0 ] || [ $rc = 125 -a $n = 1 ] || echo \"BAD: $e\"; "
		   "  [ -e \"/run/nook/$ID-$k\" ] && echo LEFT $k; "
		   "  ls -d /sys/fs/cgroup/*/nook/\"$ID-$k\" 2>/dev/null && echo LEFT; "
		   "done; true'");
	expect_run(&r,
		   r.status == 0 && !strstr(r.out, "BAD") && !strstr(r.out, "LEFT") &&
			   strstr(r.out, "0 125 1\n") && strstr(r.out, "\n10 0 0\n"),
		   "a full /run/nook: expected one line or success, nothing left (k rc lines)");
	expect_nothing_left(id);
}

static void
read_only_state_directory(void **state)
{
	char id[64];
	struct run r;

	(void)state;
	unique_name(id, "fault-ro");
	run_script(&r, id,
		   "unshare -m sh -c 'mount -t tmpfs -o ro tmpfs /run/nook || exit 99; "
		   "exec \"$N\" --rootfs \"$I\" --memory 64m --name \"$ID\" -- true'");
	expect_one_line_error(&r);
	expect_run(&r, strstr(r.err, "Read-only") != NULL, "expected the error to say read-only");
	expect_nothing_left(id);
}

/** The writable layer fills up: the command sees ENOSPC; nook passes its status on. */
static void
full_writable_layer(void **state)
{
	char id[64];
	struct run r;

	(void)state;
	unique_name(id, "fault-enospc");
	run_script(&r, id,
		   "unshare -m sh -c 'mount -t tmpfs -o size=1m tmpfs /run/nook || exit 99; "
		   "\"$N\" --rootfs \"$I\" --memory 64m --name \"$ID\" -- "
		   "sh -c \"dd if=/dev/zero of=/big bs=64k 2>&1; echo dd=\\$?; exit 3\"; "
		   "rc=$?; ls /run/nook; exit $rc'");
	expect_run(&r,
		   r.status == 3 && strstr(r.out, "No space left") && strstr(r.out, "dd=1") &&
			   !strstr(r.out, id),
		   "expected ENOSPC seen by dd, the command's status 3, no state left");
	expect_nothing_left(id);
}

/** `ulimit -n` 7, 10, 16: one line or success, the state removed either way. */
static void
tight_descriptor_limits(void **state)
{
	const char *limits[] = {"7", "10", "16"};
	char id[64], script[512];
	struct run r;

	(void)state;
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		unique_name(id, "fault-fds");
		snprintf(script, sizeof(script),
			 "ulimit -n %s && exec \"$N\" --rootfs \"$I\" --memory 64m --pids 50 "
			 "--name \"$ID\" -- true",
			 limits[i]);
		run_script(&r, id, script);
		expect_run(&r, r.status == 0 || (r.status == 125 && count_lines(r.err) == 1),
			   "ulimit -n %s: expected success or one line", limits[i]);
		expect_nothing_left(id);
		/* finding 3: a failed --keep run leaves nothing either, even so short of fds */
		unique_name(id, "fault-keep");
		snprintf(script, sizeof(script),
			 "ulimit -n %s && exec \"$N\" --rootfs \"$I\" --keep --name \"$ID\" -- "
			 "/no/such/command",
			 limits[i]);
		run_script(&r, id, script);
		expect_run(&r, (r.status == 127 || r.status == 125) && count_lines(r.err) == 1,
			   "--keep, ulimit -n %s, a missing command: expected one line", limits[i]);
		expect_nothing_left(id);
	}
}

/** --pids 2 and a fork bomb: the forks fail inside, the command's status comes out. */
static void
pids_exhausted(void **state)
{
	char id[64];
	struct run r;

	(void)state;
	unique_name(id, "fault-pids");
	run_script(&r, id,
		   "exec \"$N\" --rootfs \"$I\" --pids 2 --name \"$ID\" -- sh -c "
		   "'i=0; while [ $i -lt 50 ]; do (:) & i=$((i+1)); done 2>/dev/null; wait; "
		   "exit 7'");
	expect_run(&r, !r.timed_out && r.status != 125 && r.status != 0,
		   "a fork bomb under --pids 2: expected the command's own failure");
	expect_nothing_left(id);
}

/** How many tasks (threads) real uid @p uid has now: what RLIMIT_NPROC counts. */
static long
tasks_of(uid_t uid)
{
	char path[300], line[256];
	struct dirent *e;
	DIR *d = opendir("/proc");
	long n = 0, threads, ruid;

	while (d && (e = readdir(d))) {
		FILE *f;

		if (atoi(e->d_name) <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", e->d_name);
		if (!(f = fopen(path, "r")))
			continue;
		threads = ruid = -1;
		while (fgets(line, sizeof(line), f)) {
			sscanf(line, "Uid: %ld", &ruid);
			sscanf(line, "Threads: %ld", &threads);
		}
		fclose(f);
		if (ruid == (long)uid && threads > 0)
			n += threads;
	}
	if (d)
		closedir(d);
	return n;
}

/** In the child, still root: as many processes as nobody has, and this one, no more. */
static void
limit_nproc(void *arg)
{
	long n = tasks_of(NOBODY) + 1;
	struct rlimit rl = {(rlim_t)n, (rlim_t)n};

	(void)arg;
	if (setrlimit(RLIMIT_NPROC, &rl) < 0) {
		perror("setrlimit(RLIMIT_NPROC)");
		_exit(99);
	}
}

/** An unprivileged run at its RLIMIT_NPROC: clone3 fails with EAGAIN, in one line. */
static void
nproc_exhausted_unprivileged(void **state)
{
	char id[64], path[128];
	struct proc p;
	struct run r;

	(void)state;
	skip_unless_user_namespaces_as(NOBODY, NOBODY);
	unique_name(id, "fault-nproc");
	start_argv_as(&p, &r, NOBODY, NOBODY, limit_nproc, NULL,
		      (char *const[]){(char *)runnable_as(NOBODY, NOBODY, step_path(STEP)),
				      "--userns", "--name", id, "--", "true", NULL});
	finish(&p, RUN_TIMEOUT);
	expect_one_line_error(&r);
	expect_run(&r, strstr(r.err, "clone3") != NULL, "expected clone3 to be named");
	snprintf(path, sizeof(path), "/tmp/nook-%d/nook/%s", NOBODY, id);
	if (file_exists(path))
		fail_msg("%s is left", path);
	expect_nothing_left(id);
}

/** No cgroup filesystem where one is needed: one line naming what is missing. */
static void
no_cgroup_filesystem(void **state)
{
	char id[64];
	struct run r;

	(void)state;
	unique_name(id, "fault-nocg");
	run_script(&r, id,
		   "unshare -m sh -c 'mount -t tmpfs tmpfs /sys/fs/cgroup || exit 99; "
		   "exec \"$N\" --rootfs \"$I\" --memory 64m --name \"$ID\" -- true'");
	expect_one_line_error(&r);
	expect_run(&r, strstr(r.err, "cgroup") != NULL, "expected the error to name the cgroup");
	expect_nothing_left(id);
}

/** clone3(2) refused (EPERM, as a container manager's filter may): one line. */
static void
clone3_failing(void **state)
{
	char id[64];
	struct run r;

	(void)state;
	unique_name(id, "fault-clone");
	run_script(&r, id,
		   "exec \"$F\" \"$N\" --rootfs \"$I\" --memory 64m --name \"$ID\" -- true");
	expect_one_line_error(&r);
	expect_run(&r, strstr(r.err, "clone3") != NULL, "expected the error to name clone3");
	expect_nothing_left(id);
}

/** Write @p text to @p name in the scratch directory; its path (static). */
static const char *
profile(const char *name, const char *text)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", scratch, name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		fail_msg("cannot write %s", path);
	return path;
}

/**
 * Issue 12, findings 1 and 5: profiles that deny what nook-init waits with, or what the
 * child reports with, or kill it before its command: one line each, no hang.
 */
static void
hostile_profiles_give_one_line(void **state)
{
	static const struct {
		const char *name, *json, *cmd;
		int status;
	} cases[] = {
		{"sigtimedwait",
		 "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
		 "[\"rt_sigtimedwait\"],\"action\":\"SCMP_ACT_ERRNO\"}]}",
		 "true", 125},
		{"errno", "{\"defaultAction\":\"SCMP_ACT_ERRNO\"}", "true", 125},
		{"nowrite",
		 "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"write\"],"
		 "\"action\":\"SCMP_ACT_ERRNO\"}]}",
		 "/no/such/command", 127},
		{"errnoret0", "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":0}",
		 "true", 125},
		{"killprocess", "{\"defaultAction\":\"SCMP_ACT_KILL_PROCESS\"}", "true", 125},
		{"kill", "{\"defaultAction\":\"SCMP_ACT_KILL\"}", "true", 125},
		{"trap", "{\"defaultAction\":\"SCMP_ACT_TRAP\"}", "true", 125},
	};
	struct run r;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run_step(&r, STEP, "--seccomp", profile(cases[i].name, cases[i].json), "--",
			 cases[i].cmd, NULL);
		expect_run(&r,
			   !r.timed_out && count_lines(r.err) == 1 && r.status >= 125 &&
				   r.status <= 127,
			   "profile %s: expected one line on stderr and exit 125-127",
			   cases[i].name);
		if (r.status != cases[i].status)
			print_message("  note: profile %s: exit %d (%s)", cases[i].name, r.status,
				      r.err);
	}
}

/** Issue 12, finding 8: started with SIGINT ignored (`&` in a script), nook still takes it. */
static void
sigint_ignored_by_the_caller(void **state)
{
	char id[64];
	struct run r;

	(void)state;
	unique_name(id, "fault-int");
	run_script(&r, id,
		   "trap '' INT; \"$N\" --name \"$ID\" -- sh -c 'echo up; exec sleep 30' "
		   ">\"$T/int.out\" 2>&1 & p=$!; i=0; "
		   "while ! grep -q up \"$T/int.out\" 2>/dev/null && [ $i -lt 300 ]; do "
		   "sleep 0.1; i=$((i+1)); done; kill -INT $p; wait $p; echo rc=$?");
	expect_run(&r, strstr(r.out, "rc=130\n") != NULL,
		   "expected SIGINT to stop the container (130) though the caller ignores it");
	expect_nothing_left(id);
}

/**
 * What killed runtimes leave, found by the soak: a directory without a lock (killed
 * between mkdir and the lock's rename), one with only lock.new, a dead one's with cgroups
 * — swept by a step without cgroups of its own — and a --keep run's, which must stay.
 */
static void
the_sweep_removes_what_killed_runtimes_left(void **state)
{
	char id[64];
	struct run r;

	(void)state;
	unique_name(id, "fault-sweep");
	run_script(
		&r, id,
		"B=/run/nook/$ID; mkdir -p $B-empty $B-new $B-dead $B-kept/keep $B-kept/upper && "
		": >$B-new/lock.new && : >$B-dead/lock && "
		"for h in /sys/fs/cgroup/pids /sys/fs/cgroup/memory; do "
		"[ -d $h ] && mkdir -p $h/nook/$ID-dead; done; "
		"\"${N%/*}/01-uts\" -- true || exit 9; "
		"ls -d $B-* /sys/fs/cgroup/*/nook/$ID-* 2>/dev/null; rm -rf $B-kept");
	expect_run(&r,
		   r.status == 0 && !strstr(r.out, "-empty") && !strstr(r.out, "-new") &&
			   !strstr(r.out, "-dead") && strstr(r.out, "-kept"),
		   "expected only the kept directory to stay");
	expect_nothing_left(id);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_state_directory),
		cmocka_unit_test(read_only_state_directory),
		cmocka_unit_test(full_writable_layer),
		cmocka_unit_test(tight_descriptor_limits),
		cmocka_unit_test(pids_exhausted),
		cmocka_unit_test(nproc_exhausted_unprivileged),
		cmocka_unit_test(no_cgroup_filesystem),
		cmocka_unit_test(clone3_failing),
		cmocka_unit_test(hostile_profiles_give_one_line),
		cmocka_unit_test(sigint_ignored_by_the_caller),
		cmocka_unit_test(the_sweep_removes_what_killed_runtimes_left),
	};

	return cmocka_run_group_tests_name("faults", tests, setup, teardown);
}

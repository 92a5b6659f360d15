/**
 * @file 08-caps.c
 * @brief Step 08's tests: the container's root holds Docker's default capabilities and no
 *        more, --cap-add and --cap-drop change that, no execve can grant anything
 *        (NO_NEW_PRIVS), and --user runs the command as an ordinary user without any.
 *
 * The expected masks are computed here from the list of capabilities, not copied from
 * the program: a test that shared the program's table would agree with any mistake in it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "harness.h"

#define STEP "08-caps"

/** An ordinary user for --user; it needs no entry in /etc/passwd. */
#define USER 1000

/** Docker's default capabilities. */
static const int docker_default[] = {
	CAP_CHOWN,   CAP_DAC_OVERRIDE, CAP_FSETID,	     CAP_FOWNER,
	CAP_MKNOD,   CAP_NET_RAW,      CAP_SETGID,	     CAP_SETUID,
	CAP_SETFCAP, CAP_SETPCAP,      CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT,
	CAP_KILL,    CAP_AUDIT_WRITE,
};

static uint64_t
default_mask(void)
{
	uint64_t mask = 0;

	for (size_t i = 0; i < sizeof(docker_default) / sizeof(docker_default[0]); i++)
		mask |= UINT64_C(1) << docker_default[i];
	return mask;
}

static int
setup(void **state)
{
	(void)state;
	skip_unless_namespaces(CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNS);
	return 0;
}

/** Teardown: remove the scratch directories the test made. */
static int
cleanup(void **state)
{
	(void)state;
	remove_scratch_dirs();
	return 0;
}

/** What `grep` of the capability lines of /proc/self/status prints for these sets. */
static const char *
status_lines(uint64_t inh, uint64_t prm, uint64_t eff, uint64_t bnd)
{
	static char buf[256];

	snprintf(buf, sizeof(buf),
		 "CapInh:\t%016llx\nCapPrm:\t%016llx\nCapEff:\t%016llx\nCapBnd:\t%016llx\n"
		 "CapAmb:\t0000000000000000\nNoNewPrivs:\t1\n",
		 (unsigned long long)inh, (unsigned long long)prm, (unsigned long long)eff,
		 (unsigned long long)bnd);
	return buf;
}

#define CAP_LINES "^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs):"

static void
default_sets_are_dockers(void **state)
{
	uint64_t mask = default_mask();
	struct run r;

	(void)state;
	run_step(&r, STEP, "--", "grep", "-E", CAP_LINES, "/proc/self/status", NULL);
	expect_status(&r, 0);
	expect_stdout(&r, status_lines(mask, mask, mask, mask));
}

static void
cap_add_and_drop_take_any_spelling(void **state)
{
	uint64_t mask =
		(default_mask() | UINT64_C(1) << CAP_SYS_ADMIN) & ~(UINT64_C(1) << CAP_CHOWN);
	struct run r;

	(void)state;
	run_step(&r, STEP, "--cap-add", "sys_admin", "--cap-drop", "CAP_Chown", "--", "grep", "-E",
		 CAP_LINES, "/proc/self/status", NULL);
	expect_status(&r, 0);
	expect_stdout(&r, status_lines(mask, mask, mask, mask));
}

/** In a user namespace the sets are the namespace's, and narrowed all the same. */
static void
user_namespace_root_is_narrowed_too(void **state)
{
	uint64_t mask = default_mask();
	struct run r;

	(void)state;
	skip_unless_namespaces(CLONE_NEWUSER);
	run_step(&r, STEP, "--userns", "--", "grep", "-E", CAP_LINES, "/proc/self/status", NULL);
	expect_status(&r, 0);
	expect_stdout(&r, status_lines(mask, mask, mask, mask));
}

/** The test's own bounding set, from /proc/self/status: what nook runs with. */
static uint64_t
own_bounding_set(void)
{
	unsigned long long bnd = 0;
	char line[128];
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "CapBnd: %llx", &bnd) == 1)
			break;
	if (f)
		fclose(f);
	return bnd;
}

/**
 * --cap-add ALL is all that nook can give: its own bounding set, which the host may have
 * narrowed. A capability named and missing there is refused in one line naming it.
 */
static void
cap_add_all_is_the_bounding_set(void **state)
{
	static const struct {
		int cap;
		const char *name;
	} candidates[] = {
		{CAP_SYS_RESOURCE, "sys_resource"},
		{CAP_SYS_MODULE, "sys_module"},
		{CAP_SYS_RAWIO, "sys_rawio"},
		{CAP_SYS_TIME, "sys_time"},
		{CAP_SYS_ADMIN, "sys_admin"},
		{CAP_NET_ADMIN, "net_admin"},
		{CAP_SYSLOG, "syslog"},
		{CAP_MAC_ADMIN, "mac_admin"},
	};
	uint64_t bound = own_bounding_set();
	struct run r;
	char want[64];

	(void)state;
	run_step(&r, STEP, "--cap-add", "ALL", "--", "grep", "CapEff", "/proc/self/status", NULL);
	snprintf(want, sizeof(want), "CapEff:\t%016llx\n", (unsigned long long)bound);
	expect_status(&r, 0);
	expect_stdout(&r, want);
	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		if (bound & UINT64_C(1) << candidates[i].cap)
			continue;
		run_step(&r, STEP, "--cap-add", candidates[i].name, "--", "true", NULL);
		snprintf(want, sizeof(want), "--cap-add cap_%s: ", candidates[i].name);
		expect_run(&r, r.status == 125 && count_lines(r.err) == 1 && strstr(r.err, want),
			   "expected one line starting \"%s\", exit 125", want);
		return;
	}
	print_message("  note: the bounding set lacks none of the capabilities tried: the "
		      "refusal is not tested here\n");
}

static bool
is_tmpfs(const char *path)
{
	struct statfs fs;

	return statfs(path, &fs) == 0 && fs.f_type == TMPFS_MAGIC;
}

static void
mount_needs_cap_sys_admin(void **state)
{
	char dir[64];
	struct run r;

	(void)state;
	make_scratch_dir(dir, "caps-test", 0755);
	run_step(&r, STEP, "--", "mount", "-t", "tmpfs", "nook", dir, NULL);
	expect_ran(&r);
	expect_run(&r, r.status != 0 && strstr(r.err, "ermission denied"),
		   "expected mount to fail with 'permission denied' (EPERM) without "
		   "CAP_SYS_ADMIN");
	run_step(&r, STEP, "--cap-add", "SYS_ADMIN", "--", "sh", "-c",
		 "mount -t tmpfs nook \"$0\" && stat -f -c %T \"$0\"", dir, NULL);
	expect_status(&r, 0);
	expect_stdout(&r, "tmpfs\n");
	if (is_tmpfs(dir))
		fail_msg("the tmpfs mounted inside on %s is visible on the host", dir);
}

/** "UID" owning @p path, or -1. */
static long
owner(const char *path)
{
	struct stat st;

	return stat(path, &st) < 0 ? -1 : (long)st.st_uid;
}

static void
cap_drop_all_makes_chown_fail(void **state)
{
	char dir[64], file[96];
	struct run r;

	(void)state;
	make_scratch_dir(dir, "caps-test", 0755);
	snprintf(file, sizeof(file), "%s/file", dir);
	if (creat(file, 0644) < 0)
		fail_msg("creat %s: %s", file, strerror(errno));
	run_step(&r, STEP, "--cap-drop", "ALL", "--", "chown", "1", file, NULL);
	expect_ran(&r);
	expect_run(&r, r.status != 0 && strstr(r.err, "Operation not permitted"),
		   "expected chown to fail with EPERM under --cap-drop ALL");
	if (owner(file) != 0)
		fail_msg("%s is owned by %ld after the refused chown, not by 0", file, owner(file));
	run_step(&r, STEP, "--", "chown", "1", file, NULL);
	expect_status(&r, 0);
	if (owner(file) != 1)
		fail_msg("with CAP_CHOWN (the default) chown 1 left %s owned by %ld", file,
			 owner(file));
}

static void
user_runs_the_command_without_capabilities(void **state)
{
	struct run r;

	(void)state;
	run_step(&r, STEP, "--user", "1000", "--", "id", "-u", NULL);
	expect_status(&r, 0);
	expect_stdout(&r, "1000\n");
	run_step(&r, STEP, "--user", "1000", "--", "grep", "-E", CAP_LINES, "/proc/self/status",
		 NULL);
	expect_status(&r, 0);
	expect_stdout(&r, status_lines(0, 0, 0, default_mask()));
	/* a group of its own, and none of nook's supplementary groups */
	run_step(&r, STEP, "--user", "1000:1001", "--cap-drop", "all", "--", "id", "-G", NULL);
	expect_status(&r, 0);
	expect_stdout(&r, "1001\n");
}

static void
setuid_root_program_gains_nothing(void **state)
{
	char dir[64], cmd[512], want[64], prog[96];
	char *argv[] = {prog, "creds", NULL};
	struct proc p;
	struct run r;

	(void)state;
	make_scratch_dir(dir, "caps-test", 0755);
	snprintf(prog, sizeof(prog), "%s/probe", dir);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && chown 0:0 '%s' && chmod 4755 '%s'",
		 probe_path(), prog, prog, prog);
	run_shell(&r, cmd);
	expect_status(&r, 0);
	/* Without nook, the set-user-ID bit works: else the test would prove nothing. */
	start_argv_as(&p, &r, USER, USER, NULL, NULL, argv);
	finish(&p, RUN_TIMEOUT);
	if (r.status != 0 || !strstr(r.out, "euid=0 ")) {
		print_message("  SKIP: a set-user-ID root program does not become root here (%s)\n",
			      r.out[0] ? r.out : r.err);
		skip();
	}
	run_step(&r, STEP, "--user", "1000", "--", prog, "creds", NULL);
	expect_status(&r, 0);
	snprintf(want, sizeof(want), "uid=%d euid=%d CapEff=0000000000000000\n", USER, USER);
	expect_stdout(&r, want);
}

/** Step 02's init runs as the user too; it can still pass a SIGTERM on (same uid). */
static void
init_forwards_signals_as_user(void **state)
{
	struct proc p;
	struct run r;

	(void)state;
	start_step(&p, &r, STEP, "--user", "1000", "--", "sh", "-c", "echo ready; sleep 30", NULL);
	if (!wait_for_output(&p, "ready", RUN_TIMEOUT)) {
		finish(&p, 1);
		expect_ran(&r);
		expect_run(&r, false, "the command never said ready");
	}
	kill(p.pid, SIGTERM);
	finish(&p, RUN_TIMEOUT);
	expect_status(&r, 128 + SIGTERM);
}

static void
unknown_capability_is_refused(void **state)
{
	static const char *const bad[][2] = {
		{"--cap-add", "NOPE"},	    {"--cap-drop", "cap_"}, {"--cap-add", "12"},
		{"--cap-drop", "CAP_NOPE"}, {"--user", "nobody"},   {"--user", "1000:"},
		{"--user", "4294967295"},
	};
	char path[] = "/tmp/nook-caps-unused-XXXXXX";
	struct run r;

	(void)state;
	unused_path(path);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		run_step(&r, STEP, bad[i][0], bad[i][1], "--", "touch", path, NULL);
		expect_run(&r, r.status == 125 && count_lines(r.err) == 1,
			   "expected %s %s to be refused with one line, exit 125", bad[i][0],
			   bad[i][1]);
		expect_run(&r, strstr(r.err, bad[i][0] + 2) != NULL,
			   "expected the complaint to name %s", bad[i][0]);
		if (file_exists(path)) {
			unlink(path);
			fail_msg("the command ran although %s %s was refused", bad[i][0],
				 bad[i][1]);
		}
	}
}

/** In a user namespace, --user must be an id the maps have: refused before the clone. */
static void
unmapped_user_is_refused(void **state)
{
	char path[] = "/tmp/nook-caps-unused-XXXXXX";
	struct run r;

	(void)state;
	skip_unless_namespaces(CLONE_NEWUSER);
	unused_path(path);
	run_step(&r, STEP, "--uid-map", "0:100000:1000", "--user", "1000", "--", "touch", path,
		 NULL);
	expect_run(&r, r.status == 125 && count_lines(r.err) == 1 && strstr(r.err, "uid 1000"),
		   "expected uid 1000, outside the uid map, refused in one line with exit 125");
	if (file_exists(path)) {
		unlink(path);
		fail_msg("the command ran although its --user is not mapped");
	}
	run_step(&r, STEP, "--uid-map", "0:100000:1001", "--gid-map", "0:100000:1001", "--user",
		 "1000", "--", "id", "-u", NULL);
	expect_status(&r, 0);
	expect_stdout(&r, "1000\n");
}

static void
exit_statuses(void **state)
{
	(void)state;
	expect_exit_statuses(STEP);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(default_sets_are_dockers, setup),
		cmocka_unit_test_setup(cap_add_and_drop_take_any_spelling, setup),
		cmocka_unit_test_setup(user_namespace_root_is_narrowed_too, setup),
		cmocka_unit_test_setup_teardown(mount_needs_cap_sys_admin, setup, cleanup),
		cmocka_unit_test_setup_teardown(cap_drop_all_makes_chown_fail, setup, cleanup),
		cmocka_unit_test_setup(user_runs_the_command_without_capabilities, setup),
		cmocka_unit_test_setup_teardown(setuid_root_program_gains_nothing, setup, cleanup),
		cmocka_unit_test_setup(init_forwards_signals_as_user, setup),
		cmocka_unit_test_setup(unknown_capability_is_refused, setup),
		cmocka_unit_test_setup(cap_add_all_is_the_bounding_set, setup),
		cmocka_unit_test_setup(unmapped_user_is_refused, setup),
		cmocka_unit_test_setup(exit_statuses, setup),
	};

	return cmocka_run_group_tests_name(STEP, tests, NULL, NULL);
}

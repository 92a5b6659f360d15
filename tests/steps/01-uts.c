/**
 * @file 01-uts.c
 * @brief Step 01's tests: a hostname and System V IPC of the container's own, and the
 *        command-line contract every step shares (exit codes, one-line errors, --help).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>
#include <unistd.h>

#include "harness.h"

#define STEP "01-uts"

static int
setup(void **state)
{
	(void)state;
	skip_unless_namespaces(CLONE_NEWUTS | CLONE_NEWIPC);
	return 0;
}

static void
hostname_is_set_inside_only(void **state)
{
	char before[256], after[256];
	struct run r;

	(void)state;
	gethostname(before, sizeof(before));
	run_step(&r, STEP, "--hostname", "box", "--", "hostname", NULL);
	expect_status(&r, 0);
	expect_stdout(&r, "box\n");
	gethostname(after, sizeof(after));
	if (strcmp(before, after) != 0)
		fail_msg("the host's hostname changed from \"%s\" to \"%s\"", before, after);
}

/**
 * The longest hostnames, 63 and 64 bytes (HOST_NAME_MAX), come out whole: a name passed to
 * sethostname(2) with the wrong length comes out cut (to 8 bytes, the size of a pointer,
 * say) or is refused (64 bytes and its NUL are more than the kernel takes).
 */
static void
longest_hostnames_come_out_whole(void **state)
{
	const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789-";
	char name[HOST_NAME_MAX + 1], want[HOST_NAME_MAX + 2];
	struct run r;

	(void)state;
	for (size_t len = HOST_NAME_MAX - 1; len <= HOST_NAME_MAX; len++) {
		for (size_t i = 0; i < len; i++)
			name[i] = chars[i % (sizeof(chars) - 1)];
		name[len] = '\0';
		snprintf(want, sizeof(want), "%s\n", name);
		run_step(&r, STEP, "--hostname", name, "--", "uname", "-n", NULL);
		expect_run(&r, r.status == 0 && strcmp(r.out, want) == 0,
			   "a hostname of %zu bytes (the most is %d) should come out whole: \"%s\"",
			   len, HOST_NAME_MAX, name);
	}
}

static void
default_hostname_is_nook(void **state)
{
	struct run r;

	(void)state;
	run_step(&r, STEP, "hostname", NULL);
	expect_status(&r, 0);
	expect_stdout(&r, "nook\n");
}

/** A key no one else uses: the test's PID in the high bits. */
static key_t
test_key(int n)
{
	return (key_t)(0x6e000000 | (getpid() << 4) | n);
}

static void
queue_made_inside_is_invisible_outside(void **state)
{
	char key[32];
	struct run r;
	int id;

	(void)state;
	snprintf(key, sizeof(key), "%d", test_key(1));
	run_step(&r, STEP, "--", "/bin/sh", "-c",
		 "\"$0\" msgq-create \"$1\" && \"$0\" msgq-exists \"$1\"", probe_path(), key, NULL);
	expect_status(&r, 0);
	expect_stdout(&r, "created\npresent\n");
	id = msgget(test_key(1), 0);
	if (id >= 0) {
		msgctl(id, IPC_RMID, NULL);
		fail_msg("the queue created inside (key %s) exists on the host: no IPC namespace?",
			 key);
	}
}

static void
queue_made_outside_is_invisible_inside(void **state)
{
	char key[32];
	struct run r;
	int id;

	(void)state;
	id = msgget(test_key(2), IPC_CREAT | IPC_EXCL | 0600);
	if (id < 0)
		fail_msg("msgget on the host: %s", strerror(errno));
	snprintf(key, sizeof(key), "%d", test_key(2));
	run_step(&r, STEP, "--", probe_path(), "msgq-exists", key, NULL);
	msgctl(id, IPC_RMID, NULL);
	expect_ran(&r);
	expect_run(&r, strcmp(r.out, "absent\n") == 0,
		   "a queue made on the host (key %s) is visible inside", key);
}

static void
exit_status_passes_through(void **state)
{
	(void)state;
	expect_exit_statuses(STEP);
}

static void
invalid_hostnames_are_refused_before_anything_runs(void **state)
{
	const char *bad[] = {
		"",
		"a/b",
		"a b",
		"tab\there",
		"line\nbreak",
		"a-hostname-that-is-longer-than-sixty-four-bytes-which-the-kernel-refuses"};
	char marker[] = "/tmp/nook-test-XXXXXX";
	struct run r;

	(void)state;
	unused_path(marker);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		run_step(&r, STEP, "--hostname", bad[i], "--", "touch", marker, NULL);
		expect_run(
			&r,
			r.status == 125 && count_lines(r.err) == 1 &&
				strstr(r.err, "invalid hostname") != NULL,
			"hostname \"%s\": expected one line naming the invalid hostname, exit 125",
			bad[i]);
		if (file_exists(marker)) {
			unlink(marker);
			fail_msg("hostname \"%s\" was refused but the command ran anyway", bad[i]);
		}
	}
}

static void
missing_command_prints_usage(void **state)
{
	struct run r;

	(void)state;
	run_step(&r, STEP, "--hostname", "box", NULL);
	expect_run(&r, r.status == 125 && strstr(r.err, "Usage: " STEP) != NULL,
		   "no command: expected usage on stderr and exit 125");
}

static void
help_lists_every_option(void **state)
{
	struct run r;

	(void)state;
	run_step(&r, STEP, "--help", NULL);
	expect_status(&r, 0);
	expect_run(&r, strstr(r.out, "--hostname NAME") && strstr(r.out, "--help"),
		   "--help should list --hostname and --help");
}

static void
unknown_command_exits_127_naming_it(void **state)
{
	struct run r;

	(void)state;
	run_step(&r, STEP, "--", "nosuchcmd", NULL);
	expect_status(&r, 127);
	expect_run(&r,
		   count_lines(r.err) == 1 && strncmp(r.err, STEP ": ", 8) == 0 &&
			   strstr(r.err, "nosuchcmd") != NULL,
		   "expected one line \"" STEP ": ...nosuchcmd...\" on stderr");
}

static void
not_executable_exits_126(void **state)
{
	char path[] = "/tmp/nook-test-XXXXXX";
	struct run r;
	int fd;

	(void)state;
	fd = mkstemp(path); /* mode 0600: no one may execute it */
	close(fd);
	run_step(&r, STEP, "--", path, NULL);
	unlink(path);
	expect_status(&r, 126);
}

static void
unknown_option_is_one_line(void **state)
{
	struct run r;

	(void)state;
	run_step(&r, STEP, "--no-such-option", "true", NULL);
	expect_run(&r,
		   r.status == 125 && count_lines(r.err) == 1 &&
			   strstr(r.err, "--no-such-option") != NULL,
		   "an unknown option: expected one line naming it, exit 125");
}

/** The command starts from a clean environment: none of the caller's, only what it is given. */
static void
command_gets_a_clean_environment(void **state)
{
	struct run r;

	(void)state;
	setenv("NOOK_TEST_SECRET", "s3cret", 1);
	run_step(&r, STEP, "--env", "GREETING=hi there", "--", "/bin/sh", "-c", "env | sort", NULL);
	expect_status(&r, 0);
	expect_run(&r, !strstr(r.out, "s3cret"),
		   "a variable of nook's own environment reached the command");
	expect_run(&r,
		   strstr(r.out, "GREETING=hi there\n") && strstr(r.out, "HOSTNAME=nook\n") &&
			   strstr(r.out, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
					 "/sbin:/bin\n"),
		   "expected --env's GREETING, HOSTNAME and the default PATH");
	run_step(&r, STEP, "--env", "NOOK_TEST_SECRET", "--", "/bin/sh", "-c",
		 "echo \"$NOOK_TEST_SECRET\"", NULL);
	unsetenv("NOOK_TEST_SECRET");
	expect_stdout(&r, "s3cret\n");
	run_step(&r, STEP, "--env", "=x", "--", "true", NULL);
	expect_run(&r, r.status == 125 && count_lines(r.err) == 1 && strstr(r.err, "--env"),
		   "--env without a name: expected one line naming --env, exit 125");
}

/** A descriptor nook inherits (here a directory of the host) does not reach the command. */
static void
inherited_descriptors_are_closed(void **state)
{
	char script[96];
	struct run r;
	int fd = open("/", O_RDONLY | O_DIRECTORY); /* no O_CLOEXEC: passed on to nook */

	(void)state;
	if (fd < 0 || dup2(fd, 3) < 0)
		fail_msg("open(\"/\"): %s", strerror(errno));
	snprintf(script, sizeof(script), "ls -l /proc/$$/fd | grep -c -- '-> /$'; exit 0");
	run_step(&r, STEP, "--", "/bin/sh", "-c", script, NULL);
	expect_run(&r, r.status == 0 && strcmp(r.out, "0\n") == 0,
		   "the command holds nook's inherited descriptor of the host's /");
	run_step(&r, STEP, "--preserve-fds", "1", "--", "/bin/sh", "-c", script, NULL);
	close(3);
	close(fd);
	expect_run(&r, r.status == 0 && strcmp(r.out, "1\n") == 0,
		   "--preserve-fds 1 should pass descriptor 3 in");
}

/** The command leads a session of its own: no controlling terminal, its own group. */
static void
command_has_a_session_of_its_own(void **state)
{
	struct run r;
	int sid = 0, tty = -1;

	(void)state;
	run_step(&r, STEP, "--", "/bin/sh", "-c", "cut -d' ' -f6,7 /proc/$$/stat", NULL);
	expect_status(&r, 0);
	sscanf(r.out, "%d %d", &sid, &tty);
	expect_run(&r, tty == 0 && sid > 0 && sid != getsid(0),
		   "the command should have no controlling terminal (tty_nr 0) and a session "
		   "other than the caller's (%d)",
		   (int)getsid(0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(hostname_is_set_inside_only, setup),
		cmocka_unit_test_setup(longest_hostnames_come_out_whole, setup),
		cmocka_unit_test_setup(default_hostname_is_nook, setup),
		cmocka_unit_test_setup(queue_made_inside_is_invisible_outside, setup),
		cmocka_unit_test_setup(queue_made_outside_is_invisible_inside, setup),
		cmocka_unit_test_setup(exit_status_passes_through, setup),
		cmocka_unit_test_setup(invalid_hostnames_are_refused_before_anything_runs, setup),
		cmocka_unit_test(missing_command_prints_usage),
		cmocka_unit_test(help_lists_every_option),
		cmocka_unit_test_setup(unknown_command_exits_127_naming_it, setup),
		cmocka_unit_test_setup(not_executable_exits_126, setup),
		cmocka_unit_test(unknown_option_is_one_line),
		cmocka_unit_test_setup(command_gets_a_clean_environment, setup),
		cmocka_unit_test_setup(inherited_descriptors_are_closed, setup),
		cmocka_unit_test_setup(command_has_a_session_of_its_own, setup),
	};

	return cmocka_run_group_tests_name(STEP, tests, NULL, NULL);
}

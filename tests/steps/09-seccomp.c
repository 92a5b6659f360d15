/**
 * @file 09-seccomp.c
 * @brief Step 09's tests: under the default seccomp profile the calls a container has no
 *        business making fail with EPERM while ordinary programs run; other ABIs are
 *        killed; a profile from a file is obeyed to the letter, a broken one refused.
 *
 * The calls are made by the static probe (`probe syscall NAME`), directly and with
 * arguments that do no harm when they are allowed, since most have no command. The
 * containers run on the host's files: seccomp needs no root filesystem.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define STEP "09-seccomp"

/** A scratch directory for profiles and marker files, made by setup(). */
static char scratch[64];

static int
setup(void **state)
{
	(void)state;
	skip_unless_namespaces(CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNS |
			       CLONE_NEWNET);
	if (access("/proc/sys/kernel/seccomp/actions_avail", R_OK) < 0) {
		print_message("  SKIP: this kernel has no seccomp filters (no "
			      "/proc/sys/kernel/seccomp/actions_avail)\n");
		skip();
	}
	make_scratch_dir(scratch, "seccomp", 0700);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	remove_scratch_dirs();
	scratch[0] = '\0';
	return 0;
}

/** Write @p text to @p name in the scratch directory; returns its path (static). */
static const char *
write_profile(const char *name, const char *text)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", scratch, name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		fail_msg("cannot write %s: %s", path, strerror(errno));
	return path;
}

static void
dangerous_calls_fail_with_eperm(void **state)
{
	const char *calls[] = {"unshare",    "mount",	    "reboot", "keyctl",		 "add_key",
			       "kexec_load", "init_module", "bpf",    "perf_event_open", "ptrace"};
	struct run r;

	(void)state;
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		run_step(&r, STEP, "--", probe_path(), "syscall", calls[i], NULL);
		expect_ran(&r);
		expect_run(&r, r.status == 1 && strcmp(r.out, "EPERM\n") == 0,
			   "%s inside the container: expected it to fail with EPERM", calls[i]);
	}
}

static void
the_eperm_comes_from_the_filter(void **state)
{
	/* calls no capability decides: without the filter, they fail otherwise or work */
	const char *calls[] = {"keyctl", "add_key", "perf_event_open", "ptrace"};
	struct run r;

	(void)state;
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		run_step(&r, STEP, "--seccomp", "unconfined", "--", probe_path(), "syscall",
			 calls[i], NULL);
		expect_ran(&r);
		expect_run(&r, r.status <= 1 && strcmp(r.out, "EPERM\n") != 0,
			   "%s with --seccomp unconfined: expected no EPERM", calls[i]);
	}
}

static void
unshare_command_is_refused(void **state)
{
	struct run r;

	(void)state;
	run_step(&r, STEP, "--", "unshare", "-U", "true", NULL);
	expect_ran(&r);
	expect_run(&r, r.status != 0 && strstr(r.err, "Operation not permitted"),
		   "unshare -U inside: expected \"Operation not permitted\"");
}

static void
ordinary_tools_work(void **state)
{
	struct run r;

	(void)state;
	run_step(&r, STEP, "--", "/bin/sh", "-c",
		 "ls / >/dev/null && cat /proc/self/status >/dev/null && ps >/dev/null && "
		 "echo a | sort | wc -l && date >/dev/null && sleep 0.1 && echo done",
		 NULL);
	expect_status(&r, 0);
	expect_stdout(&r, "1\ndone\n");
}

static void
filter_mode_and_no_new_privs_inside(void **state)
{
	struct run r;

	(void)state;
	run_step(&r, STEP, "--", "grep", "-E", "^(Seccomp|NoNewPrivs):", "/proc/self/status", NULL);
	expect_status(&r, 0);
	expect_stdout(&r, "NoNewPrivs:\t1\nSeccomp:\t2\n");
}

static void
unconfined_has_no_filter(void **state)
{
	struct run r;

	(void)state;
	run_step(&r, STEP, "--seccomp", "unconfined", "--", "grep",
		 "^Seccomp:", "/proc/self/status", NULL);
	expect_status(&r, 0);
	expect_stdout(&r, "Seccomp:\t0\n");
}

static void
clone3_says_enosys_so_glibc_falls_back(void **state)
{
	struct run r;

	(void)state;
	run_step(&r, STEP, "--", probe_path(), "syscall", "clone3", NULL);
	expect_ran(&r);
	expect_run(&r, r.status == 1 && strcmp(r.out, "ENOSYS\n") == 0,
		   "clone3 inside: expected ENOSYS");
}

static void
calls_newer_than_the_profile_say_enosys(void **state)
{
	struct run r;

	(void)state;
	/* 1000: above any call the default profile names (and any x86-64 has, for now) */
	run_step(&r, STEP, "--", probe_path(), "syscall", "1000", NULL);
	expect_ran(&r);
	expect_run(&r, r.status == 1 && strcmp(r.out, "ENOSYS\n") == 0,
		   "system call 1000 inside: expected ENOSYS, as if the kernel had no such call");
}

/** Run `probe syscall NAME` inside a container, and expect it killed by SIGSYS. */
static void
expect_killed_by_the_filter(const char *name)
{
	struct run r;

	run_step(&r, STEP, "--", probe_path(), "syscall", name, NULL);
	expect_ran(&r);
	expect_run(&r, r.status == 128 + SIGSYS && r.out[0] == '\0',
		   "%s inside: expected the probe killed by SIGSYS (%d)", name, 128 + SIGSYS);
}

/** x32 calls are x86-64 numbers with bit 30 set: every x86-64 kernel sees them. */
static void
x32_calls_are_killed(void **state)
{
	(void)state;
	expect_killed_by_the_filter("x32-getpid");
}

/**
 * i386 calls (int 0x80) reach the filter only where the kernel has the i386 entry: not
 * without CONFIG_IA32_EMULATION, nor when booted with ia32_emulation=0, where int 0x80 is
 * a general protection fault and the probe dies of SIGSEGV with no filter at all. So the
 * probe asks the host first, outside any container, and the test skips, saying why.
 */
static void
i386_calls_are_killed(void **state)
{
	struct run host;
	const char *said;

	(void)state;
	run_argv(&host, RUN_TIMEOUT,
		 (char *[]){(char *)probe_path(), "syscall", "i386-getpid", NULL});
	if (host.status != 0 || strcmp(host.out, "ok\n") != 0) {
		said = host.out[0] ? strtok(host.out, "\n") : NULL;
		print_message("  SKIP: this kernel has no i386 system call entry (int 0x80 without "
			      "a filter, on the host: exit %d%s%s): CONFIG_IA32_EMULATION off, or "
			      "ia32_emulation=0\n",
			      host.status, said ? ", " : "", said ? said : "");
		skip();
	}
	expect_killed_by_the_filter("i386-getpid");
}

static void
profile_denying_mkdir_denies_only_that(void **state)
{
	const char *profile =
		write_profile("no-mkdir.json", "{\"defaultAction\": \"SCMP_ACT_ALLOW\",\n"
					       " \"architectures\": [\"SCMP_ARCH_X86_64\"],\n"
					       " \"syscalls\": [{\"names\": [\"mkdir\", "
					       "\"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\"}]}\n");
	char dir[128], file[128];
	struct run r;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/made", scratch);
	snprintf(file, sizeof(file), "%s/touched", scratch);
	run_step(&r, STEP, "--seccomp", profile, "--", "/bin/sh", "-c",
		 "mkdir \"$0\" || echo refused; touch \"$1\" && echo touched", dir, file, NULL);
	expect_status(&r, 0);
	expect_stdout(&r, "refused\ntouched\n");
	expect_run(&r, strstr(r.err, "Operation not permitted") != NULL,
		   "mkdir should say \"Operation not permitted\"");
	if (file_exists(dir))
		fail_msg("%s was made although the profile denies mkdir", dir);
	if (!file_exists(file))
		fail_msg("%s was not made: the profile denies more than mkdir", file);
}

/**
 * A name this libseccomp does not know is skipped, as runc does (profiles name calls of
 * newer kernels and other architectures), and the rest of its rule still holds.
 */
static void
unknown_call_names_are_skipped(void **state)
{
	const char *profile =
		write_profile("unknown-name.json",
			      "{\"defaultAction\": \"SCMP_ACT_ALLOW\",\n"
			      " \"syscalls\": [{\"names\": [\"nook_no_such_call\", \"mkdir\", "
			      "\"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\"}]}\n");
	char dir[128];
	struct run r;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/made", scratch);
	run_step(&r, STEP, "--seccomp", profile, "--", "/bin/sh", "-c",
		 "mkdir \"$0\" 2>/dev/null || echo refused; echo ran", dir, NULL);
	expect_run(
		&r, r.status == 0 && strcmp(r.out, "refused\nran\n") == 0,
		"a profile naming the unknown call \"nook_no_such_call\" next to mkdir: expected "
		"the container to run with mkdir refused");
	if (file_exists(dir))
		fail_msg("%s was made although the profile denies mkdir", dir);
}

/** A broken profile and what the one line refusing it must contain. */
struct broken {
	const char *json;
	const char *says;
};

static void
broken_profiles_are_refused_in_one_line(void **state)
{
	const struct broken cases[] = {
		{"{\"defaultAction\": ", "not JSON"},
		{"{\"syscalls\": []}", "defaultAction: missing"},
		{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"], "
		 "\"action\": \"SCMP_ACT_ERRNO\"}, {\"names\": [\"rmdir\"], \"action\": "
		 "\"SCMP_ACT_FOO\"}]}",
		 "syscalls[1].action: unknown action \"SCMP_ACT_FOO\""},
		{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": "
		 "[\"SCMP_ARCH_AARCH64\"]}",
		 "architectures[0]: unsupported architecture \"SCMP_ARCH_AARCH64\""},
		{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"], "
		 "\"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"op\": \"LIKE\"}]}]}",
		 "syscalls[0].args[0].op: unknown operator \"LIKE\""},
		{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"], "
		 "\"action\": \"SCMP_ACT_ERRNO\", \"includes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}}]}",
		 "syscalls[0].includes: unknown field"},
		/* refused by libseccomp, not by nook, once: "Invalid argument" and no more */
		{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"], "
		 "\"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 4095}]}",
		 "syscalls[0].errnoRet: not an integer from 0 to 4094"},
		{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"], "
		 "\"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 1, \"value\": 1, \"op\": "
		 "\"SCMP_CMP_GE\"}, {\"index\": 1, \"value\": 9, \"op\": \"SCMP_CMP_LE\"}]}]}",
		 "syscalls[0].args[1]: a second condition on argument 1"},
	};
	char marker[128];
	struct run r;

	(void)state;
	snprintf(marker, sizeof(marker), "%s/ran", scratch);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *profile = write_profile("broken.json", cases[i].json);

		run_step(&r, STEP, "--seccomp", profile, "--", "touch", marker, NULL);
		expect_run(&r,
			   r.status == 125 && count_lines(r.err) == 1 &&
				   strstr(r.err, cases[i].says) && strstr(r.err, profile),
			   "profile %s: expected one line naming the file and \"%s\", exit 125",
			   cases[i].json, cases[i].says);
		if (file_exists(marker))
			fail_msg("profile %s was refused but the command ran", cases[i].json);
	}
	run_step(&r, STEP, "--seccomp", "/nonexistent-nook-profile.json", "--", "true", NULL);
	expect_run(&r, r.status == 125 && count_lines(r.err) == 1 && strstr(r.err, "No such file"),
		   "a missing profile: expected one line saying so, exit 125");
}

/** A FIFO with no writer once blocked nook's read of it for ever. */
static void
a_fifo_is_refused_at_once(void **state)
{
	char fifo[128];
	struct run r;

	(void)state;
	snprintf(fifo, sizeof(fifo), "%s/fifo.json", scratch);
	if (mkfifo(fifo, 0600) < 0)
		fail_msg("mkfifo %s: %s", fifo, strerror(errno));
	run_step(&r, STEP, "--seccomp", fifo, "--", "true", NULL);
	expect_run(&r,
		   r.status == 125 && count_lines(r.err) == 1 &&
			   strstr(r.err, "not a regular file") && strstr(r.err, fifo),
		   "--seccomp on a FIFO: expected one line saying it is not a regular file, "
		   "exit 125 (not a hang)");
	run_step(&r, STEP, "--seccomp", scratch, "--", "true", NULL);
	expect_run(&r, r.status == 125 && strstr(r.err, "not a regular file"),
		   "--seccomp on a directory: expected \"not a regular file\", exit 125");
}

static void
exit_statuses_pass_through(void **state)
{
	(void)state;
	expect_exit_statuses(STEP);
}

static void
help_lists_the_seccomp_options(void **state)
{
	struct run r;

	(void)state;
	run_step(&r, STEP, "--help", NULL);
	expect_status(&r, 0);
	expect_run(&r,
		   strstr(r.out, "--seccomp FILE|unconfined") && strstr(r.out, "--seccomp-show"),
		   "--help should list --seccomp and --seccomp-show");
}

/**
 * A profile that denies everything: the command cannot even be started, and nook says so
 * in one line, though the container could not write a word (write(2) is denied too).
 */
static void
profile_denying_everything_says_so(void **state)
{
	const char *profile = write_profile("deny-all.json", "{\"defaultAction\": "
							     "\"SCMP_ACT_ERRNO\"}\n");
	struct run r;

	(void)state;
	run_step(&r, STEP, "--seccomp", profile, "--", "true", NULL);
	/* 125 from nook; under the sanitizers their runtime's own exit code (1) may come first */
	expect_run(&r, r.status >= 0 && r.status < 128,
		   "a profile denying every call: expected an exit status, not a death by signal");
	expect_run(&r, count_lines(r.err) == 1 && strstr(r.err, "before its command ran"),
		   "a profile denying every call: expected one line saying the command never ran");
}

/** A profile denying what nook-init waits with: one line, exit 125 — never a hang. */
static void
profile_denying_init_calls_fails_in_one_line(void **state)
{
	const char *profile =
		write_profile("deny-sigtimedwait.json",
			      "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
			      "[\"rt_sigtimedwait\"], \"action\": \"SCMP_ACT_ERRNO\"}]}\n");
	struct run r;

	(void)state;
	run_step(&r, STEP, "--seccomp", profile, "--", "true", NULL);
	expect_run(&r,
		   !r.timed_out && r.status == 125 && count_lines(r.err) == 1 &&
			   strstr(r.err, "rt_sigtimedwait"),
		   "a profile denying rt_sigtimedwait: expected one line naming it, exit 125");
}

/** A profile that kills on every call: nook says the filter killed it before the command. */
static void
profile_killing_everything_says_so(void **state)
{
	const char *profile = write_profile("kill-all.json", "{\"defaultAction\": "
							     "\"SCMP_ACT_KILL_PROCESS\"}\n");
	struct run r;

	(void)state;
	run_step(&r, STEP, "--seccomp", profile, "--", "true", NULL);
	expect_run(&r, r.status == 125 && count_lines(r.err) == 1 && strstr(r.err, "SIGSYS"),
		   "a profile killing every call: expected one line naming SIGSYS, exit 125");
}

/**
 * Copy the image and the probe (as /x/probe) into scratch directory @p dir, open to all
 * (the root of a --userns container is an unprivileged id on the host); SKIP without an
 * image. The copy of the image goes to @p image.
 */
static void
image_and_probe_in(const char *dir, char *image, size_t size)
{
	const char *img = getenv("NOOK_IMAGE") ? getenv("NOOK_IMAGE") : "build/images/busybox";
	char cmd[1024];
	struct run r;

	snprintf(cmd, sizeof(cmd), "%s/bin/sh", img);
	if (access(cmd, X_OK) < 0) {
		print_message("  SKIP: no image at %s ('make image')\n", img);
		skip();
	}
	snprintf(image, size, "%s/image", dir);
	snprintf(cmd, sizeof(cmd),
		 "cp -a '%s/.' '%s' && mkdir -m 777 '%s/x' && cp '%s' '%s/x/probe'", img, image,
		 dir, probe_path(), dir);
	run_shell(&r, cmd);
	expect_status(&r, 0);
}

/**
 * Escape 2 of issue 11 and its neighbours, in a container with its own root, as an
 * attacker inside would try: device nodes made in a volume on the host's filesystem
 * (which allows devices), in the overlay root and in /dev — for a scratch loop device and
 * for the kernel log — must not open; /dev/null still does; socket(AF_VSOCK) is refused
 * while AF_INET is not; /dev/shm is 64m. With @p userns, mknod itself is refused.
 */
static void
devices_and_vsock_out_of_reach(bool userns)
{
	char dir[64], image[128], volume[96], maj[16], min[16], script[1024], *argv[12];
	struct scratch_blockdev d;
	struct run r;
	int n = 0;

	make_scratch_dir(dir, "devices", 0777);
	image_and_probe_in(dir, image, sizeof(image));
	scratch_block_device(&d, dir);
	snprintf(maj, sizeof(maj), "%u", d.major);
	snprintf(min, sizeof(min), "%u", d.minor);
	snprintf(volume, sizeof(volume), "%s/x:/x", dir);
	snprintf(script, sizeof(script),
		 "P=/x/probe; $P device /x/disk b %s %s r; $P device /x/kmsg c 1 11 w; "
		 "$P device /kmsg c 1 11 w; $P device /dev/kmsg c 1 11 w; $P open /dev/null rw; "
		 "$P socket vsock; $P socket inet; df -k /dev/shm | awk 'NR == 2 { print $2 }'",
		 maj, min);
	argv[n++] = (char *)step_path(STEP);
	if (userns)
		argv[n++] = "--userns";
	memcpy(argv + n,
	       (char *[]){"--rootfs", image, "--volume", volume, "--", "/bin/sh", "-c", script,
			  NULL},
	       9 * sizeof(char *));
	run_argv(&r, RUN_TIMEOUT, argv);
	release_block_device(&d);
	remove_scratch_dirs();
	expect_status(&r, 0);
	expect_run(&r, count_lines(r.out) == 8 && !strstr(r.out, "open ok"),
		   "expected none of the four device nodes to open");
	if (!userns)
		expect_run(&r,
			   strncmp(r.out, "mknod ok, open EPERM\nmknod ok, open EPERM\n", 42) == 0,
			   "in the volume, expected the device cgroup's EPERM at open");
	else
		expect_run(&r, strncmp(r.out, "mknod EPERM\nmknod EPERM\n", 24) == 0,
			   "in the volume, expected mknod refused in a user namespace");
	expect_run(&r, strstr(r.out, "\nok\nEPERM\nok\n65536\n") != NULL,
		   "expected /dev/null to open, AF_VSOCK refused, AF_INET not, /dev/shm 64m");
}

static void
devices_and_vsock_out_of_reach_as_root(void **state)
{
	(void)state;
	devices_and_vsock_out_of_reach(false);
}

static void
devices_and_vsock_out_of_reach_in_a_user_namespace(void **state)
{
	(void)state;
	devices_and_vsock_out_of_reach(true);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(dangerous_calls_fail_with_eperm, setup, teardown),
		cmocka_unit_test_setup_teardown(the_eperm_comes_from_the_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(unshare_command_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(ordinary_tools_work, setup, teardown),
		cmocka_unit_test_setup_teardown(filter_mode_and_no_new_privs_inside, setup,
						teardown),
		cmocka_unit_test_setup_teardown(unconfined_has_no_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(clone3_says_enosys_so_glibc_falls_back, setup,
						teardown),
		cmocka_unit_test_setup_teardown(calls_newer_than_the_profile_say_enosys, setup,
						teardown),
		cmocka_unit_test_setup_teardown(x32_calls_are_killed, setup, teardown),
		cmocka_unit_test_setup_teardown(i386_calls_are_killed, setup, teardown),
		cmocka_unit_test_setup_teardown(profile_denying_everything_says_so, setup,
						teardown),
		cmocka_unit_test_setup_teardown(profile_denying_init_calls_fails_in_one_line, setup,
						teardown),
		cmocka_unit_test_setup_teardown(profile_killing_everything_says_so, setup,
						teardown),
		cmocka_unit_test_setup_teardown(profile_denying_mkdir_denies_only_that, setup,
						teardown),
		cmocka_unit_test_setup_teardown(unknown_call_names_are_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(broken_profiles_are_refused_in_one_line, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_fifo_is_refused_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(exit_statuses_pass_through, setup, teardown),
		cmocka_unit_test_setup_teardown(devices_and_vsock_out_of_reach_as_root, setup,
						teardown),
		cmocka_unit_test_setup_teardown(devices_and_vsock_out_of_reach_in_a_user_namespace,
						setup, teardown),
		cmocka_unit_test(help_lists_the_seccomp_options),
	};

	return cmocka_run_group_tests_name(STEP, tests, NULL, NULL);
}

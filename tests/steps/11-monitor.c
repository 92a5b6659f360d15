/**
 * @file 11-monitor.c
 * @brief Step 11's container commands, seen from outside: `nook run -d` under its monitor,
 *        then ps, logs (-f), exec, stop (-t), kill, rm (-f) and inspect; `nook run`'s
 *        options; bad input refused in one line with nothing left behind.
 *
 * The image is the default one (build/images/busybox) as an OCI layout (tests/images/
 * mklayout), with StopSignal SIGUSR1 so that stop's first signal is told apart from
 * kill's SIGTERM. Each test has its own store (--store) and state root (--root); container
 * names are unique on the machine (their cgroups are not per root).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static char layout_dir[64], layout[128];
static char store[64], root[64];

/** Run `nook --store STORE --root ROOT ARGS...` to its end. */
#define nook(r, ...) run_step(r, "nook", "--store", store, "--root", root, __VA_ARGS__, NULL)

/** Run the shell command made of @p fmt, which must succeed. */
static void
sh(const char *fmt, ...)
{
	char cmd[2048];
	struct run r;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	run_shell(&r, cmd);
	expect_run(&r, r.status == 0, "%s", cmd);
}

static int
setup(void **state)
{
	const char *img = getenv("NOOK_IMAGE");
	char image[PATH_MAX];

	(void)state;
	skip_unless_root();
	if (!realpath(img && *img ? img : "build/images/busybox", image))
		fail_msg("the image: %s (make image)", strerror(errno));
	snprintf(layout_dir, sizeof(layout_dir), "/tmp/nook-monitor-XXXXXX");
	if (!mkdtemp(layout_dir))
		fail_msg("mkdtemp: %s", strerror(errno));
	snprintf(layout, sizeof(layout), "%s/layout", layout_dir);
	sh("MKLAYOUT_STOPSIGNAL=SIGUSR1 tests/images/mklayout %s busybox:latest %s", layout, image);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	sh("rm -rf %s", layout_dir);
	return 0;
}

/** A store with the image, and a state root, both new. */
static int
test_setup(void **state)
{
	struct run r;

	(void)state;
	make_scratch_dir(store, "store", 0700);
	make_scratch_dir(root, "root", 0700);
	nook(&r, "image", "import", layout);
	expect_run(&r, r.status == 0, "import");
	return 0;
}

/** After each test: every container removed (rm -f), no mount of the store left. */
static int
test_teardown(void **state)
{
	char cmd[512];
	struct run r;

	(void)state;
	snprintf(cmd, sizeof(cmd),
		 "ls %s/containers 2>/dev/null | xargs -r %s --store %s --root %s rm -f "
		 ">/dev/null; grep -c ' %s/' /proc/self/mountinfo",
		 store, step_path("nook"), store, root, store);
	run_shell(&r, cmd);
	if (strcmp(r.out, "0\n") != 0) {
		sh("grep ' %s/' /proc/self/mountinfo | cut -d' ' -f5 | xargs -r -n1 umount -l",
		   store);
		fail_msg("mounts of the store were left behind");
	}
	remove_scratch_dirs();
	return 0;
}

/** `nook run -d --name NAME busybox CMD...`, which must print NAME; NAME made unique. */
#define run_d(name, tag, ...)                                                                      \
	do {                                                                                       \
		struct run rd_;                                                                    \
		char want_[80];                                                                    \
		nook(&rd_, "run", "-d", "--name", unique_name(name, tag), "busybox", __VA_ARGS__); \
		snprintf(want_, sizeof(want_), "%s\n", name);                                      \
		expect_stdout(&rd_, want_);                                                        \
	} while (0)

/** The line of `nook ps -a` for @p name ("" if none) into @p line. */
static void
ps_line(const char *name, char *line, size_t size)
{
	struct run r;
	char *p;

	nook(&r, "ps", "-a");
	expect_run(&r, r.status == 0 && strncmp(r.out, "NAME", 4) == 0, "ps -a");
	line[0] = '\0';
	for (p = r.out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, name, strlen(name)) == 0 && p[strlen(name)] == ' ') {
			snprintf(line, size, "%.*s", (int)strcspn(p, "\n"), p);
			return;
		}
}

/** Wait up to RUN_TIMEOUT seconds for `ps -a` to show @p name with @p status. */
static void
expect_ps_status(const char *name, const char *status)
{
	char line[512] = "";

	for (int i = 0; i < RUN_TIMEOUT * 10; i++) {
		ps_line(name, line, sizeof(line));
		if (strstr(line, status))
			return;
		usleep(100 * 1000);
	}
	fail_msg("ps -a: %s is not \"%s\": \"%s\"", name, status, line);
}

/** Expect a refusal: exit 125 and one line on stderr mentioning @p what. */
static void
expect_refused(const struct run *r, const char *what)
{
	expect_run(r, r->status == 125, "expected exit status 125");
	expect_run(r, count_lines(r->err) == 1, "expected one line on stderr");
	expect_run(r, strstr(r->err, what) != NULL, "expected \"%s\" in the error", what);
}

/** The container's host PID, from `nook inspect`. */
static int
inspect_pid(const char *name)
{
	struct run r;
	int pid = 0;
	const char *p;

	nook(&r, "inspect", name);
	expect_run(&r, r.status == 0 && r.out[0] == '[', "inspect %s", name);
	if ((p = strstr(r.out, "\"pid\": ")))
		pid = atoi(p + 7);
	expect_run(&r, pid > 0, "inspect %s: a pid", name);
	return pid;
}

/** The container's cgroup directories, from its state.json, into @p dirs (a shell list). */
static void
cgroup_dirs(const char *name, char *dirs, size_t size)
{
	char cmd[512];
	struct run r;

	snprintf(cmd, sizeof(cmd),
		 "tr -d '\\n ' <%s/%s/state.json | grep -o '\"cgroups\":\\[[^]]*' | cut -d[ -f2 | "
		 "tr ',\"' '  '",
		 root, name);
	run_shell(&r, cmd);
	expect_run(&r, r.status == 0 && r.out[0], "the cgroups of %s", name);
	snprintf(dirs, size, "%.*s", (int)strcspn(r.out, "\n"), r.out);
}

/** Nothing of @p name left: no directory in the store or state root, no mount, no cgroup. */
static void
expect_nothing_left(const char *name, const char *cgroups)
{
	char path[PATH_MAX], cmd[1024];
	struct run r;

	snprintf(path, sizeof(path), "%s/containers/%s", store, name);
	assert_false(file_exists(path));
	snprintf(path, sizeof(path), "%s/%s", root, name);
	assert_false(file_exists(path));
	snprintf(cmd, sizeof(cmd),
		 "grep -c ' %s/' /proc/self/mountinfo; for d in %s; do [ -e $d ] "
		 "&& echo left: $d; done; true",
		 store, cgroups);
	run_shell(&r, cmd);
	expect_stdout(&r, "0\n");
}

/* --- run -d, ps, logs, inspect, rm ------------------------------------------------------ */

static void
test_detach_ps_logs_rm(void **state)
{
	char name[64], line[512], cgroups[1024], want[80];
	struct run r;

	(void)state;
	run_d(name, "mon", "sh", "-c", "echo out; echo err >&2; exec sleep 60");
	ps_line(name, line, sizeof(line));
	assert_non_null(strstr(line, "running"));
	nook(&r, "ps"); /* running ones without -a too */
	assert_non_null(strstr(r.out, name));
	r.out[0] = '\0';
	for (int i = 0; i < 50 && !strstr(r.out, "err"); i++, usleep(100 * 1000))
		nook(&r, "logs", name);
	expect_stdout(&r, "out\nerr\n");
	assert_true(kill(inspect_pid(name), 0) == 0);
	nook(&r, "inspect", name);
	assert_non_null(strstr(r.out, "\"status\": \"running\""));
	assert_non_null(strstr(r.out, "\"image\": \"busybox\""));
	cgroup_dirs(name, cgroups, sizeof(cgroups));
	nook(&r, "rm", name); /* running: refused */
	expect_refused(&r, "running");
	nook(&r, "rm", "-f", name);
	snprintf(want, sizeof(want), "%s\n", name);
	expect_stdout(&r, want);
	expect_nothing_left(name, cgroups);
	nook(&r, "ps", "-a");
	assert_null(strstr(r.out, name));
}

/** logs -f prints as the container writes, and ends when it ends. */
static void
test_logs_follow(void **state)
{
	char name[64];
	struct proc p;
	struct run r, f;

	(void)state;
	run_d(name, "follow", "sh", "-c", "echo first; sleep 2; echo second");
	start_step(&p, &f, "nook", "--store", store, "--root", root, "logs", "-f", name, NULL);
	if (!wait_for_output(&p, "first\n", RUN_TIMEOUT))
		fail_msg("logs -f never printed the first line");
	assert_null(strstr(f.out, "second")); /* not yet: it follows */
	finish(&p, RUN_TIMEOUT);
	expect_stdout(&f, "first\nsecond\n");
	expect_ps_status(name, "exited (0)");
	nook(&r, "rm", name); /* ended: no -f needed */
	expect_status(&r, 0);
}

/** exec runs in the container's namespaces: its hostname, its root, its PID namespace. */
static void
test_exec(void **state)
{
	char name[64], want[80];
	struct run r;

	(void)state;
	run_d(name, "exec", "sh", "-c", "echo inside >/marker; exec sleep 60");
	for (int i = 0; i < 50; i++, usleep(100 * 1000)) {
		nook(&r, "exec", name, "cat", "/marker");
		if (r.status == 0)
			break;
	}
	expect_stdout(&r, "inside\n");
	nook(&r, "exec", name, "hostname");
	snprintf(want, sizeof(want), "%s\n", name);
	expect_stdout(&r, want);
	nook(&r, "exec", name, "sh", "-c", "exit 3");
	expect_status(&r, 3);
	nook(&r, "ps", name); /* runc's ps ID: the processes, sleep among them */
	expect_run(&r, r.status == 0 && strstr(r.out, "sleep"), "ps %s", name);
}

/** exec -it: a terminal of the container's own, relayed by nook; ours given back. */
static void
test_exec_tty(void **state)
{
	char name[64];
	struct run r;

	(void)state;
	run_d(name, "tty", "sleep", "60");
	char *argv[] = {(char *)step_path("nook"),
			"--store",
			store,
			"--root",
			root,
			"exec",
			"-it",
			name,
			"sh",
			NULL};
	run_on_pty(&r, RUN_TIMEOUT, "# ", "tty; exit 3\n", argv);
	expect_run(&r, r.status == 3, "exec -it: the shell's exit status");
	expect_run(&r, strstr(r.out, "/dev/pts/") != NULL, "exec -it: a terminal");
	expect_run(&r, strcmp(r.err, "terminal: canonical") == 0, "the terminal given back");
}

/** run -it in the foreground: the command on a terminal of its own, stdin passed. */
static void
test_run_tty(void **state)
{
	struct run r;
	char *argv[] = {(char *)step_path("nook"),
			"--store",
			store,
			"--root",
			root,
			"run",
			"-it",
			"--rm",
			"busybox",
			"sh",
			NULL};

	(void)state;
	run_on_pty(&r, RUN_TIMEOUT, "# ", "tty; exit 5\n", argv);
	expect_run(&r, r.status == 5, "run -it: the shell's exit status");
	expect_run(&r, strstr(r.out, "/dev/pts/") != NULL, "run -it: a terminal");
	expect_run(&r, strcmp(r.err, "terminal: canonical") == 0, "the terminal given back");
}

/** stop sends the image's StopSignal, then SIGKILL after -t; the exit code is kept. */
static void
test_stop(void **state)
{
	char name[64];
	struct timespec t0, t1;
	struct run r;
	double took;

	(void)state;
	/* USR1 (the image's StopSignal) noted and ignored: only SIGKILL ends it */
	run_d(name, "stop", "sh", "-c",
	      "trap 'echo got USR1' USR1; trap 'echo got TERM' TERM; echo ready; "
	      "while :; do sleep 0.1; done");
	r.out[0] = '\0';
	for (int i = 0; i < 50 && !strstr(r.out, "ready"); i++, usleep(100 * 1000))
		nook(&r, "logs", name);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	nook(&r, "stop", "-t", "1", name);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	expect_status(&r, 0);
	took = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(took >= 1.0 && took < 8.0);
	expect_ps_status(name, "exited (137)");
	nook(&r, "logs", name);
	expect_stdout(&r, "ready\ngot USR1\n");
	/* a container that ends on its StopSignal is not killed: its own status */
	run_d(name, "stop2", "sh", "-c", "trap 'exit 4' USR1; while :; do sleep 0.1; done");
	nook(&r, "stop", name);
	expect_status(&r, 0);
	expect_ps_status(name, "exited (4)");
}

/** kill: runc's form (ID [SIGNAL], SIGTERM by default) and docker's -s. */
static void
test_kill(void **state)
{
	char a[64], b[64];
	struct run r;

	(void)state;
	run_d(a, "kill", "sleep", "60");
	run_d(b, "kill", "sleep", "60");
	nook(&r, "kill", a);
	expect_status(&r, 0);
	nook(&r, "kill", "-s", "KILL", b);
	expect_status(&r, 0);
	expect_ps_status(a, "exited (143)");
	expect_ps_status(b, "exited (137)");
	nook(&r, "ps"); /* without -a: the running ones only */
	expect_run(&r, r.status == 0 && !strstr(r.out, a) && !strstr(r.out, b),
		   "ps lists ended containers");
	nook(&r, "kill", a); /* ended: the runtime has forgotten it */
	expect_refused(&r, a);
	nook(&r, "rm", a, b);
	expect_status(&r, 0);
	nook(&r, "ps", "-a");
	assert_null(strstr(r.out, a));
}

/** --rm with -d: the monitor removes everything when the container ends. */
static void
test_detach_rm(void **state)
{
	char name[64], path[PATH_MAX];
	struct run r;

	(void)state;
	nook(&r, "run", "-d", "--rm", "--name", unique_name(name, "gone"), "busybox", "true");
	expect_status(&r, 0);
	snprintf(path, sizeof(path), "%s/containers/%s", store, name);
	for (int i = 0; i < 100 && file_exists(path); i++)
		usleep(100 * 1000);
	assert_false(file_exists(path));
	expect_nothing_left(name, "");
}

/** A name in use is refused, whether the store or the runtime has it. */
static void
test_name_conflict(void **state)
{
	char name[64];
	struct run r;

	(void)state;
	run_d(name, "dup", "sleep", "60");
	nook(&r, "run", "--name", name, "busybox", "true");
	expect_refused(&r, "in use");
	nook(&r, "run", "-d", "--name", name, "busybox", "true");
	expect_refused(&r, "in use");
	expect_ps_status(name, "running");
}

/** The command cannot start: its code, one line, and nothing left (-d too). */
static void
test_start_fails(void **state)
{
	char name[64];
	struct run r;

	(void)state;
	nook(&r, "run", "-d", "--name", unique_name(name, "nocmd"), "busybox", "nosuchcommand");
	expect_status(&r, 127);
	expect_run(&r, count_lines(r.err) == 1, "one line");
	expect_nothing_left(name, "");
}

/** Bad input: exit 125, one line, nothing stored. */
static void
test_bad_input(void **state)
{
	static const char *const bad[][6] = {
		{"run", "--bogus", "busybox", "true"},
		{"run", "--memory", "lots", "busybox", "true"},
		{"run", "--cpus", "0", "busybox", "true"},
		{"run", "--pids-limit", "-3", "busybox", "true"},
		{"run", "-v", "relative:/x", "busybox", "true"},
		{"run", "-v", "/nonexistent-nook:/x", "busybox", "true"},
		{"run", "-w", "relative", "busybox", "true"},
		{"run", "--env-file", "/nonexistent-nook", "busybox", "true"},
		{"run", "--name", "a/b", "busybox", "true"},
		{"run", "-d"},
		{"logs", "nosuch"},
		{"logs"},
		{"rm", "nosuch"},
		{"rm", "-x", "nosuch"},
		{"stop", "-t", "x", "nosuch"},
		{"stop", "nosuch"},
		{"inspect", "nosuch"},
		{"ps", "-a", "-z"},
	};
	struct run r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		nook(&r, bad[i][0], bad[i][1], bad[i][2], bad[i][3], bad[i][4], bad[i][5]);
		expect_run(&r, r.status == 125 && count_lines(r.err) == 1,
			   "nook %s %s %s: expected 125 and one line", bad[i][0], bad[i][1] ?: "",
			   bad[i][2] ?: "");
	}
	sh("[ -z \"$(ls -A %s/containers)\" ] && [ -z \"$(ls -A %s)\" ]", store, root);
}

/* --- run's options ---------------------------------------------------------------------- */

/** -u, -v (ro), --read-only, -w, -e, --env-file, and stdin only with -i. */
static void
test_run_options(void **state)
{
	char vol[64], arg[160], envf[128], cmd[1024];
	struct run r;

	(void)state;
	make_scratch_dir(vol, "vol", 0755);
	sh("echo v >%s/f", vol);
	snprintf(arg, sizeof(arg), "%s:/data:ro", vol);
	nook(&r, "run", "--rm", "-u", "1000:1001", "-v", arg, "--read-only", "-w", "/data",
	     "busybox", "sh", "-c",
	     "id -u; id -g; pwd; cat f; touch /data/g 2>/dev/null || echo ro; "
	     "touch /x 2>/dev/null || echo rootro");
	expect_stdout(&r, "1000\n1001\n/data\nv\nro\nrootro\n");
	nook(&r, "run", "--rm", "-u", "nobody", "busybox", "sh", "-c", "id -u; id -g");
	expect_stdout(&r, "65534\n65534\n"); /* a name: the image's /etc/passwd */
	snprintf(arg, sizeof(arg), "%s:/data", vol);
	nook(&r, "run", "--rm", "-v", arg, "busybox", "touch", "/data/g");
	expect_status(&r, 0);
	snprintf(envf, sizeof(envf), "%s/env", vol);
	sh("printf 'A=1\\n# no\\n\\nB=2\\n' >%s", envf);
	nook(&r, "run", "--rm", "--env-file", envf, "-e", "C=3", "-e", "FROM_IMAGE=no", "busybox",
	     "sh", "-c", "echo $A$B$C$FROM_IMAGE");
	expect_stdout(&r, "123no\n");
	snprintf(cmd, sizeof(cmd), "echo typed | %s --store %s --root %s run --rm -i busybox cat",
		 step_path("nook"), store, root);
	run_shell(&r, cmd);
	expect_stdout(&r, "typed\n");
	snprintf(cmd, sizeof(cmd), "echo typed | %s --store %s --root %s run --rm busybox cat",
		 step_path("nook"), store, root);
	run_shell(&r, cmd);
	expect_stdout(&r, ""); /* stdin is /dev/null without -i */
}

/** --memory, --cpus, --pids-limit reach the container's cgroup files. */
static void
test_run_limits(void **state)
{
	char name[64], cgroups[1024], cmd[1536];
	struct run r;

	(void)state;
	nook(&r, "run", "-d", "--name", unique_name(name, "limits"), "--memory", "64m", "--cpus",
	     "0.5", "--pids-limit", "20", "busybox", "sleep", "60");
	expect_status(&r, 0);
	cgroup_dirs(name, cgroups, sizeof(cgroups));
	snprintf(cmd, sizeof(cmd),
		 "for d in %s; do cd $d; cat memory.max memory.limit_in_bytes cpu.max "
		 "cpu.cfs_quota_us pids.max 2>/dev/null; done | sort | tr '\\n' ' '",
		 cgroups);
	run_shell(&r, cmd);
	expect_run(&r, strstr(r.out, "67108864") && strstr(r.out, "50000") && strstr(r.out, "20"),
		   "the limits in %s", cgroups);
}

/** --help lists every option of the table, as nook-run(1) does. */
static void
test_run_help(void **state)
{
	static const char *const opts[] = {"--detach",	    "--rm",	 "--name", "--env",
					   "--env-file",    "--workdir", "--user", "--volume",
					   "--read-only",   "--memory",	 "--cpus", "--pids-limit",
					   "--interactive", "--tty"};
	struct run r, m;

	(void)state;
	nook(&r, "run", "--help");
	run_step(&m, "nook", "--help-man", "nook-run", NULL);
	expect_status(&r, 0);
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		char roff[64];
		size_t n = 0;

		assert_non_null(strstr(r.out, opts[i]));
		for (const char *c = opts[i]; *c && n < sizeof(roff) - 3; c++)
			n += (size_t)snprintf(roff + n, sizeof(roff) - n, *c == '-' ? "\\-" : "%c",
					      *c);
		assert_non_null(strstr(m.out, roff));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_detach_ps_logs_rm, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_logs_follow, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_exec, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_exec_tty, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_run_tty, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_stop, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_kill, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_detach_rm, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_name_conflict, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_start_fails, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_bad_input, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_run_options, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_run_limits, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_run_help, test_setup, test_teardown),
	};

	return cmocka_run_group_tests_name("11-monitor", tests, setup, teardown);
}

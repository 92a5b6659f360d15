/**
 * @file 02-pid.c
 * @brief Step 02's tests: a PID namespace whose PID 1 is nook's init — it passes signals
 *        on, reaps orphans, and takes every process of the container with it when it ends.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define STEP "02-pid"

/** Seconds a signal may take to reach the command through init: far more than it needs. */
#define SIGNAL_TIMEOUT 5

static int
setup(void **state)
{
	(void)state;
	skip_unless_namespaces(CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID);
	return 0;
}

static void
command_is_pid_2_under_init(void **state)
{
	struct run r;

	(void)state;
	run_step(&r, STEP, "--", "/bin/sh", "-c", "echo $$", NULL);
	expect_status(&r, 0);
	expect_stdout(&r, "2\n");
}

/** Start a command that exits with @p code on @p sig, send it to 02-pid on the host. */
static void
signal_reaches_command(int sig, const char *name, int code)
{
	char script[128];
	struct proc p;
	struct run r;

	snprintf(script, sizeof(script),
		 "trap 'exit %d' %s; echo ready; while :; do sleep 0.05; done", code, name);
	start_step(&p, &r, STEP, "--", "/bin/sh", "-c", script, NULL);
	if (!wait_for_output(&p, "ready", RUN_TIMEOUT)) {
		finish(&p, 1);
		expect_ran(&r);
		expect_run(&r, false, "the command never printed 'ready'");
	}
	kill(p.pid, sig);
	finish(&p, SIGNAL_TIMEOUT);
	expect_run(&r, r.status == code,
		   "SIG%s sent to " STEP " should reach the command, "
		   "whose trap exits %d",
		   name, code);
}

static void
forwarded_signals_reach_the_command(void **state)
{
	(void)state;
	signal_reaches_command(SIGTERM, "TERM", 42);
	signal_reaches_command(SIGINT, "INT", 43);
	signal_reaches_command(SIGHUP, "HUP", 44);
	signal_reaches_command(SIGQUIT, "QUIT", 45);
	signal_reaches_command(SIGUSR1, "USR1", 46);
	signal_reaches_command(SIGUSR2, "USR2", 47);
}

/** The host PID of the one child of @p pid (02-pid's child is the container's init). */
static pid_t
only_child(pid_t pid)
{
	char path[64];
	FILE *f;
	int child = -1;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", pid, pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%d", &child) != 1)
		child = -1;
	fclose(f);
	return child;
}

/** Number of zombie children of @p parent, read from the host's /proc; -1 if it is gone. */
static int
zombie_children(pid_t parent)
{
	char path[64], line[512];
	int zombies = 0, pid;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", parent, parent);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fscanf(f, "%d", &pid) == 1) {
		char *state;
		FILE *st;

		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		st = fopen(path, "r");
		if (!st)
			continue;
		if (fgets(line, sizeof(line), st) && (state = strrchr(line, ')')) &&
		    state[2] == 'Z')
			zombies++;
		fclose(st);
	}
	fclose(f);
	return zombies;
}

static void
orphans_are_reaped(void **state)
{
	struct proc p;
	struct run r;
	pid_t init;
	int zombies;

	(void)state;
	/* The inner sh exits at once; its sleep becomes an orphan of init and dies in 0.2 s. */
	start_step(&p, &r, STEP, "--", "/bin/sh", "-c",
		   "/bin/sh -c 'sleep 0.2 &'; echo ready; sleep 1.5", NULL);
	if (!wait_for_output(&p, "ready", RUN_TIMEOUT)) {
		finish(&p, 1);
		expect_ran(&r);
		expect_run(&r, false, "the command never printed 'ready'");
	}
	init = only_child(p.pid);
	usleep(900 * 1000);
	zombies = init > 0 ? zombie_children(init) : -1;
	finish(&p, RUN_TIMEOUT);
	expect_status(&r, 0);
	if (init <= 0)
		fail_msg("could not find the container's init under %d", p.pid);
	if (zombies != 0)
		fail_msg("%d zombie(s) still under init (host PID %d) 0.7 s after the orphan died",
			 zombies, init);
}

/** Number of children of @p parent (from the host's /proc), zombies included. */
static int
count_children(pid_t parent)
{
	char path[64];
	int n = 0, pid;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", parent, parent);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fscanf(f, "%d", &pid) == 1)
		n++;
	fclose(f);
	return n;
}

/**
 * Many orphans that die at once are all reaped: their SIGCHLDs arrive as one (signals of a
 * kind do not queue), so an init that reaps one child per SIGCHLD leaves the rest as
 * zombies. A subshell leaves ORPHANS sleeps to init and exits; then, on SIGUSR1, the command
 * kills every process of the container but init and itself in one kill(-1, SIGKILL).
 */
#define ORPHANS 50
static void
many_orphans_dying_at_once_are_all_reaped(void **state)
{
	char script[256];
	struct proc p;
	struct run r;
	pid_t init;
	int before, after, zombies;

	(void)state;
	snprintf(script, sizeof(script),
		 "sh -c 'i=0; while [ $i -lt %d ]; do sleep 1000 & i=$((i+1)); done'; "
		 "trap 'kill -KILL -1; echo killed' USR1; echo ready; "
		 "while :; do sleep 0.05; done",
		 ORPHANS);
	start_step(&p, &r, STEP, "--", "/bin/sh", "-c", script, NULL);
	if (!wait_for_output(&p, "ready", RUN_TIMEOUT)) {
		finish(&p, 1);
		expect_run(&r, false, "the command never printed 'ready'");
	}
	init = only_child(p.pid);
	before = init > 0 ? count_children(init) : -1;
	kill(p.pid, SIGUSR1); /* passed on to the command, which kills them */
	if (wait_for_output(&p, "killed", SIGNAL_TIMEOUT)) /* then they die, are reaped */
		for (int i = 0; i < 60 && count_children(init) > 1; i++)
			usleep(50 * 1000); /* 3 s at most */
	after = count_children(init);
	zombies = zombie_children(init);
	/* SIGTERM, passed on, ends the command; an init gone wrong may hang: kill it */
	kill(p.pid, zombies == 0 && after == 1 ? SIGTERM : SIGKILL);
	finish(&p, SIGNAL_TIMEOUT);
	if (init <= 0)
		fail_msg("could not find the container's init under %d", p.pid);
	if (before < ORPHANS)
		fail_msg("expected %d orphans and the command under init (host PID %d), found %d "
			 "children",
			 ORPHANS, init, before);
	expect_run(&r, strstr(r.out, "killed\n") != NULL, "the command never killed the orphans");
	if (zombies < 0)
		fail_msg("the container's init (host PID %d) was gone before the orphans were "
			 "reaped",
			 init);
	if (zombies != 0)
		fail_msg("%d of %d orphans killed at once still zombies under init (host PID %d) "
			 "after 3 s: reap in a loop, since one SIGCHLD can stand for many",
			 zombies, ORPHANS, init);
	if (after != 1)
		fail_msg("after kill -KILL -1, expected only the command under init (host PID %d), "
			 "found %d children",
			 init, after);
	expect_run(&r, r.status == 128 + SIGTERM, "SIGTERM should have ended the container");
}

/** The host PID of a process whose command line is exactly @p a @p b, or 0. */
static pid_t
find_process(const char *a, const char *b)
{
	char path[300], cmd[256], want[256];
	struct dirent *d;
	size_t wantlen;
	pid_t found = 0;
	DIR *dir = opendir("/proc");

	wantlen = (size_t)snprintf(want, sizeof(want), "%s%c%s%c", a, 0, b, 0);
	while (dir && !found && (d = readdir(dir))) {
		FILE *f;
		size_t n;

		snprintf(path, sizeof(path), "/proc/%s/cmdline", d->d_name);
		if (d->d_name[0] < '1' || d->d_name[0] > '9' || !(f = fopen(path, "r")))
			continue;
		n = fread(cmd, 1, sizeof(cmd), f);
		fclose(f);
		if (n == wantlen && memcmp(cmd, want, n) == 0)
			found = atoi(d->d_name);
	}
	if (dir)
		closedir(dir);
	return found;
}

static void
background_processes_die_with_the_container(void **state)
{
	char seconds[32], script[128];
	struct proc p;
	struct run r;
	pid_t during, after;

	(void)state;
	snprintf(seconds, sizeof(seconds), "%d", 100000 + getpid()); /* a sleep all our own */
	snprintf(script, sizeof(script), "sleep %s >/dev/null 2>&1 & echo ready; sleep 0.5",
		 seconds);
	start_step(&p, &r, STEP, "--", "/bin/sh", "-c", script, NULL);
	wait_for_output(&p, "ready", RUN_TIMEOUT);
	usleep(100 * 1000);
	during = find_process("sleep", seconds);
	finish(&p, RUN_TIMEOUT);
	expect_status(&r, 0);
	if (!during)
		fail_msg("the background 'sleep %s' was not found while the container ran",
			 seconds);
	for (int i = 0; i < 20 && (after = find_process("sleep", seconds)); i++)
		usleep(50 * 1000);
	if (after) {
		kill(after, SIGKILL);
		fail_msg("'sleep %s' (host PID %d) outlived the container", seconds, after);
	}
}

static void
exit_status_passes_through_init(void **state)
{
	(void)state;
	expect_exit_statuses(STEP); /* through init, which exits with the command's status */
}

/** One Ctrl-C typed at nook's terminal reaches the command once — not via nook and init too. */
static void
one_ctrl_c_is_one_sigint(void **state)
{
	char *argv[] = {(char *)step_path(STEP),
			"--",
			"/bin/sh",
			"-c",
			"trap 'echo got-int' INT; echo ready; i=0; "
			"while [ $i -lt 15 ]; do sleep 0.1; i=$((i+1)); done; echo end",
			NULL};
	struct run r;
	int count = 0;

	(void)state;
	run_on_pty(&r, RUN_TIMEOUT, "ready", "\x03", argv);
	for (const char *p = strstr(r.out, "got-int"); p; p = strstr(p + 1, "got-int"))
		count++;
	expect_run(&r, r.status == 0 && strstr(r.out, "end"),
		   "the command should trap SIGINT and end by itself, exit 0");
	expect_run(&r, count == 1, "one Ctrl-C should deliver SIGINT once, not %d times", count);
	expect_run(&r, strstr(r.err, "canonical") != NULL,
		   "nook should give its terminal back as it was (canonical, echoing)");
}

/** In a terminal the command is the foreground process group of a terminal of its own. */
static void
the_command_has_a_terminal_of_its_own(void **state)
{
	char *argv[] = {(char *)step_path(STEP),
			"--",
			"/bin/sh",
			"-c",
			"tty; echo term=$TERM.; exec cut -d' ' -f1,5,8 /proc/self/stat",
			NULL};
	char *host_tty, *stat;
	struct run r;
	int pid = -1, pgrp = 0, tpgid = -1;

	(void)state;
	run_on_pty(&r, RUN_TIMEOUT, "", NULL, argv);
	expect_status(&r, 0);
	host_tty = strstr(r.out, "/dev/pts/");
	expect_run(&r, host_tty != NULL, "the command's stdin should be a terminal");
	stat = strstr(r.out, "term=");
	if (stat && strchr(stat, '\n'))
		sscanf(strchr(stat, '\n') + 1, "%d %d %d", &pid, &pgrp, &tpgid);
	expect_run(&r, pgrp == pid,
		   "the command should lead a process group of its own, not share init's");
	expect_run(&r, pgrp > 0 && tpgid == pgrp,
		   "the command's process group should be its terminal's foreground group");
	expect_run(&r, strstr(r.out, "term=") && !strstr(r.out, "term=."),
		   "with a terminal, the command should be given TERM");
}

/** A container that ignores SIGTERM is killed by the second one: nook stays stoppable. */
static void
a_second_sigterm_kills_what_ignores_the_first(void **state)
{
	struct proc p;
	struct run r;

	(void)state;
	start_step(&p, &r, STEP, "--", "/bin/sh", "-c", "trap '' TERM; echo ready; sleep 30", NULL);
	if (!wait_for_output(&p, "ready", RUN_TIMEOUT)) {
		finish(&p, 1);
		expect_run(&r, false, "the command never printed 'ready'");
	}
	kill(p.pid, SIGTERM);
	usleep(200 * 1000);
	kill(p.pid, SIGTERM);
	finish(&p, 5);
	expect_run(&r, !r.timed_out && r.status == 128 + SIGKILL,
		   "a second SIGTERM should kill the container (exit 137) at once");
}

/** A nook started with SIGINT ignored (`cmd &` in a script) still passes SIGINT on. */
static void
an_inherited_ignored_sigint_is_still_passed_on(void **state)
{
	struct proc p;
	struct run r;

	(void)state;
	signal(SIGINT, SIG_IGN); /* inherited through fork and exec by the step program */
	start_step(&p, &r, STEP, "--", "/bin/sh", "-c",
		   "trap 'exit 43' INT; echo ready; while :; do sleep 0.05; done", NULL);
	signal(SIGINT, SIG_DFL);
	if (!wait_for_output(&p, "ready", RUN_TIMEOUT)) {
		finish(&p, 1);
		expect_run(&r, false, "the command never printed 'ready'");
	}
	kill(p.pid, SIGINT);
	finish(&p, RUN_TIMEOUT);
	expect_run(&r, r.status == 43, "SIGINT should reach the command, whose trap exits 43");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(command_is_pid_2_under_init, setup),
		cmocka_unit_test_setup(forwarded_signals_reach_the_command, setup),
		cmocka_unit_test_setup(orphans_are_reaped, setup),
		cmocka_unit_test_setup(many_orphans_dying_at_once_are_all_reaped, setup),
		cmocka_unit_test_setup(background_processes_die_with_the_container, setup),
		cmocka_unit_test_setup(exit_status_passes_through_init, setup),
		cmocka_unit_test_setup(one_ctrl_c_is_one_sigint, setup),
		cmocka_unit_test_setup(the_command_has_a_terminal_of_its_own, setup),
		cmocka_unit_test_setup(a_second_sigterm_kills_what_ignores_the_first, setup),
		cmocka_unit_test_setup(an_inherited_ignored_sigint_is_still_passed_on, setup),
	};

	return cmocka_run_group_tests_name(STEP, tests, NULL, NULL);
}

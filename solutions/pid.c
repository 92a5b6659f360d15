/**
 * @file pid.c
 * @brief Step 02 — a PID namespace, and the duties of the process that becomes PID 1 in it.
 *
 * The first process cloned into a new PID namespace is PID 1 there (and some ordinary PID
 * on the host: a process has one PID in each namespace it can be seen from). Inside, it
 * sees only its own descendants. Being PID 1 comes with three duties the kernel imposes:
 *
 *  - Orphans are re-parented to it. When a process dies its children become PID 1's, and
 *    until PID 1 wait(2)s for them they stay zombies, holding a PID each.
 *  - It is protected from signals. The kernel drops any signal sent to PID 1 whose action
 *    is the default — even SIGTERM — unless PID 1 installed a handler (from the parent
 *    namespace SIGKILL and SIGSTOP still get through). A shell or a server that never
 *    expected to be PID 1 therefore ignores `docker stop`. A *blocked* signal, though, is
 *    queued rather than dropped, which is what lets init collect it with sigwaitinfo(2).
 *  - When PID 1 exits, the kernel sends SIGKILL to every other process in the namespace.
 *    The container ends when its init ends; nothing can outlive it.
 *
 * So, as `docker run --init` (tini) does, nook makes its own small init PID 1: it forks the
 * command (which becomes PID 2), passes on the signals it receives, reaps every child, and
 * exits with the command's status once the command ends — taking the rest with it.
 *
 * Further reading: pid_namespaces(7), wait(2), sigwaitinfo(2), LWN "Namespaces in operation,
 * part 3: PID namespaces" (https://lwn.net/Articles/531419/).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nook.h"

/**
 * PID 1's life, until the command has ended: every signal but SIGCHLD is passed on to the
 * command; SIGCHLD means one or more children ended — signals of one kind do not queue, so
 * one SIGCHLD may stand for fifty — and orphans are PID 1's children too, so each SIGCHLD
 * reaps every dead child there is, noting the command's status when it is among them.
 * Signals arrive as data: they are still blocked, inherited from nook, so they queue up
 * (nook_wait_signals() names them) instead of being dropped as PID 1's default actions
 * are. An error other than an interruption cannot be handled — a seccomp profile that
 * denies rt_sigtimedwait, say — and would otherwise spin for ever: it ends the container.
 *
 * @return 0 with the command's status in @p status (as nook_wait_status() makes it), or
 *         -1 with @p err.
 */
static int
init_loop(pid_t command, int *status, struct nook_error *err)
{
	/* EXERCISE 02: be the container's init until the command ends: pass every signal nook forwards on to the command, reap every child that dies (orphans too, many at once), and return 0 with the command's exit status once it is reaped. Tests: no zombies, kill -TERM reaches the command, exit status kept */
	sigset_t set;
	int sig, wstatus;
	pid_t pid;

	nook_wait_signals(&set);
	for (;;) {
		sig = sigwaitinfo(&set, NULL);
		if (sig < 0 && errno == EINTR)
			continue;
		if (sig < 0)
			return nook_fail(err, errno, "nook-init: sigwaitinfo");
		if (sig != SIGCHLD) {
			kill(command, sig);
			continue;
		}
		while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0)
			if (pid == command) {
				*status = nook_wait_status(wstatus);
				return 0;
			}
	}
	/* END EXERCISE */
}

/**
 * Before forking the command, while init can still report to nook: can it make the calls
 * its loop needs? A seccomp profile may deny them; better said now than spun on later.
 */
static int
init_can_wait(struct nook_error *err)
{
	const struct timespec now = {0, 0};
	sigset_t set;

	nook_wait_signals(&set);
	if (sigtimedwait(&set, NULL, &now) < 0 && errno != EAGAIN && errno != EINTR)
		return nook_fail(err, errno,
				 "nook-init: rt_sigtimedwait (denied by the seccomp "
				 "profile?)");
	if (waitpid(-1, NULL, WNOHANG) < 0 && errno != ECHILD)
		return nook_fail(err, errno, "nook-init: wait4 (denied by the seccomp profile?)");
	return 0;
}

/** Copy the command's arguments out of the memory forget_cmdline() clears; -1 if no room. */
static int
keep_argv(struct nook_container *c)
{
	size_t n = 0;
	char **copy;

	while (c->argv[n])
		n++;
	copy = calloc(n + 1, sizeof(*copy));
	for (size_t i = 0; copy && i < n; i++)
		if (!(copy[i] = strdup(c->argv[i])))
			return -1;
	if (!copy)
		return -1;
	c->argv = copy;
	return 0;
}

/**
 * Make nook-init's /proc/PID/cmdline say "nook-init" alone. What cmdline shows is the
 * memory of the command line nook was started with on the host — the image's path, the
 * volumes, every --env — and any process in the container may read it, undumpable or not.
 * It is done before the command is forked — or the command could read it first — so its
 * arguments are copied out of that memory first (keep_argv). The bounds of
 * that memory are fields 48 and 49 of /proc/self/stat (proc(5)); if they cannot be read
 * (a profile that denies open), the command line stays as it was.
 */
static void
forget_cmdline(struct nook_container *c)
{
	unsigned long start = 0, end = 0;
	char buf[1024], *p;
	FILE *f = fopen("/proc/self/stat", "re");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the name may hold spaces and parentheses: skip past it */
	for (int field = 2; p && field < 48; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %lu %lu", &start, &end) != 2 || end <= start)
		return;
	if (keep_argv(c) < 0)
		return;
	memset((char *)start, 0, end - start);
	snprintf((char *)start, end - start, "nook-init");
	/* A last byte that is not NUL tells the kernel the area was rewritten, as
	 * setproctitle(3) does: cmdline is then read up to the first NUL — "nook-init" — and
	 * not as the whole area, NULs and all (ps and podman top show those as spaces). */
	if (end - start > sizeof("nook-init"))
		((char *)end)[-1] = ' ';
}

/**
 * The command, in the child of init: a process group of its own, and the terminal's
 * foreground one if there is a terminal — so Ctrl-C reaches the command, not init.
 */
static int
start_command(struct nook_container *c, struct nook_error *err)
{
	nook_trace_note("02-pid.md#the-three-duties-of-pid-1",
			"fork() = 0: the command, PID %d, forked by nook-init", (int)getpid());
	/* EXERCISE 02: make the command the leader of a process group of its own and, when its stdin is a terminal, that terminal's foreground group, so that a Ctrl-C typed there reaches the command's group once, and init (which passes signals on) not at all. The tests type Ctrl-C into a container's terminal and count the SIGINTs. */
	if (NOOK_TRACED("02-pid.md#the-three-duties-of-pid-1", setpgid(0, 0)) < 0)
		return nook_fail(err, errno, "setpgid(0, 0)");
	if (isatty(STDIN_FILENO)) {
		signal(SIGTTOU, SIG_IGN); /* or a background group that takes the terminal stops */
		tcsetpgrp(STDIN_FILENO, getpid());
		signal(SIGTTOU, SIG_DFL);
	}
	/* END EXERCISE */
	nook_exec_command(c);
}

/**
 * Replaces the plain exec: become init, fork the command as PID 2, and _exit(2) with its
 * status. Exiting makes the kernel kill whatever is left in the namespace. Once the
 * command is forked init lets go of the report pipe: it is the command's to close by
 * executing, and nothing inside the container can then write into it.
 */
static int
pid_exec(struct nook_container *c, struct nook_error *err)
{
	pid_t command;
	int status = NOOK_EXIT_FAILURE;

	//! [pid_exec]
	signal(SIGCHLD, SIG_DFL); /* an inherited SIG_IGN would make the kernel reap for us */
	prctl(PR_SET_NAME, "nook-init");
	if (init_can_wait(err) < 0)
		return -1;
	forget_cmdline(c);
	command = fork();
	if (command < 0)
		return nook_fail(err, errno, "fork");
	if (command == 0 && start_command(c, err) < 0)
		nook_report(c, err);
	close(c->run.errfd);
	trace_end(); /* --trace: init keeps no descriptor of the host's */
	if (init_loop(command, &status, err) < 0) {
		dprintf(STDERR_FILENO, "%s\n", err->msg); /* nook no longer listens */
		_exit(NOOK_EXIT_FAILURE);
	}
	_exit(status);
	//! [pid_exec]
}

//! [pid_stage]
/** Step 02's stage: a new PID namespace with nook's init as its PID 1. */
const struct nook_stage pid_stage = {
	.name = "pid",
	.clone_flags = CLONE_NEWPID,
	.exec = pid_exec,
};
//! [pid_stage]

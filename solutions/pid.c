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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nook.h"

/**
 * One signal arrived at init: pass it on to the command, or reap. Sets @p status and
 * returns 1 once the command itself has been reaped, returns 0 otherwise.
 */
static int
init_handle(pid_t command, int sig, int *status, struct nook_error *err)
{
	/*
	 * Any signal but SIGCHLD is for the command: pass it on. SIGCHLD means one or more
	 * children ended (signals of one kind do not queue up, so reap in a loop until
	 * waitpid says none is left). Orphans are children of PID 1 too: reap them all, and
	 * note the command's status when it is among them.
	 */
	/* EXERCISE 02: forward sig to the command (kill(2)); on SIGCHLD reap every dead child (waitpid(2) with WNOHANG) and return 1 once the command is reaped */
	pid_t pid;
	int wstatus;

	(void)err;
	if (sig != SIGCHLD) {
		kill(command, sig);
		return 0;
	}
	while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0) {
		if (pid == command) {
			*status = nook_wait_status(wstatus);
			return 1;
		}
	}
	return 0;
	/* END EXERCISE */
}

/**
 * PID 1's life: wait for signals until the command has ended; returns its status. An
 * error other than an interruption cannot be handled — a seccomp profile that denies
 * rt_sigtimedwait, say — and would otherwise spin for ever: it ends the container.
 */
static int
init_loop(pid_t command, int *status, struct nook_error *err)
{
	sigset_t set;
	int sig, done;

	nook_wait_signals(&set); /* still blocked, inherited from nook: they queue up */
	for (;;) {
		sig = sigwaitinfo(&set, NULL);
		if (sig < 0 && errno == EINTR)
			continue;
		if (sig < 0)
			return nook_fail(err, errno, "nook-init: sigwaitinfo");
		done = init_handle(command, sig, status, err);
		if (done < 0)
			return -1;
		if (done)
			return 0;
	}
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

/**
 * The command, in the child of init: a process group of its own, and the terminal's
 * foreground one if there is a terminal — so Ctrl-C reaches the command, not init.
 */
static void
start_command(struct nook_container *c)
{
	setpgid(0, 0);
	if (isatty(STDIN_FILENO)) {
		signal(SIGTTOU, SIG_IGN); /* or a background group that takes the terminal stops */
		tcsetpgrp(STDIN_FILENO, getpid());
		signal(SIGTTOU, SIG_DFL);
	}
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
	command = fork();
	if (command < 0)
		return nook_fail(err, errno, "fork");
	if (command == 0)
		start_command(c);
	close(c->run.errfd);
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

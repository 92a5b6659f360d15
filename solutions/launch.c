/**
 * @file launch.c
 * @brief Starting a container: clone into new namespaces, prepare both sides, exec, wait.
 *
 * The order of events matters more than any single call, so here it is in one place:
 *
 *  1. The forwarded signals and SIGCHLD are blocked in nook itself. From now on they queue
 *     up instead of interrupting us, and the wait loop collects them with sigwaitinfo(2).
 *     This comes first: a SIGTERM's default action, arriving once step 2 has created
 *     something, would end nook without its cleanups and leave that behind.
 *  2. prepare() of every stage, on the host: defaults and validation, and whatever must
 *     exist before the child does (step 06's cgroup, which the child is cloned into).
 *     A refusal here still runs the cleanups, which tolerate what was never created.
 *  3. clone3(2) with the stages' CLONE_NEW* flags. The kernel creates the namespaces and
 *     the child in one step; the child starts *inside* them. Without a stack argument
 *     clone3 behaves like fork(2): the child continues from the same point.
 *  4. The child waits on a pipe while the host side runs every stage's parent() — things
 *     only the host can do for it (uid maps, veth, cgroups). One byte on the pipe says go;
 *     end-of-file says the parent gave up, and the child quietly exits.
 *  5. The child runs every stage's child() in list order, inside its namespaces, then
 *     execs the command (or hands over to a stage's exec(), such as step 02's init).
 *     A failure there is written as a struct nook_error to an error pipe that is closed
 *     on exec: the host reads either a report or nothing.
 *  6. The host forwards the signals it receives and waits; the container's status becomes
 *     nook's exit status, 128+N for a death by signal N, as a shell reports it. A stage's
 *     exited() may explain that status instead (step 06: killed for lack of memory).
 *  7. cleanup() of every stage in reverse order — also after a failure halfway.
 *
 * Further reading: clone(2), namespaces(7), signal(7), sigwaitinfo(2).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nook.h"

/** The signals nook passes on to the container, as docker and tini do. */
static const int forwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

/** Fill @p set with the forwarded signals and SIGCHLD: what a waiting parent listens to. */
void
nook_wait_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(set, forwarded[i]);
}

/** A wait(2) status as a shell would report it: the exit code, or 128+N for signal N. */
int
nook_wait_status(int wstatus)
{
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return WEXITSTATUS(wstatus);
}

/**
 * In the container: send @p err to the host through the error pipe, and exit with its code.
 * The struct is smaller than PIPE_BUF, so the write is atomic and never blocks.
 */
void
nook_report(struct nook_container *c, const struct nook_error *err)
{
	if (write(c->run.errfd, err, sizeof(*err)) < 0)
		_exit(err->code);
	_exit(err->code);
}

/**
 * After execvp(3) failed with EACCES: is there no file @p name in any PATH directory we
 * can search? execvp says EACCES both for a file it may not execute (126) and for a PATH
 * directory it may not search — such as the host's /root/bin, seen by the root of a user
 * namespace, who is nobody on the host. The command is simply not found then (127).
 */
static bool
not_in_path(const char *name)
{
	const char *path = getenv("PATH"), *end;
	char file[4096];

	if (strchr(name, '/'))
		return false;
	for (const char *dir = path ? path : "/bin:/usr/bin";; dir = end + 1) {
		end = strchrnul(dir, ':');
		snprintf(file, sizeof(file), "%.*s/%s", end > dir ? (int)(end - dir) : 1,
			 end > dir ? dir : ".", name);
		if (access(file, F_OK) == 0)
			return false;
		if (*end == '\0')
			return true;
	}
}

/**
 * In the container: restore the signal mask nook blocked (a mask survives execve(2)) and
 * exec the command. Only returns to report why it could not: 127 when the command is not
 * found, 126 when it is there but cannot run.
 */
void
nook_exec_command(struct nook_container *c)
{
	struct nook_error err;
	int code;

	sigprocmask(SIG_SETMASK, &c->run.sigmask, NULL);
	execvp(c->argv[0], c->argv);
	if (errno == EACCES && not_in_path(c->argv[0]))
		errno = ENOENT;
	code = errno == ENOENT ? NOOK_EXIT_NOT_FOUND : NOOK_EXIT_CANNOT_EXEC;
	nook_fail_code(&err, code, errno, "execvp(\"%s\")", c->argv[0]);
	nook_report(c, &err);
}

/** The container's side, from clone to exec. Never returns. */
static void
child_main(struct nook_container *c, const struct nook_stage *const *stages, int syncfd)
{
	const struct nook_stage *runner = NULL;
	struct nook_error err;
	char go;

	/* If nook dies, so does the container: no process is left behind. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
		nook_fail(&err, errno, "prctl(PR_SET_PDEATHSIG)");
		nook_report(c, &err);
	}
	if (read(syncfd, &go, 1) != 1)
		_exit(NOOK_EXIT_FAILURE); /* the host gave up; it reports why */
	close(syncfd);

	for (size_t i = 0; stages[i]; i++) {
		if (stages[i]->child && stages[i]->child(c, &err) < 0)
			nook_report(c, &err);
		if (stages[i]->exec)
			runner = stages[i];
	}
	if (runner) {
		runner->exec(c, &err);
		nook_report(c, &err);
	}
	nook_exec_command(c);
}

/**
 * clone3(2) as a fork(2) into new namespaces: returns twice, 0 in the child. When a stage
 * set c->run.cgroup_fd, the child starts in that cgroup (CLONE_INTO_CGROUP, Linux 5.7); a
 * kernel that does not know the flag gets a plain clone, and cgroup_fd becomes -1 to say so.
 */
static pid_t
clone_into(struct nook_container *c, int flags, struct nook_error *err)
{
	struct clone_args args = {.flags = (unsigned)flags, .exit_signal = SIGCHLD};
	long pid;

	if (c->run.cgroup_fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (unsigned)c->run.cgroup_fd;
	}
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0 && c->run.cgroup_fd >= 0 && (errno == E2BIG || errno == EINVAL)) {
		c->run.cgroup_fd = -1;
		args.flags = (unsigned)flags;
		args.cgroup = 0;
		pid = syscall(SYS_clone3, &args, sizeof(args));
	}
	if (pid < 0)
		return nook_fail(err, errno, "clone3(%#x)", flags);
	return (pid_t)pid;
}

/** Until the container's first process ends: pass signals on, then return its status. */
static int
wait_container(pid_t pid)
{
	sigset_t set;
	int sig, wstatus;

	nook_wait_signals(&set);
	for (;;) {
		sig = sigwaitinfo(&set, NULL);
		if (sig < 0)
			continue; /* EINTR: a stopped-and-continued nook */
		if (sig != SIGCHLD) {
			kill(pid, sig);
			continue;
		}
		if (waitpid(pid, &wstatus, WNOHANG) == pid)
			return nook_wait_status(wstatus);
	}
}

/** Kill a container that never got going, and reap it. */
static void
abort_container(pid_t pid)
{
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/** The namespaces to clone into: every stage's fixed flags, and those @p c asks for. */
static int
flags_of(const struct nook_container *c, const struct nook_stage *const *stages)
{
	int flags = 0;

	for (size_t i = 0; stages[i]; i++) {
		flags |= stages[i]->clone_flags;
		if (stages[i]->flags)
			flags |= stages[i]->flags(c);
	}
	return flags;
}

static int
run_parent_hooks(struct nook_container *c, const struct nook_stage *const *stages,
		 struct nook_error *err)
{
	for (size_t i = 0; stages[i]; i++)
		if (stages[i]->parent && stages[i]->parent(c, err) < 0)
			return -1;
	return 0;
}

static void
run_cleanups(struct nook_container *c, const struct nook_stage *const *stages)
{
	size_t n = 0;

	while (stages[n])
		n++;
	while (n-- > 0)
		if (stages[n]->cleanup)
			stages[n]->cleanup(c);
}

static int
run_prepares(struct nook_container *c, const struct nook_stage *const *stages,
	     struct nook_error *err)
{
	for (size_t i = 0; stages[i]; i++)
		if (stages[i]->prepare && stages[i]->prepare(c, err) < 0)
			return -1;
	return 0;
}

/** Let the stages explain how the container ended; returns @p status or -1 with @p err. */
static int
run_exited_hooks(struct nook_container *c, const struct nook_stage *const *stages, int status,
		 struct nook_error *err)
{
	for (size_t i = 0; stages[i]; i++)
		if (stages[i]->exited && stages[i]->exited(c, status, err) < 0)
			return -1;
	return status;
}

/** After the container ended: did its setup or its exec fail? Reads the error pipe. */
static int
child_failed(int errfd, struct nook_error *err)
{
	ssize_t n;

	n = read(errfd, err, sizeof(*err));
	if (n != (ssize_t)sizeof(*err))
		return 0;
	err->msg[sizeof(err->msg) - 1] = '\0';
	return 1;
}

/** Clone, release and wait for the container; the host-side half of nook_run(). */
static int
start_and_wait(struct nook_container *c, const struct nook_stage *const *stages, int syncfd[2],
	       int errfd[2], struct nook_error *err)
{
	int status;

	fflush(NULL); /* the child must not write out our buffers a second time */
	c->run.pid = clone_into(c, flags_of(c, stages), err);
	if (c->run.pid < 0)
		return -1;
	if (c->run.pid == 0) {
		close(syncfd[1]);
		close(errfd[0]);
		c->run.errfd = errfd[1];
		child_main(c, stages, syncfd[0]);
	}
	close(syncfd[0]);
	close(errfd[1]);
	if (run_parent_hooks(c, stages, err) < 0) {
		abort_container(c->run.pid);
		return -1;
	}
	if (write(syncfd[1], "g", 1) != 1) {
		nook_fail(err, errno, "write(sync pipe)");
		abort_container(c->run.pid);
		return -1;
	}
	status = wait_container(c->run.pid);
	if (child_failed(errfd[0], err))
		return -1;
	return run_exited_hooks(c, stages, status, err);
}

/** The sync pipe (host to child: go) and the error pipe (child to host: what failed). */
static int
open_pipes(int syncfd[2], int errfd[2], struct nook_error *err)
{
	if (pipe2(syncfd, O_CLOEXEC) < 0)
		return nook_fail(err, errno, "pipe2");
	if (pipe2(errfd, O_CLOEXEC) < 0) {
		close(syncfd[0]);
		close(syncfd[1]);
		return nook_fail(err, errno, "pipe2");
	}
	return 0;
}

/**
 * Run the container described by @p c through @p stages, from clone to its end.
 *
 * @return the container's exit status (0-255), or -1 with @p err set when nook itself, or
 *         the exec of the command, failed. Every stage's cleanup has run either way.
 */
int
nook_run(struct nook_container *c, const struct nook_stage *const *stages, struct nook_error *err)
{
	int syncfd[2], errfd[2], status;
	sigset_t set;

	c->run.pid = -1;
	c->run.cgroup_fd = -1;
	nook_wait_signals(&set);
	sigprocmask(SIG_BLOCK, &set, &c->run.sigmask);
	if (run_prepares(c, stages, err) < 0 || open_pipes(syncfd, errfd, err) < 0) {
		run_cleanups(c, stages);
		sigprocmask(SIG_SETMASK, &c->run.sigmask, NULL);
		return -1;
	}
	status = start_and_wait(c, stages, syncfd, errfd, err);
	run_cleanups(c, stages);
	sigprocmask(SIG_SETMASK, &c->run.sigmask, NULL);
	close(syncfd[1]);
	close(errfd[0]);
	if (c->run.pid < 0) { /* clone failed: the child's ends are still ours */
		close(syncfd[0]);
		close(errfd[1]);
	}
	return status;
}

/**
 * @file launch.c
 * @brief A container's life: create (set up, waiting), start (run the command), wait (until
 *        it ends), destroy (remove what it left) — the same four verbs as an OCI runtime's.
 *
 * The order of events matters more than any single call, so here it is in one place.
 *
 * **create**
 *  1. The signals nook listens to are blocked and read from a signalfd(2) from now on: they
 *     queue up instead of interrupting us (a SIGTERM's default action, arriving once
 *     something exists, would end nook without its cleanups). One inherited as ignored —
 *     a job started with `&` from a script ignores SIGINT — is reset, or it would be lost.
 *  2. The container gets its ID and its state directory, whose lock tells later runtimes
 *     that this one is alive (state.c). Then prepare() of every stage, on the host:
 *     defaults, validation, and what must exist before the child (step 06's cgroup).
 *  3. clone3(2) with the stages' CLONE_NEW* flags: the child starts *inside* them.
 *  4. The child first cuts itself off from the caller (isolate()): it closes every
 *     descriptor it inherited but its own pipes — a descriptor of a host directory is a way
 *     out through /proc/self/fd — and calls setsid(2), so that it has no controlling
 *     terminal (TIOCSTI into the caller's could make the caller's shell run commands) and
 *     a process group of its own (kill(0, ...) inside reaches only the container).
 *  5. The child waits on the sync pipe while the host runs every stage's parent(): uid
 *     maps, veth, cgroups. One byte says go; end-of-file says the host gave up.
 *  6. The child runs every stage's child() in list order, gets its standard streams (a
 *     pty, or pipes: stdio.c) and reports "ready". create returns: the container waits.
 *
 * **start** sends the second byte. The child loads the stages' seal() (step 09's filter),
 * makes itself undumpable (nothing in the container may read its memory or descriptors
 * through /proc), reports "exec" and executes the command — or a stage's exec() does
 * (step 02's init forks it). The report pipe is closed on exec, so the host reads either
 * an error or end-of-file after "exec": then the command runs, and from that moment no
 * report is read any more — whatever the container writes into a pipe it finds cannot be
 * taken for nook's. A child that ends without a word (a filter denying write(2)) is
 * explained from its exit status.
 *
 * **wait** relays the standard streams, passes the signals nook receives on (a second
 * SIGTERM or SIGINT kills the container: nook can always be stopped), and returns the
 * status — 128+N for a death by signal N, as a shell reports it; a stage's exited() may
 * explain it (step 06: killed for lack of memory).
 *
 * **destroy** runs cleanup() of every stage in reverse order — also after a failure
 * halfway — and removes the state directory, saying so if it cannot.
 *
 * Further reading: clone(2), namespaces(7), signalfd(2), setsid(2), credentials(7),
 * close_range(2), prctl(2) (PR_SET_PDEATHSIG, PR_SET_DUMPABLE).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nook.h"

/** The signals nook passes on to the container, as docker and tini do. */
static const int forwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

#define NFORWARDED (sizeof(forwarded) / sizeof(forwarded[0]))

/** The PATH a container's command is looked up in, and runs with: Docker's. */
#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* ---- both sides ------------------------------------------------------------------------ */

/** Fill @p set with the forwarded signals and SIGCHLD: what a waiting parent listens to. */
void
nook_wait_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	for (size_t i = 0; i < NFORWARDED; i++)
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

/* ---- in the container ----------------------------------------------------------------- */

/** Send one report; 0, or -1 when the pipe is gone or write(2) is refused. */
static int
send_report(struct nook_container *c, int kind, const struct nook_error *err)
{
	struct nook_report r = {.kind = kind};

	if (err)
		r.err = *err;
	return write(c->run.errfd, &r, sizeof(r)) == (ssize_t)sizeof(r) ? 0 : -1;
}

/** In the container: send @p err to the host, and exit with its code. */
void
nook_report(struct nook_container *c, const struct nook_error *err)
{
	trace_release();
	send_report(c, NOOK_REPORT_ERROR, err);
	_exit(err->code);
}

/** In the container, just before execve(2): tell the host the command is being run. */
int
nook_said_exec(struct nook_container *c)
{
	return send_report(c, NOOK_REPORT_EXEC, NULL);
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

/** The PATH the command is looked up in: the container's, as execvp(3) will read it. */
static const char *
command_path(const struct nook_container *c)
{
	for (int i = 0; c->env[i]; i++)
		if (strncmp(c->env[i], "PATH=", 5) == 0)
			return c->env[i] + 5;
	return "/bin:/usr/bin"; /* execvp's own default */
}

/**
 * OCI create, inside, before the container waits for start: is there a command to
 * execute? runc looks it up there too, so that a missing command fails `create`, where an
 * engine expects it — podman turns a create error saying "No such file or directory" into
 * its exit status 127 — rather than `start`, whose failure it reports as 126. A first look
 * only: execvp(3) has the last word at start.
 */
static int
command_exists(const struct nook_container *c, struct nook_error *err)
{
	const char *name = c->argv[0], *dir, *end;
	char file[4096];
	int e = ENOENT;

	for (dir = command_path(c);; dir = end + 1) {
		end = strchrnul(dir, ':');
		if (strchr(name, '/'))
			snprintf(file, sizeof(file), "%s", name);
		else
			snprintf(file, sizeof(file), "%.*s/%s", end > dir ? (int)(end - dir) : 1,
				 end > dir ? dir : ".", name);
		if (access(file, X_OK) == 0)
			return 0;
		if (access(file, F_OK) == 0)
			e = EACCES; /* there, but not executable: 126 unless found further on */
		if (*end == '\0' || strchr(name, '/'))
			break;
	}
	return nook_fail_code(err, e == ENOENT ? NOOK_EXIT_NOT_FOUND : NOOK_EXIT_CANNOT_EXEC, e,
			      "execvp(\"%s\")", name);
}

/**
 * In the container: restore the signal mask nook blocked (a mask survives execve(2)), take
 * the container's environment — also for the PATH lookup — and exec the command. Only
 * returns to report why it could not: 127 when not found, 126 when it cannot run.
 */
void
nook_exec_command(struct nook_container *c)
{
	struct nook_error err;
	int code;

	sigprocmask(SIG_SETMASK, &c->run.sigmask, NULL);
	environ = c->env;
	nook_trace_note("01-uts.md#how-nook-starts-a-container", "execvp(\"%s\") ...", c->argv[0]);
	if (nook_said_exec(c) < 0)
		_exit(NOOK_EXIT_FAILURE); /* the host explains a silent end */
	nook_trace("01-uts.md#how-nook-starts-a-container", execvp(c->argv[0], c->argv),
		   "execvp(\"%s\")", c->argv[0]);
	if (errno == EACCES && not_in_path(c->argv[0]))
		errno = ENOENT;
	code = errno == ENOENT ? NOOK_EXIT_NOT_FOUND : NOOK_EXIT_CANNOT_EXEC;
	nook_fail_code(&err, code, errno, "execvp(\"%s\")", c->argv[0]);
	nook_report(c, &err);
}

/** Ascending order, for qsort(3). */
static int
by_number(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/**
 * Close every descriptor but 0-2, the @p n in @p keep and --preserve-fds: close_range(2)
 * over the gaps between them (Linux 5.9), one close(2) at a time on an older kernel.
 */
static void
close_others(int *keep, int n, int preserve)
{
	unsigned from = 3 + (unsigned)preserve;

	qsort(keep, (size_t)n, sizeof(*keep), by_number);
	for (int i = 0; i <= n; i++) {
		unsigned to = i < n ? (unsigned)keep[i] - 1 : ~0U;

		if (i < n && (unsigned)keep[i] < from)
			continue;
		if (from <= to && syscall(SYS_close_range, from, to, 0) < 0)
			for (long fd = from; fd <= (to < 65536 ? (long)to : 65535L); fd++)
				close((int)fd);
		if (i < n)
			from = (unsigned)keep[i] + 1;
	}
}

/** If the container should die with its runtime: SIGKILL when nook dies. */
static void
arm_parent_death(struct nook_container *c)
{
	struct nook_error err;

	/* Cleared by the kernel when credentials change: armed again after the stages. */
	if (c->die_with_parent &&
	    nook_trace("01-uts.md#how-nook-starts-a-container", prctl(PR_SET_PDEATHSIG, SIGKILL),
		       "prctl(PR_SET_PDEATHSIG, SIGKILL)") < 0) {
		nook_fail(&err, errno, "prctl(PR_SET_PDEATHSIG)");
		nook_report(c, &err);
	}
}

/**
 * First thing in the child: let go of everything the caller gave it — descriptors, the
 * session and its controlling terminal, the process group — see the top of this file.
 */
static void
isolate(struct nook_container *c)
{
	int keep[9 + NOOK_CGROUP_MAX_DIRS], n;
	struct nook_error err;

	keep[0] = c->run.syncfd;
	keep[1] = c->run.errfd;
	n = 2 + stdio_child_fds(c, keep + 2);
	n += cgroup_child_fds(c, keep + n); /* step 06: the child joins its groups through them */
	if (trace_fd() >= 0)
		keep[n++] = trace_fd(); /* the original stderr, for --trace: close-on-exec */
	close_others(keep, n, c->preserve_fds);
	nook_trace("01-uts.md#how-nook-starts-a-container", 0,
		   "close_range(3, ~0U) around the %d kept", n);
	if (nook_trace("01-uts.md#how-nook-starts-a-container", setsid(), "setsid()") < 0) {
		nook_fail(&err, errno, "setsid");
		nook_report(c, &err);
	}
	arm_parent_death(c);
}

/** Wait for one byte from the host on the sync pipe; end-of-file: it gave up, so do we. */
static void
await_host(struct nook_container *c)
{
	char go;
	long got = nook_trace("01-uts.md#how-nook-starts-a-container", read(c->run.syncfd, &go, 1),
			      "read(sync pipe)");

	trace_release(); /* the lines held since clone: the host's are written by now */
	if (got != 1)
		_exit(NOOK_EXIT_FAILURE); /* the host reports why */
}

//! [await_start]
/**
 * OCI create: the runtime that made the container is gone by now, so "start" is not a
 * byte from it but a reader on the FIFO BASE/ID/exec.fifo (runc's exec.fifo): opening it
 * for writing blocks until `start` opens it for reading (cmd_start.c). The FIFO was opened
 * as O_PATH before the pivot (its path is not in the container's tree) and is reopened
 * through /proc/self/fd. From then on the reports go into the FIFO, to `start`.
 */
static void
await_start(struct nook_container *c)
{
	struct nook_error err;
	char path[64];
	int fd;

	if (!c->exec_fifo) {
		await_host(c);
		return;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", c->run.fifofd);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		nook_fail(&err, errno, "open(\"%s\")", c->exec_fifo);
		nook_report(c, &err);
	}
	if (dup3(fd, c->run.errfd, O_CLOEXEC) < 0)
		_exit(NOOK_EXIT_FAILURE);
	close(fd);
	close(c->run.fifofd);
}
//! [await_start]

/** Every stage's hook @p which (child or seal) in list order; reports the first failure. */
static void
run_child_hooks(struct nook_container *c, const struct nook_stage *const *stages, bool seal)
{
	struct nook_error err;
	struct timespec t;

	for (size_t i = 0; stages[i]; i++) {
		int (*hook)(struct nook_container *, struct nook_error *) =
			seal ? stages[i]->seal : stages[i]->child;

		trace_clock(&t);
		if (hook && hook(c, &err) < 0) {
			nook_trace_note(NULL, "%s %s failed: %s", stages[i]->name,
					seal ? "seal" : "child", err.msg);
			nook_report(c, &err);
		}
		if (hook)
			trace_stage(stages[i]->name, seal ? "seal" : "child", &t);
	}
}

/** The container's side, from clone to exec. Never returns. */
static void
child_main(struct nook_container *c, const struct nook_stage *const *stages)
{
	const struct nook_stage *runner = NULL;
	struct nook_error err;

	trace_inside(); /* the lines are the container's from here */
	isolate(c);
	if (c->exec_fifo) {
		c->run.fifofd = open(c->exec_fifo, O_PATH | O_CLOEXEC);
		if (c->run.fifofd < 0) {
			nook_fail(&err, errno, "open(\"%s\", O_PATH)", c->exec_fifo);
			nook_report(c, &err);
		}
	}
	await_host(c); /* go: the parent() hooks are done */
	run_child_hooks(c, stages, false);
	if (stdio_child(c, &err) < 0 || (c->exec_fifo && command_exists(c, &err) < 0))
		nook_report(c, &err);
	arm_parent_death(c);
	if (send_report(c, NOOK_REPORT_READY, NULL) < 0)
		_exit(NOOK_EXIT_FAILURE);
	await_start(c);
	close(c->run.syncfd);
	/* Nothing inside may read this process through /proc from now on; execve(2) of
	 * the command makes a new, dumpable image, but init (step 02) stays as it is. */
	if (nook_trace("01-uts.md#how-nook-starts-a-container", prctl(PR_SET_DUMPABLE, 0),
		       "prctl(PR_SET_DUMPABLE, 0)") < 0) {
		nook_fail(&err, errno, "prctl(PR_SET_DUMPABLE, 0)");
		nook_report(c, &err);
	}
	run_child_hooks(c, stages, true);
	for (size_t i = 0; stages[i]; i++)
		if (stages[i]->exec)
			runner = stages[i];
	if (runner) {
		runner->exec(c, &err);
		nook_report(c, &err);
	}
	nook_exec_command(c);
}

/* ---- on the host: create ---------------------------------------------------------------- */

/** Trace the clone3(2) of clone_into() that returned @p pid (not 0: not in the child). */
static void
trace_clone3(const struct nook_container *c, int flags, long pid)
{
	char names[160];

	if (!trace_on())
		return;
	trace_clone_flags(flags, names, sizeof(names));
	nook_trace("01-uts.md#clone32", pid, "clone3(%s%s)", names,
		   c->run.cgroup_fd >= 0 ? "|CLONE_INTO_CGROUP" : "");
}

/**
 * clone3(2) as a fork(2) into new namespaces: returns twice, 0 in the child. When a stage
 * set c->run.cgroup_fd, the child starts in that cgroup (CLONE_INTO_CGROUP, Linux 5.7); a
 * kernel that does not know the flag gets a plain clone, and cgroup_fd becomes -1 to say so.
 */
static pid_t
clone_into(struct nook_container *c, int flags, struct nook_error *err)
{
	struct clone_args args = {0};
	long pid;

	if (c->run.cgroup_fd >= 0) { /* step 06: the child starts inside this cgroup */
		args.flags = CLONE_INTO_CGROUP;
		args.cgroup = (unsigned)c->run.cgroup_fd;
	}
	/* EXERCISE 01: create the container's first process as fork(2) would (0 returned in it, its pid here, a SIGCHLD to nook when it ends), but already inside the new namespaces in flags; keep what args asks for already. Tests: hostname and IPC queues not shared with the host, exit statuses seen by nook */
	args.flags |= (unsigned)flags;
	args.exit_signal = SIGCHLD;
	pid = syscall(SYS_clone3, &args, sizeof(args));
	/* END EXERCISE */
	if (pid != 0)
		trace_clone3(c, flags, pid);
	if (pid < 0 && c->run.cgroup_fd >= 0 && (errno == E2BIG || errno == EINVAL)) {
		c->run.cgroup_fd = -1; /* no CLONE_INTO_CGROUP here: step 06 moves the child */
		return clone_into(c, flags, err);
	}
	if (pid < 0)
		return nook_fail(err, errno, "clone3(%#x)", flags);
	return (pid_t)pid;
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

/**
 * Block the signals the host waits for and read them from a signalfd from now on. SIGPIPE
 * is blocked too: a container that closes its stdin must not kill the relay writing to it.
 */
static int
listen_signals(struct nook_container *c, struct nook_error *err)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL}, old;
	sigset_t set;

	nook_wait_signals(&set);
	for (size_t i = 0; i < NFORWARDED; i++)
		if (sigaction(forwarded[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			sigaction(forwarded[i], &dfl, NULL); /* an ignored signal never queues */
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &set, &c->run.sigmask);
	sigdelset(&set, SIGPIPE);
	c->run.sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (c->run.sigfd < 0)
		return nook_fail(err, errno, "signalfd");
	return 0;
}

/** Is @p arg a valid --env: NAME=VALUE or NAME, the name without '=' or control bytes? */
static int
check_env(const char *arg, struct nook_error *err)
{
	size_t len = strcspn(arg, "=");

	if (len == 0)
		return nook_fail(err, 0, "invalid --env \"%s\": expected NAME=VALUE or NAME", arg);
	for (const char *p = arg; *p; p++)
		if (iscntrl((unsigned char)*p))
			return nook_fail(err, 0, "invalid --env \"%s\": a control character", arg);
	return 0;
}

/**
 * The command's environment, from nothing: PATH, HOSTNAME and (with a terminal) TERM, then
 * each --env — none of the host's own, which may hold secrets (tokens, the host's PATH).
 */
static int
build_env(struct nook_container *c, struct nook_error *err)
{
	const char *term = getenv("TERM");
	int n = 0;

	if (c->env_exact)
		goto given; /* OCI: process.env is the whole of it */
	if (!(c->env[n++] = strdup(DEFAULT_PATH)))
		return nook_fail(err, errno, "strdup");
	if (c->hostname && asprintf(&c->env[n++], "HOSTNAME=%s", c->hostname) < 0)
		return nook_fail(err, errno, "asprintf");
	if (stdio_is_tty(c) && asprintf(&c->env[n++], "TERM=%s", term ? term : "xterm") < 0)
		return nook_fail(err, errno, "asprintf");
given:
	for (int i = 0; i < c->nenv; i++) {
		const char *arg = c->env_arg[i], *host = getenv(arg);

		if (strchr(arg, '='))
			c->env[n] = strdup(arg);
		else if (host && asprintf(&c->env[n], "%s=%s", arg, host) < 0)
			c->env[n] = NULL;
		else if (!host)
			continue; /* NAME alone, and not set here: as docker, nothing */
		if (!c->env[n++])
			return nook_fail(err, errno, "--env \"%s\"", arg);
	}
	c->env[n] = NULL;
	return 0;
}

/** Run the host's hook @p parent (else prepare) of every stage; the first failure stops. */
static int
run_host_hooks(struct nook_container *c, const struct nook_stage *const *stages, bool parent,
	       struct nook_error *err)
{
	const char *name = parent ? "parent" : "prepare";
	struct timespec t;

	for (size_t i = 0; stages[i]; i++) {
		int (*hook)(struct nook_container *, struct nook_error *) =
			parent ? stages[i]->parent : stages[i]->prepare;

		trace_clock(&t);
		if (hook && hook(c, err) < 0) {
			nook_trace_note(NULL, "%s %s failed: %s", stages[i]->name, name, err->msg);
			return -1;
		}
		if (hook)
			trace_stage(stages[i]->name, name, &t);
	}
	return 0;
}

/** The sync pipe (host to child: go, start) and the report pipe (child to host). */
static int
open_pipes(struct nook_container *c, int syncfd[2], int errfd[2], struct nook_error *err)
{
	if (pipe2(syncfd, O_CLOEXEC) < 0)
		return nook_fail(err, errno, "pipe2");
	if (pipe2(errfd, O_CLOEXEC) < 0) {
		close(syncfd[0]);
		close(syncfd[1]);
		return nook_fail(err, errno, "pipe2");
	}
	c->run.syncfd = syncfd[1];
	c->run.reportfd = errfd[0];
	return 0;
}

/** Clone the child, keep the host's ends of the pipes, close the child's. */
static int
spawn(struct nook_container *c, const struct nook_stage *const *stages, struct nook_error *err)
{
	int syncfd[2], errfd[2];

	if (open_pipes(c, syncfd, errfd, err) < 0)
		return -1;
	fflush(NULL); /* the child must not write out our buffers a second time */
	c->run.pid = clone_into(c, flags_of(c, stages), err);
	if (c->run.pid == 0) {
		c->run.syncfd = syncfd[0];
		c->run.errfd = errfd[1];
		child_main(c, stages);
	}
	close(syncfd[0]);
	close(errfd[1]);
	return c->run.pid < 0 ? -1 : 0;
}

/** Send one byte on the sync pipe: go (after the parent() hooks), or start. */
static int
release(struct nook_container *c, const char *what, struct nook_error *err)
{
	nook_trace_note("01-uts.md#how-nook-starts-a-container", "write(sync pipe, \"%s\") ...",
			what); /* before: the child goes on */
	if (write(c->run.syncfd, what, 1) != 1)
		return nook_fail(err, errno, "write(sync pipe, %s)", what);
	return 0;
}

/* ---- on the host: waiting for events ---------------------------------------------------- */

/** Reap the container's first process if it has ended; records its status. */
static void
reap(struct nook_container *c)
{
	int wstatus;

	if (c->run.ended || c->run.pid <= 0)
		return;
	if (waitpid(c->run.pid, &wstatus, WNOHANG) == c->run.pid) {
		c->run.ended = true;
		c->run.status = nook_wait_status(wstatus);
	}
}

/**
 * One signal for the container. Before its command runs, anything that asks to stop
 * kills it. Then: passed on; a second SIGTERM or SIGINT kills it — nook stays stoppable
 * even when the container ignores or cannot receive signals. SIGWINCH resizes a pty.
 */
static void
pass_on(struct nook_container *c, int sig)
{
	bool stop = sig == SIGTERM || sig == SIGINT || sig == SIGHUP || sig == SIGQUIT;

	if (sig == SIGWINCH && stdio_is_tty(c)) {
		stdio_resize(c);
		return;
	}
	if (stop && !c->run.started && !c->run.executing) {
		c->run.stopped = true; /* tells silent_end() why the child died unheard */
		kill(c->run.pid, SIGKILL);
		return;
	}
	if ((sig == SIGTERM || sig == SIGINT) && c->run.signalled) {
		kill(c->run.pid, SIGKILL);
		return;
	}
	if (sig == SIGTERM || sig == SIGINT)
		c->run.signalled = true;
	kill(c->run.pid, sig);
}

/** Read the signals that queued up on the signalfd and act on each. */
static void
take_signals(struct nook_container *c)
{
	struct signalfd_siginfo si;

	while (read(c->run.sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			reap(c);
		else if (c->run.pid > 0 && !c->run.ended)
			pass_on(c, (int)si.ssi_signo);
	}
}

/** What next_event() saw. */
enum event {
	EV_REPORT,
	EV_EOF,
	EV_ENDED,
	EV_ERROR
};

/**
 * Relay the streams and handle signals until something happens: a report arrives (or the
 * report pipe's end-of-file, when @p reports), or — once the report pipe is closed — the
 * container's first process has ended.
 */
static enum event
next_event(struct nook_container *c, bool reports, struct nook_report *r)
{
	struct pollfd pfd[8];
	int n;
	ssize_t got;

	for (;;) {
		if (!reports && c->run.ended)
			return EV_ENDED;
		pfd[0] = (struct pollfd){.fd = c->run.sigfd, .events = POLLIN};
		pfd[1] = (struct pollfd){.fd = reports ? c->run.reportfd : -1, .events = POLLIN};
		n = 2 + stdio_pollfds(c, pfd + 2);
		if (poll(pfd, (nfds_t)n, -1) < 0 && errno != EINTR)
			return EV_ERROR;
		stdio_service(c, pfd + 2, n - 2);
		/* A report first: a signal that came with it is judged knowing what it says
		 * (after "exec", a SIGTERM is the command's, not a reason to kill). */
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			got = read(c->run.reportfd, r, sizeof(*r));
			if (got == (ssize_t)sizeof(*r))
				return EV_REPORT;
			if (got == 0 || (got < 0 && errno != EINTR))
				return EV_EOF;
		}
		take_signals(c);
	}
}

/** The child ended before its command ran, without a report: say what can be said. */
static int
silent_end(struct nook_container *c, struct nook_error *err)
{
	while (!c->run.ended && next_event(c, false, NULL) != EV_ENDED)
		;
	if (c->run.stopped) /* pass_on() killed it: nook was asked to stop */
		return nook_fail(err, 0, "stopped by a signal before the command ran");
	if (c->run.status == 128 + SIGSYS)
		return nook_fail(err, 0,
				 "the container was killed by its seccomp filter (SIGSYS) "
				 "before its command ran");
	return nook_fail(err, 0,
			 "the container ended before its command ran, saying nothing (exit "
			 "status %d): does its seccomp profile deny write(2), fork(2) or "
			 "execve(2)?",
			 c->run.status);
}

/** Wait for the child's next report; it must be @p want. */
static int
expect_report(struct nook_container *c, int want, struct nook_error *err)
{
	struct nook_report r;

	switch (next_event(c, true, &r)) {
	case EV_REPORT:
		if (r.kind == want)
			return 0;
		*err = r.err;
		err->msg[sizeof(err->msg) - 1] = '\0';
		return r.kind == NOOK_REPORT_ERROR ? -1 : nook_fail(err, 0, "unexpected report");
	case EV_EOF:
		close(c->run.reportfd);
		c->run.reportfd = -1;
		return silent_end(c, err);
	default:
		return nook_fail(err, errno, "poll");
	}
}

/**
 * Create the container described by @p c through @p stages: set up, inside and out, with
 * its process waiting at the point of executing the command (nook_start releases it).
 *
 * @return 0, or -1 with @p err set; nook_destroy() removes whatever was made either way.
 */
int
nook_create(struct nook_container *c, const struct nook_stage *const *stages,
	    struct nook_error *err)
{
	c->run.pid = -1;
	c->run.cgroup_fd = c->run.lockfd = c->run.sigfd = -1;
	c->run.syncfd = c->run.reportfd = c->run.errfd = -1;
	if (listen_signals(c, err) < 0)
		return -1;
	trace_begin(c->trace); /* after listen_signals: SIGPIPE is blocked */
	if (!c->id[0])
		state_new_id(c->id, sizeof(c->id));
	if (state_create(c, stages, err) < 0 || run_host_hooks(c, stages, false, err) < 0 ||
	    stdio_prepare(c, err) < 0 || build_env(c, err) < 0 || spawn(c, stages, err) < 0)
		return -1;
	stdio_parent_close(c); /* the child's ends of its streams */
	if (run_host_hooks(c, stages, true, err) < 0 || release(c, "go", err) < 0)
		return -1;
	if (expect_report(c, NOOK_REPORT_READY, err) < 0)
		return -1;
	return stdio_parent(c, err);
}

/**
 * Start the container's command. Returns once it is executing (0), or with @p err when
 * it could not be executed; no report is accepted after that.
 */
int
nook_start(struct nook_container *c, struct nook_error *err)
{
	struct nook_report r;

	if (release(c, "start", err) < 0)
		return -1;
	close(c->run.syncfd);
	c->run.syncfd = -1;
	if (expect_report(c, NOOK_REPORT_EXEC, err) < 0)
		return -1;
	c->run.executing = true; /* signals are the command's from here on: passed on */
	while (next_event(c, true, &r) == EV_REPORT)
		if (r.kind == NOOK_REPORT_ERROR) {
			*err = r.err;
			err->msg[sizeof(err->msg) - 1] = '\0';
			return -1;
		}
	close(c->run.reportfd); /* end-of-file: executed; nothing is read from here on */
	c->run.reportfd = -1;
	c->run.started = true;
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

/**
 * Until the container's first process ends: relay its streams, pass signals on.
 * @return its status (0-255), or -1 with @p err when a stage explains it as a failure.
 */
int
nook_wait(struct nook_container *c, const struct nook_stage *const *stages, struct nook_error *err)
{
	while (next_event(c, false, NULL) != EV_ENDED)
		;
	stdio_drain(c);
	return run_exited_hooks(c, stages, c->run.status, err);
}

/* ---- on the host: destroy --------------------------------------------------------------- */

/** Kill and reap a container that is still there: destroy never leaves a process. */
static void
kill_container(struct nook_container *c)
{
	if (c->run.pid <= 0 || c->run.ended)
		return;
	kill(c->run.pid, SIGKILL);
	while (waitpid(c->run.pid, NULL, 0) < 0 && errno == EINTR)
		;
	c->run.ended = true;
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

/** Close @p *fd if open. */
static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/**
 * Remove everything the container made, in reverse order, whatever state it got to.
 * @return 0, or -1 with @p err when its state directory could not be removed.
 */
int
nook_destroy(struct nook_container *c, const struct nook_stage *const *stages,
	     struct nook_error *err)
{
	int ret;

	kill_container(c);
	close_fd(&c->run.syncfd); /* first: the cleanups may need descriptors (ulimit -n) */
	close_fd(&c->run.reportfd);
	close_fd(&c->run.sigfd);
	stdio_close(c);
	run_cleanups(c, stages);
	ret = state_remove(c, err);
	for (int i = 0; c->env[i]; i++)
		free(c->env[i]);
	c->env[0] = NULL;
	trace_end();
	sigprocmask(SIG_SETMASK, &c->run.sigmask, NULL);
	return ret;
}

/**
 * Run the container described by @p c through @p stages, from create to destroy.
 *
 * @return the container's exit status (0-255), or -1 with @p err set when nook itself, or
 *         the exec of the command, failed. Everything it made is gone either way.
 */
int
nook_run(struct nook_container *c, const struct nook_stage *const *stages, struct nook_error *err)
{
	struct nook_error later;
	int status = -1;

	if (nook_create(c, stages, err) == 0 && nook_start(c, err) == 0)
		status = nook_wait(c, stages, err);
	if (nook_destroy(c, stages, status < 0 ? &later : err) < 0 && status >= 0)
		return -1;
	return status;
}

/* ---- the launcher's own options ---------------------------------------------------------- */

static int
set_name(struct nook_container *c, const char *arg, struct nook_error *err)
{
	if (state_check_id(arg, err) < 0)
		return -1;
	snprintf(c->id, sizeof(c->id), "%s", arg);
	return 0;
}

static int
set_env(struct nook_container *c, const char *arg, struct nook_error *err)
{
	if (check_env(arg, err) < 0)
		return -1;
	if (c->nenv == NOOK_MAX_ENV)
		return nook_fail(err, 0, "too many --env: at most %d", NOOK_MAX_ENV);
	c->env_arg[c->nenv++] = arg;
	return 0;
}

static int
set_preserve_fds(struct nook_container *c, const char *arg, struct nook_error *err)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(arg, &end, 10);
	if (!isdigit((unsigned char)arg[0]) || *end || errno || n > 1000)
		return nook_fail(err, 0, "invalid --preserve-fds \"%s\": a number from 0 to 1000",
				 arg);
	c->preserve_fds = (int)n;
	return 0;
}

static int
set_trace(struct nook_container *c, const char *arg, struct nook_error *err)
{
	if (arg && strcmp(arg, "time") != 0)
		return nook_fail(err, 0, "invalid --trace=%s: only --trace or --trace=time", arg);
	c->trace = arg ? NOOK_TRACE_TIME : NOOK_TRACE_ON;
	return 0;
}

static int
set_no_tty(struct nook_container *c, const char *arg, struct nook_error *err)
{
	(void)arg;
	(void)err;
	c->tty_never = true;
	return 0;
}

/** What every container takes, whatever its stages: collected by cli.c first. */
const struct nook_option nook_launcher_options[] = {
	{"name", "ID", "the container's ID: its state, cgroup and veth are named after it",
	 set_name},
	{"env", "NAME[=VALUE]", "set NAME in the command's environment (repeatable)", set_env},
	{"preserve-fds", "N", "pass descriptors 3..3+N-1 in (every other is closed)",
	 set_preserve_fds},
	{"no-tty", NULL, "pipes for the streams even when stdin is a terminal", set_no_tty},
	{"trace", "[=time]",
	 "print each kernel call that builds the container on stderr (=time: and each stage's "
	 "time)",
	 set_trace},
	{NULL, NULL, NULL, NULL},
};

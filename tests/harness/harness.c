/**
 * @file harness.c
 * @brief Running step programs from tests: fork, exec, collect, time out, skip.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define MAX_ARGS 64

/** Where the step program @p step is: $NOOK_BIN/step, build/solutions/step by default. */
const char *
step_path(const char *step)
{
	static char path[4096];
	const char *bin = getenv("NOOK_BIN");

	snprintf(path, sizeof(path), "%s/%s", bin && *bin ? bin : "build/solutions", step);
	return path;
}

/** The static probe helper (tests/helpers/probe.c): $NOOK_PROBE, or build/tests/probe. */
const char *
probe_path(void)
{
	const char *p = getenv("NOOK_PROBE");

	if (p && *p)
		return p;
	return "build/tests/probe";
}

static void
collect_args(char **argv, const char *first, va_list ap)
{
	int n = 0;

	argv[n++] = (char *)first;
	while (n < MAX_ARGS - 1 && (argv[n] = va_arg(ap, char *)) != NULL)
		n++;
	argv[n] = NULL;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/** Who a child should become before exec: see start_argv_as(). */
struct identity {
	uid_t uid;
	gid_t gid;
	void (*setup)(void *); /* run first, still as root; may be NULL */
	void *arg;
};

static void become(uid_t uid, gid_t gid);

/**
 * Start argv[0] with stdin from /dev/null and stdout, stderr into pipes; as @p who when it
 * is not NULL.
 */
static void
spawn(struct proc *p, struct run *r, const struct identity *who, char *const argv[])
{
	int out[2], err[2];

	memset(r, 0, sizeof(*r));
	*p = (struct proc){.r = r};
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
		fail_msg("pipe2: %s", strerror(errno));
	p->pid = fork();
	if (p->pid < 0)
		fail_msg("fork: %s", strerror(errno));
	if (p->pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		dup2(devnull, 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		if (who && who->setup)
			who->setup(who->arg);
		if (who)
			become(who->uid, who->gid);
		execv(argv[0], argv);
		fprintf(stderr, "harness: execv(\"%s\") as uid %d: %s\n", argv[0], (int)getuid(),
			strerror(errno));
		_exit(126);
	}
	close(out[1]);
	close(err[1]);
	p->outfd = out[0];
	p->errfd = err[0];
}

/** Start argv[0] with stdin from /dev/null and stdout, stderr into pipes. */
void
start_argv(struct proc *p, struct run *r, char *const argv[])
{
	spawn(p, r, NULL, argv);
}

/** Read what is available from @p fd into @p buf; closes and clears @p fd at end-of-file. */
static void
drain(int *fd, char *buf, size_t cap, size_t *len)
{
	char scratch[4096];
	ssize_t n;

	if (*len + 1 < cap)
		n = read(*fd, buf + *len, cap - 1 - *len);
	else
		n = read(*fd, scratch, sizeof(scratch)); /* full: keep reading, drop it */
	if (n > 0 && *len + 1 < cap) {
		*len += (size_t)n;
		buf[*len] = '\0';
	}
	if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
		close(*fd);
		*fd = -1;
	}
}

/** Wait up to @p ms for output; returns false when both pipes are closed. */
static bool
pump(struct proc *p, int ms)
{
	struct pollfd fds[2] = {{p->outfd, POLLIN, 0}, {p->errfd, POLLIN, 0}};

	if (p->outfd < 0 && p->errfd < 0)
		return false;
	if (poll(fds, 2, ms) <= 0)
		return true;
	if (p->outfd >= 0 && fds[0].revents)
		drain(&p->outfd, p->r->out, sizeof(p->r->out), &p->nout);
	if (p->errfd >= 0 && fds[1].revents)
		drain(&p->errfd, p->r->err, sizeof(p->r->err), &p->nerr);
	return true;
}

/** Wait until stdout contains @p text; false if it did not within @p timeout_s. */
bool
wait_for_output(struct proc *p, const char *text, int timeout_s)
{
	double deadline = now() + timeout_s;

	while (!strstr(p->r->out, text)) {
		if (now() > deadline || !pump(p, 50))
			return strstr(p->r->out, text) != NULL;
	}
	return true;
}

/** Collect the rest of the output and the exit status; kill the run at the deadline. */
void
finish(struct proc *p, int timeout_s)
{
	double deadline = now() + timeout_s;
	int wstatus;

	while (pump(p, 100)) {
		if (now() > deadline) {
			p->r->timed_out = true;
			kill(p->pid, SIGKILL);
			break;
		}
	}
	while (waitpid(p->pid, &wstatus, p->r->timed_out ? 0 : 0) < 0 && errno == EINTR)
		;
	if (p->outfd >= 0)
		close(p->outfd);
	if (p->errfd >= 0)
		close(p->errfd);
	if (p->r->timed_out)
		p->r->status = -1;
	else if (WIFSIGNALED(wstatus))
		p->r->status = 128 + WTERMSIG(wstatus);
	else
		p->r->status = WEXITSTATUS(wstatus);
}

/** Run @p argv to its end (or its deadline). */
void
run_argv(struct run *r, int timeout_s, char *const argv[])
{
	struct proc p;

	start_argv(&p, r, argv);
	finish(&p, timeout_s);
}

/** Run step program @p step with the given arguments (NULL-terminated) to its end. */
void
run_step(struct run *r, const char *step, ...)
{
	char *argv[MAX_ARGS];
	va_list ap;

	va_start(ap, step);
	collect_args(argv, step_path(step), ap);
	va_end(ap);
	run_argv(r, RUN_TIMEOUT, argv);
}

/** Start step program @p step in the background; end it with finish(). */
void
start_step(struct proc *p, struct run *r, const char *step, ...)
{
	char *argv[MAX_ARGS];
	va_list ap;

	va_start(ap, step);
	collect_args(argv, step_path(step), ap);
	va_end(ap);
	start_argv(p, r, argv);
}

/** Skip the calling test, saying why, unless we run as root. */
void
skip_unless_root(void)
{
	if (geteuid() != 0) {
		print_message("  SKIP: needs root (run the tests with sudo)\n");
		skip();
	}
}

/** Skip unless this kernel (and sandbox) lets us unshare(2) @p clone_flags. */
void
skip_unless_namespaces(int clone_flags)
{
	int wstatus;
	pid_t pid;

	skip_unless_root();
	pid = fork();
	if (pid == 0)
		_exit(unshare(clone_flags) < 0 ? errno : 0);
	waitpid(pid, &wstatus, 0);
	if (WEXITSTATUS(wstatus) != 0) {
		print_message("  SKIP: unshare(%#x) refused here: %s\n", clone_flags,
			      strerror(WEXITSTATUS(wstatus)));
		skip();
	}
}

/**
 * Number of newline-terminated lines in @p s, not counting the lines of a diagnosis
 * ("  - CAUSE", diagnose.c): an error is one line, and the causes nook found follow it.
 */
int
count_lines(const char *s)
{
	int n = 0;

	for (const char *line = s; *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : "")
		n += strchr(line, '\n') && strncmp(line, "  - ", 4) != 0;
	return n;
}

bool
file_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/** See expect_ran(): fail with the exit status and stderr if the container did not run. */
void
expect_ran_(const struct run *r, const char *file, int line)
{
	const char *why = r->status == 125   ? "nook's own error"
			  : r->status == 126 ? "the command cannot be executed"
			  : r->status == 127 ? "the command was not found"
					     : NULL;

	if (!why)
		return;
	print_message("the container did not run: exit %d (%s), stderr: %s%s", r->status, why,
		      r->err[0] ? r->err : "(empty)\n", r->out[0] ? "  stdout: " : "");
	if (r->out[0])
		print_message("%s", r->out);
	_fail(file, line); /* cmocka's fail(), at the caller's line */
}

/**
 * The exit-status contract every step keeps: the command's own status (7), 128+N for a
 * death by signal N (SIGKILL: 137), and 127 with one line naming a command not found.
 */
void
expect_exit_statuses(const char *step)
{
	struct run r;

	run_step(&r, step, "--", "/bin/sh", "-c", "exit 7", NULL);
	expect_status(&r, 7);
	run_step(&r, step, "--", "/bin/sh", "-c", "kill -KILL $$", NULL);
	expect_status(&r, 137);
	run_step(&r, step, "--", "nosuchcmd", NULL);
	expect_status(&r, 127);
	expect_run(&r, count_lines(r.err) == 1 && strstr(r.err, "nosuchcmd"),
		   "expected one line naming nosuchcmd on stderr");
}

/**
 * Move the calling test process (single-threaded, as cmocka runs it) into a new network
 * namespace with only `lo`, brought up. Everything it starts afterwards — step programs,
 * ip, ping — sees that namespace instead of the machine's, so a test can make and delete
 * links freely. Skips the test, saying why, when the kernel refuses.
 *
 * @return a descriptor of the namespace left, to give to netns_leave().
 */
int
netns_enter_throwaway(void)
{
	struct ifreq ifr = {.ifr_name = "lo"};
	int old, sock;

	skip_unless_root();
	old = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (old < 0)
		fail_msg("open(\"/proc/self/ns/net\"): %s", strerror(errno));
	if (unshare(CLONE_NEWNET) < 0) {
		close(old);
		print_message("  SKIP: unshare(CLONE_NEWNET) refused here: %s\n", strerror(errno));
		skip();
	}
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0 || ioctl(sock, SIOCGIFFLAGS, &ifr) < 0 ||
	    (ifr.ifr_flags |= IFF_UP, ioctl(sock, SIOCSIFFLAGS, &ifr) < 0)) {
		int e = errno;

		if (sock >= 0)
			close(sock);
		netns_leave(old);
		fail_msg("bringing lo up in the test's network namespace: %s", strerror(e));
	}
	close(sock);
	return old;
}

/** Return to the network namespace @p oldns; the throwaway one dies with its last user. */
void
netns_leave(int oldns)
{
	if (oldns < 0)
		return;
	if (setns(oldns, CLONE_NEWNET) < 0)
		print_message("  setns back to the test's network namespace: %s\n",
			      strerror(errno));
	close(oldns);
}

/** Is there a network device called @p name in the caller's network namespace? */
bool
link_exists(const char *name)
{
	return if_nametoindex(name) != 0;
}

/** Number of network devices in the caller's network namespace. */
int
count_links(void)
{
	struct if_nameindex *all = if_nameindex(), *i;
	int n = 0;

	if (!all)
		fail_msg("if_nameindex: %s", strerror(errno));
	for (i = all; i->if_index; i++)
		n++;
	if_freenameindex(all);
	return n;
}

/** Run @p cmd with /bin/sh -c, in the test's own namespaces, to its end. */
void
run_shell(struct run *r, const char *cmd)
{
	char *argv[] = {"/bin/sh", "-c", (char *)cmd, NULL};

	run_argv(r, RUN_TIMEOUT, argv);
}

/*
 * Rootless runs. The test binary runs as root; these start a program as an unprivileged
 * user instead, the way a login shell would: supplementary groups cleared first (while we
 * may still), then the gid, then the uid.
 */

/** In a forked child: become @p uid and @p gid with no supplementary groups, or die. */
static void
become(uid_t uid, gid_t gid)
{
	if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, uid, uid) < 0) {
		fprintf(stderr, "harness: cannot become uid %d gid %d: %s\n", (int)uid, (int)gid,
			strerror(errno));
		_exit(125);
	}
}

/**
 * Like start_argv(), but the program runs as @p uid and @p gid. @p setup, if not NULL, is
 * called with @p arg in the forked child first, still as root (to unshare and bind-mount a
 * file, say); it reports its own failures on stderr and _exit()s.
 */
void
start_argv_as(struct proc *p, struct run *r, uid_t uid, gid_t gid, void (*setup)(void *), void *arg,
	      char *const argv[])
{
	const struct identity who = {uid, gid, setup, arg};

	spawn(p, r, &who, argv);
}

/** May @p uid, @p gid execute @p path? Asked in a child that has become them. */
static bool
can_exec_as(uid_t uid, gid_t gid, const char *path)
{
	int wstatus;
	pid_t pid = fork();

	if (pid == 0) {
		become(uid, gid);
		_exit(access(path, X_OK) == 0 ? 0 : 1);
	}
	return pid > 0 && waitpid(pid, &wstatus, 0) == pid && WIFEXITED(wstatus) &&
	       WEXITSTATUS(wstatus) == 0;
}

/** Where runnable_as() put its copies; removed when the tests end. */
static char copies[] = "/tmp/nook-test-bin-XXXXXX";

static void
remove_copies(void)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", copies);
	if (system(cmd) != 0)
		fprintf(stderr, "harness: could not remove %s\n", copies);
}

/** Copy @p path to @p dest, mode 0755. */
static bool
copy_program(const char *path, const char *dest)
{
	char buf[65536];
	ssize_t n = 0;
	int in, out;

	in = open(path, O_RDONLY | O_CLOEXEC);
	out = open(dest, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			n = -1;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return in >= 0 && out >= 0 && n == 0;
}

/**
 * @p path if @p uid may execute it there, else a copy it may execute. A build directory
 * under a home such as /root (mode 0700) cannot be reached by an unprivileged user; the
 * copy, in a 0755 directory under /tmp, can. Says so once on stdout when it copies.
 */
const char *
runnable_as(uid_t uid, gid_t gid, const char *path)
{
	static char dest[8][4096];
	static int ncopies;
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

	if (can_exec_as(uid, gid, path))
		return path;
	if (ncopies == 0) {
		if (!mkdtemp(copies) || chmod(copies, 0755) < 0)
			fail_msg("mkdtemp(\"%s\"): %s", copies, strerror(errno));
		atexit(remove_copies);
		print_message("  note: uid %d cannot execute programs in the build directory; "
			      "running copies from %s\n",
			      (int)uid, copies);
	}
	for (int i = 0; i < ncopies; i++)
		if (strcmp(strrchr(dest[i], '/') + 1, name) == 0)
			return dest[i];
	if (ncopies == 8)
		fail_msg("runnable_as: too many programs");
	snprintf(dest[ncopies], sizeof(dest[0]), "%s/%s", copies, name);
	if (!copy_program(path, dest[ncopies]))
		fail_msg("copying %s to %s: %s", path, dest[ncopies], strerror(errno));
	return dest[ncopies++];
}

/** Run step program @p step as @p uid, @p gid (a copy of it if need be) to its end. */
void
run_step_as(struct run *r, uid_t uid, gid_t gid, const char *step, ...)
{
	char *argv[MAX_ARGS];
	struct proc p;
	va_list ap;

	va_start(ap, step);
	collect_args(argv, runnable_as(uid, gid, step_path(step)), ap);
	va_end(ap);
	start_argv_as(&p, r, uid, gid, NULL, NULL, argv);
	finish(&p, RUN_TIMEOUT);
}

/**
 * Skip unless @p uid, @p gid may create a user namespace, and UTS, IPC, PID and mount
 * namespaces inside it (user.max_user_namespaces = 0, or a security module such as
 * Ubuntu's AppArmor restriction, can forbid it).
 */
void
skip_unless_user_namespaces_as(uid_t uid, gid_t gid)
{
	int flags = CLONE_NEWUSER | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNS;
	int wstatus;
	pid_t pid;

	skip_unless_root();
	pid = fork();
	if (pid == 0) {
		become(uid, gid);
		_exit(unshare(flags) < 0 ? errno : 0);
	}
	waitpid(pid, &wstatus, 0);
	if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
		print_message("  SKIP: uid %d may not unshare(%#x) here: %s\n", (int)uid, flags,
			      strerror(WEXITSTATUS(wstatus)));
		skip();
	}
}

/**
 * Fill @p path (a "...XXXXXX" template) with the name of a file that does not exist: a
 * command that should never run is told to create it, and the test checks it is absent.
 */
void
unused_path(char *path)
{
	int fd = mkstemp(path);

	if (fd < 0)
		fail_msg("mkstemp(\"%s\"): %s", path, strerror(errno));
	close(fd);
	unlink(path);
}

/** Room for the scratch directories one test may make. */
#define MAX_SCRATCH 8
static char scratch_dirs[MAX_SCRATCH][64];
static int nscratch;

/**
 * Make a fresh directory /tmp/nook-TAG-XXXXXX with @p mode, its name in @p path (64
 * bytes), and remember it: a teardown calls remove_scratch_dirs().
 */
void
make_scratch_dir(char *path, const char *tag, mode_t mode)
{
	snprintf(path, 64, "/tmp/nook-%s-XXXXXX", tag);
	if (!mkdtemp(path) || chmod(path, mode) < 0)
		fail_msg("mkdtemp/chmod %s: %s", path, strerror(errno));
	if (nscratch < MAX_SCRATCH)
		strcpy(scratch_dirs[nscratch++], path);
}

/** Remove every directory make_scratch_dir() made, with what is in it. */
void
remove_scratch_dirs(void)
{
	while (nscratch > 0) {
		char *rm[] = {"/bin/rm", "-rf", scratch_dirs[--nscratch], NULL};
		struct run r;

		run_argv(&r, RUN_TIMEOUT, rm);
		if (r.status != 0)
			print_message("  warning: could not remove %s\n", scratch_dirs[nscratch]);
	}
}

/**
 * A container ID no other test, run or person on this host uses: "TAG-PID-N" in @p buf
 * (64 bytes), for `--name`, so that a test can find the state directory, cgroup and veth
 * named after it.
 */
char *
unique_name(char *buf, const char *tag)
{
	static unsigned n;

	snprintf(buf, 64, "%s-%d-%u", tag, (int)getpid(), ++n);
	return buf;
}

/**
 * The host end of container @p id's veth, as net.c names it: "nk" and the low 48 bits of
 * the FNV-1a hash of the ID in twelve hex digits (an interface name has 15 bytes at most).
 */
const char *
veth_host_end(const char *id)
{
	static char name[32];
	unsigned long long h = 14695981039346656037ULL;

	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 1099511628211ULL;
	snprintf(name, sizeof(name), "nk%012llx", h & 0xffffffffffffULL);
	return name;
}

/** In the child of run_on_pty(): a session whose controlling terminal is the pty @p name. */
static void
exec_on_pty(const char *name, char *const argv[])
{
	int slave;

	setsid();
	slave = open(name, O_RDWR); /* the first terminal a session leader opens is its own */
	if (slave < 0)
		_exit(126);
	dup2(slave, 0);
	dup2(slave, 1);
	dup2(slave, 2);
	execv(argv[0], argv);
	_exit(126);
}

/**
 * Run @p argv on a new pseudo-terminal, as a person at a terminal would: once what it shows
 * contains @p ready, type @p keys (NULL: nothing). r->out gets all it showed, r->status its
 * exit status; r->err says whether the terminal was left as it was found: "terminal:
 * canonical" (ICANON and ECHO on) or "terminal: raw".
 */
void
run_on_pty(struct run *r, int timeout_s, const char *ready, const char *keys, char *const argv[])
{
	struct pollfd pfd;
	struct termios t;
	double deadline = now() + timeout_s;
	size_t len = 0;
	int master, wstatus;
	bool typed = !keys, ended = false;
	pid_t pid;
	ssize_t n;

	memset(r, 0, sizeof(*r));
	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
		fail_msg("posix_openpt: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		fail_msg("fork: %s", strerror(errno));
	if (pid == 0)
		exec_on_pty(ptsname(master), argv);
	pfd = (struct pollfd){.fd = master, .events = POLLIN};
	while (now() < deadline) {
		if (poll(&pfd, 1, 100) > 0) {
			n = read(master, r->out + len, sizeof(r->out) - 1 - len);
			if (n <= 0 && ended)
				break; /* EIO: nothing holds the terminal any more */
			if (n > 0)
				len += (size_t)n;
			r->out[len] = '\0';
		} else if (ended) {
			break;
		}
		if (!typed && strstr(r->out, ready)) {
			typed = write(master, keys, strlen(keys)) == (ssize_t)strlen(keys);
		}
		if (!ended && waitpid(pid, &wstatus, WNOHANG) == pid) {
			ended = true;
			r->status = WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus)
							 : WEXITSTATUS(wstatus);
			deadline = now() + 1; /* what is still in the pty */
		}
	}
	if (!ended) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		r->timed_out = true;
		r->status = -1;
	}
	snprintf(r->err, sizeof(r->err), "terminal: %s",
		 tcgetattr(master, &t) == 0 && (t.c_lflag & ICANON) && (t.c_lflag & ECHO)
			 ? "canonical"
			 : "raw");
	close(master);
}

/*
 * A block device for device-cgroup tests: a scratch loop device attached read-only to a
 * scratch file, so that nothing real is ever opened, let alone written.
 */

/**
 * Attach a loop device to a scratch file of @p mib MiB in @p dir, read-only unless
 * @p writable; "" in d->loop (and loop0's numbers, 7:0) when there is none.
 */
static void
attach_loop(struct scratch_blockdev *d, const char *dir, unsigned mib, bool writable)
{
	char file[128], cmd[256];
	struct stat st;
	struct run r;
	int fd;

	d->loop[0] = '\0';
	d->major = 7;
	d->minor = 0;
	snprintf(file, sizeof(file), "%s/blockdev.img", dir);
	fd = open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)mib << 20) < 0)
		fail_msg("cannot make %s: %s", file, strerror(errno));
	close(fd);
	/* by path: a busybox sh runs its own losetup applet, which has no --show */
	snprintf(cmd, sizeof(cmd), "%s %s-f --show '%s'",
		 access("/sbin/losetup", X_OK) == 0 ? "/sbin/losetup" : "losetup",
		 writable ? "" : "-r ", file);
	run_shell(&r, cmd);
	if (r.status != 0 || sscanf(r.out, "%63s", d->loop) != 1 || stat(d->loop, &st) < 0 ||
	    !S_ISBLK(st.st_mode)) {
		print_message("  note: %s: exit %d, %s", cmd, r.status, r.err[0] ? r.err : "\n");
		d->loop[0] = '\0';
		return;
	}
	d->major = major(st.st_rdev);
	d->minor = minor(st.st_rdev);
}

/** Attach a loop device to a 1 MiB scratch file in @p dir; else loop0's numbers (7:0). */
void
scratch_block_device(struct scratch_blockdev *d, const char *dir)
{
	attach_loop(d, dir, 1, false);
	if (!d->loop[0])
		print_message("  note: no scratch loop device (losetup); using b 7:0\n");
}

/**
 * A loop device that may be written, on a sparse scratch file of @p mib MiB in @p dir; ""
 * in d->loop when losetup cannot make one (the caller skips, saying so).
 */
void
scratch_writable_block_device(struct scratch_blockdev *d, const char *dir, unsigned mib)
{
	attach_loop(d, dir, mib, true);
}

/** Detach what scratch_block_device() attached. */
void
release_block_device(struct scratch_blockdev *d)
{
	char cmd[96];
	struct run r;

	if (!d->loop[0])
		return;
	snprintf(cmd, sizeof(cmd), "%s -d '%s'",
		 access("/sbin/losetup", X_OK) == 0 ? "/sbin/losetup" : "losetup", d->loop);
	run_shell(&r, cmd);
	if (r.status != 0)
		print_message("  warning: could not detach %s\n", d->loop);
	d->loop[0] = '\0';
}

/*
 * Until the first failure (NOOK_TESTS_UNTIL_FAILURE, see harness.h). cmocka has no such
 * mode, and tells a test neither how the one before it ended nor whether it skipped. So
 * each test of the group runs wrapped: its body says when it returned, its teardown when it
 * returned 0, a skip() that it skipped, and the next test's setup reads what the one before
 * said. A body cut short by fail() (cmocka longjmps out of it) never says it passed; nor
 * does a test whose setup or teardown failed. Once one has failed, the rest run none of
 * their own code and skip.
 */

/* Here, cmocka's own (harness.h sends the tests' calls to harness_run_group_tests()). */
#undef _cmocka_run_group_tests

/** One test of the group, wrapped: the test itself and how it ended. */
struct wrapped_test {
	struct CMUnitTest test; /* the original */
	bool passed;		/* its body returned, and its teardown too if it has one */
	bool skipped;		/* it called skip() */
};

static struct wrapped_test *current_test; /* the test running, or the one that last ran */
static bool a_test_failed;		  /* stop: skip all that follow */
static void *group_state;		  /* what the group's setup left for its tests */
static CMFixtureFunction group_setup, group_teardown;

/** skip(), remembered: a skipped test has not failed. */
void
harness_skip(const char *file, int line)
{
	if (current_test)
		current_test->skipped = true;
	_skip(file, line);
}

/** Has the test that ran last (if any) failed? Then stop. */
static void
check_the_last_test(void)
{
	if (current_test && !current_test->passed && !current_test->skipped)
		a_test_failed = true;
}

/* The group's state is kept here, not by cmocka: cmocka would pass it to each test in
 * place of the wrapped test's. */
static int
wrapped_group_setup(void **state)
{
	int rc = group_setup ? group_setup(&group_state) : 0;

	*state = NULL;
	return rc;
}

static int
wrapped_group_teardown(void **state)
{
	check_the_last_test();
	current_test = NULL;
	*state = group_state;
	return group_teardown ? group_teardown(state) : 0;
}

static int
wrapped_setup(void **state)
{
	struct wrapped_test *t = *state;

	check_the_last_test();
	current_test = t;
	*state = group_state ? group_state : t->test.initial_state; /* as cmocka would */
	if (a_test_failed || !t->test.setup_func)
		return 0;
	return t->test.setup_func(state);
}

static void
wrapped_body(void **state)
{
	if (a_test_failed) {
		print_message("  SKIP: an earlier test failed (NOOK_TESTS_UNTIL_FAILURE)\n");
		current_test->skipped = true;
		_skip(__FILE__, __LINE__);
	}
	if (current_test->test.test_func)
		current_test->test.test_func(state);
	current_test->passed = true;
}

static int
wrapped_teardown(void **state)
{
	struct wrapped_test *t = current_test;
	bool passed = t->passed;
	int rc;

	if (a_test_failed || !t->test.teardown_func)
		return 0;
	t->passed = false; /* until the teardown returns 0 */
	rc = t->test.teardown_func(state);
	t->passed = passed && rc == 0;
	return rc;
}

/**
 * What cmocka_run_group_tests() and its _name variant call: the group of @p n @p tests
 * named @p name, with the group's @p setup and @p teardown, run as cmocka runs it or, with
 * NOOK_TESTS_UNTIL_FAILURE set (not to 0), until the first test that fails.
 *
 * @return the number of tests that failed, as cmocka's.
 */
int
harness_run_group_tests(const char *name, const struct CMUnitTest *tests, size_t n,
			CMFixtureFunction setup, CMFixtureFunction teardown)
{
	const char *until = getenv("NOOK_TESTS_UNTIL_FAILURE");
	struct wrapped_test *w;
	struct CMUnitTest *t;
	int failed;

	if (!until || !*until || strcmp(until, "0") == 0 || n == 0)
		return _cmocka_run_group_tests(name, tests, n, setup, teardown);
	w = calloc(n, sizeof(*w));
	t = calloc(n, sizeof(*t));
	if (!w || !t) {
		free(w);
		free(t);
		return _cmocka_run_group_tests(name, tests, n, setup, teardown);
	}
	group_setup = setup;
	group_teardown = teardown;
	group_state = NULL;
	for (size_t i = 0; i < n; i++) {
		w[i].test = tests[i];
		t[i] = (struct CMUnitTest){tests[i].name, wrapped_body, wrapped_setup,
					   wrapped_teardown, &w[i]};
	}
	failed = _cmocka_run_group_tests(name, t, n, wrapped_group_setup, wrapped_group_teardown);
	free(w);
	free(t);
	return failed;
}

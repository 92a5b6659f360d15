/**
 * @file cmd_exec.c
 * @brief `nook exec [--process P.json | --env E --cwd D --user U ...] [--detach]
 *        [--pid-file F] ID [ARGS...]`: another process in a running container.
 *
 * A container is nothing but namespaces, a cgroup and a root, so a second process enters
 * it by joining each of them — no clone of new ones. nook:
 *
 *  1. moves itself into the container's cgroup directories (writing its PID into each
 *     cgroup.procs): its children are born there, counted against the same limits;
 *  2. opens /proc/PID/ns/{user,ipc,uts,net,cgroup,pid_for_children,mnt} of the
 *     container's first process and setns(2)s into each that differs from its own (the
 *     PID namespace its children are born in: its own, unless it joined one by path) — the user namespace
 *     first, as it owns the others, the mount namespace last, which also takes the
 *     container's root and working directory. Joining a PID namespace changes only where
 *     *children* are born (a process never changes its own PID), hence:
 *  3. fork(2): the child is in the container's PID namespace. (All of 2 and 3 happen in a
 *     middle process, which then waits for the command and ends as it ends: nook itself
 *     keeps its own namespaces.) The command takes the capabilities,
 *     user and seccomp filter of the process description — through steps 08 and 09's own
 *     hooks — changes to its cwd and executes the command with exactly its environment.
 *
 * The description comes from the container's config.json, with --process (an OCI process
 * object, what podman and containerd pass) or the arguments replacing args, env, cwd,
 * user and capabilities. --tty without --console-socket (docker's `exec -it`) gives the
 * process a terminal that nook relays itself (cmd_exec_tty.c). With --detach nook writes the new PID to --pid-file and exits,
 * the process going on under the caller's subreaper; otherwise nook waits for it and
 * passes its status on.
 *
 * `nook --trace exec` prints each of these calls (trace.c), linked to lesson 10's section
 * on exec: nook's and the middle process's as "[host]" — the middle starts outside, and
 * joins — and the forked child's, from its birth in the container's PID namespace to its
 * execve, as "[ctr ]".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "oci.h"

/** The lesson section that --trace links exec's own calls to (trace.c). */
#define EXEC_LESSON "10-nook.md#exec-entering-a-running-container"

/** The namespaces to join, in order: the user namespace owns the others; mnt last. */
static const struct {
	const char *name;
	int type;
} ns_order[] = {
	{"user", CLONE_NEWUSER}, {"ipc", CLONE_NEWIPC},	      {"uts", CLONE_NEWUTS},
	{"net", CLONE_NEWNET},	 {"cgroup", CLONE_NEWCGROUP}, {"pid_for_children", CLONE_NEWPID},
	{"mnt", CLONE_NEWNS},
};

#define NNS (sizeof(ns_order) / sizeof(ns_order[0]))

/**
 * Step 1: this process into each of the container's cgroup directories, by their host
 * paths — before the namespaces change, while /sys/fs/cgroup is still the host's.
 */
static int
join_cgroups(const struct oci_state *s, struct nook_error *err)
{
	char path[200], pid[16];
	ssize_t n;
	int fd, saved;

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	for (int i = 0; i < s->ncgroups; i++) {
		snprintf(path, sizeof(path), "%s/cgroup.procs", s->cgroups[i]);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return nook_fail(err, errno, "open(\"%s\")", path);
		n = nook_trace(EXEC_LESSON, write(fd, pid, strlen(pid)), "write(\"%s\", \"%s\")",
			       path, pid);
		saved = errno;
		close(fd);
		if (n < 0)
			return nook_fail(err, saved, "write(\"%s\")", path);
	}
	return 0;
}

//! [join_namespaces]
/**
 * Step 2: open every namespace of @p pid first — its /proc/PID/ns is reachable only
 * until the mount namespace changes — then setns(2) into each, in ns_order. One that is
 * already ours is skipped: setns(2) refuses to join the user namespace a process is in
 * (EINVAL), and joining any other of our own would change nothing.
 */
static int
join_namespaces(pid_t pid, struct nook_error *err)
{
	char theirs[64], ours[64], flag[32];
	struct stat a, b;
	int fd[NNS];

	for (size_t i = 0; i < NNS; i++) {
		snprintf(theirs, sizeof(theirs), "/proc/%d/ns/%s", (int)pid, ns_order[i].name);
		snprintf(ours, sizeof(ours), "/proc/self/ns/%s", ns_order[i].name);
		fd[i] = -1;
		if (stat(theirs, &a) == 0 && stat(ours, &b) == 0 && a.st_ino == b.st_ino) {
			nook_trace_note(EXEC_LESSON, "%s: nook's own, not joined", theirs);
			continue;
		}
		fd[i] = (int)nook_trace(EXEC_LESSON, open(theirs, O_RDONLY | O_CLOEXEC),
					"open(\"%s\", O_RDONLY)", theirs);
		if (fd[i] < 0)
			return nook_fail(err, errno, "open(\"%s\")", theirs);
	}
	for (size_t i = 0; i < NNS; i++) {
		if (fd[i] < 0)
			continue;
		trace_clone_flags(ns_order[i].type, flag, sizeof(flag));
		if (nook_trace(EXEC_LESSON, setns(fd[i], ns_order[i].type), "setns(%d, %s)", fd[i],
			       flag) < 0)
			return nook_fail(err, errno, "setns(%s namespace of %d)", ns_order[i].name,
					 (int)pid);
		close(fd[i]);
	}
	return 0;
}
//! [join_namespaces]

/**
 * --tty with --console-socket, in the child: a pty from the container's own devpts, its
 * master sent to the engine (SCM_RIGHTS), the slave our controlling terminal and 0-2 —
 * as stdio.c does for the container's first process.
 */
static int
take_pty(int sock, struct nook_error *err)
{
	int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC), slave;

	if (master < 0)
		return nook_fail(err, errno, "open(\"/dev/ptmx\")");
	if (unlockpt(master) < 0)
		return nook_fail(err, errno, "unlockpt");
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	if (slave < 0)
		return nook_fail(err, errno, "ioctl(TIOCGPTPEER)");
	if (stdio_send_fd(sock, master, err) < 0)
		return -1;
	close(master);
	close(sock);
	if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
		return nook_fail(err, errno, "ioctl(TIOCSCTTY)");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			return nook_fail(err, errno, "dup2(pty, %d)", fd);
	return slave > 2 ? close(slave) : 0;
}

/** --console-socket @p path, connected on the host before the namespaces change. */
static int
console_connect(const char *path, struct nook_error *err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path))
		return nook_fail(err, 0, "--console-socket \"%s\": path too long", path);
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return nook_fail(err, errno, "socket(AF_UNIX)");
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		close(fd);
		return nook_fail(err, errno, "connect(\"%s\")", path);
	}
	return fd;
}

/**
 * Step 3, in the child, born in the container's PID namespace: capabilities and user,
 * cwd, seccomp, then the command.
 */
static void
exec_child(struct nook_container *c, struct nook_oci *o, int console)
{
	struct nook_error err;
	char *env[NOOK_MAX_ENV + 1];

	trace_inside();	 /* the lines are the container's from here */
	trace_release(); /* none to hold: the middle process only waits for this one now */
	nook_trace_note(EXEC_LESSON, "fork() = 0: PID %d in the container's PID namespace",
			(int)getpid());
	if (console >= 0 && take_pty(console, &err) < 0) {
		nook_say(&err);
		_exit(err.code);
	}

	for (int i = 0; i < c->nenv; i++)
		env[i] = (char *)c->env_arg[i];
	env[c->nenv] = NULL;
	if (caps_stage.child(c, &err) < 0 ||
	    (nook_trace(EXEC_LESSON, chdir(o->cwd), "chdir(\"%s\")", o->cwd) < 0 &&
	     nook_fail(&err, errno, "chdir(\"%s\")", o->cwd)) ||
	    seccomp_stage.seal(c, &err) < 0) {
		nook_say(&err);
		_exit(err.code);
	}
	environ = env;
	nook_trace_note(EXEC_LESSON, "execvp(\"%s\") ...", c->argv[0]);
	nook_trace(EXEC_LESSON, execvp(c->argv[0], c->argv), "execvp(\"%s\")", c->argv[0]);
	nook_fail_code(&err, errno == ENOENT ? NOOK_EXIT_NOT_FOUND : NOOK_EXIT_CANNOT_EXEC, errno,
		       "execvp(\"%s\")", c->argv[0]);
	nook_say(&err);
	_exit(err.code);
}

/** The options; returns the ID and leaves the command (if any) at argv[optind + 1]. */
struct exec_opts {
	const char *process, *pid_file, *cwd, *user, *console;
	const char *env[NOOK_MAX_ENV];
	int nenv;
	bool detach, tty;
};

/** exec's options, parsed and documented (runc's). */
static const struct nook_cmd_option exec_options[] = {
	{"process", 'p', "FILE",
	 "the process as an OCI process object (JSON), instead of the arguments"},
	{"pid-file", 'P', "FILE", "write the new process's PID here"},
	{"cwd", 'c', "DIR", "its working directory, in the container"},
	{"user", 'u', "UID[:GID]", "its user and group, as numbers"},
	{"env", 'e', "KEY=VALUE", "one more variable of its environment (again for more)"},
	{"detach", 'd', NULL, "do not wait for it: write --pid-file and exit"},
	{"tty", 't', NULL,
	 "give it a terminal: nook relays it, or its master goes to --console-socket"},
	{"interactive", 'i', NULL, "accepted for docker's sake: stdin is passed on anyway"},
	{"console-socket", 'C', "SOCKET", "the AF_UNIX socket to send the terminal's master to"},
	{NULL, 0, NULL, NULL},
};

static int
exec_args(int argc, char *argv[], struct exec_opts *x, struct nook_error *err)
{
	int ch;

	while ((ch = command_getopt(&exec_command, argc, argv)) != -1) {
		if (ch == 'p')
			x->process = optarg;
		else if (ch == 'P')
			x->pid_file = optarg;
		else if (ch == 'c')
			x->cwd = optarg;
		else if (ch == 'u')
			x->user = optarg;
		else if (ch == 'e' && x->nenv < NOOK_MAX_ENV && strchr(optarg, '='))
			x->env[x->nenv++] = optarg;
		else if (ch == 'd')
			x->detach = true;
		else if (ch == 't')
			x->tty = true;
		else if (ch == 'C')
			x->console = optarg;
		else if (ch == 'i')
			continue; /* docker's -i: stdin is passed on anyway */
		else
			return nook_fail(err, 0, "exec: bad option '%s'", argv[optind - 1]);
	}
	if (optind >= argc || (!x->process && optind + 1 >= argc))
		return nook_fail(err, 0, "exec: expected ID and a command, or --process");
	if (x->tty && x->detach && !x->console)
		return nook_fail(err, 0, "exec: --tty --detach needs a --console-socket");
	return optind;
}

/** The process description: the container's, with --process or the arguments over it. */
static int
describe(const struct exec_opts *x, char **cmd, struct nook_container *c, struct nook_oci *o,
	 struct nook_error *err)
{
	if (x->process)
		return oci_process_load(x->process, c, o, err);
	c->argv = cmd;
	for (int i = 0; i < x->nenv && c->nenv < NOOK_MAX_ENV; i++)
		c->env_arg[c->nenv++] = x->env[i];
	if (x->cwd)
		o->cwd = x->cwd;
	if (x->user && caps_parse_user(x->user, &c->caps.uid, &c->caps.gid, err) < 0)
		return -1;
	c->caps.user = c->caps.user || x->user;
	return 0;
}

/**
 * The user the process is to take must be one that the container's user namespace maps,
 * or setresuid(2) fails inside with a bare EINVAL. Its live maps — /proc/PID/uid_map and
 * gid_map of @p target, as create wrote them — into @p c, then step 08's own check
 * (caps_stage.prepare): one line naming the id. Nothing to check in a container without a
 * user namespace of its own, nor with more ranges than nook keeps.
 */
static int
check_user(struct nook_container *c, pid_t target, struct nook_error *err)
{
	static const char *const files[] = {"uid_map", "gid_map"};
	struct nook_id_map *maps[] = {&c->uid_map, &c->gid_map};
	struct nook_id_range r;
	struct nook_error ignored;
	struct stat theirs, ours;
	char path[64];
	bool ok = true;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)target);
	c->userns = stat(path, &theirs) == 0 && stat("/proc/self/ns/user", &ours) == 0 &&
		    (theirs.st_dev != ours.st_dev || theirs.st_ino != ours.st_ino);
	for (int i = 0; i < 2 && c->userns; i++) {
		snprintf(path, sizeof(path), "/proc/%d/%s", (int)target, files[i]);
		maps[i]->n = 0;
		if (!(f = fopen(path, "re")))
			return nook_fail(err, errno, "open(\"%s\")", path);
		while (ok && fscanf(f, "%u %u %u", &r.inside, &r.outside, &r.count) == 3)
			ok = user_add_id_range(maps[i], files[i], r, &ignored) == 0;
		fclose(f);
	}
	return ok ? caps_stage.prepare(c, err) : 0;
}

/** Write @p pid into the pid file @p fd, opened on the host before the namespaces changed. */
static int
pid_file(int fd, const char *path, pid_t pid, struct nook_error *err)
{
	char text[16];
	int n = snprintf(text, sizeof(text), "%d", (int)pid);
	bool ok = write(fd, text, (size_t)n) == n;

	close(fd);
	return ok ? 0 : nook_fail(err, errno, "write(\"%s\")", path);
}

/**
 * The middle process: join the namespaces of @p target, fork the command into them, tell
 * its host PID through @p tell, and — unless @p detach — wait and end as it ends. nook
 * itself stays in the host's namespaces (its PID-namespace-for-children unchanged: a
 * process that joined another cannot start threads, which the sanitizers' leak checker
 * needs at exit).
 */
static void
enter(struct nook_container *c, struct nook_oci *o, pid_t target, int console, int tell,
      bool detach)
{
	struct nook_error err;
	int wstatus;
	pid_t pid;

	if (join_namespaces(target, &err) < 0)
		_exit(nook_say(&err));
	pid = fork();
	if (pid == 0)
		exec_child(c, o, console);
	if (pid < 0) {
		nook_fail(&err, errno, "fork");
		_exit(nook_say(&err));
	}
	if (write(tell, &pid, sizeof(pid)) != (ssize_t)sizeof(pid) || detach)
		_exit(0);
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	_exit(nook_wait_status(wstatus));
}

int
cmd_exec(int argc, char *argv[])
{
	struct exec_opts x = {0};
	struct nook_container c = {0};
	struct nook_oci o = {0};
	struct nook_error err;
	struct oci_state s;
	int first, wstatus, ret = -1, pidfd = -1, console = -1, own_tty = -1, tell[2];
	pid_t middle, pid = 0, target;

	if ((first = exec_args(argc, argv, &x, &err)) < 0 ||
	    oci_state_read(nook_cli.root, argv[first], &s, &err) < 0)
		return nook_say(&err);
	trace_begin(nook_cli.trace); /* --trace: each call that enters the container */
	/* whose namespaces step 2 joins: a rootless nook-init's cannot be read (oci_procs.c) */
	target = oci_ns_holder(s.pid);
	if (target != s.pid)
		nook_trace_note(
			EXEC_LESSON,
			"open(\"/proc/%d/ns/mnt\") = -1 EACCES: the namespaces of its child %d",
			(int)s.pid, (int)target);
	c.deny_setgroups = user_setgroups_denied(target); /* a rootless one's: as it is */
	if (strcmp(oci_status(&s), "running") != 0)
		nook_fail(&err, 0, "cannot exec in a container that is %s", oci_status(&s));
	else if (x.pid_file &&
		 (pidfd = open(x.pid_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		nook_fail(&err, errno, "open(\"%s\")", x.pid_file); /* a host path: open it now */
	else if (x.console && (x.tty || x.process) &&
		 (console = console_connect(x.console, &err)) < 0)
		; /* err says why */
	else if (x.tty && !x.console && (console = exec_tty_socket(&own_tty, &err)) < 0)
		; /* err says why */
	else if (oci_config_load(s.bundle, &c, &o, &err) == 0 &&
		 describe(&x, argv + first + 1, &c, &o, &err) == 0 &&
		 check_user(&c, target, &err) == 0 && seccomp_stage.prepare(&c, &err) == 0 &&
		 join_cgroups(&s, &err) == 0)
		ret = 0;
	oci_state_free(&s);
	if (ret == 0 && pipe2(tell, O_CLOEXEC) < 0)
		ret = nook_fail(&err, errno, "pipe2");
	if (ret < 0) {
		trace_end();
		seccomp_stage.cleanup(&c); /* a refusal after the config was read: let go of it */
		oci_config_free(&o);
		return nook_say(&err);
	}
	fflush(NULL);
	middle = fork();
	if (middle == 0) {
		close(tell[0]);
		enter(&c, &o, target, (x.tty || o.terminal) ? console : -1, tell[1], x.detach);
	}
	close(tell[1]);
	trace_end(); /* the rest of the trace is the middle process's and the command's */
	if (console >= 0)
		close(console);
	if (middle < 0)
		return nook_fail(&err, errno, "fork"), nook_say(&err);
	if (read(tell[0], &pid, sizeof(pid)) == (ssize_t)sizeof(pid) && pidfd >= 0 &&
	    pid_file(pidfd, x.pid_file, pid, &err) < 0)
		nook_say(&err);
	close(tell[0]);
	if (own_tty >= 0)
		exec_tty_relay(
			own_tty); /* -t without a socket: nook is the console (cmd_exec_tty.c) */
	while (waitpid(middle, &wstatus, 0) < 0 && errno == EINTR)
		;
	seccomp_stage.cleanup(&c);
	oci_config_free(&o);
	return nook_wait_status(wstatus); /* the middle's: the command's, or 125 */
}

const struct nook_command exec_command = {
	.name = "exec",
	.usage = "[OPTIONS] ID [COMMAND [ARG...]]",
	.summary = "run another process in a running container",
	.about =
		"A container is namespaces, a cgroup and a root: the new process joins each. nook "
		"moves itself into the container's cgroup, setns(2)s into its namespaces (the user "
		"namespace first, the mount namespace last, which also takes its root) and forks: "
		"the child is born in the container's PID namespace, takes the capabilities, user "
		"and seccomp filter of the process description, and executes COMMAND.\n"
		"The description is the container's config.json process, with --process or the "
		"arguments and options over it. Without --detach nook waits and passes the "
		"process's status on.",
	.shorts = "+p:c:u:e:dti",
	.options = exec_options,
	.status = "COMMAND's own (128+N when signal N ended it); with --detach, 0; 125, and one "
		  "line on stderr, when nook fails.",
	.see = "setns(2), nsenter(1), nook-run(1)",
	.run = cmd_exec,
};

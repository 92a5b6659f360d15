/**
 * @file cmd_create.c
 * @brief `nook create [--bundle B] [--pid-file F] [--console-socket S] ID`: the container
 *        set up and waiting, and the runtime gone.
 *
 * create is nook_create() of the step programs' launcher with three differences:
 *
 *  - the container must outlive us: no parent-death signal (die_with_parent is false, but
 *    for `run`'s own, which may ask for one in its oci_create_opts), so
 *    when nook exits its child is reparented — to the nearest subreaper, conmon or the
 *    containerd shim, which set PR_SET_CHILD_SUBREAPER precisely to become its parent;
 *  - "start" cannot be a byte on a pipe from us: the container waits on exec.fifo in its
 *    state directory instead, which `nook start` opens (launch.c, await_start());
 *  - its streams are the caller's 0, 1 and 2, passed as they are: conmon gives pipes it
 *    reads itself, and nothing of ours stays behind to relay.
 *
 * Then the state is saved (oci_state.c), the PID written to --pid-file (atomically: the
 * engine polls for it), and the state directory given up: the keep mark (NOOK_STATE_KEEP)
 * is made — the step programs' sweep leaves a directory that has it alone — and the lock
 * removed, since no runtime lives to hold it. Only `delete` removes the directory then.
 * Should anything fail before, everything made so far is removed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci.h"

/** Write @p pid into @p path atomically (written beside it, then renamed). */
static int
write_pid_file(const char *path, pid_t pid, struct nook_error *err)
{
	char tmp[PATH_MAX];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.nook-tmp", path) >= (int)sizeof(tmp))
		return nook_fail(err, 0, "--pid-file: path too long");
	f = fopen(tmp, "we");
	if (!f)
		return nook_fail(err, errno, "open(\"%s\")", tmp);
	fprintf(f, "%d", (int)pid);
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		return nook_fail(err, errno, "--pid-file \"%s\"", path);
	}
	return 0;
}

/** The state of the container nook_create() just made, saved for the later commands. */
static int
save_state(const struct nook_container *c, const struct nook_oci *o, struct nook_error *err)
{
	struct oci_state s = {0};
	char st;
	int ret;

	snprintf(s.id, sizeof(s.id), "%s", c->id);
	snprintf(s.dir, sizeof(s.dir), "%s", c->run.state);
	snprintf(s.bundle, sizeof(s.bundle), "%s", o->bundle);
	s.pid = c->run.pid;
	s.start_time = oci_start_time(c->run.pid, &st);
	oci_now(s.created, sizeof(s.created));
	s.annotations = json_object_get(o->doc, "annotations");
	for (int i = 0; i < c->cgroup.ndirs; i++)
		snprintf(s.cgroups[s.ncgroups++], sizeof(s.cgroups[0]), "%s",
			 c->cgroup.dirs[i].path);
	ret = oci_state_write(&s, err);
	return ret;
}

/**
 * Give the state directory up: the keep mark first — a sweep leaves a directory that has
 * it alone, as a --keep run's — then no lock, since no runtime lives to hold it.
 */
static int
let_go(struct nook_container *c, struct nook_error *err)
{
	char path[PATH_MAX_STATE + 8];
	int fd;

	snprintf(path, sizeof(path), "%s/" NOOK_STATE_KEEP, c->run.state);
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0)
		return nook_fail(err, errno, "open(\"%s\")", path);
	close(fd);
	snprintf(path, sizeof(path), "%s/lock", c->run.state);
	unlink(path);
	if (c->run.lockfd >= 0)
		close(c->run.lockfd);
	c->run.lockfd = -1;
	return 0;
}

//! [oci_create]
/**
 * Create container @p id from the bundle in @p opts into @p c, @p o (through @p stages,
 * room for 9): set up and waiting on its exec FIFO, its state saved.
 * @return 0, or -1 with @p err; the caller then runs nook_destroy() to remove the rest.
 */
int
oci_create(const char *id, const struct oci_create_opts *opts, struct nook_container *c,
	   struct nook_oci *o, const struct nook_stage **stages, struct nook_error *err)
{
	stages[0] = NULL;
	if (state_check_id(id, err) < 0 ||
	    oci_config_load(opts->bundle ? opts->bundle : ".", c, o, err) < 0)
		return -1;
	if (o->terminal && !opts->console_socket && !nook_cli.run)
		return nook_fail(
			err, 0,
			"process.terminal is true: create needs a --console-socket to send "
			"the terminal to");
	snprintf(c->id, sizeof(c->id), "%s", id);
	c->state_root = nook_cli.root;
	c->stdio_inherit = true;
	if (o->terminal)
		c->console_socket = opts->console_socket;
	if (o->terminal && !opts->console_socket)
		c->stdio_inherit = false; /* run: a pty of the launcher's, relayed while it waits */
	c->die_with_parent = opts->die_with_parent;
	c->preserve_fds = opts->preserve_fds;
	c->trace = nook_cli.trace;
	oci_stages(c, o, stages);
	if (nook_create(c, stages, err) < 0 || save_state(c, o, err) < 0)
		return -1;
	if (opts->pid_file && write_pid_file(opts->pid_file, c->run.pid, err) < 0)
		return -1;
	return let_go(c, err);
}
//! [oci_create]

/** The options create and run share (run's --detach only), parsed and documented. */
const struct nook_cmd_option oci_create_options[] = {
	{"bundle", 'b', "DIR", "the bundle: config.json and its root (default: .)"},
	{"pid-file", 'p', "FILE", "write the container's PID here (atomically)"},
	{"console-socket", 'c', "SOCKET",
	 "send the terminal's master to this AF_UNIX socket (process.terminal)"},
	{"preserve-fds", 'f', "N", "pass N more descriptors (3, 4 ...) on to the container"},
	{"no-pivot", 'n', NULL, "accepted for runc's sake; nook always uses pivot_root"},
	{"no-new-keyring", 'k', NULL, "accepted for runc's sake; nook makes no keyring"},
	{"detach", 'd', NULL, "run: do not wait for the container; create: ignored"},
	{NULL, 0, NULL, NULL},
};

/** Returns the ID create or run (@p cmd) names, or NULL after filling @p err. */
const char *
oci_create_args(const struct nook_command *cmd, int argc, char *argv[],
		struct oci_create_opts *opts, bool *detach, struct nook_error *err)
{
	int ch;

	while ((ch = command_getopt(cmd, argc, argv)) != -1) {
		if (ch == 'b')
			opts->bundle = optarg;
		else if (ch == 'p')
			opts->pid_file = optarg;
		else if (ch == 'c')
			opts->console_socket = optarg;
		else if (ch == 'f')
			opts->preserve_fds = atoi(optarg);
		else if (ch == 'd' && detach)
			*detach = true;
		else if (ch != 'n' && ch != 'k') { /* pivot_root always; no keyring is made */
			nook_fail(err, 0, "%s: unknown option '%s'", argv[0], argv[optind - 1]);
			return NULL;
		}
	}
	if (optind != argc - 1) {
		nook_fail(err, 0, "%s: expected one container ID", argv[0]);
		return NULL;
	}
	return argv[optind];
}

/**
 * Let go of what this process holds of a container that lives on: its ends of the
 * streams and pipes, the environment it built, the seccomp filter (already loaded inside
 * or to be). Nothing of the container itself is touched: no stage's cleanup but step
 * 09's, which only frees memory. create calls it before it exits, and so does
 * `run --detach`.
 */
void
oci_forget(struct nook_container *c)
{
	stdio_close(c);
	seccomp_stage.cleanup(c);
	for (int i = 0; c->env[i]; i++)
		free(c->env[i]);
	c->env[0] = NULL;
	if (c->run.syncfd >= 0)
		close(c->run.syncfd);
	if (c->run.reportfd >= 0)
		close(c->run.reportfd);
	if (c->run.sigfd >= 0)
		close(c->run.sigfd);
}

int
cmd_create(int argc, char *argv[])
{
	const struct nook_stage *stages[10];
	struct nook_container c = {0};
	struct oci_create_opts opts = {0};
	struct nook_error err, later;
	struct nook_oci o = {0};
	const char *id = oci_create_args(&create_command, argc, argv, &opts, NULL, &err);

	if (!id)
		return nook_say(&err);
	if (oci_create(id, &opts, &c, &o, stages, &err) < 0) {
		if (stages[0])
			nook_destroy(&c, stages, &later);
		oci_config_free(&o);
		return nook_say(&err);
	}
	oci_forget(&c);
	oci_config_free(&o);
	return 0;
}

const struct nook_command create_command = {
	.name = "create",
	.usage = "[OPTIONS] ID",
	.summary = "create a container from a bundle; it waits for start",
	.about = "Sets container ID up from the bundle's config.json: its namespaces, "
		 "cgroup, root filesystem, capabilities and seccomp filter; and leaves "
		 "its process waiting on exec.fifo in its state directory, until nook start "
		 "opens it. nook itself exits: the container is reparented to the nearest "
		 "subreaper (conmon, the containerd shim).\n"
		 "The state goes under --root (default /run/nook); --pid-file is written once "
		 "the container waits. Should anything fail, everything made so far is removed.",
	.shorts = "+b:d",
	.options = oci_create_options,
	.see = "nook-start(1), nook-run(1), nook-delete(1), runc(8)",
	.run = cmd_create,
};

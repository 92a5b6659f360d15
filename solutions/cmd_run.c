/**
 * @file cmd_run.c
 * @brief `nook run [--detach] [--bundle B] ID`: create, start, and — unless --detach —
 *        wait for the container and delete it, passing its exit status on.
 *
 * Without --detach nook stays the container's parent, so it waits as the step programs
 * do (nook_wait(): signals passed on, the status as a shell has it) and removes the
 * container at the end (nook_destroy()).
 *
 * Step 11 gives `nook run` a second form, docker's: `nook run [OPTIONS] IMAGE [CMD...]`
 * (cmd_run_image.c, its options in cmd_run_options.c), which makes a bundle from an image
 * of the store and then runs it as here, between oci_run_begin() and oci_run_end() — in
 * the background, with -d, under a monitor (cmd_run_monitor.c). Which form a command line
 * is, is decided by cmd_run_is_image(): runc's whenever it has an option only runc's form
 * has (--bundle, --pid-file, --console-socket, --preserve-fds, --no-pivot,
 * --no-new-keyring) or when its one operand names no image of the store; the image form
 * when it has an option only that form has (run_option_is_image(): --rm, --name, -e, -v,
 * -it, ...) or its first operand names an image. -d (--detach) is both forms' and decides
 * nothing. Engines always pass --bundle (podman, containerd), so their `run` stays runc's.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "run.h"

/**
 * Create container @p id from the bundle in @p opts into @p r and start it: it runs, a child
 * of this process, when this returns 0. On -1 (@p err says why) oci_run_end() still has to
 * remove what was made.
 */
int
oci_run_begin(const char *id, const struct oci_create_opts *opts, struct oci_running *r,
	      struct nook_error *err)
{
	struct nook_error later;

	if (oci_create(id, opts, &r->c, &r->o, r->stages, err) < 0 ||
	    oci_start_fifo(r->o.fifo, r->c.run.pid, err) < 0)
		return -1;
	unlink(r->o.fifo);
	r->c.run.started = true;
	if (oci_hooks_notify(&r->o, OCI_HOOK_POSTSTART, id, "running", r->c.run.pid, &later) < 0)
		nook_say(&later); /* reported; the container runs on */
	return 0;
}

/**
 * The end of a container oci_run_begin() made: if @p wait (it started), wait for it; then
 * destroy it (cgroup, state directory) and run the poststop hooks. Returns its exit
 * status, or -1 with @p err (set by oci_run_begin() when @p wait is false).
 */
int
oci_run_end(struct oci_running *r, bool wait, struct nook_error *err)
{
	char keep[PATH_MAX_STATE + 8];
	struct nook_error later;
	int status = -1;

	if (wait)
		status = nook_wait(&r->c, r->stages, err);
	if (r->c.run.state[0]) { /* not kept any more: destroy removes the directory */
		snprintf(keep, sizeof(keep), "%s/" NOOK_STATE_KEEP, r->c.run.state);
		unlink(keep);
	}
	if (r->stages[0] && nook_destroy(&r->c, r->stages, &later) == 0 && r->c.run.started &&
	    oci_hooks_notify(&r->o, OCI_HOOK_POSTSTOP, r->c.id, "stopped", r->c.run.pid, &later) <
		    0)
		nook_say(&later); /* reported; the status is the container's */
	oci_config_free(&r->o);
	return status;
}

/**
 * Create container @p id from the bundle in @p opts, start it and, unless @p detach, wait
 * for it and delete it. Returns its exit status, or nook's after printing why.
 */
int
oci_run(const char *id, const struct oci_create_opts *opts, bool detach)
{
	struct oci_running r = {0};
	struct nook_error err;
	int status;
	bool started;

	nook_cli.run = !detach; /* a terminal without --console-socket needs nook to stay */
	started = oci_run_begin(id, opts, &r, &err) == 0;
	if (started && detach) {
		oci_forget(&r.c); /* it runs on: nook only lets go of its streams and memory */
		oci_config_free(&r.o);
		return 0;
	}
	status = oci_run_end(&r, started, &err);
	return status < 0 ? nook_say(&err) : status;
}

int
cmd_run(int argc, char *argv[])
{
	struct oci_create_opts opts = {0};
	struct nook_error err;
	bool detach = false;
	const char *id;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
		return run_usage(stdout), 0;
	if (cmd_run_is_image(argc, argv))
		return cmd_run_image(argc, argv);
	if (!(id = oci_create_args(&run_command, argc, argv, &opts, &detach, &err)))
		return nook_say(&err);
	return oci_run(id, &opts, detach);
}

/**
 * run: runc's options are create's (oci_create_options, parsed here); the image form's are
 * run_options[] (cmd_run_options.c), which --help and nook-run(1) list.
 */
const struct nook_command run_command = {
	.name = "run",
	.usage = "[OPTIONS] IMAGE [CMD...]",
	.summary = "create, start and wait for a container (or --detach); or run IMAGE [CMD]",
	.shorts = "+b:d",
	.options = oci_create_options,
	.run = cmd_run,
	.write_usage = run_usage,
	.write_man = run_man,
};

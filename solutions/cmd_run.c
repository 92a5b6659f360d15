/**
 * @file cmd_run.c
 * @brief `nook run [--detach] [--bundle B] ID`: create, start, and — unless --detach —
 *        wait for the container and delete it, passing its exit status on.
 *
 * Without --detach nook stays the container's parent, so it waits as the step programs
 * do (nook_wait(): signals passed on, the status as a shell has it) and removes the
 * container at the end (nook_destroy()).
 *
 * Step 11 gives `nook run` a second form, docker's: `nook run [--rm] [--name N] [-e K=V]
 * [-w DIR] IMAGE [CMD...]` (cmd_run_image.c), which makes a bundle from an image of the
 * store and then runs it exactly as here. Which form a command line is, is decided by
 * cmd_run_is_image(): runc's whenever it has an option only runc's form has (--bundle,
 * --pid-file, --console-socket, --preserve-fds, --no-pivot, --no-new-keyring, --detach)
 * or when its one operand names no image of the store; the image form when it has an
 * option only that form has (--rm, --name, -e, -w) or its first operand names an image.
 * Engines always pass --bundle (podman, containerd), so their `run` stays runc's.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <unistd.h>

#include "oci.h"

/**
 * Create container @p id from the bundle in @p opts, start it and, unless @p detach, wait
 * for it and delete it. Returns its exit status, or nook's after printing why.
 */
int
oci_run(const char *id, const struct oci_create_opts *opts, bool detach)
{
	const struct nook_stage *stages[10];
	struct nook_container c = {0};
	struct nook_error err, later;
	struct nook_oci o = {0};
	char keep[PATH_MAX_STATE + 8];
	int status = -1;

	nook_cli.run = !detach; /* a terminal without --console-socket needs nook to stay */
	if (oci_create(id, opts, &c, &o, stages, &err) == 0 &&
	    oci_start_fifo(o.fifo, c.run.pid, &err) == 0) {
		unlink(o.fifo);
		c.run.started = true;
		if (oci_hooks_notify(&o, OCI_HOOK_POSTSTART, id, "running", c.run.pid, &later) < 0)
			nook_say(&later); /* reported; the container runs on */
		if (detach) {
			oci_config_free(&o);
			return 0;
		}
		status = nook_wait(&c, stages, &err);
	}
	if (c.run.state[0]) { /* not kept any more: destroy removes the directory */
		snprintf(keep, sizeof(keep), "%s/" NOOK_STATE_KEEP, c.run.state);
		unlink(keep);
	}
	if (stages[0] && nook_destroy(&c, stages, &later) == 0 && c.run.started &&
	    oci_hooks_notify(&o, OCI_HOOK_POSTSTOP, id, "stopped", c.run.pid, &later) < 0)
		nook_say(&later); /* reported; the status is the container's */
	oci_config_free(&o);
	return status < 0 ? nook_say(&err) : status;
}

int
cmd_run(int argc, char *argv[])
{
	struct oci_create_opts opts = {0};
	struct nook_error err;
	bool detach = false;
	const char *id;

	if (cmd_run_is_image(argc, argv))
		return cmd_run_image(argc, argv);
	if (!(id = oci_create_args(argc, argv, &opts, &detach, &err)))
		return nook_say(&err);
	return oci_run(id, &opts, detach);
}

/**
 * @file cmd_run.c
 * @brief `nook run [--detach] [--bundle B] ID`: create, start, and — unless --detach —
 *        wait for the container and delete it, passing its exit status on.
 *
 * Without --detach nook stays the container's parent, so it waits as the step programs
 * do (nook_wait(): signals passed on, the status as a shell has it) and removes the
 * container at the end (nook_destroy()).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <unistd.h>

#include "oci.h"

int
cmd_run(int argc, char *argv[])
{
	const struct nook_stage *stages[10];
	struct nook_container c = {0};
	struct oci_create_opts opts = {0};
	struct nook_error err, later;
	struct nook_oci o = {0};
	char keep[PATH_MAX_STATE + 8];
	bool detach = false;
	const char *id = oci_create_args(argc, argv, &opts, &detach, &err);
	int status = -1;

	if (!id)
		return nook_say(&err);
	nook_cli.run = !detach; /* a terminal without --console-socket needs nook to stay */
	if (oci_create(id, &opts, &c, &o, stages, &err) == 0 &&
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

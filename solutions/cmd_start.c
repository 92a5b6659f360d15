/**
 * @file cmd_start.c
 * @brief `nook start ID`: run a created container's command.
 *
 * The container waits, inside, on opening exec.fifo for writing; opening it for reading
 * here releases it. It then reports through the FIFO, as it reported to `create` before:
 * "exec" just before execve(2), and end-of-file when the command replaced it (the FIFO
 * is close-on-exec) — or an error such as a command that is not found (127). The FIFO is
 * removed afterwards: from then on the container is "running".
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "oci.h"

/** The one ID a command takes, or NULL with @p err. */
const char *
oci_one_id(int argc, char *argv[], struct nook_error *err)
{
	if (argc != 2 || argv[1][0] == '-') {
		nook_fail(err, 0, "%s: expected one container ID", argv[0]);
		return NULL;
	}
	return argv[1];
}

/** The bundle's poststart hooks, if its config still reads. */
static void
poststart(const struct oci_state *s)
{
	struct nook_container c = {0};
	struct nook_oci o = {0};
	struct nook_error ignored;

	if (oci_config_load(s->bundle, &c, &o, &ignored) == 0 &&
	    oci_hooks_notify(&o, OCI_HOOK_POSTSTART, s->id, "running", s->pid, &ignored) < 0)
		nook_say(&ignored); /* reported; the container runs on */
	oci_config_free(&o);
}

int
cmd_start(int argc, char *argv[])
{
	char fifo[PATH_MAX_STATE + 16];
	struct oci_state s;
	struct nook_error err;
	const char *id = oci_one_id(argc, argv, &err), *status;
	int ret;

	if (!id || oci_state_read(nook_cli.root, id, &s, &err) < 0)
		return nook_say(&err);
	status = oci_status(&s);
	if (strcmp(status, "created") != 0) {
		nook_fail(&err, 0, "cannot start a container that is %s", status);
		oci_state_free(&s);
		return nook_say(&err);
	}
	snprintf(fifo, sizeof(fifo), "%s/exec.fifo", s.dir);
	trace_begin(nook_cli.trace);
	ret = nook_start_fifo(fifo, s.pid, &err);
	trace_end();
	unlink(fifo);
	if (ret == 0)
		poststart(&s);
	oci_state_free(&s);
	return ret < 0 ? nook_say(&err) : 0;
}

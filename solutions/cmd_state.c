/**
 * @file cmd_state.c
 * @brief `nook state ID`: the OCI state, as JSON, its status computed from the process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "oci.h"

int
cmd_state(int argc, char *argv[])
{
	struct oci_state s;
	struct nook_error err;
	const char *id = oci_one_id(argc, argv, &err);
	json_t *o;
	char *text;

	if (!id || oci_state_read(nook_cli.root, id, &s, &err) < 0)
		return nook_say(&err);
	o = oci_state_json(&s, false);
	text = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
	json_decref(o);
	oci_state_free(&s);
	if (!text) {
		nook_fail(&err, ENOMEM, "state");
		return nook_say(&err);
	}
	printf("%s\n", text);
	free(text);
	return 0;
}

const struct nook_command state_command = {
	.name = "state",
	.usage = "ID",
	.summary = "print a container's OCI state",
	.about = "The state the runtime spec defines, as JSON: ociVersion, id, status (creating, "
		 "created, running or stopped, found from the process and exec.fifo), pid, bundle "
		 "and annotations.",
	.see = "nook-list(1)",
	.run = cmd_state,
};

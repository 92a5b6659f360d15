/**
 * @file cmd_list.c
 * @brief `nook list [--format table|json]`: every OCI container under --root.
 *
 * A directory without a state.json is not an OCI container (a step program's run, or a
 * create still under way) and is not listed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci.h"

/** One container: a table line, or appended to @p all. */
static void
list_one(const struct oci_state *s, json_t *all)
{
	json_t *o;

	if (!all) {
		printf("%-20s %-8d %-8s %-40s %s\n", s->id, oci_alive(s) ? (int)s->pid : 0,
		       oci_status(s), s->bundle, s->created);
		return;
	}
	o = oci_state_json(s, false);
	if (o)
		json_array_append_new(all, o);
}

/** list's options, parsed and documented. */
static const struct nook_cmd_option list_options[] = {
	{"format", 'f', "table|json", "a table (the default) or runc's JSON array"},
	{"quiet", 'q', NULL, "accepted for runc's sake"},
	{NULL, 0, NULL, NULL},
};

int
cmd_list(int argc, char *argv[])
{
	char base[PATH_MAX_STATE];
	struct nook_error err;
	struct oci_state s;
	struct dirent *e;
	json_t *all = NULL;
	DIR *d;
	int ch;

	while ((ch = command_getopt(&list_command, argc, argv)) != -1)
		if (ch == 'f' && strcmp(optarg, "json") == 0)
			all = json_array();
		else if (ch != 'q' && !(ch == 'f' && strcmp(optarg, "table") == 0))
			return nook_fail(&err, 0, "list: unknown option or format"), nook_say(&err);
	if (state_base(nook_cli.root, base, sizeof(base), &err) < 0)
		return nook_say(&err);
	if (!all)
		printf("%-20s %-8s %-8s %-40s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED");
	d = opendir(base);
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.' || oci_state_read(nook_cli.root, e->d_name, &s, &err) < 0)
			continue;
		list_one(&s, all);
		oci_state_free(&s);
	}
	if (d)
		closedir(d);
	if (all) {
		json_dumpf(all, stdout, JSON_COMPACT);
		printf("\n");
		json_decref(all);
	}
	return 0;
}

const struct nook_command list_command = {
	.name = "list",
	.usage = "[--format table|json]",
	.summary = "list the containers",
	.about = "Every OCI container under --root, with its PID, status, bundle and creation "
		 "time. A step program's run, or a create still under way, has no state.json and "
		 "is not listed.",
	.shorts = "+f:q",
	.options = list_options,
	.see = "nook-state(1), nook-ps(1)",
	.run = cmd_list,
};

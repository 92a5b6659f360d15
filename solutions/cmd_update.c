/**
 * @file cmd_update.c
 * @brief `nook update --resources FILE|- ID`: new limits for a live container, written
 *        into its cgroup.
 *
 * A container's limits are nothing but files in its cgroup directories, which the kernel
 * applies to its processes from the moment they are written — a lower memory.max reclaims
 * (or OOM-kills) at once, a lower pids.max refuses the next fork. So an update needs no
 * help from the container: FILE (or stdin, as containerd's shim passes it) holds an OCI
 * linux.resources object, read by config.json's own reader and its typed setters, and
 * step 06's driver writes what it sets into the directories the state names. Limits it
 * does not name stay as they are; so do the device rules.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci.h"

/** The whole of @p path ("-": stdin), or NULL with @p err. */
static char *
slurp(const char *path, struct nook_error *err)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");
	char *text = NULL;
	size_t len = 0;

	if (!f) {
		nook_fail(err, errno, "--resources \"%s\"", path);
		return NULL;
	}
	if (getdelim(&text, &len, '\0', f) < 0) {
		nook_fail(err, errno ? errno : ENODATA, "--resources \"%s\"", path);
		free(text);
		text = NULL;
	}
	if (f != stdin)
		fclose(f);
	return text;
}

/** update's options, parsed and documented. */
static const struct nook_cmd_option update_options[] = {
	{"resources", 'r', "FILE", "an OCI linux.resources object (JSON); - for stdin"},
	{NULL, 0, NULL, NULL},
};

int
cmd_update(int argc, char *argv[])
{
	struct nook_container c = {0};
	struct nook_error err;
	struct oci_state s;
	const char *file = NULL;
	char *text;
	int ch, ret;

	while ((ch = command_getopt(&update_command, argc, argv)) != -1)
		if (ch == 'r')
			file = optarg;
		else
			return nook_fail(&err, 0, "update: unknown option '%s'", argv[optind - 1]),
			       nook_say(&err);
	if (!file || optind != argc - 1)
		return nook_fail(&err, 0, "update: expected --resources FILE (or -) and one ID"),
		       nook_say(&err);
	if (oci_state_read(nook_cli.root, argv[optind], &s, &err) < 0)
		return nook_say(&err);
	if (!oci_alive(&s))
		ret = nook_fail(&err, 0, "cannot update container \"%s\" that is %s", s.id,
				oci_status(&s));
	else if (oci_need_cgroup(&s, "update", &err) < 0)
		ret = -1; /* rootless */
	else if (!(text = slurp(file, &err)))
		ret = -1;
	else {
		ret = oci_resources_parse(text, &c, &err) < 0
			      ? -1
			      : cgroup_update(&c, (const char(*)[128])s.cgroups, s.ncgroups, &err);
		free(text);
	}
	oci_state_free(&s);
	return ret < 0 ? nook_say(&err) : 0;
}

const struct nook_command update_command = {
	.name = "update",
	.usage = "--resources FILE|- ID",
	.summary = "change a running container's limits (--resources FILE, - for stdin)",
	.about = "Writes the limits FILE names into the container's cgroup directories, where the "
		 "kernel applies them at once: a lower memory.max reclaims, a lower pids.max "
		 "refuses "
		 "the next fork. Limits FILE does not name stay as they are; so do device rules.",
	.shorts = "+r:",
	.options = update_options,
	.see = "cgroups(7), nook-run(1)",
	.run = cmd_update,
};

/**
 * @file cmd_cp.c
 * @brief `nook cp SRC DEST`: copy a file or a directory between the host and a container
 *        of the store, one of SRC and DEST written CONTAINER:PATH (image_cp.c).
 *
 * As docker cp: `nook cp web:/etc/nginx ./conf` copies out, `nook cp ./site web:/srv`
 * copies in; a DEST that is an existing directory receives SRC under its own name. An
 * argument is the container's when it has a ':' and does not start with '/' or '.' (a
 * host path with a ':' in it is written ./a:b). The container may be running or ended
 * (made by `nook run IMAGE` without --rm).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "image.h"
#include "oci.h"

/** If @p arg is CONTAINER:PATH, the container's name into @p id and the PATH; else NULL. */
static const char *
container_part(const char *arg, char *id, size_t size)
{
	const char *colon = strchr(arg, ':');

	if (!colon || arg[0] == '/' || arg[0] == '.' || (size_t)(colon - arg) >= size ||
	    memchr(arg, '/', (size_t)(colon - arg)))
		return NULL;
	snprintf(id, size, "%.*s", (int)(colon - arg), arg);
	return colon + 1;
}

int
cmd_cp(int argc, char *argv[])
{
	char id[NOOK_ID_MAX + 1], id2[NOOK_ID_MAX + 1];
	const char *src, *dst;
	struct image_store s;
	struct nook_error err;
	int ret;

	if (argc != 3)
		return nook_fail(&err, 0, "cp: expected SRC DEST, one of them CONTAINER:PATH"),
		       nook_say(&err);
	src = container_part(argv[1], id, sizeof(id));
	dst = container_part(argv[2], src ? id2 : id, sizeof(id));
	if (!src == !dst)
		return nook_fail(&err, 0, "cp: one of SRC and DEST must be CONTAINER:PATH, not %s",
				 src ? "both" : "neither"),
		       nook_say(&err);
	if (state_check_id(id, &err) < 0)
		return nook_say(&err);
	if ((src ? src : dst)[0] != '/')
		return nook_fail(&err, 0, "cp: the path in the container must be absolute"),
		       nook_say(&err);
	if (image_cli_open(&s, false, &err) < 0)
		return nook_say(&err);
	ret = src ? image_cp(&s, id, src, argv[2], false, &err)
		  : image_cp(&s, id, dst, argv[1], true, &err);
	image_store_close(&s);
	return ret < 0 ? nook_say(&err) : 0;
}

const struct nook_command cp_command = {
	.name = "cp",
	.usage = "SRC DEST",
	.summary = "copy files between a container and the host: SRC DEST, one CONTAINER:PATH",
	.about =
		"As docker cp: nook cp web:/etc/nginx ./conf copies out, nook cp ./site web:/srv "
		"copies in; a DEST that is an existing directory receives SRC under its own name. "
		"An argument is the container's when it has a ':' and does not start with '/' or "
		"'.' (a host path with a ':' in it is written ./a:b). The container may be running "
		"or ended.",
	.see = "nook-commit(1), nook-run(1)",
	.run = cmd_cp,
};

/**
 * @file cmd_image_prune.c
 * @brief `nook image prune`: remove the layers and blobs no image uses (image_prune.c).
 */
#define _GNU_SOURCE
#include <stdio.h>

#include "image.h"
#include "oci.h"

int
cmd_image_prune(int argc, char *argv[])
{
	struct image_store s;
	struct nook_error err;
	int removed, ret;

	(void)argv;
	if (argc != 1)
		return nook_fail(&err, 0, "image prune: no argument expected"), nook_say(&err);
	if (image_cli_open(&s, true, &err) < 0)
		return nook_say(&err);
	ret = image_store_prune(&s, &removed, &err);
	image_store_close(&s);
	if (ret < 0)
		return nook_say(&err);
	printf("removed %d layers and blobs\n", removed);
	return 0;
}

const struct nook_command image_prune_form = {
	.name = "image prune",
	.usage = "",
	.summary = "remove the layers and blobs no image uses",
	.run = cmd_image_prune,
};

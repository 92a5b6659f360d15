/**
 * @file cmd_rmi.c
 * @brief `nook rmi IMAGE...` (or `nook image rm`): forget images, by name or ID. A name
 *        of several only loses that name; layers stay until `nook image prune`.
 */
#define _GNU_SOURCE
#include <stdio.h>

#include "image.h"
#include "oci.h"

int
cmd_rmi(int argc, char *argv[])
{
	struct image_record rec;
	struct image_store s;
	struct nook_error err;
	int status = 0;

	if (argc < 2)
		return nook_fail(&err, 0, "rmi: expected an image"), nook_say(&err);
	if (image_cli_open(&s, true, &err) < 0)
		return nook_say(&err);
	for (int i = 1; i < argc; i++)
		if (image_store_remove(&s, argv[i], &rec, &err) < 0)
			status = nook_say(&err);
		else
			printf("Untagged: %s\n", argv[i]);
	image_store_close(&s);
	return status;
}

const struct nook_command rmi_command = {
	.name = "rmi",
	.usage = "IMAGE...",
	.summary = "forget images (their layers stay until image prune)",
	.about = "Each IMAGE is a name or an ID. A name of an image with several only loses that "
		 "name; an image a container uses is refused. nook image rm is the same.",
	.see = "nook-images(1), nook-image(1)",
	.run = cmd_rmi,
};

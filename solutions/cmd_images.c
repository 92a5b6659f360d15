/**
 * @file cmd_images.c
 * @brief `nook images [-q]` (or `nook image ls`): the images of the store, with their
 *        names, IDs (short, as docker prints them), layer counts and when they were stored.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "image.h"
#include "oci.h"

/** One image's lines: one per name, or one `<none>` line. */
static void
print_image(const struct image_record *r, bool quiet)
{
	if (quiet) {
		printf("%.12s\n", r->id + 7);
		return;
	}
	for (int i = 0; i < r->nnames || i == 0; i++)
		printf("%-50s %-12.12s %-6d %s\n", r->nnames ? r->names[i] : "<none>", r->id + 7,
		       r->nlayers, r->created);
}

/** images' options, parsed and documented. */
static const struct nook_cmd_option images_options[] = {
	{"quiet", 'q', NULL, "print the IDs only"},
	{NULL, 0, NULL, NULL},
};

int
cmd_images(int argc, char *argv[])
{
	struct image_record *recs;
	struct image_store s;
	struct nook_error err;
	bool quiet = false;
	int ch, n;

	while ((ch = command_getopt(&images_command, argc, argv)) != -1)
		if (ch == 'q')
			quiet = true;
		else
			return nook_fail(&err, 0, "images: unknown option '%s'", argv[optind - 1]),
			       nook_say(&err);
	if (optind != argc)
		return nook_fail(&err, 0, "images: no argument expected"), nook_say(&err);
	if (image_cli_open(&s, false, &err) < 0)
		return nook_say(&err);
	if (image_store_list(&s, &recs, &n, &err) < 0) {
		image_store_close(&s);
		return nook_say(&err);
	}
	image_store_close(&s);
	if (!quiet)
		printf("%-50s %-12s %-6s %s\n", "NAME", "ID", "LAYERS", "STORED");
	for (int i = 0; i < n; i++)
		print_image(&recs[i], quiet);
	free(recs);
	return 0;
}

const struct nook_command images_command = {
	.name = "images",
	.usage = "[--quiet]",
	.summary = "list the images of the store",
	.about =
		"Each image of the store (--store, $NOOK_STORE, or /var/lib/nook) with its names, "
		"its ID (short, as docker prints it), its number of layers and when it was stored. "
		"nook image ls is the same.",
	.shorts = "+q",
	.options = images_options,
	.see = "nook-pull(1), nook-image(1), nook-rmi(1)",
	.run = cmd_images,
};

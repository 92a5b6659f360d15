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

int
cmd_images(int argc, char *argv[])
{
	static const struct option table[] = {{"quiet", no_argument, NULL, 'q'},
					      {NULL, 0, NULL, 0}};
	struct image_record *recs;
	struct image_store s;
	struct nook_error err;
	bool quiet = false;
	int ch, n;

	while ((ch = getopt_long(argc, argv, "+q", table, NULL)) != -1)
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

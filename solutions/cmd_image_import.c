/**
 * @file cmd_image_import.c
 * @brief `nook image import [--name NAME] FILE|DIR`: store the image of an OCI image
 *        layout (a directory, or a tar of one) or of a `docker save` / `podman save`
 *        archive, every blob checked (image_import.c). Prints the image's ID.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>

#include "image.h"
#include "oci.h"

int
cmd_image_import(int argc, char *argv[])
{
	static const struct option table[] = {{"name", required_argument, NULL, 'n'},
					      {NULL, 0, NULL, 0}};
	char name[512];
	const char *given = NULL;
	struct image_record rec;
	struct image_store s;
	struct nook_error err;
	int ch, ret;

	while ((ch = getopt_long(argc, argv, "+n:", table, NULL)) != -1)
		if (ch != 'n')
			return nook_fail(&err, 0, "import: unknown option '%s'", argv[optind - 1]),
			       nook_say(&err);
		else if (image_normal_name(optarg, name, sizeof(name), &err) < 0)
			return nook_say(&err);
		else
			given = name;
	if (optind != argc - 1)
		return nook_fail(&err, 0, "import: expected one FILE or DIR"), nook_say(&err);
	if (image_cli_open(&s, true, &err) < 0)
		return nook_say(&err);
	ret = image_import(&s, argv[optind], given, &rec, &err);
	image_store_close(&s);
	if (ret < 0)
		return nook_fail(&err, 0, "import %s: %s", argv[optind], err.msg), nook_say(&err);
	printf("%s\n", rec.id);
	return 0;
}

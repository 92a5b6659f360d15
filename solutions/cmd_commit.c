/**
 * @file cmd_commit.c
 * @brief `nook commit [-m MESSAGE] CONTAINER [NAME[:TAG]]`: a container's writable layer
 *        becomes a new image (image_commit.c), whose ID is printed.
 *
 * CONTAINER is one made by `nook run IMAGE` without --rm: its directory stays in the store
 * when it ends, writable layer and all. Its image is unchanged; the new one has one layer
 * more, and shares the others with it on disk.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>

#include "image.h"
#include "oci.h"

/** commit's options, parsed and documented. */
static const struct nook_cmd_option commit_options[] = {
	{"message", 'm', "MESSAGE", "the new layer's comment, in the image's history"},
	{NULL, 0, NULL, NULL},
};

int
cmd_commit(int argc, char *argv[])
{
	const char *message = NULL;
	struct image_record rec;
	struct image_store s;
	struct nook_error err;
	char name[512];
	int ch, ret;

	while ((ch = command_getopt(&commit_command, argc, argv)) != -1)
		if (ch == 'm')
			message = optarg;
		else
			return nook_fail(&err, 0, "commit: bad option '%s'", argv[optind - 1]),
			       nook_say(&err);
	if (optind >= argc || argc - optind > 2)
		return nook_fail(&err, 0, "commit: expected CONTAINER [NAME[:TAG]]"),
		       nook_say(&err);
	if (state_check_id(argv[optind], &err) < 0 ||
	    (argc - optind == 2 &&
	     image_normal_name(argv[optind + 1], name, sizeof(name), &err) < 0))
		return nook_say(&err);
	if (image_cli_open(&s, true, &err) < 0)
		return nook_say(&err);
	ret = image_commit(&s, argv[optind], argc - optind == 2 ? name : NULL, message, &rec, &err);
	image_store_close(&s);
	if (ret < 0)
		return nook_say(&err);
	printf("%s\n", rec.id);
	return 0;
}

const struct nook_command commit_command = {
	.name = "commit",
	.usage = "[--message MESSAGE] CONTAINER [NAME[:TAG]]",
	.summary = "a container's writable layer as a new image: CONTAINER [NAME]",
	.about = "CONTAINER is one made by nook run IMAGE without --rm. Its image is unchanged; "
		 "the new one has one layer more, and shares the others with it on disk. Prints "
		 "the new image's ID.",
	.shorts = "+m:",
	.options = commit_options,
	.see = "nook-run(1), nook-images(1), nook-cp(1)",
	.run = cmd_commit,
};

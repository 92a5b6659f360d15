/**
 * @file cmd_pull.c
 * @brief `nook pull [--insecure] REF`: fetch an image from a registry into the store
 *        (image_registry.c), every blob checked as it streams. Prints the image's ID.
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <getopt.h>
#include <stdio.h>

#include "image.h"
#include "oci.h"

int
cmd_pull(int argc, char *argv[])
{
	static const struct option table[] = {{"insecure", no_argument, NULL, 'i'},
					      {NULL, 0, NULL, 0}};
	struct image_record rec;
	struct image_store s;
	struct nook_error err;
	bool insecure = false;
	int ch, ret;

	while ((ch = getopt_long(argc, argv, "+", table, NULL)) != -1)
		if (ch == 'i')
			insecure = true;
		else
			return nook_fail(&err, 0, "pull: unknown option '%s'", argv[optind - 1]),
			       nook_say(&err);
	if (optind != argc - 1)
		return nook_fail(&err, 0, "pull: expected one image reference"), nook_say(&err);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return nook_fail(&err, 0, "curl_global_init failed"), nook_say(&err);
	if (image_cli_open(&s, true, &err) < 0)
		return nook_say(&err);
	ret = image_pull(&s, argv[optind], insecure, &rec, &err);
	image_store_close(&s);
	curl_global_cleanup();
	if (ret < 0)
		return nook_fail(&err, 0, "pull %s: %s", argv[optind], err.msg), nook_say(&err);
	printf("%s\n", rec.id);
	return 0;
}

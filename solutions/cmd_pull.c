/**
 * @file cmd_pull.c
 * @brief `nook pull [--insecure] [--policy FILE] [--registries-d DIR] REF`: fetch an image
 *        from a registry into the store (image_registry.c), every blob checked as it
 *        streams, once the trust policy allows it (image_trust.c). Prints the image's ID.
 *
 * The policy is --policy FILE, else /etc/containers/policy.json if there is one, else none
 * (anything is accepted). Signatures are looked up where registries.d says
 * (--registries-d DIR, else /etc/containers/registries.d): the files podman and skopeo read.
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <getopt.h>
#include <stdio.h>

#include "image.h"
#include "image_policy.h"
#include "oci.h"

/** Pull argv's REF with @p trust (or NULL) and print its ID. */
static int
pull(const char *refstr, bool insecure, const struct image_trust *trust)
{
	struct image_record rec;
	struct image_store s;
	struct nook_error err;
	int ret;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return nook_fail(&err, 0, "curl_global_init failed"), nook_say(&err);
	if (image_cli_open(&s, true, &err) < 0)
		return curl_global_cleanup(), nook_say(&err);
	ret = image_pull(&s, refstr, insecure, trust, &rec, &err);
	image_store_close(&s);
	curl_global_cleanup();
	if (ret < 0)
		return nook_fail(&err, 0, "pull %s: %s", refstr, err.msg), nook_say(&err);
	printf("%s\n", rec.id);
	return 0;
}

/** pull's options, parsed and documented. */
static const struct nook_cmd_option pull_options[] = {
	{"insecure", 'i', NULL, "speak plain HTTP to the registry (a local one, for tests)"},
	{"policy", 'p', "FILE",
	 "the trust policy (default: /etc/containers/policy.json if there is one, else none)"},
	{"registries-d", 'r', "DIR",
	 "where signatures are looked up (default: /etc/containers/registries.d)"},
	{NULL, 0, NULL, NULL},
};

int
cmd_pull(int argc, char *argv[])
{
	const char *policy = NULL, *registries_d = IMAGE_REGISTRIES_D_DEFAULT;
	struct image_policy p;
	struct nook_error err;
	bool insecure = false, have;
	int ch, ret;

	while ((ch = command_getopt(&pull_command, argc, argv)) != -1)
		if (ch == 'i')
			insecure = true;
		else if (ch == 'p')
			policy = optarg;
		else if (ch == 'r')
			registries_d = optarg;
		else
			return nook_fail(&err, 0, "pull: unknown option '%s'", argv[optind - 1]),
			       nook_say(&err);
	if (optind != argc - 1)
		return nook_fail(&err, 0, "pull: expected one image reference"), nook_say(&err);
	if (image_cli_policy(policy, &p, &have, &err) < 0)
		return nook_fail(&err, 0, "pull %s: %s", argv[optind], err.msg), nook_say(&err);
	ret = pull(argv[optind], insecure,
		   have ? &(struct image_trust){&p, registries_d, NULL} : NULL);
	if (have)
		image_policy_free(&p);
	return ret;
}

const struct nook_command pull_command = {
	.name = "pull",
	.usage = "[--insecure] [--policy FILE] [--registries-d DIR] REF",
	.summary = "fetch an image from a registry into the store (step 11)",
	.about = "REF is docker's: [REGISTRY/]NAME[:TAG|@DIGEST]. The manifest (OCI's or Docker's "
		 "schema 2, or one of an index for this machine), the config and each layer are "
		 "fetched, every blob checked against its digest as it streams (a progress bar "
		 "on a terminal; a transfer that breaks is kept in the store's partial/ and the "
		 "next pull asks for the rest only), and stored once the trust policy allows the "
		 "image (its signatures checked where registries.d says, as podman and skopeo "
		 "do). Prints the image's ID.",
	.shorts = "+",
	.options = pull_options,
	.see = "nook-images(1), nook-run(1), containers-policy.json(5)",
	.run = cmd_pull,
};

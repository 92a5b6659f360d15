/**
 * @file cmd_image_import.c
 * @brief `nook image import [--name NAME] [--policy FILE] [--signatures DIR] FILE|DIR`:
 *        store the image of an OCI image layout (a directory, or a tar of one) or of a
 *        `docker save` / `podman save` archive, every blob checked (image_import.c), once
 *        the trust policy allows it. Prints the image's ID.
 *
 * The policy is that of `nook pull` (--policy FILE, else /etc/containers/policy.json if
 * there is one, else none), applied to the image's name as a docker reference. Its
 * signatures are DIR/signature-1, signature-2, ... (as skopeo's dir: transport keeps them).
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>

#include "image.h"
#include "image_policy.h"
#include "oci.h"

/** Import @p path as @p name (or the archive's) with @p trust (or NULL); print its ID. */
static int
import(const char *path, const char *name, const struct image_trust *trust)
{
	struct image_record rec;
	struct image_store s;
	struct nook_error err;
	int ret;

	if (image_cli_open(&s, true, &err) < 0)
		return nook_say(&err);
	ret = image_import(&s, path, name, trust, &rec, &err);
	image_store_close(&s);
	if (ret < 0)
		return nook_fail(&err, 0, "import %s: %s", path, err.msg), nook_say(&err);
	printf("%s\n", rec.id);
	return 0;
}

/** import's options, parsed and documented. */
static const struct nook_cmd_option import_options[] = {
	{"name", 'n', "NAME", "the image's name (default: the archive's own)"},
	{"policy", 'p', "FILE", "the trust policy, as nook pull's"},
	{"signatures", 's', "DIR", "its signatures: DIR/signature-1, signature-2 ..."},
	{NULL, 0, NULL, NULL},
};

int
cmd_image_import(int argc, char *argv[])
{
	const char *given = NULL, *policy = NULL, *sigdir = NULL;
	struct image_policy p;
	struct nook_error err;
	char name[512];
	bool have;
	int ch, ret;

	while ((ch = command_getopt(&image_import_form, argc, argv)) != -1)
		if (ch == 'p')
			policy = optarg;
		else if (ch == 's')
			sigdir = optarg;
		else if (ch != 'n')
			return nook_fail(&err, 0, "import: unknown option '%s'", argv[optind - 1]),
			       nook_say(&err);
		else if (image_normal_name(optarg, name, sizeof(name), &err) < 0)
			return nook_say(&err);
		else
			given = name;
	if (optind != argc - 1)
		return nook_fail(&err, 0, "import: expected one FILE or DIR"), nook_say(&err);
	if (image_cli_policy(policy, &p, &have, &err) < 0)
		return nook_fail(&err, 0, "import %s: %s", argv[optind], err.msg), nook_say(&err);
	ret = import(argv[optind], given, have ? &(struct image_trust){&p, NULL, sigdir} : NULL);
	if (have)
		image_policy_free(&p);
	return ret;
}

const struct nook_command image_import_form = {
	.name = "image import",
	.usage = "[--name NAME] [--policy FILE] [--signatures DIR] FILE|DIR",
	.summary = "store the image of an OCI image layout (a directory or a tar of one) or of a "
		   "docker save or podman save archive; print its ID",
	.about = "Every blob is checked against its digest, and the trust policy applied to the "
		 "image's name.",
	.shorts = "+n:",
	.options = import_options,
	.run = cmd_image_import,
};

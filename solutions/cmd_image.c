/**
 * @file cmd_image.c
 * @brief `nook image import|inspect|prune|ls|rm ...`: the image commands under one verb,
 *        as `docker image` and `podman image` group them; each is its own file.
 *
 * `nook images` and `nook rmi` are the short forms of `image ls` and `image rm`. Every
 * image command works on the store image.h describes: --store DIR (a global option) or
 * $NOOK_STORE name another one, as the tests do (image_cli_open(), cmd_store.c).
 *
 * These commands are built into nook-image, not nook (IMAGE_TOOL_SRCS in the Makefile):
 * nook finds them missing and execs nook-image (image_tool(), nook.c).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "image.h"
#include "image_policy.h"
#include "oci.h"

/**
 * The trust policy of pull and import into @p p: the file @p path (--policy), else
 * /etc/containers/policy.json when there is one; *@p have is false when there is none (then
 * anything is accepted, as before signatures were checked). Returns 0, or -1 with @p err.
 */
int
image_cli_policy(const char *path, struct image_policy *p, bool *have, struct nook_error *err)
{
	*have = false;
	if (!path && access(IMAGE_POLICY_DEFAULT, F_OK) < 0)
		return 0;
	if (image_policy_load(p, path ? path : IMAGE_POLICY_DEFAULT, err) < 0)
		return -1;
	*have = true;
	return 0;
}

int
cmd_image(int argc, char *argv[])
{
	static const struct {
		const char *name;
		const struct nook_command *cmd;
	} sub[] = {
		{"import", &image_import_form}, {"inspect", &image_inspect_form},
		{"prune", &image_prune_form},	{"ls", &images_command},
		{"list", &images_command},	{"rm", &rmi_command},
	};
	struct nook_error err;

	if (argc < 2)
		return nook_fail(&err, 0, "image: expected import, inspect, prune, ls or rm"),
		       nook_say(&err);
	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++)
		if (strcmp(argv[1], sub[i].name) == 0)
			return command_run(sub[i].cmd, argc - 1, argv + 1);
	nook_fail(&err, 0, "image: unknown command \"%s\"", argv[1]);
	return nook_say(&err);
}

static const struct nook_command *const image_forms[] = {&image_import_form, &image_inspect_form,
							 &image_prune_form, NULL};

const struct nook_command image_command = {
	.name = "image",
	.usage = "import|inspect|prune|ls|rm ...",
	.summary = "import, inspect, prune, ls or rm images of the store",
	.about = "The image commands under one verb, as docker image and podman image group them. "
		 "The store is --store DIR, $NOOK_STORE, or /var/lib/nook. nook image ls is "
		 "nook-images(1), nook image rm is nook-rmi(1).",
	.forms = image_forms,
	.see = "nook-pull(1), nook-images(1), nook-rmi(1)",
	.run = cmd_image,
};

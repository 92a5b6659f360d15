/**
 * @file cmd_image_inspect.c
 * @brief `nook image inspect IMAGE`: an image as JSON — its ID, names, manifest digest,
 *        layers (with where each is unpacked) and its config as the image carries it.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "image.h"
#include "oci.h"

/** The JSON of @p rec, its config blob included. */
static json_t *
inspect(const struct image_store *s, const struct image_record *rec, struct nook_error *err)
{
	json_t *o, *layers = json_array(), *names = json_array();
	char dir[PATH_MAX], *text;
	size_t len;

	if (!(text = image_store_blob(s, rec->id, &len, err)))
		return NULL;
	for (int i = 0; i < rec->nlayers; i++) {
		image_store_layer_dir(s, rec->layers[i], dir, sizeof(dir));
		json_array_append_new(
			layers, json_pack("{s:s, s:s}", "digest", rec->layers[i], "dir", dir));
	}
	for (int i = 0; i < rec->nnames; i++)
		json_array_append_new(names, json_string(rec->names[i]));
	o = json_pack("{s:s, s:o, s:s, s:s, s:o, s:o?}", "Id", rec->id, "Names", names, "Manifest",
		      rec->manifest, "Stored", rec->created, "Layers", layers, "Config",
		      json_loadb(text, len, 0, NULL));
	free(text);
	return o;
}

int
cmd_image_inspect(int argc, char *argv[])
{
	struct image_record rec;
	struct image_store s;
	struct nook_error err;
	json_t *o = NULL;

	if (argc != 2)
		return nook_fail(&err, 0, "image inspect: expected one image"), nook_say(&err);
	if (image_cli_open(&s, false, &err) < 0)
		return nook_say(&err);
	if (image_store_find(&s, argv[1], &rec, &err) == 0)
		o = inspect(&s, &rec, &err);
	image_store_close(&s);
	if (!o)
		return nook_say(&err);
	json_dumpf(o, stdout, JSON_INDENT(2));
	printf("\n");
	json_decref(o);
	return 0;
}

const struct nook_command image_inspect_form = {
	.name = "image inspect",
	.usage = "IMAGE",
	.summary =
		"print an image as JSON: its ID, names, manifest digest, layers (with where each "
		"is unpacked) and its config",
	.run = cmd_image_inspect,
};

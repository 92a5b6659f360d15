/**
 * @file image_record.c
 * @brief Step 11: the store's images — one record each (images/HEX.json), found by name or
 *        by ID, listed, forgotten (`nook rmi`), and what no image uses pruned.
 *
 * A record is small JSON: {"id", "manifest", "layers": [bottom first], "names",
 * "created"}. A name (repository:tag) belongs to one image at a time: storing a new image
 * under "busybox:latest" takes the name from the one that had it, which keeps its layers
 * and stays listed as `<none>` until removed — as with docker.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image.h"

/** Copy string @p j into @p buf, or fail: a record is ours, but the disk is not. */
static int
copy_str(json_t *j, char *buf, size_t size)
{
	const char *s = json_string_value(j);

	if (!s || strlen(s) >= size)
		return -1;
	memcpy(buf, s, strlen(s) + 1);
	return 0;
}

/** Read record @p j into @p rec. Returns 0, or -1 when it is not one. */
static int
from_json(json_t *j, struct image_record *rec)
{
	json_t *layers = json_object_get(j, "layers"), *names = json_object_get(j, "names"), *v;
	size_t i;

	memset(rec, 0, sizeof(*rec));
	if (copy_str(json_object_get(j, "id"), rec->id, sizeof(rec->id)) < 0 ||
	    copy_str(json_object_get(j, "manifest"), rec->manifest, sizeof(rec->manifest)) < 0 ||
	    !image_digest_valid(rec->id) || !image_digest_valid(rec->manifest) ||
	    json_array_size(layers) > IMAGE_MAX_LAYERS || json_array_size(names) > IMAGE_MAX_NAMES)
		return -1;
	copy_str(json_object_get(j, "created"), rec->created, sizeof(rec->created));
	json_array_foreach(layers, i, v)
	{
		if (copy_str(v, rec->layers[i], IMAGE_DIGEST_LEN) < 0 ||
		    !image_digest_valid(rec->layers[i]))
			return -1;
	}
	rec->nlayers = (int)i;
	json_array_foreach(names, i, v)
	{
		if (copy_str(v, rec->names[i], sizeof(rec->names[i])) < 0)
			return -1;
	}
	rec->nnames = (int)i;
	return 0;
}

/** The record of image @p id (a full digest). Returns 0, or -1 with @p err. */
int
image_store_read(const struct image_store *s, const char *id, struct image_record *rec,
		 struct nook_error *err)
{
	char path[PATH_MAX];
	json_error_t jerr;
	json_t *j;
	int ret;

	snprintf(path, sizeof(path), "%s/images/%s.json", s->root, image_digest_hex(id));
	if (!(j = json_load_file(path, 0, &jerr)))
		return nook_fail(err, 0, "image %s: %s", id, jerr.text);
	ret = from_json(j, rec);
	json_decref(j);
	return ret < 0 ? nook_fail(err, 0, "image %s: a broken record (%s)", id, path) : 0;
}

/** Write @p rec as its record, atomically. */
int
image_record_write(const struct image_store *s, const struct image_record *rec,
		   struct nook_error *err)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:[], s:[]}", "id", rec->id, "manifest",
			      rec->manifest, "created", rec->created, "layers", "names");
	char path[PATH_MAX], tmp[PATH_MAX];
	int ret;

	if (!j)
		return nook_fail(err, ENOMEM, "image record");
	for (int i = 0; i < rec->nlayers; i++)
		json_array_append_new(json_object_get(j, "layers"), json_string(rec->layers[i]));
	for (int i = 0; i < rec->nnames; i++)
		json_array_append_new(json_object_get(j, "names"), json_string(rec->names[i]));
	snprintf(path, sizeof(path), "%s/images/%s.json", s->root, image_digest_hex(rec->id));
	snprintf(tmp, sizeof(tmp), "%s/tmp/record-%s", s->root, image_digest_hex(rec->id));
	ret = json_dump_file(j, tmp, JSON_INDENT(2));
	json_decref(j);
	if (ret < 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		return nook_fail(err, errno ?: EIO, "write(\"%s\")", path);
	}
	return 0;
}

/**
 * Every image of the store, into @p *recs (malloc'd, @p *n of them), in no order.
 * Returns 0, or -1 with @p err.
 */
int
image_store_list(const struct image_store *s, struct image_record **recs, int *n,
		 struct nook_error *err)
{
	char path[PATH_MAX], id[IMAGE_DIGEST_LEN + 8];
	struct image_record *r = NULL, *more;
	struct dirent *de;
	DIR *d;

	*n = 0;
	snprintf(path, sizeof(path), "%s/images", s->root);
	*recs = NULL;
	if (!(d = opendir(path)))
		return errno == ENOENT ? 0 : nook_fail(err, errno, "opendir(\"%s\")", path);
	while ((de = readdir(d))) {
		if (strlen(de->d_name) != 64 + 5 || strcmp(de->d_name + 64, ".json") != 0)
			continue;
		snprintf(id, sizeof(id), "sha256:%.64s", de->d_name);
		if (!(more = realloc(r, sizeof(*r) * (size_t)(*n + 1))))
			break;
		r = more;
		if (image_store_read(s, id, &r[*n], err) == 0)
			(*n)++;
	}
	closedir(d);
	*recs = r;
	return 0;
}

/** Does image @p r answer to @p ref: a name, its full ID, or a prefix of 4+ hex digits? */
static bool
answers_to(const struct image_record *r, const char *ref, const char *name)
{
	const char *hex = strncmp(ref, "sha256:", 7) == 0 ? ref + 7 : ref;
	size_t len = strlen(hex);

	for (int i = 0; i < r->nnames; i++)
		if (strcmp(r->names[i], name) == 0)
			return true;
	return len >= 4 && len <= 64 && strspn(hex, "0123456789abcdef") == len &&
	       strncmp(r->id + 7, hex, len) == 0;
}

/**
 * The image @p ref names (see answers_to()) into @p rec. Returns 0; or -1 with @p err
 * when there is none, or when an ID prefix is ambiguous.
 */
int
image_store_find(const struct image_store *s, const char *ref, struct image_record *rec,
		 struct nook_error *err)
{
	struct image_record *all;
	char name[512] = "";
	int n, found = 0;

	if (image_normal_name(ref, name, sizeof(name), err) < 0 && !strchr(ref, ':'))
		name[0] = '\0';
	if (image_store_list(s, &all, &n, err) < 0)
		return -1;
	for (int i = 0; i < n; i++)
		if (answers_to(&all[i], ref, name) && found++ == 0)
			*rec = all[i];
	free(all);
	if (found == 1)
		return 0;
	return nook_fail(err, 0,
			 found ? "image \"%s\": more than one image has that ID prefix"
			       : "image \"%s\": no such image",
			 ref);
}

/** Take @p name from every image but @p keep (a new image now has it). */
int
image_take_name(const struct image_store *s, const char *name, const char *keep,
		struct nook_error *err)
{
	struct image_record *all;
	int n, ret = 0;

	if (image_store_list(s, &all, &n, err) < 0)
		return -1;
	for (int i = 0; i < n && ret == 0; i++) {
		struct image_record *r = &all[i];
		int k = 0;

		if (strcmp(r->id, keep) == 0)
			continue;
		for (int j = 0; j < r->nnames; j++)
			if (strcmp(r->names[j], name) != 0)
				memmove(r->names[k++], r->names[j], sizeof(r->names[0]));
		if (k != r->nnames) {
			r->nnames = k;
			ret = image_record_write(s, r, err);
		}
	}
	free(all);
	return ret;
}

/**
 * @file image_prune.c
 * @brief Step 11: forgetting images (`nook rmi`) and removing what no image uses any more
 *        (`nook image prune`): a mark-and-sweep over the store.
 *
 * Layers are shared, so removing an image cannot simply remove its layers: another image
 * may stand on them. rmi only removes the record (or, when the image has other names, the
 * one name); prune then marks every blob and layer that some record names, and sweeps the
 * rest, along with whatever a crashed import left in tmp/ and the blobs a broken pull
 * kept in partial/ to resume (image_partial.c). A container of an image keeps
 * the image: rmi refuses while containers/ID/image names it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image.h"

/** The name of a container of image @p id, into @p who; or false when none uses it. */
static bool
image_in_use(const struct image_store *s, const char *id, char *who, size_t size)
{
	char path[PATH_MAX], used[IMAGE_DIGEST_LEN] = "";
	struct dirent *de;
	bool found = false;
	FILE *f;
	DIR *d;

	snprintf(path, sizeof(path), "%s/containers", s->root);
	if (!(d = opendir(path)))
		return false;
	while (!found && (de = readdir(d))) {
		snprintf(path, sizeof(path), "%s/containers/%s/image", s->root, de->d_name);
		if (de->d_name[0] == '.' || !(f = fopen(path, "re")))
			continue;
		found = fgets(used, sizeof(used), f) && strcmp(used, id) == 0;
		if (found)
			snprintf(who, size, "%s", de->d_name);
		fclose(f);
	}
	closedir(d);
	return found;
}

/**
 * Forget image @p ref: its name only, when @p ref is one of several names; else the
 * whole record. Its layers stay until prune. Returns 0, or -1 with @p err.
 */
int
image_store_remove(struct image_store *s, const char *ref, struct image_record *rec,
		   struct nook_error *err)
{
	char name[512] = "", path[PATH_MAX], who[256];
	int k = 0;

	if (image_store_find(s, ref, rec, err) < 0)
		return -1;
	image_normal_name(ref, name, sizeof(name), err);
	for (int i = 0; i < rec->nnames; i++)
		if (strcmp(rec->names[i], name) != 0)
			memmove(rec->names[k++], rec->names[i], sizeof(rec->names[0]));
	if (k > 0 && k < rec->nnames) { /* one name of several */
		rec->nnames = k;
		return image_record_write(s, rec, err);
	}
	if (image_in_use(s, rec->id, who, sizeof(who)))
		return nook_fail(err, 0, "image \"%s\": container %s uses it", ref, who);
	snprintf(path, sizeof(path), "%s/images/%s.json", s->root, image_digest_hex(rec->id));
	if (unlink(path) < 0)
		return nook_fail(err, errno, "unlink(\"%s\")", path);
	return 0;
}

/** Is @p hex among the digests @p recs name? */
static bool
marked(const struct image_record *recs, int n, const char *hex)
{
	for (int i = 0; i < n; i++) {
		if (strcmp(recs[i].id + 7, hex) == 0 || strcmp(recs[i].manifest + 7, hex) == 0)
			return true;
		for (int j = 0; j < recs[i].nlayers; j++)
			if (strcmp(recs[i].layers[j] + 7, hex) == 0)
				return true;
	}
	return false;
}

/** Remove every entry of @p sub no record marks (all of them if @p all); count them. */
static int
sweep(const struct image_store *s, const char *sub, const struct image_record *recs, int n,
      bool all, int *removed, struct nook_error *err)
{
	char path[PATH_MAX];
	struct dirent *de;
	int ret = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", s->root, sub);
	if (!(d = opendir(path)))
		return nook_fail(err, errno, "opendir(\"%s\")", path);
	while ((de = readdir(d)) && ret == 0) {
		if (de->d_name[0] == '.' || (!all && marked(recs, n, de->d_name)))
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s", s->root, sub, de->d_name);
		if (image_remove_tree(path) < 0)
			ret = nook_fail(err, errno, "remove(\"%s\")", path);
		else if (!all)
			(*removed)++;
	}
	closedir(d);
	return ret;
}

/**
 * Remove the layers and blobs no image uses, and what tmp/ and partial/ hold; @p removed
 * counts the layers and blobs. Returns 0, or -1 with @p err.
 */
int
image_store_prune(struct image_store *s, int *removed, struct nook_error *err)
{
	char partial[PATH_MAX_STATE + 16];
	struct image_record *recs;
	int n, ret;

	*removed = 0;
	if (image_store_list(s, &recs, &n, err) < 0)
		return -1;
	ret = sweep(s, "layers", recs, n, false, removed, err);
	if (ret == 0)
		ret = sweep(s, "blobs/sha256", recs, n, false, removed, err);
	if (ret == 0)
		ret = sweep(s, "tmp", recs, n, true, removed, err);
	snprintf(partial, sizeof(partial), "%s/partial", s->root);
	if (ret == 0 && access(partial, F_OK) == 0) /* made by the first pull that broke */
		ret = sweep(s, "partial", recs, n, true, removed, err);
	free(recs);
	return ret;
}

/**
 * @file image_add.c
 * @brief Step 11: storing one image, all or nothing — its config and layers received
 *        through checking sinks into a scratch directory, then moved into place.
 *
 * Each layer is checked twice: its blob against the digest the manifest gives (the
 * compressed bytes), then the uncompressed stream against the digest the config gives in
 * rootfs.diff_ids — what the image ID, the config's digest, vouches for. The second check
 * is made while the layer is unpacked, in the same pass (image_layer.c): decompressing is
 * most of a pull's work, and doing it twice made nook's pull several times slower. A layer the store
 * already has is not checked again against a new config's diff_id (the store does not
 * keep diff_ids yet): the same blob digest is the same bytes.
 *
 * See image_store.c for the transaction. The order matters: the record, which is what
 * makes an image visible to `nook images` and `nook run`, is written last, after every
 * blob and layer it names is in place; a crash before leaves only tmp/ behind.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image.h"

/** Receive blob @p d from @p src into the new file @p path, checked. */
static int
receive(const struct image_source *src, const struct image_desc *d, const char *path,
	struct nook_error *err)
{
	struct image_sink sink;
	struct nook_error ignored;
	char what[IMAGE_DIGEST_LEN + 8];
	int fd, ret;

	snprintf(what, sizeof(what), "blob %s", d->digest);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
		return nook_fail(err, errno, "open(\"%s\")", path);
	if (image_sink_open(&sink, fd, d->size, what, err) < 0) {
		close(fd);
		return -1;
	}
	ret = src->fetch(src->ctx, d, &sink, err);
	if (ret < 0)
		image_sink_close(&sink, NULL, &ignored);
	else
		ret = image_sink_close(&sink, d->digest, err);
	if (close(fd) < 0 && ret == 0)
		ret = nook_fail(err, errno, "close(\"%s\")", path);
	return ret;
}

/** The config's rootfs.diff_ids into @p diff_ids: one valid digest per layer. */
static int
read_diff_ids(json_t *cfg, const char *digest, int nlayers, char (*diff_ids)[IMAGE_DIGEST_LEN],
	      struct nook_error *err)
{
	json_t *ids = json_object_get(json_object_get(cfg, "rootfs"), "diff_ids"), *v;
	size_t i;

	if (json_array_size(ids) != (size_t)nlayers)
		return nook_fail(err, 0,
				 "config %s: rootfs.diff_ids has %zu entries, for %d layers",
				 digest, json_array_size(ids), nlayers);
	json_array_foreach(ids, i, v)
	{
		if (!image_digest_valid(json_string_value(v)))
			return nook_fail(err, 0, "config %s: a bad diff_id", digest);
		memcpy(diff_ids[i], json_string_value(v), IMAGE_DIGEST_LEN);
	}
	return 0;
}

/**
 * Receive the config into @p tmp/config, check that it is a JSON object, and read the
 * digests it promises for the uncompressed layers into @p diff_ids (@p nlayers of them).
 */
static int
receive_config(const struct image_source *src, const struct image_desc *d, const char *tmp,
	       int nlayers, char (*diff_ids)[IMAGE_DIGEST_LEN], struct nook_error *err)
{
	char path[PATH_MAX];
	json_error_t jerr;
	json_t *j;
	int ret;

	if (d->size > IMAGE_MAX_JSON)
		return nook_fail(err, 0, "config %s: %lld bytes, more than %d", d->digest,
				 (long long)d->size, IMAGE_MAX_JSON);
	snprintf(path, sizeof(path), "%s/config", tmp);
	if (receive(src, d, path, err) < 0)
		return -1;
	j = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(j)) {
		json_decref(j);
		return nook_fail(err, 0, "config %s: not a JSON object: %s", d->digest, jerr.text);
	}
	ret = read_diff_ids(j, d->digest, nlayers, diff_ids, err);
	json_decref(j);
	return ret;
}

//! [receive_layer]
/**
 * Receive layer @p d and unpack it into @p tmp/HEX, checked against its @p diff_id as it
 * is unpacked, unless the store or @p tmp has it.
 */
static int
receive_layer(const struct image_store *s, const struct image_source *src,
	      const struct image_desc *d, const char *diff_id, const char *tmp,
	      struct nook_error *err)
{
	char dir[PATH_MAX], blob[PATH_MAX + 8];
	int ret;

	image_store_layer_dir(s, d->digest, dir, sizeof(dir));
	if (access(dir, F_OK) == 0)
		return 0; /* shared with an image already stored */
	snprintf(dir, sizeof(dir), "%s/%s", tmp, image_digest_hex(d->digest));
	if (access(dir, F_OK) == 0)
		return 0; /* the same layer twice in one image */
	snprintf(blob, sizeof(blob), "%s.blob", dir);
	if (receive(src, d, blob, err) < 0)
		return -1;
	if (mkdir(dir, 0755) < 0)
		return nook_fail(err, errno, "mkdir(\"%s\")", dir);
	ret = image_layer_unpack(blob, dir, diff_id, err); /* one pass: unpacked and hashed */
	unlink(blob);
	return ret;
}
//! [receive_layer]

/** Move @p from to @p to, unless @p to is there already (content-addressed: the same). */
static int
move_in(const char *from, const char *to, struct nook_error *err)
{
	if (access(from, F_OK) < 0 || access(to, F_OK) == 0)
		return 0;
	if (rename(from, to) < 0)
		return nook_fail(err, errno, "rename(\"%s\", \"%s\")", from, to);
	return 0;
}

/** The manifest's blob, written into @p tmp/manifest. */
static int
write_manifest(const char *tmp, const char *manifest, size_t len, struct nook_error *err)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/manifest", tmp);
	if (!(f = fopen(path, "wxe")))
		return nook_fail(err, errno, "open(\"%s\")", path);
	if (fwrite(manifest, 1, len, f) != len || fclose(f) != 0)
		return nook_fail(err, errno ?: EIO, "write(\"%s\")", path);
	return 0;
}

/** The record of the new image @p rec: an existing one's names kept, @p name added. */
static int
write_record(const struct image_store *s, struct image_record *rec, const char *name,
	     struct nook_error *err)
{
	struct image_record old;
	struct nook_error ignored;
	struct tm tm;
	time_t now = time(NULL);

	if (image_store_read(s, rec->id, &old, &ignored) == 0) {
		memcpy(rec->names, old.names, sizeof(old.names));
		rec->nnames = old.nnames;
	}
	for (int i = 0; name && i < rec->nnames; i++)
		if (strcmp(rec->names[i], name) == 0)
			name = NULL;
	if (name && rec->nnames < IMAGE_MAX_NAMES)
		snprintf(rec->names[rec->nnames++], sizeof(rec->names[0]), "%s", name);
	gmtime_r(&now, &tm);
	strftime(rec->created, sizeof(rec->created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (image_record_write(s, rec, err) < 0)
		return -1;
	return name ? image_take_name(s, name, rec->id, err) : 0;
}

/** Everything received into @p tmp moved into the store, the record last. */
static int
commit(const struct image_store *s, const char *tmp, const struct image_desc *layers, int nlayers,
       struct image_record *rec, const char *name, struct nook_error *err)
{
	char from[PATH_MAX], to[PATH_MAX];

	snprintf(from, sizeof(from), "%s/manifest", tmp);
	snprintf(to, sizeof(to), "%s/blobs/sha256/%s", s->root, image_digest_hex(rec->manifest));
	if (move_in(from, to, err) < 0)
		return -1;
	snprintf(from, sizeof(from), "%s/config", tmp);
	snprintf(to, sizeof(to), "%s/blobs/sha256/%s", s->root, image_digest_hex(rec->id));
	if (move_in(from, to, err) < 0)
		return -1;
	for (int i = 0; i < nlayers; i++) {
		snprintf(from, sizeof(from), "%s/%s", tmp, image_digest_hex(layers[i].digest));
		image_store_layer_dir(s, layers[i].digest, to, sizeof(to));
		if (move_in(from, to, err) < 0)
			return -1;
		memcpy(rec->layers[i], layers[i].digest, IMAGE_DIGEST_LEN);
	}
	rec->nlayers = nlayers;
	return write_record(s, rec, name, err);
}

/** Receive the config and every layer of the checked manifest into @p tmp. */
static int
receive_all(const struct image_store *s, const struct image_source *src,
	    const struct image_desc *config, const struct image_desc *layers, int nlayers,
	    const char *tmp, struct nook_error *err)
{
	char diff_ids[IMAGE_MAX_LAYERS][IMAGE_DIGEST_LEN];

	if (receive_config(src, config, tmp, nlayers, diff_ids, err) < 0)
		return -1;
	for (int i = 0; i < nlayers; i++)
		if (receive_layer(s, src, &layers[i], diff_ids[i], tmp, err) < 0)
			return -1;
	return 0;
}

/**
 * Store the image whose manifest is @p manifest (@p len bytes), its blobs fetched from
 * @p src, under @p name (normalized; NULL: none). On success @p rec is its record. On
 * failure nothing is stored. Returns 0, or -1 with @p err.
 */
int
image_store_add(struct image_store *s, const char *manifest, size_t len, const char *name,
		const struct image_source *src, struct image_record *rec, struct nook_error *err)
{
	struct image_desc config, layers[IMAGE_MAX_LAYERS];
	char tmp[PATH_MAX_STATE + 32];
	int nlayers, ret;

	memset(rec, 0, sizeof(*rec));
	if (image_manifest_check(manifest, len, "manifest", &config, layers, &nlayers, err) < 0 ||
	    image_sha256(manifest, len, rec->manifest) < 0)
		return -1;
	snprintf(rec->id, sizeof(rec->id), "%s", config.digest);
	snprintf(tmp, sizeof(tmp), "%s/tmp/add-XXXXXX", s->root);
	if (!mkdtemp(tmp))
		return nook_fail(err, errno, "mkdtemp(\"%s\")", tmp);
	ret = receive_all(s, src, &config, layers, nlayers, tmp, err);
	if (ret == 0)
		ret = write_manifest(tmp, manifest, len, err);
	if (ret == 0)
		ret = commit(s, tmp, layers, nlayers, rec, name, err);
	image_remove_tree(tmp);
	return ret;
}

/**
 * @file image_commit.c
 * @brief Step 11 — `nook commit`: a container's writable layer becomes one more layer on
 *        top of its image's, and the whole a new image.
 *
 * This is the layers lesson made concrete. An image is a manifest (its config and its
 * layers, bottom first) and a config (the command, the environment, and rootfs.diff_ids,
 * one per layer); a container is those layers, shared and read-only, under a writable
 * layer of its own. Committing it is:
 *
 *  1. the writable layer (containers/ID/upper) packed into a gzipped tar, OCI whiteouts
 *     and all (image_pack.c): a blob with a digest, and a diff_id;
 *  2. a new config: the image's, with that diff_id appended to rootfs.diff_ids and an
 *     entry appended to history ("created_by": "nook commit"), "created" now; its digest
 *     is the new image's ID;
 *  3. a new manifest: the image's, with the new config and the new layer appended;
 *  4. all of it stored as any image is (image_store_add()), from a source that hands out
 *     the config and the blob: the layers below are in the store already and are not
 *     fetched, and the new one is checked and unpacked exactly as a pulled layer is — the
 *     whiteouts become overlay's again.
 *
 * The new image shares every layer of the old one on disk: only the container's changes
 * are new. A container still running can be committed, but what it writes meanwhile may
 * or may not be in the layer (docker pauses it first).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "image.h"

/** What a commit hands to image_store_add(): the new config, and the new layer's blob. */
struct commit_source {
	const char *config; /**< its text */
	char config_digest[IMAGE_DIGEST_LEN];
	const char *blob; /**< the layer's file */
	struct image_packed layer;
};

/** image_source's fetch(): the config from memory, the layer from its file. */
static int
commit_fetch(void *ctx, const struct image_desc *d, struct image_sink *sink, struct nook_error *err)
{
	struct commit_source *c = ctx;
	char buf[1 << 16];
	ssize_t n;
	int fd, ret = 0;

	if (strcmp(d->digest, c->config_digest) == 0)
		return image_sink_write(sink, c->config, strlen(c->config));
	if (strcmp(d->digest, c->layer.digest) != 0)
		return nook_fail(err, 0, "commit: blob %s is not in the store", d->digest);
	if ((fd = open(c->blob, O_RDONLY | O_CLOEXEC)) < 0)
		return nook_fail(err, errno, "open(\"%s\")", c->blob);
	while (ret == 0 && (n = read(fd, buf, sizeof(buf))) > 0)
		ret = image_sink_write(sink, buf, (size_t)n);
	if (ret == 0 && n < 0)
		ret = nook_fail(err, errno, "read(\"%s\")", c->blob);
	close(fd);
	return ret;
}

/** The ID of the image container @p id was made from (containers/ID/image). */
static int
container_image(const struct image_store *s, const char *id, char *image, struct nook_error *err)
{
	char path[PATH_MAX];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "%s/containers/%s/image", s->root, id);
	if (!(f = fopen(path, "re")))
		return nook_fail(err, errno == ENOENT ? 0 : errno,
				 errno == ENOENT ? "no such container \"%s\" in the store"
						 : "container \"%s\"",
				 id);
	ok = fgets(image, IMAGE_DIGEST_LEN, f) && image_digest_valid(image);
	fclose(f);
	return ok ? 0 : nook_fail(err, 0, "container \"%s\": a bad image file", id);
}

/** A blob of the store, parsed as a JSON object (json_t). */
static json_t *
load_blob(const struct image_store *s, const char *digest, struct nook_error *err)
{
	size_t len;
	char *text = image_store_blob(s, digest, &len, err);
	json_t *j = text ? json_loadb(text, len, 0, NULL) : NULL;

	free(text);
	if (text && !json_is_object(j)) {
		json_decref(j);
		return nook_fail(err, 0, "blob %s: not a JSON object", digest), NULL;
	}
	return j;
}

/** The new config: @p cfg with the layer's diff_id and a history entry; its text. */
static char *
new_config(json_t *cfg, const struct image_packed *layer, const char *message)
{
	json_t *rootfs = json_object_get(cfg, "rootfs"), *history = json_object_get(cfg, "history");
	json_t *entry;
	char now[32];
	struct tm tm;
	time_t t = time(NULL);

	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_array_append_new(json_object_get(rootfs, "diff_ids"), json_string(layer->diff_id));
	if (!json_is_array(history)) {
		history = json_array();
		json_object_set_new(cfg, "history", history);
	}
	entry = json_pack("{s:s, s:s}", "created", now, "created_by", "nook commit");
	if (message)
		json_object_set_new(entry, "comment", json_string(message));
	json_array_append_new(history, entry);
	json_object_set_new(cfg, "created", json_string(now));
	return json_dumps(cfg, JSON_COMPACT);
}

/** The new manifest: @p man with config @p c's and the new layer appended; its text. */
static char *
new_manifest(json_t *man, const struct commit_source *c)
{
	bool docker = strcmp(json_string_value(json_object_get(man, "mediaType")) ?: "",
			     MT_DOCKER_MANIFEST) == 0;
	json_t *config = json_object_get(man, "config");

	json_object_set_new(config, "digest", json_string(c->config_digest));
	json_object_set_new(config, "size", json_integer((json_int_t)strlen(c->config)));
	json_array_append_new(json_object_get(man, "layers"),
			      json_pack("{s:s, s:s, s:I}", "mediaType",
					docker ? "application/vnd.docker.image.rootfs.diff.tar.gzip"
					       : "application/vnd.oci.image.layer.v1.tar+gzip",
					"digest", c->layer.digest, "size",
					(json_int_t)c->layer.size));
	return json_dumps(man, JSON_COMPACT);
}

/** Config and manifest of the image @p base, with the packed layer of @p c: stored. */
static int
store_commit(struct image_store *s, const struct image_record *base, struct commit_source *c,
	     const char *name, const char *message, struct image_record *rec,
	     struct nook_error *err)
{
	struct image_source src = {commit_fetch, c};
	json_t *cfg = load_blob(s, base->id, err),
	       *man = cfg ? load_blob(s, base->manifest, err) : NULL;
	char *config = NULL, *manifest = NULL;
	int ret = -1;

	if (!man)
		goto out;
	if (!json_is_array(json_object_get(json_object_get(cfg, "rootfs"), "diff_ids")) ||
	    !json_is_array(json_object_get(man, "layers"))) {
		nook_fail(err, 0, "image %.19s: no rootfs.diff_ids or layers", base->id);
		goto out;
	}
	if (!(config = new_config(cfg, &c->layer, message)) ||
	    image_sha256(config, strlen(config), c->config_digest) < 0)
		goto out;
	c->config = config;
	if ((manifest = new_manifest(man, c)))
		ret = image_store_add(s, manifest, strlen(manifest), name, &src, rec, err);
out:
	if (ret < 0 && !err->msg[0])
		nook_fail(err, ENOMEM, "commit: the new config and manifest");
	free(config);
	free(manifest);
	json_decref(cfg);
	json_decref(man);
	return ret;
}

/**
 * Commit container @p id of the store @p s (opened to write): its writable layer packed
 * onto its image's layers as a new image, named @p name (normalized; NULL: none), with
 * @p message (NULL: none) as its history comment. On success @p rec is the new image's
 * record; on failure nothing is stored.
 */
int
image_commit(struct image_store *s, const char *id, const char *name, const char *message,
	     struct image_record *rec, struct nook_error *err)
{
	struct commit_source c = {0};
	struct image_record base;
	char image[IMAGE_DIGEST_LEN], tmp[PATH_MAX_STATE + 32], upper[PATH_MAX], blob[PATH_MAX];
	int ret;

	err->msg[0] = '\0';
	if (container_image(s, id, image, err) < 0 || image_store_read(s, image, &base, err) < 0)
		return -1;
	if (base.nlayers >= IMAGE_MAX_LAYERS)
		return nook_fail(err, 0, "image %.19s has %d layers: no room for one more", image,
				 base.nlayers);
	snprintf(tmp, sizeof(tmp), "%s/tmp/commit-XXXXXX", s->root);
	if (!mkdtemp(tmp))
		return nook_fail(err, errno, "mkdtemp(\"%s\")", tmp);
	snprintf(upper, sizeof(upper), "%s/containers/%s/upper", s->root, id);
	snprintf(blob, sizeof(blob), "%s/layer", tmp);
	c.blob = blob;
	ret = image_pack_layer(upper, blob, &c.layer, err);
	if (ret == 0)
		ret = store_commit(s, &base, &c, name, message, rec, err);
	image_remove_tree(tmp);
	return ret;
}

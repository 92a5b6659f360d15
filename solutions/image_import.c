/**
 * @file image_import.c
 * @brief Step 11: `nook image import` — an image from an OCI image layout (a directory,
 *        or a tar of one) or from a `docker save` / `podman save` archive.
 *
 * An OCI image layout (the image spec's image-layout.md) is what `skopeo copy ... oci:DIR`
 * writes: an `oci-layout` file, an `index.json` listing manifests, and every blob under
 * `blobs/sha256/HEX`. Importing it is pulling from a registry that happens to be a
 * directory: the manifest is checked against the index's digest, and every blob the
 * manifest names goes through the same checking sinks (image_add.c).
 *
 * A `docker save` archive (Docker's "image spec v1.2" tar) has instead a `manifest.json`:
 * [{"Config": "HEX.json", "RepoTags": [...], "Layers": ["DIR/layer.tar", ...]}], the
 * layers uncompressed tars. It has no OCI manifest, so one is written here from it: the
 * config's digest is its own sha256, and each layer's digest is the one the config itself
 * promises for it (rootfs.diff_ids, the digests of the uncompressed layers) — so a
 * tampered layer is refused exactly as a tampered blob of an OCI layout is. Newer
 * `docker save` writes both forms in one archive; the OCI one is preferred.
 *
 * An archive is first unpacked (by the layer code, which refuses names outside it) into a
 * scratch directory of the store. Files of the layout are opened with openat2(2)'s
 * RESOLVE_IN_ROOT, so a path in manifest.json ("../../etc/shadow") or a symbolic link in
 * the archive cannot reach outside it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "image.h"
#include "image_policy.h"

/** Where the blobs of the layout being imported are. */
struct layout {
	int dirfd; /**< the layout's directory */
	/** docker-archive: the file of each digest (config and layers); else blobs/sha256/. */
	char digest[IMAGE_MAX_LAYERS + 1][IMAGE_DIGEST_LEN];
	char file[IMAGE_MAX_LAYERS + 1][256];
	int nfiles;
};

/** @p path inside the layout, never leaving it. */
static int
open_in(int dirfd, const char *path)
{
	struct open_how how = {.flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT};

	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

/** The file of blob @p digest in the layout. */
static const char *
blob_file(const struct layout *l, const char *digest, char *buf, size_t size)
{
	for (int i = 0; i < l->nfiles; i++)
		if (strcmp(l->digest[i], digest) == 0)
			return l->file[i];
	snprintf(buf, size, "blobs/sha256/%s", image_digest_hex(digest));
	return buf;
}

/** The image_source's fetch: copy the blob's file into the sink. */
static int
fetch(void *ctx, const struct image_desc *d, struct image_sink *sink, struct nook_error *err)
{
	const struct layout *l = ctx;
	char buf[1 << 16], name[128];
	const char *file = blob_file(l, d->digest, name, sizeof(name));
	int fd = open_in(l->dirfd, file), ret = 0;
	ssize_t n;

	if (fd < 0)
		return nook_fail(err, errno, "blob %s (\"%s\")", d->digest, file);
	while (ret == 0 && (n = read(fd, buf, sizeof(buf))) > 0)
		ret = image_sink_write(sink, buf, (size_t)n);
	if (ret == 0 && n < 0)
		ret = nook_fail(err, errno, "read(\"%s\")", file);
	close(fd);
	return ret;
}

/** The whole of @p path in the layout (at most IMAGE_MAX_JSON bytes), or NULL. */
static char *
read_small(int dirfd, const char *path, size_t *len, struct nook_error *err)
{
	int fd = open_in(dirfd, path);
	struct stat st;
	char *text = NULL;

	if (fd < 0)
		return nook_fail(err, errno, "\"%s\"", path), NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		nook_fail(err, errno ?: EINVAL, "\"%s\": not a file", path);
	else if (st.st_size > IMAGE_MAX_JSON)
		nook_fail(err, 0, "\"%s\": %lld bytes, more than the %d a manifest may have", path,
			  (long long)st.st_size, IMAGE_MAX_JSON);
	else if ((text = malloc((size_t)st.st_size + 1)) &&
		 read(fd, text, (size_t)st.st_size) == st.st_size)
		text[ *len = (size_t)st.st_size] = '\0';
	else {
		free(text);
		text = NULL;
		nook_fail(err, errno ?: EIO, "read(\"%s\")", path);
	}
	close(fd);
	return text;
}

/** Blob @p digest of the layout, read whole and checked against its digest. */
static char *
read_blob(const struct layout *l, const char *digest, size_t *len, struct nook_error *err)
{
	char path[128], got[IMAGE_DIGEST_LEN], *text;

	text = read_small(l->dirfd, blob_file(l, digest, path, sizeof(path)), len, err);
	if (text && (image_sha256(text, *len, got) < 0 || strcmp(got, digest) != 0)) {
		nook_fail(err, 0, "blob %s: digest mismatch: the content is %s", digest, got);
		free(text);
		return NULL;
	}
	return text;
}

/** The name the index gives its image (an annotation), into @p name, if any. */
static void
index_name(json_t *idx, const char *digest, char *name, size_t size)
{
	json_t *list = json_object_get(idx, "manifests"), *e, *ann;
	const char *n;
	size_t i;

	json_array_foreach(list, i, e)
	{
		if (strcmp(json_string_value(json_object_get(e, "digest")) ?: "", digest) != 0)
			continue;
		ann = json_object_get(e, "annotations");
		n = json_string_value(json_object_get(ann, "io.containerd.image.name"));
		if (!n)
			n = json_string_value(
				json_object_get(ann, "org.opencontainers.image.ref.name"));
		if (n && strchr(n, ':') && strlen(n) < size)
			snprintf(name, size, "%s", n);
	}
}

/** The manifest of an OCI layout, read and checked; an index in it followed once. */
static char *
oci_manifest(struct layout *l, size_t *len, char *name, size_t name_size, struct nook_error *err)
{
	char digest[IMAGE_DIGEST_LEN], *text = read_small(l->dirfd, "index.json", len, err);
	json_t *idx;

	if (!text || image_pick_platform(text, *len, digest, err) < 0)
		return free(text), NULL;
	if ((idx = json_loadb(text, *len, 0, NULL))) {
		index_name(idx, digest, name, name_size);
		json_decref(idx);
	}
	free(text);
	if (!(text = read_blob(l, digest, len, err)))
		return NULL;
	if ((idx = json_loadb(text, *len, 0, NULL)) && json_object_get(idx, "manifests")) {
		json_decref(idx);
		if (image_pick_platform(text, *len, digest, err) < 0)
			return free(text), NULL;
		free(text);
		return read_blob(l, digest, len, err);
	}
	json_decref(idx);
	return text;
}

/** Register @p file in the layout as the blob @p digest. */
static void
add_file(struct layout *l, const char *digest, const char *file)
{
	snprintf(l->digest[l->nfiles], IMAGE_DIGEST_LEN, "%s", digest);
	snprintf(l->file[l->nfiles++], sizeof(l->file[0]), "%s", file);
}

/** The config of a docker archive, read, its digest computed and checked against its name. */
static json_t *
docker_config(struct layout *l, const char *file, struct image_desc *d, struct nook_error *err)
{
	const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	char *text;
	size_t len;
	json_t *j;

	if (strlen(file) >= sizeof(l->file[0]) || !(text = read_small(l->dirfd, file, &len, err)))
		return file[0] ? NULL : (nook_fail(err, 0, "manifest.json: no Config"), NULL);
	image_sha256(text, len, d->digest);
	d->size = (int64_t)len;
	j = json_loadb(text, len, 0, NULL);
	free(text);
	if (strspn(base, "0123456789abcdef") == 64 && strncmp(base, d->digest + 7, 64) != 0) {
		json_decref(j);
		return nook_fail(err, 0, "config \"%s\": digest mismatch: the content is %s", file,
				 d->digest),
		       NULL;
	}
	if (!json_is_object(j))
		return json_decref(j), nook_fail(err, 0, "config \"%s\": not JSON", file), NULL;
	add_file(l, d->digest, file);
	return j;
}

/** Layer @p i of a docker archive: its file, and the digest its config promises. */
static json_t *
docker_layer(struct layout *l, json_t *files, json_t *diff_ids, size_t i, struct nook_error *err)
{
	const char *file = json_string_value(json_array_get(files, i));
	const char *digest = json_string_value(json_array_get(diff_ids, i));
	struct stat st;
	int fd;

	if (!file || strlen(file) >= sizeof(l->file[0]) || !image_digest_valid(digest))
		return nook_fail(err, 0, "manifest.json: layer %zu: no file, or no diff_id", i),
		       NULL;
	if ((fd = open_in(l->dirfd, file)) < 0 || fstat(fd, &st) < 0) {
		nook_fail(err, errno, "layer \"%s\"", file);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	close(fd);
	add_file(l, digest, file);
	return json_pack("{s:s, s:s, s:I}", "mediaType", "application/vnd.oci.image.layer.v1.tar",
			 "digest", digest, "size", (json_int_t)st.st_size);
}

/** An OCI manifest written for the image of a docker archive's manifest.json entry @p e. */
static char *
docker_manifest_of(struct layout *l, json_t *e, size_t *len, struct nook_error *err)
{
	json_t *files = json_object_get(e, "Layers"), *cfg, *diff_ids, *layers, *m;
	struct image_desc config;
	char *text = NULL;

	if (!(cfg = docker_config(l, json_string_value(json_object_get(e, "Config")) ?: "", &config,
				  err)))
		return NULL;
	diff_ids = json_object_get(json_object_get(cfg, "rootfs"), "diff_ids");
	layers = json_array();
	if (!json_is_array(files) || json_array_size(files) != json_array_size(diff_ids) ||
	    json_array_size(files) > IMAGE_MAX_LAYERS) {
		nook_fail(err, 0, "manifest.json: its Layers are not the config's diff_ids");
		goto out;
	}
	for (size_t i = 0; i < json_array_size(files); i++)
		if (json_array_append_new(layers, docker_layer(l, files, diff_ids, i, err)) < 0)
			goto out;
	m = json_pack("{s:i, s:s, s:{s:s, s:s, s:I}, s:O}", "schemaVersion", 2, "mediaType",
		      MT_OCI_MANIFEST, "config", "mediaType", MT_OCI_CONFIG, "digest",
		      config.digest, "size", (json_int_t)config.size, "layers", layers);
	if ((text = json_dumps(m, JSON_COMPACT)))
		*len = strlen(text);
	json_decref(m);
out:
	json_decref(layers);
	json_decref(cfg);
	return text;
}

/** The manifest of a docker archive's first image, and its first RepoTag into @p name. */
static char *
docker_manifest(struct layout *l, size_t *len, char *name, size_t name_size, struct nook_error *err)
{
	char *text = read_small(l->dirfd, "manifest.json", len, err);
	json_t *all = text ? json_loadb(text, *len, 0, NULL) : NULL, *e = json_array_get(all, 0);
	const char *tag = json_string_value(json_array_get(json_object_get(e, "RepoTags"), 0));

	free(text);
	text = NULL;
	if (!json_is_object(e))
		nook_fail(err, 0, "manifest.json: not a docker save archive's");
	else if ((text = docker_manifest_of(l, e, len, err)) && tag && strlen(tag) < name_size)
		snprintf(name, name_size, "%s", tag);
	json_decref(all);
	return text;
}

/** The manifest of the layout in @p l's directory: OCI's, or a docker archive's. */
static char *
any_manifest(struct layout *l, size_t *len, char *name, size_t size, struct nook_error *err)
{
	int fd = open_in(l->dirfd, "index.json");

	if (fd >= 0) {
		close(fd);
		return oci_manifest(l, len, name, size, err);
	}
	if ((fd = open_in(l->dirfd, "manifest.json")) >= 0) {
		close(fd);
		return docker_manifest(l, len, name, size, err);
	}
	return nook_fail(err, 0,
			 "neither an OCI image layout (index.json) nor a docker save "
			 "archive (manifest.json)"),
	       NULL;
}

/** May the image @p name (or NULL), of manifest @p manifest, be stored under @p trust? */
static int
trusted(const struct image_trust *trust, const char *name, const char *manifest, size_t len,
	struct nook_error *err)
{
	char digest[IMAGE_DIGEST_LEN];
	struct image_ref ref;

	if (image_sha256(manifest, len, digest) < 0)
		return nook_fail(err, 0, "sha256 failed");
	if (name && image_ref_parse(name, &ref, err) < 0)
		return -1;
	return image_trust_check(trust, name ? &ref : NULL, digest, err);
}

/** Import the layout (or docker archive) in directory @p dir. */
static int
import_dir(struct image_store *s, const char *dir, const char *name,
	   const struct image_trust *trust, struct image_record *rec, struct nook_error *err)
{
	struct layout *l = calloc(1, sizeof(*l));
	struct image_source src = {fetch, l};
	char found[512] = "", normal[512];
	char *manifest = NULL;
	size_t len;
	int ret = -1;

	if (!l || (l->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		free(l);
		return nook_fail(err, errno, "open(\"%s\")", dir);
	}
	if ((manifest = any_manifest(l, &len, found, sizeof(found), err))) {
		if (!name && found[0] && image_normal_name(found, normal, sizeof(normal), err) == 0)
			name = normal;
		if (!trust || trusted(trust, name, manifest, len, err) == 0)
			ret = image_store_add(s, manifest, len, name, &src, rec, err);
	}
	free(manifest);
	close(l->dirfd);
	free(l);
	return ret;
}

/**
 * Import the image at @p path — an OCI layout or a docker archive, a directory or a tar
 * (gzip or zstd too) — into the store, under @p name (normalized) or the name the archive
 * gives, when @p trust (or NULL) allows it: its policy is checked before anything is
 * stored. Nothing is stored on failure. Returns 0, or -1 with @p err.
 */
int
image_import(struct image_store *s, const char *path, const char *name,
	     const struct image_trust *trust, struct image_record *rec, struct nook_error *err)
{
	char tmp[PATH_MAX];
	struct stat st;
	int ret;

	if (stat(path, &st) < 0)
		return nook_fail(err, errno, "\"%s\"", path);
	if (S_ISDIR(st.st_mode))
		return import_dir(s, path, name, trust, rec, err);
	snprintf(tmp, sizeof(tmp), "%s/tmp/import-XXXXXX", s->root);
	if (!mkdtemp(tmp))
		return nook_fail(err, errno, "mkdtemp(\"%s\")", tmp);
	ret = image_layer_unpack(path, tmp, NULL, err);
	if (ret == 0)
		ret = import_dir(s, tmp, name, trust, rec, err);
	image_remove_tree(tmp);
	return ret;
}

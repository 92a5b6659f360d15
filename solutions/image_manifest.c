/**
 * @file image_manifest.c
 * @brief Step 11: reading manifests and indexes — which config and layers make an image,
 *        and which image of a multi-platform index is this machine's.
 *
 * A manifest (OCI image-manifest.md, or Docker's "schema 2", its twin with other media
 * type names) lists a config descriptor and layer descriptors, bottom layer first; each
 * descriptor is a media type, a digest and a size. An index (OCI image-index.md, Docker's
 * "manifest list") lists manifests, one per platform: nook picks linux/amd64.
 *
 * Everything here is input from a registry or an archive, so it is checked before use:
 * the size (IMAGE_MAX_JSON), the JSON, every media type (one nook does not know is
 * refused by name: a layer of a kind it cannot unpack must not be silently skipped), every
 * digest's shape (it becomes a file name), every size.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "image.h"

/** The layer media types nook unpacks (plain, gzip or zstd tar; libarchive tells which). */
static const char *const layer_types[] = {
	"application/vnd.oci.image.layer.v1.tar",
	"application/vnd.oci.image.layer.v1.tar+gzip",
	"application/vnd.oci.image.layer.v1.tar+zstd",
	"application/vnd.docker.image.rootfs.diff.tar.gzip",
	"application/vnd.docker.image.rootfs.diff.tar",
	NULL,
};

/** The config media types. */
static const char *const config_types[] = {MT_OCI_CONFIG, MT_DOCKER_CONFIG, NULL};

/** @p type's entry in @p known (so that it outlives the JSON), or NULL. */
static const char *
known_type(const char *type, const char *const *known)
{
	for (; type && *known; known++)
		if (strcmp(type, *known) == 0)
			return *known;
	return NULL;
}

/** Read descriptor @p j (in @p where, of a type among @p known) into @p d. */
static int
read_desc(json_t *j, const char *where, const char *const *known, struct image_desc *d,
	  struct nook_error *err)
{
	const char *type = json_string_value(json_object_get(j, "mediaType"));
	const char *digest = json_string_value(json_object_get(j, "digest"));
	json_t *size = json_object_get(j, "size");

	if (!json_is_object(j))
		return nook_fail(err, 0, "%s: a descriptor is not an object", where);
	if (!(d->media_type = known_type(type, known)))
		return nook_fail(err, 0, "%s: unknown media type \"%s\"", where,
				 type ? type : "(none)");
	if (!image_digest_valid(digest))
		return nook_fail(err, 0, "%s: bad digest \"%s\"", where, digest ? digest : "");
	if (!json_is_integer(size) || json_integer_value(size) < 0)
		return nook_fail(err, 0, "%s: %s has no size", where, digest);
	snprintf(d->digest, sizeof(d->digest), "%s", digest);
	d->size = json_integer_value(size);
	return 0;
}

/** Parse @p len bytes of JSON at @p text, at most IMAGE_MAX_JSON. */
static json_t *
parse(const char *text, size_t len, const char *where, struct nook_error *err)
{
	json_error_t jerr;
	json_t *j;

	if (len > IMAGE_MAX_JSON) {
		nook_fail(err, 0, "%s: %zu bytes, more than the %d a manifest may have", where, len,
			  IMAGE_MAX_JSON);
		return NULL;
	}
	j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(j)) {
		nook_fail(err, 0, "%s: not a JSON object: %s", where, jerr.text);
		json_decref(j);
		return NULL;
	}
	return j;
}

/** The descriptors of the parsed manifest @p m. */
static int
read_manifest(json_t *m, const char *where, struct image_desc *config, struct image_desc *layers,
	      int *nlayers, struct nook_error *err)
{
	const char *type = json_string_value(json_object_get(m, "mediaType"));
	json_t *list = json_object_get(m, "layers"), *l;
	size_t i;

	if (json_integer_value(json_object_get(m, "schemaVersion")) != 2)
		return nook_fail(err, 0, "%s: not a schema 2 manifest", where);
	if (type && strcmp(type, MT_OCI_MANIFEST) != 0 && strcmp(type, MT_DOCKER_MANIFEST) != 0)
		return nook_fail(err, 0, "%s: unknown media type \"%s\"", where, type);
	if (read_desc(json_object_get(m, "config"), where, config_types, config, err) < 0)
		return -1;
	if (!json_is_array(list) || json_array_size(list) > IMAGE_MAX_LAYERS)
		return nook_fail(err, 0, "%s: layers: an array of at most %d", where,
				 IMAGE_MAX_LAYERS);
	json_array_foreach(list, i, l)
	{
		if (read_desc(l, where, layer_types, &layers[i], err) < 0)
			return -1;
	}
	*nlayers = (int)json_array_size(list);
	return 0;
}

/**
 * Check the manifest @p text (@p len bytes; @p where names it in errors) and read its
 * config descriptor and its layers' (bottom first, room for IMAGE_MAX_LAYERS).
 * Returns 0, or -1 with @p err.
 */
int
image_manifest_check(const char *text, size_t len, const char *where, struct image_desc *config,
		     struct image_desc *layers, int *nlayers, struct nook_error *err)
{
	json_t *m = parse(text, len, where, err);
	int ret;

	if (!m)
		return -1;
	ret = read_manifest(m, where, config, layers, nlayers, err);
	json_decref(m);
	return ret;
}

/** Is the index entry @p e for linux/amd64? */
static bool
is_ours(json_t *e)
{
	json_t *p = json_object_get(e, "platform");
	const char *os = json_string_value(json_object_get(p, "os"));
	const char *arch = json_string_value(json_object_get(p, "architecture"));

	return os && arch && strcmp(os, "linux") == 0 && strcmp(arch, "amd64") == 0;
}

/**
 * In the index @p text, the digest of linux/amd64's manifest, into @p digest (room for
 * IMAGE_DIGEST_LEN). An index of one manifest without a platform is taken as it is (as an
 * OCI layout's index.json is). Returns 0, or -1 with @p err.
 */
int
image_pick_platform(const char *text, size_t len, char *digest, struct nook_error *err)
{
	json_t *idx = parse(text, len, "index", err), *list, *e, *pick = NULL;
	const char *d;
	size_t i;

	if (!idx)
		return -1;
	list = json_object_get(idx, "manifests");
	json_array_foreach(list, i, e)
	{
		if (!pick &&
		    (is_ours(e) || (json_array_size(list) == 1 && !json_object_get(e, "platform"))))
			pick = e;
	}
	d = json_string_value(json_object_get(pick, "digest"));
	if (!pick || !image_digest_valid(d)) {
		json_decref(idx);
		return nook_fail(err, 0, "index: %s",
				 pick ? "a bad digest" : "no linux/amd64 image");
	}
	snprintf(digest, IMAGE_DIGEST_LEN, "%s", d);
	json_decref(idx);
	return 0;
}

/**
 * @p ref as the store names images, into @p buf: "busybox" is "busybox:latest"; a name
 * with a tag or a digest stays; Docker Hub's "docker.io/library/" (or "docker.io/") is
 * left out, as docker prints it. Returns 0, or -1 when it is empty, too long or has
 * characters no reference has.
 */
int
image_normal_name(const char *ref, char *buf, size_t size, struct nook_error *err)
{
	const char *slash, *last;
	bool tagged;

	if (strncmp(ref, "docker.io/library/", 18) == 0 && ref[18])
		ref += 18;
	else if (strncmp(ref, "docker.io/", 10) == 0 && ref[10])
		ref += 10;
	slash = strrchr(ref, '/');
	last = slash ? slash + 1 : ref;
	tagged = strchr(last, ':') || strchr(ref, '@');

	if (!*ref || strspn(ref, "abcdefghijklmnopqrstuvwxyz0123456789._-/:@ABCDEF"
				 "GHIJKLMNOPQRSTUVWXYZ") != strlen(ref))
		return nook_fail(err, 0, "\"%s\": not an image name", ref);
	if (snprintf(buf, size, "%s%s", ref, tagged ? "" : ":latest") >= (int)size)
		return nook_fail(err, 0, "\"%s\": name too long", ref);
	return 0;
}

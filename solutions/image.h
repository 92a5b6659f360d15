/**
 * @file image.h
 * @brief Step 11: container images — a content-addressed store of blobs and unpacked
 *        layers, filled by `nook image import` and `nook pull`, read by `nook run IMAGE`.
 *
 * An image is three kinds of content-addressed blobs, each named by the sha256 of its
 * bytes (its *digest*, "sha256:" and 64 hex digits): a *manifest* (JSON: which config,
 * which layers, in order), a *config* (JSON: the command, environment, working directory,
 * user, and the digests of the uncompressed layers) and the *layers* (tar archives, most
 * often gzip- or zstd-compressed, each what one build step added, changed or deleted).
 * Whoever hands us a blob also hands us its digest, so every byte is checked: a blob whose
 * sha256 differs is refused, and nothing of the image is stored.
 *
 * The store (image_store.c) keeps, under its root (/var/lib/nook for root,
 * ~/.local/share/nook otherwise, $NOOK_STORE or `nook --store DIR` for tests):
 *
 *     blobs/sha256/HEX     manifests and configs, as they were received
 *     layers/HEX/          each layer unpacked once (HEX: the digest of the layer's blob),
 *                          its whiteouts already in overlay's form (image_layer.c)
 *     images/HEX.json      one image (HEX: its config's digest, the image ID): its
 *                          manifest, config, layers bottom first, and names
 *     containers/ID/       `nook run IMAGE`: the bundle, its writable layer and rootfs
 *     tmp/                 everything in progress, moved into place only once whole
 *     lock                 flock(2)ed while the store changes
 *
 * A layer directory is shared by every image that has the layer and by every container of
 * those images, as an overlay lower layer that is never written.
 */
#ifndef NOOK_IMAGE_H
#define NOOK_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <unistd.h>

#include "nook.h"

/** "sha256:" and 64 hex digits, and the NUL. */
#define IMAGE_DIGEST_LEN (7 + 64 + 1)
/** The most bytes of a manifest, index or config nook reads (containers/image's limit). */
#define IMAGE_MAX_JSON (4 << 20)
/** The most layers of one image (overlay's lowerdir has room for about as many). */
#define IMAGE_MAX_LAYERS 64
/** The most names (repository:tag) one image has. */
#define IMAGE_MAX_NAMES 16

/** Media types nook knows. */
#define MT_OCI_INDEX	   "application/vnd.oci.image.index.v1+json"
#define MT_OCI_MANIFEST	   "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_CONFIG	   "application/vnd.oci.image.config.v1+json"
#define MT_DOCKER_LIST	   "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_CONFIG   "application/vnd.docker.container.image.v1+json"

/* image_digest.c */

/** A sha256 being computed over a stream, and where the stream's bytes go. */
struct image_sink {
	void *md;		/**< the EVP_MD_CTX */
	int fd;			/**< the bytes are written here too (-1: only hashed) */
	int64_t size;		/**< bytes so far */
	int64_t max;		/**< more than this is refused (the size the descriptor says) */
	const char *what;	/**< what is streamed, for errors: "blob sha256:ab..." */
	struct nook_error *err; /**< where a failure of write() is reported */
	char digest[IMAGE_DIGEST_LEN]; /**< once closed: the digest of what was written */
};

/* image_digest_name.c (in nook too: no libcrypto) */
bool image_digest_valid(const char *digest);
const char *image_digest_hex(const char *digest);
/* image_digest.c (nook-image only) */
int image_sha256(const void *data, size_t len, char out[IMAGE_DIGEST_LEN]);
int image_sink_open(struct image_sink *s, int fd, int64_t max, const char *what,
		    struct nook_error *err);
int image_sink_write(struct image_sink *s, const void *data, size_t len);
int image_sink_close(struct image_sink *s, const char *want, struct nook_error *err);

/** A blob's bytes kept across pulls, for a Range request (image_partial.c). */
struct image_partial {
	int fd;				/**< STORE/partial/HEX, appended to; -1: none */
	int64_t have;			/**< the bytes it held when opened, fed into the sink */
	char path[PATH_MAX_STATE + 80]; /**< its path */
};

/* image_partial.c (nook-image only) */
struct image_desc;
int image_partial_open(struct image_partial *p, const char *root, const struct image_desc *d,
		       struct image_sink *sink);
void image_partial_write(struct image_partial *p, const void *data, size_t len);
void image_partial_close(struct image_partial *p, bool keep);

/* image_rootless.c (nook-image's; image_rootless() nook's too) */
struct archive_entry;
/** Is the store being filled or used by an ordinary user (no chown, user.* overlay
 *  marks, the overlay mounted by the runtime: image_rootless.c)? */
static inline bool
image_rootless(void)
{
	return geteuid() != 0;
}
const char *image_opaque_xattr(void);
bool image_entry_fit(struct archive_entry *e);

/* image_layer.c */
int image_layer_unpack(const char *tarball, const char *dir, const char *diff_id,
		       struct nook_error *err);
int image_whiteout(int layerfd, const char *path, struct nook_error *err);
int image_layer_diff_id(const char *tarball, char out[IMAGE_DIGEST_LEN], struct nook_error *err);

/** A layer packed from a directory (image_pack.c). */
struct image_packed {
	char digest[IMAGE_DIGEST_LEN];	/**< of the gzipped blob: the manifest's */
	char diff_id[IMAGE_DIGEST_LEN]; /**< of the tar: the config's rootfs.diff_ids */
	int64_t size;			/**< of the blob */
};

/* image_pack.c */
int image_pack_layer(const char *dir, const char *blob, struct image_packed *out,
		     struct nook_error *err);

/** One descriptor of a manifest: a config or a layer. */
struct image_desc {
	char digest[IMAGE_DIGEST_LEN];
	int64_t size;
	const char *media_type;
};

/** A store, opened (image_store.c). */
struct image_store {
	char root[PATH_MAX_STATE];
	int lockfd; /**< flock(2)ed while open to write: one writer at a time; else -1 */
};

/** One image of the store, as images/HEX.json says it. */
struct image_record {
	char id[IMAGE_DIGEST_LEN];			 /**< the config's digest */
	char manifest[IMAGE_DIGEST_LEN];		 /**< the manifest's digest */
	char layers[IMAGE_MAX_LAYERS][IMAGE_DIGEST_LEN]; /**< bottom first */
	int nlayers;
	char names[IMAGE_MAX_NAMES][256]; /**< "busybox:latest", ... */
	int nnames;
	char created[48]; /**< when it was stored, RFC 3339 */
};

/**
 * Where an image's blobs come from: fetch() writes the blob @p d names into @p sink
 * (image_sink_write()), or fails. The store checks its digest and size.
 */
struct image_source {
	int (*fetch)(void *ctx, const struct image_desc *d, struct image_sink *sink,
		     struct nook_error *err);
	void *ctx;
};

/* image_store.c */
const char *image_store_default(char *buf, size_t size);
int image_store_open(struct image_store *s, const char *root, bool write, struct nook_error *err);
void image_store_close(struct image_store *s);
int image_store_add(struct image_store *s, const char *manifest, size_t len, const char *name,
		    const struct image_source *src, struct image_record *rec,
		    struct nook_error *err);
int image_store_read(const struct image_store *s, const char *id, struct image_record *rec,
		     struct nook_error *err);
int image_store_find(const struct image_store *s, const char *ref, struct image_record *rec,
		     struct nook_error *err);
int image_store_list(const struct image_store *s, struct image_record **recs, int *n,
		     struct nook_error *err);
int image_store_remove(struct image_store *s, const char *ref, struct image_record *rec,
		       struct nook_error *err);
int image_store_prune(struct image_store *s, int *removed, struct nook_error *err);
char *image_store_blob(const struct image_store *s, const char *digest, size_t *len,
		       struct nook_error *err);
void image_store_layer_dir(const struct image_store *s, const char *digest, char *buf, size_t size);
int image_manifest_check(const char *text, size_t len, const char *where, struct image_desc *config,
			 struct image_desc *layers, int *nlayers, struct nook_error *err);
int image_record_write(const struct image_store *s, const struct image_record *rec,
		       struct nook_error *err);
int image_take_name(const struct image_store *s, const char *name, const char *keep,
		    struct nook_error *err);
int image_normal_name(const char *ref, char *buf, size_t size, struct nook_error *err);
int image_remove_tree(const char *path);

/** What the policy allows, and where signatures are (image_policy.h); NULL: anything. */
struct image_trust;

/* image_commit.c */
int image_commit(struct image_store *s, const char *id, const char *name, const char *message,
		 struct image_record *rec, struct nook_error *err);

/* image_rootfs.c */
int image_overlay_options(const struct image_store *s, const struct image_record *rec,
			  const char *dir, char *opts, size_t size, struct nook_error *err);
int image_mount_rootfs(const struct image_store *s, const struct image_record *rec, const char *dir,
		       struct nook_error *err);

/* image_cp.c */
int image_cp(const struct image_store *s, const char *id, const char *inside, const char *host,
	     bool in, struct nook_error *err);

/* image_import.c */
int image_import(struct image_store *s, const char *path, const char *name,
		 const struct image_trust *trust, struct image_record *rec, struct nook_error *err);

/* image_registry.c */

/** A reference: registry host, repository and tag or digest. */
struct image_ref {
	char host[256];		       /**< "registry-1.docker.io", "127.0.0.1:5000" */
	char repo[256];		       /**< "library/busybox" */
	char tag[128];		       /**< "latest", or "" when digest is set */
	char digest[IMAGE_DIGEST_LEN]; /**< "sha256:...", or "" */
	char name[512];		       /**< how the image is named in the store: "host/repo:tag" */
};

int image_ref_parse(const char *ref, struct image_ref *r, struct nook_error *err);
int image_auth_parse(const char *header, char *realm, size_t realm_size, char *service,
		     size_t service_size, char *scope, size_t scope_size);
int image_pick_platform(const char *index, size_t len, char *digest, struct nook_error *err);
int image_pull(struct image_store *s, const char *ref, bool insecure,
	       const struct image_trust *trust, struct image_record *rec, struct nook_error *err);

#endif

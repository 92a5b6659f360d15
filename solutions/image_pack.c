/**
 * @file image_pack.c
 * @brief Step 11 — a container's writable layer packed into an image layer: the
 *        reverse of image_layer.c, for `nook commit`.
 *
 * While a container runs, overlayfs writes every change into its upper directory
 * (containers/ID/upper): a file created or modified is there whole (copied up), a file
 * deleted is a *whiteout* — a character device 0:0 under its name — and a directory
 * deleted and made again is *opaque*, its trusted.overlay.opaque attribute "y" hiding
 * everything the layers below have under it. That directory is already a layer; it only
 * has to be written in the image format's words (the OCI image spec's layer.md):
 *
 *  - a whiteout becomes an empty file `.wh.NAME` in the same directory;
 *  - an opaque directory gets an empty file `.wh..wh..opq` inside it;
 *  - anything else is a tar entry as it is: mode, owner, times, a symbolic link's target,
 *    a device's numbers, a second name of a hard link as a link to the first.
 *
 * The tar stream (libarchive, pax) is written through a callback that hashes it — the
 * sha256 of the uncompressed tar is the layer's *diff_id*, which the image config lists —
 * and gzips it with zlib into the blob file, whose own sha256 is the layer's digest in the
 * manifest. One pass, two digests. Entries are written in name order, so that the same
 * upper directory gives the same layer. Extended attributes are not kept (overlay's own
 * are the only ones a container usually has).
 */
#define _GNU_SOURCE
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <zlib.h>

#include "image.h"

/** The deepest directory tree nook packs. */
#define PACK_MAX_DEPTH 128

/** A hard link seen: its first name, for the ones after it. */
struct pack_link {
	dev_t dev;
	ino_t ino;
	char *name;
};

/** One packing in progress. */
struct pack {
	struct archive *a;
	z_stream z;
	struct image_sink tar; /**< the uncompressed stream: the diff_id */
	struct image_sink gz;  /**< the blob: the digest */
	struct pack_link *links;
	size_t nlinks;
	struct nook_error *err;
	bool failed; /**< err is filled */
};

/** Deflate what is in z's input (and, with @p flush Z_FINISH, the end) into the blob. */
static int
deflate_out(struct pack *k, int flush)
{
	unsigned char out[1 << 16];
	int r;

	do {
		k->z.next_out = out;
		k->z.avail_out = sizeof(out);
		r = deflate(&k->z, flush);
		if (r == Z_STREAM_ERROR)
			return nook_fail(k->err, 0, "gzip: deflate failed");
		if (image_sink_write(&k->gz, out, sizeof(out) - k->z.avail_out) < 0)
			return -1;
	} while (k->z.avail_out == 0 || (flush == Z_FINISH && r != Z_STREAM_END));
	return 0;
}

/** libarchive's output: hashed as tar, then gzipped into the blob. */
static la_ssize_t
pack_write(struct archive *a, void *ctx, const void *buf, size_t len)
{
	struct pack *k = ctx;

	(void)a;
	if (image_sink_write(&k->tar, buf, len) < 0)
		goto fail;
	k->z.next_in = (unsigned char *)buf;
	k->z.avail_in = (unsigned)len;
	if (deflate_out(k, Z_NO_FLUSH) < 0)
		goto fail;
	return (la_ssize_t)len;
fail:
	k->failed = true;
	return -1;
}

/**
 * Write the header @p e (and, for a regular file, the bytes of @p fd). Only the
 * modification time is kept: the access and change times differ with each read.
 */
static int
put(struct pack *k, struct archive_entry *e, int fd)
{
	char buf[1 << 16];
	ssize_t n;

	archive_entry_unset_atime(e);
	archive_entry_unset_ctime(e);
	archive_entry_unset_birthtime(e);
	if (archive_write_header(k->a, e) != ARCHIVE_OK)
		goto fail;
	while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
		if (archive_write_data(k->a, buf, (size_t)n) != n)
			goto fail;
	if (fd >= 0 && n < 0)
		return nook_fail(k->err, errno, "read(\"%s\")", archive_entry_pathname(e));
	return 0;
fail:
	if (k->failed)
		return -1;
	return nook_fail(k->err, 0, "tar \"%s\": %s", archive_entry_pathname(e),
			 archive_error_string(k->a));
}

/** An empty file @p name (a whiteout or the opaque marker), owned by root. */
static int
put_marker(struct pack *k, const char *name)
{
	struct archive_entry *e = archive_entry_new();
	int ret;

	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, 0);
	ret = put(k, e, -1);
	archive_entry_free(e);
	return ret;
}

/** The first name of the hard link @p st, or NULL (then @p name is remembered). */
static const char *
link_seen(struct pack *k, const struct stat *st, const char *name)
{
	struct pack_link *l;

	for (size_t i = 0; i < k->nlinks; i++)
		if (k->links[i].dev == st->st_dev && k->links[i].ino == st->st_ino)
			return k->links[i].name;
	l = realloc(k->links, (k->nlinks + 1) * sizeof(*l));
	if (l) {
		k->links = l;
		l[k->nlinks++] = (struct pack_link){st->st_dev, st->st_ino, strdup(name)};
	}
	return NULL;
}

/** One entry @p name (@p path in the layer) of the directory @p dirfd, not a directory. */
static int
put_file(struct pack *k, int dirfd, const char *name, const char *path, const struct stat *st)
{
	struct archive_entry *e = archive_entry_new();
	const char *first = NULL;
	char target[PATH_MAX];
	ssize_t n;
	int fd = -1, ret;

	archive_entry_copy_stat(e, st);
	archive_entry_set_pathname(e, path);
	if (S_ISREG(st->st_mode) && st->st_nlink > 1 && (first = link_seen(k, st, path))) {
		archive_entry_set_hardlink(e, first);
		archive_entry_set_size(e, 0);
	} else if (S_ISREG(st->st_mode) &&
		   (fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		archive_entry_free(e);
		return nook_fail(k->err, errno, "open(\"%s\")", path);
	} else if (S_ISLNK(st->st_mode)) {
		if ((n = readlinkat(dirfd, name, target, sizeof(target) - 1)) < 0) {
			archive_entry_free(e);
			return nook_fail(k->err, errno, "readlink(\"%s\")", path);
		}
		target[n] = '\0';
		archive_entry_set_symlink(e, target);
	}
	ret = put(k, e, fd);
	if (fd >= 0)
		close(fd);
	archive_entry_free(e);
	return ret;
}

static int pack_dir(struct pack *k, int dirfd, const char *prefix, int depth);

/** Is the directory @p fd opaque (overlay's attribute, trusted.* or, rootless, user.*)? */
static bool
opaque(int fd)
{
	char v[2];

	return (fgetxattr(fd, "trusted.overlay.opaque", v, sizeof(v)) == 1 && v[0] == 'y') ||
	       (fgetxattr(fd, "user.overlay.opaque", v, sizeof(v)) == 1 && v[0] == 'y');
}

/** The directory entry @p name (@p path in the layer), then all below it. */
static int
put_dir(struct pack *k, int dirfd, const char *name, const char *path, const struct stat *st,
	int depth)
{
	struct archive_entry *e = archive_entry_new();
	char marker[PATH_MAX + 16];
	int fd, ret;

	archive_entry_copy_stat(e, st);
	archive_entry_set_pathname(e, path);
	ret = put(k, e, -1);
	archive_entry_free(e);
	if (ret < 0)
		return -1;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return nook_fail(k->err, errno, "open(\"%s\")", path);
	snprintf(marker, sizeof(marker), "%s/.wh..wh..opq", path);
	if (opaque(fd) && put_marker(k, marker) < 0)
		ret = -1;
	if (ret == 0)
		ret = pack_dir(k, fd, path, depth + 1);
	close(fd);
	return ret;
}

/** The entry @p name of the directory @p dirfd, whose path in the layer is @p prefix. */
static int
pack_entry(struct pack *k, int dirfd, const char *prefix, const char *name, int depth)
{
	char path[PATH_MAX], wh[PATH_MAX + 8];
	struct stat st;

	if (snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "/" : "", name) >=
	    (int)sizeof(path))
		return nook_fail(k->err, ENAMETOOLONG, "pack \"%s/%s\"", prefix, name);
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return nook_fail(k->err, errno, "stat(\"%s\")", path);
	if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) { /* a whiteout */
		snprintf(wh, sizeof(wh), "%s%s.wh.%s", prefix, *prefix ? "/" : "", name);
		return put_marker(k, wh);
	}
	if (S_ISDIR(st.st_mode))
		return put_dir(k, dirfd, name, path, &st, depth);
	if (S_ISSOCK(st.st_mode))
		return 0; /* a socket is no file to ship */
	return put_file(k, dirfd, name, path, &st);
}

/** Every entry of the directory @p dirfd, in name order, under @p prefix in the layer. */
static int
pack_dir(struct pack *k, int dirfd, const char *prefix, int depth)
{
	struct dirent **list;
	int n, ret = 0;

	if (depth > PACK_MAX_DEPTH)
		return nook_fail(k->err, 0, "pack \"%s\": more than %d levels deep", prefix,
				 PACK_MAX_DEPTH);
	n = scandirat(dirfd, ".", &list, NULL, alphasort);
	if (n < 0)
		return nook_fail(k->err, errno, "scandir(\"%s\")", prefix);
	for (int i = 0; i < n; i++) {
		const char *name = list[i]->d_name;

		if (ret == 0 && strcmp(name, ".") != 0 && strcmp(name, "..") != 0)
			ret = pack_entry(k, dirfd, prefix, name, depth);
		free(list[i]);
	}
	free(list);
	return ret;
}

/** Start @p k: its two sinks, zlib in gzip mode, libarchive writing pax to pack_write(). */
static int
pack_open(struct pack *k, int fd, struct nook_error *err)
{
	*k = (struct pack){.err = err};
	if (image_sink_open(&k->tar, -1, -1, "the layer's tar", err) < 0)
		return -1;
	if (image_sink_open(&k->gz, fd, -1, "the layer's blob", err) < 0)
		return -1;
	if (deflateInit2(&k->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return nook_fail(err, ENOMEM, "gzip: deflateInit2");
	if (!(k->a = archive_write_new()) || archive_write_set_format_pax_restricted(k->a) ||
	    archive_write_open(k->a, k, NULL, pack_write, NULL) != ARCHIVE_OK)
		return nook_fail(err, ENOMEM, "tar: %s",
				 k->a ? archive_error_string(k->a) : "archive_write_new");
	return 0;
}

/** End @p k: the tar's end, gzip's end, both digests (when @p ok), everything freed. */
static int
pack_close(struct pack *k, int ok, struct image_packed *out)
{
	struct nook_error ignored, *err = ok == 0 ? k->err : &ignored;

	if (ok == 0 && k->a && archive_write_close(k->a) != ARCHIVE_OK)
		ok = k->failed ? -1 : nook_fail(err, 0, "tar: %s", archive_error_string(k->a));
	if (k->a)
		archive_write_free(k->a);
	if (ok == 0)
		ok = deflate_out(k, Z_FINISH);
	deflateEnd(&k->z);
	if (k->tar.md && image_sink_close(&k->tar, NULL, ok == 0 ? err : &ignored) < 0)
		ok = -1;
	if (k->gz.md && image_sink_close(&k->gz, NULL, ok == 0 ? err : &ignored) < 0)
		ok = -1;
	if (ok == 0) {
		memcpy(out->diff_id, k->tar.digest, IMAGE_DIGEST_LEN);
		memcpy(out->digest, k->gz.digest, IMAGE_DIGEST_LEN);
		out->size = k->gz.size;
	}
	for (size_t i = 0; i < k->nlinks; i++)
		free(k->links[i].name);
	free(k->links);
	return ok;
}

/**
 * Pack the directory @p dir (an overlay upper directory) into the new file @p blob, a
 * gzipped tar with OCI whiteouts; its digest, size and diff_id into @p out. On failure
 * @p blob is removed.
 */
int
image_pack_layer(const char *dir, const char *blob, struct image_packed *out,
		 struct nook_error *err)
{
	int fd, dirfd, ret;
	struct pack k;

	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return nook_fail(err, errno, "open(\"%s\")", dir);
	if ((fd = open(blob, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		close(dirfd);
		return nook_fail(err, errno, "open(\"%s\")", blob);
	}
	ret = pack_open(&k, fd, err);
	if (ret == 0)
		ret = pack_dir(&k, dirfd, "", 0);
	ret = pack_close(&k, ret, out);
	close(dirfd);
	if (close(fd) < 0 && ret == 0)
		ret = nook_fail(err, errno, "close(\"%s\")", blob);
	if (ret < 0)
		unlink(blob);
	return ret;
}

/**
 * @file image_layer.c
 * @brief Step 11: one image layer — a tar archive, gzip- or zstd-compressed or not —
 *        unpacked with libarchive into a directory overlay can use as a lower layer.
 *
 * A layer is a diff: the files one build step added or changed, and marks for what it
 * deleted. The OCI image spec (layer.md) writes a deletion as an empty file named
 * `.wh.NAME` beside the deleted NAME ("whiteout"), and "everything below this directory
 * in the layers beneath is gone" as a file `.wh..wh..opq` in it ("opaque directory").
 * OverlayFS has the same two ideas in another form: a whiteout is a character device 0/0
 * named NAME, and an opaque directory carries the extended attribute
 * trusted.overlay.opaque=y (user.overlay.opaque=y in an ordinary user's store, and no
 * owners but the user's: image_rootless.c). So each layer is translated once, as it is unpacked, and the
 * kernel then does the rest every time a container starts (rootfs.c).
 *
 * A tar archive is input from anyone, written into the store as root: it must not write
 * outside its directory. Three ways it could, each refused with the entry's name:
 *
 *  - a name that is absolute ("/etc/passwd") or climbs ("../../etc/passwd");
 *  - a hard link to such a name, or to a file reached through a symbolic link, which
 *    would make the layer's file the host's file;
 *  - a symbolic link ("d -> /etc") followed by an entry below it ("d/passwd"): libarchive
 *    refuses to write through a symbolic link (ARCHIVE_EXTRACT_SECURE_SYMLINKS), and the
 *    whiteout code walks the directories with O_NOFOLLOW.
 *
 * A symbolic link itself may point anywhere: inside the container it is resolved against
 * the container's own root. Owners are kept as numbers (no lookup in the host's
 * /etc/passwd), and so are modes, times and extended attributes.
 *
 * Further reading: the OCI image spec's layer.md; the kernel's
 * Documentation/filesystems/overlayfs.rst ("whiteouts and opaque directories");
 * archive_write_disk(3).
 */
#define _GNU_SOURCE
#include <archive.h>
#include <archive_entry.h>
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

#include "image.h"

/** The prefix of a whiteout, and the name of an opaque directory's marker. */
#define WH_PREFIX ".wh."
#define WH_OPAQUE ".wh..wh..opq"

/**
 * @p name as a path relative to the layer, into @p out: "./" and trailing slashes taken
 * off. Returns 0, or -1 when it is absolute or has a ".." component.
 */
static int
entry_path(const char *name, char *out, size_t size)
{
	size_t len;

	if (name[0] == '/')
		return -1;
	while (name[0] == '.' && name[1] == '/')
		name += 2;
	while (name[0] == '/')
		name++;
	if (snprintf(out, size, "%s", name) >= (int)size)
		return -1;
	len = strlen(out);
	while (len > 0 && out[len - 1] == '/')
		out[--len] = '\0';
	for (const char *p = out; p;) {
		if (strncmp(p, "..", 2) == 0 && (p[2] == '/' || p[2] == '\0'))
			return -1;
		p = strchr(p, '/');
		p = p ? p + 1 : NULL;
	}
	return 0;
}

/**
 * The directory @p path below @p layerfd, made if missing, each component opened with
 * O_NOFOLLOW: a symbolic link on the way is refused (ELOOP or ENOTDIR), never followed.
 * Returns an open descriptor, or -1 with errno.
 */
static int
open_dir_beneath(int layerfd, char *path)
{
	int fd = dup(layerfd), next;
	char *comp, *save = NULL;

	for (comp = strtok_r(path, "/", &save); comp && fd >= 0;
	     comp = strtok_r(NULL, "/", &save)) {
		if (strcmp(comp, ".") == 0)
			continue;
		if (mkdirat(fd, comp, 0755) < 0 && errno != EEXIST)
			next = -1;
		else
			next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = next;
	}
	return fd;
}

//! [image_whiteout]
/**
 * Turn the OCI whiteout entry @p path (relative, already checked) into overlay's form in
 * the layer @p layerfd: `.wh..wh..opq` makes its directory opaque, `.wh.NAME` becomes the
 * character device 0/0 NAME. Returns 0, or -1 with @p err.
 */
int
image_whiteout(int layerfd, const char *path, struct nook_error *err)
{
	char parent[PATH_MAX];
	const char *base = strrchr(path, '/');
	const char *opaque = image_opaque_xattr(); /* user.overlay.* without root */
	int dirfd, ret = 0;

	snprintf(parent, sizeof(parent), "%.*s", base ? (int)(base - path) : 1, base ? path : ".");
	base = base ? base + 1 : path;
	if (strncmp(base, WH_PREFIX WH_PREFIX, 8) == 0 && strcmp(base, WH_OPAQUE) != 0)
		return 0; /* aufs's own bookkeeping (.wh..wh.plnk...): nothing for overlay */
	if (strcmp(base + 4, "") == 0 || strcmp(base + 4, ".") == 0 || strcmp(base + 4, "..") == 0)
		return nook_fail(err, 0, "layer entry \"%s\": a whiteout of nothing", path);
	/* EXERCISE 11: turn the OCI whiteout in directory parent (below layerfd, opened with open_dir_beneath(), never through a symbolic link) into overlay's form: base ".wh..wh..opq" makes that directory opaque (the extended attribute named opaque, trusted.overlay.opaque as root, = "y"), any other ".wh.NAME" becomes NAME, a character device 0/0; return 0, or -1 with err naming the entry. The tests import a layer that deletes /bin/vi and makes /usr opaque, run it, and look at the layer on disk. */
	if ((dirfd = open_dir_beneath(layerfd, parent)) < 0)
		return nook_fail(err, errno, "layer entry \"%s\": its directory", path);
	if (strcmp(base, WH_OPAQUE) == 0) {
		if (fsetxattr(dirfd, opaque, "y", 1, 0) < 0)
			ret = nook_fail(err, errno, "layer entry \"%s\": setxattr(opaque)", path);
	} else if (mknodat(dirfd, base + 4, S_IFCHR, makedev(0, 0)) < 0) {
		ret = nook_fail(err, errno, "layer entry \"%s\": mknod(whiteout)", path);
	}
	close(dirfd);
	return ret;
	/* END EXERCISE */
}
//! [image_whiteout]

/** Is the hard link target @p rel a regular file in the layer, reached without a link? */
static bool
link_target_inside(int layerfd, const char *rel)
{
	char path[PATH_MAX], *base;
	struct stat st;
	int dirfd;
	bool ok;

	snprintf(path, sizeof(path), "%s", rel);
	base = strrchr(path, '/');
	if (base)
		*base++ = '\0';
	dirfd = base ? open_dir_beneath(layerfd, path) : dup(layerfd);
	if (dirfd < 0)
		return false;
	ok = fstatat(dirfd, base ? base : path, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	     !S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode);
	close(dirfd);
	return ok;
}

/** Copy the current entry's data from @p in to @p out. */
static int
copy_data(struct archive *in, struct archive *out)
{
	const void *buf;
	size_t size;
	la_int64_t offset;
	int r;

	while ((r = archive_read_data_block(in, &buf, &size, &offset)) == ARCHIVE_OK)
		if (archive_write_data_block(out, buf, size, offset) < ARCHIVE_WARN)
			return -1;
	return r == ARCHIVE_EOF ? 0 : -1;
}

/**
 * Point entry @p e (named @p rel) at @p dir, and its hard link too after checking it.
 * Returns 0, or -1 with @p err.
 */
static int
place_entry(struct archive_entry *e, const char *dir, int layerfd, const char *rel,
	    struct nook_error *err)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *link = archive_entry_hardlink(e);

	if (link) {
		if (entry_path(link, target, sizeof(target)) < 0 ||
		    !link_target_inside(layerfd, target))
			return nook_fail(err, 0,
					 "layer entry \"%s\": a hard link to \"%s\", outside the "
					 "layer's files",
					 rel, link);
		if (snprintf(path, sizeof(path), "%s/%s", dir, target) >= (int)sizeof(path))
			return nook_fail(err, 0, "layer entry \"%s\": name too long", rel);
		archive_entry_set_hardlink(e, path);
	}
	if (snprintf(path, sizeof(path), "%s/%s", dir, rel) >= (int)sizeof(path))
		return nook_fail(err, 0, "layer entry \"%s\": name too long", rel);
	archive_entry_set_pathname(e, path);
	return 0;
}

//! [unpack_entry]
/** Unpack one entry @p e of @p in into the layer. Returns 0, or -1 with @p err. */
static int
unpack_entry(struct archive *in, struct archive *out, struct archive_entry *e, const char *dir,
	     int layerfd, struct nook_error *err)
{
	const char *name = archive_entry_pathname(e), *base;
	char rel[PATH_MAX];

	if (!name || entry_path(name, rel, sizeof(rel)) < 0)
		return nook_fail(err, 0, "layer entry \"%s\": absolute or outside the layer",
				 name ? name : "");
	if (rel[0] == '\0' || strcmp(rel, ".") == 0)
		return 0; /* the layer's root: made already */
	base = strrchr(rel, '/');
	base = base ? base + 1 : rel;
	if (strncmp(base, WH_PREFIX, 4) == 0)
		return image_whiteout(layerfd, rel, err);
	if (!image_entry_fit(e))
		return 0; /* a device node, without root (image_rootless.c) */
	if (place_entry(e, dir, layerfd, rel, err) < 0)
		return -1;
	if (archive_write_header(out, e) < ARCHIVE_WARN || copy_data(in, out) < 0 ||
	    archive_write_finish_entry(out) < ARCHIVE_WARN)
		return nook_fail(err, 0, "layer entry \"%s\": %s", rel,
				 archive_error_string(out) ?: archive_error_string(in)
								       ?: "cannot write");
	return 0;
}
//! [unpack_entry]

/**
 * A layer read once: the decompressed stream, hashed as the tar reader takes it. The
 * blob is decompressed by one reader (@p raw, libarchive's "raw" format: the bytes as
 * they are once gzip or zstd is undone), and those bytes are handed to a second reader
 * (the tar format, no filter) through stream_read(), which first adds them to the sha256
 * of the uncompressed layer — its diff ID. Checking the diff ID and unpacking used to
 * decompress the layer twice; decompression is most of the cost of a pull.
 */
struct layer_stream {
	struct archive *raw; /**< the blob, decompressed */
	struct image_sink sink;
	char buf[1 << 16];
};

/** archive_read_open()'s reader: the next decompressed block, hashed. */
static la_ssize_t
stream_read(struct archive *a, void *data, const void **out)
{
	struct layer_stream *st = data;
	la_ssize_t n = archive_read_data(st->raw, st->buf, sizeof(st->buf));

	if (n < 0) {
		archive_set_error(a, EIO, "%s", archive_error_string(st->raw) ?: "cannot read");
		return -1;
	}
	if (n > 0 && image_sink_write(&st->sink, st->buf, (size_t)n) < 0) {
		archive_set_error(a, EIO, "%s", st->sink.err->msg);
		return -1;
	}
	*out = st->buf;
	return n;
}

/** Open @p tarball decompressed into @p st (its sink reporting into @p err). */
static int
stream_open(struct layer_stream *st, const char *tarball, struct nook_error *err)
{
	struct archive_entry *e;

	if (!(st->raw = archive_read_new()))
		return nook_fail(err, ENOMEM, "archive_read_new");
	archive_read_support_filter_gzip(st->raw);
	archive_read_support_filter_zstd(st->raw);
	archive_read_support_format_raw(st->raw);
	if (archive_read_open_filename(st->raw, tarball, 1 << 16) != ARCHIVE_OK ||
	    archive_read_next_header(st->raw, &e) != ARCHIVE_OK) {
		nook_fail(err, 0, "layer %s: %s", tarball, archive_error_string(st->raw));
		archive_read_free(st->raw);
		return -1;
	}
	if (image_sink_open(&st->sink, -1, -1, "layer", err) < 0) {
		archive_read_free(st->raw);
		return -1;
	}
	return 0;
}

/**
 * The rest of the stream, which the tar reader did not need (the end blocks, padding),
 * hashed too; then the digest into @p out. Frees @p st. Returns 0, or -1 with @p err.
 */
static int
stream_close(struct layer_stream *st, char out[IMAGE_DIGEST_LEN], struct nook_error *err)
{
	la_ssize_t n;
	int ret = 0;

	while ((n = archive_read_data(st->raw, st->buf, sizeof(st->buf))) > 0 && ret == 0)
		ret = image_sink_write(&st->sink, st->buf, (size_t)n);
	if (ret == 0 && n < 0)
		ret = nook_fail(err, 0, "layer: %s", archive_error_string(st->raw));
	if (ret < 0)
		image_sink_close(&st->sink, NULL, &(struct nook_error){0});
	else if ((ret = image_sink_close(&st->sink, NULL, err)) == 0)
		memcpy(out, st->sink.digest, IMAGE_DIGEST_LEN);
	archive_read_free(st->raw);
	return ret;
}

/** The writer of the layer's files into its directory (owners only as root). */
static struct archive *
layer_writer(void)
{
	struct archive *out = archive_write_disk_new();

	if (out)
		archive_write_disk_set_options(
			out, ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM |
				     (image_rootless() ? 0 : ARCHIVE_EXTRACT_OWNER) |
				     ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
				     ARCHIVE_EXTRACT_SECURE_NODOTDOT);
	return out;
}

/** Every entry of @p in into @p dir, open as @p layerfd. */
static int
unpack_all(struct archive *in, struct archive *out, const char *dir, int layerfd,
	   struct nook_error *err)
{
	struct archive_entry *e;
	int r;

	while ((r = archive_read_next_header(in, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN)
		if (unpack_entry(in, out, e, dir, layerfd, err) < 0)
			return -1;
	if (r != ARCHIVE_EOF)
		return nook_fail(err, 0, "layer: %s",
				 archive_error_string(in) ?: "not a tar archive");
	return 0;
}

/** Unpack the stream @p st into @p dir, open as @p layerfd. */
static int
unpack_stream(struct layer_stream *st, const char *dir, int layerfd, struct nook_error *err)
{
	struct archive *in = archive_read_new(), *out = layer_writer();
	int ret;

	if (!in || !out) {
		archive_read_free(in);
		archive_write_free(out);
		return nook_fail(err, ENOMEM, "archive_read_new");
	}
	st->sink.err = err;
	archive_read_support_format_tar(in);
	if (archive_read_open(in, st, NULL, stream_read, NULL) != ARCHIVE_OK)
		ret = nook_fail(err, 0, "layer: %s", archive_error_string(in));
	else
		ret = unpack_all(in, out, dir, layerfd, err);
	if (archive_write_close(out) != ARCHIVE_OK && ret == 0)
		ret = nook_fail(err, 0, "layer: %s", archive_error_string(out));
	archive_write_free(out);
	archive_read_free(in);
	return ret;
}

/**
 * Unpack the layer @p tarball into the existing, empty directory @p dir (absolute, no
 * symbolic link on its path), in one pass that also hashes the uncompressed layer: it
 * must have digest @p diff_id (NULL: not checked) — the blob's digest only proves the
 * compressed bytes are the ones the manifest names; this proves they are the layer the
 * config, and so the image ID, was made of. A layer that is not its diff ID is refused
 * for that, whatever else went wrong in it. On failure @p dir holds part of the layer: the
 * caller removes it (it is in the store's tmp/, never seen by a container). Returns 0, or
 * -1 with @p err naming the entry at fault.
 */
int
image_layer_unpack(const char *tarball, const char *dir, const char *diff_id,
		   struct nook_error *err)
{
	struct layer_stream *st;
	struct nook_error why;
	char got[IMAGE_DIGEST_LEN];
	int layerfd, ret, hashed;

	if ((layerfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return nook_fail(err, errno, "open(\"%s\")", dir);
	if (fchmod(layerfd, 0755) < 0) { /* the layer's root is the container's "/" */
		close(layerfd);
		return nook_fail(err, errno, "chmod(\"%s\")", dir);
	}
	if (!(st = malloc(sizeof(*st))) || stream_open(st, tarball, err) < 0) {
		ret = st ? -1 : nook_fail(err, ENOMEM, "layer %s", tarball);
		free(st);
		close(layerfd);
		return ret;
	}
	ret = unpack_stream(st, dir, layerfd, err);
	hashed = stream_close(st, got, ret < 0 ? &why : err);
	free(st);
	close(layerfd);
	if (hashed == 0 && diff_id && strcmp(got, diff_id) != 0)
		return nook_fail(err, 0,
				 "a layer: uncompressed it is %s, not the %s its config says", got,
				 diff_id);
	return ret < 0 || hashed < 0 ? -1 : 0;
}

/**
 * The digest of layer @p tarball uncompressed (its "diff ID", which the image's config
 * lists in rootfs.diff_ids) into @p out, read without unpacking it. Returns 0, or -1
 * with @p err.
 */
int
image_layer_diff_id(const char *tarball, char out[IMAGE_DIGEST_LEN], struct nook_error *err)
{
	struct layer_stream *st = malloc(sizeof(*st));
	int ret;

	if (!st)
		return nook_fail(err, ENOMEM, "layer %s", tarball);
	ret = stream_open(st, tarball, err) < 0 ? -1 : stream_close(st, out, err);
	free(st);
	return ret;
}

/**
 * @file image_store.c
 * @brief Step 11: the image store — blobs by digest, layers unpacked once, images as
 *        records naming them; filled all or nothing, shared by every container.
 *
 * Adding an image (image_store_add(), for import and pull alike) is a transaction on the
 * file system. Everything is first received into a scratch directory under tmp/: the
 * config and each layer's blob through a sink that checks its sha256 and size, each layer
 * unpacked beside it (image_layer.c). Only when every blob has been checked and every
 * layer unpacked are they moved into place with rename(2) — atomic within one file system
 * — and the image's record written last, itself renamed into place. A failure at any point
 * removes the scratch directory: "nothing stored" is the normal outcome of a bad image,
 * not a clean-up that could be forgotten. A layer the store already has is not fetched
 * again: that is how two images with a common base share it on disk.
 *
 * One writer at a time: the store's lock file is flock(2)ed by image_store_open(.., true) to
 * image_store_close(). A crashed writer leaves at most a scratch directory, which
 * `nook image prune` removes along with the layers and blobs no image uses any more
 * (`nook rmi` only forgets the image, as `docker rmi` untags).
 *
 * An image's ID is its config's digest (as docker's and podman's are): two manifests
 * that differ only in compression name the same image.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/** The store's root: $NOOK_STORE, else /var/lib/nook for root, else the user's. */
const char *
image_store_default(char *buf, size_t size)
{
	const char *env = getenv("NOOK_STORE"), *home = getenv("HOME");
	const char *data = getenv("XDG_DATA_HOME");

	if (env && *env)
		snprintf(buf, size, "%s", env);
	else if (geteuid() == 0)
		snprintf(buf, size, "/var/lib/nook");
	else if (data && *data)
		snprintf(buf, size, "%s/nook", data);
	else
		snprintf(buf, size, "%s/.local/share/nook", home ? home : "/nonexistent");
	return buf;
}

/** mkdir -p @p path (mode 0700 for the missing ones but the last, @p mode). */
static int
mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, mode) < 0 && errno != EEXIST ? -1 : 0;
}

/** Make the store's directories under s->root, and take its lock. */
static int
make_and_lock(struct image_store *s, struct nook_error *err)
{
	static const char *const sub[] = {"blobs/sha256", "layers", "images", "containers", "tmp"};
	char path[PATH_MAX];

	for (size_t i = 0; i < NELEM(sub); i++) {
		snprintf(path, sizeof(path), "%s/%s", s->root, sub[i]);
		if (mkdir_p(path, 0700) < 0)
			return nook_fail(err, errno, "mkdir(\"%s\")", path);
	}
	snprintf(path, sizeof(path), "%s/lock", s->root);
	if ((s->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
		return nook_fail(err, errno, "open(\"%s\")", path);
	if (flock(s->lockfd, LOCK_EX) < 0) {
		close(s->lockfd);
		s->lockfd = -1;
		return nook_fail(err, errno, "flock(\"%s\")", path);
	}
	return 0;
}

/**
 * Open the store at @p root (NULL: the default). To @p write, it is made if needed and
 * its lock taken. Only to read, nothing is made and nothing locked: a record or a layer
 * appears whole, by rename(2), so a reader never sees half of one — and `nook images`
 * does not wait for a pull. A store that does not exist reads as empty.
 * Returns 0, or -1 with @p err.
 */
int
image_store_open(struct image_store *s, const char *root, bool write, struct nook_error *err)
{
	char buf[PATH_MAX], path[PATH_MAX];

	s->lockfd = -1;
	if (!root)
		root = image_store_default(buf, sizeof(buf));
	if (write && mkdir_p(root, 0700) < 0)
		return nook_fail(err, errno, "image store \"%s\"", root);
	if (!realpath(root, path)) {
		if (!write && errno == ENOENT) { /* nothing stored yet */
			snprintf(s->root, sizeof(s->root), "/nonexistent");
			return 0;
		}
		return nook_fail(err, errno, "image store \"%s\"", root);
	}
	if (strlen(path) + 64 >= sizeof(s->root))
		return nook_fail(err, ENAMETOOLONG, "image store \"%s\"", root);
	snprintf(s->root, sizeof(s->root), "%s", path);
	return write ? make_and_lock(s, err) : 0;
}

/** Let go of the store and its lock. */
void
image_store_close(struct image_store *s)
{
	if (s->lockfd >= 0)
		close(s->lockfd);
	s->lockfd = -1;
}

static int
remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/**
 * A directory made readable and writable by its owner, before anything in it is removed:
 * without root, permissions hold for the owner too — an image's 0555 directory, or the
 * 0000 work/work overlay leaves in a user namespace, could not be emptied.
 */
static int
make_writable(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)ftw;
	if (flag == FTW_D && (st->st_mode & S_IRWXU) != S_IRWXU)
		chmod(path, (st->st_mode & 07777) | S_IRWXU);
	else if (flag == FTW_DNR && chmod(path, 0700) == 0) /* now it can be read */
		nftw(path, make_writable, 16, FTW_PHYS | FTW_MOUNT);
	return 0;
}

/** rm -rf @p path, not crossing into another mount. Returns 0, or -1 with errno. */
int
image_remove_tree(const char *path)
{
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return 0;
	if (geteuid() != 0)
		nftw(path, make_writable, 16, FTW_PHYS | FTW_MOUNT);
	return nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/** The directory of layer @p digest. */
void
image_store_layer_dir(const struct image_store *s, const char *digest, char *buf, size_t size)
{
	snprintf(buf, size, "%s/layers/%s", s->root, image_digest_hex(digest));
}

/** The whole of blob @p digest (malloc'd, NUL-terminated), or NULL with @p err. */
char *
image_store_blob(const struct image_store *s, const char *digest, size_t *len,
		 struct nook_error *err)
{
	char path[PATH_MAX], *text = NULL;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/blobs/sha256/%s", s->root, image_digest_hex(digest));
	if (!(f = fopen(path, "re")))
		return nook_fail(err, errno, "blob %s", digest), NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n <= IMAGE_MAX_JSON &&
	    fseek(f, 0, SEEK_SET) == 0 && (text = malloc((size_t)n + 1)) &&
	    fread(text, 1, (size_t)n, f) == (size_t)n) {
		text[n] = '\0';
		*len = (size_t)n;
	} else {
		free(text);
		text = NULL;
		nook_fail(err, errno ?: EIO, "read blob %s", digest);
	}
	fclose(f);
	return text;
}

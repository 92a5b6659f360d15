/**
 * @file image_cp.c
 * @brief Step 11 — `nook cp`: files copied between the host and a container's root,
 *        never outside it, whatever links the container has made.
 *
 * The container's root is an overlay (its image's layers under its writable layer). While
 * the container runs it is mounted on containers/ID/rootfs; once it has ended it is not,
 * and cp mounts it itself — in a mount namespace of its own (unshare(2) CLONE_NEWNS,
 * everything made private), so that the mount vanishes with the cp process, whatever
 * happens to it. Writes go to the container's upper directory, as the container's own do.
 *
 * A container's files are not to be trusted: it may have made /etc a symbolic link to
 * "../../../../etc", hoping that a cp into its /etc writes into the host's. So every path
 * inside is resolved with openat2(2) RESOLVE_IN_ROOT: the kernel walks it from the root's
 * descriptor and treats "/" and ".." at the top as the root itself, as a chroot would;
 * a link to an absolute path is followed inside. From there on everything is done
 * relative to directory descriptors, and nothing below the start is followed: each file
 * is opened with O_NOFOLLOW, a link is copied as a link (readlinkat, symlinkat), and a
 * link that is in the way of a file is replaced, not written through. The last component
 * of the source is not followed either (docker's behaviour) unless -L asks.
 *
 * Only files, directories and symbolic links are copied; their permission bits go along,
 * their owners do not (what cp makes is root's, as what docker cp makes).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "image.h"

/** The deepest tree cp copies. */
#define CP_MAX_DEPTH 128

/**
 * @p path inside the root @p rootfd, never leaving it: openat2(2) RESOLVE_IN_ROOT. A path
 * with ".." fails with EAGAIN when any rename or mount happened on the machine meanwhile
 * (the kernel cannot be sure then that ".." stayed inside): tried again, as openat2(2)
 * says to.
 */
static int
in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = {.flags = (unsigned)flags | O_CLOEXEC,
			       .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
	int fd, tries = 0;

	do
		fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN && ++tries < 1000);
	return fd;
}

/** Is @p dir/rootfs a mount point (the container runs)? */
static bool
mounted(const char *dir)
{
	char path[PATH_MAX + 8];
	struct stat a, b;

	snprintf(path, sizeof(path), "%s/rootfs", dir);
	return stat(path, &a) == 0 && stat(dir, &b) == 0 && a.st_dev != b.st_dev;
}

/**
 * Container @p id's root, as an O_PATH descriptor: the running container's mount, or the
 * overlay mounted now in a mount namespace of this process's own.
 */
static int
open_root(const struct image_store *s, const char *id, struct nook_error *err)
{
	char dir[PATH_MAX_STATE + NOOK_ID_MAX + 16], path[PATH_MAX], image[IMAGE_DIGEST_LEN] = "";
	struct image_record rec;
	FILE *f;
	int fd;

	snprintf(dir, sizeof(dir), "%s/containers/%s", s->root, id);
	snprintf(path, sizeof(path), "%s/image", dir);
	if (!(f = fopen(path, "re")))
		return nook_fail(err, 0, "no such container \"%s\" in the store", id);
	if (!fgets(image, sizeof(image), f))
		image[0] = '\0';
	fclose(f);
	if (!mounted(dir)) {
		if (unshare(CLONE_NEWNS) < 0)
			return nook_fail(err, errno, "unshare(CLONE_NEWNS)");
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			return nook_fail(err, errno, "mount(\"/\", MS_PRIVATE)");
		if (image_store_read(s, image, &rec, err) < 0 ||
		    image_mount_rootfs(s, &rec, dir, err) < 0)
			return -1;
	}
	snprintf(path, sizeof(path), "%s/rootfs", dir);
	if ((fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return nook_fail(err, errno, "open(\"%s\")", path);
	return fd;
}

static int copy_entry(int sdir, const char *sname, int ddir, const char *dname, int depth,
		      struct nook_error *err);

/** Open @p name in @p dir to write, a link or file in its way replaced, never followed. */
static int
open_target(int dir, const char *name, mode_t mode, struct nook_error *err)
{
	int flags = O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC;
	int fd = openat(dir, name, flags, mode);

	if (fd < 0 && errno == ELOOP && unlinkat(dir, name, 0) == 0) /* a link: replaced */
		fd = openat(dir, name, flags | O_EXCL, mode);
	if (fd < 0)
		nook_fail(err, errno, "cp: open(\"%s\")", name);
	return fd;
}

/** The regular file @p sname of @p sdir copied to @p dname in @p ddir, with @p mode. */
static int
copy_file(int sdir, const char *sname, int ddir, const char *dname, mode_t mode,
	  struct nook_error *err)
{
	int in = openat(sdir, sname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), out, ret = 0;
	char buf[1 << 16];
	ssize_t n = 0;

	if (in < 0)
		return nook_fail(err, errno, "cp: open(\"%s\")", sname);
	if ((out = open_target(ddir, dname, mode & 0777, err)) < 0) {
		close(in);
		return -1;
	}
	while (ret == 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			ret = nook_fail(err, errno ?: EIO, "cp: write(\"%s\")", dname);
	if (ret == 0 && (n < 0 || fchmod(out, mode & 07777) < 0))
		ret = nook_fail(err, errno, "cp: \"%s\"", sname);
	close(in);
	if (close(out) < 0 && ret == 0)
		ret = nook_fail(err, errno, "cp: close(\"%s\")", dname);
	return ret;
}

/** The symbolic link @p sname copied as a link (its target as it is, never followed). */
static int
copy_link(int sdir, const char *sname, int ddir, const char *dname, struct nook_error *err)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(sdir, sname, target, sizeof(target) - 1);

	if (n < 0)
		return nook_fail(err, errno, "cp: readlink(\"%s\")", sname);
	target[n] = '\0';
	if (symlinkat(target, ddir, dname) < 0 &&
	    (errno != EEXIST || unlinkat(ddir, dname, 0) < 0 || symlinkat(target, ddir, dname) < 0))
		return nook_fail(err, errno, "cp: symlink(\"%s\")", dname);
	return 0;
}

/** The directory @p sname copied into @p dname (made unless it is there), then its mode. */
static int
copy_dir(int sdir, const char *sname, int ddir, const char *dname, mode_t mode, int depth,
	 struct nook_error *err)
{
	int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, in, out, n, ret = 0;
	struct dirent **list;

	if (depth > CP_MAX_DEPTH)
		return nook_fail(err, 0, "cp: \"%s\": more than %d levels deep", sname,
				 CP_MAX_DEPTH);
	if (mkdirat(ddir, dname, 0700) < 0 && errno != EEXIST)
		return nook_fail(err, errno, "cp: mkdir(\"%s\")", dname);
	if ((in = openat(sdir, sname, flags)) < 0)
		return nook_fail(err, errno, "cp: open(\"%s\")", sname);
	if ((out = openat(ddir, dname, flags)) < 0) { /* a file or a link there: refused */
		close(in);
		return nook_fail(err, errno, "cp: open(\"%s\")", dname);
	}
	if ((n = scandirat(in, ".", &list, NULL, alphasort)) < 0)
		ret = nook_fail(err, errno, "cp: scandir(\"%s\")", sname);
	for (int i = 0; i < n; i++) {
		const char *name = list[i]->d_name;

		if (ret == 0 && strcmp(name, ".") != 0 && strcmp(name, "..") != 0)
			ret = copy_entry(in, name, out, name, depth + 1, err);
		free(list[i]);
	}
	if (n >= 0)
		free(list);
	if (ret == 0 && fchmod(out, mode & 07777) < 0)
		ret = nook_fail(err, errno, "cp: chmod(\"%s\")", dname);
	close(in);
	close(out);
	return ret;
}

/** The entry @p sname of @p sdir, whatever it is, copied to @p dname in @p ddir. */
static int
copy_entry(int sdir, const char *sname, int ddir, const char *dname, int depth,
	   struct nook_error *err)
{
	struct stat st;

	if (fstatat(sdir, sname, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return nook_fail(err, errno, "cp: \"%s\"", sname);
	if (S_ISDIR(st.st_mode))
		return copy_dir(sdir, sname, ddir, dname, st.st_mode, depth, err);
	if (S_ISREG(st.st_mode))
		return copy_file(sdir, sname, ddir, dname, st.st_mode, err);
	if (S_ISLNK(st.st_mode))
		return copy_link(sdir, sname, ddir, dname, err);
	return nook_fail(err, 0, "cp: \"%s\": not a file, directory or link", sname);
}

/** A path on the host (@p rootfd -1) or in the container's root @p rootfd, opened. */
static int
open_on(int rootfd, const char *path, int flags)
{
	return rootfd < 0 ? open(path, flags | O_CLOEXEC) : in_root(rootfd, path, flags);
}

/** @p path's directory into @p dir and last component into @p name ("." for "/", "."). */
static void
split(const char *path, char *dir, char *name)
{
	char a[PATH_MAX], b[PATH_MAX];

	snprintf(a, sizeof(a), "%s", path);
	snprintf(b, sizeof(b), "%s", path);
	snprintf(dir, PATH_MAX, "%s", dirname(a));
	snprintf(name, NAME_MAX + 1, "%s", basename(b));
	if (strcmp(name, "/") == 0 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		snprintf(dir, PATH_MAX, "%s", path); /* the directory itself, resolved whole */
		snprintf(name, NAME_MAX + 1, ".");
	}
}

/** The source @p path: its directory opened, its last component (not followed) in @p name. */
static int
open_source(int rootfd, const char *path, char *name, struct nook_error *err)
{
	char dir[PATH_MAX];
	int fd;

	split(path, dir, name);
	if ((fd = open_on(rootfd, dir, O_PATH | O_DIRECTORY)) < 0)
		return nook_fail(err, errno, "cp: \"%s\"", path);
	return fd;
}

/**
 * The destination @p path: an existing directory (which gets the source's name @p sname),
 * or an existing directory and a new name in it. Links in the container are followed only
 * inside its root.
 */
static int
open_dest(int rootfd, const char *path, const char *sname, char *name, struct nook_error *err)
{
	char dir[PATH_MAX];
	int fd = open_on(rootfd, path, O_PATH | O_DIRECTORY);

	if (fd >= 0) {
		snprintf(name, NAME_MAX + 1, "%s", sname);
		return fd;
	}
	split(path, dir, name);
	if ((errno != ENOENT && errno != ENOTDIR) || strcmp(name, ".") == 0 ||
	    (fd = open_on(rootfd, dir, O_PATH | O_DIRECTORY)) < 0)
		return nook_fail(err, errno, "cp: \"%s\"", path);
	return fd;
}

/**
 * Copy between the host's @p host and the path @p inside of container @p id of the store
 * @p s: into the container if @p in, else out of it. What the source's last component
 * is (file, directory, link) is copied, not followed; a directory with all below it.
 * Every path inside is resolved in the container's root (see above).
 */
int
image_cp(const struct image_store *s, const char *id, const char *inside, const char *host, bool in,
	 struct nook_error *err)
{
	char sname[NAME_MAX + 1], dname[NAME_MAX + 1];
	int rootfd = open_root(s, id, err), sfd = -1, dfd = -1, ret = -1;

	if (rootfd < 0)
		return -1;
	sfd = open_source(in ? -1 : rootfd, in ? host : inside, sname, err);
	if (sfd >= 0)
		dfd = open_dest(in ? rootfd : -1, in ? inside : host, sname, dname, err);
	if (dfd >= 0)
		ret = copy_entry(sfd, sname, dfd, dname, 0, err);
	if (sfd >= 0)
		close(sfd);
	if (dfd >= 0)
		close(dfd);
	close(rootfd);
	return ret;
}

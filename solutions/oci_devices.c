/**
 * @file oci_devices.c
 * @brief Step 10 — linux.devices: the device nodes a config asks for (/dev/fuse,
 *        /dev/net/tun, a disk), made in the container's root before the pivot.
 *
 * A device node is only a name for a device number (see devices.c): mknod(2) gives the
 * number a name, a type (character, block, or a FIFO) and a mode. Only CAP_MKNOD in the
 * initial user namespace may make a device node, so in a user namespace (rootless) the
 * kernel refuses with EPERM; there, as runc does, the host's node at the same path is
 * bound onto an empty file instead — the same device, reached through the host's node.
 *
 * The parent directories are made, and the node's directory resolved, inside the root
 * with openat2(2)'s RESOLVE_IN_ROOT (oci_open_in_root()), as mounts[]' targets are: a
 * symbolic link in the image cannot send a node onto the host's tree. The mode is set
 * after mknod (the umask would have narrowed it), then the owner. A node already there
 * (one of the default devices, say) is left as it is.
 *
 * Making a node is not opening it: that is the device cgroup's decision, and the config
 * reader adds an allow rule for each of these to linux.resources.devices' (as runc does).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "oci.h"

/** Rootless: the host's node at @p d's path, bound onto an empty file in the root. */
static int
bind_host_node(int rootfd, const struct oci_device *d, struct nook_error *err)
{
	char target[64];
	int fd = oci_open_in_root(rootfd, d->path, true, err), ret = 0;

	if (fd < 0)
		return -1;
	snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
	if (mount(d->path, target, NULL, MS_BIND, NULL) < 0)
		ret = nook_fail(err, errno, "linux.devices: mount(\"%s\", MS_BIND)", d->path);
	close(fd);
	return ret;
}

/** The node @p d in the root @p rootfd. */
static int
make_device(int rootfd, const struct oci_device *d, struct nook_error *err)
{
	mode_t fmt = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
	dev_t dev = fmt == S_IFIFO ? 0 : makedev(d->major, d->minor);
	char dir[PATH_MAX], *name;
	int dirfd, ret = 0;

	snprintf(dir, sizeof(dir), "%s", d->path);
	name = strrchr(dir, '/');
	*name++ = '\0';
	dirfd = oci_open_in_root(rootfd, dir[0] ? dir : "/", false, err);
	if (dirfd < 0)
		return -1;
	if (mknodat(dirfd, name, fmt | d->mode, dev) < 0) {
		if (errno == EPERM && fmt != S_IFIFO) {
			close(dirfd);
			return bind_host_node(rootfd, d, err);
		}
		if (errno != EEXIST)
			ret = nook_fail(err, errno, "linux.devices: mknod(\"%s\")", d->path);
	} else if (fchmodat(dirfd, name, d->mode, 0) < 0 ||
		   fchownat(dirfd, name, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0) {
		ret = nook_fail(err, errno, "linux.devices: chmod/chown(\"%s\")", d->path);
	}
	close(dirfd);
	return ret;
}

/** Every node of linux.devices in the root @p rootfd (before the pivot). */
int
oci_make_devices(const struct nook_oci *o, int rootfd, struct nook_error *err)
{
	for (int i = 0; i < o->ndevices; i++)
		if (make_device(rootfd, &o->device[i], err) < 0)
			return -1;
	return 0;
}

/**
 * @file image_rootless.c
 * @brief Step 11: the image store of an ordinary user — what changes in a layer unpacked
 *        without root, so that the user's own containers can still use it.
 *
 * Without root, `nook pull` and `nook image import` fill ~/.local/share/nook, and
 * `nook run IMAGE` mounts the layers as overlay lower layers inside the container's user
 * namespace (oci_overlay.c), where the container's root is the user. Three things of a
 * layer cannot be written as root writes them (image_layer.c), and one must not be:
 *
 *  - Owners. chown(2) to another id is refused to an ordinary user, so every file is the
 *    user's ("flattened"), as rootless podman's vfs store with a single-id map does. In
 *    the container the user is root, so the image's files show as root's, as they do in
 *    most images anyway; what a layer gave to another user (a daemon's directory) is
 *    root's too. Modes, times and user.* attributes are kept.
 *  - Device nodes. mknod(2) of a real device needs CAP_MKNOD in the initial namespace:
 *    a layer's /dev/null is left out (the runtime binds the host's into /dev anyway).
 *    Whiteouts are not devices to the kernel: a character device 0/0 may be made by anyone
 *    since Linux 5.8, so they are kept in overlay's usual form.
 *  - Opaque directories. overlay reads its marks from trusted.overlay.*, which only the
 *    initial namespace's CAP_SYS_ADMIN may write; mounted with "userxattr" (inside a user
 *    namespace, Linux 5.11) it reads user.overlay.* instead. So the opaque mark is
 *    user.overlay.opaque=y here.
 *  - And not to be taken from the layer: attributes in overlay's own namespace. A layer
 *    may carry any xattr; one named user.overlay.redirect or trusted.overlay.opaque would
 *    be read by overlay as its own bookkeeping — a directory redirected to another
 *    path, a file made opaque — so every overlay.* attribute of an entry is dropped, for
 *    root's store and the user's alike.
 *
 * Further reading: the kernel's Documentation/filesystems/overlayfs.rst ("User xattr",
 * "Whiteouts and opaque directories"); mknod(2) ("whiteout"); user_namespaces(7).
 */
#define _GNU_SOURCE
#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"

/** The attribute that marks an opaque directory in this user's store. */
const char *
image_opaque_xattr(void)
{
	return image_rootless() ? "user.overlay.opaque" : "trusted.overlay.opaque";
}

/** Is the attribute @p name overlay's own (trusted.overlay.*, user.overlay.*)? */
static bool
overlay_xattr(const char *name)
{
	return strncmp(name, "trusted.overlay.", 16) == 0 ||
	       strncmp(name, "user.overlay.", 13) == 0;
}

/** Entry @p e without the attributes overlay would read as its own. */
static void
drop_overlay_xattrs(struct archive_entry *e)
{
	struct {
		char *name;
		void *value;
		size_t size;
	} keep[64];
	const char *name;
	const void *value;
	size_t size;
	int n = 0, dropped = 0;

	if (archive_entry_xattr_reset(e) == 0)
		return;
	while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
		if (overlay_xattr(name) || n == 64 || !(keep[n].value = malloc(size ?: 1))) {
			dropped++;
			continue;
		}
		if (!(keep[n].name = strdup(name))) {
			free(keep[n].value);
			dropped++;
			continue;
		}
		keep[n].size = size;
		memcpy(keep[n++].value, value, size);
	}
	if (dropped)
		archive_entry_xattr_clear(e);
	for (int i = 0; i < n; i++) {
		if (dropped)
			archive_entry_xattr_add_entry(e, keep[i].name, keep[i].value, keep[i].size);
		free(keep[i].name);
		free(keep[i].value);
	}
}

/**
 * Make entry @p e (not a whiteout) fit this user's store: overlay's attributes dropped,
 * and, without root, owned by the user. Returns false when it is to be left out: a device
 * node, which only root may make.
 */
bool
image_entry_fit(struct archive_entry *e)
{
	mode_t type = archive_entry_filetype(e);

	drop_overlay_xattrs(e);
	if (!image_rootless())
		return true;
	if (type == AE_IFCHR || type == AE_IFBLK)
		return false;
	archive_entry_set_uid(e, geteuid());
	archive_entry_set_gid(e, getegid());
	return true;
}

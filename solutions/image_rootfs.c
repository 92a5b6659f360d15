/**
 * @file image_rootfs.c
 * @brief Step 11: a container's root filesystem — its image's layers under its own
 *        writable layer, one overlay — mounted again by `nook cp` for a container that has
 *        ended (in a mount namespace of its own, image_cp.c). `nook run IMAGE` mounts the
 *        same overlay on the host for the container's life (cmd_run_image.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <sys/mount.h>

#include "image.h"

/**
 * Mount container directory @p dir's root: an overlay of the image @p rec's layers (top
 * first) as lower layers and the container's upper/ and work/, on @p dir/rootfs.
 */
int
image_mount_rootfs(const struct image_store *s, const struct image_record *rec, const char *dir,
		   struct nook_error *err)
{
	char opts[4096], layer[PATH_MAX], path[PATH_MAX];
	size_t len = 0;

	len += (size_t)snprintf(opts, sizeof(opts), "lowerdir=");
	for (int i = rec->nlayers - 1; i >= 0 && len < sizeof(opts); i--) {
		image_store_layer_dir(s, rec->layers[i], layer, sizeof(layer));
		len += (size_t)snprintf(opts + len, sizeof(opts) - len, "%s%s",
					i == rec->nlayers - 1 ? "" : ":", layer);
	}
	if (len < sizeof(opts))
		len += (size_t)snprintf(opts + len, sizeof(opts) - len,
					",upperdir=%s/upper,workdir=%s/work", dir, dir);
	if (len >= sizeof(opts) || rec->nlayers == 0)
		return nook_fail(err, 0, "image %.19s: %d layers: too many for one overlay",
				 rec->id, rec->nlayers);
	snprintf(path, sizeof(path), "%s/rootfs", dir);
	if (mount("overlay", path, "overlay", 0, opts) < 0)
		return nook_fail(err, errno, "mount(overlay, \"%s\")", path);
	return 0;
}

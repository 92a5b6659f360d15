/**
 * @file image_rootfs.c
 * @brief Step 11: a container's root filesystem — its image's layers under its own
 *        writable layer, one overlay — mounted by `nook run IMAGE` on the host for the
 *        container's life (cmd_run_image.c; without root the runtime mounts it, from the
 *        same options), and again by `nook cp` for a container that has ended (in a mount
 *        namespace of its own, image_cp.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <sys/mount.h>

#include "image.h"

/**
 * Overlay's options for the image's layers (top first) under the container's upper/ and
 * work/ in @p dir, into @p opts. Returns 0, or -1 with @p err when they do not fit.
 */
int
image_overlay_options(const struct image_store *s, const struct image_record *rec, const char *dir,
		      char *opts, size_t size, struct nook_error *err)
{
	char layer[PATH_MAX];
	size_t len = 0;

	len += (size_t)snprintf(opts, size, "lowerdir=");
	for (int i = rec->nlayers - 1; i >= 0 && len < size; i--) {
		image_store_layer_dir(s, rec->layers[i], layer, sizeof(layer));
		len += (size_t)snprintf(opts + len, size - len, "%s%s",
					i == rec->nlayers - 1 ? "" : ":", layer);
	}
	if (len < size)
		len += (size_t)snprintf(opts + len, size - len,
					",upperdir=%s/upper,workdir=%s/work", dir, dir);
	if (len >= size || rec->nlayers == 0)
		return nook_fail(err, 0, "image %.19s: %d layers: too many for one overlay",
				 rec->id, rec->nlayers);
	return 0;
}

/**
 * Mount container directory @p dir's root (as root): an overlay of the image @p rec's
 * layers (top first) as lower layers and the container's upper/ and work/, on
 * @p dir/rootfs.
 */
int
image_mount_rootfs(const struct image_store *s, const struct image_record *rec, const char *dir,
		   struct nook_error *err)
{
	char opts[4096], path[PATH_MAX];

	if (image_overlay_options(s, rec, dir, opts, sizeof(opts), err) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/rootfs", dir);
	/* the message starts as diagnose.c's overlay rule expects: an EINVAL is explained */
	if (nook_trace("11-images.md#why-layers-are-shared",
		       mount("overlay", path, "overlay", 0, opts),
		       "mount(\"overlay\", \"%s\", \"overlay\", 0, \"%s\")", path, opts) < 0)
		return nook_fail(err, errno, "mount(\"overlay\", \"%s\")", path);
	return 0;
}

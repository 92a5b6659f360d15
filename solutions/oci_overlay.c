/**
 * @file oci_overlay.c
 * @brief Step 11: a bundle whose root is an overlay the runtime mounts itself, inside the
 *        container's namespaces — how `nook run IMAGE` works without root.
 *
 * As root, `nook run IMAGE` mounts the image's overlay on the host and hands the runtime a
 * finished root.path, as podman does. An ordinary user cannot: mount(2) of an overlay
 * needs CAP_SYS_ADMIN in the user namespace that owns the mount namespace, and the host's
 * belongs to the initial one. The container's own user namespace (the rootless spec has
 * one) gives it that capability over the container's mount namespace, and since Linux 5.11
 * overlay may be mounted there — so the overlay has to be mounted by the runtime, inside,
 * after clone and before root.path is used.
 *
 * The image side says what to mount in an annotation of config.json, which the runtime
 * spec leaves to implementations for exactly such extensions:
 *
 *     "annotations": {"org.nook.rootfs.overlay":
 *                     "lowerdir=/L/top:/L/bottom,upperdir=/C/upper,workdir=/C/work"}
 *
 * and the runtime mounts that overlay on root.path, adding "userxattr" when it is in a user
 * namespace: there overlay may not write its bookkeeping into trusted.* attributes (only
 * the initial namespace's CAP_SYS_ADMIN may), and keeps it in user.overlay.* instead —
 * which is also where the image store, unpacking layers as that user, put the opaque
 * directories' marks (image_layer.c). Only the three directory options are accepted, each
 * an absolute path: the annotation names directories, it cannot slip in other options.
 *
 * The mount lives in the container's mount namespace only, so nothing is left on the host
 * to unmount when the container ends, however it ends.
 *
 * Further reading: the kernel's Documentation/filesystems/overlayfs.rst ("Permission
 * model", "User xattr"); the runtime spec's config.md ("Annotations").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include "oci.h"

/** Is @p opt (up to @p len bytes) "KEY=/abs..." with KEY one of the directory options? */
static bool
known_option(const char *opt, size_t len)
{
	static const char *const keys[] = {"lowerdir=", "upperdir=", "workdir="};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		size_t n = strlen(keys[i]);

		if (len > n && strncmp(opt, keys[i], n) == 0 && opt[n] == '/')
			return true;
	}
	return false;
}

/**
 * Read annotations["org.nook.rootfs.overlay"] of config.json @p doc into o->overlay, after
 * checking that it holds only lowerdir=, upperdir= and workdir= of absolute paths, and a
 * lowerdir. Returns 0 (also when there is none), or -1 with @p err naming the JSON path.
 */
int
oci_overlay_read(void *doc, struct nook_oci *o, struct nook_error *err)
{
	json_t *v = json_object_get(json_object_get(doc, "annotations"), OCI_OVERLAY_ANNOTATION);
	const char *s = json_string_value(v), *p, *end;

	o->overlay = NULL;
	if (!v)
		return 0;
	if (!s)
		return nook_fail(err, 0, "annotations.%s: expected a string",
				 OCI_OVERLAY_ANNOTATION);
	for (p = s; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, ',');
		if (!known_option(p, (size_t)(end - p)))
			return nook_fail(err, 0,
					 "annotations.%s: \"%.*s\": only lowerdir=, upperdir=, "
					 "workdir= of absolute paths",
					 OCI_OVERLAY_ANNOTATION, (int)(end - p), p);
	}
	if (strncmp(s, "lowerdir=", 9) != 0 && !strstr(s, ",lowerdir="))
		return nook_fail(err, 0, "annotations.%s: no lowerdir", OCI_OVERLAY_ANNOTATION);
	o->overlay = s;
	return 0;
}

/**
 * Inside, before root.path is used: the overlay the annotation describes, mounted on it
 * ("userxattr" added in a user namespace, @p userns). Nothing to do without one.
 * Returns 0, or -1 with @p err.
 */
int
oci_overlay_mount(const struct nook_oci *o, bool userns, struct nook_error *err)
{
	char opts[8192];

	if (!o->overlay)
		return 0;
	if (snprintf(opts, sizeof(opts), "%s%s", o->overlay, userns ? ",userxattr" : "") >=
	    (int)sizeof(opts))
		return nook_fail(err, 0, "annotations.%s: too long", OCI_OVERLAY_ANNOTATION);
	if (nook_trace("07-rootfs.md#images-are-layers",
		       mount("overlay", o->root, "overlay", 0, opts),
		       "mount(\"overlay\", \"%s\", \"overlay\", \"%s\")", o->root, opts) < 0)
		return nook_fail(err, errno, "mount(\"overlay\", \"%s\")", o->root);
	return 0;
}

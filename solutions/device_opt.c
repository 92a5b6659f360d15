/**
 * @file device_opt.c
 * @brief Step 11 — `nook run --device /dev/X[:PATH][:rwm] IMAGE`: a host device given to
 *        the container, as `docker run --device` and `podman run --device` do.
 *
 * A container's /dev is a tmpfs of nook's own with a handful of nodes (null, zero, tty,
 * ...), and the device cgroup refuses every other device (devices.c). Giving the
 * container a device of the host is therefore two edits of config.json, both read by the
 * step-10 runtime:
 *
 *  - a linux.devices entry: the node, made inside the container's root with mknod(2)
 *    under the name PATH, with the host node's type, major and minor numbers and mode
 *    (oci_devices.c) — the number is what matters, not the host's file;
 *  - a linux.resources.devices rule allowing ACCESS ("r" read, "w" write, "m" mknod) to
 *    that type and number, after the template's "deny everything": without it the node
 *    exists and open(2) fails with EPERM.
 *
 * The option's syntax is docker's: HOST alone (the same path inside, "rwm"), HOST:PATH,
 * HOST:ACCESS or HOST:PATH:ACCESS. `--device vendor.com/class=name` is no path but a CDI
 * device (cdi.c); device_opt_is_cdi() tells them apart.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "cdi.h"

/**
 * Is @p arg meant as a CDI device ("vendor.com/class=name") rather than a host path? A
 * host path is absolute; a CDI name has a '/' but does not start with one.
 */
bool
device_opt_is_cdi(const char *arg)
{
	return arg[0] != '/' && strchr(arg, '/');
}

/** Is @p access one to three of 'r', 'w', 'm', each once? */
bool
device_access_valid(const char *access)
{
	size_t n = strlen(access);

	if (n == 0 || n > 3 || strspn(access, "rwm") != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strchr(access + i + 1, access[i]))
			return false;
	return true;
}

/** Copy @p part (of @p len bytes) into @p out, an absolute path that is no directory. */
static int
take_path(char *out, const char *part, size_t len, const char *arg, struct nook_error *err)
{
	if (len == 0 || part[0] != '/' || part[len - 1] == '/' || len >= PATH_MAX)
		return nook_fail(err, 0,
				 "--device \"%s\": \"%.*s\" is not an absolute path of a device",
				 arg, (int)len, part);
	memcpy(out, part, len);
	out[len] = '\0';
	return 0;
}

/**
 * Parse `--device` @p arg (HOST[:PATH][:ACCESS]) into @p d. Nothing is looked at on the
 * host yet (device_opt_apply() does).
 */
int
device_opt_parse(const char *arg, struct device_opt *d, struct nook_error *err)
{
	const char *c1 = strchr(arg, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	const char *access = "rwm", *path = NULL;

	*d = (struct device_opt){0};
	if (c2 && strchr(c2 + 1, ':'))
		return nook_fail(err, 0, "--device \"%s\": expected HOST[:PATH][:rwm]", arg);
	if (c2) {
		path = c1 + 1;
		access = c2 + 1;
	} else if (c1 && c1[1] == '/') {
		path = c1 + 1;
	} else if (c1) {
		access = c1 + 1;
	}
	if (take_path(d->host, arg, c1 ? (size_t)(c1 - arg) : strlen(arg), arg, err) < 0)
		return -1;
	if (take_path(d->path, path ? path : arg,
		      path ? (size_t)((c2 ? c2 : path + strlen(path)) - path) : strlen(d->host),
		      arg, err) < 0)
		return -1;
	if (!device_access_valid(access))
		return nook_fail(err, 0, "--device \"%s\": access \"%s\": some of r, w and m", arg,
				 access);
	snprintf(d->access, sizeof(d->access), "%s", access);
	return 0;
}

/**
 * Fill @p n's type, numbers and mode from the host's node @p host (followed if a link);
 * @p what names it in errors. A file that is no device node is refused.
 */
int
device_node_stat(const char *host, struct device_node *n, const char *what, struct nook_error *err)
{
	struct stat st;

	if (stat(host, &st) < 0)
		return nook_fail(err, errno, "%s: \"%s\"", what, host);
	if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode) && !S_ISFIFO(st.st_mode))
		return nook_fail(err, 0, "%s: \"%s\" is not a device node", what, host);
	n->type = S_ISCHR(st.st_mode) ? 'c' : S_ISBLK(st.st_mode) ? 'b' : 'p';
	n->major = S_ISFIFO(st.st_mode) ? 0 : (long)major(st.st_rdev);
	n->minor = S_ISFIFO(st.st_mode) ? 0 : (long)minor(st.st_rdev);
	n->mode = st.st_mode & 07777;
	return 0;
}

/** The array @p key of config.json object @p obj (a json_t), made if missing. */
void *
spec_array_of(void *obj, const char *key)
{
	json_t *a = json_object_get(obj, key);

	if (!json_is_array(a)) {
		a = json_array();
		json_object_set_new(obj, key, a);
	}
	return a;
}

/** The object @p key of config.json object @p obj (a json_t), made if missing. */
void *
spec_object_of(void *obj, const char *key)
{
	json_t *o = json_object_get(obj, key);

	if (!json_is_object(o)) {
		o = json_object();
		json_object_set_new(obj, key, o);
	}
	return o;
}

/**
 * Add @p n to the OCI config @p spec (a json_t): its linux.devices entry and, for a
 * character or block device, a linux.resources.devices rule allowing @p n's access.
 */
void
device_node_add(void *spec, const struct device_node *n)
{
	json_t *lx = spec_object_of(spec, "linux");
	json_t *rules = spec_array_of(spec_object_of(lx, "resources"), "devices");
	char type[2] = {n->type, '\0'};

	json_array_append_new(spec_array_of(lx, "devices"),
			      json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "path", n->path,
					"type", type, "major", (json_int_t)n->major, "minor",
					(json_int_t)n->minor, "fileMode", (json_int_t)n->mode,
					"uid", (json_int_t)n->uid, "gid", (json_int_t)n->gid));
	if (n->type != 'p')
		json_array_append_new(rules,
				      json_pack("{s:b, s:s, s:I, s:I, s:s}", "allow", 1, "type",
						type, "major", (json_int_t)n->major, "minor",
						(json_int_t)n->minor, "access", n->access));
}

/** `--device` @p d into the OCI config @p spec (a json_t), the host's node read now. */
int
device_opt_apply(void *spec, const struct device_opt *d, struct nook_error *err)
{
	struct device_node n = {.path = d->path};
	char what[PATH_MAX + 16];

	snprintf(what, sizeof(what), "--device %s", d->host);
	if (device_node_stat(d->host, &n, what, err) < 0)
		return -1;
	snprintf(n.access, sizeof(n.access), "%s", d->access);
	device_node_add(spec, &n);
	return 0;
}

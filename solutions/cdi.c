/**
 * @file cdi.c
 * @brief Step 11 — the Container Device Interface: `nook run --device nvidia.com/gpu=0`
 *        applies what a vendor's CDI spec says that device needs.
 *
 * A GPU is not one device node. A container that uses an NVIDIA GPU needs /dev/nvidia0,
 * /dev/nvidiactl, /dev/nvidia-uvm, the user-space driver libraries of the very version
 * the host's kernel module runs (bind-mounted from the host), a few environment
 * variables and a hook that runs ldconfig in the container. Which ones depends on the
 * host, so the engine cannot know; the vendor's tool does. CDI is the contract between
 * the two: the vendor's tool (`nvidia-ctk cdi generate`) writes a *spec* describing the
 * host's devices, and any engine (podman, containerd, nook) applies it by name.
 *
 * A spec is a JSON or YAML file in /etc/cdi (static, written by an administrator) or
 * /var/run/cdi (dynamic, written by a driver at boot); for the same device a spec in the
 * later directory wins. One spec is one *kind* of device, "vendor.com/class":
 *
 *     cdiVersion: 0.6.0
 *     kind: nvidia.com/gpu
 *     devices:                        # each named: --device nvidia.com/gpu=0
 *       - name: "0"
 *         containerEdits:
 *           deviceNodes: [{path: /dev/nvidia0}]
 *     containerEdits:                 # what every device of the kind needs too
 *       deviceNodes: [{path: /dev/nvidiactl}]
 *       env: [NVIDIA_VISIBLE_DEVICES=void]
 *       mounts: [{hostPath: /usr/lib/x86_64-linux-gnu/libcuda.so.1, containerPath: ...,
 *                 options: [ro, nosuid, nodev, bind]}]
 *       hooks: [{hookName: createContainer, path: /usr/bin/nvidia-ctk,
 *                args: [nvidia-ctk, hook, update-ldcache, ...]}]
 *
 * *Container edits* are edits of the OCI config, and that is all nook does with them:
 * deviceNodes become linux.devices and device cgroup rules (as --device does, the type
 * and numbers read from the host's node when the spec does not give them), mounts become
 * mounts[], env process.env, hooks the config's hooks, additionalGids the process's
 * groups. The spec's own edits are applied first, then the device's. The step-10 runtime
 * applies the config as it applies any other.
 *
 * A spec is checked before any of it is used, every error naming its file and the member
 * ("/etc/cdi/x.yaml: devices[0].containerEdits.mounts[1].hostPath: missing"). A YAML
 * spec is read into the same JSON tree as a JSON one (cdi_yaml.c), so there is one
 * checker and one applier. The directories can be changed, for tests and for people
 * without root, by `--cdi-spec-dir DIR` and $NOOK_CDI_SPEC_DIRS (colon-separated).
 *
 * Reference: the CDI specification, github.com/cncf-tags/container-device-interface
 * (SPEC.md), and its Go package, which podman and containerd use.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cdi.h"

/** The most bytes of one spec file. */
#define CDI_MAX_SPEC (1 << 20)

/** Is @p s a run of letters, digits and the characters of @p extra, starting and ending
 *  with a letter or digit? */
static bool
word_valid(const char *s, size_t len, const char *extra)
{
	static const char alnum[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

	if (len == 0 || !strchr(alnum, s[0]) || !strchr(alnum, s[len - 1]))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!s[i] || (!strchr(alnum, s[i]) && !strchr(extra, s[i])))
			return false;
	return true;
}

/** Is @p kind "vendor/class" (vendor a domain name: "nvidia.com")? */
static bool
kind_valid(const char *kind, size_t len)
{
	const char *slash = memchr(kind, '/', len);

	return slash && word_valid(kind, (size_t)(slash - kind), ".-_") &&
	       word_valid(slash + 1, len - (size_t)(slash - kind) - 1, "-_");
}

/** Is @p name a qualified CDI device name, "vendor.com/class=name"? */
bool
cdi_name_valid(const char *name)
{
	const char *eq = strchr(name, '=');

	return eq && kind_valid(name, (size_t)(eq - name)) &&
	       word_valid(eq + 1, strlen(eq + 1), "-_.:");
}

/** The standard directories, then each of $NOOK_CDI_SPEC_DIRS (colon-separated) instead. */
void
cdi_default_dirs(struct cdi_dirs *d)
{
	static char env[4096];
	const char *e = getenv("NOOK_CDI_SPEC_DIRS");

	d->n = 0;
	if (!e || !*e) {
		d->dir[d->n++] = "/etc/cdi";
		d->dir[d->n++] = "/var/run/cdi";
		return;
	}
	snprintf(env, sizeof(env), "%s", e);
	for (char *save = NULL, *p = strtok_r(env, ":", &save); p && d->n < CDI_MAX_DIRS;
	     p = strtok_r(NULL, ":", &save))
		d->dir[d->n++] = p;
}

/** Does @p name end in @p suffix? */
static bool
ends_with(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	return n > s && strcmp(name + n - s, suffix) == 0;
}

/** The whole of the file @p path (at most CDI_MAX_SPEC bytes), NUL-terminated. */
static char *
read_spec_file(const char *path, size_t *len, struct nook_error *err)
{
	FILE *f = fopen(path, "re");
	char *text = f ? malloc(CDI_MAX_SPEC + 1) : NULL;

	if (!text) {
		nook_fail(err, errno ?: ENOMEM, "CDI spec \"%s\"", path);
		goto out;
	}
	*len = fread(text, 1, CDI_MAX_SPEC + 1, f);
	if (ferror(f) || *len > CDI_MAX_SPEC) {
		nook_fail(err, ferror(f) ? EIO : 0, "CDI spec \"%s\": %s", path,
			  ferror(f) ? "read" : "larger than 1 MiB");
		free(text);
		text = NULL;
		goto out;
	}
	text[*len] = '\0';
out:
	if (f)
		fclose(f);
	return text;
}

/**
 * Read the CDI spec @p path, JSON (*.json) or YAML (*.yaml, *.yml), into a JSON tree
 * (json_t, to json_decref()); NULL after filling @p err, naming @p path. Not yet checked
 * (cdi_spec_check()).
 */
void *
cdi_spec_load(const char *path, struct nook_error *err)
{
	json_error_t jerr;
	json_t *doc = NULL;
	size_t len;
	char *text = read_spec_file(path, &len, err);

	if (!text)
		return NULL;
	if (ends_with(path, ".json")) {
		doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
		if (!doc)
			nook_fail(err, 0, "%s: line %d: %s", path, jerr.line, jerr.text);
	} else {
		doc = cdi_yaml_load(text, len, path, err);
	}
	free(text);
	if (doc && !json_is_object(doc)) {
		json_decref(doc);
		return nook_fail(err, 0, "%s: expected an object (cdiVersion, kind, devices)",
				 path),
		       NULL;
	}
	return doc;
}

/* ---- checking a spec ------------------------------------------------------------------ */

/** The kinds of member a spec has. */
enum cdi_type {
	T_STRING,
	T_INT,
	T_STRINGS, /**< an array of strings */
	T_INTS,	   /**< an array of integers */
	T_OBJECT,  /**< annotations: not looked into */
	T_EDITS,   /**< containerEdits */
	T_DEVICES, /**< an array of devices */
	T_NODES,   /**< an array of deviceNodes */
	T_MOUNTS,  /**< an array of mounts */
	T_HOOKS,   /**< an array of hooks */
	T_UNSUPPORTED,
};

/** One member an object may have. */
struct cdi_field {
	const char *name;
	enum cdi_type type;
	bool required;
};

/** What a spec's members may be, by kind of object. */
static const struct cdi_field spec_fields[] = {
	{"cdiVersion", T_STRING, true},	  {"kind", T_STRING, true},
	{"devices", T_DEVICES, true},	  {"containerEdits", T_EDITS, false},
	{"annotations", T_OBJECT, false}, {NULL, 0, false},
};
static const struct cdi_field device_fields[] = {
	{"name", T_STRING, true},
	{"containerEdits", T_EDITS, true},
	{"annotations", T_OBJECT, false},
	{NULL, 0, false},
};
static const struct cdi_field edits_fields[] = {
	{"env", T_STRINGS, false},
	{"deviceNodes", T_NODES, false},
	{"mounts", T_MOUNTS, false},
	{"hooks", T_HOOKS, false},
	{"additionalGids", T_INTS, false},
	{"intelRdt", T_UNSUPPORTED, false},
	{"netDevices", T_UNSUPPORTED, false},
	{NULL, 0, false},
};
static const struct cdi_field node_fields[] = {
	{"path", T_STRING, true},
	{"hostPath", T_STRING, false},
	{"type", T_STRING, false},
	{"major", T_INT, false},
	{"minor", T_INT, false},
	{"fileMode", T_INT, false},
	{"permissions", T_STRING, false},
	{"uid", T_INT, false},
	{"gid", T_INT, false},
	{NULL, 0, false},
};
static const struct cdi_field mount_fields[] = {
	{"hostPath", T_STRING, true},
	{"containerPath", T_STRING, true},
	{"options", T_STRINGS, false},
	{"type", T_STRING, false},
	{NULL, 0, false},
};
static const struct cdi_field hook_fields[] = {
	{"hookName", T_STRING, true}, {"path", T_STRING, true},	 {"args", T_STRINGS, false},
	{"env", T_STRINGS, false},    {"timeout", T_INT, false}, {NULL, 0, false},
};

/** The hooks of the OCI runtime spec a CDI hook may name. */
static const char *const hook_names[] = {
	"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
	NULL};

static int check_object(json_t *v, const char *file, const char *path,
			const struct cdi_field *fields, struct nook_error *err);

/** Fail: "@p file: @p path: @p what". */
static int
bad(struct nook_error *err, const char *file, const char *path, const char *what)
{
	return nook_fail(err, 0, "%s: %s: %s", file, path, what);
}

/** Is @p v an array whose every element is of @p want (a json_type)? */
static bool
array_of_type(json_t *v, json_type want)
{
	json_t *e;
	size_t i;

	if (!json_is_array(v))
		return false;
	json_array_foreach(v, i, e)
	{
		if (json_typeof(e) != want)
			return false;
	}
	return true;
}

/** Check each element of the array @p v against @p fields. */
static int
check_array(json_t *v, const char *file, const char *path, const struct cdi_field *fields,
	    struct nook_error *err)
{
	char sub[512];
	json_t *e;
	size_t i;

	if (!json_is_array(v))
		return bad(err, file, path, "expected an array");
	json_array_foreach(v, i, e)
	{
		snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
		if (check_object(e, file, sub, fields, err) < 0)
			return -1;
	}
	return 0;
}

/** Check the member @p v, at @p path, as one of type @p t. */
static int
check_member(json_t *v, enum cdi_type t, const char *file, const char *path, struct nook_error *err)
{
	switch (t) {
	case T_STRING:
		return json_is_string(v) ? 0 : bad(err, file, path, "expected a string");
	case T_INT:
		return json_is_integer(v) && json_integer_value(v) >= 0
			       ? 0
			       : bad(err, file, path, "expected a number, 0 or more");
	case T_STRINGS:
		return array_of_type(v, JSON_STRING) ? 0 : bad(err, file, path, "expected strings");
	case T_INTS:
		return array_of_type(v, JSON_INTEGER) ? 0
						      : bad(err, file, path, "expected numbers");
	case T_OBJECT:
		return json_is_object(v) ? 0 : bad(err, file, path, "expected an object");
	case T_EDITS:
		return check_object(v, file, path, edits_fields, err);
	case T_DEVICES:
		return check_array(v, file, path, device_fields, err);
	case T_NODES:
		return check_array(v, file, path, node_fields, err);
	case T_MOUNTS:
		return check_array(v, file, path, mount_fields, err);
	case T_HOOKS:
		return check_array(v, file, path, hook_fields, err);
	default:
		return bad(err, file, path, "not supported by nook");
	}
}

/** Check the object @p v: each member known and of its type, the required ones there. */
static int
check_object(json_t *v, const char *file, const char *path, const struct cdi_field *fields,
	     struct nook_error *err)
{
	char sub[512];
	const char *key;
	json_t *m;
	const struct cdi_field *f;

	if (!json_is_object(v))
		return bad(err, file, path, "expected an object");
	json_object_foreach(v, key, m)
	{
		for (f = fields; f->name && strcmp(f->name, key) != 0; f++)
			;
		snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", key);
		if (!f->name)
			return bad(err, file, sub, "unknown member");
		if (check_member(m, f->type, file, sub, err) < 0)
			return -1;
	}
	for (f = fields; f->name; f++) {
		snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", f->name);
		if (f->required && !json_object_get(v, f->name))
			return bad(err, file, sub, "missing");
	}
	return 0;
}

/** The string member @p key of @p v, or NULL. */
static const char *
str(json_t *v, const char *key)
{
	return json_string_value(json_object_get(v, key));
}

/** Is the string member @p key of @p v, if there, an absolute path? */
static bool
absolute(json_t *v, const char *key)
{
	const char *s = str(v, key);

	return !s || s[0] == '/';
}

/** What the types cannot say of one container edit: paths absolute, names known. */
static int
check_values(json_t *edits, const char *file, const char *path, struct nook_error *err)
{
	static const char *const lists[] = {"deviceNodes", "mounts", "hooks"};
	char sub[512];
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(edits, "env"), i, e)
	{
		snprintf(sub, sizeof(sub), "%s.env[%zu]", path, i);
		if (!strchr(json_string_value(e), '=') || json_string_value(e)[0] == '=')
			return bad(err, file, sub, "expected NAME=VALUE");
	}
	for (int k = 0; k < 3; k++)
		json_array_foreach(json_object_get(edits, lists[k]), i, e)
		{
			const char *p = k == 0	 ? str(e, "permissions")
					: k == 2 ? str(e, "hookName")
						 : NULL;
			const char *t = str(e, "type");
			bool ok = absolute(e, "path") && absolute(e, "hostPath") &&
				  absolute(e, "containerPath");

			snprintf(sub, sizeof(sub), "%s.%s[%zu]", path, lists[k], i);
			if (!ok)
				return bad(err, file, sub, "a path that is not absolute");
			if (k == 0 && p && !device_access_valid(p))
				return bad(err, file, sub, "permissions: some of r, w and m");
			if (k == 0 && t && (strlen(t) != 1 || !strchr("cbup", t[0])))
				return bad(err, file, sub, "type: c, b, u or p");
			for (int h = 0; k == 2 && hook_names[h]; h++)
				p = p && strcmp(p, hook_names[h]) == 0 ? NULL : p;
			if (k == 2 && p)
				return bad(err, file, sub, "hookName: not a hook of the OCI spec");
		}
	return 0;
}

/**
 * Check the spec @p doc read from @p path: its members and their types, the kind's and
 * the devices' names, every path absolute. Fails naming @p path and the member.
 */
int
cdi_spec_check(void *doc, const char *path, struct nook_error *err)
{
	const char *kind;
	char sub[512];
	json_t *d;
	size_t i;

	if (check_object(doc, path, "", spec_fields, err) < 0)
		return -1;
	kind = str(doc, "kind");
	if (!kind_valid(kind, strlen(kind)))
		return bad(err, path, "kind", "expected vendor.com/class");
	if (json_object_get(doc, "containerEdits") &&
	    check_values(json_object_get(doc, "containerEdits"), path, "containerEdits", err) < 0)
		return -1;
	json_array_foreach(json_object_get(doc, "devices"), i, d)
	{
		snprintf(sub, sizeof(sub), "devices[%zu]", i);
		if (!word_valid(str(d, "name"), strlen(str(d, "name")), "-_.:"))
			return bad(err, path, sub, "name: letters, digits, '-', '_', '.', ':'");
		snprintf(sub, sizeof(sub), "devices[%zu].containerEdits", i);
		if (check_values(json_object_get(d, "containerEdits"), path, sub, err) < 0)
			return -1;
	}
	return 0;
}

/* ---- applying a spec ------------------------------------------------------------------ */

/** Each NAME=VALUE of @p env into process.env, replacing one of the same NAME. */
static void
apply_env(json_t *spec, json_t *env)
{
	json_t *penv = spec_array_of(spec_object_of(spec, "process"), "env"), *e, *v;
	size_t i, k;

	json_array_foreach(env, i, e)
	{
		const char *kv = json_string_value(e);
		size_t n = (size_t)(strchr(kv, '=') - kv) + 1;

		json_array_foreach(penv, k, v)
		{
			if (strncmp(json_string_value(v) ?: "", kv, n) == 0)
				json_array_remove(penv, k--);
		}
		json_array_append(penv, e);
	}
}

/** One deviceNodes entry @p e: given numbers, or the host node's (hostPath, else path). */
static int
apply_node(json_t *spec, json_t *e, const char *where, struct nook_error *err)
{
	struct device_node n = {.path = str(e, "path"), .access = "rwm"};
	const char *type = str(e, "type"), *host = str(e, "hostPath") ?: n.path;
	json_t *mode = json_object_get(e, "fileMode");

	if (type && (type[0] == 'p' || json_object_get(e, "major"))) {
		n.type = type[0] == 'u' ? 'c' : type[0];
		n.major = (long)json_integer_value(json_object_get(e, "major"));
		n.minor = (long)json_integer_value(json_object_get(e, "minor"));
		n.mode = 0666;
	} else if (device_node_stat(host, &n, where, err) < 0) {
		return -1;
	}
	if (mode)
		n.mode = (unsigned)json_integer_value(mode) & 07777;
	n.uid = (unsigned)json_integer_value(json_object_get(e, "uid"));
	n.gid = (unsigned)json_integer_value(json_object_get(e, "gid"));
	if (str(e, "permissions"))
		snprintf(n.access, sizeof(n.access), "%s", str(e, "permissions"));
	device_node_add(spec, &n);
	return 0;
}

/** One mounts entry @p e as an OCI mount (a bind mount unless it says its type). */
static void
apply_mount(json_t *spec, json_t *e)
{
	json_t *opts = json_object_get(e, "options");
	const char *type = str(e, "type");

	json_array_append_new(spec_array_of(spec, "mounts"),
			      json_pack("{s:s, s:s, s:s, s:o}", "destination",
					str(e, "containerPath"), "source", str(e, "hostPath"),
					"type", type && *type ? type : "bind", "options",
					opts ? json_deep_copy(opts) : json_pack("[s]", "rbind")));
}

/** One hooks entry @p e into the config's hooks of its hookName. */
static void
apply_hook(json_t *spec, json_t *e)
{
	json_t *hook = json_pack("{s:s}", "path", str(e, "path"));

	if (json_object_get(e, "args"))
		json_object_set(hook, "args", json_object_get(e, "args"));
	if (json_object_get(e, "env"))
		json_object_set(hook, "env", json_object_get(e, "env"));
	if (json_object_get(e, "timeout"))
		json_object_set(hook, "timeout", json_object_get(e, "timeout"));
	json_array_append_new(spec_array_of(spec_object_of(spec, "hooks"), str(e, "hookName")),
			      hook);
}

/** The container edits @p edits (checked) into the OCI config @p spec. */
static int
apply_edits(json_t *spec, json_t *edits, const char *file, const char *path, struct nook_error *err)
{
	json_t *gids = json_object_get(edits, "additionalGids");
	char where[PATH_MAX + 600];
	json_t *e;
	size_t i;

	apply_env(spec, json_object_get(edits, "env"));
	json_array_foreach(json_object_get(edits, "deviceNodes"), i, e)
	{
		snprintf(where, sizeof(where), "%s: %s.deviceNodes[%zu]", file, path, i);
		if (apply_node(spec, e, where, err) < 0)
			return -1;
	}
	json_array_foreach(json_object_get(edits, "mounts"), i, e)
	{
		apply_mount(spec, e);
	}
	json_array_foreach(json_object_get(edits, "hooks"), i, e)
	{
		apply_hook(spec, e);
	}
	if (gids)
		json_array_extend(
			spec_array_of(spec_object_of(spec_object_of(spec, "process"), "user"),
				      "additionalGids"),
			gids);
	return 0;
}

/* ---- finding a device ----------------------------------------------------------------- */

/** The device of @p doc named @p name, or NULL; its index in devices[] into @p index. */
static json_t *
find_device(json_t *doc, const char *name, size_t *index)
{
	json_t *d, *list = json_object_get(doc, "devices");

	for (*index = 0; (d = json_array_get(list, *index)); (*index)++)
		if (strcmp(str(d, "name"), name) == 0)
			return d;
	return NULL;
}

/** Is @p e a spec file's entry: *.json, *.yaml or *.yml? */
static int
is_spec(const struct dirent *e)
{
	return e->d_name[0] != '.' &&
	       (ends_with(e->d_name, ".json") || ends_with(e->d_name, ".yaml") ||
		ends_with(e->d_name, ".yml"));
}

/**
 * The spec file @p path: when its kind is @p kind (@p klen bytes) and it defines the
 * device @p dev, its own edits and then the device's applied to @p spec. Returns 1 when
 * applied, 0 when the spec is of another kind or has no such device, -1 when it cannot be
 * read or, being of that kind, is broken.
 */
static int
apply_from_file(json_t *spec, const char *path, const char *kind, size_t klen, const char *dev,
		struct nook_error *err)
{
	json_t *doc = cdi_spec_load(path, err), *d, *edits;
	const char *k = str(doc, "kind");
	char sub[64];
	size_t i;
	int r = 0;

	if (!doc)
		return -1;
	if (!k || strlen(k) != klen || strncmp(k, kind, klen) != 0)
		goto out;
	r = -1;
	if (cdi_spec_check(doc, path, err) < 0)
		goto out;
	r = 0;
	if (!(d = find_device(doc, dev, &i)))
		goto out;
	r = -1;
	edits = json_object_get(doc, "containerEdits");
	if (edits && apply_edits(spec, edits, path, "containerEdits", err) < 0)
		goto out;
	snprintf(sub, sizeof(sub), "devices[%zu].containerEdits", i);
	r = apply_edits(spec, json_object_get(d, "containerEdits"), path, sub, err) < 0 ? -1 : 1;
out:
	json_decref(doc);
	return r;
}

/** Each spec of directory @p dir in name order, until one applies (apply_from_file()). */
static int
apply_from_dir(json_t *spec, const char *dir, const char *kind, size_t klen, const char *dev,
	       struct nook_error *err)
{
	struct dirent **list;
	char path[PATH_MAX];
	int n = scandir(dir, &list, is_spec, alphasort), r = 0;

	if (n < 0)
		return errno == ENOENT || errno == ENOTDIR
			       ? 0
			       : nook_fail(err, errno, "CDI: \"%s\"", dir);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
		if (r == 0)
			r = apply_from_file(spec, path, kind, klen, dev, err);
		free(list[i]);
	}
	free(list);
	return r;
}

/**
 * Apply the CDI device @p name ("vendor.com/class=name") to the OCI config @p spec (a
 * json_t): the edits of the spec that defines it, found in @p dirs, the last directory
 * first. An unknown device, or a broken spec of its kind, fails in one line.
 */
int
cdi_apply(void *spec, const char *name, const struct cdi_dirs *dirs, struct nook_error *err)
{
	const char *eq = strchr(name, '=');
	char where[1024] = "";
	size_t len = 0;

	if (!cdi_name_valid(name))
		return nook_fail(err, 0,
				 "--device \"%s\": not a CDI device name (vendor.com/class=name)",
				 name);
	for (int i = dirs->n - 1; i >= 0; i--) {
		int r = apply_from_dir(spec, dirs->dir[i], name, (size_t)(eq - name), eq + 1, err);

		if (r != 0)
			return r < 0 ? -1 : 0;
	}
	for (int i = 0; i < dirs->n && len < sizeof(where); i++)
		len += (size_t)snprintf(where + len, sizeof(where) - len, "%s%s", i ? ", " : "",
					dirs->dir[i]);
	return nook_fail(err, 0, "--device %s: no such CDI device (no spec in %s defines it)", name,
			 dirs->n ? where : "no directory");
}

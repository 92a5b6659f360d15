/**
 * @file oci_config.c
 * @brief Step 10 — an OCI bundle's config.json into the container description the step
 *        programs fill from their command lines.
 *
 * A bundle is a directory with a config.json and (usually) the root filesystem it names.
 * Engines (podman through conmon, containerd through its shim) write the bundle and call
 * the runtime with its path; everything the container is comes from this one file:
 * root, process (args, env, cwd, user, capabilities, rlimits), hostname, mounts[], and
 * under "linux" the namespaces, id mappings, resources, masked and read-only paths and a
 * seccomp profile. See the runtime spec's config.md and config-linux.md.
 *
 * The reader goes through the same checks as the command line: a stage's typed setter
 * (cgroup_set_memory(), ...) or checker (uts_check_hostname(), user_add_range(), ...) is
 * the one place a value is validated, whichever way it came. Unknown members are ignored,
 * as the spec requires of a runtime; a member of the wrong type or value is refused in
 * one line that names it by its JSON path — `process.user.uid: expected an integer` — so
 * the engine's log says exactly what to fix. Nothing is made before the whole file is
 * read, so a bad config leaves nothing behind.
 *
 * The strings point into the parsed document, which lives as long as struct nook_oci
 * (oci_config_free()).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/** Room for one JSON path: "linux.resources.memory.limit", "mounts[12].options[3]". */
#define PATH_LEN 128

static int bad(struct nook_error *err, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** Fail with "PATH: what is wrong", exit code 125. Returns -1. */
static int
bad(struct nook_error *err, const char *path, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return nook_fail(err, 0, "%s: %s", path, what);
}

/** @p parent "." @p key (or just @p key at the top) into @p buf. */
static const char *
member(char *buf, const char *parent, const char *key)
{
	snprintf(buf, PATH_LEN, "%.90s%s%.36s", parent, *parent ? "." : "", key);
	return buf;
}

/** @p parent "[" @p i "]" into @p buf. */
static const char *
item(char *buf, const char *parent, size_t i)
{
	snprintf(buf, PATH_LEN, "%.100s[%zu]", parent, i);
	return buf;
}

/* ---- typed getters: NULL or absent is "not given" (0), a wrong type is an error ---------- */

/** Member @p key of @p obj as an object; 1 if present, 0 if absent, -1 if not an object. */
static int
get_object(json_t *obj, const char *parent, const char *key, json_t **out, struct nook_error *err)
{
	char path[PATH_LEN];

	*out = json_object_get(obj, key);
	if (!*out || json_is_null(*out))
		return 0;
	if (!json_is_object(*out))
		return bad(err, member(path, parent, key), "expected an object");
	return 1;
}

static int
get_array(json_t *obj, const char *parent, const char *key, json_t **out, struct nook_error *err)
{
	char path[PATH_LEN];

	*out = json_object_get(obj, key);
	if (!*out || json_is_null(*out))
		return 0;
	if (!json_is_array(*out))
		return bad(err, member(path, parent, key), "expected an array");
	return 1;
}

static int
get_string(json_t *obj, const char *parent, const char *key, const char **out,
	   struct nook_error *err)
{
	char path[PATH_LEN];
	json_t *v = json_object_get(obj, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return bad(err, member(path, parent, key), "expected a string");
	*out = json_string_value(v);
	return 1;
}

static int
get_bool(json_t *obj, const char *parent, const char *key, bool *out, struct nook_error *err)
{
	char path[PATH_LEN];
	json_t *v = json_object_get(obj, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return bad(err, member(path, parent, key), "expected true or false");
	*out = json_is_true(v);
	return 1;
}

/** An integer member in [@p min, @p max]. */
static int
get_int(json_t *obj, const char *parent, const char *key, long long min, long long max,
	long long *out, struct nook_error *err)
{
	char path[PATH_LEN];
	json_t *v = json_object_get(obj, key);

	if (!v || json_is_null(v))
		return 0;
	member(path, parent, key);
	if (!json_is_integer(v))
		return bad(err, path, "expected an integer");
	*out = json_integer_value(v);
	if (*out < min || *out > max)
		return bad(err, path, "%lld is out of range (%lld to %lld)", *out, min, max);
	return 1;
}

/** Item @p i of array @p a as a string. */
static const char *
string_item(json_t *a, const char *parent, size_t i, struct nook_error *err)
{
	char path[PATH_LEN];
	json_t *v = json_array_get(a, i);

	if (!json_is_string(v)) {
		bad(err, item(path, parent, i), "expected a string");
		return NULL;
	}
	return json_string_value(v);
}

/* ---- root, process ------------------------------------------------------------------ */

/** @p path made absolute against the bundle, into @p buf of PATH_MAX bytes. */
static int
in_bundle(const struct nook_oci *o, const char *path, char *buf, const char *where,
	  struct nook_error *err)
{
	int n = path[0] == '/' ? snprintf(buf, PATH_MAX, "%s", path)
			       : snprintf(buf, PATH_MAX, "%s/%s", o->bundle, path);

	if (n >= PATH_MAX)
		return bad(err, where, "too long");
	return 0;
}

static int
read_root(json_t *doc, struct nook_oci *o, struct nook_error *err)
{
	const char *path = NULL;
	json_t *root;
	struct stat st;
	int r = get_object(doc, "", "root", &root, err);

	if (r <= 0)
		return r < 0 ? -1 : bad(err, "root", "missing");
	r = get_string(root, "root", "path", &path, err);
	if (r <= 0)
		return r < 0 ? -1 : bad(err, "root.path", "missing");
	if (get_bool(root, "root", "readonly", &o->root_readonly, err) < 0 ||
	    in_bundle(o, path, o->root, "root.path", err) < 0)
		return -1;
	if (stat(o->root, &st) < 0)
		return nook_fail(err, errno, "root.path \"%s\"", o->root);
	if (!S_ISDIR(st.st_mode))
		return nook_fail(err, ENOTDIR, "root.path \"%s\"", o->root);
	return 0;
}

static int
read_args(json_t *proc, struct nook_container *c, struct nook_oci *o, struct nook_error *err)
{
	json_t *args;
	size_t n;
	int r = get_array(proc, "process", "args", &args, err);

	if (r <= 0 || json_array_size(args) == 0)
		return r < 0 ? -1 : bad(err, "process.args", "missing or empty: no command");
	n = json_array_size(args);
	o->argv = calloc(n + 1, sizeof(*o->argv));
	if (!o->argv)
		return nook_fail(err, ENOMEM, "process.args");
	for (size_t i = 0; i < n; i++)
		if (!(o->argv[i] = (char *)string_item(args, "process.args", i, err)))
			return -1;
	c->argv = o->argv;
	return 0;
}

/** process.env: the whole environment, nothing added (c->env_exact). */
static int
read_env(json_t *proc, struct nook_container *c, struct nook_error *err)
{
	char path[PATH_LEN];
	const char *s;
	json_t *env;
	int r = get_array(proc, "process", "env", &env, err);

	c->env_exact = true;
	if (r <= 0)
		return r;
	if (json_array_size(env) > NOOK_MAX_ENV)
		return bad(err, "process.env", "more than %d variables", NOOK_MAX_ENV);
	for (size_t i = 0; i < json_array_size(env); i++) {
		if (!(s = string_item(env, "process.env", i, err)))
			return -1;
		if (!strchr(s, '=') || s[0] == '=')
			return bad(err, item(path, "process.env", i), "expected NAME=VALUE");
		c->env_arg[c->nenv++] = s;
	}
	return 0;
}

static int
read_user(json_t *proc, struct nook_container *c, struct nook_oci *o, struct nook_error *err)
{
	char path[PATH_LEN];
	long long uid = 0, gid = 0, mask, g;
	json_t *user, *gids;
	int r = get_object(proc, "process", "user", &user, err);

	if (r <= 0)
		return r;
	if (get_int(user, "process.user", "uid", 0, UINT32_MAX - 1, &uid, err) < 0 ||
	    get_int(user, "process.user", "gid", 0, UINT32_MAX - 1, &gid, err) < 0)
		return -1;
	c->caps.user = true;
	c->caps.uid = (uid_t)uid;
	c->caps.gid = (gid_t)gid;
	r = get_int(user, "process.user", "umask", 0, 0777, &mask, err);
	if (r < 0)
		return -1;
	o->has_umask = r > 0;
	o->umask = r > 0 ? (mode_t)mask : 0;
	if ((r = get_array(user, "process.user", "additionalGids", &gids, err)) <= 0)
		return r;
	for (size_t i = 0; i < json_array_size(gids); i++) {
		json_t *v = json_array_get(gids, i);

		item(path, "process.user.additionalGids", i);
		if (!json_is_integer(v))
			return bad(err, path, "expected an integer");
		g = json_integer_value(v);
		if (g < 0 || g >= UINT32_MAX || o->ngids == OCI_MAX_GIDS)
			return bad(err, path, "out of range, or too many");
		o->gids[o->ngids++] = (gid_t)g;
	}
	c->caps.groups = o->gids; /* set by become_user() (caps.c) */
	c->caps.ngroups = o->ngids;
	return 0;
}

/** One capability set of process.capabilities as a mask; unknown to this kernel: left out. */
static int
read_cap_set(json_t *caps, const char *set, uint64_t *mask, struct nook_error *err)
{
	char parent[PATH_LEN], path[PATH_LEN], full[64];
	const char *name;
	cap_value_t cap;
	json_t *list;
	int r;

	*mask = 0;
	if ((r = get_array(caps, member(parent, "process", "capabilities"), set, &list, err)) <= 0)
		return r;
	member(parent, "process.capabilities", set);
	for (size_t i = 0; i < json_array_size(list); i++) {
		if (!(name = string_item(list, parent, i, err)))
			return -1;
		snprintf(full, sizeof(full), "%.60s", name);
		for (char *p = full; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		if (strncmp(full, "cap_", 4) != 0 || cap_from_name(full, &cap) < 0)
			return bad(err, item(path, parent, i), "unknown capability \"%.40s\"",
				   name);
		if (cap < cap_max_bits())
			*mask |= NOOK_CAP(cap);
	}
	return 0;
}

/**
 * process.capabilities: step 08 gives the process one set, made its bounding, permitted
 * and effective sets. Its capabilities are those in the bounding set that the permitted
 * or effective set also has; the ambient and inheritable sets add nothing (caps.c clears
 * the ambient set: a non-root user ends with no capabilities, as after any execve).
 */
static int
read_caps(json_t *proc, struct nook_container *c, struct nook_error *err)
{
	uint64_t bounding, effective, permitted, ignored;
	json_t *caps;
	int r = get_object(proc, "process", "capabilities", &caps, err);

	c->caps.drop_all = true; /* none unless listed */
	c->caps.add = 0;
	if (r <= 0)
		return r;
	if (read_cap_set(caps, "bounding", &bounding, err) < 0 ||
	    read_cap_set(caps, "effective", &effective, err) < 0 ||
	    read_cap_set(caps, "permitted", &permitted, err) < 0 ||
	    read_cap_set(caps, "inheritable", &ignored, err) < 0 ||
	    read_cap_set(caps, "ambient", &ignored, err) < 0)
		return -1;
	c->caps.add = bounding & (effective | permitted);
	return 0;
}

/** The rlimit names the spec allows. */
static const struct {
	const char *name;
	int resource;
} rlimits[] = {
	{"RLIMIT_AS", RLIMIT_AS},
	{"RLIMIT_CORE", RLIMIT_CORE},
	{"RLIMIT_CPU", RLIMIT_CPU},
	{"RLIMIT_DATA", RLIMIT_DATA},
	{"RLIMIT_FSIZE", RLIMIT_FSIZE},
	{"RLIMIT_LOCKS", RLIMIT_LOCKS},
	{"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
	{"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
	{"RLIMIT_NICE", RLIMIT_NICE},
	{"RLIMIT_NOFILE", RLIMIT_NOFILE},
	{"RLIMIT_NPROC", RLIMIT_NPROC},
	{"RLIMIT_RSS", RLIMIT_RSS},
	{"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
	{"RLIMIT_RTTIME", RLIMIT_RTTIME},
	{"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
	{"RLIMIT_STACK", RLIMIT_STACK},
};

static int
read_rlimit(json_t *v, const char *path, struct oci_rlimit *rl, struct nook_error *err)
{
	const char *type = NULL;
	long long hard = 0, soft = 0;
	size_t k;

	if (!json_is_object(v))
		return bad(err, path, "expected an object");
	if (get_string(v, path, "type", &type, err) < 0 ||
	    get_int(v, path, "hard", 0, LLONG_MAX, &hard, err) < 0 ||
	    get_int(v, path, "soft", 0, LLONG_MAX, &soft, err) < 0)
		return -1;
	if (!type)
		return bad(err, path, "type: missing");
	for (k = 0; k < NELEM(rlimits) && strcmp(rlimits[k].name, type) != 0; k++)
		;
	if (k == NELEM(rlimits))
		return bad(err, path, "type: unknown rlimit \"%.40s\"", type);
	if (soft > hard)
		return bad(err, path, "soft %lld is above hard %lld", soft, hard);
	rl->resource = rlimits[k].resource;
	rl->rl.rlim_cur = (rlim_t)soft;
	rl->rl.rlim_max = (rlim_t)hard;
	return 0;
}

static int
read_rlimits(json_t *proc, struct nook_oci *o, struct nook_error *err)
{
	char path[PATH_LEN];
	json_t *list;
	int r = get_array(proc, "process", "rlimits", &list, err);

	if (r <= 0)
		return r;
	if (json_array_size(list) > OCI_MAX_RLIMITS)
		return bad(err, "process.rlimits", "more than %d", OCI_MAX_RLIMITS);
	for (size_t i = 0; i < json_array_size(list); i++)
		if (read_rlimit(json_array_get(list, i), item(path, "process.rlimits", i),
				&o->rlimit[o->nrlimits++], err) < 0)
			return -1;
	return 0;
}

static int
read_process(json_t *doc, struct nook_container *c, struct nook_oci *o, struct nook_error *err)
{
	long long adj;
	bool nnp = true;
	json_t *proc;
	int r = get_object(doc, "", "process", &proc, err);

	if (r <= 0)
		return r < 0 ? -1 : bad(err, "process", "missing");
	if (read_args(proc, c, o, err) < 0 || read_env(proc, c, err) < 0 ||
	    read_user(proc, c, o, err) < 0 || read_caps(proc, c, err) < 0 ||
	    read_rlimits(proc, o, err) < 0 ||
	    get_bool(proc, "process", "terminal", &o->terminal, err) < 0 ||
	    get_bool(proc, "process", "noNewPrivileges", &nnp, err) < 0)
		return -1;
	/* step 08 always sets no_new_privs: false is not honoured (stricter, never weaker) */
	if ((r = get_int(proc, "process", "oomScoreAdj", -1000, 1000, &adj, err)) < 0)
		return -1;
	o->has_oom_score = r > 0;
	o->oom_score_adj = (int)adj;
	if ((r = get_string(proc, "process", "cwd", &o->cwd, err)) <= 0)
		return r < 0 ? -1 : bad(err, "process.cwd", "missing");
	if (o->cwd[0] != '/')
		return bad(err, "process.cwd", "not an absolute path");
	return 0;
}

/* ---- mounts ----------------------------------------------------------------------------- */

/** mount(8)'s option words that are flags, and whether they set or clear them. */
static const struct {
	const char *name;
	unsigned long flag;
	bool clear;
} mount_flags[] = {
	{"ro", MS_RDONLY, false},
	{"rw", MS_RDONLY, true},
	{"nosuid", MS_NOSUID, false},
	{"suid", MS_NOSUID, true},
	{"nodev", MS_NODEV, false},
	{"dev", MS_NODEV, true},
	{"noexec", MS_NOEXEC, false},
	{"exec", MS_NOEXEC, true},
	{"sync", MS_SYNCHRONOUS, false},
	{"async", MS_SYNCHRONOUS, true},
	{"dirsync", MS_DIRSYNC, false},
	{"remount", MS_REMOUNT, false},
	{"mand", MS_MANDLOCK, false},
	{"nomand", MS_MANDLOCK, true},
	{"atime", MS_NOATIME, true},
	{"noatime", MS_NOATIME, false},
	{"diratime", MS_NODIRATIME, true},
	{"nodiratime", MS_NODIRATIME, false},
	{"relatime", MS_RELATIME, false},
	{"norelatime", MS_RELATIME, true},
	{"strictatime", MS_STRICTATIME, false},
	{"nostrictatime", MS_STRICTATIME, true},
	{"bind", MS_BIND, false},
	{"rbind", MS_BIND | MS_REC, false},
};

/** The propagation words, applied after the mount. */
static const struct {
	const char *name;
	unsigned long flag;
} propagations[] = {
	{"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
	{"shared", MS_SHARED},	       {"rshared", MS_SHARED | MS_REC},
	{"slave", MS_SLAVE},	       {"rslave", MS_SLAVE | MS_REC},
	{"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

/** Is @p word a flag or a propagation? Sets it in @p m; 0 if it is neither. */
static int
mount_word(struct oci_mount *m, const char *word)
{
	for (size_t k = 0; k < NELEM(mount_flags); k++)
		if (strcmp(word, mount_flags[k].name) == 0) {
			if (mount_flags[k].clear)
				m->flags &= ~mount_flags[k].flag;
			else
				m->flags |= mount_flags[k].flag;
			return 1;
		}
	for (size_t k = 0; k < NELEM(propagations); k++)
		if (strcmp(word, propagations[k].name) == 0) {
			m->propagation = propagations[k].flag;
			return 1;
		}
	return 0;
}

/**
 * A mount's "options" (a jansson array, or NULL) into flags, propagation and the data
 * string mount(2) hands to the filesystem. Errors are named under @p where.
 */
int
oci_mount_options(struct oci_mount *m, const char *where, void *options, struct nook_error *err)
{
	json_t *list = options;
	size_t len = 0;
	const char *w;

	m->data[0] = '\0';
	for (size_t i = 0; list && i < json_array_size(list); i++) {
		if (!(w = string_item(list, where, i, err)))
			return -1;
		if (mount_word(m, w) || strcmp(w, "tmpcopyup") == 0)
			continue; /* tmpcopyup: a hint runc may ignore too */
		if (strchr(w, ',') || len + strlen(w) + 2 > sizeof(m->data)) {
			char path[PATH_LEN];

			return bad(err, item(path, where, i), "not a valid mount option");
		}
		len += (size_t)snprintf(m->data + len, sizeof(m->data) - len, "%s%s",
					len ? "," : "", w);
	}
	return 0;
}

static int
read_mount(json_t *v, const char *path, struct nook_oci *o, struct oci_mount *m,
	   struct nook_error *err)
{
	char sub[PATH_LEN];
	const char *source = NULL;
	json_t *options;

	if (!json_is_object(v))
		return bad(err, path, "expected an object");
	*m = (struct oci_mount){.type = ""};
	if (get_string(v, path, "destination", &m->destination, err) < 0)
		return -1;
	if (!m->destination)
		return bad(err, member(sub, path, "destination"), "missing");
	if (m->destination[0] != '/' || strcmp(m->destination, "/") == 0)
		return bad(err, member(sub, path, "destination"),
			   "an absolute path other than \"/\"");
	if (get_string(v, path, "type", &m->type, err) < 0 ||
	    get_string(v, path, "source", &source, err) < 0 ||
	    get_array(v, path, "options", &options, err) < 0 ||
	    oci_mount_options(m, member(sub, path, "options"), options, err) < 0)
		return -1;
	if (strcmp(m->type, "bind") == 0)
		m->flags |= MS_BIND;
	if (!(m->flags & MS_BIND)) {
		snprintf(m->source, sizeof(m->source), "%s", source ? source : m->type);
		return 0;
	}
	if (!source)
		return bad(err, member(sub, path, "source"), "missing for a bind mount");
	return in_bundle(o, source, m->source, path, err);
}

static int
read_mounts(json_t *doc, struct nook_oci *o, struct nook_error *err)
{
	char path[PATH_LEN];
	json_t *list;
	int r = get_array(doc, "", "mounts", &list, err);

	if (r <= 0)
		return r;
	if (json_array_size(list) > OCI_MAX_MOUNTS)
		return bad(err, "mounts", "more than %d", OCI_MAX_MOUNTS);
	for (size_t i = 0; i < json_array_size(list); i++)
		if (read_mount(json_array_get(list, i), item(path, "mounts", i), o,
			       &o->mount[o->nmounts++], err) < 0)
			return -1;
	return 0;
}

/* ---- linux ---------------------------------------------------------------------------- */

/** The namespace types of linux.namespaces, and their clone flags. */
static const struct {
	const char *type;
	int flag;
} namespaces[] = {
	{"pid", CLONE_NEWPID},	     {"network", CLONE_NEWNET},
	{"mount", CLONE_NEWNS},	     {"ipc", CLONE_NEWIPC},
	{"uts", CLONE_NEWUTS},	     {"user", CLONE_NEWUSER},
	{"cgroup", CLONE_NEWCGROUP}, {"time", 0x80 /* CLONE_NEWTIME */},
};

static int
read_namespace(json_t *v, const char *path, struct nook_container *c, struct nook_oci *o,
	       struct nook_error *err)
{
	char sub[PATH_LEN];
	const char *type = NULL, *nspath = NULL;
	size_t k;

	if (!json_is_object(v))
		return bad(err, path, "expected an object");
	if (get_string(v, path, "type", &type, err) < 0)
		return -1;
	if (!type)
		return bad(err, member(sub, path, "type"), "missing");
	for (k = 0; k < NELEM(namespaces) && strcmp(namespaces[k].type, type) != 0; k++)
		;
	if (k == NELEM(namespaces))
		return bad(err, member(sub, path, "type"), "unknown namespace \"%.40s\"", type);
	if (get_string(v, path, "path", &nspath, err) < 0)
		return -1;
	if ((o->clone_flags | o->join_flags) & namespaces[k].flag)
		return bad(err, member(sub, path, "type"), "\"%s\" given twice", type);
	if (nspath && nspath[0] != '/')
		return bad(err, member(sub, path, "path"), "not an absolute path");
	if (nspath && (namespaces[k].flag & (0x80 | CLONE_NEWNS)))
		return bad(err, member(sub, path, "path"),
			   "joining a %s namespace is not supported%s", type,
			   namespaces[k].flag == CLONE_NEWNS
				   ? ": nook builds the root in a mount namespace of its own"
				   : "");
	if (nspath) { /* joined inside, by the oci stage: nothing new to make */
		o->join[o->njoin].type = namespaces[k].flag;
		o->join[o->njoin++].path = nspath;
		o->join_flags |= namespaces[k].flag;
		c->cgroup.joined_ns = c->cgroup.joined_ns || namespaces[k].flag == CLONE_NEWCGROUP;
		return 0;
	}
	o->clone_flags |= namespaces[k].flag;
	if (namespaces[k].flag == CLONE_NEWUSER)
		c->userns = true;
	return 0;
}

/** linux.uidMappings or gidMappings, through step 05's typed setter. */
static int
read_mappings(json_t *lx, const char *key, struct nook_id_map *m, struct nook_error *err)
{
	char parent[PATH_LEN], path[PATH_LEN];
	long long in = 0, out = 0, n = 0;
	struct nook_id_range r2;
	json_t *list, *v;
	int r = get_array(lx, "linux", key, &list, err);

	if (r <= 0)
		return r;
	member(parent, "linux", key);
	for (size_t i = 0; i < json_array_size(list); i++) {
		v = json_array_get(list, i);
		item(path, parent, i);
		if (!json_is_object(v))
			return bad(err, path, "expected an object");
		if (get_int(v, path, "containerID", 0, UINT32_MAX - 1, &in, err) < 0 ||
		    get_int(v, path, "hostID", 0, UINT32_MAX - 1, &out, err) < 0 ||
		    get_int(v, path, "size", 1, UINT32_MAX, &n, err) < 0)
			return -1;
		r2 = (struct nook_id_range){(unsigned)in, (unsigned)out, (unsigned)n};
		if (user_add_id_range(m, path, r2, err) < 0)
			return -1;
	}
	return 0;
}

/** A typed setter's error, renamed to the JSON path (the setter already named it). */
static int
read_memory(json_t *res, struct nook_container *c, struct nook_error *err)
{
	long long limit, swap;
	json_t *mem;
	int r = get_object(res, "linux.resources", "memory", &mem, err);

	if (r <= 0)
		return r;
	r = get_int(mem, "linux.resources.memory", "limit", -1, LLONG_MAX, &limit, err);
	if (r < 0 || (r > 0 && limit > 0 &&
		      cgroup_set_memory(c, limit, "linux.resources.memory.limit", err) < 0))
		return -1;
	r = get_int(mem, "linux.resources.memory", "swap", -1, LLONG_MAX, &swap, err);
	if (r < 0)
		return -1;
	if (r > 0 && swap > 0)
		c->cgroup.memory_swap = swap;
	return 0;
}

static int
read_cpu(json_t *res, struct nook_container *c, struct nook_error *err)
{
	long long quota = 0, period = CGROUP_CPU_PERIOD, shares = 0;
	const char *cpus = NULL;
	json_t *cpu;
	int r = get_object(res, "linux.resources", "cpu", &cpu, err);

	if (r <= 0)
		return r;
	if (get_int(cpu, "linux.resources.cpu", "quota", -1, LLONG_MAX, &quota, err) < 0 ||
	    get_int(cpu, "linux.resources.cpu", "period", 0, LLONG_MAX, &period, err) < 0 ||
	    get_int(cpu, "linux.resources.cpu", "shares", 0, 262144, &shares, err) < 0)
		return -1;
	if (quota > 0 &&
	    cgroup_set_cpu_quota(c, quota, period, "linux.resources.cpu.quota", err) < 0)
		return -1;
	/* cgroup v1 shares 2-262144 onto v2 weights 1-10000, as runc and crun map them */
	if (shares >= 2 && cgroup_set_cpu_weight(c, 1 + ((shares - 2) * 9999) / 262142,
						 "linux.resources.cpu.shares", err) < 0)
		return -1;
	if ((r = get_string(cpu, "linux.resources.cpu", "cpus", &cpus, err)) < 0)
		return -1;
	return r > 0 && cpus[0] ? cgroup_set_cpus(c, cpus, "linux.resources.cpu.cpus", err) : 0;
}

/** blockIO's throttle lists, by member name, in the order of IO_READ_BPS ... (nook.h). */
static const char *const throttle_lists[] = {"throttleReadBpsDevice", "throttleWriteBpsDevice",
					     "throttleReadIOPSDevice", "throttleWriteIOPSDevice"};

/** One throttle {major, minor, rate}, all three required, through step 06's setter. */
static int
read_throttle(json_t *v, const char *path, int kind, struct nook_container *c,
	      struct nook_error *err)
{
	long long major, minor, rate;
	int a, b, r;

	if (!json_is_object(v))
		return bad(err, path, "expected an object");
	if ((a = get_int(v, path, "major", 0, 4095, &major, err)) < 0 ||
	    (b = get_int(v, path, "minor", 0, (1 << 20) - 1, &minor, err)) < 0 ||
	    (r = get_int(v, path, "rate", 0, LLONG_MAX, &rate, err)) < 0)
		return -1;
	if (!a || !b || !r)
		return bad(err, path, "major, minor and rate are required");
	if (rate == 0) /* docker's "no limit" */
		return 0;
	return cgroup_set_io_limit(c, (unsigned)major, (unsigned)minor, kind,
				   (unsigned long long)rate, err);
}

/** One blockIO throttle list, such as throttleReadBpsDevice. */
static int
read_throttle_list(json_t *bio, int kind, struct nook_container *c, struct nook_error *err)
{
	char parent[PATH_LEN], path[PATH_LEN];
	json_t *list;
	int r = get_array(bio, "linux.resources.blockIO", throttle_lists[kind], &list, err);

	member(parent, "linux.resources.blockIO", throttle_lists[kind]);
	for (size_t i = 0; r > 0 && i < json_array_size(list); i++)
		if (read_throttle(json_array_get(list, i), item(path, parent, i), kind, c, err) < 0)
			return -1;
	return r < 0 ? -1 : 0;
}

/** One linux.resources.devices rule: allow (required), type, major, minor, access. */
static int
read_device_rule(json_t *v, const char *path, struct nook_device_rule *rule, struct nook_error *err)
{
	char sub[PATH_LEN];
	const char *type = "a", *access = "rwm";
	long long major = -1, minor = -1;
	bool allow = false;
	int r;

	if (!json_is_object(v))
		return bad(err, path, "expected an object");
	if ((r = get_bool(v, path, "allow", &allow, err)) <= 0)
		return r < 0 ? -1 : bad(err, member(sub, path, "allow"), "missing");
	if (get_string(v, path, "type", &type, err) < 0 ||
	    get_string(v, path, "access", &access, err) < 0 ||
	    get_int(v, path, "major", -1, 4095, &major, err) < 0 ||
	    get_int(v, path, "minor", -1, (1 << 20) - 1, &minor, err) < 0)
		return -1;
	if (strlen(type) != 1 || !strchr("abc", type[0]))
		return bad(err, member(sub, path, "type"), "a, b or c, not \"%.20s\"", type);
	if (!access[0] || strlen(access) > 3 || strspn(access, "rwm") != strlen(access))
		return bad(err, member(sub, path, "access"), "some of \"rwm\", not \"%.20s\"",
			   access);
	*rule = (struct nook_device_rule){
		.allow = allow, .type = type[0], .major = major, .minor = minor};
	snprintf(rule->access, sizeof(rule->access), "%s", access);
	return 0;
}

/** linux.resources.devices into @p o's rules (none kept when @p o is NULL: `update`). */
static int
read_device_rules(json_t *res, struct nook_oci *o, struct nook_error *err)
{
	char path[PATH_LEN];
	json_t *list;
	int r = get_array(res, "linux.resources", "devices", &list, err);
	size_t room = NOOK_MAX_DEVICE_RULES - (size_t)devices_ndefault - OCI_MAX_DEVICES;

	if (r <= 0 || !o)
		return r;
	if (json_array_size(list) > room)
		return bad(err, "linux.resources.devices", "more than %zu rules", room);
	for (size_t i = 0; i < json_array_size(list); i++)
		if (read_device_rule(json_array_get(list, i),
				     item(path, "linux.resources.devices", i),
				     &o->device_rules[o->ndevice_rules++], err) < 0)
			return -1;
	o->has_device_rules = true;
	return 0;
}

static int
read_resources(json_t *lx, struct nook_container *c, struct nook_oci *o, struct nook_error *err)
{
	long long pids = 0, weight = 0;
	json_t *res, *sub;
	int r = get_object(lx, "linux", "resources", &res, err);

	if (r <= 0)
		return r;
	if (read_memory(res, c, err) < 0 || read_cpu(res, c, err) < 0)
		return -1;
	if ((r = get_object(res, "linux.resources", "pids", &sub, err)) < 0)
		return -1;
	if (r > 0 && get_int(sub, "linux.resources.pids", "limit", -1, LLONG_MAX, &pids, err) < 0)
		return -1;
	if (pids > 0 && cgroup_set_pids(c, pids, "linux.resources.pids.limit", err) < 0)
		return -1;
	if ((r = get_object(res, "linux.resources", "blockIO", &sub, err)) < 0)
		return -1;
	if (r > 0 && get_int(sub, "linux.resources.blockIO", "weight", 0, 1000, &weight, err) < 0)
		return -1;
	for (int k = 0; r > 0 && k < IO_NLIMITS; k++)
		if (read_throttle_list(sub, k, c, err) < 0)
			return -1;
	if (weight >= 10) /* v1 blkio 10-1000 onto v2 io 1-10000 */
		c->cgroup.io_weight = (unsigned)(1 + (weight - 10) * 9999 / 990);
	return read_device_rules(res, o, err);
}

/** One linux.devices entry: path and type required, major and minor unless a FIFO. */
static int
read_device(json_t *v, const char *path, struct oci_device *d, struct nook_error *err)
{
	char sub[PATH_LEN];
	const char *type = NULL;
	long long major = -1, minor = -1, mode = 0666, uid = 0, gid = 0;

	if (!json_is_object(v))
		return bad(err, path, "expected an object");
	if (get_string(v, path, "path", &d->path, err) < 0 ||
	    get_string(v, path, "type", &type, err) < 0 ||
	    get_int(v, path, "major", 0, 4095, &major, err) < 0 ||
	    get_int(v, path, "minor", 0, (1 << 20) - 1, &minor, err) < 0 ||
	    get_int(v, path, "fileMode", 0, 0177777, &mode, err) < 0 || /* podman: S_IFCHR|0666 */
	    get_int(v, path, "uid", 0, UINT32_MAX - 1, &uid, err) < 0 ||
	    get_int(v, path, "gid", 0, UINT32_MAX - 1, &gid, err) < 0)
		return -1;
	if (!d->path || d->path[0] != '/' || d->path[strlen(d->path) - 1] == '/')
		return bad(err, member(sub, path, "path"), "missing, or not an absolute file path");
	if (!type || strlen(type) != 1 || !strchr("cubp", type[0]))
		return bad(err, member(sub, path, "type"), "c, b, u or p");
	if (type[0] != 'p' && (major < 0 || minor < 0))
		return bad(err, path, "major and minor are required for a \"%s\" device", type);
	*d = (struct oci_device){d->path,   type[0] == 'u' ? 'c' : type[0], major,
				 minor,	    (mode_t)mode & 07777,	    (uid_t)uid,
				 (gid_t)gid};
	return 0;
}

/**
 * linux.devices, and the device cgroup's rules: linux.resources.devices as given, then —
 * as runc does — the default devices and those of linux.devices allowed, so that the
 * nodes every container has, and those the config asks for, can be opened.
 */
static int
read_devices(json_t *lx, struct nook_container *c, struct nook_oci *o, struct nook_error *err)
{
	char path[PATH_LEN];
	json_t *list;
	int r = get_array(lx, "linux", "devices", &list, err);

	if (r < 0)
		return -1;
	if (json_array_size(list) > OCI_MAX_DEVICES)
		return bad(err, "linux.devices", "more than %d", OCI_MAX_DEVICES);
	for (size_t i = 0; r > 0 && i < json_array_size(list); i++)
		if (read_device(json_array_get(list, i), item(path, "linux.devices", i),
				&o->device[o->ndevices++], err) < 0)
			return -1;
	if (!o->has_device_rules && !o->ndevices)
		return 0; /* devices_default, as the step programs have */
	for (int i = o->has_device_rules ? 1 : 0; i < devices_ndefault; i++)
		o->device_rules[o->ndevice_rules++] = devices_default[i];
	/* given rules decide alone: podman's --device X:r adds X to linux.devices and an "r"
	 * rule, which an allow-all of X after it would undo */
	for (int i = 0; !o->has_device_rules && i < o->ndevices; i++)
		if (o->device[i].type != 'p')
			o->device_rules[o->ndevice_rules++] = (struct nook_device_rule){
				true, o->device[i].type, o->device[i].major, o->device[i].minor,
				"rwm"};
	c->cgroup.devices = o->device_rules;
	c->cgroup.ndevices = o->ndevice_rules;
	return 0;
}

/**
 * linux.cgroupsPath into c->cgroup.path, a path below each hierarchy's root: an absolute
 * one from that root ("/machine/c1": what podman's cgroupfs manager gives), a relative one
 * below nook's own directory ("c1": nook/c1), as runc's cgroupfs driver takes them. The
 * systemd form, "slice:prefix:name", asks for a unit systemd makes: refused.
 */
static int
read_cgroups_path(json_t *lx, struct nook_container *c, struct nook_oci *o, struct nook_error *err)
{
	const char *p = NULL, *seg;
	int r = get_string(lx, "linux", "cgroupsPath", &p, err), n;

	if (r <= 0 || !p[0])
		return r;
	o->cgroups_path = p;
	if (p[0] != '/' && strchr(p, ':'))
		return bad(err, "linux.cgroupsPath",
			   "\"%.60s\": the systemd form slice:prefix:name needs --systemd-cgroup, "
			   "which nook does not support (podman: --cgroup-manager cgroupfs)",
			   p);
	if (strcmp(p, "/") == 0)
		return bad(err, "linux.cgroupsPath", "\"/\": the root cgroup itself");
	for (seg = p[0] == '/' ? p + 1 : p;; seg += n + 1) {
		n = (int)strcspn(seg, "/");
		if (n == 0 || (n == 1 && seg[0] == '.') || (n == 2 && strncmp(seg, "..", 2) == 0))
			return bad(err, "linux.cgroupsPath",
				   "\"%.60s\": an empty, . or .. component", p);
		if (!seg[n])
			break;
	}
	n = p[0] == '/' ? snprintf(o->cgroup_rel, sizeof(o->cgroup_rel), "%s", p + 1)
			: snprintf(o->cgroup_rel, sizeof(o->cgroup_rel), "nook/%s", p);
	if (n >= (int)sizeof(o->cgroup_rel))
		return bad(err, "linux.cgroupsPath", "\"%.60s...\": too long", p);
	c->cgroup.path = o->cgroup_rel;
	return 0;
}

/**
 * `nook update --resources`: @p text, a linux.resources object alone, into @p c's limits
 * through the same reader (and so the same setters) as config.json's.
 */
int
oci_resources_parse(const char *text, struct nook_container *c, struct nook_error *err)
{
	json_error_t jerr;
	json_t *res = json_loads(text, JSON_REJECT_DUPLICATES, &jerr), *lx;
	int ret;

	if (!res)
		return nook_fail(err, 0, "--resources: line %d: not JSON: %s", jerr.line,
				 jerr.text);
	if (!json_is_object(res)) {
		json_decref(res);
		return bad(err, "linux.resources", "expected an object");
	}
	lx = json_pack("{s:o}", "resources", res);
	if (!lx)
		return nook_fail(err, ENOMEM, "--resources");
	ret = read_resources(lx, c, NULL, err);
	json_decref(lx);
	return ret;
}

/** maskedPaths or readonlyPaths into @p list. */
static int
read_paths(json_t *lx, const char *key, const char **list, int *n, struct nook_error *err)
{
	char parent[PATH_LEN], path[PATH_LEN];
	const char *s;
	json_t *a;
	int r = get_array(lx, "linux", key, &a, err);

	if (r <= 0)
		return r;
	member(parent, "linux", key);
	if (json_array_size(a) > NOOK_MAX_MASKED)
		return bad(err, parent, "more than %d paths", NOOK_MAX_MASKED);
	for (size_t i = 0; i < json_array_size(a); i++) {
		if (!(s = string_item(a, parent, i, err)))
			return -1;
		if (s[0] != '/')
			return bad(err, item(path, parent, i), "not an absolute path");
		list[(*n)++] = s;
	}
	return 0;
}

/** linux.seccomp: the same format as --seccomp's files, through step 09's reader. */
static int
read_seccomp(json_t *lx, struct nook_container *c, struct nook_oci *o, struct nook_error *err)
{
	json_t *sec, *copy, *flags;
	int r = get_object(lx, "linux", "seccomp", &sec, err);

	c->seccomp.unconfined = r <= 0; /* OCI: no profile, no filter */
	if (r <= 0)
		return r;
	flags = json_object_get(sec, "flags");
	if (flags && !(json_is_array(flags) && json_array_size(flags) == 0))
		return bad(err, "linux.seccomp.flags", "not supported yet");
	copy = json_copy(sec); /* the reader refuses members it does not know */
	if (!copy)
		return nook_fail(err, ENOMEM, "linux.seccomp");
	json_object_del(copy, "flags");
	json_object_del(copy, "listenerPath");
	json_object_del(copy, "listenerMetadata");
	r = seccomp_profile_from_json(copy, "linux.seccomp", &o->seccomp, err);
	json_decref(copy);
	if (r < 0)
		return -1;
	o->has_seccomp = true;
	c->seccomp.profile = &o->seccomp;
	return 0;
}

static int
read_sysctl(json_t *lx, struct nook_oci *o, struct nook_error *err)
{
	char path[PATH_LEN];
	const char *key;
	json_t *obj, *v;
	int r = get_object(lx, "linux", "sysctl", &obj, err);

	if (r <= 0)
		return r;
	json_object_foreach(obj, key, v)
	{
		member(path, "linux.sysctl", key);
		if (!json_is_string(v))
			return bad(err, path, "expected a string");
		if (o->nsysctl == OCI_MAX_SYSCTL || strstr(key, "..") || strchr(key, '/'))
			return bad(err, path, "not a sysctl name, or too many");
		o->sysctl[o->nsysctl++] = (struct oci_sysctl){key, json_string_value(v)};
	}
	return 0;
}

static int
read_propagation(json_t *lx, struct nook_oci *o, struct nook_error *err)
{
	const char *p = NULL;
	int r = get_string(lx, "linux", "rootfsPropagation", &p, err);

	if (r <= 0)
		return r;
	for (size_t k = 0; k < NELEM(propagations); k++)
		if (strcmp(p, propagations[k].name) == 0) {
			o->propagation = propagations[k].flag;
			return 0;
		}
	return bad(err, "linux.rootfsPropagation", "unknown propagation \"%.40s\"", p);
}

static int
read_linux(json_t *doc, struct nook_container *c, struct nook_oci *o, struct nook_error *err)
{
	char path[PATH_LEN];
	json_t *lx, *ns;
	int r = get_object(doc, "", "linux", &lx, err);

	c->seccomp.unconfined = true;
	if (r <= 0)
		return r;
	if ((r = get_array(lx, "linux", "namespaces", &ns, err)) < 0)
		return -1;
	for (size_t i = 0; r > 0 && i < json_array_size(ns); i++)
		if (read_namespace(json_array_get(ns, i), item(path, "linux.namespaces", i), c, o,
				   err) < 0)
			return -1;
	if (read_mappings(lx, "uidMappings", &c->uid_map, err) < 0 ||
	    read_mappings(lx, "gidMappings", &c->gid_map, err) < 0 ||
	    read_resources(lx, c, o, err) < 0 || read_devices(lx, c, o, err) < 0 ||
	    read_paths(lx, "maskedPaths", c->masked, &c->nmasked, err) < 0 ||
	    read_paths(lx, "readonlyPaths", c->readonly_paths, &c->nreadonly, err) < 0 ||
	    read_seccomp(lx, c, o, err) < 0 || read_sysctl(lx, o, err) < 0 ||
	    read_propagation(lx, o, err) < 0 || read_cgroups_path(lx, c, o, err) < 0)
		return -1;
	if ((c->uid_map.n || c->gid_map.n) && !c->userns)
		return bad(err, "linux.uidMappings", "given without a new user namespace");
	if ((o->join_flags & CLONE_NEWUSER) && (o->clone_flags & CLONE_NEWPID))
		return bad(err, "linux.namespaces",
			   "a new PID namespace in a joined user namespace is not supported");
	return 0;
}

/* ---- hooks ------------------------------------------------------------------------------ */

/** A hook's "args" or "env": NULL-terminated, pointing into the document. */
static int
string_list(json_t *h, const char *parent, const char *key, char ***out, struct nook_error *err)
{
	char path[PATH_LEN];
	json_t *a;
	size_t n;
	int r = get_array(h, parent, key, &a, err);

	if (r <= 0)
		return r;
	n = json_array_size(a);
	if (!(*out = calloc(n + 1, sizeof(**out))))
		return nook_fail(err, ENOMEM, "%s", member(path, parent, key));
	for (size_t i = 0; i < n; i++)
		if (!((*out)[i] = (char *)string_item(a, member(path, parent, key), i, err)))
			return -1;
	return 0;
}

static int
read_hook(json_t *h, const char *path, struct oci_hook *hook, struct nook_error *err)
{
	char sub[PATH_LEN];
	long long timeout = 0;

	if (!json_is_object(h))
		return bad(err, path, "expected an object");
	if (get_string(h, path, "path", &hook->path, err) < 0)
		return -1;
	if (!hook->path || hook->path[0] != '/')
		return bad(err, member(sub, path, "path"), "missing, or not absolute");
	if (string_list(h, path, "args", &hook->args, err) < 0 ||
	    string_list(h, path, "env", &hook->env, err) < 0 ||
	    get_int(h, path, "timeout", 1, 3600, &timeout, err) < 0)
		return -1;
	hook->timeout = (int)timeout;
	return 0;
}

/** hooks, every kind: each an array of {path, args, env, timeout}. */
static int
read_hooks(json_t *doc, struct nook_oci *o, struct nook_error *err)
{
	static const char *const kinds[OCI_NHOOK_KINDS] = {"prestart",	      "createRuntime",
							   "poststart",	      "poststop",
							   "createContainer", "startContainer"};
	char parent[PATH_LEN], path[PATH_LEN];
	json_t *hooks, *list;
	int r = get_object(doc, "", "hooks", &hooks, err);

	if (r <= 0)
		return r;
	for (int k = 0; k < OCI_NHOOK_KINDS; k++) {
		if ((r = get_array(hooks, "hooks", kinds[k], &list, err)) < 0)
			return -1;
		member(parent, "hooks", kinds[k]);
		if (json_array_size(list) > OCI_MAX_HOOKS)
			return bad(err, parent, "more than %d", OCI_MAX_HOOKS);
		for (size_t i = 0; r > 0 && i < json_array_size(list); i++)
			if (read_hook(json_array_get(list, i), item(path, parent, i),
				      &o->hook[k][o->nhooks[k]++], err) < 0)
				return -1;
	}
	return 0;
}

/* ---- the document ----------------------------------------------------------------------- */

static int
read_config(json_t *doc, struct nook_container *c, struct nook_oci *o, struct nook_error *err)
{
	const char *version = NULL, *hostname = NULL;
	struct nook_error why;
	int r;

	if (!json_is_object(doc))
		return bad(err, "(top)", "expected an object");
	if ((r = get_string(doc, "", "ociVersion", &version, err)) <= 0)
		return r < 0 ? -1 : bad(err, "ociVersion", "missing");
	if (strncmp(version, "1.", 2) != 0)
		return bad(err, "ociVersion", "\"%.20s\": only 1.x is known", version);
	if (read_root(doc, o, err) < 0 || read_process(doc, c, o, err) < 0 ||
	    read_mounts(doc, o, err) < 0 || read_linux(doc, c, o, err) < 0 ||
	    read_hooks(doc, o, err) < 0)
		return -1;
	if ((r = get_string(doc, "", "hostname", &hostname, err)) < 0)
		return -1;
	if (r > 0 && uts_check_hostname(hostname, &why) < 0)
		return bad(err, "hostname", "%s", why.msg);
	c->hostname = hostname;
	if (get_object(doc, "", "annotations", &(json_t *){NULL}, err) < 0)
		return -1; /* annotations: kept for `state`; nook's own overlay read */
	return oci_overlay_read(doc, o, err);
}

/**
 * Read config.json text @p text of bundle directory @p bundle into @p c and @p o.
 * @return 0, or -1 with @p err one line naming the JSON path of what is wrong.
 */
int
oci_config_parse(const char *text, const char *bundle, struct nook_container *c, struct nook_oci *o,
		 struct nook_error *err)
{
	json_error_t jerr;
	json_t *doc;

	*o = (struct nook_oci){0};
	c->oci = o;
	if (snprintf(o->bundle, sizeof(o->bundle), "%s", bundle) >= (int)sizeof(o->bundle))
		return nook_fail(err, 0, "bundle path too long");
	doc = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc)
		return nook_fail(err, 0, "config.json: line %d: not JSON: %s", jerr.line,
				 jerr.text);
	o->doc = doc;
	return read_config(doc, c, o, err);
}

/** Read BUNDLE/config.json; @p bundle is made absolute first. */
int
oci_config_load(const char *bundle, struct nook_container *c, struct nook_oci *o,
		struct nook_error *err)
{
	char dir[PATH_MAX], file[PATH_MAX + 16], *text;
	FILE *f;
	size_t len;
	int ret;

	*o = (struct nook_oci){0};
	if (!realpath(bundle, dir))
		return nook_fail(err, errno, "bundle \"%s\"", bundle);
	snprintf(file, sizeof(file), "%s/config.json", dir);
	f = fopen(file, "re");
	if (!f)
		return nook_fail(err, errno, "open(\"%s\")", file);
	text = NULL;
	len = 0;
	ret = getdelim(&text, &len, '\0', f) < 0 ? -1 : 0;
	fclose(f);
	if (ret < 0) {
		free(text);
		return nook_fail(err, errno, "read(\"%s\")", file);
	}
	ret = oci_config_parse(text, dir, c, o, err);
	free(text);
	return ret;
}

/**
 * `exec --process FILE`: an OCI process object (config.json's "process") over what the
 * container's own config said: its args, env, cwd, user and capabilities replace those.
 */
int
oci_process_load(const char *file, struct nook_container *c, struct nook_oci *o,
		 struct nook_error *err)
{
	json_error_t jerr;
	json_t *proc = json_load_file(file, JSON_REJECT_DUPLICATES, &jerr), *doc;

	if (!proc)
		return nook_fail(err, 0, "--process %s: line %d: %s", file, jerr.line, jerr.text);
	doc = json_pack("{s:o}", "process", proc);
	if (!doc)
		return nook_fail(err, ENOMEM, "--process %s", file);
	json_decref(o->proc_doc);
	o->proc_doc = doc;
	free(o->argv);
	o->argv = NULL;
	c->nenv = 0;
	c->caps = (struct nook_caps){0};
	o->nrlimits = 0;
	return read_process(doc, c, o, err);
}

/** Release what the reader holds. */
void
oci_config_free(struct nook_oci *o)
{
	json_decref(o->proc_doc);
	o->proc_doc = NULL;
	for (int k = 0; k < OCI_NHOOK_KINDS; k++) {
		for (int i = 0; i < o->nhooks[k]; i++) {
			free(o->hook[k][i].args);
			free(o->hook[k][i].env);
		}
		o->nhooks[k] = 0;
	}
	if (o->has_seccomp)
		seccomp_profile_free(&o->seccomp);
	free(o->argv);
	json_decref(o->doc);
	o->argv = NULL;
	o->doc = NULL;
	o->has_seccomp = false;
}

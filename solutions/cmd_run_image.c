/**
 * @file cmd_run_image.c
 * @brief `nook run [OPTIONS] IMAGE [CMD...]`: an image of the store turned into an OCI
 *        bundle, and run by the step-10 runtime under a monitor.
 *
 * This is what podman does before it calls runc, made small:
 *
 *  1. the container gets a directory in the store, containers/NAME/, and a file there
 *     naming its image (so that `nook rmi` refuses to forget an image in use); NAME is
 *     --name or 12 random hex digits, and is also its runc ID (ctr.h);
 *  2. its root filesystem is an overlay mounted on the host at containers/NAME/rootfs: the
 *     image's layers, shared and never written, as lower layers (top first), and upper/
 *     and work/ of this container alone as the writable layer — two containers of one
 *     image use the very same layer directories (rootfs.c explains overlay);
 *  3. config.json is runc's default (cmd_spec.c) with the image's config filled in:
 *     process.args is Entrypoint followed by CMD (or the image's Cmd), process.env the
 *     image's Env and then -e/--env-file, process.cwd -w or WorkingDir, process.user -u or
 *     the image's User (a number, or a name looked up in the image's own /etc/passwd and
 *     /etc/group); then the options (cmd_run_options.c): -v as bind mounts, --read-only
 *     as root.readonly, --memory, --cpus and --pids-limit as linux.resources, -t as
 *     process.terminal; container.json keeps what `ps`, `stop` and `inspect` show;
 *     each `--device` becomes edits of that config (cdi.h): a host node, linux.devices
 *     and a device cgroup rule (device_opt.c); a CDI name, its spec's edits (cdi.c);
 *  4. the bundle is run under a monitor (cmd_run_monitor.c): this process in the
 *     foreground, a background one with -d.
 *
 * When the container has ended its overlay is unmounted; with --rm its directory goes
 * too, writable layer and all. Without --rm the directory stays, with its log and exit
 * status, until `nook rm`. Any failure before the command runs removes what was made: no
 * mount, no directory.
 *
 * Without root (an ordinary user's store, image_rootless.c) the overlay cannot be mounted
 * on the host: config.json is then `nook spec --rootless`'s form, and names the overlay in
 * an annotation for the runtime to mount inside the container's user namespace, with
 * "userxattr" (oci_overlay.c). Nothing is mounted on the host then, and the container's
 * state goes under $XDG_RUNTIME_DIR/nook, as for any rootless bundle.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <jansson.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cdi.h"
#include "ctr.h"
#include "image.h"
#include "run.h"

/** Options only runc's form has (see cmd_run.c); the image form's are in run_options. */
static const char *const runc_only[] = {
	"--bundle",	  "-b",		"--pid-file",	    "--console-socket",
	"--preserve-fds", "--no-pivot", "--no-new-keyring", NULL};

/** Is @p arg one of @p list (or "--opt=..." of one)? */
static bool
among(const char *arg, const char *const *list)
{
	for (; *list; list++) {
		size_t n = strlen(*list);

		if (strncmp(arg, *list, n) == 0 && (arg[n] == '\0' || arg[n] == '='))
			return true;
	}
	return false;
}

/** Does some image of the store answer to @p ref? */
static bool
names_image(const char *ref)
{
	struct image_store s;
	struct image_record rec;
	struct nook_error err;
	bool found;

	if (image_cli_open(&s, false, &err) < 0)
		return false;
	found = image_store_find(&s, ref, &rec, &err) == 0;
	image_store_close(&s);
	return found;
}

/** Is `nook run ARGS` the image form? See cmd_run.c. */
bool
cmd_run_is_image(int argc, char *argv[])
{
	for (int i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (among(argv[i], runc_only))
			return false;
		if (run_option_is_image(argv[i]))
			return true;
	}
	for (int i = 1; i < argc; i++)
		if (argv[i][0] != '-')
			return names_image(argv[i]);
	return false;
}

/** A name of 12 random hex digits into @p id (room for 13), as docker's short IDs. */
static int
random_id(char *id, struct nook_error *err)
{
	unsigned char b[6];

	if (getrandom(b, sizeof(b), 0) != sizeof(b))
		return nook_fail(err, errno, "getrandom");
	for (int i = 0; i < 6; i++)
		snprintf(id + 2 * i, 3, "%02x", b[i]);
	return 0;
}

/** containers/ID/ with its image file, upper/, work/ and rootfs/. */
static int
make_dir(const struct image_store *s, const char *id, const struct image_record *rec, char *dir,
	 size_t size, struct nook_error *err)
{
	static const char *const sub[] = {"upper", "work", "rootfs"};
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/containers/%s", s->root, id);
	if (mkdir(path, 0711) < 0)
		return nook_fail(err, errno == EEXIST ? 0 : errno,
				 errno == EEXIST ? "container \"%s\": the name is in use"
						 : "container \"%s\": mkdir",
				 id);
	snprintf(dir, size, "%s", path); /* ours from now on: removed should we fail */
	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, sub[i]);
		if (mkdir(path, 0755) < 0)
			return nook_fail(err, errno, "mkdir(\"%s\")", path);
	}
	snprintf(path, sizeof(path), "%s/image", dir);
	if (!(f = fopen(path, "wxe")) || fputs(rec->id, f) < 0 || fclose(f) != 0)
		return nook_fail(err, errno ?: EIO, "write(\"%s\")", path);
	return 0;
}

/**
 * Where the image's file @p rel ("etc/passwd") is: in the mounted root @p rootfs as root;
 * without root nothing is mounted yet, so in the topmost layer that has it.
 */
static void
image_file(const struct image_store *s, const struct image_record *rec, const char *rootfs,
	   const char *rel, char *path, size_t size)
{
	char layer[PATH_MAX];

	snprintf(path, size, "%s/%s", rootfs, rel);
	for (int i = rec->nlayers - 1; image_rootless() && i >= 0; i--) {
		image_store_layer_dir(s, rec->layers[i], layer, sizeof(layer));
		if (snprintf(path, size, "%s/%s", layer, rel) < (int)size &&
		    access(path, F_OK) == 0)
			return;
	}
}

/** @p spec a number, or a name in the image's file @p path (its passwd or group). */
static long
lookup_id(const char *path, const char *file, const char *spec)
{
	char *end;
	long id = strtol(spec, &end, 10);
	FILE *f;

	if (*spec && *end == '\0')
		return id;
	if (!(f = fopen(path, "re")))
		return -1;
	id = -1;
	if (strcmp(file, "passwd") == 0) {
		for (struct passwd *p; id < 0 && (p = fgetpwent(f));)
			id = strcmp(p->pw_name, spec) == 0 ? (long)p->pw_uid : -1;
	} else {
		for (struct group *g; id < 0 && (g = fgetgrent(f));)
			id = strcmp(g->gr_name, spec) == 0 ? (long)g->gr_gid : -1;
	}
	fclose(f);
	return id;
}

/** The image's /etc/passwd and /etc/group, found by image_file(). */
struct image_etc {
	char passwd[PATH_MAX], group[PATH_MAX];
};

/** process.user from the image's "User" (USER[:GROUP]), names read in its own files. */
static int
set_user(json_t *process, const char *user, const struct image_etc *etc, struct nook_error *err)
{
	char u[256], *colon;
	long uid, gid;

	if (!user || !*user)
		return 0;
	snprintf(u, sizeof(u), "%s", user);
	if ((colon = strchr(u, ':')))
		*colon++ = '\0';
	uid = lookup_id(etc->passwd, "passwd", u);
	gid = colon ? lookup_id(etc->group, "group", colon) : uid;
	if (uid < 0 || gid < 0)
		return nook_fail(err, 0, "image User \"%s\": not in the image's /etc/passwd", user);
	json_object_set_new(
		process, "user",
		json_pack("{s:I, s:I}", "uid", (json_int_t)uid, "gid", (json_int_t)gid));
	return 0;
}

/** process.args: Entrypoint, then CMD or the image's Cmd. */
static int
set_args(json_t *process, json_t *cfg, const struct run_opts *o, struct nook_error *err)
{
	json_t *args = json_array(), *entry = json_object_get(cfg, "Entrypoint");
	json_t *cmd = json_object_get(cfg, "Cmd"), *v;
	size_t i;

	json_array_foreach(entry, i, v)
	{
		json_array_append(args, v);
	}
	if (o->cmd[0])
		for (i = 0; o->cmd[i]; i++)
			json_array_append_new(args, json_string(o->cmd[i]));
	else
		json_array_foreach(cmd, i, v)
		{
			json_array_append(args, v);
		}
	if (json_array_size(args) == 0) {
		json_decref(args);
		return nook_fail(err, 0, "image %s has no command: give one", o->image);
	}
	json_object_set_new(process, "args", args);
	return 0;
}

/** process.env: the image's Env (or a PATH), then each -e, replacing the same name. */
static void
set_env(json_t *process, json_t *cfg, const struct run_opts *o)
{
	json_t *env = json_deep_copy(json_object_get(cfg, "Env")), *v;
	size_t i, n;

	if (!json_is_array(env)) {
		json_decref(env);
		env = json_pack("[s]", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
				       "/sbin:/bin");
	}
	for (int k = 0; k < o->nenv; k++) {
		n = strchr(o->env[k], '=') - o->env[k] + 1;
		json_array_foreach(env, i, v)
		{
			if (strncmp(json_string_value(v) ?: "", o->env[k], n) == 0)
				json_array_remove(env, i--);
		}
		json_array_append_new(env, json_string(o->env[k]));
	}
	json_object_set_new(process, "env", env);
}

/** mounts[]: each -v as a recursive bind, read-only with :ro. */
static void
add_volumes(json_t *spec, const struct run_opts *o)
{
	json_t *mounts = json_object_get(spec, "mounts");

	for (int i = 0; i < o->nvol; i++)
		json_array_append_new(mounts,
				      json_pack("{s:s, s:s, s:s, s:[s, s, s]}", "destination",
						o->vol[i].dest, "type", "bind", "source",
						o->vol[i].host, "options", "rbind", "rprivate",
						o->vol[i].ro ? "ro" : "rw"));
}

/** linux.resources: --memory, --cpus, --pids-limit (the template's devices kept). */
static void
add_resources(json_t *spec, const struct run_opts *o)
{
	json_t *res = json_object_get(json_object_get(spec, "linux"), "resources");

	if (!json_is_object(res))
		return;
	if (o->memory)
		json_object_set_new(res, "memory", json_pack("{s:I}", "limit", o->memory));
	if (o->cpu_quota)
		json_object_set_new(res, "cpu",
				    json_pack("{s:I, s:I}", "quota", o->cpu_quota, "period",
					      (json_int_t)100000));
	if (o->pids_limit)
		json_object_set_new(res, "pids", json_pack("{s:I}", "limit", o->pids_limit));
}

/** The process and the options that are not the image's: terminal, root, limits. */
static void
apply_options(json_t *spec, json_t *process, json_t *cfg, const struct run_opts *o, const char *id)
{
	const char *cwd = o->workdir ?: json_string_value(json_object_get(cfg, "WorkingDir"));

	json_object_set_new(process, "cwd", json_string(cwd && *cwd ? cwd : "/"));
	json_object_set_new(process, "terminal", json_boolean(o->tty));
	json_object_set_new(json_object_get(spec, "root"), "readonly", json_boolean(o->read_only));
	json_object_set_new(spec, "hostname", json_string(id));
	set_env(process, cfg, o);
	add_volumes(spec, o);
	add_resources(spec, o);
}

/** container.json (ctr.h): what `run` was asked, for ps, stop and inspect. */
static int
write_info(const char *dir, const char *id, const struct image_record *rec,
	   const struct run_opts *o, json_t *spec, json_t *cfg, struct nook_error *err)
{
	const char *sig = json_string_value(json_object_get(cfg, "StopSignal"));
	char now[48], *text;
	json_t *info;
	int ret;

	oci_now(now, sizeof(now));
	info = json_pack("{s:s, s:s, s:s, s:O, s:s, s:b, s:b, s:s}", "name", id, "image", o->image,
			 "imageId", rec->id, "command",
			 json_object_get(json_object_get(spec, "process"), "args"), "stopSignal",
			 sig && oci_parse_signal(sig) > 0 ? sig : "SIGTERM", "rm", o->rm, "detach",
			 o->detach, "created", now);
	text = info ? json_dumps(info, JSON_INDENT(2)) : NULL;
	json_decref(info);
	if (!text)
		return nook_fail(err, ENOMEM, "container.json");
	ret = ctr_write_file(dir, CTR_INFO, text, err);
	free(text);
	return ret;
}

/** Each --device into @p spec: a host node (device_opt.c) or a CDI device (cdi.c). */
static int
set_devices(json_t *spec, const struct run_opts *o, struct nook_error *err)
{
	struct device_opt d;

	for (int i = 0; i < o->ndevices; i++) {
		if (device_opt_is_cdi(o->device[i])) {
			if (cdi_apply(spec, o->device[i], &o->cdi, err) < 0)
				return -1;
		} else if (device_opt_parse(o->device[i], &d, err) < 0 ||
			   device_opt_apply(spec, &d, err) < 0) {
			return -1;
		}
	}
	return 0;
}

/**
 * The bundle's spec: runc's default, or without root its rootless form (cmd_spec.c) with
 * the overlay for the runtime to mount inside (oci_overlay.c).
 */
static json_t *
bundle_spec(const struct image_store *s, const struct image_record *rec, const char *dir,
	    struct nook_error *err)
{
	json_t *spec = oci_spec_template();
	char opts[4096];

	if (!spec)
		return nook_fail(err, 0, "spec: the built-in template is broken"), NULL;
	if (!image_rootless())
		return spec;
	oci_spec_rootless(spec);
	if (image_overlay_options(s, rec, dir, opts, sizeof(opts), err) < 0) {
		json_decref(spec);
		return NULL;
	}
	json_object_set_new(spec, "annotations", json_pack("{s:s}", OCI_OVERLAY_ANNOTATION, opts));
	return spec;
}

/** config.json of the bundle @p dir: the bundle's spec with the image's config in it. */
static int
write_config(const struct image_store *s, const struct image_record *rec, const struct run_opts *o,
	     const char *dir, const char *id, struct nook_error *err)
{
	json_t *spec, *image, *cfg, *process;
	struct image_etc etc;
	char path[PATH_MAX], *text;
	const char *user;
	size_t len;
	int ret = -1;

	if (!(spec = bundle_spec(s, rec, dir, err)))
		return -1;
	if (!(text = image_store_blob(s, rec->id, &len, err))) {
		json_decref(spec);
		return -1;
	}
	image = json_loadb(text, len, 0, NULL);
	free(text);
	cfg = json_object_get(image, "config");
	process = json_object_get(spec, "process");
	snprintf(path, sizeof(path), "%s/rootfs", dir);
	image_file(s, rec, path, "etc/passwd", etc.passwd, sizeof(etc.passwd));
	image_file(s, rec, path, "etc/group", etc.group, sizeof(etc.group));
	apply_options(spec, process, cfg, o, id);
	user = o->user ?: json_string_value(json_object_get(cfg, "User"));
	if (set_args(process, cfg, o, err) == 0 && set_user(process, user, &etc, err) == 0 &&
	    set_devices(spec, o, err) == 0 && write_info(dir, id, rec, o, spec, cfg, err) == 0) {
		snprintf(path, sizeof(path), "%s/config.json", dir);
		ret = json_dump_file(spec, path, JSON_INDENT(2));
		if (ret < 0)
			nook_fail(err, errno ?: EIO, "write(\"%s\")", path);
	}
	json_decref(image);
	json_decref(spec);
	return ret;
}

/** Refuse a name a runtime container (of an engine, or of `nook create`) already has. */
static int
name_free(const char *id, struct nook_error *err)
{
	struct oci_state st;
	struct nook_error none;

	if (oci_state_read(nook_cli.root, id, &st, &none) < 0)
		return 0;
	oci_state_free(&st);
	return nook_fail(err, 0, "container \"%s\": the name is in use", id);
}

/** The container's directory in the store, set up: made, mounted, configured. */
static int
prepare(struct image_store *s, const struct run_opts *o, const char *id, char *dir, size_t size,
	struct nook_error *err)
{
	struct image_record rec;

	dir[0] = '\0';
	if (name_free(id, err) < 0 || image_store_find(s, o->image, &rec, err) < 0 ||
	    make_dir(s, id, &rec, dir, size, err) < 0)
		return -1;
	/* --trace shows the overlay of the image's layers, though no container is made yet */
	trace_begin(image_rootless() ? NOOK_TRACE_OFF : nook_cli.trace);
	if (!image_rootless() && image_mount_rootfs(s, &rec, dir, err) < 0) {
		trace_end();
		return -1; /* without root, the runtime mounts it inside (oci_overlay.c) */
	}
	trace_end();
	return write_config(s, &rec, o, dir, id, err);
}

/** Unmount the container's root and, if @p all, remove its directory. */
void
ctr_finish(const char *dir, bool all)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/rootfs", dir);
	umount2(path, MNT_DETACH);
	if (all)
		image_remove_tree(dir);
}

int
cmd_run_image(int argc, char *argv[])
{
	struct run_opts o = {0};
	struct image_store s;
	struct nook_error err;
	char id[NOOK_ID_MAX + 1], dir[PATH_MAX];
	int ret;

	if (run_parse(argc, argv, &o, &err) < 0 || o.help) {
		run_opts_free(&o);
		return o.help ? (run_usage(stdout), 0) : nook_say(&err);
	}
	snprintf(id, sizeof(id), "%s", o.name ? o.name : "");
	if ((!o.name && random_id(id, &err) < 0) || image_cli_open(&s, true, &err) < 0) {
		run_opts_free(&o);
		return nook_say(&err);
	}
	ret = prepare(&s, &o, id, dir, sizeof(dir), &err);
	image_store_close(&s);
	if (ret < 0 && dir[0])
		ctr_finish(dir, true);
	ret = ret < 0 ? nook_say(&err) : run_monitored(id, dir, &o);
	run_opts_free(&o);
	return ret;
}

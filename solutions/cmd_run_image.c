/**
 * @file cmd_run_image.c
 * @brief `nook run [--rm] [--name N] [-e K=V] [-w DIR] IMAGE [CMD...]`: an image of the
 *        store turned into an OCI bundle, and run by the step-10 runtime.
 *
 * This is what podman does before it calls runc, made small:
 *
 *  1. the container gets a directory in the store, containers/ID/, and a file there
 *     naming its image (so that `nook rmi` refuses to forget an image in use);
 *  2. its root filesystem is an overlay mounted on the host at containers/ID/rootfs: the
 *     image's layers, shared and never written, as lower layers (top first), and upper/
 *     and work/ of this container alone as the writable layer — two containers of one
 *     image use the very same layer directories (rootfs.c explains overlay);
 *  3. config.json is runc's default (cmd_spec.c) with the image's config filled in:
 *     process.args is Entrypoint followed by CMD (or the image's Cmd), process.env the
 *     image's Env and then -e, process.cwd -w or WorkingDir, process.user the image's User
 *     (a number, or a name looked up in the image's own /etc/passwd and /etc/group);
 *  4. each `--device` becomes edits of that config (cdi.h): a host node, linux.devices
 *     and a device cgroup rule (device_opt.c); a CDI name, its spec's edits (cdi.c);
 *  5. the bundle is run as `nook run --bundle containers/ID ID` would (oci_run()).
 *
 * When the container has ended its overlay is unmounted; with --rm its directory goes
 * too, writable layer and all. Without --rm the directory stays, for the monitor commands
 * still to come (ps, logs, rm, commit). Any failure before the command runs removes what
 * was made: no mount, no directory.
 *
 * Rootless `nook run IMAGE` is not there yet: the overlay would have to be mounted in a
 * user namespace of the container's, with user.* xattrs for whiteouts (see rootfs.c).
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
#include "image.h"
#include "oci.h"

/** What the command line asks of the container. */
struct run_opts {
	bool rm;
	const char *name;
	const char *env[NOOK_MAX_ENV];
	int nenv;
	const char *workdir;
	const char *device[NOOK_MAX_DEVICE_OPTS]; /**< --device: HOST[:PATH][:rwm] or CDI */
	int ndevices;
	struct cdi_dirs cdi; /**< --cdi-spec-dir, or $NOOK_CDI_SPEC_DIRS, or the standard */
	const char *image;
	char **cmd; /**< CMD..., NULL-terminated (may be empty) */
};

/** Options only the image form has, and those only runc's has (see cmd_run.c). */
static const char *const image_only[] = {
	"--rm", "--name", "-e", "--env", "-w", "--workdir", "--device", "--cdi-spec-dir", NULL};
static const char *const runc_only[] = {"--bundle",
					"-b",
					"--pid-file",
					"--console-socket",
					"--preserve-fds",
					"--no-pivot",
					"--no-new-keyring",
					"--detach",
					"-d",
					NULL};

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
		if (among(argv[i], image_only))
			return true;
	}
	for (int i = 1; i < argc; i++)
		if (argv[i][0] != '-')
			return names_image(argv[i]);
	return false;
}

/** --device @p arg (@p ch 'D') or --cdi-spec-dir (@p ch 'C'), checked, into @p o. */
static int
device_option(struct run_opts *o, int ch, const char *arg, struct nook_error *err)
{
	struct device_opt d;

	if (ch == 'C' && (arg[0] != '/' || o->cdi.n == CDI_MAX_DIRS))
		return nook_fail(err, 0, "--cdi-spec-dir \"%s\": an absolute path, at most %d", arg,
				 CDI_MAX_DIRS);
	if (ch == 'C') {
		o->cdi.dir[o->cdi.n++] = arg;
		return 0;
	}
	if (o->ndevices == NOOK_MAX_DEVICE_OPTS)
		return nook_fail(err, 0, "--device: more than %d", NOOK_MAX_DEVICE_OPTS);
	if (device_opt_is_cdi(arg) && !cdi_name_valid(arg))
		return nook_fail(err, 0,
				 "--device \"%s\": not a CDI device name (vendor.com/class=name)",
				 arg);
	if (!device_opt_is_cdi(arg) && device_opt_parse(arg, &d, err) < 0)
		return -1;
	o->device[o->ndevices++] = arg;
	return 0;
}

/** Parse the image form's command line into @p o. */
static int
parse(int argc, char *argv[], struct run_opts *o, struct nook_error *err)
{
	static const struct option table[] = {
		{"rm", no_argument, NULL, 'r'},
		{"name", required_argument, NULL, 'n'},
		{"env", required_argument, NULL, 'e'},
		{"workdir", required_argument, NULL, 'w'},
		{"device", required_argument, NULL, 'D'},
		{"cdi-spec-dir", required_argument, NULL, 'C'},
		{NULL, 0, NULL, 0},
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "+e:w:", table, NULL)) != -1) {
		if (ch == 'D' || ch == 'C') {
			if (device_option(o, ch, optarg, err) < 0)
				return -1;
		} else if (ch == 'r')
			o->rm = true;
		else if (ch == 'n' && state_check_id(optarg, err) == 0)
			o->name = optarg;
		else if (ch == 'e' && o->nenv < NOOK_MAX_ENV && strchr(optarg, '='))
			o->env[o->nenv++] = optarg;
		else if (ch == 'w' && optarg[0] == '/')
			o->workdir = optarg;
		else
			return ch == 'n' ? -1
					 : nook_fail(err, 0, "run: bad option '%s'",
						     argv[optind - 1]);
	}
	if (optind >= argc)
		return nook_fail(err, 0, "run: expected an IMAGE");
	if (o->cdi.n == 0)
		cdi_default_dirs(&o->cdi);
	o->image = argv[optind];
	o->cmd = argv + optind + 1;
	return 0;
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

/** The overlay of the image's layers (top first) and the container's upper/ on rootfs/. */
static int
mount_rootfs(const struct image_store *s, const struct image_record *rec, const char *dir,
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

/** @p spec a number, or a name in the image's file @p file (passwd or group). */
static long
lookup_id(const char *rootfs, const char *file, const char *spec)
{
	char path[PATH_MAX], *end;
	long id = strtol(spec, &end, 10);
	FILE *f;

	if (*spec && *end == '\0')
		return id;
	snprintf(path, sizeof(path), "%s/etc/%s", rootfs, file);
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

/** process.user from the image's "User" (USER[:GROUP]), names read in its own files. */
static int
set_user(json_t *process, const char *user, const char *rootfs, struct nook_error *err)
{
	char u[256], *colon;
	long uid, gid;

	if (!user || !*user)
		return 0;
	snprintf(u, sizeof(u), "%s", user);
	if ((colon = strchr(u, ':')))
		*colon++ = '\0';
	uid = lookup_id(rootfs, "passwd", u);
	gid = colon ? lookup_id(rootfs, "group", colon) : uid;
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

/** config.json of the bundle @p dir: runc's default with the image's config in it. */
static int
write_config(const struct image_store *s, const struct image_record *rec, const struct run_opts *o,
	     const char *dir, const char *id, struct nook_error *err)
{
	json_t *spec = oci_spec_template(), *image, *cfg, *process;
	char path[PATH_MAX], *text;
	const char *cwd;
	size_t len;
	int ret = -1;

	if (!spec || !(text = image_store_blob(s, rec->id, &len, err)))
		return spec ? -1 : nook_fail(err, 0, "spec: the built-in template is broken");
	image = json_loadb(text, len, 0, NULL);
	free(text);
	cfg = json_object_get(image, "config");
	process = json_object_get(spec, "process");
	snprintf(path, sizeof(path), "%s/rootfs", dir);
	cwd = o->workdir ?: json_string_value(json_object_get(cfg, "WorkingDir"));
	json_object_set_new(process, "cwd", json_string(cwd && *cwd ? cwd : "/"));
	json_object_set_new(process, "terminal", json_boolean(isatty(STDIN_FILENO)));
	json_object_set_new(json_object_get(spec, "root"), "readonly", json_false());
	json_object_set_new(spec, "hostname", json_string(id));
	set_env(process, cfg, o);
	if (set_args(process, cfg, o, err) == 0 &&
	    set_user(process, json_string_value(json_object_get(cfg, "User")), path, err) == 0 &&
	    set_devices(spec, o, err) == 0) {
		snprintf(path, sizeof(path), "%s/config.json", dir);
		ret = json_dump_file(spec, path, JSON_INDENT(2));
		if (ret < 0)
			nook_fail(err, errno ?: EIO, "write(\"%s\")", path);
	}
	json_decref(image);
	json_decref(spec);
	return ret;
}

/** The container's directory in the store, set up: made, mounted, configured. */
static int
prepare(struct image_store *s, const struct run_opts *o, const char *id, char *dir, size_t size,
	struct nook_error *err)
{
	struct image_record rec;

	dir[0] = '\0';
	if (image_store_find(s, o->image, &rec, err) < 0 ||
	    make_dir(s, id, &rec, dir, size, err) < 0)
		return -1;
	if (mount_rootfs(s, &rec, dir, err) < 0)
		return -1;
	return write_config(s, &rec, o, dir, id, err);
}

/** Unmount the container's root and, if @p all, remove its directory. */
static void
finish(const char *dir, bool all)
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
	struct oci_create_opts opts = {0};
	struct run_opts o = {0};
	struct image_store s;
	struct nook_error err;
	char id[NOOK_ID_MAX + 1], dir[PATH_MAX];
	int status, ret;

	if (parse(argc, argv, &o, &err) < 0)
		return nook_say(&err);
	snprintf(id, sizeof(id), "%s", o.name ? o.name : "");
	if ((!o.name && random_id(id, &err) < 0) || image_cli_open(&s, true, &err) < 0)
		return nook_say(&err);
	ret = prepare(&s, &o, id, dir, sizeof(dir), &err);
	image_store_close(&s);
	if (ret < 0) {
		if (dir[0])
			finish(dir, true);
		return nook_say(&err);
	}
	opts.bundle = dir;
	status = oci_run(id, &opts, false);
	finish(dir, o.rm);
	return status;
}

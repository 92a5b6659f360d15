/**
 * @file rootfs.c
 * @brief Step 07 — a root filesystem of the container's own: image layers joined by
 *        OverlayFS, pivot_root onto them, and a /dev, /sys and /proc with the sharp edges
 *        taken off.
 *
 * Until now the container looked at the host's files through its own mount table. This
 * stage gives it a tree of its own and makes that tree "/".
 *
 * Layers. An image is a stack of directories, each holding what one build step added or
 * changed. OverlayFS joins them: `lowerdir=A:B` shows A over B (the leftmost wins), and
 * every write goes to `upperdir`, a directory of this container alone; `workdir`, on the
 * same filesystem as upperdir, is the kernel's scratch space for making such writes atomic.
 * The lower layers are never written, so any number of containers can share one image. A
 * file changed inside is first copied up, whole, into upperdir; a file deleted inside is
 * recorded there as a *whiteout*, a character device 0/0 of the same name that hides the
 * lower file without touching it. upper/ and work/ live in the container's state directory,
 * /run/nook/ID ($XDG_RUNTIME_DIR/nook/ID for an unprivileged user; see state.c), made by
 * prepare() on the host and removed with that directory — unless --keep, which leaves
 * upper/ there to be looked at once the command has run. The overlay itself is mounted by child(), inside the container's
 * mount namespace: the host's mount table never shows it, and it goes away with the
 * namespace, even when nook is killed.
 *
 * pivot_root, not chroot. chroot(2) changes only the directory a process resolves "/"
 * from; the old root is still mounted in its namespace and reachable, and a process with
 * CAP_SYS_CHROOT escapes in three lines: mkdir d, chroot d, then chdir("..") repeatedly —
 * its cwd is now outside its root, where ".." is not stopped. pivot_root(2) instead swaps
 * the root *mount* of the whole mount namespace, after which the old root can be detached
 * (umount2 MNT_DETACH): the host's tree is then not in the container's mount table at all,
 * so there is nothing to escape to. pivot_root has conditions, each a classic EINVAL: the
 * new root must be a mount point (the overlay is), it and its parent must not be shared
 * mounts — so / is first made private here, before step 03's stage would do it — and
 * put_old must be under the new root. The pivot_root(".", ".") idiom satisfies the last
 * without a directory for the old root: the old root is stacked on top of the new one, at
 * ".", and umount2(".", MNT_DETACH) takes it off again.
 *
 * Everything under the new root is mounted before the pivot, as runc does: in a user
 * namespace the kernel lets a process mount a new procfs or sysfs only while one is
 * already fully visible in its mount namespace (fs/namespace.c, mount_too_revealing()),
 * and once the old root is detached the host's /proc and /sys are gone. So /proc is
 * mounted here too; step 03's stage, which runs next, mounts the /proc everyone sees on
 * top of it, then hides the masked paths (mount_harden()) — its --tmpfs paths and /proc now
 * name the container's own.
 *
 *  - /dev is a small tmpfs with only the harmless devices: null, zero, full, random,
 *    urandom, tty, bind-mounted from the host's (mknod is refused in a user namespace; a
 *    bind is not), a devpts of its own (newinstance: the container sees only its own
 *    terminals) with /dev/ptmx pointing into it, /dev/shm, /dev/mqueue and the fd links.
 *    No disk, no /dev/mem, no /dev/kmsg.
 *  - /sys is a fresh sysfs, read-only: it shows the container's network namespace, and
 *    nothing in it can be written.
 *  - The masked and read-only /proc paths (runc's defaults) are filled in by prepare().
 *  - --volume HOST:INSIDE binds a host directory or file in. The copy of the host's mount
 *    is taken before the pivot (open_tree(2)), but attached after it (move_mount(2)), so
 *    INSIDE is resolved in the container's tree: a symbolic link in the image cannot point
 *    the mount at the host's /etc.
 *
 * User namespaces. Since Linux 5.11 the root of a user namespace may mount an overlay.
 * It works with the mounter's credentials: upper/ and work/ must belong to the container's
 * root as the host sees it (100000 by default), so prepare() chowns the state directory to
 * it, and the "userxattr" option keeps overlay's bookkeeping in user.* attributes, the only
 * ones it may write. The lower layers are read as that user too. A copy-up keeps the
 * file's owner, and a file of an id the namespace does not map cannot be given to anyone:
 * writing to a root-owned image file (or creating a file in a root-owned image directory)
 * fails then. Rootless engines keep their images owned by the mapped ids for this reason,
 * or use idmapped mounts (mount_setattr(2), MOUNT_ATTR_IDMAP).
 *
 * Without --rootfs or --layer this stage does nothing: the container keeps the host's files,
 * exactly as in step 06.
 *
 * Further reading: pivot_root(2), the kernel's Documentation/filesystems/overlayfs.rst,
 * open_tree(2), move_mount(2), mount_namespaces(7); LWN "Overlayfs: a union filesystem"
 * (https://lwn.net/Articles/403012/), "Unprivileged overlayfs mounts"
 * (https://lwn.net/Articles/839476/), "A new API for mounting filesystems"
 * (https://lwn.net/Articles/753473/); the OCI runtime spec's config-linux.md (maskedPaths).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "nook.h"
#include "syscalls.h"

/** runc's default linux.maskedPaths: what each one protects, see lessons/07-rootfs.md. */
static const char *const default_masked[] = {
	"/proc/acpi",
	"/proc/asound",
	"/proc/kcore",
	"/proc/keys",
	"/proc/latency_stats",
	"/proc/timer_list",
	"/proc/timer_stats",
	"/proc/sched_debug",
	"/proc/scsi",
	"/sys/firmware",
	"/sys/devices/virtual/powercap",
};

/** runc's default linux.readonlyPaths. */
static const char *const default_readonly[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

/** The devices a container gets: nothing that reaches a disk, memory or the kernel log. */
static const char *const dev_nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};

/** The links every program expects in /dev. */
static const char *const dev_links[][2] = {
	{"ptmx", "pts/ptmx"},	       {"fd", "/proc/self/fd"},	      {"stdin", "/proc/self/fd/0"},
	{"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"},
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- options -------------------------------------------------------------------------- */

/** Is @p path @p dir itself or under it (both absolute, resolved)? */
static bool
is_under(const char *path, const char *dir)
{
	size_t len = strlen(dir);

	return strncmp(path, dir, len) == 0 && (path[len] == '\0' || path[len] == '/' || len == 1);
}

/**
 * A layer must not be the host's root, nor overlap the state directories: the container
 * would see the host's files, or the writable layers of every container (its own too).
 */
static int
check_layer_place(const char *opt, const char *dir, struct nook_error *err)
{
	char real[PATH_MAX], base[200], state[PATH_MAX];
	struct nook_error ignored;

	if (!realpath(dir, real))
		return nook_fail(err, errno, "--%s \"%s\"", opt, dir);
	if (strcmp(real, "/") == 0)
		return nook_fail(err, 0, "invalid --%s \"%s\": the host's own root directory", opt,
				 dir);
	if (state_base_path(base, sizeof(base), &ignored) < 0)
		return 0; /* too long a $XDG_RUNTIME_DIR: the launcher refuses it */
	if (!realpath(base, state))
		snprintf(state, sizeof(state), "%s", base);
	if (is_under(real, state) || is_under(state, real))
		return nook_fail(err, 0, "invalid --%s \"%s\": overlaps nook's state directory %s",
				 opt, dir, state);
	return 0;
}

/**
 * A lower layer must be a directory, and its name must survive overlay's option string,
 * where ',' separates options and ':' layers.
 */
static int
check_layer(const char *opt, const char *dir, struct nook_error *err)
{
	struct stat st;

	for (const char *p = dir; *p; p++)
		if (iscntrl((unsigned char)*p) || *p == ',' || *p == ':' || *p == '\\')
			return nook_fail(err, 0,
					 "invalid --%s: '%c' at byte %td: not allowed in a layer",
					 opt, isprint((unsigned char)*p) ? *p : '?', p - dir);
	if (stat(dir, &st) < 0)
		return nook_fail(err, errno, "--%s \"%s\"", opt, dir);
	if (!S_ISDIR(st.st_mode))
		return nook_fail(err, ENOTDIR, "--%s \"%s\"", opt, dir);
	return check_layer_place(opt, dir, err);
}

static int
set_rootfs_option(struct nook_container *c, const char *arg, struct nook_error *err)
{
	if (c->rootfs.nlayers > 0)
		return nook_fail(err, 0, "--rootfs: one only, and not with --layer");
	if (check_layer("rootfs", arg, err) < 0)
		return -1;
	c->rootfs.layer[c->rootfs.nlayers++] = arg;
	return 0;
}

static int
set_layer_option(struct nook_container *c, const char *arg, struct nook_error *err)
{
	if (c->rootfs.nlayers == NOOK_MAX_LAYERS)
		return nook_fail(err, 0, "too many --layer: at most %d", NOOK_MAX_LAYERS);
	if (check_layer("layer", arg, err) < 0)
		return -1;
	c->rootfs.layer[c->rootfs.nlayers++] = arg;
	return 0;
}

/**
 * Parse "HOST:INSIDE" or "HOST:INSIDE:ro" into @p v. HOST must exist; INSIDE must be
 * absolute, not "/", without "." or ".." components (mount_check_path()'s rules).
 */
int
rootfs_parse_volume(struct nook_volume *v, const char *arg, struct nook_error *err)
{
	const char *colon = strchr(arg, ':'), *inside = colon ? colon + 1 : NULL;
	size_t hlen = colon ? (size_t)(colon - arg) : 0, ilen;
	struct nook_error why;

	if (!colon || hlen == 0)
		return nook_fail(err, 0, "invalid --volume: expected HOST:INSIDE[:ro]");
	ilen = strcspn(inside, ":");
	if (inside[ilen] && strcmp(inside + ilen, ":ro") != 0)
		return nook_fail(err, 0, "invalid --volume: only \":ro\" may follow INSIDE");
	if (hlen >= sizeof(v->host) || ilen >= sizeof(v->inside))
		return nook_fail(err, 0, "invalid --volume: a path longer than %zu bytes",
				 sizeof(v->host) - 1);
	memcpy(v->host, arg, hlen);
	v->host[hlen] = '\0';
	memcpy(v->inside, inside, ilen);
	v->inside[ilen] = '\0';
	v->readonly = inside[ilen] != '\0';
	v->fd = -1;
	if (mount_check_path(v->inside, &why) < 0)
		return nook_fail(err, 0, "invalid --volume INSIDE: %s",
				 strstr(why.msg, ": ") ? strstr(why.msg, ": ") + 2 : why.msg);
	if (access(v->host, F_OK) < 0)
		return nook_fail(err, errno, "--volume \"%s\"", v->host);
	return 0;
}

static int
set_volume_option(struct nook_container *c, const char *arg, struct nook_error *err)
{
	if (c->rootfs.nvolumes == NOOK_MAX_VOLUMES)
		return nook_fail(err, 0, "too many --volume: at most %d", NOOK_MAX_VOLUMES);
	if (rootfs_parse_volume(&c->rootfs.volume[c->rootfs.nvolumes], arg, err) < 0)
		return -1;
	c->rootfs.nvolumes++;
	return 0;
}

static int
set_read_only_option(struct nook_container *c, const char *arg, struct nook_error *err)
{
	(void)arg;
	(void)err;
	c->rootfs.readonly = true;
	return 0;
}

static int
set_keep_option(struct nook_container *c, const char *arg, struct nook_error *err)
{
	(void)arg;
	(void)err;
	c->rootfs.keep = true;
	return 0;
}

/* ---- on the host: the state directory --------------------------------------------------- */

/** The outside id that @p m maps 0 to: the container's root as the host sees it. */
static unsigned
outside_root(const struct nook_id_map *m, unsigned fallback)
{
	for (int i = 0; i < m->n; i++)
		if (m->range[i].inside == 0)
			return m->range[i].outside;
	return fallback;
}

/** mkdir @p parent/@p name with @p mode, owned by @p uid:@p gid (-1: unchanged). */
static int
make_dir(const char *parent, const char *name, mode_t mode, uid_t uid, gid_t gid,
	 struct nook_error *err)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", parent, name);
	if (mkdir(path, mode) < 0)
		return nook_fail(err, errno, "mkdir(\"%s\")", path);
	if (chmod(path, mode) < 0) /* past the umask */
		return nook_fail(err, errno, "chmod(\"%s\")", path);
	if ((uid != (uid_t)-1 || gid != (gid_t)-1) && chown(path, uid, gid) < 0)
		return nook_fail(err, errno, "chown(\"%s\", %d, %d)", path, (int)uid, (int)gid);
	return 0;
}

/**
 * In the state directory the launcher made: upper/, work/ and the mount point merged/,
 * owned by the container's root (see the top of this file), and with --keep the mark
 * that tells the launcher and the sweep to leave upper/ behind.
 */
static int
make_layers(struct nook_container *c, struct nook_error *err)
{
	static const char *const subdirs[] = {"upper", "work", "merged"};
	const char *state = c->run.state;
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1;

	if (c->userns && outside_root(&c->uid_map, geteuid()) != geteuid()) {
		uid = outside_root(&c->uid_map, geteuid());
		gid = outside_root(&c->gid_map, getegid());
	}
	for (size_t i = 0; i < NELEM(subdirs); i++)
		if (make_dir(state, subdirs[i], 0755, uid, gid, err) < 0)
			return -1;
	c->rootfs.made = true;
	if (c->rootfs.keep && make_dir(state, NOOK_STATE_KEEP, 0755, -1, -1, err) < 0)
		return -1;
	return 0;
}

/** Add @p n paths to a masked or read-only list. */
static void
add_paths(const char **list, int *count, const char *const *paths, size_t n)
{
	for (size_t i = 0; i < n && *count < NOOK_MAX_MASKED; i++)
		list[(*count)++] = paths[i];
}

/** Before clone: check the options go together, fill in the hardening, make the state dir. */
static int
rootfs_prepare(struct nook_container *c, struct nook_error *err)
{
	struct nook_rootfs *r = &c->rootfs;

	if (r->nlayers == 0) {
		if (r->nvolumes || r->readonly || r->keep)
			return nook_fail(err, 0,
					 "--volume, --read-only and --keep need --rootfs "
					 "or --layer");
		return 0;
	}
	add_paths(c->masked, &c->nmasked, default_masked, NELEM(default_masked));
	add_paths(c->readonly_paths, &c->nreadonly, default_readonly, NELEM(default_readonly));
	return make_layers(c, err);
}

/** Remove @p name in state directory @p state; what is not there is fine. */
static void
remove_in(const char *state, const char *name)
{
	char path[PATH_MAX];
	struct nook_error ignored;

	snprintf(path, sizeof(path), "%s/%s", state, name);
	state_remove_tree(AT_FDCWD, path, &ignored);
}

/**
 * Remove the keep mark of state directory @p state: an empty directory, so rmdir(2), which
 * needs no descriptor — nook may be out of them (`ulimit -n`: a failure to make a pipe is
 * what brought us here), and a mark left by a run that never ran keeps its state forever.
 */
static void
remove_mark(const char *state)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", state, NOOK_STATE_KEEP);
	rmdir(path);
}

/**
 * On the host, once the container is gone. The launcher removes the state directory and
 * the layers with it; a --keep run's upper/ stays, but only if its command ran: work/ and
 * merged/ go. A run that failed before has nothing to show, and its keep mark goes.
 */
static void
rootfs_cleanup(struct nook_container *c)
{
	if (!c->rootfs.made || !c->rootfs.keep)
		return;
	if (!c->run.started) {
		remove_mark(c->run.state);
		return;
	}
	remove_in(c->run.state, "work");
	remove_in(c->run.state, "merged");
}

/** The sweep, for a killed --keep run: leave upper/ (and the mark), remove the rest. */
static int
rootfs_sweep(const char *id, const char *state)
{
	char mark[PATH_MAX];

	(void)id;
	snprintf(mark, sizeof(mark), "%s/%s", state, NOOK_STATE_KEEP);
	if (access(mark, F_OK) < 0)
		return 0;
	remove_in(state, "work");
	remove_in(state, "merged");
	return 0;
}

/* ---- in the container ----------------------------------------------------------------- */

/**
 * overlay's mount options for @p r in state directory @p state ("S"): "lowerdir=TOP:...:
 * BOTTOM,upperdir=S/upper,workdir=S/work", and ",userxattr" in a user namespace. Returns the length, or -1 if it does not
 * fit in @p size.
 */
int
rootfs_overlay_options(const struct nook_rootfs *r, const char *state, bool userxattr, char *buf,
		       size_t size)
{
	size_t len = 0;

	len += (size_t)snprintf(buf, size, "lowerdir=");
	for (int i = 0; i < r->nlayers && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ":" : "", r->layer[i]);
	if (len < size)
		len += (size_t)snprintf(buf + len, size - len,
					",upperdir=%s/upper,workdir=%s/work%s", state, state,
					userxattr ? ",userxattr" : "");
	return len < size ? (int)len : -1;
}

/** @p root/@p name into @p buf, of PATH_MAX bytes; "" when too long, which then fails. */
static const char *
under(char *buf, const char *root, const char *name)
{
	if (snprintf(buf, PATH_MAX, "%s/%s", root, name) >= PATH_MAX)
		buf[0] = '\0';
	return buf;
}

/** mount(2) that fills @p err, naming the filesystem type and where. */
static int
mount_at(const char *src, const char *target, const char *type, unsigned long flags,
	 const char *data, struct nook_error *err)
{
	if (nook_trace("07-rootfs.md#dev-sys-and-proc-hardened",
		       mount(src, target, type, flags, data), "mount(\"%s\", \"%s\", %s%s%s)", src,
		       target, type ? "\"" : "", type ? type : "MS_BIND", type ? "\"" : "") < 0)
		return nook_fail(err, errno, "mount(\"%s\", \"%s\")", src, target);
	return 0;
}

/** A directory @p path to mount on, made in the writable layer if the image has none. */
static int
mount_point(const char *path, struct nook_error *err)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return nook_fail(err, errno, "mkdir(\"%s\")", path);
	return 0;
}

/** The host's device @p name, bound onto an empty file in the new /dev at @p dev. */
static int
bind_device(const char *dev, const char *name, struct nook_error *err)
{
	char host[64], inside[PATH_MAX];
	int fd;

	snprintf(host, sizeof(host), "/dev/%s", name);
	fd = open(under(inside, dev, name), O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
	if (fd < 0)
		return nook_fail(err, errno, "open(\"%s\", O_CREAT)", inside);
	close(fd);
	return mount_at(host, inside, NULL, MS_BIND, NULL, err);
}

//! [rootfs_dev]
/** /dev: a tmpfs with the harmless devices, its own terminals, shm, mqueue and the links. */
static int
make_dev(const char *dev, struct nook_error *err)
{
	char p[PATH_MAX];

	/* nodev: a node made in it does not open; the bound devices keep their mount's flags */
	if (mount_at("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755,size=64k",
		     err) < 0)
		return -1;
	for (size_t i = 0; i < NELEM(dev_nodes); i++)
		if (bind_device(dev, dev_nodes[i], err) < 0)
			return -1;
	if (mount_point(under(p, dev, "pts"), err) < 0 ||
	    mount_at("devpts", p, "devpts", MS_NOSUID | MS_NOEXEC,
		     "newinstance,ptmxmode=0666,mode=0620,max=256", err) < 0)
		return -1;
	if (mount_point(under(p, dev, "shm"), err) < 0 ||
	    mount_at("shm", p, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=64m",
		     err) < 0)
		return -1;
	if (mount_point(under(p, dev, "mqueue"), err) < 0 ||
	    mount_at("mqueue", p, "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err) < 0)
		return -1;
	for (size_t i = 0; i < NELEM(dev_links); i++)
		if (symlink(dev_links[i][1], under(p, dev, dev_links[i][0])) < 0)
			return nook_fail(err, errno, "symlink(\"%s\")", p);
	return 0;
}
//! [rootfs_dev]

/** Mount the overlay on STATE/merged and, under it, /proc, a read-only /sys and /dev. */
static int
build_root(struct nook_container *c, const char *root, struct nook_error *err)
{
	const unsigned long safe = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	char opts[4096], p[PATH_MAX];

	/* EXERCISE 07: mount on root the container's tree: the image's layers under its writable layer (rootfs_overlay_options() writes the options), with the container's own /proc, a /sys nothing can write, and the small /dev of make_dev(); no device node in the tree may open but the bound ones; tests list / and /dev, write and delete inside, and run it all in a user namespace too */
	if (rootfs_overlay_options(&c->rootfs, c->run.state, c->userns, opts, sizeof(opts)) < 0)
		return nook_fail(err, 0, "overlay options: more than %zu bytes", sizeof(opts));
	/* nodev: a device node in the image, or made in it later, does not open */
	if (nook_trace("07-rootfs.md#images-are-layers",
		       mount("overlay", root, "overlay", MS_NODEV, opts),
		       "mount(\"overlay\", \"%s\", \"overlay\", MS_NODEV, \"%s\")", root, opts) < 0)
		return nook_fail(err, errno, "mount(\"overlay\", \"%s\")", root);
	if (mount_point(under(p, root, "proc"), err) < 0 ||
	    mount_at("proc", p, "proc", safe, NULL, err) < 0)
		return -1;
	if (mount_point(under(p, root, "sys"), err) < 0 ||
	    mount_at("sysfs", p, "sysfs", safe | MS_RDONLY, NULL, err) < 0)
		return -1;
	if (mount_point(under(p, root, "dev"), err) < 0 || make_dev(p, err) < 0)
		return -1;
	/* END EXERCISE */
	return 0;
}

/** Before the pivot: a detached copy of each --volume's host mount, read-only if ":ro". */
static int
take_volumes(struct nook_container *c, struct nook_error *err)
{
	struct nook_mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY};

	for (int i = 0; i < c->rootfs.nvolumes; i++) {
		struct nook_volume *v = &c->rootfs.volume[i];

		v->fd = (int)nook_trace(
			"07-rootfs.md#the-code",
			nook_open_tree(AT_FDCWD, v->host,
				       OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE),
			"open_tree(\"%s\", OPEN_TREE_CLONE|AT_RECURSIVE)", v->host);
		if (v->fd < 0)
			return nook_fail(err, errno, "open_tree(\"%s\")", v->host);
		if (v->readonly && nook_mount_setattr(v->fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &ro,
						      sizeof(ro)) < 0)
			return nook_fail(err, errno, "mount_setattr(\"%s\", RDONLY)", v->host);
	}
	return 0;
}

/** mkdir -p @p path's directories, and @p path itself as a directory or an empty file. */
static int
make_target(char *path, bool dir, struct nook_error *err)
{
	int fd;

	for (char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			nook_fail(err, errno, "mkdir(\"%s\")", path);
			*s = '/';
			return -1;
		}
		*s = '/';
	}
	if (dir)
		return mkdir(path, 0755) < 0 && errno != EEXIST
			       ? nook_fail(err, errno, "mkdir(\"%s\")", path)
			       : 0;
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0)
		return nook_fail(err, errno, "open(\"%s\", O_CREAT)", path);
	close(fd);
	return 0;
}

/** After the pivot: attach each volume at INSIDE, now resolved in the container's tree. */
static int
place_volumes(struct nook_container *c, struct nook_error *err)
{
	struct stat st;

	for (int i = 0; i < c->rootfs.nvolumes; i++) {
		struct nook_volume *v = &c->rootfs.volume[i];

		if (fstat(v->fd, &st) < 0)
			return nook_fail(err, errno, "fstat(\"%s\")", v->host);
		if (make_target(v->inside, S_ISDIR(st.st_mode), err) < 0)
			return -1;
		if (nook_trace("07-rootfs.md#the-code",
			       nook_move_mount(v->fd, "", AT_FDCWD, v->inside,
					       MOVE_MOUNT_F_EMPTY_PATH),
			       "move_mount(\"%s\" to \"%s\")", v->host, v->inside) < 0)
			return nook_fail(err, errno, "move_mount(\"%s\", \"%s\")", v->host,
					 v->inside);
		close(v->fd);
		v->fd = -1;
	}
	return 0;
}

/**
 * Make @p root the container's "/" and drop the host's tree from its mount table. @p root
 * is a mount point (the overlay), and no mount around it is shared. The OCI runtime's
 * stage (oci_root.c) pivots into a bundle's root directory with it too.
 */
int
rootfs_pivot(const char *root, struct nook_error *err)
{
	/* EXERCISE 07: make root, with everything mounted under it, the root of this mount namespace, and leave no trace of the host's tree in it (root need not be a mount point); tests look from inside: / is the image with its /proc, /sys and /dev, /.. stays there, no host mount in mountinfo */
	if (nook_trace("07-rootfs.md#pivot_root-not-chroot",
		       mount(root, root, NULL, MS_BIND | MS_REC, NULL),
		       "mount(\"%s\", \"%s\", MS_BIND|MS_REC)", root, root) < 0)
		return nook_fail(err, errno, "mount(\"%s\", \"%s\", MS_BIND|MS_REC)", root, root);
	if (chdir(root) < 0)
		return nook_fail(err, errno, "chdir(\"%s\")", root);
	if (nook_trace("07-rootfs.md#pivot_root-not-chroot", syscall(SYS_pivot_root, ".", "."),
		       "pivot_root(\".\", \".\")") < 0)
		return nook_fail(err, errno, "pivot_root(\"%s\")", root);
	if (NOOK_TRACED("07-rootfs.md#pivot_root-not-chroot", umount2(".", MNT_DETACH)) < 0)
		return nook_fail(err, errno, "umount2(old root, MNT_DETACH)");
	if (chdir("/") < 0)
		return nook_fail(err, errno, "chdir(\"/\")");
	/* END EXERCISE */
	return 0;
}

//! [rootfs_child]
/**
 * Inside, before step 03's stage: make the mount table private (pivot_root refuses shared
 * mounts), build the new root, take the volumes, pivot, attach the volumes, and last make
 * the root read-only if asked (the volumes' mount points may have to be made first).
 */
static int
rootfs_child(struct nook_container *c, struct nook_error *err)
{
	char root[PATH_MAX];

	if (c->rootfs.nlayers == 0)
		return 0;
	if (NOOK_TRACED("07-rootfs.md#pivot_root-not-chroot",
			mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) < 0)
		return nook_fail(err, errno, "mount(\"/\", MS_REC|MS_PRIVATE)");
	under(root, c->run.state, "merged");
	if (build_root(c, root, err) < 0 || take_volumes(c, err) < 0)
		return -1;
	if (rootfs_pivot(root, err) < 0 || place_volumes(c, err) < 0)
		return -1;
	if (c->rootfs.readonly &&
	    mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NODEV, NULL) < 0)
		return nook_fail(err, errno, "mount(\"/\", MS_REMOUNT|MS_RDONLY)");
	return 0;
}
//! [rootfs_child]

static const struct nook_option rootfs_options[] = {
	{"rootfs", "DIR", "the container's root filesystem: DIR, under a writable layer",
	 set_rootfs_option},
	{"layer", "DIR", "an image layer, top first (repeatable; instead of --rootfs)",
	 set_layer_option},
	{"volume", "HOST:INSIDE[:ro]", "bind-mount HOST at INSIDE (repeatable)", set_volume_option},
	{"read-only", NULL, "make the root filesystem read-only", set_read_only_option},
	{"keep", NULL, "keep the writable layer in the state directory afterwards",
	 set_keep_option},
	{NULL, NULL, NULL, NULL},
};

//! [rootfs_stage]
/**
 * Step 07's stage: a root filesystem of image layers under a writable one. It comes before
 * step 03's stage, which then mounts /proc and --tmpfs inside the new root.
 */
const struct nook_stage rootfs_stage = {
	.name = "rootfs",
	.clone_flags = CLONE_NEWNS, /* step 03's too: never pivot the host's own table */
	.options = rootfs_options,
	.prepare = rootfs_prepare,
	.child = rootfs_child,
	.cleanup = rootfs_cleanup,
	.sweep = rootfs_sweep,
};
//! [rootfs_stage]

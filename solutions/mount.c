/**
 * @file mount.c
 * @brief Step 03 — a mount namespace: a mount table of the container's own, a /proc that
 *        shows only its processes, and scratch tmpfs mounts the host never sees.
 *
 * A mount namespace is a private copy of the mount table: the list of which filesystem is
 * attached where. clone(2) with CLONE_NEWNS gives the child a copy of its parent's table,
 * and from then on mount(2) and umount(2) in either change only their own copy. Only the
 * table is copied, not the files: the container still sees the host's directories, and a
 * file it writes outside one of its own mounts lands on the host's disk. Isolating the
 * files themselves is the root filesystem's job, in a later step.
 *
 * "Only their own copy" holds only if the copies are *private*. Every mount has a
 * propagation type (mount_namespaces(7)): a mount event under a *shared* mount is repeated
 * under each of its peers, and the copies clone makes of shared mounts are peers of the
 * originals. systemd makes every mount shared at boot (`findmnt -o TARGET,PROPAGATION`
 * shows it), so on most hosts a fresh mount namespace is still wired to the host's: a
 * tmpfs mounted inside appears on the host, and the procfs mounted on /proc inside
 * covers the host's /proc — the host's `ps` then lists only the container's processes,
 * and none at all once the container has gone, since the propagated mount is the host's
 * and stays.
 * Propagation goes the other way too: a USB stick the host mounts later shows up inside.
 *
 * So the very first thing the child does is remount / with MS_PRIVATE | MS_REC, which cuts
 * every mount in its table (MS_REC: not only / itself) out of its peer group. It changes
 * the propagation type only: nothing is mounted or unmounted, and the host's copies are
 * untouched. Every later mount is then the container's alone. (runc's default, MS_SLAVE
 * | MS_REC, is the one-way variant: nothing leaks out, but the host's later mounts still
 * come in. nook wants neither direction.)
 *
 * Then /proc. A procfs instance shows the processes of the PID namespace of the process
 * that mounted it, so the new /proc must be mounted from inside the new PID namespace:
 * that is why it is done in child(), which runs as the clone child: PID 1 of step 02's
 * namespace. It is mounted on top of the host's /proc, hiding it in the container's table
 * only.
 *
 * Last, each --tmpfs PATH: a new, empty, memory-backed filesystem on PATH. The directory
 * must already exist; nook does not create it, since a mkdir inside would change the
 * host's disk — the very files this step does not isolate.
 *
 * Last of all, when a later step asks for it (step 07 with an image), the masked and
 * read-only paths: /proc files and directories a container has no business reading or
 * writing. They must come after the /proc mount, or they would mask the old /proc beneath
 * it; see mount_harden().
 *
 * None of this needs cleaning up: a mount namespace ends with its last process, and the
 * kernel unmounts everything in it.
 *
 * Further reading: mount_namespaces(7), mount(2), proc(5), tmpfs(5), the kernel's
 * Documentation/filesystems/sharedsubtree.rst; LWN "Mount
 * namespaces and shared subtrees" (https://lwn.net/Articles/689856/) and "Mount
 * namespaces, mount propagation, and unbindable mounts" (https://lwn.net/Articles/690679/).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "nook.h"

/** Whether @p path has a "." or ".." component. */
static bool
has_dot_component(const char *path)
{
	for (const char *p = path, *end; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, '/');
		if ((end - p == 1 && p[0] == '.') || (end - p == 2 && p[0] == '.' && p[1] == '.'))
			return true;
	}
	return false;
}

/**
 * Refuse a --tmpfs mount point a person would not mean: not absolute, "/" itself (it would
 * hide the command), with a "." or ".." component, longer than PATH_MAX, or containing a
 * control character. The path is taken literally, so it means the same thing once the
 * container has a root filesystem of its own.
 */
int
mount_check_path(const char *path, struct nook_error *err)
{
	/* EXERCISE 03: refuse, before anything exists, a --tmpfs mount point a person would not mean — a control character in it (say at which byte, never echo it), longer than PATH_MAX, not absolute, "/" itself, a "." or ".." component — each with one line starting "invalid --tmpfs". The tests give each kind and check the command never ran. */
	size_t len = strlen(path);

	/* checked first, and not echoed: a newline in it would break the one-line error */
	for (const char *p = path; *p; p++)
		if (iscntrl((unsigned char)*p))
			return nook_fail(err, 0, "invalid --tmpfs: control character at byte %td",
					 p - path);
	if (len >= PATH_MAX)
		return nook_fail(err, 0, "invalid --tmpfs: %zu bytes, at most %d", len,
				 PATH_MAX - 1);
	if (path[0] != '/')
		return nook_fail(err, 0, "invalid --tmpfs \"%s\": not an absolute path", path);
	if (len == 1)
		return nook_fail(err, 0, "invalid --tmpfs \"/\": would hide the whole filesystem");
	if (has_dot_component(path))
		return nook_fail(err, 0, "invalid --tmpfs \"%s\": '.' or '..' in it", path);
	/* END EXERCISE */
	return 0;
}

static int
set_tmpfs_option(struct nook_container *c, const char *arg, struct nook_error *err)
{
	if (mount_check_path(arg, err) < 0)
		return -1;
	if (c->ntmpfs == NOOK_MAX_TMPFS)
		return nook_fail(err, 0, "too many --tmpfs: at most %d", NOOK_MAX_TMPFS);
	c->tmpfs[c->ntmpfs++] = arg;
	return 0;
}

/**
 * Cut the container's mount table loose from the host's, give it a /proc of its own PID
 * namespace, then mount each --tmpfs. The cut comes before any mount, or that mount may
 * propagate to the host.
 */
static int
mount_own(const struct nook_container *c, struct nook_error *err)
{
	/* EXERCISE 03: make the container's mount table its own, both ways (no mount made inside reaches the host, none the host makes later comes in), then a /proc that shows the container's processes only (nosuid, nodev, noexec), then an empty tmpfs on each of c->tmpfs[0..c->ntmpfs). Tests: ps inside, /proc and findmnt on the host, a mount made on the host after start */
	if (NOOK_TRACED("03-mount.md#propagation-why-a-copy-is-not-yet-private",
			mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) < 0)
		return nook_fail(err, errno, "mount(\"/\", MS_REC|MS_PRIVATE)");
	if (NOOK_TRACED("03-mount.md#a-proc-for-the-new-pid-namespace",
			mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)) < 0)
		return nook_fail(err, errno, "mount(\"proc\", \"/proc\")");
	for (int i = 0; i < c->ntmpfs; i++)
		if (nook_trace("03-mount.md#tmpfs",
			       mount("tmpfs", c->tmpfs[i], "tmpfs", MS_NOSUID | MS_NODEV, NULL),
			       "mount(\"tmpfs\", \"%s\", \"tmpfs\", MS_NOSUID|MS_NODEV)",
			       c->tmpfs[i]) < 0)
			return nook_fail(err, errno, "mount(\"tmpfs\", \"%s\")", c->tmpfs[i]);
	/* END EXERCISE */
	return 0;
}

//! [mount_mask]
/**
 * Hide @p path: bind /dev/null over a file, so that it reads empty and cannot be written;
 * an empty read-only tmpfs over a directory. A path this kernel does not have is fine.
 */
static int
mount_mask(const char *path, struct nook_error *err)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return errno == ENOENT ? 0 : nook_fail(err, errno, "stat(\"%s\")", path);
	if (S_ISDIR(st.st_mode)) {
		if (nook_trace("07-rootfs.md#dev-sys-and-proc-hardened",
			       mount("tmpfs", path, "tmpfs",
				     MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0"),
			       "mount(\"tmpfs\", \"%s\", \"tmpfs\", MS_RDONLY)", path) < 0)
			return nook_fail(err, errno, "mount(\"tmpfs\", \"%s\", MS_RDONLY)", path);
	} else if (nook_trace("07-rootfs.md#dev-sys-and-proc-hardened",
			      mount("/dev/null", path, NULL, MS_BIND, NULL),
			      "mount(\"/dev/null\", \"%s\", MS_BIND)", path) < 0) {
		return nook_fail(err, errno, "mount(\"/dev/null\", \"%s\", MS_BIND)", path);
	}
	return 0;
}
//! [mount_mask]

//! [mount_readonly]
/**
 * Make @p path read-only: bind it onto itself, which makes it a mount of its own, then
 * remount that bind read-only. The flags it already has (nosuid, nodev, noexec) are kept:
 * a remount sets all of them at once, and in a user namespace dropping one is refused.
 */
static int
mount_readonly(const char *path, struct nook_error *err)
{
	unsigned long keep = 0;
	struct statvfs sv;

	if (access(path, F_OK) < 0)
		return errno == ENOENT ? 0 : nook_fail(err, errno, "access(\"%s\")", path);
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return nook_fail(err, errno, "mount(\"%s\", MS_BIND)", path);
	if (statvfs(path, &sv) < 0)
		return nook_fail(err, errno, "statvfs(\"%s\")", path);
	keep |= sv.f_flag & ST_NOSUID ? MS_NOSUID : 0;
	keep |= sv.f_flag & ST_NODEV ? MS_NODEV : 0;
	keep |= sv.f_flag & ST_NOEXEC ? MS_NOEXEC : 0;
	if (nook_trace("07-rootfs.md#dev-sys-and-proc-hardened",
		       mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | keep, NULL),
		       "mount(\"%s\", MS_REMOUNT|MS_BIND|MS_RDONLY)", path) < 0)
		return nook_fail(err, errno, "mount(\"%s\", MS_REMOUNT|MS_RDONLY)", path);
	return 0;
}
//! [mount_readonly]

/**
 * Apply c->masked, then c->readonly_paths (OCI's linux.maskedPaths and readonlyPaths). Call
 * it after the last mount over /proc: masks on a /proc that is then covered mask nothing.
 * Both lists are empty unless a stage filled them (step 07 does, with runc's defaults).
 */
int
mount_harden(const struct nook_container *c, struct nook_error *err)
{
	for (int i = 0; i < c->nmasked; i++)
		if (mount_mask(c->masked[i], err) < 0)
			return -1;
	for (int i = 0; i < c->nreadonly; i++)
		if (mount_readonly(c->readonly_paths[i], err) < 0)
			return -1;
	return 0;
}

/** Inside the new namespaces: a mount table of the container's own, then harden. */
static int
mount_child(struct nook_container *c, struct nook_error *err)
{
	if (mount_own(c, err) < 0)
		return -1;
	return mount_harden(c, err);
}

static const struct nook_option mount_options[] = {
	{"tmpfs", "PATH", "mount an empty tmpfs on the existing directory PATH (repeatable)",
	 set_tmpfs_option},
	{NULL, NULL, NULL, NULL},
};

//! [mount_stage]
/** Step 03's stage: a new mount namespace, made private, with its own /proc. */
const struct nook_stage mount_stage = {
	.name = "mount",
	.clone_flags = CLONE_NEWNS,
	.options = mount_options,
	.child = mount_child,
};
//! [mount_stage]

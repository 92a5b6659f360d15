/**
 * @file diagnose.c
 * @brief Errors that explain themselves: the likely causes of a failed call, on this host.
 *
 * "pivot_root: Invalid argument" names what failed, not why. The kernel returns one errno
 * for several causes, and which one it was depends on the machine: a sysctl, the
 * propagation of a mount, the type of a filesystem, the capabilities nook runs with. So
 * when nook_fail() records an errno that has known causes, it looks them up here, in a
 * table keyed by the failing call (the start of the message: "clone3(", "pivot_root(",
 * "mount(\"overlay\"" ...) and the errno, and probes the host for each cause: the value
 * of the sysctl, the "shared:" tag in /proc/self/mountinfo, statfs(2)'s filesystem type.
 * The causes found true here come first, then those nook cannot check from where it is;
 * those it checked and found false are left out, unless nothing else is left. The result
 * goes into struct nook_error's why[], lines of "  - CAUSE: FIX", printed after the one
 * line of the error (nook_print_error()); the line and the exit code stay what they were.
 *
 * The probes run where the error is made: a failure inside the container is explained by
 * the container's view (its mount table, its user namespace), which is the one that failed.
 *
 * The same probes serve `nook doctor` (cmd_doctor.c), which asks them before anything
 * fails; it may point them at a scratch tree of files standing for the host's (its
 * NOOK_DOCTOR_ROOT, for tests), so each probe of a file takes a @c root prefix ("": the
 * host's own).
 *
 * Further reading: user_namespaces(7), pivot_root(2), mount_namespaces(7), cgroups(7),
 * the kernel's Documentation/filesystems/overlayfs.rst and admin-guide/cgroup-v2.rst,
 * seccomp(2), subuid(5).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <linux/sched.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "nook.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/** How likely a cause is here: seen on this host, not checkable, or checked and false. */
enum rank {
	HERE,
	MAYBE,
	NOT_HERE
};

/** The causes of one failure, gathered by its rule before they are ranked. */
struct causes {
	struct {
		enum rank rank;
		char text[300];
	} c[8];
	int n;
};

static void cause(struct causes *cs, enum rank rank, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** Add one cause of rank @p rank; past eight, the rest are dropped. */
static void
cause(struct causes *cs, enum rank rank, const char *fmt, ...)
{
	va_list ap;

	if (cs->n >= (int)(sizeof(cs->c) / sizeof(cs->c[0])))
		return;
	va_start(ap, fmt);
	vsnprintf(cs->c[cs->n].text, sizeof(cs->c[0].text), fmt, ap);
	va_end(ap);
	cs->c[cs->n++].rank = rank;
}

/* ---- probes, shared with `nook doctor` ------------------------------------------------- */

/**
 * Read the first line of @p root + @p path into @p buf (its newline removed).
 * @return 0, or -1 when the file cannot be read.
 */
int
host_read(const char *root, const char *path, char *buf, size_t size)
{
	char full[512];
	FILE *f;
	bool ok;

	snprintf(full, sizeof(full), "%s%s", root, path);
	if (!(f = fopen(full, "re")))
		return -1;
	ok = fgets(buf, (int)size, f) != NULL;
	fclose(f);
	if (!ok)
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/** The sysctl @p name ("user.max_user_namespaces") as a number; -1 when it is absent. */
int
host_sysctl(const char *root, const char *name, long *value)
{
	char path[128], buf[64];

	snprintf(path, sizeof(path), "/proc/sys/%s", name);
	for (char *p = path + strlen("/proc/sys/"); *p; p++)
		*p = *p == '.' ? '/' : *p;
	if (host_read(root, path, buf, sizeof(buf)) < 0)
		return -1;
	*value = strtol(buf, NULL, 10);
	return 0;
}

/** Is capability @p cap in this process's effective set (/proc/self/status, CapEff)? */
bool
host_has_cap(int cap)
{
	char line[256];
	unsigned long long eff = 0;
	FILE *f = fopen("/proc/self/status", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	if (f)
		fclose(f);
	return (eff >> cap) & 1;
}

/** This process's seccomp mode: 0 none, 1 strict, 2 a filter (/proc/self/status). */
static int
seccomp_mode(void)
{
	char line[256];
	int mode = 0;
	FILE *f = fopen("/proc/self/status", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Seccomp: %d", &mode) == 1)
			break;
	if (f)
		fclose(f);
	return mode;
}

/** Does this process live in a user namespace other than the first (its map is not all)? */
bool
host_in_userns(void)
{
	char buf[128];
	unsigned in, out, count;

	if (host_read("", "/proc/self/uid_map", buf, sizeof(buf)) < 0 ||
	    sscanf(buf, "%u %u %u", &in, &out, &count) != 3)
		return false;
	return !(in == 0 && out == 0 && count == 4294967295U);
}

/** Is this process chrooted: is its "/" other than PID 1's (which /proc shows us)? */
static bool
chrooted(void)
{
	struct stat mine, init;

	if (stat("/", &mine) < 0 || stat("/proc/1/root/", &init) < 0)
		return false; /* cannot tell: say nothing */
	return mine.st_dev != init.st_dev || mine.st_ino != init.st_ino;
}

/** The running kernel's version as MAJOR * 1000 + MINOR (5.11 is 5011). */
int
host_kernel_version(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) == 0)
		sscanf(u.release, "%d.%d", &major, &minor);
	return major * 1000 + minor;
}

/** One line of /proc/self/mountinfo, the parts the rules look at. */
struct mount_line {
	int id, parent;
	char point[256];
	char optional[128]; /**< "shared:N master:M": the propagation */
	char fstype[32];
};

/** Parse one mountinfo line into @p m; 0, or -1 when it is not one. */
static int
parse_mount(const char *line, struct mount_line *m)
{
	const char *dash = strstr(line, " - "), *p = line;

	if (!dash || sscanf(line, "%d %d %*s %*s %255s", &m->id, &m->parent, m->point) != 3)
		return -1;
	for (int i = 0; i < 6 && p; i++) /* past ID PARENT MAJ:MIN ROOT POINT OPTIONS */
		p = strchr(p, ' ') ? strchr(p, ' ') + 1 : NULL;
	snprintf(m->optional, sizeof(m->optional), "%.*s", p && p < dash ? (int)(dash - p) : 0,
		 p ? p : "");
	if (sscanf(dash, " - %31s", m->fstype) != 1)
		return -1;
	return 0;
}

/**
 * The mount @p path is on (the longest mount point that is a prefix of it), or with
 * @p id >= 0 the mount of that ID. 0, or -1 when none is found.
 */
static int
find_mount(const char *path, int id, struct mount_line *out)
{
	char line[1024];
	struct mount_line m;
	size_t best = 0, len;
	int found = -1;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	while (f && fgets(line, sizeof(line), f)) {
		if (parse_mount(line, &m) < 0)
			continue;
		len = strlen(m.point);
		if (id >= 0 ? m.id == id
			    : strncmp(path, m.point, len) == 0 &&
				      (path[len] == '/' || path[len] == '\0' || len == 1) &&
				      len >= best) {
			*out = m;
			best = len;
			found = 0;
		}
	}
	if (f)
		fclose(f);
	return found;
}

/** Is @p word among the space-separated words of @p list? */
static bool
listed(const char *list, const char *word)
{
	char padded[512], w[64];

	snprintf(padded, sizeof(padded), " %s ", list);
	snprintf(w, sizeof(w), " %s ", word);
	return strstr(padded, w) != NULL;
}

/** The @p n th (from 1) double-quoted string of @p msg, into @p buf; "" when none. */
static const char *
quoted(const char *msg, int n, char *buf, size_t size)
{
	const char *p = msg, *end;

	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (!(p = strchr(p, '"')) || !(end = strchr(p + 1, '"')))
			return buf;
		if (i == n - 1)
			snprintf(buf, size, "%.*s", (int)(end - p - 1), p + 1);
		p = end + 1;
	}
	return buf;
}

/** @p path without its last component, into @p buf. */
static const char *
parent_of(const char *path, char *buf, size_t size)
{
	const char *slash = strrchr(path, '/');

	snprintf(buf, size, "%.*s", slash && slash != path ? (int)(slash - path) : 1, path);
	return buf;
}

/* ---- the rules ------------------------------------------------------------------------ */

/** The namespaces clone3's flags ask for, with their user.max_*_namespaces names. */
static const struct {
	int flag;
	const char *name;
} ns_kinds[] = {
	{CLONE_NEWUSER, "user"},     {CLONE_NEWPID, "pid"},   {CLONE_NEWNS, "mnt"},
	{CLONE_NEWNET, "net"},	     {CLONE_NEWUTS, "uts"},   {CLONE_NEWIPC, "ipc"},
	{CLONE_NEWCGROUP, "cgroup"}, {CLONE_NEWTIME, "time"},
};

/** The flags in "clone3(0x...)". */
static unsigned long
clone_flags(const char *msg)
{
	const char *p = strchr(msg, '(');

	return p ? strtoul(p + 1, NULL, 0) : 0;
}

/** A seccomp filter on nook itself, as in a container: it may refuse what failed. */
static void
filtered(struct causes *cs, const char *what)
{
	if (seccomp_mode() == 2)
		cause(cs, HERE,
		      "nook itself runs under a seccomp filter (\"Seccomp: 2\" in "
		      "/proc/self/status), "
		      "as inside a docker container, and it may refuse %s: run nook on the host, "
		      "or "
		      "that container with --security-opt seccomp=unconfined",
		      what);
}

/** The user-namespace switches of Debian and Ubuntu, for an unprivileged caller. */
static void
userns_switches(struct causes *cs)
{
	long v;

	if (host_sysctl("", "kernel.unprivileged_userns_clone", &v) == 0 && v == 0)
		cause(cs, geteuid() == 0 ? NOT_HERE : HERE,
		      "kernel.unprivileged_userns_clone is 0 here (Debian's switch): only root may "
		      "make a user namespace; sysctl -w kernel.unprivileged_userns_clone=1");
	if (host_sysctl("", "kernel.apparmor_restrict_unprivileged_userns", &v) == 0 && v == 1)
		cause(cs, geteuid() == 0 ? NOT_HERE : HERE,
		      "kernel.apparmor_restrict_unprivileged_userns is 1 here (Ubuntu 23.10 and "
		      "later): an unconfined program gets a user namespace without capabilities; "
		      "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or give nook an "
		      "AppArmor profile with \"userns,\"");
	if (chrooted())
		cause(cs, HERE,
		      "this process is chrooted: the kernel refuses a user namespace to a chrooted "
		      "process; run nook outside the chroot");
}

/** clone3 EPERM: namespaces need CAP_SYS_ADMIN, unless a user namespace owns them. */
static void
clone_eperm(struct causes *cs, const char *msg)
{
	unsigned long flags = clone_flags(msg);

	if (!(flags & CLONE_NEWUSER) && !host_has_cap(CAP_SYS_ADMIN))
		cause(cs, HERE,
		      "uid %u has no CAP_SYS_ADMIN here: only root may make these namespaces; run "
		      "as root, or add --userns (step 05): a user namespace made first owns the "
		      "others",
		      (unsigned)geteuid());
	if (flags & CLONE_NEWUSER)
		userns_switches(cs);
	filtered(cs, "clone3 or its namespace flags");
	cause(cs, MAYBE,
	      "a security module (AppArmor, SELinux) refuses namespaces to this program: see "
	      "the kernel log (dmesg) for its denial");
}

/** clone3 ENOSPC: a user.max_*_namespaces limit, or user namespaces nested 32 deep. */
static void
clone_enospc(struct causes *cs, const char *msg)
{
	unsigned long flags = clone_flags(msg);
	char name[64];
	long v;

	for (size_t i = 0; i < sizeof(ns_kinds) / sizeof(ns_kinds[0]); i++) {
		if (!(flags & (unsigned long)ns_kinds[i].flag))
			continue;
		snprintf(name, sizeof(name), "user.max_%s_namespaces", ns_kinds[i].name);
		if (host_sysctl("", name, &v) < 0)
			continue;
		if (v == 0)
			cause(cs, HERE,
			      "%s is 0 here: no %s namespace may be made; sysctl -w %s=15000 (in a "
			      "user namespace, its own limit: set it in the namespace that made "
			      "it)",
			      name, ns_kinds[i].name, name);
		else if (v < 100000)
			cause(cs, MAYBE,
			      "this user already has the %ld %s namespaces %s allows: count them "
			      "(lsns -t %s), or raise it",
			      v, ns_kinds[i].name, name, ns_kinds[i].name);
	}
	if (flags & CLONE_NEWUSER)
		cause(cs, MAYBE,
		      "user namespaces nest at most 32 deep, and this one would be deeper");
	cause(cs, MAYBE,
	      "this user already has as many namespaces as a user.max_*_namespaces sysctl "
	      "allows: count them with lsns");
}

/** Is @p path at or under directory @p dir, both resolved (symbolic links, "..")? */
static bool
path_under(const char *path, const char *dir)
{
	char p[PATH_MAX], d[PATH_MAX];
	size_t len;

	if (!realpath(path, p) || !realpath(dir, d))
		return true; /* cannot tell: not a cause seen here */
	len = strlen(d);
	return strncmp(p, d, len) == 0 && (p[len] == '/' || p[len] == '\0' || len == 1);
}

/**
 * pivot_root EINVAL: the kernel's conditions on the new root, its parent, and the old.
 * @p msg is "pivot_root(\"NEW\")" as nook says it (it passes ".", "." after a chdir to
 * NEW), or "pivot_root(\"NEW\", \"PUT_OLD\")" when the caller chose a put_old of its own.
 */
static void
pivot_einval(struct causes *cs, const char *msg)
{
	char root[256], old[256];
	struct mount_line m, parent, cur = {.fstype = ""};

	quoted(msg, 1, root, sizeof(root));
	quoted(msg, 2, old, sizeof(old));
	if (find_mount("/", -1, &cur) == 0 && strcmp(cur.fstype, "rootfs") == 0)
		cause(cs, HERE,
		      "the current root is the initramfs (rootfs), which cannot be pivoted away: "
		      "switch_root(8) onto a tmpfs first");
	if (chrooted())
		cause(cs, HERE,
		      "this process is chrooted: pivot_root needs the caller's root to be the root "
		      "of its mount namespace");
	if (root[0] && find_mount(root, -1, &m) == 0) {
		cause(cs, strcmp(m.point, root) == 0 ? NOT_HERE : HERE,
		      "%s is not a mount point: bind-mount it onto itself first (mount --bind DIR "
		      "DIR)",
		      root);
		if (strstr(m.optional, "shared:"))
			cause(cs, HERE,
			      "%s is on a shared mount (\"%s\" in /proc/self/mountinfo): "
			      "pivot_root "
			      "refuses a shared new root, parent or current root; mount "
			      "--make-rprivate / first, in the container's own mount namespace",
			      m.point, m.optional);
		else if (find_mount(NULL, m.parent, &parent) == 0 &&
			 strstr(parent.optional, "shared:"))
			cause(cs, HERE,
			      "the mount above %s, %s, is shared (\"%s\"): pivot_root refuses a "
			      "shared "
			      "parent; mount --make-rprivate / first",
			      root, parent.point, parent.optional);
		else if (strstr(cur.optional, "shared:"))
			cause(cs, HERE,
			      "the current root / is shared (\"%s\"): mount --make-rprivate /",
			      cur.optional);
	}
	/* the kernel: put_old must be at or under the new root (is_path_reachable) */
	if (old[0])
		cause(cs, path_under(old, root) ? NOT_HERE : HERE,
		      "put_old %s is not under the new root %s: pivot_root moves the old root "
		      "there, inside the new one; make it a directory under %s, or pass \".\" "
		      "for both after chdir(%s), as nook does, and unmount the old root from /",
		      old, root, root, root);
	else
		cause(cs, MAYBE,
		      "put_old is not under the new root %s (nook passes \".\", \".\", which is)",
		      root);
}

/**
 * pivot_root EBUSY: the new root (or put_old) is on the current root's own mount — a plain
 * directory of the root filesystem, not a mount point — which the kernel checks before
 * it would say EINVAL for "not a mount point".
 */
static void
pivot_ebusy(struct causes *cs, const char *msg)
{
	char root[256], old[256];
	struct mount_line m, cur;

	quoted(msg, 1, root, sizeof(root));
	quoted(msg, 2, old, sizeof(old));
	if (find_mount("/", -1, &cur) < 0)
		return;
	if (root[0] && find_mount(root, -1, &m) == 0)
		cause(cs, m.id == cur.id ? HERE : NOT_HERE,
		      "%s is not a mount point: it is on the current root's own mount, which "
		      "pivot_root cannot move onto itself; bind-mount it onto itself first (mount "
		      "--bind DIR DIR)",
		      root);
	if (old[0] && find_mount(old, -1, &m) == 0 && m.id == cur.id)
		cause(cs, HERE,
		      "put_old %s is on the current root's own mount: put it under the "
		      "new root",
		      old);
}

/** Overlay EINVAL: upper/ and work/ (beside merged/ in nook's state directory) checked. */
static void
overlay_einval(struct causes *cs, const char *msg)
{
	char target[256], state[256], upper[300], work[300];
	struct statfs fs;
	struct stat u, w;
	struct mount_line m;

	parent_of(quoted(msg, 2, target, sizeof(target)), state, sizeof(state));
	snprintf(upper, sizeof(upper), "%s/upper", state);
	snprintf(work, sizeof(work), "%s/work", state);
	if (statfs(upper, &fs) == 0 && fs.f_type == OVERLAYFS_SUPER_MAGIC)
		cause(cs, HERE,
		      "%s is on an overlay filesystem: an overlay cannot take another overlay as "
		      "its upper layer; put the state directory (/run/nook, or "
		      "$XDG_RUNTIME_DIR/nook) on tmpfs or a disk filesystem",
		      upper);
	else if (find_mount(upper, -1, &m) == 0 && !listed("ext4 xfs btrfs tmpfs f2fs", m.fstype))
		cause(cs, MAYBE,
		      "%s is on %s, which may lack what an upper layer needs (d_type, xattrs, "
		      "RENAME_WHITEOUT, O_TMPFILE): use tmpfs or ext4",
		      upper, m.fstype);
	if (stat(upper, &u) == 0 && stat(work, &w) == 0 && u.st_dev != w.st_dev)
		cause(cs, HERE,
		      "upper/ and work/ are on different filesystems (devices %u:%u and %u:%u): "
		      "workdir must be on upperdir's filesystem",
		      major(u.st_dev), minor(u.st_dev), major(w.st_dev), minor(w.st_dev));
	if (host_in_userns() && host_kernel_version() < 5011)
		cause(cs, HERE,
		      "an overlay in a user namespace (the \"userxattr\" option) needs Linux 5.11; "
		      "this kernel is older: run as root without --userns");
	cause(cs, MAYBE,
	      "a lower layer is itself on an overlay: the kernel stacks overlays two deep at most");
}

/** Mounts over parts of /proc or /sys hide it: a user namespace may not mount another. */
static void
revealing(struct causes *cs, const char *fs)
{
	char line[1024], seen[160] = "", prefix[16];
	struct mount_line m;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	snprintf(prefix, sizeof(prefix), "/%s/", fs);
	while (f && fgets(line, sizeof(line), f))
		if (parse_mount(line, &m) == 0 && strncmp(m.point, prefix, strlen(prefix)) == 0 &&
		    strlen(seen) + strlen(m.point) + 2 < sizeof(seen))
			snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen), "%s%s",
				 seen[0] ? " " : "", m.point);
	if (f)
		fclose(f);
	if (seen[0])
		cause(cs, HERE,
		      "mounts hide parts of the /%s this user namespace sees (%s), as a container "
		      "engine's masked paths do: the kernel lets a user namespace mount a new %s "
		      "only where a whole one is visible; run nook where /%s is not masked",
		      fs, seen, fs, fs);
}

/** mount EPERM: a capability, a user namespace's locked mounts, or a filesystem type. */
static void
mount_eperm(struct causes *cs, const char *msg)
{
	if (!host_has_cap(CAP_SYS_ADMIN))
		cause(cs, HERE,
		      "nook has no CAP_SYS_ADMIN here: mounting needs it in the user namespace "
		      "that owns the mount namespace; run as root, or with --userns");
	if (host_in_userns()) {
		if (strncmp(msg, "mount(\"proc\"", 12) == 0)
			revealing(cs, "proc");
		if (strncmp(msg, "mount(\"sysfs\"", 13) == 0)
			revealing(cs, "sys");
		cause(cs, MAYBE,
		      "in a user namespace, mounts inherited from the parent namespace are locked: "
		      "their ro, nosuid, nodev and noexec cannot be cleared, and they cannot be "
		      "unmounted or moved one by one");
		if (!strstr(msg, "\"proc\"") && !strstr(msg, "\"sysfs\"") &&
		    !strstr(msg, "MS_REMOUNT") && !strstr(msg, "MS_MOVE"))
			cause(cs, MAYBE,
			      "this filesystem type cannot be mounted in a user namespace (only "
			      "tmpfs, proc, sysfs, overlay since 5.11 ... can)");
	} else {
		cause(cs, NOT_HERE, "no user namespace: nook's mounts are not locked here");
	}
	filtered(cs, "mount(2)");
}

/** The controller a cgroup file belongs to: "memory" for memory.max. */
static const char *
controller_of(const char *file, char *buf, size_t size)
{
	snprintf(buf, size, "%.*s", (int)strcspn(file, "."), file);
	return buf;
}

/** A controller bound to a v1 hierarchy (/proc/cgroups: hierarchy ID not 0)? */
static bool
bound_to_v1(const char *controller)
{
	char line[256], name[64];
	int hierarchy = 0, found = 0;
	FILE *f = fopen("/proc/cgroups", "re");

	while (f && !found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%63s %d", name, &hierarchy) == 2 &&
			strcmp(name, controller) == 0;
	if (f)
		fclose(f);
	return found && hierarchy != 0;
}

/** A v2 controller missing from @p dir's parent's subtree_control, or held by v1. */
static void
cgroup_unavailable(struct causes *cs, const char *dir, const char *controller)
{
	char parent[256], path[300], list[256];

	if (bound_to_v1(controller))
		cause(cs, HERE,
		      "the %s controller is bound to a cgroup v1 hierarchy here (/proc/cgroups): a "
		      "controller serves one version at a time, and this host is hybrid; nook uses "
		      "v1 when /sys/fs/cgroup is v1's tmpfs, or boot with "
		      "systemd.unified_cgroup_hierarchy=1",
		      controller);
	parent_of(dir, parent, sizeof(parent));
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", parent);
	if (host_read("", path, list, sizeof(list)) == 0 && !listed(list, controller))
		cause(cs, HERE,
		      "the %s controller is not enabled in %s (it has \"%s\"): echo +%s > it, and "
		      "in each cgroup above it",
		      controller, path, list, controller);
}

/** Writing, opening or making a cgroup file or directory: EBUSY, ENOENT, EOPNOTSUPP... */
static void
cgroup_errno(struct causes *cs, const char *msg, int errnum)
{
	char path[256], dir[256], file[128], ctl[64], buf[256];
	struct statfs fs;
	bool v2;
	struct stat st;

	quoted(msg, 1, path, sizeof(path));
	parent_of(path, dir, sizeof(dir));
	snprintf(file, sizeof(file), "%s", path + strlen(dir) + 1);
	v2 = statfs(dir, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
	if (errnum == ENOENT && v2 && strcmp(file, "cgroup.subtree_control") == 0) {
		quoted(msg, 2, buf, sizeof(buf)); /* "+memory": the parent of dir must enable it */
		cgroup_unavailable(cs, dir, controller_of(buf + (buf[0] == '+'), ctl, sizeof(ctl)));
	} else if (errnum == ENOENT && v2) {
		cgroup_unavailable(cs, dir, controller_of(file, ctl, sizeof(ctl)));
	} else if (errnum == ENOENT) {
		cause(cs, MAYBE,
		      "cgroup v1 and v2 name their files differently (memory.limit_in_bytes, "
		      "memory.max), and a v1 hierarchy has the files of its kernel's features "
		      "(memory.memsw.* needs swap accounting: boot with swapaccount=1)");
	} else if (errnum == EBUSY && v2 && strcmp(file, "cgroup.subtree_control") == 0) {
		snprintf(buf, sizeof(buf), "%s/cgroup.procs", dir);
		if (host_read("", buf, ctl, sizeof(ctl)) == 0 && ctl[0])
			cause(cs, HERE,
			      "%s has processes of its own: by cgroup v2's no-internal-processes "
			      "rule only a cgroup without processes hands controllers down",
			      dir);
		cause(cs, MAYBE, "a child cgroup still uses the controller being taken away");
	} else if (errnum == EBUSY && v2 && strcmp(file, "cgroup.procs") == 0) {
		snprintf(buf, sizeof(buf), "%s/cgroup.subtree_control", dir);
		if (host_read("", buf, ctl, sizeof(ctl)) == 0 && ctl[0])
			cause(cs, HERE,
			      "%s hands controllers down (its cgroup.subtree_control: %s): by "
			      "cgroup v2's no-internal-processes rule a process goes into one of "
			      "its "
			      "children, a leaf",
			      dir, ctl);
	} else if (errnum == EBUSY) {
		cause(cs, MAYBE,
		      "the group already uses more than the new limit (v1 memory), or its cpuset "
		      "has no cpus or mems yet");
	} else if (errnum == EOPNOTSUPP) {
		snprintf(buf, sizeof(buf), "%s/cgroup.type", dir);
		if (v2 && host_read("", buf, ctl, sizeof(ctl)) == 0 && strcmp(ctl, "domain") != 0)
			cause(cs, HERE,
			      "%s is a \"%s\" cgroup: it cannot take processes or this "
			      "controller; make it a plain domain",
			      dir, ctl);
		cause(cs, MAYBE, "this cgroup version does not support the operation (v1 vs v2)");
	} else if ((errnum == EACCES || errnum == EPERM) && geteuid() != 0) {
		cause(cs, HERE,
		      "no delegation: %s belongs to uid %u, and uid %u may only use a cgroup "
		      "subtree delegated to it (systemd-run --user --scope -p Delegate=yes)",
		      dir, stat(dir, &st) == 0 ? (unsigned)st.st_uid : 0, (unsigned)geteuid());
	}
}

/** nook's own check "cgroup v2: no memory controller in DIR/cgroup.controllers". */
static void
cgroup_missing(struct causes *cs, const char *msg)
{
	char ctl[64] = "", file[256] = "", dir[256];

	if (sscanf(msg, "cgroup v2: no %63s controller in %255s", ctl, file) != 2)
		return;
	parent_of(file, dir, sizeof(dir));
	if (bound_to_v1(ctl))
		cgroup_unavailable(cs, dir, ctl);
	else
		cause(cs, MAYBE,
		      "the %s controller is disabled (cgroup_disable= on the kernel's command "
		      "line), or not enabled in the subtree_control of a cgroup above %s",
		      ctl, dir);
}

/** newuidmap or newgidmap failed: missing, not set-user-ID, or no range for the caller. */
static void
subid_helper(struct causes *cs, const char *msg)
{
	bool gid = strncmp(msg, "newgidmap", 9) == 0;
	const char *file = gid ? "/etc/subgid" : "/etc/subuid";
	const char *helper = gid ? "/usr/bin/newgidmap" : "/usr/bin/newuidmap";
	struct passwd *pw = getpwuid(getuid());
	const char *name = pw ? pw->pw_name : "?";
	struct nook_id_range r;
	struct stat st;

	if (strstr(msg, " not found")) {
		cause(cs, HERE, "%s is not installed: apt-get install uidmap", helper + 9);
		return;
	}
	if (stat(helper, &st) == 0 && !(st.st_mode & S_ISUID))
		cause(cs, MAYBE, "%s is not set-user-ID root: it needs cap_set%cid at least",
		      helper, gid ? 'g' : 'u');
	if (!user_subid_range(file, pw ? pw->pw_name : NULL, getuid(), &r))
		cause(cs, HERE,
		      "%s has no range for %s (uid %u): ask an administrator for one: usermod "
		      "--add-sub%cids 100000-165535 %s; or map only your own id (--uid-map 0:%u:1)",
		      file, name, (unsigned)getuid(), gid ? 'g' : 'u', name, (unsigned)getuid());
	else
		cause(cs, MAYBE, "the map asks for ids outside the range %s gives %s (%u to %u)",
		      file, name, r.outside, r.outside + r.count - 1);
}

/** seccomp EACCES: a filter needs no_new_privs, or CAP_SYS_ADMIN. */
static void
seccomp_eacces(struct causes *cs, const char *msg)
{
	(void)msg;
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 0 && !host_has_cap(CAP_SYS_ADMIN))
		cause(cs, HERE,
		      "no_new_privs is not set and nook has no CAP_SYS_ADMIN: the kernel takes a "
		      "filter only from a process that cannot gain privileges by execve; "
		      "prctl(PR_SET_NO_NEW_PRIVS, 1) first (libseccomp does, unless "
		      "SCMP_FLTATR_CTL_NNP is 0)");
	else
		cause(cs, MAYBE, "a security module refuses the filter");
}

/** EOVERFLOW: an id the user namespace does not map, often on an overlay's copy-up. */
static void
eoverflow(struct causes *cs, const char *msg)
{
	(void)msg;
	if (host_in_userns())
		cause(cs, HERE,
		      "in a user namespace, a file of an id the namespace does not map (the "
		      "image's root, host uid 0) cannot be copied up into the writable layer, nor "
		      "a file made in its directory: make the image belong to the mapped ids "
		      "(chown -R 100000:100000), or write to a --tmpfs or a --volume");
	else
		cause(cs, MAYBE,
		      "a number does not fit its type: a file past 2 GiB for a 32-bit "
		      "offset, or an id the user namespace does not map");
}

/** Which rule explains which failure: the start of the message and the errno (-1: any). */
static const struct rule {
	const char *call;
	int errnum;
	void (*explain)(struct causes *cs, const char *msg);
	void (*explain_errno)(struct causes *cs, const char *msg, int errnum);
} rules[] = {
	{"clone3(", EPERM, clone_eperm, NULL},
	{"clone3(", ENOSPC, clone_enospc, NULL},
	{"pivot_root(", EINVAL, pivot_einval, NULL},
	{"pivot_root(", EBUSY, pivot_ebusy, NULL},
	{"mount(\"overlay\"", EINVAL, overlay_einval, NULL},
	{"mount(", EPERM, mount_eperm, NULL},
	{"write(\"" CGROUP_ROOT "/", -1, NULL, cgroup_errno},
	{"open(\"" CGROUP_ROOT "/", -1, NULL, cgroup_errno},
	{"mkdir(\"" CGROUP_ROOT "/", -1, NULL, cgroup_errno},
	{"cgroup v2: no ", 0, cgroup_missing, NULL},
	{"newuidmap", 0, subid_helper, NULL},
	{"newgidmap", 0, subid_helper, NULL},
	{"seccomp", EACCES, seccomp_eacces, NULL},
	{"", EOVERFLOW, eoverflow, NULL},
};

/** How many lines a diagnosis has at most, unless more causes are seen on this host. */
#define WHY_LINES 3

/**
 * Write the causes into @p why, "  - TEXT\n" each: those seen here first, then those that
 * cannot be checked (WHY_LINES in all); the ones found false only when nothing else is left.
 */
static void
write_causes(const struct causes *cs, char *why, size_t size)
{
	size_t len = 0;
	bool any = false;
	int lines = 0;

	for (int i = 0; i < cs->n; i++)
		any = any || cs->c[i].rank != NOT_HERE;
	why[0] = '\0';
	for (enum rank r = HERE; r <= NOT_HERE; r++)
		for (int i = 0; i < cs->n; i++) {
			if (cs->c[i].rank != r || (r == NOT_HERE && any) || len + 8 >= size ||
			    (r != HERE && lines >= WHY_LINES))
				continue;
			lines++;
			len += nook_quote(why + len, size - len - 2, "  - ");
			len += nook_quote(why + len, size - len - 2, cs->c[i].text);
			why[len++] = '\n';
			why[len] = '\0';
		}
}

/**
 * Fill @p err->why with the likely causes of the failure @p err records (its msg and
 * errnum), probing this host; "" when the failure is not one this file knows.
 */
void
nook_diagnose(struct nook_error *err)
{
	struct causes cs = {.n = 0};
	size_t n = sizeof(rules) / sizeof(rules[0]);

	err->why[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (strncmp(err->msg, rules[i].call, strlen(rules[i].call)) != 0 ||
		    (rules[i].errnum >= 0 && rules[i].errnum != err->errnum) ||
		    (rules[i].errnum < 0 && err->errnum == 0))
			continue;
		if (rules[i].explain)
			rules[i].explain(&cs, err->msg);
		else
			rules[i].explain_errno(&cs, err->msg, err->errnum);
		break;
	}
	write_causes(&cs, err->why, sizeof(err->why));
}

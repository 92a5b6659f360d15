/**
 * @file oci_cgroupfs.c
 * @brief Step 10 — a config's "cgroup" mount: the container's own cgroups at
 *        /sys/fs/cgroup, as a program inside expects to find its limits there.
 *
 * podman and containerd ask for {"type": "cgroup", "destination": "/sys/fs/cgroup"}.
 * Binding the host's /sys/fs/cgroup would show the whole host tree — every container's
 * cgroup, and the root's limits where the container's are looked for. The container has
 * a cgroup namespace of its own (step 06), entered before mounts[] are made; a cgroup
 * filesystem *mounted* inside it has the namespace's root, the container's own cgroup, as
 * its root (cgroup_namespaces(7)):
 *
 *  - cgroup v2 host: one fresh cgroup2 mount;
 *  - v1 or hybrid host: a tmpfs, and in it one fresh mount per hierarchy the host mounts
 *    under /sys/fs/cgroup (read from /proc/self/mountinfo), named and optioned as the
 *    host's ("pids", "cpu,cpuacct", "name=systemd", the cgroup2 "unified"), with its
 *    symbolic links ("cpu" -> "cpu,cpuacct"). From a cgroup namespace other than the
 *    host's the kernel only lets existing v1 hierarchies be mounted: exactly these.
 *
 * Where the kernel would refuse a fresh mount — v1 from a user namespace (rootless), which
 * may not mount v1 hierarchies at all — oci_root.c binds the host's tree instead,
 * read-only: the container still finds its place in it through /proc/self/cgroup.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "oci.h"

/** Super options that are not what a hierarchy holds, or that only the host may set. */
static bool
host_only_option(const char *opt)
{
	static const char *const skip[] = {"rw",
					   "ro",
					   "xattr",
					   "noprefix",
					   "clone_children",
					   "cpuset_v2_mode",
					   "favordynmods",
					   "nsdelegate",
					   "memory_recursiveprot",
					   "memory_localevents"};

	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (strcmp(opt, skip[i]) == 0)
			return true;
	return strchr(opt, '=') && strncmp(opt, "name=", 5) != 0; /* release_agent=... */
}

/** The options that name a v1 hierarchy ("cpu,cpuacct", "name=systemd") from @p super. */
static void
hierarchy_options(char *super, char *out, size_t size)
{
	char *save = NULL;
	size_t n = 0;

	out[0] = '\0';
	for (char *opt = strtok_r(super, ",", &save); opt; opt = strtok_r(NULL, ",", &save))
		if (!host_only_option(opt) && n < size)
			n += (size_t)snprintf(out + n, size - n, "%s%s", n ? "," : "", opt);
}

/** Mount hierarchy @p name (its type, its super options) at @p dir/NAME, flags @p flags. */
static int
mount_hierarchy(const char *dir, const char *name, const char *type, char *super,
		unsigned long flags, struct nook_error *err)
{
	char path[PATH_MAX], data[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return nook_fail(err, errno, "mkdir(\"%s\")", path);
	hierarchy_options(super, data, sizeof(data));
	if (mount(type, path, type, flags, strcmp(type, "cgroup") == 0 ? data : NULL) < 0)
		return nook_fail(err, errno, "mount(\"%s\", \"%s\", \"%s\")", type, path, data);
	return 0;
}

/**
 * Each hierarchy mounted at CGROUP_ROOT/NAME on the host, mounted again in @p dir. One
 * mountinfo line: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [TAGS...] - TYPE SOURCE SUPER".
 */
static int
mount_hierarchies(const char *dir, unsigned long flags, struct nook_error *err)
{
	char line[4096], point[PATH_MAX], type[32], super[1024];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	const char *name, *dash;
	int ret = 0;

	if (!f)
		return nook_fail(err, errno, "open(\"/proc/self/mountinfo\")");
	while (ret == 0 && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*s %*s %*s %*s %4095s", point) != 1 ||
		    !(dash = strstr(line, " - ")) ||
		    sscanf(dash, " - %31s %*s %1023s", type, super) != 2)
			continue;
		if (strncmp(point, CGROUP_ROOT "/", sizeof(CGROUP_ROOT)) != 0)
			continue;
		name = point + sizeof(CGROUP_ROOT);
		if (strchr(name, '/') || (strcmp(type, "cgroup") != 0 && strcmp(type, "cgroup2")))
			continue;
		ret = mount_hierarchy(dir, name, type, super, flags, err);
	}
	fclose(f);
	return ret;
}

/** The host's links beside the hierarchies ("cpu" -> "cpu,cpuacct"), made in @p dir. */
static void
copy_links(const char *dir)
{
	char from[PATH_MAX], to[PATH_MAX], link[PATH_MAX];
	DIR *d = opendir(CGROUP_ROOT);
	struct dirent *e;
	ssize_t n;

	while (d && (e = readdir(d))) {
		if (e->d_type != DT_LNK)
			continue;
		snprintf(from, sizeof(from), CGROUP_ROOT "/%s", e->d_name);
		if ((n = readlink(from, link, sizeof(link) - 1)) < 0 || strchr(link, '/'))
			continue;
		link[n] = '\0';
		snprintf(to, sizeof(to), "%s/%s", dir, e->d_name);
		if (symlink(link, to) < 0) /* nothing needs them: a missing one is no failure */
			continue;
	}
	if (d)
		closedir(d);
}

/** Is the host's CGROUP_ROOT the cgroup2 hierarchy itself (no v1 at all)? */
static bool
pure_v2(void)
{
	struct statfs sf;

	return statfs(CGROUP_ROOT, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

/**
 * Can the container mount its cgroups afresh? cgroup2 always: its cgroup namespace is
 * owned by its user namespace, made first. v1 hierarchies only from the host's user
 * namespace, whose uid_map maps every uid to itself ("0 0 4294967295").
 */
bool
oci_cgroupfs_mountable(void)
{
	unsigned long inside = 1, outside = 1, count = 0;
	FILE *f;

	if (pure_v2())
		return true;
	if (!(f = fopen("/proc/self/uid_map", "re")))
		return false;
	if (fscanf(f, "%lu %lu %lu", &inside, &outside, &count) != 3)
		count = 0;
	fclose(f);
	return inside == 0 && outside == 0 && count == 4294967295UL;
}

/**
 * The first of the container's cgroup mounts, at @p target (a path to the destination,
 * inside the root), with the mount's @p flags (MS_RDONLY, MS_NOSUID, ...): cgroup2 on a
 * pure v2 host, else the tmpfs oci_cgroupfs_fill() puts the v1 hierarchies in. Only where
 * oci_cgroupfs_mountable().
 */
int
oci_cgroupfs_mount(const char *target, unsigned long flags, struct nook_error *err)
{
	if (pure_v2())
		return mount("cgroup2", target, "cgroup2", flags, NULL) < 0
			       ? nook_fail(err, errno, "mount(\"cgroup2\", \"%s\")", target)
			       : 0;
	if (mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755") < 0)
		return nook_fail(err, errno, "mount(\"tmpfs\", \"%s\")", target);
	return 0;
}

/**
 * v1 or hybrid: in the tmpfs @p top (the new mount itself, not the directory under it), a
 * fresh mount of each hierarchy and the host's links; then read-only if @p flags say so.
 */
int
oci_cgroupfs_fill(const char *top, unsigned long flags, struct nook_error *err)
{
	unsigned long safe = MS_NOSUID | MS_NODEV | MS_NOEXEC;

	if (pure_v2())
		return 0;
	if (mount_hierarchies(top, flags | safe, err) < 0)
		return -1;
	copy_links(top);
	if ((flags & MS_RDONLY) &&
	    mount(NULL, top, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | safe, NULL) < 0)
		return nook_fail(err, errno, "mount(\"%s\", MS_REMOUNT|MS_RDONLY)", top);
	return 0;
}

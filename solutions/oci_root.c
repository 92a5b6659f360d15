/**
 * @file oci_root.c
 * @brief Step 10 — the OCI runtime's stage: a bundle's root directory with its mounts[],
 *        pivoted into, and the process settings config.json adds (cwd, rlimits, sysctl).
 *
 * Step 07 builds a root from image layers and decides itself what /dev, /proc and /sys
 * are. An OCI bundle instead hands over a finished root directory (root.path) and the
 * list of everything to mount in it — proc, a tmpfs /dev, devpts, mqueue, sysfs, binds —
 * in order. This stage takes the place of steps 03 and 07 in the runtime:
 *
 *  1. the mount table is made private (nothing propagates to the host, and pivot_root
 *     accepts no shared mount), and root.path is bound onto itself: pivot_root needs a
 *     mount point;
 *  2. each of mounts[] is mounted under it, before the pivot (see rootfs.c: a new proc or
 *     sysfs is allowed in a user namespace only while the host's is visible). The target
 *     is resolved *inside* the root with openat2(2)'s RESOLVE_IN_ROOT, so a symbolic link
 *     in the image ("/dev -> /") cannot send a mount onto the host's tree; missing
 *     directories are made the same way, and the mount goes onto /proc/self/fd/N, the
 *     very directory resolved. A bind is remounted for its flags (ro, nosuid...), keeping
 *     the flags the kernel locked on the source;
 *  3. a /dev made from mounts[] gets the devices the spec requires of every container
 *     (null, zero, full, random, urandom, tty — bound from the host's) and its links;
 *     then the nodes of linux.devices are made (oci_devices.c);
 *  4. pivot_root (rootfs_pivot()), the root read-only if root.readonly, linux.sysctl
 *     (before /proc/sys is made read-only), maskedPaths and readonlyPaths
 *     (mount_harden()), linux.rootfsPropagation;
 *  5. the process: rlimits, oomScoreAdj, umask and cwd.
 *
 * The hooks that run inside (oci_hooks.c) are run here too: createContainer between 2-3
 * and 4, startContainer at start (seal()).
 *
 * Before clone, prepare() makes the FIFO `create` leaves the container waiting on
 * (exec.fifo, in the state directory; see launch.c's await_start()).
 *
 * Further reading: openat2(2) (RESOLVE_IN_ROOT), mount_namespaces(7), the runtime spec's
 * config.md ("Mounts", "Default devices" in config-linux.md).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "oci.h"
#include "syscalls.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/** The devices every container has (config-linux.md, "Default Devices"). */
static const char *const dev_nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};

/** The links every program expects in /dev. */
static const char *const dev_links[][2] = {
	{"ptmx", "pts/ptmx"},	       {"fd", "/proc/self/fd"},	      {"stdin", "/proc/self/fd/0"},
	{"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"},
};

/** @p path inside the root @p rootfd, never leaving it: openat2(2) RESOLVE_IN_ROOT. */
static int
resolve(int rootfd, const char *path, int flags)
{
	struct open_how how = {.flags = (unsigned)flags | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT};

	return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
}

/** Make the missing last component of @p path (a directory, or a file if @p file). */
static int
make_one(int rootfd, char *path, bool file)
{
	char *slash = strrchr(path, '/');
	int parent, fd, ret;

	*slash = '\0';
	parent = resolve(rootfd, path[0] ? path : "/", O_PATH | O_DIRECTORY);
	*slash = '/';
	if (parent < 0)
		return -1;
	if (file) {
		fd = openat(parent, slash + 1, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
		ret = fd < 0 ? -1 : close(fd);
	} else {
		ret = mkdirat(parent, slash + 1, 0755);
	}
	if (ret < 0 && errno == EEXIST)
		ret = 0;
	close(parent);
	return ret;
}

/**
 * Open @p dest inside the root as an O_PATH descriptor, making it and its parents when
 * missing: directories, and the last one an empty file when @p file (a bind of a file).
 */
int
oci_open_in_root(int rootfd, const char *dest, bool file, struct nook_error *err)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s", dest);
	for (char *s = path + 1;; s++) {
		bool last = *s == '\0';

		if (*s != '/' && !last)
			continue;
		*s = '\0';
		fd = resolve(rootfd, path, O_PATH);
		if (fd < 0 && errno == ENOENT && make_one(rootfd, path, last && file) == 0)
			fd = resolve(rootfd, path, O_PATH);
		if (fd < 0)
			return nook_fail(err, errno, "mount point \"%s\" in the root", path);
		if (last)
			return fd;
		close(fd);
		*s = '/';
	}
}

/** The flags the kernel locked on the mount at @p fd: a remount must keep them. */
static unsigned long
locked_flags(int fd)
{
	struct statvfs sv;
	unsigned long keep = 0;

	if (fstatvfs(fd, &sv) < 0)
		return 0;
	keep |= sv.f_flag & ST_NOSUID ? MS_NOSUID : 0;
	keep |= sv.f_flag & ST_NODEV ? MS_NODEV : 0;
	keep |= sv.f_flag & ST_NOEXEC ? MS_NOEXEC : 0;
	keep |= sv.f_flag & ST_RDONLY ? MS_RDONLY : 0;
	return keep;
}

/** After a bind (or cgroup) mount of @p m: its flags and propagation, on the new mount. */
static int
finish_mount(int rootfd, const struct oci_mount *m, struct nook_error *err)
{
	unsigned long flags = m->flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
	char target[64];
	int fd = resolve(rootfd, m->destination, O_PATH), ret = 0;

	if (fd < 0)
		return nook_fail(err, errno, "open(\"%s\")", m->destination);
	snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
	if ((m->flags & MS_BIND) && flags &&
	    mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | flags | locked_flags(fd), NULL) < 0)
		ret = nook_fail(err, errno, "mount(\"%s\", MS_REMOUNT)", m->destination);
	if (ret == 0 && m->propagation && mount(NULL, target, NULL, m->propagation, NULL) < 0)
		ret = nook_fail(err, errno, "mount(\"%s\", propagation)", m->destination);
	close(fd);
	return ret;
}

/**
 * A "cgroup" mount: the container's own cgroups, mounted afresh in its cgroup namespace
 * (oci_cgroupfs.c). Where the kernel allows none (v1, rootless), the host's cgroup tree,
 * bound read-only (all of it: on cgroup v1 it is a tmpfs of hierarchies); the container
 * finds its own place in it through /proc/self/cgroup.
 */
static int
mount_cgroup(int rootfd, const char *target, const struct oci_mount *m, struct nook_error *err)
{
	struct nook_mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY};
	unsigned long flags = m->flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
	int fd, ret = 0;

	char top[64];

	if (oci_cgroupfs_mountable()) {
		if (oci_cgroupfs_mount(target, flags, err) < 0)
			return -1;
		fd = resolve(rootfd, m->destination, O_PATH); /* the new mount, on top */
		if (fd < 0)
			return nook_fail(err, errno, "open(\"%s\")", m->destination);
		snprintf(top, sizeof(top), "/proc/self/fd/%d", fd);
		ret = oci_cgroupfs_fill(top, flags, err);
		close(fd);
		return ret;
	}
	if (mount(CGROUP_ROOT, target, NULL, MS_BIND | MS_REC, NULL) < 0)
		return nook_fail(err, errno, "mount(\"%s\", \"%s\")", CGROUP_ROOT, m->destination);
	fd = resolve(rootfd, m->destination, O_PATH); /* the new mount, on top */
	if (fd < 0)
		return nook_fail(err, errno, "open(\"%s\")", m->destination);
	if (nook_mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &ro, sizeof(ro)) < 0)
		ret = nook_fail(err, errno, "mount_setattr(\"%s\", RDONLY)", m->destination);
	close(fd);
	return ret;
}

/** Mount @p m under the root @p rootfd. */
static int
mount_one(int rootfd, const struct oci_mount *m, struct nook_error *err)
{
	bool bind = m->flags & MS_BIND, file = false;
	char target[64];
	struct stat st;
	int fd, ret;

	if (bind && stat(m->source, &st) < 0)
		return nook_fail(err, errno, "mount source \"%s\"", m->source);
	file = bind && !S_ISDIR(st.st_mode);
	fd = oci_open_in_root(rootfd, m->destination, file, err);
	if (fd < 0)
		return -1;
	snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
	if (strcmp(m->type, "cgroup") == 0 || strcmp(m->type, "cgroup2") == 0)
		ret = mount_cgroup(rootfd, target, m, err);
	else if (bind)
		ret = mount(m->source, target, NULL, MS_BIND | (m->flags & MS_REC), NULL) < 0
			      ? nook_fail(err, errno, "mount(\"%s\", \"%s\", MS_BIND)", m->source,
					  m->destination)
			      : 0;
	else
		ret = mount(m->source, target, m->type, m->flags, m->data[0] ? m->data : NULL) < 0
			      ? nook_fail(err, errno, "mount(\"%s\", \"%s\", \"%s\")", m->source,
					  m->destination, m->type)
			      : 0;
	close(fd);
	if (ret == 0 && (bind || m->propagation))
		ret = finish_mount(rootfd, m, err);
	return ret;
}

/** A /dev that mounts[] made: the default devices and links, where not there already. */
static int
fill_dev(int rootfd, struct nook_error *err)
{
	char dest[64], target[64], host[32];
	int fd, devfd;

	for (size_t i = 0; i < NELEM(dev_nodes); i++) {
		snprintf(dest, sizeof(dest), "/dev/%s", dev_nodes[i]);
		snprintf(host, sizeof(host), "/dev/%s", dev_nodes[i]);
		if ((fd = oci_open_in_root(rootfd, dest, true, err)) < 0)
			return -1;
		snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
		if (mount(host, target, NULL, MS_BIND, NULL) < 0) {
			close(fd);
			return nook_fail(err, errno, "mount(\"%s\", MS_BIND)", host);
		}
		close(fd);
	}
	devfd = resolve(rootfd, "/dev", O_PATH | O_DIRECTORY);
	if (devfd < 0)
		return nook_fail(err, errno, "open(\"/dev\")");
	for (size_t i = 0; i < NELEM(dev_links); i++)
		if (symlinkat(dev_links[i][1], devfd, dev_links[i][0]) < 0 && errno != EEXIST) {
			close(devfd);
			return nook_fail(err, errno, "symlink(\"/dev/%s\")", dev_links[i][0]);
		}
	close(devfd);
	return 0;
}

/**
 * Steps 1-3 of the top of this file: the root, bound onto itself, and its mounts. A root
 * that is an overlay the runtime mounts itself (oci_overlay.c) is mounted first, in the
 * container's user namespace when there is one (@p userns).
 */
static int
build_root(const struct nook_oci *o, bool userns, struct nook_error *err)
{
	bool dev = false;
	int rootfd, ret = 0;

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return nook_fail(err, errno, "mount(\"/\", MS_REC|MS_PRIVATE)");
	if (oci_overlay_mount(o, userns, err) < 0)
		return -1;
	if (mount(o->root, o->root, NULL, MS_BIND | MS_REC, NULL) < 0)
		return nook_fail(err, errno, "mount(\"%s\", MS_BIND)", o->root);
	rootfd = open(o->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return nook_fail(err, errno, "open(\"%s\")", o->root);
	for (int i = 0; ret == 0 && i < o->nmounts; i++) {
		ret = mount_one(rootfd, &o->mount[i], err);
		dev = dev || strcmp(o->mount[i].destination, "/dev") == 0;
	}
	if (ret == 0 && dev)
		ret = fill_dev(rootfd, err);
	if (ret == 0)
		ret = oci_make_devices(o, rootfd, err);
	close(rootfd);
	return ret;
}

/** The root read-only, keeping the flags the kernel locked on it. */
static int
root_readonly(struct nook_error *err)
{
	int fd = open("/", O_PATH | O_CLOEXEC);
	unsigned long keep = fd < 0 ? 0 : locked_flags(fd);

	if (fd >= 0)
		close(fd);
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | keep, NULL) < 0)
		return nook_fail(err, errno, "mount(\"/\", MS_REMOUNT|MS_RDONLY)");
	return 0;
}

/** Write @p value into @p file (under /proc, inside). */
static int
write_file(const char *file, const char *value, struct nook_error *err)
{
	int fd = open(file, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return nook_fail(err, errno, "open(\"%s\")", file);
	n = write(fd, value, strlen(value));
	close(fd);
	if (n != (ssize_t)strlen(value))
		return nook_fail(err, n < 0 ? errno : EIO, "write(\"%s\", \"%s\")", file, value);
	return 0;
}

/** linux.sysctl: net.ipv4.ip_forward is /proc/sys/net/ipv4/ip_forward. */
static int
apply_sysctl(const struct nook_oci *o, struct nook_error *err)
{
	char file[256];

	for (int i = 0; i < o->nsysctl; i++) {
		snprintf(file, sizeof(file), "/proc/sys/%s", o->sysctl[i].key);
		for (char *p = file + 10; *p; p++)
			if (*p == '.')
				*p = '/';
		if (write_file(file, o->sysctl[i].value, err) < 0)
			return -1;
	}
	return 0;
}

/** Step 5: what the process gets besides its mounts. */
static int
apply_process(const struct nook_oci *o, struct nook_error *err)
{
	char adj[16];

	for (int i = 0; i < o->nrlimits; i++)
		if (setrlimit(o->rlimit[i].resource, &o->rlimit[i].rl) < 0)
			return nook_fail(err, errno, "setrlimit(%d, %llu)", o->rlimit[i].resource,
					 (unsigned long long)o->rlimit[i].rl.rlim_max);
	if (o->has_oom_score) {
		snprintf(adj, sizeof(adj), "%d", o->oom_score_adj);
		if (write_file("/proc/self/oom_score_adj", adj, err) < 0)
			return -1;
	}
	if (o->has_umask)
		umask(o->umask);
	if (chdir(o->cwd) < 0)
		return nook_fail_code(err, NOOK_EXIT_CANNOT_EXEC, errno, "chdir(\"%s\")", o->cwd);
	return 0;
}

/**
 * The order namespaces are joined in (the runtime spec, "Namespaces"): the user namespace
 * first: it owns the others, and a process that joins it gets the capabilities in it
 * that the other setns(2) calls, and any namespace made after, need. The PID namespace
 * last: it changes nothing of this process. (A mount namespace is not joined: the root is
 * built in one of the container's own, and a joined one's /proc would be of a PID
 * namespace this process is not in — /proc/self would not be found.)
 */
static const int join_order[] = {CLONE_NEWUSER, CLONE_NEWIPC,	 CLONE_NEWUTS,
				 CLONE_NEWNET,	CLONE_NEWCGROUP, CLONE_NEWPID};

/**
 * After a user namespace is joined: make the new namespaces the config asks for, owned by
 * it. Made by clone(2) they would belong to the host's user namespace, where the process
 * no longer has any capability — no hostname could be set in its UTS namespace, nothing
 * mounted in its mount namespace. The process becomes the joined namespace's root, as in
 * one of its own (step 05); then the stages those namespaces would have had (left out of
 * the list by oci_stages()) do their work in them.
 */
static int
unshare_owned(struct nook_container *c, struct nook_error *err)
{
	int flags = (c->oci->clone_flags | CLONE_NEWNS) & ~CLONE_NEWUSER;

	if (unshare(flags) < 0)
		return nook_fail(err, errno, "unshare(%#x) in the joined user namespace", flags);
	/* become its root (step 05): our uid, the host's, is not mapped in it — files made
	 * in its mounts would have no owner (EOVERFLOW); its groups as its owner left them */
	c->deny_setgroups = user_setgroups_denied(0);
	c->userns = true;
	c->drop_groups = !c->deny_setgroups;
	if (user_stage.child(c, err) < 0)
		return -1;
	if ((flags & CLONE_NEWUTS) && uts_stage.child(c, err) < 0)
		return -1;
	return (flags & CLONE_NEWNET) ? net_stage.child(c, err) : 0;
}

/**
 * Join the namespaces config.json names by path (podman makes the network namespace
 * itself and hands it over; a pod's containers share one another's). Every path is
 * opened first, while /proc and the paths are still the host's, then joined in
 * join_order. Done before /sys is mounted: a sysfs shows the network devices of the
 * namespace of whoever mounts it. A PID namespace joined takes only the children to
 * come: oci_joined_pid_stage forks the command into it.
 */
static int
join_namespaces(struct nook_container *c, struct nook_error *err)
{
	const struct nook_oci *o = c->oci;
	int fd[sizeof(o->join) / sizeof(o->join[0])], ret = 0;

	for (int i = 0; i < o->njoin; i++)
		if ((fd[i] = open(o->join[i].path, O_RDONLY | O_CLOEXEC)) < 0) {
			ret = nook_fail(err, errno, "open(\"%s\")", o->join[i].path);
			while (i-- > 0)
				close(fd[i]);
			return ret;
		}
	for (size_t k = 0; k < NELEM(join_order); k++)
		for (int i = 0; i < o->njoin; i++) {
			if (ret < 0 || o->join[i].type != join_order[k])
				continue;
			if (setns(fd[i], o->join[i].type) < 0)
				ret = nook_fail(err, errno, "setns(\"%s\")", o->join[i].path);
			else if (o->join[i].type == CLONE_NEWUSER)
				ret = unshare_owned(c, err);
		}
	for (int i = 0; i < o->njoin; i++)
		close(fd[i]);
	return ret;
}

/**
 * The hooks of @p kind that run inside (createContainer, startContainer), with the state
 * on stdin: status @p status, and the PID the host knows the container by.
 */
static int
inside_hooks(const struct nook_container *c, enum oci_hook_kind kind, const char *status,
	     struct nook_error *err)
{
	const struct nook_oci *o = c->oci;
	char *state;
	int ret;

	if (!o->nhooks[kind])
		return 0;
	state = oci_hook_state(c->id, status, o->host_pid, o->bundle,
			       json_object_get(o->doc, "annotations"));
	ret = oci_run_hooks(o, kind, state, err);
	free(state);
	return ret;
}

/**
 * This process's PID on the host, for the state the hooks inside read: /proc/self of the
 * host's /proc (still mounted, and of the host's PID namespace) names it.
 */
static pid_t
host_pid(void)
{
	char buf[32];
	ssize_t n = readlink("/proc/self", buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	return (pid_t)atoi(buf);
}

//! [oci_child]
/**
 * Inside, in the new namespaces: everything at the top of this file, in that order; the
 * createContainer hooks once the mounts are made, before the pivot (runtime spec,
 * "POSIX-platform Hooks": in the container's namespaces, their paths the host's).
 */
static int
oci_child(struct nook_container *c, struct nook_error *err)
{
	const struct nook_oci *o = c->oci;

	c->oci->host_pid = host_pid();
	if (join_namespaces(c, err) < 0 || build_root(o, c->userns || host_in_userns(), err) < 0 ||
	    inside_hooks(c, OCI_HOOK_CREATE_CONTAINER, "creating", err) < 0 ||
	    rootfs_pivot(o->root, err) < 0)
		return -1;
	if (o->root_readonly && root_readonly(err) < 0)
		return -1;
	if (apply_sysctl(o, err) < 0 || mount_harden(c, err) < 0) /* /proc/sys: then ro */
		return -1;
	if (o->propagation && mount(NULL, "/", NULL, o->propagation, NULL) < 0)
		return nook_fail(err, errno, "mount(\"/\", linux.rootfsPropagation)");
	return apply_process(o, err);
}
//! [oci_child]

/** At start, the last thing before the command: the startContainer hooks, their paths the
 *  container's. (Before step 09's filter, which comes after in the list.) */
static int
oci_seal(struct nook_container *c, struct nook_error *err)
{
	return inside_hooks(c, OCI_HOOK_START_CONTAINER, "created", err);
}

/** Before clone: a mount namespace is a must; make the FIFO `start` opens. */
static int
oci_prepare(struct nook_container *c, struct nook_error *err)
{
	struct nook_oci *o = c->oci;

	if (!((o->clone_flags | o->join_flags) & CLONE_NEWNS))
		return nook_fail(err, 0, "linux.namespaces: a mount namespace is required");
	if ((o->join_flags & CLONE_NEWUSER) && (o->clone_flags & CLONE_NEWUTS) &&
	    uts_stage.prepare(c, err) < 0) /* its child() is run by unshare_owned() */
		return -1;
	if (snprintf(o->fifo, sizeof(o->fifo), "%s/exec.fifo", c->run.state) >=
	    (int)sizeof(o->fifo))
		return nook_fail(err, 0, "state directory path too long");
	if (mkfifo(o->fifo, 0622) < 0 || chmod(o->fifo, 0622) < 0)
		return nook_fail(err, errno, "mkfifo(\"%s\")", o->fifo);
	c->exec_fifo = o->fifo;
	return 0;
}

/** On the host, after clone, the child waiting: prestart and createRuntime (oci_hooks.c). */
static int
oci_parent(struct nook_container *c, struct nook_error *err)
{
	const struct nook_oci *o = c->oci;
	char *state;
	int ret;

	if (!o->nhooks[OCI_HOOK_PRESTART] && !o->nhooks[OCI_HOOK_CREATE_RUNTIME])
		return 0;
	state = oci_hook_state(c->id, "creating", c->run.pid, o->bundle,
			       json_object_get(o->doc, "annotations"));
	ret = oci_run_hooks(o, OCI_HOOK_PRESTART, state, err) < 0 ||
			      oci_run_hooks(o, OCI_HOOK_CREATE_RUNTIME, state, err) < 0
		      ? -1
		      : 0;
	free(state);
	return ret;
}

/**
 * The namespaces config.json asks for that no stage of the runtime's list adds, and a
 * mount namespace always (a private table to build the root in). None when a user namespace is joined: they are made after joining it
 * (unshare_owned()), to belong to it.
 */
static int
oci_flags(const struct nook_container *c)
{
	if (!c->oci || (c->oci->join_flags & CLONE_NEWUSER))
		return 0;
	return (c->oci->clone_flags | CLONE_NEWNS) & ~CLONE_NEWUSER;
}

/** A joined PID namespace: step 02's init forks the command into it (see the stage). */
static int
joined_pid_exec(struct nook_container *c, struct nook_error *err)
{
	return pid_stage.exec(c, err);
}

/**
 * The stage of a PID namespace joined by path. setns(2) of a PID namespace moves only the
 * children to come — a process never changes its own PID — so after join_namespaces()
 * the container's first process stays in the host's and becomes step 02's init there,
 * forking the command into the joined one. (pid_stage itself would make a new one.)
 * A process of a PID namespace it did not start does not die with it: `delete` kills
 * what is left in the container's cgroup.
 */
const struct nook_stage oci_joined_pid_stage = {
	.name = "pid",
	.exec = joined_pid_exec,
};

/** The runtime's stage for a bundle's root, mounts and process settings. */
const struct nook_stage oci_stage = {
	.name = "oci",
	.flags = oci_flags,
	.prepare = oci_prepare,
	.parent = oci_parent,
	.child = oci_child,
	.seal = oci_seal,
};

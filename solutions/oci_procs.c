/**
 * @file oci_procs.c
 * @brief The processes of a container, by host PID — what `ps` lists and `kill --all`
 *        signals.
 *
 * A container made by root has cgroup directories, and its processes are exactly those of
 * the first one's cgroup.procs: whatever forks, whatever `exec` adds, whoever adopts them.
 *
 * A rootless container has no cgroup (cgroup.c makes none without root). Its processes
 * are then those of its PID namespace — its first, and every process whose
 * /proc/PID/ns/pid is that namespace: a process `exec` started, whose parent exited
 * outside the container, is one too. Reading another process's /proc/PID/ns needs ptrace
 * access (ptrace(2), "Ptrace access mode checking"): a process that executed a program in
 * the container's user namespace is its owner's to read; the first process, nook-init,
 * made itself undumpable before it ever executed one, and is not — but it is the first,
 * and its namespace is its child's (oci_ns_holder()). Without a PID namespace of its own
 * there is no such boundary: the first process and its descendants, through
 * /proc/PID/task/PID/children (proc(5)), which miss one its parent left to be adopted
 * elsewhere.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci.h"

/** The first child of @p pid (its /proc/PID/task/PID/children), or 0. */
static pid_t
first_child(pid_t pid)
{
	char path[64];
	int child = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	if ((f = fopen(path, "re"))) {
		if (fscanf(f, "%d", &child) != 1)
			child = 0;
		fclose(f);
	}
	return child;
}

/**
 * The process whose /proc/PID/ns can be read in place of the container's first, @p pid:
 * itself, or, when that is refused (EACCES: a rootless container's nook-init, undumpable,
 * its memory the host user namespace's, where an ordinary user lacks CAP_SYS_PTRACE), its
 * first child: the command, which executed a dumpable program inside the container's
 * user namespace, in the very same namespaces.
 */
pid_t
oci_ns_holder(pid_t pid)
{
	char ns[64];
	pid_t child;
	int fd;

	snprintf(ns, sizeof(ns), "/proc/%d/ns/mnt", (int)pid);
	if ((fd = open(ns, O_RDONLY | O_CLOEXEC)) >= 0 || errno != EACCES) {
		if (fd >= 0)
			close(fd);
		return pid;
	}
	child = first_child(pid);
	return child > 0 ? child : pid;
}

/** @p pid and its descendants, depth first, at most @p depth levels down, to @p fn. */
static void
each_descendant(pid_t pid, void (*fn)(pid_t, void *), void *arg, int depth)
{
	char path[64];
	int child;
	FILE *f;

	fn(pid, arg);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	if (depth == 0 || !(f = fopen(path, "re")))
		return;
	while (fscanf(f, "%d", &child) == 1)
		each_descendant(child, fn, arg, depth - 1);
	fclose(f);
}

/** Is @p pid's PID namespace the one @p ns is (its device and inode)? */
static bool
in_pid_ns(pid_t pid, const struct stat *ns)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
	return stat(path, &st) == 0 && st.st_dev == ns->st_dev && st.st_ino == ns->st_ino;
}

/**
 * Without a cgroup: the first process, then every process of /proc in its PID namespace;
 * or, when that is ours (it has none of its own) or cannot be read, its descendants.
 */
static int
each_in_pid_ns(const struct oci_state *s, void (*fn)(pid_t, void *), void *arg)
{
	struct stat theirs, ours;
	char path[64];
	struct dirent *d;
	DIR *proc;
	pid_t pid;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)oci_ns_holder(s->pid));
	if (stat(path, &theirs) < 0 || stat("/proc/self/ns/pid", &ours) < 0 ||
	    (theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino) ||
	    !(proc = opendir("/proc"))) {
		each_descendant(s->pid, fn, arg, 16);
		return 0;
	}
	fn(s->pid, arg);
	while ((d = readdir(proc)))
		if (isdigit((unsigned char)d->d_name[0]) && (pid = atoi(d->d_name)) != s->pid &&
		    in_pid_ns(pid, &theirs))
			fn(pid, arg);
	closedir(proc);
	return 0;
}

/**
 * Call @p fn(PID, @p arg) for each process of running container @p s: its cgroup's, or
 * (rootless) its PID namespace's. Returns 0, or -1 with @p err if its cgroup.procs cannot
 * be read.
 */
int
oci_each_process(const struct oci_state *s, void (*fn)(pid_t, void *), void *arg,
		 struct nook_error *err)
{
	char path[200];
	FILE *f;
	int pid;

	if (s->ncgroups == 0)
		return each_in_pid_ns(s, fn, arg);
	snprintf(path, sizeof(path), "%s/cgroup.procs", s->cgroups[0]);
	if (!(f = fopen(path, "re")))
		return nook_fail(err, errno, "open(\"%s\")", path);
	while (fscanf(f, "%d", &pid) == 1)
		fn(pid, arg);
	fclose(f);
	return 0;
}

/**
 * @file cmd_delete.c
 * @brief `nook delete [--force] ID`: remove what a stopped container left — its cgroup
 *        directories and its state directory. --force kills it first.
 *
 * Its mounts need nothing: they are in the container's own mount namespace, which the
 * kernel dropped with its last process. Its cgroups are removed where its state says they
 * are (linux.cgroupsPath may have put them anywhere), then by name through the same
 * sweep() hooks that clean up after a killed step program (cgroup.c's, for nook/ID) —
 * what is left in them killed first: a container without a PID namespace of its own, or
 * one that joined another's, does not take its processes with it when its first ends.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "oci.h"

/** How long --force waits for a killed container to be gone, in milliseconds. */
#define KILL_WAIT_MS 10000

/**
 * Remove what container @p s left on the host: its cgroup directories as saved (they may
 * be linux.cgroupsPath's, which no sweep can guess from the ID; their parents are shared
 * and stay, as runc leaves them), each stage's sweep, then its state.
 */
int
oci_remove(const struct oci_state *s, struct nook_error *err)
{
	for (int i = 0; i < s->ncgroups; i++)
		if (cgroup_remove(s->cgroups[i]) < 0)
			return nook_fail(err, errno,
					 "container \"%s\": rmdir(\"%s\") (still busy?): try again",
					 s->id, s->cgroups[i]);
	for (size_t i = 0; oci_all_stages[i]; i++)
		if (oci_all_stages[i]->sweep && oci_all_stages[i]->sweep(s->id, s->dir) < 0)
			return nook_fail(err, 0,
					 "container \"%s\": %s could not remove all it made "
					 "(a cgroup still busy?): try again",
					 s->id, oci_all_stages[i]->name);
	return state_remove_tree(AT_FDCWD, s->dir, err);
}

/**
 * SIGKILL the container and wait (pidfd: it is not our child) until it is gone. A paused
 * one is thawed after the signal: a frozen process does not die, even of SIGKILL, until
 * it runs again (and then it dies before returning to user space).
 */
static int
kill_and_wait(const struct oci_state *s, struct nook_error *err)
{
	int pidfd = (int)syscall(SYS_pidfd_open, s->pid, 0);
	struct pollfd pfd = {.fd = pidfd, .events = POLLIN};

	if (pidfd < 0)
		return errno == ESRCH ? 0 : nook_fail(err, errno, "pidfd_open(%d)", (int)s->pid);
	if (oci_alive(s) && syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0) {
		close(pidfd);
		return nook_fail(err, errno, "kill(%d, SIGKILL)", (int)s->pid);
	}
	if (oci_thaw(s, err) < 0) {
		close(pidfd);
		return -1;
	}
	while (poll(&pfd, 1, KILL_WAIT_MS) < 0 && errno == EINTR)
		;
	close(pidfd);
	return 0;
}

/** oci_remove(), then the bundle's poststop hooks (if its config still reads). */
static int
remove_and_tell(const struct oci_state *s, struct nook_error *err)
{
	struct nook_container c = {0};
	struct nook_oci o = {0};
	struct nook_error ignored;
	bool hooks = oci_config_load(s->bundle, &c, &o, &ignored) == 0;
	int ret = oci_remove(s, err);

	if (ret == 0 && hooks)
		if (oci_hooks_notify(&o, OCI_HOOK_POSTSTOP, s->id, "stopped", s->pid, &ignored) < 0)
			nook_say(&ignored); /* reported; deleted all the same */
	oci_config_free(&o);
	return ret;
}

/** delete's options, parsed and documented. */
static const struct nook_cmd_option delete_options[] = {
	{"force", 'f', NULL,
	 "kill the container first (SIGKILL) if it still runs; no error if it is gone"},
	{NULL, 0, NULL, NULL},
};

int
cmd_delete(int argc, char *argv[])
{
	struct oci_state s;
	struct nook_error err;
	bool force = false;
	const char *status;
	int ch, ret;

	while ((ch = command_getopt(&delete_command, argc, argv)) != -1)
		if (ch == 'f')
			force = true;
		else
			return nook_fail(&err, 0, "delete: unknown option '%s'", argv[optind - 1]),
			       nook_say(&err);
	if (optind != argc - 1)
		return nook_fail(&err, 0, "delete: expected one container ID"), nook_say(&err);
	if (oci_state_read(nook_cli.root, argv[optind], &s, &err) < 0)
		return force && strstr(err.msg, "does not exist") ? 0 : nook_say(&err);
	status = oci_status(&s);
	if (strcmp(status, "stopped") != 0 && !force)
		ret = nook_fail(&err, 0, "cannot delete container \"%s\" that is not stopped: %s",
				s.id, status);
	else
		ret = kill_and_wait(&s, &err) < 0 ? -1 : remove_and_tell(&s, &err);
	oci_state_free(&s);
	return ret < 0 ? nook_say(&err) : 0;
}

const struct nook_command delete_command = {
	.name = "delete",
	.usage = "[--force] ID",
	.summary = "remove a stopped container (--force: kill it first)",
	.about = "Removes what a stopped container left: its cgroup directories (where its state "
		 "says they are, then by name, what is left in them killed first) and its state "
		 "directory, after running its poststop hooks. Its mounts need nothing: they went "
		 "with its mount namespace.",
	.shorts = "+f",
	.options = delete_options,
	.see = "nook-kill(1), nook-create(1)",
	.run = cmd_delete,
};

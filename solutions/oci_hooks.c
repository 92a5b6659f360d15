/**
 * @file oci_hooks.c
 * @brief Step 10 — OCI hooks: programs the engine names in config.json, run by the
 *        runtime at fixed points of the life cycle with the container's state on stdin.
 *
 * Hooks are how an engine plugs in what the runtime knows nothing about — setting up a
 * network for the container's namespace, registering it somewhere, cleaning up. nook runs
 * them at the points the runtime spec's "POSIX-platform Hooks" name:
 *
 *  - prestart (deprecated) and createRuntime, on the host: after the namespaces exist and
 *    before the container's own setup inside (the oci stage's parent() hook, while the
 *    child waits); a failure fails create;
 *  - createContainer, inside: in the container's namespaces, its mounts made but before
 *    pivot_root, so its path is still the host's (the oci stage's child()); a failure
 *    fails create;
 *  - startContainer, inside: at start, just before the command, its path the container's
 *    (the oci stage's seal()); a failure fails start;
 *  - poststart: once the command runs (start, run); a failure is only reported;
 *  - poststop: once the container is deleted; a failure is only reported.
 *
 * Each hook gets the OCI state as JSON on its standard input, runs with exactly its
 * "env", and is killed when its "timeout" (seconds) runs out.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "oci.h"

static const char *const kind_names[OCI_NHOOK_KINDS] = {
	"prestart", "createRuntime", "poststart", "poststop", "createContainer", "startContainer"};

/** The state a hook reads: ociVersion, id, status, pid, bundle, annotations. */
char *
oci_hook_state(const char *id, const char *status, pid_t pid, const char *bundle, void *annotations)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:i, s:s}", "ociVersion", OCI_VERSION, "id", id,
			      "status", status, "pid", (int)pid, "bundle", bundle);
	char *text;

	if (!o)
		return NULL;
	json_object_set_new(o, "annotations",
			    annotations ? json_incref(annotations) : json_object());
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return text;
}

/** In the child: the state on stdin, no blocked signals, exactly the hook's environment. */
static void
exec_hook(const struct oci_hook *h, int in)
{
	char *argv0[] = {(char *)h->path, NULL}, *noenv[] = {NULL};
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(in, STDIN_FILENO) < 0)
		_exit(126);
	execve(h->path, h->args ? h->args : argv0, h->env ? h->env : noenv);
	_exit(errno == ENOENT ? 127 : 126);
}

/** Wait for hook @p pid, @p timeout seconds at most (0: forever); its wait status or -1. */
static int
await_hook(pid_t pid, int timeout)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0), wstatus;
	struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
	int ready = 1;

	if (pidfd >= 0) {
		while ((ready = poll(&pfd, 1, timeout ? timeout * 1000 : -1)) < 0 && errno == EINTR)
			;
		close(pidfd);
	}
	if (ready == 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	return ready == 0 ? -1 : wstatus;
}

/**
 * Run one hook with @p state on its stdin; 0, or -1 with @p err naming it. The stdin is a
 * socket, not a pipe: send(2) with MSG_NOSIGNAL to a hook that exited without reading
 * fails with EPIPE, where a pipe would raise SIGPIPE — blocked in create, so pending, and
 * fatal once the mask is restored.
 */
static int
run_hook(const struct oci_hook *h, const char *where, const char *state, struct nook_error *err)
{
	int sv[2], wstatus;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return nook_fail(err, errno, "%s: socketpair", where);
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		exec_hook(h, sv[0]);
	close(sv[0]);
	if (pid < 0) {
		close(sv[1]);
		return nook_fail(err, errno, "%s: fork", where);
	}
	(void)!send(sv[1], state, strlen(state), MSG_NOSIGNAL); /* a hook need not read it */
	close(sv[1]);
	wstatus = await_hook(pid, h->timeout);
	if (wstatus < 0)
		return nook_fail(err, 0, "%s (%s): timed out after %d s", where, h->path,
				 h->timeout);
	if (wstatus != 0)
		return nook_fail(err, 0, "%s (%s): exit status %d", where, h->path,
				 nook_wait_status(wstatus));
	return 0;
}

/**
 * Run every hook of @p kind in order with @p state_json on stdin.
 * @return 0, or -1 with @p err at the first that fails.
 */
int
oci_run_hooks(const struct nook_oci *o, enum oci_hook_kind kind, const char *state_json,
	      struct nook_error *err)
{
	char where[64];

	for (int i = 0; i < o->nhooks[kind]; i++) {
		snprintf(where, sizeof(where), "hooks.%s[%d]", kind_names[kind], i);
		if (run_hook(&o->hook[kind][i], where, state_json ? state_json : "{}", err) < 0)
			return -1;
	}
	return 0;
}

/**
 * poststart and poststop: run the hooks of @p kind of config @p o for container @p id,
 * now @p status. A failure changes nothing, as the spec says: the caller only reports it.
 * @return 0, or -1 with @p err.
 */
int
oci_hooks_notify(const struct nook_oci *o, enum oci_hook_kind kind, const char *id,
		 const char *status, pid_t pid, struct nook_error *err)
{
	char *state;
	int ret;

	if (!o->nhooks[kind])
		return 0;
	state = oci_hook_state(id, status, pid, o->bundle, json_object_get(o->doc, "annotations"));
	ret = oci_run_hooks(o, kind, state, err);
	free(state);
	return ret;
}

/**
 * @file cmd_run_monitor.c
 * @brief The monitor of an image container (what conmon is for podman): the process that
 *        stays its parent, keeps its output and its exit status, and cleans up after it.
 *
 * ctr.h tells why there must be one. In the foreground (`nook run IMAGE`) nook itself is
 * the monitor: the container has nook's stdout and stderr, and stdin /dev/null unless -i.
 * With -d:
 *
 *     nook run -d ──fork──▶ middle ──setsid, fork──▶ monitor ──clone──▶ container
 *        │  ▲                 └─ exits at once: the monitor is adopted by init
 *        │  └──── a pipe: the container started (or the nook_error saying why not)
 *        └─ prints the name and exits 0 (or the error, and its code)
 *
 * The monitor's stdout and stderr are the log file (O_APPEND: `nook logs -f` reads it as it
 * grows), and the container inherits them: its output goes straight to the file, with
 * nothing to relay, so a monitor that is killed loses no output; the price is that stdout
 * and stderr are not told apart. The monitor's stdin is /dev/null and it has no terminal
 * (a new session), so the caller's shell closing reaches neither it nor the container.
 * Signals sent to the monitor are passed on to the container, as nook_wait() does for the
 * step programs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctr.h"
#include "run.h"

/** fd @p target opened on @p path (flags @p flags). */
static int
redirect(int target, const char *path, int flags, struct nook_error *err)
{
	int fd = open(path, flags | O_CLOEXEC, 0640);

	if (fd < 0)
		return nook_fail(err, errno, "open(\"%s\")", path);
	if (fd != target && dup2(fd, target) < 0) {
		close(fd);
		return nook_fail(err, errno, "dup2(\"%s\")", path);
	}
	if (fd != target)
		close(fd);
	return 0;
}

/**
 * Run container @p id of bundle @p dir to its end, as its parent: start it, tell
 * @p report (a pipe, or -1) that it started or why not, wait, record the exit, clean up.
 * Returns the container's exit status, or -1 with @p err.
 */
static int
monitor(const char *id, const char *dir, const struct run_opts *o, int report,
	struct nook_error *err)
{
	struct oci_running r = {0};
	struct oci_create_opts opts = {.bundle = dir, .die_with_parent = !o->detach};
	char pid[16], path[PATH_MAX + 16];
	int status;
	bool started;

	nook_cli.run = true;
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	started = ctr_write_file(dir, CTR_MONITOR, pid, err) == 0 &&
		  oci_run_begin(id, &opts, &r, err) == 0;
	if (!started) { /* nothing left behind, before the caller hears of it */
		oci_run_end(&r, false, err);
		ctr_finish(dir, true);
	}
	if (report >= 0) {
		struct nook_error ok = {0};
		ssize_t n = write(report, started ? &ok : err, sizeof(*err));

		(void)n; /* the caller gone: the container runs on all the same */
		close(report);
	}
	if (!started)
		return -1;
	status = oci_run_end(&r, true, err);
	if (status >= 0)
		ctr_record_exit(dir, status);
	snprintf(path, sizeof(path), "%s/" CTR_MONITOR, dir);
	unlink(path);
	ctr_finish(dir, o->rm);
	return status;
}

/** The monitor's own streams: stdin /dev/null, stdout and stderr the log. */
static int
monitor_streams(const char *dir, struct nook_error *err)
{
	char log[PATH_MAX + 8];

	snprintf(log, sizeof(log), "%s/" CTR_LOG, dir);
	if (redirect(STDIN_FILENO, "/dev/null", O_RDONLY, err) < 0 ||
	    redirect(STDOUT_FILENO, log, O_WRONLY | O_CREAT | O_APPEND, err) < 0 ||
	    redirect(STDERR_FILENO, log, O_WRONLY | O_APPEND, err) < 0)
		return -1;
	return 0;
}

/** The middle process: a new session, the monitor forked off, and gone. */
static void
middle(const char *id, const char *dir, const struct run_opts *o, int report)
{
	struct nook_error err;
	pid_t pid;

	setsid();
	pid = fork();
	if (pid < 0) {
		nook_fail(&err, errno, "fork (the monitor)");
		if (write(report, &err, sizeof(err)) < 0)
			_exit(1);
		_exit(0);
	}
	if (pid > 0)
		_exit(0);
	if (monitor_streams(dir, &err) < 0) {
		if (write(report, &err, sizeof(err)) < 0)
			_exit(1);
		ctr_finish(dir, true);
		_exit(0);
	}
	if (monitor(id, dir, o, report, &err) < 0)
		nook_say(&err); /* into the log */
	_exit(0);
}

/** -d: the monitor started in the background; its word on the start awaited. */
static int
background(const char *id, const char *dir, const struct run_opts *o)
{
	struct nook_error err;
	int fd[2], wstatus;
	ssize_t n;
	pid_t pid;

	fflush(NULL);
	if (pipe2(fd, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
		nook_fail(&err, errno, "run -d: the monitor");
		ctr_finish(dir, true);
		return nook_say(&err);
	}
	if (pid == 0) {
		close(fd[0]);
		middle(id, dir, o, fd[1]);
	}
	close(fd[1]);
	waitpid(pid, &wstatus, 0);
	do
		n = read(fd[0], &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(fd[0]);
	if (n != (ssize_t)sizeof(err))
		nook_fail(&err, 0, "run -d: the monitor of \"%s\" died before it started it", id);
	if (err.code != 0)
		return nook_say(&err);
	printf("%s\n", id);
	return 0;
}

/**
 * Run container @p id, whose bundle @p dir cmd_run_image.c prepared, under a monitor:
 * this process in the foreground, a background one with -d (see the top of this file).
 * Returns the exit status for nook: the container's own, 0 for a started -d, or 125 and
 * the like after printing why.
 */
int
run_monitored(const char *id, const char *dir, const struct run_opts *o)
{
	struct nook_error err;
	int status;

	if (o->detach)
		return background(id, dir, o);
	if (!o->interactive && redirect(STDIN_FILENO, "/dev/null", O_RDONLY, &err) < 0) {
		ctr_finish(dir, true);
		return nook_say(&err);
	}
	status = monitor(id, dir, o, -1, &err);
	return status < 0 ? nook_say(&err) : status;
}

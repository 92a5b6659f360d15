/**
 * @file cmd_start.c
 * @brief `nook start ID`: run a created container's command.
 *
 * `create` left the container's first process blocked, inside, in open(2) of exec.fifo
 * for writing: a FIFO's writer waits in open until a reader comes (fifo(7)). The runtime
 * that made it is gone, so `start` is another process, which knows the container only by
 * its state directory. Opening the FIFO for reading releases it. It then reports through
 * the FIFO what it reported to `create` on a pipe before (struct nook_report): "exec" just
 * before execve(2), and then end-of-file when the command replaced it — the FIFO is
 * close-on-exec, so the exec itself closes the writer's end — or an error, such as a
 * command that is not found (127). The FIFO is removed afterwards: from then on the
 * container is "running" (oci_status()).
 *
 * The reader opens without blocking: a container killed while it was "created" never
 * opens its end, and a blocking open(2) would wait for it forever. It then waits, with
 * poll(2), for the first report or for the container's end (a pidfd, pidfd_open(2)).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "oci.h"

/** The one ID a command takes, or NULL with @p err. */
const char *
oci_one_id(int argc, char *argv[], struct nook_error *err)
{
	if (argc != 2 || argv[1][0] == '-') {
		nook_fail(err, 0, "%s: expected one container ID", argv[0]);
		return NULL;
	}
	return argv[1];
}

/**
 * Wait until the FIFO @p fd has something to read, or process @p pid is gone: a created
 * container that died never opens its end, and a blocking read would wait forever. The
 * FIFO is then made blocking again, for the reports to be read to their end.
 */
static int
await_writer(int fd, pid_t pid, struct nook_error *err)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct pollfd pfd[2] = {{.fd = fd, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};

	if (pidfd < 0)
		return nook_fail(err, errno, "pidfd_open(%d)", (int)pid);
	while (poll(pfd, 2, -1) < 0 && errno == EINTR)
		;
	close(pidfd);
	if (!(pfd[0].revents & (POLLIN | POLLHUP)))
		return nook_fail(err, 0, "the container ended before it was started");
	fcntl(fd, F_SETFL, 0);
	return 0;
}

//! [oci_start_fifo]
/**
 * Release container @p pid, which waits to open @p fifo for writing, and read its reports
 * there as nook_start() reads them from the pipe: "exec", then end-of-file once the
 * command replaced it.
 * @return 0 once the command executes; -1 with @p err when it could not be executed (the
 *         container's own report: 127, 126, ...) or the container ended without a word.
 */
int
oci_start_fifo(const char *fifo, pid_t pid, struct nook_error *err)
{
	struct nook_report r;
	bool said_exec = false;
	ssize_t got;
	int fd;

	/* before: opening it lets the container go on (its own lines follow) */
	nook_trace_note("01-uts.md#how-nook-starts-a-container", "open(\"%s\", O_RDONLY) ...",
			fifo);
	/* EXERCISE 10: release the container waiting to open fifo for writing, without ever blocking on a container that is gone (await_writer() waits for its first report or its end), then read its reports to end-of-file: "exec" then end-of-file is success, an error report is returned as it is, end-of-file without "exec" is a container that ended before its command ran. The tests create, start and run containers, one with a missing command, one whose seccomp profile denies write(2). */
	fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return nook_fail(err, errno, "open(\"%s\")", fifo);
	if (await_writer(fd, pid, err) < 0) {
		close(fd);
		return -1;
	}
	while ((got = read(fd, &r, sizeof(r))) == (ssize_t)sizeof(r)) {
		if (r.kind == NOOK_REPORT_ERROR) {
			*err = r.err;
			err->msg[sizeof(err->msg) - 1] = '\0';
			close(fd);
			return -1;
		}
		said_exec = said_exec || r.kind == NOOK_REPORT_EXEC;
	}
	close(fd);
	if (got < 0)
		return nook_fail(err, errno, "read(\"%s\")", fifo);
	if (!said_exec)
		return nook_fail(err, 0,
				 "the container ended before its command ran, saying nothing: "
				 "does its seccomp profile deny write(2)?");
	return 0;
	/* END EXERCISE */
}
//! [oci_start_fifo]

/** The bundle's poststart hooks, if its config still reads. */
static void
poststart(const struct oci_state *s)
{
	struct nook_container c = {0};
	struct nook_oci o = {0};
	struct nook_error ignored;

	if (oci_config_load(s->bundle, &c, &o, &ignored) == 0 &&
	    oci_hooks_notify(&o, OCI_HOOK_POSTSTART, s->id, "running", s->pid, &ignored) < 0)
		nook_say(&ignored); /* reported; the container runs on */
	oci_config_free(&o);
}

int
cmd_start(int argc, char *argv[])
{
	char fifo[PATH_MAX_STATE + 16];
	struct oci_state s;
	struct nook_error err;
	const char *id = oci_one_id(argc, argv, &err), *status;
	int ret;

	if (!id || oci_state_read(nook_cli.root, id, &s, &err) < 0)
		return nook_say(&err);
	status = oci_status(&s);
	if (strcmp(status, "created") != 0) {
		nook_fail(&err, 0, "cannot start a container that is %s", status);
		oci_state_free(&s);
		return nook_say(&err);
	}
	snprintf(fifo, sizeof(fifo), "%s/exec.fifo", s.dir);
	trace_begin(nook_cli.trace);
	ret = oci_start_fifo(fifo, s.pid, &err);
	trace_end();
	unlink(fifo);
	if (ret == 0)
		poststart(&s);
	oci_state_free(&s);
	return ret < 0 ? nook_say(&err) : 0;
}

const struct nook_command start_command = {
	.name = "start",
	.usage = "ID",
	.summary = "run the created container's command",
	.about =
		"nook create left the container's first process blocked in open(2) of exec.fifo, "
		"in its state directory; opening the FIFO for reading releases it. nook start then "
		"reads what it reports: end-of-file once its command replaced it (the FIFO is "
		"close-on-exec), or why it could not be executed. The container is then running; "
		"the poststart hooks run.",
	.status = "0 once the command runs; 126 if it cannot be executed, 127 if it is not found; "
		  "125, and one line on stderr, when nook fails.",
	.see = "nook-create(1), fifo(7)",
	.run = cmd_start,
};

/**
 * @file stdio.c
 * @brief The container's standard streams: a terminal of its own, or pipes, that nook
 *        relays — never the caller's own terminal or files.
 *
 * A process started by fork(2) inherits its parent's descriptors 0, 1 and 2 as they are:
 * the same open files. For a container that is a way out. A descriptor of the caller's
 * terminal lets the container push characters into it with ioctl(TIOCSTI), which the
 * caller's shell then reads and runs as if typed, once the container has ended. A
 * descriptor of a host file can be reopened through /proc/self/fd/1 — a *magic link*
 * that opens the file itself, with whatever access the container's root has — to read
 * the file back or truncate it. So the container gets streams of its own, as `docker run`
 * gives them, and nook copies between them and its own:
 *
 *  - When nook's stdin is a terminal, the container gets a pseudo-terminal (pty(7)), made
 *    *inside* it — in its own devpts once it has one — as runc does with --console-socket:
 *    the child opens /dev/ptmx, sends the master to nook over a UNIX socket (SCM_RIGHTS,
 *    unix(7)), makes the other end, the slave, its controlling terminal (TIOCSCTTY) and its
 *    0, 1 and 2. nook puts its own terminal in raw mode and copies bytes both ways, so
 *    Ctrl-C is a byte, turned into one SIGINT by the container's pty for the container's
 *    foreground process group — delivered once, not by both nook and init. SIGWINCH
 *    becomes a TIOCSWINSZ on the master.
 *  - Otherwise stdout and stderr are pipes that nook empties into its own 1 and 2, and
 *    stdin is passed in as it is when it is a pipe, a socket or a device other than a
 *    terminal — reopening those gives nothing more — and through a pipe when it is a file
 *    or a terminal.
 *
 * The copying is event-driven: stdio_pollfds() says which descriptors wait for what, the
 * launcher polls them together with its signals, and stdio_service() moves the bytes. No
 * write ever blocks on the container's side, so a container that does not read its stdin
 * cannot stall nook.
 *
 * Further reading: pty(7), ioctl_tty(2) (TIOCSCTTY, TIOCGPTPEER, TIOCSWINSZ, TIOCSTI),
 * termios(3) (cfmakeraw), unix(7) (SCM_RIGHTS), proc(5) (/proc/PID/fd), credentials(7)
 * (sessions and process groups).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "nook.h"

/** One direction of copying: from a descriptor into another, through a buffer. */
struct lane {
	int from, to;	 /**< -1 when not used */
	char buf[16384]; /**< read, not yet written */
	size_t len, off; /**< what buf holds, and how much of it is written */
	bool eof;	 /**< from is done: nothing more to read */
	bool close_to;	 /**< at end of file, close to (the container's stdin pipe) */
	bool broken;	 /**< to refused a write: drop what comes, keep reading */
};

/** The streams of one container: a pty, or pipes. */
struct nook_stdio {
	bool tty;	      /**< a pty, because nook's stdin is a terminal */
	int sock[2];	      /**< tty: the master comes through sock[0] from sock[1] */
	int child[3];	      /**< the child's 0, 1, 2 before it dup2()s them; -1: as is */
	struct lane lane[3];  /**< tty: in, out; pipes: in, out, err */
	int master;	      /**< tty: the pty master, on the host */
	struct termios saved; /**< tty: nook's terminal as it was */
	bool raw;	      /**< tty: nook's terminal is in raw mode */
};

#define NLANES 3
/** How long stdio_drain() waits for more output once the container has ended. */
#define DRAIN_WAIT_MS 200
/** The most stdio_drain() takes in all, however much keeps coming. */
#define DRAIN_MAX_MS 1000

/** Does @p fd need a pipe in front of it: a file or a terminal (or anything unknown)? */
static bool
needs_pipe(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return false; /* closed: the container gets it closed too */
	if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))
		return false;
	return !(S_ISCHR(st.st_mode) && !isatty(fd));
}

/** A pipe whose host end is @p host_end (0: the read end) and non-blocking. */
static int
make_pipe(struct nook_stdio *s, int i, int host_end, struct nook_error *err)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return nook_fail(err, errno, "pipe2");
	fcntl(p[host_end], F_SETFL, O_NONBLOCK);
	s->child[i] = p[1 - host_end];
	if (i == 0)
		s->lane[0] = (struct lane){.from = STDIN_FILENO, .to = p[1], .close_to = true};
	else
		s->lane[i] = (struct lane){.from = p[0], .to = i};
	return 0;
}

/** Pipes mode: 1 and 2 always, 0 when it is a file or a terminal. */
static int
make_pipes(struct nook_stdio *s, struct nook_error *err)
{
	if (needs_pipe(STDIN_FILENO) && make_pipe(s, 0, 1, err) < 0)
		return -1;
	if (make_pipe(s, 1, 0, err) < 0 || make_pipe(s, 2, 0, err) < 0)
		return -1;
	return 0;
}

/**
 * OCI --console-socket @p path: the engine (conmon) listens there for the pty master; the
 * child sends it straight there (make_pty()) and nook never holds the terminal.
 */
static int
console_connect(struct nook_stdio *s, const char *path, struct nook_error *err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};

	if (strlen(path) >= sizeof(addr.sun_path))
		return nook_fail(err, 0, "--console-socket \"%s\": path too long", path);
	strcpy(addr.sun_path, path);
	s->tty = true;
	s->sock[1] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->sock[1] < 0)
		return nook_fail(err, errno, "socket(AF_UNIX)");
	if (connect(s->sock[1], (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return nook_fail(err, errno, "connect(\"%s\")", path);
	return 0;
}

/** Before clone: choose a pty or pipes, and make the socket or the pipes. */
int
stdio_prepare(struct nook_container *c, struct nook_error *err)
{
	struct nook_stdio *s = calloc(1, sizeof(*s));

	if (!s)
		return nook_fail(err, errno, "calloc");
	c->run.stdio = s;
	s->sock[0] = s->sock[1] = s->master = -1;
	for (int i = 0; i < NLANES; i++) {
		s->child[i] = -1;
		s->lane[i] = (struct lane){.from = -1, .to = -1};
	}
	if (c->console_socket)
		return console_connect(s, c->console_socket, err);
	if (c->stdio_inherit)
		return 0; /* OCI: conmon's (or the caller's) streams, as they are */
	s->tty = !c->tty_never && isatty(STDIN_FILENO);
	if (!s->tty)
		return make_pipes(s, err);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, s->sock) < 0)
		return nook_fail(err, errno, "socketpair(AF_UNIX)");
	return 0;
}

/** Whether the container gets a pty. */
bool
stdio_is_tty(const struct nook_container *c)
{
	return c->run.stdio && c->run.stdio->tty;
}

/** The child's descriptors the launcher must not close: into @p fds; returns how many. */
int
stdio_child_fds(const struct nook_container *c, int *fds)
{
	const struct nook_stdio *s = c->run.stdio;
	int n = 0;

	if (s && s->sock[1] >= 0)
		fds[n++] = s->sock[1];
	for (int i = 0; s && i < 3; i++)
		if (s->child[i] >= 0)
			fds[n++] = s->child[i];
	return n;
}

/** After clone, on the host: the child's ends are the child's. */
void
stdio_parent_close(struct nook_container *c)
{
	struct nook_stdio *s = c->run.stdio;

	if (!s)
		return;
	if (s->sock[1] >= 0)
		close(s->sock[1]);
	s->sock[1] = -1;
	for (int i = 0; i < 3; i++) {
		if (s->child[i] >= 0)
			close(s->child[i]);
		s->child[i] = -1;
	}
}

/* ---- in the container ------------------------------------------------------------------ */

//! [send_fd]
/** Send descriptor @p fd over the UNIX socket @p sock (SCM_RIGHTS). */
int
stdio_send_fd(int sock, int fd, struct nook_error *err)
{
	char byte = 'm', ctl[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec iov = {&byte, 1};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctl,
			     .msg_controllen = sizeof(ctl)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	if (sendmsg(sock, &msg, 0) < 0)
		return nook_fail(err, errno, "sendmsg(pty master)");
	return 0;
}
//! [send_fd]

/** dup2(2) @p fd onto @p target, unless it is there already; then close the original. */
static int
move_fd(int fd, int target, struct nook_error *err)
{
	if (fd == target)
		return 0;
	if (nook_trace("01-uts.md#how-nook-starts-a-container", dup2(fd, target), "dup2(pipe, %d)",
		       target) < 0)
		return nook_fail(err, errno, "dup2(%d, %d)", fd, target);
	close(fd);
	return 0;
}

/**
 * A pty made here, in the container's /dev: the master goes to nook, the slave becomes
 * the controlling terminal (we lead a session of our own and have none yet) and 0, 1, 2.
 */
static int
make_pty(struct nook_stdio *s, struct nook_error *err)
{
	int master, slave;

	master = (int)NOOK_TRACED("01-uts.md#how-nook-starts-a-container",
				  open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
	if (master < 0)
		return nook_fail(err, errno, "open(\"/dev/ptmx\")");
	if (unlockpt(master) < 0)
		return nook_fail(err, errno, "unlockpt");
	/* The slave through the master itself (Linux 4.13): no path that could be swapped. */
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	if (slave < 0)
		return nook_fail(err, errno, "ioctl(TIOCGPTPEER)");
	if (stdio_send_fd(s->sock[1], master, err) < 0)
		return -1;
	close(master);
	close(s->sock[1]);
	if (NOOK_TRACED("01-uts.md#how-nook-starts-a-container", ioctl(slave, TIOCSCTTY, 0)) < 0)
		return nook_fail(err, errno, "ioctl(TIOCSCTTY)");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			return nook_fail(err, errno, "dup2(pty, %d)", fd);
	return slave > 2 ? close(slave) : 0;
}

/** In the child, after the stages: take the pty, or the pipes, as 0, 1 and 2. */
int
stdio_child(struct nook_container *c, struct nook_error *err)
{
	struct nook_stdio *s = c->run.stdio;

	if (s->tty)
		return make_pty(s, err);
	for (int i = 0; i < 3; i++)
		if (s->child[i] >= 0 && move_fd(s->child[i], i, err) < 0)
			return -1;
	return 0;
}

/* ---- on the host ------------------------------------------------------------------------ */

/** Receive the pty master the child sent. */
static int
receive_master(struct nook_stdio *s, struct nook_error *err)
{
	char byte, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {&byte, 1};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctl,
			     .msg_controllen = sizeof(ctl)};
	struct cmsghdr *cm;

	if (recvmsg(s->sock[0], &msg, MSG_CMSG_CLOEXEC) <= 0)
		return nook_fail(err, errno, "recvmsg(pty master)");
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return nook_fail(err, 0, "recvmsg(pty master): no descriptor");
	memcpy(&s->master, CMSG_DATA(cm), sizeof(int));
	close(s->sock[0]);
	s->sock[0] = -1;
	return 0;
}

/** The container's pty gets the size of nook's terminal. */
void
stdio_resize(struct nook_container *c)
{
	struct winsize ws;

	if (stdio_is_tty(c) && c->run.stdio->master >= 0 &&
	    ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(c->run.stdio->master, TIOCSWINSZ, &ws);
}

/**
 * Once the container is ready: with a pty, take its master, size it, and put nook's own
 * terminal in raw mode — every key, Ctrl-C included, goes to the container as a byte.
 */
int
stdio_parent(struct nook_container *c, struct nook_error *err)
{
	struct nook_stdio *s = c->run.stdio;
	struct termios raw;

	if (!s->tty || s->sock[0] < 0) /* pipes, or the master went to --console-socket */
		return 0;
	if (receive_master(s, err) < 0)
		return -1;
	fcntl(s->master, F_SETFL, O_NONBLOCK);
	stdio_resize(c);
	s->lane[0] = (struct lane){.from = STDIN_FILENO, .to = s->master};
	s->lane[1] = (struct lane){.from = s->master, .to = STDOUT_FILENO};
	if (tcgetattr(STDIN_FILENO, &s->saved) == 0) {
		raw = s->saved;
		cfmakeraw(&raw);
		s->raw = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
	}
	return 0;
}

/** The descriptors to poll, and for what, into @p pfd (at most 2 * NLANES). */
int
stdio_pollfds(struct nook_container *c, struct pollfd *pfd)
{
	struct nook_stdio *s = c->run.stdio;
	int n = 0;

	for (int i = 0; s && i < NLANES; i++) {
		struct lane *l = &s->lane[i];

		if (l->from < 0)
			continue;
		if (l->len > l->off && l->to >= 0)
			pfd[n++] = (struct pollfd){.fd = l->to, .events = POLLOUT};
		else if (!l->eof)
			pfd[n++] = (struct pollfd){.fd = l->from, .events = POLLIN};
	}
	return n;
}

/** Write what @p l holds, as much as @p l->to takes now. */
static void
flush_lane(struct lane *l)
{
	ssize_t n;

	while (l->off < l->len && !l->broken) {
		n = write(l->to, l->buf + l->off, l->len - l->off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0)
			l->broken = true;
		else
			l->off += (size_t)n;
	}
	l->off = l->len = 0;
}

/** End of @p l's input: close the container's stdin pipe so that it reads end-of-file. */
static void
end_lane(struct lane *l)
{
	l->eof = true;
	if (l->close_to && l->to >= 0) {
		close(l->to);
		l->to = -1;
	}
}

/** Read once into @p l (empty) and write it on; 0 if nothing was there to read. */
static int
pump(struct lane *l)
{
	ssize_t n = read(l->from, l->buf, sizeof(l->buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) { /* end of file; EIO: a pty whose slave is closed everywhere */
		end_lane(l);
		return 0;
	}
	l->len = (size_t)n;
	l->off = 0;
	if (l->to < 0)
		l->len = 0;
	flush_lane(l);
	return 1;
}

/** Move bytes where poll(2) said they can move. */
void
stdio_service(struct nook_container *c, const struct pollfd *pfd, int n)
{
	struct nook_stdio *s = c->run.stdio;

	for (int j = 0; s && j < n; j++) {
		if (!pfd[j].revents)
			continue;
		for (int i = 0; i < NLANES; i++) {
			struct lane *l = &s->lane[i];

			if (pfd[j].events == POLLOUT && pfd[j].fd == l->to && l->len > l->off)
				flush_lane(l);
			else if (pfd[j].events == POLLIN && pfd[j].fd == l->from && !l->eof &&
				 l->len == l->off)
				pump(l);
		}
	}
}

/** Milliseconds since some fixed point (CLOCK_MONOTONIC). */
static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/**
 * Once the container has ended: copy out what its output streams still hold, until their
 * end of file (EIO for a pty: the slave is closed everywhere). A pty hands on what was
 * written just before the end a moment later, so "nothing yet" is not the end: give it
 * DRAIN_WAIT_MS of silence. A process outside the container that holds the stream (step
 * 01 has no PID namespace to end it) may never fall silent: DRAIN_MAX_MS in all, then the
 * rest is left unread.
 */
void
stdio_drain(struct nook_container *c)
{
	struct nook_stdio *s = c->run.stdio;
	long long end = now_ms() + DRAIN_MAX_MS, left;

	for (int i = 1; s && i < NLANES; i++) {
		struct lane *l = &s->lane[i];
		struct pollfd pfd = {.fd = l->from, .events = POLLIN};

		while (l->from >= 0 && !l->eof && (left = end - now_ms()) > 0 &&
		       poll(&pfd, 1, left < DRAIN_WAIT_MS ? (int)left : DRAIN_WAIT_MS) > 0)
			pump(l);
	}
}

/** Give nook's terminal back as it was, and close everything. */
void
stdio_close(struct nook_container *c)
{
	struct nook_stdio *s = c->run.stdio;

	if (!s)
		return;
	if (s->raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &s->saved);
	stdio_parent_close(c);
	if (s->sock[0] >= 0)
		close(s->sock[0]);
	if (s->tty && s->master >= 0)
		close(s->master);
	for (int i = 0; i < NLANES && !s->tty; i++) {
		if (i > 0 && s->lane[i].from >= 0)
			close(s->lane[i].from);
		if (i == 0 && s->lane[0].to >= 0)
			close(s->lane[0].to);
	}
	free(s);
	c->run.stdio = NULL;
}

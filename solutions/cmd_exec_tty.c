/**
 * @file cmd_exec_tty.c
 * @brief `nook exec -it NAME CMD`: a terminal for the new process without an engine's
 *        --console-socket — nook is its own console socket.
 *
 * An engine (podman's conmon, containerd's shim) passes `exec --tty --console-socket S`
 * and receives the pty master the child makes inside the container (cmd_exec.c,
 * take_pty()). A person at a terminal has no socket to give; so nook makes a socketpair(2),
 * hands one end to the child in place of the socket, and receives the master on the other
 * (SCM_RIGHTS, unix(7)) — the same protocol, both ends its own. Then it relays as the
 * foreground `run` does (stdio.c): its own terminal in raw mode, every key a byte to the
 * master, everything the master shows to stdout, the window size copied, until the
 * master reads EIO: the slave closed everywhere, the command gone. The terminal is given
 * back as it was found.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "oci.h"

/**
 * A console socket for the child: one end of a new socketpair, the other in @p keep.
 * @return the child's end, or -1 with @p err.
 */
int
exec_tty_socket(int *keep, struct nook_error *err)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return nook_fail(err, errno, "socketpair(AF_UNIX)");
	*keep = sv[0];
	return sv[1];
}

/** The master the child sends on @p sock, or -1 (the child failed before it sent it). */
static int
receive_master(int sock)
{
	char byte, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {&byte, 1};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctl,
			     .msg_controllen = sizeof(ctl)};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) <= 0)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/** Write all @p n bytes of @p buf to @p fd; false if it cannot take them. */
static bool
write_all(int fd, const char *buf, ssize_t n)
{
	ssize_t w;

	for (; n > 0; buf += w, n -= w)
		if ((w = write(fd, buf, (size_t)n)) < 0 && errno != EINTR)
			return false;
		else if (w < 0)
			w = 0;
	return true;
}

/** Copy both ways between nook's stdin/stdout and @p master until the master ends. */
static void
relay(int master)
{
	struct pollfd pfd[2] = {{.fd = master, .events = POLLIN},
				{.fd = STDIN_FILENO, .events = POLLIN}};
	char buf[4096];
	ssize_t n;

	for (;;) {
		if (poll(pfd, pfd[1].fd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (pfd[0].revents) {
			if ((n = read(master, buf, sizeof(buf))) <= 0)
				return; /* EIO: the command and all it started are gone */
			write_all(STDOUT_FILENO, buf, n);
		}
		if (pfd[1].fd >= 0 && pfd[1].revents) {
			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n <= 0 || !write_all(master, buf, n))
				pfd[1].fd = -1; /* end of our input: the command's goes on */
		}
	}
}

/**
 * Receive the pty master on @p sock (exec_tty_socket()'s end) and relay until the command
 * ends; nook's terminal raw meanwhile. Closes @p sock.
 */
void
exec_tty_relay(int sock)
{
	struct termios saved, raw;
	struct winsize ws;
	bool was_raw = false;
	int master = receive_master(sock);

	close(sock);
	if (master < 0)
		return; /* the child said why, on stderr */
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
	if (tcgetattr(STDIN_FILENO, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		was_raw = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
	}
	relay(master);
	if (was_raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	close(master);
}

/**
 * @file trace.c
 * @brief `--trace`: each kernel call that builds the container, printed as it is made.
 *
 *     [host] clone3(CLONE_NEWUTS|CLONE_NEWIPC) = 4242        → lessons/01-uts.md#clone32
 *     [ctr ] sethostname("box") = 0                          → lessons/01-uts.md#uts-the-hostname
 *
 * A container is built from two processes: the host's side (nook) and the container's
 * (the child of clone3, until it executes the command). Both write their lines to one
 * descriptor, a duplicate of nook's stderr made before clone — and only there. The child's
 * own fd 2 soon stops being that stderr: stdio.c gives it a pty or a pipe, which nook
 * relays after the fact. The duplicate is kept across the child's close_range(2)
 * (launch.c's isolate() asks trace_fd() for it) and is close-on-exec, so the command never
 * gets it; step 02's init, which does not exec, closes it once the command is forked.
 *
 * The two sides take turns — the child waits on the sync pipe while the host works, and
 * the host waits for the child's report — so the lines come out in the order the calls
 * were made, with no lock. Twice the turn is not taken: right after clone, while the
 * child cuts itself off (close_range, setsid) and the host runs the parent() hooks, both
 * work at once; the child holds its lines back until the host's "go" (trace_release), so
 * they follow the host's instead of mixing with them as the scheduler pleases. And when
 * the host releases the child ("go", "start", the OCI exec FIFO), it says so before the
 * byte is written, since the child's next lines may come at once. Each line, and the held
 * lines together, is a single write(2) no longer than PIPE_BUF, so lines never mix. A
 * failed write is ignored: a closed stderr must not stop a container, nor kill nook with
 * SIGPIPE (write_line).
 *
 * Why a little state of the process here (the descriptor, the side, the level), rather
 * than in struct nook_container: the calls are traced where they are made, which is often
 * a helper several levels below the stage that knows the container (write_proc, a netlink
 * request, a mount of /dev). Threading the container through each of them only to print a
 * line would change every signature; stderr itself is state of the process too. The
 * launcher turns tracing on (trace_begin) for the life of one container and off again
 * (trace_end); while it is off, nook_trace() returns at once and costs a comparison.
 *
 * The lesson section a line points to is given at the call site as "NN-topic.md#anchor",
 * the anchor as GitHub makes it from the heading; tests/trace checks that each one printed
 * exists.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nook.h"

/** Longest trace line, the lesson link included: well under PIPE_BUF. */
#define TRACE_LINE_MAX 1024
/** The column the lesson link starts at, when the call is shorter. */
#define LINK_COLUMN 56

/** Room for the child's lines from clone to the host's "go" (trace_release). */
#define HELD_MAX 4096

/** This process's tracing: off (fd -1), or where to, from which side, and since when. */
static struct {
	int fd;			/**< the duplicate of the original stderr, or -1 */
	int level;		/**< NOOK_TRACE_* */
	const char *side;	/**< "host" or "ctr " */
	struct timespec origin; /**< when the container began to be created */
	bool hold;		/**< the child, before "go": lines wait in held[] */
	size_t nheld;		/**< bytes in held[] */
	char held[HELD_MAX];	/**< lines not written yet */
} trace = {.fd = -1, .side = "host"};

/**
 * Start tracing at @p level (NOOK_TRACE_ON or _TIME; OFF does nothing) to a duplicate of
 * stderr. A stderr that is closed means no trace, not an error.
 */
void
trace_begin(int level)
{
	if (level == NOOK_TRACE_OFF || trace.fd >= 0)
		return;
	trace.fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	trace.level = level;
	trace.side = "host";
	clock_gettime(CLOCK_MONOTONIC, &trace.origin);
}

/**
 * In the child of clone, first thing: the lines are the container's from now on, and held
 * back until the host lets the child go (trace_release): until then both sides run at
 * once, and the lines would come out in the scheduler's order.
 */
void
trace_inside(void)
{
	trace.side = "ctr ";
	trace.hold = true;
	trace.nheld = 0;
}

/** The descriptor the child must keep open across close_range(2), or -1. */
int
trace_fd(void)
{
	return trace.fd;
}

/** Stop tracing in this process (the host at destroy, init once the command is forked). */
void
trace_end(void)
{
	if (trace.fd >= 0)
		close(trace.fd);
	trace.fd = -1;
	trace.side = "host";
}

/** Is tracing on? For a caller that must prepare an argument (a flags string) first. */
bool
trace_on(void)
{
	return trace.fd >= 0;
}

/**
 * write(2) @p line whole, ignoring failure: tracing never changes what the container does.
 * A stderr whose reader is gone must not kill nook with SIGPIPE either: the signal is
 * blocked for the write, and the one it raised is taken off the queue again — left
 * pending, it would kill nook (or the command) the moment the mask is restored.
 */
static void
write_line(const char *line, size_t len)
{
	const struct timespec now = {0, 0};
	sigset_t pipe, old, pending;
	bool queued;

	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe, &old);
	queued = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE);
	/* ours, if it was not there before: taken off, or it would strike once unblocked */
	if (write(trace.fd, line, len) < 0 && errno == EPIPE && !queued)
		sigtimedwait(&pipe, NULL, &now);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/** In the child, once the host said go (or gave up): write the lines held since clone. */
void
trace_release(void)
{
	if (trace.fd >= 0 && trace.nheld > 0)
		write_line(trace.held, trace.nheld);
	trace.nheld = 0;
	trace.hold = false;
}

/** Write line @p text (the call) with the lesson link @p where, padded to LINK_COLUMN. */
static void
emit(const char *text, const char *where)
{
	char line[TRACE_LINE_MAX];
	int n;

	if (where)
		n = snprintf(line, sizeof(line), "[%s] %-*s → lessons/%s\n", trace.side,
			     LINK_COLUMN, text, where);
	else
		n = snprintf(line, sizeof(line), "[%s] %s\n", trace.side, text);
	if (n >= (int)sizeof(line)) {
		n = (int)sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (trace.hold && trace.nheld + (size_t)n > sizeof(trace.held))
		trace_release(); /* too many to hold: out of order rather than lost */
	if (trace.hold) {
		memcpy(trace.held + trace.nheld, line, (size_t)n);
		trace.nheld += (size_t)n;
		return;
	}
	write_line(line, (size_t)n);
}

/** Format @p fmt into @p buf, quoted (one line, no escape sequences from an argument). */
static void
describe(char *buf, size_t size, const char *fmt, va_list ap)
{
	char raw[TRACE_LINE_MAX];

	vsnprintf(raw, sizeof(raw), fmt, ap);
	nook_quote(buf, size, raw);
}

/**
 * Trace a call that returned @p ret — its errno still set when it failed — as
 * `call(args) = ret`, or `= -1 ENAME (strerror)` (@p ret below -1: a negated errno, as
 * libseccomp's), and the lesson section @p where
 * ("01-uts.md#clone32", NULL for none). Returns @p ret, errno unchanged, so that a call can
 * be traced where it is made: `if (nook_trace(..., mount(...), ...) < 0)`.
 */
long
nook_trace(const char *where, long ret, const char *fmt, ...)
{
	int saved = errno, failure = errno;
	char call[TRACE_LINE_MAX / 2], text[TRACE_LINE_MAX / 2 + 64];
	const char *name;
	va_list ap;

	if (trace.fd < 0)
		return ret;
	va_start(ap, fmt);
	describe(call, sizeof(call), fmt, ap);
	va_end(ap);
	if (ret < -1 && ret > -4096)
		failure = (int)-ret; /* a negated errno, as libseccomp returns it */
	name = strerrorname_np(failure);
	if (ret < 0)
		snprintf(text, sizeof(text), "%s = %ld %s (%s)", call, ret, name ? name : "E?",
			 strerror(failure));
	else
		snprintf(text, sizeof(text), "%s = %ld", call, ret);
	emit(text, where);
	errno = saved;
	return ret;
}

/** Trace something that has no result to show: a call about to be made that does not
 *  return when it works (execve), or what a step did (`= 0` is then part of @p fmt). */
void
nook_trace_note(const char *where, const char *fmt, ...)
{
	int saved = errno;
	char call[TRACE_LINE_MAX / 2];
	va_list ap;

	if (trace.fd < 0)
		return;
	va_start(ap, fmt);
	describe(call, sizeof(call), fmt, ap);
	va_end(ap);
	emit(call, where);
	errno = saved;
}

/** Now, for trace_stage(): a CLOCK_MONOTONIC reading (one clock for host and child). */
void
trace_clock(struct timespec *t)
{
	clock_gettime(CLOCK_MONOTONIC, t);
}

/** Milliseconds from @p a to @p b. */
static double
ms_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

/**
 * With --trace=time: how long hook @p hook of stage @p stage took since @p since, and when
 * it ended, counted from the start of create. Printed only, never judged.
 */
void
trace_stage(const char *stage, const char *hook, const struct timespec *since)
{
	struct timespec now;
	char text[160];

	if (trace.fd < 0 || trace.level != NOOK_TRACE_TIME)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	snprintf(text, sizeof(text), "time: %s %s %.3f ms (at %.3f ms)", stage, hook,
		 ms_between(since, &now), ms_between(&trace.origin, &now));
	emit(text, NULL);
}

/** The CLONE_NEW* names of @p flags, "|"-separated, into @p buf: "CLONE_NEWUTS|CLONE_NEWIPC". */
const char *
trace_clone_flags(int flags, char *buf, size_t size)
{
	static const struct {
		int flag;
		const char *name;
	} names[] = {
		{CLONE_NEWUSER, "CLONE_NEWUSER"},     {CLONE_NEWUTS, "CLONE_NEWUTS"},
		{CLONE_NEWIPC, "CLONE_NEWIPC"},	      {CLONE_NEWPID, "CLONE_NEWPID"},
		{CLONE_NEWNS, "CLONE_NEWNS"},	      {CLONE_NEWNET, "CLONE_NEWNET"},
		{CLONE_NEWCGROUP, "CLONE_NEWCGROUP"},
	};
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && n < size; i++)
		if (flags & names[i].flag)
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "|" : "",
					      names[i].name);
	if (!buf[0])
		snprintf(buf, size, "0");
	return buf;
}

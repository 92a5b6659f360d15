/**
 * @file lessoncheck.c
 * @brief `make check-lessons` and `make demo`: run what the lessons show, and compare.
 *
 *     lessoncheck FILE...          check: re-run every transcript, compare, check snippets
 *     lessoncheck --tour FILE...   demo: run every transcript's commands live, no comparing
 *
 * What a lesson may claim, and the two wildcards of expected output, are described in
 * lesson.h: in short, `[...]` within a line matches any text in that line, and a line that
 * is only `[...]` matches any number of lines, none included.
 *
 * Each command runs as `/bin/sh -c CMD` from the current directory (the repository's root),
 * with stdin from /dev/null, and with stdout and stderr both the one pipe lessoncheck reads:
 * a terminal interleaves them the same way. (Giving the shell that pipe as its fd 2, rather
 * than appending "2>&1" to the command, also covers `a; b` and a trailing comment.) The
 * command gets a process group of its own, and 30 seconds: then the whole group is killed,
 * whatever it started included, and the command is reported as timed out. Its output ends
 * when the last process holding the pipe closes it, as with `$(...)` in a shell.
 *
 * Scratch names a lesson declares (`<!-- scratch: /tmp/nook-demo -->`, see lesson.h) get a
 * suffix of this run, `-PID` of lessoncheck, in every command run, and lose it again in the
 * output before it is compared: two checks on one machine do not collide. The lesson's
 * cleanup commands (`<!-- cleanup: rm -rf /tmp/nook-demo -->`) run after its last command,
 * whatever happened, their output and exit status ignored. SIGINT, SIGTERM or SIGHUP stops
 * lessoncheck after the running command (killed, in check mode, with its process group);
 * the lesson's cleanup runs, then lessoncheck dies of that signal.
 *
 * In check mode every file is checked to the end, every failure shown with the Markdown line
 * it comes from; the exit status is 1 if anything failed. In tour mode the commands write to
 * the terminal itself (a program sees a tty, and may use colour) and stay in lessoncheck's
 * process group, so ^C reaches them; the exit status is 1 only if a lesson could not be read
 * or a command could not be started. A bad option exits with 2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lesson.h"

/** How long one command may take, in seconds. */
#define TIMEOUT_SEC 30
/** Output beyond this many bytes is read and dropped. */
#define OUTPUT_MAX (4 << 20)
/** A mismatch shows at most this many lines of each side. */
#define SHOW_MAX 40

static const char usage_text[] =
	"usage: lessoncheck FILE...         re-run the lessons' transcripts, compare, check "
	"snippets\n"
	"       lessoncheck --tour FILE...  run the lessons' commands live, without comparing\n"
	"\n"
	"A transcript is a ```console block. A line starting with \"# \" or \"$ \" is a command,\n"
	"run with /bin/sh -c from the current directory (stdin /dev/null, stderr into stdout,\n"
	"30 s at most); the lines after it, up to the next command, are its expected output.\n"
	"In expected output, [...] within a line matches any text in that line, and a line that\n"
	"is only [...] matches any number of lines, none included. Trailing whitespace and the\n"
	"exit status are ignored.\n"
	"\n"
	"A snippet is a line <!-- snippet: FILE MARKER --> right before a code block: the block\n"
	"must be the lines between the two lines //! [MARKER] of FILE, indentation aside.\n"
	"\n"
	"<!-- scratch: NAME... --> names what the commands make on the host (/tmp/nook-demo):\n"
	"each run uses NAME-PID instead, and shows NAME in the output. <!-- cleanup: CMD -->\n"
	"runs after the lesson's commands, and when SIGINT, SIGTERM or SIGHUP stops a run.\n"
	"\n"
	"Exit status: 0 if all is well, 1 if anything differed or failed, 2 for a bad option.\n";

/** The signal that asked lessoncheck to stop (SIGINT, SIGTERM, SIGHUP), or 0. */
static volatile sig_atomic_t stop_signal;

static void
on_stop_signal(int sig)
{
	stop_signal = sig;
}

/** Catch the signals that stop a run, without SA_RESTART: poll(2) and sleeps return early. */
static void
catch_stop_signals(void)
{
	struct sigaction sa = {.sa_handler = on_stop_signal};
	const int sigs[] = {SIGINT, SIGTERM, SIGHUP};

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

/** A lesson's scratch names, and the forms of this run: NAME-PID. */
struct names {
	char **plain;  /* the lesson's own array */
	char **unique; /* ours */
	size_t n;
};

/** This run's forms of @p l's scratch names into @p nm; -1 if out of memory. */
static int
names_make(const struct lesson *l, struct names *nm)
{
	*nm = (struct names){l->scratch, calloc(l->nscratch + 1, sizeof(char *)), l->nscratch};
	if (!nm->unique)
		return -1;
	for (size_t i = 0; i < nm->n; i++)
		if (asprintf(&nm->unique[i], "%s-%d", nm->plain[i], (int)getpid()) < 0)
			return -1;
	return 0;
}

static void
names_free(struct names *nm)
{
	for (size_t i = 0; nm->unique && i < nm->n; i++)
		free(nm->unique[i]);
	free(nm->unique);
}

/** @p cmd as this run runs it, scratch names made unique (malloc'd; NULL: no memory). */
static char *
names_in(const struct names *nm, const char *cmd)
{
	return lesson_substitute(cmd, nm->plain, nm->unique, nm->n);
}

/** Bytes read so far, kept NUL-terminated. */
struct buf {
	char *data;
	size_t len, cap;
};

/** How one command ended, and what it printed. */
struct run {
	struct buf out; /* stdout and stderr together; unused in tour mode */
	int status;	/* as waitpid(2) reports it */
	bool timed_out;
};

static int
buf_append(struct buf *b, const char *data, size_t n)
{
	size_t cap = b->cap ? b->cap : 4096;
	char *nd;

	while (cap < b->len + n + 1)
		cap *= 2;
	if (cap != b->cap) {
		nd = realloc(b->data, cap);
		if (!nd)
			return -1;
		b->data = nd;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

/** Read all of @p path into @p b; -1 with errno set if it cannot. */
static int
read_file(const char *path, struct buf *b)
{
	char chunk[8192];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC), saved;

	if (fd < 0)
		return -1;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || buf_append(b, chunk, (size_t)n) < 0) {
			saved = n < 0 ? errno : ENOMEM;
			close(fd);
			errno = saved;
			return -1;
		}
	}
	close(fd);
	return buf_append(b, "", 0); /* an empty file is "" too, not NULL */
}

/* ---- running a command ----------------------------------------------------------------- */

static void
deadline_in(struct timespec *deadline, int seconds)
{
	clock_gettime(CLOCK_MONOTONIC, deadline);
	deadline->tv_sec += seconds;
}

/** Milliseconds left until @p deadline; 0 once it has passed. */
static int
ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (deadline->tv_sec - now.tv_sec) * 1000LL + (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? (int)ms : 0;
}

/**
 * In the child: stdin from /dev/null, stdout and stderr to @p outfd unless it is -1, a
 * process group of its own if @p own_group, then the shell. If that fails, the errno goes
 * to the parent through @p errfd, which exec would have closed.
 */
static void __attribute__((noreturn))
child_exec(const char *cmd, int outfd, bool own_group, int errfd)
{
	int null = open("/dev/null", O_RDONLY), errnum;

	if (null < 0 || dup2(null, STDIN_FILENO) < 0)
		goto fail;
	if (outfd >= 0 && (dup2(outfd, STDOUT_FILENO) < 0 || dup2(outfd, STDERR_FILENO) < 0))
		goto fail;
	if (null > STDERR_FILENO)
		close(null);
	if (own_group && setpgid(0, 0) < 0)
		goto fail;
	setenv("LC_ALL", "C", 1); /* transcripts show English, untranslated messages */
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
fail:
	errnum = errno;
	if (write(errfd, &errnum, sizeof(errnum)) < 0)
		_exit(127);
	_exit(127);
}

/** Start `/bin/sh -c CMD` (see child_exec()); returns 0 once it runs, -1 with errno set. */
static int
spawn_shell(const char *cmd, int outfd, bool own_group, pid_t *pid)
{
	int errpipe[2], errnum = 0;

	if (pipe2(errpipe, O_CLOEXEC) < 0)
		return -1;
	*pid = fork();
	if (*pid == 0)
		child_exec(cmd, outfd, own_group, errpipe[1]);
	errnum = *pid < 0 ? errno : 0;
	close(errpipe[1]);
	/* EOF: exec closed the pipe, the shell runs. A number: why it does not. */
	while (*pid > 0 && read(errpipe[0], &errnum, sizeof(errnum)) < 0 && errno == EINTR)
		;
	close(errpipe[0]);
	if (errnum != 0 && *pid > 0)
		waitpid(*pid, NULL, 0);
	errno = errnum;
	return errnum ? -1 : 0;
}

/** Read @p fd into @p out until EOF; returns false if @p deadline came first. */
static bool
capture(int fd, const struct timespec *deadline, struct buf *out)
{
	struct pollfd pfd = {fd, POLLIN, 0};
	char chunk[8192];
	ssize_t n;
	int ready;

	for (;;) {
		if (stop_signal)
			return false;
		ready = poll(&pfd, 1, ms_left(deadline));
		if (ready == 0)
			return false;
		if (ready < 0)
			continue; /* EINTR: stop_signal, or another signal */
		n = read(fd, chunk, sizeof(chunk));
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			return true;
		if (n > 0 && out->len + (size_t)n <= OUTPUT_MAX)
			buf_append(out, chunk, (size_t)n);
	}
}

/** waitpid(2) for @p pid, but only until @p deadline; returns false if it came first. */
static bool
wait_until(pid_t pid, const struct timespec *deadline, int *status)
{
	const struct timespec tick = {0, 10 * 1000 * 1000};
	pid_t r;

	for (;;) {
		r = waitpid(pid, status, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR))
			return true;
		if (ms_left(deadline) == 0 || stop_signal)
			return false;
		nanosleep(&tick, NULL);
	}
}

/** Kill what a command that ran out of time left behind, and reap it. */
static void
kill_command(pid_t pid, bool own_group, struct run *r)
{
	kill(own_group ? -pid : pid, SIGKILL);
	while (waitpid(pid, &r->status, 0) < 0 && errno == EINTR)
		;
	r->timed_out = true;
}

/** Run @p cmd with its output captured in @p r; -1 with errno set if it could not start. */
static int
run_captured(const char *cmd, struct run *r)
{
	struct timespec deadline;
	int fds[2], rc;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	rc = spawn_shell(cmd, fds[1], true, &pid);
	close(fds[1]);
	if (rc < 0) {
		close(fds[0]);
		return -1;
	}
	deadline_in(&deadline, TIMEOUT_SEC);
	if (!capture(fds[0], &deadline, &r->out) || !wait_until(pid, &deadline, &r->status))
		kill_command(pid, true, r);
	close(fds[0]);
	return 0;
}

/** Run @p cmd on the terminal, as it is; -1 with errno set if it could not start. */
static int
run_live(const char *cmd, struct run *r)
{
	struct timespec deadline;
	pid_t pid;

	fflush(stdout);
	if (spawn_shell(cmd, -1, false, &pid) < 0)
		return -1;
	deadline_in(&deadline, TIMEOUT_SEC);
	if (!wait_until(pid, &deadline, &r->status))
		kill_command(pid, false, r);
	return 0;
}

/* ---- check mode ------------------------------------------------------------------------ */

/** How a command ended, in words: "exit status 1", "killed by signal 9 (Killed)". */
static const char *
describe_status(const struct run *r, char *buf, size_t size)
{
	if (r->timed_out)
		snprintf(buf, size, "timed out after %d s", TIMEOUT_SEC);
	else if (WIFSIGNALED(r->status))
		snprintf(buf, size, "killed by signal %d (%s)", WTERMSIG(r->status),
			 strsignal(WTERMSIG(r->status)));
	else
		snprintf(buf, size, "exit status %d", WEXITSTATUS(r->status));
	return buf;
}

/** Show the expected lines of @p c under a heading, at most SHOW_MAX of them. */
static void
show_expected(const struct lesson_command *c)
{
	size_t i;

	printf("  expected:%s\n", c->nexpect ? "" : " (no output)");
	for (i = 0; i < c->nexpect && i < SHOW_MAX; i++)
		printf("    %s\n", c->expect[i]);
	if (i < c->nexpect)
		printf("    ... and %zu more lines\n", c->nexpect - i);
}

/** Show @p text, line by line, under a heading, at most SHOW_MAX lines of it. */
static void
show_actual(const char *text)
{
	const char *p = text, *nl;
	int shown = 0;

	printf("  actual:%s\n", *p ? "" : " (no output)");
	for (; *p && shown < SHOW_MAX; shown++) {
		nl = strchrnul(p, '\n');
		printf("    %.*s\n", (int)(nl - p), p);
		p = *nl ? nl + 1 : nl;
	}
	if (*p)
		printf("    ... and more\n");
}

/**
 * Run one command of @p path, its scratch names made unique by @p nm, and compare its
 * output, the names made plain again; returns 1 if it failed, 0 if it matched (or if
 * lessoncheck was stopped while it ran).
 */
static int
check_command(const char *path, const struct lesson_command *c, const struct names *nm)
{
	char how[128], *cmd = names_in(nm, c->cmd), *out = NULL;
	struct run r = {0};
	int failed = 1;

	if (!cmd || run_captured(cmd, &r) < 0)
		printf("%s:%d: command '%s': cannot start /bin/sh: %s\n", path, c->line, c->cmd,
		       strerror(cmd ? errno : ENOMEM));
	else if (!(out = lesson_substitute(r.out.data ? r.out.data : "", nm->unique, nm->plain,
					   nm->n)))
		printf("%s:%d: command '%s': out of memory\n", path, c->line, c->cmd);
	else if (stop_signal || (!r.timed_out && lesson_match(c->expect, c->nexpect, out)))
		failed = 0;
	if (failed && out) {
		printf("%s:%d: command '%s': %s%s%s\n", path, c->line, c->cmd,
		       r.timed_out ? "" : "output differs (", describe_status(&r, how, sizeof(how)),
		       r.timed_out ? "" : ")");
		show_expected(c);
		show_actual(out);
	}
	free(out);
	free(cmd);
	free(r.out.data);
	return failed;
}

/**
 * Run the cleanup commands of @p l, scratch names made unique by @p nm: quietly, exit
 * status ignored, and even when lessoncheck is being stopped (a second signal stops it).
 */
static void
run_cleanup(const struct lesson *l, const struct names *nm)
{
	int stopping = stop_signal;

	stop_signal = 0;
	for (size_t i = 0; i < l->ncleanup && !stop_signal; i++) {
		struct run r = {0};
		char *cmd = names_in(nm, l->cleanup[i]);

		if (cmd)
			run_captured(cmd, &r);
		free(cmd);
		free(r.out.data);
	}
	if (!stop_signal)
		stop_signal = stopping;
}

/** Print line @p n (from 1) of @p text after @p label, or say there is none. */
static void
show_nth_line(const char *label, const char *text, int n)
{
	const char *nl;

	for (; n > 1 && *text; n--)
		text = *(nl = strchrnul(text, '\n')) ? nl + 1 : nl;
	if (!*text) {
		printf("  %s: (no such line)\n", label);
		return;
	}
	printf("  %s: %.*s\n", label, (int)(strchrnul(text, '\n') - text), text);
}

/** Compare @p code, extracted from the source, with snippet @p s of @p path; 1 if unlike. */
static int
compare_snippet(const char *path, const struct lesson_snippet *s, const char *code)
{
	int line;

	if (lesson_same_code(s->code, code, &line))
		return 0;
	/* the comment, the fence, then line 1 of the block */
	printf("%s:%d: snippet %s [%s]: differs from the source\n", path, s->line + 1 + line,
	       s->file, s->marker);
	show_nth_line("lesson", s->code, line);
	show_nth_line("source", code, line);
	return 1;
}

/** Check one snippet of @p path against its source; returns 1 if it failed. */
static int
check_snippet(const char *path, const struct lesson_snippet *s)
{
	struct buf src = {0};
	struct lesson_error err;
	char *code = NULL;
	int failed = 1;

	if (read_file(s->file, &src) < 0)
		printf("%s:%d: snippet %s [%s]: cannot read %s: %s\n", path, s->line, s->file,
		       s->marker, s->file, strerror(errno));
	else if (lesson_extract(src.data, s->marker, &code, &err) < 0)
		printf("%s:%d: snippet %s [%s]: %s\n", path, s->line, s->file, s->marker, err.msg);
	else
		failed = compare_snippet(path, s, code);
	free(code);
	free(src.data);
	return failed;
}

/** Read and parse @p path into @p l; says why not and returns -1 if it cannot. */
static int
load_lesson(const char *path, struct lesson *l)
{
	struct buf text = {0};
	struct lesson_error err;
	int rc = -1;

	if (read_file(path, &text) < 0)
		fprintf(stderr, "lessoncheck: %s: %s\n", path, strerror(errno));
	else if (lesson_parse(text.data, l, &err) < 0)
		fprintf(stderr, "%s:%d: %s\n", path, err.line, err.msg);
	else
		rc = 0;
	free(text.data);
	return rc;
}

/** Check all of one lesson; returns 1 if anything in it failed. */
static int
check_file(const char *path)
{
	struct lesson l;
	struct names nm;
	int failures = 0;

	if (load_lesson(path, &l) < 0)
		return 1;
	if (names_make(&l, &nm) < 0) {
		fprintf(stderr, "lessoncheck: %s: out of memory\n", path);
		names_free(&nm);
		lesson_free(&l);
		return 1;
	}
	for (size_t i = 0; i < l.ncmds && !stop_signal; i++)
		failures += check_command(path, &l.cmds[i], &nm);
	run_cleanup(&l, &nm);
	names_free(&nm);
	if (stop_signal) {
		lesson_free(&l);
		return 1;
	}
	for (size_t i = 0; i < l.nsnippets; i++)
		failures += check_snippet(path, &l.snippets[i]);
	printf("%s: %zu command%s, %zu snippet%s: ", path, l.ncmds, l.ncmds == 1 ? "" : "s",
	       l.nsnippets, l.nsnippets == 1 ? "" : "s");
	if (failures)
		printf("%d failed\n", failures);
	else
		printf("ok\n");
	fflush(stdout);
	lesson_free(&l);
	return failures > 0;
}

/* ---- tour mode ------------------------------------------------------------------------- */

/** Show one lesson's commands, each run live after its prompt; 1 if one could not start. */
static int
tour_file(const char *path, bool tty)
{
	const char *bold = tty ? "\033[1m" : "", *plain = tty ? "\033[0m" : "";
	struct lesson l;
	struct names nm;
	struct run r;
	char how[128], *cmd;
	int failed = 0;

	if (load_lesson(path, &l) < 0)
		return 1;
	failed = names_make(&l, &nm) < 0;
	printf("\n%s=== %s ===%s\n\n", bold, l.title ? l.title : path, plain);
	for (size_t i = 0; i < l.ncmds && !failed && !stop_signal; i++) {
		memset(&r, 0, sizeof(r));
		cmd = names_in(&nm, l.cmds[i].cmd);
		printf("%s%c %s%s\n", bold, l.cmds[i].prompt, cmd ? cmd : l.cmds[i].cmd, plain);
		if (!cmd || run_live(cmd, &r) < 0) {
			fprintf(stderr, "lessoncheck: %s:%d: cannot start /bin/sh: %s\n", path,
				l.cmds[i].line, strerror(cmd ? errno : ENOMEM));
			failed = 1;
		} else if (r.timed_out && !stop_signal) {
			printf("(%s)\n", describe_status(&r, how, sizeof(how)));
		}
		free(cmd);
	}
	run_cleanup(&l, &nm);
	names_free(&nm);
	lesson_free(&l);
	return failed;
}

/* ---- main ------------------------------------------------------------------------------ */

/** Read the options; returns the index of the first file, or -1 after saying what is wrong. */
static int
parse_options(int argc, char *argv[], bool *tour)
{
	static const struct option options[] = {
		{"tour", no_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int ch;

	opterr = 0; /* one line of our own instead */
	while ((ch = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
		if (ch == 't') {
			*tour = true;
		} else if (ch == 'h') {
			fputs(usage_text, stdout);
			exit(0);
		} else {
			fprintf(stderr, "lessoncheck: unrecognized option '%s'\n%s",
				argv[optind - 1], usage_text);
			return -1;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "lessoncheck: no lesson given\n%s", usage_text);
		return -1;
	}
	return optind;
}

int
main(int argc, char *argv[])
{
	bool tour = false;
	int first = parse_options(argc, argv, &tour), failed = 0;

	if (first < 0)
		return 2;
	catch_stop_signals();
	for (int i = first; i < argc && !stop_signal; i++) {
		if (tour)
			failed |= tour_file(argv[i], isatty(STDOUT_FILENO));
		else
			failed |= check_file(argv[i]);
	}
	if (stop_signal) {
		int sig = stop_signal;

		fprintf(stderr, "lessoncheck: stopped by %s; the lesson's scratch was cleaned up\n",
			strsignal(sig));
		signal(sig, SIG_DFL);
		raise(sig);
	}
	return failed;
}

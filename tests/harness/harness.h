/**
 * @file harness.h
 * @brief What every integration test needs: run a step program as a child process, with a
 *        timeout, and say clearly what went wrong when it misbehaves.
 *
 * Tests look at a container from the outside, as a user would: they start the step program
 * (from $NOOK_BIN, default build/solutions) with arguments, collect its stdout, stderr and
 * exit status, and compare. Every run has a deadline; a run that overstays it is killed and
 * reported as timed out, so a broken exercise fails a test instead of hanging the suite.
 * Tests whose kernel feature is missing skip, printing the reason (kselftest style).
 */
#ifndef NOOK_HARNESS_H
#define NOOK_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <cmocka.h>

/*
 * NOOK_TESTS_UNTIL_FAILURE=1 in the environment: the tests of a binary stop at the first
 * that fails, the rest reported skipped. The exercise proofs (tests/prove-exercise,
 * prove-mutant) need one failing test, not all of them. Every group run and every skip()
 * goes through the harness for that: its tests say skip() and cmocka_run_group_tests() as
 * usual.
 */
int harness_run_group_tests(const char *name, const struct CMUnitTest *tests, size_t n,
			    CMFixtureFunction setup, CMFixtureFunction teardown);
void harness_skip(const char *file, int line);
#undef _cmocka_run_group_tests
#define _cmocka_run_group_tests harness_run_group_tests
#undef skip
#define skip() harness_skip(__FILE__, __LINE__)

/** Seconds a run may take unless a test says otherwise. */
#define RUN_TIMEOUT 20

/** A finished run: what a user would have seen. */
struct run {
	int status;	/**< exit code as a shell reports it (128+N for signal N), -1 on timeout */
	bool timed_out; /**< killed at the deadline */
	char out[16384];
	char err[16384];
};

/** A run still going: started by start_step(), ended by finish(). */
struct proc {
	pid_t pid; /**< the step program's PID on the host */
	int outfd; /**< its stdout */
	int errfd; /**< its stderr */
	struct run *r;
	size_t nout, nerr;
};

const char *step_path(const char *step);
const char *probe_path(void);
void run_step(struct run *r, const char *step, ...) __attribute__((sentinel));
void run_argv(struct run *r, int timeout_s, char *const argv[]);
void start_step(struct proc *p, struct run *r, const char *step, ...) __attribute__((sentinel));
void start_argv(struct proc *p, struct run *r, char *const argv[]);
bool wait_for_output(struct proc *p, const char *text, int timeout_s);
void finish(struct proc *p, int timeout_s);
void skip_unless_root(void);
void skip_unless_namespaces(int clone_flags);
int count_lines(const char *s);
bool file_exists(const char *path);
void expect_exit_statuses(const char *step);
void unused_path(char *path);
void make_scratch_dir(char *path, const char *tag, mode_t mode);
void remove_scratch_dirs(void);
char *unique_name(char *buf, const char *tag);
void run_on_pty(struct run *r, int timeout_s, const char *ready, const char *keys,
		char *const argv[]);
const char *veth_host_end(const char *id);

/* Running as an unprivileged user (rootless tests). */
/** The user rootless tests run as: nobody. */
#define NOBODY 65534
void start_argv_as(struct proc *p, struct run *r, uid_t uid, gid_t gid, void (*setup)(void *),
		   void *arg, char *const argv[]);
void run_step_as(struct run *r, uid_t uid, gid_t gid, const char *step, ...)
	__attribute__((sentinel));
const char *runnable_as(uid_t uid, gid_t gid, const char *path);
void skip_unless_user_namespaces_as(uid_t uid, gid_t gid);

/** A scratch block device: a loop device on a scratch file, or none (loop0's numbers). */
struct scratch_blockdev {
	char loop[64];	       /**< "/dev/loop3" when attached, else "" */
	unsigned major, minor; /**< its numbers */
};
void scratch_block_device(struct scratch_blockdev *d, const char *dir);
void scratch_writable_block_device(struct scratch_blockdev *d, const char *dir, unsigned mib);
void release_block_device(struct scratch_blockdev *d);

/** Fail the test, showing what the run printed, unless @p cond holds. */
#define expect_run(r, cond, ...)                                                                   \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			print_message(__VA_ARGS__);                                                \
			print_message("\n  exit status: %d%s\n  stdout: %s\n  stderr: %s\n",       \
				      (r)->status, (r)->timed_out ? " (timed out)" : "", (r)->out, \
				      (r)->err);                                                   \
			fail();                                                                    \
		}                                                                                  \
	} while (0)

void expect_ran_(const struct run *r, const char *file, int line);
/**
 * Fail, saying so, if the container never ran its command: nook exited 125 (its own
 * error: a refused option, an exercise not done), 126 or 127 (the command could not be
 * started). Call it before asserting on what a container printed or did, so that a test
 * of a container that never started says that, not "the queue is visible".
 */
#define expect_ran(r) expect_ran_(r, __FILE__, __LINE__)

/**
 * Expect exit status @p want. Unless @p want is itself 125, 126 or 127, a run that ended
 * with one of those is reported as a container that did not run (see expect_ran()).
 */
#define expect_status(r, want)                                                                     \
	do {                                                                                       \
		if ((want) < 125 || (want) > 127)                                                  \
			expect_ran(r);                                                             \
		expect_run(r, (r)->status == (want), "expected exit status %d", (want));           \
	} while (0)

/** Expect stdout to be exactly @p want, from a container that ran. */
#define expect_stdout(r, want)                                                                     \
	do {                                                                                       \
		expect_ran(r);                                                                     \
		expect_run(r, strcmp((r)->out, (want)) == 0, "expected stdout \"%s\"", (want));    \
	} while (0)

/*
 * Network namespaces. Network tests never touch the machine's own network: each moves the
 * test process into a throwaway network namespace first, so that the step programs, ip and
 * ping it starts, and any veth host end they make, live and die there.
 */
int netns_enter_throwaway(void);
void netns_leave(int oldns);
bool link_exists(const char *name);
int count_links(void);
void run_shell(struct run *r, const char *cmd);

#endif

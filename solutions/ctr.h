/**
 * @file ctr.h
 * @brief Step 11: containers of images — what `nook run IMAGE` leaves for `nook ps`, `logs`,
 *        `stop`, `rm` and `inspect`, and how those commands live beside runc's.
 *
 * ## Names and runc IDs
 *
 * An image container has ONE name, and it is its runc ID: `nook run --name web busybox`
 * creates runtime container "web" in the state root (--root, /run/nook), exactly as
 * `nook create web` would, and a random 12-hex-digit name when --name is not given. So
 * every runc command works on it unchanged: `nook state web`, `nook kill web TERM`,
 * `nook exec web ls`, `nook ps web` (its processes). What makes it an *image* container is
 * a second directory, in the image store: STORE/containers/NAME/, holding the bundle
 * (config.json, the overlay's upper/, work/, rootfs/), and the monitor's files:
 *
 *     container.json  what `run` was asked: name, image, command, StopSignal, --rm, created
 *     log             the container's stdout and stderr (with -d), appended
 *     monitor         the monitor's PID while it lives
 *     exit            once the container has ended: {"exitCode":N,"finishedAt":...}
 *
 * The rule that keeps both command lines working: a command that runc has (ps, kill, exec)
 * keeps runc's meaning whenever it is given runc's operands — `ps ID` lists processes,
 * `kill ID [SIGNAL]` signals — and gets docker's meaning only where runc would refuse:
 * `ps` with no ID (or with -a) lists the image containers; `kill -s SIG NAME` is accepted
 * too. The commands runc lacks (logs, stop, rm, inspect) look only in the store. A name is
 * therefore refused by `run` when the store has a container of that name *or* the state
 * root has a runtime container of that ID (podman's, say): one namespace for both.
 *
 * ## The monitor
 *
 * `nook run -d` must return at once, yet someone must stay the container's parent to learn
 * its exit status and to unmount and remove it afterwards (podman's conmon, containerd's
 * shim). That is the monitor (cmd_run_monitor.c): nook forks twice, the middle process
 * exits, so the monitor is adopted by init (or the nearest subreaper) and outlives the
 * caller; it runs in its own session with stdin /dev/null and stdout and stderr on the
 * log file, creates and starts the container (which inherits those), tells the caller
 * "started" or why not through a pipe, then waits, records `exit`, destroys the runtime
 * container (cgroup, state directory), unmounts the root and, with --rm, removes
 * everything. Without -d, `nook run` itself is the monitor, in the foreground, with the
 * caller's own streams.
 */
#ifndef NOOK_CTR_H
#define NOOK_CTR_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "nook.h"

/** The files of a container's directory in the store (see the top of this file). */
#define CTR_INFO    "container.json"
#define CTR_LOG	    "log"
#define CTR_MONITOR "monitor"
#define CTR_EXIT    "exit"

/** What the commands know of one image container. */
struct ctr {
	char name[NOOK_ID_MAX + 1];
	char dir[PATH_MAX]; /**< STORE/containers/NAME */
	void *info;	    /**< container.json (json_t), or NULL */
	pid_t monitor;	    /**< the monitor's PID if it lives, else 0 */
	bool exited;	    /**< `exit` is there */
	int exit_code;	    /**< its exitCode */
	char finished[48];  /**< its finishedAt */
	bool running;	    /**< the runtime container's first process lives */
	pid_t pid;	    /**< that process, on the host */
	char cgroup[128];   /**< its first cgroup directory, or "" */
	const char *status; /**< "running", "exited", "created" */
};

int ctr_open(const char *name, struct ctr *c, struct nook_error *err);
void ctr_close(struct ctr *c);
int ctr_list(char names[][NOOK_ID_MAX + 1], int max, struct nook_error *err);
int ctr_write_file(const char *dir, const char *file, const char *text, struct nook_error *err);
int ctr_signal(const struct ctr *c, int sig, bool all, struct nook_error *err);
bool ctr_wait_end(struct ctr *c, int ms);
void ctr_finish(const char *dir, bool all);
int ctr_record_exit(const char *dir, int status);

int cmd_logs(int argc, char *argv[]);
int cmd_stop(int argc, char *argv[]);
int cmd_rm(int argc, char *argv[]);
int cmd_inspect(int argc, char *argv[]);
int cmd_ctr_list(int argc, char *argv[]);

#endif

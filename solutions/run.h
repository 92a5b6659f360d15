/**
 * @file run.h
 * @brief Step 11: the image form of `nook run` — its options (cmd_run_options.c, one
 *        table for the parser, --help and nook-run(1)), the bundle it makes
 *        (cmd_run_image.c) and the monitor that stays with the container
 *        (cmd_run_monitor.c, see ctr.h).
 */
#ifndef NOOK_RUN_H
#define NOOK_RUN_H

#include <stdbool.h>
#include <stdio.h>

#include "cdi.h"
#include "oci.h"

/** How many -v. */
#define RUN_MAX_VOLUMES 32

/** What the command line asks of the container. */
struct run_opts {
	bool detach;	  /**< -d: the monitor runs it in the background */
	bool rm;	  /**< --rm: removed when it ends */
	bool interactive; /**< -i: stdin kept (else /dev/null) */
	bool tty;	  /**< -t: a pseudo-terminal (process.terminal) */
	bool read_only;	  /**< --read-only: the root mounted read-only */
	bool help;	  /**< --help */
	const char *name;
	const char *env[NOOK_MAX_ENV]; /**< -e and --env-file, in order */
	int nenv;
	const char *workdir; /**< -w */
	const char *user;    /**< -u */
	struct {
		const char *host, *dest;
		bool ro;
	} vol[RUN_MAX_VOLUMES]; /**< -v HOST:DEST[:ro|rw] */
	int nvol;
	long long memory;     /**< --memory, bytes (0: none) */
	long long cpu_quota;  /**< --cpus as a quota per 100000 us period (0: none) */
	long long pids_limit; /**< --pids-limit (0: none) */
	const char *device[NOOK_MAX_DEVICE_OPTS]; /**< --device: HOST[:PATH][:rwm] or CDI */
	int ndevices;
	struct cdi_dirs cdi; /**< --cdi-spec-dir, or $NOOK_CDI_SPEC_DIRS, or the standard */
	const char *image;
	char **cmd;				     /**< CMD..., NULL-terminated (may be empty) */
	char *owned[NOOK_MAX_ENV + RUN_MAX_VOLUMES]; /**< strings made while parsing */
	int nowned;
};

/** One option of the image form of `nook run`. */
struct run_option {
	const char *name; /**< the long name */
	char short_name;  /**< its one letter, or 0 */
	const char *arg;  /**< its argument as --help shows it, NULL: none */
	const char *help;
	int (*set)(struct run_opts *o, const char *arg, struct nook_error *err);
};

extern const struct run_option run_options[];

/* cmd_run_options.c */
int run_parse(int argc, char *argv[], struct run_opts *o, struct nook_error *err);
bool run_option_is_image(const char *arg);
void run_opts_free(struct run_opts *o);
void run_usage(FILE *out);
void run_man(FILE *out);

/* cmd_run_monitor.c */
struct image_store;
int run_monitored(const char *id, const char *dir, const struct run_opts *o);

#endif

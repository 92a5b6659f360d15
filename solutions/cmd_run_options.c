/**
 * @file cmd_run_options.c
 * @brief The options of `nook run [OPTIONS] IMAGE [CMD...]`: one table, from which the
 *        parser, `nook run --help` and the man page nook-run(1) are all made, so that none
 *        of them can list an option the others lack.
 *
 * Each option validates its argument when it is parsed (a bad one is one line and exit
 * 125, before anything is made). The defaults, as docker's: in the foreground, with the
 * caller's stdout and stderr; stdin /dev/null unless -i; no terminal unless -t; the image's
 * command, environment, working directory and user unless CMD, -e, -w, -u say otherwise;
 * the root writable (the container's own upper layer) unless --read-only; no limit on
 * memory, CPU or PIDs; a random 12-hex-digit name unless --name.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "run.h"

static int
set_detach(struct run_opts *o, const char *arg, struct nook_error *err)
{
	(void)arg, (void)err;
	o->detach = true;
	return 0;
}

static int
set_rm(struct run_opts *o, const char *arg, struct nook_error *err)
{
	(void)arg, (void)err;
	o->rm = true;
	return 0;
}

static int
set_interactive(struct run_opts *o, const char *arg, struct nook_error *err)
{
	(void)arg, (void)err;
	o->interactive = true;
	return 0;
}

static int
set_tty(struct run_opts *o, const char *arg, struct nook_error *err)
{
	(void)arg, (void)err;
	o->tty = true;
	return 0;
}

static int
set_read_only(struct run_opts *o, const char *arg, struct nook_error *err)
{
	(void)arg, (void)err;
	o->read_only = true;
	return 0;
}

static int
set_name(struct run_opts *o, const char *arg, struct nook_error *err)
{
	if (state_check_id(arg, err) < 0)
		return -1;
	o->name = arg;
	return 0;
}

/** @p s (made with malloc), to be freed by run_opts_free(); NULL if it is NULL. */
static char *
own(struct run_opts *o, char *s)
{
	if (s && o->nowned < (int)(sizeof(o->owned) / sizeof(o->owned[0])))
		return o->owned[o->nowned++] = s;
	free(s);
	return NULL;
}

/** Free the strings parsing @p o made. */
void
run_opts_free(struct run_opts *o)
{
	while (o->nowned > 0)
		free(o->owned[--o->nowned]);
}

/** One K=V for the environment (a bare K: its value here, as docker takes it). */
static int
add_env(struct run_opts *o, const char *kv, struct nook_error *err)
{
	char *s;

	if (!*kv || *kv == '=')
		return nook_fail(err, 0, "run: -e \"%s\": expected NAME=VALUE", kv);
	if (o->nenv == NOOK_MAX_ENV)
		return nook_fail(err, 0, "run: more than %d -e", NOOK_MAX_ENV);
	if (!strchr(kv, '=')) {
		if (!getenv(kv))
			return 0; /* docker: unset here, left out there */
		if (asprintf(&s, "%s=%s", kv, getenv(kv)) < 0 || !own(o, s))
			return nook_fail(err, ENOMEM, "run: -e");
		kv = s;
	}
	o->env[o->nenv++] = kv;
	return 0;
}

static int
set_env(struct run_opts *o, const char *arg, struct nook_error *err)
{
	return add_env(o, arg, err);
}

/** --env-file: one K=V (or K) a line; blank lines and `#` comments skipped. */
static int
set_env_file(struct run_opts *o, const char *arg, struct nook_error *err)
{
	char *line = NULL, *copy;
	size_t size = 0;
	int ret = 0;
	FILE *f = fopen(arg, "re");

	if (!f)
		return nook_fail(err, errno, "run: --env-file \"%s\"", arg);
	while (ret == 0 && getline(&line, &size, f) > 0) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] && line[0] != '#')
			ret = (copy = own(o, strdup(line))) ? add_env(o, copy, err)
							    : nook_fail(err, ENOMEM, "--env-file");
	}
	free(line);
	fclose(f);
	return ret;
}

static int
set_workdir(struct run_opts *o, const char *arg, struct nook_error *err)
{
	if (arg[0] != '/')
		return nook_fail(err, 0, "run: -w \"%s\": not an absolute path", arg);
	o->workdir = arg;
	return 0;
}

static int
set_user(struct run_opts *o, const char *arg, struct nook_error *err)
{
	if (!*arg || *arg == ':')
		return nook_fail(err, 0, "run: -u \"%s\": expected USER[:GROUP]", arg);
	o->user = arg;
	return 0;
}

/** -v HOST:DEST[:ro|:rw]: HOST an existing absolute path, DEST absolute. */
static int
set_volume(struct run_opts *o, const char *arg, struct nook_error *err)
{
	char *copy = own(o, strdup(arg)), *dest, *mode;
	struct stat st;

	if (!copy || o->nvol == RUN_MAX_VOLUMES)
		return nook_fail(err, 0, "run: -v \"%s\": too many volumes", arg);
	dest = strchr(copy, ':');
	if (dest)
		*dest++ = '\0';
	mode = dest ? strchr(dest, ':') : NULL;
	if (mode)
		*mode++ = '\0';
	if (!dest || copy[0] != '/' || dest[0] != '/' ||
	    (mode && strcmp(mode, "ro") != 0 && strcmp(mode, "rw") != 0))
		return nook_fail(err, 0, "run: -v \"%s\": expected /HOST:/DEST[:ro|rw]", arg);
	if (stat(copy, &st) < 0)
		return nook_fail(err, errno, "run: -v \"%s\": %s", arg, copy);
	o->vol[o->nvol].host = copy;
	o->vol[o->nvol].dest = dest;
	o->vol[o->nvol++].ro = mode && strcmp(mode, "ro") == 0;
	return 0;
}

/** --memory N[b|k|m|g]: bytes, at least 6 MiB as docker asks. */
static int
set_memory(struct run_opts *o, const char *arg, struct nook_error *err)
{
	static const char units[] = "bkmg";
	char *end;
	long long n = strtoll(arg, &end, 10);
	const char *u = *end ? strchr(units, *end | 0x20) : units;

	if (end == arg || n <= 0 || !u || (*end && end[1]) || n > (LLONG_MAX >> 30))
		return nook_fail(err, 0, "run: --memory \"%s\": expected a size like 64m", arg);
	o->memory = n << (10 * (u - units));
	if (o->memory < 6 << 20)
		return nook_fail(err, 0, "run: --memory \"%s\": at least 6m", arg);
	return 0;
}

/** --cpus X: X CPUs' worth of time, as a quota per 100 ms. */
static int
set_cpus(struct run_opts *o, const char *arg, struct nook_error *err)
{
	char *end;
	double n = strtod(arg, &end);

	if (end == arg || *end || !(n >= 0.01 && n <= 1024))
		return nook_fail(err, 0, "run: --cpus \"%s\": expected a number like 0.5", arg);
	o->cpu_quota = (long long)(n * 100000);
	return 0;
}

static int
set_pids_limit(struct run_opts *o, const char *arg, struct nook_error *err)
{
	char *end;
	long long n = strtoll(arg, &end, 10);

	if (end == arg || *end || n <= 0)
		return nook_fail(err, 0, "run: --pids-limit \"%s\": expected a number > 0", arg);
	o->pids_limit = n;
	return 0;
}

/** --device HOST[:PATH][:rwm] (device_opt.c) or vendor.com/class=name (CDI, cdi.c). */
static int
set_device(struct run_opts *o, const char *arg, struct nook_error *err)
{
	struct device_opt d;

	if (o->ndevices == NOOK_MAX_DEVICE_OPTS)
		return nook_fail(err, 0, "--device: more than %d", NOOK_MAX_DEVICE_OPTS);
	if (device_opt_is_cdi(arg) && !cdi_name_valid(arg))
		return nook_fail(err, 0,
				 "--device \"%s\": not a CDI device name (vendor.com/class=name)",
				 arg);
	if (!device_opt_is_cdi(arg) && device_opt_parse(arg, &d, err) < 0)
		return -1;
	o->device[o->ndevices++] = arg;
	return 0;
}

/** --cdi-spec-dir DIR: where CDI specs are looked for instead of the standard places. */
static int
set_cdi_spec_dir(struct run_opts *o, const char *arg, struct nook_error *err)
{
	if (arg[0] != '/' || o->cdi.n == CDI_MAX_DIRS)
		return nook_fail(err, 0, "--cdi-spec-dir \"%s\": an absolute path, at most %d", arg,
				 CDI_MAX_DIRS);
	o->cdi.dir[o->cdi.n++] = arg;
	return 0;
}

static int
set_help(struct run_opts *o, const char *arg, struct nook_error *err)
{
	(void)arg, (void)err;
	o->help = true;
	return 0;
}

/** The options, in the order --help lists them. */
const struct run_option run_options[] = {
	{"detach", 'd', NULL, "run in the background: print the name, keep the output in the log",
	 set_detach},
	{"rm", 0, NULL, "remove the container (its writable layer too) when it ends", set_rm},
	{"name", 0, "NAME", "the container's name, which is also its runc ID (default: random)",
	 set_name},
	{"env", 'e', "K=V", "set an environment variable (K alone: its value here)", set_env},
	{"env-file", 0, "FILE", "read K=V lines from FILE (# comments)", set_env_file},
	{"workdir", 'w', "DIR", "the working directory (default: the image's, or /)", set_workdir},
	{"user", 'u', "USER[:GROUP]",
	 "run as USER (a number, or a name of the image's /etc/passwd)", set_user},
	{"volume", 'v', "HOST:DEST[:ro]", "bind-mount HOST on DEST (ro: read-only)", set_volume},
	{"read-only", 0, NULL, "mount the root filesystem read-only", set_read_only},
	{"memory", 0, "N[b|k|m|g]", "limit the memory (cgroup memory.max)", set_memory},
	{"cpus", 0, "X", "limit to X CPUs' worth of time (cgroup cpu.max)", set_cpus},
	{"pids-limit", 0, "N", "limit the number of processes (cgroup pids.max)", set_pids_limit},
	{"device", 0, "DEVICE",
	 "a host device node HOST[:PATH][:rwm], or a CDI device vendor.com/class=name", set_device},
	{"cdi-spec-dir", 0, "DIR",
	 "look for CDI specs in DIR (default: $NOOK_CDI_SPEC_DIRS, "
	 "or /etc/cdi and /var/run/cdi)",
	 set_cdi_spec_dir},
	{"interactive", 'i', NULL, "keep stdin (default: /dev/null)", set_interactive},
	{"tty", 't', NULL, "give the command a pseudo-terminal", set_tty},
	{"help", 'h', NULL, "show this help and exit", set_help},
	{NULL, 0, NULL, NULL, NULL},
};

#define NRUN_OPTIONS (sizeof(run_options) / sizeof(run_options[0]) - 1)

/** The option @p arg starts with ("--name", "--name=x", "-e", "-it"...), or NULL. */
static const struct run_option *
find(const char *arg)
{
	for (const struct run_option *r = run_options; r->name; r++) {
		size_t n = strlen(r->name);

		if (arg[1] == '-' && strncmp(arg + 2, r->name, n) == 0 &&
		    (arg[2 + n] == '\0' || arg[2 + n] == '='))
			return r;
		if (arg[1] != '-' && r->short_name && arg[1] == r->short_name)
			return r;
	}
	return NULL;
}

/**
 * Is @p arg an option only the image form has? -d/--detach is runc's too, and -h/--help
 * both's: they decide nothing (cmd_run.c).
 */
bool
run_option_is_image(const char *arg)
{
	const struct run_option *r = arg[0] == '-' && arg[1] ? find(arg) : NULL;

	if (r && arg[1] != '-' && r->short_name == 'd' && arg[2]) /* -dit */
		r = find(arg + 1);
	return r && strcmp(r->name, "detach") != 0 && strcmp(r->name, "help") != 0;
}

/**
 * Parse the image form's command line into @p o (its options, then IMAGE [CMD...]).
 * @return 0, or -1 with @p err naming what is wrong.
 */
int
run_parse(int argc, char *argv[], struct run_opts *o, struct nook_error *err)
{
	struct option table[NRUN_OPTIONS + 1] = {{0}};
	char shorts[2 * NRUN_OPTIONS + 3] = "+:";
	size_t n = 2;
	int ch;

	for (size_t i = 0; i < NRUN_OPTIONS; i++) {
		const struct run_option *r = &run_options[i];

		table[i] = (struct option){r->name, r->arg ? required_argument : no_argument, NULL,
					   256 + (int)i};
		if (r->short_name) {
			shorts[n++] = r->short_name;
			if (r->arg)
				shorts[n++] = ':';
		}
	}
	opterr = 0;
	while ((ch = getopt_long(argc, argv, shorts, table, NULL)) != -1) {
		const struct run_option *r = NULL;

		for (size_t i = 0; ch != '?' && ch != ':' && i < NRUN_OPTIONS; i++)
			if (ch == 256 + (int)i || ch == run_options[i].short_name)
				r = &run_options[i];
		if (!r)
			return nook_fail(err, 0, "run: %s '%s'",
					 ch == ':' ? "option needs an argument" : "unknown option",
					 argv[optind - 1]);
		if (r->set(o, optarg, err) < 0)
			return -1;
	}
	if (o->help)
		return 0;
	if (optind >= argc)
		return nook_fail(err, 0, "run: expected an IMAGE");
	if (o->cdi.n == 0)
		cdi_default_dirs(&o->cdi);
	o->image = argv[optind];
	o->cmd = argv + optind + 1;
	return 0;
}

/** The left column of --help for @p r: "-e, --env K=V". */
static void
left_column(const struct run_option *r, char *buf, size_t size)
{
	char s[8] = "    ";

	if (r->short_name)
		snprintf(s, sizeof(s), "-%c, ", r->short_name);
	snprintf(buf, size, "%s--%s%s%s", s, r->name, r->arg ? " " : "", r->arg ? r->arg : "");
}

/** `nook run --help`. */
void
run_usage(FILE *out)
{
	char left[64];

	fprintf(out, "Usage: nook run [OPTIONS] IMAGE [CMD...]\n"
		     "       nook run [--detach] [--bundle B] [--pid-file F] ... ID   (runc's)\n\n"
		     "Run CMD (default: the image's) in a new container of IMAGE.\n\nOptions:\n");
	for (const struct run_option *r = run_options; r->name; r++) {
		left_column(r, left, sizeof(left));
		fprintf(out, "  %-30s %s\n", left, r->help);
	}
	fprintf(out, "\nExit status: CMD's own (0 with -d once it started); 125 if nook failed; "
		     "126 if CMD cannot be executed; 127 if it is not found.\n");
}

/** nook-run(1), from the same table. */
void
run_man(FILE *out)
{
	fputs(".TH NOOK\\-RUN 1 \"\" \"nook\" \"User Commands\"\n.SH NAME\nnook\\-run \\- run a "
	      "command in a new container of an image\n.SH SYNOPSIS\n.B nook run\n"
	      "[\\fIOPTIONS\\fR] \\fIIMAGE\\fR [\\fICMD\\fR...]\n.SH DESCRIPTION\nThe image's "
	      "layers become the lower layers of an overlay, the container's own directory its "
	      "upper layer; the image's config and the options become an OCI config.json that "
	      "nook's runtime runs. With \\fB\\-d\\fR a monitor process stays with the "
	      "container, keeps its output (\\fBnook logs\\fR) and its exit status (\\fBnook "
	      "ps \\-a\\fR). By default stdin is /dev/null, there is no terminal, and the "
	      "root is writable.\n.SH OPTIONS\n",
	      out);
	for (const struct run_option *r = run_options; r->name; r++) {
		fputs(".TP\n", out);
		if (r->short_name)
			fprintf(out, "\\fB\\-%c\\fR, ", r->short_name);
		fputs("\\fB\\-\\-", out);
		man_escape(out, r->name, false);
		fputs("\\fR", out);
		if (r->arg) {
			fputs(" \\fI", out);
			man_escape(out, r->arg, false);
			fputs("\\fR", out);
		}
		fputc('\n', out);
		man_escape(out, r->help, true);
		fputc('\n', out);
	}
	fputs(".SH EXIT STATUS\nThe command's own; 0 with \\fB\\-d\\fR once it started; 125 "
	      "when nook fails; 126 when the command cannot be executed; 127 when it is not "
	      "found.\n.SH SEE ALSO\nnook(1)\n",
	      out);
}

/**
 * @file cli.c
 * @brief The command line every step program shares: `NN-topic [OPTIONS] [--] COMMAND [ARG...]`.
 *
 * No step writes its own option parser. Each stage lists the options it adds, with a
 * setter that validates its argument at once; this file gathers the lists of the stages a
 * program is made of into one getopt_long(3) table, so `--help` always lists exactly the
 * options that program understands. Parsing stops at the first non-option (the "+" in the
 * option string), so `01-uts ls -l` runs `ls -l` without needing `--`.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "nook.h"

/** Room for every option of every stage; cli.c refuses a program that has more. */
#define MAX_OPTIONS 64
/** getopt_long returns OPTION_BASE + i for the i-th stage option. */
#define OPTION_BASE 256

/** getopt_long's has_arg for @p o: an arg "[=WORD]" is optional (--name or --name=WORD). */
int
nook_option_has_arg(const struct nook_option *o)
{
	if (!o->arg)
		return no_argument;
	return strncmp(o->arg, "[=", 2) == 0 ? optional_argument : required_argument;
}

/** Add the options of list @p o to @p opts and getopt's @p table, from index @p *n on. */
static int
add_options(const struct nook_option *o, const struct nook_option **opts, struct option *table,
	    int *n, struct nook_error *err)
{
	for (; o && o->name; o++) {
		if (*n == MAX_OPTIONS)
			return nook_fail(err, 0, "more than %d options", MAX_OPTIONS);
		opts[*n] = o;
		table[*n] =
			(struct option){o->name, nook_option_has_arg(o), NULL, OPTION_BASE + *n};
		(*n)++;
	}
	return 0;
}

/**
 * The launcher's options and the stages', flattened into @p opts and getopt's @p table.
 * Returns the count.
 */
static int
collect_options(const struct nook_stage *const *stages, const struct nook_option **opts,
		struct option *table, struct nook_error *err)
{
	int n = 0;

	if (add_options(nook_launcher_options, opts, table, &n, err) < 0)
		return -1;
	for (size_t i = 0; stages[i]; i++)
		if (add_options(stages[i]->options, opts, table, &n, err) < 0)
			return -1;
	table[n++] = (struct option){"help", no_argument, NULL, 'h'};
	table[n] = (struct option){NULL, 0, NULL, 0};
	return n;
}

/** The one-line complaint about an option getopt_long could not take. */
static int
bad_option(int ch, char *argv[], struct nook_error *err)
{
	const char *word = argv[optind - 1];

	if (ch == ':')
		return nook_fail(err, 0, "option '%s' needs an argument", word);
	if (optopt && optopt < OPTION_BASE)
		return nook_fail(err, 0, "unrecognized option '-%c'", optopt);
	return nook_fail(err, 0, "unrecognized option '%s'", word);
}

/**
 * Parse @p argv into @p c. On return c->argv is the command, or NULL when none was given
 * (the caller prints usage); @p help is set when --help was asked for.
 *
 * @return 0, or -1 with @p err naming the bad option or argument.
 */
int
nook_parse_args(struct nook_container *c, const struct nook_stage *const *stages, int argc,
		char *argv[], bool *help, struct nook_error *err)
{
	const struct nook_option *opts[MAX_OPTIONS];
	struct option table[MAX_OPTIONS + 2];
	int ch;

	*help = false;
	c->argv = NULL;
	if (collect_options(stages, opts, table, err) < 0)
		return -1;
	optind = 0; /* 0, not 1: makes glibc's getopt start afresh on each call */
	opterr = 0; /* we say what is wrong ourselves, in one line */
	while ((ch = getopt_long(argc, argv, "+:h", table, NULL)) != -1) {
		if (ch == 'h') {
			*help = true;
			return 0;
		}
		if (ch < OPTION_BASE)
			return bad_option(ch, argv, err);
		if (opts[ch - OPTION_BASE]->set(c, optarg, err) < 0)
			return -1;
	}
	if (optind < argc)
		c->argv = argv + optind;
	return 0;
}

/** One line of --help per option of list @p o. */
static void
usage_options(FILE *out, const struct nook_option *o)
{
	char left[64];

	for (; o && o->name; o++) {
		snprintf(left, sizeof(left), "--%s%s%s", o->name,
			 nook_option_has_arg(o) == required_argument ? " " : "",
			 o->arg ? o->arg : "");
		fprintf(out, "  %-26s %s\n", left, o->help);
	}
}

/** Print the help text: the usage line, every option, and the exit codes. */
void
nook_usage(FILE *out, const char *prog, const struct nook_stage *const *stages)
{
	fprintf(out, "Usage: %s [OPTIONS] [--] COMMAND [ARG...]\n\n", prog);
	fprintf(out, "Run COMMAND in a container made of:");
	for (size_t i = 0; stages[i]; i++)
		fprintf(out, " %s", stages[i]->name);
	fprintf(out, "\n\nOptions:\n");
	usage_options(out, nook_launcher_options);
	for (size_t i = 0; stages[i]; i++)
		usage_options(out, stages[i]->options);
	fprintf(out, "  %-26s %s\n", "-h, --help", "show this help and exit");
	fprintf(out,
		"\nExit status: COMMAND's own; 128+N if it died of signal N;\n"
		"125 if %s itself failed; 126 if COMMAND cannot be executed; 127 if it is "
		"not found.\n",
		prog);
}

/**
 * nook_run(), with a stage's warning (c->warning) printed once the container is created,
 * before its command starts: create, warn, start, wait, destroy.
 */
static int
run(struct nook_container *c, const struct nook_stage *const *stages, const char *prog,
    struct nook_error *err)
{
	struct nook_error later;
	int status = -1;

	if (nook_create(c, stages, err) == 0) {
		if (c->warning[0])
			fprintf(stderr, "%s: %s\n", prog, c->warning);
		if (nook_start(c, err) == 0)
			status = nook_wait(c, stages, err);
	}
	if (nook_destroy(c, stages, status < 0 ? &later : err) < 0 && status >= 0)
		return -1;
	return status;
}

/**
 * The whole of a step program: parse, run, report. The only place that prints an error.
 *
 * @return the exit status for main() to return.
 */
int
nook_main(const char *prog, const struct nook_stage *const *stages, int argc, char *argv[])
{
	struct nook_container c = {.die_with_parent = true}; /* nook's lifetime is its own */
	struct nook_error err;
	bool help;
	int status;

	/* Hidden: the man page `make install` installs, for the command named argv[2]. */
	if ((argc == 2 || argc == 3) && strcmp(argv[1], "--help-man") == 0) {
		nook_man(stdout, argc == 3 ? argv[2] : prog, stages);
		return 0;
	}
	if (nook_parse_args(&c, stages, argc, argv, &help, &err) < 0) {
		fprintf(stderr, "%s: %s (try '%s --help')\n", prog, err.msg, prog);
		return NOOK_EXIT_FAILURE;
	}
	if (help) {
		nook_usage(stdout, prog, stages);
		return 0;
	}
	if (!c.argv) {
		fprintf(stderr, "%s: no command given\n", prog);
		nook_usage(stderr, prog, stages);
		return NOOK_EXIT_FAILURE;
	}
	status = run(&c, stages, prog, &err);
	if (status < 0) {
		nook_print_error(stderr, prog, &err);
		return err.code;
	}
	return status;
}

/**
 * @file command.c
 * @brief A runtime command's options parsed, printed by --help and written into its man
 *        page, all from one table.
 *
 * Each cmd_*.c describes its command once, in a struct nook_command: the usage line, one
 * line of summary, a paragraph for its page, and its options (the long name, the letter
 * getopt_long returns, the argument, one line of help). command_getopt() parses with that
 * table, command_usage() prints it for --help and command_man() writes it as the man page
 * nook-NAME(1): an option cannot be parsed without being documented, nor documented without
 * being parsed, as the step programs' stages do with their options[] (cli.c, man.c).
 *
 * nook.c lists the commands; `nook --help-man` names every page and `make install` installs
 * each, so a new command brings its page along without a change to the Makefile.
 *
 * A command with more than one form (`run`: runc's and an image's; `image import|inspect|
 * prune`) lists the others in forms[]; its --help and page show each form's usage and
 * options.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "oci.h"

/** Room for a command's options in getopt's table. */
#define MAX_CMD_OPTIONS 32

/** getopt_long's has_arg for @p o: an arg "[=WORD]" is optional. */
static int
has_arg(const struct nook_cmd_option *o)
{
	if (!o->arg)
		return no_argument;
	return strncmp(o->arg, "[=", 2) == 0 ? optional_argument : required_argument;
}

/** Is option @p o also a short one (-letter) of @p cmd? */
static bool
has_short(const struct nook_command *cmd, const struct nook_cmd_option *o)
{
	return cmd->shorts && o->letter > ' ' && o->letter < 127 && o->letter != ':' &&
	       o->letter != '+' && strchr(cmd->shorts, o->letter);
}

/**
 * getopt_long(3) over the options of @p cmd, and -h/--help (returned as 'h'). Call as
 * getopt_long itself, with optind set by the caller.
 */
int
command_getopt(const struct nook_command *cmd, int argc, char *argv[])
{
	struct option table[MAX_CMD_OPTIONS + 2];
	char shorts[64];
	int n = 0;

	for (const struct nook_cmd_option *o = cmd->options; o && o->name; o++)
		if (n < MAX_CMD_OPTIONS)
			table[n++] = (struct option){o->name, has_arg(o), NULL, o->letter};
	table[n++] = (struct option){"help", no_argument, NULL, 'h'};
	table[n] = (struct option){NULL, 0, NULL, 0};
	snprintf(shorts, sizeof(shorts), "%sh", cmd->shorts ? cmd->shorts : "+");
	return getopt_long(argc, argv, shorts, table, NULL);
}

/** Does the command line @p argv of @p cmd ask for --help before its first operand? */
static bool
wants_help(const struct nook_command *cmd, int argc, char *argv[])
{
	int ch;

	optind = 0; /* 0, not 1: glibc's getopt starts afresh */
	opterr = 0;
	while ((ch = command_getopt(cmd, argc, argv)) != -1)
		if (ch == 'h')
			return true;
	for (size_t i = 0; cmd->forms && cmd->forms[i]; i++) {
		if (strcmp(cmd->forms[i]->name, cmd->name) != 0)
			continue; /* a verb of its own ("image import"): asked there */
		optind = 0;
		while ((ch = command_getopt(cmd->forms[i], argc, argv)) != -1)
			if (ch == 'h')
				return true;
	}
	return false;
}

/**
 * Run @p cmd on @p argv (argv[0] being its name): its usage on stdout when asked for
 * --help, else its run() with getopt reset. Returns the exit status.
 */
int
command_run(const struct nook_command *cmd, int argc, char *argv[])
{
	if (wants_help(cmd, argc, argv)) {
		command_usage(stdout, cmd);
		return 0;
	}
	optind = 0;
	opterr = 0;
	return cmd->run(argc, argv);
}

/** --help's lines of @p cmd's options. */
static void
usage_options(FILE *out, const struct nook_command *cmd)
{
	char left[64], letter[8];

	for (const struct nook_cmd_option *o = cmd->options; o && o->name; o++) {
		snprintf(letter, sizeof(letter), "-%c, ", o->letter);
		snprintf(left, sizeof(left), "%s--%s%s%s", has_short(cmd, o) ? letter : "", o->name,
			 has_arg(o) == required_argument ? " " : "", o->arg ? o->arg : "");
		fprintf(out, "  %-26s %s\n", left, o->help);
	}
}

/** --help of @p cmd: the usage of each form, the summary, the options of each form. */
void
command_usage(FILE *out, const struct nook_command *cmd)
{
	if (cmd->write_usage) {
		cmd->write_usage(out);
		return;
	}
	fprintf(out, "Usage: nook %s %s\n", cmd->name, cmd->usage);
	for (size_t i = 0; cmd->forms && cmd->forms[i]; i++)
		fprintf(out, "       nook %s %s\n", cmd->forms[i]->name, cmd->forms[i]->usage);
	fprintf(out, "\n%s.\n\nOptions:\n", cmd->summary);
	usage_options(out, cmd);
	fprintf(out, "  %-26s %s\n", "-h, --help", "show this help and exit");
	for (size_t i = 0; cmd->forms && cmd->forms[i]; i++) {
		if (!cmd->forms[i]->options || !cmd->forms[i]->options[0].name)
			continue;
		fprintf(out, "\nOptions of nook %s%s%s:\n", cmd->forms[i]->name,
			strcmp(cmd->forms[i]->name, cmd->name) == 0 ? " " : "",
			strcmp(cmd->forms[i]->name, cmd->name) == 0 ? cmd->forms[i]->usage : "");
		usage_options(out, cmd->forms[i]);
	}
}

/** Write @p s as roff paragraphs: each '\n' starts a new one. */
static void
man_paragraphs(FILE *out, const char *s)
{
	char line[1024];

	while (*s) {
		size_t len = strcspn(s, "\n");

		snprintf(line, sizeof(line), "%.*s", (int)len, s);
		fputs(".PP\n", out);
		man_escape(out, line, true);
		fputc('\n', out);
		s += len + (s[len] == '\n');
	}
}

/** One .TP entry per option of @p cmd: -X, --name ARG, and its line of help. */
static void
man_cmd_options(FILE *out, const struct nook_command *cmd)
{
	for (const struct nook_cmd_option *o = cmd->options; o && o->name; o++) {
		fputs(".TP\n", out);
		if (has_short(cmd, o))
			fprintf(out, "\\fB\\-%c\\fR, ", o->letter);
		man_long_option(out, o->name, o->arg, o->help);
	}
}

/** `.B nook NAME` and the usage of @p cmd, for SYNOPSIS. */
static void
man_synopsis(FILE *out, const struct nook_command *cmd)
{
	fputs(".B nook ", out);
	man_escape(out, cmd->name, false);
	fputc('\n', out);
	man_escape(out, cmd->usage, true);
	fputc('\n', out);
}

/** NAME and SYNOPSIS of @p cmd's page. */
static void
man_head(FILE *out, const struct nook_command *cmd)
{
	fputs(".TH \"NOOK\\-", out);
	for (const char *p = cmd->name; *p; p++)
		if (*p == ' ' || *p == '-')
			fputs("\\-", out);
		else
			fputc(toupper((unsigned char)*p), out);
	fputs("\" 1 \"\" \"nook\" \"nook manual\"\n.SH NAME\nnook\\-", out);
	man_escape(out, cmd->name, false);
	fputs(" \\- ", out);
	man_escape(out, cmd->summary, false);
	fputs("\n.SH SYNOPSIS\n", out);
	man_synopsis(out, cmd);
	for (size_t i = 0; cmd->forms && cmd->forms[i]; i++) {
		fputs(".br\n", out);
		man_synopsis(out, cmd->forms[i]);
	}
}

/** .SS "nook image import", or "nook run IMAGE" for a form of the same verb. */
static void
man_form_heading(FILE *out, const struct nook_command *cmd, const struct nook_command *form)
{
	fputs(".SS \"nook ", out);
	man_escape(out, form->name, false);
	if (strcmp(form->name, cmd->name) == 0) {
		fputc(' ', out);
		man_escape(out, form->usage, false);
	}
	fputs("\"\n", out);
}

/** DESCRIPTION: the command's paragraphs, then each form's summary and paragraphs. */
static void
man_body(FILE *out, const struct nook_command *cmd)
{
	fputs(".SH DESCRIPTION\n", out);
	man_paragraphs(out, cmd->about ? cmd->about : cmd->summary);
	for (size_t i = 0; cmd->forms && cmd->forms[i]; i++) {
		man_form_heading(out, cmd, cmd->forms[i]);
		man_paragraphs(out, cmd->forms[i]->summary);
		if (cmd->forms[i]->about)
			man_paragraphs(out, cmd->forms[i]->about);
	}
}

/**
 * Write nook-NAME(1), the man page of runtime command @p cmd: NAME, SYNOPSIS (each form),
 * DESCRIPTION, OPTIONS (the tables command_getopt() parses), EXIT STATUS and SEE ALSO.
 */
void
command_man(FILE *out, const struct nook_command *cmd)
{
	if (cmd->write_man) {
		cmd->write_man(out);
		return;
	}
	man_head(out, cmd);
	man_body(out, cmd);
	fputs(".SH OPTIONS\n", out);
	man_cmd_options(out, cmd);
	fputs(".TP\n\\fB\\-h\\fR, \\fB\\-\\-help\\fR\nshow this help and exit\n", out);
	for (size_t i = 0; cmd->forms && cmd->forms[i]; i++) {
		if (!cmd->forms[i]->options || !cmd->forms[i]->options[0].name)
			continue;
		man_form_heading(out, cmd, cmd->forms[i]);
		man_cmd_options(out, cmd->forms[i]);
	}
	fputs(".SH EXIT STATUS\n", out);
	man_escape(out,
		   cmd->status ? cmd->status
			       : "0 on success; 125, and one line on stderr, when nook fails.",
		   true);
	fputs("\n.SH SEE ALSO\nnook(1)", out);
	if (cmd->see) {
		fputs(", ", out);
		man_escape(out, cmd->see, false);
	}
	fputs("\n", out);
}

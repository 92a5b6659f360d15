/**
 * @file command.c
 * @brief Unit tests of the runtime's command descriptions (solutions/command.c): the table
 *        a command parses with is the one its --help and man page list.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "oci.h"

static int ran;

static int
run_it(int argc, char *argv[])
{
	(void)argc;
	(void)argv;
	return ++ran;
}

static const struct nook_cmd_option test_options[] = {
	{"bundle", 'b', "DIR", "the bundle"},
	{"pid-file", 'p', "FILE", "where the PID goes"},
	{"trace", 't', "[=time]", "optional argument"},
	{NULL, 0, NULL, NULL},
};

static const struct nook_command other_form = {
	.name = "try",
	.usage = "[--rm] IMAGE",
	.summary = "the other form",
	.options = (const struct nook_cmd_option[]){{"rm", 'r', NULL, "remove"}, {NULL, 0, 0, 0}},
	.run = run_it,
};

static const struct nook_command test_command = {
	.name = "try",
	.usage = "[OPTIONS] ID",
	.summary = "try a .dotted thing",
	.shorts = "+b:",
	.options = test_options,
	.forms = (const struct nook_command *const[]){&other_form, NULL},
	.run = run_it,
};

/** The text @p write makes of test_command; free() it. */
static char *
text_of(void (*write)(FILE *, const struct nook_command *))
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	assert_non_null(f);
	write(f, &test_command);
	fclose(f);
	return buf;
}

/** command_getopt returns each option's letter, -b too (in shorts), -p not. */
static void
parsing_follows_the_table(void **state)
{
	char *argv[] = {"try", "-b", "B", "--pid-file=F", "--trace", "-p", "x", "ID", NULL};
	int ch, seen[4] = {0};

	(void)state;
	optind = 0;
	opterr = 0;
	while ((ch = command_getopt(&test_command, 8, argv)) != -1) {
		if (ch == 'b')
			seen[0] = !strcmp(optarg, "B");
		else if (ch == 'p')
			seen[1] = !strcmp(optarg, "F");
		else if (ch == 't')
			seen[2] = optarg == NULL;
		else
			seen[3] = ch; /* -p is no short option: '?' */
	}
	assert_true(seen[0] && seen[1] && seen[2]);
	assert_int_equal(seen[3], '?');
}

/** --help before the first operand is the usage, not the command; after it, the command's. */
static void
help_is_asked_before_the_operand(void **state)
{
	char *help[] = {"try", "-b", "B", "--help", NULL};
	char *late[] = {"try", "ID", "--help", NULL};
	char *form[] = {"try", "--rm", "-h", NULL};
	FILE *saved = stdout;

	(void)state;
	ran = 0;
	stdout = fopen("/dev/null", "we");
	assert_non_null(stdout);
	assert_int_equal(command_run(&test_command, 4, help), 0);
	assert_int_equal(command_run(&test_command, 3, form), 0); /* the other form's -h */
	assert_int_equal(ran, 0);
	assert_int_equal(command_run(&test_command, 3, late), 1);
	fclose(stdout);
	stdout = saved;
}

/** --help and the page list each option of each form, with -b where it is short too. */
static void
usage_and_page_list_every_option(void **state)
{
	char *usage = text_of(command_usage), *page = text_of(command_man);

	(void)state;
	assert_non_null(strstr(usage, "\n  -b, --bundle DIR "));
	assert_non_null(strstr(usage, "\n  --pid-file FILE "));
	assert_non_null(strstr(usage, "\n  --trace[=time] "));
	assert_non_null(strstr(usage, "\n  --rm "));
	assert_non_null(strstr(usage, "       nook try [--rm] IMAGE\n"));
	assert_non_null(strstr(page, ".TP\n\\fB\\-b\\fR, \\fB\\-\\-bundle\\fR \\fIDIR\\fR\n"));
	assert_non_null(strstr(page, ".TP\n\\fB\\-\\-pid\\-file\\fR \\fIFILE\\fR\n"));
	assert_non_null(strstr(page, ".TP\n\\fB\\-\\-trace\\fR\\fI[=time]\\fR\n"));
	assert_non_null(strstr(page, ".TP\n\\fB\\-\\-rm\\fR\nremove\n"));
	assert_non_null(strstr(page, ".TH \"NOOK\\-TRY\" 1"));
	assert_non_null(strstr(page, "nook\\-try \\- try a .dotted thing\n"));
	free(usage);
	free(page);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parsing_follows_the_table),
		cmocka_unit_test(help_is_asked_before_the_operand),
		cmocka_unit_test(usage_and_page_list_every_option),
	};

	return cmocka_run_group_tests_name("unit: command", tests, NULL, NULL);
}

/**
 * @file cli.c
 * @brief Unit tests of the shared command line (solutions/cli.c) and of the option checks
 *        stages do before anything is created.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "nook.h"

static int flag_seen;

static int
set_flag(struct nook_container *c, const char *arg, struct nook_error *err)
{
	(void)c;
	(void)err;
	flag_seen = arg == NULL;
	return 0;
}

static const struct nook_option fake_options[] = {
	{"flag", NULL, "a flag", set_flag},
	{NULL, NULL, NULL, NULL},
};
static const struct nook_stage fake_stage = {.name = "fake", .options = fake_options};
static const struct nook_stage *const stages[] = {&uts_stage, &fake_stage, NULL};

/** Parse a NULL-terminated argument list; returns nook_parse_args()'s result. */
static int
parse(struct nook_container *c, bool *help, struct nook_error *err, char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	memset(c, 0, sizeof(*c));
	return nook_parse_args(c, stages, argc, argv, help, err);
}

static void
options_of_every_stage_are_parsed(void **state)
{
	char *argv[] = {"prog", "--hostname", "box", "--flag", "--", "echo", "hi", NULL};
	struct nook_container c;
	struct nook_error err;
	bool help;

	(void)state;
	flag_seen = 0;
	assert_int_equal(parse(&c, &help, &err, argv), 0);
	assert_false(help);
	assert_string_equal(c.hostname, "box");
	assert_true(flag_seen);
	assert_string_equal(c.argv[0], "echo");
	assert_string_equal(c.argv[1], "hi");
	assert_null(c.argv[2]);
}

static void
parsing_stops_at_the_command(void **state)
{
	char *argv[] = {"prog", "ls", "--hostname", "x", NULL};
	struct nook_container c;
	struct nook_error err;
	bool help;

	(void)state;
	assert_int_equal(parse(&c, &help, &err, argv), 0);
	assert_null(c.hostname);
	assert_string_equal(c.argv[0], "ls");
	assert_string_equal(c.argv[1], "--hostname");
}

static void
no_command_leaves_argv_null(void **state)
{
	char *argv[] = {"prog", "--hostname", "box", NULL};
	struct nook_container c;
	struct nook_error err;
	bool help;

	(void)state;
	assert_int_equal(parse(&c, &help, &err, argv), 0);
	assert_null(c.argv);
}

static void
help_is_recognised(void **state)
{
	char *argv[] = {"prog", "--help", "ls", NULL};
	struct nook_container c;
	struct nook_error err;
	bool help;

	(void)state;
	assert_int_equal(parse(&c, &help, &err, argv), 0);
	assert_true(help);
}

static void
bad_options_are_named(void **state)
{
	char *unknown[] = {"prog", "--nope", "ls", NULL};
	char *missing[] = {"prog", "ls", NULL};
	char *noarg[] = {"prog", "--hostname", NULL};
	struct nook_container c;
	struct nook_error err;
	bool help;

	(void)state;
	assert_int_equal(parse(&c, &help, &err, unknown), -1);
	assert_string_equal(err.msg, "unrecognized option '--nope'");
	assert_int_equal(err.code, NOOK_EXIT_FAILURE);
	assert_int_equal(parse(&c, &help, &err, noarg), -1);
	assert_string_equal(err.msg, "option '--hostname' needs an argument");
	assert_int_equal(parse(&c, &help, &err, missing), 0); /* parser state was reset */
	assert_string_equal(c.argv[0], "ls");
}

static void
hostnames_are_checked(void **state)
{
	char longest[65], too_long[66];
	struct nook_error err;

	(void)state;
	memset(longest, 'a', 64);
	longest[64] = '\0';
	memset(too_long, 'a', 65);
	too_long[65] = '\0';
	assert_int_equal(uts_check_hostname("box", &err), 0);
	assert_int_equal(uts_check_hostname("web-1.example", &err), 0);
	assert_int_equal(uts_check_hostname(longest, &err), 0);
	assert_int_equal(uts_check_hostname(too_long, &err), -1);
	assert_non_null(strstr(err.msg, "65 bytes"));
	assert_int_equal(uts_check_hostname("", &err), -1);
	assert_int_equal(uts_check_hostname("a/b", &err), -1);
	assert_int_equal(uts_check_hostname("a b", &err), -1);
	assert_int_equal(uts_check_hostname("a\nb", &err), -1);
	assert_null(strchr(err.msg, '\n'));
}

static void
usage_lists_every_option(void **state)
{
	char buf[4096] = "";
	FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");

	(void)state;
	nook_usage(f, "prog", stages);
	fclose(f);
	assert_non_null(strstr(buf, "Usage: prog [OPTIONS] [--] COMMAND [ARG...]"));
	assert_non_null(strstr(buf, "--hostname NAME"));
	assert_non_null(strstr(buf, "--flag "));
	assert_non_null(strstr(buf, "--help"));
}

static void
errors_name_the_call_and_the_reason(void **state)
{
	struct nook_error err;

	(void)state;
	assert_int_equal(nook_fail(&err, 22, "sethostname(\"%s\")", "x"), -1);
	assert_string_equal(err.msg, "sethostname(\"x\"): Invalid argument");
	assert_int_equal(err.code, 125);
	nook_fail_code(&err, NOOK_EXIT_NOT_FOUND, 2, "execvp(\"%s\")", "nosuchcmd");
	assert_string_equal(err.msg, "execvp(\"nosuchcmd\"): No such file or directory");
	assert_int_equal(err.code, 127);
	assert_int_equal(nook_wait_status(7 << 8), 7);
	assert_int_equal(nook_wait_status(9), 137);
}

/**
 * --trace has an optional argument: `--trace=time` is one, but `--trace time` is the flag
 * and then the command `time` (as getopt_long's optional_argument has it); any other word
 * is refused. --help shows it as `--trace[=time]`.
 */
static void
trace_takes_an_optional_word(void **state)
{
	char *plain[] = {"prog", "--trace", "time", NULL};
	char *timed[] = {"prog", "--trace=time", "true", NULL};
	char *bad[] = {"prog", "--trace=all", "true", NULL};
	struct nook_container c;
	struct nook_error err;
	char buf[4096] = "";
	bool help;
	FILE *out = fmemopen(buf, sizeof(buf) - 1, "w");

	(void)state;
	assert_int_equal(parse(&c, &help, &err, plain), 0);
	assert_int_equal(c.trace, NOOK_TRACE_ON);
	assert_string_equal(c.argv[0], "time");
	assert_int_equal(parse(&c, &help, &err, timed), 0);
	assert_int_equal(c.trace, NOOK_TRACE_TIME);
	assert_string_equal(c.argv[0], "true");
	assert_int_equal(parse(&c, &help, &err, bad), -1);
	assert_non_null(strstr(err.msg, "--trace=all"));
	nook_usage(out, "prog", stages);
	fclose(out);
	assert_non_null(strstr(buf, "  --trace[=time] "));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(options_of_every_stage_are_parsed),
		cmocka_unit_test(parsing_stops_at_the_command),
		cmocka_unit_test(no_command_leaves_argv_null),
		cmocka_unit_test(help_is_recognised),
		cmocka_unit_test(bad_options_are_named),
		cmocka_unit_test(hostnames_are_checked),
		cmocka_unit_test(usage_lists_every_option),
		cmocka_unit_test(errors_name_the_call_and_the_reason),
		cmocka_unit_test(trace_takes_an_optional_word),
	};

	return cmocka_run_group_tests_name("unit: cli", tests, NULL, NULL);
}

/**
 * @file lesson.c
 * @brief Unit tests of lessoncheck's logic: parsing lessons, matching output, snippets.
 *
 * Everything here is strings in memory: no lesson file is read and no command is run, so
 * a failure points at tests/tools/lesson.c and nowhere else.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "lesson.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char sample[] = "# Step 01 — a sample\n"		/* 1 */
			     "\n"				/* 2 */
			     "```c\n"				/* 3 */
			     "# include <not/a/command.h>\n"	/* 4 */
			     "```\n"				/* 5 */
			     "\n"				/* 6 */
			     "```console\n"			/* 7 */
			     "# build/solutions/01-uts -- ls\n" /* 8 */
			     "bin\n"				/* 9 */
			     "[...]\n"				/* 10 */
			     "$ true   \n"			/* 11 */
			     "```\n"				/* 12 */
			     "\n"				/* 13 */
			     "<!-- snippet: solutions/uts.c uts_stage -->\n"
			     "~~~~c\n"
			     "\tint x;\n"
			     "~~~~\n";

static void
parse_commands_and_output(void **state)
{
	struct lesson_error err;
	struct lesson l;

	(void)state;
	assert_int_equal(lesson_parse(sample, &l, &err), 0);
	assert_string_equal(l.title, "Step 01 — a sample");
	assert_int_equal(l.ncmds, 2); /* not the "# include" of the ```c block */
	assert_int_equal(l.cmds[0].line, 8);
	assert_int_equal(l.cmds[0].prompt, '#');
	assert_string_equal(l.cmds[0].cmd, "build/solutions/01-uts -- ls");
	assert_int_equal(l.cmds[0].nexpect, 2);
	assert_string_equal(l.cmds[0].expect[0], "bin");
	assert_string_equal(l.cmds[0].expect[1], "[...]");
	assert_int_equal(l.cmds[1].line, 11);
	assert_int_equal(l.cmds[1].prompt, '$');
	assert_string_equal(l.cmds[1].cmd, "true");
	assert_int_equal(l.cmds[1].nexpect, 0);
	lesson_free(&l);
}

static void
parse_snippet(void **state)
{
	struct lesson_error err;
	struct lesson l;

	(void)state;
	assert_int_equal(lesson_parse(sample, &l, &err), 0);
	assert_int_equal(l.nsnippets, 1);
	assert_int_equal(l.snippets[0].line, 14);
	assert_string_equal(l.snippets[0].file, "solutions/uts.c");
	assert_string_equal(l.snippets[0].marker, "uts_stage");
	assert_string_equal(l.snippets[0].code, "\tint x;\n");
	lesson_free(&l);
}

/** Parsing @p text must fail, blaming line @p line. */
static void
assert_parse_error(const char *text, int line)
{
	struct lesson_error err;
	struct lesson l;

	assert_int_equal(lesson_parse(text, &l, &err), -1);
	assert_int_equal(err.line, line);
	assert_true(err.msg[0] != '\0');
}

static void
parse_errors(void **state)
{
	(void)state;
	assert_parse_error("text\n```console\n# echo\n", 2);		 /* never closed */
	assert_parse_error("```console\nhi\n# echo hi\n```\n", 2);	 /* output first */
	assert_parse_error("<!-- snippet: a.c m -->\n\n```c\n```\n", 1); /* no block */
	assert_parse_error("<!-- snippet: a.c -->\n```c\n```\n", 1);	 /* no marker */
}

static void
parse_scratch_and_cleanup(void **state)
{
	const char *text = "<!-- scratch: /tmp/nook-demo  nook-lesson -->\n"
			   "<!-- cleanup: rm -rf /tmp/nook-demo; ip netns del nook-lesson -->\n"
			   "<!-- a comment of another kind -->\n"
			   "```console\n"
			   "# echo '<!-- scratch: inside-a-block -->'\n"
			   "<!-- scratch: output, not a comment -->\n"
			   "```\n";
	struct lesson_error err;
	struct lesson l;

	(void)state;
	assert_int_equal(lesson_parse(text, &l, &err), 0);
	assert_int_equal(l.nscratch, 2);
	assert_string_equal(l.scratch[0], "/tmp/nook-demo");
	assert_string_equal(l.scratch[1], "nook-lesson");
	assert_int_equal(l.ncleanup, 1);
	assert_string_equal(l.cleanup[0], "rm -rf /tmp/nook-demo; ip netns del nook-lesson");
	lesson_free(&l);
	assert_parse_error("text\n<!-- scratch: -->\n", 2);	     /* names nothing */
	assert_parse_error("<!-- cleanup: rm -rf /tmp/x\n-->\n", 1); /* not on one line */
}

/** lesson_substitute() of @p text must give @p want. */
static void
assert_substituted(const char *text, char *const *from, char *const *to, size_t n, const char *want)
{
	char *got = lesson_substitute(text, from, to, n);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
substitute_names(void **state)
{
	char *plain[] = {"/tmp/nook-demo", "/tmp/nook-demo-x", "nook-lesson"};
	char *unique[] = {"/tmp/nook-demo-42", "/tmp/nook-demo-x-42", "nook-lesson-42"};

	(void)state;
	assert_substituted("mkdir /tmp/nook-demo && ls /tmp/nook-demo/file", plain, unique, 3,
			   "mkdir /tmp/nook-demo-42 && ls /tmp/nook-demo-42/file");
	/* the longest name where two start at the same place; replacements are not rescanned */
	assert_substituted("/tmp/nook-demo-x nook-lesson", plain, unique, 3,
			   "/tmp/nook-demo-x-42 nook-lesson-42");
	assert_substituted("tmp/nook-demo, no slash: not the name", plain, unique, 3,
			   "tmp/nook-demo, no slash: not the name");
	/* and back, in the output */
	assert_substituted("/tmp/nook-demo-42 tmpfs\nnook-lesson-42\n", unique, plain, 3,
			   "/tmp/nook-demo tmpfs\nnook-lesson\n");
	assert_substituted("", plain, unique, 3, "");
	assert_substituted("no names", NULL, NULL, 0, "no names");
}

/** Does @p actual match the @p n expected lines? */
static bool
matches(const char *actual, char *const *expect, size_t n)
{
	return lesson_match(expect, n, actual);
}

static void
match_literal(void **state)
{
	char *exp[] = {"box", "  two words"};

	(void)state;
	assert_true(matches("box\n  two words\n", exp, N(exp)));
	assert_true(matches("box  \n  two words", exp, N(exp))); /* trailing space, no '\n' */
	assert_false(matches("box\ntwo words\n", exp, N(exp)));	 /* leading space counts */
	assert_false(matches("box\n", exp, N(exp)));
	assert_false(matches("box\n  two words\nmore\n", exp, N(exp)));
	assert_true(matches("", exp, 0));
	assert_false(matches("something\n", exp, 0));
}

static void
match_within_line(void **state)
{
	char *pid[] = {"PID [...] is [...]1"};
	char *all[] = {"[...]"};

	(void)state;
	assert_true(matches("PID 42 is 1\n", pid, N(pid)));
	assert_true(matches("PID  is 1\n", pid, N(pid))); /* a wildcard may match nothing */
	assert_true(matches("PID 1 is 2 is 21\n", pid, N(pid)));
	assert_false(matches("PID 42 is 2\n", pid, N(pid)));
	assert_false(matches("pid 42 is 1\n", pid, N(pid)));
	assert_true(matches("any\n", all, N(all)));
}

static void
match_lines(void **state)
{
	char *exp[] = {"first", "[...]", "last"};

	(void)state;
	assert_true(matches("first\nlast\n", exp, N(exp)));		/* zero lines */
	assert_true(matches("first\nmiddle\nlast\n", exp, N(exp)));	/* one */
	assert_true(matches("first\na\nlast\nb\nlast\n", exp, N(exp))); /* several */
	assert_false(matches("first\nmiddle\n", exp, N(exp)));
	assert_false(matches("first\nlast\nafter\n", exp, N(exp)));
	assert_false(matches("middle\nlast\n", exp, N(exp)));
}

static void
match_lines_at_the_ends(void **state)
{
	char *tail[] = {"one", "[...]"};
	char *head[] = {"[...]", "x[...]", "[...]"};

	(void)state;
	assert_true(matches("one\n", tail, N(tail)));
	assert_true(matches("one\ntwo\nthree\n", tail, N(tail)));
	assert_true(matches("a\nb\nxyz\nc\n", head, N(head)));
	assert_false(matches("a\nb\nc\n", head, N(head)));
	assert_true(matches("x\n", head, N(head)));
}

static const char source[] = "int a;\n"
			     "//! [region]\n"
			     "static int\n"
			     "f(void)\n"
			     "{\n"
			     "\treturn 1;\n"
			     "}\n"
			     "\t//! [region]  \n"
			     "//! [open]\n";

static void
extract_region(void **state)
{
	struct lesson_error err;
	char *code;

	(void)state;
	assert_int_equal(lesson_extract(source, "region", &code, &err), 0);
	assert_string_equal(code, "static int\nf(void)\n{\n\treturn 1;\n}\n");
	free(code);
	assert_int_equal(lesson_extract(source, "missing", &code, &err), -1);
	assert_null(code);
	assert_int_equal(err.line, 0);
	assert_non_null(strstr(err.msg, "missing"));
	assert_int_equal(lesson_extract(source, "open", &code, &err), -1);
	assert_int_equal(err.line, 9);
	assert_int_equal(lesson_extract(source, "regio", &code, &err), -1); /* whole names */
}

static void
compare_code(void **state)
{
	const char *src = "\tif (x)\n\t\treturn 1;\n\n\treturn 0;\n";
	int line;

	(void)state;
	assert_true(lesson_same_code(src, src, &line));
	assert_true(lesson_same_code(src, "if (x)\n\treturn 1;\n\nreturn 0;\n", &line));
	assert_true(lesson_same_code(src, "  if (x)  \n  \treturn 1;\n    \n  return 0;", &line));
	assert_false(lesson_same_code(src, "if (x)\n\treturn 2;\n\nreturn 0;\n", &line));
	assert_int_equal(line, 2);
	assert_false(lesson_same_code(src, "if (x)\n    return 1;\n\nreturn 0;\n", &line));
	assert_int_equal(line, 2); /* a tab is not four spaces */
	assert_false(lesson_same_code(src, "if (x)\n\treturn 1;\n", &line));
	assert_int_equal(line, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_commands_and_output),
		cmocka_unit_test(parse_snippet),
		cmocka_unit_test(parse_errors),
		cmocka_unit_test(parse_scratch_and_cleanup),
		cmocka_unit_test(substitute_names),
		cmocka_unit_test(match_literal),
		cmocka_unit_test(match_within_line),
		cmocka_unit_test(match_lines),
		cmocka_unit_test(match_lines_at_the_ends),
		cmocka_unit_test(extract_region),
		cmocka_unit_test(compare_code),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

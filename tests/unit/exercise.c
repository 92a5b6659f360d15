/**
 * @file tests/unit/exercise.c
 * @brief Unit tests of exercise_blank(): what `make steps` does to a solution file; and of
 * exercise_worked() and exercise_sync(): how `make steps` and `make check-steps` tell a
 * participant's work in steps/ from a steps/ that is out of date.
 *
 * Each test hands a small source text to exercise_blank() and compares the whole output,
 * or, for malformed markers, the line number and the gist of the error message. The same
 * for mutants (tests/mutants/): exercise_parse_mutant() and exercise_replace().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "exercise.h"

/** Step 01's region, as in solutions/uts.c. */
#define UTS_REGION                                                                                 \
	"\t/* EXERCISE 01: set the container's hostname c->hostname with sethostname(2) */\n"      \
	"\tif (sethostname(c->hostname, strlen(c->hostname)) < 0)\n"                               \
	"\t\treturn nook_fail(err, errno, \"sethostname(\\\"%s\\\")\", c->hostname);\n"            \
	"\t/* END EXERCISE */\n"

/** The same region, blanked. */
#define UTS_BLANK                                                                                  \
	"\t/* EXERCISE 01: set the container's hostname c->hostname with sethostname(2) */\n"      \
	"\t/* Your code here; then delete the line below. */\n"                                    \
	"\treturn nook_exercise_todo(err, \"01\", \"set the container's hostname "                 \
	"c->hostname with sethostname(2)\");\n"                                                    \
	"\t/* END EXERCISE */\n"

/** Blank @p src with @p only; expect @p count regions blanked and the text @p want. */
static void
expect_blank(const char *src, const char *only, int count, const char *want)
{
	char err[EXERCISE_ERR_SIZE] = "", *out;

	assert_int_equal(exercise_blank(src, only, &out, err, sizeof(err)), count);
	assert_string_equal(err, "");
	assert_non_null(out);
	assert_string_equal(out, want);
	free(out);
}

/** Expect @p src to be refused with an error "LINE: ..." that mentions @p gist. */
static void
expect_error(const char *src, const char *line, const char *gist)
{
	char err[EXERCISE_ERR_SIZE] = "", *out = (char *)"unset";
	char prefix[16];

	assert_int_equal(exercise_blank(src, NULL, &out, err, sizeof(err)), -1);
	assert_null(out);
	snprintf(prefix, sizeof(prefix), "%s: ", line);
	if (strncmp(err, prefix, strlen(prefix)) != 0 || !strstr(err, gist))
		fail_msg("error \"%s\": expected \"%s...%s...\"", err, prefix, gist);
}

static void
test_blank_one_region(void **state)
{
	(void)state;
	expect_blank("int\nf(void)\n{\n" UTS_REGION "\treturn 0;\n}\n", NULL, 1,
		     "int\nf(void)\n{\n" UTS_BLANK "\treturn 0;\n}\n");
}

static void
test_indentation_kept(void **state)
{
	(void)state;
	expect_blank("\t\t/* EXERCISE 03: mount proc */\n\t\tmount();\n\t\t/* END EXERCISE */\n"
		     "    /* EXERCISE 04: spaces */\n    x = 1;\n    /* END EXERCISE */\n",
		     NULL, 2,
		     "\t\t/* EXERCISE 03: mount proc */\n"
		     "\t\t/* Your code here; then delete the line below. */\n"
		     "\t\treturn nook_exercise_todo(err, \"03\", \"mount proc\");\n"
		     "\t\t/* END EXERCISE */\n"
		     "    /* EXERCISE 04: spaces */\n"
		     "    /* Your code here; then delete the line below. */\n"
		     "    return nook_exercise_todo(err, \"04\", \"spaces\");\n"
		     "    /* END EXERCISE */\n");
}

static void
test_only_keeps_other_regions(void **state)
{
	const char *src = UTS_REGION "\t/* EXERCISE 02: reap */\n\twait(NULL);\n"
				     "\t/* END EXERCISE */\n";

	(void)state;
	expect_blank(src, "02", 1,
		     UTS_REGION "\t/* EXERCISE 02: reap */\n"
				"\t/* Your code here; then delete the line below. */\n"
				"\treturn nook_exercise_todo(err, \"02\", \"reap\");\n"
				"\t/* END EXERCISE */\n");
	expect_blank(src, "01", 1,
		     UTS_BLANK "\t/* EXERCISE 02: reap */\n\twait(NULL);\n"
			       "\t/* END EXERCISE */\n");
	expect_blank(src, "07", 0, src);
}

static void
test_hint_escaped(void **state)
{
	(void)state;
	expect_blank("/* EXERCISE 05: write \"a\\b\" */\nx();\n/* END EXERCISE */\n", NULL, 1,
		     "/* EXERCISE 05: write \"a\\b\" */\n"
		     "/* Your code here; then delete the line below. */\n"
		     "return nook_exercise_todo(err, \"05\", \"write \\\"a\\\\b\\\"\");\n"
		     "/* END EXERCISE */\n");
}

static void
test_two_regions(void **state)
{
	(void)state;
	expect_blank(UTS_REGION "between();\n" UTS_REGION, NULL, 2,
		     UTS_BLANK "between();\n" UTS_BLANK);
}

static void
test_no_regions_unchanged(void **state)
{
	const char *src = "/* EXERCISES are elsewhere */\nint x; /* EXERCISE 01: not alone */\n"
			  "/* ordinary comment */\nlast line without newline";

	(void)state;
	expect_blank(src, NULL, 0, src);
	expect_blank("", NULL, 0, "");
}

static void
test_last_line_without_newline(void **state)
{
	(void)state;
	expect_blank("/* EXERCISE 01: a */\nx();\n/* END EXERCISE */", NULL, 1,
		     "/* EXERCISE 01: a */\n"
		     "/* Your code here; then delete the line below. */\n"
		     "return nook_exercise_todo(err, \"01\", \"a\");\n"
		     "/* END EXERCISE */");
}

static void
test_end_without_exercise(void **state)
{
	(void)state;
	expect_error("a\nb\n\t/* END EXERCISE */\n", "3", "END EXERCISE without EXERCISE");
	expect_error(UTS_REGION "/* END EXERCISE */\n", "5", "END EXERCISE without EXERCISE");
}

static void
test_nested(void **state)
{
	(void)state;
	expect_error("/* EXERCISE 01: a */\nx\n/* EXERCISE 02: b */\n", "3",
		     "inside EXERCISE 01 of line 1");
}

static void
test_never_closed(void **state)
{
	(void)state;
	expect_error("a\n/* EXERCISE 01: a */\nx\ny\n", "2", "EXERCISE 01 has no END EXERCISE");
	expect_error("/* EXERCISE 01: a */", "1", "has no END EXERCISE");
}

static void
test_number_not_two_digits(void **state)
{
	(void)state;
	expect_error("\n/* EXERCISE 1: a */\n/* END EXERCISE */\n", "2", "two digits");
	expect_error("/* EXERCISE 001: a */\n/* END EXERCISE */\n", "1", "two digits");
	expect_error("/* EXERCISE: a */\n/* END EXERCISE */\n", "1", "two digits");
	expect_error("/* EXERCISE ab: a */\n/* END EXERCISE */\n", "1", "two digits");
}

static void
test_empty_hint(void **state)
{
	(void)state;
	expect_error("x\ny\n/* EXERCISE 01: */\n/* END EXERCISE */\n", "3", "empty hint");
	expect_error("/* EXERCISE 01:\t  */\n/* END EXERCISE */\n", "1", "empty hint");
}

static void
test_malformed_markers(void **state)
{
	(void)state;
	expect_error("/* EXERCISE 01 a */\n/* END EXERCISE */\n", "1", "expected ':'");
	expect_error("/* EXERCISE 01: a\n/* END EXERCISE */\n", "1", "no '*/'");
	expect_error("/* EXERCISE 01: a */ x();\n/* END EXERCISE */\n", "1", "text after");
	expect_error("/* EXERCISE 01: a */\n/* END EXERCISE */ }\n", "2", "END EXERCISE");
}

static void
test_bad_only(void **state)
{
	char err[EXERCISE_ERR_SIZE], *out;

	(void)state;
	assert_int_equal(exercise_blank("x\n", "1", &out, err, sizeof(err)), -1);
	assert_null(out);
	assert_non_null(strstr(err, "two-digit"));
	assert_true(exercise_is_number("01"));
	assert_false(exercise_is_number("1"));
	assert_false(exercise_is_number("012"));
	assert_false(exercise_is_number("a1"));
}

/** Parse @p text as a mutant; expect exercise @p number and the body @p body. */
static void
expect_mutant(const char *text, const char *number, const char *body)
{
	char err[EXERCISE_ERR_SIZE] = "", got[3] = "";
	const char *code;

	assert_int_equal(exercise_parse_mutant(text, got, &code, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_string_equal(got, number);
	assert_non_null(code);
	assert_string_equal(code, body);
}

/** Expect the mutant @p text to be refused with "LINE: ..." mentioning @p gist. */
static void
expect_mutant_error(const char *text, const char *line, const char *gist)
{
	char err[EXERCISE_ERR_SIZE] = "", number[3], prefix[16];
	const char *code = "unset";

	assert_int_equal(exercise_parse_mutant(text, number, &code, err, sizeof(err)), -1);
	assert_null(code);
	snprintf(prefix, sizeof(prefix), "%s: ", line);
	if (strncmp(err, prefix, strlen(prefix)) != 0 || !strstr(err, gist))
		fail_msg("error \"%s\": expected \"%s...%s...\"", err, prefix, gist);
}

static void
test_mutant_parsed(void **state)
{
	(void)state;
	expect_mutant("/* MUTANT 01: cut at 8 */\n\tsethostname(h, 8);\n\treturn 0;\n", "01",
		      "\tsethostname(h, 8);\n\treturn 0;\n");
	expect_mutant("/*MUTANT 02:  one wait,\n * not a loop\n */  \nwait(NULL);", "02",
		      "wait(NULL);");
}

static void
test_mutant_malformed(void **state)
{
	(void)state;
	expect_mutant_error("\n/* MUTANT 01: a */\nx;\n", "1", "starts with the comment");
	expect_mutant_error("/* EXERCISE 01: a */\nx;\n", "1", "starts with the comment");
	expect_mutant_error("/* MUTANT 1: a */\nx;\n", "1", "starts with the comment");
	expect_mutant_error("/* MUTANT 01 a */\nx;\n", "1", "starts with the comment");
	expect_mutant_error("/* MUTANT 01: */\nx;\n", "1", "say why");
	expect_mutant_error("/* MUTANT 01: a\nx;\n", "1", "say why");
	expect_mutant_error("/* MUTANT 01: a */ x;\n", "1", "text after");
	expect_mutant_error("/* MUTANT 01: a */\n\n\t\n", "2", "no code");
	expect_mutant_error("/* MUTANT 01: a */", "1", "no code");
	expect_mutant_error("/* MUTANT 01:\n * a */\nx;\n\t/* END EXERCISE */\n", "4",
			    "EXERCISE marker");
	expect_mutant_error("/* MUTANT 01: a */\n/* EXERCISE 1: b */\n", "2", "two digits");
}

static void
test_replace_one_region(void **state)
{
	const char *src = UTS_REGION "\t/* EXERCISE 02: reap */\n\twait(NULL);\n"
				     "\t/* END EXERCISE */\n";
	char err[EXERCISE_ERR_SIZE] = "", *out;

	(void)state;
	assert_int_equal(exercise_replace(src, "02", "\tpause();\n", &out, err, sizeof(err)), 1);
	assert_string_equal(out, UTS_REGION "\t/* EXERCISE 02: reap */\n\tpause();\n"
					    "\t/* END EXERCISE */\n");
	free(out);
	/* a body without its last newline still leaves END on a line of its own */
	assert_int_equal(exercise_replace(src, "01", "\tx();", &out, err, sizeof(err)), 1);
	assert_non_null(strstr(out, "sethostname(2) */\n\tx();\n\t/* END EXERCISE */\n\t/* "
				    "EXERCISE 02"));
	assert_null(strstr(out, "sethostname(c->"));
	free(out);
	assert_int_equal(exercise_replace(src, "07", "x();\n", &out, err, sizeof(err)), 0);
	assert_string_equal(out, src);
	free(out);
	assert_int_equal(exercise_replace(src, "7", "x();\n", &out, err, sizeof(err)), -1);
	assert_null(out);
	assert_int_equal(
		exercise_replace("/* END EXERCISE */\n", "01", "x\n", &out, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "without EXERCISE"));
}

/* ---- exercise_worked() and exercise_sync(): a participant's copy in steps/ ---------- */

/** A file of steps/ as generated: a line of code, step 01's region blank, another line. */
#define STEPS_FILE "int a;\n" UTS_BLANK "int b;\n"

/** The same, with work in exercise 01. */
#define STEPS_WORKED "int a;\n" UTS_REGION "int b;\n"

static void
test_worked_none_in_a_blank_file(void **state)
{
	char err[EXERCISE_ERR_SIZE] = "", nums[4][3];

	(void)state;
	assert_int_equal(exercise_worked(STEPS_FILE, nums, 4, err, sizeof(err)), 0);
}

static void
test_worked_names_the_exercise(void **state)
{
	char err[EXERCISE_ERR_SIZE] = "", nums[4][3];
	const char *two =
		STEPS_WORKED "\t/* EXERCISE 07: pivot */\n"
			     "\t/* Your code here; then delete the line below. */\n"
			     "\treturn nook_exercise_todo(err, \"07\", \"pivot\");\n"
			     "\t/* END EXERCISE */\n"
			     "\t/* EXERCISE 08: caps */\n\tx = 1;\n\t/* END EXERCISE */\n";

	(void)state;
	assert_int_equal(exercise_worked(two, nums, 4, err, sizeof(err)), 2);
	assert_string_equal(nums[0], "01");
	assert_string_equal(nums[1], "08");
}

static void
test_worked_even_with_the_todo_kept(void **state)
{
	char err[EXERCISE_ERR_SIZE] = "", nums[4][3];
	char *half = strdup(STEPS_FILE), *todo = strstr(half, "\treturn nook_exercise_todo");

	(void)state;
	/* An attempt written above the todo line is work, though the todo is still there. */
	assert_non_null(todo);
	todo[0] = ' ';
	assert_int_equal(exercise_worked(half, nums, 4, err, sizeof(err)), 1);
	assert_string_equal(nums[0], "01");
	free(half);
}

static void
test_worked_broken_marker_is_an_error(void **state)
{
	char err[EXERCISE_ERR_SIZE] = "", nums[4][3];

	(void)state;
	assert_int_equal(exercise_worked("int a;\n\t/* EXERCISE 01: x */\nwork;\n", nums, 4, err,
					 sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "no END EXERCISE"));
}

/** exercise_sync(generated, edited): expect @p stale and @p nworked. */
static void
expect_sync(const char *generated, const char *edited, bool stale, int nworked)
{
	char err[EXERCISE_ERR_SIZE] = "";
	struct exercise_sync s;

	assert_int_equal(exercise_sync(generated, edited, &s, err, sizeof(err)), 0);
	assert_int_equal(s.stale, stale);
	assert_int_equal(s.nworked, nworked);
}

static void
test_sync_untouched(void **state)
{
	(void)state;
	expect_sync(STEPS_FILE, STEPS_FILE, false, 0);
}

static void
test_sync_learner_work_is_not_stale(void **state)
{
	(void)state;
	expect_sync(STEPS_FILE, STEPS_WORKED, false, 1);
}

static void
test_sync_changed_solution_is_stale(void **state)
{
	(void)state;
	/* A maintainer changed solutions/ outside the region: steps/ is stale... */
	expect_sync("int a;\n" UTS_BLANK "int c;\n", STEPS_FILE, true, 0);
	/* ...also when a learner's work is in it, and it still counts as work. */
	expect_sync("int a;\n" UTS_BLANK "int c;\n", STEPS_WORKED, true, 1);
}

static void
test_sync_changed_hint_is_stale(void **state)
{
	(void)state;
	/* A new hint in solutions/ changes the marker: the blank copy is out of date. */
	expect_sync("int a;\n\t/* EXERCISE 01: a new hint */\n"
		    "\t/* Your code here; then delete the line below. */\n"
		    "\treturn nook_exercise_todo(err, \"01\", \"a new hint\");\n"
		    "\t/* END EXERCISE */\nint b;\n",
		    STEPS_FILE, true, 0);
}

static void
test_sync_edit_outside_is_stale(void **state)
{
	(void)state;
	expect_sync(STEPS_FILE, "int a; /* mine */\n" UTS_BLANK "int b;\n", true, 0);
}

/** "MUTANT NN.K:" names the K-th region of NN; only that one is replaced, over all files. */
static void
mutant_can_name_one_region_of_several(void **state)
{
	const char *a = "/* EXERCISE 06: one */\nold1();\n/* END EXERCISE */\n"
			"/* EXERCISE 06: two */\nold2();\n/* END EXERCISE */\n";
	const char *b = "/* EXERCISE 06: three */\nold3();\n/* END EXERCISE */\n";
	char number[3], err[EXERCISE_ERR_SIZE], *out;
	const char *body;
	int which, seen = 0;

	(void)state;
	assert_int_equal(exercise_parse_mutant_nth("/* MUTANT 06.3: wrong */\nnew();\n", number,
						   &which, &body, err, sizeof(err)),
			 0);
	assert_string_equal(number, "06");
	assert_int_equal(which, 3);
	assert_int_equal(
		exercise_replace_nth(a, number, which, &seen, body, &out, err, sizeof(err)), 0);
	assert_non_null(strstr(out, "old1();") && strstr(out, "old2();"));
	free(out);
	assert_int_equal(
		exercise_replace_nth(b, number, which, &seen, body, &out, err, sizeof(err)), 1);
	assert_non_null(strstr(out, "new();"));
	assert_null(strstr(out, "old3();"));
	free(out);
	assert_int_equal(exercise_parse_mutant_nth("/* MUTANT 06.x: wrong */\nnew();\n", number,
						   &which, &body, err, sizeof(err)),
			 -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mutant_can_name_one_region_of_several),
		cmocka_unit_test(test_blank_one_region),
		cmocka_unit_test(test_indentation_kept),
		cmocka_unit_test(test_only_keeps_other_regions),
		cmocka_unit_test(test_hint_escaped),
		cmocka_unit_test(test_two_regions),
		cmocka_unit_test(test_no_regions_unchanged),
		cmocka_unit_test(test_last_line_without_newline),
		cmocka_unit_test(test_end_without_exercise),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_never_closed),
		cmocka_unit_test(test_number_not_two_digits),
		cmocka_unit_test(test_empty_hint),
		cmocka_unit_test(test_malformed_markers),
		cmocka_unit_test(test_bad_only),
		cmocka_unit_test(test_mutant_parsed),
		cmocka_unit_test(test_mutant_malformed),
		cmocka_unit_test(test_replace_one_region),
		cmocka_unit_test(test_worked_none_in_a_blank_file),
		cmocka_unit_test(test_worked_names_the_exercise),
		cmocka_unit_test(test_worked_even_with_the_todo_kept),
		cmocka_unit_test(test_worked_broken_marker_is_an_error),
		cmocka_unit_test(test_sync_untouched),
		cmocka_unit_test(test_sync_learner_work_is_not_stale),
		cmocka_unit_test(test_sync_changed_solution_is_stale),
		cmocka_unit_test(test_sync_changed_hint_is_stale),
		cmocka_unit_test(test_sync_edit_outside_is_stale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

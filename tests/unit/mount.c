/**
 * @file mount.c
 * @brief Unit tests of step 03's option checks (solutions/mount.c): which --tmpfs paths are
 *        refused, and how many may be given.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "nook.h"

static const struct nook_stage *const stages[] = {&mount_stage, NULL};

static void
good_paths_are_accepted(void **state)
{
	const char *good[] = {"/tmp", "/a/b/", "/a//b", "/.hidden", "/a/..b", "/a/b.", "/x y"};
	struct nook_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (mount_check_path(good[i], &err) != 0)
			fail_msg("\"%s\" was refused: %s", good[i], err.msg);
}

/** @p path must be refused with a message containing @p why, on one line. */
static void
refused(const char *path, const char *why)
{
	struct nook_error err;

	assert_int_equal(mount_check_path(path, &err), -1);
	assert_int_equal(err.code, NOOK_EXIT_FAILURE);
	if (!strstr(err.msg, why) || strchr(err.msg, '\n'))
		fail_msg("\"%s\": expected one line with \"%s\", got \"%s\"", path, why, err.msg);
}

static void
bad_paths_are_refused(void **state)
{
	static char too_long[PATH_MAX + 1];

	(void)state;
	refused("", "not an absolute path");
	refused("tmp", "not an absolute path");
	refused("./tmp", "not an absolute path");
	refused("/", "would hide");
	refused("/a/../b", "'..'");
	refused("/..", "'..'");
	refused("/a/.", "'.'");
	refused("/./a", "'.'");
	refused("/a\nb", "control character at byte 2");
	refused("a\nb", "control character at byte 1");
	refused("/a\n/..", "control character");
	too_long[0] = '/';
	memset(too_long + 1, 'a', PATH_MAX - 1);
	refused(too_long, "at most");
}

static void
tmpfs_option_is_repeatable_up_to_the_limit(void **state)
{
	char *argv[2 * NOOK_MAX_TMPFS + 5]; /* prog, 17 pairs, the command, NULL */
	struct nook_container c = {0};
	struct nook_error err;
	bool help;
	int argc = 0;

	(void)state;
	argv[argc++] = "prog";
	for (int i = 0; i < NOOK_MAX_TMPFS; i++) {
		argv[argc++] = "--tmpfs";
		argv[argc++] = i % 2 ? "/a" : "/b";
	}
	argv[argc++] = "true";
	argv[argc] = NULL;
	assert_int_equal(nook_parse_args(&c, stages, argc, argv, &help, &err), 0);
	assert_int_equal(c.ntmpfs, NOOK_MAX_TMPFS);
	assert_string_equal(c.tmpfs[0], "/b");
	assert_string_equal(c.tmpfs[NOOK_MAX_TMPFS - 1], "/a");
	assert_string_equal(c.argv[0], "true");

	memset(&c, 0, sizeof(c));
	argv[argc - 1] = "--tmpfs";
	argv[argc++] = "/c";
	argv[argc++] = "true";
	argv[argc] = NULL;
	assert_int_equal(nook_parse_args(&c, stages, argc, argv, &help, &err), -1);
	assert_string_equal(err.msg, "too many --tmpfs: at most 16");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_paths_are_accepted),
		cmocka_unit_test(bad_paths_are_refused),
		cmocka_unit_test(tmpfs_option_is_repeatable_up_to_the_limit),
	};

	return cmocka_run_group_tests_name("unit: mount", tests, NULL, NULL);
}

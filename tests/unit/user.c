/**
 * @file user.c
 * @brief Unit tests of step 05's pure logic (solutions/user.c): parsing and checking
 *        --uid-map/--gid-map ranges, looking a caller up in /etc/subuid, and writing a map
 *        as the kernel reads it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "nook.h"

static const struct nook_stage *const stages[] = {&user_stage, NULL};

static void
good_ranges_are_stored(void **state)
{
	struct nook_id_map m = {0};
	struct nook_error err;

	(void)state;
	assert_int_equal(user_add_range(&m, "uid-map", "0:100000:65536", &err), 0);
	assert_int_equal(user_add_range(&m, "uid-map", "65536:65534:1", &err), 0);
	assert_int_equal(user_add_range(&m, "uid-map", "4294967293:1:1", &err), 0);
	assert_int_equal(m.n, 3);
	assert_int_equal(m.range[0].inside, 0);
	assert_int_equal(m.range[0].outside, 100000);
	assert_int_equal(m.range[0].count, 65536);
	assert_int_equal(m.range[1].inside, 65536);
	assert_int_equal(m.range[2].inside, 4294967293u);
}

/** @p arg must be refused, alone in a fresh map, with one line containing @p why. */
static void
refused(const char *arg, const char *why)
{
	struct nook_id_map m = {0};
	struct nook_error err;

	assert_int_equal(user_add_range(&m, "gid-map", arg, &err), -1);
	assert_int_equal(err.code, NOOK_EXIT_FAILURE);
	assert_int_equal(m.n, 0);
	if (!strstr(err.msg, why) || !strstr(err.msg, "--gid-map") || strchr(err.msg, '\n'))
		fail_msg("\"%s\": expected one line naming --gid-map with \"%s\", got \"%s\"", arg,
			 why, err.msg);
}

static void
malformed_ranges_are_refused(void **state)
{
	(void)state;
	refused("", "expected INSIDE:OUTSIDE:COUNT");
	refused("0:1", "expected INSIDE:OUTSIDE:COUNT");
	refused("0:1:", "expected INSIDE:OUTSIDE:COUNT");
	refused("::", "expected INSIDE:OUTSIDE:COUNT");
	refused("0:1:1:", "expected INSIDE:OUTSIDE:COUNT");
	refused("0:1:1:1", "expected INSIDE:OUTSIDE:COUNT");
	refused("4294967296:0:1", "below 4294967296");
	refused("0:99999999999999999999:1", "below 4294967296");
	refused("-1:0:1", "unexpected character at byte 0");
	refused("+1:0:1", "unexpected character at byte 0");
	refused("0: 1:1", "unexpected character at byte 2");
	refused("0x10:0:1", "unexpected character at byte 1");
	refused("0:1:1\n", "unexpected character at byte 5");
	refused("0:1:0", "COUNT must be at least 1");
	refused("0:4294967295:1", "passes id 4294967294");
	refused("4294967290:0:10", "passes id 4294967294");
}

static void
overlapping_ranges_are_refused(void **state)
{
	struct nook_id_map m = {0};
	struct nook_error err;

	(void)state;
	assert_int_equal(user_add_range(&m, "uid-map", "10:1000:10", &err), 0);
	/* inside 15..24 meets 10..19 */
	assert_int_equal(user_add_range(&m, "uid-map", "15:5000:10", &err), -1);
	assert_non_null(strstr(err.msg, "overlaps \"10:1000:10\""));
	/* outside 995..1004 meets 1000..1009 */
	assert_int_equal(user_add_range(&m, "uid-map", "0:995:10", &err), -1);
	/* a range around the other */
	assert_int_equal(user_add_range(&m, "uid-map", "0:0:100", &err), -1);
	/* touching is not overlapping */
	assert_int_equal(user_add_range(&m, "uid-map", "0:990:10", &err), 0);
	assert_int_equal(user_add_range(&m, "uid-map", "20:1010:5", &err), 0);
	assert_int_equal(m.n, 3);
}

static void
at_most_eight_ranges(void **state)
{
	struct nook_id_map m = {0};
	struct nook_error err;
	char arg[32];

	(void)state;
	for (int i = 0; i < NOOK_MAX_ID_RANGES; i++) {
		snprintf(arg, sizeof(arg), "%d:%d:1", i, 1000 + i);
		assert_int_equal(user_add_range(&m, "uid-map", arg, &err), 0);
	}
	assert_int_equal(user_add_range(&m, "uid-map", "100:2000:1", &err), -1);
	assert_non_null(strstr(err.msg, "at most 8"));
}

/** A temporary subordinate-id file holding @p text; returns its path in @p path. */
static void
subid_file(char *path, const char *text)
{
	int fd;

	strcpy(path, "/tmp/nook-unit-subid-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void
subuid_names_the_caller(void **state)
{
	struct nook_id_range r;
	char path[64];

	(void)state;
	subid_file(path, "alice:100000:65536\n"
			 "# a comment\n"
			 "bob:200000:1000\n"
			 "1001:300000:65536\n"
			 "carol:400000:100000\n"
			 "bob:500000:65536\n");
	assert_int_equal(user_subid_range(path, "alice", 1000, &r), 1);
	assert_int_equal(r.inside, 0);
	assert_int_equal(r.outside, 100000);
	assert_int_equal(r.count, 65536);
	assert_int_equal(user_subid_range(path, "bob", 1002, &r), 1); /* the first line counts */
	assert_int_equal(r.outside, 200000);
	assert_int_equal(r.count, 1000);
	assert_int_equal(user_subid_range(path, "dave", 1001, &r), 1); /* by number */
	assert_int_equal(r.outside, 300000);
	assert_int_equal(user_subid_range(path, "carol", 1003, &r), 1); /* at most 65536 */
	assert_int_equal(r.count, 65536);
	assert_int_equal(user_subid_range(path, "al", 1004, &r), 0);
	assert_int_equal(user_subid_range(path, NULL, 1004, &r), 0);
	unlink(path);
	assert_int_equal(user_subid_range("/nonexistent/subuid", "alice", 1000, &r), 0);
}

static void
maps_are_written_one_line_a_range(void **state)
{
	struct nook_id_map m = {0};
	struct nook_error err;
	char buf[512], tiny[8];

	(void)state;
	assert_int_equal(user_format_map(&m, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	user_add_range(&m, "uid-map", "0:100000:65536", &err);
	user_add_range(&m, "uid-map", "65536:65534:1", &err);
	assert_int_equal(user_format_map(&m, buf, sizeof(buf)), 29);
	assert_string_equal(buf, "0 100000 65536\n65536 65534 1\n");
	assert_int_equal(user_format_map(&m, tiny, sizeof(tiny)), -1);
}

static void
map_options_imply_a_user_namespace(void **state)
{
	char *argv[] = {"prog",	     "--uid-map",   "0:100000:10", "--gid-map", "0:200000:10",
			"--gid-map", "10:300000:1", "true",	   NULL};
	char *bad[] = {"prog", "--uid-map", "0:1:0", "true", NULL};
	struct nook_container c = {0};
	struct nook_error err;
	bool help;

	(void)state;
	assert_int_equal(nook_parse_args(&c, stages, 8, argv, &help, &err), 0);
	assert_true(c.userns);
	assert_int_equal(c.uid_map.n, 1);
	assert_int_equal(c.gid_map.n, 2);
	assert_int_equal(c.gid_map.range[1].outside, 300000);
	memset(&c, 0, sizeof(c));
	assert_int_equal(nook_parse_args(&c, stages, 4, bad, &help, &err), -1);
	assert_string_equal(err.msg, "invalid --uid-map \"0:1:0\": COUNT must be at least 1");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_ranges_are_stored),
		cmocka_unit_test(malformed_ranges_are_refused),
		cmocka_unit_test(overlapping_ranges_are_refused),
		cmocka_unit_test(at_most_eight_ranges),
		cmocka_unit_test(subuid_names_the_caller),
		cmocka_unit_test(maps_are_written_one_line_a_range),
		cmocka_unit_test(map_options_imply_a_user_namespace),
	};

	return cmocka_run_group_tests_name("unit: user", tests, NULL, NULL);
}

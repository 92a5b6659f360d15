/**
 * @file rootfs.c
 * @brief Unit tests of step 07's pure logic (solutions/rootfs.c): --volume parsing and the
 *        overlay mount options built from the layers.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "nook.h"

static void
volumes_are_parsed(void **state)
{
	struct nook_volume v;
	struct nook_error err;

	(void)state;
	assert_int_equal(rootfs_parse_volume(&v, "/tmp:/data", &err), 0);
	assert_string_equal(v.host, "/tmp");
	assert_string_equal(v.inside, "/data");
	assert_false(v.readonly);
	assert_int_equal(rootfs_parse_volume(&v, "/etc/hostname:/etc/host-name:ro", &err), 0);
	assert_string_equal(v.host, "/etc/hostname");
	assert_string_equal(v.inside, "/etc/host-name");
	assert_true(v.readonly);
}

/** @p arg must be refused as a --volume with one line containing @p why. */
static void
refused(const char *arg, const char *why)
{
	struct nook_volume v;
	struct nook_error err;

	assert_int_equal(rootfs_parse_volume(&v, arg, &err), -1);
	assert_int_equal(err.code, NOOK_EXIT_FAILURE);
	if (!strstr(err.msg, why) || strchr(err.msg, '\n'))
		fail_msg("\"%s\": expected one line with \"%s\", got \"%s\"", arg, why, err.msg);
}

static void
bad_volumes_are_refused(void **state)
{
	(void)state;
	refused("/tmp", "expected HOST:INSIDE");
	refused(":/data", "expected HOST:INSIDE");
	refused("/tmp:data", "not an absolute path");
	refused("/tmp:/", "would hide");
	refused("/tmp:/a/../etc", "'..'");
	refused("/tmp:/data:rw", "only \":ro\"");
	refused("/nonexistent-nook-volume:/data", "No such file or directory");
}

static void
overlay_options_list_layers_top_first(void **state)
{
	struct nook_rootfs r = {.layer = {"/top", "/bottom"}, .nlayers = 2};
	char buf[256];

	(void)state;
	assert_true(rootfs_overlay_options(&r, "/run/nook/42", false, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "lowerdir=/top:/bottom,upperdir=/run/nook/42/upper,"
				 "workdir=/run/nook/42/work");
	assert_true(rootfs_overlay_options(&r, "/run/nook/42", true, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, ",userxattr"));
	assert_int_equal(rootfs_overlay_options(&r, "/run/nook/42", false, buf, 20), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(volumes_are_parsed),
		cmocka_unit_test(bad_volumes_are_refused),
		cmocka_unit_test(overlay_options_list_layers_top_first),
	};

	return cmocka_run_group_tests_name("unit-rootfs", tests, NULL, NULL);
}

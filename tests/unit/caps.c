/**
 * @file caps.c
 * @brief Unit tests of step 08's pure logic (solutions/caps.c): capability names in any
 *        spelling, Docker's drop-then-add rule, and --user UID[:GID].
 */
#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "nook.h"

static void
names_in_any_spelling(void **state)
{
	static const char *const names[] = {"sys_admin", "SYS_ADMIN", "cap_sys_admin",
					    "CAP_SYS_ADMIN", "Cap_Sys_Admin"};
	struct nook_error err;
	int cap;

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		cap = -1;
		if (caps_parse_name("cap-add", names[i], &cap, &err) < 0)
			fail_msg("\"%s\" refused: %s", names[i], err.msg);
		assert_int_equal(cap, CAP_SYS_ADMIN);
	}
}

static void
bad_names_are_refused(void **state)
{
	static const char *const names[] = {"", "cap_", "nope", "12", "sys admin", "chown\n"};
	struct nook_error err;
	int cap;

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (caps_parse_name("cap-drop", names[i], &cap, &err) == 0)
			fail_msg("\"%s\" accepted as capability %d", names[i], cap);
		if (!strstr(err.msg, "--cap-drop") || strchr(err.msg, '\n'))
			fail_msg("\"%s\": expected one line naming --cap-drop, got \"%s\"",
				 names[i], err.msg);
	}
}

static void
drop_then_add_as_docker_does(void **state)
{
	const uint64_t chown = NOOK_CAP(CAP_CHOWN), admin = NOOK_CAP(CAP_SYS_ADMIN);
	struct nook_caps caps = {0};

	(void)state;
	assert_true(caps_kept(&caps, 41) == caps_default);
	assert_true(caps_default == 0xa80425fbULL); /* what `docker run` shows as CapEff */
	caps.drop = chown;
	caps.add = admin;
	assert_true(caps_kept(&caps, 41) == ((caps_default & ~chown) | admin));
	caps.add |= chown; /* named in both: added */
	assert_true(caps_kept(&caps, 41) == (caps_default | admin));
	caps = (struct nook_caps){.drop_all = true, .add = admin};
	assert_true(caps_kept(&caps, 41) == admin);
	caps = (struct nook_caps){.add_all = true, .drop = chown};
	assert_true(caps_kept(&caps, 41) == ((NOOK_CAP(41) - 1) & ~chown));
	caps = (struct nook_caps){.add = NOOK_CAP(45)}; /* beyond this kernel: never kept */
	assert_true(caps_kept(&caps, 41) == caps_default);
}

static void
user_is_uid_and_gid(void **state)
{
	static const char *const bad[] = {"",	"nobody",     "1000:",		 ":1000", "-1",
					  "+5", "4294967295", "1000:4294967295", "1:2:3", " 1"};
	struct nook_error err;
	uid_t uid;
	gid_t gid;

	(void)state;
	assert_int_equal(caps_parse_user("1000", &uid, &gid, &err), 0);
	assert_int_equal(uid, 1000);
	assert_int_equal(gid, 1000);
	assert_int_equal(caps_parse_user("0:5", &uid, &gid, &err), 0);
	assert_int_equal(uid, 0);
	assert_int_equal(gid, 5);
	assert_int_equal(caps_parse_user("4294967294:4294967294", &uid, &gid, &err), 0);
	assert_int_equal(uid, 4294967294u);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (caps_parse_user(bad[i], &uid, &gid, &err) == 0)
			fail_msg("--user \"%s\" accepted", bad[i]);
		if (!strstr(err.msg, "--user") || strchr(err.msg, '\n'))
			fail_msg("\"%s\": expected one line naming --user, got \"%s\"", bad[i],
				 err.msg);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_in_any_spelling),
		cmocka_unit_test(bad_names_are_refused),
		cmocka_unit_test(drop_then_add_as_docker_does),
		cmocka_unit_test(user_is_uid_and_gid),
	};

	return cmocka_run_group_tests_name("unit: caps", tests, NULL, NULL);
}

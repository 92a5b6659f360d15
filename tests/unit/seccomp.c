/**
 * @file seccomp.c
 * @brief Unit tests of step 09's profiles: the JSON reader (solutions/seccomp_profile.c)
 *        takes what Docker and the OCI spec write and names the field of a broken one;
 *        the default profile and a read one both build into a libseccomp filter.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "nook.h"

/** Write @p json to a new temporary file; returns its path, to unlink(2) and free(3). */
static char *
profile_file(const char *json)
{
	char *path = strdup("/tmp/nook-unit-seccomp-XXXXXX");
	int fd = path ? mkstemp(path) : -1;

	if (fd < 0 || write(fd, json, strlen(json)) != (ssize_t)strlen(json))
		fail_msg("cannot write a temporary profile: %s", strerror(errno));
	close(fd);
	return path;
}

/** Read @p json as a profile file; returns seccomp_profile_read()'s result. */
static int
read_json(const char *json, struct nook_seccomp_profile *p, struct nook_error *err)
{
	char *path = profile_file(json);
	int rc = seccomp_profile_read(path, p, err);

	unlink(path);
	free(path);
	return rc;
}

static void
a_docker_style_profile_is_read(void **state)
{
	struct nook_seccomp_profile p;
	struct nook_error err;

	(void)state;
	if (read_json("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,\n"
		      " \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\"],\n"
		      " \"syscalls\": [\n"
		      "  {\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
		      "   \"comment\": \"ignored\"},\n"
		      "  {\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [\n"
		      "    {\"index\": 0, \"value\": 2114060288, \"valueTwo\": 0,\n"
		      "     \"op\": \"SCMP_CMP_MASKED_EQ\"}]},\n"
		      "  {\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\"}]}\n",
		      &p, &err) < 0)
		fail_msg("refused: %s", err.msg);
	assert_int_equal(p.default_action, SCMP_ACT_ERRNO(38));
	assert_int_equal(p.nrules, 3);
	assert_string_equal(p.rules[0].names[1], "write");
	assert_null(p.rules[0].names[2]);
	assert_int_equal(p.rules[1].nargs, 1);
	assert_int_equal(p.rules[1].args[0].op, SCMP_CMP_MASKED_EQ);
	assert_int_equal(p.rules[1].args[0].value, 2114060288);
	assert_int_equal(p.rules[2].action, SCMP_ACT_ERRNO(EPERM)); /* no errnoRet: EPERM */
	seccomp_profile_free(&p);
	seccomp_profile_free(&p); /* twice is harmless */
}

static void
broken_profiles_name_the_field(void **state)
{
	const char *cases[][2] = {
		{"[]", "(top): not a JSON object"},
		{"{\"defaultAction\": 1}", "defaultAction: not a string"},
		{"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": -1}",
		 "defaultErrnoRet: not an integer from 0 to 4095"},
		{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_PPC\"]}",
		 "architectures[0]: unsupported architecture"},
		{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"action\": "
		 "\"SCMP_ACT_LOG\"}]}",
		 "syscalls[0].names: missing"},
		{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\", 2], "
		 "\"action\": \"SCMP_ACT_LOG\"}]}",
		 "syscalls[0].names[1]: not a string"},
		{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], "
		 "\"action\": \"SCMP_ACT_NOTIFY\"}]}",
		 "syscalls[0].action: SCMP_ACT_NOTIFY is not supported"},
		{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], "
		 "\"action\": \"SCMP_ACT_KILL\", \"errnoRet\": 1}]}",
		 "syscalls[0].action: SCMP_ACT_KILL takes no errnoRet"},
		{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], "
		 "\"action\": \"SCMP_ACT_LOG\", \"args\": [{\"index\": 6, \"op\": "
		 "\"SCMP_CMP_EQ\"}]}]}",
		 "syscalls[0].args[0].index: not an integer from 0 to 5"},
		{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": []}", "flags: unknown field"},
	};
	struct nook_seccomp_profile p;
	struct nook_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (read_json(cases[i][0], &p, &err) == 0)
			fail_msg("profile %s was accepted", cases[i][0]);
		if (!strstr(err.msg, cases[i][1]) || strchr(err.msg, '\n'))
			fail_msg("profile %s: expected one line with \"%s\", got \"%s\"",
				 cases[i][0], cases[i][1], err.msg);
		assert_null(p.owned);
	}
}

static void
profiles_build_into_filters(void **state)
{
	struct nook_seccomp_profile p;
	struct nook_error err;
	void *filter = NULL;

	(void)state;
	if (seccomp_profile_build(&seccomp_default_profile, &filter, &err) < 0)
		fail_msg("the default profile does not build: %s", err.msg);
	seccomp_release(filter);
	/* a name this libseccomp does not know is skipped, not an error */
	if (read_json("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
		      "[\"no_such_call\", \"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\"}]}",
		      &p, &err) < 0)
		fail_msg("refused: %s", err.msg);
	if (seccomp_profile_build(&p, &filter, &err) < 0)
		fail_msg("a profile with an unknown name does not build: %s", err.msg);
	seccomp_release(filter);
	seccomp_profile_free(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_docker_style_profile_is_read),
		cmocka_unit_test(broken_profiles_name_the_field),
		cmocka_unit_test(profiles_build_into_filters),
	};

	return cmocka_run_group_tests_name("unit-seccomp", tests, NULL, NULL);
}

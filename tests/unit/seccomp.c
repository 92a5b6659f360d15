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
#include <signal.h>
#include <sys/stat.h>
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
		 "defaultErrnoRet: not an integer from 0 to 4094"},
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

/** Read @p json, expecting a refusal in one line that contains @p says. */
static void
expect_refused(const char *json, const char *says)
{
	struct nook_seccomp_profile p;
	struct nook_error err;

	if (read_json(json, &p, &err) == 0)
		fail_msg("profile %.200s was accepted", json);
	if (!strstr(err.msg, says) || strchr(err.msg, '\n'))
		fail_msg("profile %.200s: expected one line with \"%s\", got \"%s\"", json, says,
			 err.msg);
	assert_null(p.owned);
}

/** A profile of @p nrules entries, each naming "read" @p per times; free(3) it. */
static char *
big_profile(int nrules, int per)
{
	size_t size = 64 + (size_t)nrules * (48 + 8 * (size_t)per), at;
	char *json = malloc(size);

	assert_non_null(json);
	at = (size_t)snprintf(json, size,
			      "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [");
	for (int r = 0; r < nrules; r++) {
		at += (size_t)snprintf(json + at, size - at, "%s{\"names\": [", r ? "," : "");
		for (int n = 0; n < per; n++)
			at += (size_t)snprintf(json + at, size - at, "%s\"read\"", n ? "," : "");
		at += (size_t)snprintf(json + at, size - at, "], \"action\": \"SCMP_ACT_ALLOW\"}");
	}
	snprintf(json + at, size - at, "]}");
	return json;
}

static void
profiles_over_the_limits_are_refused(void **state)
{
	struct nook_seccomp_profile p;
	struct nook_error err;
	char *json, *huge;

	(void)state;
	json = big_profile(NOOK_SECCOMP_MAX_RULES + 1, 1);
	expect_refused(json, "syscalls: 4097 entries, more than nook's limit of 4096");
	free(json);
	json = big_profile(2, NOOK_SECCOMP_MAX_NAMES / 2 + 1);
	expect_refused(json, "syscalls: 16386 names, more than nook's limit of 16384");
	free(json);
	huge = malloc(NOOK_SECCOMP_MAX_BYTES + 2);
	assert_non_null(huge);
	memset(huge, ' ', NOOK_SECCOMP_MAX_BYTES + 1);
	huge[0] = '{';
	huge[NOOK_SECCOMP_MAX_BYTES] = '}';
	huge[NOOK_SECCOMP_MAX_BYTES + 1] = '\0';
	expect_refused(huge, "larger than nook's limit of 1 MiB");
	assert_int_equal(seccomp_profile_parse("buf", huge, NOOK_SECCOMP_MAX_BYTES + 1, &p, &err),
			 -1);
	free(huge);
	/* at the limits, accepted: the names repeat, and the repeats are dropped */
	json = big_profile(2, NOOK_SECCOMP_MAX_NAMES / 2);
	if (read_json(json, &p, &err) < 0)
		fail_msg("a profile at the limit was refused: %s", err.msg);
	free(json);
	assert_string_equal(p.rules[0].names[0], "read");
	assert_null(p.rules[0].names[1]); /* the same name, action and conditions: once */
	assert_null(p.rules[1].names[0]);
	seccomp_profile_free(&p);
}

static void
a_name_is_dropped_only_when_it_does_the_same(void **state)
{
	struct nook_seccomp_profile p;
	struct nook_error err;
	void *filter;

	(void)state;
	if (read_json(
		    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n"
		    " {\"names\": [\"mkdir\", \"rmdir\", \"mkdir\"], \"action\": "
		    "\"SCMP_ACT_ERRNO\"},\n"
		    " {\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 2},\n"
		    " {\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [\n"
		    "  {\"index\": 1, \"value\": 7, \"op\": \"SCMP_CMP_EQ\"}]},\n"
		    " {\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [\n"
		    "  {\"index\": 1, \"value\": 8, \"op\": \"SCMP_CMP_EQ\"}]},\n"
		    " {\"names\": [\"rmdir\", \"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\", "
		    "\"args\": [\n"
		    "  {\"index\": 1, \"value\": 8, \"op\": \"SCMP_CMP_EQ\"}]}]}\n",
		    &p, &err) < 0)
		fail_msg("refused: %s", err.msg);
	assert_string_equal(p.rules[0].names[1], "rmdir");
	assert_null(p.rules[0].names[2]);
	assert_string_equal(p.rules[1].names[0], "mkdir"); /* another errno */
	assert_string_equal(p.rules[2].names[0], "mkdir"); /* other conditions */
	assert_string_equal(p.rules[3].names[0], "mkdir");
	assert_string_equal(p.rules[4].names[0], "rmdir");
	assert_null(p.rules[4].names[1]); /* rules[3] again */
	if (seccomp_profile_build(&p, &filter, &err) < 0)
		fail_msg("does not build: %s", err.msg);
	seccomp_release(filter);
	seccomp_profile_free(&p);
}

static void
errno_ret_is_what_libseccomp_takes(void **state)
{
	struct nook_seccomp_profile p;
	struct nook_error err;
	void *filter;

	(void)state;
	expect_refused("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 4095}",
		       "defaultErrnoRet: not an integer from 0 to 4094");
	expect_refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
		       "[\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 4095}]}",
		       "syscalls[0].errnoRet: not an integer from 0 to 4094");
	expect_refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
		       "[\"mkdir\"], \"action\": \"SCMP_ACT_TRACE\", \"errnoRet\": 65536}]}",
		       "syscalls[0].errnoRet: not an integer from 0 to 65535");
	if (read_json("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 4094,"
		      " \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_TRACE\","
		      " \"errnoRet\": 65535}]}",
		      &p, &err) < 0)
		fail_msg("refused: %s", err.msg);
	assert_int_equal(p.default_action, SCMP_ACT_ERRNO(4094));
	assert_int_equal(p.rules[0].action, SCMP_ACT_TRACE(65535));
	/* what the reader takes, libseccomp takes */
	if (seccomp_profile_build(&p, &filter, &err) < 0)
		fail_msg("the largest errnoRet values do not build: %s", err.msg);
	seccomp_release(filter);
	seccomp_profile_free(&p);
}

static void
argument_values_take_all_64_bits(void **state)
{
	struct nook_seccomp_profile p;
	struct nook_error err;
	void *filter;

	(void)state;
	if (read_json("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\":\n"
		      " [\"x-1\", \"18446744073709551615\", \"mkdir\"], \"action\": "
		      "\"SCMP_ACT_ERRNO\","
		      " \"comment\": \"-7 and 99999999999999999999\", \"args\": [\n"
		      " {\"index\": 0, \"value\": 18446744073709551615, \"op\": \"SCMP_CMP_EQ\"},\n"
		      " {\"index\": 1, \"value\": 9223372036854775808, \"valueTwo\": "
		      "9223372036854775807, \"op\": \"SCMP_CMP_MASKED_EQ\"},\n"
		      " {\"index\": 2, \"value\": 0, \"valueTwo\": 1e3, \"op\": "
		      "\"SCMP_CMP_EQ\"}]}]}\n",
		      &p, &err) == 0)
		fail_msg("a real valueTwo was accepted");
	if (!strstr(err.msg, "args[2].valueTwo: not an integer from 0 to 18446744073709551615"))
		fail_msg("a real valueTwo: unexpected \"%s\"", err.msg);
	if (read_json("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\":\n"
		      " [\"x-1\", \"18446744073709551615\", \"mkdir\"], \"action\": "
		      "\"SCMP_ACT_ERRNO\","
		      " \"comment\": \"-7 and 99999999999999999999\", \"args\": [\n"
		      " {\"index\": 0, \"value\": 18446744073709551615, \"op\": \"SCMP_CMP_EQ\"},\n"
		      " {\"index\": 1, \"value\": 9223372036854775808, \"valueTwo\": "
		      "9223372036854775807, \"op\": \"SCMP_CMP_MASKED_EQ\"}]}]}\n",
		      &p, &err) < 0)
		fail_msg("refused: %s", err.msg);
	assert_true(p.rules[0].args[0].value == 18446744073709551615ULL);
	assert_true(p.rules[0].args[1].value == 9223372036854775808ULL);
	assert_true(p.rules[0].args[1].value_two == 9223372036854775807ULL);
	assert_string_equal(p.rules[0].names[0], "x-1"); /* strings are left alone */
	assert_string_equal(p.rules[0].names[1], "18446744073709551615");
	if (seccomp_profile_build(&p, &filter, &err) < 0)
		fail_msg("does not build: %s", err.msg);
	seccomp_release(filter);
	seccomp_profile_free(&p);
	expect_refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
		       "[\"mkdir\"], \"action\": \"SCMP_ACT_LOG\", \"args\": [{\"index\": 0, "
		       "\"value\": 18446744073709551616, \"op\": \"SCMP_CMP_EQ\"}]}]}",
		       "line 1: not JSON: too big integer");
	expect_refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
		       "[\"mkdir\"], \"action\": \"SCMP_ACT_LOG\", \"args\": [{\"index\": 0, "
		       "\"value\": -1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
		       "args[0].value: not an integer from 0 to 18446744073709551615");
	/* a large number where a small one belongs is not read as a negative one */
	expect_refused("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": "
		       "18446744073709551615}",
		       "defaultErrnoRet: not an integer from 0 to 4094");
	expect_refused("{\"defaultAction\": \"SCMP_ACT_ERRNO\",\n\n \"defaultErrnoRet\": -01}",
		       "line 3: not JSON");
}

static void
two_conditions_on_one_argument_are_refused(void **state)
{
	(void)state;
	expect_refused("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": "
		       "[\"personality\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
		       "{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_GE\"}, "
		       "{\"index\": 1, \"value\": 1, \"op\": \"SCMP_CMP_GE\"}, "
		       "{\"index\": 0, \"value\": 5, \"op\": \"SCMP_CMP_LE\"}]}]}",
		       "syscalls[0].args[2]: a second condition on argument 0");
}

static void
on_alarm(int sig)
{
	(void)sig;
	(void)!write(STDERR_FILENO, "profile read blocked\n", 21);
	_exit(1);
}

static void
only_regular_files_are_read(void **state)
{
	char path[64] = "/tmp/nook-unit-fifo-XXXXXX"; /* room for "/fifo" after it */
	struct nook_seccomp_profile p;
	struct nook_error err;

	(void)state;
	if (!mkdtemp(path))
		fail_msg("mkdtemp: %s", strerror(errno));
	signal(SIGALRM, on_alarm);
	alarm(10); /* a FIFO with no writer blocked the read for ever */
	assert_int_equal(seccomp_profile_read(path, &p, &err), -1);
	assert_non_null(strstr(err.msg, ": not a regular file"));
	strcat(path, "/fifo");
	if (mkfifo(path, 0600) < 0)
		fail_msg("mkfifo: %s", strerror(errno));
	assert_int_equal(seccomp_profile_read(path, &p, &err), -1);
	alarm(0);
	if (!strstr(err.msg, ": not a regular file") || strchr(err.msg, '\n'))
		fail_msg("a FIFO: expected \"not a regular file\", got \"%s\"", err.msg);
	unlink(path);
	*strrchr(path, '/') = '\0';
	rmdir(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_docker_style_profile_is_read),
		cmocka_unit_test(broken_profiles_name_the_field),
		cmocka_unit_test(profiles_build_into_filters),
		cmocka_unit_test(profiles_over_the_limits_are_refused),
		cmocka_unit_test(a_name_is_dropped_only_when_it_does_the_same),
		cmocka_unit_test(errno_ret_is_what_libseccomp_takes),
		cmocka_unit_test(argument_values_take_all_64_bits),
		cmocka_unit_test(two_conditions_on_one_argument_are_refused),
		cmocka_unit_test(only_regular_files_are_read),
	};

	return cmocka_run_group_tests_name("unit-seccomp", tests, NULL, NULL);
}

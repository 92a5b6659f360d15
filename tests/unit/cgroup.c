/**
 * @file cgroup.c
 * @brief Unit tests of step 06's option handling (solutions/cgroup.c): sizes parsed and
 *        printed back, and what each limit option stores.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "nook.h"

static const struct nook_stage *const stages[] = {&cgroup_stage, NULL};

static void
sizes_are_parsed_in_powers_of_1024(void **state)
{
	const struct {
		const char *arg;
		long long bytes;
	} good[] = {
		{"0", 0},
		{"65536", 65536},
		{"512k", 512 << 10},
		{"64m", 64LL << 20},
		{"64M", 64LL << 20},
		{"2g", 2LL << 30},
		{"1536K", 1536 << 10},
		{"8589934591g", 8589934591LL << 30},
	};
	const char *bad[] = {"",    "m",  "-5m",  "+5m",	 " 5m",
			     "5mb", "5t", "1.5g", "9999999999g", "0x10"};
	long long bytes;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (cgroup_parse_size(good[i].arg, &bytes) != 0)
			fail_msg("\"%s\" was refused", good[i].arg);
		if (bytes != good[i].bytes)
			fail_msg("\"%s\" is %lld bytes, not %lld", good[i].arg, good[i].bytes,
				 bytes);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (cgroup_parse_size(bad[i], &bytes) == 0)
			fail_msg("\"%s\" was taken as %lld bytes", bad[i], bytes);
}

static void
sizes_are_printed_in_the_largest_exact_unit(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(cgroup_format_size(64LL << 20, buf, sizeof(buf)), "64M");
	assert_string_equal(cgroup_format_size(1LL << 30, buf, sizeof(buf)), "1G");
	assert_string_equal(cgroup_format_size(1536LL << 10, buf, sizeof(buf)), "1536K");
	assert_string_equal(cgroup_format_size(1000, buf, sizeof(buf)), "1000");
}

/** Parse the options in @p argv (then "--" "true"); returns nook_parse_args()'s result. */
static int
parse(struct nook_container *c, struct nook_error *err, char **argv)
{
	char *all[16] = {"prog"};
	int argc = 1;
	bool help;

	while (*argv)
		all[argc++] = *argv++;
	all[argc++] = "true";
	memset(c, 0, sizeof(*c));
	return nook_parse_args(c, stages, argc, all, &help, err);
}

static void
limits_are_stored_in_kernel_units(void **state)
{
	char *argv[] = {
		"--memory", "64m", "--memory-swap", "128m", "--cpus", "0.5", "--cpu-weight", "200",
		"--pids",   "16",  "--io-weight",   "50",   NULL};
	struct nook_container c;
	struct nook_error err;

	(void)state;
	if (parse(&c, &err, argv) != 0)
		fail_msg("refused: %s", err.msg);
	assert_int_equal(c.cgroup.memory, 64LL << 20);
	assert_int_equal(c.cgroup.memory_swap, 128LL << 20);
	assert_int_equal(c.cgroup.cpu_quota, CGROUP_CPU_PERIOD / 2);
	assert_int_equal(c.cgroup.cpu_weight, 200);
	assert_int_equal(c.cgroup.pids, 16);
	assert_int_equal(c.cgroup.io_weight, 50);
	assert_int_equal(cgroup_needed(&c.cgroup),
			 CGROUP_MEMORY | CGROUP_CPU | CGROUP_PIDS | CGROUP_IO);
}

static void
out_of_range_limits_are_refused_naming_the_option(void **state)
{
	char *bad[][2] = {
		{"--memory", "4095k"}, {"--memory-swap", "0"}, {"--cpus", "0.001"},
		{"--cpus", "nan"},     {"--cpus", "inf"},      {"--cpu-weight", "10001"},
		{"--pids", "4194305"}, {"--io-weight", "0"},   {"--io-weight", "1e3"},
	};
	struct nook_container c;
	struct nook_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[] = {bad[i][0], bad[i][1], NULL};

		if (parse(&c, &err, argv) == 0)
			fail_msg("%s %s was accepted", bad[i][0], bad[i][1]);
		if (!strstr(err.msg, bad[i][0]) || strchr(err.msg, '\n'))
			fail_msg("%s %s: expected one line naming the option, got \"%s\"",
				 bad[i][0], bad[i][1], err.msg);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sizes_are_parsed_in_powers_of_1024),
		cmocka_unit_test(sizes_are_printed_in_the_largest_exact_unit),
		cmocka_unit_test(limits_are_stored_in_kernel_units),
		cmocka_unit_test(out_of_range_limits_are_refused_naming_the_option),
	};

	return cmocka_run_group_tests_name("unit-cgroup", tests, NULL, NULL);
}

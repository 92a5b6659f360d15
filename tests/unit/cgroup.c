/**
 * @file cgroup.c
 * @brief Unit tests of step 06's option handling (solutions/cgroup.c): sizes parsed and
 *        printed back, and what each limit option stores (the I/O throttles per device).
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

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

/** The path of some block device in /dev, into @p path; skips the test when there is none. */
static void
some_block_device(char *path, size_t size, unsigned *major, unsigned *minor)
{
	const char *names[] = {"/dev/loop0", "/dev/vda", "/dev/sda", "/dev/nvme0n1", "/dev/ram0"};
	struct stat st;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (stat(names[i], &st) == 0 && S_ISBLK(st.st_mode)) {
			snprintf(path, size, "%s", names[i]);
			*major = major(st.st_rdev);
			*minor = minor(st.st_rdev);
			return;
		}
	print_message("  SKIP: no block device in /dev to name\n");
	skip();
}

static void
io_limits_are_stored_per_device(void **state)
{
	char dev[64], rbps[96], wbps[96], riops[96], wiops[96], again[96];
	unsigned major, minor;
	struct nook_container c;
	struct nook_error err;

	(void)state;
	some_block_device(dev, sizeof(dev), &major, &minor);
	snprintf(rbps, sizeof(rbps), "%s:512k", dev);
	snprintf(wbps, sizeof(wbps), "%s:1mb", dev);
	snprintf(riops, sizeof(riops), "%s:100", dev);
	snprintf(wiops, sizeof(wiops), "%s:50", dev);
	snprintf(again, sizeof(again), "%s:2M", dev);
	char *argv[] = {"--device-read-bps",
			rbps,
			"--device-write-bps",
			wbps,
			"--device-read-iops",
			riops,
			"--device-write-iops",
			wiops,
			"--device-write-bps",
			again,
			NULL};
	if (parse(&c, &err, argv) != 0)
		fail_msg("refused: %s", err.msg);
	assert_int_equal(c.cgroup.nio, 1); /* one device, its limits together */
	assert_int_equal(c.cgroup.io[0].major, major);
	assert_int_equal(c.cgroup.io[0].minor, minor);
	assert_int_equal(c.cgroup.io[0].max[IO_READ_BPS], 512 << 10);
	assert_int_equal(c.cgroup.io[0].max[IO_WRITE_BPS], 2 << 20); /* the last one given */
	assert_int_equal(c.cgroup.io[0].max[IO_READ_IOPS], 100);
	assert_int_equal(c.cgroup.io[0].max[IO_WRITE_IOPS], 50);
	assert_int_equal(cgroup_needed(&c.cgroup), CGROUP_IO);
}

static void
bad_io_limits_are_refused_naming_the_option(void **state)
{
	char dev[64], bad[8][96];
	unsigned major, minor;
	struct nook_container c;
	struct nook_error err;
	const struct {
		const char *option, *fmt, *says;
	} cases[] = {
		{"--device-write-bps", "/dev/null:1m", "is not a block device"},
		{"--device-read-bps", "/nonexistent/disk:1m", "No such file or directory"},
		{"--device-write-bps", "%s", "expected DEVICE:RATE"},
		{"--device-write-bps", "%s:", "not a rate"},
		{"--device-write-bps", "%s:0", "not a rate"},
		{"--device-read-bps", "%s:1.5m", "not a rate"},
		{"--device-write-iops", "%s:1k", "not a whole number"},
		{"--device-read-iops", "%s:-3", "not a whole number"},
	};

	(void)state;
	some_block_device(dev, sizeof(dev), &major, &minor);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(bad[i], sizeof(bad[i]), cases[i].fmt, dev);
		char *argv[] = {(char *)cases[i].option, bad[i], NULL};

		if (parse(&c, &err, argv) == 0)
			fail_msg("%s %s was accepted", cases[i].option, bad[i]);
		if (!strstr(err.msg, cases[i].option) || !strstr(err.msg, cases[i].says) ||
		    strchr(err.msg, '\n'))
			fail_msg("%s %s: expected one line naming the option and saying \"%s\", "
				 "got \"%s\"",
				 cases[i].option, bad[i], cases[i].says, err.msg);
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
		cmocka_unit_test(io_limits_are_stored_per_device),
		cmocka_unit_test(bad_io_limits_are_refused_naming_the_option),
	};

	return cmocka_run_group_tests_name("unit-cgroup", tests, NULL, NULL);
}

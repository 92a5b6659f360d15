/**
 * @file devices.c
 * @brief Unit tests of the device cgroup's rules (solutions/devices.c): what the default
 *        allow-list lets through, how a later rule refines an earlier one, the v1 lines
 *        they become, and the shape of the v2 BPF program. That the kernel enforces them is
 *        step 06's and step 09's integration tests' business, on v1 and under qemu on v2.
 */
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "nook.h"

/** Check devices_allowed() on the default list: @p want for @p access to @p type M:m. */
static void
expect_default(char type, long major, long minor, const char *access, bool want)
{
	if (devices_allowed(devices_default, devices_ndefault, type, major, minor, access) != want)
		fail_msg("%c %ld:%ld \"%s\": expected %s", type, major, minor, access,
			 want ? "allowed" : "refused");
}

static void
default_list_is_ocis(void **state)
{
	(void)state;
	expect_default('c', 1, 3, "rw", true);	   /* /dev/null */
	expect_default('c', 1, 5, "r", true);	   /* /dev/zero */
	expect_default('c', 1, 9, "rw", true);	   /* /dev/urandom */
	expect_default('c', 5, 0, "rw", true);	   /* /dev/tty */
	expect_default('c', 5, 2, "rw", true);	   /* /dev/ptmx */
	expect_default('c', 136, 7, "rw", true);   /* /dev/pts/7 */
	expect_default('c', 0, 0, "m", true);	   /* an overlayfs whiteout */
	expect_default('b', 254, 0, "m", true);	   /* a node may be made ... */
	expect_default('b', 254, 0, "r", false);   /* ... but not opened */
	expect_default('b', 7, 0, "rw", false);	   /* a loop device */
	expect_default('c', 1, 11, "w", false);	   /* /dev/kmsg */
	expect_default('c', 1, 1, "r", false);	   /* /dev/mem */
	expect_default('c', 5, 1, "rw", false);	   /* /dev/console */
	expect_default('c', 10, 200, "rw", false); /* /dev/net/tun */
	expect_default('c', 1, 3, "rwm", true);
}

static void
the_last_matching_rule_decides(void **state)
{
	const struct nook_device_rule rules[] = {
		{false, 'a', -1, -1, "rwm"}, {true, 'c', 1, -1, "rw"}, /* all of major 1 ... */
		{false, 'c', 1, 11, "w"}, /* ... but writing /dev/kmsg */
		{true, 'b', 7, -1, "r"},  /* loop devices, read-only */
		{true, 'a', -1, -1, "m"}, /* mknod of anything */
	};
	int n = sizeof(rules) / sizeof(rules[0]);

	(void)state;
	assert_true(devices_allowed(rules, n, 'c', 1, 11, "r"));
	assert_false(devices_allowed(rules, n, 'c', 1, 11, "w"));
	assert_false(devices_allowed(rules, n, 'c', 1, 11, "rw")); /* a deny of part refuses */
	assert_true(devices_allowed(rules, n, 'c', 1, 3, "rw"));
	assert_true(devices_allowed(rules, n, 'b', 7, 3, "r"));
	assert_false(devices_allowed(rules, n, 'b', 7, 3, "rw")); /* an allow of part does not */
	assert_true(devices_allowed(rules, n, 'b', 8, 0, "m"));
	assert_false(devices_allowed(rules, n, 'b', 8, 0, "r"));
	assert_false(devices_allowed(rules, 0, 'c', 1, 3, "r")); /* no rules: nothing */
}

static void
v1_lines(void **state)
{
	const struct {
		struct nook_device_rule rule;
		const char *line;
	} good[] = {
		{{false, 'a', -1, -1, "rwm"}, "a"},    {{true, 'c', 1, 3, "rwm"}, "c 1:3 rwm"},
		{{true, 'b', -1, -1, "m"}, "b *:* m"}, {{true, 'c', 136, -1, "rw"}, "c 136:* rw"},
		{{true, 'c', -1, 7, "r"}, "c *:7 r"},
	};
	const struct nook_device_rule bad[] = {
		{true, 'x', 1, 3, "rwm"},
		{true, 'c', 1, 3, ""},
		{true, 'c', 1, 3, "rx"},
		{true, 'c', -2, 3, "r"},
	};
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(devices_format_v1(&good[i].rule, buf, sizeof(buf)),
				 (int)strlen(good[i].line));
		assert_string_equal(buf, good[i].line);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (devices_format_v1(&bad[i], buf, sizeof(buf)) >= 0)
			fail_msg("bad rule %zu became \"%s\"", i, buf);
	assert_int_equal(devices_format_v1(&good[1].rule, buf, 5), -1); /* does not fit */
}

static void
v2_program_shape(void **state)
{
	struct bpf_insn prog[8 * NOOK_MAX_DEVICE_RULES + 8];
	const struct nook_device_rule all = {true, 'a', -1, -1, "rwm"};
	const struct nook_device_rule bad = {true, 'q', -1, -1, "rwm"};
	int len;

	(void)state;
	/* six loads, then "return 0" */
	assert_int_equal(devices_v2_program(NULL, 0, prog, 7), -1); /* no room */
	assert_int_equal(devices_v2_program(NULL, 0, prog, 8), 8);
	assert_int_equal(prog[6].code, BPF_ALU64 | BPF_MOV | BPF_K);
	assert_int_equal(prog[6].imm, 0);
	assert_int_equal(prog[7].code, BPF_JMP | BPF_EXIT);
	/* allow-all tests nothing: "return 1" */
	assert_int_equal(devices_v2_program(&all, 1, prog, 16), 10);
	assert_int_equal(prog[6].imm, 1);
	assert_int_equal(devices_v2_program(&bad, 1, prog, 16), -1);
	assert_int_equal(devices_v2_program(&all, 1, prog, 15), -1); /* no room */
	len = devices_v2_program(devices_default, devices_ndefault, prog,
				 (int)(sizeof(prog) / sizeof(prog[0])));
	assert_true(len > 8 && len <= 8 * devices_ndefault + 8);
	/* every jump lands inside the program */
	for (int i = 0; i < len; i++)
		if (BPF_CLASS(prog[i].code) == BPF_JMP && BPF_OP(prog[i].code) != BPF_EXIT &&
		    (i + 1 + prog[i].off < 0 || i + 1 + prog[i].off >= len))
			fail_msg("instruction %d jumps to %d, outside 0-%d", i, i + 1 + prog[i].off,
				 len - 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_list_is_ocis),
		cmocka_unit_test(the_last_matching_rule_decides),
		cmocka_unit_test(v1_lines),
		cmocka_unit_test(v2_program_shape),
	};

	return cmocka_run_group_tests_name("unit: devices", tests, NULL, NULL);
}

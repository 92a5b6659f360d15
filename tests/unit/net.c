/**
 * @file net.c
 * @brief Unit tests of step 04's options (solutions/net.c): --net, --ip and --gateway are
 *        parsed and checked, and the gateway defaulted, before anything is created.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "nook.h"

static const struct nook_stage *const stages[] = {&net_stage, NULL};

/**
 * Parse `prog --net veth --ip IP [--gateway GW] true` and run the stage's prepare(), as
 * nook_run() would before clone. Returns 0 or -1 with @p err set.
 */
static int
configure(struct nook_container *c, const char *ip, const char *gw, struct nook_error *err)
{
	char *argv[] = {"prog",	     "--net",	 "veth", "--ip", (char *)ip,
			"--gateway", (char *)gw, "true", NULL};
	bool help;

	if (!gw) { /* drop "--gateway GW" */
		argv[5] = "true";
		argv[6] = NULL;
	}
	memset(c, 0, sizeof(*c));
	if (nook_parse_args(c, stages, gw ? 8 : 6, argv, &help, err) < 0)
		return -1;
	return net_stage.prepare(c, err);
}

/** @p a as dotted quad, for comparing. */
static const char *
text(struct in_addr a)
{
	static char buf[INET_ADDRSTRLEN];

	return inet_ntop(AF_INET, &a, buf, sizeof(buf));
}

static void
ip_is_parsed_and_gateway_defaults_to_the_first_address(void **state)
{
	struct nook_container c;
	struct nook_error err;

	(void)state;
	assert_int_equal(configure(&c, "10.200.0.2/24", NULL, &err), 0);
	assert_true(c.net.veth);
	assert_string_equal(text(c.net.addr), "10.200.0.2");
	assert_int_equal(c.net.prefix, 24);
	assert_string_equal(text(c.net.gateway), "10.200.0.1");
	assert_int_equal(configure(&c, "172.16.5.9/12", NULL, &err), 0);
	assert_string_equal(text(c.net.gateway), "172.16.0.1");
	assert_int_equal(configure(&c, "10.200.0.2/24", "10.200.0.254", &err), 0);
	assert_string_equal(text(c.net.gateway), "10.200.0.254");
}

static void
prefix_must_be_8_to_30(void **state)
{
	struct nook_container c;
	struct nook_error err;

	(void)state;
	assert_int_equal(configure(&c, "10.0.0.2/30", NULL, &err), 0);
	assert_int_equal(configure(&c, "10.1.2.3/8", NULL, &err), 0);
	assert_string_equal(text(c.net.gateway), "10.0.0.1");
	assert_int_equal(configure(&c, "10.0.0.2/31", NULL, &err), -1);
	assert_string_equal(err.msg, "invalid --ip \"10.0.0.2/31\": the prefix must be 8 to 30");
	assert_int_equal(configure(&c, "10.0.0.2/7", NULL, &err), -1);
	assert_int_equal(configure(&c, "10.0.0.2/0", NULL, &err), -1);
	assert_int_equal(configure(&c, "10.0.0.2/33", NULL, &err), -1);
	assert_int_equal(configure(&c, "10.0.0.2/-8", NULL, &err), -1);
	assert_int_equal(configure(&c, "10.0.0.2/ 8", NULL, &err), -1);
	assert_int_equal(configure(&c, "10.0.0.2/99999999999999999999", NULL, &err), -1);
	/* a leading zero is no prefix length: ip(8) refuses "/024", strtoul would read 24 */
	assert_int_equal(configure(&c, "10.9.0.2/024", NULL, &err), -1);
	assert_string_equal(err.msg, "invalid --ip \"10.9.0.2/024\": the prefix must be 8 to 30");
	assert_int_equal(configure(&c, "10.9.0.2/08", NULL, &err), -1);
}

static void
bad_addresses_are_named_in_one_line(void **state)
{
	const char *bad[] = {"10.0.0.300/24", "10.0.0/24",   "10.0.0.1.2/24", "a.b.c.d/8",
			     "/24",	      "10.0.0.1",    "127.0.0.2/8",   "224.0.0.1/8",
			     "0.1.2.3/8",     "10.0.0.0/24", "10.0.0.255/24", "0x0a.0.0.1/8"};
	struct nook_container c;
	struct nook_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (configure(&c, bad[i], NULL, &err) != -1)
			fail_msg("--ip %s was accepted", bad[i]);
		if (!strstr(err.msg, bad[i]) || strchr(err.msg, '\n'))
			fail_msg("--ip %s: the error \"%s\" should name it, in one line", bad[i],
				 err.msg);
		assert_int_equal(err.code, NOOK_EXIT_FAILURE);
	}
}

static void
gateway_must_be_another_host_of_the_subnet(void **state)
{
	struct nook_container c;
	struct nook_error err;

	(void)state;
	assert_int_equal(configure(&c, "10.0.0.2/24", "10.0.1.1", &err), -1);
	assert_string_equal(err.msg, "invalid --gateway \"10.0.1.1\": outside the subnet of --ip");
	assert_int_equal(configure(&c, "10.0.0.2/24", "10.0.0.2", &err), -1);
	assert_int_equal(configure(&c, "10.0.0.2/24", "10.0.0.0", &err), -1);
	assert_int_equal(configure(&c, "10.0.0.2/24", "10.0.0.255", &err), -1);
	assert_int_equal(configure(&c, "10.0.0.2/24", "10.0.0.256", &err), -1);
	assert_int_equal(configure(&c, "10.0.0.1/24", NULL, &err), -1); /* the default's own */
	assert_non_null(strstr(err.msg, "--gateway"));
	assert_int_equal(configure(&c, "10.0.0.1/24", "10.0.0.2", &err), 0);
}

static void
ip_and_gateway_need_net_veth(void **state)
{
	char *ip[] = {"prog", "--ip", "10.0.0.2/24", "true", NULL};
	char *gw[] = {"prog", "--net", "none", "--gateway", "10.0.0.1", "true", NULL};
	char *veth[] = {"prog", "--net", "veth", "true", NULL};
	char *bogus[] = {"prog", "--net", "host", "true", NULL};
	char *none[] = {"prog", "true", NULL};
	struct nook_container c = {0};
	struct nook_error err;
	bool help;

	(void)state;
	assert_int_equal(nook_parse_args(&c, stages, 4, ip, &help, &err), 0);
	assert_int_equal(net_stage.prepare(&c, &err), -1);
	assert_string_equal(err.msg, "--ip needs --net veth");
	memset(&c, 0, sizeof(c));
	assert_int_equal(nook_parse_args(&c, stages, 6, gw, &help, &err), 0);
	assert_int_equal(net_stage.prepare(&c, &err), -1);
	assert_string_equal(err.msg, "--gateway needs --net veth");
	memset(&c, 0, sizeof(c));
	assert_int_equal(nook_parse_args(&c, stages, 4, veth, &help, &err), 0);
	assert_int_equal(net_stage.prepare(&c, &err), -1);
	assert_string_equal(err.msg, "--net veth needs --ip ADDR/PREFIX");
	assert_int_equal(nook_parse_args(&c, stages, 4, bogus, &help, &err), -1);
	assert_string_equal(err.msg, "invalid --net \"host\": expected none or veth");
	memset(&c, 0, sizeof(c));
	assert_int_equal(nook_parse_args(&c, stages, 2, none, &help, &err), 0);
	assert_int_equal(net_stage.prepare(&c, &err), 0);
	assert_false(c.net.veth);
}

static void
rates_are_read_in_tcs_units(void **state)
{
	const struct {
		const char *arg;
		unsigned long long bytes; /* a second */
	} good[] = {
		{"8mbit", 1000000},   {"8Mbit", 1000000},	 {"8MBIT", 1000000},
		{"1mbps", 1000000},   {"1MB", 1000000},		 {"1MBps", 1000000},
		{"512kbit", 64000},   {"8kbit", 1000},		 {"1.5gbit", 187500000},
		{"8mibit", 1048576},  {"1MiBps", 1048576},	 {"64KiB", 65536},
		{"8000000", 1000000}, {"32gbit", 4000000000ULL}, {"1000bps", 1000},
	};
	const char *bad[] = {"",       "mbit",	 "8",	     "8 mbit",	  "8mb it", "8mbits",
			     "-8mbit", "+8mbit", "0mbit",    "7kbit",	  "33gbit", "nan",
			     "inf",    "8x",	 "0x10mbit", "1e400mbit", "8mbit "};
	unsigned long long bytes;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (netrate_parse(good[i].arg, &bytes) != 0)
			fail_msg("\"%s\" was refused", good[i].arg);
		if (bytes != good[i].bytes)
			fail_msg("\"%s\" is %llu bytes a second, not %llu", good[i].arg,
				 good[i].bytes, bytes);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (netrate_parse(bad[i], &bytes) == 0)
			fail_msg("\"%s\" was taken as %llu bytes a second", bad[i], bytes);
}

static void
net_rate_is_stored_and_needs_net_veth(void **state)
{
	char *ok[] = {"prog",	    "--net", "veth", "--ip", "10.0.0.2/24",
		      "--net-rate", "8mbit", "true", NULL};
	char *alone[] = {"prog", "--net-rate", "8mbit", "true", NULL};
	char *junk[] = {"prog", "--net-rate", "fast", "true", NULL};
	struct nook_container c = {0};
	struct nook_error err;
	bool help;

	(void)state;
	assert_int_equal(nook_parse_args(&c, stages, 8, ok, &help, &err), 0);
	assert_int_equal(net_stage.prepare(&c, &err), 0);
	assert_int_equal(c.net.rate, 1000000);
	memset(&c, 0, sizeof(c));
	assert_int_equal(nook_parse_args(&c, stages, 4, alone, &help, &err), 0);
	assert_int_equal(net_stage.prepare(&c, &err), -1);
	assert_string_equal(err.msg, "--net-rate needs --net veth");
	memset(&c, 0, sizeof(c));
	assert_int_equal(nook_parse_args(&c, stages, 4, junk, &help, &err), -1);
	assert_non_null(strstr(err.msg, "invalid --net-rate \"fast\""));
	assert_null(strchr(err.msg, '\n'));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ip_is_parsed_and_gateway_defaults_to_the_first_address),
		cmocka_unit_test(prefix_must_be_8_to_30),
		cmocka_unit_test(bad_addresses_are_named_in_one_line),
		cmocka_unit_test(gateway_must_be_another_host_of_the_subnet),
		cmocka_unit_test(ip_and_gateway_need_net_veth),
		cmocka_unit_test(rates_are_read_in_tcs_units),
		cmocka_unit_test(net_rate_is_stored_and_needs_net_veth),
	};

	return cmocka_run_group_tests_name("unit: net", tests, NULL, NULL);
}

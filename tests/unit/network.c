/**
 * @file network.c
 * @brief Unit tests of step 12's pure parts: a network's name and subnet, as
 *        `nook network create` and --network take them.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "network.h"

static void
names_are_letters_digits_dash_underscore(void **state)
{
	struct nook_error err;

	(void)state;
	assert_int_equal(network_check_name("backend", &err), 0);
	assert_int_equal(network_check_name("a-1_b", &err), 0);
	assert_int_equal(network_check_name("", &err), -1);
	assert_int_equal(network_check_name("1net", &err), -1);
	assert_int_equal(network_check_name("-net", &err), -1);
	assert_int_equal(network_check_name("a/b", &err), -1);
	assert_int_equal(network_check_name("a.b", &err), -1);
	assert_int_equal(network_check_name("none", &err), -1);
	assert_int_equal(network_check_name("host", &err), -1);
	assert_int_equal(network_check_name("abcdefghijklmnopqrstuvwxyz0123456", &err), -1);
	assert_int_equal(network_check_name("abcdefghijklmnopqrstuvwxyz012345", &err), 0);
}

static void
subnets_are_checked_whole(void **state)
{
	struct nook_network n;
	struct nook_error err;
	char text[INET_ADDRSTRLEN];

	(void)state;
	assert_int_equal(network_parse_subnet("10.9.0.0/16", &n, &err), 0);
	assert_int_equal(n.prefix, 16);
	assert_string_equal(inet_ntop(AF_INET, &n.gateway, text, sizeof(text)), "10.9.0.1");
	assert_int_equal(network_parse_subnet("10.9.0.0/016", &n, &err), -1);
	assert_string_equal(err.msg, "invalid subnet \"10.9.0.0/016\": the prefix must be 8 to 28");
	assert_int_equal(network_parse_subnet("10.9.0.5/16", &n, &err), -1);
	assert_string_equal(err.msg, "invalid subnet \"10.9.0.5/16\": host bits set");
	assert_int_equal(network_parse_subnet("10.9.0.0/29", &n, &err), -1);
	assert_int_equal(network_parse_subnet("10.0.0.0/7", &n, &err), -1);
	assert_int_equal(network_parse_subnet("10.9.0.0", &n, &err), -1);
	assert_int_equal(network_parse_subnet("10.9.0/16", &n, &err), -1);
	assert_int_equal(network_parse_subnet("127.0.0.0/8", &n, &err), -1);
	assert_int_equal(network_parse_subnet("224.1.0.0/16", &n, &err), -1);
	assert_int_equal(network_parse_subnet("10.9.0.0/16x", &n, &err), -1);
}

static void
the_default_network_is_built_in(void **state)
{
	struct nook_network n;
	struct nook_error err;

	(void)state;
	assert_int_equal(network_lookup(NETWORK_DEFAULT, &n, &err), 0);
	assert_string_equal(n.bridge, NETWORK_DEFAULT_BRIDGE);
	assert_false(n.internal);
	assert_int_equal(network_lookup("no-such-network-here", &n, &err), -1);
	assert_non_null(strstr(err.msg, "no network \"no-such-network-here\""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_are_letters_digits_dash_underscore),
		cmocka_unit_test(subnets_are_checked_whole),
		cmocka_unit_test(the_default_network_is_built_in),
	};

	return cmocka_run_group_tests_name("network", tests, NULL, NULL);
}

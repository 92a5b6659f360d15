/**
 * @file 04-net.c
 * @brief Step 04's tests: a network namespace with only lo (up), or a veth cable whose
 *        container end is eth0 with its address and route, whose host end carries the
 *        gateway — reachable both ways — and is gone once the container is.
 *
 * None of this touches the machine's own network. Each test first moves the test process
 * into a throwaway network namespace (netns_enter_throwaway(), lo up and nothing else), and
 * runs the step program, ip and busybox ping from there: the "host" side of every cable is
 * that namespace, and the only addresses used are private ones (10.200.N.0/24) inside it.
 * The teardown returns to the original namespace, and the throwaway one dies.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define STEP "04-net"

static int
setup(void **state)
{
	skip_unless_namespaces(CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNS |
			       CLONE_NEWNET);
	*state = (void *)(intptr_t)netns_enter_throwaway();
	return 0;
}

static int
teardown(void **state)
{
	netns_leave((int)(intptr_t)*state);
	return 0;
}

/** Fail unless the test's namespace is back to lo alone: no veth left behind. */
static void
expect_only_lo(const char *after)
{
	struct if_nameindex *all, *i;
	char names[512] = "";

	if (count_links() == 1)
		return;
	all = if_nameindex();
	for (i = all; i && i->if_index; i++)
		snprintf(names + strlen(names), sizeof(names) - strlen(names), " %s", i->if_name);
	if (all)
		if_freenameindex(all);
	fail_msg("after %s, the outer namespace should have only lo, but has:%s", after, names);
}

static void
none_gives_only_lo_and_it_is_up(void **state)
{
	const char *nets[] = {"none", NULL}; /* --net none, and no --net at all */
	struct run r;

	(void)state;
	/* A pair out here that the container must not see. */
	run_shell(&r, "ip link add nkt-out type veth peer name nkt-out2");
	expect_status(&r, 0);
	for (size_t i = 0; i < 2; i++) {
		if (nets[i])
			run_step(&r, STEP, "--net", nets[i], "--", "ip", "-o", "link", NULL);
		else
			run_step(&r, STEP, "--", "ip", "-o", "link", NULL);
		expect_status(&r, 0);
		expect_run(&r, count_lines(r.out) == 1 && strncmp(r.out, "1: lo: <", 8) == 0,
			   "%s: the container should see lo and nothing else",
			   nets[i] ? "--net none" : "no --net");
		expect_run(&r, strstr(r.out, ",UP") != NULL, "lo should be up inside");
	}
	run_step(&r, STEP, "--", "busybox", "ping", "-c1", "-W2", "127.0.0.1", NULL);
	expect_ran(&r);
	expect_run(&r, r.status == 0, "127.0.0.1 should answer inside, with lo up");
}

static void
veth_gives_eth0_its_address_and_a_default_route(void **state)
{
	struct run r;

	(void)state;
	run_step(&r, STEP, "--net", "veth", "--ip", "10.200.1.2/24", "--", "ip", "-o", "link",
		 NULL);
	expect_status(&r, 0);
	expect_run(&r,
		   count_lines(r.out) == 2 && strstr(r.out, "1: lo: <") && strstr(r.out, ": eth0@"),
		   "the container should see exactly lo and eth0");
	run_step(&r, STEP, "--net", "veth", "--ip", "10.200.1.2/24", "--", "/bin/sh", "-c",
		 "ip -o -4 addr; ip -4 route", NULL);
	expect_status(&r, 0);
	expect_run(&r, strstr(r.out, "lo    inet 127.0.0.1/8 ") != NULL,
		   "lo should have 127.0.0.1/8");
	expect_run(&r, strstr(r.out, "eth0    inet 10.200.1.2/24 ") != NULL,
		   "eth0 should have 10.200.1.2/24");
	expect_run(&r, strstr(r.out, "default via 10.200.1.1 dev eth0") != NULL,
		   "the default route should go via the subnet's first address, 10.200.1.1");
	expect_only_lo("a container with --net veth");
}

static void
gateway_option_sets_the_host_end_and_the_route(void **state)
{
	struct run r;

	(void)state;
	run_step(
		&r, STEP, "--net", "veth", "--ip", "10.200.2.2/24", "--gateway", "10.200.2.254",
		"--", "/bin/sh", "-c",
		"ip -4 route; busybox ping -c1 -W2 10.200.2.254 >/dev/null && echo gateway answers",
		NULL);
	expect_status(&r, 0);
	expect_run(&r, strstr(r.out, "default via 10.200.2.254 dev eth0") != NULL,
		   "the default route should go via --gateway 10.200.2.254");
	expect_run(&r, strstr(r.out, "gateway answers") != NULL,
		   "the host end should answer at --gateway 10.200.2.254");
}

/** Start a container on 10.200.@p net.2/24 that says "ready" and then sleeps. */
static void
start_pinged_container(struct proc *p, struct run *r, int net, char *name)
{
	char ip[32], script[160];

	snprintf(ip, sizeof(ip), "10.200.%d.2/24", net);
	snprintf(script, sizeof(script),
		 "busybox ping -c1 -W2 10.200.%d.1 >/dev/null && echo gateway answers; "
		 "echo ready; exec sleep 20",
		 net);
	start_step(p, r, STEP, "--name", unique_name(name, "net"), "--net", "veth", "--ip", ip,
		   "--", "/bin/sh", "-c", script, NULL);
	if (!wait_for_output(p, "ready", RUN_TIMEOUT)) {
		kill(p->pid, SIGTERM);
		finish(p, 5);
		expect_ran(r);
		expect_run(r, false, "the container never printed 'ready'");
	}
}

static void
host_end_has_the_gateway_and_pings_go_both_ways(void **state)
{
	char cmd[128], id[64], name[32];
	struct proc p;
	struct run r, out;

	(void)state;
	start_pinged_container(&p, &r, 3, id);
	snprintf(name, sizeof(name), "%s", veth_host_end(id));
	snprintf(cmd, sizeof(cmd), "ip -o -4 addr show dev %s", name);
	run_shell(&out, cmd);
	if (!strstr(out.out, "inet 10.200.3.1/24 ")) {
		kill(p.pid, SIGTERM);
		finish(&p, 5);
		expect_run(&out, false, "the host end %s should be there with 10.200.3.1/24", name);
	}
	run_shell(&out, "busybox ping -c1 -W2 10.200.3.2");
	kill(p.pid, SIGTERM);
	finish(&p, RUN_TIMEOUT);
	expect_run(&out, out.status == 0,
		   "the container (10.200.3.2) should answer a ping from "
		   "outside");
	expect_run(&r, strstr(r.out, "gateway answers") != NULL,
		   "the container's ping to its gateway 10.200.3.1 should be answered");
	if (link_exists(name))
		fail_msg("the host end %s is still there after the container ended", name);
	expect_only_lo("the pinged container ended");
}

static void
two_containers_get_a_cable_each(void **state)
{
	char id1[64], id2[64];
	struct proc p1, p2;
	struct run r1, r2, out;

	(void)state;
	start_pinged_container(&p1, &r1, 4, id1);
	start_pinged_container(&p2, &r2, 5, id2);
	run_shell(&out, "busybox ping -c1 -W2 10.200.4.2 && busybox ping -c1 -W2 10.200.5.2");
	kill(p1.pid, SIGTERM);
	kill(p2.pid, SIGTERM);
	finish(&p1, RUN_TIMEOUT);
	finish(&p2, RUN_TIMEOUT);
	expect_run(&out, out.status == 0, "two containers at once should both answer");
	expect_only_lo("two containers ended");
}

static void
host_end_is_gone_after_exit_and_after_failure(void **state)
{
	struct run r;

	(void)state;
	run_step(&r, STEP, "--net", "veth", "--ip", "10.200.6.2/24", "--", "true", NULL);
	expect_status(&r, 0);
	expect_only_lo("a container that exited 0");
	run_step(&r, STEP, "--net", "veth", "--ip", "10.200.6.2/24", "--", "nosuchcmd", NULL);
	expect_status(&r, 127);
	expect_only_lo("a container whose command was not found");
}

static void
cable_goes_with_the_namespace_when_nook_is_killed(void **state)
{
	char id[64];
	struct proc p;
	struct run r;
	int i;

	(void)state;
	start_pinged_container(&p, &r, 7, id);
	if (!link_exists(veth_host_end(id))) {
		kill(p.pid, SIGTERM);
		finish(&p, 5);
		expect_run(&r, false, "the host end %s should exist while the container runs",
			   veth_host_end(id));
	}
	kill(p.pid, SIGKILL); /* no cleanup: the container dies of PR_SET_PDEATHSIG */
	finish(&p, RUN_TIMEOUT);
	/* The namespace is torn down asynchronously, taking the pair with it. */
	for (i = 0; i < 50 && count_links() != 1; i++)
		usleep(100 * 1000);
	expect_only_lo("nook was killed with SIGKILL (5 s later)");
}

/** Run `04-net --net veth --ip IP [--gateway GW] -- touch MARKER`, to be refused. */
static void
run_refused(struct run *r, const char *ip, const char *gateway, const char *marker)
{
	char *argv[12];
	int n = 0;

	argv[n++] = (char *)step_path(STEP);
	argv[n++] = "--net";
	argv[n++] = "veth";
	argv[n++] = "--ip";
	argv[n++] = (char *)ip;
	if (gateway) {
		argv[n++] = "--gateway";
		argv[n++] = (char *)gateway;
	}
	argv[n++] = "--";
	argv[n++] = "touch";
	argv[n++] = (char *)marker;
	argv[n] = NULL;
	run_argv(r, RUN_TIMEOUT, argv);
}

static void
bad_addresses_are_refused_and_leave_no_veth(void **state)
{
	const struct {
		const char *ip, *gateway, *named; /* named: what the error line must mention */
	} bad[] = {
		{"10.0.0.300/24", NULL, "10.0.0.300"},
		{"10.0.0.1/33", NULL, "10.0.0.1/33"},
		{"10.0.0.1/0", NULL, "10.0.0.1/0"},
		{"10.0.0.1", NULL, "10.0.0.1"},
		{"10.0.0.1/", NULL, "10.0.0.1/"},
		{"10.0.0.1/x", NULL, "10.0.0.1/x"},
		{"10.0.0/24", NULL, "10.0.0/24"},
		{"10.0.0.0/24", NULL, "network address"},
		{"10.0.0.255/24", NULL, "broadcast address"},
		{"127.0.0.2/8", NULL, "127.0.0.2/8"},
		{"10.0.0.2/24", "10.0.0.256", "10.0.0.256"},
		{"10.0.0.2/24", "10.9.0.1", "10.9.0.1"},
		{"10.0.0.2/24", "10.0.0.2", "own address"},
		{"10.0.0.1/24", NULL, "--gateway"}, /* the default gateway's own address */
	};
	char marker[] = "/tmp/nook-test-XXXXXX";
	struct run r;

	(void)state;
	unused_path(marker);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		run_refused(&r, bad[i].ip, bad[i].gateway, marker);
		expect_run(&r,
			   r.status == 125 && count_lines(r.err) == 1 &&
				   strstr(r.err, bad[i].named),
			   "--ip %s --gateway %s: expected one line mentioning \"%s\", exit 125",
			   bad[i].ip, bad[i].gateway ? bad[i].gateway : "(none)", bad[i].named);
		if (file_exists(marker)) {
			unlink(marker);
			fail_msg("--ip %s was refused but the command ran anyway", bad[i].ip);
		}
		expect_only_lo("a refused address");
	}
}

static void
ip_and_gateway_need_net_veth(void **state)
{
	struct run r;

	(void)state;
	run_step(&r, STEP, "--ip", "10.200.8.2/24", "--", "true", NULL);
	expect_run(
		&r, r.status == 125 && count_lines(r.err) == 1 && strstr(r.err, "--net veth"),
		"--ip without --net veth: expected one line saying it needs --net veth, exit 125");
	run_step(&r, STEP, "--gateway", "10.200.8.1", "--", "true", NULL);
	expect_run(&r, r.status == 125 && count_lines(r.err) == 1 && strstr(r.err, "--net veth"),
		   "--gateway without --net veth: expected one line, exit 125");
	run_step(&r, STEP, "--net", "veth", "--", "true", NULL);
	expect_run(&r, r.status == 125 && count_lines(r.err) == 1 && strstr(r.err, "--ip"),
		   "--net veth without --ip: expected one line asking for --ip, exit 125");
	run_step(&r, STEP, "--net", "bridge", "--", "true", NULL);
	expect_run(&r, r.status == 125 && count_lines(r.err) == 1 && strstr(r.err, "bridge"),
		   "--net bridge: expected one line naming it, exit 125");
	expect_only_lo("refused options");
}

/*
 * --net-rate: a transfer through the cable, measured. The container's busybox nc talks to
 * a peer the test forks in its own namespace: the peer sends zeros as fast as it can, or
 * swallows what the container sends. The rate is read from the kernel's byte counters of
 * the host end — what it sent is what the container received, what it received is what the
 * container sent — in /proc/net/dev, which shows the reader's network namespace (the
 * /sys/class/net of this mount namespace shows the machine's).
 */

/** The monotonic clock, in seconds. */
static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/** Bytes device @p dev has sent (@p sent) or received so far; 0 while there is none. */
static unsigned long long
link_bytes(const char *dev, bool sent)
{
	unsigned long long rx = 0, tx = 0, skip;
	char line[512], *colon;
	size_t len = strlen(dev);
	FILE *f = fopen("/proc/net/dev", "re");

	while (f && fgets(line, sizeof(line), f)) {
		char *name = line + strspn(line, " ");

		colon = strchr(name, ':');
		if (!colon || (size_t)(colon - name) != len || strncmp(name, dev, len) != 0)
			continue;
		sscanf(colon + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu", &rx, &skip, &skip,
		       &skip, &skip, &skip, &skip, &skip, &tx);
	}
	if (f)
		fclose(f);
	return sent ? tx : rx;
}

/** Listen on @p port, and fork the peer: it accepts once, then sends or swallows zeros. */
static pid_t
start_peer(int port, bool send)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	static char buf[65536];
	int one = 1, ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), s;
	pid_t pid;

	if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(ls, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(ls, 1) < 0)
		fail_msg("the peer cannot listen on port %d: %s", port, strerror(errno));
	pid = fork();
	if (pid < 0)
		fail_msg("fork: %s", strerror(errno));
	if (pid == 0) {
		alarm(60);
		s = accept(ls, NULL, NULL);
		while (s >= 0 &&
		       (send ? write(s, buf, sizeof(buf)) : read(s, buf, sizeof(buf))) > 0)
			;
		_exit(0);
	}
	close(ls);
	return pid;
}

/**
 * Run a container with --net-rate @p rate whose nc sends (@p upload) or receives zeros for
 * as long as it runs; measure, over 4 s after a second's warm-up, the bits per second the
 * host end carries that way.
 */
static double
measure_transfer(const char *rate, bool upload, int port)
{
	char name[64], script[160];
	unsigned long long b0, b1;
	double t0, t1, deadline;
	const char *host;
	struct proc p;
	struct run r;
	pid_t peer = start_peer(port, !upload);

	snprintf(script, sizeof(script),
		 upload ? "busybox nc 10.200.40.1 %d </dev/zero"
			: "sleep 60 | busybox nc 10.200.40.1 %d >/dev/null",
		 port);
	start_step(&p, &r, STEP, "--name", unique_name(name, "rate"), "--net", "veth", "--ip",
		   "10.200.40.2/24", "--net-rate", rate, "--", "/bin/sh", "-c", script, NULL);
	host = veth_host_end(name);
	/* the transfer has begun once 64 KiB went through */
	for (deadline = seconds() + 10; seconds() < deadline && link_bytes(host, !upload) < 65536;)
		usleep(50 * 1000);
	sleep(1);
	b0 = link_bytes(host, !upload), t0 = seconds();
	sleep(4);
	b1 = link_bytes(host, !upload), t1 = seconds();
	kill(p.pid, SIGTERM);
	finish(&p, 10);
	kill(peer, SIGKILL);
	waitpid(peer, NULL, 0);
	expect_ran(&r);
	expect_run(&r, b1 > b0, "nothing went %s through %s", upload ? "up" : "down", host);
	return (double)(b1 - b0) * 8 / (t1 - t0);
}

/**
 * --net-rate 8mbit: what the container sends and what it receives both go at 8 Mbit/s,
 * ±20% — where a veth alone carries gigabits.
 */
static void
net_rate_limits_both_directions(void **state)
{
	struct run r;
	double up, down;

	(void)state;
	run_shell(&r, "busybox --list | grep -qx nc");
	if (r.status != 0) {
		print_message("  SKIP: busybox has no nc here\n");
		skip();
	}
	up = measure_transfer("8mbit", true, 5001);
	down = measure_transfer("8mbit", false, 5002);
	print_message("  --net-rate 8mbit: container sends %.2f Mbit/s, receives %.2f Mbit/s\n",
		      up / 1e6, down / 1e6);
	if (up < 6.4e6 || up > 9.6e6)
		fail_msg("the container sent at %.2f Mbit/s, not 8 +-20%%", up / 1e6);
	if (down < 6.4e6 || down > 9.6e6)
		fail_msg("the container received at %.2f Mbit/s, not 8 +-20%%", down / 1e6);
	expect_only_lo("containers with --net-rate");
}

/** A --net-rate that is no rate, or one without --net veth: one line, exit 125, no veth. */
static void
bad_net_rates_are_refused(void **state)
{
	const char *bad[] = {"fast", "8", "8mbits", "0mbit", "-8mbit", "8 mbit", "1e3mbit"};
	struct run r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		run_step(&r, STEP, "--net", "veth", "--ip", "10.200.41.2/24", "--net-rate", bad[i],
			 "--", "true", NULL);
		expect_run(&r,
			   r.status == 125 && count_lines(r.err) == 1 &&
				   strstr(r.err, "--net-rate") && strstr(r.err, bad[i]),
			   "--net-rate \"%s\": expected one line naming it, exit 125", bad[i]);
	}
	run_step(&r, STEP, "--net-rate", "8mbit", "--", "true", NULL);
	expect_run(&r, r.status == 125 && count_lines(r.err) == 1 && strstr(r.err, "--net veth"),
		   "--net-rate without --net veth: expected one line, exit 125");
	expect_only_lo("refused rates");
}

static void
exit_status_passes_through(void **state)
{
	(void)state;
	expect_exit_statuses(STEP);
}

static void
help_lists_the_network_options(void **state)
{
	struct run r;

	(void)state;
	run_step(&r, STEP, "--help", NULL);
	expect_status(&r, 0);
	expect_run(&r,
		   strstr(r.out, "--net MODE") && strstr(r.out, "--ip ADDR/PREFIX") &&
			   strstr(r.out, "--gateway ADDR") && strstr(r.out, "--net-rate RATE"),
		   "--help should list --net, --ip, --gateway and --net-rate");
}

/**
 * A device already named as the host end is not taken over: the request must ask the kernel
 * to create, exclusively, and the refusal is one line with the kernel's "File exists".
 * The device that was there stays.
 */
static void
a_host_end_name_in_use_is_refused(void **state)
{
	char id[64], cmd[160];
	struct run r, out;

	(void)state;
	unique_name(id, "taken");
	snprintf(cmd, sizeof(cmd), "ip link add %s type veth peer name nkpeer%d", veth_host_end(id),
		 (int)getpid() % 100000);
	run_shell(&out, cmd);
	expect_run(&out, out.status == 0, "could not make a device to stand in the way");
	run_step(&r, STEP, "--name", id, "--net", "veth", "--ip", "10.200.8.2/24", "--", "true",
		 NULL);
	expect_run(&r, r.status == 125 && count_lines(r.err) == 1 && strstr(r.err, "File exists"),
		   "a host end name already in use: expected one line with \"File exists\", exit "
		   "125");
	if (!link_exists(veth_host_end(id)))
		fail_msg("the device that was already there, %s, is gone", veth_host_end(id));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(none_gives_only_lo_and_it_is_up, setup, teardown),
		cmocka_unit_test_setup_teardown(a_host_end_name_in_use_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(veth_gives_eth0_its_address_and_a_default_route,
						setup, teardown),
		cmocka_unit_test_setup_teardown(gateway_option_sets_the_host_end_and_the_route,
						setup, teardown),
		cmocka_unit_test_setup_teardown(host_end_has_the_gateway_and_pings_go_both_ways,
						setup, teardown),
		cmocka_unit_test_setup_teardown(two_containers_get_a_cable_each, setup, teardown),
		cmocka_unit_test_setup_teardown(host_end_is_gone_after_exit_and_after_failure,
						setup, teardown),
		cmocka_unit_test_setup_teardown(cable_goes_with_the_namespace_when_nook_is_killed,
						setup, teardown),
		cmocka_unit_test_setup_teardown(bad_addresses_are_refused_and_leave_no_veth, setup,
						teardown),
		cmocka_unit_test_setup_teardown(ip_and_gateway_need_net_veth, setup, teardown),
		cmocka_unit_test_setup_teardown(exit_status_passes_through, setup, teardown),
		cmocka_unit_test_setup_teardown(net_rate_limits_both_directions, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_net_rates_are_refused, setup, teardown),
		cmocka_unit_test(help_lists_the_network_options),
	};

	return cmocka_run_group_tests_name(STEP, tests, NULL, NULL);
}

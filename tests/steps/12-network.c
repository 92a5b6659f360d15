/**
 * @file 12-network.c
 * @brief Step 12's tests: containers on networks — by name to each other, not across
 *        networks, out through NAT unless the network is internal, a published port from
 *        the host, the outside and a neighbour (hairpin) — and nothing left afterwards,
 *        also after a SIGKILL of the runtime.
 *
 * None of this touches the machine's network. Each test first moves the test process
 * into a throwaway network namespace, which stands in for "the host": the bridges, the
 * veths and the nftables tables of nook live and die there, and its ruleset starts empty.
 * Behind it, a second namespace stands in for the internet: the "outside" host,
 * 198.51.100.2 (TEST-NET-2) on a veth whose other end, 198.51.100.1, is the host's. It
 * runs busybox httpd, whose /cgi-bin/from says whom a request came from: through the
 * host's masquerade, the host's address. Its default route is the host, so that only the
 * host's rules keep an internal network's packets in, not the lack of a way back.
 *
 * Networks made here have unique names and are removed by the teardown; the only files
 * outside the namespace are their definitions (/var/lib/nook/networks) and allocations
 * (/run/nook/.networks), which must be back as they were once the containers end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define STEP "12-network"
#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71 /* Linux 5.14 */
#endif
/** The host's address towards the outside, and the outside host's. */
#define HOST_OUT "198.51.100.1"
#define OUTSIDE	 "198.51.100.2"

/** What one test made, to compare with and to remove. */
static struct {
	int oldns;	     /**< the test's own network namespace, to go back to */
	pid_t outside;	     /**< the outside host's httpd, in its namespace */
	char dir[64];	     /**< its scratch directory: pid file, index.html */
	char ruleset[16384]; /**< `nft list ruleset` before the test's containers */
	char allocs[16384];  /**< the allocation files before */
	int links;	     /**< devices before */
	char nets[3][64];    /**< networks the test made, removed by the teardown */
	int nnets;
	struct proc *running[4]; /**< containers still running, stopped by the teardown */
} w;

static const char *
image(void)
{
	return getenv("NOOK_IMAGE") ? getenv("NOOK_IMAGE") : "build/images/busybox";
}

/** `nft list ruleset` into @p buf. */
static void
ruleset(char *buf, size_t size)
{
	struct run r;

	run_shell(&r, "nft list ruleset");
	expect_status(&r, 0);
	snprintf(buf, size, "%s", r.out);
}

/**
 * This namespace's name in the allocations, as ipam.c and ports.c write it: its cookie
 * ("c:N"), or device:inode of /proc/self/ns/net where SO_NETNS_COOKIE is missing.
 */
static void
netns_name(char *buf, size_t size)
{
	uint64_t cookie;
	socklen_t len = sizeof(cookie);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct stat st;

	if (fd >= 0 && getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) == 0)
		snprintf(buf, size, "c:%llu", (unsigned long long)cookie);
	else if (stat("/proc/self/ns/net", &st) == 0)
		snprintf(buf, size, "%lu:%lu", (unsigned long)st.st_dev, (unsigned long)st.st_ino);
	else
		fail_msg("stat(\"/proc/self/ns/net\"): %s", strerror(errno));
	if (fd >= 0)
		close(fd);
}

/**
 * The allocation files of every network that belong to this test's namespace, sorted:
 * a port hold is named PROTO-PORT\@NETNS, an address holds NETNS on its second line.
 * Those of other namespaces are other people's containers (another test, another user
 * of a shared machine) and come and go as they please.
 */
static void
allocations(char *buf, size_t size)
{
	char cmd[512], ns[64];
	struct run r;

	netns_name(ns, sizeof(ns));
	snprintf(cmd, sizeof(cmd),
		 "find /run/nook/.networks -type f ! -name lock 2>/dev/null | sort | "
		 "while read -r f; do case \"$f\" in *@%s) echo \"$f\";; */.ports/*) ;; "
		 "*) sed -n 2p \"$f\" | grep -qxF '%s' && echo \"$f\";; esac; done",
		 ns, ns);
	run_shell(&r, cmd);
	snprintf(buf, size, "%s", r.out);
}

/** The outside host: a namespace behind a veth, serving "outside-ok" over HTTP. */
static void
make_outside(void)
{
	char cmd[2048], veth[16];
	struct run r;

	snprintf(w.dir, sizeof(w.dir), "/tmp/nook-t12-%d-XXXXXX", (int)getpid());
	if (!mkdtemp(w.dir))
		fail_msg("mkdtemp: %m");
	snprintf(veth, sizeof(veth), "o%d", (int)getpid() % 1000000);
	snprintf(cmd, sizeof(cmd),
		 "set -e; d=%s; echo outside-ok >$d/index.html; mkdir $d/cgi-bin;"
		 "printf '#!/bin/sh\\necho Content-Type: text/plain\\necho\\n"
		 "echo outside-ok from $REMOTE_ADDR\\n' >$d/cgi-bin/from; chmod +x $d/cgi-bin/from;"
		 "unshare -n sh -c 'echo $$ >'$d/pid'; exec busybox httpd -f -p 80 -h '$d"
		 " </dev/null >/dev/null 2>&1 &"
		 "for i in $(seq 100); do [ -s $d/pid ] && break; sleep 0.05; done;"
		 "pid=$(cat $d/pid); echo $pid;"
		 "ip link add %s type veth peer name eth0 netns $pid;"
		 "ip addr add " HOST_OUT "/24 dev %s; ip link set %s up;"
		 "nsenter -t $pid -n sh -c 'ip link set lo up; ip addr add " OUTSIDE
		 "/24 dev eth0; ip link set eth0 up; ip route add default via " HOST_OUT "';"
		 "nsenter -t $pid -n nft 'add table ip seen; add chain ip seen in { type filter "
		 "hook prerouting priority 0; }; add rule ip seen in ip saddr 10.0.0.0/8 counter'",
		 w.dir, veth, veth, veth);
	run_shell(&r, cmd);
	w.outside = atoi(r.out);
	expect_run(&r, r.status == 0 && w.outside > 0, "setting up the outside host");
}

/** How many packets from 10.0.0.0/8 — a container's own address — reached the outside. */
static int
private_packets_outside(void)
{
	char cmd[128];
	struct run r;
	const char *n;

	snprintf(cmd, sizeof(cmd), "nsenter -t %d -n nft list chain ip seen in", (int)w.outside);
	run_shell(&r, cmd);
	n = strstr(r.out, "counter packets ");
	expect_run(&r, r.status == 0 && n, "reading the outside host's counter");
	return atoi(n + strlen("counter packets "));
}

/** Remember @p p as running, for the teardown to stop if the test fails first. */
static void
running(struct proc *p)
{
	for (int i = 0; i < 4; i++)
		if (!w.running[i]) {
			w.running[i] = p;
			return;
		}
}

/** Container @p p has ended: not the teardown's to stop. */
static void
forget(struct proc *p)
{
	for (int i = 0; i < 4; i++)
		if (w.running[i] == p)
			w.running[i] = NULL;
}

/** Stop container @p p (SIGTERM: its runtime cleans up) and wait for its end. */
static void
stop(struct proc *p)
{
	for (int i = 0; i < 4; i++)
		if (w.running[i] == p)
			w.running[i] = NULL;
	kill(p->pid, SIGTERM);
	finish(p, 10);
}

static int
setup(void **state)
{
	(void)state;
	skip_unless_namespaces(CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNS |
			       CLONE_NEWNET);
	if (access("/usr/sbin/nft", X_OK) < 0 && access("/sbin/nft", X_OK) < 0) {
		print_message("  SKIP: no nft(8) to compare rulesets with (apt-get install "
			      "nftables)\n");
		skip();
	}
	memset(&w, 0, sizeof(w));
	w.oldns = netns_enter_throwaway();
	make_outside();
	ruleset(w.ruleset, sizeof(w.ruleset));
	allocations(w.allocs, sizeof(w.allocs));
	w.links = count_links();
	return 0;
}

static int
teardown(void **state)
{
	char cmd[256];
	struct run r;

	(void)state;
	for (int i = 0; i < 4; i++)
		if (w.running[i])
			stop(w.running[i]);
	if (w.outside > 0)
		kill(w.outside, SIGKILL);
	for (int i = 0; i < w.nnets; i++) {
		snprintf(cmd, sizeof(cmd), "%s network rm %s", step_path("nook"), w.nets[i]);
		run_shell(&r, cmd);
	}
	if (w.dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", w.dir);
		run_shell(&r, cmd);
	}
	netns_leave(w.oldns);
	return 0;
}

/** Make a network NAME (unique) with @p flags ("--internal", or ""); its name. */
static const char *
make_network(const char *tag, const char *flags)
{
	char *name = w.nets[w.nnets++], cmd[256];
	struct run r;

	unique_name(name, tag);
	snprintf(cmd, sizeof(cmd), "%s network create %s %s", step_path("nook"), name, flags);
	run_shell(&r, cmd);
	expect_run(&r, r.status == 0, "nook network create %s %s", name, flags);
	return name;
}

/** Fail unless the ruleset, the devices and the allocations are as before the test. */
static void
expect_nothing_left(const char *after)
{
	char now[sizeof(w.ruleset)], allocs[sizeof(w.allocs)];

	ruleset(now, sizeof(now));
	if (strcmp(now, w.ruleset) != 0)
		fail_msg("after %s, the ruleset should be as before:\n%s\nbut is:\n%s", after,
			 w.ruleset, now);
	if (count_links() != w.links)
		fail_msg("after %s, %d devices should be left, not %d", after, w.links,
			 count_links());
	allocations(allocs, sizeof(allocs));
	if (strcmp(allocs, w.allocs) != 0)
		fail_msg("after %s, the allocations should be as before:\n%s\nbut are:\n%s", after,
			 w.allocs, allocs);
}

/** Start a web server container on @p network saying "hello-ID"; its eth0 address. */
static void
start_server(struct proc *p, struct run *r, const char *id, const char *network,
	     const char *publish, char *addr)
{
	char script[256];
	const char *inet;

	snprintf(script, sizeof(script),
		 "mkdir /w && echo hello-%s >/w/index.html && ip -o -4 addr show eth0 && "
		 "exec httpd -f -p 80 -h /w",
		 id);
	if (publish)
		start_step(p, r, STEP, "--name", id, "--network", network, "--publish", publish,
			   "--rootfs", image(), "--", "sh", "-c", script, NULL);
	else
		start_step(p, r, STEP, "--name", id, "--network", network, "--rootfs", image(),
			   "--", "sh", "-c", script, NULL);
	running(p);
	if (!wait_for_output(p, "inet ", 15)) {
		finish(p, 5);
		expect_run(r, false, "the server container %s should have started", id);
	}
	inet = strstr(r->out, "inet ") + 5;
	snprintf(addr, 16, "%.*s", (int)strcspn(inet, "/"), inet);
}

/** Run @p script in a container on @p network; the run in @p r. */
static void
run_on(struct run *r, const char *network, const char *script)
{
	run_step(r, STEP, "--network", network, "--rootfs", image(), "--", "sh", "-c", script,
		 NULL);
}

/** An HTTP request to @p host:@p port with busybox nc, printing the page's body line. */
#define GET(host, port)                                                                            \
	"printf 'GET / HTTP/1.0\\r\\n\\r\\n' | busybox nc -w 3 " host " " port                     \
	" | grep -E '^(hello|outside)' || echo no-answer"

/**
 * A script that says "gw-ok" if the container reaches its gateway, then fetches the page
 * at @p host port @p port (busybox wget crashes here: nc speaks HTTP/1.0 instead).
 */
static const char *
fetch(const char *host, const char *port, const char *path)
{
	static char script[512];

	snprintf(
		script, sizeof(script),
		"gw=$(ip route | awk '/^default/ {print $3}'); "
		"ping -c1 -W2 $gw >/dev/null && echo gw-ok; "
		"printf 'GET %s HTTP/1.0\\r\\n\\r\\n' | nc -w 3 %s %s | grep -E '^(hello|outside)' "
		"|| echo no-answer",
		path, host, port);
	return script;
}

static void
nat_takes_a_network_out_and_an_internal_one_not(void **state)
{
	const char *internal = make_network("t12i", "--internal");
	struct run r;

	(void)state;
	run_on(&r, "nook", fetch(OUTSIDE, "80", "/cgi-bin/from"));
	expect_status(&r, 0);
	expect_run(&r, strcmp(r.out, "gw-ok\noutside-ok from [::ffff:" HOST_OUT "]\n") == 0,
		   "a container on the default network should reach the outside host, seen "
		   "from the host's address (masqueraded)");
	run_on(&r, internal, fetch(OUTSIDE, "80", "/cgi-bin/from"));
	expect_status(&r, 0);
	expect_run(&r, strcmp(r.out, "gw-ok\nno-answer\n") == 0,
		   "a container on an --internal network should reach its gateway but not the "
		   "outside host");
	expect_run(&r, private_packets_outside() == 0,
		   "no packet from a container's own address should reach the outside: "
		   "masqueraded, or kept in");
	expect_nothing_left("containers on two networks");
}

static void
containers_find_each_other_by_name_and_not_across_networks(void **state)
{
	const char *a = make_network("t12a", ""), *b = make_network("t12b", "");
	char id[64], addr[16], url[128];
	struct proc p;
	struct run server, r;

	(void)state;
	unique_name(id, "srv");
	start_server(&p, &server, id, a, NULL, addr);
	run_on(&r, a, fetch(id, "80", "/"));
	expect_status(&r, 0);
	snprintf(url, sizeof(url), "gw-ok\nhello-%s\n", id);
	expect_run(&r, strcmp(r.out, url) == 0,
		   "a container on the same network should reach %s by its name", id);
	run_on(&r, b, fetch(addr, "80", "/"));
	expect_status(&r, 0);
	expect_run(&r, strcmp(r.out, "gw-ok\nno-answer\n") == 0,
		   "a container on another network should not reach %s at %s", id, addr);
	run_on(&r, "nook", fetch(addr, "80", "/"));
	expect_status(&r, 0);
	expect_run(&r, strcmp(r.out, "gw-ok\nno-answer\n") == 0,
		   "a container on the default network should not reach %s at %s", id, addr);
	stop(&p);
	expect_run(&server, server.status == 143, "the server should have run until stopped");
	expect_nothing_left("a server and three clients on three networks");
}

static void
a_container_finds_one_that_came_after_it(void **state)
{
	const char *a = make_network("t12l", "");
	char late[64], addr[16], script[512];
	struct proc early, p;
	struct run er, server;

	(void)state;
	unique_name(late, "late");
	snprintf(script, sizeof(script),
		 "echo up; for i in $(seq 100); do printf 'GET / HTTP/1.0\\r\\n\\r\\n' | "
		 "nc -w 3 %s 80 2>/dev/null | grep ^hello && exit; sleep 0.1; done; "
		 "echo no-answer; cat /etc/hosts",
		 late);
	start_step(&early, &er, STEP, "--network", a, "--rootfs", image(), "--", "sh", "-c", script,
		   NULL);
	running(&early);
	expect_run(&er, wait_for_output(&early, "up", 15), "the first container should start");
	start_server(&p, &server, late, a, NULL, addr);
	finish(&early, 20);
	forget(&early);
	snprintf(script, sizeof(script), "up\nhello-%s\n", late);
	expect_run(&er, strcmp(er.out, script) == 0,
		   "a container should find %s, which came after it, in its /etc/hosts", late);
	stop(&p);
	expect_nothing_left("two containers on a network");
}

static void
a_published_port_answers_the_host_the_outside_and_a_neighbour(void **state)
{
	char id[64], addr[16], want[128], cmd[256];
	struct proc p;
	struct run server, r;

	(void)state;
	unique_name(id, "pub");
	start_server(&p, &server, id, "nook", "8080:80", addr);
	snprintf(want, sizeof(want), "hello-%s\n", id);
	run_shell(&r, GET(HOST_OUT, "8080"));
	expect_run(&r, strcmp(r.out, want) == 0, "the host should reach the published port");
	snprintf(cmd, sizeof(cmd), "nsenter -t %d -n sh -c \"" GET(HOST_OUT, "8080") "\"",
		 (int)w.outside);
	run_shell(&r, cmd);
	expect_run(&r, strcmp(r.out, want) == 0,
		   "the outside host should reach the published port");
	snprintf(want, sizeof(want), "gw-ok\nhello-%s\n", id);
	run_on(&r, "nook", fetch(HOST_OUT, "8080", "/"));
	expect_status(&r, 0);
	expect_run(&r, strcmp(r.out, want) == 0,
		   "a container on the same network should reach the published port (hairpin)");
	run_on(&r, "nook", fetch("10.213.0.1", "8080", "/"));
	expect_status(&r, 0);
	expect_run(&r, strcmp(r.out, want) == 0, "... also at the network's gateway address");
	run_on(&r, "nook", fetch(HOST_OUT, "8081", "/"));
	expect_run(&r, strstr(r.out, "no-answer") != NULL, "an unpublished port should not answer");
	stop(&p);
	expect_run(&server, server.status == 143, "the server should have run until stopped");
	expect_nothing_left("a container with a published port");
}

static void
what_a_killed_runtime_left_is_swept(void **state)
{
	char id[64], addr[16], now[sizeof(w.ruleset)];
	struct proc p;
	struct run server, r;

	(void)state;
	unique_name(id, "killed");
	start_server(&p, &server, id, "nook", "8080:80", addr);
	forget(&p);
	kill(p.pid, SIGKILL);
	finish(&p, 10);
	ruleset(now, sizeof(now));
	expect_run(&server, strstr(now, id) != NULL,
		   "the killed runtime's ports table should still be there, for the sweep");
	run_step(&r, STEP, "--network", "none", "--", "true", NULL); /* its create sweeps */
	expect_status(&r, 0);
	expect_nothing_left("a runtime killed with SIGKILL, and the next one's sweep");
}

static void
an_address_in_use_and_bad_options_are_refused(void **state)
{
	const char *internal = make_network("t12r", "--internal");
	char id[64], ruleset_up[sizeof(w.ruleset)];
	int links;
	struct proc p;
	struct run server, r;
	const char *bad[][4] = {
		{"--ip", "10.213.0.77/16", "in use", NULL},
		{"--ip", "10.213.0.78/016", "prefix", NULL},
		{"--ip", "10.214.0.78/16", "not in network", NULL},
		{"--ip", "10.213.0.1/16", "gateway", NULL},
		{"--publish", "99999:80", "--publish", NULL},
		{"--publish", "80", "--publish", NULL},
		{"--gateway", "10.213.0.9", "--gateway", NULL},
		{"--publish", "8080:81", "published by container", NULL},
		{"--publish", "127.0.0.1:8080:82", "published by container", NULL},
	};

	(void)state;
	unique_name(id, "holder");
	start_step(&p, &server, STEP, "--name", id, "--network", "nook", "--ip", "10.213.0.77/16",
		   "--publish", "8080:80", "--", "sh", "-c", "echo up; exec sleep 60", NULL);
	running(&p);
	expect_run(&server, wait_for_output(&p, "up", 10), "--ip 10.213.0.77/16 should start");
	ruleset(ruleset_up, sizeof(ruleset_up));
	links = count_links();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		run_step(&r, STEP, "--network", "nook", bad[i][0], bad[i][1], "--", "true", NULL);
		expect_run(&r,
			   r.status == 125 && count_lines(r.err) == 1 && strstr(r.err, bad[i][2]),
			   "%s %s: expected one line about \"%s\", exit 125", bad[i][0], bad[i][1],
			   bad[i][2]);
	}
	run_step(&r, STEP, "--network", "no-such-net", "--", "true", NULL);
	expect_run(&r, r.status == 125 && strstr(r.err, "no network"), "an unknown network");
	run_step(&r, STEP, "--network", internal, "--publish", "8080:80", "--", "true", NULL);
	expect_run(&r, r.status == 125 && strstr(r.err, "internal"),
		   "--publish on an internal network");
	run_step(&r, STEP, "--publish", "8080:80", "--", "true", NULL);
	expect_run(&r, r.status == 125 && strstr(r.err, "--network"), "--publish alone");
	ruleset(r.out, sizeof(r.out));
	expect_run(&r, strcmp(r.out, ruleset_up) == 0 && count_links() == links,
		   "the refused runs should have left no rule and no device");
	stop(&p);
	expect_nothing_left("refused runs beside a running container");
}

static void
hosts_and_resolv_conf_fit_the_container(void **state)
{
	char id[64], cmd[1024];
	const char *resolv;
	struct run r;

	(void)state;
	unique_name(id, "named");
	/* the host's resolv.conf, in a mount namespace of the run's own: a loopback stub */
	snprintf(cmd, sizeof(cmd),
		 "printf 'nameserver 127.0.0.53\\nsearch example.test\\n' >%s/resolv.conf && "
		 "unshare -m sh -c 'mount --bind %s/resolv.conf /etc/resolv.conf && exec %s "
		 "--name %s --network nook --rootfs %s -- sh -c \"cat /etc/hosts; echo ---; "
		 "cat /etc/resolv.conf\"'",
		 w.dir, w.dir, step_path(STEP), id, image());
	run_shell(&r, cmd);
	expect_status(&r, 0);
	resolv = strstr(r.out, "---");
	expect_run(&r, resolv != NULL, "expected /etc/hosts, ---, /etc/resolv.conf");
	snprintf(cmd, sizeof(cmd), "\t%s nook\n", id); /* its ID, and its hostname */
	expect_run(&r, strstr(r.out, cmd) && strncmp(r.out, "127.0.0.1\tlocalhost\n", 20) == 0,
		   "/etc/hosts should name localhost and the container");
	expect_run(&r, strstr(resolv, "127.0.0.53") == NULL,
		   "/etc/resolv.conf should not have the host's loopback resolver");
	expect_run(&r, strstr(resolv, "nameserver ") && strstr(resolv, "search example.test"),
		   "/etc/resolv.conf should have a nameserver and the host's search line");
	expect_nothing_left("a container with /etc/hosts");
}

static void
ip_forward_is_turned_on_once_and_said_once(void **state)
{
	struct run r;

	(void)state;
	run_shell(&r, "echo 0 >/proc/sys/net/ipv4/ip_forward");
	expect_status(&r, 0);
	run_step(&r, STEP, "--network", "nook", "--", "cat", "/proc/sys/net/ipv4/ip_forward", NULL);
	expect_status(&r, 0);
	expect_run(&r, count_lines(r.err) == 1 && strstr(r.err, "ip_forward was 0"),
		   "the first run should say it turned ip_forward on");
	run_shell(&r, "cat /proc/sys/net/ipv4/ip_forward");
	expect_run(&r, strcmp(r.out, "1\n") == 0, "ip_forward should be on in the host");
	run_step(&r, STEP, "--network", "nook", "--", "true", NULL);
	expect_status(&r, 0);
	expect_run(&r, r.err[0] == '\0', "the second run should say nothing");
	run_shell(&r, "echo 0 >/proc/sys/net/ipv4/ip_forward");
	run_step(&r, STEP, "--network", make_network("t12f", "--internal"), "--", "true", NULL);
	expect_status(&r, 0);
	run_shell(&r, "cat /proc/sys/net/ipv4/ip_forward");
	expect_run(&r, strcmp(r.out, "0\n") == 0, "an internal network needs no forwarding");
}

static void
network_host_and_none(void **state)
{
	struct run r;

	(void)state;
	run_shell(&r, "ip link add nkt-h type veth peer name nkt-h2");
	expect_status(&r, 0);
	run_step(&r, STEP, "--network", "host", "--", "ip", "-o", "link", NULL);
	expect_status(&r, 0);
	expect_run(&r, strstr(r.out, "nkt-h") != NULL,
		   "--network host should see the host's links");
	run_step(&r, STEP, "--network", "none", "--", "ip", "-o", "link", NULL);
	expect_status(&r, 0);
	expect_run(&r, count_lines(r.out) == 1 && strstr(r.out, "lo:"), "--network none: lo only");
	run_shell(&r, "ip link del nkt-h");
}

/** Run `nook network ARGS` (a shell word list) into @p r. */
static void
nook_network(struct run *r, const char *args)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "%s network %s", step_path("nook"), args);
	run_shell(r, cmd);
}

static void
the_network_command_checks_lists_and_refuses(void **state)
{
	const char *mine = make_network("t12c", "--subnet 10.215.7.0/24");
	char args[256], id[64];
	struct proc p;
	struct run server, r;
	const char *bad[][2] = {
		{"create t12x --subnet 198.51.100.0/24", "overlaps the host's route"},
		{"create t12x --subnet 10.213.5.0/24", "overlaps network \"nook\""},
		{"create t12x --subnet 10.215.7.128/25", "overlaps network"},
		{"create t12x --subnet 10.216.0.0/016", "prefix"},
		{"create t12x --subnet 10.216.0.1/16", "host bits"},
		{"create 9lives", "invalid network name"},
		{"create none", "invalid network name"},
		{"create nook", "exists"},
		{"rm nook", "default"},
		{"inspect t12-no-such", "no network"},
		{"frobnicate", "expected create"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		nook_network(&r, bad[i][0]);
		expect_run(&r,
			   r.status == 125 && count_lines(r.err) == 1 && strstr(r.err, bad[i][1]),
			   "nook network %s: expected one line about \"%s\", exit 125", bad[i][0],
			   bad[i][1]);
	}
	snprintf(args, sizeof(args), "create %s", mine);
	nook_network(&r, args);
	expect_run(&r, r.status == 125 && strstr(r.err, "exists"), "a network made twice");
	nook_network(&r, "ls");
	expect_run(&r, strstr(r.out, mine) && strstr(r.out, "10.215.7.0/24"), "ls lists it");
	unique_name(id, "member");
	start_step(&p, &server, STEP, "--name", id, "--network", mine, "--", "sh", "-c",
		   "echo up; exec sleep 60", NULL);
	running(&p);
	expect_run(&server, wait_for_output(&p, "up", 10), "a container on %s should start", mine);
	snprintf(args, sizeof(args), "inspect %s", mine);
	nook_network(&r, args);
	expect_run(&r, strstr(r.out, id) && strstr(r.out, "\"address\":\"10.215.7.2\""),
		   "inspect should list the container and its address");
	snprintf(args, sizeof(args), "rm %s", mine);
	nook_network(&r, args);
	expect_run(&r, r.status == 125 && strstr(r.err, "in use"), "rm of a network in use");
	stop(&p);
	nook_network(&r, args);
	expect_run(&r, r.status == 0, "rm once the container has ended");
	w.nnets--; /* removed: not the teardown's to remove */
	nook_network(&r, "ls");
	expect_run(&r, !strstr(r.out, mine), "ls should no longer list it");
	expect_nothing_left("a network made, used and removed");
}

static void
a_subnet_the_host_routes_elsewhere_is_refused(void **state)
{
	struct run r;

	(void)state;
	run_shell(&r, "ip route add 10.213.9.0/24 via " OUTSIDE);
	expect_status(&r, 0);
	run_step(&r, STEP, "--network", "nook", "--", "true", NULL);
	expect_run(&r,
		   r.status == 125 && count_lines(r.err) == 1 &&
			   strstr(r.err, "overlaps the host's route 10.213.9.0/24"),
		   "the default network's subnet overlapping a route of the host: one line, 125");
	run_shell(&r, "ip route del 10.213.9.0/24");
	expect_nothing_left("a refused network");
}

static void
rootless_says_what_it_cannot_do(void **state)
{
	struct run r;

	(void)state;
	run_step_as(&r, NOBODY, NOBODY, STEP, "--userns", "--network", "nook", "--", "true", NULL);
	expect_run(&r, r.status == 125 && count_lines(r.err) == 1 && strstr(r.err, "needs root"),
		   "--network as an ordinary user: one line saying it needs root, exit 125");
	run_step_as(&r, NOBODY, NOBODY, STEP, "--userns", "--network", "none", "--", "true", NULL);
	expect_status(&r, 0); /* --network none needs no root */
	expect_nothing_left("rootless runs");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(nat_takes_a_network_out_and_an_internal_one_not,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			containers_find_each_other_by_name_and_not_across_networks, setup,
			teardown),
		cmocka_unit_test_setup_teardown(a_container_finds_one_that_came_after_it, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			a_published_port_answers_the_host_the_outside_and_a_neighbour, setup,
			teardown),
		cmocka_unit_test_setup_teardown(what_a_killed_runtime_left_is_swept, setup,
						teardown),
		cmocka_unit_test_setup_teardown(an_address_in_use_and_bad_options_are_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(hosts_and_resolv_conf_fit_the_container, setup,
						teardown),
		cmocka_unit_test_setup_teardown(ip_forward_is_turned_on_once_and_said_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(network_host_and_none, setup, teardown),
		cmocka_unit_test_setup_teardown(the_network_command_checks_lists_and_refuses, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_subnet_the_host_routes_elsewhere_is_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(rootless_says_what_it_cannot_do, setup, teardown),
	};

	return cmocka_run_group_tests_name(STEP, tests, NULL, NULL);
}

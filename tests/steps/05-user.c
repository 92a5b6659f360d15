/**
 * @file 05-user.c
 * @brief Step 05's tests: a user namespace — root inside, a mapped id outside — and the same
 *        program run by an unprivileged user (uid 65534), who gets UTS, IPC, PID and mount
 *        isolation without becoming anything more on the host, and a network of lo only.
 *
 * The network tests, like step 04's, run in a throwaway network namespace of their own
 * (netns_enter_throwaway()): the machine's own network is never touched.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define STEP "05-user"

static int
setup(void **state)
{
	(void)state;
	skip_unless_namespaces(CLONE_NEWUSER | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID);
	return 0;
}

static int
setup_rootless(void **state)
{
	(void)state;
	skip_unless_user_namespaces_as(NOBODY, NOBODY);
	return 0;
}

/** Teardown: remove the scratch directories the test made. */
static int
cleanup(void **state)
{
	(void)state;
	remove_scratch_dirs();
	return 0;
}

/** "UID:GID" of @p path as the host sees it. */
static const char *
owner(const char *path)
{
	static char buf[64];
	struct stat st;

	if (stat(path, &st) < 0)
		snprintf(buf, sizeof(buf), "(%s)", strerror(errno));
	else
		snprintf(buf, sizeof(buf), "%u:%u", st.st_uid, st.st_gid);
	return buf;
}

/** The overflow uid or gid ("uid", "gid"): how the kernel shows an id with no mapping. */
static unsigned
overflow_id(const char *which)
{
	char path[64];
	unsigned id = 65534;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/kernel/overflow%s", which);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%u", &id) != 1)
			id = 65534;
		fclose(f);
	}
	return id;
}

/** A root-owned directory (0755) holding a root-owned file "secret" (0644) with @p text. */
static void
make_root_file(char *dir, char *file, size_t size, const char *text)
{
	FILE *f;

	make_scratch_dir(dir, "user-test", 0755);
	snprintf(file, size, "%s/secret", dir);
	f = fopen(file, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		fail_msg("writing %s: %s", file, strerror(errno));
	chmod(file, 0644);
}

static bool
file_holds(const char *path, const char *text)
{
	char buf[256] = "";
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return strcmp(buf, text) == 0;
}

/* A private view of /etc/subuid and /etc/subgid, for the default-map tests. */

/** What start_argv_as() runs first, as root: the subid files replaced by @p arg's file. */
static void
replace_subids(void *arg)
{
	const char *file = arg;

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		fprintf(stderr, "test: private mount namespace: %s\n", strerror(errno));
		_exit(125);
	}
	if ((file_exists("/etc/subuid") && mount(file, "/etc/subuid", NULL, MS_BIND, NULL) < 0) ||
	    (file_exists("/etc/subgid") && mount(file, "/etc/subgid", NULL, MS_BIND, NULL) < 0)) {
		fprintf(stderr, "test: bind %s over /etc/subuid, subgid: %s\n", file,
			strerror(errno));
		_exit(125);
	}
}

/**
 * Run step 05 as @p uid with /etc/subuid and /etc/subgid holding just @p subids (empty: no
 * one is delegated anything), so the default map does not depend on this machine's files.
 */
static void
run_with_subids(struct run *r, uid_t uid, const char *subids, char *const args[])
{
	char file[] = "/tmp/nook-test-subid-XXXXXX";
	char *argv[32] = {(char *)runnable_as(uid, uid, step_path(STEP))};
	struct proc p;
	int fd, n = 1;

	if (*subids && (!file_exists("/etc/subuid") || !file_exists("/etc/subgid"))) {
		print_message("  SKIP: no /etc/subuid or /etc/subgid to bind-mount over\n");
		skip();
	}
	fd = mkstemp(file);
	if (fd < 0 || write(fd, subids, strlen(subids)) != (ssize_t)strlen(subids))
		fail_msg("writing %s: %s", file, strerror(errno));
	fchmod(fd, 0644);
	close(fd);
	while (n < 31 && (argv[n] = args[n - 1]) != NULL)
		n++;
	argv[n] = NULL;
	start_argv_as(&p, r, uid, uid, replace_subids, file, argv);
	finish(&p, RUN_TIMEOUT);
	unlink(file);
}

/** A shell command line printing the container's uid and gid maps as "IN OUT COUNT". */
#define PRINT_MAPS                                                                                 \
	"read a b c < /proc/self/uid_map; echo uid_map $a $b $c; "                                 \
	"read a b c < /proc/self/gid_map; echo gid_map $a $b $c"

/** Rootless runs map uid 65534 to root explicitly: the same as the default, unless this
 *  machine's /etc/subuid delegates a range to 65534. */
#define OWN_ID_MAPS "--uid-map", "0:65534:1", "--gid-map", "0:65534:1"

/** Setup and teardown for the network tests: a throwaway network namespace, left after. */
static int
setup_net(void **state)
{
	skip_unless_namespaces(CLONE_NEWUSER | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID |
			       CLONE_NEWNS | CLONE_NEWNET);
	*state = (void *)(intptr_t)netns_enter_throwaway();
	return 0;
}

static int
setup_rootless_net(void **state)
{
	skip_unless_user_namespaces_as(NOBODY, NOBODY);
	return setup_net(state);
}

static int
teardown_net(void **state)
{
	netns_leave((int)(intptr_t)*state);
	return cleanup(state);
}

/* ---- as root ----------------------------------------------------------------------- */

static void
id_is_root_inside(void **state)
{
	struct run r;

	(void)state;
	run_step(&r, STEP, "--userns", "--", "/bin/sh", "-c", "id -u; id -g", NULL);
	expect_status(&r, 0);
	expect_stdout(&r, "0\n0\n");
}

static void
exit_statuses_pass_through(void **state)
{
	struct run r;

	(void)state;
	expect_exit_statuses(STEP);
	run_step(&r, STEP, "--userns", "--", "/bin/sh", "-c", "exit 7", NULL);
	expect_status(&r, 7);
	run_step(&r, STEP, "--userns", "--", "/bin/sh", "-c", "kill -KILL $$", NULL);
	expect_status(&r, 137);
	run_step(&r, STEP, "--userns", "--", "nosuchcmd", NULL);
	expect_status(&r, 127);
	expect_run(&r, count_lines(r.err) == 1 && strstr(r.err, "nosuchcmd"),
		   "expected one line naming nosuchcmd on stderr");
}

static void
user_namespace_only_when_asked(void **state)
{
	char host[64] = "";
	struct run r;

	(void)state;
	if (readlink("/proc/self/ns/user", host, sizeof(host) - 1) < 0)
		fail_msg("readlink /proc/self/ns/user: %s", strerror(errno));
	strcat(host, "\n");
	run_step(&r, STEP, "--", "readlink", "/proc/self/ns/user", NULL);
	expect_status(&r, 0);
	expect_run(&r, strcmp(r.out, host) == 0,
		   "without --userns the container should share the host's user namespace %s",
		   host);
	run_step(&r, STEP, "--userns", "--", "readlink", "/proc/self/ns/user", NULL);
	expect_status(&r, 0);
	expect_run(&r, strcmp(r.out, host) != 0, "with --userns the container is still in %s",
		   host);
}

static void
files_belong_to_the_mapped_ids_on_the_host(void **state)
{
	char dir[64], root[96], user[96];
	struct run r;

	(void)state;
	make_scratch_dir(dir, "user-test", 0777);
	snprintf(root, sizeof(root), "%s/by-root", dir);
	snprintf(user, sizeof(user), "%s/by-1000", dir);
	run_step(&r, STEP, "--uid-map", "0:100000:65536", "--gid-map", "0:100000:65536", "--",
		 "/bin/sh", "-c", "touch \"$0\" \"$1\" && chown 1000:1000 \"$1\"", root, user,
		 NULL);
	expect_status(&r, 0);
	if (strcmp(owner(root), "100000:100000") != 0) {
		fail_msg("a file made by root inside (0:0 -> 100000) is owned by %s on the host",
			 owner(root));
	}
	if (strcmp(owner(user), "101000:101000") != 0) {
		fail_msg("a file given to 1000:1000 inside is owned by %s on the host, not "
			 "101000:101000",
			 owner(user));
	}
}

static void
default_map_for_root_is_100000(void **state)
{
	char *args[] = {"--userns", "--", "/bin/sh", "-c", PRINT_MAPS, NULL};
	struct run r;

	(void)state;
	run_with_subids(&r, 0, "", args);
	expect_status(&r, 0);
	expect_stdout(&r, "uid_map 0 100000 65536\ngid_map 0 100000 65536\n");
}

static void
default_map_comes_from_subuid(void **state)
{
	char *args[] = {"--userns", "--", "/bin/sh", "-c", PRINT_MAPS, NULL};
	struct run r;

	(void)state;
	run_with_subids(&r, 0, "someone:400000:65536\nroot:300000:65536\n", args);
	expect_status(&r, 0);
	expect_stdout(&r, "uid_map 0 300000 65536\ngid_map 0 300000 65536\n");
}

static void
container_root_cannot_write_host_root_files(void **state)
{
	char dir[64], file[96];
	struct run r;

	(void)state;
	make_root_file(dir, file, sizeof(file), "original\n");
	run_step(&r, STEP, "--uid-map", "0:100000:65536", "--gid-map", "0:100000:65536", "--",
		 "/bin/sh", "-c", "id -u; echo x >> \"$0\"", file, NULL);
	expect_ran(&r);
	expect_run(&r, strncmp(r.out, "0\n", 2) == 0, "expected root (0) inside");
	expect_run(&r, r.status != 0, "root inside (100000 outside) wrote to %s, mode 0644 root",
		   file);
	if (!file_holds(file, "original\n"))
		fail_msg("%s changed", file);
}

static void
unmapped_ids_show_as_the_overflow_id(void **state)
{
	char dir[64], file[96], want[64];
	struct run r;

	(void)state;
	make_root_file(dir, file, sizeof(file), "x\n");
	snprintf(want, sizeof(want), "%u:%u\n", overflow_id("uid"), overflow_id("gid"));
	run_step(&r, STEP, "--uid-map", "0:100000:65536", "--gid-map", "0:100000:65536", "--",
		 "stat", "-c", "%u:%g", file, NULL);
	expect_status(&r, 0);
	expect_run(&r, strcmp(r.out, want) == 0,
		   "a file of the host's root (not in the map) should show as %s", want);
}

static void
veth_reaches_a_container_in_a_user_namespace(void **state)
{
	struct run r;

	(void)state;
	run_step(&r, STEP, "--userns", "--net", "veth", "--ip", "10.200.51.2/24", "--", "/bin/sh",
		 "-c", "id -u; busybox ping -c1 -W2 10.200.51.1 >/dev/null && echo pong", NULL);
	expect_status(&r, 0);
	expect_stdout(&r, "0\npong\n");
	expect_run(&r, count_links() == 1, "the host end of the cable outlived the container");
}

static void
bad_maps_are_refused_in_one_line(void **state)
{
	static const char *bad[][5] = {
		{"--uid-map", "0:100000", NULL},
		{"--uid-map", "a:1:1", NULL},
		{"--uid-map", "0:100000:0", NULL},
		{"--uid-map", "-1:100000:1", NULL},
		{"--uid-map", " 0:100000:1", NULL},
		{"--uid-map", "0:100000:1:1", NULL},
		{"--uid-map", "0:4294967295:1", NULL},
		{"--uid-map", "0:4294967290:10", NULL},
		{"--gid-map", "0:99999999999:1", NULL},
		{"--gid-map", "0:1:1\nx", NULL},
		{"--uid-map", "0:100000:10", "--uid-map", "5:200000:10", NULL},
		{"--gid-map", "0:100000:10", "--gid-map", "20:100005:10", NULL},
		{"--uid-map", "1:100000:10", NULL},
	};
	char marker[] = "/tmp/nook-test-XXXXXX";
	struct run r;

	(void)state;
	unused_path(marker);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *const *b = bad[i];

		if (b[2])
			run_step(&r, STEP, b[0], b[1], b[2], b[3], "--", "touch", marker, NULL);
		else
			run_step(&r, STEP, b[0], b[1], "--", "touch", marker, NULL);
		expect_run(&r,
			   r.status == 125 && count_lines(r.err) == 1 &&
				   strstr(r.err, b[0]) != NULL,
			   "%s \"%s\"%s%s: expected one line naming %s, exit 125", b[0], b[1],
			   b[2] ? " " : "", b[2] ? b[3] : "", b[0]);
		if (file_exists(marker)) {
			unlink(marker);
			fail_msg("%s \"%s\" was refused but the command ran anyway", b[0], b[1]);
		}
	}
}

/* ---- as uid 65534 ---------------------------------------------------------------------- */

static void
rootless_container_is_root_inside(void **state)
{
	char *args[] = {"--userns",
			"--hostname",
			"box",
			"--",
			"/bin/sh",
			"-c",
			"id -u; id -g; hostname; echo $$; " PRINT_MAPS,
			NULL};
	char before[256], after[256];
	struct run r;

	(void)state;
	gethostname(before, sizeof(before));
	run_with_subids(&r, NOBODY, "", args);
	gethostname(after, sizeof(after));
	expect_status(&r, 0);
	expect_stdout(&r, "0\n0\nbox\n2\nuid_map 0 65534 1\ngid_map 0 65534 1\n");
	if (strcmp(before, after) != 0)
		fail_msg("the host's hostname changed from \"%s\" to \"%s\"", before, after);
}

static void
rootless_container_has_its_own_ipc(void **state)
{
	char key[32];
	struct run r;
	key_t k = (key_t)(0x6e500000 | (getpid() << 4));
	int id;

	(void)state;
	snprintf(key, sizeof(key), "%d", k);
	run_step_as(&r, NOBODY, NOBODY, STEP, OWN_ID_MAPS, "--",
		    runnable_as(NOBODY, NOBODY, probe_path()), "msgq-create", key, NULL);
	expect_status(&r, 0);
	id = msgget(k, 0);
	if (id >= 0) {
		msgctl(id, IPC_RMID, NULL);
		fail_msg("a queue made in a rootless container (key %s) exists on the host", key);
	}
}

/** Is anything mounted on @p path in the test's own mount table? */
static bool
mounted_on_host(const char *path)
{
	char line[4096], point[4096];
	bool found = false;
	FILE *f = fopen("/proc/self/mountinfo", "r");

	while (f && !found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%*s %*s %*s %*s %4095s", point) == 1 &&
			strcmp(point, path) == 0;
	if (f)
		fclose(f);
	return found;
}

static void
rootless_container_has_its_own_mounts(void **state)
{
	char dir[64], script[256];
	struct run r;

	(void)state;
	make_scratch_dir(dir, "user-test", 0755);
	snprintf(script, sizeof(script),
		 "ps -e -o pid:1,comm; findmnt -n -o FSTYPE %s && touch %s/f", dir, dir);
	run_step_as(&r, NOBODY, NOBODY, STEP, OWN_ID_MAPS, "--tmpfs", dir, "--", "/bin/sh", "-c",
		    script, NULL);
	expect_status(&r, 0);
	expect_stdout(&r, "PID COMMAND\n1 nook-init\n2 sh\n3 ps\ntmpfs\n");
	if (mounted_on_host(dir))
		fail_msg("the tmpfs on %s, mounted in uid 65534's container, is on the host", dir);
	snprintf(script, sizeof(script), "%s/f", dir);
	if (file_exists(script))
		fail_msg("%s, written to the container's tmpfs, is on the host's disk", script);
}

static void
rootless_network_is_lo_only(void **state)
{
	struct run r;

	(void)state;
	run_step_as(&r, NOBODY, NOBODY, STEP, OWN_ID_MAPS, "--", "/bin/sh", "-c",
		    "ip -o link; busybox ping -c1 -W2 127.0.0.1 >/dev/null && echo pong", NULL);
	expect_status(&r, 0);
	expect_run(&r, count_lines(r.out) == 2 && strncmp(r.out, "1: lo: <", 8) == 0,
		   "uid 65534's container should see lo and nothing else");
	expect_run(&r, strstr(r.out, ",UP") && strstr(r.out, "pong\n"),
		   "lo should be up inside, and 127.0.0.1 answer");
}

static void
rootless_veth_is_refused_in_one_line(void **state)
{
	struct run r;

	(void)state;
	run_step_as(&r, NOBODY, NOBODY, STEP, OWN_ID_MAPS, "--net", "veth", "--ip",
		    "10.200.52.2/24", "--", "true", NULL);
	expect_run(&r,
		   r.status == 125 && count_lines(r.err) == 1 &&
			   strstr(r.err, "Operation not permitted"),
		   "a veth needs CAP_NET_ADMIN on the host: expected one line, exit 125");
	expect_run(&r, count_links() == 1, "a refused veth left a link behind");
}

static void
rootless_files_are_the_callers(void **state)
{
	char dir[64], file[96];
	struct run r;

	(void)state;
	make_scratch_dir(dir, "user-test", 0777);
	snprintf(file, sizeof(file), "%s/made-inside", dir);
	run_step_as(&r, NOBODY, NOBODY, STEP, OWN_ID_MAPS, "--", "touch", file, NULL);
	expect_status(&r, 0);
	if (strcmp(owner(file), "65534:65534") != 0)
		fail_msg("a file made by root in uid 65534's container is owned by %s, not by "
			 "65534:65534",
			 owner(file));
}

static void
rootless_root_cannot_write_host_root_files(void **state)
{
	char dir[64], file[96];
	struct run r;

	(void)state;
	make_root_file(dir, file, sizeof(file), "original\n");
	run_step_as(&r, NOBODY, NOBODY, STEP, OWN_ID_MAPS, "--", "/bin/sh", "-c",
		    "id -u; echo x >> \"$0\"", file, NULL);
	expect_ran(&r);
	expect_run(&r, strncmp(r.out, "0\n", 2) == 0, "expected root (0) inside");
	expect_run(&r, r.status != 0, "root in uid 65534's container wrote to %s (0644 root)",
		   file);
	if (!file_holds(file, "original\n"))
		fail_msg("%s changed", file);
}

static void
rootless_host_root_is_the_overflow_id(void **state)
{
	char want[32];
	struct run r;

	(void)state;
	snprintf(want, sizeof(want), "%u:%u\n", overflow_id("uid"), overflow_id("gid"));
	run_step_as(&r, NOBODY, NOBODY, STEP, OWN_ID_MAPS, "--", "stat", "-c", "%u:%g", "/", NULL);
	expect_status(&r, 0);
	expect_run(&r, strcmp(r.out, want) == 0, "/ (root's) should show as %s inside", want);
}

static void
rootless_without_userns_is_refused(void **state)
{
	struct run r;

	(void)state;
	run_step_as(&r, NOBODY, NOBODY, STEP, "--", "true", NULL);
	expect_run(&r, r.status == 125 && count_lines(r.err) == 1 && strstr(r.err, "clone3"),
		   "uid 65534 without --userns: expected one line about clone3, exit 125");
}

static void
rootless_subuid_range_goes_through_newuidmap(void **state)
{
	char *args[] = {"--userns", "--", "/bin/sh", "-c", PRINT_MAPS, NULL};
	struct passwd *pw = getpwuid(NOBODY);
	char subids[128];
	struct run r;

	(void)state;
	if (!file_exists("/usr/bin/newuidmap") || !file_exists("/usr/bin/newgidmap")) {
		print_message("  SKIP: newuidmap, newgidmap not installed (package uidmap)\n");
		skip();
	}
	snprintf(subids, sizeof(subids), "%s:200000:65536\n", pw ? pw->pw_name : "65534");
	run_with_subids(&r, NOBODY, subids, args);
	expect_status(&r, 0);
	expect_stdout(&r, "uid_map 0 200000 65536\ngid_map 0 200000 65536\n");
}

/** A map that makes the container's root the host's root runs, but is said to be unsafe. */
static void
mapping_root_to_root_is_warned_about(void **state)
{
	struct run r;

	(void)state;
	run_step(&r, STEP, "--uid-map", "0:0:1", "--gid-map", "0:0:1", "--", "id", "-u", NULL);
	expect_status(&r, 0);
	expect_stdout(&r, "0\n");
	expect_run(&r,
		   count_lines(r.err) == 1 && strstr(r.err, "warning") &&
			   strstr(r.err, "host's root"),
		   "--uid-map 0:0:1: expected one line of warning that the container's root is the "
		   "host's");
	run_step(&r, STEP, "--uid-map", "0:100000:1", "--gid-map", "0:100000:1", "--", "true",
		 NULL);
	expect_status(&r, 0);
	expect_run(&r, r.err[0] == '\0', "an ordinary map should run without a warning");
}

/** A privileged caller's supplementary groups do not follow it into the namespace. */
static void
host_groups_are_dropped_inside(void **state)
{
	const gid_t groups[] = {1234};
	struct run r;

	(void)state;
	if (setgroups(1, groups) < 0)
		fail_msg("setgroups: %s", strerror(errno));
	run_step(&r, STEP, "--userns", "--", "grep", "^Groups:", "/proc/self/status", NULL);
	setgroups(0, NULL);
	expect_status(&r, 0);
	expect_run(
		&r, strspn(r.out + strlen("Groups:"), " \t\n") == strlen(r.out + strlen("Groups:")),
		"the container's root should have no supplementary groups (the caller had 1234)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(id_is_root_inside, setup, cleanup),
		cmocka_unit_test_setup_teardown(exit_statuses_pass_through, setup, cleanup),
		cmocka_unit_test_setup_teardown(user_namespace_only_when_asked, setup, cleanup),
		cmocka_unit_test_setup_teardown(files_belong_to_the_mapped_ids_on_the_host, setup,
						cleanup),
		cmocka_unit_test_setup_teardown(default_map_for_root_is_100000, setup, cleanup),
		cmocka_unit_test_setup_teardown(default_map_comes_from_subuid, setup, cleanup),
		cmocka_unit_test_setup_teardown(container_root_cannot_write_host_root_files, setup,
						cleanup),
		cmocka_unit_test_setup_teardown(unmapped_ids_show_as_the_overflow_id, setup,
						cleanup),
		cmocka_unit_test_setup_teardown(veth_reaches_a_container_in_a_user_namespace,
						setup_net, teardown_net),
		cmocka_unit_test_setup_teardown(bad_maps_are_refused_in_one_line, setup, cleanup),
		cmocka_unit_test_setup_teardown(rootless_container_is_root_inside, setup_rootless,
						cleanup),
		cmocka_unit_test_setup_teardown(rootless_container_has_its_own_ipc, setup_rootless,
						cleanup),
		cmocka_unit_test_setup_teardown(rootless_container_has_its_own_mounts,
						setup_rootless, cleanup),
		cmocka_unit_test_setup_teardown(rootless_network_is_lo_only, setup_rootless_net,
						teardown_net),
		cmocka_unit_test_setup_teardown(rootless_veth_is_refused_in_one_line,
						setup_rootless_net, teardown_net),
		cmocka_unit_test_setup_teardown(rootless_files_are_the_callers, setup_rootless,
						cleanup),
		cmocka_unit_test_setup_teardown(rootless_root_cannot_write_host_root_files,
						setup_rootless, cleanup),
		cmocka_unit_test_setup_teardown(rootless_host_root_is_the_overflow_id,
						setup_rootless, cleanup),
		cmocka_unit_test_setup_teardown(rootless_without_userns_is_refused, setup_rootless,
						cleanup),
		cmocka_unit_test_setup(rootless_subuid_range_goes_through_newuidmap,
				       setup_rootless),
		cmocka_unit_test_setup(mapping_root_to_root_is_warned_about, setup),
		cmocka_unit_test_setup(host_groups_are_dropped_inside, setup),
	};

	return cmocka_run_group_tests_name(STEP, tests, NULL, NULL);
}

/**
 * @file 10-nook.c
 * @brief Step 10's tests: `nook` driven as an engine drives an OCI runtime — create,
 *        state, start, kill, delete, run — on a bundle whose root is the default image.
 *
 * Each test makes a bundle in a scratch directory: a config.json written here, its
 * root.path the image itself, read-only (nothing is written to it: the mount points it
 * needs exist in it). State goes under a scratch --root, so nothing here can meet the
 * step programs' containers or another test's.
 *
 * `create` leaves the container holding the streams it was given, as conmon wants it; the
 * harness waits for its pipes to close, so create runs through a shell that points the
 * container's streams (and create's own) at files.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

static char image[PATH_MAX];
static char root[64];	/* --root */
static char bundle[64]; /* the bundle directory */

/** The namespaces of the tests' config: all new but the user's and cgroup's. */
#define DEFAULT_NAMESPACES                                                                         \
	"[{\"type\": \"pid\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"}, {\"type\": \"mount\"}, "  \
	"{\"type\": \"network\"}]"

/**
 * The config: @p args is the JSON array of the command; @p extra more members, or "";
 * @p ns linux.namespaces, and @p more more members of "linux" (or "").
 */
static void
write_config_ns(const char *dir, const char *args, const char *extra, const char *ns,
		const char *more)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/config.json", dir);
	f = fopen(path, "we");
	if (!f)
		fail_msg("%s: %s", path, strerror(errno));
	fprintf(f,
		"{\"ociVersion\": \"1.0.2\",\n"
		" \"root\": {\"path\": \"%s\", \"readonly\": true},\n"
		" \"process\": {\"args\": %s, \"cwd\": \"/\", \"env\": [\"PATH=/bin:/sbin\"],\n"
		"   \"user\": {\"uid\": 0, \"gid\": 0},\n"
		"   \"capabilities\": {\"bounding\": [\"CAP_KILL\"], \"effective\": "
		"[\"CAP_KILL\"], \"permitted\": [\"CAP_KILL\"]}},\n"
		" \"hostname\": \"oci-test\",\n"
		" \"mounts\": [\n"
		"  {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},\n"
		"  {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", "
		"\"options\": [\"nosuid\", \"mode=755\", \"size=64k\"]},\n"
		"  {\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\", "
		"\"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\"]},\n"
		"  {\"destination\": \"/tmp\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"},\n"
		"  {\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\", "
		"\"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"]}],\n"
		" %s\"annotations\": {\"org.test\": \"yes\"},\n"
		" \"linux\": {\"namespaces\": %s, %s\n"
		"   \"maskedPaths\": [\"/proc/kcore\"], \"readonlyPaths\": [\"/proc/sys\"]}}\n",
		image, args, extra, ns, more);
	fclose(f);
}

/** The config: @p args is the JSON array of the command; @p extra more members, or "". */
static void
write_config_with(const char *dir, const char *args, const char *extra)
{
	write_config_ns(dir, args, extra, DEFAULT_NAMESPACES, "");
}

static void
write_config(const char *dir, const char *args)
{
	write_config_with(dir, args, "");
}

static int
setup(void **state)
{
	const char *img = getenv("NOOK_IMAGE");

	(void)state;
	skip_unless_root();
	if (!realpath(img && *img ? img : "build/images/busybox", image))
		fail_msg("the image: %s (make image)", strerror(errno));
	/* the group's own: the harness keeps only a few scratch directories, for one test */
	snprintf(root, sizeof(root), "/tmp/nook-oci-root-XXXXXX");
	snprintf(bundle, sizeof(bundle), "/tmp/nook-oci-bundle-XXXXXX");
	if (!mkdtemp(root) || !mkdtemp(bundle) || chmod(bundle, 0755) < 0)
		fail_msg("mkdtemp: %s", strerror(errno));
	write_config(bundle, "[\"sleep\", \"60\"]");
	return 0;
}

static int
teardown(void **state)
{
	char cmd[256];
	struct run r;

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s", root, bundle);
	run_shell(&r, cmd);
	return r.status;
}

/**
 * After each test: its containers, whatever a failure left them in — a container whose
 * start failed would wait on its exec.fifo forever, holding its cgroups — and the scratch
 * directories it made.
 */
static int
test_teardown(void **state)
{
	char cmd[PATH_MAX + 256];
	struct run r;

	(void)state;
	snprintf(cmd, sizeof(cmd),
		 "for d in %s/*/; do [ -d \"$d\" ] && %s --root %s delete --force "
		 "\"$(basename \"$d\")\" >/dev/null 2>&1; done; true",
		 root, step_path("nook"), root);
	run_shell(&r, cmd);
	remove_scratch_dirs();
	return 0;
}

/** Run `nook --root ROOT ARGS...` (NULL-terminated) to its end. */
#define nook(r, ...) run_step(r, "nook", "--root", root, __VA_ARGS__, NULL)

/**
 * `nook create` through a shell, the container's streams (and create's) into files in the
 * bundle; create's stderr is then read into @p r->err.
 */
static void
create_in(struct run *r, const char *dir, const char *id, const char *extra)
{
	char cmd[1024], path[128];
	FILE *f;
	size_t n;

	snprintf(cmd, sizeof(cmd),
		 "exec %s --root %s create --bundle %s %s %s </dev/null >%s/out 2>%s/err",
		 step_path("nook"), root, dir, extra, id, dir, dir);
	run_shell(r, cmd);
	snprintf(path, sizeof(path), "%s/err", dir);
	r->err[0] = '\0';
	if ((f = fopen(path, "re"))) {
		n = fread(r->err, 1, sizeof(r->err) - 1, f);
		r->err[n] = '\0';
		fclose(f);
	}
}

/** The contents of file @p dir/@p name, or "" (into a static buffer). */
static const char *
slurp(const char *dir, const char *name)
{
	static char buf[4096];
	char path[160];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "re"))) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

/** create_in() the tests' own bundle. */
static void
create(struct run *r, const char *id, const char *extra)
{
	create_in(r, bundle, id, extra);
}

/** `nook state ID`'s "status", or "" if state failed. */
static const char *
status_of(const char *id, char *buf, size_t size)
{
	struct run r;
	char *p;

	nook(&r, "state", id);
	buf[0] = '\0';
	if (r.status == 0 && (p = strstr(r.out, "\"status\": \"")))
		snprintf(buf, size, "%.*s", (int)strcspn(p + 11, "\""), p + 11);
	return buf;
}

/** Wait up to 5 s for container @p id to reach status @p want. */
static bool
becomes(const char *id, const char *want)
{
	char buf[32];

	for (int i = 0; i < 100; i++) {
		if (strcmp(status_of(id, buf, sizeof(buf)), want) == 0)
			return true;
		usleep(50000);
	}
	return false;
}

static void
lifecycle(void **state)
{
	char id[64], pidfile[128], dir[160], buf[32], want[160];
	struct run r;
	FILE *f;
	int pid = 0;

	(void)state;
	unique_name(id, "life");
	snprintf(pidfile, sizeof(pidfile), "%s/pid", bundle);
	snprintf(want, sizeof(want), "--pid-file %s", pidfile);
	create(&r, id, want);
	assert_int_equal(r.status, 0);
	assert_true(r.err[0] == '\0');
	f = fopen(pidfile, "re");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%d", &pid), 1);
	fclose(f);
	assert_true(pid > 1 && kill(pid, 0) == 0); /* it outlived create */
	nook(&r, "state", id);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "\"status\": \"created\""));
	snprintf(want, sizeof(want), "\"pid\": %d", pid);
	assert_non_null(strstr(r.out, want));
	assert_non_null(strstr(r.out, "\"org.test\": \"yes\""));
	assert_non_null(strstr(r.out, "\"ociVersion\""));
	nook(&r, "start", id);
	expect_run(&r, r.status == 0, "nook start of a created container");
	assert_string_equal(status_of(id, buf, sizeof(buf)), "running");
	nook(&r, "start", id);
	assert_int_not_equal(r.status, 0); /* only a created container starts */
	nook(&r, "delete", id);
	assert_int_not_equal(r.status, 0); /* running: not without --force */
	assert_non_null(strstr(r.err, "not stopped"));
	nook(&r, "kill", id, "KILL");
	assert_int_equal(r.status, 0);
	assert_true(becomes(id, "stopped"));
	nook(&r, "kill", id, "TERM");
	assert_int_not_equal(r.status, 0); /* nothing to signal */
	nook(&r, "delete", id);
	assert_int_equal(r.status, 0);
	snprintf(dir, sizeof(dir), "%s/%s", root, id);
	assert_false(file_exists(dir));
	nook(&r, "state", id);
	assert_int_equal(r.status, 125);
	assert_int_equal(count_lines(r.err), 1);
	assert_non_null(strstr(r.err, "does not exist"));
}

static void
kill_takes_names_and_numbers(void **state)
{
	char id[64];
	struct run r;

	(void)state;
	unique_name(id, "sig");
	create(&r, id, "");
	assert_int_equal(r.status, 0);
	nook(&r, "start", id);
	assert_int_equal(r.status, 0);
	nook(&r, "kill", id, "NOSUCH");
	assert_int_equal(r.status, 125);
	assert_int_equal(count_lines(r.err), 1);
	nook(&r, "kill", "--all", id, "9");
	assert_int_equal(r.status, 0);
	assert_true(becomes(id, "stopped"));
	nook(&r, "delete", id);
	assert_int_equal(r.status, 0);
}

/**
 * Under the default root, /run/nook, beside the step programs' containers: their sweep
 * (each step program sweeps when it starts) must leave an OCI container alone, which has
 * no runtime holding a lock once create has returned — it has the keep mark instead.
 */
static void
the_step_programs_sweep_leaves_oci_containers_alone(void **state)
{
	char id[64], cmd[512], dir[160];
	struct run r;

	(void)state;
	unique_name(id, "sweep");
	snprintf(cmd, sizeof(cmd), "exec %s create --bundle %s %s </dev/null >/dev/null 2>%s/err",
		 step_path("nook"), bundle, id, bundle);
	run_shell(&r, cmd);
	assert_int_equal(r.status, 0);
	run_step(&r, "01-uts", "true", NULL); /* sweeps /run/nook first */
	assert_int_equal(r.status, 0);
	snprintf(dir, sizeof(dir), "/run/nook/%s/state.json", id);
	assert_true(file_exists(dir));
	run_step(&r, "nook", "state", id, NULL);
	assert_non_null(strstr(r.out, "\"status\": \"created\""));
	run_step(&r, "nook", "delete", "--force", id, NULL);
	assert_int_equal(r.status, 0);
	snprintf(dir, sizeof(dir), "/run/nook/%s", id);
	assert_false(file_exists(dir));
}

static void
delete_force_kills_a_created_container(void **state)
{
	char id[64], buf[32];
	struct run r;

	(void)state;
	unique_name(id, "force");
	create(&r, id, "");
	assert_int_equal(r.status, 0);
	assert_string_equal(status_of(id, buf, sizeof(buf)), "created");
	nook(&r, "delete", "--force", id);
	assert_int_equal(r.status, 0);
	nook(&r, "state", id);
	assert_int_equal(r.status, 125);
}

static void
unknown_and_duplicate_ids_are_refused(void **state)
{
	char id[64];
	struct run r;

	(void)state;
	nook(&r, "start", "no-such-container");
	assert_int_equal(r.status, 125);
	assert_int_equal(count_lines(r.err), 1);
	nook(&r, "kill", "no-such-container");
	assert_int_not_equal(r.status, 0);
	nook(&r, "delete", "no-such-container");
	assert_int_not_equal(r.status, 0);
	nook(&r, "state", "../etc");
	assert_int_equal(r.status, 125);
	unique_name(id, "dup");
	create(&r, id, "");
	assert_int_equal(r.status, 0);
	create(&r, id, "");
	assert_int_equal(r.status, 125);
	assert_int_equal(count_lines(r.err), 1);
	assert_non_null(strstr(r.err, "exists"));
	nook(&r, "delete", "--force", id);
	assert_int_equal(r.status, 0);
}

static void
a_bad_config_leaves_nothing(void **state)
{
	char id[64], dir[160], bad[64];
	struct run r;

	(void)state;
	make_scratch_dir(bad, "oci-bad", 0755);
	write_config(bad, "[\"sh\"]");
	snprintf(dir, sizeof(dir), "sed -i 's/\"uid\": 0/\"uid\": \"0\"/' %s/config.json", bad);
	run_shell(&r, dir);
	assert_int_equal(r.status, 0);
	unique_name(id, "bad");
	nook(&r, "create", "--bundle", bad, id);
	assert_int_equal(r.status, 125);
	assert_string_equal(r.err, "nook: process.user.uid: expected an integer\n");
	snprintf(dir, sizeof(dir), "%s/%s", root, id);
	assert_false(file_exists(dir));
	snprintf(dir, sizeof(dir), "/sys/fs/cgroup/pids/nook/%s", id);
	assert_false(file_exists(dir));
}

static void
run_passes_the_exit_status_and_sees_the_config(void **state)
{
	char id[64], other[64];
	struct run r;

	(void)state;
	make_scratch_dir(other, "oci-run", 0755);
	write_config(other, "[\"sh\", \"-c\", \"hostname; cat /proc/kcore | wc -c; "
			    "touch /x 2>/dev/null || echo ro; grep CapEff /proc/self/status; "
			    "echo $PATH; exit 7\"]");
	unique_name(id, "run");
	nook(&r, "run", "--bundle", other, id);
	assert_int_equal(r.status, 7);
	assert_string_equal(r.out, "oci-test\n0\nro\nCapEff:\t0000000000000020\n/bin:/sbin\n");
	nook(&r, "state", id);
	assert_int_equal(r.status, 125); /* run deletes the container at its end */
}

static void
a_missing_command_is_127(void **state)
{
	char id[64], other[64];
	struct run r;

	(void)state;
	make_scratch_dir(other, "oci-127", 0755);
	write_config(other, "[\"/no/such/command\"]");
	unique_name(id, "nf");
	nook(&r, "run", "--bundle", other, id);
	expect_run(&r, r.status == 127 && count_lines(r.err) == 1,
		   "run of a command the image lacks: expected exit status 127 and one line "
		   "saying why (the container's error report, read by start)");
}

/**
 * A container that ends before its command runs, without a word: its seccomp profile
 * denies write(2), so not even "exec" reaches `start` through exec.fifo, only end-of-file.
 * start must fail, saying so, not report a command that runs.
 */
static void
start_fails_when_the_container_ends_before_its_command(void **state)
{
	char id[64], other[64], cmd[PATH_MAX + 512], buf[32];
	struct run r;

	(void)state;
	make_scratch_dir(other, "oci-mute", 0755);
	write_config(other, "[\"echo\", \"hi\"]");
	snprintf(cmd, sizeof(cmd),
		 "sed -i 's/\"linux\": {/\"linux\": {\"seccomp\": {\"defaultAction\": "
		 "\"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"write\"], \"action\": "
		 "\"SCMP_ACT_ERRNO\"}]},/' %s/config.json",
		 other);
	run_shell(&r, cmd);
	assert_int_equal(r.status, 0);
	unique_name(id, "mute");
	snprintf(cmd, sizeof(cmd),
		 "exec %s --root %s create --bundle %s %s </dev/null >/dev/null 2>&1",
		 step_path("nook"), root, other, id);
	run_shell(&r, cmd);
	assert_int_equal(r.status, 0);
	nook(&r, "start", id);
	expect_run(&r, r.status == 125 && count_lines(r.err) == 1,
		   "start of a container that ended before its command ran (end-of-file on "
		   "exec.fifo without an \"exec\" report): expected exit status 125 and one line");
	assert_non_null(strstr(r.err, "ended before its command ran"));
	assert_string_equal(status_of(id, buf, sizeof(buf)), "stopped");
	nook(&r, "delete", id);
	assert_int_equal(r.status, 0);
}

/**
 * A command that `create` finds but that cannot be executed — a directory passes its
 * first look (search permission is X_OK) and execvp(3) refuses it with EACCES: the
 * container's error report reaches `start` through exec.fifo, and start fails with 126.
 */
static void
start_reports_a_command_that_cannot_execute(void **state)
{
	char id[64], other[64], cmd[PATH_MAX + 512];
	struct run r;

	(void)state;
	make_scratch_dir(other, "oci-126", 0755);
	write_config(other, "[\"/bin\"]");
	unique_name(id, "noexec");
	snprintf(cmd, sizeof(cmd),
		 "exec %s --root %s create --bundle %s %s </dev/null >/dev/null 2>&1",
		 step_path("nook"), root, other, id);
	run_shell(&r, cmd);
	assert_int_equal(r.status, 0);
	nook(&r, "start", id);
	expect_run(&r, r.status == 126 && count_lines(r.err) == 1,
		   "start of a command execvp(3) refuses (a directory): expected exit status 126 "
		   "and one line, the container's error report read from exec.fifo");
	nook(&r, "delete", "--force", id);
	assert_int_equal(r.status, 0);
}

static void
spec_writes_a_config_and_refuses_to_overwrite(void **state)
{
	char dir[64], cmd[256];
	struct run r;

	(void)state;
	make_scratch_dir(dir, "oci-spec", 0755);
	run_step(&r, "nook", "spec", "--bundle", dir, NULL);
	assert_int_equal(r.status, 0);
	snprintf(cmd, sizeof(cmd), "grep -c '\"type\": \"network\"' %s/config.json", dir);
	run_shell(&r, cmd);
	assert_string_equal(r.out, "1\n");
	run_step(&r, "nook", "spec", "--bundle", dir, NULL);
	assert_int_equal(r.status, 125);
	snprintf(cmd, sizeof(cmd), "rm %s/config.json", dir);
	run_shell(&r, cmd);
	run_step(&r, "nook", "spec", "--rootless", "--bundle", dir, NULL);
	assert_int_equal(r.status, 0);
	snprintf(cmd, sizeof(cmd),
		 "grep -c -e '\"type\": \"network\"' -e uidMappings %s/config.json", dir);
	run_shell(&r, cmd);
	assert_string_equal(r.out, "1\n");
}

static void
exec_joins_every_namespace_and_the_cgroup(void **state)
{
	char id[64], cmd[512];
	struct run r;

	(void)state;
	unique_name(id, "exec");
	create(&r, id, "");
	assert_int_equal(r.status, 0);
	nook(&r, "start", id);
	assert_int_equal(r.status, 0);
	/* each namespace as the exec'd process and the container's command (PID 2, under
	 * nook-init, which is not dumpable: its /proc/1/ns cannot be read) have it */
	nook(&r, "exec", "--env", "X=1", id, "/bin/sh", "-c",
	     "for n in ipc mnt net pid uts cgroup; do "
	     "[ $(readlink /proc/self/ns/$n) = $(readlink /proc/2/ns/$n) ] || echo differ $n; "
	     "done; hostname; echo $X; exit 5");
	assert_int_equal(r.status, 5);
	assert_string_equal(r.out, "oci-test\n1\n");
	/* the exec'd process is counted in the container's cgroup */
	snprintf(cmd, sizeof(cmd),
		 "%s --root %s exec %s /bin/sh -c 'sleep 1' & sleep 0.5; %s --root %s ps "
		 "--format json %s",
		 step_path("nook"), root, id, step_path("nook"), root, id);
	run_shell(&r, cmd);
	assert_int_equal(r.status, 0);
	assert_int_equal(count_lines(r.out), 1);
	assert_true(strchr(r.out, ',') && strchr(strchr(r.out, ',') + 1, ',')); /* 3 or more */
	nook(&r, "exec", id, "/no/such/thing");
	assert_int_equal(r.status, 127);
	nook(&r, "delete", "--force", id);
	assert_int_equal(r.status, 0);
	nook(&r, "exec", id, "true");
	assert_int_equal(r.status, 125); /* gone */
}

/** The target of /proc/@p pid/@p file (a namespace link), or the file's text, into @p buf. */
static const char *
proc_of(int pid, const char *file, char *buf, size_t size)
{
	char path[64];
	ssize_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	buf[0] = '\0';
	if (strncmp(file, "ns/", 3) == 0) {
		n = readlink(path, buf, size - 1);
		buf[n > 0 ? n : 0] = '\0';
	} else if ((f = fopen(path, "re"))) {
		n = (ssize_t)fread(buf, 1, size - 1, f);
		buf[n > 0 ? n : 0] = '\0';
		fclose(f);
	}
	return buf;
}

/** The PID in file @p path, or 0. */
static int
pid_in(const char *path)
{
	FILE *f = fopen(path, "re");
	int pid = 0;

	if (f && fscanf(f, "%d", &pid) != 1)
		pid = 0;
	if (f)
		fclose(f);
	return pid;
}

/**
 * Seen from the host: a process `exec --detach` started is in every namespace of the
 * container's first process (its init), and in its cgroups — and those are not the host's.
 */
static void
exec_shares_the_namespaces_and_cgroup_of_init(void **state)
{
	static const char *const files[] = {"ns/ipc", "ns/mnt",	   "ns/net",  "ns/pid",
					    "ns/uts", "ns/cgroup", "ns/user", "cgroup"};
	char id[64], pidfile[128], a[4096], b[4096];
	int init, pid;
	struct run r;

	(void)state;
	unique_name(id, "nsx");
	snprintf(pidfile, sizeof(pidfile), "%s/init.pid", bundle);
	snprintf(a, sizeof(a), "--pid-file %s", pidfile);
	create(&r, id, a);
	assert_int_equal(r.status, 0);
	nook(&r, "start", id);
	assert_int_equal(r.status, 0);
	init = pid_in(pidfile);
	snprintf(pidfile, sizeof(pidfile), "%s/exec.pid", bundle);
	snprintf(a, sizeof(a), /* its streams elsewhere: the harness waits for its pipes */
		 "exec %s --root %s exec --detach --pid-file %s %s sleep 30 </dev/null >/dev/null "
		 "2>&1",
		 step_path("nook"), root, pidfile, id);
	run_shell(&r, a);
	assert_int_equal(r.status, 0);
	pid = pid_in(pidfile);
	assert_true(init > 1 && pid > 1 && pid != init);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		proc_of(init, files[i], a, sizeof(a));
		assert_true(a[0] != '\0');
		assert_string_equal(proc_of(pid, files[i], b, sizeof(b)), a);
	}
	/* new ones, not the host's: the test's own differ (user and cgroup: not asked for) */
	assert_string_not_equal(proc_of(getpid(), "ns/pid", b, sizeof(b)),
				proc_of(init, "ns/pid", a, sizeof(a)));
	assert_string_not_equal(proc_of(getpid(), "ns/mnt", b, sizeof(b)),
				proc_of(init, "ns/mnt", a, sizeof(a)));
	assert_string_not_equal(proc_of(getpid(), "cgroup", b, sizeof(b)),
				proc_of(init, "cgroup", a, sizeof(a)));
	assert_non_null(strstr(a, id)); /* the container's own cgroup, named by its ID */
	nook(&r, "delete", "--force", id);
	assert_int_equal(r.status, 0);
	snprintf(a, sizeof(a), "/proc/%d", pid);
	for (int i = 0; i < 100 && file_exists(a); i++)
		usleep(50000);
	assert_false(file_exists(a)); /* it died with the container */
}

/** create_in() and start container @p id from bundle @p dir; its first process's PID. */
static int
create_and_start(const char *dir, const char *id)
{
	char extra[128], path[96];
	struct run r;

	snprintf(path, sizeof(path), "%s/pid", dir);
	snprintf(extra, sizeof(extra), "--pid-file %s", path);
	create_in(&r, dir, id, extra);
	expect_run(&r, r.status == 0, "create %s", id);
	nook(&r, "start", id);
	assert_int_equal(r.status, 0);
	return pid_in(path);
}

/** The first child of @p pid (the command under nook-init), or 0. */
static int
first_child(int pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", pid, pid);
	return pid_in(path);
}

/** Wait up to 5 s for process @p pid to be gone; whether it is. */
static bool
gone(int pid)
{
	char path[32];

	snprintf(path, sizeof(path), "/proc/%d", pid);
	for (int i = 0; i < 100 && file_exists(path); i++)
		usleep(50000);
	return !file_exists(path);
}

/**
 * linux.namespaces[].path: a container joins the PID, network, IPC, UTS and cgroup
 * namespaces of another (a pod's way); seen from the host its command is in each of
 * them, `exec` lands in the joined PID namespace too, and delete kills the command that
 * its init, outside that namespace, leaves behind.
 */
static void
namespaces_are_joined_by_path(void **state)
{
	static const char *const types[][2] = {{"pid", "pid"},
					       {"network", "net"},
					       {"ipc", "ipc"},
					       {"uts", "uts"},
					       {"cgroup", "cgroup"}};
	char holder[64], joiner[64], a[64], b[64], ns[1024], x[256], y[256], *p = ns;
	int hpid, jpid, cmd;
	struct run r;

	(void)state;
	make_scratch_dir(a, "oci-holder", 0755);
	make_scratch_dir(b, "oci-joiner", 0755);
	write_config_ns(a, "[\"sleep\", \"60\"]", "",
			"[{\"type\": \"pid\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"}, "
			"{\"type\": \"mount\"}, {\"type\": \"network\"}, {\"type\": \"cgroup\"}]",
			"");
	unique_name(holder, "holder");
	hpid = create_and_start(a, holder);
	p += sprintf(p, "[{\"type\": \"mount\"}");
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		p += sprintf(p, ", {\"type\": \"%s\", \"path\": \"/proc/%d/ns/%s\"}", types[i][0],
			     hpid, types[i][1]);
	sprintf(p, "]");
	write_config_ns(b, "[\"sleep\", \"60\"]", "", ns, "");
	unique_name(joiner, "joiner");
	jpid = create_and_start(b, joiner);
	cmd = first_child(jpid);
	assert_true(hpid > 1 && jpid > 1 && cmd > 1);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		snprintf(x, sizeof(x), "ns/%s", types[i][1]);
		assert_string_equal(proc_of(cmd, x, y, sizeof(y)), proc_of(hpid, x, ns, 128));
	}
	assert_string_not_equal(proc_of(cmd, "ns/mnt", y, sizeof(y)), /* a new one of its own */
				proc_of(hpid, "ns/mnt", ns, 128));
	assert_string_not_equal(proc_of(getpid(), "ns/mnt", x, sizeof(x)), y);
	nook(&r, "exec", joiner, "readlink", "/proc/self/ns/pid");
	assert_int_equal(r.status, 0);
	snprintf(x, sizeof(x), "%s\n", proc_of(hpid, "ns/pid", y, sizeof(y)));
	assert_string_equal(r.out, x);
	nook(&r, "delete", "--force", joiner);
	assert_int_equal(r.status, 0);
	assert_true(gone(cmd)); /* not the init of its PID namespace: killed in its cgroup */
	assert_int_equal(kill(hpid, 0), 0); /* the holder lives on */
	nook(&r, "delete", "--force", holder);
	assert_int_equal(r.status, 0);
}

/**
 * A joined user namespace comes first: the container takes its id mappings, and the UTS
 * and mount namespaces made after joining it belong to it (or no hostname could be set,
 * nothing mounted). Its /proc is the host's, bound: a new proc needs a PID namespace of
 * the joined user namespace's that the mounting process is in.
 */
static void
a_user_namespace_is_joined_first(void **state)
{
	char holder[64], a[64], b[64], id[64], path[96], want[512], x[128], y[128];
	int hpid;
	struct run r;
	FILE *f;

	(void)state;
	make_scratch_dir(a, "oci-uholder", 0755);
	make_scratch_dir(b, "oci-ujoiner", 0755);
	write_config_ns(a, "[\"sleep\", \"60\"]", "",
			"[{\"type\": \"pid\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"}, "
			"{\"type\": \"mount\"}, {\"type\": \"network\"}, {\"type\": \"user\"}]",
			"\"uidMappings\": [{\"containerID\": 0, \"hostID\": 300000, \"size\": "
			"65536}], \"gidMappings\": [{\"containerID\": 0, \"hostID\": 300000, "
			"\"size\": 65536}],");
	unique_name(holder, "uholder");
	hpid = create_and_start(a, holder);
	snprintf(path, sizeof(path), "%s/config.json", b);
	if (!(f = fopen(path, "we")))
		fail_msg("%s: %s", path, strerror(errno));
	fprintf(f,
		"{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"%s\", \"readonly\": true},\n"
		" \"process\": {\"args\": [\"sh\", \"-c\", \"cat /proc/self/uid_map; hostname; "
		"readlink /proc/self/ns/user; readlink /proc/self/ns/pid; touch /dev/x\"], "
		"\"cwd\": \"/\", \"env\": [\"PATH=/bin\"]},\n"
		" \"hostname\": \"joiner\",\n"
		" \"mounts\": [{\"destination\": \"/proc\", \"type\": \"bind\", \"source\": "
		"\"/proc\", \"options\": [\"rbind\"]},\n"
		"  {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}],\n"
		" \"linux\": {\"namespaces\": [{\"type\": \"uts\"}, {\"type\": \"mount\"}, "
		"{\"type\": \"pid\", \"path\": \"/proc/%d/ns/pid\"}, "
		"{\"type\": \"user\", \"path\": \"/proc/%d/ns/user\"}]}}\n",
		image, hpid, hpid);
	fclose(f);
	unique_name(id, "ujoiner");
	nook(&r, "run", "--bundle", b, id);
	snprintf(want, sizeof(want), "         0     300000      65536\njoiner\n%s\n%s\n",
		 proc_of(hpid, "ns/user", x, sizeof(x)), proc_of(hpid, "ns/pid", y, sizeof(y)));
	expect_run(&r, r.status == 0 && strcmp(r.out, want) == 0, "expected \"%s\"", want);
	nook(&r, "exec", holder, "hostname"); /* the holder's UTS namespace kept its name */
	assert_string_equal(r.out, "oci-test\n");
	nook(&r, "delete", "--force", holder);
	assert_int_equal(r.status, 0);
}

/** What cannot be joined, or not in that order, is refused before anything is made. */
static void
joining_namespaces_is_checked(void **state)
{
	static const struct {
		const char *ns, *err;
	} cases[] = {
		{"[{\"type\": \"mount\"}, {\"type\": \"pid\"}, {\"type\": \"user\", \"path\": "
		 "\"/proc/1/ns/user\"}]",
		 "nook: linux.namespaces: a new PID namespace in a joined user namespace is not "
		 "supported\n"},
		{"[{\"type\": \"mount\"}, {\"type\": \"network\"}, {\"type\": \"network\", "
		 "\"path\": \"/proc/1/ns/net\"}]",
		 "nook: linux.namespaces[2].type: \"network\" given twice\n"},
		{"[{\"type\": \"mount\"}, {\"type\": \"ipc\", \"path\": \"proc/1/ns/ipc\"}]",
		 "nook: linux.namespaces[1].path: not an absolute path\n"},
		{"[{\"type\": \"mount\", \"path\": \"/proc/1/ns/mnt\"}]",
		 "nook: linux.namespaces[0].path: joining a mount namespace is not supported: nook "
		 "builds the root in a mount namespace of its own\n"},
		{"[{\"type\": \"mount\"}, {\"type\": \"uts\", \"path\": \"/no/such/ns\"}]",
		 "nook: open(\"/no/such/ns\"): No such file or directory\n"},
	};
	char dir[64], id[64], path[160];
	struct run r;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		make_scratch_dir(dir, "oci-nsbad", 0755);
		write_config_ns(dir, "[\"true\"]", "", cases[i].ns, "");
		unique_name(id, "nsbad");
		nook(&r, "run", "--bundle", dir, id);
		assert_int_equal(r.status, 125);
		assert_string_equal(r.err, cases[i].err);
		snprintf(path, sizeof(path), "%s/%s", root, id);
		assert_false(file_exists(path));
		snprintf(path, sizeof(path), "/sys/fs/cgroup/pids/nook/%s", id);
		assert_false(file_exists(path));
	}
}

/** Where the pids controller's tree is: its v1 hierarchy, or the v2 tree itself. */
static const char *
pids_root(void)
{
	return file_exists("/sys/fs/cgroup/pids") ? "/sys/fs/cgroup/pids" : "/sys/fs/cgroup";
}

/**
 * linux.cgroupsPath: an absolute path is below each hierarchy's root, a relative one below
 * nook's own directory; the container's processes and limits are there, and delete
 * removes the directory (its parent, shared as an engine's pods share one, stays).
 */
static void
cgroups_path_places_the_container(void **state)
{
	char dir[64], id[64], top[64], more[160], path[512], want[160];
	int pid;
	struct run r;

	(void)state;
	make_scratch_dir(dir, "oci-cgpath", 0755);
	unique_name(top, "cgtop");
	snprintf(more, sizeof(more),
		 "\"cgroupsPath\": \"/%s/c\", \"resources\": {\"pids\": {\"limit\": 20}},", top);
	write_config_ns(dir, "[\"sleep\", \"60\"]", "", DEFAULT_NAMESPACES, more);
	unique_name(id, "cgpath");
	pid = create_and_start(dir, id);
	snprintf(path, sizeof(path), "%s/%s/c", pids_root(), top);
	assert_string_equal(slurp(path, "pids.max"), "20\n");
	snprintf(want, sizeof(want), ":/%s/c\n", top);
	assert_non_null(strstr(proc_of(pid, "cgroup", more, sizeof(more)), want));
	snprintf(path, sizeof(path), "%s/nook/%s", pids_root(), id);
	assert_false(file_exists(path)); /* not the default place */
	nook(&r, "delete", "--force", id);
	assert_int_equal(r.status, 0);
	snprintf(path, sizeof(path), "%s/%s/c", pids_root(), top);
	assert_false(file_exists(path));
	snprintf(path, sizeof(path),
		 "rmdir /sys/fs/cgroup/*/%s /sys/fs/cgroup/%s 2>/dev/null; "
		 "ls -d /sys/fs/cgroup/*/%s /sys/fs/cgroup/%s 2>/dev/null | wc -l",
		 top, top, top, top);
	run_shell(&r, path);
	assert_string_equal(r.out, "0\n");
	/* relative: below nook/ */
	snprintf(more, sizeof(more), "\"cgroupsPath\": \"%s-rel\",", top);
	unlink(strcat(strcpy(path, dir), "/config.json"));
	write_config_ns(dir, "[\"sleep\", \"60\"]", "", DEFAULT_NAMESPACES, more);
	unique_name(id, "cgrel");
	pid = create_and_start(dir, id);
	snprintf(path, sizeof(path), "%s/nook/%s-rel", pids_root(), top);
	snprintf(want, sizeof(want), "%d\n", pid);
	assert_non_null(strstr(slurp(path, "cgroup.procs"), want));
	nook(&r, "delete", "--force", id);
	assert_int_equal(r.status, 0);
	snprintf(path, sizeof(path), "%s/nook/%s-rel", pids_root(), top);
	assert_false(file_exists(path));
}

/** The systemd form of cgroupsPath is refused in one line, before anything is made. */
static void
a_systemd_cgroups_path_is_refused(void **state)
{
	char dir[64], id[64], path[160];
	struct run r;

	(void)state;
	make_scratch_dir(dir, "oci-cgsd", 0755);
	write_config_ns(dir, "[\"true\"]", "", DEFAULT_NAMESPACES,
			"\"cgroupsPath\": \"machine.slice:nook:x\",");
	unique_name(id, "cgsd");
	nook(&r, "run", "--bundle", dir, id);
	assert_int_equal(r.status, 125);
	assert_string_equal(r.err, "nook: linux.cgroupsPath: \"machine.slice:nook:x\": the systemd "
				   "form slice:prefix:name needs --systemd-cgroup, which nook does "
				   "not support (podman: --cgroup-manager cgroupfs)\n");
	snprintf(path, sizeof(path), "%s/%s", root, id);
	assert_false(file_exists(path));
	snprintf(path, sizeof(path), "%s/nook/%s", pids_root(), id);
	assert_false(file_exists(path));
}

/** Where controller @p name's tree is: its v1 hierarchy, or the v2 tree itself. */
static const char *
controller_root(const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "/sys/fs/cgroup/%s", name);
	return file_exists(buf) ? buf : "/sys/fs/cgroup";
}

/**
 * `update --resources`: new limits reach the live container — a lower pids.max refuses
 * its next forks, a higher one (and more memory than before) lets them through — from a
 * file or from stdin; a bad one is named by its JSON path and changes nothing.
 */
static void
update_changes_the_live_limits(void **state)
{
	static const char forks[] = "sleep 2 & sleep 2 & sleep 2 & sleep 2 & wait; echo done";
	char dir[64], id[64], file[128], cg[96], mem[160], top[64], cmd[512];
	FILE *f;
	struct run r;

	(void)state;
	make_scratch_dir(dir, "oci-update", 0755);
	write_config_ns(dir, "[\"sleep\", \"60\"]", "", DEFAULT_NAMESPACES,
			"\"resources\": {\"pids\": {\"limit\": 50}, \"memory\": {\"limit\": "
			"33554432}},");
	unique_name(id, "update");
	create_and_start(dir, id);
	snprintf(cg, sizeof(cg), "%s/nook/%s", pids_root(), id);
	snprintf(mem, sizeof(mem), "%s/nook/%s", controller_root("memory", top, sizeof(top)), id);
	nook(&r, "exec", id, "sh", "-c", forks);
	assert_string_equal(r.out, "done\n");
	snprintf(file, sizeof(file), "%s/res.json", dir);
	if (!(f = fopen(file, "we")))
		fail_msg("%s: %s", file, strerror(errno));
	fprintf(f, "{\"pids\": {\"limit\": 4}}\n");
	fclose(f);
	nook(&r, "update", "--resources", file, id);
	expect_run(&r, r.status == 0, "update from a file");
	assert_string_equal(slurp(cg, "pids.max"), "4\n");
	nook(&r, "exec", id, "sh", "-c", forks); /* init, sleep, nook, sh: no room left */
	assert_non_null(strstr(r.err, "fork"));
	snprintf(cmd, sizeof(cmd),
		 "echo '{\"pids\": {\"limit\": 40}, \"memory\": {\"limit\": 67108864}}' | "
		 "%s --root %s update --resources - %s",
		 step_path("nook"), root, id);
	run_shell(&r, cmd);
	expect_run(&r, r.status == 0, "update from stdin");
	assert_string_equal(slurp(cg, "pids.max"), "40\n");
	assert_string_equal(slurp(mem, file_exists("/sys/fs/cgroup/memory")
					       ? "memory.limit_in_bytes"
					       : "memory.max"),
			    "67108864\n");
	nook(&r, "exec", id, "sh", "-c", forks);
	assert_string_equal(r.out, "done\n");
	snprintf(cmd, sizeof(cmd),
		 "echo '{\"pids\": {\"limit\": \"x\"}}' | %s --root %s update --resources - %s",
		 step_path("nook"), root, id);
	run_shell(&r, cmd);
	assert_int_equal(r.status, 125);
	assert_string_equal(r.err, "nook: linux.resources.pids.limit: expected an integer\n");
	assert_string_equal(slurp(cg, "pids.max"), "40\n");
	nook(&r, "kill", id, "KILL");
	assert_true(becomes(id, "stopped"));
	nook(&r, "update", "--resources", file, id);
	assert_int_equal(r.status, 125);
	assert_non_null(strstr(r.err, "stopped"));
	nook(&r, "delete", id);
	assert_int_equal(r.status, 0);
	nook(&r, "update", "--resources", file, id);
	assert_int_equal(r.status, 125);
}

/**
 * linux.resources reach the cgroup: seen from the host in its files, and from inside —
 * a process that wants more memory than the limit is killed (137), the CPU list is the
 * one the process may run on.
 */
static void
resources_reach_the_cgroup(void **state)
{
	char dir[64], id[64], disk[32], more[512], cg[160], top[64], want[64];
	bool v1 = file_exists("/sys/fs/cgroup/memory");
	struct run r;

	(void)state;
	run_shell(&r, "cat /sys/block/$(ls /sys/block | head -1)/dev");
	if (r.status != 0 || !r.out[0]) {
		print_message("  skipped: no block device in /sys/block\n");
		skip();
	}
	snprintf(disk, sizeof(disk), "%.*s", (int)strcspn(r.out, "\n"), r.out);
	make_scratch_dir(dir, "oci-res", 0755);
	snprintf(more, sizeof(more),
		 "\"resources\": {\"memory\": {\"limit\": 67108864}, \"cpu\": {\"quota\": 50000, "
		 "\"period\": 100000, \"cpus\": \"0\"}, \"pids\": {\"limit\": 30}, \"blockIO\": "
		 "{\"throttleReadBpsDevice\": [{\"major\": %.*s, \"minor\": %s, \"rate\": "
		 "1048576}]}},",
		 (int)strcspn(disk, ":"), disk, strchr(disk, ':') + 1);
	write_config_ns(dir, "[\"sleep\", \"60\"]", "", DEFAULT_NAMESPACES, more);
	unique_name(id, "res");
	create_and_start(dir, id);
	snprintf(cg, sizeof(cg), "%s/nook/%s", controller_root("memory", top, sizeof(top)), id);
	assert_string_equal(slurp(cg, v1 ? "memory.limit_in_bytes" : "memory.max"), "67108864\n");
	snprintf(cg, sizeof(cg), "%s/nook/%s", controller_root("cpu", top, sizeof(top)), id);
	assert_string_equal(slurp(cg, v1 ? "cpu.cfs_quota_us" : "cpu.max"),
			    v1 ? "50000\n" : "50000 100000\n");
	snprintf(cg, sizeof(cg), "%s/nook/%s", controller_root("blkio", top, sizeof(top)), id);
	snprintf(want, sizeof(want), v1 ? "%s 1048576\n" : "%s rbps=1048576", disk);
	assert_non_null(strstr(slurp(cg, v1 ? "blkio.throttle.read_bps_device" : "io.max"), want));
	snprintf(cg, sizeof(cg), "%s/nook/%s", pids_root(), id);
	assert_string_equal(slurp(cg, "pids.max"), "30\n");
	nook(&r, "exec", id, "grep", "Cpus_allowed_list", "/proc/self/status");
	assert_string_equal(r.out, "Cpus_allowed_list:\t0\n");
	nook(&r, "exec", id, "dd", "if=/dev/zero", "of=/dev/null", "bs=100M", "count=1");
	assert_int_equal(r.status, 137); /* the OOM killer, in the container's cgroup */
	nook(&r, "delete", "--force", id);
	assert_int_equal(r.status, 0);
}

/**
 * linux.devices: the nodes are made in the container's /dev with their type, numbers,
 * mode and owner, and may be opened (the device cgroup allows them); a FIFO too.
 */
static void
linux_devices_are_made_and_allowed(void **state)
{
	char dir[64], id[64];
	struct run r;

	(void)state;
	if (!file_exists("/dev/net/tun")) {
		print_message("  skipped: no /dev/net/tun on this host (the tun module)\n");
		skip();
	}
	make_scratch_dir(dir, "oci-devnodes", 0755);
	write_config_ns(
		dir,
		"[\"sh\", \"-c\", \"stat -c '%F %t:%T %a %u:%g' /dev/net/tun /dev/fifo; "
		"exec 3<>/dev/net/tun && echo opened\"]",
		"", DEFAULT_NAMESPACES,
		"\"devices\": [{\"path\": \"/dev/net/tun\", \"type\": \"c\", \"major\": 10, "
		"\"minor\": 200, \"fileMode\": 384, \"uid\": 0, \"gid\": 7}, {\"path\": "
		"\"/dev/fifo\", \"type\": \"p\", \"fileMode\": 416}],");
	unique_name(id, "devnodes");
	nook(&r, "run", "--bundle", dir, id);
	expect_run(&r, r.status == 0, "run");
	assert_string_equal(r.out,
			    "character special file a:c8 600 0:7\nfifo 0:0 640 0:0\nopened\n");
}

/**
 * linux.resources.devices: the device cgroup's rules. The same node (made by a
 * createContainer hook, which may mknod) opens when a rule allows it, and not without.
 */
static void
resource_device_rules_decide_what_opens(void **state)
{
	static const char *const rules[] = {
		"{\"allow\": false, \"access\": \"rwm\"}",
		"{\"allow\": false, \"access\": \"rwm\"}, {\"allow\": true, \"type\": \"c\", "
		"\"major\": 10, \"minor\": 200, \"access\": \"rw\"}",
	};
	static const char *const want[] = {"no\n", "opened\n"};
	char dir[64], id[64], hooks[PATH_MAX + 256], more[512];
	struct run r;

	(void)state;
	for (int i = 0; i < 2; i++) {
		make_scratch_dir(dir, "oci-devrules", 0755);
		snprintf(hooks, sizeof(hooks),
			 "\"hooks\": {\"createContainer\": [{\"path\": \"/bin/sh\", \"args\": "
			 "[\"sh\", \"-c\", \"mknod -m 666 %s/dev/tun c 10 200\"]}]},",
			 image);
		snprintf(more, sizeof(more), "\"resources\": {\"devices\": [%s]},", rules[i]);
		write_config_ns(
			dir,
			"[\"sh\", \"-c\", \"(exec 3<>/dev/tun) 2>/dev/null && echo opened || "
			"echo no; cat /dev/null && exec 4</dev/zero\"]",
			hooks, DEFAULT_NAMESPACES, more);
		unique_name(id, "devrules");
		nook(&r, "run", "--bundle", dir, id);
		expect_run(&r, r.status == 0, "run, rules %d", i);
		assert_string_equal(r.out, want[i]); /* and the default devices open all along */
	}
}

static void
pause_freezes_until_resume(void **state)
{
	char id[64], buf[32], dir[160];
	struct run r;

	(void)state;
	unique_name(id, "pause");
	create(&r, id, "");
	assert_int_equal(r.status, 0);
	nook(&r, "pause", id);
	assert_int_not_equal(r.status, 0); /* created, not running */
	nook(&r, "start", id);
	assert_int_equal(r.status, 0);
	nook(&r, "pause", id);
	assert_int_equal(r.status, 0);
	assert_string_equal(status_of(id, buf, sizeof(buf)), "paused");
	/* frozen: even SIGKILL waits for the thaw */
	nook(&r, "kill", id, "KILL");
	assert_int_equal(r.status, 0);
	usleep(300000);
	assert_string_equal(status_of(id, buf, sizeof(buf)), "paused");
	nook(&r, "resume", id);
	assert_int_equal(r.status, 0);
	assert_true(becomes(id, "stopped"));
	nook(&r, "delete", id);
	assert_int_equal(r.status, 0);
	snprintf(dir, sizeof(dir), "/sys/fs/cgroup/freezer/nook/%s", id);
	assert_false(file_exists(dir)); /* v1: pause made it, delete removed it */
}

/**
 * pause and resume on cgroup v2, whose every cgroup has its own cgroup.freeze, on any host:
 * in a mount namespace of the test's own, a cgroup2 hierarchy mounted over /sys/fs/cgroup
 * (a hybrid host's unified one: freezing needs no controller). A command printing every
 * 50 ms into a file stops while paused — cgroup.events says frozen — and goes on once
 * resumed; delete --force ends a paused one and removes its cgroup.
 */
static void
pause_freezes_on_cgroup_v2(void **state)
{
	char dir[64], id[64], cmd[PATH_MAX + 2048];
	struct run r, cleanup;

	(void)state;
	make_scratch_dir(dir, "oci-freeze2", 0755);
	write_config(dir, "[\"sh\", \"-c\", \"while :; do echo x; sleep 0.05; done\"]");
	unique_name(id, "freeze2");
	snprintf(cmd, sizeof(cmd),
		 "unshare -m sh -c 'mount -t cgroup2 none /sys/fs/cgroup || exit 99; "
		 "N=\"%s --root %s\"; ID=%s; D=%s; "
		 "$N run --detach --bundle $D $ID </dev/null >$D/lines 2>&1 || exit 93; "
		 "grep -c \"/sys/fs/cgroup/nook/$ID\\\"\" %s/$ID/state.json; sleep 0.3; "
		 "$N pause $ID || exit 94; $N state $ID | grep -o \"paused\"; "
		 "grep frozen /sys/fs/cgroup/nook/$ID/cgroup.events; "
		 "a=$(wc -l <$D/lines); sleep 0.5; [ $(wc -l <$D/lines) = $a ] && echo stopped; "
		 "$N resume $ID || exit 95; grep frozen /sys/fs/cgroup/nook/$ID/cgroup.events; "
		 "sleep 0.5; [ $(wc -l <$D/lines) -gt $a ] && echo going-on; "
		 "$N pause $ID; $N delete --force $ID; echo delete $?; "
		 "[ -e /sys/fs/cgroup/nook/$ID ] || echo removed'",
		 step_path("nook"), root, id, dir, root);
	run_shell(&r, cmd);
	if (r.status == 99) {
		print_message("  skipped: cannot mount a cgroup2 hierarchy here: %s\n", r.err);
		skip();
	}
	/* whatever failed: its cgroup is in that hierarchy, which test_teardown does not see */
	snprintf(cmd, sizeof(cmd),
		 "unshare -m sh -c 'mount -t cgroup2 none /sys/fs/cgroup && %s --root %s delete "
		 "--force %s; rmdir /sys/fs/cgroup/nook/%s' 2>/dev/null",
		 step_path("nook"), root, id, id);
	run_shell(&cleanup, cmd);
	expect_run(&r,
		   r.status == 0 && strcmp(r.out, "1\npaused\nfrozen 1\nstopped\nfrozen 0\n"
						  "going-on\ndelete 0\nremoved\n") == 0,
		   "pause, resume and delete --force through cgroup.freeze");
}

static void
hooks_get_the_state_on_stdin(void **state)
{
	char id[64], dir[64], hooks[1536], want[128];
	struct run r;

	(void)state;
	make_scratch_dir(dir, "oci-hooks", 0755);
	snprintf(hooks, sizeof(hooks),
		 "\"hooks\": {"
		 "\"prestart\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", "
		 "\"cat > %s/prestart; [ -e %s/create ] || echo first >> %s/prestart\"]}],"
		 "\"createRuntime\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", "
		 "\"cat > %s/create; echo $X >> %s/create\"], \"env\": [\"X=env-ok\"]}],"
		 "\"poststart\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", "
		 "\"cat > %s/poststart\"]}],"
		 "\"poststop\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", "
		 "\"cat > %s/poststop\"]}]},",
		 dir, dir, dir, dir, dir, dir, dir);
	write_config_with(dir, "[\"true\"]", hooks);
	unique_name(id, "hooks");
	nook(&r, "run", "--bundle", dir, id);
	assert_int_equal(r.status, 0);
	snprintf(want, sizeof(want), "\"id\":\"%s\",\"status\":\"creating\",\"pid\":", id);
	assert_non_null(strstr(slurp(dir, "create"), want));
	assert_non_null(strstr(slurp(dir, "create"), "\"org.test\":\"yes\""));
	assert_non_null(strstr(slurp(dir, "create"), "}env-ok\n"));
	assert_non_null(strstr(slurp(dir, "prestart"), want));	     /* the state, and before */
	assert_non_null(strstr(slurp(dir, "prestart"), "}first\n")); /* createRuntime */
	assert_non_null(strstr(slurp(dir, "poststart"), "\"status\":\"running\""));
	assert_non_null(strstr(slurp(dir, "poststop"), "\"status\":\"stopped\""));
}

/**
 * createContainer runs inside the container's namespaces before the pivot — its path and
 * the file it writes are the host's — and startContainer at start, its path and its /tmp
 * the container's, before the command: which reads what the hook left there.
 */
static void
container_hooks_run_inside(void **state)
{
	char id[64], dir[64], hooks[1024], want[160], mnt[128], line[160];
	int pid;
	struct run r;

	(void)state;
	make_scratch_dir(dir, "oci-inhooks", 0755);
	snprintf(hooks, sizeof(hooks),
		 "\"hooks\": {"
		 "\"createContainer\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", "
		 "\"{ cat; echo; hostname; readlink /proc/self/ns/mnt; } > %s/cc\"]}],"
		 "\"startContainer\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", "
		 "\"cat > /tmp/sc\"]}]},",
		 dir);
	write_config_with(dir, "[\"sh\", \"-c\", \"cat /tmp/sc; echo; sleep 60\"]", hooks);
	unique_name(id, "inhooks");
	pid = create_and_start(dir, id);
	snprintf(want, sizeof(want), "\"id\":\"%s\",\"status\":\"creating\",\"pid\":%d,", id, pid);
	assert_non_null(strstr(slurp(dir, "cc"), want));
	/* its hostname and mount namespace are the container's, not the host's */
	snprintf(line, sizeof(line), "}\noci-test\n%s\n", proc_of(pid, "ns/mnt", mnt, sizeof(mnt)));
	assert_non_null(strstr(slurp(dir, "cc"), line));
	assert_string_not_equal(proc_of(getpid(), "ns/mnt", want, sizeof(want)), mnt);
	snprintf(want, sizeof(want), "\"id\":\"%s\",\"status\":\"created\"", id);
	for (int i = 0; i < 100 && !strstr(slurp(dir, "out"), want); i++)
		usleep(50000); /* the command's stdout, as create left it */
	assert_non_null(strstr(slurp(dir, "out"), want));
	nook(&r, "delete", "--force", id);
	assert_int_equal(r.status, 0);
	/* failing inside fails create, and leaves nothing */
	write_config_with(dir, "[\"true\"]",
			  "\"hooks\": {\"createContainer\": [{\"path\": \"/bin/sh\", \"args\": "
			  "[\"sh\", \"-c\", \"exit 4\"]}]},");
	unique_name(id, "inhookfail");
	nook(&r, "run", "--bundle", dir, id);
	assert_int_equal(r.status, 125);
	assert_string_equal(r.err, "nook: hooks.createContainer[0] (/bin/sh): exit status 4\n");
	snprintf(line, sizeof(line), "%s/%s", root, id);
	assert_false(file_exists(line));
}

static void
a_failing_or_slow_hook_fails_create(void **state)
{
	char id[64], dir[64], path[160];
	struct run r;

	(void)state;
	make_scratch_dir(dir, "oci-hookfail", 0755);
	write_config_with(dir, "[\"true\"]",
			  "\"hooks\": {\"createRuntime\": [{\"path\": \"/bin/sh\", \"args\": "
			  "[\"sh\", \"-c\", \"exit 3\"]}]},");
	unique_name(id, "hookfail");
	nook(&r, "run", "--bundle", dir, id);
	assert_int_equal(r.status, 125);
	assert_string_equal(r.err, "nook: hooks.createRuntime[0] (/bin/sh): exit status 3\n");
	snprintf(path, sizeof(path), "%s/%s", root, id);
	assert_false(file_exists(path));
	snprintf(path, sizeof(path), "%s/config.json", dir);
	unlink(path);
	write_config_with(dir, "[\"true\"]",
			  "\"hooks\": {\"prestart\": [{\"path\": \"/bin/sleep\", \"args\": "
			  "[\"sleep\", \"10\"], \"timeout\": 1}]},");
	nook(&r, "run", "--bundle", dir, id);
	assert_int_equal(r.status, 125);
	assert_string_equal(r.err, "nook: hooks.prestart[0] (/bin/sleep): timed out after 1 s\n");
}

/** Rootless: `nook spec --rootless` bundles run as an ordinary user (nobody here). */
static void
rootless_spec_runs_as_nobody(void **state)
{
	char dir[64], nroot[64], cmd[PATH_MAX + 512], id[64];
	struct run r;

	(void)state;
	skip_unless_user_namespaces_as(65534, 65534);
	make_scratch_dir(dir, "oci-rootless", 0755);
	make_scratch_dir(nroot, "oci-rootless-root", 0700);
	if (chown(dir, 65534, 65534) < 0 || chown(nroot, 65534, 65534) < 0)
		fail_msg("chown: %s", strerror(errno));
	run_step_as(&r, 65534, 65534, "nook", "spec", "--rootless", "--bundle", dir, NULL);
	assert_int_equal(r.status, 0);
	/* the command, and the image as its root; the rest as spec wrote it */
	snprintf(cmd, sizeof(cmd),
		 "sed -i -e 's|\"terminal\": true|\"terminal\": false|' "
		 "-e 's|\"path\": \"rootfs\"|\"path\": \"%s\"|' "
		 "-e 's|^\\( *\\)\"sh\"$|\\1\"cat\", \"/proc/self/uid_map\"|' %s/config.json",
		 image, dir);
	run_shell(&r, cmd);
	assert_int_equal(r.status, 0);
	unique_name(id, "rootless");
	run_step_as(&r, 65534, 65534, "nook", "--root", nroot, "run", "--bundle", dir, id, NULL);
	expect_run(&r, r.status == 0, "rootless nook run");
	assert_string_equal(r.out, "         0      65534          1\n");
}

/** The environment a login gives the rootless test's user: its home, its runtime dir. */
static void
login_env(void *dir)
{
	char xdg[96];

	snprintf(xdg, sizeof(xdg), "%s/xdg", (const char *)dir);
	if (setenv("HOME", dir, 1) < 0 || setenv("XDG_RUNTIME_DIR", xdg, 1) < 0)
		_exit(125);
}

/** Run the shell script @p script as uid and gid 1000, logged in with @p dir as home. */
static void
as_user(struct run *r, const char *dir, const char *script)
{
	char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};
	struct proc p;

	start_argv_as(&p, r, 1000, 1000, login_env, (void *)dir, argv);
	finish(&p, RUN_TIMEOUT);
}

/**
 * Rootless, the whole life of a container as an ordinary user (uid 1000), with no --root:
 * the state goes under $XDG_RUNTIME_DIR/nook. The bundle is `nook spec --rootless` with
 * the default image copied in as rootfs/, as a user would make it.
 */
static void
rootless_lifecycle_as_an_ordinary_user(void **state)
{
	char dir[64], id[64], bin[PATH_MAX], cmd[2 * PATH_MAX + 2048];
	struct run r;

	(void)state;
	skip_unless_user_namespaces_as(1000, 1000);
	if (!realpath(runnable_as(1000, 1000, step_path("nook")), bin))
		fail_msg("nook: %s", strerror(errno));
	make_scratch_dir(dir, "oci-rl", 0755);
	snprintf(cmd, sizeof(cmd),
		 "mkdir -m 700 %s/xdg && cp -a %s %s/rootfs && chown -R 1000:1000 %s", dir, image,
		 dir, dir);
	run_shell(&r, cmd);
	assert_int_equal(r.status, 0);
	unique_name(id, "rl");
	snprintf(
		cmd, sizeof(cmd),
		"N=%s; cd %s || exit 90; $N spec --rootless || exit 91; "
		"sed -i -e 's|\"terminal\": true|\"terminal\": false|' "
		"-e 's|^\\( *\\)\"sh\"$|\\1\"sleep\", \"60\"|' config.json; "
		"$N create %s </dev/null >out 2>err || { cat err; exit 92; }; "
		"$N state %s | grep -c '\"status\": \"created\"'; "
		"[ -f xdg/nook/%s/state.json ] && echo state-in-xdg; "
		"$N start %s || exit 93; "
		"$N state %s | grep -c '\"status\": \"running\"'; "
		"$N exec %s cat /proc/self/uid_map; "
		"$N ps --format json %s | grep -c '^\\[[0-9]*,[0-9]*\\]$'; "
		"$N list | grep -c '^%s '; "
		"$N delete %s 2>/dev/null && echo deleted-while-running; "
		"$N kill %s KILL || exit 94; "
		"for i in $(seq 100); do $N state %s | grep -q stopped && break; sleep 0.05; done; "
		"$N state %s | grep -c '\"status\": \"stopped\"'; "
		"$N delete %s || exit 95; "
		"[ -e xdg/nook/%s ] && echo left-behind; "
		"$N state %s 2>/dev/null; echo state $?; "
		"sed -i 's|\"sleep\", \"60\"|\"sh\", \"-c\", \"id -u; exit 9\"|' config.json; "
		"$N run %s-run; echo run $?; ls xdg/nook",
		bin, dir, id, id, id, id, id, id, id, id, id, id, id, id, id, id, id, id);
	as_user(&r, dir, cmd);
	expect_run(&r, r.status == 0, "rootless nook as uid 1000");
	assert_string_equal(r.out,
			    "1\nstate-in-xdg\n1\n         0       1000          1\n1\n1\n1\nstate "
			    "125\n0\nrun 9\n");
}

/**
 * Run shell script @p script twice, as a person would type it. As root: $N is
 * `nook --root ROOT` and the bundle `nook spec`'s. As an ordinary user (uid 1000, logged
 * in): $N is plain `nook`, its state under $XDG_RUNTIME_DIR/nook, and the bundle
 * `nook spec --rootless`'s. Each time the bundle is $D, the script's working directory,
 * its root the default image, its command @p args (JSON) with no terminal; $ID a unique
 * ID, $S the state directory, $P the probe (tests/helpers/probe.c), $ROOTLESS 0 or 1.
 * What each run prints
 * must be @p want_root, then @p want_rootless; whatever it left is deleted.
 */
static void
both_ways(const char *args, const char *script, const char *want_root, const char *want_rootless)
{
	char dir[64], id[64], nook_bin[PATH_MAX], probe[PATH_MAX], cmd[16384];
	struct run r;

	skip_unless_user_namespaces_as(1000, 1000);
	for (int rootless = 0; rootless < 2; rootless++) {
		make_scratch_dir(dir, rootless ? "oci-user" : "oci-root", 0755);
		unique_name(id, rootless ? "user" : "root");
		if (!realpath(runnable_as(1000, 1000, step_path("nook")), nook_bin) ||
		    !realpath(runnable_as(1000, 1000, probe_path()), probe))
			fail_msg("nook, probe: %s", strerror(errno));
		snprintf(cmd, sizeof(cmd), "mkdir -m 700 %s/xdg && chown -R 1000:1000 %s", dir,
			 dir);
		run_shell(&r, cmd);
		assert_int_equal(r.status, 0);
		snprintf(cmd, sizeof(cmd),
			 "N='%s%s%s'; S=%s; P=%s; D=%s; ID=%s; ROOTLESS=%d; cd $D || exit 90; "
			 "$N spec %s >/dev/null || exit 91; "
			 "sed -i -e 's|\"terminal\": true|\"terminal\": false|' "
			 "-e 's|\"path\": \"rootfs\"|\"path\": \"%s\"|' "
			 "-e 's|^\\( *\\)\"sh\"$|\\1%s|' config.json || exit 92; %s",
			 nook_bin, rootless ? "" : " --root ", rootless ? "" : root,
			 rootless ? "\"$XDG_RUNTIME_DIR/nook\"" : root, probe, dir, id, rootless,
			 rootless ? "--rootless" : "", image, args, script);
		if (rootless)
			as_user(&r, dir, cmd);
		else
			run_shell(&r, cmd);
		expect_run(&r, strcmp(r.out, rootless ? want_rootless : want_root) == 0,
			   "as %s: expected \"%s\"", rootless ? "uid 1000, rootless" : "root",
			   rootless ? want_rootless : want_root);
		snprintf(cmd, sizeof(cmd),
			 "cd %s && for d in %s/*/; do [ -d \"$d\" ] && %s%s%s delete --force "
			 "\"$(basename \"$d\")\" >/dev/null 2>&1; done; true",
			 dir, rootless ? "xdg/nook" : root, nook_bin, rootless ? "" : " --root ",
			 rootless ? "" : root);
		if (rootless)
			as_user(&r, dir, cmd);
	}
}

/**
 * Every runtime command but exec, pause, resume and update, as root and rootless: create's
 * runc flags (the pid file names the process that outlived create), list in both formats,
 * delete --force of a running container (its process gone, its state too), run --detach,
 * features, --version, and the global options: --debug writes the command line into --log
 * before the error, in text and in JSON, once; --systemd-cgroup is refused in one line.
 */
static void
runtime_commands_as_root_and_rootless(void **state)
{
	static const char script[] =
		"$N create --no-pivot --no-new-keyring --pid-file $D/pid $ID </dev/null >out "
		"2>err || { cat err; exit 93; }; pid=$(cat $D/pid); kill -0 $pid && echo alive; "
		"$N state $ID | grep -c \"\\\"pid\\\": $pid,\"; "
		"$N list | grep -c \"^$ID  *$pid  *created  *$D \"; "
		"$N list --format json | grep -c "
		"\"\\\"id\\\":\\\"$ID\\\",\\\"status\\\":\\\"created\\\",\\\"pid\\\":$pid,\"; "
		"$N start $ID || exit 94; "
		"$N list --format json | grep -c "
		"\"\\\"id\\\":\\\"$ID\\\",\\\"status\\\":\\\"running\\\"\"; "
		"$N delete --force $ID || exit 95; "
		"for i in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.05; done; "
		"kill -0 $pid 2>/dev/null || echo killed; [ -e \"$S/$ID\" ] || echo removed; "
		"$N run --detach $ID-d </dev/null >/dev/null 2>&1; echo run-detach $?; "
		"dpid=$($N state $ID-d | sed -n 's/^ *\"pid\": \\([0-9]*\\),$/\\1/p'); "
		"kill -0 $dpid && $N state $ID-d | grep -c '\"status\": \"running\"'; "
		"$N kill $ID-d KILL; for i in $(seq 100); do kill -0 $dpid 2>/dev/null || break; "
		"sleep 0.05; done; $N delete $ID-d; echo delete $?; "
		"$N features | grep -c '\"ociVersionMax\": \"1.0.2\"'; "
		"$N --version | grep -c '^spec: 1.0.2$'; "
		"$N --debug --log log --log-format text state $ID-no 2>/dev/null; echo state $?; "
		"grep -c -e \" debug: nook state $ID-no$\" "
		"-e \" error: container \\\"$ID-no\\\" does not exist$\" log; "
		"$N --debug --log log.json --log-format json list >/dev/null; "
		"grep -c '^{\"level\":\"debug\",\"msg\":\"nook list\",\"time\":\"' log.json; "
		/* an image command, which nook-image runs: its line once, not again by nook */
		"$N --debug --log log.img --store $D/store images >/dev/null; grep -c debug "
		"log.img; "
		"$N --systemd-cgroup list 2>&1 >/dev/null | wc -l; $N --systemd-cgroup list "
		"2>/dev/null; echo systemd $?";
	static const char want[] = "alive\n1\n1\n1\n1\nkilled\nremoved\nrun-detach 0\n1\n"
				   "delete 0\n1\n1\nstate 125\n2\n1\n1\n1\nsystemd 125\n";

	(void)state;
	both_ways("\"sleep\", \"60\"", script, want, want);
}

/**
 * exec's options, as root and rootless: --cwd, --env and --user (root: uid 1000, which
 * keeps no capability; rootless: 0, the one uid its namespace maps — 1000 is refused in
 * one line naming it, 125, not by a bare EINVAL from inside), --process (a process object's args, cwd, env), --detach with --pid-file (the
 * process, seen from outside, alive and listed by ps), --tty with --console-socket (a pty
 * made inside, its master received by the probe, which types into it); and create's
 * --console-socket for a terminal: true container.
 */
static void
exec_options_as_root_and_rootless(void **state)
{
	static const char script[] =
		"$N run --detach $ID </dev/null >/dev/null 2>&1 || exit 93; "
		"[ -e $S/$ID/state.json ] || exit 94; U=1000:1000; [ $ROOTLESS = 0 ] || U=0:0; "
		"$N exec --cwd /dev --env X=1 --user $U $ID sh -c "
		"'echo $(pwd) $X $(id -u):$(id -g) $(grep CapEff /proc/self/status)'; "
		"echo '{\"args\": [\"sh\", \"-c\", \"echo $(pwd) $Z; exit 6\"], \"cwd\": "
		"\"/proc\", "
		"\"env\": [\"Z=zz\", \"PATH=/bin\"], \"user\": {\"uid\": 0, \"gid\": 0}}' >p.json; "
		"$N exec --process p.json $ID; echo process $?; "
		"$N exec --detach --pid-file $D/xpid $ID sleep 30 </dev/null >/dev/null 2>&1; "
		"echo detach $?; xp=$(cat $D/xpid); kill -0 $xp && echo exec-alive; "
		"$N ps --format json $ID | grep -c \"[[,]$xp[],]\"; "
		"$P console $D/x.sock 'tty; echo typed-$((6*7)); exit 3' >x.out & "
		"for i in $(seq 100); do [ -S $D/x.sock ] && break; sleep 0.05; done; "
		"$N exec --tty --console-socket $D/x.sock $ID sh; echo tty $?; wait; "
		"tr -d '\\r' <x.out | grep -c -e '^/dev/pts/[0-9]*$' -e '^typed-42$'; "
		/* --tty without a socket: nook makes the pty inside and relays it to its own; "^@"
		 * is the pty's echo of what script(1) types at the end of its input */
		"out=$(script -qec \"$N exec --tty $ID sh -c 'tty; exit 5'\" /dev/null); "
		"echo relayed $?; echo \"$out\" | tr -d '\\r' | sed 's/\\^@//g' | "
		"grep -c '^/dev/pts/[0-9]*$'; "
		/* rootless: uid 1000 is not mapped in the container, refused in one line */
		"[ $ROOTLESS = 0 ] || { $N exec --user 1000 $ID true; echo user $?; } 2>&1; "
		"$N delete --force $ID || exit 95; "
		"mkdir t && sed -e 's|\"terminal\": false|\"terminal\": true|' "
		"-e 's|\"sleep\", \"60\"|\"sh\"|' config.json >t/config.json; "
		"$P console $D/t.sock 'tty; echo typed-$((6*7)); exit 4' >t.out & "
		"for i in $(seq 100); do [ -S $D/t.sock ] && break; sleep 0.05; done; "
		"$N create --bundle t --console-socket $D/t.sock $ID-t </dev/null >/dev/null 2>&1; "
		"echo create $?; $N start $ID-t; wait; "
		"tr -d '\\r' <t.out | grep -c -e '^/dev/pts/[0-9]*$' -e '^typed-42$'; "
		"for i in $(seq 100); do $N state $ID-t | grep -q stopped && break; sleep 0.05; "
		"done; $N delete $ID-t; echo delete $?";

	(void)state;
	both_ways("\"sleep\", \"60\"", script,
		  "/dev 1 1000:1000 CapEff: 0000000000000000\n/proc zz\nprocess 6\ndetach 0\n"
		  "exec-alive\n1\ntty 3\n2\nrelayed 5\n1\ncreate 0\n2\ndelete 0\n",
		  "/dev 1 0:0 CapEff: 0000000020000420\n/proc zz\nprocess 6\ndetach 0\n"
		  "exec-alive\n1\ntty 3\n2\nrelayed 5\n1\n"
		  "nook: --user: uid 1000 is not in the user namespace's uid map\nuser 125\n"
		  "create 0\n2\ndelete 0\n");
}

/**
 * pause, resume and update as root, and as an ordinary user: a rootless container has no
 * cgroup (nook makes none without root), so each is refused in one line that says so,
 * with 125, and the container runs on. As root the effects are seen from outside: frozen,
 * then not; pids.max at its new value.
 */
static void
pause_and_update_as_root_and_rootless(void **state)
{
	static const char script[] =
		"$N run --detach $ID </dev/null >/dev/null 2>&1 || exit 93; "
		"pid=$($N state $ID | sed -n 's/^ *\"pid\": \\([0-9]*\\),$/\\1/p'); "
		"$N pause $ID 2>&1 | sed \"s/$ID/ID/\"; "
		"$N state $ID | grep -o '\"status\": \"[a-z]*\"'; "
		"$N resume $ID 2>&1 | sed \"s/$ID/ID/\"; "
		"$N state $ID | grep -o '\"status\": \"[a-z]*\"'; "
		"echo '{\"pids\": {\"limit\": 9}}' | $N update --resources - $ID 2>&1 | "
		"sed \"s/$ID/ID/\"; "
		"cat /sys/fs/cgroup/pids/nook/$ID/pids.max /sys/fs/cgroup/nook/$ID/pids.max "
		"2>/dev/null; $N pause $ID 2>/dev/null; echo pause $?; "
		"$N delete --force $ID; echo delete $?; "
		"for i in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.05; done; "
		"kill -0 $pid 2>/dev/null || echo gone";

	(void)state;
	/* delete --force of a paused container: a frozen process dies only once thawed */
	both_ways("\"sleep\", \"60\"", script,
		  "\"status\": \"paused\"\n\"status\": \"running\"\n9\npause 0\ndelete 0\ngone\n",
		  "nook: container \"ID\" has no cgroup to freeze: created without root, it got "
		  "none (nook has no delegated cgroup support)\n\"status\": \"running\"\n"
		  "nook: container \"ID\" has no cgroup to thaw: created without root, it got none "
		  "(nook has no delegated cgroup support)\n\"status\": \"running\"\n"
		  "nook: container \"ID\" has no cgroup to update: created without root, it got "
		  "none (nook has no delegated cgroup support)\npause 125\ndelete 0\ngone\n");
}

/**
 * kill --all reaches every process of the container, not only its first: the command and
 * a process exec'd beside it each trap SIGUSR1 and say so in /dev/shm; ps lists both. As
 * root they are the cgroup's; rootless, with no cgroup, those of its PID namespace.
 */
static void
kill_all_reaches_every_process_as_root_and_rootless(void **state)
{
	static const char script[] =
		"$N run --detach $ID </dev/null >/dev/null 2>&1 || exit 93; "
		"$N exec --detach --pid-file $D/xpid $ID sh -c 'trap \"echo exec >>/dev/shm/x\" "
		"USR1; while :; do sleep 0.1; done' </dev/null >/dev/null 2>&1 || exit 94; "
		"xp=$(cat $D/xpid); $N ps --format json $ID | grep -c \"[[,]$xp[],]\"; "
		"sleep 0.3; $N kill --all $ID USR1 || exit 95; "
		"for i in $(seq 100); do [ $($N exec $ID sort -u /dev/shm/x | wc -l) = 2 ] && "
		"break; sleep 0.05; done; $N exec $ID sort -u /dev/shm/x; "
		"$N kill --all $ID KILL; "
		"for i in $(seq 100); do kill -0 $xp 2>/dev/null || break; sleep 0.05; done; "
		"kill -0 $xp 2>/dev/null || echo gone; $N delete --force $ID";

	(void)state;
	/* the command, for sed's replacement: \\" there is \" in config.json */
	both_ways("\"sh\", \"-c\", \"trap \\\\\"echo first >>/dev/shm/x\\\\\" USR1; "
		  "while :; do sleep 0.1; done\"",
		  script, "1\nexec\nfirst\ngone\n", "1\nexec\nfirst\ngone\n");
}

/**
 * Seen from outside, as root and rootless: a process exec'd into a container is in every
 * namespace of its command (the first child of its init), and in its cgroups; the
 * namespaces the spec asks for are not the caller's.
 */
static void
exec_joins_every_namespace_as_root_and_rootless(void **state)
{
	static const char script[] =
		"$N create --pid-file $D/pid $ID </dev/null >out 2>err || { cat err; exit 93; }; "
		"$N start $ID || exit 94; pid=$(cat $D/pid); "
		"read cmd more </proc/$pid/task/$pid/children; "
		"$N exec --detach --pid-file $D/xpid $ID sleep 30 </dev/null >/dev/null 2>&1 || "
		"exit 95; xp=$(cat $D/xpid); "
		"for n in ipc mnt net pid uts user cgroup; do a=$(readlink /proc/$cmd/ns/$n); "
		"[ -n \"$a\" ] && [ \"$a\" = \"$(readlink /proc/$xp/ns/$n)\" ] || echo differ $n; "
		"[ \"$a\" = \"$(readlink /proc/self/ns/$n)\" ] && echo own $n; done; "
		"cmp -s /proc/$cmd/cgroup /proc/$xp/cgroup && echo same-cgroups; "
		"cmp -s /proc/self/cgroup /proc/$xp/cgroup || echo not-ours; "
		"$N delete --force $ID";

	(void)state;
	/* as the specs ask: as root no user namespace; rootless, none of the network (the
	 * host's, as runc's rootless spec has it) and no cgroup but the caller's */
	both_ways("\"sleep\", \"60\"", script, "own user\nsame-cgroups\nnot-ours\n",
		  "own net\nsame-cgroups\n");
}

/**
 * A malformed config.json is refused as root and rootless alike: one line naming its JSON
 * path, 125, nothing left behind. The hooks of a good one see the container's state on
 * their stdin, and run as root and as the ordinary user.
 */
static void
config_errors_and_hooks_as_root_and_rootless(void **state)
{
	static const char script[] =
		"sed 's|\"uid\": 0,|\"uid\": \"0\",|' config.json >bad.json; mkdir bad; "
		"mv bad.json bad/config.json; $N create --bundle bad $ID </dev/null >/dev/null "
		"2>err; echo create $?; cat err; ls $S 2>/dev/null | grep -c $ID; "
		"sed -i 's|^{|{\"hooks\": {\"createRuntime\": [{\"path\": \"/bin/sh\", \"args\": "
		"[\"sh\", \"-c\", \"{ cat; echo; id -u; } >'$D'/created\"]}], \"poststop\": "
		"[{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"cat >'$D'/stopped\"]}]},|' "
		"config.json; $N run $ID; echo run $?; "
		"grep -c \"\\\"id\\\":\\\"$ID\\\",\\\"status\\\":\\\"creating\\\"\" created; "
		"tail -n 1 created; grep -c '\"status\":\"stopped\"' stopped";

	(void)state;
	both_ways(
		"\"true\"", script,
		"create 125\nnook: process.user.uid: expected an integer\n0\nrun 0\n1\n0\n1\n",
		"create 125\nnook: process.user.uid: expected an integer\n0\nrun 0\n1\n1000\n1\n");
}

/**
 * run with process.terminal and no --console-socket, as root and rootless: nook makes a
 * pty and relays it to its own terminal (here script(1)'s); the command's status comes
 * back.
 */
static void
run_relays_a_terminal_as_root_and_rootless(void **state)
{
	static const char script[] =
		"sed -i 's|\"terminal\": false|\"terminal\": true|' config.json; "
		"out=$(script -qec \"$N run $ID\" /dev/null); echo status $?; "
		"echo \"$out\" | tr -d '\\r' | sed -e 's/\\^@//g' -e '/^$/d'";

	(void)state;
	both_ways("\"sh\", \"-c\", \"tty; exit 4\"", script, "status 4\n/dev/pts/0\n",
		  "status 4\n/dev/pts/0\n");
}

/** runc's default spec wants a terminal: run gives it one of its own, relayed, as runc. */
static void
run_with_a_terminal_relays_a_pty(void **state)
{
	char dir[64], cmd[PATH_MAX + 512], id[64];
	struct run r;

	(void)state;
	make_scratch_dir(dir, "oci-tty", 0755);
	run_step(&r, "nook", "spec", "--bundle", dir, NULL);
	assert_int_equal(r.status, 0);
	snprintf(cmd, sizeof(cmd),
		 "sed -i -e 's|\"path\": \"rootfs\"|\"path\": \"%s\"|' "
		 "-e 's|^\\( *\\)\"sh\"$|\\1\"sh\", \"-c\", \"tty; exit 4\"|' %s/config.json",
		 image, dir);
	run_shell(&r, cmd);
	assert_int_equal(r.status, 0);
	unique_name(id, "tty");
	snprintf(cmd, sizeof(cmd),
		 "out=$(script -qec '%s --root %s run --bundle %s %s' /dev/null); echo status $?; "
		 "echo \"$out\" | tr -d '\\r' | sed -e 's/\\^@//g' -e '/^$/d'",
		 step_path("nook"), root, dir, id);
	run_shell(&r, cmd);
	assert_string_equal(r.out, "status 4\n/dev/pts/0\n");
	unique_name(id, "tty");
	nook(&r, "run", "--detach", "--bundle", dir, id); /* nothing could reach its terminal */
	assert_int_equal(r.status, 125);
	assert_int_equal(count_lines(r.err), 1);
}

static void
global_options(void **state)
{
	char log[96];
	struct run r;

	(void)state;
	run_step(&r, "nook", "--version", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "spec: 1.0"));
	run_step(&r, "nook", "--systemd-cgroup", "list", NULL);
	assert_int_equal(r.status, 125);
	assert_int_equal(count_lines(r.err), 1);
	run_step(&r, "nook", "features", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "\"ociVersionMax\""));
	assert_non_null(strstr(r.out, "\"createContainer\", \"startContainer\""));
	run_step(&r, "nook", "frobnicate", NULL);
	assert_int_equal(r.status, 125);
	/* --log: the error again, one JSON object a line, for the engine to read */
	snprintf(log, sizeof(log), "%s/log.json", root);
	run_step(&r, "nook", "--root", root, "--log", log, "--log-format", "json", "state",
		 "nosuch", NULL);
	assert_int_equal(r.status, 125);
	assert_non_null(strstr(slurp(root, "log.json"),
			       "{\"level\":\"error\",\"msg\":\"container \\\"nosuch\\\" does "
			       "not exist\",\"time\":\""));
	assert_int_equal(count_lines(slurp(root, "log.json")), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(lifecycle, test_teardown),
		cmocka_unit_test_teardown(kill_takes_names_and_numbers, test_teardown),
		cmocka_unit_test_teardown(delete_force_kills_a_created_container, test_teardown),
		cmocka_unit_test_teardown(the_step_programs_sweep_leaves_oci_containers_alone,
					  test_teardown),
		cmocka_unit_test_teardown(unknown_and_duplicate_ids_are_refused, test_teardown),
		cmocka_unit_test_teardown(a_bad_config_leaves_nothing, test_teardown),
		cmocka_unit_test_teardown(run_passes_the_exit_status_and_sees_the_config,
					  test_teardown),
		cmocka_unit_test_teardown(a_missing_command_is_127, test_teardown),
		cmocka_unit_test_teardown(start_fails_when_the_container_ends_before_its_command,
					  test_teardown),
		cmocka_unit_test_teardown(start_reports_a_command_that_cannot_execute,
					  test_teardown),
		cmocka_unit_test_teardown(spec_writes_a_config_and_refuses_to_overwrite,
					  test_teardown),
		cmocka_unit_test_teardown(exec_joins_every_namespace_and_the_cgroup, test_teardown),
		cmocka_unit_test_teardown(exec_shares_the_namespaces_and_cgroup_of_init,
					  test_teardown),
		cmocka_unit_test_teardown(namespaces_are_joined_by_path, test_teardown),
		cmocka_unit_test_teardown(a_user_namespace_is_joined_first, test_teardown),
		cmocka_unit_test_teardown(joining_namespaces_is_checked, test_teardown),
		cmocka_unit_test_teardown(cgroups_path_places_the_container, test_teardown),
		cmocka_unit_test_teardown(a_systemd_cgroups_path_is_refused, test_teardown),
		cmocka_unit_test_teardown(update_changes_the_live_limits, test_teardown),
		cmocka_unit_test_teardown(resources_reach_the_cgroup, test_teardown),
		cmocka_unit_test_teardown(linux_devices_are_made_and_allowed, test_teardown),
		cmocka_unit_test_teardown(resource_device_rules_decide_what_opens, test_teardown),
		cmocka_unit_test_teardown(pause_freezes_until_resume, test_teardown),
		cmocka_unit_test_teardown(pause_freezes_on_cgroup_v2, test_teardown),
		cmocka_unit_test_teardown(hooks_get_the_state_on_stdin, test_teardown),
		cmocka_unit_test_teardown(a_failing_or_slow_hook_fails_create, test_teardown),
		cmocka_unit_test_teardown(container_hooks_run_inside, test_teardown),
		cmocka_unit_test_teardown(rootless_spec_runs_as_nobody, test_teardown),
		cmocka_unit_test_teardown(rootless_lifecycle_as_an_ordinary_user, test_teardown),
		cmocka_unit_test_teardown(runtime_commands_as_root_and_rootless, test_teardown),
		cmocka_unit_test_teardown(exec_options_as_root_and_rootless, test_teardown),
		cmocka_unit_test_teardown(pause_and_update_as_root_and_rootless, test_teardown),
		cmocka_unit_test_teardown(kill_all_reaches_every_process_as_root_and_rootless,
					  test_teardown),
		cmocka_unit_test_teardown(exec_joins_every_namespace_as_root_and_rootless,
					  test_teardown),
		cmocka_unit_test_teardown(config_errors_and_hooks_as_root_and_rootless,
					  test_teardown),
		cmocka_unit_test_teardown(run_relays_a_terminal_as_root_and_rootless,
					  test_teardown),
		cmocka_unit_test_teardown(run_with_a_terminal_relays_a_pty, test_teardown),
		cmocka_unit_test_teardown(global_options, test_teardown),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

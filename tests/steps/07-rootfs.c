/**
 * @file 07-rootfs.c
 * @brief Step 07's tests: the container's root is the image, the host's files are out of
 *        reach, writes land in the container's own layer, /dev, /sys and /proc are
 *        hardened, and nothing is left behind on the host.
 *
 * The image is build/images/busybox (`make image`; $NOOK_IMAGE overrides it). Tests that
 * need layers of their own build small ones in a scratch directory, /tmp/nook-rootfs-XXXXXX,
 * stacked on top of the image. The state directory of a run is /run/nook/ID: the tests that
 * look at it name the container with --name (unique_name()).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "harness.h"

#define STEP "07-rootfs"
/** The unprivileged user the rootless test runs as. */
#define NOBODY 65534

/** What `ls /` shows in the busybox image. */
#define IMAGE_LS "bin\ndev\netc\nlinuxrc\nproc\nroot\nsbin\nsys\ntmp\nusr\n"

/** Exactly what the container's /dev holds, as `ls -A /dev` lists it. */
#define DEV_LS                                                                                     \
	"fd\nfull\nmqueue\nnull\nptmx\npts\nrandom\nshm\nstderr\nstdin\nstdout\ntty\nurandom\n"    \
	"zero\n"

static char image[PATH_MAX];
static char scratch[64];
/** The ID of a --keep run: teardown removes its state directory. */
static char kept[64];

static int
setup(void **state)
{
	const char *img = getenv("NOOK_IMAGE") ? getenv("NOOK_IMAGE") : "build/images/busybox";
	char sh[PATH_MAX + 16];

	(void)state;
	skip_unless_namespaces(CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNS |
			       CLONE_NEWNET);
	snprintf(sh, sizeof(sh), "%s/bin/sh", img);
	if (!realpath(img, image) || access(sh, X_OK) < 0)
		fail_msg("no image at %s: run 'make image' first", img);
	make_scratch_dir(scratch, "rootfs", 0755);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[160];

	(void)state;
	remove_scratch_dirs();
	scratch[0] = '\0';
	snprintf(cmd, sizeof(cmd), "rm -rf /run/nook/%s", kept);
	if (kept[0] && system(cmd) != 0)
		print_message("  could not remove /run/nook/%s\n", kept);
	kept[0] = '\0';
	return 0;
}

/** @p name in the scratch directory. */
static char *
in_scratch(char *buf, size_t cap, const char *name)
{
	snprintf(buf, cap, "%s/%s", scratch, name);
	return buf;
}

/** Write @p text to scratch/@p name, making its directories. */
static void
put_file(const char *name, const char *text)
{
	char path[256], cmd[512];
	FILE *f;

	in_scratch(path, sizeof(path), name);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	if (system(cmd) != 0 || !(f = fopen(path, "w")) || fputs(text, f) < 0 || fclose(f) != 0)
		fail_msg("writing %s: %s", path, strerror(errno));
}

/** The whole of @p path, or "(missing)". */
static const char *
file_text(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return "(missing)";
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/** The state directory of container @p id, or @p sub in it. */
static char *
state_dir(char *buf, size_t cap, const char *id, const char *sub)
{
	snprintf(buf, cap, "/run/nook/%s%s%s", id, sub ? "/" : "", sub ? sub : "");
	return buf;
}

/** Does any line of the host's mountinfo mention @p text? */
static bool
host_mountinfo_has(const char *text)
{
	char line[4096];
	bool found = false;
	FILE *f = fopen("/proc/self/mountinfo", "r");

	if (!f)
		fail_msg("cannot read /proc/self/mountinfo: %s", strerror(errno));
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, text) != NULL;
	fclose(f);
	return found;
}

/** Run `sh -c @p script` in the image, with @p opt (or NULL) before --rootfs. */
static void
run_in_image(struct run *r, const char *opt, const char *script)
{
	if (opt)
		run_step(r, STEP, opt, "--rootfs", image, "--", "/bin/sh", "-c", script, NULL);
	else
		run_step(r, STEP, "--rootfs", image, "--", "/bin/sh", "-c", script, NULL);
}

static void
root_is_the_image(void **state)
{
	struct run r;

	(void)state;
	run_in_image(&r, NULL, "ls /; cat /etc/hostname");
	expect_status(&r, 0);
	expect_stdout(&r, IMAGE_LS "nook\n");
}

static void
host_files_are_out_of_reach(void **state)
{
	char marker[128], script[512];
	struct run r;

	(void)state;
	put_file("marker", "host\n");
	in_scratch(marker, sizeof(marker), "marker");
	snprintf(script, sizeof(script),
		 "cat %s 2>/dev/null || echo unreachable; cd /..; pwd; cd ../../..; ls", marker);
	run_in_image(&r, NULL, script);
	expect_status(&r, 0);
	expect_run(&r, strcmp(r.out, "unreachable\n/\n" IMAGE_LS) == 0,
		   "the host's %s should be unreachable, and /.. should be / (the image)", marker);
}

/** Copy the static probe to scratch/@p name. */
static void
put_probe(const char *name)
{
	char cmd[512];

	put_file(name, "");
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s/%s' && chmod 755 '%s/%s'", probe_path(), scratch,
		 name, scratch, name);
	if (system(cmd) != 0)
		fail_msg("cannot copy the probe (%s) into %s", probe_path(), scratch);
}

static void
chroot_inside_cannot_climb_out(void **state)
{
	char jail[128], marker[128], chroot_cmd[512];
	struct run r;

	(void)state;
	put_file("marker", "host\n");
	put_probe("jail/probe");
	in_scratch(jail, sizeof(jail), "jail");
	in_scratch(marker, sizeof(marker), "marker");
	/* the same escape from a plain chroot reaches the marker: the probe does escape */
	snprintf(chroot_cmd, sizeof(chroot_cmd), "chroot '%s' /probe escape '%s'", jail, marker);
	run_shell(&r, chroot_cmd);
	expect_run(&r, r.status == 0, "the probe should escape a plain chroot(8) to %s", marker);
	run_step(&r, STEP, "--layer", jail, "--layer", image, "--", "/probe", "escape", marker,
		 NULL);
	expect_ran(&r);
	expect_run(&r, r.status == 1 && strstr(r.out, ": unreachable"),
		   "after pivot_root, a chroot escape inside must not reach the host's %s", marker);
}

/** Upper: a write and a delete inside, seen in the kept upper layer; the lower untouched. */
static void
writes_land_in_the_upper_layer(void **state)
{
	char top[128], upper[128], path[256];
	struct stat st;
	struct proc p;
	struct run r;

	(void)state;
	put_file("top/etc/changed", "lower\n");
	put_file("top/etc/gone", "lower\n");
	in_scratch(top, sizeof(top), "top");
	start_step(&p, &r, STEP, "--name", unique_name(kept, "keep"), "--keep", "--layer", top,
		   "--layer", image, "--", "/bin/sh", "-c",
		   "echo upper > /etc/changed && echo new > /new && rm /etc/gone && "
		   "cat /etc/changed /new && ls /etc/gone 2>&1",
		   NULL);
	finish(&p, RUN_TIMEOUT); /* its state directory is left: teardown removes it */
	state_dir(upper, sizeof(upper), kept, "upper");
	expect_ran(&r);
	expect_run(&r, r.status == 1 && strncmp(r.out, "upper\nnew\n", 10) == 0,
		   "expected the changed files inside, and /etc/gone gone");
	snprintf(path, sizeof(path), "%s/etc/changed", upper);
	if (strcmp(file_text(path), "upper\n") != 0)
		fail_msg("the changed file is not in the upper layer: %s holds %s", path,
			 file_text(path));
	snprintf(path, sizeof(path), "%s/etc/gone", upper);
	if (lstat(path, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(0, 0))
		fail_msg("no whiteout (character device 0/0) at %s", path);
	if (strcmp(file_text(in_scratch(path, sizeof(path), "top/etc/changed")), "lower\n") ||
	    strcmp(file_text(in_scratch(path, sizeof(path), "top/etc/gone")), "lower\n"))
		fail_msg("a lower layer's file changed: the lower must stay as it was");
}

static void
layers_merge_top_first(void **state)
{
	char top[128], mid[128];
	struct run r;

	(void)state;
	put_file("top/etc/hostname", "top\n");
	put_file("mid/etc/hostname", "mid\n");
	put_file("mid/etc/mid-only", "mid only\n");
	run_step(&r, STEP, "--layer", in_scratch(top, sizeof(top), "top"), "--layer",
		 in_scratch(mid, sizeof(mid), "mid"), "--layer", image, "--", "/bin/sh", "-c",
		 "cat /etc/hostname /etc/mid-only; ls /bin/busybox", NULL);
	expect_status(&r, 0);
	expect_stdout(&r, "top\nmid only\n/bin/busybox\n");
}

static void
masked_paths_read_empty(void **state)
{
	static const char *const files[] = {"/proc/keys", "/proc/timer_list", "/proc/sched_debug"};
	char script[512] = "";
	struct run r;
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (file_exists(files[i]))
			n += (size_t)snprintf(script + n, sizeof(script) - n,
					      "echo %s $(cat %s 2>/dev/null | wc -c); ", files[i],
					      files[i]);
	snprintf(script + n, sizeof(script) - n,
		 "echo /sys/firmware $(ls -A /sys/firmware | wc -l); touch /sys/firmware/x");
	run_in_image(&r, NULL, script);
	expect_status(&r, 1);
	expect_run(&r, strstr(r.err, "Read-only file system") != NULL,
		   "/sys/firmware, masked, should be a read-only empty directory");
	/* each line is "PATH SIZE": bytes read from a masked file, entries in a directory */
	for (const char *p = r.out; (p = strchr(p, ' ')); p++)
		expect_run(&r, p[1] == '0' && p[2] == '\n', "a masked path is not empty inside");
}

static void
sys_and_proc_sys_are_read_only(void **state)
{
	struct run r;

	(void)state;
	/* both writable by a container's root if mounted read-write: its own netns, UTS ns */
	run_in_image(&r, NULL,
		     "echo 1500 > /sys/class/net/lo/mtu; echo box > /proc/sys/kernel/hostname; "
		     "hostname");
	expect_status(&r, 0);
	expect_run(&r,
		   count_lines(r.err) == 2 && strstr(r.err, "/sys/class/net/lo/mtu: Read-only") &&
			   strstr(r.err, "/proc/sys/kernel/hostname: Read-only") &&
			   strcmp(r.out, "box\n") != 0,
		   "writing /sys/class/net/lo/mtu and /proc/sys/kernel/hostname should fail "
		   "with \"Read-only file system\"");
}

static void
dev_holds_only_the_listed_entries(void **state)
{
	struct run r;

	(void)state;
	run_in_image(&r, NULL,
		     "ls -A /dev; echo x > /dev/null && head -c 4 /dev/zero | wc -c && "
		     "ls /dev/pts");
	expect_status(&r, 0);
	expect_stdout(&r, DEV_LS "4\nptmx\n");
}

/**
 * The root and /dev are nodev: a device node there does not open, whatever its numbers;
 * the bound devices do. /dev/shm has Docker's 64m, not half the host's memory.
 */
static void
dev_is_nodev_and_shm_is_64m(void **state)
{
	struct run r;

	(void)state;
	run_in_image(&r, NULL,
		     "grep -E ' / | /dev ' /proc/self/mounts | grep -c nodev; "
		     "echo x > /dev/null && head -c 4 /dev/zero | wc -c; "
		     "df -k /dev/shm | awk 'NR == 2 { print $2 }'");
	expect_status(&r, 0);
	expect_stdout(&r, "2\n4\n65536\n");
}

static void
nothing_is_left_on_the_host(void **state)
{
	char dir[128], go[160], script[256], inside[128], name[64];
	bool during_mounted, during_dir;
	struct proc p;
	struct run r;

	(void)state;
	snprintf(script, sizeof(script),
		 "echo ready; while [ ! -e /x/go ]; do sleep 0.05; done; echo done");
	snprintf(inside, sizeof(inside), "%s:/x", scratch);
	start_step(&p, &r, STEP, "--name", unique_name(name, "left"), "--volume", inside,
		   "--rootfs", image, "--", "/bin/sh", "-c", script, NULL);
	wait_for_output(&p, "ready", RUN_TIMEOUT);
	state_dir(dir, sizeof(dir), name, NULL);
	during_dir = file_exists(dir);
	during_mounted = host_mountinfo_has(dir);
	close(open(in_scratch(go, sizeof(go), "go"), O_CREAT | O_WRONLY, 0644));
	finish(&p, RUN_TIMEOUT);
	expect_status(&r, 0);
	expect_stdout(&r, "ready\ndone\n");
	if (!during_dir)
		fail_msg("while the container ran, there was no state directory %s", dir);
	if (during_mounted)
		fail_msg("the container's overlay appears in the host's mount table (%s)", dir);
	if (host_mountinfo_has(dir))
		fail_msg("%s is still mounted on the host after the container ended", dir);
	if (file_exists(dir))
		fail_msg("the state directory %s is still there after the container ended", dir);
}

static void
volumes_and_read_only_root(void **state)
{
	char rw[192], ro[192], path[160];
	struct run r;

	(void)state;
	put_file("rw/keep", "");
	put_file("ro/file", "ro\n");
	snprintf(rw, sizeof(rw), "%s/rw:/data/rw", scratch);
	snprintf(ro, sizeof(ro), "%s/ro/file:/etc/ro-file:ro", scratch);
	run_step(&r, STEP, "--read-only", "--volume", rw, "--volume", ro, "--tmpfs", "/tmp",
		 "--rootfs", image, "--", "/bin/sh", "-c",
		 "echo in > /data/rw/written && cat /etc/ro-file && touch /tmp/ok && "
		 "{ echo x > /etc/ro-file; touch /root-file; } 2>&1",
		 NULL);
	expect_status(&r, 1);
	expect_run(&r,
		   strncmp(r.out, "ro\n", 3) == 0 && count_lines(r.out) == 3 &&
			   !strstr(r.out, "Permission"),
		   "expected the :ro volume and the read-only root to refuse writes");
	if (strcmp(file_text(in_scratch(path, sizeof(path), "rw/written")), "in\n") != 0)
		fail_msg("a file written in the volume is not in the host's %s", path);
	if (strcmp(file_text(in_scratch(path, sizeof(path), "ro/file")), "ro\n") != 0)
		fail_msg("the read-only volume's file changed on the host");
}

/** A bad --rootfs: exit 125, one line with @p why, and no state directory. */
static void
refused(const char *rootfs, const char *why)
{
	char dir[128], name[64];
	struct proc p;
	struct run r;

	start_step(&p, &r, STEP, "--name", unique_name(name, "bad"), "--rootfs", rootfs, "--",
		   "/bin/true", NULL);
	finish(&p, RUN_TIMEOUT);
	expect_run(&r, r.status == 125 && count_lines(r.err) == 1 && strstr(r.err, why),
		   "--rootfs \"%s\": expected one line with \"%s\", exit 125", rootfs, why);
	if (file_exists(state_dir(dir, sizeof(dir), name, NULL)))
		fail_msg("a refused --rootfs left %s behind", dir);
}

static void
bad_rootfs_is_refused(void **state)
{
	char missing[128], file[128];

	(void)state;
	put_file("file", "not a directory\n");
	refused(in_scratch(missing, sizeof(missing), "missing"), "No such file or directory");
	refused(in_scratch(file, sizeof(file), "file"), "Not a directory");
	/* the host's own files, or the writable layers of nook's state directory */
	refused("/", "the host's own root directory");
	refused("/etc/..", "the host's own root directory");
	refused("/run", "overlaps nook's state directory");
	if (mkdir("/run/nook", 0711) < 0 && errno != EEXIST)
		fail_msg("mkdir /run/nook: %s", strerror(errno));
	refused("/run/nook", "overlaps nook's state directory");
}

/**
 * Copy the image to a fresh directory under /tmp that anyone may enter: the container's
 * root is an unprivileged id on the host, and a checkout under /root or a 0700 directory
 * would be out of its reach, failing the overlay mount with EACCES.
 */
static void
reachable_image(char *copy)
{
	char *cp[] = {"/bin/cp", "-a", NULL, copy, NULL}, src[PATH_MAX + 8];
	struct run r;

	if (!mkdtemp(copy) || chmod(copy, 0755) < 0)
		fail_msg("mkdtemp/chmod(\"%s\"): %s", copy, strerror(errno));
	snprintf(src, sizeof(src), "%s/.", image);
	cp[2] = src;
	run_argv(&r, RUN_TIMEOUT, cp);
	expect_status(&r, 0);
}

static void
works_in_a_user_namespace(void **state)
{
	char upper[160], path[192], copy[] = "/tmp/nook-image-XXXXXX";
	char *rm[] = {"/bin/rm", "-rf", copy, NULL};
	struct stat st;
	struct proc p;
	struct run r, gone;

	(void)state;
	skip_unless_namespaces(CLONE_NEWUSER);
	reachable_image(copy);
	start_step(&p, &r, STEP, "--name", unique_name(kept, "userns"), "--keep", "--uid-map",
		   "0:300000:65536", "--gid-map", "0:300000:65536", "--rootfs", copy, "--",
		   "/bin/sh", "-c",
		   "id -u; cat /etc/hostname; echo hi > /new && cat /new; ls -A /dev | wc -l",
		   NULL);
	finish(&p, RUN_TIMEOUT); /* its state directory is left: teardown removes it */
	run_argv(&gone, RUN_TIMEOUT, rm);
	state_dir(upper, sizeof(upper), kept, "upper");
	snprintf(path, sizeof(path), "%s/new", upper);
	expect_status(&r, 0);
	expect_stdout(&r, "0\nnook\nhi\n14\n");
	if (stat(path, &st) < 0 || st.st_uid != 300000)
		fail_msg("%s should belong to 300000, the container's root on the host", path);
}

/** A nook killed by SIGKILL cannot clean up; the next nook removes its state directory. */
static void
a_killed_nooks_state_is_removed_by_the_next(void **state)
{
	char dir[128], name[64];
	struct proc p;
	struct run r, next;

	(void)state;
	start_step(&p, &r, STEP, "--name", unique_name(name, "killed"), "--rootfs", image, "--",
		   "/bin/sh", "-c", "echo ready; sleep 30", NULL);
	if (!wait_for_output(&p, "ready", RUN_TIMEOUT)) {
		finish(&p, 1);
		expect_ran(&r);
		expect_run(&r, false, "the command never printed 'ready'");
	}
	kill(p.pid, SIGKILL);
	finish(&p, RUN_TIMEOUT);
	state_dir(dir, sizeof(dir), name, NULL);
	if (!file_exists(dir))
		fail_msg("a nook killed with SIGKILL left no %s: nothing to test", dir);
	/* The same ID again, as a reused PID once was: the leftover must not block it. */
	run_step(&next, STEP, "--name", name, "--rootfs", image, "--", "true", NULL);
	expect_run(&next, next.status == 0,
		   "a container named as one whose nook was killed should start");
	if (file_exists(dir)) {
		snprintf(kept, sizeof(kept), "%s", name); /* teardown removes it */
		fail_msg("%s, left by a nook killed with SIGKILL, survived the next run", dir);
	}
}

/** A --keep run's upper layer outlives the runs after it (the sweep must not take it). */
static void
a_kept_layer_survives_the_next_runs(void **state)
{
	char path[192];
	struct run r, next;

	(void)state;
	run_step(&r, STEP, "--name", unique_name(kept, "kept"), "--keep", "--rootfs", image, "--",
		 "/bin/sh", "-c", "echo mine > /note", NULL);
	expect_status(&r, 0);
	run_step(&next, STEP, "--rootfs", image, "--", "true", NULL);
	expect_status(&next, 0);
	run_step(&next, STEP, "--rootfs", image, "--", "true", NULL);
	state_dir(path, sizeof(path), kept, "upper/note");
	if (strcmp(file_text(path), "mine\n") != 0)
		fail_msg("the kept upper layer lost %s after two more runs", path);
}

/** A --keep run that fails before its command runs keeps nothing: there is nothing to see. */
static void
a_failed_kept_run_leaves_nothing(void **state)
{
	char dir[128], name[64];
	struct run r;

	(void)state;
	run_step(&r, STEP, "--name", unique_name(name, "keepfail"), "--keep", "--rootfs", image,
		 "--", "nosuchcmd", NULL);
	expect_status(&r, 127);
	if (file_exists(state_dir(dir, sizeof(dir), name, NULL))) {
		snprintf(kept, sizeof(kept), "%s", name);
		fail_msg("a --keep run whose command was not found left %s", dir);
	}
}

/** Is directory @p path empty (or missing)? */
static bool
empty_dir(const char *path)
{
	char cmd[PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd), "[ -z \"$(ls -A '%s' 2>/dev/null)\" ]", path);
	return system(cmd) == 0;
}

/**
 * The whole container for an ordinary user (uid 65534): an image of its own in a user
 * namespace, its state under $XDG_RUNTIME_DIR, no cgroup — and a limit, which would need
 * one, refused in one line.
 */
static void
works_rootless(void **state)
{
	char copy[] = "/tmp/nook-image-XXXXXX", xdg[] = "/tmp/nook-xdg-XXXXXX", nook[64];
	char *rm[] = {"/bin/rm", "-rf", copy, xdg, NULL};
	struct run r, limited, gone;

	(void)state;
	skip_unless_user_namespaces_as(NOBODY, NOBODY);
	reachable_image(copy);
	if (!mkdtemp(xdg) || chown(xdg, NOBODY, NOBODY) < 0)
		fail_msg("mkdtemp/chown(\"%s\"): %s", xdg, strerror(errno));
	setenv("XDG_RUNTIME_DIR", xdg, 1);
	run_step_as(&r, NOBODY, NOBODY, STEP, "--userns", "--rootfs", copy, "--", "/bin/sh", "-c",
		    "id -u; cat /etc/hostname", NULL);
	run_step_as(&limited, NOBODY, NOBODY, STEP, "--userns", "--memory", "32m", "--rootfs", copy,
		    "--", "true", NULL);
	unsetenv("XDG_RUNTIME_DIR");
	snprintf(nook, sizeof(nook), "%s/nook", xdg);
	bool left = !empty_dir(nook);
	run_argv(&gone, RUN_TIMEOUT, rm);
	expect_status(&r, 0);
	expect_stdout(&r, "0\nnook\n");
	expect_run(&limited,
		   limited.status == 125 && count_lines(limited.err) == 1 &&
			   strstr(limited.err, "need root"),
		   "a rootless --memory: expected one line saying limits need root, exit 125");
	if (left)
		fail_msg("a rootless container left its state under %s", nook);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(root_is_the_image),
		T(host_files_are_out_of_reach),
		T(chroot_inside_cannot_climb_out),
		T(writes_land_in_the_upper_layer),
		T(layers_merge_top_first),
		T(masked_paths_read_empty),
		T(sys_and_proc_sys_are_read_only),
		T(dev_holds_only_the_listed_entries),
		T(dev_is_nodev_and_shm_is_64m),
		T(nothing_is_left_on_the_host),
		T(volumes_and_read_only_root),
		T(bad_rootfs_is_refused),
		T(works_in_a_user_namespace),
		T(works_rootless),
		T(a_killed_nooks_state_is_removed_by_the_next),
		T(a_kept_layer_survives_the_next_runs),
		T(a_failed_kept_run_leaves_nothing),
	};

	return cmocka_run_group_tests_name(STEP, tests, NULL, NULL);
}

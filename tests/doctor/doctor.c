/**
 * @file doctor.c
 * @brief Errors that explain themselves, and `nook doctor` (issue 18): each diagnosis of
 *        diagnose.c caused for real and its text asserted; doctor's report on this machine,
 *        and on a scratch machine (NOOK_DOCTOR_ROOT) whose checks fail.
 *
 * A diagnosis is caused from outside where a step program can meet it: a rootless run
 * without --userns, a zero user.max_uts_namespaces in a user namespace of the test's own,
 * a /proc with a masked file, /run/nook on an overlay, an empty /etc/subuid bound over the
 * host's in a private mount namespace, a copy-up of the image's root-owned /tmp in a user
 * namespace, a cgroup2 mount over a hybrid host's v1 tree, a "domain invalid" cgroup beside
 * a threaded one, an ordinary user writing into root's cgroup, a process written into a
 * cgroup that hands a controller down, a zero user.max_user_namespaces. The causes nook's
 * own code never reaches (it makes / private and bind-mounts the new root onto itself
 * before pivot_root, passes ".", "." to it, keeps upper/ and work/ together, sets
 * no_new_privs before its filter, keeps a locked mount's flags) and those of a caller
 * without CAP_SYS_ADMIN are caused by the test calling the kernel and the library as a
 * stage would, in a forked child: the errno is the kernel's, the text is nook_fail()'s.
 * Nothing outside the test's own namespaces and scratch files is changed, but on a
 * throwaway machine (NOOK_THROWAWAY_MACHINE: check-cgroup2's VM) Debian's
 * kernel.unprivileged_userns_clone is turned off for a moment.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "nook.h"

static char scratch[64];

static int
setup(void **state)
{
	(void)state;
	skip_unless_root();
	make_scratch_dir(scratch, "doctor", 0755);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	remove_scratch_dirs();
	return 0;
}

/** Run shell @p script with $B (the programs' directory), $I (the image) and $T set. */
static void
script(struct run *r, const char *text)
{
	char *cmd;
	const char *image = getenv("NOOK_IMAGE");

	if (asprintf(&cmd, "B='%s'; I='%s'; T='%s'; F='%s'; export B I T F; %s", step_path(""),
		     image && *image ? image : "build/images/busybox", scratch,
		     getenv("NOOK_FAILCLONE") ? getenv("NOOK_FAILCLONE") : "build/tests/failclone",
		     text) < 0)
		fail_msg("asprintf");
	run_shell(r, cmd);
	free(cmd);
}

/** nook's own failure, with @p call on its one line, and @p cause in its diagnosis. */
#define expect_diagnosis(r, call, cause)                                                           \
	expect_run(r,                                                                              \
		   (r)->status == 125 && count_lines((r)->err) == 1 && strstr((r)->err, call) &&   \
			   strstr((r)->err, "\n  - ") &&                                           \
			   strstr(strstr((r)->err, "\n  - "), cause),                              \
		   "expected exit 125, one line naming %s, and a diagnosis saying \"%s\"", call,   \
		   cause)

/* ---- diagnoses, caused by running a step program --------------------------------------- */

static void
clone_eperm_names_the_missing_capability(void **state)
{
	struct run r;

	(void)state;
	run_step_as(&r, NOBODY, NOBODY, "01-uts", "--", "true", NULL);
	expect_diagnosis(&r, "clone3(", "uid 65534 has no CAP_SYS_ADMIN");
	expect_run(&r, strstr(r.err, "--userns"), "the fix (--userns) should be named");
}

static void
clone_eperm_under_a_seccomp_filter(void **state)
{
	struct run r;

	(void)state;
	script(&r, "exec \"$F\" \"$B/01-uts\" -- true");
	expect_diagnosis(&r, "clone3(", "runs under a seccomp filter");
}

static void
clone_enospc_names_the_zero_sysctl(void **state)
{
	struct run r;

	(void)state;
	/* a user namespace of the test's own has its own limits: the host's stay untouched */
	script(&r, "unshare -U -r sh -c 'echo 0 >/proc/sys/user/max_uts_namespaces || exit 99; "
		   "exec \"$B/01-uts\" -- true'");
	if (r.status == 99) {
		print_message("  SKIP: cannot set user.max_uts_namespaces in a user namespace\n");
		skip();
	}
	expect_diagnosis(&r, "clone3(", "user.max_uts_namespaces is 0 here");
	expect_run(&r, strstr(r.err, "sysctl -w user.max_uts_namespaces="), "the fix: sysctl");
}

/**
 * The limit reached, not zero: user.max_uts_namespaces 1 in a user namespace of the
 * test's own, held by one UTS namespace there, and step 01's clone3 refused with ENOSPC.
 */
static void
clone_enospc_names_the_limit_reached(void **state)
{
	struct run r;

	(void)state;
	script(&r, "unshare -U -r sh -c 'echo 1 >/proc/sys/user/max_uts_namespaces || exit 99; "
		   "unshare -u sh -c \": >$T/uts-held; exec sleep 30\" & "
		   "until [ -e $T/uts-held ]; do sleep 0.05; done; "
		   "\"$B/01-uts\" -- true; rc=$?; kill $!; exit $rc'");
	if (r.status == 99) {
		print_message("  SKIP: cannot set user.max_uts_namespaces in a user namespace\n");
		skip();
	}
	expect_diagnosis(&r, "clone3(",
			 "this user already has the 1 uts namespaces user.max_uts_namespaces "
			 "allows");
}

/**
 * User namespaces turned off by their sysctl, as Fedora and RHEL do it: a zero
 * user.max_user_namespaces (in a user namespace of the test's own, whose limit it is) and
 * step 05's clone3(CLONE_NEWUSER) refused with ENOSPC; the diagnosis names the sysctl, its
 * value here and the fix.
 */
static void
clone_enospc_names_user_namespaces_turned_off(void **state)
{
	struct run r;

	(void)state;
	script(&r, "unshare -U -r sh -c 'echo 0 >/proc/sys/user/max_user_namespaces || exit 99; "
		   "exec \"$B/05-user\" --userns -- true'");
	if (r.status == 99) {
		print_message("  SKIP: cannot set user.max_user_namespaces in a user namespace\n");
		skip();
	}
	expect_diagnosis(&r, "clone3(", "user.max_user_namespaces is 0 here");
	expect_run(&r, strstr(r.err, "sysctl -w user.max_user_namespaces="), "the fix: sysctl");
}

static void
mount_eperm_names_the_masked_proc(void **state)
{
	struct run r;

	(void)state;
	script(&r, "unshare -m sh -c 'mount --bind /dev/null /proc/uptime || exit 99; "
		   "exec \"$B/05-user\" --userns -- true'");
	expect_diagnosis(&r, "mount(\"proc\"", "mounts hide parts of the /proc");
	expect_run(&r, strstr(r.err, "(/proc/uptime)"), "the mount that hides it is named");
}

static void
overlay_einval_names_the_overlay_under_it(void **state)
{
	struct run r;

	(void)state;
	script(&r, "unshare -m sh -c 'mkdir -p $T/l $T/u && mount -t tmpfs t $T/u && "
		   "mkdir $T/u/u $T/u/w && mount -t overlay o -o "
		   "lowerdir=$T/l,upperdir=$T/u/u,workdir=$T/u/w /run/nook || exit 99; "
		   "exec \"$B/07-rootfs\" --rootfs \"$I\" -- true'");
	if (r.status == 99) {
		print_message("  SKIP: cannot mount an overlay on /run/nook here\n");
		skip();
	}
	expect_diagnosis(&r, "mount(\"overlay\"", "upper is on an overlay filesystem");
}

static void
eoverflow_names_the_copy_up(void **state)
{
	struct run r;

	(void)state;
	script(&r, "mkdir -m 777 $T/vol && exec \"$B/07-rootfs\" --userns --rootfs \"$I\" "
		   "--volume $T/vol:/tmp/newdir -- true");
	expect_diagnosis(&r, "Value too large", "cannot be copied up");
}

/** A rootless run whose map needs newuidmap, with @p subuid bound over /etc/subuid. */
static void
rootless_map(struct run *r, const char *path_env)
{
	char *text;

	if (asprintf(&text,
		     "printf '' >$T/empty && unshare -m sh -c 'mount --bind $T/empty /etc/subuid "
		     "&& mount --bind $T/empty /etc/subgid || exit 99; exec setpriv --reuid %d "
		     "--regid %d --clear-groups env PATH=%s %s --userns --uid-map 0:200000:65536 "
		     "--gid-map 0:200000:65536 -- true'",
		     NOBODY, NOBODY, path_env,
		     runnable_as(NOBODY, NOBODY, step_path("05-user"))) < 0)
		fail_msg("asprintf");
	script(r, text);
	free(text);
	if (r->status == 99) {
		print_message("  SKIP: cannot bind a scratch file over /etc/subuid\n");
		skip();
	}
}

static void
newuidmap_names_the_missing_subuid_range(void **state)
{
	struct run r;

	(void)state;
	if (!file_exists("/usr/bin/newuidmap")) {
		print_message("  SKIP: newuidmap not installed (package uidmap)\n");
		skip();
	}
	rootless_map(&r, "/usr/bin:/bin");
	expect_diagnosis(&r, "newuidmap", "/etc/subuid has no range for nobody (uid 65534)");
	expect_run(&r, strstr(r.err, "usermod --add-subuids"), "the fix: usermod");
}

static void
newuidmap_not_found_names_the_package(void **state)
{
	struct run r;

	(void)state;
	rootless_map(&r, "/nonexistent");
	expect_diagnosis(&r, "newuidmap not found", "apt-get install uidmap");
}

static void
cgroup_v2_without_the_controller_names_v1(void **state)
{
	char line[256], name[64];
	int hierarchy = 0;
	bool bound = false;
	FILE *f = fopen("/proc/cgroups", "r");
	struct run r;

	(void)state;
	while (f && fgets(line, sizeof(line), f))
		bound = bound || (sscanf(line, "%63s %d", name, &hierarchy) == 2 &&
				  strcmp(name, "memory") == 0 && hierarchy != 0);
	if (f)
		fclose(f);
	if (!bound) {
		print_message("  SKIP: the memory controller is not bound to cgroup v1 here\n");
		skip();
	}
	script(&r, "unshare -m sh -c 'mount -t cgroup2 none /sys/fs/cgroup || exit 99; "
		   "exec \"$B/06-cgroups\" --memory 64m -- true'");
	expect_diagnosis(&r, "cgroup v2: no memory controller", "bound to a cgroup v1 hierarchy");
}

/* ---- diagnoses nook's code never meets: the library, in a forked child ------------------ */

/** Run @p cause in a forked child; its error's line and diagnosis come back in @p r. */
static void
caused_in_child(struct run *r, void (*cause)(struct nook_error *err))
{
	int p[2], status;
	ssize_t n;
	pid_t pid = -1;

	memset(r, 0, sizeof(*r));
	if (pipe(p) < 0 || (pid = fork()) < 0)
		fail_msg("pipe/fork: %s", strerror(errno));
	if (pid == 0) {
		struct nook_error err = {0};

		close(p[0]);
		cause(&err);
		dprintf(p[1], "%s\n%s", err.msg, err.why);
		_exit(err.code == 99 ? 99 : 125);
	}
	close(p[1]);
	n = read(p[0], r->err, sizeof(r->err) - 1);
	r->err[n > 0 ? n : 0] = '\0';
	close(p[0]);
	waitpid(pid, &status, 0);
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	if (r->status == 99) {
		print_message("  SKIP: %s", r->err);
		skip();
	}
}

/** pivot_root under a shared mount: rootfs_pivot() as step 07 calls it, / left shared. */
static void
pivot_on_a_shared_mount(struct nook_error *err)
{
	char dir[128];

	snprintf(dir, sizeof(dir), "%s/newroot", scratch);
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SHARED, NULL) < 0 ||
	    mkdir(dir, 0755) < 0) {
		err->code = 99;
		snprintf(err->msg, sizeof(err->msg), "no private mount namespace: %s\n",
			 strerror(errno));
		return;
	}
	if (rootfs_pivot(dir, err) == 0)
		snprintf(err->msg, sizeof(err->msg), "pivot_root succeeded");
}

static void
pivot_root_einval_names_the_shared_mount(void **state)
{
	struct run r;

	(void)state;
	caused_in_child(&r, pivot_on_a_shared_mount);
	expect_diagnosis(&r, "pivot_root(", "is on a shared mount");
	expect_run(&r, strstr(r.err, "--make-rprivate"), "the fix: make it private");
}

/** An overlay whose upper/ is a tmpfs and work/ beside it on the disk. */
static void
overlay_apart(struct nook_error *err)
{
	char opts[512], merged[128];

	snprintf(merged, sizeof(merged), "%s/merged", scratch);
	snprintf(opts, sizeof(opts), "lowerdir=%s/lower,upperdir=%s/upper,workdir=%s/work", scratch,
		 scratch, scratch);
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    chdir(scratch) < 0 || mkdir("lower", 0755) < 0 || mkdir("upper", 0755) < 0 ||
	    mkdir("work", 0755) < 0 || mkdir("merged", 0755) < 0 ||
	    mount("tmpfs", "upper", "tmpfs", 0, NULL) < 0) {
		err->code = 99;
		snprintf(err->msg, sizeof(err->msg), "cannot set up: %s\n", strerror(errno));
		return;
	}
	if (mount("overlay", merged, "overlay", 0, opts) < 0)
		nook_fail(err, errno, "mount(\"overlay\", \"%s\")", merged);
}

static void
overlay_einval_names_upper_and_work_apart(void **state)
{
	struct run r;

	(void)state;
	caused_in_child(&r, overlay_apart);
	expect_diagnosis(&r, "mount(\"overlay\"", "upper/ and work/ are on different filesystems");
}

/** A filter loaded by an unprivileged process without no_new_privs. */
static void
filter_without_nnp(struct nook_error *err)
{
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = {1, &allow};

	if (setresgid(NOBODY, NOBODY, NOBODY) < 0 || setresuid(NOBODY, NOBODY, NOBODY) < 0 ||
	    prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 0) {
		err->code = 99;
		snprintf(err->msg, sizeof(err->msg), "cannot become nobody without NNP\n");
		return;
	}
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		nook_fail(err, errno, "seccomp(SECCOMP_SET_MODE_FILTER)");
}

static void
seccomp_eacces_names_no_new_privs(void **state)
{
	struct run r;

	(void)state;
	caused_in_child(&r, filter_without_nnp);
	expect_diagnosis(&r, "seccomp(", "no_new_privs is not set");
}

/**
 * Into a private mount namespace of the child's own, with @p dir (under the scratch
 * directory) made; false, with the reason in @p err, when that cannot be done.
 */
static bool
private_scratch(struct nook_error *err, const char *dir)
{
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mkdir(dir, 0755) < 0) {
		err->code = 99;
		snprintf(err->msg, sizeof(err->msg), "no private mount namespace: %s\n",
			 strerror(errno));
		return false;
	}
	return true;
}

/**
 * rootfs_pivot() without its bind mount: a new root that is a plain directory, of a tmpfs
 * (on the current root's own mount the kernel would say EBUSY before it looks further).
 */
static void
pivot_into_a_plain_directory(struct nook_error *err)
{
	char fs[128], dir[160];

	snprintf(fs, sizeof(fs), "%s/pivot-tmpfs", scratch);
	snprintf(dir, sizeof(dir), "%s/plain", fs);
	if (!private_scratch(err, fs))
		return;
	if (mount("tmpfs", fs, "tmpfs", 0, NULL) < 0 || mkdir(dir, 0755) < 0) {
		err->code = 99;
		snprintf(err->msg, sizeof(err->msg), "cannot set up: %s\n", strerror(errno));
		return;
	}
	if (chdir(dir) < 0 || syscall(SYS_pivot_root, ".", ".") < 0)
		nook_fail(err, errno, "pivot_root(\"%s\")", dir);
	else
		snprintf(err->msg, sizeof(err->msg), "pivot_root succeeded");
}

static void
pivot_root_einval_names_a_root_that_is_no_mount_point(void **state)
{
	struct run r;

	(void)state;
	caused_in_child(&r, pivot_into_a_plain_directory);
	expect_diagnosis(&r, "pivot_root(", "/plain is not a mount point");
	expect_run(&r, strstr(r.err, "mount --bind DIR DIR"), "the fix: a bind mount onto itself");
}

/**
 * rootfs_pivot() without its bind mount, into a plain directory of the current root's own
 * mount: the kernel says EBUSY. The child first pivots into a tmpfs of its own, with a
 * /proc, so that "the root's own mount" is the same here whatever the host's /tmp is.
 */
static void
pivot_into_a_directory_of_the_root(struct nook_error *err)
{
	char fs[128];

	snprintf(fs, sizeof(fs), "%s/pivot-busy", scratch);
	if (!private_scratch(err, fs))
		return;
	if (mount("tmpfs", fs, "tmpfs", 0, NULL) < 0 || chdir(fs) < 0 || mkdir("plain", 0755) < 0 ||
	    mkdir("proc", 0555) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 ||
	    umount2(".", MNT_DETACH) < 0 || chdir("/") < 0 ||
	    mount("proc", "/proc", "proc", 0, NULL) < 0) {
		err->code = 99;
		snprintf(err->msg, sizeof(err->msg), "cannot pivot into a tmpfs: %s\n",
			 strerror(errno));
		return;
	}
	if (chdir("/plain") < 0 || syscall(SYS_pivot_root, ".", ".") < 0)
		nook_fail(err, errno, "pivot_root(\"%s\")", "/plain");
	else
		snprintf(err->msg, sizeof(err->msg), "pivot_root succeeded");
}

static void
pivot_root_ebusy_names_a_root_on_the_roots_own_mount(void **state)
{
	struct run r;

	(void)state;
	caused_in_child(&r, pivot_into_a_directory_of_the_root);
	expect_diagnosis(&r, "pivot_root(\"/plain\"): Device or resource busy",
			 "/plain is not a mount point: it is on the current root's own mount");
}

/**
 * A new root that is a mount point, and a put_old beside it rather than under it; both
 * on a tmpfs, off the current root's mount (where the kernel would say EBUSY first).
 */
static void
pivot_with_put_old_outside(struct nook_error *err)
{
	char fs[128], root[160], old[160];

	snprintf(fs, sizeof(fs), "%s/pivot-apart", scratch);
	snprintf(root, sizeof(root), "%s/root", fs);
	snprintf(old, sizeof(old), "%s/put-old", fs);
	if (!private_scratch(err, fs))
		return;
	if (mount("tmpfs", fs, "tmpfs", 0, NULL) < 0 || mkdir(root, 0755) < 0 ||
	    mkdir(old, 0755) < 0 || mount(root, root, NULL, MS_BIND, NULL) < 0) {
		err->code = 99;
		snprintf(err->msg, sizeof(err->msg), "cannot set up: %s\n", strerror(errno));
		return;
	}
	if (syscall(SYS_pivot_root, root, old) < 0)
		nook_fail(err, errno, "pivot_root(\"%s\", \"%s\")", root, old);
	else
		snprintf(err->msg, sizeof(err->msg), "pivot_root succeeded");
}

static void
pivot_root_einval_names_put_old_outside(void **state)
{
	struct run r;

	(void)state;
	caused_in_child(&r, pivot_with_put_old_outside);
	expect_diagnosis(&r, "pivot_root(", "/put-old is not under the new root ");
	expect_run(&r, !strstr(r.err, "is not a mount point"),
		   "the new root is a mount point: that cause should be left out");
}

/** A mount by a process without CAP_SYS_ADMIN, outside any user namespace: nobody's. */
static void
mount_without_cap_sys_admin(struct nook_error *err)
{
	char dir[128];

	snprintf(dir, sizeof(dir), "%s/nocap", scratch);
	if (mkdir(dir, 0755) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
	    setresuid(NOBODY, NOBODY, NOBODY) < 0) {
		err->code = 99;
		snprintf(err->msg, sizeof(err->msg), "cannot become nobody: %s\n", strerror(errno));
		return;
	}
	if (mount("tmpfs", dir, "tmpfs", 0, NULL) < 0)
		nook_fail(err, errno, "mount(\"tmpfs\", \"%s\", \"tmpfs\")", dir);
	else
		snprintf(err->msg, sizeof(err->msg), "nobody mounted a tmpfs");
}

static void
mount_eperm_names_the_missing_capability_and_user_namespace(void **state)
{
	struct run r;

	(void)state;
	caused_in_child(&r, mount_without_cap_sys_admin);
	expect_diagnosis(&r, "mount(\"tmpfs\"", "nook has no CAP_SYS_ADMIN here");
	expect_run(&r, strstr(r.err, "or with --userns"), "the fix: a user namespace (--userns)");
}

/**
 * A locked mount: a read-only, nosuid tmpfs mounted in a mount namespace, which a user
 * namespace then copies (unshare(2) with both); in the copy the kernel locks its flags, and
 * a remount that would clear them is refused with EPERM, though the process has every
 * capability of its user namespace.
 */
static void
remount_a_locked_mount(struct nook_error *err)
{
	char dir[128];
	int fd;

	snprintf(dir, sizeof(dir), "%s/locked", scratch);
	if (!private_scratch(err, dir))
		return;
	if (mount("tmpfs", dir, "tmpfs", MS_RDONLY | MS_NOSUID, NULL) < 0 ||
	    unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0 ||
	    (fd = open("/proc/self/uid_map", O_WRONLY)) < 0 || write(fd, "0 0 1", 5) != 5) {
		err->code = 99;
		snprintf(err->msg, sizeof(err->msg), "cannot set up: %s\n", strerror(errno));
		return;
	}
	close(fd);
	if (mount(NULL, dir, NULL, MS_REMOUNT | MS_BIND, NULL) < 0)
		nook_fail(err, errno, "mount(\"%s\", MS_REMOUNT|MS_BIND)", dir);
	else
		snprintf(err->msg, sizeof(err->msg), "the locked mount was made writable");
}

static void
mount_eperm_names_a_locked_mount(void **state)
{
	struct run r;

	(void)state;
	caused_in_child(&r, remount_a_locked_mount);
	expect_diagnosis(&r, "MS_REMOUNT", "mounts inherited from the parent namespace are locked");
	expect_run(&r, !strstr(r.err, "no CAP_SYS_ADMIN"),
		   "the process has CAP_SYS_ADMIN in its user namespace");
}

/**
 * Debian's switch: kernel.unprivileged_userns_clone at 0, and an ordinary user's
 * clone3(CLONE_NEWUSER) refused with EPERM. The sysctl is the whole machine's, so it is
 * turned off only on a throwaway one (check-cgroup2's VM, which boots Debian's kernel and
 * sets NOOK_THROWAWAY_MACHINE), and put back.
 */
static void
clone_newuser_as_nobody(struct nook_error *err)
{
	struct clone_args args = {.flags = CLONE_NEWUSER, .exit_signal = SIGCHLD};
	long pid;

	if (setresgid(NOBODY, NOBODY, NOBODY) < 0 || setresuid(NOBODY, NOBODY, NOBODY) < 0) {
		err->code = 99;
		snprintf(err->msg, sizeof(err->msg), "cannot become nobody: %s\n", strerror(errno));
		return;
	}
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid == 0)
		_exit(0);
	if (pid < 0)
		nook_fail(err, errno, "clone3(%#x)", (unsigned)args.flags);
	else
		snprintf(err->msg, sizeof(err->msg), "nobody made a user namespace");
}

static void
clone_eperm_names_debians_switch(void **state)
{
	const char *knob = "/proc/sys/kernel/unprivileged_userns_clone";
	char was[16] = "";
	struct run r;
	FILE *f;

	(void)state;
	if (!(f = fopen(knob, "r")) || !fgets(was, sizeof(was), f)) {
		print_message("  SKIP: no %s: not a Debian kernel\n", knob);
		if (f)
			fclose(f);
		skip();
	}
	fclose(f);
	if (!getenv("NOOK_THROWAWAY_MACHINE")) {
		print_message("  SKIP: would turn user namespaces off for every user of this "
			      "machine; check-cgroup2's VM runs it\n");
		skip();
	}
	if (!(f = fopen(knob, "w")) || fputs("0\n", f) < 0 || fclose(f) != 0)
		fail_msg("writing 0 to %s: %s", knob, strerror(errno));
	caused_in_child(&r, clone_newuser_as_nobody);
	if ((f = fopen(knob, "w")))
		fputs(was, f), fclose(f);
	expect_diagnosis(&r, "clone3(", "kernel.unprivileged_userns_clone is 0 here");
	expect_run(&r, strstr(r.err, "sysctl -w kernel.unprivileged_userns_clone=1"), "the fix");
}

/**
 * A controller the parent cgroup does not hand down: "+hugetlb" written to the
 * subtree_control of a scratch cgroup of a cgroup2 hierarchy whose root enables none.
 */
static void
cgroup_enoent_names_the_parents_subtree_control(void **state)
{
	const char *v2 = "/sys/fs/cgroup/unified";
	char dir[128], root_has[256] = "", name[64];
	struct statfs fs;
	struct nook_error err = {0};
	FILE *f;
	int ret;

	(void)state;
	if (statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == 0x63677270)
		v2 = "/sys/fs/cgroup";
	snprintf(dir, sizeof(dir), "%s/cgroup.subtree_control", v2);
	if ((f = fopen(dir, "r"))) {
		if (!fgets(root_has, sizeof(root_has), f))
			root_has[0] = '\0';
		fclose(f);
	}
	if (!f || strstr(root_has, "hugetlb")) {
		print_message("  SKIP: no cgroup2 hierarchy whose root keeps hugetlb to itself\n");
		skip();
	}
	snprintf(dir, sizeof(dir), "%s/%s", v2, unique_name(name, "diag"));
	if (mkdir(dir, 0755) < 0)
		fail_msg("mkdir %s: %s", dir, strerror(errno));
	ret = cgroup_write(dir, "cgroup.subtree_control", "+hugetlb", &err);
	rmdir(dir);
	assert_int_equal(ret, -1);
	print_message("  said: %s\n%s", err.msg, err.why);
	assert_int_equal(err.errnum, ENOENT);
	assert_non_null(strstr(err.why, "the hugetlb controller is not enabled in "));
	assert_non_null(strstr(err.why, "echo +hugetlb"));
}

/** The cgroup2 hierarchy here (/sys/fs/cgroup, or a hybrid host's unified one), or skip. */
static const char *
cgroup2_here(void)
{
	struct statfs fs;

	if (statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == 0x63677270)
		return "/sys/fs/cgroup";
	if (statfs("/sys/fs/cgroup/unified", &fs) == 0 && fs.f_type == 0x63677270)
		return "/sys/fs/cgroup/unified";
	print_message("  SKIP: no cgroup2 hierarchy here\n");
	skip();
	return NULL;
}

/**
 * EOPNOTSUPP: a PID written into a "domain invalid" cgroup. Making a child of P threaded
 * turns P into a threaded domain, and P's other (domain) children invalid: they can take
 * no process. The process written is a child of the test's, which is killed after.
 */
static void
cgroup_eopnotsupp_names_the_domain_invalid_cgroup(void **state)
{
	char top[128], dir[160], name[64];
	struct nook_error err = {0};
	pid_t pid = -1;
	int ret;

	(void)state;
	snprintf(top, sizeof(top), "%s/%s", cgroup2_here(), unique_name(name, "diag"));
	snprintf(dir, sizeof(dir), "%s/threads", top);
	if (mkdir(top, 0755) < 0 || mkdir(dir, 0755) < 0)
		fail_msg("mkdir %s: %s", dir, strerror(errno));
	ret = cgroup_write(dir, "cgroup.type", "threaded", &err);
	snprintf(dir, sizeof(dir), "%s/invalid", top);
	if (ret == 0 && mkdir(dir, 0755) == 0 && (pid = fork()) == 0) {
		pause();
		_exit(0);
	}
	ret = pid <= 0 ? -2 : cgroup_writef(dir, "cgroup.procs", &err, "%d", (int)pid);
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	rmdir(dir);
	snprintf(dir, sizeof(dir), "%s/threads", top);
	rmdir(dir);
	rmdir(top);
	if (ret == -2) {
		print_message("  SKIP: no threaded cgroups here: %s\n", err.msg);
		skip();
	}
	assert_int_equal(ret, -1);
	print_message("  said: %s\n%s", err.msg, err.why);
	assert_int_equal(err.errnum, EOPNOTSUPP);
	assert_non_null(strstr(err.why, "is a \"domain invalid\" cgroup"));
}

/**
 * EBUSY: a PID written into a cgroup that hands a controller down (cgroup v2's
 * no-internal-processes rule). The controller is one the hierarchy's root already hands
 * down; the process written is a child of the test's, which is killed after.
 */
static void
cgroup_ebusy_names_the_subtree_control(void **state)
{
	char top[128], path[192], ctl[64] = "", word[64], name[80];
	struct nook_error err = {0};
	const char *v2 = cgroup2_here();
	pid_t pid = -1;
	FILE *f = NULL;
	int ret = -2;

	(void)state;
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", v2);
	/* a domain controller: cpuset, cpu, pids, perf_event are threaded ones, for which a
	 * cgroup may keep processes and hand them down (the kernel's cgrp_dfl_threaded_ss) */
	f = fopen(path, "r");
	while (f && !ctl[0] && fscanf(f, "%63s", word) == 1) {
		snprintf(name, sizeof(name), " %s ", word);
		if (strstr(" memory io hugetlb rdma misc ", name))
			snprintf(ctl, sizeof(ctl), "%s", word);
	}
	if (f)
		fclose(f);
	if (!ctl[0]) {
		print_message("  SKIP: %s hands no domain controller down\n", v2);
		skip();
	}
	snprintf(top, sizeof(top), "%s/%s", v2, unique_name(name, "diag"));
	snprintf(path, sizeof(path), "%s/leaf", top);
	if (mkdir(top, 0755) < 0)
		fail_msg("mkdir %s: %s", top, strerror(errno));
	if (cgroup_writef(top, "cgroup.subtree_control", &err, "+%s", ctl) == 0 &&
	    mkdir(path, 0755) == 0 && (pid = fork()) == 0) {
		pause();
		_exit(0);
	}
	if (pid > 0) {
		ret = cgroup_writef(top, "cgroup.procs", &err, "%d", (int)pid);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	rmdir(path);
	rmdir(top);
	if (ret == -2) {
		print_message("  SKIP: cannot hand %s down: %s\n", ctl, err.msg);
		skip();
	}
	assert_int_equal(ret, -1);
	print_message("  said: %s\n%s", err.msg, err.why);
	assert_int_equal(err.errnum, EBUSY);
	assert_non_null(strstr(err.why, "hands controllers down (its cgroup.subtree_control: "));
	assert_non_null(strstr(err.why, ctl));
}

/** EACCES without delegation: an ordinary user writes its PID into root's cgroup. */
static void
join_roots_cgroup_as_nobody(struct nook_error *err)
{
	char dir[160];

	snprintf(dir, sizeof(dir), "%s", cgroup2_here());
	if (setgid(65534) < 0 || setuid(65534) < 0) {
		err->code = 99;
		snprintf(err->msg, sizeof(err->msg), "cannot become nobody: %s\n", strerror(errno));
		return;
	}
	if (cgroup_writef(dir, "cgroup.procs", err, "%d", (int)getpid()) == 0)
		snprintf(err->msg, sizeof(err->msg), "nobody joined %s", dir);
}

static void
cgroup_eacces_names_no_delegation(void **state)
{
	struct run r;

	(void)state;
	cgroup2_here(); /* or skip */
	caused_in_child(&r, join_roots_cgroup_as_nobody);
	print_message("  said: %s", r.err);
	assert_non_null(strstr(r.err, "cgroup.procs"));
	assert_non_null(strstr(r.err, "no delegation: "));
	assert_non_null(strstr(r.err, "belongs to uid 0, and uid 65534 may only use"));
}

/**
 * The userxattr decision: an overlay's EINVAL in a user namespace on a kernel older than
 * 5.11. The UNAME26 personality makes uname(2) say 2.6.x here, as an old kernel would; the
 * user namespace is the test's own (its root mapped to root), and the EINVAL nook_fail()'s.
 */
static void
overlay_einval_in_a_userns_before_5_11(struct nook_error *err)
{
	int fd;

	if (personality(PER_LINUX | UNAME26) < 0 || unshare(CLONE_NEWUSER) < 0 ||
	    (fd = open("/proc/self/uid_map", O_WRONLY)) < 0 || write(fd, "0 0 1", 5) != 5) {
		err->code = 99;
		snprintf(err->msg, sizeof(err->msg), "no UNAME26 or user namespace: %s\n",
			 strerror(errno));
		return;
	}
	close(fd);
	nook_fail(err, EINVAL, "mount(\"overlay\", \"%s/merged\")", scratch);
}

static void
overlay_einval_names_userxattr_before_5_11(void **state)
{
	struct run r;

	(void)state;
	caused_in_child(&r, overlay_einval_in_a_userns_before_5_11);
	print_message("  said: %s", r.err);
	assert_non_null(strstr(r.err, "(the \"userxattr\" option) needs Linux 5.11"));
}

/** An error whose errno has no known cause has no diagnosis: the line alone. */
static void
other_errors_stay_one_line(void **state)
{
	struct nook_error err;

	(void)state;
	nook_fail(&err, ENOENT, "open(\"%s\")", "/nonexistent");
	assert_string_equal(err.why, "");
	assert_int_equal(err.errnum, ENOENT);
	nook_fail(&err, 0, "invalid --memory \"x\"");
	assert_string_equal(err.why, "");
}

/* ---- nook doctor ---------------------------------------------------------------------- */

/** Run `nook doctor ARGS` with NOOK_DOCTOR_ROOT=@p root (NULL: the host's own files). */
static void
doctor(struct run *r, const char *root, const char *args)
{
	char *cmd;

	if (asprintf(&cmd, "%s%s%s exec '%s' doctor %s", root ? "NOOK_DOCTOR_ROOT='" : "",
		     root ? root : "", root ? "'" : "", step_path("nook"), args) < 0)
		fail_msg("asprintf");
	run_shell(r, cmd);
	free(cmd);
}

static void
doctor_reports_this_machine(void **state)
{
	const char *needed[] = {"memory", "cpu", "pids"};
	struct statfs fs, unified;
	char want[64];
	struct run r;

	(void)state;
	doctor(&r, NULL, "");
	if (statfs("/sys/fs/cgroup", &fs) < 0)
		fail_msg("statfs /sys/fs/cgroup: %s", strerror(errno));
	snprintf(want, sizeof(want), "cgroups: %s;",
		 fs.f_type == 0x63677270 ? "v2"
		 : statfs("/sys/fs/cgroup/unified", &unified) == 0 && unified.f_type == 0x63677270
			 ? "hybrid"
			 : "v1");
	expect_run(&r, strstr(r.out, want), "expected doctor to say \"%s\"", want);
	for (int i = 0; i < 3; i++)
		expect_run(&r, strstr(strstr(r.out, want), needed[i]), "expected the %s controller",
			   needed[i]);
	expect_run(&r,
		   (r.status == 0 && strstr(r.out, "every step can run here")) ||
			   (r.status == 1 && strstr(r.out, "steps that cannot run here:")),
		   "expected a verdict matching the exit status");
	print_message("  doctor here: exit %d; %.*s\n", r.status,
		      (int)strcspn(strstr(r.out, "cgroups:"), "\n"), strstr(r.out, "cgroups:"));
}

/** A scratch machine: @p files is "PATH=CONTENT" pairs, written under the scratch root. */
static void
scratch_machine(char *root, const char *const *files)
{
	char path[512];
	FILE *f;

	snprintf(root, 128, "%s/machine-%d", scratch, getpid());
	for (; *files; files += 2) {
		snprintf(path, sizeof(path), "mkdir -p \"$(dirname '%s%s')\"", root, files[0]);
		if (system(path) != 0)
			fail_msg("%s", path);
		snprintf(path, sizeof(path), "%s%s", root, files[0]);
		if (!(f = fopen(path, "w")) || fputs(files[1], f) < 0 || fclose(f) != 0)
			fail_msg("writing %s", path);
	}
}

static void
doctor_reports_a_failing_machine(void **state)
{
	struct utsname u;
	char root[128], config[128];
	struct run r;

	(void)state;
	uname(&u);
	snprintf(config, sizeof(config), "/boot/config-%s", u.release);
	scratch_machine(root, (const char *const[]){
				      "/proc/sys/kernel/osrelease", u.release,
				      "/proc/sys/user/max_user_namespaces", "0\n",
				      "/proc/sys/kernel/unprivileged_userns_clone", "0\n", config,
				      "#\nCONFIG_UTS_NS=y\nCONFIG_IPC_NS=y\nCONFIG_PID_NS=y\n"
				      "CONFIG_NET_NS=y\n# CONFIG_USER_NS is not set\n"
				      "CONFIG_CGROUPS=y\nCONFIG_OVERLAY_FS=m\n"
				      "# CONFIG_SECCOMP_FILTER is not set\n",
				      "/etc/subuid", "root:300000:65536\n", "/proc/version",
				      "Linux version 5.15-microsoft-standard-WSL2\n", NULL});
	doctor(&r, root, "");
	expect_run(&r, r.status == 1, "expected exit status 1: steps cannot run");
	expect_run(&r,
		   strstr(r.out, "FAIL  user.max_user_namespaces = 0") &&
			   strstr(r.out, "fix: sysctl -w user.max_user_namespaces="),
		   "expected the zero user.max_user_namespaces, with its fix");
	expect_run(&r, strstr(r.out, "FAIL  user namespace: not in this kernel (CONFIG_USER_NS"),
		   "expected the missing CONFIG_USER_NS");
	expect_run(&r, strstr(r.out, "FAIL  seccomp filter: not in this kernel"),
		   "expected the missing seccomp filter");
	expect_run(&r, strstr(r.out, "kernel.unprivileged_userns_clone = 0"),
		   "expected Debian's switch, off");
	expect_run(&r, strstr(r.out, "ok    /etc/subuid: root has 300000-365535"),
		   "expected the scratch /etc/subuid's range");
	expect_run(&r, strstr(r.out, "note  WSL2"), "expected WSL2 to be noticed");
	expect_run(&r, strstr(r.out, "ok    overlay filesystem: a module"), "overlay is a module");
	expect_run(&r, strstr(r.out, "steps that cannot run here: 05 06 07 08 09 10\n"),
		   "expected steps 05 (user namespaces), 06-10 (no cgroups in the scratch "
		   "tree) and 09, 10 (seccomp) to be named");
}

static void
doctor_quiet_prints_only_failures(void **state)
{
	char root[128];
	struct run r;

	(void)state;
	scratch_machine(root,
			(const char *const[]){"/proc/sys/user/max_user_namespaces", "0\n", NULL});
	doctor(&r, root, "--quiet");
	expect_run(&r, r.status == 1, "expected exit status 1");
	for (const char *l = r.out; *l; l = strchr(l, '\n') + 1)
		expect_run(&r,
			   strncmp(l, "  FAIL  ", 8) == 0 || strncmp(l, "        fix: ", 13) == 0 ||
				   strncmp(l, "steps that cannot run here:", 27) == 0,
			   "--quiet: only failing checks, their fixes and the verdict");
}

static void
doctor_refuses_a_bad_option(void **state)
{
	struct run r;

	(void)state;
	doctor(&r, NULL, "--bogus");
	expect_run(&r, r.status == 125 && count_lines(r.err) == 1 && strstr(r.err, "--bogus"),
		   "expected exit 125 and one line naming --bogus");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(clone_eperm_names_the_missing_capability),
		cmocka_unit_test(clone_eperm_under_a_seccomp_filter),
		cmocka_unit_test(clone_enospc_names_the_zero_sysctl),
		cmocka_unit_test(clone_enospc_names_user_namespaces_turned_off),
		cmocka_unit_test(clone_enospc_names_the_limit_reached),
		cmocka_unit_test(clone_eperm_names_debians_switch),
		cmocka_unit_test(mount_eperm_names_the_masked_proc),
		cmocka_unit_test(overlay_einval_names_the_overlay_under_it),
		cmocka_unit_test(eoverflow_names_the_copy_up),
		cmocka_unit_test(newuidmap_names_the_missing_subuid_range),
		cmocka_unit_test(newuidmap_not_found_names_the_package),
		cmocka_unit_test(cgroup_v2_without_the_controller_names_v1),
		cmocka_unit_test(pivot_root_einval_names_the_shared_mount),
		cmocka_unit_test(pivot_root_einval_names_a_root_that_is_no_mount_point),
		cmocka_unit_test(pivot_root_einval_names_put_old_outside),
		cmocka_unit_test(pivot_root_ebusy_names_a_root_on_the_roots_own_mount),
		cmocka_unit_test(mount_eperm_names_the_missing_capability_and_user_namespace),
		cmocka_unit_test(mount_eperm_names_a_locked_mount),
		cmocka_unit_test(overlay_einval_names_upper_and_work_apart),
		cmocka_unit_test(seccomp_eacces_names_no_new_privs),
		cmocka_unit_test(cgroup_enoent_names_the_parents_subtree_control),
		cmocka_unit_test(cgroup_eopnotsupp_names_the_domain_invalid_cgroup),
		cmocka_unit_test(cgroup_eacces_names_no_delegation),
		cmocka_unit_test(cgroup_ebusy_names_the_subtree_control),
		cmocka_unit_test(overlay_einval_names_userxattr_before_5_11),
		cmocka_unit_test(other_errors_stay_one_line),
		cmocka_unit_test(doctor_reports_this_machine),
		cmocka_unit_test(doctor_reports_a_failing_machine),
		cmocka_unit_test(doctor_quiet_prints_only_failures),
		cmocka_unit_test(doctor_refuses_a_bad_option),
	};

	const size_t n = sizeof(tests) / sizeof(tests[0]);
	struct CMUnitTest chosen[sizeof(tests) / sizeof(tests[0])];
	const char *only = getenv("NOOK_DOCTOR_ONLY");
	char patterns[256], *save, *p;
	size_t k = 0;

	/* check-cgroup2 runs some in its VM: "cgroup_e*,clone_eperm_names_debians_switch" */
	if (!only)
		return cmocka_run_group_tests(tests, setup, teardown);
	for (size_t i = 0; i < n; i++) {
		snprintf(patterns, sizeof(patterns), "%s", only);
		for (p = strtok_r(patterns, ",", &save); p; p = strtok_r(NULL, ",", &save))
			if (fnmatch(p, tests[i].name, 0) == 0) {
				chosen[k++] = tests[i];
				break;
			}
	}
	return harness_run_group_tests("tests", chosen, k, setup, teardown);
}

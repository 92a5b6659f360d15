/**
 * @file cmd_doctor.c
 * @brief `nook doctor`: can this machine run nook's steps? Each check, and the fix of each
 *        one that fails; the exit status says whether every step can run.
 *
 * A container is built from kernel features that a kernel may lack (built without user
 * namespaces), an administrator may switch off (Debian's kernel.unprivileged_userns_clone,
 * Ubuntu's AppArmor restriction, user.max_user_namespaces = 0), or a distribution may
 * arrange differently (cgroup v1, v2 or both). doctor looks at each before anything fails:
 *
 *  - the kernel's version (nook needs 5.12: clone3, close_range, mount_setattr) and its
 *    build configuration, from /proc/config.gz or /boot/config-RELEASE when one is there;
 *    without either, a namespace is probed by trying: unshare(2) in a forked child;
 *  - the namespaces, overlayfs and the seccomp filter the steps use;
 *  - the cgroup mode (v1, v2, or hybrid: v1's controllers and an empty v2) and the
 *    controllers step 06 limits with;
 *  - whether a user namespace can be made, and the sysctls that forbid one;
 *  - the caller's ranges in /etc/subuid and /etc/subgid (rootless maps beyond one's own id);
 *  - the i386 system call entry, which a seccomp filter must account for (step 09), and
 *    whether this is WSL2.
 *
 * Every check names the steps it stops; the last line lists the steps that cannot run, and
 * the exit status is 1 if there is one. The files doctor reads may be taken from a scratch
 * tree instead of "/" (NOOK_DOCTOR_ROOT=DIR: DIR/proc/sys/..., DIR/etc/subuid ...), which
 * is how its tests make a machine that fails; the probes by trying always ask the kernel.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <linux/magic.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "oci.h"

/** The steps, as bits: STEP(1) is 01-uts ... STEP(10) the runtime. */
#define STEP(n)	      (1u << (n))
#define STEPS_FROM(n) ((STEP(11) - 1) & ~(STEP(n) - 1))
#define ALL_STEPS     STEPS_FROM(1)
#define MAX_CONFIG    (8 << 20)

/** What a check found. */
enum verdict {
	OK,
	NOTE,
	FAIL
};

/** What the checks share: where the files are, the kernel's configuration, the result. */
struct doctor {
	const char *root;      /**< "" or NOOK_DOCTOR_ROOT */
	char *config;	       /**< the kernel's .config, or NULL */
	char config_from[256]; /**< where it was read */
	unsigned cannot;       /**< STEP() bits of the steps that cannot run */
	bool quiet;	       /**< --quiet: only the failing checks */
};

static void say(struct doctor *d, enum verdict v, unsigned steps, const char *fix, const char *fmt,
		...) __attribute__((format(printf, 5, 6)));

/** Print one check; a failing one with its @p fix and the @p steps it stops. */
static void
say(struct doctor *d, enum verdict v, unsigned steps, const char *fix, const char *fmt, ...)
{
	static const char *const word[] = {"ok", "note", "FAIL"};
	va_list ap;

	if (v == FAIL)
		d->cannot |= steps;
	if (d->quiet && v != FAIL)
		return;
	printf("  %-5s ", word[v]);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (v != OK && fix)
		printf("        fix: %s\n", fix);
}

/** Read a whole, possibly gzipped file (zlib reads both) into a string; NULL if none. */
static char *
read_config(const char *path)
{
	gzFile f = gzopen(path, "rb");
	char *buf;
	int n, len = 0;

	if (!f)
		return NULL;
	buf = malloc(MAX_CONFIG + 1);
	while (buf && len < MAX_CONFIG && (n = gzread(f, buf + len, MAX_CONFIG - len)) > 0)
		len += n;
	gzclose(f);
	if (buf)
		buf[len] = '\0';
	return buf;
}

/** The kernel's build configuration: /proc/config.gz, else /boot/config-RELEASE. */
static void
load_config(struct doctor *d, const char *release)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/proc/config.gz", d->root);
	if (!(d->config = read_config(path))) {
		snprintf(path, sizeof(path), "%s/boot/config-%s", d->root, release);
		d->config = read_config(path);
	}
	snprintf(d->config_from, sizeof(d->config_from), "%s",
		 d->config ? path + strlen(d->root) : "");
}

/** CONFIG_@p name in the configuration: 'y', 'm', 'n' (not set), or 0 when unknown. */
static char
config(const struct doctor *d, const char *name)
{
	char key[96];
	const char *p;

	if (!d->config)
		return 0;
	snprintf(key, sizeof(key), "\nCONFIG_%s=", name);
	if (strncmp(d->config, key + 1, strlen(key + 1)) == 0) /* the first line */
		return d->config[strlen(key + 1)];
	if ((p = strstr(d->config, key)))
		return p[strlen(key)];
	return 'n';
}

/** Can a child make namespace @p flag? By trying: 0, or its errno. */
static int
try_unshare(int flag)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (geteuid() != 0 && flag != CLONE_NEWUSER && unshare(CLONE_NEWUSER) < 0)
			_exit(errno);
		_exit(unshare(flag) < 0 ? errno : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return pid < 0 ? errno : EIO;
	return WEXITSTATUS(status);
}

/** The kernel: its version, and where its configuration was read. */
static void
check_kernel(struct doctor *d, char *release, size_t size)
{
	int major = 0, minor = 0;

	if (host_read(d->root, "/proc/sys/kernel/osrelease", release, size) < 0)
		snprintf(release, size, "unknown");
	sscanf(release, "%d.%d", &major, &minor);
	load_config(d, release);
	say(d, major * 1000 + minor >= 5012 ? OK : FAIL, ALL_STEPS,
	    "a kernel of 5.12 or newer (Debian 12, Ubuntu 22.04 have one)",
	    "kernel: %s (nook needs 5.12: clone3, close_range, mount_setattr)", release);
	say(d, OK, 0, NULL, "kernel config: %s",
	    d->config ? d->config_from
		      : "none (no /proc/config.gz or /boot/config-*): probing "
			"by trying instead");
}

/** The namespaces, the option that builds each into a kernel, and the steps that use it. */
static const struct {
	const char *name;
	const char *option;
	int flag;
	unsigned steps;
} namespaces[] = {
	{"uts", "UTS_NS", CLONE_NEWUTS, ALL_STEPS},
	{"ipc", "IPC_NS", CLONE_NEWIPC, ALL_STEPS},
	{"pid", "PID_NS", CLONE_NEWPID, STEPS_FROM(2)},
	{"mnt", NULL, CLONE_NEWNS, STEPS_FROM(3)},
	{"net", "NET_NS", CLONE_NEWNET, STEPS_FROM(4)},
	{"user", "USER_NS", CLONE_NEWUSER, STEP(5)},
	{"cgroup", "CGROUPS", CLONE_NEWCGROUP, STEPS_FROM(6) & ~STEP(10)},
};

/** Each namespace: in the kernel's configuration, or else made by trying. */
static void
check_namespaces(struct doctor *d)
{
	char have[128] = "", fix[160];
	char c;
	int e;

	for (size_t i = 0; i < sizeof(namespaces) / sizeof(namespaces[0]); i++) {
		c = namespaces[i].option ? config(d, namespaces[i].option) : 'y';
		e = c ? 0 : try_unshare(namespaces[i].flag);
		if (c == 'n' || e) {
			snprintf(fix, sizeof(fix), "a kernel built with CONFIG_%s=y",
				 namespaces[i].option ? namespaces[i].option : "NAMESPACES");
			say(d, FAIL, namespaces[i].steps, fix, "%s namespace: %s%s%s",
			    namespaces[i].name,
			    c == 'n' ? "not in this kernel (CONFIG_" : strerror(e),
			    c == 'n' ? namespaces[i].option : "", c == 'n' ? " is not set)" : "");
			continue;
		}
		snprintf(have + strlen(have), sizeof(have) - strlen(have), " %s",
			 namespaces[i].name);
	}
	say(d, OK, 0, NULL, "namespaces:%s (%s)", have,
	    d->config ? "kernel config" : "made by trying");
}

/** Does the file @p path (under the root) contain @p needle? */
static bool
file_has(const struct doctor *d, const char *path, const char *needle)
{
	char full[512], *text;
	bool found;

	snprintf(full, sizeof(full), "%s%s", d->root, path);
	text = read_config(full);
	found = text && strstr(text, needle);
	free(text);
	return found;
}

/** overlayfs (step 07's layers) and the seccomp filter (step 09). */
static void
check_overlay_seccomp(struct doctor *d)
{
	char c = config(d, "OVERLAY_FS");

	if (!c) /* no config: registered, or perhaps a module that loads on the first mount */
		c = file_has(d, "/proc/filesystems", "\toverlay\n") ? 'y' : 'm';
	say(d, c == 'n' ? FAIL : OK, STEP(7) | STEP(8) | STEP(9),
	    "modprobe overlay, or a kernel "
	    "built with CONFIG_OVERLAY_FS",
	    "overlay filesystem: %s",
	    c == 'n'   ? "not in this "
			 "kernel"
	    : c == 'm' ? "a module (loaded on the first mount)"
		       : "built in");
	c = config(d, "SECCOMP_FILTER");
	if (!c) /* no config: a kernel with seccomp shows the line in every process's status */
		c = file_has(d, "/proc/self/status", "\nSeccomp:") ? 'y' : 'n';
	say(d, c == 'y' ? OK : FAIL, STEP(9) | STEP(10),
	    "a kernel built with "
	    "CONFIG_SECCOMP_FILTER=y",
	    "seccomp filter: %s", c == 'y' ? "yes" : "not in this kernel");
}

/** The controllers step 06 limits with, in either version. */
static const char *const needed[] = {"memory", "cpu", "pids"};

/** The names of the v1 hierarchies mounted under @p dir, into @p buf. */
static void
v1_hierarchies(const char *dir, char *buf, size_t size)
{
	static const char *const known[] = {
		"blkio",  "cpu",     "cpuacct",	   "cpuset", "devices", "freezer", "hugetlb",
		"memory", "net_cls", "perf_event", "pids",   "rdma",	"misc"};
	char path[600];
	struct statfs fs;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		snprintf(path, sizeof(path), "%.512s/%s", dir, known[i]);
		if (statfs(path, &fs) == 0 && fs.f_type == CGROUP_SUPER_MAGIC)
			snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", buf[0] ? " " : "",
				 known[i]);
	}
}

/** Is @p word one of the space-separated words of @p list? */
static bool
has_word(const char *list, const char *word)
{
	char padded[512], w[64];

	snprintf(padded, sizeof(padded), " %s ", list);
	snprintf(w, sizeof(w), " %s ", word);
	return strstr(padded, w) != NULL;
}

/** The cgroup mode and controllers; step 06 needs memory, cpu and pids in one of them. */
static void
check_cgroups(struct doctor *d)
{
	char dir[512], v1[256] = "", v2[256] = "", missing[64] = "";
	struct statfs fs;
	const char *mode = "none";

	snprintf(dir, sizeof(dir), "%s" CGROUP_ROOT, d->root);
	if (statfs(dir, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC) {
		mode = "v2";
		host_read(d->root, CGROUP_ROOT "/cgroup.controllers", v2, sizeof(v2));
	} else if (statfs(dir, &fs) == 0 && fs.f_type == TMPFS_MAGIC) {
		v1_hierarchies(dir, v1, sizeof(v1));
		mode = host_read(d->root, CGROUP_ROOT "/unified/cgroup.controllers", v2,
				 sizeof(v2)) == 0
			       ? "hybrid"
			       : "v1";
	}
	for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++)
		if (!has_word(strcmp(mode, "v2") == 0 ? v2 : v1, needed[i]))
			snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing),
				 " %s", needed[i]);
	say(d, missing[0] ? FAIL : OK, STEPS_FROM(6),
	    "mount the cgroup filesystems (systemd does), or boot with "
	    "systemd.unified_cgroup_hierarchy=1 for v2",
	    "cgroups: %s; v1 controllers: %s; v2 controllers: %s%s%s", mode, v1[0] ? v1 : "none",
	    v2[0] ? v2 : "none", missing[0] ? "; missing for step 06:" : "", missing);
}

/** A sysctl that, set to @p bad, forbids user namespaces to ordinary users. */
static void
userns_switch(struct doctor *d, const char *name, long bad, const char *fix)
{
	long v;

	if (host_sysctl(d->root, name, &v) < 0)
		return; /* not this distribution's kernel */
	/* root is not concerned: nook run by root makes its user namespace all the same */
	say(d,
	    v != bad	     ? OK
	    : geteuid() == 0 ? NOTE
			     : FAIL,
	    STEP(5), fix, "%s = %ld%s", name, v,
	    v != bad	     ? ""
	    : geteuid() == 0 ? ": only root may make a user "
			       "namespace (rootless runs fail)"
			     : ": you may not make a user namespace");
}

/** User namespaces: the limit, Debian's and Ubuntu's switches, and one made by trying. */
static void
check_userns(struct doctor *d)
{
	long max = -1;
	int e;

	if (host_sysctl(d->root, "user.max_user_namespaces", &max) == 0)
		say(d, max > 0 ? OK : FAIL, STEP(5), "sysctl -w user.max_user_namespaces=15000",
		    "user.max_user_namespaces = %ld%s", max,
		    max > 0 ? ""
			    : ": no user namespace "
			      "may be made");
	userns_switch(d, "kernel.unprivileged_userns_clone", 0,
		      "sysctl -w kernel.unprivileged_userns_clone=1 (Debian)");
	userns_switch(d, "kernel.apparmor_restrict_unprivileged_userns", 1,
		      "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 (Ubuntu 23.10 and "
		      "later), or an AppArmor profile for nook that says \"userns,\"");
	e = config(d, "USER_NS") == 'n' ? EOPNOTSUPP : try_unshare(CLONE_NEWUSER);
	say(d, e ? FAIL : OK, STEP(5), "see the checks above; in a container, run nook on the host",
	    "user namespace: %s", e ? strerror(e) : "one was made (unshare CLONE_NEWUSER)");
}

/** The caller's range in /etc/subuid or /etc/subgid: rootless maps beyond its own id. */
static void
check_subids(struct doctor *d, const char *file, const char *option)
{
	struct passwd *pw = getpwuid(getuid());
	const char *name = pw ? pw->pw_name : "?";
	struct nook_id_range r;
	char path[512], fix[160];

	snprintf(path, sizeof(path), "%s%s", d->root, file);
	snprintf(fix, sizeof(fix), "usermod %s 100000-165535 %s", option, name);
	if (user_subid_range(path, pw ? pw->pw_name : NULL, getuid(), &r))
		say(d, OK, 0, NULL, "%s: %s has %u-%u", file, name, r.outside,
		    r.outside + r.count - 1);
	else if (getuid() == 0)
		say(d, NOTE, 0, fix, "%s: no range for %s; as root nook maps 100000-165535 anyway",
		    file, name);
	else
		say(d, NOTE, 0, fix,
		    "%s: no range for %s: rootless containers map your own id alone, and "
		    "--uid-map/--gid-map ranges are refused (newuidmap checks this file)",
		    file, name);
}

/** The i386 entry, which step 09's filter must cover; and WSL2, which needs a word. */
static void
check_i386_wsl(struct doctor *d)
{
	char c = config(d, "IA32_EMULATION");
	bool off = file_has(d, "/proc/cmdline", "ia32_emulation=0") ||
		   file_has(d, "/proc/cmdline", "ia32_emulation=false");

	say(d, NOTE, 0, NULL, "i386 system call entry: %s",
	    c == 'n' || off ? "off: 32-bit calls cannot reach this kernel"
	    : c ? "on (CONFIG_IA32_EMULATION): int 0x80 reaches the kernel with i386 numbers; "
		  "step 09's filter kills every call of another architecture"
		: "unknown (no kernel config)");
	if (file_has(d, "/proc/version", "microsoft") || file_has(d, "/proc/version", "WSL"))
		say(d, NOTE, 0, "wsl --update; in /etc/wsl.conf: [boot] systemd=true",
		    "WSL2: this is WSL2's kernel: cgroups come from its init (use systemd)");
	else
		say(d, OK, 0, NULL, "WSL2: no");
}

/** The last line: which steps cannot run here. Returns the exit status. */
static int
verdict(const struct doctor *d)
{
	if (!d->cannot) {
		printf("every step can run here (01-10)\n");
		return 0;
	}
	printf("steps that cannot run here:");
	for (int n = 1; n <= 10; n++)
		if (d->cannot & STEP(n))
			printf(" %02d", n);
	printf("\n");
	return 1;
}

/** doctor's options, parsed and documented. */
static const struct nook_cmd_option doctor_options[] = {
	{"quiet", 'q', NULL, "print only the checks that fail, and the verdict"},
	{NULL, 0, NULL, NULL},
};

int
cmd_doctor(int argc, char *argv[])
{
	struct doctor d = {.root = getenv("NOOK_DOCTOR_ROOT") ? getenv("NOOK_DOCTOR_ROOT") : ""};
	struct nook_error err;
	char release[128];
	int ch, status;

	while ((ch = command_getopt(&doctor_command, argc, argv)) != -1)
		if (ch == 'q')
			d.quiet = true;
		else
			return nook_fail(&err, 0,
					 "doctor: unknown option '%s' (try 'nook doctor "
					 "--help')",
					 argv[optind - 1]),
			       nook_say(&err);
	if (!d.quiet)
		printf("nook doctor: can this machine run nook's steps?%s%s%s\n",
		       d.root[0] ? " (its files under " : "", d.root, d.root[0] ? ")" : "");
	check_kernel(&d, release, sizeof(release));
	check_namespaces(&d);
	check_overlay_seccomp(&d);
	check_cgroups(&d);
	check_userns(&d);
	check_subids(&d, "/etc/subuid", "--add-subuids");
	check_subids(&d, "/etc/subgid", "--add-subgids");
	check_i386_wsl(&d);
	status = verdict(&d);
	free(d.config);
	return status;
}

const struct nook_command doctor_command = {
	.name = "doctor",
	.usage = "[--quiet]",
	.summary = "check that this machine can run every step; say how to fix it",
	.about =
		"Checks the kernel's version and configuration (/proc/config.gz or "
		"/boot/config-RELEASE, else by trying), the namespaces, overlayfs, the seccomp "
		"filter, the cgroup mode (v1, v2 or hybrid) and its controllers, whether user "
		"namespaces may be made (user.max_user_namespaces, Debian's "
		"kernel.unprivileged_userns_clone, Ubuntu's "
		"kernel.apparmor_restrict_unprivileged_userns), the caller's ranges in /etc/subuid "
		"and /etc/subgid, the i386 system call entry, and WSL2. Each failing check is "
		"printed with its fix, and the last line names the steps that cannot run here.\n"
		"With NOOK_DOCTOR_ROOT set, the host's files (/proc/sys, /proc/config.gz, /boot, "
		"/etc/subuid, /sys/fs/cgroup ...) are read under that directory instead of /: a "
		"scratch machine, for tests.",
	.shorts = "+q",
	.options = doctor_options,
	.status = "0 when every step can run here; 1 when some cannot; 125 for a bad option.",
	.see = "user_namespaces(7), cgroups(7), subuid(5)",
	.run = cmd_doctor,
};

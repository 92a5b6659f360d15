/**
 * @file probe.c
 * @brief A small static program the tests run *inside* containers, to look at a kernel
 *        object that no ordinary command shows reliably.
 *
 * Static, so that it runs in any root filesystem. Each subcommand prints one word and
 * exits 0 when the answer is yes, 1 when it is no, 2 on misuse.
 *
 *   probe msgq-create KEY   create a System V message queue with KEY ("created")
 *   probe msgq-exists KEY   is there a queue with KEY in this IPC namespace? (present/absent)
 *   probe msgq-remove KEY   remove the queue with KEY ("removed")
 *   probe hog SIZE          allocate SIZE (k, m, g) and touch every page ("hogged SIZE")
 *   probe forks MAX         fork children that wait, until fork fails or MAX are made; say
 *                           how many and why ("forked N of MAX, then: ERROR"), hold them
 *                           for a second, kill them; 0 if fork was refused, 1 if not
 *   probe escape PATH       the classic chroot escape: chroot(2) into a new directory,
 *                           climb out of it with chdir(".."), chroot(".") where that ends;
 *                           then is PATH there? ("PATH: reachable", 0; "unreachable", 1)
 *   probe creds             the real and effective uid and the effective capabilities, as
 *                           the kernel sees them ("uid=1000 euid=1000 CapEff=0000000000000000");
 *                           made set-user-ID root, it shows what an exec granted
 *   probe syscall NAME      make system call NAME directly, with arguments that do no harm
 *                           when it is allowed (most fail then, but not with EPERM); print
 *                           "ok" (0) or the errno's name, "EPERM" (1). NAME: unshare,
 *                           mount, reboot, keyctl, add_key, kexec_load, init_module, bpf,
 *                           perf_event_open, ptrace (of a child), clone3, i386-getpid (int 0x80),
 *                           x32-getpid (bit 30 set), or a NUMBER (all arguments 0). A
 *                           seccomp filter may kill it instead (SIGSYS); a kernel without
 *                           the i386 entry kills i386-getpid with SIGSEGV, filter or not.
 *   probe open PATH r|w|rw  open(2) PATH for reading, writing or both, and close it again
 *                           without reading or writing: "ok" (0) or the errno's name (1)
 *   probe device PATH b|c MAJOR MINOR r|w
 *                           mknod(2) a block or character device node at PATH and open it
 *                           (never reading or writing), then remove it: "mknod ok, open ok"
 *                           (0), "mknod ok, open EPERM" or "mknod EPERM" (1)
 *   probe socket FAMILY     socket(2) of FAMILY (inet, unix, vsock, or a number), stream:
 *                           "ok" (0) or the errno's name (1)
 *   probe write-direct FD KIB
 *                           write KIB KiB of zeros to descriptor FD (opened by the caller:
 *                           a block device the device cgroup would not let the container
 *                           open), O_DIRECT (set with fcntl), 64 KiB a write from offset 0,
 *                           and say how long it took: "wrote N bytes in S s" (0), or the
 *                           errno's name (1)
 *   probe console SOCKET TEXT
 *                           run on the host, not inside: the engine's end of a runtime's
 *                           --console-socket (runc's recvtty, conmon). Listen on SOCKET,
 *                           take the terminal master one connection sends (SCM_RIGHTS),
 *                           type TEXT and a newline into it and print what comes back
 *                           until the terminal closes, 10 s at most: 0, or 1 if no master
 *                           came
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/msg.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int
msgq(const char *what, key_t key)
{
	int id;

	if (strcmp(what, "msgq-create") == 0) {
		if (msgget(key, IPC_CREAT | IPC_EXCL | 0600) < 0)
			return perror("msgget"), 2;
		return puts("created"), 0;
	}
	id = msgget(key, 0);
	if (strcmp(what, "msgq-exists") == 0)
		return puts(id < 0 ? "absent" : "present"), id < 0;
	if (id < 0 || msgctl(id, IPC_RMID, NULL) < 0)
		return perror("msgctl"), 1;
	return puts("removed"), 0;
}

/** Allocate @p size bytes and write to every page, so that all of it is really used. */
static int
hog(const char *size)
{
	char *end;
	long long n = strtoll(size, &end, 10);
	size_t bytes, page = (size_t)sysconf(_SC_PAGESIZE);
	char *mem;

	switch (*end | 0x20) { /* k, m, g in either case */
	case 'g':
		n <<= 10; /* fall through */
	case 'm':
		n <<= 10; /* fall through */
	case 'k':
		n <<= 10;
		end++;
	}
	if (n <= 0 || *end != '\0')
		return fprintf(stderr, "probe: hog: bad size '%s'\n", size), 2;
	bytes = (size_t)n;
	mem = malloc(bytes);
	if (!mem)
		return perror("malloc"), 2;
	for (size_t i = 0; i < bytes; i += page)
		mem[i] = 1;
	printf("hogged %s\n", size);
	free(mem);
	return 0;
}

/** A fork bomb with a fuse: at most @p max children, each waiting to be killed. */
static int
forks(long max)
{
	pid_t *kids = calloc((size_t)max, sizeof(pid_t));
	long n = 0;
	int error = 0;

	if (!kids)
		return perror("calloc"), 2;
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
	printf("forked %ld of %ld, then: %s\n", n, max, error ? strerror(error) : "no error");
	fflush(stdout);
	sleep(1);
	for (long i = 0; i < n; i++)
		kill(kids[i], SIGKILL);
	while (wait(NULL) > 0)
		;
	free(kids);
	return error ? 0 : 1;
}

/**
 * A process with CAP_SYS_CHROOT that is chrooted (or looks at its root through a chroot)
 * escapes: chroot() into a subdirectory leaves the cwd outside the new root, and ".." is
 * only stopped at the root, which the cwd is not under any more. It climbs to the top of
 * the mount namespace — the host's "/" after a chroot, the container's own after pivot_root.
 */
static int
escape(const char *path)
{
	mkdir("nook-escape", 0755);
	if (chroot("nook-escape") < 0) {
		printf("chroot: %s\n", strerror(errno));
		return 2;
	}
	for (int i = 0; i < 64; i++)
		if (chdir("..") < 0)
			break;
	if (chroot(".") < 0) {
		printf("chroot: %s\n", strerror(errno));
		return 2;
	}
	if (access(path, F_OK) == 0) {
		printf("%s: reachable\n", path);
		return 0;
	}
	printf("%s: unreachable\n", path);
	return 1;
}

/** Who this process is: real and effective uid, and its effective capability set. */
static int
creds(void)
{
	char line[256], eff[64] = "?";
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return perror("/proc/self/status"), 2;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %63s", eff) == 1)
			break;
	fclose(f);
	printf("uid=%u euid=%u CapEff=%s\n", (unsigned)getuid(), (unsigned)geteuid(), eff);
	return 0;
}

/** PTRACE_SEIZE a child of ours: allowed for root, and for anyone to their own children. */
static long
ptrace_child(void)
{
	pid_t pid = fork();
	long rc;
	int e;

	if (pid == 0) {
		pause();
		_exit(0);
	}
	if (pid < 0)
		return -1;
	rc = ptrace(PTRACE_SEIZE, pid, NULL, NULL);
	e = errno;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	errno = e;
	return rc;
}

/** The i386 getpid: int 0x80 takes i386 numbers, whatever the program's own ABI. */
static long
i386_getpid(void)
{
	long rc;

	__asm__ volatile("int $0x80" : "=a"(rc) : "a"(20L) : "memory");
	if (rc < 0 && rc > -4096) {
		errno = (int)-rc;
		return -1;
	}
	return rc;
}

/** System call @p name with harmless arguments: its result, errno set when it is -1. */
static long
call(const char *name)
{
	struct rlimit none = {0, 0};

	setrlimit(RLIMIT_CORE, &none); /* a filter's SIGSYS must leave no core file behind */
	if (strcmp(name, "unshare") == 0)
		return syscall(SYS_unshare, 0x10000000L); /* CLONE_NEWUSER */
	if (strcmp(name, "mount") == 0)
		return syscall(SYS_mount, "none", "/nonexistent-nook-probe", "tmpfs", 0L, NULL);
	if (strcmp(name, "reboot") == 0) /* wrong second magic number: EINVAL if allowed */
		return syscall(SYS_reboot, 0xfee1deadL, 0L, 0L, NULL);
	if (strcmp(name, "keyctl") == 0) /* KEYCTL_GET_KEYRING_ID of the session keyring */
		return syscall(SYS_keyctl, 0L, -3L, 0L);
	if (strcmp(name, "add_key") == 0) /* a key type that does not exist: ENODEV */
		return syscall(SYS_add_key, "nook-no-such-type", "probe", "x", 1L, -2L);
	if (strcmp(name, "kexec_load") == 0) /* flags that do not exist: EINVAL */
		return syscall(SYS_kexec_load, 0L, 0L, NULL, 0xffff0000L);
	if (strcmp(name, "init_module") == 0) /* an empty module: ENOEXEC */
		return syscall(SYS_init_module, NULL, 0L, "");
	if (strcmp(name, "bpf") == 0) /* no such command: EINVAL */
		return syscall(SYS_bpf, -1L, NULL, 0L);
	if (strcmp(name, "perf_event_open") == 0) /* no attributes: EFAULT */
		return syscall(SYS_perf_event_open, NULL, 0L, -1L, -1L, 0L);
	if (strcmp(name, "ptrace") == 0)
		return ptrace_child();
	if (strcmp(name, "clone3") == 0) /* arguments too short: EINVAL */
		return syscall(SYS_clone3, NULL, 0L);
	if (strcmp(name, "i386-getpid") == 0)
		return i386_getpid();
	if (strcmp(name, "x32-getpid") == 0)
		return syscall(0x40000000L | SYS_getpid);
	if (strspn(name, "0123456789") == strlen(name)) /* a number, no arguments */
		return syscall(atol(name), 0L, 0L, 0L, 0L, 0L, 0L);
	errno = 0;
	return -2;
}

static int
syscall_probe(const char *name)
{
	long rc = call(name);

	if (rc == -2 && errno == 0)
		return fprintf(stderr, "probe: syscall: unknown call '%s'\n", name), 2;
	if (rc < 0)
		return printf("%s\n", strerrorname_np(errno)), 1;
	return puts("ok"), 0;
}

/** open(2) flags for "r", "w" or "rw"; -1 for anything else. */
static int
open_mode(const char *how)
{
	if (strcmp(how, "r") == 0)
		return O_RDONLY;
	if (strcmp(how, "w") == 0)
		return O_WRONLY;
	if (strcmp(how, "rw") == 0)
		return O_RDWR;
	return -1;
}

/** Open @p path as @p how says and close it: nothing is read or written. */
static int
open_probe(const char *path, const char *how)
{
	int mode = open_mode(how), fd;

	if (mode < 0)
		return fprintf(stderr, "probe: open: r, w or rw, not '%s'\n", how), 2;
	fd = open(path, mode | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return printf("%s\n", strerrorname_np(errno)), 1;
	close(fd);
	return puts("ok"), 0;
}

/** mknod a device node at @p path, open it as @p how says (no I/O), remove it. */
static int
device(const char *path, const char *type, const char *major, const char *minor, const char *how)
{
	mode_t kind = strcmp(type, "b") == 0 ? S_IFBLK : strcmp(type, "c") == 0 ? S_IFCHR : 0;
	int mode = open_mode(how), fd, e;

	if (!kind || mode < 0)
		return fprintf(stderr, "probe: device: b|c MAJOR MINOR r|w\n"), 2;
	if (mknod(path, kind | 0600, makedev(atoi(major), atoi(minor))) < 0)
		return printf("mknod %s\n", strerrorname_np(errno)), 1;
	fd = open(path, mode | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	e = errno;
	unlink(path);
	if (fd < 0)
		return printf("mknod ok, open %s\n", strerrorname_np(e)), 1;
	close(fd);
	return puts("mknod ok, open ok"), 0;
}

/** socket(2) of @p family, a stream one. */
static int
socket_probe(const char *family)
{
	int f = strcmp(family, "inet") == 0    ? AF_INET
		: strcmp(family, "unix") == 0  ? AF_UNIX
		: strcmp(family, "vsock") == 0 ? 40 /* AF_VSOCK */
					       : atoi(family);
	int fd = socket(f, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return printf("%s\n", strerrorname_np(errno)), 1;
	close(fd);
	return puts("ok"), 0;
}

static int
write_direct(int fd, long kib)
{
	enum {
		BLOCK = 64 << 10
	};
	struct timespec t0, t1;
	long long done = 0;
	void *buf;

	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_DIRECT) < 0)
		return printf("%s\n", strerrorname_np(errno)), 1;
	if (posix_memalign(&buf, 4096, BLOCK) != 0)
		return puts("ENOMEM"), 1;
	memset(buf, 0, BLOCK);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (; done < kib * 1024LL; done += BLOCK)
		if (pwrite(fd, buf, BLOCK, done) != BLOCK)
			return printf("%s\n", strerrorname_np(errno)), 1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("wrote %lld bytes in %.3f s\n", done,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}

/** The descriptor that one connection to a listening @p sock sends (SCM_RIGHTS), or -1. */
static int
receive_fd(int sock)
{
	char byte, control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = control,
			     .msg_controllen = sizeof(control)};
	struct cmsghdr *cmsg;
	int conn = accept4(sock, NULL, NULL, SOCK_CLOEXEC), fd = -1;

	if (conn < 0 || recvmsg(conn, &msg, MSG_CMSG_CLOEXEC) < 0)
		return perror("accept4, recvmsg"), -1;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (cmsg && cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cmsg), sizeof(fd));
	close(conn);
	return fd;
}

/**
 * --console-socket's other end: SOCKET (made here, mode 0777: a rootless runtime connects
 * too), TEXT and a newline typed into the master it receives, what comes back copied to stdout until
 * the last holder of the terminal's slave closes it (read(2) then fails with EIO).
 */
static int
console(const char *path, const char *text)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), master;
	char buf[4096];
	ssize_t n;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	unlink(path);
	if (sock < 0 || bind(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    chmod(path, 0777) < 0 || listen(sock, 1) < 0)
		return perror(path), 2;
	alarm(10);
	if ((master = receive_fd(sock)) < 0)
		return puts("no master"), 1;
	if (write(master, text, strlen(text)) < 0 || write(master, "\n", 1) < 0)
		return perror("write(master)"), 1;
	while ((n = read(master, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout), fflush(stdout); /* before any alarm */
	return 0;
}

int
main(int argc, char *argv[])
{
	if (argc == 3 && strncmp(argv[1], "msgq-", 5) == 0)
		return msgq(argv[1], (key_t)strtol(argv[2], NULL, 0));
	if (argc == 3 && strcmp(argv[1], "hog") == 0)
		return hog(argv[2]);
	if (argc == 3 && strcmp(argv[1], "forks") == 0 && atol(argv[2]) > 0)
		return forks(atol(argv[2]));
	if (argc == 3 && strcmp(argv[1], "escape") == 0)
		return escape(argv[2]);
	if (argc == 2 && strcmp(argv[1], "creds") == 0)
		return creds();
	if (argc == 3 && strcmp(argv[1], "syscall") == 0)
		return syscall_probe(argv[2]);
	if (argc == 4 && strcmp(argv[1], "open") == 0)
		return open_probe(argv[2], argv[3]);
	if (argc == 7 && strcmp(argv[1], "device") == 0)
		return device(argv[2], argv[3], argv[4], argv[5], argv[6]);
	if (argc == 3 && strcmp(argv[1], "socket") == 0)
		return socket_probe(argv[2]);
	if (argc == 4 && strcmp(argv[1], "write-direct") == 0 && atol(argv[3]) > 0)
		return write_direct(atoi(argv[2]), atol(argv[3]));
	if (argc == 4 && strcmp(argv[1], "console") == 0)
		return console(argv[2], argv[3]);
	fprintf(stderr, "usage: probe msgq-create|msgq-exists|msgq-remove KEY | hog SIZE | "
			"forks MAX | escape PATH | creds | syscall NAME | open PATH r|w|rw | "
			"device PATH b|c MAJOR MINOR r|w | socket FAMILY | write-direct FD KIB | "
			"console SOCKET TEXT\n");
	return 2;
}

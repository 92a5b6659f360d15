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
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/msg.h>
#include <sys/stat.h>
#include <sys/wait.h>
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
	fprintf(stderr, "usage: probe msgq-create|msgq-exists|msgq-remove KEY | hog SIZE | "
			"forks MAX | escape PATH | creds\n");
	return 2;
}

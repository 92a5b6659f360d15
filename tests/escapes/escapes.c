/**
 * @file escapes.c
 * @brief The escape battery (issue 11): every known way out of a step 09 container, tried
 *        from inside as root and again with --userns, each expected to be refused.
 *
 * Each test runs `09-seccomp --rootfs IMAGE -- /attack SUBCOMMAND ...` (attack.c, copied
 * into a scratch copy of the busybox image) in the situation its attack needs — a
 * terminal, a process group, an inherited descriptor, a secret in the environment, a
 * cgroup2 mount — and judges the result: from the attack's own verdict when the container
 * can see it, from the host when only the host can (a signal that reached a host process,
 * a state directory left in /run/nook, bytes pushed into the caller's terminal). Each
 * prints one line, "REFUSED: ..." or "SUCCEEDED: ...", and fails on a success.
 *
 * Nothing of the host changes: the files the attacks reach are scratch files, the disk
 * they open is a scratch loop device, devices and /proc files are opened but never
 * written, and what a successful attack leaves (a state directory, a cgroup) is removed.
 *
 * $NOOK_ATTACK names the attack program (build/tests/attack by default); $NOOK_RUNC, when
 * set to a runc binary, runs the same attacks under runc instead, for comparison.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <linux/magic.h>
#include <limits.h>
#include <poll.h>
#include <pty.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define STEP "09-seccomp"

/** The scratch world: /tmp/nook-escapes-XXXXXX, reachable by the --userns root. */
static char scratch[64];
/** SCRATCH/rootfs: a copy of the image with /attack in it. */
static char rootfs[96];
/** SCRATCH/host/marker: a host file the container must never read. */
static char marker[160];
/** SCRATCH/host: the directory it is in. */
static char hostdir[96];
/** What the marker (and every other secret the attacks look for) holds. */
static char token[64];

/** How the container is run: as root, or with --userns. */
struct mode {
	const char *name;
	bool userns;
};
static const struct mode as_root = {"root", false};
static const struct mode with_userns = {"--userns", true};

/* ---- running an attack --------------------------------------------------------------------- */

/** One run of an attack and the situation it runs in. */
struct attack {
	const struct mode *mode;
	const char *opts[8];  /**< nook options before --rootfs, NULL-ended */
	const char *args[6];  /**< /attack's arguments, NULL-ended */
	bool v2;	      /**< in a private mount namespace with cgroup2 on /sys/fs/cgroup */
	bool pty;	      /**< stdin and stdout on a terminal that is the controlling one */
	pid_t pgid;	      /**< > 0: nook joins this process group */
	const char *env;      /**< "NAME=VALUE" added to nook's environment */
	bool keep_dir_fd;     /**< nook inherits an open descriptor of the host's hostdir */
	int stdout_fd;	      /**< > 0: nook's stdout */
	int drop_cap;	      /**< > 0: drop capability N-1 from the bounding set first */
	int timeout;	      /**< seconds; RUN_TIMEOUT when 0 */
	const char *wait_for; /**< call @c during once stdout holds this */
	void (*during)(struct attack *a, pid_t nook);

	/* results */
	pid_t pid;	/**< nook's PID */
	int wstatus;	/**< nook's raw wait status */
	int master;	/**< the terminal's master side (pty) */
	int slave;	/**< the test's own descriptor of its slave side (pty) */
	char seen[512]; /**< what @c during saw */
};

static const char *
attack_program(void)
{
	const char *p = getenv("NOOK_ATTACK");

	return p && *p ? p : "build/tests/attack";
}

/** Is /sys/fs/cgroup the cgroup2 hierarchy already (a real v2 host, the qemu lane)? */
static bool
is_v2_host(void)
{
	struct statfs sfs;

	return statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
}

/**
 * In the child: a private mount namespace whose /sys/fs/cgroup is cgroup2 (a v2 host). On
 * a real v2 host nothing is simulated: mounting cgroup2 over itself fails with EBUSY anyway.
 */
static void
become_v2_host(void)
{
	if (is_v2_host())
		return;
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("cgroup2", "/sys/fs/cgroup", "cgroup2", 0, NULL) < 0) {
		fprintf(stderr, "escapes: a cgroup2 mount in a private namespace: %s\n",
			strerror(errno));
		_exit(124);
	}
}

/** In the child: what the attack's situation needs, before nook is executed. */
static void
set_the_scene(struct attack *a, int out, int err)
{
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (a->pty) {
		setsid();
		if (ioctl(a->slave, TIOCSCTTY, 0) < 0)
			fprintf(stderr, "escapes: TIOCSCTTY: %s\n", strerror(errno));
		dup2(a->slave, 0);
		dup2(a->slave, 1);
	} else {
		dup2(devnull, 0);
		dup2(a->stdout_fd > 0 ? a->stdout_fd : out, 1);
	}
	dup2(err, 2);
	if (a->pgid > 0 && setpgid(0, a->pgid) < 0)
		fprintf(stderr, "escapes: setpgid: %s\n", strerror(errno));
	if (a->env)
		putenv((char *)a->env);
	if (a->keep_dir_fd && open(hostdir, O_RDONLY | O_DIRECTORY) < 0) /* no O_CLOEXEC */
		fprintf(stderr, "escapes: open(\"%s\"): %s\n", hostdir, strerror(errno));
	if (a->drop_cap > 0 && prctl(PR_CAPBSET_DROP, a->drop_cap - 1) < 0)
		fprintf(stderr, "escapes: PR_CAPBSET_DROP: %s\n", strerror(errno));
	if (a->v2)
		become_v2_host();
}

/** nook's command line for @p a. */
static void
command_line(struct attack *a, char **argv, size_t size)
{
	size_t n = 0;

	argv[n++] = (char *)step_path(STEP);
	if (a->mode->userns)
		argv[n++] = "--userns";
	for (size_t i = 0; a->opts[i]; i++)
		argv[n++] = (char *)a->opts[i];
	argv[n++] = "--rootfs";
	argv[n++] = rootfs;
	argv[n++] = "--";
	argv[n++] = "/attack";
	for (size_t i = 0; a->args[i] && n < size - 1; i++)
		argv[n++] = (char *)a->args[i];
	argv[n] = NULL;
}

/** A wait status as a shell reports it. */
static int
nook_status(int wstatus)
{
	return WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus) : WEXITSTATUS(wstatus);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the same attacks under runc, for comparison ----------------------------------------- */

/** $NOOK_RUNC: run the attacks under this runc instead of nook; NULL: under nook. */
static const char *
runc_path(void)
{
	const char *p = getenv("NOOK_RUNC");

	return p && *p ? p : NULL;
}

/** Under runc, a test of nook's own command line has nothing to compare: skip it. */
static void
nook_only(const char *why)
{
	if (runc_path()) {
		print_message("  SKIP: under runc: %s\n", why);
		skip();
	}
}

/** Write @p s to @p f as a JSON string. */
static void
json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/** The value of nook option @p name in @p a->opts, or NULL. */
static const char *
option(const struct attack *a, const char *name)
{
	for (int i = 0; a->opts[i] && a->opts[i + 1]; i++)
		if (strcmp(a->opts[i], name) == 0)
			return a->opts[i + 1];
	return NULL;
}

/** The mounts of `runc spec`, and a --volume as a bind mount. */
static void
oci_mounts(FILE *f, const struct attack *a)
{
	const char *volume = option(a, "--volume");

	fputs("\"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": "
	      "\"proc\"},\n"
	      " {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", "
	      "\"options\": "
	      "[\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},\n"
	      " {\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\", "
	      "\"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", "
	      "\"mode=0620\"]},\n"
	      " {\"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\", "
	      "\"options\": [\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\"]},\n"
	      " {\"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\", "
	      "\"options\": [\"nosuid\", \"noexec\", \"nodev\"]},\n"
	      " {\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\", "
	      "\"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"]},\n"
	      " {\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": "
	      "\"cgroup\", "
	      "\"options\": [\"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\"]}",
	      f);
	if (volume)
		fprintf(f,
			",\n {\"destination\": \"/vol\", \"type\": \"bind\", \"source\": \"%s\", "
			"\"options\": [\"rbind\"]}",
			hostdir);
	fputs("],\n", f);
}

/** The resources, namespaces and paths of `runc spec`, with the limits @p a asks for. */
static void
oci_linux(FILE *f, const struct attack *a)
{
	const char *memory = option(a, "--memory"), *pids = option(a, "--pids");

	fputs("\"linux\": {\"resources\": {\"devices\": [{\"allow\": false, \"access\": \"rwm\"}]",
	      f);
	if (memory)
		fprintf(f, ", \"memory\": {\"limit\": %ld, \"swap\": %ld}", atol(memory) << 20,
			atol(memory) << 20);
	if (pids)
		fprintf(f, ", \"pids\": {\"limit\": %ld}", atol(pids));
	fputs("},\n \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": "
	      "\"ipc\"}, {\"type\": \"uts\"}, {\"type\": \"mount\"}",
	      f);
	if (a->mode->userns)
		fputs(", {\"type\": \"user\"}],\n \"uidMappings\": [{\"containerID\": 0, "
		      "\"hostID\": "
		      "100000, \"size\": 65536}],\n \"gidMappings\": [{\"containerID\": 0, "
		      "\"hostID\": 100000, \"size\": 65536}]",
		      f);
	else
		fputs("]", f);
	fputs(",\n \"maskedPaths\": [\"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", "
	      "\"/proc/keys\", \"/proc/latency_stats\", \"/proc/timer_list\", "
	      "\"/proc/timer_stats\", "
	      "\"/proc/sched_debug\", \"/sys/firmware\", \"/proc/scsi\"],\n \"readonlyPaths\": "
	      "[\"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\", "
	      "\"/proc/sysrq-trigger\"]}}\n",
	      f);
}

/**
 * An OCI bundle in @p dir for @p a: `runc spec`'s defaults (three capabilities, no seccomp
 * profile, a device cgroup denying all but the standard devices), a writable root that is
 * a fresh copy of the image (so that one attack's leftovers meet no other), the process's
 * arguments, and --user, --memory, --pids, --volume and --userns translated.
 */
static void
write_bundle(const char *dir, const struct attack *a)
{
	char path[PATH_MAX], root[PATH_MAX - 64];
	const char *user = option(a, "--user");
	FILE *f;

	snprintf(root, sizeof(root), "%s/rootfs", dir);
	char *cp[] = {"/bin/cp", "-a", rootfs, root, NULL};
	struct run r;
	run_argv(&r, RUN_TIMEOUT, cp);
	if (r.status != 0)
		fail_msg("copying the image to %s: %s", root, r.err);
	snprintf(path, sizeof(path), "%s/vol", root); /* a root in a user namespace cannot */
	if (option(a, "--volume") && mkdir(path, 0755) < 0)
		fail_msg("mkdir(\"%s\"): %s", path, strerror(errno));
	snprintf(path, sizeof(path), "%s/config.json", dir);
	f = fopen(path, "w");
	if (!f)
		fail_msg("fopen(\"%s\"): %s", path, strerror(errno));
	fprintf(f,
		"{\"ociVersion\": \"1.0.2-dev\",\n\"process\": {\"terminal\": false, "
		"\"user\": {\"uid\": %d, \"gid\": %d}, \"args\": [\"/attack\"",
		user ? atoi(user) : 0, user ? atoi(user) : 0);
	for (int i = 0; a->args[i]; i++) {
		fputs(", ", f);
		json_string(f, a->args[i]);
	}
	fputs("],\n \"env\": "
	      "[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\", "
	      "\"TERM=xterm\"], \"cwd\": \"/\",\n \"capabilities\": {",
	      f);
	for (int i = 0; i < 4; i++)
		fprintf(f,
			"%s\"%s\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"]",
			i ? ", " : "",
			(const char *[]){"bounding", "effective", "permitted", "ambient"}[i]);
	fprintf(f, "},\n \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": "
		   "1024}], "
		   "\"noNewPrivileges\": true},\n\"root\": {\"path\": \"rootfs\", \"readonly\": "
		   "false},\n"
		   "\"hostname\": \"runc\",\n");
	oci_mounts(f, a);
	oci_linux(f, a);
	if (fclose(f) != 0)
		fail_msg("writing %s: %s", path, strerror(errno));
}

/** Under runc: `runc run --bundle DIR ID`, the bundle made here. */
static void
runc_command_line(struct attack *a, char **argv, char *dir, char *id)
{
	static int n;

	snprintf(dir, 128, "%s/bundle-%d", scratch, ++n);
	snprintf(id, 64, "nook-escapes-%d-%d", (int)getpid(), n);
	if (mkdir(dir, 0755) < 0)
		fail_msg("mkdir(\"%s\"): %s", dir, strerror(errno));
	write_bundle(dir, a);
	argv[0] = (char *)runc_path();
	argv[1] = "run";
	argv[2] = "--bundle";
	argv[3] = dir;
	argv[4] = id;
	argv[5] = NULL;
}

/** After a run under runc: the container and its bundle go. */
static void
runc_remove(const char *dir, const char *id)
{
	char *del[] = {(char *)runc_path(), "delete", "--force", (char *)id, NULL};
	char *rm[] = {"/bin/rm", "-rf", (char *)dir, NULL};
	struct run r;

	run_argv(&r, RUN_TIMEOUT, del);
	run_argv(&r, RUN_TIMEOUT, rm);
}

/** Append what @p fd has to @p buf; false at end of file. */
static bool
gather(int fd, char *buf, size_t size)
{
	size_t len = strlen(buf);
	ssize_t n = read(fd, buf + len, size - 1 - len);

	if (n > 0)
		buf[len + (size_t)n] = '\0';
	if (len + 1 >= size) /* full: drop the rest */
		return read(fd, (char[256]){0}, 256) > 0;
	return n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR));
}

/** Fork and exec the runtime for @p a (@p argv); its stdout and stderr in @p out, @p err. */
static void
spawn(struct attack *a, char **argv, int *out, int *err)
{
	int o[2], e[2];

	if (pipe2(o, O_CLOEXEC) < 0 || pipe2(e, O_CLOEXEC) < 0)
		fail_msg("pipe2: %s", strerror(errno));
	if (a->pty &&
	    (openpty(&a->master, &a->slave, NULL, NULL, NULL) < 0 ||
	     fcntl(a->master, F_SETFD, FD_CLOEXEC) < 0 || fcntl(a->slave, F_SETFD, FD_CLOEXEC) < 0))
		fail_msg("openpty: %s", strerror(errno));
	fflush(NULL);
	a->pid = fork();
	if (a->pid < 0)
		fail_msg("fork: %s", strerror(errno));
	if (a->pid == 0) {
		set_the_scene(a, o[1], e[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(o[1]);
	close(e[1]);
	if (a->pty)
		close(o[0]);
	*out = a->pty ? a->master : o[0];
	*err = e[0];
}

/**
 * Collect what the run prints until it has ended and its pipes are closed (a terminal
 * stays open: the test holds its slave side), calling a->during once a->wait_for shows.
 * At the deadline the runtime is killed.
 */
static void
collect(struct attack *a, struct run *r, int outfd, int errfd)
{
	double deadline = now() + (a->timeout ? a->timeout : RUN_TIMEOUT);
	bool exited = false, called = false;

	while (!exited || errfd >= 0 || (!a->pty && outfd >= 0)) {
		struct pollfd p[2] = {{outfd, POLLIN, 0}, {errfd, POLLIN, 0}};

		if (now() > deadline) {
			r->timed_out = true;
			kill(a->pid, SIGKILL);
		}
		poll(p, 2, 100);
		if (outfd >= 0 && p[0].revents && !gather(outfd, r->out, sizeof(r->out)))
			outfd = a->pty ? -1 : (close(outfd), -1);
		if (errfd >= 0 && p[1].revents && !gather(errfd, r->err, sizeof(r->err)))
			errfd = (close(errfd), -1);
		if (!called && a->wait_for && strstr(r->out, a->wait_for)) {
			called = true;
			a->during(a, a->pid);
		}
		if (!exited && waitpid(a->pid, &a->wstatus, WNOHANG) == a->pid)
			exited = true;
		if (exited && r->timed_out)
			break;
	}
	if (!a->pty && outfd >= 0)
		close(outfd);
	if (errfd >= 0)
		close(errfd);
}

/** Run the attack @p a under nook (or runc); its output in @p r, its wait status in @p a. */
static void
run_attack(struct attack *a, struct run *r)
{
	char *argv[40], dir[128] = "", id[64] = "";
	int outfd, errfd;

	memset(r, 0, sizeof(*r));
	if (runc_path()) {
		if (a->drop_cap || option(a, "--cap-add"))
			nook_only("nook's --cap-add");
		runc_command_line(a, argv, dir, id);
	} else {
		command_line(a, argv, 40);
	}
	spawn(a, argv, &outfd, &errfd);
	collect(a, r, outfd, errfd);
	if (a->pty) { /* what the terminal still holds for the caller to read */
		fcntl(a->master, F_SETFL, O_NONBLOCK);
		gather(a->master, r->out, sizeof(r->out));
	}
	r->status = r->timed_out ? -1 : nook_status(a->wstatus);
	if (dir[0])
		runc_remove(dir, id);
}

/* ---- verdicts ------------------------------------------------------------------------------ */

/** The first line of @p text, without its newline (static). */
static const char *
first_line(const char *text)
{
	static char line[512];

	snprintf(line, sizeof(line), "%.*s", (int)strcspn(text, "\n"), text);
	return line;
}

/** Print the verdict on @p what; a success fails the test. */
__attribute__((format(printf, 4, 5))) static void
verdict(const struct mode *m, const char *what, bool succeeded, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	print_message("  %s (%s): %s: %s\n", what, m->name, succeeded ? "SUCCEEDED" : "REFUSED",
		      line);
	if (succeeded)
		fail_msg("%s (%s) got through: %s", what, m->name, line);
}

/** An attack that broke (nook failed, the attack misused): the battery must be mended. */
static void
broken(struct attack *a, struct run *r, const char *what)
{
	print_message("  %s (%s): the attack did not run as planned\n", what, a->mode->name);
	expect_run(r, false, "%s: exit status %d is no verdict", what, r->status);
}

/** Judge by the attack's own verdict: 0 refused, 1 succeeded, 77 not applicable here. */
static void
judge(struct attack *a, struct run *r, const char *what)
{
	const char *line = first_line(r->out);

	if (r->timed_out)
		verdict(a->mode, what, true, "nook was still running after the deadline");
	switch (line[0] ? r->status : -1) { /* no line: the runtime failed, not the attack */
	case 0:
	case 1:
		verdict(a->mode, what, r->status == 1, "%s", line);
		return;
	case 77:
		print_message("  SKIP: %s (%s): %s\n", what, a->mode->name, line);
		skip();
		return;
	default:
		broken(a, r, what);
	}
}

/** Replace the placeholders @MARKER, @TOKEN and @HOSTDIR in @p arg. */
static const char *
expand(const char *arg)
{
	static char volume[160];

	if (!arg)
		return NULL;
	if (strcmp(arg, "@MARKER") == 0)
		return marker;
	if (strcmp(arg, "@TOKEN") == 0)
		return token;
	if (strcmp(arg, "@VOLUME") == 0) {
		snprintf(volume, sizeof(volume), "%s:/vol", hostdir);
		return volume;
	}
	return arg;
}

/* ---- the attacks the container can judge by itself ----------------------------------------- */

/** An attack needing nothing but nook's options and its own arguments. */
struct simple {
	const char *name;    /**< the test's name */
	const char *opts[4]; /**< nook options; placeholders allowed */
	const char *args[5]; /**< the attack's arguments; placeholders allowed */
	const struct mode *mode;
	const char *needs; /**< a host file without which the attack makes no sense, or NULL */
};

static void
simple_attack(void **state)
{
	const struct simple *s = *state;
	struct attack a = {.mode = s->mode};
	struct run r;

	if (s->needs && access(s->needs, F_OK) < 0) {
		print_message("  SKIP: this host has no %s\n", s->needs);
		skip();
	}
	for (int i = 0; s->opts[i]; i++)
		a.opts[i] = expand(s->opts[i]);
	for (int i = 0; s->args[i]; i++)
		a.args[i] = expand(s->args[i]);
	run_attack(&a, &r);
	judge(&a, &r, s->name);
}

/** The memory hog is killed at --memory: it cannot say so itself. */
static void
memory_hog(void **state)
{
	struct attack a = {.mode = *state, .opts = {"--memory", "64m"}, .args = {"hog", "256"}};
	struct run r;

	run_attack(&a, &r);
	if (r.status == 137 && !strstr(r.out, "used"))
		verdict(a.mode, "memory hog", false, "killed at the 64 MiB limit (%s)",
			first_line(r.err));
	else
		judge(&a, &r, "memory hog");
}

/* ---- finding 1: nook-init's cgroup2 descriptor --------------------------------------------- */

/** Does the cgroup2 hierarchy have a top-level "nook" directory? Removes it if @p remove. */
static bool
v2_nook_dir(bool remove)
{
	int wstatus;
	pid_t pid = fork();

	if (pid == 0) {
		char dir[64] = "/tmp/nook-escapes-cg2-XXXXXX"; /* and "/nook" after it */

		if (!mkdtemp(dir) || unshare(CLONE_NEWNS) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount("cgroup2", dir, "cgroup2", 0, NULL) < 0)
			_exit(2);
		strcat(dir, "/nook");
		if (remove)
			rmdir(dir);
		_exit(access(dir, F_OK) == 0);
	}
	waitpid(pid, &wstatus, 0);
	if (system("rmdir /tmp/nook-escapes-cg2-* 2>/dev/null") < 0) /* the mount points */
		print_message("  warning: cannot remove /tmp/nook-escapes-cg2-*\n");
	return WEXITSTATUS(wstatus) == 1;
}

/** Is @p fs in /proc/filesystems? */
static bool
kernel_has_fs(const char *fs)
{
	char line[128], want[64];
	FILE *f = fopen("/proc/filesystems", "re");
	bool found = false;

	snprintf(want, sizeof(want), "\t%s\n", fs);
	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, want) != NULL;
	if (f)
		fclose(f);
	return found;
}

/**
 * Finding 1, the CVE-2024-21626 pattern: on a cgroup v2 host, PID 1 of the container held
 * the cgroup's directory open; through /proc/1/fd/N the container walks ".." out of the
 * cgroup2 mount to the host's "/". On a v1 or hybrid host a v2 host is simulated: cgroup2
 * mounted on /sys/fs/cgroup in a private mount namespace, which is what nook looks at; on a
 * v2 host (`make check-cgroup2` boots one) the attack meets the real thing.
 */
static void
cgroup2_descriptor_of_init(void **state)
{
	struct attack a = {.mode = *state, .v2 = true, .args = {"init-fds", marker, token}};
	struct run r;
	bool had_nook;

	if (!kernel_has_fs("cgroup2")) {
		print_message("  SKIP: this kernel has no cgroup2 filesystem\n");
		skip();
	}
	had_nook = v2_nook_dir(false);
	run_attack(&a, &r);
	if (!had_nook)
		v2_nook_dir(true); /* the parent directory nook made there */
	judge(&a, &r, "cgroup2 descriptor of PID 1");
}

/* ---- finding 2: devices ------------------------------------------------------------------ */

/** A scratch loop device over SCRATCH/disk holding the token; its device number. */
static bool
scratch_disk(char *loop, size_t size, dev_t *dev)
{
	char image[160], cmd[256];
	struct stat st;
	FILE *f;

	snprintf(image, sizeof(image), "%s/disk", scratch);
	f = fopen(image, "w");
	if (!f || fprintf(f, "%s\n", token) < 0 || ftruncate(fileno(f), 1 << 20) < 0 ||
	    fclose(f) != 0)
		fail_msg("writing %s: %s", image, strerror(errno));
	/* by path: a busybox sh runs its own losetup applet, which has no --find --show */
	snprintf(cmd, sizeof(cmd), "/sbin/losetup --find --show '%s' 2>&1", image);
	f = popen(cmd, "r");
	if (!f || !fgets(loop, (int)size, f)) {
		if (f)
			pclose(f);
		return false;
	}
	loop[strcspn(loop, "\n")] = '\0';
	if (pclose(f) != 0 || stat(loop, &st) < 0 || !S_ISBLK(st.st_mode)) {
		print_message("  SKIP: losetup: %s\n", loop);
		return false;
	}
	*dev = st.st_rdev;
	return true;
}

/**
 * Finding 2: a node for a host block device (a scratch loop device), opened and read; made
 * in the image's writable places (nodev) and in a host directory bound in with --volume (a
 * bind keeps its host mount's flags: there only the device cgroup refuses the open).
 */
static void
mknod_host_disk(void **state)
{
	char loop[64] = "", majmin[32], volume[128];
	struct attack a = {.mode = *state, .opts = {"--volume", volume}};
	struct run r;
	dev_t dev;

	if (!scratch_disk(loop, sizeof(loop), &dev)) {
		print_message("  SKIP: no loop device to stand for a host disk (%s)\n", loop);
		skip();
	}
	snprintf(majmin, sizeof(majmin), "%u:%u", major(dev), minor(dev));
	snprintf(volume, sizeof(volume), "%s:/vol", hostdir);
	a.args[0] = "mknod-disk";
	a.args[1] = majmin;
	a.args[2] = token;
	run_attack(&a, &r);
	char *detach[] = {"/sbin/losetup", "-d", loop, NULL};
	struct run d;
	run_argv(&d, RUN_TIMEOUT, detach);
	if (d.status != 0)
		print_message("  warning: losetup -d %s: %s\n", loop, d.err);
	judge(&a, &r, "mknod of a host disk");
}

/* ---- finding 3: the caller's terminal ---------------------------------------------------- */

/**
 * Finding 3: TIOCSTI pushes bytes into the input of the terminal on fd 0. When that is the
 * caller's own terminal, its shell reads them after the container ended, as if typed. The
 * test is that terminal: it looks for the bytes in its input queue.
 */
static void
tiocsti_into_the_callers_terminal(void **state)
{
	struct attack a = {.mode = *state, .pty = true, .args = {"tiocsti", "echo PWNED\n"}};
	char typed[256] = "";
	FILE *f = fopen("/proc/sys/dev/tty/legacy_tiocsti", "re");
	int legacy = 1;
	struct run r;

	if (f) {
		if (fscanf(f, "%d", &legacy) != 1)
			legacy = 1;
		fclose(f);
	}
	if (!legacy)
		print_message("  note: dev.tty.legacy_tiocsti = 0: this kernel refuses TIOCSTI "
			      "without CAP_SYS_ADMIN, whatever nook does\n");
	run_attack(&a, &r);
	fcntl(a.slave, F_SETFL, O_NONBLOCK);
	gather(a.slave, typed, sizeof(typed));
	close(a.slave);
	close(a.master);
	if (r.timed_out || (r.status != 0 && r.status != 1))
		broken(&a, &r, "TIOCSTI");
	verdict(a.mode, "TIOCSTI into the caller's terminal", strstr(typed, "PWNED") != NULL,
		"%s%s", strstr(typed, "PWNED") ? "the caller's terminal has as typed input: " : "",
		strstr(typed, "PWNED") ? first_line(typed) : first_line(r.out));
}

/* ---- finding 4: inherited descriptors ---------------------------------------------------- */

/** Finding 4: nook is started holding a host directory open; the command walks out of it. */
static void
inherited_directory_descriptor(void **state)
{
	struct attack a = {
		.mode = *state, .keep_dir_fd = true, .args = {"inherited-fds", marker, token}};
	struct run r;

	run_attack(&a, &r);
	judge(&a, &r, "inherited directory descriptor");
}

/* ---- finding 5: the caller's process group ------------------------------------------------ */

/**
 * Finding 5: kill(0, SIGKILL) inside reaches every process of the caller's process group,
 * nook among them. nook runs in a group of its own with a sentinel process in it, which
 * must survive, as must nook (it then reports the command's death).
 */
static void
kill_of_the_process_group(void **state)
{
	struct attack a = {.mode = *state, .args = {"kill-group"}};
	pid_t sentinel = fork();
	int wstatus;
	bool dead;
	struct run r;

	if (sentinel == 0) {
		setpgid(0, 0);
		pause();
		_exit(0);
	}
	setpgid(sentinel, sentinel);
	a.pgid = sentinel;
	run_attack(&a, &r);
	usleep(100 * 1000);
	dead = waitpid(sentinel, &wstatus, WNOHANG) == sentinel;
	if (!dead) {
		kill(sentinel, SIGKILL);
		waitpid(sentinel, NULL, 0);
	}
	if (r.timed_out)
		broken(&a, &r, "kill(0, SIGKILL)");
	if (WIFSIGNALED(a.wstatus) || dead)
		verdict(a.mode, "kill(0, SIGKILL)", true, "%s%s%s",
			WIFSIGNALED(a.wstatus) ? "nook itself was killed (no cleanup ran)" : "",
			WIFSIGNALED(a.wstatus) && dead ? "; " : "",
			dead ? "a host process of the caller's group was killed" : "");
	verdict(a.mode, "kill(0, SIGKILL)", false,
		"nook and the caller's group survived; nook "
		"exited %d",
		r.status);
}

/* ---- finding 6: the host's environment -------------------------------------------------- */

/** Finding 6: a secret in nook's environment must be nowhere the container can read. */
static void
host_environment(void **state)
{
	static char secret[96];
	struct attack a = {.mode = *state, .args = {"env", "NOOK_SECRET", token}};
	struct run r;

	snprintf(secret, sizeof(secret), "NOOK_SECRET=%s", token);
	a.env = secret;
	run_attack(&a, &r);
	judge(&a, &r, "the host's environment");
}

/* ---- finding 7: a state directory too deep to remove --------------------------------------- */

/**
 * Where under /run/nook a directory @p name is, at most four levels down (the writable
 * layer's name and depth are nook's to choose); the state directory holding it, the
 * first level, goes into @p left (PATH_MAX bytes). False if there is none.
 */
static bool
left_in_run_nook(const char *name, char *left)
{
	char pattern[256] = "/run/nook";
	bool found = false;

	for (int depth = 1; depth <= 4 && !found; depth++) {
		char try[320];
		glob_t g;

		strcat(pattern, "/*");
		snprintf(try, sizeof(try), "%s/%s", pattern, name);
		if (glob(try, GLOB_NOSORT, NULL, &g) == 0) {
			snprintf(left, PATH_MAX, "%s", g.gl_pathv[0]);
			*strchrnul(left + strlen("/run/nook/"), '/') = '\0';
			found = true;
		}
		globfree(&g);
	}
	return found;
}

/**
 * Finding 7: the container nests directories deeper than PATH_MAX in its writable layer;
 * once it ended its state directory must be gone from the host all the same.
 */
static void
state_directory_too_deep_to_remove(void **state)
{
	struct attack a = {.mode = *state, .args = {"deep-nest", NULL, "8192"}};
	char nest[96], left[PATH_MAX] = "";
	struct run r, gone;

	nook_only("runc writes into the bundle: no state directory holds the container's writes");
	snprintf(nest, sizeof(nest), "nook-nest-%s", token);
	a.args[1] = nest;
	run_attack(&a, &r);
	if (left_in_run_nook(nest, left)) {
		char *rm[] = {"/bin/rm", "-rf", left, NULL};

		run_argv(&gone, RUN_TIMEOUT, rm);
		print_message("  (removed %s, which the run left)\n", left);
	}
	if (r.status != 1)
		broken(&a, &r, "deep nest");
	verdict(a.mode, "a nest deeper than PATH_MAX", left[0] != '\0', "%s",
		left[0] ? "its state directory was left on the host"
			: "its state directory is gone");
}

/* ---- finding 8: PID 1 ---------------------------------------------------------------------- */

/**
 * Finding 8: a forged error report written into nook's error pipe through /proc/1/fd/N.
 * The command exits 3; nook must say 3 and print nothing of the attacker's.
 */
static void
forged_error_report(void **state)
{
	static char forged[96];
	struct attack a = {.mode = *state, .args = {"forge-error", forged}};
	struct run r;

	snprintf(forged, sizeof(forged), "PWNED-%s", token);
	run_attack(&a, &r);
	if (r.timed_out)
		broken(&a, &r, "forged error report");
	if (strstr(r.err, forged))
		verdict(a.mode, "forged error report", true, "nook printed \"%s\" and exited %d",
			first_line(r.err), r.status);
	if (strstr(r.out, "wrote") && r.status != 3)
		verdict(a.mode, "forged error report", true,
			"nook exited %d, the command 3, after the forged write", r.status);
	if (r.status != 0 && r.status != 3)
		broken(&a, &r, "forged error report");
	verdict(a.mode, "forged error report", false, "%s%s", first_line(r.out),
		r.status == 3 ? "; nook ignored it and exited 3" : "");
}

/* ---- finding 9: cgroups, /dev/shm, vsock, stdout ---------------------------------------- */

/** The process whose command line is `/attack cgroups TOKEN`, or 0. */
static pid_t
the_attacker(void)
{
	char want[128], cmdline[256];
	size_t len = (size_t)snprintf(want, sizeof(want), "/attack%ccgroups%c%s", 0, 0, token);
	pid_t found = 0;
	glob_t g;

	if (glob("/proc/[0-9]*/cmdline", GLOB_NOSORT, NULL, &g) != 0)
		return 0;
	for (size_t i = 0; i < g.gl_pathc && !found; i++) {
		int fd = open(g.gl_pathv[i], O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? read(fd, cmdline, sizeof(cmdline)) : -1;

		if (fd >= 0)
			close(fd);
		if (n > (ssize_t)len && memcmp(cmdline, want, len + 1) == 0)
			found = atoi(g.gl_pathv[i] + strlen("/proc/"));
	}
	globfree(&g);
	return found;
}

/** While the attack waits: the cgroups of a container process, seen from the host. */
static void
look_at_cgroups(struct attack *a, pid_t nook)
{
	pid_t inside = the_attacker();
	char path[64];
	FILE *f;
	size_t n = 0;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)inside);
	f = inside ? fopen(path, "re") : NULL;
	if (f) {
		n = fread(a->seen, 1, sizeof(a->seen) - 1, f);
		fclose(f);
	}
	a->seen[n] = '\0';
	kill(nook, SIGTERM);
}

/**
 * Finding 9: the container must have a cgroup of its own in every hierarchy (every v1
 * one, or the v2 one), not share its caller's — the host's root cgroup, often.
 */
static void
own_cgroup_in_every_hierarchy(void **state)
{
	struct attack a = {.mode = *state,
			   .args = {"cgroups", token},
			   .wait_for = "\n",
			   .during = look_at_cgroups};
	char mine[2048] = "", shared[512] = "", line[256];
	FILE *f = fopen("/proc/self/cgroup", "re");
	bool v1 = false;
	struct run r;

	if (f) {
		size_t n = fread(mine, 1, sizeof(mine) - 1, f);
		mine[n] = '\0';
		fclose(f);
	}
	run_attack(&a, &r);
	if (!a.seen[0])
		broken(&a, &r, "cgroups");
	v1 = strstr(a.seen, "\n1:") || strncmp(a.seen, "1:", 2) == 0 || strstr(a.seen, ":name=");
	for (char *s = a.seen, *e; *s; s = e + 1) {
		e = strchrnul(s, '\n');
		snprintf(line, sizeof(line), "%.*s", (int)(e - s), s);
		if (!line[0] || (v1 && strncmp(line, "0::", 3) == 0))
			continue;
		char want[260];
		snprintf(want, sizeof(want), "%s\n", line);
		if (strstr(mine, want) || strncmp(mine, want, strlen(want)) == 0)
			snprintf(shared + strlen(shared), sizeof(shared) - strlen(shared), "%s%s",
				 shared[0] ? ", " : "", line);
		if (!*e)
			break;
	}
	if (strstr(r.out, "the host's root cgroup is mounted"))
		verdict(a.mode, "cgroups", true, "%s", first_line(r.out));
	verdict(a.mode, "cgroups", shared[0] != '\0', "%s%s",
		shared[0] ? "the container shares its caller's cgroups: "
			  : "a cgroup of its own "
			    "in every hierarchy",
		shared);
}

/**
 * Finding 9: nook's stdout is a host file; the container must not read it back (through a
 * reopen of /proc/self/fd/1 or /proc/1/fd/1) nor be able to truncate it.
 */
static void
host_file_behind_stdout(void **state)
{
	struct attack a = {.mode = *state, .args = {"stdout-file", token}};
	char path[160], content[4096] = "", first[128];
	struct run r;
	int fd;

	snprintf(path, sizeof(path), "%s/stdout", scratch);
	snprintf(first, sizeof(first), "host data %s\n", token);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, first, strlen(first)) != (ssize_t)strlen(first))
		fail_msg("writing %s: %s", path, strerror(errno));
	a.stdout_fd = fd;
	run_attack(&a, &r);
	close(fd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		gather(fd, content, sizeof(content));
		close(fd);
	}
	if (strncmp(content, first, strlen(first)) != 0)
		verdict(a.mode, "the host file behind stdout", true, "it was changed: \"%s\"",
			first_line(content));
	snprintf(r.out, sizeof(r.out), "%s", content + strlen(first));
	judge(&a, &r, "the host file behind stdout");
}

/* ---- finding 10: bad input ---------------------------------------------------------------- */

/** Run nook (as @p m says) with @p opts, then `-- CMD...`, to its end within @p timeout. */
static void
run_nook(struct run *r, const struct mode *m, int timeout, const char *const *opts)
{
	char *argv[32];
	size_t n = 0;

	argv[n++] = (char *)step_path(STEP);
	if (m->userns)
		argv[n++] = "--userns";
	for (size_t i = 0; opts[i] && n < 31; i++)
		argv[n++] = (char *)opts[i];
	argv[n] = NULL;
	run_argv(r, timeout, argv);
}

/** Refused means: exit 125, one line on stderr, the command never ran. */
static void
expect_refused(const struct mode *m, const char *what, struct run *r, const char *ran)
{
	bool one_line = r->status == 125 && count_lines(r->err) == 1;

	if (r->timed_out)
		verdict(m, what, true, "nook still waited after the deadline");
	if (strstr(r->out, ran))
		verdict(m, what, true, "accepted: the command ran");
	verdict(m, what, !one_line, "%s%s", one_line ? "" : "not refused in one line: ",
		one_line ? first_line(r->err) : r->err);
}

/** Finding 10: the host's own root as the image. */
static void
rootfs_is_the_hosts_root(void **state)
{
	const char *opts[] = {"--rootfs", "/", "--", "/bin/echo", token, NULL};
	struct run r;

	nook_only("nook's --rootfs");

	run_nook(&r, *state, RUN_TIMEOUT, opts);
	expect_refused(*state, "--rootfs /", &r, token);
}

/** Finding 10: an image inside nook's state directory, /run/nook. */
static void
rootfs_inside_the_state_directory(void **state)
{
	char dir[96], copy[128];
	const char *opts[] = {"--rootfs", copy, "--", "/bin/echo", token, NULL};
	struct run r, done;
	bool made_base = access("/run/nook", F_OK) < 0;

	nook_only("nook's --rootfs");

	if (made_base && mkdir("/run/nook", 0711) < 0)
		fail_msg("mkdir(\"/run/nook\"): %s", strerror(errno));
	snprintf(dir, sizeof(dir), "/run/nook/nook-escapes-%d", (int)getpid());
	snprintf(copy, sizeof(copy), "%s/rootfs", dir);
	char *cp[] = {"/bin/cp", "-a", rootfs, copy, NULL};
	char *rm[] = {"/bin/rm", "-rf", dir, NULL};
	if (mkdir(dir, 0755) < 0)
		fail_msg("mkdir(\"%s\"): %s", dir, strerror(errno));
	run_argv(&done, RUN_TIMEOUT, cp);
	if (done.status == 0)
		run_nook(&r, *state, RUN_TIMEOUT, opts);
	run_argv(&done, RUN_TIMEOUT, rm);
	if (made_base)
		rmdir("/run/nook");
	expect_refused(*state, "--rootfs inside /run/nook", &r, token);
}

/** Finding 10: a FIFO as the seccomp profile; nook must not wait for a writer forever. */
static void
seccomp_profile_is_a_fifo(void **state)
{
	char fifo[128];
	const char *opts[] = {"--seccomp", fifo,	"--rootfs", rootfs,
			      "--",	   "/bin/echo", token,	    NULL};
	struct run r;

	nook_only("nook's --seccomp");

	snprintf(fifo, sizeof(fifo), "%s/fifo", scratch);
	unlink(fifo);
	if (mkfifo(fifo, 0644) < 0)
		fail_msg("mkfifo(\"%s\"): %s", fifo, strerror(errno));
	run_nook(&r, *state, 10, opts);
	expect_refused(*state, "--seccomp FIFO", &r, token);
}

/** Finding 10: a newline in a --volume path must not break the one-line error. */
static void
newline_in_a_volume_path(void **state)
{
	char volume[160];
	const char *opts[] = {"--volume", volume,      "--rootfs", rootfs,
			      "--",	  "/bin/echo", token,	   NULL};
	struct run r;

	nook_only("nook's --volume");

	snprintf(volume, sizeof(volume), "%s/no\nsuch:/mnt", scratch);
	run_nook(&r, *state, RUN_TIMEOUT, opts);
	expect_refused(*state, "a newline in --volume", &r, token);
}

/**
 * Finding 10: --cap-add ALL while nook itself lacks a capability (dropped here from the
 * bounding set: CAP_SYS_MODULE) must say which one. Working (ALL meaning all there is) is
 * fine too.
 */
static void
cap_add_all_names_what_is_missing(void **state)
{
	struct attack a = {.mode = *state,
			   .drop_cap = CAP_SYS_MODULE + 1,
			   .opts = {"--cap-add", "ALL"},
			   .args = {"mount"}};
	bool named = false;
	struct run r;

	run_attack(&a, &r);
	for (int cap = 0; cap <= CAP_LAST_CAP && !named; cap++) {
		char *name = cap_to_name(cap);

		if (cap == CAP_SYS_MODULE || prctl(PR_CAPBSET_READ, cap) == 0)
			named = name && (strcasestr(r.err, name) || strcasestr(r.err, name + 4));
		cap_free(name);
	}
	if (r.status == 0 || r.status == 1) /* ran: the mount attack said how it went */
		verdict(a.mode, "--cap-add ALL", false, "ran with what there is: %s",
			first_line(r.out));
	else
		verdict(a.mode, "--cap-add ALL",
			!(r.status == 125 && count_lines(r.err) == 1 && named), "%s%s",
			named ? "" : "the missing capability is not named: ", first_line(r.err));
}

/* ---- finding 11: the stdio relay ----------------------------------------------------------- */

/**
 * Finding 11: in step 01 (no PID namespace) the command leaves a process behind that
 * writes one byte to stdout every 100 ms for 20 s, and exits. nook must not drain that
 * stream for as long as the writer lives: it ends within a few seconds of its command,
 * and a SIGTERM — which timeout(1) and systemd send — ends it even sooner.
 */
static void
background_writer_keeps_nook(void **state)
{
	const struct mode *m = *state;
	char prog[PATH_MAX];
	struct proc p;
	struct run r;
	double t0;

	nook_only("nook's stdio relay");
	if (m->userns) {
		print_message("  SKIP: step 01 has no --userns\n");
		skip();
	}
	if (!realpath(attack_program(), prog))
		fail_msg("realpath(%s): %s", attack_program(), strerror(errno));
	char *argv[] = {(char *)step_path("01-uts"), "--", prog, "hold-stdout", "20", NULL};
	memset(&r, 0, sizeof(r));
	start_argv(&p, &r, argv);
	if (!wait_for_output(&p, "left a writer", RUN_TIMEOUT)) {
		finish(&p, 1);
		broken(&(struct attack){.mode = m}, &r, "a writer left behind");
		return;
	}
	t0 = now();
	usleep(500000);
	kill(p.pid, SIGTERM); /* the command has ended: nothing left to pass it to */
	finish(&p, 4);
	verdict(m, "a writer left behind", r.timed_out,
		r.timed_out ? "nook still relayed %.0f s after its command ended, SIGTERM ignored"
			    : "nook ended %.1f s after its command",
		now() - t0);
}

/* ---- finding 12: the state directory -------------------------------------------------------- */

/**
 * Finding 12: a container named ".something" (a valid --name) whose nook is killed: the
 * next nook's sweep must remove its state directory and cgroups like any other's — or the
 * name must be refused. The sweep passes over names that start with '.', so they stay.
 */
static void
dot_name_left_by_the_sweep(void **state)
{
	const struct mode *m = *state;
	char name[64], dir[128];
	struct proc p;
	struct run r, r2;

	nook_only("nook's state directory");
	snprintf(name, sizeof(name), ".nook-escapes-%d", (int)getpid());
	snprintf(dir, sizeof(dir), "/run/nook/%s", name);
	char *argv[] = {(char *)step_path(STEP),
			m->userns ? "--userns" : "--name",
			m->userns ? "--name" : name,
			m->userns ? name : "--rootfs",
			m->userns ? "--rootfs" : rootfs,
			m->userns ? rootfs : "--",
			m->userns ? "--" : "/bin/sh",
			m->userns ? "/bin/sh" : "-c",
			m->userns ? "-c" : "echo running; sleep 30",
			m->userns ? "echo running; sleep 30" : NULL,
			NULL};
	memset(&r, 0, sizeof(r));
	start_argv(&p, &r, argv);
	if (!wait_for_output(&p, "running", RUN_TIMEOUT)) {
		finish(&p, 1);
		if (r.status == 125 && count_lines(r.err) == 1) {
			verdict(m, "a dot name", false, "refused: %s", first_line(r.err));
			return;
		}
		broken(&(struct attack){.mode = m}, &r, "a dot name");
		return;
	}
	kill(p.pid, SIGKILL); /* no destroy: the sweep must find it */
	finish(&p, RUN_TIMEOUT);
	const char *opts[] = {"--rootfs", rootfs, "--", "/bin/true", NULL};
	run_nook(&r2, m, RUN_TIMEOUT, opts); /* its create sweeps */
	if (access(dir, F_OK) == 0) {
		char script[512];

		snprintf(script, sizeof(script),
			 "rmdir /sys/fs/cgroup/*/nook/%s /sys/fs/cgroup/nook/%s; rm -rf %s", name,
			 name, dir); /* what the sweep left: by hand */
		char *rm[] = {"/bin/sh", "-c", script, NULL};
		run_argv(&r2, RUN_TIMEOUT, rm);
		verdict(m, "a dot name", true, "a killed nook's %s outlived the sweep", dir);
	}
	verdict(m, "a dot name", false, "swept");
}

/**
 * Finding 12: the sweep of a directory without a lock. A maker holds the making lock from
 * its mkdir(2) to the rename of its lock; a sweeper that found no lock and then gets the
 * making lock alone takes the directory for a killed maker's — without looking again, so a
 * maker that renamed its lock in between loses its live state directory. strace(1) widens
 * the two windows (the maker's rename, the sweeper's flock) in a private mount namespace
 * whose /run/nook is a scratch directory, with step 01 (the same state code).
 */
static void
sweep_removes_a_live_state_directory(void **state)
{
	const struct mode *m = *state;
	char script[2048], base[128];
	struct run r;

	nook_only("nook's state directory");
	if (m->userns) {
		print_message("  SKIP: the state directory is the same with --userns\n");
		skip();
	}
	if (access("/usr/bin/strace", X_OK) < 0) {
		print_message("  SKIP: no /usr/bin/strace to widen the race\n");
		skip();
	}
	snprintf(base, sizeof(base), "%s/race-base", scratch);
	mkdir(base, 0711);
	snprintf(
		script, sizeof(script),
		"mount --make-rprivate / && mount --bind %s /run/nook || exit 124\n"
		"strace -qq -f -o /dev/null -e trace=renameat,renameat2 "
		"-e inject=renameat,renameat2:delay_enter=1500000 "
		"%s --name victim -- /bin/sh -c 'sleep 12' </dev/null >/dev/null 2>&1 &\n"
		"sleep 0.5\n"
		"strace -qq -f -o /dev/null -e trace=flock -e inject=flock:delay_enter=2000000 "
		"%s -- /bin/true </dev/null\n"
		"if test -d /run/nook/victim; then echo victim kept; else echo victim removed; fi\n"
		"kill %%1; wait\n",
		base, step_path("01-uts"), step_path("01-uts"));
	char *argv[] = {"/usr/bin/unshare", "-m", "/bin/sh", "-c", script, NULL};
	run_argv(&r, 40, argv);
	if (!strstr(r.out, "victim")) {
		broken(&(struct attack){.mode = m}, &r, "a sweep during a create");
		return;
	}
	verdict(m, "a sweep during a create", strstr(r.out, "victim removed") != NULL, "%s",
		strstr(r.out, "victim removed")
			? "another nook's sweep removed a live container's state directory"
			: "the live container's state directory stayed");
}

/**
 * Finding 12: two sweeps and a new container of the same name. A sweeper that opened a dead
 * container's lock just before another sweeper removed it gets the lock of a file that is
 * no longer there — and, believing the owner dead, removes the state directory of the new,
 * live container that took the name meanwhile. strace(1) widens the window.
 */
static void
stale_lock_removes_a_new_state_directory(void **state)
{
	const struct mode *m = *state;
	char script[2048], base[128];
	const char *s01 = step_path("01-uts");
	struct run r;

	nook_only("nook's state directory");
	if (m->userns) {
		print_message("  SKIP: the state directory is the same with --userns\n");
		skip();
	}
	if (access("/usr/bin/strace", X_OK) < 0) {
		print_message("  SKIP: no /usr/bin/strace to widen the race\n");
		skip();
	}
	snprintf(base, sizeof(base), "%s/race-base2", scratch);
	mkdir(base, 0711);
	snprintf(
		script, sizeof(script),
		"mount --make-rprivate / && mount --bind %s /run/nook || exit 124\n"
		"%s --name victim -- /bin/sleep 30 </dev/null >/dev/null & sleep 0.5; kill -9 $!\n"
		"wait $! 2>/dev/null\n"
		"strace -qq -f -o /dev/null -e trace=flock -e inject=flock:delay_enter=3000000 "
		"%s -- /bin/true </dev/null & S2=$!\n"
		"sleep 0.5; %s -- /bin/true </dev/null\n"
		"%s --name victim -- /bin/sleep 30 </dev/null >/dev/null & M=$!\n"
		"sleep 0.5; wait $S2\n"
		"kill -0 $M || { echo the victim ended early; exit 1; }\n"
		"if test -d /run/nook/victim; then echo victim kept; else echo victim removed; fi\n"
		"kill $M; wait\n",
		base, s01, s01, s01, s01);
	char *argv[] = {"/usr/bin/unshare", "-m", "/bin/sh", "-c", script, NULL};
	run_argv(&r, 60, argv);
	if (!strstr(r.out, "victim kept") && !strstr(r.out, "victim removed")) {
		broken(&(struct attack){.mode = m}, &r, "a stale lock");
		return;
	}
	verdict(m, "a stale lock", strstr(r.out, "victim removed") != NULL, "%s",
		strstr(r.out, "victim removed")
			? "a sweep holding a removed lock removed a new container's state"
			: "the new container's state directory stayed");
}

/* ---- the battery ---------------------------------------------------------------------------- */

/** The attacks judged by the container itself: the ones the layers already refused. */
static const struct simple simple_attacks[] = {
	{.name = "PID 1's descriptors", .opts = {NULL}, .args = {"init-fds", "@MARKER", "@TOKEN"}},
	{.name = "mknod of /dev/kmsg", .opts = {"--volume", "@VOLUME"}, .args = {"mknod-kmsg"}},
	{.name = "/proc/1/mem", .opts = {NULL}, .args = {"init-mem"}},
	{.name = "/proc/1/exe", .opts = {NULL}, .args = {"init-exe"}},
	{.name = "/dev/shm size", .opts = {NULL}, .args = {"shm-size"}},
	{.name = "AF_VSOCK", .opts = {NULL}, .args = {"vsock"}},
	{.name = "mount", .opts = {NULL}, .args = {"mount"}},
	{.name = "shocker", .opts = {"--volume", "@VOLUME"}, .args = {"shocker", "/vol"}},
	{.name = "ptrace of PID 1", .opts = {NULL}, .args = {"ptrace"}},
	{.name = "keyctl", .opts = {NULL}, .args = {"keyctl"}},
	{.name = "bpf", .opts = {NULL}, .args = {"bpf"}},
	{.name = "perf_event_open", .opts = {NULL}, .args = {"perf"}},
	{.name = "userfaultfd", .opts = {NULL}, .args = {"userfaultfd"}},
	{.name = "kexec_load", .opts = {NULL}, .args = {"kexec"}},
	{.name = "init_module", .opts = {NULL}, .args = {"modules"}},
	{.name = "unshare and setns", .opts = {NULL}, .args = {"unshare"}},
	{.name = "io_uring", .opts = {NULL}, .args = {"io_uring"}},
	{.name = "personality", .opts = {NULL}, .args = {"personality"}},
	{.name = "x32 and i386 calls", .opts = {NULL}, .args = {"other-abis"}},
	{.name = "release_agent", .opts = {NULL}, .args = {"release-agent"}},
	{.name = "core_pattern", .opts = {NULL}, .args = {"core-pattern"}},
	{.name = "sysrq-trigger",
	 .opts = {NULL},
	 .args = {"sysrq"},
	 .needs = "/proc/sysrq-trigger"},
	{.name = "chroot escape", .opts = {NULL}, .args = {"chroot", "@MARKER"}},
	{.name = "setuid(0) with --user", .opts = {"--user", "1000"}, .args = {"setuid"}},
	/* Finding 13 (the writable layer and --tmpfs have no size of their own: the host's
	 * /run or disk, half its memory) is left open, as in docker and podman, which set no
	 * default either; `attack fs-room DIR MIB` shows it. */
	{.name = "ptys without a limit (14)", .opts = {NULL}, .args = {"pty-limit"}},
	{.name = "/proc/1/cmdline (15)", .opts = {NULL}, .args = {"init-cmdline"}},
	{.name = "fork bomb with --pids", .opts = {"--pids", "64"}, .args = {"fork-bomb", "1000"}},
};
#define NSIMPLE (sizeof(simple_attacks) / sizeof(simple_attacks[0]))

/** The attacks that need a situation, or the host's eyes. */
static const struct {
	const char *name;
	CMUnitTestFunction f;
} special[] = {
	{"cgroup2 descriptor of PID 1 (1)", cgroup2_descriptor_of_init},
	{"mknod of a host disk (2)", mknod_host_disk},
	{"TIOCSTI (3)", tiocsti_into_the_callers_terminal},
	{"inherited descriptor (4)", inherited_directory_descriptor},
	{"kill(0, SIGKILL) (5)", kill_of_the_process_group},
	{"host environment (6)", host_environment},
	{"nest deeper than PATH_MAX (7)", state_directory_too_deep_to_remove},
	{"forged error report (8)", forged_error_report},
	{"own cgroups (9)", own_cgroup_in_every_hierarchy},
	{"host file behind stdout (9)", host_file_behind_stdout},
	{"--rootfs / (10)", rootfs_is_the_hosts_root},
	{"--rootfs in /run/nook (10)", rootfs_inside_the_state_directory},
	{"--seccomp FIFO (10)", seccomp_profile_is_a_fifo},
	{"newline in --volume (10)", newline_in_a_volume_path},
	{"--cap-add ALL (10)", cap_add_all_names_what_is_missing},
	{"memory hog with --memory", memory_hog},
	{"writer left behind in step 01 (11)", background_writer_keeps_nook},
	{"--name .x killed, then swept (12)", dot_name_left_by_the_sweep},
	{"sweep during a create (12)", sweep_removes_a_live_state_directory},
	{"stale lock of a swept container (12)", stale_lock_removes_a_new_state_directory},
};
#define NSPECIAL (sizeof(special) / sizeof(special[0]))

/** Copy the image and the attack program into the scratch world; write the marker. */
static int
setup_world(void **state)
{
	char attack[160], src[PATH_MAX + 8];
	const char *img = getenv("NOOK_IMAGE") ? getenv("NOOK_IMAGE") : "build/images/busybox";
	struct run r;
	FILE *f;

	(void)state;
	if (geteuid() != 0)
		return 0; /* every test skips, saying why */
	snprintf(token, sizeof(token), "nook-secret-%d-%ld", (int)getpid(), (long)time(NULL));
	make_scratch_dir(scratch, "escapes", 0755);
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", scratch);
	snprintf(hostdir, sizeof(hostdir), "%s/host", scratch);
	snprintf(marker, sizeof(marker), "%s/marker", hostdir);
	snprintf(attack, sizeof(attack), "%s/attack", rootfs);
	snprintf(src, sizeof(src), "%s/.", img);
	char *cp[] = {"/bin/cp", "-a", src, rootfs, NULL};
	char *cpa[] = {"/bin/cp", (char *)attack_program(), attack, NULL};
	if (mkdir(rootfs, 0755) < 0 || mkdir(hostdir, 0755) < 0)
		return print_message("escapes: mkdir in %s: %s\n", scratch, strerror(errno)), -1;
	run_argv(&r, RUN_TIMEOUT, cp);
	if (r.status != 0)
		return print_message("escapes: no image at %s (make image): %s\n", img, r.err), -1;
	run_argv(&r, RUN_TIMEOUT, cpa);
	if (r.status != 0)
		return print_message("escapes: no attack program: %s\n", r.err), -1;
	f = fopen(marker, "w");
	if (!f || fprintf(f, "%s\n", token) < 0 || fclose(f) != 0)
		return print_message("escapes: writing %s: %s\n", marker, strerror(errno)), -1;
	chmod(marker, 0644);
	return 0;
}

static int
teardown_world(void **state)
{
	(void)state;
	remove_scratch_dirs();
	return 0;
}

/** Every test: root, the namespaces of step 09, and a kernel with seccomp filters. */
static int
setup(void **state)
{
	(void)state;
	skip_unless_namespaces(CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNS |
			       CLONE_NEWNET);
	if (access("/proc/sys/kernel/seccomp/actions_avail", R_OK) < 0) {
		print_message("  SKIP: this kernel has no seccomp filters\n");
		skip();
	}
	return 0;
}

/** The --userns tests: a user namespace too. */
static int
setup_userns(void **state)
{
	setup(state);
	skip_unless_namespaces(CLONE_NEWUSER);
	return 0;
}

/**
 * $NOOK_ESCAPES: which tests run, as a comma-separated list of pieces of their names
 * ("cgroup2,mknod,(9),!--userns"): a test runs when its name contains an entry and none of
 * the entries that start with "!" (every test, when there is no plain entry). The cgroup
 * v2 lane (tests/cgroup2-vm) picks the attacks that depend on the kernel this way.
 */
static bool
selected(const char *name)
{
	const char *list = getenv("NOOK_ESCAPES");
	char entry[64];
	bool any = false, in = false;

	for (const char *s = list ? list : "", *e; *s; s = *e ? e + 1 : e) {
		e = strchrnul(s, ',');
		snprintf(entry, sizeof(entry), "%.*s", (int)(e - s), s);
		if (entry[0] == '!' && entry[1] && strstr(name, entry + 1))
			return false;
		if (entry[0] && entry[0] != '!') {
			any = true;
			in = in || strstr(name, entry);
		}
	}
	return in || !any;
}

int
main(void)
{
	static struct simple cases[2 * NSIMPLE];
	static struct CMUnitTest tests[2 * (NSIMPLE + NSPECIAL)];
	static char names[2 * (NSIMPLE + NSPECIAL)][96];
	static const struct mode *const modes[] = {&as_root, &with_userns};
	static const CMFixtureFunction setups[] = {setup, setup_userns};
	size_t n = 0;

	/* descriptors our own caller left open are not the container's to find */
	close_range(3, ~0U, 0);
	for (size_t i = 0; i < NSPECIAL; i++)
		for (size_t m = 0; m < 2; m++) {
			snprintf(names[n], sizeof(names[n]), "%s, %s", special[i].name,
				 modes[m]->name);
			tests[n] = (struct CMUnitTest){names[n], special[i].f, setups[m], NULL,
						       (void *)modes[m]};
			n += selected(names[n]); /* one left out is overwritten */
		}
	for (size_t i = 0; i < NSIMPLE; i++)
		for (size_t m = 0; m < 2; m++) {
			cases[2 * i + m] = simple_attacks[i];
			cases[2 * i + m].mode = modes[m];
			snprintf(names[n], sizeof(names[n]), "%s, %s", simple_attacks[i].name,
				 modes[m]->name);
			tests[n] = (struct CMUnitTest){names[n], simple_attack, setups[m], NULL,
						       &cases[2 * i + m]};
			n += selected(names[n]); /* one left out is overwritten */
		}
	return _cmocka_run_group_tests("escapes", tests, n, setup_world, teardown_world);
}

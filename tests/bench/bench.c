/**
 * @file bench.c
 * @brief `make bench`'s driver: start latency of each contender, and 100 containers one
 *        after another and all at once, timed with fork/exec/wait4 and CLOCK_MONOTONIC.
 *
 * Usage: bench [-r ROUNDS] [-b ROUNDS] [-n N] [-o DIR] CONTENDERS
 *
 * CONTENDERS names a file of lines `NAME|FLAGS|COMMAND [; COMMAND...]`. FLAGS is a comma
 * list: `ref` (the contender others are divided by: runc), `floor` (the kernel's floor:
 * unshare), `step` (a step program, charted with the steps), `batch` (also measured N at a
 * time), `cg2` (run in a private mount namespace with cgroup2 mounted on /sys/fs/cgroup:
 * crun refuses a hybrid cgroup host). `{id}` in a command becomes a fresh container ID.
 * Commands are split on spaces, without quoting; they run one after another, and the
 * contender's time is theirs together (create; start; delete).
 *
 * How it measures, so that a busy 2-core machine still gives comparable numbers:
 *  - interleaved rounds: every round runs each contender once, starting at a different one
 *    each round, so that drift in the machine's load falls on all of them alike;
 *  - one warm-up run per contender first (page cache, dentries), not counted; a contender
 *    whose warm-up fails is skipped, with its first line of stderr as the reason;
 *  - medians and quartiles, never a lone time; ratios of medians to `ref` and `floor`;
 *  - wall time from before fork(2) to after wait4(2), and CPU time (user + system) from
 *    wait4's rusage, which counts the child and every descendant it reaped — the runtime,
 *    its helpers and the container — and not the other load on the machine. Work the
 *    kernel defers to its own threads (freeing a network namespace) is in neither;
 *  - peak memory: ru_maxrss of the same rusage, the high-water mark (VmHWM) of the
 *    largest process among the child and its reaped descendants.
 *
 * Ratios are paired: the median of per-round ratios to the `ref` (and `floor`) run.
 *
 * Output, in DIR: latency.tsv (a line per contender, for gnuplot), samples.tsv (every run),
 * tables.md (the report's tables). Exits 1 if a contender that warmed up fails later.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONTENDERS 32
#define MAX_CMDS       4
#define MAX_ARGS       32
#define MAX_SAMPLES    1000

/** One contender: a name, how it is run, and what was measured of it. */
struct contender {
	char name[64];
	char line[512];			/**< the commands, as written */
	char *argv[MAX_CMDS][MAX_ARGS]; /**< each command split on spaces */
	int ncmds;
	bool ref, floor, step, batch, cg2;
	bool skipped, failed;
	char why[256];		  /**< why skipped or failed */
	double wall[MAX_SAMPLES]; /**< start latency samples, ms */
	double cpu[MAX_SAMPLES];  /**< user + sys of the same runs, ms */
	long rss[MAX_SAMPLES];	  /**< ru_maxrss, KiB */
	int round[MAX_SAMPLES];	  /**< the round each sample was taken in */
	int n;
	double seq_wall[MAX_SAMPLES], seq_cpu[MAX_SAMPLES];   /**< N sequential, ms */
	double conc_wall[MAX_SAMPLES], conc_cpu[MAX_SAMPLES]; /**< N concurrent, ms */
	long seq_rss, conc_rss; /**< largest ru_maxrss of one run in the batch, KiB */
	int nseq, nconc;
};

/** What one run of a contender took. */
struct sample {
	double wall, cpu;
	long rss;
	int status; /**< 0, or the first non-zero wait status */
};

static struct contender cont[MAX_CONTENDERS];
static int ncont;
static unsigned long next_id;
static const char *outdir = "build/bench";
static FILE *samples;

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double
tv_ms(struct timeval tv)
{
	return tv.tv_sec * 1e3 + tv.tv_usec / 1e3;
}

static void
die(const char *what)
{
	fprintf(stderr, "bench: %s: %s\n", what, strerror(errno));
	exit(2);
}

/** Split one contender's text "cmd a b ; cmd c" into argv arrays (in place). */
static int
split_commands(struct contender *c, char *text)
{
	char *save = NULL, *cmd;

	for (cmd = strtok_r(text, ";", &save); cmd; cmd = strtok_r(NULL, ";", &save)) {
		char *s2 = NULL, *w;
		int n = 0;

		if (c->ncmds == MAX_CMDS)
			return -1;
		for (w = strtok_r(cmd, " \t\n", &s2); w && n < MAX_ARGS - 1;
		     w = strtok_r(NULL, " \t\n", &s2))
			c->argv[c->ncmds][n++] = strdup(w);
		if (n == 0)
			continue;
		c->argv[c->ncmds++][n] = NULL;
	}
	return c->ncmds > 0 ? 0 : -1;
}

/** Read `NAME|FLAGS|COMMANDS` lines; # starts a comment. */
static void
read_contenders(const char *path)
{
	char buf[1024];
	FILE *f = fopen(path, "r");

	if (!f)
		die(path);
	while (fgets(buf, sizeof(buf), f) && ncont < MAX_CONTENDERS) {
		struct contender *c = &cont[ncont];
		char *name = buf, *flags, *cmds;

		if (buf[0] == '#' || buf[0] == '\n')
			continue;
		if (!(flags = strchr(name, '|')) || !(cmds = strchr(flags + 1, '|'))) {
			fprintf(stderr, "bench: %s: not NAME|FLAGS|COMMAND: %s", path, buf);
			exit(2);
		}
		*flags++ = '\0';
		*cmds++ = '\0';
		snprintf(c->name, sizeof(c->name), "%.63s", name);
		cmds[strcspn(cmds, "\n")] = '\0';
		snprintf(c->line, sizeof(c->line), "%.511s", cmds);
		c->ref = strstr(flags, "ref") != NULL;
		c->floor = strstr(flags, "floor") != NULL;
		c->step = strstr(flags, "step") != NULL;
		c->batch = strstr(flags, "batch") != NULL;
		c->cg2 = strstr(flags, "cg2") != NULL;
		if (split_commands(c, cmds) < 0) {
			fprintf(stderr, "bench: %s: bad command for %s\n", path, c->name);
			exit(2);
		}
		ncont++;
	}
	fclose(f);
}

/**
 * Before exec, in the child: the private mount namespace with cgroup2 on /sys/fs/cgroup
 * that crun needs on a hybrid host. Its cost is the child's, so it is timed with crun.
 */
static void
enter_cgroup2(void)
{
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("none", "/sys/fs/cgroup", "cgroup2", 0, NULL) < 0) {
		fprintf(stderr, "bench: cgroup2 namespace: %s\n", strerror(errno));
		_exit(125);
	}
}

/** Fork and exec one command of @p c, {id} replaced by @p id; stderr to the log. */
static pid_t
spawn(struct contender *c, int k, const char *id, int errfd)
{
	char *argv[MAX_ARGS];
	pid_t pid;
	int i, null;

	pid = fork();
	if (pid != 0)
		return pid;
	for (i = 0; c->argv[k][i]; i++)
		argv[i] = strcmp(c->argv[k][i], "{id}") ? c->argv[k][i] : (char *)id;
	argv[i] = NULL;
	null = open("/dev/null", O_RDWR);
	dup2(null, 0);
	dup2(null, 1);
	dup2(errfd, 2);
	if (c->cg2)
		enter_cgroup2();
	execvp(argv[0], argv);
	fprintf(stderr, "bench: exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static void
add_rusage(struct sample *s, const struct rusage *ru, int status)
{
	s->cpu += tv_ms(ru->ru_utime) + tv_ms(ru->ru_stime);
	if (ru->ru_maxrss > s->rss)
		s->rss = ru->ru_maxrss;
	if (status != 0 && s->status == 0)
		s->status = status;
}

/** The contender's stderr log, build/bench/NAME.log, NAME made a file name. */
static int
open_log(struct contender *c)
{
	char path[512], name[64];
	int i, fd;

	for (i = 0; c->name[i] && i < 63; i++)
		name[i] = (c->name[i] == ' ' || c->name[i] == '/') ? '_' : c->name[i];
	name[i] = '\0';
	snprintf(path, sizeof(path), "%s/%s.log", outdir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		die(path);
	return fd;
}

/** Run every command of @p c once, one after another, stopping at the first failure. */
static struct sample
run_once(struct contender *c)
{
	struct sample s = {0};
	struct rusage ru;
	char id[64];
	double t0;
	int k, status, errfd = open_log(c);

	snprintf(id, sizeof(id), "bench-%d-%lu", (int)getpid(), next_id++);
	t0 = now_ms();
	for (k = 0; k < c->ncmds && s.status == 0; k++) {
		pid_t pid = spawn(c, k, id, errfd);

		if (pid < 0 || wait4(pid, &status, 0, &ru) < 0)
			die("fork/wait4");
		add_rusage(&s, &ru, status);
	}
	s.wall = now_ms() - t0;
	close(errfd);
	return s;
}

/** N runs one after another (the first command of each only: batch contenders have one). */
static struct sample
run_sequential(struct contender *c, int n)
{
	struct sample s = {0};
	double t0 = now_ms();
	int i;

	for (i = 0; i < n; i++) {
		struct sample one = run_once(c);

		s.cpu += one.cpu;
		if (one.rss > s.rss)
			s.rss = one.rss;
		if (one.status && !s.status)
			s.status = one.status;
	}
	s.wall = now_ms() - t0;
	return s;
}

/** N runs at once: time until the last one is reaped. */
static struct sample
run_concurrent(struct contender *c, int n)
{
	struct sample s = {0};
	struct rusage ru;
	char id[64];
	double t0 = now_ms();
	int i, status, errfd = open_log(c);

	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "bench-%d-%lu", (int)getpid(), next_id++);
		if (spawn(c, 0, id, errfd) < 0)
			die("fork");
	}
	for (i = 0; i < n; i++) {
		if (wait4(-1, &status, 0, &ru) < 0)
			die("wait4");
		add_rusage(&s, &ru, status);
	}
	s.wall = now_ms() - t0;
	close(errfd);
	return s;
}

/** The first line of the contender's log, to say why it failed. */
static void
first_log_line(struct contender *c, const char *prefix)
{
	char path[512], line[200] = "", name[64];
	FILE *f;
	int i;

	for (i = 0; c->name[i] && i < 63; i++)
		name[i] = (c->name[i] == ' ' || c->name[i] == '/') ? '_' : c->name[i];
	name[i] = '\0';
	snprintf(path, sizeof(path), "%s/%s.log", outdir, name);
	if ((f = fopen(path, "r"))) {
		if (!fgets(line, sizeof(line), f))
			line[0] = '\0';
		fclose(f);
	}
	line[strcspn(line, "\n")] = '\0';
	snprintf(c->why, sizeof(c->why), "%s%s%s", prefix, *line ? ": " : "", line);
}

static bool
active(const struct contender *c)
{
	return !c->skipped && !c->failed;
}

static void
note_failure(struct contender *c, const struct sample *s)
{
	char prefix[64];

	snprintf(prefix, sizeof(prefix), "failed (wait status %#x)", s->status);
	first_log_line(c, prefix);
	c->failed = true;
	fprintf(stderr, "bench: %s %s\n", c->name, c->why);
}

/** One run of each contender, not counted; a contender that cannot run is skipped. */
static void
warm_up(void)
{
	int i;

	for (i = 0; i < ncont; i++) {
		struct contender *c = &cont[i];
		struct sample s;

		if (access(c->argv[0][0], X_OK) < 0 && strchr(c->argv[0][0], '/')) {
			snprintf(c->why, sizeof(c->why), "skipped: %s not built", c->argv[0][0]);
			c->skipped = true;
		} else if ((s = run_once(c)).status != 0) {
			first_log_line(c, "skipped: it does not run here");
			c->skipped = true;
		}
		if (c->skipped)
			printf("bench: %s %s\n", c->name, c->why);
	}
}

/** @p rounds interleaved rounds of start latency, each starting one contender later. */
static void
measure_latency(int rounds)
{
	int r, j;

	for (r = 0; r < rounds; r++) {
		for (j = 0; j < ncont; j++) {
			struct contender *c = &cont[(r + j) % ncont];
			struct sample s;

			if (!active(c) || c->n == MAX_SAMPLES)
				continue;
			s = run_once(c);
			if (s.status) {
				note_failure(c, &s);
				continue;
			}
			c->wall[c->n] = s.wall;
			c->cpu[c->n] = s.cpu;
			c->rss[c->n] = s.rss;
			c->round[c->n++] = r;
			fprintf(samples, "latency\t%d\t%s\t%.3f\t%.3f\t%ld\n", r, c->name, s.wall,
				s.cpu, s.rss);
		}
	}
}

/** @p rounds interleaved rounds of N sequential, then N concurrent, of each batch contender. */
static void
measure_batches(int rounds, int n)
{
	int r, j;

	for (r = 0; r < rounds; r++) {
		for (j = 0; j < ncont; j++) {
			struct contender *c = &cont[(r + j) % ncont];
			struct sample s;

			if (!active(c) || !c->batch || c->nseq == MAX_SAMPLES)
				continue;
			s = run_sequential(c, n);
			if (s.status == 0) {
				if (s.rss > c->seq_rss)
					c->seq_rss = s.rss;
				c->seq_wall[c->nseq] = s.wall;
				c->seq_cpu[c->nseq++] = s.cpu;
				s = run_concurrent(c, n);
			}
			if (s.status) {
				note_failure(c, &s);
				continue;
			}
			if (s.rss > c->conc_rss)
				c->conc_rss = s.rss;
			c->conc_wall[c->nconc] = s.wall;
			c->conc_cpu[c->nconc++] = s.cpu;
			printf("bench: round %d/%d: %s: %d sequential %.0f ms, %d concurrent %.0f "
			       "ms\n",
			       r + 1, rounds, c->name, n, c->seq_wall[c->nseq - 1], n, s.wall);
			fflush(stdout);
		}
	}
}

static int
by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/** The @p q quantile (0.5: the median) of @p n values, interpolated between neighbours. */
static double
quantile(const double *v, int n, double q)
{
	double s[MAX_SAMPLES], pos;
	int i;

	if (n == 0)
		return 0;
	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), by_value);
	pos = q * (n - 1);
	i = (int)pos;
	return i + 1 < n ? s[i] + (pos - i) * (s[i + 1] - s[i]) : s[i];
}

static long
median_rss(const struct contender *c)
{
	double v[MAX_SAMPLES];
	int i;

	for (i = 0; i < c->n; i++)
		v[i] = c->rss[i];
	return (long)quantile(v, c->n, 0.5);
}

static struct contender *
find(bool want_ref, bool want_floor)
{
	int i;

	for (i = 0; i < ncont; i++)
		if (((want_ref && cont[i].ref) || (want_floor && cont[i].floor)) && cont[i].n > 0)
			return &cont[i];
	return NULL;
}

/** "0.42×", or "—" when there is nothing to divide by. */
static const char *
ratio(double x, double by)
{
	static char buf[4][32];
	static int k;

	k = (k + 1) % 4;
	if (by <= 0 || x <= 0)
		return "—";
	snprintf(buf[k], sizeof(buf[k]), "%.2f×", x / by);
	return buf[k];
}

/**
 * The median of @p c's runs each divided by @p by's run in the same round (of wall time,
 * or of CPU time with @p cpu): load that drifts from round to round cancels out.
 */
static const char *
paired(const struct contender *c, const struct contender *by, bool cpu)
{
	static char buf[4][32];
	static int k;
	double q[MAX_SAMPLES];
	int i, j, n = 0;

	k = (k + 1) % 4;
	for (i = 0; by && i < c->n; i++)
		for (j = 0; j < by->n; j++)
			if (by->round[j] == c->round[i] && (cpu ? by->cpu[j] : by->wall[j]) > 0)
				q[n++] = cpu ? c->cpu[i] / by->cpu[j] : c->wall[i] / by->wall[j];
	if (n == 0)
		return "—";
	snprintf(buf[k], sizeof(buf[k]), "%.2f×", quantile(q, n, .5));
	return buf[k];
}

static void
latency_table(FILE *md, FILE *tsv)
{
	struct contender *ref = find(true, false), *fl = find(false, true);
	int i;

	fprintf(md, "| contender | median wall | × runc | × floor | spread (q1–q3, min) | runs "
		    "| CPU user+sys | × runc CPU | peak RSS |\n");
	fprintf(md, "|---|--:|--:|--:|--:|--:|--:|--:|--:|\n");
	for (i = 0; i < ncont; i++) {
		struct contender *c = &cont[i];
		double m = quantile(c->wall, c->n, .5), cm = quantile(c->cpu, c->n, .5);

		if (c->n == 0) {
			fprintf(md, "| %s | %s | | | | | | | |\n", c->name, c->why);
			continue;
		}
		fprintf(md,
			"| %s | %.1f ms | %s | %s | %.1f–%.1f, %.1f ms | %d | %.1f ms | %s | %.1f "
			"MiB |\n",
			c->name, m, paired(c, ref, false), paired(c, fl, false),
			quantile(c->wall, c->n, .25), quantile(c->wall, c->n, .75),
			quantile(c->wall, c->n, 0), c->n, cm, paired(c, ref, true),
			median_rss(c) / 1024.0);
		fprintf(tsv, "%d\t%s\t%s\t%.3f\t%.3f\t%.3f\t%.3f\n", i,
			c->step ? "step" : (c->floor ? "floor" : "peer"), c->name, m,
			quantile(c->wall, c->n, .25), quantile(c->wall, c->n, .75), cm);
	}
}

static void
batch_table(FILE *md, int n)
{
	struct contender *ref = find(true, false);
	double rs = ref && ref->nseq ? quantile(ref->seq_wall, ref->nseq, .5) : 0;
	double rc = ref && ref->nconc ? quantile(ref->conc_wall, ref->nconc, .5) : 0;
	int i;

	fprintf(md,
		"| contender | %d sequential | × runc | CPU | %d concurrent | × runc | CPU "
		"| peak RSS, one process | rounds |\n",
		n, n);
	fprintf(md, "|---|--:|--:|--:|--:|--:|--:|--:|--:|\n");
	for (i = 0; i < ncont; i++) {
		struct contender *c = &cont[i];
		double s = quantile(c->seq_wall, c->nseq, .5);
		double k = quantile(c->conc_wall, c->nconc, .5);

		if (!c->batch)
			continue;
		if (c->nconc == 0) {
			fprintf(md, "| %s | %s | | | | | | | |\n", c->name,
				*c->why ? c->why : "not measured");
			continue;
		}
		fprintf(md,
			"| %s | %.2f s | %s | %.2f s | %.2f s | %s | %.2f s | %.1f MiB | %d |\n",
			c->name, s / 1e3, ratio(s, rs), quantile(c->seq_cpu, c->nseq, .5) / 1e3,
			k / 1e3, ratio(k, rc), quantile(c->conc_cpu, c->nconc, .5) / 1e3,
			(c->conc_rss > c->seq_rss ? c->conc_rss : c->seq_rss) / 1024.0, c->nconc);
	}
}

static void
commands_table(FILE *md)
{
	int i;

	fprintf(md, "| contender | command (`{id}`: a fresh ID per run) |\n|---|---|\n");
	for (i = 0; i < ncont; i++)
		fprintf(md, "| %s | `%s`%s |\n", cont[i].name, cont[i].line,
			cont[i].cg2 ? " — in a private mount namespace with cgroup2 on "
				      "/sys/fs/cgroup, set up by the driver's child before exec"
				    : "");
}

static FILE *
open_out(const char *name)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, name);
	if (!(f = fopen(path, "w")))
		die(path);
	return f;
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench [-r ROUNDS] [-b ROUNDS] [-n N] [-o DIR] CONTENDERS\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	int opt, rounds = 50, brounds = 5, n = 100, i, failed = 0;
	FILE *md, *tsv;

	while ((opt = getopt(argc, argv, "r:b:n:o:")) != -1) {
		if (opt == 'r')
			rounds = atoi(optarg);
		else if (opt == 'b')
			brounds = atoi(optarg);
		else if (opt == 'n')
			n = atoi(optarg);
		else if (opt == 'o')
			outdir = optarg;
		else
			usage();
	}
	if (optind != argc - 1 || rounds < 1 || rounds > MAX_SAMPLES || brounds < 0 ||
	    brounds > MAX_SAMPLES || n < 1)
		usage();
	read_contenders(argv[optind]);
	samples = open_out("samples.tsv");
	fprintf(samples, "mode\tround\tcontender\twall_ms\tcpu_ms\tmaxrss_kib\n");
	warm_up();
	printf("bench: start latency, %d interleaved rounds of %d contenders\n", rounds, ncont);
	fflush(stdout);
	measure_latency(rounds);
	measure_batches(brounds, n);
	md = open_out("tables.md");
	tsv = open_out("latency.tsv");
	fprintf(md, "### Start latency: `/bin/true` in the busybox image\n\n");
	latency_table(md, tsv);
	if (brounds > 0) {
		fprintf(md, "\n### %d containers one after another, and %d at once\n\n", n, n);
		batch_table(md, n);
	}
	fprintf(md, "\n### How each contender was run\n\n");
	commands_table(md);
	fclose(md);
	fclose(tsv);
	fclose(samples);
	for (i = 0; i < ncont; i++)
		failed += cont[i].failed;
	return failed ? 1 : 0;
}

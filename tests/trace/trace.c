/**
 * @file trace.c
 * @brief `--trace` seen from outside: each step program run with it, its stderr read.
 *
 * For each step, the table below lists the calls its lesson says the step makes, in the
 * order it says them; the trace must show them in that order (other lines may come in
 * between), each from the side that makes it ("[host]" or "[ctr ]"). Every lesson section
 * a trace line points to ("→ lessons/01-uts.md#clone32") must be a heading of that lesson,
 * its anchor made as GitHub makes it, and must name the line's call ("clone3"): what the
 * trace shows being made there is what the lesson says is. Then the edges: a failed call shows its errno by
 * name, --trace=time adds the stages' times (printed, never judged), a closed or broken
 * stderr does not change what the container does, no descriptor of the trace reaches the
 * container's processes, and the runtime `nook` traces create, start and exec, and the
 * overlay of an image's layers under `nook run IMAGE` (step 11).
 *
 * This is a maintainers' test (`make test-trace`, part of the full `make check`): it runs
 * the reference solutions. A participant's exercise is not expected to trace its calls.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

/** Most calls one step's row expects. */
#define MAX_EXPECT 20

/** One step's expectation: its options, and the trace lines' beginnings, in order. */
struct step_trace {
	const char *step;
	const char *args[8];		/**< options before --trace; NULL-ended */
	const char *expect[MAX_EXPECT]; /**< substrings, in order; NULL-ended */
	bool netns;			/**< run in a throwaway network namespace */
	bool image;			/**< --rootfs IMAGE is appended to args */
};

/* clang-format off */
static const struct step_trace table[] = {
	{.step = "01-uts", .args = {"--hostname", "box"}, .expect = {
		"[host] clone3(CLONE_NEWUTS|CLONE_NEWIPC) = ",
		"[host] write(sync pipe, \"go\")",
		"[ctr ] setsid() = ",
		"[ctr ] read(sync pipe) = 1",
		"[ctr ] sethostname(\"box\") = 0",
		"[host] write(sync pipe, \"start\")",
		"[ctr ] prctl(PR_SET_DUMPABLE, 0) = 0",
		"[ctr ] execvp(\"true\")"}},
	{.step = "02-pid", .args = {NULL}, .expect = {
		"[host] clone3(CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWPID) = ",
		"[ctr ] setsid() = 1",
		"[ctr ] sethostname(\"nook\") = 0",
		"[ctr ] fork() = 0: the command, PID 2",
		"[ctr ] setpgid(0, 0) = 0",
		"[ctr ] execvp(\"true\")"}},
	{.step = "03-mount", .args = {"--tmpfs", "/mnt"}, .expect = {
		"[host] clone3(CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWPID|CLONE_NEWNS) = ",
		"[ctr ] mount(NULL, \"/\", NULL, MS_REC | MS_PRIVATE, NULL) = 0",
		"[ctr ] mount(\"proc\", \"/proc\", \"proc\", ",
		"[ctr ] mount(\"tmpfs\", \"/mnt\", \"tmpfs\", ",
		"[ctr ] execvp(\"true\")"}},
	{.step = "04-net", .args = {"--net", "veth", "--ip", "10.231.0.2/24"}, .expect = {
		"[host] clone3(CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWPID|CLONE_NEWNS|CLONE_NEWNET) = ",
		"[host] RTM_NEWLINK(\"nk",
		"[host] RTM_NEWADDR(10.231.0.1) = 0",
		"[host] RTM_NEWLINK(\"nk",
		"[host] write(sync pipe, \"go\")",
		"[ctr ] RTM_NEWLINK(\"lo\" up) = 0",
		"[ctr ] RTM_NEWLINK(\"eth0\" up) = 0",
		"[ctr ] RTM_NEWADDR(10.231.0.2) = 0",
		"[ctr ] RTM_NEWROUTE(default via 10.231.0.1) = 0",
		"[ctr ] execvp(\"true\")",
		"[host] RTM_DELLINK(\"nk"}, .netns = true},
	{.step = "05-user", .args = {"--userns"}, .expect = {
		"[host] clone3(CLONE_NEWUSER|",
		"[host] write(\"/proc/",
		"/uid_map\", \"0 ",
		"[host] write(\"/proc/",
		"/gid_map\", \"0 ",
		"[host] write(sync pipe, \"go\")",
		"[ctr ] setresgid(0, 0, 0) = 0",
		"[ctr ] setresuid(0, 0, 0) = 0",
		"[ctr ] sethostname(\"nook\") = 0",
		"[ctr ] execvp(\"true\")"}},
	{.step = "06-cgroups", .args = {"--memory", "64m"}, .expect = {
		"[host] mkdir(\"/sys/fs/cgroup/",
		"[host] write(\"/sys/fs/cgroup/",
		"/memory.",
		"[host] clone3(",
		"[ctr ] unshare(CLONE_NEWCGROUP) = 0",
		"[ctr ] execvp(\"true\")",
		"[host] rmdir(\"/sys/fs/cgroup/"}},
	{.step = "07-rootfs", .args = {NULL}, .expect = {
		"[ctr ] mount(NULL, \"/\", NULL, MS_REC | MS_PRIVATE, NULL) = 0",
		"[ctr ] mount(\"overlay\", \"/",
		"[ctr ] mount(\"proc\", \"/",
		"[ctr ] mount(\"sysfs\", \"/",
		"[ctr ] mount(\"tmpfs\", \"/",
		"[ctr ] mount(\"/dev/null\", \"/",
		"MS_BIND|MS_REC) = 0",
		"[ctr ] pivot_root(\".\", \".\") = 0",
		"[ctr ] umount2(\".\", MNT_DETACH) = 0",
		"[ctr ] mount(\"proc\", \"/proc\", \"proc\", ",
		"[ctr ] mount(\"/proc/sys\", MS_REMOUNT|MS_BIND|MS_RDONLY) = 0",
		"[ctr ] execvp(\"true\")"}, .image = true},
	{.step = "08-caps", .args = {"--user", "1000"}, .expect = {
		"[ctr ] prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) = 0",
		"[ctr ] capset(permitted=effective=0x",
		"[ctr ] setgroups(0, NULL) = 0",
		"[ctr ] setresgid(1000) = 0",
		"[ctr ] setresuid(1000) = 0",
		"[ctr ] capset(permitted=effective=0) = 0",
		"[ctr ] execvp(\"true\")"}, .image = true},
	{.step = "09-seccomp", .args = {NULL}, .expect = {
		"[ctr ] pivot_root(",
		"[ctr ] prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) = 0",
		"[ctr ] capset(permitted=effective=0x",
		"[host] write(sync pipe, \"start\")",
		"[ctr ] seccomp_load(): seccomp(SECCOMP_SET_MODE_FILTER) = 0",
		"[ctr ] execvp(\"true\")"}, .image = true},
	{.step = "12-network", .args = {"--network", "nook", "--publish", "8080:80"}, .expect = {
		"[host] flock(\"/run/nook/.networks/nook/lock\", LOCK_EX) = 0",
		"[host] RTM_NEWLINK(\"nook0\" bridge) = 0",
		"[host] RTM_NEWADDR(10.213.0.1) = 0",
		"[host] RTM_NEWLINK(\"nook0\" up) = 0",
		"[host] nftables batch: add table inet nook-net-nook, ",
		"/proc/sys/net/ipv4/ip_forward\"",
		"[host] nftables batch: add table inet nook-ports-",
		"[host] clone3(",
		"[host] RTM_NEWLINK(\"nk", "\" veth) = 0",
		"[host] RTM_NEWLINK(\"nk", "\" master \"nook0\" up) = 0",
		"[ctr ] RTM_NEWADDR(10.213.0.",
		"[ctr ] RTM_NEWROUTE(default via 10.213.0.1) = 0",
		"[ctr ] execvp(\"true\")",
		"[host] nftables batch: delete table inet nook-ports-",
		"[host] nftables batch: delete table inet nook-net-nook, ",
		"[host] RTM_DELLINK(\"nook0\") = 0"}, .netns = true, .image = true},
};
/* clang-format on */

/* ---- lessons' anchors ---------------------------------------------------------------- */

/**
 * The anchor GitHub makes of heading text @p h: lower case; letters, digits, '_' and '-'
 * kept; each space a '-'; every other character (punctuation, an em dash) dropped.
 */
static void
slug(const char *h, char *out, size_t size)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)h; *p && n + 1 < size; p++)
		if (isalnum(*p) || *p == '_' || *p == '-')
			out[n++] = (char)tolower(*p);
		else if (*p == ' ')
			out[n++] = '-';
	out[n] = '\0';
}

/** Length of a line's "#" run when it is a heading ("## Title"), else 0. */
static int
heading_level(const char *line)
{
	int n = (int)strspn(line, "#");

	return n > 0 && line[n] == ' ' ? n : 0;
}

/**
 * Whether lesson @p file (in lessons/) has a heading whose anchor is @p anchor; if so, and
 * @p text is not NULL, its section (the heading and what follows it, up to the next
 * heading of its level or above) goes into @p text.
 */
static bool
lesson_section(const char *file, const char *anchor, char *text, size_t size)
{
	char path[PATH_MAX], line[1024], seen[128][96], s[96], want[112];
	int nseen = 0, dup, level = 0;
	bool fenced = false, found = false;
	size_t len = 0;
	FILE *f;

	snprintf(path, sizeof(path), "lessons/%s", file);
	f = fopen(path, "re");
	if (!f)
		fail_msg("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *h = line;

		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "```", 3) == 0)
			fenced = !fenced;
		if (found && !fenced && heading_level(line) && heading_level(line) <= level)
			break;
		if (found) {
			len += (size_t)snprintf(text + len, len < size ? size - len : 0, "%s\n",
						line);
			continue;
		}
		if (fenced || !heading_level(line))
			continue;
		while (*h == '#')
			h++;
		if (strstr(h, " {#"))
			*strstr(h, " {#") = '\0';
		slug(h + 1, s, sizeof(s));
		dup = 0;
		for (int i = 0; i < nseen; i++)
			dup += strcmp(seen[i], s) == 0;
		if (nseen < 128)
			strcpy(seen[nseen++], s);
		if (dup)
			snprintf(want, sizeof(want), "%s-%d", s, dup);
		else
			snprintf(want, sizeof(want), "%s", s);
		found = strcmp(want, anchor) == 0;
		level = heading_level(line);
		if (found && !text)
			break;
		if (found)
			len = (size_t)snprintf(text, size, "%s\n", line);
	}
	fclose(f);
	return found;
}

static bool
anchor_exists(const char *file, const char *anchor)
{
	return lesson_section(file, anchor, NULL, 0);
}

/** Does @p text name @p word as a word of its own (not inside a longer identifier)? */
static bool
names_word(const char *text, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = text; (p = strstr(p, word)); p++)
		if ((p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_')) &&
		    !(isalnum((unsigned char)p[n]) || p[n] == '_'))
			return true;
	return false;
}

/** The checker itself: real headings are found, made-up ones and code lines are not. */
static void
anchors_are_checked_against_headings(void **state)
{
	(void)state;
	assert_true(anchor_exists("01-uts.md", "clone32"));
	assert_true(anchor_exists("01-uts.md", "how-nook-starts-a-container"));
	assert_true(anchor_exists("07-rootfs.md", "dev-sys-and-proc-hardened"));
	assert_true(anchor_exists("09-seccomp.md",
				  "inherited-stacked-never-removed--and-no_new_privs"));
	assert_false(anchor_exists("01-uts.md", "clone"));
	assert_false(anchor_exists("01-uts.md", "no-such-section"));
	/* "# build/solutions/01-uts ..." inside a ```console block is no heading */
	assert_false(anchor_exists("01-uts.md", "buildsolutions01-uts---hostname-box----hostname"));
}

/* ---- reading a trace ----------------------------------------------------------------- */

/** Is @p line a trace line? */
static bool
is_trace(const char *line)
{
	return strncmp(line, "[host] ", 7) == 0 || strncmp(line, "[ctr ] ", 7) == 0;
}

/**
 * The lesson section trace line @p line links to (@p file, @p anchor) names its call: the
 * word before the call's "(" ("clone3", "RTM_NEWLINK", "seccomp_load") — what the trace
 * shows is what the lesson says is made there.
 */
static void
expect_section_names_the_call(const struct run *r, const char *line, const char *file,
			      const char *anchor)
{
	static char text[65536];
	char call[64];

	if (sscanf(line + 7, "%63[A-Za-z0-9_]", call) != 1 || line[7 + strlen(call)] != '(')
		return; /* not a call: "time: ...", "/proc/N/ns/user: nook's own, not joined" */
	if (!lesson_section(file, anchor, text, sizeof(text)))
		return; /* said already */
	expect_run(r, names_word(text, call), "lessons/%s#%s does not name %s: %s", file, anchor,
		   call, line);
}

/**
 * Check every trace line of @p r's stderr: its lesson link names a real heading, whose
 * section names the call. Returns
 * how many trace lines there were.
 */
static int
check_links(const struct run *r)
{
	const char *p = r->err;
	char line[1024], file[64], anchor[128];
	int n = 0;

	while (*p) {
		size_t len = strcspn(p, "\n");
		const char *link;

		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		p += len + (p[len] == '\n');
		if (!is_trace(line))
			continue;
		n++;
		link = strstr(line, "→ lessons/");
		if (!link)
			continue;
		if (sscanf(link, "→ lessons/%63[^#]#%127s", file, anchor) != 2)
			expect_run(r, false, "a trace line's link is not FILE#ANCHOR: %s", line);
		expect_run(r, anchor_exists(file, anchor), "no section #%s in lessons/%s: %s",
			   anchor, file, line);
		expect_section_names_the_call(r, line, file, anchor);
	}
	return n;
}

/** Expect @p want[] (NULL-ended) among @p r's trace lines, in that order. */
static void
expect_in_order(const struct run *r, const char *const *want)
{
	const char *p = r->err;
	int i = 0;

	while (*p && want[i]) {
		size_t len = strcspn(p, "\n");
		char line[1024];
		const char *from;

		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		p += len + (p[len] == '\n');
		/* a row may expect two pieces of one line: "write(\"/proc/", then "/uid_map" */
		for (from = line; want[i] && (from = strstr(from, want[i])); i++)
			from += strlen(want[i]);
	}
	expect_run(r, want[i] == NULL, "the trace does not show, in order: \"%s\"", want[i]);
}

/* ---- each step ----------------------------------------------------------------------- */

static const char *
image(void)
{
	static char path[PATH_MAX];
	const char *img = getenv("NOOK_IMAGE");

	if (!realpath(img && *img ? img : "build/images/busybox", path))
		fail_msg("the image: %s (make image)", strerror(errno));
	return path;
}

/** Run row @p t's step with --trace: its calls in order, its links real, its status 0. */
static void
check_step(const struct step_trace *t)
{
	char *argv[24];
	int n = 0, oldns = -1;
	struct run r;

	skip_unless_root();
	argv[n++] = (char *)step_path(t->step);
	argv[n++] = "--trace";
	for (int i = 0; t->args[i]; i++)
		argv[n++] = (char *)t->args[i];
	if (t->image) {
		argv[n++] = "--rootfs";
		argv[n++] = (char *)image();
	}
	argv[n++] = "--";
	argv[n++] = "true";
	argv[n] = NULL;
	if (t->netns)
		oldns = netns_enter_throwaway();
	run_argv(&r, RUN_TIMEOUT, argv);
	netns_leave(oldns);
	expect_status(&r, 0);
	expect_run(&r, check_links(&r) >= 5, "expected a trace on stderr");
	expect_in_order(&r, t->expect);
}

static void
step_01(void **state)
{
	(void)state;
	check_step(&table[0]);
}

static void
step_02(void **state)
{
	(void)state;
	check_step(&table[1]);
}

static void
step_03(void **state)
{
	(void)state;
	check_step(&table[2]);
}

static void
step_04(void **state)
{
	(void)state;
	check_step(&table[3]);
}

static void
step_05(void **state)
{
	(void)state;
	check_step(&table[4]);
}

static void
step_06(void **state)
{
	(void)state;
	check_step(&table[5]);
}

static void
step_07(void **state)
{
	(void)state;
	check_step(&table[6]);
}

static void
step_08(void **state)
{
	(void)state;
	check_step(&table[7]);
}

static void
step_09(void **state)
{
	(void)state;
	check_step(&table[8]);
}

static void
step_12(void **state)
{
	(void)state;
	check_step(&table[9]);
}

/** Every step program of solutions/ (NN-topic.c) has its row in the table above. */
static void
every_step_program_has_its_row(void **state)
{
	char name[64];
	size_t n = sizeof(table) / sizeof(table[0]), found = 0;
	bool listed;
	struct run r;

	(void)state;
	run_shell(&r, "cd solutions && ls [0-9][0-9]-*.c");
	expect_status(&r, 0);
	for (const char *p = r.out; sscanf(p, "%63[^.].c\n", name) == 1; p = strchr(p, '\n') + 1) {
		listed = false;
		for (size_t i = 0; i < n; i++)
			listed = listed || strcmp(table[i].step, name) == 0;
		expect_run(&r, listed, "step %s has no row in tests/trace's table", name);
		found++;
		if (!strchr(p, '\n'))
			break;
	}
	expect_run(&r, found == n, "%zu step programs in solutions/, %zu rows", found, n);
}

/* ---- the edges ------------------------------------------------------------------------- */

/** A call the kernel refuses is shown with its errno by name, and the error follows. */
static void
failed_call_shows_its_errno(void **state)
{
	char dir[PATH_MAX] = "/tmp/nook-trace-none-XXXXXX", want[PATH_MAX + 64];
	struct run r;

	(void)state;
	skip_unless_root();
	unused_path(dir); /* absolute, and not there: mount(2) says ENOENT */
	run_step(&r, "03-mount", "--trace", "--tmpfs", dir, "--", "true", NULL);
	expect_status(&r, 125);
	snprintf(want, sizeof(want), "[ctr ] mount(\"tmpfs\", \"%s\", \"tmpfs\", ", dir);
	expect_in_order(&r, (const char *const[]){want, "= -1 ENOENT (No such file or directory)",
						  "[ctr ] mount child failed: ", NULL});
	check_links(&r);
}

/** --trace=time adds each stage's time, on both sides; --trace alone does not. */
static void
time_adds_the_stages_times(void **state)
{
	struct run r;

	(void)state;
	skip_unless_root();
	run_step(&r, "01-uts", "--trace=time", "--", "true", NULL);
	expect_status(&r, 0);
	expect_in_order(&r, (const char *const[]){"[host] time: uts+ipc prepare ", " ms (at ",
						  "[ctr ] time: uts+ipc child ", " ms (at ", NULL});
	run_step(&r, "01-uts", "--trace", "--", "true", NULL);
	expect_status(&r, 0);
	expect_run(&r, !strstr(r.err, "time:"), "--trace alone printed times");
	expect_run(&r, strstr(r.err, "[ctr ] sethostname("), "no trace");
}

/** Without --trace nothing is traced; a bad --trace= is refused before anything runs. */
static void
no_trace_unless_asked(void **state)
{
	struct run r;

	(void)state;
	skip_unless_root();
	run_step(&r, "01-uts", "--", "true", NULL);
	expect_status(&r, 0);
	expect_run(&r, r.err[0] == '\0', "stderr without --trace should be empty");
	run_step(&r, "01-uts", "--trace=all", "--", "echo", "ran", NULL);
	expect_run(&r,
		   r.status == 125 && !strstr(r.out, "ran") && count_lines(r.err) == 1 &&
			   strstr(r.err, "--trace=all"),
		   "expected one line naming --trace=all, exit 125, nothing run");
}

/**
 * Run `01-uts --trace -- echo ran` with stderr closed (@p broken false) or a pipe nobody
 * reads (@p broken true): the trace is lost, the container is not.
 */
static void
run_without_stderr(bool broken, struct run *r)
{
	int out[2], dead[2], wstatus;
	ssize_t n;
	pid_t pid;

	if (pipe(out) < 0 || pipe(dead) < 0)
		fail_msg("pipe: %s", strerror(errno));
	close(dead[0]); /* a write into dead[1] fails with EPIPE (and raises SIGPIPE) */
	pid = fork();
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		dup2(out[1], 1);
		if (broken)
			dup2(dead[1], 2);
		else
			close(2);
		execl(step_path("01-uts"), "01-uts", "--trace", "--", "echo", "ran", (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	close(dead[1]);
	n = read(out[0], r->out, sizeof(r->out) - 1);
	r->out[n > 0 ? n : 0] = '\0';
	close(out[0]);
	waitpid(pid, &wstatus, 0);
	r->status = WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus) : WEXITSTATUS(wstatus);
	r->timed_out = false;
	r->err[0] = '\0';
}

static void
a_dead_stderr_is_ignored(void **state)
{
	struct run r;

	(void)state;
	skip_unless_root();
	run_without_stderr(false, &r);
	expect_run(&r, r.status == 0 && strcmp(r.out, "ran\n") == 0, "stderr closed");
	run_without_stderr(true, &r);
	expect_run(&r, r.status == 0 && strcmp(r.out, "ran\n") == 0,
		   "stderr a pipe without reader (EPIPE, SIGPIPE)");
}

/** The command's descriptors are the same with --trace as without: 0, 1, 2. */
static void
the_command_gets_no_trace_descriptor(void **state)
{
	struct run with, without;

	(void)state;
	skip_unless_root();
	run_step(&without, "02-pid", "--", "sh", "-c", "ls /proc/$$/fd", NULL);
	run_step(&with, "02-pid", "--trace", "--", "sh", "-c", "ls /proc/$$/fd", NULL);
	expect_status(&without, 0);
	expect_status(&with, 0);
	expect_run(&with, strcmp(with.out, without.out) == 0,
		   "with --trace the command has descriptors %s, without %s", with.out,
		   without.out);
}

/**
 * Step 02's init does not exec: once it has forked the command it must hold no copy of
 * the host's stderr (a file the host chose), seen from the host in /proc/INIT/fd.
 */
static void
init_lets_go_of_the_trace(void **state)
{
	char dir[64], cmd[1024];
	struct run r;

	(void)state;
	skip_unless_root();
	make_scratch_dir(dir, "trace", 0755);
	snprintf(cmd, sizeof(cmd),
		 "%s --trace -- sleep 5 2>%s/stderr-of-nook & n=$!; "
		 "until i=$(pgrep -P $n) && pgrep -P $i >/dev/null; do sleep 0.05; done; "
		 "for t in $(seq 40); do ls -l /proc/$i/fd | grep -q stderr-of-nook || break; "
		 "sleep 0.05; done; ls -l /proc/$i/fd | grep -c stderr-of-nook; kill $n; wait",
		 step_path("02-pid"), dir);
	run_shell(&r, cmd);
	expect_run(&r, strcmp(r.out, "0\n") == 0, "init still holds the trace's stderr");
	remove_scratch_dirs();
}

/* ---- the runtime ------------------------------------------------------------------------ */

/**
 * A bundle in @p dir: the default image as root, hostname "traced", the command @p args
 * (JSON strings, comma-separated: "\"true\"").
 */
static void
write_bundle(const char *dir, const char *args)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/config.json", dir);
	f = fopen(path, "we");
	if (!f)
		fail_msg("%s: %s", path, strerror(errno));
	fprintf(f,
		"{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"%s\", \"readonly\": true},\n"
		" \"process\": {\"args\": [%s], \"cwd\": \"/\", \"env\": [\"PATH=/bin\"],\n"
		"   \"user\": {\"uid\": 0, \"gid\": 0}},\n"
		" \"hostname\": \"traced\",\n"
		" \"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": "
		"\"proc\"}],\n"
		" \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"ipc\"}, "
		"{\"type\": \"uts\"}, {\"type\": \"mount\"}]}}\n",
		image(), args);
	fclose(f);
}

/** `nook --trace run`: the create side (host, then container) and the start side. */
static void
nook_run_traces_both_sides(void **state)
{
	char root[64], bundle[64], id[64];
	struct run r;

	(void)state;
	skip_unless_root();
	make_scratch_dir(root, "trace-root", 0700);
	make_scratch_dir(bundle, "trace-bundle", 0755);
	write_bundle(bundle, "\"true\"");
	run_step(&r, "nook", "--trace", "--root", root, "run", "--bundle", bundle,
		 unique_name(id, "trace"), NULL);
	expect_status(&r, 0);
	expect_in_order(&r, (const char *const[]){"[host] clone3(", "[ctr ] setsid() = ",
						  "[ctr ] sethostname(\"traced\") = 0",
						  "[ctr ] pivot_root(", "[host] open(\"",
						  "/exec.fifo\", O_RDONLY) ...",
						  "[ctr ] execvp(\"true\")", NULL});
	check_links(&r);
	run_step(&r, "nook", "--trace=never", "--root", root, "list", NULL);
	expect_status(&r, 125);
	remove_scratch_dirs();
}

/**
 * `nook --trace create`, then `nook --trace start`, as engines run them: create's stderr
 * has the host's side and the container's up to its wait; start's, the opening of the
 * exec FIFO; and the container's last lines (the seal, the exec) still reach create's
 * stderr — the file it was given — though create has long exited.
 */
static void
nook_create_and_start_each_trace_their_side(void **state)
{
	char root[64], bundle[64], id[64], cmd[1024], path[128], created[16384];
	struct run r;
	FILE *f;
	size_t n;

	(void)state;
	skip_unless_root();
	make_scratch_dir(root, "trace-root", 0700);
	make_scratch_dir(bundle, "trace-bundle", 0755);
	write_bundle(bundle, "\"true\"");
	unique_name(id, "trace");
	snprintf(cmd, sizeof(cmd),
		 "n=%s; $n --trace --root %s create --bundle %s %s </dev/null >/dev/null "
		 "2>%s/create.err && $n --trace --root %s start %s && "
		 "until $n --root %s state %s | grep -q stopped; do sleep 0.05; done; "
		 "$n --root %s delete %s",
		 step_path("nook"), root, bundle, id, bundle, root, id, root, id, root, id);
	run_shell(&r, cmd);
	expect_status(&r, 0);
	expect_in_order(
		&r, (const char *const[]){"[host] open(\"", "/exec.fifo\", O_RDONLY) ...", NULL});
	expect_run(&r, !strstr(r.err, "clone3("), "start traced create's calls");
	snprintf(path, sizeof(path), "%s/create.err", bundle);
	f = fopen(path, "re");
	if (!f)
		fail_msg("%s: %s", path, strerror(errno));
	n = fread(created, 1, sizeof(created) - 1, f);
	created[n] = '\0';
	fclose(f);
	snprintf(r.err, sizeof(r.err), "%s", created);
	expect_in_order(&r, (const char *const[]){
				    "[host] clone3(", "[host] write(sync pipe, \"go\")",
				    "[ctr ] sethostname(\"traced\") = 0", "[ctr ] pivot_root(",
				    "[ctr ] prctl(PR_SET_DUMPABLE, 0) = 0",
				    "[ctr ] execvp(\"true\")", NULL});
	expect_run(&r, !strstr(r.err, "exec.fifo"), "create traced start's calls");
	check_links(&r);
	remove_scratch_dirs();
}

/**
 * `nook --trace run IMAGE` (step 11): the overlay of the image's layers from the store
 * (lesson 11: starting a container unpacks nothing, it is one mount(2)), then the
 * container as step 10 makes it. The image is the default one, as an OCI layout
 * (tests/images/mklayout) imported into a scratch store.
 */
static void
nook_run_image_traces_the_overlay_of_its_layers(void **state)
{
	char dir[64], cmd[1024], store[96], root[96];
	struct run r;

	(void)state;
	skip_unless_root();
	make_scratch_dir(dir, "trace-image", 0755);
	snprintf(store, sizeof(store), "%s/store", dir);
	snprintf(root, sizeof(root), "%s/state", dir);
	snprintf(cmd, sizeof(cmd),
		 "tests/images/mklayout %s/layout busybox:latest %s >/dev/null && "
		 "%s --store %s image import %s/layout >/dev/null",
		 dir, image(), step_path("nook"), store, dir);
	run_shell(&r, cmd);
	expect_status(&r, 0);
	run_step(&r, "nook", "--trace", "--store", store, "--root", root, "run", "--rm", "busybox",
		 "true", NULL);
	expect_status(&r, 0);
	expect_in_order(&r,
			(const char *const[]){
				"[host] mount(\"overlay\", \"", "/rootfs\", \"overlay\", 0, ",
				"\"lowerdir=", "/layers/", ",upperdir=", ",workdir=", "\") = 0",
				"→ lessons/11-images.md#why-layers-are-shared", "[host] clone3(",
				"[ctr ] pivot_root(", "[ctr ] execvp(\"true\")", NULL});
	check_links(&r);
	remove_scratch_dirs();
}

/** What `nook --trace exec ID true` shows, in order: lesson 10's "exec" section. */
/* clang-format off */
static const char *const exec_entered[] = {
	"[host] write(\"/sys/fs/cgroup/", "/cgroup.procs\", \"",
	"[host] /proc/", "/ns/user: nook's own, not joined",
	"[host] open(\"/proc/", "/ns/ipc\", O_RDONLY) = ",
	"[host] open(\"/proc/", "/ns/uts\", O_RDONLY) = ",
	"[host] open(\"/proc/", "/ns/pid_for_children\", O_RDONLY) = ",
	"[host] open(\"/proc/", "/ns/mnt\", O_RDONLY) = ",
	"[host] setns(", ", CLONE_NEWIPC) = 0",
	"[host] setns(", ", CLONE_NEWUTS) = 0",
	"[host] setns(", ", CLONE_NEWPID) = 0",
	"[host] setns(", ", CLONE_NEWNS) = 0",
	"[ctr ] fork() = 0: PID ", " in the container's PID namespace",
	"[ctr ] prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) = 0",
	"[ctr ] capset(permitted=effective=",
	"[ctr ] chdir(\"/\") = 0",
	"[ctr ] execvp(\"true\") ...",
	NULL,
};
/* clang-format on */

/**
 * `nook --trace exec` into a running container, as lesson 10's exec section tells it:
 * nook moves into the container's cgroups, opens the namespace files of its first process
 * and joins each that is not its own, in order — the user namespace first (the container
 * has none of its own here: not joined, since setns(2) refuses the one a process is in),
 * the PID namespace for the children, the mount namespace last — and the child, forked
 * into the container's PID namespace, goes through step 08's hooks to its cwd and execve.
 * A command that is not there shows execvp's ENOENT, and nook exits 127. The container is
 * deleted before anything is checked: a failed check must not leave it running.
 */
static void
nook_exec_traces_how_it_enters(void **state)
{
	char root[64], bundle[64], id[64], cmd[1024];
	struct run started, r, missing, deleted;

	(void)state;
	skip_unless_root();
	make_scratch_dir(root, "trace-root", 0700);
	make_scratch_dir(bundle, "trace-bundle", 0755);
	write_bundle(bundle, "\"sleep\", \"60\"");
	unique_name(id, "trace");
	snprintf(cmd, sizeof(cmd),
		 "%s --root %s run --detach --bundle %s %s </dev/null >/dev/null 2>&1",
		 step_path("nook"), root, bundle, id);
	run_shell(&started, cmd);
	run_step(&r, "nook", "--trace", "--root", root, "exec", id, "true", NULL);
	run_step(&missing, "nook", "--trace", "--root", root, "exec", id, "no-such-command", NULL);
	snprintf(cmd, sizeof(cmd), "%s --root %s delete --force %s", step_path("nook"), root, id);
	run_shell(&deleted, cmd);
	expect_status(&started, 0);
	expect_status(&r, 0);
	expect_in_order(&r, exec_entered);
	expect_run(&r, !strstr(r.err, "CLONE_NEWUSER) ="),
		   "setns into a user namespace the container does not have");
	expect_run(&r, check_links(&r) >= 14, "expected a trace on stderr");
	expect_run(&r, strstr(r.err, "→ lessons/10-nook.md#exec-entering-a-running-container"),
		   "no line links to lesson 10's exec section");
	expect_status(&missing, 127);
	expect_in_order(&missing, (const char *const[]){
					  "[host] setns(", ", CLONE_NEWNS) = 0",
					  "[ctr ] execvp(\"no-such-command\") = -1 ENOENT", NULL});
	expect_status(&deleted, 0);
	remove_scratch_dirs();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(anchors_are_checked_against_headings),
		cmocka_unit_test(step_01),
		cmocka_unit_test(step_02),
		cmocka_unit_test(step_03),
		cmocka_unit_test(step_04),
		cmocka_unit_test(step_05),
		cmocka_unit_test(step_06),
		cmocka_unit_test(step_07),
		cmocka_unit_test(step_08),
		cmocka_unit_test(step_09),
		cmocka_unit_test(step_12),
		cmocka_unit_test(every_step_program_has_its_row),
		cmocka_unit_test(failed_call_shows_its_errno),
		cmocka_unit_test(time_adds_the_stages_times),
		cmocka_unit_test(no_trace_unless_asked),
		cmocka_unit_test(a_dead_stderr_is_ignored),
		cmocka_unit_test(the_command_gets_no_trace_descriptor),
		cmocka_unit_test(init_lets_go_of_the_trace),
		cmocka_unit_test(nook_run_traces_both_sides),
		cmocka_unit_test(nook_create_and_start_each_trace_their_side),
		cmocka_unit_test(nook_exec_traces_how_it_enters),
		cmocka_unit_test(nook_run_image_traces_the_overlay_of_its_layers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

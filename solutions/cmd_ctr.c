/**
 * @file cmd_ctr.c
 * @brief The commands on image containers (ctr.h): `nook ps [-a]` (no ID), `nook logs [-f]`,
 *        `nook stop [-t N]`, `nook rm [-f]`, `nook inspect` — each reading what the monitor
 *        (cmd_run_monitor.c) keeps in STORE/containers/NAME and the runtime's state.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctr.h"
#include "image.h"
#include "oci.h"

/** How long stop waits for the StopSignal to end a container, by default (docker's). */
#define CTR_STOP_TIMEOUT 10
/** How long rm -f and stop wait for the monitor once SIGKILL is sent, in ms. */
#define CTR_KILL_WAIT_MS 10000

/** STORE/containers into @p buf. */
static int
containers_dir(char *buf, size_t size, struct nook_error *err)
{
	struct image_store s;

	if (image_cli_open(&s, false, err) < 0)
		return -1;
	snprintf(buf, size, "%s/containers", s.root);
	image_store_close(&s);
	return 0;
}

/**
 * Write @p text into @p dir/@p file atomically (beside it, then renamed).
 * @return 0, or -1 with @p err.
 */
int
ctr_write_file(const char *dir, const char *file, const char *text, struct nook_error *err)
{
	char path[PATH_MAX + 64], tmp[PATH_MAX + 80];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (!(f = fopen(tmp, "we")))
		return nook_fail(err, errno, "open(\"%s\")", tmp);
	fputs(text, f);
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		return nook_fail(err, errno, "write(\"%s\")", path);
	}
	return 0;
}

/** Record the exit status @p status (as a shell has it) in @p dir/exit. */
int
ctr_record_exit(const char *dir, int status)
{
	struct nook_error err;
	char now[48], text[128];

	oci_now(now, sizeof(now));
	snprintf(text, sizeof(text), "{\"exitCode\": %d, \"finishedAt\": \"%s\"}\n", status, now);
	return ctr_write_file(dir, CTR_EXIT, text, &err);
}

/** The monitor's PID from @p dir/monitor if that process lives, else 0. */
static pid_t
monitor_pid(const char *dir)
{
	char path[PATH_MAX + 16];
	int pid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/" CTR_MONITOR, dir);
	if (!(f = fopen(path, "re")))
		return 0;
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	fclose(f);
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM) ? pid : 0;
}

/** The runtime's view of @p c: its first process and cgroup, if it lives. */
static void
read_runtime(struct ctr *c)
{
	struct nook_error none;
	struct oci_state s;

	if (oci_state_read(nook_cli.root, c->name, &s, &none) < 0)
		return;
	c->running = oci_alive(&s);
	c->pid = c->running ? s.pid : 0;
	snprintf(c->cgroup, sizeof(c->cgroup), "%s", s.ncgroups ? s.cgroups[0] : "");
	oci_state_free(&s);
}

/** The exit file of @p c, if any. */
static void
read_exit(struct ctr *c)
{
	char path[PATH_MAX + 16];
	const char *fin = "";
	json_t *doc;
	int code = 0;

	snprintf(path, sizeof(path), "%s/" CTR_EXIT, c->dir);
	if (!(doc = json_load_file(path, 0, NULL)))
		return;
	if (json_unpack(doc, "{s:i, s?s}", "exitCode", &code, "finishedAt", &fin) == 0) {
		c->exited = true;
		c->exit_code = code;
		snprintf(c->finished, sizeof(c->finished), "%s", fin);
	}
	json_decref(doc);
}

/**
 * What is known of image container @p name into @p c (ctr_close() it).
 * @return 0, or -1 with @p err when there is no such container.
 */
int
ctr_open(const char *name, struct ctr *c, struct nook_error *err)
{
	char base[PATH_MAX_STATE + 16], path[PATH_MAX + 32];

	*c = (struct ctr){0};
	if (state_check_id(name, err) < 0 || containers_dir(base, sizeof(base), err) < 0)
		return -1;
	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(c->dir, sizeof(c->dir), "%s/%s", base, name);
	if (access(c->dir, F_OK) < 0)
		return nook_fail(err, 0, "no such container \"%s\"", name);
	snprintf(path, sizeof(path), "%s/" CTR_INFO, c->dir);
	c->info = json_load_file(path, 0, NULL);
	c->monitor = monitor_pid(c->dir);
	read_exit(c);
	read_runtime(c);
	c->status = c->exited ? "exited" : c->running ? "running" : c->monitor ? "created" : "dead";
	return 0;
}

/** Release what ctr_open() holds. */
void
ctr_close(struct ctr *c)
{
	json_decref(c->info);
	c->info = NULL;
}

/** The names of the image containers, sorted, into @p names (room for @p max). */
int
ctr_list(char names[][NOOK_ID_MAX + 1], int max, struct nook_error *err)
{
	char dir[PATH_MAX];
	struct dirent **e;
	int n, k = 0;

	if (containers_dir(dir, sizeof(dir), err) < 0)
		return -1;
	if ((n = scandir(dir, &e, NULL, alphasort)) < 0)
		return errno == ENOENT ? 0 : nook_fail(err, errno, "scandir(\"%s\")", dir);
	for (int i = 0; i < n; i++) {
		if (e[i]->d_name[0] != '.' && k < max && strlen(e[i]->d_name) <= NOOK_ID_MAX)
			snprintf(names[k++], NOOK_ID_MAX + 1, "%s", e[i]->d_name);
		free(e[i]);
	}
	free(e);
	return k;
}

/** Send @p sig to @p c's first process or, with @p all, to every process of its cgroup. */
int
ctr_signal(const struct ctr *c, int sig, bool all, struct nook_error *err)
{
	char path[200];
	FILE *f;
	int pid;

	if (!c->running)
		return nook_fail(err, 0, "container \"%s\" is not running", c->name);
	snprintf(path, sizeof(path), "%s/cgroup.procs", c->cgroup);
	if (all && c->cgroup[0] && (f = fopen(path, "re"))) {
		while (fscanf(f, "%d", &pid) == 1)
			kill(pid, sig);
		fclose(f);
	}
	if (kill(c->pid, sig) < 0 && errno != ESRCH)
		return nook_fail(err, errno, "kill(%d, %s)", (int)c->pid, sigabbrev_np(sig));
	return 0;
}

/** Wait up to @p ms for @p c to end and its monitor to be done; @p c read anew. */
bool
ctr_wait_end(struct ctr *c, int ms)
{
	struct timespec tick = {0, 20 * 1000 * 1000};
	struct nook_error err;
	char name[NOOK_ID_MAX + 1];

	snprintf(name, sizeof(name), "%s", c->name);
	for (int t = 0;; t += 20) {
		ctr_close(c);
		if (ctr_open(name, c, &err) < 0) /* --rm: gone */
			return true;
		if (!c->running && !c->monitor)
			return true;
		if (t >= ms)
			return false;
		nanosleep(&tick, NULL);
	}
}

/** A string member of container.json, or @p dflt. */
static const char *
info_string(const struct ctr *c, const char *key, const char *dflt)
{
	return json_string_value(json_object_get(c->info, key)) ?: dflt;
}

/** The command of @p c, as one line of at most @p size - 1 characters. */
static const char *
command_line(const struct ctr *c, char *buf, size_t size)
{
	json_t *v;
	size_t i, n = 0;

	buf[0] = '\0';
	json_array_foreach(json_object_get(c->info, "command"), i, v)
	{
		if (n < size)
			n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? " " : "",
					      json_string_value(v) ?: "");
	}
	return buf;
}

/** One line of `nook ps` for container @p name (if @p all, or it runs). */
static void
ps_line(const char *name, bool all)
{
	struct nook_error err;
	char cmd[26], status[32];
	struct ctr c;

	if (ctr_open(name, &c, &err) < 0)
		return; /* removed meanwhile */
	if (all || c.running) {
		if (c.exited)
			snprintf(status, sizeof(status), "exited (%d)", c.exit_code);
		else
			snprintf(status, sizeof(status), "%s", c.status);
		printf("%-16s %-24s %-25s %-16s %s\n", c.name, info_string(&c, "image", "?"),
		       command_line(&c, cmd, sizeof(cmd)), status, info_string(&c, "created", "?"));
	}
	ctr_close(&c);
}

/**
 * `nook ps [-a]`: the image containers, running ones only unless -a (cmd_ps.c hands over
 * when it is given no ID).
 */
int
cmd_ctr_list(int argc, char *argv[])
{
	static char names[1024][NOOK_ID_MAX + 1];
	struct nook_error err;
	bool all = false;
	int n;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "-a") == 0 || strcmp(argv[i], "--all") == 0)
			all = true;
		else
			return nook_fail(&err, 0, "ps: unknown option '%s'", argv[i]),
			       nook_say(&err);
	if ((n = ctr_list(names, 1024, &err)) < 0)
		return nook_say(&err);
	printf("%-16s %-24s %-25s %-16s %s\n", "NAME", "IMAGE", "COMMAND", "STATUS", "CREATED");
	for (int i = 0; i < n; i++)
		ps_line(names[i], all);
	return 0;
}

/** Copy what @p fd has from its offset on to stdout; returns how much. */
static ssize_t
copy_out(int fd)
{
	char buf[65536];
	ssize_t n, total = 0;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			return -1;
		total += n;
	}
	fflush(stdout);
	return total;
}

/** -f: copy the log as it grows, until the monitor is done (and all is read). */
static void
follow(int fd, const char *dir)
{
	struct timespec tick = {0, 50 * 1000 * 1000};
	bool last = false;

	while (copy_out(fd) >= 0 && !last) {
		last = !monitor_pid(dir); /* one more read after it is gone */
		if (!last)
			nanosleep(&tick, NULL);
	}
}

static const struct nook_cmd_option logs_options[] = {
	{"follow", 'f', NULL, "go on printing what it writes, until it ends"},
	{NULL, 0, NULL, NULL},
};

/** `nook logs [-f] NAME`: the output of a container run with -d. */
int
cmd_logs(int argc, char *argv[])
{
	char path[PATH_MAX + 16];
	struct nook_error err;
	bool f = false;
	struct ctr c;
	int ch, fd;

	while ((ch = command_getopt(&logs_command, argc, argv)) != -1)
		if (ch == 'f')
			f = true;
		else
			return nook_fail(&err, 0, "logs: unknown option '%s'", argv[optind - 1]),
			       nook_say(&err);
	if (optind != argc - 1)
		return nook_fail(&err, 0, "logs: expected [-f] NAME"), nook_say(&err);
	if (ctr_open(argv[optind], &c, &err) < 0)
		return nook_say(&err);
	ctr_close(&c);
	snprintf(path, sizeof(path), "%s/" CTR_LOG, c.dir);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT
			       ? 0
			       : (nook_fail(&err, errno, "open(\"%s\")", path), nook_say(&err));
	if (f)
		follow(fd, c.dir);
	else
		copy_out(fd);
	close(fd);
	return 0;
}

/**
 * Stop @p c: @p sig, then after @p timeout seconds SIGKILL to every process of its cgroup.
 * @return 0, or -1 with @p err.
 */
static int
stop(struct ctr *c, int sig, int timeout, struct nook_error *err)
{
	if (c->running && ctr_signal(c, sig, false, err) < 0)
		return -1;
	if (ctr_wait_end(c, timeout * 1000))
		return 0;
	if (c->running && ctr_signal(c, SIGKILL, true, err) < 0)
		return -1;
	if (!ctr_wait_end(c, CTR_KILL_WAIT_MS))
		return nook_fail(err, 0, "container \"%s\" did not end after SIGKILL", c->name);
	return 0;
}

static const struct nook_cmd_option stop_options[] = {
	{"time", 't', "SECONDS", "how long to wait before SIGKILL"},
	{NULL, 0, NULL, NULL},
};

/** `nook stop [-t SECONDS] NAME...`: the image's StopSignal, then SIGKILL. */
int
cmd_stop(int argc, char *argv[])
{
	struct nook_error err;
	int ch, timeout = CTR_STOP_TIMEOUT, ret = 0;
	char *end;
	struct ctr c;

	while ((ch = command_getopt(&stop_command, argc, argv)) != -1) {
		if (ch != 't' || (timeout = (int)strtol(optarg, &end, 10)) < 0 || *end ||
		    end == optarg)
			return nook_fail(&err, 0, "stop: bad option '%s' (-t SECONDS)",
					 argv[optind - 1]),
			       nook_say(&err);
	}
	if (optind >= argc)
		return nook_fail(&err, 0, "stop: expected [-t SECONDS] NAME..."), nook_say(&err);
	for (int i = optind; i < argc; i++) {
		if (ctr_open(argv[i], &c, &err) < 0 ||
		    stop(&c, oci_parse_signal(info_string(&c, "stopSignal", "TERM")), timeout,
			 &err) < 0)
			ret = nook_say(&err);
		else
			printf("%s\n", argv[i]);
		ctr_close(&c);
	}
	return ret;
}

/** Remove @p c: what the runtime still has of it (a monitor killed), its directory. */
static int
remove_ctr(struct ctr *c, bool force, struct nook_error *err)
{
	struct nook_error none;
	struct oci_state s;

	if ((c->running || c->monitor) && !force)
		return nook_fail(err, 0, "container \"%s\" is %s: stop it first, or rm -f", c->name,
				 c->status);
	if (c->running && ctr_signal(c, SIGKILL, true, err) < 0)
		return -1;
	if (!ctr_wait_end(c, CTR_KILL_WAIT_MS))
		return nook_fail(err, 0, "container \"%s\" did not end after SIGKILL", c->name);
	if (access(c->dir, F_OK) < 0)
		return 0; /* --rm did it */
	if (oci_state_read(nook_cli.root, c->name, &s, &none) == 0) {
		int ret = oci_remove(&s, err);

		oci_state_free(&s);
		if (ret < 0)
			return -1;
	}
	ctr_finish(c->dir, true);
	if (access(c->dir, F_OK) == 0)
		return nook_fail(err, errno, "container \"%s\": could not remove %s", c->name,
				 c->dir);
	return 0;
}

static const struct nook_cmd_option rm_options[] = {
	{"force", 'f', NULL, "kill a container that still runs first"},
	{NULL, 0, NULL, NULL},
};

/** `nook rm [-f] NAME...`: a container that has ended, or with -f any, removed. */
int
cmd_rm(int argc, char *argv[])
{
	struct nook_error err;
	bool force = false;
	int ch, ret = 0;
	struct ctr c;

	while ((ch = command_getopt(&rm_command, argc, argv)) != -1)
		if (ch == 'f')
			force = true;
		else
			return nook_fail(&err, 0, "rm: unknown option '%s'", argv[optind - 1]),
			       nook_say(&err);
	if (optind >= argc)
		return nook_fail(&err, 0, "rm: expected [-f] NAME..."), nook_say(&err);
	for (int i = optind; i < argc; i++) {
		if (ctr_open(argv[i], &c, &err) < 0 || remove_ctr(&c, force, &err) < 0)
			ret = nook_say(&err);
		else
			printf("%s\n", argv[i]);
		ctr_close(&c);
	}
	return ret;
}

/** What `inspect` prints of @p c: container.json, with its state and where it lives. */
static json_t *
inspect_one(const struct ctr *c)
{
	json_t *info = c->info;
	json_t *doc = json_is_object(info) ? json_deep_copy(info) : json_object();

	json_object_set_new(doc, "name", json_string(c->name));
	json_object_set_new(doc, "state",
			    json_pack("{s:s, s:b, s:I, s:I}", "status", c->status, "running",
				      c->running, "pid", (json_int_t)c->pid, "monitorPid",
				      (json_int_t)c->monitor));
	if (c->exited) {
		json_object_set_new(json_object_get(doc, "state"), "exitCode",
				    json_integer(c->exit_code));
		json_object_set_new(json_object_get(doc, "state"), "finishedAt",
				    json_string(c->finished));
	}
	json_object_set_new(doc, "bundle", json_string(c->dir));
	return doc;
}

/** `nook inspect NAME...`: a JSON array, one object per container (docker's shape). */
int
cmd_inspect(int argc, char *argv[])
{
	json_t *all = json_array();
	struct nook_error err;
	struct ctr c;
	char *text;
	int ret = 0;

	if (argc < 2 || argv[1][0] == '-')
		return json_decref(all), nook_fail(&err, 0, "inspect: expected NAME..."),
		       nook_say(&err);
	for (int i = 1; i < argc; i++) {
		if (ctr_open(argv[i], &c, &err) < 0)
			ret = nook_say(&err);
		else
			json_array_append_new(all, inspect_one(&c));
		ctr_close(&c);
	}
	if (json_array_size(all) && (text = json_dumps(all, JSON_INDENT(2)))) {
		printf("%s\n", text);
		free(text);
	}
	json_decref(all);
	return ret;
}

const struct nook_command logs_command = {
	.name = "logs",
	.usage = "[--follow] NAME",
	.summary = "print the output of an image container run with -d (-f: follow it)",
	.about = "What the container's monitor kept of its stdout and stderr, in the order "
		 "written; with --follow, then what it writes next, until it ends.",
	.shorts = "+f",
	.options = logs_options,
	.see = "nook-run(1), nook-ps(1)",
	.run = cmd_logs,
};

const struct nook_command stop_command = {
	.name = "stop",
	.usage = "[--time SECONDS] NAME...",
	.summary = "stop an image container: its StopSignal, then SIGKILL after -t seconds",
	.about = "The image's StopSignal (default SIGTERM) to the container; if it has not ended "
		 "after --time seconds, SIGKILL to every process of its cgroup. Prints each NAME "
		 "stopped.",
	.shorts = "+t:",
	.options = stop_options,
	.see = "nook-kill(1), nook-rm(1)",
	.run = cmd_stop,
};

const struct nook_command rm_command = {
	.name = "rm",
	.usage = "[--force] NAME...",
	.summary = "remove image containers that have ended (-f: kill them first)",
	.about = "What the runtime still has of each container, and its directory in the store "
		 "with its writable layer. Prints each NAME removed.",
	.shorts = "+f",
	.options = rm_options,
	.see = "nook-stop(1), nook-ps(1)",
	.run = cmd_rm,
};

const struct nook_command inspect_command = {
	.name = "inspect",
	.usage = "NAME...",
	.summary = "print what is known of image containers, as JSON",
	.about = "A JSON array, one object per container, as docker's: its image, command and "
		 "options, its state (status, PIDs of the container and its monitor, exit code "
		 "and end once it ended) and its bundle.",
	.see = "nook-ps(1), nook-state(1)",
	.run = cmd_inspect,
};

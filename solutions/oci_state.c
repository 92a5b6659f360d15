/**
 * @file oci_state.c
 * @brief Step 10 — an OCI container's saved state: what `create` leaves for `start`,
 *        `state`, `kill` and `delete`, each a separate run of the runtime.
 *
 * The runtime does not live as long as its container: `create` returns with the
 * container waiting, and every later command is a new process that knows only the ID.
 * So `create` writes BASE/ID/state.json: the OCI state (ociVersion, id, pid, bundle,
 * annotations) and what a later command needs besides — the process's start time, the
 * container's cgroup directories, when it was created.
 *
 * **Atomically.** The file is written as state.json.tmp and renamed over state.json: a
 * reader sees the old file or the new one, never half of one (rename(2) is atomic within
 * a filesystem), even if the writer is killed halfway.
 *
 * **Status from the process, not from the file.** The file says which PID the container
 * had; whether it still runs is asked of the kernel each time. A PID alone is not enough:
 * once the container has ended and been reaped, its number may be given to any new
 * process. The start time (field 22 of /proc/PID/stat, in clock ticks since boot) tells
 * them apart: a process with that PID and that start time is the container. Then:
 * "created" while the exec FIFO is still there (start removes it), "running" after,
 * "stopped" once the process is gone or a zombie.
 *
 * Further reading: the runtime spec's runtime.md ("State", "Lifecycle"), proc(5)
 * (/proc/PID/stat), rename(2).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "oci.h"

/**
 * Field 22 of /proc/PID/stat (starttime) and field 3 (state) of process @p pid.
 * @return the start time, or 0 when there is no such process.
 */
unsigned long long
oci_start_time(pid_t pid, char *state)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the command name may hold spaces and parentheses */
	if (!p || sscanf(p + 2,
			 "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d "
			 "%*d %*d %*d %llu",
			 state, &start) != 2)
		return 0;
	return start;
}

/** BASE/ID into @p s->dir, BASE from @p root or the default; checks @p id. */
int
oci_state_dir(const char *root, const char *id, struct oci_state *s, struct nook_error *err)
{
	char base[PATH_MAX_STATE - NOOK_ID_MAX - 2];

	if (state_check_id(id, err) < 0 || state_base(root, base, sizeof(base), err) < 0)
		return -1;
	snprintf(s->id, sizeof(s->id), "%s", id);
	snprintf(s->dir, sizeof(s->dir), "%s/%s", base, id);
	return 0;
}

/** The state as JSON, for state.json (@p full) or for `nook state`'s output. */
void *
oci_state_json(const struct oci_state *s, bool full)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:i, s:s}", "ociVersion", OCI_VERSION, "id", s->id,
			      "status", oci_status(s), "pid",
			      strcmp(oci_status(s), "stopped") == 0 ? 0 : (int)s->pid, "bundle",
			      s->bundle);
	json_t *cg;

	if (!o)
		return NULL;
	if (s->annotations)
		json_object_set(o, "annotations", s->annotations);
	else
		json_object_set_new(o, "annotations", json_object());
	if (!full) {
		json_object_set_new(o, "created", json_string(s->created));
		return o;
	}
	json_object_del(o, "status"); /* computed each time, never saved */
	json_object_set_new(o, "pid", json_integer(s->pid));
	cg = json_array();
	for (int i = 0; i < s->ncgroups; i++)
		json_array_append_new(cg, json_string(s->cgroups[i]));
	json_object_set_new(o, "nook",
			    json_pack("{s:I, s:s, s:o}", "starttime", (json_int_t)s->start_time,
				      "created", s->created, "cgroups", cg));
	return o;
}

/** Write @p s to state.json, atomically: written beside it, then renamed over it. */
int
oci_state_write(const struct oci_state *s, struct nook_error *err)
{
	char tmp[PATH_MAX_STATE + 32], file[PATH_MAX_STATE + 32];
	json_t *o = oci_state_json(s, true);
	int ret;

	if (!o)
		return nook_fail(err, ENOMEM, "state.json");
	snprintf(tmp, sizeof(tmp), "%s/state.json.tmp", s->dir);
	snprintf(file, sizeof(file), "%s/state.json", s->dir);
	ret = json_dump_file(o, tmp, JSON_INDENT(2));
	json_decref(o);
	if (ret < 0)
		return nook_fail(err, errno, "write(\"%s\")", tmp);
	if (rename(tmp, file) < 0)
		return nook_fail(err, errno, "rename(\"%s\")", file);
	return 0;
}

/** Read container @p id's state.json; "container does not exist" when there is none. */
int
oci_state_read(const char *root, const char *id, struct oci_state *s, struct nook_error *err)
{
	char file[PATH_MAX_STATE + 32];
	const char *bundle = "", *created = "";
	json_t *doc, *cg = NULL;
	json_error_t jerr;
	json_int_t pid = 0, start = 0;

	*s = (struct oci_state){0};
	if (oci_state_dir(root, id, s, err) < 0)
		return -1;
	snprintf(file, sizeof(file), "%s/state.json", s->dir);
	doc = json_load_file(file, 0, &jerr);
	if (!doc && access(file, F_OK) < 0)
		return nook_fail(err, 0, "container \"%s\" does not exist", id);
	if (!doc || json_unpack(doc, "{s:s, s:I, s?o, s:{s:I, s:s, s:o}}", "bundle", &bundle, "pid",
				&pid, "annotations", &s->annotations, "nook", "starttime", &start,
				"created", &created, "cgroups", &cg) < 0) {
		json_decref(doc);
		return nook_fail(err, 0, "%s: not a state nook wrote", file);
	}
	snprintf(s->bundle, sizeof(s->bundle), "%s", bundle);
	snprintf(s->created, sizeof(s->created), "%s", created);
	s->pid = (pid_t)pid;
	s->start_time = (unsigned long long)start;
	json_incref(s->annotations);
	for (size_t i = 0; i < json_array_size(cg) && s->ncgroups < NOOK_CGROUP_MAX_DIRS; i++)
		snprintf(s->cgroups[s->ncgroups++], sizeof(s->cgroups[0]), "%s",
			 json_string_value(json_array_get(cg, i)) ?: "");
	json_decref(doc);
	return 0;
}

//! [oci_alive]
/** Is the container's first process still the one it was (same PID, same start time)? */
bool
oci_alive(const struct oci_state *s)
{
	char st = 0;

	return s->pid > 0 && oci_start_time(s->pid, &st) == s->start_time && st != 'Z' && st != 'X';
}
//! [oci_alive]

/**
 * 0 if container @p s has cgroup directories; else -1 with @p err saying why it has none,
 * for a command that needs them "@p to" do something (freeze, thaw, update). Only a
 * rootless container lacks them: an ordinary user may make cgroups only in a subtree
 * delegated to it (systemd's Delegate=), which nook does not look for (cgroup.c).
 */
int
oci_need_cgroup(const struct oci_state *s, const char *to, struct nook_error *err)
{
	if (s->ncgroups > 0)
		return 0;
	return nook_fail(err, 0,
			 "container \"%s\" has no cgroup to %s: created without root, it got "
			 "none (nook has no delegated cgroup support)",
			 s->id, to);
}

/** The v1 freezer directory of container @p id. */
const char *
oci_freezer_dir(const char *id, char *buf, size_t size)
{
	snprintf(buf, size, CGROUP_ROOT "/freezer/nook/%s", id);
	return buf;
}

/** Is container @p s paused: its freezer (v2 cgroup.freeze, v1 freezer/nook/ID) frozen? */
bool
oci_paused(const struct oci_state *s)
{
	char dir[200], path[240], line[32] = "";
	FILE *f;

	if (s->ncgroups == 0)
		return false;
	if (cgroup_has(s->cgroups[0], "cgroup.freeze"))
		return cgroup_read_key(s->cgroups[0], "cgroup.events", "frozen") == 1;
	snprintf(path, sizeof(path), "%s/freezer.state", oci_freezer_dir(s->id, dir, sizeof(dir)));
	if (!(f = fopen(path, "re")))
		return false;
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	return strncmp(line, "FROZEN", 6) == 0;
}

//! [oci_status]
/** "created", "running", "paused" or "stopped", from the process, the FIFO, the freezer. */
const char *
oci_status(const struct oci_state *s)
{
	char fifo[PATH_MAX_STATE + 16];

	if (!oci_alive(s))
		return "stopped";
	snprintf(fifo, sizeof(fifo), "%s/exec.fifo", s->dir);
	if (access(fifo, F_OK) == 0)
		return "created";
	return oci_paused(s) ? "paused" : "running";
}
//! [oci_status]

/** The time now as RFC 3339 in UTC, with nanoseconds, as runc writes "created". */
void
oci_now(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	char sec[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(sec, sizeof(sec), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%09ldZ", sec, ts.tv_nsec);
}

/** Release what oci_state_read() holds. */
void
oci_state_free(struct oci_state *s)
{
	json_decref(s->annotations);
	s->annotations = NULL;
}

/**
 * @file cmd_pause.c
 * @brief `nook pause ID` and `nook resume ID`: freeze every process of a container, and
 *        thaw them — the cgroup freezer, v2 and v1.
 *
 * A frozen task is taken off the CPU wherever it is, and cannot be woken by anything,
 * not even SIGKILL, until thawed: unlike SIGSTOP, which the container's processes could
 * see (a parent gets SIGCHLD) and which a signal of their own could undo.
 *
 *  - cgroup v2: every cgroup has the file cgroup.freeze; "1" freezes it and all below,
 *    and cgroup.events says "frozen 1" once all are stopped.
 *  - cgroup v1: a hierarchy of its own, "freezer". nook's cgroup stage does not make a
 *    directory there, so pause makes freezer/nook/ID and moves each of the container's
 *    processes in (again until none is left outside: a process may fork meanwhile), then
 *    writes FROZEN to freezer.state. delete removes that directory with the others (the
 *    cgroup stage's sweep looks in every hierarchy for nook/ID).
 *
 * A rootless container has no cgroup (cgroup.c makes none without root): pause and resume
 * refuse it in one line that says so (oci_need_cgroup()).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci.h"

/** v1: move every process of the container's first cgroup into @p dir, until none is left. */
static int
move_all(const struct oci_state *s, const char *dir, struct nook_error *err)
{
	char from[200];
	int pid, moved;
	FILE *f;

	snprintf(from, sizeof(from), "%s/cgroup.procs", s->cgroups[0]);
	for (int round = 0; round < 10; round++) {
		if (!(f = fopen(from, "re")))
			return nook_fail(err, errno, "open(\"%s\")", from);
		moved = 0;
		while (fscanf(f, "%d", &pid) == 1) {
			char path[240];
			FILE *in;

			snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
			if ((in = fopen(path, "we"))) {
				fprintf(in, "%d", pid);
				moved += fclose(in) == 0;
			}
		}
		fclose(f);
		if (moved == 0 || round > 0)
			return 0; /* a second pass catches what forked during the first */
	}
	return 0;
}

/** Freeze (@p freeze) or thaw container @p s. */
static int
set_frozen(const struct oci_state *s, bool freeze, struct nook_error *err)
{
	char dir[200];

	if (cgroup_has(s->cgroups[0], "cgroup.freeze"))
		return cgroup_write(s->cgroups[0], "cgroup.freeze", freeze ? "1" : "0", err);
	oci_freezer_dir(s->id, dir, sizeof(dir));
	if (freeze) {
		if (mkdir(CGROUP_ROOT "/freezer/nook", 0755) < 0 && errno != EEXIST)
			return nook_fail(err, errno, "mkdir(\"%s/freezer/nook\")", CGROUP_ROOT);
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return nook_fail(err, errno, "mkdir(\"%s\")", dir);
		if (move_all(s, dir, err) < 0)
			return -1;
	}
	if (cgroup_write(dir, "freezer.state", freeze ? "FROZEN" : "THAWED", err) < 0)
		return -1;
	for (int i = 0; freeze && i < 100 && !oci_paused(s); i++)
		usleep(10000); /* FREEZING until every task has stopped */
	return 0;
}

/** Thaw container @p s if it is paused: delete --force's, as a frozen process cannot die. */
int
oci_thaw(const struct oci_state *s, struct nook_error *err)
{
	return oci_paused(s) ? set_frozen(s, false, err) : 0;
}

/** pause and resume: one ID, running (or paused) — then freeze or thaw. */
static int
pause_or_resume(int argc, char *argv[], bool freeze)
{
	struct nook_error err;
	struct oci_state s;
	const char *id = oci_one_id(argc, argv, &err), *status;
	int ret;

	if (!id || oci_state_read(nook_cli.root, id, &s, &err) < 0)
		return nook_say(&err);
	status = oci_status(&s);
	if (oci_need_cgroup(&s, freeze ? "freeze" : "thaw", &err) < 0)
		ret = -1; /* rootless: said before its status, which could only be "running" */
	else if (strcmp(status, freeze ? "running" : "paused") != 0)
		ret = nook_fail(&err, 0, "container \"%s\" is %s, not %s", s.id, status,
				freeze ? "running" : "paused");
	else
		ret = set_frozen(&s, freeze, &err);
	oci_state_free(&s);
	return ret < 0 ? nook_say(&err) : 0;
}

int
cmd_pause(int argc, char *argv[])
{
	return pause_or_resume(argc, argv, true);
}

int
cmd_resume(int argc, char *argv[])
{
	return pause_or_resume(argc, argv, false);
}

const struct nook_command pause_command = {
	.name = "pause",
	.usage = "ID",
	.summary = "freeze every process of a container (cgroup freezer)",
	.about =
		"cgroup v2: 1 into the container's cgroup.freeze, until cgroup.events says frozen. "
		"cgroup v1: its processes moved into freezer/nook/ID, FROZEN into freezer.state. A "
		"frozen process is off the CPU and cannot be woken, not even by SIGKILL, until "
		"thawed.",
	.see = "nook-resume(1), cgroups(7)",
	.run = cmd_pause,
};

const struct nook_command resume_command = {
	.name = "resume",
	.usage = "ID",
	.summary = "thaw a paused container",
	.about = "cgroup v2: 0 into cgroup.freeze; cgroup v1: THAWED into freezer.state.",
	.see = "nook-pause(1), cgroups(7)",
	.run = cmd_resume,
};

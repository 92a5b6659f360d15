/**
 * @file cmd_ps.c
 * @brief `nook ps [--format table|json] ID`: the processes of a container — those of its
 *        cgroup, as host PIDs (json: an array of numbers, as runc prints it).
 *
 * A rootless container has no cgroup of its own: its processes are then those of its PID
 * namespace (oci_procs.c), a process `exec` started among them.
 *
 * Without an ID (or with -a first) it is docker's `ps` instead: the image containers,
 * listed by cmd_ctr.c (ctr.h says why the two can share the name).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ctr.h"
#include "oci.h"

/** The command name of @p pid, from /proc/PID/comm. */
static const char *
comm_of(int pid, char *buf, size_t size)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	buf[0] = '\0';
	if ((f = fopen(path, "re"))) {
		if (fgets(buf, (int)size, f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
	return buf;
}

/** Print @p pid, as JSON (@p n printed before it) or a table line. */
static void
print_pid(int pid, bool json, int *n)
{
	char comm[64];

	if (json)
		printf("%s%d", (*n)++ ? "," : "", pid);
	else
		printf("%-7d %s\n", pid, comm_of(pid, comm, sizeof(comm)));
}

/** For oci_each_process(): print @p pid as print_pid() does, with its arguments in @p arg. */
struct print_args {
	bool json;
	int n;
};

static void
print_one(pid_t pid, void *arg)
{
	struct print_args *p = arg;

	print_pid(pid, p->json, &p->n);
}

/** ps's options, parsed and documented. */
static const struct nook_cmd_option ps_options[] = {
	{"format", 'f', "table|json", "a table (the default), or a JSON array of PIDs as runc's"},
	{NULL, 0, NULL, NULL},
};

int
cmd_ps(int argc, char *argv[])
{
	struct print_args p = {false, 0};
	struct nook_error err;
	struct oci_state s;
	int ch;

	if (argc == 1 || strcmp(argv[1], "-a") == 0 || strcmp(argv[1], "--all") == 0)
		return cmd_ctr_list(argc, argv); /* docker's ps: no ID (ctr.h) */
	while ((ch = command_getopt(&ps_command, argc, argv)) != -1)
		p.json = p.json || (ch == 'f' && strcmp(optarg, "json") == 0);
	if (optind != argc - 1)
		return nook_fail(&err, 0, "ps: expected one container ID"), nook_say(&err);
	if (oci_state_read(nook_cli.root, argv[optind], &s, &err) < 0)
		return nook_say(&err);
	printf(p.json ? "[" : "PID     CMD\n");
	if (oci_alive(&s) && oci_each_process(&s, print_one, &p, &err) < 0) {
		oci_state_free(&s);
		return nook_say(&err);
	}
	oci_state_free(&s);
	if (p.json)
		printf("]\n");
	return 0;
}

static const struct nook_cmd_option ps_all_options[] = {
	{"all", 'a', NULL, "the containers that have ended too"},
	{NULL, 0, NULL, NULL},
};

/** docker's ps, with no ID (cmd_ctr.c). */
static const struct nook_command ps_all_form = {
	.name = "ps",
	.usage = "[--all]",
	.summary = "with no ID: the image containers (nook run IMAGE), running ones only unless "
		   "--all, with their image, command, status and name",
	.shorts = "+a",
	.options = ps_all_options,
	.run = cmd_ctr_list,
};

static const struct nook_command *const ps_forms[] = {&ps_all_form, NULL};

const struct nook_command ps_command = {
	.name = "ps",
	.usage = "[--format table|json] ID",
	.summary = "list the processes of a container; with no ID, the image containers (-a: all)",
	.about = "The processes of the container's cgroup, as host PIDs. A rootless container "
		 "has no cgroup of its own: its processes are then those of its PID namespace (or, "
		 "without one, its first and every descendant of it).",
	.shorts = "+f:",
	.options = ps_options,
	.forms = ps_forms,
	.see = "nook-list(1), nook-exec(1)",
	.run = cmd_ps,
};

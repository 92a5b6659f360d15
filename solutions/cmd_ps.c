/**
 * @file cmd_ps.c
 * @brief `nook ps [--format table|json] ID`: the processes of a container — those of its
 *        cgroup, as host PIDs (json: an array of numbers, as runc prints it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

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

int
cmd_ps(int argc, char *argv[])
{
	static const struct option table[] = {{"format", required_argument, NULL, 'f'},
					      {NULL, 0, NULL, 0}};
	char path[200], comm[64];
	struct nook_error err;
	struct oci_state s;
	bool json = false;
	int ch, pid, n = 0;
	FILE *f;

	while ((ch = getopt_long(argc, argv, "+f:", table, NULL)) != -1)
		json = json || (ch == 'f' && strcmp(optarg, "json") == 0);
	if (optind != argc - 1)
		return nook_fail(&err, 0, "ps: expected one container ID"), nook_say(&err);
	if (oci_state_read(nook_cli.root, argv[optind], &s, &err) < 0)
		return nook_say(&err);
	snprintf(path, sizeof(path), "%s/cgroup.procs", s.ncgroups ? s.cgroups[0] : "");
	oci_state_free(&s);
	if (!(f = fopen(path, "re")))
		return nook_fail(&err, errno, "open(\"%s\")", path), nook_say(&err);
	printf(json ? "[" : "PID     CMD\n");
	while (fscanf(f, "%d", &pid) == 1) {
		if (json)
			printf("%s%d", n++ ? "," : "", pid);
		else
			printf("%-7d %s\n", pid, comm_of(pid, comm, sizeof(comm)));
	}
	fclose(f);
	if (json)
		printf("]\n");
	return 0;
}

/**
 * @file 06-cgroups.c
 * @brief Step 06: step 05 plus a cgroup with the container's resource limits.
 *
 * Try: `build/solutions/06-cgroups --memory 32m --pids 16 -- sh -c 'cat /proc/self/cgroup'`
 */
#include "nook.h"

//! [program]
static const struct nook_stage *const stages[] = {
	&user_stage,   /* 05 — user namespace, first: it owns the others */
	&uts_stage,    /* 01 — hostname and System V IPC */
	&pid_stage,    /* 02 — PID namespace, nook-init as PID 1 */
	&mount_stage,  /* 03 — mount table and /proc */
	&net_stage,    /* 04 — network: lo, or a veth cable */
	&cgroup_stage, /* 06 — resource limits, a cgroup namespace */
	NULL,
};
//! [program]

int
main(int argc, char *argv[])
{
	return nook_main("06-cgroups", stages, argc, argv);
}

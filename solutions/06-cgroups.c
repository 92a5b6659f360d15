/**
 * @file 06-cgroups.c
 * @brief Step 06: the earlier steps plus a cgroup with the container's resource limits.
 *
 * Try: `build/solutions/06-cgroups --memory 32m --pids 16 -- sh -c 'cat /proc/self/cgroup'`
 */
#include "nook.h"

//! [program]
static const struct nook_stage *const stages[] = {
	&uts_stage,
	&pid_stage,
	&cgroup_stage,
	NULL,
};
//! [program]

int
main(int argc, char *argv[])
{
	return nook_main("06-cgroups", stages, argc, argv);
}

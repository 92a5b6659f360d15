/**
 * @file 06-cgroups.c
 * @brief Step 06: step 05 plus a cgroup with the container's resource limits.
 *
 * Try: `build/solutions/06-cgroups --memory 32m --pids 16 -- sh -c 'cat /proc/self/cgroup'`
 */
#include "nook.h"

//! [program]
static const struct nook_stage *const stages[] = {
	&user_stage,   /* 05 */
	&uts_stage,    /* 01 */
	&pid_stage,    /* 02 */
	&mount_stage,  /* 03 */
	&net_stage,    /* 04 */
	&cgroup_stage, /* 06 */
	NULL,
};
//! [program]

int
main(int argc, char *argv[])
{
	return nook_main("06-cgroups", stages, argc, argv);
}

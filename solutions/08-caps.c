/**
 * @file 08-caps.c
 * @brief Step 08: the previous step plus fewer capabilities, no new privileges, and --user.
 *
 * Try: `build/solutions/08-caps --cap-drop ALL --user 1000 -- grep Cap /proc/self/status`
 */
#include "nook.h"

//! [program]
static const struct nook_stage *const stages[] = {
	&user_stage,   /* 05 — user namespace, first: it owns the others */
	&uts_stage,    /* 01 — hostname and System V IPC */
	&pid_stage,    /* 02 — PID namespace, nook-init as PID 1 */
	&rootfs_stage, /* 07 — overlay root and pivot_root, before 03 mounts /proc in it */
	&mount_stage,  /* 03 — mount table and /proc */
	&net_stage,    /* 04 — network: lo, or a veth cable */
	&cgroup_stage, /* 06 — resource limits, a cgroup namespace */
	&caps_stage,   /* 08 — fewer capabilities, no new privileges, --user: last */
	NULL,
};
//! [program]

int
main(int argc, char *argv[])
{
	return nook_main("08-caps", stages, argc, argv);
}

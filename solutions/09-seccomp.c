/**
 * @file 09-seccomp.c
 * @brief Step 09: the steps before plus a seccomp filter, loaded last, that fails the
 *        system calls a container has no business making.
 *
 * Try: `build/solutions/09-seccomp -- unshare -U true` (refused: Operation not permitted)
 */
#include "nook.h"

//! [program]
static const struct nook_stage *const stages[] = {
	&user_stage,	/* 05 — user namespace, first: it owns the others */
	&uts_stage,	/* 01 — hostname and System V IPC */
	&pid_stage,	/* 02 — PID namespace, nook-init as PID 1 */
	&rootfs_stage,	/* 07 — overlay root and pivot_root, before 03 mounts /proc in it */
	&mount_stage,	/* 03 — mount table and /proc */
	&net_stage,	/* 04 — network: lo, or a veth cable */
	&cgroup_stage,	/* 06 — resource limits, a cgroup namespace */
	&caps_stage,	/* 08 — fewer capabilities, no new privileges, --user */
	&seccomp_stage, /* 09 — system call filter, last: it binds what runs after it */
	NULL,
};
//! [program]

int
main(int argc, char *argv[])
{
	return nook_main("09-seccomp", stages, argc, argv);
}

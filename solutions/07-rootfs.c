/**
 * @file 07-rootfs.c
 * @brief Step 07: step 06 plus a root filesystem of its own, image layers under a writable
 *        layer, with /dev, /sys and /proc hardened.
 *
 * Try: `build/solutions/07-rootfs --rootfs build/images/busybox -- cat /etc/hostname`
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
	NULL,
};
//! [program]

int
main(int argc, char *argv[])
{
	return nook_main("07-rootfs", stages, argc, argv);
}

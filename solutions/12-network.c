/**
 * @file 12-network.c
 * @brief Step 12: step 09's container on a network: a bridge with NAT, an address from
 *        the network's allocations, published ports, and no way to other networks.
 *
 * Try: `build/solutions/12-network --network nook --rootfs build/images/busybox -- ip -o addr`
 */
#include "nook.h"

//! [program]
static const struct nook_stage *const stages[] = {
	&user_stage,	/* 05 — user namespace, first: it owns the others */
	&uts_stage,	/* 01 — hostname and System V IPC */
	&pid_stage,	/* 02 — PID namespace, nook-init as PID 1 */
	&rootfs_stage,	/* 07 — overlay root and pivot_root, before 03 mounts /proc in it */
	&mount_stage,	/* 03 — mount table and /proc */
	&bridge_stage,	/* 12 — a network: an address, its bridge and rules, before 04 */
	&net_stage,	/* 04 — network: lo, or a veth cable (into the bridge) */
	&cgroup_stage,	/* 06 — resource limits, a cgroup namespace */
	&caps_stage,	/* 08 — fewer capabilities, no new privileges, --user */
	&seccomp_stage, /* 09 — system call filter, last: it binds what runs after it */
	NULL,
};
//! [program]

int
main(int argc, char *argv[])
{
	return nook_main("12-network", stages, argc, argv);
}

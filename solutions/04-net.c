/**
 * @file 04-net.c
 * @brief Step 04: step 03 plus a network namespace — lo only, or a veth cable to the host.
 *
 * Try: `build/solutions/04-net -- ip -o link`
 */
#include "nook.h"

//! [program]
static const struct nook_stage *const stages[] = {
	&uts_stage,   /* 01 — hostname and System V IPC */
	&pid_stage,   /* 02 — PID namespace, nook-init as PID 1 */
	&mount_stage, /* 03 — mount table and /proc */
	&net_stage,   /* 04 — network: lo, or a veth cable */
	NULL,
};
//! [program]

int
main(int argc, char *argv[])
{
	return nook_main("04-net", stages, argc, argv);
}

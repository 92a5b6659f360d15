/**
 * @file 03-mount.c
 * @brief Step 03: step 02 plus a mount namespace, with a /proc of its own.
 *
 * Try: `build/solutions/03-mount -- ps -e -o pid,comm`
 */
#include "nook.h"

//! [program]
static const struct nook_stage *const stages[] = {
	&uts_stage,   /* 01 — hostname and System V IPC */
	&pid_stage,   /* 02 — PID namespace, nook-init as PID 1 */
	&mount_stage, /* 03 — mount table and /proc */
	NULL,
};
//! [program]

int
main(int argc, char *argv[])
{
	return nook_main("03-mount", stages, argc, argv);
}

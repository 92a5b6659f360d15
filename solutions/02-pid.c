/**
 * @file 02-pid.c
 * @brief Step 02: step 01 plus a PID namespace, with nook's init as PID 1.
 *
 * Try: `build/solutions/02-pid -- sh -c 'echo $$; ps -o pid,comm'`
 */
#include "nook.h"

//! [program]
static const struct nook_stage *const stages[] = {
	&uts_stage, /* 01 — hostname and System V IPC */
	&pid_stage, /* 02 — PID namespace, nook-init as PID 1 */
	NULL,
};
//! [program]

int
main(int argc, char *argv[])
{
	return nook_main("02-pid", stages, argc, argv);
}

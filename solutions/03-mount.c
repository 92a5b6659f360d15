/**
 * @file 03-mount.c
 * @brief Step 03: step 02 plus a mount namespace, with a /proc of its own.
 *
 * Try: `build/solutions/03-mount -- ps -e -o pid,comm`
 */
#include "nook.h"

//! [program]
static const struct nook_stage *const stages[] = {
	&uts_stage,
	&pid_stage,
	&mount_stage,
	NULL,
};
//! [program]

int
main(int argc, char *argv[])
{
	return nook_main("03-mount", stages, argc, argv);
}

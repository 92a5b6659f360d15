/**
 * @file 04-net.c
 * @brief Step 04: step 03 plus a network namespace — lo only, or a veth cable to the host.
 *
 * Try: `build/solutions/04-net -- ip -o link`
 */
#include "nook.h"

//! [program]
static const struct nook_stage *const stages[] = {
	&uts_stage, &pid_stage, &mount_stage, &net_stage, NULL,
};
//! [program]

int
main(int argc, char *argv[])
{
	return nook_main("04-net", stages, argc, argv);
}

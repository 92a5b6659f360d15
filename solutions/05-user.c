/**
 * @file 05-user.c
 * @brief Step 05: a user namespace, created first and owning the others — root inside,
 *        an ordinary user outside, and runnable by an ordinary user.
 *
 * Try: `build/solutions/05-user --userns -- id`
 */
#include "nook.h"

//! [program]
static const struct nook_stage *const stages[] = {
	&user_stage, &uts_stage, &pid_stage, &mount_stage, &net_stage, NULL,
};
//! [program]

int
main(int argc, char *argv[])
{
	return nook_main("05-user", stages, argc, argv);
}

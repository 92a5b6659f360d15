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
	&user_stage,  /* 05 — user namespace, first: it owns the others */
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
	return nook_main("05-user", stages, argc, argv);
}

/**
 * @file 01-uts.c
 * @brief Step 01: a process with a hostname and System V IPC of its own.
 *
 * Try: `build/solutions/01-uts --hostname box -- hostname`
 */
#include "nook.h"

//! [program]
static const struct nook_stage *const stages[] = {
	&uts_stage, /* 01 — hostname and System V IPC */
	NULL,
};
//! [program]

int
main(int argc, char *argv[])
{
	return nook_main("01-uts", stages, argc, argv);
}

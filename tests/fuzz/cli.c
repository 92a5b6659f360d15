/**
 * @file cli.c
 * @brief Fuzz target: the option parser of the full step program (12-network's stages).
 *
 * The input is an argument list, words separated by NUL bytes, after the program's name.
 * nook_parse_args() must never crash or leak, and every refusal must be one line with no
 * raw control bytes (fuzz.h). The setters do run: --seccomp reads and builds a profile
 * when a word names one (the corpus names the checked-in profiles), --rootfs and --volume
 * look at paths. None of them changes anything on the machine.
 */
#include <stdint.h>

#include "fuzz.h"

/** The stages of solutions/12-network.c, in its order. */
static const struct nook_stage *const stages[] = {
	&user_stage, &uts_stage,    &pid_stage,	 &rootfs_stage,	 &mount_stage, &bridge_stage,
	&net_stage,  &cgroup_stage, &caps_stage, &seccomp_stage, NULL,
};

/** Most words an input is split into; the rest of it is left out. */
#define MAX_WORDS 64

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *argv[MAX_WORDS + 2];
	struct nook_container c = {0};
	struct nook_error err;
	int argc = 0;
	bool help;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	argv[argc++] = "09-seccomp";
	for (char *w = text; w <= text + size && argc <= MAX_WORDS; w += strlen(w) + 1)
		argv[argc++] = w;
	argv[argc] = NULL;
	if (nook_parse_args(&c, stages, argc, argv, &help, &err) < 0)
		fuzz_check_error(&err);
	/* what nook_run() would do at the end: the filter --seccomp FILE built */
	for (size_t i = 0; stages[i]; i++)
		if (stages[i] == &seccomp_stage)
			stages[i]->cleanup(&c);
	free(text);
	return 0;
}

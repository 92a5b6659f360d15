/**
 * @file seccomp.c
 * @brief Fuzz target: the seccomp profile reader and the filter builder.
 *
 * The input is a profile file's contents. seccomp_profile_parse() reads it as
 * seccomp_profile_read() reads a file; what it accepts seccomp_profile_build() must turn
 * into a filter (libseccomp refusing a profile nook accepted is a bare "Invalid argument"
 * for the user: a finding), and the filter is exported as BPF to exercise it whole.
 * Never a crash or a leak; every refusal one line with no raw control bytes (fuzz.h).
 */
#include <fcntl.h>
#include <seccomp.h>
#include <stdint.h>
#include <unistd.h>

#include "fuzz.h"

/** /dev/null, where the exported BPF goes. */
static int devnull = -1;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nook_seccomp_profile p;
	struct nook_error err;
	void *filter;

	if (devnull < 0)
		devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (seccomp_profile_parse("fuzz.json", (const char *)data, size, &p, &err) < 0) {
		fuzz_check_error(&err);
		return 0;
	}
	if (seccomp_profile_build(&p, &filter, &err) < 0) {
		fprintf(stderr, "fuzz: a profile nook read does not build: %s\n", err.msg);
		abort();
	}
	seccomp_export_bpf(filter, devnull);
	seccomp_release(filter);
	seccomp_profile_free(&p);
	return 0;
}

/**
 * @file fuzz.h
 * @brief What every fuzz target checks of an error: one line, no raw control bytes.
 *
 * nook's errors end up on a terminal, one line each (nook.h). An echoed value that brings
 * a newline breaks the line; an escape sequence reaches the terminal. A message that does
 * either is a finding: the target aborts, and libFuzzer saves the input.
 *
 * Built with -DFUZZ_RAW_ECHO_OK (`make fuzz FUZZ_EXTRA=-DFUZZ_RAW_ECHO_OK`), control
 * bytes are let through: to look past that one kind of finding for the others, while the
 * echoes are not yet quoted.
 */
#ifndef NOOK_FUZZ_H
#define NOOK_FUZZ_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nook.h"

/** Abort, naming what is wrong with @p err's message, unless it is one clean line. */
static inline void
fuzz_check_error(const struct nook_error *err)
{
	size_t n = strnlen(err->msg, sizeof(err->msg));

	if (n == sizeof(err->msg) || n == 0) {
		fprintf(stderr, "fuzz: error message %s\n", n ? "not terminated" : "empty");
		abort();
	}
#ifndef FUZZ_RAW_ECHO_OK
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)err->msg[i];

		if (c < 0x20 || c == 0x7f) {
			fprintf(stderr, "fuzz: byte %#x at %zu of the error message: %.*s\n", c, i,
				(int)i, err->msg);
			abort();
		}
	}
#endif
	if (err->code < 125 || err->code > 127) {
		fprintf(stderr, "fuzz: exit code %d for \"%s\"\n", err->code, err->msg);
		abort();
	}
}

#endif

/**
 * @file error.c
 * @brief nook's error convention, written down once.
 *
 * Every function that can fail returns 0 or -1. On -1 it has filled a struct nook_error
 * with a single line — the failing call, the argument it was given and strerror(3) — and
 * the exit code to end with. Nothing below main() prints or exits, so the same code serves
 * the step programs, the tests and the runtime.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "nook.h"

static int
vfail(struct nook_error *err, int code, int errnum, const char *fmt, va_list ap)
{
	size_t n;

	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	n = strlen(err->msg);
	if (errnum != 0 && n < sizeof(err->msg))
		snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(errnum));
	err->code = code;
	return -1;
}

/** Record a failure of nook itself (exit code 125); @p errnum 0 adds no strerror. */
int
nook_fail(struct nook_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(err, NOOK_EXIT_FAILURE, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

/** Record a failure that should end nook with exit code @p code (126, 127, ...). */
int
nook_fail_code(struct nook_error *err, int code, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(err, code, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

/**
 * What an exercise left blank in steps/ returns: a loud failure naming the exercise, so a
 * participant who runs an unsolved step sees exactly which piece is missing.
 */
int
nook_exercise_todo(struct nook_error *err, const char *step, const char *hint)
{
	return nook_fail(err, 0, "exercise %s not done: %s", step, hint);
}

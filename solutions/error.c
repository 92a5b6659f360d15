/**
 * @file error.c
 * @brief nook's error convention, written down once.
 *
 * Every function that can fail returns 0 or -1. On -1 it has filled a struct nook_error
 * with a single line — the failing call, the argument it was given and strerror(3) — and
 * the exit code to end with. Nothing below main() prints or exits, so the same code serves
 * the step programs, the tests and the runtime.
 *
 * Errors echo what they were given — an option's argument, a path, a profile's field — and
 * that text comes from whoever ran nook. So the message is quoted here, in the one place
 * every error goes through: a newline, an escape sequence or any byte that is not printable
 * ASCII is written C-style (a newline as backslash-n, ESC as backslash-x1b), so that an
 * error stays one line and cannot drive the terminal it is printed on. A message too long
 * for struct nook_error ends in "...".
 *
 * An errno with known causes (pivot_root's EINVAL, clone3's EPERM ...) is explained too:
 * diagnose.c probes the host and fills err->why with the likely causes, a few lines that
 * nook_print_error() prints after the error's line. The line and the exit code stay the
 * same, so whoever matches the line is not disturbed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "nook.h"

/** Byte @p ch as it is printed: itself, or its C-style escape; @p buf has room for 5. */
static const char *
escape(unsigned char ch, char *buf)
{
	static const char named[] = "abtnvfr"; /* \a (7) to \r (13) */

	if (ch == '\\')
		snprintf(buf, 5, "\\\\");
	else if (ch >= '\a' && ch <= '\r')
		snprintf(buf, 5, "\\%c", named[ch - '\a']);
	else if (ch < 0x20 || ch > 0x7e)
		snprintf(buf, 5, "\\x%02x", ch);
	else
		snprintf(buf, 5, "%c", ch);
	return buf;
}

/**
 * Copy @p src into @p dst (of @p size bytes, at least 4) quoted C-style: a control
 * character, a backslash or a byte above 0x7e becomes its escape. When it does not fit it
 * is cut, and ends in "...". Returns the length written.
 */
size_t
nook_quote(char *dst, size_t size, const char *src)
{
	size_t n = 0, len;
	char buf[5];

	for (; *src; src++) {
		len = strlen(escape((unsigned char)*src, buf));
		if (n + len + 4 > size) {
			memcpy(dst + n, "...", 4);
			return n + 3;
		}
		memcpy(dst + n, buf, len);
		n += len;
	}
	dst[n] = '\0';
	return n;
}

static int
vfail(struct nook_error *err, int code, int errnum, const char *fmt, va_list ap)
{
	char raw[4 * NOOK_ERROR_MAX];
	size_t n;

	vsnprintf(raw, sizeof(raw), fmt, ap);
	n = nook_quote(err->msg, sizeof(err->msg) - 64, raw);
	if (errnum != 0)
		snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(errnum));
	err->code = code;
	err->errnum = errnum;
	nook_diagnose(err); /* the likely causes, while the failure is still there to probe */
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

/**
 * Print @p err for a person: "PROG: MSG" on one line, then its diagnosis, lines of
 * "  - CAUSE", when there is one. The only way main() prints a failure.
 */
void
nook_print_error(FILE *out, const char *prog, const struct nook_error *err)
{
	fprintf(out, "%s: %.*s\n%.*s", prog, (int)sizeof(err->msg), err->msg, (int)sizeof(err->why),
		err->why);
}

/**
 * @file exercise.c
 * @brief Blanking EXERCISE regions, one line at a time (see exercise.h for the format).
 *
 * The text is read line by line by a small state machine: outside any region, inside a
 * region that is kept, or inside a region that is blanked. Every line is copied to the
 * output except the code lines of a blanked region; the two replacement lines are written
 * right after its opening marker. Markers are recognised leniently (any blanks around the
 * words) but parsed strictly: a line whose comment starts with the word EXERCISE or with
 * END EXERCISE is a marker, and a malformed one is an error rather than ordinary code, so
 * a typo cannot silently leave a solution in steps/.
 *
 * The whole text is checked even where nothing is blanked (with --only), so a broken
 * marker is caught whichever step is generated. The output goes to an open_memstream(3),
 * which grows as needed; it is handed to the caller only when the whole text was valid.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exercise.h"

/** What a line is to the parser. */
enum line_kind {
	LINE_CODE,  /**< anything but a marker */
	LINE_BEGIN, /**< the opening marker of a region */
	LINE_END,   /**< the closing marker */
};

/** An opening marker, parsed; the pointers point into the source text. */
struct marker {
	char number[3];	    /**< the two digits, NUL-terminated */
	const char *hint;   /**< the hint, blanks around it removed; not NUL-terminated */
	size_t hint_len;    /**< its length */
	const char *indent; /**< the blanks before the marker */
	size_t indent_len;  /**< their length */
};

/** The state of one exercise_blank() call. */
struct blanker {
	const char *only;    /**< the exercise to blank, NULL for all */
	FILE *out;	     /**< where the new text goes */
	char *err;	     /**< the caller's error buffer */
	size_t errsize;	     /**< and its size */
	unsigned lineno;     /**< the line being read, from 1 */
	unsigned open;	     /**< the line of the open region's marker, 0 outside any */
	char open_number[3]; /**< the number of the open region */
	bool blanking;	     /**< inside a region whose code is dropped */
	int count;	     /**< regions blanked so far */
	const char *body;    /**< what replaces the code (exercise_replace), NULL: the TODO */
	int which;	     /**< exercise_replace_nth: only the which-th region of `only` */
	int *seen;	     /**< and how many of them came before, over all files */
};

static int fail(struct blanker *b, unsigned lineno, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** Write "LINE: message" to the error buffer; returns -1. */
static int
fail(struct blanker *b, unsigned lineno, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(b->err, b->errsize, "%u: ", lineno);
	if (n >= 0 && (size_t)n < b->errsize) {
		va_start(ap, fmt);
		vsnprintf(b->err + n, b->errsize - n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

bool
exercise_is_number(const char *s)
{
	return s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' && s[2] == '\0';
}

/** Step over spaces and tabs in [s, end). */
static const char *
skip_blanks(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

/**
 * If [*s, end) starts with the word(s) @p word, not followed by more of a word, step over
 * it and return true.
 */
static bool
eat_word(const char **s, const char *end, const char *word)
{
	size_t n = strlen(word);
	const char *next = *s + n;

	if ((size_t)(end - *s) < n || memcmp(*s, word, n) != 0)
		return false;
	if (next < end && (isalnum((unsigned char)*next) || *next == '_'))
		return false;
	*s = next;
	return true;
}

/** The closing marker: after END EXERCISE, only the end of the comment. */
static int
parse_end(struct blanker *b, const char *s, const char *end)
{
	s = skip_blanks(s, end);
	if (end - s < 2 || memcmp(s, "*/", 2) != 0 || skip_blanks(s + 2, end) != end)
		return fail(b, b->lineno, "END EXERCISE: expected '*/' and nothing else after it");
	return LINE_END;
}

/** The two-digit number of an opening marker, then its colon; returns the rest. */
static const char *
parse_number(struct blanker *b, const char *s, const char *end, struct marker *m)
{
	const char *digits = skip_blanks(s, end);

	for (s = digits; s < end && *s != ':' && *s != ' ' && *s != '\t' && *s != '*'; s++)
		;
	if (s - digits != 2 || !isdigit((unsigned char)digits[0]) ||
	    !isdigit((unsigned char)digits[1])) {
		fail(b, b->lineno, "EXERCISE number must be two digits, not \"%.*s\"",
		     (int)(s - digits), digits);
		return NULL;
	}
	memcpy(m->number, digits, 2);
	m->number[2] = '\0';
	s = skip_blanks(s, end);
	if (s == end || *s != ':') {
		fail(b, b->lineno, "EXERCISE %s: expected ':' and a hint after the number",
		     m->number);
		return NULL;
	}
	return s + 1;
}

/** The hint of an opening marker: up to the "*" "/" that must end the line. */
static int
parse_hint(struct blanker *b, const char *s, const char *end, struct marker *m)
{
	const char *close = memmem(s, end - s, "*/", 2);

	if (!close)
		return fail(b, b->lineno, "EXERCISE %s: no '*/': a marker is one line", m->number);
	if (skip_blanks(close + 2, end) != end)
		return fail(b, b->lineno, "EXERCISE %s: text after the marker's '*/'", m->number);
	s = skip_blanks(s, close);
	while (close > s && (close[-1] == ' ' || close[-1] == '\t'))
		close--;
	if (close == s)
		return fail(b, b->lineno, "EXERCISE %s: empty hint", m->number);
	m->hint = s;
	m->hint_len = close - s;
	return LINE_BEGIN;
}

/**
 * What kind of line [s, end) is; for an opening marker, fill @p m. A marker holds nothing
 * but a comment whose first word is EXERCISE or END EXERCISE. Returns -1 if malformed.
 */
static int
parse_line(struct blanker *b, const char *s, const char *end, struct marker *m)
{
	const char *p = skip_blanks(s, end);

	m->indent = s;
	m->indent_len = p - s;
	if (end - p < 2 || memcmp(p, "/*", 2) != 0)
		return LINE_CODE;
	p = skip_blanks(p + 2, end);
	if (eat_word(&p, end, "END EXERCISE"))
		return parse_end(b, p, end);
	if (!eat_word(&p, end, "EXERCISE"))
		return LINE_CODE;
	p = parse_number(b, p, end, m);
	if (!p)
		return -1;
	return parse_hint(b, p, end, m);
}

/** Copy one line as it is, with its newline if it had one. */
static void
copy_line(struct blanker *b, const char *s, const char *end, bool newline)
{
	fwrite(s, 1, end - s, b->out);
	if (newline)
		putc('\n', b->out);
}

/** The two lines that replace a blanked region's code, the hint as a C string literal. */
static void
write_todo(FILE *out, const struct marker *m)
{
	int indent = (int)m->indent_len;

	fprintf(out, "%.*s/* Your code here; then delete the line below. */\n", indent, m->indent);
	fprintf(out, "%.*sreturn nook_exercise_todo(err, \"%s\", \"", indent, m->indent, m->number);
	for (size_t i = 0; i < m->hint_len; i++) {
		if (m->hint[i] == '\\' || m->hint[i] == '"')
			putc('\\', out);
		putc(m->hint[i], out);
	}
	fputs("\");\n", out);
}

/** A replacement body as it is, ending in a newline so that the END marker keeps its line. */
static void
write_body(FILE *out, const char *body)
{
	size_t len = strlen(body);

	fputs(body, out);
	if (len > 0 && body[len - 1] != '\n')
		putc('\n', out);
}

/** An opening marker: open the region, and blank it if it is the one (or all) asked for. */
static int
begin_region(struct blanker *b, const char *s, const char *end, const struct marker *m)
{
	if (b->open)
		return fail(b, b->lineno,
			    "EXERCISE %s inside EXERCISE %s of line %u: regions do not nest",
			    m->number, b->open_number, b->open);
	b->open = b->lineno;
	memcpy(b->open_number, m->number, sizeof(b->open_number));
	copy_line(b, s, end, true); /* never the last line: an END must follow */
	b->blanking = !b->only || strcmp(b->only, m->number) == 0;
	if (b->blanking && b->which > 0)
		b->blanking = ++*b->seen == b->which;
	if (b->blanking) {
		if (b->body)
			write_body(b->out, b->body);
		else
			write_todo(b->out, m);
		b->count++;
	}
	return 0;
}

/** One line of the source, [s, end), followed by a newline or not (the last line). */
static int
blank_line(struct blanker *b, const char *s, const char *end, bool newline)
{
	struct marker m;

	switch (parse_line(b, s, end, &m)) {
	case LINE_BEGIN:
		return begin_region(b, s, end, &m);
	case LINE_END:
		if (!b->open)
			return fail(b, b->lineno, "END EXERCISE without EXERCISE");
		b->open = 0;
		b->blanking = false;
		copy_line(b, s, end, newline);
		return 0;
	case LINE_CODE:
		if (!b->blanking)
			copy_line(b, s, end, newline);
		return 0;
	default:
		return -1;
	}
}

/** Every line of @p src, then check that no region is left open. */
static int
blank_lines(struct blanker *b, const char *src)
{
	const char *s = src, *nl;

	while (*s) {
		b->lineno++;
		nl = strchrnul(s, '\n');
		if (blank_line(b, s, nl, *nl == '\n') < 0)
			return -1;
		s = *nl ? nl + 1 : nl;
	}
	if (b->open)
		return fail(b, b->open, "EXERCISE %s has no END EXERCISE", b->open_number);
	return 0;
}

/** Run @p b over @p src; on success hand the new text to *@p out and return the count. */
static int
transform(struct blanker *b, const char *src, char **out)
{
	char *text = NULL;
	size_t size;
	int rc;

	b->out = open_memstream(&text, &size);
	if (!b->out)
		return fail(b, 0, "out of memory");
	rc = blank_lines(b, src);
	if ((ferror(b->out) | fclose(b->out)) != 0 && rc == 0)
		rc = fail(b, b->lineno, "out of memory");
	if (rc < 0) {
		free(text);
		return -1;
	}
	*out = text;
	return b->count;
}

int
exercise_blank(const char *src, const char *only, char **out, char *err, size_t errsize)
{
	struct blanker b = {.only = only, .err = err, .errsize = errsize};

	*out = NULL;
	if (only && !exercise_is_number(only))
		return fail(&b, 0, "\"%s\" is not a two-digit exercise number", only);
	return transform(&b, src, out);
}

/*
 * Mutants: a known-wrong answer to one exercise, its code put in place of the solution's, to
 * prove that the step's tests catch it (`make check-exercises`).
 */

int
exercise_replace(const char *src, const char *number, const char *body, char **out, char *err,
		 size_t errsize)
{
	return exercise_replace_nth(src, number, 0, NULL, body, out, err, errsize);
}

int
exercise_replace_nth(const char *src, const char *number, int which, int *seen, const char *body,
		     char **out, char *err, size_t errsize)
{
	struct blanker b = {.only = number,
			    .err = err,
			    .errsize = errsize,
			    .body = body,
			    .which = which,
			    .seen = seen};

	*out = NULL;
	if (!number || !exercise_is_number(number))
		return fail(&b, 0, "\"%s\" is not a two-digit exercise number",
			    number ? number : "(none)");
	return transform(&b, src, out);
}

/** The end of the line that starts at @p s: its newline, or the NUL. */
static const char *
line_end(const char *s)
{
	return strchrnul(s, '\n');
}

/** Whether [s, end) holds more than blanks, newlines and the stars of a comment. */
static bool
has_text(const char *s, const char *end)
{
	for (; s < end; s++)
		if (!isspace((unsigned char)*s) && *s != '*')
			return true;
	return false;
}

/**
 * The header of a mutant, from @p s just after its opening "/" "*": MUTANT, the number,
 * a colon, the reason up to the comment's end, then nothing on that line. Returns where the
 * body starts, or NULL.
 */
static const char *
parse_header(struct blanker *b, const char *s, char number[3], int *which)
{
	const char *end = line_end(s), *close;

	s = skip_blanks(s, end);
	if (!eat_word(&s, end, "MUTANT"))
		goto malformed;
	s = skip_blanks(s, end);
	if (end - s < 3 || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
		goto malformed;
	memcpy(number, s, 2);
	number[2] = '\0';
	s += 2;
	*which = 0;
	if (s[0] == '.' && s[1] >= '1' && s[1] <= '9') { /* NN.K: the K-th region of NN */
		*which = s[1] - '0';
		s += 2;
	}
	if (s >= end || *s != ':')
		goto malformed;
	s -= 2; /* s + 3 is just past the colon, as for "NN:" */
	if (*which)
		s += 2;
	close = strstr(s, "*/");
	if (!close || !has_text(s + 3, close)) {
		fail(b, 1, "MUTANT %s: say why it is wrong, then end the comment", number);
		return NULL;
	}
	end = line_end(close + 2);
	if (skip_blanks(close + 2, end) != end) {
		fail(b, 1, "MUTANT %s: text after the comment's '*/'", number);
		return NULL;
	}
	return *end ? end + 1 : end;
malformed:
	fail(b, 1,
	     "a mutant starts with the comment /* MUTANT NN: why it is wrong */ "
	     "(or NN.K for the K-th region of exercise NN)");
	return NULL;
}

/** The body, from line @p lineno: some code, and no marker lines (it goes between them). */
static int
check_body(struct blanker *b, const char *body, unsigned lineno)
{
	struct marker m;
	bool code = false;
	int kind;

	b->lineno = lineno;
	for (const char *s = body, *nl; *s; s = *nl ? nl + 1 : nl, b->lineno++) {
		nl = line_end(s);
		code |= skip_blanks(s, nl) != nl;
		kind = parse_line(b, s, nl, &m);
		if (kind < 0)
			return -1;
		if (kind != LINE_CODE)
			return fail(b, b->lineno, "an EXERCISE marker in a mutant's body");
	}
	if (!code)
		return fail(b, lineno, "the mutant has no code after its comment");
	return 0;
}

int
exercise_parse_mutant(const char *text, char number[3], const char **body, char *err,
		      size_t errsize)
{
	int which;

	if (exercise_parse_mutant_nth(text, number, &which, body, err, errsize) < 0)
		return -1;
	return 0;
}

int
exercise_parse_mutant_nth(const char *text, char number[3], int *which, const char **body,
			  char *err, size_t errsize)
{
	struct blanker b = {.err = err, .errsize = errsize};
	const char *s;
	unsigned lineno = 1;

	*body = NULL;
	if (strncmp(text, "/*", 2) != 0)
		return fail(&b, 1,
			    "a mutant starts with the comment /* MUTANT NN: why it is wrong */");
	s = parse_header(&b, text + 2, number, which);
	if (!s)
		return -1;
	for (const char *p = text; p < s; p++)
		lineno += *p == '\n';
	if (check_body(&b, s, lineno) < 0)
		return -1;
	*body = s;
	return 0;
}

/*
 * Work in a participant's copy: used by `make check-steps` and `make steps`, kept apart
 * from the blanking above. A region's body is compared with the body exercise_blank()
 * gives it, so the hint of the copy's own marker decides what "blank" means.
 */

/** The body of one region: the lines between its markers, and the region's number. */
struct region {
	const char *body; /**< the first line after the opening marker */
	size_t len;	  /**< up to the closing marker's line */
	char number[3];	  /**< the two digits */
};

/**
 * Find the regions of @p text, which exercise_blank() has already found well formed; fill
 * up to @p max of them. Returns how many there are.
 */
static int
find_regions(const char *text, struct region *r, int max)
{
	char err[EXERCISE_ERR_SIZE];
	struct blanker b = {.err = err, .errsize = sizeof(err)};
	const char *s = text, *nl;
	struct marker m;
	int n = 0;

	for (; *s; s = *nl ? nl + 1 : nl) {
		nl = strchrnul(s, '\n');
		switch (parse_line(&b, s, nl, &m)) {
		case LINE_BEGIN:
			if (n < max) {
				r[n].body = *nl ? nl + 1 : nl;
				memcpy(r[n].number, m.number, sizeof(r[n].number));
			}
			break;
		case LINE_END:
			if (n < max)
				r[n].len = s - r[n].body;
			n++;
			break;
		default:
			break;
		}
	}
	return n;
}

/** The numbers of the regions whose bodies differ between @p text and @p blank. */
static int
compare_regions(const char *text, const char *blank, char (*worked)[3], int max)
{
	struct region a[64], b[64];
	int n = find_regions(text, a, 64), count = 0;

	if (find_regions(blank, b, 64) != n || n > 64)
		return -1; /* cannot happen: blanking keeps every marker */
	for (int i = 0; i < n; i++) {
		if (a[i].len == b[i].len && memcmp(a[i].body, b[i].body, a[i].len) == 0)
			continue;
		if (count < max)
			memcpy(worked[count], a[i].number, 3);
		count++;
	}
	return count;
}

int
exercise_worked(const char *text, char (*worked)[3], int max, char *err, size_t errsize)
{
	char *blank;
	int n;

	if (exercise_blank(text, NULL, &blank, err, errsize) < 0)
		return -1;
	n = compare_regions(text, blank, worked, max);
	free(blank);
	if (n < 0)
		snprintf(err, errsize, "0: more than 64 exercise regions");
	return n;
}

int
exercise_sync(const char *generated, const char *edited, struct exercise_sync *sync, char *err,
	      size_t errsize)
{
	char *blank;

	memset(sync, 0, sizeof(*sync));
	if (exercise_blank(edited, NULL, &blank, err, errsize) < 0)
		return -1;
	sync->stale = strcmp(blank, generated) != 0;
	free(blank);
	sync->nworked = exercise_worked(edited, sync->worked, EXERCISE_MAX_WORKED, err, errsize);
	if (sync->nworked > EXERCISE_MAX_WORKED)
		sync->nworked = EXERCISE_MAX_WORKED;
	return sync->nworked < 0 ? -1 : 0;
}

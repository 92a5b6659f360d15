/**
 * @file lesson.c
 * @brief Reading a lesson's Markdown, matching transcripts, extracting and comparing snippets.
 *
 * The format is described in lesson.h. The parser goes through the Markdown line by line,
 * the way CommonMark reads fenced code blocks: a fence is three or more backticks or tildes,
 * indented by at most three spaces, and the block ends at a fence of the same character at
 * least as long (a block left open is an error here, not "until the end of the file"). What
 * is inside a fence is never taken for a heading or a snippet comment.
 *
 * The matcher is glob(7) matching done twice. Within a line, `[...]` is a `*`: the literal
 * pieces between wildcards are found leftmost-first, which is all a `*` needs. Over lines, a
 * `[...]` line is a `*` whose "characters" are whole lines: the classic one-pass algorithm
 * that, on a mismatch, goes back to the last wildcard and lets it swallow one more line. No
 * input makes it exponential, and nothing is allocated.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lesson.h"

#define ANY_LEN (sizeof(LESSON_ANY) - 1)

/** A list of strings it owns. */
struct strlist {
	char **v;
	size_t n;
};

/** A fenced code block's opening line: what it takes to find its end, and its info string. */
struct fence {
	char ch;	  /* '`' or '~' */
	size_t len;	  /* how many of them, at least 3 */
	size_t indent;	  /* spaces before it, taken off the content's lines as well */
	const char *info; /* the info string ("console", "c"), trimmed, not NUL-terminated */
	size_t infolen;
};

/** Where the parser is in the Markdown. */
struct parser {
	const char *p; /* the next line */
	int lineno;    /* the number of the line last read */
	struct lesson *l;
	struct lesson_error *err;
};

static int fail(struct lesson_error *err, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
fail(struct lesson_error *err, int line, const char *fmt, ...)
{
	va_list ap;

	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/**
 * The line at *@p p: sets @p line and @p len (without the '\n') and moves *@p p past it.
 * Returns false at the end of the text; a last line without '\n' is a line all the same.
 */
static bool
next_line(const char **p, const char **line, size_t *len)
{
	const char *nl;

	if (**p == '\0')
		return false;
	*line = *p;
	nl = strchr(*p, '\n');
	*len = nl ? (size_t)(nl - *p) : strlen(*p);
	*p += *len + (nl != NULL);
	return true;
}

/** The length of @p s without its trailing whitespace. */
static size_t
trim_end(const char *s, size_t len)
{
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	return len;
}

/** Append @p s to the array *@p v of *@p n strings; the array owns it on success only. */
static int
push_string(char ***v, size_t *n, char *s)
{
	char **nv = reallocarray(*v, *n + 1, sizeof(**v));

	if (!nv)
		return -1;
	nv[(*n)++] = s;
	*v = nv;
	return 0;
}

static int
strlist_push(struct strlist *sl, const char *s, size_t len)
{
	char *copy = strndup(s, len);

	if (!copy || push_string(&sl->v, &sl->n, copy) < 0) {
		free(copy);
		return -1;
	}
	return 0;
}

static void
strlist_free(struct strlist *sl)
{
	for (size_t i = 0; i < sl->n; i++)
		free(sl->v[i]);
	free(sl->v);
}

/* ---- Markdown -------------------------------------------------------------------------- */

/** Is @p line the opening fence of a code block? Fills @p f if so. */
static bool
fence_open(const char *line, size_t len, struct fence *f)
{
	size_t i = 0, n = 0;

	while (i < len && i < 3 && line[i] == ' ')
		i++;
	if (i == len || (line[i] != '`' && line[i] != '~'))
		return false;
	while (i + n < len && line[i + n] == line[i])
		n++;
	if (n < 3)
		return false;
	*f = (struct fence){line[i], n, i, line + i + n, len - i - n};
	while (f->infolen > 0 && isspace((unsigned char)*f->info)) {
		f->info++;
		f->infolen--;
	}
	f->infolen = trim_end(f->info, f->infolen);
	/* "``` `x`" would be inline code in CommonMark, not a fence */
	return f->ch == '~' || !memchr(f->info, '`', f->infolen);
}

/** Does @p line close the block that @p f opened? */
static bool
fence_close(const char *line, size_t len, const struct fence *f)
{
	size_t i = 0, n = 0;

	while (i < len && i < 3 && line[i] == ' ')
		i++;
	while (i + n < len && line[i + n] == f->ch)
		n++;
	return n >= f->len && trim_end(line, len) == i + n;
}

static bool
fence_is(const struct fence *f, const char *info)
{
	return f->infolen == strlen(info) && memcmp(f->info, info, f->infolen) == 0;
}

/** Read the lines of the block that @p f opens, up to its closing fence, into @p out. */
static int
read_block(struct parser *ps, const struct fence *f, struct strlist *out)
{
	int open = ps->lineno;
	const char *line;
	size_t len, skip;

	while (next_line(&ps->p, &line, &len)) {
		ps->lineno++;
		if (fence_close(line, len, f))
			return 0;
		for (skip = 0; skip < f->indent && skip < len && line[skip] == ' '; skip++)
			;
		if (strlist_push(out, line + skip, len - skip) < 0)
			return fail(ps->err, ps->lineno, "out of memory");
	}
	return fail(ps->err, open, "code block never closed");
}

/** Is this line of a console block a command, "# CMD" or "$ CMD"? */
static bool
is_command(const char *s)
{
	return (s[0] == '#' || s[0] == '$') && s[1] == ' ';
}

static int
add_command(struct parser *ps, int line, const char *s)
{
	struct lesson *l = ps->l;
	struct lesson_command *v, *c;
	const char *cmd = s + 2;

	while (isspace((unsigned char)*cmd))
		cmd++;
	if (*cmd == '\0')
		return fail(ps->err, line, "console block: a prompt without a command");
	v = reallocarray(l->cmds, l->ncmds + 1, sizeof(*v));
	if (!v)
		return fail(ps->err, line, "out of memory");
	l->cmds = v;
	c = &v[l->ncmds];
	*c = (struct lesson_command){.line = line, .prompt = s[0]};
	c->cmd = strndup(cmd, trim_end(cmd, strlen(cmd)));
	if (!c->cmd)
		return fail(ps->err, line, "out of memory");
	l->ncmds++;
	return 0;
}

/** Split a console block, its first line being line @p first, into commands and output. */
static int
parse_transcript(struct parser *ps, struct strlist *block, int first)
{
	struct lesson_command *c = NULL;
	int line;

	for (size_t i = 0; i < block->n; i++) {
		line = first + (int)i;
		if (is_command(block->v[i])) {
			if (add_command(ps, line, block->v[i]) < 0)
				return -1;
			c = &ps->l->cmds[ps->l->ncmds - 1];
		} else if (!c) {
			return fail(ps->err, line, "console block: output before any command");
		} else if (push_string(&c->expect, &c->nexpect, block->v[i]) < 0) {
			return fail(ps->err, line, "out of memory");
		} else {
			block->v[i] = NULL; /* the command owns it now */
		}
	}
	return 0;
}

/** Add @p s, its code being the lines of @p block; the lesson owns @p s on success only. */
static int
add_snippet(struct parser *ps, const struct lesson_snippet *s, const struct strlist *block)
{
	struct lesson *l = ps->l;
	struct lesson_snippet *v;
	size_t size = 1, at = 0;
	char *code;

	for (size_t i = 0; i < block->n; i++)
		size += strlen(block->v[i]) + 1;
	v = reallocarray(l->snippets, l->nsnippets + 1, sizeof(*v));
	code = malloc(size);
	if (v)
		l->snippets = v;
	if (!v || !code) {
		free(code);
		return fail(ps->err, s->line, "out of memory");
	}
	for (size_t i = 0; i < block->n; i++)
		at += (size_t)sprintf(code + at, "%s\n", block->v[i]);
	code[at] = '\0';
	v[l->nsnippets] = *s;
	v[l->nsnippets++].code = code;
	return 0;
}

/** A block opened by @p f: a snippet's if @p snip is set, a transcript, or just ignored. */
static int
parse_block(struct parser *ps, const struct fence *f, const struct lesson_snippet *snip)
{
	struct strlist block = {NULL, 0};
	int first = ps->lineno + 1, r;

	r = read_block(ps, f, &block);
	if (r == 0 && snip)
		r = add_snippet(ps, snip, &block);
	else if (r == 0 && fence_is(f, "console"))
		r = parse_transcript(ps, &block, first);
	strlist_free(&block);
	return r;
}

/** Skip whitespace, then @p word; false if @p word is not there. */
static bool
eat(const char **p, const char *end, const char *word)
{
	size_t n = strlen(word);

	while (*p < end && isspace((unsigned char)**p))
		(*p)++;
	if ((size_t)(end - *p) < n || memcmp(*p, word, n) != 0)
		return false;
	*p += n;
	return true;
}

/** The next whitespace-separated word before @p end, as a new string; NULL if none. */
static char *
word(const char **p, const char *end)
{
	const char *start;

	while (*p < end && isspace((unsigned char)**p))
		(*p)++;
	for (start = *p; *p < end && !isspace((unsigned char)**p);)
		(*p)++;
	return *p > start ? strndup(start, (size_t)(*p - start)) : NULL;
}

/**
 * Read `<!-- snippet: FILE MARKER -->` into @p s. Returns 0 when @p line is no snippet
 * comment at all, 1 when it is one, -1 when it tries to be but is not quite.
 */
static int
snippet_comment(struct parser *ps, const char *line, size_t len, struct lesson_snippet *s)
{
	const char *p = line, *end = line + trim_end(line, len);

	if (!eat(&p, end, "<!--") || !eat(&p, end, "snippet:"))
		return 0;
	*s = (struct lesson_snippet){.line = ps->lineno};
	if (end - p >= 3 && memcmp(end - 3, "-->", 3) == 0) {
		end -= 3;
		s->file = word(&p, end);
		s->marker = word(&p, end);
		eat(&p, end, ""); /* the blanks before "-->" */
		if (s->file && s->marker && p == end)
			return 1;
	}
	free(s->file);
	free(s->marker);
	return fail(ps->err, ps->lineno, "expected <!-- snippet: FILE MARKER -->");
}

/**
 * Read `<!-- scratch: NAME... -->` (words into the lesson's scratch names) or `<!--
 * cleanup: COMMAND -->` (the rest of the line, one command). Returns 0 when @p line is
 * neither, 1 when it is one, -1 when it tries to be but is not quite.
 */
static int
scratch_comment(struct parser *ps, const char *line, size_t len)
{
	const char *p = line, *end = line + trim_end(line, len), *start;
	struct lesson *l = ps->l;
	bool scratch;
	char *w;

	if (!eat(&p, end, "<!--"))
		return 0;
	start = p;
	scratch = eat(&p, end, "scratch:");
	if (!scratch && (p = start, !eat(&p, end, "cleanup:")))
		return 0;
	if (end - p < 3 || memcmp(end - 3, "-->", 3) != 0)
		return fail(ps->err, ps->lineno, "expected <!-- %s: ... --> on one line",
			    scratch ? "scratch" : "cleanup");
	end -= 3;
	eat(&p, end, "");
	if (p == end)
		return fail(ps->err, ps->lineno, "<!-- %s: --> names nothing",
			    scratch ? "scratch" : "cleanup");
	if (!scratch) {
		w = strndup(p, trim_end(p, (size_t)(end - p)));
		if (!w || push_string(&l->cleanup, &l->ncleanup, w) < 0)
			return free(w), fail(ps->err, ps->lineno, "out of memory");
		return 1;
	}
	while ((w = word(&p, end)))
		if (push_string(&l->scratch, &l->nscratch, w) < 0)
			return free(w), fail(ps->err, ps->lineno, "out of memory");
	return 1;
}

/** A snippet comment was read into @p s: the next line must open its code block. */
static int
parse_snippet(struct parser *ps, struct lesson_snippet *s)
{
	const char *line;
	size_t len;
	struct fence f;
	bool fenced = next_line(&ps->p, &line, &len) && fence_open(line, len, &f);
	int r;

	ps->lineno++;
	if (fenced)
		r = parse_block(ps, &f, s);
	else
		r = fail(ps->err, s->line, "snippet comment not followed by a code block");
	if (r < 0) {
		free(s->file);
		free(s->marker);
	}
	return r;
}

/** One line outside any code block. */
static int
parse_line(struct parser *ps, const char *line, size_t len)
{
	struct lesson_snippet s;
	struct fence f;
	int r;

	if (fence_open(line, len, &f))
		return parse_block(ps, &f, NULL);
	r = snippet_comment(ps, line, len, &s);
	if (r != 0)
		return r < 0 ? -1 : parse_snippet(ps, &s);
	r = scratch_comment(ps, line, len);
	if (r != 0)
		return r < 0 ? -1 : 0;
	if (!ps->l->title && len > 2 && memcmp(line, "# ", 2) == 0) {
		ps->l->title = strndup(line + 2, trim_end(line + 2, len - 2));
		if (!ps->l->title)
			return fail(ps->err, ps->lineno, "out of memory");
	}
	return 0;
}

/**
 * Parse the Markdown @p text into @p l, to be freed with lesson_free() when this returns 0.
 * @return 0, or -1 with @p err saying what is wrong, and where.
 */
int
lesson_parse(const char *text, struct lesson *l, struct lesson_error *err)
{
	struct parser ps = {text, 0, l, err};
	const char *line;
	size_t len;

	memset(l, 0, sizeof(*l));
	while (next_line(&ps.p, &line, &len)) {
		ps.lineno++;
		if (parse_line(&ps, line, len) < 0) {
			lesson_free(l);
			return -1;
		}
	}
	return 0;
}

void
lesson_free(struct lesson *l)
{
	for (size_t i = 0; i < l->ncmds; i++) {
		struct strlist expect = {l->cmds[i].expect, l->cmds[i].nexpect};

		free(l->cmds[i].cmd);
		strlist_free(&expect);
	}
	for (size_t i = 0; i < l->nsnippets; i++) {
		free(l->snippets[i].file);
		free(l->snippets[i].marker);
		free(l->snippets[i].code);
	}
	for (size_t i = 0; i < l->nscratch; i++)
		free(l->scratch[i]);
	for (size_t i = 0; i < l->ncleanup; i++)
		free(l->cleanup[i]);
	free(l->title);
	free(l->cmds);
	free(l->snippets);
	free(l->scratch);
	free(l->cleanup);
	memset(l, 0, sizeof(*l));
}

/* ---- matching output ------------------------------------------------------------------- */

static bool
is_any_line(const char *pattern)
{
	return trim_end(pattern, strlen(pattern)) == ANY_LEN &&
	       memcmp(pattern, LESSON_ANY, ANY_LEN) == 0;
}

/**
 * Match @p s against the pattern from @p pat to @p pend, which starts just after a wildcard:
 * pieces between wildcards found leftmost, then the last piece at the very end of @p s.
 */
static bool
match_after_any(const char *pat, const char *pend, const char *s, size_t len)
{
	const char *any, *found;
	size_t n;

	while ((any = memmem(pat, (size_t)(pend - pat), LESSON_ANY, ANY_LEN))) {
		n = (size_t)(any - pat);
		found = memmem(s, len, pat, n);
		if (!found)
			return false;
		len -= (size_t)(found + n - s);
		s = found + n;
		pat = any + ANY_LEN;
	}
	n = (size_t)(pend - pat);
	return n <= len && memcmp(s + len - n, pat, n) == 0;
}

/** Does one line of output, @p s of @p len bytes, match the expected line @p pat? */
static bool
match_line(const char *pat, const char *s, size_t len)
{
	size_t plen = trim_end(pat, strlen(pat)), n;
	const char *any = memmem(pat, plen, LESSON_ANY, ANY_LEN);

	len = trim_end(s, len);
	if (!any)
		return plen == len && memcmp(pat, s, len) == 0;
	n = (size_t)(any - pat); /* the literal text before the first wildcard */
	if (n > len || memcmp(pat, s, n) != 0)
		return false;
	return match_after_any(any + ANY_LEN, pat + plen, s + n, len - n);
}

/**
 * Does the output @p actual match the @p nexpect lines of @p expect, wildcards and all?
 * A `[...]` line swallows no line at first, and one more each time what follows fails.
 */
bool
lesson_match(char *const *expect, size_t nexpect, const char *actual)
{
	const char *p = actual, *next, *mark = NULL, *line;
	size_t i = 0, star = SIZE_MAX, len;

	for (next = p; next_line(&next, &line, &len); next = p) {
		if (i < nexpect && is_any_line(expect[i])) {
			star = i++;
			mark = p;
		} else if (i < nexpect && match_line(expect[i], line, len)) {
			i++;
			p = next;
		} else if (star != SIZE_MAX) {
			i = star + 1;
			next_line(&mark, &line, &len); /* the wildcard takes one more line */
			p = mark;
		} else {
			return false;
		}
	}
	while (i < nexpect && is_any_line(expect[i]))
		i++;
	return i == nexpect;
}

/* ---- snippets -------------------------------------------------------------------------- */

/** Is @p line the marker line `//! [marker]`, give or take whitespace around it? */
static bool
is_marker(const char *line, size_t len, const char *marker)
{
	size_t m = strlen(marker);

	while (len > 0 && isspace((unsigned char)*line)) {
		line++;
		len--;
	}
	len = trim_end(line, len);
	return len == m + 6 && memcmp(line, "//! [", 5) == 0 && memcmp(line + 5, marker, m) == 0 &&
	       line[len - 1] == ']';
}

/**
 * Count the marker lines of @p marker in @p src; the first sets @p start (the line after it)
 * and @p first (its number), the second sets @p end (its start).
 */
static int
find_markers(const char *src, const char *marker, const char **start, const char **end, int *first)
{
	const char *p = src, *line;
	size_t len;
	int lineno = 0, count = 0;

	while (next_line(&p, &line, &len)) {
		lineno++;
		if (!is_marker(line, len, marker))
			continue;
		if (count == 0) {
			*start = p;
			*first = lineno;
		} else if (count == 1) {
			*end = line;
		}
		count++;
	}
	return count;
}

/**
 * Copy into *@p code (malloc'd) the lines of @p src between the two lines `//! [marker]`.
 * @return 0, or -1 with @p err saying that the marker is missing, unpaired or repeated.
 */
int
lesson_extract(const char *src, const char *marker, char **code, struct lesson_error *err)
{
	const char *start = NULL, *end = NULL;
	int first = 0, count = find_markers(src, marker, &start, &end, &first);

	*code = NULL;
	if (count == 0)
		return fail(err, 0, "no marker //! [%s]", marker);
	if (count == 1)
		return fail(err, first, "marker //! [%s] on line %d has no pair", marker, first);
	if (count > 2)
		return fail(err, first, "marker //! [%s] (line %d) appears %d times, not twice",
			    marker, first, count);
	*code = strndup(start, (size_t)(end - start));
	return *code ? 0 : fail(err, first, "out of memory");
}

/** The length of the leading whitespace that all non-blank lines of @p text share. */
static size_t
common_indent(const char *text)
{
	const char *p = text, *line, *prefix = NULL;
	size_t len, n = 0, i;

	while (next_line(&p, &line, &len)) {
		len = trim_end(line, len);
		if (len == 0)
			continue;
		for (i = 0; i < len && isspace((unsigned char)line[i]); i++)
			if (prefix && (i == n || line[i] != prefix[i]))
				break;
		if (!prefix)
			prefix = line;
		n = i;
	}
	return n;
}

/** A line, trimmed at the end and, if not blank, without the first @p indent bytes. */
static void
strip(const char **line, size_t *len, size_t indent)
{
	*len = trim_end(*line, *len);
	if (*len > 0) {
		*line += indent;
		*len -= indent;
	}
}

/**
 * Are @p a and @p b the same code, common indentation and trailing whitespace aside?
 * Sets @p line to the first line (from 1) where they differ, or where one of them ends.
 */
bool
lesson_same_code(const char *a, const char *b, int *line)
{
	size_t ia = common_indent(a), ib = common_indent(b), na, nb;
	const char *la, *lb;
	bool more_a, more_b;

	for (*line = 1;; (*line)++) {
		more_a = next_line(&a, &la, &na);
		more_b = next_line(&b, &lb, &nb);
		if (!more_a || !more_b)
			return more_a == more_b;
		strip(&la, &na, ia);
		strip(&lb, &nb, ib);
		if (na != nb || memcmp(la, lb, na) != 0)
			return false;
	}
}

/* ---- scratch names --------------------------------------------------------------------- */

/** The index of the longest of @p from that @p s starts with, or -1 if none. */
static int
longest_prefix(const char *s, char *const *from, size_t n)
{
	size_t best = 0;
	int found = -1;

	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(from[i]);

		if (len > best && strncmp(s, from[i], len) == 0) {
			best = len;
			found = (int)i;
		}
	}
	return found;
}

/**
 * @p text with every occurrence of @p from[i] replaced by @p to[i], scanning left to
 * right, the longest name first where two start at the same place; nothing replaced is
 * scanned again. lessoncheck calls it with the scratch names and their unique forms to run
 * a command, and the other way round on the output.
 * @return a malloc'd string, or NULL when out of memory.
 */
char *
lesson_substitute(const char *text, char *const *from, char *const *to, size_t n)
{
	size_t size = 1, at = 0;
	char *out;
	int k;

	for (const char *p = text; *p;) /* first the size, then the copy */
		if ((k = longest_prefix(p, from, n)) >= 0) {
			size += strlen(to[k]);
			p += strlen(from[k]);
		} else {
			size++;
			p++;
		}
	out = malloc(size);
	if (!out)
		return NULL;
	for (const char *p = text; *p;)
		if ((k = longest_prefix(p, from, n)) >= 0) {
			at += (size_t)sprintf(out + at, "%s", to[k]);
			p += strlen(from[k]);
		} else {
			out[at++] = *p++;
		}
	out[at] = '\0';
	return out;
}

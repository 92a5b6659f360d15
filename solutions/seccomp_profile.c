/**
 * @file seccomp_profile.c
 * @brief Step 09 — reading a seccomp profile in the JSON format of Docker and the OCI
 *        runtime spec, with jansson.
 *
 * A profile says what happens to each system call:
 *
 *     {
 *       "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
 *       "architectures": ["SCMP_ARCH_X86_64"],
 *       "syscalls": [
 *         {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
 *         {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
 *          "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]}
 *       ]
 *     }
 *
 * The names are libseccomp's (SCMP_ACT_*, SCMP_ARCH_*, SCMP_CMP_*), which is what both
 * Docker and the OCI spec (config.json's linux.seccomp) use. For SCMP_CMP_MASKED_EQ,
 * "value" is the mask and "valueTwo" what the masked argument must equal. An ERRNO or
 * TRACE action without "errnoRet" means EPERM, as in runc.
 *
 * nook reads this subset strictly: a field it does not know ("includes", "excludes",
 * "archMap", "flags" — Docker's and the spec's extensions) is refused rather than
 * ignored, since ignoring a condition would allow more than the profile's author meant.
 * Only "comment" fields are skipped. Every error is one line naming the field, in the
 * form `syscalls[2].action: unknown action "SCMP_ACT_FOO"`.
 *
 * Numbers: "value" and "valueTwo" are uint64 in the spec, but jansson keeps integers in a
 * long long and refuses anything above 2^63-1 as "too big". So the text is read whole and
 * rewritten before jansson sees it (widen_integers()): an integer from 2^63 to 2^64-1 becomes
 * the negative number with the same 64 bits, and a negative integer of the file becomes a
 * real ("-1" reads as -1.0), which no integer field accepts. A negative integer jansson
 * hands back can then only be a large unsigned one, read back exactly by a cast.
 *
 * Limits: a profile is at most NOOK_SECCOMP_MAX_BYTES long, with at most
 * NOOK_SECCOMP_MAX_RULES entries and NOOK_SECCOMP_MAX_NAMES names in all — Docker's default
 * has ~60 entries and ~400 names. Each name added to a filter costs libseccomp time in
 * proportion to the rules already there, so a name repeated with the same action and
 * conditions is added once (the reader drops the repeats), and the limits bound the rest.
 *
 * Architectures: nook filters x86-64 calls only and always refuses the other two ABIs of
 * an x86-64 kernel (see seccomp.c); a profile may list SCMP_ARCH_X86 and SCMP_ARCH_X32
 * (Docker's do) but gets the same filter. Any other architecture is refused.
 *
 * The profile keeps jansson's document: the names point into it.
 *
 * Further reading: the OCI runtime spec, config-linux.md "Seccomp"; Docker's
 * profiles/seccomp/default.json; jansson's API reference.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nook.h"

/** What a read profile owns, freed by seccomp_profile_free(). */
struct owned {
	json_t *doc;			 /**< the parsed document: the names point into it */
	struct nook_seccomp_rule *rules; /**< one per "syscalls" entry */
	const char **names;		 /**< every rule's names, each list NULL-terminated */
};

/** Reading one file: where errors go, and the name to give them. */
struct reader {
	const char *path;
	struct nook_error *err;
	const char *where; /**< NULL: a file; else the JSON path of the profile, in errors */
};

/**
 * A profile's action names. ERRNO and TRACE carry a number ("errnoRet"): an errno below
 * 4095 (libseccomp refuses MAX_ERRNO itself, the kernel's "is an error" bound), or any
 * 16-bit value a tracer gets as PTRACE_EVENT_SECCOMP's message.
 */
static const struct {
	const char *name;
	uint32_t action;
	long long max; /**< the largest "errnoRet", or -1: the action takes none */
} actions[] = {
	{"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, -1},
	{"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), 4094},
	{"SCMP_ACT_KILL", SCMP_ACT_KILL, -1},
	{"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, -1},
	{"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, -1},
	{"SCMP_ACT_TRAP", SCMP_ACT_TRAP, -1},
	{"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), 65535},
	{"SCMP_ACT_LOG", SCMP_ACT_LOG, -1},
};

/** A profile's comparison names. */
static const struct {
	const char *name;
	enum scmp_compare op;
} operators[] = {
	{"SCMP_CMP_NE", SCMP_CMP_NE},
	{"SCMP_CMP_LT", SCMP_CMP_LT},
	{"SCMP_CMP_LE", SCMP_CMP_LE},
	{"SCMP_CMP_EQ", SCMP_CMP_EQ},
	{"SCMP_CMP_GE", SCMP_CMP_GE},
	{"SCMP_CMP_GT", SCMP_CMP_GT},
	{"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

static int bad(struct reader *rd, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** Fail with "--seccomp PATH: FIELD: what is wrong". Returns -1. */
static int
bad(struct reader *rd, const char *field, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (rd->where)
		return nook_fail(rd->err, 0, "%s.%s: %s", rd->where, field, what);
	return nook_fail(rd->err, 0, "--seccomp %s: %s: %s", rd->path, field, what);
}

/**
 * Fail with "--seccomp PATH: FIELD: WHAT "VALUE"AFTER", @p value being the profile's own
 * text: it goes to nook_fail() as an argument of its own, as every echoed value does.
 */
static int
bad_value(struct reader *rd, const char *field, const char *what, const char *value,
	  const char *after)
{
	if (rd->where)
		return nook_fail(rd->err, 0, "%s.%s: %s \"%s\"%s", rd->where, field, what, value,
				 after);
	return nook_fail(rd->err, 0, "--seccomp %s: %s: %s \"%s\"%s", rd->path, field, what, value,
			 after);
}

/** Refuse any member of @p obj that is not in the NULL-terminated list @p known. */
static int
check_fields(struct reader *rd, const char *where, json_t *obj, const char *const *known)
{
	const char *key, *const *k;
	char field[128];
	char list[96] = "";
	json_t *value;

	for (k = known; *k; k++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 k == known ? "" : ", ", *k);
	json_object_foreach(obj, key, value)
	{
		for (k = known; *k && strcmp(*k, key) != 0; k++)
			;
		if (*k || strcmp(key, "comment") == 0)
			continue;
		snprintf(field, sizeof(field), "%s%s%s", where, *where ? "." : "", key);
		return bad(rd, field, "unknown field (known here: %s)", list);
	}
	return 0;
}

/** An integer member @p name of @p obj in [min, max], or @p dflt when it is absent. */
static int
get_integer(struct reader *rd, const char *where, json_t *obj, const char *name, long long min,
	    long long max, long long dflt, long long *out)
{
	json_t *v = json_object_get(obj, name);
	char field[128];

	*out = dflt;
	if (!v)
		return 0;
	snprintf(field, sizeof(field), "%s%s%s", where, *where ? "." : "", name);
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return bad(rd, field, "not an integer from %lld to %lld", min, max);
	*out = json_integer_value(v);
	return 0;
}

/**
 * An unsigned 64-bit member @p name of @p obj, or 0 when it is absent. A negative integer
 * here can only be one widen_integers() made of a number from 2^63 up: its bits are the
 * number's.
 */
static int
get_u64(struct reader *rd, const char *where, json_t *obj, const char *name,
	unsigned long long *out)
{
	json_t *v = json_object_get(obj, name);
	char field[128];

	*out = 0;
	if (!v)
		return 0;
	snprintf(field, sizeof(field), "%s.%s", where, name);
	if (!json_is_integer(v))
		return bad(rd, field, "not an integer from 0 to %llu", ULLONG_MAX);
	*out = (unsigned long long)json_integer_value(v);
	return 0;
}

/** The action of "action"/"errnoRet" (or "defaultAction"/"defaultErrnoRet") in @p obj. */
static int
get_action(struct reader *rd, const char *where, json_t *obj, const char *key,
	   const char *errno_key, uint32_t *action)
{
	json_t *v = json_object_get(obj, key);
	char field[128];
	long long number;

	snprintf(field, sizeof(field), "%s%s%s", where, *where ? "." : "", key);
	if (!json_is_string(v))
		return bad(rd, field, v ? "not a string" : "missing");
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (strcmp(json_string_value(v), actions[i].name) != 0)
			continue;
		if (actions[i].max < 0 && json_object_get(obj, errno_key))
			return bad(rd, field, "%s takes no %s", actions[i].name, errno_key);
		if (actions[i].max >= 0 &&
		    get_integer(rd, where, obj, errno_key, 0, actions[i].max, EPERM, &number) < 0)
			return -1;
		*action = actions[i].action | (actions[i].max >= 0 ? (uint32_t)number : 0);
		return 0;
	}
	if (strcmp(json_string_value(v), "SCMP_ACT_NOTIFY") == 0)
		return bad(rd, field, "SCMP_ACT_NOTIFY is not supported (no listener)");
	return bad_value(rd, field, "unknown action", json_string_value(v), "");
}

/** "architectures": x86-64, and the two x86 ABIs nook refuses anyway. */
static int
check_architectures(struct reader *rd, json_t *doc)
{
	json_t *list = json_object_get(doc, "architectures"), *v;
	char field[48];
	size_t i;

	if (list && !json_is_array(list))
		return bad(rd, "architectures", "not an array");
	json_array_foreach(list, i, v)
	{
		snprintf(field, sizeof(field), "architectures[%zu]", i);
		if (!json_is_string(v))
			return bad(rd, field, "not a string");
		if (strcmp(json_string_value(v), "SCMP_ARCH_X86_64") != 0 &&
		    strcmp(json_string_value(v), "SCMP_ARCH_X86") != 0 &&
		    strcmp(json_string_value(v), "SCMP_ARCH_X32") != 0)
			return bad_value(rd, field, "unsupported architecture",
					 json_string_value(v), " (nook filters x86-64)");
	}
	return 0;
}

/** One "args" entry of a rule: {index, value, valueTwo, op}. */
static int
read_arg(struct reader *rd, const char *where, json_t *obj, struct nook_seccomp_arg *a)
{
	static const char *const known[] = {"index", "value", "valueTwo", "op", NULL};
	json_t *op = json_object_get(obj, "op");
	char field[128];
	long long n;

	if (!json_is_object(obj))
		return bad(rd, where, "not an object");
	if (check_fields(rd, where, obj, known) < 0 ||
	    get_integer(rd, where, obj, "index", 0, 5, -1, &n) < 0)
		return -1;
	if (n < 0)
		return bad(rd, where, "no index");
	a->index = (unsigned)n;
	if (get_u64(rd, where, obj, "value", &a->value) < 0 ||
	    get_u64(rd, where, obj, "valueTwo", &a->value_two) < 0)
		return -1;
	snprintf(field, sizeof(field), "%s.op", where);
	for (size_t i = 0; json_is_string(op) && i < sizeof(operators) / sizeof(operators[0]); i++)
		if (strcmp(json_string_value(op), operators[i].name) == 0)
			return a->op = operators[i].op, 0;
	if (!json_is_string(op))
		return bad(rd, field, op ? "not a string" : "missing");
	return bad_value(rd, field, "unknown operator", json_string_value(op), "");
}

/**
 * Refuse a second condition on the argument of @p args[n]. libseccomp cannot AND two
 * comparisons of one argument in a rule (it says EINVAL); runc then adds each as a rule of
 * its own, which ORs them — "1 <= a0 <= 5" becomes "a0 >= 1 or a0 <= 5", any a0 at all.
 * Allowing more than the author wrote is the one thing a filter must not do.
 */
static int
check_one_per_argument(struct reader *rd, const char *field, const struct nook_seccomp_arg *args,
		       size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (args[i].index == args[n].index)
			return bad(rd, field,
				   "a second condition on argument %u (libseccomp cannot require "
				   "both; write two rules)",
				   args[n].index);
	return 0;
}

/** One "syscalls" entry: its names go to @p names, a NULL after them. */
static int
read_rule(struct reader *rd, size_t n, json_t *obj, struct nook_seccomp_rule *r, const char **names)
{
	static const char *const known[] = {"names", "action", "errnoRet", "args", NULL};
	json_t *list = json_object_get(obj, "names"), *args, *v;
	char where[32], field[96];
	size_t i;

	snprintf(where, sizeof(where), "syscalls[%zu]", n);
	if (!json_is_object(obj))
		return bad(rd, where, "not an object");
	if (check_fields(rd, where, obj, known) < 0)
		return -1;
	snprintf(field, sizeof(field), "%s.names", where);
	if (!json_is_array(list) || json_array_size(list) == 0)
		return bad(rd, field, list ? "not a list of names" : "missing");
	json_array_foreach(list, i, v)
	{
		snprintf(field, sizeof(field), "%s.names[%zu]", where, i);
		if (!json_is_string(v))
			return bad(rd, field, "not a string");
		names[i] = json_string_value(v);
	}
	r->names = names;
	if (get_action(rd, where, obj, "action", "errnoRet", &r->action) < 0)
		return -1;
	args = json_object_get(obj, "args");
	snprintf(field, sizeof(field), "%s.args", where);
	if (args && (!json_is_array(args) || json_array_size(args) > NOOK_SECCOMP_MAX_ARGS))
		return bad(rd, field, "not a list of at most %d conditions", NOOK_SECCOMP_MAX_ARGS);
	json_array_foreach(args, i, v)
	{
		snprintf(field, sizeof(field), "%s.args[%zu]", where, i);
		if (read_arg(rd, field, v, &r->args[i]) < 0 ||
		    check_one_per_argument(rd, field, r->args, i) < 0)
			return -1;
	}
	r->nargs = args ? (int)json_array_size(args) : 0;
	return 0;
}

/** Names already added with a rule: an open-addressing hash set of (name, rule). */
struct seen {
	size_t size; /**< a power of two, at least twice the names it will hold */
	const char **name;
	const struct nook_seccomp_rule **rule;
};

/** Whether rules @p a and @p b do the same thing: same action, same conditions. */
static bool
same_rule(const struct nook_seccomp_rule *a, const struct nook_seccomp_rule *b)
{
	if (a->action != b->action || a->nargs != b->nargs)
		return false;
	for (int i = 0; i < a->nargs; i++)
		if (a->args[i].index != b->args[i].index || a->args[i].op != b->args[i].op ||
		    a->args[i].value != b->args[i].value ||
		    a->args[i].value_two != b->args[i].value_two)
			return false;
	return true;
}

/** FNV-1a of @p name and what @p r does. */
static size_t
hash_rule(const char *name, const struct nook_seccomp_rule *r)
{
	uint64_t h = 14695981039346656037ULL;

	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		h = (h ^ *c) * 1099511628211ULL;
	h = (h ^ r->action) * 1099511628211ULL;
	for (int i = 0; i < r->nargs; i++)
		h = (h ^ r->args[i].value ^ (r->args[i].value_two << 7) ^ r->args[i].index ^
		     ((uint64_t)r->args[i].op << 3)) *
		    1099511628211ULL;
	return (size_t)h;
}

/** Add (@p name, @p r) to @p s; false when it was there already. */
static bool
seen_add(struct seen *s, const char *name, const struct nook_seccomp_rule *r)
{
	size_t i = hash_rule(name, r) & (s->size - 1);

	for (; s->name[i]; i = (i + 1) & (s->size - 1))
		if (strcmp(s->name[i], name) == 0 && same_rule(s->rule[i], r))
			return false;
	s->name[i] = name;
	s->rule[i] = r;
	return true;
}

/**
 * Drop from rule @p r's names those an earlier rule (or @p r itself) already gives the same
 * action under the same conditions: libseccomp would merge them anyway, but each add costs
 * it time in proportion to the rules it has, which made a profile repeating names quadratic.
 */
static void
drop_repeats(struct seen *s, struct nook_seccomp_rule *r, const char **names)
{
	size_t kept = 0;

	for (size_t i = 0; names[i]; i++)
		if (seen_add(s, names[i], r))
			names[kept++] = names[i];
	names[kept] = NULL;
}

/** Refuse a "syscalls" list over nook's limits; its size in names goes to @p total. */
static int
check_limits(struct reader *rd, json_t *list, size_t *total)
{
	size_t i;
	json_t *v;

	if (list && !json_is_array(list))
		return bad(rd, "syscalls", "not an array");
	if (json_array_size(list) > NOOK_SECCOMP_MAX_RULES)
		return bad(rd, "syscalls", "%zu entries, more than nook's limit of %d",
			   json_array_size(list), NOOK_SECCOMP_MAX_RULES);
	*total = 0;
	json_array_foreach(list, i, v) *total += json_array_size(json_object_get(v, "names"));
	if (*total > NOOK_SECCOMP_MAX_NAMES)
		return bad(rd, "syscalls", "%zu names, more than nook's limit of %d", *total,
			   NOOK_SECCOMP_MAX_NAMES);
	return 0;
}

/** The "syscalls" list, into o->rules and o->names, each repeat of a name dropped. */
static int
read_rules(struct reader *rd, json_t *list, struct owned *o, int *nrules)
{
	size_t i, total = 0, at = 0;
	struct seen s = {2, NULL, NULL};
	int rc = 0;
	json_t *v;

	if (check_limits(rd, list, &total) < 0)
		return -1;
	while (s.size < 2 * total)
		s.size *= 2;
	o->rules = calloc(json_array_size(list) + 1, sizeof(*o->rules));
	o->names = calloc(total + json_array_size(list) + 1, sizeof(*o->names));
	s.name = calloc(s.size, sizeof(*s.name));
	s.rule = calloc(s.size, sizeof(*s.rule));
	if (!o->rules || !o->names || !s.name || !s.rule)
		rc = nook_fail(rd->err, ENOMEM, "--seccomp %s", rd->path);
	json_array_foreach(list, i, v)
	{
		if (rc < 0 || (rc = read_rule(rd, i, v, &o->rules[i], o->names + at)) < 0)
			break;
		drop_repeats(&s, &o->rules[i], o->names + at);
		at += json_array_size(json_object_get(v, "names")) + 1;
	}
	free(s.name);
	free(s.rule);
	*nrules = (int)json_array_size(list);
	return rc;
}

/** The whole document, already parsed, into @p p. */
static int
read_profile(struct reader *rd, struct owned *o, struct nook_seccomp_profile *p)
{
	static const char *const known[] = {"defaultAction", "defaultErrnoRet", "architectures",
					    "syscalls", NULL};

	if (!json_is_object(o->doc))
		return bad(rd, "(top)", "not a JSON object");
	if (check_fields(rd, "", o->doc, known) < 0 ||
	    get_action(rd, "", o->doc, "defaultAction", "defaultErrnoRet", &p->default_action) <
		    0 ||
	    check_architectures(rd, o->doc) < 0 ||
	    read_rules(rd, json_object_get(o->doc, "syscalls"), o, &p->nrules) < 0)
		return -1;
	p->rules = o->rules;
	return 0;
}

/** Whether @p c can be part of a JSON number. */
static bool
number_char(char c)
{
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

/**
 * Copy number @p t (@p n bytes) to @p out, an integer rewritten as the file's comment
 * says: -N becomes -N.0, N from 2^63 to 2^64-1 the long long with its bits. Anything else
 * is copied, for jansson to accept or refuse. Returns the bytes written (at most n + 2).
 */
static size_t
widen_number(const char *t, size_t n, char *out)
{
	size_t sign = t[0] == '-', i;
	unsigned long long v = 0;

	for (i = sign; i < n && t[i] >= '0' && t[i] <= '9'; i++)
		if (v <= (ULLONG_MAX - (unsigned)(t[i] - '0')) / 10)
			v = v * 10 + (unsigned)(t[i] - '0');
		else
			break; /* too big even for 64 bits: jansson says so */
	memcpy(out, t, n);
	if (i < n || n == sign || t[sign] == '0')
		return n; /* not an integer, too big, or "0..." (jansson judges those) */
	if (sign)
		return memcpy(out + n, ".0", 2), n + 2;
	if (v <= LLONG_MAX)
		return n;
	return (size_t)sprintf(out, "%lld", -(long long)(ULLONG_MAX - v) - 1);
}

/**
 * Copy JSON @p in to @p out (room for 2 * len + 1), every integer outside strings through
 * widen_number(). Lines stay where they were, so jansson's line numbers still hold.
 */
static size_t
widen_integers(const char *in, size_t len, char *out)
{
	size_t i = 0, o = 0, n;

	while (i < len) {
		if (in[i] == '"') {
			out[o++] = in[i++];
			for (; i < len && in[i] != '"'; out[o++] = in[i++])
				if (in[i] == '\\' && i + 1 < len)
					out[o++] = in[i++];
			if (i < len)
				out[o++] = in[i++];
		} else if (in[i] == '-' || (in[i] >= '0' && in[i] <= '9')) {
			for (n = 0; i + n < len && number_char(in[i + n]); n++)
				;
			o += widen_number(in + i, n, out + o);
			i += n;
		} else {
			out[o++] = in[i++];
		}
	}
	return o;
}

/** Parse @p text (@p len bytes) with jansson, into o->doc. */
static int
parse_json(struct reader *rd, const char *text, size_t len, struct owned *o)
{
	char *wide = malloc(2 * len + 1);
	json_error_t jerr;

	if (!wide)
		return nook_fail(rd->err, ENOMEM, "--seccomp %s", rd->path);
	len = widen_integers(text, len, wide);
	o->doc = json_loadb(wide, len, JSON_REJECT_DUPLICATES, &jerr);
	free(wide);
	if (!o->doc)
		return nook_fail(rd->err, 0, "--seccomp %s: line %d: not JSON: %s", rd->path,
				 jerr.line, jerr.text);
	return 0;
}

/**
 * Read the profile in @p text, @p len bytes, into @p p; seccomp_profile_free() releases
 * it. @p name is what errors call it (the file's path).
 *
 * @return 0, or -1 with @p err one line naming the file and the field that is wrong.
 */
int
seccomp_profile_parse(const char *name, const char *text, size_t len,
		      struct nook_seccomp_profile *p, struct nook_error *err)
{
	struct reader rd = {name, err, NULL};
	struct owned *o;

	*p = (struct nook_seccomp_profile){0};
	if (len > NOOK_SECCOMP_MAX_BYTES)
		return nook_fail(err, 0, "--seccomp %s: larger than nook's limit of %d MiB", name,
				 NOOK_SECCOMP_MAX_BYTES >> 20);
	o = calloc(1, sizeof(*o));
	if (!o)
		return nook_fail(err, ENOMEM, "--seccomp %s", name);
	p->owned = o;
	if (parse_json(&rd, text, len, o) < 0 || read_profile(&rd, o, p) < 0) {
		seccomp_profile_free(p);
		return -1;
	}
	return 0;
}

/**
 * Read up to NOOK_SECCOMP_MAX_BYTES + 1 bytes of open file @p fd into @p buf. Only a
 * regular file: a FIFO or a terminal would block the read (the open itself was
 * O_NONBLOCK), and a device could go on for ever.
 */
static ssize_t
read_regular(int fd, const char *path, char *buf, struct nook_error *err)
{
	struct stat st;
	size_t len = 0;
	ssize_t n;

	if (fstat(fd, &st) < 0)
		return nook_fail(err, errno, "--seccomp %s: fstat", path);
	if (!S_ISREG(st.st_mode))
		return nook_fail(err, 0, "--seccomp %s: not a regular file", path);
	if (st.st_size > NOOK_SECCOMP_MAX_BYTES)
		return nook_fail(err, 0, "--seccomp %s: larger than nook's limit of %d MiB", path,
				 NOOK_SECCOMP_MAX_BYTES >> 20);
	while (len <= NOOK_SECCOMP_MAX_BYTES) {
		n = read(fd, buf + len, NOOK_SECCOMP_MAX_BYTES + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return nook_fail(err, errno, "--seccomp %s: read", path);
		if (n == 0)
			break;
		len += (size_t)n;
	}
	return (ssize_t)len;
}

/**
 * Read the profile in file @p path into @p p; seccomp_profile_free() releases it.
 *
 * @return 0, or -1 with @p err one line naming the file and the field that is wrong.
 */
int
seccomp_profile_read(const char *path, struct nook_seccomp_profile *p, struct nook_error *err)
{
	char *buf;
	ssize_t len;
	int fd, rc;

	*p = (struct nook_seccomp_profile){0};
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return nook_fail(err, errno, "--seccomp %s", path);
	buf = malloc(NOOK_SECCOMP_MAX_BYTES + 1);
	len = buf ? read_regular(fd, path, buf, err) : nook_fail(err, ENOMEM, "--seccomp %s", path);
	close(fd);
	rc = len < 0 ? -1 : seccomp_profile_parse(path, buf, (size_t)len, p, err);
	free(buf);
	return rc;
}

/**
 * Read the profile in the JSON object @p json (a jansson json_t: an OCI config.json's
 * linux.seccomp, same format) into @p p; errors name the field under @p where.
 */
int
seccomp_profile_from_json(void *json, const char *where, struct nook_seccomp_profile *p,
			  struct nook_error *err)
{
	struct reader rd = {where, err, where};
	struct owned *o = calloc(1, sizeof(*o));

	*p = (struct nook_seccomp_profile){0};
	if (!o)
		return nook_fail(err, ENOMEM, "%s", where);
	p->owned = o;
	o->doc = json_incref((json_t *)json);
	if (read_profile(&rd, o, p) < 0) {
		seccomp_profile_free(p);
		return -1;
	}
	return 0;
}

/** Release what seccomp_profile_read() allocated. Safe to call twice. */
void
seccomp_profile_free(struct nook_seccomp_profile *p)
{
	struct owned *o = p->owned;

	if (o) {
		json_decref(o->doc);
		free(o->rules);
		free(o->names);
		free(o);
	}
	*p = (struct nook_seccomp_profile){0};
}

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
#include <jansson.h>
#include <limits.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

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

/** A profile's action names; ERRNO and TRACE carry a number ("errnoRet"). */
static const struct {
	const char *name;
	uint32_t action;
	bool numbered;
} actions[] = {
	{"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false},
	{"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true},
	{"SCMP_ACT_KILL", SCMP_ACT_KILL, false},
	{"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false},
	{"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false},
	{"SCMP_ACT_TRAP", SCMP_ACT_TRAP, false},
	{"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true},
	{"SCMP_ACT_LOG", SCMP_ACT_LOG, false},
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
		if (get_integer(rd, where, obj, errno_key, 0, 4095, EPERM, &number) < 0)
			return -1;
		if (!actions[i].numbered && json_object_get(obj, errno_key))
			return bad(rd, field, "%s takes no %s", actions[i].name, errno_key);
		*action = actions[i].action | (actions[i].numbered ? (uint32_t)number : 0);
		return 0;
	}
	if (strcmp(json_string_value(v), "SCMP_ACT_NOTIFY") == 0)
		return bad(rd, field, "SCMP_ACT_NOTIFY is not supported (no listener)");
	return bad(rd, field, "unknown action \"%s\"", json_string_value(v));
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
			return bad(rd, field,
				   "unsupported architecture \"%s\" (nook filters x86-64)",
				   json_string_value(v));
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
	if (get_integer(rd, where, obj, "value", 0, LLONG_MAX, 0, &n) < 0)
		return -1;
	a->value = (unsigned long long)n;
	if (get_integer(rd, where, obj, "valueTwo", 0, LLONG_MAX, 0, &n) < 0)
		return -1;
	a->value_two = (unsigned long long)n;
	snprintf(field, sizeof(field), "%s.op", where);
	for (size_t i = 0; json_is_string(op) && i < sizeof(operators) / sizeof(operators[0]); i++)
		if (strcmp(json_string_value(op), operators[i].name) == 0)
			return a->op = operators[i].op, 0;
	if (!json_is_string(op))
		return bad(rd, field, op ? "not a string" : "missing");
	return bad(rd, field, "unknown operator \"%s\"", json_string_value(op));
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
		if (read_arg(rd, field, v, &r->args[i]) < 0)
			return -1;
	}
	r->nargs = args ? (int)json_array_size(args) : 0;
	return 0;
}

/** The "syscalls" list, into o->rules and o->names. */
static int
read_rules(struct reader *rd, json_t *list, struct owned *o, int *nrules)
{
	size_t i, total = 0, at = 0;
	json_t *v;

	if (list && !json_is_array(list))
		return bad(rd, "syscalls", "not an array");
	json_array_foreach(list, i, v) total += json_array_size(json_object_get(v, "names")) + 1;
	o->rules = calloc(json_array_size(list) + 1, sizeof(*o->rules));
	o->names = calloc(total + 1, sizeof(*o->names));
	if (!o->rules || !o->names)
		return nook_fail(rd->err, ENOMEM, "--seccomp %s", rd->path);
	json_array_foreach(list, i, v)
	{
		if (read_rule(rd, i, v, &o->rules[i], o->names + at) < 0)
			return -1;
		at += json_array_size(json_object_get(v, "names")) + 1;
	}
	*nrules = (int)json_array_size(list);
	return 0;
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

/**
 * Read the profile in file @p path into @p p; seccomp_profile_free() releases it.
 *
 * @return 0, or -1 with @p err one line naming the file and the field that is wrong.
 */
int
seccomp_profile_read(const char *path, struct nook_seccomp_profile *p, struct nook_error *err)
{
	struct reader rd = {path, err, NULL};
	struct owned *o;
	json_error_t jerr;
	FILE *f;

	*p = (struct nook_seccomp_profile){0};
	f = fopen(path, "re");
	if (!f)
		return nook_fail(err, errno, "--seccomp %s", path);
	o = calloc(1, sizeof(*o));
	if (!o) {
		fclose(f);
		return nook_fail(err, ENOMEM, "--seccomp %s", path);
	}
	p->owned = o;
	o->doc = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
	fclose(f);
	if (!o->doc) {
		seccomp_profile_free(p);
		return nook_fail(err, 0, "--seccomp %s: line %d: not JSON: %s", path, jerr.line,
				 jerr.text);
	}
	if (read_profile(&rd, o, p) < 0) {
		seccomp_profile_free(p);
		return -1;
	}
	return 0;
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

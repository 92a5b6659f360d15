/**
 * @file cdi_yaml.c
 * @brief Step 11 — a CDI spec written in YAML (what `nvidia-ctk cdi generate` writes by
 *        default) read into the JSON tree a JSON spec gives, so that cdi.c has one
 *        checker and one applier.
 *
 * libyaml parses the text into a document of three kinds of node: mappings (JSON's
 * objects), sequences (arrays) and scalars. A scalar carries no type: `major: 195` and
 * `name: "0"` are both text, and YAML decides by how it is written. A quoted scalar is a
 * string; a plain one is an integer when it reads as one (decimal, 0x hex, 0o or
 * YAML 1.1's leading-0 octal, as `fileMode: 0666` is meant), true/false a boolean,
 * null or ~ null, and anything else a string. Keys are strings. Anchors and aliases are
 * followed, but only so deep: a tree deeper than 32 is refused, which also stops a
 * document whose aliases refer to themselves.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "cdi.h"

/** The deepest nesting a spec may have. */
#define CDI_YAML_DEPTH 32

/** A plain scalar @p s read as an integer into @p out, if it is one. */
static bool
yaml_integer(const char *s, json_int_t *out)
{
	int base = 10;
	const char *p = s;
	char *end;
	long long v;

	if (*p == '-' || *p == '+')
		p++;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'o')) {
		base = p[1] == 'x' ? 16 : 8;
		p += 2;
	} else if (p[0] == '0' && p[1]) {
		base = 8;
	}
	if (!*p || !strchr("0123456789abcdefABCDEF", *p))
		return false;
	errno = 0;
	v = strtoll(p, &end, base);
	if (*end || errno)
		return false;
	*out = s[0] == '-' ? -v : v;
	return true;
}

/** A scalar node as JSON: typed when plain, a string when quoted. */
static json_t *
scalar(yaml_node_t *n)
{
	const char *s = (const char *)n->data.scalar.value;
	json_int_t i;

	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return json_stringn(s, n->data.scalar.length);
	if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0)
		return json_boolean(s[0] == 't');
	if (!*s || strcmp(s, "null") == 0 || strcmp(s, "~") == 0)
		return json_null();
	if (yaml_integer(s, &i))
		return json_integer(i);
	return json_stringn(s, n->data.scalar.length);
}

static json_t *node_json(yaml_document_t *doc, yaml_node_t *n, int depth);

/** A mapping node as a JSON object; its keys must be scalars. */
static json_t *
mapping(yaml_document_t *doc, yaml_node_t *n, int depth)
{
	json_t *obj = json_object();

	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		json_t *v = node_json(doc, yaml_document_get_node(doc, p->value), depth + 1);

		if (!v || !k || k->type != YAML_SCALAR_NODE ||
		    json_object_get(obj, (const char *)k->data.scalar.value) ||
		    json_object_set_new(obj, (const char *)k->data.scalar.value, v) < 0) {
			json_decref(v);
			json_decref(obj);
			return NULL;
		}
	}
	return obj;
}

/** The JSON of node @p n of @p doc, or NULL when too deep or not representable. */
static json_t *
node_json(yaml_document_t *doc, yaml_node_t *n, int depth)
{
	json_t *arr, *v;

	if (!n || depth > CDI_YAML_DEPTH)
		return NULL;
	if (n->type == YAML_SCALAR_NODE)
		return scalar(n);
	if (n->type == YAML_MAPPING_NODE)
		return mapping(doc, n, depth);
	arr = json_array();
	for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top;
	     i++) {
		if (!(v = node_json(doc, yaml_document_get_node(doc, *i), depth + 1))) {
			json_decref(arr);
			return NULL;
		}
		json_array_append_new(arr, v);
	}
	return arr;
}

/**
 * Parse the YAML @p text (@p len bytes) of the CDI spec @p path into a JSON tree (json_t,
 * to json_decref()); NULL after filling @p err with @p path and the line.
 */
void *
cdi_yaml_load(const char *text, size_t len, const char *path, struct nook_error *err)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	json_t *out = NULL;

	if (!yaml_parser_initialize(&parser))
		return nook_fail(err, ENOMEM, "%s: yaml_parser_initialize", path), NULL;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		nook_fail(err, 0, "%s: line %zu: %s", path, parser.problem_mark.line + 1,
			  parser.problem ? parser.problem : "not YAML");
		yaml_parser_delete(&parser);
		return NULL;
	}
	if (!yaml_document_get_root_node(&doc))
		nook_fail(err, 0, "%s: empty", path);
	else if (!(out = node_json(&doc, yaml_document_get_root_node(&doc), 0)))
		nook_fail(err, 0,
			  "%s: more than %d levels deep, a key that is not a string, or a key "
			  "given twice",
			  path, CDI_YAML_DEPTH);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return out;
}

/**
 * @file image_policy.c
 * @brief Step 11: the trust policy, a file in the format of containers-policy.json(5) —
 *        the one podman, skopeo and CRI-O read from /etc/containers/policy.json.
 *
 *     {
 *       "default": [{"type": "reject"}],
 *       "transports": {
 *         "docker": {
 *           "127.0.0.1:5000/busybox": [{"type": "signedBy", "keyType": "GPGKeys",
 *                                       "keyPath": "/etc/pki/nook.gpg"}],
 *           "docker.io": [{"type": "insecureAcceptAnything"}]
 *         }
 *       }
 *     }
 *
 * A scope maps to a list of requirements, all of which an image must meet:
 * insecureAcceptAnything (anything goes), reject (nothing does), signedBy (a GPG "simple
 * signing" signature by one of the keys, whose claimed identity matches the image, see
 * image_identity.c) and sigstoreSigned (read, but refused when it applies: nook does not
 * verify sigstore signatures yet). nook reads the "docker" transport, the one `nook pull`
 * talks; the others are checked for form and otherwise ignored.
 *
 * The scope of an image is the most specific one the file names, in containers/image's
 * order: `registry/repo:tag` (or `@digest`), `registry/repo`, each parent namespace of the
 * repo, registry, then *.domain wildcards from the longest, then the transport's "" scope, then
 * "default". Docker Hub is "docker.io", as in podman's files.
 *
 * A policy is read whole and checked strictly before anything is pulled: an unknown type,
 * key or field of the wrong kind is refused in one line that names its JSON path, as in
 * `policy.json: transports.docker["quay.io"][0].keyPath: expected a string`. A typo in a
 * policy is a hole in the trust it was written for, so it is never skipped over.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image_policy.h"

/** Is every key of object @p o in the NULL-ended @p known? Names the first that is not. */
static int
known_keys(json_t *o, const char *const known[], const char *where, const char *path,
	   struct nook_error *err)
{
	const char *key;
	json_t *v;

	json_object_foreach(o, key, v)
	{
		int i = 0;

		while (known[i] && strcmp(known[i], key) != 0)
			i++;
		if (!known[i])
			return nook_fail(err, 0, "%s: %s.%s: unknown key", where, path, key);
	}
	return 0;
}

/** Decode keyData (base64) into @p r. */
static int
key_data(struct policy_req *r, const char *b64, const char *where, const char *path,
	 struct nook_error *err)
{
	size_t len = strlen(b64);
	int n;

	if (len == 0 || len % 4 != 0 || !(r->key_data = malloc(len / 4 * 3 + 1)))
		return nook_fail(err, 0, "%s: %s.keyData: not base64", where, path);
	n = EVP_DecodeBlock(r->key_data, (const unsigned char *)b64, (int)len);
	if (n < 0)
		return nook_fail(err, 0, "%s: %s.keyData: not base64", where, path);
	n -= (b64[len - 1] == '=') + (b64[len - 2] == '=');
	r->key_data_len = (size_t)n;
	return 0;
}

/** Keep the string @p v as key file number r->nkeys. */
static int
key_path(struct policy_req *r, json_t *v, const char *where, const char *path,
	 struct nook_error *err)
{
	if (!json_is_string(v) || json_string_length(v) == 0)
		return nook_fail(err, 0, "%s: %s: expected a file name", where, path);
	if (r->nkeys == POLICY_MAX_KEYS)
		return nook_fail(err, 0, "%s: %s: more than %d keys", where, path, POLICY_MAX_KEYS);
	if (!(r->keys[r->nkeys] = strdup(json_string_value(v))))
		return nook_fail(err, 0, "%s: %s: out of memory", where, path);
	r->nkeys++;
	return 0;
}

/** signedBy's keys: exactly one of keyPath, keyPaths and keyData. */
static int
signed_keys(struct policy_req *r, json_t *o, const char *where, const char *path,
	    struct nook_error *err)
{
	json_t *kp = json_object_get(o, "keyPath"), *kps = json_object_get(o, "keyPaths");
	json_t *kd = json_object_get(o, "keyData"), *v;
	char sub[800];
	size_t i;

	if (!!kp + !!kps + !!kd != 1)
		return nook_fail(err, 0, "%s: %s: exactly one of keyPath, keyPaths, keyData", where,
				 path);
	if (kp) {
		snprintf(sub, sizeof(sub), "%s.keyPath", path);
		return key_path(r, kp, where, sub, err);
	}
	if (kd && !json_is_string(kd))
		return nook_fail(err, 0, "%s: %s.keyData: expected a string", where, path);
	if (kd)
		return key_data(r, json_string_value(kd), where, path, err);
	if (!json_is_array(kps) || json_array_size(kps) == 0)
		return nook_fail(err, 0, "%s: %s.keyPaths: expected a non-empty array", where,
				 path);
	json_array_foreach(kps, i, v)
	{
		snprintf(sub, sizeof(sub), "%s.keyPaths[%zu]", path, i);
		if (key_path(r, v, where, sub, err) < 0)
			return -1;
	}
	return 0;
}

static const struct {
	const char *name;
	enum policy_match match;
	const char *field; /**< the field it needs, or NULL */
} matches[] = {
	{"matchRepoDigestOrExact", MATCH_REPO_DIGEST_OR_EXACT, NULL},
	{"matchExact", MATCH_EXACT, NULL},
	{"matchRepository", MATCH_REPOSITORY, NULL},
	{"exactReference", MATCH_EXACT_REFERENCE, "dockerReference"},
	{"exactRepository", MATCH_EXACT_REPOSITORY, "dockerRepository"},
};

/** signedIdentity, when there is one. */
static int
signed_identity(struct policy_req *r, json_t *o, const char *where, const char *path,
		struct nook_error *err)
{
	const char *type = json_string_value(json_object_get(o, "type")), *field;
	const char *known[] = {"type", NULL, NULL};
	size_t i = 0;

	if (!json_is_object(o))
		return nook_fail(err, 0, "%s: %s: expected an object", where, path);
	if (!type)
		return nook_fail(err, 0, "%s: %s.type: expected a string", where, path);
	while (i < sizeof(matches) / sizeof(matches[0]) && strcmp(matches[i].name, type) != 0)
		i++;
	if (i == sizeof(matches) / sizeof(matches[0]))
		return nook_fail(err, 0, "%s: %s.type: \"%s\" is not supported", where, path, type);
	r->match = matches[i].match;
	if ((field = known[1] = matches[i].field)) {
		json_t *v = json_object_get(o, field);

		if (!json_is_string(v) || json_string_length(v) >= sizeof(r->ident))
			return nook_fail(err, 0, "%s: %s.%s: expected a string", where, path,
					 field);
		snprintf(r->ident, sizeof(r->ident), "%s", json_string_value(v));
	}
	return known_keys(o, known, where, path, err);
}

/** A signedBy requirement. */
static int
signed_by(struct policy_req *r, json_t *o, const char *where, const char *path,
	  struct nook_error *err)
{
	static const char *const known[] = {"type",    "keyType",	 "keyPath", "keyPaths",
					    "keyData", "signedIdentity", NULL};
	json_t *kt = json_object_get(o, "keyType"), *id = json_object_get(o, "signedIdentity");
	char sub[760];

	r->type = POLICY_SIGNED;
	if (known_keys(o, known, where, path, err) < 0)
		return -1;
	if (!json_is_string(kt))
		return nook_fail(err, 0, "%s: %s.keyType: expected a string", where, path);
	if (strcmp(json_string_value(kt), "GPGKeys") != 0)
		return nook_fail(err, 0, "%s: %s.keyType: \"%s\" is not supported (only GPGKeys)",
				 where, path, json_string_value(kt));
	if (signed_keys(r, o, where, path, err) < 0)
		return -1;
	snprintf(sub, sizeof(sub), "%s.signedIdentity", path);
	return id ? signed_identity(r, id, where, sub, err) : 0;
}

/** One requirement, @p o, at @p path. */
static int
requirement(struct policy_req *r, json_t *o, const char *where, const char *path,
	    struct nook_error *err)
{
	static const char *const only_type[] = {"type", NULL};
	const char *type = json_string_value(json_object_get(o, "type"));

	if (!json_is_object(o))
		return nook_fail(err, 0, "%s: %s: expected an object", where, path);
	if (!type)
		return nook_fail(err, 0, "%s: %s.type: expected a string", where, path);
	if (strcmp(type, "signedBy") == 0)
		return signed_by(r, o, where, path, err);
	if (strcmp(type, "sigstoreSigned") == 0) {
		r->type = POLICY_SIGSTORE;
		return 0;
	}
	if (strcmp(type, "insecureAcceptAnything") == 0)
		r->type = POLICY_ACCEPT;
	else if (strcmp(type, "reject") == 0)
		r->type = POLICY_REJECT;
	else
		return nook_fail(err, 0, "%s: %s.type: unknown type \"%s\"", where, path, type);
	return known_keys(o, only_type, where, path, err);
}

/** A scope's list of requirements, @p a, at @p path. */
static int
requirements(struct policy_reqs *reqs, json_t *a, const char *where, const char *path,
	     struct nook_error *err)
{
	char sub[700];
	json_t *v;
	size_t i;

	if (!json_is_array(a) || json_array_size(a) == 0)
		return nook_fail(err, 0, "%s: %s: expected a non-empty array of requirements",
				 where, path);
	if (json_array_size(a) > POLICY_MAX_REQS)
		return nook_fail(err, 0, "%s: %s: more than %d requirements", where, path,
				 POLICY_MAX_REQS);
	json_array_foreach(a, i, v)
	{
		snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
		reqs->n = (int)i + 1;
		if (requirement(&reqs->r[i], v, where, sub, err) < 0)
			return -1;
	}
	return 0;
}

/** One transport's scopes, @p o; kept in @p p when it is "docker". */
static int
transport(struct image_policy *p, const char *name, json_t *o, const char *where,
	  struct nook_error *err)
{
	bool docker = strcmp(name, "docker") == 0;
	struct policy_reqs scratch;
	const char *scope;
	char path[640];
	json_t *v;

	if (!json_is_object(o))
		return nook_fail(err, 0, "%s: transports.%s: expected an object", where, name);
	if (docker && !(p->scopes = calloc(json_object_size(o) + 1, sizeof(*p->scopes))))
		return nook_fail(err, 0, "%s: out of memory", where);
	json_object_foreach(o, scope, v)
	{
		struct policy_reqs *reqs = docker ? &p->scopes[p->nscopes++] : &scratch;

		memset(&scratch, 0, sizeof(scratch));
		snprintf(path, sizeof(path), "transports.%s[\"%s\"]", name, scope);
		if (strlen(scope) >= sizeof(reqs->scope) || p->nscopes > POLICY_MAX_SCOPES)
			return nook_fail(err, 0, "%s: %s: too long, or too many scopes", where,
					 path);
		snprintf(reqs->scope, sizeof(reqs->scope), "%s", scope);
		if (requirements(reqs, v, where, path, err) < 0) {
			if (!docker)
				image_policy_free(&(struct image_policy){.def = scratch});
			return -1;
		}
		if (!docker)
			image_policy_free(&(struct image_policy){.def = scratch});
	}
	return 0;
}

/** The whole document @p root. */
static int
document(struct image_policy *p, json_t *root, const char *where, struct nook_error *err)
{
	static const char *const known[] = {"default", "transports", NULL};
	json_t *ts = json_object_get(root, "transports"), *v;
	const char *name;

	if (!json_is_object(root))
		return nook_fail(err, 0, "%s: expected a JSON object", where);
	if (known_keys(root, known, where, "$", err) < 0)
		return -1;
	if (!json_object_get(root, "default"))
		return nook_fail(err, 0,
				 "%s: default: missing (say [{\"type\": \"reject\"}] or "
				 "[{\"type\": \"insecureAcceptAnything\"}])",
				 where);
	snprintf(p->def.scope, sizeof(p->def.scope), "default");
	if (requirements(&p->def, json_object_get(root, "default"), where, "default", err) < 0)
		return -1;
	if (ts && !json_is_object(ts))
		return nook_fail(err, 0, "%s: transports: expected an object", where);
	json_object_foreach(ts, name, v) if (transport(p, name, v, where, err) < 0) return -1;
	return 0;
}

/**
 * Parse the policy @p text (@p len bytes) into @p p; @p where names it in errors (a file
 * name). Returns 0, or -1 with @p err naming the JSON path of what is wrong (@p p is
 * freed then).
 */
int
image_policy_parse(struct image_policy *p, const char *text, size_t len, const char *where,
		   struct nook_error *err)
{
	json_error_t je;
	json_t *root;
	int ret;

	memset(p, 0, sizeof(*p));
	snprintf(p->path, sizeof(p->path), "%s", where);
	if (!(root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je)))
		return nook_fail(err, 0, "%s: line %d column %d: %s", where, je.line, je.column,
				 je.text);
	ret = document(p, root, where, err);
	json_decref(root);
	if (ret < 0)
		image_policy_free(p);
	return ret;
}

/**
 * Read the policy file @p path into @p p. Returns 0, or -1 with @p err (one line: the file
 * and what is wrong in it).
 */
int
image_policy_load(struct image_policy *p, const char *path, struct nook_error *err)
{
	FILE *f = fopen(path, "re");
	char *text;
	size_t len;
	int ret;

	memset(p, 0, sizeof(*p));
	if (!f)
		return nook_fail(err, errno, "policy %s", path);
	text = malloc(IMAGE_MAX_JSON + 1);
	len = text ? fread(text, 1, IMAGE_MAX_JSON + 1, f) : 0;
	fclose(f);
	if (!text || len > IMAGE_MAX_JSON) {
		free(text);
		return nook_fail(err, 0, "policy %s: more than %d bytes", path, IMAGE_MAX_JSON);
	}
	ret = image_policy_parse(p, text, len, path, err);
	free(text);
	return ret;
}

static void
free_reqs(struct policy_reqs *reqs)
{
	for (int i = 0; i < reqs->n; i++) {
		for (int k = 0; k < reqs->r[i].nkeys; k++)
			free(reqs->r[i].keys[k]);
		free(reqs->r[i].key_data);
	}
	reqs->n = 0;
}

/** Free what image_policy_parse() allocated in @p p. */
void
image_policy_free(struct image_policy *p)
{
	free_reqs(&p->def);
	for (int i = 0; i < p->nscopes; i++)
		free_reqs(&p->scopes[i]);
	free(p->scopes);
	p->scopes = NULL;
	p->nscopes = 0;
}

/** The registry of @p ref as policies name it: Docker Hub is "docker.io". */
const char *
image_ref_host(const struct image_ref *ref)
{
	return strcmp(ref->host, "registry-1.docker.io") == 0 ? "docker.io" : ref->host;
}

/** The scope of @p p named @p name, or NULL. */
static const struct policy_reqs *
scope(const struct image_policy *p, const char *name)
{
	for (int i = 0; i < p->nscopes; i++)
		if (strcmp(p->scopes[i].scope, name) == 0)
			return &p->scopes[i];
	return NULL;
}

/** The most specific *.domain scope for @p host (its port left out), or NULL. */
static const struct policy_reqs *
wildcard(const struct image_policy *p, const char *host)
{
	char name[300];
	const char *dot = host;
	const struct policy_reqs *r;

	while ((dot = strchr(dot, '.'))) {
		snprintf(name, sizeof(name), "*%.*s", (int)strcspn(dot, ":"), dot);
		if ((r = scope(p, name)))
			return r;
		dot++;
	}
	return NULL;
}

/**
 * The requirements of @p p that apply to @p ref: those of its most specific scope. Never
 * NULL: "default" is there when nothing more specific is.
 */
const struct policy_reqs *
image_policy_for(const struct image_policy *p, const struct image_ref *ref)
{
	const struct policy_reqs *r;
	char name[1024], *slash;

	snprintf(name, sizeof(name), "%s/%s%s%s", image_ref_host(ref), ref->repo,
		 ref->digest[0] ? "@" : ":", ref->digest[0] ? ref->digest : ref->tag);
	if ((r = scope(p, name)))
		return r;
	snprintf(name, sizeof(name), "%s/%s", image_ref_host(ref), ref->repo);
	while ((slash = strrchr(name, '/'))) {
		if ((r = scope(p, name)))
			return r;
		*slash = '\0';
	}
	if ((r = scope(p, name)) || (r = wildcard(p, name)) || (r = scope(p, "")))
		return r;
	return &p->def;
}

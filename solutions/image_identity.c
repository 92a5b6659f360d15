/**
 * @file image_identity.c
 * @brief Step 11: what a "simple signing" signature claims, and whether the claim is
 *        about the image being pulled.
 *
 * `skopeo copy --sign-by KEY` signs no image bytes: it signs a small JSON document, the
 * payload, that names the image twice:
 *
 *     {"critical": {"type": "atomic container signature",
 *                   "image": {"docker-manifest-digest": "sha256:..."},
 *                   "identity": {"docker-reference": "127.0.0.1:5000/busybox:latest"}},
 *      "optional": {"creator": "...", "timestamp": ...}}
 *
 * The digest binds the signature to one manifest, hence (through the digests in it) to
 * one config and one set of layers: a changed byte anywhere changes a digest somewhere,
 * which the store checks as it streams. The reference binds it to a *name*: without it, a
 * signature of an old, vulnerable busybox would be as good under the name "myapp:latest".
 * The policy's signedIdentity says how the name must match (containers-policy.json(5)):
 * by default the same repository and tag, or the same repository when pulled by digest.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "image_policy.h"

/**
 * Read the payload @p payload (@p len bytes) of a signature into @p c. Returns 0, or -1
 * with @p err when it is not a simple-signing payload.
 */
int
image_claim_parse(const char *payload, size_t len, struct image_claim *c, struct nook_error *err)
{
	json_t *j = json_loadb(payload, len, 0, NULL), *crit = json_object_get(j, "critical");
	const char *type = json_string_value(json_object_get(crit, "type"));
	const char *ref = json_string_value(
		json_object_get(json_object_get(crit, "identity"), "docker-reference"));
	const char *digest = json_string_value(
		json_object_get(json_object_get(crit, "image"), "docker-manifest-digest"));
	int ret = -1;

	memset(c, 0, sizeof(*c));
	if (!type || strcmp(type, "atomic container signature") != 0)
		nook_fail(err, 0, "the signed payload is not an atomic container signature");
	else if (!ref || strlen(ref) >= sizeof(c->reference))
		nook_fail(err, 0, "the signed payload names no docker-reference");
	else if (!digest || !image_digest_valid(digest))
		nook_fail(err, 0, "the signed payload names no sha256 docker-manifest-digest");
	else {
		snprintf(c->reference, sizeof(c->reference), "%s", ref);
		snprintf(c->digest, sizeof(c->digest), "%s", digest);
		ret = 0;
	}
	json_decref(j);
	return ret;
}

/** Same registry and repository? */
static bool
same_repo(const struct image_ref *a, const struct image_ref *b)
{
	return strcmp(a->host, b->host) == 0 && strcmp(a->repo, b->repo) == 0;
}

/** Same registry, repository, tag and digest? */
static bool
same_ref(const struct image_ref *a, const struct image_ref *b)
{
	return same_repo(a, b) && strcmp(a->tag, b->tag) == 0 && strcmp(a->digest, b->digest) == 0;
}

/** Does the signed reference @p got match @p ref as @p req's signedIdentity says? */
static int
identity_matches(const struct policy_req *req, const struct image_ref *got,
		 const struct image_ref *ref, struct nook_error *err)
{
	struct image_ref want;

	switch (req->match) {
	case MATCH_REPO_DIGEST_OR_EXACT:
		return ref->digest[0] ? same_repo(got, ref) : same_ref(got, ref);
	case MATCH_EXACT:
		return same_ref(got, ref);
	case MATCH_REPOSITORY:
		return same_repo(got, ref);
	case MATCH_EXACT_REFERENCE:
	case MATCH_EXACT_REPOSITORY:
		if (image_ref_parse(req->ident, &want, err) < 0)
			return -1;
		return req->match == MATCH_EXACT_REFERENCE ? same_ref(got, &want)
							   : same_repo(got, &want);
	}
	return 0;
}

/**
 * Is the claim @p c about the image @p ref whose manifest has digest @p digest, as
 * requirement @p req wants? Returns 0, or -1 with @p err saying what does not match.
 */
int
image_claim_check(const struct image_claim *c, const struct policy_req *req,
		  const struct image_ref *ref, const char *digest, struct nook_error *err)
{
	struct image_ref got;
	int m;

	if (strcmp(c->digest, digest) != 0)
		return nook_fail(err, 0, "the signature is for manifest %s, not this one (%s)",
				 c->digest, digest);
	if (image_ref_parse(c->reference, &got, err) < 0)
		return nook_fail(err, 0, "the signature names \"%s\", not an image reference",
				 c->reference);
	if ((m = identity_matches(req, &got, ref, err)) < 0)
		return -1;
	if (!m)
		return nook_fail(err, 0, "the signature is for \"%s\", not this image",
				 c->reference);
	return 0;
}

/**
 * @file image_trust.c
 * @brief Step 11: the decision — may this image be stored? — taken before a byte of it
 *        is.
 *
 * The policy (image_policy.c) gives the image's scope a list of requirements; every one
 * must hold. insecureAcceptAnything always does, reject never does, sigstoreSigned is
 * refused for now (nook does not verify sigstore signatures), and signedBy holds when at
 * least one of the image's signatures is
 *
 *  1. a valid OpenPGP signature by one of the requirement's keys (image_signature.c),
 *  2. over a payload whose manifest digest is the digest of the manifest we fetched, and
 *  3. whose docker-reference is the image's name, as signedIdentity says (image_identity.c).
 *
 * Step 2 is the whole chain of trust: the manifest names its config and layers by digest,
 * and the store refuses any blob whose bytes do not hash to its name. So a signature
 * covers every byte of the image without gpg ever reading a layer, and a tampered blob is
 * refused by the store as it streams, after the signature was found good.
 *
 * When several signatures are there and none holds, the first one's reason is given.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image_policy.h"

/** Does one signature, @p sig, meet @p req for @p ref and @p digest? */
static int
one_signature(const struct policy_req *req, const char *sig, size_t len,
	      const struct image_ref *ref, const char *digest, struct nook_error *err)
{
	struct image_claim claim;
	size_t plen;
	char *payload;
	int ret;

	if (image_signature_verify(req, sig, len, &payload, &plen, err) < 0)
		return -1;
	ret = image_claim_parse(payload, plen, &claim, err);
	free(payload);
	return ret < 0 ? -1 : image_claim_check(&claim, req, ref, digest, err);
}

/** Does any of @p sigs meet @p req? */
static int
signed_by(const struct policy_req *req, const struct image_sigs *sigs, const char *from,
	  const struct image_ref *ref, const char *digest, struct nook_error *err)
{
	struct nook_error later;

	if (sigs->n == 0)
		return nook_fail(err, 0,
				 "not signed, and the policy wants a signature (none in %s)", from);
	for (int i = 0; i < sigs->n; i++)
		if (one_signature(req, sigs->blobs[i], sigs->lens[i], ref, digest,
				  i == 0 ? err : &later) == 0)
			return 0;
	return -1;
}

/** Where the signatures of @p ref's manifest @p digest are: into @p dir. */
static int
signature_dir(const struct image_trust *t, const struct image_ref *ref, const char *digest,
	      char *dir, size_t size, struct nook_error *err)
{
	char url[PATH_MAX], base[PATH_MAX];

	if (t->sigdir) {
		snprintf(dir, size, "%s", t->sigdir);
		return 0;
	}
	if (!t->registries_d)
		return nook_fail(err, 0, "not signed: no signatures given (--signatures DIR)");
	if (image_lookaside_url(t->registries_d, ref, url, sizeof(url), err) < 0)
		return -1;
	if (!url[0])
		return nook_fail(err, 0,
				 "not signed: %s configures no lookaside for %s/%s, and the policy "
				 "wants a signature",
				 t->registries_d, image_ref_host(ref), ref->repo);
	if (image_lookaside_dir(url, base, sizeof(base), err) < 0)
		return -1;
	if ((size_t)snprintf(dir, size, "%s/%s@sha256=%s", base, ref->repo,
			     image_digest_hex(digest)) >= size)
		return nook_fail(err, 0, "lookaside %s: too long", url);
	return 0;
}

/** A signedBy requirement @p req, the signatures read once from @p dir into @p sigs. */
static int
check_signed(const struct image_trust *t, const struct policy_req *req, struct image_sigs *sigs,
	     char dir[PATH_MAX], const struct image_ref *ref, const char *digest,
	     struct nook_error *err)
{
	if (!ref)
		return nook_fail(err, 0,
				 "the policy wants a signature, and the image has no name "
				 "to check it against (--name)");
	if (!dir[0] && (signature_dir(t, ref, digest, dir, PATH_MAX, err) < 0 ||
			image_sigs_read(sigs, dir, err) < 0))
		return dir[0] = '\0', -1;
	return signed_by(req, sigs, dir, ref, digest, err);
}

/**
 * May the image @p ref (NULL: it has no name), whose manifest has digest @p digest, be
 * stored under the policy of @p t? Returns 0, or -1 with @p err saying why not (one line:
 * the caller names the image).
 */
int
image_trust_check(const struct image_trust *t, const struct image_ref *ref, const char *digest,
		  struct nook_error *err)
{
	const struct image_policy *p = t->policy;
	const struct policy_reqs *reqs = ref ? image_policy_for(p, ref) : &p->def;
	struct image_sigs sigs = {0};
	char dir[PATH_MAX] = "";
	int ret = 0;

	for (int i = 0; i < reqs->n && ret == 0; i++) {
		const struct policy_req *req = &reqs->r[i];

		if (req->type == POLICY_REJECT)
			ret = nook_fail(err, 0, "rejected by policy %s (scope \"%s\")", p->path,
					reqs->scope);
		else if (req->type == POLICY_SIGSTORE)
			ret = nook_fail(err, 0,
					"policy %s (scope \"%s\") wants a sigstore signature, "
					"which nook does not verify yet",
					p->path, reqs->scope);
		else if (req->type == POLICY_SIGNED)
			ret = check_signed(t, req, &sigs, dir, ref, digest, err);
	}
	image_sigs_free(&sigs);
	return ret;
}

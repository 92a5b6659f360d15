/**
 * @file image_policy.h
 * @brief Step 11: which images nook trusts — a policy in the format of
 *        containers-policy.json(5) (image_policy.c), GPG "simple signing" signatures as
 *        `skopeo copy --sign-by` writes them (image_identity.c, image_signature.c), where
 *        they are found (image_lookaside.c, registries.d), and the decision (image_trust.c).
 *
 * A pull or an import asks image_trust_check() before anything is stored: the policy's
 * requirements for the image's scope (the most specific of registry/repo:tag, registry/repo,
 * its parent namespaces, registry, *.domain, the transport's "" and "default") must all
 * be met, or the image is refused in one line naming it and the reason.
 */
#ifndef NOOK_IMAGE_POLICY_H
#define NOOK_IMAGE_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "image.h"

/** The default policy file, when there is one (else: accept anything). */
#define IMAGE_POLICY_DEFAULT "/etc/containers/policy.json"
/** The default registries.d, where lookaside URLs are configured. */
#define IMAGE_REGISTRIES_D_DEFAULT "/etc/containers/registries.d"
/** The most requirements of one scope, scopes of a policy, keys of one requirement. */
#define POLICY_MAX_REQS	  8
#define POLICY_MAX_SCOPES 128
#define POLICY_MAX_KEYS	  8

/** A requirement's type, as "type" names it. */
enum policy_type {
	POLICY_ACCEPT,	 /**< insecureAcceptAnything */
	POLICY_REJECT,	 /**< reject */
	POLICY_SIGNED,	 /**< signedBy, keyType GPGKeys */
	POLICY_SIGSTORE, /**< sigstoreSigned: parsed, refused when it applies (not yet) */
};

/** How a signature's docker-reference must match the image's (signedIdentity). */
enum policy_match {
	MATCH_REPO_DIGEST_OR_EXACT, /**< the default: same repo by digest, or the same tag */
	MATCH_EXACT,		    /**< the same repo and tag (or digest) */
	MATCH_REPOSITORY,	    /**< the same repo, any tag */
	MATCH_EXACT_REFERENCE,	    /**< the signature names dockerReference exactly */
	MATCH_EXACT_REPOSITORY,	    /**< the signature's repo is dockerRepository */
};

/** One requirement of a scope. */
struct policy_req {
	enum policy_type type;
	char *keys[POLICY_MAX_KEYS]; /**< signedBy: keyPath / keyPaths, each a file */
	int nkeys;
	unsigned char *key_data; /**< signedBy: keyData, decoded; or NULL */
	size_t key_data_len;
	enum policy_match match;
	char ident[512]; /**< exactReference's dockerReference, exactRepository's repo */
};

/** The requirements of one scope; all must be met. */
struct policy_reqs {
	char scope[512]; /**< "" for the transport's default, "default" for the policy's */
	struct policy_req r[POLICY_MAX_REQS];
	int n;
};

/** A policy: its "default" and its "docker" transport's scopes. */
struct image_policy {
	char path[512]; /**< where it was read from, for errors; "" when none */
	struct policy_reqs def;
	struct policy_reqs *scopes; /**< transports.docker, in the file's order */
	int nscopes;
};

/* image_policy.c */
int image_policy_parse(struct image_policy *p, const char *text, size_t len, const char *where,
		       struct nook_error *err);
int image_policy_load(struct image_policy *p, const char *path, struct nook_error *err);
void image_policy_free(struct image_policy *p);
const struct policy_reqs *image_policy_for(const struct image_policy *p,
					   const struct image_ref *ref);
const char *image_ref_host(const struct image_ref *ref);

/* image_identity.c */

/** What a simple-signing payload claims. */
struct image_claim {
	char reference[512];	       /**< critical.identity.docker-reference */
	char digest[IMAGE_DIGEST_LEN]; /**< critical.image.docker-manifest-digest */
};

int image_claim_parse(const char *payload, size_t len, struct image_claim *c,
		      struct nook_error *err);
int image_claim_check(const struct image_claim *c, const struct policy_req *req,
		      const struct image_ref *ref, const char *digest, struct nook_error *err);

/* image_lookaside.c */
int image_lookaside_url(const char *registries_d, const struct image_ref *ref, char *url,
			size_t size, struct nook_error *err);
int image_lookaside_dir(const char *url, char *dir, size_t size, struct nook_error *err);

/* image_signature.c */

/** The signatures of one image: each a signed OpenPGP message, as read. */
struct image_sigs {
	char **blobs;
	size_t *lens;
	int n;
};

int image_sigs_read(struct image_sigs *sigs, const char *dir, struct nook_error *err);
void image_sigs_free(struct image_sigs *sigs);
int image_signature_verify(const struct policy_req *req, const void *sig, size_t len,
			   char **payload, size_t *payload_len, struct nook_error *err);

/* image_trust.c */

/** What a trust check is given: the policy and where the image's signatures are. */
struct image_trust {
	const struct image_policy *policy;
	const char *registries_d; /**< pull: where lookasides are configured */
	const char *sigdir;	  /**< import: the directory of signature-1, ...; or NULL */
};

int image_trust_check(const struct image_trust *t, const struct image_ref *ref, const char *digest,
		      struct nook_error *err);

#endif

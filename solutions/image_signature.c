/**
 * @file image_signature.c
 * @brief Step 11: a simple-signing signature verified with GPGME, against the policy's
 *        keys only.
 *
 * A signature file is an OpenPGP signed message (gpg --sign, not --detach-sign): the
 * payload (image_identity.c) wrapped with a signature over it. GPGME, the library gpg's
 * authors wrote for programs, runs gpg to check it and hands back the payload and who
 * signed it.
 *
 * Which keys count is the policy's business, not the user's keyring's: a key someone once
 * imported to read their mail must not make an image trusted. So each check runs gpg in a
 * GNUPGHOME of its own, made here under /tmp and removed after, holding only the keys of
 * the requirement (keyPath, keyPaths or keyData), and no gpg-agent (gpg.conf says
 * no-autostart: public keys need none); a signature is good when gpg says it is
 * valid *and* its key is one of those imported. A key gpg could not find (another key's
 * signature) is an error, as is a bad or expired one.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <gpgme.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image_policy.h"

/**
 * gpg.conf in @p home saying no-autostart: importing would start a gpg-agent daemon (to
 * look for secret keys), which would outlive us; verifying needs none.
 */
static int
no_agent(const char *home, struct nook_error *err)
{
	char path[96];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "%s/gpg.conf", home);
	if (!(f = fopen(path, "we")))
		return nook_fail(err, errno, "%s", path);
	ok = fputs("no-autostart\n", f) >= 0;
	if (fclose(f) != 0 || !ok)
		return nook_fail(err, errno, "%s", path);
	return 0;
}

/** A scratch keyring, and GPGME using it. */
struct keyring {
	char home[64];
	gpgme_ctx_t ctx;
	char fprs[POLICY_MAX_KEYS + 8][64]; /**< the primary keys imported */
	int nfprs;
};

/** Fail with GPGME's reason @p e for @p what. */
static int
gpg_fail(struct nook_error *err, gpgme_error_t e, const char *what)
{
	return nook_fail(err, 0, "%s: %s", what, gpgme_strerror(e));
}

/** Import the keys in @p data into @p k, keeping their fingerprints. */
static int
import(struct keyring *k, gpgme_data_t data, const char *what, struct nook_error *err)
{
	gpgme_error_t e = gpgme_op_import(k->ctx, data);
	gpgme_import_result_t r;
	gpgme_import_status_t s;

	if (e)
		return gpg_fail(err, e, what);
	r = gpgme_op_import_result(k->ctx);
	if (!r || r->considered == 0 || r->not_imported == r->considered)
		return nook_fail(err, 0, "%s: no OpenPGP public key in it", what);
	for (s = r->imports; s; s = s->next)
		if (s->fpr && !s->result && k->nfprs < (int)(sizeof(k->fprs) / sizeof(k->fprs[0])))
			snprintf(k->fprs[k->nfprs++], sizeof(k->fprs[0]), "%s", s->fpr);
	return 0;
}

/** Import the keys of @p req into @p k. */
static int
import_keys(struct keyring *k, const struct policy_req *req, struct nook_error *err)
{
	gpgme_data_t d;
	gpgme_error_t e;
	char what[PATH_MAX + 16];
	int ret = 0;

	for (int i = 0; i < req->nkeys && ret == 0; i++) {
		snprintf(what, sizeof(what), "key %s", req->keys[i]);
		if ((e = gpgme_data_new_from_file(&d, req->keys[i], 1)))
			return nook_fail(err, gpgme_err_code_to_errno(gpgme_err_code(e)), "%s",
					 what);
		ret = import(k, d, what, err);
		gpgme_data_release(d);
	}
	if (ret == 0 && req->key_data) {
		if ((e = gpgme_data_new_from_mem(&d, (const char *)req->key_data, req->key_data_len,
						 1)))
			return gpg_fail(err, e, "keyData");
		ret = import(k, d, "keyData", err);
		gpgme_data_release(d);
	}
	return ret;
}

/** A keyring of its own in a scratch GNUPGHOME, holding @p req's keys. */
static int
keyring_open(struct keyring *k, const struct policy_req *req, struct nook_error *err)
{
	gpgme_error_t e;

	memset(k, 0, sizeof(*k));
	gpgme_check_version(NULL);
	snprintf(k->home, sizeof(k->home), "/tmp/nook-gpg-XXXXXX");
	if (!mkdtemp(k->home))
		return k->home[0] = '\0',
		       nook_fail(err, errno, "mkdtemp(\"/tmp/nook-gpg-XXXXXX\")");
	if (no_agent(k->home, err) < 0)
		return -1;
	if ((e = gpgme_new(&k->ctx)) ||
	    (e = gpgme_ctx_set_engine_info(k->ctx, GPGME_PROTOCOL_OpenPGP, NULL, k->home)))
		return gpg_fail(err, e, "gpgme (is gnupg installed?)");
	return import_keys(k, req, err);
}

static void
keyring_close(struct keyring *k)
{
	if (k->ctx)
		gpgme_release(k->ctx);
	if (k->home[0])
		image_remove_tree(k->home);
}

/** Is the key that made @p sig (a subkey's fingerprint, maybe) one of @p k's keys? */
static bool
trusted(struct keyring *k, gpgme_signature_t sig)
{
	gpgme_key_t key = NULL;
	bool ok = false;

	if (gpgme_get_key(k->ctx, sig->fpr, &key, 0) || !key)
		return false;
	for (int i = 0; i < k->nfprs && !ok; i++)
		ok = key->fpr && strcmp(key->fpr, k->fprs[i]) == 0;
	gpgme_key_unref(key);
	return ok;
}

/** Is the verification's result one good signature by one of @p k's keys? */
static int
judge(struct keyring *k, struct nook_error *err)
{
	gpgme_verify_result_t r = gpgme_op_verify_result(k->ctx);
	gpgme_signature_t sig = r ? r->signatures : NULL;

	if (!sig)
		return nook_fail(err, 0, "not a signed OpenPGP message");
	if (sig->next)
		return nook_fail(err, 0, "more than one signature in one signature file");
	if (gpgme_err_code(sig->status) == GPG_ERR_NO_PUBKEY)
		return nook_fail(err, 0, "signed by key %s, not one the policy trusts", sig->fpr);
	if (sig->status)
		return nook_fail(err, 0, "signature by key %s: %s", sig->fpr,
				 gpgme_strerror(sig->status));
	if (!trusted(k, sig))
		return nook_fail(err, 0, "signed by key %s, not one the policy trusts", sig->fpr);
	return 0;
}

/**
 * Verify the signature @p sig (@p len bytes) with the keys of @p req alone; its payload
 * into *@p payload (malloc'ed, *@p payload_len bytes). Returns 0, or -1 with @p err.
 */
int
image_signature_verify(const struct policy_req *req, const void *sig, size_t len, char **payload,
		       size_t *payload_len, struct nook_error *err)
{
	gpgme_data_t in = NULL, out = NULL;
	struct keyring k;
	gpgme_error_t e;
	int ret = -1;

	*payload = NULL;
	if (keyring_open(&k, req, err) == 0) {
		if ((e = gpgme_data_new_from_mem(&in, sig, len, 0)) || (e = gpgme_data_new(&out)))
			gpg_fail(err, e, "gpgme_data_new");
		else if ((e = gpgme_op_verify(k.ctx, in, NULL, out)))
			gpg_fail(err, e, "the signature");
		else if ((ret = judge(&k, err)) == 0)
			*payload = gpgme_data_release_and_get_mem(out, payload_len), out = NULL;
		if (ret == 0 && !*payload)
			ret = nook_fail(err, 0, "the signature holds no payload");
	}
	gpgme_data_release(in);
	gpgme_data_release(out);
	keyring_close(&k);
	return ret;
}

/** Read the file @p path (at most @p max bytes) into a malloc'ed buffer. */
static char *
slurp(const char *path, size_t max, size_t *len, struct nook_error *err)
{
	FILE *f = fopen(path, "re");
	char *buf = f ? malloc(max + 1) : NULL;

	if (!f)
		return nook_fail(err, errno, "%s", path), NULL;
	*len = buf ? fread(buf, 1, max + 1, f) : 0;
	fclose(f);
	if (!buf || *len > max)
		return free(buf), nook_fail(err, 0, "%s: more than %zu bytes", path, max), NULL;
	return buf;
}

/**
 * Read the signatures in @p dir — signature-1, signature-2, ... up to the first missing —
 * into @p sigs. No directory is no signatures. Returns 0, or -1 with @p err.
 */
int
image_sigs_read(struct image_sigs *sigs, const char *dir, struct nook_error *err)
{
	char path[PATH_MAX];

	memset(sigs, 0, sizeof(*sigs));
	for (int i = 1; i <= 64; i++) {
		char *buf, **blobs;
		size_t len, *lens;

		snprintf(path, sizeof(path), "%s/signature-%d", dir, i);
		if (access(path, F_OK) < 0 && errno == ENOENT)
			return 0;
		if (!(buf = slurp(path, 1 << 20, &len, err)))
			return image_sigs_free(sigs), -1;
		if ((blobs = reallocarray(sigs->blobs, i, sizeof(char *))))
			sigs->blobs = blobs;
		if ((lens = reallocarray(sigs->lens, i, sizeof(size_t))))
			sigs->lens = lens;
		if (!blobs || !lens) {
			free(buf);
			image_sigs_free(sigs);
			return nook_fail(err, ENOMEM, "%s", path);
		}
		sigs->blobs[i - 1] = buf, sigs->lens[i - 1] = len, sigs->n = i;
	}
	return 0;
}

/** Free what image_sigs_read() read. */
void
image_sigs_free(struct image_sigs *sigs)
{
	for (int i = 0; i < sigs->n; i++)
		free(sigs->blobs[i]);
	free(sigs->blobs);
	free(sigs->lens);
	memset(sigs, 0, sizeof(*sigs));
}

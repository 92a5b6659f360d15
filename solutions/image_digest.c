/**
 * @file image_digest.c
 * @brief Step 11: digests — the sha256 that names every blob, computed with OpenSSL's
 *        libcrypto (EVP) while the blob streams past, and checked before it is kept.
 *
 * A digest is "sha256:" and 64 lower-case hex digits (the OCI image spec's
 * descriptor.md allows other algorithms; registries and nook use sha256 alone). Because a
 * digest is also a file name in the store, one that is not exactly that shape is refused
 * before it is ever used as a path: "sha256:../../etc" never reaches open(2).
 *
 * A sink (struct image_sink) is where a blob's bytes go as they arrive, from a file or
 * from the network: each chunk is hashed, written to a scratch file, and counted; more
 * bytes than the descriptor announced stop the transfer at once, so a registry cannot fill
 * the disk by sending a "small" blob forever. image_sink_close() then compares.
 *
 * What a digest looks like (image_digest_valid()) is in image_digest_name.c: `nook run
 * IMAGE` needs that, and not libcrypto (see IMAGE_TOOL_SRCS in the Makefile).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "image.h"

/** Write the 32 bytes @p md as "sha256:HEX" into @p out. */
static void
format_digest(const unsigned char *md, char out[IMAGE_DIGEST_LEN])
{
	memcpy(out, "sha256:", 7);
	for (int i = 0; i < 32; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
}

/** The digest of @p len bytes at @p data, into @p out. Returns 0, or -1 (no memory). */
int
image_sha256(const void *data, size_t len, char out[IMAGE_DIGEST_LEN])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n;

	if (!EVP_Digest(data, len, md, &n, EVP_sha256(), NULL))
		return -1;
	format_digest(md, out);
	return 0;
}

/**
 * Start a sink: bytes written to it are hashed and, if @p fd >= 0, written to @p fd; more
 * than @p max bytes (when @p max >= 0) are refused. @p what names the blob in errors.
 */
int
image_sink_open(struct image_sink *s, int fd, int64_t max, const char *what, struct nook_error *err)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(md);
		return nook_fail(err, ENOMEM, "sha256 of %s", what);
	}
	*s = (struct image_sink){.md = md, .fd = fd, .max = max, .what = what, .err = err};
	return 0;
}

/** Hash and keep @p len more bytes. Returns 0, or -1 with the sink's error filled. */
int
image_sink_write(struct image_sink *s, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	if (s->max >= 0 && s->size + (int64_t)len > s->max)
		return nook_fail(s->err, 0, "%s: more than the %lld bytes its descriptor says",
				 s->what, (long long)s->max);
	if (!EVP_DigestUpdate(s->md, data, len))
		return nook_fail(s->err, 0, "sha256 of %s failed", s->what);
	s->size += (int64_t)len;
	while (s->fd >= 0 && len > 0) {
		n = write(s->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return nook_fail(s->err, errno, "write(%s)", s->what);
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

//! [image_sink_close]
/**
 * End the sink and free it, its digest in s->digest: the bytes must have digest @p want
 * (NULL: any), and, when the sink has a maximum, be exactly that many. Returns 0, or -1 with @p err naming both digests.
 */
int
image_sink_close(struct image_sink *s, const char *want, struct nook_error *err)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	char got[IMAGE_DIGEST_LEN];
	unsigned int n;
	int ok = EVP_DigestFinal_ex(s->md, md, &n);

	EVP_MD_CTX_free(s->md);
	s->md = NULL;
	if (!ok)
		return nook_fail(err, 0, "sha256 of %s failed", s->what);
	format_digest(md, got);
	memcpy(s->digest, got, sizeof(got));
	if (want && strcmp(got, want) != 0)
		return nook_fail(err, 0, "%s: digest mismatch: the content is %s", s->what, got);
	if (s->max >= 0 && s->size != s->max)
		return nook_fail(err, 0, "%s: %lld bytes, its descriptor says %lld", s->what,
				 (long long)s->size, (long long)s->max);
	return 0;
}
//! [image_sink_close]

/**
 * @file image_digest_name.c
 * @brief Step 11: the shape of a digest, "sha256:" and 64 lower-case hex digits — what
 *        both sides of the image code need: `nook run IMAGE` reading the store, and
 *        `nook-image` (pull, import) computing digests with libcrypto (image_digest.c).
 *
 * Kept apart from image_digest.c so that `nook`, which runs containers, links no libcrypto:
 * a short-lived process pays for every shared library it loads (see IMAGE_TOOL_SRCS in
 * the Makefile, and tests/bench/profile.md).
 */
#define _GNU_SOURCE
#include <string.h>

#include "image.h"

/** Is @p digest "sha256:" and exactly 64 lower-case hex digits? */
bool
image_digest_valid(const char *digest)
{
	if (!digest || strncmp(digest, "sha256:", 7) != 0 || strlen(digest) != 7 + 64)
		return false;
	for (const char *p = digest + 7; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

/** The hex part of a valid digest. */
const char *
image_digest_hex(const char *digest)
{
	return digest + 7;
}

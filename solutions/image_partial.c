/**
 * @file image_partial.c
 * @brief Step 11: a resumable pull — the bytes of a blob whose transfer broke kept in
 *        STORE/partial/HEX, and asked for no more next time (an HTTP Range request).
 *
 * While a blob streams from a registry, each chunk goes to its sink (hashed, into the
 * scratch directory of the image being added) and is also appended to partial/HEX. When
 * the transfer ends, whole, the partial file has served its purpose and is removed, whether
 * or not the digest then matches: a blob that fails its check leaves nothing behind. When
 * it breaks (the connection reset, a timeout, the process interrupted), the file stays.
 *
 * The next pull of that blob first feeds the kept bytes into the new sink — so the digest
 * is still that of every byte, old and new — and asks the registry for the rest only:
 * `Range: bytes=N-`. The distribution spec's registries answer 206 Partial Content with
 * `Content-Range: bytes N-LAST/TOTAL`. One that ignores Range answers 200 and the whole
 * blob: its first N bytes are then skipped. Either way a kept byte that is wrong (a
 * registry that changed, a file someone edited) fails the digest, and the partial file is
 * gone for the next try. The store is locked while open for writing (image_store.c): no
 * two pulls append to one partial file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"

/** Feed the kept bytes of @p p->fd into @p sink; their count into p->have. */
static int
replay(struct image_partial *p, struct image_sink *sink)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(p->fd, buf, sizeof(buf))) > 0) {
		if (image_sink_write(sink, buf, (size_t)n) < 0)
			return -1;
		p->have += n;
	}
	return n < 0 ? nook_fail(sink->err, errno, "read(\"%s\")", p->path) : 0;
}

/**
 * Open the partial file of blob @p d in the store @p root (made if need be) and feed what
 * it holds into @p sink. A file as long as the blob, or longer, is not a partial one: it
 * is emptied. Without a partial file (none can be made) p->fd is -1: nothing resumes.
 */
int
image_partial_open(struct image_partial *p, const char *root, const struct image_desc *d,
		   struct image_sink *sink)
{
	struct stat st;

	*p = (struct image_partial){.fd = -1};
	snprintf(p->path, sizeof(p->path), "%s/partial", root);
	if (mkdir(p->path, 0700) < 0 && errno != EEXIST)
		return 0;
	snprintf(p->path, sizeof(p->path), "%s/partial/%s", root, image_digest_hex(d->digest));
	p->fd = open(p->path, O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (p->fd < 0)
		return 0;
	if (fstat(p->fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (st.st_size >= d->size && ftruncate(p->fd, 0) < 0)) {
		image_partial_close(p, false);
		return 0;
	}
	return replay(p, sink);
}

/** Append @p len bytes to the partial file; on failure stop keeping it (the pull goes on). */
void
image_partial_write(struct image_partial *p, const void *data, size_t len)
{
	const char *c = data;
	ssize_t n;

	while (p->fd >= 0 && len > 0) {
		n = write(p->fd, c, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			image_partial_close(p, false);
			return;
		}
		c += n;
		len -= (size_t)n;
	}
}

/** Close the partial file: kept for the next pull if @p keep, else removed. */
void
image_partial_close(struct image_partial *p, bool keep)
{
	if (p->fd < 0)
		return;
	if (!keep)
		unlink(p->path);
	close(p->fd);
	p->fd = -1;
}

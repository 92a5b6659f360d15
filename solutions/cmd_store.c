/**
 * @file cmd_store.c
 * @brief The image store as the command line names it (--store, $NOOK_STORE, or the
 *        default): opened by `nook run IMAGE` in nook and by every image command in
 *        nook-image, so it is in both.
 */
#define _GNU_SOURCE
#include "image.h"
#include "oci.h"

/** Open the store the command line names (--store, $NOOK_STORE, or the default). */
int
image_cli_open(struct image_store *s, bool write, struct nook_error *err)
{
	return image_store_open(s, nook_cli.store, write, err);
}

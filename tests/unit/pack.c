/**
 * @file pack.c
 * @brief Unit tests of image_pack.c: an overlay upper directory packed into an image
 *        layer — overlay's whiteouts and opaque directories turned into OCI's `.wh.`
 *        files, links kept, the two digests right — and unpacked again by image_layer.c
 *        into the same overlay form.
 *
 * Whiteouts and the opaque attribute need root (mknod, trusted.* xattrs); the test skips
 * without it.
 */
#define _GNU_SOURCE
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "image.h"

static char scratch[64];

static int
make_scratch(void **state)
{
	(void)state;
	snprintf(scratch, sizeof(scratch), "/tmp/nook-pack-unit-XXXXXX");
	return mkdtemp(scratch) ? 0 : -1;
}

static int
remove_scratch(void **state)
{
	(void)state;
	return image_remove_tree(scratch);
}

/** scratch/@p rel, into @p out (PATH_MAX). */
static char *
at(char *out, const char *rel)
{
	snprintf(out, PATH_MAX, "%s/%s", scratch, rel);
	return out;
}

/** An upper directory as overlay leaves it: a file, a whiteout, an opaque dir, links. */
static void
make_upper(void)
{
	char p[PATH_MAX], q[PATH_MAX];
	FILE *f;

	assert_int_equal(mkdir(at(p, "upper"), 0755), 0);
	assert_int_equal(mkdir(at(p, "upper/etc"), 0755), 0);
	assert_non_null(f = fopen(at(p, "upper/etc/new"), "w"));
	fputs("new\n", f);
	fclose(f);
	assert_int_equal(link(at(p, "upper/etc/new"), at(q, "upper/etc/again")), 0);
	assert_int_equal(mknod(at(p, "upper/etc/gone"), S_IFCHR, makedev(0, 0)), 0);
	assert_int_equal(mkdir(at(p, "upper/usr"), 0755), 0);
	assert_int_equal(setxattr(p, "trusted.overlay.opaque", "y", 1, 0), 0);
	assert_int_equal(symlink("/etc/new", at(p, "upper/usr/link")), 0);
}

/** The entries of the gzipped tar @p blob, "name type" per line, into @p out. */
static void
list_tar(const char *blob, char *out, size_t size)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	size_t len = 0;

	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	assert_int_equal(archive_read_open_filename(a, blob, 1 << 16), ARCHIVE_OK);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK)
		len += (size_t)snprintf(out + len, size - len, "%s %s\n", archive_entry_pathname(e),
					archive_entry_hardlink(e)		? "hardlink"
					: archive_entry_symlink(e)		? "symlink"
					: archive_entry_filetype(e) == AE_IFDIR ? "dir"
										: "file");
	archive_read_free(a);
}

static void
whiteouts_become_oci_files(void **state)
{
	char p[PATH_MAX], blob[PATH_MAX], list[2048], diff_id[IMAGE_DIGEST_LEN];
	struct image_packed out;
	struct nook_error err;
	struct stat st;

	(void)state;
	if (geteuid() != 0)
		skip();
	make_upper();
	if (image_pack_layer(at(p, "upper"), at(blob, "layer"), &out, &err) < 0)
		fail_msg("%s", err.msg);
	list_tar(blob, list, sizeof(list));
	assert_string_equal(list, "etc/ dir\n"
				  "etc/again file\n"
				  "etc/.wh.gone file\n"
				  "etc/new hardlink\n"
				  "usr/ dir\n"
				  "usr/.wh..wh..opq file\n"
				  "usr/link symlink\n");
	assert_int_equal(stat(blob, &st), 0);
	assert_int_equal(st.st_size, out.size);
	assert_int_equal(image_layer_diff_id(blob, diff_id, &err), 0);
	assert_string_equal(diff_id, out.diff_id);
	/* unpacked again, it is overlay's again */
	assert_int_equal(mkdir(at(p, "again"), 0755), 0);
	if (image_layer_unpack(blob, p, out.diff_id, &err) < 0) /* checked against it */
		fail_msg("%s", err.msg);
	assert_int_equal(stat(at(p, "again/etc/gone"), &st), 0);
	assert_true(S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0));
	assert_int_equal(getxattr(at(p, "again/usr"), "trusted.overlay.opaque", list, 4), 1);
}

static void
the_same_directory_packs_the_same(void **state)
{
	char p[PATH_MAX], b1[PATH_MAX], b2[PATH_MAX];
	struct image_packed one, two;
	struct nook_error err;

	(void)state;
	if (geteuid() != 0)
		skip();
	make_upper();
	assert_int_equal(image_pack_layer(at(p, "upper"), at(b1, "one"), &one, &err), 0);
	assert_int_equal(image_pack_layer(p, at(b2, "two"), &two, &err), 0);
	assert_string_equal(one.digest, two.digest);
	assert_string_equal(one.diff_id, two.diff_id);
	/* a blob that exists is not overwritten; a directory that does not is an error */
	assert_int_equal(image_pack_layer(p, b2, &two, &err), -1);
	assert_int_equal(image_pack_layer(at(p, "nosuch"), at(b1, "three"), &two, &err), -1);
	assert_false(access(b1, F_OK) == 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(whiteouts_become_oci_files, make_scratch,
						remove_scratch),
		cmocka_unit_test_setup_teardown(the_same_directory_packs_the_same, make_scratch,
						remove_scratch),
	};

	return cmocka_run_group_tests_name("pack", tests, NULL, NULL);
}

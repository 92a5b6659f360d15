/**
 * @file image.c
 * @brief Unit tests of step 11's pure parts: digests and checking sinks (image_digest.c),
 *        the layer unpacker's whiteouts and its refusals (image_layer.c), manifests and
 *        indexes (image_manifest.c), references and registry challenges.
 *
 * The layers are tars written here with libarchive, into a scratch directory, and
 * unpacked into another; whiteouts need root (mknod, trusted.* xattrs), as the store does.
 */
#define _GNU_SOURCE
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
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
	snprintf(scratch, sizeof(scratch), "/tmp/nook-image-unit-XXXXXX");
	return mkdtemp(scratch) ? 0 : -1;
}

static int
remove_scratch(void **state)
{
	(void)state;
	return image_remove_tree(scratch);
}

static const char empty_sha256[] =
	"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

static void
digests_are_checked_for_shape(void **state)
{
	(void)state;
	assert_true(image_digest_valid(empty_sha256));
	assert_false(image_digest_valid("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA"
					"495991B7852B855"));
	assert_false(image_digest_valid("sha256:../../../../etc/passwd"));
	assert_false(image_digest_valid("sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934c"
					"a495991b7852b855"));
	assert_false(image_digest_valid("sha256:e3b0"));
	assert_false(image_digest_valid(NULL));
}

static void
sinks_check_digest_and_size(void **state)
{
	char got[IMAGE_DIGEST_LEN];
	struct image_sink s;
	struct nook_error err;

	(void)state;
	assert_int_equal(image_sha256("", 0, got), 0);
	assert_string_equal(got, empty_sha256);
	image_sha256("hello", 5, got);
	/* the right bytes, in two chunks */
	assert_int_equal(image_sink_open(&s, -1, 5, "blob", &err), 0);
	assert_int_equal(image_sink_write(&s, "hel", 3), 0);
	assert_int_equal(image_sink_write(&s, "lo", 2), 0);
	assert_int_equal(image_sink_close(&s, got, &err), 0);
	/* one byte changed */
	image_sink_open(&s, -1, 5, "blob", &err);
	image_sink_write(&s, "hellO", 5);
	assert_int_equal(image_sink_close(&s, got, &err), -1);
	assert_non_null(strstr(err.msg, "digest mismatch"));
	/* more than the descriptor said: refused as it arrives */
	image_sink_open(&s, -1, 4, "blob", &err);
	assert_int_equal(image_sink_write(&s, "hello", 5), -1);
	assert_non_null(strstr(err.msg, "more than the 4 bytes"));
	image_sink_close(&s, NULL, &err);
	/* fewer: the right prefix is still not the blob */
	image_sink_open(&s, -1, 6, "blob", &err);
	image_sink_write(&s, "hello", 5);
	assert_int_equal(image_sink_close(&s, got, &err), -1);
	assert_non_null(strstr(err.msg, "5 bytes, its descriptor says 6"));
}

/** One tar entry: 'f' file (target: content), 'd' directory, 'l' symlink, 'h' hard link. */
struct entry {
	char type;
	const char *name, *target;
};

/** Write @p n entries as a tar at scratch/NAME, compressed by @p filter (or not). */
static const char *
write_tar(const char *name, const struct entry *e, int n, int (*filter)(struct archive *))
{
	static char path[128];
	struct archive *a = archive_write_new();
	struct archive_entry *ae;

	snprintf(path, sizeof(path), "%s/%s", scratch, name);
	archive_write_set_format_pax_restricted(a);
	if (filter)
		filter(a);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (int i = 0; i < n; i++) {
		ae = archive_entry_new();
		archive_entry_set_pathname(ae, e[i].name);
		archive_entry_set_perm(ae, 0755);
		archive_entry_set_filetype(ae, e[i].type == 'd'	  ? AE_IFDIR
					       : e[i].type == 'l' ? AE_IFLNK
								  : AE_IFREG);
		if (e[i].type == 'f')
			archive_entry_set_size(ae, (la_int64_t)strlen(e[i].target));
		if (e[i].type == 'l')
			archive_entry_set_symlink(ae, e[i].target);
		if (e[i].type == 'h')
			archive_entry_set_hardlink(ae, e[i].target);
		assert_int_equal(archive_write_header(a, ae), ARCHIVE_OK);
		if (e[i].type == 'f')
			archive_write_data(a, e[i].target, strlen(e[i].target));
		archive_entry_free(ae);
	}
	archive_write_close(a);
	archive_write_free(a);
	return path;
}

/** Unpack @p tar into a fresh scratch/DIR; returns what image_layer_unpack() did. */
static int
unpack(const char *tar, const char *dir, char *out, struct nook_error *err)
{
	assert_true(snprintf(out, 128, "%s/%s", scratch, dir) < 128);
	assert_int_equal(mkdir(out, 0700), 0);
	return image_layer_unpack(tar, out, NULL, err);
}

static void
whiteouts_become_overlays(void **state)
{
	static const struct entry layer[] = {
		{'d', "etc/", NULL},	       {'f', "etc/.wh.passwd", ""},
		{'d', "usr/", NULL},	       {'f', "usr/.wh..wh..opq", ""},
		{'f', "deep/er/.wh.gone", ""}, {'f', ".wh..wh.plnk", ""},
		{'f', "./etc/kept", "kept"},
	};
	int (*filters[])(struct archive *) = {NULL, archive_write_add_filter_gzip,
					      archive_write_add_filter_zstd};
	char dir[128], path[64], buf[4], file[256];
	struct nook_error err;
	struct stat st;

	(void)state;
	if (geteuid() != 0)
		skip();
	for (int f = 0; f < 3; f++) {
		const char *tar = write_tar("wh.tar", layer, 7, filters[f]);

		snprintf(path, sizeof(path), "out%d", f);
		assert_int_equal(unpack(tar, path, dir, &err), 0);
		snprintf(file, sizeof(file), "%s/etc/passwd", dir);
		assert_int_equal(lstat(file, &st), 0);
		assert_true(S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0));
		snprintf(file, sizeof(file), "%s/deep/er/gone", dir);
		assert_int_equal(lstat(file, &st), 0);
		assert_true(S_ISCHR(st.st_mode));
		snprintf(file, sizeof(file), "%s/usr", dir);
		assert_int_equal(getxattr(file, "trusted.overlay.opaque", buf, sizeof(buf)), 1);
		snprintf(file, sizeof(file), "%s/usr/.wh..wh..opq", dir);
		assert_int_not_equal(lstat(file, &st), 0); /* the marker itself is not kept */
		snprintf(file, sizeof(file), "%s/.wh..wh.plnk", dir);
		assert_int_not_equal(lstat(file, &st), 0);
		snprintf(file, sizeof(file), "%s/etc/kept", dir);
		assert_int_equal(lstat(file, &st), 0);
		assert_int_equal(stat(dir, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0755); /* the container's "/" */
	}
}

/** A layer's diff ID is the digest of its tar uncompressed, whatever the compression. */
static void
diff_ids_are_of_the_plain_tar(void **state)
{
	static const struct entry layer[] = {{'d', "etc/", NULL}, {'f', "etc/motd", "hello"}};
	char plain[IMAGE_DIGEST_LEN], got[IMAGE_DIGEST_LEN], *text = NULL;
	struct nook_error err;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_non_null(f = fopen(write_tar("plain.tar", layer, 2, NULL), "re"));
	assert_true(getdelim(&text, &len, '\0', f) > 0); /* a tar has NULs: read it whole */
	fseek(f, 0, SEEK_END);
	len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	text = realloc(text, len);
	assert_int_equal(fread(text, 1, len, f), len);
	fclose(f);
	image_sha256(text, len, plain);
	free(text);
	assert_int_equal(image_layer_diff_id(write_tar("p.tar", layer, 2, NULL), got, &err), 0);
	assert_string_equal(got, plain);
	assert_int_equal(
		image_layer_diff_id(write_tar("g.tar.gz", layer, 2, archive_write_add_filter_gzip),
				    got, &err),
		0);
	assert_string_equal(got, plain);
	assert_int_equal(
		image_layer_diff_id(write_tar("z.tar.zst", layer, 2, archive_write_add_filter_zstd),
				    got, &err),
		0);
	assert_string_equal(got, plain);
}

/** Expect the layer of @p n entries refused, naming @p why, and nothing at @p victim. */
static void
expect_refused(const struct entry *e, int n, const char *why, const char *victim)
{
	static int k;
	char dir[128], name[32];
	struct nook_error err;
	struct stat st;

	snprintf(name, sizeof(name), "bad%d", k++);
	assert_int_equal(unpack(write_tar("bad.tar", e, n, NULL), name, dir, &err), -1);
	if (!strstr(err.msg, why))
		fail_msg("expected \"%s\" in \"%s\"", why, err.msg);
	if (victim)
		assert_int_not_equal(lstat(victim, &st), 0);
}

static void
layers_stay_inside(void **state)
{
	char victim[160], outside[128], link[200];

	(void)state;
	if (geteuid() != 0)
		skip();
	snprintf(outside, sizeof(outside), "%s/outside", scratch);
	assert_int_equal(mkdir(outside, 0700), 0);
	snprintf(victim, sizeof(victim), "%s/x", outside);
	expect_refused(&(struct entry){'f', "../outside/x", "x"}, 1, "outside the layer", victim);
	expect_refused(&(struct entry){'f', "a/../../outside/x", "x"}, 1, "outside the layer",
		       victim);
	expect_refused(&(struct entry){'f', victim, "x"}, 1, "outside the layer", victim);
	snprintf(link, sizeof(link), "../../../../../..%s", victim);
	expect_refused(&(struct entry){'h', "h", link}, 1, "hard link", NULL);
	expect_refused((const struct entry[]){{'l', "l", "/etc/passwd"}, {'h', "h", "l"}}, 2,
		       "hard link", NULL);
	expect_refused((const struct entry[]){{'l', "l", outside}, {'f', "l/x", "x"}}, 2, "l/x",
		       victim);
	expect_refused((const struct entry[]){{'l', "l", outside}, {'f', "l/.wh.x", ""}}, 2,
		       "l/.wh.x", victim);
	expect_refused((const struct entry[]){{'l', "l", outside}, {'f', "l/.wh..wh..opq", ""}}, 2,
		       "l/.wh..wh..opq", NULL);
	expect_refused(&(struct entry){'f', "a/.wh.", ""}, 1, "a whiteout of nothing", NULL);
	expect_refused(&(struct entry){'f', "a/.wh...", ""}, 1, "a whiteout of nothing", NULL);
}

static const char manifest_head[] =
	"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
	"\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":"
	"\"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\","
	"\"size\":0},\"layers\":[";

/** Check the manifest with layers @p layers; returns what image_manifest_check() did. */
static int
check(const char *layers, struct nook_error *err)
{
	struct image_desc config, l[IMAGE_MAX_LAYERS];
	char text[4096];
	int n;

	snprintf(text, sizeof(text), "%s%s]}", manifest_head, layers);
	return image_manifest_check(text, strlen(text), "manifest", &config, l, &n, err);
}

static void
manifests_are_checked(void **state)
{
	struct nook_error err;
	char *huge;

	(void)state;
	assert_int_equal(check("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+zstd\","
			       "\"digest\":\"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934"
			       "ca495991b7852b855\",\"size\":1}",
			       &err),
			 0);
	assert_int_equal(check("{\"mediaType\":\"application/x-rar\",\"digest\":\"sha256:e3b0c4"
			       "4298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\","
			       "\"size\":1}",
			       &err),
			 -1);
	assert_string_equal(err.msg, "manifest: unknown media type \"application/x-rar\"");
	assert_int_equal(check("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
			       "\"digest\":\"sha256:../../etc/passwd\",\"size\":1}",
			       &err),
			 -1);
	assert_non_null(strstr(err.msg, "bad digest"));
	assert_int_equal(check("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
			       "\"digest\":\"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934"
			       "ca495991b7852b855\",\"size\":-1}",
			       &err),
			 -1);
	assert_non_null(strstr(err.msg, "no size"));
	huge = calloc(1, IMAGE_MAX_JSON + 2);
	memset(huge, ' ', IMAGE_MAX_JSON + 1);
	assert_int_equal(
		image_manifest_check(huge, IMAGE_MAX_JSON + 1, "manifest", NULL, NULL, NULL, &err),
		-1);
	assert_non_null(strstr(err.msg, "more than the 4194304"));
	free(huge);
}

static void
indexes_pick_linux_amd64(void **state)
{
	static const char index[] =
		"{\"manifests\":[{\"digest\":\"sha256:1111111111111111111111111111111111111111111"
		"111111111111111111111\",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}"
		"},"
		"{\"digest\":\"sha256:2222222222222222222222222222222222222222222222222222222222222"
		"222\",\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}";
	static const char single[] = "{\"manifests\":[{\"digest\":\"sha256:33333333333333333333"
				     "33333333333333333333333333333333333333333333\"}]}";
	static const char arm[] = "{\"manifests\":[{\"digest\":\"sha256:1111111111111111111111111"
				  "111111111111111111111111111111111111111\",\"platform\":{\"os\":"
				  "\"linux\",\"architecture\":\"arm64\"}},{}]}";
	char digest[IMAGE_DIGEST_LEN];
	struct nook_error err;

	(void)state;
	assert_int_equal(image_pick_platform(index, strlen(index), digest, &err), 0);
	assert_string_equal(digest + 7, "2222222222222222222222222222222222222222222222222222222"
					"222222222");
	assert_int_equal(image_pick_platform(single, strlen(single), digest, &err), 0);
	assert_int_equal(digest[7], '3');
	assert_int_equal(image_pick_platform(arm, strlen(arm), digest, &err), -1);
	assert_string_equal(err.msg, "index: no linux/amd64 image");
}

static void
references_are_split(void **state)
{
	struct image_ref r;
	struct nook_error err;
	char name[64];

	(void)state;
	assert_int_equal(image_ref_parse("busybox", &r, &err), 0);
	assert_string_equal(r.host, "registry-1.docker.io");
	assert_string_equal(r.repo, "library/busybox");
	assert_string_equal(r.tag, "latest");
	assert_string_equal(r.name, "busybox:latest");
	assert_int_equal(image_ref_parse("127.0.0.1:5000/a/b:v1", &r, &err), 0);
	assert_string_equal(r.host, "127.0.0.1:5000");
	assert_string_equal(r.repo, "a/b");
	assert_string_equal(r.tag, "v1");
	assert_int_equal(image_ref_parse("localhost/x@"
					 "sha256:e3b0c44298fc1c149afbf4c8996fb92"
					 "427ae41e4649b934ca495991b7852b855",
					 &r, &err),
			 0);
	assert_string_equal(r.host, "localhost");
	assert_string_equal(r.digest, empty_sha256);
	assert_int_equal(image_ref_parse("docker.io/library/busybox:1.36", &r, &err), 0);
	assert_string_equal(r.repo, "library/busybox");
	assert_string_equal(r.name, "busybox:1.36");
	assert_int_equal(image_ref_parse("Busybox", &r, &err), -1);
	assert_int_equal(image_ref_parse("busybox:", &r, &err), -1);
	assert_int_equal(image_ref_parse("busybox@sha256:12", &r, &err), -1);
	assert_int_equal(image_ref_parse("a b", &r, &err), -1);
	assert_int_equal(image_normal_name("docker.io/x/y", name, sizeof(name), &err), 0);
	assert_string_equal(name, "x/y:latest");
}

static void
bearer_challenges_are_read(void **state)
{
	char realm[128], service[64], scope[64];

	(void)state;
	assert_int_equal(image_auth_parse("Bearer realm=\"https://auth.docker.io/token\",service="
					  "\"registry.docker.io\",scope=\"repository:library/"
					  "busybox:pull\"",
					  realm, sizeof(realm), service, sizeof(service), scope,
					  sizeof(scope)),
			 0);
	assert_string_equal(realm, "https://auth.docker.io/token");
	assert_string_equal(service, "registry.docker.io");
	assert_string_equal(scope, "repository:library/busybox:pull");
	assert_int_equal(image_auth_parse("Basic realm=\"x\"", realm, sizeof(realm), service,
					  sizeof(service), scope, sizeof(scope)),
			 -1);
	assert_int_equal(image_auth_parse("Bearer service=\"s\"", realm, sizeof(realm), service,
					  sizeof(service), scope, sizeof(scope)),
			 -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(digests_are_checked_for_shape),
		cmocka_unit_test(sinks_check_digest_and_size),
		cmocka_unit_test(whiteouts_become_overlays),
		cmocka_unit_test(diff_ids_are_of_the_plain_tar),
		cmocka_unit_test(layers_stay_inside),
		cmocka_unit_test(manifests_are_checked),
		cmocka_unit_test(indexes_pick_linux_amd64),
		cmocka_unit_test(references_are_split),
		cmocka_unit_test(bearer_challenges_are_read),
	};

	return cmocka_run_group_tests(tests, make_scratch, remove_scratch);
}

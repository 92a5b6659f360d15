/**
 * @file policy.c
 * @brief Unit tests of step 11's trust policy (image_policy.c): containers-policy.json
 *        read strictly, a malformed one refused in one line naming its JSON path, and the
 *        most specific scope chosen for a reference; a signature's claim checked against
 *        the image (image_identity.c); lookasides found in registries.d (image_lookaside.c).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "image_policy.h"

/** Parse @p text; it must succeed. */
static void
parse_ok(struct image_policy *p, const char *text)
{
	struct nook_error err = {0};

	if (image_policy_parse(p, text, strlen(text), "policy.json", &err) < 0)
		fail_msg("refused: %s", err.msg);
}

/** Parse @p text; it must fail with @p msg (its first @p n bytes, when not 0), one line. */
static void
parse_bad_n(const char *text, const char *msg, size_t n)
{
	struct nook_error err = {0};
	struct image_policy p;

	assert_int_equal(image_policy_parse(&p, text, strlen(text), "policy.json", &err), -1);
	if (n ? strncmp(err.msg, msg, n) != 0 : strcmp(err.msg, msg) != 0)
		fail_msg("\"%s\" is not \"%s\"", err.msg, msg);
	assert_null(strchr(err.msg, '\n'));
	assert_null(p.scopes);
}

/** Parse @p text; it must fail with exactly @p msg. */
static void
parse_bad(const char *text, const char *msg)
{
	parse_bad_n(text, msg, 0);
}

static void
policy_types_are_read(void **state)
{
	struct image_policy p;

	(void)state;
	parse_ok(&p, "{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"docker\": {"
		     "\"quay.io\": [{\"type\": \"insecureAcceptAnything\"}],"
		     "\"127.0.0.1:5000/busybox\": [{\"type\": \"signedBy\", \"keyType\": "
		     "\"GPGKeys\", \"keyPath\": \"/k.gpg\", \"signedIdentity\": {\"type\": "
		     "\"exactRepository\", \"dockerRepository\": \"example.com/b\"}}],"
		     "\"ghcr.io\": [{\"type\": \"sigstoreSigned\", \"keyPath\": \"/c.pub\"}]},"
		     "\"atomic\": {\"\": [{\"type\": \"reject\"}]}}}");
	assert_int_equal(p.def.n, 1);
	assert_int_equal(p.def.r[0].type, POLICY_REJECT);
	assert_int_equal(p.nscopes, 3);
	assert_string_equal(p.scopes[0].scope, "quay.io");
	assert_int_equal(p.scopes[0].r[0].type, POLICY_ACCEPT);
	assert_int_equal(p.scopes[1].r[0].type, POLICY_SIGNED);
	assert_int_equal(p.scopes[1].r[0].nkeys, 1);
	assert_string_equal(p.scopes[1].r[0].keys[0], "/k.gpg");
	assert_int_equal(p.scopes[1].r[0].match, MATCH_EXACT_REPOSITORY);
	assert_string_equal(p.scopes[1].r[0].ident, "example.com/b");
	assert_int_equal(p.scopes[2].r[0].type, POLICY_SIGSTORE);
	image_policy_free(&p);
}

static void
key_paths_and_key_data_are_read(void **state)
{
	struct image_policy p;

	(void)state;
	parse_ok(&p, "{\"default\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", "
		     "\"keyPaths\": [\"/a\", \"/b\"]}, {\"type\": \"signedBy\", \"keyType\": "
		     "\"GPGKeys\", \"keyData\": \"bm9vaw==\"}]}");
	assert_int_equal(p.def.n, 2);
	assert_int_equal(p.def.r[0].nkeys, 2);
	assert_string_equal(p.def.r[0].keys[1], "/b");
	assert_int_equal(p.def.r[0].match, MATCH_REPO_DIGEST_OR_EXACT);
	assert_int_equal(p.def.r[1].key_data_len, 4);
	assert_memory_equal(p.def.r[1].key_data, "nook", 4);
	image_policy_free(&p);
}

static void
malformed_policies_name_the_json_path(void **state)
{
	(void)state;
	/* JSON that does not parse: where, as jansson says (its columns vary by version) */
	parse_bad_n("{\"default\": [{\"type\": \"reject\"}]", "policy.json: line 1 column ", 27);
	parse_bad("[]", "policy.json: expected a JSON object");
	parse_bad("{\"transports\": {}}",
		  "policy.json: default: missing (say [{\"type\": \"reject\"}] or [{\"type\": "
		  "\"insecureAcceptAnything\"}])");
	parse_bad("{\"default\": []}",
		  "policy.json: default: expected a non-empty array of requirements");
	parse_bad("{\"default\": [{\"type\": \"rejected\"}]}",
		  "policy.json: default[0].type: unknown type \"rejected\"");
	parse_bad("{\"default\": [{\"type\": \"reject\", \"keyPath\": \"/k\"}]}",
		  "policy.json: default[0].keyPath: unknown key");
	parse_bad("{\"default\": [{\"type\": \"reject\"}], \"transport\": {}}",
		  "policy.json: $.transport: unknown key");
	parse_bad("{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"docker\": "
		  "{\"quay.io\": [{\"type\": \"reject\"}, {\"type\": \"signedBy\", \"keyType\": "
		  "\"GPGKeys\", \"keyPath\": 7}]}}}",
		  "policy.json: transports.docker[\"quay.io\"][1].keyPath: expected a file name");
	parse_bad("{\"default\": [{\"type\": \"signedBy\", \"keyType\": \"X509Certificates\", "
		  "\"keyPath\": \"/k\"}]}",
		  "policy.json: default[0].keyType: \"X509Certificates\" is not supported (only "
		  "GPGKeys)");
	parse_bad("{\"default\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\"}]}",
		  "policy.json: default[0]: exactly one of keyPath, keyPaths, keyData");
	parse_bad("{\"default\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": "
		  "\"/k\", \"signedIdentity\": {\"type\": \"exactReference\"}}]}",
		  "policy.json: default[0].signedIdentity.dockerReference: expected a string");
	parse_bad("{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"oci\": "
		  "{\"\": {\"type\": \"reject\"}}}}",
		  "policy.json: transports.oci[\"\"]: expected a non-empty array of requirements");
	parse_bad_n("{\"default\": [{\"type\": \"reject\"}], \"default\": [{\"type\": "
		    "\"reject\"}]}",
		    "policy.json: line 1 column ", 27);
}

/** The scope of @p p chosen for @p ref. */
static const char *
scope_of(const struct image_policy *p, const char *ref)
{
	struct nook_error err = {0};
	struct image_ref r;

	if (image_ref_parse(ref, &r, &err) < 0)
		fail_msg("%s: %s", ref, err.msg);
	return image_policy_for(p, &r)->scope;
}

static void
the_most_specific_scope_applies(void **state)
{
	struct image_policy p;

	(void)state;
	parse_ok(&p, "{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"docker\": {"
		     "\"\": [{\"type\": \"reject\"}],"
		     "\"example.com\": [{\"type\": \"reject\"}],"
		     "\"example.com/team\": [{\"type\": \"reject\"}],"
		     "\"example.com/team/app\": [{\"type\": \"reject\"}],"
		     "\"example.com/team/app:v1\": [{\"type\": \"reject\"}],"
		     "\"*.example.org\": [{\"type\": \"reject\"}],"
		     "\"*.org\": [{\"type\": \"reject\"}],"
		     "\"docker.io/library/busybox\": [{\"type\": \"reject\"}]}}}");
	assert_string_equal(scope_of(&p, "example.com/team/app:v1"), "example.com/team/app:v1");
	assert_string_equal(scope_of(&p, "example.com/team/app:v2"), "example.com/team/app");
	assert_string_equal(scope_of(&p, "example.com/team/other"), "example.com/team");
	assert_string_equal(scope_of(&p, "example.com/app"), "example.com");
	assert_string_equal(scope_of(&p, "a.b.example.org:5000/app"), "*.example.org");
	assert_string_equal(scope_of(&p, "other.org/app"), "*.org");
	assert_string_equal(scope_of(&p, "busybox"), "docker.io/library/busybox");
	assert_string_equal(scope_of(&p, "docker.io/library/alpine"), "");
	image_policy_free(&p);
	parse_ok(&p, "{\"default\": [{\"type\": \"insecureAcceptAnything\"}]}");
	assert_string_equal(scope_of(&p, "127.0.0.1:5000/busybox"), "default");
	image_policy_free(&p);
}

static const char payload[] =
	"{\"critical\": {\"identity\": {\"docker-reference\": \"127.0.0.1:5000/busybox:latest\"},"
	"\"image\": {\"docker-manifest-digest\": \"sha256:"
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"},"
	"\"type\": \"atomic container signature\"}, \"optional\": {\"creator\": \"skopeo\"}}";
static const char digest[] =
	"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/** Does @p claim meet @p match (and @p ident) for @p ref and digest? 0, or -1 and @p why. */
static int
check(const struct image_claim *c, enum policy_match match, const char *ident, const char *ref,
      const char *dig, const char *why)
{
	struct policy_req req = {.type = POLICY_SIGNED, .match = match};
	struct nook_error err = {0};
	struct image_ref r;

	snprintf(req.ident, sizeof(req.ident), "%s", ident);
	assert_int_equal(image_ref_parse(ref, &r, &err), 0);
	if (image_claim_check(c, &req, &r, dig, &err) == 0)
		return 0;
	if (why && !strstr(err.msg, why))
		fail_msg("\"%s\" does not say \"%s\"", err.msg, why);
	return -1;
}

static void
claims_are_checked_against_the_image(void **state)
{
	struct nook_error err = {0};
	struct image_claim c;
	char other[] = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

	(void)state;
	assert_int_equal(image_claim_parse(payload, strlen(payload), &c, &err), 0);
	assert_string_equal(c.reference, "127.0.0.1:5000/busybox:latest");
	assert_string_equal(c.digest, digest);
	assert_int_equal(
		check(&c, MATCH_REPO_DIGEST_OR_EXACT, "", "127.0.0.1:5000/busybox", digest, NULL),
		0);
	assert_int_equal(check(&c, MATCH_REPO_DIGEST_OR_EXACT, "", "127.0.0.1:5000/busybox", other,
			       "the signature is for manifest sha256:e3b0"),
			 -1);
	assert_int_equal(check(&c, MATCH_REPO_DIGEST_OR_EXACT, "", "127.0.0.1:5000/busybox:v2",
			       digest, "not this image"),
			 -1);
	assert_int_equal(check(&c, MATCH_REPO_DIGEST_OR_EXACT, "",
			       "127.0.0.1:5000/busybox@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae4"
			       "1e4649b934ca495991b7852b855",
			       digest, NULL),
			 0);
	assert_int_equal(check(&c, MATCH_EXACT, "", "127.0.0.1:5000/busybox:v2", digest, NULL), -1);
	assert_int_equal(check(&c, MATCH_REPOSITORY, "", "127.0.0.1:5000/busybox:v2", digest, NULL),
			 0);
	assert_int_equal(check(&c, MATCH_REPOSITORY, "", "127.0.0.1:5001/busybox", digest, NULL),
			 -1);
	assert_int_equal(check(&c, MATCH_EXACT_REPOSITORY, "127.0.0.1:5000/busybox",
			       "quay.io/mirror/busybox", digest, NULL),
			 0);
	assert_int_equal(check(&c, MATCH_EXACT_REFERENCE, "127.0.0.1:5000/busybox:v1",
			       "quay.io/mirror/busybox", digest, NULL),
			 -1);
	assert_int_equal(image_claim_parse("{\"critical\": {}}", 16, &c, &err), -1);
	assert_string_equal(err.msg, "the signed payload is not an atomic container signature");
}

static void
lookasides_come_from_registries_d(void **state)
{
	char dir[] = "/tmp/nook-regd-unit-XXXXXX", path[64], url[256], sigs[256];
	struct nook_error err = {0};
	struct image_ref r;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a.yaml", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("default-docker:\n  lookaside: file:///srv/all\ndocker:\n  quay.io:\n"
	      "    sigstore: file:///srv/quay\n  quay.io/team/app:\n"
	      "    lookaside: https://sigs.example.com\n",
	      f);
	fclose(f);
	assert_int_equal(image_ref_parse("quay.io/team/app:v1", &r, &err), 0);
	assert_int_equal(image_lookaside_url(dir, &r, url, sizeof(url), &err), 0);
	assert_string_equal(url, "https://sigs.example.com");
	assert_int_equal(image_lookaside_dir(url, sigs, sizeof(sigs), &err), -1);
	assert_non_null(strstr(err.msg, "nook reads only file:///DIR lookasides"));
	assert_int_equal(image_ref_parse("quay.io/team/other", &r, &err), 0);
	assert_int_equal(image_lookaside_url(dir, &r, url, sizeof(url), &err), 0);
	assert_string_equal(url, "file:///srv/quay");
	assert_int_equal(image_ref_parse("busybox", &r, &err), 0);
	assert_int_equal(image_lookaside_url(dir, &r, url, sizeof(url), &err), 0);
	assert_string_equal(url, "file:///srv/all");
	assert_int_equal(image_lookaside_dir(url, sigs, sizeof(sigs), &err), 0);
	assert_string_equal(sigs, "/srv/all");
	f = fopen(path, "w");
	fputs("docker: [unclosed\n", f);
	fclose(f);
	assert_int_equal(image_lookaside_url(dir, &r, url, sizeof(url), &err), -1);
	assert_non_null(strstr(err.msg, "a.yaml: line "));
	unlink(path);
	rmdir(dir);
	assert_int_equal(image_lookaside_url(dir, &r, url, sizeof(url), &err), 0);
	assert_string_equal(url, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(policy_types_are_read),
		cmocka_unit_test(key_paths_and_key_data_are_read),
		cmocka_unit_test(malformed_policies_name_the_json_path),
		cmocka_unit_test(the_most_specific_scope_applies),
		cmocka_unit_test(claims_are_checked_against_the_image),
		cmocka_unit_test(lookasides_come_from_registries_d),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

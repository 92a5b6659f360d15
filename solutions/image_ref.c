/**
 * @file image_ref.c
 * @brief Step 11: image references — "busybox", "quay.io/podman/hello:latest",
 *        "127.0.0.1:5000/busybox@sha256:..." — split into registry, repository, tag and
 *        digest, with docker's defaults (docker.io, library/, latest).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "image.h"

/** Is the first component @p first (of length @p len) a registry host? */
static bool
is_host(const char *first, size_t len)
{
	return memchr(first, '.', len) || memchr(first, ':', len) ||
	       (len == 9 && strncmp(first, "localhost", 9) == 0);
}

/** Split "REPO[:TAG]" (@p rest) into @p r's repo and tag. */
static int
split_tag(const char *rest, struct image_ref *r, struct nook_error *err)
{
	const char *slash = strrchr(rest, '/'), *colon = strrchr(slash ? slash : rest, ':');
	size_t len = colon ? (size_t)(colon - rest) : strlen(rest);

	if (len == 0 || len >= sizeof(r->repo) ||
	    strspn(rest, "abcdefghijklmnopqrstuvwxyz0123456789._-/") < len)
		return nook_fail(err, 0, "\"%s\": not a repository name", rest);
	snprintf(r->repo, sizeof(r->repo), "%.*s", (int)len, rest);
	if (colon && (strlen(colon + 1) == 0 || strlen(colon + 1) >= sizeof(r->tag) ||
		      strspn(colon + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					"0123456789._-") != strlen(colon + 1)))
		return nook_fail(err, 0, "\"%s\": not a tag", colon + 1);
	snprintf(r->tag, sizeof(r->tag), "%s", colon ? colon + 1 : (r->digest[0] ? "" : "latest"));
	return 0;
}

/** Parse @p ref into @p r. Returns 0, or -1 with @p err. */
int
image_ref_parse(const char *ref, struct image_ref *r, struct nook_error *err)
{
	char buf[512];
	const char *at = strchr(ref, '@'), *slash, *rest;

	memset(r, 0, sizeof(*r));
	if (strlen(ref) >= sizeof(buf) || image_normal_name(ref, r->name, sizeof(r->name), err))
		return nook_fail(err, 0, "\"%s\": not an image reference", ref);
	snprintf(buf, sizeof(buf), "%.*s", at ? (int)(at - ref) : (int)strlen(ref), ref);
	if (at && !image_digest_valid(at + 1))
		return nook_fail(err, 0, "\"%s\": not a digest", at + 1);
	if (at)
		snprintf(r->digest, sizeof(r->digest), "%s", at + 1);
	slash = strchr(buf, '/');
	if (slash && is_host(buf, (size_t)(slash - buf))) {
		snprintf(r->host, sizeof(r->host), "%.*s", (int)(slash - buf), buf);
		rest = slash + 1;
	} else {
		snprintf(r->host, sizeof(r->host), "registry-1.docker.io");
		rest = buf;
	}
	if (strcmp(r->host, "docker.io") == 0)
		snprintf(r->host, sizeof(r->host), "registry-1.docker.io");
	if (split_tag(rest, r, err) < 0)
		return -1;
	if (strcmp(r->host, "registry-1.docker.io") == 0 && !strchr(r->repo, '/')) {
		if (strlen(r->repo) + 8 >= sizeof(r->repo))
			return nook_fail(err, 0, "\"%s\": not a repository name", r->repo);
		memmove(r->repo + 8, r->repo, strlen(r->repo) + 1);
		memcpy(r->repo, "library/", 8);
	}
	return 0;
}

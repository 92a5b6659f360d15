/**
 * @file image_registry.c
 * @brief Step 11: `nook pull` — an image fetched from an OCI distribution registry over
 *        HTTP(S) with libcurl, its blobs checked as they stream into the store.
 *
 * The distribution spec (what docker.io, quay.io, ghcr.io and Debian's docker-registry
 * speak) is plain HTTP on /v2/:
 *
 *  1. GET /v2/REPO/manifests/TAG, saying in Accept which manifest formats we read. The
 *     answer is a manifest, or an index ("manifest list") naming one manifest per
 *     platform: then we pick linux/amd64 and GET that manifest by its digest, and check
 *     that its bytes have that digest.
 *  2. GET /v2/REPO/blobs/DIGEST for the config and each layer the store does not have.
 *     Registries often answer with a redirect to a storage service; libcurl follows it
 *     (and does not send our token there). Each chunk goes into a sink (image_digest.c)
 *     as it arrives: hashed, counted, written to the scratch file.
 *
 * A blob whose transfer breaks is kept, as far as it came, in STORE/partial/ and resumed
 * by the next pull with a Range request (image_partial.c). On a terminal, each blob's
 * progress is drawn on stderr as it streams.
 *
 * Authentication: a registry that wants a token answers 401 with
 * `WWW-Authenticate: Bearer realm="https://auth...",service="...",scope="repository:
 * library/busybox:pull"`; we GET the realm with service and scope as query parameters,
 * read {"token": ...} (or "access_token") from the JSON answer, and retry with
 * `Authorization: Bearer TOKEN`. Anonymous pulls from docker.io work this way.
 *
 * A reference is `[HOST[:PORT]/]REPO[:TAG][@DIGEST]`; a first component with a dot or a
 * colon, or "localhost", is a host, else the host is docker.io and a one-component REPO
 * is in "library/". HTTPS always, but for a registry on loopback (127.0.0.1, ::1,
 * localhost) or with --insecure, which speak plain HTTP, as docker treats them.
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image.h"
#include "image_policy.h"

/** One registry conversation. */
struct http {
	CURL *curl;
	const struct image_ref *ref;
	const char *scheme;	    /**< "https" or "http" */
	char token[8192];	    /**< the bearer token, once we have one */
	char auth[2048];	    /**< the last WWW-Authenticate header */
	char type[256];		    /**< the last Content-Type */
	char *body;		    /**< a small answer, when not into a sink */
	size_t len;		    /**< its length */
	struct image_sink *sink;    /**< where a blob goes, or NULL */
	bool overflow;		    /**< a small answer was too big */
	bool broken;		    /**< the transfer broke (not refused): worth resuming */
	const char *root;	    /**< the store's directory: its partial/ */
	struct image_partial *part; /**< the blob's kept bytes, while one is fetched */
	int64_t skip;		    /**< bytes of a 200's body the partial file had */
	long long range_start;	    /**< a 206's Content-Range start, or -1 */
	bool progress;		    /**< draw progress on stderr (a terminal) */
	double drawn;		    /**< when it was last drawn */
};

/** Copy @p len bytes of @p s into @p buf (of @p size), trimmed of spaces and CRLF. */
static void
copy_trimmed(char *buf, size_t size, const char *s, size_t len)
{
	while (len > 0 && (s[len - 1] == '\r' || s[len - 1] == '\n' || s[len - 1] == ' '))
		len--;
	while (len > 0 && *s == ' ')
		s++, len--;
	snprintf(buf, size, "%.*s", (int)len, s);
}

/** libcurl's header callback: keep WWW-Authenticate and Content-Type. */
static size_t
on_header(char *data, size_t one, size_t n, void *ctx)
{
	struct http *h = ctx;

	(void)one;
	if (n > 17 && strncasecmp(data, "WWW-Authenticate:", 17) == 0)
		copy_trimmed(h->auth, sizeof(h->auth), data + 17, n - 17);
	else if (n > 13 && strncasecmp(data, "Content-Type:", 13) == 0)
		copy_trimmed(h->type, sizeof(h->type), data + 13, n - 13);
	else if (n > 14 && strncasecmp(data, "Content-Range:", 14) == 0 &&
		 sscanf(data + 14, " bytes %lld-", &h->range_start) != 1)
		h->range_start = -1;
	return n;
}

/** Seconds on the monotonic clock. */
static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/** Draw the blob's progress bar on stderr, at most ten times a second unless @p last. */
static void
draw_progress(struct http *h, bool last)
{
	const struct image_sink *s = h->sink;
	double t = now(), mib = 1024.0 * 1024.0;
	int width = 30, full = s->max > 0 ? (int)(s->size * width / s->max) : width;

	if (!last && t - h->drawn < 0.1)
		return;
	h->drawn = t;
	fprintf(stderr, "\r%.19s %8.1f / %.1f MiB [%.*s%*s]%s", s->what + 5, (double)s->size / mib,
		(double)s->max / mib, full, "##############################", width - full, "",
		last ? "\n" : "");
}

/** A blob's chunk: checked as the resumed part it should be, into the sink and kept. */
static size_t
blob_chunk(struct http *h, long code, char *data, size_t n)
{
	size_t skip = code == 200 && h->skip > 0
			      ? (size_t)(h->skip < (int64_t)n ? h->skip : (int64_t)n)
			      : 0;

	if (code == 206 && h->range_start != (long long)h->part->have) {
		nook_fail(h->sink->err, 0, "%s: asked for bytes %lld on, sent from %lld",
			  h->sink->what, (long long)h->part->have, h->range_start);
		return 0;
	}
	h->skip -= (int64_t)skip;
	if (image_sink_write(h->sink, data + skip, n - skip) < 0)
		return 0;
	image_partial_write(h->part, data + skip, n - skip);
	if (h->progress)
		draw_progress(h, false);
	return n;
}

/** libcurl's write callback: a 200's body into the sink, or kept (at most IMAGE_MAX_JSON). */
static size_t
on_body(char *data, size_t one, size_t n, void *ctx)
{
	struct http *h = ctx;
	long code = 0;
	char *more;

	(void)one;
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &code);
	if (h->sink && (code == 200 || code == 206))
		return blob_chunk(h, code, data, n);
	if (h->len + n > IMAGE_MAX_JSON) {
		h->overflow = true;
		return 0;
	}
	if (!(more = realloc(h->body, h->len + n + 1)))
		return 0;
	h->body = more;
	memcpy(h->body + h->len, data, n);
	h->len += n;
	h->body[h->len] = '\0';
	return n;
}

/** Limit libcurl to HTTP and HTTPS, redirects included. */
static void
only_http(CURL *c)
{
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(c, CURLOPT_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS);
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS);
#endif
}

/** GET @p url (with @p accept, and our token) into h->body or h->sink; the status. */
static long
get(struct http *h, const char *url, const char *accept, struct nook_error *err)
{
	struct curl_slist *hdr = NULL;
	char line[8300];
	long code = 0;
	CURLcode rc;

	free(h->body);
	h->body = NULL, h->len = 0, h->overflow = h->broken = false, h->range_start = -1;
	h->auth[0] = h->type[0] = '\0';
	if (accept)
		hdr = curl_slist_append(hdr, accept);
	if (h->sink && h->part && h->part->have > 0) { /* resume: the bytes not kept */
		snprintf(line, sizeof(line), "Range: bytes=%lld-", (long long)h->part->have);
		hdr = curl_slist_append(hdr, line);
	}
	if (h->token[0]) {
		snprintf(line, sizeof(line), "Authorization: Bearer %s", h->token);
		hdr = curl_slist_append(hdr, line);
	}
	curl_easy_reset(h->curl);
	curl_easy_setopt(h->curl, CURLOPT_URL, url);
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h->curl, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h->curl, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(h->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h->curl, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(h->curl, CURLOPT_USERAGENT, "nook/0.11");
	curl_easy_setopt(h->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h->curl, CURLOPT_HEADERDATA, h);
	curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, h);
	only_http(h->curl);
	rc = curl_easy_perform(h->curl);
	curl_slist_free_all(hdr);
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &code);
	if (rc == CURLE_WRITE_ERROR && h->overflow)
		return nook_fail(err, 0, "%s: more than %d bytes", url, IMAGE_MAX_JSON);
	if (rc == CURLE_WRITE_ERROR && h->sink)
		return -1; /* the sink said why, into err */
	if (rc != CURLE_OK) {
		h->broken = rc != CURLE_WRITE_ERROR;
		return nook_fail(err, 0, "%s: %s", url, curl_easy_strerror(rc));
	}
	return code;
}

/** Copy the quoted value of @p key= in the challenge @p h into @p buf. */
static void
auth_param(const char *h, const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key);
	const char *p = h, *end;

	buf[0] = '\0';
	while ((p = strstr(p, key))) {
		if ((p == h || p[-1] == ' ' || p[-1] == ',') && p[klen] == '=' &&
		    p[klen + 1] == '"' && (end = strchr(p + klen + 2, '"'))) {
			snprintf(buf, size, "%.*s", (int)(end - p - klen - 2), p + klen + 2);
			return;
		}
		p += klen;
	}
}

/**
 * Read a `WWW-Authenticate: Bearer realm="...",service="...",scope="..."` challenge.
 * Returns 0 when it is a Bearer challenge with a realm, else -1.
 */
int
image_auth_parse(const char *header, char *realm, size_t realm_size, char *service,
		 size_t service_size, char *scope, size_t scope_size)
{
	if (strncasecmp(header, "Bearer ", 7) != 0)
		return -1;
	auth_param(header + 7, "realm", realm, realm_size);
	auth_param(header + 7, "service", service, service_size);
	auth_param(header + 7, "scope", scope, scope_size);
	return realm[0] ? 0 : -1;
}

/** Answer the challenge in h->auth: fetch a token from its realm into h->token. */
static int
get_token(struct http *h, struct nook_error *err)
{
	char realm[1024], service[256], scope[512], url[2400];
	char *es = NULL, *esc = NULL;
	const char *tok;
	json_t *j;
	long code;

	if (image_auth_parse(h->auth, realm, sizeof(realm), service, sizeof(service), scope,
			     sizeof(scope)) < 0)
		return nook_fail(err, 0, "%s: unauthorized, and no Bearer challenge (\"%s\")",
				 h->ref->host, h->auth);
	es = curl_easy_escape(h->curl, service, 0);
	esc = curl_easy_escape(h->curl, scope, 0);
	snprintf(url, sizeof(url), "%s%sservice=%s&scope=%s", realm, strchr(realm, '?') ? "&" : "?",
		 es ? es : "", esc ? esc : "");
	curl_free(es);
	curl_free(esc);
	h->token[0] = '\0';
	if ((code = get(h, url, NULL, err)) < 0)
		return -1;
	j = code == 200 && h->body ? json_loads(h->body, 0, NULL) : NULL;
	tok = json_string_value(json_object_get(j, "token"))
		      ?: json_string_value(json_object_get(j, "access_token"));
	if (!tok || strlen(tok) >= sizeof(h->token)) {
		json_decref(j);
		return nook_fail(err, 0, "%s: no token from %s (HTTP %ld)", h->ref->host, realm,
				 code);
	}
	snprintf(h->token, sizeof(h->token), "%s", tok);
	json_decref(j);
	return 0;
}

/** GET /v2/REPO/@p what, authenticating once if asked to; it must answer 200. */
static int
get_v2(struct http *h, const char *what, const char *accept, struct nook_error *err)
{
	char url[1024];
	long code;

	snprintf(url, sizeof(url), "%s://%s/v2/%s/%s", h->scheme, h->ref->host, h->ref->repo, what);
	code = get(h, url, accept, err);
	if (code == 401 && get_token(h, err) == 0)
		code = get(h, url, accept, err);
	if (code < 0)
		return -1;
	if (code != 200 && !(code == 206 && h->sink && h->part && h->part->have > 0))
		return nook_fail(err, 0, "%s: HTTP %ld", url, code);
	return 0;
}

/** A broken transfer's error, told that its bytes are kept: the next pull resumes. */
static void
say_kept(const struct image_partial *p, const char *digest, struct nook_error *err)
{
	char msg[sizeof(err->msg)];
	struct stat st;

	if (stat(p->path, &st) < 0 || st.st_size == 0)
		return;
	snprintf(msg, sizeof(msg), "%s", err->msg);
	nook_fail(err, 0, "%s (%lld bytes of %.19s kept: pull again to resume)", msg,
		  (long long)st.st_size, digest);
}

/** The image_source's fetch: stream blob @p d into @p sink. */
static int
fetch_blob(void *ctx, const struct image_desc *d, struct image_sink *sink, struct nook_error *err)
{
	struct http *h = ctx;
	struct image_partial part;
	char what[128];
	int ret;

	snprintf(what, sizeof(what), "blobs/%s", d->digest);
	if (image_partial_open(&part, h->root, d, sink) < 0)
		return -1;
	h->sink = sink, h->part = &part, h->skip = part.have;
	ret = get_v2(h, what, NULL, err);
	if (h->progress)
		draw_progress(h, true);
	image_partial_close(&part, ret < 0 && h->broken);
	if (ret < 0 && h->broken)
		say_kept(&part, d->digest, err);
	h->sink = NULL, h->part = NULL;
	return ret;
}

static const char accept_all[] =
	"Accept: " MT_OCI_MANIFEST ", " MT_DOCKER_MANIFEST ", " MT_OCI_INDEX ", " MT_DOCKER_LIST;

/** Is the answer in @p h an index (by Content-Type, or by its mediaType)? */
static bool
is_index(const struct http *h)
{
	json_t *j = json_loadb(h->body, h->len, 0, NULL);
	const char *mt = json_string_value(json_object_get(j, "mediaType"));
	bool idx = strncmp(h->type, MT_OCI_INDEX, strlen(MT_OCI_INDEX)) == 0 ||
		   strncmp(h->type, MT_DOCKER_LIST, strlen(MT_DOCKER_LIST)) == 0 ||
		   (mt && (strcmp(mt, MT_OCI_INDEX) == 0 || strcmp(mt, MT_DOCKER_LIST) == 0)) ||
		   (!mt && json_object_get(j, "manifests"));

	json_decref(j);
	return idx;
}

/** GET manifest @p what (a tag or digest); a digest's bytes are checked against it. */
static int
get_manifest(struct http *h, const char *what, struct nook_error *err)
{
	char path[256], got[IMAGE_DIGEST_LEN];

	snprintf(path, sizeof(path), "manifests/%s", what);
	if (get_v2(h, path, accept_all, err) < 0)
		return -1;
	if (!h->body)
		return nook_fail(err, 0, "%s: an empty manifest", what);
	if (strncmp(what, "sha256:", 7) == 0 &&
	    (image_sha256(h->body, h->len, got) < 0 || strcmp(got, what) != 0))
		return nook_fail(err, 0, "manifest %s: digest mismatch: the content is %s", what,
				 got);
	return 0;
}

/**
 * The image's manifest into h->body: the reference's, through an index if need be; the
 * digest of what the reference names (the index, if any: what signatures sign) into @p top.
 */
static int
resolve_manifest(struct http *h, char top[IMAGE_DIGEST_LEN], struct nook_error *err)
{
	char digest[IMAGE_DIGEST_LEN];

	if (get_manifest(h, h->ref->digest[0] ? h->ref->digest : h->ref->tag, err) < 0 ||
	    image_sha256(h->body, h->len, top) < 0)
		return -1;
	if (!is_index(h))
		return 0;
	if (image_pick_platform(h->body, h->len, digest, err) < 0 ||
	    get_manifest(h, digest, err) < 0)
		return -1;
	if (is_index(h))
		return nook_fail(err, 0, "manifest %s: an index within an index", digest);
	return 0;
}

/** Is @p host a loopback name (plain HTTP by default)? */
static bool
loopback(const char *host)
{
	return strncmp(host, "127.", 4) == 0 || strncmp(host, "localhost", 9) == 0 ||
	       strncmp(host, "[::1]", 5) == 0;
}

/**
 * Pull @p refstr into the store: its manifest (linux/amd64's, from an index), config and
 * layers, each checked, once @p trust (or NULL) allows the manifest (image_trust.c).
 * @p insecure: plain HTTP. Returns 0 with @p rec, or -1 with @p err; nothing is stored then.
 */
int
image_pull(struct image_store *s, const char *refstr, bool insecure,
	   const struct image_trust *trust, struct image_record *rec, struct nook_error *err)
{
	char top[IMAGE_DIGEST_LEN];
	struct image_ref ref;
	struct http *h;
	int ret = -1;

	if (image_ref_parse(refstr, &ref, err) < 0)
		return -1;
	if (!(h = calloc(1, sizeof(*h))) || !(h->curl = curl_easy_init())) {
		free(h);
		return nook_fail(err, 0, "curl_easy_init failed");
	}
	h->ref = &ref;
	h->root = s->root;
	h->progress = isatty(STDERR_FILENO);
	h->scheme = insecure || loopback(ref.host) ? "http" : "https";
	if (resolve_manifest(h, top, err) == 0 &&
	    (!trust || image_trust_check(trust, &ref, top, err) == 0)) {
		struct image_source src = {fetch_blob, h};
		char *manifest = h->body;
		size_t len = h->len;

		h->body = NULL;
		ret = image_store_add(s, manifest, len, ref.name, &src, rec, err);
		free(manifest);
	}
	free(h->body);
	curl_easy_cleanup(h->curl);
	free(h);
	return ret;
}

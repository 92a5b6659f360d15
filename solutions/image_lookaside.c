/**
 * @file image_lookaside.c
 * @brief Step 11: where an image's signatures are — registries.d, as
 *        containers-registries.d(5) describes it, read with libyaml.
 *
 * A registry stores manifests and blobs, not signatures: simple-signing signatures live
 * beside it, on a "lookaside" server or directory that skopeo writes into and that every
 * client is told about in /etc/containers/registries.d/ *.yaml:
 *
 *     default-docker:
 *       lookaside: file:///var/lib/containers/sigstore
 *     docker:
 *       127.0.0.1:5000/busybox:
 *         lookaside: file:///srv/signatures
 *
 * The most specific entry for an image (registry/repo, its parent namespaces, registry)
 * wins, else default-docker's. "sigstore" is the old name of "lookaside", read as well.
 * Under a lookaside URL, the signatures of manifest sha256:HEX of repository REPO (its
 * path without the registry) are `REPO@sha256=HEX/signature-1`, `signature-2`, ... up to the
 * first missing one. nook reads file:// lookasides; an http(s) one is refused, in one
 * line (skopeo's lookaside server can be mirrored into a directory).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "image_policy.h"

/** The value of @p key in mapping @p map of @p doc, or NULL. */
static yaml_node_t *
get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);

		if (k && k->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)k->data.scalar.value, key) == 0)
			return yaml_document_get_node(doc, p->value);
	}
	return NULL;
}

/** The lookaside (or sigstore) URL of entry @p e, or NULL. */
static const char *
lookaside_of(yaml_document_t *doc, yaml_node_t *e)
{
	yaml_node_t *v = get(doc, e, "lookaside");

	if (!v)
		v = get(doc, e, "sigstore");
	return v && v->type == YAML_SCALAR_NODE ? (const char *)v->data.scalar.value : NULL;
}

/** How specific @p scope is for the image named @p name ("host/repo"): its length, or -1. */
static int
specificity(const char *scope, const char *name)
{
	size_t n = strlen(scope);

	if (strncmp(name, scope, n) != 0 || (name[n] != '\0' && name[n] != '/'))
		return -1;
	return (int)n;
}

/** In the file @p path: the best entry for @p name, if better than *@p best, into @p url. */
static int
read_file(const char *path, const char *name, int *best, char *url, size_t size,
	  struct nook_error *err)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	FILE *f = fopen(path, "re");
	yaml_node_t *root, *docker, *k;
	const char *u;
	int ok;

	if (!f)
		return nook_fail(err, errno, "registries.d %s", path);
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	ok = yaml_parser_load(&parser, &doc);
	if (!ok) {
		nook_fail(err, 0, "registries.d %s: line %zu: %s", path,
			  parser.problem_mark.line + 1, parser.problem ?: "not YAML");
		yaml_parser_delete(&parser);
		fclose(f);
		return -1;
	}
	root = yaml_document_get_root_node(&doc);
	if ((u = lookaside_of(&doc, get(&doc, root, "default-docker"))) && *best < 0) {
		snprintf(url, size, "%s", u);
		*best = 0;
	}
	docker = get(&doc, root, "docker");
	if (docker && docker->type == YAML_MAPPING_NODE)
		for (yaml_node_pair_t *p = docker->data.mapping.pairs.start;
		     p < docker->data.mapping.pairs.top; p++) {
			k = yaml_document_get_node(&doc, p->key);
			int n = k && k->type == YAML_SCALAR_NODE
					? specificity((const char *)k->data.scalar.value, name)
					: -1;

			u = lookaside_of(&doc, yaml_document_get_node(&doc, p->value));
			if (u && n + 1 > *best) {
				snprintf(url, size, "%s", u);
				*best = n + 1;
			}
		}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(f);
	return 0;
}

/** Is @p name a *.yaml file name? */
static int
is_yaml(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 && strcmp(d->d_name + n - 5, ".yaml") == 0;
}

/**
 * The lookaside URL for @p ref configured in the registries.d directory @p registries_d
 * (its *.yaml files, in name order), into @p url: "" when none is (or there is no such
 * directory). Returns 0, or -1 with @p err when a file cannot be read.
 */
int
image_lookaside_url(const char *registries_d, const struct image_ref *ref, char *url, size_t size,
		    struct nook_error *err)
{
	struct dirent **names;
	char name[600], path[PATH_MAX];
	int n, best = -1, ret = 0;

	url[0] = '\0';
	snprintf(name, sizeof(name), "%s/%s", image_ref_host(ref), ref->repo);
	if ((n = scandir(registries_d, &names, is_yaml, alphasort)) < 0)
		return errno == ENOENT ? 0 : nook_fail(err, errno, "registries.d %s", registries_d);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", registries_d, names[i]->d_name);
		if (ret == 0)
			ret = read_file(path, name, &best, url, size, err);
		free(names[i]);
	}
	free(names);
	return ret;
}

/**
 * The directory a lookaside @p url names (file:///DIR), into @p dir. Returns 0, or -1
 * with @p err for another scheme.
 */
int
image_lookaside_dir(const char *url, char *dir, size_t size, struct nook_error *err)
{
	if (strncmp(url, "file://", 7) != 0 || url[7] != '/')
		return nook_fail(err, 0, "lookaside %s: nook reads only file:///DIR lookasides",
				 url);
	if ((size_t)snprintf(dir, size, "%s", url + 7) >= size)
		return nook_fail(err, 0, "lookaside %s: too long", url);
	return 0;
}

/**
 * @file cdi.h
 * @brief Step 11: devices for `nook run IMAGE` — `--device /dev/X[:PATH][:rwm]`
 *        (device_opt.c) and the Container Device Interface, `--device vendor.com/class=name`
 *        (cdi.c, cdi_yaml.c).
 *
 * Both end as edits of the bundle's config.json, which the step-10 runtime then applies
 * as it applies any config: linux.devices (a node made in the container's /dev),
 * linux.resources.devices (the device cgroup's allow rule), and for CDI mounts[],
 * process.env, hooks and process.user.additionalGids. Nothing is done to the host: a
 * device option is checked and turned into JSON before the container exists.
 */
#ifndef NOOK_CDI_H
#define NOOK_CDI_H

#include <limits.h>
#include <stdbool.h>

#include "nook.h"

/** How many --device options one `nook run` takes. */
#define NOOK_MAX_DEVICE_OPTS 32
/** How many --cdi-spec-dir options (and $NOOK_CDI_SPEC_DIRS entries). */
#define CDI_MAX_DIRS 8

/** One `--device HOST[:PATH][:ACCESS]`: a host device node given to the container. */
struct device_opt {
	char host[PATH_MAX]; /**< the node on the host: "/dev/null" */
	char path[PATH_MAX]; /**< where the container sees it (default: the same path) */
	char access[4];	     /**< the device cgroup's access: some of "rwm" (default "rwm") */
};

/** A device node for config.json: one linux.devices entry and its allow rule. */
struct device_node {
	const char *path; /**< in the container */
	char type;	  /**< 'c', 'b' or 'p' */
	long major, minor;
	unsigned mode; /**< permission bits */
	unsigned uid, gid;
	char access[4]; /**< the allow rule's access, "rwm" */
};

/* device_opt.c */
bool device_opt_is_cdi(const char *arg);
bool device_access_valid(const char *access);
int device_opt_parse(const char *arg, struct device_opt *d, struct nook_error *err);
int device_node_stat(const char *host, struct device_node *n, const char *what,
		     struct nook_error *err);
void device_node_add(void *spec, const struct device_node *n);
int device_opt_apply(void *spec, const struct device_opt *d, struct nook_error *err);
void *spec_array_of(void *obj, const char *key);
void *spec_object_of(void *obj, const char *key);

/* cdi.c */

/** Where CDI specs are looked for, lowest priority first: a later one wins. */
struct cdi_dirs {
	const char *dir[CDI_MAX_DIRS];
	int n;
};

bool cdi_name_valid(const char *name);
void cdi_default_dirs(struct cdi_dirs *d);
void *cdi_spec_load(const char *path, struct nook_error *err);
int cdi_spec_check(void *doc, const char *path, struct nook_error *err);
int cdi_apply(void *spec, const char *name, const struct cdi_dirs *dirs, struct nook_error *err);

/* cdi_yaml.c */
void *cdi_yaml_load(const char *text, size_t len, const char *path, struct nook_error *err);

#endif

/**
 * @file oci.h
 * @brief Step 10: what an OCI bundle's config.json says beyond the stages' own fields,
 *        and the runtime's pieces (the config reader, the bundle's root, saved state).
 *
 * The config reader (oci_config.c) fills the same struct nook_container the step
 * programs' command lines fill, through the stages' typed setters; what only the runtime
 * uses (the root directory, mounts[], rlimits, ...) is kept in a struct nook_oci that the
 * container points to, for the oci stage (oci_root.c) to apply inside.
 */
#ifndef NOOK_OCI_H
#define NOOK_OCI_H

#include <limits.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "nook.h"

/** How many mounts[] one config may have. */
#define OCI_MAX_MOUNTS 64
/** How many process.rlimits. */
#define OCI_MAX_RLIMITS 16
/** How many process.user.additionalGids. */
#define OCI_MAX_GIDS 32
/** How many linux.sysctl entries. */
#define OCI_MAX_SYSCTL 32

/** One entry of mounts[], its options split into mount(2)'s flags and data. */
struct oci_mount {
	const char *destination;   /**< absolute, inside the container */
	const char *type;	   /**< "proc", "tmpfs", "bind", ... ("" for a bind without one) */
	char source[PATH_MAX];	   /**< a bind's source made absolute (relative: to the bundle) */
	unsigned long flags;	   /**< MS_RDONLY, MS_NOSUID, ..., MS_BIND, MS_REC */
	unsigned long propagation; /**< MS_PRIVATE, MS_SLAVE, ... (with MS_REC), or 0 */
	char data[512];		   /**< the options mount(2) passes on: "mode=755,size=65536k" */
};

/** One process.rlimits entry. */
struct oci_rlimit {
	int resource;	  /**< RLIMIT_NOFILE, ... */
	struct rlimit rl; /**< soft and hard */
};

/** One linux.sysctl entry. */
struct oci_sysctl {
	const char *key, *value; /**< "net.ipv4.ip_forward", "1" */
};

/** What config.json says that no step stage has a field for. */
struct nook_oci {
	void *doc;		  /**< the parsed config.json (json_t): its strings are used */
	char bundle[PATH_MAX];	  /**< the bundle directory, absolute */
	char root[PATH_MAX];	  /**< root.path, absolute */
	char fifo[PATH_MAX];	  /**< the state directory's exec.fifo (oci_root.c) */
	bool root_readonly;	  /**< root.readonly */
	const char *cwd;	  /**< process.cwd */
	bool terminal;		  /**< process.terminal */
	char **argv;		  /**< process.args, NULL-terminated (owned) */
	int clone_flags;	  /**< the new namespaces linux.namespaces asks for */
	gid_t gids[OCI_MAX_GIDS]; /**< process.user.additionalGids */
	int ngids;
	bool has_umask;	    /**< process.user.umask given */
	mode_t umask;	    /**< process.user.umask */
	bool has_oom_score; /**< process.oomScoreAdj given */
	int oom_score_adj;  /**< process.oomScoreAdj */
	struct oci_rlimit rlimit[OCI_MAX_RLIMITS];
	int nrlimits;
	struct oci_mount mount[OCI_MAX_MOUNTS];
	int nmounts;
	struct oci_sysctl sysctl[OCI_MAX_SYSCTL];
	int nsysctl;
	unsigned long propagation;	     /**< linux.rootfsPropagation as MS_*, or 0 */
	const char *cgroups_path;	     /**< linux.cgroupsPath (not used yet) */
	struct nook_seccomp_profile seccomp; /**< linux.seccomp, when has_seccomp */
	bool has_seccomp;
};

/* oci_config.c */
int oci_config_parse(const char *text, const char *bundle, struct nook_container *c,
		     struct nook_oci *o, struct nook_error *err);
int oci_config_load(const char *bundle, struct nook_container *c, struct nook_oci *o,
		    struct nook_error *err);
void oci_config_free(struct nook_oci *o);
int oci_mount_options(struct oci_mount *m, const char *where, void *options,
		      struct nook_error *err);

/* oci_root.c */
extern const struct nook_stage oci_stage;

#endif

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

/** How many linux.devices (podman --privileged lists each of the host's). */
#define OCI_MAX_DEVICES 512

/** One linux.devices entry: a node made in the container's root (oci_devices.c). */
struct oci_device {
	const char *path; /**< absolute, inside: "/dev/fuse" */
	char type;	  /**< 'c', 'b', 'u' (unbuffered: a 'c') or 'p' (a FIFO) */
	long major, minor;
	mode_t mode; /**< fileMode's permission bits */
	uid_t uid;
	gid_t gid;
};

/** One linux.sysctl entry. */
struct oci_sysctl {
	const char *key, *value; /**< "net.ipv4.ip_forward", "1" */
};

/** Most hooks of one kind. */
#define OCI_MAX_HOOKS 8

/** The kinds of hooks nook runs, in config.json's "hooks" order. */
enum oci_hook_kind {
	OCI_HOOK_PRESTART,	   /**< deprecated twin of createRuntime, run before it */
	OCI_HOOK_CREATE_RUNTIME,   /**< on the host, after the namespaces exist, before pivot */
	OCI_HOOK_POSTSTART,	   /**< on the host, once the command runs */
	OCI_HOOK_POSTSTOP,	   /**< on the host, when the container is deleted */
	OCI_HOOK_CREATE_CONTAINER, /**< inside, its mounts made, before pivot: a host path */
	OCI_HOOK_START_CONTAINER,  /**< inside, at start, before the command: its own path */
	OCI_NHOOK_KINDS,
};

/** One hook: a program run with the container's state on its stdin. */
struct oci_hook {
	const char *path; /**< absolute */
	char **args;	  /**< NULL-terminated, owned; NULL: just path */
	char **env;	  /**< NULL-terminated, owned; NULL: empty */
	int timeout;	  /**< seconds, 0: none */
};

/** What config.json says that no step stage has a field for. */
struct nook_oci {
	void *doc;	       /**< the parsed config.json (json_t): its strings are used */
	void *proc_doc;	       /**< exec --process: that file, parsed (json_t), or NULL */
	char bundle[PATH_MAX]; /**< the bundle directory, absolute */
	char root[PATH_MAX];   /**< root.path, absolute */
	char fifo[PATH_MAX];   /**< the state directory's exec.fifo (oci_root.c) */
	bool root_readonly;    /**< root.readonly */
	const char *cwd;       /**< process.cwd */
	bool terminal;	       /**< process.terminal */
	char **argv;	       /**< process.args, NULL-terminated (owned) */
	int clone_flags;       /**< the new namespaces linux.namespaces asks for */
	struct {
		int type;	  /**< CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, ... */
		const char *path; /**< the namespace to join: /run/netns/NAME, /proc/PID/ns/net */
	} join[7];		  /**< namespaces joined by path (linux.namespaces[].path) */
	int njoin;
	int join_flags;		  /**< the CLONE_NEW* types of join[], or'ed */
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
	unsigned long propagation; /**< linux.rootfsPropagation as MS_*, or 0 */
	const char *cgroups_path;  /**< linux.cgroupsPath as written, or NULL */
	char cgroup_rel[96];	   /**< it below each hierarchy's root: c->cgroup.path */
	struct oci_hook hook[OCI_NHOOK_KINDS][OCI_MAX_HOOKS]; /**< hooks, by kind */
	int nhooks[OCI_NHOOK_KINDS];
	pid_t host_pid; /**< in the child: its PID on the host, for the hooks run inside */
	struct oci_device device[OCI_MAX_DEVICES]; /**< linux.devices */
	int ndevices;
	/** linux.resources.devices, then the defaults and linux.devices allowed: the device
	 *  cgroup's rules (c->cgroup.devices points here once there are any). */
	struct nook_device_rule device_rules[NOOK_MAX_DEVICE_RULES];
	int ndevice_rules;
	bool has_device_rules;		     /**< linux.resources.devices was given */
	struct nook_seccomp_profile seccomp; /**< linux.seccomp, when has_seccomp */
	bool has_seccomp;
	const char *overlay; /**< annotations' org.nook.rootfs.overlay, or NULL (oci_overlay.c) */
};

/** The runtime spec version nook writes into state and spec. */
#define OCI_VERSION "1.0.2"

/** What `create` saves for the later commands (oci_state.c). */
struct oci_state {
	char id[NOOK_ID_MAX + 1];
	char dir[PATH_MAX_STATE];		 /**< the state directory BASE/ID */
	char bundle[PATH_MAX];			 /**< the bundle, absolute */
	pid_t pid;				 /**< the container's first process, on the host */
	unsigned long long start_time;		 /**< its start time: /proc/PID/stat field 22 */
	char created[48];			 /**< RFC 3339, UTC */
	void *annotations;			 /**< json_t object, or NULL */
	char cgroups[NOOK_CGROUP_MAX_DIRS][128]; /**< its cgroup directories */
	int ncgroups;
};

/* oci_state.c */
unsigned long long oci_start_time(pid_t pid, char *state);
int oci_state_dir(const char *root, const char *id, struct oci_state *s, struct nook_error *err);
void *oci_state_json(const struct oci_state *s, bool full);
int oci_state_write(const struct oci_state *s, struct nook_error *err);
int oci_state_read(const char *root, const char *id, struct oci_state *s, struct nook_error *err);
bool oci_alive(const struct oci_state *s);
int oci_need_cgroup(const struct oci_state *s, const char *to, struct nook_error *err);

/* oci_procs.c */
pid_t oci_ns_holder(pid_t pid);
int oci_each_process(const struct oci_state *s, void (*fn)(pid_t, void *), void *arg,
		     struct nook_error *err);
const char *oci_status(const struct oci_state *s);
void oci_now(char *buf, size_t size);
void oci_state_free(struct oci_state *s);

/* oci_config.c */
int oci_config_parse(const char *text, const char *bundle, struct nook_container *c,
		     struct nook_oci *o, struct nook_error *err);
int oci_config_load(const char *bundle, struct nook_container *c, struct nook_oci *o,
		    struct nook_error *err);
void oci_config_free(struct nook_oci *o);
int oci_process_load(const char *file, struct nook_container *c, struct nook_oci *o,
		     struct nook_error *err);
int oci_mount_options(struct oci_mount *m, const char *where, void *options,
		      struct nook_error *err);
int oci_resources_parse(const char *text, struct nook_container *c, struct nook_error *err);

/** The annotation of an overlay the runtime mounts on root.path itself (oci_overlay.c). */
#define OCI_OVERLAY_ANNOTATION "org.nook.rootfs.overlay"

/* oci_overlay.c */
int oci_overlay_read(void *doc, struct nook_oci *o, struct nook_error *err);
int oci_overlay_mount(const struct nook_oci *o, bool userns, struct nook_error *err);

/* oci_root.c */
int oci_open_in_root(int rootfd, const char *dest, bool file, struct nook_error *err);

/* oci_devices.c */
int oci_make_devices(const struct nook_oci *o, int rootfd, struct nook_error *err);

/* oci_hooks.c */
int oci_run_hooks(const struct nook_oci *o, enum oci_hook_kind kind, const char *state_json,
		  struct nook_error *err);
int oci_hooks_notify(const struct nook_oci *o, enum oci_hook_kind kind, const char *id,
		     const char *status, pid_t pid, struct nook_error *err);
char *oci_hook_state(const char *id, const char *status, pid_t pid, const char *bundle,
		     void *annotations);

/* oci_cgroupfs.c */
bool oci_cgroupfs_mountable(void);
int oci_cgroupfs_mount(const char *target, unsigned long flags, struct nook_error *err);
int oci_cgroupfs_fill(const char *top, unsigned long flags, struct nook_error *err);

/* oci_root.c */
extern const struct nook_stage oci_stage;
extern const struct nook_stage oci_joined_pid_stage;

/* nook.c and cmd_*.c: the runtime's command line */

/** The global options, before the command. */
struct nook_cli {
	const char *root;  /**< --root: the state base, NULL for the default */
	FILE *log;	   /**< --log: errors go here too, else NULL */
	bool log_json;	   /**< --log-format json */
	bool debug;	   /**< --debug */
	bool run;	   /**< the command is run: a terminal may be the caller's own */
	const char *store; /**< --store: the image store, NULL for the default (image.h) */
	int trace;	   /**< --trace[=time]: NOOK_TRACE_* */
};
extern struct nook_cli nook_cli;

int nook_say(const struct nook_error *err);
/** One option of a runtime command: what getopt_long(3) parses, --help and the page say. */
struct nook_cmd_option {
	const char *name; /**< the long option, without "--" */
	int letter;	  /**< what getopt_long returns; -letter too when in the command's shorts */
	/** The argument's name, or NULL for a flag; "[=WORD]": optional (--name=WORD). */
	const char *arg;
	const char *help; /**< one line */
};

/**
 * A runtime command, described once (command.c): its options are parsed, printed by
 * --help and written into its man page nook-NAME(1) from this one table.
 */
struct nook_command {
	const char *name;    /**< "create"; a form's: "image import" */
	const char *usage;   /**< what follows the name: "[OPTIONS] ID" */
	const char *summary; /**< one line: `nook --help` and the page's NAME */
	const char *about;   /**< the page's DESCRIPTION, one paragraph a line; or NULL */
	const char *shorts;  /**< getopt_long's optstring ("+b:d"); NULL: "+" */
	const struct nook_cmd_option *options; /**< ended by a NULL name; or NULL */
	/** Other forms of the command, each with its usage and options: NULL-ended, or NULL */
	const struct nook_command *const *forms;
	const char *status; /**< EXIT STATUS, or NULL for 0, or 125 with one line on stderr */
	const char *see;    /**< more of SEE ALSO than nook(1), or NULL */
	int (*run)(int argc, char *argv[]);
	/** A command whose options are a table of its own kind (run's image form, whose
	 *  options have setters: cmd_run_options.c) prints --help and its page with these. */
	void (*write_usage)(FILE *out);
	void (*write_man)(FILE *out);
};

int command_getopt(const struct nook_command *cmd, int argc, char *argv[]);
void command_usage(FILE *out, const struct nook_command *cmd);
void command_man(FILE *out, const struct nook_command *cmd);
int command_run(const struct nook_command *cmd, int argc, char *argv[]);

void oci_stages(const struct nook_container *c, const struct nook_oci *o,
		const struct nook_stage **list);
extern const struct nook_stage *const oci_all_stages[];
int oci_remove(const struct oci_state *s, struct nook_error *err);

/** Options of create and run that both share. */
struct oci_create_opts {
	const char *bundle;	    /**< --bundle, default "." */
	const char *pid_file;	    /**< --pid-file */
	const char *console_socket; /**< --console-socket */
	int preserve_fds;	    /**< --preserve-fds */
	bool die_with_parent;	    /**< the container gets SIGKILL should nook die (run) */
};
int oci_create(const char *id, const struct oci_create_opts *opts, struct nook_container *c,
	       struct nook_oci *o, const struct nook_stage **stages, struct nook_error *err);
void oci_forget(struct nook_container *c);

extern const struct nook_cmd_option oci_create_options[];
const char *oci_create_args(const struct nook_command *cmd, int argc, char *argv[],
			    struct oci_create_opts *opts, bool *detach, struct nook_error *err);
const char *oci_one_id(int argc, char *argv[], struct nook_error *err);
int oci_start_fifo(const char *fifo, pid_t pid, struct nook_error *err);
int oci_parse_signal(const char *arg);

int cmd_create(int argc, char *argv[]);
int cmd_start(int argc, char *argv[]);
int cmd_exec(int argc, char *argv[]);
int exec_tty_socket(int *keep, struct nook_error *err);
void exec_tty_relay(int sock);
int cmd_ps(int argc, char *argv[]);
int cmd_pause(int argc, char *argv[]);
int cmd_resume(int argc, char *argv[]);
bool oci_paused(const struct oci_state *s);
int oci_thaw(const struct oci_state *s, struct nook_error *err);
const char *oci_freezer_dir(const char *id, char *buf, size_t size);
int cmd_state(int argc, char *argv[]);
int cmd_kill(int argc, char *argv[]);
int cmd_delete(int argc, char *argv[]);
int cmd_run(int argc, char *argv[]);
int cmd_list(int argc, char *argv[]);
int cmd_spec(int argc, char *argv[]);
int cmd_features(int argc, char *argv[]);
int cmd_update(int argc, char *argv[]);
int cmd_doctor(int argc, char *argv[]);
int cmd_network(int argc, char *argv[]);

/* Step 11: images (image.h), one file per command */
struct image_store;
int image_cli_open(struct image_store *s, bool write, struct nook_error *err);
struct image_policy;
int image_cli_policy(const char *path, struct image_policy *p, bool *have, struct nook_error *err);
int cmd_image(int argc, char *argv[]);
int cmd_image_import(int argc, char *argv[]);
int cmd_image_inspect(int argc, char *argv[]);
int cmd_image_prune(int argc, char *argv[]);
int cmd_images(int argc, char *argv[]);
int cmd_rmi(int argc, char *argv[]);
int cmd_pull(int argc, char *argv[]);
int cmd_run_image(int argc, char *argv[]);
int cmd_commit(int argc, char *argv[]);
int cmd_cp(int argc, char *argv[]);
int oci_run(const char *id, const struct oci_create_opts *opts, bool detach);

/** A container between oci_run_begin() and oci_run_end(): its parent is this process. */
struct oci_running {
	const struct nook_stage *stages[10];
	struct nook_container c;
	struct nook_oci o;
};
int oci_run_begin(const char *id, const struct oci_create_opts *opts, struct oci_running *r,
		  struct nook_error *err);
int oci_run_end(struct oci_running *r, bool wait, struct nook_error *err);
bool cmd_run_is_image(int argc, char *argv[]);

/* Each command's description (struct nook_command), in its cmd_*.c: nook.c lists them */
extern const struct nook_command create_command, start_command, run_command, exec_command,
	pause_command, resume_command, ps_command, update_command, state_command, kill_command,
	delete_command, list_command, spec_command, features_command, doctor_command,
	network_command, logs_command, stop_command, rm_command, inspect_command;
/* in nook-image only (nook.c declares them weak) */
extern const struct nook_command pull_command, image_command, images_command, rmi_command,
	commit_command, cp_command, image_import_form, image_inspect_form, image_prune_form;
void *oci_spec_template(void);
void oci_spec_rootless(void *spec);

#endif

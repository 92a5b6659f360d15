/**
 * @file nook.h
 * @brief The contract every nook primitive is written against.
 *
 * A container is a process started with clone(2) into new namespaces and then prepared,
 * from both sides, before it execs the user's command. nook splits that preparation into
 * *stages*, one per kernel primitive, each in its own file (uts.c, pid.c, ...). A stage is
 * a plain table of what the primitive needs:
 *
 *  - the clone(2) flags it adds (CLONE_NEWUTS, CLONE_NEWPID, ...), and optionally a
 *    flags() hook for a namespace that depends on the configuration (--userns);
 *  - the command-line options it understands, each with a setter that validates at once,
 *    so a bad option is refused before anything exists;
 *  - prepare(): fill in defaults and check the whole configuration, still before clone;
 *  - parent(): run on the host after clone, while the child waits (uid maps, veth, cgroup);
 *  - child(): run inside the new namespaces before exec (sethostname, mounts, ...);
 *  - seal(): optional; the very last thing inside before exec, after the launcher has
 *    given the process its terminal (step 09's filter: it binds all that comes after);
 *  - exec(): optional; replaces the plain exec (step 02's init uses it);
 *  - exited(): optional; on the host once the container ended, to explain its status
 *    (step 06 turns a SIGKILL from the OOM killer into "out of memory");
 *  - cleanup(): run on the host once the container is gone, also after a failure halfway;
 *  - sweep(): optional; remove what a container left when its runtime was killed before
 *    cleanup() could run, knowing only its ID (step 06's cgroup directories); -1 when
 *    something is still there, so that the state directory is kept for a later sweep.
 *
 * The launcher (launch.c) owns what every container has whatever its stages: an ID, a
 * state directory (state.c), a session and standard streams of its own (stdio.c), a clean
 * environment, and the life cycle create → start → wait → destroy.
 *
 * A step program is nothing but a list of stages handed to nook_main(), so step N differs
 * from step N-1 by one entry and the final runtime reuses the very same files.
 *
 * Errors: library code never exits and never prints. A function that can fail returns 0 on
 * success and -1 on failure after filling a struct nook_error with one line that names the
 * failing call and its argument ("sethostname(\"box\"): Invalid argument") and the exit
 * code nook should end with (125 for nook's own errors, 126 and 127 when the command
 * cannot be executed, as docker and podman do). Only main() prints, once.
 */
#ifndef NOOK_H
#define NOOK_H

#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/** Room for a state directory's path: /run/nook/ID or $XDG_RUNTIME_DIR/nook/ID. */
#define PATH_MAX_STATE 256

struct nook_stdio;
struct nook_oci;
struct pollfd;
struct timespec;
/** Exit code for nook's own failures: a bad option, a failed system call. */
#define NOOK_EXIT_FAILURE 125
/** Exit code when the command exists but cannot be executed. */
#define NOOK_EXIT_CANNOT_EXEC 126
/** Exit code when the command is not found. */
#define NOOK_EXIT_NOT_FOUND 127

/** How many --tmpfs mounts one container may have. */
#define NOOK_MAX_TMPFS 16
/** How many ranges (lines) one --uid-map or --gid-map may have. */
#define NOOK_MAX_ID_RANGES 8

/** How many lower layers (--layer) one root filesystem may have. */
#define NOOK_MAX_LAYERS 16
/** How many --volume bind mounts one container may have. */
#define NOOK_MAX_VOLUMES 16
/** How many masked (or read-only) paths one container may have. */
#define NOOK_MAX_MASKED 24

/** Most cgroup directories one container has: one per v1 hierarchy a host may mount. */
#define NOOK_CGROUP_MAX_DIRS 16
/** Most device cgroup rules one container may have. */
#define NOOK_MAX_DEVICE_RULES 1024

/** How many --publish ports one container may have. */
#define NOOK_MAX_PORTS 16
/** Most bytes of a network's name (step 12): letters, digits and "_-". */
#define NOOK_NETNAME_MAX 32

/** Room for one error line: long enough for two paths and a strerror. */
#define NOOK_ERROR_MAX 1024

/** Room for a diagnosis: a few lines of likely causes (diagnose.c). */
#define NOOK_WHY_MAX 1536

/**
 * One line describing what failed, and how nook should exit because of it; then, when the
 * errno has known causes, those likely on this host (diagnose.c), printed after the line.
 */
struct nook_error {
	int code;		  /**< exit code: NOOK_EXIT_* */
	int errnum;		  /**< the failing call's errno, or 0 */
	char msg[NOOK_ERROR_MAX]; /**< "call(argument): strerror" — no program name, no newline */
	char why[NOOK_WHY_MAX];	  /**< "  - CAUSE: FIX\n" lines, most likely first, or "" */
};

/** The mark, in a state directory, of a --keep run: its upper layer stays. */
#define NOOK_STATE_KEEP "keep"

/** Most bytes of a container ID: letters, digits and "_+-." (runc's rule), and not "." or "..". */
#define NOOK_ID_MAX 64
/** How many --env variables one container may be given. */
#define NOOK_MAX_ENV 64

/** COUNT ids from INSIDE on in the user namespace are ids from OUTSIDE on in its parent. */
struct nook_id_range {
	unsigned inside;  /**< first id inside */
	unsigned outside; /**< the id it is outside */
	unsigned count;	  /**< how many consecutive ids, at least 1 */
};

/** A uid_map or gid_map: up to NOOK_MAX_ID_RANGES non-overlapping ranges. */
struct nook_id_map {
	struct nook_id_range range[NOOK_MAX_ID_RANGES]; /**< the lines of the map */
	int n;						/**< how many are set */
	const char *helper; /**< "newuidmap" when we may not write it ourselves, else NULL */
};

struct cgroup_driver;

/** One directory of the container's cgroup: the whole of it on v2, one hierarchy on v1. */
struct nook_cgroup_dir {
	char path[128];	  /**< "/sys/fs/cgroup/memory/nook/1234" */
	unsigned members; /**< the CGROUP_* controllers this directory holds limits for */
};

/** How the child joins one directory of its cgroup: by writing "0" (itself) into @c file. */
struct nook_cgroup_join {
	int fd;		  /**< @c file, opened for writing by the host before clone; -1: closed */
	const char *file; /**< "tasks" in a v1 hierarchy, "cgroup.procs" in cgroup2 */
};

/**
 * Step 06: one rule of the device cgroup (OCI linux.resources.devices[]): allow or deny
 * @c access to the devices of @c type @c major:@c minor. The last rule that matches decides.
 */
struct nook_device_rule {
	bool allow;	/**< allow, or deny */
	char type;	/**< 'a' (every device), 'b' (block) or 'c' (character) */
	long major;	/**< -1: any */
	long minor;	/**< -1: any */
	char access[4]; /**< some of "rwm": read, write, mknod */
};

/** Most block devices one container may have I/O limits for. */
#define NOOK_MAX_IO_DEVICES 16

/** The four I/O throttles, as indices of nook_io_limit.max[]. */
enum {
	IO_READ_BPS,
	IO_WRITE_BPS,
	IO_READ_IOPS,
	IO_WRITE_IOPS,
	IO_NLIMITS
};

/** Step 06: the throttles of one block device, MAJOR:MINOR (--device-write-bps ...). */
struct nook_io_limit {
	unsigned major, minor;		    /**< the device, as stat(2) gives its st_rdev */
	unsigned long long max[IO_NLIMITS]; /**< bytes or operations a second; 0: not set */
};

/** Step 06: the container's resource limits (0: not set), and its cgroup once created. */
struct nook_cgroup {
	long long memory;      /**< --memory: bytes */
	long long memory_swap; /**< --memory-swap: memory plus swap, bytes (0: no swap) */
	long cpu_quota;	       /**< --cpus: microseconds per period of CGROUP_CPU_PERIOD */
	unsigned cpu_weight;   /**< --cpu-weight: 1-10000, 100 being the default share */
	long pids;	       /**< --pids: most processes and threads at once */
	unsigned io_weight;    /**< --io-weight: 1-10000 */
	struct nook_io_limit io[NOOK_MAX_IO_DEVICES]; /**< --device-{read,write}-{bps,iops} */
	int nio;				      /**< how many of io[] are set */
	/** The device cgroup's rules; NULL: devices_default (an OCI config may set others). */
	const struct nook_device_rule *devices;
	int ndevices; /**< how many of devices[] there are */
	/** OCI: the cgroup namespace is one joined by path: child() makes no new one. */
	bool joined_ns;
	/** OCI linux.cgroupsPath: the directory below each hierarchy's root ("machine/c1");
	 *  NULL: nook/ID. */
	const char *path;
	/** `nook update`: the limits change, the device rules stay as they are. */
	bool keep_devices;
	const char *cpus; /**< OCI cpu.cpus: the CPUs it may run on ("0-3,5"), or NULL */

	const struct cgroup_driver *driver; /**< v1 or v2, chosen at run time */
	/** The cgroup2 directory (v2, or a hybrid host's unified tree), open for
	 *  CLONE_INTO_CGROUP; else -1. */
	int fd;
	int clone_dir;					   /**< which of dirs[] @c fd is */
	struct nook_cgroup_dir dirs[NOOK_CGROUP_MAX_DIRS]; /**< created so far */
	int ndirs;					   /**< how many of dirs[] exist */
	/** The files through which the child joins each of dirs[] (cgroup_join()). */
	struct nook_cgroup_join joins[NOOK_CGROUP_MAX_DIRS];
	int njoins; /**< how many of joins[] were opened: joins[i] is for dirs[i] */
};

/** Step 07: a --volume HOST:INSIDE[:ro], a host file or directory bind-mounted inside. */
struct nook_volume {
	char host[256];	  /**< the host's file or directory */
	char inside[256]; /**< where it appears in the container: absolute */
	bool readonly;	  /**< ":ro" — mounted read-only */
	int fd;		  /**< in the child: the detached copy of the mount (open_tree), or -1 */
};

/** Step 07: the container's own root filesystem, an overlay of image layers. */
struct nook_rootfs {
	const char *layer[NOOK_MAX_LAYERS]; /**< --rootfs or --layer: lower layers, top first */
	int nlayers;			    /**< 0: no root filesystem, the host's files */
	struct nook_volume volume[NOOK_MAX_VOLUMES]; /**< --volume bind mounts */
	int nvolumes;				     /**< how many of volume[] are set */
	bool readonly; /**< --read-only: the root itself read-only (volumes, /dev... not) */
	bool keep;     /**< --keep: leave the writable layer (upper/) behind */
	bool made;     /**< upper/, work/ and merged/ exist in the state directory */
};

/** Step 12: a --publish [IP:]HOST:CONTAINER[/tcp|udp], a port of the host led to the container. */
struct nook_port {
	struct in_addr host_ip; /**< 0.0.0.0: every address of the host */
	uint16_t host_port;	/**< the host's port */
	uint16_t port;		/**< the container's port */
	uint8_t proto;		/**< IPPROTO_TCP or IPPROTO_UDP */
};

/** Step 12: a network — a bridge on the host, its subnet, and whether it has a way out. */
struct nook_network {
	char name[NOOK_NETNAME_MAX + 1]; /**< "nook" (the default), or `nook network create`'s */
	char bridge[16];		 /**< the bridge device: "nook0", or "nook" + a hash */
	struct in_addr subnet;		 /**< its network address */
	unsigned prefix;		 /**< its prefix length, 8-28 */
	struct in_addr gateway;		 /**< the bridge's own address: the subnet's first */
	bool internal;			 /**< --internal: no NAT, no forwarding in or out */
};

/** One capability as a bit of a mask: bit N is capability N (CAP_CHOWN is 0). */
#define NOOK_CAP(n) (UINT64_C(1) << (n))

/** Step 08: which capabilities the container keeps, and who its command runs as. */
struct nook_caps {
	uint64_t add;  /**< --cap-add, one bit per capability */
	uint64_t drop; /**< --cap-drop, one bit per capability */
	bool add_all;  /**< --cap-add ALL */
	bool drop_all; /**< --cap-drop ALL */
	bool user;     /**< --user given */
	uid_t uid;     /**< --user: the uid inside */
	gid_t gid;     /**< --user: the gid inside (the uid's number when not given) */
	/** With --user: its supplementary groups (OCI process.user.additionalGids), or NULL. */
	const gid_t *groups;
	int ngroups; /**< how many groups[] has: 0, none at all */
};

/**
 * @brief Everything one container is: its configuration and, under @c run, its live state.
 *
 * The command line (or, in the runtime, an OCI config.json) fills the configuration; the
 * stages read it. There is no other state: two containers are two of these structures.
 */
struct nook_container {
	char id[NOOK_ID_MAX + 1]; /**< --name, or generated: names its state, cgroup and veth */
	char *const *argv;	  /**< the command and its arguments, argv[0] looked up in PATH */
	/** The command's environment: PATH, HOSTNAME, TERM, then --env; built by nook_create. */
	char *env[NOOK_MAX_ENV + 4];
	const char *env_arg[NOOK_MAX_ENV]; /**< --env K=V or K (taken from nook's own) */
	int nenv;			   /**< how many of env_arg[] are set */
	int preserve_fds; /**< --preserve-fds N: fds 3..3+N-1 are passed in; every other is closed */
	bool die_with_parent; /**< the container dies with its runtime (the step programs) */
	bool tty_never;	      /**< --no-tty: pipes even when nook's stdin is a terminal */
	/** OCI: the streams are the caller's own 0, 1, 2, passed in as they are (conmon's). */
	bool stdio_inherit;
	/** OCI --console-socket: a pty is made inside and its master sent to this socket. */
	const char *console_socket;
	/** OCI: env_arg[] is the whole environment (process.env): nothing added. */
	bool env_exact;
	/** OCI create: after create, wait for a reader of this FIFO (`start`), not the host. */
	const char *exec_fifo;
	const char *state_root; /**< OCI --root: the base of state directories, else the default */
	struct nook_oci *oci;	/**< OCI: what config.json says beyond the stages' fields */
	int trace;		/**< --trace: NOOK_TRACE_OFF, _ON, or _TIME (--trace=time) */
	/** A stage's word of warning for the user (a legal but unsafe option), or "". */
	char warning[160];

	/* 01 — UTS and IPC namespaces */
	const char *hostname; /**< hostname inside the container */

	/* 03 — mount namespace */
	const char *tmpfs[NOOK_MAX_TMPFS]; /**< --tmpfs mount points: absolute, existing */
	int ntmpfs;			   /**< how many of tmpfs[] are set */

	/* 04 — network namespace */
	struct {
		bool veth;	     /**< --net veth: a cable to the host; otherwise only lo */
		struct in_addr addr; /**< --ip: the container's address on eth0 */
		unsigned prefix;     /**< --ip: its prefix length, 8-30; 0 when --ip is not given */
		struct in_addr gateway; /**< the host end's address; the default route */
		bool has_gateway; /**< --gateway was given (else: the subnet's first address) */
		bool has_addr;	  /**< --ip was given (with or without a prefix) */
		char host_if
			[16]; /**< the host end, "nk" + a hash of the ID, once created; else "" */
		unsigned long long rate; /**< --net-rate: bytes per second each way; 0: none */
		/* 12 — networks */
		bool host;		/**< --network host: the host's own namespace, none made */
		const char *network;	/**< --network NAME: a bridge network; NULL: step 04's */
		struct nook_network nw; /**< that network, once looked up */
		char bridge[16]; /**< the bridge the host end joins instead of taking an address */
		struct nook_port port[NOOK_MAX_PORTS]; /**< --publish */
		int nports;			       /**< how many of port[] are set */
		bool allocated; /**< an address is held for it in the network's allocations */
		bool forwarded; /**< its ports' table exists */
		char files[2][PATH_MAX_STATE + 16]; /**< its hosts and resolv.conf, in its state */
	} net;

	/* 05 — user namespace */
	bool userns;		    /**< --userns, or a map given: a new user namespace */
	struct nook_id_map uid_map; /**< --uid-map ranges; prepare() fills in the default */
	struct nook_id_map gid_map; /**< --gid-map ranges; prepare() fills in the default */
	bool deny_setgroups;	    /**< unprivileged: "deny" to setgroups before gid_map */
	bool drop_groups;	    /**< privileged: drop the host's supplementary groups */

	/* 06 — cgroups */
	struct nook_cgroup cgroup; /**< limits, and the cgroup that enforces them */

	/* 07 — root filesystem */
	struct nook_rootfs rootfs; /**< image layers, volumes, and the state directory */
	/** Paths hidden inside (OCI linux.maskedPaths): /dev/null over a file, an empty
	 *  read-only tmpfs over a directory. Applied by the stage that mounts /proc. */
	const char *masked[NOOK_MAX_MASKED];
	int nmasked; /**< how many of masked[] are set */
	/** Paths made read-only inside (OCI linux.readonlyPaths), after the masking. */
	const char *readonly_paths[NOOK_MAX_MASKED];
	int nreadonly; /**< how many of readonly_paths[] are set */

	/* 08 — capabilities, and the user the command runs as */
	struct nook_caps caps; /**< --cap-add, --cap-drop, --user */
	/* 09 — seccomp */
	struct {
		const char *file; /**< --seccomp FILE: a JSON profile; NULL: the default one */
		/** OCI linux.seccomp, already read: used instead of file or the default. */
		const struct nook_seccomp_profile *profile;
		bool unconfined; /**< --seccomp unconfined: no filter at all */
		bool show;	 /**< --seccomp-show: print the filter's pseudo-code first */
		void *filter;	 /**< built by --seccomp FILE, else by prepare(); child() loads */
		int newest; /**< > 0: calls numbered above it fail with ENOSYS (default profile) */
	} seccomp;

	/** Live state, owned by the launcher. */
	struct {
		pid_t pid;	  /**< the container's first process, as seen from the host */
		int errfd;	  /**< child's end of the report pipe (close-on-exec) */
		int syncfd;	  /**< host: the write end of the sync pipe; child: the read end */
		int reportfd;	  /**< host: the read end of the report pipe */
		sigset_t sigmask; /**< the signal mask to restore before exec */
		int cgroup_fd;	  /**< if >= 0, clone the child straight into this cgroup (v2) */
		int lockfd;	  /**< the state directory's lock, held while the runtime lives */
		int fifofd;	  /**< child, with exec_fifo: the FIFO as an O_PATH descriptor */
		int sigfd;	  /**< host: a signalfd(2) of the signals the launcher waits for */
		int status;	  /**< once ended: the first process's status, as a shell has it */
		bool ended;	  /**< the first process has ended and been reaped */
		char state[PATH_MAX_STATE]; /**< the state directory, once created; else "" */
		bool started;	/**< the command was executed: its status is the container's */
		bool signalled; /**< a SIGTERM or SIGINT was passed on: a second one kills */
		bool executing; /**< the child said it executes the command: signals are its */
		bool stopped;	/**< killed by nook for a signal before its command ran */
		struct nook_stdio *stdio; /**< the standard streams: a pty or pipes (stdio.c) */
	} run;
};

struct nook_option;

/** What one kernel primitive contributes to a container. Every member may be NULL/0. */
struct nook_stage {
	const char *name;		   /**< "uts", "pid", ... */
	int clone_flags;		   /**< namespaces this stage creates */
	const struct nook_option *options; /**< its options, ended by an entry with name NULL */
	/** More namespaces, for this container only: an optional one such as --userns. */
	int (*flags)(const struct nook_container *c);
	int (*prepare)(struct nook_container *c, struct nook_error *err);
	int (*parent)(struct nook_container *c, struct nook_error *err);
	int (*child)(struct nook_container *c, struct nook_error *err);
	int (*seal)(struct nook_container *c, struct nook_error *err);
	int (*exec)(struct nook_container *c, struct nook_error *err);
	/** After the container ended with @p status: 0 to keep it, or -1 to report @p err. */
	int (*exited)(struct nook_container *c, int status, struct nook_error *err);
	void (*cleanup)(struct nook_container *c);
	/** Remove what container @p id left, its runtime having died; state dir @p state.
	 *  0, or -1 when something could not be removed yet (the sweep tries again later). */
	int (*sweep)(const char *id, const char *state);
};

/** What the container tells its runtime, on the report pipe or (OCI) the exec FIFO. */
enum nook_report_kind {
	NOOK_REPORT_ERROR, /**< setting up or executing failed: err says why */
	NOOK_REPORT_READY, /**< every stage's child() ran: the container waits for start */
	NOOK_REPORT_EXEC,  /**< the command is about to be executed */
};

/** One report: smaller than PIPE_BUF, so written whole or not at all. */
struct nook_report {
	int kind;	       /**< an enum nook_report_kind */
	struct nook_error err; /**< NOOK_REPORT_ERROR: what failed, and the exit code */
};

/** A long option a stage adds to the command line. */
struct nook_option {
	const char *name; /**< without the leading "--" */
	/** The argument's name in --help, or NULL for a flag; "[=WORD]": an optional
	 *  argument, given as --name=WORD only (getopt_long's optional_argument). */
	const char *arg;
	const char *help; /**< one line for --help */
	/** Validate and store @p arg (NULL for a flag) in @p c. */
	int (*set)(struct nook_container *c, const char *arg, struct nook_error *err);
};

/* error.c */
int nook_fail(struct nook_error *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int nook_fail_code(struct nook_error *err, int code, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int nook_exercise_todo(struct nook_error *err, const char *step, const char *hint);
size_t nook_quote(char *dst, size_t size, const char *src);
void nook_print_error(FILE *out, const char *prog, const struct nook_error *err);

/* diagnose.c */
void nook_diagnose(struct nook_error *err);
int host_read(const char *root, const char *path, char *buf, size_t size);
int host_sysctl(const char *root, const char *name, long *value);
bool host_has_cap(int cap);
bool host_in_userns(void);
int host_kernel_version(void);

/* trace.c: --trace, each kernel call that builds the container, on the original stderr */

/** How much --trace prints: nothing, each call, or each call and each stage's time. */
enum {
	NOOK_TRACE_OFF,
	NOOK_TRACE_ON,
	NOOK_TRACE_TIME
};
long nook_trace(const char *where, long ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void nook_trace_note(const char *where, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Trace @p call as its source text reads: NOOK_TRACED("08-caps.md#no-new-privileges", prctl(...)). */
#define NOOK_TRACED(where, call) nook_trace((where), (long)(call), "%s", #call)
void trace_begin(int level);
void trace_inside(void);
void trace_release(void);
int trace_fd(void);
void trace_end(void);
bool trace_on(void);
void trace_clock(struct timespec *t);
void trace_stage(const char *stage, const char *hook, const struct timespec *since);
const char *trace_clone_flags(int flags, char *buf, size_t size);

/* launch.c */
int nook_create(struct nook_container *c, const struct nook_stage *const *stages,
		struct nook_error *err);
int nook_start(struct nook_container *c, struct nook_error *err);
int nook_wait(struct nook_container *c, const struct nook_stage *const *stages,
	      struct nook_error *err);
int nook_destroy(struct nook_container *c, const struct nook_stage *const *stages,
		 struct nook_error *err);
int nook_run(struct nook_container *c, const struct nook_stage *const *stages,
	     struct nook_error *err);
int nook_wait_status(int wstatus);
void nook_wait_signals(sigset_t *set);
void nook_exec_command(struct nook_container *c) __attribute__((noreturn));
void nook_report(struct nook_container *c, const struct nook_error *err) __attribute__((noreturn));
int nook_said_exec(struct nook_container *c);
extern const struct nook_option nook_launcher_options[];

/* state.c */
int state_check_id(const char *id, struct nook_error *err);
int state_base_path(char *buf, size_t size, struct nook_error *err);
void state_new_id(char *id, size_t size);
int state_create(struct nook_container *c, const struct nook_stage *const *stages,
		 struct nook_error *err);
int state_remove(struct nook_container *c, struct nook_error *err);
void state_sweep(const struct nook_stage *const *stages);
int state_base(const char *root, char *buf, size_t size, struct nook_error *err);
int state_remove_tree(int dirfd, const char *name, struct nook_error *err);
unsigned long long state_hash(const char *id);

/* stdio.c */
int stdio_prepare(struct nook_container *c, struct nook_error *err);
int stdio_send_fd(int sock, int fd, struct nook_error *err);
int stdio_child(struct nook_container *c, struct nook_error *err);
int stdio_parent(struct nook_container *c, struct nook_error *err);
void stdio_drain(struct nook_container *c);
void stdio_close(struct nook_container *c);
void stdio_resize(struct nook_container *c);
int stdio_child_fds(const struct nook_container *c, int *fds);
bool stdio_is_tty(const struct nook_container *c);
void stdio_parent_close(struct nook_container *c);
int stdio_pollfds(struct nook_container *c, struct pollfd *pfd);
void stdio_service(struct nook_container *c, const struct pollfd *pfd, int n);

/* cli.c */
int nook_option_has_arg(const struct nook_option *o);
int nook_parse_args(struct nook_container *c, const struct nook_stage *const *stages, int argc,
		    char *argv[], bool *help, struct nook_error *err);
void nook_usage(FILE *out, const char *prog, const struct nook_stage *const *stages);
int nook_main(const char *prog, const struct nook_stage *const *stages, int argc, char *argv[]);

/* man.c */
void nook_man(FILE *out, const char *name, const struct nook_stage *const *stages);
void man_escape(FILE *out, const char *s, bool line_start);
void man_long_option(FILE *out, const char *name, const char *arg, const char *help);
void man_options(FILE *out, const struct nook_option *o);
bool man_has_doc(const char *name);

/* uts.c */
int uts_check_hostname(const char *name, struct nook_error *err);

/* netrate.c */
int netrate_parse(const char *arg, unsigned long long *bytes);

/* mount.c */
int mount_check_path(const char *path, struct nook_error *err);

/* mount.c: masked and read-only paths, for whichever stage mounts /proc last */
int mount_harden(const struct nook_container *c, struct nook_error *err);

/* rootfs.c */
int rootfs_parse_volume(struct nook_volume *v, const char *arg, struct nook_error *err);
int rootfs_pivot(const char *root, struct nook_error *err);
int rootfs_overlay_options(const struct nook_rootfs *r, const char *state, bool userxattr,
			   char *buf, size_t size);

/* user.c */
int user_add_range(struct nook_id_map *m, const char *opt, const char *arg, struct nook_error *err);
int user_add_id_range(struct nook_id_map *m, const char *what, struct nook_id_range r,
		      struct nook_error *err);
int user_subid_range(const char *path, const char *name, unsigned id, struct nook_id_range *r);
int user_format_map(const struct nook_id_map *m, char *buf, size_t size);
bool user_maps_host_root(const struct nook_id_map *m);
bool user_setgroups_denied(pid_t pid);

/* cgroup.c, cgroup_v1.c, cgroup_v2.c */

/** The controllers nook drives, as bits of nook_cgroup_dir.members. */
enum {
	CGROUP_MEMORY = 1 << 0,
	CGROUP_CPU = 1 << 1,
	CGROUP_CPUACCT = 1 << 2, /**< v1 only: CPU accounting (v2 has it in every cgroup) */
	CGROUP_PIDS = 1 << 3,
	CGROUP_IO = 1 << 4,	 /**< "io" on v2, "blkio" on v1 */
	CGROUP_DEVICES = 1 << 5, /**< v1's devices hierarchy (v2: a BPF program instead) */
	CGROUP_FREEZER = 1 << 6, /**< v1's freezer (v2 has cgroup.freeze in every cgroup) */
	CGROUP_CPUSET = 1 << 7,	 /**< v1's cpuset: the leaf needs cpus and mems set to join */
};

/** Where the cgroup filesystems are mounted: cgroup2 itself, or a tmpfs of v1 hierarchies. */
#define CGROUP_ROOT "/sys/fs/cgroup"

/** The CFS period --cpus is expressed in: 100 ms, the kernel's default. */
#define CGROUP_CPU_PERIOD 100000L

/** What differs between cgroup v1 and v2: where the directories go, and the file names. */
struct cgroup_driver {
	const char *name;     /**< "v1" or "v2" */
	const char *oom_file; /**< the memory file whose "oom_kill N" line counts OOM kills */
	/** Make the container's directories, @p rel ("nook/ID") below each hierarchy's root,
	 *  and their missing parents, filling c->cgroup.dirs. */
	int (*create)(struct nook_container *c, const char *rel, struct nook_error *err);
	/** Write the configured limits into them. */
	int (*limit)(struct nook_container *c, struct nook_error *err);
};

extern const struct cgroup_driver cgroup_v1_driver;
extern const struct cgroup_driver cgroup_v2_driver;

unsigned cgroup_needed(const struct nook_cgroup *cg);
int cgroup_child_fds(const struct nook_container *c, int *fds);
int cgroup_open_for_clone(struct nook_container *c, const char *leaf, struct nook_error *err);
int cgroup_sweep(const char *id, const char *state);
const char *cgroup_dir_of(const struct nook_container *c, unsigned controller);
int cgroup_write(const char *dir, const char *file, const char *value, struct nook_error *err);
int cgroup_writef(const char *dir, const char *file, struct nook_error *err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int cgroup_mkdir(struct nook_container *c, const char *path, unsigned members,
		 struct nook_error *err);
int cgroup_make_parents(const char *root, const char *rel, const char *enable,
			struct nook_error *err);
int cgroup_remove(const char *dir);
unsigned cgroup_v1_members(const char *dir);
int cgroup_update(struct nook_container *c, const char (*dirs)[128], int n, struct nook_error *err);
bool cgroup_has(const char *dir, const char *file);
long long cgroup_read_key(const char *dir, const char *file, const char *key);
int cgroup_parse_size(const char *arg, long long *bytes);
int cgroup_set_memory(struct nook_container *c, long long bytes, const char *what,
		      struct nook_error *err);
int cgroup_set_cpu_quota(struct nook_container *c, long long quota, long long period,
			 const char *what, struct nook_error *err);
int cgroup_set_cpu_weight(struct nook_container *c, long long weight, const char *what,
			  struct nook_error *err);
int cgroup_set_pids(struct nook_container *c, long long pids, const char *what,
		    struct nook_error *err);
const char *cgroup_format_size(long long bytes, char *buf, size_t size);
int cgroup_set_cpus(struct nook_container *c, const char *cpus, const char *what,
		    struct nook_error *err);

/* cgroup_io.c */
/** One throttle's names: the option, v2's io.max key, v1's blkio file. */
struct cgroup_io_name {
	const char *option; /**< "device-write-bps" */
	const char *key;    /**< "wbps" */
	const char *v1file; /**< "blkio.throttle.write_bps_device" */
};
extern const struct cgroup_io_name cgroup_io_names[IO_NLIMITS];
int cgroup_parse_io_limit(const char *arg, int kind, unsigned *major, unsigned *minor,
			  unsigned long long *value, struct nook_error *err);
int cgroup_set_io_limit(struct nook_container *c, unsigned major, unsigned minor, int kind,
			unsigned long long value, struct nook_error *err);
int cgroup_io_option(struct nook_container *c, int kind, const char *arg, struct nook_error *err);

/* devices.c */
extern const struct nook_device_rule devices_default[];
extern const int devices_ndefault;
const struct nook_device_rule *devices_rules(const struct nook_cgroup *cg, int *n);
bool devices_allowed(const struct nook_device_rule *r, int n, char type, long major, long minor,
		     const char *access);
int devices_format_v1(const struct nook_device_rule *r, char *buf, size_t size);
int devices_v1_apply(const char *dir, const struct nook_device_rule *r, int n,
		     struct nook_error *err);
struct bpf_insn;
int devices_v2_program(const struct nook_device_rule *r, int n, struct bpf_insn *prog, int max);
int devices_v2_apply(int cgroup_fd, const struct nook_device_rule *r, int n,
		     struct nook_error *err);

/* caps.c */
/** Docker's default capabilities, as a mask of NOOK_CAP() bits. */
extern const uint64_t caps_default;
int caps_parse_name(const char *opt, const char *name, int *cap, struct nook_error *err);
uint64_t caps_kept(const struct nook_caps *caps, int ncaps);
int caps_parse_user(const char *arg, uid_t *uid, gid_t *gid, struct nook_error *err);
/* seccomp.c, seccomp_profile.c */

/** Most argument comparisons in one seccomp rule: a system call has six arguments. */
#define NOOK_SECCOMP_MAX_ARGS 6

/** A rule's condition on one system call argument, as a profile's "args" entry says it. */
struct nook_seccomp_arg {
	unsigned index;		      /**< which argument, 0-5 */
	int op;			      /**< an enum scmp_compare: SCMP_CMP_EQ, ... */
	unsigned long long value;     /**< compared with; the mask for SCMP_CMP_MASKED_EQ */
	unsigned long long value_two; /**< SCMP_CMP_MASKED_EQ: what the masked argument is */
};

/** These system calls, when all the argument conditions hold, get this action. */
struct nook_seccomp_rule {
	const char *const *names; /**< system call names, NULL-terminated */
	uint32_t action;	  /**< SCMP_ACT_ALLOW, SCMP_ACT_ERRNO(ENOSYS), ... */
	int nargs;		  /**< how many of args[] are conditions */
	struct nook_seccomp_arg args[NOOK_SECCOMP_MAX_ARGS]; /**< all must hold */
};

/** A seccomp profile: what happens to each system call. nook's default, or a file's. */
struct nook_seccomp_profile {
	uint32_t default_action;	       /**< for every call no rule matches */
	const struct nook_seccomp_rule *rules; /**< in order; a later rule may refine */
	int nrules;			       /**< how many */
	void *owned; /**< read from a file: what seccomp_profile_free() releases */
};

/** nook's limits on a profile file: its size, its "syscalls" entries, their names in all. */
#define NOOK_SECCOMP_MAX_BYTES (1 << 20)
#define NOOK_SECCOMP_MAX_RULES 4096
#define NOOK_SECCOMP_MAX_NAMES 16384

extern const struct nook_seccomp_profile seccomp_default_profile;
int seccomp_profile_parse(const char *name, const char *text, size_t len,
			  struct nook_seccomp_profile *p, struct nook_error *err);
int seccomp_profile_read(const char *path, struct nook_seccomp_profile *p, struct nook_error *err);
int seccomp_profile_from_json(void *json, const char *where, struct nook_seccomp_profile *p,
			      struct nook_error *err);
void seccomp_profile_free(struct nook_seccomp_profile *p);
int seccomp_profile_build(const struct nook_seccomp_profile *p, void **filter,
			  struct nook_error *err);

/* The stages, one per file. */
extern const struct nook_stage uts_stage;
extern const struct nook_stage pid_stage;
extern const struct nook_stage mount_stage;
extern const struct nook_stage net_stage;
extern const struct nook_stage user_stage;
extern const struct nook_stage cgroup_stage;
extern const struct nook_stage rootfs_stage;
extern const struct nook_stage caps_stage;
extern const struct nook_stage seccomp_stage;
extern const struct nook_stage bridge_stage;

#endif

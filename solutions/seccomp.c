/**
 * @file seccomp.c
 * @brief Step 09 — seccomp: a filter that decides, call by call, which system calls the
 *        container may make at all.
 *
 * Namespaces change what a system call *sees*; capabilities decide what the caller *may
 * do* through it. Neither shrinks the kernel's attack surface: every one of its ~460 entry
 * points can still be reached, and a bug in any of them (keyctl, bpf, perf_event_open and
 * the mount API have all had exploitable ones) is a way out of the container. seccomp
 * (SECure COMPuting) closes entry points themselves.
 *
 * A seccomp filter is a classic BPF program the kernel runs on every system call the
 * process makes, before the call does anything. Its input is struct seccomp_data: the
 * architecture (AUDIT_ARCH_X86_64, ...), the system call number, the instruction pointer
 * and the six arguments as raw 64-bit values. Its output is an action: ALLOW, ERRNO(n)
 * (fail with errno n, the call never runs), TRAP (SIGSYS, for a handler), TRACE or
 * USER_NOTIF (ask a tracer or a supervisor), LOG, or KILL_THREAD / KILL_PROCESS. The
 * filter cannot follow pointers — it sees the address of a path, never the path — so it
 * can judge flags and numbers but not file names: that remains the job of the mount
 * namespace and of permissions.
 *
 * Filters are inherited over fork and kept over execve, and can only be added to, never
 * removed: every filter a process has runs on each call, and the most severe action
 * wins (KILL beats ERRNO beats ALLOW). That is what makes the filter safe to hand to
 * untrusted code — and also why installing one needs either CAP_SYS_ADMIN or the
 * no_new_privs flag (PR_SET_NO_NEW_PRIVS, kept over fork and execve): otherwise a user
 * could make a setuid-root program fail a call it relies on, say setuid() dropping
 * privileges, and abuse it. With no_new_privs, execve can no longer grant privileges
 * (setuid bits and file capabilities are ignored), so a filter cannot mislead a more
 * privileged program. libseccomp sets no_new_privs itself before loading, by default.
 *
 * The order of the child's stages follows from this. The filter goes last: every earlier
 * stage needs calls it forbids (mount, sethostname, setgroups, capset, prctl), and
 * whatever runs after it — step 02's nook-init, which forks the command and then waits,
 * and the exec itself — must be allowed (clone, wait4, rt_sigtimedwait, kill, execve).
 * Capabilities (step 08) are dropped before it, so that dropping them cannot be
 * forbidden by it, and no_new_privs is set before it, which loading requires.
 *
 * **The architecture.** A system call number means nothing without its ABI: on x86-64 a
 * process can also make i386 calls (int 0x80), where 1 is exit, not write, and x32 calls
 * (numbers with bit 30, __X32_SYSCALL_BIT, set) that reach most of the same code. A filter
 * that only compares numbers can be walked around by switching ABI. So the first thing
 * libseccomp's program does is compare seccomp_data.arch with the architectures the
 * filter was built for — here x86-64 only, the native one — and, for x86-64, refuse
 * numbers with the x32 bit. Anything else gets the "bad architecture" action, which nook
 * makes KILL_PROCESS: a process that switches ABI is not confused, it is attacking.
 *
 * **EPERM or ENOSYS.** A call the profile does not allow fails with EPERM, as in Docker
 * (its defaultErrnoRet is 1). But a program that probes a new system call and falls back
 * to an older one treats only ENOSYS as "not there": glibc (2.34 on) tries clone3 for
 * threads and posix_spawn and uses clone when clone3 says ENOSYS; an EPERM would make
 * pthread_create fail. clone3's flags are in a structure the filter cannot read, so it
 * cannot be allowed with the namespace flags filtered out, as clone is. So clone3 fails
 * with ENOSYS, and glibc takes the clone path the filter does check. More generally, a
 * call newer than any the profile names is one its author could not know about: for it
 * too "not there" is the honest answer, and the one programs handle. runc patches the
 * BPF libseccomp makes for that; libseccomp cannot say "any number above N" itself. nook
 * stacks a second filter of seven hand-written instructions instead (enosys_filter()):
 * ERRNO(ENOSYS) above the newest call the default profile names, ALLOW otherwise. When
 * two filters answer ERRNO, the kernel takes the errno of the one loaded last, so it is
 * loaded after the profile's. A profile read from a file is left as written: its
 * defaultErrnoRet decides, as in Docker.
 *
 * **The profile** is data: default_rules below lists, group by group, what a
 * program needs (files, memory, processes, signals, sockets, time), derived from what
 * Docker's default profile allows for a container with its default capabilities. What is
 * left out is what a container has no business doing and what has hurt before: the mount
 * API, reboot, kexec, kernel modules, bpf, perf_event_open, ptrace, the keyrings (not
 * namespaced), open_by_handle_at, userfaultfd, io_uring, setting the clock, swap, accounting.
 * `--seccomp FILE` replaces it with a profile in the JSON format of Docker and the OCI
 * runtime spec (seccomp_profile.c reads it), `--seccomp unconfined` leaves it out.
 *
 * The profile becomes a filter on the host — a file's as its option is parsed, the default
 * one in prepare() — so that a profile libseccomp rejects is refused before anything
 * exists, and is loaded in child(), the last stage.
 *
 * Further reading: seccomp(2), seccomp_rule_add(3), seccomp_export_pfc(3), prctl(2)
 * (PR_SET_NO_NEW_PRIVS); the kernel's Documentation/userspace-api/seccomp_filter.rst and
 * no_new_privs.rst; Docker's "Seccomp security profiles for Docker"; LWN "A seccomp
 * overview" (https://lwn.net/Articles/656307/).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "nook.h"

/** Calls a profile's "names" may list; NULL-terminated, as struct nook_seccomp_rule wants. */
#define NAMES(...)                                                                                 \
	(const char *const[])                                                                      \
	{                                                                                          \
		__VA_ARGS__, NULL                                                                  \
	}

/** The flags that make new namespaces: clone(2) and unshare(2) may not use them. */
#define NAMESPACE_FLAGS                                                                            \
	(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |             \
	 CLONE_NEWPID | CLONE_NEWNET)

/** Argument @p i, masked with @p mask, is @p value. */
#define MASKED_EQ(i, mask, value)                                                                  \
	{                                                                                          \
		(i), SCMP_CMP_MASKED_EQ, (mask), (value)                                           \
	}
/** Argument @p i is not @p value. */
#define NE(i, value)                                                                               \
	{                                                                                          \
		(i), SCMP_CMP_NE, (value), 0                                                       \
	}
/** Argument @p i is @p value. */
#define EQ(i, value)                                                                               \
	{                                                                                          \
		(i), SCMP_CMP_EQ, (value), 0                                                       \
	}

static const struct nook_seccomp_rule default_rules[] = {
	/* Files: open, read and write, look up and change the tree. Which files, the
	 * filter cannot tell (it sees pointers, not paths): that is the mount namespace's
	 * and the permissions' job. */
	{NAMES("read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev",
	       "preadv2", "pwritev2", "open", "openat", "openat2", "creat", "close", "close_range",
	       "lseek", "dup", "dup2", "dup3", "fcntl", "ioctl", "flock", "fsync", "fdatasync",
	       "sync", "syncfs", "sync_file_range", "fadvise64", "fallocate", "readahead",
	       "truncate", "ftruncate", "sendfile", "splice", "tee", "vmsplice", "copy_file_range",
	       "pipe", "pipe2"),
	 SCMP_ACT_ALLOW,
	 0,
	 {{0}}},
	{NAMES("stat", "fstat", "lstat", "newfstatat", "statx", "statfs", "fstatfs", "access",
	       "faccessat", "faccessat2", "getdents", "getdents64", "getcwd", "chdir", "fchdir",
	       "chroot", "mkdir", "mkdirat", "rmdir", "rename", "renameat", "renameat2", "link",
	       "linkat", "symlink", "symlinkat", "unlink", "unlinkat", "readlink", "readlinkat",
	       "mknod", "mknodat", "umask", "utime", "utimes", "utimensat", "futimesat"),
	 SCMP_ACT_ALLOW,
	 0,
	 {{0}}},
	{NAMES("chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "fchownat", "lchown",
	       "getxattr", "lgetxattr", "fgetxattr", "setxattr", "lsetxattr", "fsetxattr",
	       "listxattr", "llistxattr", "flistxattr", "removexattr", "lremovexattr",
	       "fremovexattr", "name_to_handle_at"),
	 SCMP_ACT_ALLOW,
	 0,
	 {{0}}},
	/* Waiting for many things at once; asynchronous I/O (the old aio, not io_uring). */
	{NAMES("select", "pselect6", "poll", "ppoll", "epoll_create", "epoll_create1", "epoll_ctl",
	       "epoll_wait", "epoll_pwait", "epoll_pwait2", "eventfd", "eventfd2", "inotify_init",
	       "inotify_init1", "inotify_add_watch", "inotify_rm_watch", "fanotify_mark",
	       "io_setup", "io_destroy", "io_submit", "io_cancel", "io_getevents", "io_pgetevents"),
	 SCMP_ACT_ALLOW,
	 0,
	 {{0}}},
	/* Memory. */
	{NAMES("brk", "mmap", "munmap", "mremap", "mprotect", "madvise", "mincore", "msync",
	       "mlock", "mlock2", "mlockall", "munlock", "munlockall", "memfd_create",
	       "memfd_secret", "remap_file_pages", "pkey_alloc", "pkey_free", "pkey_mprotect",
	       "map_shadow_stack", "membarrier"),
	 SCMP_ACT_ALLOW,
	 0,
	 {{0}}},
	/* Processes and threads: fork (clone without namespace flags, below), exec, wait,
	 * and the calls the C library makes for threads and at every start. */
	{NAMES("fork", "vfork", "execve", "execveat", "exit", "exit_group", "wait4", "waitid",
	       "getpid", "getppid", "gettid", "getpgid", "setpgid", "getpgrp", "getsid", "setsid",
	       "set_tid_address", "set_robust_list", "get_robust_list", "rseq", "futex",
	       "futex_waitv", "futex_wake", "futex_wait", "futex_requeue", "arch_prctl", "prctl",
	       "restart_syscall", "pidfd_open", "pidfd_send_signal", "process_mrelease", "seccomp",
	       "landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self"),
	 SCMP_ACT_ALLOW,
	 0,
	 {{0}}},
	/* Scheduling and resource limits (the limits themselves are the cgroup's). */
	{NAMES("sched_yield", "sched_getaffinity", "sched_setaffinity", "sched_getattr",
	       "sched_setattr", "sched_getparam", "sched_setparam", "sched_getscheduler",
	       "sched_setscheduler", "sched_get_priority_max", "sched_get_priority_min",
	       "sched_rr_get_interval", "getpriority", "setpriority", "ioprio_get", "ioprio_set",
	       "getcpu", "getrlimit", "setrlimit", "prlimit64", "getrusage", "times", "sysinfo",
	       "uname", "getrandom"),
	 SCMP_ACT_ALLOW,
	 0,
	 {{0}}},
	/* Who the process is. Changing it is the capabilities' business (CAP_SETUID). */
	{NAMES("getuid", "geteuid", "getgid", "getegid", "getresuid", "getresgid", "getgroups",
	       "setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setfsuid",
	       "setfsgid", "setgroups", "capget", "capset"),
	 SCMP_ACT_ALLOW,
	 0,
	 {{0}}},
	/* Signals and timers. */
	{NAMES("rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending", "rt_sigsuspend",
	       "rt_sigtimedwait", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "sigaltstack", "signalfd",
	       "signalfd4", "kill", "tkill", "tgkill", "pause", "alarm", "getitimer", "setitimer",
	       "timer_create", "timer_delete", "timer_settime", "timer_gettime", "timer_getoverrun",
	       "timerfd_create", "timerfd_settime", "timerfd_gettime"),
	 SCMP_ACT_ALLOW,
	 0,
	 {{0}}},
	/* Reading the clocks and sleeping; setting them (one clock for the whole machine)
	 * is left out. adjtimex only reads without CAP_SYS_TIME. */
	{NAMES("clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep", "gettimeofday",
	       "time", "adjtimex", "clock_adjtime"),
	 SCMP_ACT_ALLOW,
	 0,
	 {{0}}},
	/* Sockets, in the container's own network namespace (socket(2) itself: below). */
	{NAMES("socketpair", "bind", "listen", "accept", "accept4", "connect", "getsockname",
	       "getpeername", "getsockopt", "setsockopt", "sendto", "recvfrom", "sendmsg",
	       "recvmsg", "sendmmsg", "recvmmsg", "shutdown"),
	 SCMP_ACT_ALLOW,
	 0,
	 {{0}}},
	/* System V and POSIX IPC, in the container's own IPC namespace. */
	{NAMES("msgget", "msgsnd", "msgrcv", "msgctl", "semget", "semop", "semtimedop", "semctl",
	       "shmget", "shmat", "shmdt", "shmctl", "mq_open", "mq_unlink", "mq_timedsend",
	       "mq_timedreceive", "mq_notify", "mq_getsetattr"),
	 SCMP_ACT_ALLOW,
	 0,
	 {{0}}},
	/* x86 only: thread-local storage of 32-bit code, a local descriptor table. */
	{NAMES("modify_ldt", "get_thread_area", "set_thread_area"), SCMP_ACT_ALLOW, 0, {{0}}},

	//! [special_rules]
	/* Argument filters. clone may fork and make threads, not new namespaces: a new
	 * user namespace hands its creator every capability over it, and with them the
	 * kernel code only capable users reach. unshare(2) likewise (it may still unshare
	 * files, fs and semaphore undo lists); it can also make a time namespace. */
	{NAMES("clone"), SCMP_ACT_ALLOW, 1, {MASKED_EQ(0, NAMESPACE_FLAGS, 0)}},
	{NAMES("unshare"), SCMP_ACT_ALLOW, 1, {MASKED_EQ(0, NAMESPACE_FLAGS | CLONE_NEWTIME, 0)}},
	/* socket(2) of any family but AF_VSOCK, which talks to the hypervisor or the host
	 * of a virtual machine, outside every network namespace (Docker's profile too). */
	{NAMES("socket"), SCMP_ACT_ALLOW, 1, {NE(0, AF_VSOCK)}},
	/* personality(2): Linux itself (also in its 32-bit and "uname says 2.6" flavours)
	 * and the query, not the flags that turn off address space randomisation. */
	{NAMES("personality"), SCMP_ACT_ALLOW, 1, {EQ(0, PER_LINUX)}},
	{NAMES("personality"), SCMP_ACT_ALLOW, 1, {EQ(0, PER_LINUX32)}},
	{NAMES("personality"), SCMP_ACT_ALLOW, 1, {EQ(0, UNAME26)}},
	{NAMES("personality"), SCMP_ACT_ALLOW, 1, {EQ(0, UNAME26 | PER_LINUX32)}},
	{NAMES("personality"), SCMP_ACT_ALLOW, 1, {EQ(0, 0xffffffff)}},

	/* Newer calls that have an older fallback the filter checks: "not there". */
	{NAMES("clone3"), SCMP_ACT_ERRNO(ENOSYS), 0, {{0}}},
	//! [special_rules]
};

/** nook's default profile: the rules above, and EPERM for every other call. */
const struct nook_seccomp_profile seccomp_default_profile = {
	.default_action = SCMP_ACT_ERRNO(EPERM),
	.rules = default_rules,
	.nrules = sizeof(default_rules) / sizeof(default_rules[0]),
};

/**
 * Add the rules of profile @p p to @p ctx: for each system call a rule names, the rule's
 * action when all of its argument conditions hold. A rule whose action is the profile's
 * default adds nothing (libseccomp refuses it), and a name this libseccomp does not know
 * is skipped, as runc does: profiles name calls of newer kernels, and of other
 * architectures.
 */
static int
add_rules(scmp_filter_ctx ctx, const struct nook_seccomp_profile *p, struct nook_error *err)
{
	/* EXERCISE 09: add every rule of the profile p to the filter ctx, each system call it names with its action and its argument conditions; tests run calls the default profile stops (unshare -U, socket(AF_VSOCK), mount) and ones it lets through, --seccomp profiles (one denying only mkdir, one naming a call this libseccomp does not know) */
	struct scmp_arg_cmp cmp[NOOK_SECCOMP_MAX_ARGS];
	int nr, rc;

	for (int i = 0; i < p->nrules; i++) {
		const struct nook_seccomp_rule *r = &p->rules[i];

		if (r->action == p->default_action)
			continue;
		for (int a = 0; a < r->nargs; a++)
			cmp[a] = (struct scmp_arg_cmp){r->args[a].index,
						       (enum scmp_compare)r->args[a].op,
						       r->args[a].value, r->args[a].value_two};
		for (const char *const *name = r->names; *name; name++) {
			nr = seccomp_syscall_resolve_name(*name);
			if (nr == __NR_SCMP_ERROR)
				continue;
			rc = seccomp_rule_add_array(ctx, r->action, nr, (unsigned)r->nargs, cmp);
			if (rc < 0)
				return nook_fail(err, -rc, "seccomp_rule_add(\"%s\")", *name);
		}
	}
	return 0;
	/* END EXERCISE */
}

/** The filter's attributes: what a call of another architecture gets, and error codes. */
static int
set_attributes(scmp_filter_ctx ctx, struct nook_error *err)
{
	int rc;

	//! [attributes]
	/* i386 calls (int 0x80) and x32 calls (bit 30 set) kill: the filter checks x86-64 */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	/* the kernel's own errno from seccomp_load(), not libseccomp's ECANCELED */
	if (rc == 0)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1);
	/* a binary search over call numbers rather than a list: ~9 tests, not ~300 */
	if (rc == 0)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	//! [attributes]
	if (rc < 0)
		return nook_fail(err, -rc, "seccomp_attr_set");
	return 0;
}

/**
 * Turn profile @p p into a libseccomp filter, not yet loaded, for x86-64 (libseccomp's
 * native architecture, the only one added). The caller seccomp_release()s *filter.
 *
 * @return 0, or -1 with @p err naming the call libseccomp refused.
 */
int
seccomp_profile_build(const struct nook_seccomp_profile *p, void **filter, struct nook_error *err)
{
	scmp_filter_ctx ctx;

	ctx = seccomp_init(p->default_action);
	if (!ctx)
		return nook_fail(err, EINVAL, "seccomp_init(%#x)", p->default_action);
	if (set_attributes(ctx, err) < 0)
		goto fail;
	if (add_rules(ctx, p, err) < 0)
		goto fail;
	/*
	 * A process may always end. Without this a profile that denies exit_group leaves
	 * glibc's _exit() nowhere to go once exec fails, and nook dies of SIGSEGV instead of
	 * reporting. (A rule the profile already has for them stands: the add then fails.)
	 */
	if (p->default_action != SCMP_ACT_ALLOW) {
		seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(exit_group), 0);
		seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(exit), 0);
	}
	*filter = ctx;
	return 0;
fail:
	seccomp_release(ctx);
	return -1;
}

/**
 * Read the profile in @p path and build its filter into @p filter. An error libseccomp
 * raises while building is prefixed with the file's name, as the reader's own are.
 */
static int
filter_from_file(const char *path, void **filter, struct nook_error *err)
{
	struct nook_seccomp_profile p;
	char msg[sizeof(err->msg)];
	int rc;

	if (seccomp_profile_read(path, &p, err) < 0)
		return -1;
	rc = seccomp_profile_build(&p, filter, err);
	seccomp_profile_free(&p);
	if (rc < 0) {
		snprintf(msg, sizeof(msg), "%s", err->msg);
		nook_fail_code(err, err->code, 0, "--seccomp %.64s: %.180s", path, msg);
	}
	return rc;
}

/**
 * --seccomp FILE|unconfined. A file's profile is read and built into its filter here, once:
 * a broken profile is refused with the other bad options, before anything exists, and
 * prepare() has nothing left to do for it. The last --seccomp given wins.
 */
static int
set_seccomp_option(struct nook_container *c, const char *arg, struct nook_error *err)
{
	void *filter = NULL;

	if (strcmp(arg, "unconfined") != 0 && filter_from_file(arg, &filter, err) < 0)
		return -1;
	if (c->seccomp.filter)
		seccomp_release(c->seccomp.filter);
	c->seccomp.filter = filter;
	c->seccomp.unconfined = filter == NULL;
	c->seccomp.file = filter ? arg : NULL;
	return 0;
}

static int
set_show_option(struct nook_container *c, const char *arg, struct nook_error *err)
{
	(void)arg;
	(void)err;
	c->seccomp.show = true;
	return 0;
}

/** The highest number among the system calls @p p names (that this libseccomp knows). */
static int
newest_call(const struct nook_seccomp_profile *p)
{
	int newest = 0, nr;

	for (int i = 0; i < p->nrules; i++) {
		for (const char *const *name = p->rules[i].names; *name; name++) {
			nr = seccomp_syscall_resolve_name(*name);
			if (nr > newest)
				newest = nr;
		}
	}
	return newest;
}

/** On the host, before clone: build the default profile's filter, unless --seccomp chose. */
static int
seccomp_prepare(struct nook_container *c, struct nook_error *err)
{
	if (c->seccomp.unconfined || c->seccomp.filter)
		return 0;	/* none, or the file's, built by set_seccomp_option() */
	if (c->seccomp.profile) /* OCI linux.seccomp, read with the config */
		return seccomp_profile_build(c->seccomp.profile, &c->seccomp.filter, err);
	c->seccomp.newest = newest_call(&seccomp_default_profile);
	return seccomp_profile_build(&seccomp_default_profile, &c->seccomp.filter, err);
}

//! [enosys_filter]
/**
 * Stack a second filter: an x86-64 call numbered above @p newest fails with ENOSYS, as
 * on a kernel too old to have it. Everything else it allows — which leaves the decision
 * to the profile's filter (other architectures and x32 included: that one kills them).
 */
static int
enosys_filter(int newest, struct nook_error *err)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, __X32_SYSCALL_BIT, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, (unsigned)newest, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
	};
	struct sock_fprog prog = {sizeof(code) / sizeof(code[0]), code};

	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return nook_fail(err, errno, "seccomp(SECCOMP_SET_MODE_FILTER, ENOSYS above %d)",
				 newest);
	return 0;
}
//! [enosys_filter]

//! [seccomp_child]
/**
 * Inside, the last thing before the exec (a seal(), after every stage's child() and the
 * launcher's terminal): load the filter. From here on it judges every system call of this
 * process and of everything it starts, nook-init and the command included.
 */
static int
seccomp_child(struct nook_container *c, struct nook_error *err)
{
	int rc;

	if (!c->seccomp.filter)
		return 0; /* --seccomp unconfined */
	if (c->seccomp.show) {
		fflush(stdout);
		seccomp_export_pfc(c->seccomp.filter, STDOUT_FILENO);
	}
	/* sets no_new_privs first (SCMP_FLTATR_CTL_NNP, on by default), then seccomp(2) */
	rc = seccomp_load(c->seccomp.filter);
	nook_trace("09-seccomp.md#a-bpf-program-per-call", rc,
		   "seccomp_load(): seccomp(SECCOMP_SET_MODE_FILTER)");
	if (rc < 0)
		return nook_fail(err, -rc, "seccomp_load");
	if (c->seccomp.newest > 0)
		return enosys_filter(c->seccomp.newest, err);
	return 0;
}
//! [seccomp_child]

/** On the host, once the container is gone: free the filter. Idempotent. */
static void
seccomp_cleanup(struct nook_container *c)
{
	if (c->seccomp.filter)
		seccomp_release(c->seccomp.filter);
	c->seccomp.filter = NULL;
}

static const struct nook_option seccomp_options[] = {
	{"seccomp", "FILE|unconfined",
	 "a seccomp profile in Docker's JSON format, instead of nook's default",
	 set_seccomp_option},
	{"seccomp-show", NULL, "print the seccomp filter as libseccomp pseudo-code, then run",
	 set_show_option},
	{NULL, NULL, NULL, NULL},
};

//! [seccomp_stage]
/** Step 09's stage: a seccomp filter, loaded last, before the exec. */
const struct nook_stage seccomp_stage = {
	.name = "seccomp",
	.options = seccomp_options,
	.prepare = seccomp_prepare,
	.seal = seccomp_child,
	.cleanup = seccomp_cleanup,
};
//! [seccomp_stage]

/**
 * @file uts.c
 * @brief Step 01 — UTS and IPC namespaces: a hostname and System V IPC of the container's own.
 *
 * The UTS namespace ("UNIX Time-sharing System", after the struct utsname that uname(2)
 * returns) isolates two strings: the hostname and the NIS domain name. A process in a new
 * UTS namespace starts with copies of its parent's, and sethostname(2) inside changes only
 * the copy. It is the smallest namespace there is, which makes it the right first one.
 *
 * The IPC namespace isolates System V message queues, semaphores and shared memory, and
 * POSIX message queues: objects named by a numeric key that any process on the host could
 * otherwise find with the same key. Containers get a new one so that two programs that
 * both pick key 42 cannot read each other's messages.
 *
 * Both are created by clone3(2) flags (launch.c's clone_into() asks for the union of every
 * stage's); this stage only has to set the hostname, inside — and to make sure that
 * "inside" is true: sethostname(2) in the host's UTS namespace renames the machine.
 *
 * Further reading: uts_namespaces(7), ipc_namespaces(7), sethostname(2), sysvipc(7).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nook.h"

/** The hostname a container gets when --hostname is not given. */
#define DEFAULT_HOSTNAME "nook"

/**
 * Refuse a hostname the kernel would reject or a person would not mean: empty, longer than
 * HOST_NAME_MAX (64) bytes, or containing '/', whitespace or control characters.
 */
int
uts_check_hostname(const char *name, struct nook_error *err)
{
	/* EXERCISE 01: refuse, before anything exists, a hostname sethostname(2) would reject (empty, or longer than HOST_NAME_MAX) or a person would not mean ('/', whitespace, control characters), each with one line starting "invalid hostname"; accept the rest, 64 bytes included. The tests give bad names and check the command never ran. */
	size_t len = strlen(name);

	if (len == 0)
		return nook_fail(err, 0, "invalid hostname \"\": empty");
	if (len > HOST_NAME_MAX)
		return nook_fail(err, 0, "invalid hostname \"%.16s...\": %zu bytes, at most %d",
				 name, len, HOST_NAME_MAX);
	for (const char *p = name; *p; p++) {
		if (*p == '/')
			return nook_fail(err, 0, "invalid hostname \"%s\": contains '/'", name);
		/* not echoed: a newline in it would break the one-line error */
		if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p))
			return nook_fail(err, 0,
					 "invalid hostname: whitespace or control character "
					 "at byte %td",
					 p - name);
	}
	/* END EXERCISE */
	return 0;
}

static int
set_hostname_option(struct nook_container *c, const char *arg, struct nook_error *err)
{
	if (uts_check_hostname(arg, err) < 0)
		return -1;
	c->hostname = arg;
	return 0;
}

/** The host's UTS namespace, as stat(2) of /proc/self/ns/uts names it: recorded by prepare. */
static struct stat host_uts;

/** Fill @p st with the identity (st_dev, st_ino) of the caller's UTS namespace. */
static int
uts_namespace(struct stat *st, struct nook_error *err)
{
	if (stat("/proc/self/ns/uts", st) < 0)
		return nook_fail(err, errno, "stat(\"/proc/self/ns/uts\")");
	return 0;
}

static int
uts_prepare(struct nook_container *c, struct nook_error *err)
{
	if (!c->hostname)
		c->hostname = DEFAULT_HOSTNAME;
	return uts_namespace(&host_uts, err);
}

/**
 * In the child, before anything is renamed: is it in a UTS namespace other than the host's?
 * A clone without CLONE_NEWUTS would otherwise rename the machine, not the container.
 */
static int
uts_check_inside(struct nook_error *err)
{
	struct stat st;

	if (uts_namespace(&st, err) < 0)
		return -1;
	if (st.st_dev == host_uts.st_dev && st.st_ino == host_uts.st_ino)
		return nook_fail(err, 0,
				 "the container is in the host's UTS namespace (no CLONE_NEWUTS?): "
				 "not renaming the host");
	return 0;
}

/** Inside the new namespaces: give the container its name. */
static int
uts_child(struct nook_container *c, struct nook_error *err)
{
	if (uts_check_inside(err) < 0)
		return -1;
	/* EXERCISE 01: give the container its hostname, c->hostname, whole (up to 64 bytes), in its own UTS namespace; on failure, one line naming the call and the name. Tests: `hostname` inside prints it, the host's is unchanged */
	if (nook_trace("01-uts.md#uts-the-hostname", sethostname(c->hostname, strlen(c->hostname)),
		       "sethostname(\"%s\")", c->hostname) < 0)
		return nook_fail(err, errno, "sethostname(\"%s\")", c->hostname);
	/* END EXERCISE */
	return 0;
}

static const struct nook_option uts_options[] = {
	{"hostname", "NAME", "hostname inside the container (default: " DEFAULT_HOSTNAME ")",
	 set_hostname_option},
	{NULL, NULL, NULL, NULL},
};

//! [uts_stage]
/** Step 01's stage: new UTS and IPC namespaces, and the hostname set inside. */
const struct nook_stage uts_stage = {
	.name = "uts+ipc",
	.clone_flags = CLONE_NEWUTS | CLONE_NEWIPC,
	.options = uts_options,
	.prepare = uts_prepare,
	.child = uts_child,
};
//! [uts_stage]

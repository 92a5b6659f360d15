/**
 * @file caps.c
 * @brief Step 08 — capabilities: root in the container keeps only the privileges a
 *        container needs, and --user runs the command as an ordinary user.
 *
 * Since Linux 2.2 "root" is not one privilege but about forty, called capabilities:
 * CAP_CHOWN lets a process give a file away, CAP_NET_BIND_SERVICE lets it listen on a port
 * below 1024, CAP_SYS_ADMIN lets it mount filesystems (and a great deal more), and so on.
 * The kernel checks the capability, not the uid: a process with uid 0 and no CAP_SYS_ADMIN
 * cannot mount. Each process carries five sets of them:
 *
 *  - effective: what the kernel checks right now;
 *  - permitted: the most the effective set may be raised to; a capability dropped from it
 *    is gone for good (short of an execve that grants it again);
 *  - inheritable: what may pass through an execve, to a program that asks for it in its
 *    file capabilities (setcap(8));
 *  - bounding: a ceiling over what any execve may grant. Root's execve gives it bounding
 *    (plus inheritable): this is the set that decides what a root command inside gets;
 *  - ambient (Linux 4.3): what a *non-root* program keeps across execve without file
 *    capabilities. nook empties it: a container's programs do not need it.
 *
 * Ordering is everything here, because each step takes away the power to do the next:
 *
 *  1. PR_SET_NO_NEW_PRIVS: from now on no execve may grant anything — a set-user-ID root
 *     program, or one with file capabilities, runs with no more than its caller had. It
 *     is inherited and cannot be unset. It is also what lets step 09 install a seccomp
 *     filter without CAP_SYS_ADMIN.
 *  2. The bounding set is cut down first, since dropping from it needs CAP_SETPCAP in the
 *     effective set, which the next steps may remove.
 *  3. Permitted, effective and inheritable become the kept set (with --user, plus
 *     CAP_SETUID and CAP_SETGID, still needed for the switch).
 *  4. With --user: setgroups(2) empties the supplementary groups, then setresgid(2) and
 *     setresuid(2). When a process whose uids were 0 gets none that is 0, the kernel
 *     clears its permitted, effective and ambient sets — unless PR_SET_KEEPCAPS was set,
 *     which nook deliberately does not. Then the inheritable set is emptied as well: the
 *     command runs as the kernel runs any non-root program, with no capabilities at all.
 *
 * It comes last of the child() hooks: mounting, sethostname and configuring the network
 * need the capabilities it removes. Step 02's init, which runs after every child() hook,
 * runs with the reduced set (or as the --user), and needs nothing more: sending a signal
 * to a process of the same uid takes no capability.
 *
 * Capabilities belong to a user namespace. With --userns (step 05) the container's root
 * has every capability of its own namespace and none on the host: CAP_SYS_ADMIN there
 * mounts only in mount namespaces that namespace owns. This stage narrows that set too.
 *
 * The default is Docker's: CHOWN, DAC_OVERRIDE, FSETID, FOWNER, MKNOD, NET_RAW, SETGID,
 * SETUID, SETFCAP, SETPCAP, NET_BIND_SERVICE, SYS_CHROOT, KILL, AUDIT_WRITE. What is left
 * out is what reaches beyond the container: SYS_ADMIN (mount, and much else), SYS_MODULE,
 * SYS_PTRACE, SYS_TIME, NET_ADMIN, SYS_BOOT, ...
 *
 * Further reading: capabilities(7), prctl(2) (PR_SET_NO_NEW_PRIVS, PR_CAPBSET_DROP,
 * PR_SET_KEEPCAPS), libcap(3), credentials(7), the kernel's
 * Documentation/userspace-api/no_new_privs.rst, LWN "CAP_SYS_ADMIN: the new root"
 * (https://lwn.net/Articles/486306/).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "nook.h"

//! [caps_default]
const uint64_t caps_default = NOOK_CAP(CAP_CHOWN) | NOOK_CAP(CAP_DAC_OVERRIDE) |
			      NOOK_CAP(CAP_FSETID) | NOOK_CAP(CAP_FOWNER) | NOOK_CAP(CAP_MKNOD) |
			      NOOK_CAP(CAP_NET_RAW) | NOOK_CAP(CAP_SETGID) | NOOK_CAP(CAP_SETUID) |
			      NOOK_CAP(CAP_SETFCAP) | NOOK_CAP(CAP_SETPCAP) |
			      NOOK_CAP(CAP_NET_BIND_SERVICE) | NOOK_CAP(CAP_SYS_CHROOT) |
			      NOOK_CAP(CAP_KILL) | NOOK_CAP(CAP_AUDIT_WRITE);
//! [caps_default]

/**
 * Capability @p name, as --cap-add and --cap-drop take it ("sys_admin", "CAP_SYS_ADMIN",
 * "Sys_Admin"), into @p cap. Refuses, naming option @p opt, a name libcap does not know
 * or the running kernel does not have.
 */
int
caps_parse_name(const char *opt, const char *name, int *cap, struct nook_error *err)
{
	const char *bare = strncasecmp(name, "cap_", 4) == 0 ? name + 4 : name;
	char full[64];
	cap_value_t value;

	for (const char *p = bare; *p; p++)
		if (!isalpha((unsigned char)*p) && *p != '_')
			return nook_fail(err, 0, "--%s: not a capability name (letters and _ only)",
					 opt);
	snprintf(full, sizeof(full), "cap_%.40s", bare);
	if (*bare == '\0' || cap_from_name(full, &value) < 0)
		return nook_fail(err, 0, "--%s: unknown capability \"%.40s\"", opt, name);
	if (value >= cap_max_bits())
		return nook_fail(err, 0, "--%s: %s is not known to this kernel", opt, full);
	*cap = value;
	return 0;
}

/** The capabilities kept: Docker's rule — drop, then add; --cap-add ALL keeps all but drops. */
uint64_t
caps_kept(const struct nook_caps *caps, int ncaps)
{
	uint64_t all = ncaps >= 64 ? UINT64_MAX : NOOK_CAP(ncaps) - 1;
	uint64_t base = caps->drop_all ? 0 : caps_default & ~caps->drop;

	if (caps->add_all)
		return all & ~caps->drop;
	return (base | caps->add) & all;
}

/** One id of --user: a number below 4294967295 (which means "no change" to the kernel). */
static int
parse_id(const char *s, char **end, unsigned *id)
{
	unsigned long v;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoul(s, end, 10);
	if (errno || v >= 4294967295UL)
		return -1;
	*id = (unsigned)v;
	return 0;
}

/** --user UID[:GID], numbers only (names would need the container's /etc/passwd). */
int
caps_parse_user(const char *arg, uid_t *uid, gid_t *gid, struct nook_error *err)
{
	char *end;
	unsigned u, g;

	if (parse_id(arg, &end, &u) < 0)
		goto bad;
	g = u;
	if (*end == ':' && parse_id(end + 1, &end, &g) < 0)
		goto bad;
	if (*end != '\0')
		goto bad;
	*uid = u;
	*gid = g;
	return 0;
bad:
	return nook_fail(
		err, 0, "--user: expected UID[:GID], numbers below 4294967295, got \"%.40s\"", arg);
}

static int
set_cap_add(struct nook_container *c, const char *arg, struct nook_error *err)
{
	int cap;

	if (strcasecmp(arg, "all") == 0) {
		c->caps.add_all = true;
		return 0;
	}
	if (caps_parse_name("cap-add", arg, &cap, err) < 0)
		return -1;
	c->caps.add |= NOOK_CAP(cap);
	return 0;
}

static int
set_cap_drop(struct nook_container *c, const char *arg, struct nook_error *err)
{
	int cap;

	if (strcasecmp(arg, "all") == 0) {
		c->caps.drop_all = true;
		return 0;
	}
	if (caps_parse_name("cap-drop", arg, &cap, err) < 0)
		return -1;
	c->caps.drop |= NOOK_CAP(cap);
	return 0;
}

static int
set_user(struct nook_container *c, const char *arg, struct nook_error *err)
{
	if (caps_parse_user(arg, &c->caps.uid, &c->caps.gid, err) < 0)
		return -1;
	c->caps.user = true;
	return 0;
}

/** Is @p id inside one of the ranges of @p m? */
static bool
mapped(const struct nook_id_map *m, unsigned id)
{
	for (int i = 0; i < m->n; i++)
		if (id >= m->range[i].inside && id - m->range[i].inside < m->range[i].count)
			return true;
	return false;
}

/**
 * In a user namespace, --user must name ids its maps have (step 05 filled in the default
 * ones already): the kernel would refuse the others with a bare EINVAL, after the clone.
 */
static int
caps_prepare(struct nook_container *c, struct nook_error *err)
{
	if (!c->caps.user || !c->userns)
		return 0;
	if (!mapped(&c->uid_map, c->caps.uid))
		return nook_fail(err, 0, "--user: uid %u is not in the user namespace's uid map",
				 (unsigned)c->caps.uid);
	if (!mapped(&c->gid_map, c->caps.gid))
		return nook_fail(err, 0, "--user: gid %u is not in the user namespace's gid map",
				 (unsigned)c->caps.gid);
	return 0;
}

/** Capability @p cap's name ("cap_chown") in @p buf, for error messages. */
static const char *
cap_name(int cap, char *buf, size_t size)
{
	char *name = cap_to_name(cap);

	snprintf(buf, size, "%s", name ? name : "?");
	cap_free(name);
	return buf;
}

/** Raise in @p set of @p caps every capability of @p mask (of the first @p ncaps). */
static int
caps_raise(cap_t caps, cap_flag_t set, uint64_t mask, int ncaps)
{
	cap_value_t list[64];
	int n = 0;

	for (int cap = 0; cap < ncaps; cap++)
		if (mask & NOOK_CAP(cap))
			list[n++] = cap;
	return n == 0 ? 0 : cap_set_flag(caps, set, n, list, CAP_SET);
}

/**
 * Narrow this process to @p bounding and @p process (masks of NOOK_CAP() bits). It is
 * called again after become_user() with a smaller @p process, by then perhaps without the
 * capability that changing the bounding set takes: a second call with nothing new to take
 * away from it must not need that capability. caps_raise() and cap_name() above help.
 */
static int
caps_limit(uint64_t bounding, uint64_t process, struct nook_error *err)
{
	/* EXERCISE 08: leave this process with exactly process in its permitted and effective sets, what of it bounding allows in its inheritable set, and nothing outside bounding that any later execve could grant; tests run getpcaps, mount, chown and a set-user-ID root program inside, with --cap-drop, --cap-add ALL and --user */
	int ncaps = cap_max_bits(), e;
	char name[32];
	cap_t caps;

	for (int cap = 0; cap < ncaps; cap++) {
		if ((bounding & NOOK_CAP(cap)) || cap_get_bound(cap) != 1)
			continue;
		if (cap_drop_bound(cap) < 0)
			return nook_fail(err, errno, "cap_drop_bound(%s)",
					 cap_name(cap, name, sizeof(name)));
	}
	nook_trace("08-caps.md#five-sets-per-process", 0,
		   "prctl(PR_CAPBSET_DROP) of each capability but %#llx",
		   (unsigned long long)bounding);
	caps = cap_init(); /* all three sets empty */
	if (!caps)
		return nook_fail(err, errno, "cap_init");
	if (caps_raise(caps, CAP_PERMITTED, process, ncaps) < 0 ||
	    caps_raise(caps, CAP_EFFECTIVE, process, ncaps) < 0 ||
	    caps_raise(caps, CAP_INHERITABLE, process & bounding, ncaps) < 0 ||
	    nook_trace("08-caps.md#five-sets-per-process", cap_set_proc(caps),
		       "capset(permitted=effective=%#llx)", (unsigned long long)process) < 0) {
		e = errno;
		cap_free(caps);
		return nook_fail(err, e, "cap_set_proc(%#llx)", (unsigned long long)process);
	}
	cap_free(caps);
	return 0;
	/* END EXERCISE */
}

//! [become_user]
/**
 * Become --user: the supplementary groups replaced — by none, or by those an OCI config
 * lists (additionalGids: podman gives --user 1000 the group 0) — then the gid, then the
 * uid (after the uid, the right to change the gid would be gone). Where setgroups is
 * denied for good (a user namespace made by an unprivileged user, see user.c) the groups
 * cannot be changed at all.
 */
static int
become_user(const struct nook_container *c, struct nook_error *err)
{
	uid_t uid = c->caps.uid;
	gid_t gid = c->caps.gid;

	if (!c->deny_setgroups &&
	    nook_trace("08-caps.md#changing-uid-and-pr_set_keepcaps",
		       setgroups((size_t)c->caps.ngroups, c->caps.groups), "setgroups(%d, %s)",
		       c->caps.ngroups, c->caps.ngroups ? "[...]" : "NULL") < 0)
		return nook_fail(err, errno, "setgroups(%d groups)", c->caps.ngroups);
	if (nook_trace("08-caps.md#changing-uid-and-pr_set_keepcaps", setresgid(gid, gid, gid),
		       "setresgid(%u)", (unsigned)gid) < 0)
		return nook_fail(err, errno, "setresgid(%u)", (unsigned)gid);
	if (nook_trace("08-caps.md#changing-uid-and-pr_set_keepcaps", setresuid(uid, uid, uid),
		       "setresuid(%u)", (unsigned)uid) < 0)
		return nook_fail(err, errno, "setresuid(%u)", (unsigned)uid);
	return 0; /* this cleared the parent-death signal: the launcher sets it again */
}
//! [become_user]

/** This process's bounding set (cap_get_bound), as a mask of its first @p ncaps. */
static uint64_t
bounding_set(int ncaps)
{
	uint64_t bound = 0;

	for (int cap = 0; cap < ncaps; cap++)
		if (cap_get_bound(cap) == 1)
			bound |= NOOK_CAP(cap);
	return bound;
}

/**
 * The capabilities to keep into @p keep. None can be had that is not in the bounding set
 * nook runs with (a host may have dropped some: nothing raises them again; a new user
 * namespace starts with a full one). --cap-add ALL is, as in Docker, all that nook *can*
 * give: the bounding set's. Any other capability missing there is refused, by name.
 */
static int
caps_wanted(const struct nook_caps *caps, uint64_t *keep, struct nook_error *err)
{
	int ncaps = cap_max_bits();
	uint64_t bound = bounding_set(ncaps);
	char name[32];

	*keep = caps_kept(caps, ncaps);
	if (caps->add_all)
		*keep &= bound;
	for (int cap = 0; cap < ncaps; cap++)
		if (*keep & ~bound & NOOK_CAP(cap))
			return nook_fail(err, 0,
					 "%s%s: not in the capability bounding set nook runs "
					 "with (the host withholds it)",
					 caps->add & NOOK_CAP(cap) ? "--cap-add " : "",
					 cap_name(cap, name, sizeof(name)));
	return 0;
}

//! [caps_child]
/** Inside, last of the child() hooks: no new privileges, fewer capabilities, the user. */
static int
caps_child(struct nook_container *c, struct nook_error *err)
{
	uint64_t keep, switching = NOOK_CAP(CAP_SETUID) | NOOK_CAP(CAP_SETGID);

	if (caps_wanted(&c->caps, &keep, err) < 0)
		return -1;
	if (NOOK_TRACED("08-caps.md#no-new-privileges", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) < 0)
		return nook_fail(err, errno, "prctl(PR_SET_NO_NEW_PRIVS)");
	if (NOOK_TRACED("08-caps.md#five-sets-per-process", cap_reset_ambient()) < 0)
		return nook_fail(err, errno, "cap_reset_ambient");
	if (!c->caps.user)
		return caps_limit(keep, keep, err);
	if (caps_limit(keep, keep | switching, err) < 0 || become_user(c, err) < 0)
		return -1;
	/* Root keeps its set; anyone else ends with none, as after any non-root execve. */
	return caps_limit(keep, c->caps.uid == 0 ? keep : 0, err);
}
//! [caps_child]

static const struct nook_option caps_options[] = {
	{"cap-add", "CAP", "keep capability CAP too (SYS_ADMIN, cap_net_admin, ALL)", set_cap_add},
	{"cap-drop", "CAP", "drop capability CAP, or ALL of them", set_cap_drop},
	{"user", "UID[:GID]", "run the command as UID, group GID (default: UID)", set_user},
	{NULL, NULL, NULL, NULL},
};

//! [caps_stage]
/** Step 08's stage: no namespace, only fewer privileges in the ones there are. */
const struct nook_stage caps_stage = {
	.name = "caps",
	.options = caps_options,
	.prepare = caps_prepare,
	.child = caps_child,
};
//! [caps_stage]

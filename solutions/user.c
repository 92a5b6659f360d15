/**
 * @file user.c
 * @brief Step 05 — a user namespace: root inside the container, an ordinary user outside.
 *
 * A user namespace gives its processes a set of user and group IDs of their own. The kernel
 * itself still knows each process by one "kernel" id; two maps, /proc/PID/uid_map and
 * /proc/PID/gid_map, translate between the ids inside the namespace and the ids in its
 * parent. A line "0 100000 65536" says: ids 0..65535 inside are 100000..165535 outside.
 * Every permission check against the host's files uses the outside id, so the container's
 * root, mapped to 100000, is just user 100000 to the host. An id with no mapping is shown
 * as the overflow id (65534, /proc/sys/kernel/overflowuid) — a root-owned host file seen
 * from inside belongs to "nobody".
 *
 * A new user namespace also comes with a full set of capabilities for its first process,
 * but they count only for what that namespace owns. Every other namespace is owned by the
 * user namespace that was current when it was created, and that is what makes a container
 * "rootless". clone(2) with CLONE_NEWUSER | CLONE_NEWUTS | CLONE_NEWPID | ... creates the
 * user namespace first and the others inside it, in one call: the new UTS, IPC, PID and
 * mount namespaces then belong to the container's root, who may sethostname(2) or mount
 * a procfs in them. An unprivileged user may create a user namespace, and is then
 * privileged in it — so one clone gives an ordinary user all of those namespaces at once.
 *
 * The order of events is strict, and each rule has a reason:
 *
 *  - The maps are written from outside, by the parent, while the child waits on the sync
 *    pipe. What may be mapped is judged by the *writer's* privilege in the parent
 *    namespace: with CAP_SETUID there (root) any ids; without it, only the writer's own
 *    effective id, alone (one line, count 1). The child has every capability inside but
 *    none outside, so it could map nothing more than itself. Until the maps exist, the
 *    child is "nobody" to itself and cannot become root inside (setresuid(0) says EINVAL).
 *  - Each map is written once, all its lines in a single write(2). The kernel refuses a
 *    second write with EPERM: a map cannot be changed once processes rely on it.
 *  - "deny" goes to /proc/PID/setgroups before gid_map, when the writer is unprivileged.
 *    Supplementary groups can take access away (a file "rw----r--" denies its group). If
 *    an ordinary user could become root in a namespace and call setgroups(2) to drop such
 *    a group, it would gain access it never had (CVE-2014-8989). So since Linux 3.19 an
 *    unprivileged gid_map is accepted only in a namespace where setgroups(2) is denied for
 *    good, and setgroups can only be written before gid_map. Root needs no such promise:
 *    nook leaves setgroups allowed then, and drops the host's groups itself, inside.
 *  - Inside, the user stage runs first of all child() hooks: setresgid(2), setresuid(2)
 *    to 0, so that everything after — mounts, files, exec — happens as the mapped root.
 *    A process whose uid is not 0 inside loses its capabilities when it execs.
 *
 * The default map: the range that /etc/subuid and /etc/subgid delegate to the caller (an
 * administrator's promise that those 65536 ids are that user's), else 100000..165535 for a
 * privileged caller, else the caller's own id alone. Mapping more than one's own id needs
 * someone privileged in the parent namespace to write the map; for an ordinary user that is
 * newuidmap(1) and newgidmap(1), set-user-ID root helpers that check /etc/subuid first. nook
 * runs them when, and only when, an unprivileged caller asks for more than its own id.
 *
 * Further reading: user_namespaces(7), subuid(5), newuidmap(1), setgroups(2),
 * capabilities(7), LWN "Namespaces in operation, part 5: User namespaces"
 * (https://lwn.net/Articles/532593/).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nook.h"

/** The first outside id of a privileged caller's default range. */
#define DEFAULT_OUTSIDE 100000
/** How many ids a default range maps: 0..65535, what a distribution's users use. */
#define DEFAULT_COUNT 65536
/** Room for a map as text: NOOK_MAX_ID_RANGES lines of three 10-digit numbers. */
#define MAP_TEXT 512

/**
 * Read a decimal number below 2^32 from @p *s, which must start with a digit and end at
 * @p end; advances @p *s past @p end. Returns -1 on anything else (sign, space, overflow).
 */
static int
parse_u32(const char **s, char end, unsigned *out)
{
	uint64_t v = 0;
	const char *p = *s;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > UINT32_MAX)
			return -1;
	}
	if (*p != end)
		return -1;
	*s = p + (end != '\0');
	*out = (unsigned)v;
	return 0;
}

/** Parse "INSIDE:OUTSIDE:COUNT" into @p r, refusing what the kernel would refuse. */
static int
parse_range(const char *opt, const char *arg, struct nook_id_range *r, struct nook_error *err)
{
	const char *p = arg;

	for (const char *q = arg; *q; q++) /* checked first: the message below echoes arg */
		if (!isdigit((unsigned char)*q) && *q != ':')
			return nook_fail(err, 0,
					 "invalid --%s: unexpected character at byte %td, "
					 "expected INSIDE:OUTSIDE:COUNT",
					 opt, q - arg);
	if (parse_u32(&p, ':', &r->inside) < 0 || parse_u32(&p, ':', &r->outside) < 0 ||
	    parse_u32(&p, '\0', &r->count) < 0)
		return nook_fail(err, 0,
				 "invalid --%s \"%.40s\": expected INSIDE:OUTSIDE:COUNT, "
				 "numbers below 4294967296",
				 opt, arg);
	return 0;
}

/** Do [a, a+n) and [b, b+m) share an id? */
static bool
overlap(unsigned a, unsigned n, unsigned b, unsigned m)
{
	return (uint64_t)a < (uint64_t)b + m && (uint64_t)b < (uint64_t)a + n;
}

/**
 * Add range @p r to @p m — the typed setter the option below and the OCI config reader
 * (linux.uidMappings) both call; @p what names the source in errors ("--uid-map").
 * Refused with one line: a zero count, a range past 4294967294, a range overlapping one
 * already in @p m (inside or outside — the kernel's rule: an id must translate one way
 * only), or more than NOOK_MAX_ID_RANGES ranges.
 */
int
user_add_id_range(struct nook_id_map *m, const char *what, struct nook_id_range r,
		  struct nook_error *err)
{
	if (r.count == 0)
		return nook_fail(err, 0, "invalid %s \"%u:%u:%u\": COUNT must be at least 1", what,
				 r.inside, r.outside, r.count);
	/* (uid_t)-1 means "no id" to the kernel: a range may end at 4294967294 at most. */
	if ((uint64_t)r.inside + r.count > UINT32_MAX || (uint64_t)r.outside + r.count > UINT32_MAX)
		return nook_fail(err, 0, "invalid %s \"%u:%u:%u\": the range passes id 4294967294",
				 what, r.inside, r.outside, r.count);
	if (m->n == NOOK_MAX_ID_RANGES)
		return nook_fail(err, 0, "too many %s: at most %d", what, NOOK_MAX_ID_RANGES);
	for (int i = 0; i < m->n; i++) {
		const struct nook_id_range *o = &m->range[i];

		if (overlap(r.inside, r.count, o->inside, o->count) ||
		    overlap(r.outside, r.count, o->outside, o->count))
			return nook_fail(err, 0, "%s \"%u:%u:%u\" overlaps \"%u:%u:%u\"", what,
					 r.inside, r.outside, r.count, o->inside, o->outside,
					 o->count);
	}
	m->range[m->n++] = r;
	return 0;
}

/** Parse @p arg ("INSIDE:OUTSIDE:COUNT", given to option --@p opt) and add it to @p m. */
int
user_add_range(struct nook_id_map *m, const char *opt, const char *arg, struct nook_error *err)
{
	struct nook_id_range r;
	char what[32];

	if (parse_range(opt, arg, &r, err) < 0)
		return -1;
	snprintf(what, sizeof(what), "--%s", opt);
	return user_add_id_range(m, what, r, err);
}

/**
 * Look @p name (or the numeric @p id, which subuid(5) also allows) up in the subordinate
 * id file @p path ("/etc/subuid"): "NAME:FIRST:COUNT" lines. On the first match, fill @p r
 * with 0 inside mapped to FIRST, for COUNT ids but at most 65536.
 *
 * @return 1 if found, 0 if not (also when the file does not exist).
 */
int
user_subid_range(const char *path, const char *name, unsigned id, struct nook_id_range *r)
{
	char line[256], who[128], num[16];
	unsigned first, count;
	int found = 0;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return 0;
	snprintf(num, sizeof(num), "%u", id);
	while (!found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%127[^:\n]:%u:%u", who, &first, &count) != 3 || count == 0)
			continue;
		if ((name && strcmp(who, name) == 0) || strcmp(who, num) == 0) {
			*r = (struct nook_id_range){0, first,
						    count < DEFAULT_COUNT ? count : DEFAULT_COUNT};
			found = 1;
		}
	}
	fclose(f);
	return found;
}

/** @p m as the kernel reads it: "INSIDE OUTSIDE COUNT\n" per range. Returns its length. */
int
user_format_map(const struct nook_id_map *m, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < m->n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%u %u %u\n", m->range[i].inside,
					m->range[i].outside, m->range[i].count);
	return len < size ? (int)len : -1;
}

/** Is @p cap (CAP_SETUID, CAP_SETGID) in our effective set, for our own user namespace? */
static bool
has_cap(int cap)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, data) < 0)
		return false;
	return (data[CAP_TO_INDEX(cap)].effective & CAP_TO_MASK(cap)) != 0;
}

//! [default_map]
/**
 * Fill an empty map: the caller's range in @p subid_path, else DEFAULT_OUTSIDE when
 * @p privileged, else @p own id alone — all that an unprivileged writer may map.
 */
static void
default_map(struct nook_id_map *m, const char *subid_path, unsigned own, bool privileged)
{
	struct passwd *pw = getpwuid(getuid());
	struct nook_id_range r;

	if (user_subid_range(subid_path, pw ? pw->pw_name : NULL, getuid(), &r))
		; /* the administrator delegated this range to the caller */
	else if (privileged)
		r = (struct nook_id_range){0, DEFAULT_OUTSIDE, DEFAULT_COUNT};
	else
		r = (struct nook_id_range){0, own, 1};
	m->range[0] = r;
	m->n = 1;
}
//! [default_map]

/** Does @p m make some id inside the host's root, uid 0 outside? */
bool
user_maps_host_root(const struct nook_id_map *m)
{
	for (int i = 0; i < m->n; i++)
		if (m->range[i].outside == 0)
			return true;
	return false;
}

/** Does @p m translate id 0 inside? The container's processes become 0 there. */
static bool
maps_root(const struct nook_id_map *m)
{
	for (int i = 0; i < m->n; i++)
		if (m->range[i].inside == 0)
			return true;
	return false;
}

/** Without CAP_SETxID, anything but our @p own id alone must be written by newxidmap. */
static bool
needs_helper(const struct nook_id_map *m, unsigned own, bool privileged)
{
	if (privileged)
		return false;
	return !(m->n == 1 && m->range[0].outside == own && m->range[0].count == 1);
}

/** Still on the host, before clone: fill in the default maps and decide who writes them. */
static int
user_prepare(struct nook_container *c, struct nook_error *err)
{
	bool setuid_ok, setgid_ok;

	if (!c->userns)
		return 0;
	setuid_ok = has_cap(CAP_SETUID);
	setgid_ok = has_cap(CAP_SETGID);
	if (c->uid_map.n == 0)
		default_map(&c->uid_map, "/etc/subuid", geteuid(), setuid_ok);
	if (c->gid_map.n == 0)
		default_map(&c->gid_map, "/etc/subgid", getegid(), setgid_ok);
	if (!maps_root(&c->uid_map))
		return nook_fail(err, 0, "--uid-map maps no id to 0, the container's root");
	if (!maps_root(&c->gid_map))
		return nook_fail(err, 0, "--gid-map maps no id to 0, the container's root group");
	c->uid_map.helper = needs_helper(&c->uid_map, geteuid(), setuid_ok) ? "newuidmap" : NULL;
	c->gid_map.helper = needs_helper(&c->gid_map, getegid(), setgid_ok) ? "newgidmap" : NULL;
	c->deny_setgroups = !setgid_ok && !c->gid_map.helper; /* newgidmap decides itself */
	c->drop_groups = setgid_ok;
	if (user_maps_host_root(&c->uid_map))
		snprintf(c->warning, sizeof(c->warning),
			 "warning: --uid-map makes the container's root the host's root (uid 0): "
			 "the user namespace protects nothing");
	return 0;
}

//! [user_flags]
/** The namespaces this stage adds: a user namespace, when asked for. */
static int
user_flags(const struct nook_container *c)
{
	return c->userns ? CLONE_NEWUSER : 0;
}
//! [user_flags]

//! [write_proc]
/**
 * Write @p text to /proc/PID/@p file in a single write(2). For uid_map, gid_map and
 * setgroups that is the only way: the kernel takes the whole map in one write, and only
 * once — a second write, or a partial one, fails with EPERM or EINVAL.
 */
static int
write_proc(pid_t pid, const char *file, const char *text, struct nook_error *err)
{
	char path[64], shown[MAP_TEXT];
	size_t len = strlen(text);
	ssize_t n;
	int fd, saved;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return nook_fail(err, errno, "open(\"%s\")", path);
	n = nook_trace("05-user.md#the-order-of-events-and-why", write(fd, text, len),
		       "write(\"%s\", \"%s\")", path, text);
	saved = errno;
	close(fd);
	if (n == (ssize_t)len)
		return 0;
	snprintf(shown, sizeof(shown), "%s", text); /* one line: newlines become ';' */
	for (char *p = shown; *p; p++)
		if (*p == '\n')
			*p = p[1] ? ';' : '\0';
	return nook_fail(err, n < 0 ? saved : EIO, "write(\"%s\", \"%s\")", path, shown);
}
//! [write_proc]

/** Start @p argv with its stderr into a pipe; returns its PID and the read end in @p fd. */
static pid_t
spawn_helper(struct nook_container *c, char *const argv[], int *fd, struct nook_error *err)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return nook_fail(err, errno, "pipe2");
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return nook_fail(err, errno, "fork");
	}
	if (pid == 0) {
		dup2(p[1], STDERR_FILENO);
		sigprocmask(SIG_SETMASK, &c->run.sigmask, NULL);
		execvp(argv[0], argv);
		dprintf(STDERR_FILENO, "execvp(\"%s\"): %s\n", argv[0], strerror(errno));
		_exit(errno == ENOENT ? NOOK_EXIT_NOT_FOUND : NOOK_EXIT_CANNOT_EXEC);
	}
	close(p[1]);
	*fd = p[0];
	return pid;
}

/** Wait for the helper @p pid; on failure, its first line of stderr goes into @p err. */
static int
reap_helper(const char *name, pid_t pid, int fd, struct nook_error *err)
{
	char said[160] = "";
	size_t len = 0;
	ssize_t n;
	int wstatus;

	while (len + 1 < sizeof(said) && (n = read(fd, said + len, sizeof(said) - 1 - len)) != 0)
		if (n > 0)
			len += (size_t)n;
		else if (errno != EINTR)
			break;
	said[len] = '\0';
	said[strcspn(said, "\n")] = '\0';
	close(fd);
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0)
		return 0;
	if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == NOOK_EXIT_NOT_FOUND)
		return nook_fail(err, 0,
				 "%s not found: mapping more than your own id needs it "
				 "(package uidmap)",
				 name);
	return nook_fail(err, 0, "%s failed (exit %d): %s", name, nook_wait_status(wstatus), said);
}

/** Have @p m written for @p pid by its set-user-ID helper: `newuidmap PID IN OUT COUNT...`. */
static int
run_helper(struct nook_container *c, const struct nook_id_map *m, struct nook_error *err)
{
	char nums[1 + 3 * NOOK_MAX_ID_RANGES][12];
	char *argv[1 + 1 + 3 * NOOK_MAX_ID_RANGES + 1];
	int n = 0, fd = -1;
	pid_t pid;

	snprintf(nums[n++], sizeof(nums[0]), "%d", (int)c->run.pid);
	for (int i = 0; i < m->n; i++) {
		snprintf(nums[n++], sizeof(nums[0]), "%u", m->range[i].inside);
		snprintf(nums[n++], sizeof(nums[0]), "%u", m->range[i].outside);
		snprintf(nums[n++], sizeof(nums[0]), "%u", m->range[i].count);
	}
	argv[0] = (char *)m->helper;
	for (int i = 0; i < n; i++)
		argv[1 + i] = nums[i];
	argv[1 + n] = NULL;
	nook_trace_note("05-user.md#the-default-map-and-newuidmap",
			"%s %s ... (set-user-ID helper)", argv[0], argv[1]);
	pid = spawn_helper(c, argv, &fd, err);
	if (pid < 0)
		return -1;
	return reap_helper(m->helper, pid, fd, err);
}

/**
 * On the host, after clone, while the child waits on the sync pipe: give the new user
 * namespace its maps, each written by us (write_proc, the text from user_format_map) or, if
 * the map's helper is set, by that set-user-ID helper (run_helper). The order is the
 * kernel's, see the top of this file.
 */
static int
user_parent(struct nook_container *c, struct nook_error *err)
{
	if (!c->userns)
		return 0;
	/* EXERCISE 05: give the waiting child's user namespace its uid and gid maps (c->uid_map, c->gid_map; each either written here or by its helper when one is set), with setgroups denied when c->deny_setgroups, in an order the kernel accepts. The tests look from inside at /proc/self/uid_map, gid_map and setgroups and at id, and from outside at the owners of the files the container makes, as root and as an unprivileged user. */
	char text[MAP_TEXT];

	if (c->uid_map.helper) {
		if (run_helper(c, &c->uid_map, err) < 0)
			return -1;
	} else {
		user_format_map(&c->uid_map, text, sizeof(text));
		if (write_proc(c->run.pid, "uid_map", text, err) < 0)
			return -1;
	}
	if (c->deny_setgroups && write_proc(c->run.pid, "setgroups", "deny", err) < 0)
		return -1;
	if (c->gid_map.helper) {
		if (run_helper(c, &c->gid_map, err) < 0)
			return -1;
	} else {
		user_format_map(&c->gid_map, text, sizeof(text));
		if (write_proc(c->run.pid, "gid_map", text, err) < 0)
			return -1;
	}
	/* END EXERCISE */
	return 0;
}

/**
 * The child's side of the handshake: the parent writes the maps while the child waits, and
 * releases it only then. An empty /proc/self/uid_map or gid_map here means the parent let
 * it go without them, and everything after would fail obscurely (setresuid(2): EINVAL, as
 * id 0 means nothing yet): say so instead.
 */
static int
check_mapped(const char *file, struct nook_error *err)
{
	char path[32], line[64];
	FILE *f;
	bool mapped;

	snprintf(path, sizeof(path), "/proc/self/%s", file);
	f = fopen(path, "re");
	if (!f)
		return nook_fail(err, errno, "open(\"%s\")", path);
	mapped = fgets(line, sizeof(line), f) != NULL;
	fclose(f);
	if (!mapped)
		return nook_fail(err, 0, "%s is empty: released before the parent wrote it", path);
	return 0;
}

/**
 * Inside, first of all child() hooks, once the maps are there: become root of the
 * namespace, group first (once the uid is set, changing the gid is a privilege question of
 * its own). A privileged caller's supplementary groups are the host's and would still open
 * host files: drop them.
 */
static int
user_child(struct nook_container *c, struct nook_error *err)
{
	if (!c->userns)
		return 0;
	if (check_mapped("uid_map", err) < 0 || check_mapped("gid_map", err) < 0)
		return -1;
	/* EXERCISE 05: become root of the new namespace — real, effective and saved ids, group and user — and, when c->drop_groups, without the host's supplementary groups; in an order the kernel allows. The tests run id inside and try host files from inside. */
	if (NOOK_TRACED("05-user.md#the-order-of-events-and-why", setresgid(0, 0, 0)) < 0)
		return nook_fail(err, errno, "setresgid(0, 0, 0)");
	if (c->drop_groups &&
	    NOOK_TRACED("05-user.md#the-order-of-events-and-why", setgroups(0, NULL)) < 0)
		return nook_fail(err, errno, "setgroups(0, NULL)");
	if (NOOK_TRACED("05-user.md#the-order-of-events-and-why", setresuid(0, 0, 0)) < 0)
		return nook_fail(err, errno, "setresuid(0, 0, 0)");
	/* END EXERCISE */
	return 0; /* this cleared the parent-death signal: the launcher sets it again */
}

/**
 * Is setgroups(2) denied for good in the user namespace of process @p pid (0: this one)?
 * So a rootless container's is (see the top of this file): its processes keep the groups
 * they have, as step 08 must then leave them.
 */
bool
user_setgroups_denied(pid_t pid)
{
	char path[64], word[8] = "";
	FILE *f;

	if (pid > 0)
		snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/setgroups");
	if (!(f = fopen(path, "re")))
		return false;
	if (!fgets(word, sizeof(word), f))
		word[0] = '\0';
	fclose(f);
	return strncmp(word, "deny", 4) == 0;
}

static int
set_userns_option(struct nook_container *c, const char *arg, struct nook_error *err)
{
	(void)arg;
	(void)err;
	c->userns = true;
	return 0;
}

static int
set_uid_map_option(struct nook_container *c, const char *arg, struct nook_error *err)
{
	c->userns = true;
	return user_add_range(&c->uid_map, "uid-map", arg, err);
}

static int
set_gid_map_option(struct nook_container *c, const char *arg, struct nook_error *err)
{
	c->userns = true;
	return user_add_range(&c->gid_map, "gid-map", arg, err);
}

static const struct nook_option user_options[] = {
	{"userns", NULL, "a user namespace: root inside, not outside", set_userns_option},
	{"uid-map", "IN:OUT:COUNT", "uids IN.. inside are OUT.. outside (repeatable)",
	 set_uid_map_option},
	{"gid-map", "IN:OUT:COUNT", "gids IN.. inside are OUT.. outside (repeatable)",
	 set_gid_map_option},
	{NULL, NULL, NULL, NULL},
};

//! [user_stage]
/**
 * Step 05's stage: a user namespace when --userns (or a map) is given. It comes first in a
 * program's list, so that its child() makes the process root inside before any other runs.
 */
const struct nook_stage user_stage = {
	.name = "user",
	.flags = user_flags,
	.options = user_options,
	.prepare = user_prepare,
	.parent = user_parent,
	.child = user_child,
};
//! [user_stage]

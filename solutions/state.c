/**
 * @file state.c
 * @brief A container's identity and its state directory: named once, made once, removed
 *        once — also when the runtime that made it was killed.
 *
 * Every container has an ID: chosen by the caller (`--name`, or the OCI runtime's
 * argument), or made up from random bytes for the step programs. Everything the container
 * leaves on the host is named after it: its state directory BASE/ID, its cgroup nook/ID,
 * the host end of its veth. A random ID, unlike the runtime's PID, is never reused by the
 * next container, so nothing a killed runtime left can be mistaken for a new one's.
 *
 * BASE is /run/nook for root. For an ordinary user it is $XDG_RUNTIME_DIR/nook, a
 * directory systemd makes for each logged-in user; without one, /tmp/nook-UID, which nook
 * makes 0700 and refuses to use unless it is the caller's own real directory (anyone can
 * create a name in /tmp first, as a trap).
 *
 * **Who cleans up.** A runtime that ends normally removes what it made, in destroy. One
 * killed by SIGKILL runs no code at all, so whoever comes next must recognise the leftovers
 * and remove them: the *sweep*. The question is how to tell a dead container's state from
 * a live one's. A PID written in a file is not enough — PIDs are reused, and a new process
 * may have the dead one's number. A lock is: the runtime holds flock(2) on BASE/ID/lock for
 * as long as it lives, and the kernel drops the lock when the last descriptor of it is
 * closed — also when the process is killed. So the sweep tries to take each lock without
 * waiting: whoever gets it has proved the owner dead, and removes that container's state
 * (asking each stage to remove what it made by name: its cgroup directories), holding the
 * lock so no second sweeper does the same. The lock is taken before its file gets its name
 * (made as lock.new, then renamed), so a sweeper never sees an unlocked lock of a container
 * still being made. A directory without a lock is a --keep run's, kept on purpose (it has
 * the keep mark), or one being made, or a killed maker's: makers share a lock on BASE from
 * mkdir(2) to the lock's rename, so a sweeper that can hold it alone removes such a
 * directory without a keep mark. The lock is removed last, so a killed remover leaves a
 * lock for the next sweep.
 *
 * **Removing a tree** is done with descriptors, one level at a time (openat(2),
 * unlinkat(2), getdents64(2)), not with paths: a container can nest directories far past
 * PATH_MAX in its writable layer, and nftw(3) gives up there. Only one directory is open
 * at any time, going down by name and back up by "..", so a tight limit on descriptors
 * (`ulimit -n`) does not stop it either; the names on the way down are kept in memory.
 *
 * Further reading: flock(2), openat(2), unlinkat(2), getdents64(2), the OCI runtime spec's
 * runtime.md ("State").
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "nook.h"

/** Where the lock is held: BASE/ID/lock; made as lock.new and renamed once locked. */
#define LOCK_FILE "lock"
/** A --keep run's mark: the sweep leaves its upper layer, destroy leaves the directory. */
#define KEEP_FILE NOOK_STATE_KEEP

/** A container ID: 1 to NOOK_ID_MAX of [A-Za-z0-9_+.-], not starting with ".". */
int
state_check_id(const char *id, struct nook_error *err)
{
	size_t len = strlen(id);

	if (len == 0 || len > NOOK_ID_MAX)
		return nook_fail(err, 0, "invalid container ID \"%s\": 1 to %d characters", id,
				 NOOK_ID_MAX);
	if (strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-.") != len)
		return nook_fail(err, 0,
				 "invalid container ID \"%s\": letters, digits and _+-. only", id);
	if (id[0] == '.') /* ".", "..", and the hidden names the sweep passes over */
		return nook_fail(err, 0, "invalid container ID \"%s\": starts with '.'", id);
	return 0;
}

/** A new ID: 16 hexadecimal digits from getrandom(2) (the clock and PID if it fails). */
void
state_new_id(char *id, size_t size)
{
	unsigned long long r;
	struct timespec ts;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		r = (unsigned long long)ts.tv_nsec * 2654435761ULL ^ (unsigned long long)getpid()
									     << 32;
	}
	snprintf(id, size, "%016llx", r);
}

/** FNV-1a of @p id: a short name derived from it, such as a veth's (15 bytes at most). */
unsigned long long
state_hash(const char *id)
{
	unsigned long long h = 14695981039346656037ULL;

	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 1099511628211ULL;
	return h;
}

/** /tmp/nook-UID, made 0700, and only if it really is ours: a directory, not a link. */
static int
private_tmp(char *buf, size_t size, struct nook_error *err)
{
	struct stat st;

	snprintf(buf, size, "/tmp/nook-%u", (unsigned)geteuid());
	if (mkdir(buf, 0700) < 0 && errno != EEXIST)
		return nook_fail(err, errno, "mkdir(\"%s\")", buf);
	if (lstat(buf, &st) < 0)
		return nook_fail(err, errno, "lstat(\"%s\")", buf);
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077))
		return nook_fail(err, 0, "%s is not a private directory of uid %u: not used", buf,
				 (unsigned)geteuid());
	return 0;
}

/**
 * Where state directories go: /run/nook, $XDG_RUNTIME_DIR/nook or /tmp/nook-UID/nook.
 * Only says where; state_base() makes it.
 */
int
state_base_path(char *buf, size_t size, struct nook_error *err)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	int n;

	if (geteuid() == 0)
		n = snprintf(buf, size, "/run/nook");
	else if (xdg && xdg[0] == '/')
		n = snprintf(buf, size, "%s/nook", xdg);
	else
		n = snprintf(buf, size, "/tmp/nook-%u/nook", (unsigned)geteuid());
	if (n < 0 || (size_t)n >= size)
		return nook_fail(err, 0, "$XDG_RUNTIME_DIR is too long");
	return 0;
}

/**
 * mkdir @p path and each missing parent, 0711: an engine names a --root below directories
 * of its own that may not exist yet (containerd's shim: ROOT/NAMESPACE), as runc makes them.
 */
static int
make_with_parents(char *path, struct nook_error *err)
{
	for (char *slash = strchr(path + 1, '/');; slash = strchr(slash + 1, '/')) {
		if (slash)
			*slash = '\0';
		if (mkdir(path, 0711) < 0 && errno != EEXIST) {
			nook_fail(err, errno, "mkdir(\"%s\")", path);
			if (slash)
				*slash = '/';
			return -1;
		}
		if (!slash)
			return 0;
		*slash = '/';
	}
}

/**
 * state_base_path(), made: the private /tmp directory checked, BASE created — or @p root
 * instead when given (the OCI runtime's --root), with its parents.
 */
int
state_base(const char *root, char *buf, size_t size, struct nook_error *err)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char tmp[64];

	if (root) {
		if (root[0] != '/' || snprintf(buf, size, "%s", root) >= (int)size)
			return nook_fail(err, 0, "--root \"%s\": an absolute path, shorter", root);
		return make_with_parents(buf, err);
	} else if (geteuid() != 0 && !(xdg && xdg[0] == '/') &&
		   private_tmp(tmp, sizeof(tmp), err) < 0)
		return -1;
	else if (state_base_path(buf, size, err) < 0)
		return -1;
	if (mkdir(buf, 0711) < 0 && errno != EEXIST)
		return nook_fail(err, errno, "mkdir(\"%s\")", buf);
	return 0;
}

static void sweep_in(const char *base, const struct nook_stage *const *stages);

/**
 * Take the lock of state directory @p dirfd: made as lock.new, locked, then renamed, so
 * that it is never seen unlocked while its container lives. Returns its descriptor.
 */
static int
take_lock(int dirfd, const char *path, struct nook_error *err)
{
	int fd = openat(dirfd, LOCK_FILE ".new", O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);

	if (fd < 0)
		return nook_fail(err, errno, "open(\"%s/" LOCK_FILE ".new\")", path);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0 ||
	    renameat(dirfd, LOCK_FILE ".new", dirfd, LOCK_FILE) < 0) {
		nook_fail(err, errno, "lock(\"%s/" LOCK_FILE "\")", path);
		close(fd);
		return -1;
	}
	return fd;
}

/**
 * The lock on making state directories: flock(2) on BASE itself, taken with @p how
 * (LOCK_SH or LOCK_EX, maybe LOCK_NB); its descriptor, or -1. Makers share it for the few
 * calls from mkdir(2) to the rename of their lock; a sweeper that holds it alone knows
 * that no directory is being made, so one without a lock or a keep mark is a killed
 * maker's. A directory can be locked like a file, and BASE gains no file of its own.
 */
static int
making_lock(const char *base, int how)
{
	int fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0 && flock(fd, how) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/** mkdir @p path (0711 past the umask) and take its lock; records it in @p c. */
static int
make_locked(struct nook_container *c, const char *path, struct nook_error *err)
{
	int dirfd;

	if (mkdir(path, 0711) < 0)
		return errno == EEXIST
			       ? nook_fail(err, 0, "container \"%s\" exists: %s", c->id, path)
			       : nook_fail(err, errno, "mkdir(\"%s\")", path);
	snprintf(c->run.state, sizeof(c->run.state), "%s", path);
	if (chmod(path, 0711) < 0) /* past the umask */
		return nook_fail(err, errno, "chmod(\"%s\")", path);
	dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return nook_fail(err, errno, "open(\"%s\")", path);
	c->run.lockfd = take_lock(dirfd, path, err);
	close(dirfd);
	return c->run.lockfd < 0 ? -1 : 0;
}

/**
 * Make the state directory BASE/ID (0711: the container's root, an unprivileged uid in a
 * user namespace, must reach what a stage puts in it) and hold its lock. Sweeps first.
 * An ID in use is refused.
 */
int
state_create(struct nook_container *c, const struct nook_stage *const *stages,
	     struct nook_error *err)
{
	char base[PATH_MAX_STATE - NOOK_ID_MAX - 2], path[PATH_MAX_STATE];
	int making, ret;

	if (state_base(c->state_root, base, sizeof(base), err) < 0)
		return -1;
	sweep_in(base, stages);
	snprintf(path, sizeof(path), "%s/%s", base, c->id);
	making = making_lock(base, LOCK_SH);
	if (making < 0)
		return nook_fail(err, errno, "lock(\"%s\")", base);
	ret = make_locked(c, path, err);
	close(making);
	return ret;
}

/**
 * Remove the state directory @p path with its lock last. A runtime killed while removing
 * it — the sweep runs in every new container's create, which may itself be killed —
 * leaves the lock behind for the next sweep, never a directory without one, which the
 * sweep would take for a --keep run's and leave forever.
 */
static int
remove_state_dir(const char *path, struct nook_error *err)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int ret = 0;

	if (!d)
		return errno == ENOENT ? 0 : nook_fail(err, errno, "opendir(\"%s\")", path);
	while (ret == 0 && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    strcmp(e->d_name, LOCK_FILE))
			ret = state_remove_tree(dirfd(d), e->d_name, err);
	closedir(d);
	return ret < 0 ? -1 : state_remove_tree(AT_FDCWD, path, err);
}

/**
 * At the end of destroy: remove the state directory and all in it, or — when a stage left
 * a keep mark (--keep) — only the lock, so that the sweep leaves the rest alone.
 */
int
state_remove(struct nook_container *c, struct nook_error *err)
{
	char keep[PATH_MAX_STATE + 8], lock[PATH_MAX_STATE + 8];
	int ret = 0;

	if (!c->run.state[0])
		return 0;
	snprintf(keep, sizeof(keep), "%s/" KEEP_FILE, c->run.state);
	snprintf(lock, sizeof(lock), "%s/" LOCK_FILE, c->run.state);
	if (access(keep, F_OK) == 0) {
		if (unlink(lock) < 0)
			ret = nook_fail(err, errno, "unlink(\"%s\")", lock);
	} else {
		ret = remove_state_dir(c->run.state, err);
	}
	if (c->run.lockfd >= 0)
		close(c->run.lockfd);
	c->run.lockfd = -1;
	c->run.state[0] = '\0';
	return ret;
}

/**
 * The stages that leave something outside the state directory, swept whatever program is
 * sweeping: a step-03 nook may be the one that finds a killed step-09 container's state,
 * whose cgroup directories it must not leave behind. A sweep done twice does no harm.
 */
static const struct nook_stage *const every_sweeper[] = {&cgroup_stage, &rootfs_stage,
							 &bridge_stage, NULL};

/** Every sweep() of @p stages for container @p name (state @p path); -1 if one failed. */
static int
run_sweeps(const struct nook_stage *const *stages, const char *name, const char *path)
{
	for (size_t i = 0; stages[i]; i++)
		if (stages[i]->sweep && stages[i]->sweep(name, path) < 0)
			return -1;
	return 0;
}

/** A dead owner's directory @p name under @p base, locked by us (@p lockfd): remove it. */
static void
sweep_one(const char *base, const char *name, int lockfd, const struct nook_stage *const *stages)
{
	char path[PATH_MAX], keep[PATH_MAX + 8];
	struct nook_error ignored;

	snprintf(path, sizeof(path), "%s/%s", base, name);
	if (run_sweeps(stages, name, path) < 0 || run_sweeps(every_sweeper, name, path) < 0) {
		close(lockfd); /* not yet: the next sweep tries again */
		return;
	}
	snprintf(keep, sizeof(keep), "%s/" KEEP_FILE, path);
	if (access(keep, F_OK) == 0) {
		snprintf(keep, sizeof(keep), "%s/" LOCK_FILE, path);
		unlink(keep);
	} else {
		remove_state_dir(path, &ignored);
	}
	close(lockfd);
}

/**
 * A directory @p name without a lock: a --keep run's (it has the keep mark), one being
 * made — or a killed maker's, if no one is making one: then it goes. The making lock is
 * held only for that, so that makers wait no longer than one removal.
 */
static void
sweep_unlocked(const char *base, const char *name)
{
	char path[PATH_MAX], keep[PATH_MAX + 8], lock[PATH_MAX + 8];
	struct nook_error ignored;
	int making;

	snprintf(path, sizeof(path), "%s/%s", base, name);
	snprintf(keep, sizeof(keep), "%s/" KEEP_FILE, path);
	if (access(keep, F_OK) == 0 || (making = making_lock(base, LOCK_EX | LOCK_NB)) < 0)
		return;
	/* Look again, now that no one is making: a maker may have renamed its lock between
	 * our first look and the making lock — then the directory is a live container's. */
	snprintf(lock, sizeof(lock), "%s/" LOCK_FILE, path);
	if (access(keep, F_OK) < 0 && access(lock, F_OK) < 0 && errno == ENOENT)
		remove_state_dir(path, &ignored);
	close(making);
}

/**
 * Is the lock we hold (@p fd) still the file at @p path? Another sweep may have removed it
 * between our open and our flock — and a new container of the same name made its own.
 */
static bool
still_there(int fd, const char *path)
{
	struct stat held, named;

	return fstat(fd, &held) == 0 && held.st_nlink > 0 && lstat(path, &named) == 0 &&
	       held.st_dev == named.st_dev && held.st_ino == named.st_ino;
}

/**
 * Remove what killed runtimes left: every state directory whose lock can be taken at once
 * — its owner is gone — after each stage's sweep() for its ID; and those without a lock
 * nor a keep mark when none is being made. Kept ones and locked ones (alive) stay.
 */
static void
sweep_in(const char *base, const struct nook_stage *const *stages)
{
	char lock[PATH_MAX];
	struct nook_error ignored;
	struct dirent *e;
	DIR *d;
	int fd;

	if (!(d = opendir(base)))
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || state_check_id(e->d_name, &ignored) < 0)
			continue;
		snprintf(lock, sizeof(lock), "%s/%s/" LOCK_FILE, base, e->d_name);
		fd = open(lock, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0 && errno == ENOENT)
			sweep_unlocked(base, e->d_name);
		if (fd < 0)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) < 0 || !still_there(fd, lock)) {
			close(fd); /* its runtime is alive, or another sweep removed it */
			continue;
		}
		sweep_one(base, e->d_name, fd, stages);
	}
	closedir(d);
}

/** The sweep of the default base, as every step program's create does. */
void
state_sweep(const struct nook_stage *const *stages)
{
	char base[PATH_MAX_STATE - NOOK_ID_MAX - 2];
	struct nook_error ignored;

	if (state_base(NULL, base, sizeof(base), &ignored) == 0)
		sweep_in(base, stages);
}

/* ---- removing a tree of any depth ---------------------------------------------------- */

/** The names from the top of the tree down to the directory being emptied. */
struct path_stack {
	char **name;
	size_t n, cap;
};

static int
push(struct path_stack *s, const char *name)
{
	char **grown;

	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		grown = realloc(s->name, s->cap * sizeof(*s->name));
		if (!grown)
			return -1;
		s->name = grown;
	}
	s->name[s->n] = strdup(name);
	return s->name[s->n] ? (int)++s->n : -1;
}

/** Open directory @p name under @p dirfd, letting ourselves in if its mode shuts us out. */
static int
open_dir(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 && errno == EACCES && fchmodat(dirfd, name, 0700, 0) == 0)
		fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd;
}

/**
 * Remove the entries of directory @p fd that one getdents64(2) batch lists. Sets @p sub to
 * a subdirectory that is not empty (to descend into) and stops there; @p sub stays "" when
 * the batch is done. Returns how many entries it saw (0: the directory is empty), or -1.
 */
static int
empty_batch(int fd, dev_t dev, char *sub, size_t size)
{
	char buf[8192];
	struct stat st;
	long n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
	int seen = 0;

	sub[0] = '\0';
	for (long off = 0; n > 0 && off < n;) {
		struct dirent64 *e = (struct dirent64 *)(buf + off);

		off += e->d_reclen;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		seen++;
		if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue; /* removed by another remover meanwhile: gone is fine */
			return -1;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (unlinkat(fd, e->d_name, 0) < 0 && errno != ENOENT)
				return -1;
		} else if (st.st_dev != dev) {
			errno = EBUSY; /* another filesystem mounted here: never cross it */
			return -1;
		} else if (unlinkat(fd, e->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT) {
			if (errno != ENOTEMPTY && errno != EEXIST)
				return -1;
			snprintf(sub, size, "%s", e->d_name);
			return seen;
		}
	}
	return n < 0 ? -1 : seen;
}

/** Empty directory @p fd (on device @p dev) and all below it, one level open at a time. */
static int
remove_levels(int fd, dev_t dev, struct path_stack *s)
{
	char sub[NAME_MAX + 1];
	int seen, up, ret;

	for (;;) {
		lseek(fd, 0, SEEK_SET);
		seen = empty_batch(fd, dev, sub, sizeof(sub));
		if (seen < 0)
			break;
		if (sub[0]) { /* go down */
			up = open_dir(fd, sub);
			if (up < 0 && errno == ENOENT)
				continue; /* another remover was quicker */
			if (up < 0 || push(s, sub) < 0)
				break;
			close(fd);
			fd = up;
		} else if (seen == 0) { /* empty: go up and remove it */
			if (s->n == 0)
				return close(fd);
			up = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (up < 0)
				break;
			close(fd);
			fd = up;
			s->n--;
			ret = unlinkat(fd, s->name[s->n], AT_REMOVEDIR);
			free(s->name[s->n]);
			if (ret < 0 && errno != ENOENT)
				break;
		}
	}
	close(fd);
	return -1;
}

/**
 * rm -rf @p name under @p dirfd (or a path with AT_FDCWD), at any depth, never following a
 * symbolic link or crossing into another filesystem. A file that is not there is fine,
 * also when another remover takes it first — two `nook delete --force` of one container
 * at once, say, an engine's and its cleanup process's: a directory gone from under us
 * (ENOENT, even for its "..") means starting again from the top, until nothing is left.
 */
int
state_remove_tree(int dirfd, const char *name, struct nook_error *err)
{
	struct path_stack s = {0};
	struct stat st;
	int fd, ret, saved;

	for (int tries = 0;; tries++) {
		fd = open_dir(dirfd, name);
		if (fd < 0 && errno == ENOTDIR)
			return unlinkat(dirfd, name, 0) < 0 && errno != ENOENT
				       ? nook_fail(err, errno, "unlink(\"%s\")", name)
				       : 0;
		if (fd < 0)
			return errno == ENOENT ? 0 : nook_fail(err, errno, "open(\"%s\")", name);
		if (fstat(fd, &st) < 0) {
			close(fd);
			return nook_fail(err, errno, "fstat(\"%s\")", name);
		}
		ret = remove_levels(fd, st.st_dev, &s);
		saved = errno;
		while (s.n > 0)
			free(s.name[--s.n]);
		free(s.name); /* each try starts afresh, and a later one may return early */
		s = (struct path_stack){0};
		if (ret == 0 || saved != ENOENT || tries == 16)
			break;
	}
	if (ret < 0)
		return nook_fail(err, saved, "removing \"%s\"", name);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return nook_fail(err, errno, "rmdir(\"%s\")", name);
	return 0;
}

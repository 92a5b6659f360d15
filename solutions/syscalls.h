/**
 * @file syscalls.h
 * @brief System calls that older C libraries have no wrapper for, called through syscall(2).
 *
 * The mount API of Linux 5.2 (open_tree(2), move_mount(2)) and mount_setattr(2) of Linux
 * 5.12 got glibc wrappers only in glibc 2.36; Ubuntu 22.04 ships 2.35, which knows the
 * system call numbers but declares neither the functions nor (in <sys/mount.h>) their
 * flags. So nook calls the kernel directly, the same on every C library: these inline
 * functions are what the wrappers do, and the flags below are the kernel's ABI values
 * (include/uapi/linux/mount.h), defined only where no header did.
 *
 * The attribute structure has a name of its own: glibc 2.36 and <linux/mount.h> both
 * define `struct mount_attr`, and a second definition would not compile next to theirs.
 * Its layout is the kernel's first published one (MOUNT_ATTR_SIZE_VER0, 32 bytes).
 *
 * See syscall(2), open_tree(2), move_mount(2), mount_setattr(2).
 */
#ifndef NOOK_SYSCALLS_H
#define NOOK_SYSCALLS_H

#include <fcntl.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The numbers are the same on every architecture that has them (the unified table). */
#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000 /* apply to the entire subtree */
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1 /* a detached copy of the tree, not the tree itself */
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004 /* the source is the fd itself */
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#endif

/** The argument of mount_setattr(2): the kernel's struct mount_attr, version 0. */
struct nook_mount_attr {
	uint64_t attr_set;    /**< MOUNT_ATTR_* to set */
	uint64_t attr_clr;    /**< MOUNT_ATTR_* to clear */
	uint64_t propagation; /**< MS_SHARED, MS_PRIVATE, ... or 0 to leave it */
	uint64_t userns_fd;   /**< with MOUNT_ATTR_IDMAP: the user namespace of the mapping */
};

/** open_tree(2): a file descriptor for the mount at @p path (a detached copy with CLONE). */
static inline int
nook_open_tree(int dfd, const char *path, unsigned int flags)
{
	return (int)syscall(SYS_open_tree, dfd, path, flags);
}

/** move_mount(2): attach the mount @p from (an fd, with F_EMPTY_PATH) at @p to_path. */
static inline int
nook_move_mount(int from_dfd, const char *from_path, int to_dfd, const char *to_path,
		unsigned int flags)
{
	return (int)syscall(SYS_move_mount, from_dfd, from_path, to_dfd, to_path, flags);
}

/** mount_setattr(2): change the attributes of the mount at @p path (or of @p dfd). */
static inline int
nook_mount_setattr(int dfd, const char *path, unsigned int flags, struct nook_mount_attr *attr,
		   size_t size)
{
	return (int)syscall(SYS_mount_setattr, dfd, path, flags, attr, size);
}

#endif

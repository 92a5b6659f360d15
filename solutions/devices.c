/**
 * @file devices.c
 * @brief Step 06 — the device cgroup: which device nodes the container may open or create,
 *        whatever nodes its files hold.
 *
 * A device node is only a name for a number. Whoever may mknod(2) (CAP_MKNOD) can give any
 * number a name — "b 254 0", the host's disk; "c 1 11", the kernel log; "c 1 1", physical
 * memory — and the node then opens the device itself, namespaces or not: a mount namespace
 * hides the host's /dev, not the devices. Three things stand in the way, each a layer:
 *
 *  - a user namespace: mknod of a device is refused there (only the initial namespace's
 *    CAP_MKNOD counts), and a filesystem mounted in one is implicitly nodev;
 *  - nodev mounts: open(2) of a device node on a nodev mount fails with EACCES (step 07
 *    mounts the root and /dev so);
 *  - the *device cgroup*, which the kernel asks at mknod(2) and at every open(2) of a
 *    block or character device, before the driver: may this process (its cgroup) make
 *    ("m"), read ("r") or write ("w") device TYPE MAJOR:MINOR? Refused, the call fails with
 *    EPERM. It holds wherever the node is — in a --volume on a host filesystem that
 *    allows devices, or in root mode without a user namespace, where the first two do not.
 *
 * The rules are a list (struct nook_device_rule), the last that matches deciding, anything
 * unmatched refused: OCI's linux.resources.devices, and by default (devices_default) what
 * runc and the OCI runtime spec give every container — mknod of any node (overlayfs itself
 * makes a whiteout, c 0:0, when a file is deleted, as the deleting process), and read and
 * write of null, zero, full, random, urandom, tty, ptmx and the container's own terminals
 * (/dev/pts, major 136). The disks, /dev/mem, /dev/kmsg and the rest are refused at open.
 *
 * The interface differs between the versions:
 *
 *  - cgroup v1 has a "devices" controller: each group has a list, written one rule per
 *    write(2) — "a" to devices.deny empties it (deny everything), then "c 1:3 rwm" lines to
 *    devices.allow (devices_v1_apply()). A group's list can only be narrower than its
 *    parent's.
 *  - cgroup v2 has no devices controller. Instead a BPF program of type
 *    BPF_PROG_TYPE_CGROUP_DEVICE is attached to the group (bpf(2) BPF_PROG_LOAD, then
 *    BPF_PROG_ATTACH with attach type BPF_CGROUP_DEVICE). The kernel runs it on each
 *    access with a struct bpf_cgroup_dev_ctx — access type (mknod, read, write) and device
 *    type in one word, major, minor — and the access goes ahead only if it returns 1
 *    (devices_v2_apply()). nook compiles its rule list into such a program: a few
 *    instructions per rule, last rule first, "return 0" at the end. With BPF_F_ALLOW_MULTI
 *    the programs of the parent groups run too, and all must allow. The program stays
 *    attached while the group exists; rmdir of the group frees it.
 *
 * Both are set up in prepare(), before clone, like the limits: the container never runs a
 * moment without them. A rootless container has no cgroup of its own, so no device
 * cgroup either; there the user namespace refuses mknod, which is what the cgroup guards.
 *
 * Further reading: the kernel's Documentation/admin-guide/cgroup-v1/devices.rst and
 * cgroup-v2.rst ("Device controller"), bpf(2), include/uapi/linux/bpf.h
 * (struct bpf_cgroup_dev_ctx); the OCI runtime spec's config-linux.md ("Devices",
 * "Default Devices", "Device allowlist"); runc's libcontainer/cgroups/devices and crun's
 * src/libcrun/ebpf.c, which build the same kind of program.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "nook.h"

//! [devices_default]
/** OCI's and runc's default allow-list; everything else is refused. */
const struct nook_device_rule devices_default[] = {
	{false, 'a', -1, -1, "rwm"}, /* deny everything, then allow: */
	{true, 'c', -1, -1, "m"},    /* mknod of any node: overlayfs whiteouts, */
	{true, 'b', -1, -1, "m"},    /* device nodes in images */
	{true, 'c', 1, 3, "rwm"},    /* /dev/null */
	{true, 'c', 1, 5, "rwm"},    /* /dev/zero */
	{true, 'c', 1, 7, "rwm"},    /* /dev/full */
	{true, 'c', 1, 8, "rwm"},    /* /dev/random */
	{true, 'c', 1, 9, "rwm"},    /* /dev/urandom */
	{true, 'c', 5, 0, "rwm"},    /* /dev/tty */
	{true, 'c', 5, 2, "rwm"},    /* /dev/ptmx */
	{true, 'c', 136, -1, "rwm"}, /* /dev/pts/N: the container's own terminals */
};
//! [devices_default]

const int devices_ndefault = sizeof(devices_default) / sizeof(devices_default[0]);

/** The rules for @p cg: its own (an OCI config's), or devices_default; their count in @p n. */
const struct nook_device_rule *
devices_rules(const struct nook_cgroup *cg, int *n)
{
	*n = cg->devices ? cg->ndevices : devices_ndefault;
	return cg->devices ? cg->devices : devices_default;
}

/** The BPF_DEVCG_ACC_* bits of an access string such as "rw". */
static unsigned
access_bits(const char *access)
{
	unsigned bits = 0;

	bits |= strchr(access, 'm') ? BPF_DEVCG_ACC_MKNOD : 0;
	bits |= strchr(access, 'r') ? BPF_DEVCG_ACC_READ : 0;
	bits |= strchr(access, 'w') ? BPF_DEVCG_ACC_WRITE : 0;
	return bits;
}

/** All three accesses. */
#define ACC_ALL (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)

/**
 * Does rule @p r decide an @p access ("r", "w", "m" or several) to device @p type ('b' or
 * 'c') @p major:@p minor? An allow rule decides when it grants all of the access asked
 * for; a deny rule when it refuses any part of it.
 */
static bool
rule_matches(const struct nook_device_rule *r, char type, long major, long minor, unsigned access)
{
	unsigned granted = access_bits(r->access);

	if ((r->type != 'a' && r->type != type) || (r->major >= 0 && r->major != major) ||
	    (r->minor >= 0 && r->minor != minor))
		return false;
	return r->allow ? (access & ~granted) == 0 : (access & granted) != 0;
}

/**
 * Would rules @p r (@p n of them) let a process make @p access (some of "rwm") to device
 * @p type @p major:@p minor? The last rule that matches decides; none: refused. This is
 * what the BPF program of devices_v2_program() computes, written in C.
 */
bool
devices_allowed(const struct nook_device_rule *r, int n, char type, long major, long minor,
		const char *access)
{
	for (int i = n - 1; i >= 0; i--)
		if (rule_matches(&r[i], type, major, minor, access_bits(access)))
			return r[i].allow;
	return false;
}

/** Is @p r a well-formed rule: type a, b or c; numbers -1 or more; access of "rwm"? */
static bool
rule_valid(const struct nook_device_rule *r)
{
	return (r->type == 'a' || r->type == 'b' || r->type == 'c') && r->major >= -1 &&
	       r->minor >= -1 && r->access[0] && strspn(r->access, "rwm") == strlen(r->access);
}

/**
 * @p r as a line of v1's devices.allow or devices.deny: "c 1:3 rwm", "b *:* m", "a".
 * @return the length, or -1 if @p r is not a valid rule or does not fit in @p size.
 */
int
devices_format_v1(const struct nook_device_rule *r, char *buf, size_t size)
{
	char major[24] = "*", minor[24] = "*";
	int len;

	if (!rule_valid(r))
		return -1;
	if (r->major >= 0)
		snprintf(major, sizeof(major), "%ld", r->major);
	if (r->minor >= 0)
		snprintf(minor, sizeof(minor), "%ld", r->minor);
	if (r->type == 'a')
		len = snprintf(buf, size, "a");
	else
		len = snprintf(buf, size, "%c %s:%s %s", r->type, major, minor, r->access);
	return len < (int)size ? len : -1;
}

/**
 * cgroup v1: replace the list of group @p dir with rules @p r. Writing "a" to devices.deny
 * refuses everything (and drops the allow-all the group inherited); each rule then is one
 * write to devices.allow or devices.deny, in order, so a later one refines an earlier one.
 */
int
devices_v1_apply(const char *dir, const struct nook_device_rule *r, int n, struct nook_error *err)
{
	char line[64];

	if (cgroup_write(dir, "devices.deny", "a", err) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (devices_format_v1(&r[i], line, sizeof(line)) < 0)
			return nook_fail(err, EINVAL, "device rule %d", i);
		if (r[i].type == 'a' && !r[i].allow)
			continue; /* "deny all" again: done above */
		if (cgroup_write(dir, r[i].allow ? "devices.allow" : "devices.deny", line, err) < 0)
			return -1;
	}
	return 0;
}

/* ---- cgroup v2: the rules as a BPF program --------------------------------------------- */

/** One eBPF instruction. */
static struct bpf_insn
insn(__u8 code, __u8 dst, __u8 src, __s16 off, __s32 imm)
{
	return (struct bpf_insn){
		.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
}

/* The registers the program keeps the context in (r1 points at it on entry). */
enum {
	R_CTX = 1,
	R_TYPE = 2,
	R_ACCESS = 3,
	R_MAJOR = 4,
	R_MINOR = 5,
	R_TMP = 6
};

/**
 * Emit rule @p r at @p p: tests that jump past the rule when it does not match, then
 * "return allow". @return how many instructions it took (at most 8).
 */
static int
emit_rule(struct bpf_insn *p, const struct nook_device_rule *r)
{
	unsigned granted = access_bits(r->access);
	bool test_access = r->allow ? granted != ACC_ALL : true;
	int len = 2 + (r->type != 'a') + (r->major >= 0) + (r->minor >= 0) + (test_access ? 3 : 0);
	int k = 0;

	/* each jump skips what is left of the rule: len - (its index + 1) */
	if (r->type != 'a')
		p[k] = insn(BPF_JMP | BPF_JNE | BPF_K, R_TYPE, 0, len - k - 1,
			    r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR),
		k++;
	if (r->major >= 0)
		p[k] = insn(BPF_JMP | BPF_JNE | BPF_K, R_MAJOR, 0, len - k - 1, (__s32)r->major),
		k++;
	if (r->minor >= 0)
		p[k] = insn(BPF_JMP | BPF_JNE | BPF_K, R_MINOR, 0, len - k - 1, (__s32)r->minor),
		k++;
	if (test_access) {
		/* allow: all of the access granted, (access & ~granted) == 0;
		 * deny: some of it refused, (access & granted) != 0 */
		p[k++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, R_TMP, R_ACCESS, 0, 0);
		p[k++] = insn(BPF_ALU64 | BPF_AND | BPF_K, R_TMP, 0, 0,
			      (__s32)(r->allow ? ~granted & ACC_ALL : granted));
		p[k] = insn(BPF_JMP | (r->allow ? BPF_JNE : BPF_JEQ) | BPF_K, R_TMP, 0, len - k - 1,
			    0),
		k++;
	}
	p[k++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, r->allow ? 1 : 0);
	p[k++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return k;
}

/**
 * Compile rules @p r into a BPF_PROG_TYPE_CGROUP_DEVICE program in @p prog (room for
 * @p max instructions: 8 per rule and 8 more is always enough). It loads the context into
 * registers, tests the rules last first — the first that matches returns 1 (allow) or 0 —
 * and returns 0 when none does.
 * @return the number of instructions, or -1 if a rule is invalid or @p max is too small.
 */
int
devices_v2_program(const struct nook_device_rule *r, int n, struct bpf_insn *prog, int max)
{
	const __u8 ldw = BPF_LDX | BPF_MEM | BPF_W;
	int len = 0;

	if (max < 8 * n + 8)
		return -1;
	/* access_type is (BPF_DEVCG_ACC_* << 16) | BPF_DEVCG_DEV_* */
	prog[len++] = insn(ldw, R_TYPE, R_CTX, offsetof(struct bpf_cgroup_dev_ctx, access_type), 0);
	prog[len++] = insn(BPF_ALU64 | BPF_AND | BPF_K, R_TYPE, 0, 0, 0xffff);
	prog[len++] =
		insn(ldw, R_ACCESS, R_CTX, offsetof(struct bpf_cgroup_dev_ctx, access_type), 0);
	prog[len++] = insn(BPF_ALU64 | BPF_RSH | BPF_K, R_ACCESS, 0, 0, 16);
	prog[len++] = insn(ldw, R_MAJOR, R_CTX, offsetof(struct bpf_cgroup_dev_ctx, major), 0);
	prog[len++] = insn(ldw, R_MINOR, R_CTX, offsetof(struct bpf_cgroup_dev_ctx, minor), 0);
	for (int i = n - 1; i >= 0; i--) {
		if (!rule_valid(&r[i]))
			return -1;
		len += emit_rule(prog + len, &r[i]);
	}
	prog[len++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
	prog[len++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return len;
}

/** bpf(2) BPF_PROG_LOAD of a device program: its fd, or -1 with @p err. */
static int
load_program(const struct bpf_insn *prog, int len, struct nook_error *err)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (__u64)(unsigned long)prog;
	attr.insn_cnt = (__u32)len;
	attr.license = (__u64)(unsigned long)"GPL";
	fd = (int)nook_trace("06-cgroups.md#devices-what-a-node-may-open",
			     syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr)),
			     "bpf(BPF_PROG_LOAD, device program of %d instructions)", len);
	if (fd < 0)
		return nook_fail(err, errno,
				 "bpf(BPF_PROG_LOAD, device program of %d instructions)", len);
	return fd;
}

/**
 * cgroup v2: compile rules @p r into a device program and attach it to the group open as
 * @p cgroup_fd. The attachment holds the program; nook closes its own descriptor.
 */
int
devices_v2_apply(int cgroup_fd, const struct nook_device_rule *r, int n, struct nook_error *err)
{
	struct bpf_insn prog[8 * NOOK_MAX_DEVICE_RULES + 8];
	union bpf_attr attr;
	int len, fd, rc;

	if (n > NOOK_MAX_DEVICE_RULES)
		return nook_fail(err, E2BIG, "device rules: %d, at most %d", n,
				 NOOK_MAX_DEVICE_RULES);
	len = devices_v2_program(r, n, prog, (int)(sizeof(prog) / sizeof(prog[0])));
	if (len < 0)
		return nook_fail(err, EINVAL, "device rules: one is not a valid rule");
	fd = load_program(prog, len, err);
	if (fd < 0)
		return -1;
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (__u32)cgroup_fd;
	attr.attach_bpf_fd = (__u32)fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	rc = (int)NOOK_TRACED("06-cgroups.md#devices-what-a-node-may-open",
			      syscall(SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof(attr)));
	if (rc < 0)
		nook_fail(err, errno, "bpf(BPF_PROG_ATTACH, BPF_CGROUP_DEVICE)");
	close(fd);
	return rc < 0 ? -1 : 0;
}

/**
 * @file cgroup_io.c
 * @brief Step 06's I/O throttles: --device-read-bps, --device-write-bps,
 *        --device-read-iops and --device-write-iops, docker's options, per block device.
 *
 * --io-weight shares a disk's time between groups only when they compete for it. A
 * *throttle* is a hard ceiling instead: this group may read or write at most so many bytes,
 * or so many operations, a second on this device, busy or idle — what a cloud provider
 * sells as a volume's provisioned IOPS. The kernel's block layer (blk-throttle) checks
 * each I/O request (a bio) against the limits of the cgroup of the process that submitted
 * it, and holds back the requests that would exceed them until their time has come.
 *
 * A limit names its device by number, MAJOR:MINOR, the two halves of the st_rdev that
 * stat(2) gives for a device node: docker's `--device-write-bps /dev/sda:1mb` is a stat of
 * /dev/sda, then one write to the cgroup, in either version's file:
 *
 *  - v2: io.max, one line per device with the limits set, "8:0 wbps=1048576 riops=100",
 *    a key left out staying as it was ("max": none). The io controller must be enabled.
 *  - v1: one file per limit, blkio.throttle.{read,write}_{bps,iops}_device, each taking
 *    "8:0 1048576" for one device.
 *
 * The limits apply to the whole disk a request reaches (the kernel refuses a partition's
 * numbers) and, on v1, only to I/O that reaches the device in the writer's name: a buffered
 * write(2) only fills the page cache, written back later by a kernel thread in no cgroup of
 * the container's. v2 charges writeback to the group that dirtied the pages, when the
 * memory and io controllers are both enabled there, so buffered writes are throttled too.
 * On either, direct I/O (O_DIRECT) is throttled as it is submitted; the tests use it.
 *
 * Further reading: the kernel's Documentation/admin-guide/cgroup-v2.rst ("IO Interface
 * Files", "Writeback"), Documentation/admin-guide/cgroup-v1/blkio-controller.rst.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "nook.h"

/** The options, v2's keys and v1's files, by IO_* index. */
const struct cgroup_io_name cgroup_io_names[IO_NLIMITS] = {
	[IO_READ_BPS] = {"device-read-bps", "rbps", "blkio.throttle.read_bps_device"},
	[IO_WRITE_BPS] = {"device-write-bps", "wbps", "blkio.throttle.write_bps_device"},
	[IO_READ_IOPS] = {"device-read-iops", "riops", "blkio.throttle.read_iops_device"},
	[IO_WRITE_IOPS] = {"device-write-iops", "wiops", "blkio.throttle.write_iops_device"},
};

/**
 * A rate of bytes a second as docker writes it: a size (cgroup_parse_size: "512k", "1m",
 * "2g"), its unit optionally followed by "b" ("1mb"); at least 1.
 */
static int
parse_bps(const char *text, unsigned long long *value)
{
	char size[32];
	size_t len = strlen(text);
	long long n;

	if (len >= sizeof(size))
		return -1;
	memcpy(size, text, len + 1);
	if (len >= 2 && tolower((unsigned char)size[len - 1]) == 'b' &&
	    strchr("kmgKMG", size[len - 2]))
		size[len - 1] = '\0';
	if (cgroup_parse_size(size, &n) < 0 || n < 1)
		return -1;
	*value = (unsigned long long)n;
	return 0;
}

/** A whole number of operations a second, at least 1. */
static int
parse_iops(const char *text, unsigned long long *value)
{
	char *end;

	if (!isdigit((unsigned char)text[0]))
		return -1;
	errno = 0;
	*value = strtoull(text, &end, 10);
	return errno || *end || *value < 1 ? -1 : 0;
}

/**
 * Parse DEVICE:RATE for throttle @p kind (IO_*): DEVICE a block device's path, resolved to
 * its numbers; RATE bytes (for the *_BPS kinds) or operations a second.
 */
int
cgroup_parse_io_limit(const char *arg, int kind, unsigned *major, unsigned *minor,
		      unsigned long long *value, struct nook_error *err)
{
	const char *opt = cgroup_io_names[kind].option, *colon = strrchr(arg, ':');
	bool bps = kind == IO_READ_BPS || kind == IO_WRITE_BPS;
	char dev[PATH_MAX];
	struct stat st;

	if (!colon || colon == arg || (size_t)(colon - arg) >= sizeof(dev))
		return nook_fail(err, 0, "invalid --%s \"%s\": expected DEVICE:%s", opt, arg,
				 bps ? "RATE" : "N");
	if (bps ? parse_bps(colon + 1, value) : parse_iops(colon + 1, value))
		return nook_fail(err, 0, "invalid --%s \"%s\": %s", opt, arg,
				 bps ? "not a rate such as 512k or 1mb (bytes a second)"
				     : "not a whole number of operations a second");
	snprintf(dev, sizeof(dev), "%.*s", (int)(colon - arg), arg);
	if (stat(dev, &st) < 0)
		return nook_fail(err, errno, "invalid --%s \"%s\": stat(\"%s\")", opt, arg, dev);
	if (!S_ISBLK(st.st_mode))
		return nook_fail(err, 0, "invalid --%s \"%s\": %s is not a block device", opt, arg,
				 dev);
	*major = major(st.st_rdev);
	*minor = minor(st.st_rdev);
	return 0;
}

/** Set throttle @p kind of device @p major:@p minor, adding the device if it is new. */
int
cgroup_set_io_limit(struct nook_container *c, unsigned major, unsigned minor, int kind,
		    unsigned long long value, struct nook_error *err)
{
	struct nook_cgroup *cg = &c->cgroup;
	int i;

	for (i = 0; i < cg->nio; i++)
		if (cg->io[i].major == major && cg->io[i].minor == minor)
			break;
	if (i == NOOK_MAX_IO_DEVICES)
		return nook_fail(err, 0, "--%s: I/O limits for more than %d devices",
				 cgroup_io_names[kind].option, NOOK_MAX_IO_DEVICES);
	if (i == cg->nio)
		cg->io[cg->nio++] = (struct nook_io_limit){.major = major, .minor = minor};
	cg->io[i].max[kind] = value;
	return 0;
}

/** The setter of option --device-...: parse @p arg for throttle @p kind, then set it. */
int
cgroup_io_option(struct nook_container *c, int kind, const char *arg, struct nook_error *err)
{
	unsigned long long value;
	unsigned major, minor;

	if (cgroup_parse_io_limit(arg, kind, &major, &minor, &value, err) < 0)
		return -1;
	return cgroup_set_io_limit(c, major, minor, kind, value, err);
}

/**
 * @file failclone.c
 * @brief `failclone CMD [ARG...]`: run CMD under a seccomp filter that makes clone3(2)
 *        fail with EPERM — a fault test's way of making nook's own clone3 fail, as a user
 *        namespace limit or a container manager's filter would.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int rc;

	if (argc < 2 || !ctx) {
		fprintf(stderr, "usage: failclone CMD [ARG...]\n");
		return 125;
	}
	rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone3), 0);
	if (rc == 0)
		rc = seccomp_load(ctx);
	if (rc < 0) {
		fprintf(stderr, "failclone: seccomp: %s\n", strerror(-rc));
		return 125;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "failclone: execvp(%s): %s\n", argv[1], strerror(errno));
	return 127;
}

/**
 * @file state.c
 * @brief Unit tests of the container's identity and state (solutions/state.c) and of the
 *        quoting every error goes through (solutions/error.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "nook.h"

static void
ids_are_checked(void **state)
{
	struct nook_error err;
	char id[NOOK_ID_MAX + 2];

	(void)state;
	assert_int_equal(state_check_id("web-1_a.b+c", &err), 0);
	assert_int_equal(state_check_id("", &err), -1);
	assert_int_equal(state_check_id("..", &err), -1);
	assert_int_equal(state_check_id(".hidden", &err), -1); /* the sweep skips it */
	assert_int_equal(state_check_id("a/b", &err), -1);
	assert_int_equal(state_check_id("a\nb", &err), -1);
	assert_null(strchr(err.msg, '\n'));
	memset(id, 'x', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	assert_int_equal(state_check_id(id, &err), -1);
}

static void
new_ids_differ(void **state)
{
	char a[NOOK_ID_MAX + 1], b[NOOK_ID_MAX + 1];
	struct nook_error err;

	(void)state;
	state_new_id(a, sizeof(a));
	state_new_id(b, sizeof(b));
	assert_int_equal(strlen(a), 16);
	assert_string_not_equal(a, b);
	assert_int_equal(state_check_id(a, &err), 0);
}

/** mkdir -p of @p depth levels named @p name under @p top; returns the deepest as a fd. */
static int
deep_tree(int top, const char *name, int depth)
{
	int fd = dup(top), next;

	for (int i = 0; i < depth; i++) {
		assert_int_equal(mkdirat(fd, name, 0755), 0);
		next = openat(fd, name, O_RDONLY | O_DIRECTORY);
		assert_true(next >= 0);
		close(fd);
		fd = next;
	}
	return fd;
}

/**
 * A tree far deeper than PATH_MAX, with a directory of mode 000 (as overlay's work/work)
 * and a symbolic link out of it, goes whole — with only 8 descriptors allowed — and the
 * link's target stays.
 */
static void
trees_of_any_depth_are_removed(void **state)
{
	char top[] = "/tmp/nook-unit-tree-XXXXXX", outside[] = "/tmp/nook-unit-out-XXXXXX";
	char name[64];
	struct rlimit old, tight = {8, 8};
	struct nook_error err;
	struct stat st;
	int topfd, deep;

	(void)state;
	assert_non_null(mkdtemp(top));
	assert_non_null(mkdtemp(outside));
	memset(name, 'd', 60);
	name[60] = '\0';
	topfd = open(top, O_RDONLY | O_DIRECTORY);
	deep = deep_tree(topfd, name, 2 * PATH_MAX / 61);
	close(openat(deep, "file", O_CREAT | O_WRONLY, 0644));
	assert_int_equal(symlinkat(outside, deep, "out"), 0);
	assert_int_equal(mkdirat(deep, "locked", 0755), 0);
	close(openat(deep, "locked/inside", O_CREAT | O_WRONLY, 0644));
	assert_int_equal(fchmodat(deep, "locked", 0, 0), 0);
	close(deep);
	close(topfd);
	getrlimit(RLIMIT_NOFILE, &old);
	tight.rlim_max = old.rlim_max;
	setrlimit(RLIMIT_NOFILE, &tight);
	int ret = state_remove_tree(AT_FDCWD, top, &err);
	setrlimit(RLIMIT_NOFILE, &old);
	if (ret < 0)
		fail_msg("state_remove_tree: %s", err.msg);
	assert_int_equal(stat(top, &st), -1);
	assert_int_equal(stat(outside, &st), 0);
	rmdir(outside);
}

/** A tree of @p width directories of @p width files each, and one chain 16 deep, in @p top. */
static void
wide_tree(const char *top, int width)
{
	char name[32];
	int topfd = open(top, O_RDONLY | O_DIRECTORY), dir;

	assert_true(topfd >= 0);
	for (int i = 0; i < width; i++) {
		snprintf(name, sizeof(name), "d%d", i);
		assert_int_equal(mkdirat(topfd, name, 0755), 0);
		dir = openat(topfd, name, O_RDONLY | O_DIRECTORY);
		for (int j = 0; j < width; j++) {
			snprintf(name, sizeof(name), "f%d", j);
			close(openat(dir, name, O_CREAT | O_WRONLY, 0644));
		}
		close(dir);
	}
	close(deep_tree(topfd, "deep", 16));
	close(topfd);
}

/**
 * Two removers of one tree at once — two `nook delete --force` of a container, an
 * engine's and its cleanup's — both succeed, each taking what the other left, and the
 * tree is gone.
 */
static void
two_removers_at_once_both_succeed(void **state)
{
	struct nook_error err;
	struct stat st;
	int status, mine;
	pid_t other;

	(void)state;
	for (int round = 0; round < 20; round++) {
		char top[] = "/tmp/nook-unit-race-XXXXXX";

		assert_non_null(mkdtemp(top));
		wide_tree(top, 24);
		other = fork();
		assert_true(other >= 0);
		if (other == 0)
			_exit(state_remove_tree(AT_FDCWD, top, &err) < 0 ? 1 : 0);
		mine = state_remove_tree(AT_FDCWD, top, &err);
		assert_int_equal(waitpid(other, &status, 0), other);
		if (mine < 0)
			fail_msg("round %d: state_remove_tree: %s", round, err.msg);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		assert_int_equal(stat(top, &st), -1);
	}
}

static void
missing_trees_are_fine(void **state)
{
	struct nook_error err;

	(void)state;
	assert_int_equal(state_remove_tree(AT_FDCWD, "/tmp/nook-unit-no-such-tree", &err), 0);
}

static void
quoting_keeps_errors_on_one_line(void **state)
{
	char buf[64];
	struct nook_error err;

	(void)state;
	nook_quote(buf, sizeof(buf), "a\nb\x1b[31m\\c\xff");
	assert_string_equal(buf, "a\\nb\\x1b[31m\\\\c\\xff");
	nook_fail(&err, 0, "invalid --memory \"%s\"", "64m\n\x1b[2J");
	assert_string_equal(err.msg, "invalid --memory \"64m\\n\\x1b[2J\"");
	assert_int_equal(nook_quote(buf, 8, "abcdefghijk"), 7);
	assert_string_equal(buf, "abcd...");
}

static void
long_errors_end_in_dots(void **state)
{
	char arg[3000];
	struct nook_error err;

	(void)state;
	memset(arg, 'a', sizeof(arg) - 1);
	arg[sizeof(arg) - 1] = '\0';
	nook_fail(&err, ENOENT, "open(\"%s\")", arg);
	assert_true(strlen(err.msg) < sizeof(err.msg));
	assert_non_null(strstr(err.msg, "...: No such file or directory"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ids_are_checked),
		cmocka_unit_test(new_ids_differ),
		cmocka_unit_test(trees_of_any_depth_are_removed),
		cmocka_unit_test(two_removers_at_once_both_succeed),
		cmocka_unit_test(missing_trees_are_fine),
		cmocka_unit_test(quoting_keeps_errors_on_one_line),
		cmocka_unit_test(long_errors_end_in_dots),
	};

	return cmocka_run_group_tests_name("unit-state", tests, NULL, NULL);
}

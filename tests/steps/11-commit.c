/**
 * @file 11-commit.c
 * @brief Step 11's tests of what a container adds to its image: `nook commit` (its
 *        writable layer as a new image: files created, changed, deleted, a directory
 *        replaced), `nook cp` both ways (and never through a link out of the container),
 *        host devices (`--device /dev/X[:PATH][:rwm]`) and CDI devices (`--device
 *        vendor.com/class=name`, specs the tests write into a scratch directory, never
 *        /etc/cdi).
 *
 * The image is an OCI layout built here (tests/images/mklayout) from the default image,
 * plus a layer holding a device node of its own, /lc (c 10:237, the loop control device):
 * a node in an image gives no access to the device unless a rule allows it. Each test has
 * its own store (--store) and state root (--root), both scratch directories.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

static char image[PATH_MAX];
static char group_dir[64];		      /* the layout, built once */
static char layout[128];		      /* group_dir/base */
static char store[64], root[64], scratch[64]; /* per test */

/** Run `nook --store STORE --root ROOT ARGS...` to its end. */
#define nook(r, ...) run_step(r, "nook", "--store", store, "--root", root, __VA_ARGS__, NULL)

/** Run the shell command made of @p fmt, which must succeed. */
static void
sh(const char *fmt, ...)
{
	char cmd[2048];
	struct run r;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	run_shell(&r, cmd);
	expect_run(&r, r.status == 0, "%s", cmd);
}

static int
setup(void **state)
{
	const char *img = getenv("NOOK_IMAGE");

	(void)state;
	skip_unless_root();
	if (!realpath(img && *img ? img : "build/images/busybox", image))
		fail_msg("the image: %s (make image)", strerror(errno));
	snprintf(group_dir, sizeof(group_dir), "/tmp/nook-commit-XXXXXX");
	if (!mkdtemp(group_dir))
		fail_msg("mkdtemp: %s", strerror(errno));
	snprintf(layout, sizeof(layout), "%s/base", group_dir);
	sh("mkdir %s/l2 && mknod %s/l2/lc c 10 237", group_dir, group_dir);
	sh("tests/images/mklayout %s base:latest %s %s/l2", layout, image, group_dir);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	sh("rm -rf %s", group_dir);
	return 0;
}

/** A scratch store with the image imported, and a scratch state root. */
static int
test_setup(void **state)
{
	struct run r;

	(void)state;
	make_scratch_dir(store, "store", 0700);
	make_scratch_dir(root, "root", 0700);
	make_scratch_dir(scratch, "scratch", 0755);
	nook(&r, "image", "import", layout);
	expect_run(&r, r.status == 0, "import %s", layout);
	return 0;
}

/** After each test: no mount of its store left, and the scratch directories gone. */
static int
test_teardown(void **state)
{
	struct run r;
	char cmd[256];

	(void)state;
	unsetenv("NOOK_CDI_SPEC_DIRS");
	snprintf(cmd, sizeof(cmd), "grep -c ' %s/' /proc/self/mountinfo", store);
	run_shell(&r, cmd);
	if (strcmp(r.out, "0\n") != 0) {
		sh("grep ' %s/' /proc/self/mountinfo | cut -d' ' -f5 | xargs -r -n1 umount -l",
		   store);
		fail_msg("mounts of the store were left behind");
	}
	remove_scratch_dirs();
	return 0;
}

/** How many entries directory STORE/@p sub has. */
static int
count(const char *sub)
{
	char path[PATH_MAX];
	struct dirent *e;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", store, sub);
	if (!(d = opendir(path)))
		return 0;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/** Expect an error: exit 125, one line on stderr mentioning @p what. */
static void
expect_error(const struct run *r, const char *what)
{
	expect_run(r, r->status == 125, "expected exit status 125");
	expect_run(r, count_lines(r->err) == 1, "expected one line on stderr");
	expect_run(r, strstr(r->err, what) != NULL, "expected \"%s\" in the error", what);
}

/** Expect a refusal: an error (expect_error()), and no container left in the store. */
static void
expect_refused(const struct run *r, const char *what)
{
	expect_error(r, what);
	expect_run(r, count("containers") == 0, "expected no container left in the store");
}

/** Write @p text into the file @p dir/@p name. */
static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		fail_msg("%s: %s", path, strerror(errno));
	fputs(text, f);
	fclose(f);
}

/** Expect the file @p path to hold exactly @p want. */
static void
expect_file(const char *path, const char *want)
{
	char buf[256] = "";
	FILE *f = fopen(path, "r");

	if (!f)
		fail_msg("%s: %s", path, strerror(errno));
	buf[fread(buf, 1, sizeof(buf) - 1, f)] = '\0';
	fclose(f);
	if (strcmp(buf, want) != 0)
		fail_msg("%s holds \"%s\", expected \"%s\"", path, buf, want);
}

/* --- commit --------------------------------------------------------------------------- */

/**
 * A container that creates, changes and deletes files and replaces /usr (opaque), then
 * committed: the new image has one layer more, shares the others, and shows the changes.
 */
static void
test_commit(void **state)
{
	char id[64], cmd[512];
	struct run r;

	(void)state;
	nook(&r, "run", "--name", unique_name(id, "commit"), "base", "sh", "-c",
	     "echo new >/etc/newfile; echo changed >>/etc/passwd; rm /bin/vi; rm -rf /usr; "
	     "mkdir -p /usr/local; echo y >/usr/local/y");
	expect_status(&r, 0);
	nook(&r, "commit", "-m", "a test commit", id, "committed:v1");
	expect_run(&r, r.status == 0 && strncmp(r.out, "sha256:", 7) == 0, "commit %s", id);
	assert_int_equal(count("images"), 2);
	assert_int_equal(count("layers"), 3); /* the base's two, shared, and the new one */
	nook(&r, "run", "--rm", "committed:v1", "sh", "-c",
	     "cat /etc/newfile; tail -n1 /etc/passwd; test -e /bin/vi || echo no-vi; "
	     "ls -A /usr; ls /usr/local; test -e /bin/ls && echo ls");
	expect_stdout(&r, "new\nchanged\nno-vi\nlocal\ny\nls\n");
	nook(&r, "image", "inspect", "committed:v1");
	expect_run(&r, strstr(r.out, "a test commit") && strstr(r.out, "nook commit"),
		   "the history entry");
	/* the new layer, unpacked again: the whiteout and the opaque directory overlay's */
	snprintf(cmd, sizeof(cmd),
		 "for f in %s/layers/*/bin/vi; do [ -c $f ] && echo $f; done | wc -l", store);
	run_shell(&r, cmd);
	expect_run(&r, strcmp(r.out, "1\n") == 0, "one layer has the whiteout of bin/vi");
	/* the base image is as it was */
	nook(&r, "run", "--rm", "base", "sh", "-c",
	     "test -e /etc/newfile && echo newfile; test -e /bin/vi && echo vi");
	expect_stdout(&r, "vi\n");
}

/** Commit refused: an unknown container, a bad name; one line, 125, nothing stored. */
static void
test_commit_refused(void **state)
{
	struct run r;

	(void)state;
	nook(&r, "commit", "nosuch", "x:v1");
	expect_refused(&r, "no such container \"nosuch\"");
	nook(&r, "commit", "nosuch", "Bad Name");
	expect_refused(&r, "Bad Name");
	assert_int_equal(count("images"), 1);
	assert_int_equal(count("tmp"), 0);
}

/* --- cp ------------------------------------------------------------------------------- */

/**
 * Copies in and out of an ended container, file and directory; a link the container made
 * to a host path is followed only inside it: nothing read from or written to the host's.
 */
static void
test_cp(void **state)
{
	char id[64], c[128], path[PATH_MAX], host[128], script[1024];
	struct run r;

	(void)state;
	snprintf(host, sizeof(host), "%s/hostdir", scratch);
	sh("mkdir %s && echo secret >%s/secret && echo from-host >%s/in.txt", host, host, scratch);
	snprintf(script, sizeof(script),
		 "mkdir /data && echo inside >/data/f && ln -s /../../../..%s /esc && "
		 "ln -s /../../..%s/target /data/link",
		 host, host);
	nook(&r, "run", "--name", unique_name(id, "cp"), "base", "sh", "-c", script);
	expect_status(&r, 0);
	/* out: a file, then a directory */
	snprintf(c, sizeof(c), "%s:/data/f", id);
	snprintf(path, sizeof(path), "%s/out.txt", scratch);
	nook(&r, "cp", c, path);
	expect_status(&r, 0);
	expect_file(path, "inside\n");
	/* in: into a directory, under the file's own name; over a link, which it replaces */
	snprintf(path, sizeof(path), "%s/in.txt", scratch);
	snprintf(c, sizeof(c), "%s:/data/", id);
	nook(&r, "cp", path, c);
	expect_status(&r, 0);
	snprintf(c, sizeof(c), "%s:/data/link", id);
	nook(&r, "cp", path, c);
	expect_status(&r, 0);
	snprintf(path, sizeof(path), "%s/containers/%s/upper/data/in.txt", store, id);
	expect_file(path, "from-host\n");
	snprintf(path, sizeof(path), "%s/containers/%s/upper/data/link", store, id);
	expect_file(path, "from-host\n");
	snprintf(path, sizeof(path), "%s/target", host);
	assert_false(file_exists(path));
	snprintf(c, sizeof(c), "%s:/data", id);
	snprintf(path, sizeof(path), "%s/datacopy", scratch);
	nook(&r, "cp", c, path);
	expect_status(&r, 0);
	strcat(path, "/in.txt");
	expect_file(path, "from-host\n");
	/* through the container's link to the host's directory: refused both ways */
	snprintf(c, sizeof(c), "%s:/esc/secret", id);
	snprintf(path, sizeof(path), "%s/leak", scratch);
	nook(&r, "cp", c, path);
	expect_error(&r, "No such file");
	assert_false(file_exists(path));
	snprintf(path, sizeof(path), "%s/in.txt", scratch);
	snprintf(c, sizeof(c), "%s:/esc/planted", id);
	nook(&r, "cp", path, c);
	expect_error(&r, "No such file");
	snprintf(path, sizeof(path), "%s/planted", host);
	assert_false(file_exists(path));
}

/** Bad cp command lines: one line, 125. */
static void
test_cp_refused(void **state)
{
	struct run r;

	(void)state;
	nook(&r, "cp", "/etc/hostname", "/tmp/x");
	expect_refused(&r, "not neither");
	nook(&r, "cp", "a:/x", "b:/y");
	expect_refused(&r, "not both");
	nook(&r, "cp", "/etc/hostname", "nosuch:/x");
	expect_refused(&r, "no such container");
	nook(&r, "cp", "/etc/hostname", "nosuch:x");
	expect_refused(&r, "must be absolute");
}

/* --- --device ------------------------------------------------------------------------ */

/** A host node under another name, usable; the access the rule gives, and no more. */
static void
test_device_node(void **state)
{
	struct run r;

	(void)state;
	nook(&r, "run", "--rm", "--device", "/dev/null:/dev/mynull:rw", "base", "sh", "-c",
	     "stat -c '%t:%T %F' /dev/mynull; echo gone >/dev/mynull && echo written; "
	     "wc -c </dev/mynull");
	expect_stdout(&r, "1:3 character special file\nwritten\n0\n");
	if (access("/dev/loop-control", F_OK) < 0) {
		print_message("  SKIP: no /dev/loop-control here, which the access tests use\n");
		skip();
	}
	/* the image's own node of the same device: refused without a rule (EPERM) */
	nook(&r, "run", "--rm", "base", "sh", "-c", "exec 3</lc && echo opened");
	expect_run(&r, r.status != 0 && strstr(r.err, "Operation not permitted"),
		   "the image's /lc opened without a device rule");
	/* allowed "r": it opens for reading, not for writing */
	nook(&r, "run", "--rm", "--device", "/dev/loop-control:/dev/lc:r", "base", "sh", "-c",
	     "exec 3</dev/lc && echo read; exec 3</lc && echo image-node; exec 4>/dev/lc && "
	     "echo write");
	expect_run(&r, strcmp(r.out, "read\nimage-node\n") == 0, "read, not write");
	expect_run(&r, strstr(r.err, "Operation not permitted") != NULL, "write refused: EPERM");
	/* /dev/X alone: the same path inside, and rwm */
	nook(&r, "run", "--rm", "--device", "/dev/loop-control", "base", "sh", "-c",
	     "stat -c '%t:%T' /dev/loop-control; exec 4<>/dev/loop-control && echo rw");
	expect_stdout(&r, "a:ed\nrw\n");
}

/** Bad --device options: one line, 125, nothing left. */
static void
test_device_refused(void **state)
{
	struct run r;

	(void)state;
	nook(&r, "run", "--rm", "--device", "/dev/null:/dev/x:rwx", "base", "true");
	expect_refused(&r, "access \"rwx\"");
	nook(&r, "run", "--rm", "--device", "/etc/passwd", "base", "true");
	expect_refused(&r, "is not a device node");
	nook(&r, "run", "--rm", "--device", "/dev/nook-no-such-node", "base", "true");
	expect_refused(&r, "/dev/nook-no-such-node");
}

/* --- CDI ------------------------------------------------------------------------------ */

/** A JSON spec: a node, an env var, a read-only mount and a hook; and a YAML one. */
static void
write_specs(const char *cdi)
{
	char text[2048];

	snprintf(
		text, sizeof(text),
		"{\"cdiVersion\": \"0.6.0\", \"kind\": \"nook.test/fake\",\n"
		" \"containerEdits\": {\"env\": [\"FAKE_KIND=1\"]},\n"
		" \"devices\": [{\"name\": \"null\", \"containerEdits\": {\n"
		"  \"deviceNodes\": [{\"path\": \"/dev/cdinull\", \"hostPath\": \"/dev/null\",\n"
		"                    \"permissions\": \"rw\"}],\n"
		"  \"env\": [\"FAKE_DEVICE=null\"],\n"
		"  \"mounts\": [{\"hostPath\": \"%s/data\", \"containerPath\": \"/cdi-data\",\n"
		"              \"options\": [\"ro\", \"bind\"]}],\n"
		"  \"hooks\": [{\"hookName\": \"createRuntime\", \"path\": \"/bin/sh\",\n"
		"              \"args\": [\"sh\", \"-c\", \"echo $0 >%s/hooked\", \"ran\"]}]}}]}\n",
		scratch, scratch);
	write_file(cdi, "fake.json", text);
	write_file(cdi, "zero.yaml",
		   "cdiVersion: 0.6.0\n"
		   "kind: nook.test/zero\n"
		   "devices:\n"
		   "  - name: \"0\"\n"
		   "    containerEdits:\n"
		   "      deviceNodes:\n"
		   "        - {path: /dev/cdizero, hostPath: /dev/zero, fileMode: 0640}\n"
		   "      env: [ZERO=yes]\n");
}

/** Both specs' devices applied: the nodes, env, mount and the hook, seen from outside. */
static void
test_cdi(void **state)
{
	char cdi[PATH_MAX], path[PATH_MAX];
	struct run r;

	(void)state;
	snprintf(cdi, sizeof(cdi), "%s/cdi", scratch);
	sh("mkdir %s %s/data && echo payload >%s/data/f", cdi, scratch, scratch);
	write_specs(cdi);
	nook(&r, "run", "--rm", "--cdi-spec-dir", cdi, "--device", "nook.test/fake=null",
	     "--device", "nook.test/zero=0", "base", "sh", "-c",
	     "stat -c '%t:%T %a' /dev/cdinull /dev/cdizero; echo $FAKE_KIND $FAKE_DEVICE $ZERO; "
	     "echo x >/dev/cdinull && echo written; cat /cdi-data/f; "
	     "touch /cdi-data/g 2>/dev/null || echo read-only");
	expect_stdout(&r, "1:3 666\n1:5 640\n1 null yes\nwritten\npayload\nread-only\n");
	snprintf(path, sizeof(path), "%s/hooked", scratch);
	assert_true(file_exists(path)); /* the createRuntime hook ran on the host */
	/* the same, the directory given by $NOOK_CDI_SPEC_DIRS */
	setenv("NOOK_CDI_SPEC_DIRS", cdi, 1);
	nook(&r, "run", "--rm", "--device", "nook.test/zero=0", "base", "sh", "-c", "echo $ZERO");
	expect_stdout(&r, "yes\n");
}

/** An unknown CDI device, a broken spec, a bad name: one line, 125, nothing left. */
static void
test_cdi_refused(void **state)
{
	char cdi[PATH_MAX];
	struct run r;

	(void)state;
	snprintf(cdi, sizeof(cdi), "%s/cdi", scratch);
	sh("mkdir %s %s/data", cdi, scratch);
	write_specs(cdi);
	nook(&r, "run", "--rm", "--cdi-spec-dir", cdi, "--device", "nook.test/fake=nosuch", "base",
	     "true");
	expect_refused(&r, "nook.test/fake=nosuch: no such CDI device");
	nook(&r, "run", "--rm", "--cdi-spec-dir", cdi, "--device", "nook.test/fake", "base",
	     "true");
	expect_refused(&r, "not a CDI device name");
	write_file(
		cdi, "broken.yaml",
		"cdiVersion: 0.6.0\nkind: nook.test/broken\ndevices:\n  - name: a\n"
		"    containerEdits:\n      mounts: [{hostPath: relative, containerPath: /x}]\n");
	nook(&r, "run", "--rm", "--cdi-spec-dir", cdi, "--device", "nook.test/broken=a", "base",
	     "true");
	expect_refused(&r, "broken.yaml: devices[0].containerEdits.mounts[0]");
	/* the default directories, should a test ever run where /etc/cdi has specs */
	nook(&r, "run", "--rm", "--device", "nook.test/fake=null", "base", "true");
	expect_refused(&r, "/etc/cdi, /var/run/cdi");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_commit, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_commit_refused, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_cp, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_cp_refused, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_device_node, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_device_refused, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_cdi, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_cdi_refused, test_setup, test_teardown),
	};

	return cmocka_run_group_tests_name("11-commit", tests, setup, teardown);
}

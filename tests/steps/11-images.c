/**
 * @file 11-images.c
 * @brief Step 11's tests: images imported and pulled into a scratch store, run with
 *        `nook run IMAGE`; whiteouts, shared layers, and hostile input refused with
 *        nothing stored.
 *
 * The images are OCI layouts built here from the default image (tests/images/mklayout):
 * "one layer" is build/images/busybox as it is; "two layers" adds a layer that deletes
 * /bin/vi (a whiteout), makes /usr opaque (everything below it hidden) and adds
 * /etc/added. A registry is Debian's docker-registry on 127.0.0.1 and a free port, with
 * a scratch storage directory; skopeo pushes the layouts into it. Each test has its own
 * store (--store) and state root (--root), both scratch directories.
 */
#define _GNU_SOURCE
#include <archive.h>
#include <archive_entry.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/utsname.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "harness.h"

static char image[PATH_MAX];
static char group_dir[64];	  /* the layouts, built once */
static char one_layer[128];	  /* group_dir/one */
static char two_layers[128];	  /* group_dir/two */
static char store[128], root[64]; /* per test */
static pid_t server;		  /* a registry the test started, until it stops it */

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

/** The second layer: a whiteout of /bin/vi, /usr opaque, /etc/added. */
static void
make_second_layer(const char *dir)
{
	sh("mkdir -p %s/bin %s/usr %s/etc && touch %s/bin/.wh.vi %s/usr/.wh..wh..opq && "
	   "echo added >%s/etc/added",
	   dir, dir, dir, dir, dir, dir);
}

static int
setup(void **state)
{
	const char *img = getenv("NOOK_IMAGE");
	char l2[128];

	(void)state;
	skip_unless_root();
	if (!realpath(img && *img ? img : "build/images/busybox", image))
		fail_msg("the image: %s (make image)", strerror(errno));
	snprintf(group_dir, sizeof(group_dir), "/tmp/nook-images-XXXXXX");
	if (!mkdtemp(group_dir))
		fail_msg("mkdtemp: %s", strerror(errno));
	snprintf(one_layer, sizeof(one_layer), "%s/one", group_dir);
	snprintf(two_layers, sizeof(two_layers), "%s/two", group_dir);
	snprintf(l2, sizeof(l2), "%s/l2", group_dir);
	make_second_layer(l2);
	sh("tests/images/mklayout %s base:latest %s", one_layer, image);
	sh("tests/images/mklayout %s busybox:latest %s %s", two_layers, image, l2);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	sh("rm -rf %s", group_dir);
	return 0;
}

static int
test_setup(void **state)
{
	(void)state;
	make_scratch_dir(store, "store", 0700);
	make_scratch_dir(root, "root", 0700);
	return 0;
}

/** After each test: no mount of its store left, and the scratch directories gone. */
static int
test_teardown(void **state)
{
	struct run r;
	char cmd[256];

	(void)state;
	if (server > 0) { /* a test that failed with its registry running */
		kill(server, SIGKILL);
		waitpid(server, NULL, 0);
		server = 0;
	}
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

/** Nothing stored: no image, layer, blob, container, scratch file or partial blob. */
static void
expect_nothing_stored(void)
{
	int n = count("images") + count("layers") + count("blobs/sha256") + count("containers") +
		count("tmp") + count("partial");

	if (n != 0) {
		sh("find %s >&2", store);
		fail_msg("%d entries were stored", n);
	}
}

/** Expect a refusal: exit 125, one line on stderr mentioning @p what. */
static void
expect_refused(const struct run *r, const char *what)
{
	expect_run(r, r->status == 125, "expected exit status 125");
	expect_run(r, count_lines(r->err) == 1, "expected one line on stderr");
	expect_run(r, strstr(r->err, what) != NULL, "expected \"%s\" in the error", what);
}

/** Import @p layout; it must succeed. */
static void
import(const char *layout, const char *name)
{
	struct run r;

	if (name)
		nook(&r, "image", "import", "--name", name, layout);
	else
		nook(&r, "image", "import", layout);
	expect_run(&r, r.status == 0 && strncmp(r.out, "sha256:", 7) == 0, "import %s", layout);
}

/* --- import and run ------------------------------------------------------------------ */

static void
test_import_run(void **state)
{
	struct run r;

	(void)state;
	import(two_layers, NULL);
	nook(&r, "images");
	expect_run(&r, r.status == 0 && strstr(r.out, "busybox:latest"), "images lists it");
	nook(&r, "run", "--rm", "busybox", "echo", "hi");
	expect_stdout(&r, "hi\n");
	assert_int_equal(count("containers"), 0); /* --rm: the writable layer is gone */
	nook(&r, "run", "--rm", "busybox", "sh", "-c", "exit 7");
	expect_status(&r, 7);
}

/**
 * An OCI layout in a tar, as `podman save --format oci-archive` and `skopeo copy
 * oci-archive:` write one, and gzipped: each imports under the layout's name and runs. A
 * cut one is refused in one line, nothing stored.
 */
static void
test_import_oci_archive(void **state)
{
	char dir[64], path[128];
	struct run r;

	(void)state;
	make_scratch_dir(dir, "ociarchive", 0755);
	sh("tar -C %s -cf %s/l.tar . && gzip -c %s/l.tar >%s/l.tar.gz && head -c 300000 %s/l.tar "
	   ">%s/cut.tar",
	   two_layers, dir, dir, dir, dir, dir);
	snprintf(path, sizeof(path), "%s/cut.tar", dir);
	nook(&r, "image", "import", path);
	expect_refused(&r, path);
	expect_nothing_stored();
	snprintf(path, sizeof(path), "%s/l.tar", dir);
	import(path, NULL);
	nook(&r, "run", "--rm", "busybox", "echo", "hi");
	expect_stdout(&r, "hi\n");
	nook(&r, "rmi", "busybox");
	nook(&r, "image", "prune");
	expect_nothing_stored();
	snprintf(path, sizeof(path), "%s/l.tar.gz", dir);
	import(path, "gz:v1");
	nook(&r, "run", "--rm", "gz:v1", "cat", "/etc/added");
	expect_stdout(&r, "added\n");
}

/** The image's config becomes the process's: Env, WorkingDir; -e and -w win. */
static void
test_image_config(void **state)
{
	struct run r;

	(void)state;
	import(two_layers, NULL);
	nook(&r, "run", "--rm", "busybox", "sh", "-c", "echo $FROM_IMAGE; pwd");
	expect_stdout(&r, "yes\n/\n");
	nook(&r, "run", "--rm", "-e", "FROM_IMAGE=no", "-w", "/etc", "busybox", "sh", "-c",
	     "echo $FROM_IMAGE; pwd");
	expect_stdout(&r, "no\n/etc\n");
}

/** The whiteout of layer 2 in the store: the path of its bin/vi that is a device. */
static void
find_whiteout(char *path, size_t size)
{
	char cmd[512];
	struct run r;

	snprintf(cmd, sizeof(cmd), "for f in %s/layers/*/bin/vi; do [ -c $f ] && echo $f; done",
		 store);
	run_shell(&r, cmd);
	expect_run(&r, count_lines(r.out) == 1, "one layer has a whiteout bin/vi");
	r.out[strcspn(r.out, "\n")] = '\0';
	assert_true(snprintf(path, size, "%s", r.out) < (int)size);
}

/** The image's User, a name, is looked up in the image's own /etc/passwd and /etc/group. */
static void
test_image_user(void **state)
{
	char dir[64];
	struct run r;

	(void)state;
	make_scratch_dir(dir, "user", 0755);
	sh("MKLAYOUT_USER=nobody:tty tests/images/mklayout %s/u user:latest %s", dir, image);
	sh("MKLAYOUT_USER=nosuchuser tests/images/mklayout %s/bad bad:latest %s", dir, image);
	import(strcat(dir, "/u"), NULL);
	*strrchr(dir, '/') = '\0';
	nook(&r, "run", "--rm", "user", "sh", "-c", "id -u; id -g");
	expect_stdout(&r, "65534\n5\n");
	import(strcat(dir, "/bad"), NULL);
	nook(&r, "run", "--rm", "bad", "true");
	expect_refused(&r, "not in the image's /etc/passwd");
	assert_int_equal(count("containers"), 0);
}

/** `nook image inspect`: the ID, the layer directories in the store, the image's config. */
static void
test_image_inspect(void **state)
{
	char id[80], cmd[512];
	struct run r;

	(void)state;
	nook(&r, "image", "import", two_layers);
	expect_status(&r, 0);
	snprintf(id, sizeof(id), "%.71s", r.out);
	nook(&r, "image", "inspect", "busybox");
	expect_status(&r, 0);
	assert_non_null(strstr(r.out, id));
	assert_non_null(strstr(r.out, "\"FROM_IMAGE=yes\""));
	snprintf(cmd, sizeof(cmd), "%s/layers/", store);
	assert_non_null(strstr(r.out, cmd));
	snprintf(cmd, sizeof(cmd), "%.12s", id + 7); /* a short ID names it too */
	nook(&r, "image", "inspect", cmd);
	expect_status(&r, 0);
	nook(&r, "image", "inspect", "sha256:00");
	expect_refused(&r, "no such image");
}

/** The second layer's whiteout hides /bin/vi, its opaque /usr hides the first's /usr. */
static void
test_whiteout_opaque(void **state)
{
	char path[PATH_MAX], buf[4];
	struct stat st;
	struct run r;

	(void)state;
	assert_true(snprintf(path, sizeof(path), "%s/bin/vi", image) < (int)sizeof(path));
	assert_int_equal(stat(path, &st), 0); /* the first layer has vi */
	import(two_layers, NULL);
	nook(&r, "run", "--rm", "busybox", "sh", "-c",
	     "test -e /bin/vi && echo vi; ls -A /usr; cat /etc/added; test -e /bin/ls && echo ls");
	expect_stdout(&r, "added\nls\n");
	/* on disk, in overlay's form: a 0/0 character device, and the opaque attribute */
	find_whiteout(path, sizeof(path));
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(st.st_rdev, makedev(0, 0));
	strcpy(strstr(path, "/bin/vi"), "/usr");
	assert_int_equal(getxattr(path, "trusted.overlay.opaque", buf, sizeof(buf)), 1);
	assert_int_equal(buf[0], 'y');
}

/* --- shared layers --------------------------------------------------------------------- */

/** The lowerdir= and upperdir= of the overlay mounted on @p dir (mountinfo). */
static void
overlay_dirs(const char *dir, char *lower, char *upper, size_t size)
{
	char cmd[512];
	struct run r;

	assert_true(snprintf(cmd, sizeof(cmd),
			     "grep ' %s ' /proc/self/mountinfo | tr ',' '\\n' | grep -E "
			     "'^(lower|upper)dir='",
			     dir) < (int)sizeof(cmd));
	run_shell(&r, cmd);
	expect_run(&r, count_lines(r.out) == 2, "the overlay on %s", dir);
	sscanf(r.out, "lowerdir=%1023s upperdir=%1023s", lower, upper);
	(void)size;
}

/** Start container @p id of busybox: it prints its busybox's inode, then waits for a SIGTERM. */
static void
start_waiting(struct proc *p, struct run *r, const char *id)
{
	start_step(p, r, "nook", "--store", store, "--root", root, "run", "--rm", "--name", id,
		   "busybox", "sh", "-c",
		   "trap 'exit 0' TERM; stat -c %i /bin/busybox; sleep 60 & wait", NULL);
	if (!wait_for_output(p, "\n", RUN_TIMEOUT)) {
		finish(p, 1);
		expect_run(r, false, "container %s never printed its inode", id);
	}
}

/**
 * Two containers of one image at once: their overlays have the very same lower layers
 * (the store's directories) and upper layers of their own, and the image's files have in
 * both the inode they have in the store.
 */
static void
test_shared_layers(void **state)
{
	char id[2][64], dir[PATH_MAX], lower[2][1024], upper[2][1024], file[1100], ino[32];
	struct run r[2];
	struct proc p[2];
	struct stat st;

	(void)state;
	import(two_layers, NULL);
	for (int i = 0; i < 2; i++) {
		start_waiting(&p[i], &r[i], unique_name(id[i], "share"));
		snprintf(dir, sizeof(dir), "%s/containers/%s/rootfs", store, id[i]);
		overlay_dirs(dir, lower[i], upper[i], sizeof(lower[i]));
	}
	for (int i = 0; i < 2; i++) { /* nook passes the SIGTERM on; the shell's trap ends it */
		kill(p[i].pid, SIGTERM);
		finish(&p[i], RUN_TIMEOUT);
		expect_status(&r[i], 0);
	}
	assert_string_equal(lower[0], lower[1]);
	assert_string_not_equal(upper[0], upper[1]);
	assert_non_null(strstr(lower[0], store)); /* the store's layer directories */
	snprintf(file, sizeof(file), "%s/bin/busybox", strrchr(lower[0], ':') + 1);
	assert_int_equal(stat(file, &st), 0);
	snprintf(ino, sizeof(ino), "%lu\n", (unsigned long)st.st_ino);
	assert_string_equal(r[0].out, ino);
	assert_string_equal(r[1].out, ino);
}

/* --- hostile input --------------------------------------------------------------------- */

/** One entry of a hand-made tar: a file ('f'), symbolic ('l') or hard link ('h'). */
struct entry {
	char type;
	const char *name;
	const char *target; /* a link's target, or a file's content */
};

/** Write the tar @p path of @p n entries with libarchive (it writes what it is told). */
static void
write_tar(const char *path, const struct entry *e, int n)
{
	struct archive *a = archive_write_new();
	struct archive_entry *ae;

	archive_write_set_format_pax_restricted(a);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (int i = 0; i < n; i++) {
		ae = archive_entry_new();
		archive_entry_set_pathname(ae, e[i].name);
		archive_entry_set_perm(ae, 0644);
		if (e[i].type == 'f') {
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_size(ae, (la_int64_t)strlen(e[i].target));
		} else if (e[i].type == 'l') {
			archive_entry_set_filetype(ae, AE_IFLNK);
			archive_entry_set_symlink(ae, e[i].target);
		} else {
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_hardlink(ae, e[i].target);
		}
		assert_int_equal(archive_write_header(a, ae), ARCHIVE_OK);
		if (e[i].type == 'f')
			archive_write_data(a, e[i].target, strlen(e[i].target));
		archive_entry_free(ae);
	}
	archive_write_close(a);
	archive_write_free(a);
}

/** Import a layout of busybox and the hostile layer @p e: refused, @p victim untouched. */
static void
expect_layer_refused(const struct entry *e, int n, const char *victim, const char *why)
{
	static char dir[64];
	char tar[128], layout[128];
	struct stat before, after;
	struct run r;
	bool existed = stat(victim, &before) == 0;

	if (!dir[0] || access(dir, F_OK) < 0)
		make_scratch_dir(dir, "evil", 0755);
	snprintf(tar, sizeof(tar), "%s/evil.tar", dir);
	snprintf(layout, sizeof(layout), "%s/layout", dir);
	sh("rm -rf %s %s", tar, layout);
	write_tar(tar, e, n);
	sh("tests/images/mklayout %s evil:latest %s %s", layout, image, tar);
	nook(&r, "image", "import", layout);
	expect_refused(&r, why);
	expect_nothing_stored();
	if (!existed)
		assert_int_not_equal(stat(victim, &after), 0);
	else
		assert_true(stat(victim, &after) == 0 && after.st_mtime == before.st_mtime &&
			    after.st_size == before.st_size);
}

/** `../`, absolute names, hard links and symbolic links out of the layer: all refused. */
static void
test_path_traversal(void **state)
{
	char victim[64], name[160], abs_name[160];

	(void)state;
	make_scratch_dir(victim, "victim", 0755);
	snprintf(name, sizeof(name), "../../../../../../../..%s/dotdot", victim);
	expect_layer_refused(&(struct entry){'f', name, "x"}, 1, strchr(name + 3, '/'),
			     "outside the layer");
	snprintf(abs_name, sizeof(abs_name), "%s/absolute", victim);
	expect_layer_refused(&(struct entry){'f', abs_name, "x"}, 1, abs_name, "outside the layer");
	snprintf(name, sizeof(name), "../../../../../../..%s/target", victim);
	sh("echo secret >%s/target", victim);
	snprintf(abs_name, sizeof(abs_name), "%s/target", victim);
	expect_layer_refused(&(struct entry){'h', "stolen", name}, 1, abs_name, "hard link");
	snprintf(name, sizeof(name), "%s", victim);
	snprintf(abs_name, sizeof(abs_name), "%s/through", victim);
	expect_layer_refused(
		(const struct entry[]){{'l', "escape", name}, {'f', "escape/through", "owned"}}, 2,
		abs_name, "escape/through");
	expect_layer_refused(
		(const struct entry[]){{'l', "link", "/etc/passwd"}, {'h', "hard", "link"}}, 2,
		"/etc/passwd", "hard link");
}

/** Flip one byte in the middle of file @p path. */
static void
flip_byte(const char *path)
{
	struct stat st;
	char c;
	int fd = open(path, O_RDWR);

	assert_true(fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 2);
	assert_int_equal(pread(fd, &c, 1, st.st_size / 2), 1);
	c ^= 0x20;
	assert_int_equal(pwrite(fd, &c, 1, st.st_size / 2), 1);
	close(fd);
}

/** The blob file of @p layout's first layer (the largest blob). */
static void
layer_blob(const char *layout, char *path, size_t size)
{
	char cmd[256];
	struct run r;

	snprintf(cmd, sizeof(cmd), "ls -S %s/blobs/sha256 | head -1", layout);
	run_shell(&r, cmd);
	r.out[strcspn(r.out, "\n")] = '\0';
	assert_true(snprintf(path, size, "%s/blobs/sha256/%s", layout, r.out) < (int)size);
}

/** A layer blob with one byte changed is refused by its digest; nothing is stored. */
static void
test_tampered_blob(void **state)
{
	char dir[64], layout[128], blob[512];
	struct run r;

	(void)state;
	make_scratch_dir(dir, "tamper", 0755);
	snprintf(layout, sizeof(layout), "%s/layout", dir);
	sh("cp -a %s %s", two_layers, layout);
	layer_blob(layout, blob, sizeof(blob));
	flip_byte(blob);
	nook(&r, "image", "import", layout);
	expect_refused(&r, "digest mismatch");
	expect_nothing_stored();
}

/** Replace @p layout's manifest by @p text (and the index's digest and size of it). */
static void
replace_manifest(const char *layout, const char *text)
{
	sh("cd %s && m=$(sed 's/.*\"digest\":\"sha256:\\([0-9a-f]*\\)\".*/\\1/' index.json) && "
	   "printf '%%s' '%s' >new && d=$(sha256sum <new | cut -d' ' -f1) && "
	   "mv new blobs/sha256/$d && s=$(stat -c %%s blobs/sha256/$d) && "
	   "sed -i \"s/$m/$d/; s/\\\"size\\\":[0-9]*/\\\"size\\\":$s/\" index.json",
	   layout, text);
}

/**
 * A manifest of an unknown media type, a layer of one, a manifest that is not its digest,
 * a config whose diff_ids are not its layers, and a huge manifest: all refused.
 */
static void
test_bad_manifest(void **state)
{
	char dir[64], layout[128];
	struct run r;

	(void)state;
	make_scratch_dir(dir, "manifest", 0755);
	snprintf(layout, sizeof(layout), "%s/layout", dir);
	sh("cp -a %s %s", one_layer, layout);
	replace_manifest(layout, "{\"schemaVersion\":2,\"mediaType\":\"application/x-nook\"}");
	nook(&r, "image", "import", layout);
	expect_refused(&r, "unknown media type \"application/x-nook\"");
	expect_nothing_stored();

	sh("rm -rf %s && cp -a %s %s && cd %s && sed -i 's/tar+gzip/x-rar/' "
	   "blobs/sha256/$(sed 's/.*\"digest\":\"sha256:\\([0-9a-f]*\\)\".*/\\1/' index.json)",
	   layout, one_layer, layout, layout);
	nook(&r, "image", "import", layout);
	expect_refused(&r, "digest mismatch"); /* the manifest no longer has its digest */
	expect_nothing_stored();

	sh("rm -rf %s && cp -a %s %s", layout, one_layer, layout);
	replace_manifest(
		layout,
		"{\"schemaVersion\":2,\"config\":{\"mediaType\":"
		"\"application/vnd.oci.image.config.v1+json\",\"digest\":"
		"\"sha256:0000000000000000000000000000000000000000000000000000000000000000\","
		"\"size\":2},\"layers\":[{\"mediaType\":\"application/x-rar\",\"digest\":"
		"\"sha256:0000000000000000000000000000000000000000000000000000000000000000\","
		"\"size\":2}]}");
	nook(&r, "image", "import", layout);
	expect_refused(&r, "unknown media type \"application/x-rar\"");
	expect_nothing_stored();

	sh("rm -rf %s && MKLAYOUT_DIFF_IDS='\"sha256:%064d\"' tests/images/mklayout %s x:y %s",
	   layout, 0, layout, image);
	nook(&r, "image", "import", layout);
	expect_refused(&r, "its config says"); /* a layer that is not the config's */
	expect_nothing_stored();

	sh("rm -rf %s && cp -a %s %s && cd %s && head -c 5000000 /dev/zero | tr '\\0' ' ' "
	   ">>blobs/sha256/$(sed 's/.*\"digest\":\"sha256:\\([0-9a-f]*\\)\".*/\\1/' index.json)",
	   layout, one_layer, layout, layout);
	nook(&r, "image", "import", layout);
	expect_refused(&r, "more than the 4194304");
	expect_nothing_stored();
}

/* --- rmi, prune, and the two forms of run ------------------------------------------------ */

/** Two images on one bottom layer: rmi forgets one, prune removes only its own layer. */
static void
test_rmi_prune(void **state)
{
	struct run r;

	(void)state;
	import(one_layer, "base");
	import(two_layers, "busybox");
	assert_int_equal(count("layers"), 2); /* the bottom layer is stored once */
	nook(&r, "rmi", "busybox");
	expect_status(&r, 0);
	assert_int_equal(count("images"), 1);
	assert_int_equal(count("layers"), 2); /* rmi only forgets */
	nook(&r, "image", "prune");
	expect_status(&r, 0);
	assert_int_equal(count("layers"), 1);
	assert_int_equal(count("blobs/sha256"), 2); /* base's manifest and config */
	nook(&r, "run", "--rm", "base", "sh", "-c", "test -e /bin/vi");
	expect_status(&r, 0); /* base's layer is whole: no whiteout of the other image's */
	nook(&r, "rmi", "busybox");
	expect_refused(&r, "no such image");
}

/** A container (no --rm) keeps its image: rmi refuses while its directory is there. */
static void
test_rmi_in_use(void **state)
{
	char id[64];
	struct run r;

	(void)state;
	import(two_layers, NULL);
	nook(&r, "run", "--name", unique_name(id, "keep"), "busybox", "sh", "-c",
	     "echo kept >/kept");
	expect_status(&r, 0);
	sh("test \"$(cat %s/containers/%s/upper/kept)\" = kept", store, id);
	nook(&r, "rmi", "busybox");
	expect_refused(&r, "uses it");
	nook(&r, "run", "--name", id, "busybox", "true");
	expect_refused(&r, "the name is in use");
	sh("rm -rf %s/containers/%s", store, id);
	nook(&r, "rmi", "busybox");
	expect_status(&r, 0);
}

/** No such image: one line, nothing made. An OCI bundle's `run --bundle` stays runc's. */
static void
test_run_forms(void **state)
{
	char bundle[64], id[64], nook_path[PATH_MAX];
	struct run r;

	(void)state;
	nook(&r, "run", "--rm", "nosuch", "true");
	expect_refused(&r, "no such image");
	expect_nothing_stored();
	import(two_layers, NULL);
	make_scratch_dir(bundle, "bundle", 0755);
	assert_non_null(realpath(step_path("nook"), nook_path));
	sh("cd %s && %s spec && mkdir rootfs && cp -a %s/. rootfs && sed -i "
	   "'s/\"terminal\": true/\"terminal\": false/; s/\"sh\"/\"echo\", \"bundle\"/' "
	   "config.json",
	   bundle, nook_path, image);
	/* an ID that is also an image's name: with --bundle, runc's meaning */
	nook(&r, "run", "--bundle", bundle, unique_name(id, "busybox"));
	expect_stdout(&r, "bundle\n");
	assert_int_equal(count("containers"), 0);
	/* runc's form in a bundle, an ID that names no image: the store is only read, and
	   one that does not exist is not made */
	sh("rm -rf %s", store);
	nook(&r, "images");
	expect_status(&r, 0);
	sh("cd %s && %s --store %s --root %s run %s", bundle, nook_path, store, root,
	   unique_name(id, "plain"));
	assert_int_not_equal(access(store, F_OK), 0);
	mkdir(store, 0700); /* for the teardown's check */
}

/* --- other archives, and a registry ------------------------------------------------------- */

/** Skip unless @p tool is installed; its path into @p path (room for PATH_MAX), if given. */
static void
skip_unless_tool(const char *tool, char *path)
{
	char cmd[128];
	struct run r;

	snprintf(cmd, sizeof(cmd), "command -v %s", tool);
	run_shell(&r, cmd);
	if (r.status != 0) {
		print_message("  skipped: %s is not installed (tests/install-deps images)\n", tool);
		skip();
	}
	r.out[strcspn(r.out, "\n")] = '\0';
	if (path)
		assert_true(snprintf(path, PATH_MAX, "%s", r.out) < PATH_MAX);
}

/** A `docker save` archive, as skopeo writes one, imports and runs; its name kept. */
static void
test_docker_archive(void **state)
{
	char dir[64];
	struct run r;

	(void)state;
	skip_unless_tool("skopeo", NULL);
	make_scratch_dir(dir, "archive", 0755);
	sh("skopeo --insecure-policy copy -q oci:%s:busybox:latest "
	   "docker-archive:%s/saved.tar:saved:v1",
	   two_layers, dir);
	nook(&r, "image", "import", strcat(dir, "/saved.tar"));
	expect_status(&r, 0);
	nook(&r, "run", "--rm", "saved:v1", "cat", "/etc/added");
	expect_stdout(&r, "added\n");
	*strrchr(dir, '/') = '\0';
	sh("cd %s && mkdir x && tar -C x -xf saved.tar && truncate -s -512 x/*/layer.tar && "
	   "tar -C x -cf bad.tar .",
	   dir);
	nook(&r, "rmi", "saved:v1");
	nook(&r, "image", "prune");
	expect_nothing_stored();
	nook(&r, "image", "import", strcat(dir, "/bad.tar"));
	expect_refused(&r, "digest mismatch"); /* truncated: not the layer its config says */
	expect_nothing_stored();
}

/** A free TCP port on 127.0.0.1 (bound and closed: the registry takes it next). */
static int
free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
		    getsockname(fd, (struct sockaddr *)&a, &len) == 0);
	close(fd);
	return ntohs(a.sin_port);
}

/** Is something listening on 127.0.0.1:@p port? */
static bool
listening(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;

	close(fd);
	return ok;
}

/** A registry on loopback, its storage in @p dir. */
struct registry {
	struct proc p;
	struct run r;
	int port;
	char storage[128];
};

static void
start_registry(struct registry *g, const char *dir)
{
	char config[128], registry[PATH_MAX];
	FILE *f;

	skip_unless_tool("docker-registry", registry);
	skip_unless_tool("skopeo", NULL);
	g->port = free_port();
	snprintf(g->storage, sizeof(g->storage), "%s/storage", dir);
	snprintf(config, sizeof(config), "%s/config.yml", dir);
	assert_non_null(f = fopen(config, "we"));
	fprintf(f,
		"version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n"
		"    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%d\n",
		g->storage, g->port);
	fclose(f);
	start_argv(&g->p, &g->r, (char *[]){registry, "serve", config, NULL});
	server = g->p.pid;
	for (int i = 0; i < 100 && !listening(g->port); i++)
		usleep(100 * 1000);
	if (!listening(g->port)) {
		kill(g->p.pid, SIGKILL);
		finish(&g->p, 5);
		expect_run(&g->r, false, "the registry did not listen on %d", g->port);
	}
}

static void
stop_registry(struct registry *g)
{
	kill(g->p.pid, SIGTERM);
	finish(&g->p, 10);
	server = 0;
}

/** Push @p layout into the registry as @p repo:latest, in OCI's format or Docker's. */
static void
push_as(const struct registry *g, const char *layout, const char *repo, const char *format)
{
	sh("skopeo --insecure-policy copy -q --format %s --dest-tls-verify=false "
	   "oci:%s:busybox:latest docker://127.0.0.1:%d/%s:latest",
	   format, layout, g->port, repo);
}

static void
push(const struct registry *g, const char *layout, const char *repo)
{
	push_as(g, layout, repo, "oci");
}

/**
 * `nook pull @p ref` on a terminal, into a store of its own: a bar drawn per blob, redrawn
 * with \\r, the layer's ending full.
 */
static void
expect_pull_progress(const char *ref)
{
	char other[64], blob[512], want[64];
	struct run r;

	make_scratch_dir(other, "ttystore", 0700);
	run_on_pty(&r, RUN_TIMEOUT, NULL, NULL,
		   (char *[]){(char *)step_path("nook"), "--store", other, "--root", root, "pull",
			      (char *)ref, NULL});
	expect_run(&r, r.status == 0, "pull %s on a terminal", ref);
	layer_blob(two_layers, blob, sizeof(blob));
	snprintf(want, sizeof(want), "\rsha256:%.12s ", strrchr(blob, '/') + 1);
	expect_run(&r, strstr(r.out, want) != NULL, "a progress line for the layer");
	expect_run(&r, strstr(r.out, " MiB [##############################]\r\n") != NULL,
		   "a full bar");
}

/** Pull from the loopback registry and run: whiteout and opaque directory hold. */
static void
test_pull_run(void **state)
{
	char dir[64], ref[128];
	struct registry g;
	struct run r;

	(void)state;
	make_scratch_dir(dir, "registry", 0755);
	start_registry(&g, dir);
	push(&g, two_layers, "busybox");
	snprintf(ref, sizeof(ref), "127.0.0.1:%d/busybox", g.port);
	nook(&r, "pull", ref);
	expect_run(&r, r.status == 0 && strncmp(r.out, "sha256:", 7) == 0, "pull %s", ref);
	expect_run(&r, !*r.err, "pull, not on a terminal: no progress on stderr");
	nook(&r, "run", "--rm", ref, "sh", "-c",
	     "test -e /bin/vi && echo vi; ls -A /usr; "
	     "cat /etc/added");
	expect_stdout(&r, "added\n");
	expect_pull_progress(ref);
	/* Docker's schema 2 manifest: the same image (the config, so the ID, is the same) */
	push_as(&g, two_layers, "docker", "v2s2");
	snprintf(ref, sizeof(ref), "127.0.0.1:%d/docker", g.port);
	nook(&r, "pull", ref);
	expect_status(&r, 0);
	nook(&r, "run", "--rm", ref, "cat", "/etc/added");
	expect_stdout(&r, "added\n");
	assert_int_equal(count("images"), 1);
	snprintf(ref, sizeof(ref), "127.0.0.1:%d/nosuch", g.port);
	nook(&r, "pull", ref);
	expect_refused(&r, "HTTP 404");
	stop_registry(&g);
}

/** A blob changed in the registry's storage: the pull is refused, nothing stored. */
static void
test_pull_tampered(void **state)
{
	char dir[64], ref[128], blob[512], data[768];
	struct registry g;
	struct run r;

	(void)state;
	make_scratch_dir(dir, "registry", 0755);
	start_registry(&g, dir);
	push(&g, two_layers, "busybox");
	layer_blob(two_layers, blob, sizeof(blob));
	snprintf(data, sizeof(data), "%s/docker/registry/v2/blobs/sha256/%.2s/%s/data", g.storage,
		 strrchr(blob, '/') + 1, strrchr(blob, '/') + 1);
	flip_byte(data);
	snprintf(ref, sizeof(ref), "127.0.0.1:%d/busybox:latest", g.port);
	nook(&r, "pull", ref);
	expect_refused(&r, "digest mismatch");
	expect_nothing_stored();
	stop_registry(&g);
}

/* --- signatures ------------------------------------------------------------------------------ */

/** A GPG key made here, in a scratch GNUPGHOME of its own; its public half in key.asc. */
struct key {
	char home[64];	  /* GNUPGHOME */
	char public[128]; /* home/key.asc */
	char policy[128]; /* a policy file written by write_policy() */
	char email[32];	  /* the user ID's address: what skopeo --sign-by names */
};

/** Make a key for @p who (a word), no passphrase. Skips without gpg. */
static void
make_key(struct key *k, const char *who)
{
	skip_unless_tool("gpg", NULL);
	make_scratch_dir(k->home, "gnupg", 0700);
	snprintf(k->email, sizeof(k->email), "%s@nook.test", who);
	snprintf(k->public, sizeof(k->public), "%s/key.asc", k->home);
	snprintf(k->policy, sizeof(k->policy), "%s/policy.json", k->home);
	sh("GNUPGHOME=%s gpg -q --batch --passphrase '' --quick-gen-key '%s <%s>' ed25519 sign "
	   "never 2>/dev/null && GNUPGHOME=%s gpg -q --armor --export %s >%s",
	   k->home, who, k->email, k->home, k->email, k->public);
}

/** Stop the gpg-agent gpg started for @p k (its scratch directory is removed after). */
static void
drop_key(const struct key *k)
{
	sh("gpgconf --homedir %s --kill all 2>/dev/null || true", k->home);
}

/** Write @p text into the file @p path. */
static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/** k->policy: reject by default, @p scope signed by @p k's key. */
static void
write_policy(struct key *k, const char *scope)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"docker\": {\"%s\": "
		 "[{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \"%s\"}]}}}\n",
		 scope, k->public);
	write_file(k->policy, text);
}

/** A registry, a registries.d whose default lookaside is DIR/sigs, and a key to sign. */
struct signed_registry {
	struct registry g;
	char dir[64];
	char regd[128]; /* registries.d */
	char sigs[128]; /* the lookaside directory */
	char scope[64]; /* "127.0.0.1:PORT" */
	struct key a;
};

static void
start_signed_registry(struct signed_registry *s)
{
	char yaml[256], path[192];

	make_scratch_dir(s->dir, "signreg", 0755);
	start_registry(&s->g, s->dir);
	make_key(&s->a, "alice");
	snprintf(s->regd, sizeof(s->regd), "%s/registries.d", s->dir);
	snprintf(s->sigs, sizeof(s->sigs), "%s/sigs", s->dir);
	snprintf(s->scope, sizeof(s->scope), "127.0.0.1:%d", s->g.port);
	sh("mkdir -p %s %s", s->regd, s->sigs);
	snprintf(yaml, sizeof(yaml), "default-docker:\n  lookaside: file://%s\n", s->sigs);
	snprintf(path, sizeof(path), "%s/default.yaml", s->regd);
	write_file(path, yaml);
	write_policy(&s->a, s->scope);
}

static void
stop_signed_registry(struct signed_registry *s)
{
	drop_key(&s->a);
	stop_registry(&s->g);
}

/** Push @p layout as @p repo:latest, signed by @p k (NULL: unsigned). */
static void
push_signed(const struct signed_registry *s, const char *layout, const char *repo,
	    const struct key *k)
{
	sh("GNUPGHOME=%s skopeo --insecure-policy --registries.d %s copy -q "
	   "--dest-tls-verify=false "
	   "%s%s oci:%s:busybox:latest docker://127.0.0.1:%d/%s:latest",
	   k ? k->home : "/nonexistent", s->regd, k ? "--sign-by " : "", k ? k->email : "", layout,
	   s->g.port, repo);
}

/** Pull @p repo from @p s under the policy @p policy into @p r. */
static void
pull_with(struct run *r, const struct signed_registry *s, const char *repo, const char *policy)
{
	char ref[128];

	snprintf(ref, sizeof(ref), "%s/%s", s->scope, repo);
	nook(r, "pull", "--policy", policy, "--registries-d", s->regd, ref);
}

/** The one signature directory in s->sigs of @p repo: into @p path. */
static void
signature_dir(const struct signed_registry *s, const char *repo, char *path, size_t size)
{
	char cmd[256];
	struct run r;

	snprintf(cmd, sizeof(cmd), "ls -d %s/%s@sha256=*", s->sigs, repo);
	run_shell(&r, cmd);
	expect_run(&r, r.status == 0 && count_lines(r.out) == 1, "one signature of %s", repo);
	r.out[strcspn(r.out, "\n")] = '\0';
	assert_true(snprintf(path, size, "%s", r.out) < (int)size);
}

/**
 * Signed with `skopeo copy --sign-by`: a good signature pulls and runs; an unsigned image
 * under signedBy, a signature by another key or for another name, reject, sigstoreSigned
 * and a malformed policy are each refused in one line, nothing stored; anything goes under
 * insecureAcceptAnything.
 */
static void
test_pull_signed(void **state)
{
	char ref[128], accept[192], reject[192], sigstore[192], bad[192], sig[256];
	struct signed_registry s;
	struct key b;
	struct run r;

	(void)state;
	start_signed_registry(&s);
	make_key(&b, "mallory");
	write_policy(&b, s.scope);
	push_signed(&s, two_layers, "busybox", &s.a);
	push_signed(&s, two_layers, "unsigned", NULL);
	push_signed(&s, two_layers, "other", &b);
	pull_with(&r, &s, "busybox", b.policy);
	expect_refused(&r, "not one the policy trusts");
	expect_refused(&r, "/busybox: ");
	expect_nothing_stored();
	pull_with(&r, &s, "other", s.a.policy);
	expect_refused(&r, "not one the policy trusts");
	expect_nothing_stored();
	pull_with(&r, &s, "unsigned", s.a.policy);
	expect_refused(&r, "not signed");
	expect_nothing_stored();
	/* alice's signature of busybox, copied to "unsigned": it names another image */
	signature_dir(&s, "busybox", sig, sizeof(sig));
	sh("d=%s && cp -r $d %s/unsigned@${d##*@}", sig, s.sigs);
	pull_with(&r, &s, "unsigned", s.a.policy);
	expect_refused(&r, "/busybox:latest\", not this image");
	expect_nothing_stored();
	snprintf(reject, sizeof(reject), "%s/reject.json", s.dir);
	write_file(reject, "{\"default\": [{\"type\": \"reject\"}]}");
	pull_with(&r, &s, "busybox", reject);
	expect_refused(&r, "rejected by policy");
	expect_nothing_stored();
	snprintf(sigstore, sizeof(sigstore), "%s/sigstore.json", s.dir);
	write_file(sigstore,
		   "{\"default\": [{\"type\": \"sigstoreSigned\", \"keyPath\": \"/k\"}]}");
	pull_with(&r, &s, "busybox", sigstore);
	expect_refused(&r, "wants a sigstore signature, which nook does not verify yet");
	expect_nothing_stored();
	snprintf(bad, sizeof(bad), "%s/bad.json", s.dir);
	write_file(bad, "{\"default\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\"}]}");
	pull_with(&r, &s, "busybox", bad);
	expect_refused(&r, "default[0]: exactly one of keyPath, keyPaths, keyData");
	expect_nothing_stored();
	/* the good signature: pulled and run; and anything, under insecureAcceptAnything */
	pull_with(&r, &s, "busybox", s.a.policy);
	expect_run(&r, r.status == 0 && strncmp(r.out, "sha256:", 7) == 0, "signed pull");
	snprintf(ref, sizeof(ref), "%s/busybox", s.scope);
	nook(&r, "run", "--rm", ref, "cat", "/etc/added");
	expect_stdout(&r, "added\n");
	snprintf(accept, sizeof(accept), "%s/accept.json", s.dir);
	write_file(accept, "{\"default\": [{\"type\": \"insecureAcceptAnything\"}]}");
	pull_with(&r, &s, "unsigned", accept);
	expect_status(&r, 0);
	drop_key(&b);
	stop_signed_registry(&s);
}

/** The manifest blob of @p repo in the registry's storage, by its signature: into @p path. */
static void
registry_manifest(const struct signed_registry *s, const char *repo, char *path, size_t size)
{
	char sig[256];
	const char *hex;

	signature_dir(s, repo, sig, sizeof(sig));
	hex = strrchr(sig, '=') + 1;
	assert_true(snprintf(path, size, "%s/docker/registry/v2/blobs/sha256/%.2s/%s/data",
			     s->g.storage, hex, hex) < (int)size);
}

/**
 * A signed image tampered with in the registry: a changed manifest has no signature (the
 * lookaside is by digest), and the signature moved to its digest is for another manifest;
 * a changed layer passes the signature and fails its digest. Nothing is stored.
 */
static void
test_pull_signed_tampered(void **state)
{
	char manifest[512], blob[512], data[768], sig[256];
	struct signed_registry s;
	struct run r;

	(void)state;
	start_signed_registry(&s);
	push_signed(&s, two_layers, "busybox", &s.a);
	registry_manifest(&s, "busybox", manifest, sizeof(manifest));
	signature_dir(&s, "busybox", sig, sizeof(sig));
	sh("cp %s %s/manifest && sed -i 's/\"schemaVersion\": *2/& /' %s && ! cmp -s %s "
	   "%s/manifest",
	   manifest, s.dir, manifest, manifest, s.dir);
	pull_with(&r, &s, "busybox", s.a.policy);
	expect_refused(&r, "not signed");
	expect_nothing_stored();
	sh("h=$(sha256sum %s | cut -d' ' -f1) && cp -r %s %s/busybox@sha256=$h", manifest, sig,
	   s.sigs);
	pull_with(&r, &s, "busybox", s.a.policy);
	expect_refused(&r, "the signature is for manifest sha256:");
	expect_nothing_stored();
	sh("cp %s/manifest %s", s.dir, manifest);
	layer_blob(two_layers, blob, sizeof(blob));
	snprintf(data, sizeof(data), "%s/docker/registry/v2/blobs/sha256/%.2s/%s/data", s.g.storage,
		 strrchr(blob, '/') + 1, strrchr(blob, '/') + 1);
	flip_byte(data);
	pull_with(&r, &s, "busybox", s.a.policy);
	expect_refused(&r, "digest mismatch");
	expect_nothing_stored();
	stop_signed_registry(&s);
}

/**
 * `nook image import --signatures DIR`: a layout signed with `skopeo standalone-sign`
 * imports under its signed name, and is refused under another name, without signatures,
 * when they are another key's, or when the layout was changed after it was signed: its
 * manifest (the signature is for another), or a layer (the manifest's digest of it).
 */
static void
test_import_signed(void **state)
{
	char sigs[128], tampered[128], blob[512], name[] = "example.com/nook/busybox:v1";
	struct key a, b;
	struct run r;

	(void)state;
	skip_unless_tool("skopeo", NULL);
	make_key(&a, "alice");
	make_key(&b, "mallory");
	write_policy(&a, "example.com/nook");
	write_policy(&b, "example.com/nook");
	snprintf(sigs, sizeof(sigs), "%s/sigs", a.home);
	sh("mkdir %s && m=$(sed 's/.*\"digest\":\"sha256:\\([0-9a-f]*\\)\".*/\\1/' %s/index.json) "
	   "&& "
	   "GNUPGHOME=%s skopeo standalone-sign %s/blobs/sha256/$m %s %s -o %s/signature-1",
	   sigs, two_layers, a.home, two_layers, name, a.email, sigs);
	nook(&r, "image", "import", "--policy", a.policy, "--name", name, two_layers);
	expect_refused(&r, "not signed");
	expect_nothing_stored();
	nook(&r, "image", "import", "--policy", b.policy, "--signatures", sigs, "--name", name,
	     two_layers);
	expect_refused(&r, "not one the policy trusts");
	expect_nothing_stored();
	nook(&r, "image", "import", "--policy", a.policy, "--signatures", sigs, "--name",
	     "example.com/nook/busybox:v2", two_layers);
	expect_refused(&r, "not this image");
	expect_nothing_stored();
	snprintf(tampered, sizeof(tampered), "%s/tampered", a.home);
	sh("cp -a %s %s && cd %s && m=$(sed 's/.*\"digest\":\"sha256:\\([0-9a-f]*\\)\".*/\\1/' "
	   "index.json) && sed 's/\"schemaVersion\": *2/& /' blobs/sha256/$m >new && "
	   "d=$(sha256sum <new | cut -d' ' -f1) && mv new blobs/sha256/$d && "
	   "sed -i \"s/$m/$d/; s/\\\"size\\\":[0-9]*/\\\"size\\\":$(stat -c %%s "
	   "blobs/sha256/$d)/\" "
	   "index.json && [ $m != $d ]",
	   two_layers, tampered, tampered);
	nook(&r, "image", "import", "--policy", a.policy, "--signatures", sigs, "--name", name,
	     tampered);
	expect_refused(&r, "the signature is for manifest sha256:");
	expect_nothing_stored();
	sh("rm -rf %s && cp -a %s %s", tampered, two_layers, tampered);
	layer_blob(tampered, blob, sizeof(blob));
	flip_byte(blob);
	nook(&r, "image", "import", "--policy", a.policy, "--signatures", sigs, "--name", name,
	     tampered);
	expect_refused(&r, "digest mismatch");
	expect_nothing_stored();
	nook(&r, "image", "import", "--policy", a.policy, "--signatures", sigs, "--name", name,
	     two_layers);
	expect_run(&r, r.status == 0 && strncmp(r.out, "sha256:", 7) == 0, "signed import");
	nook(&r, "run", "--rm", name, "cat", "/etc/added");
	expect_stdout(&r, "added\n");
	drop_key(&a);
	drop_key(&b);
}

/*
 * A registry that wants a token, played here: every /v2/ request without
 * "Authorization: Bearer TOKEN" gets 401 and a Bearer challenge whose realm is its own
 * /token, which hands TOKEN out for the right service and scope only. Its tag is an
 * index of two platforms (arm64 first), served from an OCI layout's blobs.
 */
#define FAKE_TOKEN "nook-test-token"

/** Send one answer on @p fd and close it. */
static void
answer(int fd, int code, const char *type, const char *extra, const char *body, size_t len)
{
	dprintf(fd,
		"HTTP/1.1 %d X\r\nContent-Length: %zu\r\nContent-Type: %s\r\nConnection: "
		"close\r\n%s\r\n",
		code, len, type, extra);
	if (len && write(fd, body, len) != (ssize_t)len)
		_exit(1);
	close(fd);
}

/** Answer with blob HEX of @p layout, as @p type. */
static void
answer_blob(int fd, const char *layout, const char *hex, const char *type)
{
	static char body[4 << 20];
	char path[256];
	ssize_t n = -1;
	int bfd;

	snprintf(path, sizeof(path), "%s/blobs/sha256/%.64s", layout, hex);
	if (strspn(hex, "0123456789abcdef") >= 64 && (bfd = open(path, O_RDONLY)) >= 0) {
		n = read(bfd, body, sizeof(body));
		close(bfd);
	}
	if (n < 0)
		answer(fd, 404, "text/plain", "", "", 0);
	else
		answer(fd, 200, type, "", body, (size_t)n);
}

/** Serve one request on @p fd. */
static void
serve_one(int fd, int port, const char *layout, const char *index)
{
	char req[8192] = "", chal[256], path[512] = "";
	ssize_t n, len = 0;

	while (!strstr(req, "\r\n\r\n") && (n = read(fd, req + len, sizeof(req) - 1 - len)) > 0)
		req[len += n] = '\0';
	sscanf(req, "GET %511s", path);
	if (strncmp(path, "/token?", 7) == 0) {
		if (strstr(path, "service=fake") &&
		    strstr(path, "scope=repository%3Aauthed%3Apull"))
			answer(fd, 200, "application/json", "", "{\"token\":\"" FAKE_TOKEN "\"}",
			       strlen("{\"token\":\"" FAKE_TOKEN "\"}"));
		else
			answer(fd, 403, "text/plain", "", "", 0);
		return;
	}
	if (!strstr(req, "Authorization: Bearer " FAKE_TOKEN "\r\n")) {
		snprintf(chal, sizeof(chal),
			 "WWW-Authenticate: Bearer realm=\"http://127.0.0.1:%d/token\",service="
			 "\"fake\",scope=\"repository:authed:pull\"\r\n",
			 port);
		answer(fd, 401, "application/json", chal, "{}", 2);
	} else if (strcmp(path, "/v2/authed/manifests/latest") == 0) {
		answer(fd, 200, "application/vnd.oci.image.index.v1+json", "", index,
		       strlen(index));
	} else if (strcmp(path, "/v2/authed/manifests/list") == 0) { /* Docker's name for it */
		char list[2048], *mt;

		snprintf(list, sizeof(list), "%s", index);
		mt = strstr(list, "application/vnd.oci.image.index.v1+json");
		memmove(mt + 57, mt + 39, strlen(mt + 39) + 1);
		memcpy(mt, "application/vnd.docker.distribution.manifest.list.v2+json", 57);
		answer(fd, 200, "application/vnd.docker.distribution.manifest.list.v2+json", "",
		       list, strlen(list));
	} else if (strncmp(path, "/v2/authed/manifests/sha256:", 28) == 0)
		answer_blob(fd, layout, path + 28, "application/vnd.oci.image.manifest.v1+json");
	else if (strncmp(path, "/v2/authed/blobs/sha256:", 24) == 0)
		answer_blob(fd, layout, path + 24, "application/octet-stream");
	else
		answer(fd, 404, "text/plain", "", "", 0);
}

/** An index of @p layout's image for linux/amd64, after an arm64 entry, into @p buf. */
static void
two_platform_index(const char *layout, char *buf, size_t size)
{
	char path[256], text[1024] = "", digest[80] = "";
	long len = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/index.json", layout);
	assert_non_null(f = fopen(path, "re"));
	assert_non_null(fgets(text, sizeof(text), f));
	fclose(f);
	assert_int_equal(sscanf(strstr(text, "\"digest\":\""),
				"\"digest\":\"%79[^\"]\",\"size\":%ld", digest, &len),
			 2);
	snprintf(buf, size,
		 "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
		 "\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
		 "\"digest\":\"sha256:%064d\",\"size\":1,\"platform\":{\"os\":\"linux\","
		 "\"architecture\":\"arm64\"}},{\"mediaType\":\"application/vnd.oci.image."
		 "manifest.v1+json\",\"digest\":\"%s\",\"size\":%ld,\"platform\":{\"os\":"
		 "\"linux\",\"architecture\":\"amd64\"}}]}",
		 0, digest, len);
}

/**
 * Pull through a Bearer challenge and a two-platform index: the token is fetched from the
 * realm with the right service and scope, and linux/amd64's manifest is the one stored.
 */
static void
test_pull_token_index(void **state)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	char ref[64], index[2048];
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port, fd;
	struct run r;
	pid_t pid;

	(void)state;
	assert_true(lfd >= 0 && bind(lfd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
		    listen(lfd, 16) == 0 && getsockname(lfd, (struct sockaddr *)&a, &alen) == 0);
	port = ntohs(a.sin_port);
	two_platform_index(two_layers, index, sizeof(index));
	if ((pid = fork()) == 0) {
		while ((fd = accept(lfd, NULL, NULL)) >= 0)
			serve_one(fd, port, two_layers, index);
		_exit(0);
	}
	server = pid;
	close(lfd);
	snprintf(ref, sizeof(ref), "127.0.0.1:%d/authed", port);
	nook(&r, "pull", ref);
	expect_run(&r, r.status == 0 && strncmp(r.out, "sha256:", 7) == 0, "pull %s", ref);
	nook(&r, "run", "--rm", ref, "cat", "/etc/added");
	expect_stdout(&r, "added\n");
	/* the same index as a Docker manifest list, into an empty store */
	nook(&r, "rmi", ref);
	nook(&r, "image", "prune");
	expect_nothing_stored();
	strcat(ref, ":list");
	nook(&r, "pull", ref);
	expect_run(&r, r.status == 0 && strncmp(r.out, "sha256:", 7) == 0, "pull %s", ref);
	nook(&r, "run", "--rm", ref, "cat", "/etc/added");
	expect_stdout(&r, "added\n");
}

/*
 * A registry whose connection breaks: the first request for the layer gets its full
 * Content-Length but only half its bytes, then the connection closes. Later requests get
 * what their Range asks for (206), or the whole blob. Each request for the layer is logged
 * as "cut", "range FROM" or "full". Its tags "huge" and "odd" are a manifest of 5 MB and
 * one of an unknown media type.
 */
struct flaky {
	const char *layout;
	char manifest[65]; /* the manifest's hex digest */
	char layer[65];	   /* the layer's */
	int log;	   /* the log's fd */
	bool cut[2];	   /* the first request was cut: of flaky/, of plain/ */
};

/** Answer a request for the layer: cut, a range of it, or whole (always, if @p plain). */
static void
answer_layer(int fd, struct flaky *f, const char *req, bool plain)
{
	static char body[4 << 20];
	const char *range = strstr(req, "\r\nRange: bytes=");
	long long from = range ? atoll(range + 15) : 0;
	char path[256];
	ssize_t n;
	int bfd;

	snprintf(path, sizeof(path), "%s/blobs/sha256/%s", f->layout, f->layer);
	if ((bfd = open(path, O_RDONLY)) < 0 || (n = read(bfd, body, sizeof(body))) <= 0)
		_exit(1); /* the test's own layout: its pull fails, saying so */
	close(bfd);
	dprintf(f->log, "%s%s %lld\n", plain ? "plain " : "",
		!f->cut[plain]	  ? "cut"
		: range && !plain ? "range"
				  : "full",
		from);
	if (!f->cut[plain]) {
		f->cut[plain] = true;
		dprintf(fd, "HTTP/1.1 200 X\r\nContent-Length: %zd\r\nConnection: close\r\n\r\n",
			n);
		if (write(fd, body, (size_t)n / 2) < 0)
			_exit(1);
		close(fd);
	} else if (range && !plain) {
		dprintf(fd,
			"HTTP/1.1 206 X\r\nContent-Length: %lld\r\nContent-Range: bytes "
			"%lld-%zd/%zd\r\nConnection: close\r\n\r\n",
			n - from, from, n - 1, n);
		if (write(fd, body + from, (size_t)(n - from)) < 0)
			_exit(1);
		close(fd);
	} else {
		answer(fd, 200, "application/octet-stream", "", body, (size_t)n);
	}
}

/** A manifest of 5 MB: a JSON object padded with spaces. */
static void
answer_huge(int fd)
{
	static char body[5 << 20];

	memset(body, ' ', sizeof(body));
	body[0] = '{';
	body[sizeof(body) - 1] = '}';
	answer(fd, 200, "application/vnd.oci.image.manifest.v1+json", "", body, sizeof(body));
}

/** Serve one request on @p fd. */
static void
serve_flaky(int fd, struct flaky *f)
{
	static const char odd[] = "{\"schemaVersion\":2,\"mediaType\":\"application/x-nook\"}";
	char req[8192] = "", path[512] = "";
	ssize_t n, len = 0;
	bool plain;

	while (!strstr(req, "\r\n\r\n") && (n = read(fd, req + len, sizeof(req) - 1 - len)) > 0)
		req[len += n] = '\0';
	sscanf(req, "GET %511s", path);
	if ((plain = strncmp(path, "/v2/plain/", 10) == 0)) /* the same, Range ignored */
		memcpy(path + 4, "flaky", 5);
	if (strcmp(path, "/v2/flaky/manifests/latest") == 0)
		answer_blob(fd, f->layout, f->manifest,
			    "application/vnd.oci.image.manifest.v1+json");
	else if (strcmp(path, "/v2/flaky/manifests/huge") == 0)
		answer_huge(fd);
	else if (strcmp(path, "/v2/flaky/manifests/odd") == 0)
		answer(fd, 200, "application/x-nook", "", odd, strlen(odd));
	else if (strncmp(path, "/v2/flaky/blobs/sha256:", 23) == 0 &&
		 strcmp(path + 23, f->layer) == 0)
		answer_layer(fd, f, req, plain);
	else if (strncmp(path, "/v2/flaky/blobs/sha256:", 23) == 0)
		answer_blob(fd, f->layout, path + 23, "application/octet-stream");
	else
		answer(fd, 404, "text/plain", "", "", 0);
}

/** Start the flaky registry for @p layout on a free port: its pid, the port in @p port. */
static pid_t
start_flaky(const char *layout, const char *log, int *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), fd;
	struct flaky f = {.layout = layout};
	char blob[512], index[1024] = "";
	FILE *idx;
	pid_t pid;

	assert_true(lfd >= 0 && bind(lfd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
		    listen(lfd, 16) == 0 && getsockname(lfd, (struct sockaddr *)&a, &alen) == 0);
	*port = ntohs(a.sin_port);
	layer_blob(layout, blob, sizeof(blob));
	snprintf(f.layer, sizeof(f.layer), "%s", strrchr(blob, '/') + 1);
	snprintf(blob, sizeof(blob), "%s/index.json", layout);
	assert_non_null(idx = fopen(blob, "re"));
	assert_non_null(fgets(index, sizeof(index), idx));
	fclose(idx);
	assert_int_equal(sscanf(strstr(index, "\"digest\":\"sha256:"),
				"\"digest\":\"sha256:%64[0-9a-f]", f.manifest),
			 1);
	assert_true((f.log = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) >= 0);
	if ((pid = fork()) == 0) {
		while ((fd = accept(lfd, NULL, NULL)) >= 0)
			serve_flaky(fd, &f);
		_exit(0);
	}
	close(lfd);
	close(f.log);
	return server = pid;
}

/** The size of file @p path, or -1. */
static long long
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/** Nothing of an image stored (a partial blob may be). */
static void
expect_no_image(void)
{
	assert_int_equal(count("images") + count("layers") + count("blobs/sha256") + count("tmp"),
			 0);
}

/**
 * A manifest too big, and one of an unknown media type: each refused in one line, nothing
 * stored. A pull whose connection breaks in the middle of the layer: refused in one line,
 * nothing of the image stored, the bytes received kept in partial/. The next pull asks for
 * the rest only (Range) and stores the image. Kept bytes that are wrong fail the digest and
 * are dropped, and the pull after that fetches the whole layer again. From a registry that
 * ignores Range, the resumed pull skips what it kept of the whole layer sent again.
 */
static void
test_pull_resume(void **state)
{
	char dir[64], log[128], blob[512], partial[512], ref[64];
	long long size;
	struct run r;
	int port, fd;
	pid_t pid;

	(void)state;
	make_scratch_dir(dir, "resume", 0755);
	snprintf(log, sizeof(log), "%s/log", dir);
	pid = start_flaky(two_layers, log, &port);
	layer_blob(two_layers, blob, sizeof(blob));
	size = file_size(blob);
	snprintf(partial, sizeof(partial), "%s/partial/%s", store, strrchr(blob, '/') + 1);
	snprintf(ref, sizeof(ref), "127.0.0.1:%d/flaky:huge", port);
	nook(&r, "pull", ref);
	expect_refused(&r, "more than 4194304 bytes");
	expect_nothing_stored();
	snprintf(ref, sizeof(ref), "127.0.0.1:%d/flaky:odd", port);
	nook(&r, "pull", ref);
	expect_refused(&r, "unknown media type \"application/x-nook\"");
	expect_nothing_stored();
	snprintf(ref, sizeof(ref), "127.0.0.1:%d/flaky", port);
	nook(&r, "pull", ref);
	expect_refused(&r, "pull again to resume");
	expect_no_image();
	assert_int_equal(file_size(partial), size / 2);
	nook(&r, "pull", ref);
	expect_run(&r, r.status == 0, "the resumed pull");
	assert_int_equal(count("partial"), 0);
	nook(&r, "run", "--rm", ref, "cat", "/etc/added");
	expect_stdout(&r, "added\n");
	/* the kept half, overwritten: the digest fails, and the next pull starts afresh */
	nook(&r, "rmi", ref);
	nook(&r, "image", "prune");
	assert_true((fd = open(partial, O_WRONLY | O_CREAT | O_EXCL, 0600)) >= 0);
	assert_int_equal(ftruncate(fd, size / 2), 0); /* zeros: not the layer's first half */
	close(fd);
	nook(&r, "pull", ref);
	expect_refused(&r, "digest mismatch");
	expect_nothing_stored();
	nook(&r, "pull", ref);
	expect_status(&r, 0);
	/* a registry that ignores Range, and sends the whole layer: its first half skipped */
	nook(&r, "rmi", ref);
	nook(&r, "image", "prune");
	snprintf(ref, sizeof(ref), "127.0.0.1:%d/plain", port);
	nook(&r, "pull", ref);
	expect_refused(&r, "pull again to resume");
	nook(&r, "pull", ref);
	expect_status(&r, 0);
	nook(&r, "run", "--rm", ref, "cat", "/etc/added");
	expect_stdout(&r, "added\n");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	server = 0;
	snprintf(blob, sizeof(blob),
		 "cut 0\nrange %lld\nrange %lld\nfull 0\nplain cut 0\nplain full %lld\n", size / 2,
		 size / 2, size / 2);
	sh("printf '%s' | cmp - %s", blob, log);
	sh("echo kept >%s", partial); /* prune removes what a broken pull kept */
	nook(&r, "image", "prune");
	expect_status(&r, 0);
	assert_int_equal(count("partial"), 0);
}

/* --- nook-image: the image commands, a program of their own ------------------------ */

/**
 * nook links none of libcurl, libarchive and libcrypto (start latency, see the Makefile's
 * IMAGE_TOOL_SRCS) and execs nook-image beside it for the image commands. A copy of nook
 * alone in a directory: `images` is refused in one line, exit 125; with nook-image copied
 * beside it, import, images and pull run there.
 */
static void
test_image_tool(void **state)
{
	char dir[64], copy[128], cmd[512];
	struct run r;

	(void)state;
	make_scratch_dir(dir, "tool", 0755);
	snprintf(copy, sizeof(copy), "%s/nook", dir);
	sh("cp %s %s", step_path("nook"), copy);
	snprintf(cmd, sizeof(cmd), "ldd %s | grep -E 'libcurl|libarchive|libcrypto'", copy);
	run_shell(&r, cmd);
	expect_run(&r, r.status == 1 && !*r.out, "nook links an image library");
	run_argv(&r, 10, (char *[]){copy, "--store", store, "images", NULL});
	expect_refused(&r, "nook-image");
	run_argv(&r, 10, (char *[]){copy, "--store", store, "pull", "busybox", NULL});
	expect_refused(&r, "nook-image");
	expect_nothing_stored();
	sh("cp %s-image %s-image", step_path("nook"), copy);
	run_argv(&r, 60,
		 (char *[]){copy, "--store", store, "image", "import", "--name", "t:1", one_layer,
			    NULL});
	expect_run(&r, r.status == 0 && strncmp(r.out, "sha256:", 7) == 0, "import");
	run_argv(&r, 10, (char *[]){copy, "--store", store, "images", NULL});
	expect_run(&r, r.status == 0 && strstr(r.out, "t:1"), "images lists t:1");
	/* pull's own refusal (an address that refuses connections), not nook's */
	run_argv(&r, 30, (char *[]){copy, "--store", store, "pull", "127.0.0.1:1/x", NULL});
	expect_run(&r, r.status == 125 && !strstr(r.err, "nook-image") && strstr(r.err, "pull"),
		   "pull ran in nook-image");
	run_argv(&r, 60,
		 (char *[]){copy, "--store", store, "--root", root, "run", "--rm", "t:1", "echo",
			    "hi", NULL});
	expect_stdout(&r, "hi\n");
}

/* --- rootless: an ordinary user's store and containers ----------------------------------- */

/** The ordinary user of the rootless tests: an id with no entry needed in /etc/passwd. */
#define USER_ID 1000

/** Skip unless uid USER_ID may make user namespaces, and overlay may be mounted in one. */
static void
skip_unless_rootless_overlay(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	skip_unless_user_namespaces_as(USER_ID, USER_ID);
	if (uname(&u) < 0 || sscanf(u.release, "%d.%d", &major, &minor) != 2 ||
	    major * 1000 + minor < 5011) {
		print_message("  SKIP: overlay in a user namespace needs Linux 5.11, not %s\n",
			      u.release);
		skip();
	}
}

/** The environment a login gives the user: its home @p dir, its runtime dir in it. */
static void
login_env(void *dir)
{
	char xdg[96];

	snprintf(xdg, sizeof(xdg), "%s/xdg", (const char *)dir);
	if (setenv("HOME", dir, 1) < 0 || setenv("XDG_RUNTIME_DIR", xdg, 1) < 0 ||
	    unsetenv("NOOK_STORE") < 0 || unsetenv("XDG_DATA_HOME") < 0)
		_exit(125);
}

/**
 * A home for the user in @p home (a scratch directory it owns, with xdg/ in it), and the
 * layouts readable to it. The nook it may run is exported to its scripts as $N.
 */
static void
make_home(char *home)
{
	char bin[PATH_MAX];

	skip_unless_rootless_overlay();
	if (!realpath(runnable_as(USER_ID, USER_ID, step_path("nook")), bin))
		fail_msg("nook: %s", strerror(errno));
	make_scratch_dir(home, "home", 0755);
	sh("mkdir -m 700 %s/xdg && chown -R %d:%d %s && chmod 755 %s", home, USER_ID, USER_ID, home,
	   group_dir);
	if (setenv("N", bin, 1) < 0)
		fail_msg("setenv: %s", strerror(errno));
}

/** Run the shell script made of @p fmt as the user, logged in with @p home, in it. */
static void
as_user(struct run *r, const char *home, const char *fmt, ...)
{
	char script[4096];
	char *argv[] = {"/bin/sh", "-c", script, NULL};
	struct proc p;
	va_list ap;

	va_start(ap, fmt);
	strcpy(script, "cd || exit 89; ");
	vsnprintf(script + strlen(script), sizeof(script) - strlen(script), fmt, ap);
	va_end(ap);
	start_argv_as(&p, r, USER_ID, USER_ID, login_env, (void *)home, argv);
	finish(&p, RUN_TIMEOUT);
}

/** No mount of anything under @p dir left on the host. */
static void
expect_no_mounts_under(const char *dir)
{
	char cmd[256];
	struct run r;

	snprintf(cmd, sizeof(cmd), "grep -c ' %s/' /proc/self/mountinfo", dir);
	run_shell(&r, cmd);
	assert_string_equal(r.out, "0\n");
}

/**
 * Rootless import and run: the store is ~/.local/share/nook, the state $XDG_RUNTIME_DIR/nook;
 * the files are the user's (root's inside), whiteout and opaque directory hold, the
 * container may write, and --rm leaves nothing, on the host no mount.
 */
static void
test_rootless_import_run(void **state)
{
	char home[64], path[PATH_MAX], buf[4];
	struct stat st;
	struct run r;

	(void)state;
	make_home(home);
	as_user(&r, home,
		"$N image import %s >/dev/null || exit 90; $N run --rm busybox echo hi; "
		"$N run --rm busybox sh -c 'test -e /bin/vi && echo vi; ls -A /usr; "
		"cat /etc/added; id -u; stat -c %%u /bin/busybox; echo w >/etc/added && cat "
		"/etc/added'; "
		"echo run $?; ls -A ~/.local/share/nook/containers ~/xdg/nook | wc -l",
		two_layers);
	expect_run(&r, r.status == 0, "rootless import and run as uid %d", USER_ID);
	/* ls's two headings and the blank line between them: both directories empty */
	assert_string_equal(r.out, "hi\nadded\n0\n0\nw\nrun 0\n3\n");
	snprintf(store, sizeof(store), "%s/.local/share/nook", home); /* for find_whiteout() */
	find_whiteout(path, sizeof(path));
	assert_true(stat(path, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0));
	assert_int_equal(st.st_uid, USER_ID);
	strcpy(strstr(path, "/bin/vi"), "/usr"); /* opaque, in the attribute userxattr reads */
	assert_int_equal(getxattr(path, "user.overlay.opaque", buf, sizeof(buf)), 1);
	assert_int_equal(buf[0], 'y');
	assert_int_equal(getxattr(path, "trusted.overlay.opaque", buf, sizeof(buf)), -1);
	strcpy(strstr(path, "/usr"), "/etc/added"); /* root's in the tar: the user's here */
	assert_true(stat(path, &st) == 0 && st.st_uid == USER_ID && st.st_gid == USER_ID);
	expect_no_mounts_under(home);
}

/** Rootless pull from the loopback registry, then run. */
static void
test_rootless_pull_run(void **state)
{
	char home[64], dir[64];
	struct registry g;
	struct run r;

	(void)state;
	make_home(home);
	make_scratch_dir(dir, "registry", 0755);
	start_registry(&g, dir);
	push(&g, two_layers, "busybox");
	as_user(&r, home,
		"$N pull 127.0.0.1:%d/busybox >/dev/null || exit 90; "
		"$N run --rm 127.0.0.1:%d/busybox sh -c 'cat /etc/added; test -e /bin/vi || echo "
		"no-vi'",
		g.port, g.port);
	stop_registry(&g);
	expect_run(&r, r.status == 0, "rootless pull and run as uid %d", USER_ID);
	assert_string_equal(r.out, "added\nno-vi\n");
	expect_no_mounts_under(home);
}

/**
 * Two rootless containers of one image at once: both see the store's own inode of
 * /bin/busybox (the layer directory, shared), each has a writable layer of its own.
 */
static void
test_rootless_shared_layers(void **state)
{
	char home[64];
	struct run r;

	(void)state;
	make_home(home);
	as_user(&r, home,
		"$N image import %s >/dev/null || exit 90; S=~/.local/share/nook; "
		"for i in 1 2; do $N run --rm --name c$i busybox sh -c "
		"'stat -c %%i /bin/busybox; echo $0 >/mine; sleep 5; cat /mine' $i "
		"</dev/null >out$i 2>&1 & done; "
		"for t in $(seq 100); do [ -s out1 ] && [ -s out2 ] && break; sleep 0.1; done; "
		"ls $S/containers | wc -l; wait; "
		"cat out1 out2; stat -c %%i $S/layers/*/bin/busybox",
		two_layers);
	expect_run(&r, r.status == 0, "two rootless containers as uid %d", USER_ID);
	expect_run(&r, count_lines(r.out) == 6, "6 lines");
	{
		char n[8], i1[32], m1[8], i2[32], m2[8], ino[32];

		assert_int_equal(
			sscanf(r.out, "%7s %31s %7s %31s %7s %31s", n, i1, m1, i2, m2, ino), 6);
		assert_string_equal(n, "2");
		assert_string_equal(m1, "1");
		assert_string_equal(m2, "2");
		assert_string_equal(i1, ino);
		assert_string_equal(i2, ino);
	}
	expect_no_mounts_under(home);
}

/* --- a real distribution image ------------------------------------------------------------ */

/**
 * The Debian image (`make image IMAGE=debian`, mmdebstrap: Debian's packages, so the
 * mirror's network; not built by the check): imported, it runs python3, as root and as
 * an ordinary user (whose store leaves out its /dev nodes and owns all its files).
 */
static void
test_debian_python(void **state)
{
	const char *env = getenv("NOOK_DEBIAN_IMAGE");
	char layout[PATH_MAX], home[64];
	struct run r;

	(void)state;
	if (!realpath(env && *env ? env : "build/images/debian", layout) ||
	    access(strcat(layout, "/index.json"), F_OK) < 0) {
		print_message("  SKIP: no Debian image: `make image IMAGE=debian` builds it (it "
			      "downloads Debian's packages)\n");
		skip();
	}
	*strrchr(layout, '/') = '\0';
	import(layout, NULL);
	nook(&r, "run", "--rm", "debian:bookworm", "python3", "-c", "print(1)");
	expect_stdout(&r, "1\n");
	make_home(home);
	as_user(&r, home,
		"$N image import %s >/dev/null || exit 90; "
		"$N run --rm debian:bookworm python3 -c 'import os; print(os.getuid())'",
		layout);
	expect_run(&r, r.status == 0, "the Debian image as uid %d", USER_ID);
	assert_string_equal(r.out, "0\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_import_run, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_import_oci_archive, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_image_config, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_image_user, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_image_inspect, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_whiteout_opaque, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_shared_layers, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_path_traversal, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_tampered_blob, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_bad_manifest, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_rmi_prune, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_rmi_in_use, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_run_forms, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_docker_archive, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_pull_run, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_pull_tampered, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_pull_token_index, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_pull_resume, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_image_tool, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_pull_signed, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_pull_signed_tampered, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_import_signed, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_rootless_import_run, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_rootless_pull_run, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_rootless_shared_layers, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_debian_python, test_setup, test_teardown),
	};

	return cmocka_run_group_tests_name("11-images", tests, setup, teardown);
}

/**
 * @file cdi.c
 * @brief Unit tests of step 11's devices: `--device HOST[:PATH][:rwm]` read and turned
 *        into config.json edits (device_opt.c), CDI specs read as JSON and as YAML into
 *        one tree, checked with every error naming the file and the member, and applied
 *        (cdi.c, cdi_yaml.c).
 *
 * The specs are written here into a scratch directory; the host nodes used are /dev/null
 * and /dev/zero, which every machine has.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cdi.h"
#include "image.h"

static char scratch[64];

static int
make_scratch(void **state)
{
	(void)state;
	snprintf(scratch, sizeof(scratch), "/tmp/nook-cdi-unit-XXXXXX");
	return mkdtemp(scratch) ? 0 : -1;
}

static int
remove_scratch(void **state)
{
	(void)state;
	return image_remove_tree(scratch);
}

/** Write @p text to scratch/@p name; its path into @p path (PATH_MAX). */
static void
write_spec(const char *name, const char *text, char *path)
{
	FILE *f;

	snprintf(path, PATH_MAX, "%s/%s", scratch, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
device_options_are_read(void **state)
{
	struct nook_error err;
	struct device_opt d;

	(void)state;
	assert_int_equal(device_opt_parse("/dev/null", &d, &err), 0);
	assert_string_equal(d.host, "/dev/null");
	assert_string_equal(d.path, "/dev/null");
	assert_string_equal(d.access, "rwm");
	assert_int_equal(device_opt_parse("/dev/null:/dev/mynull", &d, &err), 0);
	assert_string_equal(d.path, "/dev/mynull");
	assert_string_equal(d.access, "rwm");
	assert_int_equal(device_opt_parse("/dev/null:r", &d, &err), 0);
	assert_string_equal(d.path, "/dev/null");
	assert_string_equal(d.access, "r");
	assert_int_equal(device_opt_parse("/dev/null:/dev/mynull:rw", &d, &err), 0);
	assert_string_equal(d.host, "/dev/null");
	assert_string_equal(d.path, "/dev/mynull");
	assert_string_equal(d.access, "rw");
}

static void
bad_device_options_are_refused(void **state)
{
	static const char *const bad[] = {
		"dev/null",
		"/dev/null:",
		"/dev/null:x",
		"/dev/null:rr",
		"/dev/null:rwmr",
		"/dev/null:/a:rw:m",
		"/dev/null:a/b",
		"/dev/:/dev/x",
		"/dev/null:/dev/x/",
		"/dev/null:/dev/x:",
		"",
	};
	struct nook_error err;
	struct device_opt d;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = '\0';
		if (device_opt_parse(bad[i], &d, &err) == 0)
			fail_msg("--device \"%s\" was taken", bad[i]);
		assert_int_equal(err.code, NOOK_EXIT_FAILURE);
		assert_non_null(strstr(err.msg, "--device"));
	}
}

static void
cdi_names_are_told_apart(void **state)
{
	(void)state;
	assert_true(device_opt_is_cdi("nvidia.com/gpu=0"));
	assert_false(device_opt_is_cdi("/dev/nvidia0"));
	assert_true(cdi_name_valid("nvidia.com/gpu=all"));
	assert_true(cdi_name_valid("vendor.example.org/class_x=dev-1.a:b"));
	assert_false(cdi_name_valid("nvidia.com/gpu"));
	assert_false(cdi_name_valid("nvidia.com/gpu="));
	assert_false(cdi_name_valid("nvidia.com=0"));
	assert_false(cdi_name_valid("/gpu=0"));
	assert_false(cdi_name_valid("nvidia.com/gpu=0/../x"));
	assert_false(cdi_name_valid("nvidia.com/g.pu=0"));
	assert_false(cdi_name_valid("nvidia.com/gpu=-0"));
}

/** A device node into an empty config: linux.devices and the cgroup's allow rule. */
static void
device_nodes_become_config(void **state)
{
	struct nook_error err;
	struct device_opt d;
	json_t *spec = json_object(), *dev, *rule;

	(void)state;
	assert_int_equal(device_opt_parse("/dev/null:/dev/mynull:rw", &d, &err), 0);
	assert_int_equal(device_opt_apply(spec, &d, &err), 0);
	dev = json_array_get(json_object_get(json_object_get(spec, "linux"), "devices"), 0);
	rule = json_array_get(
		json_object_get(json_object_get(json_object_get(spec, "linux"), "resources"),
				"devices"),
		0);
	assert_string_equal(json_string_value(json_object_get(dev, "path")), "/dev/mynull");
	assert_string_equal(json_string_value(json_object_get(dev, "type")), "c");
	assert_int_equal(json_integer_value(json_object_get(dev, "major")), 1);
	assert_int_equal(json_integer_value(json_object_get(dev, "minor")), 3);
	assert_true(json_is_true(json_object_get(rule, "allow")));
	assert_int_equal(json_integer_value(json_object_get(rule, "minor")), 3);
	assert_string_equal(json_string_value(json_object_get(rule, "access")), "rw");
	/* a file that is no device, and one that is not there */
	assert_int_equal(device_opt_parse("/etc/passwd", &d, &err), 0);
	assert_int_equal(device_opt_apply(spec, &d, &err), -1);
	assert_non_null(strstr(err.msg, "\"/etc/passwd\" is not a device node"));
	assert_int_equal(device_opt_parse("/dev/nook-no-such-device", &d, &err), 0);
	assert_int_equal(device_opt_apply(spec, &d, &err), -1);
	assert_non_null(strstr(err.msg, "No such file"));
	json_decref(spec);
}

static const char json_spec[] =
	"{\"cdiVersion\": \"0.6.0\", \"kind\": \"nook.test/fake\",\n"
	" \"containerEdits\": {\"env\": [\"ALL=1\"]},\n"
	" \"devices\": [{\"name\": \"0\", \"containerEdits\": {\n"
	"   \"deviceNodes\": [{\"path\": \"/dev/fake0\", \"hostPath\": \"/dev/null\",\n"
	"                     \"permissions\": \"rw\", \"fileMode\": 416}],\n"
	"   \"mounts\": [{\"hostPath\": \"/usr/lib\", \"containerPath\": \"/opt/lib\",\n"
	"                \"options\": [\"ro\", \"bind\"]}],\n"
	"   \"hooks\": [{\"hookName\": \"createContainer\", \"path\": \"/bin/true\",\n"
	"               \"args\": [\"true\", \"x\"], \"timeout\": 5}],\n"
	"   \"env\": [\"FAKE=0\", \"ALL=2\"], \"additionalGids\": [44]}}]}\n";

/* The same spec in YAML, as nvidia-ctk writes them: 0640 is octal (416). */
static const char yaml_spec[] =
	"---\n"
	"cdiVersion: 0.6.0\n"
	"kind: nook.test/fake\n"
	"containerEdits:\n"
	"  env:\n"
	"    - ALL=1\n"
	"devices:\n"
	"  - name: \"0\"\n"
	"    containerEdits:\n"
	"      deviceNodes:\n"
	"        - path: /dev/fake0\n"
	"          hostPath: /dev/null\n"
	"          permissions: rw\n"
	"          fileMode: 0640\n"
	"      mounts:\n"
	"        - {hostPath: /usr/lib, containerPath: /opt/lib, options: [ro, bind]}\n"
	"      hooks:\n"
	"        - hookName: createContainer\n"
	"          path: /bin/true\n"
	"          args: [\"true\", x]\n"
	"          timeout: 5\n"
	"      env: [FAKE=0, ALL=2]\n"
	"      additionalGids: [44]\n";

static void
yaml_and_json_specs_are_one_tree(void **state)
{
	char jpath[PATH_MAX], ypath[PATH_MAX];
	struct nook_error err;
	json_t *j, *y;

	(void)state;
	write_spec("fake.json", json_spec, jpath);
	write_spec("fake.yaml", yaml_spec, ypath);
	j = cdi_spec_load(jpath, &err);
	assert_non_null(j);
	y = cdi_spec_load(ypath, &err);
	if (!y)
		fail_msg("%s", err.msg);
	assert_true(json_equal(j, y));
	assert_int_equal(cdi_spec_check(j, jpath, &err), 0);
	assert_int_equal(cdi_spec_check(y, ypath, &err), 0);
	json_decref(j);
	json_decref(y);
}

/** Each broken spec fails with its file's path and the member at fault. */
static void
bad_specs_are_named(void **state)
{
	static const struct {
		const char *name, *text, *want;
	} bad[] = {
		{"a.json", "{\"cdiVersion\": \"0.6.0\", \"devices\": []}", "a.json: kind: missing"},
		{"b.json", "{\"cdiVersion\": \"0.6.0\", \"kind\": \"nvidia\", \"devices\": []}",
		 "b.json: kind: expected vendor.com/class"},
		{"c.json", "{\"cdiVersion\": 6, \"kind\": \"a.b/c\", \"devices\": []}",
		 "c.json: cdiVersion: expected a string"},
		{"d.json",
		 "{\"cdiVersion\": \"0.6.0\", \"kind\": \"a.b/c\", \"devices\": "
		 "[{\"name\": \"0\", \"containerEdits\": {\"mounts\": "
		 "[{\"hostPath\": \"lib\", \"containerPath\": \"/lib\"}]}}]}",
		 "d.json: devices[0].containerEdits.mounts[0]: a path that is not absolute"},
		{"e.json",
		 "{\"cdiVersion\": \"0.6.0\", \"kind\": \"a.b/c\", \"devices\": "
		 "[{\"name\": \"0\", \"containerEdits\": {\"hooks\": "
		 "[{\"hookName\": \"whenever\", \"path\": \"/bin/true\"}]}}]}",
		 "e.json: devices[0].containerEdits.hooks[0]: hookName"},
		{"f.json",
		 "{\"cdiVersion\": \"0.6.0\", \"kind\": \"a.b/c\", \"devices\": "
		 "[{\"name\": \"0\", \"containerEdits\": {\"devicNodes\": []}}]}",
		 "f.json: devices[0].containerEdits.devicNodes: unknown member"},
		{"g.json",
		 "{\"cdiVersion\": \"0.6.0\", \"kind\": \"a.b/c\", \"devices\": "
		 "[{\"name\": \"0\", \"containerEdits\": {\"deviceNodes\": "
		 "[{\"path\": \"/dev/x\", \"permissions\": \"rwx\"}]}}]}",
		 "g.json: devices[0].containerEdits.deviceNodes[0]: permissions"},
		{"h.json",
		 "{\"cdiVersion\": \"0.6.0\", \"kind\": \"a.b/c\", \"devices\": "
		 "[{\"containerEdits\": {}}]}",
		 "h.json: devices[0].name: missing"},
		{"i.json",
		 "{\"cdiVersion\": \"0.6.0\", \"kind\": \"a.b/c\", \"devices\": "
		 "[{\"name\": \"0\", \"containerEdits\": {\"env\": [\"NOVALUE\"]}}]}",
		 "i.json: devices[0].containerEdits.env[0]: expected NAME=VALUE"},
		{"j.json", "{\"cdiVersion\": \"0.6.0\",", "j.json: line"},
		{"k.yaml", "cdiVersion: 0.6.0\nkind: [a\n", "k.yaml: line"},
		{"l.yaml", "a: &a [*a]\n", "l.yaml: more than 32 levels"},
		{"m.yaml", "- just\n- a list\n", "m.yaml: expected an object"},
		{"n.yaml",
		 "cdiVersion: 0.6.0\nkind: a.b/c\ndevices:\n  - name: 0\n"
		 "    containerEdits: {}\n",
		 "n.yaml: devices[0].name: expected a string"},
	};
	char path[PATH_MAX];
	struct nook_error err;
	json_t *doc;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_spec(bad[i].name, bad[i].text, path);
		err.msg[0] = '\0';
		doc = cdi_spec_load(path, &err);
		if (doc && cdi_spec_check(doc, path, &err) == 0)
			fail_msg("%s was taken", bad[i].name);
		json_decref(doc);
		if (!strstr(err.msg, scratch) || !strstr(err.msg, bad[i].want))
			fail_msg("%s: \"%s\", expected \"%s\"", bad[i].name, err.msg, bad[i].want);
	}
}

/** The string at @p i of the array @p key of @p obj. */
static const char *
string_at(json_t *obj, const char *key, size_t i)
{
	return json_string_value(json_array_get(json_object_get(obj, key), i));
}

static void
specs_are_applied(void **state)
{
	char path[PATH_MAX], dir1[PATH_MAX], dir2[PATH_MAX];
	struct cdi_dirs dirs = {{dir1, dir2}, 2};
	struct nook_error err;
	json_t *spec = json_pack("{s:{s:[s, s]}}", "process", "env", "PATH=/bin", "ALL=0");
	json_t *lx, *mount, *hook;

	(void)state;
	snprintf(dir1, sizeof(dir1), "%s/etc", scratch);
	snprintf(dir2, sizeof(dir2), "%s/run", scratch);
	mkdir(dir1, 0755);
	mkdir(dir2, 0755);
	write_spec("etc/fake.json",
		   "{\"cdiVersion\": \"0.6.0\", \"kind\": \"nook.test/fake\", \"devices\": "
		   "[{\"name\": \"0\", \"containerEdits\": {\"env\": [\"FROM=etc\"]}}]}",
		   path);
	write_spec("run/fake.yaml", yaml_spec, path); /* the later directory wins */
	write_spec("run/other.yaml", "cdiVersion: 0.6.0\nkind: nook.test/other\ndevices: 7\n",
		   path); /* broken, but of another kind: not read further */
	if (cdi_apply(spec, "nook.test/fake=0", &dirs, &err) < 0)
		fail_msg("%s", err.msg);
	/* the spec's ALL=1 replaced ALL=0, then the device's ALL=2 replaced it */
	assert_string_equal(string_at(json_object_get(spec, "process"), "env", 1), "FAKE=0");
	assert_string_equal(string_at(json_object_get(spec, "process"), "env", 2), "ALL=2");
	assert_int_equal(json_array_size(json_object_get(json_object_get(spec, "process"), "env")),
			 3);
	lx = json_object_get(spec, "linux");
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(json_object_get(lx, "devices"), 0), "fileMode")),
			 0640);
	mount = json_array_get(json_object_get(spec, "mounts"), 0);
	assert_string_equal(json_string_value(json_object_get(mount, "destination")), "/opt/lib");
	assert_string_equal(json_string_value(json_object_get(mount, "type")), "bind");
	hook = json_array_get(json_object_get(json_object_get(spec, "hooks"), "createContainer"),
			      0);
	assert_string_equal(json_string_value(json_object_get(hook, "path")), "/bin/true");
	assert_string_equal(string_at(hook, "args", 1), "x");
	/* an unknown device, and a device of a broken spec */
	assert_int_equal(cdi_apply(spec, "nook.test/fake=1", &dirs, &err), -1);
	assert_non_null(strstr(err.msg, "no such CDI device"));
	assert_int_equal(cdi_apply(spec, "nook.test/other=0", &dirs, &err), -1);
	assert_non_null(strstr(err.msg, "other.yaml: devices: expected an array"));
	json_decref(spec);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(device_options_are_read),
		cmocka_unit_test(bad_device_options_are_refused),
		cmocka_unit_test(cdi_names_are_told_apart),
		cmocka_unit_test(device_nodes_become_config),
		cmocka_unit_test_setup_teardown(yaml_and_json_specs_are_one_tree, make_scratch,
						remove_scratch),
		cmocka_unit_test_setup_teardown(bad_specs_are_named, make_scratch, remove_scratch),
		cmocka_unit_test_setup_teardown(specs_are_applied, make_scratch, remove_scratch),
	};

	return cmocka_run_group_tests_name("cdi", tests, NULL, NULL);
}

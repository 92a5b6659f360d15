/**
 * @file oci.c
 * @brief Unit tests of the config.json reader (solutions/oci_config.c): runc's own specs
 *        read into the container description, and broken configs refused by JSON path.
 *
 * The fixtures in tests/unit/oci/ are `runc spec` and `runc spec --rootless` output of
 * Debian's runc 1.1.5, unchanged, and the config.json podman 4.3 wrote for `podman run
 * --rm --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 IMG true` (cgroupfs), its
 * root.path changed to "rootfs" (podman's was an overlay in its storage).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "oci.h"

/** A scratch bundle directory with a rootfs/ in it. */
static char bundle[64];

static int
make_bundle(void **state)
{
	char root[96];

	(void)state;
	snprintf(bundle, sizeof(bundle), "/tmp/nook-oci-unit-%d", (int)getpid());
	snprintf(root, sizeof(root), "%s/rootfs", bundle);
	if (mkdir(bundle, 0700) < 0 || mkdir(root, 0700) < 0)
		return -1;
	return 0;
}

static int
remove_bundle(void **state)
{
	char root[96];

	(void)state;
	snprintf(root, sizeof(root), "%s/rootfs", bundle);
	rmdir(root);
	return rmdir(bundle);
}

/** The whole of file @p name in tests/unit/oci/, or fail the test. */
static char *
fixture(const char *name)
{
	char path[256], *text = NULL;
	size_t len = 0;
	FILE *f;

	snprintf(path, sizeof(path), "tests/unit/oci/%s", name);
	f = fopen(path, "re");
	if (!f)
		fail_msg("%s: %s (run from the top of the tree)", path, strerror(errno));
	if (getdelim(&text, &len, '\0', f) < 0)
		fail_msg("%s: empty", path);
	fclose(f);
	return text;
}

/** Find the mount of @p o at @p dest, or fail. */
static const struct oci_mount *
mount_at(const struct nook_oci *o, const char *dest)
{
	for (int i = 0; i < o->nmounts; i++)
		if (strcmp(o->mount[i].destination, dest) == 0)
			return &o->mount[i];
	fail_msg("no mount at %s", dest);
	return NULL;
}

static void
reads_runc_spec(void **state)
{
	struct nook_container c = {0};
	struct nook_oci o;
	struct nook_error err = {0};
	char *text = fixture("runc-spec.json"), root[128];
	const struct oci_mount *m;

	(void)state;
	if (oci_config_parse(text, bundle, &c, &o, &err) < 0)
		fail_msg("%s", err.msg);
	snprintf(root, sizeof(root), "%s/rootfs", bundle);
	assert_string_equal(o.root, root);
	assert_true(o.root_readonly);
	assert_string_equal(c.argv[0], "sh");
	assert_null(c.argv[1]);
	assert_true(c.env_exact);
	assert_int_equal(c.nenv, 2);
	assert_string_equal(c.env_arg[1], "TERM=xterm");
	assert_string_equal(o.cwd, "/");
	assert_true(o.terminal);
	assert_string_equal(c.hostname, "runc");
	assert_true(c.caps.user);
	assert_int_equal(c.caps.uid, 0);
	assert_true(c.caps.drop_all);
	assert_int_equal(c.caps.add, NOOK_CAP(CAP_AUDIT_WRITE) | NOOK_CAP(CAP_KILL) |
					     NOOK_CAP(CAP_NET_BIND_SERVICE));
	assert_int_equal(o.nrlimits, 1);
	assert_int_equal(o.rlimit[0].rl.rlim_max, 1024);
	assert_int_equal(o.clone_flags,
			 CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS);
	assert_false(c.userns);
	assert_int_equal(o.nmounts, 7);
	m = mount_at(&o, "/dev/pts");
	assert_string_equal(m->type, "devpts");
	assert_int_equal(m->flags, MS_NOSUID | MS_NOEXEC);
	assert_string_equal(m->data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
	m = mount_at(&o, "/dev");
	assert_int_equal(m->flags, MS_NOSUID | MS_STRICTATIME);
	assert_string_equal(m->data, "mode=755,size=65536k");
	m = mount_at(&o, "/sys");
	assert_int_equal(m->flags, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY);
	assert_int_equal(c.nmasked, 10);
	assert_string_equal(c.masked[0], "/proc/acpi");
	assert_int_equal(c.nreadonly, 5);
	assert_true(c.seccomp.unconfined); /* no linux.seccomp: no filter, as runc */
	oci_config_free(&o);
	free(text);
}

static void
reads_runc_spec_rootless(void **state)
{
	struct nook_container c = {0};
	struct nook_oci o;
	struct nook_error err = {0};
	char *text = fixture("runc-spec-rootless.json");
	const struct oci_mount *m;

	(void)state;
	if (oci_config_parse(text, bundle, &c, &o, &err) < 0)
		fail_msg("%s", err.msg);
	assert_true(c.userns);
	assert_true(o.clone_flags & CLONE_NEWUSER);
	assert_false(o.clone_flags & CLONE_NEWNET);
	assert_int_equal(c.uid_map.n, 1);
	assert_int_equal(c.uid_map.range[0].count, 1);
	assert_int_equal(c.gid_map.n, 1);
	m = mount_at(&o, "/sys");
	assert_int_equal(m->flags & (MS_BIND | MS_REC | MS_RDONLY), MS_BIND | MS_REC | MS_RDONLY);
	assert_string_equal(m->source, "/sys");
	oci_config_free(&o);
	free(text);
}

static void
reads_podman_config(void **state)
{
	struct nook_container c = {0};
	struct nook_oci o;
	struct nook_error err = {0};
	char *text = fixture("podman-config.json");
	const struct oci_mount *m;

	(void)state;
	if (oci_config_parse(text, bundle, &c, &o, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(c.argv[0], "true");
	assert_int_equal(o.njoin, 1); /* podman made the network namespace itself */
	assert_int_equal(o.join[0].type, CLONE_NEWNET);
	assert_false(o.clone_flags & CLONE_NEWNET);
	assert_true(o.clone_flags & CLONE_NEWPID);
	assert_int_equal(c.cgroup.pids, 2048);
	assert_int_equal(o.nsysctl, 1);
	assert_string_equal(o.sysctl[0].key, "net.ipv4.ping_group_range");
	assert_int_equal(o.nrlimits, 2);
	assert_true(o.has_seccomp);
	assert_false(c.seccomp.unconfined);
	assert_true(o.seccomp.nrules >= 20);
	assert_true(c.caps.add & NOOK_CAP(CAP_CHOWN));
	assert_false(c.caps.add & NOOK_CAP(CAP_SYS_ADMIN));
	m = mount_at(&o, "/etc/hostname");
	assert_int_equal(m->flags & MS_BIND, MS_BIND);
	assert_int_equal(m->propagation, MS_PRIVATE | MS_REC);
	assert_non_null(o.cgroups_path);
	assert_string_equal(c.cgroup.path, "libpod_parent/libpod-89b5ffb3ff3039dc9973f2f5f8e615f18"
					   "7713fd975bc2636c1dd06875eb6c3b9");
	oci_config_free(&o);
	free(text);
}

/** A minimal valid config with @p extra members spliced in at the top level. */
static int
parse_with(const char *extra, struct nook_error *err)
{
	struct nook_container c = {0};
	struct nook_oci o;
	char text[2048];
	int ret;

	snprintf(text, sizeof(text),
		 "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"}, %s%s"
		 "\"process\": {\"args\": [\"sh\"], \"cwd\": \"/\"}}",
		 extra, *extra ? ", " : "");
	ret = oci_config_parse(text, bundle, &c, &o, err);
	oci_config_free(&o);
	return ret;
}

/** The same, with @p process members replacing the minimal process. */
static int
parse_process(const char *process, struct nook_error *err)
{
	struct nook_container c = {0};
	struct nook_oci o;
	char text[2048];
	int ret;

	snprintf(text, sizeof(text),
		 "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"}, \"process\": "
		 "{\"args\": [\"sh\"], \"cwd\": \"/\", %s}}",
		 process);
	ret = oci_config_parse(text, bundle, &c, &o, err);
	oci_config_free(&o);
	return ret;
}

static void
minimal_config_is_read(void **state)
{
	struct nook_error err = {0};

	(void)state;
	if (parse_with("\"annotations\": {\"a\": \"b\"}, \"unknownField\": 1", &err) < 0)
		fail_msg("%s", err.msg);
}

/** Each broken config is refused with exactly this one line. */
static void
broken_configs_name_their_path(void **state)
{
	static const struct {
		const char *process; /* NULL: top-level members instead */
		const char *extra;
		const char *msg;
	} cases[] = {
		{"\"user\": {\"uid\": \"0\"}", NULL, "process.user.uid: expected an integer"},
		{"\"user\": {\"uid\": -1}", NULL,
		 "process.user.uid: -1 is out of range (0 to 4294967294)"},
		{"\"user\": {\"uid\": 0, \"additionalGids\": [1, \"x\"]}", NULL,
		 "process.user.additionalGids[1]: expected an integer"},
		{"\"env\": [\"A=1\", \"B\"]", NULL, "process.env[1]: expected NAME=VALUE"},
		{"\"terminal\": \"yes\"", NULL, "process.terminal: expected true or false"},
		{"\"capabilities\": {\"bounding\": [\"CAP_NOPE\"]}", NULL,
		 "process.capabilities.bounding[0]: unknown capability \"CAP_NOPE\""},
		{"\"rlimits\": [{\"type\": \"RLIMIT_NOPE\", \"hard\": 1, \"soft\": 1}]", NULL,
		 "process.rlimits[0]: type: unknown rlimit \"RLIMIT_NOPE\""},
		{NULL, "\"mounts\": [{\"destination\": \"proc\", \"type\": \"proc\"}]",
		 "mounts[0].destination: an absolute path other than \"/\""},
		{NULL, "\"mounts\": [{\"destination\": \"/x\", \"options\": [\"bind\"]}]",
		 "mounts[0].source: missing for a bind mount"},
		{NULL, "\"mounts\": [{\"destination\": \"/x\", \"options\": [\"ro\", 3]}]",
		 "mounts[0].options[1]: expected a string"},
		{NULL, "\"hostname\": 5", "hostname: expected a string"},
		{NULL, "\"linux\": {\"namespaces\": [{\"type\": \"pidd\"}]}",
		 "linux.namespaces[0].type: unknown namespace \"pidd\""},
		{NULL, "\"linux\": {\"namespaces\": [{\"type\": \"time\", \"path\": \"/x\"}]}",
		 "linux.namespaces[0].path: joining a time namespace is not supported"},
		{NULL, "\"linux\": {\"namespaces\": [{\"type\": \"mount\", \"path\": \"/x\"}]}",
		 "linux.namespaces[0].path: joining a mount namespace is not supported: "},
		{NULL, "\"linux\": {\"namespaces\": [{\"type\": \"uts\", \"path\": \"x\"}]}",
		 "linux.namespaces[0].path: not an absolute path"},
		{NULL,
		 "\"linux\": {\"namespaces\": [{\"type\": \"net\"}, {\"type\": \"network\", "
		 "\"path\": \"/x\"}]}",
		 "linux.namespaces[0].type: unknown namespace \"net\""},
		{NULL,
		 "\"linux\": {\"namespaces\": [{\"type\": \"network\"}, {\"type\": \"network\", "
		 "\"path\": \"/x\"}]}",
		 "linux.namespaces[1].type: \"network\" given twice"},
		{NULL,
		 "\"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"user\", "
		 "\"path\": \"/x\"}]}",
		 "linux.namespaces: a new PID namespace in a joined user namespace is not "
		 "supported"},
		{NULL,
		 "\"linux\": {\"namespaces\": [{\"type\": \"user\"}], \"uidMappings\": "
		 "[{\"containerID\": 0, \"hostID\": 1000, \"size\": \"1\"}]}",
		 "linux.uidMappings[0].size: expected an integer"},
		{NULL,
		 "\"linux\": {\"namespaces\": [{\"type\": \"user\"}], \"uidMappings\": "
		 "[{\"containerID\": 0, \"hostID\": 1000, \"size\": 10}, {\"containerID\": 5, "
		 "\"hostID\": 5000, \"size\": 1}]}",
		 "linux.uidMappings[1] \"5:5000:1\" overlaps \"0:1000:10\""},
		{NULL, "\"linux\": {\"resources\": {\"memory\": {\"limit\": 1000}}}",
		 "invalid linux.resources.memory.limit 1000: at least 4m (4194304 bytes)"},
		{NULL, "\"linux\": {\"resources\": {\"pids\": {\"limit\": 1}}}",
		 "invalid linux.resources.pids.limit 1: a number from 2 to 4194304"},
		{NULL, "\"linux\": {\"cgroupsPath\": \"machine.slice:libpod:abc\"}",
		 "linux.cgroupsPath: \"machine.slice:libpod:abc\": the systemd form "
		 "slice:prefix:name needs --systemd-cgroup"},
		{NULL, "\"linux\": {\"cgroupsPath\": \"/a/../../b\"}",
		 "linux.cgroupsPath: \"/a/../../b\": an empty, . or .. component"},
		{NULL, "\"linux\": {\"cgroupsPath\": \"a//b\"}",
		 "linux.cgroupsPath: \"a//b\": an empty, . or .. component"},
		{NULL, "\"linux\": {\"cgroupsPath\": \"/a/\"}",
		 "linux.cgroupsPath: \"/a/\": an empty, . or .. component"},
		{NULL, "\"linux\": {\"cgroupsPath\": \"/\"}",
		 "linux.cgroupsPath: \"/\": the root cgroup itself"},
		{NULL, "\"linux\": {\"cgroupsPath\": 5}", "linux.cgroupsPath: expected a string"},
		{NULL, "\"linux\": {\"resources\": {\"devices\": [{\"access\": \"rwm\"}]}}",
		 "linux.resources.devices[0].allow: missing"},
		{NULL,
		 "\"linux\": {\"resources\": {\"devices\": [{\"allow\": true, \"type\": \"x\"}]}}",
		 "linux.resources.devices[0].type: a, b or c, not \"x\""},
		{NULL,
		 "\"linux\": {\"resources\": {\"devices\": [{\"allow\": true, \"access\": "
		 "\"rwx\"}]}}",
		 "linux.resources.devices[0].access: some of \"rwm\", not \"rwx\""},
		{NULL, "\"linux\": {\"devices\": [{\"path\": \"/dev/x\", \"type\": \"c\"}]}",
		 "linux.devices[0]: major and minor are required for a \"c\" device"},
		{NULL, "\"linux\": {\"devices\": [{\"path\": \"dev/x\", \"type\": \"p\"}]}",
		 "linux.devices[0].path: missing, or not an absolute file path"},
		{NULL,
		 "\"linux\": {\"devices\": [{\"path\": \"/dev/x\", \"type\": \"c\", \"major\": "
		 "1, \"minor\": 3, \"fileMode\": -1}]}",
		 "linux.devices[0].fileMode: -1 is out of range"},
		{NULL, "\"linux\": {\"resources\": {\"cpu\": {\"cpus\": \"0-1;rm\"}}}",
		 "invalid linux.resources.cpu.cpus \"0-1;rm\": a list of CPUs such as 0-3,5"},
		{NULL,
		 "\"linux\": {\"resources\": {\"blockIO\": {\"throttleWriteIOPSDevice\": "
		 "[{\"major\": 8, \"rate\": 10}]}}}",
		 "linux.resources.blockIO.throttleWriteIOPSDevice[0]: major, minor and rate are "
		 "required"},
		{NULL,
		 "\"linux\": {\"resources\": {\"blockIO\": {\"throttleReadBpsDevice\": "
		 "[{\"major\": 8, \"minor\": 0, \"rate\": -1}]}}}",
		 "linux.resources.blockIO.throttleReadBpsDevice[0].rate: -1 is out of range"},
		{NULL, "\"linux\": {\"maskedPaths\": [\"proc/kcore\"]}",
		 "linux.maskedPaths[0]: not an absolute path"},
		{NULL, "\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_NOPE\"}}",
		 "linux.seccomp.defaultAction: "},
		{NULL, "\"hooks\": {\"poststart\": [{\"path\": \"sh\"}]}",
		 "hooks.poststart[0].path: missing, or not absolute"},
		{NULL, "\"hooks\": {\"prestart\": [{\"path\": \"/bin/sh\", \"timeout\": 0}]}",
		 "hooks.prestart[0].timeout: 0 is out of range (1 to 3600)"},
		{NULL, "\"hooks\": {\"startContainer\": [{\"path\": \"/bin/sh\", \"args\": [1]}]}",
		 "hooks.startContainer[0].args[0]: expected a string"},
	};
	struct nook_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret = cases[i].process ? parse_process(cases[i].process, &err)
					   : parse_with(cases[i].extra, &err);

		if (ret != -1)
			fail_msg("case %zu accepted, expected: %s", i, cases[i].msg);
		if (strncmp(err.msg, cases[i].msg, strlen(cases[i].msg)) != 0)
			fail_msg("case %zu: got \"%s\", expected \"%s\"", i, err.msg, cases[i].msg);
		assert_int_equal(err.code, NOOK_EXIT_FAILURE);
		assert_null(strchr(err.msg, '\n'));
	}
}

/** linux.namespaces[].path: joined, not made; the user namespace, the cgroup's, any. */
static void
joined_namespaces_are_read(void **state)
{
	struct nook_container c = {0};
	struct nook_oci o;
	struct nook_error err;
	char text[1024];

	(void)state;
	snprintf(text, sizeof(text),
		 "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"}, \"process\": "
		 "{\"args\": [\"sh\"], \"cwd\": \"/\"}, \"linux\": {\"namespaces\": ["
		 "{\"type\": \"mount\"}, {\"type\": \"uts\"}, "
		 "{\"type\": \"network\", \"path\": \"/run/netns/a\"}, "
		 "{\"type\": \"pid\", \"path\": \"/proc/7/ns/pid\"}, "
		 "{\"type\": \"cgroup\", \"path\": \"/proc/7/ns/cgroup\"}, "
		 "{\"type\": \"user\", \"path\": \"/proc/7/ns/user\"}]}}");
	if (oci_config_parse(text, bundle, &c, &o, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(o.clone_flags, CLONE_NEWNS | CLONE_NEWUTS);
	assert_int_equal(o.join_flags,
			 CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWCGROUP | CLONE_NEWUSER);
	assert_int_equal(o.njoin, 4);
	assert_int_equal(o.join[0].type, CLONE_NEWNET);
	assert_string_equal(o.join[0].path, "/run/netns/a");
	assert_int_equal(o.join[3].type, CLONE_NEWUSER);
	assert_string_equal(o.join[3].path, "/proc/7/ns/user");
	assert_false(c.userns); /* none made: step 05 writes no maps */
	assert_true(c.cgroup.joined_ns);
	oci_config_free(&o);
}

/** linux.cgroupsPath: absolute from each hierarchy's root, relative below nook's own. */
static void
cgroups_path_is_read(void **state)
{
	static const char *const cases[][2] = {
		{"/libpod_parent/libpod-1", "libpod_parent/libpod-1"},
		{"c1", "nook/c1"},
		{"pod/c1", "nook/pod/c1"},
		{"", NULL},
	};
	struct nook_container c;
	struct nook_oci o;
	struct nook_error err;
	char text[512];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = (struct nook_container){0};
		snprintf(text, sizeof(text),
			 "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"}, "
			 "\"process\": {\"args\": [\"sh\"], \"cwd\": \"/\"}, "
			 "\"linux\": {\"cgroupsPath\": \"%s\"}}",
			 cases[i][0]);
		if (oci_config_parse(text, bundle, &c, &o, &err) < 0)
			fail_msg("%s: %s", cases[i][0], err.msg);
		if (cases[i][1])
			assert_string_equal(c.cgroup.path, cases[i][1]);
		else
			assert_null(c.cgroup.path);
		oci_config_free(&o);
	}
}

/**
 * linux.resources.devices as given, then the default devices and linux.devices allowed
 * (as runc), the last matching rule deciding; linux.devices' nodes kept to be made.
 */
static void
device_rules_and_nodes_are_read(void **state)
{
	struct nook_container c = {0};
	struct nook_oci o;
	struct nook_error err;
	const struct nook_device_rule *r;
	int n;

	(void)state;
	if (oci_config_parse(
		    "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"}, \"process\": "
		    "{\"args\": [\"sh\"], \"cwd\": \"/\"}, \"linux\": {\"resources\": "
		    "{\"devices\": "
		    "[{\"allow\": false, \"access\": \"rwm\"}, {\"allow\": true, \"type\": \"c\", "
		    "\"major\": 10, \"minor\": 200, \"access\": \"rw\"}, {\"allow\": false, "
		    "\"type\": "
		    "\"c\", \"major\": 1, \"minor\": 3, \"access\": \"w\"}]}, \"devices\": "
		    "[{\"path\": \"/dev/fuse\", \"type\": \"c\", \"major\": 10, \"minor\": 229, "
		    "\"fileMode\": 438, \"uid\": 5}, {\"path\": \"/run/p\", \"type\": \"p\"}]}}",
		    bundle, &c, &o, &err) < 0)
		fail_msg("%s", err.msg);
	r = devices_rules(&c.cgroup, &n);
	assert_int_equal(n, 3 + devices_ndefault - 1); /* given rules decide alone */
	assert_true(devices_allowed(r, n, 'c', 10, 200, "rw"));
	assert_false(devices_allowed(r, n, 'c', 10, 229, "r")); /* podman --device X:r: as runc */
	assert_true(devices_allowed(r, n, 'c', 1, 3, "rw"));	/* the defaults come after */
	assert_false(devices_allowed(r, n, 'b', 8, 0, "r"));
	assert_false(devices_allowed(r, n, 'c', 1, 1, "r")); /* /dev/mem */
	assert_int_equal(o.ndevices, 2);
	assert_string_equal(o.device[0].path, "/dev/fuse");
	assert_int_equal(o.device[0].mode, 0666);
	assert_int_equal(o.device[0].uid, 5);
	assert_int_equal(o.device[1].type, 'p');
	oci_config_free(&o);
	c = (struct nook_container){0}; /* neither given: the step programs' defaults */
	if (oci_config_parse("{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"}, "
			     "\"process\": {\"args\": [\"sh\"], \"cwd\": \"/\"}, \"linux\": {}}",
			     bundle, &c, &o, &err) < 0)
		fail_msg("%s", err.msg);
	assert_null(c.cgroup.devices);
	oci_config_free(&o);
}

static void
missing_members_are_named(void **state)
{
	struct nook_container c = {0};
	struct nook_oci o;
	struct nook_error err;

	(void)state;
	assert_int_equal(oci_config_parse("{\"ociVersion\": \"1.0.0\"}", bundle, &c, &o, &err), -1);
	assert_string_equal(err.msg, "root: missing");
	oci_config_free(&o);
	assert_int_equal(oci_config_parse("[1]", bundle, &c, &o, &err), -1);
	assert_string_equal(err.msg, "(top): expected an object");
	oci_config_free(&o);
	assert_int_equal(oci_config_parse("{", bundle, &c, &o, &err), -1);
	assert_non_null(strstr(err.msg, "not JSON"));
	oci_config_free(&o);
	assert_int_equal(parse_process("\"x\": 1", &err), 0);
	assert_int_equal(oci_config_parse("{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": "
					  "\"nothere\"}}",
					  bundle, &c, &o, &err),
			 -1);
	assert_non_null(strstr(err.msg, "root.path"));
	oci_config_free(&o);
}

/** linux.resources.blockIO's throttles become the same limits as --device-write-bps. */
static void
block_io_throttles_are_read(void **state)
{
	struct nook_container c = {0};
	struct nook_error err = {0};
	struct nook_oci o;
	const char *text =
		"{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"}, \"process\": "
		"{\"args\": [\"sh\"], \"cwd\": \"/\"}, \"linux\": {\"resources\": {\"blockIO\": "
		"{\"weight\": 500, \"throttleWriteBpsDevice\": [{\"major\": 7, \"minor\": 3, "
		"\"rate\": 1048576}], \"throttleReadIOPSDevice\": [{\"major\": 7, \"minor\": 3, "
		"\"rate\": 100}, {\"major\": 8, \"minor\": 0, \"rate\": 0}]}}}}";

	(void)state;
	if (oci_config_parse(text, bundle, &c, &o, &err) < 0)
		fail_msg("%s", err.msg);
	oci_config_free(&o);
	assert_int_equal(c.cgroup.nio, 1); /* rate 0: no limit, no entry */
	assert_int_equal(c.cgroup.io[0].major, 7);
	assert_int_equal(c.cgroup.io[0].minor, 3);
	assert_int_equal(c.cgroup.io[0].max[IO_WRITE_BPS], 1048576);
	assert_int_equal(c.cgroup.io[0].max[IO_READ_IOPS], 100);
	assert_int_equal(c.cgroup.io[0].max[IO_READ_BPS], 0);
	assert_int_equal(parse_with("\"linux\": {\"resources\": {\"blockIO\": "
				    "{\"throttleReadBpsDevice\": [{\"major\": 8, \"minor\": -1, "
				    "\"rate\": 1}]}}}",
				    &err),
			 -1);
	assert_non_null(strstr(err.msg, "linux.resources.blockIO.throttleReadBpsDevice[0]"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_runc_spec),
		cmocka_unit_test(reads_runc_spec_rootless),
		cmocka_unit_test(reads_podman_config),
		cmocka_unit_test(minimal_config_is_read),
		cmocka_unit_test(broken_configs_name_their_path),
		cmocka_unit_test(joined_namespaces_are_read),
		cmocka_unit_test(cgroups_path_is_read),
		cmocka_unit_test(device_rules_and_nodes_are_read),
		cmocka_unit_test(missing_members_are_named),
		cmocka_unit_test(block_io_throttles_are_read),
	};

	return cmocka_run_group_tests(tests, make_bundle, remove_bundle);
}

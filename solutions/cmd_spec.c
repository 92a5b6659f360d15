/**
 * @file cmd_spec.c
 * @brief `nook spec [--rootless] [--bundle B]`: write a config.json to start a bundle from,
 *        runc's own default (a shell with a terminal, in rootfs/), or its rootless form.
 *
 * The rootless form is what an ordinary user can run: a user namespace mapping the
 * container's root to the caller alone, no network namespace of its own (a veth needs
 * privilege on the host), the host's /sys bound in (a new sysfs needs a network namespace
 * of one's own), no devpts gid=5 (that group is not mapped), and no resource limits
 * (cgroups are the host's to delegate).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "oci.h"

/** runc spec's output (runc 1.1.5), hostname "nook". */
static const char template[] =
	"{\"ociVersion\":\"1.0.2\",\"process\":{\"terminal\":true,\"user\":{\"uid\":0,\"gid\":0},"
	"\"args\":[\"s"
	"h\"],\"env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"TERM"
	"=xterm\"],\"cwd\":\"/"
	"\",\"capabilities\":{\"bounding\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET"
	"_BIND_SERVICE\"],\"effective\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"]"
	",\"p"
	"ermitted\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],\"ambient\":[\"CAP_"
	"AUDI"
	"T_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"]},\"rlimits\":[{\"type\":\"RLIMIT_"
	"NOFILE\",\"har"
	"d\":1024,\"soft\":1024}],\"noNewPrivileges\":true},\"root\":{\"path\":\"rootfs\","
	"\"readonly\":tru"
	"e},\"hostname\":\"nook\",\"mounts\":[{\"destination\":\"/"
	"proc\",\"type\":\"proc\",\"source\":\"proc\"}"
	",{\"destination\":\"/"
	"dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"nosuid\",\"strictat"
	"ime\",\"mode=755\",\"size=65536k\"]},{\"destination\":\"/dev/"
	"pts\",\"type\":\"devpts\",\"source\":\""
	"devpts\",\"options\":[\"nosuid\",\"noexec\",\"newinstance\",\"ptmxmode=0666\",\"mode="
	"0620\",\"gid="
	"5\"]},{\"destination\":\"/dev/"
	"shm\",\"type\":\"tmpfs\",\"source\":\"shm\",\"options\":[\"nosuid\",\"no"
	"exec\",\"nodev\",\"mode=1777\",\"size=65536k\"]},{\"destination\":\"/dev/"
	"mqueue\",\"type\":\"mqueu"
	"e\",\"source\":\"mqueue\",\"options\":[\"nosuid\",\"noexec\",\"nodev\"]},{\"destination\":"
	"\"/sys\",\"t"
	"ype\":\"sysfs\",\"source\":\"sysfs\",\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]}"
	",{\"destinat"
	"ion\":\"/sys/fs/"
	"cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\",\"options\":[\"nosuid\",\"noexec\""
	",\"nodev\",\"relatime\",\"ro\"]}],\"linux\":{\"resources\":{\"devices\":[{\"allow\":false,"
	"\"access\""
	":\"rwm\"}]},\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},{\"type\":\"ipc\"},{"
	"\"type\":\"ut"
	"s\"},{\"type\":\"mount\"}],\"maskedPaths\":[\"/proc/acpi\",\"/proc/asound\",\"/proc/"
	"kcore\",\"/pro"
	"c/keys\",\"/proc/latency_stats\",\"/proc/timer_list\",\"/proc/timer_stats\",\"/proc/"
	"sched_de"
	"bug\",\"/sys/firmware\",\"/proc/scsi\"],\"readonlyPaths\":[\"/proc/bus\",\"/proc/fs\",\"/"
	"proc/ir"
	"q\",\"/proc/sys\",\"/proc/sysrq-trigger\"]}}";

/** runc's default config.json (a json_t, the caller's), for cmd_run_image.c too. */
void *
oci_spec_template(void)
{
	return json_loads(template, 0, NULL);
}

/** Find the element of array @p a whose member @p key is @p value. */
static json_t *
find(json_t *a, const char *key, const char *value, size_t *at)
{
	json_t *v;
	size_t i;

	json_array_foreach(a, i, v)
	{
		const char *s = json_string_value(json_object_get(v, key));

		if (s && strcmp(s, value) == 0) {
			*at = i;
			return v;
		}
	}
	return NULL;
}

/**
 * Turn runc's default @p spec (a json_t) into its rootless form: the changes listed at the
 * top. `nook run IMAGE` run by an ordinary user makes its bundle with it too.
 */
void
oci_spec_rootless(void *spec)
{
	json_t *linux_ = json_object_get(spec, "linux"), *mounts = json_object_get(spec, "mounts");
	json_t *ns = json_object_get(linux_, "namespaces"), *m, *opts;
	size_t at;

	if (find(ns, "type", "network", &at))
		json_array_remove(ns, at);
	json_array_append_new(ns, json_pack("{s:s}", "type", "user"));
	json_object_set_new(linux_, "uidMappings",
			    json_pack("[{s:i, s:i, s:i}]", "containerID", 0, "hostID",
				      (int)geteuid(), "size", 1));
	json_object_set_new(linux_, "gidMappings",
			    json_pack("[{s:i, s:i, s:i}]", "containerID", 0, "hostID",
				      (int)getegid(), "size", 1));
	json_object_del(linux_, "resources");
	if ((m = find(mounts, "destination", "/sys", &at)))
		json_array_set_new(mounts, at,
				   json_pack("{s:s, s:s, s:s, s:[s, s, s, s, s]}", "destination",
					     "/sys", "type", "none", "source", "/sys", "options",
					     "rbind", "nosuid", "noexec", "nodev", "ro"));
	if ((m = find(mounts, "destination", "/dev/pts", &at)) &&
	    (opts = json_object_get(m, "options")) && find(opts, "", "", &at) == NULL) {
		for (size_t i = 0; i < json_array_size(opts); i++)
			if (strcmp(json_string_value(json_array_get(opts, i)) ?: "", "gid=5") == 0)
				json_array_remove(opts, i--);
	}
}

/** spec's options, parsed and documented. */
static const struct nook_cmd_option spec_options[] = {
	{"rootless", 'r', NULL,
	 "a config an ordinary user can run (a user namespace, no network namespace)"},
	{"bundle", 'b', "DIR", "write DIR/config.json (default: ./config.json)"},
	{NULL, 0, NULL, NULL},
};

int
cmd_spec(int argc, char *argv[])
{
	const char *bundle = ".";
	char path[4096];
	struct nook_error err;
	bool rootless = false;
	json_t *spec;
	int ch, ret;

	while ((ch = command_getopt(&spec_command, argc, argv)) != -1)
		if (ch == 'r')
			rootless = true;
		else if (ch == 'b')
			bundle = optarg;
		else
			return nook_fail(&err, 0, "spec: unknown option '%s'", argv[optind - 1]),
			       nook_say(&err);
	snprintf(path, sizeof(path), "%s/config.json", bundle);
	if (access(path, F_OK) == 0)
		return nook_fail(&err, 0, "%s exists: remove it first", path), nook_say(&err);
	spec = oci_spec_template();
	if (!spec)
		return nook_fail(&err, 0, "spec: the built-in template is broken"), nook_say(&err);
	if (rootless)
		oci_spec_rootless(spec);
	ret = json_dump_file(spec, path, JSON_INDENT(8));
	json_decref(spec);
	if (ret < 0)
		return nook_fail(&err, errno, "write(\"%s\")", path), nook_say(&err);
	return 0;
}

const struct nook_command spec_command = {
	.name = "spec",
	.usage = "[--rootless] [--bundle DIR]",
	.summary = "write a config.json to start a bundle from",
	.about = "runc's own default: sh with a terminal, in rootfs/. The rootless form maps the "
		 "container's root to the caller alone, has no network namespace, binds the host's "
		 "/sys, and sets no resource limit. An existing config.json is not overwritten.",
	.shorts = "+b:",
	.options = spec_options,
	.see = "nook-run(1), nook-create(1)",
	.run = cmd_spec,
};

/**
 * @file cmd_features.c
 * @brief `nook features`: what this runtime supports, as the runtime spec's features.md
 *        describes it, for an engine to ask before it writes a config.
 */
#define _GNU_SOURCE
#include <stdio.h>

#include "oci.h"

int
cmd_features(int argc, char *argv[])
{
	(void)argc;
	(void)argv;
	printf("{\n"
	       "  \"ociVersionMin\": \"1.0.0\",\n"
	       "  \"ociVersionMax\": \"" OCI_VERSION "\",\n"
	       "  \"hooks\": [\"prestart\", \"createRuntime\", \"createContainer\", "
	       "\"startContainer\", \"poststart\", \"poststop\"],\n"
	       "  \"mountOptions\": [\"async\", \"atime\", \"bind\", \"dev\", \"diratime\", "
	       "\"dirsync\", \"exec\", \"mand\", \"noatime\", \"nodev\", \"nodiratime\", "
	       "\"noexec\", \"nomand\", \"norelatime\", \"nostrictatime\", \"nosuid\", "
	       "\"private\", \"rbind\", \"relatime\", \"remount\", \"ro\", \"rprivate\", "
	       "\"rshared\", \"rslave\", \"runbindable\", \"rw\", \"shared\", \"slave\", "
	       "\"strictatime\", \"suid\", \"sync\", \"unbindable\"],\n"
	       "  \"linux\": {\n"
	       "    \"namespaces\": [\"cgroup\", \"ipc\", \"mount\", \"network\", \"pid\", "
	       "\"user\", \"uts\"],\n"
	       "    \"cgroup\": {\"v1\": true, \"v2\": true, \"systemd\": false, "
	       "\"systemdUser\": false},\n"
	       "    \"seccomp\": {\"enabled\": true},\n"
	       "    \"apparmor\": {\"enabled\": false},\n"
	       "    \"selinux\": {\"enabled\": false}\n"
	       "  },\n"
	       "  \"annotations\": {\"org.nook.version\": \"0.10\"}\n"
	       "}\n");
	return 0;
}

const struct nook_command features_command = {
	.name = "features",
	.usage = "",
	.summary = "print what this runtime supports, as JSON",
	.about =
		"The runtime spec's features document: the OCI versions, hooks, mount options, "
		"namespaces, capabilities, cgroup and seccomp support, for an engine to ask before "
		"it writes a config.",
	.see = "nook-spec(1)",
	.run = cmd_features,
};

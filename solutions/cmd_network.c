/**
 * @file cmd_network.c
 * @brief `nook network create|ls|inspect|rm`: the networks step 12's containers join.
 *
 *     nook network create NAME [--subnet CIDR] [--internal]
 *     nook network ls
 *     nook network inspect NAME
 *     nook network rm NAME
 *
 * A network is only written down here (network.c): its bridge and rules exist while a
 * container is on it. Without --subnet, the first free 10.214.N.0/24 is taken; a subnet
 * that overlaps another network or a route of the host is refused. `rm` refuses the
 * default network and one a container holds an address on.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "network.h"
#include "oci.h"

/** Print @p err as nook's one line, exit 125 (a bad word of the command line). */
static int
refuse(const char *msg)
{
	struct nook_error err;

	nook_fail(&err, 0, "network: %s", msg);
	return nook_say(&err);
}

/** `create NAME [--subnet CIDR] [--internal]` */
static int create(int argc, char *argv[]);

/** create's options, parsed and documented. */
static const struct nook_cmd_option create_options[] = {
	{"subnet", 's', "CIDR", "its addresses (default: the first free 10.214.N.0/24)"},
	{"internal", 'i', NULL, "no NAT: its containers reach each other, not the outside"},
	{NULL, 0, NULL, NULL},
};

static const struct nook_command create_form = {
	.name = "network create",
	.usage = "NAME [--subnet CIDR] [--internal]",
	.summary = "write a network down; its bridge and rules exist while a container is on it",
	.about = "A subnet that overlaps another network or a route of the host is refused.",
	.shorts = "", /* NAME anywhere */
	.options = create_options,
	.run = create,
};

static int
create(int argc, char *argv[])
{
	const char *subnet = NULL;
	struct nook_network n;
	struct nook_error err;
	bool internal = false;
	int ch;

	optind = 0; /* 0: glibc starts afresh, forgetting the global options' "+" */
	opterr = 0;
	while ((ch = command_getopt(&create_form, argc, argv)) != -1)
		if (ch == 's')
			subnet = optarg;
		else if (ch == 'i')
			internal = true;
		else
			return refuse("create: expected NAME [--subnet CIDR] [--internal]");
	if (optind != argc - 1)
		return refuse("create: expected NAME [--subnet CIDR] [--internal]");
	if (geteuid() != 0)
		return refuse("create: networks are the host's: run as root");
	if (network_create(argv[optind], subnet, internal, &n, &err) < 0)
		return nook_say(&err);
	printf("%s\n", n.name);
	return 0;
}

/** "A.B.C.D" of @p a, as a JSON string. */
static json_t *
address(struct in_addr a)
{
	char text[INET_ADDRSTRLEN];

	return json_string(inet_ntop(AF_INET, &a, text, sizeof(text)));
}

/** One network as JSON, with the containers holding an address on it: `inspect`. */
static int
print_json(const struct nook_network *n)
{
	struct ipam_entry *e;
	char cidr[32];
	struct nook_error err;
	struct ipam p;
	json_t *o, *members = json_array();
	int count;

	if (ipam_open(&p, n->name, &err) < 0)
		return nook_say(&err);
	e = ipam_list(&p, &count);
	ipam_close(&p);
	for (int i = 0; i < count; i++)
		json_array_append_new(members, json_pack("{s:s, s:o}", "id", e[i].id, "address",
							 address(e[i].addr)));
	free(e);
	snprintf(cidr, sizeof(cidr), "%s/%u", inet_ntoa(n->subnet), n->prefix);
	o = json_pack("{s:s, s:s, s:s, s:o, s:b, s:o}", "name", n->name, "bridge", n->bridge,
		      "subnet", cidr, "gateway", address(n->gateway), "internal", n->internal,
		      "containers", members);
	if (!o)
		return nook_fail(&err, ENOMEM, "inspect"), nook_say(&err);
	json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
	printf("\n");
	json_decref(o);
	return 0;
}

/** `ls`: a table of every network. */
static int
list(void)
{
	char names[256][NOOK_NETNAME_MAX + 1], cidr[32];
	struct nook_network n;
	struct nook_error err;
	int count = network_names(names, 256, &err);

	printf("%-32s %-16s %-18s %s\n", "NAME", "BRIDGE", "SUBNET", "INTERNAL");
	for (int i = 0; i < count; i++) {
		if (network_lookup(names[i], &n, &err) < 0) {
			nook_say(&err);
			continue;
		}
		snprintf(cidr, sizeof(cidr), "%s/%u", inet_ntoa(n.subnet), n.prefix);
		printf("%-32s %-16s %-18s %s\n", n.name, n.bridge, cidr, n.internal ? "yes" : "no");
	}
	return 0;
}

int
cmd_network(int argc, char *argv[])
{
	struct nook_network n;
	struct nook_error err;
	const char *verb = argc > 1 ? argv[1] : "";

	if (strcmp(verb, "create") == 0)
		return command_run(&create_form, argc - 1, argv + 1);
	if (strcmp(verb, "ls") == 0 && argc == 2)
		return list();
	if (strcmp(verb, "inspect") == 0 && argc == 3) {
		if (network_lookup(argv[2], &n, &err) < 0)
			return nook_say(&err);
		return print_json(&n);
	}
	if (strcmp(verb, "rm") == 0 && argc == 3)
		return network_remove(argv[2], &err) < 0 ? nook_say(&err) : 0;
	return refuse("expected create NAME [--subnet CIDR] [--internal], ls, inspect NAME or "
		      "rm NAME");
}

static const struct nook_command *const network_forms[] = {&create_form, NULL};

const struct nook_command network_command = {
	.name = "network",
	.usage = "ls | inspect NAME | rm NAME",
	.summary = "create, ls, inspect or rm a network (step 12's bridges)",
	.about = "The networks step 12's containers join: ls lists them, inspect prints one as "
		 "JSON with the containers holding an address on it, rm forgets one (not the "
		 "default "
		 "network, nor one a container holds an address on).",
	.forms = network_forms,
	.see = "nook-12-network(1), nft(8), bridge(8)",
	.run = cmd_network,
};

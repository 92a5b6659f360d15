/**
 * @file nook.c
 * @brief Step 10 — `nook`, an OCI runtime: runc's command line over the stages of steps
 *        01–09. This file holds the global options and hands over to one file per command.
 *
 * Engines do not run containers themselves. podman starts conmon, which calls
 * `RUNTIME create --bundle DIR --pid-file F ID`, then `RUNTIME start ID`, and later
 * `state`, `kill` and `delete`; containerd's shim does the same. Whatever the runtime —
 * runc, crun, nook — the command line is runc's, so one engine can drive any of them:
 *
 *     nook [--root DIR] [--log FILE] [--log-format text|json] [--debug] COMMAND ...
 *
 * --root is where the state directories go (default: /run/nook for root, as the step
 * programs'; the two never mix up, because a step program's sweep only removes state
 * directories with a lock file, and an OCI container's has none once `create` returns).
 * --log is a file the engine reads when a command fails: each error goes there too, as
 * one line of text or JSON ({"level":"error","msg":...,"time":...}); with --debug, each
 * command line first, as a "debug" line.
 *
 * Try: `mkdir b && cd b && nook spec && mkdir rootfs && cp -a ../build/images/busybox/.
 * rootfs && nook run demo`.
 *
 * Step 11 adds what turns an image into a bundle (image.h): `pull`, `image import`,
 * `images`, `rmi`, `image inspect`, `image prune`, and the image form of `run`
 * (cmd_run_image.c), with --store DIR naming the image store.
 *
 * Those image commands are a second program, nook-image (IMAGE_TOOL_SRCS in the Makefile):
 * they need libcurl, libarchive and libcrypto, and a runtime that loads 49 shared libraries
 * at every `nook run`, `create` or `state` pays for them in start latency (the dynamic
 * linker maps and relocates each; tests/bench/profile.md). nook declares their entry points
 * weak: built without them, it finds the address NULL and execs nook-image with the same
 * command line (image_tool()). nook-image is nook with the image commands linked in.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctr.h"
#include "oci.h"
#include "run.h"

/*
 * The image side (libcurl, libarchive, libcrypto...) lives in nook-image: in nook these are
 * NULL, and image_tool() runs them there. A new image command's description (struct
 * nook_command, command.c) is declared weak here too, and its files go into IMAGE_TOOL_SRCS.
 */
#pragma weak pull_command
#pragma weak image_command
#pragma weak images_command
#pragma weak rmi_command
#pragma weak commit_command
#pragma weak cp_command

struct nook_cli nook_cli;

/** The version nook reports: its own and the runtime spec's. */
#define NOOK_VERSION "0.10"

/** Every stage the runtime may use, for the sweep hooks of `delete`. */
const struct nook_stage *const oci_all_stages[] = {
	&user_stage,   &uts_stage,  &pid_stage,	    &oci_stage, &net_stage,
	&cgroup_stage, &caps_stage, &seccomp_stage, NULL,
};

//! [oci_stages]
/**
 * Step 01's stage for the hostname alone. In the runtime config.json says which namespaces
 * there are (the oci stage asks for each), and the UTS stage must not bring along an IPC
 * namespace of its own, as it does in the step programs: `podman --ipc host` shares the
 * host's. Filled in by oci_stages().
 */
static struct nook_stage hostname_stage;

/**
 * The stages of container @p c, read from @p o, into @p list (room for 9): a namespace's
 * stage only when config.json asks for the namespace (the oci stage adds the rest of the
 * flags).
 */
void
oci_stages(const struct nook_container *c, const struct nook_oci *o, const struct nook_stage **list)
{
	int n = 0;

	/* a joined user namespace: the oci stage makes the others in it, and runs uts and
	 * net's child() there itself (oci_root.c, unshare_owned()) */
	bool late = o->join_flags & CLONE_NEWUSER;

	list[n++] = &user_stage; /* first: it owns the others; nothing without linux "user" */
	/* a hostname only when config.json gives one: without, the new UTS namespace keeps
	 * the host's name, as under runc (the oci stage adds the namespace itself) */
	if ((o->clone_flags & CLONE_NEWUTS) && c->hostname && !late) {
		hostname_stage = uts_stage;
		hostname_stage.clone_flags = 0;
		list[n++] = &hostname_stage;
	}
	if (o->clone_flags & CLONE_NEWPID)
		list[n++] = &pid_stage;
	else if (o->join_flags & CLONE_NEWPID)
		list[n++] = &oci_joined_pid_stage;
	/* the cgroup namespace before mounts[]: a "cgroup" mount (podman's, containerd's) made
	 * inside it shows the container's own cgroup as its root, not the host's tree */
	list[n++] = &cgroup_stage;
	list[n++] = &oci_stage; /* the root and mounts[], before the network is set up */
	if ((o->clone_flags & CLONE_NEWNET) && !late)
		list[n++] = &net_stage;
	list[n++] = &caps_stage;
	list[n++] = &seccomp_stage; /* last: it binds what runs after it */
	list[n] = NULL;
}
//! [oci_stages]

/** One line of --log: "TIME LEVEL: MSG", or a JSON object ({"level", "msg", "time"}). */
static void
log_line(const char *level, const char *msg)
{
	char now[48];
	json_t *line;
	char *text;

	oci_now(now, sizeof(now));
	if (!nook_cli.log_json) {
		fprintf(nook_cli.log, "%s %s: %s\n", now, level, msg);
	} else if ((line = json_pack("{s:s, s:s, s:s}", "level", level, "msg", msg, "time", now))) {
		if ((text = json_dumps(line, JSON_COMPACT))) {
			fprintf(nook_cli.log, "%s\n", text);
			free(text);
		}
		json_decref(line);
	}
	fflush(nook_cli.log);
}

/** Print @p err as "nook: ..." on stderr and into --log. Returns its exit code. */
int
nook_say(const struct nook_error *err)
{
	nook_print_error(stderr, "nook", err);
	if (nook_cli.log)
		log_line("error", err->msg);
	return err->code;
}

/**
 * --debug: the command line an engine ran, as a "debug" line of --log before the command
 * runs — so that the log says what each error that follows it answers.
 */
static void
log_command(int argc, char *argv[])
{
	char msg[4096];
	size_t n = 0;

	if (!nook_cli.debug || !nook_cli.log)
		return;
	n += (size_t)snprintf(msg, sizeof(msg), "nook");
	for (int i = 0; i < argc && n < sizeof(msg); i++)
		n += (size_t)snprintf(msg + n, sizeof(msg) - n, " %s", argv[i]);
	log_line("debug", msg);
}

/**
 * The commands, in the order --help lists them. Each is described in its own cmd_*.c by a
 * struct nook_command (command.c): its options, its --help and its man page nook-NAME(1);
 * NULL here for the image commands, which are nook-image's (image_tool()).
 */
static const struct {
	const char *name;
	const struct nook_command *cmd;
	const char *help; /**< the line of `nook --help` and nook(1) */
} commands[] = {
	{"create", &create_command, "create a container from a bundle; it waits for start"},
	{"start", &start_command, "run the created container's command"},
	{"run", &run_command,
	 "create, start and wait for a container (or --detach); or run IMAGE [CMD]"},
	{"exec", &exec_command, "run another process in a running container"},
	{"pause", &pause_command, "freeze every process of a container (cgroup freezer)"},
	{"resume", &resume_command, "thaw a paused container"},
	{"ps", &ps_command,
	 "list the processes of a container; with no ID, the image containers (-a: all)"},
	{"update", &update_command,
	 "change a running container's limits (--resources FILE, - for stdin)"},
	{"state", &state_command, "print a container's OCI state"},
	{"kill", &kill_command, "send a signal (default SIGTERM) to a container"},
	{"delete", &delete_command, "remove a stopped container (--force: kill it first)"},
	{"list", &list_command, "list the containers"},
	{"spec", &spec_command, "write a config.json to start a bundle from"},
	{"features", &features_command, "print what this runtime supports, as JSON"},
	{"doctor", &doctor_command,
	 "check that this machine can run every step; say how to fix it"},
	{"network", &network_command, "create, ls, inspect or rm a network (step 12's bridges)"},
	{"pull", &pull_command, "fetch an image from a registry into the store (step 11)"},
	{"image", &image_command, "import, inspect, prune, ls or rm images of the store"},
	{"images", &images_command, "list the images of the store"},
	{"rmi", &rmi_command, "forget images (their layers stay until image prune)"},
	{"logs", &logs_command,
	 "print the output of an image container run with -d (-f: follow it)"},
	{"stop", &stop_command,
	 "stop an image container: its StopSignal, then SIGKILL after -t seconds"},
	{"rm", &rm_command, "remove image containers that have ended (-f: kill them first)"},
	{"inspect", &inspect_command, "print what is known of image containers, as JSON"},
	{"commit", &commit_command,
	 "a container's writable layer as a new image: CONTAINER [NAME]"},
	{"cp", &cp_command,
	 "copy files between a container and the host: SRC DEST, one CONTAINER:PATH"},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/** The global options, as --help and the man page list them (global_options() parses). */
static const struct nook_option global_doc[] = {
	{"root", "DIR", "where containers' state is kept (default /run/nook)", NULL},
	{"store", "DIR", "the image store (default /var/lib/nook, or $NOOK_STORE)", NULL},
	{"log", "FILE", "append errors to FILE too (as runc: for the engine to read)", NULL},
	{"log-format", "text|json", "the format of --log's lines", NULL},
	{"debug", NULL, "write each command line into the log too, before it runs", NULL},
	{"systemd-cgroup", NULL, "refused: nook makes its cgroups itself (cgroupfs)", NULL},
	{"version", NULL, "print the version and the OCI spec version", NULL},
	{"trace", "[=time]",
	 "print each kernel call that builds the container on stderr (=time: and each stage's "
	 "time)",
	 NULL},
	{NULL, NULL, NULL, NULL},
};

static void
usage(FILE *out)
{
	char left[64];

	fprintf(out, "Usage: nook [--root DIR] [--log FILE] [--log-format text|json] [--debug] "
		     "[--trace[=time]] COMMAND [OPTIONS] [ID]\n\nAn OCI runtime.\n\nCommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "\nGlobal options:\n");
	for (const struct nook_option *o = global_doc; o->name; o++) {
		snprintf(left, sizeof(left), "--%s%s%s", o->name,
			 nook_option_has_arg(o) == required_argument ? " " : "",
			 o->arg ? o->arg : "");
		fprintf(out, "  %-26s %s\n", left, o->help);
	}
	fprintf(out, "  %-26s %s\n", "-h, --help", "show this help and exit");
	fprintf(out, "\n'nook COMMAND --help' lists the options of COMMAND.\n");
}

/** nook(1), written from the same tables --help prints (see man.c). */
static void
man_page(FILE *out)
{
	fputs(".TH NOOK 1 \"\" \"nook\" \"User Commands\"\n.SH NAME\nnook \\- an OCI "
	      "container runtime, built step by step\n.SH SYNOPSIS\n.B nook\n[\\fIGLOBAL "
	      "OPTIONS\\fR] \\fICOMMAND\\fR [\\fIOPTIONS\\fR] [\\fIID\\fR]\n"
	      ".SH DESCRIPTION\nnook speaks the command line of the OCI runtime specification, "
	      "as runc and crun do, so that podman (through conmon) and containerd can run "
	      "their containers with it. A container is created from a bundle (a directory "
	      "with config.json and a root filesystem) and waits; start runs its command.\n"
	      ".SH COMMANDS\n",
	      out);
	for (size_t i = 0; i < NCOMMANDS; i++) {
		fputs(".TP\n\\fB", out);
		man_escape(out, commands[i].name, false);
		fputs("\\fR\n", out);
		man_escape(out, commands[i].help, true);
		fputs(": nook\\-", out);
		man_escape(out, commands[i].name, false);
		fputs("(1)\n", out);
	}
	fputs(".SH OPTIONS\n", out);
	man_options(out, global_doc);
	fputs(".TP\n\\fB\\-h\\fR, \\fB\\-\\-help\\fR\nshow this help and exit\n"
	      ".SH EXIT STATUS\n0 on success; 125 and one line on stderr when nook itself "
	      "fails; run passes the container's own status on.\n"
	      ".SH FILES\n.TP\n\\fInook-image\\fR\nthe image commands (pull, image, images, "
	      "rmi, commit, cp), which nook runs: found beside nook, or in ../libexec/nook/ next "
	      "to the "
	      "directory nook is in (make install puts it there)\n"
	      ".SH SEE ALSO\nnook\\-doctor(1), nook\\-run(1), runc(8), crun(1), podman(1), "
	      "nook\\-09\\-seccomp(1)\n",
	      out);
}

/** Parse the global options; returns the index of the command, or -1 after printing. */
static int
global_options(int argc, char *argv[], int *status)
{
	static const struct option opts[] = {
		{"root", required_argument, NULL, 'r'},
		{"store", required_argument, NULL, 'S'},
		{"log", required_argument, NULL, 'l'},
		{"log-format", required_argument, NULL, 'f'},
		{"debug", no_argument, NULL, 'd'},
		{"systemd-cgroup", no_argument, NULL, 's'},
		{"version", no_argument, NULL, 'v'},
		{"trace", optional_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct nook_error err;
	int ch;

	*status = NOOK_EXIT_FAILURE;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+vh", opts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			nook_cli.root = optarg;
			break;
		case 'S':
			nook_cli.store = optarg;
			break;
		case 'l':
			if (!(nook_cli.log = fopen(optarg, "ae"))) {
				nook_fail(&err, errno, "--log \"%s\"", optarg);
				return nook_say(&err), -1;
			}
			break;
		case 'f':
			if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0) {
				nook_fail(&err, 0, "--log-format: text or json, not \"%s\"",
					  optarg);
				return nook_say(&err), -1;
			}
			nook_cli.log_json = strcmp(optarg, "json") == 0;
			break;
		case 'd':
			nook_cli.debug = true;
			break;
		case 't':
			if (optarg && strcmp(optarg, "time") != 0) {
				nook_fail(&err, 0, "--trace=%s: only --trace or --trace=time",
					  optarg);
				return nook_say(&err), -1;
			}
			nook_cli.trace = optarg ? NOOK_TRACE_TIME : NOOK_TRACE_ON;
			break;
		case 's':
			nook_fail(&err, 0,
				  "--systemd-cgroup: not supported; nook makes its cgroups itself "
				  "(podman: --cgroup-manager cgroupfs)");
			return nook_say(&err), -1;
		case 'v':
			printf("nook version " NOOK_VERSION "\nspec: " OCI_VERSION "\n");
			*status = 0;
			return -1;
		case 'h':
			usage(stdout);
			*status = 0;
			return -1;
		default:
			nook_fail(&err, 0, "unknown global option '%s'", argv[optind - 1]);
			return nook_say(&err), -1;
		}
	}
	return optind;
}

/**
 * Run @p argv (nook's whole command line) in nook-image, the program with the image
 * commands: beside this one (the build tree), or in ../libexec/nook/ (`make install`).
 * Returns only on failure, having said why: 125.
 */
static int
image_tool(const char *command, char *argv[])
{
	char self[PATH_MAX], path[2][PATH_MAX + 32];
	struct nook_error err;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	const char *dir;

	if (n < 0)
		return nook_fail(&err, errno, "readlink /proc/self/exe"), nook_say(&err);
	self[n] = '\0';
	dir = dirname(self);
	snprintf(path[0], sizeof(path[0]), "%s/nook-image", dir);
	snprintf(path[1], sizeof(path[1]), "%s/../libexec/nook/nook-image", dir);
	for (int i = 0; i < 2; i++) {
		execv(path[i], argv);
		if (errno != ENOENT)
			return nook_fail(&err, errno, "%s: exec %s", command, path[i]),
			       nook_say(&err);
	}
	nook_fail(&err, 0,
		  "%s: the image commands are in nook-image, found neither in %s nor in %s",
		  command, dir, path[1]);
	return nook_say(&err);
}

/**
 * The hidden --help-man: without NAME, the name of every page (nook, nook-CMD ...), one a
 * line, for `make install`; with NAME, that page (an image command's from nook-image).
 * Returns the exit status.
 */
static int
help_man(int argc, char *argv[])
{
	struct nook_error err;

	if (argc == 2) {
		printf("nook\n");
		for (size_t i = 0; i < NCOMMANDS; i++)
			printf("nook-%s\n", commands[i].name);
		return 0;
	}
	if (strcmp(argv[2], "nook") == 0)
		return man_page(stdout), 0;
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strncmp(argv[2], "nook-", 5) != 0 || strcmp(argv[2] + 5, commands[i].name) != 0)
			continue;
		if (!commands[i].cmd)
			return image_tool(argv[2], argv);
		return command_man(stdout, commands[i].cmd), 0;
	}
	nook_fail(&err, 0, "--help-man: no page \"%s\"", argv[2]);
	return nook_say(&err);
}

int
main(int argc, char *argv[])
{
	struct nook_error err;
	int first, status;

	if ((argc == 2 || argc == 3) && strcmp(argv[1], "--help-man") == 0)
		return help_man(argc, argv);
	first = global_options(argc, argv, &status);
	if (first < 0)
		return status;
	if (first >= argc) {
		usage(stderr);
		return NOOK_EXIT_FAILURE;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[first], commands[i].name) == 0) {
			if (!commands[i].cmd) /* nook-image logs it, with the same options */
				return image_tool(argv[first], argv);
			log_command(argc - first, argv + first);
			return command_run(commands[i].cmd, argc - first, argv + first);
		}
	nook_fail(&err, 0, "unknown command \"%s\" (try 'nook --help')", argv[first]);
	return nook_say(&err);
}

/**
 * @file cmd_kill.c
 * @brief `nook kill [--all] ID [SIGNAL]`: a signal for the container's first process, or
 *        with --all for every process in its cgroup (rootless: in its PID namespace).
 *
 * SIGNAL is a name (TERM, SIGTERM, term) or a number; SIGTERM by default. docker's
 * `kill -s SIGNAL NAME` is taken too: an image container's name is its ID (ctr.h). The first
 * process is nook-init when the container has a PID namespace (step 02): signals from the
 * host reach a namespace's init only if it handles them, and nook-init passes them on to
 * the command.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "oci.h"

/** SIGNAL as a number: "9", "KILL", "SIGKILL", "sigkill"; -1 if it is none. */
int
oci_parse_signal(const char *arg)
{
	const char *name = strncasecmp(arg, "SIG", 3) == 0 ? arg + 3 : arg;
	char *end;
	long n;

	n = strtol(arg, &end, 10);
	if (end != arg && *end == '\0')
		return n > 0 && n < NSIG ? (int)n : -1;
	for (int sig = 1; sig < NSIG; sig++) {
		const char *abbrev = sigabbrev_np(sig);

		if (abbrev && strcasecmp(abbrev, name) == 0)
			return sig;
	}
	return -1;
}

/** Send signal *@p arg to @p pid: one process of the container, for --all. */
static void
signal_one(pid_t pid, void *arg)
{
	kill(pid, *(int *)arg);
}

/** kill's options, parsed and documented. */
static const struct nook_cmd_option kill_options[] = {
	{"all", 'a', NULL, "signal every process of the container's cgroup, not only its first"},
	{"signal", 's', "SIGNAL", "the signal, as docker's kill -s (instead of the operand)"},
	{NULL, 0, NULL, NULL},
};

int
cmd_kill(int argc, char *argv[])
{
	const char *signame = NULL;
	struct oci_state s;
	struct nook_error err;
	bool all = false;
	int ch, sig = SIGTERM, ret;

	while ((ch = command_getopt(&kill_command, argc, argv)) != -1)
		if (ch == 'a')
			all = true;
		else if (ch == 's')
			signame = optarg;
		else
			return nook_fail(&err, 0, "kill: unknown option '%s'", argv[optind - 1]),
			       nook_say(&err);
	if (optind >= argc || argc - optind > 2 || (signame && argc - optind == 2))
		return nook_fail(&err, 0, "kill: expected ID [SIGNAL], or -s SIGNAL ID"),
		       nook_say(&err);
	if (argc - optind == 2)
		signame = argv[optind + 1];
	if (signame && (sig = oci_parse_signal(signame)) < 0)
		return nook_fail(&err, 0, "kill: unknown signal \"%s\"", signame), nook_say(&err);
	if (oci_state_read(nook_cli.root, argv[optind], &s, &err) < 0)
		return nook_say(&err);
	if (!oci_alive(&s))
		ret = nook_fail(&err, 0, "container \"%s\" is not running", s.id);
	else if (all) /* its cgroup's processes, or (rootless) its PID namespace's */
		ret = oci_each_process(&s, signal_one, &sig, &err);
	else
		ret = kill(s.pid, sig) < 0 ? nook_fail(&err, errno, "kill(%d)", (int)s.pid) : 0;
	oci_state_free(&s);
	return ret < 0 ? nook_say(&err) : 0;
}

const struct nook_command kill_command = {
	.name = "kill",
	.usage = "[--all] [--signal SIGNAL] ID [SIGNAL]",
	.summary = "send a signal (default SIGTERM) to a container",
	.about = "SIGNAL is a name (TERM, SIGTERM, term) or a number. The first process is "
		 "nook-init when the container has a PID namespace: it passes the signal on to the "
		 "command (a namespace's init only gets the signals it handles).",
	.shorts = "+as:",
	.options = kill_options,
	.see = "kill(2), signal(7), nook-delete(1)",
	.run = cmd_kill,
};

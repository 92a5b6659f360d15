/**
 * @file man.c
 * @brief A step program's manual page, written from the very option tables `--help` prints.
 *
 * `make install` does not keep man pages by hand: it runs each program with the hidden
 * `--help-man NAME` and installs what it prints, a man(7) page for the command NAME. The
 * options come from nook_launcher_options and each stage's options[], as in nook_usage(),
 * so a page cannot drift from the program: an option added to a stage is in both. What a
 * stage table does not hold — one line on the primitive, its lesson and its manual
 * pages — is in stage_doc[] below, by stage name; a stage missing there is listed by its
 * name alone (tests/unit/man.c requires every stage to have one).
 *
 * Text goes through man_escape(): a backslash is roff's escape character, a hyphen is
 * written \- (a minus, which a reader can copy into a shell), and a line may not start
 * with a dot or a quote, roff's control characters.
 */
#include <stdio.h>
#include <string.h>

#include "nook.h"

/** What a man page says about one stage that its table does not. */
struct stage_doc {
	const char *name;   /**< the stage's name, as in struct nook_stage */
	const char *step;   /**< "01": the step that adds it, and names its lesson */
	const char *lesson; /**< lessons/NN-topic.md */
	const char *what;   /**< one line on the kernel primitive */
	const char *see;    /**< manual pages, for SEE ALSO */
};

static const struct stage_doc stage_doc[] = {
	{"uts+ipc", "01", "lessons/01-uts.md",
	 "UTS and IPC namespaces: a hostname and System V IPC "
	 "of its own",
	 "uts_namespaces(7), ipc_namespaces(7), sethostname(2)"},
	{"pid", "02", "lessons/02-pid.md", "a PID namespace, with nook's init as PID 1",
	 "pid_namespaces(7)"},
	{"mount", "03", "lessons/03-mount.md",
	 "a mount namespace: a private mount table, a /proc "
	 "of its own, tmpfs mounts",
	 "mount_namespaces(7), mount(2)"},
	{"net", "04", "lessons/04-net.md",
	 "a network namespace: only lo, or a veth cable to the "
	 "host",
	 "network_namespaces(7), veth(4)"},
	{"user", "05", "lessons/05-user.md",
	 "a user namespace: root inside, an ordinary id "
	 "outside",
	 "user_namespaces(7), newuidmap(1)"},
	{"cgroup", "06", "lessons/06-cgroups.md",
	 "cgroups: memory, CPU, process and I/O limits, "
	 "a device cgroup, a cgroup namespace",
	 "cgroups(7), cgroup_namespaces(7)"},
	{"rootfs", "07", "lessons/07-rootfs.md",
	 "a root filesystem: image layers on OverlayFS, "
	 "pivot_root, hardened /dev, /sys and /proc, volumes",
	 "pivot_root(2), mount(8)"},
	{"caps", "08", "lessons/08-caps.md",
	 "capabilities: Docker's default set, no new "
	 "privileges, another user",
	 "capabilities(7)"},
	{"seccomp", "09", "lessons/09-seccomp.md",
	 "seccomp: a system call filter, Docker-like "
	 "by default, or a JSON profile",
	 "seccomp(2), seccomp_rule_add(3)"},
	{"bridge", "12", "lessons/12-network.md",
	 "a network: a bridge with NAT, an address from its "
	 "allocations, published ports, no way to other networks",
	 "nft(8), ip-link(8), bridge(8)"},
};

#define NSTAGE_DOCS (sizeof(stage_doc) / sizeof(stage_doc[0]))

/** The doc of stage @p name, or NULL. */
static const struct stage_doc *
doc_of(const char *name)
{
	for (size_t i = 0; i < NSTAGE_DOCS; i++)
		if (strcmp(stage_doc[i].name, name) == 0)
			return &stage_doc[i];
	return NULL;
}

/** Does the stage called @p name have a line in this file's table? */
bool
man_has_doc(const char *name)
{
	return doc_of(name) != NULL;
}

/** Write @p s as roff text: backslashes and hyphens escaped; @p line_start: guard a dot. */
void
man_escape(FILE *out, const char *s, bool line_start)
{
	if (line_start && (*s == '.' || *s == '\''))
		fputs("\\&", out);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", out);
		else if (*s == '-')
			fputs("\\-", out);
		else
			fputc(*s, out);
	}
}

/**
 * The rest of a .TP entry: --@p name in bold, its argument @p arg (or NULL) in italics,
 * an optional one ("[=WORD]") glued to it, then the line of @p help.
 */
void
man_long_option(FILE *out, const char *name, const char *arg, const char *help)
{
	fputs("\\fB\\-\\-", out);
	man_escape(out, name, false);
	fputs("\\fR", out);
	if (arg) {
		fputs(strncmp(arg, "[=", 2) == 0 ? "\\fI" : " \\fI", out);
		man_escape(out, arg, false);
		fputs("\\fR", out);
	}
	fputc('\n', out);
	man_escape(out, help, true);
	fputc('\n', out);
}

/** One .TP entry per option of list @p o: the option in bold, its argument in italics. */
void
man_options(FILE *out, const struct nook_option *o)
{
	for (; o && o->name; o++) {
		fputs(".TP\n", out);
		man_long_option(out, o->name, o->arg, o->help);
	}
}

/** NAME and SYNOPSIS: the command @p name, and the newest stage's primitive. */
static void
man_head(FILE *out, const char *name, const struct nook_stage *const *stages)
{
	const struct stage_doc *newest = NULL;

	for (size_t i = 0; stages[i]; i++) {
		const struct stage_doc *d = doc_of(stages[i]->name);

		if (d && (!newest || strcmp(d->step, newest->step) > 0))
			newest = d;
	}
	fputs(".TH \"", out);
	for (const char *p = name; *p; p++)
		fputc(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p, out);
	fputs("\" 1 \"\" \"nook\" \"nook manual\"\n.SH NAME\n", out);
	man_escape(out, name, true);
	fputs(" \\- run a command in a container", out);
	if (newest) {
		fprintf(out, ": step %s, ", newest->step);
		man_escape(out, newest->what, false);
	}
	fputs("\n.SH SYNOPSIS\n.B ", out);
	man_escape(out, name, false);
	fputs("\n[\\fIOPTIONS\\fR] [\\fB\\-\\-\\fR] \\fICOMMAND\\fR [\\fIARG\\fR...]\n", out);
}

/** DESCRIPTION: the stages, in the order their hooks run. */
static void
man_description(FILE *out, const struct nook_stage *const *stages)
{
	fputs(".SH DESCRIPTION\nRuns \\fICOMMAND\\fR in a container made of these stages, one "
	      "kernel primitive each, whose hooks run in this order:\n",
	      out);
	for (size_t i = 0; stages[i]; i++) {
		const struct stage_doc *d = doc_of(stages[i]->name);

		fputs(".TP\n.B ", out);
		man_escape(out, stages[i]->name, false);
		fputc('\n', out);
		if (!d) {
			fputs("(undocumented)\n", out);
			continue;
		}
		fprintf(out, "Step %s: ", d->step);
		man_escape(out, d->what, false);
		fputs(". Lesson: \\fI", out);
		man_escape(out, d->lesson, false);
		fputs("\\fR.\n", out);
	}
	fputs(".PP\nParsing stops at the first argument that is not an option: "
	      "\\fB\\-\\-\\fR is only needed before a command that starts with a hyphen.\n",
	      out);
}

/** OPTIONS: the launcher's, then each stage's under its name. */
static void
man_all_options(FILE *out, const struct nook_stage *const *stages)
{
	fputs(".SH OPTIONS\n.SS \"Every container\"\n", out);
	man_options(out, nook_launcher_options);
	fputs(".TP\n\\fB\\-h\\fR, \\fB\\-\\-help\\fR\nshow the options and exit\n", out);
	for (size_t i = 0; stages[i]; i++) {
		if (!stages[i]->options || !stages[i]->options[0].name)
			continue;
		fputs(".SS \"", out);
		man_escape(out, stages[i]->name, false);
		fputs("\"\n", out);
		man_options(out, stages[i]->options);
	}
}

/** EXIT STATUS and SEE ALSO. */
static void
man_tail(FILE *out, const char *name, const struct nook_stage *const *stages)
{
	fputs(".SH EXIT STATUS\n\\fICOMMAND\\fR's own; 128+\\fIN\\fR if it died of signal "
	      "\\fIN\\fR; 125 if ",
	      out);
	man_escape(out, name, false);
	fputs(" itself failed (a bad option, a failed system call); 126 if \\fICOMMAND\\fR "
	      "cannot be executed; 127 if it is not found.\n.SH SEE ALSO\nclone(2), "
	      "namespaces(7)",
	      out);
	for (size_t i = 0; stages[i]; i++) {
		const struct stage_doc *d = doc_of(stages[i]->name);

		if (d) {
			fputs(", ", out);
			man_escape(out, d->see, false);
		}
	}
	fputs(".\n", out);
}

/**
 * Write the man(7) page of the step program made of @p stages, installed as command
 * @p name: NAME, SYNOPSIS, DESCRIPTION, OPTIONS (the tables --help prints), EXIT STATUS
 * and SEE ALSO.
 */
void
nook_man(FILE *out, const char *name, const struct nook_stage *const *stages)
{
	man_head(out, name, stages);
	man_description(out, stages);
	man_all_options(out, stages);
	man_tail(out, name, stages);
}

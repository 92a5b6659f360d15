/**
 * @file lesson.h
 * @brief What a lesson claims, read from its Markdown: transcripts to re-run, snippets to compare.
 *
 * A lesson (lessons/NN-topic.md) shows its reader two kinds of text that silently go stale
 * when the code changes. `make check-lessons` checks both, with lessoncheck.
 *
 * **Transcripts.** A fenced code block whose info string is exactly `console`:
 *
 *     ```console
 *     # build/solutions/01-uts --hostname box -- hostname
 *     box
 *     ```
 *
 * A line starting with "# " (a root prompt) or "$ " is a command, one line each; the lines
 * after it, up to the next command or the end of the block, are what it prints, stdout and
 * stderr together, as a terminal shows them. Two wildcards let a transcript leave out what
 * changes from run to run (PIDs, times, the host's name):
 *
 *  - `[...]` inside a line matches any text, none included, within that line;
 *  - a line that is only `[...]` matches any number of lines, none included.
 *
 * Everything else is literal, except that trailing whitespace is ignored on both sides, and
 * so is a missing final newline. There is no escape: an output line that starts with "# " or
 * "$ ", or that holds a literal "[...]", has to be written with a wildcard. The exit status
 * is not compared: a transcript shows what a person sees, and a failure shows in the output.
 *
 * **Scratch names and cleanup.** What a lesson makes on the host under a fixed name (a
 * directory in /tmp, a network namespace) would collide when two people or two checks
 * share a machine, and would stay behind when a check is interrupted. A lesson declares
 * such names, and the commands that remove what they name, in HTML comments outside any
 * code block, which a reader does not see:
 *
 *     <!-- scratch: /tmp/nook-demo nook-lesson -->
 *     <!-- cleanup: rm -rf /tmp/nook-demo; ip netns del nook-lesson 2>/dev/null -->
 *
 * The lesson shows, and a reader types, the plain names. lessoncheck gives each a suffix
 * of its own run (`/tmp/nook-demo-4242`) in every command and cleanup command it runs, and
 * turns it back into the plain name in the output before comparing; lesson_substitute()
 * does both. It runs the cleanup commands after the lesson's last command, whether the
 * commands passed or not, and when it is interrupted (SIGINT, SIGTERM, SIGHUP).
 *
 * **Snippets.** An HTML comment line `<!-- snippet: solutions/uts.c uts_stage -->` directly
 * followed by a fenced code block, of any language. The block must be the lines between the
 * two Doxygen marker lines `//! [uts_stage]` of that file (the region the API documentation
 * shows), indentation aside: each side first loses the longest leading whitespace its
 * non-blank lines share, and all trailing whitespace.
 *
 * This is only the logic (parse, match, extract, compare) on strings in memory, so the unit
 * tests need neither files nor processes; lessoncheck.c reads the files and runs commands.
 * Functions that can fail return 0 or -1, as nook's do, with a struct lesson_error filled in.
 */
#ifndef LESSON_H
#define LESSON_H

#include <stdbool.h>
#include <stddef.h>

/** The wildcard: within a line, any text; as a whole line, any lines. */
#define LESSON_ANY "[...]"

/** One command of a transcript, and what it is expected to print. */
struct lesson_command {
	int line;	/**< its line in the Markdown file, from 1 */
	char prompt;	/**< '#' or '$', as written */
	char *cmd;	/**< the command, without the prompt */
	char **expect;	/**< the expected output, one line each, without '\n' */
	size_t nexpect; /**< how many lines */
};

/** A code block that must match a marked region of a source file. */
struct lesson_snippet {
	int line;     /**< the line of the <!-- snippet: --> comment, from 1 */
	char *file;   /**< the source file, relative to the repository's root */
	char *marker; /**< the name between the brackets of `//! [name]` */
	char *code;   /**< the block's content, each line ended by '\n' */
};

/** Everything lessoncheck checks in one lesson. */
struct lesson {
	char *title;			 /**< the first "# " heading, or NULL */
	struct lesson_command *cmds;	 /**< the commands of all transcripts, in order */
	size_t ncmds;			 /**< how many */
	struct lesson_snippet *snippets; /**< the snippets, in order */
	size_t nsnippets;		 /**< how many */
	char **scratch;			 /**< the scratch names, from <!-- scratch: --> */
	size_t nscratch;		 /**< how many */
	char **cleanup;			 /**< the cleanup commands, from <!-- cleanup: --> */
	size_t ncleanup;		 /**< how many */
};

/** Why a lesson or a source could not be read: one line, and where. */
struct lesson_error {
	int line;      /**< the line it is about, from 1; 0 when none */
	char msg[256]; /**< no file name, no newline */
};

int lesson_parse(const char *text, struct lesson *l, struct lesson_error *err);
void lesson_free(struct lesson *l);
bool lesson_match(char *const *expect, size_t nexpect, const char *actual);
int lesson_extract(const char *src, const char *marker, char **code, struct lesson_error *err);
bool lesson_same_code(const char *a, const char *b, int *line);
char *lesson_substitute(const char *text, char *const *from, char *const *to, size_t n);

#endif

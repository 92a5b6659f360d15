/**
 * @file exercise.h
 * @brief Blanking the EXERCISE regions of a solution file: the logic behind `make steps`.
 *
 * In solutions/, each piece a participant is to write sits between two marker lines, each a
 * line holding nothing but one comment (indented like the code around it):
 *
 *  - the opening marker, the comment `EXERCISE NN: hint`, NN exactly two digits and the hint
 *    one line saying what to write;
 *  - the closing marker, the comment `END EXERCISE`.
 *
 * Blanking a region keeps both markers and replaces the lines between them with two lines at
 * the opening marker's indentation: a comment inviting the participant to write the code,
 * and `return nook_exercise_todo(err, "NN", "hint");`, so that the unsolved step compiles
 * and fails loudly, naming the exercise. Regions do not nest.
 *
 * This is pure logic on strings (no files, no printing), so the unit tests can drive it.
 */
#ifndef EXERCISE_H
#define EXERCISE_H

#include <stdbool.h>
#include <stddef.h>

/** An error buffer of this size holds any message exercise_blank() writes. */
#define EXERCISE_ERR_SIZE 256

/** Whether @p s is an exercise number: exactly two ASCII digits ("01"). */
bool exercise_is_number(const char *s);

/**
 * @brief Blank the EXERCISE regions of the source text @p src.
 *
 * @param src      the source, NUL-terminated
 * @param only     the number of the one exercise to blank ("01"), or NULL for all; other
 *                 regions are left as they are, solution code and markers
 * @param out      set to the new text, allocated with malloc(3) (the caller frees it);
 *                 an unchanged copy when nothing was blanked; NULL on error
 * @param err      filled on error with one line "LINE: what is wrong", LINE counted from 1
 * @param errsize  the size of @p err (EXERCISE_ERR_SIZE is enough)
 * @return the number of regions blanked (0 or more), or -1 on malformed input: END without
 *         EXERCISE, an EXERCISE inside another or never closed, a number that is not two
 *         digits, an empty hint. The whole text is checked, whatever @p only says.
 */
int exercise_blank(const char *src, const char *only, char **out, char *err, size_t errsize);

/**
 * @name Mutants
 * A mutant is a known-wrong answer to one exercise, kept in tests/mutants/ to prove that the
 * step's tests catch it: `make check-exercises` builds a tree with the mutant's code in
 * place of the solution's, and its step's tests must fail. A mutant file is a comment
 * saying which exercise it answers and why that answer is wrong, then the code:
 *
 *     /\* MUTANT 02: one waitpid per SIGCHLD; signals of one kind do not queue, so when
 *      * many children end at once the rest stay zombies *\/
 *             pid_t pid;
 *             ...
 *
 * The comment starts the file and may span lines; the code is every line after it, taken
 * as it is (indented as in the solution file), and holds no EXERCISE markers.
 * @{
 */

/**
 * @brief Parse the mutant file @p text.
 *
 * @param text     the file, NUL-terminated
 * @param number   set to the exercise number, two digits and a NUL
 * @param body     set to the code: a pointer into @p text, NULL on error
 * @param err      filled on error with one line "LINE: what is wrong"
 * @param errsize  the size of @p err
 * @return 0, or -1 when the header is malformed, the reason missing, the code empty or
 *         holding a marker line
 */
int exercise_parse_mutant(const char *text, char number[3], const char **body, char *err,
			  size_t errsize);

/**
 * @brief Put @p body in place of the code of the EXERCISE region(s) numbered @p number.
 *
 * Like exercise_blank() with @p only, but the region's code becomes @p body (followed by a
 * newline if it lacks one) instead of the invitation to write it; markers and every other
 * region stay as they are.
 *
 * @return the number of regions replaced (0 when @p src has none numbered @p number), or -1
 *         on malformed input, as exercise_blank()
 */
int exercise_replace(const char *src, const char *number, const char *body, char **out, char *err,
		     size_t errsize);

/**
 * @brief exercise_parse_mutant() for a step with several regions: a header "MUTANT NN.K:"
 *        names the K-th region of exercise NN (1-9, in the order of the files given to
 *        mkexercise, then of the lines), and sets @p which to K; "MUTANT NN:" sets it to 0.
 */
int exercise_parse_mutant_nth(const char *text, char number[3], int *which, const char **body,
			      char *err, size_t errsize);

/**
 * @brief exercise_replace() of only the @p which-th region numbered @p number (1-based;
 *        0: all of them), counting in @p *seen the regions of that number met so far, over
 *        the files in turn.
 */
int exercise_replace_nth(const char *src, const char *number, int which, int *seen,
			 const char *body, char **out, char *err, size_t errsize);

/** @} */
/*
 * A participant's copy of a generated file: what `make check-steps` and `make steps` need
 * to know so that they never mistake, nor overwrite, work in an exercise.
 */

/** The most exercise numbers exercise_worked() reports for one file. */
#define EXERCISE_MAX_WORKED 16

/** What exercise_sync() found in a participant's copy of a generated text. */
struct exercise_sync {
	bool stale;			     /**< differs outside the exercise regions */
	int nworked;			     /**< regions with work in them */
	char worked[EXERCISE_MAX_WORKED][3]; /**< their numbers, in order ("01") */
};

/**
 * @brief The exercise regions of @p text that hold work: a body that is not the blank one.
 *
 * A region's blank body is what exercise_blank() writes for its marker; any other body,
 * a solution or a half-done attempt or an edited comment, is someone's work.
 *
 * @param text     a source text, such as a file of steps/
 * @param worked   filled with the numbers of the regions with work, in order (up to @p max)
 * @param max      the room in @p worked
 * @param err      filled on malformed markers, as exercise_blank() does
 * @param errsize  the size of @p err
 * @return how many regions hold work (possibly more than @p max), or -1 if malformed
 */
int exercise_worked(const char *text, char (*worked)[3], int max, char *err, size_t errsize);

/**
 * @brief Compare a participant's copy @p edited with the text that would be generated now.
 *
 * @p edited is stale when, with every region blanked, it differs from @p generated: the
 * solution changed (or it was edited) outside the exercise regions, or in a marker. The
 * regions' bodies are not compared with @p generated, only with their own blanks: work in
 * an exercise is never "out of date".
 *
 * @return 0, or -1 if @p edited has malformed markers (@p err says where)
 */
int exercise_sync(const char *generated, const char *edited, struct exercise_sync *sync, char *err,
		  size_t errsize);

#endif

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

/**
 * @file man.c
 * @brief Unit tests of the man pages (solutions/man.c): every option of every stage is in
 *        the page, as --help lists it, and roff's control characters are escaped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "nook.h"

static const struct nook_stage *const every_stage[] = {
	&user_stage, &uts_stage,    &pid_stage,	 &rootfs_stage,	 &mount_stage, &bridge_stage,
	&net_stage,  &cgroup_stage, &caps_stage, &seccomp_stage, NULL,
};

/** The page nook_man() writes for @p stages, as command @p name; free() it. */
static char *
page_of(const char *name, const struct nook_stage *const *stages)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	assert_non_null(f);
	nook_man(f, name, stages);
	fclose(f);
	return buf;
}

/** Is option @p o in @p page as a .TP entry: `\fB\-\-NAME\fR`? */
static void
assert_listed(const char *page, const struct nook_option *o)
{
	char want[128], *p = want;

	p += sprintf(p, ".TP\n\\fB\\-\\-");
	for (const char *s = o->name; *s; s++)
		p += *s == '-' ? sprintf(p, "\\-") : sprintf(p, "%c", *s);
	sprintf(p, "\\fR");
	if (!strstr(page, want))
		fail_msg("option --%s is not in the man page (looked for \"%s\")", o->name, want);
}

static void
every_option_is_in_the_page(void **state)
{
	char *page = page_of("nook-09-seccomp", every_stage);

	(void)state;
	for (const struct nook_option *o = nook_launcher_options; o->name; o++)
		assert_listed(page, o);
	for (size_t i = 0; every_stage[i]; i++)
		for (const struct nook_option *o = every_stage[i]->options; o && o->name; o++)
			assert_listed(page, o);
	assert_non_null(strstr(page, ".TH \"NOOK-09-SECCOMP\" 1 "));
	assert_non_null(strstr(page, ".SH NAME\nnook\\-09\\-seccomp \\- "));
	assert_non_null(strstr(page, ".SH EXIT STATUS\n"));
	free(page);
}

static void
every_stage_is_documented(void **state)
{
	(void)state;
	for (size_t i = 0; every_stage[i]; i++)
		if (!man_has_doc(every_stage[i]->name))
			fail_msg("stage %s has no line in solutions/man.c's stage_doc[]",
				 every_stage[i]->name);
	assert_false(man_has_doc("no-such-stage"));
}

static void
roff_control_characters_are_escaped(void **state)
{
	char buf[256] = "";
	FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");

	(void)state;
	man_escape(f, ".B not a macro", true);
	fputc('|', f);
	man_escape(f, "'also not", true);
	fputc('|', f);
	man_escape(f, "a\\b --x", false);
	fclose(f);
	assert_string_equal(buf, "\\&.B not a macro|\\&'also not|a\\eb \\-\\-x");
}

static void
the_page_names_the_newest_step(void **state)
{
	static const struct nook_stage *const step01[] = {&uts_stage, NULL};
	char *page = page_of("nook-01-uts", step01);

	(void)state;
	assert_non_null(strstr(page, "in a container: step 01, UTS"));
	assert_null(strstr(page, "seccomp"));
	free(page);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_option_is_in_the_page),
		cmocka_unit_test(every_stage_is_documented),
		cmocka_unit_test(roff_control_characters_are_escaped),
		cmocka_unit_test(the_page_names_the_newest_step),
	};

	return cmocka_run_group_tests_name("unit: man", tests, NULL, NULL);
}

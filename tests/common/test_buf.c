/* The text writers of common/buf.h that the exports and lists use: a CSV
 * cell (quoting, and no formula a spreadsheet would run) and HTML text. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "common/buf.h"

static void
cell_is(const char *in, bool last, const char *want)
{
	struct gc_buf b;

	gc_buf_init(&b);
	gc_csv_cell(&b, in, last);
	gc_buf_putc(&b, '\0');
	if (b.failed || strcmp((const char *)b.data, want) != 0) {
		fail_msg("cell of [%s]: [%s], wanted [%s]", in,
		    b.failed ? "(oom)" : (const char *)b.data, want);
	}
	gc_buf_release(&b);
}

static void
test_csv_cell_quotes(void **state)
{
	(void)state;
	cell_is("", false, "\"\",");
	cell_is("张三", true, "\"张三\"\r\n");
	cell_is("a\"b", false, "\"a\"\"b\",");
	cell_is("a,b\nc", false, "\"a,b\nc\",");
}

/* What a hostile student may type as report text, or a roster may hold:
 * each formula lead becomes text; the same characters later in a cell
 * stay as they are. */
static void
test_csv_cell_defuses_formulas(void **state)
{
	(void)state;
	cell_is("=HYPERLINK(\"http://x\")", false,
	    "\"'=HYPERLINK(\"\"http://x\"\")\",");
	cell_is("+86 138", false, "\"'+86 138\",");
	cell_is("-1+1", false, "\"'-1+1\",");
	cell_is("@SUM(A1)", false, "\"'@SUM(A1)\",");
	cell_is("\tx", false, "\"'\tx\",");
	cell_is("\rx", true, "\"'\rx\"\r\n");
	cell_is("a=b", false, "\"a=b\",");
	cell_is("2021-09", false, "\"2021-09\",");
}

static void
test_html_text_escapes(void **state)
{
	struct gc_buf b;

	(void)state;
	gc_buf_init(&b);
	gc_html_text(&b, "<b a=\"1\">&</b>");
	gc_buf_putc(&b, '\0');
	assert_false(b.failed);
	assert_string_equal((const char *)b.data,
	    "&lt;b a=&quot;1&quot;&gt;&amp;&lt;/b&gt;");
	gc_buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_cell_quotes),
		cmocka_unit_test(test_csv_cell_defuses_formulas),
		cmocka_unit_test(test_html_text_escapes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

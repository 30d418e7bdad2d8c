/* Tests for common/table*.c: CSV (encodings, quoting, limits, garbage),
 * .xlsx written here with libzip, .xls written here as BIFF8, allocation
 * failure, and a 50 000-row roster. */
#include <stdarg.h> /* cmocka 1.1.5 needs these four before cmocka.h */
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "common/gc_alloc.h"
#include "common/idnum.h"
#include "common/roster.h"
#include "tests/data_gen/sheets.h"
#include "tests/testutil.h"

/* ---- helpers ---- */

static gc_err
parse(const char *s, size_t len, enum gc_encoding enc, struct gc_table **t,
    struct gc_diag *d)
{
	gc_diag_clear(d);
	return gc_table_parse_csv(t, "roster.csv", (const uint8_t *)s, len, enc,
	    d);
}

static gc_err
parse_str(const char *s, enum gc_encoding enc, struct gc_table **t,
    struct gc_diag *d)
{
	return parse(s, strlen(s), enc, t, d);
}

static const char *
cell(const struct gc_table *t, size_t r, uint32_t c)
{
	assert_true(r < t->nrows);
	if (c >= t->rows[r].ncells) {
		return "<absent>";
	}
	return t->rows[r].cells[c];
}

static void
assert_msg_has(const struct gc_diag *d, const char *needle)
{
	if (strstr(d->msg, needle) == NULL) {
		fail_msg("diag \"%s\" lacks \"%s\"", d->msg, needle);
	}
}

static char *
write_tmp(const char *name, const void *data, size_t len)
{
	return gc_test_write_file(gc_test_tmpdir("table"), name, data, len);
}

/* ---- CSV ---- */

static void
test_csv_utf8_reads_cells_and_lines(void **state)
{
	struct gc_table *t;
	struct gc_diag   d;

	(void)state;
	assert_int_equal(parse_str("姓名,证件号码\n张三,11010519491231002X\n"
	    "李四,440524188001010014\n", GC_ENC_AUTO, &t, &d), GC_OK);
	assert_string_equal(t->format, "csv");
	assert_string_equal(t->encoding, "utf-8");
	assert_int_equal(t->nrows, 3);
	assert_int_equal(t->rows[0].ncells, 2);
	assert_string_equal(cell(t, 0, 0), "姓名");
	assert_string_equal(cell(t, 1, 1), "11010519491231002X");
	assert_string_equal(cell(t, 2, 0), "李四");
	assert_int_equal(t->rows[2].line, 3);
	gc_table_free(t);
}

static void
test_csv_utf8_bom_is_skipped(void **state)
{
	struct gc_table *t;
	struct gc_diag   d;

	(void)state;
	assert_int_equal(parse_str("\xEF\xBB\xBF姓名,学号\n王五,001\n",
	    GC_ENC_AUTO, &t, &d), GC_OK);
	assert_string_equal(t->encoding, "utf-8-bom");
	assert_string_equal(cell(t, 0, 0), "姓名");
	assert_string_equal(cell(t, 1, 1), "001");
	gc_table_free(t);
	/* explicit UTF-8 skips it too */
	assert_int_equal(parse_str("\xEF\xBB\xBF" "a,b\n", GC_ENC_UTF8, &t, &d),
	    GC_OK);
	assert_string_equal(t->encoding, "utf-8-bom");
	assert_string_equal(cell(t, 0, 0), "a");
	gc_table_free(t);
}

static void
test_csv_gbk_is_detected_and_converted(void **state)
{
	const char      *u = "姓名,证件号码,层次\n张三,11010519491231002X,本科\n"
	                     "欧阳娜娜,440524188001010014,硕士研究生\n";
	struct gc_table *t;
	struct gc_diag   d;
	size_t           len;
	char            *gb = gc_test_to_gb18030(u, &len);

	(void)state;
	assert_true(len < strlen(u)); /* really re-encoded: 2 bytes per han */
	assert_int_equal(parse(gb, len, GC_ENC_AUTO, &t, &d), GC_OK);
	assert_string_equal(t->encoding, "gb18030");
	assert_int_equal(t->nrows, 3);
	assert_string_equal(cell(t, 0, 0), "姓名");
	assert_string_equal(cell(t, 2, 0), "欧阳娜娜");
	assert_string_equal(cell(t, 2, 2), "硕士研究生");
	gc_table_free(t);

	assert_int_equal(parse(gb, len, GC_ENC_GBK, &t, &d), GC_OK);
	assert_string_equal(t->encoding, "gb18030");
	assert_string_equal(cell(t, 1, 0), "张三");
	gc_table_free(t);

	/* the same bytes claimed to be UTF-8 are refused with an offset */
	assert_int_equal(parse(gb, len, GC_ENC_UTF8, &t, &d), GC_EINVAL);
	assert_null(t);
	assert_msg_has(&d, "not valid UTF-8");
	assert_msg_has(&d, "at offset 0");
	free(gb);
}

static void
test_csv_quoting_follows_rfc4180(void **state)
{
	const char *s = "name,note,quote,lines\n"
	                "a,\"b,c\",\"say \"\"hi\"\"\",\"one\ntwo\r\nthree\"\n"
	                "next,\"\",x,\"\"\"\"\n";
	struct gc_table *t;
	struct gc_diag   d;

	(void)state;
	assert_int_equal(parse_str(s, GC_ENC_AUTO, &t, &d), GC_OK);
	assert_int_equal(t->nrows, 3);
	assert_int_equal(t->rows[1].ncells, 4);
	assert_string_equal(cell(t, 1, 1), "b,c");
	assert_string_equal(cell(t, 1, 2), "say \"hi\"");
	assert_string_equal(cell(t, 1, 3), "one\ntwo\nthree");
	/* the record starts on line 2 and spans 2–4; the next starts on 5 */
	assert_int_equal(t->rows[1].line, 2);
	assert_int_equal(t->rows[2].line, 5);
	assert_string_equal(cell(t, 2, 1), "");
	assert_string_equal(cell(t, 2, 3), "\"");
	gc_table_free(t);
}

static void
test_csv_line_ends_crlf_cr_and_none(void **state)
{
	struct gc_table *t;
	struct gc_diag   d;

	(void)state;
	assert_int_equal(parse_str("a,b\r\nc,d\r\n", GC_ENC_AUTO, &t, &d), GC_OK);
	assert_int_equal(t->nrows, 2);
	assert_string_equal(cell(t, 0, 1), "b");
	assert_string_equal(cell(t, 1, 1), "d");
	assert_int_equal(t->rows[1].line, 2);
	gc_table_free(t);

	assert_int_equal(parse_str("a,b\rc,d\r", GC_ENC_AUTO, &t, &d), GC_OK);
	assert_int_equal(t->nrows, 2);
	assert_string_equal(cell(t, 1, 0), "c");
	gc_table_free(t);

	/* no newline at the end: the last record still counts */
	assert_int_equal(parse_str("a,b\nc,d", GC_ENC_AUTO, &t, &d), GC_OK);
	assert_int_equal(t->nrows, 2);
	assert_string_equal(cell(t, 1, 1), "d");
	gc_table_free(t);

	assert_int_equal(parse_str("a,\"b\"", GC_ENC_AUTO, &t, &d), GC_OK);
	assert_string_equal(cell(t, 0, 1), "b");
	gc_table_free(t);
}

static void
test_csv_blank_rows_are_skipped_and_cells_kept_untrimmed(void **state)
{
	struct gc_table *t;
	struct gc_diag   d;

	(void)state;
	assert_int_equal(parse_str("a, b \n\n,,\n\nc,d,\n", GC_ENC_AUTO, &t, &d),
	    GC_OK);
	assert_int_equal(t->nrows, 2);
	assert_string_equal(cell(t, 0, 1), " b ");
	assert_int_equal(t->rows[1].line, 5);
	assert_int_equal(t->rows[1].ncells, 3);
	assert_string_equal(cell(t, 1, 2), "");
	gc_table_free(t);
}

static void
test_csv_tab_separated_when_first_line_has_tabs(void **state)
{
	struct gc_table *t;
	struct gc_diag   d;

	(void)state;
	assert_int_equal(parse_str("姓名\t证件号码\n张三\t1,2\n", GC_ENC_AUTO,
	    &t, &d), GC_OK);
	assert_int_equal(t->rows[1].ncells, 2);
	assert_string_equal(cell(t, 1, 1), "1,2");
	gc_table_free(t);
}

static void
test_csv_empty_and_blank_files_are_refused(void **state)
{
	struct gc_table *t;
	struct gc_diag   d;

	(void)state;
	assert_int_equal(parse("", 0, GC_ENC_AUTO, &t, &d), GC_EINVAL);
	assert_null(t);
	assert_msg_has(&d, "roster.csv: empty file");
	assert_int_equal(parse_str(" \r\n\t \n\xE3\x80\x80\n", GC_ENC_AUTO, &t,
	    &d), GC_EINVAL);
	assert_msg_has(&d, "empty file");
	assert_int_equal(parse_str("\xEF\xBB\xBF\n\n", GC_ENC_AUTO, &t, &d),
	    GC_EINVAL);
	assert_msg_has(&d, "empty file");
	assert_int_equal(parse_str(",,\n,\n", GC_ENC_AUTO, &t, &d), GC_EINVAL);
	assert_msg_has(&d, "every row is empty");
}

static void
test_csv_binary_garbage_is_refused(void **state)
{
	struct gc_table *t;
	struct gc_diag   d;
	uint8_t          buf[4096];
	unsigned         seed = 12345;

	(void)state;
	assert_int_equal(parse("a,b\n\0\0\x01\x02", 8, GC_ENC_AUTO, &t, &d),
	    GC_EINVAL);
	assert_msg_has(&d, "binary file, not a CSV, .xls or .xlsx table");
	/* random bytes: a NUL shows up within 8 KiB */
	for (size_t i = 0; i < sizeof(buf); i++) {
		seed   = seed * 1103515245u + 12345u;
		buf[i] = (uint8_t)(seed >> 16);
	}
	assert_int_equal(parse((const char *)buf, sizeof(buf), GC_ENC_AUTO, &t,
	    &d), GC_EINVAL);
	assert_null(t);
	assert_msg_has(&d, "binary file");
	/* random bytes without NUL decode neither as UTF-8 nor as GB18030 */
	for (int round = 0; round < 50; round++) {
		for (size_t i = 0; i < sizeof(buf); i++) {
			seed   = seed * 1103515245u + 12345u;
			buf[i] = (uint8_t)(1 + (seed >> 16) % 255);
		}
		buf[0] = 'x'; /* not a BOM of any kind */
		assert_int_equal(parse((const char *)buf, sizeof(buf),
		    GC_ENC_AUTO, &t, &d), GC_EINVAL);
		assert_null(t);
		assert_msg_has(&d, "not UTF-8 or GBK/GB18030 text (invalid "
		    "byte 0x");
		assert_msg_has(&d, "at offset");
	}
	/* UTF-16 gets its own explanation */
	assert_int_equal(parse("\xFF\xFE" "a\0,\0", 6, GC_ENC_AUTO, &t, &d),
	    GC_EINVAL);
	assert_msg_has(&d, "UTF-16");
}

static void
test_csv_invalid_utf8_names_the_offset(void **state)
{
	struct gc_table *t;
	struct gc_diag   d;

	(void)state;
	assert_int_equal(parse_str("ab,c\nd\xFF\n", GC_ENC_UTF8, &t, &d),
	    GC_EINVAL);
	assert_null(t);
	assert_string_equal(d.msg, "roster.csv: not valid UTF-8 text (invalid "
	    "byte 0xFF at offset 6)");
	/* auto: 0xFF is not GB18030 either */
	assert_int_equal(parse_str("ab,c\nd\xFF\n", GC_ENC_AUTO, &t, &d),
	    GC_EINVAL);
	assert_string_equal(d.msg, "roster.csv: not UTF-8 or GBK/GB18030 text "
	    "(invalid byte 0xFF at offset 6)");
	/* overlong and surrogate encodings are not UTF-8 */
	assert_int_equal(parse_str("a\xC0\x80", GC_ENC_UTF8, &t, &d),
	    GC_EINVAL);
	assert_int_equal(parse_str("a\xED\xA0\x80", GC_ENC_UTF8, &t, &d),
	    GC_EINVAL);
	assert_msg_has(&d, "offset 1");
}

static void
test_csv_unterminated_quote_names_its_line(void **state)
{
	struct gc_table *t;
	struct gc_diag   d;

	(void)state;
	assert_int_equal(parse_str("a,b\nc,d\ne,\"open\nmore\nstill\n",
	    GC_ENC_AUTO, &t, &d), GC_EINVAL);
	assert_null(t);
	assert_msg_has(&d, "opened on line 3");
	assert_msg_has(&d, "never closed");
}

static void
test_csv_limits_name_the_row(void **state)
{
	struct gc_table *t;
	struct gc_diag   d;
	char            *s = malloc(20000);
	size_t           n;

	(void)state;
	/* a cell of exactly GC_TABLE_MAX_CELL bytes is fine */
	n = (size_t)sprintf(s, "a,b\nx,");
	memset(s + n, 'y', GC_TABLE_MAX_CELL);
	n += GC_TABLE_MAX_CELL;
	s[n] = '\0';
	assert_int_equal(parse_str(s, GC_ENC_AUTO, &t, &d), GC_OK);
	assert_int_equal(strlen(cell(t, 1, 1)), GC_TABLE_MAX_CELL);
	gc_table_free(t);
	/* one more byte is not */
	s[n++] = 'y';
	s[n]   = '\0';
	assert_int_equal(parse_str(s, GC_ENC_AUTO, &t, &d), GC_ETOOBIG);
	assert_null(t);
	assert_msg_has(&d, "row 2, column 2");
	assert_msg_has(&d, "longer than 4096 bytes");
	/* quoted, spread over lines */
	n = (size_t)sprintf(s, "a\n\"");
	for (int i = 0; i < 500; i++) {
		n += (size_t)sprintf(s + n, "0123456789\n");
	}
	n += (size_t)sprintf(s + n, "\"\n");
	assert_int_equal(parse_str(s, GC_ENC_AUTO, &t, &d), GC_ETOOBIG);
	assert_msg_has(&d, "row 2, column 1");
	/* too many cells */
	n = (size_t)sprintf(s, "h\n");
	for (int i = 0; i <= GC_TABLE_MAX_CELLS; i++) {
		n += (size_t)sprintf(s + n, "%d,", i);
	}
	assert_int_equal(parse_str(s, GC_ENC_AUTO, &t, &d), GC_ETOOBIG);
	assert_msg_has(&d, "row 2 has a cell in column 513");
	/* NUL past the first 8 KiB */
	memset(s, 'a', 9000);
	s[0]    = 'h';
	s[1]    = '\n';
	s[8500] = '\0';
	assert_int_equal(parse(s, 9000, GC_ENC_AUTO, &t, &d), GC_EINVAL);
	assert_msg_has(&d, "row 2 contains a NUL byte");
	free(s);
}

static void
test_table_read_dispatches_csv_and_reports_missing(void **state)
{
	struct gc_table *t;
	struct gc_diag   d;
	char            *p = write_tmp("r.csv", "姓名\n张三\n", 13);

	(void)state;
	gc_diag_clear(&d);
	assert_int_equal(gc_table_read(&t, p, GC_ENC_AUTO, &d), GC_OK);
	assert_string_equal(t->format, "csv");
	assert_string_equal(cell(t, 1, 0), "张三");
	gc_table_free(t);
	free(p);
	gc_diag_clear(&d);
	assert_int_equal(gc_table_read(&t, "/nonexistent/roster.csv",
	    GC_ENC_AUTO, &d), GC_ENOTFOUND);
	assert_null(t);
	assert_msg_has(&d, "/nonexistent/roster.csv: cannot open");
}

/* ---- .xlsx ---- */

#define SST                                                                 \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                      \
	"<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/"  \
	"main\" count=\"5\" uniqueCount=\"5\">"                              \
	"<si><t>姓名</t></si>"                                               \
	"<si><t>身份证号</t></si>"                                           \
	"<si><r><rPr><b/></rPr><t>出生</t></r><r><t>日期</t></r></si>"       \
	"<si><t>张三</t><rPh sb=\"0\" eb=\"2\"><t>ZHANG</t></rPh></si>"      \
	"<si><t xml:space=\"preserve\"> 本科 </t></si>"                      \
	"</sst>"

#define STYLES                                                              \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                      \
	"<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/" \
	"2006/main\"><numFmts count=\"1\"><numFmt numFmtId=\"176\" "         \
	"formatCode=\"yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;\"/>"   \
	"</numFmts><cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/>"          \
	"</cellStyleXfs><cellXfs count=\"4\"><xf numFmtId=\"0\"/><xf "       \
	"numFmtId=\"14\"/><xf numFmtId=\"49\"/><xf numFmtId=\"176\"/>"       \
	"</cellXfs></styleSheet>"

/* Row 1 a title, row 2 absent, row 3 header, row 4 data, row 5 empty
 * cells only, row 7 sparse. */
#define SHEET_ROWS                                                          \
	"<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>2024届毕业生名单</t>" \
	"</is></c></row>"                                                    \
	"<row r=\"3\"><c r=\"A3\" t=\"s\"><v>0</v></c><c r=\"B3\" t=\"s\">"  \
	"<v>1</v></c><c r=\"C3\" t=\"s\"><v>2</v></c><c r=\"D3\" "           \
	"t=\"inlineStr\"><is><r><t>层</t></r><r><t>次</t></r></is></c></row>" \
	"<row r=\"4\"><c r=\"A4\" t=\"s\"><v>3</v></c><c r=\"B4\" "          \
	"t=\"inlineStr\"><is><t>11010519491231002X</t></is></c><c r=\"C4\" " \
	"s=\"1\"><v>36526</v></c><c r=\"D4\" t=\"s\"><v>4</v></c>"           \
	"<c r=\"E4\"><v>1.10105194912310E+17</v></c><c r=\"F4\"><v>2.5</v>"  \
	"</c><c r=\"G4\" s=\"3\"><v>36527</v></c><c r=\"H4\" t=\"b\"><v>1"   \
	"</v></c><c r=\"I4\" s=\"2\"><v>340524800101001</v></c>"             \
	"<c r=\"J4\" t=\"str\"><f>A4</f><v>张三</v></c></row>"               \
	"<row r=\"5\"><c r=\"A5\" s=\"1\"/><c r=\"B5\"/></row>"              \
	"<row r=\"7\"><c r=\"C7\"><v>3</v></c><c><v>4</v></c></row>"

static char *
xlsx_file(const char *sheet_target, const char *sheet_name,
    const char *sheet_xml, const char *sst, const char *pr)
{
	const char    *dir = gc_test_tmpdir("xlsx");
	char          *path;
	char           wb[2048];
	char           rels[2048];
	struct sg_part parts[8];
	size_t         n = 0;

	snprintf(wb, sizeof(wb), SG_XLSX_WORKBOOK("%s"), pr);
	snprintf(rels, sizeof(rels), SG_XLSX_RELS("%s"), sheet_target);
	parts[n++] = (struct sg_part){ "[Content_Types].xml", SG_XLSX_CT };
	parts[n++] = (struct sg_part){ "_rels/.rels", SG_XLSX_ROOTRELS };
	parts[n++] = (struct sg_part){ "xl/workbook.xml", wb };
	parts[n++] = (struct sg_part){ "xl/_rels/workbook.xml.rels", rels };
	if (sst != NULL) {
		parts[n++] = (struct sg_part){ "xl/sharedStrings.xml", sst };
	}
	parts[n++] = (struct sg_part){ "xl/styles.xml", STYLES };
	parts[n++] = (struct sg_part){ sheet_name, sheet_xml };
	path = malloc(strlen(dir) + 32);
	sprintf(path, "%s/roster.xlsx", dir);
	sg_zip(path, parts, n);
	return path;
}

static char *
xlsx_good(void)
{
	return xlsx_file("worksheets/data.xml", "xl/worksheets/data.xml",
	    SG_XLSX_SHEET(SHEET_ROWS), SST, "");
}

static void
test_xlsx_reads_first_sheet_by_relationship(void **state)
{
	struct gc_table *t;
	struct gc_diag   d;
	char            *p = xlsx_good();

	(void)state;
	gc_diag_clear(&d);
	assert_int_equal(gc_table_read(&t, p, GC_ENC_AUTO, &d), GC_OK);
	assert_string_equal(t->format, "xlsx");
	assert_string_equal(t->encoding, "");
	assert_int_equal(t->nrows, 4); /* rows 1, 3, 4, 7 */
	assert_int_equal(t->rows[0].line, 1);
	assert_string_equal(cell(t, 0, 0), "2024届毕业生名单");
	assert_int_equal(t->rows[1].line, 3);
	assert_string_equal(cell(t, 1, 0), "姓名");
	assert_string_equal(cell(t, 1, 1), "身份证号");
	assert_string_equal(cell(t, 1, 2), "出生日期"); /* rich text runs */
	assert_string_equal(cell(t, 1, 3), "层次");
	assert_int_equal(t->rows[2].line, 4);
	assert_string_equal(cell(t, 2, 0), "张三");     /* phonetic run dropped */
	assert_string_equal(cell(t, 2, 1), "11010519491231002X");
	assert_string_equal(cell(t, 2, 2), "2000-01-01"); /* numFmt 14 */
	assert_string_equal(cell(t, 2, 3), " 本科 ");     /* untrimmed */
	assert_string_equal(cell(t, 2, 4), "1.1010519491231e+17");
	assert_string_equal(cell(t, 2, 5), "2.5");
	assert_string_equal(cell(t, 2, 6), "2000-01-02"); /* custom 年月日 */
	assert_string_equal(cell(t, 2, 7), "TRUE");
	assert_string_equal(cell(t, 2, 8), "340524800101001");
	assert_string_equal(cell(t, 2, 9), "张三");
	/* sparse row: A and B stay empty, the r-less cell follows C */
	assert_int_equal(t->rows[3].line, 7);
	assert_int_equal(t->rows[3].ncells, 4);
	assert_string_equal(cell(t, 3, 0), "");
	assert_string_equal(cell(t, 3, 2), "3");
	assert_string_equal(cell(t, 3, 3), "4");
	gc_table_free(t);
	free(p);
}

static void
test_xlsx_falls_back_to_sheet1_and_1904_dates(void **state)
{
	struct gc_table *t;
	struct gc_diag   d;
	char            *p;

	(void)state;
	/* the relationship points nowhere: xl/worksheets/sheet1.xml is used */
	p = xlsx_file("worksheets/missing.xml", "xl/worksheets/sheet1.xml",
	    SG_XLSX_SHEET("<row r=\"2\"><c r=\"B2\" s=\"1\"><v>0</v></c><c "
	    "r=\"C2\" s=\"1\"><v>35064</v></c></row>"), NULL,
	    "<workbookPr date1904=\"1\"/>");
	gc_diag_clear(&d);
	assert_int_equal(gc_table_read(&t, p, GC_ENC_AUTO, &d), GC_OK);
	assert_int_equal(t->nrows, 1);
	assert_int_equal(t->rows[0].line, 2);
	assert_string_equal(cell(t, 0, 1), "0"); /* serial 0 is no date */
	assert_string_equal(cell(t, 0, 2), "2000-01-01");
	gc_table_free(t);
	free(p);
}

static void
test_xlsx_damage_is_explained(void **state)
{
	struct gc_table *t;
	struct gc_diag   d;
	char            *p = xlsx_good(), *q;
	uint8_t         *buf;
	size_t           len;

	(void)state;
	/* cut in half */
	buf = gc_test_read_file(p, &len);
	q   = write_tmp("half.xlsx", buf, len / 2);
	gc_diag_clear(&d);
	assert_int_equal(gc_table_read(&t, q, GC_ENC_AUTO, &d), GC_EINVAL);
	assert_null(t);
	assert_msg_has(&d, "half.xlsx: starts like a zip (.xlsx) but the "
	    "archive is damaged or truncated");
	free(q);
	/* a flipped byte inside compressed data: CRC or inflate error */
	q = write_tmp("flip.xlsx", buf, len);
	for (size_t off = 200; off < len / 2; off += 97) {
		gc_test_flip_bit(q, off, 3);
	}
	gc_diag_clear(&d);
	assert_int_not_equal(gc_table_read(&t, q, GC_ENC_AUTO, &d), GC_OK);
	assert_null(t);
	assert_true(strlen(d.msg) > 0);
	free(q);
	free(buf);
	free(p);
}

static void
test_xlsx_zip_without_workbook_is_refused(void **state)
{
	struct gc_table     *t;
	struct gc_diag       d;
	const char          *dir = gc_test_tmpdir("zip");
	char                 path[600];
	const struct sg_part hello[] = { { "hello.txt", "hi" } };
	const struct sg_part ods[] = {
		{ "mimetype", "application/vnd.oasis.opendocument.spreadsheet" },
		{ "content.xml", "<x/>" },
	};

	(void)state;
	snprintf(path, sizeof(path), "%s/notes.xlsx", dir);
	sg_zip(path, hello, 1);
	gc_diag_clear(&d);
	assert_int_equal(gc_table_read(&t, path, GC_ENC_AUTO, &d), GC_EINVAL);
	assert_null(t);
	assert_msg_has(&d, "a zip archive but not an .xlsx workbook (it has no "
	    "xl/workbook.xml)");
	snprintf(path, sizeof(path), "%s/sheet.xlsx", dir);
	sg_zip(path, ods, 2);
	gc_diag_clear(&d);
	assert_int_equal(gc_table_read(&t, path, GC_ENC_AUTO, &d), GC_EINVAL);
	assert_msg_has(&d, "OpenDocument spreadsheet");
}

static void
test_xlsx_bad_xml_names_the_part(void **state)
{
	struct gc_table *t;
	struct gc_diag   d;
	char            *p;

	(void)state;
	p = xlsx_file("worksheets/sheet1.xml", "xl/worksheets/sheet1.xml",
	    SG_XLSX_SHEET("<row r=\"1\"><c><v>1</v></row>"), SST, "");
	gc_diag_clear(&d);
	assert_int_equal(gc_table_read(&t, p, GC_ENC_AUTO, &d), GC_EINVAL);
	assert_msg_has(&d, "roster.xlsx: xl/worksheets/sheet1.xml: XML error");
	free(p);

	p = xlsx_file("worksheets/sheet1.xml", "xl/worksheets/sheet1.xml",
	    SG_XLSX_SHEET("<row r=\"1\"><c t=\"s\"><v>99</v></c></row>"), SST,
	    "");
	gc_diag_clear(&d);
	assert_int_equal(gc_table_read(&t, p, GC_ENC_AUTO, &d), GC_EINVAL);
	assert_msg_has(&d, "row 1: shared string \"99\" does not exist (the "
	    "workbook has 5)");
	free(p);

	p = xlsx_file("worksheets/sheet1.xml", "xl/worksheets/sheet1.xml",
	    "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\">]>"
	    "<worksheet><sheetData><row><c t=\"inlineStr\"><is><t>&a;</t></is>"
	    "</c></row></sheetData></worksheet>", SST, "");
	gc_diag_clear(&d);
	assert_int_equal(gc_table_read(&t, p, GC_ENC_AUTO, &d), GC_EINVAL);
	assert_msg_has(&d, "DOCTYPE");
	free(p);

	p = xlsx_file("worksheets/sheet1.xml", "xl/worksheets/sheet1.xml",
	    SG_XLSX_SHEET(""), SST, "");
	gc_diag_clear(&d);
	assert_int_equal(gc_table_read(&t, p, GC_ENC_AUTO, &d), GC_EINVAL);
	assert_msg_has(&d, "the first worksheet is empty");
	free(p);
}

/* ---- .xls ---- */

static const struct sg_xls_cell xls_cells[] = {
	{ .row = 0, .col = 0, .kind = SG_XLS_SST, .text = "2024届学生名单" },
	{ .row = 2, .col = 0, .kind = SG_XLS_SST, .text = "姓名" },
	{ .row = 2, .col = 1, .kind = SG_XLS_SST, .text = "身份证号" },
	{ .row = 2, .col = 2, .kind = SG_XLS_LABEL, .text = "出生日期" },
	{ .row = 2, .col = 3, .kind = SG_XLS_SST, .text = "学号" },
	{ .row = 3, .col = 0, .kind = SG_XLS_SST, .text = "张三" },
	{ .row = 3, .col = 1, .kind = SG_XLS_LABEL,
	    .text = "11010519491231002X" },
	{ .row = 3, .col = 2, .kind = SG_XLS_NUMBER, .num = 18263.0,
	    .xf = SG_XF_DATE }, /* Excel's day 18263 is 1949-12-31 */
	{ .row = 3, .col = 3, .kind = SG_XLS_RK, .rk = 2024001 },
	{ .row = 4, .col = 0, .kind = SG_XLS_SST, .text = "李四" },
	{ .row = 4, .col = 1, .kind = SG_XLS_NUMBER,
	    .num = 110105194912310000.0 },
	{ .row = 4, .col = 2, .kind = SG_XLS_NUMBER, .num = 2.25 },
	{ .row = 4, .col = 3, .kind = SG_XLS_NUMBER, .num = 340524800101001.0 },
};

static char *
xls_good(size_t *len, uint8_t **bytes)
{
	uint8_t *f = sg_xls(xls_cells, sizeof(xls_cells) / sizeof(xls_cells[0]),
	    len);
	char    *p = write_tmp("roster.xls", f, *len);

	if (bytes != NULL) {
		*bytes = f;
	} else {
		free(f);
	}
	return p;
}

static void
test_xls_reads_biff8_written_here(void **state)
{
	struct gc_table *t;
	struct gc_diag   d;
	size_t           len;
	char            *p = xls_good(&len, NULL);

	(void)state;
	gc_diag_clear(&d);
	assert_int_equal(gc_table_read(&t, p, GC_ENC_AUTO, &d), GC_OK);
	assert_string_equal(t->format, "xls");
	assert_int_equal(t->nrows, 4);
	assert_int_equal(t->rows[0].line, 1);
	assert_string_equal(cell(t, 0, 0), "2024届学生名单");
	assert_int_equal(t->rows[0].ncells, 1); /* trailing empties dropped */
	assert_int_equal(t->rows[1].line, 3);
	assert_string_equal(cell(t, 1, 1), "身份证号");
	assert_string_equal(cell(t, 1, 2), "出生日期");
	assert_int_equal(t->rows[2].line, 4);
	assert_string_equal(cell(t, 2, 0), "张三");
	assert_string_equal(cell(t, 2, 1), "11010519491231002X");
	assert_string_equal(cell(t, 2, 2), "1949-12-31"); /* freexl's date */
	assert_string_equal(cell(t, 2, 3), "2024001");
	assert_string_equal(cell(t, 3, 1), "1.1010519491231e+17");
	assert_string_equal(cell(t, 3, 2), "2.25");
	assert_string_equal(cell(t, 3, 3), "340524800101001");
	gc_table_free(t);
	free(p);
}

/* A file from an independent writer: python3-xlwt run at test time.
 * Returns the bytes (malloc'd) or NULL, with a message, when python3-xlwt
 * is not installed (deploy/install-deps.sh installs it). */
static uint8_t *
xlwt_file(size_t *len)
{
	char    *dir = gc_test_tmpdir("xlwt");
	char     cmd[2048], path[1024];
	uint8_t *p;

	snprintf(path, sizeof(path), "%s/xlwt.xls", dir);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s/tests/data_gen/"
	    "make_xlwt_xls.py '%s' 2>/dev/null", GC_SRC_DIR, path);
	if (system(cmd) != 0) {
		print_message("python3-xlwt is not installed: skipping the "
		    "check against an independent .xls writer\n");
		return NULL;
	}
	p = gc_test_read_file(path, len);
	gc_test_rmrf(dir);
	return p;
}

/* A file from an independent writer (python3-xlwt), through to a roster. */
static void
test_xls_reads_file_written_by_xlwt(void **state)
{
	struct gc_table      *t;
	struct gc_roster     *r;
	struct gc_roster_opts o;
	struct gc_diag        d;
	size_t                xlen;
	uint8_t              *xls = xlwt_file(&xlen);
	char                 *p;

	(void)state;
	if (xls == NULL) {
		skip();
	}
	p = write_tmp("xlwt.xls", xls, xlen);
	free(xls);
	gc_diag_clear(&d);
	assert_int_equal(gc_table_read(&t, p, GC_ENC_AUTO, &d), GC_OK);
	assert_string_equal(t->format, "xls");
	assert_int_equal(t->nrows, 5);
	assert_string_equal(cell(t, 0, 0), "2024届毕业生图像采集名单");
	assert_int_equal(t->rows[1].line, 3);
	assert_string_equal(cell(t, 1, 3), "出生日期");
	assert_string_equal(cell(t, 2, 3), "1949-12-31");
	assert_string_equal(cell(t, 2, 5), "2024001");
	assert_string_equal(cell(t, 3, 1), "3.6042619910101e+17");
	assert_string_equal(cell(t, 4, 1), "340524800101001");
	assert_string_equal(cell(t, 4, 5), "2.5");
	memset(&o, 0, sizeof(o));
	o.school_code = "10335";
	o.today       = 20240601;
	assert_int_equal(gc_roster_from_table(&r, t, &o, &d), GC_OK);
	assert_int_equal(r->header_line, 3);
	assert_int_equal(r->nrows, 2);
	assert_string_equal(r->rows[0].f[GC_RF_BIRTH], "1949-12-31");
	assert_string_equal(r->rows[1].upgraded, "34052419800101001X");
	assert_int_equal(r->nrejects, 1);
	assert_int_equal(r->rejects[0].line, 5);
	assert_non_null(strstr(r->rejects[0].reason, "stored as a number by "
	    "Excel"));
	gc_roster_free(r);
	gc_table_free(t);
	free(p);
}

static void
test_xls_damage_is_explained(void **state)
{
	struct gc_table *t;
	struct gc_diag   d;
	size_t           len, wlen;
	uint8_t         *bytes, *word;
	char            *p = xls_good(&len, &bytes), *q;

	(void)state;
	q = write_tmp("half.xls", bytes, len / 2);
	gc_diag_clear(&d);
	assert_int_equal(gc_table_read(&t, q, GC_ENC_AUTO, &d), GC_EINVAL);
	assert_null(t);
	assert_msg_has(&d, "half.xls: truncated or damaged .xls file");
	free(q);
	/* only the OLE2 header */
	q = write_tmp("head.xls", bytes, 100);
	gc_diag_clear(&d);
	assert_int_equal(gc_table_read(&t, q, GC_ENC_AUTO, &d), GC_EINVAL);
	assert_msg_has(&d, "head.xls: ");
	free(q);
	/* an OLE2 file that holds no workbook (a .doc, say) */
	word = sg_cfb("WordDocument", bytes, 600, &wlen);
	q    = write_tmp("letter.xls", word, wlen);
	gc_diag_clear(&d);
	assert_int_equal(gc_table_read(&t, q, GC_ENC_AUTO, &d), GC_EINVAL);
	assert_msg_has(&d, "letter.xls: an OLE2 file without a Workbook stream");
	free(q);
	free(word);
	free(bytes);
	free(p);
}

/* ---- hostile input ---- */

static unsigned
rnd(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 16;
}

/* Either a table or an error that says something; never a crash. */
static void
read_survives(const char *path)
{
	struct gc_table *t = NULL;
	struct gc_diag   d;
	gc_err           rv;

	gc_diag_clear(&d);
	rv = gc_table_read(&t, path, GC_ENC_AUTO, &d);
	if (rv == GC_OK) {
		assert_non_null(t);
		gc_table_free(t);
	} else {
		assert_null(t);
		if (rv != GC_ENOMEM && d.msg[0] == '\0') {
			fail_msg("%s without a message", gc_strerror(rv));
		}
	}
}

/* Flips bytes past the magic number of a copy of good, sometimes cuts it. */
static void
mutate_and_read(const uint8_t *good, size_t len, const char *name,
    unsigned *seed, int rounds)
{
	const char *dir = gc_test_tmpdir("mut");
	uint8_t    *bad = malloc(len);
	char       *q;
	size_t      n;

	for (int round = 0; round < rounds; round++) {
		memcpy(bad, good, len);
		n = len;
		for (int k = 1 + (int)(rnd(seed) % 8); k > 0; k--) {
			size_t off = 8 + (((size_t)rnd(seed) << 16 | rnd(seed)) %
			    (len - 8));

			bad[off] = (uint8_t)rnd(seed);
		}
		if (round % 7 == 0) {
			n = 8 + rnd(seed) % (len - 8);
		}
		q = gc_test_write_file(dir, name, bad, n);
		read_survives(q);
		free(q);
	}
	free(bad);
}

/* libfreexl overflows buffers on some damaged files (found by this very
 * test); the reader runs it in a child process, so the caller only ever
 * sees an error. */
static void
test_xls_damaged_files_never_crash_the_caller(void **state)
{
	size_t   len;
	uint8_t *good;
	char    *p = xls_good(&len, &good);
	unsigned seed = 4242;

	struct gc_table *t;
	struct gc_diag   d;
	uint32_t         dir;
	char            *q;

	(void)state;
	mutate_and_read(good, len, "bad.xls", &seed, 150);
	{
		size_t   xlen;
		uint8_t *xls = xlwt_file(&xlen);

		if (xls != NULL) {
			mutate_and_read(xls, xlen, "bad2.xls", &seed, 150);
			free(xls);
		}
	}
	/* a directory name 65535 bytes long: freexl reads far past its
	 * 4 KiB stack buffer (ASan stops the child; without ASan it reads
	 * garbage) */
	memcpy(&dir, good + 48, 4);
	good[512 * (dir + 1) + 64]     = 0xFF;
	good[512 * (dir + 1) + 64 + 1] = 0xFF;
	q = write_tmp("longname.xls", good, len);
	gc_diag_clear(&d);
	assert_int_equal(gc_table_read(&t, q, GC_ENC_AUTO, &d), GC_EINVAL);
	assert_null(t);
	assert_msg_has(&d, "longname.xls: ");
	free(q);
	/* every child was reaped */
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	free(good);
	free(p);
}

/* Damaged XML inside a sound zip: expat and our handlers see it all. */
static void
test_xlsx_damaged_xml_never_crashes(void **state)
{
	static const char *const ins[] = { "<", ">", "\"", "/", "r=\"ZZZZ9\"",
		"t=\"s\"", "<v>99999999999</v>", "<c>", "</row>",
		"<row r=\"0\">", "s=\"-1\"", "&amp;", "\xff", "<t>", "</si>",
		"<si>", "<rPh>", "r=\"A1048577\"", "r=\"XFD5\"", "t=\"n\"" };
	const char *sheet = SG_XLSX_SHEET(SHEET_ROWS);
	unsigned    seed  = 99;
	char        m[8192];

	(void)state;
	for (int round = 0; round < 200; round++) {
		size_t n = strlen(sheet);
		char  *p;

		memcpy(m, sheet, n + 1);
		for (int k = 1 + (int)(rnd(&seed) % 6); k > 0; k--) {
			size_t      off = rnd(&seed) % n;
			const char *x   = ins[rnd(&seed) % (sizeof(ins) /
			    sizeof(ins[0]))];
			size_t      l   = strlen(x);

			if (rnd(&seed) % 2 && m[off] != '\0') {
				m[off] = (char)(1 + rnd(&seed) % 255);
			} else if (n + l < sizeof(m)) {
				memmove(m + off + l, m + off, n - off + 1);
				memcpy(m + off, x, l);
				n += l;
			}
		}
		p = xlsx_file("worksheets/sheet1.xml",
		    "xl/worksheets/sheet1.xml", m, round % 3 ? SST : "<sst>"
		    "<si><t>x</t></si><si><r><t>", "");
		read_survives(p);
		free(p);
	}
}

/* ---- allocation failure ---- */

/* Runs fn with the nth allocation failing for n = 1.. until it succeeds;
 * every failure must be clean (ASan checks for leaks). */
static void
fail_loop(gc_err (*fn)(void *arg, struct gc_table **t), void *arg)
{
	struct gc_table *t;
	gc_err           rv;
	long             n;

	for (n = 1; n < 100000; n++) {
		gc_alloc_fail_after(n);
		t  = NULL;
		rv = fn(arg, &t);
		gc_alloc_fail_after(0);
		if (rv == GC_OK) {
			assert_non_null(t);
			gc_table_free(t);
			break;
		}
		assert_null(t);
		assert_int_equal(rv, GC_ENOMEM);
	}
	assert_true(n > 3); /* the loop really failed something */
	assert_true(n < 100000);
}

static gc_err
fl_csv(void *arg, struct gc_table **t)
{
	struct gc_diag d;

	gc_diag_clear(&d);
	return gc_table_parse_csv(t, "x.csv", arg, strlen(arg), GC_ENC_AUTO,
	    &d);
}

static gc_err
fl_file(void *arg, struct gc_table **t)
{
	struct gc_diag d;

	gc_diag_clear(&d);
	return gc_table_read(t, arg, GC_ENC_AUTO, &d);
}

static void
test_table_allocation_failures_are_clean(void **state)
{
	size_t len, glen;
	char  *x, *xl, *gb;

	(void)state;
	fail_loop(fl_csv, "姓名,证件号码\n张三,\"a\"\"b\"\n李四,\"x\ny\"\n"
	    "王五,3\n");
	gb = gc_test_to_gb18030("姓名,证件号码\n张三,1\n", &glen);
	gb = realloc(gb, glen + 1);
	gb[glen] = '\0';
	fail_loop(fl_csv, gb);
	free(gb);
	x = xlsx_good();
	fail_loop(fl_file, x);
	free(x);
	xl = xls_good(&len, NULL);
	fail_loop(fl_file, xl);
	free(xl);
}

/* ---- scale ---- */

static void
test_csv_50000_rows_all_accepted(void **state)
{
	const size_t          nrows = 50000;
	struct gc_table      *t;
	struct gc_roster     *r;
	struct gc_roster_opts o;
	struct gc_diag        d;
	char                 *s = malloc(nrows * 96 + 128), id[19];
	size_t                n;

	(void)state;
	n = (size_t)sprintf(s, "姓名,证件号码,性别,学号,层次\n");
	for (size_t i = 0; i < nrows; i++) {
		/* 3201021990MMDD + sequence: unique, valid dates */
		snprintf(id, sizeof(id), "3201021990%02zu%02zu%03zu",
		    1 + i % 12, 1 + (i / 12) % 28, (i / 336) % 1000);
		id[17] = gc_idnum_check_char(id);
		id[18] = '\0';
		n += (size_t)sprintf(s + n, "学生%zu,%s,%s,S%07zu,本科\n", i, id,
		    ((id[16] - '0') % 2) ? "男" : "女", i);
	}
	assert_int_equal(parse(s, n, GC_ENC_AUTO, &t, &d), GC_OK);
	assert_int_equal(t->nrows, nrows + 1);
	memset(&o, 0, sizeof(o));
	o.school_code = "10284";
	o.today       = 20240601;
	gc_diag_clear(&d);
	assert_int_equal(gc_roster_from_table(&r, t, &o, &d), GC_OK);
	if (r->nrejects > 0) {
		fail_msg("row %u %s: %s", r->rejects[0].line,
		    r->rejects[0].column, r->rejects[0].reason);
	}
	assert_int_equal(r->nrows, nrows);
	assert_int_equal(r->rows[nrows - 1].line, nrows + 1);
	gc_roster_free(r);
	gc_table_free(t);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_utf8_reads_cells_and_lines),
		cmocka_unit_test(test_csv_utf8_bom_is_skipped),
		cmocka_unit_test(test_csv_gbk_is_detected_and_converted),
		cmocka_unit_test(test_csv_quoting_follows_rfc4180),
		cmocka_unit_test(test_csv_line_ends_crlf_cr_and_none),
		cmocka_unit_test(
		    test_csv_blank_rows_are_skipped_and_cells_kept_untrimmed),
		cmocka_unit_test(test_csv_tab_separated_when_first_line_has_tabs),
		cmocka_unit_test(test_csv_empty_and_blank_files_are_refused),
		cmocka_unit_test(test_csv_binary_garbage_is_refused),
		cmocka_unit_test(test_csv_invalid_utf8_names_the_offset),
		cmocka_unit_test(test_csv_unterminated_quote_names_its_line),
		cmocka_unit_test(test_csv_limits_name_the_row),
		cmocka_unit_test(test_table_read_dispatches_csv_and_reports_missing),
		cmocka_unit_test(test_xlsx_reads_first_sheet_by_relationship),
		cmocka_unit_test(test_xlsx_falls_back_to_sheet1_and_1904_dates),
		cmocka_unit_test(test_xlsx_damage_is_explained),
		cmocka_unit_test(test_xlsx_zip_without_workbook_is_refused),
		cmocka_unit_test(test_xlsx_bad_xml_names_the_part),
		cmocka_unit_test(test_xls_reads_biff8_written_here),
		cmocka_unit_test(test_xls_reads_file_written_by_xlwt),
		cmocka_unit_test(test_xls_damage_is_explained),
		cmocka_unit_test(test_xls_damaged_files_never_crash_the_caller),
		cmocka_unit_test(test_xlsx_damaged_xml_never_crashes),
		cmocka_unit_test(test_table_allocation_failures_are_clean),
		cmocka_unit_test(test_csv_50000_rows_all_accepted),
	};

	return cmocka_run_group_tests_name("common.table", tests, NULL, NULL);
}

/* Tests for common/roster.c: header detection, column mapping, every
 * reject kind with its row, column and reason, normalisation, and
 * allocation failure. Tables are built from CSV text. */
#include <stdarg.h> /* cmocka 1.1.5 needs these four before cmocka.h */
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/gc_alloc.h"
#include "common/idnum.h"
#include "common/roster.h"
#include "tests/testutil.h"

/* Valid numbers (domain.md §3.1) and what they say. */
#define ID_F1949 "11010519491231002X" /* 1949-12-31, female */
#define ID_M1880 "440524188001010014" /* 1880-01-01, male */
#define ID_M1991 "360426199101010071" /* 1991-01-01, male */
#define ID_M1980 "34052419800101001X" /* 1980-01-01, male */
#define ID_15    "340524800101001"    /* upgrades to ID_M1980 */

struct fx {
	struct gc_table      *t;
	struct gc_roster     *r;
	struct gc_roster_opts o;
	struct gc_diag        d;
};

static void
opts_init(struct gc_roster_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->school_code = "10335";
	o->today       = 20240601;
}

/* The roster of a CSV file's bytes, their encoding detected. */
static gc_err
load_bytes(struct fx *f, const void *csv, size_t len)
{
	gc_diag_clear(&f->d);
	f->r = NULL;
	assert_int_equal(gc_table_parse_csv(&f->t, "roster.csv",
	    (const uint8_t *)csv, len, GC_ENC_AUTO, &f->d), GC_OK);
	return gc_roster_from_table(&f->r, f->t, &f->o, &f->d);
}

static gc_err
load(struct fx *f, const char *csv)
{
	return load_bytes(f, csv, strlen(csv));
}


static void
fx_done(struct fx *f)
{
	gc_roster_free(f->r);
	gc_table_free(f->t);
	f->r = NULL;
	f->t = NULL;
}

static const struct gc_roster_reject *
find_reject(const struct gc_roster *r, uint32_t line)
{
	for (size_t i = 0; i < r->nrejects; i++) {
		if (r->rejects[i].line == line) {
			return &r->rejects[i];
		}
	}
	fail_msg("no reject for row %u", line);
	return NULL;
}

static void
assert_reject(const struct gc_roster *r, uint32_t line, const char *column,
    const char *reason_part)
{
	const struct gc_roster_reject *j = find_reject(r, line);

	assert_string_equal(j->column, column);
	if (strstr(j->reason, reason_part) == NULL) {
		fail_msg("row %u reason \"%s\" lacks \"%s\"", line, j->reason,
		    reason_part);
	}
}

/* ---- header ---- */

static void
test_roster_header_below_title_with_chinese_names(void **state)
{
	struct fx f;

	(void)state;
	opts_init(&f.o);
	assert_int_equal(load(&f,
	    "浙江大学2024届毕业生图像采集名单,,,\n"
	    "制表日期：2024-05-01,,,\n"
	    "序号, 姓名 ,身份证号,性别,出生日期,学号,考生号,层次,学院,专业名称,"
	    "班级,校区,备注\n"
	    "1,张三," ID_F1949 ",女,1949-12-31,2024001,24330101,本科,"
	    "计算机学院,软件工程,软工2001,紫金港,\n"), GC_OK);
	assert_int_equal(f.r->header_line, 3);
	assert_int_equal(f.r->col[GC_RF_NAME], 1);
	assert_int_equal(f.r->col[GC_RF_ID_NUMBER], 2);
	assert_int_equal(f.r->col[GC_RF_SEX], 3);
	assert_int_equal(f.r->col[GC_RF_BIRTH], 4);
	assert_int_equal(f.r->col[GC_RF_STUDENT_NO], 5);
	assert_int_equal(f.r->col[GC_RF_EXAM_NO], 6);
	assert_int_equal(f.r->col[GC_RF_LEVEL], 7);
	assert_int_equal(f.r->col[GC_RF_DEPT], 8);
	assert_int_equal(f.r->col[GC_RF_MAJOR], 9);
	assert_int_equal(f.r->col[GC_RF_CLASS], 10);
	assert_int_equal(f.r->col[GC_RF_CAMPUS], 11);
	assert_int_equal(f.r->col[GC_RF_ID_TYPE], -1);
	assert_int_equal(f.r->nunknown, 2); /* 序号, 备注 */
	assert_int_equal(f.r->nrows, 1);
	assert_int_equal(f.r->nrejects, 0);
	assert_int_equal(f.r->rows[0].line, 4);
	assert_string_equal(f.r->rows[0].f[GC_RF_NAME], "张三");
	assert_string_equal(f.r->rows[0].f[GC_RF_ID_NUMBER], ID_F1949);
	assert_string_equal(f.r->rows[0].f[GC_RF_ID_TYPE], "1");
	assert_string_equal(f.r->rows[0].f[GC_RF_SEX], "F");
	assert_string_equal(f.r->rows[0].f[GC_RF_BIRTH], "1949-12-31");
	assert_string_equal(f.r->rows[0].f[GC_RF_LEVEL], "本科");
	assert_string_equal(f.r->rows[0].f[GC_RF_DEPT], "计算机学院");
	assert_string_equal(f.r->rows[0].f[GC_RF_CAMPUS], "紫金港");
	assert_string_equal(f.r->rows[0].level_code, "05");
	assert_string_equal(f.r->rows[0].upgraded, "");
	assert_string_equal(f.r->rows[0].key, "10335:1:" ID_F1949 ":05");
	fx_done(&f);
}

static void
test_roster_header_with_chsi_codes(void **state)
{
	struct fx f;

	(void)state;
	opts_init(&f.o);
	assert_int_equal(load(&f,
	    "ksh,xh,xm,xb,csrq,zjlx,sfzh,cc,fy,zymc,bh\n"
	    "24330101,S1,李四,1,19910101,居民身份证,"
	    "360426199101010071,硕士研究生,管理学院,会计,1班\n"
	    "24330102,S2,王五,M,1880年1月1日,1,440524188001010014,02,,,\n"),
	    GC_OK);
	assert_int_equal(f.r->header_line, 1);
	assert_int_equal(f.r->col[GC_RF_EXAM_NO], 0);
	assert_int_equal(f.r->col[GC_RF_ID_TYPE], 5);
	assert_int_equal(f.r->col[GC_RF_ID_NUMBER], 6);
	assert_int_equal(f.r->nunknown, 0);
	assert_int_equal(f.r->nrejects, 0);
	assert_int_equal(f.r->nrows, 2);
	assert_string_equal(f.r->rows[0].f[GC_RF_SEX], "M");
	assert_string_equal(f.r->rows[0].level_code, "02");
	assert_string_equal(f.r->rows[0].f[GC_RF_CLASS], "1班");
	assert_string_equal(f.r->rows[1].f[GC_RF_BIRTH], "1880-01-01");
	assert_null(f.r->rows[1].f[GC_RF_DEPT]);
	fx_done(&f);
}

static void
test_roster_override_replaces_builtin_names(void **state)
{
	struct fx f;

	(void)state;
	opts_init(&f.o);
	f.o.map[GC_RF_ID_NUMBER] = "有效证件号";
	f.o.map[GC_RF_LEVEL]     = "学生类别";
	assert_int_equal(load(&f,
	    "姓名,身份证号,有效证件号,学生类别\n"
	    "张三,not-an-id," ID_M1991 ",博士\n"), GC_OK);
	assert_int_equal(f.r->col[GC_RF_ID_NUMBER], 2);
	assert_int_equal(f.r->col[GC_RF_LEVEL], 3);
	assert_int_equal(f.r->nunknown, 1); /* 身份证号 no longer matches */
	assert_int_equal(f.r->nrows, 1);
	assert_string_equal(f.r->rows[0].level_code, "01");
	fx_done(&f);
}

static void
test_roster_missing_columns_are_errors(void **state)
{
	struct fx f;

	(void)state;
	opts_init(&f.o);
	assert_int_equal(load(&f, "姓名,学号,层次\n张三,1,本科\n"), GC_EINVAL);
	assert_null(f.r);
	assert_non_null(strstr(f.d.msg, "no 证件号码 column"));
	assert_non_null(strstr(f.d.msg, "SFZH"));
	fx_done(&f);

	assert_int_equal(load(&f, "a,b\n1,2\n"), GC_EINVAL);
	assert_string_equal(f.d.msg, "no header row with 姓名 and 证件号码 "
	    "columns found in the first 20 rows");
	fx_done(&f);

	assert_int_equal(load(&f, "姓名,身份证号\n张三," ID_F1949 "\n"),
	    GC_EINVAL);
	assert_non_null(strstr(f.d.msg, "no 层次 column and no default level "
	    "configured"));
	fx_done(&f);

	/* a header below row 20 is not searched for */
	{
		char   csv[512];
		size_t n = 0;

		for (int i = 0; i < 20; i++) {
			n += (size_t)sprintf(csv + n, "title %d\n", i);
		}
		sprintf(csv + n, "姓名,身份证号,层次\n");
		assert_int_equal(load(&f, csv), GC_EINVAL);
		fx_done(&f);
	}

	/* bad options */
	f.o.school_code = "1033";
	assert_int_equal(load(&f, "姓名,身份证号,层次\n"), GC_EINVAL);
	assert_non_null(strstr(f.d.msg, "not 5 digits"));
	fx_done(&f);
	opts_init(&f.o);
	f.o.default_level = "研究生";
	assert_int_equal(load(&f, "姓名,身份证号\n"), GC_EINVAL);
	assert_non_null(strstr(f.d.msg, "default level"));
	fx_done(&f);
}

static void
test_roster_default_level_fills_missing_column_and_cells(void **state)
{
	struct fx f;

	(void)state;
	opts_init(&f.o);
	f.o.default_level = "本科";
	assert_int_equal(load(&f, "姓名,身份证号\n张三," ID_F1949 "\n"), GC_OK);
	assert_int_equal(f.r->nrows, 1);
	assert_string_equal(f.r->rows[0].level_code, "05");
	assert_string_equal(f.r->rows[0].f[GC_RF_LEVEL], "本科");
	fx_done(&f);

	assert_int_equal(load(&f, "姓名,身份证号,层次\n张三," ID_F1949 ",\n"
	    "李四," ID_M1991 ",硕士\n"), GC_OK);
	assert_int_equal(f.r->nrows, 2);
	assert_string_equal(f.r->rows[0].level_code, "05");
	assert_string_equal(f.r->rows[1].level_code, "02");
	fx_done(&f);

	f.o.default_level = NULL;
	assert_int_equal(load(&f, "姓名,身份证号,层次\n张三," ID_F1949 ",\n"),
	    GC_OK);
	assert_int_equal(f.r->nrows, 0);
	assert_reject(f.r, 2, "层次", "层次 is empty and no default level");
	fx_done(&f);
}

/* ---- rejects ---- */

static void
test_roster_rejects_name_row_column_and_value(void **state)
{
	struct fx f;
	char      bad[19];

	(void)state;
	opts_init(&f.o);
	/* a wrong check character for ID_M1991 */
	memcpy(bad, ID_M1991, 19);
	bad[17] = '2';
	{
		char csv[4096];

		snprintf(csv, sizeof(csv),
		    "姓名,身份证号码,XB,出生日期,学号,KSH,层次\n"
		    "张三," ID_F1949 ",女,19491231,S1,K1,本科\n"       /* 2 ok */
		    "李四,%s,男,,S2,K2,本科\n"                         /* 3 */
		    "王五," ID_M1991 ",女,,S3,K3,本科\n"               /* 4 */
		    "赵六," ID_M1880 ",男,1880-01-02,S4,K4,本科\n"     /* 5 */
		    "钱七," ID_M1980 ",男,,S5,K5,大专\n"               /* 6 */
		    "," ID_M1980 ",男,,S6,K6,本科\n"                   /* 7 */
		    "孙八," ID_F1949 ",女,,S7,K7,本科\n"               /* 8 */
		    "周九," ID_M1991 ",男,,S1,K8,博士\n"               /* 9 */
		    "吴十," ID_M1991 ",男,,S9,K1,硕士\n"               /* 10 */
		    "郑一,1.10105194912310E+17,女,,S10,K10,本科\n"     /* 11 */
		    "张 三," ID_M1980 ",男,,S11,K11,本科\n"            /* 12 */
		    "冯二,,男,,S12,K12,本科\n"                          /* 13 */
		    "陈三," ID_M1980 ",未知,,S13,K13,本科\n"           /* 14 */
		    "褚四," ID_M1980 ",男,1980-13-01,S14,K14,本科\n"   /* 15 */
		    "卫五,110105194912310000,女,,S15,K15,本科\n"       /* 16 */
		    "Zhang San," ID_M1991 ",M,,S16,K16,本科\n",        /* 17 ok */
		    bad);
		assert_int_equal(load(&f, csv), GC_OK);
	}
	assert_int_equal(f.r->nrows, 2);
	assert_int_equal(f.r->rows[0].line, 2);
	assert_int_equal(f.r->rows[1].line, 17);
	assert_int_equal(f.r->nrejects, 14);
	assert_reject(f.r, 3, "身份证号码", "check digit is 2, expected 1");
	assert_reject(f.r, 3, "身份证号码", "\"360426199101010072\"");
	assert_reject(f.r, 4, "XB", "性别 is 女 but ID digit 17 says 男");
	assert_reject(f.r, 5, "出生日期", "出生日期 is 1880-01-02 but the ID "
	    "number says 1880-01-01");
	assert_reject(f.r, 6, "层次", "unknown 层次 \"大专\"");
	assert_reject(f.r, 7, "姓名", "姓名 is empty");
	assert_reject(f.r, 8, "身份证号码", "duplicate of row 2");
	assert_reject(f.r, 9, "学号", "duplicate of row 2 (same 学号 \"S1\")");
	assert_reject(f.r, 10, "KSH", "duplicate of row 2 (same 考生号 \"K1\")");
	assert_reject(f.r, 11, "身份证号码", "ID number was stored as a number "
	    "by Excel and lost its last digits; format the column as text");
	assert_reject(f.r, 11, "身份证号码", "\"1.10105194912310E+17\"");
	assert_reject(f.r, 12, "姓名", "姓名 \"张 三\" has a space inside");
	assert_reject(f.r, 13, "身份证号码", "证件号码 is empty");
	assert_reject(f.r, 14, "XB", "性别 \"未知\" is not 男 or 女");
	assert_reject(f.r, 15, "出生日期", "出生日期 \"1980-13-01\" is not a date");
	assert_reject(f.r, 16, "身份证号码", "its last digits were lost");
	fx_done(&f);
}

static void
test_roster_duplicate_key_depends_on_level(void **state)
{
	struct fx f;

	(void)state;
	opts_init(&f.o);
	/* 硕博连读: the same person at two levels is two captures */
	assert_int_equal(load(&f, "姓名,身份证号,层次\n"
	    "张三," ID_F1949 ",硕士\n张三," ID_F1949 ",博士\n"
	    "张三,11010519491231002x,博士研究生\n"), GC_OK);
	assert_int_equal(f.r->nrows, 2);
	assert_reject(f.r, 4, "身份证号", "duplicate of row 3 (same 证件号码 "
	    ID_F1949 " and 层次 01)");
	fx_done(&f);
}

static void
test_roster_id_types_and_fifteen_digits(void **state)
{
	struct fx f;

	(void)state;
	opts_init(&f.o);
	assert_int_equal(load(&f, "姓名,证件类型,证件号码,性别,出生日期,层次\n"
	    "甲,," ID_15 ",男,1980-01-01,本科\n"             /* 2 */
	    "乙,护照,E12345678,女,2001/2/3,本科\n"            /* 3 */
	    "丙,港澳居民来往内地通行证,H1234567801,男,,本科\n" /* 4 */
	    "丁,驾驶证,123456,男,,本科\n"                      /* 5 */
	    "戊,1,E12345678,男,,本科\n"                        /* 6 */
	    "己,A,340524800101001.0,男,,本科\n"                /* 7 */
	    "庚,," ID_15 ",女,,本科\n"),                       /* 8 */
	    GC_OK);
	assert_int_equal(f.r->nrows, 3);
	assert_string_equal(f.r->rows[0].f[GC_RF_ID_NUMBER], ID_15);
	assert_string_equal(f.r->rows[0].upgraded, ID_M1980);
	assert_string_equal(f.r->rows[0].f[GC_RF_BIRTH], "1980-01-01");
	assert_string_equal(f.r->rows[0].f[GC_RF_ID_TYPE], "1");
	assert_string_equal(f.r->rows[1].f[GC_RF_ID_TYPE], "A");
	assert_string_equal(f.r->rows[1].f[GC_RF_SEX], "F");
	assert_string_equal(f.r->rows[1].f[GC_RF_BIRTH], "2001-02-03");
	assert_string_equal(f.r->rows[1].key, "10335:A:E12345678:05");
	assert_string_equal(f.r->rows[2].f[GC_RF_ID_TYPE], "6");
	assert_string_equal(f.r->rows[2].f[GC_RF_ID_NUMBER], "H12345678");
	assert_reject(f.r, 5, "证件类型", "unknown 证件类型 \"驾驶证\"");
	assert_reject(f.r, 6, "证件号码", "\"E12345678\"");
	assert_reject(f.r, 7, "证件号码", "stored as a number (it ends in "
	    "\".0\")");
	assert_reject(f.r, 8, "性别", "性别 is 女 but ID digit 15 says 男");
	fx_done(&f);
}

/* 军官证/士兵证 numbers with Chinese characters, 户口簿 as a resident
 * number, and the refusals, from a UTF-8 file and from the same file in
 * GBK (GB18030), as schools' Excel exports it. */
static void
test_roster_military_numbers_in_utf8_and_gbk(void **state)
{
	static const char csv[] =
	    "姓名,证件类型,证件号码,性别,层次\n"
	    "张三,军官证,南字第0123456号,男,本科\n"                 /* 2 */
	    "李四,3,士字第\xEF\xBC\x91\xEF\xBC\x92" "34567号,女,本科\n" /* 3 */
	    "王五,户口簿," ID_F1949 ",女,本科\n"                    /* 4 */
	    "赵六,02,南字第0123/456号,男,本科\n"                    /* 5 */
	    "钱七,,南字第7654321号,男,本科\n"                       /* 6 */
	    "孙八,军官证, 南字第0123456号 ,男,本科\n"               /* 7 */
	    "周九,户口簿,南字第1111111号,男,本科\n";                /* 8 */
	struct fx f;
	size_t    glen;
	char     *gb = gc_test_to_gb18030(csv, &glen);

	(void)state;
	assert_true(glen < strlen(csv)); /* really re-encoded */
	for (int pass = 0; pass < 2; pass++) {
		opts_init(&f.o);
		if (pass == 0) {
			assert_int_equal(load(&f, csv), GC_OK);
			assert_string_equal(f.t->encoding, "utf-8");
		} else {
			assert_int_equal(load_bytes(&f, gb, glen), GC_OK);
			assert_string_equal(f.t->encoding, "gb18030");
		}
		assert_int_equal(f.r->nrows, 3);
		assert_int_equal(f.r->nrejects, 4);
		assert_string_equal(f.r->rows[0].f[GC_RF_NAME], "张三");
		assert_string_equal(f.r->rows[0].f[GC_RF_ID_TYPE], "2");
		assert_string_equal(f.r->rows[0].f[GC_RF_ID_NUMBER],
		    "南字第0123456号");
		assert_string_equal(f.r->rows[0].f[GC_RF_SEX], "M");
		assert_null(f.r->rows[0].f[GC_RF_BIRTH]);
		assert_string_equal(f.r->rows[0].key,
		    "10335:2:南字第0123456号:05");
		assert_string_equal(f.r->rows[1].f[GC_RF_ID_TYPE], "3");
		assert_string_equal(f.r->rows[1].f[GC_RF_ID_NUMBER],
		    "士字第1234567号");
		assert_string_equal(f.r->rows[1].key,
		    "10335:3:士字第1234567号:05");
		assert_string_equal(f.r->rows[2].f[GC_RF_ID_TYPE], "B");
		assert_string_equal(f.r->rows[2].f[GC_RF_BIRTH], "1949-12-31");
		assert_string_equal(f.r->rows[2].key, "10335:B:" ID_F1949 ":05");
		assert_reject(f.r, 5, "证件号码", "character '/' at position 8 "
		    "is not a letter, digit, '-' or Chinese character");
		assert_reject(f.r, 6, "证件号码", "Chinese characters are only "
		    "allowed with a 证件类型");
		assert_reject(f.r, 7, "证件号码", "duplicate of row 2 (same "
		    "证件号码 南字第0123456号");
		assert_reject(f.r, 8, "证件号码", "is not a digit");
		fx_done(&f);
	}
	free(gb);
}

static void
test_roster_cells_are_trimmed_and_blank_rows_skipped(void **state)
{
	struct fx f;

	(void)state;
	opts_init(&f.o);
	assert_int_equal(load(&f, "姓名,身份证号,层次,班级\n"
	    "\xE3\x80\x80张三 ,\t11010519491231002x ,  本科\xE3\x80\x80, \n"
	    " , ,\xE3\x80\x80,\n"
	    "李四," ID_M1991 ",本科,\n"), GC_OK);
	assert_int_equal(f.r->nrows, 2);
	assert_int_equal(f.r->nrejects, 0);
	assert_string_equal(f.r->rows[0].f[GC_RF_NAME], "张三");
	assert_string_equal(f.r->rows[0].f[GC_RF_ID_NUMBER], ID_F1949);
	assert_string_equal(f.r->rows[0].f[GC_RF_LEVEL], "本科");
	assert_null(f.r->rows[0].f[GC_RF_CLASS]);
	assert_int_equal(f.r->rows[1].line, 4);
	fx_done(&f);
}

static void
test_roster_name_rules(void **state)
{
	struct fx f;

	(void)state;
	opts_init(&f.o);
	assert_int_equal(load(&f, "姓名,身份证号,层次\n"
	    "买买提·艾力," ID_M1991 ",本科\n"
	    "张\xE3\x80\x80三," ID_M1880 ",本科\n"
	    "\"张\n三\"," ID_M1980 ",本科\n"
	    "Aaaaaaaaaa Bbbbbbbbbb Cccccccccc Dddddddddd," ID_F1949 ",本科\n"),
	    GC_OK);
	assert_int_equal(f.r->nrows, 1);
	assert_reject(f.r, 3, "姓名", "has a space inside");
	assert_reject(f.r, 4, "姓名", "control character or line break");
	assert_reject(f.r, 6, "姓名", "is 43 characters long, at most 40");
	fx_done(&f);
}

/* ---- lookups ---- */

/* The optional 邮箱 column: kept as given; a value that is not one
 * NAME@DOMAIN (it goes into RCPT TO and a To: header) rejects the row. */
static void
test_roster_email_column_checked(void **state)
{
	struct fx f;

	(void)state;
	opts_init(&f.o);
	assert_int_equal(load(&f,
	    "姓名,身份证号,层次,电子邮箱\n"
	    "张三," ID_F1949 ",本科,zhang.san@stu.example.edu.cn\n"
	    "李四," ID_M1880 ",本科,\n"
	    "王五," ID_M1991 ",本科,wang wu@example.cn\n"
	    "赵六," ID_M1980 ",本科,<x@y.cn>\n"), GC_OK);
	assert_int_not_equal(f.r->col[GC_RF_EMAIL], -1);
	assert_int_equal(f.r->nrows, 2);
	assert_string_equal(f.r->rows[0].f[GC_RF_EMAIL],
	    "zhang.san@stu.example.edu.cn");
	assert_null(f.r->rows[1].f[GC_RF_EMAIL]);
	assert_reject(f.r, 4, "电子邮箱", "is not an e-mail address");
	assert_int_equal(f.r->nrejects, 2);
	assert_string_equal(gc_roster_field_label(GC_RF_EMAIL), "邮箱");
	fx_done(&f);
}

static void
test_roster_field_names_and_levels(void **state)
{
	(void)state;
	for (int i = 0; i < GC_RF_COUNT; i++) {
		assert_int_equal(gc_roster_field_parse(gc_roster_field_name(
		    (enum gc_roster_field)i)), i);
	}
	assert_string_equal(gc_roster_field_name(GC_RF_STUDENT_NO),
	    "student_no");
	assert_string_equal(gc_roster_field_label(GC_RF_ID_NUMBER), "证件号码");
	assert_string_equal(gc_roster_field_label(GC_RF_CAMPUS), "校区");
	assert_int_equal(gc_roster_field_parse("nope"), -1);
	assert_int_equal(gc_roster_field_parse(NULL), -1);
	assert_string_equal(gc_roster_field_name(GC_RF_COUNT), "unknown");

	assert_string_equal(gc_level_code("博士研究生"), "01");
	assert_string_equal(gc_level_code("博士"), "01");
	assert_string_equal(gc_level_code("硕士"), "02");
	assert_string_equal(gc_level_code("第二学士学位"), "04");
	assert_string_equal(gc_level_code("专升本"), "05");
	assert_string_equal(gc_level_code("高中起点本科"), "05");
	assert_string_equal(gc_level_code(" 高起本 "), "05");
	assert_string_equal(gc_level_code("专科(高职)"), "06");
	assert_string_equal(gc_level_code("专科（高职）"), "06");
	assert_string_equal(gc_level_code("高起专"), "06");
	assert_string_equal(gc_level_code("06"), "06");
	assert_null(gc_level_code("03"));
	assert_null(gc_level_code("研究生"));
	assert_null(gc_level_code(""));
	assert_null(gc_level_code(NULL));
}

/* ---- robustness ---- */

static void
test_roster_allocation_failures_are_clean(void **state)
{
	struct fx f;
	gc_err    rv;
	long      n;

	(void)state;
	opts_init(&f.o);
	gc_diag_clear(&f.d);
	assert_int_equal(gc_table_parse_csv(&f.t, "r.csv", (const uint8_t *)
	    "title\n姓名,身份证号,层次,学号,考生号,性别,出生日期,院系\n"
	    "张三," ID_F1949 ",本科,1,K1,女,1949-12-31,计算机\n"
	    "李四," ID_M1991 ",硕士,2,K2,男,,\n"
	    "王五," ID_F1949 ",本科,3,K3,,,\n"
	    "赵六,bad,本科,4,K4,,,\n"
	    "钱七," ID_15 ",专科,5,K5,,,\n",
	    strlen("title\n姓名,身份证号,层次,学号,考生号,性别,出生日期,院系\n"
	    "张三," ID_F1949 ",本科,1,K1,女,1949-12-31,计算机\n"
	    "李四," ID_M1991 ",硕士,2,K2,男,,\n"
	    "王五," ID_F1949 ",本科,3,K3,,,\n"
	    "赵六,bad,本科,4,K4,,,\n"
	    "钱七," ID_15 ",专科,5,K5,,,\n"), GC_ENC_AUTO, &f.d), GC_OK);
	for (n = 1; n < 10000; n++) {
		gc_alloc_fail_after(n);
		f.r = NULL;
		rv  = gc_roster_from_table(&f.r, f.t, &f.o, &f.d);
		gc_alloc_fail_after(0);
		if (rv == GC_OK) {
			break;
		}
		assert_int_equal(rv, GC_ENOMEM);
		assert_null(f.r);
	}
	assert_true(n > 10);
	assert_int_equal(f.r->nrows, 3);
	assert_int_equal(f.r->nrejects, 2);
	fx_done(&f);
}

/* Random tables: no crash, every row either accepted or rejected. */
static void
test_roster_survives_random_cells(void **state)
{
	static const char *const pool[] = { "姓名", "身份证号", "层次", "性别",
		"出生日期", "学号", "考生号", "证件类型", ID_F1949, ID_M1991,
		ID_15, "本科", "男", "女", "x", "", " ", "1", "A", "护照",
		"1.1E+17", "2000-02-30", "2000年1月1日", "\xE3\x80\x80",
		"张 三", "01", "E1234", "99999999999999999999999999999" };
	const size_t             np = sizeof(pool) / sizeof(pool[0]);
	unsigned                 seed = 7;
	char                     csv[8192];

	(void)state;
	for (int round = 0; round < 300; round++) {
		struct fx f;
		size_t    n = 0;
		gc_err    rv;

		opts_init(&f.o);
		f.o.default_level = round % 2 ? "本科" : NULL;
		n += (size_t)sprintf(csv, "姓名,身份证号,层次,性别,出生日期,"
		    "学号,考生号,证件类型\n");
		for (int row = 0; row < 20; row++) {
			for (int c = 0; c < 9; c++) {
				seed = seed * 1103515245u + 12345u;
				n += (size_t)sprintf(csv + n, "%s%s",
				    c ? "," : "", pool[(seed >> 16) % np]);
			}
			csv[n++] = '\n';
		}
		csv[n] = '\0';
		gc_diag_clear(&f.d);
		assert_int_equal(gc_table_parse_csv(&f.t, "r.csv",
		    (const uint8_t *)csv, n, GC_ENC_AUTO, &f.d), GC_OK);
		f.r = NULL;
		rv  = gc_roster_from_table(&f.r, f.t, &f.o, &f.d);
		assert_int_equal(rv, GC_OK);
		for (size_t i = 0; i < f.r->nrejects; i++) {
			assert_true(f.r->rejects[i].reason[0] != '\0');
			assert_true(f.r->rejects[i].column[0] != '\0');
		}
		assert_true(f.r->nrows + f.r->nrejects <= f.t->nrows - 1);
		fx_done(&f);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roster_header_below_title_with_chinese_names),
		cmocka_unit_test(test_roster_header_with_chsi_codes),
		cmocka_unit_test(test_roster_override_replaces_builtin_names),
		cmocka_unit_test(test_roster_missing_columns_are_errors),
		cmocka_unit_test(
		    test_roster_default_level_fills_missing_column_and_cells),
		cmocka_unit_test(test_roster_rejects_name_row_column_and_value),
		cmocka_unit_test(test_roster_duplicate_key_depends_on_level),
		cmocka_unit_test(test_roster_id_types_and_fifteen_digits),
		cmocka_unit_test(test_roster_military_numbers_in_utf8_and_gbk),
		cmocka_unit_test(
		    test_roster_cells_are_trimmed_and_blank_rows_skipped),
		cmocka_unit_test(test_roster_name_rules),
		cmocka_unit_test(test_roster_field_names_and_levels),
		cmocka_unit_test(test_roster_email_column_checked),
		cmocka_unit_test(test_roster_allocation_failures_are_clean),
		cmocka_unit_test(test_roster_survives_random_cells),
	};

	return cmocka_run_group_tests_name("common.roster", tests, NULL, NULL);
}

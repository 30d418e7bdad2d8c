/* roster_change: a file's rows matched with the stored roster (the same
 * student through corrections), and one student's edits, on a real
 * coordinator ledger. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cbor.h"
#include "common/gc_alloc.h"
#include "common/ledger.h"
#include "common/roster_change.h"
#include "tests/testutil.h"

#define HDR "学号,姓名,性别,证件类型,证件号码,层次,班级\n"
#define A   "2021000001,张三,女,居民身份证,11010519491231002X,本科,软工2101\n"
#define B15 "2021000002,李四,男,居民身份证,340524800101001,本科,软工2101\n"
#define B18 "2021000002,李四,男,居民身份证,34052419800101001X,本科,软工2101\n"
#define C   "2021000003,王五,男,居民身份证,360426199101010071,本科,会计2102\n"
#define KA  "10335:1:11010519491231002X:05"
#define KB  "10335:1:340524800101001:05"
#define KC  "10335:1:360426199101010071:05"

struct fx {
	char          *dir;
	struct gc_key *k;
	gc_ledger     *lg;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	f->dir = strdup(gc_test_tmpdir("roster_change"));
	f->k   = gc_test_key(1);
	assert_int_equal(gc_ledger_create(f->dir, f->k, GC_ROLE_COORDINATOR,
	    "10335", "c", NULL, 0, NULL), GC_OK);
	f->lg  = gc_test_ledger_open(f->dir, f->k);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	gc_ledger_close(f->lg);
	gc_key_free(f->k);
	gc_test_rmrf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static struct gc_roster *
parse(const char *csv)
{
	struct gc_table      *t;
	struct gc_roster     *r;
	struct gc_roster_opts o;
	struct gc_diag        d;

	memset(&o, 0, sizeof(o));
	o.school_code = "10335";
	o.today       = 20260601;
	assert_int_equal(gc_table_parse_csv(&t, "t.csv", (const uint8_t *)csv,
	    strlen(csv), GC_ENC_UTF8, &d), GC_OK);
	assert_int_equal(gc_roster_from_table(&r, t, &o, &d), GC_OK);
	gc_table_free(t);
	assert_int_equal(r->nrejects, 0);
	return r;
}

static struct gc_plan *
plan(gc_ledger *lg, const char *csv, bool up)
{
	struct gc_roster   *r = parse(csv);
	struct gc_plan     *p;
	struct gc_plan_opts o = { "10335", up, false };

	assert_int_equal(gc_roster_plan(lg, r, &o, &p), GC_OK);
	assert_int_equal(p->n, r->nrows);
	gc_roster_free(r);
	return p;
}

/* Stores the rows of the plan that change something, as an import does. */
static void
store(gc_ledger *lg, const struct gc_plan *p)
{
	struct gc_buf b;
	size_t        n = 0;

	for (size_t i = 0; i < p->n; i++) {
		n += p->rows[i].fate == GC_PLAN_NEW ||
		    p->rows[i].fate == GC_PLAN_CHANGED ||
		    p->rows[i].fate == GC_PLAN_READDED;
	}
	gc_buf_init(&b);
	gc_cbor_map(&b, 3);
	gc_cbor_uint(&b, 0);
	gc_cbor_uint(&b, GC_ROSTER_PATCH);
	gc_cbor_uint(&b, 1);
	gc_cbor_text(&b, "t.csv");
	gc_cbor_uint(&b, 2);
	gc_cbor_array(&b, n);
	for (size_t i = 0; i < p->n; i++) {
		if (p->rows[i].fate == GC_PLAN_NEW ||
		    p->rows[i].fate == GC_PLAN_CHANGED ||
		    p->rows[i].fate == GC_PLAN_READDED) {
			gc_row_put(&b, &p->rows[i].row);
		}
	}
	assert_int_equal(gc_ledger_append_body(lg, GC_KIND_ROSTER, &b, NULL,
	    NULL), GC_OK);
	gc_buf_release(&b);
}

/* Stores one edited row with its op, as `roster correct` does. */
static void
store_row(gc_ledger *lg, const struct gc_row *r, enum gc_roster_op op,
    const char *reason)
{
	struct gc_buf b;

	gc_buf_init(&b);
	gc_cbor_map(&b, 4);
	gc_cbor_uint(&b, 0);
	gc_cbor_uint(&b, op);
	gc_cbor_uint(&b, 1);
	gc_cbor_text(&b, "roster");
	gc_cbor_uint(&b, 2);
	gc_cbor_array(&b, 1);
	gc_row_put(&b, r);
	gc_cbor_uint(&b, 3);
	gc_cbor_text(&b, reason);
	assert_int_equal(gc_ledger_append_body(lg, GC_KIND_ROSTER, &b, NULL,
	    NULL), GC_OK);
	gc_buf_release(&b);
}

/* gc_roster_edit with a fresh diagnostic (it keeps the first message). */
static gc_err
edit(struct gc_diag *d, gc_ledger *lg, const char *key,
    const struct gc_edit *e, struct gc_row *row, struct gc_row *old)
{
	gc_diag_clear(d);
	return gc_roster_edit(lg, key, e, row, old, d);
}

static void
test_roster_plan_first_import_is_new_and_warns_of_15_digits(void **state)
{
	struct fx      *f = *state;
	struct gc_plan *p = plan(f->lg, HDR A B15 C, false);

	assert_int_equal(p->counts[GC_PLAN_NEW], 3);
	assert_int_equal(p->nwarn, 1);
	assert_string_equal(p->rows[1].row.v[GC_ROW_KEY], KB);
	assert_non_null(strstr(p->rows[1].warning, "34052419800101001X"));
	assert_string_equal(p->rows[1].row.v[GC_ROW_ORDER], "3");
	assert_string_equal(p->rows[0].warning, "");
	store(f->lg, p);
	gc_plan_free(p);
	/* the same file again: nothing to store */
	p = plan(f->lg, HDR A B15 C, false);
	assert_int_equal(p->counts[GC_PLAN_SAME], 3);
	gc_plan_free(p);
}

static void
test_roster_plan_a_corrected_number_keeps_the_student(void **state)
{
	struct fx      *f = *state;
	struct gc_plan *p = plan(f->lg, HDR A B15 C, false);
	struct gc_row   row;

	store(f->lg, p);
	gc_plan_free(p);
	/* 升位 in the file: the same student, the number changes */
	p = plan(f->lg, HDR A B18 C, false);
	assert_int_equal(p->counts[GC_PLAN_CHANGED], 1);
	assert_int_equal(p->rows[1].fate, GC_PLAN_CHANGED);
	assert_string_equal(p->rows[1].row.v[GC_ROW_KEY], KB);
	assert_string_equal(p->rows[1].old.v[GC_ROW_ID_NUMBER],
	    "340524800101001");
	assert_string_equal(p->rows[1].row.v[GC_ROW_ID_NUMBER],
	    "34052419800101001X");
	assert_true(p->rows[1].changed & (1u << GC_ROW_ID_NUMBER));
	assert_false(p->rows[1].changed & (1u << GC_ROW_NAME));
	store(f->lg, p);
	gc_plan_free(p);
	assert_int_equal(gc_row_of(f->lg, KB, &row), GC_OK);
	assert_string_equal(row.v[GC_ROW_ID_NUMBER], "34052419800101001X");
	/* the old file does not undo it */
	p = plan(f->lg, HDR A B15 C, false);
	assert_int_equal(p->counts[GC_PLAN_SAME], 3);
	gc_plan_free(p);
}

static void
test_roster_plan_matches_by_student_number_and_refuses_two_rows(void **state)
{
	struct fx      *f = *state;
	struct gc_plan *p = plan(f->lg, HDR A C, false);

	store(f->lg, p);
	gc_plan_free(p);
	/* 王五's number was wrong: matched by 学号 */
	p = plan(f->lg, HDR A
	    "2021000003,王五,女,居民身份证,110105194912310046,本科,会计2102\n",
	    false);
	assert_int_equal(p->rows[1].fate, GC_PLAN_CHANGED);
	assert_string_equal(p->rows[1].row.v[GC_ROW_KEY], KC);
	gc_plan_free(p);
	/* two rows of the file for one stored student: by number and by 学号 */
	p = plan(f->lg, HDR A C
	    "2021000099,王五,女,居民身份证,110105194912310046,本科,会计2102\n",
	    false);
	assert_int_equal(p->rows[1].fate, GC_PLAN_SAME);
	assert_int_equal(p->rows[2].fate, GC_PLAN_NEW);
	gc_plan_free(p);
	p = plan(f->lg, HDR "2021000001,王五,男,居民身份证,360426199101010071,"
	    "本科,会计2102\n", false);
	/* C's number with A's 学号: A's 学号 is A's: refused, naming it */
	assert_int_equal(p->rows[0].fate, GC_PLAN_REJECTED);
	assert_string_equal(p->rows[0].column, "学号");
	assert_non_null(strstr(p->rows[0].reason, KA));
	gc_plan_free(p);
	/* a swap of 学号 inside one file is no conflict */
	p = plan(f->lg, HDR
	    "2021000003,张三,女,居民身份证,11010519491231002X,本科,软工2101\n"
	    "2021000001,王五,男,居民身份证,360426199101010071,本科,会计2102\n",
	    false);
	assert_int_equal(p->counts[GC_PLAN_CHANGED], 2);
	assert_int_equal(p->counts[GC_PLAN_REJECTED], 0);
	gc_plan_free(p);
}

static void
test_roster_plan_upgrade_and_readd(void **state)
{
	struct fx      *f = *state;
	struct gc_plan *p = plan(f->lg, HDR A B15, true);
	struct gc_row   row, old;
	struct gc_edit  e;
	struct gc_diag  d;

	/* a new student upgraded at import is keyed by the 18 digits */
	assert_string_equal(p->rows[1].row.v[GC_ROW_KEY],
	    "10335:1:34052419800101001X:05");
	assert_string_equal(p->rows[1].row.v[GC_ROW_UPGRADED], "");
	assert_int_equal(p->nwarn, 0);
	store(f->lg, p);
	gc_plan_free(p);
	/* removed, then the file again: back on the roster */
	memset(&e, 0, sizeof(e));
	e.kind   = GC_EDIT_REMOVE;
	e.reason = "退学";
	assert_int_equal(edit(&d, f->lg, KA, &e, &row, &old), GC_OK);
	assert_string_equal(row.v[GC_ROW_REMOVED], "退学");
	store_row(f->lg, &row, GC_ROSTER_REMOVE, e.reason);
	assert_int_equal(gc_row_of(f->lg, KA, &row), GC_ENOTFOUND);
	assert_int_equal(gc_row_of_removed(f->lg, KA, &row), GC_OK);
	assert_int_equal(gc_ledger_lookup(f->lg, "id", "11010519491231002X",
	    NULL, 0), 0);
	p = plan(f->lg, HDR A, false);
	assert_int_equal(p->rows[0].fate, GC_PLAN_READDED);
	assert_string_equal(p->rows[0].row.v[GC_ROW_REMOVED], "");
	store(f->lg, p);
	gc_plan_free(p);
	assert_int_equal(gc_row_of(f->lg, KA, &row), GC_OK);
	assert_int_equal(gc_row_of_removed(f->lg, KA, &row), GC_ENOTFOUND);
}

static void
test_roster_edit_checks_and_refuses_with_reasons(void **state)
{
	struct fx      *f = *state;
	struct gc_plan *p = plan(f->lg, HDR A B15 C, false);
	struct gc_row   row, old;
	struct gc_edit  e;
	struct gc_diag  d;

	store(f->lg, p);
	gc_plan_free(p);
	memset(&e, 0, sizeof(e));
	e.kind      = GC_EDIT_CORRECT;
	e.id_number = "34052419800101001X";
	assert_int_equal(edit(&d, f->lg, KB, &e, &row, &old),
	    GC_EINVAL);
	assert_non_null(strstr(d.msg, "--reason"));
	e.reason = "升位";
	assert_int_equal(edit(&d, f->lg, KB, &e, &row, &old), GC_OK);
	assert_string_equal(row.v[GC_ROW_KEY], KB);
	assert_string_equal(row.v[GC_ROW_ID_NUMBER], "34052419800101001X");
	assert_string_equal(row.v[GC_ROW_UPGRADED], "");
	assert_string_equal(row.v[GC_ROW_BIRTH], "1980-01-01");
	/* a bad number, a taken one, nothing to change */
	e.id_number = "34052419800101001Y";
	assert_int_equal(edit(&d, f->lg, KB, &e, &row, &old),
	    GC_EINVAL);
	assert_non_null(strstr(d.msg, "34052419800101001Y"));
	e.id_number = "360426199101010071";
	assert_int_equal(edit(&d, f->lg, KB, &e, &row, &old),
	    GC_EINVAL);
	assert_non_null(strstr(d.msg, KC));
	e.id_number = "340524800101001";
	assert_int_equal(edit(&d, f->lg, KB, &e, &row, &old),
	    GC_EINVAL);
	assert_non_null(strstr(d.msg, "nothing to change"));
	e.id_number = NULL;
	e.level     = "博士后";
	assert_int_equal(edit(&d, f->lg, KB, &e, &row, &old),
	    GC_EINVAL);
	assert_non_null(strstr(d.msg, "层次"));
	e.level = NULL;
	e.name  = "有 空格";
	assert_int_equal(edit(&d, f->lg, KB, &e, &row, &old),
	    GC_EINVAL);
	/* a reason with a control character; an overlong one */
	e.name   = "李四四";
	e.reason = "a\nb";
	assert_int_equal(edit(&d, f->lg, KB, &e, &row, &old),
	    GC_EINVAL);
	{
		char longr[200];

		memset(longr, 'x', sizeof(longr) - 1);
		longr[sizeof(longr) - 1] = '\0';
		e.reason = longr;
		assert_int_equal(edit(&d, f->lg, KB, &e, &row, &old),
		    GC_EINVAL);
	}
	/* exempt and not; restore of a live student; an unknown one */
	memset(&e, 0, sizeof(e));
	e.reason = "已有学信网图像";
	e.kind   = GC_EDIT_UNEXEMPT;
	assert_int_equal(edit(&d, f->lg, KA, &e, &row, &old),
	    GC_EINVAL);
	e.kind = GC_EDIT_EXEMPT;
	assert_int_equal(edit(&d, f->lg, KA, &e, &row, &old), GC_OK);
	store_row(f->lg, &row, GC_ROSTER_EXEMPT, e.reason);
	assert_int_equal(edit(&d, f->lg, KA, &e, &row, &old),
	    GC_EINVAL);
	/* an import keeps the exemption */
	p = plan(f->lg, HDR A B15 C, false);
	assert_int_equal(p->counts[GC_PLAN_SAME], 3);
	gc_plan_free(p);
	e.kind = GC_EDIT_RESTORE;
	assert_int_equal(edit(&d, f->lg, KA, &e, &row, &old),
	    GC_EINVAL);
	e.kind = GC_EDIT_REMOVE;
	assert_int_equal(edit(&d, f->lg, "10335:1:X:05", &e, &row, &old), GC_ENOTFOUND);
}

static void
test_roster_plan_refuses_to_undo_a_correction(void **state)
{
	struct fx      *f = *state;
	struct gc_plan *p = plan(f->lg, HDR A C, false);
	struct gc_row   row, old;
	struct gc_edit  e;
	struct gc_diag  d;

	store(f->lg, p);
	gc_plan_free(p);
	memset(&e, 0, sizeof(e));
	e.kind   = GC_EDIT_CORRECT;
	e.name   = "王五五";
	e.reason = "姓名笔误";
	assert_int_equal(edit(&d, f->lg, KC, &e, &row, &old), GC_OK);
	store_row(f->lg, &row, GC_ROSTER_CORRECT, e.reason);
	p = plan(f->lg, HDR A C, false);
	assert_int_equal(p->rows[1].fate, GC_PLAN_REJECTED);
	assert_non_null(strstr(p->rows[1].reason, "姓名笔误"));
	assert_non_null(strstr(p->rows[1].reason, "王五五 → 王五"));
	gc_plan_free(p);
	/* still so after another change of the student (an exemption) */
	e.kind   = GC_EDIT_EXEMPT;
	e.name   = NULL;
	e.reason = "已有学信网图像";
	assert_int_equal(edit(&d, f->lg, KC, &e, &row, &old), GC_OK);
	assert_string_equal(row.v[GC_ROW_CORRECTED], "姓名笔误");
	store_row(f->lg, &row, GC_ROSTER_EXEMPT, e.reason);
	p = plan(f->lg, HDR A C, false);
	assert_int_equal(p->rows[1].fate, GC_PLAN_REJECTED);
	gc_plan_free(p);
	/* a file that agrees with the correction goes through */
	p = plan(f->lg, HDR A "2021000003,王五五,男,居民身份证,"
	    "360426199101010071,本科,会计2103\n", false);
	assert_int_equal(p->rows[1].fate, GC_PLAN_CHANGED);
	gc_plan_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_roster_plan_first_import_is_new_and_warns_of_15_digits,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_roster_plan_a_corrected_number_keeps_the_student, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_roster_plan_matches_by_student_number_and_refuses_two_rows,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_roster_plan_upgrade_and_readd,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_roster_edit_checks_and_refuses_with_reasons, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_roster_plan_refuses_to_undo_a_correction, setup,
		    teardown),
	};
	return cmocka_run_group_tests_name("common.roster_change", tests, NULL,
	    NULL);
}
